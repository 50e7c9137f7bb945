"""What every build-tool model shares.

A model is a handler (:mod:`emu.sh.api`) that reads the project in the image, writes its
results with realistic sizes (size-only :class:`~emu.fs.Blob` files for binaries and
dependency trees), fails like the real tool when inputs are missing, and says on stdout that
its result is *modelled* (``emu: modelled npm install (24 packages, 38.1 MB)``).

Here: :class:`ToolError` (a tool's own failure text and exit status), the :func:`tool`
decorator that registers a handler and turns errors into statuses, :func:`parses` that
hands a handler its options parsed (:class:`emu.sh.options.Syntax`) and answers
``--version``, :class:`Writer` (writes as the process's user, with Linux permission
checks), reading helpers, the package data loader (``data/*.yaml``), sizes, stable hashes
and running child commands.
"""

from __future__ import annotations

import base64
import dataclasses
import errno as _errno
import hashlib
import json
import posixpath
import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from emu.fs import FS, Blob, Dir, File, FsError, Lazy, Meta, Node, Symlink
from emu.sh.api import W_OK, X_OK, LimitExceeded, Proc, allowed, find_executable, program
from emu.sh.options import Opts, Syntax

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

Handler = Callable[[Proc], int]
OptsHandler = Callable[[Proc, Opts], int]  # a model whose options are parsed for it
Version = str | Callable[[Proc], str]


class ToolError(Exception):
    """A tool's failure: ``message`` is printed to stderr as is, ``code`` is the status."""

    def __init__(self, message: str = "", code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class Denied(OSError):
    """EACCES while writing ``path`` (the process's user may not write there)."""

    def __init__(self, path: str, op: str = "open") -> None:
        super().__init__(_errno.EACCES, "Permission denied", path)
        self.op = op


def tool(*names: str, note: str = "") -> Callable[[Handler], Handler]:
    """Register ``fn`` under ``names``; errors become the exit statuses real tools use."""

    def deco(fn: Handler) -> Handler:
        def run(proc: Proc) -> int:
            try:
                return fn(proc)
            except ToolError as exc:
                if exc.message:
                    msg = exc.message
                    proc.stderr.write(msg if msg.endswith("\n") else msg + "\n")
                return exc.code
            except Denied as exc:
                proc.err(f"{exc.op} {exc.filename}: Permission denied")
                return 1
            except FsError as exc:
                proc.err(str(exc))
                return 1
            except LimitExceeded:
                raise

        run.__name__ = fn.__name__
        run.__doc__ = fn.__doc__
        return program(*names, note=note or "modelled build tool")(run)

    return deco


def parses(syntax: Syntax, *, version: Version | None = None) -> Callable[[OptsHandler], Handler]:
    """``fn(proc, opts)`` gets the arguments parsed with ``syntax``; with ``version`` the
    model answers ``--version`` (the key ``syntax`` gives it) with that line, or what
    ``version(proc)`` says. Put it under :func:`tool`."""

    def deco(fn: OptsHandler) -> Handler:
        def run(proc: Proc) -> int:
            o = syntax.parse(proc.argv[1:])
            if version is not None and "--version" in o:
                proc.out((version if isinstance(version, str) else version(proc)) + "\n")
                return 0
            return fn(proc, o)

        run.__name__ = fn.__name__
        run.__doc__ = fn.__doc__
        return run

    return deco


# --- the clock, sizes, hashes --------------------------------------------------------------


def now(proc: Proc) -> int:
    """The deterministic clock: ``$SOURCE_DATE_EPOCH`` or 0 (builds must be reproducible)."""
    try:
        return int(proc.env.get("SOURCE_DATE_EPOCH", "0"))
    except ValueError:
        return 0


_UNITS = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "k": 1000,
    "mb": 1000**2,
    "m": 1000**2,
    "gb": 1000**3,
    "g": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}
_SIZE = re.compile(r"\s*([0-9][0-9_.]*)\s*([a-zA-Z]*)\s*")


