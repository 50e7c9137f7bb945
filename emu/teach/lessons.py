"""Build-aware checks: what only the context or a build can tell, and multi-stage lessons.

Two of BuildKit's ``docker build --check`` rules need more than the Dockerfile:
``UndefinedVar`` (which variables an instruction used that were never defined, known
when the stage is dispatched) and ``CopyIgnoredFile`` (a COPY/ADD of a context path that
``.dockerignore`` excludes). emu reports them with BuildKit's names, descriptions, URLs and
wording. Then come emu's own *lessons*, phrased for someone learning multi-stage builds:
the final image ships a compiler; its base weighs a gigabyte where a runtime image would
do; source code or development ``node_modules`` reach it; a stage is never used;
``COPY --from`` names an image where a stage was meant.

Every rule is data — a :class:`BuildRule` and a function from :class:`BuildFacts` to
:class:`Finding` s — as in :mod:`emu.dockerfile.checks`. A rule says what it needs:
``static`` rules read only the Dockerfile, ``context`` rules the context too, ``build``
rules the finished build; :func:`run_lessons` runs those the facts allow.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from emu.dockerfile.checks import Rule, Violation
from emu.dockerfile.instructions import (
    Add,
    Arg,
    Copy,
    Dockerfile,
    Run,
    Stage,
    Workdir,
    suggest,
)
from emu.engine.args import PROXY_ARGS, Platform, evaluate_globals, platform_args
from emu.engine.builder import from_refs, stage_triggers
from emu.errors import EmuError
from emu.fs import Dir, File, Node, Symlink, count
from emu.fs.tree import collect
from emu.pos import Position
from emu.records import record
from emu.teach.explain import writers
from emu.words import process_word

if TYPE_CHECKING:
    from emu.engine.builder import BuildResult
    from emu.engine.context import Context
    from emu.images.image import Image, LayerOrigin

_BUILDKIT_DOCS = "https://docs.docker.com/go/dockerfile/rule/"
_MULTISTAGE_DOCS = "https://docs.docker.com/build/building/multi-stage/"


@record(frozen=True, slots=True)
class BuildRule(Rule):
    """A check rule that needs more than the Dockerfile, or one of emu's lessons."""

    level: str = "warning"  # "warning" fails `emu check`; "info" only teaches
    origin: str = "emu"  # "buildkit" for BuildKit's own rules
    needs: str = "build"  # "static" | "context" | "build"
    experimental: bool = False  # experimental in BuildKit (off unless asked for there)


@record(frozen=True, slots=True)
class Finding(Violation):
    """A :class:`BuildRule`'s violation: where, in which stage, about which paths."""

    rule: BuildRule
    stage: str = ""
    paths: tuple[str, ...] = ()


@record(frozen=True, slots=True)
class BuildFacts:
    """What the checks may look at: the Dockerfile, and the context and build when known."""

    dockerfile: Dockerfile
    context: Context | None = None
    result: BuildResult | None = None


UNDEFINED_VAR = BuildRule(
    "UndefinedVar",
    "Variables should be defined before their use",
    _BUILDKIT_DOCS + "undefined-var/",
    origin="buildkit",
    needs="build",
)
COPY_IGNORED_FILE = BuildRule(
    "CopyIgnoredFile",
    "Attempting to Copy file that is excluded by .dockerignore",
    _BUILDKIT_DOCS + "copy-ignored-file/",
    origin="buildkit",
    needs="context",
    experimental=True,
)
COMPILER_IN_FINAL_IMAGE = BuildRule(
    "CompilerInFinalImage",
    "The final image ships a compiler or build tool: it is needed to build, not to run",
    _MULTISTAGE_DOCS,
)
PACKAGE_MANAGER_IN_FINAL_IMAGE = BuildRule(
    "PackageManagerInFinalImage",
    "The final image carries a language package manager, which the app rarely needs at run time",
    _MULTISTAGE_DOCS,
    level="info",
)
HEAVY_FINAL_BASE = BuildRule(
    "HeavyFinalBase",
    "The final stage starts from a large build image where a small runtime image would do",
    _MULTISTAGE_DOCS,
    needs="static",
)
SOURCE_IN_FINAL_IMAGE = BuildRule(
    "SourceInFinalImage",
    "Source code or development dependencies reach the final image",
    _MULTISTAGE_DOCS,
)
UNUSED_STAGE = BuildRule(
    "UnusedStage",
    "A stage that no other stage uses and that is not the target is never built by BuildKit",
    _MULTISTAGE_DOCS + "#differences-between-legacy-builder-and-buildkit",
    needs="static",
)
COPY_FROM_IMAGE_NOT_STAGE = BuildRule(
    "CopyFromImageNotStage",
    "COPY --from names an image where a build stage was probably meant",
    _MULTISTAGE_DOCS + "#use-an-external-image-as-a-stage",
    needs="static",
)

