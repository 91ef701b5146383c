// SPDX-License-Identifier: GPL-2.0
/*
 * pfn radix: pfn range -> owner, at sub-section granularity, on a
 * multi-index XArray (see include/linux/pfn_radix.h for the layout and
 * the reference rule of lookups).
 *
 * Writers serialise on the XArray's lock; readers take none.
 *
 *  - insert checks the whole range is free, then stores its blocks.  A
 *    block may need XArray nodes: allocation happens with the lock
 *    dropped (xas_nomem()), after which the rest of the range is checked
 *    again, since another writer may have been there meanwhile.  Any
 *    failure (overlap found late, memory) removes the blocks already
 *    stored, and the XArray nodes allocated for it, so the tree is as
 *    before.  Removing never allocates.
 *  - retire and erase first check that the range is exactly one inserted
 *    range of that owner: every block of its decomposition is an entry
 *    of the owner (all live or all retired) with the block's own
 *    order, only the first carries %PFN_RADIX_FIRST, and the entry right
 *    after the range does not continue it.  Only then do they change
 *    anything.  Retire stores the tagged pointer over each block, which
 *    keeps the block's order and marks; erase stores NULL.
 *  - a retire or an erase that takes the owner out of lookups' reach
 *    records a grace-period cookie, after its stores and under the lock,
 *    so the cookie only ever moves forward (see pfn_radix_sync()).
 */
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/fault-inject.h>
#include <linux/pfn_radix.h>
#include <linux/rcupdate.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>

#if IS_ENABLED(CONFIG_KUNIT)
/* Only the KUnit suites call these: not built without them. */
/**
 * pfn_radix_init() - set up an empty radix
 * @r: the radix
 * @g: layout; its sub-section size is the granularity of every range
 *
 * Context: Any context.
 */
void pfn_radix_init(struct pfn_radix *r, const struct subsec_geom *g)
{
	xa_init(&r->xa);
	r->geom = g;
}
EXPORT_SYMBOL_IF_KUNIT(pfn_radix_init);

/**
 * pfn_radix_destroy() - free every entry's storage
 * @r: the radix; nothing may use it concurrently
 *
 * The owners are not touched.
 *
 * Context: Any context.  Takes and releases the xa_lock, interrupt-safe.
 */
void pfn_radix_destroy(struct pfn_radix *r)
{
	xa_destroy(&r->xa);
}
EXPORT_SYMBOL_IF_KUNIT(pfn_radix_destroy);
#endif

/* Check a range and an owner; give the range as [*first, *end) indices. */
static int radix_args(const struct pfn_radix *r, unsigned long pfn,
		      unsigned long nr_pages, const void *owner,
		      unsigned long *first, unsigned long *end)
{
	int rc = subsec_range_check_aligned(r->geom, pfn, nr_pages);

	if (rc)
		return rc;
	/* XArray reserves NULL and tagged pointers for itself. */
	if (!owner || xa_is_value(owner) || xa_is_internal(owner))
		return -EINVAL;
	*first = pfn_radix_index(r, pfn);
	*end = pfn_radix_index(r, pfn + nr_pages);
	return 0;
}

/*
 * Store @entry over the blocks of [first, end), which keeps their marks;
 * NULL removes the blocks and their marks.  Never allocates.  Lock held.
 */
static void radix_replace(struct xa_state *xas, unsigned long first,
			  unsigned long end, void *entry)
{
	unsigned long index;
	unsigned int order;

	for (index = first; index < end; index += 1UL << order) {
		order = pfn_radix_block_order(index, end);
		xas_set_order(xas, index, order);
		xas_store(xas, entry);
	}
}

/*
 * After a failed insert: XArray keeps the nodes it allocated for blocks
 * it could not fill.  For each block of [first, end), store NULL over the
 * largest naturally aligned chunk of nodes around it that holds no entry,
 * which frees every node below (RCU-delayed) and empty parents above.
 * Never allocates; entries outside [first, end) are not touched.  Lock
 * held.
 */
static void radix_prune(struct xa_state *xas, unsigned long first,
			unsigned long end)
{
	unsigned long index, base, mask;
	unsigned int order, shift, empty;

	for (index = first; index < end; index += 1UL << order) {
		order = pfn_radix_block_order(index, end);
		empty = 0;
		for (shift = XA_CHUNK_SHIFT; shift < BITS_PER_LONG;
		     shift += XA_CHUNK_SHIFT) {
			mask = (1UL << shift) - 1;
			base = index & ~mask;
			xas_set(xas, base);
			if (xas_find(xas, base + mask))
				break;
			empty = shift;
		}
		if (empty) {
			xas_set_order(xas, index, empty);
			xas_store(xas, NULL);
		}
	}
}

/*
 * Store the blocks of [*done, end) for a range starting at @first,
 * advancing *done past each block stored.  -EEXIST if anything is in
 * [*done, end) already; the XArray's error (-ENOMEM) if a block could
 * not be stored.  Lock held.
 */
