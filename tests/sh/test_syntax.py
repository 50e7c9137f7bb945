"""The shell parser: AST shapes, positions on every node, ash's error wording, quoting."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from emu.pos import Position
from emu.sh import syntax
from emu.sh.api import ShellError
from emu.sh.syntax import (
    AndOr,
    ArithExp,
    Assign,
    Background,
    Case,
    CmdSubst,
    DblQuoted,
    For,
    FuncDef,
    Group,
    If,
    Lit,
    ParamExp,
    Pipeline,
    Redirected,
    SglQuoted,
    Simple,
    Subshell,
    While,
    Word,
    parse,
    parse_partial,
    quote,
)


def one(src: str) -> syntax.Command:
    body = parse(src).body
    assert len(body) == 1
    return body[0]


def simple(src: str) -> Simple:
    node = one(src)
    assert isinstance(node, Simple)
    return node


def nodes(obj: object) -> Iterator[object]:
    """Every AST node under ``obj`` (dataclass instances), depth first."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        yield obj
        for f in dataclasses.fields(obj):
            yield from nodes(getattr(obj, f.name))
    elif isinstance(obj, tuple | list):
        for x in obj:
            yield from nodes(x)


# --- shapes --------------------------------------------------------------------------------


def test_simple_command_parts() -> None:
    cmd = simple("A=1 B=$x echo 'a b' \"c $d\" >out 2>&1")
    assert [a.name for a in cmd.assigns] == ["A", "B"]
    assert cmd.assigns[0].value.lit == "1"
    assert isinstance(cmd.assigns[1].value.parts[0], ParamExp)
    assert [w.lit for w in cmd.args] == ["echo", "a b", None]
    dq = cmd.args[2].parts[0]
    assert isinstance(dq, DblQuoted)
    assert isinstance(dq.parts[0], Lit) and dq.parts[0].value == "c "
    assert [(r.fd, r.op, r.target.lit) for r in cmd.redirs] == [(1, ">", "out"), (2, ">&", "1")]


def test_assignment_only_after_name() -> None:
    cmd = simple("echo a=b")
    assert not cmd.assigns and [w.lit for w in cmd.args] == ["echo", "a=b"]


def test_literal_fast_path() -> None:
    cmd = simple("echo plain 'q*' \"d\" a\\*b *.c ~/x")
    lits = [w.lit for w in cmd.args]
    # Quoted glob characters are literal; unquoted ones and a leading tilde are not.
    assert lits == ["echo", "plain", "q*", "d", "a*b", None, None]


def test_pipeline_and_or_background() -> None:
    node = one("a | b && ! c || d &")
    assert isinstance(node, Background)
    inner = node.cmd
    assert isinstance(inner, AndOr) and inner.op == "||"
    left = inner.left
    assert isinstance(left, AndOr) and left.op == "&&"
    assert isinstance(left.left, Pipeline) and len(left.left.cmds) == 2
    assert isinstance(left.right, Pipeline) and left.right.negated


def test_compound_commands() -> None:
    src = """if a; then b; elif c; then d; else e; fi
while x; do y; done
until x; do y; done
for i in 1 2; do :; done
for i; do :; done
case $v in a|b) one;; (c) two;; *) ;; esac
f() { g; }
( sub ) > out
{ grp; } 2>/dev/null
"""
    body = parse(src).body
    kinds = [type(n) for n in body]
    assert kinds == [If, While, While, For, For, Case, FuncDef, Redirected, Redirected]
    first = body[0]
    assert isinstance(first, If) and first.orelse is not None
    elif_ = first.orelse[0]
    assert isinstance(elif_, If) and elif_.orelse is not None
    assert isinstance(body[2], While) and body[2].until
    assert isinstance(body[4], For) and body[4].items is None
    case = body[5]
    assert isinstance(case, Case)
    assert [len(i.patterns) for i in case.items] == [2, 1, 1]
    assert case.items[2].body == ()
    red = body[7]
    assert isinstance(red, Redirected) and isinstance(red.cmd, Subshell)
    red2 = body[8]
    assert isinstance(red2, Redirected) and isinstance(red2.cmd, Group)


