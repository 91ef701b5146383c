#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile sysfs: a seeded random sequence of writes, valid and invalid,
# to libnvdimm's region, namespace, pfn, dax and btt attributes (size,
# align, uuid, sector_size, alt_name, force_raw, namespace, bind and
# unbind), then the same by two writers at once with different seeds.
# Targets are the region's seed devices and whatever the writes make of
# them; the victim, an fsdax namespace written before, is never named
# except as a value (a claim of it must be refused).  Only errnos may
# come back: no kernel warning (guest/init judges the log), and the
# victim's data reads back byte for byte after every round.  Counts of
# accepted and refused writes are noted.  PMEM_SEED (default 1; set it in
# a pmem-shell guest) picks the sequence.
#
# Not yet in the default set (pmem-explicit): stock libnvdimm's
# size_store() can still WARN ("allocation underrun",
# grow_dpa_allocation()) on some sequences; make pmem-test
# SCENARIO=hostile-sysfs runs it.
#
# pmem-explicit: yes
# pmem-robust: yes
# pmem-nvdimm: yes
# pmem-budget: 600
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

seed=${PMEM_SEED:-1}
writes=${PMEM_HOSTILE_WRITES:-400}
region=$(region_nvdimm) || fail "no NVDIMM region (is -device nvdimm missing?)"
rdir=/sys/bus/nd/devices/$region
align0=$(cat "$rdir/align")
# the seeds' data alignment: what ndctl create-namespace starts from
pfn_align0=$(cat "/sys/bus/nd/devices/$(cat "$rdir/pfn_seed")/align")
dax_align0=$(cat "/sys/bus/nd/devices/$(cat "$rdir/dax_seed")/align")
snapshot start

step "victim" ndctl create-namespace -f -r "$region" -s 16M -m fsdax -M mem
victim=$(json .dev)
vblk=/dev/$(json .blockdev)
vpfn=$(cat "/sys/bus/nd/devices/$victim/holder")
make_pattern /tmp/victim $((4 << 20)) "hostile-$PMEM_NAME"
step "victim write" dd if=/tmp/victim of="$vblk" bs=1M oflag=direct status=none

victim_intact() {
	step "victim read ($1)" dd if="$vblk" of=/tmp/victim.r bs=1M count=4 iflag=direct status=none
	verify_same /tmp/victim /tmp/victim.r
}

# hostile SEED N LOG: N random writes; one line per write in LOG.
hostile() {
	python3 - "$1" "$2" "$region" "$victim" "$vpfn" > "$3" 2>&1 <<-'PY'
	import os, random, re, sys, uuid
	seed, n, region, victim, vpfn = int(sys.argv[1]), int(sys.argv[2]), *sys.argv[3:6]
	rnd = random.Random(seed)
	nd = "/sys/bus/nd/devices/"
	def seeds():
	    out = []
	    for k in ("namespace_seed", "pfn_seed", "dax_seed", "btt_seed"):
	        try:
	            out.append(open(nd + region + "/" + k).read().strip())
	        except OSError:
	            pass
	    # devices the writes configured earlier, never the victim's
	    rid = region[len("region"):]
	    for d in os.listdir(nd):
	        m = re.match(r"(namespace|pfn|dax|btt)(\d+)\.\d+$", d)
	        if m and m.group(2) == rid and d not in (victim, vpfn) and \
	           d not in out:
	            out.append(d)
	    return [d for d in out if d]
	sizes = ["0", "1", "4096", "2097152", "3145728", "4194304", "16777216",
	         "1073741824", "-1", "abc", "18446744073709551615", "0x200000", ""]
	aligns = ["4096", "65536", "2097152", "3145728", "1073741824", "0", "1",
	          "x", "4294967296"]
	values = {
	    "size": sizes,
	    "align": aligns,
	    "uuid": [str(uuid.UUID(int=rnd.getrandbits(128))), "not-a-uuid",
	             "00000000-0000-0000-0000-000000000000", ""],
	    "sector_size": ["512", "4096", "520", "1", "0", "abc"],
	    "alt_name": ["hostile", "x" * 80, ""],
	    "force_raw": ["0", "1", "2", "y"],
	    "namespace": [victim, "namespace9.9", "", "garbage"],
	}
	drivers = ["nd_pmem", "dax_pmem", "nd_btt"]
	ok = bad = 0
	for i in range(n):
	    ss = seeds()
	    r = rnd.random()
	    if r < 0.1:
	        path, val = nd + region + "/align", rnd.choice(aligns)
	    elif r < 0.25 and ss:
	        drv = rnd.choice(drivers)
	        path = "/sys/bus/nd/drivers/%s/%s" % (drv, rnd.choice(["bind", "unbind"]))
	        val = rnd.choice(ss + ["nothing0.0", victim])
	        if path.endswith("unbind") and val == victim:
	            val = "nothing0.0"
	    elif ss:
	        dev = rnd.choice(ss)
	        attr = rnd.choice(list(values))
	        path, val = nd + dev + "/" + attr, rnd.choice(values[attr])
	    else:
	        continue
	    try:
	        with open(path, "w") as f:
	            f.write(val + "\n")
	        ok += 1
	        res = "ok"
	    except OSError as e:
	        bad += 1
	        res = os.strerror(e.errno)
	    print("%d %s <- %r: %s" % (i, path, val, res))
	print("accepted %d refused %d" % (ok, bad))
	PY
}

