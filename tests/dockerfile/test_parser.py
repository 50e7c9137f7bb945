"""Our own parser cases beyond BuildKit's corpus: dumps, spans, heredocs, directives."""

from __future__ import annotations

import pytest

from emu.dockerfile import parser
from emu.dockerfile.parser import parse
from emu.errors import ExpansionError, ParseError
from emu.pos import Position, Span

# (id, Dockerfile text, expected dump) — each row pins one BuildKit parsing rule.
DUMPS = [
    ("lowercase-keywords", "from busybox\nrun echo hi\n", '(from "busybox")\n(run "echo hi")\n'),
    (
        "backtick-escape",
        "# escape=`\nFROM a\nRUN echo \\ `\n  two\n",
        '(from "a")\n(run "echo \\\\   two")\n',
    ),
    (
        "comment-inside-continuation",
        "FROM a\nRUN echo one \\\n# a comment\n two\n",
        '(from "a")\n(run "echo one  two")\n',
    ),
    (
        "blank-inside-continuation",
        "FROM a\nRUN echo one \\\n\n two\n",
        '(from "a")\n(run "echo one  two")\n',
    ),
    ("single-quoted-json-is-shell", "FROM a\nCMD ['a']\n", '(from "a")\n(cmd "[\'a\']")\n'),
    ("env-legacy-rest-of-line", "FROM a\nENV A b  c\n", '(from "a")\n(env "A" "b  c" "")\n'),
    (
        "label-quotes-kept",
        'FROM a\nLABEL "k 1"="v w" x=\'y\'\n',
        '(from "a")\n(label "\\"k 1\\"" "\\"v w\\"" "=" "x" "\'y\'" "=")\n',
    ),
    (
        "flag-quotes-removed",
        'FROM a\nCOPY --chown="a b" x y\n',
        '(from "a")\n(copy ["--chown=a b"] "x" "y")\n',
    ),
    (
        "heredocs-not-dumped",
        "FROM a\nRUN <<EOF\necho hi\nEOF\nUSER me\n",
        '(from "a")\n(run "<<EOF")\n(user "me")\n',
    ),
    ("bom", "\ufeffFROM a\n", '(from "a")\n'),
    ("crlf", "FROM a\r\nRUN x \\\r\n y\r\n", '(from "a")\n(run "x  y")\n'),
    (
        "onbuild-child-flags",
        "FROM a\nONBUILD COPY --from=b /x /y\n",
        '(from "a")\n(onbuild (copy ["--from=b"] "/x" "/y"))\n',
    ),
    ("unknown-instruction-keeps-empty-arg", "FROM a\nFOO bar\n", '(from "a")\n(foo "")\n'),
    ("arg-words", "ARG a=1 b\nFROM a\n", '(arg "a=1" "b")\n(from "a")\n'),
    ("expose-whitespace", "FROM a\nEXPOSE 80  443/tcp\n", '(from "a")\n(expose "80" "443/tcp")\n'),
    (
        "late-directive-is-a-comment",
        "FROM a\n# escape=`\nRUN a \\\n b\n",
        '(from "a")\n(run "a  b")\n',
    ),
    ("non-ascii-printable-kept", "FROM a\nLABEL k=é☃\n", '(from "a")\n(label "k" "é☃" "=")\n'),
    ("control-chars-escaped", "FROM a\nRUN a\x01b\n", '(from "a")\n(run "a\\x01b")\n'),
    ("empty-json", "FROM a\nCMD []\n", '(from "a")\n(cmd)\n'),
    ("nan-is-not-json", "FROM a\nCMD [NaN]\n", '(from "a")\n(cmd "[NaN]")\n'),
    (
        "flags-read-byte-by-byte",
        "FROM a\nCOPY --chown=é x y\n",
        '(from "a")\n(copy ["--chown=Ã©"] "x" "y")\n',
    ),
    ("flags-stop-at-double-dash", "FROM a\nCOPY -- --x y\n", '(from "a")\n(copy "--x" "y")\n'),
]


@pytest.mark.parametrize(("src", "expected"), [pytest.param(s, e, id=i) for i, s, e in DUMPS])
def test_dump(src: str, expected: str) -> None:
    assert parse(src).dump() == expected


# (id, text, message, line, column)
ERRORS = [
    ("empty", "", "file with no instructions", 1, 1),
    ("only-blank", "\n\n", "file with no instructions", 2, 1),
    ("env-no-value", "FROM a\nENV PATH\n", "ENV must have two arguments", 2, 1),
    (
        "env-missing-equals",
        "FROM a\n  ENV a=b c\n",
        'Syntax error - can\'t find = in "c". Must be of the form: name=value',
        2,
        3,
    ),
    (
        "nested-json",
        'FROM a\nCMD ["a", 1]\n',
        "when using JSON array syntax, arrays must be comprised of strings only",
        2,
        1,
    ),
    ("bad-escape", "# escape=x\nFROM a\n", "invalid escape token 'x' does not match ` or \\", 1, 1),
    (
        "repeated-directive",
        "# escape=\\\n# ESCAPE=`\nFROM a\n",
        "only one escape parser directive can be used",
        2,
        1,
    ),
    ("unterminated-heredoc", "FROM a\nRUN <<EOF\necho\n", "unterminated heredoc", 2, 1),
    (
        "line-too-long",
        "FROM a\nRUN " + "x" * 70000 + "\n",
        "dockerfile line greater than max allowed size of 65535",
        2,
        1,
    ),
]


