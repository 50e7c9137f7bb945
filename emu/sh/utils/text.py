"""Text utilities: cat echo printf head tail wc tee sort uniq cut tr nl rev basename dirname
yes seq (sed and grep live in their own modules)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

from emu.sh import coreutils
from emu.sh.api import Endless, Proc, endless_prefix
from emu.sh.options import INT_MAX, Die, Opts, getopt, number
from emu.sh.utils._common import Sys, Unmodelled, applet, endless, split_lines

# --- reading operands -------------------------------------------------------------------


def read_or_warn(proc: Proc, sys: Sys, name: str, *, open_msg: bool = True) -> bytes | None:
    """An operand's bytes (``-`` is stdin), or None after ``can't open 'x': …``."""
    if name == "-":
        return proc.stdin
    try:
        return sys.read(name)
    except Unmodelled as u:
        proc.err(f"{name}: {u.strerror}")
        return None
    except OSError as e:
        if e.errno == 21:  # EISDIR: open() succeeds, read() fails
            proc.err(f"read error: {e.strerror}")
        elif open_msg:
            proc.err(f"can't open '{name}': {e.strerror}")
        else:
            proc.err(f"{name}: {e.strerror}")
        return None


# --- cat --------------------------------------------------------------------------------


def _visible(data: bytes, tabs: bool, ends: bool) -> bytes:
    out = bytearray()
    for b in data:
        if b == 10:
            if ends:
                out += b"$"
            out.append(10)
            continue
        if b == 9 and not tabs:
            out.append(9)
            continue
        if b >= 128:
            out += b"M-"
            b -= 128
        if b < 32:
            out += b"^" + bytes([b + 64])
        elif b == 127:
            out += b"^?"
        else:
            out.append(b)
    return bytes(out)


@applet("cat", usage="[-nbvteA] [FILE]...")
def cat(proc: Proc) -> int:
    o = getopt(proc.argv[1:], "nbvteAu", {"number": "n", "number-nonblank": "b", "show-all": "A"})
    sys = Sys(proc)
    status = 0
    number = "n" in o or "b" in o
    n = 0
    for name in o.args or ["-"]:
        data = read_or_warn(proc, sys, name)
        if data is None:
            status = 1
            continue
        if "A" in o or "v" in o or "e" in o or "t" in o:
            data = _visible(data, "A" in o or "t" in o, "A" in o or "e" in o)
        if number:
            out = []
            for line in split_lines(data):
                if "b" in o and line in (b"\n",):
                    out.append(line)
                    continue
                n += 1
                out.append(f"{n:6d}\t".encode() + line)
            data = b"".join(out)
        proc.out(data)
    return status


# --- echo / printf: the shell's own (emu.sh.coreutils) --------------------------------------


@applet("echo", usage="[-neE] [ARG]...")
def echo(proc: Proc) -> int:
    proc.out(coreutils.echo(proc.argv[1:]))
    return 0


@applet("printf", usage="FORMAT [ARG]...")
def printf(proc: Proc) -> int:
    done = coreutils.printf(proc.argv[1:], proc.err, proc.limits.held)
    if done is None:
        raise Die(None, usage=True)
    proc.out(done[0])
    return done[1]


# --- head / tail ------------------------------------------------------------------------

_SUFFIX = {"b": 512, "k": 1024, "m": 1024 * 1024, "kB": 1000, "K": 1024, "M": 1024 * 1024}


def _count(text: str, what: str) -> int:
    m = re.fullmatch(r"(\d+)(b|k|m|kB|K|M)?", text)
    if m is None:
        raise Die(f"invalid number '{text}'")
    return int(m.group(1)) * _SUFFIX.get(m.group(2) or "", 1)


def _old_style(argv: list[str]) -> list[str]:
    """``head -5`` / ``tail -5`` / ``tail +5`` (obsolete forms busybox still takes)."""
    if argv and re.fullmatch(r"-\d+[cl]?", argv[0]):
        a = argv[0]
        unit = "-c" if a.endswith("c") else "-n"
        return [unit, a[1:].rstrip("cl"), *argv[1:]]
    if argv and re.fullmatch(r"\+\d+", argv[0]):
        return ["-n", argv[0], *argv[1:]]
    return argv


@applet("head", usage="[OPTIONS] [FILE]...")
def head(proc: Proc) -> int:
    o = getopt(
        _old_style(proc.argv[1:]),
        "n:c:qv",
        {"lines=": "n", "bytes=": "c", "quiet": "q", "silent": "q", "verbose": "v"},
    )
    by_bytes = _by_bytes(o)
    spec = "10"
    if o.get("n") is not None and not by_bytes:
        spec = o.get("n") or ""
    if by_bytes:
        spec = o.get("c") or ""
    neg = spec.startswith("-")
    count = _count(spec.lstrip("-+"), "lines")

    def show(data: bytes) -> bytes:
        if by_bytes:
            return data[: len(data) - count] if neg else endless_prefix(data, count, proc.limits)
        unit = data.unit if isinstance(data, Endless) else b""
        if not neg and unit.count(b"\n") == 1 and unit.endswith(b"\n"):  # yes | head -n N
            return endless_prefix(data, count * len(unit), proc.limits)
        lines = split_lines(data)
        return b"".join(lines[: len(lines) - count] if neg else lines[:count])

    return _each_file(proc, o, show)


def _by_bytes(o: Opts) -> bool:
    """Whether -c (bytes) rather than -n (lines) was given last."""
    return next((k == "c" for k in reversed(o.order) if k in "nc"), False)


def _each_file(proc: Proc, o: Opts, show: Callable[[bytes], bytes]) -> int:
    """head and tail over their files (stdin for none): ``show`` picks what to print of
    each, under a ``==> NAME <==`` header with -v or several files (never with -q)."""
    sys = Sys(proc)
    files = o.args or ["-"]
    headers = ("v" in o or len(files) > 1) and "q" not in o
    status = 0
    first = True
    for name in files:
        data = read_or_warn(proc, sys, name, open_msg=False)
        if data is None:
            status = 1
            continue
        if headers:
            proc.out(
                ("" if first else "\n") + f"==> {'standard input' if name == '-' else name} <==\n"
            )
        first = False
        proc.out(show(data))
    return status


@applet("tail", usage="[OPTIONS] [FILE]...")
def tail(proc: Proc) -> int:
    o = getopt(
        _old_style(proc.argv[1:]),
        "fFn:c:qs:v",
        {
            "lines=": "n",
            "bytes=": "c",
            "follow": "f",
            "quiet": "q",
            "silent": "q",
            "verbose": "v",
            "sleep-interval=": "s",
            "retry": "\x01",
        },
    )
    by_bytes = _by_bytes(o)
    spec = (o.get("c") if by_bytes else o.get("n")) or "10"
    from_start = spec.startswith("+")
    count = _count(spec.lstrip("-+"), "lines")

    def show(data: bytes) -> bytes:
        units: Sequence[bytes] | bytes = data if by_bytes else split_lines(data)
        if from_start:
            units = units[max(count - 1, 0) :]
        else:
            units = units[len(units) - count :] if count else units[:0]
        return units if isinstance(units, bytes) else b"".join(units)

    # -f: there is no one else writing: print what there is and stop (no waiting).
    return _each_file(proc, o, show)


# --- wc ---------------------------------------------------------------------------------


@applet("wc", usage="[-cmlwL] [FILE]...")
def wc(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "cmlwL",
        {"bytes": "c", "chars": "m", "lines": "l", "words": "w", "max-line-length": "L"},
    )
    sys = Sys(proc)
    cols = [k for k in "lwcmL" if k in o] or ["l", "w", "c"]
    files = o.args or ["-"]
    rows: list[tuple[list[int], str | None]] = []
    total = [0] * len(cols)
    status = 0
    for name in files:
        data = read_or_warn(proc, sys, name, open_msg=False)
        if data is None:
            status = 1
            continue
        vals = []
        for k in cols:
            if k == "l":
                v = data.count(b"\n")
            elif k == "w":
                v = len(data.split())
            elif k == "c":
                v = len(data)
            elif k == "m":
                v = sum(1 for b in data if b & 0xC0 != 0x80)
            else:
                v = max((len(x.expandtabs(8)) for x in data.split(b"\n")), default=0)
            vals.append(v)
        for i, v in enumerate(vals):
            total[i] = max(total[i], v) if cols[i] == "L" else total[i] + v
        rows.append((vals, None if name == "-" and not o.args else name))
    if len(files) > 1:
        rows.append((total, "total"))
    # One number for one file prints bare; otherwise every column is %9u.
    bare = len(cols) == 1 and len(files) == 1
    for vals, label in rows:
        nums = " ".join(str(v) if bare else f"{v:9d}" for v in vals)
        proc.out(nums + (f" {label}" if label is not None else "") + "\n")
    return status


# --- tee --------------------------------------------------------------------------------


@applet("tee", usage="[-ai] [FILE]...")
def tee(proc: Proc) -> int:
    o = getopt(proc.argv[1:], "ai", {"append": "a", "ignore-interrupts": "i"})
    sys = Sys(proc)
    status = 0
    for name in o.args:
        if name == "-":
            proc.out(proc.stdin)
            continue
        try:
            sys.write(name, proc.stdin, append="a" in o)
        except OSError as e:
            proc.err(f"{name}: {e.strerror}")
            status = 1
    proc.out(proc.stdin)
    return status


# --- sort -------------------------------------------------------------------------------


class _Key:
    __slots__ = ("c1", "c2", "f1", "f2", "opts")

    def __init__(self, f1: int, c1: int, f2: int, c2: int, opts: str) -> None:
        self.f1, self.c1, self.f2, self.c2, self.opts = f1, c1, f2, c2, opts


def _parse_key(text: str) -> _Key:
    m = re.fullmatch(
        r"(\d+)(?:\.(\d+))?([bdfginrMRVh]*)(?:,(\d+)(?:\.(\d+))?([bdfginrMRVh]*))?", text
    )
    if m is None or m.group(1) == "0":
        raise Die(
            f"bad field specification '{text}'" if m is None else "bad field specification '0'"
        )
    f1 = int(m.group(1))
    c1 = int(m.group(2) or 0)
    f2 = int(m.group(4) or 0)
    c2 = int(m.group(5) or 0)
    return _Key(f1, c1, f2, c2, (m.group(3) or "") + (m.group(6) or ""))


def _fields(line: bytes, sep: bytes | None) -> list[tuple[int, int]]:
    """(start, end) of each field; without -t a field starts with its leading blanks."""
    spans = []
    if sep is not None:
        start = 0
        while True:
            j = line.find(sep, start)
            if j < 0:
                spans.append((start, len(line)))
                break
            spans.append((start, j))
            start = j + 1
        return spans
    i = 0
    n = len(line)
    while i < n:
        start = i
        while i < n and line[i] in b" \t":
            i += 1
        while i < n and line[i] not in b" \t":
            i += 1
        spans.append((start, i))
    return spans


def _key_text(line: bytes, k: _Key, sep: bytes | None, blanks: bool) -> bytes:
    spans = _fields(line, sep)
    if k.f1 > len(spans):
        return b""
    s = spans[k.f1 - 1][0]
    if "b" in k.opts or blanks:
        while s < len(line) and line[s] in b" \t":
            s += 1
    if k.c1:
        s = min(s + k.c1 - 1, len(line))
    if k.f2 == 0 or k.f2 > len(spans):
        e = len(line)
    else:
        fs, fe = spans[k.f2 - 1]
        if k.c2:
            if "b" in k.opts or blanks:
                while fs < len(line) and line[fs] in b" \t":
                    fs += 1
            e = min(fs + k.c2, len(line))
        else:
            e = fe
    return line[s:e] if e > s else b""


_NUM = re.compile(rb"\s*(-?(\d+\.?\d*|\.\d+))")


def _numval(b: bytes) -> float:
    m = _NUM.match(b)
    return float(m.group(1)) if m else 0.0


_HUMAN = re.compile(rb"\s*(-?\d+\.?\d*)([KMGTPE]?)")


def _humanval(b: bytes) -> float:
    m = _HUMAN.match(b)
    if not m:
        return 0.0
    power = " KMGTPE".index((m.group(2) or b" ").decode())
    return float(m.group(1)) * float(1 << (10 * power))


def _cmp(a: Any, b: Any) -> int:
    return int(a > b) - int(a < b)


def _vkey(b: bytes) -> list[tuple[int, int | bytes]]:
    return [
        (0, int(p)) if (p.isascii() and p.isdigit()) else (1, p)
        for p in re.split(rb"(\d+)", b)
        if p
    ]


@applet(
    "sort",
    usage="[-nrugMcszbdfiokt] [-o FILE] [-k START[.OFS][OPTS][,END[.OFS][OPTS]] "
    "[-t CHAR] [FILE]...",
)
def sort(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "nrugMcszbdfik:t:o:hVSC",
        {
            "numeric-sort": "n",
            "reverse": "r",
            "unique": "u",
            "general-numeric-sort": "g",
            "check": "c",
            "stable": "s",
            "zero-terminated": "z",
            "ignore-leading-blanks": "b",
            "dictionary-order": "d",
            "ignore-case": "f",
            "key=": "k",
            "field-separator=": "t",
            "output=": "o",
            "human-numeric-sort": "h",
            "version-sort": "V",
            "buffer-size=": "S",
            "parallel=": "\x01",
        },
    )
    sys = Sys(proc)
    sep: bytes | None = None
    if o.get("t") is not None:
        t = (o.get("t") or "").encode("utf-8", "surrogateescape")
        if len(t) != 1:
            raise Die("bad -t parameter")
        sep = t
    keys = [_parse_key(k) for k in o.all("k")]
    glob_opts = "".join(c for c in "nrgMfdbhVi" if c in o)
    data = b""
    status = 0
    for name in o.args or ["-"]:
        d = read_or_warn(proc, sys, name, open_msg=False)
        if d is None:
            raise Die(None, 2)
        data += d if not d or d.endswith(b"\n") or "z" in o else d + b"\n"
    eol = b"\0" if "z" in o else b"\n"
    lines = data.split(eol)
    if lines and lines[-1] == b"":
        lines.pop()

    def prep(b: bytes, opts: str) -> bytes:
        if "d" in opts:
            b = bytes(c for c in b if chr(c).isalnum() or c in b" \t")
        if "i" in opts:
            b = bytes(c for c in b if 32 <= c < 127)
        if "f" in opts:
            b = b.upper()
        return b

    def cmp_one(x: bytes, y: bytes, opts: str) -> int:
        if "n" in opts or "g" in opts:
            r = _cmp(_numval(x), _numval(y))
        elif "h" in opts:
            r = _cmp(_humanval(x), _humanval(y))
        elif "V" in opts:
            r = _cmp(_vkey(x), _vkey(y))
        else:
            r = _cmp(prep(x, opts), prep(y, opts))
        return -r if "r" in opts else r

    stable = "s" in o

    def compare(x: bytes, y: bytes, last_resort: bool = True) -> int:
        r = 0
        if keys:
            for k in keys:
                # A key with options of its own (even just b) ignores the global ones, -r
                # too; one without takes them all (-r -n -k2: numerically, reversed).
                opts = k.opts if k.opts else glob_opts
                if "b" in o:
                    opts += "b"
                kx = _key_text(x, k, sep, "b" in opts)
                ky = _key_text(y, k, sep, "b" in opts)
                r = cmp_one(kx, ky, opts)
                if r:
                    return r
        else:
            bx = x.lstrip(b" \t") if "b" in o else x
            by = y.lstrip(b" \t") if "b" in o else y
            r = cmp_one(bx, by, glob_opts.replace("r", ""))
            if r:
                return -r if "r" in o else r
        if not last_resort or stable:
            return 0
        r = _cmp(x, y)
        return -r if "r" in o else r

    if "c" in o or "C" in o:
        for i in range(1, len(lines)):
            r = compare(lines[i - 1], lines[i])
            if r > 0 or ("u" in o and r == 0):
                if "C" not in o:
                    proc.stderr.write(f"Check line {i}\n")
                return 1
        return 0
    lines.sort(key=functools.cmp_to_key(compare))
    if "u" in o:
        uniq: list[bytes] = []
        for line in lines:
            if not uniq or compare(uniq[-1], line, last_resort=False) != 0:
                uniq.append(line)
        lines = uniq
    out = b"".join(line + eol for line in lines)
    if o.get("o") is not None:
        try:
            sys.write(o.get("o") or "", out)
        except OSError as e:
            raise Die(f"can't open '{o.get('o')}': {e.strerror}") from None
    else:
        proc.out(out)
    return status


# --- uniq -------------------------------------------------------------------------------


@applet("uniq", usage="[-cduiz] [-f,s,w N] [FILE [OUTFILE]]")
def uniq(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "cduif:s:w:z",
        {
            "count": "c",
            "repeated": "d",
            "unique": "u",
            "ignore-case": "i",
            "skip-fields=": "f",
            "skip-chars=": "s",
            "check-chars=": "w",
            "zero-terminated": "z",
        },
    )
    sys = Sys(proc)
    if len(o.args) > 2:
        raise Die(None, usage=True)
    name = o.args[0] if o.args else "-"
    data = read_or_warn(proc, sys, name, open_msg=False)
    if data is None:
        return 1
    skip_f = number(o.get("f") or "0")
    skip_c = number(o.get("s") or "0")
    w = o.get("w")
    width = number(w) if w is not None else None
    eol = b"\0" if "z" in o else b"\n"
    lines = data.split(eol)
    if lines and lines[-1] == b"":
        lines.pop()

    def key(line: bytes) -> bytes:
        s = line
        for _ in range(skip_f):
            if not s:  # nothing left to skip (-f may be as large as INT_MAX)
                break
            s = s.lstrip(b" \t")
            m = re.match(rb"[^ \t]*", s)
            s = s[m.end() if m else 0 :]
        s = s[skip_c:]
        if width is not None:
            s = s[:width]
        return s.lower() if "i" in o else s

    out = []
    i = 0
    while i < len(lines):
        j = i + 1
        k = key(lines[i])
        while j < len(lines) and key(lines[j]) == k:
            j += 1
        n = j - i
        if not (("d" in o and n == 1) or ("u" in o and n > 1)):
            prefix = f"{n:7d} ".encode() if "c" in o else b""
            out.append(prefix + lines[i] + eol)
        i = j
    text = b"".join(out)
    if len(o.args) == 2:
        try:
            sys.write(o.args[1], text)
        except OSError as e:
            raise Die(f"can't open '{o.args[1]}': {e.strerror}") from None
    else:
        proc.out(text)
    return 0


# --- cut --------------------------------------------------------------------------------


def _ranges(spec: str) -> list[tuple[int, int]]:
    out = []
    for part in spec.split(","):
        m = re.fullmatch(r"(\d*)(-?)(\d*)", part)
        if m is None or (not m.group(1) and not m.group(3)) or part == "":
            raise Die(
                "invalid byte or character range" if "-" in part else f"invalid number '{part}'"
            )
        lo = max(int(m.group(1)) if m.group(1) else 1, 1)  # busybox takes 0 as 1
        hi = int(m.group(3)) if m.group(3) else (lo if not m.group(2) else 1 << 30)
        if hi < lo:
            raise Die(f"{hi}<{lo - 1}")
        out.append((lo, hi))
    return sorted(out)


def _in(ranges: list[tuple[int, int]], n: int) -> bool:
    return any(lo <= n <= hi for lo, hi in ranges)


@applet("cut", usage="[OPTIONS] [FILE]...")
def cut(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "b:c:d:f:nsO:",
        {
            "bytes=": "b",
            "characters=": "c",
            "delimiter=": "d",
            "fields=": "f",
            "only-delimited": "s",
            "output-delimiter=": "O",
        },
    )
    sys = Sys(proc)
    modes = [k for k in "bcf" if k in o]
    if len(modes) != 1:
        raise Die(
            "expected a list of bytes, characters, or fields"
            if not modes
            else "only one list may be specified"
        )
    mode = modes[0]
    ranges = _ranges(o.get(mode) or "")
    delim = (o.get("d") if o.get("d") is not None else "\t") or ""
    d = delim.encode("utf-8", "surrogateescape")
    d = d[:1] or b"\t"  # busybox uses the first character
    if mode != "f" and "d" in o:
        raise Die("a delimiter may be specified only when operating on fields")
    out_delim = o.get("O")
    od = (out_delim if out_delim is not None else delim).encode("utf-8", "surrogateescape")
    status = 0
    for name in o.args or ["-"]:
        data = read_or_warn(proc, sys, name, open_msg=False)
        if data is None:
            status = 1
            continue
        out = []
        for line in split_lines(data):
            nl = line.endswith(b"\n")
            body = line[:-1] if nl else line
            if mode == "f":
                if not body:
                    out.append(b"\n")
                    continue
                if d not in body:
                    if "s" not in o:
                        out.append(body + b"\n")
                    continue
                parts = body.split(d)
                out.append(od.join(p for i, p in enumerate(parts, 1) if _in(ranges, i)) + b"\n")
            elif mode == "c" and not body.isascii():
                text = body.decode("utf-8", "surrogateescape")
                out.append(
                    "".join(ch for i, ch in enumerate(text, 1) if _in(ranges, i)).encode(
                        "utf-8", "surrogateescape"
                    )
                    + b"\n"
                )
            else:
                out.append(bytes(b for i, b in enumerate(body, 1) if _in(ranges, i)) + b"\n")
        proc.out(b"".join(out))
    return status


# --- tr ---------------------------------------------------------------------------------

_TR_CLASSES = {
    "alpha": bytes(c for c in range(256) if chr(c).isascii() and chr(c).isalpha()),
    "digit": b"0123456789",
    "alnum": bytes(c for c in range(128) if chr(c).isalnum()),
    "upper": bytes(range(65, 91)),
    "lower": bytes(range(97, 123)),
    "space": b" \t\n\r\f\v",
    "blank": b" \t",
    "punct": bytes(c for c in range(33, 127) if not chr(c).isalnum()),
    "print": bytes(range(32, 127)),
    "graph": bytes(range(33, 127)),
    "cntrl": bytes([*range(32), 127]),
    "xdigit": b"0123456789ABCDEFabcdef",
}


def _tr_set(spec: str) -> bytes:
    """Expand a tr SET: escapes, ranges, [:class:], [=c=], [c*n]."""
    raw = spec.encode("utf-8", "surrogateescape")
    s = raw.decode("latin-1")
    chars: list[int] = []
    i = 0
    n = len(s)

    def one(i: int) -> tuple[int, int]:
        if s[i] == "\\" and i + 1 < n:
            c, j = coreutils.escape(raw, i + 1)
            # Not an escape (``\z``): the character itself, where echo keeps the backslash.
            return (ord(s[i + 1]), i + 2) if j == i + 1 else (c, j)
        return ord(s[i]), i + 1

    while i < n:
        if s.startswith("[:", i):
            end = s.find(":]", i + 2)
            if end > 0 and s[i + 2 : end] in _TR_CLASSES:
                chars.extend(_TR_CLASSES[s[i + 2 : end]])
                i = end + 2
                continue
        if s.startswith("[=", i) and s.find("=]", i + 2) == i + 3:
            chars.append(ord(s[i + 2]))
            i += 5
            continue
        m = re.compile(r"\[(\\?.)\*(\d*)\]").match(s, i)
        if m:
            c, _ = one(i + 1)
            # [c*] fills set2 to set1's length: padding with set2's last char does that.
            chars.extend([c] * (int(m.group(2)) if m.group(2) else 1))
            i = m.end()
            continue
        c, j = one(i)
        if j < n and s[j] == "-" and j + 1 < n:
            hi, k = one(j + 1)
            chars.extend(range(c, hi + 1))  # a reversed range is empty, as in busybox
            i = k
            continue
        chars.append(c)
        i = j
    return bytes(chars)


@applet("tr", usage="[-cds] STRING1 [STRING2]")
def tr(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "cdsCt",
        {"complement": "c", "delete": "d", "squeeze-repeats": "s", "truncate-set1": "t"},
    )
    args = o.args
    if not args or len(args) > 2:
        raise Die(None, usage=True)
    set1 = _tr_set(args[0])
    if "c" in o or "C" in o:
        set1 = bytes(c for c in range(256) if c not in set1)
    set2 = _tr_set(args[1]) if len(args) > 1 else b""
    data = proc.stdin
    if "d" in o:
        table = None
        data = data.translate(None, set1)
        squeeze = set2 if "s" in o else b""
    elif set2:
        if len(set2) < len(set1):
            set2 = set2 + set2[-1:] * (len(set1) - len(set2))
        m = bytearray(range(256))
        for a, b in zip(set1, set2, strict=False):
            m[a] = b
        table = bytes(m)
        data = data.translate(table)
        squeeze = set2 if "s" in o else b""
    else:
        if "s" not in o:
            raise Die(None, usage=True)
        squeeze = set1
    if squeeze:
        out = bytearray()
        sq = set(squeeze)
        prev = -1
        for c in data:
            if c == prev and c in sq:
                continue
            out.append(c)
            prev = c
        data = bytes(out)
    proc.out(data)
    return 0


# --- nl / rev ---------------------------------------------------------------------------


@applet("nl", usage="[OPTIONS] [FILE]...")
def nl(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "pb:s:v:i:w:n:",
        {"body-numbering=": "b", "number-separator=": "s", "number-width=": "w"},
    )
    sys = Sys(proc)
    style = o.get("b") or "t"
    sep = o.get("s", "\t") or ""
    n = number(o.get("v") or "1", lo=-INT_MAX - 1)
    inc = number(o.get("i") or "1", lo=-INT_MAX - 1)
    width = number(o.get("w") or "6")
    fmt = o.get("n") or "rn"
    status = 0
    for name in o.args or ["-"]:
        data = read_or_warn(proc, sys, name)
        if data is None:
            status = 1
            continue
        out = []
        for line in split_lines(data):
            body = line.rstrip(b"\n")
            numbered = (
                style == "a"
                or (style == "t" and body != b"")
                or (style.startswith("p") and re.search(style[1:].encode(), body) is not None)
            )
            if numbered:
                num = (
                    f"{n:<{width}d}"
                    if fmt == "ln"
                    else f"{n:0{width}d}"
                    if fmt == "rz"
                    else f"{n:{width}d}"
                )
                out.append(num.encode() + sep.encode() + line)
                n += inc
            else:
                out.append(b" " * (width + len(sep)) + line)
        proc.out(b"".join(out))
    return status


@applet("rev", usage="[FILE]...")
def rev(proc: Proc) -> int:
    sys = Sys(proc)
    status = 0
    for name in proc.argv[1:] or ["-"]:
        data = read_or_warn(proc, sys, name)
        if data is None:
            status = 1
            continue
        for line in split_lines(data):
            nl_ = line.endswith(b"\n")
            body = line[:-1] if nl_ else line
            text = body.decode("utf-8", "surrogateescape")[::-1].encode("utf-8", "surrogateescape")
            proc.out(text + b"\n")
    return status


# --- basename / dirname -----------------------------------------------------------------


def _basename(p: str, suffix: str = "") -> str:
    s = p.rstrip("/")
    if not s:
        return "/" if p else ""
    b = s.rsplit("/", 1)[-1]
    if suffix and b != suffix and b.endswith(suffix):
        b = b[: -len(suffix)]
    return b


@applet("basename", usage="FILE [SUFFIX] | -a FILE... | -s SUFFIX FILE...")
def basename(proc: Proc) -> int:
    o = getopt(proc.argv[1:], "as:z", {"multiple": "a", "suffix=": "s", "zero": "z"})
    args = o.args
    if not args:
        raise Die(None, usage=True)
    end = "\0" if "z" in o else "\n"
    if "a" in o or "s" in o:
        for a in args:
            proc.out(_basename(a, o.get("s") or "") + end)
        return 0
    if len(args) > 2:
        raise Die(None, usage=True)
    proc.out(_basename(args[0], args[1] if len(args) > 1 else "") + end)
    return 0


@applet("dirname", usage="FILENAME")
def dirname(proc: Proc) -> int:
    args = proc.argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        raise Die(None, usage=True)
    for a in args:
        proc.out(_dirname(a) + "\n")
    return 0


def _dirname(path: str) -> str:
    """glibc's dirname(3), which busybox calls: trailing slashes and the last name go;
    a path left with only its leading slashes is "/", or "//" when exactly two (POSIX
    lets "//" mean something else: dirname //x is //)."""
    last = path.rfind("/")
    if last > 0 and last == len(path) - 1:
        run = last
        while run > 0 and path[run - 1] == "/":
            run -= 1
        if run > 0:
            last = path.rfind("/", 0, run)
    if last < 0:
        return "."
    run = last
    while run > 0 and path[run - 1] == "/":
        run -= 1
    if run == 0:
        return "//" if last == 1 else "/"
    return path[:run]


# --- yes / seq --------------------------------------------------------------------------


@applet("yes", usage="[STRING]")
def yes(proc: Proc) -> int:
    # A real `yes` writes until its reader goes away; here the pipeline's stages run one
    # after the other, so it writes what an endless source gives (the sandbox's stream
    # limit): `yes | head -c N` is exact, and `yes` alone trips the output limit.
    line = (" ".join(proc.argv[1:]) if len(proc.argv) > 1 else "y").encode(
        "utf-8", "surrogateescape"
    ) + b"\n"
    reps = max(1, -(-endless(proc.limits) // len(line)))
    proc.stdout.endless = line  # a reader may take more than this writes: it never ends
    per_chunk = min(reps, 1 << 16)
    while reps > 0:
        proc.limits.step()
        n = min(per_chunk, reps)
        proc.out(line * n)
        reps -= n
    return 0


def _seq_num(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise Die(None, usage=True) from None


@applet("seq", usage="[-w] [-s SEP] [FIRST [INC]] LAST")
def seq(proc: Proc) -> int:
    # Negative numbers are operands, not options.
    argv = proc.argv[1:]
    opts: dict[str, str] = {}
    while argv and argv[0].startswith("-") and not re.fullmatch(r"-[\d.]+", argv[0]):
        a = argv.pop(0)
        if a == "--":
            break
        if a == "-w":
            opts["w"] = ""
        elif a.startswith("-s"):
            opts["s"] = a[2:] if len(a) > 2 else (argv.pop(0) if argv else "")
        elif a.startswith("-f"):
            opts["f"] = a[2:] if len(a) > 2 else (argv.pop(0) if argv else "")
        else:
            raise Die(f"invalid option -- '{a[1:2]}'", usage=True)
    if not 1 <= len(argv) <= 3:
        raise Die(None, usage=True)
    nums = [_seq_num(a) for a in argv]
    first, inc, last = 1.0, 1.0, nums[-1]
    if len(nums) >= 2:
        first = nums[0]
    if len(nums) == 3:
        inc = nums[1]
    prec = max((len(a.split(".")[1]) if "." in a else 0) for a in argv)
    sep = opts.get("s", "\n")
    out: list[str] = []
    width = 0
    if "w" in opts:
        width = max(len(f"{first:.{prec}f}"), len(f"{last:.{prec}f}"))
    if inc == 0:
        return 0
    i = 0
    while True:
        v = first + i * inc
        if (inc > 0 and v > last + 1e-12) or (inc < 0 and v < last - 1e-12):
            break
        proc.limits.step()
        if "f" in opts:
            out.append(opts["f"] % v)
        else:
            s = f"{v:.{prec}f}"
            if width:
                s = s.zfill(width) if not s.startswith("-") else "-" + s[1:].zfill(width - 1)
            out.append(s)
        i += 1
    if out:
        proc.out(sep.join(out) + "\n")
    return 0


# --- tac / truncate ---------------------------------------------------------------------


@applet("tac", usage="[FILE]...")
def tac(proc: Proc) -> int:
    sys = Sys(proc)
    status = 0
    for name in proc.argv[1:] or ["-"]:
        data = read_or_warn(proc, sys, name, open_msg=False)
        if data is None:
            status = 1
            continue
        lines = split_lines(data)
        if lines and not lines[-1].endswith(b"\n"):
            lines[-1] += b"\n"  # busybox ends the reversed last line too
        proc.out(b"".join(reversed(lines)))
    return status


@applet("truncate", usage="[-c] -s SIZE FILE...")
def truncate(proc: Proc) -> int:
    o = getopt(proc.argv[1:], "cs:", {"no-create": "c", "size=": "s"})
    spec = o.get("s")
    if spec is None or not o.args:
        raise Die(None, usage=True)
    m = re.fullmatch(r"([+-]?)(\d+)([KMG]?)", spec)
    if m is None:
        raise Die(f"invalid number '{spec}'")
    n = int(m.group(2)) * {"": 1, "K": 1024, "M": 1 << 20, "G": 1 << 30}[m.group(3)]
    sys = Sys(proc)
    status = 0
    for name in o.args:
        node = sys.try_stat(name)
        if node is None and "c" in o:
            continue
        try:
            old = sys.read(name) if node is not None else b""
        except OSError as e:
            proc.err(f"{name}: {e.strerror}")
            status = 1
            continue
        size = (
            len(old) + n if m.group(1) == "+" else max(0, len(old) - n) if m.group(1) == "-" else n
        )
        # Count the bytes before making them: a 10G sparse file must hit max_bytes, not RAM.
        proc.limits.stored(max(0, size - len(old)))
        try:
            sys.write(name, old[:size] + b"\0" * max(0, size - len(old)))
        except OSError as e:
            proc.err(f"{name}: {e.strerror}")
            status = 1
    return status


# --- paste --------------------------------------------------------------------------------


def _paste_delims(spec: str) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(spec):
        c = spec[i]
        if c == "\\" and i + 1 < len(spec):
            nxt = spec[i + 1]
            out.append({"n": "\n", "t": "\t", "\\": "\\", "0": ""}.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return out or ["\t"]


@applet("paste", usage="[-d LIST] [-s] [FILE]...")
def paste(proc: Proc) -> int:
    o = getopt(proc.argv[1:], "d:s", {"delimiters=": "d", "serial": "s"})
    sys = Sys(proc)
    delims = _paste_delims(o.get("d", "\t"))
    columns: list[list[str]] = []
    status = 0
    for name in o.args or ["-"]:
        data = read_or_warn(proc, sys, name)
        if data is None:
            status = 1
            data = b""
        text = data.decode("utf-8", "surrogateescape")
        columns.append([ln.rstrip("\n") for ln in text.splitlines(True)])
    out: list[str] = []
    if "s" in o:
        for col in columns:
            row = ""
            for k, cell in enumerate(col):
                row += (delims[(k - 1) % len(delims)] if k else "") + cell
            out.append(row + "\n")
    else:
        for r in range(max((len(c) for c in columns), default=0)):
            row = ""
            for k, col in enumerate(columns):
                cell = col[r] if r < len(col) else ""
                row += (delims[(k - 1) % len(delims)] if k else "") + cell
            out.append(row + "\n")
    proc.out("".join(out).encode("utf-8", "surrogateescape"))
    return status
