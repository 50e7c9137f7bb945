"""Comparing files: ``diff`` and ``cmp``.

Two programs answer to each name: busybox's applet (Alpine, busybox images) and GNU
diffutils' (Debian, Ubuntu, Red Hat: an Essential package). Where they differ, the one in
the image decides: busybox ``diff`` writes unified output only, GNU ``diff`` writes the
normal format unless given ``-u``/``-U N``; busybox ``cmp`` says ``char``, GNU ``byte``.
Both exit 0 when the inputs are the same, 1 when they differ, 2 on trouble.
"""

from __future__ import annotations

import difflib
import posixpath
import time

from emu.fs import Dir
from emu.sh.api import Proc
from emu.sh.options import Die, getopt, number
from emu.sh.utils._common import Sys, Unmodelled, applet


def _is_busybox(proc: Proc) -> bool:
    """Whether the program running is busybox's applet (a link to busybox), not GNU's."""
    name = proc.argv[0]
    sys = Sys(proc)
    if "/" not in name:
        for d in proc.env.get("PATH", "/usr/bin:/bin").split(":"):
            if sys.try_stat(posixpath.join(d or ".", name)) is not None:
                name = posixpath.join(d or ".", name)
                break
        else:
            return True  # run as an applet (busybox's standalone shell)
    try:
        return posixpath.basename(proc.fs.realpath(proc.path(name))) == "busybox"
    except Exception:  # a broken link: treat it as busybox's applet
        return True


def _read(proc: Proc, sys: Sys, name: str) -> bytes:
    if name == "-":
        return proc.stdin
    try:
        return sys.read(name)
    except Unmodelled as u:
        raise Die(f"{name}: {u.strerror}", 2) from None
    except OSError as e:
        raise Die(f"{name}: {e.strerror}", 2) from None


def _stamp(sys: Sys, name: str) -> str:
    node = sys.try_stat(name) if name != "-" else None
    mtime = node.meta.mtime if node is not None else sys.time
    return time.strftime("%Y-%m-%d %H:%M:%S.000000000 +0000", time.gmtime(mtime))


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8", "surrogateescape").splitlines(keepends=True)


def _normal(a: list[str], b: list[str]) -> str:
    """GNU diff's normal format: ``2c2``, ``< old``, ``---``, ``> new``."""
    out: list[str] = []

    def rng(lo: int, hi: int) -> str:
        return str(lo + 1) if hi - lo <= 1 else f"{lo + 1},{hi}"

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag == "delete":
            out.append(f"{rng(i1, i2)}d{j1}\n")
        elif tag == "insert":
            out.append(f"{i1}a{rng(j1, j2)}\n")
        else:
            out.append(f"{rng(i1, i2)}c{rng(j1, j2)}\n")
        out += [f"< {_nl(x)}" for x in a[i1:i2]]
        if tag == "replace":
            out.append("---\n")
        out += [f"> {_nl(x)}" for x in b[j1:j2]]
    return "".join(out)


def _nl(line: str) -> str:
    return line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"


def _unified(a: list[str], b: list[str], la: str, lb: str, n: int) -> str:
    out = list(difflib.unified_diff(a, b, la, lb, n=n, lineterm="\n"))
    if not out:
        return ""
    out[0] = f"--- {la}\n"
    out[1] = f"+++ {lb}\n"
    return "".join(_nl(x) if not x.endswith("\n") else x for x in out)


@applet("diff", usage="[-abBdiNqrTstw] [-L LABEL] [-S FILE] [-U LINES] FILE1 FILE2")
def diff(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "abBdiNqrTstwuU:L:S:c",
        {
            "unified=": "U",
            "brief": "q",
            "recursive": "r",
            "new-file": "N",
            "label=": "L",
            "ignore-all-space": "w",
            "ignore-space-change": "b",
            "text": "a",
            "ignore-case": "i",
            "report-identical-files": "s",
            "ignore-blank-lines": "B",
        },
    )
    if len(o.args) != 2:
        raise Die(None, 2, usage=True)
    sys = Sys(proc)
    busybox = _is_busybox(proc)
    unified = busybox or "u" in o or "U" in o
    context = number(o.get("U") or "3")
    labels = o.all("L")
    left, right = o.args
    lnode = sys.try_stat(left) if left != "-" else None
    rnode = sys.try_stat(right) if right != "-" else None
    if isinstance(lnode, Dir) and isinstance(rnode, Dir):
        return _dirs(proc, sys, left, right, o.flags, unified, context)
    if isinstance(lnode, Dir):
        left = posixpath.join(left, posixpath.basename(right))
    elif isinstance(rnode, Dir):
        right = posixpath.join(right, posixpath.basename(left))
    return _files(proc, sys, left, right, o.flags, unified, context, labels)