step "one writer (seed $seed)" hostile "$seed" "$writes" /tmp/hostile.1
tail -n 1 /tmp/hostile.1
one=$(tail -n 1 /tmp/hostile.1)
victim_intact "after one writer"

hostile $((seed + 1000)) "$writes" /tmp/hostile.2 &
p2=$!
hostile $((seed + 2000)) "$writes" /tmp/hostile.3 &
p3=$!
wait $p2 || fail "writer 2 failed: $(tail -n 2 /tmp/hostile.2)"
wait $p3 || fail "writer 3 failed: $(tail -n 2 /tmp/hostile.3)"
two="$(tail -n 1 /tmp/hostile.2), $(tail -n 1 /tmp/hostile.3)"
echo "    racing writers: $two"
victim_intact "after two racing writers"

# Clean up what the writes made, never the victim; then the victim is
# destroyed too and everything must be as at the start.
for ns in $(ndctl list -r "$region" -N -i | jq -r '.[]?.dev // .dev // empty'); do
	[ "$ns" = "$victim" ] && continue
	ndctl destroy-namespace -f "$ns" > /dev/null 2>&1 || true
done
for d in /sys/bus/nd/devices/{pfn,dax,btt}"${region#region}".*; do
	[ -e "$d/namespace" ] || continue
	b=$(basename "$d")
	[ "$b" = "$vpfn" ] && continue
	for drv in nd_pmem dax_pmem nd_btt; do
		echo "$b" > "/sys/bus/nd/drivers/$drv/unbind" 2> /dev/null || true
	done
	echo > "$d/namespace" 2> /dev/null || true
done
victim_intact "after clean-up"
# then everything, idle namespaces the writes sized included
step "destroy all" ndctl destroy-namespace -f -r "$region" all
sysfs_write "$align0" "$rdir/align"
# a random align left on a seed made the next scenario's 16 MiB devdax
# fail ("did you intend --size=1024M?", seen in make robust)
sysfs_write "$pfn_align0" "/sys/bus/nd/devices/$(cat "$rdir/pfn_seed")/align"
sysfs_write "$dax_align0" "/sys/bus/nd/devices/$(cat "$rdir/dax_seed")/align"
note "one writer: $one; two racing writers: $two"
snapshot end
same_snapshot start end
summary "$((writes * 3)) random sysfs writes (seed $seed; one writer, then two racing): only errnos, no warning, the victim's data intact; state restored"
