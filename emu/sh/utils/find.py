"""find and xargs, as busybox 1.35 has them (plus find -delete, -not, -and, -or, -iname,
-mmin/-mtime on the deterministic clock)."""

from __future__ import annotations

import errno as E
import re
from collections.abc import Callable

from emu.fs import Device, Dir, File, Node, Symlink, accounts
from emu.records import field, record
from emu.sh.api import X_OK, Proc, allowed, find_executable
from emu.sh.coreutils import escape
from emu.sh.expand import fnmatch_regex
from emu.sh.options import Die, getopt, number
from emu.sh.utils._common import Sys, applet, group_to_gid, join, parse_mode, user_to_uid
from emu.sh.utils._regex import RegexError, compile_posix

# --- find -------------------------------------------------------------------------------


@record
class _Ctx:
    proc: Proc
    sys: Sys
    path: str
    node: Node
    depth: int
    prune: bool = False
    quit: bool = False
    status: int = 0
    batches: dict[int, list[str]] = field(default_factory=dict)


Pred = Callable[[_Ctx], bool]


def _num_test(text: str, what: str) -> Callable[[int], bool]:
    """+N greater, -N less, N exactly."""
    m = re.fullmatch(r"([+-]?)(\d+)", text)
    if m is None:
        raise Die(f"invalid number '{text}'")
    sign, n = m.group(1), int(m.group(2))
    if sign == "+":
        return lambda v: v > n
    if sign == "-":
        return lambda v: v < n
    return lambda v: v == n


