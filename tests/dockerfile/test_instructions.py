"""The typed layer: one dataclass per instruction, BuildKit's validation and wording."""

from __future__ import annotations

import pytest

from emu.dockerfile.instructions import (
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    Healthcheck,
    Label,
    Onbuild,
    Run,
    Shell,
    StopSignal,
    Volume,
    Workdir,
    load,
)
from emu.errors import EmuError, InstructionError
from emu.pos import Position

# (id, Dockerfile, message, line, column, hint fragment or None)
ERRORS = [
    (
        "unknown-instruction",
        "FROM a\nCOPPY x y\n",
        "unknown instruction: COPPY (did you mean COPY?)",
        2,
        1,
        None,
    ),
    (
        "unknown-instruction-keeps-case",
        "FROM a\nfrobnicate x\n",
        "unknown instruction: frobnicate",
        2,
        1,
        "instructions are",
    ),
    ("unknown-flag", "FROM a\nCOPY --form=x a b\n", "unknown flag: --form", 2, 6, "--from"),
    ("flag-on-flagless", "FROM a\nMAINTAINER --x me\n", "unknown flag: --x", 2, 12, "no flags"),
    (
        "missing-flag-value",
        "FROM a\nCOPY --from a b c\n",
        "missing a value on flag: --from",
        2,
        6,
        "--from=<value>",
    ),
    (
        "duplicate-flag",
        "FROM a\nCOPY --from=x --from=y a b\n",
        "duplicate flag specified: --from",
        2,
        15,
        None,
    ),
    (
        "bad-bool",
        "FROM a\nCOPY --link=maybe a b\n",
        "expecting boolean value for flag --link, not: maybe",
        2,
        6,
        None,
    ),
    ("empty-bool", "FROM a\nCOPY --link= a b\n", "missing a value on flag: --link", 2, 6, None),
    (
        "copy-no-dest",
        "FROM a\nCOPY a\n",
        "COPY requires at least two arguments, but only one was provided. "
        "Destination could not be determined",
        2,
        1,
        "COPY <src>... <dest>",
    ),
    (
        "bad-stage-name",
        "FROM a AS 1x\n",
        'invalid name for build stage: "1x", name can\'t start with a number or contain symbols',
        1,
        11,
        None,
    ),
    ("from-two-args", "FROM a b\n", "FROM requires either one or three arguments", 1, 1, None),
    (
        "onbuild-onbuild",
        "FROM a\nONBUILD ONBUILD RUN x\n",
        "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
        2,
        1,
        None,
    ),
    (
        "onbuild-from",
        "FROM a\nONBUILD FROM b\n",
        "FROM isn't allowed as an ONBUILD trigger",
        2,
        1,
        None,
    ),
    (
        "onbuild-maintainer",
        "FROM a\nonbuild maintainer me\n",
        "MAINTAINER isn't allowed as an ONBUILD trigger",
        2,
        1,
        None,
    ),
    ("before-from", "RUN x\nFROM a\n", "no build stage in current context", 1, 1, "FROM"),
    (
        "heredoc-dest",
        "FROM a\nCOPY a <<EOF\nx\nEOF\n",
        "COPY cannot accept a heredoc as a destination",
        2,
        1,
        None,
    ),
    (
        "short-interval",
        "FROM a\nHEALTHCHECK --interval=1us CMD x\n",
        'Interval "interval" cannot be less than 1ms',
        2,
        13,
        None,
    ),
    (
        "bad-duration",
        "FROM a\nHEALTHCHECK --timeout=abc CMD x\n",
        'time: invalid duration "abc"',
        2,
        13,
        None,
    ),
    (
        "negative-retries",
        "FROM a\nHEALTHCHECK --retries=-1 CMD x\n",
        "--retries cannot be negative (-1)",
        2,
        13,
        None,
    ),
    (
        "healthcheck-none-args",
        "FROM a\nHEALTHCHECK NONE x\n",
        "HEALTHCHECK NONE takes no arguments",
        2,
        1,
        None,
    ),
    (
        "healthcheck-type",
        "FROM a\nHEALTHCHECK CONNECT x\n",
        'Unknown type "CONNECT" in HEALTHCHECK (try CMD)',
        2,
        1,
        None,
    ),
    (
        "healthcheck-empty-cmd",
        "FROM a\nHEALTHCHECK CMD\n",
        "Missing command after HEALTHCHECK CMD",
        2,
        1,
        None,
    ),
    (
        "healthcheck-bare",
        "FROM a\nHEALTHCHECK\n",
        "HEALTHCHECK requires at least one argument",
        2,
        1,
        None,
    ),
    (
        "shell-not-json",
        "FROM a\nSHELL /bin/sh -c\n",
        "SHELL requires the arguments to be in JSON form",
        2,
        1,
        "JSON array",
    ),
    ("shell-empty", "FROM a\nSHELL []\n", "SHELL requires at least one argument", 2, 1, None),
    ("label-blank-key", "FROM a\nLABEL =x\n", "LABEL names can not be blank", 2, 1, None),
    ("env-blank-key", "FROM a\nENV =x\n", "ENV names can not be blank", 2, 1, None),
    ("arg-blank-key", "FROM a\nARG =x\n", "ARG names can not be blank", 2, 1, None),
    (
        "volume-empty",
        'FROM a\nVOLUME ["", "/a"]\n',
        "VOLUME specified can not be an empty string",
        2,
        1,
        None,
    ),
    ("user-none", "FROM a\nUSER\n", "USER requires exactly one argument", 2, 1, None),
    ("workdir-none", "FROM a\nWORKDIR\n", "WORKDIR requires exactly one argument", 2, 1, None),
    ("expose-none", "FROM a\nEXPOSE\n", "EXPOSE requires at least one argument", 2, 1, None),
    (
        "stopsignal-two",
        "FROM a\nSTOPSIGNAL\n",
        "STOPSIGNAL requires exactly one argument",
        2,
        1,
        None,
    ),
    (
        "maintainer-none",
        "FROM a\nMAINTAINER\n",
        "MAINTAINER requires exactly one argument",
        2,
        1,
        None,
    ),
    ("onbuild-none", "FROM a\nONBUILD\n", "ONBUILD requires at least one argument", 2, 1, None),
]


