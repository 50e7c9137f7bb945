"""Hypothesis strategies for Dockerfile behaviour: contexts, ``.dockerignore`` files, valid
multi-stage Dockerfiles and build args.

Dockerfiles are drawn as a :class:`DockerfileModel` — stages of small instructions — and
rendered to text, so hypothesis shrinks a failing case to the fewest stages and
instructions that still fail. Every drawn Dockerfile builds: ``COPY`` names context files
that ``.dockerignore`` keeps, ``COPY --from`` names earlier stages and paths they are known
to hold, ``RUN`` appears only on bases with a shell, ``USER`` only last in a stage.

    from hypothesis import given
    from emu.testing import build, assert_same_image
    from emu.testing.strategies import build_cases

    @given(build_cases())
    def test_deterministic(case):
        assert_same_image(build(case.context, case.dockerfile),
                          build(case.context, case.dockerfile))
"""

from __future__ import annotations

import posixpath

from hypothesis import strategies as st

from emu.records import field, record, replace
from emu.testing import Link

NAMES = ("a", "b", "c", "src", "lib", "app", "data", "x1", "y-2", "z_3", "dist", "node_modules")
SHELL_BASES = ("busybox", "alpine:3.19")
BASES = ("scratch", *SHELL_BASES)


@record(frozen=True, slots=True)
class StageModel:
    name: str
    base: str  # an image reference or an earlier stage's name
    instructions: tuple[str, ...] = ()
    files: tuple[str, ...] = ()  # absolute paths this stage is known to hold (for COPY --from)
    shell: bool = False


@record(frozen=True, slots=True)
class DockerfileModel:
    stages: tuple[StageModel, ...]
    global_args: tuple[tuple[str, str], ...] = ()

    def render(self) -> str:
        lines = [f"ARG {k}={v}" if v else f"ARG {k}" for k, v in self.global_args]
        for s in self.stages:
            lines.append(f"FROM {s.base} AS {s.name}")
            lines.extend(s.instructions)
        return "\n".join(lines) + "\n"

    @property
    def final(self) -> StageModel:
        return self.stages[-1]

    def with_stage(self, index: int, stage: StageModel) -> DockerfileModel:
        """This Dockerfile with ``stage`` inserted before stage ``index``."""
        stages = list(self.stages)
        stages.insert(index, stage)
        return replace(self, stages=tuple(stages))

    def referenced(self) -> set[str]:
        """Stage names some stage's FROM or COPY --from uses."""
        used: set[str] = set()
        for s in self.stages:
            used.add(s.base)
            for inst in s.instructions:
                if inst.startswith("COPY --from="):
                    used.add(inst.split()[1].split("=", 1)[1])
        return used


@record(frozen=True, slots=True)
class BuildCase:
    """A context, a Dockerfile that builds in it, and build args."""

    context: dict[str, bytes | str | Link]
    model: DockerfileModel
    build_args: dict[str, str] = field(default_factory=dict)

    @property
    def dockerfile(self) -> str:
        return self.model.render()

    def files(self) -> dict[str, bytes | str | Link]:
        """The context with the Dockerfile in it (for :func:`emu.testing.build`)."""
        return {**self.context, "Dockerfile": self.dockerfile}


# --- contexts ------------------------------------------------------------------------------

segments = st.sampled_from(NAMES)
contents = st.one_of(st.binary(max_size=24), st.text(max_size=24).map(str.encode))


@st.composite
def context_paths(draw: st.DrawFn, max_files: int = 8) -> list[str]:
    """Relative file paths, nested up to three levels, no path both a file and a folder."""
    raw = draw(
        st.lists(
            st.tuples(st.lists(segments, max_size=2), segments),
            min_size=1,
            max_size=max_files,
        )
    )
    paths = sorted({"/".join([*dirs, name]) for dirs, name in raw})
    dirs = {p.rsplit("/", i)[0] for p in paths for i in range(1, p.count("/") + 1)}
    return [p for p in paths if p not in dirs]


