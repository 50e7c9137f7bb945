"""grep (egrep, fgrep): busybox 1.35's options — -q -v -E -F -i -n -c -l -L -r -R -o -w
-x -e -f -h -H -s -m -A -B -C -z — plus GNU's --include/--exclude for recursive runs."""

from __future__ import annotations

import fnmatch
import re

from emu.fs import Dir, Symlink
from emu.sh.api import Proc
from emu.sh.linear import Regex
from emu.sh.options import Die, getopt, number
from emu.sh.utils._common import Sys, applet, join, read_or_report
from emu.sh.utils._regex import RegexError, compile_posix


class _Matcher:
    def __init__(
        self, patterns: list[bytes], fixed: bool, ext: bool, icase: bool, word: bool, line: bool
    ) -> None:
        self.word = word
        self.line = line
        self.empty = any(p == b"" for p in patterns)
        regs: list[Regex[bytes]] = []
        for p in patterns:
            if fixed:
                src = re.escape(p)
                regs.append(re.compile(src, re.IGNORECASE if icase else 0))
            else:
                regs.append(compile_posix(p, ext, icase))
        self.regs = regs

    def spans(self, text: bytes) -> list[tuple[int, int]]:
        """Every match (leftmost, non-overlapping) that satisfies -w/-x."""
        found: list[tuple[int, int]] = []
        for r in self.regs:
            pos = 0
            while pos <= len(text):
                m = r.search(text, pos)
                if m is None:
                    break
                s, e = m.span()
                if self._ok(text, s, e):
                    found.append((s, e))
                    pos = e if e > s else e + 1
                    continue
                # -w: retry from the next position (busybox does the same).
                pos = s + 1
        found.sort()
        out: list[tuple[int, int]] = []
        end = -1
        for s, e in found:
            if s >= end:
                out.append((s, e))
                end = e if e > s else s + 1
        return out

    def _ok(self, text: bytes, s: int, e: int) -> bool:
        if self.line:
            return s == 0 and e == len(text)
        if self.word:
            before = text[s - 1 : s]
            after = text[e : e + 1]
            w = rb"[A-Za-z0-9_]"
            if before and re.match(w, before):
                return False
            if after and re.match(w, after):
                return False
            return e > s
        return True

    def matches(self, text: bytes) -> bool:
        if not self.line and not self.word:
            return any(r.search(text) for r in self.regs)
        return bool(self.spans(text))


