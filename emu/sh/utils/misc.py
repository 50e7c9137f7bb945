"""System and misc utilities: env printenv id whoami groups which true false sleep date uname
hostname nproc pwd sha*sum md5sum base64 test/[ expr. The machine they describe is a
deterministic one: UTC, the clock from ``$SOURCE_DATE_EPOCH``, BuildKit's hostname."""

from __future__ import annotations

import base64 as _b64
import hashlib
import posixpath
import re
import time as _time

from emu.fs import File, accounts
from emu.records import replace
from emu.sh import coreutils, permissive
from emu.sh.api import X_OK, Proc, allowed, find_executable
from emu.sh.options import Die, getopt, number
from emu.sh.utils._common import Sys, Unmodelled, applet, now
from emu.sh.utils.files import parse_date
from emu.sh.utils.find import spawn

HOSTNAME = "buildkitsandbox"  # what a RUN step's container is called under BuildKit
KERNEL = ("Linux", "5.15.0", "#1 SMP", "x86_64")

# --- env / printenv ---------------------------------------------------------------------


@applet("env", usage="[-i0] [-u NAME]... [-] [NAME=VALUE]... [PROG ARGS]")
def env(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "iu:0",
        {"ignore-environment": "i", "unset=": "u", "null": "0"},
        permute=False,
    )
    args = list(o.args)
    newenv = {} if "i" in o else dict(proc.env)
    if args and args[0] == "-":
        newenv = {}
        args = args[1:]
    for name in o.all("u"):
        newenv.pop(name, None)
    while args and "=" in args[0] and not args[0].startswith("="):
        k, _, v = args.pop(0).partition("=")
        newenv[k] = v
    if not args:
        end = "\0" if "0" in o else "\n"
        proc.out("".join(f"{k}={v}{end}" for k, v in newenv.items()))
        return 0
    child = replace(proc, env=newenv)
    # A name with a slash is relative to the working directory, as execvp takes it.
    name = posixpath.join(proc.cwd, args[0]) if "/" in args[0] else args[0]
    found = find_executable(proc.fs, name, newenv.get("PATH", "/bin:/usr/bin"), proc.ident)
    if found is None:
        proc.err(f"can't execute '{args[0]}': No such file or directory")
        return 127
    return child.run(args)


@applet("printenv", usage="[VARIABLE]...")
def printenv(proc: Proc) -> int:
    names = proc.argv[1:]
    if not names:
        proc.out("".join(f"{k}={v}\n" for k, v in proc.env.items()))
        return 0
    status = 0
    for n in names:
        if n in proc.env:
            proc.out(proc.env[n] + "\n")
        else:
            status = 1
    return status


# --- id / whoami / groups ---------------------------------------------------------------


def _uname(sys: Sys, uid: int) -> str | None:
    p = accounts.user_with_id(sys.fs, uid)
    return p.name if p else None


def _gname(sys: Sys, gid: int) -> str | None:
    g = accounts.group_with_id(sys.fs, gid)
    return g.name if g else None


def user_groups(sys: Sys, name: str, gid: int) -> list[int]:
    """getgrouplist: the login group first, then every group listing the user."""
    out = [gid]
    for g in accounts.supplementary(sys.fs, name):
        if g not in out:
            out.append(g)
    return out


@applet("id", usage="[-ugGnr] [USER]")
def id_(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "ugGnrZ",
        {"user": "u", "group": "g", "groups": "G", "name": "n", "real": "r"},
    )
    sys = Sys(proc)
    if len(o.args) > 1:
        raise Die(None, usage=True)
    if o.args:
        pw = accounts.user_named(sys.fs, o.args[0])
        if pw is None and (o.args[0].isascii() and o.args[0].isdigit()):
            pw = accounts.user_with_id(sys.fs, int(o.args[0]))
        if pw is None:
            raise Die(f"unknown user {o.args[0]}")
        uid, gid = pw.uid, pw.gid
        gids = user_groups(sys, pw.name, pw.gid)
    else:
        uid, gid = sys.ident.uid, sys.ident.gid
        gids = list(sys.ident.groups)
    status = 0

    def show(n: int, name: str | None) -> str:
        nonlocal status
        if "n" in o:
            if name is None:
                status = 1
                return str(n)
            return name
        return str(n)

    if "u" in o:
        proc.out(show(uid, _uname(sys, uid)) + "\n")
        return status
    if "g" in o:
        proc.out(show(gid, _gname(sys, gid)) + "\n")
        return status
    if "G" in o:
        # The primary group first, then the others (busybox skips a repeat of it).
        listed = [gid, *(g for g in gids if g != gid)]
        proc.out(" ".join(show(g, _gname(sys, g)) for g in listed) + "\n")
        return status

    def fmt(n: int, name: str | None) -> str:
        # busybox 1.35 prints a bare number for an unnamed id and still exits 0 here;
        # only -n fails (seen with the real BuildKit, golden case 81).
        return str(n) if name is None else f"{n}({name})"

    line = f"uid={fmt(uid, _uname(sys, uid))} gid={fmt(gid, _gname(sys, gid))}"
    if gids:
        line += " groups=" + ",".join(fmt(g, _gname(sys, g)) for g in gids)
    proc.out(line + "\n")
    return status


