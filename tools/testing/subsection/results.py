#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write a long target's latest figures into RESULTS.md.

Usage: results.py REPO TARGET SUMMARY
       results.py --self-test

REPO is the repository (RESULTS.md at its top), TARGET the section's
name as in "## make TARGET ..." (bench, robust, matrix, kunit-arch,
series-check), SUMMARY a file with the lines the target printed last
(its table, its "N passed, N failed").  Under the section's heading the
block between

    <!-- make TARGET: latest run, written by the target -->
    <!-- end of make TARGET -->

is replaced by the date, the commit the tree was at (with "+ changes"
when the work tree differs from it) and SUMMARY as a code block; the
block is added when the section has none.  The dated entries written by
hand below it stay as they are.  A section that does not exist is
added at the end.
"""

import datetime
import os
import re
import subprocess
import sys


def commit_of(repo):
    """Short commit of REPO's HEAD, "+ changes" if the tree differs."""
    def git(*args):
        res = subprocess.run(["git", "-C", repo] + list(args),
                             capture_output=True, text=True, check=False)
        return res.returncode, res.stdout.strip()
    rc, head = git("rev-parse", "--short", "HEAD")
    if rc:
        return "unknown"
    rc, _ = git("diff", "--quiet", "HEAD", "--", ".", ":!RESULTS.md")
    return head + (" + changes" if rc else "")


def block(target, when, commit, lines):
    """The generated block for TARGET."""
    out = ["<!-- make %s: latest run, written by the target -->" % target,
           "- **Latest `make %s`: %s, tree of `%s`** (from its log):" %
           (target, when, commit),
           "",
           "  ```"]
    out += ["  " + l.rstrip() if l.strip() else "" for l in lines]
    out += ["  ```", "<!-- end of make %s -->" % target]
    return out


def update(text, target, new):
    """TEXT (RESULTS.md) with TARGET's block replaced or added."""
    lines = text.split("\n")
    begin = "<!-- make %s: latest run" % target
    end = "<!-- end of make %s -->" % target
    b = next((i for i, l in enumerate(lines) if l.startswith(begin)), None)
    if b is not None:
        e = next((i for i in range(b, len(lines)) if lines[i] == end), None)
        if e is None:
            raise ValueError("RESULTS.md: %s without %s" % (begin, end))
        return "\n".join(lines[:b] + new + lines[e + 1:])
    head = re.compile(r"^## make %s( |$)" % re.escape(target))
    h = next((i for i, l in enumerate(lines) if head.match(l)), None)
    if h is None:
        return (text.rstrip("\n") + "\n\n## make %s\n\n" % target +
                "\n".join(new) + "\n")
    return "\n".join(lines[:h + 1] + [""] + new + lines[h + 1:])


def self_test():
    """update() on small documents, the expected text written out."""
    new = ["<!-- make x: latest run, written by the target -->", "N",
           "<!-- end of make x -->"]
    cases = (
        # a section without a block gets one under its heading
        ("# R\n\n## make x and make y\n\n- old\n",
         "# R\n\n## make x and make y\n\n" + "\n".join(new) + "\n\n- old\n"),
        # a block is replaced, what is around it stays
        ("## make x\n\n<!-- make x: latest run, written by the target -->\n"
         "O\n<!-- end of make x -->\n\n- old\n",
         "## make x\n\n" + "\n".join(new) + "\n\n- old\n"),
        # "make xy" is not "make x": a new section at the end
        ("## make xy\n\n- old\n",
         "## make xy\n\n- old\n\n## make x\n\n" + "\n".join(new) + "\n"),
    )
    bad = 0
    for text, want in cases:
        got = update(text, "x", new)
        if got != want:
            print("results self-test: got %r, want %r" % (got, want))
            bad += 1
    print("results self-test: %d of %d cases ok" % (len(cases) - bad,
                                                     len(cases)))
    return 1 if bad else 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 4:
        print(__doc__.strip().split("\n")[2], file=sys.stderr)
        return 2
    repo, target, summary = argv[1:]
    path = os.path.join(repo, "RESULTS.md")
    with open(summary, encoding="utf-8") as f:
        lines = f.read().rstrip("\n").split("\n")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    when = datetime.date.today().isoformat()
    text = update(text, target, block(target, when, commit_of(repo), lines))
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    print("results: make %s's figures written to %s" % (target, path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
