// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "subsection_masks": pfn <-> section / sub-section math,
 * alignment, range checks and splitting of pfn ranges into per-section
 * pieces, for every layout in subsection_kunit_geoms.h.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/prandom.h>
#include <linux/subsection.h>

#include "subsection_kunit_geoms.h"

static void geom_sizes_match_hand_computed(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	const struct subsec_geom *g = &c->g;

	KUNIT_EXPECT_EQ(test, subsec_geom_check(g), 0);
	KUNIT_EXPECT_EQ(test, subsec_pages_per_section(g), c->pages_per_section);
	KUNIT_EXPECT_EQ(test, subsec_pages_per_subsection(g),
			c->pages_per_subsection);
	KUNIT_EXPECT_EQ(test, subsec_per_section(g), c->nsub);
	KUNIT_EXPECT_EQ(test, subsec_pfn_limit(g), c->limit);
}

static const struct subsec_geom bad_geoms[] = {
	{ .name = "page-too-small", .page_shift = 8, .section_shift = 27,
	  .subsection_shift = 21, .phys_bits = 46, .page_struct_size = 64 },
	{ .name = "page-above-subsection", .page_shift = 22,
	  .section_shift = 27, .subsection_shift = 21, .phys_bits = 46,
	  .page_struct_size = 64 },
	{ .name = "subsection-above-section", .page_shift = 12,
	  .section_shift = 20, .subsection_shift = 21, .phys_bits = 46,
	  .page_struct_size = 64 },
	{ .name = "section-fills-space", .page_shift = 12, .section_shift = 27,
	  .subsection_shift = 21, .phys_bits = 27, .page_struct_size = 64 },
	{ .name = "pfn-space-too-wide", .page_shift = 12, .section_shift = 27,
	  .subsection_shift = 21, .phys_bits = 76, .page_struct_size = 64 },
	{ .name = "too-many-subsections", .page_shift = 12, .section_shift = 28,
	  .subsection_shift = 12, .phys_bits = 46, .page_struct_size = 64 },
	{ .name = "no-struct-page", .page_shift = 12, .section_shift = 27,
	  .subsection_shift = 21, .phys_bits = 46, .page_struct_size = 0 },
};

KUNIT_ARRAY_PARAM_DESC(bad_geom, bad_geoms, name);

static void geom_check_rejects_bad_layouts(struct kunit *test)
{
	const struct subsec_geom *g = test->param_value;

	KUNIT_EXPECT_EQ(test, subsec_geom_check(g), -EINVAL);
}

/* First and last pfn of the first, second, a middle and the last section. */
static void section_nr_of_section_edges(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	const struct subsec_geom *g = &c->g;
	unsigned long nsec = c->limit / c->pages_per_section;
	unsigned long secs[] = { 0, 1, nsec / 2 + 3, nsec - 1 };
	int i;

	for (i = 0; i < ARRAY_SIZE(secs); i++) {
		unsigned long first = secs[i] * c->pages_per_section;
		unsigned long last = first + c->pages_per_section - 1;

		KUNIT_EXPECT_EQ(test, subsec_pfn_to_section_nr(g, first), secs[i]);
		KUNIT_EXPECT_EQ(test, subsec_pfn_to_section_nr(g, last), secs[i]);
		KUNIT_EXPECT_EQ(test, subsec_section_nr_to_pfn(g, secs[i]), first);
		KUNIT_EXPECT_EQ(test, subsec_index(g, first), 0);
		KUNIT_EXPECT_EQ(test, subsec_index(g, last), c->nsub - 1);
		KUNIT_EXPECT_TRUE(test, subsec_section_pfn_aligned(g, first));
		KUNIT_EXPECT_FALSE(test, subsec_section_pfn_aligned(g, last));
		KUNIT_EXPECT_EQ(test, subsec_section_pfn_down(g, last), first);
	}
}

/* Every sub-section's first and last pfn, in a section away from zero. */
static void subsection_index_of_every_subsection(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	const struct subsec_geom *g = &c->g;
	unsigned long sec = 5;
	unsigned int k;

	for (k = 0; k < c->nsub; k++) {
		unsigned long lo = sec * c->pages_per_section +
				   k * c->pages_per_subsection;
		unsigned long hi = lo + c->pages_per_subsection - 1;

		KUNIT_EXPECT_EQ(test, subsec_index(g, lo), k);
		KUNIT_EXPECT_EQ(test, subsec_index(g, hi), k);
		KUNIT_EXPECT_EQ(test, subsec_pfn_to_section_nr(g, hi), sec);
		KUNIT_EXPECT_TRUE(test, subsec_pfn_aligned(g, lo));
		KUNIT_EXPECT_EQ(test, subsec_pfn_aligned(g, hi),
				c->pages_per_subsection == 1);
	}
}

static void align_down_and_up(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	const struct subsec_geom *g = &c->g;
	unsigned long ss = c->pages_per_subsection, s = c->pages_per_section;
	unsigned long pfns[] = { 0, 1, ss - 1, ss, ss + 1, s - 1, s, s + 1,
				 7 * s + 3 * ss + 1, c->limit - 1 };
	int i;

	for (i = 0; i < ARRAY_SIZE(pfns); i++) {
		unsigned long pfn = pfns[i], res = 0;

		KUNIT_EXPECT_EQ(test, subsec_pfn_down(g, pfn), pfn / ss * ss);
		KUNIT_EXPECT_EQ(test, subsec_section_pfn_down(g, pfn),
				pfn / s * s);
		KUNIT_EXPECT_TRUE(test, subsec_pfn_up(g, pfn, &res));
		KUNIT_EXPECT_EQ(test, res, (pfn + ss - 1) / ss * ss);
	}
}

