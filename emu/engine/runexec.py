"""RUN through emu's shell: the executor that plugs the shell into the build engine.

Shell form runs the stage's SHELL (``/bin/sh -c``) — which must exist in the image, as in
docker — through :mod:`emu.sh.interp`; exec form runs the program directly. The process
sees the stage's variables, starts in WORKDIR and runs as USER; everything it writes lands
in the stage's filesystem, nothing on the host. ``RUN --mount`` of type cache, tmpfs and
bind is honoured for the duration of the command and leaves no trace in the layer; so are
secret mounts (``docker build --secret``, given to :class:`ShellExecutor` as ``secrets``) and
ssh mounts (``--ssh``: emu has no sockets and no agent, so an empty stand-in).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import posixpath
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from emu.dockerfile.instructions import Run
from emu.engine.state import Skipped, StageState, fresh_limits
from emu.engine.users import resolve_user
from emu.errors import BuildError, EmuError
from emu.fs import FS, Dir, File, Meta, Node, accounts
from emu.pos import Position
from emu.records import field, record

if TYPE_CHECKING:
    from types import ModuleType

    from emu.sh.api import Identity, Limits, Registry
    from emu.sh.interp import RunResult

_TOOLS_HOOKED: list[bool] = []


def shell_stack() -> contextlib.AbstractContextManager[None]:
    """The shell's deeper Python stack while it runs (:func:`emu.sh.api.shell_stack`), for
    the engine and the layers above it."""
    from emu.sh.api import shell_stack as stack  # (the shell loads with the first RUN)

    return stack()


SHELLS = frozenset({"sh", "ash", "bash", "dash", "busybox"})


@record(frozen=True, slots=True)
class RunOutput:
    """What one RUN printed (for progress output and teaching)."""

    line: int
    command: str
    stdout: bytes
    stderr: bytes
    status: int
    notes: tuple[str, ...] = ()


@record(slots=True)
class ShellExecutor:
    """Runs RUN instructions with the emulated shell and the registered programs."""

    permissive: bool = False  # unemulated programs: warn and continue instead of failing
    outputs: list[RunOutput] = field(default_factory=list)
    max_steps: int = 2_000_000
    # Per-RUN maxima (a template) and the whole build's deadline, set by the engine.
    limits: Limits | None = None
    deadline: float | None = None
    max_seconds: float = 0.0
    caches: dict[str, Node] = field(default_factory=dict)  # RUN --mount=type=cache, by id
    # docker build --secret (id -> content), --ssh (the agent ids given), --add-host
    # (name, address): what RUN --mount=type=secret|ssh and /etc/hosts see.
    secrets: Mapping[str, bytes] = field(default_factory=dict)
    ssh: frozenset[str] = frozenset()
    extra_hosts: tuple[tuple[str, str], ...] = ()

    def run(self, st: StageState, inst: Run, argv: tuple[str, ...], env: dict[str, str]) -> None:
        with shell_stack():
            self._run(st, inst, argv, env)

    def _run(self, st: StageState, inst: Run, argv: tuple[str, ...], env: dict[str, str]) -> None:
        # (`import a.b as c`, not `from a import b`: a package's fromlist is resolved by
        # importlib's Python code on every RUN)
        import emu.sh.interp as interp
        import emu.sh.permissive as permissive
        import emu.sh.utils  # noqa: F401  (registers the utilities)
        from emu.sh.api import REGISTRY, LimitExceeded, Limits, find_executable

        if not _TOOLS_HOOKED:
            # The build-tool models load on the first program the utilities lack.
            REGISTRY.loaders.append(lambda: importlib.import_module("emu.sh.tools"))
            _TOOLS_HOOKED.append(True)

        ident = _identity(st, inst.pos)
        cwd = st.config.working_dir or "/"
        if st.fs.lookup(cwd) is None:
            st.fs.makedirs(cwd, Meta(0o755))
        cwd = st.fs.realpath(cwd)  # runc chdirs: a WORKDIR through a symlink is its target
        path_var = env.get("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        program = argv[0] if argv else ""
        found = find_executable(st.fs, program, path_var, ident) if argv else None
        if found is None:
            where = "stat " + program if program.startswith("/") else "exec: " + repr(program)
            raise BuildError(
                f'process "{" ".join(argv)}" did not complete successfully: {where}: no such '
                "file or directory",
                file=st.file,
                pos=inst.pos,
                hint="the image has no such program"
                + ("; FROM scratch has no shell: use exec form or a base with /bin/sh"
                   if program.endswith("sh") else ""),
            )  # fmt: skip
        template = self.limits if self.limits is not None else Limits(self.max_steps)
        limits = fresh_limits(template, self.deadline, self.max_seconds)
        limits.check_time()
        if "HOME" not in env:
            env = {**env, "HOME": _home(st.fs, ident.uid)}
        undo_sandbox = _sandbox_files(st.fs, self.extra_hosts)
        restore, mount_env = _mount(st, inst, self.caches, self.secrets, self.ssh)
        if inst.mounts:
            found = ""  # a mount may have put another program there: the shell looks again
        if mount_env:  # a secret's env= replaces; SSH_AUTH_SOCK only when unset (BuildKit)
            sock = mount_env.pop("SSH_AUTH_SOCK", None)
            env = {**env, **mount_env}
            if sock is not None:
                env.setdefault("SSH_AUTH_SOCK", sock)
        urls = st.sources.url_map() if st.sources is not None else {}
        try:
            # Under --permissive an unemulated program is skipped (that command only) and
            # an unmapped download leaves a placeholder; the session says what was forgiven.
            earlier = st.sources.forgave(st.stage.index) if st.sources is not None else ()
            with permissive.session(self.permissive, bool(st.skipped or earlier)) as forgiven:
                if urls:
                    from emu.sh.tools import urls as _urls  # curl/wget/git read the mapping

                    with _urls.mapped(urls):
                        result = _execute(
                            interp, argv, st, env, cwd, ident, REGISTRY, limits, found
                        )
                else:
                    result = _execute(interp, argv, st, env, cwd, ident, REGISTRY, limits, found)
        except EmuError as exc:
            prefix = f"{inst.source}: " if isinstance(exc, LimitExceeded) else "RUN: "
            raise exc.as_build_failure(st.file, inst.pos, prefix=prefix) from None
        finally:
            restore()
            undo_sandbox()
        notes: list[str] = []
        for item in result.unemulated:
            if getattr(item, "path", None) is None:
                continue  # not in the image at all: a plain "not found", exit 127
            name = getattr(item, "name", str(item))
            message = (
                f"RUN: '{name}' is not emulated (emu emulates {len(REGISTRY.names())} programs: "
                "emu tools)"
            )
            if not self.permissive:
                raise BuildError(message, file=st.file, pos=inst.pos,
                                 hint="--permissive turns this into a warning")  # fmt: skip
            notes.append(f"{message}; --permissive skipped that command (a no-op)")
            st.skipped.append(Skipped(inst.line, "program", name))
        for name, why in forgiven.excused:
            notes.append(f"RUN: '{name}' {why}; --permissive skipped it")
            st.skipped.append(Skipped(inst.line, "program", name))
        for url, where in forgiven.placeholders:
            if where:
                at = "its stdout" if where == "-" else where
                notes.append(f"RUN: no network: a placeholder for {url} stands in at {at}")
            else:
                notes.append(f"RUN: no network: {url} was not downloaded; the build went on")
            st.skipped.append(Skipped(inst.line, "download", url, where))
        self.outputs.append(
            RunOutput(
                inst.line, " ".join(argv), result.stdout, result.stderr, result.status, tuple(notes)
            )
        )
        # The status is the script's own: what --permissive skipped returned 0 and the rest
        # of the script ran, so a failure here is a real one.
        if result.status != 0:
            tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise BuildError(
                f'process "{" ".join(argv)}" did not complete successfully: exit code: '
                f"{result.status}",
                file=st.file,
                pos=inst.pos,
                hint=" / ".join(tail) if tail else None,
            )


def _execute(
    interp: ModuleType,
    argv: tuple[str, ...],
    st: StageState,
    env: dict[str, str],
    cwd: str,
    ident: Identity,
    registry: Registry,
    limits: Limits,
    found: str,
) -> RunResult:
    """A shell (``sh``, ``ash``, ``dash``, ``bash``: SHELL's argv plus the RUN line, or an
    exec-form shell) through the interpreter, which reads the shell's own command line as
    that shell does (``bash -eux -o pipefail -c SCRIPT``, ``ash -xeo pipefail -c``) and
    runs bash in bash mode; anything else as a program."""
    name = posixpath.basename(argv[0])
    if name in SHELLS and name != "busybox" and len(argv) >= 2:
        result: RunResult = interp.run_shell(
            list(argv),
            fs=st.fs,
            env=env,
            cwd=cwd,
            ident=ident,
            registry=registry,
            limits=limits,
            found=found,
        )
        return result
    result = interp.run_argv(
        list(argv),
        fs=st.fs,
        env=env,
        cwd=cwd,
        ident=ident,
        registry=registry,
        limits=limits,
    )
    return result


def _identity(st: StageState, pos: Position) -> Identity:
    """Who RUN runs as: USER resolved against the stage's passwd/group, plus the
    supplementary groups /etc/group gives that user."""
    from emu.sh.api import Identity

    user = st.config.user
    if not user:
        return Identity(0, 0, (), "root")
    try:
        ids = resolve_user(st.fs, user)
    except EmuError as exc:
        raise exc.as_build_failure(st.file, pos) from None
    name, colon, _ = user.partition(":")
    # runc's user lookup (libcontainer GetExecUser) adds the groups /etc/group lists the
    # user in only when USER names no group (`USER app:grp` has none; seen with BuildKit).
    entry = accounts.user_named(st.fs, name)
    if entry is None and (name.isascii() and name.isdigit()):
        entry = accounts.user_with_id(st.fs, int(name))
    member = entry.name if entry is not None else name
    groups = () if colon else accounts.supplementary(st.fs, member)
    return Identity(ids.uid, ids.gid, groups, name)


# What runc gives every RUN (seen with BuildKit): /etc/hosts and /etc/resolv.conf bind
# mounts, a populated /dev, /proc and /sys. The directories stay in the layer as empty
# mount points; the files and device nodes do not.
_HOSTS = b"127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n"
_RESOLV = b"# emu: RUN has no network\n"
_DEV_CHARS = {"full": (1, 7), "null": (1, 3), "ptmx": (5, 2), "random": (1, 8),
              "tty": (5, 0), "urandom": (1, 9), "zero": (1, 5)}  # fmt: skip
_DEV_LINKS = {"fd": "/proc/self/fd", "stderr": "/proc/self/fd/2", "stdin": "/proc/self/fd/0",
              "stdout": "/proc/self/fd/1"}  # fmt: skip


def _home(fs: FS, uid: int) -> str:
    u = accounts.user_with_id(fs, uid)
    return (u.home or "/") if u is not None else "/"


@functools.cache
def _sandbox_dev() -> Dir:
    from emu.fs import Device, Kind, Symlink

    dev = Dir(Meta(0o755))
    for name, (major, minor) in _DEV_CHARS.items():
        dev.entries[name] = Device(Meta(0o666), Kind.CHAR, major, minor)
    for name, target in _DEV_LINKS.items():
        dev.entries[name] = Symlink(Meta(0o777), target)
    for name in ("mqueue", "pts", "shm"):
        dev.entries[name] = Dir(Meta(0o755 if name == "pts" else 0o1777))
    return dev


def _sandbox_files(fs: FS, extra_hosts: tuple[tuple[str, str], ...] = ()) -> Callable[[], None]:
    top = fs.root.entries
    for d in ("dev", "proc", "sys", "etc"):
        if not isinstance(top.get(d), Dir) and fs.lookup(f"/{d}") is None:  # (links followed)
            fs.put(f"/{d}", Dir(Meta(0o755)))
    # --add-host lines follow the sandbox's own, one "ADDRESS<TAB>NAME" each (as BuildKit).
    hosts = _HOSTS + b"".join(f"{ip}\t{name}\n".encode() for name, ip in extra_hosts)
    placed = (
        ("/etc/hosts", File(Meta(0o644), hosts)),
        ("/etc/resolv.conf", File(Meta(0o644), _RESOLV)),
    )
    # One /dev for every RUN: no writer owns it, so a write inside copies it first.
    dev = _sandbox_dev()
    if isinstance(fs.root.entries.get("etc"), Dir) and not fs.readonly:
        # The usual case, /etc a directory: the files go straight into it, and come out
        # of it the same way unless the script replaced /etc or the root.
        etc = fs.writable_dir("/etc")
        root = fs.root
        edits = [(etc, "hosts", etc.entries.get("hosts")),
                 (etc, "resolv.conf", etc.entries.get("resolv.conf")),
                 (root, "dev", root.entries.get("dev"))]  # fmt: skip
        etc.entries["hosts"], etc.entries["resolv.conf"] = placed[0][1], placed[1][1]
        root.entries["dev"] = dev

        def undo_in_place() -> None:
            moved = fs.root is not root or root.entries.get("etc") is not etc
            if moved or not (fs.owns(root) and fs.owns(etc)):
                _undo(fs, [("/etc/hosts", edits[0][2]), ("/etc/resolv.conf", edits[1][2]),
                           ("/dev", edits[2][2])])  # fmt: skip
                return
            for d, name, before in reversed(edits):
                if before is None:
                    d.entries.pop(name, None)
                else:
                    d.entries[name] = before

        return undo_in_place
    saved: list[tuple[str, Node | None]] = []
    for path, node in (*placed, ("/dev", dev)):
        saved.append((path, fs.lookup(path, follow=False)))
        fs.put(path, node)
    return lambda: _undo(fs, saved)


def _undo(fs: FS, saved: list[tuple[str, Node | None]]) -> None:
    """Put back what the sandbox's files replaced (by path: the script may have moved things)."""
    for path, before in reversed(saved):
        if before is None:
            if fs.lookup(path, follow=False) is not None:
                fs.remove(path, recursive=True)
        else:
            fs.put(path, before)