static int radix_fill(struct xa_state *xas, unsigned long first,
		      unsigned long *done, unsigned long end, void *owner)
{
	unsigned long index;
	unsigned int order;

	xas_set(xas, *done);
	if (xas_find(xas, end - 1))
		return -EEXIST;
	for (index = *done; index < end; index += 1UL << order) {
		order = pfn_radix_block_order(index, end);
		xas_set_order(xas, index, order);
		xas_store(xas, owner);
		if (xas_error(xas))
			return xas_error(xas);
		if (index == first)
			xas_set_mark(xas, PFN_RADIX_FIRST);
		*done = index + (1UL << order);
	}
	return 0;
}

#ifdef CONFIG_FAULT_INJECTION
/*
 * Fault injection for the allocation XArray asks for with its lock
 * dropped (xas_nomem()); only consulted after an allocation under the
 * lock failed.  The KUnit suite arms it together with fail-nth.
 */
struct fault_attr fail_pfn_radix_nomem = FAULT_ATTR_INITIALIZER;
EXPORT_SYMBOL_IF_KUNIT(fail_pfn_radix_nomem);

static bool radix_nomem(struct xa_state *xas, gfp_t gfp)
{
	if (xas_error(xas) == -ENOMEM &&
	    should_fail_ex(&fail_pfn_radix_nomem, 1, FAULT_NOWARN))
		return false;
	return xas_nomem(xas, gfp);
}
#else
#define radix_nomem xas_nomem
#endif

/* radix_nomem() with the lock dropped around it; held again on return. */
static bool radix_nomem_unlocked(struct xa_state *xas, gfp_t gfp)
	__must_hold(xas->xa->xa_lock)
{
	bool retry;

	xas_unlock(xas);
	retry = radix_nomem(xas, gfp);
	xas_lock(xas);
	return retry;
}

/**
 * pfn_radix_insert() - map a pfn range to an owner
 * @r: the radix
 * @pfn: first pfn, aligned to the sub-section size of @r's layout
 * @nr_pages: number of pages, a multiple of the sub-section size
 * @owner: what pfn_radix_lookup() returns for the range; a pointer
 *	aligned to at least 4 bytes, not NULL
 * @gfp: how to allocate XArray nodes
 *
 * Context: Process context.  Takes and releases the xa_lock, dropping it
 * around node allocation.  May sleep if the @gfp flags permit.
 * Return: 0; -EINVAL for an empty or misaligned range or a bad @owner;
 * -EOVERFLOW if the range wraps; -ERANGE if it ends beyond the physical
 * address space; -EEXIST if any part of the range is mapped already;
 * -ENOMEM.  On error the radix is as it was.
 */