@pytest.mark.parametrize(
    ("src", "message", "line", "column", "hint"),
    [pytest.param(s, m, ln, c, h, id=i) for i, s, m, ln, c, h in ERRORS],
)
def test_errors(src: str, message: str, line: int, column: int, hint: str | None) -> None:
    with pytest.raises(InstructionError) as info:
        load(src, "Dockerfile")
    err = info.value
    assert err.message == message
    assert err.pos == Position(line, column)
    assert err.file == "Dockerfile"
    if hint is not None:
        assert err.hint is not None and hint in err.hint


def _only(src: str) -> object:
    (stage,) = load("FROM base\n" + src).stages
    (cmd,) = stage.commands
    return cmd


def test_every_instruction_has_its_class() -> None:
    df = load(
        'ARG V=1\nFROM base AS Build\nRUN echo\nCMD ["a"]\nLABEL a=b\nMAINTAINER me\nEXPOSE 80\n'
        "ENV a=b\nADD a b\nCOPY a b\nENTRYPOINT x\nVOLUME /v\nUSER u\nWORKDIR /w\nARG x\n"
        'ONBUILD RUN y\nSTOPSIGNAL SIGTERM\nHEALTHCHECK NONE\nSHELL ["sh"]\n'
    )
    names = [type(c).__name__ for c in df.stages[0].commands]
    assert names == [
        "Run", "Cmd", "Label", "Maintainer", "Expose", "Env", "Add", "Copy", "Entrypoint",
        "Volume", "User", "Workdir", "Arg", "Onbuild", "StopSignal", "Healthcheck", "Shell",
    ]  # fmt: skip
    assert [a.key for a in df.meta_args[0].args] == ["V"]
    assert df.stages[0].from_.stage_name == "build"
    assert df.stages[0].from_.name_as_written == "Build"


def test_shell_and_exec_forms() -> None:
    run = _only("RUN echo  $HOME\n")
    assert isinstance(run, Run)
    assert run.command.args == ("echo  $HOME",) and run.command.prepend_shell
    cmd = _only('CMD ["echo", "$HOME"]\n')
    assert isinstance(cmd, Cmd)
    assert cmd.command.args == ("echo", "$HOME") and not cmd.command.prepend_shell
    ep = _only("ENTRYPOINT []\n")
    assert isinstance(ep, Entrypoint) and ep.command.args == ()


def test_copy_and_add_flags() -> None:
    copy = _only("COPY --from=build --chown=1:2 --chmod=644 --link --parents --exclude=*.md "
                 "--exclude=x a b /dst/\n")  # fmt: skip
    assert isinstance(copy, Copy)
    assert (copy.from_, copy.chown, copy.chmod, copy.link, copy.parents) == (
        "build",
        "1:2",
        "644",
        True,
        True,
    )
    assert copy.excludes == ("*.md", "x") and copy.sources == ("a", "b") and copy.dest == "/dst/"
    add = _only("ADD --checksum=sha256:0 --keep-git-dir=false --unpack=true x.tar /\n")
    assert isinstance(add, Add)
    assert add.checksum == "sha256:0" and add.unpack is True and not add.keep_git_dir


def test_copy_heredoc_sources() -> None:
    copy = _only("COPY <<-EOF /x\n\tone\n\tEOF\n")
    assert isinstance(copy, Copy)
    assert copy.sources == () and copy.contents[0].data == "one\n"