@st.composite
def contexts(
    draw: st.DrawFn, max_files: int = 8, symlinks: bool = True, dockerignore: bool = False
) -> dict[str, bytes | str | Link]:
    """A build context ``{path: bytes | Link}``: nested folders, files, symlinks to files of
    the context (relative targets), and optionally a ``.dockerignore``."""
    paths = draw(context_paths(max_files))
    ctx: dict[str, bytes | str | Link] = {p: draw(contents) for p in paths}
    if symlinks and paths and draw(st.booleans()):
        target = draw(st.sampled_from(paths))
        where = draw(st.sampled_from(["link", "lnk/alias"]))
        if where not in ctx and not any(
            p.startswith(where + "/") or where.startswith(p + "/") for p in paths
        ):
            rel = posixpath.relpath(target, posixpath.dirname(where) or ".")
            ctx[where] = Link(rel)
    if dockerignore:
        ctx[".dockerignore"] = draw(dockerignores(paths))
    return ctx


@st.composite
def ignore_patterns(draw: st.DrawFn, paths: list[str]) -> list[str]:
    """``.dockerignore`` lines about ``paths``: exact paths, folders, globs, ``**``, and
    ``!`` exceptions, in an order that matters."""
    folders = sorted({p.rsplit("/", 1)[0] for p in paths if "/" in p})
    choices: list[st.SearchStrategy[str]] = [
        st.sampled_from(["*", "**/a", "**/*", "*/a", "x*", "[a-c]", "?", "**/src/**", "dist"]),
    ]
    if paths:
        choices.append(st.sampled_from(paths))
    if folders:
        choices.append(st.sampled_from(folders))
        choices.append(st.sampled_from([f + "/*" for f in folders]))
    line = st.tuples(st.booleans(), st.one_of(*choices)).map(lambda t: ("!" if t[0] else "") + t[1])
    return draw(st.lists(line, max_size=5))


def dockerignores(paths: list[str]) -> st.SearchStrategy[str]:
    return ignore_patterns(paths).map(lambda lines: "\n".join(lines) + ("\n" if lines else ""))


# --- Dockerfiles ---------------------------------------------------------------------------

_VALUES = st.sampled_from(["1", "v2", "hello", "a-b", "x_y", ""])


@st.composite
def dockerfile_models(
    draw: st.DrawFn,
    context_files: list[str] | tuple[str, ...] = (),
    context_dirs: list[str] | tuple[str, ...] = (),
    max_stages: int = 4,
    max_instructions: int = 5,
) -> DockerfileModel:
    """A valid multi-stage Dockerfile over a context holding ``context_files`` (kept by
    ``.dockerignore``) and ``context_dirs``."""
    global_args: list[tuple[str, str]] = []
    if draw(st.booleans()):
        global_args.append(("VERSION", draw(_VALUES)))
    stages: list[StageModel] = []
    copy_n = 0
    # Stages and instructions are drawn as "one more?" flags (as hypothesis draws lists), so
    # the shrinker can delete a stage or an instruction as a block.
    while not stages or (len(stages) < max_stages and draw(st.booleans())):
        i = len(stages)
        name = f"s{i}"
        if stages and draw(st.integers(0, 3)) == 3:
            parent = draw(st.sampled_from(stages))
            base, files = parent.name, list(parent.files)
            # RUN as a non-root USER inherited from the parent could not write to /.
            shell = parent.shell and not any(
                i.startswith("USER ") and i != "USER 0" for i in parent.instructions
            )
        else:
            base = draw(st.sampled_from(BASES))
            shell, files = base in SHELL_BASES, []
        instructions: list[str] = []
        redeclare = draw(st.booleans())
        if global_args and redeclare:
            instructions.append("ARG VERSION")
            instructions.append('ENV STAGE_VERSION="${VERSION}"')
        count = 0
        while count < max_instructions and draw(st.booleans()):
            count += 1
            kinds = ["env", "workdir", "label", "expose"]
            if context_files:
                kinds.append("copy")
            if context_dirs:
                kinds.append("copydir")
            if any(s.files for s in stages):
                kinds.append("from")
            if shell:
                kinds.append("run")
            kind = draw(st.sampled_from(kinds))
            copy_n += 1
            dest = f"/c{copy_n}"
            if kind == "env":
                instructions.append(f"ENV K{copy_n}={draw(_VALUES) or 'e'}")
            elif kind == "workdir":
                instructions.append(f"WORKDIR /w{copy_n}")
            elif kind == "label":
                instructions.append(f'LABEL l{copy_n}="{draw(_VALUES)}"')
            elif kind == "expose":
                instructions.append(f"EXPOSE {draw(st.sampled_from(['80', '443/tcp', '53/udp']))}")
            elif kind == "copy":
                src = draw(st.sampled_from(list(context_files)))
                instructions.append(f"COPY {src} {dest}/")
                files.append(f"{dest}/{posixpath.basename(src)}")
            elif kind == "copydir":
                src = draw(st.sampled_from(list(context_dirs)))
                instructions.append(f"COPY {src} {dest}")
                files.extend(
                    f"{dest}/{f[len(src) + 1 :]}" for f in context_files if f.startswith(src + "/")
                )
            elif kind == "from":
                source = draw(st.sampled_from([s for s in stages if s.files]))
                path = draw(st.sampled_from(list(source.files)))
                instructions.append(f"COPY --from={source.name} {path} {dest}/")
                files.append(f"{dest}/{posixpath.basename(path)}")
            else:  # run
                value = draw(_VALUES) or "r"
                instructions.append(f"RUN mkdir -p {dest} && echo {value} > {dest}/out")
                files.append(f"{dest}/out")
        if draw(st.integers(0, 4)) == 4:
            instructions.append(draw(st.sampled_from(["USER 1000", "USER 1000:1000", "USER 0"])))
        if draw(st.integers(0, 3)) == 3:
            instructions.append('CMD ["run", "--fast"]')
        stages.append(StageModel(name, base, tuple(instructions), tuple(files), shell))
    return DockerfileModel(tuple(stages), tuple(global_args))