@applet("whoami", usage="")
def whoami(proc: Proc) -> int:
    sys = Sys(proc)
    name = _uname(sys, sys.ident.uid)
    if name is None:
        raise Die(f"unknown uid {sys.ident.uid}")
    proc.out(name + "\n")
    return 0


@applet("groups", usage="[USER]")
def groups_(proc: Proc) -> int:
    sys = Sys(proc)
    args = proc.argv[1:]
    if args:
        pw = accounts.user_named(sys.fs, args[0])
        if pw is None:
            raise Die(f"unknown user {args[0]}")
        gids = user_groups(sys, pw.name, pw.gid)
    else:
        gids = list(sys.ident.groups) or [sys.ident.gid]
    proc.out(" ".join(_gname(sys, g) or str(g) for g in gids) + "\n")
    return 0


# --- which / true / false / sleep / pwd / nproc -----------------------------------------


@applet("which", usage="[-a] COMMAND...")
def which(proc: Proc) -> int:
    o = getopt(proc.argv[1:], "a")
    if not o.args:
        raise Die(None, usage=True)
    sys = Sys(proc)
    path = proc.env.get("PATH", "/sbin:/usr/sbin:/bin:/usr/bin")
    status = 0
    for name in o.args:
        hits = []
        if "/" in name:
            node = sys.try_stat(name)
            if isinstance(node, File) and allowed(node, sys.ident, X_OK):
                hits.append(name)
        else:
            for d in path.split(":"):
                cand = f"{d or '.'}/{name}"
                node = sys.try_stat(cand)
                if isinstance(node, File) and allowed(node, sys.ident, X_OK):
                    hits.append(cand)
                    if "a" not in o:
                        break
        if not hits:
            status = 1
        for h in hits:
            proc.out(h + "\n")
    return status


@applet("true", usage="")
def true(proc: Proc) -> int:
    return 0


@applet("false", usage="")
def false(proc: Proc) -> int:
    return 1


@applet("sleep", usage="[N]...")
def sleep(proc: Proc) -> int:
    # Time does not pass in an emulated build: the duration is checked, never waited.
    if len(proc.argv) < 2:
        raise Die(None, usage=True)
    for a in proc.argv[1:]:
        if not re.fullmatch(r"(\d+\.?\d*|\.\d+)([smhd]?)|inf(inity)?", a):
            raise Die(f"invalid number '{a}'")
    return 0


@applet("pwd", usage="[-LP]")
def pwd(proc: Proc) -> int:
    o = getopt(proc.argv[1:], "LP")
    if "P" in o:
        proc.out(Sys(proc).realpath(proc.cwd) + "\n")
    else:
        proc.out(proc.env.get("PWD", proc.cwd) if proc.env.get("PWD") == proc.cwd else proc.cwd)
        proc.out("\n")
    return 0


@applet("nproc", usage="[--all] [--ignore=N]", note="modelled: one CPU")
def nproc(proc: Proc) -> int:
    proc.out("1\n")
    return 0


# --- date / uname / hostname ------------------------------------------------------------


def strftime(fmt: str, t: int) -> str:
    tm = _time.gmtime(t)
    # %s, %N, %z and %Z are fixed: the clock is UTC and has whole seconds.
    fmt = fmt.replace("%%", "\x00").replace("%s", str(t)).replace("%N", "000000000")
    fmt = fmt.replace("%z", "+0000").replace("%Z", "UTC").replace("%:z", "+00:00")
    return _time.strftime(fmt, tm).replace("\x00", "%")


