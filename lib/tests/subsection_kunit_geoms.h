/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Section layouts the sub-section suites run over, each with its derived
 * sizes worked out by hand (not by the code under test).
 */
#ifndef _SUBSECTION_KUNIT_GEOMS_H
#define _SUBSECTION_KUNIT_GEOMS_H

#include <kunit/test.h>
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