/* Rounding up near ULONG_MAX must report overflow, not wrap to 0. */
static void align_up_overflow(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	const struct subsec_geom *g = &c->g;
	unsigned long ss = c->pages_per_subsection;
	unsigned long res = 42;

	/* A one-page sub-section rounds nothing up: no overflow possible. */
	if (ss > 1) {
		KUNIT_EXPECT_FALSE(test, subsec_pfn_up(g, ULONG_MAX, &res));
		KUNIT_EXPECT_FALSE(test, subsec_pfn_up(g, ULONG_MAX - ss + 2,
						       &res));
	}
	KUNIT_EXPECT_EQ(test, res, 42);

	/* The highest aligned pfn still rounds to itself. */
	KUNIT_EXPECT_TRUE(test, subsec_pfn_up(g, ULONG_MAX - ss + 1, &res));
	KUNIT_EXPECT_EQ(test, res, ULONG_MAX - ss + 1);
}

struct range_case {
	const char *name;
	long start_sections;	/* pfn = start_sections * section ... */
	long start_pages;	/* ... + start_pages (+ the limit if from_limit) */
	long nr_sections;	/* nr = nr_sections * section ... */
	long nr_subsections;	/* ... + nr_subsections * sub-section ... */
	long nr_pages;		/* ... + nr_pages */
	bool from_limit;
	int unaligned_rc;	/* subsec_range_check() */
	int aligned_rc;		/* subsec_range_check_aligned() */
};

static const struct range_case range_cases[] = {
	{ .name = "one-subsection", .start_sections = 3, .start_pages = 0,
	  .nr_sections = 0, .nr_subsections = 1, .nr_pages = 0,
	  .unaligned_rc = 0, .aligned_rc = 0 },
	{ .name = "whole-section", .start_sections = 3, .start_pages = 0,
	  .nr_sections = 1, .nr_subsections = 0, .nr_pages = 0,
	  .unaligned_rc = 0, .aligned_rc = 0 },
	{ .name = "first-pfn-of-space", .start_sections = 0, .start_pages = 0,
	  .nr_sections = 0, .nr_subsections = 1, .nr_pages = 0,
	  .unaligned_rc = 0, .aligned_rc = 0 },
	{ .name = "empty", .start_sections = 3, .start_pages = 0,
	  .nr_sections = 0, .nr_subsections = 0, .nr_pages = 0,
	  .unaligned_rc = -EINVAL, .aligned_rc = -EINVAL },
	{ .name = "one-page", .start_sections = 3, .start_pages = 0,
	  .nr_sections = 0, .nr_subsections = 0, .nr_pages = 1,
	  .unaligned_rc = 0, .aligned_rc = -EINVAL },
	{ .name = "start-misaligned", .start_sections = 3, .start_pages = 1,
	  .nr_sections = 0, .nr_subsections = 1, .nr_pages = 0,
	  .unaligned_rc = 0, .aligned_rc = -EINVAL },
	{ .name = "length-misaligned", .start_sections = 3, .start_pages = 0,
	  .nr_sections = 0, .nr_subsections = 1, .nr_pages = 1,
	  .unaligned_rc = 0, .aligned_rc = -EINVAL },
	{ .name = "ends-at-limit", .start_sections = -1, .start_pages = 0,
	  .nr_sections = 1, .nr_subsections = 0, .nr_pages = 0,
	  .from_limit = true, .unaligned_rc = 0, .aligned_rc = 0 },
	{ .name = "ends-past-limit", .start_sections = -1, .start_pages = 0,
	  .nr_sections = 1, .nr_subsections = 1, .nr_pages = 0,
	  .from_limit = true, .unaligned_rc = -ERANGE, .aligned_rc = -ERANGE },
	{ .name = "starts-at-limit", .start_sections = 0, .start_pages = 0,
	  .nr_sections = 0, .nr_subsections = 1, .nr_pages = 0,
	  .from_limit = true, .unaligned_rc = -ERANGE, .aligned_rc = -ERANGE },
};

KUNIT_ARRAY_PARAM_DESC(range, range_cases, name);

/* One edge case, checked on every layout. */
static void range_check_edges(struct kunit *test)
{
	const struct range_case *r = test->param_value;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(geom_cases); i++) {
		const struct geom_case *c = &geom_cases[i];
		unsigned long ss = c->pages_per_subsection;
		unsigned long s = c->pages_per_section;
		unsigned long pfn, nr;

		pfn = (r->from_limit ? c->limit : 0) + r->start_sections * s +
		      r->start_pages;
		nr = r->nr_sections * s + r->nr_subsections * ss + r->nr_pages;
		KUNIT_EXPECT_EQ_MSG(test, subsec_range_check(&c->g, pfn, nr),
				    r->unaligned_rc, "%s", c->g.name);
		/* With one-page sub-sections every range is aligned. */
		KUNIT_EXPECT_EQ_MSG(test,
				    subsec_range_check_aligned(&c->g, pfn, nr),
				    ss == 1 ? r->unaligned_rc : r->aligned_rc,
				    "%s", c->g.name);
	}
}

