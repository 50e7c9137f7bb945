"""The tutorial's seven steps with emu in place of docker, as Markdown, from real output.

    python tests/support/walkthrough.py            # print the walkthrough
    python tests/support/walkthrough.py --write    # put it in README.md between the markers

README.md holds it between ``<!-- tutorial:begin -->`` and ``<!-- tutorial:end -->``;
``tests/cli/test_cli_teach_walkthrough.py`` regenerates it and fails when the README drifts.
Every command runs for real (the server of step 6 too, on a free port). Only what changes
from run to run is normalised: ages read "Less than a second ago", a container ID reads
``<container id>`` (``<container>`` in ``emu ps``), the published port reads 8080, and
BuildKit's times read 0.0s (``DONE 0.0s``, a RUN's output lines ``0.000``); image IDs, which
carry the build's time, are made at a fixed SOURCE_DATE_EPOCH. The cache lesson
and the failed build work on copies of the demo in a scratch folder, shown as ``my-demo``.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import socket
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BEGIN = "<!-- tutorial:begin -->"
END = "<!-- tutorial:end -->"
DEMO = "examples/multistage-demo"


@contextlib.contextmanager
def _environment(home: str) -> Iterator[None]:
    names = ("EMU_HOME", "NO_COLOR", "COLUMNS", "TERM", "SOURCE_DATE_EPOCH")
    saved = {k: os.environ.get(k) for k in names}
    cwd = os.getcwd()
    # Image IDs carry the build's time (the config's `created`), so the session is built
    # at the playground's fixed time, as a reproducible build would be: the IDs are its.
    from emu.cli._browser import TUTORIAL_EPOCH

    os.environ.update(
        EMU_HOME=home,
        NO_COLOR="1",
        COLUMNS="80",
        TERM="dumb",
        SOURCE_DATE_EPOCH=str(TUTORIAL_EPOCH),
    )
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(cwd)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _emu(*argv: str, code: int = 0) -> str:
    """Run ``emu ARGV`` in this process; its stdout then its stderr, as a terminal shows."""
    from emu.cli import _console, main

    _console.reset()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        got = main(list(argv))
    _console.reset()
    if got != code:
        raise RuntimeError(f"emu {' '.join(argv)} exited {got}:\n{err.getvalue()}")
    return out.getvalue() + err.getvalue()


def _normalise(text: str, port: int) -> str:
    text = re.sub(r"(?<!sha256:)\b[0-9a-f]{64}\b", "<container id>", text)
    text = re.sub(r"^[0-9a-f]{12}(?=   my-app   Up)", "<container> ", text, flags=re.M)
    ages = r"(Less than a second|\d+ seconds|About a minute|\d+ minutes) ago"
    text = re.sub(ages, "Less than a second ago", text)
    text = re.sub(
        r"Up (Less than a second|\d+ seconds|About a minute)", "Up Less than a second", text
    )
    text = re.sub(r"^(#\d+ )\d+\.\d+ ", r"\g<1>0.000 ", text, flags=re.M)
    # ... and so do those the error block repeats (``------ > [step]:`` then ``0.001 …``)
    text = re.sub(r"^\d+\.\d{3} ", "0.000 ", text, flags=re.M)
    text = re.sub(r"^(#\d+ DONE )\d+\.\d+s$", r"\g<1>0.0s", text, flags=re.M)
    return text.replace(f"127.0.0.1:{port}", "127.0.0.1:8080")


def _free_port() -> int:
    """8080 as the tutorial has it, or the next free four-digit port (columns stay aligned)."""
    for port in range(8080, 9000):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8080-8999")


def _block(command: str, output: str) -> str:
    lines = [f"$ {command}", *output.rstrip("\n").splitlines()] if output else [f"$ {command}"]
    return "\n".join("    " + line if line else "" for line in lines) + "\n"


def generate() -> str:
    """The walkthrough's Markdown (with its markers)."""
    parts: list[str] = [BEGIN, ""]

    def step(title: str, text: str) -> None:
        parts.extend([f"**{title}** {text}", ""])

    def show(*argv: str, port: int = 0, shown: str | None = None, code: int = 0) -> str:
        output = _emu(*argv, code=code)
        parts.append(_block(shown or "emu " + " ".join(argv), _normalise(output, port)))
        return output

    with tempfile.TemporaryDirectory() as home, _environment(home):
        step(
            "Step 1 — the project folder.",
            f"`{DEMO}` holds the tutorial's three files; `emu ignore` lists what the folder "
            "sends to a build:",
        )
        show("ignore", DEMO)
        step(
            "Step 2 — index.html",
            "is the tutorial's page, verbatim. **Step 3 — the multi-stage Dockerfile** is "
            "too; `emu check` with the folder runs BuildKit's checks, the build-aware ones and "
            "emu's multi-stage lessons:",
        )
        show("check", DEMO)
        step("Step 4 — .dockerignore", "keeps the context lean; emu says which line decides:")
        show("ignore", DEMO, "--explain")
        step(
            "Step 5 — build it.",
            "`--progress plain` prints what `docker build --progress=plain` prints today "
            "(BuildKit's steps, numbered as it numbers them, each `DONE` or `CACHED`); then "
            "emu says what each stage became, what crossed between them, and what the sizes "
            "mean:",
        )
        show("build", "--progress", "plain", "-t", "my-app", DEMO)
        parts.append(
            "On a terminal, `emu build` draws BuildKit's live view instead "
            "(`[+] Building 0.3s (12/12) FINISHED`). The tutorial's own log, the legacy "
            "builder's `Step 1/7 : …`, is `--progress classic` (and what `--builder legacy` "
            "prints); `--no-cache` runs every step again rather than taking it from the layer "
            "cache the first build filled:\n"
        )
        show("build", "--progress", "classic", "--no-cache", "-t", "my-app", DEMO)
        show("images", "my-app")
        step(
            "Step 6 — run it.",
            "emu runs no programs, but for an nginx image it serves the document root its "
            "nginx config names, from the image's own files, on 127.0.0.1:",
        )
        port = _free_port()
        show(
            "run", "-d", "-p", f"{port}:80", "--name", "my-running-app", "my-app", port=port,
            shown="emu run -d -p 8080:80 --name my-running-app my-app",
        )  # fmt: skip
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
            page = r.read().decode("utf-8")
        heading = next(line.strip() for line in page.splitlines() if "<h1>" in line)
        parts.append(_block("curl -s http://localhost:8080 | grep '<h1>'", heading))
        show("ps", port=port)
        show("stop", "my-running-app")
        show("rm", "my-running-app")
        step(
            "Step 7 — verify the size savings.",
            "`docker images` shows uncompressed sizes; the tutorial's ~25 MB is the "
            "compressed download. What shipped, and where it came from:",
        )
        show("history", "my-app")
        show("explain", "my-app", "/usr/share/nginx/html/index.html")
        step(
            "The layer cache.",
            "Edit one file and build again: BuildKit keys each step by its instruction, the "
            "step before it and the content of what it reads, so only what the edit reaches "
            "runs again — and emu says where the cache broke and why:",
        )
        scratch = Path(home) / "work"
        demo = scratch / "my-demo"
        shutil.copytree(ROOT / DEMO, demo)
        os.chdir(scratch)
        # Built once (silently) as my-demo: its steps are the demo's, so all are cached.
        _emu("build", "--progress", "quiet", "-t", "my-demo", "my-demo")
        (demo / "index.html").write_text(
            (demo / "index.html").read_text().replace("Hello from Docker!", "Hello, cache!")
        )
        parts.append(_block("sed -i 's/Hello from Docker!/Hello, cache!/' my-demo/index.html", ""))
        show("build", "--progress", "plain", "-t", "my-demo", "my-demo")
        step(
            "A failed build",
            "shows every step up to the failure, the failing step's whole output and "
            "BuildKit's error block, then where in the Dockerfile it stopped (`--report "
            "FILE` writes the same as a page):",
        )
        dockerfile = demo / "Dockerfile"
        dockerfile.write_text(
            dockerfile.read_text().replace("cp index.html dist/", "cp index.htm dist/")
        )
        parts.append(
            _block("sed -i 's/cp index.html dist/cp index.htm dist/' my-demo/Dockerfile", "")
        )
        show("build", "--progress", "plain", "my-demo", code=1)
        os.chdir(ROOT)
        parts.append(
            "The builder stage is not an image, as the tutorial says, but emu kept the build: "
            "`emu ls --stage builder my-app /app`, `emu diff --stages my-app builder stage-1` "
            "and `emu report my-app --html report.html` look into it.\n"
        )
    parts.append(END)
    return "\n".join(parts) + "\n"


def current(readme: str) -> str | None:
    """The walkthrough block in ``readme`` (markers included), or None."""
    start = readme.find(BEGIN)
    end = readme.find(END)
    if start < 0 or end < start:
        return None
    return readme[start : end + len(END)] + "\n"


def main() -> int:
    text = generate()
    if "--write" not in sys.argv[1:]:
        sys.stdout.write(text)
        return 0
    readme = ROOT / "README.md"
    body = readme.read_text()
    block = current(body)
    if block is None:
        sys.stderr.write(f"README.md has no {BEGIN} … {END} block: add the markers first\n")
        return 1
    readme.write_text(body.replace(block, text))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
