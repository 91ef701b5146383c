// SPDX-License-Identifier: GPL-2.0
/*
 * Sub-section memory hotplug: the glue between the sub-section core
 * (mm/subsection*.c) and SPARSEMEM_VMEMMAP.  With CONFIG_SUBSECTION_HOTPLUG
 * the hot-add / hot-remove of a range within one section and the boot-time
 * marking of present memory are decided here; mm/sparse-vmemmap.c keeps
 * its own versions for the stock kernel.
 *
 * The core decides, this file executes: it finds a section's usage
 * bitmap, allocates and frees it (RCU-delayed, pfn_valid() readers hold
 * rcu_read_lock), populates the memmap of a range and frees exactly the
 * memmap pages the core says nothing else uses, and keeps the
 * nr_memmap / nr_memmap_boot counters in /proc/vmstat exact.
 */
#include <linux/cache.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/kasan.h>
#include <linux/log2.h>
#include <linux/memory_hotplug.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/pageblock-flags.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/subsection.h>
#include <linux/subsection_native.h>
#include <linux/vmstat.h>

#include "internal.h"
#include "subsection_glue.h"

/*
 * phys_bits is the widest physical address space this build can ever be
 * given: a compile-time constant, never narrower than what the CPU the
 * kernel boots on reports (MAX_PHYSMEM_BITS is not a constant on arm64
 * with 52-bit physical addresses or on x86_64 with 5-level paging).
 */
#ifdef MAX_POSSIBLE_PHYSMEM_BITS
#define NATIVE_PHYS_BITS	MAX_POSSIBLE_PHYSMEM_BITS
#else
#define NATIVE_PHYS_BITS	MAX_PHYSMEM_BITS
#endif

/* Stock's sub-section size until subsection_size= says otherwise. */
struct subsec_geom subsec_native __ro_after_init = {
	.name = "native",
	.page_shift = PAGE_SHIFT,
	.section_shift = SECTION_SIZE_BITS,
	.subsection_shift = SUBSECTION_SHIFT,
	.phys_bits = NATIVE_PHYS_BITS,
	.page_struct_size = sizeof(struct page),
};

/* pfn_valid() is inline and reads it, in any module */
EXPORT_SYMBOL(subsec_native);

/*
 * log2 of the memory one KASAN shadow page covers where hot-added device
 * memory gets a shadow of its own (memremap_pages() calls
 * kasan_add_zero_shadow(), which maps whole shadow pages).
 */
#if defined(CONFIG_KASAN_GENERIC) || defined(CONFIG_KASAN_SW_TAGS)
#define SUBSEC_KASAN_SHIFT	(PAGE_SHIFT + KASAN_SHADOW_SCALE_SHIFT)
#else
#define SUBSEC_KASAN_SHIFT	0
#endif

/*
 * log2 of the finest sub-section the architecture's memmap code follows.
 * ppc64 decides whether a vmemmap block is still in use by asking
 * pfn_valid() of one pfn per 2 MiB (vmemmap_populated()): a live range
 * finer than that between two probes would be mapped over (hash) or
 * freed under (both MMUs).
 */
#ifdef CONFIG_PPC64
#define SUBSEC_ARCH_SHIFT	SUBSECTION_SHIFT
#else
#define SUBSEC_ARCH_SHIFT	0
#endif

/* Why @shift is the finest a boot may have, for the one line saying so. */
static const char *__init subsec_floor_why(unsigned int shift)
{
	if (shift == SUBSEC_ARCH_SHIFT)
		return "the architecture's vmemmap";
	if (shift == SUBSEC_KASAN_SHIFT)
		return "a KASAN shadow page";
	if (shift == PAGE_SHIFT)
		return "a page";
	return "its usage maps";
}

/*
 * subsection_size=SIZE: the sub-section size of this boot, a power of
 * two up to 2 MiB.  A size finer than this kernel allows (a page, the
 * usage bitmaps' 2^SUBSECTION_SHIFT_MIN, a KASAN shadow page's worth,
 * ppc64's 2 MiB) gets the finest allowed, with one line saying so.  Parsed before
 * sparse_init() marks boot memory, so every usage bitmap and the pfn
 * radix see one size from the start.
 */
