"""The Dockerfile parser: text to a flat list of :class:`Node`, as BuildKit's parser does it.

This is the first of three layers (parser → typed instructions → build). It follows
``frontend/dockerfile/parser`` rule for rule: parser directives at the top, the escape
token, line continuations (comment and blank lines inside them dropped), heredocs on
RUN/COPY/ADD, exec (JSON) form with the silent fallback to shell form, ``--flags`` before
the arguments and the per-instruction argument splitting. Unlike BuildKit, every word it
reads (keyword, flags and their values, arguments, stage names) keeps its span in the
source, so an error can point at the word it is about.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from emu.dockerfile.text import GO_SPACE, go_quote, go_trim, is_go_space
from emu.errors import ExpansionError, ParseError
from emu.pos import Position, Span
from emu.records import field, record, replace
from emu.words import Lexer

__all__ = [
    "Directive",
    "Heredoc",
    "Node",
    "ParseResult",
    "ParseWarning",
    "Rule",
    "parse",
]

# Longest physical line bufio.Scanner accepts by default (64 KiB including the newline).
MAX_LINE_BYTES = 64 * 1024

_RE_WHITESPACE = re.compile(r"[\t\v\f\r ]+")
_RE_DIRECTIVE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*\Z", re.ASCII)
_RE_HEREDOC = re.compile(r"(\d*)<<(-?)\s*([^<]*)\Z")

_VALID_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_HEREDOC_COMMANDS = frozenset({"add", "copy", "run"})

# How each instruction's arguments are split (BuildKit's dispatch table).
_WHITESPACE_LIST = "words"
_MAYBE_JSON = "maybe-json"
_MAYBE_JSON_LIST = "maybe-json-list"
_NAME_VAL = "name-val"
_NAME_OR_NAME_VAL = "name-or-name-val"
_STRING = "string"
_HEALTH = "health"
_SUB = "sub"
_DISPATCH: dict[str, str] = {
    "add": _MAYBE_JSON_LIST,
    "arg": _NAME_OR_NAME_VAL,
    "cmd": _MAYBE_JSON,
    "copy": _MAYBE_JSON_LIST,
    "entrypoint": _MAYBE_JSON,
    "env": _NAME_VAL,
    "expose": _WHITESPACE_LIST,
    "from": _WHITESPACE_LIST,
    "healthcheck": _HEALTH,
    "label": _NAME_VAL,
    "maintainer": _STRING,
    "onbuild": _SUB,
    "run": _MAYBE_JSON,
    "shell": _MAYBE_JSON,
    "stopsignal": _STRING,
    "user": _STRING,
    "volume": _MAYBE_JSON_LIST,
    "workdir": _STRING,
}


@record(frozen=True, slots=True)
class Heredoc:
    """A here-document attached to a RUN/COPY/ADD line (``<<EOF`` … ``EOF``)."""

    name: str
    content: str
    expand: bool  # False when any part of the delimiter was quoted
    chomp: bool  # ``<<-``: leading tabs are stripped from the body
    fd: int = 0
    span: Span | None = None  # the body and its terminator line


@record(frozen=True, slots=True)
class Directive:
    """A parser directive such as ``# escape=`` (name lower-cased, value as written)."""

    name: str
    value: str
    line: int


@record(frozen=True, slots=True)
class Rule:
    """A check rule (``docker build --check``): its name, what it asks, where it is explained."""

    name: str
    description: str
    url: str


def buildkit_rule(name: str, description: str) -> Rule:
    """One of BuildKit's rules, whose page is named after it (``JSONArgsRecommended`` →
    ``https://docs.docker.com/go/dockerfile/rule/json-args-recommended/``)."""
    slug = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name).lower()
    return Rule(name, description, f"https://docs.docker.com/go/dockerfile/rule/{slug}/")


# The one rule the parser itself reports (the others are emu.dockerfile.checks').
NO_EMPTY_CONTINUATION = buildkit_rule(
    "NoEmptyContinuation", "Empty continuation lines will become errors in a future release"
)


