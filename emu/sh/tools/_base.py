"""What every build-tool model shares.

A model is a handler (:mod:`emu.sh.api`) that reads the project in the image, writes its
results with realistic sizes (size-only :class:`~emu.fs.Blob` files for binaries and
dependency trees), fails like the real tool when inputs are missing, and says on stdout that
its result is *modelled* (``emu: modelled npm install (24 packages, 38.1 MB)``).

Here: :class:`ToolError` (a tool's own failure text and exit status), the :func:`tool`
decorator that registers a handler and turns errors into statuses, :func:`parses` that
hands a handler its options parsed (:class:`emu.sh.options.Syntax`) and answers
``--version``, the ``emu: modelled …`` line, running child commands and :class:`Writer`
(writes as the process's user, with Linux permission checks). Reading the image is in
:mod:`._image`; package data, sizes and hashes in :mod:`._data`.
"""

from __future__ import annotations

import errno as _errno
import posixpath
from collections.abc import Callable

from emu.fs import FS, Blob, Dir, File, FsError, Lazy, Meta
from emu.records import replace
from emu.sh import permissive
from emu.sh.api import W_OK, X_OK, LimitExceeded, Proc, allowed, program
from emu.sh.options import Opts, Syntax
from emu.sh.tools._image import node_at, tree_bytes, walk_files

Handler = Callable[[Proc], int]
PLACEHOLDER = permissive.CLONE_PLACEHOLDER
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
                excuse = placeholder_inputs(proc)
                if excuse is not None:
                    # --permissive wrote this tool's inputs as a placeholder (a clone it
                    # could not make): the failure is that, not the tool's
                    proc.stderr.write(permissive.excused_failure(proc.name, excuse))
                    return 0
                why = placeholder_manifest(proc)
                if why is not None:  # its manifest is a placeholder: the same
                    proc.stderr.write(permissive.excused_failure(proc.name, proc.cwd, why))
                    return 0
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


# The manifests and lockfiles the package tools read where they run: under --permissive, one
# that is a placeholder (a COPY --from of a file a stage did not make, a download) explains
# the tool's failure.
MANIFESTS = frozenset({
    "package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
    "go.mod", "go.sum", "Cargo.toml", "Cargo.lock", "requirements.txt", "pyproject.toml",
    "poetry.lock", "uv.lock", "Pipfile", "Pipfile.lock", "Gemfile", "Gemfile.lock",
    "composer.json", "composer.lock", "pom.xml", "build.gradle", "mix.exs", "mix.lock",
})  # fmt: skip


def placeholder_manifest(proc: Proc) -> str | None:
    """Under --permissive, for a build tool that failed: why, when a manifest or lockfile
    in the folder it works in is a placeholder (what it stands for), else None."""
    if not permissive.active():
        return None
    for name in sorted(MANIFESTS):
        node = proc.fs.lookup(posixpath.join(proc.cwd, name))
        data = node.content if isinstance(node, File) else None
        if isinstance(data, bytes) and data.startswith(permissive.MAGIC):
            where = posixpath.join(proc.cwd, name)
            return f"failed on {where}, a placeholder ({permissive.why_of(data)})"
    return None


def placeholder_inputs(proc: Proc) -> str | None:
    """Under --permissive: the placeholder folder (a clone that was not made) this process
    works in or names, if any."""
    if not permissive.active():
        return None
    candidates = [proc.cwd] + [proc.path(a) for a in proc.argv[1:] if a.startswith(("/", "."))
                               or "/" in a]  # fmt: skip
    for path in candidates:
        d = path
        while True:
            if isinstance(proc.fs.lookup(posixpath.join(d, PLACEHOLDER)), File):
                return d
            if d in ("/", ""):
                break
            d = posixpath.dirname(d)
    return None


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


# --- the clock, the modelled line ----------------------------------------------------------


def now(proc: Proc) -> int:
    """The deterministic clock: ``$SOURCE_DATE_EPOCH`` or 0 (builds must be reproducible)."""
    try:
        return int(proc.env.get("SOURCE_DATE_EPOCH", "0"))
    except ValueError:
        return 0


def modelled(proc: Proc, what: str) -> None:
    """The line that makes clear a result is emu's model, not the real tool's output."""
    proc.out(f"emu: modelled {what}\n")


def not_run(proc: Proc, command: str, why: str) -> int:
    """``command`` would run code emu does not run (``why``: "running JavaScript is not
    modelled"): it says so and succeeds; --permissive records it as forgiven."""
    proc.stderr.write(f"emu: not run: {command} ({why})\n")
    permissive.not_run(proc.name, why)
    return 0


def not_modelled(proc: Proc, what: str) -> int:
    """A command the model accepts but does not carry out: it says so and succeeds."""
    modelled(proc, f"{what} (not modelled beyond this line)")
    return 0


def cannot_run(proc: Proc, what: str, code: int = 1) -> int:
    """``what`` runs a program the build made (``go run``, ``cargo run``): emu runs no
    programs. A strict build fails, saying so; --permissive skips that command, warning
    (the program's effects on the image are missing)."""
    message = f"emu: {what} runs a program; running programs is not modelled"
    if permissive.active():
        proc.stderr.write(permissive.excused_failure(proc.name, "", why=message))
        return 0
    raise ToolError(message, code)


def never_ends(what: str, hint: str = "") -> ToolError:
    """``what`` serves until stopped (a dev server, a watcher): in a build the RUN would hang,
    so the model fails instead, saying why."""
    return ToolError(
        f"emu: {what} until stopped; in a real build this RUN would never finish{hint}", 1
    )


# --- running other programs --------------------------------------------------------------


def child(
    proc: Proc, argv: list[str], env: dict[str, str] | None = None, cwd: str | None = None
) -> Proc:
    return replace(
        proc,
        argv=list(argv),
        env=dict(proc.env if env is None else env),
        cwd=proc.cwd if cwd is None else cwd,
    )


def in_dir(proc: Proc, d: str) -> Proc:
    """``proc`` as it goes on in directory ``d`` (``make -C``, ``go build -C``, ``git -C``)."""
    return child(proc, proc.argv, cwd=proc.path(d))


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


def copy_tree(proc: Proc, w: Writer, src: str, dest: str) -> int:
    """Copy the regular files under ``src`` to ``dest`` (``public/``, resources); how many."""
    n = 0
    for f in walk_files(proc, src):
        node = node_at(proc, f)
        if isinstance(node, File):
            w.file(posixpath.join(dest, posixpath.relpath(f, src)), node.content)
            n += 1
    return n


def exe_mode(path: str) -> int:
    """0755 for binaries and shared libraries, 0644 otherwise (for package file lists)."""
    base = posixpath.basename(path)
    d = posixpath.dirname(path)
    if d.endswith(("/bin", "/sbin", "/libexec")) or "/libexec/" in path or ".so" in base:
        return 0o755
    return 0o644
