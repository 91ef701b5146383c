// SPDX-License-Identifier: GPL-2.0
/*
 * Layout of a pmem namespace in fsdax / devdax mode (see pfn_layout.h).
 *
 * A namespace [start, start + size) in pfn or dax mode begins with an
 * info-block (ND_PFN_INFO_SIZE bytes).  With the memmap on the device
 * (ND_PFN_MAP_DEV) the struct pages of the data follow it; then comes the
 * data, at dataoff, aligned to the data alignment so huge pages can map
 * it.  What memremap_pages() maps is [start + start_pad, end - end_trunc).
 *
 * The mapping granule is the larger of the sub-section size (the hotplug
 * granularity) and the architecture's memremap_compat_align() (ppc64
 * with the hash MMU bolts its linear map in 16 MiB steps), and for devdax
 * compound pages with the memmap in RAM stock's 2 MiB grid.
 *
 * New info-blocks (nd_pfn_layout_new()):
 *  - the namespace must start on the mapping granule; there is no start
 *    padding (start_pad is deprecated);
 *  - the end is cut back to the mapping granule only, or for devdax,
 *    whose device size must be a multiple of it, to the data alignment:
 *    nothing is padded to whole sections any more;
 *  - the memmap reserve is page_struct_reserve bytes per page of the
 *    namespace after the info-block, so kernels with a smaller struct
 *    page can load it;
 *  - with the memmap on the device, the data starts no earlier than the
 *    altmap can end (nd_pfn_layout_altmap_end()): the first vmemmap
 *    block of a whole section is aligned to its size and the pages that
 *    alignment skips are lost.  Stock gets that room from aligning the
 *    data to 2 MiB; a finer sub-section must ask for it.
 *
 * Existing info-blocks (nd_pfn_layout_check()): every minor version is
 * read as stock reads it (before 1: no pads; before 2: the alignment is
 * the largest power of two in dataoff; before 4: 64-byte struct pages and
 * the kernel's page size), and the data range is the one stock exposes.
 * A block that is corrupt or does not fit the namespace is refused with
 * a reason and nothing else happens.
 */
#include <asm/byteorder.h>
#include <linux/align.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/sizes.h>

#include "pfn_layout.h"

static bool align_supported(const struct nd_pfn_env *env, unsigned long align)
{
	const unsigned long *a;

	for (a = env->aligns; *a; a++)
		if (*a == align)
			return true;
	return false;
}

/* Fill the derived fields of @l from its info-block fields. */
static void layout_ranges(const struct nd_pfn_env *env, u64 start, u64 size,
			  struct nd_pfn_layout *l)
{
	l->map_start = start + l->start_pad;
	l->map_size = size - l->start_pad - l->end_trunc;
	l->data_start = l->map_start + l->dataoff;
	l->data_size = l->map_size - l->dataoff;
}

/**
 * nd_pfn_layout_map_align() - the granule a mapped range starts and ends on
 * @env: what the kernel offers
 * @mode: %ND_PFN_MAP_MEM or %ND_PFN_MAP_DEV
 * @align: the data alignment
 * @devdax: for a device-dax instance
 *
 * Context: Any context.
 * Return: the larger of the sub-section size and the architecture's
 * compat alignment, and for devdax compound pages (@align above a page)
 * with the memmap in RAM at least @env->compound_grid: a namespace laid
 * out finer cannot be mapped here.
 */
u64 nd_pfn_layout_map_align(const struct nd_pfn_env *env, u32 mode,
			    unsigned long align, bool devdax)
{
	u64 granule = max(env->subsection_size, env->compat_align);

	if (devdax && mode == ND_PFN_MAP_MEM && align > env->page_size)
		granule = max_t(u64, granule, env->compound_grid);
	return granule;
}
EXPORT_SYMBOL_GPL(nd_pfn_layout_map_align);

/* Bytes of whole memmap pages that @bytes of mapped range take. */
static u64 memmap_bytes(const struct nd_pfn_env *env, u64 bytes)
{
	return round_up(div_u64(bytes, env->page_size) * env->page_struct_size,
			env->page_size);
}

