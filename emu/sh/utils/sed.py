"""sed: busybox 1.35's stream editor (the GNU extensions it accepts included): addresses
(N, $, /re/, \\cREc, first~step, addr,+N, 0,/re/), ranges, ``!``, blocks, labels, and the
commands s y p P d D n N q Q a i c = l h H g G x b t T r w z F, with -n -e -f -i -E -s."""

from __future__ import annotations

import re

from emu.fs import File
from emu.records import field, record
from emu.sh.api import Proc
from emu.sh.linear import Regex
from emu.sh.options import Die, Opts, getopt
from emu.sh.utils._common import Sys, Unmodelled, applet, read_or_report
from emu.sh.utils._regex import RegexError, compile_posix


@record
class Addr:
    kind: str  # "line" | "last" | "re" | "plus" | "mult" (the last two end ranges only)
    n: int = 0
    regex: Regex[bytes] | None = None  # None with kind "re": the last regex used


@record
class Cmd:
    op: str
    a1: Addr | None = None
    a2: Addr | None = None
    neg: bool = False
    text: bytes = b""  # a i c, r/w file names, labels
    regex: Regex[bytes] | None = None
    empty_re: bool = False  # s//…/ reuses the last regex
    repl: list[bytes | int] = field(default_factory=list)  # literal pieces and group numbers
    gflag: bool = False
    nth: int = 1
    pflag: int = 0
    wfile: str = ""
    ymap: bytes = b""
    jump: int = -1  # b t T: target index; {: index of the matching }
    exit_code: int = 0
    # range state
    active: bool = False
    end_line: int = 0


