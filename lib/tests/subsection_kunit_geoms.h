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

/* Names of the rows of geom_cases[], for cases worked out by hand. */
enum {
	GEOM_X86_64,
	GEOM_ARM64_4K,
	GEOM_ARM64_16K,
	GEOM_ARM64_16K_PAGE72,
	GEOM_ARM64_64K,
	GEOM_PPC64,
	GEOM_PPC64_PAGE72,
	GEOM_PPC64_PAGE56,
	GEOM_X86_32_PAE,
	GEOM_X86_32,
	GEOM_X86_64_5LEVEL,
	GEOM_X86_64_256K,
	GEOM_X86_64_64K,
	GEOM_X86_64_4K,
	GEOM_ARM64_4K_4K,
	GEOM_ARM64_16K_16K,
	GEOM_ARM64_64K_64K,
	GEOM_PPC64_64K,
};

/*
 * phys_bits is the widest physical address space a build of that layout
 * can be given (MAX_POSSIBLE_PHYSMEM_BITS where the architecture has one),
 * which is what the kernel's own geometry uses.
 */
static const struct geom_case geom_cases[] = {
	[GEOM_X86_64] = {
		/* 4 KiB pages, 128 MiB sections, 2 MiB sub-sections */
		.g = { .name = "x86_64-4K", .page_shift = 12,
		       .section_shift = 27, .subsection_shift = 21,
		       .phys_bits = 46, .page_struct_size = 64 },
		.pages_per_section = 32768,
		.pages_per_subsection = 512,
		.nsub = 64,
		.limit = 17179869184UL,		/* 64 TiB / 4 KiB */
	}, [GEOM_ARM64_4K] = {
		/* arm64 builds allow 52-bit physical addresses (LPA2) */
		.g = { .name = "arm64-4K", .page_shift = 12,
		       .section_shift = 27, .subsection_shift = 21,
		       .phys_bits = 52, .page_struct_size = 64 },
		.pages_per_section = 32768,
		.pages_per_subsection = 512,
		.nsub = 64,
		.limit = 1099511627776UL,	/* 4 PiB / 4 KiB */
	}, [GEOM_ARM64_16K] = {
		.g = { .name = "arm64-16K", .page_shift = 14,
		       .section_shift = 27, .subsection_shift = 21,
		       .phys_bits = 52, .page_struct_size = 64 },
		.pages_per_section = 8192,
		.pages_per_subsection = 128,
		.nsub = 64,
		.limit = 274877906944UL,	/* 4 PiB / 16 KiB */
	}, [GEOM_ARM64_16K_PAGE72] = {
		/* A 72 byte struct page: sub-section memmaps share pages */
		.g = { .name = "arm64-16K-page72", .page_shift = 14,
		       .section_shift = 27, .subsection_shift = 21,
		       .phys_bits = 52, .page_struct_size = 72 },
		.pages_per_section = 8192,
		.pages_per_subsection = 128,
		.nsub = 64,
		.limit = 274877906944UL,
	}, [GEOM_ARM64_64K] = {
		/* 512 MiB sections: 256 sub-sections, four bitmap words */
		.g = { .name = "arm64-64K", .page_shift = 16,
		       .section_shift = 29, .subsection_shift = 21,
		       .phys_bits = 52, .page_struct_size = 64 },
		.pages_per_section = 8192,
		.pages_per_subsection = 32,
		.nsub = 256,
		.limit = 68719476736UL,		/* 4 PiB / 64 KiB */
	}, [GEOM_PPC64] = {
		/* 16 MiB sections: only eight sub-sections */
		.g = { .name = "ppc64-64K", .page_shift = 16,
		       .section_shift = 24, .subsection_shift = 21,
		       .phys_bits = 51, .page_struct_size = 64 },
		.pages_per_section = 256,
		.pages_per_subsection = 32,
		.nsub = 8,
		.limit = 34359738368UL,		/* 2 PiB / 64 KiB */
	}, [GEOM_PPC64_PAGE72] = {
		/*
		 * ppc64 with a 72 byte struct page: a section's memmap is
		 * 18 KiB, so sections share memmap pages at odd offsets.
		 */
		.g = { .name = "ppc64-64K-page72", .page_shift = 16,
		       .section_shift = 24, .subsection_shift = 21,
		       .phys_bits = 51, .page_struct_size = 72 },
		.pages_per_section = 256,
		.pages_per_subsection = 32,
		.nsub = 8,
		.limit = 34359738368UL,
	}, [GEOM_PPC64_PAGE56] = {
		/*
		 * ppc64 without CONFIG_MEMCG: a 56 byte struct page (no
		 * memcg_data, and ppc64 does not align struct page to 16
		 * bytes as x86_64 does).  A section's memmap is 14 KiB:
		 * a 64 KiB memmap page holds the struct pages of 4.57
		 * sections.
		 */
		.g = { .name = "ppc64-64K-page56", .page_shift = 16,
		       .section_shift = 24, .subsection_shift = 21,
		       .phys_bits = 51, .page_struct_size = 56 },
		.pages_per_section = 256,
		.pages_per_subsection = 32,
		.nsub = 8,
		.limit = 34359738368UL,
	}, [GEOM_X86_32_PAE] = {
		/* x86 PAE: 512 MiB sections in a 64 GiB space */
		.g = { .name = "x86-32-PAE", .page_shift = 12,
		       .section_shift = 29, .subsection_shift = 21,
		       .phys_bits = 36, .page_struct_size = 32 },
		.pages_per_section = 131072,
		.pages_per_subsection = 512,
		.nsub = 256,
		.limit = 16777216UL,		/* 64 GiB / 4 KiB */
	}, [GEOM_X86_32] = {
		/* x86 32-bit without PAE: 64 MiB sections in 4 GiB */
		.g = { .name = "x86-32", .page_shift = 12,
		       .section_shift = 26, .subsection_shift = 21,
		       .phys_bits = 32, .page_struct_size = 32 },
		.pages_per_section = 16384,
		.pages_per_subsection = 512,
		.nsub = 32,
		.limit = 1048576UL,		/* 4 GiB / 4 KiB */
	}, [GEOM_X86_64_5LEVEL] = {
		/* x86_64 with 5-level paging: 4 PiB of physical space */
		.g = { .name = "x86_64-4K-5level", .page_shift = 12,
		       .section_shift = 27, .subsection_shift = 21,
		       .phys_bits = 52, .page_struct_size = 64 },
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
	[GEOM_X86_64_256K] = {
		.g = { .name = "x86_64-4K-sub256K", .page_shift = 12,
		       .section_shift = 27, .subsection_shift = 18,
		       .phys_bits = 46, .page_struct_size = 64 },
		.pages_per_section = 32768,
		.pages_per_subsection = 64,
		.nsub = 512,
		.limit = 17179869184UL,
	}, [GEOM_X86_64_64K] = {
		.g = { .name = "x86_64-4K-sub64K", .page_shift = 12,
		       .section_shift = 27, .subsection_shift = 16,
		       .phys_bits = 46, .page_struct_size = 64 },
		.pages_per_section = 32768,
		.pages_per_subsection = 16,
		.nsub = 2048,
		.limit = 17179869184UL,
	}, [GEOM_X86_64_4K] = {
		.g = { .name = "x86_64-4K-sub4K", .page_shift = 12,
		       .section_shift = 27, .subsection_shift = 12,
		       .phys_bits = 46, .page_struct_size = 64 },
		.pages_per_section = 32768,
		.pages_per_subsection = 1,
		.nsub = 32768,
		.limit = 17179869184UL,
	}, [GEOM_ARM64_4K_4K] = {
		/* the finest each other layout allows: one page */
		.g = { .name = "arm64-4K-sub4K", .page_shift = 12,
		       .section_shift = 27, .subsection_shift = 12,
		       .phys_bits = 52, .page_struct_size = 64 },
		.pages_per_section = 32768,
		.pages_per_subsection = 1,
		.nsub = 32768,
		.limit = 1099511627776UL,
	}, [GEOM_ARM64_16K_16K] = {
		/* 256 sub-sections share each 16 KiB memmap page */
		.g = { .name = "arm64-16K-sub16K", .page_shift = 14,
		       .section_shift = 27, .subsection_shift = 14,
		       .phys_bits = 52, .page_struct_size = 64 },
		.pages_per_section = 8192,
		.pages_per_subsection = 1,
		.nsub = 8192,
		.limit = 274877906944UL,
	}, [GEOM_ARM64_64K_64K] = {
		/* 1024 sub-sections share each 64 KiB memmap page */
		.g = { .name = "arm64-64K-sub64K", .page_shift = 16,
		       .section_shift = 29, .subsection_shift = 16,
		       .phys_bits = 52, .page_struct_size = 64 },
		.pages_per_section = 8192,
		.pages_per_subsection = 1,
		.nsub = 8192,
		.limit = 68719476736UL,
	}, [GEOM_PPC64_64K] = {
		/* a whole 16 MiB section's memmap is one 16 KiB page */
		.g = { .name = "ppc64-64K-sub64K", .page_shift = 16,
		       .section_shift = 24, .subsection_shift = 16,
		       .phys_bits = 51, .page_struct_size = 64 },
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