def test_parameter_expansions() -> None:
    cmd = simple("echo ${a:-x} ${b#p} ${c%%q} ${d/x/y} ${e//x} ${f:1:2} ${#g} $1 ${10} $@ $?")
    params = [w.parts[0] for w in cmd.args[1:]]
    assert all(isinstance(p, ParamExp) for p in params)
    ops = [(p.name, p.op, p.length) for p in params if isinstance(p, ParamExp)]
    assert ops == [
        ("a", ":-", False),
        ("b", "#", False),
        ("c", "%%", False),
        ("d", "/", False),
        ("e", "//", False),
        ("f", ":", False),
        ("g", "", True),
        ("1", "", False),
        ("10", "", False),
        ("@", "", False),
        ("?", "", False),
    ]
    sub = params[5]
    assert isinstance(sub, ParamExp) and sub.arg is not None and sub.arg2 is not None


def test_substitutions_are_parsed_once_into_the_tree() -> None:
    cmd = simple("echo $(a | b) `c $(d)` $((1 + $x))")
    cs = cmd.args[1].parts[0]
    assert isinstance(cs, CmdSubst) and isinstance(cs.body[0], Pipeline)
    bq = cmd.args[2].parts[0]
    assert isinstance(bq, CmdSubst) and bq.backquote
    inner = bq.body[0]
    assert isinstance(inner, Simple) and isinstance(inner.args[1].parts[0], CmdSubst)
    ar = cmd.args[3].parts[0]
    assert isinstance(ar, ArithExp)
    assert isinstance(ar.expr.parts[1], ParamExp)


def test_heredocs() -> None:
    src = "cat <<A <<-'B'; echo after\nbody $x\nA\n\tliteral $y\n\tB\necho next\n"
    body = parse(src).body
    assert len(body) == 3
    cat = body[0]
    assert isinstance(cat, Simple)
    a, b = (r.heredoc for r in cat.redirs)
    assert a is not None and b is not None
    assert not a.quoted and b.quoted and b.strip_tabs
    assert a.body is not None and b.body is not None
    assert any(isinstance(p, ParamExp) for p in a.body.parts)
    assert b.body.lit == "literal $y\n"
    assert a.body.pos == Position(2, 1)


def test_quote_shapes() -> None:
    assert quote("") == "''"
    assert quote("abc") == "'abc'"
    assert quote("it's") == "'it'\"'\"'s'"
    assert quote("''x") == "''\"''\"'x'"
    assert quote("x'") == "'x'\"'\""
    assert syntax.maybe_quote("a-b/c.d") == "a-b/c.d"
    assert syntax.maybe_quote("a b") == "'a b'"
    assert syntax.maybe_quote("") == ""


# --- positions -----------------------------------------------------------------------------


SAMPLES = [
    "echo hi",
    "a=1 b=2\nfoo bar >x 2>&1 <in\n",
    'if true; then\n  echo "x $y ${z:-w}"\nelif false; then :\nelse\n  exit 3\nfi',
    "for i in a b c; do\n  case $i in\n    a) echo A;;\n    *) echo $((i+1));;\n  esac\ndone",
    "f() {\n  local x=$(echo `echo nested`)\n  return 2\n}\nf | cat &",
    "cat <<EOF\nline $x\nEOF\n{ echo; } >/dev/null",
]


@pytest.mark.parametrize("src", SAMPLES)
def test_every_node_has_a_position_inside_the_text(src: str) -> None:
    lines = src.split("\n")
    count = 0
    for node in nodes(parse(src)):
        if isinstance(node, syntax.Script | Position):
            continue
        pos = getattr(node, "pos", None)
        assert isinstance(pos, Position), node
        assert 1 <= pos.line <= len(lines), node
        assert 1 <= pos.column <= len(lines[pos.line - 1]) + 1, node
        count += 1
    assert count > 0


def test_positions_point_at_the_text() -> None:
    src = "echo a\n  if x; then\n    y=$(z) w\n  fi"
    body = parse(src).body
    assert body[0].pos == Position(1, 1)
    node = body[1]
    assert isinstance(node, If) and node.pos == Position(2, 3)
    inner = node.body[0]
    assert isinstance(inner, Simple) and inner.pos == Position(3, 5)
    assign = inner.assigns[0]
    assert isinstance(assign, Assign)
    assert assign.value.pos == Position(3, 7)
    cs = assign.value.parts[0]
    assert isinstance(cs, CmdSubst) and cs.pos == Position(3, 7)
    assert cs.body[0].pos == Position(3, 9)
    assert inner.args[0].pos == Position(3, 12)


