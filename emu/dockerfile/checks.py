"""Static build checks: BuildKit's ``docker build --check`` rules, as data.

Every rule of BuildKit's current reference (``frontend/dockerfile/linter/ruleset.go``) is in
:data:`BUILDKIT_RULE_NAMES`. The ones the Dockerfile alone decides are here: each a
:class:`~emu.dockerfile.parser.Rule` (BuildKit's name, description, documentation URL) and a
function that yields each place a typed :class:`Dockerfile` breaks it, as a message and a
position; :func:`run_checks` makes them :class:`Violation` s. The other two need more than
the Dockerfile — ``UndefinedVar`` (the variables of the build) and ``CopyIgnoredFile`` (the
context's ``.dockerignore``) — and live in :mod:`emu.teach.lessons`.

BuildKit runs its rules at three moments, and each rule here keeps its moment's semantics:

* while parsing, over every instruction: the casing rules, stage names, MAINTAINER,
  definition comments;
* while reading each FROM line, with the global ARGs: UndefinedArgInFrom, the platform
  rules, InvalidDefaultArgInFrom (with the ARGs' defaults alone);
* while dispatching each instruction, with the ARG and ENV values set by then: JSON
  arguments, repeated CMD/ENTRYPOINT/HEALTHCHECK, legacy ENV/LABEL, WORKDIR, secrets,
  EXPOSE. :func:`_dispatch` replays that walk without building — every stage (as
  ``--check`` does), a stage built FROM an earlier one starting where that one ended and
  running its ONBUILD triggers first. What a base *image* brings (its variables) is not
  known at this layer: a word that needs one is left to the build, and no rule fires on it.

Where BuildKit reads the build's options, a static check assumes emu's defaults: no
``--build-arg``, the target (and build) platform linux/amd64, and base images from emu's
catalog, which are linux/amd64 — InvalidBaseImagePlatform compares a stage's platform with
that, which is what an emu build pulls.

``# check=skip=…``, ``error=…`` and ``experimental=…`` are honoured; an experimental rule
runs only when ``experimental=`` names it (or ``all``), and ``skip`` does not apply to it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator, Mapping

from emu.dockerfile.instructions import (
    Arg,
    Cmd,
    Dockerfile,
    Entrypoint,
    Env,
    Expose,
    Healthcheck,
    Instruction,
    Label,
    Maintainer,
    Onbuild,
    Shell,
    Stage,
    Workdir,
    suggest,
)
from emu.dockerfile.parser import NO_EMPTY_CONTINUATION, Node, buildkit_rule
from emu.dockerfile.parser import Rule as Rule  # the rule model, for other checks too
from emu.dockerfile.text import go_quote
from emu.errors import EmuError
from emu.pos import Position
from emu.records import field, record
from emu.words import process_word, process_words


@record(frozen=True, slots=True)
class Violation:
    rule: Rule
    message: str
    pos: Position

    def format(self, file: str) -> str:
        return f"{file}:{self.pos.line}:{self.pos.column}: {self.rule.name}: {self.message}"


# --- the rules, in ruleset.go's order ------------------------------------------------------

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
# BuildKit gives this one no documentation page (its ruleset entry has no URL).
INVALID_BASE_IMAGE_PLATFORM = Rule(
    "InvalidBaseImagePlatform", "Base image platform does not match expected target platform", ""
)
REDUNDANT_TARGET_PLATFORM = buildkit_rule(
    "RedundantTargetPlatform",
    "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the "
    "default behavior",
)
SECRETS_USED_IN_ARG_OR_ENV = buildkit_rule(
    "SecretsUsedInArgOrEnv", "Sensitive data should not be used in the ARG or ENV commands"
)
INVALID_DEFAULT_ARG_IN_FROM = buildkit_rule(
    "InvalidDefaultArgInFrom",
    "Default value for global ARG results in an empty or invalid base image name",
)
FROM_PLATFORM_FLAG_CONST_DISALLOWED = buildkit_rule(
    "FromPlatformFlagConstDisallowed", "FROM --platform flag should not use a constant value"
)
INVALID_DEFINITION_DESCRIPTION = buildkit_rule(
    "InvalidDefinitionDescription",
    "Comment for build stage or argument should follow the format: "
    "`# <arg/stage name> <description>`. If this is not intended to be a description "
    "comment, add an empty line or comment between the instruction and the comment.",
)
EXPOSE_PROTO_CASING = buildkit_rule(
    "ExposeProtoCasing", "Protocol in EXPOSE instruction should be lowercase"
)
EXPOSE_INVALID_FORMAT = buildkit_rule(
    "ExposeInvalidFormat",
    "IP address and host-port mapping should not be used in EXPOSE instruction. This will "
    "become an error in a future release",
)

# BuildKit's rules that need the context or a build: emu.teach.lessons has them.
BUILD_AWARE_RULES = ("UndefinedVar", "CopyIgnoredFile")
# Off in BuildKit unless `# check=experimental=` names them (CopyIgnoredFile is too).
EXPERIMENTAL_RULES = frozenset({INVALID_DEFINITION_DESCRIPTION.name})

RESERVED_NAMES = ("context", "scratch")

# A rule's check yields (message, position) for each place the rule is broken.
Found = tuple[str, Position]
Checker = Callable[[Dockerfile], Iterator[Found]]


# --- the build a static check assumes ------------------------------------------------------


@record(frozen=True, slots=True)
class _Platform:
    """An OCI platform as containerd's ``platforms`` package parses and prints it."""

    os: str
    arch: str
    variant: str = ""
    os_version: str = ""

    def normalized(self) -> _Platform:
        arch, variant = _normalize_arch(self.arch, self.variant)
        return _Platform(_normalize_os(self.os), arch, variant, self.os_version)

    def format_all(self) -> str:
        os_part = f"{self.os}({self.os_version})" if self.os_version else self.os
        return "/".join(p for p in (os_part, self.arch, self.variant) if p)


