# SPDX-License-Identifier: GPL-2.0
#
# Real persistent memory in QEMU (TCG): lean x86_64 kernel + scenarios.
# Included by the top-level Makefile.  See tools/testing/pmem/README.md.
#
#   make kernel [STOCK=1] [KMEMLEAK=1]     build the lean kernel
#   make pmem-test [STOCK=1] [SCENARIO=a,b] run the scenarios, print a table
#   make pmem-shell [STOCK=1] [SCENARIO=a]  interactive shell in the guest
#   make pmem-compare                      run stock and ours, side by side
#
# Knobs: PMEM_TIMEOUT (seconds per guest boot, default 1800), PMEM_SMP,
# PMEM_INJECT (self-test of the harness: warn, byte, hang, panic).

PMEM_DIR  := $(REPO)/tools/testing/pmem
PMEM_MODE := $(if $(filter 1 y yes,$(STOCK)),stock,ours)
PMEM_KML  := $(if $(filter 1 y yes,$(KMEMLEAK)),1,0)
PMEM_OUT  := $(BUILD)/kernel-$(PMEM_MODE)$(if $(filter 1,$(PMEM_KML)),-kmemleak)
SCENARIO ?=
PMEM_TIMEOUT ?= 1800
PMEM_SMP ?= 2
PMEM_INJECT ?=


PMEM_CHECK_STAGES := pmem-test

PMEM_RUN = PMEM_SMP=$(PMEM_SMP) PMEM_INJECT=$(PMEM_INJECT) \
	$(PMEM_DIR)/run.sh --kernel $(PMEM_OUT) --mode $(PMEM_MODE) \
	--build $(BUILD) --logs $(LOGS) --timeout $(PMEM_TIMEOUT) \
	--scenario '$(SCENARIO)'

.PHONY: kernel pmem-test pmem-shell pmem-compare

# A kernel build drops the old pmem-test counts first, so a failed build
# can never leave a stale "all passed" behind for `make check`.
kernel: tree
	@mkdir -p $(LOGS); rm -f $(LOGS)/stage-pmem-test.counts
	@$(PMEM_DIR)/kernel.sh $(TREE) $(PMEM_OUT) $(PMEM_MODE) $(PMEM_KML) \
		$(JOBS) $(LOGS)/$(notdir $(PMEM_OUT)).log

pmem-test: kernel
	@$(PMEM_RUN) --counts $(LOGS)/stage-pmem-test.counts

pmem-shell: kernel
	@$(PMEM_RUN) --shell

pmem-compare:
	@rc=0; \
	$(MAKE) --no-print-directory pmem-test STOCK=1 || rc=1; \
	$(MAKE) --no-print-directory pmem-test STOCK= || rc=1; \
	$(PMEM_DIR)/compare.sh $(LOGS)/pmem-test-stock.tsv $(LOGS)/pmem-test-ours.tsv; \
	exit $$rc
