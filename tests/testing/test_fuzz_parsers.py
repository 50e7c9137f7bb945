"""Fuzz targets, one per parser (Dockerfile, words, .dockerignore, globs, shell patterns,
sh, spec), run with hypothesis for a fixed budget: arbitrary input raises nothing but
EmuError, and each example ends within its deadline (hostile input must not hang)."""

from __future__ import annotations

import contextlib
import os
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emu.errors import EmuError

pytestmark = pytest.mark.slow  # each target runs a fixed budget of examples

BUDGET = settings(
    max_examples=int(os.environ.get("EMU_FUZZ_EXAMPLES", "150")),
    # Generous for a loaded machine; what it catches is an input that makes a parser or a
    # matcher take seconds (backtracking, quadratic walks), not a slow example.
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow],
)
KEYWORDS = [
    "FROM",
    "RUN",
    "COPY",
    "ADD",
    "ARG",
    "ENV",
    "WORKDIR",
    "USER",
    "CMD",
    "ENTRYPOINT",
    "LABEL",
    "EXPOSE",
    "ONBUILD",
    "HEALTHCHECK",
    "SHELL",
    "VOLUME",
    "STOPSIGNAL",
    "AS",
]
PIECES = st.one_of(
    st.sampled_from(KEYWORDS),
    st.sampled_from(
        [
            "\\\n",
            "\n",
            " ",
            "$",
            "${",
            "}",
            ":-",
            "#",
            "<<EOF",
            "EOF",
            "[",
            "]",
            '"',
            "'",
            "--from=",
            "=",
            "*",
            "**",
            "!",
            "/",
            "..",
        ]
    ),
    st.text(max_size=8),
)
TEXT = st.lists(PIECES, max_size=30).map("".join)


@BUDGET
@given(TEXT)
def test_dockerfile_parser(text: str) -> None:
    from emu.dockerfile.instructions import load

    with contextlib.suppress(EmuError):
        load(text, "Dockerfile")


@BUDGET
@given(TEXT, st.dictionaries(st.sampled_from(["A", "B", "HOME"]), st.text(max_size=5)))
def test_word_expansion(text: str, env: dict[str, str]) -> None:
    from emu.words import process_word

    with contextlib.suppress(EmuError):
        process_word(text, env)


@BUDGET
@given(TEXT, st.lists(st.text(alphabet="ab/.*?[]!-", max_size=10), max_size=5))
def test_dockerignore(text: str, paths: list[str]) -> None:
    from emu.ignore import IgnoreMatcher

    try:
        matcher = IgnoreMatcher.from_text(text)
        for p in paths:
            matcher.excluded(p)
    except EmuError:
        pass


GLOB = st.lists(
    st.one_of(
        st.sampled_from(["*", "**", "?", "[", "]", "[!", "[^", "-", "\\", "/", "a", "."]),
        st.text(max_size=3),
    ),
    max_size=16,
).map("".join)
NAMES = st.lists(st.sampled_from(["a", "b", "/", ".", "*", "é", "aaaa"]), max_size=40).map("".join)


@BUDGET
@given(GLOB, st.lists(NAMES, max_size=4))
def test_globs(pattern: str, names: list[str]) -> None:
    from emu import glob

    with contextlib.suppress(EmuError):
        glob.validate(pattern)
        for name in names:
            glob.match(pattern, name)
    with contextlib.suppress(EmuError):
        compiled = glob.compile_pattern(pattern)
        if compiled is not None:
            for name in names:
                compiled.matches(name)
                compiled.matches_or_parent(name)


@BUDGET
@given(GLOB, st.lists(NAMES, max_size=4))
def test_shell_patterns(pattern: str, names: list[str]) -> None:
    from emu.sh import expand

    for name in names:
        expand.match(pattern, name)
        for op in ("#", "##", "%", "%%"):
            expand.trim(name, pattern, op)
        expand.replace(name, pattern, "x", "//")


SH = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "echo",
                "x=1",
                "$x",
                "${x:-y}",
                "$(",
                ")",
                "`",
                "|",
                "&&",
                "||",
                ";",
                "if",
                "then",
                "fi",
                "for",
                "in",
                "do",
                "done",
                "case",
                "esac",
                "<<",
                "'",
                '"',
                "{",
                "}",
                "(",
                ")",
                "\n",
                " ",
                "*",
                "~",
                "$((1+",
                "))",
            ]
        ),
        st.text(max_size=4),
    ),
    max_size=25,
).map("".join)


@BUDGET
@given(SH)
def test_shell(script: str) -> None:
    from emu.fs import FS
    from emu.sh.api import Identity, Limits
    from emu.sh.interp import run_script

    with contextlib.suppress(EmuError):
        run_script(
            script,
            fs=FS(),
            env={"PATH": "/bin"},
            cwd="/",
            ident=Identity(),
            limits=Limits(max_steps=2000, max_output=10000, max_depth=20),
        )


@BUDGET
@given(
    st.recursive(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.text(max_size=6),
            st.sampled_from(["2.0.0", "fileExistenceTests", "emuTests", "tests", "name"]),
        ),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(
                st.sampled_from(
                    [
                        "schemaVersion",
                        "fileExistenceTests",
                        "fileContentTests",
                        "commandTests",
                        "metadataTest",
                        "emuTests",
                        "tests",
                        "name",
                        "path",
                        "limits",
                        "maxBytes",
                        "stageCount",
                        "copyFrom",
                        "expectedContents",
                        "envVars",
                        "key",
                        "value",
                    ]
                ),
                inner,
                max_size=4,
            ),
        ),
        max_leaves=12,
    )
)
def test_spec_loader(doc: object) -> None:
    import yaml

    from emu.grading import loads_spec

    with contextlib.suppress(EmuError):
        loads_spec(yaml.safe_dump(doc))