@pytest.mark.parametrize(
    ("src", "message", "line", "column"),
    [pytest.param(s, m, ln, c, id=i) for i, s, m, ln, c in ERRORS],
)
def test_errors_are_located(src: str, message: str, line: int, column: int) -> None:
    with pytest.raises(ParseError) as info:
        parse(src, "Dockerfile")
    err = info.value
    assert err.message == message
    assert err.pos == Position(line, column)
    assert str(err) == f"Dockerfile:{line}:{column}: {message}"


def test_spans_cover_continuations_and_heredocs() -> None:
    src = "FROM a\n  RUN one \\\n   two\nCOPY <<EOF /x\nbody\nEOF\n"
    nodes = parse(src).nodes
    run, copy = nodes[1], nodes[2]
    assert (run.span.start, run.span.end) == (Position(2, 3), Position(3, 7))
    # Any offset of the joined line maps back to its physical place.
    assert run.position_at(run.original.index("two")) == Position(3, 4)
    assert copy.span.end.line == 6
    (doc,) = copy.heredocs
    assert doc.span is not None and doc.span.start == Position(5, 1)


def test_heredoc_details() -> None:
    src = 'FROM a\nRUN 3<<EOF cat && <<-"END" sh\nhi $X\nEOF\n\techo\n\tEND\n'
    (run,) = parse(src).nodes[1:]
    first, second = run.heredocs
    assert (first.name, first.fd, first.expand, first.chomp, first.content) == (
        "EOF",
        3,
        True,
        False,
        "hi $X\n",
    )
    assert (second.name, second.expand, second.chomp, second.content) == (
        "END",
        False,
        True,
        "\techo\n",
    )


def test_heredocs_only_on_run_copy_add() -> None:
    nodes = parse("FROM a\nLABEL x=<<EOF\nUSER b\n").nodes
    assert [n.cmd for n in nodes] == ["from", "label", "user"]
    assert nodes[1].heredocs == ()


def test_exec_form_disables_heredocs() -> None:
    nodes = parse('FROM a\nRUN ["sh", "<<EOF"]\nUSER b\n').nodes
    assert nodes[1].json and nodes[1].heredocs == ()
    assert nodes[2].cmd == "user"


def test_directives_and_warnings() -> None:
    src = "#  SYNTAX = docker/dockerfile:1\n# check=error=true\nFROM a\nRUN a \\\n\n b\n"
    result = parse(src)
    assert [(d.name, d.value, d.line) for d in result.directives] == [
        ("syntax", "docker/dockerfile:1", 1),
        ("check", "error=true", 2),
    ]
    (warning,) = result.warnings
    assert warning.rule.name == "NoEmptyContinuation" and warning.line == 6


def test_blank_line_ends_directives() -> None:
    result = parse("\n# escape=`\nFROM a\n")
    assert result.directives == () and result.escape == "\\"


def test_comments_are_kept_for_docs() -> None:
    nodes = parse("# base sets the base\nARG base=a\n\n# builder builds\nFROM a AS builder\n").nodes
    assert nodes[0].comments == ("base sets the base",)
    assert nodes[1].comments == ("builder builds",)


# --- spans of every word ---------------------------------------------------------------------


def _text(src: str, span: Span) -> str:
    """The source text a one-line span covers."""
    assert span.start.line == span.end.line
    return src.splitlines()[span.start.line - 1][span.start.column - 1 : span.end.column - 1]


def test_every_word_has_its_span() -> None:
    src = 'FROM a\n  COPY --from=build --chown="a b" x.txt  /dst/\n'
    copy = parse(src).nodes[1]
    assert _text(src, copy.keyword_span) == "COPY"
    assert [_text(src, s) for s in copy.flag_spans] == ["--from=build", '--chown="a b"']
    assert copy.flags == ("--from=build", "--chown=a b")  # unquoted, as BuildKit keeps them
    values = [_text(src, s) for s in copy.flag_value_spans if s is not None]
    assert values == ["build", '"a b"']
    assert [_text(src, s) for s in copy.arg_spans] == ["x.txt", "/dst/"]
    assert copy.flag_span("chown") == copy.flag_spans[1]
    assert copy.flag_span("link") == copy.keyword_span  # absent: the instruction
    # A flag given twice: the last one is where it was set.
    twice = parse("FROM a\nCOPY --from=a \\\n  --chmod=644 --from=b x /\n").nodes[1]
    assert twice.flag_span("from") == twice.flag_spans[2] != twice.flag_spans[0]
    assert twice.flag_span("from").start.line == 3