/* pfn + nr_pages wrapping past ULONG_MAX is -EOVERFLOW, not a tiny range. */
static void range_check_overflow(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	const struct subsec_geom *g = &c->g;
	unsigned long ss = c->pages_per_subsection;
	unsigned long top = ULONG_MAX - ss + 1;	/* aligned */

	KUNIT_EXPECT_EQ(test, subsec_range_check(g, ULONG_MAX - 1, 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, subsec_range_check(g, ULONG_MAX, 1), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, subsec_range_check(g, 1, ULONG_MAX), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, subsec_range_check_aligned(g, top - ss, ss),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, subsec_range_check_aligned(g, top, ss),
			-EOVERFLOW);
	KUNIT_EXPECT_EQ(test, subsec_range_check_aligned(g, ss, top),
			-EOVERFLOW);
}

#define MAX_PIECES 64

/*
 * Walk [pfn, pfn + nr) and check the pieces against first principles:
 * they are non-empty, contiguous, cover the range exactly, each lies in
 * one section, and their first/last sub-section bits are exactly the
 * sub-sections that the range touches in that section.  Returns the
 * number of pieces.
 */
static int check_walk(struct kunit *test, const struct geom_case *c,
		      unsigned long pfn, unsigned long nr)
{
	struct subsec_piece p;
	struct subsec_walk w;
	unsigned long next = pfn, end = pfn + nr;
	int n = 0;

	KUNIT_ASSERT_EQ(test, subsec_walk_init(&w, &c->g, pfn, nr), 0);
	while (subsec_walk_next(&w, &p)) {
		unsigned long sec = p.pfn / c->pages_per_section;
		unsigned int k, lo = c->nsub, hi = 0;

		KUNIT_ASSERT_LT(test, n++, MAX_PIECES);
		KUNIT_EXPECT_EQ(test, p.pfn, next);
		KUNIT_EXPECT_GT(test, p.nr_pages, 0);
		KUNIT_EXPECT_EQ(test, p.section_nr, sec);
		KUNIT_EXPECT_EQ(test, (p.pfn + p.nr_pages - 1) /
				c->pages_per_section, sec);
		for (k = 0; k < c->nsub; k++) {
			if (!ref_touches(c, sec, k, pfn, end))
				continue;
			lo = min(lo, k);
			hi = max(hi, k);
		}
		KUNIT_EXPECT_EQ(test, p.first, lo);
		KUNIT_EXPECT_EQ(test, p.last, hi);
		next = p.pfn + p.nr_pages;
	}
	KUNIT_EXPECT_EQ(test, next, end);
	return n;
}

static void walk_single_subsection(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	unsigned long pfn = 3 * c->pages_per_section +
			    (c->nsub - 1) * c->pages_per_subsection;
	struct subsec_piece p;
	struct subsec_walk w;

	KUNIT_EXPECT_EQ(test, check_walk(test, c, pfn, c->pages_per_subsection),
			1);
	subsec_walk_init(&w, &c->g, pfn, c->pages_per_subsection);
	KUNIT_ASSERT_TRUE(test, subsec_walk_next(&w, &p));
	KUNIT_EXPECT_EQ(test, p.first, c->nsub - 1);
	KUNIT_EXPECT_EQ(test, p.last, c->nsub - 1);
	KUNIT_EXPECT_EQ(test, p.section_nr, 3);
	KUNIT_EXPECT_FALSE(test, subsec_walk_next(&w, &p));
}

static void walk_whole_section(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	struct subsec_piece p;
	struct subsec_walk w;

	subsec_walk_init(&w, &c->g, 2 * c->pages_per_section,
			 c->pages_per_section);
	KUNIT_ASSERT_TRUE(test, subsec_walk_next(&w, &p));
	KUNIT_EXPECT_EQ(test, p.first, 0);
	KUNIT_EXPECT_EQ(test, p.last, c->nsub - 1);
	KUNIT_EXPECT_EQ(test, p.nr_pages, c->pages_per_section);
	KUNIT_EXPECT_FALSE(test, subsec_walk_next(&w, &p));
}

/* The last sub-section of one section and the first of the next. */
static void walk_crossing_one_boundary(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	unsigned long pfn = 4 * c->pages_per_section - c->pages_per_subsection;
	struct subsec_piece p;
	struct subsec_walk w;

	KUNIT_EXPECT_EQ(test, check_walk(test, c, pfn,
					 2 * c->pages_per_subsection), 2);
	subsec_walk_init(&w, &c->g, pfn, 2 * c->pages_per_subsection);
	KUNIT_ASSERT_TRUE(test, subsec_walk_next(&w, &p));
	KUNIT_EXPECT_EQ(test, p.section_nr, 3);
	KUNIT_EXPECT_EQ(test, p.first, c->nsub - 1);
	KUNIT_ASSERT_TRUE(test, subsec_walk_next(&w, &p));
	KUNIT_EXPECT_EQ(test, p.section_nr, 4);
	KUNIT_EXPECT_EQ(test, p.first, 0);
	KUNIT_EXPECT_EQ(test, p.last, 0);
}

static void walk_many_sections(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	unsigned long s = c->pages_per_section, ss = c->pages_per_subsection;

	/* Starts mid-section, five whole sections, ends mid-section. */
	KUNIT_EXPECT_EQ(test, check_walk(test, c, 10 * s + 3 * ss,
					 6 * s - 3 * ss + ss), 7);
	/* Exactly five sections. */
	KUNIT_EXPECT_EQ(test, check_walk(test, c, 10 * s, 5 * s), 5);
}

/* The very last section of the address space, ending at the limit. */
static void walk_last_section_of_space(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	unsigned long s = c->pages_per_section, ss = c->pages_per_subsection;

	KUNIT_EXPECT_EQ(test, check_walk(test, c, c->limit - ss, ss), 1);
	KUNIT_EXPECT_EQ(test, check_walk(test, c, c->limit - s - ss, s + ss), 2);
	KUNIT_EXPECT_EQ(test, check_walk(test, c, c->limit - 1, 1), 1);
}

/* Boot memory is page granular: pieces round outwards to sub-sections. */
static void walk_unaligned_range(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	unsigned long s = c->pages_per_section, ss = c->pages_per_subsection;

	KUNIT_EXPECT_EQ(test, check_walk(test, c, 7 * s + ss + 1, 1), 1);
	KUNIT_EXPECT_EQ(test, check_walk(test, c, 7 * s + ss - 1, 2), 1);
	KUNIT_EXPECT_EQ(test, check_walk(test, c, 8 * s - 1, 2), 2);
	KUNIT_EXPECT_EQ(test, check_walk(test, c, 7 * s + 5, 2 * s + 9), 3);
}

static void walk_rejects_bad_ranges(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	struct subsec_piece p;
	struct subsec_walk w;

	KUNIT_EXPECT_EQ(test, subsec_walk_init(&w, &c->g, 5, 0), -EINVAL);
	KUNIT_EXPECT_FALSE(test, subsec_walk_next(&w, &p));
	KUNIT_EXPECT_EQ(test, subsec_walk_init(&w, &c->g, c->limit - 1, 2),
			-ERANGE);
	KUNIT_EXPECT_FALSE(test, subsec_walk_next(&w, &p));
	KUNIT_EXPECT_EQ(test, subsec_walk_init(&w, &c->g, ULONG_MAX - 1, 3),
			-EOVERFLOW);
	KUNIT_EXPECT_FALSE(test, subsec_walk_next(&w, &p));
}

/* Seeded random ranges, some of them page granular, against the reference. */
static void walk_random_ranges(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	unsigned long s = c->pages_per_section;
	struct rnd_state rnd;
	int i;

	prandom_seed_state(&rnd, 0x5ec7105);
	for (i = 0; i < 200; i++) {
		unsigned long pfn = prandom_u32_state(&rnd) %
				    min(64 * s, c->limit / 2);
		unsigned long nr = 1 + prandom_u32_state(&rnd) % (4 * s);

		if (i & 1) {
			pfn = pfn / c->pages_per_subsection *
			      c->pages_per_subsection;
			nr = (nr + c->pages_per_subsection - 1) /
			     c->pages_per_subsection * c->pages_per_subsection;
		}
		check_walk(test, c, pfn, nr);
	}
}

/* The mask of each piece equals the reference's bit by bit. */
static void piece_mask_matches_reference(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	unsigned long s = c->pages_per_section, ss = c->pages_per_subsection;
	unsigned long pfn = 9 * s + 2 * ss + 3, nr = s + 4 * ss;
	unsigned long *map = geom_map(test);
	struct subsec_piece p;
	struct subsec_walk w;
	unsigned int k;

	subsec_walk_init(&w, &c->g, pfn, nr);
	while (subsec_walk_next(&w, &p)) {
		bitmap_zero(map, SUBSEC_MAX_PER_SECTION);
		subsec_piece_mask(&p, map);
		for (k = 0; k < SUBSEC_MAX_PER_SECTION; k++)
			KUNIT_EXPECT_EQ_MSG(test, test_bit(k, map),
					    k < c->nsub &&
					    ref_touches(c, p.section_nr, k, pfn,
							pfn + nr),
					    "section %lu bit %u", p.section_nr, k);
	}
}

/*
 * x86_64 by hand: memmap=60M!1100M covers [1100 MiB, 1160 MiB).  1100 MiB
 * is in section 8 (1024..1152 MiB) at sub-section (1100 - 1024) / 2 = 38;
 * 1160 MiB is in section 9, its last page in sub-section (1159 - 1152) / 2
 * = 3.  On ppc64 (16 MiB sections) the same range is sections 68..72.
 */
static void hand_computed_mixed_section_pmem(struct kunit *test)
{
	const struct subsec_geom *x86 = &geom_cases[GEOM_X86_64].g;
	const struct subsec_geom *ppc = &geom_cases[GEOM_PPC64].g;
	unsigned long pfn = 1100UL << 8, nr = 60UL << 8;	/* 4K pages */
	struct subsec_piece p;
	struct subsec_walk w;
	unsigned long *map = geom_map(test);

	subsec_walk_init(&w, x86, pfn, nr);
	KUNIT_ASSERT_TRUE(test, subsec_walk_next(&w, &p));
	KUNIT_EXPECT_EQ(test, p.section_nr, 8);
	KUNIT_EXPECT_EQ(test, p.first, 38);
	KUNIT_EXPECT_EQ(test, p.last, 63);
	KUNIT_EXPECT_EQ(test, p.nr_pages, 52UL << 8);
	bitmap_zero(map, SUBSEC_MAX_PER_SECTION);
	subsec_piece_mask(&p, map);
	KUNIT_EXPECT_EQ(test, map[0], 0xffffffc000000000UL);
	KUNIT_ASSERT_TRUE(test, subsec_walk_next(&w, &p));
	KUNIT_EXPECT_EQ(test, p.section_nr, 9);
	KUNIT_EXPECT_EQ(test, p.first, 0);
	KUNIT_EXPECT_EQ(test, p.last, 3);
	bitmap_zero(map, SUBSEC_MAX_PER_SECTION);
	subsec_piece_mask(&p, map);
	KUNIT_EXPECT_EQ(test, map[0], 0xfUL);
	KUNIT_EXPECT_FALSE(test, subsec_walk_next(&w, &p));

	/* 64K pages: 1100 MiB is pfn 17600, 60 MiB is 960 pages. */
	subsec_walk_init(&w, ppc, 17600, 960);
	KUNIT_ASSERT_TRUE(test, subsec_walk_next(&w, &p));
	KUNIT_EXPECT_EQ(test, p.section_nr, 68);	/* 1088..1104 MiB */
	KUNIT_EXPECT_EQ(test, p.first, 6);
	KUNIT_EXPECT_EQ(test, p.last, 7);
	KUNIT_ASSERT_TRUE(test, subsec_walk_next(&w, &p));
	KUNIT_ASSERT_TRUE(test, subsec_walk_next(&w, &p));
	KUNIT_ASSERT_TRUE(test, subsec_walk_next(&w, &p));
	KUNIT_ASSERT_TRUE(test, subsec_walk_next(&w, &p));
	KUNIT_EXPECT_EQ(test, p.section_nr, 72);	/* 1152..1168 MiB */
	KUNIT_EXPECT_EQ(test, p.first, 0);
	KUNIT_EXPECT_EQ(test, p.last, 3);
	KUNIT_EXPECT_FALSE(test, subsec_walk_next(&w, &p));
}

/*
 * arm64 64K pages, 512 MiB sections: 2 MiB is 32 pages, a section's 256
 * sub-sections fill four bitmap words.  [640 MiB, 960 MiB) is section 1
 * (512..1024 MiB) sub-sections 64..223: words 1 and 2 full, word 3 bits
 * 0..31.
 */
static void hand_computed_arm64_64k_words(struct kunit *test)
{
	const struct subsec_geom *g = &geom_cases[GEOM_ARM64_64K].g;
	unsigned long *map = geom_map(test);
	struct subsec_piece p;
	struct subsec_walk w;

	subsec_walk_init(&w, g, 640UL << 4, 320UL << 4);
	KUNIT_ASSERT_TRUE(test, subsec_walk_next(&w, &p));
	KUNIT_EXPECT_EQ(test, p.section_nr, 1);
	KUNIT_EXPECT_EQ(test, p.first, 64);
	KUNIT_EXPECT_EQ(test, p.last, 223);
	bitmap_zero(map, SUBSEC_MAX_PER_SECTION);
	subsec_piece_mask(&p, map);
	KUNIT_EXPECT_EQ(test, map[0], 0UL);
	KUNIT_EXPECT_EQ(test, map[1], ULONG_MAX);
	KUNIT_EXPECT_EQ(test, map[2], ULONG_MAX);
	KUNIT_EXPECT_EQ(test, map[3], 0xffffffffUL);
	KUNIT_EXPECT_FALSE(test, subsec_walk_next(&w, &p));
}

struct allowed_case {
	const char *name;
	unsigned int want, page, map, kasan, arch;
	unsigned int expect;
};

/*
 * KASAN's shadow page covers 8 (generic) or 16 (software tags) granules
 * of memory per shadow byte times a page: 4K << 3 = 32K on x86_64,
 * 4K << 4 = 64K on arm64 with tags, 64K << 3 = 512K on arm64 64K.
 * ppc64's vmemmap code probes by 2 MiB: its floor is 2 MiB (21).
 */
static const struct allowed_case allowed_cases[] = {
	{ .name = "x86_64-64K", .want = 16, .page = 12, .map = 12,
	  .kasan = 0, .arch = 0, .expect = 16 },
	{ .name = "x86_64-4K", .want = 12, .page = 12, .map = 12,
	  .kasan = 0, .arch = 0, .expect = 12 },
	{ .name = "x86_64-kasan-4K-to-32K", .want = 12, .page = 12, .map = 12,
	  .kasan = 15, .arch = 0, .expect = 15 },
	{ .name = "x86_64-kasan-64K-kept", .want = 16, .page = 12, .map = 12,
	  .kasan = 15, .arch = 0, .expect = 16 },
	{ .name = "x86_64-kasan-32K-kept", .want = 15, .page = 12, .map = 12,
	  .kasan = 15, .arch = 0, .expect = 15 },
	{ .name = "arm64-4K-tags-32K-to-64K", .want = 15, .page = 12, .map = 12,
	  .kasan = 16, .arch = 0, .expect = 16 },
	{ .name = "arm64-64K-kasan-64K-to-512K", .want = 16, .page = 16, .map = 16,
	  .kasan = 19, .arch = 0, .expect = 19 },
	{ .name = "map-min-16K-4K-to-16K", .want = 12, .page = 12, .map = 14,
	  .kasan = 0, .arch = 0, .expect = 14 },
	{ .name = "default-2M", .want = 21, .page = 12, .map = 12,
	  .kasan = 15, .arch = 0, .expect = 21 },
	{ .name = "below-page", .want = 9, .page = 16, .map = 12,
	  .kasan = 0, .arch = 0, .expect = 16 },
	{ .name = "ppc64-64K-to-2M", .want = 16, .page = 16, .map = 12,
	  .kasan = 0, .arch = 21, .expect = 21 },
	{ .name = "ppc64-1M-to-2M", .want = 20, .page = 16, .map = 12,
	  .kasan = 0, .arch = 21, .expect = 21 },
	{ .name = "ppc64-2M-kept", .want = 21, .page = 16, .map = 12,
	  .kasan = 0, .arch = 21, .expect = 21 },
	{ .name = "ppc64-kasan-arch-wins", .want = 16, .page = 16, .map = 12,
	  .kasan = 19, .arch = 21, .expect = 21 },
	{ .name = "kasan-above-arch", .want = 12, .page = 12, .map = 12,
	  .kasan = 22, .arch = 21, .expect = 22 },
};

KUNIT_ARRAY_PARAM_DESC(allowed, allowed_cases, name);

/* subsection_size= below what a kernel allows gets the finest allowed. */
static void shift_allowed_by_hand(struct kunit *test)
{
	const struct allowed_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, subsec_shift_allowed(c->want, c->page, c->map,
						   c->kasan, c->arch),
			c->expect);
}

