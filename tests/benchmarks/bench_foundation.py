"""Micro-benchmarks of the pure cores (not a test: run it by hand, figures go in the README).

    python tests/benchmarks/bench_foundation.py

Prints the median of several runs for: parsing + typed conversion of a generated
10,000-instruction Dockerfile, expanding 100,000 words, and matching 100,000 context
paths against a 50-pattern .dockerignore.
"""

from __future__ import annotations

import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from emu.dockerfile.instructions import load
from emu.dockerfile.parser import parse


def median_seconds(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def generated_dockerfile(n: int) -> str:
    rng = random.Random(7)
    lines = ["# syntax=docker/dockerfile:1", "ARG BASE=alpine:3.19"]
    i = 0
    while i < n:
        if i % 500 == 0:
            lines.append(f"FROM ${{BASE}} AS stage{i // 500}")
        kind = rng.randrange(7)
        if kind == 0:
            lines.append(f"RUN apk add --no-cache pkg{i} \\\n    && echo built {i} > /tmp/{i}")
        elif kind == 1:
            lines.append(f"COPY --chown=1000:1000 src/{i}/ /app/{i}/")
        elif kind == 2:
            lines.append(f'ENV VAR{i}="value {i}" OTHER{i}=${{VAR{i}:-x}}')
        elif kind == 3:
            lines.append(f'LABEL org.example.n{i}="{i}"')
        elif kind == 4:
            lines.append(f'CMD ["/bin/app", "--n", "{i}"]')
        elif kind == 5:
            lines.append(f"WORKDIR /w/{i}")
        else:
            lines.append(f"COPY --from=stage0 /app/{i} /srv/{i}")
        i += 1
    return "\n".join(lines) + "\n"


def main() -> None:
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    text = generated_dockerfile(10_000)
    n_nodes = len(parse(text).nodes)
    t_parse = median_seconds(lambda: parse(text))
    t_load = median_seconds(lambda: load(text))
    print(f"parse: {n_nodes} instructions in {t_parse * 1000:.1f} ms")
    print(f"parse + typed conversion: {t_load * 1000:.1f} ms")

    from emu.words import process_word

    env = {"DIR": "src", "NAME": "main"}
    words = [f"/app/$DIR/${{NAME:-x}}{i}.txt" for i in range(100_000)]
    t_words = median_seconds(lambda: [process_word(w, env) for w in words], runs=3)
    print(f"expand 100,000 words: {t_words * 1000:.0f} ms")

    try:
        from emu.ignore import IgnoreMatcher, read_ignore_file
    except ImportError:
        print("ignore: module not available")
        return
    rng = random.Random(11)
    dirs = ["src", "node_modules", "dist", "docs", "test", ".git", "build", "lib"]
    paths = [
        "/".join(rng.choice(dirs) for _ in range(rng.randrange(1, 5)))
        + f"/f{i}.{rng.choice(['py', 'md', 'js', 'log'])}"
        for i in range(100_000)
    ]
    patterns = [f"**/*.tmp{i}" for i in range(40)] + [
        "node_modules", "**/*.log", "*.md", "!README.md", ".git", "dist", "build/**",
        "docs/**/*.md", "!docs/keep.md", "test/fixtures",
    ]  # fmt: skip
    matcher = IgnoreMatcher(read_ignore_file("\n".join(patterns)))
    t_ignore = median_seconds(lambda: [matcher.excluded(p) for p in paths], runs=3)
    print(f"ignore: 100,000 paths x {len(patterns)} patterns: {t_ignore * 1000:.0f} ms")


if __name__ == "__main__":
    main()
