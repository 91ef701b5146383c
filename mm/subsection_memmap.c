// SPDX-License-Identifier: GPL-2.0
/*
 * Sub-section memory hotplug: which memmap pages a sub-section range
 * needs, and activation / deactivation of a range in its section.
 *
 * The memmap is one virtual array of struct page indexed by pfn, backed
 * page by page.  A sub-section's struct pages need not fill whole pages
 * (2 MiB of 64 KiB pages is 2 KiB of memmap), so one memmap page may hold
 * the struct pages of several sub-sections, even of several sections
 * (16 MiB sections with 64 KiB pages).  The rules:
 *
 *  - A memmap page is populated while at least one sub-section whose
 *    struct pages touch it is in use, and freed when the last one goes.
 *    Only the first and the last page of a range can be shared, so the
 *    pages a range owns alone are its span minus each edge page that an
 *    in-use neighbour touches (subsec_memmap_exclusive()).
 *  - A section present at boot ("early") has its whole memmap from boot.
 *    Adding or removing a range inside it neither populates nor frees
 *    anything; when its last sub-section goes, the boot memmap goes too,
 *    again minus the edge pages a neighbour still uses.
 *  - Activation populates before it marks the range active, so a reader
 *    that sees an active sub-section finds its memmap; deactivation
 *    clears the bits first and frees after.  A failed activation leaves
 *    everything as it was.
 */
#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/minmax.h>
#include <linux/subsection.h>
#include <kunit/visibility.h>

/**
 * subsec_memmap_span() - memmap pages a pfn range touches
 * @g: layout
 * @pfn: first pfn; the range must pass subsec_range_check()
 * @nr_pages: number of pages
 * @r: filled with the pages holding any struct page of the range
 *
 * Context: Any context.
 */
void subsec_memmap_span(const struct subsec_geom *g, unsigned long pfn,
			unsigned long nr_pages, struct subsec_vmemmap *r)
{
	unsigned long first = pfn * g->page_struct_size;
	unsigned long end = (pfn + nr_pages) * g->page_struct_size;

	r->start = first >> g->page_shift;
	r->end = (end + (1UL << g->page_shift) - 1) >> g->page_shift;
}
EXPORT_SYMBOL_IF_KUNIT(subsec_memmap_span);

/* Is any sub-section starting in [pfn, end) in use? */
static bool any_in_use(const struct subsec_geom *g, unsigned long pfn,
		       unsigned long end, subsec_in_use_t in_use, void *ctx)
{
	end = min(end, subsec_pfn_limit(g));
	for (pfn = subsec_pfn_down(g, pfn); pfn < end;
	     pfn += subsec_pages_per_subsection(g))
		if (in_use(ctx, pfn))
			return true;
	return false;
}

/**
 * subsec_memmap_exclusive() - memmap pages only a range uses
 * @g: layout
 * @pfn: first pfn, sub-section aligned
 * @nr_pages: number of pages, a sub-section multiple
 * @in_use: tells whether the memmap of a sub-section outside the range
 *	is in use
 * @ctx: passed to @in_use
 * @r: filled with the pages of the range's span that no sub-section
 *	outside the range uses: the pages to populate before activating
 *	the range, or to free after deactivating it
 *
 * Context: Any context in which @in_use may be called; takes no locks.
 */
void subsec_memmap_exclusive(const struct subsec_geom *g, unsigned long pfn,
			     unsigned long nr_pages, subsec_in_use_t in_use,
			     void *ctx, struct subsec_vmemmap *r)
{
	unsigned long sps = g->page_struct_size;
	unsigned long lo, hi;

	subsec_memmap_span(g, pfn, nr_pages, r);

	/* First pfn whose struct page reaches into the first page. */
	lo = (r->start << g->page_shift) / sps;
	if (lo < pfn && any_in_use(g, lo, pfn, in_use, ctx))
		r->start++;

	/* One past the last pfn whose struct page reaches into the last. */
	hi = ((r->end << g->page_shift) - 1) / sps + 1;
	if (r->start < r->end && hi > pfn + nr_pages &&
	    any_in_use(g, pfn + nr_pages, hi, in_use, ctx))
		r->end--;

	if (r->end < r->start)
		r->end = r->start;
}
EXPORT_SYMBOL_IF_KUNIT(subsec_memmap_exclusive);

/**
 * subsec_memmap_whole() - the pages of @r that hold only the range's own
 *	struct pages
 * @g: layout
 * @pfn: first pfn of the range
 * @nr_pages: number of pages of the range
 * @r: memmap pages of the range, e.g. from subsec_memmap_exclusive()
 * @whole: filled with the part of @r whose pages the range's struct pages
 *	fill completely; when there is none, the empty range at @r->end
 *
 * Only those pages may come from the device's own memory (an altmap): a
 * page the range fills only partly may later hold a neighbour's struct
 * pages and outlive the range, so it must come from RAM, or removing the
 * device, or its altmap handing out its first page again, would pull a
 * page from under the neighbour.  With 64 KiB pages every 2 MiB
 * sub-section is such a partial page.
 *
 * Context: Any context.
 */