def _files(
    proc: Proc,
    sys: Sys,
    left: str,
    right: str,
    flags: dict[str, int],
    unified: bool,
    context: int,
    labels: list[str],
) -> int:
    missing_ok = "N" in flags
    da = b"" if missing_ok and sys.try_stat(left) is None else _read(proc, sys, left)
    db = b"" if missing_ok and sys.try_stat(right) is None else _read(proc, sys, right)

    def norm(data: bytes) -> list[str]:
        lines = _lines(data)
        if "w" in flags:
            lines = ["".join(x.split()) + "\n" for x in lines]
        elif "b" in flags:
            lines = [" ".join(x.split()) + "\n" for x in lines]
        if "i" in flags:
            lines = [x.lower() for x in lines]
        if "B" in flags:
            lines = [x for x in lines if x.strip()]
        return lines

    same = norm(da) == norm(db)
    if same:
        if "s" in flags:
            proc.out(f"Files {left} and {right} are identical\n")
        return 0
    if "q" in flags:
        proc.out(f"Files {left} and {right} differ\n")
        return 1
    a, b = _lines(da), _lines(db)
    if unified:
        la = labels[0] if labels else f"{left}\t{_stamp(sys, left)}"
        lb = labels[1] if len(labels) > 1 else f"{right}\t{_stamp(sys, right)}"
        proc.out(_unified(a, b, la, lb, context))
    else:
        proc.out(_normal(a, b))
    return 1


def _dirs(
    proc: Proc, sys: Sys, left: str, right: str, flags: dict[str, int], unified: bool, n: int
) -> int:
    names_a, names_b = set(sys.listdir(left)), set(sys.listdir(right))
    status = 0
    for name in sorted(names_a | names_b):
        proc.limits.check_time()
        pa, pb = posixpath.join(left, name), posixpath.join(right, name)
        if (name not in names_b or name not in names_a) and "N" not in flags:
            where = left if name in names_a else right
            proc.out(f"Only in {where}: {name}\n")
            status = 1
            continue
        na, nb = sys.try_stat(pa), sys.try_stat(pb)
        if isinstance(na, Dir) or isinstance(nb, Dir):
            if isinstance(na, Dir) and isinstance(nb, Dir) and "r" in flags:
                status = max(status, _dirs(proc, sys, pa, pb, flags, unified, n))
            elif isinstance(na, Dir) and isinstance(nb, Dir):
                proc.out(f"Common subdirectories: {pa} and {pb}\n")
            continue
        if not unified and "q" not in flags and _read_or_none(sys, pa) != _read_or_none(sys, pb):
            proc.out(f"diff {pa} {pb}\n")
        status = max(status, _files(proc, sys, pa, pb, flags, unified, n, []))
    return status


def _read_or_none(sys: Sys, path: str) -> bytes | None:
    try:
        return sys.read(path)
    except OSError:
        return None


@applet("cmp", usage="[-ls] [-n NUM] FILE1 [FILE2]")
def cmp(proc: Proc) -> int:
    o = getopt(proc.argv[1:], "lsn:", {"verbose": "l", "silent": "s", "quiet": "s",
                                       "bytes=": "n"})  # fmt: skip
    if not 1 <= len(o.args) <= 4:
        raise Die(None, 2, usage=True)
    sys = Sys(proc)
    left = o.args[0]
    right = o.args[1] if len(o.args) > 1 else "-"
    a, b = _read(proc, sys, left), _read(proc, sys, right)
    if o.get("n") is not None:
        limit = number(o.get("n") or "0")
        a, b = a[:limit], b[:limit]
    word = "char" if _is_busybox(proc) else "byte"
    status = 0
    line = 1
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            if "s" in o:
                return 1
            if "l" in o:
                proc.out(f"{i + 1:>{len(str(len(a)))}} {x:3o} {y:3o}\n")
                status = 1
                continue
            proc.out(f"{left} {right} differ: {word} {i + 1}, line {line}\n")
            return 1
        if x == 0x0A:
            line += 1
    if len(a) != len(b):
        if "s" not in o:
            short = left if len(a) < len(b) else right
            n = min(len(a), len(b))
            proc.stderr.write(f"cmp: EOF on {short} after byte {n}, line {line}\n"
                              if word == "byte" else f"cmp: EOF on {short}\n")  # fmt: skip
        return 1
    return status