class _Parser:
    def __init__(self, script: str, extended: bool) -> None:
        self.s = script.encode("utf-8", "surrogateescape")
        self.i = 0
        self.ext = extended
        self.cmds: list[Cmd] = []
        self.labels: dict[bytes, int] = {}

    def fail(self, msg: str) -> Die:
        return Die(msg)

    def peek(self) -> int:
        return self.s[self.i] if self.i < len(self.s) else -1

    def skip_ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i] in b" \t":
            self.i += 1

    def regex_until(self, delim: int) -> bytes:
        """Raw regex text up to an unescaped ``delim`` (``\\delim`` → delim, ``\\n`` kept)."""
        out = bytearray()
        s = self.s
        in_bracket = False
        while True:
            if self.i >= len(s):
                raise self.fail(f"unmatched '{chr(delim) if delim >= 0 else ''}'")
            c = s[self.i]
            if c == 92 and self.i + 1 < len(s):  # backslash
                nx = s[self.i + 1]
                if nx == delim and not in_bracket:
                    out.append(delim)
                elif nx == ord("n") and not in_bracket:
                    out += b"\\n"
                elif nx in b"trn":
                    # busybox turns \t, \r (and \n) into the character before compiling,
                    # inside brackets too: s/\r$// strips a CR
                    out.append({ord("t"): 9, ord("r"): 13, ord("n"): 10}[nx])
                else:
                    out += bytes([92, nx])
                self.i += 2
                continue
            if c == ord("[") and not in_bracket:
                in_bracket = True
                out.append(c)
                self.i += 1
                # ']' first in a bracket is literal
                if self.i < len(s) and s[self.i] == ord("^"):
                    out.append(s[self.i])
                    self.i += 1
                if self.i < len(s) and s[self.i] == ord("]"):
                    out.append(s[self.i])
                    self.i += 1
                continue
            if c == ord("]") and in_bracket:
                in_bracket = False
            elif c == delim and not in_bracket:
                self.i += 1
                return bytes(out)
            if c == 10 and not in_bracket and delim != 10:
                raise self.fail(f"unmatched '{chr(delim) if delim >= 0 else ''}'")
            out.append(c)
            self.i += 1

    def compile(self, raw: bytes, icase: bool) -> Regex[bytes] | None:
        if raw == b"":
            return None
        try:
            return compile_posix(raw, self.ext, icase)
        except RegexError as e:
            raise self.fail(f"bad regex '{raw.decode('latin-1')}': {e}") from None

    def address(self) -> Addr | None:
        s = self.s
        c = self.peek()
        if c == -1:
            return None
        if chr(c).isascii() and chr(c).isdigit():
            # busybox has no first~step (GNU): "~" is then an unknown command.
            m = re.compile(rb"\d+").match(s, self.i)
            assert m is not None
            self.i = m.end()
            return Addr("line", int(m.group()))
        if c == ord("$"):
            self.i += 1
            return Addr("last")
        if c == ord("/") or c == 92:
            if c == 92:
                self.i += 1
                delim = self.peek()
            else:
                delim = c
            self.i += 1
            raw = self.regex_until(delim)
            icase = False
            while self.peek() in (ord("I"), ord("M")):
                icase |= self.peek() == ord("I")
                self.i += 1
            return Addr("re", regex=self.compile(raw, icase))
        return None

    def text_arg(self) -> bytes:
        """The text of a/i/c: one-liner (GNU) or after ``\\`` + newline; ``\\`` escapes."""
        s = self.s
        self.skip_ws()
        if self.peek() == 92:
            self.i += 1
            if self.peek() == 10:
                self.i += 1
        elif self.peek() == -1:
            raise self.fail("expected \\ after a, c or i")
        out = bytearray()
        while self.i < len(s):
            c = s[self.i]
            if c == 92 and self.i + 1 < len(s):
                nx = s[self.i + 1]
                out.append(nx)
                self.i += 2
                continue
            if c == 10:
                self.i += 1
                break
            out.append(c)
            self.i += 1
        return bytes(out)

    def to_eol(self, stop_semicolon: bool) -> bytes:
        s = self.s
        start = self.i
        while self.i < len(s) and s[self.i] != 10 and not (stop_semicolon and s[self.i] in b";}"):
            self.i += 1
        return s[start : self.i].strip()

    def replacement(self, delim: int) -> list[bytes | int]:
        s = self.s
        parts: list[bytes | int] = []
        buf = bytearray()
        while True:
            if self.i >= len(s):
                raise self.fail("unmatched 's'")
            c = s[self.i]
            if c == delim:
                self.i += 1
                break
            if c == 92 and self.i + 1 < len(s):
                nx = s[self.i + 1]
                self.i += 2
                if chr(nx).isascii() and chr(nx).isdigit():
                    if buf:
                        parts.append(bytes(buf))
                        buf = bytearray()
                    parts.append(nx - 48)
                elif nx == ord("n"):
                    buf.append(10)
                elif nx == ord("t"):
                    buf.append(9)
                elif nx == 10:
                    buf.append(10)
                else:
                    buf.append(nx)
                continue
            if c == ord("&"):
                if buf:
                    parts.append(bytes(buf))
                    buf = bytearray()
                parts.append(0)
                self.i += 1
                continue
            buf.append(c)
            self.i += 1
        if buf:
            parts.append(bytes(buf))
        return parts

    def parse(self) -> list[Cmd]:
        s = self.s
        blocks: list[int] = []
        while True:
            while self.i < len(s) and s[self.i] in b" \t\n;":
                self.i += 1
            if self.i >= len(s):
                break
            if s[self.i] == ord("#"):
                self.to_eol(False)
                continue
            a1 = self.address()
            a2 = None
            if a1 is not None and self.peek() == ord(","):
                self.i += 1
                self.skip_ws()
                if self.peek() == ord("+") or self.peek() == ord("~"):
                    kind = "plus" if self.peek() == ord("+") else "mult"
                    self.i += 1
                    m = re.compile(rb"\d+").match(s, self.i)
                    if m is None:
                        raise self.fail("expected number")
                    self.i = m.end()
                    a2 = Addr(kind, int(m.group()))
                else:
                    a2 = self.address()
                    if a2 is None:
                        raise self.fail("unexpected ','")
            self.skip_ws()
            neg = False
            while self.peek() == ord("!"):
                neg = True
                self.i += 1
                self.skip_ws()
            if self.i >= len(s):
                raise self.fail("missing command")
            op = chr(s[self.i])
            self.i += 1
            cmd = Cmd(op, a1, a2, neg)
            if op == "{":
                blocks.append(len(self.cmds))
            elif op == "}":
                if not blocks:
                    raise self.fail("unexpected '}'")
                self.cmds[blocks.pop()].jump = len(self.cmds)
            elif op in "aic":
                cmd.text = self.text_arg()
            elif op == ":":
                if a1 is not None:
                    raise self.fail("': doesn't want any addresses")
                label = self.to_eol(True)
                if not label:
                    raise self.fail('":" lacks a label')
                self.labels[label] = len(self.cmds)
                cmd.text = label
            elif op in "btT":
                self.skip_ws()
                cmd.text = self.to_eol(True)
            elif op in "rw":
                self.skip_ws()
                cmd.text = self.to_eol(False)
            elif op == "s":
                delim = self.peek()
                if delim in (-1, 10, 92):
                    raise self.fail("unmatched 's'")
                self.i += 1
                raw = self.regex_until(delim)
                cmd.repl = self.replacement(delim)
                icase = False
                while True:
                    f = self.peek()
                    if f == ord("g"):
                        cmd.gflag = True
                    elif f == ord("p"):
                        cmd.pflag += 1
                    elif f in (ord("i"), ord("I")):
                        icase = True
                    elif f in (ord("m"), ord("M"), ord("e")):
                        pass
                    elif f != -1 and (chr(f).isascii() and chr(f).isdigit()):
                        m = re.compile(rb"\d+").match(s, self.i)
                        assert m is not None
                        cmd.nth = int(m.group())
                        if cmd.nth == 0:
                            raise self.fail("bad option in substitution expression")
                        self.i = m.end()
                        continue
                    elif f == ord("w"):
                        self.i += 1
                        self.skip_ws()
                        cmd.wfile = self.to_eol(False).decode("utf-8", "surrogateescape")
                        break
                    else:
                        break
                    self.i += 1
                self.skip_ws()
                if self.peek() not in (-1, 10, ord(";"), ord("}"), ord("#")):
                    raise self.fail("bad option in substitution expression")
                cmd.regex = self.compile(raw, icase)
                cmd.empty_re = raw == b""
            elif op == "y":
                delim = self.peek()
                self.i += 1
                src = self._ytext(delim)
                dst = self._ytext(delim)
                if len(src) != len(dst):
                    raise self.fail("strings for y command are different lengths")
                table = bytearray(range(256))
                for a, b in zip(src, dst, strict=True):
                    table[a] = b
                cmd.ymap = bytes(table)
            elif op not in "=dDgGhHlnNpPxq":  # busybox's set: no z F Q e L R W
                raise self.fail(f"unsupported command {op}")
            self.cmds.append(cmd)
        if blocks:
            raise self.fail("unmatched '{'")
        for idx, c in enumerate(self.cmds):
            if c.op in "btT":
                if not c.text:
                    c.jump = len(self.cmds)
                elif c.text in self.labels:
                    c.jump = self.labels[c.text]
                else:
                    raise self.fail(f"can't find label for jump to '{c.text.decode('latin-1')}'")
            _ = idx
        return self.cmds

    def _ytext(self, delim: int) -> bytes:
        out = bytearray()
        s = self.s
        while True:
            if self.i >= len(s):
                raise self.fail(f"unmatched '{chr(delim) if delim >= 0 else ''}'")
            c = s[self.i]
            if c == delim:
                self.i += 1
                return bytes(out)
            if c == 92 and self.i + 1 < len(s):
                nx = s[self.i + 1]
                out.append(10 if nx == ord("n") else 92 if nx == 92 else nx)
                self.i += 2
                continue
            out.append(c)
            self.i += 1