struct spill_case {
	const char *name;
	unsigned long block, end, block_pages;
	bool spills;
	unsigned long last;
};

/*
 * Pageblocks in pfns: 512 (2 MiB of 4 KiB pages: x86_64 / arm64 4K with
 * THP), 1024 (4 MiB: x86_64 without THP or hugetlb), 2048 (32 MiB of 16
 * KiB pages: arm64 16K), 8192 (512 MiB of 64 KiB pages: arm64 64K), 256
 * (16 MiB of 64 KiB pages: ppc64 hash).  The range ends at @end; the
 * expected last pfn is the pageblock's, block | (pages - 1), by hand.
 */
static const struct spill_case spill_cases[] = {
	{ .name = "2M-block-ends-with-range", .block = 0x200, .end = 0x400,
	  .block_pages = 512, .last = 0 },
	{ .name = "2M-range-ends-past-block", .block = 0x200, .end = 0x10000,
	  .block_pages = 512, .last = 0 },
	{ .name = "2M-1M-range-then-rest", .block = 0x6dc00, .end = 0x6dd00,
	  .block_pages = 512, .spills = true, .last = 0x6ddff },
	{ .name = "2M-64K-range", .block = 0x200, .end = 0x210,
	  .block_pages = 512, .spills = true, .last = 0x3ff },
	{ .name = "2M-one-page-range", .block = 0x200, .end = 0x201,
	  .block_pages = 512, .spills = true, .last = 0x3ff },
	{ .name = "2M-last-page-left", .block = 0x200, .end = 0x3ff,
	  .block_pages = 512, .spills = true, .last = 0x3ff },
	{ .name = "4M-2M-range", .block = 0x400, .end = 0x600,
	  .block_pages = 1024, .spills = true, .last = 0x7ff },
	{ .name = "4M-4M-range", .block = 0x400, .end = 0x800,
	  .block_pages = 1024, .last = 0 },
	{ .name = "arm64-16K-2M-range", .block = 0x800, .end = 0x880,
	  .block_pages = 2048, .spills = true, .last = 0xfff },
	{ .name = "arm64-64K-2M-range", .block = 0x2000, .end = 0x2020,
	  .block_pages = 8192, .spills = true, .last = 0x3fff },
	{ .name = "arm64-64K-512M-range", .block = 0x2000, .end = 0x4000,
	  .block_pages = 8192, .last = 0 },
	{ .name = "ppc64-16M-2M-range", .block = 0x100, .end = 0x120,
	  .block_pages = 256, .spills = true, .last = 0x1ff },
	{ .name = "mid-block-pfn", .block = 0x280, .end = 0x300,
	  .block_pages = 512, .spills = true, .last = 0x3ff },
	{ .name = "top-of-space", .block = ULONG_MAX & ~511UL, .end = ULONG_MAX,
	  .block_pages = 512, .spills = true, .last = ULONG_MAX },
	{ .name = "range-to-top", .block = ULONG_MAX & ~511UL, .end = 0,
	  .block_pages = 512, .last = 0 },
};