def _mount(
    st: StageState,
    inst: Run,
    caches: dict[str, Node],
    secrets: Mapping[str, bytes] | None = None,
    ssh: frozenset[str] = frozenset(),
) -> tuple[Callable[[], None], dict[str, str]]:
    """Apply RUN --mount for the command; returns the function that undoes it and the
    variables the mounts set (a secret's ``env=``, ``SSH_AUTH_SOCK``).

    As with BuildKit: a cache mount keeps its contents across the build's RUNs (by ``id``,
    default the target); a tmpfs is always empty, hiding what is there; a bind mount shows
    the source and what is written under it is discarded. What was at the target comes
    back afterwards, and a target that did not exist stays as an empty 0755 directory —
    unless a single file was bound there: then nothing stays (its parents do). A secret or
    ssh mount is a file that is gone afterwards (its parent directories stay, as the mount
    points BuildKit made for it).
    """
    undo: list[tuple[str, Node | None, str | None, bool]] = []
    env: dict[str, str] = {}
    n_ssh = 0
    for spec in inst.mounts:
        fields: dict[str, str] = {}
        for part in spec.split(","):
            key, eq, value = part.partition("=")
            fields[key.strip().lower()] = value.strip() if eq else "true"
        kind = fields.get("type", "bind")
        if kind in ("secret", "ssh"):
            if kind == "ssh":
                n_ssh += 1
            placed = _secret_or_ssh(st, inst, spec, fields, secrets or {}, ssh, n_ssh, env)
            if placed is not None:
                undo.append((*placed, None, False))
            continue
        target = fields.get("target") or fields.get("dst") or fields.get("destination")
        if not target:
            raise BuildError(f"mount {spec!r}: target is required", file=st.file, pos=inst.pos)
        target = posixpath.normpath(posixpath.join(st.config.working_dir or "/", target))
        before = st.fs.lookup(target, follow=False)
        st.fs.makedirs(posixpath.dirname(target) or "/", Meta(0o755))
        cache_id: str | None = None
        stub = True  # a directory mount point stays where there was nothing
        if kind == "cache":
            cache_id = fields.get("id") or target
            st.fs.put(target, caches.get(cache_id) or Dir(Meta(0o755)))
        elif kind == "tmpfs":
            st.fs.put(target, Dir(Meta(0o755)))
        elif kind == "bind":
            source = fields.get("source") or fields.get("src") or "/"
            ref = fields.get("from")
            if st.sources is None:
                continue
            if ref:
                _, image = st.sources.from_ref(ref, st, inst.pos)
                src_fs = image.rootfs.fs()
            else:
                src_fs = st.sources.context().snapshot.fs()
            node = src_fs.lookup(posixpath.normpath("/" + source))
            if node is None:
                raise BuildError(f"mount {spec!r}: {source} not found", file=st.file, pos=inst.pos)
            st.fs.put(target, node)
            stub = isinstance(node, Dir)
            if fields.get("rw", fields.get("readwrite", "false")) != "true":
                st.fs.readonly = (*st.fs.readonly, target)  # BuildKit binds read-only
        else:
            raise BuildError(f"unsupported mount type {kind!r}", file=st.file, pos=inst.pos)
        undo.append((target, before, cache_id, stub))

    def restore() -> None:
        st.fs.readonly = ()
        for target, before, cache_id, keep_dir in reversed(undo):
            if cache_id is not None:
                kept = st.fs.lookup(target, follow=False)
                if kept is not None:
                    caches[cache_id] = kept
            if before is not None:
                st.fs.put(target, before)
            elif keep_dir:
                st.fs.put(target, Dir(Meta(0o755)))
            elif st.fs.lookup(target, follow=False) is not None:
                st.fs.remove(target, recursive=True)

    return restore, env


