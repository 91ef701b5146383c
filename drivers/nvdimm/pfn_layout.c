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
 * New info-blocks (nd_pfn_layout_new()):
 *  - the namespace must start on a sub-section boundary, the hotplug
 *    granularity; there is no start padding (start_pad is deprecated);
 *  - the end is cut back to a sub-section boundary only, or for devdax,
 *    whose device size must be a multiple of it, to the data alignment:
 *    nothing is padded to whole sections any more;
 *  - the memmap reserve is page_struct_reserve bytes per page of the
 *    namespace after the info-block, so kernels with a smaller struct
 *    page can load it.
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
 * Return: 0; -EINVAL for an empty, wrapping or sub-section misaligned
 * namespace, an unsupported @align, or a struct page larger than the
 * reserve; -ENXIO for a bad @mode or a namespace too small to hold any
 * data at that alignment.
 */
int nd_pfn_layout_new(const struct nd_pfn_env *env, u64 start, u64 size,
		      u32 mode, unsigned long align, bool devdax,
		      struct nd_pfn_layout *l)
{
	u64 end, cut, first, memmap;

	if (!size || check_add_overflow(start, size, &end) ||
	    !IS_ALIGNED(start, env->subsection_size) || size <= ND_PFN_INFO_SIZE)
		return -EINVAL;
	if (!align_supported(env, align))
		return -EINVAL;
	if (env->page_struct_size > env->page_struct_reserve)
		return -EINVAL;

	cut = devdax ? max(align, env->subsection_size) : env->subsection_size;
	*l = (struct nd_pfn_layout){
		.end_trunc = end - ALIGN_DOWN(end, cut),
		.align = align,
		.page_size = env->page_size,
		.page_struct_size = env->page_struct_reserve,
	};

	first = start + ND_PFN_INFO_SIZE;
	if (mode == ND_PFN_MAP_DEV) {
		memmap = (size - ND_PFN_INFO_SIZE) / env->page_size *
			 env->page_struct_reserve;
		first += memmap;
	} else if (mode != ND_PFN_MAP_MEM) {
		return -ENXIO;
	}
	l->dataoff = ALIGN(first, max(align, env->subsection_size)) - start;
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
 * Return: 0; -ENODEV for a bad checksum (the block is not an info-block:
 * the same answer as a missing one); -ENXIO for an unknown mode;
 * -EOPNOTSUPP for a block this kernel cannot use or that does not fit
 * the namespace.  Nothing is written anywhere.
 */
int nd_pfn_layout_check(const struct nd_pfn_env *env, u64 start, u64 size,
			const struct nd_pfn_sb *sb, bool devdax,
			struct nd_pfn_layout *l, const char **why)
{
	u64 end, pads;
	u32 mode;

	if (env->checksum && env->checksum(sb) != le64_to_cpu(sb->checksum)) {
		*why = "bad checksum";
		return -ENODEV;
	}
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
	else if (!IS_ALIGNED(start + l->start_pad, env->subsection_size))
		*why = "start not sub-section aligned";
	else if (!IS_ALIGNED(end - l->end_trunc, env->subsection_size))
		*why = "end not sub-section aligned";
	if (*why)
		return -EOPNOTSUPP;

	layout_ranges(env, start, size, l);
	/* With the memmap in RAM the block's own count is what is used. */
	l->npfns = mode == ND_PFN_MAP_MEM ? l->npfns :
		   l->data_size / env->page_size;
	return 0;
}
EXPORT_SYMBOL_GPL(nd_pfn_layout_check);
