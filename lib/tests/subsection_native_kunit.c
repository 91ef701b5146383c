// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "subsection_native": the geometry of the kernel the suite
 * runs in (PAGE_SHIFT, SECTION_SIZE_BITS, SUBSECTION_SHIFT, the physical
 * address bits and sizeof(struct page)) must be the row of
 * subsection_kunit_geoms.h for its architecture, so the layouts the other
 * suites run over are the ones real kernels have.  And on the running
 * kernel: the memremap glue gives a range back only to the dev_pagemap
 * that claimed it, and a memory hotplug writer waits for no grace
 * period.  Meant for kunit.py --arch runs (make kunit-arch); skipped
 * where no row applies.
 */
#include <kunit/test.h>
#include <linux/memory_hotplug.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/pfn_radix.h>
#include <linux/range.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <linux/subsection.h>
#include <linux/subsection_native.h>

#include "../../mm/subsection_glue.h"
#include "subsection_kunit_geoms.h"

/* The row of geom_cases[] for the kernel being run, or NULL. */
#if defined(CONFIG_X86_64) && defined(CONFIG_X86_5LEVEL)
#define NATIVE_ROW	"x86_64-4K-5level"
#elif defined(CONFIG_X86_64)
#define NATIVE_ROW	"x86_64-4K"
#elif defined(CONFIG_ARM64) && defined(CONFIG_ARM64_4K_PAGES)
#define NATIVE_ROW	"arm64-4K"
#elif defined(CONFIG_ARM64) && defined(CONFIG_ARM64_16K_PAGES)
#define NATIVE_ROW	"arm64-16K"
#elif defined(CONFIG_ARM64) && defined(CONFIG_ARM64_64K_PAGES)
#define NATIVE_ROW	"arm64-64K"
#elif defined(CONFIG_PPC64) && defined(CONFIG_PPC_64K_PAGES) && defined(CONFIG_MEMCG)
#define NATIVE_ROW	"ppc64-64K"
#elif defined(CONFIG_PPC64) && defined(CONFIG_PPC_64K_PAGES)
/* struct page without memcg_data */
#define NATIVE_ROW	"ppc64-64K-page56"
#else
#define NATIVE_ROW	NULL
#endif

/*
 * The widest physical address space of the build, read here from the
 * architecture's headers: MAX_POSSIBLE_PHYSMEM_BITS where it has one (a
 * constant; MAX_PHYSMEM_BITS can depend on the CPU, arm64 with LPA2 or
 * x86_64 with 5-level paging).
 */
#ifdef MAX_POSSIBLE_PHYSMEM_BITS
#define NATIVE_POSSIBLE_BITS	MAX_POSSIBLE_PHYSMEM_BITS
#else
#define NATIVE_POSSIBLE_BITS	MAX_PHYSMEM_BITS
#endif

/* Find the row by name, walking the suites' own parameter generator. */
static const struct geom_case *native_row(struct kunit *test)
{
	char desc[KUNIT_PARAM_DESC_SIZE];
	const struct geom_case *c = NULL;
	const char *name = NATIVE_ROW;

	if (!name)
		kunit_skip(test, "no row of subsection_kunit_geoms.h for this architecture");
	while ((c = geom_gen_params(c, desc)))
		if (!strcmp(c->g.name, name))
			return c;
	KUNIT_FAIL(test, "row %s missing from subsection_kunit_geoms.h", name);
	return NULL;
}

static void native_shifts_match_row(struct kunit *test)
{
	const struct geom_case *c = native_row(test);

	if (!c)
		return;
	kunit_info(test, "%s: PAGE_SHIFT %u SECTION_SIZE_BITS %u SUBSECTION_SHIFT %u\n",
		   c->g.name, (unsigned int)PAGE_SHIFT,
		   (unsigned int)SECTION_SIZE_BITS,
		   (unsigned int)SUBSECTION_SHIFT);
	KUNIT_EXPECT_EQ(test, c->g.page_shift, (unsigned int)PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, c->g.section_shift,
			(unsigned int)SECTION_SIZE_BITS);
	KUNIT_EXPECT_EQ(test, c->g.subsection_shift,
			(unsigned int)SUBSECTION_SHIFT);
	KUNIT_EXPECT_EQ(test, c->pages_per_section, PAGES_PER_SECTION);
	KUNIT_EXPECT_EQ(test, c->pages_per_subsection, PAGES_PER_SUBSECTION);
	KUNIT_EXPECT_EQ(test, c->nsub,
			(unsigned int)(PAGES_PER_SECTION / PAGES_PER_SUBSECTION));
}

