"""Grading: the sample class of specs/samples/multistage (good, bad and malicious) with the
rubric, the tables and Gradescope files, and the speed of a large class."""

from __future__ import annotations

import csv
import json
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from emu.grading import grade as grading
from emu.grading import load_spec
from emu.grading.report import json_text

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "specs" / "samples" / "multistage"
RUBRIC = ROOT / "specs" / "rubric-multistage.yaml"

# submission: (score out of 20, status, what the message must say)
EXPECTED = {
    "01-reference": (20, "graded", ""),
    "02-variant-good": (20, "graded", ""),
    "03-single-stage": (16, "graded", ""),
    "04-ships-workspace": (17, "graded", ""),
    "05-wrong-path": (16, "graded", ""),
    "06-build-fails": (6, "build failed", "cp: can't stat 'index.htm'"),
    "07-parse-error": (1, "build failed", "unknown instruction: FORM"),
    "08-no-dockerfile": (0, "build failed", "no Dockerfile in the submission"),
    "09-lint-warnings": (19, "graded", ""),
    "10-path-escape": (6, "build failed", "not found"),
    # Its archive names ../../tmp/…: current BuildKit refuses it (Docker 20.10 clamped it).
    "11-tar-slip": (6, "build failed", "is outside extraction root"),
    "12-endless-loop": (6, "limit exceeded", "limit exceeded: max_steps"),
    "13-million-files": (6, "limit exceeded", "limit exceeded: max_files"),
    "14-ten-gb-file": (6, "limit exceeded", "limit exceeded: max_"),
    "15-recursion-bomb": (6, "limit exceeded", "limit exceeded: max_depth"),
    "16-network": (6, "build failed", "emu never opens the network"),
    "17-dockerfile-symlink": (0, "rejected", "is a symbolic link"),
    "18-ignore-symlink": (0, "rejected", "is a symbolic link"),
    "19-output-flood": (6, "limit exceeded", "limit exceeded: max_output"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[grading.Grade], Path, float]:
    spec = load_spec(RUBRIC)
    subs, notes = grading.discover(SAMPLES)
    assert notes == []
    out = tmp_path_factory.mktemp("grades")
    started = time.monotonic()
    # The workers write each submission's Gradescope file as they grade it, as `emu grade`
    # has them do; write_outputs keeps those and writes the tables.
    files = grading.GradescopeFiles(out, [s.name for s in subs])
    grades = grading.grade(spec, subs, jobs=2, gradescope_files=files)
    assert sorted(files.written) == sorted(EXPECTED)
    seconds = time.monotonic() - started
    grading.write_outputs(grades, spec, out, seconds=seconds, gradescope_files=files)
    return grades, out, seconds


@pytest.mark.slow
def test_sample_class_scores(graded: tuple[list[grading.Grade], Path, float]) -> None:
    grades, _, seconds = graded
    got = {g.name: (g.score, g.status) for g in grades}
    assert got == {k: (v[0], v[1]) for k, v in EXPECTED.items()}, [g.violations for g in grades]
    for g in grades:
        assert EXPECTED[g.name][2] in g.message, (g.name, g.message)
        assert g.violations == [], (g.name, g.violations)
        assert g.max_score == 20
    assert seconds < 60  # seconds in practice; generous for slow CI machines


@pytest.mark.slow
def test_no_submission_escapes(graded: tuple[list[grading.Grade], Path, float]) -> None:
    for marker in ("emu-tar-slip-dotdot", "emu-tar-slip-absolute", "emu-tar-slip-through-link"):
        assert not Path("/tmp", marker).exists()
    grades, _, _ = graded
    for g in grades:
        assert g.report is None or all("root:x:0:0" not in r.observed for r in g.report.results)


@pytest.mark.slow
def test_tables(graded: tuple[list[grading.Grade], Path, float]) -> None:
    _, out, _ = graded
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert [r["submission"] for r in rows] == sorted(EXPECTED)
    assert rows[2]["score"] == "16" and rows[2]["max_score"] == "20"
    assert "at least two stages" in rows[2]["failed_tests"]
    doc = json.loads((out / "grades.json").read_text())
    assert doc["maxScore"] == 20 and doc["summary"]["submissions"] == len(EXPECTED)
    assert doc["submissions"][0]["report"]["emu"]["score"] == 20
    ET.parse(out / "junit.xml")
    gs = json.loads((out / "gradescope" / "05-wrong-path" / "results.json").read_text())
    assert gs["score"] == 16 and len(gs["tests"]) == 14
    assert sum(t["max_score"] for t in gs["tests"]) == 20


@pytest.mark.slow
def test_the_workers_gradescope_files_are_the_grades_the_parent_got(
    graded: tuple[list[grading.Grade], Path, float],
) -> None:
    """Each file a worker wrote says what the parent would have written from the grade it
    received."""
    grades, out, _ = graded
    for g in grades:
        path = out / "gradescope" / g.name / "results.json"
        assert json.loads(path.read_text()) == json.loads(json_text(grading.gradescope(g)))


def test_single_submission_for_gradescope(tmp_path: Path) -> None:
    spec = load_spec(RUBRIC)
    sub = grading.Submission("submission", str(SAMPLES / "09-lint-warnings"))
    grades = grading.grade(spec, [sub], jobs=-1)
    written = grading.write_outputs(grades, spec, tmp_path, single=True)
    assert tmp_path / "results.json" in written
    doc = json.loads((tmp_path / "results.json").read_text())
    assert doc["score"] == 19
    failed = [t for t in doc["tests"] if t["status"] == "failed"]
    assert [t["name"] for t in failed] == ["no build check fires"]
    assert "StageNameCasing" in failed[0]["output"]
    assert not (tmp_path / "gradescope").exists()


def test_discover_skips_files_and_hidden_folders_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "alice").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "notes.txt").write_text("x")
    subs, notes = grading.discover(tmp_path)
    assert [s.name for s in subs] == ["alice"]
    # A hidden folder may be a student's submission: not graded, but never without a word.
    assert notes == [
        ".git: a hidden folder (its name starts with '.'), not graded",
        "notes.txt: not a folder, skipped",
    ]