@record(frozen=True, slots=True)
class ParseWarning:
    """A warning the parser gives without failing (BuildKit: empty continuation lines)."""

    rule: Rule
    message: str
    line: int


@record(frozen=True, slots=True)
class Node:
    """One instruction as the parser sees it: keyword, flags, and split arguments.

    ``args`` are BuildKit's ``Next`` chain: for ENV and LABEL they come in triplets
    (key, value, separator) where the separator is ``"="`` or ``""`` for the legacy form;
    for ONBUILD ``args`` is empty and ``child`` holds the wrapped instruction.

    Every word read has its span: ``keyword_span``; ``flag_spans``, each ``--flag`` word as
    written (quotes included), with ``flag_value_spans``, the text after its first ``=``
    (None without one); ``arg_spans``, one per argument (an exec-form argument: its JSON
    string; the empty separator of a legacy ``ENV key value``: empty, where the value
    starts).
    """

    keyword: str  # as written, e.g. "copy" or "COPY"
    flags: tuple[str, ...]
    args: tuple[str, ...]
    original: str  # the logical line, continuations joined
    span: Span
    json: bool = False
    child: Node | None = None
    heredocs: tuple[Heredoc, ...] = ()
    comments: tuple[str, ...] = ()
    # (offset in ``original``, line, column) of each physical line's first character.
    segments: tuple[tuple[int, int, int], ...] = field(default=(), repr=False)
    unknown: bool = False  # the keyword is not a Dockerfile instruction
    # Where each word was read, as offsets in ``original``: the keyword's start and end,
    # the number of flags, each flag's start, end and "=" (-1: none), then each argument's
    # start and end. Spans are made from them when asked for (errors and checks), so
    # parsing a 10,000-line Dockerfile does not build 40,000 span objects nobody reads.
    offsets: tuple[int, ...] = field(default=(0, 0, 0), repr=False)

    @property
    def keyword_span(self) -> Span:
        return _span(self.segments, self.offsets[0], self.offsets[1])

    @property
    def flag_spans(self) -> tuple[Span, ...]:
        o = self.offsets
        return tuple(_span(self.segments, o[3 + 3 * i], o[4 + 3 * i]) for i in range(o[2]))

    @property
    def flag_value_spans(self) -> tuple[Span | None, ...]:
        o, out = self.offsets, []
        for i in range(o[2]):
            eq, end = o[5 + 3 * i], o[4 + 3 * i]
            out.append(_span(self.segments, eq + 1, end) if eq >= 0 else None)
        return tuple(out)

    @property
    def arg_spans(self) -> tuple[Span, ...]:
        o = self.offsets
        first = 3 + 3 * o[2]
        return tuple(_span(self.segments, o[j], o[j + 1]) for j in range(first, len(o), 2))

    @property
    def cmd(self) -> str:
        """The instruction name, lower-cased."""
        return self.keyword.lower()

    @property
    def start_line(self) -> int:
        return self.span.start.line

    @property
    def end_line(self) -> int:
        return self.span.end.line

    def position_at(self, offset: int) -> Position:
        """The source position of ``original[offset]``."""
        return _position(self.segments, offset)

    def flag_span(self, name: str) -> Span:
        """Where the (last) ``--name`` flag was written; the keyword when there is none."""
        flags, o = self.flags, self.offsets
        for i in range(len(flags) - 1, -1, -1):  # (only the span asked for is computed)
            if flags[i][2:].partition("=")[0] == name:
                return _span(self.segments, o[3 + 3 * i], o[4 + 3 * i])
        return self.keyword_span

    def dump(self) -> str:
        """BuildKit's ``Node.Dump()`` of this instruction, without the parentheses."""
        out = self.keyword.lower()
        if self.flags:
            out += " [" + " ".join(go_quote(f) for f in self.flags) + "]"
        if self.child is not None:
            out += " (" + self.child.dump() + ")"
        for arg in self.args:
            out += " " + go_quote(arg)
        return go_trim(out)