/* The row's address space is the build's widest one... */
static void native_phys_bits_match_row(struct kunit *test)
{
	const struct geom_case *c = native_row(test);

	if (!c)
		return;
	kunit_info(test, "%s: possible %u, this CPU %u\n", c->g.name,
		   (unsigned int)NATIVE_POSSIBLE_BITS,
		   (unsigned int)MAX_PHYSMEM_BITS);
	KUNIT_EXPECT_EQ(test, c->g.phys_bits,
			(unsigned int)NATIVE_POSSIBLE_BITS);
}

/* ... and never narrower than what the CPU we run on addresses. */
static void native_phys_bits_cover_cpu(struct kunit *test)
{
	const struct geom_case *c = native_row(test);

	if (!c)
		return;
	KUNIT_EXPECT_GE(test, c->g.phys_bits, (unsigned int)MAX_PHYSMEM_BITS);
}

static void native_page_struct_matches_row(struct kunit *test)
{
	const struct geom_case *c = native_row(test);

	if (!c)
		return;
	KUNIT_EXPECT_EQ(test, c->g.page_struct_size,
			(unsigned int)sizeof(struct page));
}

/*
 * What the core itself runs with: subsec_native, valid and equal to the
 * row but for the sub-section size a boot may choose, physical address
 * bits included; and the index-only geometry of the pfn_valid() hook
 * agrees on every shift.
 */
static void native_geom_matches_row(struct kunit *test)
{
#ifdef CONFIG_SUBSECTION_HOTPLUG
	const struct subsec_geom *g = &subsec_native;
	const struct subsec_geom idx = SUBSEC_NATIVE_INDEX_GEOM;
	const struct geom_case *c = native_row(test);

	if (!c)
		return;
	KUNIT_EXPECT_EQ(test, subsec_geom_check(g), 0);
	KUNIT_EXPECT_EQ(test, g->page_shift, c->g.page_shift);
	KUNIT_EXPECT_EQ(test, g->section_shift, c->g.section_shift);
	KUNIT_EXPECT_LE(test, g->subsection_shift, c->g.subsection_shift);
	KUNIT_EXPECT_EQ_MSG(test, g->phys_bits, c->g.phys_bits,
			    "MAX_PHYSMEM_BITS %u, possible %u",
			    (unsigned int)MAX_PHYSMEM_BITS,
			    (unsigned int)NATIVE_POSSIBLE_BITS);
	KUNIT_EXPECT_EQ(test, g->page_struct_size, c->g.page_struct_size);
	KUNIT_EXPECT_EQ(test, idx.page_shift, c->g.page_shift);
	KUNIT_EXPECT_EQ(test, idx.section_shift, c->g.section_shift);
#else
	kunit_skip(test, "CONFIG_SUBSECTION_HOTPLUG is off");
#endif
}

/*
 * The layout this boot runs with (subsection_size=): the default one but
 * for its sub-section shift, which lies between the Kconfig minimum (at
 * least a page) and 2 MiB; pfn_valid()'s index geometry and
 * memremap_compat_align() follow it, and the usage bitmap has a bit for
 * each of its sub-sections.
 */
