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
from collections.abc import Callable
from typing import TYPE_CHECKING

from emu.errors import EmuError
from emu.fs import Dir, File, FsError, Symlink
from emu.sh.api import R_OK, W_OK, X_OK, allowed
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
    if not s.isdigit() or not s.isascii():
        raise _error(f"Illegal number: {s}")
    return int(s)


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


@builtin("exit")
def b_exit(sh: Shell, argv: list[str]) -> int:
    from emu.sh.interp import _Exit

    st = _number(argv[1]) & 0xFF if len(argv) > 1 else sh.status
    raise _Exit(st)


@builtin("return")
def b_return(sh: Shell, argv: list[str]) -> int:
    from emu.sh.interp import _Return

    st = _number(argv[1]) & 0xFF if len(argv) > 1 else sh.status
    raise _Return(st)


def _loop_count(argv: list[str]) -> int:
    n = _number(argv[1]) if len(argv) > 1 else 1
    if n == 0:
        raise _error("Illegal number: 0")
    return n


@builtin("break")
def b_break(sh: Shell, argv: list[str]) -> int:
    from emu.sh.interp import _Break

    n = _loop_count(argv)
    if sh.loop_depth == 0:
        return 0
    raise _Break(min(n, sh.loop_depth))


@builtin("continue")
def b_continue(sh: Shell, argv: list[str]) -> int:
    from emu.sh.interp import _Continue

    n = _loop_count(argv)
    if sh.loop_depth == 0:
        return 0
    raise _Continue(min(n, sh.loop_depth))


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
        return r.status
    finally:
        if len(argv) > 2:
            sh.params = saved


@builtin("exec")
def b_exec(sh: Shell, argv: list[str]) -> int:
    from emu.sh.interp import _Exit

    args = argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        # `exec >file`: the redirections were applied around this call; keep them.
        sh.keep_redirects = True
        return 0
    st = sh.run_program(args, [], None)
    raise _Exit(st)