KUNIT_ARRAY_PARAM_DESC(spill, spill_cases, name);

/* Only a pageblock that reaches past the device range spills. */
static void pageblock_spill_by_hand(struct kunit *test)
{
	const struct spill_case *c = test->param_value;
	unsigned long last = 0x5a5a;

	KUNIT_EXPECT_EQ(test, subsec_pageblock_spill(c->block, c->end,
						     c->block_pages, &last),
			c->spills);
	/* Untouched unless it spills. */
	KUNIT_EXPECT_EQ(test, last, c->spills ? c->last : 0x5a5aUL);
}

struct split_case {
	const char *name;
	unsigned long pfn, end, block_pages;
	unsigned long head_end, tail_start;
};

/*
 * Head [pfn, head_end) and tail [tail_start, end) are the parts in
 * pageblocks reaching outside the range, worked out by hand from the
 * pageblock edges (multiples of block_pages) around pfn and end.
 */
static const struct split_case split_cases[] = {
	{ .name = "whole-blocks", .pfn = 0x200, .end = 0x600,
	  .block_pages = 512, .head_end = 0x200, .tail_start = 0x600 },
	{ .name = "inside-one-block", .pfn = 0x280, .end = 0x300,
	  .block_pages = 512, .head_end = 0x300, .tail_start = 0x300 },
	{ .name = "block-start-to-inside", .pfn = 0x200, .end = 0x210,
	  .block_pages = 512, .head_end = 0x200, .tail_start = 0x200 },
	{ .name = "inside-to-block-end", .pfn = 0x210, .end = 0x400,
	  .block_pages = 512, .head_end = 0x400, .tail_start = 0x400 },
	{ .name = "both-ends-partial", .pfn = 0x210, .end = 0x610,
	  .block_pages = 512, .head_end = 0x400, .tail_start = 0x600 },
	{ .name = "two-partial-blocks", .pfn = 0x3f0, .end = 0x410,
	  .block_pages = 512, .head_end = 0x400, .tail_start = 0x400 },
	{ .name = "one-page", .pfn = 0x3ff, .end = 0x400, .block_pages = 512,
	  .head_end = 0x400, .tail_start = 0x400 },
	{ .name = "one-page-at-block-start", .pfn = 0x400, .end = 0x401,
	  .block_pages = 512, .head_end = 0x400, .tail_start = 0x400 },
	{ .name = "arm64-64K-2M-in-512M", .pfn = 0x2020, .end = 0x2040,
	  .block_pages = 8192, .head_end = 0x2040, .tail_start = 0x2040 },
	{ .name = "block-of-one-page", .pfn = 0x10, .end = 0x20,
	  .block_pages = 1, .head_end = 0x10, .tail_start = 0x20 },
	{ .name = "last-block-to-top", .pfn = ULONG_MAX - 0x1ff,
	  .end = ULONG_MAX, .block_pages = 512, .head_end = ULONG_MAX - 0x1ff,
	  .tail_start = ULONG_MAX - 0x1ff },
	{ .name = "inside-last-block", .pfn = ULONG_MAX - 0xff,
	  .end = ULONG_MAX, .block_pages = 512, .head_end = ULONG_MAX,
	  .tail_start = ULONG_MAX },
};

