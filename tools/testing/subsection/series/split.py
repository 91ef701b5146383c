#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Cut the overlay and the hook patches into the steps of a patch series.

Usage:
  split.py REPO BASE STEPS STAGE 'Name <email>'   write the steps to STAGE
  split.py --list REPO BASE STEPS [PATH...]       show units and their steps

REPO is the project (overlay files under include/ mm/ kernel/ drivers/
lib/ arch/ Documentation/, hook patches in patches/), BASE the pristine
kernel tree and STEPS the manifest (see the top of that file for its format).

Every file is cut into *units*, and every unit belongs to one step; the
file at step N is its units of steps <= N, in their original order:

  C files of ours     top-level paragraphs: declarations and definitions
                      not separated by a blank line, with their comment
                      (a function and its EXPORT_SYMBOL are one unit);
                      #if / #endif blocks are containers whose lines are
                      kept while anything inside them is
  Kconfig files       one unit per config / menu / source ... entry
  Makefiles and       one unit per line (a comment line goes with the line
  .kunitconfig        it precedes, ifdef ... endif is one unit)
  base files          the lines the hook patches add: per line for
                      Makefiles and Kconfig, per contiguous run for C

Nothing is rewritten: a step only leaves units out, or drops a token
(`word`) or a line (`line`) until a later step.  The last step must give
back exactly the assembled tree (checked here), plus the MAINTAINERS
entry the manifest asks for.
"""

import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

OVERLAY_DIRS = ("include", "mm", "kernel", "drivers", "lib", "arch",
                "Documentation")
KINDS = ("sym", "unit", "range")        # unit rules, strongest first


def die(msg):
    sys.exit("series: error: " + msg)


class Warnings(list):
    def add(self, msg):
        self.append(msg)
        print("series: warning: " + msg, file=sys.stderr)


WARN = Warnings()


# --------------------------------------------------------------- manifest

class Step:
    def __init__(self, sid, idx):
        self.id = sid
        self.idx = idx
        self.subject = ""
        self.suite = "-"
        self.suite_where = "uml"
        self.scenarios = []
        self.kernel = False
        self.body = []


class Rule:
    def __init__(self, kind, step, path, args, lineno):
        self.kind = kind
        self.step = step
        self.path = path
        self.args = args
        self.lineno = lineno
        self.hits = 0
        self.scope = None
        if kind in ("line", "unit"):
            self.regex = re.compile(args)
        if kind == "line" and ":" in path:
            self.path, self.scope = path.split(":", 1)

    def where(self):
        return "steps:%d (%s %s)" % (self.lineno, self.kind, self.path)


class Manifest:
    def __init__(self, path):
        self.steps = []
        self.rules = []
        self.files = {}          # path -> step index (`file`)
        self.hooks = []          # (patch prefix, step index)
        self.cover_subject = ""
        self.cover = []
        self.maint_title = ""
        self.maint_fields = []
        step = None
        with open(path, encoding="utf-8") as f:
            for n, raw in enumerate(f, 1):
                line = raw.rstrip("\n")
                if line.startswith("|"):
                    text = line[2:] if line.startswith("| ") else line[1:]
                    (step.body if step else self.cover).append(text)
                    continue
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                key, _, rest = line.strip().partition(" ")
                rest = rest.strip()
                if key == "step":
                    step = Step(rest, len(self.steps) + 1)
                    if any(s.id == rest for s in self.steps):
                        die("steps:%d: step %s twice" % (n, rest))
                    self.steps.append(step)
                elif key == "cover-subject":
                    self.cover_subject = rest
                elif key == "maintainers-title":
                    self.maint_title = rest
                elif key == "maintainers":
                    typ, _, val = rest.partition(" ")
                    self.maint_fields.append(typ + "\t" + val.strip())
                elif step is None:
                    die("steps:%d: '%s' before the first step" % (n, key))
                elif key == "subject":
                    step.subject = rest
                elif key == "suite":
                    parts = rest.split()
                    step.suite = parts[0]
                    step.suite_where = parts[1] if len(parts) > 1 else "uml"
                elif key == "scenario":
                    step.scenarios = [s for s in rest.split() if s != "-"]
                elif key == "kernel":
                    step.kernel = True
                elif key == "file":
                    self.files[rest] = step.idx
                elif key == "hook":
                    self.hooks.append((rest, step.idx))
                elif key in ("sym", "range", "word", "unit", "line"):
                    if key in ("unit", "line"):
                        path, _, regex = rest.partition(" ")
                        args = regex.strip()
                    else:
                        path, *args = rest.split()
                    if not args:
                        die("steps:%d: %s without arguments" % (n, key))
                    if key == "range" and len(args) != 2:
                        die("steps:%d: range PATH FIRST LAST" % n)
                    if key == "word" and len(args) != 1:
                        die("steps:%d: word PATH TOKEN" % n)
                    self.rules.append(Rule(key, step.idx, path, args, n))
                else:
                    die("steps:%d: unknown keyword '%s'" % (n, key))
        if not self.steps:
            die("no step in " + path)
        for s in self.steps:
            if not s.subject:
                die("step %s has no subject" % s.id)

    def rules_for(self, path, kind):
        return [r for r in self.rules if r.path == path and r.kind == kind]


# ----------------------------------------------------------------- units

class Unit:
    """Lines that come and go together."""

    def __init__(self, lead=None):
        self.lead = lead or []   # blank lines before it
        self.lines = []
        self.names = set()
        self.step = None         # resolved step index
        self.own = None          # step given by a rule, if any

    def first(self):
        return self.lines[0] if self.lines else ""

    def text(self):
        return "\n".join(self.lines)


class Block:
    """#if ... #endif at the top level of a C file."""

    def __init__(self, lead, open_lines):
        self.lead = lead
        self.branches = [[open_lines, [], []]]   # [marker, lead, children]
        self.end = []
        self.end_lead = []
        self.own = None

    def first(self):
        return self.branches[0][0][0]