/**
 * nd_pfn_layout_altmap_end() - where a memmap on the device can end
 * @env: what the kernel offers
 * @map_start: physical start of the mapped range, where the altmap starts
 * @map_end: physical end of the mapped range (exclusive)
 *
 * The altmap hands out memmap pages in address order, from @map_start +
 * @env->info_reserve, as the hot-add asks for them section by section:
 * the memmap of a whole section in blocks of @env->altmap_block bytes,
 * each first aligned to its size (the pages skipped for that are lost),
 * the memmap of a partial section page by page, and from the device only
 * if @env->altmap_partial.  Only the first block can need aligning: the
 * whole sections follow each other and a whole section's memmap is a
 * whole number of blocks.
 *
 * Context: Any context.
 * Return: the physical address the memmap on the device ends before, at
 * worst; the data must not start below it.
 */
u64 nd_pfn_layout_altmap_end(const struct nd_pfn_env *env, u64 map_start,
			     u64 map_end)
{
	u64 whole_start = round_up(map_start, env->section_size);
	u64 whole_end = round_down(map_end, env->section_size);
	u64 end = map_start + env->info_reserve;

	if (whole_start >= whole_end) {
		if (env->altmap_partial)
			end += memmap_bytes(env, map_end - map_start);
		return end;
	}
	if (env->altmap_partial)
		end += memmap_bytes(env, whole_start - map_start);
	end = round_up(end, env->altmap_block) +
	      memmap_bytes(env, whole_end - whole_start);
	if (env->altmap_partial)
		end += memmap_bytes(env, map_end - whole_end);
	return end;
}
EXPORT_SYMBOL_GPL(nd_pfn_layout_altmap_end);

/**
 * nd_pfn_layout_new() - lay out a namespace for a new info-block
 * @env: what the kernel offers
 * @start: physical start of the namespace
 * @size: its size in bytes
 * @mode: %ND_PFN_MAP_MEM or %ND_PFN_MAP_DEV
 * @align: the data alignment asked for, one of @env->aligns
 * @devdax: for a device-dax instance (its size must be a multiple of
 *	@align)
 * @l: the layout, on success
 *
 * Context: Any context.
 * Return: 0; -EINVAL for an empty or wrapping namespace, one that does
 * not start on the mapping granule (nd_pfn_layout_map_align()), an
 * unsupported @align, or a struct page larger than the reserve; -ENXIO
 * for a bad @mode or a namespace too small to hold any data at that
 * alignment.
 */
int nd_pfn_layout_new(const struct nd_pfn_env *env, u64 start, u64 size,
		      u32 mode, unsigned long align, bool devdax,
		      struct nd_pfn_layout *l)
{
	u64 granule = nd_pfn_layout_map_align(env, mode, align, devdax);
	u64 end, cut, first, memmap;

	if (!size || check_add_overflow(start, size, &end) ||
	    !IS_ALIGNED(start, granule) || size <= ND_PFN_INFO_SIZE)
		return -EINVAL;
	/* As nd_pfn_layout_check() (and stock) refuse it on every load. */
	if (!align_supported(env, align) || align > size)
		return -EINVAL;
	if (env->page_struct_size > env->page_struct_reserve)
		return -EINVAL;

	cut = devdax ? max_t(u64, align, granule) : granule;
	*l = (struct nd_pfn_layout){
		.end_trunc = end - ALIGN_DOWN(end, cut),
		.align = align,
		.page_size = env->page_size,
		.page_struct_size = env->page_struct_reserve,
	};

	first = start + ND_PFN_INFO_SIZE;
	if (mode == ND_PFN_MAP_DEV) {
		memmap = div_u64(size - ND_PFN_INFO_SIZE, env->page_size) *
			 env->page_struct_reserve;
		first = max(first + memmap,
			    nd_pfn_layout_altmap_end(env, start,
						     end - l->end_trunc));
	} else if (mode != ND_PFN_MAP_MEM) {
		return -ENXIO;
	}
	l->dataoff = ALIGN(first, max_t(u64, align, granule)) - start;
	if (l->dataoff >= size - l->end_trunc)
		return -ENXIO;
	layout_ranges(env, start, size, l);
	l->npfns = l->data_size / env->page_size;
	return 0;
}
EXPORT_SYMBOL_GPL(nd_pfn_layout_new);

/* The info-block's fields in CPU order, older minor versions filled in. */
static void read_sb(const struct nd_pfn_env *env, const struct nd_pfn_sb *sb,
		    struct nd_pfn_layout *l, u32 *mode)
{
	u16 minor = le16_to_cpu(sb->version_minor);

