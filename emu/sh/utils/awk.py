"""awk: busybox 1.35's awk, the POSIX subset Dockerfiles use.

``-F FS``, ``-v var=val``, program text or ``-f file``, files or stdin (``var=val``
operands too); BEGIN/END, expression, regex and range patterns; print/printf (with ``>``,
``>>`` and ``|`` redirections), assignments, control flow, ``next``, ``exit``, ``delete``,
user functions, fields (assigning one rebuilds ``$0``), NF NR FNR FS OFS ORS RS (``""``:
paragraph mode) FILENAME SUBSEP RSTART RLENGTH CONVFMT OFMT ENVIRON, numeric strings, POSIX
EREs, and the built-ins length substr index split sub gsub match sprintf tolower toupper
int sqrt exp log sin cos atan2 rand srand (deterministic) system close getline.

Text is handled one character per byte (latin-1), like busybox: ``length`` counts bytes.
``system()`` and ``"cmd" | getline`` run through the emulated shell (``sh -c``).
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable

from emu.records import field, record, replace
from emu.sh import linear
from emu.sh.api import Proc, Stream
from emu.sh.linear import Regex
from emu.sh.options import Die, getopt
from emu.sh.utils._common import Sys, applet
from emu.sh.utils._regex import RegexError, translate

# --- values -----------------------------------------------------------------------------


class StrNum(str):
    """A string from input (fields, getline, -v, split): numeric if it looks like a number."""

    __slots__ = ()


class _Uninit(StrNum):
    __slots__ = ()


UNINIT = _Uninit("")
Val = float | str
Array = dict[str, Val]

_NUM_PREFIX = re.compile(
    r"[ \t\n\r\f\v]*([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?))"
)
_HEX = re.compile(r"[ \t\n\r\f\v]*([-+]?)0[xX]([0-9a-fA-F]+)")
_NUM_FULL = re.compile(
    r"[ \t\n\r\f\v]*[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)[ \t\n\r\f\v]*\Z"
)


def to_num(v: Val) -> float:
    if isinstance(v, float):
        return v
    h = _HEX.match(v)
    if h is not None:
        n = float(int(h.group(2), 16))
        return -n if h.group(1) == "-" else n
    m = _NUM_PREFIX.match(v)
    if m is None:
        return 0.0
    return float(m.group(1))


def is_numeric(v: Val) -> bool:
    if isinstance(v, float):
        return True
    if isinstance(v, _Uninit):
        return True
    if isinstance(v, StrNum):
        return _NUM_FULL.match(v) is not None
    return False


def num_str(x: float, fmt: str = "%.6g") -> str:
    if x != x:
        return "nan"
    if x in (math.inf, -math.inf):
        return "inf" if x > 0 else "-inf"
    if x == int(x) and abs(x) < 2**63:
        return str(int(x))
    try:
        return format_printf(fmt, [x])
    except AwkError:
        return f"{x:.6g}"


def truthy(v: Val) -> bool:
    if isinstance(v, float):
        return v != 0
    if isinstance(v, StrNum) and is_numeric(v):
        return to_num(v) != 0
    return v != ""


class AwkError(Die):
    """A syntax or run-time error: ``awk: cmd. line:N: msg``, status 1 (like busybox)."""

    def __init__(self, msg: str, line: int = 1) -> None:
        super().__init__(f"cmd. line:{line}: {msg}", 1)


# --- lexer ------------------------------------------------------------------------------

KEYWORDS = {
    "BEGIN",
    "END",
    "function",
    "func",
    "if",
    "else",
    "while",
    "for",
    "do",
    "break",
    "continue",
    "next",
    "nextfile",
    "exit",
    "return",
    "delete",
    "in",
    "getline",
    "print",
    "printf",
}
BUILTINS = {
    "length",
    "substr",
    "index",
    "split",
    "sub",
    "gsub",
    "match",
    "sprintf",
    "tolower",
    "toupper",
    "int",
    "sqrt",
    "exp",
    "log",
    "sin",
    "cos",
    "atan2",
    "rand",
    "srand",
    "system",
    "close",
    "fflush",
}
PUNCT = [
    "**=",
    "&&",
    "||",
    "==",
    "!=",
    "<=",
    ">=",
    "++",
    "--",
    "+=",
    "-=",
    "*=",
    "/=",
    "%=",
    "^=",
    ">>",
    "!~",
    "**",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ";",
    ",",
    "+",
    "-",
    "*",
    "/",
    "%",
    "^",
    "!",
    ">",
    "<",
    "|",
    "?",
    ":",
    "~",
    "$",
    "=",
]
_ESC = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "/": "/", "a": "\a", "b": "\b"}
_ESC.update({"f": "\f", "v": "\v"})


@record(slots=True)
class Tok:
    kind: str  # num str ere name func builtin kw punct nl eof
    val: str
    line: int
    num: float = 0.0


def unescape(s: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s):
            nx = s[i + 1]
            if nx in "01234567":
                j = i + 1
                while j < len(s) and j < i + 4 and s[j] in "01234567":
                    j += 1
                out.append(chr(int(s[i + 1 : j], 8) & 0xFF))
                i = j
                continue
            if nx in _ESC:
                out.append(_ESC[nx])
            else:
                out.append("\\" + nx)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


class Lexer:
    def __init__(self, src: str) -> None:
        self.s = src
        self.i = 0
        self.line = 1
        self.prev: Tok | None = None

    def fail(self, msg: str = "Unexpected token") -> AwkError:
        return AwkError(msg, self.line)

    def regex_ok(self) -> bool:
        p = self.prev
        if p is None:
            return True
        if p.kind in ("num", "str", "ere", "name", "builtin"):
            return False
        if p.kind == "kw" and p.val == "getline":
            return False
        return not (p.kind == "punct" and p.val in (")", "]", "$", "++", "--"))

    def next(self) -> Tok:
        t = self._next()
        self.prev = t
        return t

    def _next(self) -> Tok:
        s = self.s
        while True:
            while self.i < len(s) and s[self.i] in " \t\r":
                self.i += 1
            if self.i < len(s) and s[self.i] == "\\" and s[self.i + 1 : self.i + 2] == "\n":
                self.i += 2
                self.line += 1
                continue
            if self.i < len(s) and s[self.i] == "#":
                while self.i < len(s) and s[self.i] != "\n":
                    self.i += 1
                continue
            break
        if self.i >= len(s):
            return Tok("eof", "", self.line)
        ch = s[self.i]
        line = self.line
        if ch == "\n":
            self.i += 1
            self.line += 1
            return Tok("nl", "\n", line)
        if ch == '"':
            j = self.i + 1
            buf: list[str] = []
            while True:
                if j >= len(s) or s[j] == "\n":
                    raise self.fail("Unexpected end of string")
                if s[j] == "\\" and j + 1 < len(s):
                    if s[j + 1] == "\n":
                        j += 2
                        continue
                    buf.append(s[j : j + 2])
                    j += 2
                    continue
                if s[j] == '"':
                    break
                buf.append(s[j])
                j += 1
            self.i = j + 1
            return Tok("str", unescape("".join(buf)), line)
        if ch == "/" and self.regex_ok():
            j = self.i + 1
            buf = []
            in_br = False
            while True:
                if j >= len(s) or s[j] == "\n":
                    raise self.fail("Unexpected end of string")
                c = s[j]
                if c == "\\" and j + 1 < len(s):
                    buf.append("/" if s[j + 1] == "/" else s[j : j + 2])
                    j += 2
                    continue
                if c == "[":
                    in_br = True
                elif c == "]":
                    in_br = False
                elif c == "/" and not in_br:
                    break
                buf.append(c)
                j += 1
            self.i = j + 1
            return Tok("ere", "".join(buf), line)
        m = re.compile(r"0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?").match(s, self.i)
        if m:
            self.i = m.end()
            txt = m.group(0)
            v = float(int(txt, 16)) if txt[:2] in ("0x", "0X") else float(txt)
            return Tok("num", txt, line, v)
        m = re.compile(r"[A-Za-z_][A-Za-z_0-9]*").match(s, self.i)
        if m:
            self.i = m.end()
            w = m.group(0)
            if w in KEYWORDS:
                return Tok("kw", "function" if w == "func" else w, line)
            if w in BUILTINS:
                return Tok("builtin", w, line)
            if self.i < len(s) and s[self.i] == "(":
                return Tok("func", w, line)
            return Tok("name", w, line)
        for p in PUNCT:
            if s.startswith(p, self.i):
                self.i += len(p)
                return Tok("punct", {"**": "^", "**=": "^="}.get(p, p), line)
        raise self.fail()


# --- AST --------------------------------------------------------------------------------


class Node:
    __slots__ = ()


@record(slots=True)
class Lit(Node):
    v: Val


@record(slots=True)
class Ere(Node):
    src: str


@record(slots=True)
class Var(Node):
    name: str


@record(slots=True)
class Field(Node):
    e: Node


@record(slots=True)
class Index(Node):
    name: str
    subs: list[Node]


@record(slots=True)
class Assign(Node):
    op: str
    lv: Node
    e: Node


@record(slots=True)
class Cond(Node):
    c: Node
    a: Node
    b: Node


@record(slots=True)
class Bin(Node):
    op: str
    a: Node
    b: Node


@record(slots=True)
class Unary(Node):
    op: str
    e: Node


@record(slots=True)
class MatchOp(Node):
    neg: bool
    e: Node
    r: Node


@record(slots=True)
class In(Node):
    subs: list[Node]
    name: str


@record(slots=True)
class Incr(Node):
    pre: bool
    delta: float
    lv: Node


@record(slots=True)
class Call(Node):
    name: str
    args: list[Node]
    user: bool = False


@record(slots=True)
class Getline(Node):
    kind: str  # "main" | "file" | "cmd"
    lv: Node | None
    src: Node | None


@record(slots=True)
class Group(Node):
    e: Node


@record(slots=True)
class Multi(Node):  # (a, b) — only valid before ``in`` or as print's argument list
    items: list[Node]


# statements


@record(slots=True)
class Print(Node):
    printf: bool
    args: list[Node]
    mode: str = ""  # "" | ">" | ">>" | "|"
    dest: Node | None = None


@record(slots=True)
class ExprStmt(Node):
    e: Node


@record(slots=True)
class If(Node):
    c: Node
    a: Node
    b: Node | None


@record(slots=True)
class While(Node):
    c: Node
    body: Node
    do: bool = False


@record(slots=True)
class For(Node):
    init: Node | None
    c: Node | None
    step: Node | None
    body: Node


@record(slots=True)
class ForIn(Node):
    var: Node
    arr: str
    body: Node


@record(slots=True)
class Block(Node):
    body: list[Node]


@record(slots=True)
class Simple(Node):
    kind: str  # next nextfile break continue exit return
    e: Node | None = None


@record(slots=True)
class Delete(Node):
    name: str
    subs: list[Node] | None


@record(slots=True)
class Rule:
    kind: str  # "BEGIN" | "END" | "main"
    pat: Node | None
    pat2: Node | None
    body: Node | None  # None: print $0
    active: bool = False


@record(slots=True)
class Func:
    name: str
    params: list[str]
    body: Node
    arrays: set[str] = field(default_factory=set)  # parameters the body uses as arrays


def array_names(n: object, out: set[str]) -> set[str]:
    """Names a subtree uses as arrays (``a[k]``, ``k in a``, ``for (k in a)``, delete,
    split's target)."""
    if isinstance(n, Index | In | Delete):
        out.add(n.name)
    elif isinstance(n, ForIn):
        out.add(n.arr)
    elif isinstance(n, Call) and n.name == "split" and not n.user and isinstance(n.args[1], Var):
        out.add(n.args[1].name)
    if isinstance(n, list):
        for x in n:
            array_names(x, out)
    elif isinstance(n, Node):
        slots: tuple[str, ...] = n.__slots__
        for slot in slots:
            array_names(getattr(n, slot), out)
    return out


@record
class Program:
    rules: list[Rule] = field(default_factory=list)
    funcs: dict[str, Func] = field(default_factory=dict)


# --- parser -----------------------------------------------------------------------------


class Parser:
    def __init__(self, src: str) -> None:
        self.lx = Lexer(src)
        self.tok = self.lx.next()
        self.prog = Program()
        self.depth = 0

    def fail(self, msg: str = "Unexpected token") -> AwkError:
        return AwkError(msg, self.tok.line)

    def advance(self) -> Tok:
        t = self.tok
        self.tok = self.lx.next()
        return t

    def at(self, kind: str, val: str | None = None) -> bool:
        return self.tok.kind == kind and (val is None or self.tok.val == val)

    def atp(self, *vals: str) -> bool:
        return self.tok.kind == "punct" and self.tok.val in vals

    def expect(self, val: str) -> None:
        if not (self.tok.kind in ("punct", "kw") and self.tok.val == val):
            raise self.fail()
        self.advance()

    def nls(self) -> None:
        while self.at("nl"):
            self.advance()

    def opt_nls(self) -> None:
        self.nls()

    def parse(self) -> Program:
        self.nls()
        while not self.at("eof"):
            self.item()
            while self.at("nl") or self.atp(";"):
                self.advance()
        return self.prog

    def item(self) -> None:
        t = self.tok
        if t.kind == "kw" and t.val in ("BEGIN", "END"):
            self.advance()
            if not self.atp("{"):
                raise self.fail()
            self.prog.rules.append(Rule(t.val, None, None, self.block()))
            return
        if t.kind == "kw" and t.val == "function":
            self.advance()
            if self.tok.kind not in ("name", "func"):
                raise self.fail()
            name = self.advance().val
            self.expect("(")
            params: list[str] = []
            while not self.atp(")"):
                if not self.at("name"):
                    raise self.fail()
                params.append(self.advance().val)
                if self.atp(","):
                    self.advance()
                    self.nls()
            self.advance()
            self.nls()
            body = self.block()
            arrs = array_names(body, set()) & set(params)
            self.prog.funcs[name] = Func(name, params, body, arrs)
            return
        pat: Node | None = None
        pat2: Node | None = None
        if not self.atp("{"):
            pat = self.expr()
            if self.atp(","):
                self.advance()
                self.nls()
                pat2 = self.expr()
        action = self.block() if self.atp("{") else None
        self.prog.rules.append(Rule("main", pat, pat2, action))

    def block(self) -> Block:
        self.expect("{")
        self.depth += 1
        if self.depth > 100:
            raise self.fail("Too deeply nested")
        out: list[Node] = []
        while True:
            while self.at("nl") or self.atp(";"):
                self.advance()
            if self.atp("}"):
                self.advance()
                break
            if self.at("eof"):
                raise self.fail()
            out.append(self.stmt())
        self.depth -= 1
        return Block(out)

    def end_simple(self) -> None:
        if self.atp(";") or self.at("nl"):
            self.advance()
        elif not (self.atp("}") or self.at("eof")):
            raise self.fail()

    def body_stmt(self) -> Node:
        self.nls()
        if self.atp(";"):
            self.advance()
            return Block([])
        return self.stmt()

    def stmt(self) -> Node:
        t = self.tok
        if self.atp("{"):
            return self.block()
        if t.kind == "kw":
            v = t.val
            if v == "if":
                self.advance()
                self.expect("(")
                c = self.expr()
                self.expect(")")
                a = self.body_stmt()
                save = (self.lx.i, self.lx.line, self.tok, self.lx.prev)
                while self.at("nl") or self.atp(";"):
                    self.advance()
                if self.at("kw", "else"):
                    self.advance()
                    return If(c, a, self.body_stmt())
                self.lx.i, self.lx.line, self.tok, self.lx.prev = save
                return If(c, a, None)
            if v == "while":
                self.advance()
                self.expect("(")
                c = self.expr()
                self.expect(")")
                if self.atp(";"):
                    self.advance()
                    return While(c, Block([]))
                return While(c, self.body_stmt())
            if v == "do":
                self.advance()
                body = self.body_stmt()
                while self.at("nl") or self.atp(";"):
                    self.advance()
                if not self.at("kw", "while"):
                    raise self.fail()
                self.advance()
                self.expect("(")
                c = self.expr()
                self.expect(")")
                self.end_simple()
                return While(c, body, True)
            if v == "for":
                self.advance()
                self.expect("(")
                if self.at("name") or self.atp("("):
                    save = (self.lx.i, self.lx.line, self.tok, self.lx.prev)
                    paren = self.atp("(")
                    if paren:
                        self.advance()
                    if self.at("name"):
                        nm = self.advance().val
                        if paren and self.atp(")"):
                            self.advance()
                        if self.at("kw", "in"):
                            self.advance()
                            if not self.at("name"):
                                raise self.fail()
                            arr = self.advance().val
                            self.expect(")")
                            return ForIn(Var(nm), arr, self.body_stmt())
                    self.lx.i, self.lx.line, self.tok, self.lx.prev = save
                init = None if self.atp(";") else self.simple_expr_stmt()
                self.expect(";")
                self.nls()
                cond = None if self.atp(";") else self.expr()
                self.expect(";")
                self.nls()
                step = None if self.atp(")") else self.simple_expr_stmt()
                self.expect(")")
                if self.atp(";"):
                    self.advance()
                    return For(init, cond, step, Block([]))
                return For(init, cond, step, self.body_stmt())
            if v in ("next", "nextfile", "break", "continue"):
                self.advance()
                self.end_simple()
                return Simple(v)
            if v in ("exit", "return"):
                self.advance()
                e = None
                if not (self.atp(";", "}") or self.at("nl") or self.at("eof")):
                    e = self.expr()
                self.end_simple()
                return Simple(v, e)
            if v == "delete":
                self.advance()
                if not self.at("name"):
                    raise self.fail()
                nm = self.advance().val
                subs = None
                if self.atp("["):
                    self.advance()
                    subs = self.expr_list("]")
                self.end_simple()
                return Delete(nm, subs)
            if v in ("print", "printf"):
                st = self.print_stmt()
                self.end_simple()
                return st
        s = self.simple_expr_stmt()
        self.end_simple()
        return s

    def simple_expr_stmt(self) -> Node:
        if self.at("kw", "print") or self.at("kw", "printf"):
            return self.print_stmt()
        return ExprStmt(self.expr())

    def print_stmt(self) -> Print:
        is_printf = self.advance().val == "printf"
        args: list[Node] = []
        if not (self.atp(";", "}", ">", ">>", "|") or self.at("nl") or self.at("eof")):
            first = self.expr(no_gt=True)
            if isinstance(first, Multi):
                args = first.items
            else:
                args = [first]
                while self.atp(","):
                    self.advance()
                    self.nls()
                    args.append(self.expr(no_gt=True))
        if is_printf and not args:
            raise self.fail()
        mode = ""
        dest = None
        if self.atp(">", ">>", "|"):
            mode = self.advance().val
            dest = self.concat(no_gt=True)
        return Print(is_printf, args, mode, dest)

    def expr_list(self, close: str) -> list[Node]:
        out = [self.expr()]
        while self.atp(","):
            self.advance()
            self.nls()
            out.append(self.expr())
        self.expect(close)
        return out

    # expressions, lowest precedence first

    def expr(self, no_gt: bool = False, no_in: bool = False) -> Node:
        self.depth += 1
        if self.depth > 150:
            raise self.fail("Too deeply nested")
        try:
            return self.ternary(no_gt, no_in)
        finally:
            self.depth -= 1

    def ternary(self, no_gt: bool, no_in: bool) -> Node:
        c = self.or_(no_gt, no_in)
        if self.atp("?"):
            self.advance()
            self.nls()
            a = self.expr(no_gt, no_in)
            self.nls()
            self.expect(":")
            self.nls()
            b = self.expr(no_gt, no_in)
            return Cond(c, a, b)
        if self.atp("=", "+=", "-=", "*=", "/=", "%=", "^="):
            if not isinstance(c, Var | Field | Index):
                if self.atp("/="):
                    raise self.fail()
                raise self.fail()
            op = self.advance().val
            self.nls()
            return Assign(op, c, self.expr(no_gt, no_in))
        return c

    def or_(self, no_gt: bool, no_in: bool) -> Node:
        return self.logical("||", self.and_, no_gt, no_in)

    def and_(self, no_gt: bool, no_in: bool) -> Node:
        return self.logical("&&", self.in_, no_gt, no_in)

    def logical(
        self, op: str, operand: Callable[[bool, bool], Node], no_gt: bool, no_in: bool
    ) -> Node:
        """``a || b || ...`` (or ``&&``), left to right; a newline may follow the operator."""
        a = operand(no_gt, no_in)
        while self.atp(op):
            self.advance()
            self.nls()
            a = Bin(op, a, operand(no_gt, no_in))
        return a

    def in_(self, no_gt: bool, no_in: bool) -> Node:
        a = self.match(no_gt, no_in)
        while not no_in and self.at("kw", "in"):
            self.advance()
            if not self.at("name"):
                raise self.fail()
            subs = a.items if isinstance(a, Multi) else [a]
            a = In(subs, self.advance().val)
        return a

    def match(self, no_gt: bool, no_in: bool) -> Node:
        a = self.compare(no_gt, no_in)
        while self.atp("~", "!~"):
            neg = self.advance().val == "!~"
            a = MatchOp(neg, a, self.compare(no_gt, no_in))
        return a

    def compare(self, no_gt: bool, no_in: bool) -> Node:
        a = self.pipe_getline(no_gt)
        while True:
            if self.atp("<", "<=", "!=", "==", ">=") or (self.atp(">") and not no_gt):
                op = self.advance().val
                a = Bin(op, a, self.pipe_getline(no_gt))
            else:
                return a

    def pipe_getline(self, no_gt: bool) -> Node:
        a = self.concat(no_gt)
        while self.atp("|"):
            save = (self.lx.i, self.lx.line, self.tok, self.lx.prev)
            self.advance()
            if not self.at("kw", "getline"):
                self.lx.i, self.lx.line, self.tok, self.lx.prev = save
                return a
            self.advance()
            lv = self.opt_lvalue()
            a = Getline("cmd", lv, a)
        return a

    def starts_operand(self) -> bool:
        t = self.tok
        if t.kind in ("num", "str", "ere", "name", "func", "builtin"):
            return True
        if t.kind == "kw" and t.val == "getline":
            return False
        return t.kind == "punct" and t.val in ("$", "!", "(", "-", "+", "++", "--")

    def concat(self, no_gt: bool = False) -> Node:
        a = self.additive()
        while self.starts_operand() and not self.atp("+", "-"):
            if self.atp("!"):
                break
            a = Bin("cat", a, self.additive())
        return a

    def additive(self) -> Node:
        a = self.mult()
        while self.atp("+", "-"):
            op = self.advance().val
            a = Bin(op, a, self.mult())
        return a

    def mult(self) -> Node:
        a = self.unary()
        while self.atp("*", "/", "%"):
            op = self.advance().val
            a = Bin(op, a, self.unary())
        return a

    def unary(self) -> Node:
        if self.atp("!", "-", "+"):
            op = self.advance().val
            self.depth += 1
            if self.depth > 150:
                raise self.fail("Too deeply nested")
            e = self.unary()
            self.depth -= 1
            return Unary(op, e)
        return self.power()

    def power(self) -> Node:
        a = self.postfix()
        if self.atp("^"):
            self.advance()
            if self.atp("-", "+", "!"):
                return Bin("^", a, self.unary())
            return Bin("^", a, self.power())
        return a

    def postfix(self) -> Node:
        if self.atp("++", "--"):
            d = 1.0 if self.advance().val == "++" else -1.0
            lv = self.postfix()
            if not isinstance(lv, Var | Field | Index):
                raise self.fail()
            return Incr(True, d, lv)
        a = self.primary()
        if isinstance(a, Var | Field | Index) and self.atp("++", "--"):
            d = 1.0 if self.advance().val == "++" else -1.0
            return Incr(False, d, a)
        return a

    def opt_lvalue(self) -> Node | None:
        if self.at("name"):
            nm = self.advance().val
            if self.atp("["):
                self.advance()
                return Index(nm, self.expr_list("]"))
            return Var(nm)
        if self.atp("$"):
            self.advance()
            return Field(self.field_operand())
        return None

    def field_operand(self) -> Node:
        if self.atp("++", "--"):
            return self.postfix()
        if self.atp("-", "+", "!"):
            op = self.advance().val
            return Unary(op, self.field_operand())
        return self.primary()

    def primary(self) -> Node:
        t = self.tok
        if t.kind == "num":
            self.advance()
            return Lit(t.num)
        if t.kind == "str":
            self.advance()
            return Lit(t.val)
        if t.kind == "ere":
            self.advance()
            return Ere(t.val)
        if t.kind == "punct":
            if t.val == "$":
                self.advance()
                return Field(self.field_operand())
            if t.val == "(":
                self.advance()
                self.nls()
                e = self.expr()
                if self.atp(","):
                    items = [e]
                    while self.atp(","):
                        self.advance()
                        self.nls()
                        items.append(self.expr())
                    self.nls()
                    self.expect(")")
                    if not (
                        self.at("kw", "in")
                        or self.atp(">", ">>", "|", ";", "}")
                        or self.at("nl")
                        or self.at("eof")
                    ):
                        raise self.fail()
                    return Multi(items)
                self.nls()
                self.expect(")")
                return Group(e)
            raise self.fail()
        if t.kind == "kw" and t.val == "getline":
            self.advance()
            lv = self.opt_lvalue()
            if self.atp("<"):
                self.advance()
                return Getline("file", lv, self.primary_for_redirect())
            return Getline("main", lv, None)
        if t.kind == "name":
            self.advance()
            if self.atp("["):
                self.advance()
                return Index(t.val, self.expr_list("]"))
            return Var(t.val)
        if t.kind == "func":
            self.advance()
            self.expect("(")
            args: list[Node] = []
            self.nls()
            if not self.atp(")"):
                args = self.expr_list(")")
            else:
                self.advance()
            return Call(t.val, args, True)
        if t.kind == "builtin":
            self.advance()
            if self.atp("("):
                self.advance()
                self.nls()
                args = []
                if not self.atp(")"):
                    args = self.expr_list(")")
                else:
                    self.advance()
                return self.check_builtin(t.val, args)
            if t.val == "length":
                return Call("length", [])
            raise self.fail()
        raise self.fail()

    def primary_for_redirect(self) -> Node:
        if self.atp("$"):
            self.advance()
            return Field(self.field_operand())
        return self.primary()

    def check_builtin(self, name: str, args: list[Node]) -> Call:
        lo, hi = {
            "length": (0, 1),
            "substr": (2, 3),
            "index": (2, 2),
            "split": (2, 3),
            "sub": (2, 3),
            "gsub": (2, 3),
            "match": (2, 2),
            "sprintf": (1, 999),
            "tolower": (1, 1),
            "toupper": (1, 1),
            "int": (1, 1),
            "sqrt": (1, 1),
            "exp": (1, 1),
            "log": (1, 1),
            "sin": (1, 1),
            "cos": (1, 1),
            "atan2": (2, 2),
            "rand": (0, 0),
            "srand": (0, 1),
            "system": (1, 1),
            "close": (1, 1),
            "fflush": (0, 1),
        }[name]
        if not lo <= len(args) <= hi:
            raise self.fail("Too few arguments" if len(args) < lo else "Too many arguments")
        if name == "split" and not isinstance(args[1], Var):
            raise self.fail()
        if (
            name in ("sub", "gsub")
            and len(args) == 3
            and not isinstance(args[2], Var | Field | Index)
        ):
            raise self.fail()
        return Call(name, args)


def parse(src: str) -> Program:
    return Parser(src).parse()


# --- printf -----------------------------------------------------------------------------

_SPEC = re.compile(r"%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?([a-zA-Z%])")


def format_printf(fmt: str, args: list[Val], hold: Callable[[int], None] | None = None) -> str:
    """awk's printf; ``hold`` is told how long the text is about to be (the byte limit)."""
    out: list[str] = []
    i = 0
    ai = 0

    def take() -> Val:
        nonlocal ai
        if ai < len(args):
            ai += 1
            return args[ai - 1]
        return UNINIT

    while True:
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:])
            break
        out.append(fmt[i:j])
        m = _SPEC.match(fmt, j)
        if m is None:
            out.append(fmt[j:])
            break
        flags, width, prec, conv = m.groups()
        i = m.end()
        if conv == "%":
            out.append("%")
            continue
        if width == "*" or prec == "*":
            raise AwkError("%*x formats are not supported")
        spec = "%" + flags + (width or "") + ("." + prec if prec is not None else "")
        if hold is not None:  # a huge width or precision is refused before it is made
            hold(sum(map(len, out)) + int(width or 0) + int(prec or 0))
        if conv in "di":
            n = _c_int(to_num(take()))
            out.append((spec + "d") % n)
        elif conv in "ouxX":
            n = _c_int(to_num(take()))
            if n < 0:
                n &= 0xFFFFFFFF
            out.append((spec + ("d" if conv == "u" else conv)) % n)
        elif conv in "eEfFgG":
            out.append((spec + conv) % to_num(take()))
        elif conv == "c":
            cv = take()
            ch = chr(int(cv) & 0xFF) if isinstance(cv, float) else (cv[:1] or "\0")
            out.append((spec.replace("0", "") + "s") % ch if not prec else ch)
        elif conv == "s":
            sv = take()
            out.append((spec + "s") % (num_str(sv) if isinstance(sv, float) else sv))
        else:
            out.append(m.group(0))
    return "".join(out)


