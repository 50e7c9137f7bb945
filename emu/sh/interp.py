"""The shell's runner: executes a parsed script against the in-memory image.

Everything runs in this process. A pipeline runs its commands one after the other, each
in a subshell, the standard output of one becoming the standard input (bytes) of the next;
``&`` runs its command to completion at once and sets ``$!``; a subshell is a copy of the
shell state (variables, functions, options, working directory, open descriptors) sharing
the filesystem. Programs are handlers from the :class:`~emu.sh.api.Registry`, found like
``execvp`` would find them in the image; a script starting with ``#!/bin/sh`` and ``sh``
itself run in a nested interpreter.

Control flow (``break``, ``continue``, ``return``, ``exit``) travels as exceptions, which
cost nothing in Python 3.11 until raised. Every command and loop iteration counts one step
against :class:`~emu.sh.api.Limits`; functions, subshells and substitutions count depth.

Entry points: :func:`run_script` (``sh -c SCRIPT``) and :func:`run_argv` (a command without
a shell, as Docker's exec form runs it).
"""

from __future__ import annotations

import errno
import itertools
import posixpath
import random as _random
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from emu.errors import EmuError, ExpansionError
from emu.fs import FS, Blob, Device, Dir, File, FsError, Lazy, Meta, Node
from emu.pos import Position
from emu.sh import expand, permissive
from emu.sh.api import (
    R_OK,
    REGISTRY,
    W_OK,
    X_OK,
    Identity,
    LimitExceeded,
    Limits,
    Proc,
    Registry,
    ShellError,
    Stream,
    allowed,
    find_executable,
    handler_for,
)
from emu.sh.syntax import (
    AndOr,
    Background,
    Case,
    Command,
    For,
    FuncDef,
    Group,
    If,
    Pipeline,
    Redirect,
    Redirected,
    Simple,
    Subshell,
    While,
    maybe_quote,
    parse_partial,
    quote,
)

DEFAULT_PATH = "/sbin:/usr/sbin:/bin:/usr/bin"
_T = TypeVar("_T")
_TRACE_QUOTED = frozenset(
    ["in", "for", "if", "then", "do", "done", "case", "esac", "{", "}", "!", "fi", "elif",
     "else", "while", "until", "function"]
)  # fmt: skip  # ash's PATH when none is set
SHELL_NAMES = frozenset(["sh", "ash", "dash"])  # programs that are this interpreter
FAKE_PID = 1  # $$: the shell of a RUN is process 1 of its container
_LAZY_APPEND = 64 * 1024  # appended files above this size keep a shared growing buffer

# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unemulated:
    """A command that did not run: ``path`` None means nothing by that name is in the
    image's ``$PATH`` (a real shell says the same); otherwise the image has the executable
    but emu has no handler for it."""

    name: str
    pos: Position | None
    path: str | None

    @property
    def found(self) -> bool:
        return self.path is not None


@dataclass(slots=True)
class RunResult:
    status: int
    stdout: bytes
    stderr: bytes
    unemulated: list[Unemulated] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)  # exported variables afterwards
    cwd: str = "/"
    output: bytes = b""  # stdout and stderr interleaved as written (a build log)
    error: ShellError | None = None  # the syntax error that ended the script, if any


# --- control flow ----------------------------------------------------------------------------


class _Unwind(Exception):
    """Leaving frames early: ``exit`` and ``return`` carry a status, ``break`` and
    ``continue`` how many enclosing loops they leave."""

    def __init__(self, value: int) -> None:
        super().__init__(value)
        self.value = value


class _Exit(_Unwind):
    pass


class _Return(_Unwind):
    pass


class _LoopJump(_Unwind):
    def spend(self) -> None:
        """This loop takes one level; re-raised while outer loops are still to leave."""
        if self.value > 1:
            self.value -= 1
            raise self


class _Break(_LoopJump):
    pass


class _Continue(_LoopJump):
    pass


class BadFd(Exception):
    """A write to a closed descriptor (``>&-``)."""


class BuiltinError(Exception):
    """A builtin's error as ash raises it: ``sh: NAME: line N: MESSAGE``, status 2; a
    special builtin's error ends a non-interactive shell."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# --- descriptors -----------------------------------------------------------------------------


class Source:
    """An input descriptor: bytes and how far they have been read (``read`` reads a line
    at a time; a program is handed the rest)."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def rest(self) -> bytes:
        data = self.data[self.pos :] if self.pos else self.data
        self.pos = len(self.data)
        return data

    def read_byte(self) -> int | None:
        if self.pos >= len(self.data):
            return None
        b = self.data[self.pos]
        self.pos += 1
        return b


class NullSink(Stream):
    """``/dev/null``."""

    __slots__ = ()

    def write(self, data: bytes | str) -> None:
        return None


class ClosedSink(Stream):
    """A closed descriptor."""

    __slots__ = ()

    def write(self, data: bytes | str) -> None:
        if data:
            raise BadFd()


