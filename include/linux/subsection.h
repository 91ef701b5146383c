/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sub-section memory hotplug: geometry, pfn range walks and per-section
 * usage bitmaps.
 *
 * Everything here is pure computation over a &struct subsec_geom, so the
 * same code runs for the running kernel's layout and, under KUnit, for
 * the layouts of other architectures.  A section is 2^section_shift bytes
 * of physical address space; it is split into sub-sections of
 * 2^subsection_shift bytes, each of which is either active or not.
 *
 * Nothing here knows the running kernel: its layout is subsec_native
 * (<linux/subsection_native.h>), and what joins the core to mm/ is
 * declared in mm/subsection_glue.h.
 */
#ifndef _LINUX_SUBSECTION_H
#define _LINUX_SUBSECTION_H

#include <linux/bitmap.h>
#include <linux/types.h>

/*
 * Largest number of sub-sections per section a layout may have: one-page
 * sub-sections of 128 MiB sections with 4 KiB pages (x86_64, arm64 4K).
 * A bitmap of this size is 4 KiB: allocate it, never put it on a stack.
 */
#define SUBSEC_MAX_PER_SECTION	32768

/**
 * struct subsec_geom - memory section layout of one architecture
 * @name: human readable name, for test output
 * @page_shift: log2 of the page size in bytes
 * @section_shift: log2 of the section size in bytes (SECTION_SIZE_BITS)
 * @subsection_shift: log2 of the sub-section size in bytes
 * @phys_bits: log2 of the size of the physical address space
 * @page_struct_size: sizeof(struct page) in bytes
 */
struct subsec_geom {
	const char *name;
	unsigned int page_shift;
	unsigned int section_shift;
	unsigned int subsection_shift;
	unsigned int phys_bits;
	unsigned int page_struct_size;
};

/**
 * struct subsec_piece - the part of a pfn range that lies in one section
 * @section_nr: number of the section
 * @pfn: first pfn of the piece
 * @nr_pages: number of pages of the piece, never zero
 * @first: index of the first sub-section the piece touches
 * @last: index of the last sub-section the piece touches (inclusive)
 */
struct subsec_piece {
	unsigned long section_nr;
	unsigned long pfn;
	unsigned long nr_pages;
	unsigned int first;
	unsigned int last;
};

/**
 * struct subsec_span - a checked sub-section range within one section
 * @p: the range as a piece of its section: sub-section aligned, so
 *	@p.first to @p.last are exactly the sub-sections it covers
 *
 * Only subsec_span_of() makes one, after checking the range once; the
 * functions that take a span rely on that check and do not repeat it.
 * A span belongs to the layout it was checked against.
 */
struct subsec_span {
	struct subsec_piece p;
};

/**
 * struct subsec_chunk - the part of a range one worker initialises
 * @pfn: first pfn
 * @nr_pages: number of pages
 */
struct subsec_chunk {
	unsigned long pfn;
	unsigned long nr_pages;
};

/**
 * struct subsec_walk - cursor splitting a pfn range into &subsec_piece
 * @geom: layout the range is split by
 * @pfn: first pfn not yet returned
 * @end: first pfn after the range
 */
struct subsec_walk {
	const struct subsec_geom *geom;
	unsigned long pfn;
	unsigned long end;
};

static inline unsigned int subsec_pfn_section_shift(const struct subsec_geom *g)
{
	return g->section_shift - g->page_shift;
}

static inline unsigned int subsec_pfn_subsection_shift(const struct subsec_geom *g)
{
	return g->subsection_shift - g->page_shift;
}

static inline unsigned long subsec_pages_per_section(const struct subsec_geom *g)
{
	return 1UL << subsec_pfn_section_shift(g);
}

static inline unsigned long subsec_pages_per_subsection(const struct subsec_geom *g)
{
	return 1UL << subsec_pfn_subsection_shift(g);
}

static inline unsigned int subsec_per_section(const struct subsec_geom *g)
{
	return 1U << (g->section_shift - g->subsection_shift);
}

/* First pfn beyond the physical address space of @g. */
static inline unsigned long subsec_pfn_limit(const struct subsec_geom *g)
{
	return 1UL << (g->phys_bits - g->page_shift);
}

static inline unsigned long subsec_pfn_to_section_nr(const struct subsec_geom *g,
						     unsigned long pfn)
{
	return pfn >> subsec_pfn_section_shift(g);
}

static inline unsigned long subsec_section_nr_to_pfn(const struct subsec_geom *g,
						     unsigned long nr)
{
	return nr << subsec_pfn_section_shift(g);
}

/* Index of the sub-section holding @pfn within its section. */
static inline unsigned int subsec_index(const struct subsec_geom *g,
					unsigned long pfn)
{
	return (pfn & (subsec_pages_per_section(g) - 1)) >>
	       subsec_pfn_subsection_shift(g);
}

static inline unsigned long subsec_pfn_down(const struct subsec_geom *g,
					    unsigned long pfn)
{
	return pfn & ~(subsec_pages_per_subsection(g) - 1);
}

static inline unsigned long subsec_section_pfn_down(const struct subsec_geom *g,
						    unsigned long pfn)
{
	return pfn & ~(subsec_pages_per_section(g) - 1);
}

static inline bool subsec_pfn_aligned(const struct subsec_geom *g,
				      unsigned long pfn)
{
	return !(pfn & (subsec_pages_per_subsection(g) - 1));
}

static inline bool subsec_section_pfn_aligned(const struct subsec_geom *g,
					      unsigned long pfn)
{
	return !(pfn & (subsec_pages_per_section(g) - 1));
}

int subsec_geom_check(const struct subsec_geom *g);
unsigned int subsec_shift_allowed(unsigned int want, unsigned int page_shift,
				  unsigned int map_shift,
				  unsigned int kasan_shift,
				  unsigned int arch_shift);