# emu builds for linux/amd64 on a linux/amd64 "host", and its catalog images are linux/amd64.
DEFAULT_PLATFORM = _Platform("linux", "amd64")

# containerd's lists of the GOOS and GOARCH values it knows.
# fmt: off
_KNOWN_OS = frozenset((
    "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js",
    "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "windows", "zos",
))
_KNOWN_ARCH = frozenset((
    "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "ppc64", "ppc64le",
    "loong64", "mips", "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc",
    "riscv", "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm",
))
# fmt: on
_PLATFORM_PART = re.compile(r"[A-Za-z0-9_.-]+\Z")
_OS_PART = re.compile(r"([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.+-]*)\))?\Z")


def _normalize_os(os_name: str) -> str:
    os_name = os_name.lower()
    return "darwin" if os_name == "macos" else os_name


def _normalize_arch(arch: str, variant: str) -> tuple[str, str]:
    arch, variant = arch.lower(), variant.lower()
    if arch == "i386":
        return "386", ""
    if arch in ("x86_64", "x86-64", "amd64"):
        return "amd64", "" if variant == "v1" else variant
    if arch in ("aarch64", "arm64"):
        return "arm64", "" if variant in ("8", "v8", "v8.0") else variant
    if arch == "armhf":
        return "arm", "v7"
    if arch == "armel":
        return "arm", "v6"
    if arch == "arm":
        if variant in ("", "7"):
            return "arm", "v7"
        if variant in ("5", "6", "8"):
            return "arm", "v" + variant
    return arch, variant


def _parse_platform(text: str) -> _Platform | None:
    """containerd's ``platforms.Parse`` (None where it fails); the default OS and architecture
    are emu's (linux, amd64)."""
    if "*" in text:
        return None
    parts = text.split("/", 3)
    m = _OS_PART.match(parts[0])
    if m is None or not all(_PLATFORM_PART.match(p) for p in parts[1:]):
        return None
    os_name, os_version = _normalize_os(m[1]), m[2] or ""
    if len(parts) == 1:
        if os_name in _KNOWN_OS:
            return _Platform(os_name, DEFAULT_PLATFORM.arch, "", os_version)
        arch, variant = _normalize_arch(parts[0], "")
        if arch not in _KNOWN_ARCH:
            return None
        return _Platform(
            DEFAULT_PLATFORM.os, arch, "" if (arch, variant) == ("arm", "v7") else variant
        )
    if len(parts) == 2:
        arch, variant = _normalize_arch(parts[1], "")
        if (arch, variant) == ("arm", "v7"):
            variant = ""
        return _Platform(os_name, arch, variant, os_version)
    if len(parts) == 3:
        arch, variant = _normalize_arch(parts[1], parts[2])
        if arch == "arm64" and not variant:
            variant = "v8"
        return _Platform(os_name, arch, variant, os_version)
    return None