class _FindParser:
    def __init__(self, proc: Proc, sys: Sys, tokens: list[str]) -> None:
        self.proc = proc
        self.sys = sys
        self.t = tokens
        self.i = 0
        self.has_action = False
        self.maxdepth = 1 << 30
        self.mindepth = 0
        self.depth_first = False
        self.exec_plus: list[tuple[int, list[str]]] = []

    def peek(self) -> str | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def arg(self, name: str) -> str:
        if self.i >= len(self.t):
            raise Die(f"{name} requires an argument")
        self.i += 1
        return self.t[self.i - 1]

    def parse(self) -> Pred:
        if self.peek() is None:
            return lambda c: True
        p = self.expr_or()
        if self.peek() is not None:
            raise Die(f"unrecognized: {self.peek()}", usage=True)
        return p

    def expr_or(self) -> Pred:
        left = self.expr_and()
        while self.peek() in ("-o", "-or"):
            self.i += 1
            right = self.expr_and()
            left = (lambda a, b: lambda c: a(c) or b(c))(left, right)
        return left

    def expr_and(self) -> Pred:
        left = self.expr_not()
        while True:
            tok = self.peek()
            if tok in ("-a", "-and"):
                self.i += 1
                if self.peek() is None:  # busybox: a trailing -a is ignored
                    return left
            elif tok is None or tok in ("-o", "-or", ")", ","):
                return left
            right = self.expr_not()
            left = (lambda a, b: lambda c: a(c) and b(c))(left, right)

    def expr_not(self) -> Pred:
        if self.peek() in ("!", "-not"):
            self.i += 1
            if self.peek() is None:  # busybox: a trailing ! inverts nothing
                return lambda c: True
            inner = self.expr_not()
            return lambda c: not inner(c)
        return self.primary()

    def primary(self) -> Pred:
        tok = self.peek()
        self.i += 1
        if tok is None:  # busybox: an empty group (after a trailing -o) is true
            return lambda c: True
        sys = self.sys
        if tok == "(":
            inner = self.expr_or()
            if self.peek() != ")":
                raise Die("unrecognized: (", usage=True)
            self.i += 1
            return inner
        if tok in ("-name", "-iname"):
            rx = fnmatch_regex(self.arg(tok), tok == "-iname")
            return lambda c: rx.match(_base(c.path)) is not None
        if tok in ("-path", "-ipath", "-wholename", "-iwholename"):
            rx = fnmatch_regex(self.arg(tok), tok.startswith("-i"))
            return lambda c: rx.match(c.path) is not None
        if tok in ("-regex", "-iregex"):
            try:
                r = compile_posix(self.arg(tok), False, tok == "-iregex")
            except RegexError as e:
                raise Die(str(e)) from None
            return lambda c: r.fullmatch(c.path.encode("utf-8", "surrogateescape")) is not None
        if tok == "-type":
            kinds = self.arg(tok)
            table = {
                "f": "file",
                "d": "dir",
                "l": "symlink",
                "c": "char",
                "b": "block",
                "p": "fifo",
                "s": "sock",
            }
            want = set()
            for k in kinds.split(","):
                if k not in table:
                    raise Die(f"invalid argument '{kinds}' to '-type'")
                want.add(table[k])
            return lambda c: c.node.kind.value in want
        if tok == "-perm":
            spec = self.arg(tok)
            kind = spec[0] if spec[:1] in "-+/" else ""
            body = spec[1:] if kind else spec
            mode = parse_mode(body, 0, False, 0)
            if mode is None:
                raise Die(f"invalid mode '{spec}'")
            if kind == "-":
                return lambda c: (c.node.meta.mode & mode) == mode
            if kind in ("+", "/"):
                return lambda c: mode == 0 or bool(c.node.meta.mode & mode)
            return lambda c: (c.node.meta.mode & 0o7777) == mode
        if tok in ("-user", "-group", "-uid", "-gid"):
            v = self.arg(tok)
            if tok in ("-user", "-uid"):
                uid = (
                    user_to_uid(sys.fs, v)
                    if tok == "-user"
                    else (int(v) if (v.isascii() and v.isdigit()) else None)
                )
                if uid is None:
                    raise Die(f"unknown user {v}")
                return lambda c: c.node.meta.uid == uid
            gid = (
                group_to_gid(sys.fs, v)
                if tok == "-group"
                else (int(v) if (v.isascii() and v.isdigit()) else None)
            )
            if gid is None:
                raise Die(f"unknown group {v}")
            return lambda c: c.node.meta.gid == gid
        if tok == "-size":
            spec = self.arg(tok)
            m = re.fullmatch(r"([+-]?)(\d+)([bckwMG]?)", spec)
            if m is None:
                raise Die(f"invalid number '{spec}'")
            unit = {"": 512, "b": 512, "c": 1, "k": 1024, "w": 2, "M": 1 << 20, "G": 1 << 30}[
                m.group(3)
            ]
            test = _num_test(m.group(1) + m.group(2), "size")
            return lambda c: test((_size(c.node) + unit - 1) // unit)
        if tok == "-empty":
            return lambda c: (
                (isinstance(c.node, Dir) and not c.node.entries)
                or (isinstance(c.node, File) and c.node.size == 0)
            )
        if tok in ("-newer", "-anewer", "-cnewer"):
            ref = self.arg(tok)
            try:
                t = sys.stat(ref).meta.mtime
            except OSError as e:
                raise Die(f"{ref}: {e.strerror}") from None
            return lambda c: c.node.meta.mtime > t
        if tok in ("-mtime", "-atime", "-ctime", "-mmin", "-amin", "-cmin"):
            test = _num_test(self.arg(tok), tok)
            unit = 86400 if tok.endswith("time") else 60
            return lambda c: test((sys.time - c.node.meta.mtime) // unit)
        if tok == "-links":
            test = _num_test(self.arg(tok), tok)
            return lambda c: test(_links(c))
        if tok == "-inum":
            self.arg(tok)
            return lambda c: False
        if tok == "-samefile":
            ref = self.arg(tok)
            try:
                target = sys.stat(ref)
            except OSError as e:
                raise Die(f"{ref}: {e.strerror}") from None
            return lambda c: c.node is target
        if tok == "-executable":
            return lambda c: allowed(c.node, sys.ident, X_OK)
        if tok in ("-readable", "-writable"):
            bit = 4 if tok == "-readable" else 2
            return lambda c: allowed(c.node, sys.ident, bit)
        if tok == "-maxdepth":
            self.maxdepth = _int_arg(self.arg(tok))
            return lambda c: True
        if tok == "-mindepth":
            self.mindepth = _int_arg(self.arg(tok))
            return lambda c: True
        if tok == "-depth":
            self.depth_first = True
            return lambda c: True
        if tok in ("-xdev", "-mount", "-follow", "-noleaf", "-ignore_readdir_race"):
            return lambda c: True
        if tok in ("-true",):
            return lambda c: True
        if tok in ("-false",):
            return lambda c: False
        if tok == "-nouser":
            return lambda c: accounts.user_with_id(sys.fs, c.node.meta.uid) is None
        if tok == "-nogroup":
            return lambda c: accounts.group_with_id(sys.fs, c.node.meta.gid) is None
        if tok == "-prune":

            def prune(c: _Ctx) -> bool:
                c.prune = True
                return True

            return prune
        if tok == "-quit":

            def quit_(c: _Ctx) -> bool:
                c.quit = True
                return True

            return quit_
        if tok in ("-print", "-print0", "-ls"):
            self.has_action = True
            return _printer("\0" if tok == "-print0" else "\n")
        if tok == "-delete":
            self.has_action = True
            self.depth_first = True
            return self._delete
        if tok in ("-exec", "-execdir", "-ok", "-okdir"):
            return self._exec(tok)
        if tok.startswith("-"):
            raise Die(f"unrecognized: {tok}", usage=True)
        raise Die(f"unrecognized: {tok}", usage=True)

    def _delete(self, c: _Ctx) -> bool:
        if c.path in (".",):
            return True
        sys = c.sys
        try:
            if isinstance(c.node, Dir):
                sys.rmdir(c.path)
            else:
                sys.unlink(c.path)
        except OSError as e:
            verb = "remove" if isinstance(c.node, Dir) else "unlink"
            c.proc.err(f"can't {verb} '{c.path}': {e.strerror}")
            c.status = 1
            return False
        return True

    def _exec(self, tok: str) -> Pred:
        self.has_action = True
        start = self.i
        while self.i < len(self.t) and self.t[self.i] not in (";", "+"):
            self.i += 1
        if self.i >= len(self.t) or self.i == start:
            raise Die(f"{tok} requires an argument")
        cmd = self.t[start : self.i]
        plus = self.t[self.i] == "+" and cmd[-1] == "{}"
        if self.t[self.i] == "+" and not plus:
            # "+" not right after {}: it is an argument; keep scanning for ";".
            raise Die(f"{tok} requires an argument")
        self.i += 1
        if plus:
            key = len(self.exec_plus)
            self.exec_plus.append((key, cmd[:-1]))

            def batch(c: _Ctx) -> bool:
                c.batches.setdefault(key, []).append(c.path)
                return True

            return batch

        def run(c: _Ctx) -> bool:
            argv = [a.replace("{}", c.path) for a in cmd]
            return spawn(c.proc, argv, None) == 0

        return run


def _and(a: Pred, b: Pred) -> Pred:
    return lambda c: a(c) and b(c)


def _printer(end: str) -> Pred:
    def pr(c: _Ctx) -> bool:
        c.proc.out(c.path + end)
        return True

    return pr


def _int_arg(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise Die(f"invalid number '{text}'")
    return int(text)


def _base(path: str) -> str:
    s = path.rstrip("/")
    return s.rsplit("/", 1)[-1] if s else "/"


def _size(node: Node) -> int:
    if isinstance(node, Dir):
        return 4096
    return node.size


def _links(c: _Ctx) -> int:
    if isinstance(c.node, Dir):
        return 2 + sum(1 for x in c.node.entries.values() if isinstance(x, Dir))
    return 1


def spawn(proc: Proc, argv: list[str], stdin: bytes | None) -> int:
    """Run another program through the shell's runner; a missing one is busybox's
    ``applet: NAME: No such file or directory`` and 127."""
    if not argv:
        return 0
    found = find_executable(proc.fs, argv[0], proc.env.get("PATH", "/bin:/usr/bin"), proc.ident)
    if found is None:
        proc.err(f"{argv[0]}: No such file or directory")
        return 127
    return proc.run(argv, stdin)


@applet("find", usage="[-HL] [PATH]... [OPTIONS] [ACTIONS]")
def find(proc: Proc) -> int:
    argv = proc.argv[1:]
    follow = ""
    while argv and argv[0] in ("-L", "-H", "-P"):
        follow = argv.pop(0)[1]
    paths = []
    while (
        argv
        and not (argv[0].startswith("-") and len(argv[0]) > 1)
        and argv[0] not in ("(", "!", ",")
    ):
        paths.append(argv.pop(0))
    if "-follow" in argv:
        follow = "L"
    sys = Sys(proc)
    parser = _FindParser(proc, sys, argv)
    pred = parser.parse()
    if not parser.has_action:
        # No action at all: the whole expression is followed by an implicit -print.
        pred = _and(pred, _printer("\n"))
    status = 0
    ctx_batches: dict[int, list[str]] = {}
    quit_all = False

    def visit(path: str, node: Node, depth: int) -> int:
        nonlocal quit_all
        proc.limits.step()
        st = 0
        ctx = _Ctx(proc, sys, path, node, depth, batches=ctx_batches)
        descend = isinstance(node, Dir) and depth < parser.maxdepth
        if not parser.depth_first and depth >= parser.mindepth:
            pred(ctx)
            st |= ctx.status
            if ctx.quit:
                quit_all = True
                return st
            if ctx.prune:
                descend = False
        if descend:
            assert isinstance(node, Dir)
            if not sys.root and not allowed(node, sys.ident, 4):
                proc.err(f"{path}: Permission denied")
                st = 1
            else:
                for name in sorted(node.entries):
                    child = node.entries[name]
                    cpath = join(path, name)
                    if isinstance(child, Symlink) and follow == "L":
                        try:
                            child = sys.stat(cpath)
                        except OSError as e:
                            if e.errno != E.ENOENT:  # a loop: reported and skipped
                                proc.err(f"{cpath}: {e.strerror}")
                                st = 1
                                continue
                            # a dangling link is the link itself
                    st |= visit(cpath, child, depth + 1)
                    if quit_all:
                        return st
        if parser.depth_first and depth >= parser.mindepth:
            pred(ctx)
            st |= ctx.status
            if ctx.quit:
                quit_all = True
        return st

    for p in paths or ["."]:
        try:
            node = sys.stat(p) if follow in ("L", "H") else sys.lstat(p)
        except OSError as e:
            proc.err(f"{p}: {e.strerror}")
            status = 1
            continue
        status |= visit(p, node, 0)
        if quit_all:
            break
    for key, cmd in parser.exec_plus:
        files = ctx_batches.get(key, [])
        if files and spawn(proc, [*cmd, *files], None) != 0:
            status = 1
    return status


# --- xargs ------------------------------------------------------------------------------


def _xargs_split(data: bytes, zero: bool) -> list[str]:
    """Words of xargs input: blanks separate; quotes and backslashes group (not with -0)."""
    text = data.decode("utf-8", "surrogateescape")
    if zero:
        parts = text.split("\0")
        if parts and parts[-1] == "":
            parts.pop()
        return parts
    words: list[str] = []
    cur: list[str] = []
    have = False
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "'\"":
            end = text.find(ch, i + 1)
            nl = text.find("\n", i + 1)
            if end < 0 or (0 <= nl < end):
                raise Die(f"unmatched {'single' if ch == chr(39) else 'double'} quote")
            cur.append(text[i + 1 : end])
            have = True
            i = end + 1
            continue
        if ch == "\\" and i + 1 < n:
            cur.append(text[i + 1])
            have = True
            i += 2
            continue
        if ch in " \t\n":
            if have:
                words.append("".join(cur))
                cur = []
                have = False
            i += 1
            continue
        cur.append(ch)
        have = True
        i += 1
    if have:
        words.append("".join(cur))
    return words


def _replace_opt(argv: list[str]) -> list[str]:
    """busybox's ``i::``: -i takes its STR only when attached (-i{}), else it is -I {}."""
    out: list[str] = []
    for k, a in enumerate(argv):
        if a == "--" or not a.startswith("-") or a == "-":
            return out + argv[k:]
        out.append("-I{}" if a == "-i" else "-I" + a[2:] if a.startswith("-i") else a)
    return out


@applet("xargs", usage="[OPTIONS] [PROG ARGS]")
def xargs(proc: Proc) -> int:
    o = getopt(
        _replace_opt(proc.argv[1:]),
        "n:s:0rI:tpP:xE:e:L:l:a:d:o",
        {
            "max-args=": "n",
            "max-chars=": "s",
            "null": "0",
            "no-run-if-empty": "r",
            "replace=": "I",
            "verbose": "t",
            "max-procs=": "P",
            "exit": "x",
            "eof=": "E",
            "max-lines=": "L",
            "arg-file=": "a",
            "delimiter=": "d",
            "open-tty": "o",
        },
        permute=False,
    )
    sys = Sys(proc)
    cmd = o.args or ["echo"]
    data = proc.stdin
    if o.get("a") is not None:
        try:
            data = sys.read(o.get("a") or "")
        except OSError as e:
            raise Die(f"can't open '{o.get('a')}': {e.strerror}") from None
    replace = o.get("I")
    if replace is not None:
        # -I: one command per input line, the line (leading blanks dropped) replacing STR.
        text = data.decode("utf-8", "surrogateescape")
        items = [ln.lstrip(" \t") for ln in text.split("\n")]
        if items and items[-1] == "":
            items.pop()
        items = [x for x in items if x]
        groups = [[x] for x in items]
    else:
        if o.get("d") is not None:
            # One delimiter byte, its escape read as busybox reads it (a lone "\\" is itself).
            spec = (o.get("d") or "").encode("utf-8", "surrogateescape")
            d = escape(spec, 1)[0] if spec[:1] == b"\\" else spec[0] if spec else 0
            words = [w.decode("utf-8", "surrogateescape") for w in data.split(bytes([d]))]
            if words and words[-1] in ("", "\n"):
                words.pop()
        else:
            words = _xargs_split(data, "0" in o)
        eof = o.get("E") or o.get("e")
        if eof and eof in words:
            words = words[: words.index(eof)]
        per = number(o.get("n") or "0")
        lines_per = number(o.get("L") or o.get("l") or "0")
        if lines_per and not per:
            # -L N: N input lines per command (approximated by words of those lines).
            lines = [ln for ln in data.decode("utf-8", "surrogateescape").split("\n") if ln.strip()]
            groups = []
            for k in range(0, len(lines), lines_per):
                chunk = " ".join(lines[k : k + lines_per]).encode()
                groups.append(_xargs_split(chunk, False))
        elif per > 0:
            groups = [words[k : k + per] for k in range(0, len(words), per)]
        else:
            groups = [words] if words else []
        if not groups and "r" not in o:
            groups = [[]]
    status = 0
    for g in groups:
        proc.limits.step()
        argv = [a.replace(replace, g[0]) for a in cmd] if replace is not None else [*cmd, *g]
        if "t" in o:
            proc.stderr.write(" ".join(argv) + "\n")
        code = spawn(proc, argv, b"")
        if code == 127:
            return 127
        if code == 255:
            proc.err(f"{argv[0]}: exited with status 255; aborting")
            return 124
        if code == 126:
            return 126
        if code != 0:
            status = 123
    return status


_unused = (E, Device)
