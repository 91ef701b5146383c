// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "nvdimm_pfn_layout": the fsdax / devdax info-block layout
 * of drivers/nvdimm/pfn_layout.c.
 *
 * Every expected offset, truncation and size below is worked out by hand
 * in the comment of its row (MiB = 2^20; the memmap on the device is 64
 * bytes per page after the 8 KiB info-block area, rounded up to the data
 * alignment).  Info-blocks are built by the test in their on-media
 * (little-endian) form with a checksum of the test's own.
 */
#include <asm/byteorder.h>
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/minmax.h>
#include <linux/prandom.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "../../drivers/nvdimm/pfn_layout.h"

#define MiB	BIT_ULL(20)
#define GiB	BIT_ULL(30)
#define NS4G	(4 * GiB)	/* where most namespaces start */

/* Fletcher-64 over 32-bit little-endian words, the checksum field as 0. */
static u64 ref_checksum(const struct nd_pfn_sb *sb)
{
	const __le32 *w = (const __le32 *)sb;
	size_t skip = offsetof(struct nd_pfn_sb, checksum) / 4, i;
	u32 lo = 0, hi = 0;

	for (i = 0; i < sizeof(*sb) / 4; i++) {
		lo += (i == skip || i == skip + 1) ? 0 : le32_to_cpu(w[i]);
		hi += lo;
	}
	return (u64)hi << 32 | lo;
}

static const unsigned long x86_aligns[] = { SZ_4K, SZ_2M, SZ_1G, 0 };
static const unsigned long arm64_64k_aligns[] = { SZ_64K, SZ_512M, 0 };

enum {
	X86, ARM64_64K, PPC64_RADIX, PPC64_HASH, X86_SUB64K, ARM64_4K,
	X86_SUB4K,
};

/*
 * What each kernel offers.  altmap_block: the vmemmap PMD (2M) on x86_64
 * and arm64 4K, a page where vmemmap is mapped page by page (arm64 64K)
 * or a block falls back to RAM (ppc64); altmap_partial: only x86_64 maps
 * the memmap of a partial section from RAM; compound_grid: stock's 2M,
 * where devdax compound pages with the memmap in RAM are laid out.
 */
static const struct nd_pfn_env envs[] = {
	[X86] = {
		.page_size = SZ_4K, .page_struct_size = 64,
		.page_struct_reserve = 64, .subsection_size = SZ_2M,
		.compat_align = SZ_2M, .section_size = SZ_128M,
		.altmap_block = SZ_2M, .altmap_partial = false,
		.compound_grid = SZ_2M,
		.info_reserve = SZ_8K, .aligns = x86_aligns,
	},
	[ARM64_64K] = {
		.page_size = SZ_64K, .page_struct_size = 64,
		.page_struct_reserve = 64, .subsection_size = SZ_2M,
		.compat_align = SZ_2M, .section_size = SZ_512M,
		.altmap_block = SZ_64K, .altmap_partial = true,
		.compound_grid = SZ_2M,
		.info_reserve = SZ_64K, .aligns = arm64_64k_aligns,
	},
	/* ppc64 with the radix MMU: memremap_compat_align() is 2 MiB */
	[PPC64_RADIX] = {
		.page_size = SZ_64K, .page_struct_size = 64,
		.page_struct_reserve = 64, .subsection_size = SZ_2M,
		.compat_align = SZ_2M, .section_size = SZ_16M,
		.altmap_block = SZ_64K, .altmap_partial = true,
		.compound_grid = SZ_2M,
		.info_reserve = SZ_64K, .aligns = arm64_64k_aligns,
	},
	/* ppc64 with the hash MMU: the linear map is bolted in 16 MiB */
	[PPC64_HASH] = {
		.page_size = SZ_64K, .page_struct_size = 64,
		.page_struct_reserve = 64, .subsection_size = SZ_2M,
		.compat_align = SZ_16M, .section_size = SZ_16M,
		.altmap_block = SZ_64K, .altmap_partial = true,
		.compound_grid = SZ_2M,
		.info_reserve = SZ_64K, .aligns = arm64_64k_aligns,
	},
	/* x86_64 booted with subsection_size=64K (ours only) */
	[X86_SUB64K] = {
		.page_size = SZ_4K, .page_struct_size = 64,
		.page_struct_reserve = 64, .subsection_size = SZ_64K,
		.compat_align = SZ_64K, .section_size = SZ_128M,
		.altmap_block = SZ_2M, .altmap_partial = false,
		.compound_grid = SZ_2M,
		.info_reserve = SZ_8K, .aligns = x86_aligns,
	},
	/* x86_64 booted with subsection_size=4K */
	[X86_SUB4K] = {
		.page_size = SZ_4K, .page_struct_size = 64,
		.page_struct_reserve = 64, .subsection_size = SZ_4K,
		.compat_align = SZ_4K, .section_size = SZ_128M,
		.altmap_block = SZ_2M, .altmap_partial = false,
		.compound_grid = SZ_2M,
		.info_reserve = SZ_8K, .aligns = x86_aligns,
	},
	/* arm64 4K pages: a partial section's memmap is on the device too */
	[ARM64_4K] = {
		.page_size = SZ_4K, .page_struct_size = 64,
		.page_struct_reserve = 64, .subsection_size = SZ_2M,
		.compat_align = SZ_2M, .section_size = SZ_128M,
		.altmap_block = SZ_2M, .altmap_partial = true,
		.compound_grid = SZ_2M,
		.info_reserve = SZ_8K, .aligns = x86_aligns,
	},
};

#define MEM	ND_PFN_MAP_MEM
#define DEV	ND_PFN_MAP_DEV

struct new_case {
	const char *name;
	int env;
	u64 start, size;
	u32 mode;
	unsigned long align;
	bool devdax;
	int rc;
	/* expected on success */
	u64 dataoff;
	u32 end_trunc;
	u64 data_size;
};