def _c_int(v: float) -> int:
    """``(int)v`` as busybox's printf does it on x86: out of range is INT_MIN."""
    if v != v or not -(2**31) <= v < 2**31:
        return -(2**31)
    return int(v)


# --- run time ---------------------------------------------------------------------------


class NextRecord(Exception):
    pass


class NextFile(Exception):
    pass


class ExitProgram(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


class BreakLoop(Exception):
    pass


class ContinueLoop(Exception):
    pass


class ReturnFunc(Exception):
    def __init__(self, v: Val) -> None:
        self.v = v


class Reader:
    """Records out of one text (RS: one character, or "" for paragraphs)."""

    def __init__(self, data: str) -> None:
        self.data = data
        self.pos = 0

    def read(self, rs: str) -> str | None:
        d = self.data
        if rs == "":
            while self.pos < len(d) and d[self.pos] == "\n":
                self.pos += 1
            if self.pos >= len(d):
                return None
            m = re.compile(r"\n\n+").search(d, self.pos)
            if m is None:
                rec = d[self.pos :]
                self.pos = len(d)
                return rec
            rec = d[self.pos : m.start()]
            self.pos = m.end()
            return rec
        if self.pos >= len(d):
            return None
        sep = rs[0]
        j = d.find(sep, self.pos)
        if j < 0:
            rec = d[self.pos :]
            self.pos = len(d)
            return rec
        rec = d[self.pos : j]
        self.pos = j + 1
        return rec


_RE_ESC = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v", "a": "\a", "/": "/", '"': '"'}


def _re_escapes(src: str) -> str:
    """awk's escapes in a regex (``\\t``, ``\\/``, octal — inside brackets too), before it is
    read as a POSIX ERE; the other backslashes are left to the ERE."""

    def one(m: re.Match[str]) -> str:
        x = m.group(1)
        if x[0] in "01234567":
            return re.escape(chr(int(x, 8) & 0xFF))
        return _RE_ESC.get(x, m.group(0))

    return re.sub(r"\\([0-7]{1,3}|.)", one, src, flags=re.S)


def _dec(b: bytes) -> str:
    return b.decode("latin-1")


def _enc(s: str) -> bytes:
    return s.encode("latin-1", "replace")


class Interp:
    def __init__(self, proc: Proc, prog: Program, operands: list[str]) -> None:
        self.proc = proc
        self.sys = Sys(proc)
        self.prog = prog
        self.g: dict[str, Val] = {
            "FS": " ",
            "OFS": " ",
            "ORS": "\n",
            "RS": "\n",
            "NR": 0.0,
            "FNR": 0.0,
            "SUBSEP": "\x1c",
            "CONVFMT": "%.6g",
            "OFMT": "%.6g",
            "RSTART": 0.0,
            "RLENGTH": -1.0,
            "FILENAME": "",
        }
        self.arrays: dict[str, Array] = {
            "ENVIRON": {k: StrNum(v) for k, v in proc.env.items()},
            "ARGV": {str(i): StrNum(a) for i, a in enumerate(["awk", *operands])},
        }
        self.g["ARGC"] = float(len(operands) + 1)
        self.frames: list[dict[str, Val | Array]] = []
        self.record = ""
        self.fields: list[str] | None = []  # $1..$NF (None: split lazily)
        self.nf = 0
        self.regex_cache: dict[str, Regex[str]] = {}
        self.outputs: dict[str, list[str]] = {}
        self.out_mode: dict[str, str] = {}
        self.readers: dict[str, Reader] = {}
        self.rng = random.Random(0)
        self.seed = 0.0
        self.main: Reader | None = None
        self.arg_i = 1
        self.used_file = False
        self.status = 0

    # variables

    def get_raw(self, name: str) -> Val | Array:
        if self.frames and name in self.frames[-1]:
            return self.frames[-1][name]
        return self.arrays.get(name) or self.g.get(name, UNINIT)

    def get(self, name: str) -> Val:
        if self.frames and name in self.frames[-1]:
            v = self.frames[-1][name]
            if isinstance(v, dict):
                raise AwkError(f"Can't use array {name} as a scalar")
            return v
        if name == "NF":
            self.split_fields()
            return float(self.nf)
        if name in self.arrays:
            raise AwkError(f"Can't use array {name} as a scalar")
        return self.g.get(name, UNINIT)

    def set(self, name: str, v: Val) -> None:
        if self.frames and name in self.frames[-1]:
            self.frames[-1][name] = v
            return
        if name in self.arrays:
            raise AwkError(f"Can't use array {name} as a scalar")
        if name == "NF":
            self.split_fields()
            n = max(0, int(to_num(v)))
            assert self.fields is not None
            self.fields = (self.fields + [""] * n)[:n]
            self.nf = n
            self.rebuild()
            self.g["NF"] = float(n)
            return
        self.g[name] = v

    def array(self, name: str) -> Array:
        if self.frames and name in self.frames[-1]:
            v = self.frames[-1][name]
            if isinstance(v, dict):
                return v
            if v is UNINIT:
                a: Array = {}
                self.frames[-1][name] = a
                return a
            raise AwkError(f"Can't use scalar {name} as array")
        if name in self.g and name != "NF":
            if self.g[name] is UNINIT:
                del self.g[name]
            else:
                raise AwkError(f"Can't use scalar {name} as array")
        return self.arrays.setdefault(name, {})

    # fields

    def set_record(self, rec: str) -> None:
        self.record = rec
        self.fields = None

    def split_fields(self) -> None:
        if self.fields is None:
            self.fields = self.split(self.record, self.str_of(self.g["FS"]), True)
            self.nf = len(self.fields)

    def split(self, s: str, fs: str, record: bool = False) -> list[str]:
        if fs == " ":
            return s.split() if s.strip(" \t\n") else []
        if s == "":
            return []
        if record and self.str_of(self.g["RS"]) == "" and fs != "\n":
            out: list[str] = []
            for line in s.split("\n"):
                out.extend(self.split(line, fs) if line else [""])
            return out
        if len(fs) == 1 and fs != "\\":
            return s.split(fs)
        if fs == "\t" or fs == "\\t":
            return s.split("\t")
        return self.regex(fs).split(s)

    def rebuild(self) -> None:
        assert self.fields is not None
        self.record = self.str_of(self.g["OFS"]).join(self.fields)

    def get_field(self, i: int) -> Val:
        if i < 0:
            raise AwkError("Access to negative field")
        if i == 0:
            return StrNum(self.record)
        self.split_fields()
        assert self.fields is not None
        return StrNum(self.fields[i - 1]) if i <= self.nf else UNINIT

    def set_field(self, i: int, v: Val) -> None:
        s = self.str_of(v)
        if i < 0:
            raise AwkError("Access to negative field")
        if i == 0:
            self.set_record(s)
            return
        self.split_fields()
        assert self.fields is not None
        if i > self.nf:
            self.fields.extend([""] * (i - self.nf))
            self.nf = i
        self.fields[i - 1] = s
        self.rebuild()

    # conversions

    def str_of(self, v: Val) -> str:
        if isinstance(v, float):
            return num_str(v, self.str_of(self.g["CONVFMT"]) if "CONVFMT" in self.g else "%.6g")
        return v

    def out_str(self, v: Val) -> str:
        if isinstance(v, float):
            return num_str(v, self.str_of(self.g["OFMT"]))
        return v

    def regex(self, src: str) -> Regex[str]:
        p = self.regex_cache.get(src)
        if p is None:
            try:
                p = linear.compile(re.compile(translate(_re_escapes(src), True)))
            except (RegexError, re.error, RecursionError) as e:
                raise AwkError(f"bad regex '{src}': {e}") from None
            if len(self.regex_cache) > 500:
                self.regex_cache.clear()
            self.regex_cache[src] = p
        return p

    def regex_of(self, n: Node) -> Regex[str]:
        if isinstance(n, Ere):
            return self.regex(n.src)
        return self.regex(self.str_of(self.eval(n)))

    # evaluation

    def eval(self, n: Node) -> Val:
        if isinstance(n, Lit):
            return n.v
        if isinstance(n, Var):
            return self.get(n.name)
        if isinstance(n, Field):
            return self.get_field(int(to_num(self.eval(n.e))))
        if isinstance(n, Index):
            arr = self.array(n.name)
            k = self.key(n.subs)
            if k not in arr:
                arr[k] = UNINIT
            return arr[k]
        if isinstance(n, Bin):
            return self.binary(n)
        if isinstance(n, Group):
            return self.eval(n.e)
        if isinstance(n, Assign):
            if n.op == "=":
                v = self.eval(n.e)
                if isinstance(v, _Uninit):
                    v = StrNum("")
            else:
                rhs = to_num(self.eval(n.e))
                v = self.arith(n.op[0], to_num(self.eval(n.lv)), rhs)
            self.assign(n.lv, v)
            return v
        if isinstance(n, Ere):
            return 1.0 if self.regex(n.src).search(self.record) else 0.0
        if isinstance(n, Unary):
            v = self.eval(n.e)
            if n.op == "!":
                return 0.0 if truthy(v) else 1.0
            return -to_num(v) if n.op == "-" else to_num(v)
        if isinstance(n, Cond):
            return self.eval(n.a) if truthy(self.eval(n.c)) else self.eval(n.b)
        if isinstance(n, MatchOp):
            s = self.str_of(self.eval(n.e))
            hit = self.regex_of(n.r).search(s) is not None
            return 1.0 if hit != n.neg else 0.0
        if isinstance(n, In):
            return 1.0 if self.key(n.subs) in self.array(n.name) else 0.0
        if isinstance(n, Incr):
            old = to_num(self.eval(n.lv))
            self.assign(n.lv, old + n.delta)
            return old + n.delta if n.pre else old
        if isinstance(n, Call):
            return self.call_user(n) if n.user else self.builtin(n)
        if isinstance(n, Getline):
            return self.getline(n)
        if isinstance(n, Multi):
            return self.key(n.items)
        raise AwkError("Unexpected token")

    def key(self, subs: list[Node]) -> str:
        if len(subs) == 1:
            return self.str_of(self.eval(subs[0]))
        return self.str_of(self.g["SUBSEP"]).join(self.str_of(self.eval(s)) for s in subs)

    def assign(self, lv: Node, v: Val) -> None:
        if isinstance(lv, Var):
            self.set(lv.name, v)
        elif isinstance(lv, Field):
            self.set_field(int(to_num(self.eval(lv.e))), v)
        elif isinstance(lv, Index):
            arr = self.array(lv.name)
            arr[self.key(lv.subs)] = v
        else:
            raise AwkError("Unexpected token")

    def arith(self, op: str, a: float, b: float) -> float:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if b == 0:
                raise AwkError("Division by zero")
            return a / b
        if op == "%":
            if b == 0:
                raise AwkError("Division by zero")
            return math.fmod(a, b)
        if op == "^":
            try:
                r = a**b
            except (OverflowError, ZeroDivisionError):
                return math.inf
            return float(r.real) if isinstance(r, complex) else float(r)
        raise AwkError("Unexpected token")

    def binary(self, n: Bin) -> Val:
        op = n.op
        if op == "&&":
            return 1.0 if truthy(self.eval(n.a)) and truthy(self.eval(n.b)) else 0.0
        if op == "||":
            return 1.0 if truthy(self.eval(n.a)) or truthy(self.eval(n.b)) else 0.0
        a = self.eval(n.a)
        b = self.eval(n.b)
        if op == "cat":
            left, right = self.str_of(a), self.str_of(b)
            self.proc.limits.held(len(left) + len(right))
            return left + right
        if op in ("<", "<=", ">", ">=", "==", "!="):
            if is_numeric(a) and is_numeric(b):
                x, y = to_num(a), to_num(b)
                c = (x > y) - (x < y)
            else:
                s, t = self.str_of(a), self.str_of(b)
                c = (s > t) - (s < t)
            r = {
                "<": c < 0,
                "<=": c <= 0,
                ">": c > 0,
                ">=": c >= 0,
                "==": c == 0,
                "!=": c != 0,
            }[op]
            return 1.0 if r else 0.0
        return self.arith(op, to_num(a), to_num(b))

    def call_user(self, n: Call) -> Val:
        f = self.prog.funcs.get(n.name)
        if f is None:
            raise AwkError("Call to undefined function")
        if len(n.args) > len(f.params):
            raise AwkError("Too many arguments")
        frame: dict[str, Val | Array] = {}
        for p, a in zip(f.params, n.args, strict=False):
            if isinstance(a, Var) and (
                (self.frames and isinstance(self.frames[-1].get(a.name), dict))
                or (not (self.frames and a.name in self.frames[-1]) and a.name in self.arrays)
                or (p in f.arrays and self.get_raw(a.name) is UNINIT)
            ):
                frame[p] = self.array(a.name)
            else:
                frame[p] = self.eval(a)
        for p in f.params[len(n.args) :]:
            frame[p] = UNINIT
        if len(self.frames) >= 200:
            raise AwkError("Too deep recursion")
        self.proc.limits.step()
        self.frames.append(frame)
        try:
            self.exec(f.body)
        except ReturnFunc as r:
            return r.v
        finally:
            self.frames.pop()
        return UNINIT

    def builtin(self, n: Call) -> Val:
        name = n.name
        a = n.args
        if name == "length":
            if not a:
                return float(len(self.record))
            if isinstance(a[0], Var):
                nm = a[0].name
                fr = self.frames[-1] if self.frames else {}
                fv = fr.get(nm)
                if isinstance(fv, dict):
                    return float(len(fv))
                if nm not in fr and nm in self.arrays:
                    return float(len(self.arrays[nm]))
            return float(len(self.str_of(self.eval(a[0]))))
        if name == "substr":
            s = self.str_of(self.eval(a[0]))
            i = int(to_num(self.eval(a[1]))) - 1
            i = min(max(i, 0), len(s))
            cnt = int(to_num(self.eval(a[2]))) if len(a) > 2 else len(s) - i
            return s[i : i + max(cnt, 0)]
        if name == "index":
            s = self.str_of(self.eval(a[0]))
            t = self.str_of(self.eval(a[1]))
            return float(s.find(t) + 1) if t else 0.0
        if name == "split":
            s = self.str_of(self.eval(a[0]))
            assert isinstance(a[1], Var)
            if len(a) > 2:
                if isinstance(a[2], Ere):
                    parts = self.regex(a[2].src).split(s) if s else []
                else:
                    parts = self.split(s, self.str_of(self.eval(a[2])))
            else:
                parts = self.split(s, self.str_of(self.g["FS"]))
            arr = self.array(a[1].name)
            arr.clear()
            for k, p in enumerate(parts, 1):
                arr[str(k)] = StrNum(p)
            return float(len(parts))
        if name in ("sub", "gsub"):
            pat = self.regex_of(a[0])
            repl = self.str_of(self.eval(a[1]))
            target = a[2] if len(a) > 2 else Field(Lit(0.0))
            s = self.str_of(self.eval(target))
            count = 0

            def rep(m: re.Match[str]) -> str:
                nonlocal count
                count += 1
                out: list[str] = []
                i = 0
                while i < len(repl):
                    ch = repl[i]
                    if ch == "\\" and i + 1 < len(repl) and repl[i + 1] in "&\\":
                        out.append(repl[i + 1])
                        i += 2
                        continue
                    out.append(m.group(0) if ch == "&" else ch)
                    i += 1
                return "".join(out)

            new = pat.sub(rep, s, count=0 if name == "gsub" else 1)
            if count:
                self.assign(target, new)
            return float(count)
        if name == "match":
            s = self.str_of(self.eval(a[0]))
            m = self.regex_of(a[1]).search(s)
            if m is None:
                self.g["RSTART"], self.g["RLENGTH"] = 0.0, -1.0
            else:
                self.g["RSTART"] = float(m.start() + 1)
                self.g["RLENGTH"] = float(m.end() - m.start())
            return self.g["RSTART"]
        if name == "sprintf":
            vals = [self.eval(x) for x in a]
            return format_printf(self.str_of(vals[0]), vals[1:], self.proc.limits.held)
        if name == "tolower":
            return self.str_of(self.eval(a[0])).translate(_LOWER)
        if name == "toupper":
            return self.str_of(self.eval(a[0])).translate(_UPPER)
        if name == "int":
            v = to_num(self.eval(a[0]))
            return float(int(v)) if v == v and abs(v) != math.inf else v
        if name in ("sqrt", "exp", "log", "sin", "cos"):
            v = to_num(self.eval(a[0]))
            try:
                return float(getattr(math, name)(v))
            except (ValueError, OverflowError):
                if name == "exp":
                    return math.inf
                if name == "log" and v == 0:
                    return -math.inf
                return math.nan
        if name == "atan2":
            return math.atan2(to_num(self.eval(a[0])), to_num(self.eval(a[1])))
        if name == "rand":
            return self.rng.random()
        if name == "srand":
            prev = self.seed
            self.seed = to_num(self.eval(a[0])) if a else 0.0
            self.rng.seed(self.seed)
            return prev
        if name == "system":
            cmd = self.str_of(self.eval(a[0]))
            self.flush_all()
            return float(self.proc.run(["sh", "-c", cmd]))
        if name == "close":
            return float(self.close(self.str_of(self.eval(a[0]))))
        if name == "fflush":
            self.flush_all()
            return 0.0
        raise AwkError(f"Call to undefined function {name}")

    # input

    def next_main(self) -> str | None:
        while True:
            if self.main is None:
                if not self.open_next():
                    return None
                continue
            assert self.main is not None
            rec = self.main.read(self.str_of(self.g["RS"]))
            if rec is not None:
                self.g["NR"] = to_num(self.g["NR"]) + 1
                self.g["FNR"] = to_num(self.g["FNR"]) + 1
                return rec
            self.main = None

    def open_next(self) -> bool:
        argv = self.arrays["ARGV"]
        while self.arg_i < int(to_num(self.g["ARGC"])):
            arg = self.str_of(argv.get(str(self.arg_i), ""))
            self.arg_i += 1
            if arg == "":
                continue
            m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)\Z", arg, re.S)
            if m:
                self.set(m.group(1), StrNum(unescape(m.group(2))))
                continue
            self.used_file = True
            self.g["FILENAME"] = arg
            self.g["FNR"] = 0.0
            if arg == "-":
                self.main = Reader(_dec(self.proc.stdin))
                return True
            try:
                self.main = Reader(_dec(self.sys.read(arg)))
            except IsADirectoryError:
                raise AwkError("Is a directory") from None
            except OSError as e:
                raise Die(f"{arg}: {e.strerror}") from None
            return True
        if not self.used_file:
            self.used_file = True
            self.main = Reader(_dec(self.proc.stdin))
            return True
        return False

    def getline(self, n: Getline) -> Val:
        if n.kind == "main":
            rec = self.next_main()
            if rec is None:
                return 0.0
            if n.lv is None:
                self.set_record(rec)
            else:
                self.assign(n.lv, StrNum(rec))
            return 1.0
        assert n.src is not None
        name = self.str_of(self.eval(n.src))
        r = self.readers.get(name)
        if r is None:
            if n.kind == "file":
                try:
                    data = self.proc.stdin if name in ("-", "/dev/stdin") else self.sys.read(name)
                except OSError:
                    return -1.0
            else:
                self.flush_all()
                buf = Stream(self.proc.limits)
                child = replace(self.proc, stdout=buf)
                child.run(["sh", "-c", name])
                data = buf.getvalue()
            r = self.readers[name] = Reader(_dec(data))
        rec = r.read(self.str_of(self.g["RS"]))
        if rec is None:
            return 0.0
        if n.kind == "cmd":
            self.g["NR"] = to_num(self.g["NR"]) + 1
        if n.lv is None:
            self.set_record(rec)
        else:
            self.assign(n.lv, StrNum(rec))
        return 1.0

    # output

    def emit(self, mode: str, dest: str, text: str) -> None:
        if not mode or (dest in ("/dev/stdout", "-") and mode != "|"):
            self.proc.out(_enc(text))
            return
        if dest == "/dev/stderr" and mode != "|":
            self.proc.stderr.write(_enc(text))
            return
        if dest not in self.outputs:
            self.outputs[dest] = []
            self.out_mode[dest] = mode
            if mode == ">":
                try:
                    self.sys.write(dest, b"")
                except OSError as e:
                    raise Die(f"can't open '{dest}': {e.strerror}") from None
        self.outputs[dest].append(text)
        if sum(len(x) for x in self.outputs[dest]) > 1 << 16:
            self.flush(dest)

    def flush(self, dest: str) -> None:
        chunks = self.outputs.get(dest)
        if not chunks:
            return
        data = _enc("".join(chunks))
        chunks.clear()
        if self.out_mode[dest] == "|":
            self.proc.run(["sh", "-c", dest], data)
        else:
            try:
                self.sys.write(dest, data, append=True)
            except OSError as e:
                raise Die(f"can't open '{dest}': {e.strerror}") from None

    def flush_all(self) -> None:
        for d in list(self.outputs):
            if self.out_mode[d] != "|":
                self.flush(d)

    def close(self, name: str) -> int:
        found = -1
        if name in self.outputs:
            self.flush(name)
            del self.outputs[name]
            del self.out_mode[name]
            found = 0
        if name in self.readers:
            del self.readers[name]
            found = 0
        return found

    def close_all(self) -> None:
        for d in list(self.outputs):
            self.flush(d)
        self.outputs.clear()

    # statements

    def round(self, body: Node) -> bool:
        """One round of a loop's body: False when it ran ``break``."""
        self.proc.limits.step()
        try:
            self.exec(body)
        except BreakLoop:
            return False
        except ContinueLoop:
            pass
        return True

    def exec(self, n: Node) -> None:
        if isinstance(n, Block):
            for s in n.body:
                self.exec(s)
        elif isinstance(n, ExprStmt):
            self.eval(n.e)
        elif isinstance(n, Print):
            if n.printf:
                vals = [self.eval(x) for x in n.args]
                text = format_printf(self.str_of(vals[0]), vals[1:], self.proc.limits.held)
            else:
                parts = [self.out_str(self.eval(x)) for x in n.args] if n.args else [self.record]
                text = self.str_of(self.g["OFS"]).join(parts) + self.str_of(self.g["ORS"])
            dest = self.str_of(self.eval(n.dest)) if n.dest is not None else ""
            self.emit(n.mode, dest, text)
        elif isinstance(n, If):
            if truthy(self.eval(n.c)):
                self.exec(n.a)
            elif n.b is not None:
                self.exec(n.b)
        elif isinstance(n, While):
            first = n.do
            while first or truthy(self.eval(n.c)):
                first = False
                if not self.round(n.body):
                    break
        elif isinstance(n, For):
            if n.init is not None:
                self.exec(n.init)
            while n.c is None or truthy(self.eval(n.c)):
                if not self.round(n.body):
                    break
                if n.step is not None:
                    self.exec(n.step)
        elif isinstance(n, ForIn):
            for k in list(self.array(n.arr)):
                self.assign(n.var, StrNum(k))
                if not self.round(n.body):
                    break
        elif isinstance(n, Simple):
            k = n.kind
            if k == "next":
                raise NextRecord
            if k == "nextfile":
                raise NextFile
            if k == "break":
                raise BreakLoop
            if k == "continue":
                raise ContinueLoop
            if k == "exit":
                if n.e is not None:
                    self.status = int(to_num(self.eval(n.e))) & 0xFF
                raise ExitProgram(self.status)
            raise ReturnFunc(self.eval(n.e) if n.e is not None else UNINIT)
        elif isinstance(n, Delete):
            arr = self.array(n.name)
            if n.subs is None:
                arr.clear()
            else:
                arr.pop(self.key(n.subs), None)
        else:
            raise AwkError("Unexpected token")

    def matches(self, r: Rule) -> bool:
        if r.pat is None:
            return True
        if r.pat2 is None:
            return truthy(self.eval(r.pat))
        if not r.active:
            if not truthy(self.eval(r.pat)):
                return False
            r.active = True
        if truthy(self.eval(r.pat2)):
            r.active = False
        return True

    def run(self) -> int:
        begins = [r for r in self.prog.rules if r.kind == "BEGIN"]
        ends = [r for r in self.prog.rules if r.kind == "END"]
        mains = [r for r in self.prog.rules if r.kind == "main"]
        code: int | None = None
        try:
            for r in begins:
                assert r.body is not None
                self.exec(r.body)
            if mains or ends:
                while True:
                    rec = self.next_main()
                    if rec is None:
                        break
                    self.set_record(rec)
                    self.proc.limits.step()  # one step a record (and one a loop turn)
                    try:
                        for r in mains:
                            if self.matches(r):
                                if r.body is None:
                                    self.emit("", "", self.record + self.str_of(self.g["ORS"]))
                                else:
                                    self.exec(r.body)
                    except NextRecord:
                        pass
                    except NextFile:
                        self.main = None
        except ExitProgram as e:
            code = e.code
        except (BreakLoop, ContinueLoop, ReturnFunc, NextRecord, NextFile):
            pass
        try:
            for r in ends:
                assert r.body is not None
                self.exec(r.body)
        except ExitProgram as e:
            code = e.code
        except (BreakLoop, ContinueLoop, ReturnFunc, NextRecord, NextFile):
            pass
        self.close_all()
        return self.status if code is None else code


