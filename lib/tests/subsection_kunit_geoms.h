/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Section layouts the sub-section suites run over, each with its derived
 * sizes worked out by hand (not by the code under test).
 */
#ifndef _SUBSECTION_KUNIT_GEOMS_H
#define _SUBSECTION_KUNIT_GEOMS_H

#include <kunit/test.h>
#include <linux/minmax.h>
#include <linux/subsection.h>

struct geom_case {
	struct subsec_geom g;
	unsigned long pages_per_section;	/* by hand */
	unsigned long pages_per_subsection;	/* by hand */
	unsigned int nsub;			/* sub-sections per section */
	unsigned long limit;			/* first pfn past phys space */
};

/* Indices of geom_cases[] that cases computed by hand refer to. */
enum {
	GEOM_X86_64 = 0,
	GEOM_ARM64_16K = 2,
	GEOM_ARM64_16K_PAGE72 = 3,
	GEOM_ARM64_64K = 4,
	GEOM_PPC64 = 5,
	GEOM_X86_32 = 8,
	GEOM_X86_64_256K = 10,
	GEOM_X86_64_64K = 11,
	GEOM_X86_64_4K = 12,
	GEOM_ARM64_4K_4K = 13,
	GEOM_ARM64_16K_16K = 14,
	GEOM_ARM64_64K_64K = 15,
	GEOM_PPC64_64K = 16,
};

/*
 * phys_bits is the widest physical address space a build of that layout
 * can be given (MAX_POSSIBLE_PHYSMEM_BITS where the architecture has one),
 * which is what the kernel's own geometry uses.
 */
static const struct geom_case geom_cases[] = {
	{
		/* 4 KiB pages, 128 MiB sections, 2 MiB sub-sections */
		.g = { "x86_64-4K", 12, 27, 21, 46, 64 },
		.pages_per_section = 32768,
		.pages_per_subsection = 512,
		.nsub = 64,
		.limit = 17179869184UL,		/* 64 TiB / 4 KiB */
	}, {
		/* arm64 builds allow 52-bit physical addresses (LPA2) */
		.g = { "arm64-4K", 12, 27, 21, 52, 64 },
		.pages_per_section = 32768,
		.pages_per_subsection = 512,
		.nsub = 64,
		.limit = 1099511627776UL,	/* 4 PiB / 4 KiB */
	}, {
		.g = { "arm64-16K", 14, 27, 21, 52, 64 },
		.pages_per_section = 8192,
		.pages_per_subsection = 128,
		.nsub = 64,
		.limit = 274877906944UL,	/* 4 PiB / 16 KiB */
	}, {
		/* A 72 byte struct page: sub-section memmaps share pages */
		.g = { "arm64-16K-page72", 14, 27, 21, 52, 72 },
		.pages_per_section = 8192,
		.pages_per_subsection = 128,
		.nsub = 64,
		.limit = 274877906944UL,
	}, {
		/* 512 MiB sections: 256 sub-sections, four bitmap words */
		.g = { "arm64-64K", 16, 29, 21, 52, 64 },
		.pages_per_section = 8192,
		.pages_per_subsection = 32,
		.nsub = 256,
		.limit = 68719476736UL,		/* 4 PiB / 64 KiB */
	}, {
		/* 16 MiB sections: only eight sub-sections */
		.g = { "ppc64-64K", 16, 24, 21, 51, 64 },
		.pages_per_section = 256,
		.pages_per_subsection = 32,
		.nsub = 8,
		.limit = 34359738368UL,		/* 2 PiB / 64 KiB */
	}, {
		/*
		 * ppc64 with a 72 byte struct page: a section's memmap is
		 * 18 KiB, so sections share memmap pages at odd offsets.
		 */
		.g = { "ppc64-64K-page72", 16, 24, 21, 51, 72 },
		.pages_per_section = 256,
		.pages_per_subsection = 32,
		.nsub = 8,
		.limit = 34359738368UL,
	}, {
		/* x86 PAE: 512 MiB sections in a 64 GiB space */
		.g = { "x86-32-PAE", 12, 29, 21, 36, 32 },
		.pages_per_section = 131072,
		.pages_per_subsection = 512,
		.nsub = 256,
		.limit = 16777216UL,		/* 64 GiB / 4 KiB */
	}, {
		/* x86 32-bit without PAE: 64 MiB sections in 4 GiB */
		.g = { "x86-32", 12, 26, 21, 32, 32 },
		.pages_per_section = 16384,
		.pages_per_subsection = 512,
		.nsub = 32,
		.limit = 1048576UL,		/* 4 GiB / 4 KiB */
	}, {
		/* x86_64 with 5-level paging: 4 PiB of physical space */
		.g = { "x86_64-4K-5level", 12, 27, 21, 52, 64 },
		.pages_per_section = 32768,
		.pages_per_subsection = 512,
		.nsub = 64,
		.limit = 1099511627776UL,	/* 4 PiB / 4 KiB */
	},
	/*
	 * Finer sub-sections (a boot-time choice of ours, stock is fixed
	 * at 2 MiB).  x86_64 at 256 KiB: 64 struct pages = one 4 KiB
	 * memmap page per sub-section; at 64 KiB four sub-sections share
	 * a memmap page; at one page 64 of them do.
	 */
	{
		.g = { "x86_64-4K-sub256K", 12, 27, 18, 46, 64 },
		.pages_per_section = 32768,
		.pages_per_subsection = 64,
		.nsub = 512,
		.limit = 17179869184UL,
	}, {
		.g = { "x86_64-4K-sub64K", 12, 27, 16, 46, 64 },
		.pages_per_section = 32768,
		.pages_per_subsection = 16,
		.nsub = 2048,
		.limit = 17179869184UL,
	}, {
		.g = { "x86_64-4K-sub4K", 12, 27, 12, 46, 64 },
		.pages_per_section = 32768,
		.pages_per_subsection = 1,
		.nsub = 32768,
		.limit = 17179869184UL,
	}, {
		/* the finest each other layout allows: one page */
		.g = { "arm64-4K-sub4K", 12, 27, 12, 52, 64 },
		.pages_per_section = 32768,
		.pages_per_subsection = 1,
		.nsub = 32768,
		.limit = 1099511627776UL,
	}, {
		/* 256 sub-sections share each 16 KiB memmap page */
		.g = { "arm64-16K-sub16K", 14, 27, 14, 52, 64 },
		.pages_per_section = 8192,
		.pages_per_subsection = 1,
		.nsub = 8192,
		.limit = 274877906944UL,
	}, {
		/* 1024 sub-sections share each 64 KiB memmap page */
		.g = { "arm64-64K-sub64K", 16, 29, 16, 52, 64 },
		.pages_per_section = 8192,
		.pages_per_subsection = 1,
		.nsub = 8192,
		.limit = 68719476736UL,
	}, {
		/* a whole 16 MiB section's memmap is one 16 KiB page */
		.g = { "ppc64-64K-sub64K", 16, 24, 16, 51, 64 },
		.pages_per_section = 256,
		.pages_per_subsection = 1,
		.nsub = 256,
		.limit = 34359738368UL,
	},
};