KUNIT_ARRAY_PARAM_DESC(split, split_cases, name);

/* The ends of a range that share a pageblock with what lies outside. */
static void pageblock_split_by_hand(struct kunit *test)
{
	const struct split_case *c = test->param_value;
	unsigned long head_end, tail_start;

	subsec_pageblock_split(c->pfn, c->end, c->block_pages, &head_end,
			       &tail_start);
	KUNIT_EXPECT_EQ(test, head_end, c->head_end);
	KUNIT_EXPECT_EQ(test, tail_start, c->tail_start);
	/* Pieces in order, within the range; the middle is whole blocks. */
	KUNIT_EXPECT_LE(test, c->pfn, head_end);
	KUNIT_EXPECT_LE(test, head_end, tail_start);
	KUNIT_EXPECT_LE(test, tail_start, c->end);
	if (head_end < tail_start) {
		KUNIT_EXPECT_EQ(test, head_end % c->block_pages, 0);
		KUNIT_EXPECT_EQ(test, tail_start % c->block_pages, 0);
	}
}

static struct kunit_case subsection_masks_cases[] = {
	KUNIT_CASE_PARAM(shift_allowed_by_hand, allowed_gen_params),
	KUNIT_CASE_PARAM(pageblock_spill_by_hand, spill_gen_params),
	KUNIT_CASE_PARAM(pageblock_split_by_hand, split_gen_params),
	KUNIT_CASE_PARAM(geom_sizes_match_hand_computed, geom_gen_params),
	KUNIT_CASE_PARAM(geom_check_rejects_bad_layouts, bad_geom_gen_params),
	KUNIT_CASE_PARAM(section_nr_of_section_edges, geom_gen_params),
	KUNIT_CASE_PARAM(subsection_index_of_every_subsection, geom_gen_params),
	KUNIT_CASE_PARAM(align_down_and_up, geom_gen_params),
	KUNIT_CASE_PARAM(align_up_overflow, geom_gen_params),
	KUNIT_CASE_PARAM(range_check_edges, range_gen_params),
	KUNIT_CASE_PARAM(range_check_overflow, geom_gen_params),
	KUNIT_CASE_PARAM(walk_single_subsection, geom_gen_params),
	KUNIT_CASE_PARAM(walk_whole_section, geom_gen_params),
	KUNIT_CASE_PARAM(walk_crossing_one_boundary, geom_gen_params),
	KUNIT_CASE_PARAM(walk_many_sections, geom_gen_params),
	KUNIT_CASE_PARAM(walk_last_section_of_space, geom_gen_params),
	KUNIT_CASE_PARAM(walk_unaligned_range, geom_gen_params),
	KUNIT_CASE_PARAM(walk_rejects_bad_ranges, geom_gen_params),
	KUNIT_CASE_PARAM(walk_random_ranges, geom_gen_params),
	KUNIT_CASE_PARAM(piece_mask_matches_reference, geom_gen_params),
	KUNIT_CASE(hand_computed_mixed_section_pmem),
	KUNIT_CASE(hand_computed_arm64_64k_words),
	{}
};

