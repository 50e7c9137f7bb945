"""The contract between the shell, the programs it runs and the filesystem they see.

The shell (``emu.sh.interp``) runs programs; a program is a Python *handler* registered
by name that gets a :class:`Proc` — its argv, environment, working directory, identity,
standard streams and the in-memory filesystem (:class:`emu.fs.FS`) — and returns an exit
status, like a process. Nothing here touches the host: there is no host filesystem, no
subprocess and no network, only the image tree. The shell knows nothing about Docker.
"""

from __future__ import annotations

import errno as _errno
import functools
import importlib
import os
import posixpath
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Final, Protocol

from emu.errors import EmuError

# The shell's own errors (defined with the others in emu.errors), for its programs.
from emu.errors import LimitExceeded as LimitExceeded
from emu.errors import ShellError as ShellError
from emu.fs import FS, Dir, File, FsError, Node, Symlink
from emu.fs.tree import split
from emu.pos import Position
from emu.records import field, record


def _over(limit: str, value: int) -> LimitExceeded:
    return LimitExceeded(limit, value, f"raise the limit ({limit}) if the work is genuine")


@record(slots=True)
class Limits:
    """Resource limits of one RUN (the counters are filled in as it runs)."""

    max_steps: int = 1_000_000  # commands and loop iterations
    max_output: int = 16 * 1024 * 1024  # bytes written to stdout + stderr
    max_files: int = 500_000  # files and directories created
    max_bytes: int = 4 * 1024**3  # bytes of file content written
    max_depth: int = 200  # nested functions, subshells, substitutions
    deadline: float | None = None  # time.monotonic() value after which the run stops
    max_seconds: float = 0.0  # what the deadline stands for, for the message
    steps: int = 0
    output: int = 0
    files: int = 0
    bytes: int = 0
    depth: int = 0

    def step(self) -> None:
        self.steps += 1
        if self.steps > self.max_steps:
            raise LimitExceeded("max_steps", self.max_steps, "an endless loop?")
        if self.deadline is not None and self.steps & 15 == 0:
            self.check_time()

    @contextmanager
    def nested(self) -> Iterator[None]:
        """One level deeper (a function call, subshell or nested shell) while it runs."""
        self.depth += 1
        if self.depth > self.max_depth:
            self.depth -= 1
            raise LimitExceeded("max_depth", self.max_depth, "runaway recursion?")
        try:
            yield
        finally:
            self.depth -= 1

    def check_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise LimitExceeded("max_seconds", self.max_seconds, "the build ran too long")

    def wrote(self, n: int) -> None:
        self.output += n
        if self.output > self.max_output:
            raise _over("max_output", self.max_output)

    def created(self, n: int = 1) -> None:
        self.files += n
        if self.files > self.max_files:
            raise _over("max_files", self.max_files)

    def held(self, n: int) -> None:
        """A string of ``n`` bytes the shell or a utility is about to hold (a variable, an
        awk string, sed's hold space, a formatted number): string data counts against the
        byte limit with the file content written so far, so no string can grow past it."""
        if self.bytes + n > self.max_bytes:
            raise _over("max_bytes", self.max_bytes)

    def stored(self, n: int) -> None:
        self.bytes += n
        if self.bytes > self.max_bytes:
            raise _over("max_bytes", self.max_bytes)


# The shell recurses in Python for nested functions, subshells and nested syntax (a few
# frames per level; its own depth limits stop them long before this); Python's stack may
# be this deep only while a shell runs or parses.
_SHELL_STACK: Final = 20_000
_stack_lock = threading.Lock()
_stack_users = 0
_stack_before = 0


