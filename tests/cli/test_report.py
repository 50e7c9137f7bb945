"""The HTML build report: self-contained, every stage in the graph, sizes, provenance."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from emu.cli import _console, main
from emu.cli._report import render_html
from emu.cli._summary import summarize
from emu.dockerfile.instructions import load
from emu.engine.builder import build
from emu.engine.context import from_directory, from_mapping

DEMO = Path(__file__).resolve().parents[2] / "examples" / "multistage-demo"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMU_HOME", str(tmp_path / "emu-home"))
    _console.reset()


def demo_page() -> str:
    result = build(load((DEMO / "Dockerfile").read_text()), from_directory(DEMO))
    return render_html(result, tags=["my-app:latest"])


def provenance(page: str) -> list[dict[str, object]]:
    m = re.search(r'<script type="application/json" id="provenance">(.*?)</script>', page, re.S)
    assert m
    data: list[dict[str, object]] = json.loads(m.group(1))
    return data


def test_the_page_is_self_contained() -> None:
    page = demo_page()
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<(link|iframe|img|object|embed)\b", page)
    assert not re.search(r"\bsrc\s*=", page)
    assert not re.search(r"(href|url)\s*[=(]\s*[\"']?(https?:)?//", page)
    assert "@import" not in page
    # the only links are to the documentation of the rules, none: nothing is fetched
    assert page.count("<script") == 2  # the provenance data and the inline script


def test_every_stage_of_the_demo_is_in_the_graph() -> None:
    page = demo_page()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'data-stage="builder"' in svg and 'data-stage="stage-1"' in svg
    assert 'class="stage built"' in svg and 'class="stage final"' in svg
    assert "COPY --from · 1 file · 654B" in svg
    assert "FROM alpine:3.19" in svg and "FROM nginx:alpine" in svg


def test_sizes_per_stage_and_layer() -> None:
    page = demo_page()
    assert "62.9MB" in page and "26.3MB compressed download" in page
    assert "had stage builder been shipped instead" in page
    table = page[page.index('<table class="layers">') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr class=") == 4
    assert "RUN mkdir dist &amp;&amp; cp index.html dist/index.html" in table


def test_the_file_tree_carries_provenance() -> None:
    page = demo_page()
    records = provenance(page)
    index = next(r for r in records if r["path"] == "/usr/share/nginx/html/index.html")
    assert index["added"] is True
    assert index["chain"] == [
        "stage-1:/usr/share/nginx/html/index.html ← COPY --from=builder /app/dist "
        "/usr/share/nginx/html (Dockerfile:23)",
        "builder:/app/dist/index.html ← RUN mkdir dist && cp index.html dist/index.html "
        "(Dockerfile:14)",
        "builder:/app/index.html ← COPY index.html . (Dockerfile:9)",
        "context:index.html",
    ]
    conf = next(r for r in records if r["path"] == "/etc/nginx/nginx.conf")
    assert conf["added"] is False and conf["chain"] == [
        "base image nginx:alpine:/etc/nginx/nginx.conf"
    ]
    i = records.index(index)
    # hover: the one-line chain as the title; click: the script fills the panel
    assert re.search(rf'<li class="file added" data-i="{i}" title="/usr/share/nginx/html/', page)
    assert "addEventListener('click'" in page
    assert "Written by this Dockerfile (1)" in page


def test_skipped_stages_are_greyed_and_edges_drawn() -> None:
    df = load(
        "FROM busybox AS base\nCOPY a.txt /a\nFROM base AS build\nRUN cp /a /b\n"
        "FROM busybox AS test\nRUN echo never\nFROM busybox\nCOPY --from=build /b /b\n"
    )
    result = build(df, from_mapping({"a.txt": "hello"}))
    page = render_html(result)
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert re.search(r'<g class="stage skipped" data-stage="test" opacity="0.55">', svg)
    assert 'stroke-dasharray="7 5"' in svg  # the skipped stage's border
    assert "FROM (based on)" in svg  # build is based on base
    assert "COPY --from · 1 file · 5B" in svg
    assert "not built (skipped)" in page
    s = summarize(result)
    assert [st.status for st in s.stages] == ["built", "built", "skipped", "final"]


def test_names_are_escaped() -> None:
    result = build(
        load("FROM busybox\nCOPY . /srv/\n"), from_mapping({"<b>x</b>.txt": "</script>"})
    )
    page = render_html(result, title="<i>t</i>")
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;.txt" in page
    assert "<i>t</i>" not in page
    assert provenance(page)  # the JSON still parses: "</" is escaped inside the script


def test_report_command_writes_html_for_a_stored_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "--progress", "quiet", "-t", "my-app", str(DEMO)]) == 0
    out = tmp_path / "report.html"
    assert main(["report", "my-app", "--html", str(out)]) == 0
    assert f"Wrote {out}" in capsys.readouterr().err
    page = out.read_text()
    assert "emu build report: my-app:latest" in page and "image " in page
    assert main(["report", str(DEMO), "--html", str(tmp_path / "ctx.html")]) == 0
    assert 'data-stage="builder"' in (tmp_path / "ctx.html").read_text()
    assert main(["report", "nginx:alpine", "--html", str(tmp_path / "x.html")]) == 2


def test_what_run_printed_is_folded_into_the_page(tmp_path: Path) -> None:
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text("FROM busybox\nRUN echo '<hello>' && echo there\n")
    out = tmp_path / "r.html"
    assert main(["build", "--progress", "quiet", "--report", str(out), str(ctx)]) == 0
    page = out.read_text()
    assert "<h3>What RUN printed</h3>" in page
    assert "<pre>&lt;hello&gt;\nthere</pre>" in page and "exit 0, 2 lines" in page


def test_an_edge_that_skips_a_column_runs_under_the_boxes() -> None:
    df = load(
        "FROM busybox AS a\nRUN true\nFROM a AS b\nRUN true\nFROM busybox AS tools\nRUN true\n"
        "FROM busybox\nCOPY --from=b /bin/sh /x\nCOPY --from=tools /bin/sh /y\n"
    )
    page = render_html(build(df, from_mapping({})))
    svg = page[page.index("<svg") : page.index("</svg>")]
    paths = re.findall(r'<path d="(M[^"]+)" fill="none"', svg)
    assert len(paths) == 3  # a -> b (FROM), b -> final and tools -> final (COPY --from)
    assert sum(1 for p in paths if " L" in p) == 1  # tools skips a column: a lane below
    assert "max-width:100%" in page  # the graph scales down to the page
