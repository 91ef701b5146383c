// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "pfn_radix": the pfn range -> owner map of
 * mm/pfn_radix.c, for every layout in subsection_kunit_geoms.h.
 *
 * A reference model in the test keeps one owner per sub-section of a
 * window of four sections, whether its range is retired, and the list of
 * ranges inserted.  After every step the radix must agree with it on the
 * first and last pfn of every sub-section of the window and of its two
 * outer neighbours (lookup: the owner of a live range; claimed: any
 * range), and hold
 * exactly as many XArray entries as the ranges' aligned blocks, counted
 * by a formula of the test's own (bits of the distances to the largest
 * aligned point inside the range), not by the splitting under test.
 */
#include <kunit/test.h>
#include <linux/bitops.h>
#include <linux/fault-inject.h>
#include <linux/pfn_radix.h>
#include <linux/prandom.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "subsection_kunit_geoms.h"

/*
 * The window starts at sub-section 1024: aligned far beyond anything the
 * cases insert, and inside even the 4 GiB of x86-32.  It is four
 * sections, or WIN_CAP sub-sections where sub-sections are fine (the
 * radix indexes sub-sections and knows nothing of sections; with 2 MiB
 * sub-sections 1024 covers a section of every layout, and the window is
 * section aligned).
 */
#define BASE		1024UL
#define WIN_SECTIONS	4
#define WIN_CAP		1024U
#define NR_OWNERS	8
#define NR_RANGES	64

static int owner_objs[NR_OWNERS];
#define OWNER(i)	((void *)&owner_objs[i])

struct live_range {
	unsigned long first;	/* sub-section, relative to BASE */
	unsigned long n;
	void *owner;
	bool retired;
};

struct model {
	const struct geom_case *c;
	struct pfn_radix r;
	unsigned long win;		/* sub-sections in the window */
	void **owner;			/* win entries */
	bool *retired;			/* win entries */
	struct live_range live[NR_RANGES];
	unsigned int nr_live;
};

static unsigned long sub_pfn(const struct model *m, long sub)
{
	return (BASE + sub) * m->c->pages_per_subsection;
}

static unsigned long subs(const struct model *m, unsigned long n)
{
	return n * m->c->pages_per_subsection;
}

static struct model *model_new(struct kunit *test, const struct geom_case *c)
{
	struct model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->c = c;
	/* At least four XArray leaf nodes' worth (64 entries each). */
	m->win = clamp(WIN_SECTIONS * c->nsub, 256U, WIN_CAP);
	m->owner = kunit_kcalloc(test, m->win, sizeof(*m->owner), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->owner);
	m->retired = kunit_kcalloc(test, m->win, sizeof(*m->retired), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->retired);
	pfn_radix_init(&m->r, &c->g);
	return m;
}

static void model_free(struct model *m)
{
	pfn_radix_destroy(&m->r);
}

/*
 * Blocks of the aligned decomposition of [a, b), by the test's formula:
 * mid, the multiple of 2^h inside the range (h the highest bit where a
 * and b - 1 differ), splits it into blocks growing up to mid, one per bit
 * of mid - a, and blocks shrinking after it, one per bit of b - mid; the
 * two middle ones merge only when both are 2^h.
 */
static unsigned long ref_blocks(unsigned long a, unsigned long b)
{
	unsigned long mid, h;

	if (b - a == 1)
		return 1;
	h = __fls(a ^ (b - 1));
	mid = (b - 1) & ~((1UL << h) - 1);
	if (mid - a == 1UL << h && b - mid == 1UL << h)
		return 1;
	return hweight_long(mid - a) + hweight_long(b - mid);
}

static unsigned long count_entries(struct pfn_radix *r)
{
	unsigned long index, n = 0;
	void *entry;

	xa_for_each(&r->xa, index, entry)
		n++;
	return n;
}