class _ShellStack:
    """Raise Python's recursion limit for the shell while it runs, and put it back after
    (the host process's limit is the host's: ``emu.build`` leaves it as it found it).
    Re-entrant and shared between threads: the last one out restores it. (A class, not a
    generator: every RUN enters it twice.)"""

    __slots__ = ()

    def __enter__(self) -> None:
        global _stack_users, _stack_before
        with _stack_lock:
            if _stack_users == 0:
                _stack_before = sys.getrecursionlimit()
            _stack_users += 1
            if sys.getrecursionlimit() < _SHELL_STACK:
                sys.setrecursionlimit(_SHELL_STACK)

    def __exit__(self, *exc: object) -> None:
        global _stack_users
        with _stack_lock:
            _stack_users -= 1
            if _stack_users == 0:
                sys.setrecursionlimit(_stack_before)


_SHELL_STACK_GUARD: Final = _ShellStack()


def shell_stack() -> AbstractContextManager[None]:
    """The context in which the shell runs or parses (see :class:`_ShellStack`)."""
    return _SHELL_STACK_GUARD


@record(frozen=True, slots=True)
class Identity:
    """Who a process runs as."""

    uid: int = 0
    gid: int = 0
    groups: tuple[int, ...] = ()
    name: str = "root"


class Endless(bytes):
    """The start of an endless stream (``yes``, ``/dev/zero``): what a reader got of it, all
    repetitions of ``unit``, which goes on forever after it. Pipeline stages run one after
    the other, so a writer gives only so much (see ``endless`` in the utilities); a reader
    that wants more (``yes | head -c N``) makes it with :func:`endless_prefix`."""

    unit: bytes

    def __new__(cls, data: bytes, unit: bytes) -> Endless:
        self = super().__new__(cls, data)
        self.unit = unit
        return self


