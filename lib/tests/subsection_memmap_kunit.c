// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "subsection_memmap": partial memmap population.
 *
 * subsec_activate() and subsec_deactivate() run against a fake world of
 * FAKE_NSEC sections and their memmap pages.  The fake records every
 * populate and free and flags protocol violations (a page populated
 * twice, freed while unpopulated, needed but missing).  After every step
 * the test recomputes, from its own record of what is active, how many
 * active sub-sections touch each memmap page, and requires that exactly
 * the pages with a non-zero count are populated and that no bitmap or
 * page is leaked.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/minmax.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/subsection.h>

#include "subsection_kunit_geoms.h"

#define FAKE_NSEC	4
#define FAKE_FIRST	4	/* section number of the first fake section */

struct fake_world {
	struct kunit *test;
	const struct geom_case *c;
	struct subsec_space space;
	unsigned long *maps[FAKE_NSEC];
	bool early[FAKE_NSEC];
	unsigned long vm_base;		/* first memmap page tracked */
	unsigned long vm_pages;		/* number of memmap pages tracked */
	bool *populated;
	int *count;			/* scratch for the reference */
	long live_maps, live_pages;
	int allocs;			/* allocation attempts so far */
	int fail_at;			/* attempt number that fails, or -1 */
	int errors;			/* protocol violations */
	int populate_calls, depopulate_calls;
	/* Reference: what the test believes is active. */
	unsigned long ref[FAKE_NSEC][BITS_TO_LONGS(SUBSEC_MAX_PER_SECTION)];
	bool ref_early[FAKE_NSEC];
};

static struct fake_world *world_of(void *ctx)
{
	return ctx;
}

static long sec_idx(unsigned long nr)
{
	return (long)nr - FAKE_FIRST;
}

static bool idx_ok(long i)
{
	return i >= 0 && i < FAKE_NSEC;
}

static unsigned long *fake_usage(void *ctx, unsigned long nr)
{
	struct fake_world *w = world_of(ctx);
	long i = sec_idx(nr);

	return idx_ok(i) ? w->maps[i] : NULL;
}

static int fake_usage_alloc(void *ctx, unsigned long nr)
{
	struct fake_world *w = world_of(ctx);
	long i = sec_idx(nr);

	if (!idx_ok(i) || w->maps[i]) {
		w->errors++;
		return -EINVAL;
	}
	if (w->allocs++ == w->fail_at)
		return -ENOMEM;
	w->maps[i] = bitmap_zalloc(SUBSEC_MAX_PER_SECTION, GFP_KERNEL);
	if (!w->maps[i])
		return -ENOMEM;
	w->live_maps++;
	return 0;
}

static void fake_usage_free(void *ctx, unsigned long nr)
{
	struct fake_world *w = world_of(ctx);
	long i = sec_idx(nr);

	if (!idx_ok(i) || !w->maps[i] ||
	    !bitmap_empty(w->maps[i], w->c->nsub)) {
		w->errors++;
		return;
	}
	bitmap_free(w->maps[i]);
	w->maps[i] = NULL;
	w->early[i] = false;
	w->live_maps--;
}

static bool fake_early(void *ctx, unsigned long nr)
{
	struct fake_world *w = world_of(ctx);
	long i = sec_idx(nr);

	return idx_ok(i) && w->early[i];
}

static bool vm_ok(struct fake_world *w, unsigned long page)
{
	return page >= w->vm_base && page < w->vm_base + w->vm_pages;
}

static int fake_populate(void *ctx, unsigned long pfn, unsigned long nr_pages,
			 const struct subsec_vmemmap *r)
{
	struct fake_world *w = world_of(ctx);
	struct subsec_vmemmap span;
	unsigned long p;

	w->populate_calls++;
	if (w->allocs++ == w->fail_at)
		return -ENOMEM;
	for (p = r->start; p < r->end; p++) {
		if (!vm_ok(w, p) || w->populated[p - w->vm_base]) {
			w->errors++;
			continue;
		}
		w->populated[p - w->vm_base] = true;
		w->live_pages++;
	}
	/* Every page the range needs is there now. */
	subsec_memmap_span(&w->c->g, pfn, nr_pages, &span);
	for (p = span.start; p < span.end; p++)
		if (!vm_ok(w, p) || !w->populated[p - w->vm_base])
			w->errors++;
	return 0;
}

