// SPDX-License-Identifier: GPL-2.0
/*
 * Sub-section memory hotplug: pfn range checks, per-section splitting and
 * per-section usage bitmaps, for any &struct subsec_geom.
 *
 * Range rules shared by every function that takes (pfn, nr_pages):
 *
 *  - nr_pages == 0 is -EINVAL (an empty range is a caller bug),
 *  - where sub-section alignment is required, a pfn or length that is
 *    not a multiple of a sub-section is -EINVAL,
 *  - pfn + nr_pages wrapping around is -EOVERFLOW,
 *  - a range ending beyond the physical address space, or crossing a
 *    section boundary where one section is expected, is -ERANGE.
 *
 * These checks happen before anything is written: a function that
 * returns an error has left every bitmap exactly as it found it.
 *
 * A range that must be sub-section aligned and in one section is checked
 * once, by subsec_span_of() at the boundary; what changes a usage
 * bitmap or a memmap takes the resulting &struct subsec_span and does
 * not check again.
 */
#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/limits.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/subsection.h>
#include <kunit/visibility.h>

#if IS_ENABLED(CONFIG_KUNIT)
/* Only the KUnit suites call it: not built without them. */
/**
 * subsec_geom_check() - validate a layout
 * @g: layout to check
 *
 * Context: Any context.
 * Return: 0 if @g describes a usable layout, -EINVAL otherwise.
 */
