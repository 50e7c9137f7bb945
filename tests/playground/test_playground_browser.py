"""The playground in a real browser: headless Chromium opens the site ``emu playground
--write`` made, with every request that is not to the loopback sent to a closed port; the
page starts Python (Pyodide) in a worker, builds the tutorial's demo on its own, then a use
case when asked, and draws the stage graph and the final tree — checked in the page's DOM.

Skipped, saying why, where chromium is not installed (``.ci/run`` installs Debian's) or the
Pyodide npm package cannot be had (``npm pack``, cached beside pytest's temporary folders;
``EMU_PYODIDE`` may name a local copy). ``EMU_PLAYGROUND_SHOT=FILE`` also saves the
screenshot there (how the README's picture is made).
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser import CHROMIUM, Browser, pyodide_package

from emu.cli._playground import make_server, write_site

pytestmark = [
    pytest.mark.slow,  # starts a browser and Python in WebAssembly
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="chromium is not installed (tests/support/install-chromium.sh installs Debian's)",
    ),
]

# Python's start in the browser, then the first build (files compiled on first import).
BOOT_SECONDS = 240


@dataclass
class Site:
    root: Path
    url: str
    size: int
    requests: list[str]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    cache = tmp_path_factory.getbasetemp().parent / "emu-pyodide-cache"
    pyodide = pyodide_package(cache)
    if isinstance(pyodide, str):
        pytest.skip(pyodide)
    root = tmp_path_factory.mktemp("playground")
    size = write_site(root, pyodide)
    seen: list[str] = []
    server = make_server(root, 0, seen.append)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(root, f"http://127.0.0.1:{server.server_address[1]}/", size, seen)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def page(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    browser = Browser(tmp_path_factory.mktemp("profile"))
    try:
        browser.goto(site.url + "index.html")
        browser.wait_for(
            "['built', 'failed', 'failed-build'].includes(document.body?.dataset.state)",
            BOOT_SECONDS,
        )
        yield browser
    finally:
        browser.close()


def stages(page: Browser) -> list[list[str]]:
    return page.evaluate(  # type: ignore[no-any-return]
        "Array.from(document.querySelectorAll('#graph g.stage'))"
        ".map(g => [g.dataset.stage, g.getAttribute('class'), "
        "g.querySelector('.sbase').textContent])"
    )


def edge_labels(page: Browser) -> list[str]:
    return page.evaluate(  # type: ignore[no-any-return]
        "Array.from(document.querySelectorAll('#graph .elabel')).map(t => t.textContent)"
    )


def written(page: Browser) -> list[str]:
    return page.evaluate(  # type: ignore[no-any-return]
        "Array.from(document.querySelectorAll('#tree .addedbox .file.added .name'))"
        ".map(n => n.textContent)"
    )


def text_of(page: Browser, id_: str) -> str:
    return page.evaluate(f"document.getElementById('{id_}').textContent")  # type: ignore[no-any-return]


def build(page: Browser) -> dict[str, Any]:
    before = page.evaluate("window.emu.builds")
    page.evaluate("document.getElementById('build').click()")
    page.wait_for(
        f"window.emu.builds > {before} && document.body.dataset.state !== 'building'", 120
    )
    return page.evaluate("window.emu.last")  # type: ignore[no-any-return]


def _demo_image_id() -> str:
    """The ID the CLI gives the demo at the tutorial's time (the README's walkthrough shows
    the same one)."""
    import emu
    from emu.cli._browser import dated_image_id

    demo = Path(__file__).resolve().parents[2] / "examples" / "multistage-demo"
    return dated_image_id(emu.build(demo)).removeprefix("sha256:")[:12]


def test_the_page_builds_the_tutorial_demo_on_its_own(page: Browser) -> None:
    assert page.evaluate("document.body.dataset.state") == "built", text_of(page, "status")
    assert page.evaluate("document.getElementById('preset').value") == "multistage-demo"
    # the stage graph: the builder was built then discarded, stage-1 is the final image
    assert stages(page) == [
        ["builder", "stage built", "FROM alpine:3.19"],
        ["stage-1", "stage final", "FROM nginx:alpine"],
    ]
    assert "COPY --from · 1 file · 654B" in edge_labels(page)
    # the final tree: the one file this Dockerfile wrote, its provenance shown
    assert written(page) == ["/usr/share/nginx/html/index.html"]
    panel = text_of(page, "prov-body")
    assert "context:index.html" in panel and "COPY index.html . (Dockerfile:9)" in panel
    # the log is the command line's, to the image ID the README shows
    log = text_of(page, "log")
    assert log.startswith("Step 1/7 : FROM alpine:3.19 AS builder\n")
    assert log.endswith(f"Successfully built {_demo_image_id()}\n")
    # .dockerignore at work, the lessons and the comparison
    assert text_of(page, "context-note") == ".dockerignore kept out of the context: README.md"
    assert "No problems found" in text_of(page, "lessons")
    compare = text_of(page, "compare")
    assert "stage builder shipped insteadFROM alpine:3.197.4MB · 0.12× the multi-stage" in compare


def test_a_use_case_builds_and_compares_with_its_single_stage_twin(page: Browser) -> None:
    page.evaluate(
        "(() => { const s = document.getElementById('preset'); s.value = 'go-alpine';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    tabs = page.evaluate(
        "Array.from(document.querySelectorAll('#tabs button')).map(b => b.textContent)"
    )
    assert tabs[:3] == ["Dockerfile", ".dockerignore", "Dockerfile.single-stage"]
    assert "main.go" in tabs
    last = build(page)
    assert last["ok"] is True
    assert stages(page) == [
        ["builder", "stage built", "FROM golang:1.21"],
        ["stage-1", "stage final", "FROM alpine:3.19"],
    ]
    assert "COPY --from · 1 file · 5.38MB" in edge_labels(page)
    assert "/usr/local/bin/server" in written(page)
    tree = text_of(page, "tree")
    assert "bin/" in tree and "busybox" in tree  # the base's files are in the tree too
    compare = text_of(page, "compare")
    assert "single-stage (Dockerfile.single-stage)FROM golang:1.21853MB" in compare
    assert "CompilerInFinalImage" in compare


def test_explain_follows_a_file_in_the_final_image_and_in_a_discarded_stage(
    page: Browser,
) -> None:
    def explain(path: str, stage: str) -> str:
        page.evaluate(
            f"(() => {{ document.getElementById('explain-path').value = {json.dumps(path)};"
            f" document.getElementById('explain-stage').value = {json.dumps(stage)};"
            " document.getElementById('explain-out').textContent = '';"
            " document.getElementById('explain-form').requestSubmit(); })()"
        )
        return page.wait_for("document.getElementById('explain-out').textContent", 30)  # type: ignore[no-any-return]

    final = explain("/usr/local/bin/server", "")
    assert "builder:/out/server" in final and "COPY --from=builder" in final
    inside = explain("/src/main.go", "builder")
    assert "context:main.go" in inside


def test_load_a_saved_file_and_share_a_link(page: Browser, site: Site, tmp_path: Path) -> None:
    saved = tmp_path / "mine.json"
    saved.write_text(
        json.dumps({"files": {"Dockerfile": "FROM alpine:3.19\nRUN echo hi > /hi.txt\n"}})
    )
    doc = page.send("DOM.getDocument")
    node = page.send("DOM.querySelector", {"nodeId": doc["root"]["nodeId"], "selector": "#load"})
    page.send("DOM.setFileInputFiles", {"files": [str(saved)], "nodeId": node["nodeId"]})
    page.wait_for("document.getElementById('status').textContent.startsWith('Loaded mine')", 10)
    assert build(page)["ok"] is True
    assert written(page) == ["/hi.txt"]
    # what Save downloads is the same state
    snap = page.evaluate("JSON.stringify(snapshot())")
    assert json.loads(snap)["files"] == {"Dockerfile": "FROM alpine:3.19\nRUN echo hi > /hi.txt\n"}
    # a shared link holds the files; opening it loads and builds them
    page.evaluate("document.getElementById('share').click()")
    url = page.wait_for("location.hash.startsWith('#files=') && location.href", 10)
    page.goto("about:blank")  # so the link is a new page load, not a jump within the page
    page.goto(url)
    page.wait_for("document.body?.dataset.state === 'built'", BOOT_SECONDS)
    assert written(page) == ["/hi.txt"]
    assert page.evaluate("document.getElementById('code').value").startswith("FROM alpine:3.19")


def test_nothing_left_the_loopback(page: Browser, site: Site) -> None:
    urls = page.requests()
    assert any(u.endswith("/pyodide/pyodide.asm.wasm") for u in urls)  # the worker's are seen
    assert any(u.endswith(".whl") for u in urls)
    outside = [u for u in urls if not u.startswith((site.url, "blob:", "data:"))]
    assert outside == []
    assert [f for f in page.failed() if not f.get("canceled")] == []
    # the server saw the site's files, and no request for a file it lacks but the favicon
    missing = [p for p in site.requests if not (site.root / p.split("?")[0].lstrip("/")).is_file()]
    assert set(missing) <= {"/favicon.ico"}


def test_big_data_is_fetched_when_first_read(page: Browser, site: Site) -> None:
    """The package universes stay out of the wheel: the worker maps them into Python's
    filesystem, and the browser fetches one only when Python opens it."""
    assert not [p for p in site.requests if p.startswith("/lazy/")]
    # The worker's `browser` is emu.cli._browser; through it, Python's own import.
    got = page.evaluate_in_worker(
        "(() => { const emu = browser.__builtins__.get('__import__')('emu.sh.tools.pkgdb');"
        " const db = emu.sh.tools.pkgdb;"
        " return [String(db.releases()), db.universe('noble') !== undefined]; })()"
    )
    assert got == ["('bookworm', 'bullseye', 'focal', 'jammy', 'noble', 'trixie')", True]
    assert {p for p in site.requests if p.startswith("/lazy/")} == {
        "/lazy/emu/sh/tools/data/packages/noble.tsv.gz"
    }


def test_a_screenshot_of_the_page(page: Browser, site: Site, tmp_path: Path) -> None:
    page.evaluate(
        "(() => { const s = document.getElementById('preset'); s.value = 'multistage-demo';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    build(page)
    page.evaluate(
        "document.querySelector('.results').scrollTop ="
        " document.getElementById('summary').offsetTop - 80"
    )
    shot = tmp_path / "playground.png"
    page.screenshot(shot)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1440, 1000)
    assert len(data) > 60_000  # a blank page compresses to a few kilobytes
    keep = os.environ.get("EMU_PLAYGROUND_SHOT")
    if keep:
        shutil.copyfile(shot, keep)