@record(frozen=True, slots=True)
class ParseResult:
    """A parsed Dockerfile: its instructions, directives, escape token and warnings."""

    nodes: tuple[Node, ...]
    directives: tuple[Directive, ...]
    escape: str
    warnings: tuple[ParseWarning, ...]
    file: str
    source: str

    def directive(self, name: str) -> Directive | None:
        for d in self.directives:
            if d.name == name:
                return d
        return None

    def dump(self) -> str:
        """The ``result`` format of BuildKit's parser tests (ends with one newline)."""
        body = "\n".join(f"({n.dump()})" for n in self.nodes)
        return go_trim(body) + "\n"


# --- lines -------------------------------------------------------------------------------


class _Directives:
    """Parser-directive state: recognised only until the first line that is not one."""

    __slots__ = ("_cont", "done", "escape", "found", "line")

    def __init__(self) -> None:
        self.done = False
        self.line = 0
        self.found: list[Directive] = []
        self.escape = "\\"
        self._cont = _continuation_regex("\\")

    def feed(self, line: str, file: str) -> bool:
        """Look at one line (left-trimmed); True when it was a directive."""
        self.line += 1
        if self.done:
            return False
        if not line.startswith("#"):
            self.done = True
            return False
        m = _RE_DIRECTIVE.match(line[1:].lstrip(GO_SPACE))
        if m is None or m.group(1).lower() not in _VALID_DIRECTIVES:
            self.done = True
            return False
        name, value = m.group(1).lower(), m.group(2)
        if any(d.name == name for d in self.found):
            raise ParseError(
                f"only one {name} parser directive can be used",
                file=file,
                pos=Position(self.line, 1),
                hint="remove the repeated directive",
            )
        if name == "escape":
            if value not in ("`", "\\"):
                raise ParseError(
                    f"invalid escape token '{value}' does not match ` or \\",
                    file=file,
                    pos=Position(self.line, 1),
                    hint="use `# escape=\\` (the default) or `# escape=``",
                )
            self.escape = value
            self._cont = _continuation_regex(value)
        self.found.append(Directive(name, value, self.line))
        return True

    def trim_continuation(self, line: str) -> tuple[str, bool]:
        """Strip a trailing escape token; the flag says whether the line ends there."""
        if not line.rstrip(" \t").endswith(self.escape):
            return line, True  # (most lines: no regex needed to say so)
        new, n = self._cont.subn(r"\1", line, count=1)
        return (new, False) if n else (line, True)


def _continuation_regex(escape: str) -> re.Pattern[str]:
    e = re.escape(escape)
    # The escape token ends the line unless it is itself escaped (BuildKit's regex).
    return re.compile(rf"([^{e}]){e}[ \t]*\Z|^{e}[ \t]*\Z")


def _trim_newline(line: str) -> str:
    return line.rstrip("\r\n")


def _is_comment(line: str) -> bool:
    return line.lstrip(GO_SPACE).startswith("#")


def _split_lines(text: str) -> list[str]:
    """Lines with their endings kept, like BuildKit's scanner."""
    # Not str.splitlines: that also splits on \r, \v, \x1c…, and Go splits only on \n.
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


# --- words and where they were read ------------------------------------------------------
@record(frozen=True, slots=True)
class _Word:
    """A word cut from a text: as read, and the offsets ``[start, end)`` it was read from."""

    text: str
    start: int
    end: int
    eq: int = -1  # offset of the "=" that is the text's first, or -1


def _shifted(word: _Word, by: int) -> _Word:
    """The word as read from a text that sits at offset ``by`` of the logical line."""
    return _Word(word.text, word.start + by, word.end + by, word.eq + by if word.eq >= 0 else -1)


def _position(segments: tuple[tuple[int, int, int], ...], offset: int) -> Position:
    """The source position of a logical line's ``offset`` (segments as in :class:`Node`)."""
    if len(segments) == 1:  # one physical line: the common case
        seg_off, line, col = segments[0]
        return Position(line, col + (offset - seg_off))
    seg_off, line, col = segments[0] if segments else (0, 1, 1)
    for s_off, s_line, s_col in segments:
        if s_off > offset:
            break
        seg_off, line, col = s_off, s_line, s_col
    return Position(line, col + (offset - seg_off))


