// SPDX-License-Identifier: GPL-2.0
/*
 * Sub-section memory hotplug: the glue between memremap_pages() and the
 * pfn radix.  With CONFIG_SUBSECTION_HOTPLUG every dev_pagemap range is
 * claimed in memremap_pgmap_radix at sub-section granularity, and
 * get_dev_pagemap() looks pfns up there.
 *
 * A range is refused, with one error line and no warning, when it is
 * not sub-section aligned, when the architecture maps it linearly and it
 * is not aligned to memremap_compat_align(), when any part of it belongs
 * to another dev_pagemap, or when it overlaps System RAM.  Sharing a
 * section (but no sub-section) with RAM or another dev_pagemap is fine.
 */
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/ioport.h>
#include <linux/memory_hotplug.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/pageblock-flags.h>
#include <linux/pfn_radix.h>
#include <linux/printk.h>
#include <linux/range.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/subsection_native.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include "subsection_glue.h"

struct pfn_radix memremap_pgmap_radix = {
	.xa = XARRAY_INIT(memremap_pgmap_radix.xa, 0),
	.geom = &subsec_native,
};

/* The pfns of @range, or -EINVAL if it is not whole pages. */
static int range_pfns(const struct range *range, unsigned long *pfn,
		      unsigned long *nr_pages)
{
	if (range->end < range->start || !PAGE_ALIGNED(range->start) ||
	    !PAGE_ALIGNED(range->end + 1))
		return -EINVAL;
	*pfn = PHYS_PFN(range->start);
	*nr_pages = PHYS_PFN(range_len(range));
	return 0;
}

/**
 * memremap_radix_check() - may a dev_pagemap range be mapped?
 * @pgmap: the range's owner (its type)
 * @range: the range, one of @pgmap's
 *
 * Every type but device-private memory is added to the linear map
 * (arch_add_memory()), which the architecture maps in steps of
 * memremap_compat_align(): ppc64's hash MMU bolts 16 MiB pages and
 * would leave a range's unaligned ends unmapped, and unbolt a
 * neighbour's mapping when the range goes.  Elsewhere that alignment is
 * the sub-section, checked anyway.
 *
 * Context: Process context.  Takes and releases the RCU lock, and the
 * resource lock for reading through region_intersects().
 * Return: 0; -EINVAL, -EOVERFLOW or -ERANGE if it is not a sub-section
 * aligned range of the physical address space, -EINVAL also for a
 * linearly mapped range off memremap_compat_align(); -EEXIST if any
 * sub-section of it belongs to another dev_pagemap, -EBUSY if the first
 * such belongs to one being released (memunmap_pages()); -ENXIO if it
 * overlaps System RAM.  Each refusal logs one error line.
 */
