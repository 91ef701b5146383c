/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sub-section memory hotplug: what joins the pure core
 * (<linux/subsection.h>, <linux/pfn_radix.h>) to mm/.  The hook patches
 * call these from mm/memory_hotplug.c, mm/memremap.c and mm/mm_init.c;
 * mm/subsection_sparse.c and mm/subsection_memremap.c define them.
 *
 * What each needs held is in its kernel-doc (Context:).  The rules
 * behind them (mem_hotplug_lock for every change, RCU-freed usage
 * bitmaps, the order of stores the lock-free readers rely on) are in
 * "Locking and ordering" of Documentation/mm/subsection-hotplug.rst.
 */
#ifndef _MM_SUBSECTION_GLUE_H
#define _MM_SUBSECTION_GLUE_H

#include <linux/pfn_radix.h>
#include <linux/subsection.h>
#include <linux/subsection_native.h>

#ifdef CONFIG_SUBSECTION_HOTPLUG
struct zone;

/* mm/subsection_sparse.c, for mm/memory_hotplug.c's check_pfn_span() */
int sparse_check_span(unsigned long pfn, unsigned long nr_pages);

/* mm/subsection_sparse.c, for mm/subsection_memremap.c */
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
struct range;

/* The dev_pagemap of every ZONE_DEVICE pfn (mm/subsection_memremap.c). */
extern struct pfn_radix memremap_pgmap_radix;

/* mm/subsection_memremap.c, for mm/memremap.c */
int memremap_radix_check(const struct dev_pagemap *pgmap,
			 const struct range *range);
int memremap_radix_insert(struct dev_pagemap *pgmap, const struct range *range);
void memremap_radix_retire(struct dev_pagemap *pgmap);
void memremap_radix_release(struct dev_pagemap *pgmap,
			    const struct range *range);

/* mm/subsection_memremap.c, for mm/memory_hotplug.c */
void memremap_remove_from_zone(struct zone *zone, unsigned long pfn,
			       unsigned long nr_pages);

/* mm/subsection_memremap.c, for mm/mm_init.c */
bool memmap_pageblock_keep_type(unsigned long pfn, unsigned long end_pfn);
void memmap_init_device_range(struct zone *zone, unsigned long start_pfn,
			      unsigned long end_pfn, struct dev_pagemap *pgmap);

/* mm/mm_init.c (hook 0003), for mm/subsection_memremap.c */
void memmap_init_device_pages(struct zone *zone, unsigned long pfn,
			      unsigned long end_pfn,
			      struct dev_pagemap *pgmap);
#endif /* CONFIG_ZONE_DEVICE */
#endif /* CONFIG_SUBSECTION_HOTPLUG */

#endif /* _MM_SUBSECTION_GLUE_H */