def is_blank(line):
    return not line.strip()


PP_RE = re.compile(r"^\s*#\s*(\w+)")
IDENT = re.compile(r"[A-Za-z_]\w*")


def split_head(code):
    """Text of a statement before its first '{' or '=' outside parens."""
    depth = 0
    for i, c in enumerate(code):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif depth == 0 and c in "{=":
            return code[:i], c
    return code, ""


def stmt_names(code):
    """Names a top-level C statement (comments removed) defines."""
    code = code.strip()
    if not code:
        return set()
    m = re.match(r"#\s*define\s+(\w+)", code)
    if m:
        return {m.group(1)}
    if code.startswith("#"):
        return set()
    head, brace = split_head(code)
    if re.match(r"typedef\b", code):
        m = re.search(r"\(\s*\*\s*(\w+)\s*\)", head)
        if m:
            return {m.group(1)}
        ids = IDENT.findall(re.sub(r"\[[^\]]*\]", "", code.rstrip(";")))
        return {ids[-1]} if ids else set()
    if "(" in head:
        pre = head[:head.index("(")]
        ids = IDENT.findall(pre)
        if len(ids) == 1:
            # A macro invocation: EXPORT_SYMBOL(x), KUNIT_ARRAY_PARAM(...)
            inner = head[head.index("(") + 1:]
            inner = re.sub(r'"[^"]*"', "", inner)
            return {ids[0]} | set(IDENT.findall(inner))
        return {ids[-1]} if ids else set()
    m = re.search(r"\b(?:struct|union|enum)\s+(\w+)\s*$", head)
    if m and brace == "{":
        return {m.group(1)}
    if re.match(r"\s*(?:typedef\s+)?enum\s*$", head) and brace == "{":
        body = code[code.index("{") + 1:code.rindex("}")]
        return set(re.findall(r"(?:^|,)\s*([A-Za-z_]\w*)", body))
    ids = IDENT.findall(re.sub(r"\[[^\]]*\]", "", head))
    return {ids[-1]} if ids else set()


