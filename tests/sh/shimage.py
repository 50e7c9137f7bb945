"""A tiny image and a few stand-in programs for the shell's tests.

The golden snippets (``snippets/*.json``) were recorded by running ``busybox sh -c`` in a
scratch directory; here the same scripts run in emu against an in-memory image with the
same layout. The stand-ins below mimic busybox's applets just enough for the snippets
(``cat``, ``mkdir [-p]``, ``touch``, ``ls [-a]``, ``rm [-f] [-r]``, ``seq``, ``tr``,
``wc -l``, ``sort``, ``head -n``, ``ln -s``), with busybox's messages. They live on a private
:class:`Registry` so the tests do not depend on ``emu.sh.utils``.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emu.fs import FS, Device, Dir, File, Kind, Meta, Symlink
from emu.sh.api import Identity, Proc, Registry
from emu.sh.interp import RunResult

SCRATCH = "/tmp/emush/w"  # the snippets' working directory, on the host and in the image
ENV = {"PATH": "/usr/bin:/bin", "HOME": "/root"}
PROGRAMS = ("cat", "mkdir", "touch", "ls", "rm", "seq", "tr", "wc", "sort", "head", "ln")
PASSWD = (
    b"root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
)

REG = Registry()


def image() -> FS:
    """``/bin/sh``, the stand-ins, ``/etc/passwd``, ``/root`` and the scratch directory."""
    fs = FS()
    for d in ("/bin", "/usr/bin", "/etc", "/root", "/tmp", SCRATCH):
        fs.makedirs(d)
    fs.set_meta("/tmp", Meta(0o1777))
    fs.write_file("/bin/sh", b"\x7fELF", Meta(0o755))
    for name in PROGRAMS:
        fs.write_file(f"/bin/{name}", b"\x7fELF", Meta(0o755))
    fs.write_file("/etc/passwd", PASSWD)
    fs.makedirs("/dev")
    fs.put("/dev/null", Device(Meta(0o666), Kind.CHAR, 1, 3))
    return fs


def listing(fs: FS, top: str = SCRATCH) -> list[list[str]]:
    """What is under ``top``: ``[path, "d"]``, ``[path, "f", text]``, ``[path, "l", target]``."""
    out: list[list[str]] = []
    for path, node in fs.walk(top):
        rel = path[len(top) + 1 :]
        if isinstance(node, Dir):
            out.append([rel, "d"])
        elif isinstance(node, Symlink):
            out.append([rel, "l", node.target])
        elif isinstance(node, File):
            out.append([rel, "f", (node.data or b"").decode("utf-8", "replace")])
    return out


ROOT = Identity()


def recorded(folder: Path) -> list[Any]:
    """The recorded cases of ``folder/*.json`` as test parameters (``topic/name``); a
    case recorded with a ``gap`` (why emu does not match it yet) is expected to fail."""
    out = []
    for path in sorted(folder.glob("*.json")):
        for case in json.loads(path.read_text()):
            marks = []
            if case.get("gap"):
                marks.append(pytest.mark.xfail(reason=case["gap"], strict=True))
            out.append(pytest.param(case, id=f"{path.stem}/{case['name']}", marks=marks))
    return out


def outcome(r: RunResult, fs: FS) -> dict[str, Any]:
    """What a run did, as a recording holds it."""
    return {
        "status": r.status,
        "stdout": r.stdout.decode("utf-8", "surrogateescape"),
        "stderr": r.stderr.decode("utf-8", "surrogateescape"),
        "files": listing(fs),
    }


def compare(got: dict[str, Any], case: dict[str, Any]) -> None:
    """A run against its recording (stderr not compared where it was not stable)."""
    want = {k: case[k] for k in ("status", "stdout", "stderr", "files")}
    if want["stderr"] is None:
        got["stderr"] = None
    assert got == want


def _args(proc: Proc, flags: str) -> tuple[set[str], list[str]]:
    opts: set[str] = set()
    rest: list[str] = []
    it: Iterator[str] = iter(proc.argv[1:])
    for a in it:
        if a.startswith("-") and len(a) > 1 and all(c in flags for c in a[1:]):
            opts.update(a[1:])
        else:
            rest.append(a)
    return opts, rest


@REG.register("cat")
def cat(proc: Proc) -> int:
    _, files = _args(proc, "")
    if not files:
        proc.out(proc.stdin)
        return 0
    st = 0
    for f in files:
        if f == "-":
            proc.out(proc.stdin)
            continue
        node = proc.fs.lookup(proc.path(f))
        if isinstance(node, Device):
            continue
        if isinstance(node, Dir):
            proc.err("read error: Is a directory")
            st = 1
        elif not isinstance(node, File):
            proc.err(f"can't open '{f}': No such file or directory")
            st = 1
        else:
            proc.out(node.data or b"")
    return st


@REG.register("echo")
def echo(proc: Proc) -> int:
    proc.out(" ".join(proc.argv[1:]) + "\n")
    return 0


@REG.register("mkdir")
def mkdir(proc: Proc) -> int:
    opts, dirs = _args(proc, "p")
    st = 0
    for d in dirs:
        path = proc.path(d)
        if "p" in opts:
            proc.fs.makedirs(path)
            continue
        node = proc.fs.lookup(path)
        parent = proc.fs.lookup(posixpath.dirname(path))
        if node is not None:
            proc.err(f"can't create directory '{d}': File exists")
            st = 1
        elif not isinstance(parent, Dir):
            proc.err(f"can't create directory '{d}': No such file or directory")
            st = 1
        else:
            proc.fs.mkdir(path)
    return st


@REG.register("touch")
def touch(proc: Proc) -> int:
    _, files = _args(proc, "")
    for f in files:
        path = proc.path(f)
        if proc.fs.lookup(path) is None:
            proc.fs.write_file(path, b"")
    return 0


@REG.register("ls")
def ls(proc: Proc) -> int:
    opts, names = _args(proc, "a1")
    st = 0
    files: list[str] = []
    dirs: list[str] = []
    for n in names or ["."]:
        node = proc.fs.lookup(proc.path(n))
        if node is None:
            proc.err(f"{n}: No such file or directory")
            st = 1
        elif isinstance(node, Dir):
            dirs.append(n)
        else:
            files.append(n)
    for f in sorted(files):
        proc.out(f + "\n")
    for k, d in enumerate(sorted(dirs)):
        if len(names) > 1:
            proc.out(("\n" if files or k else "") + d + ":\n")
        entries = proc.fs.listdir(proc.path(d))
        if "a" in opts:
            entries = [".", "..", *entries]
        for e in entries:
            if e.startswith(".") and "a" not in opts:
                continue
            proc.out(e + "\n")
    return st


@REG.register("rm")
def rm(proc: Proc) -> int:
    opts, files = _args(proc, "fr")
    st = 0
    for f in files:
        path = proc.path(f)
        node = proc.fs.lookup(path, follow=False)
        if node is None:
            if "f" not in opts:
                proc.err(f"can't remove '{f}': No such file or directory")
                st = 1
        elif isinstance(node, Dir) and "r" not in opts:
            proc.err(f"'{f}' is a directory")
            st = 1
        else:
            proc.fs.remove(path, recursive=True)
    return st


@REG.register("ln")
def ln(proc: Proc) -> int:
    opts, args = _args(proc, "s")
    if "s" not in opts or len(args) != 2:
        proc.err("only ln -s TARGET NAME is stood in for")
        return 1
    proc.fs.symlink(proc.path(args[1]), args[0])
    return 0


@REG.register("seq")
def seq(proc: Proc) -> int:
    nums = [int(a) for a in proc.argv[1:]]
    first, last = (1, nums[0]) if len(nums) == 1 else (nums[0], nums[1])
    proc.out("".join(f"{i}\n" for i in range(first, last + 1)))
    return 0


def _expand_set(s: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(s):
        if i + 2 < len(s) and s[i + 1] == "-":
            out.extend(chr(c) for c in range(ord(s[i]), ord(s[i + 2]) + 1))
            i += 3
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


@REG.register("tr")
def tr(proc: Proc) -> int:
    a, b = _expand_set(proc.argv[1]), _expand_set(proc.argv[2])
    b = b + b[-1:] * (len(a) - len(b))
    proc.out(proc.stdin.decode().translate(str.maketrans(a, b[: len(a)])))
    return 0


@REG.register("wc")
def wc(proc: Proc) -> int:
    lines = proc.stdin.count(b"\n")
    proc.out(f"{lines}\n")
    return 0


@REG.register("sort")
def sort(proc: Proc) -> int:
    lines = proc.stdin.decode().splitlines()
    proc.out("".join(line + "\n" for line in sorted(lines)))
    return 0


@REG.register("head")
def head(proc: Proc) -> int:
    n = int(proc.argv[2]) if len(proc.argv) > 2 and proc.argv[1] == "-n" else 10
    lines = proc.stdin.split(b"\n")
    proc.out(b"\n".join(lines[:n]) + (b"\n" if len(lines) > n else b""))
    return 0


def bash_image() -> FS:
    """The layout the bash recordings were made in (a merged-/usr Debian): the stand-ins
    and ``bash`` in ``/usr/bin``, ``/bin`` a link to it, ``/bin/sh`` dash."""
    fs = FS()
    for d in ("/usr/bin", "/etc", "/root", "/tmp", SCRATCH):
        fs.makedirs(d)
    fs.set_meta("/tmp", Meta(0o1777))
    fs.put("/bin", Symlink(Meta(0o777), "usr/bin"))
    for name in (*PROGRAMS, "echo", "bash", "dash"):
        fs.write_file(f"/usr/bin/{name}", b"\x7fELF", Meta(0o755))
    fs.put("/usr/bin/sh", Symlink(Meta(0o777), "dash"))
    fs.write_file("/etc/passwd", PASSWD)
    fs.makedirs("/dev")
    fs.put("/dev/null", Device(Meta(0o666), Kind.CHAR, 1, 3))
    return fs