/* The radix agrees with the model everywhere in and around the window. */
static void check_model(struct kunit *test, struct model *m, const char *step)
{
	unsigned long blocks = 0;
	unsigned int i;
	long k;

	for (k = -1; k <= (long)m->win; k++) {
		bool in = k >= 0 && k < m->win;
		void *claim = in ? m->owner[k] : NULL;
		void *want = in && !m->retired[k] ? claim : NULL;
		unsigned long pfn = sub_pfn(m, k);
		unsigned long last = pfn + subs(m, 1) - 1;

		KUNIT_EXPECT_PTR_EQ_MSG(test, pfn_radix_lookup(&m->r, pfn), want,
					"%s: %s: first pfn of sub-section %ld",
					m->c->g.name, step, k);
		KUNIT_EXPECT_PTR_EQ_MSG(test, pfn_radix_lookup(&m->r, last),
					want, "%s: %s: last pfn of sub-section %ld",
					m->c->g.name, step, k);
		KUNIT_EXPECT_EQ_MSG(test, pfn_radix_claimed(&m->r, pfn), !!claim,
				    "%s: %s: first pfn of sub-section %ld claimed",
				    m->c->g.name, step, k);
		KUNIT_EXPECT_EQ_MSG(test, pfn_radix_claimed(&m->r, last), !!claim,
				    "%s: %s: last pfn of sub-section %ld claimed",
				    m->c->g.name, step, k);
	}
	for (i = 0; i < m->nr_live; i++)
		blocks += ref_blocks(BASE + m->live[i].first,
				     BASE + m->live[i].first + m->live[i].n);
	KUNIT_EXPECT_EQ_MSG(test, count_entries(&m->r), blocks,
			    "%s: %s: entries", m->c->g.name, step);
}

/* What insert must return for [first, first + n), by the model. */
static int ref_insert_rc(const struct model *m, unsigned long first,
			 unsigned long n)
{
	unsigned long k;

	for (k = first; k < first + n; k++)
		if (m->owner[k])
			return -EEXIST;
	return 0;
}

static int model_insert(struct kunit *test, struct model *m,
			unsigned long first, unsigned long n, void *owner)
{
	int want = ref_insert_rc(m, first, n);
	int rc = pfn_radix_insert(&m->r, sub_pfn(m, first), subs(m, n), owner,
				  GFP_KERNEL);
	unsigned long k;

	KUNIT_EXPECT_EQ_MSG(test, rc, want, "%s: insert %lu+%lu",
			    m->c->g.name, first, n);
	if (!rc && !want) {
		for (k = first; k < first + n; k++)
			m->owner[k] = owner;
		m->live[m->nr_live++] = (struct live_range){ first, n, owner };
	}
	return rc;
}

/* Retire live range i: 0, or -EALREADY the second time. */
static void model_retire(struct kunit *test, struct model *m, unsigned int i)
{
	struct live_range *l = &m->live[i];
	unsigned long k;

	KUNIT_EXPECT_EQ_MSG(test, pfn_radix_retire(&m->r, sub_pfn(m, l->first),
						   subs(m, l->n), l->owner),
			    l->retired ? -EALREADY : 0, "%s: retire %lu+%lu",
			    m->c->g.name, l->first, l->n);
	l->retired = true;
	for (k = l->first; k < l->first + l->n; k++)
		m->retired[k] = true;
}

static void model_erase(struct kunit *test, struct model *m, unsigned int i)
{
	struct live_range l = m->live[i];
	unsigned long k;

	KUNIT_EXPECT_EQ_MSG(test, pfn_radix_erase(&m->r, sub_pfn(m, l.first),
						  subs(m, l.n), l.owner), 0,
			    "%s: erase %lu+%lu", m->c->g.name, l.first, l.n);
	for (k = l.first; k < l.first + l.n; k++) {
		m->owner[k] = NULL;
		m->retired[k] = false;
	}
	m->live[i] = m->live[--m->nr_live];
}

/* A fresh radix owns nothing; one sub-section is found at both ends. */
static void empty_then_one_subsection(struct kunit *test)
{
	struct model *m = model_new(test, geom_param(test));

	check_model(test, m, "empty");
	KUNIT_EXPECT_NULL(test, pfn_radix_find(&m->r, 0, m->c->limit));
	model_insert(test, m, 5, 1, OWNER(0));
	check_model(test, m, "one");
	KUNIT_EXPECT_EQ(test, count_entries(&m->r), 1);
	model_erase(test, m, 0);
	check_model(test, m, "erased");
	KUNIT_EXPECT_TRUE(test, xa_empty(&m->r.xa));
	model_free(m);
}

/*
 * Ranges of 2^j sub-sections at every alignment 2^j, from one
 * sub-section to two whole sections, and the same lengths shifted by one
 * sub-section (the worst split).
 */
static void every_alignment(struct kunit *test)
{
	struct model *m = model_new(test, geom_param(test));
	unsigned long n;

	for (n = 1; n <= 2 * m->c->nsub && 2 * n <= m->win; n <<= 1) {
		model_insert(test, m, n, n, OWNER(1));
		check_model(test, m, "aligned");
		model_erase(test, m, 0);
		if (n + 1 + n <= m->win) {
			model_insert(test, m, n + 1, n, OWNER(2));
			check_model(test, m, "shifted");
			model_erase(test, m, 0);
		}
		KUNIT_EXPECT_TRUE(test, xa_empty(&m->r.xa));
	}
	model_free(m);
}