def _platform_args(df: Dockerfile) -> dict[str, str]:
    """BuildKit's predefined global ARGs, for a build with no --platform and no --target."""
    p = DEFAULT_PLATFORM
    out: dict[str, str] = {}
    for side in ("BUILD", "TARGET"):
        out[f"{side}PLATFORM"] = f"{p.os}/{p.arch}"
        out[f"{side}OS"] = p.os
        out[f"{side}OSVERSION"] = ""
        out[f"{side}ARCH"] = p.arch
        out[f"{side}VARIANT"] = p.variant
    out["TARGETSTAGE"] = (df.stages[-1].name if df.stages else "") or "default"
    return out


def _global_args(df: Dockerfile) -> tuple[Mapping[str, str], frozenset[str], bool]:
    """The global scope from defaults alone: values, every name FROM may use, and whether
    every default expanded (BuildKit abandons InvalidDefaultArgInFrom when one does not)."""
    return _shared(df).globals


def _read_global_args(df: Dockerfile) -> tuple[dict[str, str], frozenset[str], bool]:
    env = _platform_args(df)
    declared = set(env)
    complete = True
    for arg in df.meta_args:
        for decl in arg.args:
            declared.add(decl.key)
            if decl.value is None:
                continue
            try:
                env[decl.key] = process_word(decl.value, env, escape=df.parsed.escape).value
            except EmuError:
                complete = False
    return env, frozenset(declared), complete


# --- image references (distribution/reference's ParseNormalizedNamed) ----------------------

_ALNUM = r"[a-z0-9]+"
_SEP = r"(?:[._]|__|-+)"
_COMPONENT = rf"{_ALNUM}(?:{_SEP}{_ALNUM})*"
_HOST_LABEL = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_HOST_LABEL}(?:\.{_HOST_LABEL})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_REFERENCE = re.compile(
    rf"(?P<name>(?:{_HOST}/)?{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::[\w][\w.-]{0,127})?"
    r"(?:@(?P<alg>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*):(?P<hex>[0-9a-fA-F]{32,}))?"
    r"\Z",
    re.ASCII,
)
_DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}
_HEX64 = re.compile(r"[a-f0-9]{64}\Z")


def is_valid_reference(name: str) -> bool:
    """Whether Docker's ParseNormalizedNamed accepts ``name`` (``scratch`` included)."""
    if _HEX64.match(name):
        return False  # "cannot specify 64-byte hexadecimal strings"
    first, slash, rest = name.partition("/")
    # A first component is a registry host when it has a dot, a colon or an upper-case
    # letter, or is localhost; otherwise the name is Docker Hub's.
    is_host = any(c in first for c in ".:") or first == "localhost" or first != first.lower()
    domain, remainder = (first, rest) if slash and is_host else ("docker.io", name)
    if domain == "docker.io" and "/" not in remainder:
        remainder = "library/" + remainder
    remote = remainder.partition(":")[0]
    if remote != remote.lower():
        return False
    m = _REFERENCE.match(f"{domain}/{remainder}")
    if m is None or len(m["name"]) > 255:
        return False
    if m["alg"] is None:
        return True
    size = _DIGEST_LENGTHS.get(m["alg"])
    return size == len(m["hex"]) and m["hex"] == m["hex"].lower()


# --- the dispatch, replayed ----------------------------------------------------------------


@record(frozen=True, slots=True)
class _Scope:
    """The variables an instruction is expanded with, as far as the Dockerfile tells them."""

    env: Mapping[str, str]  # the ARG and ENV values set so far
    # Names whose value is not known here: the base image's own variables, or values that
    # were expanded from them (None: any name the Dockerfile did not set may be one).
    unknown: frozenset[str] | None
    escape: str

    def expand(self, word: str) -> str | None:
        """``word`` as dispatch expands it; None when that needs the build (or fails)."""
        try:
            result = process_word(word, self.env, escape=self.escape)
        except EmuError:
            return None
        return None if self._needs_build(result.matched, result.unmatched) else result.value

    def expand_words(self, word: str) -> tuple[str, ...] | None:
        try:
            result = process_words(word, self.env, escape=self.escape)
        except EmuError:
            return None
        return None if self._needs_build(result.matched, result.unmatched) else result.words

    def _needs_build(self, matched: frozenset[str], unmatched: frozenset[str]) -> bool:
        if self.unknown is None:
            return bool(unmatched)
        return bool(self.unknown & (matched | unmatched))


