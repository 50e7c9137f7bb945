"""Building untrusted submissions: confinement, limits, and a tripwire under both.

emu never runs what a Dockerfile says on the host — RUN goes through its own shell over an
in-memory tree, ``ADD <url>`` and ``curl`` have no network — so the sandbox is mostly what
emu already is. What this module adds for untrusted input:

* :func:`prepare_context` reads a submission folder without following any link out of it:
  the folder must not be a symlink, the Dockerfile and ``.dockerignore`` are opened with
  ``O_NOFOLLOW`` (a link is refused, not followed), and the folder is counted first
  (``max_context_files``, ``max_context_bytes``), so a million files or a 10 GB file are
  refused before anything is read;
* :func:`sandboxed_build` builds with per-build limits (wall time, shell steps, output,
  files, bytes, nesting depth) and resolves ``FROM`` against emu's catalog only — never the
  local image store, so a submission cannot ``FROM`` an image someone else built;
* :class:`Sandbox` is a tripwire (a :func:`sys.addaudithook` hook, active only inside
  ``with Sandbox(...)`` and only on the thread that entered it): while a submission is built
  and tested, any attempt to open a file for writing, read outside the allowed folders,
  start a process, open a socket or change the host filesystem raises
  :class:`SandboxViolation` and is recorded, even if something caught the exception.
"""

from __future__ import annotations

import contextlib
import functools
import os
import stat
import sys
import sysconfig
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from emu.engine.state import fresh_limits
from emu.errors import BuildError, LimitExceeded, RejectedError, SandboxViolation
from emu.fs.limits import PATH_MAX
from emu.fs.names import printable
from emu.records import record

if TYPE_CHECKING:
    from emu.engine.builder import BuildResult, ImageResolver
    from emu.engine.context import Context
    from emu.grading.model import BuildSettings, SandboxLimits
    from emu.images.image import Image
    from emu.sh.api import Limits


# --- the tripwire --------------------------------------------------------------------------

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_BLOCKED_PREFIXES = (
    "subprocess.",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "os.startfile",
    "os.kill",
    "os.killpg",
    "pty.",
    "socket.",
    "urllib.Request",
    "http.client.",
    "ftplib.",
    "smtplib.",
    "poplib.",
    "imaplib.",
    "nntplib.",
    "telnetlib.",
    "webbrowser.",
    "ctypes.dlopen",
    "os.remove",
    "os.rename",
    "os.rmdir",
    "os.mkdir",
    "os.chmod",
    "os.chown",
    "os.chflags",
    "os.lchown",
    "os.link",
    "os.symlink",
    "os.truncate",
    "os.utime",
    "os.chdir",
    "os.chroot",
    "os.mkfifo",
    "os.mknod",
    "os.setxattr",
    "os.removexattr",
    "shutil.",
    "tempfile.",
    "sqlite3.connect",
)
_active: Sandbox | None = None
_installed = False
_install_lock = threading.Lock()


def _module_roots() -> list[str]:
    """Where Python code and emu's data live: reading there is importing, not escaping."""
    files = tuple(getattr(sys.modules.get(mod), "__file__", None) for mod in ("yaml", "rich"))
    return list(_roots(files))


@functools.lru_cache(maxsize=8)
def _roots(module_files: tuple[str | None, ...]) -> tuple[str, ...]:
    # Found once per set of loaded modules, not per submission (sysconfig is slow to ask).
    roots = {os.path.dirname(os.path.abspath(__file__ + "/.."))}  # the emu package
    paths = sysconfig.get_paths()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        if key in paths:
            roots.add(paths[key])
    for file in module_files:
        if file:
            roots.add(os.path.dirname(file))
    return tuple(sorted(os.path.realpath(r) for r in roots))


