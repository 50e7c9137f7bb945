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

The shell is busybox ash, or bash when the program that runs is bash (``bash``, a
``#!/bin/bash`` script, ``sh`` where the image's /bin/sh is bash): then arrays, ``[[ ]]``,
bash's arithmetic, options, builtins, messages and its line-at-a-time handling of
expansion errors apply. The program decides, never what a script looks like.

Entry points: :func:`run_script` (``sh -c SCRIPT``, or ``bash -c``), :func:`run_shell` (a
shell's whole command line, as Docker's SHELL gives it) and :func:`run_argv` (a command
without a shell, as Docker's exec form runs it).
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import posixpath
import random as _random
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from emu.errors import EmuError, ExpansionError
from emu.fs import FS, Blob, Device, Dir, File, FsError, Lazy, Meta, Node, Symlink
from emu.pos import Position
from emu.records import field, record, replace
from emu.sh import coreutils, expand, permissive
from emu.sh.api import (
    R_OK,
    REGISTRY,
    W_OK,
    X_OK,
    Endless,
    Identity,
    LimitExceeded,
    Limits,
    Proc,
    Registry,
    ShellError,
    Stream,
    allowed,
    find_executable,
    find_program,
    handler_for,
    path_dirs,
    path_is_absolute,
    shell_stack,
)
from emu.sh.syntax import (
    AndOr,
    ArithCmd,
    ArrayLit,
    Assign,
    Background,
    Case,
    Command,
    CondAndOr,
    CondBinary,
    CondCmd,
    CondExpr,
    CondNot,
    CondUnary,
    CondWord,
    DeclSimple,
    For,
    ForArith,
    FuncDef,
    Group,
    If,
    Pipeline,
    Redirect,
    Redirected,
    Script,
    Simple,
    Subshell,
    While,
    Word,
    maybe_quote,
    parse_partial,
    quote,
    shows_line,
)

DEFAULT_PATH = "/sbin:/usr/sbin:/bin:/usr/bin"
_T = TypeVar("_T")
_TRACE_QUOTED = frozenset(
    ["in", "for", "if", "then", "do", "done", "case", "esac", "{", "}", "!", "fi", "elif",
     "else", "while", "until", "function"]
)  # fmt: skip  # ash's PATH when none is set
SHELL_NAMES = frozenset(["sh", "ash", "dash"])  # programs that are this interpreter
BASH_NAMES = frozenset(["bash", "rbash"])  # ...in bash mode
FAKE_PID = 1  # $$: the shell of a RUN is process 1 of its container
_LAZY_APPEND = 64 * 1024  # appended files above this size keep a shared growing buffer

# --- results -------------------------------------------------------------------------------


@record(frozen=True, slots=True)
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


@record(slots=True)
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


class _Killed(Exception):
    """A shell process killed by a signal it neither traps nor ignores: it ends at once,
    without its EXIT trap; its parent sees status 128 + the signal."""

    def __init__(self, signum: int, message: str) -> None:
        super().__init__(signum)
        self.signum = signum
        self.message = message  # what the parent shell prints ("Terminated"), or ""


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
        f = fs.store(self._path, f)  # a write to the inode: its hard links see it too
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
        "_random",
        "appends",
        "fs",
        "ident",
        "limits",
        "log",
        "next_pid",
        "now",
        "registry",
        "signals",
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
        self._random: _random.Random | None = None
        self.signals: list[tuple[int, int]] = []  # (pid, signal) sent from a subshell

    @property
    def random(self) -> _random.Random:
        # Made on first use: seeding a generator costs more than most RUN lines.
        if self._random is None:
            self._random = _random.Random(0)
        return self._random


Builtin = Callable[["Shell", list[str]], int]


@record(frozen=True, slots=True)
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
        self.pid = FAKE_PID  # $$; a nested `sh` gets its own, a subshell keeps its shell's
        self.bashpid = FAKE_PID  # bash's $BASHPID: this process's own, a subshell's too
        self.forked = False  # a subshell: $$ is the shell it was forked from
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
        # bash mode (the program that runs is bash): arrays, attributes, options, names.
        self.bash = False
        self.arrays: dict[str, expand.Arr] = {}
        self.attrs: dict[str, str] = {}  # declare's letters: i(nteger) l(ower) u(pper) n(ameref)
        self.shopts: set[str] = set()  # shopt options that are on
        self.bopts: set[str] = set()  # bash's other `set -o` options that are on
        self.srcname = "sh"  # what bash's messages start with: $0, a sourced file, "environment"
        self.funcsrc: dict[str, str] = {}  # where each function was defined
        self.dirstack: list[str] = []
        self.rseed = 0  # bash's $RANDOM generator
        self.last_arg = ""  # $_
        self.level = 1  # bash's xtrace nesting: command substitutions and eval add one
        self.subshell = False
        self.rlast = -1
        self.procsubsts: list[tuple[str, tuple[Command, ...] | None]] = []
        # bash: what each function's locals hid (array, attributes, readonly)
        self.bframes: list[dict[str, tuple[expand.Arr | None, str | None, bool]]] = []
        self.procsubst_dirs: list[str] = []
        self.pending_arrays: dict[str, tuple[list[tuple[str | None, str]], bool]] = {}
        self.unassigned: set[str] = set()  # arrays declared (-a/-A) but never assigned
        self.exported_funcs: set[str] = set()  # bash's export -f
        self.sourcing = 0  # bash: inside `source` (where `return` is allowed)
        self.standalone: bool | None = None  # see _busybox_shell (None: not looked at yet)

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
        sub.bframes = [dict(f) for f in self.bframes]
        if self.bash:
            sub.arrays = {k: v.copy() for k, v in self.arrays.items()}
            sub.attrs = dict(self.attrs)
            sub.shopts = set(self.shopts)
            sub.bopts = set(self.bopts)
            sub.funcsrc = dict(self.funcsrc)
            sub.dirstack = list(self.dirstack)
            sub.subshell = True
            self.world.next_pid += 1
            sub.bashpid = self.world.next_pid
            err = self.traps.get("ERR")
            sub.traps = {"ERR": err} if err is not None and "errtrace" in self.bopts else {}
        else:
            sub.arrays, sub.attrs, sub.funcsrc = {}, {}, {}
            sub.shopts, sub.bopts = set(), set()
            sub.dirstack = []
            sub.subshell = True
            sub.traps = {}
        sub.opened = []
        sub.procsubsts, sub.procsubst_dirs, sub.pending_arrays = [], [], {}
        sub.unassigned = set(self.unassigned)
        sub.exported_funcs = set(self.exported_funcs)
        sub.in_trap = False
        sub.keep_redirects = False
        sub.forked = True
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
            st = sub.run_to_end(body, tested)
        if self.world.signals and not self.forked:
            # `kill $$` in the subshell reaches this shell now that it is done.
            mine = [sig for pid, sig in self.world.signals if pid == self.pid]
            self.world.signals = [(p, s) for p, s in self.world.signals if p != self.pid]
            for sig in mine:
                _bi.deliver(self, sig)
        return st

    def run_to_end(self, body: tuple[Command, ...], tested: bool = False) -> int:
        """Run a (sub)shell's commands to its end: ``exit``, fatal errors and its EXIT trap
        end here."""
        try:
            st = self.status = self.ended(lambda: self.run(body, tested))
            st = self.exit_trap(st)
        finally:
            self.close_opened()
        return st

    def ended(self, script: Callable[[], int], top: bool = False) -> int:
        """The status a whole script ends with: its last command's, ``exit``'s or a stray
        ``return``'s; 0 after a ``break`` outside a loop; 2 after a fatal expansion error
        (bash: 127 for the shell itself, 1 for a subshell)."""
        try:
            return script()
        except (_Exit, _Return) as e:
            return e.value
        except _LoopJump:
            return 0
        except ExpansionError as e:
            self.fatal_message(e)
            if self.bash:
                return 127 if top and expand.bash_kind(e) == "fatal" else 1
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
        if self.bash:
            arr = self.arrays.get(name)
            if arr is not None:
                return arr.get("0" if arr.assoc else 0)
        return self.special_param(name)

    def special_param(self, name: str) -> str | None:
        """A positional or special parameter, or one of the dialect's dynamic variables."""
        if name.isascii() and name.isdigit():
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
                return str(self.pid)
            case "!":
                return None if self.last_bg is None else str(self.last_bg)
            case "-":
                return self.bash_flags() if self.bash else self.flags()
            case "@" | "*":
                return " ".join(self.params)
        if self.bash:
            return self.bash_dynamic(name)
        match name:
            case "LINENO":
                return str(self.line_number())
            case "FUNCNAME":
                return self.funcname
            case "RANDOM":
                # Deterministic, like everything in a build: a seeded generator per run.
                return str(self.world.random.randrange(32768))
        return None

    def line_number(self) -> int:
        if self.bash:
            return self.lineno
        return self.lineno - 1 if self.cmode else self.lineno

    # --- bash's variables -----------------------------------------------------------------

    def bash_dynamic(self, name: str) -> str | None:
        """bash's variables computed when read, and a nameref's target."""
        match name:
            case "_":
                return self.last_arg
            case "LINENO":
                return str(self.lineno)
            case "RANDOM":
                return str(self.bash_random())
            case "BASHPID":
                return str(self.bashpid)
            case "SECONDS" | "EPOCHSECONDS":
                return "0" if name == "SECONDS" else str(self.world.now)
            case "SHELLOPTS":
                return ":".join(n for n, on in self.set_options() if on)
            case "BASHOPTS":
                return ":".join(sorted(self.shopts))
        target = self.resolve(name)
        if target != name and not self.attrs.get(target, "").startswith("n="):
            return self.lookup(target)
        return None  # unset, or a loop of namerefs

    def bash_random(self) -> int:
        """bash's $RANDOM: Park and Miller's minimal standard generator, the two halves
        of the state xor-ed, never the same number twice in a row. Seeded like bash by
        assigning to RANDOM; unseeded it starts from a fixed state, so builds repeat."""
        while True:
            seed = self.rseed or 123459876
            h, low = divmod(seed, 127773)
            t = 16807 * low - 2836 * h
            self.rseed = t + 0x7FFFFFFF if t < 0 else t
            value = ((self.rseed >> 16) ^ (self.rseed & 0xFFFF)) & 32767
            if value != self.rlast:
                break
        self.rlast = value
        return value

    def bash_flags(self) -> str:
        """$- as bash lists it: ``hBc`` for ``bash -c``, in bash's option order."""
        on = {
            "a": self.allexport,
            "e": self.errexit,
            "f": self.noglob,
            "h": "hashall" in self.bopts,
            "n": self.noexec,
            "u": self.nounset,
            "v": self.verbose,
            "x": self.xtrace,
            "B": "braceexpand" in self.bopts,
            "C": self.noclobber,
            "E": "errtrace" in self.bopts,
            "P": "physical" in self.bopts,
            "T": "functrace" in self.bopts,
        }
        return "".join(c for c in "abefhkmnptuvxBCEHPT" if on.get(c)) + ("c" if self.cmode else "s")

    def set_options(self) -> list[tuple[str, bool]]:
        """Every ``set -o`` option of bash and whether it is on, in bash's order."""
        mine = {
            "allexport": self.allexport,
            "errexit": self.errexit,
            "noclobber": self.noclobber,
            "noexec": self.noexec,
            "noglob": self.noglob,
            "nounset": self.nounset,
            "pipefail": self.pipefail,
            "verbose": self.verbose,
            "xtrace": self.xtrace,
        }
        return [(n, mine.get(n, n in self.bopts)) for n in BASH_SET_OPTIONS]

    def resolve(self, name: str) -> str:
        """A nameref followed to the variable it names."""
        seen = 0
        while True:
            a = self.attrs.get(name)
            if a is None or not a.startswith("n="):
                return name
            name = a[2:]
            seen += 1
            if seen > 8:
                return name

    def option(self, name: str) -> bool:
        if name in BASH_SHOPTS:
            return name in self.shopts
        return name in self.bopts

    def array(self, name: str) -> expand.Arr | None:
        return self.arrays.get(self.resolve(name))

    def var_names(self) -> list[str]:
        return sorted(set(self.vars) | set(self.arrays))

    def attributes(self, name: str) -> str:
        name = self.resolve(name)
        arr = self.arrays.get(name)
        letters = ("A" if arr.assoc else "a") if arr is not None else ""
        a = self.attrs.get(name, "")
        if a.startswith("n="):
            a = "n"
        letters += "".join(c for c in "ilnu" if c in a)
        if name in self.readonly:
            letters += "r"
        if name in self.exported:
            letters += "x"
        return "".join(sorted(letters, key="aAilnrtux".index))

    def subscript(self, name: str, index: str) -> tuple[str, int | str]:
        name = self.resolve(name)
        arr = self.arrays.get(name)
        if arr is not None and arr.assoc:
            return name, index
        k = expand.bash_arith(self, index) if index.strip() else 0
        if k < 0:
            if arr is not None:
                k += arr.next_index()
            elif name in self.vars:
                k += 1
        return name, k

    def get_element(self, name: str, key: int | str) -> str | None:
        arr = self.arrays.get(name)
        if arr is not None:
            return arr.get(key)
        if key in (0, "0"):
            return self.lookup(name)
        return None

    def set_element(self, name: str, key: int | str, value: str) -> None:
        name = self.resolve(name)
        if name in self.readonly:
            raise expand.bash_abort(f"{name}: readonly variable")
        if isinstance(key, int) and key < 0:
            raise expand.bash_abort(f"{name}[{key}]: bad array subscript")
        value = self.attr_value(name, value)
        self.unassigned.discard(name)
        arr = self.arrays.get(name)
        if arr is None:
            arr = self.arrays[name] = expand.Arr()
            old = self.vars.pop(name, None)
            if old is not None:
                arr.set(0, old)
        arr.set(key, value)

    def attr_value(self, name: str, value: str) -> str:
        """A value as the variable's attributes make it (``-i`` evaluates, ``-l``/``-u``
        change case)."""
        a = self.attrs.get(name)
        if not a or a.startswith("n="):
            return value
        if "i" in a:
            value = str(expand.bash_arith(self, value))
        if "l" in a:
            value = "".join(c.lower() if "A" <= c <= "Z" else c for c in value)
        elif "u" in a:
            value = "".join(c.upper() if "a" <= c <= "z" else c for c in value)
        return value

    def nameref(self, name: str) -> str | None:
        a = self.attrs.get(name)
        return a[2:] if a is not None and a.startswith("n=") else None

    def warn(self, message: str) -> None:
        self.err(f"{self.srcname}: line {self.lineno}: {message}\n")

    def procsubst(self, body: tuple[Command, ...], out: bool, pos: Position) -> str:
        """``<(...)``: the body runs now and its output waits in a file under /dev/fd;
        ``>(...)``: the file is fed to the body when the command using it is done."""
        fd = 63 - len(self.procsubsts)
        path = f"/dev/fd/{fd}"
        fs = self.fs
        if not isinstance(self._lookup("/dev/fd"), Dir):
            # Where /dev/fd leads (runc makes it a link to /proc/self/fd): made for now.
            link = fs.lookup("/dev/fd", follow=False)
            real = "/dev/fd"
            if isinstance(link, Symlink):
                real = posixpath.normpath(posixpath.join("/dev", link.target))
            top = real
            while posixpath.dirname(top) != "/" and self._lookup(posixpath.dirname(top)) is None:
                top = posixpath.dirname(top)
            fs.makedirs(real)
            self.procsubst_dirs.append(top)
        data = b""
        if not out:
            sink = Stream(None)
            fds = dict(self.fds)
            fds[1] = sink
            saved, self.level = self.level, self.level + 1
            try:
                self.run_subshell(body, False, fds)
            finally:
                self.level = saved
            data = sink.getvalue()
        fs.put(path, File(Meta(0o600), data))
        self.procsubsts.append((path, body if out else None))
        return path

    def finish_procsubsts(self, mark: int) -> None:
        """After the command that made them (those past ``mark``): feed ``>(...)``
        bodies, remove the files."""
        subs, self.procsubsts = self.procsubsts[mark:], self.procsubsts[:mark]
        for path, body in subs:
            node = self._lookup(path)
            if body is not None:
                data = node.data if isinstance(node, File) else b""
                fds = dict(self.fds)
                fds[0] = Source(data or b"")
                self.run_subshell(body, False, fds)
            with contextlib.suppress(EmuError):
                self.fs.remove(path)
        if not self.procsubsts:
            for d in self.procsubst_dirs:
                with contextlib.suppress(EmuError):
                    self.fs.remove(d, recursive=True)
            self.procsubst_dirs = []

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

    def fields(self, words: tuple[Word, ...]) -> list[str]:
        """Words expanded into fields (:func:`expand.fields`), held under the byte limit."""
        out = expand.fields(self, words)
        self.held(out)
        return out

    def held(self, values: list[str]) -> None:
        """A list of strings the shell is about to hold (a command's fields, an array's
        elements): their characters and what Python spends on each string (some 64 bytes)
        count against the byte limit, so doubling ``"$@"`` or an array stops on it as a
        doubled string does."""
        if len(values) > 64:  # a short list cannot matter; a long one is summed once
            self.limits.held(sum(map(len, values)) + 64 * len(values))

    def assign(self, name: str, value: str) -> None:
        self.set_var(name, value)

    def substitute(self, body: tuple[Command, ...], pos: Position) -> str:
        if self.bash and len(body) == 1:
            read = self.read_file_subst(body[0])
            if read is not None:
                return read
        out = Stream(None)
        fds = dict(self.fds)
        fds[1] = out
        # busybox runs a command substitution with `set -e` off (`set -o` in it says so);
        # so does bash, unless inherit_errexit is on.
        if self.bash:
            keep = "inherit_errexit" in self.shopts
            self.level += 1
            try:
                st = self.run_subshell(body, False, fds, errexit=None if keep else False)
            finally:
                self.level -= 1
        else:
            st = self.run_subshell(body, False, fds, errexit=False)
        self.subst_status = st
        return out.getvalue().decode("utf-8", "surrogateescape")

    def read_file_subst(self, cmd: Command) -> str | None:
        """bash's ``$(< file)``: the file's content, no command run (None: not that)."""
        if not (isinstance(cmd, Simple) and not cmd.args and not cmd.assigns):
            return None
        if len(cmd.redirs) != 1 or cmd.redirs[0].op != "<" or cmd.redirs[0].fd != 0:
            return None
        try:
            src = self.open_read(self.bash_target(cmd.redirs[0].target))
        except _RedirError as e:
            self.warn(e.bash)
            self.subst_status = 1
            return ""
        self.subst_status = 0
        return src.rest().decode("utf-8", "surrogateescape")

    # --- variables ------------------------------------------------------------------------

    def set_var(self, name: str, value: str) -> None:
        if name in self.readonly:
            if self.bash:
                raise expand.bash_abort(f"{name}: readonly variable")
            raise ExpansionError(f"{name}: is read only")
        if self.bash:
            if name in self.attrs or name in self.arrays:
                self.bash_set(name, value)
                return
            if name == "RANDOM":
                if value.isascii() and value.isdigit():
                    self.rseed, self.rlast = int(value) & 0xFFFFFFFF, -1
                return
        self.limits.held(len(value))
        self.vars[name] = value
        if self.allexport:
            self.exported.add(name)

    def bash_set(self, name: str, value: str) -> None:
        """Assign to a bash variable with attributes, an array (its element 0) or a
        nameref (its target)."""
        target = self.resolve(name)
        if target != name:
            if self.attrs.get(target, "").startswith("n="):
                return  # a loop of namerefs names no variable
            self.set_var(target, value)
            return
        arr = self.arrays.get(name)
        if arr is not None:
            self.set_element(name, "0" if arr.assoc else 0, value)
            return
        self.vars[name] = self.attr_value(name, value)
        if self.allexport:
            self.exported.add(name)

    def unset_var(self, name: str) -> None:
        if name in self.readonly:
            raise BuiltinError(f"{name}: is read only")
        self.vars.pop(name, None)
        self.exported.discard(name)
        if self.bash:
            self.arrays.pop(name, None)
            self.attrs.pop(name, None)

    def make_local(self, name: str) -> None:
        frame = self.frames[-1]
        if name not in frame:
            frame[name] = (self.vars.get(name), name in self.exported)
            if self.bash:
                self.bframes[-1][name] = (
                    self.arrays.pop(name, None),
                    self.attrs.pop(name, None),
                    name in self.readonly,
                )

    def environ(self, extra: Iterable[tuple[str, str]] = ()) -> dict[str, str]:
        env = {k: self.vars[k] for k in self.exported if k in self.vars}
        for k, v in extra:
            env[k] = v
        if self.exported_funcs:
            # bash passes exported functions in the environment: BASH_FUNC_f%%=() {...}
            for name in sorted(self.exported_funcs):
                f = self.funcs.get(name)
                if f is not None:
                    text = deparse_function(f)
                    env[f"BASH_FUNC_{name}%%"] = "() " + text.split("\n", 1)[1]
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
        if self.bash:
            where = getattr(e, "bash_where", None)
            src, line = where if where is not None else (self.srcname, self.lineno)
            self.err(f"{src}: line {line}: {e.message}\n")
            return
        self.err(f"sh: {e.message}\n")

    def builtin_message(self, name: str, message: str) -> None:
        if self.bash:
            self.err(f"{self.srcname}: line {self.lineno}: {name}: {message}\n")
            return
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
                if st and not tested:
                    if self.bash:
                        self.failed(st)
                    elif self.errexit:
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
                if self.bash:
                    self.set_pipestatus([st])
                    if st and not tested:
                        self.failed(st)
                elif st and self.errexit and not tested:
                    raise _Exit(st)
            case FuncDef(name=name):
                self.funcs[name] = node
                if self.bash:
                    self.funcsrc[name] = (
                        "environment" if self.srcname == self.arg0 else self.srcname
                    )
                st = 0
            case Background(cmd=cmd):
                self.limits.step()
                self.last_bg_status = self.run_subshell((cmd,), True)
                self.world.next_pid += 1
                self.last_bg = self.world.next_pid
                st = 0
            case ArithCmd():
                st = self.arith_cmd(node)
                if st and not tested:
                    self.failed(st)
            case ForArith():
                st = self.run_for_arith(node, tested)
            case CondCmd():
                st = self.cond_cmd(node)
                if st and not tested:
                    self.failed(st)
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
        items = self.fields(node.items) if node.items is not None else list(self.params)

        def one(value: str) -> int:
            if self.xtrace and self.bash:
                self.trace_line(f"for {node.name} in {' '.join(self.xq(i) for i in items)}")
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
        if self.bash:
            return self.run_case_bash(node, word, tested)
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

    def run_case_bash(self, node: Case, word: str, tested: bool) -> int:
        """bash's case: ``;&`` runs the next body too, ``;;&`` tests the next items."""
        if self.xtrace:
            self.trace_line(f"case {self.xq(word)} in")
        icase = "nocasematch" in self.shopts
        st = 0
        fall = False
        for item in node.items:
            if fall or any(
                expand.match(expand.pattern(self, p), word, ext=True, icase=icase)
                for p in item.patterns
            ):
                st = self.run(item.body, tested)
                if item.end == ";;":
                    return st
                fall = item.end == ";&"
        return st

    def pipeline(self, node: Pipeline, tested: bool) -> int:
        if node.timed:
            return self.timed(node, tested)
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
                elif self.bash and "lastpipe" in self.shopts:
                    statuses.append(self.in_this_shell(cmd, tested or node.negated, fds))
                    break
                statuses.append(self.run_subshell((cmd,), tested or node.negated, fds))
                if out is not None:
                    data = out.getvalue()
                    src = Source(data if out.endless is None else Endless(data, out.endless))
            st = statuses[-1]
            if self.pipefail:
                for s in reversed(statuses):
                    if s:
                        st = s
                        break
            if self.bash:
                self.set_pipestatus(statuses)
        if node.negated:
            return int(st == 0)
        if st and not tested:
            if self.bash:
                self.failed(st)
            elif self.errexit:
                raise _Exit(st)
        return st

    def timed(self, node: Pipeline, tested: bool) -> int:
        """bash's ``time``: the pipeline, then its times on stderr (no time passes in a
        build that emu runs)."""
        try:
            return self.pipeline(replace(node, timed=""), tested)
        finally:
            if node.timed == "-p":
                self.err("real 0.00\nuser 0.00\nsys 0.00\n")
            else:
                self.err("\nreal\t0m0.000s\nuser\t0m0.000s\nsys\t0m0.000s\n")

    def in_this_shell(self, cmd: Command, tested: bool, fds: dict[int, Fd]) -> int:
        """bash's lastpipe: the end of a pipeline runs in the shell itself."""
        saved = self.fds
        self.fds = fds
        try:
            return self.exec(cmd, tested)
        finally:
            self.fds = saved

    # --- simple commands -----------------------------------------------------------------------

    def simple(self, node: Simple, tested: bool) -> int:
        if self.bash:
            return self.simple_bash(node, tested)
        self.limits.step()
        self.lineno = node.pos.line
        self.subst_status = None
        argv = self.fields(node.args) if node.args else []
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

    # --- bash's simple commands ---------------------------------------------------------------

    def simple_bash(self, node: Simple, tested: bool) -> int:
        self.limits.step()
        self.lineno = node.pos.line
        self.subst_status = None
        mark = len(self.procsubsts)
        try:
            return self._simple_bash(node, tested)
        finally:
            if len(self.procsubsts) > mark:
                self.finish_procsubsts(mark)

    def _simple_bash(self, node: Simple, tested: bool) -> int:
        arrays_traced: list[str] = []
        if isinstance(node, DeclSimple):
            argv = self.decl_argv(node, arrays_traced)
        else:
            argv = self.fields(node.args) if node.args else []
        if not argv:
            for a in node.assigns:
                self.bash_assign(a, trace=self.xtrace)
            st = self.subst_status or 0
            if node.redirs:
                st = self.with_redirects(node.redirs, lambda: st)
            self.set_pipestatus([st])
            return st
        assigns: list[tuple[str, str]] = []
        for a in node.assigns:
            if isinstance(a.value.parts[0] if a.value.parts else None, ArrayLit) or a.index:
                continue  # bash ignores array assignments before a command
            value = expand.assignment(self, a.value)
            if a.append:
                value = (self.lookup(a.name) or "") + value
            assigns.append((a.name, value))
        if self.xtrace:
            for line in arrays_traced:
                self.trace_line(line)
            self.trace_bash(assigns, argv)
        if node.redirs:
            st = self.with_redirects(
                node.redirs, lambda: self.dispatch(argv, assigns, node, tested)
            )
        else:
            st = self.dispatch(argv, assigns, node, tested)
        self.last_arg = argv[-1]
        if self.opened:
            for sink in self.opened:
                sink.flush()
        self.set_pipestatus([st])
        return st

    def set_pipestatus(self, statuses: list[int]) -> None:
        arr = expand.Arr()
        arr.fill([str(v) for v in statuses])
        self.arrays["PIPESTATUS"] = arr

    def decl_argv(self, node: DeclSimple, traced: list[str]) -> list[str]:
        """The words of ``declare``/``local``/``export``/``readonly``/``typeset``: an
        assignment is expanded as one (no splitting); an array's elements wait in
        ``pending_arrays`` for the builtin, which gets the bare name."""
        argv: list[str] = []
        for w, a in zip(node.args, node.decls, strict=True):
            if a is None:
                argv.extend(expand.word_fields(self, w))
                continue
            lit = a.value.parts[0] if len(a.value.parts) == 1 else None
            if isinstance(lit, ArrayLit):
                items = self.array_items(lit)
                self.pending_arrays[a.name] = (items, a.append)
                q = expand.bash_single_quote
                shown = " ".join(q(v) if k is None else f"[{k}]={q(v)}" for k, v in items)
                traced.append(f"{a.name}{'+' if a.append else ''}=({shown})")
                argv.append(a.name)
                continue
            value = expand.assignment(self, a.value)
            index = "" if a.index is None else f"[{expand.string(self, a.index)}]"
            argv.append(f"{a.name}{index}{'+=' if a.append else '='}{value}")
        return argv

    def array_items(self, lit: ArrayLit) -> list[tuple[str | None, str]]:
        """An array literal's elements, expanded: (key or None, value)."""
        items: list[tuple[str | None, str]] = []
        for key, value in lit.items:
            if key is None:
                items.extend((None, v) for v in expand.word_fields(self, value))
            else:
                items.append((expand.string(self, key), expand.assignment(self, value)))
        self.held([v for _, v in items])
        return items

    def assign_array(
        self,
        name: str,
        items: list[tuple[str | None, str]],
        append: bool,
        assoc: bool | None = None,
    ) -> None:
        """``name=(...)`` or ``name+=(...)`` with the elements expanded."""
        name = self.resolve(name)
        if name in self.readonly:
            raise expand.bash_abort(f"{name}: readonly variable")
        old = self.arrays.get(name)
        if assoc is None:
            assoc = old is not None and old.assoc
        arr = expand.Arr(assoc)
        if append:
            if old is not None:
                arr = old  # grows in place: a loop of a+=(x) stays linear
            elif name in self.vars:
                arr.set("0" if assoc else 0, self.vars[name])
        self.arrays[name] = arr
        self.vars.pop(name, None)
        self.unassigned.discard(name)
        nxt = arr.next_index()
        pending_key: str | None = None
        for key, value in items:
            if assoc:
                if key is None:
                    # (k1 v1 k2 v2): bash 5.1's pairs without brackets
                    if pending_key is None:
                        pending_key = value
                        continue
                    key, pending_key = pending_key, None
                old_value = arr.get(key) if append else None
                arr.set(key, self.attr_value(name, value))
                del old_value
                continue
            if key is not None:
                k = expand.bash_arith(self, key) if key.strip() else 0
                if k < 0:
                    k += arr.next_index()
                    if k < 0:
                        raise expand.bash_abort(f"{name}[{key}]: bad array subscript")
                nxt = k
            arr.set(nxt, self.attr_value(name, value))
            nxt += 1
        if pending_key is not None:
            arr.set(pending_key, "")

    def bash_assign(self, a: Assign, trace: bool = False) -> None:
        """Perform one assignment of a command without words."""
        parts = a.value.parts
        if len(parts) == 1 and isinstance(parts[0], ArrayLit):
            if trace:
                self.trace_line(f"{a.name}{'+' if a.append else ''}={parts[0].text}")
            self.assign_array(a.name, self.array_items(parts[0]), a.append)
            return
        value = expand.assignment(self, a.value)
        if a.index is not None:
            index = expand.string(self, a.index)
            if trace:
                self.trace_line(f"{a.name}[{index}]{'+' if a.append else ''}={self.xq(value)}")
            name, key = self.subscript(a.name, index)
            if isinstance(key, int) and key < 0:
                raise expand.bash_abort(f"{a.name}[{index}]: bad array subscript")
            if a.append:
                value = self.appended(name, self.get_element(name, key), value)
            self.set_element(name, key, value)
            return
        if trace:
            self.trace_line(f"{a.name}{'+' if a.append else ''}={self.xq(value)}")
        if a.append:
            name = self.resolve(a.name)
            arr = self.arrays.get(name)
            if arr is not None:
                first: int | str = "0" if arr.assoc else 0
                self.set_element(name, first, self.appended(name, arr.get(first), value))
                return
            value = self.appended(name, self.vars.get(name), value)
            self.set_var(name, value)
            return
        self.set_var(a.name, value)

    def appended(self, name: str, old: str | None, value: str) -> str:
        """``name+=value``: added for an integer variable, else joined."""
        if "i" in self.attrs.get(name, "") and not self.attrs[name].startswith("n="):
            return str(expand.bash_arith(self, old or "0") + expand.bash_arith(self, value))
        return (old or "") + value

    def xq(self, word: str) -> str:
        """A word quoted as bash's ``set -x`` shows it, in this shell's locale."""
        return bash_xquote(word, self.utf8())

    def trace_line(self, text: str) -> None:
        ps4 = self.vars.get("PS4", "+ ")
        self.err((ps4[:1] * self.level + ps4[1:] if ps4 else "") + text + "\n")

    def trace_bash(self, assigns: list[tuple[str, str]], argv: list[str]) -> None:
        words = [f"{n}={self.xq(v)}" for n, v in assigns]
        words.extend(self.xq(a) for a in argv)
        self.trace_line(" ".join(words))

    def failed(self, st: int) -> None:
        """bash: a command failed where ``set -e`` counts failures: the ERR trap, then
        ``set -e``."""
        action = self.traps.get("ERR")
        if action is not None and not self.in_trap:
            self.in_trap = True
            saved = self.status
            self.status = st
            try:
                # the ERR trap runs as if on the line that failed ($LINENO says where)
                self.eval_text(action, "trap", self.lineno)
            finally:
                self.in_trap = False
                self.status = saved
        if self.errexit:
            raise _Exit(st)

    # --- bash's compound commands -------------------------------------------------------------

    def arith_cmd(self, node: ArithCmd) -> int:
        self.limits.step()
        self.lineno = node.pos.line
        text = expand.string(self, node.expr)
        if self.xtrace:
            self.trace_line(f"(( {text} ))")
        st = self.arith_status("((", text)
        self.set_pipestatus([st])
        return st

    def arith_status(self, who: str, text: str) -> int:
        """0 when ``text`` evaluates to non-zero, 1 when to zero or on an error (which
        is reported as ``WHO: ...``)."""
        try:
            return 0 if expand.bash_arith(self, text) else 1
        except ExpansionError as e:
            if expand.bash_kind(e) != "arith":
                raise
            self.warn(f"{who}: {e.message}")
            return 1

    def run_for_arith(self, node: ForArith, tested: bool) -> int:
        failed = [False]

        def step(word: Word | None) -> int:
            """The expression's value (1 when missing); an error ends the loop."""
            if word is None:
                return 1
            text = expand.string(self, word).lstrip(" \t\n")
            if self.xtrace:
                self.trace_line(f"(( {text} ))")
            try:
                return expand.bash_arith(self, text)
            except ExpansionError as e:
                if expand.bash_kind(e) != "arith":
                    raise
                self.warn(f"((: {e.message}")
                failed[0] = True
                return 0

        self.lineno = node.pos.line
        step(node.init)
        if failed[0]:
            return 1
        first = [True]

        def one(_: object) -> int | None:
            if not first[0]:
                step(node.step)
            first[0] = False
            if failed[0] or not step(node.cond) or failed[0]:
                return None
            return self.run(node.body, tested)

        st = self.loop(itertools.repeat(None), one)
        return 1 if failed[0] else st

    def cond_cmd(self, node: CondCmd) -> int:
        self.limits.step()
        self.lineno = node.pos.line
        try:
            st = 0 if self.cond(node.expr) else 1
        except _CondError as e:
            if e.message:
                self.warn(e.message)
            st = e.status
        self.set_pipestatus([st])
        return st

    def cond(self, e: CondExpr) -> bool:
        match e:
            case CondAndOr(op="&&", left=left, right=right):
                return self.cond(left) and self.cond(right)
            case CondAndOr(left=left, right=right):
                return self.cond(left) or self.cond(right)
            case CondNot(expr=inner):
                return not self.cond(inner)
            case CondWord(word=w):
                v = expand.string(self, w)
                if self.xtrace:
                    self.trace_line(f"[[ {self.xq(v)} ]]")
                return v != ""
            case CondUnary(op=op, word=w):
                v = expand.string(self, w)
                if self.xtrace:
                    self.trace_line(f"[[ {op} {self.xq(v)} ]]")
                return self.cond_unary(op, v)
            case CondBinary(op=op, left=lw, right=rw):
                return self.cond_binary(op, lw, rw)
        return False  # pragma: no cover

    def cond_unary(self, op: str, v: str) -> bool:
        if op == "-v":
            m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(.*)\])?", v, re.S)
            if m is None:
                return False
            if m.group(2) is None:
                return self.lookup(m.group(1)) is not None
            name, key = self.subscript(m.group(1), m.group(2))
            return self.get_element(name, key) is not None
        if op == "-o":
            return dict(self.set_options()).get(v, False)
        if op == "-R":
            return self.attrs.get(v, "").startswith("n=")
        if op == "-N":
            return False
        if op == "-a":
            op = "-e"
        caller = coreutils.Caller(self.fs, self.ident, self.cwd)
        return coreutils.test_unary(caller, op, v)

    def cond_binary(self, op: str, lw: Word, rw: Word) -> bool:
        left = expand.string(self, lw)
        icase = "nocasematch" in self.shopts
        if op in ("==", "=", "!="):
            pat = expand.pattern(self, rw)
            if self.xtrace:
                self.trace_line(f"[[ {self.xq(left)} {op} {pat} ]]")
            hit = expand.match(pat, left, ext=True, icase=icase)
            return hit if op != "!=" else not hit
        if op == "=~":
            return self.regex_match(left, rw, icase)
        right = expand.string(self, rw)
        if self.xtrace:
            self.trace_line(f"[[ {self.xq(left)} {op} {self.xq(right)} ]]")
        if op in ("<", ">"):
            a, b = left.encode("utf-8", "surrogateescape"), right.encode("utf-8", "surrogateescape")
            return a < b if op == "<" else a > b
        if op in ("-nt", "-ot", "-ef"):
            caller = coreutils.Caller(self.fs, self.ident, self.cwd)
            return coreutils.test_binary(caller, left, op, right)
        try:
            x = expand.bash_arith(self, left)
            y = expand.bash_arith(self, right)
        except ExpansionError as e:
            if expand.bash_kind(e) != "arith":
                raise
            raise _CondError(f"[[: {e.message}") from None
        return {"-eq": x == y, "-ne": x != y, "-lt": x < y, "-le": x <= y, "-gt": x > y,
                "-ge": x >= y}[op]  # fmt: skip

    def regex_match(self, left: str, rw: Word, icase: bool) -> bool:
        """``[[ s =~ re ]]``: POSIX extended regular expression, quoted parts literal;
        the match and its groups go to BASH_REMATCH."""
        text = expand.regex_pattern(self, rw)
        if self.xtrace:
            self.trace_line(f"[[ {self.xq(left)} =~ {text} ]]")
        rx = expand.ere(text, icase)
        if rx is None:
            raise _CondError("", 2)
        m = rx.search(left)
        arr = expand.Arr()
        if m is not None:
            arr.fill([g if g is not None else "" for g in (m.group(0), *m.groups())])
        self.arrays["BASH_REMATCH"] = arr
        return m is not None

    def dispatch(
        self, argv: list[str], assigns: list[tuple[str, str]], node: Simple | None, tested: bool
    ) -> int:
        name = argv[0]
        alias = self.aliases.get(name)
        if (
            alias is not None
            and node is not None
            and node.pos.line > self.alias_lines.get(name, 0)
            and (not self.bash or "expand_aliases" in self.shopts)
        ):
            argv = alias.split() + argv[1:]
            if not argv:
                return 0
            name = argv[0]
        if name in self.special:
            for k, v in assigns:
                self.set_var(k, v)
            return self.call_builtin(name, argv, special=True)
        if name == "local" and not self.bash:
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
            if self.bash and k in self.readonly:
                self.warn(f"{k}: readonly variable")
                continue
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
        if self.bash:
            return self.call_function_bash(f, argv, assigns, tested)
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

    def call_function_bash(
        self, f: FuncDef, argv: list[str], assigns: list[tuple[str, str]], tested: bool
    ) -> int:
        """A bash function: FUNCNAME and BASH_SOURCE grow, messages name the file the
        function came from ("environment" for ``bash -c``), locals may be arrays."""
        with self.limits.nested():
            saved_params, saved_src = self.params, self.srcname
            stacks = {k: self.arrays.get(k) for k in ("FUNCNAME", "BASH_SOURCE")}
            src = self.funcsrc.get(f.name, "environment")
            for k, top in (("FUNCNAME", f.name), ("BASH_SOURCE", src)):
                below = stacks[k]
                grown = expand.Arr()
                grown.fill([top, *(below.values() if below is not None else [])])
                self.arrays[k] = grown
            self.params = argv[1:]
            self.srcname = src
            frame: dict[str, tuple[str | None, bool]] = {}
            bframe: dict[str, tuple[expand.Arr | None, str | None, bool]] = {}
            self.frames.append(frame)
            self.bframes.append(bframe)
            for k, v in assigns:
                frame.setdefault(k, (self.vars.get(k), k in self.exported))
                self.set_var(k, v)
                self.exported.add(k)
            try:
                return self.exec(f.body, tested)
            except _Return as r:
                return r.value
            except ExpansionError as e:
                if getattr(e, "bash_where", None) is None:
                    setattr(e, "bash_where", (self.srcname, self.lineno))  # noqa: B010
                raise
            finally:
                self.params, self.srcname = saved_params, saved_src
                for k, stack in stacks.items():
                    if stack is None:
                        self.arrays.pop(k, None)
                    else:
                        self.arrays[k] = stack
                self.frames.pop()
                self.bframes.pop()
                for k, (hidden, attrs, ro) in bframe.items():
                    self.arrays.pop(k, None)
                    self.attrs.pop(k, None)
                    if hidden is not None:
                        self.arrays[k] = hidden
                    if attrs is not None:
                        self.attrs[k] = attrs
                    if ro:
                        self.readonly.add(k)
                    else:
                        self.readonly.discard(k)
                for k, (old, was_exported) in frame.items():
                    if k == "-":
                        self.restore_options(old or "")
                    else:
                        self.restore_var(k, old, was_exported, reexport=True)

    # --- programs ------------------------------------------------------------------------------

    def abspath(self, p: str) -> str:
        return posixpath.normpath(posixpath.join(self.cwd, p)) if p else self.cwd

    def find(self, name: str, path_var: str | None = None, cwd: str | None = None) -> str | None:
        found = self.find_program(name, path_var, cwd)
        return found[0] if found is not None else None

    def find_program(
        self, name: str, path_var: str | None = None, cwd: str | None = None
    ) -> tuple[str, File] | None:
        """Where execvp finds ``name`` (relative $PATH entries from ``cwd``), and its file."""
        cwd = self.cwd if cwd is None else cwd
        if "/" in name:
            target = posixpath.join(cwd, name)
            return find_program(self.fs, target, "", self.ident)
        if path_var is None:
            path_var = self.vars.get("PATH", DEFAULT_PATH)
        if not path_is_absolute(path_var):
            dirs = path_dirs(path_var)
            path_var = ":".join(d if d.startswith("/") else posixpath.join(cwd, d) for d in dirs)
        try:
            return find_program(self.fs, name, path_var, self.ident)
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

    def exec_program(self, run: Launch, depth: int = 0, *, bare: bool = False) -> int:
        """Find and run a program as ``execvp`` would (no builtins, no functions).

        A file with neither ``#!`` nor a binary's header fails execve with ENOEXEC; ash
        and glibc's execvp then run it with /bin/sh. ``bare``: a plain execve (runc, for
        exec-form RUN), which has no such fallback: "exec format error".
        """
        name, err = run.argv[0], run.err
        path_var = run.env.get("PATH", DEFAULT_PATH)
        applet = self.is_applet(name)
        program = None if applet else self.find_program(name, path_var, run.cwd)
        found = name if applet else program[0] if program is not None else None
        if found is None:
            if "/" in name:
                node = self._lookup(posixpath.join(run.cwd, name))
                if node is not None:
                    dir_ = self.bash and isinstance(node, Dir)
                    why = "Is a directory" if dir_ else "Permission denied"
                    err.write(self.cannot_run(name, why))
                    return 126
            self.world.unemulated.append(Unemulated(name, run.pos, None))
            excuse = permissive.excused(name)  # --permissive, after skipped commands
            if excuse is not None:
                err.write(excuse)
                return 0
            if self.bash and "/" in name:
                err.write(self.cannot_run(name, "No such file or directory"))
            else:
                err.write(self.cannot_run(name, "not found"))
            return 127
        base = posixpath.basename(name)
        registry = self.world.registry
        if base in SHELL_NAMES and registry.get(base) is None:
            # sh is this interpreter, even where /bin/sh links to a busybox with a handler;
            # it is bash where the image's sh is bash (Red Hat's images).
            if self.is_bash(found):
                return self.run_sh(run, bash=True, path=found)
            return self.run_sh(run)
        shebang = self._shebang(found, program[1] if program is not None else None)

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
            if real in BASH_NAMES or base in BASH_NAMES:
                return self.run_sh(run, bash=True, path=found)
            if real in SHELL_NAMES:
                return self.run_sh(run)
            if shebang is not None and depth < 4:
                return interpreted(shebang)
            if shebang is None and depth < 4 and self._plain_text(found):
                if bare:
                    err.write(f"exec {name}: exec format error\n")
                    return 1
                return interpreted(["/bin/sh"])
            self.world.unemulated.append(Unemulated(name, run.pos, found))
            if permissive.active():  # this command only is skipped; the script goes on
                err.write(permissive.skipped(name))
                return 0
            err.write(self.cannot_run(name, "not found"))
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

    def cannot_run(self, name: str, why: str) -> str:
        """The message of a command that cannot run, as the shell words it."""
        if self.bash:
            if why == "not found":
                why = "command not found"
            return f"{self.srcname}: line {self.lineno}: {name}: {why}\n"
        return f"sh: {name}: {why}\n"

    def is_bash(self, found: str) -> bool:
        """Whether the program at ``found`` is bash (``/bin/sh`` links to it on Red Hat)."""
        try:
            real = self.fs.realpath(found)
        except EmuError:
            return False
        return posixpath.basename(real) in BASH_NAMES

    def _lookup(self, path: str) -> object:
        try:
            return self.fs.lookup(path)
        except EmuError:
            return None

    def is_applet(self, name: str) -> bool:
        """A bare name busybox ash runs as its own applet, before any PATH search."""
        if "/" in name or name in SHELL_NAMES:
            return False
        if not self._busybox_shell():
            return False
        names = _APPLET_NAMES.get("names")
        if names is None:
            from emu.sh.utils.misc import applet_names  # the shell core needs no utility otherwise

            names = _APPLET_NAMES["names"] = frozenset(applet_names())
        return name in names

    def _busybox_shell(self) -> bool:
        """Whether the image's /bin/sh is Debian's static busybox, whose ash runs its
        applets before any PATH search and without links (FEATURE_SH_STANDALONE, seen with
        BuildKit). Alpine's busybox is a different build and keeps the PATH order.

        Known once per shell: it is how the running binary was built, which a script
        replacing /bin/sh does not change (a nested ``sh`` is a new shell and looks again).
        """
        if self.standalone is None:
            try:
                node = self.fs.lookup("/bin/sh")
            except EmuError:
                node = None
            content = node.content if isinstance(node, File) else None
            self.standalone = (
                isinstance(content, Blob) and "sh-standalone-applets" in content.traits
            )
        return self.standalone

    def _plain_text(self, path: str) -> bool:
        """Real bytes with no ``#!`` and no ELF header: what execve refuses with ENOEXEC
        (a modelled binary, known by size only, is a program emu lacks instead)."""
        node = self._lookup(path)
        data = node.data if isinstance(node, File) else None
        return data is not None and not data.startswith((b"#!", b"\x7fELF"))

    def _shebang(self, path: str, node: object = None) -> list[str] | None:
        if node is None:
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

    def run_sh(self, run: Launch, bash: bool = False, path: str = "") -> int:
        """``sh [-eux] [-o opt] [-c SCRIPT [NAME [ARGS]] | FILE [ARGS] | -s]`` (or bash,
        whose program is at ``path``) in a nested interpreter, as a child process: only
        the environment is inherited."""
        child = Shell(self.world, run.cwd)
        child.fds = {0: run.stdin, 1: run.out, 2: run.err}
        child.init_vars(run.env, run.cwd)
        child.umask = self.umask  # a child process inherits the umask
        self.world.next_pid += 1
        child.pid = child.bashpid = self.world.next_pid
        with self.limits.nested():
            try:
                return child.start(run.argv, bash, path or run.argv[0], run.stdin)[0]
            except _Killed as k:
                # The parent reports how its foreground child died (ash: not for INT, PIPE).
                if k.message:
                    run.err.write(k.message + "\n")
                return 128 + k.signum

    def start(
        self, argv: list[str], bash: bool, path: str, stdin: Source
    ) -> tuple[int, ShellError | None]:
        """Run as the shell ``argv`` starts: its options, then ``-c SCRIPT``, a script
        file or standard input."""
        prog = argv[0]
        err = self.fds.get(2)
        assert isinstance(err, Stream)
        if bash:
            self.arg0 = prog
        try:
            a = parse_shell_argv(argv[1:], bash, prog)
        except ShellUsage as e:
            err.write(e.message)
            return e.status, None
        where = ""
        if a.command is not None:
            if a.operands:
                self.arg0 = a.operands.pop(0)
            self.params = a.operands
            text = a.command
            if bash:
                where = f"{self.arg0}: -c: "
        elif a.operands and not a.stdin:
            script = a.operands.pop(0)
            self.arg0 = script
            self.params = a.operands
            self.cmode = False
            # `sh file` reads the file relative to the working directory, not via $PATH.
            node = self._lookup(posixpath.join(self.cwd, script)) if script else None
            data = node.data if isinstance(node, File) else None
            if data is None:
                if bash:
                    err.write(f"{prog}: {script}: No such file or directory\n")
                    return 127, None
                err.write(f"sh: can't open '{script}': No such file or directory\n")
                return 2, None
            text = data.decode("utf-8", "surrogateescape")
            where = f"{script}: "
        else:
            self.params = a.operands
            self.cmode = False
            text = stdin.rest().decode("utf-8", "surrogateescape")
            where = f"{prog}: "
        if bash:
            self.init_bash(path)
            for name, on in a.shopts:
                if on:
                    self.shopts.add(name)
                else:
                    self.shopts.discard(name)
        for flag, on in a.flags:
            if flag.startswith("o:"):
                self.set_long_option(flag[2:], on)
            else:
                self.set_flag(flag, on)
        if bash and a.login:
            self.login_profile()
        return self.main(text, where)

    def login_profile(self) -> None:
        """``bash -l``: /etc/profile, then the first of ~/.bash_profile, ~/.bash_login
        and ~/.profile, when they exist."""
        home = self.vars.get("HOME", "/")
        for path in ("/etc/profile", *(posixpath.join(home, f) for f in _PROFILES)):
            node = self._lookup(path)
            if isinstance(node, File):
                saved = self.srcname
                self.srcname = path
                try:
                    self.eval_text((node.data or b"").decode("utf-8", "surrogateescape"), ".")
                except _Return:
                    pass
                finally:
                    self.srcname = saved
                if path != "/etc/profile":
                    return

    # --- redirections ----------------------------------------------------------------------------

    def with_redirects(self, redirs: tuple[Redirect, ...], body: Callable[[], int]) -> int:
        saved = self.fds
        opened: list[FileSink] = []
        try:
            fds = self.open_redirects(redirs, opened)
        except _RedirError as e:
            for s in opened:
                s.close()
            if self.bash:
                self.warn(e.bash)
            else:
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
            if self.bash:
                if op == "<<<":
                    text = expand.string(self, r.target) + "\n"
                    fds[r.fd] = Source(text.encode("utf-8", "surrogateescape"))
                    continue
                target = self.bash_target(r.target)
                if op == "&>>":
                    sink = self.open_write(target, True, False, opened)
                    fds[1] = fds[2] = sink
                    continue
            else:
                target = expand.string(self, r.target)
            if op in (">&", "<&"):
                if target == "-":
                    old = fds.get(r.fd)
                    if isinstance(old, FileSink):
                        old.flush()
                    fds[r.fd] = ClosedSink()
                    continue
                if target.isascii() and target.isdigit():
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

    def bash_target(self, word: Word) -> str:
        """A redirection's target as bash expands it: split and globbed, and it must be
        one word."""
        if word.lit is not None:
            return word.lit
        found = expand.word_fields(self, word)
        if len(found) != 1:
            raise _RedirError("", f"{_dp_word(word)}: ambiguous redirect")
        return found[0]

    def _device(self, path: str, fds: dict[int, Fd] | None = None) -> Fd | None:
        if not path.startswith("/dev/"):
            # A link to one (nginx's ``ln -sf /dev/stdout /var/log/access.log``) leads to
            # /proc/self/fd/N, the process's own descriptor.
            try:
                path = self.fs.realpath(path, missing_ok=True)
            except FsError:
                return None
            if not path.startswith(("/dev/", "/proc/self/fd/")):
                return None
        if path == "/dev/null":
            return NullSink(None)
        table = self.fds if fds is None else fds
        if path in ("/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"):
            return table.get(1)
        if path in ("/dev/stderr", "/dev/fd/2", "/proc/self/fd/2"):
            return table.get(2)
        if path in ("/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"):
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
        node = self.lookup_or(
            path, lambda why: _RedirError(f"can't open {target}: {why}", f"{target}: {why}")
        )
        if node is None:
            raise _RedirError(
                f"can't open {target}: no such file", f"{target}: No such file or directory"
            )
        if not allowed(node, self.ident, R_OK):
            raise _RedirError(
                f"can't open {target}: Permission denied", f"{target}: Permission denied"
            )
        if isinstance(node, File):
            return Source(node.data or b"")
        if isinstance(node, Device):  # `tr -dc a-z < /dev/urandom | head -c 32`
            return Source(node.read(self.limits.max_output + 1))  # as utils' endless()
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
        node = self.lookup_or(
            path, lambda why: _RedirError(f"can't create {target}: {why}", f"{target}: {why}")
        )
        if isinstance(node, Dir):
            raise _RedirError(f"can't create {target}: Is a directory", f"{target}: Is a directory")
        if isinstance(node, Device):
            return NullSink(None)
        if node is None:
            if self.ident.uid != 0:
                parent = self._lookup(posixpath.dirname(path))
                if isinstance(parent, Dir) and not allowed(parent, self.ident, W_OK | X_OK):
                    raise _RedirError(
                        f"can't create {target}: Permission denied", f"{target}: Permission denied"
                    )
            meta = Meta(0o666 & ~self.umask, self.ident.uid, self.ident.gid, self.world.now)
            try:
                # O_CREAT follows a dangling symlink to create its target.
                fs.put(path, File(meta, b""), follow_last=True)
            except FsError as e:
                if e.errno in (errno.ENOENT, errno.ENOTDIR):
                    raise _RedirError(
                        f"can't create {target}: nonexistent directory",
                        f"{target}: No such file or directory",
                    ) from None
                raise _RedirError(
                    f"can't create {target}: {e.strerror}", f"{target}: {e.strerror}"
                ) from None
            self.limits.created()
            sink = FileSink(self.world, path, bytearray(), append)
        else:
            if not allowed(node, self.ident, W_OK):
                raise _RedirError(
                    f"can't create {target}: Permission denied", f"{target}: Permission denied"
                )
            if clobber_check and self.noclobber and isinstance(node, File):
                raise _RedirError(
                    f"can't create {target}: File exists",
                    f"{target}: cannot overwrite existing file",
                )
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

    def eval_text(self, text: str, what: str, line: int = 1) -> int:
        """Parse and run ``text`` in this shell (``eval``, ``.``, traps); bash numbers its
        lines from ``line``."""
        if self.bash:
            return self.eval_bash(text, what, line)
        script, error = parse_partial(text)
        st = self.run(script.body) if script.body else 0
        if error is not None:
            raise BuiltinError(error.message)
        return st

    def eval_bash(self, text: str, what: str, line: int = 1) -> int:
        """bash's eval (and traps, sourced files): an expansion error abandons only
        this text; a syntax error is reported as ``NAME: WHAT: line N: ...``."""
        script, error = self.parse(text, line)
        if what == "eval":
            self.level += 1
        try:
            st = self.run(script.body) if script.body else 0
        except ExpansionError as e:
            if expand.bash_kind(e) not in ("abort", "arith"):
                raise
            self.fatal_message(e)
            st = 1
        finally:
            if what == "eval":
                self.level -= 1
        if error is not None:
            where = f"{self.srcname}: {what}: " if what != "." else f"{self.srcname}: "
            self.syntax_message(error, text, where)
            return 2 if what == "eval" else 1
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
        if self.bash and c in _BASH_LETTERS:
            return self.set_long_option(_BASH_LETTERS[c], on)
        return self._set_option(_FLAGS.get(c), on)

    def set_long_option(self, name: str, on: bool) -> bool:
        """``set -o NAME``/``+o NAME``; False when there is no such option."""
        if self.bash and name not in _LONG and name in BASH_SET_OPTIONS:
            if on:
                self.bopts.add(name)
            else:
                self.bopts.discard(name)
            return True
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

    def init_bash(self, bash_path: str) -> None:
        """The shell becomes bash: its builtins, options and variables."""
        self.bash = True
        self.builtins, self.special = _bi.BASH_BUILTINS, frozenset()
        self.bopts = {"braceexpand", "hashall", "interactive-comments"}
        self.shopts = set(BASH_DEFAULT_SHOPTS)
        self.srcname = self.arg0
        v = self.vars
        v["BASH_VERSION"] = BASH_VERSION
        v["BASH"] = bash_path
        v["HOSTTYPE"], v["OSTYPE"], v["MACHTYPE"] = "x86_64", "linux-gnu", "x86_64-pc-linux-gnu"
        v.setdefault("HOSTNAME", "buildkitsandbox")
        v["UID"] = str(self.ident.uid)
        v["EUID"] = str(self.ident.uid)
        v.setdefault("OPTERR", "1")
        v.pop("PS1", None)
        for key in [k for k in v if k.startswith("BASH_FUNC_") and k.endswith("%%")]:
            value = v.pop(key)
            self.exported.discard(key)
            name = key[len("BASH_FUNC_") : -2]
            if not value.startswith("() "):
                continue
            script, error = parse_partial(f"{name} {value}", bash=True)
            if error is None and len(script.body) == 1 and isinstance(script.body[0], FuncDef):
                self.funcs[name] = script.body[0]
                self.exported_funcs.add(name)
        info = expand.Arr()
        info.fill(list(BASH_VERSINFO))
        self.arrays["BASH_VERSINFO"] = info
        self.readonly.update(("BASH_VERSINFO", "UID", "EUID", "PPID"))

    def utf8(self) -> bool:
        """Whether the locale is UTF-8 (else bash works in bytes, as in the C locale)."""
        for name in ("LC_ALL", "LC_CTYPE", "LANG"):
            value = self.vars.get(name)
            if value:
                return "utf-8" in value.lower() or "utf8" in value.lower()
        return False

    def parse(self, text: str, line: int = 1) -> tuple[Script, ShellError | None]:
        if self.bash:
            return parse_partial(text, line=line, bash=True, utf8=self.utf8())
        return parse_partial(text)

    def syntax_message(self, error: ShellError, text: str, where: str) -> None:
        """bash's report of a syntax error: ``WHERE line N: ...`` and, after an
        unexpected token, the line itself."""
        line = error.pos.line if error.pos is not None else 1
        self.err(f"{where}line {line}: {error.message}\n")
        if shows_line(error):
            lines = text.split("\n")
            shown = lines[line - 1] if 0 < line <= len(lines) else ""
            self.err(f"{where}line {line}: `{shown}'\n")

    def main_bash(self, text: str, where: str) -> tuple[int, ShellError | None]:
        """bash runs a script line by line: an expansion error abandons the rest of its
        line (status 1), a syntax error stops the script where it is met."""
        script, error = self.parse(text)
        bounds = [*script.groups, len(script.body)]

        def whole() -> int:
            nonlocal error
            st = 0
            try:
                for a, b in itertools.pairwise(bounds):
                    try:
                        st = self.run(script.body[a:b])
                    except ExpansionError as e:
                        if expand.bash_kind(e) not in ("abort", "arith"):
                            raise
                        self.fatal_message(e)
                        st = self.status = 1
            except (_Exit, _Return, ExpansionError):
                error = None
                raise
            if error is None:
                return st
            self.syntax_message(error, text, where)
            if error.message.startswith(_COND_ERRORS):
                return self.status  # bash leaves $? as it was after a [[ ]] error
            return 2

        try:
            st = self.status = self.ended(whole, top=True)
            st = self.exit_trap(st)
        finally:
            self.close_opened()
        return st & 0xFF, error

    def main(self, text: str, where: str = "") -> tuple[int, ShellError | None]:
        """Run a whole script as a shell process; its exit status and any syntax error.
        ``where`` is how bash names the script in a syntax error (``bash: -c: ``)."""
        if self.bash:
            return self.main_bash(text, where or f"{self.arg0}: -c: ")
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


