"""Build benchmarks (not tests): run by hand, figures go in the README.

    python tests/benchmarks/bench_build.py

- the tutorial's demo built in-process (builds per second);
- ``FROM node:18`` plus a small COPY (must cost the same as FROM busybox: copy-on-write);
- a 100,000-file context with a 50-pattern .dockerignore, walked and copied with COPY . .
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from emu.dockerfile.instructions import load
from emu.engine.builder import build
from emu.engine.context import from_directory, from_mapping

ROOT = Path(__file__).resolve().parents[2]


def median(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_demo() -> None:
    demo = ROOT / "examples" / "multistage-demo"
    df = load((demo / "Dockerfile").read_text())
    ctx = from_directory(demo)
    try:
        build(df, ctx)
    except Exception as exc:  # RUN needs the shell; report instead of failing
        print(f"demo: not buildable here ({type(exc).__name__}: {str(exc)[:80]})")
        return
    n = 200
    t = median(lambda: [build(df, ctx) for _ in range(n)], runs=3) / n
    print(f"demo: {t * 1000:.2f} ms per build, {1 / t:.0f} builds/s (in-process, context reused)")


def bench_base(base: str) -> float:
    df = load(f"FROM {base}\nCOPY app.txt /app/\nENV A=1\n")
    ctx = from_mapping({"app.txt": "x" * 1000})
    build(df, ctx)  # warm the catalog cache (the skeleton is built once per process)
    return median(lambda: build(df, ctx), runs=20)


def bench_context() -> None:
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        dirs = ["src", "node_modules", "dist", "docs", "test", "build", "lib", "assets"]
        for i in range(100_000):
            d = root / rng.choice(dirs) / f"d{i % 50}"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"f{i}.{rng.choice(['js', 'md', 'log', 'py'])}").write_bytes(b"x" * 10)
        patterns = [f"**/*.tmp{i}" for i in range(40)] + [
            "node_modules", "**/*.log", "*.md", "!README.md", ".git", "dist", "build/**",
            "docs/**/*.md", "!docs/keep.md", "test/fixtures",
        ]  # fmt: skip
        (root / ".dockerignore").write_text("\n".join(patterns) + "\n")
        df = load("FROM scratch\nCOPY . /app\n")

        def once() -> int:
            ctx = from_directory(root)
            return len(build(df, ctx).image.rootfs.root.entries)

        t_walk = median(lambda: from_directory(root), runs=3)
        t_total = median(once, runs=3)
        print(f"100,000-file context, {len(patterns)} patterns: walk {t_walk:.2f} s, "
              f"walk + COPY . . {t_total:.2f} s")  # fmt: skip


def main() -> None:
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}")
    bench_demo()
    for base in ("scratch", "busybox", "node:18"):
        try:
            t = bench_base(base)
        except Exception as exc:
            print(f"FROM {base}: unavailable ({exc})")
            continue
        print(f"FROM {base} + COPY: {t * 1000:.2f} ms per build")
    bench_context()


if __name__ == "__main__":
    main()
