#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Report of make bench: min / median / max per kernel and the ratio.

Usage: bench-report.py RAWDIR TSV PNG
       bench-report.py --self-test

RAWDIR holds KERNEL-WHAT-ROUND.notes files written by the bench
scenarios (and bench.sh), with lines "SCENARIO: bench KEY VALUE UNIT".  The table goes to stdout, one
row per KEY, the same as tab-separated values to TSV; PNG is a plot of
the enable / disable times against namespace size and count (gnuplot),
skipped with a message when gnuplot is missing.  Next to TSV, the same
medians condensed into Markdown (TSV with .md for .tsv) for RESULTS.md:
enable and disable of each namespace on one row, one row per lookup
function, then the boot, usage map and KUnit figures.

Each row also has p, the two-sided p-value of a Mann-Whitney U test of
stock's samples against ours (normal approximation with tie and
continuity correction): how likely a difference at least this large is
when both kernels' samples come from one distribution.  A ratio above
1.05 with p below 0.01 is listed as beyond noise; TCG's spread makes
single rows move by 20% between runs, and with some 90 rows a few will
pass 0.05 by chance alone.  The test takes every sample as independent,
but the repetitions of one boot share that boot's layout and host
state, so p overstates the evidence.  Hence a second, coarser check with
the boot round as the unit: the timing rows whose ours/stock ratio is
above 1.05 in every round, next to those below 1/1.05 in every round.
A real slowdown shows up on the first list only; boot-to-boot noise
fills both about equally.
"""

import glob
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile


# The timing figures' kinds (the first word of a key); -1cpu: on a
# guest with one vCPU; -rcuexp: with expedited RCU grace periods.
TIMED = ("enable", "disable", "enable-1cpu", "disable-1cpu", "enable-rcuexp",
         "disable-rcuexp", "memremap", "lookup")

# The table's columns, and where kinds() and markdown() find theirs.
HEAD = ("figure", "unit", "n", "stock min", "median", "max",
        "ours min", "median", "max", "ours/stock", "p")
STOCK_MED = HEAD.index("median")
OURS_MED = HEAD.index("median", STOCK_MED + 1)
RATIO = HEAD.index("ours/stock")


def load(rawdir):
    """({(kernel, round, key): [values]}, {key: unit}) of RAWDIR's notes.

    The round is N of KERNEL-WHAT-N or KERNEL-WHAT-N.B (boot B of round N).
    """
    data = {}
    units = {}
    for path in sorted(glob.glob(os.path.join(rawdir, "*-*.notes"))):
        base = os.path.basename(path)[:-len(".notes")]
        kernel, rnd = base.split("-")[0], base.split("-")[-1].split(".")[0]
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^\S+: bench (\S+) (\S+) (\S+)$", line.strip())
                if not m:
                    continue
                key, val, unit = m.group(1), float(m.group(2)), m.group(3)
                data.setdefault((kernel, rnd, key), []).append(val)
                units[key] = unit
    return data, units


def pooled(by_round):
    """{(kernel, key): [values]}: every round's samples together."""
    data = {}
    for (kernel, _, key), v in sorted(by_round.items()):
        data.setdefault((kernel, key), []).extend(v)
    return data


def order(key):
    """Rows grouped by kind, sizes ascending."""
    parts = key.split(":")
    size = 0
    m = re.match(r"(\d+)M$", parts[-1])
    if m:
        size = int(m.group(1))
    elif parts[-1].isdigit():
        size = int(parts[-1])
    return (parts[0], parts[1:-1], size, key)


def consistent(data):
    """Timing rows above 1.05 (below 1/1.05) ours/stock in every round."""
    rounds = sorted({r for _, r, _ in data})
    keys = sorted({k for _, _, k in data
                   if k.split(":")[0] in TIMED}, key=order)
    slower, faster = [], []
    for key in keys:
        rs = []
        for r in rounds:
            a, b = data.get(("stock", r, key)), data.get(("ours", r, key))
            if a and b and statistics.median(a) > 0:
                rs.append(statistics.median(b) / statistics.median(a))
        if len(rs) < 2 or len(rs) != len(rounds):
            continue
        txt = "%s %s" % (key, "/".join("%.2f" % x for x in rs))
        if min(rs) > 1.05:
            slower.append(txt)
        elif max(rs) < 1 / 1.05:
            faster.append(txt)
    if len(rounds) < 2:
        print("per round: one round only, no check")
        return
    print("per round (%d rounds), ours slower by over 5%% in every round: "
          "%d rows%s" % (len(rounds), len(slower),
                         (": " + ", ".join(slower)) if slower else ""))
    print("per round, ours faster by over 5%% in every round: %d rows%s" %
          (len(faster), (": " + ", ".join(faster)) if faster else ""))