@record(frozen=True, slots=True)
class _Step:
    """One instruction as BuildKit dispatches it, and what the Dockerfile tells of its stage
    at that moment."""

    stage: Stage
    inst: Instruction
    pos: Position  # where BuildKit reports it: an ONBUILD trigger, at the FROM that runs it
    scope: _Scope
    shell_set: bool  # a SHELL is in effect (inherited from a base stage too)
    workdir_set: bool  # a WORKDIR ran before it, in this stage or a base stage


@record(slots=True)
class _StageState:
    env: dict[str, str]
    unknown: set[str] | None
    escape: str
    shell_set: bool = False
    workdir_set: bool = False
    triggers: list[Onbuild] = field(default_factory=list)  # its own ONBUILDs, for children

    def scope(self) -> _Scope:
        unknown = None if self.unknown is None else frozenset(self.unknown)
        return _Scope(dict(self.env), unknown, self.escape)

    def child(self) -> _StageState:
        unknown = None if self.unknown is None else set(self.unknown)
        return _StageState(dict(self.env), unknown, self.escape, self.shell_set, self.workdir_set)

    def set(self, key: str, value: str | None) -> None:
        """``key`` is now ``value`` (None: a value only the build knows)."""
        if value is None:
            self.env.pop(key, None)
            if self.unknown is not None:
                self.unknown.add(key)
            return
        self.env[key] = value
        if self.unknown is not None:
            self.unknown.discard(key)


def _from_base(
    df: Dockerfile, st: Stage, globals_: Mapping[str, str]
) -> tuple[str | None, Stage | None]:
    """The expanded base name (None where expanding fails the build) and the earlier stage
    it names: BuildKit matches the expanded name exactly against the stages defined so far,
    the latest of a name winning."""
    try:
        base = process_word(st.base, globals_, escape=df.parsed.escape).value
    except EmuError:
        return None, None
    found = None
    for other in df.stages[: st.index]:
        if other.name == base:
            found = other
    return base, found


def _dispatch(df: Dockerfile) -> tuple[_Step, ...]:
    """Every stage's instructions in dispatch order, as ``--check`` dispatches them."""
    return _shared(df).steps


@record(frozen=True, slots=True, eq=False)
class _Shared:
    """What several rules read of one Dockerfile, worked out once for all of them."""

    df: Dockerfile  # held: its identity cannot pass to another Dockerfile while remembered
    globals: tuple[Mapping[str, str], frozenset[str], bool]
    steps: tuple[_Step, ...]


# The Dockerfile being checked and its _Shared: one entry, as run_checks checks one at a
# time; the rules only read it (each used to dispatch the whole Dockerfile again).
_LAST_SHARED: list[_Shared] = []


def _shared(df: Dockerfile) -> _Shared:
    held = _LAST_SHARED[0] if _LAST_SHARED else None
    if held is not None and held.df is df:
        return held
    globals_ = _read_global_args(df)
    made = _Shared(df, globals_, tuple(_dispatch_steps(df, globals_[0])))
    _LAST_SHARED[:] = [made]
    return made


def _dispatch_steps(df: Dockerfile, globals_: Mapping[str, str]) -> Iterator[_Step]:
    escape = df.parsed.escape
    ended: dict[int, _StageState] = {}
    for st in df.stages:
        base, base_stage = _from_base(df, st, globals_)
        triggers: list[Instruction] = []
        if base_stage is not None:
            parent = ended[base_stage.index]
            state = parent.child()
            for onbuild in parent.triggers:
                try:
                    triggers.append(onbuild.trigger())
                except EmuError:
                    continue
        elif base == "scratch":
            state = _StageState({}, {"PATH"}, escape)  # BuildKit's default PATH: not here
        else:
            state = _StageState({}, None, escape)  # the image's variables: not known here
        runs = [(t, st.from_.pos) for t in triggers] + [(c, c.pos) for c in st.commands]
        for inst, pos in runs:
            step = _Step(st, inst, pos, state.scope(), state.shell_set, state.workdir_set)
            yield step
            _apply(step, state, globals_)
        ended[st.index] = state


