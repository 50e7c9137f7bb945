"""Static build checks: ``docker build --check`` rules that need no build, as data.

Each rule is a :class:`~emu.dockerfile.parser.Rule` (BuildKit's name, description,
documentation URL) plus a function that yields each place a typed :class:`Dockerfile`
breaks it, as a message and a position; :func:`run_checks` makes them :class:`Violation` s.
Messages follow BuildKit's linter wording. ``# check=skip=…`` and ``# check=error=true``
are honoured.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from emu.dockerfile.instructions import (
    Cmd,
    Dockerfile,
    Entrypoint,
    Env,
    Healthcheck,
    Label,
    Maintainer,
    Shell,
    Stage,
    Workdir,
    suggest,
)
from emu.dockerfile.parser import NO_EMPTY_CONTINUATION, buildkit_rule, iter_nodes
from emu.dockerfile.parser import Rule as Rule  # the rule model, for other checks too
from emu.errors import EmuError
from emu.pos import Position
from emu.words import process_word


@dataclass(frozen=True, slots=True)
class Violation:
    rule: Rule
    message: str
    pos: Position

    def format(self, file: str) -> str:
        return f"{file}:{self.pos.line}:{self.pos.column}: {self.rule.name}: {self.message}"


STAGE_NAME_CASING = buildkit_rule("StageNameCasing", "Stage names should be lowercase")
FROM_AS_CASING = buildkit_rule(
    "FromAsCasing", "The 'as' keyword should match the case of the 'from' keyword"
)
CONSISTENT_INSTRUCTION_CASING = buildkit_rule(
    "ConsistentInstructionCasing",
    "All commands within the Dockerfile should use the same casing (either upper or lower)",
)
DUPLICATE_STAGE_NAME = buildkit_rule("DuplicateStageName", "Stage names should be unique")
RESERVED_STAGE_NAME = buildkit_rule(
    "ReservedStageName", "Reserved words should not be used as stage names"
)
JSON_ARGS_RECOMMENDED = buildkit_rule(
    "JSONArgsRecommended",
    "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to "
    "OS signals",
)
MAINTAINER_DEPRECATED = buildkit_rule(
    "MaintainerDeprecated",
    "The MAINTAINER instruction is deprecated, use a label instead to define an image author",
)
UNDEFINED_ARG_IN_FROM = buildkit_rule("UndefinedArgInFrom", "FROM command must use declared ARGs")
WORKDIR_RELATIVE_PATH = buildkit_rule(
    "WorkdirRelativePath",
    "Relative workdir without an absolute workdir declared within the build can have "
    "unexpected results if the base image changes",
)
MULTIPLE_INSTRUCTIONS_DISALLOWED = buildkit_rule(
    "MultipleInstructionsDisallowed",
    "Multiple instructions of the same type should not be used in the same stage",
)
LEGACY_KEY_VALUE_FORMAT = buildkit_rule(
    "LegacyKeyValueFormat",
    "Legacy key/value format with whitespace separator should not be used",
)
INVALID_DEFAULT_ARG_IN_FROM = buildkit_rule(
    "InvalidDefaultArgInFrom",
    "Default value for global ARG results in an empty or invalid base image name",
)

RESERVED_NAMES = ("context", "scratch")

# Platform ARGs BuildKit predefines in the global scope (usable in FROM undeclared).
PREDEFINED_GLOBAL_ARGS = frozenset(
    {
        "TARGETPLATFORM",
        "TARGETOS",
        "TARGETARCH",
        "TARGETVARIANT",
        "BUILDPLATFORM",
        "BUILDOS",
        "BUILDARCH",
        "BUILDVARIANT",
        "BUILDOSVERSION",
        "TARGETOSVERSION",
        "TARGETSTAGE",
    }
)

# A rule's check yields (message, position) for each place the rule is broken.
Found = tuple[str, Position]
Checker = Callable[[Dockerfile], Iterator[Found]]


def _stage_name_casing(df: Dockerfile) -> Iterator[Found]:
    for st in df.stages:
        written = st.from_.name_as_written
        if written and written != written.lower():
            pos = _stage_name_pos(st)
            yield (f"Stage name '{written}' should be lowercase", pos)


def _stage_name_pos(st: Stage) -> Position:
    return st.from_.node.arg_spans[2].start  # FROM image AS name


def _from_as_casing(df: Dockerfile) -> Iterator[Found]:
    for st in df.stages:
        node = st.from_.node
        if not st.from_.name_as_written:
            continue
        kw, as_kw = node.keyword, node.args[1]
        matches = as_kw == as_kw.lower() if kw == kw.lower() else as_kw == as_kw.upper()
        if not matches:
            yield (
                f"'{as_kw}' and '{kw}' keywords' casing do not match",
                node.arg_spans[1].start,
            )


def _no_empty_continuation(df: Dockerfile) -> Iterator[Found]:
    for w in df.parsed.warnings:
        if w.rule == NO_EMPTY_CONTINUATION:
            yield ("Empty continuation line", Position(w.line, 1))


def _consistent_casing(df: Dockerfile) -> Iterator[Found]:
    nodes = list(iter_nodes(df.parsed))
    lower = sum(1 for n in nodes if n.keyword == n.keyword.lower())
    upper = sum(1 for n in nodes if n.keyword == n.keyword.upper())
    majority = "lowercase" if lower > upper else "uppercase"
    for n in nodes:
        wanted = n.keyword.lower() if majority == "lowercase" else n.keyword.upper()
        if n.keyword != wanted:
            yield (
                f"Command '{n.keyword}' should match the case of the command majority ({majority})",
                n.span.start,
            )


def _duplicate_stage_name(df: Dockerfile) -> Iterator[Found]:
    seen: set[str] = set()
    for st in df.stages:
        if not st.name:
            continue
        if st.name in seen:
            pos = _stage_name_pos(st)
            yield (
                f"Duplicate stage name '{st.name}', stage names should be unique",
                pos,
            )
        seen.add(st.name)


def _reserved_stage_name(df: Dockerfile) -> Iterator[Found]:
    for st in df.stages:
        if st.name in RESERVED_NAMES:
            pos = _stage_name_pos(st)
            yield (
                f"'{st.name}' is reserved and should not be used as a stage name",
                pos,
            )


def _json_args_recommended(df: Dockerfile) -> Iterator[Found]:
    for st in df.stages:
        # A stage that sets its own SHELL is using shell form on purpose.
        if any(isinstance(c, Shell) for c in st.commands):
            continue
        for c in st.commands:
            if isinstance(c, Cmd | Entrypoint) and c.command.prepend_shell and c.command.args:
                yield (
                    f"JSON arguments recommended for {c.node.keyword.upper()} to prevent "
                    "unintended behavior related to OS signals",
                    c.pos,
                )


def _maintainer_deprecated(df: Dockerfile) -> Iterator[Found]:
    for st in df.stages:
        for c in st.commands:
            if isinstance(c, Maintainer):
                yield (
                    "Maintainer instruction is deprecated in favor of using label",
                    c.pos,
                )


def _global_defaults(df: Dockerfile) -> tuple[dict[str, str], set[str]]:
    """Global ARG values from their defaults alone, and every declared global name."""
    env: dict[str, str] = {}
    declared: set[str] = set()
    for arg in df.meta_args:
        for decl in arg.args:
            declared.add(decl.key)
            if decl.value is not None:
                try:
                    env[decl.key] = process_word(decl.value, env).value
                except EmuError:
                    env[decl.key] = decl.value
    return env, declared


def _undefined_arg_in_from(df: Dockerfile) -> Iterator[Found]:
    env, declared = _global_defaults(df)
    known = declared | PREDEFINED_GLOBAL_ARGS
    for st in df.stages:
        for text in (st.from_.base, st.from_.platform):
            if not text:
                continue
            try:
                result = process_word(text, env)
            except EmuError:
                continue
            for name in sorted(result.unmatched | result.matched):
                if name not in known:
                    close = suggest(name, sorted(known))
                    msg = f"FROM argument '{name}' is not declared"
                    if close:
                        msg += f" (did you mean {close}?)"
                    yield (msg, st.from_.pos)


# Docker's reference grammar, enough to tell an image name from garbage.
_REFERENCE = re.compile(
    r"(?:(?:[a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+(?::[0-9]+)?/)?"
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
    r"(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?"
    r"\Z"
)


def is_valid_reference(name: str) -> bool:
    return name == "scratch" or _REFERENCE.match(name) is not None


def _invalid_default_arg_in_from(df: Dockerfile) -> Iterator[Found]:
    env, _ = _global_defaults(df)
    stage_names = {st.name for st in df.stages if st.name}
    for st in df.stages:
        base = st.from_.base
        if "$" not in base:
            continue
        try:
            # Unset ARGs count as empty, as they would without --build-arg.
            value = process_word(base, env).value
        except EmuError:
            continue
        if value.lower() in stage_names:
            continue
        if not value or not is_valid_reference(value):
            yield (
                f"Default value for ARG {base} results in empty or invalid base image name",
                st.from_.pos,
            )


def _workdir_relative_path(df: Dockerfile) -> Iterator[Found]:
    for st in df.stages:
        absolute_seen = False
        for c in st.commands:
            if isinstance(c, Workdir):
                if c.path.startswith("/") or c.path.startswith("$"):
                    absolute_seen = True
                elif not absolute_seen:
                    yield (
                        f"Relative workdir '{c.path}' can have unexpected results if the base "
                        "image changes",
                        c.pos,
                    )


def _multiple_instructions(df: Dockerfile) -> Iterator[Found]:
    for st in df.stages:
        last: dict[str, Cmd | Entrypoint | Healthcheck] = {}
        for c in st.commands:
            if isinstance(c, Cmd | Entrypoint | Healthcheck):
                name = c.node.keyword.upper()
                if name in last:
                    prev = last[name]
                    yield (
                        f"Multiple {name} instructions should not be used in the same stage "
                        "because only the last one will be used",
                        prev.pos,
                    )
                last[name] = c


def _legacy_key_value(df: Dockerfile) -> Iterator[Found]:
    for st in df.stages:
        for c in st.commands:
            pairs = c.env if isinstance(c, Env) else c.labels if isinstance(c, Label) else ()
            if any(kv.legacy for kv in pairs):
                name = c.node.keyword.upper()
                yield (
                    f'"{name} key=value" should be used instead of legacy "{name} key value" '
                    "format",
                    c.pos,
                )


RULES: tuple[tuple[Rule, Checker], ...] = (
    (STAGE_NAME_CASING, _stage_name_casing),
    (FROM_AS_CASING, _from_as_casing),
    (NO_EMPTY_CONTINUATION, _no_empty_continuation),
    (CONSISTENT_INSTRUCTION_CASING, _consistent_casing),
    (DUPLICATE_STAGE_NAME, _duplicate_stage_name),
    (RESERVED_STAGE_NAME, _reserved_stage_name),
    (JSON_ARGS_RECOMMENDED, _json_args_recommended),
    (MAINTAINER_DEPRECATED, _maintainer_deprecated),
    (UNDEFINED_ARG_IN_FROM, _undefined_arg_in_from),
    (WORKDIR_RELATIVE_PATH, _workdir_relative_path),
    (MULTIPLE_INSTRUCTIONS_DISALLOWED, _multiple_instructions),
    (LEGACY_KEY_VALUE_FORMAT, _legacy_key_value),
    (INVALID_DEFAULT_ARG_IN_FROM, _invalid_default_arg_in_from),
)
RULE_NAMES = frozenset(r.name for r, _ in RULES)


@dataclass(frozen=True, slots=True)
class CheckConfig:
    """What ``# check=`` (or the caller) asks for: rules to skip, and whether to fail."""

    skip: frozenset[str] = frozenset()
    skip_all: bool = False
    error: bool = False


