"""`explain`: a file's history back through stages, RUN copies and COPY --from, to the context."""

from __future__ import annotations

from pathlib import Path

import pytest

from emu.dockerfile.instructions import load
from emu.engine.builder import build
from emu.engine.context import from_directory, from_mapping
from emu.teach.explain import ExplainError, explain

DEMO = Path(__file__).resolve().parents[2] / "examples" / "multistage-demo"


def test_the_tutorial_demo_chain() -> None:
    result = build(load((DEMO / "Dockerfile").read_text()), from_directory(DEMO))
    hops = [str(h) for h in explain(result, "/usr/share/nginx/html/index.html")]
    assert hops == [
        "stage-1:/usr/share/nginx/html/index.html ← COPY --from=builder /app/dist "
        "/usr/share/nginx/html (Dockerfile:23)",
        "builder:/app/dist/index.html ← RUN mkdir dist && cp index.html dist/index.html "
        "(Dockerfile:14)",
        "builder:/app/index.html ← COPY index.html . (Dockerfile:9)",
        "context:index.html",
    ]
    assert [str(h) for h in explain(result, "/etc/nginx/nginx.conf")] == [
        "base image nginx:alpine:/etc/nginx/nginx.conf"
    ]


def test_chains_through_a_stage_built_from_a_stage() -> None:
    ctx = from_mapping({"src/a.txt": "a"})
    df = load(
        "FROM scratch AS one\nCOPY src /s\nFROM one AS two\n"
        "FROM scratch\nCOPY --from=two /s/a.txt /f\n"
    )
    hops = [(h.where, h.path, h.line) for h in explain(build(df, ctx), "/f")]
    assert hops == [("stage-2", "/f", 5), ("one", "/s/a.txt", 2), ("context", "src/a.txt", 0)]


def test_missing_paths_and_skipped_stages_are_errors() -> None:
    result = build(load("FROM scratch AS unused\nFROM scratch\n"), from_mapping({}))
    with pytest.raises(ExplainError, match="no such file"):
        explain(result, "/nope")
    with pytest.raises(ExplainError, match="not built"):
        explain(result, "/x", stage="unused")


def test_an_onbuild_trigger_is_cited_at_its_onbuild_line_and_the_stage_that_ran_it() -> None:
    from emu.teach.explain import oneline, ran_in, writers

    ctx = from_mapping({"a.txt": "asset\n"})
    df = load(
        "FROM scratch AS assets\nCOPY a.txt /out/asset.txt\n"
        "FROM scratch AS base\nONBUILD COPY --from=assets /out /assets\n"
        "ONBUILD COPY a.txt /ctx.txt\nFROM base AS child\n"
    )
    result = build(df, ctx)
    hops = explain(result, "/assets/asset.txt")
    assert [(h.where, h.path, h.how, h.line, h.trigger) for h in hops] == [
        ("child", "/assets/asset.txt", "ONBUILD COPY --from=assets /out /assets", 4, "stage base"),
        ("assets", "/out/asset.txt", "COPY a.txt /out/asset.txt", 2, ""),
        ("context", "a.txt", "", 0, ""),
    ]
    assert ran_in("child", "stage base") == "ONBUILD of stage base, run in stage child"
    assert oneline(hops, "Dockerfile").startswith(
        "/assets/asset.txt ← ONBUILD COPY --from=assets /out /assets (Dockerfile:4) ← assets:"
    )
    ctx_hops = explain(result, "/ctx.txt")
    assert [(h.where, h.line, h.trigger) for h in ctx_hops] == [
        ("child", 5, "stage base"),
        ("context", 0, ""),
    ]
    origins = writers(result.image)
    assert {p: (o.line, o.trigger) for p, o in origins.items()} == {
        "/assets": (4, "stage base"),
        "/assets/asset.txt": (4, "stage base"),
        "/ctx.txt": (5, "stage base"),
    }


def test_an_images_onbuild_trigger_is_cited_at_the_from_that_brought_it_in() -> None:
    from dataclasses import replace

    from emu.engine.builder import SCRATCH, BuildOptions

    image = replace(SCRATCH, config=replace(SCRATCH.config, on_build=("COPY a.txt /a",)))
    df = load("# an image with a trigger\nFROM onbuild:1 AS app\nCOPY a.txt /b\n")
    result = build(df, from_mapping({"a.txt": "x"}), BuildOptions(resolve_image=lambda r: image))
    (hop, end) = explain(result, "/a")
    assert (hop.where, hop.how, hop.line, hop.trigger) == (
        "app",
        "ONBUILD COPY a.txt /a",
        2,
        "image onbuild:1",
    )
    assert str(end) == "context:a.txt"