/* Ranges (in sub-sections from BASE) and their block counts by hand. */
struct blocks_case {
	unsigned long first, n, blocks;
};

static const struct blocks_case blocks_cases[] = {
	{ .first = 0, .n = 1, .blocks = 1 },	/* [0,1) */
	{ .first = 0, .n = 2, .blocks = 1 },	/* [0,2) */
	{ .first = 0, .n = 3, .blocks = 2 },	/* [0,2) [2,3) */
	{ .first = 1, .n = 2, .blocks = 2 },	/* [1,2) [2,3) */
	{ .first = 1, .n = 7, .blocks = 3 },	/* [1,2) [2,4) [4,8) */
	{ .first = 3, .n = 10, .blocks = 4 },	/* [3,4) [4,8) [8,12) [12,13) */
	{ .first = 5, .n = 1, .blocks = 1 },	/* [5,6) */
	{ .first = 7, .n = 2, .blocks = 2 },	/* [7,8) [8,9) */
	{ .first = 31, .n = 34, .blocks = 3 },	/* [31,32) [32,64) [64,65) */
	{ .first = 1, .n = 30, .blocks = 8 },	/* 1 2-4 4-8 8-16 16-24 24-28 28-30 30-31 */
	{ .first = 64, .n = 64, .blocks = 1 },	/* [64,128) */
	{ .first = 63, .n = 66, .blocks = 3 },	/* [63,64) [64,128) [128,129) */
};

/* Every range is stored as its hand-counted number of aligned blocks. */
static void blocks_counted_by_hand(struct kunit *test)
{
	struct model *m = model_new(test, geom_param(test));
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(blocks_cases); i++) {
		const struct blocks_case *b = &blocks_cases[i];

		if (b->first + b->n > m->win)
			continue;
		KUNIT_ASSERT_EQ(test, model_insert(test, m, b->first, b->n,
						   OWNER(3)), 0);
		KUNIT_EXPECT_EQ_MSG(test, count_entries(&m->r), b->blocks,
				    "%lu+%lu", b->first, b->n);
		KUNIT_EXPECT_EQ(test, ref_blocks(BASE + b->first,
						 BASE + b->first + b->n),
				b->blocks);
		check_model(test, m, "blocks");
		model_erase(test, m, 0);
	}
	model_free(m);
}

/*
 * Two owners share a section but no sub-section, on either side of every
 * boundary of the first section (of its first WIN_CAP sub-sections where
 * it has more); erasing one leaves the other intact.
 */
static void neighbours_in_one_section(struct kunit *test)
{
	struct model *m = model_new(test, geom_param(test));
	unsigned long k, nsub = min_t(unsigned long, m->c->nsub, m->win);

	for (k = 1; k < nsub; k++) {
		model_insert(test, m, 0, k, OWNER(0));
		model_insert(test, m, k, nsub - k, OWNER(1));
		check_model(test, m, "both");
		model_erase(test, m, k & 1);
		check_model(test, m, "one left");
		model_erase(test, m, 0);
	}
	KUNIT_EXPECT_TRUE(test, xa_empty(&m->r.xa));
	model_free(m);
}

/* Overlap shapes against a live range of 8 sub-sections at 12. */
struct overlap_case {
	const char *name;
	long first;
	unsigned long n;
};

static const struct overlap_case overlap_cases[] = {
	{ .name = "identical", .first = 12, .n = 8 },
	{ .name = "inside", .first = 14, .n = 2 },
	{ .name = "containing", .first = 8, .n = 16 },
	{ .name = "straddling-first", .first = 10, .n = 4 },
	{ .name = "straddling-last", .first = 18, .n = 4 },
	{ .name = "first-subsection", .first = 12, .n = 1 },
	{ .name = "last-subsection", .first = 19, .n = 1 },
	{ .name = "one-before-to-first", .first = 11, .n = 2 },
	{ .name = "last-to-one-after", .first = 19, .n = 2 },
};