def mann_whitney_p(a, b):
    """Two-sided p of the Mann-Whitney U test of samples A and B."""
    n1, n2 = len(a), len(b)
    if not n1 or not n2:
        return 1.0
    vals = sorted(a + b)
    rank, ties, i = {}, 0.0, 0
    while i < len(vals):
        j = i
        while j < len(vals) and vals[j] == vals[i]:
            j += 1
        rank[vals[i]] = (i + 1 + j) / 2.0   # ranks i+1 .. j, averaged
        ties += (j - i) ** 3 - (j - i)
        i = j
    u1 = sum(rank[v] for v in a) - n1 * (n1 + 1) / 2.0
    n = n1 + n2
    var = n1 * n2 / 12.0 * ((n + 1) - ties / (n * (n - 1)))
    if var <= 0:
        return 1.0
    z = max(abs(u1 - n1 * n2 / 2.0) - 0.5, 0.0) / math.sqrt(var)
    return math.erfc(z / math.sqrt(2))


def self_test():
    """mann_whitney_p() against values worked out by hand."""
    cases = (
        # U = 0, mean 4.5, variance 3 * 3 * 7 / 12 = 5.25:
        # z = (4.5 - 0.5) / sqrt(5.25) = 1.74574, p = erfc(z / sqrt 2)
        ([1, 2, 3], [4, 5, 6], 0.080856),
        # U = 0, mean 50, variance 10 * 10 * 21 / 12 = 175:
        # z = 49.5 / 13.2288 = 3.74185, p = 1.8262e-4
        (list(range(1, 11)), list(range(11, 21)), 0.00018262),
        # ties: ranks 1.5 1.5 3.5 | 3.5 5.5 5.5, U = 6.5 - 6 = 0.5,
        # variance 9 / 12 * (7 - 3 * (2^3 - 2) / (6 * 5)) = 4.8:
        # z = (4.5 - 0.5 - 0.5) / sqrt(4.8) = 1.597524
        ([1, 1, 2], [2, 3, 3], math.erfc(1.597524 / math.sqrt(2))),
        # the same samples: U at its mean, p = 1
        ([5, 7], [5, 7], 1.0),
        # all tied: no variance, p = 1
        ([3, 3], [3, 3], 1.0),
        # an empty side: no test, p = 1
        ([], [1, 2], 1.0),
    )
    bad = 0
    for a, b, want in cases:
        got = mann_whitney_p(a, b)
        if abs(got - want) > max(1e-4 * want, 1e-7):
            print("bench-report self-test: p(%s, %s) = %g, want %g" %
                  (a, b, got, want))
            bad += 1
        if abs(mann_whitney_p(b, a) - got) > 1e-12:
            print("bench-report self-test: p not symmetric for %s, %s" % (a, b))
            bad += 1
    print("bench-report self-test: %d of %d cases ok" %
          (len(cases) - bad, len(cases)))
    return 1 if bad else 0


