"""The playground's weight and its time to first build, in headless Chromium.

    python tests/benchmarks/bench_playground.py [--runs 3] [--pyodide PATH]

Writes the site (Pyodide from PATH, or from the tests' npm cache), serves it on 127.0.0.1
and opens it ``--runs`` times, each in a new browser profile (nothing cached): the time
until Python is ready, until the tutorial demo's first build is drawn, that build alone,
and a second build (go-alpine, with its single-stage twin). Prints a section for
``RESULTS.md`` (medians; what a page load fetches against what the site holds).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "playground"))

from browser import Browser, pyodide_package  # noqa: E402

from emu.cli._playground import make_server, write_site  # noqa: E402
from emu.teach.fmt import human_size  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pyodide")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="emu-bench-playground-"))
    pyodide = Path(args.pyodide) if args.pyodide else pyodide_package(work / "cache")
    if isinstance(pyodide, str):
        print(pyodide)
        return 1
    site = work / "site"
    total = write_site(site, pyodide)
    seen: list[str] = []
    server = make_server(site, 0, seen.append)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
    rows: list[dict[str, float]] = []
    for i in range(args.runs):
        seen.clear()
        browser = Browser(work / f"profile-{i}")
        try:
            t0 = time.monotonic()
            browser.goto(url)
            browser.wait_for("document.body?.dataset.state === 'built'", 300)
            wall = time.monotonic() - t0
            timings = browser.evaluate("window.emu.timings")
            browser.evaluate(
                "(() => { const s = document.getElementById('preset'); s.value = 'go-alpine';"
                " s.dispatchEvent(new Event('change'));"
                " document.getElementById('build').click(); })()"
            )
            browser.wait_for(
                "window.emu.builds === 2 && document.body.dataset.state === 'built'", 120
            )
            second = browser.evaluate("window.emu.last.ms")
        finally:
            browser.close()
        fetched = sum((site / p.split("?")[0].lstrip("/")).stat().st_size for p in set(seen)
                      if (site / p.split("?")[0].lstrip("/")).is_file())  # fmt: skip
        rows.append(
            {
                "ready": timings["ready"] / 1000,
                "first": timings["firstBuild"] / 1000,
                "build": timings["firstBuildMs"] / 1000,
                "second": second / 1000,
                "wall": wall,
                "fetched": fetched,
            }
        )
    server.shutdown()

    def med(key: str) -> float:
        return statistics.median(r[key] for r in rows)

    parts = {
        "Pyodide": sum(f.stat().st_size for f in (site / "pyodide").iterdir()),
        "wheels (emu, rich)": sum(f.stat().st_size for f in (site / "wheels").iterdir()),
        "page (HTML, CSS, JS, presets, manifest)": sum(
            f.stat().st_size for f in site.iterdir() if f.is_file()
        ),
        "served on first read only (package universes)": sum(
            f.stat().st_size for f in (site / "lazy").rglob("*") if f.is_file()
        ),
    }
    print(f"## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} — the playground in Chromium")
    print()
    print(
        f"`emu playground --write` with {pyodide.name}, headless Chromium "
        f"(Debian), a new profile each run (nothing cached), the site on 127.0.0.1; "
        f"Python {platform.python_version()} wrote it, on {platform.machine()}, "
        f"medians of {len(rows)} runs (`python tests/benchmarks/bench_playground.py`)."
    )
    print()
    print("| what | size |")
    print("| --- | --- |")
    for name, size in parts.items():
        print(f"| {name} | {human_size(size)} |")
    print(f"| the site in all | {human_size(total)} |")
    print(f"| fetched by a page load and two builds | {human_size(med('fetched'))} |")
    print()
    print("| time | seconds |")
    print("| --- | --- |")
    for label, key in [
        ("page opened → Python ready (Pyodide started, wheels unpacked)", "ready"),
        ("page opened → the demo's first build drawn (time to first build)", "first"),
        ("that first build alone (modules compiled on first import)", "build"),
        ("a second build: go-alpine and its single-stage twin", "second"),
    ]:
        print(f"| {label} | {med(key):.2f} |")
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
