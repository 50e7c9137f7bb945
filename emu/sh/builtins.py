"""The shell's builtin commands, with busybox ash's behaviour and messages.

A builtin is ``fn(shell, argv) -> status``. It writes through ``sh.out``/``sh.err``, reads
``sh.stdin()``, and reports an error the way ash raises one by raising
:class:`~emu.sh.interp.BuiltinError` (printed as ``sh: NAME: line N: MESSAGE``, status 2; a
*special* builtin's error ends the shell). ``echo``, ``printf`` and ``test`` are builtins in
ash, so they work even in an image without ``/bin/echo``.
"""

from __future__ import annotations

import posixpath
import re
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from emu.fs import Dir, File
from emu.sh import coreutils, expand
from emu.sh.api import X_OK, allowed
from emu.sh.syntax import quote

if TYPE_CHECKING:
    from emu.sh.interp import Shell

Builtin = Callable[["Shell", list[str]], int]
BUILTINS: dict[str, Builtin] = {}
# POSIX's special builtins: prefix assignments stay, and an error ends the shell.
SPECIAL = frozenset(
    [":", ".", "source", "break", "continue", "eval", "exec", "exit", "export", "readonly",
     "return", "set", "shift", "times", "trap", "unset"]
)  # fmt: skip

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def builtin(*names: str) -> Callable[[Builtin], Builtin]:
    def deco(fn: Builtin) -> Builtin:
        for n in names:
            BUILTINS[n] = fn
        return fn

    return deco


def _error(message: str, status: int = 2) -> Exception:
    from emu.sh.interp import BuiltinError

    return BuiltinError(message, status)


def _number(s: str) -> int:
    """ash's ``number()``: a non-negative decimal or ``Illegal number``."""
    if not (s.isascii() and s.isdigit()):
        raise _error(f"Illegal number: {s}")
    return int(s)


# --- options and operands --------------------------------------------------------------------


def _option_words(args: list[str]) -> Iterator[str]:
    """A builtin's option words, each taken off the front of ``args`` as it is used, up to
    the first operand; ``--`` ends them and is taken off too."""
    while args and args[0].startswith("-") and len(args[0]) > 1:
        opt = args.pop(0)
        if opt == "--":
            return
        yield opt


def _operands(argv: list[str]) -> list[str]:
    """What a builtin without options is given: ``argv`` after its name, less a first ``--``."""
    args = argv[1:]
    return args[1:] if args[:1] == ["--"] else args


def _flag_pair(args: list[str], on: str, off: str, illegal: str) -> bool:
    """Two opposite flags (``cd -P``/``-L``, ``unset -f``/``-v``): whether the last given
    was ``on``. Any other option is an error (``illegal`` words it)."""
    state = False
    for opt in _option_words(args):
        if opt not in (on, off):
            raise _error(f"{illegal} {opt}")
        state = opt == on
    return state


# --- trivial -------------------------------------------------------------------------------


@builtin(":", "true")
def b_true(sh: Shell, argv: list[str]) -> int:
    return 0


@builtin("false")
def b_false(sh: Shell, argv: list[str]) -> int:
    return 1


@builtin("hash")
def b_hash(sh: Shell, argv: list[str]) -> int:
    return 0


@builtin("times")
def b_times(sh: Shell, argv: list[str]) -> int:
    sh.out("0m0.000s 0m0.000s\n0m0.000s 0m0.000s\n")
    return 0


@builtin("ulimit")
def b_ulimit(sh: Shell, argv: list[str]) -> int:
    if len(argv) == 1 or argv[1:] in (["-f"], ["-a"]):
        sh.out("unlimited\n")
    return 0


# --- control ---------------------------------------------------------------------------------


@builtin("exit", "return")
def b_exit(sh: Shell, argv: list[str]) -> int:
    from emu.sh.interp import _Exit, _Return

    st = _number(argv[1]) & 0xFF if len(argv) > 1 else sh.status
    raise (_Exit if argv[0] == "exit" else _Return)(st)


@builtin("break", "continue")
def b_break(sh: Shell, argv: list[str]) -> int:
    from emu.sh.interp import _Break, _Continue

    n = _number(argv[1]) if len(argv) > 1 else 1
    if n == 0:
        raise _error("Illegal number: 0")
    if sh.loop_depth == 0:
        return 0
    raise (_Break if argv[0] == "break" else _Continue)(min(n, sh.loop_depth))


@builtin("eval")
def b_eval(sh: Shell, argv: list[str]) -> int:
    text = " ".join(argv[1:])
    if not text.strip():
        return 0
    return sh.eval_text(text, "eval")


@builtin(".", "source")
def b_dot(sh: Shell, argv: list[str]) -> int:
    from emu.sh.interp import _Return

    if len(argv) < 2:
        return 0
    name = argv[1]
    if "/" in name:
        path: str | None = sh.abspath(name)
        node = sh._lookup(path) if path else None
        if not isinstance(node, File):
            raise _error(f"can't open '{name}': No such file or directory")
    else:
        path = None
        for d in sh.vars.get("PATH", "").split(":"):
            cand = sh.abspath(posixpath.join(d or ".", name))
            if isinstance(sh._lookup(cand), File):
                path = cand
                break
        if path is None:
            raise _error(f"{name}: not found")
        node = sh._lookup(path)
    assert isinstance(node, File)
    text = (node.data or b"").decode("utf-8", "surrogateescape")
    saved = sh.params
    if len(argv) > 2:
        sh.params = argv[2:]
    try:
        return sh.eval_text(text, ".")
    except _Return as r:
        return r.value
    finally:
        if len(argv) > 2:
            sh.params = saved


@builtin("exec")
def b_exec(sh: Shell, argv: list[str]) -> int:
    from emu.sh.interp import _Exit

    args = _operands(argv)
    if not args:
        # `exec >file`: the redirections were applied around this call; keep them.
        sh.keep_redirects = True
        return 0
    st = sh.run_program(args, [], None)
    raise _Exit(st)


@builtin("trap")
def b_trap(sh: Shell, argv: list[str]) -> int:
    args = _operands(argv)
    if not args:
        for sig, action in sorted(sh.traps.items()):
            sh.out(f"trap -- {quote(action)} {sig}\n")
        return 0
    if len(args) == 1:
        return _set_traps(sh, "-", args, _signal)  # `trap SIG` resets it
    return _set_traps(sh, args[0], args[1:], _signal)


def _set_traps(sh: Shell, action: str, sigs: list[str], name_of: Callable[[str], str]) -> int:
    """``trap ACTION SIG...``; the action ``-`` resets them."""
    for sig in sigs:
        name = name_of(sig)
        if action == "-":
            sh.traps.pop(name, None)
        else:
            sh.traps[name] = action
    return 0


def _signal(sig: str) -> str:
    s = sig.upper()
    if s.startswith("SIG"):
        s = s[3:]
    return "EXIT" if s in ("0", "EXIT") else s


@builtin("wait")
def b_wait(sh: Shell, argv: list[str]) -> int:
    # Background commands already ran to completion.
    if len(argv) > 1:
        return sh.last_bg_status if argv[1] == str(sh.last_bg) else 127
    return 0


# --- variables -------------------------------------------------------------------------------


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise _error(f"{name}: bad variable name")


@builtin("export", "readonly")
def b_export(sh: Shell, argv: list[str]) -> int:
    who = argv[0]
    args = argv[1:]
    for opt in _option_words(args):
        if opt == "-p":
            continue  # listing is what no names means anyway
        elif who == "export" and opt == "-n":
            if not args:
                break  # nothing to un-export: list, as busybox does
            for name in args:
                sh.exported.discard(name)
            return 0
        else:
            raise _error(f"illegal option {opt}")
    if not args:
        names = sh.exported if who == "export" else sh.readonly
        for name in sorted(names):
            value = sh.vars.get(name)
            if value is None:
                sh.out(f"{who} {name}\n")
            else:
                sh.out(f"{who} {name}={quote(value)}\n")
        return 0
    for arg in args:
        name, eq, value = arg.partition("=")
        _check_name(name)
        if eq:
            sh.set_var(name, value)
        if who == "export":
            sh.exported.add(name)
        else:
            sh.readonly.add(name)
    return 0


