// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "subsection_usage": per-section bitmaps of active
 * sub-sections.  Activation (fill), deactivation (clear), queries and
 * boot-time marking, with every error case leaving the bitmap as it was,
 * for every layout in subsection_kunit_geoms.h.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/minmax.h>
#include <linux/prandom.h>
#include <linux/string.h>
#include <linux/subsection.h>

#include "subsection_kunit_geoms.h"

/* Section used by most cases: away from pfn 0, exists in every layout. */
#define SEC 6

static unsigned long sec_pfn(const struct geom_case *c, unsigned long sec,
			     unsigned int k)
{
	return sec * c->pages_per_section + k * c->pages_per_subsection;
}

static unsigned long subs(const struct geom_case *c, unsigned int n)
{
	return n * c->pages_per_subsection;
}

/* The one check of the range, then the bitmap step that relies on it. */
static int usage_fill_at_pfn(const struct subsec_geom *g, unsigned long *map,
			     unsigned long pfn, unsigned long nr)
{
	struct subsec_span sp;
	int rc = subsec_span_of(g, pfn, nr, &sp);

	return rc ?: subsec_usage_fill(map, &sp);
}

static int usage_clear_at_pfn(const struct subsec_geom *g, unsigned long *map,
			      unsigned long pfn, unsigned long nr)
{
	struct subsec_span sp;
	int rc = subsec_span_of(g, pfn, nr, &sp);

	return rc ?: subsec_usage_clear(map, &sp);
}

/* The test's own view of a usage bitmap: full, first and last active. */
static bool usage_full(const struct subsec_geom *g, const unsigned long *map)
{
	return bitmap_full(map, subsec_per_section(g));
}

static unsigned int usage_first(const struct subsec_geom *g,
				const unsigned long *map)
{
	return find_first_bit(map, subsec_per_section(g));
}

static unsigned int usage_last(const struct subsec_geom *g,
			       const unsigned long *map)
{
	return find_last_bit(map, subsec_per_section(g));
}

/*
 * Expect exactly the bits [lo, hi] set in @map (lo <= hi < nsub): the
 * first set bit is lo, the first clear one after it hi + 1, and nothing
 * is set beyond.  The lib/find_bit.c walks keep this linear in the
 * bitmap's words, for 32768 sub-sections too.
 */
static void expect_bits(struct kunit *test, const struct geom_case *c,
			const unsigned long *map, unsigned int lo,
			unsigned int hi)
{
	const unsigned int max = SUBSEC_MAX_PER_SECTION;

	KUNIT_ASSERT_LE(test, lo, hi);
	KUNIT_ASSERT_LT(test, hi, c->nsub);
	KUNIT_EXPECT_EQ(test, find_first_bit(map, max), lo);
	KUNIT_EXPECT_EQ(test, find_next_zero_bit(map, max, lo), hi + 1);
	KUNIT_EXPECT_EQ(test, find_next_bit(map, max, hi + 1), max);
}

static void fresh_map_is_empty(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	unsigned long *map = geom_map(test);

	KUNIT_EXPECT_TRUE(test, subsec_usage_empty(&c->g, map));
	KUNIT_EXPECT_FALSE(test, usage_full(&c->g, map));
	KUNIT_EXPECT_EQ(test, usage_first(&c->g, map), c->nsub);
	KUNIT_EXPECT_EQ(test, usage_last(&c->g, map), c->nsub);
}

/* Each sub-section alone (geom_sub()'s visits): its bit, then nothing. */
static void fill_each_single_subsection(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	unsigned long *map = geom_map(test);
	unsigned int j, k;

	for (j = 0; j < geom_nvisit(c); j++) {
		unsigned long pfn;

		k = geom_sub(c, j);
		pfn = sec_pfn(c, SEC, k);

		KUNIT_ASSERT_EQ(test, usage_fill_at_pfn(&c->g, map, pfn,
							subs(c, 1)), 0);
		expect_bits(test, c, map, k, k);
		KUNIT_EXPECT_EQ(test, usage_first(&c->g, map), k);
		KUNIT_EXPECT_EQ(test, usage_last(&c->g, map), k);
		KUNIT_EXPECT_TRUE(test, subsec_usage_test(&c->g, map, pfn));
		KUNIT_EXPECT_TRUE(test, subsec_usage_test(&c->g, map,
							  pfn + subs(c, 1) - 1));
		KUNIT_EXPECT_EQ(test, usage_full(&c->g, map),
				c->nsub == 1);
		KUNIT_ASSERT_EQ(test, usage_clear_at_pfn(&c->g, map, pfn,
							 subs(c, 1)), 0);
		KUNIT_EXPECT_TRUE(test, subsec_usage_empty(&c->g, map));
	}
}