static int __init subsection_size_setup(char *arg)
{
	unsigned int shift;
	unsigned long long size;
	char *end;

	if (!arg)
		return -EINVAL;
	size = memparse(arg, &end);
	if (*end || !is_power_of_2(size) || size > SUBSECTION_SIZE) {
		pr_err("sparse: subsection_size=%s refused: a power of two up to %lu KiB\n",
		       arg, SUBSECTION_SIZE >> 10);
		return -EINVAL;
	}
	shift = subsec_shift_allowed(ilog2(size), PAGE_SHIFT,
				     SUBSECTION_SHIFT_MIN, SUBSEC_KASAN_SHIFT,
				     SUBSEC_ARCH_SHIFT);
	if (shift != ilog2(size))
		pr_info("sparse: subsection_size=%s is finer than this kernel allows (%s): %lu KiB\n",
			arg, subsec_floor_why(shift), (1UL << shift) >> 10);
	subsec_native.subsection_shift = shift;
	if (shift != SUBSECTION_SHIFT)
		pr_info("sparse: sub-section size %lu KiB\n", (1UL << shift) >> 10);
	return 0;
}
early_param("subsection_size", subsection_size_setup);

/* What one sparse_add_section() / sparse_remove_section() call works with. */
struct sparse_call {
	int nid;
	struct vmem_altmap *altmap;
	struct dev_pagemap *pgmap;
	bool boot;	/* removing from a section whose memmap is from boot */
};

/* The section, or NULL where none can exist (the core asks about neighbours). */
static struct mem_section *section(unsigned long nr)
{
	return nr < NR_MEM_SECTIONS ? __nr_to_section(nr) : NULL;
}

static unsigned long *section_usage(unsigned long nr)
{
	struct mem_section *ms = section(nr);
	struct mem_section_usage *usage = ms ? READ_ONCE(ms->usage) : NULL;

	return usage ? usage->subsection_map : NULL;
}

static unsigned long *sparse_usage(void *ctx, unsigned long nr)
{
	return section_usage(nr);
}

static int sparse_usage_alloc(void *ctx, unsigned long nr)
{
	struct mem_section *ms = __nr_to_section(nr);
	struct mem_section_usage *usage;

	usage = kzalloc(mem_section_usage_size(), GFP_KERNEL);
	if (!usage)
		return -ENOMEM;
	/* Readers may look at the (empty) bitmap as soon as it is set. */
	smp_store_release(&ms->usage, usage);
	return 0;
}

static void sparse_usage_free(void *ctx, unsigned long nr)
{
	struct mem_section *ms = __nr_to_section(nr);
	struct mem_section_usage *usage = ms->usage;

	/*
	 * valid_section() turns false before anything goes away.  A bitmap
	 * allocated at boot shares its page with other sections' bitmaps
	 * and stays (empty) for a later hot-add to reuse.
	 */
	ms->section_mem_map = 0;
	if (!PageReserved(virt_to_page(usage))) {
		WRITE_ONCE(ms->usage, NULL);
		kfree_rcu(usage, rcu);
	}
}

static bool sparse_early(void *ctx, unsigned long nr)
{
	struct mem_section *ms = section(nr);

	return ms && early_section(ms);
}

static unsigned long vmemmap_addr(unsigned long page)
{
	return (unsigned long)pfn_to_page(0) + (page << PAGE_SHIFT);
}

/*
 * Memmap pages [pfn, pfn + nr_pages) costs.  With the DAX vmemmap
 * optimisation a compound page of 2^order pfns has VMEMMAP_RESERVE_NR
 * pages of memmap of its own; the rest map shared pages.
 */
static long memmap_cost(struct sparse_call *c, unsigned long pfn,
			unsigned long nr_pages, const struct subsec_vmemmap *r)
{
	unsigned int order;

	if (!vmemmap_can_optimize(c->altmap, c->pgmap))
		return r->end - r->start;
	order = c->pgmap->vmemmap_shift;
	if (order < PFN_SECTION_SHIFT)
		return VMEMMAP_RESERVE_NR * (nr_pages >> order);
	return IS_ALIGNED(pfn, 1UL << order) ? VMEMMAP_RESERVE_NR : 0;
}

/*
 * Map or free memmap pages [start, end) of a range: the pages the range
 * fills completely with the device's altmap (if any), the partly filled
 * edge pages, which a neighbour may share and outlive the device with,
 * always from RAM (subsec_memmap_whole()).
 */
static int memmap_map(struct sparse_call *c, unsigned long start,
		      unsigned long end, struct vmem_altmap *altmap)
{
	if (start >= end)
		return 0;
	return vmemmap_populate(vmemmap_addr(start), vmemmap_addr(end),
				c->nid, altmap);
}

