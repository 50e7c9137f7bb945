"""The shell's lexer and parser: script text to a typed AST, scanned exactly once.

The language is what busybox ash (and dash) accept: POSIX sh plus ash's ``${v/p/r}``,
``${v:off:len}`` and ``&>``; with ``bash=True``, what bash 5.2 accepts on top: arrays and
``name+=``, ``[[ ]]``, ``(( ))`` and ``for (( ))``, ``<<<``, ``<(...)``, ``|&``, ``;&``,
brace words, extglob groups, ``time``, and bash's ``${...}`` (which leaves what it cannot
read to fail when it expands, as bash does) and its wording of syntax errors.

Like mvdan/sh's ``syntax`` package, every node is an immutable value carrying its
:class:`~emu.pos.Position`, and words keep their structure (literal, quoted, parameter,
command substitution, arithmetic) so later stages never look at the text again. Two
places do read text twice, because the language defines them that way: a backquoted
command is un-escaped and then parsed (once, here), and the body of a here-document is
parsed when the line that introduced it ends.

Parsing a script yields its *complete commands* — the lists that end at a top-level
newline — because ash reads and runs one at a time: ``echo a`` on line 1 runs before a
syntax error on line 2 is noticed. :func:`parse_partial` returns what parsed plus the
error; :func:`parse` raises it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from typing import Final

from emu.pos import Position
from emu.records import record
from emu.sh.api import ShellError, shell_stack


# --- the AST: word parts ---------------------------------------------------------------
@record(frozen=True, slots=True)
class Lit:
    """Literal text. Unquoted (globs and tildes active) unless inside a :class:`DblQuoted`."""

    pos: Position
    value: str


@record(frozen=True, slots=True)
class SglQuoted:
    """Text no expansion touches: ``'...'``, or a backslash-escaped character."""

    pos: Position
    value: str


@record(frozen=True, slots=True)
class DblQuoted:
    pos: Position
    parts: tuple[WordPart, ...]


@record(frozen=True, slots=True)
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
    # bash only: the subscript of ``${a[i]}`` (a Word whose ``lit`` is ``@`` or ``*`` for
    # all elements) and ``${!name}``. More bash ops: ``^ ^^ , ,,`` (``arg`` the pattern or
    # None), ``@`` (``arg`` the operator letter), ``!@ !*`` (``${!prefix@}``, ``name`` the
    # prefix), ``bad`` (``name`` the text of a ``${...}`` bash rejects when it expands it).
    index: Word | None = None
    indirect: bool = False


@record(frozen=True, slots=True)
class CmdSubst:
    """``$(...)`` or a backquoted command; the body is parsed once, here."""

    pos: Position
    body: tuple[Command, ...]
    backquote: bool = False


@record(frozen=True, slots=True)
class ArithExp:
    """``$((...))``: the expression's text is expanded, then evaluated as arithmetic."""

    pos: Position
    expr: Word


@record(frozen=True, slots=True)
class ProcSubst:
    """bash's ``<(...)`` (``out`` False) and ``>(...)``: a path that reads the body's
    output or feeds its input."""

    pos: Position
    body: tuple[Command, ...]
    out: bool = False


@record(frozen=True, slots=True)
class ArrayLit:
    """bash's ``(a b [k]=v)`` after ``name=``: each item is (key word or None, value)."""

    pos: Position
    items: tuple[tuple[Word | None, Word], ...]
    text: str = ""  # as written, for ``set -x``


WordPart = Lit | SglQuoted | DblQuoted | ParamExp | CmdSubst | ArithExp | ProcSubst | ArrayLit


@record(frozen=True, slots=True)
class Word:
    """One shell word. ``lit`` is its value when expansion cannot change it (the common
    case: no ``$``, no glob character, no leading ``~``), so running it costs nothing."""

    pos: Position
    parts: tuple[WordPart, ...]
    lit: str | None = None
    brace: bool = False  # bash: an unquoted "{" may start a brace expansion


# --- the AST: commands -----------------------------------------------------------------
@record(frozen=True, slots=True)
class Assign:
    """``name=value``; bash adds ``name+=value``, ``name[index]=value`` and arrays
    (``value`` then holds one :class:`ArrayLit`)."""

    pos: Position
    name: str
    value: Word
    index: Word | None = None
    append: bool = False


@record(frozen=True, slots=True)
class HereDoc:
    """A here-document's body; unquoted delimiters make it expandable.

    ``body`` is read when the line holding ``<<`` ends, after the redirection node exists,
    so the parser fills it in once (the only write to a node after construction)."""

    pos: Position
    delimiter: str
    quoted: bool
    strip_tabs: bool
    body: Word | None = None


@record(frozen=True, slots=True)
class Redirect:
    """``[fd]op target``. ``op`` is one of ``< > >> >| <> <& >& &> << <<-``."""

    pos: Position
    fd: int
    op: str
    target: Word
    heredoc: HereDoc | None = None


@record(frozen=True, slots=True)
class Simple:
    pos: Position
    assigns: tuple[Assign, ...]
    args: tuple[Word, ...]
    redirs: tuple[Redirect, ...]


@record(frozen=True, slots=True)
class DeclSimple(Simple):
    """bash: ``declare``/``local``/``export``/``readonly``/``typeset`` with words that are
    assignments (``decls`` says which, parallel to ``args``): their values are not split
    and may be arrays."""

    decls: tuple[Assign | None, ...] = ()


@record(frozen=True, slots=True)
class Pipeline:
    pos: Position
    cmds: tuple[Command, ...]
    negated: bool = False
    timed: str = ""  # bash's ``time`` (``"time"``) or ``time -p`` (``"-p"``)


@record(frozen=True, slots=True)
class AndOr:
    pos: Position
    op: str  # "&&" or "||"
    left: Command
    right: Command