	*mode = le32_to_cpu(sb->mode);
	l->dataoff = le64_to_cpu(sb->dataoff);
	l->npfns = le64_to_cpu(sb->npfns);
	l->start_pad = minor >= 1 ? le32_to_cpu(sb->start_pad) : 0;
	l->end_trunc = minor >= 1 ? le32_to_cpu(sb->end_trunc) : 0;
	l->align = minor >= 2 ? le32_to_cpu(sb->align) : 0;
	l->page_size = minor >= 4 ? le32_to_cpu(sb->page_size) : env->page_size;
	l->page_struct_size = minor >= 4 ?
			      le16_to_cpu(sb->page_struct_size) : 64;
}

/**
 * nd_pfn_layout_check() - validate an existing info-block
 * @env: what the kernel offers
 * @start: physical start of the namespace
 * @size: its size in bytes
 * @sb: the info-block as read from the namespace (its signature, uuids
 *	and version_major are the caller's business)
 * @devdax: the block belongs to a device-dax instance
 * @l: the layout it describes, on success
 * @why: on failure, what is wrong, for the one error line to print
 *
 * The caller has checked the block's checksum (nd_pfn_validate()).
 *
 * Context: Any context; takes no locks.
 * Return: 0; -ENXIO for an unknown mode;
 * -EOPNOTSUPP for a block this kernel cannot use or that does not fit
 * the namespace.  Nothing is written anywhere.
 */
int nd_pfn_layout_check(const struct nd_pfn_env *env, u64 start, u64 size,
			const struct nd_pfn_sb *sb, bool devdax,
			struct nd_pfn_layout *l, const char **why)
{
	u64 end, pads, granule;
	u32 mode;

	read_sb(env, sb, l, &mode);
	if (mode != ND_PFN_MAP_MEM && mode != ND_PFN_MAP_DEV) {
		*why = "unknown memmap mode";
		return -ENXIO;
	}
	*why = NULL;
	if (check_add_overflow(start, size, &end))
		*why = "namespace wraps";
	else if (l->dataoff < ND_PFN_INFO_SIZE)
		*why = "data offset inside the info-block";
	else if (mode == ND_PFN_MAP_DEV && l->page_size > env->page_size)
		*why = "page size mismatch";
	else if (mode == ND_PFN_MAP_DEV &&
		 l->page_struct_size < env->page_struct_size)
		*why = "struct page size mismatch";
	if (*why)
		return -EOPNOTSUPP;

	/* Before minor version 2 the alignment was implied by dataoff. */
	if (!l->align)
		l->align = 1UL << ilog2(l->dataoff);
	granule = nd_pfn_layout_map_align(env, mode, l->align, devdax);
	pads = (u64)l->start_pad + l->end_trunc;
	if (devdax && !align_supported(env, l->align))
		*why = "unsupported alignment";
	else if (l->align > size)
		*why = "alignment exceeds the namespace";
	else if (pads >= size)
		*why = "padding larger than the namespace";
	else if (l->dataoff >= size - pads)
		*why = "data offset past the end";
	else if (!IS_ALIGNED(l->dataoff, env->page_size) ||
		 !IS_ALIGNED(start + l->start_pad + l->dataoff, l->align))
		*why = "misaligned data offset";
	else if (!IS_ALIGNED(start + l->start_pad, granule))
		*why = "start not on this boot's mapping granule";
	else if (!IS_ALIGNED(end - l->end_trunc, granule))
		*why = "end not on this boot's mapping granule";
	else if (mode == ND_PFN_MAP_DEV &&
		 nd_pfn_layout_altmap_end(env, start + l->start_pad,
					  end - l->end_trunc) >
		 start + l->start_pad + l->dataoff)
		*why = "memmap area too small for this kernel's vmemmap blocks";
	if (*why)
		return -EOPNOTSUPP;

	layout_ranges(env, start, size, l);
	/* With the memmap in RAM the block's own count is what is used. */
	l->npfns = mode == ND_PFN_MAP_MEM ? l->npfns :
		   l->data_size / env->page_size;
	return 0;
}
EXPORT_SYMBOL_GPL(nd_pfn_layout_check);