_BASH_LETTERS = {
    "B": "braceexpand",
    "h": "hashall",
    "E": "errtrace",
    "T": "functrace",
    "H": "histexpand",
    "P": "physical",
    "k": "keyword",
    "m": "monitor",
    "b": "notify",
    "p": "privileged",
    "t": "onecmd",
}
BASH_VERSION = "5.2.15(1)-release"
BASH_VERSINFO = ("5", "2", "15", "1", "release", "x86_64-pc-linux-gnu")
# bash's `set -o` options, in its order.
BASH_SET_OPTIONS = (
    "allexport", "braceexpand", "emacs", "errexit", "errtrace", "functrace", "hashall",
    "histexpand", "history", "ignoreeof", "interactive-comments", "keyword", "monitor",
    "noclobber", "noexec", "noglob", "nolog", "notify", "nounset", "onecmd", "physical",
    "pipefail", "posix", "privileged", "verbose", "vi", "xtrace",
)  # fmt: skip
# bash 5.2's shopt options, in its order, and those on in a non-interactive shell.
BASH_SHOPTS = (
    "autocd", "assoc_expand_once", "cdable_vars", "cdspell", "checkhash", "checkjobs",
    "checkwinsize", "cmdhist", "compat31", "compat32", "compat40", "compat41", "compat42",
    "compat43", "compat44", "complete_fullquote", "direxpand", "dirspell", "dotglob",
    "execfail", "expand_aliases", "extdebug", "extglob", "extquote", "failglob",
    "force_fignore", "globasciiranges", "globskipdots", "globstar", "gnu_errfmt",
    "histappend", "histreedit", "histverify", "hostcomplete", "huponexit", "inherit_errexit",
    "interactive_comments", "lastpipe", "lithist", "localvar_inherit", "localvar_unset",
    "login_shell", "mailwarn", "no_empty_cmd_completion", "nocaseglob", "nocasematch",
    "noexpand_translation", "nullglob", "patsub_replacement", "progcomp", "progcomp_alias",
    "promptvars", "restricted_shell", "shift_verbose", "sourcepath", "varredir_close",
    "xpg_echo",
)  # fmt: skip
BASH_DEFAULT_SHOPTS = frozenset(
    ["checkwinsize", "cmdhist", "complete_fullquote", "extquote", "force_fignore",
     "globasciiranges", "globskipdots", "hostcomplete", "interactive_comments",
     "patsub_replacement", "progcomp", "promptvars", "sourcepath"]
)  # fmt: skip
_COND_ERRORS = ("unexpected argument", "syntax error in conditional", "unexpected token `")
_BASH_META = frozenset(" \t\n'\"\\|&;()<>!{}*[?]^$`")


