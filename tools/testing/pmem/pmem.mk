# SPDX-License-Identifier: GPL-2.0
#
# Real persistent memory in QEMU (TCG): lean x86_64 or arm64 kernel +
# scenarios.  Included by the top-level Makefile.  See
# tools/testing/pmem/README.md.
#
#   make kernel [STOCK=1] [KMEMLEAK=1]     build the lean kernel
#   ... ARCH=arm64 PAGES=64K|16K|4K        the same for arm64 (default x86_64)
#   ... ARCH=ppc64le [MMU=radix|hash]      the ppc64le (pseries, 64K pages) one
#   make pmem-test [STOCK=1] [SCENARIO=a,b] run the scenarios, print a table
#   make pmem-shell [STOCK=1] [SCENARIO=a]  interactive shell in the guest
#   make pmem-compare                      run stock and ours, side by side
#   make robust [STOCK=1]                  sanitized kernel, -smp 4, faults,
#                                          races, hostile sysfs, reboot,
#                                          long layout stress (lean kernel)
#
# Knobs: PMEM_TIMEOUT (seconds per guest boot, default 3000, arm64 5400,
# SANITIZE=1 12000),
# PMEM_SMP, PMEM_INJECT (self-test of the harness: warn, byte, hang, panic).

PMEM_DIR  := $(REPO)/tools/testing/pmem
PMEM_MODE := $(if $(filter 1 y yes,$(STOCK)),stock,ours)
# KMEMLEAK=1 adds kmemleak; SANITIZE=1 KASAN, UBSAN, kmemleak and
# DEBUG_PAGEALLOC (make robust); NODEBUG=1 drops lean.config's lockdep,
# DEBUG_VM and page poisoning (make bench).
PMEM_DEBUG := $(if $(filter 1 y yes,$(SANITIZE)),sanitize,$(if $(filter 1 y yes,$(KMEMLEAK)),kmemleak,$(if $(filter 1 y yes,$(NODEBUG)),nodebug,0)))
# ARCH=arm64 selects the arm64 guest, PAGES its page size; ARCH=ppc64le
# the ppc64le (pseries, 64K pages) kernel and guest, MMU=radix (default)
# or hash the MMU its guest boots with (one kernel has both).
PMEM_ARCH := $(if $(filter arm64 ppc64le,$(ARCH)),$(ARCH),x86_64)
PAGES     ?= 64K
PMEM_PAGES := $(PAGES)
PMEM_ATAG := $(if $(filter arm64,$(PMEM_ARCH)),-arm64-$(shell echo '$(PMEM_PAGES)' | tr A-Z a-z))$(if $(filter ppc64le,$(PMEM_ARCH)),-ppc64le)
PMEM_OUT  := $(BUILD)/kernel-$(PMEM_MODE)$(PMEM_ATAG)$(if $(filter-out 0,$(PMEM_DEBUG)),-$(PMEM_DEBUG))
MMU       ?= radix
PMEM_MMU  := $(MMU)
# The outputs of a guest run: the kernel's tag, and -hash for that MMU.
PMEM_LTAG := $(PMEM_ATAG)$(if $(filter ppc64le,$(PMEM_ARCH)),$(if $(filter hash,$(PMEM_MMU)),-hash))
export PMEM_ARCH PMEM_PAGES PMEM_MMU

# Only ARCH=arm64 needs these: cross compiler, QEMU, the arm64 user
# space (mmdebstrap) and dtc for the pmem-region nodes.
PMEM_ARM64_PKGS := gcc-aarch64-linux-gnu qemu-system-arm mmdebstrap \
	device-tree-compiler
# ARCH=ppc64le: cross compiler, QEMU (pseries, SLOF) and the ppc64el
# user space.
PMEM_PPC64LE_PKGS := gcc-powerpc64le-linux-gnu qemu-system-ppc mmdebstrap
SCENARIO ?=
# arm64 boots run the scenarios' whole budgets (TCG under load: the
# 16K shared-memmap scenario alone took 25+ min), x86_64 is capped lower;
# the sanitized kernel's budgets are 4 times longer (run.sh).
PMEM_TIMEOUT ?= $(if $(filter arm64 ppc64le,$(PMEM_ARCH)),5400,$(if $(filter sanitize,$(PMEM_DEBUG)),12000,3000))
PMEM_SMP ?= 2
PMEM_INJECT ?=