def parse_c(lines):
    """Top-level paragraphs of a C file, in a tree of #if blocks."""
    root = Block([], None)
    stack = [root]
    pending = []
    para = None
    depth = 0            # braces
    parens = 0
    in_comment = False
    stmt = []            # code of the statement in progress
    head_fn = None       # does the statement look like a function?

    def children():
        return stack[-1].branches[-1][2]

    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        top = not in_comment and depth == 0 and parens == 0 and \
            not "".join(stmt).strip()
        if top and is_blank(line):
            pending.append(line)
            para = None
            i += 1
            continue
        m = PP_RE.match(line) if (top or depth == 0) and not in_comment \
            else None
        if m and top:
            pp = [line]
            while pp[-1].rstrip().endswith("\\") and i + 1 < n:
                i += 1
                pp.append(lines[i])
            kw = m.group(1)
            if kw in ("if", "ifdef", "ifndef"):
                b = Block(pending, pp)
                pending = []
                children().append(b)
                stack.append(b)
                para = None
            elif kw in ("elif", "else"):
                if len(stack) == 1:
                    raise ValueError("#%s without #if" % kw)
                stack[-1].branches.append([pp, pending, []])
                pending = []
                para = None
            elif kw == "endif":
                if len(stack) == 1:
                    raise ValueError("#endif without #if")
                stack[-1].end = pp
                stack[-1].end_lead = pending
                pending = []
                stack.pop()
                para = None
            else:
                if para is None:
                    para = Unit(pending)
                    pending = []
                    children().append(para)
                para.lines.extend(pp)
                para.names |= stmt_names(" ".join(
                    p.rstrip("\\") for p in pp))
                # a comment opened on a directive line
                code = re.sub(r"/\*.*?\*/", "", " ".join(pp))
                if "/*" in code:
                    in_comment = True
            i += 1
            continue
        if para is None:
            para = Unit(pending)
            pending = []
            children().append(para)
        para.lines.append(line)
        # scan the line
        j = 0
        L = len(line)
        if not in_comment and PP_RE.match(line):
            # a directive inside a statement: not code
            i += 1
            continue
        while j < L:
            c = line[j]
            if in_comment:
                k = line.find("*/", j)
                if k < 0:
                    j = L
                else:
                    in_comment = False
                    j = k + 2
                continue
            if line.startswith("//", j):
                break
            if line.startswith("/*", j):
                in_comment = True
                j += 2
                continue
            if c in "\"'":
                k = j + 1
                while k < L and line[k] != c:
                    k += 2 if line[k] == "\\" else 1
                stmt.append(line[j:k + 1])
                j = k + 1
                continue
            stmt.append(c)
            if c == "(":
                parens += 1
            elif c == ")":
                parens -= 1
            elif c == "{":
                if depth == 0 and parens == 0:
                    h, _ = split_head("".join(stmt))
                    head_fn = "(" in h and "=" not in h
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0 and parens == 0 and head_fn:
                    para.names |= stmt_names("".join(stmt))
                    stmt = []
                    head_fn = None
            elif c == ";" and depth == 0 and parens == 0:
                para.names |= stmt_names("".join(stmt))
                stmt = []
                head_fn = None
            j += 1
        stmt.append(" ")
        i += 1
    if len(stack) != 1:
        raise ValueError("#if without #endif")
    root.end_lead = pending
    return root


KCONFIG_KW = re.compile(r"^(config|menuconfig|choice|endchoice|comment|menu|"
                        r"endmenu|if|endif|source|mainmenu)\b")


