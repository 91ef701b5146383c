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
 * Reference rule: pfn_radix_lookup() may run concurrently with insert
 * and erase.  The owner it returns is only guaranteed to exist while the
 * caller stays in the RCU read-side critical section it looked up in;
 * to keep it longer the caller takes a reference of the owner's own
 * inside that section (get_dev_pagemap() uses
 * percpu_ref_tryget_live_rcu()).  Whoever erases a range therefore waits
 * for an RCU grace period (synchronize_rcu()) before freeing its owner.
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

/**
 * struct pfn_radix - pfn range to owner map
 * @xa: the entries, indexed by sub-section number
 * @geom: the layout; its sub-section size is the granularity
 */
struct pfn_radix {
	struct xarray xa;
	const struct subsec_geom *geom;
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
int pfn_radix_erase(struct pfn_radix *r, unsigned long pfn,
		    unsigned long nr_pages, void *owner);
/**
 * pfn_radix_lookup() - the owner of a pfn
 * @r: the radix
 * @pfn: any pfn
 *
 * One XArray load, safe against concurrent insert and erase; the result
 * stays valid only under the reference rule above.  Inline, as
 * get_dev_pagemap()'s lookup is in stock.
 *
 * Context: Any context.  Takes and releases the RCU read lock; to use
 * the owner afterwards, hold rcu_read_lock() across the call and the
 * use, or a reference the owner hands out (see the reference rule).
 * Return: the owner of the sub-section holding @pfn, or NULL.
 */
static inline void *pfn_radix_lookup(struct pfn_radix *r, unsigned long pfn)
{
	return xa_load(&r->xa, pfn_radix_index(r, pfn));
}

void *pfn_radix_find(struct pfn_radix *r, unsigned long pfn,
		     unsigned long nr_pages);

#ifdef CONFIG_FAULT_INJECTION
/* Fails the allocation pfn_radix_insert() retries with its lock dropped. */
extern struct fault_attr fail_pfn_radix_nomem;
#endif

#endif /* _LINUX_PFN_RADIX_H */
