// SPDX-License-Identifier: GPL-2.0
/*
 * libnvdimm's fsdax / devdax info-blocks on the sub-section core: the
 * glue between drivers/nvdimm/pfn_devs.c and the pure layout of
 * pfn_layout.c.  With CONFIG_SUBSECTION_HOTPLUG a new info-block is laid
 * out, and an existing one validated, at the granularity of the running
 * kernel's sub-section geometry, or the architecture's
 * memremap_compat_align() where that is coarser (ppc64 hash).
 *
 * Built in (NVDIMM_PFN is a bool), so libnvdimm and nfit_test's wrapped
 * libnvdimm both reach it.
 */
#include <linux/device.h>
#include <linux/export.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/subsection.h>
#include <linux/subsection_native.h>

#include "nd.h"
#include "pfn_layout.h"

/*
 * The block a whole section's memmap is taken from the altmap in where
 * the architecture has no fallback to RAM: a vmemmap PMD with
 * vmemmap_populate_hugepages() (x86_64, arm64 4K).  arm64 16K / 64K map
 * vmemmap page by page; ppc64 falls back to RAM when an aligned block
 * does not fit.
 */
#if defined(CONFIG_X86_64) || defined(CONFIG_ARM64_4K_PAGES)
#define ALTMAP_BLOCK	PMD_SIZE
#else
#define ALTMAP_BLOCK	PAGE_SIZE
#endif

static void env_init(struct nd_pfn_env *env, const unsigned long *aligns)
{
	static_assert(ND_PFN_MAP_MEM == PFN_MODE_RAM);
	static_assert(ND_PFN_MAP_DEV == PFN_MODE_PMEM);
	*env = (struct nd_pfn_env){
		.page_size = PAGE_SIZE,
		.page_struct_size = sizeof(struct page),
		.page_struct_reserve = MAX_STRUCT_PAGE_SIZE,
		.subsection_size = subsec_pages_per_subsection(&subsec_native) << PAGE_SHIFT,
		.compat_align = memremap_compat_align(),
		.section_size = PAGES_PER_SECTION << PAGE_SHIFT,
		.altmap_block = ALTMAP_BLOCK,
		/* x86_64's vmemmap_populate() maps a partial section from RAM */
		.altmap_partial = !IS_ENABLED(CONFIG_X86_64),
		.compound_grid = SUBSECTION_SIZE,
		.info_reserve = nd_info_block_reserve(),
		.aligns = aligns,
	};
	/* Memory debug kernels (KMSAN) reserve their own larger size. */
	if (IS_ENABLED(CONFIG_NVDIMM_KMSAN) &&
	    sizeof(struct page) > MAX_STRUCT_PAGE_SIZE)
		env->page_struct_reserve = sizeof(struct page);
}

/**
 * nd_pfn_subsection_pfn_down() - round a pfn down to a sub-section
 * @pfn: the pfn
 *
 * Context: Any context.
 * Return: the first pfn of the sub-section (of this boot's size) that
 * holds @pfn: where memremap_pages() and the altmap of a namespace start.
 */
unsigned long nd_pfn_subsection_pfn_down(unsigned long pfn)
{
	return subsec_pfn_down(&subsec_native, pfn);
}
EXPORT_SYMBOL_GPL(nd_pfn_subsection_pfn_down);

/**
 * nd_pfn_subsection_init() - lay out a new info-block
 * @nd_pfn: the pfn / dax instance, with its namespace and mode
 * @aligns: the supported data alignments, 0-terminated
 * @devdax: @nd_pfn is a device-dax instance
 * @start: physical start of the namespace
 * @size: its size
 * @align: the data alignment asked for
 * @offset: the data offset, on success
 * @end_trunc: bytes cut off at the end, on success
 * @npfns: pages of data, on success
 *
 * Context: Any context.  Takes no locks and does not sleep.
 * Return: 0, or the error of nd_pfn_layout_new(), which is logged.
 */
int nd_pfn_subsection_init(struct nd_pfn *nd_pfn, const unsigned long *aligns,
			   bool devdax, u64 start, u64 size, unsigned long align,
			   phys_addr_t *offset, u32 *end_trunc,
			   unsigned long *npfns)
{
	struct nd_pfn_env env;
	struct nd_pfn_layout l;
	int rc;

	env_init(&env, aligns);
	if (env.page_struct_size > env.page_struct_reserve) {
		dev_err(&nd_pfn->dev,
			"memory debug options prevent using pmem for the page map\n");
		return -EINVAL;
	}
	rc = nd_pfn_layout_new(&env, start, size, nd_pfn->mode, align, devdax,
			       &l);
	if (rc) {
		dev_err(&nd_pfn->dev,
			"%s: %#llx+%#llx cannot hold a %s layout aligned to %#lx (this boot maps in %llu KiB steps): %d\n",
			dev_name(&nd_pfn->ndns->dev), start, size,
			devdax ? "devdax" : "fsdax", align,
			nd_pfn_layout_map_align(&env, nd_pfn->mode, align, devdax) >> 10,
			rc);
		return rc;
	}
	*offset = l.dataoff;
	*end_trunc = l.end_trunc;
	*npfns = l.npfns;
	return 0;
}
EXPORT_SYMBOL_GPL(nd_pfn_subsection_init);

/**
 * nd_pfn_subsection_validate() - check an info-block against its namespace
 * @nd_pfn: the instance, its info-block read into @nd_pfn->pfn_sb
 * @aligns: the supported data alignments, 0-terminated
 * @devdax: the info-block is a device-dax one
 *
 * Context: Any context.  Takes no locks and does not sleep.
 * Return: 0, or the error of nd_pfn_layout_check(), logged with its
 * reason in one line.
 */
int nd_pfn_subsection_validate(struct nd_pfn *nd_pfn,
			       const unsigned long *aligns, bool devdax)
{
	struct nd_namespace_io *nsio = to_nd_namespace_io(&nd_pfn->ndns->dev);
	const char *why = NULL;
	struct nd_pfn_env env;
	struct nd_pfn_layout l;
	int rc;

	env_init(&env, aligns);
	rc = nd_pfn_layout_check(&env, nsio->res.start,
				 resource_size(&nsio->res), nd_pfn->pfn_sb,
				 devdax, &l, &why);
	if (rc)
		dev_err(&nd_pfn->dev,
			"info-block of %s refused: %s (this boot maps in %llu KiB steps)\n",
			dev_name(&nd_pfn->ndns->dev), why,
			nd_pfn_layout_map_align(&env,
						le32_to_cpu(nd_pfn->pfn_sb->mode),
						le32_to_cpu(nd_pfn->pfn_sb->align),
						devdax) >> 10);
	return rc;
}
EXPORT_SYMBOL_GPL(nd_pfn_subsection_validate);
