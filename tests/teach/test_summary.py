"""The build summary as data: what became of each stage and what crossed between them, with
ONBUILD triggers and ``FROM ${ARG}``."""

from __future__ import annotations

from dataclasses import replace

from emu.dockerfile.instructions import load
from emu.engine.builder import SCRATCH, BuildOptions, BuildResult, build
from emu.engine.context import from_mapping
from emu.images.image import Image
from emu.teach.display import text
from emu.teach.summary import cite, summarize

ONBUILD_FROM = (
    "FROM scratch AS assets\n"  # 1
    "COPY a.txt /out/asset.txt\n"  # 2
    "FROM scratch AS base\n"  # 3
    "ONBUILD COPY --from=assets /out /assets\n"  # 4
    "ONBUILD COPY a.txt /from-context.txt\n"  # 5
    "COPY b.txt /base/\n"  # 6
    "FROM base AS child\n"  # 7
    "COPY b.txt /child/\n"  # 8
)
FILES = {"a.txt": "asset\n", "b.txt": "base\n"}


def run(dockerfile: str, **opts: object) -> BuildResult:
    return build(load(dockerfile), from_mapping(FILES), BuildOptions(**opts))  # type: ignore[arg-type]


def with_triggers(*triggers: str) -> Image:
    return replace(SCRATCH, config=replace(SCRATCH.config, on_build=triggers), name="ob")


def test_the_base_the_final_stage_is_built_from_through_an_arg_is_not_discarded() -> None:
    r = run(
        "ARG BASE=builder\nFROM scratch AS builder\nCOPY a.txt /a\n"
        "FROM scratch AS other\nCOPY b.txt /b\nFROM ${BASE}\nCOPY b.txt /c\n"
    )
    s = summarize(r)
    assert [(st.name, st.status) for st in s.stages] == [
        ("builder", "base"),
        ("other", "skipped"),
        ("stage-2", "final"),
    ]
    builder = s.stages[0]
    assert "discarded" not in builder.reason and "first layers of the final image" in builder.reason
    assert s.as_json()["stages"][0]["status"] == "base"
    # the engine keeps "built" (the grading specs' vocabulary); it is not among the discarded
    assert r.stages[0].status == "built" and r.stages[0].in_final and r.discarded == ()
    assert "builder base 6B" in text(r)


def test_a_discarded_stage_and_a_base_of_a_discarded_stage_stay_discarded() -> None:
    r = run(
        "FROM scratch AS one\nCOPY a.txt /a\nFROM one AS two\nFROM scratch\nCOPY --from=two /a /a\n"
    )
    assert [st.status for st in summarize(r).stages] == ["built", "built", "final"]
    assert [st.name for st in r.discarded] == ["one", "two"]


def test_what_an_onbuild_copy_from_carries_crosses_between_stages() -> None:
    s = summarize(run(ONBUILD_FROM))
    (e,) = s.crossings  # the trigger's COPY from the context is no crossing
    assert (e.source_name, s.stages[e.target].name, e.files, e.bytes) == ("assets", "child", 1, 6)
    assert (e.line, e.text, e.trigger) == (
        4,
        "ONBUILD COPY --from=assets /out /assets",
        "stage base",
    )
    assert cite(e, s.file, s.stages) == "Dockerfile:4, ONBUILD of stage base, run in stage child"
    (crossed,) = s.as_json()["crossed"]
    assert crossed["onbuild_of"] == "stage base" and crossed["line"] == 4
    assert [(st.name, st.status) for st in s.stages] == [
        ("assets", "built"),
        ("base", "base"),
        ("child", "final"),
    ]
    # the trigger's layers are the child's, cited at their ONBUILD lines
    assert [(layer.line, layer.text) for layer in s.stages[2].layers] == [
        (4, "ONBUILD COPY --from=assets /out /assets"),
        (5, "ONBUILD COPY a.txt /from-context.txt"),
        (8, "COPY b.txt /child/"),
    ]


def test_an_onbuild_edge_of_a_stage_never_built_is_drawn_from_the_dockerfile() -> None:
    s = summarize(run(ONBUILD_FROM + "FROM scratch\nCOPY b.txt /\n"))
    edges = [(e.source, e.target, e.kind, e.line, e.trigger, e.files) for e in s.edges]
    assert (1, 2, "from", 7, "", None) in edges
    assert (0, 2, "copy", 4, "stage base", None) in edges
    assert s.crossings == ()


def test_an_images_triggers_cross_too_cited_at_the_from() -> None:
    image = with_triggers("COPY --from=assets /out /assets", "COPY a.txt /ctx.txt")
    r = run(
        "FROM scratch AS assets\nCOPY a.txt /out/asset.txt\nFROM ob:1 AS app\nCOPY b.txt /b\n",
        resolve_image=lambda ref: image,
    )
    s = summarize(r)
    (e,) = s.crossings
    assert (e.source, e.target, e.line, e.files) == (0, 1, 3, 1)
    assert (e.text, e.trigger) == ("ONBUILD COPY --from=assets /out /assets", "image ob:1")
    assert [(layer.line, layer.text) for layer in s.stages[1].layers][:2] == [
        (3, "ONBUILD COPY --from=assets /out /assets"),
        (3, "ONBUILD COPY a.txt /ctx.txt"),
    ]