static void native_boot_size_within_bounds(struct kunit *test)
{
#if defined(CONFIG_SUBSECTION_HOTPLUG) && defined(CONFIG_SPARSEMEM_VMEMMAP)
	const struct subsec_geom idx = SUBSEC_NATIVE_INDEX_GEOM;
	const struct subsec_geom *g = &subsec_native;
	unsigned int lo = SUBSECTION_SHIFT_MIN;
	struct mem_section_usage *usage;

	kunit_info(test, "sub-section size %lu KiB, finest allowed %lu KiB\n",
		   (1UL << g->subsection_shift) >> 10, (1UL << lo) >> 10);
	KUNIT_EXPECT_EQ(test, subsec_geom_check(g), 0);
	KUNIT_EXPECT_GE(test, g->subsection_shift, lo);
	KUNIT_EXPECT_LE(test, g->subsection_shift, 21U);
	KUNIT_EXPECT_EQ(test, g->page_shift, (unsigned int)PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, g->section_shift,
			(unsigned int)SECTION_SIZE_BITS);
	KUNIT_EXPECT_EQ(test, g->phys_bits,
			(unsigned int)NATIVE_POSSIBLE_BITS);
	KUNIT_EXPECT_EQ(test, g->page_struct_size,
			(unsigned int)sizeof(struct page));
	KUNIT_EXPECT_EQ(test, idx.subsection_shift, g->subsection_shift);
	KUNIT_EXPECT_GE(test, sizeof(usage->subsection_map) * BITS_PER_BYTE,
			(size_t)subsec_per_section(g));
#if defined(CONFIG_ZONE_DEVICE) && !defined(CONFIG_ARCH_HAS_MEMREMAP_COMPAT_ALIGN)
	KUNIT_EXPECT_EQ(test, memremap_compat_align(),
			1UL << g->subsection_shift);
#endif
#else
	kunit_skip(test, "CONFIG_SUBSECTION_HOTPLUG is off");
#endif
}

/*
 * The memremap glue of the running kernel: memunmap_pages() hands its
 * own dev_pagemap to memremap_radix_release() (hook 0003), and the
 * radix gives a range back only to the owner that claimed it, whole.
 * Three dev_pagemaps that are never mapped (nothing takes their refs)
 * over a range at the top of the physical address space, where no
 * memory is: another owner's release and the owner's release of half
 * the range leave it claimed; the owner's release of it frees it.
 */