static void fake_depopulate(void *ctx, unsigned long pfn,
			    unsigned long nr_pages,
			    const struct subsec_vmemmap *r)
{
	struct fake_world *w = world_of(ctx);
	unsigned long p;

	w->depopulate_calls++;
	for (p = r->start; p < r->end; p++) {
		if (!vm_ok(w, p) || !w->populated[p - w->vm_base]) {
			w->errors++;
			continue;
		}
		w->populated[p - w->vm_base] = false;
		w->live_pages--;
	}
}

static const struct subsec_ops fake_ops = {
	.usage = fake_usage,
	.usage_alloc = fake_usage_alloc,
	.usage_free = fake_usage_free,
	.early = fake_early,
	.populate = fake_populate,
	.depopulate = fake_depopulate,
};

/*
 * What sparse_add_section() and sparse_remove_section() run: the one
 * check of the range at the boundary, then the step that relies on it.
 */
static int activate_at_pfn(const struct subsec_space *s, unsigned long pfn,
			   unsigned long nr)
{
	struct subsec_span sp;
	int rc = subsec_span_of(s->geom, pfn, nr, &sp);

	return rc ?: subsec_activate(s, &sp);
}

static int deactivate_at_pfn(const struct subsec_space *s, unsigned long pfn,
			     unsigned long nr)
{
	struct subsec_span sp;
	int rc = subsec_span_of(s->geom, pfn, nr, &sp);

	return rc ?: subsec_deactivate(s, &sp);
}

static unsigned long w_pfn(struct fake_world *w, unsigned int i, unsigned int k)
{
	return (FAKE_FIRST + i) * w->c->pages_per_section +
	       k * w->c->pages_per_subsection;
}

/* Memmap page range of sub-section k of fake section i, by byte math. */
static void ref_pages(struct fake_world *w, unsigned int i, unsigned int k,
		      unsigned long *lo, unsigned long *hi)
{
	unsigned long psize = 1UL << w->c->g.page_shift;
	unsigned long a = w_pfn(w, i, k) * w->c->g.page_struct_size;
	unsigned long b = a + w->c->pages_per_subsection *
			  w->c->g.page_struct_size;

	*lo = a / psize;
	*hi = (b - 1) / psize;	/* inclusive */
}

static void world_exit(void *data)
{
	struct fake_world *w = data;
	int i;

	for (i = 0; i < FAKE_NSEC; i++)
		bitmap_free(w->maps[i]);
}

static struct fake_world *world_new(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	struct fake_world *w;
	unsigned long lo, hi, dummy;

	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	w->test = test;
	w->c = c;
	w->fail_at = -1;
	w->space.geom = &c->g;
	w->space.ops = &fake_ops;
	w->space.ctx = w;
	ref_pages(w, 0, 0, &lo, &dummy);
	ref_pages(w, FAKE_NSEC - 1, c->nsub - 1, &dummy, &hi);
	w->vm_base = lo;
	w->vm_pages = hi - lo + 1;
	w->populated = kunit_kcalloc(test, w->vm_pages, sizeof(bool),
				     GFP_KERNEL);
	w->count = kunit_kcalloc(test, w->vm_pages, sizeof(int), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w->populated);
	KUNIT_ASSERT_NOT_NULL(test, w->count);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, world_exit, w), 0);
	return w;
}

/*
 * Section i was present at boot with [first, last] of its sub-sections
 * holding memory: its bitmap and its whole memmap exist already.
 */