int pfn_radix_insert(struct pfn_radix *r, unsigned long pfn,
		     unsigned long nr_pages, void *owner, gfp_t gfp)
{
	XA_STATE(xas, &r->xa, 0);
	unsigned long first, end, done;
	int rc;

	rc = radix_args(r, pfn, nr_pages, owner, &first, &end);
	if (rc)
		return rc;

	/*
	 * One lock section; radix_nomem_unlocked() drops the lock around a
	 * node allocation and takes it back, so the lock is held the same
	 * way on every path (sparse checks it).
	 */
	done = first;
	xas_lock(&xas);
	do {
		rc = radix_fill(&xas, first, &done, end, owner);
	} while (rc == -ENOMEM && radix_nomem_unlocked(&xas, gfp));
	if (rc) {
		radix_replace(&xas, first, done, NULL);
		radix_prune(&xas, first, end);
		/* Lookups may have seen the blocks stored. */
		if (done != first)
			WRITE_ONCE(r->removed_gp, get_state_synchronize_rcu());
	}
	xas_unlock(&xas);
	/* A node radix_nomem() allocated may be left unused. */
	xas_destroy(&xas);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(pfn_radix_insert);

/*
 * Is [first, end) exactly one inserted range of @owner?  0, with
 * *@retired telling its form; -ENOENT (not mapped, or not as one
 * inserted range) or -EPERM (another owner's).  Lock held.
 */
static int radix_match(struct xa_state *xas, unsigned long first,
		       unsigned long end, void *owner, bool *retired)
{
	unsigned long index;
	unsigned int order;
	bool marked, is_first;
	void *entry;

	for (index = first; index < end; index += 1UL << order) {
		order = pfn_radix_block_order(index, end);
		xas_set(xas, index);
		entry = xas_load(xas);
		if (!entry)
			return -ENOENT;
		if (xa_untag_pointer(entry) != owner)
			return -EPERM;
		/* Same block; the range's first block, and only it, marked. */
		marked = xas_get_mark(xas, PFN_RADIX_FIRST);
		is_first = index == first;
		if (xas_get_order(xas) != order || marked != is_first)
			return -ENOENT;
		/* Retire stores over a whole range: one form throughout. */
		if (is_first)
			*retired = xa_pointer_tag(entry);
	}
	/* The owner's range goes on past end: not the range inserted. */
	xas_set(xas, end);
	if (xa_untag_pointer(xas_load(xas)) == owner &&
	    !xas_get_mark(xas, PFN_RADIX_FIRST))
		return -ENOENT;
	return 0;
}

/*
 * Retire (@retire) or erase one inserted range of @owner: the two differ
 * only in what they store over its blocks.  Whichever takes a live
 * range out of lookups' reach records the grace-period cookie; erasing
 * a retired range records none, its retire did.
 */
static int radix_remove(struct pfn_radix *r, unsigned long pfn,
			unsigned long nr_pages, void *owner, bool retire)
{
	XA_STATE(xas, &r->xa, 0);
	unsigned long first, end;
	bool retired = false;
	int rc;

	rc = radix_args(r, pfn, nr_pages, owner, &first, &end);
	if (rc)
		return rc;
	xas_lock(&xas);
	rc = radix_match(&xas, first, end, owner, &retired);
	if (!rc && retire && retired)
		rc = -EALREADY;
	if (!rc) {
		radix_replace(&xas, first, end,
			      retire ? xa_tag_pointer(owner, PFN_RADIX_RETIRED) : NULL);
		if (!retired)
			WRITE_ONCE(r->removed_gp, get_state_synchronize_rcu());
	}
	xas_unlock(&xas);
	return rc;
}

/**
 * pfn_radix_retire() - stop handing out the owner of one inserted range
 * @r: the radix
 * @pfn: first pfn of the range, as given to pfn_radix_insert()
 * @nr_pages: number of pages, as given to pfn_radix_insert()
 * @owner: the owner it was inserted with
 *
 * From here on pfn_radix_lookup() and pfn_radix_find() no longer return
 * @owner for the range, while pfn_radix_claimed() and inserts still see
 * it taken, until pfn_radix_erase().  Replacing an entry in place never
 * allocates.  The caller calls pfn_radix_sync() before freeing @owner.
 *
 * Context: Process context; does not sleep.  Takes and releases the
 * xa_lock (not interrupt-safe).
 * Return: 0; the errors of pfn_radix_erase(); -EALREADY if the range is
 * retired already.  On error the radix is unchanged.
 */
int pfn_radix_retire(struct pfn_radix *r, unsigned long pfn,
		     unsigned long nr_pages, void *owner)
{
	return radix_remove(r, pfn, nr_pages, owner, true);
}
EXPORT_SYMBOL_IF_KUNIT(pfn_radix_retire);

/**
 * pfn_radix_erase() - remove one inserted range, live or retired
 * @r: the radix
 * @pfn: first pfn of the range, as given to pfn_radix_insert()
 * @nr_pages: number of pages, as given to pfn_radix_insert()
 * @owner: the owner it was inserted with
 *
 * The caller calls pfn_radix_sync() before freeing @owner (see the
 * reference rule in include/linux/pfn_radix.h).
 *
 * Context: Process context; does not sleep.  Takes and releases the
 * xa_lock (not interrupt-safe).
 * Return: 0; the errors of pfn_radix_insert() for a bad range or owner;
 * -ENOENT if the range is not exactly one inserted range (never
 * inserted, erased already, or only part or more of one); -EPERM if it
 * belongs to another owner.  On error the radix is unchanged.
 */
int pfn_radix_erase(struct pfn_radix *r, unsigned long pfn,
		    unsigned long nr_pages, void *owner)
{
	return radix_remove(r, pfn, nr_pages, owner, false);
}
EXPORT_SYMBOL_IF_KUNIT(pfn_radix_erase);

/**
 * pfn_radix_sync() - wait until no lookup can still use a removed owner
 * @r: the radix
 *
 * Waits for an RCU grace period unless one has passed since the latest
 * retire or erase of a live range; those done before this call are
 * covered, and so is every owner lookups found before them.
 *
 * Context: Process context; may sleep (cond_synchronize_rcu()).
 */
void pfn_radix_sync(struct pfn_radix *r)
{
	cond_synchronize_rcu(READ_ONCE(r->removed_gp));
}
EXPORT_SYMBOL_IF_KUNIT(pfn_radix_sync);

/**
 * pfn_radix_find() - any owner within a pfn range
 * @r: the radix
 * @pfn: first pfn; need not be aligned
 * @nr_pages: number of pages
 *
 * Like pfn_radix_lookup(), safe against concurrent insert, retire and
 * erase, under the same reference rule.
 *
 * Context: Any context.  Takes and releases the RCU lock.
 * Return: the owner of the lowest claimed sub-section that holds a pfn
 * of the range; ERR_PTR(-EBUSY) if that sub-section's range is retired
 * (its owner is going away: not to be dereferenced); NULL if none is
 * claimed or the range is empty or wraps.
 */
void *pfn_radix_find(struct pfn_radix *r, unsigned long pfn,
		     unsigned long nr_pages)
{
	unsigned long index, last;
	void *entry;

	if (!nr_pages || pfn + nr_pages - 1 < pfn)
		return NULL;
	index = pfn_radix_index(r, pfn);
	last = pfn_radix_index(r, pfn + nr_pages - 1);
	entry = xa_find(&r->xa, &index, last, XA_PRESENT);
	return xa_pointer_tag(entry) ? ERR_PTR(-EBUSY) : entry;
}
EXPORT_SYMBOL_IF_KUNIT(pfn_radix_find);
