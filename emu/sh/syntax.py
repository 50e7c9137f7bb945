"""The shell's lexer and parser: script text to a typed AST, scanned exactly once.

The language is what busybox ash (and dash) accept: POSIX sh plus ash's ``${v/p/r}``,
``${v:off:len}`` and ``&>``. Like mvdan/sh's ``syntax`` package, every node is an immutable
value carrying its :class:`~emu.pos.Position`, and words keep their structure (literal,
quoted, parameter, command substitution, arithmetic) so later stages never look at the
text again. Two places do read text twice, because the language defines them that way:
a backquoted command is un-escaped and then parsed (once, here), and the body of a
here-document is parsed when the line that introduced it ends.

Parsing a script yields its *complete commands* — the lists that end at a top-level
newline — because ash reads and runs one at a time: ``echo a`` on line 1 runs before a
syntax error on line 2 is noticed. :func:`parse_partial` returns what parsed plus the
error; :func:`parse` raises it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Final

from emu.pos import Position
from emu.sh.api import ShellError

# --- the AST: word parts ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lit:
    """Literal text. Unquoted (globs and tildes active) unless inside a :class:`DblQuoted`."""

    pos: Position
    value: str


@dataclass(frozen=True, slots=True)
class SglQuoted:
    """Text no expansion touches: ``'...'``, or a backslash-escaped character."""

    pos: Position
    value: str


@dataclass(frozen=True, slots=True)
class DblQuoted:
    pos: Position
    parts: tuple[WordPart, ...]


@dataclass(frozen=True, slots=True)
class ParamExp:
    """``$x``, ``${x}``, ``${#x}`` and ``${x<op><arg>}``.

    ``op`` is one of ``""``, ``"-" ":-" "=" ":=" "?" ":?" "+" ":+"`` (``arg`` the word),
    ``"#" "##" "%" "%%"`` (``arg`` the pattern), ``"/" "//" "/#" "/%"`` (``arg`` the
    pattern, ``arg2`` the replacement or None), ``":"`` (``arg`` the offset, ``arg2`` the
    length or None). ``length`` is ``${#x}``.
    """

    pos: Position
    name: str
    op: str = ""
    arg: Word | None = None
    arg2: Word | None = None
    length: bool = False


@dataclass(frozen=True, slots=True)
class CmdSubst:
    """``$(...)`` or a backquoted command; the body is parsed once, here."""

    pos: Position
    body: tuple[Command, ...]
    backquote: bool = False


@dataclass(frozen=True, slots=True)
class ArithExp:
    """``$((...))``: the expression's text is expanded, then evaluated as arithmetic."""

    pos: Position
    expr: Word


WordPart = Lit | SglQuoted | DblQuoted | ParamExp | CmdSubst | ArithExp


@dataclass(frozen=True, slots=True)
class Word:
    """One shell word. ``lit`` is its value when expansion cannot change it (the common
    case: no ``$``, no glob character, no leading ``~``), so running it costs nothing."""

    pos: Position
    parts: tuple[WordPart, ...]
    lit: str | None = None


# --- the AST: commands -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assign:
    pos: Position
    name: str
    value: Word


@dataclass(frozen=True, slots=True)
class HereDoc:
    """A here-document's body; unquoted delimiters make it expandable.

    ``body`` is read when the line holding ``<<`` ends, after the redirection node exists,
    so the parser fills it in once (the only write to a node after construction)."""

    pos: Position
    delimiter: str
    quoted: bool
    strip_tabs: bool
    body: Word | None = None


@dataclass(frozen=True, slots=True)
class Redirect:
    """``[fd]op target``. ``op`` is one of ``< > >> >| <> <& >& &> << <<-``."""

    pos: Position
    fd: int
    op: str
    target: Word
    heredoc: HereDoc | None = None


@dataclass(frozen=True, slots=True)
class Simple:
    pos: Position
    assigns: tuple[Assign, ...]
    args: tuple[Word, ...]
    redirs: tuple[Redirect, ...]


@dataclass(frozen=True, slots=True)
class Pipeline:
    pos: Position
    cmds: tuple[Command, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class AndOr:
    pos: Position
    op: str  # "&&" or "||"
    left: Command
    right: Command


@dataclass(frozen=True, slots=True)
class Background:
    """``cmd &``."""

    pos: Position
    cmd: Command


@dataclass(frozen=True, slots=True)
class Subshell:
    pos: Position
    body: tuple[Command, ...]


@dataclass(frozen=True, slots=True)
class Group:
    pos: Position
    body: tuple[Command, ...]


@dataclass(frozen=True, slots=True)
class If:
    """``if cond; then body; [else orelse;] fi`` (an ``elif`` is an If inside ``orelse``)."""

    pos: Position
    cond: tuple[Command, ...]
    body: tuple[Command, ...]
    orelse: tuple[Command, ...] | None = None


@dataclass(frozen=True, slots=True)
class While:
    pos: Position
    cond: tuple[Command, ...]
    body: tuple[Command, ...]
    until: bool = False


@dataclass(frozen=True, slots=True)
class For:
    """``for name [in items]; do body; done`` (``items`` None: over ``"$@"``)."""

    pos: Position
    name: str
    items: tuple[Word, ...] | None
    body: tuple[Command, ...]


@dataclass(frozen=True, slots=True)
class CaseItem:
    pos: Position
    patterns: tuple[Word, ...]
    body: tuple[Command, ...]


@dataclass(frozen=True, slots=True)
class Case:
    pos: Position
    word: Word
    items: tuple[CaseItem, ...]


@dataclass(frozen=True, slots=True)
class FuncDef:
    pos: Position
    name: str
    body: Command


@dataclass(frozen=True, slots=True)
class Redirected:
    """A compound command with redirections: ``{ ...; } >file``, ``while ...; done <in``."""

    pos: Position
    cmd: Command
    redirs: tuple[Redirect, ...]


Command = (
    Simple
    | Pipeline
    | AndOr
    | Background
    | Subshell
    | Group
    | If
    | While
    | For
    | Case
    | FuncDef
    | Redirected
)


@dataclass(frozen=True, slots=True)
class Script:
    """A parsed script: its complete commands, in order."""

    body: tuple[Command, ...]


# --- quoting -----------------------------------------------------------------------------


def quote(s: str) -> str:
    """``s`` as one single-quoted shell word (runs of ``'`` go in double quotes), the way
    busybox ash's ``single_quote()`` writes it: ``it's`` → ``'it'"'"'s'``."""
    out: list[str] = []
    i, n = 0, len(s)
    while True:
        j = s.find("'", i)
        if j < 0:
            j = n
        out.append("'" + s[i:j] + "'")
        i = j
        if i >= n:
            break
        k = i
        while k < n and s[k] == "'":
            k += 1
        out.append('"' + s[i:k] + '"')
        i = k
        if i >= n:
            break
    return "".join(out)


_SAFE = re.compile(r"[+,\-./0-9:@A-Z\]^_a-z]*")


def maybe_quote(s: str) -> str:
    """``s`` unchanged when it needs no quoting (ash's ``maybe_single_quote``, used by
    ``set -x`` and ``set``/``export -p`` listings), else :func:`quote`."""
    return s if _SAFE.fullmatch(s) else quote(s)


# --- the parser --------------------------------------------------------------------------

MAX_NESTING: Final = 500  # compound commands and expansions inside one another
_META: Final = frozenset(" \t\n;&|<>()")
_RESERVED: Final = frozenset(
    ["if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until",
     "for", "{", "}", "!"]
)  # fmt: skip
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# ash refuses to define a function named like a special builtin, or local (its parser
# looks the name up before the body): "syntax error: bad function name". (bash does not.)
_NO_FUNCTION_NAMES = frozenset(
    [":", ".", "source", "break", "continue", "eval", "exec", "exit", "export", "local",
     "readonly", "return", "set", "shift", "times", "trap", "unset"]
)  # fmt: skip
_ASSIGN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")
_DIGITS = re.compile(r"[0-9]+")
_BLANKS = re.compile(r"(?:[ \t]+|\\\n)+")
_PLAIN = re.compile(r"[^ \t\n;&|<>()\\'\"$`]+")
_DQ_PLAIN = re.compile(r"[^\"\\$`]+")
_HD_PLAIN = re.compile(r"[^\\$`]+")
_RESERVED_AT = re.compile(
    r"(if|then|else|elif|fi|do|done|case|esac|while|until|for|\{|\}|!|in)(?=[ \t\n;&|<>()]|$)"
)
_OPS = (
    "<<-", "&&", "||", ";;", "<<", ">>", "<&", ">&", "<>", ">|", "&>",
    ";", "&", "|", "(", ")", "<", ">", "\n",
)  # fmt: skip
_REDIR_OPS: Final = frozenset(["<<-", "<<", ">>", "<&", ">&", "<>", ">|", "&>", "<", ">"])
_SPECIAL_PARAMS: Final = frozenset("@*#?$!-0")
# Reserved words that end a compound list.
_CLOSERS: Final = frozenset(["then", "else", "elif", "fi", "do", "done", "esac", "}"])
_GLOB_CHARS = re.compile(r"[*?\[]")


def _has_glob(s: str) -> bool:
    return _GLOB_CHARS.search(s) is not None


def make_word(pos: Position, parts: list[WordPart] | tuple[WordPart, ...]) -> Word:
    """A :class:`Word`, with ``lit`` precomputed when nothing can change its value."""
    value: list[str] = []
    for k, p in enumerate(parts):
        if isinstance(p, SglQuoted):
            value.append(p.value)
        elif isinstance(p, Lit):
            if _has_glob(p.value) or (k == 0 and p.value.startswith("~")):
                return Word(pos, tuple(parts))
            value.append(p.value)
        elif isinstance(p, DblQuoted) and all(isinstance(q, Lit) for q in p.parts):
            value.extend(q.value for q in p.parts if isinstance(q, Lit))
        else:
            return Word(pos, tuple(parts))
    return Word(pos, tuple(parts), "".join(value))


def word_is_literal(w: Word) -> str | None:
    """The text of a word made of unquoted literal characters only (reserved words,
    assignments, function names and io numbers must be written that way)."""
    if len(w.parts) == 1 and isinstance(w.parts[0], Lit):
        return w.parts[0].value
    return None


def _describe(op: str) -> str:
    if op == "\n":
        return "newline"
    if op in _REDIR_OPS:
        return "redirection"
    return f'"{op}"'


class _Parser:
    """Recursive descent over the text; ``i`` only moves forward."""

    def __init__(self, src: str, line: int = 1, column: int = 1) -> None:
        self.src = src
        self.n = len(src)
        self.i = 0
        self.base_line = line
        self.base_col = column
        self._starts = [0] + [m.end() for m in re.finditer("\n", src)]
        self.pending: list[HereDoc] = []
        self.depth = 0  # nesting of commands and expansions

    # --- positions and errors --------------------------------------------------------

    def pos(self, offset: int | None = None) -> Position:
        off = self.i if offset is None else offset
        k = bisect_right(self._starts, off) - 1
        col = off - self._starts[k] + 1
        if k == 0:
            return Position(self.base_line, self.base_col + col - 1)
        return Position(self.base_line + k, col)

    def error(self, message: str, offset: int | None = None) -> ShellError:
        return ShellError(f"syntax error: {message}", pos=self.pos(offset))

    def unexpected(self, expecting: str | None = None, quoted: bool = True) -> ShellError:
        """``unexpected <what is here>``, worded as ash words it."""
        self.blank()
        at = self.i
        if at >= self.n:
            what = "end of file"
        else:
            op = self.peek_op()
            if op is not None:
                what = _describe(op)
            else:
                m = _RESERVED_AT.match(self.src, at)
                what = f'"{m.group(1)}"' if m and m.group(1) != "in" else "word"
        if expecting:
            what += f' (expecting "{expecting}")' if quoted else f" (expecting {expecting})"
        return self.error(f"unexpected {what}", at)

    # --- tokens ----------------------------------------------------------------------

    def blank(self) -> None:
        """Skip blanks, line continuations and a comment (up to, not over, the newline)."""
        src, n = self.src, self.n
        while self.i < n:
            m = _BLANKS.match(src, self.i)
            if m:
                self.i = m.end()
                continue
            if src[self.i] == "#":
                j = src.find("\n", self.i)
                self.i = n if j < 0 else j
            break

    def peek_op(self) -> str | None:
        if self.i >= self.n or self.src[self.i] not in _META or self.src[self.i] in " \t":
            return None
        for op in _OPS:
            if self.src.startswith(op, self.i):
                return op
        return None  # pragma: no cover - every metacharacter starts an operator

    def peek_reserved(self) -> str | None:
        m = _RESERVED_AT.match(self.src, self.i)
        return m.group(1) if m else None

    def newline(self) -> None:
        """Consume a newline token; pending here-documents start on the next line."""
        self.i += 1
        if self.pending:
            self.read_heredocs()

    def linebreak(self) -> None:
        """Skip blanks, comments and newlines."""
        while True:
            self.blank()
            if self.i < self.n and self.src[self.i] == "\n":
                self.newline()
            else:
                return

    def expect_reserved(self, word: str) -> int:
        self.linebreak()
        if self.peek_reserved() != word:
            raise self.unexpected(word)
        at = self.i
        self.i += len(word)
        return at

    # --- programs and lists ----------------------------------------------------------

    def program(self) -> tuple[list[Command], ShellError | None]:
        """Complete commands until the end; stops at the first error, keeping the rest."""
        out: list[Command] = []
        try:
            while True:
                self.linebreak()
                if self.i >= self.n:
                    break
                out.extend(self.complete_command())
        except ShellError as err:
            return out, err
        except RecursionError:
            return out, self.error("nesting too deep")
        if self.pending:
            self.read_heredocs()
        return out, None

    def complete_command(self) -> list[Command]:
        """One line's list: and-or lists separated by ``;`` or ``&``, up to a newline."""
        out: list[Command] = []
        while True:
            start = self.i
            cmd = self.and_or()
            self.blank()
            op = self.peek_op()
            if op == "&":
                self.i += 1
                cmd = Background(self.pos(start), cmd)
            elif op == ";":
                self.i += 1
            elif op == "\n" or (op is None and self.i >= self.n):
                out.append(cmd)
                return out
            else:
                raise self.unexpected()
            out.append(cmd)
            self.blank()
            if self.i >= self.n:
                return out
            if self.src[self.i] == "\n":
                return out

    def body(self, terminators: frozenset[str], *, empty_ok: bool = False) -> list[Command]:
        """A compound list. Like ash's ``list()``, it ends at the end of the text or, after
        a separator, at any word or operator that closes a list (the caller then checks it
        is the one it expects); an empty list is an error unless ``empty_ok``."""
        out: list[Command] = []
        closers = _CLOSERS if not empty_ok else _CLOSERS | terminators
        while True:
            self.linebreak()
            if self.i >= self.n:
                break
            if out or empty_ok:
                kw = self.peek_reserved()
                if kw is not None and kw in closers:
                    break
                if self.peek_op() in (")", ";;"):
                    break
            start = self.i
            cmd = self.and_or()
            self.blank()
            op = self.peek_op()
            if op == "&":
                self.i += 1
                cmd = Background(self.pos(start), cmd)
            elif op == ";":
                self.i += 1
            elif op == "\n":
                self.newline()
            out.append(cmd)
            if op not in ("&", ";", "\n"):
                break
        return out

    def and_or(self) -> Command:
        start = self.i
        left = self.pipeline()
        while True:
            self.blank()
            op = self.peek_op()
            if op not in ("&&", "||"):
                return left
            self.i += 2
            self.linebreak()
            right = self.pipeline()
            left = AndOr(self.pos(start), op, left, right)

    def pipeline(self) -> Command:
        self.blank()
        start = self.i
        negated = False
        while self.peek_reserved() == "!":
            self.i += 1
            negated = not negated
            self.blank()
        cmds = [self.command()]
        while True:
            self.blank()
            if self.peek_op() != "|":
                break
            self.i += 1
            self.linebreak()
            cmds.append(self.command())
        if len(cmds) == 1 and not negated:
            return cmds[0]
        return Pipeline(self.pos(start), tuple(cmds), negated)

    # --- commands --------------------------------------------------------------------

    def command(self) -> Command:
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise self.error("nesting too deep")
            return self._command()
        finally:
            self.depth -= 1

    def _command(self) -> Command:
        self.blank()
        start = self.i
        if start >= self.n:
            raise self.unexpected()
        op = self.peek_op()
        cmd: Command
        if op == "(":
            self.i += 1
            body = self.body(frozenset())
            self.linebreak()
            if self.peek_op() != ")":
                raise self.unexpected(")")
            self.i += 1
            cmd = Subshell(self.pos(start), tuple(body))
        elif op is not None and op not in _REDIR_OPS:
            raise self.unexpected()
        elif op is not None:
            return self.simple()
        else:
            kw = self.peek_reserved()
            if kw is None or kw == "in":
                return self.simple()
            if kw == "if":
                cmd = self.if_clause()
            elif kw in ("while", "until"):
                cmd = self.while_clause(kw)
            elif kw == "for":
                cmd = self.for_clause()
            elif kw == "case":
                cmd = self.case_clause()
            elif kw == "{":
                self.i += 1
                body = self.body(frozenset(["}"]))
                self.expect_reserved("}")
                cmd = Group(self.pos(start), tuple(body))
            else:
                raise self.unexpected()
        redirs = self.trailing_redirects()
        if redirs:
            return Redirected(self.pos(start), cmd, tuple(redirs))
        return cmd

    def trailing_redirects(self) -> list[Redirect]:
        out: list[Redirect] = []
        while True:
            self.blank()
            r = self.maybe_redirect()
            if r is None:
                return out
            out.append(r)

    def maybe_redirect(self) -> Redirect | None:
        """A redirection here (with an optional io number), or None."""
        m = _DIGITS.match(self.src, self.i)
        at = self.i
        if m and m.end() < self.n and self.src[m.end()] in "<>":
            fd: int | None = int(m.group())
            self.i = m.end()
        else:
            fd = None
        op = self.peek_op()
        if op is None or op not in _REDIR_OPS:
            self.i = at
            return None
        return self.redirect(at, fd, op)

    def redirect(self, at: int, fd: int | None, op: str) -> Redirect:
        self.i += len(op)
        self.blank()
        if self.i < self.n and self.src[self.i] == "<" and op == "<<":
            raise self.error("unexpected redirection")  # ash has no here-strings
        wstart = self.i
        target = self.word()
        if target is None:
            raise self.unexpected()
        if fd is None:
            fd = 0 if op[0] == "<" else 1
        pos = self.pos(at)
        if op in ("<<", "<<-"):
            delim, quoted = _heredoc_delimiter(self.src[wstart : self.i])
            doc = HereDoc(pos, delim, quoted, op == "<<-")
            self.pending.append(doc)
            return Redirect(pos, fd, op, target, doc)
        return Redirect(pos, fd, op, target)

    def simple(self) -> Command:
        start = self.i
        assigns: list[Assign] = []
        args: list[Word] = []
        redirs: list[Redirect] = []
        src, n = self.src, self.n
        in_test = False  # inside ash's [[ ... ]]: "&&" and "||" are words
        while True:
            self.blank()
            if self.i >= n:
                break
            c = src[self.i]
            if in_test and src.startswith(("&&", "||"), self.i):
                args.append(make_word(self.pos(), [Lit(self.pos(), src[self.i : self.i + 2])]))
                self.i += 2
                continue
            if c in "<>" or (c == "&" and src.startswith("&>", self.i)):
                op = self.peek_op()
                assert op is not None
                redirs.append(self.redirect(self.i, None, op))
                continue
            if c in _META:
                if c == "(" and len(args) == 1 and not assigns and not redirs:
                    name = word_is_literal(args[0])
                    if name is not None:
                        return self.funcdef(start, name)
                if c == "(" or (c == ")" and not (args or assigns or redirs)):
                    raise self.unexpected()
                break
            wstart = self.i
            m = _DIGITS.match(src, wstart)
            if m and m.end() < n and src[m.end()] in "<>":
                self.i = m.end()
                op = self.peek_op()
                assert op is not None
                redirs.append(self.redirect(wstart, int(m.group()), op))
                continue
            w = self.word()
            if w is None:  # pragma: no cover - a non-metacharacter always starts a word
                raise self.unexpected()
            if not args:
                a = _as_assign(w)
                if a is not None:
                    assigns.append(a)
                    continue
                lit = word_is_literal(w)
                if lit == "[[":
                    in_test = True
                elif lit == "function" and not assigns and not redirs:
                    return self.function_keyword(start)
            elif in_test and word_is_literal(w) == "]]":
                in_test = False
            args.append(w)
        if not (assigns or args or redirs):
            raise self.unexpected()
        return Simple(self.pos(start), tuple(assigns), tuple(args), tuple(redirs))

    def function_keyword(self, start: int) -> Command:
        """ash's ``function name [()] body``."""
        self.blank()
        m = _NAME.match(self.src, self.i)
        if not m or (m.end() < self.n and self.src[m.end()] not in _META):
            if self.i < self.n and self.peek_op() is None:
                raise self.error("bad function name")
            raise self.unexpected("word", quoted=False)
        self.i = m.end()
        self.blank()
        if self.peek_op() == "(":
            self.i += 1
            self.blank()
            if self.peek_op() != ")":
                raise self.unexpected(")")
            self.i += 1
        self.linebreak()
        return FuncDef(self.pos(start), m.group(), self.command())

    def funcdef(self, start: int, name: str) -> Command:
        self.i += 1  # "("
        self.blank()
        if self.peek_op() != ")":
            raise self.unexpected(")")
        self.i += 1
        if not _NAME.fullmatch(name) or name in _NO_FUNCTION_NAMES:
            raise self.error("bad function name")
        self.linebreak()
        body = self.command()
        return FuncDef(self.pos(start), name, body)

    def if_clause(self) -> Command:
        start = self.i
        self.i += 2  # "if" or "elif" (the caller skipped "el")
        cond = self.body(frozenset(["then"]))
        self.expect_reserved("then")
        then = self.body(frozenset(["elif", "else", "fi"]))
        self.linebreak()
        kw = self.peek_reserved()
        orelse: list[Command] | None = None
        if kw == "elif":
            self.i += 2
            orelse = [self.if_clause()]
            return If(self.pos(start), tuple(cond), tuple(then), tuple(orelse))
        if kw == "else":
            self.i += 4
            orelse = self.body(frozenset(["fi"]))
        self.expect_reserved("fi")
        return If(
            self.pos(start), tuple(cond), tuple(then), None if orelse is None else tuple(orelse)
        )

    def while_clause(self, kw: str) -> Command:
        start = self.i
        self.i += len(kw)
        cond = self.body(frozenset(["do"]))
        self.expect_reserved("do")
        body = self.body(frozenset(["done"]))
        self.expect_reserved("done")
        return While(self.pos(start), tuple(cond), tuple(body), kw == "until")

    def for_clause(self) -> Command:
        start = self.i
        self.i += 3
        self.blank()
        m = _NAME.match(self.src, self.i)
        if not m or (m.end() < self.n and self.src[m.end()] not in _META):
            raise self.error("bad for loop variable")
        name = m.group()
        self.i = m.end()
        self.linebreak()
        items: list[Word] | None = None
        if self.peek_reserved() == "in":
            self.i += 2
            items = []
            while True:
                self.blank()
                if self.i >= self.n:
                    break
                op = self.peek_op()
                if op in (";", "\n"):
                    self.i += 1 if op == ";" else 0
                    break
                if op is not None:
                    raise self.unexpected()
                w = self.word()
                assert w is not None
                items.append(w)
        else:
            self.blank()
            if self.peek_op() == ";":
                self.i += 1
        self.expect_reserved("do")
        body = self.body(frozenset(["done"]))
        self.expect_reserved("done")
        return For(self.pos(start), name, None if items is None else tuple(items), tuple(body))

    def case_clause(self) -> Command:
        start = self.i
        self.i += 4
        self.blank()
        word = self.word()
        if word is None:
            raise self.unexpected()
        self.linebreak()
        if self.peek_reserved() != "in":
            raise self.unexpected("in")
        self.i += 2
        items: list[CaseItem] = []
        while True:
            self.linebreak()
            if self.peek_reserved() == "esac":
                self.i += 4
                break
            istart = self.i
            if self.peek_op() == "(":
                self.i += 1
            patterns: list[Word] = []
            while True:
                self.blank()
                w = self.word()
                if w is None:
                    raise self.unexpected(")")
                patterns.append(w)
                self.blank()
                op = self.peek_op()
                if op == "|":
                    self.i += 1
                    continue
                if op == ")":
                    self.i += 1
                    break
                raise self.unexpected(")")
            body = self.body(frozenset(["esac"]), empty_ok=True)
            items.append(CaseItem(self.pos(istart), tuple(patterns), tuple(body)))
            self.linebreak()
            if self.peek_op() == ";;":
                self.i += 2
                continue
            if self.peek_reserved() == "esac":
                self.i += 4
                break
            raise self.unexpected(";;")
        return Case(self.pos(start), word, tuple(items))

    # --- here-documents --------------------------------------------------------------

    def read_heredocs(self) -> None:
        docs, self.pending = self.pending, []
        for doc in docs:
            start = self.i
            lines: list[str] = []
            src = self.src
            while self.i < self.n:
                j = src.find("\n", self.i)
                end = self.n if j < 0 else j
                line = src[self.i : end]
                self.i = end + 1 if j >= 0 else self.n
                if doc.strip_tabs:
                    line = line.lstrip("\t")
                if line == doc.delimiter:
                    break
                # An unterminated body ends with the text, without a newline added.
                lines.append(line + "\n" if j >= 0 else line)
            text = "".join(lines)
            pos = self.pos(start)
            if doc.quoted:
                body = Word(pos, (SglQuoted(pos, text),), text)
            else:
                sub = _Parser(text, pos.line, pos.column)
                parts = sub.parts("heredoc")
                body = make_word(pos, parts)
            # The body follows the redirection in the text; this is its one assignment.
            object.__setattr__(doc, "body", body)

    # --- words -----------------------------------------------------------------------

    def word(self) -> Word | None:
        """An unquoted-context word at ``i`` (None if a metacharacter or the end is here)."""
        start = self.i
        parts = self.parts("word")
        if not parts and self.i == start:
            return None
        return make_word(self.pos(start), parts)

    def parts(self, mode: str, stop: str = "") -> list[WordPart]:
        """Word parts until the end of the mode's context.

        ``mode``: ``word`` (stops at metacharacters), ``dq`` (inside ``"..."``, stops at
        the closing quote, which it consumes), ``heredoc`` (to the end of the text),
        ``arg`` / ``argdq`` (a ``${...}`` argument, unquoted / inside double quotes: stops
        at ``}`` or a character of ``stop``), ``arith`` (``$((...))``, stops at ``))``).
        """
        src, n = self.src, self.n
        out: list[WordPart] = []
        lit: list[str] = []
        lit_at = self.i
        depth = 0
        dq = mode in ("dq", "argdq", "heredoc")
        plain = _PLAIN if mode == "word" else _DQ_PLAIN if mode == "dq" else None

        def flush() -> None:
            if lit:
                out.append(Lit(self.pos(lit_at), "".join(lit)))
                lit.clear()

        while True:
            if self.i >= n:
                if mode == "dq":
                    raise self.error("unterminated quoted string")
                if mode in ("arg", "argdq"):
                    raise self.error("missing '}'")
                if mode == "arith":
                    raise self.error("missing '))'")
                break
            if plain is not None:
                m = plain.match(src, self.i)
                if m:
                    if not lit:
                        lit_at = self.i
                    lit.append(m.group())
                    self.i = m.end()
                    continue
            elif mode == "heredoc":
                m = _HD_PLAIN.match(src, self.i)
                if m:
                    if not lit:
                        lit_at = self.i
                    lit.append(m.group())
                    self.i = m.end()
                    continue
            c = src[self.i]
            if mode == "word" and c in _META:
                break
            if mode == "dq" and c == '"':
                self.i += 1
                break
            if mode in ("arg", "argdq") and (c == "}" or c in stop):
                break
            if mode == "arith":
                if c == "(":
                    depth += 1
                elif c == ")":
                    if depth == 0:
                        if src.startswith("))", self.i):
                            break
                        raise self.error("missing '))'")
                    depth -= 1
            if c == "\\":
                nxt = src[self.i + 1] if self.i + 1 < n else ""
                if nxt == "\n":
                    self.i += 2
                    continue
                if nxt == "":
                    if not lit:
                        lit_at = self.i
                    lit.append("\\")
                    self.i += 1
                    continue
                if dq or mode == "arith":
                    special = '$`\\"' if mode != "heredoc" else "$`\\"
                    if mode in ("argdq",):
                        special += "}"
                    if nxt in special:
                        if not lit:
                            lit_at = self.i
                        lit.append(nxt)
                    else:
                        if not lit:
                            lit_at = self.i
                        lit.append("\\" + nxt)
                    self.i += 2
                    continue
                flush()
                out.append(SglQuoted(self.pos(), nxt))
                self.i += 2
                continue
            if c == "'" and not dq:
                flush()
                j = src.find("'", self.i + 1)
                if j < 0:
                    raise self.error("unterminated quoted string")
                out.append(SglQuoted(self.pos(), src[self.i + 1 : j]))
                self.i = j + 1
                continue
            if c == '"' and mode not in ("dq", "heredoc"):
                flush()
                at = self.i
                self.i += 1
                inner = self.parts("dq")
                out.append(DblQuoted(self.pos(at), tuple(inner)))
                continue
            if c == "$":
                part = self.dollar(dq)
                if part is None:
                    if not lit:
                        lit_at = self.i
                    lit.append("$")
                    self.i += 1
                else:
                    flush()
                    out.append(part)
                continue
            if c == "`":
                flush()
                out.append(self.backquote(dq))
                continue
            if not lit:
                lit_at = self.i
            lit.append(c)
            self.i += 1
        flush()
        return out

    def dollar(self, dq: bool) -> WordPart | None:
        """The expansion at ``$`` (None: a literal ``$``)."""
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise self.error("nesting too deep")
            return self._dollar(dq)
        finally:
            self.depth -= 1

    def _dollar(self, dq: bool) -> WordPart | None:
        src, i = self.src, self.i
        nxt = src[i + 1] if i + 1 < self.n else ""
        if nxt == "'" and not dq:
            return self.dollar_single()
        if nxt == "{":
            return self.brace_param(dq)
        if nxt == "(":
            if src.startswith("((", i + 1):
                return self.arith()
            return self.cmdsubst()
        pos = self.pos()
        m = _NAME.match(src, i + 1)
        if m:
            self.i = m.end()
            return ParamExp(pos, m.group())
        if nxt and ((nxt.isdigit() and nxt.isascii()) or nxt in _SPECIAL_PARAMS):
            self.i = i + 2
            return ParamExp(pos, nxt)
        return None

    def dollar_single(self) -> WordPart:
        """ash's ``$'...'``: single quotes with C escapes (no ``\\u``, as in busybox)."""
        pos = self.pos()
        src, n = self.src, self.n
        j = self.i + 2
        out: list[str] = []
        simple = _C_ESCAPES
        while True:
            if j >= n:
                raise self.error("unterminated quoted string", self.i)
            c = src[j]
            if c == "'":
                break
            if c != "\\" or j + 1 >= n:
                out.append(c)
                j += 1
                continue
            e = src[j + 1]
            if e in simple:
                out.append(simple[e])
                j += 2
            elif e == "x" and j + 2 < n and src[j + 2] in _HEX:
                k = j + 2
                while k < n and k < j + 4 and src[k] in _HEX:
                    k += 1
                out.append(_byte_char(int(src[j + 2 : k], 16)))
                j = k
            elif e in "01234567":
                k = j + 1
                while k < n and k < j + 4 and src[k] in "01234567":
                    k += 1
                out.append(_byte_char(int(src[j + 1 : k], 8) & 0xFF))
                j = k
            else:
                out.append("\\" + e)
                j += 2
        self.i = j + 1
        return SglQuoted(pos, "".join(out))

    def brace_param(self, dq: bool) -> WordPart:
        start = self.i
        pos = self.pos()
        src, n = self.src, self.n
        self.i += 2
        length = False
        if self.i < n and src[self.i] == "#":
            nxt = src[self.i + 1] if self.i + 1 < n else ""
            # ${#name} is a length; but ${#-x} and ${#?x} are $# with a modifier.
            named = nxt in "_@*#?$!-" or (nxt.isalnum() and nxt.isascii())
            modifier = nxt in "-?" and self.i + 2 < n and src[self.i + 2] != "}"
            if nxt and nxt != "}" and named and not modifier:
                length = True
                self.i += 1
        m = _NAME.match(src, self.i)
        if m:
            name = m.group()
            self.i = m.end()
        else:
            d = _DIGITS.match(src, self.i)
            if d:
                name = d.group()
                self.i = d.end()
            elif self.i < n and src[self.i] in _SPECIAL_PARAMS:
                name = src[self.i]
                self.i += 1
            else:
                if self.i >= n:
                    raise self.error("missing '}'", start)
                raise self.error("bad substitution", start)
        if self.i >= n:
            raise self.error("missing '}'", start)
        c = src[self.i]
        if length:
            if c != "}":
                raise self.error("bad substitution", start)
            self.i += 1
            return ParamExp(pos, name, length=True)
        if c == "}":
            self.i += 1
            return ParamExp(pos, name)
        op = ""
        arg: Word | None = None
        arg2: Word | None = None
        if c == ":" and src[self.i + 1 : self.i + 2] in ("-", "=", "?", "+"):
            op = src[self.i : self.i + 2]
            self.i += 2
            arg = self.arg_word("argdq" if dq else "arg")
        elif c in "-=?+":
            op = c
            self.i += 1
            arg = self.arg_word("argdq" if dq else "arg")
        elif c in "#%":
            op = c
            self.i += 1
            if src.startswith(c, self.i):
                op += c
                self.i += 1
            arg = self.arg_word("arg")
        elif c == "/":
            # busybox has no ${v/#p/r} or ${v/%p/r}: "#" and "%" are pattern text.
            op = "/"
            self.i += 1
            if self.i < n and src[self.i] == "/":
                op += "/"
                self.i += 1
            arg = self.arg_word("arg", "/")
            if self.i < n and src[self.i] == "/":
                self.i += 1
                arg2 = self.arg_word("argdq" if dq else "arg")
        elif c == ":":
            op = ":"
            self.i += 1
            arg = self.arg_word("argdq", ":")
            if self.i < n and src[self.i] == ":":
                self.i += 1
                arg2 = self.arg_word("argdq")
        else:
            raise self.error("bad substitution", start)
        if self.i >= n or src[self.i] != "}":
            raise self.error("missing '}'", start)
        self.i += 1
        return ParamExp(pos, name, op, arg, arg2)

    def arg_word(self, mode: str, stop: str = "") -> Word:
        start = self.i
        return make_word(self.pos(start), self.parts(mode, stop))

    def arith(self) -> WordPart:
        start = self.i
        pos = self.pos()
        self.i += 3
        parts = self.parts("arith")
        if not self.src.startswith("))", self.i):
            raise self.error("missing '))'", start)
        self.i += 2
        return ArithExp(pos, make_word(pos, parts))

    def cmdsubst(self) -> WordPart:
        pos = self.pos()
        self.i += 2
        saved, self.pending = self.pending, []
        body = self.body(frozenset(), empty_ok=True)
        self.linebreak()
        if self.peek_op() != ")":
            raise self.unexpected(")")
        self.i += 1
        self.pending = saved + self.pending
        return CmdSubst(pos, tuple(body))

    def backquote(self, dq: bool) -> WordPart:
        pos = self.pos()
        src, n = self.src, self.n
        j = self.i + 1
        buf: list[str] = []
        specials = '$`\\"' if dq else "$`\\"
        while True:
            if j >= n:
                raise self.error("EOF in backquote substitution", self.i)
            c = src[j]
            if c == "`":
                break
            if c == "\\" and j + 1 < n and src[j + 1] in specials:
                buf.append(src[j + 1])
                j += 2
                continue
            buf.append(c)
            j += 1
        self.i = j + 1
        sub = _Parser("".join(buf), pos.line, pos.column + 1)
        stmts, err = sub.program()
        if err is not None:
            raise err
        return CmdSubst(pos, tuple(stmts), backquote=True)


_HEX: Final = frozenset("0123456789abcdefABCDEF")
_C_ESCAPES: Final = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}


def _byte_char(v: int) -> str:
    # A byte above 0x7f stays that raw byte (surrogateescape), not a character.
    return chr(v) if v < 0x80 else chr(0xDC00 + v)


def _as_assign(w: Word) -> Assign | None:
    """``name=value`` when the word starts with an unquoted ``name=``."""
    if not w.parts or not isinstance(w.parts[0], Lit):
        return None
    first = w.parts[0]
    m = _ASSIGN.match(first.value)
    if not m:
        return None
    rest = first.value[m.end() :]
    parts: list[WordPart] = []
    vpos = Position(first.pos.line, first.pos.column + m.end())
    if rest:
        parts.append(Lit(vpos, rest))
    parts.extend(w.parts[1:])
    value = make_word(vpos, parts)
    if any(isinstance(p, Lit) and "~" in p.value for p in parts):
        # Tildes after "=" and ":" expand in assignments.
        return Assign(w.pos, m.group(1), Word(vpos, tuple(parts)))
    if value.lit is None and all(isinstance(p, Lit | SglQuoted) for p in parts):
        # No pathname expansion in assignments: glob characters stay literal.
        text = "".join(p.value for p in parts if isinstance(p, Lit | SglQuoted))
        value = Word(vpos, tuple(parts), text)
    return Assign(w.pos, m.group(1), value)


def _heredoc_delimiter(raw: str) -> tuple[str, bool]:
    """The delimiter of ``<<word`` after quote removal, and whether any part was quoted."""
    quoted = any(c in raw for c in "'\"\\")
    out: list[str] = []
    i, n = 0, len(raw)
    while i < n:
        c = raw[i]
        if c == "\\" and i + 1 < n:
            out.append(raw[i + 1])
            i += 2
        elif c == "'":
            j = raw.find("'", i + 1)
            j = n if j < 0 else j
            out.append(raw[i + 1 : j])
            i = j + 1
        elif c == '"':
            j = raw.find('"', i + 1)
            j = n if j < 0 else j
            out.append(raw[i + 1 : j].replace('\\"', '"'))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out), quoted


def parse_partial(src: str, *, line: int = 1, column: int = 1) -> tuple[Script, ShellError | None]:
    """The complete commands that parse, and the syntax error that stopped parsing."""
    p = _Parser(src, line, column)
    body, err = p.program()
    if err is not None:
        err.with_source(src)
    return Script(tuple(body)), err


def parse(src: str, *, line: int = 1, column: int = 1) -> Script:
    """Parse a whole script; a syntax error raises :class:`ShellError` at its position."""
    script, err = parse_partial(src, line=line, column=column)
    if err is not None:
        raise err
    return script


def parse_word(src: str) -> Word:
    """``src`` read as the body of a here-document: expansions active, quotes literal."""
    p = _Parser(src)
    try:
        parts = p.parts("heredoc")
    except RecursionError:
        raise p.error("nesting too deep") from None
    return make_word(Position(1, 1), parts)


__all__ = [
    "AndOr",
    "ArithExp",
    "Assign",
    "Background",
    "Case",
    "CaseItem",
    "CmdSubst",
    "Command",
    "DblQuoted",
    "For",
    "FuncDef",
    "Group",
    "HereDoc",
    "If",
    "Lit",
    "ParamExp",
    "Pipeline",
    "Redirect",
    "Redirected",
    "Script",
    "SglQuoted",
    "Simple",
    "Subshell",
    "While",
    "Word",
    "WordPart",
    "make_word",
    "maybe_quote",
    "parse",
    "parse_partial",
    "parse_word",
    "quote",
]