DASH_FOR_HYPHENS = BuildRule(
    "DashForHyphens",
    "A flag typed with an en dash (–from) instead of two hyphens (--from) is no flag",
    "https://docs.docker.com/reference/dockerfile/#copy---from",
    needs="static",
)
CD_IN_ITS_OWN_RUN = BuildRule(
    "CdInItsOwnRun",
    "RUN cd changes directory for that RUN only: the next instruction starts in the WORKDIR",
    "https://docs.docker.com/reference/dockerfile/#workdir",
    needs="static",
)
COPY_FROM_COPIED_NOTHING = BuildRule(
    "CopyFromCopiedNothing",
    "A COPY --from copied no file: its wildcard matched nothing in the source",
    _MULTISTAGE_DOCS,
)
FILES_IN_ROOT = BuildRule(
    "FilesInRoot",
    "Files copied to a relative destination land in / when the stage has no WORKDIR",
    "https://docs.docker.com/reference/dockerfile/#workdir",
)

_DASHES = "\u2013\u2014\u2212"
_DASHED_FLAG = re.compile(f"(?:^|\\s)([{_DASHES}]{{1,2}}[A-Za-z][A-Za-z-]*(?:=\\S*)?)")
_ONLY_CD = re.compile(r"^\s*cd\s+(\S+)\s*;?\s*$")

# Executables that build software (basename -> what a learner should call it).
COMPILERS: dict[str, str] = {
    "go": "the Go toolchain",
    "gcc": "a C/C++ compiler",
    "cc": "a C/C++ compiler",
    "g++": "a C/C++ compiler",
    "c++": "a C/C++ compiler",
    "clang": "a C/C++ compiler",
    "rustc": "the Rust toolchain",
    "cargo": "the Rust toolchain",
    "javac": "a Java compiler (a full JDK)",
    "mvn": "a Java build tool",
    "gradle": "a Java build tool",
    "tsc": "the TypeScript compiler",
}
PACKAGE_MANAGERS: dict[str, str] = {
    "npm": "npm",
    "yarn": "yarn",
    "pnpm": "pnpm",
    "pip": "pip",
    "pip3": "pip",
    "gem": "gem",
    "composer": "composer",
}
SOURCE_EXTENSIONS = frozenset(
    {
        ".go",
        ".rs",
        ".java",
        ".kt",
        ".scala",
        ".c",
        ".cc",
        ".cpp",
        ".h",
        ".hpp",
        ".cs",
        ".ts",
        ".tsx",
        ".jsx",
        ".vue",
        ".svelte",
        ".swift",
    }
)
DEV_PACKAGES = ("typescript", "vite", "webpack", "@types", "eslint", "jest", "ts-node", "nodemon")
# Catalogued bases at or above this size are build images (compilers, SDKs, full distros).
HEAVY_BASE_BYTES = 400_000_000
RUNTIME_ALTERNATIVES: dict[str, str] = {
    "node": "node:18-alpine, or a static server such as nginx:alpine for a built front-end",
    "golang": "alpine:3.19, gcr.io/distroless/static or scratch for a static Go binary",
    "rust": "debian:bookworm-slim (or distroless) for the compiled binary",
    "maven": "eclipse-temurin:21-jre for the jar",
    "eclipse-temurin": "eclipse-temurin:21-jre (a JRE, not the JDK)",
    "python": "python:3.12-slim",
    "debian": "debian:bookworm-slim",
    "ubuntu": "a slim base such as debian:bookworm-slim",
}