def endless_prefix(data: bytes, n: int, limits: Limits) -> bytes:
    """The first ``n`` bytes of the stream ``data`` starts: made from its unit past what was
    read when it is :class:`Endless` (held data: under the byte limit), else cut from it."""
    if n <= len(data) or not isinstance(data, Endless) or not data.unit:
        return data[:n]
    limits.held(n)
    return (data.unit * (n // len(data.unit) + 1))[:n]


class Stream:
    """An in-memory output stream (stdout/stderr) that counts against the output limit.
    ``endless`` is set by a writer whose output never ends (the unit it repeats)."""

    __slots__ = ("_chunks", "_limits", "endless")

    def __init__(self, limits: Limits | None = None) -> None:
        self._chunks: list[bytes] = []
        self._limits = limits
        self.endless: bytes | None = None

    def write(self, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        if not data:
            return
        if self._limits is not None:
            self._limits.wrote(len(data))
        self._chunks.append(data)

    def getvalue(self) -> bytes:
        return b"".join(self._chunks)


class Runner(Protocol):
    """What lets a program run other programs (``xargs``, ``find -exec``, ``env cmd``)."""

    def run_argv(self, proc: Proc, argv: list[str], stdin: bytes | None = None) -> int: ...


R_OK, W_OK, X_OK = 4, 2, 1


def access(fs: FS, path: str, ident: Identity, mode: int) -> bool:
    """POSIX access(2) against the image: root bypasses r/w, and x needs one x bit."""
    node = fs.lookup(path)
    if node is None:
        return False
    return allowed(node, ident, mode)


def allowed(node: Node, ident: Identity, mode: int) -> bool:
    perm = node.meta.mode
    if ident.uid == 0:
        if mode & X_OK and not isinstance(node, Dir):
            return bool(perm & 0o111)
        return True
    if node.meta.uid == ident.uid:
        bits = (perm >> 6) & 7
    elif node.meta.gid == ident.gid or node.meta.gid in ident.groups:
        bits = (perm >> 3) & 7
    else:
        bits = perm & 7
    return bits & mode == mode


def user_path(cwd: str, p: str) -> str:
    """A user's path made absolute against ``cwd`` but not resolved: ``..`` is left for
    the resolver, which follows symlinks (``link/..`` is not ``.``)."""
    if p.startswith("/"):
        return p
    cwd = cwd.rstrip("/")
    return f"{cwd}/{p}" if p else (cwd or "/")


def _oserr(code: int, path: str) -> OSError:
    return OSError(code, os.strerror(code), path)


def check_search(fs: FS, ident: Identity, cwd: str, path: str) -> None:
    """Search (x) permission on every directory leading to ``path`` (EACCES if one lacks
    it); root passes everywhere."""
    if _search_denied(fs, ident, cwd, path):
        raise _oserr(_errno.EACCES, path)


def _search_denied(fs: FS, ident: Identity, cwd: str, path: str) -> bool:
    if ident.uid == 0:
        return False
    try:
        parts = fs._resolve(user_path(cwd, path), False)[0]
    except FsError:
        return False
    node: Node = fs.root
    for name in parts[:-1]:
        if not isinstance(node, Dir):
            return False
        if not allowed(node, ident, X_OK):
            return True
        nxt = node.entries.get(name)
        if nxt is None:
            return False
        node = nxt
    return isinstance(node, Dir) and bool(parts) and not allowed(node, ident, X_OK)


def lookup_as(fs: FS, ident: Identity, cwd: str, path: str, follow: bool = True) -> Node:
    """``stat`` (``lstat`` without ``follow``) of a user's path as ``ident`` makes it,
    failing with the OSError Linux gives: ENOENT, ENOTDIR (also for ``file/``), EACCES."""
    found = stat_as(fs, ident, cwd, path, follow)
    if isinstance(found, int):
        raise _oserr(found, path)
    return found


def stat_as(fs: FS, ident: Identity, cwd: str, path: str, follow: bool = True) -> Node | int:
    """:func:`lookup_as` without raising: the node, or the errno Linux gives (a missing
    path is an everyday answer, and an exception costs more than the lookup)."""
    where = user_path(cwd, path)
    try:
        node = fs.lookup(where, follow)
    except FsError as e:
        return e.errno
    if node is None:
        return _missing_code(fs, where)
    if path.endswith("/") and not isinstance(node, Dir):
        return _errno.ENOTDIR
    if ident.uid != 0 and _search_denied(fs, ident, cwd, path):
        return _errno.EACCES
    return node


def _missing_code(fs: FS, abspath: str) -> int:
    """Why a path is missing: a file where a directory is expected says ENOTDIR, like the
    kernel; anything else ENOENT."""
    parts = split(abspath)
    node: Node | None = fs.root
    for i, name in enumerate(parts):
        if name == "..":
            return _errno.ENOENT
        if not isinstance(node, Dir):
            return _errno.ENOTDIR
        nxt = node.entries.get(name)
        if isinstance(nxt, Symlink):
            nxt = fs.lookup("/" + "/".join(parts[: i + 1]))
        node = nxt
        if node is None:
            return _errno.ENOENT
    return _errno.ENOENT


@record(slots=True)
class Proc:
    """A running program: everything a handler may use."""

    argv: list[str]
    env: dict[str, str]
    cwd: str
    fs: FS
    ident: Identity
    stdin: bytes
    stdout: Stream
    stderr: Stream
    limits: Limits
    runner: Runner | None = None
    pos: Position | None = None  # where in the script it was started

    @property
    def name(self) -> str:
        return posixpath.basename(self.argv[0]) if self.argv else ""

    def path(self, p: str) -> str:
        """``p`` made absolute against the working directory (not resolved)."""
        return posixpath.normpath(posixpath.join(self.cwd, p)) if p else self.cwd

    def err(self, message: str) -> None:
        """``name: message`` on stderr, as busybox applets report."""
        self.stderr.write(f"{self.name}: {message}\n")

    def out(self, text: str | bytes) -> None:
        self.stdout.write(text)

    def can(self, path: str, mode: int) -> bool:
        return access(self.fs, self.path(path), self.ident, mode)

    def run(self, argv: list[str], stdin: bytes | None = None) -> int:
        if self.runner is None:
            self.err("cannot run other programs here")
            return 127
        return self.runner.run_argv(self, argv, stdin)


Handler = Callable[[Proc], int]


@record(slots=True)
class Registry:
    """Programs by name; the interpreter looks a command up here after finding it in PATH."""

    handlers: dict[str, Handler] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # name → "modelled: …" etc.
    # Imports that register more programs, run on the first miss (keeps start-up cheap).
    loaders: list[Callable[[], object]] = field(default_factory=list)
    # name → the module whose import registers it: a RUN that calls mkdir and cp imports
    # the module of file utilities, not awk's or tar's (see emu.sh.utils._index).
    lazy: dict[str, str] = field(default_factory=dict)

    def register(self, *names: str, note: str = "") -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            for n in names:
                self.handlers[n] = fn
                if note:
                    self.notes[n] = note
            return fn

        return deco

    def get(self, name: str) -> Handler | None:
        h = self.handlers.get(name)
        if h is None and name in self.lazy:
            self.load_module(self.lazy[name])
            h = self.handlers.get(name)
        if h is None and (self.loaders or self.lazy):
            self.load_all()
            h = self.handlers.get(name)
        return h

    def load_module(self, module: str) -> None:
        """Import a module of utilities; what was registered before it stays (the tool
        models and a --tools file replace utilities, whichever was imported first)."""
        kept = {n: self.handlers[n] for n in self.lazy if n in self.handlers}
        importlib.import_module(module)  # (and the modules it imports, which register too)
        self.handlers.update(kept)
        for n in [n for n, m in self.lazy.items() if m in sys.modules]:
            del self.lazy[n]

    def load_all(self) -> None:
        for module in sorted(set(self.lazy.values())):
            self.load_module(module)
        while self.loaders:
            self.loaders.pop()()

    def names(self) -> list[str]:
        self.load_all()
        return sorted(self.handlers)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())


REGISTRY = Registry()
program = REGISTRY.register


def find_executable(fs: FS, name: str, path_var: str, ident: Identity) -> str | None:
    """Where ``name`` is found through ``$PATH`` in the image (None if nowhere)."""
    found = find_program(fs, name, path_var, ident)
    return found[0] if found is not None else None


def find_program(fs: FS, name: str, path_var: str, ident: Identity) -> tuple[str, File] | None:
    """:func:`find_executable`, with the file found there."""
    if "/" in name:
        node = fs.lookup(name)
        return (name, node) if isinstance(node, File) and allowed(node, ident, X_OK) else None
    for d in path_dirs(path_var):
        # Each directory is found once and the name looked up in it: most of $PATH is
        # missing directories or misses, and a hit that is a symlink (/bin/ls -> busybox)
        # is the only one resolved from the root.
        try:
            where = fs.lookup(d)
        except EmuError:
            continue
        if not isinstance(where, Dir):
            continue
        node = where.entries.get(name)
        if node is None:
            continue
        candidate = f"{d}{name}" if d.endswith("/") else f"{d}/{name}"
        if isinstance(node, Symlink):
            try:
                node = fs.lookup(candidate)
            except EmuError:
                continue
        if isinstance(node, File) and allowed(node, ident, X_OK):
            return candidate, node
    return None


@functools.lru_cache(maxsize=64)
def path_dirs(path_var: str) -> tuple[str, ...]:
    """``$PATH``'s directories in order (an empty entry is the current directory)."""
    return tuple(d or "." for d in path_var.split(":"))


@functools.lru_cache(maxsize=64)
def path_is_absolute(path_var: str) -> bool:
    """Whether every directory of ``$PATH`` is absolute (none is found from the cwd)."""
    return all(d.startswith("/") for d in path_dirs(path_var))


def handler_for(fs: FS, name: str, found: str, registry: Registry = REGISTRY) -> Handler | None:
    """The handler for a command: by its name, else by what its symlink resolves to
    (``/bin/ls -> busybox``)."""
    h = registry.get(posixpath.basename(name))
    if h is not None:
        return h
    node = fs.lookup(found, follow=False)
    if isinstance(node, Symlink):
        target = fs.realpath(found)
        return registry.get(posixpath.basename(target))
    return None