def bash_xquote(s: str, utf8: bool = False) -> str:
    """A word as bash's ``set -x`` (and its other listings) write it: ``''`` when empty,
    single quotes around shell metacharacters, ``$'...'`` around unprintable text."""
    if s == "":
        return "''"
    if any(c in _BASH_META for c in s) or s[0] in "~#" or "=~" in s or ":~" in s:
        return expand.bash_single_quote(s)
    if not expand.printable(s, utf8):
        return expand.ansi_c_quote(s, utf8)
    return s


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
    "standalone",
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
    "pid",
    "bashpid",
    "loop_depth",
    "lineno",
    "funcname",
    "last_bg",
    "last_bg_status",
    "subst_status",
    "builtins",
    "special",
    "bash",
    "srcname",
    "rseed",
    "last_arg",
    "level",
    "rlast",
    "sourcing",
)


_PROFILES = (".bash_profile", ".bash_login", ".profile")


class ShellUsage(Exception):
    """A shell's command line it refuses: what it prints, and its status."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@record(slots=True)
class ShellArgs:
    """A shell's command line, understood: options (a letter, or ``o:NAME``), shopt
    options (bash), and what to run."""

    flags: list[tuple[str, bool]] = field(default_factory=list)
    shopts: list[tuple[str, bool]] = field(default_factory=list)
    command: str | None = None
    stdin: bool = False
    operands: list[str] = field(default_factory=list)
    login: bool = False


_BASH_INVOCATION_LETTERS = frozenset("abefhkmnptuvxBCEHPT")
_BASH_LONG_IGNORED = frozenset(
    ["--norc", "--noprofile", "--noediting", "--posix", "--restricted", "--verbose",
     "--debugger", "--debug", "--dump-strings", "--dump-po-strings", "--pretty-print"]
)  # fmt: skip


def parse_shell_argv(args: list[str], bash: bool, prog: str) -> ShellArgs:
    """The options of ``sh`` (busybox ash) or ``bash`` before what they run. Letters
    combine (``-xeo pipefail``: ``o`` takes the next word); ``-c`` takes the first word
    after the options as the script."""
    out = ShellArgs()
    args = list(args)
    command = False
    while args:
        opt = args[0]
        if opt in ("-", "--"):
            args.pop(0)
            break
        if bash and opt.startswith("--") and len(opt) > 2:
            args.pop(0)
            if opt == "--login":
                out.login = True
            elif opt in ("--rcfile", "--init-file"):
                if args:
                    args.pop(0)
            elif opt == "--version":
                raise ShellUsage(
                    f"GNU bash, version {BASH_VERSION} (x86_64-pc-linux-gnu)\n", 0
                )  # pragma: no cover - printed on stdout by bash; rare in builds
            elif opt not in _BASH_LONG_IGNORED:
                raise ShellUsage(f"{prog}: {opt}: invalid option\n{_BASH_USAGE}")
            continue
        if not opt.startswith(("-", "+")) or len(opt) < 2:
            break
        args.pop(0)
        on = opt[0] == "-"
        for c in opt[1:]:
            if c == "c":
                command = True
            elif c == "s":
                out.stdin = True
            elif c == "o" or (bash and c == "O"):
                if not args:
                    if c == "o":
                        continue
                    raise ShellUsage(f"{prog}: -O: option requires an argument\n{_BASH_USAGE}")
                name = args.pop(0)
                if c == "O":
                    if name not in BASH_SHOPTS:
                        raise ShellUsage(f"{prog}: {name}: invalid shell option name\n", 2)
                    out.shopts.append((name, on))
                elif bash:
                    if name not in BASH_SET_OPTIONS:
                        raise ShellUsage(f"{prog}: line 0: {prog}: {name}: invalid option name\n")
                    out.flags.append((f"o:{name}", on))
                else:
                    if name not in _LONG:
                        raise ShellUsage(f"sh: illegal option -o {name}\n")
                    out.flags.append((f"o:{name}", on))
            elif bash and c in "ilrD":
                if c == "l":
                    out.login = True
            elif (bash and c in _BASH_INVOCATION_LETTERS) or (not bash and c in _FLAGS):
                out.flags.append((c, on))
            elif bash:
                raise ShellUsage(f"{prog}: {opt[0]}{c}: invalid option\n{_BASH_USAGE}")
            else:
                raise ShellUsage(f"sh: illegal option -{c}\n")
    if command:
        if not args:
            if bash:
                raise ShellUsage(f"{prog}: -c: option requires an argument\n")
            raise ShellUsage("sh: -c requires an argument\n")
        out.command = args.pop(0)
    out.operands = args
    return out


_BASH_USAGE = """Usage:\tbash [GNU long option] [option] ...
\tbash [GNU long option] [option] script-file ...
GNU long options:
\t--debug
\t--debugger
\t--dump-po-strings
\t--dump-strings
\t--help
\t--init-file
\t--login
\t--noediting
\t--noprofile
\t--norc
\t--posix
\t--pretty-print
\t--rcfile
\t--restricted
\t--verbose
\t--version
Shell options:
\t-ilrsD or -c command or -O shopt_option\t\t(invocation only)
\t-abefhkmnptuvxBCEHPT or -o option
"""


class _CondError(Exception):
    """``[[ ]]`` could not decide: its status (and a message, unless empty)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class _RedirError(Exception):
    """A redirection that failed: ash's message, and bash's (``TARGET: WHY``)."""

    def __init__(self, message: str, bash: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.bash = bash if bash is not None else message


# --- entry points ------------------------------------------------------------------------------


def _apply_options(sh: Shell, options: str) -> None:
    words = options.replace(",", " ").split()
    k = 0
    while k < len(words):
        w = words[k].lstrip("-")
        if w in _LONG or (sh.bash and w in BASH_SET_OPTIONS):
            sh.set_long_option(w, True)
            k += 1
            continue
        for c in w:
            if c == "o" and k + 1 < len(words):
                # "-o pipefail", and letters before it ("-xeo pipefail")
                k += 1
                if not sh.set_long_option(words[k], True):
                    raise ShellError(f"illegal option -o {words[k]}")
            elif not sh.set_flag(c, True):
                raise ShellError(f"illegal option -{c}")
        k += 1


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
    dialect: str = "ash",
) -> RunResult:
    """Run ``script`` as ``sh -c script [args...]`` would, in the image ``fs``
    (``dialect`` ``"bash"``: as ``bash -c``, whose program is ``/bin/bash``).

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
        if dialect == "bash":
            sh.init_bash("/bin/bash")
        _apply_options(sh, options)
        return sh.main(script)

    world = _World(fs, ident, registry, limits, _clock(env, now))
    return _session(Shell(world, cwd), stdin, start)


def shell_dialect(fs: FS, program: str, path_var: str, ident: Identity) -> str | None:
    """Which shell ``program`` is in this image: ``"bash"``, ``"ash"`` (busybox ash, or
    dash, which emu runs as ash) or None (not a shell). Decided by the program and what
    its file is, never by what a script looks like."""
    base = posixpath.basename(program)
    if base not in SHELL_NAMES and base not in BASH_NAMES:
        return None
    return _dialect(fs, program, find_executable(fs, program, path_var, ident))


def _dialect(fs: FS, program: str, found: str | None) -> str | None:
    """shell_dialect of ``program`` found at ``found`` (None: nowhere)."""
    base = posixpath.basename(program)
    if base not in SHELL_NAMES and base not in BASH_NAMES:
        return None
    real = base
    if found is not None:
        with contextlib.suppress(EmuError):
            real = posixpath.basename(fs.realpath(found))
    return "bash" if base in BASH_NAMES or real in BASH_NAMES else "ash"


def run_shell(
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
    found: str = "",
) -> RunResult:
    """Run a shell as its command line says (Docker's ``SHELL ["/bin/bash", "-o",
    "pipefail", "-c"]`` plus the RUN line): its own options parsed as the shell parses
    them, in bash mode when the program is bash. ``found``: where the caller's own
    ``$PATH`` search found ``argv[0]`` ("": search here)."""
    if not found:
        found = find_executable(fs, argv[0], env.get("PATH", DEFAULT_PATH), ident) or ""
    bash = _dialect(fs, argv[0], found or None) == "bash"
    path = found or argv[0]

    def start(sh: Shell) -> tuple[int, ShellError | None]:
        sh.init_vars(env, cwd)
        sh.arg0 = argv[0]
        src = sh.fds[0]
        assert isinstance(src, Source)
        return sh.start(list(argv), bash, path, src)

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
        return sh.exec_program(run, bare=True), None

    world = _World(fs, ident, registry, limits, _clock(env, now))
    return _session(Shell(world, cwd), stdin, start)


def _session(
    sh: Shell, stdin: bytes, start: Callable[[Shell], tuple[int, ShellError | None]]
) -> RunResult:
    """Run a top-level shell and collect what it did; a :class:`LimitExceeded` leaves
    carrying the run so far as its ``result`` (status 137, as when the kernel kills)."""
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
        with shell_stack():
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
    "run_shell",
    "shell_dialect",
]


_APPLET_NAMES: dict[str, frozenset[str]] = {}  # busybox's applets, computed once


def _is_shell_script(shebang: list[str]) -> bool:
    """``#!/bin/sh``, ``#!/bin/bash -e``, ``#!/usr/bin/env sh``…"""
    prog = posixpath.basename(shebang[0])
    if prog == "env" and len(shebang) > 1:
        prog = posixpath.basename(shebang[1].split()[0])
    return prog in SHELL_NAMES or prog in BASH_NAMES