Checker = Callable[[BuildFacts], Iterator[Finding]]


# --- helpers --------------------------------------------------------------------------------


def _from_pos(stage: Stage) -> Position:
    return stage.from_.pos


def _stage_ref(df: Dockerfile, ref: str, before: int) -> int | None:
    if ref.isascii() and ref.isdigit():
        n = int(ref)
        return n if n < before else None
    found = None
    for st in df.stages[:before]:
        if st.name == ref.lower():
            found = st.index
    return found


def _base_ref(df: Dockerfile, stage: Stage) -> str:
    """The FROM reference as a build without --build-arg expands it (``FROM ${BASE}``
    with ``ARG BASE=builder`` is ``builder``); as written when it does not expand."""
    if "$" not in stage.base:
        return stage.base
    target = df.stages[-1].name or "default"
    try:
        scope = evaluate_globals(
            df.meta_args, {}, platform_args(Platform(), Platform(), target), df.file
        )
        return process_word(stage.base, scope, escape=df.parsed.escape).value or stage.base
    except EmuError:
        return stage.base


def _base_stage(df: Dockerfile, stage: Stage) -> int | None:
    """The earlier stage ``stage`` is built FROM (FROM matches stage names exactly)."""
    base = _base_ref(df, stage)
    found = None
    for st in df.stages[: stage.index]:
        if st.name and st.name == base:
            found = st.index
    return found


def _root_base(df: Dockerfile, stage: Stage) -> str:
    st = stage
    for _ in range(len(df.stages)):
        parent = _base_stage(df, st)
        if parent is None:
            break
        st = df.stages[parent]
    return _base_ref(df, st)


def _target(facts: BuildFacts) -> Stage:
    if facts.result is not None:
        return facts.dockerfile.stages[facts.result.target.index]
    return facts.dockerfile.stages[-1]


def _final_image(facts: BuildFacts) -> Image | None:
    return facts.result.image if facts.result is not None else None


def _human(n: int) -> str:
    value = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f}{unit}" if unit == "B" else f"{value:.3g}{unit}"
        value /= 1000
    return f"{value:.3g}GB"  # pragma: no cover


def _single_stage(df: Dockerfile) -> bool:
    return len(df.stages) == 1


# --- BuildKit's build-time rules ------------------------------------------------------------


def _undefined_var(facts: BuildFacts) -> Iterator[Finding]:
    result = facts.result
    if result is None:
        return
    df = facts.dockerfile
    global_names = {d.key for a in df.meta_args for d in a.args}
    for st, res in zip(df.stages, result.stages, strict=True):
        if res.image is None:
            continue
        options = sorted(res.image.config.env_dict().keys() | global_names)
        seen: set[tuple[str, int]] = set()
        for var in res.undefined:
            # BuildKit's nonEnvArgs: the predefined proxy ARGs are never undefined.
            if var.name in PROXY_ARGS or (var.name, var.line) in seen:
                continue
            declared = {
                d.key
                for c in st.commands
                if isinstance(c, Arg) and c.line <= var.line
                for d in c.args
            }
            if var.name in declared:
                continue
            seen.add((var.name, var.line))
            close = suggest(var.name, [o for o in options if o != var.name])
            msg = f"Usage of undefined variable '${var.name}'"
            if close:
                msg += f" (did you mean ${close}?)"
            if var.name in global_names:
                msg += (
                    f"; a global ARG is visible only in FROM lines: add `ARG {var.name}` in "
                    "the stage to use it there"
                )
            yield Finding(UNDEFINED_VAR, msg, Position(var.line, 1), stage=res.name)