def test_stage_name_span() -> None:
    src = "FROM alpine.1 AS .1\n"
    node = parse(src).nodes[0]
    assert [_text(src, s) for s in node.arg_spans] == ["alpine.1", "AS", ".1"]
    assert node.arg_spans[2] == Span(Position(1, 18), Position(1, 20))


@pytest.mark.parametrize(
    ("src", "args"),
    [
        ('FROM a\nENV a=1 b="two words"\n', ["a", "1", "=", "b", '"two words"', "="]),
        ("FROM a\nENV key the value\n", ["key", "the value", ""]),
        ('FROM a\nCMD [ "sh",  "-c" ]\n', ['"sh"', '"-c"']),
        ("FROM a\nRUN echo hi  there\n", ["echo hi  there"]),
        ("FROM a\nEXPOSE 80  443\n", ["80", "443"]),
        ("ARG a=1 'b c'\nFROM a\n", None),
        ('FROM a\nHEALTHCHECK --retries=3 CMD ["x", "y"]\n', ["CMD", '"x"', '"y"']),
        ("FROM a\nHEALTHCHECK CMD curl x\n", ["CMD", "curl x"]),
        ("FROM a\nVOLUME /a /b\n", ["/a", "/b"]),
    ],
)
def test_argument_spans(src: str, args: list[str] | None) -> None:
    node = parse(src).nodes[0 if args is None else 1]
    got = [_text(src, s) for s in node.arg_spans]
    # An empty separator (legacy ENV) sits where the value starts.
    assert got == (["a=1", "'b c'"] if args is None else args)
    assert len(node.arg_spans) == len(node.args)


def test_spans_across_continuations_and_onbuild() -> None:
    src = "FROM a\nRUN --mount=type=cache,target=/c \\\n    --network=none \\\n  echo hi\n"
    run = parse(src).nodes[1]
    assert run.flag_spans[1] == Span(Position(3, 5), Position(3, 19))
    # The shell-form argument runs from its first character to its last, over the lines.
    assert run.arg_spans[0] == Span(Position(4, 3), Position(4, 10))
    src = "FROM a\nONBUILD  COPY --from=b /x /y\n"
    child = parse(src).nodes[1].child
    assert child is not None
    assert _text(src, child.keyword_span) == "COPY"
    assert [_text(src, s) for s in child.flag_spans] == ["--from=b"]
    assert [_text(src, s) for s in child.arg_spans] == ["/x", "/y"]


def test_non_ascii_flag_spans() -> None:
    src = "FROM a\nCOPY --chown=é x y\n"
    copy = parse(src).nodes[1]
    assert copy.flags == ("--chown=Ã©",)  # Go reads flags byte by byte
    assert [_text(src, s) for s in copy.flag_spans] == ["--chown=é"]
    assert [_text(src, s) for s in copy.arg_spans] == ["x", "y"]


def test_a_heredoc_delimiter_that_cannot_expand_keeps_its_type(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # BuildKit's lexers make this rare (the line lexer fails first and the line then has
    # no heredocs); whatever ParseHeredoc raises is reported at the instruction.
    def fail(line: str) -> list[object]:
        raise ExpansionError("bad substitution", pos=Position(1, 3))

    monkeypatch.setattr(parser, "heredocs_in_line", fail)
    with pytest.raises(ExpansionError) as info:
        parse("FROM a\n  RUN <<EOF\nx\nEOF\n", "Dockerfile")
    assert info.value.file == "Dockerfile"
    assert info.value.span == Span(Position(2, 3), Position(2, 6))


def test_json_form_has_the_word_spans() -> None:
    from emu.dockerfile.jsonform import to_json

    (_, copy) = to_json(parse("FROM a\nCOPY --from=b x y\n"))["instructions"]
    assert copy["flags"] == ["--from=b"] and copy["args"] == ["x", "y"]
    assert copy["keyword_span"] == {
        "start": {"line": 2, "column": 1},
        "end": {"line": 2, "column": 5},
    }
    (flag,) = copy["flag_spans"]
    assert flag["span"]["start"] == {"line": 2, "column": 6}
    assert flag["value"] == {"start": {"line": 2, "column": 13}, "end": {"line": 2, "column": 14}}
    assert [s["start"]["column"] for s in copy["arg_spans"]] == [15, 17]


def test_a_long_parse_leaves_the_garbage_collector_as_it_found_it() -> None:
    """load() pauses the collector while a long Dockerfile parses (its nodes all survive,
    and the collector would walk them again and again): it is back on afterwards, also
    after a parse error, and stays off if the caller had turned it off."""
    import gc

    from emu.dockerfile.instructions import load
    from emu.errors import EmuError

    long = "FROM scratch\n" + "".join(f"ENV K{i}=v{i}\n" for i in range(3000))
    assert gc.isenabled()
    assert len(load(long).stages[0].commands) == 3000
    assert gc.isenabled()
    with pytest.raises(EmuError):
        load(long + "COPY --nosuchflag a b\n")
    assert gc.isenabled()
    gc.disable()
    try:
        load(long + "# another text\n")
        assert not gc.isenabled()
    finally:
        gc.enable()
