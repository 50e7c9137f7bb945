"""What a spec says, as frozen values: a container-structure-test file (schema 2.0.0 or
1.0.0) plus emu's additions from its emu file (``NAME.emu.yaml``, see
:func:`emu.grading.loader.load`).

The CST half keeps CST's field names and defaults (``shouldExist`` true, ``uid``/``gid`` -1 =
unchecked, ``exitCode`` 0, ``entrypoint``/``cmd`` unchecked when absent and "must be empty"
when ``[]``). Every test also has a ``weight`` (points, default 1), which the emu file's
``weights`` sets: CST has no such field, and its strict decoding refuses one in its file.

emu's half is what multi-stage lessons need and CST cannot say: how to build the context
(target, build args, limits) and assertions over the build itself (see :data:`EMU_KINDS`).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from emu.records import field, record

if TYPE_CHECKING:
    from emu.re2 import Regexp

GIB = 1024**3
MIB = 1024**2


# A class's submissions are checked against the same expressions: one automaton each for
# the worker's life keeps the states it has built (bounded, as the automaton's own cache is).
# Here, beside the spec's values, rather than in the loader: a grading worker evaluates
# specs but never reads one, and the loader would bring yaml into it.
@functools.lru_cache(maxsize=256)
def compile_regex(expr: str) -> Regexp:
    """A CST regex (Go's RE2 syntax, as container-structure-test reads it), matched in time
    linear in the text (a student's 2 MB file cannot stall a test); raises
    :class:`~emu.re2.RegexpError` where Go's ``regexp.Compile`` fails."""
    from emu import re2

    return re2.compile(expr)


@record(frozen=True, slots=True)
class EnvVar:
    key: str
    value: str = ""
    is_regex: bool = False


@record(frozen=True, slots=True)
class FileExistenceTest:
    name: str
    path: str
    should_exist: bool = True
    permissions: str = ""
    uid: int = -1
    gid: int = -1
    is_executable_by: str = ""
    weight: float = 1.0
    kind: str = "fileExistence"


@record(frozen=True, slots=True)
class FileContentTest:
    name: str
    path: str
    expected_contents: tuple[str, ...] = ()
    excluded_contents: tuple[str, ...] = ()
    weight: float = 1.0
    kind: str = "fileContent"


@record(frozen=True, slots=True)
class MetadataTest:
    env_vars: tuple[EnvVar, ...] = ()
    unbound_env_vars: tuple[EnvVar, ...] = ()
    labels: tuple[EnvVar, ...] = ()
    exposed_ports: tuple[str, ...] = ()
    unexposed_ports: tuple[str, ...] = ()
    entrypoint: tuple[str, ...] | None = None
    cmd: tuple[str, ...] | None = None
    workdir: str = ""
    volumes: tuple[str, ...] = ()
    unmounted_volumes: tuple[str, ...] = ()
    user: str = ""
    name: str = "Metadata Test"
    weight: float = 1.0
    kind: str = "metadata"


@record(frozen=True, slots=True)
class CommandTest:
    name: str
    command: str
    args: tuple[str, ...] = ()
    setup: tuple[tuple[str, ...], ...] = ()
    teardown: tuple[tuple[str, ...], ...] = ()
    env_vars: tuple[EnvVar, ...] = ()
    expected_output: tuple[str, ...] = ()
    excluded_output: tuple[str, ...] = ()
    expected_error: tuple[str, ...] = ()
    excluded_error: tuple[str, ...] = ()
    exit_code: int = 0
    weight: float = 1.0
    kind: str = "command"


@record(frozen=True, slots=True)
class LicenseTest:
    debian: bool = False
    files: tuple[str, ...] = ()
    name: str = "License Test"
    weight: float = 1.0
    kind: str = "license"


@record(frozen=True, slots=True)
class RunOptions:
    """``containerRunOptions``: what applies to an emulated run (user, env names)."""

    user: str = ""
    env_vars: tuple[str, ...] = ()  # names, read from the environment of `emu test`


@record(frozen=True, slots=True)
class SandboxLimits:
    """What one untrusted build may cost; any of them ends it with an error naming it."""

    max_seconds: float = 10.0  # wall time of the build (and of the spec's commands)
    max_steps: int = 1_000_000  # shell commands and loop iterations per RUN
    max_output: int = 4 * MIB  # bytes a RUN prints
    max_files: int = 100_000  # files a RUN creates
    max_bytes: int = 1 * GIB  # bytes of content a RUN writes
    max_depth: int = 100  # nesting of functions, subshells, substitutions
    max_context_files: int = 20_000  # entries in the submission's folder
    max_context_bytes: int = 200 * MIB  # bytes in the submission's folder
    max_dockerfile_bytes: int = 1 * MIB
    max_memory: int = 2 * GIB  # address space of a grading worker (RLIMIT_AS)
    hard_timeout: float = 0.0  # a worker still busy after this is killed (0: 3×max_seconds+5)

    def kill_after(self) -> float:
        return self.hard_timeout or self.max_seconds * 3 + 5


@record(frozen=True, slots=True)
class BuildSettings:
    """The emu file's ``build``: how the context is built."""

    dockerfile: str = "Dockerfile"
    target: str | None = None
    build_args: tuple[tuple[str, str], ...] = ()
    permissive: bool = False
    context: str | None = None  # default subject, relative to the spec file
    image: str | None = None  # default subject: an image reference or archive


# The assertion kinds of ``emuTests.tests`` items (the key names the assertion).
EMU_KINDS: dict[str, str] = {
    "buildSucceeds": "the build succeeds (true) or fails (false)",
    "buildFails": "the build fails (true); a string is a regex its message must match",
    "stageCount": "the number of stages: an integer, or {min: N, max: M}",
    "namedStages": "these stage names exist (true: every stage has a name)",
    "finalBase": "the final stage's base image matches one of these globs",
    "maxImageSize": "the final image weighs at most this (e.g. 30MB, 1.5GiB, 1000000)",
    "notInImage": "no path in the final image matches these globs (a dir counts as all below)",
    "inImage": "each of these paths exists in the final image",
    "dockerignoreExcludes": ".dockerignore excludes each of these context paths",
    "copyFrom": "a COPY --from exists: a stage name, or {stage, source, dest} (globs)",
    "noChecks": "these checks do not fire: 'all' (BuildKit's), 'lessons' (emu's), or names",
    "stageStatus": "{stage: NAME, status: final|built|skipped}",
    "targetStage": "the stage the build ended at has this name",
}


@record(frozen=True, slots=True)
class EmuTest:
    name: str
    assertion: str  # one of EMU_KINDS
    value: object
    weight: float = 1.0

    @property
    def kind(self) -> str:
        return "emu:" + self.assertion


AnyTest = FileExistenceTest | FileContentTest | MetadataTest | CommandTest | LicenseTest | EmuTest


@record(frozen=True, slots=True)
class Spec:
    schema_version: str = "2.0.0"
    global_env_vars: tuple[EnvVar, ...] = ()
    command_tests: tuple[CommandTest, ...] = ()
    file_existence_tests: tuple[FileExistenceTest, ...] = ()
    file_content_tests: tuple[FileContentTest, ...] = ()
    metadata_test: MetadataTest | None = None
    license_tests: tuple[LicenseTest, ...] = ()
    run_options: RunOptions = field(default_factory=RunOptions)
    build: BuildSettings = field(default_factory=BuildSettings)
    limits: SandboxLimits = field(default_factory=SandboxLimits)
    emu_tests: tuple[EmuTest, ...] = ()
    warnings: tuple[str, ...] = ()  # unsupported fields, said once, not silently dropped
    source: str = "<spec>"  # the file it came from
    base_dir: str = "."  # where relative paths in it (context, image) start

    def tests(self) -> list[AnyTest]:
        """Every test in report order: emu's build tests first, then CST's in its order."""
        out: list[AnyTest] = [*self.emu_tests]
        out.extend(self.command_tests)
        out.extend(self.file_existence_tests)
        out.extend(self.file_content_tests)
        if self.metadata_test is not None:
            out.append(self.metadata_test)
        out.extend(self.license_tests)
        return out

    @property
    def max_score(self) -> float:
        return sum(t.weight for t in self.tests())

    @property
    def needs_build(self) -> bool:
        """Whether some test needs a build (not just an image)."""
        return any(t.assertion not in _IMAGE_ONLY for t in self.emu_tests)


_IMAGE_ONLY = frozenset({"maxImageSize", "notInImage", "inImage"})