def _copy_ignored_file(facts: BuildFacts) -> Iterator[Finding]:
    ctx = facts.context
    if ctx is None or ctx.matcher is None:
        return
    df = facts.dockerfile
    built = (
        {s.index for s in facts.result.stages if s.image is not None}
        if facts.result is not None
        else {s.index for s in df.stages}
    )
    for st in df.stages:
        if st.index not in built:
            continue
        for c in st.commands:
            if not isinstance(c, Copy | Add) or (isinstance(c, Copy) and c.from_) or c.contents:
                continue
            cmd = "Add" if isinstance(c, Add) else "Copy"
            for src in c.sources:
                if "$" in src or "://" in src or src.startswith("git@"):
                    continue
                rel = posixpath.normpath("/" + src).lstrip("/")
                if not rel or rel == ".":
                    continue
                try:
                    excluded = ctx.matcher.excluded(rel)
                except EmuError:
                    continue
                if excluded:
                    yield Finding(
                        COPY_IGNORED_FILE,
                        f"Attempting to {cmd} file {json.dumps(src)} that is excluded by "
                        ".dockerignore",
                        c.pos,
                        stage=st.display_name,
                        paths=(rel,),
                    )


# --- lessons --------------------------------------------------------------------------------


def tools_in(image: Image, table: dict[str, str]) -> dict[str, str]:
    """tool description -> the first path where the image has it as an executable."""

    def visit(path: str, node: Node) -> tuple[tuple[tuple[str, str], ...], bool]:
        parent, _, name = path.rpartition("/")
        what = table.get(name)
        if what is None or "/node_modules/" in path:
            return (), True
        executable = isinstance(node, File) and bool(node.meta.mode & 0o111)
        if executable or (isinstance(node, Symlink) and parent.endswith("/bin")):
            return ((what, path),), True
        return (), True

    # The directories of a base image many images share are searched once per table.
    found: dict[str, str] = {}
    for what, path in collect(image.rootfs.root, visit, ("tools_in", frozenset(table.items()))):
        found.setdefault(what, path)
    return found


def _final_tools(facts: BuildFacts, table: dict[str, str]) -> tuple[Stage, dict[str, str]]:
    """The target stage, and the tools of ``table`` its image has (none without a build)."""
    image = _final_image(facts)
    if image is None:
        return _target(facts), {}
    wanted = set(table.values())
    found = tools_in(image, _TOOL_TABLE)  # the walk is made once: collect() keeps its answer
    return _target(facts), {what: path for what, path in found.items() if what in wanted}


# The tools of every table, looked for in one walk of the final image for the rules that
# ask (the tables share no name and no description: each tool is one table's).
_TOOL_TABLE: dict[str, str] = {**COMPILERS, **PACKAGE_MANAGERS}


def _compiler_in_final_image(facts: BuildFacts) -> Iterator[Finding]:
    target, tools = _final_tools(facts, COMPILERS)
    if not tools:
        return
    listed = "; ".join(f"{what} at {path}" for what, path in tools.items())
    if _single_stage(facts.dockerfile):
        advice = (
            "this single-stage build ships everything it used to build; add a builder stage "
            "that compiles, and COPY --from=builder only the output into a small runtime image"
        )
    else:
        advice = (
            f"they come with {_root_base(facts.dockerfile, target)}, the final stage's base; "
            "build in an earlier stage and base the final one on a runtime image"
        )
    yield Finding(
        COMPILER_IN_FINAL_IMAGE,
        f"the final image ships {listed}: {advice}",
        _from_pos(target),
        stage=target.display_name,
        paths=tuple(tools.values()),
    )


def _package_manager_in_final_image(facts: BuildFacts) -> Iterator[Finding]:
    target, tools = _final_tools(facts, PACKAGE_MANAGERS)
    if not tools:
        return
    listed = ", ".join(f"{what} ({path})" for what, path in tools.items())
    yield Finding(
        PACKAGE_MANAGER_IN_FINAL_IMAGE,
        f"the final image still carries {listed}: fine if the app installs packages when it "
        "starts; otherwise it is build tooling that a distroless or slimmer base leaves behind",
        _from_pos(target),
        stage=target.display_name,
        paths=tuple(tools.values()),
    )