void subsec_memmap_whole(const struct subsec_geom *g, unsigned long pfn,
			 unsigned long nr_pages, const struct subsec_vmemmap *r,
			 struct subsec_vmemmap *whole)
{
	unsigned long psz = 1UL << g->page_shift;
	unsigned long first = pfn * g->page_struct_size;
	unsigned long end = (pfn + nr_pages) * g->page_struct_size;

	whole->start = max((first + psz - 1) >> g->page_shift, r->start);
	whole->end = min(end >> g->page_shift, r->end);
	if (whole->start >= whole->end) {
		whole->start = r->end;
		whole->end = r->end;
	}
}
EXPORT_SYMBOL_IF_KUNIT(subsec_memmap_whole);

static bool space_in_use(void *ctx, unsigned long pfn)
{
	const struct subsec_space *s = ctx;
	unsigned long nr = subsec_pfn_to_section_nr(s->geom, pfn);
	unsigned long *map;

	if (s->ops->early(s->ctx, nr))
		return true;
	map = s->ops->usage(s->ctx, nr);
	return map && subsec_usage_test(s->geom, map, pfn);
}

/**
 * subsec_activate() - hot-add a sub-section range of one section
 * @s: the address space
 * @sp: the range, checked by subsec_span_of() against @s->geom
 *
 * Gives the section a usage bitmap if it has none, populates the memmap
 * pages only this range needs (none in a section whose memmap came from
 * boot), then marks the range active.
 *
 * Context: Whatever @s->ops require; takes no lock itself, so the caller
 * serialises every change to @s.  Under sparse_add_section(): process
 * context, may sleep, mem_hotplug_lock held for write.
 * Return: 0 on success; -EEXIST if part of the range is active already;
 * the error of @s->ops->usage_alloc or @s->ops->populate.  On error
 * nothing changed.
 */
int subsec_activate(const struct subsec_space *s,
		    const struct subsec_span *sp)
{
	const struct subsec_geom *g = s->geom;
	const struct subsec_ops *ops = s->ops;
	const unsigned long pfn = sp->p.pfn, nr_pages = sp->p.nr_pages;
	const unsigned long nr = sp->p.section_nr;
	struct subsec_vmemmap r;
	unsigned long *map;
	bool fresh = false;
	int rc;

	map = ops->usage(s->ctx, nr);
	if (!map) {
		rc = ops->usage_alloc(s->ctx, nr);
		if (rc)
			return rc;
		map = ops->usage(s->ctx, nr);
		fresh = true;
	}

	if (subsec_usage_any(map, sp)) {
		rc = -EEXIST;
		goto undo;
	}

	if (!ops->early(s->ctx, nr)) {
		subsec_memmap_exclusive(g, pfn, nr_pages, space_in_use,
					(void *)s, &r);
		rc = ops->populate(s->ctx, pfn, nr_pages, &r);
		if (rc)
			goto undo;
	}

	/* A span is aligned and in one section; none of it is active. */
	subsec_piece_mask(&sp->p, map);
	return 0;

undo:
	if (fresh)
		ops->usage_free(s->ctx, nr);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(subsec_activate);

/**
 * subsec_deactivate() - hot-remove a sub-section range of one section
 * @s: the address space
 * @sp: the range, checked by subsec_span_of() against @s->geom
 *
 * Marks the range inactive, drops the section's bitmap when it was the
 * last active range, then frees the memmap pages nothing uses any more.
 * The memmap of a boot section is freed only with its last sub-section.
 *
 * Context: Whatever @s->ops require; takes no lock itself, so the caller
 * serialises every change to @s.  Under sparse_remove_section(): process
 * context, may sleep, mem_hotplug_lock held for write; a usage bitmap
 * dropped is freed after an RCU grace period.
 * Return: 0 on success; -ENOENT if any part of the range is not active.
 * On error nothing changed.
 */
int subsec_deactivate(const struct subsec_space *s,
		      const struct subsec_span *sp)
{
	const struct subsec_geom *g = s->geom;
	const struct subsec_ops *ops = s->ops;
	unsigned long pfn = sp->p.pfn, nr_pages = sp->p.nr_pages;
	const unsigned long nr = sp->p.section_nr;
	struct subsec_vmemmap r;
	unsigned long *map;
	bool early, empty;
	int rc;

	map = ops->usage(s->ctx, nr);
	if (!map)
		return -ENOENT;
	rc = subsec_usage_clear(map, sp);
	if (rc)
		return rc;

	early = ops->early(s->ctx, nr);
	empty = subsec_usage_empty(g, map);
	if (empty)
		ops->usage_free(s->ctx, nr);

	if (early && !empty)
		return 0;
	if (early) {
		/* The whole boot memmap of the section goes. */
		pfn = subsec_section_nr_to_pfn(g, nr);
		nr_pages = subsec_pages_per_section(g);
	}
	subsec_memmap_exclusive(g, pfn, nr_pages, space_in_use, (void *)s, &r);
	if (r.start < r.end)
		ops->depopulate(s->ctx, pfn, nr_pages, &r);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(subsec_deactivate);