static void world_boot(struct fake_world *w, unsigned int i,
		       unsigned int first, unsigned int last)
{
	unsigned long lo, hi, dummy, p;

	w->maps[i] = bitmap_zalloc(SUBSEC_MAX_PER_SECTION, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(w->test, w->maps[i]);
	w->live_maps++;
	w->early[i] = true;
	w->ref_early[i] = true;
	bitmap_set(w->maps[i], first, last - first + 1);
	bitmap_set(w->ref[i], first, last - first + 1);
	ref_pages(w, i, 0, &lo, &dummy);
	ref_pages(w, i, w->c->nsub - 1, &dummy, &hi);
	for (p = lo; p <= hi; p++) {
		if (!w->populated[p - w->vm_base])
			w->live_pages++;
		w->populated[p - w->vm_base] = true;
	}
}

/* Count the memmap pages sub-section k of section i touches as used. */
static void ref_count(struct fake_world *w, unsigned int i, unsigned int k)
{
	unsigned long lo, hi, p;

	ref_pages(w, i, k, &lo, &hi);
	for (p = lo; p <= hi; p++)
		w->count[p - w->vm_base]++;
}

/* The invariants, from the test's own reference. */
static void world_check(struct fake_world *w, const char *step)
{
	struct kunit *test = w->test;
	unsigned int i, k, nsub = w->c->nsub;
	long maps = 0, pages = 0;
	unsigned long p;

	memset(w->count, 0, w->vm_pages * sizeof(int));
	for (i = 0; i < FAKE_NSEC; i++) {
		bool any = !bitmap_empty(w->ref[i], nsub);

		if (w->maps[i] && !bitmap_equal(w->maps[i], w->ref[i], nsub)) {
			for (k = 0; k < nsub; k++)
				KUNIT_ASSERT_EQ_MSG(test, test_bit(k, w->maps[i]),
						    test_bit(k, w->ref[i]),
						    "%s: section %u bit %u",
						    step, i, k);
		}
		if (w->ref_early[i]) {
			for (k = 0; k < nsub; k++)
				ref_count(w, i, k);
		} else {
			for_each_set_bit(k, w->ref[i], nsub)
				ref_count(w, i, k);
		}
		KUNIT_ASSERT_EQ_MSG(test, w->early[i], w->ref_early[i],
				    "%s: section %u early", step, i);
		/* A bitmap exists exactly while something is active. */
		KUNIT_ASSERT_EQ_MSG(test, !!w->maps[i], any,
				    "%s: section %u bitmap", step, i);
		maps += !!w->maps[i];
	}
	for (p = 0; p < w->vm_pages; p++) {
		KUNIT_ASSERT_EQ_MSG(test, w->populated[p], w->count[p] > 0,
				    "%s: memmap page %lu used by %d",
				    step, p + w->vm_base, w->count[p]);
		pages += w->populated[p];
	}
	KUNIT_ASSERT_EQ_MSG(test, w->live_maps, maps, "%s: bitmaps", step);
	KUNIT_ASSERT_EQ_MSG(test, w->live_pages, pages, "%s: pages", step);
	KUNIT_ASSERT_EQ_MSG(test, w->errors, 0, "%s: fake saw misuse", step);
}

/* Expected result of adding / removing n sub-sections from k in i. */
static int ref_rc(struct fake_world *w, unsigned int i, unsigned int k,
		  unsigned int n, bool add)
{
	unsigned int j;

	for (j = k; j < k + n; j++) {
		if (add && test_bit(j, w->ref[i]))
			return -EEXIST;
		if (!add && !test_bit(j, w->ref[i]))
			return -ENOENT;
	}
	return 0;
}

/* Record a successful add / remove in the reference. */
static void ref_apply(struct fake_world *w, unsigned int i, unsigned int k,
		      unsigned int n, bool add)
{
	if (add)
		bitmap_set(w->ref[i], k, n);
	else
		bitmap_clear(w->ref[i], k, n);
	if (bitmap_empty(w->ref[i], w->c->nsub))
		w->ref_early[i] = false;
}

static int w_op(struct fake_world *w, unsigned int i, unsigned int k,
		unsigned int n, bool add)
{
	unsigned long pfn = w_pfn(w, i, k);
	unsigned long nr = n * w->c->pages_per_subsection;
	int want = ref_rc(w, i, k, n, add);
	int rc;

	rc = add ? activate_at_pfn(&w->space, pfn, nr) :
		   deactivate_at_pfn(&w->space, pfn, nr);
	KUNIT_EXPECT_EQ_MSG(w->test, rc, want, "%s section %u [%u, +%u)",
			    add ? "add" : "remove", i, k, n);
	if (!rc)
		ref_apply(w, i, k, n, add);
	return rc;
}

static void w_add(struct fake_world *w, unsigned int i, unsigned int k,
		  unsigned int n)
{
	w_op(w, i, k, n, true);
	world_check(w, "add");
}

static void w_remove(struct fake_world *w, unsigned int i, unsigned int k,
		     unsigned int n)
{
	w_op(w, i, k, n, false);
	world_check(w, "remove");
}

static void world_expect_empty(struct fake_world *w)
{
	KUNIT_EXPECT_EQ(w->test, w->live_maps, 0);
	KUNIT_EXPECT_EQ(w->test, w->live_pages, 0);
}

/*
 * Hand-computed memmap spans: the pages [start, end) holding any struct
 * page of the range, and the part [whole_start, whole_end) of them the
 * range's struct pages fill completely (empty: both at end).
 */
struct span_case {
	const char *name;
	int geom;
	unsigned long pfn, nr_pages;
	unsigned long start, end;
	unsigned long whole_start, whole_end;
};

static const struct span_case span_cases[] = {
	/* 512 pages x 64 B = 32 KiB = memmap pages 0..7 */
	{ .name = "x86_64-first-subsection", .geom = GEOM_X86_64, .pfn = 0,
	  .nr_pages = 512, .start = 0, .end = 8, .whole_start = 0,
	  .whole_end = 8 },
	/* section 1 starts at byte 2 MiB of the memmap: page 512 */
	{ .name = "x86_64-section-1", .geom = GEOM_X86_64, .pfn = 32768,
	  .nr_pages = 512, .start = 512, .end = 520, .whole_start = 512,
	  .whole_end = 520 },
	/* 32 pages x 64 B = 2 KiB: 32 sub-sections share each 64 KiB page */
	{ .name = "arm64-64K-subsection-31", .geom = GEOM_ARM64_64K,
	  .pfn = 31 * 32, .nr_pages = 32, .start = 0, .end = 1,
	  .whole_start = 1, .whole_end = 1 },
	{ .name = "arm64-64K-subsection-32", .geom = GEOM_ARM64_64K,
	  .pfn = 32 * 32, .nr_pages = 32, .start = 1, .end = 2,
	  .whole_start = 2, .whole_end = 2 },
	/* section 1: byte 8192 x 64 = 512 KiB, page 8 */
	{ .name = "arm64-64K-section-1", .geom = GEOM_ARM64_64K, .pfn = 8192,
	  .nr_pages = 8192, .start = 8, .end = 16, .whole_start = 8,
	  .whole_end = 16 },
	/* bytes [98304, 360448): pages 1.5 .. 5.5, whole pages 2, 3, 4 */
	{ .name = "arm64-64K-both-ends-partial", .geom = GEOM_ARM64_64K,
	  .pfn = 1536, .nr_pages = 4096, .start = 1, .end = 6, .whole_start = 2,
	  .whole_end = 5 },
	/* 16 MiB at 2 MiB: bytes [8192, 73728) of 16 KiB pages 0 .. 4 */
	{ .name = "arm64-16K-16M-at-2M", .geom = GEOM_ARM64_16K, .pfn = 128,
	  .nr_pages = 1024, .start = 0, .end = 5, .whole_start = 1,
	  .whole_end = 4 },
	/* 16 MiB sections: 16 KiB of memmap, four sections per page */
	{ .name = "ppc64-section-3", .geom = GEOM_PPC64, .pfn = 768,
	  .nr_pages = 256, .start = 0, .end = 1, .whole_start = 1,
	  .whole_end = 1 },
	{ .name = "ppc64-section-4", .geom = GEOM_PPC64, .pfn = 1024,
	  .nr_pages = 256, .start = 1, .end = 2, .whole_start = 2,
	  .whole_end = 2 },
	/* 128 pages x 72 B = 9216 B: bytes [9216, 18432) on pages 0 and 1 */
	{ .name = "page72-subsection-1", .geom = GEOM_ARM64_16K_PAGE72,
	  .pfn = 128, .nr_pages = 128, .start = 0, .end = 2, .whole_start = 2,
	  .whole_end = 2 },
	{ .name = "page72-subsection-2", .geom = GEOM_ARM64_16K_PAGE72,
	  .pfn = 256, .nr_pages = 128, .start = 1, .end = 2, .whole_start = 2,
	  .whole_end = 2 },
	/* 512 pages x 32 B = 16 KiB = four 4 KiB pages */
	{ .name = "x86-32-subsection-3", .geom = GEOM_X86_32, .pfn = 3 * 512,
	  .nr_pages = 512, .start = 12, .end = 16, .whole_start = 12,
	  .whole_end = 16 },
};

static void span_desc(const struct span_case *s, char *desc)
{
	strscpy(desc, s->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(span, span_cases, span_desc);

static void memmap_span_hand_computed(struct kunit *test)
{
	const struct span_case *s = test->param_value;
	const struct subsec_geom *g = &geom_cases[s->geom].g;
	struct subsec_vmemmap r, whole;

	subsec_memmap_span(g, s->pfn, s->nr_pages, &r);
	KUNIT_EXPECT_EQ(test, r.start, s->start);
	KUNIT_EXPECT_EQ(test, r.end, s->end);

	subsec_memmap_whole(g, s->pfn, s->nr_pages, &r, &whole);
	KUNIT_EXPECT_EQ(test, whole.start, s->whole_start);
	KUNIT_EXPECT_EQ(test, whole.end, s->whole_end);
}

/*
 * The whole pages of a range are clipped to the pages it is given: drop
 * an edge page (a neighbour has it) on either side, or hand over a
 * single page, and the result stays inside, never past r->end.
 */
static void memmap_whole_clipped_to_given_pages(struct kunit *test)
{
	const struct subsec_geom *g = &geom_cases[GEOM_ARM64_64K].g;
	/* Pages 1..5 of "arm64-64K-both-ends-partial", whole 2..4. */
	static const struct {
		unsigned long start, end, whole_start, whole_end;
	} t[] = {
		{ 1, 6, 2, 5 },
		{ 2, 6, 2, 5 },
		{ 1, 5, 2, 5 },
		{ 3, 4, 3, 4 },
		{ 5, 6, 6, 6 },		/* only the partial last page */
		{ 1, 2, 2, 2 },		/* only the partial first page */
		{ 4, 4, 4, 4 },		/* nothing given */
	};
	struct subsec_vmemmap r, whole;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		r.start = t[i].start;
		r.end = t[i].end;
		subsec_memmap_whole(g, 1536, 4096, &r, &whole);
		KUNIT_EXPECT_EQ_MSG(test, whole.start, t[i].whole_start,
				    "given [%lu, %lu)", r.start, r.end);
		KUNIT_EXPECT_EQ_MSG(test, whole.end, t[i].whole_end,
				    "given [%lu, %lu)", r.start, r.end);
	}
}

static bool nothing_in_use(void *ctx, unsigned long pfn)
{
	return false;
}

/* Alone in the world, a range owns its whole span. */
static void exclusive_alone_is_whole_span(struct kunit *test)
{
	struct fake_world *w = world_new(test);
	struct subsec_vmemmap r, span;
	unsigned int k;

	for (k = 0; k < w->c->nsub; k++) {
		unsigned long lo, hi;

		subsec_memmap_exclusive(&w->c->g, w_pfn(w, 1, k),
					w->c->pages_per_subsection,
					nothing_in_use, NULL, &r);
		subsec_memmap_span(&w->c->g, w_pfn(w, 1, k),
				   w->c->pages_per_subsection, &span);
		ref_pages(w, 1, k, &lo, &hi);
		KUNIT_EXPECT_EQ(test, span.start, lo);
		KUNIT_EXPECT_EQ(test, span.end, hi + 1);
		KUNIT_EXPECT_EQ(test, r.start, lo);
		KUNIT_EXPECT_EQ(test, r.end, hi + 1);
	}
}

static void shuffle(unsigned int *a, unsigned int n, struct rnd_state *rnd)
{
	unsigned int j, r;

	for (j = n - 1; j > 0; j--) {
		r = prandom_u32_state(rnd) % (j + 1);
		swap(a[j], a[r]);
	}
}

/*
 * Each sub-section of two sections (geom_sub()'s visits of each), added
 * and removed in random orders.
 */
static void add_remove_every_subsection_random_order(struct kunit *test)
{
	struct fake_world *w = world_new(test);
	unsigned int nv = geom_nvisit(w->c), n = 2 * nv, *order;
	struct rnd_state rnd;
	unsigned int j, round;

	order = kunit_kcalloc(test, n, sizeof(*order), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, order);

	for (round = 0; round < 3; round++) {
		prandom_seed_state(&rnd, 0x5eed + round);
		for (j = 0; j < n; j++)
			order[j] = j;
		shuffle(order, n, &rnd);
		for (j = 0; j < n; j++)
			w_add(w, 1 + order[j] / nv,
			      geom_sub(w->c, order[j] % nv), 1);
		shuffle(order, n, &rnd);
		for (j = 0; j < n; j++)
			w_remove(w, 1 + order[j] / nv,
				 geom_sub(w->c, order[j] % nv), 1);
		world_expect_empty(w);
	}
}

/*
 * Every other sub-section, then the gaps; removal the same way (visits
 * keep the parity of the sub-section: nsub and GEOM_SUB_VISIT are even).
 */
static void interleaved_neighbours(struct kunit *test)
{
	struct fake_world *w = world_new(test);
	unsigned int i, j, odd, nv = geom_nvisit(w->c);

	for (odd = 0; odd < 2; odd++)
		for (i = 0; i < FAKE_NSEC; i++)
			for (j = odd; j < nv; j += 2)
				w_add(w, i, geom_sub(w->c, j), 1);
	for (odd = 0; odd < 2; odd++)
		for (i = 0; i < FAKE_NSEC; i++)
			for (j = !odd; j < nv; j += 2)
				w_remove(w, i, geom_sub(w->c, j), 1);
	world_expect_empty(w);
}

/* Seeded random multi-sub-section adds and removes, overlaps included. */
static void random_ranges_keep_invariants(struct kunit *test)
{
	struct fake_world *w = world_new(test);
	struct rnd_state rnd;
	unsigned int step, i, k;

	prandom_seed_state(&rnd, 0xa11ce);
	for (step = 0; step < 600; step++) {
		unsigned int n;

		i = prandom_u32_state(&rnd) % FAKE_NSEC;
		k = geom_sub(w->c, prandom_u32_state(&rnd) % geom_nvisit(w->c));
		n = 1 + prandom_u32_state(&rnd) % min(w->c->nsub - k, 6U);
		w_op(w, i, k, n, prandom_u32_state(&rnd) % 3 != 0);
		world_check(w, "random");
	}
	/* Drain. */
	for (i = 0; i < FAKE_NSEC; i++)
		for_each_set_bit(k, w->ref[i], w->c->nsub)
			w_remove(w, i, k, 1);
	world_expect_empty(w);
}

/*
 * A boot section with memory in its first half: device ranges in the
 * other half reuse the boot memmap, nothing is populated or freed, and
 * the boot memmap goes only with the section's last sub-section.
 */
static void early_section_reuses_boot_memmap(struct kunit *test)
{
	struct fake_world *w = world_new(test);
	unsigned int half = w->c->nsub / 2, j;

	world_boot(w, 1, 0, half - 1);
	world_check(w, "boot");
	for (j = geom_nvisit(w->c) / 2; j < geom_nvisit(w->c); j++)
		w_add(w, 1, geom_sub(w->c, j), 1);
	KUNIT_EXPECT_EQ(test, w->populate_calls, 0);
	for (j = geom_nvisit(w->c) / 2; j < geom_nvisit(w->c); j++)
		w_remove(w, 1, geom_sub(w->c, j), 1);
	KUNIT_EXPECT_EQ(test, w->depopulate_calls, 0);
	KUNIT_EXPECT_TRUE(test, w->early[1]);
	/* A device range overlapping boot memory is refused. */
	KUNIT_EXPECT_EQ(test, w_op(w, 1, half - 1, 2, true), -EEXIST);
	world_check(w, "overlap");
	w_remove(w, 1, 0, half);
	KUNIT_EXPECT_EQ(test, w->depopulate_calls, 1);
	world_expect_empty(w);
	/* Re-adding it later is an ordinary hot-add. */
	w_add(w, 1, 0, 1);
	KUNIT_EXPECT_EQ(test, w->populate_calls, 1);
	w_remove(w, 1, 0, 1);
	world_expect_empty(w);
}

/* Neighbouring boot sections keep the memmap pages they share. */
static void early_neighbours_share_pages(struct kunit *test)
{
	struct fake_world *w = world_new(test);

	world_boot(w, 1, 0, w->c->nsub - 1);
	world_boot(w, 2, 0, 2);
	w_add(w, 0, w->c->nsub - 1, 1);
	w_add(w, 3, 0, 1);
	w_remove(w, 1, 0, w->c->nsub);
	w_remove(w, 2, 0, 3);
	w_remove(w, 0, w->c->nsub - 1, 1);
	w_remove(w, 3, 0, 1);
	world_expect_empty(w);
}

/*
 * A boot section whose first sub-section holds no memory still has its
 * whole memmap from boot: a hot-add in the section before it must not
 * populate (nor its removal free) a memmap page the two share.
 */
static void early_neighbour_without_head(struct kunit *test)
{
	struct fake_world *w = world_new(test);
	unsigned int last = w->c->nsub - 1;

	world_boot(w, 3, 1, last);
	w_add(w, 2, last, 1);
	w_remove(w, 2, last, 1);
	w_remove(w, 3, 1, last);
	world_expect_empty(w);
}

/* Snapshot of everything an operation may change. */
struct world_snap {
	unsigned long maps[FAKE_NSEC][BITS_TO_LONGS(SUBSEC_MAX_PER_SECTION)];
	bool has_map[FAKE_NSEC];
	bool early[FAKE_NSEC];
	long live_maps, live_pages;
	bool *populated;
};

static void snap_take(struct fake_world *w, struct world_snap *s)
{
	unsigned int i;

	for (i = 0; i < FAKE_NSEC; i++) {
		s->has_map[i] = w->maps[i];
		if (w->maps[i])
			bitmap_copy(s->maps[i], w->maps[i],
				    SUBSEC_MAX_PER_SECTION);
		s->early[i] = w->early[i];
	}
	s->live_maps = w->live_maps;
	s->live_pages = w->live_pages;
	memcpy(s->populated, w->populated, w->vm_pages * sizeof(bool));
}

static void snap_expect_same(struct fake_world *w, struct world_snap *s,
			     const char *what)
{
	struct kunit *test = w->test;
	unsigned int i;

	for (i = 0; i < FAKE_NSEC; i++) {
		KUNIT_EXPECT_EQ_MSG(test, !!w->maps[i], s->has_map[i],
				    "%s: section %u bitmap", what, i);
		if (w->maps[i] && s->has_map[i])
			KUNIT_EXPECT_TRUE_MSG(test,
					      bitmap_equal(w->maps[i], s->maps[i],
							   SUBSEC_MAX_PER_SECTION),
					      "%s: section %u bits", what, i);
		KUNIT_EXPECT_EQ_MSG(test, w->early[i], s->early[i],
				    "%s: section %u early", what, i);
	}
	KUNIT_EXPECT_EQ_MSG(test, w->live_maps, s->live_maps, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, w->live_pages, s->live_pages, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(w->populated, s->populated,
					 w->vm_pages * sizeof(bool)), 0,
			    "%s: memmap pages", what);
}

/*
 * A scripted sequence; the allocation attempt number fail_at fails.  Each
 * failed step must leave the world as it was; the rest of the script
 * goes on.  Run for every fail_at until no attempt fails any more.
 */
static void alloc_failure_at_every_point(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	unsigned int last = c->nsub - 1, mid = c->nsub / 2;
	const struct { int i, k, n; bool add; } script[] = {
		{ 1, 0, 1, true }, { 1, mid, 2, true }, { 2, 0, 1, true },
		{ 0, last, 1, true }, { 1, 1, 1, true }, { 1, 0, 1, false },
		{ 2, last, 1, true }, { 1, 0, 2, true }, { 2, 0, 1, false },
		{ 1, 0, 2, false }, { 2, 1, 1, true },
	};
	struct world_snap *s;
	int fail_at;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	for (fail_at = 0; ; fail_at++) {
		struct fake_world *w = world_new(test);
		bool failed = false;
		unsigned int j;

		s->populated = kunit_kcalloc(test, w->vm_pages, sizeof(bool),
					     GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, s->populated);
		w->fail_at = fail_at;
		world_boot(w, 3, 0, 0);
		for (j = 0; j < ARRAY_SIZE(script); j++) {
			unsigned long pfn = w_pfn(w, script[j].i, script[j].k);
			unsigned long nr = script[j].n * c->pages_per_subsection;
			int rc, before = w->allocs;

			snap_take(w, s);
			rc = script[j].add ?
			     activate_at_pfn(&w->space, pfn, nr) :
			     deactivate_at_pfn(&w->space, pfn, nr);
			if (rc == -ENOMEM && before <= fail_at &&
			    w->allocs > fail_at) {
				failed = true;
				snap_expect_same(w, s, "failed step");
				continue;
			}
			KUNIT_ASSERT_EQ_MSG(test, rc,
					    ref_rc(w, script[j].i, script[j].k,
						   script[j].n, script[j].add),
					    "fail_at %d step %u", fail_at, j);
			if (!rc)
				ref_apply(w, script[j].i, script[j].k,
					  script[j].n, script[j].add);
			world_check(w, "script");
		}
		if (!failed)
			break;
		KUNIT_ASSERT_LT(test, fail_at, 64);
	}
	/* Every allocation point was failed once. */
	KUNIT_EXPECT_GE(test, fail_at, 8);
}

/* Removing what is not there changes nothing and says -ENOENT. */
static void double_remove_and_never_added(struct kunit *test)
{
	struct fake_world *w = world_new(test);

	KUNIT_EXPECT_EQ(test, w_op(w, 1, 0, 1, false), -ENOENT);
	world_check(w, "never added");
	w_add(w, 1, 2, 2);
	w_remove(w, 1, 2, 2);
	KUNIT_EXPECT_EQ(test, w_op(w, 1, 2, 2, false), -ENOENT);
	world_check(w, "double remove");
	w_add(w, 1, 2, 2);
	KUNIT_EXPECT_EQ(test, w_op(w, 1, 1, 2, false), -ENOENT);
	KUNIT_EXPECT_EQ(test, w_op(w, 1, 2, 3, false), -ENOENT);
	KUNIT_EXPECT_EQ(test, w_op(w, 1, 3, 1, true), -EEXIST);
	world_check(w, "partial");
	w_remove(w, 1, 2, 2);
	world_expect_empty(w);
}

/* Bad ranges are refused before anything is allocated or changed. */
static void bad_ranges_change_nothing(struct kunit *test)
{
	struct fake_world *w = world_new(test);
	unsigned long ss = w->c->pages_per_subsection;
	unsigned long base = w_pfn(w, 1, 0);
	const struct { unsigned long pfn, nr; int rc; } bad[] = {
		{ base, 0, -EINVAL },
		{ base + 1, ss, -EINVAL },
		{ base, ss + 1, -EINVAL },
		{ base - ss, 2 * ss, -ERANGE },
		{ w->c->limit, ss, -ERANGE },
		{ ULONG_MAX - ss + 1, ss, -EOVERFLOW },
	};
	unsigned int j;

	w_add(w, 1, 0, 1);
	for (j = 0; j < ARRAY_SIZE(bad); j++) {
		/* Entries 1 and 2 are off by a page: fine if that is ss. */
		if (ss == 1 && (j == 1 || j == 2))
			continue;
		KUNIT_EXPECT_EQ_MSG(test, activate_at_pfn(&w->space, bad[j].pfn,
							  bad[j].nr),
				    bad[j].rc, "add %u", j);
		KUNIT_EXPECT_EQ_MSG(test, deactivate_at_pfn(&w->space, bad[j].pfn,
							    bad[j].nr),
				    bad[j].rc, "remove %u", j);
		world_check(w, "bad range");
	}
	KUNIT_EXPECT_EQ(test, w->allocs, 2);
	w_remove(w, 1, 0, 1);
	world_expect_empty(w);
}

/* The bitmap goes with the last sub-section and comes back with the next. */
static void usage_freed_with_last_subsection(struct kunit *test)
{
	struct fake_world *w = world_new(test);

	w_add(w, 2, 0, 1);
	w_add(w, 2, w->c->nsub - 1, 1);
	KUNIT_EXPECT_EQ(test, w->live_maps, 1);
	w_remove(w, 2, 0, 1);
	KUNIT_EXPECT_NOT_NULL(test, w->maps[2]);
	w_remove(w, 2, w->c->nsub - 1, 1);
	KUNIT_EXPECT_NULL(test, w->maps[2]);
	w_add(w, 2, 1, 1);
	KUNIT_EXPECT_EQ(test, w->live_maps, 1);
	w_remove(w, 2, 1, 1);
	world_expect_empty(w);
}

static struct kunit_case subsection_memmap_cases[] = {
	KUNIT_CASE_PARAM(memmap_span_hand_computed, span_gen_params),
	KUNIT_CASE(memmap_whole_clipped_to_given_pages),
	KUNIT_CASE_PARAM(exclusive_alone_is_whole_span, geom_gen_params),
	KUNIT_CASE_PARAM(add_remove_every_subsection_random_order,
			 geom_gen_params),
	KUNIT_CASE_PARAM(interleaved_neighbours, geom_gen_params),
	KUNIT_CASE_PARAM(random_ranges_keep_invariants, geom_gen_params),
	KUNIT_CASE_PARAM(early_section_reuses_boot_memmap, geom_gen_params),
	KUNIT_CASE_PARAM(early_neighbours_share_pages, geom_gen_params),
	KUNIT_CASE_PARAM(early_neighbour_without_head, geom_gen_params),
	KUNIT_CASE_PARAM(alloc_failure_at_every_point, geom_gen_params),
	KUNIT_CASE_PARAM(double_remove_and_never_added, geom_gen_params),
	KUNIT_CASE_PARAM(bad_ranges_change_nothing, geom_gen_params),
	KUNIT_CASE_PARAM(usage_freed_with_last_subsection, geom_gen_params),
	{}
};

static struct kunit_suite subsection_memmap_suite = {
	.name = "subsection_memmap",
	.test_cases = subsection_memmap_cases,
};

kunit_test_suite(subsection_memmap_suite);

MODULE_DESCRIPTION("KUnit tests for partial memmap population");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