@pytest.mark.slow
def test_a_class_of_a_hundred_grades_in_seconds(tmp_path: Path) -> None:
    variants = [
        "01-reference",
        "03-single-stage",
        "05-wrong-path",
        "06-build-fails",
        "09-lint-warnings",
    ]
    for i in range(100):
        shutil.copytree(
            SAMPLES / variants[i % len(variants)], tmp_path / f"s{i:03d}", symlinks=True
        )
    spec = load_spec(RUBRIC)
    subs, _ = grading.discover(tmp_path)
    progress: list[int] = []
    started = time.monotonic()
    grades = grading.grade(spec, subs, jobs=2, on_result=lambda g, d, t: progress.append(d))
    assert time.monotonic() - started < 30
    assert progress == list(range(1, 101))
    assert [g.score for g in grades[:5]] == [20, 16, 16, 6, 19]


def test_a_readied_worker_loads_neither_yaml_nor_rich(tmp_path: Path) -> None:
    """A worker receives the spec already read (pickled by the parent): readying it (every
    program, the warm-up build) loads no YAML parser and no terminal library, whose imports
    every worker would pay at start."""
    import pickle
    import subprocess
    import sys

    spec_file = tmp_path / "spec.pickle"
    spec_file.write_bytes(pickle.dumps(load_spec(RUBRIC)))
    probe = (
        "import pickle, sys\n"
        f"spec = pickle.loads(open({str(spec_file)!r}, 'rb').read())\n"
        "from emu.grading.grade import prepare_worker\n"
        "prepare_worker(spec)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('yaml', 'rich')))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert proc.stdout.strip() == "[]", proc.stdout