def parse_kconfig(lines):
    root = Block([], None)
    units = root.branches[0][2]
    cur = Unit()
    units.append(cur)
    for line in lines:
        if KCONFIG_KW.match(line):
            # comment lines right above and blank lines before them move
            # to the new entry
            k = len(cur.lines)
            while k > 0 and cur.lines[k - 1].startswith("#"):
                k -= 1
            b = k
            while b > 0 and is_blank(cur.lines[b - 1]):
                b -= 1
            new = Unit(cur.lines[b:k])
            new.lines = cur.lines[k:]
            del cur.lines[b:]
            if not cur.lines and not cur.lead:
                units.remove(cur)
            cur = new
            units.append(cur)
            m = re.match(r"(?:menu)?config\s+(\w+)", line)
            if m:
                cur.names.add(m.group(1))
        cur.lines.append(line)
    # trailing blank lines belong to the end of the file
    k = len(cur.lines)
    while k > 0 and is_blank(cur.lines[k - 1]):
        k -= 1
    root.end_lead = cur.lines[k:]
    del cur.lines[k:]
    if not cur.lines and not cur.lead:
        units.remove(cur)
    return root


MAKE_IF = re.compile(r"^\s*(ifdef|ifndef|ifeq|ifneq)\b")
MAKE_ENDIF = re.compile(r"^\s*endif\b")


def parse_lines(lines):
    """Makefiles and .kunitconfig: a unit per line or ifdef block."""
    root = Block([], None)
    units = root.branches[0][2]
    pending = []
    comments = []
    nest = 0
    cur = None
    for line in lines:
        if nest:
            cur.lines.append(line)
            if MAKE_IF.match(line):
                nest += 1
            elif MAKE_ENDIF.match(line):
                nest -= 1
            continue
        if is_blank(line):
            if comments:
                u = Unit(pending)
                u.lines = comments
                units.append(u)
                comments = []
                pending = []
            pending.append(line)
            continue
        if line.lstrip().startswith("#"):
            comments.append(line)
            continue
        cur = Unit(pending)
        cur.lines = comments + [line]
        m = re.match(r"\s*(CONFIG_\w+)", line)
        if m:
            cur.names.add(m.group(1))
        comments = []
        pending = []
        units.append(cur)
        if MAKE_IF.match(line):
            nest = 1
    if comments:
        u = Unit(pending)
        u.lines = comments
        units.append(u)
        pending = []
    root.end_lead = pending
    return root


def file_kind(path):
    base = os.path.basename(path)
    if base.startswith("Kconfig"):
        return "kconfig"
    if base in ("Makefile", "Kbuild", ".kunitconfig") or \
            base.endswith(".config"):
        return "lines"
    if base.endswith((".c", ".h")):
        return "c"
    return "whole"


def parse(path, lines):
    kind = file_kind(path)
    if kind == "c":
        try:
            return parse_c(lines)
        except ValueError as e:
            WARN.add("%s: %s; kept as one unit" % (path, e))
    elif kind == "kconfig":
        return parse_kconfig(lines)
    elif kind == "lines":
        return parse_lines(lines)
    root = Block([], None)
    u = Unit()
    u.lines = list(lines)
    root.branches[0][2].append(u)
    return root


def walk(node):
    """Every unit and block under a block, in file order."""
    for _, _, kids in node.branches:
        for k in kids:
            yield k
            if isinstance(k, Block):
                yield from walk(k)


# ------------------------------------------------------------- resolution