int subsec_geom_check(const struct subsec_geom *g)
{
	if (g->page_shift < 9 || g->page_shift > g->subsection_shift)
		return -EINVAL;
	if (g->subsection_shift > g->section_shift ||
	    g->section_shift >= g->phys_bits)
		return -EINVAL;
	if (g->phys_bits - g->page_shift >= BITS_PER_LONG)
		return -EINVAL;
	if (g->section_shift - g->subsection_shift > ilog2(SUBSEC_MAX_PER_SECTION))
		return -EINVAL;
	if (!g->page_struct_size)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(subsec_geom_check);
#endif

/**
 * subsec_shift_allowed() - the sub-section size a boot may use
 * @want: log2 of the size asked for, in bytes (subsection_size=)
 * @page_shift: log2 of the page size: nothing finer than a page
 * @map_shift: log2 of the finest size the usage bitmaps have room for
 * @kasan_shift: log2 of the memory one KASAN shadow page covers where
 *	hot-added memory gets a shadow of its own (kasan_add_zero_shadow()
 *	maps whole shadow pages and refuses anything finer), 0 without
 * @arch_shift: log2 of the finest size the architecture's own memmap
 *	code follows (ppc64 probes its vmemmap by 2 MiB), 0 for any
 *
 * Context: Any context.
 * Return: @want, or the finest size allowed where @want is finer.
 */
unsigned int subsec_shift_allowed(unsigned int want, unsigned int page_shift,
				  unsigned int map_shift,
				  unsigned int kasan_shift,
				  unsigned int arch_shift)
{
	return max3(want, max(page_shift, map_shift),
		    max(kasan_shift, arch_shift));
}
EXPORT_SYMBOL_IF_KUNIT(subsec_shift_allowed);

/**
 * subsec_pageblock_spill() - the part of a pageblock past a device range
 * @block: a pfn of a pageblock that starts inside the range
 * @end: the first pfn after the range
 * @block_pages: pfns per pageblock, a power of two
 * @spill_last: set to the pageblock's last pfn when the result is true
 *
 * A ZONE_DEVICE range gives each pageblock that starts inside it the
 * range's migratetype.  Only the last such pageblock can reach past the
 * range, into whatever lies there: with the sub-section at least a
 * pageblock never, finer or with pageblocks above the sub-section (arm64
 * 16K / 64K, ppc64, no THP) when the range ends inside it.
 *
 * Context: Any context.
 * Return: true if the pageblock holding @block ends after @end - 1; then
 * [@end, *@spill_last] is the part of it outside the range.
 */
bool subsec_pageblock_spill(unsigned long block, unsigned long end,
			    unsigned long block_pages,
			    unsigned long *spill_last)
{
	unsigned long last = block | (block_pages - 1);

	if (!end || last < end)
		return false;
	*spill_last = last;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(subsec_pageblock_spill);

/**
 * subsec_pageblock_split() - the ends of a range that share a pageblock
 * @pfn: first pfn of the range
 * @end: first pfn after the range, above @pfn
 * @block_pages: pfns per pageblock, a power of two
 * @head_end: set to where the range leaves the pageblock holding @pfn if
 *	that pageblock starts below @pfn, else to @pfn
 * @tail_start: set to where the range enters the pageblock holding
 *	@end - 1 if that pageblock ends above @end - 1 and is not the
 *	head's, else to @end
 *
 * [@pfn, *@head_end) and [*@tail_start, @end) lie in pageblocks that
 * reach outside the range; [*@head_end, *@tail_start) is whole
 * pageblocks.  A range inside one pageblock is all head.
 *
 * Context: Any context.
 */
void subsec_pageblock_split(unsigned long pfn, unsigned long end,
			    unsigned long block_pages,
			    unsigned long *head_end,
			    unsigned long *tail_start)
{
	unsigned long mask = block_pages - 1;
	unsigned long head = pfn, tail = end;

	if (pfn & mask)
		head = min(end - 1, pfn | mask) + 1;
	if (end & mask)
		tail = max(head, end & ~mask);
	*head_end = head;
	*tail_start = tail;
}
EXPORT_SYMBOL_IF_KUNIT(subsec_pageblock_split);

/**
 * subsec_memmap_chunks() - split the memmap init of a range among workers
 * @g: layout
 * @pfn: first pfn of the range, sub-section aligned
 * @nr_pages: number of pages
 * @compound_pages: pfns per compound page, a power of two (1 without
 *	compound pages); compound pages are laid from @pfn
 * @min_pages: fewest pages worth a worker of their own (0: no floor)
 * @max_chunks: most chunks, at least 1
 * @chunks: room for @max_chunks chunks, filled in pfn order
 *
 * The unit of the split is a granule: the larger of a compound page and a
 * sub-section, counted from @pfn, so that no chunk boundary cuts a
 * compound page (its head initialises its tails) or a sub-section.  The
 * granules are shared out as evenly as they go, the first chunks taking
 * one more where they do not divide; the last chunk ends at the range's
 * end, which may cut its last granule short.  There are as many chunks as
 * granules, @max_chunks and @nr_pages / @min_pages allow, and at least
 * one.
 *
 * Context: Any context.
 * Return: the number of chunks; 0, with @chunks untouched, for an empty
 * or wrapping range, a @pfn off the sub-section grid, a @compound_pages
 * that is not a power of two, or no room (@max_chunks 0).
 */
unsigned int subsec_memmap_chunks(const struct subsec_geom *g,
				  unsigned long pfn, unsigned long nr_pages,
				  unsigned long compound_pages,
				  unsigned long min_pages,
				  unsigned int max_chunks,
				  struct subsec_chunk *chunks)
{
	unsigned long gran, granules, per, extra, n, i, end;

	if (!nr_pages || !max_chunks || !is_power_of_2(compound_pages) ||
	    !subsec_pfn_aligned(g, pfn) ||
	    check_add_overflow(pfn, nr_pages - 1, &end))
		return 0;
	gran = max(compound_pages, subsec_pages_per_subsection(g));
	granules = nr_pages / gran + !!(nr_pages % gran);
	n = min_t(unsigned long, granules, max_chunks);
	if (min_pages)
		n = clamp(nr_pages / min_pages, 1UL, n);
	per = granules / n;
	extra = granules % n;
	for (i = 0; i < n; i++) {
		unsigned long take = (per + (i < extra)) * gran;

		chunks[i].pfn = pfn;
		chunks[i].nr_pages = min(take, end - pfn + 1);
		pfn += chunks[i].nr_pages;
	}
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(subsec_memmap_chunks);

#if IS_ENABLED(CONFIG_KUNIT)
/* Only the KUnit suites call these: not built without them. */
static bool round_up_pow2(unsigned long pfn, unsigned long size,
			  unsigned long *res)
{
	unsigned long sum;

	if (check_add_overflow(pfn, size - 1, &sum))
		return false;
	*res = sum & ~(size - 1);
	return true;
}

/**
 * subsec_pfn_up() - round a pfn up to a sub-section boundary
 * @g: layout
 * @pfn: pfn to round
 * @res: where the rounded pfn is stored on success
 *
 * Context: Any context.
 * Return: false, leaving @res untouched, if the result does not fit in
 * an unsigned long; true otherwise.
 */
bool subsec_pfn_up(const struct subsec_geom *g, unsigned long pfn,
		   unsigned long *res)
{
	return round_up_pow2(pfn, subsec_pages_per_subsection(g), res);
}
EXPORT_SYMBOL_IF_KUNIT(subsec_pfn_up);
#endif

/**
 * subsec_range_check() - check a pfn range against the address space
 * @g: layout
 * @pfn: first pfn
 * @nr_pages: number of pages
 *
 * Context: Any context.
 * Return: 0, -EINVAL for an empty range, -EOVERFLOW if the end wraps,
 * -ERANGE if the range ends beyond the physical address space of @g.
 */
int subsec_range_check(const struct subsec_geom *g, unsigned long pfn,
		       unsigned long nr_pages)
{
	unsigned long end;

	if (!nr_pages)
		return -EINVAL;
	if (check_add_overflow(pfn, nr_pages, &end))
		return -EOVERFLOW;
	if (end > subsec_pfn_limit(g))
		return -ERANGE;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(subsec_range_check);

/**
 * subsec_range_check_aligned() - check a sub-section aligned pfn range
 * @g: layout
 * @pfn: first pfn
 * @nr_pages: number of pages
 *
 * Like subsec_range_check(), and in addition -EINVAL if @pfn or
 * @nr_pages is not a multiple of the sub-section size.
 *
 * Context: Any context.
 * Return: 0 or a negative errno as described.
 */
int subsec_range_check_aligned(const struct subsec_geom *g, unsigned long pfn,
			       unsigned long nr_pages)
{
	if (!nr_pages || !subsec_pfn_aligned(g, pfn | nr_pages))
		return -EINVAL;
	return subsec_range_check(g, pfn, nr_pages);
}
EXPORT_SYMBOL_IF_KUNIT(subsec_range_check_aligned);

/**
 * subsec_walk_init() - prepare to split a pfn range by sections
 * @w: cursor to initialise
 * @g: layout
 * @pfn: first pfn of the range; need not be aligned
 * @nr_pages: number of pages; need not be aligned
 *
 * Context: Any context.
 * Return: 0, or the error of subsec_range_check(); on error the cursor
 * yields no piece.
 */
int subsec_walk_init(struct subsec_walk *w, const struct subsec_geom *g,
		     unsigned long pfn, unsigned long nr_pages)
{
	int rc = subsec_range_check(g, pfn, nr_pages);

	w->geom = g;
	w->pfn = pfn;
	w->end = rc ? pfn : pfn + nr_pages;
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(subsec_walk_init);

/**
 * subsec_walk_next() - return the next per-section piece of a range
 * @w: cursor set up by subsec_walk_init()
 * @p: filled with the piece
 *
 * Context: Any context.
 * Return: true if @p holds a piece, false when the range is exhausted.
 */
bool subsec_walk_next(struct subsec_walk *w, struct subsec_piece *p)
{
	const struct subsec_geom *g = w->geom;
	unsigned long next;

	if (w->pfn >= w->end)
		return false;

	/* Cannot wrap: w->end is below the pfn limit, a section multiple. */
	next = min(subsec_section_pfn_down(g, w->pfn) +
		   subsec_pages_per_section(g), w->end);

	p->section_nr = subsec_pfn_to_section_nr(g, w->pfn);
	p->pfn = w->pfn;
	p->nr_pages = next - w->pfn;
	p->first = subsec_index(g, w->pfn);
	p->last = subsec_index(g, next - 1);
	w->pfn = next;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(subsec_walk_next);

/**
 * subsec_piece_mask() - set the sub-section bits a piece touches
 * @p: piece from subsec_walk_next(), or the piece of a subsec_span
 * @map: bitmap of its section
 *
 * Context: Any context.  Changes @map non-atomically: the caller
 * serialises updates to it.
 */
void subsec_piece_mask(const struct subsec_piece *p, unsigned long *map)
{
	bitmap_set(map, p->first, p->last - p->first + 1);
}
EXPORT_SYMBOL_IF_KUNIT(subsec_piece_mask);

/**
 * subsec_span_of() - check a sub-section range of one section, once
 * @g: layout
 * @pfn: first pfn, sub-section aligned
 * @nr_pages: number of pages, a sub-section multiple, within one section
 * @sp: filled with the checked range
 *
 * The one check at the boundary (sparse_add_section(), the suites):
 * subsec_activate(), subsec_deactivate() and the usage functions below
 * take the span this returns and do not check the range again.
 *
 * Context: Any context.
 * Return: 0; the error of subsec_range_check_aligned(); or -ERANGE if
 * the range does not lie in a single section.  On error @sp is not
 * written.
 */
int subsec_span_of(const struct subsec_geom *g, unsigned long pfn,
		   unsigned long nr_pages, struct subsec_span *sp)
{
	int rc = subsec_range_check_aligned(g, pfn, nr_pages);
	unsigned long nr = subsec_pfn_to_section_nr(g, pfn);

	if (rc)
		return rc;
	if (nr != subsec_pfn_to_section_nr(g, pfn + nr_pages - 1))
		return -ERANGE;
	sp->p.section_nr = nr;
	sp->p.pfn = pfn;
	sp->p.nr_pages = nr_pages;
	sp->p.first = subsec_index(g, pfn);
	sp->p.last = subsec_index(g, pfn + nr_pages - 1);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(subsec_span_of);

/**
 * subsec_usage_any() - is any sub-section of a span active?
 * @map: usage bitmap of the span's section
 * @sp: span from subsec_span_of()
 *
 * Context: Any context.
 * Return: true if at least one sub-section of the span is active.
 */
bool subsec_usage_any(const unsigned long *map, const struct subsec_span *sp)
{
	unsigned int first = sp->p.first, last = sp->p.last;

	return find_next_bit(map, last + 1, first) <= last;
}
EXPORT_SYMBOL_IF_KUNIT(subsec_usage_any);

#if IS_ENABLED(CONFIG_KUNIT)
/* Only the KUnit suites call it: not built without them. */
/**
 * subsec_usage_fill() - mark a span active
 * @map: usage bitmap of the span's section
 * @sp: span from subsec_span_of()
 *
 * Context: Any context.  Changes @map non-atomically: the caller
 * serialises updates to it.
 * Return: 0 on success; -EEXIST if any sub-section of the span is
 * already active, and then @map is unchanged.
 */
int subsec_usage_fill(unsigned long *map, const struct subsec_span *sp)
{
	if (subsec_usage_any(map, sp))
		return -EEXIST;
	subsec_piece_mask(&sp->p, map);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(subsec_usage_fill);
#endif

/**
 * subsec_usage_clear() - mark a span inactive
 * @map: usage bitmap of the span's section
 * @sp: span from subsec_span_of()
 *
 * Context: Any context.  Changes @map non-atomically: the caller
 * serialises updates to it.
 * Return: 0 on success; -ENOENT if any sub-section of the span is not
 * active (this includes removing a range twice), and then @map is
 * unchanged.
 */
int subsec_usage_clear(unsigned long *map, const struct subsec_span *sp)
{
	unsigned int first = sp->p.first, last = sp->p.last;

	if (find_next_zero_bit(map, last + 1, first) <= last)
		return -ENOENT;
	bitmap_clear(map, first, last - first + 1);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(subsec_usage_clear);

/**
 * subsec_usage_empty() - does a section have no active sub-section?
 * @g: layout
 * @map: usage bitmap of the section
 *
 * Context: Any context.
 * Return: true if no bit is set.
 */
bool subsec_usage_empty(const struct subsec_geom *g, const unsigned long *map)
{
	return bitmap_empty(map, subsec_per_section(g));
}
EXPORT_SYMBOL_IF_KUNIT(subsec_usage_empty);

/**
 * subsec_usage_mark_present() - mark boot memory in the usage bitmaps
 * @g: layout
 * @pfn: first present pfn; need not be aligned
 * @nr_pages: number of present pages; need not be aligned
 * @map_of: returns the usage bitmap of a section
 * @ctx: passed to @map_of
 *
 * Boot memory need not start or end on a sub-section boundary: every
 * sub-section holding at least one present page becomes active.  Marking
 * is idempotent, so ranges sharing a sub-section may be marked in any
 * order.
 *
 * Context: Any context in which @map_of may be called; takes no locks.
 * Changes the bitmaps non-atomically: the caller serialises updates (at
 * boot, sparse_init_subsection_map()).
 * Return: 0; the error of subsec_range_check(); or -ENOENT if a section
 * of the range has no bitmap, in which case no bitmap was changed.
 */
int subsec_usage_mark_present(const struct subsec_geom *g, unsigned long pfn,
			      unsigned long nr_pages, subsec_map_of_t map_of,
			      void *ctx)
{
	struct subsec_piece p;
	struct subsec_walk w;
	int rc;

	rc = subsec_walk_init(&w, g, pfn, nr_pages);
	if (rc)
		return rc;
	while (subsec_walk_next(&w, &p))
		if (!map_of(ctx, p.section_nr))
			return -ENOENT;

	subsec_walk_init(&w, g, pfn, nr_pages);
	while (subsec_walk_next(&w, &p))
		subsec_piece_mask(&p, map_of(ctx, p.section_nr));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(subsec_usage_mark_present);