@applet("date", usage="[OPTIONS] [+FMT] [[-s] TIME]")
def date(proc: Proc) -> int:
    # -I[SPEC] / --iso-8601[=SPEC] take an optional attached argument: split it off first.
    argv: list[str] = []
    iso: str | None = None
    for a in proc.argv[1:]:
        m = re.fullmatch(r"-I(\w*)|--iso-8601(?:=(\w+))?", a)
        if m:
            iso = m.group(1) or m.group(2) or "date"
        else:
            argv.append(a)
    o = getopt(
        argv,
        "Rs:ud:r:D:",
        {
            "rfc-2822": "R",
            "set=": "s",
            "utc": "u",
            "universal": "u",
            "date=": "d",
            "reference=": "r",
        },
    )
    sys = Sys(proc)
    t = now(proc)
    if o.get("r") is not None:
        try:
            t = sys.stat(o.get("r") or "").meta.mtime
        except OSError as e:
            raise Die(f"{o.get('r')}: {e.strerror}") from None
    if o.get("d") is not None:
        v = parse_date(o.get("d") or "", t)
        if v is None:
            raise Die(f"invalid date '{o.get('d')}'")
        t = v
    fmt = "%a %b %e %H:%M:%S %Z %Y"
    if "R" in o:
        fmt = "%a, %d %b %Y %H:%M:%S %z"
    if iso is not None:
        spec = iso
        fmt = {
            "date": "%Y-%m-%d",
            "hours": "%Y-%m-%dT%H%z",
            "minutes": "%Y-%m-%dT%H:%M%z",
            "seconds": "%Y-%m-%dT%H:%M:%S%z",
        }.get(spec, "%Y-%m-%d")
    for a in o.args:
        if a.startswith("+"):
            fmt = a[1:]
        elif o.get("s") is None:
            raise Die("can't set date: Operation not permitted")
    if o.get("s") is not None:
        raise Die("can't set date: Operation not permitted")
    proc.out(strftime(fmt, t) + "\n")
    return 0


@applet("arch", usage="")
def arch(proc: Proc) -> int:
    """``uname -m``: the machine of the build (linux/amd64)."""
    proc.out("x86_64\n")
    return 0


@applet("uname", usage="[-amnrspvio]")
def uname(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "amnrspvio",
        {
            "all": "a",
            "kernel-name": "s",
            "nodename": "n",
            "kernel-release": "r",
            "kernel-version": "v",
            "machine": "m",
            "processor": "p",
            "hardware-platform": "i",
            "operating-system": "o",
        },
    )
    sysname, release, version, machine = KERNEL
    machine = _machine(proc) or machine
    fields = {
        "s": sysname,
        "n": _hostname(proc),
        "r": release,
        "v": version,
        "m": machine,
        "p": "unknown",
        "i": "unknown",
        "o": "GNU/Linux",
    }
    keys = "snrvmpio" if "a" in o else "".join(k for k in "snrvmpio" if k in o) or "s"
    if "a" in o:
        keys = "snrvmo"  # -a omits unknown -p/-i
    proc.out(" ".join(fields[k] for k in keys) + "\n")
    return 0


def _machine(proc: Proc) -> str | None:
    arch = proc.env.get("TARGETARCH") or ""
    return {
        "amd64": "x86_64",
        "arm64": "aarch64",
        "386": "i686",
        "arm": "armv7l",
        "s390x": "s390x",
        "ppc64le": "ppc64le",
        "riscv64": "riscv64",
    }.get(arch)


def _hostname(proc: Proc) -> str:
    node = proc.fs.lookup("/etc/hostname")
    if isinstance(node, File) and isinstance(node.content, bytes) and node.content.strip():
        return node.content.decode("utf-8", "replace").split()[0]
    return HOSTNAME


@applet("hostname", usage="[-sidf] [HOSTNAME | -F FILE]")
def hostname(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "sidfF:",
        {"short": "s", "fqdn": "f", "ip-address": "i", "domain": "d", "file=": "F"},
    )
    if o.args or "F" in o:
        raise Die("sethostname: Operation not permitted")
    name = _hostname(proc)
    if "s" in o:
        name = name.split(".")[0]
    elif "d" in o:
        name = name.partition(".")[2]
    elif "i" in o:
        name = "172.17.0.2"
    proc.out(name + "\n")
    return 0


# --- checksums --------------------------------------------------------------------------