def _span(segments: tuple[tuple[int, int, int], ...], start: int, end: int) -> Span:
    """The source span of a logical line's ``[start, end)``, across continuations."""
    first = _position(segments, start)
    if end <= start:
        return Span(first, first)
    last = _position(segments, end - 1)
    return Span(first, Position(last.line, last.column + 1))


_SPACE, _IN_WORD, _IN_QUOTE = 0, 1, 2


def _scan_words(text: str, escape: str, *, flags: bool = False) -> tuple[list[_Word], int]:
    """Split ``text`` into words as BuildKit does, in its two flavours; and where they end.

    ``parseWords`` (the default): words split on spaces, quotes and escape tokens kept in
    them, an escape token literal inside single quotes. ``extractBuilderFlags`` (``flags``):
    only the leading words that start with ``--``, quotes and escape tokens removed (an
    escape works inside single quotes too), a lone ``--`` ending them; the offset returned
    is where the arguments start. In both a trailing escape token is dropped.
    """
    if "'" not in text and '"' not in text and escape not in text:
        return _split_plain(text, flags)
    if not flags and escape not in text and text.isascii() and not _RE_ODD_SPACE.search(text):
        quoted = _split_quoted(text)
        if quoted is not None:
            return quoted, len(text)
    return _scan_chars(text, escape, flags)


def _scan_chars(text: str, escape: str, flags: bool) -> tuple[list[_Word], int]:
    """:func:`_scan_words` a character at a time (every case; the others are shortcuts)."""
    keep = not flags
    words: list[_Word] = []
    buf: list[str] = []
    blank_ok = False  # a quoted empty word ("") is still a word
    quote = ""
    eq = start = -1
    state = _SPACE
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if state == _SPACE:
            if is_go_space(ch):
                i += 1
                continue
            if flags and not text.startswith("--", i):
                return words, i
            state, start = _IN_WORD, i
        if state == _IN_WORD and is_go_space(ch):
            word = "".join(buf)
            if flags and word == "--":
                return words, i
            if blank_ok or buf:
                words.append(_Word(word, start, i, eq))
            buf.clear()
            blank_ok, eq, state = False, -1, _SPACE
            i += 1
            continue
        if (state == _IN_WORD and ch in "'\"") or (state == _IN_QUOTE and ch == quote):
            # A quote opens or closes: parseWords keeps it, extractBuilderFlags drops it.
            if state == _IN_WORD:
                quote, blank_ok = ch, True
            state = _IN_QUOTE if state == _IN_WORD else _IN_WORD
            if keep:
                buf.append(ch)
            i += 1
            continue
        if ch == escape and (state == _IN_WORD or flags or quote != "'"):
            if i + 1 == n:
                state = _IN_WORD  # dropped; inside quotes it ends them
                i += 1
                continue
            if keep:
                buf.append(ch)
            i += 1
            ch = text[i]
        if ch == "=" and eq < 0:
            eq = i
        buf.append(ch)
        i += 1
    word = "".join(buf)
    if state != _SPACE and (blank_ok or buf) and not (flags and word == "--"):
        words.append(_Word(word, start, n, eq))
    return words, n


def _split_plain(text: str, flags: bool) -> tuple[list[_Word], int]:
    """:func:`_scan_words` of a text with no quote and no escape token (most lines): the
    words are the runs between Go spaces, so a regex finds them."""
    words: list[_Word] = []
    for m in _RE_GO_WORD.finditer(text):
        word, start = m.group(), m.start()
        if flags:
            if not word.startswith("--"):
                return words, start
            if word == "--":
                return words, m.end()
        eq = word.find("=")
        words.append(_Word(word, start, m.end(), start + eq if eq >= 0 else -1))
    return words, len(text)


_RE_GO_WORD = re.compile("[^" + re.escape(GO_SPACE) + "]+")


