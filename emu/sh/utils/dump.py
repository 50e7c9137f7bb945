"""Bytes as numbers and blocks: ``od`` and ``dd``.

``od`` prints addresses (``-A d|o|x|n``) and the input as ``-t`` types (``x1``, ``u4``,
``d2``, ``o2``, ``c``, ``a``; default ``o2``), ``-N`` bytes after ``-j`` skipped, 16 bytes a
line (``-w``), repeated lines folded into ``*`` unless ``-v`` — the common use in
Dockerfiles being ``od -An -N4 -tu4 /dev/urandom`` for a random number. ``dd`` copies
``count`` blocks of ``bs`` (or ``ibs``/``obs``) from ``if`` to ``of``, after ``skip``/``seek``,
with ``conv=notrunc`` and ``status=none``; it reports records and bytes on stderr. What it
writes beyond 1 MB from ``/dev/zero`` or ``/dev/urandom`` (a swap file, a disk image) is a
size-only file: its bytes are not modelled, only its size.
"""

from __future__ import annotations

import re
import struct

from emu.fs import Blob, Device
from emu.sh.api import Proc
from emu.sh.options import Die, getopt, number
from emu.sh.utils._common import Sys, Unmodelled, applet

_CHARS = {0: "\\0", 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r"}
# od -t a: the names of the control characters 0-32
_NAMED = (
    *("nul", "soh", "stx", "etx", "eot", "enq", "ack", "bel", "bs", "ht", "nl", "vt", "ff"),
    *("cr", "so", "si", "dle", "dc1", "dc2", "dc3", "dc4", "nak", "syn", "etb", "can", "em"),
    *("sub", "esc", "fs", "gs", "rs", "us", "sp"),
)


def _type_width(t: str) -> tuple[str, int]:
    kind = t[0]
    if kind in "ca":
        return kind, 1
    size = t[1:] or "4"
    sizes = {"C": 1, "S": 2, "I": 4, "L": 8}
    return kind, sizes[size] if size in sizes else int(size)


def _field(kind: str, size: int, chunk: bytes) -> tuple[str, int]:
    """One value of ``chunk`` as od prints it, and the column width."""
    if kind == "c":
        b = chunk[0]
        s = _CHARS.get(b) or (chr(b) if 32 <= b < 127 else f"{b:03o}")
        return s, 4
    if kind == "a":
        b = chunk[0] & 0x7F
        return (_NAMED[b] if b <= 32 else ("del" if b == 127 else chr(b))), 4
    fmt = {1: "B", 2: "H", 4: "I", 8: "Q"}[size]
    value = struct.unpack("<" + (fmt.lower() if kind == "d" else fmt), chunk)[0]
    if kind == "x":
        return f"{value:0{size * 2}x}", size * 2 + 1
    if kind == "o":
        digits = {1: 3, 2: 6, 4: 11, 8: 22}[size]
        return f"{value:0{digits}o}", digits + 1
    digits = {1: 3, 2: 5, 4: 10, 8: 20}[size]
    return str(value), digits + (1 if kind == "u" else 2)


@applet("od", usage="[-abcdfhilovxs] [-t TYPE] [-A RADIX] [-N SIZE] [-j SKIP] [FILE]...")
def od(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "A:t:N:j:w::vbcdox",
        {
            "address-radix=": "A",
            "format=": "t",
            "read-bytes=": "N",
            "skip-bytes=": "j",
            "width=": "w",
            "output-duplicates": "v",
        },
    )
    sys = Sys(proc)
    data = b""
    for name in o.args or ["-"]:
        if name == "-":
            data += proc.stdin
            continue
        node = sys.try_stat(name)
        if isinstance(node, Device):
            want = _size(o.get("N") or "0") + _size(o.get("j") or "0")
            data += node.read(max(want, 16) if o.get("N") else 4096)
            continue
        try:
            data += sys.read(name)
        except Unmodelled as u:
            raise Die(f"{name}: {u.strerror}") from None
        except OSError as e:
            raise Die(f"{name}: {e.strerror}") from None
    skip = _size(o.get("j") or "0")
    data = data[skip:]
    if o.get("N") is not None:
        data = data[: _size(o.get("N") or "0")]
    types = [t for spec in o.all("t") for t in re.findall(r"[acdfoux][0-9CSIL]*", spec)]
    for letter, t in (("b", "o1"), ("c", "c"), ("d", "u2"), ("o", "o2"), ("x", "x2")):
        if letter in o:
            types.append(t)
    types = types or ["o2"]
    radix = o.get("A") or "o"
    width = number(o.get("w") or "32", lo=1) if "w" in o else 16
    addr_w = 7
    prev: bytes | None = None
    starred = False
    for off in range(0, len(data), width):
        line = data[off : off + width]
        if line == prev and "v" not in o:
            if not starred:
                proc.out("*\n")
                starred = True
            continue
        starred = False
        prev = line
        for i, t in enumerate(types):
            kind, size = _type_width(t)
            padded = line + b"\0" * (-len(line) % size)
            fields = [_field(kind, size, padded[k : k + size]) for k in range(0, len(padded), size)]
            cols = "".join(f"{s:>{w}}" for s, w in fields)
            prefix = (
                _addr(radix, skip + off, addr_w)
                if i == 0
                else " " * (0 if radix == "n" else addr_w)
            )
            proc.out(prefix + cols + "\n")
    if radix != "n":
        proc.out(_addr(radix, skip + len(data), addr_w) + "\n")
    return 0


def _addr(radix: str, n: int, w: int) -> str:
    if radix == "n":
        return ""
    return {"d": f"{n:0{w}d}", "x": f"{n:0{w - 1}x}".rjust(w, "0"), "o": f"{n:0{w}o}"}.get(
        radix, f"{n:0{w}o}"
    )


_SUFFIX = {"c": 1, "w": 2, "b": 512, "k": 1024, "K": 1024, "kB": 1000, "KB": 1000, "M": 1024**2,
           "MB": 1000**2, "G": 1024**3, "GB": 1000**3, "": 1}  # fmt: skip


def _size(text: str) -> int:
    total = 1
    for part in text.split("x"):
        m = re.fullmatch(r"(\d+)([a-zA-Z]*)", part)
        if m is None or m.group(2) not in _SUFFIX:
            raise Die(f"invalid number '{text}'")
        total *= int(m.group(1)) * _SUFFIX[m.group(2)]
    return total


SPARSE_LIMIT = 1 << 20  # above this, bytes from a device are kept as a size-only file


@applet("dd", usage="[if=FILE] [of=FILE] [ibs=N obs=N/bs=N] [count=N] [skip=N] [seek=N]")
def dd(proc: Proc) -> int:
    sys = Sys(proc)
    opts: dict[str, str] = {}
    for arg in proc.argv[1:]:
        key, eq, value = arg.partition("=")
        if not eq or key not in ("if", "of", "bs", "ibs", "obs", "count", "skip", "seek",
                                 "conv", "status", "iflag", "oflag"):  # fmt: skip
            raise Die(f"unknown operand {arg}", usage=True)
        opts[key] = value
    ibs = _size(opts.get("bs") or opts.get("ibs") or "512")
    obs = _size(opts.get("bs") or opts.get("obs") or "512")
    count = _size(opts["count"]) if "count" in opts else None
    skip = _size(opts.get("skip", "0")) * ibs
    seek = _size(opts.get("seek", "0")) * obs
    conv = set(opts.get("conv", "").split(","))
    src = opts.get("if")
    want = None if count is None else count * ibs
    label = ""
    if src is None:
        data: bytes | Blob = proc.stdin[skip:]
    else:
        node = sys.try_stat(src)
        if isinstance(node, Device):
            if want is None:
                raise Die(f"{src}: an endless device needs count= (the copy would never end)")
            label = src
            data = (
                Blob(want, f"{want} bytes from {src} (dd; size-only: the bytes are not modelled)")
                if want > SPARSE_LIMIT
                else node.read(want)
            )
        else:
            try:
                data = sys.read(src)[skip:]
            except Unmodelled as u:
                raise Die(f"{src}: {u.strerror}") from None
            except OSError as e:
                raise Die(f"can't open '{src}': {e.strerror}") from None
    if isinstance(data, bytes) and want is not None:
        data = data[:want]
    n = data.size if isinstance(data, Blob) else len(data)
    full, part = divmod(n, ibs)
    out = opts.get("of")
    if out is None:
        if isinstance(data, Blob):
            raise Die(f"{label}: {n} bytes to stdout: size-only content cannot be piped in emu")
        proc.out(data)
    else:
        old = b""
        existing = sys.try_stat(out)
        if existing is not None and ("notrunc" in conv or seek):
            try:
                old = sys.read(out)
            except OSError:
                old = b""
        if isinstance(data, Blob):
            content: bytes | Blob = Blob(max(n + seek, len(old)), data.label)
        else:
            head = old[:seek].ljust(seek, b"\0")
            tail = old[seek + n :] if "notrunc" in conv else b""
            content = head + data + tail
        try:
            sys.write(out, content)
        except OSError as e:
            raise Die(f"can't open '{out}': {e.strerror}") from None
    if opts.get("status") not in ("none", "noxfer"):
        outs = divmod(n, obs)
        proc.stderr.write(
            f"{full}+{1 if part else 0} records in\n{outs[0]}+{1 if outs[1] else 0} records out\n"
            f"{n} bytes ({_human(n)}) copied, 0.000001 seconds, {_human(n)}/s\n"
        )
    return 0


def _human(n: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f}{unit}"
    return f"{n}B"