def parse_check_directive(value: str) -> CheckConfig:
    """``skip=A,B;error=true`` → CheckConfig (unknown keys are ignored, as BuildKit does)."""
    skip: set[str] = set()
    skip_all = False
    error = False
    for part in value.split(";"):
        key, _, val = part.strip().partition("=")
        key = key.strip().lower()
        val = val.strip()
        if key == "skip":
            names = {v.strip() for v in val.split(",") if v.strip()}
            if "all" in {n.lower() for n in names}:
                skip_all = True
            skip |= names
        elif key == "error":
            error = val.lower() in ("true", "1")
    return CheckConfig(frozenset(skip), skip_all, error)


@dataclass(frozen=True, slots=True)
class CheckReport:
    violations: tuple[Violation, ...]
    config: CheckConfig


def run_checks(df: Dockerfile, config: CheckConfig | None = None) -> CheckReport:
    """Every rule's violations, in source order, less the skipped rules."""
    if config is None:
        directive = df.parsed.directive("check")
        config = parse_check_directive(directive.value) if directive else CheckConfig()
    found: list[Violation] = []
    if not config.skip_all:
        for rule, check in RULES:
            if rule.name in config.skip:
                continue
            found.extend(Violation(rule, message, pos) for message, pos in check(df))
    found.sort(key=lambda v: (v.pos.line, v.pos.column, v.rule.name))
    return CheckReport(tuple(found), config)