static struct kunit_suite subsection_masks_suite = {
	.name = "subsection_masks",
	.test_cases = subsection_masks_cases,
};

kunit_test_suite(subsection_masks_suite);

/* ---- subsection_chunks: splitting a memmap init among workers ---- */

struct chunks_case {
	const char *name;
	int geom;
	unsigned long pfn, nr_pages, compound, min_pages;
	unsigned int max_chunks;
	unsigned int nr;		/* chunks expected, by hand */
	unsigned long first, last;	/* pages of the first and last one */
};

/*
 * Worked out by hand: the granule is max(compound, sub-section) pages,
 * the granules are dealt out evenly, the first chunks one more.
 */
static const struct chunks_case chunks_cases[] = {
	/* 1 GiB, 2 MiB granules (512 pages): 512 of them, 128 each */
	{ .name = "x86-1G-4-workers", .geom = GEOM_X86_64, .pfn = 0x100000,
	  .nr_pages = 262144, .compound = 1, .min_pages = 0, .max_chunks = 4,
	  .nr = 4, .first = 65536, .last = 65536 },
	/* 512 granules over 3: 171, 171, 170 */
	{ .name = "x86-1G-3-workers", .geom = GEOM_X86_64, .pfn = 0x100000,
	  .nr_pages = 262144, .compound = 1, .min_pages = 0, .max_chunks = 3,
	  .nr = 3, .first = 87552, .last = 87040 },
	/* 4 GiB of 1 GiB compound pages: four granules, one each */
	{ .name = "x86-4G-1G-pages", .geom = GEOM_X86_64, .pfn = 0x100000,
	  .nr_pages = 1048576, .compound = 262144, .min_pages = 0,
	  .max_chunks = 8, .nr = 4, .first = 262144, .last = 262144 },
	/* 2 MiB compound pages on 64 KiB sub-sections: 2 MiB granules */
	{ .name = "x86-sub64K-2M-pages", .geom = GEOM_X86_64_64K, .pfn = 0x200,
	  .nr_pages = 2048, .compound = 512, .min_pages = 0, .max_chunks = 2,
	  .nr = 2, .first = 1024, .last = 1024 },
	/* 100 pages, 16-page granules: 7 (the last 4 pages), 2+2+2+1 */
	{ .name = "x86-sub64K-short-last", .geom = GEOM_X86_64_64K, .pfn = 0x10,
	  .nr_pages = 100, .compound = 1, .min_pages = 0, .max_chunks = 4,
	  .nr = 4, .first = 32, .last = 4 },
	/* below the floor: one chunk */
	{ .name = "below-min-pages", .geom = GEOM_X86_64, .pfn = 0x200,
	  .nr_pages = 4096, .compound = 1, .min_pages = 8192, .max_chunks = 8,
	  .nr = 1, .first = 4096, .last = 4096 },
	/* the floor allows two of 16384 */
	{ .name = "min-pages-two", .geom = GEOM_X86_64, .pfn = 0x200,
	  .nr_pages = 32768, .compound = 1, .min_pages = 16384, .max_chunks = 8,
	  .nr = 2, .first = 16384, .last = 16384 },
	/* a single sub-section: one chunk, whatever the workers */
	{ .name = "one-subsection", .geom = GEOM_X86_64, .pfn = 0x200,
	  .nr_pages = 512, .compound = 1, .min_pages = 0, .max_chunks = 16,
	  .nr = 1, .first = 512, .last = 512 },
	/* one-page sub-sections, 5 pages over 2: 3 and 2 */
	{ .name = "sub4K-odd", .geom = GEOM_X86_64_4K, .pfn = 0x7,
	  .nr_pages = 5, .compound = 1, .min_pages = 0, .max_chunks = 2,
	  .nr = 2, .first = 3, .last = 2 },
	/* arm64 64K pages, 512 MiB compound pages (PMD) on 2 GiB */
	{ .name = "arm64-64K-512M-pages", .geom = GEOM_ARM64_64K, .pfn = 0x8000,
	  .nr_pages = 32768, .compound = 8192, .min_pages = 0, .max_chunks = 2,
	  .nr = 2, .first = 16384, .last = 16384 },
	/* ppc64: 16 MiB sections, 2 MiB sub-sections of 32 pages */
	{ .name = "ppc64-48M-2-workers", .geom = GEOM_PPC64, .pfn = 0x100,
	  .nr_pages = 768, .compound = 1, .min_pages = 0, .max_chunks = 2,
	  .nr = 2, .first = 384, .last = 384 },
};

