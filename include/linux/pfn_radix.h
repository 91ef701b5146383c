/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfn radix: which owner (a dev_pagemap) a pfn belongs to, at sub-section
 * granularity, on top of a multi-index XArray.
 *
 * The XArray is indexed by sub-section number (pfn >> the geometry's
 * pfn sub-section shift), so the granularity is whatever the
 * &struct subsec_geom says.  A range is stored as the fewest naturally
 * aligned power-of-two blocks of sub-sections, one multi-index entry
 * each; the first block of every inserted range carries
 * %PFN_RADIX_FIRST, so erase can tell an inserted range from two
 * adjacent ones of the same owner.
 *
 * A range is live from insert until it is retired or erased.  Retiring
 * keeps the range claimed but stops handing out its owner: lookups
 * answer NULL, pfn_radix_claimed() still answers true and inserts still
 * find the range taken.  The entries of a retired range are the owner's
 * pointer tagged with %PFN_RADIX_RETIRED.
 *
 * Reference rule: pfn_radix_lookup() and pfn_radix_find() may run
 * concurrently with insert, retire and erase.  The owner they return is
 * only guaranteed to exist while the caller stays in the RCU read-side
 * critical section it looked up in; to keep it longer the caller takes a
 * reference of the owner's own inside that section (get_dev_pagemap()
 * uses percpu_ref_tryget_live_rcu()).  Retiring a live range, or erasing
 * one, records an RCU grace-period cookie; whoever frees the owner calls
 * pfn_radix_sync() first, which waits until a grace period has passed
 * since the latest such cookie.  A caller that retires, then waits for a
 * grace period of its own (memunmap_pages() waits for its percpu_ref's
 * kill), finds pfn_radix_sync() returning at once.
 */
#ifndef _LINUX_PFN_RADIX_H
#define _LINUX_PFN_RADIX_H

#include <linux/bitops.h>
#include <linux/minmax.h>
#include <linux/gfp_types.h>
#include <linux/subsection.h>
#include <linux/xarray.h>

/* Marks the first block of each inserted range. */
#define PFN_RADIX_FIRST	XA_MARK_0
/* xa_tag_pointer() tag of a retired range's entries. */
#define PFN_RADIX_RETIRED	1UL

/**
 * struct pfn_radix - pfn range to owner map
 * @xa: the entries, indexed by sub-section number
 * @geom: the layout; its sub-section size is the granularity
 * @removed_gp: get_state_synchronize_rcu() cookie of the latest retire or
 *	erase of a live range, written under the XArray's lock
 */
struct pfn_radix {
	struct xarray xa;
	const struct subsec_geom *geom;
	unsigned long removed_gp;
};

/**
 * pfn_radix_index() - XArray index of the sub-section holding a pfn
 * @r: the radix
 * @pfn: the pfn
 *
 * Context: Any context.
 * Return: @pfn divided by the number of pages per sub-section.
 */
static inline unsigned long pfn_radix_index(const struct pfn_radix *r,
					    unsigned long pfn)
{
	return pfn >> subsec_pfn_subsection_shift(r->geom);
}

/**
 * pfn_radix_block_order() - order of the next aligned block of a range
 * @index: first index not yet covered, the block starts here
 * @end: first index after the range, greater than @index
 *
 * Context: Any context.
 * Return: the largest order such that a block of 2^order indices starts
 * at @index, is aligned to its size and ends at or before @end.
 */
static inline unsigned int pfn_radix_block_order(unsigned long index,
						 unsigned long end)
{
	unsigned int align = index ? __ffs(index) : BITS_PER_LONG - 1;

	return min_t(unsigned int, align, __fls(end - index));
}

/* pfn_radix_init(), pfn_radix_destroy(): KUnit only (see memremap's radix) */
void pfn_radix_init(struct pfn_radix *r, const struct subsec_geom *g);
void pfn_radix_destroy(struct pfn_radix *r);
int pfn_radix_insert(struct pfn_radix *r, unsigned long pfn,
		     unsigned long nr_pages, void *owner, gfp_t gfp);
int pfn_radix_retire(struct pfn_radix *r, unsigned long pfn,
		     unsigned long nr_pages, void *owner);
int pfn_radix_erase(struct pfn_radix *r, unsigned long pfn,
		    unsigned long nr_pages, void *owner);
void pfn_radix_sync(struct pfn_radix *r);

/**
 * pfn_radix_lookup() - the owner of a pfn
 * @r: the radix
 * @pfn: any pfn
 *
 * One XArray load, safe against concurrent insert, retire and erase; the
 * result stays valid only under the reference rule above.  Inline, as
 * get_dev_pagemap()'s lookup is in stock.
 *
 * Context: Any context.  Takes and releases the RCU read lock; to use
 * the owner afterwards, hold rcu_read_lock() across the call and the
 * use, or a reference the owner hands out (see the reference rule).
 * Return: the owner of the live range holding @pfn, or NULL if no range
 * or a retired one holds it.
 */
static inline void *pfn_radix_lookup(struct pfn_radix *r, unsigned long pfn)
{
	void *entry = xa_load(&r->xa, pfn_radix_index(r, pfn));

	return xa_pointer_tag(entry) ? NULL : entry;
}

/**
 * pfn_radix_claimed() - does a range, live or retired, hold a pfn?
 * @r: the radix
 * @pfn: any pfn
 *
 * For callers that must keep away from a range until it is erased, such
 * as pfn walkers during a teardown that has retired it.
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: true if an inserted range not yet erased holds @pfn.
 */
static inline bool pfn_radix_claimed(struct pfn_radix *r, unsigned long pfn)
{
	return !!xa_load(&r->xa, pfn_radix_index(r, pfn));
}

void *pfn_radix_find(struct pfn_radix *r, unsigned long pfn,
		     unsigned long nr_pages);

#ifdef CONFIG_FAULT_INJECTION
/* Fails the allocation pfn_radix_insert() retries with its lock dropped. */
extern struct fault_attr fail_pfn_radix_nomem;
#endif

#endif /* _LINUX_PFN_RADIX_H */