def resolve(man, path, root, default):
    """Give every unit of an overlay file its step.

    sym rules beat unit rules, which beat range rules, which beat the
    file's step; within a kind the first rule of the manifest wins.
    """
    nodes = list(walk(root))
    units = [u for u in nodes if isinstance(u, Unit)]
    for kind in reversed(KINDS):
        for r in reversed(man.rules_for(path, kind)):
            hit = []
            if kind == "sym":
                hit = [u for u in units if u.names & set(r.args)]
            elif kind == "unit":
                hit = [u for u in nodes
                       if any(r.regex.search(x) for x in
                              (u.lines if isinstance(u, Unit) else
                               [u.first()]))]
            elif kind == "range":
                a = [i for i, u in enumerate(units) if r.args[0] in u.names]
                b = [i for i, u in enumerate(units) if r.args[1] in u.names]
                if a and b and a[0] <= b[-1]:
                    hit = units[a[0]:b[-1] + 1]
            r.hits += len(hit)
            for u in hit:
                u.own = r.step

    # A block with a step of its own is a floor for what it holds.
    def go(block, floor):
        for _, _, kids in block.branches:
            for k in kids:
                if isinstance(k, Block):
                    go(k, max(floor, k.own or 0))
                else:
                    k.step = max(floor, k.own if k.own else default)
    go(root, 0)


# -------------------------------------------------------------- rendering

class Renderer:
    def __init__(self, man, path):
        self.lines_rules = man.rules_for(path, "line")
        self.words = man.rules_for(path, "word")

    def line_step(self, u, line):
        """The step @line of unit @u arrives at: its unit's, or later if
        the first line rule (scoped to a name of @u, or unscoped) that
        matches it says so."""
        for r in self.lines_rules:
            if r.scope and r.scope not in u.names:
                continue
            if r.regex.search(line):
                r.hits += 1
                return max(u.step, r.step)
        return u.step

    def para_lines(self, u, k):
        """The lines of unit @u at step @k, less the held-back ones."""
        out = []
        i = 0
        while i < len(u.lines):
            line = u.lines[i]
            step = self.line_step(u, line)
            i += 1
            if step <= k:
                out.append(self.word(line, k))
                continue
            # hold back the rest of the call the line opens, too
            bal = line.count("(") - line.count(")")
            while bal > 0 and i < len(u.lines):
                bal += u.lines[i].count("(") - u.lines[i].count(")")
                i += 1
        return out

    def word(self, line, k):
        for r in self.words:
            if r.step > k:
                line, n = re.subn(r"\s+" + re.escape(r.args[0]) +
                                  r"(?=\s|$)", "", line)
                r.hits += n
        return line

    def render(self, root, k):
        out = []

        def emit_lead(lead):
            # never two blank lines in a row, none at the top
            if out and not is_blank(out[-1]):
                out.extend(lead)

        def present(node):
            if isinstance(node, Unit):
                return node.step <= k
            return any(present(c) for _, _, kids in node.branches
                       for c in kids)

        def go(block):
            for bi, (marker, lead, kids) in enumerate(block.branches):
                if marker is not None:
                    if bi:
                        emit_lead(lead)
                    out.extend(self.word(x, k) for x in marker)
                for c in kids:
                    if not present(c):
                        continue
                    emit_lead(c.lead)
                    if isinstance(c, Block):
                        go(c)
                    else:
                        out.extend(self.para_lines(c, k))
            if block.end:
                emit_lead(block.end_lead)
                out.extend(block.end)
            elif block.branches[0][0] is None:
                emit_lead(block.end_lead)

        go(root)
        return out


# ---------------------------------------------------------- base files