def test_key_values() -> None:
    env = _only('ENV a=1 b="two words"\n')
    assert isinstance(env, Env)
    assert [(kv.key, kv.value, kv.legacy) for kv in env.env] == [
        ("a", "1", False),
        ("b", '"two words"', False),
    ]
    legacy = _only("LABEL maintainer me and you\n")
    assert isinstance(legacy, Label) and legacy.labels[0].legacy
    assert legacy.labels[0].value == "me and you"


def test_arg_declarations() -> None:
    arg = _only("ARG a b=2 c=\n")
    assert isinstance(arg, Arg)
    assert [(d.key, d.value) for d in arg.args] == [("a", None), ("b", "2"), ("c", "")]


def test_expose_sorted_volume_workdir_stopsignal() -> None:
    expose = _only("EXPOSE 8080 443/tcp 80\n")
    assert isinstance(expose, Expose) and expose.ports == ("443/tcp", "80", "8080")
    vol = _only('VOLUME ["/a", "/b"]\n')
    assert isinstance(vol, Volume) and vol.volumes == ("/a", "/b")
    wd = _only("WORKDIR app\n")
    assert isinstance(wd, Workdir) and wd.path == "app"
    sig = _only("STOPSIGNAL SIGQUIT\n")
    assert isinstance(sig, StopSignal) and sig.signal == "SIGQUIT"


def test_healthcheck_config() -> None:
    hc = _only("HEALTHCHECK --interval=1m30s --timeout=500ms --retries=3 CMD curl -f x\n")
    assert isinstance(hc, Healthcheck)
    h = hc.health
    assert h.test == ("CMD-SHELL", "curl -f x")
    assert (h.interval, h.timeout, h.retries) == (90_000_000_000, 500_000_000, 3)
    exec_form = _only('HEALTHCHECK CMD ["curl", "x"]\n')
    assert isinstance(exec_form, Healthcheck) and exec_form.health.test == ("CMD", "curl", "x")
    none = _only("HEALTHCHECK none\n")
    assert isinstance(none, Healthcheck) and none.health.test == ("NONE",)


def test_onbuild_expression_and_trigger() -> None:
    ob = _only("  onbuild   COPY --chown=1 a b\n")
    assert isinstance(ob, Onbuild)
    assert ob.expression == "COPY --chown=1 a b"
    trigger = ob.trigger()
    assert isinstance(trigger, Copy) and trigger.chown == "1"
    bad = _only("ONBUILD COPY --nope a b\n")
    assert isinstance(bad, Onbuild)
    with pytest.raises(EmuError, match="unknown flag: --nope"):
        bad.trigger()  # BuildKit checks a trigger's flags only when a child stage runs it


def test_shell() -> None:
    shell = _only('SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n')
    assert isinstance(shell, Shell) and shell.shell == ("/bin/bash", "-o", "pipefail", "-c")


def test_stages_and_meta_args() -> None:
    df = load("ARG BASE=a\nFROM $BASE AS one\nRUN x\nFROM one\nARG BASE\n")
    assert [s.name for s in df.stages] == ["one", ""]
    assert [s.display_name for s in df.stages] == ["one", "stage-1"]
    assert len(df.meta_args) == 1 and isinstance(df.stages[1].commands[0], Arg)


def test_a_word_that_is_no_heredoc_is_a_plain_source() -> None:
    # BuildKit's MustParseHeredoc drops the error: "<<${x" is a file name here.
    copy = _only("COPY <<${x a <<${y\n")
    assert isinstance(copy, Copy)
    assert copy.sources == ("<<${x", "a") and copy.dest == "<<${y" and copy.contents == ()


# --- errors point at the word they are about ---------------------------------------------------


def _error_span(src: str) -> tuple[int, int, str]:
    with pytest.raises(InstructionError) as info:
        load(src, "Dockerfile")
    span = info.value.span
    assert span is not None and span.start.line == span.end.line
    line = src.splitlines()[span.start.line - 1]
    return span.start.line, span.start.column, line[span.start.column - 1 : span.end.column - 1]


@pytest.mark.parametrize(
    ("src", "where"),
    [
        # The stage name, not the ".1" inside the image name before it.
        ("FROM alpine.1 AS .1\n", (1, 18, ".1")),
        ("FROM a\nCOPY --from=x --from=y a b\n", (2, 15, "--from=y")),
        ('FROM a\nCOPY --chown="a b" --link=maybe a b\n', (2, 20, "--link=maybe")),
        ("FROM a\nHEALTHCHECK --retries=3 \\\n  --timeout=abc CMD x\n", (3, 3, "--timeout=abc")),
        ("FROM a\nCOPPY x y\n", (2, 1, "COPPY")),
        ("FROM a\n  copy a\n", (2, 3, "copy")),
        ("RUN x\nFROM a\n", (1, 1, "RUN")),
    ],
)
def test_errors_carry_the_span_of_their_word(src: str, where: tuple[int, int, str]) -> None:
    assert _error_span(src) == where