def _split_quoted(text: str) -> list[_Word] | None:
    """parseWords of an ASCII text with quotes but no escape token and no space but " "
    and tab (``LABEL a="x y"``): a word is a run of unquoted characters and whole quoted
    strings, quotes kept. None when a quote is left open (the scan takes the rest then)."""
    words: list[_Word] = []
    pos = 0
    for m in _RE_QUOTED_WORD.finditer(text):
        start = m.start()
        if text[pos:start].strip(" \t"):
            return None  # a quote no pattern closed was skipped
        word = m.group()
        eq = word.find("=")
        words.append(_Word(word, start, m.end(), start + eq if eq >= 0 else -1))
        pos = m.end()
    return None if text[pos:].strip(" \t") else words


_RE_QUOTED_WORD = re.compile(r"""(?:[^ \t"']+|"[^"]*"|'[^']*')+""")
_RE_ODD_SPACE = re.compile(r"[\n\v\f\r]")


def _fields(text: str) -> list[_Word]:
    """Words split on ASCII whitespace only (Go's ``regexp.Split(rest, "[\\t\\v\\f\\r ]+")``)."""
    return [_Word(m.group(), m.start(), m.end()) for m in _RE_FIELD.finditer(text)]


_RE_FIELD = re.compile(r"[^\t\v\f\r ]+")
_RE_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


class _NotJSON(Exception):
    pass


def _reject_constant(_: str) -> object:
    raise _NotJSON


def _finite_number(s: str) -> float:
    value = float(s)
    if value in (float("inf"), float("-inf")):
        raise _NotJSON  # Go cannot hold it in a float64: Unmarshal fails
    return value


def _json_words(text: str, offset: int = 0) -> list[_Word] | None:
    """Exec form: a JSON array of strings, or None when ``text`` is not valid JSON.

    Each word's span is its string literal (``text`` sits at ``offset`` of the line).
    """
    rest = text.lstrip(GO_SPACE)
    if not rest.startswith("["):
        return None
    try:
        value = json.loads(
            rest,
            parse_constant=_reject_constant,
            parse_float=_finite_number,
            parse_int=_finite_number,
        )
    except (ValueError, _NotJSON, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(v, str) for v in value):
        raise ValueError("when using JSON array syntax, arrays must be comprised of strings only")
    # In an array of strings every string literal is an element, in order.
    literals = [m.span() for m in _RE_JSON_STRING.finditer(text)]
    # Go replaces invalid UTF-8 and lone surrogates with U+FFFD when decoding JSON.
    return [
        _Word(re.sub("[\ud800-\udfff]", "\ufffd", v), offset + a, offset + b)
        for v, (a, b) in zip(value, literals, strict=True)
    ]


def _name_val(rest: str, key: str, escape: str) -> list[_Word]:
    """ENV and LABEL: (key, value, separator) triplets, ``=`` form or legacy ``key value``."""
    words, _ = _scan_words(rest, escape)
    if not words:
        return []
    if "=" not in words[0].text:
        m = _RE_WHITESPACE.search(rest)
        if m is None:
            raise ValueError(f"{key} must have two arguments")
        value = _Word(rest[m.end() :], m.end(), len(rest))
        return [_Word(rest[: m.start()], 0, m.start()), value, _Word("", m.end(), m.end())]
    out: list[_Word] = []
    for word in words:
        k, eq, v = word.text.partition("=")
        if not eq:
            raise ValueError(
                f"Syntax error - can't find = in {go_quote(word.text)}. "
                "Must be of the form: name=value"
            )
        # parseWords keeps every character it reads, so the key maps one to one.
        at = word.start + len(k)
        out += [_Word(k, word.start, at), _Word(v, at + 1, word.end), _Word("=", at, at + 1)]
    return out


def _health(rest: str) -> tuple[list[_Word], bool]:
    """HEALTHCHECK: the type word, then the command as exec form or one shell string."""
    sep = 0
    while sep < len(rest) and not is_go_space(rest[sep]):
        sep += 1
    if sep == 0:
        return [], False
    nxt = sep
    while nxt < len(rest) and is_go_space(rest[nxt]):
        nxt += 1
    typ, cmd_text = _Word(rest[:sep], 0, sep), rest[nxt:]
    if not cmd_text:
        return [typ], False
    parsed = _json_words(cmd_text, nxt)
    if parsed is not None:
        return [typ, *parsed], True
    return [typ, _Word(cmd_text, nxt, len(rest))], False


