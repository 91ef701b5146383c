// SPDX-License-Identifier: GPL-2.0
/*
 * Sub-section memory hotplug: a test-only debugfs probe of the kernel's
 * pfn lookups and of memremap_pages(), for the real-pmem scenarios in
 * tools/testing/pmem.  It uses only APIs the kernel already exports to
 * modules and does not depend on CONFIG_SUBSECTION_HOTPLUG, so the same
 * checks run on the stock kernel and on ours.  It is not part of the
 * kernel: tools/testing/pmem/kernel.sh builds it as an external module
 * (M=) against the kernel it tests.
 *
 * Files in /sys/kernel/debug/subsection_probe/ (root only):
 *
 * kernel
 *	Read: "ours" when the kernel has CONFIG_SUBSECTION_HOTPLUG=y,
 *	"stock" otherwise.
 *
 * layout
 *	Read: "page_size=N struct_page=N section=N subsection=N", bytes.
 *
 * pfn
 *	Write "PFN" or "PFN NR" (each number 0x-prefixed hex or decimal):
 *	the pfn, or the NR pfns from PFN on, a read reports on.  The
 *	lookups run at read time, so a query written once can be read again
 *	after the memory layout changed.  For a single pfn a read gives
 *
 *	  pfn=0x44c00 valid=1 online=0 pgmap=0x44c00000-0x487fffff
 *
 *	where valid is pfn_valid(), online is pfn_to_online_page() != NULL
 *	and pgmap is the range (physical addresses, inclusive end) of the
 *	dev_pagemap get_dev_pagemap() returns for the pfn that holds the
 *	pfn, "none" when there is no dev_pagemap, or "orphan" when none of
 *	its ranges holds the pfn.  With NR (even 1) a read gives how many
 *	of the pfns have each property,
 *
 *	  pfn=0x44c00 pfns=15360 valid=15360 online=0 pgmap=15360
 *
 *	(pgmap counts the pfns get_dev_pagemap() found a dev_pagemap for),
 *	then one line per distinct dev_pagemap range seen, in the order
 *	first seen, at most PROBE_MAX_RANGES of them,
 *
 *	  range=0x44c00000-0x487fffff pfns=15360
 *
 *	and "other=N" when N pfns belonged to further ranges (or were
 *	orphans).  NR is 1 to 2^22 (PROBE_MAX_PFNS), and all the pfns must lie in
 *	the physical address space (MAX_PHYSMEM_BITS); anything else fails
 *	the write with -EINVAL and keeps the previous query.  Before the
 *	first write a read gives "pfn=none".
 *
 * memremap
 *	Write "PHYS_START SIZE" (bytes, 0x-prefixed hex or decimal):
 *	memremap_pages() of a new MEMORY_DEVICE_GENERIC dev_pagemap over
 *	[PHYS_START, PHYS_START + SIZE), node NUMA_NO_NODE, and on success
 *	memunmap_pages() at once.  The write returns memremap_pages()'
 *	error, so "echo ... > memremap" fails with e.g. "File exists"; a
 *	read gives "rc=N" of the last attempt (0 or a negative errno,
 *	"rc=none" before the first) and, when it succeeded, a second line
 *	"map_ns=T unmap_ns=U": how long memremap_pages() and
 *	memunmap_pages() took, for make bench.  Input that cannot
 *	describe a range of whole pages (unparsable, size 0, start or size not page aligned,
 *	wrapping around the address space) fails with -EINVAL and
 *	memremap_pages() is not called.  Each attempt logs one info line
 *	with the range and its result.
 *
 * bench
 *	Write "PFN NR" (as for pfn): the range the next read times.  A read
 *	calls pfn_valid(), then pfn_to_online_page(), then
 *	get_dev_pagemap() (and put_dev_pagemap()) on each of the NR pfns,
 *	one loop per function, and gives the mean cost of one call of each,
 *
 *	  pfns=262144 pfn_valid_ns=3.12 online_ns=5.80 pgmap_ns=41.07
 *
 *	for make bench, which sets stock and ours side by side.  Before the
 *	first write a read gives "pfns=none".
 *
 * memmap
 *	Write "PFN": the pfn whose dev_pagemap range a read checks.  A read
 *	compares every struct page of that range (from after the pages the
 *	range's altmap keeps for itself) with what memmap_init_zone_device()
 *	writes, rebuilt here field by field: with compound pages of 2^O
 *	pfns (O = vmemmap_shift, laid from the range's first pfn) a head
 *	and order-0 page holds the range's flags word, the dev_pagemap, a
 *	reference and no mapping; a tail from the second on the head's
 *	address + 1, TAIL_MAPPING and no reference; the first tail, which
 *	also holds the folio's fields, its head, the order and no
 *	reference.  The flags word is the range's first page's, without
 *	PG_head, and must say ZONE_DEVICE and PG_reserved.  Only a range
 *	that nothing has used yet matches: a mapping sets ->mapping and
 *	takes references.  A read gives
 *
 *	  pfns=131072 order=9 heads=256 tails=130816 pages=0 bad=0
 *
 *	(pages: order-0 pages), and after bad=N, when N > 0, the first
 *	bad pfn, what differs (wordN: the struct page's Nth long; head,
 *	order or refcount of a first tail; flags: the range's flags word
 *	does not say ZONE_DEVICE and PG_reserved) and both values:
 *	" pfn=0x.. word1 got=0x.. want=0x..".  "memmap=none" when no
 *	dev_pagemap holds the pfn (or before the first write).  A pfn
 *	outside the physical address space fails the write with -EINVAL.
 *
 * usage
 *	Read: "sections=N early=E each=B bytes=T": how many memory sections
 *	have a usage map (sub-section bitmap and pageblock flags), how many
 *	of them came up at boot, the bytes of one map and of all N, for
 *	make bench's figure of the usage maps' memory.  A module on a
 *	kernel whose pageblock order is a variable (not exported) cannot
 *	size a map and gives "each=unknown bytes=unknown".
 *
 * The queries of pfn, memremap and bench are global to the module, and
 * every operation holds one mutex: the probe serves one test at a time.
 *
 * Parameter tcg_pmem_noflush (ppc64 only, for QEMU's TCG): QEMU decodes
 * no dcbstps / dcbfps, which the kernel's pmem flush issues on CPUs with
 * CPU_FTR_ARCH_207S, so the first write to a namespace would take an
 * illegal instruction.  Loaded with tcg_pmem_noflush=1 before any pmem
 * driver (the guest's kernel command line says
 * subsection_probe.tcg_pmem_noflush=1), the probe turns that feature's
 * static key off: cpu_has_feature() then says no to every C caller, so
 * the flush (and the other uses of the feature outside assembly
 * alternatives) is skipped.  TCG memory needs no flush.  Never on real
 * hardware.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/jump_label.h>
#include <linux/err.h>
#include <linux/kstrtox.h>
#include <linux/math64.h>
#include <linux/memory_hotplug.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/numa.h>
#include <linux/overflow.h>
#include <linux/range.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/subsection.h>
#include <linux/subsection_native.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#ifdef CONFIG_PPC64
#include <asm/cpu_has_feature.h>
#endif

/* Distinct dev_pagemap ranges a range query lists. */
#define PROBE_MAX_RANGES	8
/* Longest range query: 16 GiB of 4 KiB pages. */
#define PROBE_MAX_PFNS		BIT(22)
/* Longest write: two numbers and the blanks around them. */
#define PROBE_INPUT_MAX		80

