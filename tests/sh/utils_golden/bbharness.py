"""Running emu's utility handlers by hand: an image, a Proc, a Runner, and a listing in
the same shape ``make_utils_golden.py`` records for the real busybox."""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass
from typing import Any

import emu.sh.utils  # noqa: F401  (registers the handlers)
from emu.fs import FS, Blob, Device, Dir, File, Kind, Meta, Node, Symlink
from emu.sh.api import REGISTRY, Identity, Limits, Proc, Stream, find_executable, handler_for

SCRATCH = "/tmp/bbcase.scratch"
ROOT = Identity()


class Runner:
    """Runs a program found through ``$PATH`` in the image (what the shell will do)."""

    def run_argv(self, proc: Proc, argv: list[str], stdin: bytes | None = None) -> int:
        path = find_executable(proc.fs, argv[0], proc.env.get("PATH", "/bin"), proc.ident)
        h = handler_for(proc.fs, argv[0], path) if path else None
        if h is None:
            proc.stderr.write(f"sh: {argv[0]}: not found\n")
            return 127
        child = Proc(
            argv=list(argv),
            env=dict(proc.env),
            cwd=proc.cwd,
            fs=proc.fs,
            ident=proc.ident,
            stdin=proc.stdin if stdin is None else stdin,
            stdout=proc.stdout,
            stderr=proc.stderr,
            limits=proc.limits,
            runner=self,
        )
        proc.limits.step()
        return h(child)


def image(passwd: str = "root:x:0:0:root:/root:/bin/sh\n", group: str = "root:x:0:\n") -> FS:
    """A small image: /bin with every applet (symlinks to a modelled busybox), /etc, /tmp."""
    fs = FS()
    fs.makedirs("/bin")
    fs.makedirs("/etc")
    fs.makedirs("/root", Meta(0o700))
    fs.makedirs("/dev")
    fs.put("/dev/null", Device(Meta(0o666), Kind.CHAR, 1, 3))
    fs.mkdir("/tmp", Meta(0o1777))
    fs.put("/bin/busybox", File(Meta(0o755), Blob(1_000_000, "busybox")))
    for name in REGISTRY.names():
        if name != "busybox" and "/" not in name:
            fs.symlink(f"/bin/{name}", "busybox")
    fs.write_file("/etc/passwd", passwd.encode())
    fs.write_file("/etc/group", group.encode())
    return fs


def setup(fs: FS, base: str, spec: dict[str, Any], mtime: int) -> None:
    """The set-up entries of a golden case, under ``base`` (all with ``mtime``)."""
    fs.makedirs(base, Meta(0o700, 0, 0, mtime))
    for rel, v in spec.items():
        if rel.startswith("@"):
            continue
        path = posixpath.join(base, rel.rstrip("/"))
        for parent in _parents(base, path):
            if fs.lookup(parent) is None:
                fs.mkdir(parent, Meta(0o755, 0, 0, mtime))
        if v is None or rel.endswith("/"):
            v = v or {}
            if fs.lookup(path) is None:
                fs.mkdir(path, Meta(0o755, 0, 0, mtime))
        elif isinstance(v, str):
            fs.put(path, File(Meta(0o644, 0, 0, mtime), v.encode()))
            v = {}
        elif "symlink" in v:
            fs.put(path, Symlink(Meta(0o777, 0, 0, mtime), v["symlink"]))
        elif "link" in v:
            fs.link(posixpath.join(base, v["link"]), path)
        elif "dir" in v:
            if fs.lookup(path) is None:
                fs.mkdir(path, Meta(0o755, 0, 0, mtime))
        else:
            data = bytes.fromhex(v["hex"]) if "hex" in v else v.get("data", "").encode()
            fs.put(path, File(Meta(0o644, 0, 0, mtime), data))
        if isinstance(v, dict) and ({"mode", "uid", "gid"} & v.keys()):
            node = fs.get(path, follow=False)
            m = node.meta
            mode = int(v["mode"], 8) if "mode" in v else m.mode
            fs.set_meta(path, Meta(mode, v.get("uid", 0), v.get("gid", 0), m.mtime), follow=False)
    for rel, t in (spec.get("@mtimes") or {}).items():
        path = posixpath.join(base, rel)
        node = fs.get(path, follow=False)
        fs.set_meta(path, node.meta.with_(mtime=t), follow=False)


def _parents(base: str, path: str) -> list[str]:
    rel = posixpath.relpath(posixpath.dirname(path), base)
    if rel == ".":
        return []
    parts = rel.split("/")
    return [posixpath.join(base, *parts[: i + 1]) for i in range(len(parts))]


@dataclass
class Result:
    status: int
    stdout: bytes
    stderr: bytes

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "surrogateescape")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "surrogateescape")


def run(
    fs: FS,
    argv: list[str],
    stdin: bytes | str = b"",
    *,
    cwd: str = SCRATCH,
    env: dict[str, str] | None = None,
    ident: Identity = ROOT,
    limits: Limits | None = None,
) -> Result:
    """Run one program the way the shell will: found by name in the registry."""
    limits = limits or Limits()
    out, err = Stream(limits), Stream(limits)
    if isinstance(stdin, str):
        stdin = stdin.encode()
    e = {"PATH": "/bin", "TZ": "UTC", "HOME": "/root"}
    e.update(env or {})
    proc = Proc(
        argv=list(argv),
        env=e,
        cwd=cwd,
        fs=fs,
        ident=ident,
        stdin=stdin,
        stdout=out,
        stderr=err,
        limits=limits,
        runner=Runner(),
    )
    h = REGISTRY.get(argv[0])
    assert h is not None, f"no handler for {argv[0]}"
    status = h(proc)
    return Result(status, out.getvalue(), err.getvalue())


def listing(fs: FS, base: str, owners: bool, now: int) -> list[dict[str, Any]]:
    """The golden listing of everything under ``base`` (relative paths)."""
    out: list[dict[str, Any]] = []
    counts: dict[int, int] = {}
    for _, node in fs.walk(base):
        if isinstance(node, File):
            counts[id(node)] = counts.get(id(node), 0) + 1

    def rec(d: Dir, rel: str) -> None:
        for name in sorted(d.entries):
            node: Node = d.entries[name]
            p = f"{rel}/{name}" if rel else name
            e: dict[str, Any] = {"path": p, "mode": f"{node.meta.mode:04o}"}
            if isinstance(node, Symlink):
                e["type"] = "symlink"
                e["target"] = node.target
            elif isinstance(node, Dir):
                e["type"] = "dir"
            elif isinstance(node, File):
                e["type"] = "file"
                e["size"] = node.size
                data = node.data
                e["sha"] = hashlib.sha256(data if data is not None else b"").hexdigest()[:16]
                e["nlink"] = counts.get(id(node), 1)
            else:
                e["type"] = "other"
            if e["type"] != "dir":
                e["mtime"] = "now" if node.meta.mtime >= now - 86400 else node.meta.mtime
            if owners:
                e["uid"], e["gid"] = node.meta.uid, node.meta.gid
            out.append(e)
            if isinstance(node, Dir):
                rec(node, p)

    top = fs.get(base)
    assert isinstance(top, Dir)
    rec(top, "")
    return sorted(out, key=lambda e: e["path"])
