"""BuildKit's live view on a real terminal: ``emu build`` runs inside tmux (a 100×45 window)
and the test reads the screen back, colours included (``tmux capture-pane -e``).

Skipped, saying why, where tmux is not installed (``.ci/run`` installs it). The tmux server is
this test's own (``-L`` with a name of its own) and is stopped by that name when done.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "multistage-demo"
TMUX = shutil.which("tmux")
WIDTH, HEIGHT = 100, 45

pytestmark = [
    pytest.mark.slow,  # starts a terminal multiplexer
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install -y tmux)"),
]


@pytest.fixture()
def tmux(tmp_path: Path) -> Iterator[list[str]]:
    assert TMUX is not None
    cmd = [TMUX, "-L", f"emu-live-{os.getpid()}", "-f", "/dev/null"]
    yield cmd
    subprocess.run([*cmd, "kill-server"], capture_output=True, check=False)


def screen(tmux: list[str], tmp_path: Path, context: Path, *extra: str) -> tuple[str, str]:
    """Run ``emu build`` in a fresh tmux window; the screen as text, and with its colours."""
    env = {
        "EMU_HOME": str(tmp_path / "home"),
        "TERM": "xterm-256color",
        "PYTHONPATH": str(ROOT),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
    }
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    script = tmp_path / "run.sh"
    script.write_text(
        f"export {exports}\nunset NO_COLOR COLUMNS LINES\ncd {tmp_path}\n"
        f"{sys.executable} -m emu build {' '.join(extra)} {context}\necho EXIT=$?\nsleep 60\n"
    )
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "live", "-x", str(WIDTH), "-y", str(HEIGHT),
         f"sh {script}"],
        check=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    text = ""
    while time.monotonic() < deadline:
        text = subprocess.run(
            [*tmux, "capture-pane", "-p", "-t", "live"], capture_output=True, text=True
        ).stdout
        if "EXIT=" in text:
            break
        time.sleep(0.2)
    coloured = subprocess.run(
        [*tmux, "capture-pane", "-p", "-e", "-t", "live"], capture_output=True, text=True
    ).stdout
    subprocess.run([*tmux, "kill-session", "-t", "live"], capture_output=True, check=False)
    return text, coloured


def _colour_at(coloured: str, text: str) -> str:
    """The foreground colour in force where ``text`` starts (tmux writes a colour once for
    a run of lines that share it)."""
    before = coloured[: coloured.index(text)]
    codes = [c for c in re.findall(r"\x1b\[([0-9;]*)m", before) if c and c not in ("0", "39", "49")]
    return codes[-1] if codes else ""


def test_the_live_view_shows_every_step_with_its_time(tmux: list[str], tmp_path: Path) -> None:
    text, coloured = screen(tmux, tmp_path, DEMO, "-t", "my-app")
    assert "EXIT=0" in text, text
    lines = text.splitlines()
    head = next(line for line in lines if line.startswith("[+] Building"))
    assert re.fullmatch(r"\[\+\] Building \d+\.\ds \(12/12\) FINISHED", head.rstrip()), head
    rows = [line for line in lines if line.startswith(" => ")]
    names = [re.sub(r"\s+\d+\.\ds$", "", r).rstrip() for r in rows]
    names = [re.sub(r"sha256:[0-9a-f]{64}", "sha256:<id>", n) for n in names]
    assert names == [
        " => [internal] load build definition from Dockerfile",
        " => => transferring dockerfile: 1.34kB",
        " => [internal] load metadata for docker.io/library/alpine:3.19",
        " => [internal] load metadata for docker.io/library/nginx:alpine",
        " => [internal] load .dockerignore",
        " => => transferring context: 79B",
        " => [builder 1/4] FROM docker.io/library/alpine:3.19",
        " => [builder 2/4] WORKDIR /app",
        " => [internal] load build context",
        " => => transferring context: 2.07kB",
        " => [builder 3/4] COPY index.html .",
        " => [builder 4/4] RUN mkdir dist && cp index.html dist/index.html",
        " => [stage-1 1/2] FROM docker.io/library/nginx:alpine",
        " => [stage-1 2/2] COPY --from=builder /app/dist /usr/share/nginx/html",
        " => exporting to image",
        " => => exporting layers",
        " => => writing image sha256:<id>",
        " => => naming to docker.io/library/my-app:latest",
    ]
    # Every row's time ends at the window's right edge, as BuildKit aligns it.
    assert all(len(r.rstrip()) == WIDTH - 1 and re.search(r" \d+\.\ds$", r) for r in rows)
    # Finished steps are drawn in BuildKit's blue; then emu's summary follows.
    assert _colour_at(coloured, " => [builder 4/4] RUN mkdir dist") == "34"
    assert "Final image: 62.9MB" in text and "Successfully tagged my-app:latest" in text


def test_a_failed_build_in_the_live_view(tmux: list[str], tmp_path: Path) -> None:
    ctx = tmp_path / "broken"
    shutil.copytree(DEMO, ctx)
    dockerfile = ctx / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("cp index.html", "cp index.htm"))
    text, coloured = screen(tmux, tmp_path, ctx)
    assert "EXIT=1" in text, text
    head = next(line for line in text.splitlines() if line.startswith("[+] Building"))
    assert "FINISHED" not in head  # BuildKit says FINISHED only when every step is done
    assert re.search(r" => ERROR \[builder 4/4\] RUN mkdir dist && cp index\.htm", text)
    assert _colour_at(coloured, " => ERROR [builder 4/4]") == "31"  # in red
    block = text[text.index("------\n > [builder 4/4]") :]
    assert "cp: can't stat 'index.htm': No such file or directory" in block
    assert "Dockerfile:14:1: error: process" in text