int memremap_radix_check(const struct dev_pagemap *pgmap,
			 const struct range *range)
{
	const unsigned long linear = memremap_compat_align();
	struct dev_pagemap *other = NULL;
	struct range found = {};
	unsigned long pfn, nr_pages;
	int rc;

	rc = range_pfns(range, &pfn, &nr_pages);
	if (!rc)
		rc = subsec_range_check_aligned(&subsec_native, pfn, nr_pages);
	if (rc) {
		pr_err("memremap: %#llx-%#llx is not a %lu KiB aligned range: %d\n",
		       range->start, range->end,
		       subsec_pages_per_subsection(&subsec_native) << (PAGE_SHIFT - 10),
		       rc);
		return rc;
	}
	if (pgmap->type != MEMORY_DEVICE_PRIVATE &&
	    !IS_ALIGNED(range->start | (range->end + 1), linear)) {
		pr_err("memremap: %#llx-%#llx is not %lu KiB aligned, as the linear map needs\n",
		       range->start, range->end, linear >> 10);
		return -EINVAL;
	}

	rcu_read_lock();
	other = pfn_radix_find(&memremap_pgmap_radix, pfn, nr_pages);
	/* A live owner is freed only after a grace period (see the radix). */
	if (!IS_ERR_OR_NULL(other))
		found = other->ranges[0];
	rcu_read_unlock();
	if (IS_ERR(other)) {
		pr_err("memremap: %#llx-%#llx overlaps device memory being released\n",
		       range->start, range->end);
		return PTR_ERR(other);
	}
	if (other) {
		pr_err("memremap: %#llx-%#llx overlaps the device memory at %#llx-%#llx\n",
		       range->start, range->end, found.start, found.end);
		return -EEXIST;
	}

	if (region_intersects(range->start, range_len(range),
			      IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	    REGION_DISJOINT) {
		pr_err("memremap: %#llx-%#llx overlaps System RAM\n",
		       range->start, range->end);
		return -ENXIO;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(memremap_radix_check);

/**
 * memremap_radix_insert() - claim a dev_pagemap range in the pfn radix
 * @pgmap: its owner
 * @range: one of @pgmap's ranges
 *
 * Context: Process context; may sleep (GFP_KERNEL).  Takes and releases
 * the xa_lock of memremap_pgmap_radix.
 * Return: 0 or the error of pfn_radix_insert(); an overlap (a range
 * mapped since memremap_radix_check()) logs one error line.
 */
int memremap_radix_insert(struct dev_pagemap *pgmap, const struct range *range)
{
	unsigned long pfn, nr_pages;
	int rc;

	rc = range_pfns(range, &pfn, &nr_pages);
	if (!rc)
		rc = pfn_radix_insert(&memremap_pgmap_radix, pfn, nr_pages,
				      pgmap, GFP_KERNEL);
	if (rc == -EEXIST)
		pr_err("memremap: %#llx-%#llx overlaps other device memory\n",
		       range->start, range->end);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(memremap_radix_insert);

/* The error line of a retire or erase of @range refused with @rc. */
static void radix_release_error(const struct range *range, const char *what,
				int rc)
{
	if (rc == -EPERM)
		pr_err("memremap: %#llx-%#llx belongs to another dev_pagemap, not %s\n",
		       range->start, range->end, what);
	else
		pr_err("memremap: %#llx-%#llx was not mapped, not %s: %d\n",
		       range->start, range->end, what, rc);
}

/**
 * memremap_radix_retire() - stop get_dev_pagemap() finding a dev_pagemap
 * @pgmap: the dev_pagemap memunmap_pages() is tearing down
 *
 * Retires each range @pgmap mapped (pfn_radix_retire()) before
 * memunmap_pages() kills its reference: get_dev_pagemap() then answers
 * NULL for them, as it would once the kill is seen; pfn_to_online_page()
 * still counts them offline and memremap_radix_check() still refuses
 * them, until memremap_radix_release() gives each back after the
 * teardown.  The kill's own grace period (the percpu_ref switching to
 * atomic mode before it can reach zero) then covers every lookup that
 * found @pgmap, and the release does not wait for another.
 *
 * Context: Process context; does not sleep.  Takes and releases the
 * xa_lock of memremap_pgmap_radix.
 */
void memremap_radix_retire(struct dev_pagemap *pgmap)
{
	unsigned long pfn, nr_pages;
	int i, rc;

	for (i = 0; i < pgmap->nr_range; i++) {
		rc = range_pfns(&pgmap->ranges[i], &pfn, &nr_pages);
		if (!rc)
			rc = pfn_radix_retire(&memremap_pgmap_radix, pfn,
					      nr_pages, pgmap);
		if (rc)
			radix_release_error(&pgmap->ranges[i], "retired", rc);
	}
}
EXPORT_SYMBOL_IF_KUNIT(memremap_radix_retire);

/**
 * memremap_radix_release() - give back a range claimed by
 *	memremap_radix_insert()
 * @pgmap: the dev_pagemap that claimed it
 * @range: the range
 *
 * The radix erases the range, retired or not, only if @pgmap owns
 * exactly that range; a release by anyone else, or of a range never
 * claimed, changes nothing and says so.  When this returns, no
 * get_dev_pagemap() still looks at @pgmap: it waits for an RCU grace
 * period unless one has passed since the range was retired.
 *
 * Context: Process context; may sleep (pfn_radix_sync()).  Takes and
 * releases the xa_lock of memremap_pgmap_radix.
 */
void memremap_radix_release(struct dev_pagemap *pgmap,
			    const struct range *range)
{
	unsigned long pfn, nr_pages;
	int rc;

	rc = range_pfns(range, &pfn, &nr_pages);
	if (!rc)
		rc = pfn_radix_erase(&memremap_pgmap_radix, pfn, nr_pages,
				     pgmap);
	if (rc)
		radix_release_error(range, "released", rc);
	pfn_radix_sync(&memremap_pgmap_radix);
}
EXPORT_SYMBOL_IF_KUNIT(memremap_radix_release);

/**
 * memmap_pageblock_keep_type() - may a device range retype this pageblock?
 * @pfn: the first pfn of a pageblock that starts inside a ZONE_DEVICE
 *	range whose memmap is being initialised
 * @end_pfn: the first pfn after the range
 *
 * A pageblock's migratetype is the page allocator's: it says which free
 * list the block's free pages are on, and device memory is never on one.
 * memmap_init_range() and memmap_init_zone_device() mark the pageblocks
 * of a device range MIGRATE_MOVABLE.  When a pageblock reaches past the
 * range into System RAM (finer sub-sections, or pageblocks above the
 * sub-section) that would retype the RAM's block without moving its free
 * pages, and the free lists would disagree with the block.  Such a
 * pageblock keeps the type the RAM gave it.  What lies past the range
 * cannot become RAM later: RAM is hot-added in whole sections, and this
 * section already holds the device range.
 *
 * Context: Process context (memory hotplug); takes the resource lock
 * for reading.
 * Return: true if the pageblock reaches past @end_pfn into System RAM
 * and must keep its type.
 */
bool memmap_pageblock_keep_type(unsigned long pfn, unsigned long end_pfn)
{
	unsigned long last;

	if (!subsec_pageblock_spill(pfn, end_pfn, pageblock_nr_pages, &last))
		return false;
	return region_intersects(PFN_PHYS(end_pfn),
				 PFN_PHYS(last - end_pfn + 1),
				 IORESOURCE_SYSTEM_RAM,
				 IORES_DESC_NONE) != REGION_DISJOINT;
}

/**
 * memremap_remove_from_zone() - remove_pfn_range_from_zone() for
 *	memunmap_pages()
 * @zone: the range's zone, ZONE_DEVICE
 * @pfn: first pfn of the range
 * @nr_pages: number of pages
 *
 * For ZONE_DEVICE remove_pfn_range_from_zone() only poisons the struct
 * pages (device memory does not shrink a zone); ours poisons them where
 * no RAM pageblock holds them, see sparse_poison_memmap().
 *
 * Context: Process context, mem_hotplug_lock held for write
 * (pageunmap_range()); may sleep.
 */
void memremap_remove_from_zone(struct zone *zone, unsigned long pfn,
			       unsigned long nr_pages)
{
	if (zone_is_zone_device(zone))
		sparse_poison_memmap(pfn, nr_pages);
	else
		remove_pfn_range_from_zone(zone, pfn, nr_pages);
}

/*
 * Parallel memmap initialisation of a hot-added ZONE_DEVICE range.
 *
 * memmap_init_zone_device() writes one struct page per pfn of a range
 * (64 bytes per 4 KiB page: 16 GiB of them for a 1 TiB namespace), on
 * the CPU that enables the namespace.  A range of at least two chunks of
 * MEMMAP_CHUNK_MIN_BYTES is split by subsec_memmap_chunks() at
 * sub-section and compound page boundaries (a head initialises its own
 * tails) and shared among the CPUs of its node: one chunk on the calling
 * CPU, the others as work items on system_unbound_wq.  Smaller ranges
 * stay on the calling CPU, where a work item would cost more than the
 * struct pages it writes.  Either way memmap_init_device_pages() writes
 * most struct pages as copies of one it initialised (mm/mm_init.c).
 *
 * Why a workqueue: padata_do_multithreaded(), which splits boot memory's
 * deferred init, is __init in this kernel; a kthread per chunk costs a
 * fork each.  An unbound workqueue reuses its pool's workers, lets the
 * scheduler put them on idle CPUs of the node queue_work_node() names,
 * and flush_work() waits for one item.  The items take no lock, so a
 * caller that is itself a work item (asynchronous driver probing) only
 * sleeps while the pool starts more workers.
 *
 * Ordering: the range's owner is in the pfn radix before its memmap is
 * initialised, so pfn_to_online_page() answers NULL for every pfn of it
 * throughout, as on the serial path; the caller flushes every item (a
 * completion: a full barrier) before it returns, so memremap_pages()'
 * caller, and whatever maps the pages after it, sees every struct page
 * written, whichever CPU wrote it.
 */
#define MEMMAP_CHUNK_MIN_BYTES	SZ_64M
#define MEMMAP_CHUNKS_MAX	32

struct memmap_chunk_work {
	struct work_struct work;
	struct zone *zone;
	struct dev_pagemap *pgmap;
	struct subsec_chunk chunk;
};

static void memmap_chunk_fn(struct work_struct *work)
{
	struct memmap_chunk_work *w =
		container_of(work, struct memmap_chunk_work, work);

	memmap_init_device_pages(w->zone, w->chunk.pfn,
				 w->chunk.pfn + w->chunk.nr_pages, w->pgmap);
}

/* How many CPUs may share a range: those of @nid, or all online ones. */
static unsigned int memmap_init_cpus(int nid)
{
	unsigned int cpus = cpumask_weight_and(cpumask_of_node(nid),
					       cpu_online_mask);

	if (!cpus)
		cpus = num_online_cpus();
	return min_t(unsigned int, cpus, MEMMAP_CHUNKS_MAX);
}

/* Split [@start_pfn, @end_pfn) among CPUs; false if it is not worth it. */
static bool memmap_init_device_parallel(struct zone *zone,
					unsigned long start_pfn,
					unsigned long end_pfn,
					struct dev_pagemap *pgmap)
{
	const unsigned long compound = pgmap_vmemmap_nr(pgmap);
	const unsigned long first = subsec_pfn_down(&subsec_native, start_pfn);
	const int nid = zone_to_nid(zone);
	const unsigned int max = memmap_init_cpus(nid);
	struct subsec_chunk *chunks = NULL;
	struct memmap_chunk_work *w = NULL;
	unsigned int n = 0, i;

	/* Compound pages are laid from @start_pfn: it must start a chunk. */
	if (max < 2 || (first != start_pfn && compound > 1))
		return false;
	chunks = kcalloc(max, sizeof(*chunks), GFP_KERNEL);
	if (chunks)
		n = subsec_memmap_chunks(&subsec_native, first,
					 end_pfn - first, compound,
					 MEMMAP_CHUNK_MIN_BYTES >> PAGE_SHIFT,
					 max, chunks);
	if (n >= 2)
		w = kcalloc(n, sizeof(*w), GFP_KERNEL);
	if (!w) {
		kfree(chunks);
		return false;
	}
	/* Each chunk holds a sub-section or more: the first stays whole. */
	chunks[0].nr_pages -= start_pfn - first;
	chunks[0].pfn = start_pfn;
	for (i = 0; i < n; i++) {
		w[i].zone = zone;
		w[i].pgmap = pgmap;
		w[i].chunk = chunks[i];
		INIT_WORK(&w[i].work, memmap_chunk_fn);
		if (i)
			queue_work_node(nid, system_unbound_wq, &w[i].work);
	}
	memmap_chunk_fn(&w[0].work);
	for (i = 1; i < n; i++)
		flush_work(&w[i].work);
	kfree(w);
	kfree(chunks);
	return true;
}

/**
 * memmap_init_device_range() - initialise a ZONE_DEVICE range's memmap,
 *	on several CPUs if it is large
 * @zone: ZONE_DEVICE of the range's node
 * @start_pfn: first pfn whose struct page is initialised (after the
 *	altmap's own pages when the memmap is on the device)
 * @end_pfn: the range's end, exclusive
 * @pgmap: the range's owner
 *
 * A range too small to be worth a second CPU, on a node with one CPU to
 * run on, or when the work items cannot be allocated, is initialised on
 * the calling CPU; either way by memmap_init_device_pages(), with the
 * struct pages memmap_init_zone_device()'s own loop writes.
 *
 * Context: Process context, no locks held (memremap_pages() calls
 * memmap_init_zone_device() after mem_hotplug_done()); sleeps.
 */
void memmap_init_device_range(struct zone *zone, unsigned long start_pfn,
			      unsigned long end_pfn, struct dev_pagemap *pgmap)
{
	if (end_pfn <= start_pfn)
		return;
	if (!memmap_init_device_parallel(zone, start_pfn, end_pfn, pgmap))
		memmap_init_device_pages(zone, start_pfn, end_pfn, pgmap);
}

#ifndef CONFIG_ARCH_HAS_MEMREMAP_COMPAT_ALIGN
/**
 * memremap_compat_align() - the alignment memremap_pages() needs
 *
 * What a namespace or a device memory BAR (NVMe CMB, P2PDMA) must be
 * aligned to: the sub-section size of this boot (subsection_size=), 2 MiB
 * unless a finer one was chosen.  Architectures with constraints of their
 * own (ppc64 hash) keep their CONFIG_ARCH_HAS_MEMREMAP_COMPAT_ALIGN one.
 *
 * Context: Any context.
 * Return: the alignment in bytes.
 */
unsigned long memremap_compat_align(void)
{
	return subsec_pages_per_subsection(&subsec_native) << PAGE_SHIFT;
}
EXPORT_SYMBOL_GPL(memremap_compat_align);
#endif
