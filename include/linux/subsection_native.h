/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running kernel's sub-section layout: subsec_native, the one
 * &struct subsec_geom the core is handed outside the KUnit suites.
 *
 * Included by <linux/mmzone.h> for pfn_valid(), before <linux/mm.h> is
 * complete: it needs nothing but the pure core, and its macros expand
 * PAGE_SHIFT, SECTION_SIZE_BITS and SUBSECTION_SHIFT only where they are
 * used.
 */
#ifndef _LINUX_SUBSECTION_NATIVE_H
#define _LINUX_SUBSECTION_NATIVE_H

#include <linux/subsection.h>

#ifdef CONFIG_SUBSECTION_HOTPLUG
/*
 * Defined in mm/subsection_sparse.c.  Its sub-section size is chosen at
 * boot with subsection_size=, from 2 MiB (stock's fixed SUBSECTION_SHIFT,
 * the default) down to 2^CONFIG_SUBSECTION_SHIFT_MIN bytes, never below
 * a page; the other fields are the build's and never change.
 */
extern struct subsec_geom subsec_native;

/*
 * log2 of subsec_native's sub-section size in bytes: a constant where the
 * Kconfig minimum leaves no choice (21 is SUBSECTION_SHIFT).
 */
#if CONFIG_SUBSECTION_SHIFT_MIN < 21
#define SUBSEC_NATIVE_SHIFT	(subsec_native.subsection_shift)
#else
#define SUBSEC_NATIVE_SHIFT	SUBSECTION_SHIFT
#endif

/*
 * subsec_native's shifts with the constants folded in, for index
 * arithmetic such as subsec_usage_test() in pfn_valid(): initialise a
 * local &struct subsec_geom with it.  It has no physical address bits
 * and no sizeof(struct page): anything else takes &subsec_native.
 */
#define SUBSEC_NATIVE_INDEX_GEOM {				\
	.name = "native-index",					\
	.page_shift = PAGE_SHIFT,				\
	.section_shift = SECTION_SIZE_BITS,			\
	.subsection_shift = SUBSEC_NATIVE_SHIFT,		\
}
#endif /* CONFIG_SUBSECTION_HOTPLUG */

#endif /* _LINUX_SUBSECTION_NATIVE_H */