# make check: the x86_64 scenarios, then the arm64 64K ones (memmap pages
# shared by neighbours, struct pages straddling one) as two stages of
# their own, kernel and guest, so each one's time is printed.  make
# check-arm64 runs only those two.  Cold, the arm64 stages add about
# 8 min to a 16 min make check on this machine (RESULTS.md).
PMEM_CHECK_ARM64 := ARCH=arm64 PAGES=64K
PMEM_CHECK_STAGES := pmem-test kernel-arm64 pmem-test-arm64
# Each architecture's pmem-test leaves its own counts for summary.sh.
PMEM_COUNTS := $(LOGS)/stage-pmem-test$(if $(filter arm64,$(PMEM_ARCH)),-arm64)$(if $(filter ppc64le,$(PMEM_ARCH)),-ppc64-$(PMEM_MMU)).counts

# The layout stress (scenario layout-stress): SEED=N repeats a run,
# LAYOUTS=N sets how many layouts a boot tries (default 5).
SEED ?=
LAYOUTS ?=
PMEM_STRESS := $(strip $(if $(SEED),pmemtest.seed=$(SEED)) \
		       $(if $(LAYOUTS),pmemtest.layouts=$(LAYOUTS)))

PMEM_RUN = PMEM_SMP=$(PMEM_SMP) PMEM_INJECT=$(PMEM_INJECT) \
	PMEM_APPEND='$(strip $(PMEM_STRESS) $(PMEM_APPEND))' \
	$(PMEM_DIR)/run.sh --kernel $(PMEM_OUT) --mode $(PMEM_MODE) \
	--build $(BUILD) --logs $(LOGS) --timeout $(PMEM_TIMEOUT) \
	--scenario '$(SCENARIO)'

.PHONY: kernel pmem-test pmem-shell pmem-compare

# A kernel build drops the old pmem-test counts first, so a failed build
# can never leave a stale "all passed" behind for `make check`.
.PHONY: pmem-arch-deps
pmem-arch-deps:
ifeq ($(PMEM_ARCH),arm64)
	@$(TOOLS)/deps.sh $(PMEM_ARM64_PKGS)
endif
ifeq ($(PMEM_ARCH),ppc64le)
	@$(TOOLS)/deps.sh $(PMEM_PPC64LE_PKGS)
endif

kernel: tree pmem-arch-deps
	@mkdir -p $(LOGS); rm -f $(PMEM_COUNTS)
	@$(PMEM_DIR)/kernel.sh $(TREE) $(PMEM_OUT) $(PMEM_MODE) $(PMEM_DEBUG) \
		$(JOBS) $(LOGS)/$(notdir $(PMEM_OUT)).log

# Without SCENARIO= on x86_64, more boots follow the default set: at
# subsection_size=$(PMEM_FINE) the scenarios marked "# pmem-fine: yes"
# (stock ignores the parameter: its refusals are the recorded
# difference), at $(PMEM_FINEST), if set, those of
# $(PMEM_FINEST_SCENARIOS), and the scenarios that need a machine of
# their own (PMEM_OWN_BOOTS, e.g. zone-span: RAM above 4 GiB and a DIMM)
# once at each of these sizes and the default; the counts of all boots
# are added up: 2 MiB, 64 KiB and 4 KiB, in make check too;
# PMEM_FINEST= leaves the third size out.
PMEM_FINE ?= 64K
PMEM_FINEST ?= 4K
PMEM_FINEST_SCENARIOS ?= nvdimm-dev-4k,layout-stress
PMEM_FINE_BOOT := $(if $(SCENARIO),,$(filter x86_64 ppc64le,$(PMEM_ARCH)))
# the finest size and the boots of their own: x86_64 scenarios
PMEM_X86_BOOTS := $(filter x86_64,$(PMEM_ARCH))
PMEM_OWN_BOOTS ?= zone-span pageblock-ram
PMEM_APPEND ?=

pmem-test: kernel
ifeq ($(PMEM_FINE_BOOT),)
	@$(PMEM_RUN) --counts $(PMEM_COUNTS)