static DEFINE_MUTEX(probe_lock);
static bool probe_pfn_set;
static unsigned long probe_pfn;
static unsigned long probe_nr;		/* 0: the single-pfn form */
static bool probe_bench_set;
static unsigned long probe_bench_pfn;
static unsigned long probe_bench_nr;
static bool probe_memmap_set;
static unsigned long probe_memmap_pfn;
static bool probe_memremap_done;
static int probe_memremap_rc;
static u64 probe_memremap_ns[2];
static struct dentry *probe_dir;

static bool tcg_pmem_noflush;
module_param(tcg_pmem_noflush, bool, 0400);
MODULE_PARM_DESC(tcg_pmem_noflush,
		 "ppc64 under QEMU TCG only: no dcbstps/dcbfps pmem flushes");

/* See tcg_pmem_noflush at the top; needs the feature checks' static keys. */
static void probe_tcg_pmem_noflush(void)
{
	if (!tcg_pmem_noflush)
		return;
#if defined(CONFIG_PPC64) && defined(CONFIG_JUMP_LABEL_FEATURE_CHECKS)
	if (cpu_has_feature(CPU_FTR_ARCH_207S)) {
		static_branch_disable(&cpu_feature_keys[__builtin_ctzl(CPU_FTR_ARCH_207S)]);
		pr_info("tcg_pmem_noflush: CPU_FTR_ARCH_207S off, pmem flushes skipped\n");
	}
#else
	pr_warn("tcg_pmem_noflush: needs ppc64 with JUMP_LABEL_FEATURE_CHECKS, ignored\n");
#endif
}