static void memmap_unmap(unsigned long start, unsigned long end,
			 struct vmem_altmap *altmap)
{
	if (start < end)
		vmemmap_free(vmemmap_addr(start), vmemmap_addr(end), altmap);
}

static void memmap_unmap_split(struct sparse_call *c, unsigned long pfn,
			       unsigned long nr_pages,
			       const struct subsec_vmemmap *r)
{
	struct subsec_vmemmap w;

	subsec_memmap_whole(&subsec_native, pfn, nr_pages, r, &w);
	memmap_unmap(r->start, w.start, NULL);
	memmap_unmap(w.start, w.end, c->altmap);
	memmap_unmap(w.end, r->end, NULL);
}

/*
 * Map the memmap pages the core hands over: whole pages, the range's span
 * minus the edge pages a neighbour already has mapped.  Handing the arch
 * the range's own struct page addresses instead breaks where they start
 * partway into a page (2 MiB of 64 KiB pages is 2 KiB of memmap): the
 * generic helper steps PAGE_SIZE from the unaligned start and can miss
 * the last page.  The DAX compound-page layout keeps the generic helper,
 * which needs the pfns and maps tail pages shared.
 */
static int sparse_populate(void *ctx, unsigned long pfn, unsigned long nr_pages,
			   const struct subsec_vmemmap *r)
{
	struct sparse_call *c = ctx;
	struct subsec_vmemmap w;
	int rc;

	if (vmemmap_can_optimize(c->altmap, c->pgmap)) {
		rc = __populate_section_memmap(pfn, nr_pages, c->nid,
					       c->altmap, c->pgmap) ? 0 : -ENOMEM;
		if (rc)
			memmap_unmap(r->start, r->end, c->altmap);
	} else {
		subsec_memmap_whole(&subsec_native, pfn, nr_pages, r, &w);
		rc = memmap_map(c, r->start, w.start, NULL);
		if (!rc)
			rc = memmap_map(c, w.start, w.end, c->altmap);
		if (!rc)
			rc = memmap_map(c, w.end, r->end, NULL);
		/* Give back what was populated; shared pages stay. */
		if (rc)
			memmap_unmap_split(c, pfn, nr_pages, r);
	}
	if (rc)
		return rc;
	memmap_pages_add(memmap_cost(c, pfn, nr_pages, r));
	return 0;
}

static void sparse_depopulate(void *ctx, unsigned long pfn,
			      unsigned long nr_pages,
			      const struct subsec_vmemmap *r)
{
	struct sparse_call *c = ctx;

	if (c->boot) {
		memmap_boot_pages_add(-(long)(r->end - r->start));
		memmap_unmap(r->start, r->end, NULL);
		return;
	}
	memmap_pages_add(-memmap_cost(c, pfn, nr_pages, r));
	if (vmemmap_can_optimize(c->altmap, c->pgmap))
		memmap_unmap(r->start, r->end, c->altmap);
	else
		memmap_unmap_split(c, pfn, nr_pages, r);
}

static const struct subsec_ops sparse_ops = {
	.usage = sparse_usage,
	.usage_alloc = sparse_usage_alloc,
	.usage_free = sparse_usage_free,
	.early = sparse_early,
	.populate = sparse_populate,
	.depopulate = sparse_depopulate,
};

#ifdef CONFIG_ZONE_DEVICE
/*
 * Device memory in part of a section: pfn_to_online_page() must ask the
 * pfn radix for the section's pfns.  Said here, before the usage bitmap
 * makes the range valid, not only in move_pfn_range_to_zone() after the
 * memmap is initialised: a lockless walker (compaction) would take the
 * poisoned struct pages in between for online memory.
 *
 * Stores, in the order pfn_to_online_page() reads them back (with a read
 * barrier between each): the pfn radix owner (memremap_pages() inserts it
 * before it adds the memory), the taint, the usage bits.  A walker that
 * sees a pfn valid then sees the taint, and with it the owner.
 */
static void taint_device_section(struct mem_section *ms)
{
	/* The pfn radix owner before the taint. */
	smp_wmb();
	ms->section_mem_map |= SECTION_TAINT_ZONE_DEVICE;
	/* The taint before the usage bits subsec_activate() sets. */
	smp_wmb();
}
#else
static inline void taint_device_section(struct mem_section *ms)
{
}
#endif

