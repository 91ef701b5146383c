/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running kernel's sub-section layout as a &struct subsec_geom.
 *
 * Kept apart from <linux/subsection.h>, which is included early (by
 * <linux/mmzone.h> and <linux/pfn_radix.h>) where the architecture's
 * MAX_POSSIBLE_PHYSMEM_BITS may not be defined yet: testing for it there
 * silently picked MAX_PHYSMEM_BITS, which is not a constant on arm64
 * with 52-bit physical addresses or on x86_64 with 5-level paging.
 * Including <linux/mm.h> first makes the test below see the
 * architecture's final word.
 */
#ifndef _LINUX_SUBSECTION_NATIVE_H
#define _LINUX_SUBSECTION_NATIVE_H

#include <linux/mm.h>
#include <linux/subsection.h>

#ifdef CONFIG_SUBSECTION_HOTPLUG
/*
 * phys_bits is the widest physical address space this build can ever be
 * given: a compile-time constant, never narrower than what the CPU the
 * kernel boots on reports (MAX_PHYSMEM_BITS).
 */
#ifdef MAX_POSSIBLE_PHYSMEM_BITS
#define SUBSEC_NATIVE_PHYS_BITS	MAX_POSSIBLE_PHYSMEM_BITS
#else
#define SUBSEC_NATIVE_PHYS_BITS	MAX_PHYSMEM_BITS
#endif

/*
 * Initialiser of the running kernel's &struct subsec_geom, with the
 * default (stock's) sub-section size; subsec_native may be finer.
 */
#define SUBSEC_NATIVE_GEOM {					\
	.name = "native",					\
	.page_shift = PAGE_SHIFT,				\
	.section_shift = SECTION_SIZE_BITS,			\
	.subsection_shift = SUBSECTION_SHIFT,			\
	.phys_bits = SUBSEC_NATIVE_PHYS_BITS,			\
	.page_struct_size = sizeof(struct page),		\
}

struct zone;

/* mm/subsection_sparse.c, for mm/memory_hotplug.c's check_pfn_span() */
int sparse_check_span(unsigned long pfn, unsigned long nr_pages);

/* mm/subsection_sparse.c, for mm/memremap.c */
void sparse_poison_memmap(unsigned long pfn, unsigned long nr_pages);

/* mm/subsection_sparse.c, for mm/memory_hotplug.c's zone shrinking */
unsigned long sparse_zone_first_pfn(int nid, struct zone *zone,
				    unsigned long start_pfn,
				    unsigned long end_pfn);
unsigned long sparse_zone_last_pfn(int nid, struct zone *zone,
				   unsigned long start_pfn,
				   unsigned long end_pfn);

#ifdef CONFIG_ZONE_DEVICE
struct dev_pagemap;

/* mm/subsection_memremap.c, for mm/mm_init.c */
bool memmap_pageblock_keep_type(unsigned long pfn, unsigned long end_pfn);
bool memmap_init_device_parallel(struct zone *zone, unsigned long start_pfn,
				 unsigned long end_pfn,
				 struct dev_pagemap *pgmap);

/* mm/mm_init.c (hook 0003), for mm/subsection_memremap.c */
void memmap_init_device_pages(struct zone *zone, unsigned long pfn,
			      unsigned long end_pfn,
			      struct dev_pagemap *pgmap);
#endif
#endif /* CONFIG_SUBSECTION_HOTPLUG */

#endif /* _LINUX_SUBSECTION_NATIVE_H */