def _hook(event: str, args: tuple[object, ...]) -> None:
    if event == "builtins.id":
        return  # harmless, and the commonest event by far (every id() raises it)
    box = _active
    if box is None or box.thread != threading.get_ident() or box.paused:
        return
    if event == "open":
        path, mode, flags = ([*list(args), None, None, None])[:3]
        if isinstance(path, int):
            return  # an already-open descriptor
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        if writes:
            box.refuse(f"open {path!r} for writing")
        box.check_read(path)
    elif event in ("os.listdir", "os.scandir"):
        where = args[0] if args and args[0] is not None else "."
        # Allowed inside the read roots, or as a folder on sys.path (the import system
        # lists those); the cheaper question first: the other resolves every sys.path entry.
        if not box.allows_read(where) and not box.is_import_path(where):
            box.check_read(where)  # (refuses, saying why)
    elif event.startswith(_BLOCKED_PREFIXES):
        box.refuse(f"{event} {_short(args)}")


def _short(args: tuple[object, ...]) -> str:
    text = repr(args)
    return text if len(text) < 120 else text[:117] + "..."


def _install() -> None:
    global _installed
    with _install_lock:
        if not _installed:
            sys.addaudithook(_hook)
            _installed = True


class Sandbox:
    """``with Sandbox([folder]):`` — reads only there (and in Python's own folders), no
    writes, no processes, no network, on this thread. ``violations`` lists every refusal."""

    def __init__(self, read_roots: Iterable[str | os.PathLike[str]] = ()) -> None:
        self.read_roots = tuple(os.path.realpath(os.fspath(r)) for r in read_roots)
        self.module_roots = tuple(_module_roots())
        self.violations: list[str] = []
        self.thread = threading.get_ident()
        self.paused = False
        self._folders: dict[str, str] = {}  # a folder's path -> its realpath (see _realpath)
        self._outer: Sandbox | None = None
        self._bytecode = sys.dont_write_bytecode

    def __enter__(self) -> Sandbox:
        global _active
        _install()
        self.thread = threading.get_ident()
        self._outer = _active
        # An import inside the sandbox must not try to write a .pyc (a refused write).
        self._bytecode = sys.dont_write_bytecode
        sys.dont_write_bytecode = True
        _active = self
        return self

    def __exit__(self, *exc: object) -> None:
        global _active
        _active = self._outer
        sys.dont_write_bytecode = self._bytecode

    def is_import_path(self, path: object) -> bool:
        """Whether ``path`` is a folder on ``sys.path``: the import system lists those to
        find a module (it reads files only below Python's own folders)."""
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str | os.PathLike):
            return False
        self.paused = True
        try:
            real = os.path.realpath(os.fspath(path))
            return any(real == os.path.realpath(p or ".") for p in sys.path if isinstance(p, str))
        finally:
            self.paused = False

    def refuse(self, what: str) -> None:
        message = f"sandbox: refused to {what}"
        self.violations.append(message)
        raise SandboxViolation(message, hint="untrusted builds may not touch the host")

    def allows_read(self, path: object) -> bool:
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str | os.PathLike):
            return False
        self.paused = True  # realpath's own calls are not the submission's
        try:
            real = self._realpath(os.fspath(path))
        finally:
            self.paused = False
        for root in (*self.read_roots, *self.module_roots):
            if real == root or real.startswith(root.rstrip("/") + "/"):
                return True
        return False

    def _realpath(self, path: str) -> str:
        """``os.path.realpath(path)``, the folder above a plain absolute path resolved once
        per sandbox (a submission's files are read from a few folders, and realpath asks the
        kernel about every component of every path): only the last component is looked at
        again, and followed if it is a link."""
        if not path.startswith("/") or any(s in path + "/" for s in ("/./", "/../", "//")):
            return os.path.realpath(path)
        head, tail = path.rsplit("/", 1)
        real_head = self._folders.get(head)
        if real_head is None:
            real_head = self._folders[head] = os.path.realpath(head or "/")
        candidate = f"{real_head.rstrip('/')}/{tail}" if tail else real_head
        return os.path.realpath(candidate) if os.path.islink(candidate) else candidate

    def check_read(self, path: object) -> None:
        if not self.allows_read(path):
            self.refuse(
                f"read {os.fspath(path) if isinstance(path, str | os.PathLike) else path!r}"
                " (outside the submission)"
            )


# --- reading a submission ------------------------------------------------------------------


def _over(limit: str, value: float, what: str) -> LimitExceeded:
    hint = f"the submission is too large to grade; raise {limit} if it is genuine"
    return LimitExceeded(limit, value, hint, stopped=what)