bool subsec_pageblock_spill(unsigned long block, unsigned long end,
			    unsigned long block_pages,
			    unsigned long *spill_last);
void subsec_pageblock_split(unsigned long pfn, unsigned long end,
			    unsigned long block_pages,
			    unsigned long *head_end,
			    unsigned long *tail_start);
unsigned int subsec_memmap_chunks(const struct subsec_geom *g,
				  unsigned long pfn, unsigned long nr_pages,
				  unsigned long compound_pages,
				  unsigned long min_pages,
				  unsigned int max_chunks,
				  struct subsec_chunk *chunks);
bool subsec_pfn_up(const struct subsec_geom *g, unsigned long pfn,
		   unsigned long *res);
int subsec_range_check(const struct subsec_geom *g, unsigned long pfn,
		       unsigned long nr_pages);
int subsec_range_check_aligned(const struct subsec_geom *g, unsigned long pfn,
			       unsigned long nr_pages);

int subsec_span_of(const struct subsec_geom *g, unsigned long pfn,
		   unsigned long nr_pages, struct subsec_span *sp);

int subsec_walk_init(struct subsec_walk *w, const struct subsec_geom *g,
		     unsigned long pfn, unsigned long nr_pages);
bool subsec_walk_next(struct subsec_walk *w, struct subsec_piece *p);

void subsec_piece_mask(const struct subsec_piece *p, unsigned long *map);

bool subsec_usage_any(const unsigned long *map, const struct subsec_span *sp);
int subsec_usage_fill(unsigned long *map, const struct subsec_span *sp);
int subsec_usage_clear(unsigned long *map, const struct subsec_span *sp);
bool subsec_usage_empty(const struct subsec_geom *g, const unsigned long *map);

/**
 * subsec_usage_test() - is the sub-section holding a pfn active?
 * @g: layout
 * @map: usage bitmap of the section holding @pfn
 * @pfn: pfn to test
 *
 * Inline: with a constant @g (the running kernel's layout) this is as
 * cheap as a test_bit() on a hand-written index, for pfn_valid().
 *
 * Context: Any context; @map must stay allocated across the call
 * (pfn_valid() holds rcu_read_lock_sched() for that).
 * Return: true if the sub-section is active.
 */
static inline bool subsec_usage_test(const struct subsec_geom *g,
				     const unsigned long *map,
				     unsigned long pfn)
{
	return test_bit(subsec_index(g, pfn), map);
}

/*
 * Callback of subsec_usage_mark_present(): the usage bitmap of section
 * @section_nr, or NULL if the section has none.
 */
typedef unsigned long *(*subsec_map_of_t)(void *ctx, unsigned long section_nr);

int subsec_usage_mark_present(const struct subsec_geom *g, unsigned long pfn,
			      unsigned long nr_pages, subsec_map_of_t map_of,
			      void *ctx);

/**
 * struct subsec_vmemmap - a range of memmap (vmemmap) pages
 * @start: index of the first page, counted from the page holding the
 *	&struct page of pfn 0
 * @end: index of the first page after the range; @start == @end is empty
 */
struct subsec_vmemmap {
	unsigned long start;
	unsigned long end;
};

/*
 * Callback: is the memmap of the sub-section holding @pfn in use (the
 * sub-section is active, or its section's memmap came from boot)?
 */
typedef bool (*subsec_in_use_t)(void *ctx, unsigned long pfn);

void subsec_memmap_span(const struct subsec_geom *g, unsigned long pfn,
			unsigned long nr_pages, struct subsec_vmemmap *r);
void subsec_memmap_exclusive(const struct subsec_geom *g, unsigned long pfn,
			     unsigned long nr_pages, subsec_in_use_t in_use,
			     void *ctx, struct subsec_vmemmap *r);
void subsec_memmap_whole(const struct subsec_geom *g, unsigned long pfn,
			 unsigned long nr_pages, const struct subsec_vmemmap *r,
			 struct subsec_vmemmap *whole);

/**
 * struct subsec_ops - what activation needs from the world around it
 * @usage: the usage bitmap of a section, or NULL if it has none
 * @usage_alloc: give a section an empty usage bitmap; 0 or -errno
 * @usage_free: the section has no active sub-section left: drop its
 *	bitmap and end its boot (early) state
 * @early: is the section's memmap the fully populated one from boot?
 * @populate: make the memmap of [pfn, pfn + nr_pages) usable; the pages
 *	in @r are not populated yet and must be; others already are.
 *	0, or -errno having populated nothing
 * @depopulate: free the memmap pages in @r, which nothing uses any more
 */
struct subsec_ops {
	unsigned long *(*usage)(void *ctx, unsigned long section_nr);
	int (*usage_alloc)(void *ctx, unsigned long section_nr);
	void (*usage_free)(void *ctx, unsigned long section_nr);
	bool (*early)(void *ctx, unsigned long section_nr);
	int (*populate)(void *ctx, unsigned long pfn, unsigned long nr_pages,
			const struct subsec_vmemmap *r);
	void (*depopulate)(void *ctx, unsigned long pfn, unsigned long nr_pages,
			   const struct subsec_vmemmap *r);
};

/**
 * struct subsec_space - one physical address space being hot-plugged
 * @geom: its layout
 * @ops: how to reach its sections and memmap
 * @ctx: passed to every op
 */
struct subsec_space {
	const struct subsec_geom *geom;
	const struct subsec_ops *ops;
	void *ctx;
};

int subsec_activate(const struct subsec_space *s,
		    const struct subsec_span *sp);
int subsec_deactivate(const struct subsec_space *s,
		      const struct subsec_span *sp);

#endif /* _LINUX_SUBSECTION_H */