class _Tee(Stream):
    """The script's own stdout/stderr: also recorded, interleaved, in ``log``."""

    __slots__ = ("_log",)

    def __init__(self, limits: Limits, log: list[bytes]) -> None:
        super().__init__(limits)
        self._log = log

    def write(self, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        if data:
            Stream.write(self, data)
            self._log.append(data)


class FileSink(Stream):
    """An output redirection to a file in the image.

    Written bytes collect in a buffer that reaches the image when the redirection ends,
    or after each command for descriptors kept open by ``exec``. The buffer of an appended
    file is shared with the next ``>>`` to it, and past a size the image gets a lazy view
    of it, so a loop appending a line at a time costs O(line), not O(file).
    """

    __slots__ = ("_buf", "_dirty", "_path", "_shared", "_world")

    def __init__(self, world: _World, path: str, buf: bytearray, shared: bool) -> None:
        super().__init__(None)
        self._world = world
        self._path = path
        self._buf = buf
        self._dirty = False
        self._shared = shared

    def write(self, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        if data:
            self._world.limits.stored(len(data))
            self._buf += data
            self._dirty = True

    def getvalue(self) -> bytes:
        return bytes(self._buf)

    def close(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        fs = self._world.fs
        try:
            node = fs.lookup(self._path)
        except EmuError:
            return
        if not isinstance(node, File):
            return  # removed (or replaced by a directory) meanwhile: nothing to show
        buf = self._buf
        size = len(buf)
        if size < _LAZY_APPEND:
            f = File(node.meta, bytes(buf))
        else:
            # The buffer only grows, so a view of its first ``size`` bytes never changes.
            f = File(node.meta, Lazy(size, _prefix(buf, size)))
        fs.put(self._path, f, follow_last=True)
        if self._shared or size >= _LAZY_APPEND:
            self._world.appends[fs.realpath(self._path)] = (f, buf)

    flush = close


Fd = Stream | Source


def _prefix(buf: bytearray, size: int) -> Callable[[], bytes]:
    # The buffer only grows past ``size``: its first ``size`` bytes never change.
    return lambda: bytes(buf[:size])


# --- the shell -------------------------------------------------------------------------------


class _World:
    """What every subshell of one run shares."""

    __slots__ = (
        "appends",
        "fs",
        "ident",
        "limits",
        "log",
        "next_pid",
        "now",
        "random",
        "registry",
        "unemulated",
    )

    def __init__(
        self, fs: FS, ident: Identity, registry: Registry, limits: Limits | None, now: int
    ) -> None:
        self.fs = fs
        self.ident = ident
        self.registry = registry
        self.limits = limits if limits is not None else Limits()
        self.unemulated: list[Unemulated] = []
        self.appends: dict[str, tuple[File, bytearray]] = {}
        self.log: list[bytes] = []
        self.now = now
        self.next_pid = 100
        self.random = _random.Random(0)


Builtin = Callable[["Shell", list[str]], int]


@dataclass(frozen=True, slots=True)
class Launch:
    """A program about to start: what ``execve`` gets, its descriptors, and where in the
    script it was asked for."""

    argv: list[str]
    env: dict[str, str]
    cwd: str
    stdin: Source
    out: Stream
    err: Stream
    pos: Position | None


def _builtins() -> tuple[dict[str, Builtin], frozenset[str]]:
    return _bi.BUILTINS, _bi.SPECIAL


class Shell:
    """One shell (or subshell) state. Implements :class:`emu.sh.expand.Env` and the
    :class:`emu.sh.api.Runner` protocol."""

    def __init__(self, world: _World, cwd: str) -> None:
        self.world = world
        self.fs = world.fs
        self.ident = world.ident
        self.limits = world.limits
        self.cwd = cwd
        self.vars: dict[str, str] = {}
        self.exported: set[str] = set()
        self.readonly: set[str] = set()
        self.funcs: dict[str, FuncDef] = {}
        self.aliases: dict[str, str] = {}
        self.alias_lines: dict[str, int] = {}  # where each alias was defined
        self.traps: dict[str, str] = {}
        self.params: list[str] = []
        self.arg0 = "sh"
        self.status = 0
        self.errexit = False
        self.nounset = False
        self.xtrace = False
        self.pipefail = False
        self.noglob = False
        self.allexport = False
        self.noclobber = False
        self.verbose = False
        self.noexec = False
        self.cmode = True  # started with -c: ash numbers the script's lines from 0
        self.umask = 0o022
        self.fds: dict[int, Fd] = {}
        self.loop_depth = 0
        self.frames: list[dict[str, tuple[str | None, bool]]] = []
        self.lineno = 0
        self.funcname = ""  # $FUNCNAME, which ash keeps
        self.last_bg: int | None = None
        self.last_bg_status = 0
        self.subst_status: int | None = None
        self.opened: list[FileSink] = []  # by `exec >file`: closed when this shell ends
        self.in_trap = False
        self.keep_redirects = False
        self.builtins, self.special = _builtins()

    # --- copies ---------------------------------------------------------------------------

    def fork(self) -> Shell:
        """A subshell: a copy of this state; changes made in it do not come back."""
        sub = Shell.__new__(Shell)
        for name in _STATE:
            setattr(sub, name, getattr(self, name))
        sub.vars = dict(self.vars)
        sub.exported = set(self.exported)
        sub.readonly = set(self.readonly)
        sub.funcs = dict(self.funcs)
        sub.aliases = dict(self.aliases)
        sub.alias_lines = dict(self.alias_lines)
        sub.params = list(self.params)
        sub.fds = dict(self.fds)
        sub.frames = [dict(f) for f in self.frames]
        sub.traps = {}
        sub.opened = []
        sub.in_trap = False
        sub.keep_redirects = False
        return sub

    def run_subshell(
        self,
        body: tuple[Command, ...],
        tested: bool = False,
        fds: dict[int, Fd] | None = None,
        errexit: bool | None = None,
    ) -> int:
        with self.limits.nested():
            sub = self.fork()
            if fds is not None:
                sub.fds = fds
            if errexit is not None:
                sub.errexit = errexit
            return sub.run_to_end(body, tested)

    def run_to_end(self, body: tuple[Command, ...], tested: bool = False) -> int:
        """Run a (sub)shell's commands to its end: ``exit``, fatal errors and its EXIT trap
        end here."""
        try:
            st = self.status = self.ended(lambda: self.run(body, tested))
            st = self.exit_trap(st)
        finally:
            self.close_opened()
        return st

    def ended(self, script: Callable[[], int]) -> int:
        """The status a whole script ends with: its last command's, ``exit``'s or a stray
        ``return``'s; 0 after a ``break`` outside a loop; 2 after a fatal expansion error."""
        try:
            return script()
        except (_Exit, _Return) as e:
            return e.value
        except _LoopJump:
            return 0
        except ExpansionError as e:
            self.fatal_message(e)
            return 2

    def exit_trap(self, st: int) -> int:
        action = self.traps.pop("EXIT", None)
        if action is None or self.in_trap:
            return st
        self.in_trap = True
        self.status = st
        try:
            self.eval_text(action, "trap")
        except _Exit as e:
            return e.value
        except (_Return, _LoopJump):
            pass
        except ExpansionError as e:
            self.fatal_message(e)
            return 2
        return st

    def close_opened(self) -> None:
        for sink in self.opened:
            sink.close()
        self.opened = []

    # --- expansion environment -----------------------------------------------------------

    def lookup(self, name: str) -> str | None:
        v = self.vars.get(name)
        if v is not None:
            return v
        if name.isdigit():
            k = int(name)
            if k == 0:
                return self.arg0
            return self.params[k - 1] if k <= len(self.params) else None
        match name:
            case "?":
                return str(self.status)
            case "#":
                return str(len(self.params))
            case "$":
                return str(FAKE_PID)
            case "!":
                return None if self.last_bg is None else str(self.last_bg)
            case "-":
                return self.flags()
            case "@" | "*":
                return " ".join(self.params)
            case "LINENO":
                return str(self.line_number())
            case "FUNCNAME":
                return self.funcname
            case "RANDOM":
                # Deterministic, like everything in a build: a seeded generator per run.
                return str(self.world.random.randrange(32768))
        return None

    def line_number(self) -> int:
        return self.lineno - 1 if self.cmode else self.lineno

    def flags(self) -> str:
        # ash lists its option letters in reverse table order ("set -eux" gives "uxce").
        order = (
            ("u", self.nounset),
            ("a", self.allexport),
            ("C", self.noclobber),
            ("v", self.verbose),
            ("x", self.xtrace),
            ("c", self.cmode),
            ("n", self.noexec),
            ("f", self.noglob),
            ("e", self.errexit),
        )
        return "".join(c for c, on in order if on)

    def positional(self) -> list[str]:
        return self.params

    def assign(self, name: str, value: str) -> None:
        self.set_var(name, value)

    def substitute(self, body: tuple[Command, ...], pos: Position) -> str:
        out = Stream(None)
        fds = dict(self.fds)
        fds[1] = out
        # busybox runs a command substitution with `set -e` off (`set -o` in it says so).
        st = self.run_subshell(body, False, fds, errexit=False)
        self.subst_status = st
        return out.getvalue().decode("utf-8", "surrogateescape")

    # --- variables ------------------------------------------------------------------------

    def set_var(self, name: str, value: str) -> None:
        if name in self.readonly:
            raise ExpansionError(f"{name}: is read only")
        self.vars[name] = value
        if self.allexport:
            self.exported.add(name)

    def unset_var(self, name: str) -> None:
        if name in self.readonly:
            raise BuiltinError(f"{name}: is read only")
        self.vars.pop(name, None)
        self.exported.discard(name)

    def make_local(self, name: str) -> None:
        frame = self.frames[-1]
        if name not in frame:
            frame[name] = (self.vars.get(name), name in self.exported)

    def environ(self, extra: Iterable[tuple[str, str]] = ()) -> dict[str, str]:
        env = {k: self.vars[k] for k in self.exported if k in self.vars}
        for k, v in extra:
            env[k] = v
        return env

    # --- output -----------------------------------------------------------------------------

    def out(self, data: str | bytes) -> None:
        fd = self.fds.get(1)
        if not isinstance(fd, Stream):
            raise BadFd()
        fd.write(data)

    def err(self, data: str | bytes) -> None:
        fd = self.fds.get(2)
        if isinstance(fd, Stream) and not isinstance(fd, ClosedSink):
            fd.write(data)

    def stdin(self) -> Source:
        fd = self.fds.get(0)
        return fd if isinstance(fd, Source) else Source(b"")

    def fatal_message(self, e: EmuError) -> None:
        self.err(f"sh: {e.message}\n")

    def builtin_message(self, name: str, message: str) -> None:
        self.err(f"sh: {name}: line {self.line_number()}: {message}\n")

    # --- running -----------------------------------------------------------------------------

    def run(self, body: Sequence[Command], tested: bool = False) -> int:
        st = 0
        for node in body:
            if self.noexec:
                break  # `set -n`: read, do not run
            st = self.exec(node, tested)
        return st

    def exec(self, node: Command, tested: bool = False) -> int:
        match node:
            case Simple():
                st = self.simple(node, tested)
                if st and self.errexit and not tested:
                    raise _Exit(st)
            case AndOr(op=op, left=left, right=right):
                st = self.exec(left, True)
                if (st == 0) == (op == "&&"):
                    st = self.exec(right, tested)
            case If():
                st = self.run_if(node, tested)
            case For():
                st = self.run_for(node, tested)
            case While():
                st = self.run_while(node, tested)
            case Pipeline():
                st = self.pipeline(node, tested)
            case Group(body=body):
                st = self.run(body, tested)
            case Redirected(cmd=cmd, redirs=redirs):
                st = self.with_redirects(redirs, lambda: self.exec(cmd, tested))
            case Case():
                st = self.run_case(node, tested)
            case Subshell(body=body):
                self.limits.step()
                st = self.run_subshell(body, tested)
                if st and self.errexit and not tested:
                    raise _Exit(st)
            case FuncDef(name=name):
                self.funcs[name] = node
                st = 0
            case Background(cmd=cmd):
                self.limits.step()
                self.last_bg_status = self.run_subshell((cmd,), True)
                self.world.next_pid += 1
                self.last_bg = self.world.next_pid
                st = 0
        self.status = st
        return st

    def run_if(self, node: If, tested: bool) -> int:
        while True:
            if self.run(node.cond, True) == 0:
                return self.run(node.body, tested)
            orelse = node.orelse
            if orelse is None:
                return 0
            if len(orelse) == 1 and isinstance(orelse[0], If):
                node = orelse[0]  # elif
                continue
            return self.run(orelse, tested)

    def run_for(self, node: For, tested: bool) -> int:
        items = expand.fields(self, node.items) if node.items is not None else list(self.params)

        def one(value: str) -> int:
            self.set_var(node.name, value)
            return self.run(node.body, tested)

        return self.loop(items, one)

    def run_while(self, node: While, tested: bool) -> int:
        def one(_: object) -> int | None:
            if (self.run(node.cond, True) == 0) == node.until:
                return None
            return self.run(node.body, tested)

        return self.loop(itertools.repeat(None), one)

    def loop(self, rounds: Iterable[_T], one: Callable[[_T], int | None]) -> int:
        """Run a loop's rounds, one step each: the status of the last body run (None from
        ``one``: the loop is over), or 0 after ``break``/``continue``, which end the round
        here or, with a count, re-raise to leave outer loops too."""
        st = 0
        step = self.limits.step
        self.loop_depth += 1
        try:
            for r in rounds:
                step()
                try:
                    got = one(r)
                except _LoopJump as j:
                    j.spend()
                    st = 0  # the status of `break` or `continue` itself
                    if isinstance(j, _Break):
                        break
                    continue
                if got is None:
                    break
                st = got
        finally:
            self.loop_depth -= 1
        return st

    def run_case(self, node: Case, tested: bool) -> int:
        self.limits.step()
        word = expand.string(self, node.word)
        for item in node.items:
            for p in item.patterns:
                lit = p.lit
                if lit is not None and not expand.has_meta(lit) and "\\" not in lit:
                    hit = lit == word
                else:
                    hit = expand.match(expand.pattern(self, p), word)
                if hit:
                    return self.run(item.body, tested)
        return 0

    def pipeline(self, node: Pipeline, tested: bool) -> int:
        cmds = node.cmds
        if len(cmds) == 1:
            st = self.exec(cmds[0], tested or node.negated)
        else:
            self.limits.step()
            last = len(cmds) - 1
            src = self.fds.get(0)
            statuses: list[int] = []
            for k, cmd in enumerate(cmds):
                fds = dict(self.fds)
                if src is not None:
                    fds[0] = src
                out: Stream | None = None
                if k < last:
                    out = Stream(None)
                    fds[1] = out
                statuses.append(self.run_subshell((cmd,), tested or node.negated, fds))
                if out is not None:
                    src = Source(out.getvalue())
            st = statuses[-1]
            if self.pipefail:
                for s in reversed(statuses):
                    if s:
                        st = s
                        break
        if node.negated:
            return int(st == 0)
        if st and self.errexit and not tested:
            raise _Exit(st)
        return st

    # --- simple commands -----------------------------------------------------------------------

    def simple(self, node: Simple, tested: bool) -> int:
        self.limits.step()
        self.lineno = node.pos.line
        self.subst_status = None
        argv = expand.fields(self, node.args) if node.args else []
        assigns: list[tuple[str, str]] = []
        for a in node.assigns:
            assigns.append((a.name, expand.assignment(self, a.value)))
            if not argv:
                # Bare assignments take effect one by one (b=$a sees the new a).
                self.set_var(a.name, assigns[-1][1])
        if self.xtrace:
            self.trace(assigns, argv)
        if not argv:
            st = self.subst_status or 0
            if node.redirs:
                return self.with_redirects(node.redirs, lambda: st)
            return st
        if node.redirs:
            st = self.with_redirects(
                node.redirs, lambda: self.dispatch(argv, assigns, node, tested)
            )
        else:
            st = self.dispatch(argv, assigns, node, tested)
        if self.opened:
            # Descriptors kept open by `exec` show their bytes after every command.
            for sink in self.opened:
                sink.flush()
        return st

    def trace(self, assigns: list[tuple[str, str]], argv: list[str]) -> None:
        words = [f"{n}={maybe_quote(v)}" for n, v in assigns]
        # ash also quotes words that are reserved words: `+ echo 'in'`.
        words.extend(quote(a) if a in _TRACE_QUOTED else maybe_quote(a) for a in argv)
        ps4 = self.vars.get("PS4", "+ ")
        self.err(ps4 + " ".join(words) + "\n")

    def dispatch(
        self, argv: list[str], assigns: list[tuple[str, str]], node: Simple | None, tested: bool
    ) -> int:
        name = argv[0]
        alias = self.aliases.get(name)
        if alias is not None and node is not None and node.pos.line > self.alias_lines.get(name, 0):
            argv = alias.split() + argv[1:]
            if not argv:
                return 0
            name = argv[0]
        if name in self.special:
            for k, v in assigns:
                self.set_var(k, v)
            return self.call_builtin(name, argv, special=True)
        if name == "local":
            # Not special, but its errors end the shell like a special builtin's.
            return self.call_builtin(name, argv, special=True)
        f = self.funcs.get(name)
        if f is not None:
            return self.call_function(f, argv, assigns, tested)
        if name in self.builtins:
            if not assigns:
                return self.call_builtin(name, argv)
            saved = self.push_temps(assigns)
            try:
                return self.call_builtin(name, argv)
            finally:
                self.pop_temps(saved)
        return self.run_program(argv, assigns, node.pos if node is not None else None)

    def push_temps(self, assigns: list[tuple[str, str]]) -> list[tuple[str, str | None, bool]]:
        saved: list[tuple[str, str | None, bool]] = []
        for k, v in assigns:
            saved.append((k, self.vars.get(k), k in self.exported))
            self.set_var(k, v)
            self.exported.add(k)
        return saved

    def pop_temps(self, saved: list[tuple[str, str | None, bool]]) -> None:
        for k, old, was_exported in reversed(saved):
            self.restore_var(k, old, was_exported)

    def restore_var(
        self, name: str, old: str | None, exported: bool, reexport: bool = False
    ) -> None:
        """Put a variable back as it was before a command's prefix assignment or a
        function's frame: its value (None: unset), not exported if it was not; with
        ``reexport`` exported again if it was (a function's body may have unexported it)."""
        if old is None:
            self.vars.pop(name, None)
        else:
            self.vars[name] = old
        if not exported:
            self.exported.discard(name)
        elif reexport:
            self.exported.add(name)

    def call_builtin(self, name: str, argv: list[str], special: bool = False) -> int:
        fn = self.builtins[name]
        try:
            return fn(self, argv)
        except BuiltinError as e:
            self.builtin_message(name, e.message)
            if special:
                raise _Exit(e.status) from None
            return e.status
        except BadFd:
            self.err("sh: write error: Bad file descriptor\n")
            return 1

    def call_function(
        self, f: FuncDef, argv: list[str], assigns: list[tuple[str, str]], tested: bool
    ) -> int:
        with self.limits.nested():
            saved_params, saved_name = self.params, self.funcname
            self.params = argv[1:]
            self.funcname = f.name
            frame: dict[str, tuple[str | None, bool]] = {}
            self.frames.append(frame)
            for k, v in assigns:
                frame.setdefault(k, (self.vars.get(k), k in self.exported))
                self.set_var(k, v)
                self.exported.add(k)
            try:
                return self.exec(f.body, tested)
            except _Return as r:
                return r.value
            finally:
                self.params, self.funcname = saved_params, saved_name
                self.frames.pop()
                for k, (old, was_exported) in frame.items():
                    if k == "-":
                        self.restore_options(old or "")
                    else:
                        self.restore_var(k, old, was_exported, reexport=True)

    # --- programs ------------------------------------------------------------------------------

    def abspath(self, p: str) -> str:
        return posixpath.normpath(posixpath.join(self.cwd, p)) if p else self.cwd

    def find(self, name: str, path_var: str | None = None, cwd: str | None = None) -> str | None:
        cwd = self.cwd if cwd is None else cwd
        if "/" in name:
            target = posixpath.join(cwd, name)
            return find_executable(self.fs, target, "", self.ident)
        if path_var is None:
            path_var = self.vars.get("PATH", DEFAULT_PATH)
        dirs = [
            d if d.startswith("/") else posixpath.join(cwd, d or ".") for d in path_var.split(":")
        ]
        try:
            return find_executable(self.fs, name, ":".join(dirs), self.ident)
        except EmuError:
            return None

    def run_program(
        self, argv: list[str], assigns: list[tuple[str, str]], pos: Position | None
    ) -> int:
        out = self.fds.get(1)
        err = self.fds.get(2)
        return self.exec_program(
            Launch(
                argv,
                self.environ(assigns),
                self.cwd,
                self.stdin(),
                out if isinstance(out, Stream) else ClosedSink(),
                err if isinstance(err, Stream) else ClosedSink(),
                pos,
            )
        )

    def exec_program(self, run: Launch, depth: int = 0) -> int:
        """Find and run a program as ``execvp`` would (no builtins, no functions)."""
        name, err = run.argv[0], run.err
        path_var = run.env.get("PATH", DEFAULT_PATH)
        found = name if self.is_applet(name) else self.find(name, path_var, run.cwd)
        if found is None:
            if "/" in name:
                node = self._lookup(posixpath.join(run.cwd, name))
                if node is not None:
                    err.write(f"sh: {name}: Permission denied\n")
                    return 126
            self.world.unemulated.append(Unemulated(name, run.pos, None))
            excuse = permissive.excused(name)  # --permissive, after skipped commands
            if excuse is not None:
                err.write(excuse)
                return 0
            err.write(f"sh: {name}: not found\n")
            return 127
        base = posixpath.basename(name)
        registry = self.world.registry
        if base in SHELL_NAMES and registry.get(base) is None:
            # sh is this interpreter, even where /bin/sh links to a busybox with a handler.
            return self.run_sh(run)
        shebang = self._shebang(found)

        def interpreted(interp: list[str]) -> int:
            # The kernel hands the interpreter the path execve got: as typed when it has a
            # slash, else where $PATH found it.
            script = name if "/" in name else found
            return self.exec_program(replace(run, argv=[*interp, script, *run.argv[1:]]), depth + 1)

        if (
            shebang is not None
            and depth < 4
            and _is_shell_script(shebang)
            and ("/" in name or not self._busybox_shell())
        ):
            # A shell script runs as a script even when it is named like a program emu
            # emulates (a `seq` script first in PATH is not the seq applet; seen with
            # BuildKit). Other interpreters' scripts (pip, npm) keep their models.
            return interpreted(shebang)
        handler = handler_for(self.fs, name, found, registry)
        if handler is None:
            real = posixpath.basename(self.fs.realpath(found))
            if real in SHELL_NAMES:
                return self.run_sh(run)
            if shebang is not None and depth < 4:
                return interpreted(shebang)
            self.world.unemulated.append(Unemulated(name, run.pos, found))
            if permissive.active():  # this command only is skipped; the script goes on
                err.write(permissive.skipped(name))
                return 0
            err.write(f"sh: {name}: not found\n")
            return 127
        proc = Proc(
            argv=list(run.argv),
            env=run.env,
            cwd=run.cwd,
            fs=self.fs,
            ident=self.ident,
            stdin=run.stdin.rest(),
            stdout=run.out,
            stderr=err,
            limits=self.limits,
            runner=self,
            pos=run.pos,
        )
        try:
            st = handler(proc)
        except LimitExceeded:
            raise
        except BadFd:
            err.write(f"{posixpath.basename(name)}: write error: Bad file descriptor\n")
            return 1
        except EmuError as e:
            err.write(f"{posixpath.basename(name)}: {e.message}\n")
            return 2 if e.exit_code == 2 else 1
        return st & 0xFF

    def _lookup(self, path: str) -> object:
        try:
            return self.fs.lookup(path)
        except EmuError:
            return None

    def is_applet(self, name: str) -> bool:
        """A bare name busybox ash runs as its own applet, before any PATH search."""
        if "/" in name or name in SHELL_NAMES:
            return False
        names = _APPLET_NAMES.get("names")
        if names is None:
            from emu.sh.utils.misc import applet_names  # the shell core needs no utility otherwise

            names = _APPLET_NAMES["names"] = frozenset(applet_names())
        return name in names and self._busybox_shell()

    def _busybox_shell(self) -> bool:
        """Whether the image's /bin/sh is Debian's static busybox, whose ash runs its
        applets before any PATH search and without links (FEATURE_SH_STANDALONE, seen with
        BuildKit). Alpine's busybox is a different build and keeps the PATH order."""
        try:
            node = self.fs.lookup("/bin/sh")
        except EmuError:
            return False
        content = node.content if isinstance(node, File) else None
        return isinstance(content, Blob) and "sh-standalone-applets" in content.traits

    def _shebang(self, path: str) -> list[str] | None:
        node = self._lookup(path)
        if not isinstance(node, File):
            return None
        data = node.data
        if data is None or not data.startswith(b"#!"):
            return None
        line = data[2:].split(b"\n", 1)[0].decode("utf-8", "surrogateescape").strip()
        if not line:
            return None
        interp, _, arg = line.partition(" ")
        arg = arg.strip()
        return [interp, arg] if arg else [interp]

    def run_argv(self, proc: Proc, argv: list[str], stdin: bytes | None = None) -> int:
        """The :class:`~emu.sh.api.Runner` protocol: a program running another program."""
        if not argv:
            return 0
        self.limits.step()
        return self.exec_program(
            Launch(
                argv,
                dict(proc.env),
                proc.cwd,
                Source(stdin or b""),
                proc.stdout,
                proc.stderr,
                proc.pos,
            )
        )

    def run_sh(self, run: Launch) -> int:
        """``sh [-eux] [-o opt] [-c SCRIPT [NAME [ARGS]] | FILE [ARGS] | -s]`` in a nested
        interpreter, as a child process: only the environment is inherited."""
        cwd, err = run.cwd, run.err
        child = Shell(self.world, cwd)
        child.fds = {0: run.stdin, 1: run.out, 2: err}
        child.init_vars(run.env, cwd)
        args = run.argv[1:]
        command: str | None = None
        read_stdin = False
        while args and args[0].startswith(("-", "+")) and args[0] not in ("-", "--"):
            opt = args.pop(0)
            on = opt[0] == "-"
            if opt[1:] == "o" or opt[1:] == "":
                if opt[1:] == "o" and args:
                    name = args.pop(0)
                    if not child.set_long_option(name, on):
                        err.write(f"sh: illegal option -o {name}\n")
                        return 2
                continue
            for c in opt[1:]:
                if c == "c":
                    command = ""
                elif c == "s":
                    read_stdin = True
                elif not child.set_flag(c, on):
                    err.write(f"sh: illegal option -{c}\n")
                    return 2
        if args and args[0] in ("-", "--"):
            args.pop(0)
        if command is not None:
            if not args:
                err.write("sh: -c requires an argument\n")
                return 2
            command = args.pop(0)
            if args:
                child.arg0 = args.pop(0)
            child.params = args
            text = command
        elif args and not read_stdin:
            script = args.pop(0)
            child.arg0 = script
            child.params = args
            child.cmode = False
            # `sh file` reads the file relative to the working directory, not via $PATH.
            path = script
            node = self._lookup(posixpath.join(cwd, path)) if path else None
            data = node.data if isinstance(node, File) else None
            if data is None:
                err.write(f"sh: can't open '{script}': No such file or directory\n")
                return 2
            text = data.decode("utf-8", "surrogateescape")
        else:
            child.params = args
            child.cmode = False
            text = run.stdin.rest().decode("utf-8", "surrogateescape")
        with self.limits.nested():
            return child.main(text)[0]

    # --- redirections ----------------------------------------------------------------------------

    def with_redirects(self, redirs: tuple[Redirect, ...], body: Callable[[], int]) -> int:
        saved = self.fds
        opened: list[FileSink] = []
        try:
            fds = self.open_redirects(redirs, opened)
        except _RedirError as e:
            for s in opened:
                s.close()
            self.err(f"sh: {e.message}\n")
            return 1
        self.fds = fds
        self.keep_redirects = False
        try:
            return body()
        finally:
            if self.keep_redirects:
                # `exec >file`: the descriptors stay open until the shell ends.
                self.keep_redirects = False
                self.opened.extend(opened)
            else:
                self.fds = saved
                for s in opened:
                    s.close()

    def open_redirects(self, redirs: Iterable[Redirect], opened: list[FileSink]) -> dict[int, Fd]:
        fds = dict(self.fds)
        for r in redirs:
            op = r.op
            if r.heredoc is not None:
                body = r.heredoc.body
                text = "" if body is None else expand.string(self, body)
                fds[r.fd] = Source(text.encode("utf-8", "surrogateescape"))
                continue
            target = expand.string(self, r.target)
            if op in (">&", "<&"):
                if target == "-":
                    old = fds.get(r.fd)
                    if isinstance(old, FileSink):
                        old.flush()
                    fds[r.fd] = ClosedSink()
                    continue
                if target.isdigit():
                    src = fds.get(int(target))
                    if src is None or isinstance(src, ClosedSink):
                        raise _RedirError(f"{target}: Bad file descriptor")
                    fds[r.fd] = src
                    continue
                if op == "<&":
                    raise _RedirError(f"{target}: Bad file descriptor")
                op = "&>"  # ash takes ">&file" as bash's "&>file"
            if op == "<":
                fds[r.fd] = self.open_read(target)
            elif op == "<>":
                if self._lookup(self.abspath(target)) is None:
                    self.open_write(target, False, False, opened)
                fds[r.fd] = self.open_read(target)
            else:
                sink = self.open_write(target, op == ">>", op == ">", opened)
                if op == "&>":
                    fds[1] = sink
                    fds[2] = sink
                else:
                    fds[r.fd] = sink
        return fds

    def _device(self, path: str, fds: dict[int, Fd] | None = None) -> Fd | None:
        if not path.startswith("/dev/"):
            return None
        if path == "/dev/null":
            return NullSink(None)
        table = self.fds if fds is None else fds
        if path in ("/dev/stdout", "/dev/fd/1"):
            return table.get(1)
        if path in ("/dev/stderr", "/dev/fd/2"):
            return table.get(2)
        if path in ("/dev/stdin", "/dev/fd/0"):
            return table.get(0)
        return None

    def lookup_or(self, path: str, fail: Callable[[str], Exception]) -> Node | None:
        """What is at ``path`` (None: nothing); ``fail(strerror)`` is raised when the way
        there is broken (a loop of links, a file used as a directory)."""
        try:
            return self.fs.lookup(path)
        except FsError as e:
            raise fail(e.strerror) from None

    def open_read(self, target: str) -> Source:
        path = self.abspath(target)
        dev = self._device(path)
        if dev is not None:
            # an output (/dev/null, /dev/stdout) reads as empty
            return dev if isinstance(dev, Source) else Source(b"")
        node = self.lookup_or(path, lambda why: _RedirError(f"can't open {target}: {why}"))
        if node is None:
            raise _RedirError(f"can't open {target}: no such file")
        if not allowed(node, self.ident, R_OK):
            raise _RedirError(f"can't open {target}: Permission denied")
        if isinstance(node, File):
            return Source(node.data or b"")
        return Source(b"")

    def open_write(
        self, target: str, append: bool, clobber_check: bool, opened: list[FileSink]
    ) -> Stream:
        path = self.abspath(target)
        dev = self._device(path)
        if isinstance(dev, Stream):
            return dev
        if dev is not None:
            raise _RedirError(f"can't create {target}: Bad file descriptor")
        fs = self.fs
        node = self.lookup_or(path, lambda why: _RedirError(f"can't create {target}: {why}"))
        if isinstance(node, Dir):
            raise _RedirError(f"can't create {target}: Is a directory")
        if isinstance(node, Device):
            return NullSink(None)
        if node is None:
            if self.ident.uid != 0:
                parent = self._lookup(posixpath.dirname(path))
                if isinstance(parent, Dir) and not allowed(parent, self.ident, W_OK | X_OK):
                    raise _RedirError(f"can't create {target}: Permission denied")
            meta = Meta(0o666 & ~self.umask, self.ident.uid, self.ident.gid, self.world.now)
            try:
                # O_CREAT follows a dangling symlink to create its target.
                fs.put(path, File(meta, b""), follow_last=True)
            except FsError as e:
                if e.errno in (errno.ENOENT, errno.ENOTDIR):
                    raise _RedirError(f"can't create {target}: nonexistent directory") from None
                raise _RedirError(f"can't create {target}: {e.strerror}") from None
            self.limits.created()
            sink = FileSink(self.world, path, bytearray(), append)
        else:
            if not allowed(node, self.ident, W_OK):
                raise _RedirError(f"can't create {target}: Permission denied")
            if clobber_check and self.noclobber and isinstance(node, File):
                raise _RedirError(f"can't create {target}: File exists")
            if append:
                base = bytearray()
                if isinstance(node, File):
                    cached = self.world.appends.get(fs.realpath(path))
                    if cached is not None and cached[0] is node:
                        base = cached[1]
                    else:
                        base = bytearray(node.data or b"")
                sink = FileSink(self.world, path, base, True)
            else:
                if isinstance(node, File) and node.size:
                    fs.write_file(path, b"")
                sink = FileSink(self.world, path, bytearray(), False)
        opened.append(sink)
        return sink

    # --- eval, source, options ------------------------------------------------------------------

    def eval_text(self, text: str, what: str) -> int:
        """Parse and run ``text`` in this shell (``eval``, ``.``, traps)."""
        script, error = parse_partial(text)
        st = self.run(script.body) if script.body else 0
        if error is not None:
            raise BuiltinError(error.message)
        return st

    def option_letters(self) -> str:
        """The options as letters (``p`` for pipefail), for ``local -``."""
        opts = [c for c, attr in _FLAGS.items() if getattr(self, attr)]
        return "".join(opts) + ("p" if self.pipefail else "")

    def restore_options(self, letters: str) -> None:
        for c, attr in _FLAGS.items():
            setattr(self, attr, c in letters)
        self.pipefail = "p" in letters

    def set_flag(self, c: str, on: bool) -> bool:
        """``set -c``/``+c``; False when there is no such option letter."""
        return self._set_option(_FLAGS.get(c), on)

    def set_long_option(self, name: str, on: bool) -> bool:
        """``set -o NAME``/``+o NAME``; False when there is no such option."""
        return self._set_option(_LONG.get(name), on)

    def _set_option(self, attr: str | None, on: bool) -> bool:
        if attr is not None:
            setattr(self, attr, on)
        return attr is not None

    def init_vars(self, env: dict[str, str], cwd: str) -> None:
        self.vars = dict(env)
        self.exported = set(env)
        self.vars.setdefault("IFS", " \t\n")
        self.vars.setdefault("PS1", "\\w \\$ ")
        self.vars.setdefault("PS2", "> ")
        self.vars.setdefault("PS4", "+ ")
        self.vars.setdefault("OPTIND", "1")
        self.vars["PPID"] = "0"
        try:
            level = int(env.get("SHLVL", "0")) + 1
        except ValueError:
            level = 1
        self.vars["SHLVL"] = str(level)
        self.exported.add("SHLVL")
        if env.get("PWD") != cwd:
            self.vars["PWD"] = cwd
        self.exported.add("PWD")

    def main(self, text: str) -> tuple[int, ShellError | None]:
        """Run a whole script as a shell process; its exit status and any syntax error."""
        script, error = parse_partial(text)

        def whole() -> int:
            nonlocal error
            try:
                st = self.run(script.body) if script.body else 0
            except (_Exit, _Return, ExpansionError):
                error = None  # the script ended before the parser's error was reached
                raise
            if error is None:
                return st
            self.err(f"sh: {error.message}\n")
            return 2

        try:
            st = self.status = self.ended(whole)
            st = self.exit_trap(st)
        finally:
            self.close_opened()
        return st & 0xFF, error


_FLAGS = {
    "e": "errexit",
    "u": "nounset",
    "x": "xtrace",
    "f": "noglob",
    "a": "allexport",
    "C": "noclobber",
    "v": "verbose",
    "n": "noexec",
}
_LONG = {
    "errexit": "errexit",
    "nounset": "nounset",
    "xtrace": "xtrace",
    "noglob": "noglob",
    "allexport": "allexport",
    "noclobber": "noclobber",
    "verbose": "verbose",
    "noexec": "noexec",
    "pipefail": "pipefail",
}
# Attributes a subshell copies as they are (the mutable ones are copied by Shell.fork).
_STATE = (
    "world",
    "fs",
    "ident",
    "limits",
    "cwd",
    "arg0",
    "status",
    "errexit",
    "nounset",
    "xtrace",
    "pipefail",
    "noglob",
    "allexport",
    "noclobber",
    "verbose",
    "noexec",
    "cmode",
    "umask",
    "loop_depth",
    "lineno",
    "funcname",
    "last_bg",
    "last_bg_status",
    "subst_status",
    "builtins",
    "special",
)


class _RedirError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- entry points ------------------------------------------------------------------------------


def _apply_options(sh: Shell, options: str) -> None:
    words = options.replace(",", " ").split()
    k = 0
    while k < len(words):
        w = words[k].lstrip("-")
        if w == "o" and k + 1 < len(words):
            k += 1
            if not sh.set_long_option(words[k], True):
                raise ShellError(f"illegal option -o {words[k]}")
        elif w in _LONG:
            sh.set_long_option(w, True)
        else:
            for c in w:
                if not sh.set_flag(c, True):
                    raise ShellError(f"illegal option -{c}")
        k += 1


def _ensure_stack() -> None:
    # Nested functions and subshells recurse in Python (a few frames per level); the depth
    # limit stops them well before this.
    if sys.getrecursionlimit() < 20000:
        sys.setrecursionlimit(20000)


_ensure_stack()


def _clock(env: dict[str, str], now: int | None) -> int:
    # Like the utilities: $SOURCE_DATE_EPOCH or 0, so builds are reproducible.
    if now is not None:
        return now
    try:
        return int(env.get("SOURCE_DATE_EPOCH", "0"))
    except ValueError:
        return 0


def run_script(
    script: str,
    *,
    fs: FS,
    env: dict[str, str],
    cwd: str,
    ident: Identity,
    args: list[str] | None = None,
    stdin: bytes = b"",
    registry: Registry = REGISTRY,
    limits: Limits | None = None,
    options: str = "",
    now: int | None = None,
) -> RunResult:
    """Run ``script`` as ``sh -c script [args...]`` would, in the image ``fs``.

    ``args`` are the operands after the script, as for ``sh -c``: the first is ``$0``
    (``sh`` when there is none), the others ``$1``, ``$2``... ``options`` are ``set``
    flags (``"eu"``, ``"-e -o pipefail"``); ``now`` is the mtime of files the shell creates
    (default ``$SOURCE_DATE_EPOCH`` or 0).

    A syntax error is reported the way ash reports it: the complete commands before it
    run, then ``sh: syntax error: ...`` on stderr and status 2 (``result.error`` holds the
    located :class:`ShellError`). A :class:`LimitExceeded` propagates, carrying the run so
    far as its ``result`` attribute.
    """

    def start(sh: Shell) -> tuple[int, ShellError | None]:
        sh.init_vars(env, cwd)
        operands = list(args or [])
        if operands:
            sh.arg0 = operands.pop(0)
        sh.params = operands
        _apply_options(sh, options)
        return sh.main(script)

    world = _World(fs, ident, registry, limits, _clock(env, now))
    return _session(Shell(world, cwd), stdin, start)


def run_argv(
    argv: list[str],
    *,
    fs: FS,
    env: dict[str, str],
    cwd: str,
    ident: Identity,
    stdin: bytes = b"",
    registry: Registry = REGISTRY,
    limits: Limits | None = None,
    now: int | None = None,
) -> RunResult:
    """Run a program without a shell (Docker's exec form ``RUN ["prog", "arg"]``)."""
    if not argv:
        raise ShellError("no command given")

    def start(sh: Shell) -> tuple[int, ShellError | None]:
        sh.vars = dict(env)
        sh.exported = set(env)
        out, err = sh.fds[1], sh.fds[2]
        assert isinstance(out, Stream) and isinstance(err, Stream)
        run = Launch(list(argv), dict(env), cwd, Source(stdin), out, err, None)
        return sh.exec_program(run), None

    world = _World(fs, ident, registry, limits, _clock(env, now))
    return _session(Shell(world, cwd), stdin, start)


def _session(
    sh: Shell, stdin: bytes, start: Callable[[Shell], tuple[int, ShellError | None]]
) -> RunResult:
    """Run a top-level shell and collect what it did; a :class:`LimitExceeded` leaves
    carrying the run so far as its ``result`` (status 137, as when the kernel kills)."""
    _ensure_stack()
    world = sh.world
    out, err = _Tee(world.limits, world.log), _Tee(world.limits, world.log)
    sh.fds = {0: Source(stdin), 1: out, 2: err}

    def result(status: int, error: ShellError | None) -> RunResult:
        return RunResult(
            status=status,
            stdout=out.getvalue(),
            stderr=err.getvalue(),
            unemulated=list(world.unemulated),
            env=sh.environ(),
            cwd=sh.cwd,
            output=b"".join(world.log),
            error=error,
        )

    try:
        status, error = start(sh)
    except LimitExceeded as e:
        setattr(e, "result", result(137, None))  # noqa: B010
        raise
    return result(status, error)


# Imported last: the builtins module refers back to this one (and must be loaded before a
# script runs, so running never imports anything).
from emu.sh import builtins as _bi  # noqa: E402

__all__ = [
    "BuiltinError",
    "FileSink",
    "RunResult",
    "Shell",
    "Source",
    "Unemulated",
    "run_argv",
    "run_script",
]


_APPLET_NAMES: dict[str, frozenset[str]] = {}  # busybox's applets, computed once


def _is_shell_script(shebang: list[str]) -> bool:
    """``#!/bin/sh``, ``#!/bin/bash -e``, ``#!/usr/bin/env sh``…"""
    prog = posixpath.basename(shebang[0])
    if prog == "env" and len(shebang) > 1:
        prog = posixpath.basename(shebang[1].split()[0])
    return prog in SHELL_NAMES