def fmt(v):
    return "%.2f" % v if v < 100 else "%.0f" % v


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    rawdir, tsv, png = argv[1:4]
    by_round, units = load(rawdir)
    data = pooled(by_round)
    keys = sorted({k for _, k in data}, key=order)
    if not keys:
        print("bench: no figures found in %s" % rawdir)
        return 1
    head = HEAD
    rows = []
    worst = []
    for key in keys:
        row = [key, units[key]]
        med = {}
        n = []
        for kern in ("stock", "ours"):
            v = data.get((kern, key), [])
            n.append(str(len(v)))
            if v:
                med[kern] = statistics.median(v)
                row += [fmt(min(v)), fmt(med[kern]), fmt(max(v))]
            else:
                row += ["-", "-", "-"]
        row.insert(2, "/".join(n))
        ratio, pval = "-", "-"
        if med.get("stock") and "ours" in med:
            r = med["ours"] / med["stock"]
            p = mann_whitney_p(data[("stock", key)], data[("ours", key)])
            ratio, pval = "%.3f" % r, "%.3f" % p
            if r > 1.05 and not key.startswith("memmap_min"):
                worst.append((key, r, p))
        row += [ratio, pval]
        rows.append(row)
    widths = [max(len(str(r[i])) for r in rows + [list(head)])
              for i in range(len(head))]
    line = lambda r: "  ".join(str(c).rjust(w) if i > 1 else str(c).ljust(w)
                               for i, (c, w) in enumerate(zip(r, widths)))
    print(line(head))
    for r in rows:
        print(line(r))
    with open(tsv, "w", encoding="utf-8") as f:
        f.write("\t".join(head) + "\n")
        for r in rows:
            f.write("\t".join(str(c) for c in r) + "\n")
    if worst:
        beyond = [w for w in worst if w[2] < 0.01]
        print("ratios above 1.05: " +
              ", ".join("%s %.3f (p %.3f)" % w for w in worst))
        print("of them beyond noise (p < 0.01): " +
              (", ".join("%s %.3f (p %.4f)" % w for w in beyond)
               if beyond else "none"))
    else:
        print("every ratio ours/stock is at most 1.05")
    consistent(by_round)
    groups(rows)
    targets(data)
    linear(data)
    waits(data)
    markdown(rows, os.path.splitext(tsv)[0] + ".md")
    memory(data)
    plot(data, png)
    return 0


# One figure per kind of work: the geometric mean of the ratios of its
# rows (one row per size, mode and memmap location), which a single
# noisy row cannot move much.
GROUPS = ("enable:", "disable:", "enable-1cpu:", "disable-1cpu:",
          "memremap:map:", "memremap:unmap:",
          "lookup:pfn_valid_ns:", "lookup:online_ns:", "lookup:pgmap_ns:",
          "boot:init:")


def kinds(rows):
    """{kind: (geometric mean, lowest, highest, rows)} of the ratios."""
    res = {}
    for g in GROUPS:
        rs = [float(r[RATIO]) for r in rows
              if r[0].startswith(g) and r[RATIO] not in ("-", "")
              and float(r[RATIO]) > 0]
        if rs:
            gm = math.exp(sum(math.log(x) for x in rs) / len(rs))
            res[g] = (gm, min(rs), max(rs), len(rs))
    return res


def groups(rows):
    out = ["%s %.3f (%d rows)" % (g.rstrip(":"), k[0], k[3])
           for g, k in kinds(rows).items()]
    if out:
        print("ours/stock by kind (geometric mean of the rows): " +
              ", ".join(out))


def mib_of(key):
    """SIZE of KIND:MODE:MAP:SIZEM, or None."""
    m = re.match(r"^[a-z0-9-]+:(fsdax|devdax):(mem|dev):(\d+)M$", key)
    return int(m.group(3)) if m else None


def targets(data):
    """The goals of the parallel memmap init, row by row.

    Enable time ours / stock (medians): at most 0.6 for namespaces of
    4 GiB and more on 2 vCPUs, at most 1.05 for every namespace on one
    vCPU and for those of 16 MiB on 2 vCPUs.
    """
    goals = (("enable", lambda mib: mib >= 4096, 0.6,
              "namespaces of 4 GiB and more, 2 vCPUs"),
             ("enable-1cpu", lambda mib: True, 1.05, "every namespace, 1 vCPU"),
             ("enable", lambda mib: mib == 16, 1.05, "namespaces of 16 MiB, 2 vCPUs"))
    for kind, which, most, title in goals:
        got = []
        for (kern, key), v in data.items():
            mib = mib_of(key)
            if kern != "stock" or not key.startswith(kind + ":") or \
               mib is None or not which(mib):
                continue
            ours = data.get(("ours", key))
            if ours and statistics.median(v) > 0:
                got.append((statistics.median(ours) / statistics.median(v), key))
        if not got:
            continue
        miss = sorted((r, k) for r, k in got if r > most)
        print("target: enable ours/stock <= %.2f, %s: %d of %d rows%s" % (
            most, title, len(got) - len(miss), len(got),
            "; over: " + ", ".join("%s %.3f" % (k, r) for r, k in miss)
            if miss else " (highest %.3f)" % max(got)[0]))