def _hasher(name: str) -> str:
    return {
        "md5sum": "md5",
        "sha1sum": "sha1",
        "sha256sum": "sha256",
        "sha512sum": "sha512",
        "sha3sum": "sha3_256",
    }[name]


def _placeholder_url(sys: Sys, name: str) -> str | None:
    """The URL ``name`` stands for when it is a --permissive placeholder (else None)."""
    try:
        return permissive.url_of(sys.read(name)) if name != "-" else None
    except OSError:
        return None


@applet("md5sum", "sha1sum", "sha256sum", "sha512sum", usage="[-c[sw]] [FILE]...")
def sumprog(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "csbtwz",
        {
            "check": "c",
            "status": "s",
            "quiet": "\x01",
            "warn": "w",
            "strict": "\x02",
            "binary": "b",
            "text": "t",
        },
    )
    sys = Sys(proc)
    algo = _hasher(proc.name)
    status = 0

    def digest(name: str) -> str | None:
        try:
            data = proc.stdin if name == "-" else sys.read(name)
        except Unmodelled as u:
            proc.err(f"{name}: {u.strerror}")
            return None
        except OSError as e:
            proc.err(f"can't open '{name}': {e.strerror}")
            return None
        return hashlib.new(algo, data).hexdigest()

    if "c" not in o:
        for name in o.args or ["-"]:
            d = digest(name)
            if d is None:
                status = 1
                continue
            proc.out(f"{d}  {name}\n")
        return status
    bad = total = 0
    for listname in o.args or ["-"]:
        try:
            text = proc.stdin if listname == "-" else sys.read(listname)
        except OSError as e:
            proc.err(f"can't open '{listname}': {e.strerror}")
            status = 1
            continue
        for line in text.decode("utf-8", "surrogateescape").splitlines():
            if not line.strip():
                continue
            total += 1
            m = re.fullmatch(r"([0-9a-fA-F]+) [ *](.+)", line)
            if m is None:
                bad += 1
                if "w" in o:
                    proc.err("invalid format")
                continue
            want, name = m.group(1).lower(), m.group(2)
            url = _placeholder_url(sys, name)
            if url is not None:
                # --permissive's stand-in for a download: nothing real to check
                proc.err(f"{name}: emu: warning: a placeholder for {url}, not checked")
                continue
            got = digest(name)
            ok = got == want
            if not ok:
                bad += 1
            if "s" not in o and not (ok and "\x01" in o):
                proc.out(f"{name}: {'OK' if ok else 'FAILED'}\n")
    if bad:
        if "s" not in o:
            proc.err(f"WARNING: {bad} of {total} computed checksums did NOT match")
        return 1
    return status


@applet("base64", usage="[-d] [-w COL] [FILE]")
def base64(proc: Proc) -> int:
    o = getopt(proc.argv[1:], "dw:i", {"decode": "d", "wrap=": "w", "ignore-garbage": "i"})
    sys = Sys(proc)
    name = o.args[0] if o.args else "-"
    try:
        data = proc.stdin if name == "-" else sys.read(name)
    except OSError as e:
        raise Die(f"can't open '{name}': {e.strerror}") from None
    if "d" in o:
        out, complete = _b64_decode(data)
        proc.out(out)
        if not complete:
            raise Die("truncated input")
        return 0
    enc = _b64.b64encode(data).decode()
    width = number(o.get("w") or "76")
    if width:
        enc = "\n".join(enc[i : i + width] for i in range(0, len(enc), width))
    proc.out(enc + ("\n" if enc and width else ""))  # -w 0: no newline at all
    return 0


_B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


def _b64_decode(data: bytes) -> tuple[bytes, bool]:
    """busybox's decode_base64: any other character is skipped; four characters make
    three bytes, an ``=`` ends a group early (and decoding goes on after it). False when
    a group is left unfinished at the end ("truncated input", after what was decoded)."""
    out = bytearray()
    group: list[int] = []
    for ch in data:
        v = _B64.find(bytes([ch]))
        if v < 0:
            continue
        if v < 64:
            group.append(v)
            if len(group) < 4:
                continue
        if len(group) > 1:
            out.append((group[0] << 2 | group[1] >> 4) & 0xFF)
        if len(group) > 2:
            out.append((group[1] << 4 | group[2] >> 2) & 0xFF)
        if len(group) > 3:
            out.append((group[2] << 6 | group[3]) & 0xFF)
        group = []
    return bytes(out), not group