def _as_go_bytes(text: str) -> str:
    """UTF-8 bytes as one character each: BuildKit scans flags byte by byte."""
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


def _from_go_bytes(text: str) -> str:
    return text.encode("latin-1").decode("utf-8", "surrogateescape")


def _extract_flags(line: str, escape: str) -> tuple[list[_Word], int]:
    """Leading ``--flag`` words (unquoted), and the offset where the arguments start.

    Go indexes the line by byte here and turns each byte into a rune, so a non-ASCII
    flag value comes out re-encoded as Latin-1 (``é`` → ``Ã©``), exactly as BuildKit has it.
    """
    if line.isascii():
        return _scan_words(line, escape, flags=True)
    raw = _as_go_bytes(line)
    words, end = _scan_words(raw, escape, flags=True)

    def char(offset: int) -> int:  # a byte offset back to a character offset
        return min(len(line), len(_from_go_bytes(raw[:offset])))

    return (
        [_Word(w.text, char(w.start), char(w.end), char(w.eq) if w.eq >= 0 else -1) for w in words],
        len(line) - len(_from_go_bytes(raw[end:])),
    )


# --- the parser --------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, file: str) -> None:
        self.file = file
        self.lines = _split_lines(text)
        self.d = _Directives()
        self.warnings: list[ParseWarning] = []

    def error(self, message: str, line: int, column: int = 1, hint: str | None = None) -> None:
        raise ParseError(message, file=self.file, pos=Position(line, column), hint=hint)

    def _process(self, raw: str, strip: bool) -> tuple[str, bool, int]:
        """A physical line without newline (and left space); the directive flag; indent."""
        token = _trim_newline(raw)
        indent = 0
        if strip:
            stripped = token.lstrip(GO_SPACE)
            indent = len(token) - len(stripped)
            token = stripped
        is_directive = self.d.feed(token, self.file)
        if _is_comment(token):
            token = ""
        return token, is_directive, indent

    def run(self) -> ParseResult:
        nodes: list[Node] = []
        comments: list[str] = []
        lines = self.lines
        i, total = 0, len(lines)
        while i < total:
            raw = lines[i]
            bom = 0
            if i == 0 and raw.startswith("\ufeff"):
                raw, bom = raw[1:], 1
            self._check_length(raw, i + 1)
            if _is_comment(raw):
                comment = go_trim(raw[1:])
                if comment == "":
                    comments = []
                else:
                    comments.append(comment)
            token, is_directive, indent = self._process(raw, True)
            if is_directive and comments:
                comments.pop()
            i += 1
            start_line = i
            token, eol = self.d.trim_continuation(token)
            if eol and token == "":
                continue
            parts = [token]
            segments = [(0, start_line, 1 + indent + bom)]
            offset = len(token)
            empty_continuation = False
            while not eol and i < total:
                raw = lines[i]
                self._check_length(raw, i + 1)
                token, _, _ = self._process(raw, False)
                i += 1
                if _is_comment(raw):
                    continue
                if _trim_newline(token).lstrip(GO_SPACE) == "":
                    empty_continuation = True
                    continue
                token, eol = self.d.trim_continuation(token)
                segments.append((offset, i, 1))
                parts.append(token)
                offset += len(token)
            line = "".join(parts)
            end = Position(i, len(_trim_newline(lines[i - 1])) + 1)
            if empty_continuation:
                self.warnings.append(
                    ParseWarning(
                        NO_EMPTY_CONTINUATION, "Empty continuation line found in: " + line, i
                    )
                )
            seg = tuple(segments)
            node = self._node(line, 0, seg, tuple(comments), end)
            if self._can_contain_heredoc(node) and "<<" in line:
                node, i = self._read_heredocs(node, line, i, start_line)
            nodes.append(node)
            comments = []
        if not nodes:
            self.error(
                "file with no instructions",
                max(total, 1),
                hint="a Dockerfile needs at least a FROM instruction",
            )
        return ParseResult(
            nodes=tuple(nodes),
            directives=tuple(self.d.found),
            escape=self.d.escape,
            warnings=tuple(self.warnings),
            file=self.file,
            source="".join(self.lines),
        )

    def _check_length(self, raw: str, line: int) -> None:
        if len(raw) * 4 >= MAX_LINE_BYTES and len(raw.encode("utf-8", "surrogateescape")) > (
            MAX_LINE_BYTES
        ):
            self.error(
                f"dockerfile line greater than max allowed size of {MAX_LINE_BYTES - 1}", line
            )

    def _node(
        self,
        line: str,
        base: int,
        segments: tuple[tuple[int, int, int], ...],
        comments: tuple[str, ...],
        end: Position,
    ) -> Node:
        """newNodeFromLine: ``line`` sits at offset ``base`` of the logical line."""
        lead = base + len(line) - len(line.lstrip(GO_SPACE))  # where the keyword starts
        body = go_trim(line)
        m = _RE_WHITESPACE.search(body)
        keyword, rest_off = body, len(body)
        flags: list[_Word] = []
        if m is not None:
            keyword = body[: m.start()]
            flags, flag_end = _extract_flags(body[m.end() :], self.d.escape)
            flags = [_shifted(w, lead + m.end()) for w in flags]
            rest_off = m.end() + flag_end
        rest = body[rest_off:]
        rest_base = lead + rest_off + len(rest) - len(rest.lstrip(GO_SPACE))
        rest = go_trim(rest)

        cmd = keyword.lower()
        how = _DISPATCH.get(cmd)
        child: Node | None = None
        is_json = False
        args: list[_Word] = []
        try:
            if how is None:
                args = [_Word("", 0, 0)]  # BuildKit keeps an empty argument for these
            elif how == _SUB:
                if rest:
                    child = self._node(rest, rest_base, segments, (), end)
            elif how == _WHITESPACE_LIST:
                args = _fields(rest)
            elif how in (_STRING, _MAYBE_JSON, _MAYBE_JSON_LIST):
                parsed = _json_words(rest) if how != _STRING and rest else None
                if parsed is not None:
                    args, is_json = parsed, True
                elif how == _MAYBE_JSON_LIST:
                    args = _fields(rest)
                else:
                    args = [_Word(rest, 0, len(rest))] if rest else []
            elif how == _NAME_VAL:
                args = _name_val(rest, "LABEL" if cmd == "label" else "ENV", self.d.escape)
            elif how == _NAME_OR_NAME_VAL:
                args, _ = _scan_words(rest, self.d.escape)
            elif how == _HEALTH:
                args, is_json = _health(rest)
        except ValueError as exc:
            span = _span(segments, lead, lead + len(keyword))
            raise ParseError(str(exc), file=self.file, span=span) from None
        offsets = [lead - base, lead + len(keyword) - base, len(flags)]
        for w in flags:
            offsets += (w.start - base, w.end - base, w.eq - base if w.eq >= 0 else -1)
        for w in args:
            offsets += (w.start + rest_base - base, w.end + rest_base - base)
        return Node(
            keyword=keyword,
            flags=tuple(w.text for w in flags),
            args=tuple(w.text for w in args),
            original=line,
            span=Span(_position(segments, lead), end),
            json=is_json,
            child=child,
            comments=comments,
            segments=_rebase(segments, base),
            unknown=how is None,
            offsets=tuple(offsets),
        )

    @staticmethod
    def _can_contain_heredoc(node: Node) -> bool:
        if node.cmd == "onbuild" and node.child is not None:
            node = node.child
        return node.cmd in _HEREDOC_COMMANDS and not node.json

    def _read_heredocs(self, node: Node, line: str, i: int, start_line: int) -> tuple[Node, int]:
        try:
            found = heredocs_in_line(line)
        except ExpansionError as exc:
            # The delimiter's own position is inside the word: the instruction's is shown.
            raise exc.located(self.file, node.keyword_span, replace=True) from None
        if not found:
            return node, i
        docs: list[Heredoc] = []
        for doc in found:
            body_start = i + 1
            content: list[str] = []
            terminated = False
            while i < len(self.lines):
                raw = self.lines[i]
                i += 1
                candidate = _trim_newline(raw)
                if doc.chomp:
                    candidate = candidate.lstrip("\t")
                if candidate == doc.name:
                    terminated = True
                    break
                content.append(raw)
            if not terminated:
                self.error(
                    "unterminated heredoc",
                    start_line,
                    node.span.start.column,
                    hint=f"end the here-document with a line holding only {doc.name}",
                )
            docs.append(
                Heredoc(
                    name=doc.name,
                    content="".join(content),
                    expand=doc.expand,
                    chomp=doc.chomp,
                    fd=doc.fd,
                    span=Span(Position(body_start, 1), Position(i, len(doc.name) + 1)),
                )
            )
        end = Position(i, len(_trim_newline(self.lines[i - 1])) + 1)
        child = node.child
        if child is not None:
            child = replace(child, heredocs=tuple(docs), span=Span(child.span.start, end))
        return replace(node, heredocs=tuple(docs), span=Span(node.span.start, end), child=child), i