@record(frozen=True, slots=True)
class Background:
    """``cmd &``."""

    pos: Position
    cmd: Command


@record(frozen=True, slots=True)
class Subshell:
    pos: Position
    body: tuple[Command, ...]


@record(frozen=True, slots=True)
class Group:
    pos: Position
    body: tuple[Command, ...]


@record(frozen=True, slots=True)
class If:
    """``if cond; then body; [else orelse;] fi`` (an ``elif`` is an If inside ``orelse``)."""

    pos: Position
    cond: tuple[Command, ...]
    body: tuple[Command, ...]
    orelse: tuple[Command, ...] | None = None


@record(frozen=True, slots=True)
class While:
    pos: Position
    cond: tuple[Command, ...]
    body: tuple[Command, ...]
    until: bool = False


@record(frozen=True, slots=True)
class For:
    """``for name [in items]; do body; done`` (``items`` None: over ``"$@"``)."""

    pos: Position
    name: str
    items: tuple[Word, ...] | None
    body: tuple[Command, ...]


@record(frozen=True, slots=True)
class CaseItem:
    pos: Position
    patterns: tuple[Word, ...]
    body: tuple[Command, ...]
    end: str = ";;"  # bash also has ";&" (fall through) and ";;&" (test the next)


@record(frozen=True, slots=True)
class Case:
    pos: Position
    word: Word
    items: tuple[CaseItem, ...]


@record(frozen=True, slots=True)
class FuncDef:
    pos: Position
    name: str
    body: Command


@record(frozen=True, slots=True)
class Redirected:
    """A compound command with redirections: ``{ ...; } >file``, ``while ...; done <in``."""

    pos: Position
    cmd: Command
    redirs: tuple[Redirect, ...]


@record(frozen=True, slots=True)
class ArithCmd:
    """bash's ``(( expr ))``: status 0 when the expression is not zero."""

    pos: Position
    expr: Word


@record(frozen=True, slots=True)
class ForArith:
    """bash's ``for (( init; cond; step ))``; a missing part is None."""

    pos: Position
    init: Word | None
    cond: Word | None
    step: Word | None
    body: tuple[Command, ...]


@record(frozen=True, slots=True)
class CondWord:
    """A word alone in ``[[ ]]``: true when not empty."""

    word: Word


@record(frozen=True, slots=True)
class CondUnary:
    op: str  # "-f", "-z", "-v"...
    word: Word


@record(frozen=True, slots=True)
class CondBinary:
    """``l op r``: ``==``/``!=`` match a pattern, ``=~`` a regular expression."""

    op: str
    left: Word
    right: Word


@record(frozen=True, slots=True)
class CondNot:
    expr: CondExpr


@record(frozen=True, slots=True)
class CondAndOr:
    op: str  # "&&" or "||"
    left: CondExpr
    right: CondExpr


CondExpr = CondWord | CondUnary | CondBinary | CondNot | CondAndOr


@record(frozen=True, slots=True)
class CondCmd:
    """bash's ``[[ expr ]]``; ``text`` is what ``set -x`` shows of it."""

    pos: Position
    expr: CondExpr


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
    | ArithCmd
    | ForArith
    | CondCmd
)


@record(frozen=True, slots=True)
class Script:
    """A parsed script: its complete commands, in order. ``groups`` (bash) holds the
    index in ``body`` where each line's list starts: bash abandons the rest of a line
    after an expansion error."""

    body: tuple[Command, ...]
    groups: tuple[int, ...] = ()


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
# bash's operators: here-strings, ``&>>``, ``|&`` and case's ``;&`` and ``;;&``.
_BASH_OPS = (
    "<<<", "&>>", ";;&", "<<-", "&&", "||", ";;", ";&", "|&", "<<", ">>", "<&", ">&", "<>",
    ">|", "&>", ";", "&", "|", "(", ")", "<", ">", "\n",
)  # fmt: skip
_BASH_REDIR_OPS: Final = _REDIR_OPS | {"<<<", "&>>"}
# Words that make the rest of a command's words assignments (``declare -a x=(1 2)``).
DECLARATIONS: Final = frozenset(["declare", "typeset", "local", "readonly", "export"])
_EXTGLOB = re.compile(r"[?*+@!]\(")
_COND_UNARY: Final = frozenset(
    ["-a", "-b", "-c", "-d", "-e", "-f", "-g", "-h", "-k", "-p", "-r", "-s", "-t", "-u", "-w",
     "-x", "-G", "-L", "-N", "-O", "-S", "-o", "-v", "-R", "-z", "-n"]
)  # fmt: skip
_COND_BINARY: Final = frozenset(
    ["==", "=", "!=", "=~", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot",
     "-ef"]
)  # fmt: skip
_SPECIAL_PARAMS: Final = frozenset("@*#?$!-0")
# Reserved words that end a compound list.
_CLOSERS: Final = frozenset(["then", "else", "elif", "fi", "do", "done", "esac", "}"])
_GLOB_CHARS = re.compile(r"[*?\[]")


def _has_glob(s: str) -> bool:
    return _GLOB_CHARS.search(s) is not None


def make_word(
    pos: Position, parts: list[WordPart] | tuple[WordPart, ...], bash: bool = False
) -> Word:
    """A :class:`Word`, with ``lit`` precomputed when nothing can change its value (in
    bash, an unquoted ``{`` that may start a brace expansion also can)."""
    if bash:
        lits = [p.value for p in parts if isinstance(p, Lit)]
        if any("{" in v for v in lits):
            return Word(pos, tuple(parts), None, True)
        if any("(" in v for v in lits):  # an extglob group: a pattern
            return Word(pos, tuple(parts))
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


class _BadParam(Exception):
    """A ``${...}`` bash rejects when it expands (``bad substitution``)."""


