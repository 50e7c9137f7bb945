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
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from emu.fs import Dir, File
from emu.sh import coreutils
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
    if not s.isdigit() or not s.isascii():
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
    for opt in _option_words(args):
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
    if text.isdigit():
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
            sh.out(f"{_SIGNALS[n - 1][0] if a.isdigit() else n}\n")
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
        pid = int(a) if a.isdigit() else None
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
    done = coreutils.printf(argv[1:], lambda m: sh.err(f"sh: {m}\n"))
    if done is None:
        sh.err("sh: usage: printf FORMAT [ARGUMENT...]\n")
        return 2
    sh.out(done[0])
    return done[1]


@builtin("test", "[", "[[")
def b_test(sh: Shell, argv: list[str]) -> int:
    caller = coreutils.Caller(sh.fs, sh.ident, sh.cwd)
    return coreutils.test(argv[0], argv[1:], caller, lambda m: sh.err(f"sh: {m}\n"))