def test_backquote_positions_map_into_the_script() -> None:
    cmd = simple("echo `ls -l`")
    bq = cmd.args[1].parts[0]
    assert isinstance(bq, CmdSubst)
    assert bq.body[0].pos == Position(1, 7)


# --- errors --------------------------------------------------------------------------------


ERRORS = [
    ("fi", 'syntax error: unexpected "fi"', (1, 1)),
    ("echo a; fi", 'syntax error: unexpected "fi"', (1, 9)),
    ("if true; then echo", 'syntax error: unexpected end of file (expecting "fi")', (1, 19)),
    ("if true; echo; fi", 'syntax error: unexpected "fi" (expecting "then")', (1, 16)),
    ("while true; do echo; fi", 'syntax error: unexpected "fi" (expecting "done")', (1, 22)),
    ("for x in a; echo; done", 'syntax error: unexpected word (expecting "do")', (1, 13)),
    ("echo )", 'syntax error: unexpected ")"', (1, 6)),
    ("( )", 'syntax error: unexpected ")"', (1, 3)),
    ("{ }", 'syntax error: unexpected "}"', (1, 3)),
    ("echo a |", "syntax error: unexpected end of file", (1, 9)),
    ("| x", 'syntax error: unexpected "|"', (1, 1)),
    ("echo a;;", 'syntax error: unexpected ";;"', (1, 7)),
    ('echo "abc', "syntax error: unterminated quoted string", (1, 10)),
    ("echo 'abc", "syntax error: unterminated quoted string", (1, 6)),
    ("echo ${x", "syntax error: missing '}'", (1, 6)),
    ("echo ${x!}", "syntax error: bad substitution", (1, 6)),
    ("echo $((1+2)", "syntax error: missing '))'", (1, 12)),
    ("echo `x", "syntax error: EOF in backquote substitution", (1, 6)),
    ("for 1 in a; do :; done", "syntax error: bad for loop variable", (1, 5)),
    ("echo > ;", 'syntax error: unexpected ";"', (1, 8)),
    ("echo > >", "syntax error: unexpected redirection", (1, 8)),
    ("cat <<< x", "syntax error: unexpected redirection", (1, 7)),
    ("[ ( a ) ]", 'syntax error: unexpected word (expecting ")")', (1, 5)),
    ("case a in a) x; fi", 'syntax error: unexpected "fi" (expecting ";;")', (1, 17)),
    ("echo ok\n\n  then", 'syntax error: unexpected "then"', (3, 3)),
]


@pytest.mark.parametrize(("src", "message", "where"), ERRORS)
def test_syntax_errors(src: str, message: str, where: tuple[int, int]) -> None:
    with pytest.raises(ShellError) as info:
        parse(src)
    assert info.value.message == message
    assert info.value.pos == Position(*where)
    assert info.value.exit_code == 2


def test_parse_partial_keeps_the_complete_commands_before_the_error() -> None:
    script, err = parse_partial("echo one\necho two; echo three\necho four; fi\necho five")
    assert err is not None and err.pos == Position(3, 12)
    assert len(script.body) == 3
    # The source is attached for a code frame.
    assert err.source is not None


@pytest.mark.parametrize(
    "src",
    [
        "(" * 3000 + "echo" + ")" * 3000,
        "echo " + "$(" * 3000 + ")" * 3000,
        "echo " + "${x:-" * 3000 + "}" * 3000,
        "if true; then " * 3000,
    ],
)
def test_deep_nesting_is_an_error_not_a_crash(src: str) -> None:
    with pytest.raises(ShellError) as info:
        parse(src)
    assert info.value.message == "syntax error: nesting too deep"


def test_reasonable_nesting_parses() -> None:
    parse("(" * 100 + "echo" + ")" * 100)
    parse("echo " + "${x:-" * 100 + "}" * 100)


def test_word_helpers() -> None:
    w = syntax.parse_word("a $b\n")
    assert isinstance(w, Word) and isinstance(w.parts[1], ParamExp)
    assert isinstance(simple("echo \\$x").args[1].parts[0], SglQuoted)