def _apply(step: _Step, state: _StageState, globals_: Mapping[str, str]) -> None:
    """What an instruction changes in its stage, for the instructions after it."""
    inst = step.inst
    if isinstance(inst, Arg):
        for decl in inst.args:  # each default sees the ARGs before it on the same line
            if decl.value is not None:
                state.set(decl.key, state.scope().expand(decl.value))
            elif decl.key in globals_:
                state.set(decl.key, globals_[decl.key])
    elif isinstance(inst, Env):
        for kv in inst.env:  # every pair was expanded with the values from before the line
            key = step.scope.expand(kv.key)
            if key is not None:
                state.set(key, step.scope.expand(kv.value))
    elif isinstance(inst, Shell):
        state.shell_set = True
    elif isinstance(inst, Workdir):
        state.workdir_set = True
    elif isinstance(inst, Onbuild):
        state.triggers.append(inst)


# --- parse-time rules ----------------------------------------------------------------------


def _stage_name_casing(df: Dockerfile) -> Iterator[Found]:
    for st in df.stages:
        written = st.from_.name_as_written
        if written and written != written.lower():
            yield (f"Stage name '{written}' should be lowercase", _stage_name_pos(st))


def _stage_name_pos(st: Stage) -> Position:
    return st.from_.node.arg_spans[2].start  # FROM image AS name


def _from_as_casing(df: Dockerfile) -> Iterator[Found]:
    for st in df.stages:
        node = st.from_.node
        if not st.from_.name_as_written:
            continue
        kw, as_kw = node.keyword, node.args[1]
        if kw == kw.lower():
            matches = as_kw == as_kw.lower()
        elif kw == kw.upper():
            matches = as_kw == as_kw.upper()
        else:
            continue  # a mixed-case FROM is ConsistentInstructionCasing's to report
        if not matches:
            yield (f"'{as_kw}' and '{kw}' keywords' casing do not match", node.arg_spans[1].start)


def _no_empty_continuation(df: Dockerfile) -> Iterator[Found]:
    for w in df.parsed.warnings:
        if w.rule == NO_EMPTY_CONTINUATION:
            yield ("Empty continuation line", Position(w.line, 1))


def _stage_nodes(df: Dockerfile) -> list[Node]:
    """The FROM and instruction nodes of every stage (not the global ARGs, not the
    instruction an ONBUILD wraps): what BuildKit's casing rule looks at."""
    return [n for st in df.stages for n in (st.from_.node, *(c.node for c in st.commands))]


def _consistent_casing(df: Dockerfile) -> Iterator[Found]:
    nodes = _stage_nodes(df)
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
            yield (
                f"Duplicate stage name {go_quote(st.name)}, stage names should be unique",
                _stage_name_pos(st),
            )
        seen.add(st.name)


def _reserved_stage_name(df: Dockerfile) -> Iterator[Found]:
    for st in df.stages:
        if st.name in RESERVED_NAMES:
            yield (
                f"Stage name should not use the same name as reserved stage {go_quote(st.name)}",
                _stage_name_pos(st),
            )


def _maintainer_deprecated(df: Dockerfile) -> Iterator[Found]:
    for st in df.stages:
        for c in st.commands:
            if isinstance(c, Maintainer):
                yield ("Maintainer instruction is deprecated in favor of using label", c.pos)


def _invalid_definition_description(df: Dockerfile) -> Iterator[Found]:
    """The comment right above a named FROM or an ARG should start with the name it
    describes (it is what ``--call=outline`` shows as the description)."""
    for arg in df.meta_args:
        yield from _definition_comment("ARG", [d.key for d in arg.args], arg.node)
    for st in df.stages:
        if st.name:
            yield from _definition_comment("FROM", [st.name], st.from_.node)
        for c in st.commands:
            if isinstance(c, Arg):
                yield from _definition_comment("ARG", [d.key for d in c.args], c.node)


def _definition_comment(instruction: str, keys: list[str], node: Node) -> Iterator[Found]:
    if node.comments and node.comments[-1].split(" ")[0] not in keys:
        example = keys[0] if len(keys) == 1 else "<arg_key>"
        msg = f"Comment for {instruction} should follow the format: `# {example} <description>`"
        yield (msg, node.span.start)


# --- FROM rules ----------------------------------------------------------------------------


def _closest(name: str, options: list[str]) -> str:
    """BuildKit's suggestion: case-sensitive, at most two edits away, the first closest."""
    return suggest(name, sorted(options), case_sensitive=True)