else
	@rc=0; n=0; \
	run() { n=$$((n + 1)); "$$@" --counts $(PMEM_COUNTS).$$n || rc=1; }; \
	run env $(PMEM_RUN); \
	run env PMEM_SUBSECTION=$(PMEM_FINE) $(PMEM_RUN) --scenario @fine; \
	$(if $(and $(PMEM_X86_BOOTS),$(PMEM_FINEST)),run env PMEM_SUBSECTION=$(PMEM_FINEST) $(PMEM_RUN) \
		--scenario $(PMEM_FINEST_SCENARIOS);) \
	for s in $(if $(PMEM_X86_BOOTS),$(PMEM_OWN_BOOTS)); do \
		for z in '' $(PMEM_FINE) $(PMEM_FINEST); do \
			run env PMEM_TAG=$$s PMEM_SUBSECTION=$$z $(PMEM_RUN) --scenario $$s; \
		done; \
	done; \
	p=0 f=0 k=0; \
	for i in $$(seq 1 $$n); do \
		read -r p1 f1 s1 < $(PMEM_COUNTS).$$i || { p1=0 f1=1 s1=0; }; \
		p=$$((p + p1)) f=$$((f + f1)) k=$$((k + s1)); \
		rm -f $(PMEM_COUNTS).$$i; \
	done; \
	echo "$$p $$f $$k" > $(PMEM_COUNTS); \
	echo "pmem-test: all $$n boots: $$p passed, $$f failed"; \
	exit $$rc
endif

# make check-ppc64: the ppc64le kernel, then its guest under the radix
# and the hash MMU (each with the fine boot, where ppc64 keeps 2 MiB).
# Not part of make check: cold, it adds about 23 min to make check's
# 35-48 on this machine, past its 50 min budget.
.PHONY: check-ppc64 kernel-ppc64 pmem-test-ppc64-radix pmem-test-ppc64-hash
check-ppc64:
	@MAKE='$(MAKE)' $(TOOLS)/check.sh $(LOGS) kernel-ppc64 \
		pmem-test-ppc64-radix pmem-test-ppc64-hash

kernel-ppc64:
	@$(MAKE) --no-print-directory kernel ARCH=ppc64le

pmem-test-ppc64-radix pmem-test-ppc64-hash: pmem-test-ppc64-%:
	@$(MAKE) --no-print-directory pmem-test ARCH=ppc64le MMU=$*

# make check-arm64 and its stages.
.PHONY: check-arm64 kernel-arm64 pmem-test-arm64
check-arm64:
	@MAKE='$(MAKE)' $(TOOLS)/check.sh $(LOGS) kernel-arm64 pmem-test-arm64

kernel-arm64:
	@$(MAKE) --no-print-directory kernel $(PMEM_CHECK_ARM64)

pmem-test-arm64:
	@$(MAKE) --no-print-directory pmem-test $(PMEM_CHECK_ARM64)

pmem-shell: kernel
	@$(PMEM_RUN) --shell

# Stock may fail where its scenario says so ("# pmem-stock: oops ..."):
# compare.sh --expect gives the verdict on stock's rows; ours must pass.
pmem-compare:
	@rc=0; \
	rm -f $(LOGS)/pmem-test-stock$(PMEM_LTAG).tsv $(LOGS)/pmem-test-ours$(PMEM_LTAG).tsv; \
	$(MAKE) --no-print-directory pmem-test STOCK=1 || true; \
	$(MAKE) --no-print-directory pmem-test STOCK= || rc=1; \
	$(PMEM_DIR)/compare.sh --expect $(PMEM_DIR)/scenarios \
		$(LOGS)/pmem-test-stock$(PMEM_LTAG).tsv $(LOGS)/pmem-test-ours$(PMEM_LTAG).tsv || rc=1; \
	exit $$rc

# Data across kernels on one NVDIMM image kept between boots: ours
# writes, stock reads it and writes, ours reads stock's (scenario
# cross-kernel).  Fails unless each later boot read all three
# namespaces of the other kernel.
.PHONY: pmem-cross
pmem-cross:
	@$(MAKE) --no-print-directory kernel STOCK=1
	@$(MAKE) --no-print-directory kernel STOCK=
	@rm -f $(BUILD)/pmem/cross-nvdimm.img
	@rc=0; i=0; for m in ours stock ours; do \
		i=$$((i + 1)); \
		$(PMEM_DIR)/run.sh --kernel $(BUILD)/kernel-$$m --mode $$m \
			--build $(BUILD) --logs $(LOGS) --timeout $(PMEM_TIMEOUT) \
			--scenario cross-kernel || rc=1; \
		cp $(LOGS)/pmem-test-$$m.txt $(LOGS)/pmem-cross-$$m-$$i.txt; \
	done; \
	n1=$$(grep -c 'cross-read ours .* ok on stock' $(LOGS)/pmem-cross-stock-2.txt); \
	n2=$$(grep -c 'cross-read stock .* ok on ours' $(LOGS)/pmem-cross-ours-3.txt); \
	echo "pmem-cross: stock read $$n1 of ours' 3 namespaces, ours read $$n2 of stock's 3"; \
	[ $$rc = 0 ] && [ $$n1 = 3 ] && [ $$n2 = 3 ]

