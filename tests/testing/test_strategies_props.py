"""Properties of Dockerfile behaviour, drawn with emu.testing.strategies.

* builds are deterministic;
* a stage nothing refers to (even one whose RUN would fail) never changes the result,
  wherever it is added;
* every file of the final image comes from the final stage's base or from a COPY/ADD/RUN
  of the final stage (or of the stages it is built FROM);
* ``COPY --from`` of a directory copies its contents, not the directory;
* ``.dockerignore``: a path is excluded exactly when the last pattern matching it or a
  parent is not a ``!`` exception, and an excluded file never reaches the image.
"""

from __future__ import annotations

import posixpath

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

import emu.sh.interp  # noqa: F401  - raises the recursion limit before hypothesis runs
from emu.engine.builder import BuildResult
from emu.fs import File, Symlink, walk
from emu.ignore import IgnoreMatcher
from emu.testing import Link, assert_path, assert_same_image, assert_stage, build
from emu.testing.strategies import (
    BuildCase,
    DockerfileModel,
    build_cases,
    contexts,
    dockerfile_models,
    ignore_patterns,
    unused_stages,
)

PROPS = settings(
    max_examples=int(__import__("os").environ.get("EMU_PROP_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _build(case: BuildCase, model: DockerfileModel | None = None) -> BuildResult:
    text = (model or case.model).render()
    return build(case.context, text, build_args=case.build_args)


@pytest.mark.slow
@PROPS
@given(build_cases())
def test_builds_are_deterministic(case: BuildCase) -> None:
    assert_same_image(_build(case), _build(case))


@pytest.mark.slow
@PROPS
@given(build_cases(), unused_stages(), st.data())
def test_a_stage_nothing_refers_to_changes_nothing(
    case: BuildCase, extra: object, data: st.DataObject
) -> None:
    from emu.testing.strategies import StageModel

    assert isinstance(extra, StageModel)
    where = data.draw(st.integers(0, len(case.model.stages) - 1), label="insert before")
    bigger = case.model.with_stage(where, extra)
    before, after = _build(case), _build(case, bigger)
    assert_same_image(before, after)
    assert_stage(after, "unused", "skipped")


def _chain(result: BuildResult) -> set[int]:
    index: int | None = result.target.index
    chain: set[int] = set()
    while index is not None and index not in chain:
        chain.add(index)
        index = result.stages[index].base_stage
    return chain


@PROPS
@given(build_cases())
def test_every_file_comes_from_the_base_or_the_final_stage(case: BuildCase) -> None:
    from emu.images import catalog
    from emu.teach.explain import root_base

    result = _build(case)
    root = root_base(result, result.target.index)
    base = None if root == "scratch" else catalog.lookup(root).rootfs.fs()
    chain = _chain(result)
    changed: dict[str, str] = {}
    for layer in result.image.layers:
        if layer.origin is None:
            continue
        assert layer.origin.stage in chain, layer.origin
        for change in layer.changes():
            changed[change.path] = layer.origin.kind
    for path, node in walk(result.image.rootfs.root):
        if not isinstance(node, File | Symlink):
            continue
        if base is not None and base.lookup(path, follow=False) is node:
            continue  # the base image's own file, untouched
        assert path in changed, f"{path} is in the final image but no layer of it added it"
        assert changed[path] in ("copy", "add", "run", "workdir", "user"), changed[path]


@PROPS
@given(contexts(max_files=8, symlinks=False))
def test_copy_from_of_a_directory_copies_its_contents(ctx: dict[str, bytes | str | Link]) -> None:
    dirs = sorted({p.rsplit("/", 1)[0] for p in ctx if "/" in p})
    if not dirs:
        return
    folder = dirs[0]
    dockerfile = (
        f"FROM busybox AS stage\nCOPY {folder} /src\nFROM scratch\nCOPY --from=stage /src /dst\n"
    )
    result = build(ctx, dockerfile)
    for path, content in ctx.items():
        if path.startswith(folder + "/"):
            rel = path[len(folder) + 1 :]
            assert_path(result, f"/dst/{rel}", content=content)
    names = {p.split("/")[1] for p in ctx if p.startswith(folder + "/")}
    leaf = posixpath.basename(folder)
    if leaf not in names:
        assert_path(result, f"/dst/{leaf}", exists=False)


def _reference_excluded(lines: list[str], path: str) -> bool:
    """The law: the last pattern matching the path or a parent decides; none → kept."""
    matcher = IgnoreMatcher.from_text("\n".join(lines))
    excluded = False
    for pattern in matcher.patterns:
        if pattern.matches_or_parent(path):
            excluded = not pattern.exclusion
    return excluded


@st.composite
def ignore_cases(draw: st.DrawFn) -> tuple[dict[str, bytes | str | Link], list[str]]:
    ctx = draw(contexts(max_files=10, symlinks=False))
    lines = draw(ignore_patterns(sorted(ctx)))
    return ctx, lines


@PROPS
@given(ignore_cases())
def test_dockerignore_last_match_wins_and_excluded_files_never_reach_the_image(
    case: tuple[dict[str, bytes | str | Link], list[str]],
) -> None:
    ctx, lines = case
    text = "\n".join(lines) + "\n"
    matcher = IgnoreMatcher.from_text(text)
    result = build({**ctx, ".dockerignore": text}, "FROM scratch\nCOPY . /ctx/\n")
    fs = result.image.rootfs.fs()
    for path in ctx:
        want = _reference_excluded(lines, path)
        assert matcher.excluded(path) == want, (path, lines)
        present = fs.lookup("/ctx/" + path, follow=False) is not None
        assert present == (not want), (path, lines, "in the image" if present else "missing")


@pytest.mark.slow
def test_shrinking_gives_minimal_dockerfiles() -> None:
    def has_copy_from(model: DockerfileModel) -> bool:
        return any(i.startswith("COPY --from=") for s in model.stages for i in s.instructions)

    smallest = find(
        dockerfile_models(["app.txt"], []),
        has_copy_from,
        settings=settings(max_examples=2000, database=None, derandomize=True),
    )
    # Shrinking keeps what the property needs and drops every other instruction: a COPY
    # from the context and a COPY --from of what it copied (an empty stage may remain).
    lines = [line for line in smallest.render().splitlines() if not line.startswith("FROM")]
    assert len(lines) == 2
    assert lines[0] == "COPY app.txt /c1/"
    assert lines[1].startswith("COPY --from=s") and lines[1].endswith(" /c1/app.txt /c2/")
    assert len(smallest.stages) <= 3
    build({"app.txt": "x"}, smallest.render())