# --- bash's printing of functions (declare -f, type, export -f) ---------------------------


def deparse_function(f: FuncDef) -> str:
    """A function as bash prints it: ``name () `` then its body, re-indented."""
    body = f.body
    lines = [f"{f.name} () "]
    if isinstance(body, Group):
        lines.append("{ ")
        lines.extend(_dp_list(body.body, "    "))
        lines.append("}")
    elif isinstance(body, Subshell):
        lines.append("( ")
        lines.extend(_dp_list(body.body, "    "))
        lines.append(")")
    else:
        lines.extend(_dp(body, ""))
    return "\n".join(lines)


def _dp_list(cmds: Sequence[Command], ind: str, last: bool = False) -> list[str]:
    """Commands one per line, each ending with ``;`` (but the last, unless ``last``)."""
    out: list[str] = []
    for k, c in enumerate(cmds):
        lines = _dp(c, ind)
        if last or k < len(cmds) - 1:
            lines[-1] += ";"
        out.extend(lines)
    return out


def _dp_inline(cmds: Sequence[Command]) -> str:
    return "; ".join(" ".join(line.strip() for line in _dp(c, "")) for c in cmds)


def _dp(c: Command, ind: str) -> list[str]:
    deeper = ind + "    "
    match c:
        case Simple(assigns=assigns, args=args, redirs=redirs):
            words = [f"{a.name}{'+' if a.append else ''}={_dp_word(a.value)}" for a in assigns]
            words += [_dp_word(w) for w in args]
            words += [_dp_redir(r) for r in redirs]
            return [ind + " ".join(words)]
        case Pipeline(cmds=cmds, negated=negated):
            text = " | ".join(_dp_inline([x]) for x in cmds)
            return [ind + ("! " if negated else "") + text]
        case AndOr(op=op, left=left, right=right):
            return [ind + _dp_inline([left]) + f" {op} " + _dp_inline([right])]
        case If(cond=cond, body=body, orelse=orelse):
            out = [f"{ind}if {_dp_inline(cond)}; then", *_dp_list(body, deeper, True)]
            if orelse is not None:
                out.append(f"{ind}else")
                out.extend(_dp_list(orelse, deeper, True))
            out.append(f"{ind}fi")
            return out
        case For(name=name, items=items, body=body):
            listed = " ".join(_dp_word(w) for w in items) if items is not None else '"$@"'
            return [
                f"{ind}for {name} in {listed};",
                f"{ind}do",
                *_dp_list(body, deeper, True),
                f"{ind}done",
            ]
        case While(cond=cond, body=body, until=until):
            kw = "until" if until else "while"
            loop = _dp_list(body, deeper, True)
            return [f"{ind}{kw} {_dp_inline(cond)}; do", *loop, f"{ind}done"]
        case Case(word=word, items=items):
            out = [f"{ind}case {_dp_word(word)} in "]
            for item in items:
                out.append(f"{deeper}{' | '.join(_dp_word(p) for p in item.patterns)})")
                out.extend(_dp_list(item.body, deeper + "    "))
                out.append(f"{deeper}{item.end}")
            out.append(f"{ind}esac")
            return out
        case Group(body=body):
            return [f"{ind}{{ ", *_dp_list(body, deeper), f"{ind}}}"]
        case Subshell(body=body):
            return [f"{ind}( {_dp_inline(body)} )"]
        case Redirected(cmd=cmd, redirs=redirs):
            lines = _dp(cmd, ind)
            lines[-1] += " " + " ".join(_dp_redir(r) for r in redirs)
            return lines
        case ArithCmd(expr=expr):
            return [f"{ind}(({_dp_word(expr)}))"]
        case FuncDef():
            return [ind + line for line in deparse_function(c).split("\n")]
        case Background(cmd=cmd):
            return [ind + _dp_inline([cmd]) + " &"]
    return [ind + ":"]