static void fill_whole_section(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	unsigned long *map = geom_map(test);

	KUNIT_ASSERT_EQ(test, usage_fill_at_pfn(&c->g, map, sec_pfn(c, SEC, 0),
						c->pages_per_section), 0);
	KUNIT_EXPECT_TRUE(test, usage_full(&c->g, map));
	KUNIT_EXPECT_FALSE(test, subsec_usage_empty(&c->g, map));
	KUNIT_EXPECT_EQ(test, usage_first(&c->g, map), 0);
	KUNIT_EXPECT_EQ(test, usage_last(&c->g, map), c->nsub - 1);
	expect_bits(test, c, map, 0, c->nsub - 1);
	KUNIT_EXPECT_EQ(test, usage_clear_at_pfn(&c->g, map, sec_pfn(c, SEC, 0),
						 c->pages_per_section), 0);
	KUNIT_EXPECT_TRUE(test, subsec_usage_empty(&c->g, map));
}

/* Neighbours touching on both sides are not an overlap. */
static void fill_adjacent_neighbours(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	const struct subsec_geom *g = &c->g;
	unsigned long *map = geom_map(test);
	unsigned int mid = c->nsub / 2;

	KUNIT_ASSERT_EQ(test, usage_fill_at_pfn(g, map, sec_pfn(c, SEC, mid),
						subs(c, 1)), 0);
	KUNIT_EXPECT_EQ(test, usage_fill_at_pfn(g, map, sec_pfn(c, SEC, 0),
						subs(c, mid)), 0);
	KUNIT_EXPECT_EQ(test, usage_fill_at_pfn(g, map,
						sec_pfn(c, SEC, mid + 1),
						subs(c, c->nsub - mid - 1)), 0);
	KUNIT_EXPECT_TRUE(test, usage_full(g, map));
	/* Take the middle out again: two runs remain. */
	KUNIT_EXPECT_EQ(test, usage_clear_at_pfn(g, map, sec_pfn(c, SEC, mid),
						 subs(c, 1)), 0);
	KUNIT_EXPECT_FALSE(test, subsec_usage_test(g, map,
						   sec_pfn(c, SEC, mid)));
	KUNIT_EXPECT_EQ(test, usage_first(g, map), 0);
	KUNIT_EXPECT_EQ(test, usage_last(g, map), c->nsub - 1);
}

/* Overlap shapes, relative to an active run [a, a + 2] (a = nsub / 2 - 1). */
struct overlap_case {
	const char *name;
	int start;	/* first sub-section, relative to a */
	unsigned int n;	/* number of sub-sections */
};

static const struct overlap_case overlap_cases[] = {
	{ .name = "exact", .start = 0, .n = 3 },
	{ .name = "left-edge", .start = -1, .n = 2 },
	{ .name = "right-edge", .start = 2, .n = 2 },
	{ .name = "inside", .start = 1, .n = 1 },
	{ .name = "containing", .start = -1, .n = 5 },
	{ .name = "last-only", .start = 2, .n = 1 },
};

