"""Static checks: each rule fires where BuildKit's does, with its wording, and only there."""

from __future__ import annotations

import pytest

from emu.dockerfile.checks import (
    RULE_NAMES,
    RULES,
    CheckConfig,
    parse_check_directive,
    run_checks,
)
from emu.dockerfile.instructions import load

# (rule, Dockerfile that violates it, expected message, line) — then a clean twin.
FIRES = [
    ("StageNameCasing", "FROM a AS Build\n", "Stage name 'Build' should be lowercase", 1),
    ("FromAsCasing", "FROM a as b\n", "'as' and 'FROM' keywords' casing do not match", 1),
    ("FromAsCasing", "from a AS b\n", "'AS' and 'from' keywords' casing do not match", 1),
    ("NoEmptyContinuation", "FROM a\nRUN a \\\n\n b\n", "Empty continuation line", 4),
    (
        "ConsistentInstructionCasing",
        "FROM a\nRUN x\nworkdir /x\n",
        "Command 'workdir' should match the case of the command majority (uppercase)",
        3,
    ),
    (
        "DuplicateStageName",
        "FROM a AS b\nFROM a AS b\n",
        "Duplicate stage name 'b', stage names should be unique",
        2,
    ),
    (
        "ReservedStageName",
        "FROM a AS scratch\n",
        "'scratch' is reserved and should not be used as a stage name",
        1,
    ),
    (
        "JSONArgsRecommended",
        "FROM a\nCMD nginx -g 'daemon off;'\n",
        "JSON arguments recommended for CMD to prevent unintended behavior related to OS signals",
        2,
    ),
    (
        "MaintainerDeprecated",
        "FROM a\nMAINTAINER me\n",
        "Maintainer instruction is deprecated in favor of using label",
        2,
    ),
    (
        "UndefinedArgInFrom",
        "ARG VERSION=1\nFROM a:$VERSON\n",
        "FROM argument 'VERSON' is not declared (did you mean VERSION?)",
        2,
    ),
    (
        "WorkdirRelativePath",
        "FROM a\nWORKDIR app\n",
        "Relative workdir 'app' can have unexpected results if the base image changes",
        2,
    ),
    (
        "MultipleInstructionsDisallowed",
        'FROM a\nCMD ["a"]\nCMD ["b"]\n',
        "Multiple CMD instructions should not be used in the same stage because only the last "
        "one will be used",
        2,
    ),
    (
        "LegacyKeyValueFormat",
        "FROM a\nENV A b\n",
        '"ENV key=value" should be used instead of legacy "ENV key value" format',
        2,
    ),
    (
        "InvalidDefaultArgInFrom",
        "ARG TAG\nFROM busybox:${TAG}\n",
        "Default value for ARG busybox:${TAG} results in empty or invalid base image name",
        2,
    ),
]

CLEAN = {
    "StageNameCasing": "FROM a AS build\n",
    "FromAsCasing": "FROM a AS b\nfrom a as c\n",
    "NoEmptyContinuation": "FROM a\nRUN a \\\n b\n",
    "ConsistentInstructionCasing": "from a\nrun x\n",
    "DuplicateStageName": "FROM a AS b\nFROM a AS c\n",
    "ReservedStageName": "FROM scratch AS base\n",
    "JSONArgsRecommended": 'FROM a\nCMD ["nginx"]\nFROM a\nSHELL ["/bin/bash", "-c"]\nCMD x\n',
    "MaintainerDeprecated": "FROM a\nLABEL org.opencontainers.image.authors=me\n",
    "UndefinedArgInFrom": "ARG V=1\nFROM a:$V\nFROM --platform=$BUILDPLATFORM a:${TARGETARCH}\n",
    "WorkdirRelativePath": "FROM a\nWORKDIR /app\nWORKDIR src\n",
    "MultipleInstructionsDisallowed": 'FROM a\nCMD ["a"]\nFROM b\nCMD ["b"]\n',
    "LegacyKeyValueFormat": "FROM a\nENV A=b\nLABEL x=y\n",
    "InvalidDefaultArgInFrom": "ARG TAG=1.36\nFROM busybox:${TAG}\n",
}


def _fired(src: str, rule: str) -> list[tuple[str, int]]:
    report = run_checks(load(src), CheckConfig())
    return [(v.message, v.pos.line) for v in report.violations if v.rule.name == rule]


@pytest.mark.parametrize(
    ("rule", "src", "message", "line"),
    [pytest.param(r, s, m, ln, id=f"{r}-{i}") for i, (r, s, m, ln) in enumerate(FIRES)],
)
def test_rule_fires(rule: str, src: str, message: str, line: int) -> None:
    assert (message, line) in _fired(src, rule)


@pytest.mark.parametrize("rule", sorted(CLEAN))
def test_rule_stays_quiet(rule: str) -> None:
    assert _fired(CLEAN[rule], rule) == []


def test_every_rule_is_tested_and_documented() -> None:
    assert {r for r, *_ in FIRES} == set(CLEAN) == RULE_NAMES
    for rule, _ in RULES:
        assert rule.url == f"https://docs.docker.com/go/dockerfile/rule/{_kebab(rule.name)}/"
        assert rule.description


def _kebab(name: str) -> str:
    out = ""
    for i, ch in enumerate(name):
        if (
            ch.isupper()
            and i
            and not (name[i - 1].isupper() and (i + 1 == len(name) or name[i + 1].isupper()))
        ):
            out += "-"
        out += ch.lower()
    return out


def test_check_directive() -> None:
    config = parse_check_directive("skip=JSONArgsRecommended,StageNameCasing;error=true")
    assert config.error and config.skip == {"JSONArgsRecommended", "StageNameCasing"}
    assert parse_check_directive("skip=all").skip_all
    src = "# check=skip=MaintainerDeprecated\nFROM a\nMAINTAINER me\nCMD x\n"
    names = [v.rule.name for v in run_checks(load(src)).violations]
    assert names == ["JSONArgsRecommended"]
    assert run_checks(load("# check=skip=all\nFROM a AS B\n")).violations == ()


def test_demo_is_clean() -> None:
    from pathlib import Path

    demo = Path(__file__).resolve().parents[2] / "examples" / "multistage-demo" / "Dockerfile"
    assert run_checks(load(demo.read_text())).violations == ()


def test_stage_name_rules_point_at_the_name() -> None:
    # The image and the stage share a name: the stage name is the one pointed at.
    src = "FROM Build as Build\nFROM a AS build\n"
    found = {(v.rule.name, v.pos.line, v.pos.column) for v in run_checks(load(src)).violations}
    assert ("StageNameCasing", 1, 15) in found
    assert ("FromAsCasing", 1, 12) in found
    assert ("DuplicateStageName", 2, 11) in found
    reserved = run_checks(load("FROM scratch AS scratch\n")).violations
    assert [(v.rule.name, v.pos.column) for v in reserved] == [("ReservedStageName", 17)]