# ppc64le: a namespace laid out under radix at a 2 MiB (not 16 MiB)
# aligned start, then a boot under hash that must refuse it and leave it,
# then radix again, which must read its data back (scenario
# ppc64-cross-mmu), on a fresh image, for the kernel STOCK= says.
.PHONY: pmem-cross-mmu
pmem-cross-mmu:
	@$(MAKE) --no-print-directory kernel ARCH=ppc64le
	@rm -f $(BUILD)/pmem/cross-nvdimm-ppc64le.img
	@rc=0; i=0; for m in radix hash radix; do \
		i=$$((i + 1)); \
		PMEM_TAG=mmu$$i $(MAKE) --no-print-directory pmem-test \
			ARCH=ppc64le MMU=$$m SCENARIO=ppc64-cross-mmu || rc=1; \
	done; \
	t=$(LOGS)/pmem-test-$(PMEM_MODE)-ppc64le; \
	w=$$(grep -c 'cross-mmu wrote' $$t-mmu1.txt); \
	r=$$(grep -c 'cross-mmu refused' $$t-hash-mmu2.txt); \
	v=$$(grep -c 'cross-mmu read .* ok' $$t-mmu3.txt); \
	echo "pmem-cross-mmu ($(PMEM_MODE)): radix wrote $$w namespaces, hash refused $$r, radix read back $$v"; \
	[ $$rc = 0 ] && [ $$w = 2 ] && [ $$r = 2 ] && [ $$v = 2 ]

# make robust [STOCK=1]: the sanitized kernel (SANITIZE=1), -smp 4, every
# default scenario plus fault injection, hostile sysfs and the race
# stress, then a reboot that must read back the data of the first boot,
# the fine scenarios at 4K, and the long layout stress (ROBUST_LAYOUTS,
# SEED=) on the lean kernel (robust.sh).  ROBUST_RACE_SECS: how long the
# race stress runs.
ROBUST_RACE_SECS ?= 120
ROBUST_LAYOUTS ?= 40
export ROBUST_LAYOUTS SEED
ROBUST_TIMEOUT ?= 9000
.PHONY: robust
robust:
	@$(MAKE) --no-print-directory kernel SANITIZE=1
	@$(MAKE) --no-print-directory kernel
	@$(PMEM_DIR)/robust.sh $(BUILD) $(LOGS) \
		$(BUILD)/kernel-$(PMEM_MODE)-sanitize $(PMEM_MODE) \
		$(ROBUST_RACE_SECS) $(ROBUST_TIMEOUT) $(BUILD)/kernel-$(PMEM_MODE)

# make bench: stock and ours, both NODEBUG=1 (lockdep and DEBUG_VM would
# swamp what is measured), alternately (BENCH_ROUNDS boots each, in
# the order stock, ours, stock, ours, ...), BENCH_REPS repetitions of
# every figure per boot; table in build/logs/bench.txt and .tsv, plot
# in build/logs/bench-time.png.  Not part of make check.
BENCH_ROUNDS ?= 2
BENCH_REPS ?= 5
BENCH_BOOTS ?= 3
BENCH_PKGS := gnuplot-nox
.PHONY: bench
bench:
	@$(TOOLS)/deps.sh $(BENCH_PKGS)
	@$(MAKE) --no-print-directory kernel STOCK=1 NODEBUG=1
	@$(MAKE) --no-print-directory kernel STOCK= NODEBUG=1
	@$(PMEM_DIR)/bench.sh $(BUILD) $(LOGS) $(BENCH_ROUNDS) $(BENCH_REPS) $(BENCH_BOOTS)

# make bench-profile: perf samples of enabling a namespace (PROFILE_SPECS,
# MODE:MAP:MIB comma separated), stock and ours no-debug kernels side by
# side (PROFILE_KERNELS), BENCH_ROUNDS boots each; build/logs/bench-profile.txt.
PROFILE_SPECS ?= devdax:dev:4094,fsdax:dev:4094
PROFILE_KERNELS ?= stock-nodebug ours-nodebug
PROFILE_REPS ?= 20
.PHONY: bench-profile
bench-profile:
	@$(TOOLS)/deps.sh linux-perf
	@$(MAKE) --no-print-directory kernel STOCK=1 NODEBUG=1
	@$(MAKE) --no-print-directory kernel STOCK= NODEBUG=1
	@$(PMEM_DIR)/bench-profile.sh $(BUILD) $(LOGS) $(BENCH_ROUNDS) \
		$(PROFILE_REPS) $(PROFILE_SPECS) $(PROFILE_KERNELS)