/**
 * sparse_poison_memmap() - poison a device range's struct pages, except
 *	where RAM's pfn walkers read them
 * @pfn: first pfn of the range
 * @nr_pages: number of pages
 *
 * Poisoned struct pages catch a use of device memory before
 * memmap_init_zone_device() and after memunmap_pages().  But compaction
 * admits a pageblock by its first and last pfn and then reads every
 * struct page in it, and page_folio() of a poisoned page follows a wild
 * compound_head (PageHuge() oopses on a hugetlb kernel).  A device range
 * can share a pageblock with RAM only in a section that came up at boot
 * (RAM is hot-added in whole sections); there the range's parts in
 * pageblocks that reach outside it keep the struct pages they hold:
 * boot's reserved holes, or the device's own from its last use, both
 * read safely.  Whole pageblocks of the range are poisoned: no pfn
 * walker admits a pageblock whose first pfn is device memory.
 *
 * Context: Memory hotplug, mem_hotplug_lock held; may sleep.
 */
void sparse_poison_memmap(unsigned long pfn, unsigned long nr_pages)
{
	unsigned long end = pfn + nr_pages, next, from, to;

	for (; pfn < end; pfn = next) {
		next = min(end, SECTION_ALIGN_UP(pfn + 1));
		from = pfn;
		to = next;
		if (early_section(__pfn_to_section(pfn)))
			subsec_pageblock_split(pfn, next, pageblock_nr_pages,
					       &from, &to);
		if (from < to)
			page_init_poison(pfn_to_page(from),
					 sizeof(struct page) * (to - from));
		cond_resched();
	}
}

/**
 * sparse_add_section - hot-add a sub-section range within one section
 * @nid: node of the memory
 * @start_pfn: first pfn, sub-section aligned
 * @nr_pages: number of pages, a sub-section multiple, within one section
 * @altmap: where to allocate the memmap from, or NULL
 * @pgmap: the device memory's dev_pagemap, or NULL
 *
 * Context: Process context; may sleep (GFP_KERNEL allocations, vmemmap
 * population).  Expects mem_hotplug_lock held for write (__add_pages()).
 * Return: 0; -EEXIST if part of the range is present already; -EINVAL
 * or -ERANGE for a misaligned or section-crossing range; -ENOMEM.  On
 * error the section is as it was.
 */
int __meminit sparse_add_section(int nid, unsigned long start_pfn,
				 unsigned long nr_pages,
				 struct vmem_altmap *altmap,
				 struct dev_pagemap *pgmap)
{
	struct sparse_call c = { nid, altmap, pgmap, false };
	struct subsec_space s = { &subsec_native, &sparse_ops, &c };
	struct mem_section *ms;
	struct subsec_span sp;
	unsigned long nr;
	int rc;

	/* The one check of the range; what runs below relies on it. */
	rc = subsec_span_of(&subsec_native, start_pfn, nr_pages, &sp);
	if (rc)
		return rc;
	nr = sp.p.section_nr;
	rc = sparse_index_init(nr, nid);
	if (rc < 0)
		return rc;
	if (pgmap && nr_pages != PAGES_PER_SECTION)
		taint_device_section(__nr_to_section(nr));
	rc = subsec_activate(&s, &sp);
	if (rc)
		return rc;

	/* Catch use of struct pages nobody initialised. */
	if (!altmap || !altmap->inaccessible)
		sparse_poison_memmap(start_pfn, nr_pages);

	ms = __nr_to_section(nr);
	__section_mark_present(ms, nr);
	sparse_init_one_section(ms, nr, pfn_to_page(section_nr_to_pfn(nr)),
				ms->usage, 0);
	return 0;
}

/**
 * sparse_remove_section - hot-remove a sub-section range within one section
 * @pfn: first pfn, sub-section aligned
 * @nr_pages: number of pages, a sub-section multiple, within one section
 * @altmap: where the memmap was allocated from, or NULL
 * @pgmap: the device memory's dev_pagemap, or NULL
 *
 * Removing a range that is not (fully) present is refused with a message
 * and changes nothing.
 *
 * Context: Process context; may sleep (arch vmemmap_free()).  Expects
 * mem_hotplug_lock held for write (__remove_pages()).  A usage bitmap it
 * drops is freed with kfree_rcu(), after the grace period pfn_valid()
 * readers (rcu_read_lock_sched()) need.
 */
void sparse_remove_section(unsigned long pfn, unsigned long nr_pages,
			   struct vmem_altmap *altmap,
			   struct dev_pagemap *pgmap)
{
	struct sparse_call c = { NUMA_NO_NODE, altmap, pgmap, false };
	struct subsec_space s = { &subsec_native, &sparse_ops, &c };
	struct mem_section *ms;
	struct subsec_span sp;
	int rc;