static inline void geom_case_desc(const struct geom_case *c, char *desc)
{
	strscpy(desc, c->g.name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(geom, geom_cases, geom_case_desc);

static inline const struct geom_case *geom_param(struct kunit *test)
{
	return test->param_value;
}

/*
 * Loops that do real work per sub-section visit at most GEOM_SUB_VISIT
 * of them: all where a section has that few, else the first and the last
 * GEOM_SUB_VISIT / 2, where the section's edges and the memmap pages it
 * shares with its neighbours are.  geom_sub() maps visit j to its index.
 */
#define GEOM_SUB_VISIT	256

static inline unsigned int geom_nvisit(const struct geom_case *c)
{
	return min_t(unsigned int, c->nsub, GEOM_SUB_VISIT);
}

static inline unsigned int geom_sub(const struct geom_case *c, unsigned int j)
{
	unsigned int half = GEOM_SUB_VISIT / 2;

	if (c->nsub <= GEOM_SUB_VISIT || j < half)
		return j;
	return c->nsub - GEOM_SUB_VISIT + j;
}

/* A zeroed bitmap that holds any layout's section, freed with the test. */
static inline unsigned long *geom_map(struct kunit *test)
{
	unsigned long *map;

	map = kunit_kcalloc(test, BITS_TO_LONGS(SUBSEC_MAX_PER_SECTION),
			    sizeof(unsigned long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, map);
	return map;
}

/*
 * Reference: does sub-section @k of section @sec intersect the pfn
 * range [pfn, end)?  Plain interval arithmetic with the hand-computed
 * sizes, independent of the masks under test.
 */
static inline bool ref_touches(const struct geom_case *c, unsigned long sec,
			       unsigned int k, unsigned long pfn,
			       unsigned long end)
{
	unsigned long lo = sec * c->pages_per_section +
			   k * c->pages_per_subsection;
	unsigned long hi = lo + c->pages_per_subsection;

	return lo < end && pfn < hi;
}

#endif /* _SUBSECTION_KUNIT_GEOMS_H */