def count_folder(root: str, limits: SandboxLimits | None) -> tuple[int, int]:
    """(entries, bytes) under ``root`` without following links; stops past the limits
    (none with ``limits`` None: ``emu build --sandbox`` checks only what follows).

    It also refuses what a path check cannot see: a path of PATH_MAX bytes or more (no
    system call can name it, so the build could not read it either), and a regular file with
    hard links outside the folder (its content is a file of someone else's, reachable under a
    name inside the submission): every link of a file must be in the folder.
    """
    entries = size = 0
    links: dict[tuple[int, int], tuple[int, int, str]] = {}  # (dev, ino) -> nlink, seen, name
    stack = [root]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                for entry in it:
                    entries += 1
                    if limits is not None and entries > limits.max_context_files:
                        raise _over(
                            "max_context_files",
                            limits.max_context_files,
                            "the submission's folder holds more entries",
                        )
                    if len(os.fsencode(entry.path)) >= PATH_MAX:
                        rel = printable(os.path.relpath(entry.path, root), 80)
                        raise RejectedError(
                            f"a path in the submission is too long: {rel} (Linux's limit is "
                            f"{PATH_MAX - 1} bytes)",
                            hint="paths that long cannot be read or built",
                        )
                    st = entry.stat(follow_symlinks=False)
                    if stat.S_ISDIR(st.st_mode):
                        stack.append(entry.path)
                    elif stat.S_ISREG(st.st_mode):
                        if st.st_nlink > 1:
                            key = (st.st_dev, st.st_ino)
                            _, seen, first = links.get(key, (0, 0, entry.path))
                            links[key] = (st.st_nlink, seen + 1, first)
                        size += st.st_size
                        if limits is not None and size > limits.max_context_bytes:
                            raise _over(
                                "max_context_bytes",
                                limits.max_context_bytes,
                                f"the submission's files weigh more ({printable(entry.name, 80)} "
                                f"alone is {st.st_size} bytes)",
                            )
        except PermissionError:
            raise BuildError(f"cannot read {printable(current, 120)}: permission denied") from None
    for nlink, seen, first in links.values():
        if seen < nlink:
            rel = printable(os.path.relpath(first, root), 80)
            raise RejectedError(
                f"{rel} is a hard link to a file outside the folder ({nlink} links, "
                f"{seen} in it): the sandbox does not read it",
                hint="submit a copy of the file, not a hard link to it",
            )
    return entries, size


def read_inside(root: str, name: str, max_bytes: int, what: str) -> bytes | None:
    """The bytes of ``root/name`` — a regular file inside ``root`` reached without any
    symlink — or None when it does not exist. A link, ``..``, or a non-file is an error."""
    box = _active
    if box is not None:
        box.check_read(root)
        box.paused = True  # the component-by-component walk below is itself the confinement
    try:
        return _read_inside(root, name, max_bytes, what)
    finally:
        if box is not None:
            box.paused = False


def _read_inside(root: str, name: str, max_bytes: int, what: str) -> bytes | None:
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    if name.startswith("/") or ".." in parts or not parts:
        raise RejectedError(f"{what} {name!r} is not a path inside the submission")
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
            # Not blocking on the last one: a FIFO must be refused, not waited on.
            flags |= os.O_NONBLOCK if last else os.O_DIRECTORY
            try:
                nfd = os.open(part, flags, dir_fd=fd)
            except FileNotFoundError:
                return None
            except OSError as exc:
                if os.path.islink(os.path.join(root, *parts[: i + 1])):
                    raise RejectedError(
                        f"{what} {name!r} is a symbolic link; the sandbox does not follow it",
                        hint="submit the file itself, not a link to it",
                    ) from None
                raise BuildError(f"cannot read {what} {name!r}: {exc.strerror}") from None
            os.close(fd)
            fd = nfd
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = "a FIFO" if stat.S_ISFIFO(st.st_mode) else "not a regular file"
            raise BuildError(f"{what} {printable(name, 80)!r} is {kind}: emu does not read it")
        os.set_blocking(fd, True)
        if st.st_size > max_bytes:
            raise _over("max_dockerfile_bytes", max_bytes, f"{what} {name!r} is bigger")
        chunks: list[bytes] = []
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