def apply_hooks(repo, base, man, nsteps):
    """Base files the hook patches touch: final lines with their units."""
    patches = sorted(p for p in os.listdir(os.path.join(repo, "patches"))
                     if p.endswith(".patch"))
    tmp = tempfile.mkdtemp(prefix="series-hooks.")
    touched = {}       # path -> [(line, unit or None)]
    try:
        for p in patches:
            ptext = open(os.path.join(repo, "patches", p),
                         encoding="utf-8").read()
            files = [f.split("\t")[0] for f in
                     re.findall(r"^\+\+\+ b/(\S+)", ptext, re.M)]
            for f in files:
                if f not in touched:
                    src = os.path.join(base, f)
                    dst = os.path.join(tmp, f)
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    if os.path.exists(src):
                        shutil.copyfile(src, dst)
                        with open(src, encoding="utf-8") as fh:
                            touched[f] = [(x, None) for x in
                                          fh.read().split("\n")]
                    else:
                        touched[f] = []
            res = subprocess.run(["patch", "-d", tmp, "-p1", "-s", "-f",
                                  "--no-backup-if-mismatch"],
                                 input=ptext, text=True,
                                 capture_output=True, check=False)
            if res.returncode:
                die("hook patch %s does not apply to the base:\n%s" %
                    (p, res.stdout + res.stderr))
            step = None
            for prefix, s in man.hooks:
                if p.startswith(prefix):
                    step = s
                    break
            if step is None:
                WARN.add("patches/%s is in no step of the manifest; "
                         "it goes with the last step" % p)
                step = nsteps
            for f in files:
                with open(os.path.join(tmp, f), encoding="utf-8") as fh:
                    new = fh.read().split("\n")
                touched[f] = track(touched[f], new, p, f, step)
    finally:
        shutil.rmtree(tmp)
    return touched


def track(old, new, patch, path, step):
    """Tag the lines @patch added to @path; group them into units."""
    sm = difflib.SequenceMatcher(None, [x for x, _ in old], new,
                                 autojunk=False)
    out = []
    for op, a0, a1, b0, b1 in sm.get_opcodes():
        if op == "equal":
            out.extend(old[a0:a1])
            continue
        if op != "insert":
            die("hook patch %s removes or changes lines of %s" %
                (patch, path))
        run = new[b0:b1]
        if file_kind(path) == "kconfig":
            # one unit per config / menu / source entry, named
            root = parse_kconfig(run)
            units = list(walk(root))
            tail = root.end_lead
        elif file_kind(path) == "lines":
            # one unit per line (comments with the line they precede)
            root = parse_lines(run)
            units = list(walk(root))
            tail = root.end_lead
        else:
            u = Unit()
            u.lines = run
            units, tail = [u], []
        for u in units:
            u.hook = (patch, step)
            u.path = path
            for x in u.lead + u.lines:
                out.append((x, u))
        for x in tail:
            out.append((x, units[-1] if units else None))
    return out


def resolve_base(man, touched):
    for path, lines in touched.items():
        units = []
        for _, u in lines:
            if u is not None and u not in units:
                units.append(u)
        for u in units:
            u.step = u.hook[1]
        for r in reversed(man.rules_for(path, "unit")):
            for u in units:
                if any(r.regex.search(x) for x in u.lines):
                    u.step = r.step
                    r.hits += 1
        # sym beats unit: entries a hook adds to a Kconfig file are named
        for r in reversed(man.rules_for(path, "sym")):
            for u in units:
                if u.names & set(r.args):
                    u.step = r.step
                    r.hits += 1
        for r in man.rules_for(path, "range"):
            WARN.add("%s: only sym, unit, line and word rules apply to "
                     "base files" % r.where())


def render_base(man, path, lines, k):
    rend = Renderer(man, path)
    out = []
    for x, u in lines:
        if u is None:
            out.append(x)
            continue
        if u.step > k:
            continue
        if rend.line_step(u, x) <= k:
            out.append(rend.word(x, k))
    return out


# ------------------------------------------------------------ MAINTAINERS

def maintainers(man, base_text, files, author):
    """Base MAINTAINERS plus our entry listing @files, or None."""
    if not man.maint_title or not files:
        return None
    lines = base_text.split("\n")
    field = re.compile(r"^[A-Z]:\t")
    heads = [i for i in range(1, len(lines) - 1)
             if lines[i] and not field.match(lines[i]) and
             not lines[i - 1] and field.match(lines[i + 1])]
    # the first place where the (mostly sorted) titles step over ours
    title = man.maint_title.upper()
    at = None
    for a, b in zip(heads, heads[1:]):
        if lines[a].upper() < title <= lines[b].upper():
            at = b
            break
    if at is None:
        die("no place for the MAINTAINERS entry")
    entry = [man.maint_title, "M:\t" + author] + man.maint_fields + \
        ["F:\t" + f for f in sorted(files)] + [""]
    return "\n".join(lines[:at] + entry + lines[at:])