def bash_syntax_error(message: str, pos: Position, show_line: bool = False) -> ShellError:
    """A syntax error as bash words it; ``show_line``: bash also prints the line."""
    e = ShellError(message, pos=pos)
    setattr(e, "bash_show_line", show_line)  # noqa: B010 - emu.errors' class, marked
    return e


def shows_line(e: ShellError) -> bool:
    """Whether bash prints the offending line after this syntax error."""
    return bool(getattr(e, "bash_show_line", False))


_BASH_TOKEN = re.compile(r"[^ \t\n;&|<>()]+")


def _describe(op: str) -> str:
    if op == "\n":
        return "newline"
    if op in _REDIR_OPS:
        return "redirection"
    return f'"{op}"'


class _Parser:
    """Recursive descent over the text; ``i`` only moves forward."""

    def __init__(
        self, src: str, line: int = 1, column: int = 1, bash: bool = False, utf8: bool = False
    ) -> None:
        self.src = src
        self.bash = bash
        self.utf8 = utf8  # bash: $'\u...' makes UTF-8 (else, as in the C locale, text)
        self.ops = _BASH_OPS if bash else _OPS
        self.redir_ops = _BASH_REDIR_OPS if bash else _REDIR_OPS
        self.groups: list[int] = []
        # What a nested parser (a backquote, a here-document) is given: nothing for ash.
        self.dialect: dict[str, bool] = {"bash": True, "utf8": utf8} if bash else {}
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
        if self.bash:
            return self.bash_error(message, offset)
        return ShellError(f"syntax error: {message}", pos=self.pos(offset))

    def bash_error(self, message: str, offset: int | None) -> ShellError:
        """ash's wording of an error made bash's."""
        at = self.i if offset is None else offset
        if message == "unterminated quoted string":
            q = self.src[at] if at < self.n else '"'
            if q == "$" and at + 1 < self.n:
                q = self.src[at + 1]
            return self.eof_match("'" if q == "'" else '"', at)
        if message in ("missing '}'", "bad substitution"):
            return self.eof_match("}", at)
        if message == "missing '))'":
            return self.eof_match(")", offset)
        if message == "EOF in backquote substitution":
            return self.eof_match("`", at)
        if message.startswith("unexpected"):
            return self.unexpected()
        return bash_syntax_error(f"syntax error: {message}", self.pos(at))

    def eof_line(self) -> Position:
        """Where bash says the text ended: the line after the last (it adds a newline)."""
        extra = 0 if self.src.endswith("\n") else 1
        return Position(self.base_line + self.src.count("\n") + extra, 1)

    def eof_match(self, what: str, at: int | None) -> ShellError:
        """bash's ``unexpected EOF while looking for matching `X'``: at the line of the
        opening character (``at``), or where the text ends (``at`` None)."""
        pos = self.eof_line() if at is None else self.pos(at)
        return bash_syntax_error(f"unexpected EOF while looking for matching `{what}'", pos)

    def unexpected(self, expecting: str | None = None, quoted: bool = True) -> ShellError:
        """``unexpected <what is here>``, worded as ash (or bash) words it."""
        self.blank()
        at = self.i
        if self.bash:
            if at >= self.n:
                return bash_syntax_error("syntax error: unexpected end of file", self.eof_line())
            op = self.peek_op()
            if op is not None:
                tok = "newline" if op == "\n" else op
            else:
                m = _BASH_TOKEN.match(self.src, at)
                tok = m.group() if m else self.src[at]
            return bash_syntax_error(
                f"syntax error near unexpected token `{tok}'", self.pos(at), show_line=True
            )
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
        for op in self.ops:
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
                self.groups.append(len(out))
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
                if self.peek_op() in (")", ";;", ";&", ";;&"):
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
        timed = ""
        if self.bash:
            m = _TIME.match(self.src, self.i)
            if m:
                timed = "-p" if m.group(1) else "time"
                self.i = m.end()
                self.blank()
        negated = False
        while self.peek_reserved() == "!":
            self.i += 1
            negated = not negated
            self.blank()
        cmds = [self.command()]
        while True:
            self.blank()
            op = self.peek_op()
            if op == "|&":
                # bash's "a |& b" is "a 2>&1 | b".
                at = self.pos()
                one = Word(at, (Lit(at, "1"),), "1")
                cmds[-1] = Redirected(at, cmds[-1], (Redirect(at, 2, ">&", one),))
            elif op != "|":
                break
            self.i += len(op)
            self.linebreak()
            cmds.append(self.command())
        if len(cmds) == 1 and not negated and not timed:
            return cmds[0]
        return Pipeline(self.pos(start), tuple(cmds), negated, timed)

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
        if self.bash and (op == "(" or self.src.startswith("[[", start)):
            bash_cmd = self.bash_compound(start, op)
            if bash_cmd is not None:
                redirs = self.trailing_redirects()
                if redirs:
                    return Redirected(self.pos(start), bash_cmd, tuple(redirs))
                return bash_cmd
        if op == "(":
            self.i += 1
            body = self.body(frozenset())
            self.linebreak()
            if self.peek_op() != ")":
                raise self.unexpected(")")
            self.i += 1
            cmd = Subshell(self.pos(start), tuple(body))
        elif op is not None and op not in self.redir_ops:
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

    # --- bash's compound commands ----------------------------------------------------

    def bash_compound(self, start: int, op: str | None) -> Command | None:
        """``(( expr ))`` or ``[[ expr ]]`` at ``start`` (None: neither is here)."""
        src = self.src
        if op == "(":
            if not src.startswith("((", start):
                return None
            # "((" that does not close with "))" is two subshells, as bash reads it.
            self.i = start + 2
            try:
                parts = self.parts("arith", open_at=start)
            except ShellError:
                self.i = start
                return None
            if not src.startswith("))", self.i):
                self.i = start
                return None
            self.i += 2
            return ArithCmd(self.pos(start), make_word(self.pos(start + 2), parts))
        end = start + 2
        if end < self.n and src[end] not in " \t\n":
            return None
        self.i = end
        expr = self.cond_or()
        self.cond_blank()
        if not src.startswith("]]", self.i):
            raise self.cond_error()
        self.i += 2
        return CondCmd(self.pos(start), expr)

    def cond_error(self, what: str = "") -> ShellError:
        self.cond_blank()
        if self.i >= self.n:
            return bash_syntax_error("unexpected EOF while looking for `]]'", self.eof_line())
        if what:
            return bash_syntax_error(what, self.pos())
        return bash_syntax_error("syntax error in conditional expression", self.pos())

    def cond_blank(self, newlines: bool = False) -> None:
        while True:
            self.blank()
            if newlines and self.i < self.n and self.src[self.i] == "\n":
                self.newline()
                continue
            return

    def cond_token(self) -> str | None:
        """The operator at ``i`` inside ``[[ ]]`` (``]]``, ``&&``, ``||``, ``(``, ``)``,
        ``!``, ``<``, ``>``), or None before a word."""
        src, i = self.src, self.i
        if i >= self.n:
            return None
        for t in ("]]", "&&", "||"):
            if src.startswith(t, i):
                end = i + len(t)
                if t != "]]" or end >= self.n or src[end] in " \t\n;&|<>()":
                    return t
        c = src[i]
        if c in "()<>":
            return c
        if c == "!" and (i + 1 >= self.n or src[i + 1] in " \t\n"):
            return c
        if c == "\n":
            return "newline"
        return None

    def cond_or(self) -> CondExpr:
        return self.cond_list("||", self.cond_and)

    def cond_and(self) -> CondExpr:
        return self.cond_list("&&", self.cond_not)

    def cond_list(self, op: str, operand: Callable[[], CondExpr]) -> CondExpr:
        """Operands joined by ``op`` (``&&`` binds tighter than ``||``), left to right;
        a newline may follow the operator."""
        left = operand()
        while True:
            self.cond_blank()
            if self.cond_token() != op:
                return left
            self.i += 2
            self.cond_blank(newlines=True)
            left = CondAndOr(op, left, operand())

    def cond_not(self) -> CondExpr:
        self.cond_blank()
        if self.cond_token() == "!":
            self.i += 1
            return CondNot(self.cond_not())
        return self.cond_primary()

    def cond_word(self) -> Word:
        self.cond_blank()
        tok = self.cond_token()
        if tok is not None and tok not in ("!",):
            if tok == "]]" or self.i >= self.n:
                raise self.cond_error()
            shown = "newline" if tok == "newline" else tok
            raise self.cond_error(f"unexpected token `{shown}' in conditional command")
        w = self.word()
        if w is None:
            raise self.cond_error()
        return w

    def cond_primary(self) -> CondExpr:
        self.cond_blank()
        tok = self.cond_token()
        if tok == "(":
            self.i += 1
            inner = self.cond_or()
            self.cond_blank()
            if self.cond_token() != ")":
                raise self.cond_error()
            self.i += 1
            return inner
        if tok is not None and tok != "!":
            raise self.cond_error()
        first = self.cond_word()
        lit = word_is_literal(first)
        self.cond_blank()
        tok = self.cond_token()
        if lit in _COND_UNARY and tok is None and self.i < self.n:
            return CondUnary(lit, self.cond_word())
        if tok in ("<", ">"):
            self.i += 1
            return CondBinary(tok, first, self.cond_word())
        if tok is not None:
            if tok == "newline" and self.i < self.n:
                raise self.cond_error(
                    "unexpected token `newline', conditional binary operator expected"
                )
            return CondWord(first)
        at = self.i
        m = _BASH_TOKEN.match(self.src, at)
        op = m.group() if m else ""
        if op not in _COND_BINARY:
            raise self.cond_error(f"unexpected token `{op}', conditional binary operator expected")
        self.i = at + len(op)
        self.cond_blank()
        nxt = self.cond_token()
        if (nxt is not None and nxt not in ("!", "(")) or self.i >= self.n:
            shown = "newline" if nxt == "newline" else (nxt or "")
            if nxt == "]]":
                raise self.cond_error(
                    f"unexpected argument `{shown}' to conditional binary operator"
                )
            raise self.cond_error("unexpected argument to conditional binary operator")
        if op == "=~":
            return CondBinary(op, first, self.regex_word())
        return CondBinary(op, first, self.cond_word())

    def regex_word(self) -> Word:
        """The right of ``=~``: a word in which parentheses, ``|`` and (inside
        parentheses) blanks are text of the regular expression."""
        start = self.i
        parts = self.parts("regex")
        if not parts:
            raise self.cond_error()
        return Word(self.pos(start), tuple(parts))

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
        if op is None or op not in self.redir_ops:
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
        if self.bash:
            return self.simple_bash()
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

    def simple_bash(self) -> Command:
        """A simple command as bash reads it: ``name+=``, ``name[i]=`` and array
        assignments, process substitutions, and the words after ``declare`` and its
        kin read as assignments too."""
        start = self.i
        assigns: list[Assign] = []
        args: list[Word] = []
        decls: list[Assign | None] = []
        redirs: list[Redirect] = []
        src, n = self.src, self.n
        decl = False
        while True:
            self.blank()
            if self.i >= n:
                break
            c = src[self.i]
            procsubst = c in "<>" and src.startswith("(", self.i + 1)
            if not procsubst and (c in "<>" or (c == "&" and src.startswith("&>", self.i))):
                op = self.peek_op()
                assert op is not None
                redirs.append(self.redirect(self.i, None, op))
                continue
            if c in _META and not procsubst:
                if c == "(" and len(args) == 1 and not assigns and not redirs:
                    name = word_is_literal(args[0])
                    if name is not None:
                        return self.funcdef(start, name)
                if c == "(" or (c == ")" and not (args or assigns or redirs)):
                    raise self.unexpected()
                break
            wstart = self.i
            m = _DIGITS.match(src, wstart)
            if m and m.end() < n and src[m.end()] in "<>" and src[m.end() + 1 : m.end() + 2] != "(":
                self.i = m.end()
                op = self.peek_op()
                assert op is not None
                redirs.append(self.redirect(wstart, int(m.group()), op))
                continue
            w = self.word()
            if w is None:  # pragma: no cover - a non-metacharacter always starts a word
                raise self.unexpected()
            if not args or decl:
                a = self.bash_assign(w)
                if a is not None:
                    if not args:
                        assigns.append(a)
                    else:
                        args.append(w)
                        decls.append(a)
                    continue
            if not args:
                lit = word_is_literal(w)
                if lit == "function" and not assigns and not redirs:
                    return self.function_keyword(start)
                decl = lit in DECLARATIONS
            args.append(w)
            decls.append(None)
        if not (assigns or args or redirs):
            raise self.unexpected()
        cmd = Simple(self.pos(start), tuple(assigns), tuple(args), tuple(redirs))
        if any(d is not None for d in decls):
            return DeclSimple(cmd.pos, cmd.assigns, cmd.args, cmd.redirs, tuple(decls))
        return cmd

    def bash_assign(self, w: Word) -> Assign | None:
        """``name=``, ``name+=``, ``name[i]=`` or ``name[i]+=`` at the start of ``w``
        (then the value, or an array literal right after ``=(``)."""
        if not w.parts or not isinstance(w.parts[0], Lit):
            return None
        first = w.parts[0]
        text = first.value
        m = _BASH_ASSIGN.match(text)
        if not m:
            return None
        name = m.group(1)
        index: Word | None = None
        rest_parts: list[WordPart]
        if m.group(2) == "[":
            found = _subscript_split(w.parts, len(name) + 1)
            if found is None:
                return None
            index_parts, op, rest_parts = found
            ipos = first.pos
            index = make_word(ipos, index_parts)
        else:
            op = m.group(2)
            rest = text[m.end() :]
            rest_parts = ([Lit(first.pos, rest)] if rest else []) + list(w.parts[1:])
        append = op == "+="
        vpos = first.pos
        if not rest_parts and index is None and self.i < self.n and self.src[self.i] == "(":
            items = self.array_literal()
            value = Word(vpos, (items,))
            return Assign(w.pos, name, value, None, append)
        a = _as_assign(make_word(w.pos, [Lit(first.pos, "x="), *rest_parts]))
        assert a is not None
        return Assign(w.pos, name, a.value, index, append)

    def array_literal(self) -> ArrayLit:
        """``(word [k]=v ...)`` of an array assignment, at the ``(``."""
        at = self.i
        self.i += 1
        items: list[tuple[Word | None, Word]] = []
        while True:
            self.linebreak()
            if self.i >= self.n:
                raise self.eof_match(")", None)
            if self.src[self.i] == ")":
                self.i += 1
                break
            w = self.word()
            if w is None:
                raise self.unexpected()
            items.append(_array_item(w))
        return ArrayLit(self.pos(at), tuple(items), self.src[at : self.i])

    def function_keyword(self, start: int) -> Command:
        """ash's ``function name [()] body`` (bash's names may hold ``-``, ``.``...)."""
        self.blank()
        m = (_BASH_FUNC_NAME if self.bash else _NAME).match(self.src, self.i)
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
        if not self.bash and (not _NAME.fullmatch(name) or name in _NO_FUNCTION_NAMES):
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
        if self.bash and self.src.startswith("((", self.i):
            return self.for_arith(start)
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

    def for_arith(self, start: int) -> Command:
        """bash's ``for (( init; cond; step )) do ... done`` (or ``{ ...; }``)."""
        open_at = self.i
        self.i += 2
        words: list[Word | None] = []
        for k in range(3):
            at = self.i
            parts = self.parts("arith", ";" if k < 2 else "", open_at=open_at)
            if k < 2:
                if self.i >= self.n or self.src[self.i] != ";":
                    raise self.unexpected()
                text = self.src[at : self.i]
                self.i += 1
            else:
                if not self.src.startswith("))", self.i):
                    raise self.unexpected()
                text = self.src[at : self.i]
                self.i += 2
            words.append(make_word(self.pos(at), parts) if text.strip() else None)
        self.blank()
        if self.peek_op() == ";":
            self.i += 1
        self.linebreak()
        if self.peek_reserved() == "{":
            self.i += 1
            body = self.body(frozenset(["}"]))
            self.expect_reserved("}")
        else:
            self.expect_reserved("do")
            body = self.body(frozenset(["done"]))
            self.expect_reserved("done")
        return ForArith(self.pos(start), words[0], words[1], words[2], tuple(body))

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
            self.linebreak()
            end = self.peek_op()
            items.append(CaseItem(self.pos(istart), tuple(patterns), tuple(body), end or ";;"))
            if end in (";;", ";&", ";;&"):
                self.i += len(end)
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
                sub = _Parser(text, pos.line, pos.column, **self.dialect)
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
        return make_word(self.pos(start), parts, self.bash)

    def parts(self, mode: str, stop: str = "", open_at: int = -1) -> list[WordPart]:
        """Word parts until the end of the mode's context.

        ``mode``: ``word`` (stops at metacharacters), ``dq`` (inside ``"..."``, stops at
        the closing quote, which it consumes), ``heredoc`` (to the end of the text),
        ``arg`` / ``argdq`` (a ``${...}`` argument, unquoted / inside double quotes: stops
        at ``}`` or a character of ``stop``), ``arith`` (``$((...))``, stops at ``))`` or
        a character of ``stop`` outside parentheses), ``regex`` (bash: the right of
        ``=~``, where parentheses and ``|`` are text). ``open_at`` is where the construct
        being read opened, for the error when it does not close.
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

        bash = self.bash
        at_open = None if open_at < 0 or not bash else open_at
        while True:
            if self.i >= n:
                if mode == "dq":
                    raise self.error("unterminated quoted string", at_open)
                if mode in ("arg", "argdq"):
                    raise self.error("missing '}'", at_open)
                if mode == "arith":
                    raise self.error("missing '))'", at_open)
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
                if bash and c in "<>()":
                    special = self.bash_word_special(c, lit)
                    if special is not None:
                        if isinstance(special, str):
                            lit.append(special)
                        else:
                            flush()
                            out.append(special)
                        continue
                break
            if mode == "regex":
                if (c in " \t\n" and depth == 0) or c == "\n":
                    break
                if c == "(":
                    depth += 1
                elif c == ")":
                    if depth == 0:
                        break
                    depth -= 1
                elif depth == 0 and (c == ";" or src.startswith(("&&", "||"), self.i)):
                    break
            if mode == "dq" and c == '"':
                self.i += 1
                break
            if mode in ("arg", "argdq") and (c == "}" or c in stop):
                break
            if mode == "arith" or mode == "index":
                if c == "(":
                    depth += 1
                elif c == ")":
                    if depth == 0:
                        if src.startswith("))", self.i):
                            break
                        raise self.error("missing '))'", at_open)
                    depth -= 1
                elif c in stop and depth == 0:
                    break
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
                if dq or mode == "arith" or mode == "index":
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
                inner = self.parts("dq", open_at=at)
                out.append(DblQuoted(self.pos(at), tuple(inner)))
                continue
            if c == "$":
                if bash and not dq and src.startswith('$"', self.i):
                    # $"...": bash's translated string, as "..." without a catalog.
                    flush()
                    at = self.i
                    self.i += 2
                    inner = self.parts("dq", open_at=at)
                    out.append(DblQuoted(self.pos(at), tuple(inner)))
                    continue
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

    def bash_word_special(self, c: str, lit: list[str]) -> WordPart | str | None:
        """In a bash word, at the metacharacter ``c``: a process substitution (``<(``,
        ``>(``), an extglob group after ``?*+@!`` (its text), or None (the word ends)."""
        src, i = self.src, self.i
        if c in "<>" and src.startswith("(", i + 1):
            at = i
            self.i = i + 2
            saved, self.pending = self.pending, []
            body = self.body(frozenset(), empty_ok=True)
            self.linebreak()
            if self.peek_op() != ")":
                if self.i >= self.n:
                    raise self.eof_match(")", None)
                raise self.unexpected(")")
            self.i += 1
            self.pending = saved + self.pending
            return ProcSubst(self.pos(at), tuple(body), c == ">")
        if c == "(" and lit and lit[-1][-1:] in ("?", "*", "+", "@", "!"):
            end = src.find("\n", i)
            close = group_end(src, i, self.n if end < 0 else end)
            if close == 0:
                raise self.unexpected()
            self.i = close + 1
            return src[i : close + 1]
        return None

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
            if self.bash:
                return self.bash_param(dq)
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
        if nxt and (
            ((nxt.isascii() and nxt.isdigit()) and nxt.isascii()) or nxt in _SPECIAL_PARAMS
        ):
            self.i = i + 2
            return ParamExp(pos, nxt)
        return None

    def dollar_single(self) -> WordPart:
        """``$'...'``: single quotes with C escapes (ash has no ``\\u``; bash does)."""
        pos = self.pos()
        src, n = self.src, self.n
        j = self.i + 2
        while True:
            if j >= n:
                raise self.error("unterminated quoted string", self.i)
            c = src[j]
            if c == "'":
                break
            j += 2 if c == "\\" else 1
        body = src[self.i + 2 : min(j, n)]
        self.i = j + 1
        return SglQuoted(pos, c_escapes(body, self.bash, self.utf8))

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

    # --- bash's ${...} ----------------------------------------------------------------

    def brace_end(self, start: int, dq: bool) -> int:
        """Where the ``}`` that closes the ``${`` at ``start`` is (bash matches braces,
        skipping quoted text and nested expansions)."""
        src, n = self.src, self.n
        depth = 1
        i = start + 2
        while i < n:
            c = src[i]
            if c == "\\":
                i += 2
                continue
            if c == "'" and not dq:
                j = src.find("'", i + 1)
                if j < 0:
                    break
                i = j + 1
                continue
            if c == '"':
                j = i + 1
                while j < n and src[j] != '"':
                    j += 2 if src[j] == "\\" else 1
                i = j + 1
                continue
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return i
            i += 1
        raise self.eof_match("}", start)

    def bash_param(self, dq: bool) -> WordPart:
        """``${...}`` as bash reads it. What bash cannot make sense of is not a syntax
        error but a ``bad substitution`` when the word expands."""
        start = self.i
        pos = self.pos()
        end = self.brace_end(start, dq)
        self.i = start + 2
        try:
            p = self._bash_param(dq, pos, end)
        except _BadParam:
            p = None
        if p is None or self.i != end:
            p = ParamExp(pos, self.src[start : end + 1], "bad")
        self.i = end + 1
        return p

    def _bash_param(self, dq: bool, pos: Position, end: int) -> ParamExp:
        src = self.src
        i = self.i
        length = indirect = False
        if src[i] == "#" and i + 1 < end:
            nxt = src[i + 1]
            after = src[i + 2] if i + 2 <= end else "}"
            if nxt.isalnum() or nxt == "_" or (nxt in "@*#?$!-" and after in "}["):
                length = True
                i += 1
        elif src[i] == "!" and i + 1 < end:
            indirect = True
            i += 1
        m = _NAME.match(src, i, end)
        if m:
            name = m.group()
        else:
            d = _DIGITS.match(src, i, end)
            if d:
                name = d.group()
            elif i < end and src[i] in _SPECIAL_PARAMS:
                name = src[i]
            else:
                raise _BadParam()
        i += len(name)
        index: Word | None = None
        if i < end and src[i] == "[" and (m is not None):
            close = self.bracket_end(i, end)
            text = src[i + 1 : close]
            ipos = self.pos(i + 1)
            if text in ("@", "*"):
                index = Word(ipos, (Lit(ipos, text),), text)
            else:
                sub = _Parser(text, ipos.line, ipos.column, bash=True, utf8=self.utf8)
                index = make_word(ipos, sub.parts("index"))
            i = close + 1
        self.i = i
        if i == end:
            return ParamExp(pos, name, length=length, index=index, indirect=indirect)
        if length:
            raise _BadParam()
        c = src[i]
        if indirect and index is None and c in "@*" and i + 1 == end:
            self.i = end
            return ParamExp(pos, name, "!" + c)
        op = ""
        arg: Word | None = None
        arg2: Word | None = None
        mode = "argdq" if dq else "arg"
        if c == ":" and src[i + 1 : i + 2] in ("-", "=", "?", "+"):
            op = src[i : i + 2]
            self.i = i + 2
            arg = self.arg_word(mode)
        elif c in "-=?+":
            op = c
            self.i = i + 1
            arg = self.arg_word(mode)
        elif c in "#%":
            op = c + c if src.startswith(c, i + 1) else c
            self.i = i + len(op)
            arg = self.arg_word("arg")
        elif c == "/":
            op = "//" if src.startswith("/", i + 1) else "/"
            self.i = i + len(op)
            if op == "/" and self.i < end and src[self.i] in "#%":
                op += src[self.i]
                self.i += 1
            arg = self.arg_word("arg", "/")
            if self.i < end and src[self.i] == "/":
                self.i += 1
                arg2 = self.arg_word(mode)
        elif c == ":":
            op = ":"
            self.i = i + 1
            arg = self.arg_word("argdq", ":")
            if self.i < end and src[self.i] == ":":
                self.i += 1
                arg2 = self.arg_word("argdq")
        elif c in "^,":
            op = c + c if src.startswith(c, i + 1) else c
            self.i = i + len(op)
            if self.i < end:
                arg = self.arg_word("arg")
        elif c == "@":
            letter = src[i + 1 : i + 2]
            if i + 2 != end or not letter.isalpha():
                raise _BadParam()
            op = "@"
            arg = Word(self.pos(i + 1), (Lit(self.pos(i + 1), letter),), letter)
            self.i = end
        else:
            raise _BadParam()
        return ParamExp(pos, name, op, arg, arg2, index=index, indirect=indirect)

    def bracket_end(self, i: int, end: int) -> int:
        """The ``]`` closing the subscript that opens at ``i``."""
        depth = 0
        src = self.src
        for j in range(i, end):
            if src[j] == "[":
                depth += 1
            elif src[j] == "]":
                depth -= 1
                if depth == 0:
                    return j
        raise _BadParam()

    def arg_word(self, mode: str, stop: str = "") -> Word:
        start = self.i
        return make_word(self.pos(start), self.parts(mode, stop))

    def arith(self) -> WordPart:
        start = self.i
        pos = self.pos()
        self.i += 3
        if self.bash:
            # "$((" that does not close with "))" is "$(" and a subshell, as bash reads it.
            try:
                parts = self.parts("arith", open_at=start)
                if not self.src.startswith("))", self.i):
                    raise self.error("missing '))'", start)
            except ShellError:
                self.i = start
                try:
                    return self.cmdsubst()
                except ShellError as e:
                    if e.message.startswith("unexpected EOF"):
                        raise self.eof_match(")", start) from None
                    raise
            self.i += 2
            return ArithExp(pos, make_word(pos, parts))
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
            if self.bash and self.i >= self.n:
                raise self.eof_match(")", None)
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
        sub = _Parser("".join(buf), pos.line, pos.column + 1, **self.dialect)
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


def group_end(text: str, i: int, n: int) -> int:
    """The ``)`` closing the ``(`` at ``i`` before ``n`` (0: none); backslashes escape."""
    depth = 0
    j = i
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return 0


def c_escapes(src: str, bash: bool = False, utf8: bool = False) -> str:
    """The text of ``$'...'`` with its escapes made characters (bash adds ``\\u``,
    ``\\U`` and ``\\cX``); also the escapes of bash's printf format."""
    return escapes(src, "bash" if bash else "ash", utf8)[0]


def escapes(src: str, style: str, utf8: bool = False) -> tuple[str, bool]:
    """C escapes made characters, as ``style`` has them: ``ash`` and ``bash`` (``$'...'``:
    ``\\NNN`` octal), ``echo`` (bash's ``echo -e`` and ``%b``: ``\\0NNN`` octal, no
    quote escapes, and ``\\c`` stops everything, which the second item says)."""
    out: list[str] = []
    echo = style == "echo"
    bash = style != "ash"
    simple = _ECHO_ESCAPES if echo else _C_ESCAPES
    j, n = 0, len(src)
    while j < n:
        c = src[j]
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
        elif e in ("0" if echo else "01234567"):
            start = j + 2 if echo else j + 1
            k = start
            while k < n and k < start + 3 and src[k] in "01234567":
                k += 1
            out.append(_byte_char(int(src[start:k] or "0", 8) & 0xFF))
            j = k
        elif bash and e in "uU" and j + 2 < n and src[j + 2] in _HEX:
            k = j + 2
            while k < n and k < j + (6 if e == "u" else 10) and src[k] in _HEX:
                k += 1
            out.append(_unicode_char(int(src[j + 2 : k], 16), e, utf8))
            j = k
        elif echo and e == "c":
            return "".join(out), True
        elif bash and e == "c" and j + 2 < n:
            out.append(chr(ord(src[j + 2].upper()) & 0x1F))
            j += 3
        else:
            out.append("\\" + e)
            j += 2
    return "".join(out), False


def _unicode_char(v: int, letter: str, utf8: bool) -> str:
    """bash's ``\\uXXXX``: the character in a UTF-8 locale; in the C locale (no LANG,
    as in most images) only ASCII converts and the rest stays an escape."""
    if v < 0x80 or (utf8 and v < 0x110000 and not 0xD800 <= v < 0xE000):
        return chr(v)
    return f"\\{letter}{v:0{4 if letter == 'u' else 8}X}"


_ECHO_ESCAPES: Final = {k: v for k, v in _C_ESCAPES.items() if k not in "'\"?"}


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


_TIME = re.compile(r"time(?:[ \t]+(-p))?(?=[ \t\n;&|]|$)")
_BASH_FUNC_NAME = re.compile(r"[^ \t\n;&|<>()'\"$`\\]+")
_BASH_ASSIGN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\+?=|\[)")


def _subscript_split(
    parts: tuple[WordPart, ...], skip: int
) -> tuple[list[WordPart], str, list[WordPart]] | None:
    """Split ``name[sub]=value`` (``skip``: the length of ``name[``) into the subscript's
    parts, ``=`` or ``+=``, and the value's parts; None when it is not an assignment."""
    index: list[WordPart] = []
    depth = 1
    for k, p in enumerate(parts):
        if isinstance(p, Lit):
            value = p.value[skip:] if k == 0 else p.value
            for j, ch in enumerate(value):
                if ch == "[":
                    depth += 1
                elif ch == "]":
                    depth -= 1
                    if depth == 0:
                        after = value[j + 1 :]
                        if after.startswith("+="):
                            op = "+="
                        elif after.startswith("="):
                            op = "="
                        else:
                            return None
                        if j:
                            index.append(Lit(p.pos, value[:j]))
                        rest = after[len(op) :]
                        tail: list[WordPart] = [Lit(p.pos, rest)] if rest else []
                        return index, op, tail + list(parts[k + 1 :])
            if value:
                index.append(Lit(p.pos, value))
        else:
            index.append(p)
    return None


def _array_item(w: Word) -> tuple[Word | None, Word]:
    """One word of an array literal: ``[key]=value`` or a plain value."""
    if w.parts and isinstance(w.parts[0], Lit) and w.parts[0].value.startswith("["):
        found = _subscript_split(w.parts, 1)
        if found is not None:
            index_parts, _, rest = found
            a = _as_assign(make_word(w.pos, [Lit(w.pos, "x="), *rest]))
            assert a is not None
            return make_word(w.pos, index_parts), a.value
    return None, w


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


def parse_partial(
    src: str, *, line: int = 1, column: int = 1, bash: bool = False, utf8: bool = False
) -> tuple[Script, ShellError | None]:
    """The complete commands that parse, and the syntax error that stopped parsing.
    ``bash``: the language is bash's (``utf8``: ``$'\\u...'`` makes UTF-8)."""
    key = (src, line, column, bash, utf8)
    script = _PARSED.get(key)
    if script is not None:
        return script, None
    p = _Parser(src, line, column, **({"bash": True, "utf8": utf8} if bash else {}))
    with shell_stack():  # nesting recurses: as deep as the parser's own limit allows
        body, err = p.program()
    script = Script(tuple(body), tuple(p.groups) if bash else ())
    if err is not None:
        err.with_source(src)
    elif len(src) <= _MEMO_TEXT_MAX:
        # The tree is immutable: a RUN line parses once per process, however many builds
        # run it (a property test, a grader). Bounded: the oldest entry goes first.
        if len(_PARSED) >= _MEMO_ENTRIES:
            del _PARSED[next(iter(_PARSED))]
        _PARSED[key] = script
    return script, err


_PARSED: dict[tuple[str, int, int, bool, bool], Script] = {}
_MEMO_ENTRIES = 512
_MEMO_TEXT_MAX = 64 * 1024


def parse(src: str, *, line: int = 1, column: int = 1, bash: bool = False) -> Script:
    """Parse a whole script; a syntax error raises :class:`ShellError` at its position."""
    script, err = parse_partial(src, line=line, column=column, bash=bash)
    if err is not None:
        raise err
    return script


def parse_word(src: str, bash: bool = False) -> Word:
    """``src`` read as the body of a here-document: expansions active, quotes literal."""
    p = _Parser(src, bash=bash)
    try:
        with shell_stack():
            parts = p.parts("heredoc")
    except RecursionError:
        raise p.error("nesting too deep") from None
    return make_word(Position(1, 1), parts)


__all__ = [
    "DECLARATIONS",
    "AndOr",
    "ArithCmd",
    "ArithExp",
    "ArrayLit",
    "Assign",
    "Background",
    "Case",
    "CaseItem",
    "CmdSubst",
    "Command",
    "CondAndOr",
    "CondBinary",
    "CondCmd",
    "CondExpr",
    "CondNot",
    "CondUnary",
    "CondWord",
    "DblQuoted",
    "DeclSimple",
    "For",
    "ForArith",
    "FuncDef",
    "Group",
    "HereDoc",
    "If",
    "Lit",
    "ParamExp",
    "Pipeline",
    "ProcSubst",
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
    "shows_line",
]