def _rebase(
    segments: tuple[tuple[int, int, int], ...], base: int
) -> tuple[tuple[int, int, int], ...]:
    """Segments relative to a sub-line that starts at ``base`` of the logical line."""
    if base == 0:
        return segments
    out: list[tuple[int, int, int]] = []
    for off, line, col in segments:
        if off <= base:
            out = [(0, line, col + (base - off))]
        else:
            out.append((off - base, line, col))
    return tuple(out)


_HEREDOC_LINE_LEXER = Lexer(escape="\\", raw_quotes=True, raw_escapes=True, skip_unset_env=True)
_HEREDOC_NAME_LEXER = Lexer(escape="\\", skip_unset_env=True)
_HEREDOC_RAW_LEXER = Lexer(escape="\\", raw_quotes=True, skip_unset_env=True)


def parse_heredoc_word(word: str) -> Heredoc | None:
    """The heredoc a single word such as ``<<-"EOF"`` opens, or None (ParseHeredoc)."""
    m = _RE_HEREDOC.match(word)
    if m is None or m.group(3) == "":
        return None
    rest = m.group(3)
    words = _HEREDOC_NAME_LEXER.process_words(rest, {}).words
    if len(words) != 1:
        return None
    raw = _HEREDOC_RAW_LEXER.process_words(rest, {}).words
    name = words[0]
    quotes = name.count("'") + name.count('"')
    raw_quotes = raw[0].count("'") + raw[0].count('"') if raw else quotes
    return Heredoc(
        name=name,
        content="",
        expand=quotes == raw_quotes,
        chomp=m.group(2) == "-",
        fd=int(m.group(1)) if m.group(1) else 0,
    )


def heredocs_in_line(line: str) -> list[Heredoc]:
    """Every heredoc opened on an instruction line, in order."""
    try:
        words = _HEREDOC_LINE_LEXER.process_words(line, {}).words
    except ExpansionError:
        return []  # BuildKit ignores a line its lexer cannot split: no heredocs then
    return [doc for word in words if (doc := parse_heredoc_word(word)) is not None]


def parse(source: str | bytes, file: str = "Dockerfile") -> ParseResult:
    """Parse Dockerfile text. Raises :class:`~emu.errors.ParseError` on bad input (an
    :class:`~emu.errors.ExpansionError` for a heredoc delimiter that cannot be expanded)."""
    if isinstance(source, bytes):
        source = source.decode("utf-8", "surrogateescape")
    return _Parser(source, file).run()


def iter_nodes(result: ParseResult) -> Iterator[Node]:
    """Every node including ONBUILD's wrapped ones, in source order."""
    for node in result.nodes:
        yield node
        if node.child is not None:
            yield node.child
