/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layout of a pmem namespace in fsdax / devdax mode: where its info-block
 * says the data starts and ends, for new info-blocks and for every older
 * form.  Pure arithmetic over &struct nd_pfn_env, so the KUnit suite runs
 * it for several page and sub-section sizes without libnvdimm.
 */
#ifndef _NVDIMM_PFN_LAYOUT_H
#define _NVDIMM_PFN_LAYOUT_H

#include <linux/types.h>
#include "pfn.h"

/* Values of nd_pfn_sb::mode: where the memmap of the namespace lives. */
#define ND_PFN_MAP_MEM	1	/* in RAM (PFN_MODE_RAM) */
#define ND_PFN_MAP_DEV	2	/* on the device, before the data (PFN_MODE_PMEM) */

/* The info-block area at the start of a namespace, before any memmap. */
#define ND_PFN_INFO_SIZE	SZ_8K

/**
 * struct nd_pfn_env - what the running kernel offers a pmem namespace
 * @page_size: PAGE_SIZE
 * @page_struct_size: sizeof(struct page)
 * @page_struct_reserve: bytes of memmap a new info-block reserves per
 *	pfn (MAX_STRUCT_PAGE_SIZE, so that kernels with a smaller struct
 *	page can use the namespace too)
 * @subsection_size: the hotplug granularity: the mapped range must start
 *	and end on it
 * @compat_align: what the architecture needs a mapped range to start and
 *	end on beyond that (memremap_compat_align(): 16 MiB on ppc64 with
 *	the hash MMU, whose linear map is bolted in 16 MiB steps); the data
 *	offset is aligned to it too, as stock does
 * @section_size: the memory section size
 * @altmap_block: the largest block of memmap the architecture's
 *	vmemmap_populate() takes from the device (altmap) in one piece for
 *	a whole section, aligned to its own size (the vmemmap PMD); the
 *	alignment costs up to a block of the memmap area
 * @altmap_partial: the memmap of a partly mapped section comes from the
 *	device too (false on x86_64, which maps it from RAM)
 * @compound_grid: the grid a devdax range with compound pages and the
 *	memmap in RAM must start and end on: memmap_init_zone_device() lays
 *	compound pages from the range's start, and where they share tail
 *	pages (ARCH_WANT_OPTIMIZE_DAX_VMEMMAP) __populate_section_memmap()
 *	and vmemmap_populate_compound_pages() work in stock's 2 MiB; 0 for
 *	none
 * @info_reserve: bytes at the start of the namespace a memmap on the
 *	device must not use (nd_info_block_reserve())
 * @aligns: the supported data alignments, 0-terminated
 */
struct nd_pfn_env {
	unsigned long page_size;
	unsigned int page_struct_size;
	unsigned int page_struct_reserve;
	unsigned long subsection_size;
	unsigned long compat_align;
	unsigned long section_size;
	unsigned long altmap_block;
	bool altmap_partial;
	unsigned long compound_grid;
	unsigned long info_reserve;
	const unsigned long *aligns;
};

/**
 * struct nd_pfn_layout - where the data of a namespace lies
 * @dataoff: offset of the data from the start of the mapped range
 * @start_pad: bytes skipped at the start of the namespace (old blocks)
 * @end_trunc: bytes cut off at its end
 * @npfns: pages of data
 * @align: the data alignment in force
 * @page_size: page size recorded in the info-block
 * @page_struct_size: struct page size recorded in the info-block
 * @map_start: physical start of the mapped (memremapped) range
 * @map_size: its size; it includes the info-block and a memmap on the
 *	device
 * @data_start: physical start of the data
 * @data_size: bytes of data
 */
struct nd_pfn_layout {
	u64 dataoff;
	u32 start_pad;
	u32 end_trunc;
	u64 npfns;
	unsigned long align;
	u32 page_size;
	u16 page_struct_size;
	u64 map_start;
	u64 map_size;
	u64 data_start;
	u64 data_size;
};

int nd_pfn_layout_new(const struct nd_pfn_env *env, u64 start, u64 size,
		      u32 mode, unsigned long align, bool devdax,
		      struct nd_pfn_layout *l);
u64 nd_pfn_layout_map_align(const struct nd_pfn_env *env, u32 mode,
			    unsigned long align, bool devdax);
u64 nd_pfn_layout_altmap_end(const struct nd_pfn_env *env, u64 map_start,
			     u64 map_end);
int nd_pfn_layout_check(const struct nd_pfn_env *env, u64 start, u64 size,
			const struct nd_pfn_sb *sb, bool devdax,
			struct nd_pfn_layout *l, const char **why);

#ifdef CONFIG_SUBSECTION_HOTPLUG
struct nd_pfn;

/* drivers/nvdimm/pfn_subsection.c, for pfn_devs.c */
unsigned long nd_pfn_subsection_pfn_down(unsigned long pfn);
int nd_pfn_subsection_init(struct nd_pfn *nd_pfn, const unsigned long *aligns,
			   bool devdax, u64 start, u64 size, unsigned long align,
			   phys_addr_t *offset, u32 *end_trunc,
			   unsigned long *npfns);
int nd_pfn_subsection_validate(struct nd_pfn *nd_pfn,
			       const unsigned long *aligns, bool devdax);
#endif

#endif /* _NVDIMM_PFN_LAYOUT_H */