/* What one pfn looks like to the kernel. */
struct probe_pfn_state {
	bool valid;
	bool online;
	enum { PROBE_NONE, PROBE_OWNED, PROBE_ORPHAN } owner;
	struct range range;	/* for PROBE_OWNED */
};

/* A distinct dev_pagemap range seen by a range query. */
struct probe_seen {
	struct range range;
	unsigned long pfns;
};

/* One number: "0x" then hex digits, or decimal digits. */
static int probe_parse_num(const char *tok, u64 *val)
{
	if (tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X'))
		return kstrtou64(tok, 16, val);
	return kstrtou64(tok, 10, val);
}

/*
 * Split a write into 1 to @max numbers separated by blanks.  Returns
 * how many there were, -EINVAL for anything else, -EFAULT if the user
 * buffer cannot be read.
 */
static int probe_parse(const char __user *ubuf, size_t len, u64 *vals,
		       int max)
{
	char buf[PROBE_INPUT_MAX], *p, *tok;
	int n = 0;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	p = buf;
	while ((tok = strsep(&p, " \t\n"))) {
		if (!*tok)
			continue;
		if (n == max || probe_parse_num(tok, &vals[n]))
			return -EINVAL;
		n++;
	}
	return n ? n : -EINVAL;
}

/* The number of pfns in the physical address space. */
static u64 probe_pfn_limit(void)
{
	return 1ULL << (MAX_PHYSMEM_BITS - PAGE_SHIFT);
}

/* The range of @pgmap that holds @pfn, false if none does. */
static bool probe_pgmap_range(const struct dev_pagemap *pgmap,
			      unsigned long pfn, struct range *out)
{
	u64 phys = PFN_PHYS(pfn);
	int i;

	for (i = 0; i < pgmap->nr_range; i++) {
		if (phys >= pgmap->ranges[i].start &&
		    phys <= pgmap->ranges[i].end) {
			*out = pgmap->ranges[i];
			return true;
		}
	}
	return false;
}

/* Look @pfn up the way the rest of the kernel does. */
static void probe_lookup(unsigned long pfn, struct probe_pfn_state *s)
{
	struct dev_pagemap *pgmap;

	s->valid = pfn_valid(pfn);
	s->online = !!pfn_to_online_page(pfn);
	s->owner = PROBE_NONE;
	/* No cached pgmap: every pfn is looked up from scratch. */
	pgmap = get_dev_pagemap(pfn, NULL);
	if (pgmap) {
		s->owner = probe_pgmap_range(pgmap, pfn, &s->range) ?
			   PROBE_OWNED : PROBE_ORPHAN;
		put_dev_pagemap(pgmap);
	}
}

static void probe_show_one(struct seq_file *m, unsigned long pfn)
{
	struct probe_pfn_state s;

	probe_lookup(pfn, &s);
	seq_printf(m, "pfn=%#lx valid=%d online=%d pgmap=", pfn, s.valid,
		   s.online);
	if (s.owner == PROBE_OWNED)
		seq_printf(m, "%#llx-%#llx\n", s.range.start, s.range.end);
	else
		seq_puts(m, s.owner == PROBE_NONE ? "none\n" : "orphan\n");
}

static int probe_show_range(struct seq_file *m, unsigned long pfn,
			    unsigned long nr)
{
	unsigned long i, valid = 0, online = 0, owned = 0, other = 0;
	struct probe_pfn_state s;
	struct probe_seen *seen;
	int j, nr_seen = 0;

	seen = kcalloc(PROBE_MAX_RANGES, sizeof(*seen), GFP_KERNEL);
	if (!seen)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		probe_lookup(pfn + i, &s);
		valid += s.valid;
		online += s.online;
		if (s.owner != PROBE_NONE)
			owned++;
		if (s.owner == PROBE_OWNED) {
			for (j = 0; j < nr_seen; j++)
				if (seen[j].range.start == s.range.start &&
				    seen[j].range.end == s.range.end)
					break;
			if (j == nr_seen && nr_seen < PROBE_MAX_RANGES)
				seen[nr_seen++].range = s.range;
			if (j < nr_seen)
				seen[j].pfns++;
			else
				other++;
		} else if (s.owner == PROBE_ORPHAN) {
			other++;
		}
		cond_resched();
	}
	seq_printf(m, "pfn=%#lx pfns=%lu valid=%lu online=%lu pgmap=%lu\n",
		   pfn, nr, valid, online, owned);
	for (j = 0; j < nr_seen; j++)
		seq_printf(m, "range=%#llx-%#llx pfns=%lu\n",
			   seen[j].range.start, seen[j].range.end,
			   seen[j].pfns);
	if (other)
		seq_printf(m, "other=%lu\n", other);
	kfree(seen);
	return 0;
}