static void overlap_desc(const struct overlap_case *o, char *desc)
{
	strscpy(desc, o->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(overlap, overlap_cases, overlap_desc);

/* Every overlap is -EEXIST on every layout and changes nothing. */
static void overlap_refused(struct kunit *test)
{
	const struct overlap_case *o = test->param_value;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(geom_cases); i++) {
		struct model *m = model_new(test, &geom_cases[i]);

		model_insert(test, m, 12, 8, OWNER(0));
		model_insert(test, m, 0, 4, OWNER(2));
		KUNIT_EXPECT_EQ_MSG(test,
				    pfn_radix_insert(&m->r, sub_pfn(m, o->first),
						     subs(m, o->n), OWNER(1),
						     GFP_KERNEL),
				    -EEXIST, "%s", m->c->g.name);
		/* The same owner may not overlap itself either. */
		KUNIT_EXPECT_EQ_MSG(test,
				    pfn_radix_insert(&m->r, sub_pfn(m, o->first),
						     subs(m, o->n), OWNER(0),
						     GFP_KERNEL),
				    -EEXIST, "%s", m->c->g.name);
		check_model(test, m, o->name);
		KUNIT_EXPECT_PTR_EQ(test, pfn_radix_find(&m->r,
							 sub_pfn(m, o->first),
							 subs(m, o->n)),
				    OWNER(0));
		model_free(m);
	}
}

/* Bad ranges and owners, for insert, retire and erase. */
struct bad_case {
	const char *name;
	int rc;
	bool by_page;	/* off by a page: none where a sub-section is one */
};

static const struct bad_case bad_cases[] = {
	{ .name = "empty", .rc = -EINVAL },
	{ .name = "start-misaligned", .rc = -EINVAL, .by_page = true },
	{ .name = "length-misaligned", .rc = -EINVAL, .by_page = true },
	{ .name = "length-one-page", .rc = -EINVAL, .by_page = true },
	{ .name = "wrapping", .rc = -EOVERFLOW },
	{ .name = "beyond-address-space", .rc = -ERANGE },
	{ .name = "null-owner", .rc = -EINVAL },
	{ .name = "value-owner", .rc = -EINVAL },
};

static void bad_desc(const struct bad_case *b, char *desc)
{
	strscpy(desc, b->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad, bad_cases, bad_desc);

static void bad_args(const struct model *m, unsigned int which,
		     unsigned long *pfn, unsigned long *nr, void **owner)
{
	unsigned long s = m->c->pages_per_subsection;

	*pfn = sub_pfn(m, 2);
	*nr = 2 * s;
	*owner = OWNER(4);
	switch (which) {
	case 0:		/* empty */
		*nr = 0;
		break;
	case 1:		/* start misaligned */
		*pfn += 1;
		break;
	case 2:		/* length misaligned */
		*nr += 1;
		break;
	case 3:		/* one page */
		*nr = 1;
		break;
	case 4:		/* wraps past the end of unsigned long */
		*pfn = ULONG_MAX - s + 1;
		break;
	case 5:		/* ends one sub-section past the address space */
		*pfn = m->c->limit - s;
		break;
	case 6:
		*owner = NULL;
		break;
	case 7:		/* looks like an XArray value entry */
		*owner = xa_mk_value(4);
		break;
	}
}

/* Refused with the errno of the rest of the core; nothing changes. */
static void bad_input_refused(struct kunit *test)
{
	const struct bad_case *b = test->param_value;
	unsigned int which = b - bad_cases;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(geom_cases); i++) {
		struct model *m;
		unsigned long pfn, nr;
		void *owner;

		if (b->by_page && geom_cases[i].pages_per_subsection == 1)
			continue;
		m = model_new(test, &geom_cases[i]);
		model_insert(test, m, 8, 3, OWNER(0));
		bad_args(m, which, &pfn, &nr, &owner);
		KUNIT_EXPECT_EQ_MSG(test, pfn_radix_insert(&m->r, pfn, nr, owner,
							   GFP_KERNEL),
				    b->rc, "%s insert", m->c->g.name);
		KUNIT_EXPECT_EQ_MSG(test, pfn_radix_retire(&m->r, pfn, nr, owner),
				    b->rc, "%s retire", m->c->g.name);
		KUNIT_EXPECT_EQ_MSG(test, pfn_radix_erase(&m->r, pfn, nr, owner),
				    b->rc, "%s erase", m->c->g.name);
		check_model(test, m, b->name);
		model_free(m);
	}
}

/*
 * Erase takes exactly one inserted range of its owner: anything else is
 * refused and changes nothing.
 */
static void erase_exact_range_only(struct kunit *test)
{
	struct model *m = model_new(test, geom_param(test));
	struct pfn_radix *r = &m->r;

	model_insert(test, m, 0, 3, OWNER(0));	/* [0,2) [2,3) */
	model_insert(test, m, 3, 1, OWNER(0));	/* adjacent, same owner */
	model_insert(test, m, 8, 8, OWNER(1));

	/* never inserted */
	KUNIT_EXPECT_EQ(test, pfn_radix_erase(r, sub_pfn(m, 20), subs(m, 2),
					      OWNER(0)), -ENOENT);
	/* another owner's */
	KUNIT_EXPECT_EQ(test, pfn_radix_erase(r, sub_pfn(m, 8), subs(m, 8),
					      OWNER(0)), -EPERM);
	/* the first block of [0,3) only */
	KUNIT_EXPECT_EQ(test, pfn_radix_erase(r, sub_pfn(m, 0), subs(m, 2),
					      OWNER(0)), -ENOENT);
	/* a part in the middle of [8,16) */
	KUNIT_EXPECT_EQ(test, pfn_radix_erase(r, sub_pfn(m, 10), subs(m, 2),
					      OWNER(1)), -ENOENT);
	/* the front half of [8,16): one entry of order 3, not order 2 */
	KUNIT_EXPECT_EQ(test, pfn_radix_erase(r, sub_pfn(m, 8), subs(m, 4),
					      OWNER(1)), -ENOENT);
	/* two adjacent ranges of one owner as one */
	KUNIT_EXPECT_EQ(test, pfn_radix_erase(r, sub_pfn(m, 0), subs(m, 4),
					      OWNER(0)), -ENOENT);
	/* [3,4) together with free space after it */
	KUNIT_EXPECT_EQ(test, pfn_radix_erase(r, sub_pfn(m, 3), subs(m, 2),
					      OWNER(0)), -ENOENT);
	/*
	 * Two ranges of one owner whose blocks are those of their union,
	 * [34,36) and [36,40): only the marks tell them apart.
	 */
	model_insert(test, m, 34, 2, OWNER(2));
	model_insert(test, m, 36, 4, OWNER(2));
	KUNIT_EXPECT_EQ(test, pfn_radix_erase(r, sub_pfn(m, 34), subs(m, 6),
					      OWNER(2)), -ENOENT);
	/* [8,16) and the free sub-section before it */
	KUNIT_EXPECT_EQ(test, pfn_radix_erase(r, sub_pfn(m, 7), subs(m, 9),
					      OWNER(1)), -ENOENT);
	check_model(test, m, "refusals");

	check_model(test, m, "marks");
	model_erase(test, m, 3);
	model_erase(test, m, 3);
	check_model(test, m, "both of one owner erased");

	/* The second range alone, then a second time. */
	model_erase(test, m, 1);
	check_model(test, m, "erased [3,4)");
	KUNIT_EXPECT_EQ(test, pfn_radix_erase(r, sub_pfn(m, 3), subs(m, 1),
					      OWNER(0)), -ENOENT);
	model_erase(test, m, 0);
	KUNIT_EXPECT_EQ(test, pfn_radix_erase(r, sub_pfn(m, 0), subs(m, 3),
					      OWNER(0)), -ENOENT);
	check_model(test, m, "double erase");
	model_free(m);
}

/*
 * A range whose blocks match an inserted range's first blocks but which
 * is shorter: the owner's entry right after it continues the range.
 */
static void erase_prefix_refused(struct kunit *test)
{
	struct model *m = model_new(test, geom_param(test));

	model_insert(test, m, 4, 6, OWNER(0));	/* [4,8) [8,10) */
	KUNIT_EXPECT_EQ(test, pfn_radix_erase(&m->r, sub_pfn(m, 4), subs(m, 4),
					      OWNER(0)), -ENOENT);
	check_model(test, m, "prefix");
	model_free(m);
}

/* find() sees any owned sub-section a pfn range touches, aligned or not. */
static void find_any_in_range(struct kunit *test)
{
	struct model *m = model_new(test, geom_param(test));
	unsigned long s = m->c->pages_per_subsection;

	model_insert(test, m, 6, 2, OWNER(5));
	KUNIT_EXPECT_NULL(test, pfn_radix_find(&m->r, sub_pfn(m, 0), 6 * s));
	KUNIT_EXPECT_PTR_EQ(test, pfn_radix_find(&m->r, sub_pfn(m, 0),
						 6 * s + 1), OWNER(5));
	KUNIT_EXPECT_PTR_EQ(test, pfn_radix_find(&m->r, sub_pfn(m, 8) - 1, 1),
			    OWNER(5));
	KUNIT_EXPECT_NULL(test, pfn_radix_find(&m->r, sub_pfn(m, 8), 100 * s));
	KUNIT_EXPECT_NULL(test, pfn_radix_find(&m->r, sub_pfn(m, 6), 0));
	KUNIT_EXPECT_NULL(test, pfn_radix_find(&m->r, ULONG_MAX, 2));
	model_free(m);
}

/*
 * A retired range answers NULL to lookups and -EBUSY to find, stays
 * claimed and taken for inserts, keeps its blocks, refuses a second
 * retire and every retire that erase would refuse, and erases whole.
 */
static void retire_hides_owner_keeps_range(struct kunit *test)
{
	struct model *m = model_new(test, geom_param(test));
	struct pfn_radix *r = &m->r;

	model_insert(test, m, 4, 6, OWNER(0));	/* [4,8) [8,10) */
	model_insert(test, m, 10, 2, OWNER(1));
	model_retire(test, m, 0);
	check_model(test, m, "retired");
	KUNIT_EXPECT_PTR_EQ(test, pfn_radix_find(r, sub_pfn(m, 0), subs(m, 12)),
			    ERR_PTR(-EBUSY));
	KUNIT_EXPECT_PTR_EQ(test, pfn_radix_find(r, sub_pfn(m, 9), subs(m, 3)),
			    ERR_PTR(-EBUSY));
	KUNIT_EXPECT_PTR_EQ(test, pfn_radix_find(r, sub_pfn(m, 10), subs(m, 2)),
			    OWNER(1));
	/* taken for every owner, its own included */
	KUNIT_EXPECT_EQ(test, model_insert(test, m, 6, 1, OWNER(2)), -EEXIST);
	KUNIT_EXPECT_EQ(test, model_insert(test, m, 4, 6, OWNER(0)), -EEXIST);
	/* a second retire; another owner's; a part; a prefix; a longer one */
	model_retire(test, m, 0);
	KUNIT_EXPECT_EQ(test, pfn_radix_retire(r, sub_pfn(m, 4), subs(m, 6),
					       OWNER(1)), -EPERM);
	KUNIT_EXPECT_EQ(test, pfn_radix_retire(r, sub_pfn(m, 8), subs(m, 2),
					       OWNER(0)), -ENOENT);
	KUNIT_EXPECT_EQ(test, pfn_radix_retire(r, sub_pfn(m, 4), subs(m, 4),
					       OWNER(0)), -ENOENT);
	KUNIT_EXPECT_EQ(test, pfn_radix_retire(r, sub_pfn(m, 4), subs(m, 8),
					       OWNER(0)), -ENOENT);
	KUNIT_EXPECT_EQ(test, pfn_radix_retire(r, sub_pfn(m, 20), subs(m, 2),
					       OWNER(0)), -ENOENT);
	/* erase refuses the same shapes retired as live */
	KUNIT_EXPECT_EQ(test, pfn_radix_erase(r, sub_pfn(m, 4), subs(m, 4),
					      OWNER(0)), -ENOENT);
	KUNIT_EXPECT_EQ(test, pfn_radix_erase(r, sub_pfn(m, 4), subs(m, 6),
					      OWNER(1)), -EPERM);
	check_model(test, m, "refusals");
	model_erase(test, m, 0);
	check_model(test, m, "retired range erased");
	KUNIT_EXPECT_PTR_EQ(test, pfn_radix_lookup(r, sub_pfn(m, 10)), OWNER(1));
	model_erase(test, m, 0);
	KUNIT_EXPECT_TRUE(test, xa_empty(&r->xa));
	model_free(m);
}

/*
 * The grace period owed before an owner is freed: retiring a live range
 * and erasing one record a cookie whose grace period has not passed
 * (checked inside a read-side section, which keeps one from passing,
 * the cookie first set to one that has, get_completed_synchronize_rcu());
 * erasing a retired range, or a refused call, records none, so a
 * pfn_radix_sync() after the retire's grace period returns at once.
 */
static void removal_records_grace_period(struct kunit *test)
{
	struct model *m = model_new(test, geom_param(test));
	unsigned long gp;

	model_insert(test, m, 2, 3, OWNER(0));
	model_insert(test, m, 8, 1, OWNER(1));

	m->r.removed_gp = get_completed_synchronize_rcu();
	rcu_read_lock();
	model_retire(test, m, 0);
	KUNIT_EXPECT_FALSE_MSG(test, poll_state_synchronize_rcu(m->r.removed_gp),
			       "retire");
	rcu_read_unlock();
	pfn_radix_sync(&m->r);
	gp = m->r.removed_gp;
	/* a cookie taken from here on would differ from gp */
	synchronize_rcu();

	model_erase(test, m, 0);	/* retired */
	KUNIT_EXPECT_EQ(test, m->r.removed_gp, gp);
	KUNIT_EXPECT_EQ(test, pfn_radix_retire(&m->r, sub_pfn(m, 2), subs(m, 3),
					       OWNER(0)), -ENOENT);
	KUNIT_EXPECT_EQ(test, pfn_radix_erase(&m->r, sub_pfn(m, 8), subs(m, 1),
					      OWNER(0)), -EPERM);
	KUNIT_EXPECT_EQ(test, m->r.removed_gp, gp);

	m->r.removed_gp = get_completed_synchronize_rcu();
	rcu_read_lock();
	model_erase(test, m, 0);	/* live */
	KUNIT_EXPECT_FALSE_MSG(test, poll_state_synchronize_rcu(m->r.removed_gp),
			       "erase of a live range");
	rcu_read_unlock();
	model_free(m);
}

/*
 * Disjoint ranges of random sizes and places, then erased in a seeded
 * random order, with the whole window checked after every step.
 */
static void random_erase_order(struct kunit *test)
{
	struct model *m = model_new(test, geom_param(test));
	struct rnd_state rnd;
	unsigned long k = 0;
	unsigned int round;

	prandom_seed_state(&rnd, 0x9f17ad1c);
	for (round = 0; round < 3; round++) {
		k = prandom_u32_state(&rnd) % 3;
		while (k < m->win && m->nr_live < NR_RANGES) {
			unsigned long n = 1 + prandom_u32_state(&rnd) %
					      (m->c->nsub + 2);

			n = min(n, m->win - k);
			model_insert(test, m, k, n,
				     OWNER(prandom_u32_state(&rnd) % NR_OWNERS));
			k += n + prandom_u32_state(&rnd) % 3;
		}
		check_model(test, m, "filled");
		while (m->nr_live) {
			model_erase(test, m, prandom_u32_state(&rnd) % m->nr_live);
			check_model(test, m, "random erase");
		}
		KUNIT_EXPECT_TRUE(test, xa_empty(&m->r.xa));
	}
	model_free(m);
}

/*
 * Random inserts (often overlapping, then refused), retires (some a
 * second time) and erases of live and retired ranges, each checked
 * against the model.
 */
static void random_ops_match_model(struct kunit *test)
{
	struct model *m = model_new(test, geom_param(test));
	struct rnd_state rnd;
	unsigned int step;

	prandom_seed_state(&rnd, 0x5b5ec7);
	for (step = 0; step < 400; step++) {
		unsigned int op = prandom_u32_state(&rnd) & 7;

		if (m->nr_live && op < 2) {
			model_erase(test, m, prandom_u32_state(&rnd) % m->nr_live);
		} else if (m->nr_live && op == 2) {
			model_retire(test, m, prandom_u32_state(&rnd) % m->nr_live);
		} else if (m->nr_live < NR_RANGES) {
			unsigned long first = prandom_u32_state(&rnd) % m->win;
			unsigned long n = 1 + prandom_u32_state(&rnd) %
					      min(m->win - first, 2UL * m->c->nsub);

			model_insert(test, m, first, n,
				     OWNER(prandom_u32_state(&rnd) % NR_OWNERS));
		}
		if (step % 8 == 0)
			check_model(test, m, "random");
	}
	check_model(test, m, "end");
	model_free(m);
}

/*
 * Insert [first, first + n) with the nth slab allocation of this task
 * failing (FAILSLAB's fail-nth); *reached tells whether there was an
 * nth.  NOWAIT, since failslab ignores allocations that may reclaim.
 * With @retry_fails the allocation the radix then retries with its lock
 * dropped fails too (fail_pfn_radix_nomem), so the insert must give up.
 */
static int insert_failing_nth(struct model *m, unsigned int nth,
			      unsigned long first, unsigned long n, void *owner,
			      bool retry_fails, bool *reached)
{
	int rc;

#if defined(CONFIG_FAILSLAB)
	fail_pfn_radix_nomem.verbose = 0;
	fail_pfn_radix_nomem.probability = retry_fails ? 100 : 0;
	atomic_set(&fail_pfn_radix_nomem.times, retry_fails ? 1 : 0);
	current->fail_nth = nth;
#endif
	rc = pfn_radix_insert(&m->r, sub_pfn(m, first), subs(m, n), owner,
			      GFP_NOWAIT | __GFP_NOWARN);
#if defined(CONFIG_FAILSLAB)
	*reached = !current->fail_nth;
	current->fail_nth = 0;
	fail_pfn_radix_nomem.probability = 0;
	atomic_set(&fail_pfn_radix_nomem.times, 0);
#else
	*reached = false;
#endif
	return rc;
}

/*
 * Fail the 1st, 2nd, ... allocation of inserting [first, first + n)
 * until an insert no longer reaches the nth.  Without @retry_fails the
 * radix recovers by allocating again with its lock dropped: the range
 * must then be mapped exactly (it is erased again).  With it, the insert
 * is -ENOMEM and the radix is as it was.  Returns the allocation points.
 */
static unsigned int fail_each_allocation(struct kunit *test, struct model *m,
					 unsigned long first, unsigned long n,
					 bool retry_fails)
{
	unsigned int nth, points = 0;
	bool reached = false;
	int rc = 0;

	for (nth = 1; nth < 200; nth++) {
		rc = insert_failing_nth(m, nth, first, n, OWNER(6), retry_fails,
					&reached);
		if (!reached)
			break;
		points++;
		KUNIT_EXPECT_EQ_MSG(test, rc, retry_fails ? -ENOMEM : 0,
				    "failing allocation %u", nth);
		if (rc == 0) {
			KUNIT_EXPECT_PTR_EQ(test,
					    pfn_radix_lookup(&m->r, sub_pfn(m, first)),
					    OWNER(6));
			KUNIT_EXPECT_EQ(test, pfn_radix_erase(&m->r, sub_pfn(m, first),
							      subs(m, n), OWNER(6)),
					0);
		}
		check_model(test, m, "after a failing allocation");
		if (!m->nr_live)
			KUNIT_EXPECT_TRUE_MSG(test, xa_empty(&m->r.xa),
					      "a node left after failing allocation %u",
					      nth);
	}
	/* The insert that reached no nth allocation went through. */
	KUNIT_EXPECT_EQ(test, rc, 0);
	if (!rc)
		KUNIT_EXPECT_EQ(test, pfn_radix_erase(&m->r, sub_pfn(m, first),
						      subs(m, n), OWNER(6)), 0);
	kunit_info(test, "%s: %u allocation points%s\n", m->c->g.name, points,
		   retry_fails ? ", the retry failing too" : "");
	return points;
}

/*
 * Allocation failure at every point of an insert, into an empty radix
 * (no XArray node may be left behind) and between live neighbours
 * (which survive every failure); once recovered by the retry, once not.
 */
static void alloc_failure_at_each_point(struct kunit *test)
{
	struct model *m;
	bool retry_fails;

	if (!IS_ENABLED(CONFIG_FAILSLAB))
		kunit_skip(test, "needs CONFIG_FAILSLAB");
	m = model_new(test, geom_param(test));

	for (retry_fails = false; ; retry_fails = true) {
		KUNIT_EXPECT_GT(test, fail_each_allocation(test, m, 1, m->win - 3,
							   retry_fails), 0);
		KUNIT_EXPECT_TRUE(test, xa_empty(&m->r.xa));
		/*
		 * Across two leaf nodes (64 entries each): the second block
		 * needs a node of its own after the first is stored, which
		 * must go again when that node cannot be had.
		 */
		KUNIT_EXPECT_GT(test, fail_each_allocation(test, m, 63, 3,
							   retry_fails), 0);
		KUNIT_EXPECT_TRUE(test, xa_empty(&m->r.xa));
		if (retry_fails)
			break;
	}

	/* Between them, in a leaf node of its own: it must allocate. */
	model_insert(test, m, 0, 1, OWNER(0));
	model_insert(test, m, m->win - 1, 1, OWNER(1));
	KUNIT_EXPECT_GT(test, fail_each_allocation(test, m, 65, 3, false), 0);
	KUNIT_EXPECT_GT(test, fail_each_allocation(test, m, 65, 3, true), 0);
	check_model(test, m, "neighbours");
	model_free(m);
}

static struct kunit_case pfn_radix_cases[] = {
	KUNIT_CASE_PARAM(empty_then_one_subsection, geom_gen_params),
	KUNIT_CASE_PARAM(every_alignment, geom_gen_params),
	KUNIT_CASE_PARAM(blocks_counted_by_hand, geom_gen_params),
	KUNIT_CASE_PARAM(neighbours_in_one_section, geom_gen_params),
	KUNIT_CASE_PARAM(overlap_refused, overlap_gen_params),
	KUNIT_CASE_PARAM(bad_input_refused, bad_gen_params),
	KUNIT_CASE_PARAM(erase_exact_range_only, geom_gen_params),
	KUNIT_CASE_PARAM(erase_prefix_refused, geom_gen_params),
	KUNIT_CASE_PARAM(retire_hides_owner_keeps_range, geom_gen_params),
	KUNIT_CASE_PARAM(removal_records_grace_period, geom_gen_params),
	KUNIT_CASE_PARAM(find_any_in_range, geom_gen_params),
	KUNIT_CASE_PARAM(random_erase_order, geom_gen_params),
	KUNIT_CASE_PARAM(random_ops_match_model, geom_gen_params),
	KUNIT_CASE_PARAM(alloc_failure_at_each_point, geom_gen_params),
	{}
};

static struct kunit_suite pfn_radix_suite = {
	.name = "pfn_radix",
	.test_cases = pfn_radix_cases,
};

kunit_test_suite(pfn_radix_suite);

MODULE_DESCRIPTION("KUnit tests for the sub-section pfn radix");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