@applet(
    "grep",
    "egrep",
    "fgrep",
    usage="[-HhnlLoqvsrRiwFEz] [-m N] [-A|B|C N] "
    "{ PATTERN | -e PATTERN... | -f FILE... } [FILE]...",
)
def grep(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "HhnlLoqvsrRiwFEzm:A:B:C:e:f:cxyaIbU",
        {
            "with-filename": "H",
            "no-filename": "h",
            "line-number": "n",
            "files-with-matches": "l",
            "files-without-match": "L",
            "only-matching": "o",
            "quiet": "q",
            "silent": "q",
            "invert-match": "v",
            "no-messages": "s",
            "recursive": "r",
            "dereference-recursive": "R",
            "ignore-case": "i",
            "word-regexp": "w",
            "line-regexp": "x",
            "fixed-strings": "F",
            "extended-regexp": "E",
            "basic-regexp": "G",
            "null-data": "z",
            "max-count=": "m",
            "after-context=": "A",
            "before-context=": "B",
            "context=": "C",
            "regexp=": "e",
            "file=": "f",
            "count": "c",
            "include=": "\x01",
            "exclude=": "\x02",
            "exclude-dir=": "\x03",
            "color=": "\x04",
            "colour=": "\x04",
            "color": "\x04",
            "binary-files=": "\x05",
            "text": "a",
        },
    )
    sys = Sys(proc)
    pats: list[str] = list(o.all("e"))
    for f in o.all("f"):
        try:
            data = proc.stdin if f == "-" else sys.read(f)
        except OSError as e:
            proc.err(f"{f}: {e.strerror}")
            return 2
        pats.extend(data.decode("utf-8", "surrogateescape").splitlines())
    args = list(o.args)
    if "e" not in o and "f" not in o:
        if not args:
            raise Die(None, usage=True, code=2)
        pats.append(args.pop(0))
    patterns: list[bytes] = []
    for p in pats:
        patterns.extend(p.encode("utf-8", "surrogateescape").split(b"\n") or [b""])
    name = proc.name
    fixed = "F" in o or name == "fgrep"
    ext = "E" in o or name == "egrep"
    try:
        m = _Matcher(patterns, fixed, ext, "i" in o or "y" in o, "w" in o, "x" in o)
    except RegexError as e:
        proc.err(str(e))
        return 2
    recurse = "r" in o or "R" in o
    files = args
    multi = len(files) > 1 or recurse
    show_name = ("H" in o or multi) and "h" not in o
    after = number(o.get("A") or o.get("C") or "0")
    before = number(o.get("B") or o.get("C") or "0")
    max_count = number(o.get("m", "")) if o.get("m") is not None else -1
    eol = b"\0" if "z" in o else b"\n"
    state = {"matched": False, "errors": False, "listed": False}
    quiet = "q" in o

    class _Done(Exception):
        pass

    def search(label: str, data: bytes) -> None:
        lines = data.split(eol)
        if lines and lines[-1] == b"":
            lines.pop()
        count = 0
        last_printed = -1
        pending_after = 0
        out = []
        prefix = f"{label}".encode("utf-8", "surrogateescape")
        first_group = True

        def emit(at: int, sep: bytes, text: bytes) -> None:
            """Line ``at`` (or a piece of it), ``sep`` after its name and number:
            ``:`` for a match, ``-`` for context."""
            number = at + 1 if "n" in o else None
            out.append(_fmt(prefix if show_name else None, number, sep, text, eol))

        for idx, line in enumerate(lines):
            proc.limits.step()
            hit = m.matches(line) != ("v" in o)
            if hit and max_count >= 0 and count >= max_count:
                break
            if hit:
                count += 1
                state["matched"] = True
                if quiet:
                    raise _Done
                if {"l", "L", "c"} & set(o.flags):
                    continue
                if before or after:
                    start = max(idx - before, last_printed + 1)
                    if (last_printed >= 0 and start > last_printed + 1) or (
                        last_printed < 0 and not first_group
                    ):
                        out.append(b"--\n")
                    first_group = False
                    for j in range(start, idx):
                        emit(j, b"-", lines[j])
                if "o" in o and "v" not in o:
                    for s, e in m.spans(line):
                        if e > s:
                            emit(idx, b":", line[s:e])
                else:
                    emit(idx, b":", line)
                last_printed = idx
                pending_after = after
            elif pending_after > 0 and not ({"l", "L", "c"} & set(o.flags)):
                emit(idx, b"-", line)
                last_printed = idx
                pending_after -= 1
        if "c" in o:
            out.append((prefix + b":" if show_name else b"") + f"{count}\n".encode())
        if "l" in o and count:
            out.append(prefix + b"\n")
        if "L" in o and not count:
            state["listed"] = True
            out.append(prefix + b"\n")
        proc.out(b"".join(out))

    def err(msg: str) -> None:
        state["errors"] = True
        if "s" not in o:
            proc.err(msg)

    def walk(path: str, top: bool) -> None:
        proc.limits.check_time()
        try:
            node = sys.stat(path) if (top or "R" in o) else sys.lstat(path)
        except OSError as e:
            err(f"{path}: {e.strerror}")
            return
        if isinstance(node, Symlink):
            return
        if isinstance(node, Dir):
            if not recurse:
                return
            base = path.rstrip("/").rsplit("/", 1)[-1]
            if not top and any(fnmatch.fnmatchcase(base, p) for p in o.all("\x03")):
                return
            try:
                names = sys.listdir(path)
            except OSError as e:
                err(f"{path}: {e.strerror}")
                return
            for n in names:
                walk(join(path, n), False)
            return
        base = path.rsplit("/", 1)[-1]
        inc = o.all("\x01")
        if not top or recurse:
            if inc and not any(fnmatch.fnmatchcase(base, p) for p in inc):
                return
            if any(fnmatch.fnmatchcase(base, p) for p in o.all("\x02")):
                return
        data = read_or_report(proc, sys, path, err)
        if not isinstance(data, OSError):
            search(path, data)

    try:
        if not files:
            search("(standard input)", proc.stdin)
        for f in files:
            if f == "-":
                search("(standard input)", proc.stdin)
            else:
                walk(f, True)
    except _Done:
        return 0
    if state["errors"] and not (quiet and state["matched"]):
        return 2
    if "L" in o:
        return 0 if state["listed"] else 1
    return 0 if state["matched"] else 1


def _fmt(name: bytes | None, n: int | None, sep: bytes, text: bytes, eol: bytes) -> bytes:
    out = b""
    if name is not None:
        out += name + sep
    if n is not None:
        out += str(n).encode() + sep
    return out + text + (eol if eol == b"\0" else b"\n")