# ---------------------------------------------------------- cover letter

def blurb(man):
    """The cover letter's text: the manifest's prose and the table."""
    text = list(man.cover)
    while text and not text[-1].strip():
        text.pop()
    rows = [("patch", "KUnit suite", "real QEMU scenario")]
    for s in man.steps:
        suite = s.suite
        if s.suite_where != "uml" and suite != "-":
            suite += " (*)"
        rows.append(("%02d %s" % (s.idx, s.id), suite,
                     ", ".join(s.scenarios) or "-"))
    w0 = max(len(r[0]) for r in rows) + 2
    w1 = max(len(r[1]) for r in rows) + 2
    width = 75 - w0 - w1
    text.append("")
    for r in rows:
        words = r[2].split(" ")
        lines = [""]
        for wd in words:
            if lines[-1] and len(lines[-1]) + 1 + len(wd) > width:
                lines.append("")
            lines[-1] = (lines[-1] + " " + wd).strip()
        text.append(("%-*s%-*s%s" % (w0, r[0], w1, r[1], lines[0])).rstrip())
        for more in lines[1:]:
            text.append(" " * (w0 + w1) + more)
        if r is rows[0]:
            text.append("-" * (w0 + w1 + width))
    text.append("")
    text.append("(*) built only by kunit.py --arch (make kunit-arch), not "
                "under UML.")
    text.append("Scenarios: tools/testing/pmem/scenarios/, "
                "make pmem-test SCENARIO=name.")
    return "\n".join(text) + "\n"


# ----------------------------------------------------------------- main

def overlay_files(repo):
    out = []
    for d in OVERLAY_DIRS:
        top = os.path.join(repo, d)
        for dirpath, _, names in os.walk(top):
            for name in names:
                if name.endswith((".orig", ".rej", ".swp")):
                    continue
                full = os.path.join(dirpath, name)
                out.append(os.path.relpath(full, repo))
    return sorted(out)


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if text.endswith("\n"):
        text = text[:-1]
    return text.split("\n")


def load(repo, base, man):
    nsteps = len(man.steps)
    files = {}
    for path in overlay_files(repo):
        default = man.files.get(path)
        if default is None:
            WARN.add("%s is in no step of the manifest; it goes with the "
                     "last step" % path)
            default = nsteps
        lines = read_lines(os.path.join(repo, path))
        root = parse(path, lines)
        resolve(man, path, root, default)
        files[path] = (lines, root)
    for path in man.files:
        if path not in files:
            WARN.add("manifest names %s, which does not exist" % path)
    touched = apply_hooks(repo, base, man, nsteps)
    resolve_base(man, touched)
    return files, touched


def listing(man, files, touched, only):
    ids = {s.idx: s.id for s in man.steps}
    for path, (lines, root) in files.items():
        if only and path not in only:
            continue
        print("== %s" % path)

        def show(block, ind):
            for bi, (marker, _, kids) in enumerate(block.branches):
                if marker is not None:
                    print("%s%s" % (ind, marker[0].strip()))
                for c in kids:
                    if isinstance(c, Block):
                        show(c, ind + "  ")
                    else:
                        print("%s[%s] %s  {%s}" % (
                            ind, ids[c.step], c.first().strip()[:60],
                            ",".join(sorted(c.names))))
        show(root, "  ")
    for path, lines in touched.items():
        if only and path not in only:
            continue
        print("== %s (base)" % path)
        last = None
        for x, u in lines:
            if u is not None and u is not last:
                print("  [%s] %s" % (ids[u.step], x.strip()[:70]))
            last = u