_LOWER = {i: i + 32 for i in range(65, 91)}
_UPPER = {i + 32: i for i in range(65, 91)}


def _fs_arg(s: str) -> str:
    return "\t" if s == "t" else unescape(s)


@applet(
    "awk",
    usage="[OPTIONS] [AWK_PROGRAM] [FILE]...",
    note="modelled: POSIX awk as busybox runs it; system() and cmd|getline run in emu's shell",
)
def awk(proc: Proc) -> int:
    o = getopt(proc.argv[1:], "F:v:f:e:", permute=False)
    assigns: list[str] = []
    fs: str | None = None
    progs: list[str] = []
    for opt, val in o.given():
        assert val is not None
        if opt == "F":
            fs = _fs_arg(val)
        elif opt == "v":
            assigns.append(val)
        elif opt == "f":
            try:
                progs.append(_dec(Sys(proc).read(val)))
            except OSError as e:
                raise Die(f"{val}: {e.strerror}") from None
        else:
            progs.append(val)
    rest = o.args
    if not progs:
        if not rest:
            raise Die(usage=True)
        progs.append(rest[0].encode("utf-8", "surrogateescape").decode("latin-1"))
        rest = rest[1:]
    prog = parse("\n".join(progs))
    operands = [r.encode("utf-8", "surrogateescape").decode("latin-1") for r in rest]
    it = Interp(proc, prog, operands)
    if fs is not None:
        it.g["FS"] = fs
    for asg in assigns:
        name, eq, value = asg.partition("=")
        if not eq or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise Die(f"invalid -v argument: {asg}")
        it.set(name, StrNum(unescape(value)))
    return it.run()


Handler = Callable[[Proc], int]
