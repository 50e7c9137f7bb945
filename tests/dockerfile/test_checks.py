"""Static checks: each rule fires where BuildKit's does, with its wording, and only there.

The table :data:`CASES` is the specification: a Dockerfile and *every* finding BuildKit's
``--check`` gives for it (rule, line, message). Most rows restate the expectations of
BuildKit's own linter tests (``frontend/dockerfile/dockerfile_lint_test.go``) in our own
Dockerfiles; the others pin the logic of ``dockerfile2llb`` (which instructions, which
keys, where the position points, how many times a rule fires). Docker 20.10 has no checks
at all, so BuildKit's current source decides every row.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emu.cli import _console, main
from emu.dockerfile.checks import (
    BUILD_AWARE_RULES,
    BUILDKIT_RULE_NAMES,
    EXPERIMENTAL_RULES,
    INVALID_BASE_IMAGE_PLATFORM,
    RULE_NAMES,
    RULES,
    CheckConfig,
    is_valid_reference,
    parse_check_directive,
    run_checks,
)
from emu.dockerfile.instructions import load

Finding = tuple[str, int, str]  # (rule, line, message)


def _secret(what: str, key: str) -> str:
    return f'Do not use ARG or ENV instructions for sensitive data ({what} "{key}")'


def _multiple(name: str) -> str:
    return (
        f"Multiple {name} instructions should not be used in the same stage because only the "
        "last one will be used"
    )


def _casing(cmd: str, majority: str) -> str:
    return f"Command '{cmd}' should match the case of the command majority ({majority})"


def _relative(path: str) -> str:
    return f'Relative workdir "{path}" can have unexpected results if the base image changes'


def _json_args(name: str) -> str:
    return (
        f"JSON arguments recommended for {name} to prevent unintended behavior related to OS "
        "signals"
    )


def _invalid_default(base: str) -> str:
    return f"Default value for ARG {base} results in empty or invalid base image name"


def _definition(what: str, key: str) -> str:
    return f"Comment for {what} should follow the format: `# {key} <description>`"


_EXPERIMENTAL = "# check=experimental=InvalidDefinitionDescription\n"

# (id, Dockerfile, every finding in source order)
CASES: list[tuple[str, str, list[Finding]]] = [
    # --- parse-time rules ----------------------------------------------------------------
    (
        "stage-name-casing",
        "FROM a AS Build\n",
        [("StageNameCasing", 1, "Stage name 'Build' should be lowercase")],
    ),
    (
        "stage-name-and-as-casing",
        "\n#\nFROM scratch AS BadStageName\n\n#\nFROM scratch as base2\n\nFROM scratch AS base3\n",
        [
            ("StageNameCasing", 3, "Stage name 'BadStageName' should be lowercase"),
            ("FromAsCasing", 6, "'as' and 'FROM' keywords' casing do not match"),
        ],
    ),
    (
        "from-as-casing",
        "FROM a as b\n",
        [("FromAsCasing", 1, "'as' and 'FROM' keywords' casing do not match")],
    ),
    (
        "from-as-casing-lower",
        "from a AS b\n",
        [("FromAsCasing", 1, "'AS' and 'from' keywords' casing do not match")],
    ),
    (
        # A mixed-case FROM is only the casing rule's: FromAsCasing says nothing.
        "mixed-case-from",
        "#\nFrom scratch as base\nFROM scratch AS base2\n",
        [("ConsistentInstructionCasing", 2, _casing("From", "uppercase"))],
    ),
    (
        "mixed-case-from-lower-majority",
        "frOM scratch as base\nfrom scratch as base2\n",
        [("ConsistentInstructionCasing", 1, _casing("frOM", "lowercase"))],
    ),
    (
        "no-empty-continuation",
        "FROM a\nRUN a \\\n\n b\n",
        [("NoEmptyContinuation", 4, "Empty continuation line")],
    ),
    (
        "consistent-casing",
        "FROM a\nRUN x\nworkdir /x\n",
        [("ConsistentInstructionCasing", 3, _casing("workdir", "uppercase"))],
    ),
    (
        "consistent-casing-lower-majority",
        "FROM scratch\ncopy a /foo\ncopy a /bar\ncopy a /baz\n",
        [("ConsistentInstructionCasing", 1, _casing("FROM", "lowercase"))],
    ),
    (
        # Global ARGs and the instruction an ONBUILD wraps are not counted, nor checked.
        "casing-ignores-global-args-and-triggers",
        "arg v=1\nFROM a\nRUN b\nONBUILD run c\n",
        [],
    ),
    (
        "duplicate-stage-name",
        "FROM a AS b\nFROM a AS b\n",
        [("DuplicateStageName", 2, 'Duplicate stage name "b", stage names should be unique')],
    ),
    (
        "reserved-stage-names",
        "FROM scratch AS scratch\nFROM scratch AS context\n",
        [
            (
                "ReservedStageName",
                1,
                'Stage name should not use the same name as reserved stage "scratch"',
            ),
            (
                "ReservedStageName",
                2,
                'Stage name should not use the same name as reserved stage "context"',
            ),
        ],
    ),
    (
        "reserved-stage-name",
        "FROM a AS scratch\n",
        [
            (
                "ReservedStageName",
                1,
                'Stage name should not use the same name as reserved stage "scratch"',
            )
        ],
    ),
    (
        "maintainer-deprecated",
        "FROM a\nMAINTAINER me\n",
        [
            (
                "MaintainerDeprecated",
                2,
                "Maintainer instruction is deprecated in favor of using label",
            )
        ],
    ),
    (
        "definition-descriptions-good",
        _EXPERIMENTAL + "# foo this is the foo\nARG foo=bar\n\n# base this is the base image\n"
        "FROM scratch AS base\n\n# version this is the version number\nARG version=latest\n\n"
        "# baz this is the baz\nARG foo=baz bar=qux baz=quux\n#\nARG bit=bat\n\n"
        "# comment for something other than ARG or FROM\nCOPY Dockerfile .\n",
        [],
    ),
    (
        "definition-descriptions-bad",
        _EXPERIMENTAL + "# bar this is the bar\nARG foo=bar\n# BasE this is the BasE image\n"
        "FROM scratch AS base\n# definitely a bad comment\nARG version=latest\n"
        "# definitely a bad comment\nARG foo=baz bar=qux baz=quux\n",
        [
            ("InvalidDefinitionDescription", 3, _definition("ARG", "foo")),
            ("InvalidDefinitionDescription", 5, _definition("FROM", "base")),
            ("InvalidDefinitionDescription", 7, _definition("ARG", "version")),
            ("InvalidDefinitionDescription", 9, _definition("ARG", "<arg_key>")),
        ],
    ),
    (
        # Experimental: without `experimental=` BuildKit does not run it.
        "definition-description-is-experimental",
        "# bar this is the bar\nARG foo=bar\nFROM scratch\n",
        [],
    ),
    # --- FROM rules ----------------------------------------------------------------------
    (
        "undefined-arg-in-from",
        "ARG VERSION=1\nFROM a:$VERSON\n",
        [
            ("InvalidDefaultArgInFrom", 2, _invalid_default("a:$VERSON")),
            (
                "UndefinedArgInFrom",
                2,
                "FROM argument 'VERSON' is not declared (did you mean VERSION?)",
            ),
        ],
    ),
    (
        "undefined-arg-in-from-platform",
        "FROM --platform=$BULIDPLATFORM scratch\nCOPY Dockerfile .\n",
        [
            (
                "UndefinedArgInFrom",
                1,
                "FROM argument 'BULIDPLATFORM' is not declared (did you mean BUILDPLATFORM?)",
            )
        ],
    ),
    (
        "undefined-arg-in-from-suggests",
        "ARG MY_OS=linux\nARG MY_ARCH=amd64\nFROM --platform=linux/${MYARCH} busybox\n",
        [
            (
                "UndefinedArgInFrom",
                3,
                "FROM argument 'MYARCH' is not declared (did you mean MY_ARCH?)",
            )
        ],
    ),
    (
        "undefined-arg-in-from-no-suggestion",
        "ARG tag=latest\nFROM busybox:${tag}${version} AS b\n",
        [("UndefinedArgInFrom", 2, "FROM argument 'version' is not declared")],
    ),
    (
        # BuildKit's suggestion is case-sensitive: `version` is too far from `VERSION`.
        "undefined-arg-suggestion-is-case-sensitive",
        "ARG version=1\nFROM busybox:${VERSION}1\n",
        [("UndefinedArgInFrom", 2, "FROM argument 'VERSION' is not declared")],
    ),
    (
        "declared-args-in-from",
        "ARG base=scratch\nARG DEBUG\nFROM $base\nFROM scratch${DEBUG}\n"
        "FROM --platform=$BUILDPLATFORM scratch\n",
        [],
    ),
    (
        "declared-args-with-modifiers",
        'ARG DEBUG\nARG EMPTY=""\nFROM scra${DEBUG:-tch}\nFROM scratch${EMPTY-@bogus}\n',
        [],
    ),
    (
        "invalid-default-arg-in-from",
        "ARG TAG\nFROM busybox:${TAG}\n",
        [("InvalidDefaultArgInFrom", 2, _invalid_default("busybox:${TAG}"))],
    ),
    (
        "invalid-default-args",
        'ARG VERSION\nARG IMAGE\nARG SFX="box:"\nFROM busybox:$VERSION\nFROM $IMAGE\n'
        "FROM busy${SFX}\n",
        [
            ("InvalidDefaultArgInFrom", 4, _invalid_default("busybox:$VERSION")),
            ("InvalidDefaultArgInFrom", 5, _invalid_default("$IMAGE")),
            ("InvalidDefaultArgInFrom", 6, _invalid_default("busy${SFX}")),
        ],
    ),
    (
        "valid-default-args",
        'ARG VERSION="latest"\nARG VARIANT=""\nARG SUFFIX\nFROM busybox:${VERSION}\n'
        "FROM busybox:stable${VARIANT}\nFROM busybox:stable${SUFFIX}\n",
        [],
    ),
    (
        # issue 14: the platform ARGs are predefined, with values, for this check too.
        "invalid-default-counts-platform-args",
        "FROM runner-${TARGETOS}-${TARGETARCH}\nFROM tool:${BUILDARCH}\n",
        [],
    ),
    (
        # Every FROM is checked, with or without a variable: an upper-case repository is not
        # a valid reference (and does not name the stage `builder`).
        "invalid-base-without-variables",
        "FROM busybox AS builder\nFROM Builder\n",
        [("InvalidDefaultArgInFrom", 2, _invalid_default("Builder"))],
    ),
    (
        "redundant-target-platform",
        "FROM --platform=$TARGETPLATFORM scratch\nFROM --platform=${TARGETPLATFORM} scratch\n",
        [
            (
                "RedundantTargetPlatform",
                1,
                "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this "
                "is the default behavior",
            ),
            (
                "RedundantTargetPlatform",
                2,
                "Setting platform to predefined ${TARGETPLATFORM} in FROM is redundant as this "
                "is the default behavior",
            ),
        ],
    ),
    (
        # Another variable in the value (even an empty one) and the rule says nothing.
        "target-platform-with-more",
        "ARG EXTRA\nFROM --platform=${TARGETPLATFORM}${EXTRA} scratch\n"
        "FROM --platform=$BUILDPLATFORM scratch\n",
        [],
    ),
    (
        "from-platform-const",
        "FROM --platform=linux/amd64 scratch\n",
        [
            (
                "FromPlatformFlagConstDisallowed",
                1,
                'FROM --platform flag should not use constant value "linux/amd64"',
            )
        ],
    ),
    (
        # A stage whose name holds the OS or the architecture pins its platform on purpose.
        "from-platform-const-named-for-it",
        "FROM --platform=linux/amd64 scratch AS my_amd64_stage\n"
        "FROM --platform=linux/amd64 scratch AS linux\n"
        "FROM --platform=x86_64 scratch AS build-amd64\n",
        [],
    ),
    (
        # Not a platform: the build fails on it, the check says nothing.
        "from-platform-invalid",
        "FROM --platform=linux/ scratch\n",
        [],
    ),
    (
        # emu's catalog images are linux/amd64: a stage that wants another platform gets one.
        "invalid-base-image-platform",
        "ARG P=windows/amd64\nFROM --platform=linux/arm64 alpine AS arm64\n"
        "FROM --platform=linux/arm alpine AS arm\nFROM --platform=$P busybox\n",
        [
            (
                "InvalidBaseImagePlatform",
                2,
                'Base image alpine was pulled with platform "linux/amd64", expected '
                '"linux/arm64" for current build',
            ),
            (
                "InvalidBaseImagePlatform",
                3,
                'Base image alpine was pulled with platform "linux/amd64", expected '
                '"linux/arm/v7" for current build',
            ),
            (
                "InvalidBaseImagePlatform",
                4,
                'Base image busybox was pulled with platform "linux/amd64", expected '
                '"windows/amd64" for current build',
            ),
        ],
    ),
    (
        # No image is pulled for scratch or for a stage; amd64 variants still match.
        "base-image-platform-matches",
        "FROM --platform=$BUILDPLATFORM golang AS build\n"
        "FROM --platform=linux/arm64 scratch AS arm64\nFROM --platform=$TARGETARCH build\n",
        [],
    ),
    # --- dispatch-time rules -------------------------------------------------------------
    (
        "json-args-recommended",
        "FROM a\nCMD nginx -g 'daemon off;'\nFROM scratch\nENTRYPOINT mycommand\n",
        [
            ("JSONArgsRecommended", 2, _json_args("CMD")),
            ("JSONArgsRecommended", 4, _json_args("ENTRYPOINT")),
        ],
    ),
    (
        # The name as written; a SHELL counts from where it is set, and from a base stage.
        "json-args-and-shell",
        'FROM scratch AS base\nSHELL ["/bin/sh", "-c"]\nFROM base\nENTRYPOINT run\n'
        'FROM scratch\ncmd early\nSHELL ["/bin/sh", "-c"]\ncmd late\n',
        [
            ("ConsistentInstructionCasing", 6, _casing("cmd", "uppercase")),
            ("JSONArgsRecommended", 6, _json_args("cmd")),
            ("MultipleInstructionsDisallowed", 6, _multiple("cmd")),
            ("ConsistentInstructionCasing", 8, _casing("cmd", "uppercase")),
        ],
    ),
    (
        "multiple-instructions",
        'FROM scratch\nENTRYPOINT ["/a"]\nENTRYPOINT ["/b"]\nCMD ["/a"]\nCMD ["/b"]\n'
        'HEALTHCHECK CMD ["/a"]\nHEALTHCHECK CMD ["/b"]\n',
        [
            ("MultipleInstructionsDisallowed", 2, _multiple("ENTRYPOINT")),
            ("MultipleInstructionsDisallowed", 4, _multiple("CMD")),
            ("MultipleInstructionsDisallowed", 6, _multiple("HEALTHCHECK")),
        ],
    ),
    (
        # Reported at the one that will be ignored, once for each one that follows.
        "multiple-instructions-apart",
        'FROM scratch\nCMD ["/a"]\nCOPY <<EOF /a.txt\nhi\nEOF\nCMD ["/b"]\nCMD ["/c"]\n',
        [
            ("MultipleInstructionsDisallowed", 2, _multiple("CMD")),
            ("MultipleInstructionsDisallowed", 6, _multiple("CMD")),
        ],
    ),
    (
        "multiple-instructions-per-stage",
        'FROM scratch AS a\nCMD ["/a"]\nFROM a AS b\nCMD ["/b"]\n',
        [],
    ),
    (
        "legacy-key-value",
        "FROM scratch\nENV testkey value\nLABEL key value\n",
        [
            (
                "LegacyKeyValueFormat",
                2,
                '"ENV key=value" should be used instead of legacy "ENV key value" format',
            ),
            (
                "LegacyKeyValueFormat",
                3,
                '"LABEL key=value" should be used instead of legacy "LABEL key value" format',
            ),
        ],
    ),
    (
        # Every stage is checked, reached or not (`--check` dispatches them all).
        "legacy-key-value-unreached-stage",
        "FROM scratch AS a\nFROM a AS b\nenv k v\nFROM a AS c\n",
        [
            ("ConsistentInstructionCasing", 3, _casing("env", "uppercase")),
            (
                "LegacyKeyValueFormat",
                3,
                '"env key=value" should be used instead of legacy "env key value" format',
            ),
        ],
    ),
    (
        "workdir-relative",
        "FROM a\nWORKDIR app\n",
        [("WorkdirRelativePath", 2, _relative("app"))],
    ),
    (
        "workdir-relative-trailing-slash",
        "FROM scratch\nWORKDIR app/\n",
        [("WorkdirRelativePath", 2, _relative("app/"))],
    ),
    (
        # The first WORKDIR of a stage and its base stages is the one that counts.
        "workdir-first-only-and-inherited",
        "FROM scratch AS a\nWORKDIR /app\nFROM a AS b\nWORKDIR subdir/\n"
        "FROM scratch\nWORKDIR one\nWORKDIR two\n",
        [("WorkdirRelativePath", 6, _relative("one"))],
    ),
    (
        # issue 14: the expanded, unquoted path is tested (and printed).
        "workdir-expanded-and-unquoted",
        'FROM scratch\nWORKDIR "/abs"\nFROM scratch\nARG DIR=src\nWORKDIR "$DIR"\n'
        "FROM scratch\nENV ROOT=/srv\nWORKDIR ${ROOT}/app\n",
        [("WorkdirRelativePath", 5, _relative("src"))],
    ),
    (
        # A base image's variables are the build's to know: no static finding on them.
        "workdir-with-image-variables",
        "FROM alpine\nWORKDIR $HOME\nFROM alpine\nWORKDIR ${APP}dir\n",
        [],
    ),
    (
        # ...but a scratch stage has none, so an unset variable is empty.
        "workdir-with-unset-variable-on-scratch",
        "FROM scratch\nWORKDIR ${NOPE}dir\n",
        [("WorkdirRelativePath", 2, _relative("dir"))],
    ),
    (
        "secrets-used",
        "FROM scratch\nARG SECRET_PASSPHRASE\nENV SUPER_Secret=foo\nENV password=bar secret=baz\n"
        "ARG super_duper_secret_token=foo auth=bar\nENV apikey=bar sunflower=foo\n"
        "ENV git_key=\nENV PUBLIC_KEY=\nARG public_token\n",
        [
            ("SecretsUsedInArgOrEnv", 2, _secret("ARG", "SECRET_PASSPHRASE")),
            ("SecretsUsedInArgOrEnv", 3, _secret("ENV", "SUPER_Secret")),
            ("SecretsUsedInArgOrEnv", 4, _secret("ENV", "password")),
            ("SecretsUsedInArgOrEnv", 4, _secret("ENV", "secret")),
            ("SecretsUsedInArgOrEnv", 5, _secret("ARG", "super_duper_secret_token")),
            ("SecretsUsedInArgOrEnv", 5, _secret("ARG", "auth")),
            ("SecretsUsedInArgOrEnv", 6, _secret("ENV", "apikey")),
            ("SecretsUsedInArgOrEnv", 7, _secret("ENV", "git_key")),
        ],
    ),
    (
        # Whole `_` words only; `file` and `version` keep a key from being a secret; global
        # ARGs are not dispatched; an ENV key is expanded first.
        "secrets-words",
        "ARG API_TOKEN\nFROM scratch\nENV MONKEY=1 TOKENS=2 KEY_FILE=3 TOKEN_VERSION=4\n"
        "ARG WHICH=DB\nENV ${WHICH}_PASSWORD=x\nENV AWS_SECRET_ACCESS_KEY=y\n",
        [
            ("SecretsUsedInArgOrEnv", 5, _secret("ENV", "DB_PASSWORD")),
            ("SecretsUsedInArgOrEnv", 6, _secret("ENV", "AWS_SECRET_ACCESS_KEY")),
        ],
    ),
    (
        # An ONBUILD trigger runs (and is checked) in the stage built FROM it, at its FROM.
        "onbuild-triggers-are-dispatched-in-the-child",
        "FROM scratch AS base\nONBUILD ENV API_KEY=x\nONBUILD CMD run\nONBUILD WORKDIR rel\n"
        'FROM base\nCMD ["x"]\n',
        [
            ("JSONArgsRecommended", 5, _json_args("CMD")),
            ("MultipleInstructionsDisallowed", 5, _multiple("CMD")),
            ("SecretsUsedInArgOrEnv", 5, _secret("ENV", "API_KEY")),
            ("WorkdirRelativePath", 5, _relative("rel")),
        ],
    ),
    (
        "expose-proto-casing",
        "FROM scratch\nEXPOSE 80/TcP 8080/TCP 8080/udp\n",
        [
            (
                "ExposeProtoCasing",
                2,
                "Defined protocol '80/TcP' in EXPOSE instruction should be lowercase",
            ),
            (
                "ExposeProtoCasing",
                2,
                "Defined protocol '8080/TCP' in EXPOSE instruction should be lowercase",
            ),
        ],
    ),
    (
        "expose-invalid-format",
        "FROM scratch\nEXPOSE 127.0.0.1:80:80\nEXPOSE 80:80\nEXPOSE [::1]:8080:8080/UDP\n",
        [
            (
                "ExposeInvalidFormat",
                2,
                "EXPOSE instruction should not define an IP address or host-port mapping, "
                "found '127.0.0.1:80:80'",
            ),
            (
                "ExposeInvalidFormat",
                3,
                "EXPOSE instruction should not define an IP address or host-port mapping, "
                "found '80:80'",
            ),
            (
                "ExposeInvalidFormat",
                4,
                "EXPOSE instruction should not define an IP address or host-port mapping, "
                "found '[::1]:8080:8080/UDP'",
            ),
            (
                "ExposeProtoCasing",
                4,
                "Defined protocol '[::1]:8080:8080/UDP' in EXPOSE instruction should be lowercase",
            ),
        ],
    ),
    (
        # Ports are expanded (and split) first; ports are sorted as BuildKit sorts them; a
        # port that does not parse fails the build, and the ones after it are not read.
        "expose-expanded-and-stopping",
        'FROM scratch\nARG PORTS="8080/TCP 90/Udp"\nEXPOSE $PORTS\nEXPOSE 2/TCP 1/bad 3/TCP\n',
        [
            (
                "ExposeProtoCasing",
                3,
                "Defined protocol '8080/TCP' in EXPOSE instruction should be lowercase",
            ),
            (
                "ExposeProtoCasing",
                3,
                "Defined protocol '90/Udp' in EXPOSE instruction should be lowercase",
            ),
        ],
    ),
    (
        "expose-clean",
        "FROM scratch\nEXPOSE 80 443/tcp 53/udp 8000-8010 9/sctp\n",
        [],
    ),
]

# A clean twin per rule: BuildKit says nothing of this rule here.
CLEAN = {
    "StageNameCasing": "FROM a AS build\n",
    "FromAsCasing": "FROM a AS b\nfrom a as c\n",
    "NoEmptyContinuation": "FROM a\nRUN a \\\n b\n",
    "ConsistentInstructionCasing": "from a\nrun x\n",
    "DuplicateStageName": "FROM a AS b\nFROM a AS c\n",
    "ReservedStageName": "FROM scratch AS base\nFROM scratch\n",
    "JSONArgsRecommended": 'FROM a\nCMD ["nginx"]\nFROM a\nSHELL ["/bin/bash", "-c"]\nCMD x\n',
    "MaintainerDeprecated": "FROM a\nLABEL org.opencontainers.image.authors=me\n",
    "UndefinedArgInFrom": "ARG V=1\nFROM a:$V\nFROM --platform=$BUILDPLATFORM a:${TARGETARCH}\n",
    "WorkdirRelativePath": "FROM a\nWORKDIR /app\nWORKDIR src\n",
    "MultipleInstructionsDisallowed": 'FROM a\nCMD ["a"]\nFROM b\nCMD ["b"]\n',
    "LegacyKeyValueFormat": "FROM a\nENV A=b\nLABEL x=y\n",
    "InvalidBaseImagePlatform": "FROM --platform=linux/amd64 alpine\n",
    "RedundantTargetPlatform": "FROM --platform=$BUILDPLATFORM alpine\n",
    "SecretsUsedInArgOrEnv": "ARG TOKEN\nFROM a\nENV KEYS=1 PUBLIC_KEY=2\n",
    "InvalidDefaultArgInFrom": "ARG TAG=1.36\nFROM busybox:${TAG}\n",
    "FromPlatformFlagConstDisallowed": "FROM --platform=$BUILDPLATFORM a\n",
    "InvalidDefinitionDescription": _EXPERIMENTAL + "# base the base\nFROM a AS base\n",
    "ExposeProtoCasing": "FROM a\nEXPOSE 80/tcp 81/udp\n",
    "ExposeInvalidFormat": "FROM a\nEXPOSE 80 81-82/tcp\n",
}


def _findings(src: str) -> list[Finding]:
    return [(v.rule.name, v.pos.line, v.message) for v in run_checks(load(src)).violations]


@pytest.mark.parametrize(("src", "expected"), [pytest.param(s, e, id=i) for i, s, e in CASES])
def test_findings(src: str, expected: list[Finding]) -> None:
    assert _findings(src) == expected


def test_the_rules_share_one_dispatch_and_no_dockerfile_sees_anothers() -> None:
    """The rules read one dispatch of the Dockerfile being checked (remembered for it
    alone): checking the cases in turn, back and forth, finds what each finds alone."""
    cases = [(s, e) for _i, s, e in CASES]
    for src, expected in [*cases, *reversed(cases)]:
        assert _findings(src) == expected
    df = load("FROM a\nWORKDIR src\n")
    first = run_checks(df)
    assert run_checks(df) == first  # the remembered dispatch gives the same answer
    assert [v.rule.name for v in first.violations] == ["WorkdirRelativePath"]


def _fired(src: str, rule: str) -> list[tuple[str, int]]:
    return [(m, ln) for r, ln, m in _findings(src) if r == rule]


@pytest.mark.parametrize("rule", sorted(CLEAN))
def test_rule_stays_quiet(rule: str) -> None:
    assert _fired(CLEAN[rule], rule) == []


def test_every_rule_is_tested_and_documented() -> None:
    fired = {rule for _, _, expected in CASES for rule, _, _ in expected}
    assert fired == set(CLEAN) == RULE_NAMES
    for rule, _ in RULES:
        # BuildKit's ruleset gives InvalidBaseImagePlatform no documentation page.
        url = "" if rule == INVALID_BASE_IMAGE_PLATFORM else _go_link(rule.name)
        assert rule.url == url
        assert rule.description


def _go_link(name: str) -> str:
    return f"https://docs.docker.com/go/dockerfile/rule/{_kebab(name)}/"


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


# BuildKit's current ruleset (frontend/dockerfile/linter/ruleset.go), every rule.
BUILDKIT_RULESET = {
    "StageNameCasing",
    "FromAsCasing",
    "NoEmptyContinuation",
    "ConsistentInstructionCasing",
    "DuplicateStageName",
    "ReservedStageName",
    "JSONArgsRecommended",
    "MaintainerDeprecated",
    "UndefinedArgInFrom",
    "WorkdirRelativePath",
    "UndefinedVar",
    "MultipleInstructionsDisallowed",
    "LegacyKeyValueFormat",
    "InvalidBaseImagePlatform",
    "RedundantTargetPlatform",
    "SecretsUsedInArgOrEnv",
    "InvalidDefaultArgInFrom",
    "FromPlatformFlagConstDisallowed",
    "CopyIgnoredFile",
    "InvalidDefinitionDescription",
    "ExposeProtoCasing",
    "ExposeInvalidFormat",
}


def test_every_buildkit_rule_is_implemented_somewhere() -> None:
    from emu.teach.lessons import RULES as BUILD_RULES

    assert BUILDKIT_RULE_NAMES == BUILDKIT_RULESET
    build_aware = {r.name: r for r, _ in BUILD_RULES if r.origin == "buildkit"}
    assert set(build_aware) == set(BUILD_AWARE_RULES)
    assert not RULE_NAMES & set(build_aware)
    for name, rule in build_aware.items():
        assert rule.url == _go_link(name)


def test_check_directive() -> None:
    config = parse_check_directive("skip=JSONArgsRecommended,StageNameCasing;error=true")
    assert config.error and config.skip == {"JSONArgsRecommended", "StageNameCasing"}
    assert parse_check_directive("skip=all").skip_all
    src = "# check=skip=MaintainerDeprecated\nFROM a\nMAINTAINER me\nCMD x\n"
    names = [v.rule.name for v in run_checks(load(src)).violations]
    assert names == ["JSONArgsRecommended"]
    assert run_checks(load("# check=skip=all\nFROM a AS B\n")).violations == ()


def test_check_directive_reads_as_buildkit_does() -> None:
    # `all` and the keys are case-sensitive; error is Go's ParseBool; a later skip replaces.
    assert not parse_check_directive("skip=All").skip_all
    assert parse_check_directive("skip=All").skip == {"All"}
    assert parse_check_directive(" skip = A , B ").skip == {"A", "B"}
    assert parse_check_directive("error=1").error
    assert parse_check_directive("error=True").error
    assert not parse_check_directive("error=yes").error  # BuildKit refuses it; emu ignores
    assert not parse_check_directive("Skip=all").skip_all  # likewise: an unknown key
    assert parse_check_directive("skip=A;skip=B").skip == {"B"}
    config = parse_check_directive("experimental=InvalidDefinitionDescription;skip=all")
    assert config.experimental == EXPERIMENTAL_RULES and config.skip_all
    assert parse_check_directive("experimental=all").experimental_all


def test_experimental_rules_ignore_skip() -> None:
    src = "# check=skip=all;experimental=all\n# x\nARG foo\nFROM a as B\n"
    assert _findings(src) == [("InvalidDefinitionDescription", 3, _definition("ARG", "foo"))]
    config = CheckConfig(skip=frozenset({"InvalidDefinitionDescription"}), experimental_all=True)
    assert [v.rule.name for v in run_checks(load("# x\nARG foo\nFROM a\n"), config).violations] == [
        "InvalidDefinitionDescription"
    ]
    assert run_checks(load("# x\nARG foo\nFROM a\n"), CheckConfig()).violations == ()


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("scratch", True),
        ("busybox:1.36", True),
        ("localhost:5000/team/app:v1", True),
        ("Registry.Example.com/app", True),  # an upper-case host is a host
        ("docker.io/library/alpine@sha256:" + "a" * 64, True),
        ("", False),
        ("busybox:", False),
        ("Busybox", False),
        ("team/App", False),
        ("a" * 64, False),  # a 64-hex-digit name is an image ID
        ("alpine@sha256:abc", False),
        ("alpine@md5:" + "a" * 32, False),
        ("-lead", False),
    ],
)
def test_references(name: str, valid: bool) -> None:
    assert is_valid_reference(name) is valid


def test_demo_is_clean() -> None:
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


# --- emu check ---------------------------------------------------------------------------


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMU_HOME", str(tmp_path / "emu-home"))
    _console.reset()


def _dockerfile(tmp_path: Path, text: str) -> str:
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    return str(path)


@pytest.mark.usefixtures("home")
def test_cli_reports_a_new_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _dockerfile(tmp_path, "FROM busybox\nENV API_TOKEN=abc\n")
    assert main(["check", path]) == 1
    out = capsys.readouterr().out
    assert (
        "Dockerfile:2:1: warning: SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions "
        'for sensitive data (ENV "API_TOKEN")\n'
    ) in out
    assert (
        "  Sensitive data should not be used in the ARG or ENV commands "
        "(https://docs.docker.com/go/dockerfile/rule/secrets-used-in-arg-or-env/)\n"
    ) in out
    assert out.endswith("Check complete, 1 problem found\n")
    assert main(["check", "--skip", "SecretsUsedInArgOrEnv", path]) == 0


@pytest.mark.usefixtures("home")
def test_cli_rule_without_a_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _dockerfile(tmp_path, "FROM --platform=$TARGETOS/arm64 alpine\n")
    assert main(["check", path]) == 1
    out = capsys.readouterr().out
    assert "InvalidBaseImagePlatform: Base image alpine was pulled with platform" in out
    assert "  Base image platform does not match expected target platform\n" in out
    assert main(["check", "--format", "json", path]) == 1
    (violation,) = json.loads(capsys.readouterr().out)["violations"]
    assert (violation["rule"], violation["url"]) == ("InvalidBaseImagePlatform", "")


@pytest.mark.usefixtures("home")
def test_cli_keeps_the_directives_experimental_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _dockerfile(tmp_path, _EXPERIMENTAL + "# the base\nFROM busybox AS base\n")
    assert main(["check", "--skip", "StageNameCasing", path]) == 1
    assert "Dockerfile:3:1: warning: InvalidDefinitionDescription:" in capsys.readouterr().out
