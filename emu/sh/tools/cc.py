"""C toolchain: ``gcc``/``cc``/``g++``/``c++``/``clang`` (ELF outputs of realistic size),
``strip``, and ``make`` (a Makefile interpreter that runs recipes through the shell).

``gcc [-c] [-o OUT] [-static] src.c …`` writes an object or an executable (``a.out`` by
default): a dynamic C hello world is ~16 kB, a static glibc one ~800 kB; the label records
the C library it links against, since a glibc binary does not start on Alpine. It fails as
gcc does on missing inputs, and on Alpine without ``musl-dev`` (``stdio.h: No such file or
directory``). ``make [-f FILE] [-C DIR] [-s] [-n] [-k] [VAR=value] [target…]`` reads
variables (``=``, ``:=``, ``?=``, ``+=``, command-line overrides, the environment), rules
with prerequisites, ``.PHONY``, pattern rules (``%.o: %.c``), automatic variables
(``$@ $< $^ $*``), common functions (``wildcard``, ``patsubst``, ``shell``, …) and simple
conditionals, builds the first target by default, and runs each recipe line with ``sh -c``
(``@`` silences, ``-`` ignores errors), stopping like make:
``make: *** [Makefile:3: build] Error 1`` (status 2).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Callable

from emu.fs import Blob, File
from emu.records import field, record, replace
from emu.sh.api import Proc, Stream
from emu.sh.options import Opts, Syntax
from emu.sh.tools._base import ToolError, Writer, child, in_dir, parses, tool
from emu.sh.tools._image import is_file, listdir, node_at, read_text

# --- gcc ---------------------------------------------------------------------------------------

_SRC_C = (".c", ".i")
_SRC_CXX = (".cc", ".cpp", ".cxx", ".c++", ".C", ".ii")
_OBJ = (".o", ".a", ".so", ".obj")


def _musl(proc: Proc) -> bool:
    return is_file(proc, "/etc/alpine-release")


# gcc's one-dash words; -o, -l, -I, -L, -D and -U also take their value glued on (-lm).
GCC = Syntax("-o= -I= -L= -D= -U= -x= -include= -isystem= -MF= -MT= -l=", glued="-o -l -I -L -D -U")


@tool(
    "gcc",
    "cc",
    "g++",
    "c++",
    "clang",
    "clang++",
    "x86_64-linux-gnu-gcc-12",
    "x86_64-linux-gnu-g++-12",
    "gcc-12",
    "g++-12",
    note="modelled: C/C++ compiler (objects and ELF executables of realistic size)",
)
@parses(GCC)
def gcc(proc: Proc, o: Opts) -> int:
    name = proc.name
    if "--version" in o or (o.order == ["-v"] and not o.args):
        ver = (
            "(Alpine 13.2.1_git20231014) 13.2.1 20231014"
            if _musl(proc)
            else "(Debian 12.2.0-14) 12.2.0"
        )
        proc.out(f"{name} {ver}\nCopyright (C) 2022 Free Software Foundation, Inc.\n")
        return 0
    out = o.get("-o") or None
    compile_only = "-c" in o or "-S" in o or "-E" in o
    static, shared = "-static" in o, "-shared" in o
    inputs, libs = o.args, o.all("-l")
    if not inputs:
        raise ToolError(f"{name}: fatal error: no input files\ncompilation terminated.", 1)
    missing = [f for f in inputs if not is_file(proc, f)]
    if missing:
        msg = "".join(f"{name}: error: {f}: No such file or directory\n" for f in missing)
        if len(missing) == len(inputs):
            msg += f"{name}: fatal error: no input files\ncompilation terminated."
        raise ToolError(msg.rstrip("\n"), 1)
    cxx = "++" in name or any(f.endswith(_SRC_CXX) for f in inputs)
    if _musl(proc):
        for f in inputs:
            if not f.endswith(_SRC_C + _SRC_CXX):
                continue
            text = read_text(proc, f) or ""
            for ln, line in enumerate(text.splitlines(), 1):
                m = re.match(r"\s*#\s*include\s*<([^>]+)>", line)
                if (
                    m
                    and m.group(1).endswith(".h")
                    and not is_file(proc, f"/usr/include/{m.group(1)}")
                ):
                    col = line.index("<") + 1
                    raise ToolError(
                        f"{f}:{ln}:{col}: fatal error: {m.group(1)}: No such file or "
                        f"directory\n{ln:>5} | {line}\n      | {' ' * (col - 1)}^"
                        f"{'~' * (len(m.group(1)) + 1)}\ncompilation terminated.",
                        1,
                    )
    w = Writer(proc)
    src_bytes = 0
    for f in inputs:
        node = node_at(proc, f)
        src_bytes += node.size if isinstance(node, File) else 0
    libc = "musl" if _musl(proc) else "glibc"
    if compile_only:
        for f in inputs:
            if not f.endswith(_SRC_C + _SRC_CXX):
                continue
            node = node_at(proc, f)
            size = int((node.size if isinstance(node, File) else 0) * 1.6) + 1500
            dest = (
                out
                if out and len(inputs) == 1
                else posixpath.splitext(posixpath.basename(f))[0] + ".o"
            )
            w.blob(
                dest,
                size,
                f"ELF 64-bit relocatable object from {posixpath.basename(f)} (modelled size)",
            )
        return 0
    code = int(src_bytes * 1.4)
    if static:
        base = (2_300_000 if cxx else 800_000) if libc == "glibc" else (900_000 if cxx else 25_000)
        link = f"statically linked ({libc})"
    else:
        base = 17_000 if cxx else 16_000
        interp = "/lib/ld-musl-x86_64.so.1" if libc == "musl" else "/lib64/ld-linux-x86-64.so.2"
        link = (
            f"dynamically linked against {libc} (interpreter {interp}"
            + (", needs libstdc++" if cxx else "")
            + ")"
        )
        if libc == "glibc":
            link += ": will not start on Alpine/musl"
    if shared:
        dest = out or "a.out"
        w.blob(dest, base + code, "ELF 64-bit shared object (modelled size)", 0o755)
        return 0
    dest = out or "a.out"
    w.blob(
        dest,
        base + code + 40_000 * len(libs) * (1 if static else 0),
        f"ELF 64-bit LSB executable, x86-64, {link} (modelled size)",
        0o755,
    )
    return 0


STRIP = Syntax("-o= -R= -K= -N=", short=True)


@tool("ar", "x86_64-linux-gnu-ar", "gcc-ar", note="modelled: ar r/c/s/t of object files")
def ar(proc: Proc) -> int:
    """``ar rcs libx.a a.o b.o``: a static library the size of its members (plus headers);
    ``ar t`` lists what emu recorded."""
    args = proc.argv[1:]
    if len(args) < 2:
        raise ToolError(
            "Usage: ar [emulation options] [-]{dmpqrstx}[abcDfilMNoOPsSTuvV] archive-file file...",
            1,
        )
    ops, archive, members = args[0].lstrip("-"), args[1], args[2:]
    if "t" in ops:
        node = node_at(proc, archive)
        if not isinstance(node, File):
            raise ToolError(f"ar: '{archive}': No such file", 9)
        label = node.content.label if isinstance(node.content, Blob) else ""
        proc.out("".join(m + "\n" for m in label.split(": ", 1)[-1].split(", ") if m))
        return 0
    if not ({"r", "q"} & set(ops)):
        raise ToolError(f"ar: operation {ops!r} is not modelled", 1)
    total = 8
    for m in members:
        node = node_at(proc, m)
        if not isinstance(node, File):
            raise ToolError(f"ar: {m}: No such file or directory", 1)
        total += node.size + 60
    names = ", ".join(posixpath.basename(m) for m in members)
    Writer(proc).blob(archive, total, f"static library (modelled size): {names}")
    if "c" not in ops:
        proc.stderr.write(f"ar: creating {archive}\n")
    return 0


@tool("strip", note="modelled: strips symbols from modelled ELF files (about 30% smaller)")
@parses(STRIP)
def strip(proc: Proc, o: Opts) -> int:
    w = Writer(proc)
    for f in o.args:
        node = node_at(proc, f)
        if not isinstance(node, File):
            raise ToolError(f"strip: '{f}': No such file", 1)
        c = node.content
        if isinstance(c, Blob) and "stripped" not in c.label:
            w.file(
                f,
                Blob(
                    int(c.size * 0.7),
                    c.label.replace(" (modelled size)", ", stripped (modelled size)"),
                ),
            )
    return 0


# --- make ------------------------------------------------------------------------------------


@record(slots=True)
class Rule:
    targets: list[str]
    prereqs: list[str]
    recipe: list[tuple[int, str]] = field(default_factory=list)  # (line number, text)
    line: int = 0
    order_only: list[str] = field(default_factory=list)


class MakeError(Exception):
    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@record(slots=True)
class Var:
    value: str
    recursive: bool
    origin: str = "file"  # file | env | command line | override


class Make:
    def __init__(self, proc: Proc, file: str, cmdline: dict[str, str]) -> None:
        self.proc = proc
        self.file = file
        self.vars: dict[str, Var] = {}
        for k, v in proc.env.items():
            self.vars[k] = Var(v, False, "env")
        for k, v in cmdline.items():
            self.vars[k] = Var(v, False, "command line")
        self.vars.setdefault("CC", Var("cc", False, "default"))
        self.vars.setdefault("CXX", Var("g++", False, "default"))
        self.vars.setdefault("RM", Var("rm -f", False, "default"))
        self.vars["MAKE"] = Var("make", False, "default")
        self.rules: dict[str, Rule] = {}
        self.patterns: list[Rule] = []
        self.phony: set[str] = set()
        self.default: str | None = None
        self.exports: set[str] = set(proc.env) | set(cmdline)
        self.built: dict[str, bool] = {}  # target → remade in this run
        self.silent = False
        self.dry = False
        self.keep_going = False
        self.failed = False

    # --- expansion ---------------------------------------------------------------------------

    def get(self, name: str, auto: dict[str, str]) -> str:
        if name in auto:
            return auto[name]
        if len(name) == 2 and name[0] in auto and name[1] in "DF":
            v = auto[name[0]]
            return posixpath.dirname(v) or "." if name[1] == "D" else posixpath.basename(v)
        var = self.vars.get(name)
        if var is None:
            return ""
        return self.expand(var.value, auto) if var.recursive else var.value

    def expand(self, text: str, auto: dict[str, str] | None = None, depth: int = 0) -> str:
        auto = auto or {}
        if depth > 50:
            raise MakeError("make: *** Recursive variable references itself (eventually).  Stop.")
        out: list[str] = []
        i = 0
        n = len(text)
        while i < n:
            c = text[i]
            if c != "$" or i + 1 >= n:
                out.append(c)
                i += 1
                continue
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
                continue
            if nxt in "({":
                close = ")" if nxt == "(" else "}"
                j, depth_p = i + 2, 1
                while j < n and depth_p:
                    if text[j] == nxt:
                        depth_p += 1
                    elif text[j] == close:
                        depth_p -= 1
                    j += 1
                inner = text[i + 2 : j - 1]
                out.append(self._ref(inner, auto, depth))
                i = j
                continue
            out.append(self.get(nxt, auto))
            i += 2
        return "".join(out)

    def _ref(self, inner: str, auto: dict[str, str], depth: int) -> str:
        m = re.match(r"([a-z-]+)[ \t]+(.*)$", inner, re.S)
        if m and m.group(1) in _FUNCS:
            return _FUNCS[m.group(1)](self, m.group(2), auto, depth)
        m = re.match(r"([^:=]+):([^=]*)=(.*)$", inner)
        if m:
            val = self.get(self.expand(m.group(1), auto, depth + 1), auto)
            a, b = m.group(2), m.group(3)
            return " ".join(
                _patsubst(a if "%" in a else "%" + a, b if "%" in b else "%" + b, w)
                for w in val.split()
            )
        return self.get(self.expand(inner, auto, depth + 1), auto)

    # --- parsing --------------------------------------------------------------------------------

    def parse(self, text: str, fname: str) -> None:
        raw_lines = text.split("\n")
        lines: list[tuple[int, str]] = []
        k = 0
        while k < len(raw_lines):
            start = k
            line = raw_lines[k]
            while line.endswith("\\") and k + 1 < len(raw_lines):
                k += 1
                nxt = raw_lines[k]
                line = line[:-1] + (nxt if line.startswith("\t") else " " + nxt.lstrip())
            lines.append((start + 1, line))
            k += 1
        current: Rule | None = None
        cond: list[bool] = []
        for ln, line in lines:
            if line.startswith("\t") and current is not None and all(cond):
                current.recipe.append((ln, line[1:]))
                continue
            stripped = _strip_comment(line).strip()
            if not stripped:
                continue
            word = stripped.split(None, 1)[0]
            if word in ("ifeq", "ifneq", "ifdef", "ifndef"):
                cond.append(all(cond) and self._cond(word, stripped[len(word) :].strip()))
                continue
            if word == "else":
                if cond:
                    parent = all(cond[:-1])
                    rest = stripped[4:].strip()
                    if rest:
                        w2 = rest.split(None, 1)[0]
                        cond[-1] = (
                            parent and not cond[-1] and self._cond(w2, rest[len(w2) :].strip())
                        )
                    else:
                        cond[-1] = parent and not cond[-1]
                continue
            if word == "endif":
                if cond:
                    cond.pop()
                continue
            if not all(cond):
                continue
            if word in ("include", "-include", "sinclude"):
                for f in self.expand(stripped[len(word) :]).split():
                    t = read_text(self.proc, f)
                    if t is None and word == "include":
                        raise MakeError(
                            f"{fname}:{ln}: {f}: No such file or directory\nmake: *** "
                            f"No rule to make target '{f}'.  Stop."
                        )
                    if t is not None:
                        self.parse(t, f)
                continue
            m = re.match(
                r"^(override\s+|export\s+)?([^\s:=+?!#]+)\s*(::?=|\?=|\+=|!=|=)\s*(.*)$", stripped
            )
            if (m and not re.match(r"^[^=]*:[^=]", stripped.split("=", 1)[0] + "=")) or (
                m and m.group(3) in (":=", "::=")
            ):
                assert m is not None
                prefix, name, op, value = m.groups()
                name = self.expand(name)
                if prefix and "export" in prefix:
                    self.exports.add(name)
                existing = self.vars.get(name)
                if (
                    existing
                    and existing.origin == "command line"
                    and not (prefix and "override" in prefix)
                ):
                    current = None
                    continue
                if op == "?=":
                    if existing is None or existing.origin == "default":
                        self.vars[name] = Var(value, True)
                elif op in (":=", "::="):
                    self.vars[name] = Var(self.expand(value), False)
                elif op == "+=":
                    if existing is None:
                        self.vars[name] = Var(value, True)
                    else:
                        add = value if existing.recursive else self.expand(value)
                        self.vars[name] = Var(
                            (existing.value + " " + add).strip(),
                            existing.recursive,
                            existing.origin,
                        )
                elif op == "!=":
                    self.vars[name] = Var(_shell(self, self.expand(value)), False)
                else:
                    self.vars[name] = Var(value, True)
                current = None
                continue
            if word == "export" or word == "unexport":
                for v in stripped.split()[1:]:
                    (self.exports.add if word == "export" else self.exports.discard)(v)
                continue
            if ":" in stripped and not stripped.startswith(":"):
                left, _, right = stripped.partition(":")
                if right.startswith(":"):
                    right = right[1:]
                recipe_inline = None
                if ";" in right:
                    right, _, recipe_inline = right.partition(";")
                targets = self.expand(left).split()
                pre, _, oo = self.expand(right).partition("|")
                rule = Rule(targets, pre.split(), [], ln, oo.split())
                if recipe_inline is not None:
                    rule.recipe.append((ln, recipe_inline.strip()))
                if ".PHONY" in targets:
                    self.phony.update(rule.prereqs)
                    current = None
                    continue
                if any(t.startswith(".") and "/" not in t for t in targets) and not any(
                    "%" in t for t in targets
                ):
                    current = None
                    continue
                if any("%" in t for t in targets):
                    self.patterns.append(rule)
                else:
                    for t in targets:
                        old = self.rules.get(t)
                        if old is not None and not rule.recipe:
                            old.prereqs += rule.prereqs
                            continue
                        if old is not None and old.recipe and rule.recipe:
                            self.proc.stderr.write(
                                f"{fname}:{ln}: warning: overriding recipe for target '{t}'\n"
                            )
                        if old is not None:
                            rule.prereqs = old.prereqs + rule.prereqs
                        self.rules[t] = rule
                    if self.default is None:
                        self.default = targets[0]
                current = rule
                continue
            raise MakeError(f"{fname}:{ln}: *** missing separator.  Stop.")

    def _cond(self, word: str, rest: str) -> bool:
        if word in ("ifdef", "ifndef"):
            name = self.expand(rest.strip())
            defined = bool(self.vars.get(name) and self.vars[name].value)
            return defined if word == "ifdef" else not defined
        rest = rest.strip()
        if rest.startswith("("):
            inner = rest[1 : rest.rfind(")")]
            a, _, b = inner.partition(",")
        else:
            parts = re.findall(r"\"([^\"]*)\"|'([^']*)'", rest)
            a, b = (
                (parts[0][0] or parts[0][1], parts[1][0] or parts[1][1])
                if len(parts) == 2
                else ("", "")
            )
        eq = self.expand(a.strip()) == self.expand(b.strip())
        return eq if word == "ifeq" else not eq

    # --- running -------------------------------------------------------------------------------

    def find_rule(self, target: str) -> tuple[Rule | None, str]:
        rule = self.rules.get(target)
        if rule is not None and (rule.recipe or not self.patterns):
            return rule, ""
        for p in self.patterns:
            for pt in p.targets:
                stem = _match(pt, target)
                if stem is None:
                    continue
                prereqs = [x.replace("%", stem) for x in p.prereqs]
                if all(self.exists(x) or x in self.rules for x in prereqs):
                    extra = rule.prereqs if rule else []
                    return Rule([target], prereqs + extra, p.recipe, p.line), stem
        return rule, ""

    def exists(self, path: str) -> bool:
        return self.proc.fs.exists(self.proc.path(path))

    def make(self, target: str, parent: str | None, top: bool) -> bool:
        """Bring ``target`` up to date; True if it was remade."""
        if target in self.built:
            return self.built[target]
        self.built[target] = False
        rule, stem = self.find_rule(target)
        if rule is None:
            if self.exists(target):
                return False
            needed = f", needed by '{parent}'" if parent else ""
            raise MakeError(f"make: *** No rule to make target '{target}'{needed}.  Stop.")
        remade_any = False
        for p in rule.prereqs:
            remade_any = self.make(p, target, False) or remade_any
        for p in rule.order_only:
            if not self.exists(p):
                self.make(p, target, False)
        phony = target in self.phony
        missing = not self.exists(target)
        newer = self._newer(target, rule.prereqs)
        if not (phony or missing or remade_any or newer):
            if top:
                self.proc.out(f"make: '{target}' is up to date.\n")
            return False
        if not rule.recipe:
            if top and (phony or missing) and not remade_any:
                self.proc.out(f"make: Nothing to be done for '{target}'.\n")
            self.built[target] = True
            return True
        auto = {
            "@": target,
            "<": rule.prereqs[0] if rule.prereqs else "",
            "^": " ".join(dict.fromkeys(rule.prereqs)),
            "+": " ".join(rule.prereqs),
            "?": " ".join(rule.prereqs),
            "*": stem,
            "|": " ".join(rule.order_only),
        }
        for ln, raw in rule.recipe:
            line = self.expand(raw, auto)
            silent = self.silent
            ignore = False
            while line[:1] in ("@", "-", "+"):
                silent = silent or line[0] == "@"
                ignore = ignore or line[0] == "-"
                line = line[1:]
            line = line.strip()
            if not line:
                continue
            if not silent or self.dry:
                self.proc.out(line + "\n")
            if self.dry:
                continue
            rc = self.run(line)
            if rc != 0:
                where = f"{self.file}:{ln}: {target}"
                if ignore:
                    self.proc.stderr.write(f"make: [{where}] Error {rc} (ignored)\n")
                    continue
                if self.keep_going:
                    self.proc.stderr.write(f"make: *** [{where}] Error {rc}\n")
                    self.failed = True
                    break
                raise MakeError(f"make: *** [{where}] Error {rc}")
        self.built[target] = True
        return True

    def _newer(self, target: str, prereqs: list[str]) -> bool:
        t = self.proc.fs.lookup(self.proc.path(target))
        if t is None:
            return True
        for p in prereqs:
            n = self.proc.fs.lookup(self.proc.path(p))
            if n is not None and n.meta.mtime > t.meta.mtime:
                return True
        return False

    def env(self) -> dict[str, str]:
        env = dict(self.proc.env)
        for name in self.exports:
            if name in self.vars:
                env[name] = self.get(name, {})
        env["MAKELEVEL"] = str(int(self.proc.env.get("MAKELEVEL", "0") or 0) + 1)
        return env

    def run(self, line: str) -> int:
        argv = ["sh", "-c", line]
        return child(self.proc, argv, env=self.env()).run(argv)


def _shell(mk: Make, cmd: str) -> str:
    buf = Stream(mk.proc.limits)
    c = replace(child(mk.proc, ["sh", "-c", cmd], env=mk.env()), stdout=buf)
    c.run(["sh", "-c", cmd])
    return " ".join(buf.getvalue().decode("utf-8", "replace").split("\n")).strip()


def _strip_comment(line: str) -> str:
    out = []
    i = 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line) and line[i + 1] == "#":
            out.append("#")
            i += 2
            continue
        if line[i] == "#":
            break
        out.append(line[i])
        i += 1
    return "".join(out)


def _match(pattern: str, target: str) -> str | None:
    pre, _, post = pattern.partition("%")
    if target.startswith(pre) and target.endswith(post) and len(target) >= len(pre) + len(post):
        return target[len(pre) : len(target) - len(post)]
    return None


def _patsubst(pat: str, rep: str, word: str) -> str:
    stem = _match(pat, word)
    if stem is None:
        return word
    return rep.replace("%", stem, 1) if "%" in rep else rep


def _args(mk: Make, text: str, auto: dict[str, str], depth: int, n: int) -> list[str]:
    parts: list[str] = []
    level = 0
    cur = ""
    for ch in text:
        if ch in "({":
            level += 1
        elif ch in ")}":
            level -= 1
        if ch == "," and level == 0 and len(parts) < n - 1:
            parts.append(cur)
            cur = ""
            continue
        cur += ch
    parts.append(cur)
    return [mk.expand(p, auto, depth + 1) for p in parts]


def _f_wildcard(mk: Make, t: str, auto: dict[str, str], d: int) -> str:
    out: list[str] = []
    for pat in mk.expand(t, auto, d + 1).split():
        base = posixpath.dirname(pat)
        for name in listdir(mk.proc, base or "."):
            if fnmatch.fnmatchcase(name, posixpath.basename(pat)):
                out.append(posixpath.join(base, name) if base else name)
    return " ".join(out)


def _f_patsubst(mk: Make, t: str, auto: dict[str, str], d: int) -> str:
    a, b, text = _args(mk, t, auto, d, 3)
    return " ".join(_patsubst(a.strip(), b.strip(), w) for w in text.split())


def _f_subst(mk: Make, t: str, auto: dict[str, str], d: int) -> str:
    a, b, text = _args(mk, t, auto, d, 3)
    return text.replace(a, b)


Func = Callable[[Make, str, dict[str, str], int], str]


def _words_fn(op: Callable[[list[str]], str]) -> Func:
    def f(mk: Make, t: str, a: dict[str, str], d: int) -> str:
        return op(mk.expand(t, a, d + 1).split())

    return f


def _two(op: Callable[[str, list[str]], str]) -> Func:
    def f(mk: Make, t: str, a: dict[str, str], d: int) -> str:
        first, text = _args(mk, t, a, d, 2)
        return op(first, text.split())

    return f


def _f_shell(mk: Make, t: str, a: dict[str, str], d: int) -> str:
    return _shell(mk, mk.expand(t, a, d + 1))


def _f_if(mk: Make, t: str, a: dict[str, str], d: int) -> str:
    parts = [*_args(mk, t, a, d, 3), "", ""]
    return parts[1] if parts[0].strip() else parts[2]


def _f_info(mk: Make, t: str, a: dict[str, str], d: int) -> str:
    mk.proc.out(mk.expand(t, a, d + 1) + "\n")
    return ""


def _f_warning(mk: Make, t: str, a: dict[str, str], d: int) -> str:
    mk.proc.stderr.write(f"{mk.file}: {mk.expand(t, a, d + 1)}\n")
    return ""


def _f_error(mk: Make, t: str, a: dict[str, str], d: int) -> str:
    raise MakeError(f"{mk.file}: *** {mk.expand(t, a, d + 1)}.  Stop.")


def _matches(patterns: str, word: str) -> bool:
    return any(_match(q, word) is not None for q in patterns.split())


_FUNCS: dict[str, Func] = {
    "wildcard": _f_wildcard,
    "patsubst": _f_patsubst,
    "subst": _f_subst,
    "shell": _f_shell,
    "addprefix": _two(lambda p, ws: " ".join(p + w for w in ws)),
    "addsuffix": _two(lambda s, ws: " ".join(w + s for w in ws)),
    "filter": _two(lambda p, ws: " ".join(w for w in ws if _matches(p, w))),
    "filter-out": _two(lambda p, ws: " ".join(w for w in ws if not _matches(p, w))),
    "notdir": _words_fn(lambda ws: " ".join(posixpath.basename(w) for w in ws)),
    "dir": _words_fn(lambda ws: " ".join((posixpath.dirname(w) or ".") + "/" for w in ws)),
    "basename": _words_fn(lambda ws: " ".join(posixpath.splitext(w)[0] for w in ws)),
    "suffix": _words_fn(
        lambda ws: " ".join(posixpath.splitext(w)[1] for w in ws if posixpath.splitext(w)[1])
    ),
    "sort": _words_fn(lambda ws: " ".join(sorted(set(ws)))),
    "strip": _words_fn(lambda ws: " ".join(ws)),
    "words": _words_fn(lambda ws: str(len(ws))),
    "firstword": _words_fn(lambda ws: ws[0] if ws else ""),
    "lastword": _words_fn(lambda ws: ws[-1] if ws else ""),
    "if": _f_if,
    "info": _f_info,
    "warning": _f_warning,
    "error": _f_error,
}


def _foreach(mk: Make, t: str, auto: dict[str, str], d: int) -> str:
    parts = t.split(",", 2)
    if len(parts) != 3:
        return ""
    var, lst, body = parts
    out = []
    for w in mk.expand(lst, auto, d + 1).split():
        out.append(mk.expand(body, {**auto, var.strip(): w}, d + 1))
    return " ".join(out)


_FUNCS["foreach"] = lambda mk, t, a, d: _foreach(mk, t, a, d)


MAKE = Syntax(
    (
        "-f|--makefile|--file= -C|--directory= -j|--jobs -l|--load-average -I|--include-dir= "
        "-o|--old-file= -W|--what-if= -s|--quiet|--silent -n|--just-print|--dry-run "
        "-k|--keep-going -v|--version"
    ),
    optional={"--jobs": r"\d+", "--load-average": r"[\d.]+"},
    short=True,
)


@tool("make", "gmake", note="modelled: GNU make (Makefile rules, variables; recipes run via sh)")
@parses(MAKE, version="GNU Make 4.3\nBuilt for x86_64-pc-linux-gnu")
def make(proc: Proc, o: Opts) -> int:
    for d in o.all("--directory"):
        proc = in_dir(proc, d)
        proc.out(f"make: Entering directory '{proc.cwd}'\n")
    files = o.all("--file")
    targets: list[str] = []
    cmdline: dict[str, str] = {}
    for a in o.args:
        if re.match(r"^[A-Za-z_][A-Za-z0-9_.]*:?=", a):
            k, _, v = a.partition("=")
            cmdline[k.rstrip(":")] = v
        else:
            targets.append(a)
    if not files:
        found = next((n for n in ("GNUmakefile", "makefile", "Makefile") if is_file(proc, n)), None)
        if found is None:
            if targets:
                raise ToolError(f"make: *** No rule to make target '{targets[0]}'.  Stop.", 2)
            raise ToolError("make: *** No targets specified and no makefile found.  Stop.", 2)
        files = [found]
    mk = Make(proc, files[0], cmdline)
    mk.silent = "--silent" in o
    mk.dry = "--dry-run" in o
    mk.keep_going = "--keep-going" in o
    try:
        for f in files:
            text = read_text(proc, f)
            if text is None:
                raise MakeError(
                    f"make: {f}: No such file or directory\nmake: *** No rule to make "
                    f"target '{f}'.  Stop."
                )
            mk.parse(text, f)
        goals = targets or ([mk.default] if mk.default else [])
        if not goals:
            raise MakeError("make: *** No targets.  Stop.")
        for g in goals:
            mk.make(g, None, True)
    except MakeError as exc:
        raise ToolError(exc.message, exc.code) from None
    if mk.failed:
        raise ToolError("make: Target not remade because of errors.", 2)
    return 0