class _Quit(Exception):
    """q/Q (with an exit code), or n/N at the end of input (code None)."""

    def __init__(self, code: int | None) -> None:
        self.code = code


class _Sed:
    def __init__(self, proc: Proc, sys: Sys, cmds: list[Cmd], quiet: bool) -> None:
        self.proc = proc
        self.sys = sys
        self.cmds = cmds
        self.quiet = quiet
        self.last_re: Regex[bytes] | None = None
        self.hold = b""
        self.out: list[bytes] = []
        self.out_size = 0
        self.wfiles: dict[str, list[bytes]] = {}
        self.lineno = 0
        self.nonl = False  # the last output line lacked its newline
        self.on_unterminated = False  # the current line is the input's unterminated last

    def match_addr(self, a: Addr, line: bytes, last: bool) -> bool:
        if a.kind == "line":
            return self.lineno == a.n
        if a.kind == "last":
            return last
        if a.kind == "re":
            r = a.regex or self.last_re
            if r is None:
                raise Die("no previous regexp")
            self.last_re = r
            return r.search(line) is not None
        return False

    def selected(self, c: Cmd, line: bytes, last: bool) -> bool:
        if c.a1 is None:
            return not c.neg
        if c.a2 is None:
            return self.match_addr(c.a1, line, last) != c.neg
        a2 = c.a2
        if not c.active:
            if not self.match_addr(c.a1, line, last):
                return c.neg
            # A range starts; a line-number end at or before here makes it one line long.
            c.active = True
            if a2.kind == "line":
                c.active = a2.n > self.lineno
            elif a2.kind == "plus":
                c.end_line = self.lineno + a2.n
                c.active = a2.n > 0
            elif a2.kind == "mult":
                c.active = a2.n > 0 and self.lineno % a2.n != 0
            elif a2.kind == "last":
                c.active = not last
            return not c.neg
        if a2.kind == "line":
            if self.lineno >= a2.n:
                c.active = False
        elif a2.kind == "plus":
            if self.lineno >= c.end_line:
                c.active = False
        elif a2.kind == "mult":
            if self.lineno % a2.n == 0:
                c.active = False
        elif a2.kind == "last":
            if last:
                c.active = False
        elif self.match_addr(a2, line, last):
            c.active = False
        return not c.neg

    def subst(self, c: Cmd, ps: bytes) -> tuple[bytes, bool]:
        r = c.regex
        if c.empty_re or r is None:
            r = self.last_re
            if r is None:
                raise Die("no previous regexp")
        self.last_re = r
        out = bytearray()
        pos = 0
        count = 0
        done = False
        prev_end = -1
        for m in r.finditer(ps):
            if m.start() == m.end() and m.start() == prev_end:
                continue  # no empty match right after a match (as glibc/sed)
            prev_end = m.end()
            count += 1
            if count < c.nth and not c.gflag:  # busybox: with g, a number is ignored (2g: all)
                continue
            out += ps[pos : m.start()]
            for part in c.repl:
                if isinstance(part, int):
                    try:
                        out += m.group(part) or b""
                    except IndexError:
                        raise Die(f"invalid reference \\{part} on s command's RHS") from None
                else:
                    out += part
            pos = m.end()
            done = True
            if not c.gflag:
                break
        if not done:
            return ps, False
        out += ps[pos:]
        return bytes(out), True

    def emit(self, data: bytes) -> None:
        """Output; a last line printed without its newline gets one if more follows."""
        if self.nonl:
            self.out.append(b"\n")
            self.nonl = False
        self.out.append(data)
        # What sed has printed is held until it ends: string data, under the byte limit.
        self.out_size += len(data) + 1
        self.proc.limits.held(self.out_size)

    def emit_ps(self, ps: bytes) -> None:
        """The pattern space, ended as its input line was (the last may lack ``\n``)."""
        self.emit(ps)
        if self.on_unterminated:
            self.nonl = True
        else:
            self.out.append(b"\n")

    def run(self, lines: list[bytes], missing_nl: bool) -> None:
        """Run the script over ``lines`` (without newlines). Raises _Quit on q/Q/n/N."""
        self.lineno = 0
        self.nonl = False
        idx = 0
        n = len(lines)
        append: list[bytes] = []
        limits = self.proc.limits

        def flush_append() -> None:
            for a in append:
                self.emit(a)
            append.clear()

        while idx < n:
            ps = lines[idx]
            idx += 1
            self.lineno += 1
            last = idx == n
            self.on_unterminated = last and missing_nl
            tflag = False
            deleted = False
            pc = 0
            while pc < len(self.cmds):
                limits.step()
                c = self.cmds[pc]
                op = c.op
                if op in "}:":
                    pc += 1
                    continue
                if not self.selected(c, ps, last):
                    pc = c.jump + 1 if op == "{" else pc + 1
                    continue
                pc += 1
                if op == "{":
                    continue
                if op == "s":
                    ps, did = self.subst(c, ps)
                    if did:
                        tflag = True
                        for _ in range(c.pflag):
                            self.emit_ps(ps)
                        if c.wfile:
                            self.wfiles.setdefault(c.wfile, []).append(ps + b"\n")
                elif op == "p":
                    self.emit_ps(ps)
                elif op == "P":
                    self.emit(ps.split(b"\n", 1)[0] + b"\n")
                elif op == "d":
                    deleted = True
                    break
                elif op == "D":
                    if b"\n" not in ps:
                        deleted = True
                        break
                    # Restart the script on what is left, without reading a new line.
                    ps = ps.split(b"\n", 1)[1]
                    flush_append()
                    pc = 0
                    tflag = False
                elif op == "=":
                    self.emit(f"{self.lineno}\n".encode())
                elif op == "a":
                    append.append(c.text + b"\n")
                elif op == "i":
                    self.emit(c.text + b"\n")
                elif op == "c":
                    # In a range the text replaces the whole range: print it at its end.
                    if c.a2 is None or not c.active or c.neg:
                        self.emit(c.text + b"\n")
                    deleted = True
                    break
                elif op == "r":
                    try:
                        data = self.sys.read(c.text.decode("utf-8", "surrogateescape"))
                    except OSError:
                        data = b""
                    if data:
                        append.append(data if data.endswith(b"\n") else data + b"\n")
                elif op == "w":
                    name = c.text.decode("utf-8", "surrogateescape")
                    self.wfiles.setdefault(name, []).append(ps + b"\n")
                elif op == "y":
                    ps = ps.translate(c.ymap)
                elif op == "h":
                    self.hold = ps
                elif op == "H":
                    limits.held(len(self.hold) + len(ps) + 1)
                    self.hold += b"\n" + ps
                elif op == "g":
                    ps = self.hold
                elif op == "G":
                    limits.held(len(self.hold) + len(ps) + 1)
                    ps += b"\n" + self.hold
                elif op == "x":
                    ps, self.hold = self.hold, ps
                elif op == "z":
                    ps = b""
                elif op == "F":
                    self.emit(b"-\n")
                elif op == "l":
                    self.emit(_list_line(ps))
                elif op in "nN":
                    if idx >= n:
                        # No next line: GNU and busybox print the pattern space and stop.
                        if not self.quiet:
                            self.emit_ps(ps)
                        flush_append()
                        raise _Quit(None)
                    if op == "n":
                        if not self.quiet:
                            self.emit_ps(ps)
                        flush_append()
                        ps = lines[idx]
                    else:
                        flush_append()
                        ps = ps + b"\n" + lines[idx]
                    idx += 1
                    self.lineno += 1
                    last = idx == n
                    self.on_unterminated = last and missing_nl
                elif op in "btT":
                    if op == "b" or (op == "t") == tflag:
                        if op != "b":
                            tflag = False
                        pc = c.jump
                elif op in "qQ":
                    if op == "q" and not self.quiet:
                        self.emit_ps(ps)
                    flush_append()
                    raise _Quit(c.exit_code)
            if not deleted and not self.quiet:
                self.emit_ps(ps)
            flush_append()

    def flush_w(self) -> None:
        """Write what ``w`` commands collected (``/dev/stdout`` goes to stdout)."""
        for name, chunks in self.wfiles.items():
            if name == "/dev/stdout":
                self.proc.out(b"".join(chunks))
                continue
            try:
                self.sys.write(name, b"".join(chunks))
            except OSError as e:
                self.proc.err(f"can't open '{name}': {e.strerror}")
        self.wfiles = {}