# --- test / [: the shell's own (emu.sh.coreutils) ---------------------------------------------


@applet("test", "[", "[[", usage="EXPRESSION")
def test(proc: Proc) -> int:
    caller = coreutils.Caller(proc.fs, proc.ident, proc.cwd)
    return coreutils.test(proc.name, proc.argv[1:], caller, proc.err)


# --- expr -------------------------------------------------------------------------------


class _ExprError(Exception):
    def __init__(self, msg: str, code: int = 2) -> None:
        super().__init__(msg)
        self.code = code


class _Expr(coreutils.Words):
    def take(self) -> str:
        if not self.left():
            raise _ExprError("syntax error")
        self.i += 1
        return self.words[self.i - 1]

    @staticmethod
    def is_int(v: str) -> bool:
        return re.fullmatch(r"-?\d+", v) is not None

    def toint(self, v: str) -> int:
        if not self.is_int(v):
            raise _ExprError("non-numeric argument")
        return int(v)

    @staticmethod
    def truth(v: str) -> bool:
        return not (v == "" or (re.fullmatch(r"-?0+", v) is not None))

    def parse(self) -> str:
        v = self.or_()
        if self.left():
            raise _ExprError("syntax error")
        return v

    def or_(self) -> str:
        left = self.and_()
        while self.accept("|"):
            right = self.and_()
            left = left if self.truth(left) else (right if self.truth(right) else "0")
        return left

    def and_(self) -> str:
        left = self.cmp()
        while self.accept("&"):
            right = self.cmp()
            left = left if self.truth(left) and self.truth(right) else "0"
        return left

    def cmp(self) -> str:
        left = self.add()
        while op := self.accept("<", "<=", "=", "==", "!=", ">=", ">"):
            right = self.add()
            if self.is_int(left) and self.is_int(right):
                a: int | str = int(left)
                b: int | str = int(right)
            else:
                a, b = left, right
            r = {
                "<": a < b,  # type: ignore[operator]
                "<=": a <= b,  # type: ignore[operator]
                "=": a == b,
                "==": a == b,
                "!=": a != b,
                ">=": a >= b,  # type: ignore[operator]
                ">": a > b,  # type: ignore[operator]
            }[op]
            left = "1" if r else "0"
        return left

    def add(self) -> str:
        left = self.mul()
        while op := self.accept("+", "-"):
            right = self.mul()
            a, b = self.toint(left), self.toint(right)
            left = str(a + b if op == "+" else a - b)
        return left

    def mul(self) -> str:
        left = self.match()
        while op := self.accept("*", "/", "%"):
            right = self.match()
            a, b = self.toint(left), self.toint(right)
            if op != "*" and b == 0:
                raise _ExprError("division by zero")
            if op == "*":
                left = str(a * b)
            elif op == "/":
                q = abs(a) // abs(b)
                left = str(q if (a >= 0) == (b >= 0) else -q)
            else:
                r = abs(a) % abs(b)
                left = str(r if a >= 0 else -r)
        return left

    def match(self) -> str:
        left = self.unary()
        while self.accept(":"):
            right = self.unary()
            left = self.regex(left, right)
        return left

    def regex(self, s: str, pat: str) -> str:
        from emu.sh.utils._regex import RegexError, compile_posix

        try:
            r = compile_posix(pat, False)
        except RegexError as e:
            raise _ExprError(str(e)) from None
        m = r.match(s.encode("utf-8", "surrogateescape"))
        if r.groups:
            if m is None or m.group(1) is None:
                return ""
            return m.group(1).decode("utf-8", "surrogateescape")
        return str(len(m.group().decode("utf-8", "surrogateescape"))) if m else "0"

    def unary(self) -> str:
        t = self.expect(_ExprError("syntax error"))
        if t == "(":
            return self.parenthesized(self.or_, _ExprError("syntax error"))
        # a keyword needs its operands after it, else it is a plain string
        n = {"length": 1, "substr": 3, "index": 2, "match": 2, "+": 1}.get(t, 0)
        if n and self.left() > n:
            self.i += 1
        else:
            n = 0
        if t == "length" and n:
            return str(len(self.take()))
        if t == "substr" and n:
            s, p, ln = self.take(), self.take(), self.take()
            pi, ni = self.toint(p), self.toint(ln)
            if pi <= 0 or ni <= 0:
                return ""
            return s[pi - 1 : pi - 1 + ni]
        if t == "index" and n:
            s, chars = self.take(), self.take()
            pos = [s.find(c) for c in chars if c in s]
            return str(min(pos) + 1) if pos else "0"
        if t == "match" and n:
            return self.regex(self.take(), self.take())
        return self.take()  # "+ WORD" is WORD, whatever it says; a string is itself