def linear(data):
    """Enable time per GiB between the sizes of 1 GiB and more, per kernel.

    Each figure is the growth from one size to the next divided by the
    GiB added: a fixed cost (the driver, sysfs, the namespace's first
    pages) drops out, so time growing linearly with size keeps the
    figures of a row about equal.
    """
    for kind in ("enable", "enable-1cpu"):
        for kern in ("stock", "ours"):
            for mm in ("fsdax:mem", "fsdax:dev", "devdax:mem", "devdax:dev"):
                pts = sorted((mib_of(key), statistics.median(v))
                             for (k, key), v in data.items()
                             if k == kern and key.startswith(
                                 "%s:%s:" % (kind, mm))
                             and (mib_of(key) or 0) >= 1024)
                if len(pts) < 2:
                    continue
                per = ["%s-%s %.1f" % (size_txt(a), size_txt(b),
                                       (ub - ua) / 1000 / ((b - a) / 1024))
                       for (a, ua), (b, ub) in zip(pts, pts[1:])]
                print("linear: %s %s %s, ms per added GiB %s" % (
                    kind, kern, mm, ", ".join(per)))


def waits(data):
    """How much of disabling N x 16 MiB waits for RCU grace periods.

    rcupdate.rcu_expedited=1 makes synchronize_rcu() and SRCU's grace
    periods expedited (call_rcu() callbacks, such as the one a
    percpu_ref kill waits for, stay normal): what a disable saves then,
    per namespace, is roughly what it slept in them.
    """
    for kern in ("stock", "ours"):
        for count in (8, 32):
            plain = data.get((kern, "disable:count:%d" % count))
            fast = data.get((kern, "disable-rcuexp:count:%d" % count))
            if not plain or not fast:
                continue
            a, b = statistics.median(plain), statistics.median(fast)
            print("waits: %s, disable of %d x 16 MiB: %.1f ms, %.1f ms with "
                  "expedited grace periods: %.1f of %.1f ms per namespace "
                  "wait in synchronize_rcu() / SRCU" % (
                      kern, count, a / 1000, b / 1000,
                      (a - b) / 1000 / count, a / 1000 / count))


def size_txt(mib):
    """1024 -> 1G, 65534 -> 64G (the bench's largest, 2 MiB short)."""
    return "%dG" % round(mib / 1024) if mib >= 1024 else "%dM" % mib


def markdown(rows, path):
    """The table for RESULTS.md: medians and ratios, condensed."""
    by = {r[0]: r for r in rows}

    def pairs(title, first, second):
        """One row per FIRST figure with its SECOND twin: medians, ratios."""
        out = ["| %s (µs, median) | %s stock | ours | ratio | %s stock | ours"
               " | ratio |" % (title, first.split(":")[-1], second.split(":")[-1]),
               "|---|---|---|---|---|---|---|"]
        for r in rows:
            if not r[0].startswith(first + ":"):
                continue
            what = r[0][len(first) + 1:]
            d = by.get(second + ":" + what)
            cells = [what.replace(":", " "), r[STOCK_MED], r[OURS_MED], r[RATIO]]
            cells += [d[4], d[7], d[9]] if d else ["-"] * 3
            out.append("| " + " | ".join(cells) + " |")
        return out

    out = pairs("namespace", "enable", "disable")
    if any(r[0].startswith("enable-1cpu:") for r in rows):
        out += [""] + pairs("namespace, 1 vCPU", "enable-1cpu", "disable-1cpu")
    out += [""] + pairs("memremap_pages() alone", "memremap:map", "memremap:unmap")
    out += ["", "| lookup | rows | ours/stock (geometric mean) | lowest | highest |",
            "|---|---|---|---|---|"]
    for g, (gm, lo, hi, n) in kinds(rows).items():
        if g.startswith("lookup:"):
            out.append("| %s | %d | %.3f | %.3f | %.3f |" %
                       (g.split(":")[1], n, gm, lo, hi))
    out += ["", "| figure | unit | stock (median) | ours | ratio |", "|---|---|---|---|---|"]
    for r in rows:
        if r[0].startswith(("boot:", "usage:bytes", "kunit:")):
            out.append("| %s | %s | %s | %s | %s |" %
                       (r[0], r[1], r[STOCK_MED], r[OURS_MED], r[RATIO]))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def memory(data):
    """Each kernel's memmap pages per namespace against the minimum."""
    for kern in ("stock", "ours"):
        keys = sorted(k[len("memmap_pages:"):] for kk, k in data
                      if kk == kern and k.startswith("memmap_pages:"))
        off = []
        for what in keys:
            got = data[(kern, "memmap_pages:" + what)]
            want = data.get((kern, "memmap_min:" + what))
            if not want or statistics.median(got) != statistics.median(want):
                off.append("%s %s (minimum %s)" % (
                    what, fmt(statistics.median(got)),
                    fmt(statistics.median(want)) if want else "?"))
        if not keys:
            continue
        if off:
            print("memory, %s: memmap above the minimum: %s" %
                  (kern, ", ".join(off)))
        else:
            print("memory, %s: every namespace's memmap (%d) equals the "
                  "minimum" % (kern, len(keys)))