def _undefined_arg_in_from(df: Dockerfile) -> Iterator[Found]:
    env, declared, _ = _global_args(df)
    for st in df.stages:
        for text in (st.from_.base, st.from_.platform):
            if not text:
                continue
            try:
                result = process_word(text, env, escape=df.parsed.escape)
            except EmuError:
                continue
            for name in sorted(result.unmatched - declared):
                close = _closest(name, list(declared))
                msg = f"FROM argument '{name}' is not declared"
                if close:
                    msg += f" (did you mean {close}?)"
                yield (msg, st.from_.pos)


def _invalid_default_arg_in_from(df: Dockerfile) -> Iterator[Found]:
    env, _, complete = _global_args(df)
    if not complete:
        return  # a default that does not expand fails the build; BuildKit checks nothing
    for st in df.stages:
        try:
            value = process_word(st.from_.base, env, escape=df.parsed.escape).value
        except EmuError:
            return
        if not is_valid_reference(value):
            yield (
                f"Default value for ARG {st.from_.base} results in empty or invalid base "
                "image name",
                st.from_.pos,
            )


def _from_platforms(df: Dockerfile) -> Iterator[tuple[Stage, str, frozenset[str], frozenset[str]]]:
    """Each FROM --platform: (stage, expanded value, names matched, names unmatched)."""
    env, _, _ = _global_args(df)
    for st in df.stages:
        if not st.from_.platform:
            continue
        try:
            result = process_word(st.from_.platform, env, escape=df.parsed.escape)
        except EmuError:
            continue
        yield st, result.value, result.matched, result.unmatched


def _redundant_target_platform(df: Dockerfile) -> Iterator[Found]:
    target = _platform_args(df)["TARGETPLATFORM"]
    for st, value, matched, unmatched in _from_platforms(df):
        # Only $TARGETPLATFORM alone gives its value: other variables may have been empty.
        if matched == {"TARGETPLATFORM"} and not unmatched and value == target:
            yield (
                f"Setting platform to predefined {st.from_.platform} in FROM is redundant as "
                "this is the default behavior",
                st.from_.pos,
            )


def _from_platform_const(df: Dockerfile) -> Iterator[Found]:
    for st, value, matched, unmatched in _from_platforms(df):
        if matched or unmatched:
            continue  # a variable: not a constant
        p = _parse_platform(value)
        if p is None:
            continue  # fails the build instead
        if p.os in st.name or p.arch in st.name:
            continue  # a stage named for its platform (build-linux-amd64) pins it on purpose
        yield (
            f"FROM --platform flag should not use constant value {go_quote(value)}",
            st.from_.pos,
        )


def _invalid_base_image_platform(df: Dockerfile) -> Iterator[Found]:
    """A base image whose platform is not the stage's. BuildKit compares with the image the
    registry returned; emu's catalog images are linux/amd64 (and emu pulls no other), so a
    stage that asks for another OS or architecture gets that image's platform instead."""
    env, _, _ = _global_args(df)
    for st in df.stages:
        base, stage = _from_base(df, st, env)
        if base is None or base == "scratch" or stage is not None:
            continue  # no image is pulled (or the build fails first)
        expected: _Platform | None = DEFAULT_PLATFORM
        if st.from_.platform:
            try:
                value = process_word(st.from_.platform, env, escape=df.parsed.escape).value
            except EmuError:
                continue
            expected = _parse_platform(value)
        if expected is None:
            continue  # not a platform: the build fails instead
        actual = DEFAULT_PLATFORM
        if (expected.os, expected.arch) != (actual.os, actual.arch):
            want = go_quote(expected.normalized().format_all())
            got = go_quote(actual.normalized().format_all())
            yield (
                f"Base image {base} was pulled with platform {got}, expected {want} for "
                "current build",
                st.from_.pos,
            )


# --- dispatch-time rules -------------------------------------------------------------------


def _json_args_recommended(df: Dockerfile) -> Iterator[Found]:
    for step in _dispatch(df):
        c = step.inst
        if isinstance(c, Cmd | Entrypoint) and c.command.prepend_shell and not step.shell_set:
            yield (
                f"JSON arguments recommended for {c.node.keyword} to prevent unintended "
                "behavior related to OS signals",
                step.pos,
            )


def _multiple_instructions(df: Dockerfile) -> Iterator[Found]:
    last: dict[tuple[int, type], Position] = {}
    for step in _dispatch(df):
        c = step.inst
        if isinstance(c, Cmd | Entrypoint | Healthcheck):
            key = (step.stage.index, type(c))
            if key in last:  # the earlier one is the one that will be ignored
                yield (
                    f"Multiple {c.node.keyword} instructions should not be used in the same "
                    "stage because only the last one will be used",
                    last[key],
                )
            last[key] = step.pos