static const struct new_case new_cases[] = {
	/* 8K info -> 2M; 16M - 2M of data */
	{ .name = "fsdax-mem-16M", .env = X86, .start = NS4G, .size = 16 * MiB,
	  .mode = MEM, .align = SZ_2M, .dataoff = 2 * MiB, .end_trunc = 0,
	  .data_size = 14 * MiB },
	/* memmap (16M - 8K) / 4K * 64 = 262016; 8K + 262016 -> 2M */
	{ .name = "fsdax-dev-16M", .env = X86, .start = NS4G, .size = 16 * MiB,
	  .mode = DEV, .align = SZ_2M, .dataoff = 2 * MiB, .end_trunc = 0,
	  .data_size = 14 * MiB },
	/* memmap 16382 * 64 = 1048448; + 8K = 1056640 -> 2M */
	{ .name = "fsdax-dev-64M", .env = X86, .start = NS4G, .size = 64 * MiB,
	  .mode = DEV, .align = SZ_2M, .dataoff = 2 * MiB, .end_trunc = 0,
	  .data_size = 62 * MiB },
	/* memmap 65534 * 64 = 4194176; + 8K = 4202368 > 4M -> 6M */
	{ .name = "fsdax-dev-256M", .env = X86, .start = NS4G,
	  .size = 256 * MiB, .mode = DEV, .align = SZ_2M, .dataoff = 6 * MiB,
	  .end_trunc = 0, .data_size = 250 * MiB },
	/* end at 4G + 17M: cut back to 4G + 16M */
	{ .name = "fsdax-mem-17M-end-cut", .env = X86, .start = NS4G,
	  .size = 17 * MiB, .mode = MEM, .align = SZ_2M, .dataoff = 2 * MiB,
	  .end_trunc = 1 * MiB, .data_size = 14 * MiB },
	{ .name = "devdax-mem-17M-end-cut", .env = X86, .start = NS4G,
	  .size = 17 * MiB, .mode = MEM, .align = SZ_2M, .devdax = true,
	  .dataoff = 2 * MiB, .end_trunc = 1 * MiB, .data_size = 14 * MiB },
	/* devdax 1G: end 7G + 2M cut to 7G; data from 5G */
	{ .name = "devdax-mem-1G-align", .env = X86, .start = NS4G,
	  .size = 3 * GiB + 2 * MiB, .mode = MEM, .align = SZ_1G,
	  .devdax = true, .dataoff = 1 * GiB, .end_trunc = 2 * MiB,
	  .data_size = 2 * GiB },
	/* fsdax 1G: only the sub-section matters at the end: nothing cut */
	{ .name = "fsdax-mem-1G-align", .env = X86, .start = NS4G,
	  .size = 3 * GiB + 2 * MiB, .mode = MEM, .align = SZ_1G,
	  .dataoff = 1 * GiB, .end_trunc = 0, .data_size = 2 * GiB + 2 * MiB },
	/* 4K data alignment still starts the data on a sub-section */
	{ .name = "fsdax-mem-4K-align", .env = X86, .start = NS4G,
	  .size = 16 * MiB, .mode = MEM, .align = SZ_4K, .dataoff = 2 * MiB,
	  .end_trunc = 0, .data_size = 14 * MiB },
	/* starts on a sub-section, not a section: fine */
	{ .name = "fsdax-dev-start-2M", .env = X86, .start = NS4G + 2 * MiB,
	  .size = 18 * MiB, .mode = DEV, .align = SZ_2M, .dataoff = 2 * MiB,
	  .end_trunc = 0, .data_size = 16 * MiB },
	/* 64K pages: memmap 255 * 64 = 16320; + 8K -> 2M; 224 pages */
	{ .name = "arm64-64K-fsdax-dev", .env = ARM64_64K, .start = NS4G,
	  .size = 16 * MiB, .mode = DEV, .align = SZ_64K, .dataoff = 2 * MiB,
	  .end_trunc = 0, .data_size = 14 * MiB },
	/* ppc64 radix: a 2M aligned start is fine (compat align 2M) */
	{ .name = "ppc64-radix-start-2M", .env = PPC64_RADIX,
	  .start = NS4G + 2 * MiB, .size = 16 * MiB, .mode = MEM,
	  .align = SZ_64K, .dataoff = 2 * MiB, .end_trunc = 0,
	  .data_size = 14 * MiB },
	/* ppc64 hash: refused, as stock does: the MMU needs 16M */
	{ .name = "ppc64-hash-start-2M", .env = PPC64_HASH,
	  .start = NS4G + 2 * MiB, .size = 16 * MiB, .mode = MEM,
	  .align = SZ_64K, .rc = -EINVAL },
	/* hash: 64K info -> 16M; the end is cut to 16M too, 48M -> 32M */
	{ .name = "ppc64-hash-fsdax-mem-40M", .env = PPC64_HASH, .start = NS4G,
	  .size = 40 * MiB, .mode = MEM, .align = SZ_64K, .dataoff = 16 * MiB,
	  .end_trunc = 8 * MiB, .data_size = 16 * MiB },
	/*
	 * 192M at a section start, memmap on the device: 64 bytes per 4K
	 * page, so 2M of memmap per 128M section.  R = (192M - 8K) / 4K *
	 * 64 = 3M - 128; 4G + 8K + R -> 4G + 4M, stock's offset.  The
	 * altmap: the whole section's 2M block aligned up from 4G + 8K to
	 * 4G + 2M, ends at 4G + 4M; x86_64 maps the partial rest from RAM.
	 */
	{ .name = "fsdax-dev-192M", .env = X86, .start = NS4G,
	  .size = 192 * MiB, .mode = DEV, .align = SZ_2M, .dataoff = 4 * MiB,
	  .end_trunc = 0, .data_size = 188 * MiB },
	/*
	 * arm64 4K maps the partial 64M from the device as well: after the
	 * block (4G + 4M) come 64M / 4K * 64 = 1M of it -> 4G + 5M -> 6M.
	 * Stock's 4M leaves 1022 pages for 510 + 512 + 256.
	 */
	{ .name = "arm64-4K-fsdax-dev-192M", .env = ARM64_4K, .start = NS4G,
	  .size = 192 * MiB, .mode = DEV, .align = SZ_2M, .dataoff = 6 * MiB,
	  .end_trunc = 0, .data_size = 186 * MiB },
	{ .name = "start-misaligned", .env = X86, .start = NS4G + 1 * MiB,
	  .size = 16 * MiB, .mode = MEM, .align = SZ_2M, .rc = -EINVAL },
	{ .name = "empty", .env = X86, .start = NS4G, .size = 0, .mode = MEM,
	  .align = SZ_2M, .rc = -EINVAL },
	{ .name = "info-block-only", .env = X86, .start = NS4G, .size = SZ_8K,
	  .mode = MEM, .align = SZ_4K, .rc = -EINVAL },
	{ .name = "wraps", .env = X86, .start = (u64)-2 * MiB, .size = 4 * MiB,
	  .mode = MEM, .align = SZ_2M, .rc = -EINVAL },
	{ .name = "no-room-for-data", .env = X86, .start = NS4G,
	  .size = 2 * MiB, .mode = MEM, .align = SZ_2M, .rc = -ENXIO },
	/* devdax 1G on 1G: data would start at 5G, the end */
	{ .name = "devdax-1G-too-small", .env = X86, .start = NS4G,
	  .size = 1 * GiB, .mode = MEM, .align = SZ_1G, .devdax = true,
	  .rc = -ENXIO },
	{ .name = "unsupported-align", .env = X86, .start = NS4G,
	  .size = 16 * MiB, .mode = MEM, .align = SZ_8K, .rc = -EINVAL },
	/*
	 * At 64K sub-sections a 1984K namespace fits, but a 2M alignment
	 * does not: the check refuses such a block on every load (found by
	 * the layout stress, seed 943102035, namespace at 59M of a region).
	 */
	{ .name = "sub64K-align-above-size", .env = X86_SUB64K,
	  .start = NS4G + 59 * MiB, .size = 1984 * SZ_1K, .mode = DEV,
	  .align = SZ_2M, .rc = -EINVAL },
	{ .name = "sub64K-align-equals-size", .env = X86_SUB64K, .start = NS4G,
	  .size = 2 * MiB, .mode = MEM, .align = SZ_2M, .rc = -ENXIO },
	{ .name = "bad-mode", .env = X86, .start = NS4G, .size = 16 * MiB,
	  .mode = 3, .align = SZ_2M, .rc = -ENXIO },
	/*
	 * 64 KiB sub-sections, the namespaces of the nvdimm-fine scenario
	 * (KiB = 1024).  1088K at 4G: 8K info -> 64K; 1024K of data.
	 */
	{ .name = "sub64K-fsdax-mem-1088K", .env = X86_SUB64K, .start = NS4G,
	  .size = 1088 * SZ_1K, .mode = MEM, .align = SZ_4K, .dataoff = SZ_64K,
	  .end_trunc = 0, .data_size = 1024 * SZ_1K },
	/* 1152K at 4G + 1088K: 64K aligned, the end too; 1088K of data */
	{ .name = "sub64K-devdax-mem-1152K", .env = X86_SUB64K,
	  .start = NS4G + 1088 * SZ_1K, .size = 1152 * SZ_1K, .mode = MEM,
	  .align = SZ_4K, .devdax = true, .dataoff = SZ_64K, .end_trunc = 0,
	  .data_size = 1088 * SZ_1K },
	/* 2112K: memmap (2112K - 8K) / 4K * 64 = 33664; + 8K = 41856 -> 64K */
	{ .name = "sub64K-fsdax-dev-2112K", .env = X86_SUB64K,
	  .start = NS4G + 2240 * SZ_1K, .size = 2112 * SZ_1K, .mode = DEV,
	  .align = SZ_4K, .dataoff = SZ_64K, .end_trunc = 0,
	  .data_size = 2048 * SZ_1K },
	/* 3008K: memmap 750 * 64 = 48000; + 8K = 56192 -> 64K */
	{ .name = "sub64K-devdax-dev-3008K", .env = X86_SUB64K,
	  .start = NS4G + 4352 * SZ_1K, .size = 3008 * SZ_1K, .mode = DEV,
	  .align = SZ_4K, .devdax = true, .dataoff = SZ_64K, .end_trunc = 0,
	  .data_size = 2944 * SZ_1K },
	/* 2 MiB alignment asked for: the data still starts 2M aligned */
	{ .name = "sub64K-fsdax-mem-2M-align", .env = X86_SUB64K,
	  .start = NS4G + 1088 * SZ_1K, .size = 8 * MiB, .mode = MEM,
	  .align = SZ_2M, .dataoff = 960 * SZ_1K, .end_trunc = 0,
	  .data_size = 7232 * SZ_1K },
	/*
	 * map=dev at a section start with 4K data alignment, the failure
	 * seen in QEMU: R = (128M - 8K) / 4K * 64 = 2M - 128 would put the
	 * data at 4G + 2M + 64K, but the altmap's first 2M block is aligned
	 * from 4G + 8K to 4G + 2M and ends at 4G + 4M: data from there.
	 */
	{ .name = "sub64K-fsdax-dev-128M-section", .env = X86_SUB64K,
	  .start = NS4G, .size = 128 * MiB, .mode = DEV, .align = SZ_4K,
	  .dataoff = 4 * MiB, .end_trunc = 0, .data_size = 124 * MiB },
	/* 1G: R = 16M - 128; blocks 4G + 2M .. 4G + 18M */
	{ .name = "sub64K-devdax-dev-1G-section", .env = X86_SUB64K,
	  .start = NS4G, .size = 1 * GiB, .mode = DEV, .align = SZ_4K,
	  .devdax = true, .dataoff = 18 * MiB, .end_trunc = 0,
	  .data_size = 1006 * MiB },
	/*
	 * 1G at 4G + 1088K: seven whole sections, 4G + 128M .. 4G + 1G, their
	 * blocks from 4G + 2M to 4G + 16M; R = 16M - 128 puts the data at
	 * 4G + 1088K + 8K + R -> 4G + 17M + 128K: past the blocks already.
	 */
	{ .name = "sub64K-fsdax-dev-1G-unaligned", .env = X86_SUB64K,
	  .start = NS4G + 1088 * SZ_1K, .size = 1 * GiB, .mode = DEV,
	  .align = SZ_4K, .dataoff = 16 * MiB + SZ_64K, .end_trunc = 0,
	  .data_size = 1 * GiB - 16 * MiB - SZ_64K },
	/*
	 * devdax compound pages (2M) with the memmap in RAM share tail
	 * pages, which works on stock's 2M grid only: refused at 4G + 1088K,
	 * laid out at 4G + 2M (8K info -> 2M; 6M of data).
	 */
	{ .name = "sub64K-devdax-mem-2M-align-off-grid", .env = X86_SUB64K,
	  .start = NS4G + 1088 * SZ_1K, .size = 8 * MiB, .mode = MEM,
	  .align = SZ_2M, .devdax = true, .rc = -EINVAL },
	{ .name = "sub64K-devdax-mem-2M-align-on-grid", .env = X86_SUB64K,
	  .start = NS4G + 2 * MiB, .size = 8 * MiB, .mode = MEM, .align = SZ_2M,
	  .devdax = true, .dataoff = 2 * MiB, .end_trunc = 0,
	  .data_size = 6 * MiB },
	{ .name = "sub64K-start-32K", .env = X86_SUB64K,
	  .start = NS4G + 32 * SZ_1K, .size = 1088 * SZ_1K, .mode = MEM,
	  .align = SZ_4K, .rc = -EINVAL },
	/* one sub-section: the info block leaves no data */
	{ .name = "sub64K-no-room-for-data", .env = X86_SUB64K, .start = NS4G,
	  .size = SZ_64K, .mode = MEM, .align = SZ_4K, .rc = -ENXIO },
};