def plot(data, png):
    gp = shutil.which("gnuplot")
    if not gp:
        print("bench: gnuplot missing, no plot")
        return
    tmp = tempfile.mkdtemp(prefix="bench-plot.")
    series = []
    for what in ("enable", "enable-1cpu", "disable", "enable-rcuexp",
                 "disable-rcuexp"):
        for kern in ("stock", "ours"):
            for mm in ("fsdax:mem", "fsdax:dev", "devdax:mem", "devdax:dev"):
                pts = []
                for (k, key), v in data.items():
                    p = key.split(":")
                    if k != kern or p[0] != what or ":".join(p[1:3]) != mm:
                        continue
                    pts.append((int(p[3].rstrip("M")),
                                statistics.median(v) / 1000))
                if pts:
                    name = "%s-%s-%s" % (what, kern, mm.replace(":", "-"))
                    with open(os.path.join(tmp, name), "w") as f:
                        for x, y in sorted(pts):
                            f.write("%d %f\n" % (x, y))
                    series.append((what, kern, mm, name))
        for kern in ("stock", "ours"):
            pts = [(int(key.split(":")[2]), statistics.median(v) / 1000)
                   for (k, key), v in data.items()
                   if k == kern and key.startswith(what + ":count:")]
            if pts:
                name = "%s-%s-count" % (what, kern)
                with open(os.path.join(tmp, name), "w") as f:
                    for x, y in sorted(pts):
                        f.write("%d %f\n" % (x, y))
                series.append((what, kern, "count", name))
    script = ["set terminal png size 1500,1000",
              "set output '%s'" % png,
              "set multiplot layout 2,2",
              "set grid", "set key left top", "set logscale xy 2"]
    for what in ("enable", "enable-1cpu", "disable"):
        if not any(w == what for w, _, _, _ in series):
            continue
        title = {"enable": "enable (2 vCPUs)", "enable-1cpu": "enable (1 vCPU)",
                 "disable": "disable (2 vCPUs)"}[what]
        script += ["set title '%s time vs namespace size'" % title,
                   "set xlabel 'namespace size (MiB)'",
                   "set ylabel 'ms (median)'"]
        pl = ["'%s/%s' with linespoints dt %d title '%s %s'" %
              (tmp, name, 1 if kern == "ours" else 2, kern, mm)
              for w, kern, mm, name in series if w == what and mm != "count"]
        script.append("plot " + ", ".join(pl) if pl else "plot 0")
    script += ["unset logscale y",
               "set title 'enable / disable of N x 16 MiB devdax (-rcuexp: expedited grace periods)'",
               "set xlabel 'namespaces'", "set ylabel 'ms (median)'"]
    pl = ["'%s/%s' with linespoints dt %d title '%s %s'" %
          (tmp, name, 1 if kern == "ours" else 2, w, kern)
          for w, kern, mm, name in series if mm == "count"]
    script.append("plot " + ", ".join(pl) if pl else "plot 0")
    script.append("unset multiplot")
    res = subprocess.run([gp], input="\n".join(script) + "\n", text=True,
                         capture_output=True, check=False)
    shutil.rmtree(tmp)
    if res.returncode:
        print("bench: gnuplot failed: " + res.stderr.strip().splitlines()[-1])
    else:
        print("bench: plot in " + png)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