def _legacy_key_value(df: Dockerfile) -> Iterator[Found]:
    for step in _dispatch(df):
        c = step.inst
        pairs = c.env if isinstance(c, Env) else c.labels if isinstance(c, Label) else ()
        for kv in pairs:
            if kv.legacy:
                name = c.node.keyword
                yield (
                    f'"{name} key=value" should be used instead of legacy "{name} key value" '
                    "format",
                    step.pos,
                )


def _workdir_relative_path(df: Dockerfile) -> Iterator[Found]:
    for step in _dispatch(df):
        c = step.inst
        if not isinstance(c, Workdir) or step.workdir_set:
            continue  # only the first WORKDIR of a stage and its bases is checked
        path = step.scope.expand(c.path)
        if path is not None and not path.startswith("/"):
            yield (
                f"Relative workdir {go_quote(path)} can have unexpected results if the base "
                "image changes",
                step.pos,
            )


# Key names that read as a secret, whole or as the first or last `_` word
# (api_key, DATABASE_PASSWORD, GITHUB_TOKEN, AUTH) — unless a word says otherwise.
_SECRET_WORDS = (
    "apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd",
    "secret", "token",
)  # fmt: skip
_NOT_SECRET_WORDS = ("public", "file", "version")


def _key_words(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?:_|^)(?:" + "|".join(words) + r")(?:_|$)", re.IGNORECASE)


_SECRET_KEY = _key_words(_SECRET_WORDS)
_NOT_SECRET_KEY = _key_words(_NOT_SECRET_WORDS)


def _secrets_used(df: Dockerfile) -> Iterator[Found]:
    for step in _dispatch(df):
        c = step.inst
        if isinstance(c, Arg):
            keys: list[str | None] = [d.key for d in c.args]  # an ARG's name is not expanded
        elif isinstance(c, Env):
            keys = [step.scope.expand(kv.key) for kv in c.env]
        else:
            continue
        what = "ARG" if isinstance(c, Arg) else "ENV"
        for key in keys:
            if key is not None and _SECRET_KEY.search(key) and not _NOT_SECRET_KEY.search(key):
                yield (
                    f"Do not use ARG or ENV instructions for sensitive data ({what} "
                    f"{go_quote(key)})",
                    step.pos,
                )


def _expose_findings(df: Dockerfile) -> Iterator[tuple[Rule, str, Position]]:
    """Both EXPOSE rules, port by port as BuildKit reads them."""
    for step in _dispatch(df):
        if isinstance(step.inst, Expose):
            for rule, msg in _expose_ports(step.scope, step.inst.ports):
                yield rule, msg, step.pos


def _expose_ports(scope: _Scope, ports: tuple[str, ...]) -> Iterator[tuple[Rule, str]]:
    """A port that does not parse fails the build: the ports after it are never read."""
    expanded: list[str] = []
    for raw in ports:
        words = scope.expand_words(raw)
        if words is None:
            break  # the ports from here on need the build
        expanded.extend(words)
    for port in expanded:
        ip, host, container = _split_port(port)
        number, _, proto = container.partition("/")
        if not number or proto.lower() not in ("", "tcp", "udp", "sctp"):
            return
        if proto != proto.lower():
            yield (
                EXPOSE_PROTO_CASING,
                (f"Defined protocol '{port}' in EXPOSE instruction should be lowercase"),
            )
        if ip or host:
            yield (
                EXPOSE_INVALID_FORMAT,
                (
                    "EXPOSE instruction should not define an IP address or host-port mapping, "
                    f"found '{port}'"
                ),
            )
        if not _port_parses(ip, host, number):
            return


def _split_port(spec: str) -> tuple[str, str, str]:
    """``[ip:]host:container`` → (ip, host port, container port[/proto])."""
    parts = spec.split(":")
    if len(parts) == 1:
        return "", "", parts[0]
    return ":".join(parts[:-2]), parts[-2], parts[-1]


def _port_parses(ip: str, host: str, container: str) -> bool:
    if ip.startswith("[") and ip.endswith("]"):
        ip = ip[1:-1]
    if ip:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            return False
    ports = _port_range(container)
    if ports is None:
        return False
    if host:
        hosts = _port_range(host)
        if hosts is None:
            return False
        # a host range goes with a single container port, or a range of the same size
        if ports[1] - ports[0] != hosts[1] - hosts[0] and ports[0] != ports[1]:
            return False
    return True