def _secret_or_ssh(
    st: StageState,
    inst: Run,
    spec: str,
    fields: dict[str, str],
    secrets: Mapping[str, bytes],
    ssh: frozenset[str],
    n_ssh: int,
    env: dict[str, str],
) -> tuple[str, Node | None] | None:
    """Mount one secret or ssh agent (BuildKit's dispatchSecret / dispatchSSH); returns the
    mounted path and what was there, or None when nothing was mounted.

    A secret: ``id`` (default: the target's base name), at ``target`` (default
    ``/run/secrets/ID``, none when only ``env=`` is given), a file ``mode`` 0400 owned by
    ``uid``:``gid`` (0:0); with ``env=NAME`` also the variable NAME. An ssh mount: ``id``
    ``default``, at ``target`` (default ``/run/buildkit/ssh_agent.N``), mode 0600, and
    ``SSH_AUTH_SOCK`` names the first one. Either is skipped when the build was not given
    it — an error with ``required=true`` (BuildKit's wording).
    """
    from emu.fs import Device, Kind

    def fail(message: str) -> BuildError:
        return BuildError(message, file=st.file, pos=inst.pos)

    def number(key: str, base: int, default: int) -> int:
        raw = fields.get(key)
        if raw is None:
            return default
        try:
            return int(raw, base)
        except ValueError:
            raise fail(f"invalid value {raw} for {key}") from None

    required = fields.get("required", "false").lower() in ("true", "1")
    target = fields.get("target") or fields.get("dst") or fields.get("destination") or ""
    uid, gid = number("uid", 10, 0), number("gid", 10, 0)
    node: Node
    if fields.get("type") == "ssh":
        ident = fields.get("id") or "default"
        target = target or f"/run/buildkit/ssh_agent.{n_ssh - 1}"
        env.setdefault("SSH_AUTH_SOCK", target)
        if ident not in ssh:
            if required:
                raise fail(f'no SSH key "{fields.get("id", "")}" forwarded from the client')
            return None
        # emu has no sockets and its agent holds no keys: a node stands where it would be.
        node = Device(Meta(number("mode", 8, 0o600), uid, gid), Kind.FIFO)
    else:
        ident = fields.get("id") or fields.get("source") or fields.get("src") or ""
        if not ident:
            if not target:
                raise fail(f"mount {spec!r}: one of source, target required")
            ident = posixpath.basename(target)
        value = secrets.get(ident)
        if value is None:
            if required:
                raise fail(f"secret {ident} not found: not found")
            return None
        if "env" in fields:
            env[fields["env"]] = value.decode("utf-8", "surrogateescape")
            if not target:
                return None
        target = target or "/run/secrets/" + posixpath.basename(ident)
        node = File(Meta(number("mode", 8, 0o400), uid, gid), value)
    path = posixpath.normpath(posixpath.join("/", target))
    before = st.fs.lookup(path, follow=False)
    st.fs.makedirs(posixpath.dirname(path) or "/", Meta(0o755))
    st.fs.put(path, node)
    return path, before
