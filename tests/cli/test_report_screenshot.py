"""The HTML build report in a real browser: headless Chromium (Debian's ``chromium``) renders
the tutorial demo's report, runs its script, and takes a screenshot.

Skipped, saying why, where chromium is not installed (CI need not have it); install it with
``tests/support/install-chromium.sh``. Chromium runs with no network use, no sandbox (so it
works as root in a container) and a throw-away profile.
"""

from __future__ import annotations

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
