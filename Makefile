# SPDX-License-Identifier: GPL-2.0
#
# Sub-section memory hotplug for Linux 6.12, KUnit-first.
#
#   make            install what is missing, assemble the tree, run KUnit (UML)
#   make check      everything CI runs: KUnit under KASAN + UBSAN, lint,
#                   W=1, real pmem in QEMU (x86_64, then arm64 64K pages)
#   make check-arm64  only the arm64 (64K pages) stages of make check
#   make check-ppc64  the ppc64le kernel and guest, radix and hash MMU
#                   (not part of make check)
#   make matrix     build-only rows like the 0-day robot's, sparse + W=1 on ours
#
# See README.md for the other targets.

REPO   := $(CURDIR)
BUILD  := $(REPO)/build
TREE   := $(BUILD)/tree
TOOLS  := $(REPO)/tools/testing/subsection
LOGS   := $(BUILD)/logs
KUNIT_DIR := $(BUILD)/kunit
# One compiler cache for every clone on this machine (CI clones elsewhere);
# paths under the clone are hashed relative to it, so clones share hits.
CCACHE_DIR ?= $(HOME)/.cache/subsection-ccache
CCACHE_BASEDIR ?= $(REPO)
CCACHE_MAXSIZE ?= 8G
export CCACHE_DIR CCACHE_BASEDIR CCACHE_MAXSIZE
# One job more than cores: a cold build keeps both cores busy through
# ccache and file I/O waits.
JOBS   ?= $(shell echo $$(( $$(nproc) + 1 )))

# Packages a bare Debian machine lacks for the builds and the guest.
DEB_PKGS := flex bison libelf-dev libssl-dev ccache cpio rsync kmod bc \
	    qemu-system-x86 ndctl daxctl xfsprogs e2fsprogs python3 patch jq \
	    python3-docutils
# Only `make kunit-arch` needs these: the cross compilers and QEMUs.
# Only `make kunit-arch` needs these: the arm64 cross compiler and QEMU.
KUNIT_ARCH_PKGS := gcc-aarch64-linux-gnu qemu-system-arm qemu-system-x86 \
		   gcc-powerpc64le-linux-gnu qemu-system-ppc

# Which suites `make kunit` runs: KUNIT_FILTER='subsection_usage*'
KUNIT_FILTER ?=

.PHONY: all deps base tree kunit check lint w1 summary clean distclean help

all: kunit

help:
	@sed -n '3,13p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@$(TOOLS)/deps.sh $(DEB_PKGS)

base: deps
	@$(TOOLS)/base.sh $(BUILD)

tree: base
	@$(TOOLS)/assemble.sh $(REPO) $(BUILD)

# SANITIZE=1: the same suites in a KASAN + UBSAN UML build of its own.
KUNIT_SAN := $(filter 1 y yes,$(SANITIZE))
KUNIT_RUN := kunit$(if $(KUNIT_SAN),-sanitize)

kunit: tree
	@mkdir -p $(LOGS)
	@KUNIT_SANITIZE=$(if $(KUNIT_SAN),1,0) $(TOOLS)/kunit.sh $(TREE) \
		$(BUILD)/$(KUNIT_RUN) $(REPO)/.kunitconfig \
		$(LOGS)/$(KUNIT_RUN).log $(JOBS) '$(KUNIT_FILTER)'

# The sanitized run as a stage of `make check`.
.PHONY: kunit-sanitize
kunit-sanitize:
	@$(MAKE) --no-print-directory kunit SANITIZE=1

# The suites natively under QEMU (TCG): x86_64, arm64 4K and 64K pages;
# KUNIT_ARCH_ROWS='arm64-64k' runs only those rows.
KUNIT_ARCH_ROWS ?=
.PHONY: kunit-arch-deps kunit-arch
kunit-arch-deps:
	@$(TOOLS)/deps.sh $(KUNIT_ARCH_PKGS)

kunit-arch: tree kunit-arch-deps
	@mkdir -p $(LOGS)
	@$(TOOLS)/kunit-arch.sh $(TREE) $(BUILD) $(LOGS) $(JOBS) $(KUNIT_ARCH_ROWS)

lint: tree
	@$(TOOLS)/lint.sh $(REPO) $(TREE) $(LOGS)

# W=1 on our objects of the sanitized UML build, the one make check has.
w1: kunit-sanitize
	@$(TOOLS)/w1.sh $(REPO) $(TREE) $(BUILD)/kunit-sanitize $(LOGS) $(JOBS)

-include tools/testing/pmem/pmem.mk

# Build-only rows like the 0-day robot's (x86_64 defconfig ours / stock,
# lean rows without hotplug or ZONE_DEVICE, i386, arm64 4K / 16K / 64K,
# ppc64le 64K, clang), then C=2 W=1 on our objects; one line per row,
# ends "N passed, N failed".  MATRIX_ROWS='arm64-4k ppc64le-64k' runs
# only those rows.
MATRIX_PKGS := gcc-aarch64-linux-gnu gcc-powerpc64le-linux-gnu \
	       clang llvm lld sparse
MATRIX_ROWS ?=
MATRIX_JOBS ?= $(JOBS)
.PHONY: matrix-deps matrix
matrix-deps:
	@$(TOOLS)/deps.sh $(MATRIX_PKGS)

matrix: tree matrix-deps
	@mkdir -p $(LOGS)
	@$(TOOLS)/matrix.sh $(REPO) $(BUILD) $(LOGS) $(MATRIX_JOBS) $(MATRIX_ROWS)

# Our functions, not upstream's, are linked into the sub-section paths.
.PHONY: linkcheck
linkcheck: kernel
	@$(TOOLS)/linkcheck.sh $(PMEM_OUT) $(PMEM_MODE) $(LOGS)

# `make check` runs every stage even when one fails, then prints one
# summary line and fails if any stage failed (check.sh).  Its KUnit
# stage is the KASAN + UBSAN build: the same suites and cases as `make
# kunit`, with the sanitizers on top (a case that fails plainly fails
# there too), so the plain UML build, five minutes of a cold run, is
# left to `make`.
CHECK_STAGES ?= kunit-sanitize lint w1 linkcheck $(PMEM_CHECK_STAGES)

check:
	@MAKE='$(MAKE)' $(TOOLS)/check.sh $(LOGS) $(CHECK_STAGES)

clean:
	rm -rf $(KUNIT_DIR) $(LOGS)

distclean:
	rm -rf $(BUILD)

# Each single-point mutation of the core must make a KUnit case fail
# (MUTATE_ONLY=subsection_memmap: only that file's mutations).
.PHONY: mutate
mutate: base
	@$(TOOLS)/mutate.sh $(REPO) $(BUILD)

# The overlay and the hook patches as a `git format-patch` series against
# the pristine base (build/series/, one patch per step of
# tools/testing/subsection/series/steps, each clean under checkpatch
# --strict), and each patch applied in turn, built and tested: UML with
# the suites present at that step, the lean x86_64 kernel at the glue
# steps and the last (build/logs/series-check.txt).
.PHONY: series series-check
series: base
	@$(TOOLS)/series.sh $(REPO) $(BUILD)

# A checkpatch finding fails `make series`, but does not stop the checks.
series-check: export SERIES_CHECKPATCH = report
series-check: series
	@$(TOOLS)/series-check.sh $(REPO) $(BUILD)