def _dp_redir(r: Redirect) -> str:
    fd = "" if r.fd == (0 if r.op[0] == "<" else 1) or r.op.startswith("&") else str(r.fd)
    if r.heredoc is not None:
        return f"{fd}{r.op} {r.heredoc.delimiter}"
    space = "" if r.op in (">&", "<&") else " "
    return f"{fd}{r.op}{space}{_dp_word(r.target)}"


def _dp_word(w: Word) -> str:
    return "".join(_dp_part(p) for p in w.parts)


def _dp_part(p: object, dq: bool = False) -> str:
    from emu.sh import syntax as sx

    if isinstance(p, sx.Lit):
        return re.sub(r'([\\\\"$`])', r"\\\\\1", p.value) if dq else p.value
    if isinstance(p, sx.SglQuoted):
        if len(p.value) == 1 and not p.value.isalnum():
            return "\\" + p.value
        return "'" + p.value.replace("'", "'\\''") + "'"
    if isinstance(p, sx.DblQuoted):
        return '"' + "".join(_dp_part(q, True) for q in p.parts) + '"'
    if isinstance(p, sx.ParamExp):
        if p.op == "" and not p.length and p.index is None and not p.indirect:
            return (
                "$" + p.name if len(p.name) == 1 or p.name.isidentifier() else "${" + p.name + "}"
            )
        inner = ("#" if p.length else "") + ("!" if p.indirect else "") + p.name
        if p.index is not None:
            inner += "[" + _dp_word(p.index) + "]"
        if p.op == "bad":
            return p.name
        if p.op:
            inner += p.op + (_dp_word(p.arg) if p.arg is not None else "")
            if p.arg2 is not None:
                inner += ("/" if p.op.startswith("/") else ":") + _dp_word(p.arg2)
        return "${" + inner + "}"
    if isinstance(p, sx.CmdSubst):
        return "$(" + _dp_inline(p.body) + ")"
    if isinstance(p, sx.ArithExp):
        return "$((" + _dp_word(p.expr) + "))"
    if isinstance(p, sx.ProcSubst):
        return ("<(" if not p.out else ">(") + _dp_inline(p.body) + ")"
    if isinstance(p, sx.ArrayLit):
        return p.text
    return ""
