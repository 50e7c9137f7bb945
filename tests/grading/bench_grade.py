"""Grading speed: a class of N small submissions (default 1,000), graded with the rubric.

    python tests/grading/bench_grade.py [N] [--jobs J] [--malicious]

The class cycles through the sample submissions of specs/samples/multistage (good, wrong,
failing builds; with --malicious also the runaway ones: endless loop, a million files, a
10 GB file, recursion, output flood, path escape, tar slip, links out). Prints the wall
time of grade() and of writing the tables.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from emu.grading import grade as grading  # noqa: E402
from emu.grading import load_spec  # noqa: E402

SAMPLES = ROOT / "specs" / "samples" / "multistage"
GOOD_AND_BAD = [
    "01-reference",
    "02-variant-good",
    "03-single-stage",
    "04-ships-workspace",
    "05-wrong-path",
    "06-build-fails",
    "07-parse-error",
    "09-lint-warnings",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=1000)
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--malicious", action="store_true")
    args = ap.parse_args()
    variants = sorted(p.name for p in SAMPLES.iterdir()) if args.malicious else GOOD_AND_BAD
    spec = load_spec(ROOT / "specs" / "rubric-multistage.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        for i in range(args.n):
            shutil.copytree(
                SAMPLES / variants[i % len(variants)], folder / f"student-{i:04d}", symlinks=True
            )
        subs, _ = grading.discover(folder)
        started = time.perf_counter()
        grades = grading.grade(spec, subs, jobs=args.jobs)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        grading.write_outputs(grades, spec, Path(tmp) / "out", seconds=seconds)
        writing = time.perf_counter() - started
    statuses = collections.Counter(g.status for g in grades)
    print(
        f"{len(grades)} submissions graded in {seconds:.2f} s "
        f"({len(grades) / seconds:.0f}/s, jobs={args.jobs or 'all cores'}); "
        f"tables written in {writing:.2f} s; {dict(statuses)}"
    )


if __name__ == "__main__":
    main()