static int probe_pfn_show(struct seq_file *m, void *unused)
{
	int rc = 0;

	mutex_lock(&probe_lock);
	if (!probe_pfn_set)
		seq_puts(m, "pfn=none\n");
	else if (!probe_nr)
		probe_show_one(m, probe_pfn);
	else
		rc = probe_show_range(m, probe_pfn, probe_nr);
	mutex_unlock(&probe_lock);
	return rc;
}

/*
 * Parse "PFN" or "PFN NR" into @pfn and @nr (0 for the first form; with
 * @need_nr the first form is refused): 1 to PROBE_MAX_PFNS pfns, all in
 * the physical address space.  0 or -EINVAL / -EFAULT.
 */
static int probe_parse_pfns(const char __user *ubuf, size_t len,
			    bool need_nr, u64 *pfn, u64 *nr)
{
	u64 v[2];
	int n;

	n = probe_parse(ubuf, len, v, ARRAY_SIZE(v));
	if (n < 0)
		return n;
	if (n == 1 && need_nr)
		return -EINVAL;
	*pfn = v[0];
	*nr = n == 2 ? v[1] : 0;
	if ((n == 2 && !*nr) || *nr > PROBE_MAX_PFNS ||
	    *pfn >= probe_pfn_limit() || max(*nr, 1ULL) > probe_pfn_limit() - *pfn)
		return -EINVAL;
	return 0;
}

static ssize_t probe_pfn_write(struct file *file, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	u64 pfn, nr;
	int rc;

	rc = probe_parse_pfns(ubuf, len, false, &pfn, &nr);
	if (rc)
		return rc;

	mutex_lock(&probe_lock);
	probe_pfn = pfn;
	probe_nr = nr;
	probe_pfn_set = true;
	mutex_unlock(&probe_lock);
	return len;
}