static void native_radix_release_needs_owner(struct kunit *test)
{
#if defined(CONFIG_SUBSECTION_HOTPLUG) && defined(CONFIG_ZONE_DEVICE)
	const u64 align = max(memremap_compat_align(),
			      1UL << subsec_native.subsection_shift);
	const u64 top = 1ULL << subsec_native.phys_bits;
	struct range r = { .start = top - 4 * align, .end = top - 2 * align - 1 };
	struct range half = { .start = r.start, .end = r.start + align - 1 };
	struct dev_pagemap *pg[3];
	int i;

	for (i = 0; i < ARRAY_SIZE(pg); i++) {
		pg[i] = kunit_kzalloc(test, sizeof(*pg[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pg[i]);
		pg[i]->type = MEMORY_DEVICE_GENERIC;
		pg[i]->range = r;
		pg[i]->nr_range = 1;
	}
	if (memremap_radix_check(pg[2], &r))
		kunit_skip(test, "%#llx-%#llx is in use here", r.start, r.end);
	KUNIT_ASSERT_EQ(test, memremap_radix_insert(pg[0], &r), 0);

	memremap_radix_release(pg[1], &r);
	KUNIT_EXPECT_EQ_MSG(test, memremap_radix_check(pg[2], &r), -EEXIST,
			    "released by another dev_pagemap");
	memremap_radix_release(pg[0], &half);
	KUNIT_EXPECT_EQ_MSG(test, memremap_radix_check(pg[2], &r), -EEXIST,
			    "half released by its owner");
	memremap_radix_release(pg[0], &r);
	KUNIT_EXPECT_EQ_MSG(test, memremap_radix_check(pg[2], &r), 0,
			    "released by its owner");
#else
	kunit_skip(test, "CONFIG_SUBSECTION_HOTPLUG or CONFIG_ZONE_DEVICE is off");
#endif
}

/*
 * memunmap_pages() retires a dev_pagemap's ranges before its kill: from
 * then on get_dev_pagemap() finds nothing there, memremap_radix_check()
 * refuses the range as being released (-EBUSY, not -EEXIST) and the
 * radix still counts it claimed, until the release gives it back.  A
 * dev_pagemap never mapped, at the top of the physical address space.
 */
static void native_radix_retired_range_busy(struct kunit *test)
{
#if defined(CONFIG_SUBSECTION_HOTPLUG) && defined(CONFIG_ZONE_DEVICE)
	const u64 align = max(memremap_compat_align(),
			      1UL << subsec_native.subsection_shift);
	const u64 top = 1ULL << subsec_native.phys_bits;
	struct range r = { .start = top - 4 * align, .end = top - 2 * align - 1 };
	const unsigned long last = PHYS_PFN(r.end);
	struct dev_pagemap *pg[2];
	int i;

	for (i = 0; i < ARRAY_SIZE(pg); i++) {
		pg[i] = kunit_kzalloc(test, sizeof(*pg[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pg[i]);
		pg[i]->type = MEMORY_DEVICE_GENERIC;
		pg[i]->range = r;
		pg[i]->nr_range = 1;
	}
	if (memremap_radix_check(pg[1], &r))
		kunit_skip(test, "%#llx-%#llx is in use here", r.start, r.end);
	KUNIT_ASSERT_EQ(test, memremap_radix_insert(pg[0], &r), 0);
	KUNIT_EXPECT_EQ(test, memremap_radix_check(pg[1], &r), -EEXIST);

	memremap_radix_retire(pg[0]);
	/* never live again: its (never set up) reference is not touched */
	KUNIT_EXPECT_NULL(test, get_dev_pagemap(last, NULL));
	KUNIT_EXPECT_TRUE(test, pfn_radix_claimed(&memremap_pgmap_radix, last));
	KUNIT_EXPECT_EQ(test, memremap_radix_check(pg[1], &r), -EBUSY);
	KUNIT_EXPECT_EQ(test, memremap_radix_insert(pg[1], &r), -EEXIST);

	memremap_radix_release(pg[0], &r);
	KUNIT_EXPECT_FALSE(test, pfn_radix_claimed(&memremap_pgmap_radix, last));
	KUNIT_EXPECT_EQ(test, memremap_radix_check(pg[1], &r), 0);
#else
	kunit_skip(test, "CONFIG_SUBSECTION_HOTPLUG or CONFIG_ZONE_DEVICE is off");
#endif
}

/*
 * With the feature, mem_hotplug_lock's readers stay on their slow path
 * from boot on (an initcall in mm/memory_hotplug.c), so a writer takes
 * the lock without waiting for an RCU grace period: mem_hotplug_begin()
 * and mem_hotplug_done() return before any grace period that starts
 * after their call has ended.  Stock's writer, its rcu_sync idle once
 * rcu_barrier() has run any pending exit callback, waits in
 * rcu_sync_enter() for a full grace period.  A grace period lasts
 * jiffies and the pair microseconds, so one try in three that sees no
 * grace period completed tells the two apart even on a busy machine.
 */
static void native_mem_hotplug_writer_no_grace_period(struct kunit *test)
{
#if defined(CONFIG_SUBSECTION_HOTPLUG) && defined(CONFIG_MEMORY_HOTPLUG)
	unsigned long cookie;
	int i, quick = 0;

	for (i = 0; i < 3; i++) {
		rcu_barrier();
		rcu_barrier();
		cookie = get_state_synchronize_rcu();
		mem_hotplug_begin();
		mem_hotplug_done();
		if (!poll_state_synchronize_rcu(cookie))
			quick++;
	}
	KUNIT_EXPECT_GT_MSG(test, quick, 0,
			    "every mem_hotplug_begin() waited for a grace period");
#else
	kunit_skip(test, "CONFIG_SUBSECTION_HOTPLUG or CONFIG_MEMORY_HOTPLUG is off");
#endif
}

static struct kunit_case subsection_native_cases[] = {
	KUNIT_CASE(native_shifts_match_row),
	KUNIT_CASE(native_phys_bits_match_row),
	KUNIT_CASE(native_phys_bits_cover_cpu),
	KUNIT_CASE(native_page_struct_matches_row),
	KUNIT_CASE(native_geom_matches_row),
	KUNIT_CASE(native_boot_size_within_bounds),
	KUNIT_CASE(native_radix_release_needs_owner),
	KUNIT_CASE(native_radix_retired_range_busy),
	KUNIT_CASE(native_mem_hotplug_writer_no_grace_period),
	{}
};

static struct kunit_suite subsection_native_suite = {
	.name = "subsection_native",
	.test_cases = subsection_native_cases,
};

kunit_test_suite(subsection_native_suite);

MODULE_DESCRIPTION("KUnit: the running kernel's geometry against the test table");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