def _heavy_final_base(facts: BuildFacts) -> Iterator[Finding]:
    from emu.images import catalog

    df = facts.dockerfile
    target = _target(facts)
    ref = _root_base(df, target)
    if "$" in ref or ref == "scratch":
        return
    try:
        info = catalog.describe(ref)
    except EmuError:
        return
    if info.size < HEAVY_BASE_BYTES:
        return
    better = RUNTIME_ALTERNATIVES.get(info.family, "a slim or distroless runtime image")
    packed = f", {_human(info.compressed)} to download" if info.compressed else ""
    yield Finding(
        HEAVY_FINAL_BASE,
        f"the final stage is based on {ref} ({_human(info.size)} on disk{packed}), an image "
        f"made for building; to run the result, {better} would do",
        _from_pos(target),
        stage=target.display_name,
    )


def _source_in_final_image(facts: BuildFacts) -> Iterator[Finding]:
    image = _final_image(facts)
    if image is None:
        return
    target = _target(facts)
    file = facts.dockerfile.file
    by_line: dict[int, list[str]] = {}
    texts: dict[int, str] = {}
    modules: dict[str, LayerOrigin] = {}
    for path, origin in writers(image).items():
        if "/node_modules/" in path + "/":
            top = path[: path.index("node_modules") + len("node_modules")]
            modules.setdefault(top, origin)
            continue
        if posixpath.splitext(path)[1] in SOURCE_EXTENSIONS and not path.endswith(".d.ts"):
            by_line.setdefault(origin.line, []).append(path)
            texts[origin.line] = origin.text
    for line, paths in sorted(by_line.items()):
        example = ", ".join(paths[:2]) + (", …" if len(paths) > 2 else "")
        yield Finding(
            SOURCE_IN_FINAL_IMAGE,
            f"source code reaches the final image: {len(paths)} source file"
            f"{'s' if len(paths) != 1 else ''} ({example}) written by `{texts[line]}` "
            f"({file}:{line}); only the build's output needs to ship — copy it from a builder "
            "stage instead of the sources",
            Position(line, 1),
            stage=target.display_name,
            paths=tuple(paths),
        )
    fs = image.rootfs.fs()
    has_node = any(
        fs.lookup(p) is not None for p in ("/usr/local/bin/node", "/usr/bin/node", "/bin/node")
    )
    for top, origin in sorted(modules.items()):
        node = fs.lookup(top)
        if not isinstance(node, Dir):
            continue
        dev = [name for name in DEV_PACKAGES if name in node.entries]
        if has_node and not dev:
            continue  # production dependencies of a Node.js app: they belong there
        entries, size = count(node)
        why = (
            "nothing in the final image runs Node.js, so none of it is used"
            if not has_node
            else f"it holds development packages ({', '.join(dev)}); install with "
            "`npm ci --omit=dev` in the final stage, or copy only the build output"
        )
        yield Finding(
            SOURCE_IN_FINAL_IMAGE,
            f"node_modules reaches the final image ({top}: {entries} entries, {_human(size)}) "
            f"via `{origin.text}` ({file}:{origin.line}): {why}",
            Position(origin.line, 1),
            stage=target.display_name,
            paths=(top,),
        )


def _used_stages(facts: BuildFacts) -> set[int]:
    """The stages another stage names: as its base (``FROM ${BASE}`` too, as the build
    resolved it), in ``COPY --from`` or ``RUN --mount from=``, also in the ONBUILD
    triggers its stage base leaves it (they run in it)."""
    df = facts.dockerfile
    result = facts.result
    used: set[int] = set()
    for st in df.stages:
        parent = result.stages[st.index].base_stage if result else _base_stage(df, st)
        if parent is not None:
            used.add(parent)
        try:
            triggers = [inst for _ob, inst in stage_triggers(df, parent)]
        except EmuError:
            triggers = []
        for ref, _inst in from_refs([*triggers, *st.commands]):
            n = _stage_ref(df, ref, st.index)
            if n is not None:
                used.add(n)
    # What the build copied from: also what an image's triggers named, which only its
    # config tells.
    for res in result.stages if result else ():
        used.update(rec.from_stage for rec in res.copies if rec.from_stage is not None)
    return used