@applet("expr", usage="EXPRESSION")
def expr(proc: Proc) -> int:
    args = proc.argv[1:]
    if not args:
        proc.err("too few arguments")
        return 2
    try:
        v = _Expr(args).parse()
    except _ExprError as e:
        proc.err(str(e))
        return e.code
    proc.out(v + "\n")
    return 0 if _Expr.truth(v) else 1


_unused = spawn


# --- getent / busybox -------------------------------------------------------------------


@applet("getent", usage="DATABASE [KEY]...")
def getent(proc: Proc) -> int:
    # glibc's getent over the image's files (no NSS modules, no network).
    args = proc.argv[1:]
    if not args:
        raise Die("wrong number of arguments", 1)
    db, keys = args[0], args[1:]
    files = {"passwd": accounts.PASSWD, "group": accounts.GROUP, "shadow": "/etc/shadow"}
    if db == "hosts":
        lines = [
            "127.0.0.1       localhost",
            "::1             localhost ip6-localhost ip6-loopback",
        ]
        want = [ln for ln in lines if not keys or any(k in ln.split()[1:] for k in keys)]
        proc.out("".join(ln + "\n" for ln in want))
        return 0 if want or not keys else 2
    if db not in files:
        proc.stderr.write(f"Unknown database: {db}\n")
        return 1
    sys = Sys(proc)
    node = sys.fs.lookup(files[db])
    rows = []
    if isinstance(node, File) and isinstance(node.content, bytes):
        rows = [ln for ln in node.content.decode("utf-8", "replace").splitlines() if ln]
    if not keys:
        proc.out("".join(r + "\n" for r in rows))
        return 0
    status = 0
    for k in keys:
        hit = next((r for r in rows if r.split(":")[0] == k), None)
        if hit is None and (k.isascii() and k.isdigit()) and db != "shadow":
            hit = next((r for r in rows if r.split(":")[2:3] == [k]), None)
        if hit is None:
            status = 2
            continue
        proc.out(hit + "\n")
    return status


@applet("busybox", usage="[function [arguments]...]")
def busybox(proc: Proc) -> int:
    args = proc.argv[1:]
    if not args or args[0] in ("--help", "--list", "--list-full"):
        names = sorted(applet_names())
        if args and args[0] == "--list":
            proc.out("".join(n + "\n" for n in names))
            return 0
        proc.out(BANNER_TEXT + "Currently defined functions:\n\t" + ", ".join(names) + "\n")
        return 0
    if args[0] == "--install":
        # --install [-s] [DIR]: a link per applet, in DIR or the usual /bin, /sbin, /usr/bin.
        sys = Sys(proc)
        rest = args[1:]
        soft = "-s" in rest
        rest = [a for a in rest if a != "-s"]
        target = "/bin/busybox"
        status = 0
        for n in applet_names():
            d = rest[0] if rest else "/bin"
            path = f"{d.rstrip('/')}/{n}"
            if sys.try_stat(path, False) is not None or n == "busybox":
                continue
            try:
                if soft:
                    sys.symlink(target, path)
                else:
                    sys.link(target, path)
            except OSError as e:
                proc.err(f"{path}: {e.strerror}")
                status = 1
        return status
    from emu.sh.api import REGISTRY

    if args[0] in ("sh", "ash"):
        # The shell applet is the interpreter itself: hand it the rest of the command line.
        return proc.run(["sh", *args[1:]], proc.stdin)
    h = REGISTRY.get(args[0])
    if h is None or args[0] not in applet_names():
        proc.err("applet not found")
        return 127
    return h(replace(proc, argv=args))


NOT_APPLETS = {"busybox", "getent", "useradd", "groupadd", "usermod", "userdel", "groupdel"}


def applet_names() -> set[str]:
    """The programs here that busybox itself provides (shadow-utils' are not)."""
    from emu.sh.utils import import_all
    from emu.sh.utils._common import USAGES

    import_all()  # USAGES holds the modules imported so far; the utilities load lazily
    return set(USAGES) - NOT_APPLETS


BANNER_TEXT = "BusyBox v1.35.0 multi-call binary.\n"