def main(argv):
    if len(argv) > 1 and argv[1] == "--list":
        repo, base, steps = argv[2:5]
        man = Manifest(steps)
        files, touched = load(repo, base, man)
        listing(man, files, touched, set(argv[5:]))
        return 0
    if len(argv) != 6:
        sys.exit(__doc__)
    repo, base, steps, stage, author = argv[1:]
    man = Manifest(steps)
    files, touched = load(repo, base, man)
    nsteps = len(man.steps)

    scen_dir = os.path.join(repo, "tools/testing/pmem/scenarios")
    known = set()
    if os.path.isdir(scen_dir):
        known = {re.sub(r"^\d+-", "", f[:-3]) for f in os.listdir(scen_dir)
                 if f.endswith(".sh")}
    for s in man.steps:
        for sc in s.scenarios:
            if sc not in known:
                WARN.add("step %s: no scenario %s in %s" %
                         (s.id, sc, scen_dir))

    if os.path.exists(stage):
        shutil.rmtree(stage)
    os.makedirs(stage)
    paths = sorted(set(files) | set(touched) |
                   ({"MAINTAINERS"} if man.maint_title else set()))
    with open(os.path.join(stage, "paths"), "w", encoding="utf-8") as f:
        f.write("".join(p + "\n" for p in paths))
    maint_base = None
    if man.maint_title:
        with open(os.path.join(base, "MAINTAINERS"), encoding="utf-8") as f:
            maint_base = f.read()

    final = {}
    for s in man.steps:
        k = s.idx
        d = os.path.join(stage, "%02d" % k)
        tree = os.path.join(d, "tree")
        os.makedirs(tree)
        present = []
        for path, (lines, root) in files.items():
            out = Renderer(man, path).render(root, k)
            if not any(x.strip() for x in out):
                continue
            present.append(path)
            text = "\n".join(out) + "\n"
            dst = os.path.join(tree, path)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "w", encoding="utf-8") as f:
                f.write(text)
            if k == nsteps:
                final[path] = text
        for path, lines in touched.items():
            text = "\n".join(render_base(man, path, lines, k))
            dst = os.path.join(tree, path)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "w", encoding="utf-8") as f:
                f.write(text)
            if k == nsteps:
                final[path] = text
        m = maintainers(man, maint_base, present, author) \
            if maint_base else None
        if m is not None:
            with open(os.path.join(tree, "MAINTAINERS"), "w",
                      encoding="utf-8") as f:
                f.write(m)
        with open(os.path.join(d, "msg"), "w", encoding="utf-8") as f:
            body = list(s.body)
            while body and not body[-1].strip():
                body.pop()
            f.write(s.subject + "\n\n" + "\n".join(body) +
                    "\n\nSigned-off-by: " + author + "\n")
        with open(os.path.join(d, "info"), "w", encoding="utf-8") as f:
            f.write("%s\t%s\t%s\t%s\t%s\t%s\n" % (
                s.id, s.suite, s.suite_where, "1" if s.kernel else "0",
                ",".join(s.scenarios) or "-", s.subject))

    # The last step is the assembled tree, nothing lost on the way.
    bad = []
    for path, (lines, _) in files.items():
        want = "\n".join(lines) + "\n"
        if final.get(path) != want:
            bad.append(path)
    for path, lines in touched.items():
        if final.get(path) != "\n".join(x for x, _ in lines):
            bad.append(path)
    if bad:
        die("the last step differs from the overlay in: " + " ".join(bad))
    for r in man.rules:
        if r.hits == 0:
            WARN.add("%s matches nothing" % r.where())

    with open(os.path.join(stage, "cover"), "w", encoding="utf-8") as f:
        f.write(man.cover_subject + "\n")
    with open(os.path.join(stage, "blurb"), "w", encoding="utf-8") as f:
        f.write(blurb(man))
    with open(os.path.join(stage, "warnings"), "w", encoding="utf-8") as f:
        f.write("".join(w + "\n" for w in WARN))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
