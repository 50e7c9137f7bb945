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