def _list_line(ps: bytes) -> bytes:
    out = bytearray()
    esc = {
        7: b"\\a",
        8: b"\\b",
        9: b"\\t",
        10: b"\\n",
        11: b"\\v",
        12: b"\\f",
        13: b"\\r",
        92: b"\\\\",
    }
    for b in ps:
        if b in esc:
            out += esc[b]
        elif 32 <= b < 127:
            out.append(b)
        else:
            out += f"\\{b:03o}".encode()
    return bytes(out) + b"$\n"


def _split(data: bytes) -> tuple[list[bytes], bool]:
    """Lines without newlines, and whether the last one lacked its newline."""
    if not data:
        return [], False
    parts = data.split(b"\n")
    if parts[-1] == b"":
        parts.pop()
        return parts, False
    return parts, True


@applet("sed", usage="[-i[SFX]] [-nrE] [-f FILE]... [-e CMD]... [FILE]...")
def sed(proc: Proc) -> int:
    argv = proc.argv[1:]
    # -i takes an optional attached suffix; getopt cannot say that, so split it off here.
    suffix: str | None = None
    rest: list[str] = []
    for a in argv:
        if a.startswith("-i") and not a.startswith("--") and rest[-1:] not in (["-e"], ["-f"]):
            suffix = a[2:]
            continue
        if a.startswith("--in-place"):
            suffix = a.partition("=")[2]
            continue
        rest.append(a)
    o = getopt(
        rest,
        "ne:f:rEsuz",
        {
            "quiet": "n",
            "silent": "n",
            "expression=": "e",
            "file=": "f",
            "regexp-extended": "E",
            "separate": "s",
            "posix": "\x01",
            "debug": "\x02",
            "null-data": "z",
        },
    )
    sys = Sys(proc)
    scripts: list[str] = []
    for k, v in zip(o.order, _values_in_order(o), strict=False):
        if k == "e":
            scripts.append(v or "")
        elif k == "f":
            try:
                data = sys.read(v or "") if v != "-" else proc.stdin
            except OSError as e:
                raise Die(f"can't open '{v}': {e.strerror}") from None
            scripts.append(data.decode("utf-8", "surrogateescape").rstrip("\n"))
    files = o.args
    if not scripts:
        if not files:
            raise Die(None, usage=True)
        scripts.append(files[0])
        files = files[1:]
    script = "\n".join(scripts)
    quiet = "n" in o or script.startswith("#n\n") or script == "#n"
    cmds = _Parser(script, "r" in o or "E" in o).parse()
    engine = _Sed(proc, sys, cmds, quiet)
    status = 0
    if suffix is not None:
        if not files:
            raise Die("sed: no input files")
        for f in files:
            got = read_or_report(proc, sys, f)
            if isinstance(got, OSError):
                status = 4 if isinstance(got, Unmodelled) else 1
                continue
            data = got
            engine.out = []
            lines, missing = _split(data)
            quit_code = _run(engine, lines, missing)
            text = b"".join(engine.out)
            # A new inode with the old one's owner and mode; the old one becomes the backup.
            # A symlink is replaced by the new file (busybox renames over the name given);
            # the file it pointed at is left as it was.
            try:
                orig, named = sys.stat(f), sys.lstat(f)
                sys.limits.stored(len(text))
                sys.replace(f, File(orig.meta.with_(mtime=sys.time), text))
                if suffix:
                    sys.replace(f + suffix, named)  # the name given, a link stays a link
            except OSError as e:
                proc.err(f"can't create '{f}': {e.strerror}")
                status = 4
            engine.flush_w()
            if quit_code is not None:
                return quit_code
        return status
    data_all = b""
    for f in files or ["-"]:
        if f == "-":
            data_all += proc.stdin
            continue
        d = read_or_report(proc, sys, f)
        if isinstance(d, OSError):
            status = 2 if isinstance(d, Unmodelled) else 1
            continue
        if data_all and not data_all.endswith(b"\n"):
            data_all += b"\n"
        data_all += d
    lines, missing = _split(data_all)
    quit_code = _run(engine, lines, missing)
    proc.out(b"".join(engine.out))
    engine.flush_w()
    return quit_code if quit_code is not None else status


def _run(engine: _Sed, lines: list[bytes], missing: bool) -> int | None:
    try:
        engine.run(lines, missing)
    except _Quit as q:
        return q.code
    return None


def _values_in_order(o: Opts) -> list[str | None]:
    """The value of each option occurrence, in command-line order (None for flags)."""
    seen: dict[str, int] = {}
    out: list[str | None] = []
    for k in o.order:
        vals = o.values.get(k)
        if vals is None:
            out.append(None)
            continue
        i = seen.get(k, 0)
        seen[k] = i + 1
        out.append(vals[i] if i < len(vals) else None)
    return out