	rc = subsec_span_of(&subsec_native, pfn, nr_pages, &sp);
	if (!rc) {
		ms = __nr_to_section(sp.p.section_nr);
		rc = -ENOENT;
		if (valid_section(ms)) {
			c.boot = early_section(ms);
			rc = subsec_deactivate(&s, &sp);
		}
	}
	if (rc)
		pr_err("sparse: cannot remove pfns %#lx-%#lx: %d (%s)\n",
		       pfn, pfn + nr_pages - 1, rc,
		       rc == -ENOENT ? "not present" : "bad range");
}

/**
 * sparse_check_span - may [pfn, pfn + nr_pages) be hot-plugged?
 * @pfn: first pfn
 * @nr_pages: number of pages
 *
 * Context: Any context.
 * Return: 0 for a non-empty, sub-section aligned range inside the
 * physical address space; -EINVAL, -EOVERFLOW or -ERANGE otherwise.
 */
int sparse_check_span(unsigned long pfn, unsigned long nr_pages)
{
	return subsec_range_check_aligned(&subsec_native, pfn, nr_pages);
}

/* Is @pfn online memory of @zone on node @nid? */
static bool zone_span_holds(int nid, struct zone *zone, unsigned long pfn)
{
	struct page *page = pfn_to_online_page(pfn);

	return page && pfn_to_nid(pfn) == nid && page_zone(page) == zone;
}

/**
 * sparse_zone_first_pfn - first online pfn of a zone in a range
 * @nid: node of the zone
 * @zone: the zone being shrunk after offlining
 * @start_pfn: first pfn of the range, sub-section aligned
 * @end_pfn: first pfn after the range
 *
 * Probes one pfn per sub-section of this boot's size: pfn_to_online_page()
 * answers at that size, so a coarser step (stock's 2 MiB) can step over
 * online memory next to a finer hole and shrink the zone below it.
 *
 * Context: mem_hotplug_lock held for write (shrink_zone_span()).
 * Return: the first pfn of @zone in the range, or 0 if there is none.
 */
unsigned long sparse_zone_first_pfn(int nid, struct zone *zone,
				    unsigned long start_pfn,
				    unsigned long end_pfn)
{
	unsigned long step = subsec_pages_per_subsection(&subsec_native);
	unsigned long pfn;

	for (pfn = start_pfn; pfn < end_pfn; pfn += step)
		if (zone_span_holds(nid, zone, pfn))
			return pfn;
	return 0;
}

/**
 * sparse_zone_last_pfn - last online pfn of a zone in a range
 * @nid: node of the zone
 * @zone: the zone being shrunk after offlining
 * @start_pfn: first pfn of the range
 * @end_pfn: first pfn after the range, sub-section aligned
 *
 * The last pfn of each sub-section, from the top down; see
 * sparse_zone_first_pfn().
 *
 * Context: mem_hotplug_lock held for write (shrink_zone_span()).
 * Return: the last pfn of @zone in the range, or 0 if there is none.
 */
unsigned long sparse_zone_last_pfn(int nid, struct zone *zone,
				   unsigned long start_pfn,
				   unsigned long end_pfn)
{
	unsigned long step = subsec_pages_per_subsection(&subsec_native);
	unsigned long pfn;

	for (pfn = end_pfn; pfn > start_pfn; pfn -= min(step, pfn - start_pfn))
		if (zone_span_holds(nid, zone, pfn - 1))
			return pfn - 1;
	return 0;
}

static unsigned long *boot_map_of(void *ctx, unsigned long nr)
{
	return section_usage(nr);
}

/**
 * sparse_init_subsection_map - mark boot memory in the usage bitmaps
 * @pfn: first present pfn
 * @nr_pages: number of present pages
 *
 * Every sub-section that holds a present page becomes active.
 *
 * Context: Early boot (__init, from free_area_init()); takes no locks and
 * does not sleep.
 */
void __init sparse_init_subsection_map(unsigned long pfn,
				       unsigned long nr_pages)
{
	int rc = subsec_usage_mark_present(&subsec_native, pfn, nr_pages,
					   boot_map_of, NULL);

	if (rc)
		pr_err("sparse: pfns %#lx+%#lx not marked present: %d\n",
		       pfn, nr_pages, rc);
}