@builtin("unset")
def b_unset(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    funcs = _flag_pair(args, "-f", "-v", "illegal option")
    for name in args:
        if funcs:
            sh.funcs.pop(name, None)
            continue
        _check_name(name)
        if name in sh.readonly:
            raise _error(f"{name}: is read only")
        sh.vars.pop(name, None)
        sh.exported.discard(name)
    return 0


@builtin("local")
def b_local(sh: Shell, argv: list[str]) -> int:
    if not sh.frames:
        raise _error("not in a function")
    for arg in argv[1:]:
        name, eq, value = arg.partition("=")
        if name == "-":
            # `local -`: the shell options come back when the function returns.
            sh.frames[-1].setdefault("-", (sh.option_letters(), False))
            continue
        _check_name(name)
        sh.make_local(name)
        if eq:
            sh.set_var(name, value)
        elif name not in sh.readonly:
            # ash: `local x` starts out unset inside the function.
            sh.vars.pop(name, None)
    return 0


@builtin("shift")
def b_shift(sh: Shell, argv: list[str]) -> int:
    n = _number(argv[1]) if len(argv) > 1 else 1
    if n > len(sh.params):
        return 1
    sh.params = sh.params[n:]
    return 0


@builtin("set")
def b_set(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    if not args:
        for name in sorted(sh.vars):
            sh.out(f"{name}={quote(sh.vars[name])}\n")
        return 0
    while args:
        a = args[0]
        if a == "--":
            args.pop(0)
            sh.params = list(args)
            return 0
        if a in ("-", "+"):
            args.pop(0)
            if a == "-":
                sh.xtrace = sh.verbose = False
            break
        if a[0] not in "-+" or len(a) < 2:
            break
        args.pop(0)
        on = a[0] == "-"
        for c in a[1:]:
            if c == "o":
                if not args:
                    _list_options(sh, on)
                    return 0
                opt = args.pop(0)
                if not sh.set_long_option(opt, on):
                    raise _error(f"Illegal option -o {opt}")
            elif not sh.set_flag(c, on):
                raise _error(f"Illegal option {a[0]}{c}")
    if args:
        sh.params = list(args)
    return 0


# ash's option table, in its order; the ones emu has no use for are always off.
_OPTION_NAMES = (
    ("errexit", "errexit"),
    ("noglob", "noglob"),
    ("ignoreeof", ""),
    ("monitor", ""),
    ("noexec", "noexec"),
    ("xtrace", "xtrace"),
    ("verbose", "verbose"),
    ("noclobber", "noclobber"),
    ("allexport", "allexport"),
    ("notify", ""),
    ("nounset", "nounset"),
    ("errtrace", ""),
    ("vi", ""),
    ("pipefail", "pipefail"),
)


def _list_options(sh: Shell, human: bool) -> None:
    for name, attr in _OPTION_NAMES:
        on = bool(getattr(sh, attr)) if attr else False
        if human:
            sh.out(f"{name:<16}{'on' if on else 'off'}\n")
        else:
            sh.out(f"set {'-' if on else '+'}o {name}\n")


@builtin("read")
def b_read(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    raw = False
    delim = "\n"
    nchars: int | None = None
    array: str | None = None  # bash's -a NAME
    for opt in _option_words(args):
        k = 1
        while k < len(opt):
            c = opt[k]
            if c == "r":
                raw = True
            elif c == "s":
                pass
            elif c in "pdntu" or (sh.bash and c in "aNi"):
                if not opt[k + 1 :] and not args and sh.bash:
                    raise _error(f"-{c}: option requires an argument", 2)
                val = opt[k + 1 :] or (args.pop(0) if args else "")
                # -p PROMPT goes to a terminal, and there is none; -t and -u do not apply.
                if c == "d":
                    delim = val[:1] or "\0"
                elif c in "nN":
                    nchars = int(val) if (val.isascii() and val.isdigit()) else None
                    if c == "N":
                        delim = "\0"
                elif c == "a":
                    array = val
                break
            else:
                sh.err(f"sh: read: invalid option -- '{c}'\n")
                return 1
            k += 1
    if array is not None:
        args = [array]
    names = args or ["REPLY"]
    for name in names:
        if not _NAME.fullmatch(name):
            sh.err(f"sh: read: '{name}': bad variable name\n")
            return 1
    src = sh.stdin()
    buf: list[str] = []
    # Characters that a backslash protected from splitting are marked.
    protected: list[bool] = []
    eof = True
    data = src.data
    pos = src.pos
    n = len(data)
    dbyte = ord(delim)
    raw_bytes = bytearray()
    while pos < n:
        b = data[pos]
        pos += 1
        if b == dbyte:
            eof = False
            break
        raw_bytes.append(b)
        if nchars is not None and len(raw_bytes) >= nchars:
            eof = False
            break
    src.pos = pos
    text = raw_bytes.decode("utf-8", "surrogateescape")
    if not raw:
        i = 0
        while i < len(text):
            c = text[i]
            if c == "\\":
                if i + 1 < len(text):
                    if text[i + 1] == "\n":
                        i += 2
                        continue
                    buf.append(text[i + 1])
                    protected.append(True)
                    i += 2
                    continue
                if not eof and delim == "\n":
                    # A backslash before the newline joins the next line.
                    more: list[int] = []
                    eof = True
                    while src.pos < n:
                        b = data[src.pos]
                        src.pos += 1
                        if b == dbyte:
                            eof = False
                            break
                        more.append(b)
                    text = text[:i] + bytes(more).decode("utf-8", "surrogateescape")
                    continue
                i += 1
                continue
            buf.append(c)
            protected.append(False)
            i += 1
    else:
        buf = list(text)
        protected = [False] * len(buf)
    if array is not None:
        sh.assign_array(array, [(None, f) for f in _read_fields(sh, buf, protected)], False)
        return 1 if eof else 0
    _assign_read(sh, names, buf, protected)
    return 1 if eof else 0


def _read_fields(sh: Shell, chars: list[str], prot: list[bool]) -> list[str]:
    """``read -a``: every field of the line, split as ``read`` splits."""
    ifs = sh.vars.get("IFS")
    if ifs is None:
        ifs = " \t\n"
    ws = "".join(c for c in ifs if c in " \t\n")
    out: list[str] = []
    n = len(chars)
    i = 0
    while i < n and not prot[i] and chars[i] in ws:
        i += 1
    while i < n:
        start = i
        while i < n and (prot[i] or chars[i] not in ifs):
            i += 1
        out.append("".join(chars[start:i]))
        while i < n and not prot[i] and chars[i] in ws:
            i += 1
        if i < n and not prot[i] and chars[i] in ifs:
            i += 1
            while i < n and not prot[i] and chars[i] in ws:
                i += 1
            if i >= n:
                break
    return out


def _assign_read(sh: Shell, names: list[str], chars: list[str], prot: list[bool]) -> None:
    ifs = sh.vars.get("IFS")
    if ifs is None:
        ifs = " \t\n"
    ws = "".join(c for c in ifs if c in " \t\n")
    n = len(chars)
    i = 0

    def is_ws(k: int) -> bool:
        return not prot[k] and chars[k] in ws

    def is_delim(k: int) -> bool:
        return not prot[k] and chars[k] in ifs

    while i < n and is_ws(i):
        i += 1
    for idx, name in enumerate(names):
        if idx == len(names) - 1:
            # The last variable takes the rest of the line, less trailing IFS blanks.
            end = n
            while end > i and is_ws(end - 1):
                end -= 1
            # One trailing non-blank delimiter goes too ("a:b:" gives "b", "a:b::" "b::").
            if end > i and is_delim(end - 1) and not is_ws(end - 1):
                k = end - 1
                while k > i and is_ws(k - 1):
                    k -= 1
                if not (k > i and is_delim(k - 1)):
                    end = k
            value = "".join(chars[i:end])
            sh.set_var(name, value)
            return
        start = i
        while i < n and not is_delim(i):
            i += 1
        sh.set_var(name, "".join(chars[start:i]))
        # Skip one delimiter and the blanks around it.
        while i < n and is_ws(i):
            i += 1
        if i < n and is_delim(i):
            i += 1
            while i < n and is_ws(i):
                i += 1


@builtin("getopts")
def b_getopts(sh: Shell, argv: list[str]) -> int:
    if len(argv) < 3:
        raise _error("usage: getopts optstring var [arg...]")
    optstring, var = argv[1], argv[2]
    args = argv[3:] if len(argv) > 3 else sh.params
    silent = optstring.startswith(":")
    if silent:
        optstring = optstring[1:]
    try:
        optind = int(sh.vars.get("OPTIND", "1"))
    except ValueError:
        optind = 1
    sub = getattr(sh, "_optsub", 0)
    if getattr(sh, "_optind_seen", None) != optind:
        sub = 0
    if optind < 1:
        optind = 1
    sh.vars.pop("OPTARG", None)

    def done() -> int:
        sh._optsub = 0  # type: ignore[attr-defined]
        sh._optind_seen = optind  # type: ignore[attr-defined]
        sh.set_var("OPTIND", str(optind))
        sh.set_var(var, "?")
        return 1

    if optind > len(args):
        return done()
    arg = args[optind - 1]
    if sub == 0:
        if arg == "--":
            optind += 1
            return done()
        if not arg.startswith("-") or arg == "-":
            return done()
        sub = 1
    c = arg[sub]
    sub += 1
    result = c
    if c == ":" or c not in optstring:
        if silent:
            sh.set_var("OPTARG", c)
        elif sh.bash:
            sh.err(f"{sh.arg0}: illegal option -- {c}\n")
        else:
            sh.err(f"Illegal option -{c}\n")
        result = "?"
    elif optstring[optstring.index(c) + 1 : optstring.index(c) + 2] != ":":
        sh.set_var("OPTARG", "")  # ash sets it, empty, for an option without argument
    else:
        if sub < len(arg):
            sh.set_var("OPTARG", arg[sub:])
            sub = len(arg)
        elif optind < len(args):
            optind += 1
            sh.set_var("OPTARG", args[optind - 1])
            sub = len(arg)
        else:
            if silent:
                sh.set_var("OPTARG", c)
                result = ":"
            elif sh.bash:
                sh.err(f"{sh.arg0}: option requires an argument -- {c}\n")
                result = "?"
            else:
                sh.err(f"No arg for -{c} option\n")
                result = "?"
            sub = len(arg)
    if sub >= len(arg):
        optind += 1
        sub = 0
    sh._optsub = sub  # type: ignore[attr-defined]
    sh._optind_seen = optind  # type: ignore[attr-defined]
    sh.set_var("OPTIND", str(optind))
    sh.set_var(var, result)
    return 0


# --- directories -----------------------------------------------------------------------------


@builtin("cd", "chdir")
def b_cd(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    physical = _flag_pair(args, "-P", "-L", "Illegal option")
    print_dir = False
    if not args:
        dest = sh.vars.get("HOME", "")
        if not dest:
            return 0
    else:
        dest = args[0]
        if dest == "-":
            dest = sh.vars.get("OLDPWD", "")
            if not dest:
                raise _error("can't cd to : No such file or directory")
            print_dir = True
    logical = posixpath.normpath(posixpath.join(sh.cwd, dest))
    cdpath = sh.vars.get("CDPATH", "")
    if cdpath and not dest.startswith(("/", "./", "../")) and dest not in (".", ".."):
        for entry in cdpath.split(":"):
            cand = posixpath.normpath(posixpath.join(sh.cwd, entry or ".", dest))
            if isinstance(sh._lookup(cand), Dir):
                logical = cand
                print_dir = print_dir or bool(entry)  # found through CDPATH: say where
                break
    node = sh.lookup_or(
        logical, lambda why: _error(f"can't cd to {dest}: {why[:1].upper()}{why[1:]}")
    )
    if node is None:
        raise _error(f"can't cd to {dest}: No such file or directory")
    if not isinstance(node, Dir):
        raise _error(f"can't cd to {dest}: Not a directory")
    if not allowed(node, sh.ident, X_OK):
        raise _error(f"can't cd to {dest}: Permission denied")
    new = sh.fs.realpath(logical) if physical else logical
    old = sh.cwd
    sh.cwd = new
    sh.set_var("OLDPWD", sh.vars.get("PWD", old))
    sh.set_var("PWD", new)
    if print_dir:
        sh.out(new + "\n")
    return 0


@builtin("pwd")
def b_pwd(sh: Shell, argv: list[str]) -> int:
    if "-P" in argv[1:]:
        sh.out(sh.fs.realpath(sh.cwd) + "\n")
    else:
        sh.out(sh.cwd + "\n")
    return 0


@builtin("umask")
def b_umask(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    symbolic = False
    if args and args[0] == "-S":
        symbolic = True
        args = args[1:]
    if not args:
        if symbolic:
            perms = []
            for who, shift in (("u", 6), ("g", 3), ("o", 0)):
                bits = (~sh.umask >> shift) & 7
                s = "".join(ch for ch, b in (("r", 4), ("w", 2), ("x", 1)) if bits & b)
                perms.append(f"{who}={s}")
            sh.out(",".join(perms) + "\n")
        else:
            sh.out(f"{sh.umask:04o}\n")
        return 0
    value = args[0]
    if re.fullmatch(r"[0-7]+", value):
        sh.umask = int(value, 8) & 0o777
        return 0
    mask = _symbolic_umask(sh.umask, value)
    if mask is None:
        raise _error(f"illegal mode: {value}")
    sh.umask = mask
    return 0


def _symbolic_umask(umask: int, spec: str) -> int | None:
    perm = ~umask & 0o777
    for clause in spec.split(","):
        m = re.fullmatch(r"([ugoa]*)([=+-])([rwx]*)", clause)
        if not m:
            return None
        who = m.group(1) or "a"
        bits = sum(b for ch, b in (("r", 4), ("w", 2), ("x", 1)) if ch in m.group(3))
        mask = 0
        for ch, shift in (("u", 6), ("g", 3), ("o", 0)):
            if ch in who or "a" in who:
                mask |= 7 << shift
        val = (bits << 6 | bits << 3 | bits) & mask
        if m.group(2) == "=":
            perm = (perm & ~mask) | val
        elif m.group(2) == "+":
            perm |= val
        else:
            perm &= ~val
    return ~perm & 0o777


# --- lookup ----------------------------------------------------------------------------------


def describe(sh: Shell, name: str, verbose: bool) -> tuple[str | None, int]:
    """What ``type``/``command -v`` say about ``name`` (text, status)."""
    if name in sh.aliases:
        if verbose:
            return f"{name} is an alias for {sh.aliases[name]}", 0
        return f"alias {name}={quote(sh.aliases[name])}", 0
    if name in _KEYWORDS:
        return (f"{name} is a shell keyword" if verbose else name), 0
    if name in SPECIAL and name in BUILTINS:
        return (f"{name} is a special shell builtin" if verbose else name), 0
    if name in sh.funcs:
        return (f"{name} is a function" if verbose else name), 0
    if name in BUILTINS:
        return (f"{name} is a shell builtin" if verbose else name), 0
    if sh.is_applet(name):
        return (f"{name} is {name}" if verbose else name), 0  # busybox: an applet, no path
    found = sh.find(name)
    if found is not None:
        path = posixpath.normpath(found)
        return (f"{name} is {path}" if verbose else path), 0
    return (f"{name}: not found" if verbose else None), 127


_KEYWORDS = frozenset(
    ["if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until",
     "for", "in", "{", "}", "!"]
)  # fmt: skip


@builtin("type")
def b_type(sh: Shell, argv: list[str]) -> int:
    st = 0
    for name in argv[1:]:
        text, code = describe(sh, name, True)
        if text is not None:
            sh.out(text + "\n")
        st = code or st
    return st


@builtin("command")
def b_command(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    mode = ""
    for opt in _option_words(args):
        for c in opt[1:]:
            if c in "vV":
                mode = c
            elif c != "p":
                raise _error(f"Illegal option -{c}")
    if not args:
        return 0
    if mode:
        # ash describes only the first name.
        text, code = describe(sh, args[0], mode == "V")
        if text is not None:
            sh.out(text + "\n")
        return code
    name = args[0]
    if name in BUILTINS:
        return sh.call_builtin(name, args)
    return sh.run_program(args, [], None)


@builtin("alias")
def b_alias(sh: Shell, argv: list[str]) -> int:
    st = 0
    if len(argv) == 1:
        for name in sorted(sh.aliases):
            sh.out(f"{name}={quote(sh.aliases[name])}\n")
        return 0
    for arg in argv[1:]:
        name, eq, value = arg.partition("=")
        if eq:
            sh.aliases[name] = value
            # ash expands aliases while parsing: from the next line on, not this one.
            sh.alias_lines[name] = sh.lineno
        elif name in sh.aliases:
            sh.out(f"{name}={quote(sh.aliases[name])}\n")
        else:
            sh.err(f"sh: alias: {name} not found\n")
            st = 1
    return st


@builtin("unalias")
def b_unalias(sh: Shell, argv: list[str]) -> int:
    if argv[1:2] == ["-a"]:
        sh.aliases.clear()
        return 0
    st = 0
    for name in argv[1:]:
        if sh.aliases.pop(name, None) is None:
            sh.err(f"sh: unalias: {name} not found\n")
            st = 1
    return st


@builtin("let")
def b_let(sh: Shell, argv: list[str]) -> int:
    from emu.sh.expand import arith

    if len(argv) < 2:
        raise _error("expression expected")
    v = 0
    for expr in argv[1:]:
        v = arith(sh, expr)
    return 0 if v else 1


# Linux's signals 1-31, as `kill -l` lists them, and what strsignal calls them.
_SIGNALS = (
    ("HUP", "Hangup"), ("INT", ""), ("QUIT", "Quit"), ("ILL", "Illegal instruction"),
    ("TRAP", "Trace/breakpoint trap"), ("ABRT", "Aborted"), ("BUS", "Bus error"),
    ("FPE", "Floating point exception"), ("KILL", "Killed"), ("USR1", "User defined signal 1"),
    ("SEGV", "Segmentation fault"), ("USR2", "User defined signal 2"), ("PIPE", ""),
    ("ALRM", "Alarm clock"), ("TERM", "Terminated"), ("STKFLT", "Stack fault"),
    ("CHLD", ""), ("CONT", ""), ("STOP", ""), ("TSTP", ""), ("TTIN", ""), ("TTOU", ""),
    ("URG", ""), ("XCPU", "CPU time limit exceeded"), ("XFSZ", "File size limit exceeded"),
    ("VTALRM", "Virtual timer expired"), ("PROF", "Profiling timer expired"), ("WINCH", ""),
    ("POLL", "I/O possible"), ("PWR", "Power failure"), ("SYS", "Bad system call"),
)  # fmt: skip
# Signals whose default action does not end a process (ignore, stop, continue).
_NOT_FATAL = frozenset(["CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "WINCH"])


def _signum(text: str) -> int | None:
    if text.isascii() and text.isdigit():
        n = int(text)
        return n if n <= 64 else None
    name = text.upper().removeprefix("SIG")
    for i, (known, _) in enumerate(_SIGNALS, 1):
        if name == known:
            return i
    return None


@builtin("kill")
def b_kill(sh: Shell, argv: list[str]) -> int:
    """busybox's kill. A signal to the shell itself ($$) runs its trap, or kills it — except
    in the RUN's own shell, which is PID 1 of its container: the kernel does not deliver a
    signal it has no handler for to PID 1. Other processes emu knows (background jobs, which
    have already finished) take the signal silently."""
    from emu.sh.interp import FAKE_PID

    args = argv[1:]
    if args and args[0] == "-l":
        if len(args) == 1:
            sh.out("".join(f"{i:2d}) {name}\n" for i, (name, _) in enumerate(_SIGNALS, 1)))
            return 0
        for a in args[1:]:
            n = _signum(a)
            if n is None or n > len(_SIGNALS):
                sh.err(f"sh: bad signal name '{a}'\n")
                return 1
            sh.out(f"{_SIGNALS[n - 1][0] if (a.isascii() and a.isdigit()) else n}\n")
        return 0
    if args and args[0] == "-s" and len(args) > 1:
        spec, args = args[1], args[2:]
    elif args and args[0].startswith("-") and args[0] != "--" and len(args[0]) > 1:
        spec, args = args[0][1:], args[1:]
    else:
        spec = "TERM"
    found = _signum(spec)
    if found is None:
        sh.err(f"sh: bad signal name '{spec}'\n")
        return 1
    sig = found
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        sh.err("sh: you need to specify whom to kill\n")
        return 1
    status = 0
    to_self = False
    for a in args:
        if a.startswith("%"):
            continue  # a job: it has finished
        pid = int(a) if (a.isascii() and a.isdigit()) else None
        if pid == sh.pid:
            to_self = True
        elif pid is None or not (pid == FAKE_PID or 100 < pid <= sh.world.next_pid):
            sh.err(f"sh: can't kill pid {a}: No such process\n")
            status = 1
    if not to_self or sig == 0 or sig > len(_SIGNALS):
        return status
    if sh.forked:
        # $$ is the shell this subshell was forked from: it takes the signal when the
        # subshell is done, and the subshell carries on.
        sh.world.signals.append((sh.pid, sig))
        return status
    deliver(sh, sig)
    return status


def deliver(sh: Shell, sig: int) -> None:
    """Signal ``sig`` reaches shell ``sh``: its trap runs, or it is killed (an untrapped
    fatal signal), or nothing happens (ignored, harmless, or sh is PID 1)."""
    from emu.sh.interp import FAKE_PID, _Killed

    name, message = _SIGNALS[sig - 1]
    action = sh.traps.get(name) if name not in ("KILL", "STOP") else None
    if action is not None:
        if action:  # `trap '' SIG` ignores it
            saved = sh.status
            sh.eval_text(action, "trap")
            sh.status = saved
    elif sh.pid != FAKE_PID and name not in _NOT_FATAL:
        raise _Killed(sig, message)


# --- echo, printf, test: busybox runs its applets' code (emu.sh.coreutils) -------------------


@builtin("echo")
def b_echo(sh: Shell, argv: list[str]) -> int:
    sh.out(coreutils.echo(argv[1:]))
    return 0


@builtin("printf")
def b_printf(sh: Shell, argv: list[str]) -> int:
    done = coreutils.printf(argv[1:], lambda m: sh.err(f"sh: {m}\n"), sh.limits.held)
    if done is None:
        sh.err("sh: usage: printf FORMAT [ARGUMENT...]\n")
        return 2
    sh.out(done[0])
    return done[1]


@builtin("test", "[", "[[")
def b_test(sh: Shell, argv: list[str]) -> int:
    caller = coreutils.Caller(sh.fs, sh.ident, sh.cwd)
    return coreutils.test(argv[0], argv[1:], caller, lambda m: sh.err(f"sh: {m}\n"))


# === bash =======================================================================================
#
# bash's own builtins and bash's versions of the common ones (its messages, its options).
# They make up BASH_BUILTINS, the table a shell in bash mode uses.

_BASH: dict[str, Builtin] = {}


def bash_builtin(*names: str) -> Callable[[Builtin], Builtin]:
    def deco(fn: Builtin) -> Builtin:
        for n in names:
            _BASH[n] = fn
        return fn

    return deco


def _last(given: list[str], letters: str) -> str:
    """The last of ``letters`` given (options that exclude each other), or ``""``."""
    return "".join(c for c in given if c in letters)[-1:]


def _letters(sh: Shell, args: list[str], allowed: str, plus: bool = False) -> list[str]:
    """A bash builtin's option letters, taken off the front of ``args`` up to the first
    operand (``--`` ends them, ``+x`` counts when ``plus``: then ``+`` is kept before the
    letter); any other letter is bash's ``-X: invalid option``."""
    out: list[str] = []
    while args and args[0][:1] in ("-", "+" if plus else "-") and len(args[0]) > 1:
        opt = args.pop(0)
        if opt == "--":
            break
        for c in opt[1:]:
            if c not in allowed:
                sh.pending_arrays.clear()
                raise _error(f"{opt[0]}{c}: invalid option", 2)
            out.append(c if opt[0] == "-" else "+" + c)
    return out


_DECL_LETTERS = "aAilnrtuxgpfF"
_ASSIGN_WORD = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\[.*\])?(\+?=)(.*)", re.S)


@bash_builtin("declare", "typeset", "local")
def b_declare(sh: Shell, argv: list[str]) -> int:
    who = argv[0]
    if who == "local" and not sh.frames:
        sh.pending_arrays.clear()
        raise _error("can only be used in a function", 1)
    args = argv[1:]
    given = _letters(sh, args, _DECL_LETTERS, plus=True)
    on = {c for c in given if len(c) == 1}
    off = {c[1] for c in given if len(c) == 2}
    if "f" in on or "F" in on:
        return _declare_functions(sh, args, "F" in on)
    if not args and ("p" in on or not on):
        for name in sh.var_names():
            if not on or _matches_flags(sh, name, on):
                sh.out(_declare_p(sh, name) + "\n")
        return 0
    if "p" in on:
        st = 0
        for name in args:
            text = _declare_p(sh, name) if _declared(sh, name) else None
            if text is None:
                sh.builtin_message(who, f"{name}: not found")
                st = 1
            else:
                sh.out(text + "\n")
        return st
    local = who == "local" or (bool(sh.frames) and "g" not in on)
    st = 0
    for arg in args:
        st = _declare_one(sh, who, arg, on, off, local) or st
    return st


def _declared(sh: Shell, name: str) -> bool:
    return name in sh.vars or name in sh.arrays or name in sh.attrs


def _matches_flags(sh: Shell, name: str, on: set[str]) -> bool:
    attrs = sh.attributes(name)
    return all(c in attrs for c in on if c in "aAilnrux")


def _declare_one(sh: Shell, who: str, arg: str, on: set[str], off: set[str], local: bool) -> int:
    m = _ASSIGN_WORD.fullmatch(arg)
    name = m.group(1) if m else arg
    pending = sh.pending_arrays.pop(name, None) if m is None else None
    if m is None and not _NAME.fullmatch(arg):
        sh.builtin_message(who, f"`{arg}': not a valid identifier")
        return 1
    if local:
        sh.make_local(name)
    arr = sh.arrays.get(name)
    if "A" in on and arr is not None and not arr.assoc:
        sh.builtin_message(who, f"{name}: cannot convert indexed to associative array")
        return 1
    if "a" in on and arr is not None and arr.assoc:
        sh.builtin_message(who, f"{name}: cannot convert associative to indexed array")
        return 1
    if name in sh.readonly and (m is not None or pending is not None):
        sh.builtin_message(who, f"{name}: readonly variable")
        return 1
    attrs = sh.attrs.get(name, "")
    if attrs.startswith("n="):
        attrs = ""
    for c in "ilu":
        if c in on and c not in attrs:
            attrs += c
        if c in off:
            attrs = attrs.replace(c, "")
    if "l" in on:
        attrs = attrs.replace("u", "")
    if "u" in on:
        attrs = attrs.replace("l", "")
    if "n" in on and m is not None and not m.group(2):
        sh.vars.pop(name, None)
        sh.attrs[name] = "n=" + m.group(4)
        return 0
    sh.attrs[name] = attrs
    if ("A" in on or "a" in on) and name not in sh.arrays:
        new = expand.Arr("A" in on)
        old = sh.vars.pop(name, None)
        if old is not None:
            new.set("0" if new.assoc else 0, old)
        else:
            sh.unassigned.add(name)
        sh.arrays[name] = new
    if pending is not None:
        items, append = pending
        sh.assign_array(name, items, append, "A" in on or None)
    elif m is not None:
        _, index, op, value = m.groups()
        if index:
            key_name, key = sh.subscript(name, index[1:-1])
            if op == "+=":
                value = sh.appended(key_name, sh.get_element(key_name, key), value)
            sh.set_element(key_name, key, value)
        elif op == "+=":
            sh.set_var(name, sh.appended(name, sh.lookup(name), value))
        else:
            sh.set_var(name, value)
    elif local and name not in sh.arrays:
        sh.vars.pop(name, None)
    if "x" in on:
        sh.exported.add(name)
    if "x" in off:
        sh.exported.discard(name)
    if "r" in on:
        sh.readonly.add(name)
    return 0


def _declare_functions(sh: Shell, names: list[str], only_names: bool) -> int:
    st = 0
    for name in names or sorted(sh.funcs):
        f = sh.funcs.get(name)
        if f is None:
            st = 1
            continue
        if only_names:
            sh.out(f"{name}\n" if names else f"declare -f {name}\n")
        else:
            sh.out(function_text(f) + "\n")
    return st


def _declare_p(sh: Shell, name: str) -> str:
    """``declare -p NAME``: a line that declares the variable again."""
    flags = sh.attributes(name)
    target = sh.attrs.get(name, "")
    if target.startswith("n="):
        return f'declare -{flags} {name}="{target[2:]}"'
    arr = sh.arrays.get(name)
    opts = f"-{flags}" if flags else "--"
    if arr is not None:
        if not arr and name in sh.unassigned:
            return f"declare {opts} {name}"
        keys, values = arr.keys(), arr.values()
        u = sh.utf8()
        items = [
            f"[{_key_quote(k, u)}]={_double_quote(v, u)}" for k, v in zip(keys, values, strict=True)
        ]
        tail = " )" if arr.assoc and items else ")"
        return f"declare {opts} {name}=(" + " ".join(items) + tail
    value = sh.vars.get(name)
    if value is None:
        return f"declare {opts} {name}"
    return f"declare {opts} {name}={_double_quote(value, sh.utf8())}"


def _key_quote(k: str, utf8: bool) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_.@%+,:/-]*", k) else _double_quote(k, utf8)


def _double_quote(v: str, utf8: bool = False) -> str:
    """declare -p's quoting: double quotes with ``$ " \\ ` `` escaped, or ``$'...'`` for
    text that does not print."""
    if not expand.printable(v, utf8):
        return expand.ansi_c_quote(v, utf8)
    return '"' + re.sub(r'([$"\\`])', r"\\\1", v) + '"'


@bash_builtin("export", "readonly")
def b_export_bash(sh: Shell, argv: list[str]) -> int:
    who = argv[0]
    args = argv[1:]
    given = _letters(sh, args, "fnp" if who == "export" else "aAfp")
    unexport = "n" in given
    funcs = "f" in given
    arrays = "A" if "A" in given else "a" if "a" in given else ""
    if not args:
        names = sorted(sh.exported) if who == "export" else sorted(sh.readonly)
        flag = "x" if who == "export" else "r"
        for name in names:
            if _declared(sh, name) or who == "export":
                line = _declare_p(sh, name)
                if flag not in line.split(" ")[1]:
                    continue
                sh.out(line + "\n")
        return 0
    st = 0
    for arg in args:
        m = _ASSIGN_WORD.fullmatch(arg)
        name = m.group(1) if m else arg
        if m is None and not _NAME.fullmatch(arg):
            sh.builtin_message(who, f"`{arg}': not a valid identifier")
            st = 1
            continue
        if funcs:
            if who == "export":
                sh.exported_funcs.add(name)
            continue
        if unexport:
            sh.exported.discard(name)
            continue
        pending = sh.pending_arrays.pop(name, None) if m is None else None
        if name in sh.readonly and (m is not None or pending is not None):
            sh.builtin_message(who, f"{name}: readonly variable")
            st = 1
            continue
        if pending is not None:
            sh.assign_array(name, pending[0], pending[1], arrays == "A" or None)
        elif m is not None:
            _, index, op, value = m.groups()
            if op == "+=":
                value = sh.appended(name, sh.lookup(name), value)
            if index:
                key_name, key = sh.subscript(name, index[1:-1])
                sh.set_element(key_name, key, value)
            else:
                sh.set_var(name, value)
            if sh.xtrace:
                sh.trace_line(f"{name}={sh.xq(value)}")
        elif arrays and name not in sh.arrays:
            sh.arrays[name] = expand.Arr(arrays == "A")
        if who == "export":
            sh.exported.add(name)
        else:
            sh.readonly.add(name)
    return st


@bash_builtin("unset")
def b_unset_bash(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    given = _letters(sh, args, "fvn")
    mode = given[-1] if given else ""
    st = 0
    for name in args:
        if mode == "f":
            sh.funcs.pop(name, None)
            continue
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\[(.*)\]", name, re.S)
        if m is not None:
            base, sub = m.group(1), m.group(2)
            if base in sh.readonly:
                sh.builtin_message("unset", f"{base}: cannot unset: readonly variable")
                st = 1
                continue
            arr = sh.arrays.get(sh.resolve(base))
            if sub in ("@", "*"):
                sh.arrays.pop(base, None)
                sh.vars.pop(base, None)
            elif arr is not None:
                arr.unset(sh.subscript(base, sub)[1])
            elif sh.subscript(base, sub)[1] in (0, "0"):
                sh.vars.pop(base, None)
            continue
        if not _NAME.fullmatch(name):
            sh.builtin_message("unset", f"`{name}': not a valid identifier")
            st = 1
            continue
        if mode != "n":
            target = sh.resolve(name)
            if target != name:
                name = target
        if name in sh.readonly:
            sh.builtin_message("unset", f"{name}: cannot unset: readonly variable")
            st = 1
            continue
        if mode == "" and name not in sh.vars and name not in sh.arrays and name in sh.funcs:
            sh.funcs.pop(name, None)
            continue
        sh.vars.pop(name, None)
        sh.arrays.pop(name, None)
        sh.attrs.pop(name, None)
        sh.exported.discard(name)
    return st


@bash_builtin("shopt")
def b_shopt(sh: Shell, argv: list[str]) -> int:
    from emu.sh.interp import BASH_SET_OPTIONS, BASH_SHOPTS

    args = argv[1:]
    given = _letters(sh, args, "supqo")
    mode = _last(given, "su")
    quiet, printable, oset = "q" in given, "p" in given, "o" in given
    table = BASH_SET_OPTIONS if oset else BASH_SHOPTS

    def state(name: str) -> bool:
        if oset:
            return dict(sh.set_options())[name]
        return name in sh.shopts

    for name in args:
        if name not in table:
            what = "invalid option name" if oset else "invalid shell option name"
            sh.builtin_message("shopt", f"{name}: {what}")
            return 1
    if mode:
        for name in args:
            if oset:
                sh.set_long_option(name, mode == "s")
            elif mode == "s":
                sh.shopts.add(name)
            else:
                sh.shopts.discard(name)
        if args:
            return 0
    names = args or [n for n in table if not mode or state(n) == (mode == "s")]
    st = 0
    for name in names:
        on = state(name)
        if args and not on:
            st = 1
        if quiet:
            continue
        if printable:
            if oset:
                sh.out(f"set {'-' if on else '+'}o {name}\n")
            else:
                sh.out(f"shopt {'-s' if on else '-u'} {name}\n")
        else:
            sh.out(f"{name:<15}\t{'on' if on else 'off'}\n")
    return st


@bash_builtin("set")
def b_set_bash(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    if args in (["-o"], ["+o"]):
        for name, on in sh.set_options():
            if args[0] == "-o":
                sh.out(f"{name:<15}\t{'on' if on else 'off'}\n")
            else:
                sh.out(f"set {'-' if on else '+'}o {name}\n")
        return 0
    if not args:
        for name in sh.var_names():
            value = sh.lookup(name)
            if name in sh.arrays:
                sh.out(_declare_p(sh, name).split(" ", 2)[2] + "\n")
            elif value is not None:
                sh.out(f"{name}={sh.xq(value)}\n")
        return 0
    try:
        return b_set(sh, argv)
    except Exception as e:
        message = getattr(e, "message", None)
        if message is None:
            raise
        if message.startswith("Illegal option -o "):
            raise _error(
                f"{message[len('Illegal option -o ') :]}: invalid option name", 1
            ) from None
        if message.startswith("Illegal option "):
            raise _error(f"{message[len('Illegal option ') :]}: invalid option", 2) from None
        raise


@bash_builtin("mapfile", "readarray")
def b_mapfile(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    strip = False
    delim = "\n"
    count = 0
    skip = 0
    origin: int | None = None
    while args and args[0].startswith("-") and len(args[0]) > 1:
        opt = args.pop(0)
        c = opt[1]
        val = opt[2:]
        if c == "t":
            strip = True
            if val:
                args.insert(0, "-" + val)
            continue
        if not val:
            if not args:
                raise _error(f"-{c}: option requires an argument", 2)
            val = args.pop(0)
        if c == "d":
            delim = val[:1] or "\0"
        elif c == "n":
            count = int(val) if (val.isascii() and val.isdigit()) else 0
        elif c == "s":
            skip = int(val) if (val.isascii() and val.isdigit()) else 0
        elif c == "O":
            origin = int(val) if (val.isascii() and val.isdigit()) else 0
        elif c in "uCc":
            pass
        else:
            raise _error(f"-{c}: invalid option", 2)
    name = args[0] if args else "MAPFILE"
    src = sh.stdin()
    data = src.rest().decode("utf-8", "surrogateescape")
    lines: list[str] = []
    i = 0
    while i < len(data):
        j = data.find(delim, i)
        end = len(data) if j < 0 else j + 1
        lines.append(data[i:end])
        i = end
    lines = lines[skip:]
    if count:
        lines = lines[:count]
    if strip:
        lines = [line[:-1] if line.endswith(delim) else line for line in lines]
    items: list[tuple[str | None, str]] = [
        (None if origin is None else str(origin + k), v) for k, v in enumerate(lines)
    ]
    sh.assign_array(name, items, origin is not None)
    return 0


@bash_builtin("echo")
def b_echo_bash(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    k, newline, escapes = coreutils.echo_options(args, "xpg_echo" in sh.shopts)
    text = " ".join(args[k:])
    if escapes:
        text, stopped = bash_echo_escapes(text, sh.utf8())
        if stopped:
            sh.out(text)
            return 0
    sh.out(text + "\n" if newline else text)
    return 0


def bash_echo_escapes(text: str, utf8: bool) -> tuple[str, bool]:
    """``echo -e``'s escapes: C's, ``\\0NNN``, ``\\xHH``, ``\\uHHHH``; ``\\c`` stops."""
    from emu.sh.syntax import escapes

    return escapes(text, "echo", utf8)


@bash_builtin("printf")
def b_printf_bash(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    target: str | None = None
    if args[:1] == ["-v"]:
        if len(args) < 2:
            raise _error("-v: option requires an argument", 2)
        target = args[1]
        args = args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        sh.err("printf: usage: printf [-v var] format [arguments]\n")
        return 2
    out, st = bash_printf(
        args[0], args[1:], lambda m: sh.builtin_message("printf", m), sh.world.now, sh.utf8()
    )
    if target is not None:
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(.*)\])?", target, re.S)
        if m is None:
            raise _error(f"`{target}': not a valid identifier", 1)
        if m.group(2) is not None:
            name, key = sh.subscript(m.group(1), m.group(2))
            sh.set_element(name, key, out)
        else:
            sh.set_var(target, out)
        return st
    sh.out(out)
    return st


def bash_printf(
    fmt: str, args: list[str], complain: Callable[[str], None], now: int, utf8: bool
) -> tuple[str, int]:
    """bash's printf: its conversions (``%q``, ``%b``, ``%(fmt)T`` too), its escapes in
    the format, its numbers (``0x10``, ``010``, ``'c``) and messages."""
    from emu.sh.syntax import c_escapes

    out: list[str] = []
    pos = 0
    st = 0

    def next_arg() -> str | None:
        nonlocal pos
        if pos < len(args):
            pos += 1
            return args[pos - 1]
        return None

    def number(a: str | None) -> int:
        nonlocal st
        if a is None or a == "":
            return 0
        if a[:1] in ("'", '"'):
            return ord(a[1]) if len(a) > 1 else 0
        m = re.match(r"\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)", a)
        if m is None:
            complain(f"{a}: invalid number")
            st = 1
            return 0
        body = m.group(2)
        v = (
            int(body, 16)
            if body[:2] in ("0x", "0X")
            else int(body, 8)
            if body.startswith("0")
            else int(body)
        )
        if m.end() != len(a):
            complain(f"{a}: invalid number")
            st = 1
        return -v if m.group(1) == "-" else v

    while True:
        start = pos
        i, n = 0, len(fmt)
        stop = False
        while i < n:
            c = fmt[i]
            if c == "\\":
                limit = {"x": 2, "u": 4, "U": 8}.get(fmt[i + 1 : i + 2], 3)
                digits = "01234567" if limit == 3 else "0123456789abcdefABCDEF"
                first = i + 1 if limit == 3 else i + 2
                k = first
                while k < n and k < first + limit and fmt[k] in digits:
                    k += 1
                k = max(k, i + 2)
                out.append(c_escapes(fmt[i:k], bash=True, utf8=utf8))
                i = k
                continue
            if c != "%":
                out.append(c)
                i += 1
                continue
            if fmt.startswith("%%", i):
                out.append("%")
                i += 2
                continue
            m = re.compile(
                r"%([-+ #0]*)(\*|[0-9]+)?(?:\.(\*|[0-9]*))?(?:\((.*?)\))?([hlLjzt]*)(.?)"
            ).match(fmt, i)
            assert m is not None
            flags, width_s, prec_s, tfmt, _, conv = m.groups()
            i = m.end()
            width = number(next_arg()) if width_s == "*" else int(width_s) if width_s else None
            prec: int | None
            if prec_s == "*":
                prec = number(next_arg())
            elif prec_s is not None:
                prec = int(prec_s or "0")
            else:
                prec = None
            if width is not None and width < 0:
                flags += "-"
                width = -width
            if tfmt is not None and conv == "T":
                a = next_arg()
                t = now if a in (None, "", "-1", "-2") else number(a)
                text = time.strftime(tfmt or "%X", time.gmtime(t))
                out.append(_pad(text, flags, width, prec))
                continue
            if not conv:
                complain(f"`%{fmt[m.start() + 1 : i]}': missing format character")
                return "".join(out), 1
            if conv not in "diouxXeEfFgGaAcsbq":
                complain(f"`{conv}': invalid format character")
                return "".join(out), 1
            a = next_arg()
            if conv == "s":
                out.append(_pad(a or "", flags, width, prec))
            elif conv == "b":
                text, stopped = bash_echo_escapes(a or "", utf8)
                out.append(_pad(text, flags, width, prec))
                if stopped:
                    stop = True
                    break
            elif conv == "q":
                out.append(_pad(printf_quote(a or "", utf8), flags, width, None))
            elif conv == "c":
                out.append(_pad((a or "")[:1], flags, width, None))
            elif conv in "eEfFgGaA":
                try:
                    v = float(a or 0)
                except ValueError:
                    complain(f"{a}: invalid number")
                    st = 1
                    v = 0.0
                spec = "%" + flags + (str(width) if width is not None else "")
                spec += f".{prec}" if prec is not None else ""
                out.append(spec + conv if conv in "aA" else (spec + conv) % v)
            else:
                v = number(a)
                if conv in "ouxX" and v < 0:
                    v &= (1 << 64) - 1
                spec = "%" + flags + (str(width) if width is not None else "")
                spec += f".{prec}" if prec is not None else ""
                out.append((spec + ("d" if conv in "iu" else conv)) % v)
        if stop or pos == start or pos >= len(args):
            break
    return "".join(out), st


def _pad(text: str, flags: str, width: int | None, prec: int | None) -> str:
    if prec is not None:
        text = text[:prec]
    if width is None:
        return text
    return text.ljust(width) if "-" in flags else text.rjust(width)


_BS_QUOTE = frozenset(" \t\n!\"$&'()*,;<>?[\\]^`{|}")


def printf_quote(s: str, utf8: bool = False) -> str:
    """``printf %q``: backslashes before shell metacharacters, ``''`` for nothing,
    ``$'...'`` for text that does not print."""
    if s == "":
        return "''"
    if not expand.printable(s, utf8):
        return expand.ansi_c_quote(s, utf8)
    out = []
    for k, c in enumerate(s):
        if c in _BS_QUOTE or (k == 0 and c in "#~"):
            out.append("\\")
        out.append(c)
    return "".join(out)


@bash_builtin("exit", "return")
def b_exit_bash(sh: Shell, argv: list[str]) -> int:
    from emu.sh.interp import _Exit, _Return

    who = argv[0]
    if who == "return" and not sh.frames and not sh.sourcing:
        raise _error("can only `return' from a function or sourced script", 2)
    st = sh.status
    if len(argv) > 1:
        arg = argv[1]
        if re.fullmatch(r"\s*[+-]?[0-9]+\s*", arg):
            st = int(arg) & 0xFF
        else:
            sh.builtin_message(who, f"{arg}: numeric argument required")
            st = 2
            if who == "return":
                raise _Return(st)
    raise (_Exit if who == "exit" else _Return)(st)


@bash_builtin("break", "continue")
def b_break_bash(sh: Shell, argv: list[str]) -> int:
    from emu.sh.interp import _Break, _Continue

    who = argv[0]
    n = 1
    if len(argv) > 1:
        if not re.fullmatch(r"-?[0-9]+", argv[1]):
            raise _error(f"{argv[1]}: numeric argument required", 1)
        n = int(argv[1])
        if n < 1:
            raise _error(f"{argv[1]}: loop count out of range", 1)
    if sh.loop_depth == 0:
        sh.builtin_message(who, "only meaningful in a `for', `while', or `until' loop")
        return 0
    raise (_Break if who == "break" else _Continue)(min(n, sh.loop_depth))


@bash_builtin("shift")
def b_shift_bash(sh: Shell, argv: list[str]) -> int:
    n = 1
    if len(argv) > 1:
        if not re.fullmatch(r"-?[0-9]+", argv[1]):
            raise _error(f"{argv[1]}: numeric argument required", 1)
        n = int(argv[1])
        if n < 0:
            raise _error(f"{argv[1]}: shift count out of range", 1)
    if n > len(sh.params):
        return 1
    sh.params = sh.params[n:]
    return 0


@bash_builtin("let")
def b_let_bash(sh: Shell, argv: list[str]) -> int:
    if len(argv) < 2:
        raise _error("expression expected", 1)
    st = 1
    for expr in argv[1:]:
        st = sh.arith_status("let", expr)
    return st


@bash_builtin(".", "source")
def b_source_bash(sh: Shell, argv: list[str]) -> int:
    from emu.sh.interp import _Return

    args = argv[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        raise _error("filename argument required", 2)
    name = args[0]
    path: str | None = None
    if "/" in name:
        path = sh.abspath(name)
    else:
        if "sourcepath" in sh.shopts:
            for d in sh.vars.get("PATH", "").split(":"):
                cand = sh.abspath(posixpath.join(d or ".", name))
                if isinstance(sh._lookup(cand), File):
                    path = cand
                    break
        if path is None:
            path = sh.abspath(name)
    node = sh._lookup(path)
    if isinstance(node, Dir):
        sh.err(f"{sh.srcname}: line {sh.lineno}: {name}: is a directory\n")
        return 1
    if not isinstance(node, File):
        sh.err(f"{sh.srcname}: line {sh.lineno}: {name}: No such file or directory\n")
        return 1
    text = (node.data or b"").decode("utf-8", "surrogateescape")
    saved_params, saved_src = sh.params, sh.srcname
    if len(args) > 1:
        sh.params = args[1:]
    sh.srcname = name
    sh.sourcing += 1
    saved_line = sh.lineno
    try:
        return sh.eval_text(text, ".")
    except _Return as r:
        return r.value
    finally:
        sh.sourcing -= 1
        sh.srcname = saved_src
        sh.lineno = saved_line
        if len(args) > 1:
            sh.params = saved_params


@bash_builtin("cd", "chdir")
def b_cd_bash(sh: Shell, argv: list[str]) -> int:
    try:
        return b_cd(sh, argv)
    except Exception as e:
        message = getattr(e, "message", None)
        if message is None or not message.startswith("can't cd to "):
            raise
        rest = message[len("can't cd to ") :]
        dest, _, why = rest.rpartition(": ")
        if not dest:
            raise _error("OLDPWD not set", 1) from None
        raise _error(f"{dest}: {why}", 1) from None


@bash_builtin("pushd", "popd", "dirs")
def b_dirs(sh: Shell, argv: list[str]) -> int:
    who = argv[0]
    args = [a for a in argv[1:] if a != "-n"]
    quiet = "-n" in argv[1:]
    if who == "pushd":
        if not args:
            if not sh.dirstack:
                raise _error("no other directory", 1)
            target = sh.dirstack[0]
            sh.dirstack[0] = sh.cwd
        else:
            target = args[0]
            sh.dirstack.insert(0, sh.cwd)
        st = b_cd_bash(sh, ["cd", target])
        if st:
            sh.dirstack.pop(0)
            return st
    elif who == "popd":
        if not sh.dirstack:
            raise _error("directory stack empty", 1)
        target = sh.dirstack.pop(0)
        st = b_cd_bash(sh, ["cd", target])
        if st:
            return st
    elif args[:1] == ["-c"]:
        sh.dirstack.clear()
        return 0
    stack = [sh.cwd, *sh.dirstack]
    home = sh.vars.get("HOME", "")

    def show(d: str) -> str:
        if (who == "dirs" and "-l" in args) or not home:
            return d
        return "~" + d[len(home) :] if d == home or d.startswith(home + "/") else d

    if who == "dirs" and "-v" in args:
        for k, d in enumerate(stack):
            sh.out(f"{k:2d}  {show(d)}\n")
        return 0
    if who == "dirs" and "-p" in args:
        for d in stack:
            sh.out(show(d) + "\n")
        return 0
    if not quiet:
        sh.out(" ".join(show(d) for d in stack) + "\n")
    return 0


@bash_builtin("caller")
def b_caller(sh: Shell, argv: list[str]) -> int:
    # The line a function was called from is not kept: the current line stands in.
    if not sh.frames:
        return 1
    names = (sh.arrays.get("FUNCNAME") or expand.Arr()).values()
    if len(argv) < 2:
        sh.out(f"{sh.lineno} {'NULL' if sh.cmode and len(names) < 2 else sh.srcname}\n")
        return 0
    level = int(argv[1]) if (argv[1].isascii() and argv[1].isdigit()) else 0
    if level + 1 < len(names):
        sh.out(f"{sh.lineno} {names[level + 1]} {sh.srcname}\n")
        return 0
    if level + 1 == len(names) and not sh.cmode:
        sh.out(f"{sh.lineno} main {sh.arg0}\n")
        return 0
    return 1


@bash_builtin("builtin")
def b_builtin(sh: Shell, argv: list[str]) -> int:
    if len(argv) < 2:
        return 0
    name = argv[1]
    if name not in sh.builtins:
        raise _error(f"{name}: not a shell builtin", 1)
    return sh.call_builtin(name, argv[1:])


_BASH_KEYWORDS = frozenset(
    ["if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until",
     "do", "done", "in", "function", "time", "{", "}", "!", "[[", "]]", "coproc"]
)  # fmt: skip


def _bash_describe(sh: Shell, name: str, kinds: str = "akfbp") -> list[tuple[str, str]]:
    """What ``name`` is to bash, most important first: (kind, detail)."""
    out: list[tuple[str, str]] = []
    if "a" in kinds and name in sh.aliases and "expand_aliases" in sh.shopts:
        out.append(("alias", sh.aliases[name]))
    if "k" in kinds and name in _BASH_KEYWORDS:
        out.append(("keyword", ""))
    if "f" in kinds and name in sh.funcs:
        out.append(("function", ""))
    if "b" in kinds and name in sh.builtins:
        out.append(("builtin", ""))
    if "p" in kinds:
        for path in _path_hits(sh, name):
            out.append(("file", path))
    return out


def _path_hits(sh: Shell, name: str) -> list[str]:
    if "/" in name:
        found = sh.find(name)
        return [name] if found is not None else []
    hits: list[str] = []
    from emu.sh.api import find_executable

    for d in sh.vars.get("PATH", "").split(":"):
        d = d or "."
        found = find_executable(sh.fs, name, d if d.startswith("/") else sh.abspath(d), sh.ident)
        if found is not None:
            hits.append(posixpath.join(d, name))
    return hits


@bash_builtin("type")
def b_type_bash(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    given = _letters(sh, args, "tpPaf")
    mode = _last(given, "tpP")
    every = "a" in given
    st = 0
    for name in args:
        kinds = "p" if mode == "P" else "akfbp"
        found = _bash_describe(sh, name, kinds)
        if mode == "p" and found and found[0][0] != "file":
            continue
        if not every:
            found = found[:1]
        if not found:
            st = 1
            if not mode:
                sh.builtin_message("type", f"{name}: not found")
            continue
        for kind, detail in found:
            if mode == "t":
                sh.out(kind + "\n")
            elif mode in "pP" and mode:
                sh.out(detail + "\n")
            elif kind == "alias":
                sh.out(f"{name} is aliased to `{detail}'\n")
            elif kind == "keyword":
                sh.out(f"{name} is a shell keyword\n")
            elif kind == "function":
                sh.out(f"{name} is a function\n{function_text(sh.funcs[name])}\n")
            elif kind == "builtin":
                sh.out(f"{name} is a shell builtin\n")
            else:
                sh.out(f"{name} is {detail}\n")
    return st


@bash_builtin("command")
def b_command_bash(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    mode = _last(_letters(sh, args, "vVp"), "vV")
    if not args:
        return 0
    if mode:
        st = 0
        for name in args:
            found = _bash_describe(sh, name)
            if not found:
                if mode == "V":
                    sh.builtin_message("command", f"{name}: not found")
                st = 1
                continue
            kind, detail = found[0]
            if mode == "v":
                sh.out(
                    (
                        detail
                        if kind == "file"
                        else f"alias {name}='{detail}'"
                        if kind == "alias"
                        else name
                    )
                    + "\n"
                )
            elif kind == "file":
                sh.out(f"{name} is {detail}\n")
            elif kind == "function":
                sh.out(f"{name} is a function\n{function_text(sh.funcs[name])}\n")
            else:
                sh.out(f"{name} is a shell {kind}\n")
        return st
    name = args[0]
    if name in sh.builtins:
        return sh.call_builtin(name, args)
    return sh.run_program(args, [], None)


@bash_builtin("trap")
def b_trap_bash(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args or args[0] == "-p" or args[0] == "-l":
        if args[:1] == ["-l"]:
            return 0
        wanted = [_bash_signal(a) for a in args[1:]]
        for sig in _trap_order(sh.traps):
            if wanted and sig not in wanted:
                continue
            sh.out(f"trap -- {expand.bash_single_quote(sh.traps[sig])} {sig}\n")
        return 0
    if len(args) == 1 or re.fullmatch(r"[0-9]+", args[0]):
        return _set_traps(sh, "-", args, _bash_signal)
    return _set_traps(sh, args[0], args[1:], _bash_signal)


def _bash_signal(sig: str) -> str:
    s = sig.upper()
    if s in ("0", "EXIT"):
        return "EXIT"
    if s in ("ERR", "DEBUG", "RETURN"):
        return s
    numbers = {"1": "HUP", "2": "INT", "3": "QUIT", "9": "KILL", "15": "TERM"}
    s = numbers.get(s, s)
    return s if s.startswith("SIG") else "SIG" + s


def _trap_order(traps: dict[str, str]) -> list[str]:
    order = ["EXIT", "SIGHUP", "SIGINT", "SIGQUIT", "SIGKILL", "SIGUSR1", "SIGUSR2",
             "SIGTERM", "DEBUG", "ERR", "RETURN"]  # fmt: skip
    return sorted(traps, key=lambda s: order.index(s) if s in order else 50)


@bash_builtin("test", "[")
def b_test_bash(sh: Shell, argv: list[str]) -> int:
    caller = coreutils.Caller(sh.fs, sh.ident, sh.cwd)
    return coreutils.bash_test(argv[0], argv[1:], caller, lambda m: sh.builtin_message(argv[0], m))


@bash_builtin("hash")
def b_hash_bash(sh: Shell, argv: list[str]) -> int:
    return 0


@bash_builtin("getopts")
def b_getopts_bash(sh: Shell, argv: list[str]) -> int:
    return b_getopts(sh, argv)


@bash_builtin("disown", "suspend", "enable", "help", "bind", "compgen", "complete", "compopt")
def b_noop(sh: Shell, argv: list[str]) -> int:
    return 0


def function_text(f: Any) -> str:
    """A function as ``declare -f`` prints it."""
    from emu.sh.interp import deparse_function

    text: str = deparse_function(f)
    return text


BASH_BUILTINS: dict[str, Builtin] = {k: v for k, v in BUILTINS.items() if k not in ("[[", "chdir")}
BASH_BUILTINS.update(_BASH)