def _port_range(text: str) -> tuple[int, int] | None:
    start, dash, end = text.partition("-")
    first = _port_number(start)
    if first is None:
        return None
    if not dash or start == end:
        return first, first
    last = _port_number(end)
    return None if last is None or last < first else (first, last)


def _port_number(text: str) -> int | None:
    if not re.fullmatch(r"[+-]?[0-9]+", text, re.ASCII):
        return None
    n = int(text)
    return n if 0 <= n <= 65535 else None


def _expose_rule(rule: Rule) -> Checker:
    def check(df: Dockerfile) -> Iterator[Found]:
        for found_rule, msg, pos in _expose_findings(df):
            if found_rule == rule:
                yield (msg, pos)

    return check


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
    (INVALID_BASE_IMAGE_PLATFORM, _invalid_base_image_platform),
    (REDUNDANT_TARGET_PLATFORM, _redundant_target_platform),
    (SECRETS_USED_IN_ARG_OR_ENV, _secrets_used),
    (INVALID_DEFAULT_ARG_IN_FROM, _invalid_default_arg_in_from),
    (FROM_PLATFORM_FLAG_CONST_DISALLOWED, _from_platform_const),
    (INVALID_DEFINITION_DESCRIPTION, _invalid_definition_description),
    (EXPOSE_PROTO_CASING, _expose_rule(EXPOSE_PROTO_CASING)),
    (EXPOSE_INVALID_FORMAT, _expose_rule(EXPOSE_INVALID_FORMAT)),
)
RULE_NAMES = frozenset(r.name for r, _ in RULES)
BUILDKIT_RULE_NAMES = RULE_NAMES | frozenset(BUILD_AWARE_RULES)


# --- configuration and the run -------------------------------------------------------------


@record(frozen=True, slots=True)
class CheckConfig:
    """What ``# check=`` (or the caller) asks for: rules to skip, experimental rules to run,
    and whether to fail."""

    skip: frozenset[str] = frozenset()
    skip_all: bool = False
    error: bool = False
    experimental: frozenset[str] = frozenset()
    experimental_all: bool = False

    def runs(self, name: str) -> bool:
        if name in EXPERIMENTAL_RULES:
            return self.experimental_all or name in self.experimental
        return not (self.skip_all or name in self.skip)


_GO_BOOLS = {
    **dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), True),
    **dict.fromkeys(("0", "f", "F", "FALSE", "false", "False"), False),
}


def parse_check_directive(value: str) -> CheckConfig:
    """``skip=A,B;error=true;experimental=C`` → CheckConfig, read as BuildKit reads it (keys
    and ``all`` are case-sensitive; a later ``skip=`` replaces an earlier one). Where BuildKit
    refuses the directive (an unknown key, a part without ``=``, a bad boolean) emu ignores
    that part: the checks never fail on their own configuration."""
    skip: frozenset[str] = frozenset()
    experimental: frozenset[str] = frozenset()
    skip_all = experimental_all = error = False
    for part in value.strip().split(";", 2):
        key, eq, val = part.partition("=")
        key, val = key.strip(), val.strip()
        if not eq:
            continue
        names = frozenset(v.strip() for v in val.split(","))
        if key == "skip":
            if val == "all":
                skip_all = True
            else:
                skip = names
        elif key == "experimental":
            if val == "all":
                experimental_all = True
            else:
                experimental = names
        elif key == "error":
            error = _GO_BOOLS.get(val, error)
    return CheckConfig(skip, skip_all, error, experimental, experimental_all)


@record(frozen=True, slots=True)
class CheckReport:
    violations: tuple[Violation, ...]
    config: CheckConfig


def run_checks(df: Dockerfile, config: CheckConfig | None = None) -> CheckReport:
    """Every rule's violations, in source order, less the skipped rules."""
    if config is None:
        directive = df.parsed.directive("check")
        config = parse_check_directive(directive.value) if directive else CheckConfig()
    found: list[Violation] = []
    for rule, check in RULES:
        if config.runs(rule.name):
            found.extend(Violation(rule, message, pos) for message, pos in check(df))
    found.sort(key=lambda v: (v.pos.line, v.pos.column, v.rule.name))
    return CheckReport(tuple(found), config)