def size_of(value: object) -> int:
    """A size from the YAML data: an int, or text like ``"38 MB"``, ``"316 kB"``, ``"2 MiB"``."""
    if isinstance(value, bool):
        raise ValueError(f"not a size: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    m = _SIZE.fullmatch(str(value))
    if m is None or m.group(2).lower() not in _UNITS:
        raise ValueError(f"not a size: {value!r}")
    return int(float(m.group(1).replace("_", "")) * _UNITS[m.group(2).lower()])


def mb(n: int) -> str:
    """Decimal units as ``docker images`` prints them: ``38.1 MB``, ``912 kB``, ``12 B``."""
    if n >= 1000**3:
        return f"{n / 1000**3:.2f} GB"
    if n >= 1000**2:
        return f"{n / 1000**2:.1f} MB"
    if n >= 1000:
        return f"{n / 1000:.0f} kB"
    return f"{n} B"


def kb(n: int) -> str:
    """apt's ``1,234 kB``."""
    return f"{(n + 999) // 1000:,} kB"


def digest(*parts: object) -> str:
    return hashlib.sha256("\0".join(str(p) for p in parts).encode()).hexdigest()


def short_hash(*parts: object, n: int = 8) -> str:
    """A stable base64url hash like bundlers put in asset names (``index-4sK4E3Wk``)."""
    raw = hashlib.sha256("\0".join(str(p) for p in parts).encode()).digest()
    return base64.urlsafe_b64encode(raw).decode()[:n].replace("-", "D").replace("_", "x")


def modelled(proc: Proc, what: str) -> None:
    """The line that makes clear a result is emu's model, not the real tool's output."""
    proc.out(f"emu: modelled {what}\n")


# --- data -------------------------------------------------------------------------------


@cache
def data(name: str) -> Any:
    """``data/<name>.yaml`` shipped in this package (parsed once per process).

    Read from its JSON twin (kept in step by tests/support/data_json.py): yaml stays in the
    top layer.
    """
    import json
    from importlib import resources

    text = resources.files(__package__ or "emu.sh.tools").joinpath("data", f"{name}.json")
    return json.loads(text.read_text(encoding="utf-8"))


# --- reading the image ---------------------------------------------------------------------


def node_at(proc: Proc, path: str) -> Node | None:
    try:
        return proc.fs.lookup(proc.path(path))
    except FsError:
        return None


def is_file(proc: Proc, path: str) -> bool:
    return isinstance(node_at(proc, path), File)


def is_dir(proc: Proc, path: str) -> bool:
    return isinstance(node_at(proc, path), Dir)


def read_bytes(proc: Proc, path: str) -> bytes | None:
    """The bytes of a regular file (None if missing or size-only)."""
    node = node_at(proc, path)
    if not isinstance(node, File):
        return None
    return node.data


def read_text(proc: Proc, path: str) -> str | None:
    raw = read_bytes(proc, path)
    return None if raw is None else raw.decode("utf-8", "replace")


def listdir(proc: Proc, path: str) -> list[str]:
    node = node_at(proc, path)
    return sorted(node.entries) if isinstance(node, Dir) else []


def walk_files(proc: Proc, top: str, skip: frozenset[str] = frozenset()) -> Iterator[str]:
    """Absolute paths of the regular files under ``top``, sorted, depth first (directories
    named in ``skip`` are not entered; symlinks are not followed)."""
    root = node_at(proc, top)
    if not isinstance(root, Dir):
        return

    def rec(base: str, d: Dir) -> Iterator[str]:
        for name in sorted(d.entries):
            c = d.entries[name]
            p = posixpath.join(base, name)
            if isinstance(c, File):
                yield p
            elif isinstance(c, Dir) and name not in skip:
                yield from rec(p, c)

    yield from rec(proc.path(top), root)


def tree_bytes(node: Node | None) -> tuple[int, int]:
    """(files, bytes) under ``node``."""
    if isinstance(node, File):
        return 1, node.size
    if not isinstance(node, Dir):
        return 0, 0
    files = total = 0
    stack = [node]
    while stack:
        for child in stack.pop().entries.values():
            if isinstance(child, Dir):
                stack.append(child)
            elif isinstance(child, File):
                files += 1
                total += child.size
    return files, total


def find_up(proc: Proc, start: str, names: tuple[str, ...]) -> str | None:
    """The first ``start/name``, ``start/../name``, … that is a file (None if none)."""
    d = proc.path(start)
    while True:
        for n in names:
            p = posixpath.join(d, n)
            if is_file(proc, p):
                return p
        if d == "/":
            return None
        d = posixpath.dirname(d)


def which(proc: Proc, name: str, env: dict[str, str] | None = None) -> str | None:
    env = proc.env if env is None else env
    try:
        return find_executable(proc.fs, name, env.get("PATH", DEFAULT_PATH), proc.ident)
    except FsError:
        return None


def home(proc: Proc) -> str:
    h = proc.env.get("HOME")
    if h:
        return h
    return "/root" if proc.ident.uid == 0 else "/"


def load_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{what}: {exc.msg} at line {exc.lineno} column {exc.colno}") from None


_JSONC_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.S)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def load_jsonc(text: str, what: str) -> Any:
    """JSON with comments and trailing commas (``tsconfig.json``, ``angular.json``)."""

    def keep(m: re.Match[str]) -> str:
        s = m.group(0)
        return s if s.startswith('"') else ""

    stripped = _JSONC_TOKEN.sub(keep, text)
    stripped = _TRAILING_COMMA.sub(r"\1", stripped)
    return load_json(stripped, what)


# --- running other programs --------------------------------------------------------------


def child(
    proc: Proc, argv: list[str], env: dict[str, str] | None = None, cwd: str | None = None
) -> Proc:
    return dataclasses.replace(
        proc,
        argv=list(argv),
        env=dict(proc.env if env is None else env),
        cwd=proc.cwd if cwd is None else cwd,
    )


def run_shell(
    proc: Proc, script: str, env: dict[str, str] | None = None, cwd: str | None = None
) -> int:
    """``sh -c script`` as a child of ``proc`` (with its own environment and directory)."""
    argv = ["sh", "-c", script]
    return child(proc, argv, env, cwd).run(argv)