@record(frozen=True, slots=True)
class Prepared:
    dockerfile: str
    name: str
    context: Context


def prepare_context(
    root: str | os.PathLike[str], settings: BuildSettings, limits: SandboxLimits
) -> Prepared:
    """A submission folder as a build context, read as :mod:`this module <emu.grading.sandbox>`
    says (no links followed out, limits checked before reading)."""
    from emu.engine.context import from_directory

    path = os.fspath(root)
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise BuildError(f"cannot read the submission {path}: {exc.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        raise RejectedError(
            f"the submission {path} is a symbolic link; the sandbox does not follow it"
        )
    if not stat.S_ISDIR(st.st_mode):
        raise BuildError(f"the submission {path} is not a folder")
    count_folder(path, limits)
    raw = read_inside(path, settings.dockerfile, limits.max_dockerfile_bytes, "Dockerfile")
    if raw is None:
        raise BuildError(
            f"no {settings.dockerfile} in the submission",
            hint="the Dockerfile must be at the top of the submission's folder",
        )
    text = raw.decode("utf-8", "surrogateescape")
    ignore = read_inside(path, settings.dockerfile + ".dockerignore", 1 << 20, "ignore file")
    if ignore is None:
        ignore = read_inside(path, ".dockerignore", 1 << 20, ".dockerignore")
    ignore_text = ignore.decode("utf-8", "surrogateescape") if ignore is not None else ""
    ctx = from_directory(path, ignore_text=ignore_text)
    return Prepared(text, settings.dockerfile, ctx)


# --- building ------------------------------------------------------------------------------


def catalog_only(ref: str) -> Image:
    """FROM for untrusted builds: emu's offline catalog, never the local image store."""
    from emu.images import catalog

    image: Image = catalog.lookup(ref)
    return image


def register_programs() -> None:
    """Make sure every emulated program is registered (the shell's utilities and tools)."""
    from emu.sh import utils  # noqa: F401
    from emu.sh.api import REGISTRY

    with contextlib.suppress(ImportError):  # an emu without the build-tool models
        from emu.sh import tools  # noqa: F401
    REGISTRY.load_all()  # the utilities load lazily, per program, elsewhere


def sh_limits(limits: SandboxLimits, deadline: float | None = None) -> Limits:
    """Fresh shell limits (they count as a run goes) under ``limits``, stopping at
    ``deadline`` (a time.monotonic() value) if given."""
    return fresh_limits(limits, deadline, limits.max_seconds)


def sandboxed_build(
    dockerfile: str,
    context: Context,
    settings: BuildSettings,
    limits: SandboxLimits,
    *,
    name: str = "Dockerfile",
    resolve: ImageResolver | None = None,
) -> BuildResult:
    """Build with the limits and the catalog-only resolver; raises EmuError on failure."""
    from emu.dockerfile.instructions import load
    from emu.engine.args import Platform
    from emu.engine.builder import BuildOptions
    from emu.engine.builder import build as engine_build
    from emu.engine.runexec import ShellExecutor

    register_programs()
    deadline = time.monotonic() + limits.max_seconds
    executor = ShellExecutor(
        permissive=settings.permissive,
        limits=sh_limits(limits),
        deadline=deadline,
        max_seconds=limits.max_seconds,
    )
    opts = BuildOptions(
        target=settings.target,
        build_args=dict(settings.build_args),
        platform=Platform(),
        executor=executor,
        resolve_image=resolve or catalog_only,
        limits=sh_limits(limits),
        max_seconds=limits.max_seconds,
    )
    return engine_build(load(dockerfile, name), context, opts)


def python_roots() -> list[str]:
    """The folders :class:`Sandbox` lets Python read (its modules, emu's data)."""
    return _module_roots()


def is_inside(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    real, base = os.path.realpath(path), os.path.realpath(root)
    return real == base or real.startswith(base.rstrip("/") + "/")


__all__ = [
    "LimitExceeded",
    "Prepared",
    "RejectedError",
    "Sandbox",
    "SandboxViolation",
    "catalog_only",
    "count_folder",
    "is_inside",
    "prepare_context",
    "python_roots",
    "read_inside",
    "register_programs",
    "sandboxed_build",
]
