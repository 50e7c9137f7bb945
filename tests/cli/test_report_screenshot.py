"""The HTML build report in a real browser: headless Chromium (Debian's ``chromium``) renders
the tutorial demo's report, runs its script, and takes a screenshot.

Skipped, saying why, where chromium is not installed (CI need not have it); install it with
``tests/support/install-chromium.sh``. Chromium runs with no network use, no sandbox (so it
works as root in a container) and a throw-away profile.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from emu.cli._report import write_html
from emu.dockerfile.instructions import load
from emu.engine.builder import build
from emu.engine.context import from_directory

DEMO = Path(__file__).resolve().parents[2] / "examples" / "multistage-demo"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.slow,  # starts a browser
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="chromium is not installed (tests/support/install-chromium.sh installs Debian's)",
    ),
]

WIDTH, HEIGHT = 1280, 1800


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--hide-scrollbars",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = build(load((DEMO / "Dockerfile").read_text()), from_directory(DEMO))
    write_html(str(out), result, tags=["my-app:latest"])
    return out


def _png_info(data: bytes) -> tuple[int, int, bytes]:
    """(width, height, the decompressed image data) of a PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, zlib.decompress(idat)


def test_the_report_renders_to_a_screenshot(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    proc = chromium(
        tmp_path / "profile",
        f"--window-size={WIDTH},{HEIGHT}",
        f"--screenshot={shot}",
        page.as_uri(),
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    width, height, pixels = _png_info(data)
    assert (width, height) == (WIDTH, HEIGHT)
    assert len(data) > 40_000  # a blank page compresses to a few kilobytes
    rows = [pixels[i * (1 + width * 4) : (i + 1) * (1 + width * 4)] for i in range(0, height, 40)]
    distinct = {row[j : j + 4] for row in rows for j in range(1, len(row) - 4, 4 * 7)}
    assert len(distinct) > 50, "the screenshot is nearly uniform"


def test_the_script_runs_and_every_stage_is_shown(page: Path, tmp_path: Path) -> None:
    proc = chromium(tmp_path / "profile", "--dump-dom", page.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    for stage in ("builder", "stage-1"):
        assert f'data-stage="{stage}"' in dom
    panel = dom[dom.index('id="prov-body"') :]
    panel = panel[: panel.index("</aside>")]
    # the inline script selected the first file this Dockerfile wrote and showed its chain
    assert "/usr/share/nginx/html/index.html" in panel
    assert "context:index.html" in panel and "Dockerfile:14" in panel
    assert 'class="file added sel"' in dom


# --- the page of a failed build ---------------------------------------------------------------


@pytest.fixture(scope="module")
def failed_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo with a typo in its RUN, built with `emu build --report` (it fails)."""
    import os

    from emu.cli import _console, main

    work = tmp_path_factory.mktemp("failed")
    ctx = work / "demo"
    shutil.copytree(DEMO, ctx)
    dockerfile = ctx / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("cp index.html", "cp index.htm"))
    out = work / "failed.html"
    saved = os.environ.get("EMU_HOME")
    os.environ["EMU_HOME"] = str(work / "home")
    try:
        _console.reset()
        assert main(["build", "--progress", "quiet", "--report", str(out), str(ctx)]) == 1
    finally:
        _console.reset()
        if saved is None:
            os.environ.pop("EMU_HOME", None)
        else:
            os.environ["EMU_HOME"] = saved
    return out


def test_the_failed_builds_page_renders_to_a_screenshot(failed_page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "failed.png"
    proc = chromium(
        tmp_path / "profile", "--window-size=1280,1000", f"--screenshot={shot}",
        failed_page.as_uri(),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    width, height, _ = _png_info(data)
    assert (width, height) == (1280, 1000)
    rows = _pixels(data)
    # The error box is drawn in its red tint (#fef2f2) near the top of the page.
    tinted = sum(
        1
        for y in range(0, 400, 4)
        for x in range(40, width - 40, 16)
        if rows[y][x] == (0xFE, 0xF2, 0xF2)
    )
    assert tinted > 200, "no error box drawn"


def _pixels(data: bytes) -> list[list[tuple[int, int, int]]]:
    """The RGB value of every pixel of an 8-bit RGB or RGBA PNG (its filters undone)."""
    width, height, raw = _png_info(data)
    kind = data[25]  # IHDR colour type: 2 RGB, 6 RGBA
    bpp = 4 if kind == 6 else 3
    stride = width * bpp
    out: list[list[tuple[int, int, int]]] = []
    prev = bytearray(stride)
    pos = 0
    for _ in range(height):
        f, line = raw[pos], bytearray(raw[pos + 1 : pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 0xFF
        out.append([(line[x], line[x + 1], line[x + 2]) for x in range(0, stride, bpp)])
        prev = line
    return out


def test_the_failed_builds_page_says_where_it_stopped(failed_page: Path, tmp_path: Path) -> None:
    proc = chromium(tmp_path / "profile", "--dump-dom", failed_page.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert "stopped at <b>[builder 4/4] RUN mkdir dist &amp;&amp; cp index.htm" in dom
    assert "cp: can't stat 'index.htm': No such file or directory" in dom
    states = re.findall(r'<td class="state (\w+)">', dom)
    # FROM, WORKDIR, COPY done; the RUN failed; the final stage's three never ran.
    assert states == ["DONE", "DONE", "DONE", "ERROR", "notrun", "notrun", "notrun"]