static int probe_pfn_open(struct inode *inode, struct file *file)
{
	return single_open(file, probe_pfn_show, NULL);
}

static const struct file_operations probe_pfn_fops = {
	.owner = THIS_MODULE,
	.open = probe_pfn_open,
	.read = seq_read,
	.write = probe_pfn_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* memremap_pages() of [start, end] as a fresh dev_pagemap, then undo it. */
static int probe_memremap_range(u64 start, u64 end)
{
	struct dev_pagemap *pgmap;
	void *addr;
	u64 t0, t1;
	int rc = 0;

	pgmap = kzalloc(sizeof(*pgmap), GFP_KERNEL);
	if (!pgmap)
		return -ENOMEM;
	pgmap->type = MEMORY_DEVICE_GENERIC;
	pgmap->range.start = start;
	pgmap->range.end = end;
	pgmap->nr_range = 1;
	t0 = ktime_get_ns();
	addr = memremap_pages(pgmap, NUMA_NO_NODE);
	t1 = ktime_get_ns();
	if (IS_ERR(addr)) {
		rc = PTR_ERR(addr);
	} else {
		memunmap_pages(pgmap);
		probe_memremap_ns[0] = t1 - t0;
		probe_memremap_ns[1] = ktime_get_ns() - t1;
	}
	/* Both paths waited for RCU readers before returning. */
	kfree(pgmap);
	return rc;
}

static int probe_memremap_show(struct seq_file *m, void *unused)
{
	mutex_lock(&probe_lock);
	if (probe_memremap_done) {
		seq_printf(m, "rc=%d\n", probe_memremap_rc);
		if (!probe_memremap_rc)
			seq_printf(m, "map_ns=%llu unmap_ns=%llu\n",
				   probe_memremap_ns[0], probe_memremap_ns[1]);
	} else {
		seq_puts(m, "rc=none\n");
	}
	mutex_unlock(&probe_lock);
	return 0;
}

static ssize_t probe_memremap_write(struct file *file,
				    const char __user *ubuf, size_t len,
				    loff_t *ppos)
{
	u64 v[2], end;
	int n, rc;

	n = probe_parse(ubuf, len, v, ARRAY_SIZE(v));
	if (n < 0)
		return n;
	if (n != 2 || !v[1] || !PAGE_ALIGNED(v[0]) || !PAGE_ALIGNED(v[1]) ||
	    check_add_overflow(v[0], v[1] - 1, &end))
		return -EINVAL;

	mutex_lock(&probe_lock);
	rc = probe_memremap_range(v[0], end);
	pr_info("memremap %#llx-%#llx: %d\n", v[0], end, rc);
	probe_memremap_rc = rc;
	probe_memremap_done = true;
	mutex_unlock(&probe_lock);
	return rc ? rc : len;
}

static int probe_memremap_open(struct inode *inode, struct file *file)
{
	return single_open(file, probe_memremap_show, NULL);
}

static const struct file_operations probe_memremap_fops = {
	.owner = THIS_MODULE,
	.open = probe_memremap_open,
	.read = seq_read,
	.write = probe_memremap_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* What one memmap check found: counts and the first struct page off. */
struct probe_memmap_state {
	unsigned long pfns, heads, tails, pages, bad;
	unsigned long bad_pfn, got, want;
	char at[16];		/* "wordN" of the struct page, or a field */
};

static void probe_memmap_bad(struct probe_memmap_state *st, unsigned long pfn,
			     const char *at, unsigned long got,
			     unsigned long want)
{
	if (st->bad++)
		return;
	st->bad_pfn = pfn;
	strscpy(st->at, at, sizeof(st->at));
	st->got = got;
	st->want = want;
}

/* Compare one struct page with @want word by word. */
static void probe_memmap_cmp(struct probe_memmap_state *st, unsigned long pfn,
			     const struct page *want)
{
	const unsigned long *g = (const unsigned long *)pfn_to_page(pfn);
	const unsigned long *w = (const unsigned long *)want;
	char at[16];
	unsigned int i;

	for (i = 0; i < sizeof(struct page) / sizeof(long); i++) {
		if (g[i] == w[i])
			continue;
		snprintf(at, sizeof(at), "word%u", i);
		probe_memmap_bad(st, pfn, at, g[i], w[i]);
		return;
	}
}

/*
 * The first tail: its head, the folio's order and no reference; the
 * rest of it holds the folio's counters.
 */
static void probe_memmap_tail1(struct probe_memmap_state *st,
			       unsigned long pfn, const struct page *head,
			       unsigned int order)
{
	const struct page *page = pfn_to_page(pfn);
	unsigned long ch = READ_ONCE(page->compound_head);

	if (ch != (unsigned long)head + 1)
		probe_memmap_bad(st, pfn, "head", ch, (unsigned long)head + 1);
	else if (folio_order(page_folio(page)) != order)
		probe_memmap_bad(st, pfn, "order",
				 folio_order(page_folio(page)), order);
	else if (page_ref_count(page))
		probe_memmap_bad(st, pfn, "refcount", page_ref_count(page), 0);
}

/*
 * Check the struct pages of [@start, @end), compound pages of
 * @pgmap->vmemmap_shift laid from @start, against pages rebuilt from
 * @flags.
 */
static void probe_memmap_range(struct probe_memmap_state *st,
			       const struct dev_pagemap *pgmap,
			       unsigned long start, unsigned long end,
			       unsigned long flags)
{
	const unsigned int order = pgmap->vmemmap_shift;
	const unsigned long nr = 1UL << order;
	struct page want[2];	/* a head or order-0 page, a later tail */
	unsigned long pfn;

	memset(want, 0, sizeof(want));
	want[0].flags = flags | (order ? BIT(PG_head) : 0);
	want[0].pgmap = (struct dev_pagemap *)pgmap;
	atomic_set(&want[0]._mapcount, -1);
	atomic_set(&want[0]._refcount,
		   pgmap->type == MEMORY_DEVICE_PRIVATE ||
		   pgmap->type == MEMORY_DEVICE_COHERENT ? 0 : 1);
	page_cpupid_reset_last(&want[0]);
	want[1].flags = flags;
	want[1].mapping = TAIL_MAPPING;
	atomic_set(&want[1]._mapcount, -1);
	page_cpupid_reset_last(&want[1]);

	for (pfn = start; pfn < end; pfn++) {
		unsigned long idx = (pfn - start) & (nr - 1);
		struct page *head = pfn_to_page(pfn - idx);

		st->pfns++;
		if (!idx) {
			probe_memmap_cmp(st, pfn, &want[0]);
			if (order)
				st->heads++;
			else
				st->pages++;
		} else if (idx == 1) {
			probe_memmap_tail1(st, pfn, head, order);
			st->tails++;
		} else {
			want[1].compound_head = (unsigned long)head + 1;
			probe_memmap_cmp(st, pfn, &want[1]);
			st->tails++;
		}
		if (IS_ALIGNED(pfn, PAGES_PER_SECTION))
			cond_resched();
	}
}

static int probe_memmap_show(struct seq_file *m, void *unused)
{
	struct probe_memmap_state st = {};
	struct dev_pagemap *pgmap = NULL;
	struct vmem_altmap *altmap;
	unsigned long start, end, flags;
	struct page *first;
	int i;

	mutex_lock(&probe_lock);
	if (probe_memmap_set)
		pgmap = get_dev_pagemap(probe_memmap_pfn, NULL);
	if (!pgmap) {
		seq_puts(m, "memmap=none\n");
		goto out;
	}
	altmap = pgmap_altmap(pgmap);
	for (i = 0; i < pgmap->nr_range; i++) {
		start = PHYS_PFN(pgmap->ranges[i].start);
		end = PHYS_PFN(pgmap->ranges[i].end) + 1;
		if (probe_memmap_pfn < start || probe_memmap_pfn >= end)
			continue;
		if (altmap)
			start = altmap->base_pfn + vmem_altmap_offset(altmap);
		first = pfn_to_page(start);
		flags = first->flags & ~BIT(PG_head);
		if (page_zonenum(first) != ZONE_DEVICE ||
		    !(flags & BIT(PG_reserved))) {
			probe_memmap_bad(&st, start, "flags", first->flags,
					 flags | BIT(PG_reserved));
			break;
		}
		probe_memmap_range(&st, pgmap, start, end, flags);
		break;
	}
	seq_printf(m, "pfns=%lu order=%u heads=%lu tails=%lu pages=%lu bad=%lu",
		   st.pfns, pgmap->vmemmap_shift, st.heads, st.tails, st.pages,
		   st.bad);
	if (st.bad)
		seq_printf(m, " pfn=%#lx %s got=%#lx want=%#lx", st.bad_pfn,
			   st.at, st.got, st.want);
	seq_putc(m, '\n');
	put_dev_pagemap(pgmap);
out:
	mutex_unlock(&probe_lock);
	return 0;
}

static ssize_t probe_memmap_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	u64 pfn;
	int n;

	n = probe_parse(ubuf, len, &pfn, 1);
	if (n < 0)
		return n;
	if (pfn >= probe_pfn_limit())
		return -EINVAL;

	mutex_lock(&probe_lock);
	probe_memmap_pfn = pfn;
	probe_memmap_set = true;
	mutex_unlock(&probe_lock);
	return len;
}

DEFINE_SHOW_STORE_ATTRIBUTE(probe_memmap);

/* Print @total_ns / @nr with two decimals. */
static void probe_show_mean(struct seq_file *m, const char *name,
			    u64 total_ns, unsigned long nr)
{
	u32 rem;
	u64 whole = div_u64_rem(div64_u64(total_ns * 100, nr), 100, &rem);

	seq_printf(m, " %s=%llu.%02u", name, whole, rem);
}

static int probe_bench_show(struct seq_file *m, void *unused)
{
	unsigned long pfn, end, hits = 0;
	struct dev_pagemap *pgmap;
	u64 t0, t_valid, t_online, t_pgmap;

	mutex_lock(&probe_lock);
	if (!probe_bench_set) {
		seq_puts(m, "pfns=none\n");
		goto out;
	}
	end = probe_bench_pfn + probe_bench_nr;
	t0 = ktime_get_ns();
	for (pfn = probe_bench_pfn; pfn < end; pfn++)
		hits += pfn_valid(pfn);
	t_valid = ktime_get_ns() - t0;
	t0 = ktime_get_ns();
	for (pfn = probe_bench_pfn; pfn < end; pfn++)
		hits += !!pfn_to_online_page(pfn);
	t_online = ktime_get_ns() - t0;
	t0 = ktime_get_ns();
	for (pfn = probe_bench_pfn; pfn < end; pfn++) {
		pgmap = get_dev_pagemap(pfn, NULL);
		if (pgmap) {
			hits++;
			put_dev_pagemap(pgmap);
		}
	}
	t_pgmap = ktime_get_ns() - t0;
	seq_printf(m, "pfns=%lu", probe_bench_nr);
	probe_show_mean(m, "pfn_valid_ns", t_valid, probe_bench_nr);
	probe_show_mean(m, "online_ns", t_online, probe_bench_nr);
	probe_show_mean(m, "pgmap_ns", t_pgmap, probe_bench_nr);
	/* the answers, so that no loop can be optimised away */
	seq_printf(m, " hits=%lu\n", hits);
out:
	mutex_unlock(&probe_lock);
	return 0;
}

static ssize_t probe_bench_write(struct file *file, const char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	u64 pfn, nr;
	int rc;

	rc = probe_parse_pfns(ubuf, len, true, &pfn, &nr);
	if (rc)
		return rc;

	mutex_lock(&probe_lock);
	probe_bench_pfn = pfn;
	probe_bench_nr = nr;
	probe_bench_set = true;
	mutex_unlock(&probe_lock);
	return len;
}

static int probe_bench_open(struct inode *inode, struct file *file)
{
	return single_open(file, probe_bench_show, NULL);
}

static const struct file_operations probe_bench_fops = {
	.owner = THIS_MODULE,
	.open = probe_bench_open,
	.read = seq_read,
	.write = probe_bench_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/*
 * The bytes of one usage map, 0 when a module cannot know them;
 * mem_section_usage_size() is not exported.
 */
static size_t probe_usage_size(void)
{
#if defined(MODULE) && defined(CONFIG_HUGETLB_PAGE_SIZE_VARIABLE)
	return 0;
#else
	return sizeof(struct mem_section_usage) +
	       BITS_TO_LONGS(SECTION_BLOCKFLAGS_BITS) * sizeof(unsigned long);
#endif
}

static int probe_usage_show(struct seq_file *m, void *unused)
{
	unsigned long nr, sections = 0, early = 0;
	struct mem_section *ms;
	size_t each = probe_usage_size();

	/* only whether a map exists is read, never the map itself */
	for (nr = 0; nr < NR_MEM_SECTIONS; nr++) {
		ms = __nr_to_section(nr);
		if (!ms || !valid_section(ms) || !READ_ONCE(ms->usage))
			continue;
		sections++;
		early += early_section(ms);
	}
	seq_printf(m, "sections=%lu early=%lu", sections, early);
	if (each)
		seq_printf(m, " each=%zu bytes=%lu\n", each, sections * each);
	else
		seq_puts(m, " each=unknown bytes=unknown\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(probe_usage);

static int probe_kernel_show(struct seq_file *m, void *unused)
{
	seq_puts(m, IS_ENABLED(CONFIG_SUBSECTION_HOTPLUG) ? "ours\n" :
		 "stock\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(probe_kernel);

/* This boot's sub-section size: ours may be finer (subsection_size=). */
static unsigned long probe_subsection_size(void)
{
#ifdef CONFIG_SUBSECTION_HOTPLUG
	return subsec_pages_per_subsection(&subsec_native) << PAGE_SHIFT;
#else
	return PAGES_PER_SUBSECTION << PAGE_SHIFT;
#endif
}

/* What the scenarios need to count memmap pages by hand. */
static int probe_layout_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "page_size=%lu struct_page=%zu section=%lu subsection=%lu\n",
		   PAGE_SIZE, sizeof(struct page),
		   PAGES_PER_SECTION << PAGE_SHIFT, probe_subsection_size());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(probe_layout);

static int __init probe_init(void)
{
	probe_tcg_pmem_noflush();
	probe_dir = debugfs_create_dir("subsection_probe", NULL);
	if (IS_ERR(probe_dir))
		return PTR_ERR(probe_dir);
	debugfs_create_file("kernel", 0400, probe_dir, NULL,
			    &probe_kernel_fops);
	debugfs_create_file("layout", 0400, probe_dir, NULL, &probe_layout_fops);
	debugfs_create_file("pfn", 0600, probe_dir, NULL, &probe_pfn_fops);
	debugfs_create_file("memremap", 0600, probe_dir, NULL,
			    &probe_memremap_fops);
	debugfs_create_file("bench", 0600, probe_dir, NULL, &probe_bench_fops);
	debugfs_create_file("usage", 0400, probe_dir, NULL, &probe_usage_fops);
	debugfs_create_file("memmap", 0600, probe_dir, NULL,
			    &probe_memmap_fops);
	return 0;
}

static void __exit probe_exit(void)
{
	debugfs_remove_recursive(probe_dir);
}

module_init(probe_init);
module_exit(probe_exit);
MODULE_DESCRIPTION("Sub-section hotplug test probe: pfn lookups and memremap_pages()");
MODULE_LICENSE("GPL");