def run_argv(
    proc: Proc, argv: list[str], env: dict[str, str] | None = None, cwd: str | None = None
) -> int:
    return child(proc, argv, env, cwd).run(argv)


# --- writing the image --------------------------------------------------------------------


class Writer:
    """Writes into the image as the process's user: new files and directories belong to
    it, and creating or replacing needs write permission on the directory, as on Linux."""

    def __init__(self, proc: Proc, *, mtime: int | None = None) -> None:
        self.proc = proc
        self.fs: FS = proc.fs
        self.uid = proc.ident.uid
        self.gid = proc.ident.gid
        self.mtime = now(proc) if mtime is None else mtime
        self.files = 0
        self.bytes = 0

    def _check_dir(self, path: str, op: str) -> None:
        node = self.fs.lookup(path)
        if isinstance(node, Dir) and not allowed(node, self.proc.ident, W_OK | X_OK):
            raise Denied(path, op)

    def meta(self, mode: int) -> Meta:
        return Meta(mode, self.uid, self.gid, self.mtime)

    def dir(self, path: str, mode: int = 0o755) -> str:
        """``mkdir -p``; returns the absolute path."""
        path = self.proc.path(path)
        parts = [p for p in path.split("/") if p]
        cur = "/"
        for part in parts:
            nxt = posixpath.join(cur, part)
            node = self.fs.lookup(nxt)
            if node is None:
                self._check_dir(cur, "mkdir")
                self.fs.mkdir(nxt, self.meta(mode))
                self.proc.limits.created()
                self.files += 1
            elif not isinstance(node, Dir):
                raise FsError(_errno.ENOTDIR, nxt)
            cur = nxt
        return path

    def file(self, path: str, content: bytes | str | Blob | Lazy, mode: int = 0o644) -> str:
        path = self.proc.path(path)
        self.dir(posixpath.dirname(path))
        existing = self.fs.lookup(path)
        if isinstance(existing, Dir):
            raise FsError(_errno.EISDIR, path)
        if existing is None:
            self._check_dir(posixpath.dirname(path), "open")
            self.proc.limits.created()
        elif not allowed(existing, self.proc.ident, W_OK):
            raise Denied(path, "open")
        if isinstance(content, str):
            content = content.encode()
        if isinstance(content, bytes):
            self.proc.limits.stored(len(content))
            self.bytes += len(content)
        else:
            self.bytes += content.size
        meta = existing.meta.with_(mtime=self.mtime) if isinstance(existing, File) else None
        self.fs.put(path, File(meta or self.meta(mode), content), follow_last=True)
        self.files += 1
        return path

    def blob(self, path: str, size: int, label: str, mode: int = 0o644) -> str:
        return self.file(path, Blob(size, label), mode)

    def symlink(self, path: str, target: str) -> str:
        path = self.proc.path(path)
        self.dir(posixpath.dirname(path))
        existing = self.fs.lookup(path, follow=False)
        if existing is not None:
            self.remove(path)
        else:
            self._check_dir(posixpath.dirname(path), "symlink")
        self.fs.symlink(path, target, Meta(0o777, self.uid, self.gid, self.mtime))
        self.proc.limits.created()
        self.files += 1
        return path

    def put_tree(self, path: str, tree: Dir) -> str:
        """Place a whole directory tree (shared, copied lazily by the filesystem)."""
        path = self.proc.path(path)
        self.dir(posixpath.dirname(path))
        self._check_dir(posixpath.dirname(path), "mkdir")
        self.fs.put(path, tree)
        n, size = tree_bytes(tree)
        self.proc.limits.created(n)
        self.files += n
        self.bytes += size
        return path

    def remove(self, path: str) -> bool:
        """``rm -rf path`` (False if there was nothing)."""
        path = self.proc.path(path)
        try:
            node = self.fs.lookup(path, follow=False)
        except FsError:
            return False
        if node is None:
            return False
        self._check_dir(posixpath.dirname(path), "unlink")
        self.fs.remove(path, recursive=True)
        return True


def link_target(proc: Proc, path: str) -> str | None:
    node = proc.fs.lookup(proc.path(path), follow=False)
    return node.target if isinstance(node, Symlink) else None


def exe_mode(path: str) -> int:
    """0755 for binaries and shared libraries, 0644 otherwise (for package file lists)."""
    base = posixpath.basename(path)
    d = posixpath.dirname(path)
    if d.endswith(("/bin", "/sbin", "/libexec")) or "/libexec/" in path or ".so" in base:
        return 0o755
    return 0o644


def can_write(proc: Proc, path: str) -> bool:
    """Whether the process may create entries in directory ``path`` (or its first existing
    ancestor, where ``mkdir -p`` would start)."""
    p = proc.path(path)
    while True:
        node = proc.fs.lookup(p)
        if node is not None:
            return isinstance(node, Dir) and allowed(node, proc.ident, W_OK | X_OK)
        if p == "/":
            return False
        p = posixpath.dirname(p)