static void new_desc(const struct new_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(new, new_cases, new_desc);

/* New layouts computed by hand, and every refusal. */
static void new_layout_by_hand(struct kunit *test)
{
	const struct new_case *c = test->param_value;
	const struct nd_pfn_env *env = &envs[c->env];
	struct nd_pfn_layout l = {};
	int rc;

	rc = nd_pfn_layout_new(env, c->start, c->size, c->mode, c->align,
			       c->devdax, &l);
	KUNIT_ASSERT_EQ(test, rc, c->rc);
	if (rc)
		return;
	KUNIT_EXPECT_EQ(test, l.dataoff, c->dataoff);
	KUNIT_EXPECT_EQ(test, l.start_pad, 0);
	KUNIT_EXPECT_EQ(test, l.end_trunc, c->end_trunc);
	KUNIT_EXPECT_EQ(test, l.data_size, c->data_size);
	KUNIT_EXPECT_EQ(test, l.data_start, c->start + c->dataoff);
	KUNIT_EXPECT_EQ(test, l.map_start, c->start);
	KUNIT_EXPECT_EQ(test, l.map_size, c->size - c->end_trunc);
	KUNIT_EXPECT_EQ(test, l.npfns, c->data_size / env->page_size);
	KUNIT_EXPECT_EQ(test, l.align, c->align);
	KUNIT_EXPECT_EQ(test, l.page_struct_size, 64);
	KUNIT_EXPECT_EQ(test, l.page_size, env->page_size);
}

/* Fill an on-media info-block; checksum by the test's own function. */
static void make_sb(struct nd_pfn_sb *sb, u16 minor, u32 mode, u64 dataoff,
		    u64 npfns, u32 start_pad, u32 end_trunc, u32 align,
		    u32 page_size, u16 page_struct_size)
{
	memset(sb, 0, sizeof(*sb));
	memcpy(sb->signature, PFN_SIG, PFN_SIG_LEN);
	sb->version_major = cpu_to_le16(1);
	sb->version_minor = cpu_to_le16(minor);
	sb->mode = cpu_to_le32(mode);
	sb->dataoff = cpu_to_le64(dataoff);
	sb->npfns = cpu_to_le64(npfns);
	sb->start_pad = cpu_to_le32(start_pad);
	sb->end_trunc = cpu_to_le32(end_trunc);
	sb->align = cpu_to_le32(align);
	sb->page_size = cpu_to_le32(page_size);
	sb->page_struct_size = cpu_to_le16(page_struct_size);
	sb->checksum = cpu_to_le64(ref_checksum(sb));
}

/* A new layout written as a current info-block reads back the same. */
static void new_layout_reads_back(struct kunit *test)
{
	const struct new_case *c = test->param_value;
	const struct nd_pfn_env *env = &envs[c->env];
	struct nd_pfn_layout l = {}, r = {};
	struct nd_pfn_sb *sb;
	const char *why = NULL;

	if (c->rc)
		kunit_skip(test, "refused: no info-block to read");
	sb = kunit_kzalloc(test, sizeof(*sb), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sb);
	KUNIT_ASSERT_EQ(test, nd_pfn_layout_new(env, c->start, c->size, c->mode,
						c->align, c->devdax, &l), 0);
	make_sb(sb, 4, c->mode, l.dataoff, l.npfns, 0, l.end_trunc, l.align,
		l.page_size, l.page_struct_size);
	KUNIT_ASSERT_EQ_MSG(test, nd_pfn_layout_check(env, c->start, c->size, sb,
						      c->devdax, &r, &why), 0,
			    "%s", why);
	KUNIT_EXPECT_EQ(test, r.data_start, l.data_start);
	KUNIT_EXPECT_EQ(test, r.data_size, l.data_size);
	KUNIT_EXPECT_EQ(test, r.map_start, l.map_start);
	KUNIT_EXPECT_EQ(test, r.map_size, l.map_size);
	KUNIT_EXPECT_EQ(test, r.npfns, l.npfns);
}

struct check_case {
	const char *name;
	int env;
	u64 start, size;
	bool devdax;
	/* the info-block */
	u16 minor;
	u32 mode;
	u64 dataoff, npfns;
	u32 start_pad, end_trunc, align, page_size;
	u16 page_struct_size;
	/* expected */
	int rc;
	u64 data_start, data_size, npfns_out;
};

/* Most rows: a namespace of 64M at 4G (NS4G, NS64M). */
#define NS64M	(64 * MiB)

static const struct check_case check_cases[] = {
	/* current blocks, as stock writes them */
	{ .name = "v1.4-fsdax-mem", .env = X86, .start = NS4G, .size = NS64M,
	  .minor = 4, .mode = MEM, .dataoff = 2 * MiB, .npfns = 15872,
	  .start_pad = 0, .end_trunc = 0, .align = SZ_2M, .page_size = SZ_4K,
	  .page_struct_size = 64, .data_start = NS4G + 2 * MiB,
	  .data_size = 62 * MiB, .npfns_out = 15872 },
	/* map=dev: npfns from the range, 62M / 4K */
	{ .name = "v1.4-fsdax-dev", .env = X86, .start = NS4G, .size = NS64M,
	  .minor = 4, .mode = DEV, .dataoff = 2 * MiB, .npfns = 1,
	  .start_pad = 0, .end_trunc = 0, .align = SZ_2M, .page_size = SZ_4K,
	  .page_struct_size = 64, .data_start = NS4G + 2 * MiB,
	  .data_size = 62 * MiB, .npfns_out = 15872 },
	{ .name = "v1.4-devdax-dev", .env = X86, .start = NS4G, .size = NS64M,
	  .devdax = true, .minor = 4, .mode = DEV, .dataoff = 2 * MiB,
	  .npfns = 15872, .start_pad = 0, .end_trunc = 0, .align = SZ_2M,
	  .page_size = SZ_4K, .page_struct_size = 64,
	  .data_start = NS4G + 2 * MiB, .data_size = 62 * MiB,
	  .npfns_out = 15872 },
	/* stock's old 2M end truncation: 64M - 2M - 2M of data */
	{ .name = "v1.4-end-trunc", .env = X86, .start = NS4G, .size = NS64M,
	  .minor = 4, .mode = DEV, .dataoff = 2 * MiB, .npfns = 1,
	  .start_pad = 0, .end_trunc = 2 * MiB, .align = SZ_2M,
	  .page_size = SZ_4K, .page_struct_size = 64,
	  .data_start = NS4G + 2 * MiB, .data_size = 60 * MiB,
	  .npfns_out = 15360 },
	/* memmap in RAM: the block's own page count is used, not the range */
	{ .name = "v1.4-mem-npfns-from-block", .env = X86, .start = NS4G,
	  .size = NS64M, .minor = 4, .mode = MEM, .dataoff = 2 * MiB,
	  .npfns = 1000, .start_pad = 0, .end_trunc = 0, .align = SZ_2M,
	  .page_size = SZ_4K, .page_struct_size = 64,
	  .data_start = NS4G + 2 * MiB, .data_size = 62 * MiB,
	  .npfns_out = 1000 },
	/* minor 3, 4K aligned data right after the info-block */
	{ .name = "v1.3-data-at-8K", .env = X86, .start = NS4G, .size = NS64M,
	  .minor = 3, .mode = MEM, .dataoff = SZ_8K, .npfns = 16382,
	  .start_pad = 0, .end_trunc = 0, .align = SZ_4K, .page_size = 0,
	  .page_struct_size = 0, .data_start = NS4G + SZ_8K,
	  .data_size = 64 * MiB - SZ_8K, .npfns_out = 16382 },
	/* minor 2 with a 1G alignment: 2G namespace, data from 5G */
	{ .name = "v1.2-align-1G", .env = X86, .start = NS4G, .size = 2 * GiB,
	  .devdax = true, .minor = 2, .mode = MEM, .dataoff = 1 * GiB,
	  .npfns = 262144, .start_pad = 0, .end_trunc = 0, .align = SZ_1G,
	  .page_size = 0, .page_struct_size = 0, .data_start = NS4G + GiB,
	  .data_size = 1 * GiB, .npfns_out = 262144 },
	/* minor 1: align field ignored (garbage), implied 2M by dataoff */
	{ .name = "v1.1-align-implied", .env = X86, .start = NS4G,
	  .size = NS64M, .devdax = true, .minor = 1, .mode = DEV,
	  .dataoff = 2 * MiB, .npfns = 1, .start_pad = 0, .end_trunc = 2 * MiB,
	  .align = 0xdead, .page_size = 0, .page_struct_size = 0,
	  .data_start = NS4G + 2 * MiB, .data_size = 60 * MiB,
	  .npfns_out = 15360 },
	/* minor 1 with the deprecated start_pad: data from 4G + 2M + 2M */
	{ .name = "v1.1-start-pad", .env = X86, .start = NS4G, .size = NS64M,
	  .minor = 1, .mode = DEV, .dataoff = 2 * MiB, .npfns = 1,
	  .start_pad = 2 * MiB, .end_trunc = 0, .align = 0, .page_size = 0,
	  .page_struct_size = 0, .data_start = NS4G + 4 * MiB,
	  .data_size = 60 * MiB, .npfns_out = 15360 },
	/* minor 0: pads and align fields are ignored, garbage or not */
	{ .name = "v1.0-fields-ignored", .env = X86, .start = NS4G,
	  .size = NS64M, .minor = 0, .mode = DEV, .dataoff = 2 * MiB,
	  .npfns = 1, .start_pad = 0x1000, .end_trunc = 0x1000, .align = 0xbeef,
	  .page_size = 0x55, .page_struct_size = 0x77,
	  .data_start = NS4G + 2 * MiB, .data_size = 62 * MiB,
	  .npfns_out = 15872 },
	/* a bigger struct page reserved than this kernel has: fine */
	{ .name = "v1.4-struct-page-128", .env = X86, .start = NS4G,
	  .size = NS64M, .minor = 4, .mode = DEV, .dataoff = 4 * MiB,
	  .npfns = 1, .start_pad = 0, .end_trunc = 0, .align = SZ_2M,
	  .page_size = SZ_4K, .page_struct_size = 128,
	  .data_start = NS4G + 4 * MiB, .data_size = 60 * MiB,
	  .npfns_out = 15360 },
	/* a 64K page size block with the memmap in RAM: fine */
	{ .name = "v1.4-64K-page-mem", .env = X86, .start = NS4G, .size = NS64M,
	  .minor = 4, .mode = MEM, .dataoff = 2 * MiB, .npfns = 15872,
	  .start_pad = 0, .end_trunc = 0, .align = SZ_2M, .page_size = SZ_64K,
	  .page_struct_size = 64, .data_start = NS4G + 2 * MiB,
	  .data_size = 62 * MiB, .npfns_out = 15872 },
	/* fsdax does not insist on a supported alignment */
	{ .name = "fsdax-align-8K", .env = X86, .start = NS4G, .size = NS64M,
	  .minor = 4, .mode = MEM, .dataoff = 2 * MiB, .npfns = 15872,
	  .start_pad = 0, .end_trunc = 0, .align = SZ_8K, .page_size = SZ_4K,
	  .page_struct_size = 64, .data_start = NS4G + 2 * MiB,
	  .data_size = 62 * MiB, .npfns_out = 15872 },
	/* ppc64 radix: a namespace at 4G + 2M loads */
	{ .name = "ppc64-radix-start-2M", .env = PPC64_RADIX,
	  .start = NS4G + 2 * MiB, .size = 16 * MiB, .minor = 4, .mode = MEM,
	  .dataoff = 2 * MiB, .npfns = 224, .start_pad = 0, .end_trunc = 0,
	  .align = SZ_64K, .page_size = SZ_64K, .page_struct_size = 64,
	  .data_start = NS4G + 4 * MiB, .data_size = 14 * MiB,
	  .npfns_out = 224 },
	/*
	 * Written by main before the altmap-room rule at subsection_size=64K:
	 * 1G at 4G + 1088K, data offset 16M + 64K.  It enabled then and
	 * loads as before.
	 */
	{ .name = "sub64K-main-dev-1G-unaligned", .env = X86_SUB64K,
	  .start = NS4G + 1088 * SZ_1K, .size = 1 * GiB, .minor = 4,
	  .mode = DEV, .dataoff = 16 * MiB + SZ_64K, .npfns = 1, .start_pad = 0,
	  .end_trunc = 0, .align = SZ_4K, .page_size = SZ_4K,
	  .page_struct_size = 64,
	  .data_start = NS4G + 1088 * SZ_1K + 16 * MiB + SZ_64K,
	  .data_size = 1 * GiB - 16 * MiB - SZ_64K,
	  .npfns_out = (1 * GiB - 16 * MiB - SZ_64K) / SZ_4K },

	/* refusals */
	{ .name = "mode-none", .env = X86, .start = NS4G, .size = NS64M,
	  .minor = 4, .mode = 0, .dataoff = 2 * MiB, .npfns = 1, .start_pad = 0,
	  .end_trunc = 0, .align = SZ_2M, .page_size = SZ_4K,
	  .page_struct_size = 64, .rc = -ENXIO },
	{ .name = "mode-unknown", .env = X86, .start = NS4G, .size = NS64M,
	  .minor = 4, .mode = 3, .dataoff = 2 * MiB, .npfns = 1, .start_pad = 0,
	  .end_trunc = 0, .align = SZ_2M, .page_size = SZ_4K,
	  .page_struct_size = 64, .rc = -ENXIO },
	{ .name = "dataoff-past-end", .env = X86, .start = NS4G, .size = NS64M,
	  .minor = 4, .mode = MEM, .dataoff = 64 * MiB, .npfns = 1,
	  .start_pad = 0, .end_trunc = 0, .align = SZ_2M, .page_size = SZ_4K,
	  .page_struct_size = 64, .rc = -EOPNOTSUPP },
	{ .name = "dataoff-past-pads", .env = X86, .start = NS4G, .size = NS64M,
	  .minor = 4, .mode = MEM, .dataoff = 62 * MiB, .npfns = 1,
	  .start_pad = 0, .end_trunc = 2 * MiB, .align = SZ_2M,
	  .page_size = SZ_4K, .page_struct_size = 64, .rc = -EOPNOTSUPP },
	{ .name = "dataoff-in-info-block", .env = X86, .start = NS4G,
	  .size = NS64M, .minor = 4, .mode = MEM, .dataoff = SZ_4K, .npfns = 1,
	  .start_pad = 0, .end_trunc = 0, .align = SZ_4K, .page_size = SZ_4K,
	  .page_struct_size = 64, .rc = -EOPNOTSUPP },
	{ .name = "pads-larger-than-ns", .env = X86, .start = NS4G,
	  .size = NS64M, .minor = 4, .mode = MEM, .dataoff = 2 * MiB,
	  .npfns = 1, .start_pad = 32 * MiB, .end_trunc = 32 * MiB,
	  .align = SZ_2M, .page_size = SZ_4K, .page_struct_size = 64,
	  .rc = -EOPNOTSUPP },
	{ .name = "dataoff-misaligned", .env = X86, .start = NS4G,
	  .size = NS64M, .minor = 4, .mode = MEM, .dataoff = 2 * MiB + SZ_4K,
	  .npfns = 1, .start_pad = 0, .end_trunc = 0, .align = SZ_2M,
	  .page_size = SZ_4K, .page_struct_size = 64, .rc = -EOPNOTSUPP },
	{ .name = "dataoff-not-page", .env = X86, .start = NS4G, .size = NS64M,
	  .minor = 4, .mode = MEM, .dataoff = 2 * MiB + 100, .npfns = 1,
	  .start_pad = 0, .end_trunc = 0, .align = SZ_4K, .page_size = SZ_4K,
	  .page_struct_size = 64, .rc = -EOPNOTSUPP },
	/* minor 1: implied align 2M from dataoff 3M does not hold */
	{ .name = "implied-align-misses", .env = X86, .start = NS4G,
	  .size = NS64M, .minor = 1, .mode = MEM, .dataoff = 3 * MiB,
	  .npfns = 1, .start_pad = 0, .end_trunc = 0, .align = 0,
	  .page_size = 0, .page_struct_size = 0, .rc = -EOPNOTSUPP },
	{ .name = "devdax-align-unsupported", .env = X86, .start = NS4G,
	  .size = NS64M, .devdax = true, .minor = 4, .mode = MEM,
	  .dataoff = 2 * MiB, .npfns = 1, .start_pad = 0, .end_trunc = 0,
	  .align = SZ_8K, .page_size = SZ_4K, .page_struct_size = 64,
	  .rc = -EOPNOTSUPP },
	{ .name = "align-exceeds-ns", .env = X86, .start = NS4G, .size = NS64M,
	  .devdax = true, .minor = 4, .mode = MEM, .dataoff = 2 * MiB,
	  .npfns = 1, .start_pad = 0, .end_trunc = 0, .align = SZ_1G,
	  .page_size = SZ_4K, .page_struct_size = 64, .rc = -EOPNOTSUPP },
	{ .name = "page-size-mismatch", .env = X86, .start = NS4G,
	  .size = NS64M, .minor = 4, .mode = DEV, .dataoff = 2 * MiB,
	  .npfns = 1, .start_pad = 0, .end_trunc = 0, .align = SZ_2M,
	  .page_size = SZ_64K, .page_struct_size = 64, .rc = -EOPNOTSUPP },
	{ .name = "struct-page-too-small", .env = X86, .start = NS4G,
	  .size = NS64M, .minor = 4, .mode = DEV, .dataoff = 2 * MiB,
	  .npfns = 1, .start_pad = 0, .end_trunc = 0, .align = SZ_2M,
	  .page_size = SZ_4K, .page_struct_size = 56, .rc = -EOPNOTSUPP },
	{ .name = "start-pad-misaligned", .env = X86, .start = NS4G,
	  .size = NS64M, .minor = 4, .mode = MEM, .dataoff = 2 * MiB,
	  .npfns = 1, .start_pad = 1 * MiB, .end_trunc = 0, .align = SZ_4K,
	  .page_size = SZ_4K, .page_struct_size = 64, .rc = -EOPNOTSUPP },
	{ .name = "end-misaligned", .env = X86, .start = NS4G, .size = NS64M,
	  .minor = 4, .mode = MEM, .dataoff = 2 * MiB, .npfns = 1,
	  .start_pad = 0, .end_trunc = 1 * MiB, .align = SZ_4K,
	  .page_size = SZ_4K, .page_struct_size = 64, .rc = -EOPNOTSUPP },
	/* ppc64 hash: the 2M start radix wrote; the MMU needs 16M */
	{ .name = "ppc64-hash-start-2M", .env = PPC64_HASH,
	  .start = NS4G + 2 * MiB, .size = 16 * MiB, .minor = 4, .mode = MEM,
	  .dataoff = 2 * MiB, .npfns = 224, .start_pad = 0, .end_trunc = 0,
	  .align = SZ_64K, .page_size = SZ_64K, .page_struct_size = 64,
	  .rc = -EOPNOTSUPP },
	/*
	 * Written by main before the altmap-room rule: 128M at a section
	 * start, data at 2M + 64K; its hot-add ran out of altmap (-ENOMEM).
	 * Now refused before anything is mapped.
	 */
	{ .name = "sub64K-main-dev-128M-section", .env = X86_SUB64K,
	  .start = NS4G, .size = 128 * MiB, .minor = 4, .mode = DEV,
	  .dataoff = 2 * MiB + SZ_64K, .npfns = 1, .start_pad = 0,
	  .end_trunc = 0, .align = SZ_4K, .page_size = SZ_4K,
	  .page_struct_size = 64, .rc = -EOPNOTSUPP },
	/*
	 * Written by main before the compound-page grid: devdax 2M at
	 * 4G + 1088K with the memmap in RAM, data at 4G + 2M.  Its enable
	 * warned in __populate_section_memmap(); now refused.
	 */
	{ .name = "sub64K-main-devdax-mem-2M-off-grid", .env = X86_SUB64K,
	  .start = NS4G + 1088 * SZ_1K, .size = 8 * MiB, .devdax = true,
	  .minor = 4, .mode = MEM, .dataoff = 960 * SZ_1K, .npfns = 3072,
	  .start_pad = 0, .end_trunc = 0, .align = SZ_2M, .page_size = SZ_4K,
	  .page_struct_size = 64, .rc = -EOPNOTSUPP },
	{ .name = "namespace-wraps", .env = X86, .start = (u64)-32 * MiB,
	  .size = 64 * MiB, .minor = 4, .mode = MEM, .dataoff = 2 * MiB,
	  .npfns = 1, .start_pad = 0, .end_trunc = 0, .align = SZ_2M,
	  .page_size = SZ_4K, .page_struct_size = 64, .rc = -EOPNOTSUPP },
};

static void check_desc(const struct check_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(check, check_cases, check_desc);

/*
 * Every form of info-block loads with the data range stock exposes for
 * it; every unfitting one is refused with a reason, and the
 * block itself is not touched.
 */
static void info_block_checked(struct kunit *test)
{
	const struct check_case *c = test->param_value;
	struct nd_pfn_layout l = {};
	struct nd_pfn_sb *sb, *copy;
	const char *why = NULL;
	int rc;

	sb = kunit_kzalloc(test, sizeof(*sb), GFP_KERNEL);
	copy = kunit_kzalloc(test, sizeof(*copy), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sb);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	make_sb(sb, c->minor, c->mode, c->dataoff, c->npfns, c->start_pad,
		c->end_trunc, c->align, c->page_size, c->page_struct_size);
	memcpy(copy, sb, sizeof(*sb));

	rc = nd_pfn_layout_check(&envs[c->env], c->start, c->size, sb,
				 c->devdax, &l, &why);
	KUNIT_EXPECT_EQ_MSG(test, rc, c->rc, "why: %s", why ? why : "-");
	KUNIT_EXPECT_EQ(test, memcmp(copy, sb, sizeof(*sb)), 0);
	if (rc) {
		KUNIT_EXPECT_NOT_NULL(test, why);
		return;
	}
	KUNIT_EXPECT_EQ(test, l.data_start, c->data_start);
	KUNIT_EXPECT_EQ(test, l.data_size, c->data_size);
	KUNIT_EXPECT_EQ(test, l.npfns, c->npfns_out);
	KUNIT_EXPECT_EQ(test, l.map_start, c->start + (c->minor ? c->start_pad : 0));
}

/*
 * The test's own model of a hot-add with the memmap on the device, from
 * the kernel code it stands for, not from the layout's env fields:
 *
 *  - the altmap hands out pfns upwards from base + reserve and ends at
 *    the data (altmap_alloc_block_buf(): a block of n pages is first
 *    aligned to the lowest set bit of n, the pfns skipped are lost);
 *  - the hot-add goes section by section (__add_pages()); the memmap of
 *    a whole section is one vmemmap_populate() call, mapped with blocks
 *    of @block bytes (x86_64 and arm64 4K: a 2M PMD, vmemmap_populate_
 *    hugepages(), no fallback with an altmap), a partial section's whole
 *    memmap pages one by one from the device if @partial (arm64:
 *    vmemmap_populate_basepages() with the altmap; x86_64 passes NULL),
 *    its partly used edge pages from RAM (mm/subsection_sparse.c).
 */
struct sim_arch {
	const char *name;
	int env;
	unsigned long block;
	bool partial;
};

static const struct sim_arch sim_arches[] = {
	{ .name = "x86_64", .env = X86, .block = SZ_2M },
	{ .name = "x86_64-sub64K", .env = X86_SUB64K, .block = SZ_2M },
	{ .name = "x86_64-sub4K", .env = X86_SUB4K, .block = SZ_2M },
	{ .name = "arm64-4K", .env = ARM64_4K, .block = SZ_2M,
	  .partial = true },
	{ .name = "arm64-64K", .env = ARM64_64K, .block = SZ_64K,
	  .partial = true },
};

struct sim_altmap {
	u64 next;	/* pfn the next allocation starts from */
	u64 end;	/* first pfn it must not reach */
};

static bool sim_alloc(struct sim_altmap *a, u64 nr)
{
	u64 at = round_up(a->next, nr & -nr);

	if (at + nr > a->end)
		return false;
	a->next = at + nr;
	return true;
}

/* Does the hot-add of layout @l find all the memmap it asks for? */
static bool sim_hot_add(const struct sim_arch *arch,
			const struct nd_pfn_layout *l)
{
	const struct nd_pfn_env *env = &envs[arch->env];
	u64 p = env->page_size, sec = env->section_size, pos, next, i, a, b;
	u64 map_end = l->map_start + l->map_size;
	struct sim_altmap alt = {
		.next = (l->map_start + env->info_reserve) / p,
		.end = (l->map_start + l->dataoff) / p,
	};

	for (pos = l->map_start; pos < map_end; pos = next) {
		next = min(round_down(pos, sec) + sec, map_end);
		if (next - pos == sec) {
			for (i = 0; i < sec / p * 64; i += arch->block)
				if (!sim_alloc(&alt, arch->block / p))
					return false;
		} else if (arch->partial) {
			/* whole memmap pages of [pos, next) */
			a = DIV_ROUND_UP_ULL(pos / p * 64, p);
			b = next / p * 64 / p;
			for (i = a; i < b; i++)
				if (!sim_alloc(&alt, 1))
					return false;
		}
	}
	return true;
}

static void sim_desc(const struct sim_arch *a, char *desc)
{
	strscpy(desc, a->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sim, sim_arches, sim_desc);

/* The model can fail: main's old 128M layout at 64K runs out. */
static void altmap_model_refuses_old_layout(struct kunit *test)
{
	const struct nd_pfn_layout old = {
		.map_start = NS4G, .map_size = 128 * MiB,
		.dataoff = 2 * MiB + SZ_64K,
	};

	KUNIT_EXPECT_FALSE(test, sim_hot_add(&sim_arches[1], &old));
}

/*
 * Seeded random namespaces with the memmap on the device: every layout
 * nd_pfn_layout_new() makes has room for the hot-add the model runs,
 * wherever the namespace starts and however many sections it holds.
 */
static void altmap_room_random(struct kunit *test)
{
	const struct sim_arch *arch = test->param_value;
	const struct nd_pfn_env *env = &envs[arch->env];
	u64 g = nd_pfn_layout_map_align(env, DEV, 0, false), start, size;
	unsigned int i, n = 0, nr_aligns = 0;
	struct nd_pfn_layout l;
	struct rnd_state rnd;
	unsigned long align;

	while (env->aligns[nr_aligns])
		nr_aligns++;
	prandom_seed_state(&rnd, 0x5ec7a17 + arch->env);
	for (i = 0; i < 400; i++) {
		start = NS4G + (prandom_u32_state(&rnd) % (u32)(GiB / g)) * g;
		switch (prandom_u32_state(&rnd) % 3) {
		case 0:	/* up to 1G in granules */
			size = (1 + prandom_u32_state(&rnd) % (u32)(GiB / g)) * g;
			break;
		case 1:	/* whole sections, a granule or two more or less */
			size = (1 + prandom_u32_state(&rnd) % 8) *
			       env->section_size;
			size += ((s64)(prandom_u32_state(&rnd) % 5) - 2) * g;
			break;
		default: /* a few granules */
			size = (1 + prandom_u32_state(&rnd) % 64) * g;
			break;
		}
		align = env->aligns[prandom_u32_state(&rnd) % nr_aligns];
		if (nd_pfn_layout_new(env, start, size, DEV, align,
				      prandom_u32_state(&rnd) & 1, &l))
			continue;
		n++;
		KUNIT_EXPECT_TRUE_MSG(test, sim_hot_add(arch, &l),
				      "%#llx+%#llx align %#lx: data at %#llx",
				      start, size, align, l.dataoff);
	}
	/* most draws must make a layout, or this proves nothing */
	KUNIT_EXPECT_GT(test, n, 200U);
}

static struct kunit_case nvdimm_pfn_layout_cases[] = {
	KUNIT_CASE_PARAM(new_layout_by_hand, new_gen_params),
	KUNIT_CASE_PARAM(new_layout_reads_back, new_gen_params),
	KUNIT_CASE_PARAM(info_block_checked, check_gen_params),
	KUNIT_CASE(altmap_model_refuses_old_layout),
	KUNIT_CASE_PARAM(altmap_room_random, sim_gen_params),
	{}
};

static struct kunit_suite nvdimm_pfn_layout_suite = {
	.name = "nvdimm_pfn_layout",
	.test_cases = nvdimm_pfn_layout_cases,
};

kunit_test_suite(nvdimm_pfn_layout_suite);

MODULE_DESCRIPTION("KUnit tests for the nvdimm fsdax/devdax info-block layout");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