KUNIT_ARRAY_PARAM_DESC(chunks, chunks_cases, name);

/*
 * Properties every split has, checked independently of how it was made:
 * the chunks tile the range in order, none is empty, there are at most
 * @max of them, and every boundary inside the range lies on the granule
 * grid counted from the start.
 */
static void expect_tiling(struct kunit *test, const struct subsec_chunk *ch,
			  unsigned int nr, unsigned long pfn,
			  unsigned long nr_pages, unsigned long gran,
			  unsigned int max)
{
	unsigned long at = pfn;
	unsigned int i;

	KUNIT_ASSERT_GE(test, nr, 1U);
	KUNIT_EXPECT_LE(test, nr, max);
	for (i = 0; i < nr; i++) {
		KUNIT_EXPECT_EQ(test, ch[i].pfn, at);
		KUNIT_EXPECT_GT(test, ch[i].nr_pages, 0UL);
		at += ch[i].nr_pages;
		if (i + 1 < nr)
			KUNIT_EXPECT_EQ(test, (at - pfn) % gran, 0UL);
	}
	KUNIT_EXPECT_EQ(test, at, pfn + nr_pages);
}

static void chunks_by_hand(struct kunit *test)
{
	const struct chunks_case *c = test->param_value;
	const struct subsec_geom *g = &geom_cases[c->geom].g;
	unsigned long gran = max(c->compound,
				 geom_cases[c->geom].pages_per_subsection);
	struct subsec_chunk ch[16];
	unsigned int nr;

	nr = subsec_memmap_chunks(g, c->pfn, c->nr_pages, c->compound,
				  c->min_pages, c->max_chunks, ch);
	KUNIT_ASSERT_EQ(test, nr, c->nr);
	KUNIT_EXPECT_EQ(test, ch[0].nr_pages, c->first);
	KUNIT_EXPECT_EQ(test, ch[nr - 1].nr_pages, c->last);
	expect_tiling(test, ch, nr, c->pfn, c->nr_pages, gran, c->max_chunks);
}

/* Seeded random ranges, compound sizes and worker counts per geometry. */
static void chunks_random_tile(struct kunit *test)
{
	const struct geom_case *c = geom_param(test);
	unsigned long sub = c->pages_per_subsection;
	struct subsec_chunk ch[64];
	struct rnd_state rnd;
	int round;

	prandom_seed_state(&rnd, 0xc4a2c5);
	for (round = 0; round < 500; round++) {
		unsigned long compound = 1UL << (prandom_u32_state(&rnd) % 14);
		unsigned long nr_pages = 1 + prandom_u32_state(&rnd) % (1 << 20);
		unsigned long pfn = (prandom_u32_state(&rnd) % 4096) * sub;
		unsigned int max = 1 + prandom_u32_state(&rnd) % 64;
		unsigned long min_pages = prandom_u32_state(&rnd) % 2 ?
					  prandom_u32_state(&rnd) % 65536 : 0;
		unsigned long gran = max(compound, sub);
		unsigned long granules = DIV_ROUND_UP(nr_pages, gran);
		unsigned int nr;

		nr = subsec_memmap_chunks(&c->g, pfn, nr_pages, compound,
					  min_pages, max, ch);
		expect_tiling(test, ch, nr, pfn, nr_pages, gran, max);
		/* never more chunks than granules or than the floor allows */
		KUNIT_EXPECT_LE(test, (unsigned long)nr, granules);
		if (min_pages && nr > 1)
			KUNIT_EXPECT_LE(test, (unsigned long)nr,
					nr_pages / min_pages);
		/* even: chunk sizes in granules differ by at most one */
		if (nr > 2)
			KUNIT_EXPECT_LE(test, ch[0].nr_pages - ch[nr - 2].nr_pages,
					gran);
	}
}

/* Bad arguments: no chunks and the array untouched. */
static void chunks_refuse_bad_input(struct kunit *test)
{
	const struct subsec_geom *g = &geom_cases[GEOM_X86_64].g;
	struct subsec_chunk ch[2] = { { 7, 7 }, { 7, 7 } };

	KUNIT_EXPECT_EQ(test, subsec_memmap_chunks(g, 0x200, 0, 1, 0, 2, ch),
			0U);
	KUNIT_EXPECT_EQ(test, subsec_memmap_chunks(g, 0x200, 512, 1, 0, 0, ch),
			0U);
	KUNIT_EXPECT_EQ(test, subsec_memmap_chunks(g, 0x200, 512, 3, 0, 2, ch),
			0U);
	KUNIT_EXPECT_EQ(test, subsec_memmap_chunks(g, 0x201, 512, 1, 0, 2, ch),
			0U);
	KUNIT_EXPECT_EQ(test, subsec_memmap_chunks(g, ULONG_MAX - 511, 1024,
						   1, 0, 2, ch), 0U);
	KUNIT_EXPECT_EQ(test, ch[0].pfn, 7UL);
	KUNIT_EXPECT_EQ(test, ch[1].nr_pages, 7UL);
}

static struct kunit_case subsection_chunks_cases[] = {
	KUNIT_CASE_PARAM(chunks_by_hand, chunks_gen_params),
	KUNIT_CASE_PARAM(chunks_random_tile, geom_gen_params),
	KUNIT_CASE(chunks_refuse_bad_input),
	{}
};

static struct kunit_suite subsection_chunks_suite = {
	.name = "subsection_chunks",
	.test_cases = subsection_chunks_cases,
};

kunit_test_suite(subsection_chunks_suite);

MODULE_DESCRIPTION("KUnit tests for sub-section masks");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