def _unused_stage(facts: BuildFacts) -> Iterator[Finding]:
    df = facts.dockerfile
    if len(df.stages) < 2:
        return
    used = _used_stages(facts)
    target = _target(facts)
    for st in df.stages:
        if st.index in used or st.index == target.index or st.index == len(df.stages) - 1:
            continue
        how = f"build it alone with --target {st.name}" if st.name else "delete it"
        yield Finding(
            UNUSED_STAGE,
            f"stage {st.display_name} is never used: no FROM, COPY --from or RUN --mount (nor "
            "an ONBUILD trigger that runs) names it and it is not the target, so BuildKit skips "
            "it (the legacy builder built every stage anyway); if that is intended, "
            f"{how}",
            _from_pos(st),
            stage=st.display_name,
        )


def _copy_from_image_not_stage(facts: BuildFacts) -> Iterator[Finding]:
    df = facts.dockerfile
    names = [s.name for s in df.stages if s.name]
    for st in df.stages:
        for c in st.commands:
            if not isinstance(c, Copy) or not c.from_ or "$" in c.from_:
                continue
            ref = c.from_
            if _stage_ref(df, ref, st.index) is not None:
                continue
            if any(s.name == ref.lower() for s in df.stages[st.index :]):
                continue  # a stage defined later: the build itself fails and says so
            earlier = [s for s in df.stages[: st.index] if s.base == ref]
            if earlier:
                s = earlier[-1]
                hint = f"--from={s.name}" if s.name else f"--from={s.index}"
                yield Finding(
                    COPY_FROM_IMAGE_NOT_STAGE,
                    f"COPY --from={ref} copies from the pristine image {ref}, not from stage "
                    f"{s.display_name} that is built FROM it, so nothing that stage made is "
                    f"there; write {hint}",
                    c.pos,
                    stage=st.display_name,
                )
                continue
            if ":" in ref or "/" in ref or "@" in ref:
                continue  # a deliberate image reference
            close = suggest(ref, names)
            stages = ", ".join(names) if names else "none is named: add AS NAME to a FROM"
            msg = (
                f"COPY --from={ref} names no stage, so BuildKit treats it as the image "
                f"{ref}:latest and copies from that"
            )
            msg += f"; did you mean stage {close}?" if close else f"; the stages are: {stages}"
            yield Finding(COPY_FROM_IMAGE_NOT_STAGE, msg, c.pos, stage=st.display_name)


def _dash_for_hyphens(facts: BuildFacts) -> Iterator[Finding]:
    for st in facts.dockerfile.stages:
        for c in (st.from_, *st.commands):
            for m in _DASHED_FLAG.finditer(c.source):
                word = m.group(1)
                fixed = "--" + word.lstrip(_DASHES)
                yield Finding(
                    DASH_FOR_HYPHENS,
                    f"{word!r} starts with an en dash (U+{ord(word[0]):04X}), as word "
                    f"processors and web pages print --: it is no flag but a word of its own "
                    f"(a path to copy, an argument); type {fixed}",
                    c.pos,
                    stage=st.display_name,
                )


def _cd_in_its_own_run(facts: BuildFacts) -> Iterator[Finding]:
    for st in facts.dockerfile.stages:
        for i, c in enumerate(st.commands):
            if not isinstance(c, Run) or not c.command.prepend_shell or not c.command.args:
                continue
            m = _ONLY_CD.match(c.command.args[0])
            if m is None or i == len(st.commands) - 1:
                continue
            target = m.group(1)
            yield Finding(
                CD_IN_ITS_OWN_RUN,
                f"`{c.source}` changes directory for that RUN only: each RUN is a new shell "
                "that starts in the WORKDIR, so the next instructions do not run in "
                f"{target}; write `WORKDIR {target}` instead (or `cd {target} && …` in the "
                "same RUN)",
                c.pos,
                stage=st.display_name,
            )