static void overlap_desc(const struct overlap_case *o, char *desc)
{
	strscpy(desc, o->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(overlap, overlap_cases, overlap_desc);

/* Every overlap shape is -EEXIST on every layout; the map is unchanged. */
static void fill_overlap_is_eexist(struct kunit *test)
{
	const struct overlap_case *o = test->param_value;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(geom_cases); i++) {
		const struct geom_case *c = &geom_cases[i];
		unsigned long *map = geom_map(test);
		unsigned long *before = geom_map(test);
		unsigned int a = c->nsub / 2 - 1;

		KUNIT_ASSERT_EQ(test, usage_fill_at_pfn(&c->g, map,
							sec_pfn(c, SEC, a),
							subs(c, 3)), 0);
		bitmap_copy(before, map, SUBSEC_MAX_PER_SECTION);
		KUNIT_EXPECT_EQ_MSG(test,
				    usage_fill_at_pfn(&c->g, map,
						      sec_pfn(c, SEC, a + o->start),
						      subs(c, o->n)),
				    -EEXIST, "%s", c->g.name);
		KUNIT_EXPECT_TRUE_MSG(test, bitmap_equal(before, map,
							 SUBSEC_MAX_PER_SECTION),
				      "%s: map changed", c->g.name);
	}
}

/* Bad ranges for fill and clear, relative to section SEC. */
struct bad_range_case {
	const char *name;
	long start_pages;	/* pfn = SEC's first pfn + start_pages ... */
	long start_subs;	/* ... + start_subs sub-sections */
	long nr_pages;		/* nr = nr_pages ... */
	long nr_subs;		/* ... + nr_subs sub-sections */
	int rc;
};

static const struct bad_range_case bad_range_cases[] = {
	{ .name = "empty", .start_pages = 0, .start_subs = 1, .nr_pages = 0,
	  .nr_subs = 0, .rc = -EINVAL },
	{ .name = "start-misaligned", .start_pages = 1, .start_subs = 1,
	  .nr_pages = 0, .nr_subs = 1, .rc = -EINVAL },
	{ .name = "start-one-short", .start_pages = -1, .start_subs = 1,
	  .nr_pages = 0, .nr_subs = 1, .rc = -EINVAL },
	{ .name = "length-misaligned", .start_pages = 0, .start_subs = 1,
	  .nr_pages = 1, .nr_subs = 1, .rc = -EINVAL },
	{ .name = "length-one-page", .start_pages = 0, .start_subs = 1,
	  .nr_pages = 1, .nr_subs = 0, .rc = -EINVAL },
	{ .name = "crosses-into-next-section", .start_pages = 0,
	  .start_subs = -1, .nr_pages = 0, .nr_subs = 2, .rc = -ERANGE },
	{ .name = "crosses-by-two", .start_pages = 0, .start_subs = -1,
	  .nr_pages = 0, .nr_subs = 3, .rc = -ERANGE },
};

static void bad_range_desc(const struct bad_range_case *b, char *desc)
{
	strscpy(desc, b->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_range, bad_range_cases, bad_range_desc);

static void bad_range_of(const struct geom_case *c,
			 const struct bad_range_case *b, unsigned long *pfn,
			 unsigned long *nr)
{
	unsigned long base = (SEC + 1) * c->pages_per_section;

	*pfn = base + b->start_pages + b->start_subs * (long)subs(c, 1);
	*nr = b->nr_pages + b->nr_subs * subs(c, 1);
	/* The "crosses" cases straddle the start of section SEC + 1. */
	if (b->start_subs >= 0)
		*pfn -= c->pages_per_section;
}

/* fill and clear reject the range with the same errno; map unchanged. */
static void bad_range_rejected(struct kunit *test)
{
	const struct bad_range_case *b = test->param_value;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(geom_cases); i++) {
		const struct geom_case *c = &geom_cases[i];
		unsigned long *map = geom_map(test);
		unsigned long *before = geom_map(test);
		unsigned long pfn, nr;

		/* Off by a page is no error where a sub-section is a page. */
		if ((b->start_pages || b->nr_pages) &&
		    c->pages_per_subsection == 1)
			continue;
		/* Some state to preserve: the whole section but one bit. */
		bitmap_set(map, 0, c->nsub);
		clear_bit(c->nsub / 2, map);
		bitmap_copy(before, map, SUBSEC_MAX_PER_SECTION);
		bad_range_of(c, b, &pfn, &nr);

		KUNIT_EXPECT_EQ_MSG(test, usage_fill_at_pfn(&c->g, map, pfn, nr),
				    b->rc, "%s fill", c->g.name);
		KUNIT_EXPECT_EQ_MSG(test, usage_clear_at_pfn(&c->g, map, pfn, nr),
				    b->rc, "%s clear", c->g.name);
		KUNIT_EXPECT_TRUE_MSG(test, bitmap_equal(before, map,
							 SUBSEC_MAX_PER_SECTION),
				      "%s: map changed", c->g.name);
	}
}

/* Ranges outside the address space or wrapping around. */
static void out_of_space_rejected(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	const struct subsec_geom *g = &c->g;
	unsigned long *map = geom_map(test);
	unsigned long top = ULONG_MAX - subs(c, 1) + 1;

	KUNIT_EXPECT_EQ(test, usage_fill_at_pfn(g, map, c->limit, subs(c, 1)),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, usage_fill_at_pfn(g, map, top, subs(c, 1)),
			-EOVERFLOW);
	KUNIT_EXPECT_EQ(test, usage_fill_at_pfn(g, map, subs(c, 1), top),
			-EOVERFLOW);
	KUNIT_EXPECT_EQ(test, usage_clear_at_pfn(g, map, c->limit, subs(c, 1)),
			-ERANGE);
	KUNIT_EXPECT_TRUE(test, subsec_usage_empty(g, map));

	/* The last sub-section of the last section is fine. */
	KUNIT_EXPECT_EQ(test, usage_fill_at_pfn(g, map, c->limit - subs(c, 1),
						subs(c, 1)), 0);
	expect_bits(test, c, map, c->nsub - 1, c->nsub - 1);
	KUNIT_EXPECT_EQ(test, usage_clear_at_pfn(g, map, c->limit - subs(c, 1),
						 subs(c, 1)), 0);
}

/* Removing what is not (fully) active is -ENOENT; the map is unchanged. */
static void clear_inactive_is_enoent(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	const struct subsec_geom *g = &c->g;
	unsigned long *map = geom_map(test);
	unsigned long *before = geom_map(test);
	unsigned int a = c->nsub / 2 - 1;

	/* Never added. */
	KUNIT_EXPECT_EQ(test, usage_clear_at_pfn(g, map, sec_pfn(c, SEC, 0),
						 subs(c, 1)), -ENOENT);
	KUNIT_ASSERT_EQ(test, usage_fill_at_pfn(g, map, sec_pfn(c, SEC, a),
						subs(c, 2)), 0);
	bitmap_copy(before, map, SUBSEC_MAX_PER_SECTION);
	/* Partly active on either side. */
	KUNIT_EXPECT_EQ(test, usage_clear_at_pfn(g, map, sec_pfn(c, SEC, a - 1),
						 subs(c, 2)), -ENOENT);
	KUNIT_EXPECT_EQ(test, usage_clear_at_pfn(g, map, sec_pfn(c, SEC, a + 1),
						 subs(c, 2)), -ENOENT);
	KUNIT_EXPECT_EQ(test, usage_clear_at_pfn(g, map, sec_pfn(c, SEC, a - 1),
						 subs(c, 4)), -ENOENT);
	KUNIT_EXPECT_TRUE(test, bitmap_equal(before, map,
					     SUBSEC_MAX_PER_SECTION));
	/* Double remove. */
	KUNIT_EXPECT_EQ(test, usage_clear_at_pfn(g, map, sec_pfn(c, SEC, a),
						 subs(c, 2)), 0);
	KUNIT_EXPECT_EQ(test, usage_clear_at_pfn(g, map, sec_pfn(c, SEC, a),
						 subs(c, 2)), -ENOENT);
	KUNIT_EXPECT_EQ(test, usage_clear_at_pfn(g, map, sec_pfn(c, SEC, a),
						 subs(c, 1)), -ENOENT);
	KUNIT_EXPECT_TRUE(test, subsec_usage_empty(g, map));
}

/*
 * Seeded random fill/clear sequence against a reference array of bools.
 * The reference decides each expected return code by itself.  Ranges
 * start at geom_sub()'s visits, so they collide on large sections too;
 * every bit is compared every 64 steps and at the end, the bits around
 * the range after every step.
 */
static void random_ops_match_reference(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	const struct subsec_geom *g = &c->g;
	unsigned long *map = geom_map(test);
	struct rnd_state rnd;
	bool *ref;
	int step;

	ref = kunit_kcalloc(test, c->nsub, sizeof(*ref), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ref);
	prandom_seed_state(&rnd, 0xb17a9 + c->nsub);
	for (step = 0; step < 2000; step++) {
		unsigned int a = geom_sub(c, prandom_u32_state(&rnd) %
					     geom_nvisit(c));
		unsigned int n = 1 + prandom_u32_state(&rnd) %
				 min(c->nsub - a, 8U);
		unsigned int lo = a > 8 ? a - 8 : 0;
		unsigned int hi = min(a + n + 8, c->nsub);
		bool fill = prandom_u32_state(&rnd) & 1;
		bool any = false, all = true;
		unsigned int k;
		int want, rc;

		for (k = a; k < a + n; k++) {
			any |= ref[k];
			all &= ref[k];
		}
		if (fill) {
			want = any ? -EEXIST : 0;
			rc = usage_fill_at_pfn(g, map, sec_pfn(c, SEC, a),
					       subs(c, n));
		} else {
			want = all ? 0 : -ENOENT;
			rc = usage_clear_at_pfn(g, map, sec_pfn(c, SEC, a),
						subs(c, n));
		}
		KUNIT_ASSERT_EQ_MSG(test, rc, want, "step %d", step);
		if (!want)
			for (k = a; k < a + n; k++)
				ref[k] = fill;
		if (step % 64 == 63 || step == 1999) {
			lo = 0;
			hi = c->nsub;
		}
		for (k = lo; k < hi; k++)
			KUNIT_ASSERT_EQ_MSG(test, test_bit(k, map), ref[k],
					    "step %d bit %u", step, k);
	}
}

/* A small fake of the section table for boot-time marking. */
#define FAKE_SECTIONS 8

struct fake_sections {
	unsigned long first;	/* section number of maps[0] */
	unsigned long maps[FAKE_SECTIONS][BITS_TO_LONGS(SUBSEC_MAX_PER_SECTION)];
	bool missing[FAKE_SECTIONS];
};

static unsigned long *fake_map_of(void *ctx, unsigned long section_nr)
{
	struct fake_sections *fs = ctx;
	unsigned long i = section_nr - fs->first;

	if (section_nr < fs->first || i >= FAKE_SECTIONS || fs->missing[i])
		return NULL;
	return fs->maps[i];
}

/* Check every map of @fs against the boot ranges given by the reference. */
static void expect_marked(struct kunit *test, const struct geom_case *c,
			  struct fake_sections *fs, const unsigned long *pfns,
			  const unsigned long *nrs, int nranges)
{
	unsigned int i, k;
	int r;

	for (i = 0; i < FAKE_SECTIONS; i++) {
		for (k = 0; k < SUBSEC_MAX_PER_SECTION; k++) {
			bool want = false;

			for (r = 0; r < nranges && k < c->nsub; r++)
				want |= ref_touches(c, fs->first + i, k, pfns[r],
						    pfns[r] + nrs[r]);
			KUNIT_EXPECT_EQ_MSG(test, test_bit(k, fs->maps[i]), want,
					    "section %lu bit %u",
					    fs->first + i, k);
		}
	}
}

/*
 * Boot memory with page-granular edges: a range starting one page before
 * a sub-section boundary and ending a page after one, across sections,
 * plus a second range sharing a sub-section with the first.
 */
static void mark_present_unaligned_boot_memory(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	struct fake_sections *fs;
	unsigned long pfns[2], nrs[2];

	fs = kunit_kzalloc(test, sizeof(*fs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fs);
	fs->first = 4;
	pfns[0] = sec_pfn(c, 4, 1) - 1;
	nrs[0] = c->pages_per_section + subs(c, 1) + 2;
	pfns[1] = sec_pfn(c, 7, 2) + 5;
	nrs[1] = 3;

	KUNIT_EXPECT_EQ(test, subsec_usage_mark_present(&c->g, pfns[0], nrs[0],
							fake_map_of, fs), 0);
	KUNIT_EXPECT_EQ(test, subsec_usage_mark_present(&c->g, pfns[1], nrs[1],
							fake_map_of, fs), 0);
	expect_marked(test, c, fs, pfns, nrs, 2);

	/* Idempotent: marking again, or a sub-range, changes nothing. */
	KUNIT_EXPECT_EQ(test, subsec_usage_mark_present(&c->g, pfns[0], nrs[0],
							fake_map_of, fs), 0);
	KUNIT_EXPECT_EQ(test, subsec_usage_mark_present(&c->g, pfns[1] + 1, 1,
							fake_map_of, fs), 0);
	expect_marked(test, c, fs, pfns, nrs, 2);
}

/* A section without a bitmap in the middle: -ENOENT and no change. */
static void mark_present_missing_section(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	struct fake_sections *fs;
	unsigned int i;

	fs = kunit_kzalloc(test, sizeof(*fs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fs);
	fs->first = 2;
	fs->missing[3] = true;
	KUNIT_EXPECT_EQ(test, subsec_usage_mark_present(&c->g, sec_pfn(c, 3, 1),
							4 * c->pages_per_section,
							fake_map_of, fs),
			-ENOENT);
	for (i = 0; i < FAKE_SECTIONS; i++)
		KUNIT_EXPECT_TRUE(test, subsec_usage_empty(&c->g, fs->maps[i]));

	KUNIT_EXPECT_EQ(test, subsec_usage_mark_present(&c->g, sec_pfn(c, 3, 1),
							0, fake_map_of, fs),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, subsec_usage_mark_present(&c->g, c->limit - 1, 2,
							fake_map_of, fs),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, subsec_usage_mark_present(&c->g, ULONG_MAX, 2,
							fake_map_of, fs),
			-EOVERFLOW);
	for (i = 0; i < FAKE_SECTIONS; i++)
		KUNIT_EXPECT_TRUE(test, subsec_usage_empty(&c->g, fs->maps[i]));
}

/*
 * The seed's case: System RAM covers the start of a section up to an
 * unaligned page, pmem is hot-added in the rest.  The sub-section holding
 * the last RAM page is taken; pmem may start at the next boundary.
 */
static void boot_section_shared_with_device(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	const struct subsec_geom *g = &c->g;
	unsigned int half = c->nsub / 2;
	/* RAM ends inside sub-section half - 1 (at its end if it is a page) */
	unsigned long ram_end = sec_pfn(c, SEC, half - 1) +
				max(1UL, c->pages_per_subsection / 2);
	struct fake_sections *fs;
	unsigned long *map;

	fs = kunit_kzalloc(test, sizeof(*fs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fs);
	fs->first = SEC;
	map = fs->maps[0];
	KUNIT_ASSERT_EQ(test, subsec_usage_mark_present(g, sec_pfn(c, SEC, 0),
							ram_end - sec_pfn(c, SEC, 0),
							fake_map_of, fs), 0);
	expect_bits(test, c, map, 0, half - 1);
	KUNIT_EXPECT_EQ(test, usage_fill_at_pfn(g, map, sec_pfn(c, SEC, half - 1),
						subs(c, 2)), -EEXIST);
	KUNIT_EXPECT_EQ(test, usage_fill_at_pfn(g, map, sec_pfn(c, SEC, half),
						subs(c, c->nsub - half)), 0);
	KUNIT_EXPECT_TRUE(test, usage_full(g, map));
	KUNIT_EXPECT_EQ(test, usage_clear_at_pfn(g, map, sec_pfn(c, SEC, half),
						 subs(c, c->nsub - half)), 0);
	expect_bits(test, c, map, 0, half - 1);
}

/* x86_64 by hand: the word values of a partly used section. */
static void hand_computed_x86_64_words(struct kunit *test)
{
	const struct subsec_geom *g = &geom_cases[GEOM_X86_64].g;
	unsigned long *map = geom_map(test);

	/* [1100 MiB, 1152 MiB): section 8, sub-sections 38..63. */
	KUNIT_EXPECT_EQ(test, usage_fill_at_pfn(g, map, 1100UL << 8, 52UL << 8),
			0);
	KUNIT_EXPECT_EQ(test, map[0], 0xffffffc000000000UL);
	/* [1024 MiB, 1030 MiB): sub-sections 0..2. */
	KUNIT_EXPECT_EQ(test, usage_fill_at_pfn(g, map, 1024UL << 8, 6UL << 8),
			0);
	KUNIT_EXPECT_EQ(test, map[0], 0xffffffc000000007UL);
	KUNIT_EXPECT_EQ(test, usage_first(g, map), 0);
	KUNIT_EXPECT_EQ(test, usage_last(g, map), 63);
	/* [1098 MiB, 1102 MiB) is sub-sections 37 and 38: 38 is taken. */
	KUNIT_EXPECT_EQ(test, usage_fill_at_pfn(g, map, 1098UL << 8, 4UL << 8),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, usage_fill_at_pfn(g, map, 1098UL << 8, 2UL << 8),
			0);
	KUNIT_EXPECT_EQ(test, map[0], 0xffffffe000000007UL);
}

/*
 * subsec_span_of() by hand: [1100 MiB, 1152 MiB) of x86_64 (128 MiB
 * sections of 64 sub-sections of 2 MiB, 4 KiB pages) is section 8,
 * sub-sections 38..63; the last 2 MiB of section 9 is its sub-section 63.
 */
static void span_of_hand_computed(struct kunit *test)
{
	const struct subsec_geom *g = &geom_cases[GEOM_X86_64].g;
	struct subsec_span sp;

	KUNIT_ASSERT_EQ(test, subsec_span_of(g, 1100UL << 8, 52UL << 8, &sp),
			0);
	KUNIT_EXPECT_EQ(test, sp.p.section_nr, 8);
	KUNIT_EXPECT_EQ(test, sp.p.pfn, 1100UL << 8);
	KUNIT_EXPECT_EQ(test, sp.p.nr_pages, 52UL << 8);
	KUNIT_EXPECT_EQ(test, sp.p.first, 38);
	KUNIT_EXPECT_EQ(test, sp.p.last, 63);

	KUNIT_ASSERT_EQ(test, subsec_span_of(g, 1278UL << 8, 2UL << 8, &sp),
			0);
	KUNIT_EXPECT_EQ(test, sp.p.section_nr, 9);
	KUNIT_EXPECT_EQ(test, sp.p.first, 63);
	KUNIT_EXPECT_EQ(test, sp.p.last, 63);
}

/* A refused range leaves the caller's span exactly as it was. */
static void span_of_error_writes_nothing(struct kunit *test)
{
	const struct bad_range_case *b = test->param_value;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(geom_cases); i++) {
		const struct geom_case *c = &geom_cases[i];
		struct subsec_span sp, before;
		unsigned long pfn, nr;

		if ((b->start_pages || b->nr_pages) &&
		    c->pages_per_subsection == 1)
			continue;
		bad_range_of(c, b, &pfn, &nr);
		memset(&sp, 0xa5, sizeof(sp));
		before = sp;
		KUNIT_EXPECT_EQ_MSG(test, subsec_span_of(&c->g, pfn, nr, &sp),
				    b->rc, "%s", c->g.name);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(&sp, &before, sizeof(sp)), 0,
				    "%s: span written", c->g.name);
	}
}

static struct kunit_case subsection_usage_cases[] = {
	KUNIT_CASE_PARAM(fresh_map_is_empty, geom_gen_params),
	KUNIT_CASE_PARAM(fill_each_single_subsection, geom_gen_params),
	KUNIT_CASE_PARAM(fill_whole_section, geom_gen_params),
	KUNIT_CASE_PARAM(fill_adjacent_neighbours, geom_gen_params),
	KUNIT_CASE_PARAM(fill_overlap_is_eexist, overlap_gen_params),
	KUNIT_CASE_PARAM(bad_range_rejected, bad_range_gen_params),
	KUNIT_CASE_PARAM(out_of_space_rejected, geom_gen_params),
	KUNIT_CASE_PARAM(clear_inactive_is_enoent, geom_gen_params),
	KUNIT_CASE_PARAM(random_ops_match_reference, geom_gen_params),
	KUNIT_CASE_PARAM(mark_present_unaligned_boot_memory, geom_gen_params),
	KUNIT_CASE_PARAM(mark_present_missing_section, geom_gen_params),
	KUNIT_CASE_PARAM(boot_section_shared_with_device, geom_gen_params),
	KUNIT_CASE(hand_computed_x86_64_words),
	KUNIT_CASE(span_of_hand_computed),
	KUNIT_CASE_PARAM(span_of_error_writes_nothing, bad_range_gen_params),
	{}
};

static struct kunit_suite subsection_usage_suite = {
	.name = "subsection_usage",
	.test_cases = subsection_usage_cases,
};

kunit_test_suite(subsection_usage_suite);

MODULE_DESCRIPTION("KUnit tests for sub-section usage bitmaps");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