def _kept(ctx: dict[str, bytes | str | Link]) -> tuple[list[str], list[str]]:
    """Context files and folders a COPY may name: kept by .dockerignore, not links."""
    from emu.ignore import IgnoreMatcher

    raw = ctx.get(".dockerignore")
    matcher = IgnoreMatcher.from_text(raw if isinstance(raw, str) else None)
    files = [
        p
        for p, v in ctx.items()
        if not isinstance(v, Link) and p != ".dockerignore" and not matcher.excluded(p)
    ]
    dirs = sorted({p.rsplit("/", 1)[0] for p in files if "/" in p})
    dirs = [d for d in dirs if not matcher.excluded(d)]
    return sorted(files), dirs


@st.composite
def build_cases(
    draw: st.DrawFn, max_stages: int = 4, dockerignore: bool = True, symlinks: bool = True
) -> BuildCase:
    """A context and a valid multi-stage Dockerfile over it (with build args)."""
    ctx = draw(contexts(symlinks=symlinks, dockerignore=dockerignore and draw(st.booleans())))
    files, dirs = _kept(ctx)
    # A folder source copies everything kept below it; only folders whose whole content is
    # kept are used, so the model knows what the copy holds.
    model = draw(dockerfile_models(files, dirs, max_stages=max_stages))
    return BuildCase(ctx, model, draw(build_args(model)))


def build_args(model: DockerfileModel) -> st.SearchStrategy[dict[str, str]]:
    """Values for the Dockerfile's global ARGs (each may be left unset)."""
    names = [k for k, _ in model.global_args]
    if not names:
        return st.just({})
    return st.dictionaries(st.sampled_from(names), _VALUES, max_size=len(names))


def unused_stages(name: str = "unused") -> st.SearchStrategy[StageModel]:
    """A stage nothing refers to — even one whose RUN would fail."""
    return st.builds(
        StageModel,
        name=st.just(name),
        base=st.sampled_from(BASES),
        instructions=st.lists(
            st.sampled_from(["RUN false", "COPY does-not-exist /x", "ENV A=1", "WORKDIR /u"]),
            max_size=3,
        ).map(tuple),
    )


__all__ = [
    "BASES",
    "BuildCase",
    "DockerfileModel",
    "StageModel",
    "build_args",
    "build_cases",
    "context_paths",
    "contexts",
    "dockerfile_models",
    "dockerignores",
    "ignore_patterns",
    "unused_stages",
]