@builtin("trap")
def b_trap(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        for sig, action in sorted(sh.traps.items()):
            sh.out(f"trap -- {quote(action)} {sig}\n")
        return 0
    if len(args) == 1:
        # `trap SIG` resets it.
        for sig in args:
            sh.traps.pop(_signal(sig), None)
        return 0
    action, sigs = args[0], args[1:]
    for sig in sigs:
        name = _signal(sig)
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
    while args and args[0].startswith("-") and len(args[0]) > 1:
        opt = args.pop(0)
        if opt == "--":
            break
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
    funcs = False
    while args and args[0].startswith("-") and len(args[0]) > 1:
        opt = args.pop(0)
        if opt == "--":
            break
        if opt == "-f":
            funcs = True
        elif opt == "-v":
            funcs = False
        else:
            raise _error(f"illegal option {opt}")
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
        if a[1:] == "o":
            if not args:
                _list_options(sh, on)
                return 0
            opt = args.pop(0)
            if not sh.set_long_option(opt, on):
                raise _error(f"Illegal option -o {opt}")
            continue
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
    while args and args[0].startswith("-") and len(args[0]) > 1:
        opt = args.pop(0)
        if opt == "--":
            break
        k = 1
        while k < len(opt):
            c = opt[k]
            if c == "r":
                raw = True
            elif c == "s":
                pass
            elif c in "pdntu":
                val = opt[k + 1 :] or (args.pop(0) if args else "")
                # -p PROMPT goes to a terminal, and there is none; -t and -u do not apply.
                if c == "d":
                    delim = val[:1] or "\0"
                elif c == "n":
                    nchars = int(val) if val.isdigit() else None
                break
            else:
                sh.err(f"sh: read: invalid option -- '{c}'\n")
                return 1
            k += 1
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
    _assign_read(sh, names, buf, protected)
    return 1 if eof else 0


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
    physical = False
    while args and args[0].startswith("-") and len(args[0]) > 1:
        opt = args.pop(0)
        if opt == "--":
            break
        if opt == "-P":
            physical = True
        elif opt == "-L":
            physical = False
        else:
            raise _error(f"Illegal option {opt}")
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
    try:
        node = sh.fs.lookup(logical)
    except FsError as e:
        raise _error(f"can't cd to {dest}: {_strerror(e)}") from None
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


def _strerror(e: FsError) -> str:
    s = e.strerror
    return s[:1].upper() + s[1:]


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
    while args and args[0].startswith("-") and len(args[0]) > 1:
        opt = args.pop(0)
        if opt == "--":
            break
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


@builtin("kill")
def b_kill(sh: Shell, argv: list[str]) -> int:
    # Background commands have finished; there is nothing to signal.
    return 0


# --- echo and printf -------------------------------------------------------------------------


def _escapes(s: str, *, printf_octal: bool) -> tuple[str, bool]:
    """Backslash escapes of ``echo -e`` and ``%b`` (``printf_octal``: ``\\0NNN``), plus
    whether ``\\c`` cut the output short."""
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        e = s[i + 1]
        i += 2
        simple = {"a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "n": "\n", "r": "\r",
                  "t": "\t", "v": "\v", "\\": "\\"}  # fmt: skip
        if e in simple:
            out.append(simple[e])
        elif e == "c":
            return "".join(out), True
        elif e == "x" and i < n and s[i] in "0123456789abcdefABCDEF":
            j = i
            while j < n and j < i + 2 and s[j] in "0123456789abcdefABCDEF":
                j += 1
            out.append(_byte(int(s[i:j], 16)))
            i = j
        elif e in "01234567":
            start = i - 1
            if e == "0":
                start = i
            j = start
            while j < n and j < start + 3 and s[j] in "01234567":
                j += 1
            out.append(_byte(int(s[start:j] or "0", 8) & 0xFF))
            i = j
        else:
            out.append("\\" + e)
    return "".join(out), False


def _byte(v: int) -> str:
    # A byte above 0x7f is that raw byte, not a character: surrogateescape carries it.
    return chr(v) if v < 0x80 else chr(0xDC00 + v)


@builtin("echo")
def b_echo(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    newline = True
    interpret = False
    while args and len(args[0]) > 1 and args[0][0] == "-" and all(c in "neE" for c in args[0][1:]):
        for c in args.pop(0)[1:]:
            if c == "n":
                newline = False
            elif c == "e":
                interpret = True
            else:
                interpret = False
    text = " ".join(args)
    if interpret:
        text, cut = _escapes(text, printf_octal=False)
        if cut:
            newline = False
    sh.out(_latin(text + ("\n" if newline else "")))
    return 0


def _latin(text: str) -> bytes:
    """Text whose escapes produced raw bytes (``\\377``) as bytes; the rest as UTF-8."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # pragma: no cover - surrogateescape takes everything
        return text.encode("latin-1", "replace")


_DIRECTIVE = re.compile(r"%([-+ #0]*)(\*|[0-9]*)(?:\.(\*|[0-9]*))?([hlLz]*)(.?)", re.S)


class _PrintfState:
    __slots__ = ("args", "status")

    def __init__(self, args: list[str]) -> None:
        self.args = args
        self.status = 0

    def next(self) -> str | None:
        return self.args.pop(0) if self.args else None


def _printf_int(st: _PrintfState, sh: Shell, s: str | None, unsigned: bool = False) -> int:
    if s is None:
        s = ""
    if s[:1] in ("'", '"'):
        return ord(s[1]) if len(s) > 1 else 0
    t = s.strip(" \t\n")
    m = re.fullmatch(r"([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)", t)
    if m:
        digits = m.group(2)
        if digits[:2].lower() == "0x":
            v = int(digits, 16)
        elif digits.startswith("0"):
            v = int(digits, 8)
        else:
            v = int(digits)
        if m.group(1) == "-":
            v = -v
        if -(1 << 63) <= v < (1 << 64):
            return v
    sh.err(f"sh: invalid number '{s}'\n")
    st.status = 1
    return 0


def _printf_float(st: _PrintfState, sh: Shell, s: str | None) -> float:
    if s is None:
        s = ""
    if s[:1] in ("'", '"'):
        return float(ord(s[1])) if len(s) > 1 else 0.0
    try:
        return float(s.strip())
    except ValueError:
        sh.err(f"sh: invalid number '{s}'\n")
        st.status = 1
        return 0.0


@builtin("printf")
def b_printf(sh: Shell, argv: list[str]) -> int:
    args = argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        sh.err("sh: usage: printf FORMAT [ARGUMENT...]\n")
        return 2
    fmt = args[0]
    st = _PrintfState(args[1:])
    out: list[str] = []
    try:
        while True:
            consumed_before = len(st.args)
            stop = _printf_once(sh, fmt, st, out)
            if stop or not st.args or len(st.args) == consumed_before:
                break
    finally:
        sh.out(_latin("".join(out)))
    return st.status


def _printf_once(sh: Shell, fmt: str, st: _PrintfState, out: list[str]) -> bool:
    """One pass over the format; True when output must stop (``\\c``, a bad format)."""
    i, n = 0, len(fmt)
    while i < n:
        c = fmt[i]
        if c == "\\":
            span = _esc_span(fmt, i)
            text, cut = _escapes(span, printf_octal=True)
            out.append(text)
            if cut:
                return True
            i += len(span)
            continue
        if c != "%":
            j = i
            while j < n and fmt[j] not in "%\\":
                j += 1
            out.append(fmt[i:j])
            i = j
            continue
        if fmt.startswith("%%", i):
            out.append("%")
            i += 2
            continue
        m = _DIRECTIVE.match(fmt, i)
        assert m is not None
        flags, width, prec, _mods, conv = m.groups()
        if conv == "" or conv not in "diouxXcsbeEfFgGaA":
            rest = fmt[i : m.start(4)] + fmt[m.end(4) :]
            sh.err(f"sh: {rest}: invalid format\n")
            st.status = 1
            return True
        if width == "*":
            width = str(_printf_int(st, sh, st.next()))
        if prec == "*":
            prec = str(_printf_int(st, sh, st.next()))
        spec = "%" + flags + (width or "") + ("." + prec if prec is not None else "")
        arg = st.next()
        if conv in "di":
            out.append((spec + "d") % _printf_int(st, sh, arg))
        elif conv in "ouxX":
            v = _printf_int(st, sh, arg, unsigned=True)
            if v < 0:
                v += 1 << 64
            if conv == "o" and "#" in flags:
                # C's "%#o" is a leading 0; Python's would be "0o".
                text = f"{v:o}"
                text = text if text.startswith("0") else "0" + text
                out.append((spec.replace("#", "") + "s") % text)
            else:
                out.append((spec + conv) % v)
        elif conv in "eEfFgGaA":
            f = _printf_float(st, sh, arg)
            out.append((spec + ("e" if conv in "aA" else conv)) % f)
        elif conv == "c":
            out.append(
                (spec.replace(".", "") + "s") % ((arg or "")[:1])
                if prec is None
                else (spec + "s") % ((arg or "")[:1])
            )
        elif conv == "s":
            out.append((spec + "s") % (arg or ""))
        else:  # b
            text, cut = _escapes(arg or "", printf_octal=True)
            out.append((spec + "s") % text)
            if cut:
                return True
        i = m.end()
    return False


def _esc_span(fmt: str, i: int) -> str:
    """The text of the escape at ``i``: ``\\NNN``, ``\\0NNN``, ``\\xHH`` or two characters."""
    n = len(fmt)
    j = i + 1
    if j >= n:
        return fmt[i:]
    if fmt[j] == "x":
        k = j + 1
        while k < n and k < j + 3 and fmt[k] in "0123456789abcdefABCDEF":
            k += 1
        return fmt[i:k]
    if fmt[j] in "01234567":
        limit = j + (4 if fmt[j] == "0" else 3)
        k = j
        while k < n and k < limit and fmt[k] in "01234567":
            k += 1
        return fmt[i:k]
    return fmt[i : j + 1]


# --- test ----------------------------------------------------------------------------------


class _TestError(Exception):
    pass


_UNARY = frozenset(
    ["-e", "-f", "-d", "-L", "-h", "-s", "-r", "-w", "-x", "-z", "-n", "-b", "-c", "-p",
     "-S", "-g", "-u", "-k", "-t", "-O", "-G"]
)  # fmt: skip
_BINARY = frozenset(
    ["=", "==", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef", "<", ">"]
)


@builtin("test", "[", "[[")
def b_test(sh: Shell, argv: list[str]) -> int:
    """``test``, ``[`` and ash's ``[[``: the same test, where ``[[`` also takes ``&&``,
    ``||`` and matches patterns with ``==`` (its words are split and globbed as usual)."""
    args = argv[1:]
    close = {"[": "]", "[[": "]]"}.get(argv[0])
    if close is not None:
        if not args or args[-1] != close:
            sh.err(f"sh: missing {close}\n")
            return 2
        args = args[:-1]
    patterns = argv[0] == "[["
    if patterns:
        args = [{"&&": "-a", "||": "-o"}.get(a, a) for a in args]
    try:
        return 0 if _Test(sh, args, patterns).run() else 1
    except _TestError as e:
        sh.err(f"sh: {e}\n")
        return 2


class _Test:
    """POSIX ``test``: the argument-count rules for up to four arguments, then the
    classic grammar (``!`` > ``-a`` > ``-o``, parentheses)."""

    def __init__(self, sh: Shell, args: list[str], patterns: bool = False) -> None:
        self.sh = sh
        self.args = args
        self.i = 0
        self.patterns = patterns

    def run(self) -> bool:
        a = self.args
        n = len(a)
        if n == 0:
            return False
        if n == 1:
            return a[0] != ""
        if n == 2:
            if a[0] == "!":
                return a[1] == ""
            if a[0] in _UNARY:
                return self.unary(a[0], a[1])
        if n == 3:
            if a[1] in _BINARY:
                return self.binary(a[0], a[1], a[2])
            if a[0] == "!":
                return not _Test(self.sh, a[1:], self.patterns).run()
            if a[0] == "(" and a[2] == ")":
                return a[1] != ""
            if a[1] in ("-a", "-o"):
                return self.expr()
        if n == 4 and a[0] == "!":
            return not _Test(self.sh, a[1:], self.patterns).run()
        return self.expr()

    def expr(self) -> bool:
        v = self.or_expr()
        if self.i < len(self.args):
            raise _TestError(f"{self.args[self.i]}: unknown operand")
        return v

    def peek(self) -> str | None:
        return self.args[self.i] if self.i < len(self.args) else None

    def or_expr(self) -> bool:
        v = self.and_expr()
        while self.peek() == "-o":
            self.i += 1
            w = self.and_expr()
            v = v or w
        return v

    def and_expr(self) -> bool:
        v = self.not_expr()
        while self.peek() == "-a":
            self.i += 1
            w = self.not_expr()
            v = v and w
        return v

    def not_expr(self) -> bool:
        if self.peek() == "!":
            self.i += 1
            return not self.not_expr()
        return self.primary()

    def primary(self) -> bool:
        a = self.args
        t = self.peek()
        if t is None:
            raise _TestError("argument expected")
        if t == "(":
            self.i += 1
            v = self.or_expr()
            if self.peek() != ")":
                raise _TestError("closing paren expected")
            self.i += 1
            return v
        if self.i + 2 < len(a) and a[self.i + 1] in _BINARY:
            left, op, right = a[self.i], a[self.i + 1], a[self.i + 2]
            self.i += 3
            return self.binary(left, op, right)
        if t in _UNARY:
            if self.i + 1 >= len(a):
                raise _TestError("argument expected")
            self.i += 2
            return self.unary(t, a[self.i - 1])
        if self.i + 1 < len(a) and a[self.i + 1] in _BINARY:
            raise _TestError(f"{a[self.i + 1]}: argument expected")
        self.i += 1
        return t != ""

    def node(self, path: str, follow: bool = True) -> object:
        try:
            return self.sh.fs.lookup(self.sh.abspath(path), follow=follow) if path else None
        except EmuError:
            return None

    def unary(self, op: str, arg: str) -> bool:
        sh = self.sh
        if op == "-z":
            return arg == ""
        if op == "-n":
            return arg != ""
        if op == "-t":
            return False
        if op in ("-L", "-h"):
            return isinstance(self.node(arg, False), Symlink)
        node = self.node(arg)
        if node is None:
            return False
        if op == "-e":
            return True
        if op == "-f":
            return isinstance(node, File)
        if op == "-d":
            return isinstance(node, Dir)
        if op == "-s":
            return (isinstance(node, File) and node.size > 0) or isinstance(node, Dir)
        if op in ("-r", "-w", "-x"):
            mode = {"-r": R_OK, "-w": W_OK, "-x": X_OK}[op]
            return allowed(node, sh.ident, mode)  # type: ignore[arg-type]
        meta = getattr(node, "meta", None)
        kind = getattr(node, "kind", None)
        if op == "-b":
            return getattr(kind, "value", "") == "block"
        if op == "-c":
            return getattr(kind, "value", "") == "char"
        if op == "-p":
            return getattr(kind, "value", "") == "fifo"
        if op == "-S":
            return False
        if meta is None:
            return False
        if op == "-u":
            return bool(meta.mode & 0o4000)
        if op == "-g":
            return bool(meta.mode & 0o2000)
        if op == "-k":
            return bool(meta.mode & 0o1000)
        if op == "-O":
            return bool(meta.uid == sh.ident.uid)
        if op == "-G":
            return bool(meta.gid == sh.ident.gid)
        return False

    def integer(self, s: str) -> int:
        t = s.strip(" \t\n")
        if re.fullmatch(r"[+-]?[0-9]+", t):
            v = int(t)
            if -(1 << 63) <= v < (1 << 63):
                return v
            raise _TestError(f"{s}: out of range")
        raise _TestError(f"{s}: bad number")

    def binary(self, left: str, op: str, right: str) -> bool:
        if op in ("=", "==", "!="):
            if self.patterns:
                from emu.sh.expand import match

                hit = match(right, left)
            else:
                hit = left == right
            return hit if op != "!=" else not hit
        if op == "<":
            return left < right
        if op == ">":
            return left > right
        if op in ("-nt", "-ot", "-ef"):
            a, b = self.node(left), self.node(right)
            if op == "-ef":
                return a is not None and a is b
            ma = getattr(getattr(a, "meta", None), "mtime", None)
            mb = getattr(getattr(b, "meta", None), "mtime", None)
            if op == "-nt":
                return ma is not None and (mb is None or ma > mb)
            return mb is not None and (ma is None or ma < mb)
        x, y = self.integer(left), self.integer(right)
        return {
            "-eq": x == y,
            "-ne": x != y,
            "-lt": x < y,
            "-le": x <= y,
            "-gt": x > y,
            "-ge": x >= y,
        }[op]