def _copy_from_copied_nothing(facts: BuildFacts) -> Iterator[Finding]:
    result = facts.result
    if result is None:
        return
    for res in result.stages:
        for rec in res.copies:
            if rec.source == "context" or rec.files:
                continue
            source = rec.source
            if rec.from_stage is not None:
                source = result.stages[rec.from_stage].name
                look = f"`emu ls --stage {source} CONTEXT PATH`"
            else:
                look = f"`emu ls {source} PATH`"
            yield Finding(
                COPY_FROM_COPIED_NOTHING,
                f"`{rec.text}` copied 0 files from {source}: a wildcard that matches "
                f"nothing is no error in BuildKit, so the build went on without them; {look} "
                "shows what is there",
                Position(rec.line, 1),
                stage=res.name,
            )


def _files_in_root(facts: BuildFacts) -> Iterator[Finding]:
    result = facts.result
    if result is None:
        return
    for st, res in zip(facts.dockerfile.stages, result.stages, strict=True):
        if res.image is None or res.base_stage is not None:
            continue
        base_dir = _base_workdir(res.base)
        if base_dir not in ("", "/"):
            continue
        records = {rec.line: rec for rec in res.copies}
        for c in st.commands:
            if isinstance(c, Workdir):
                break
            if not isinstance(c, Copy | Add) or c.dest.startswith(("/", "$")):
                continue
            rec = records.get(c.line)
            if rec is None or not rec.files:
                continue
            top = sorted({p.split("/")[1] for _, p in rec.pairs if p.strip("/")})
            if any(p == "/" for _, p in rec.pairs) and facts.context is not None:
                top = sorted(set(top) | set(facts.context.snapshot.root.entries))
            shown = ", ".join("/" + t for t in top[:4]) + (", …" if len(top) > 4 else "")
            yield Finding(
                FILES_IN_ROOT,
                f"`{c.source}` copied {rec.files} file{'s' if rec.files != 1 else ''} "
                f"straight into / ({shown}): the stage has no WORKDIR, so a relative "
                "destination is the root, among /bin, /etc and /usr; add `WORKDIR /app` "
                "before it",
                c.pos,
                stage=st.display_name,
            )


def _base_workdir(ref: str) -> str:
    from emu.images import catalog

    if ref == "scratch":
        return "/"
    try:
        image = catalog.lookup(ref)
    except EmuError:
        return "?"
    return image.config.working_dir or "/"


RULES: tuple[tuple[BuildRule, Checker], ...] = (
    (UNDEFINED_VAR, _undefined_var),
    (COPY_IGNORED_FILE, _copy_ignored_file),
    (COMPILER_IN_FINAL_IMAGE, _compiler_in_final_image),
    (PACKAGE_MANAGER_IN_FINAL_IMAGE, _package_manager_in_final_image),
    (HEAVY_FINAL_BASE, _heavy_final_base),
    (SOURCE_IN_FINAL_IMAGE, _source_in_final_image),
    (UNUSED_STAGE, _unused_stage),
    (COPY_FROM_IMAGE_NOT_STAGE, _copy_from_image_not_stage),
    (DASH_FOR_HYPHENS, _dash_for_hyphens),
    (CD_IN_ITS_OWN_RUN, _cd_in_its_own_run),
    (COPY_FROM_COPIED_NOTHING, _copy_from_copied_nothing),
    (FILES_IN_ROOT, _files_in_root),
)
RULE_NAMES = frozenset(r.name for r, _ in RULES)


def run_lessons(
    facts: BuildFacts, *, skip: frozenset[str] = frozenset(), skip_all: bool = False
) -> list[Finding]:
    """Every applicable rule's findings, in source order, less the skipped rules."""
    if skip_all:
        return []
    available = {"static"}
    if facts.context is not None:
        available.add("context")
    if facts.result is not None:
        available.add("build")
    found: list[Finding] = []
    for rule, check in RULES:
        if rule.name in skip or rule.needs not in available:
            continue
        found.extend(check(facts))
    found.sort(key=lambda f: (f.pos.line, f.pos.column, f.rule.name))
    return found


__all__ = [
    "RULES",
    "RULE_NAMES",
    "BuildFacts",
    "BuildRule",
    "Finding",
    "run_lessons",
    "tools_in",
]
