"""``emu test`` and ``emu grade`` through the parsers emu.cli._grading adds."""

from __future__ import annotations

import json
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from emu.cli._grading import add_parsers, run_grade, run_test
from emu.errors import EmuError

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "multistage-demo"
SAMPLES = ROOT / "specs" / "samples" / "multistage"


def emu(*argv: str) -> int:
    """What ``emu test|grade ARGS`` does once wired into emu.cli (same parser class)."""
    from emu.cli import _Parser

    parser = _Parser(prog="emu")
    add_parsers(parser.add_subparsers(dest="command", parser_class=_Parser))
    args = parser.parse_args(list(argv))
    return run_test(args) if args.command == "test" else run_grade(args)


def test_test_passes_on_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert emu("test", "--config", str(ROOT / "specs" / "multistage-demo.yaml"), str(DEMO)) == 0
    out = capsys.readouterr().out
    assert "PASS  the page is the tutorial's page" in out
    assert "4 passed, 0 failed" in out


def test_test_fails_and_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    rc = emu(
        "test", "-c", str(ROOT / "specs" / "rubric-multistage.yaml"), str(SAMPLES / "05-wrong-path")
    )
    assert rc == 1
    out = capsys.readouterr().out
    assert "FAIL  the page is copied from the builder stage  [0/2]" in out
    assert "found: COPY --from=builder /app/dist /var/www/html" in out
    assert "score 16/20" in out


def test_test_json_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    rc = emu(
        "test", "-c", str(ROOT / "specs" / "multistage-demo.yaml"), str(DEMO), "--output", "json"
    )
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["Pass"] == 4 and doc["emu"]["subject"] == str(DEMO)


def test_test_junit_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "junit.xml"
    rc = emu(
        "test",
        "-c",
        str(ROOT / "specs" / "rubric-multistage.yaml"),
        "-c",
        str(ROOT / "specs" / "multistage-demo.yaml"),
        str(DEMO),
        "--output",
        "junit",
        str(report),
    )
    assert rc == 0
    root = ET.parse(report).getroot()
    assert len(root.findall("testsuite")) == 2 and root.attrib["failures"] == "0"
    assert "PASS" in capsys.readouterr().out  # the text report is printed too


def test_test_cst_style_test_report_flag(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    emu(
        "test",
        "-c",
        str(ROOT / "specs" / "multistage-demo.yaml"),
        str(DEMO),
        "-q",
        "--output",
        "json",
        "--test-report",
        str(report),
    )
    assert json.loads(report.read_text())["Total"] == 4


def test_test_target_and_build_args(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "ARG MSG=default\nFROM busybox AS one\nARG MSG\nRUN echo $MSG > /msg\nFROM scratch AS two\n"
    )
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "schemaVersion: 2.0.0\nfileContentTests:\n"
        "  - {name: m, path: /msg, expectedContents: ['^hello\\n$']}\n"
    )
    assert emu("test", "-c", str(spec), str(tmp_path), "-q") == 1
    assert emu("test", "-c", str(spec), str(tmp_path), "--target", "one", "-q") == 1
    assert (
        emu(
            "test",
            "-c",
            str(spec),
            str(tmp_path),
            "--target",
            "one",
            "--build-arg",
            "MSG=hello",
            "-q",
        )
        == 0
    )
    assert (
        emu(
            "test",
            "-c",
            str(spec),
            str(tmp_path),
            "--target",
            "one",
            "--build-arg",
            "MSG=hello",
            "--sandbox",
            "-q",
        )
        == 0
    )


def test_test_against_an_image_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text("schemaVersion: 2.0.0\nmetadataTest: {cmd: [sh]}\n")
    assert emu("test", "-c", str(spec), "busybox:1.36") == 0


@pytest.mark.slow
def test_csts_command_line_runs_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``emu test --image IMAGE --config FILE [--config FILE] [--output …] [--test-report F]``
    with IMAGE a stored tag, a docker save archive, an OCI layout or a context to build."""
    from emu import store
    from emu.outputs import write_docker_archive, write_oci_archive
    from emu.testing import build

    monkeypatch.setenv("EMU_HOME", str(tmp_path / "home"))
    cst = str(ROOT / "specs" / "multistage-demo.yaml")
    image = build(DEMO).image
    store.save("demo:cst", image)
    archive = tmp_path / "demo.tar"
    with archive.open("wb") as f:
        write_docker_archive(image, f, tags=["demo:cst"])
    oci = tmp_path / "demo-oci.tar"
    with oci.open("wb") as f:
        write_oci_archive(image, f, tags=["demo:cst"])
    layout = tmp_path / "layout"
    with tarfile.open(oci) as tar:
        tar.extractall(layout, filter="data")
    for target in ("demo:cst", str(archive), str(DEMO), str(layout)):
        assert emu("test", "--image", target, "--config", cst, "--config", cst) == 0, target
    assert emu("test", "--image-from-oci-layout", str(layout), "-c", cst) == 0
    report = tmp_path / "r.json"
    # CST's no-op flags are accepted; --test-report alone writes CST's JSON.
    argv = ["test", "-i", "demo:cst", "-c", cst, "--test-report", str(report), "--pull"]
    assert emu(*argv, "--driver", "tar", "--no-color", "--save", "--platform", "linux/amd64") == 0
    assert json.loads(report.read_text())["Pass"] == 4
    junit = tmp_path / "r.xml"
    assert (
        emu("test", "-i", str(archive), "-c", cst, "-o", "junit", "--test-report", str(junit)) == 0
    )
    assert ET.parse(junit).getroot().attrib["tests"] == "4"
    argv = ["test", "-i", str(archive), "-c", cst, "--junit-suite-name", "suite-a"]
    assert emu(*argv, "-o", "junit", "--test-report", str(junit)) == 0
    assert [s.attrib["name"] for s in ET.parse(junit).getroot()] == ["suite-a"]
    with pytest.raises(EmuError, match="use --output junit"):
        emu(*argv)  # as CST: the suite name is for junit output only
    with pytest.raises(EmuError, match="both name what to test"):
        emu("test", "--image", "demo:cst", "-c", cst, str(DEMO))
    # --strict reads the config as CST does: the emu file beside a spec is not read.
    rubric = str(ROOT / "specs" / "rubric-multistage.yaml")
    capsys.readouterr()
    assert emu("test", "--strict", "-i", "demo:cst", "-c", rubric, "-o", "json") == 0
    names = [r["name"] for r in json.loads(capsys.readouterr().out)["Results"]]
    assert "the build succeeds" not in names and "Metadata Test" in names
    assert emu("test", "-i", "demo:cst", "-c", rubric, "-o", "json") == 1  # image: no build


def test_usage_errors(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text("schemaVersion: 2.0.0\n")
    with pytest.raises(EmuError, match="nothing to test"):
        emu("test", "-c", str(spec))
    with pytest.raises(EmuError, match="expected text, json or junit"):
        emu("test", "-c", str(spec), str(DEMO), "--output", "xml")
    with pytest.raises(EmuError, match="writes to the terminal"):
        emu("test", "-c", str(spec), str(DEMO), "--output", "text", "f")
    spec.write_text("schemaVersion: 2.0.0\nfileExistenceTests: [{name: a, pth: /a}]\n")
    with pytest.raises(EmuError, match=r"unknown field") as info:
        emu("test", "-c", str(spec), str(DEMO))
    assert info.value.exit_code == 2
    spec.write_text("schemaVersion: 2.0.0\n")
    with pytest.raises(EmuError, match="not a folder of submissions"):
        emu("grade", str(tmp_path / "nope"), "--spec", str(spec))
    # An --out that cannot be a folder fails before any submission is graded.
    (tmp_path / "subs" / "a").mkdir(parents=True)
    (tmp_path / "file").write_text("")
    bad = tmp_path / "file" / "out"
    with pytest.raises(EmuError, match=f"cannot write the grades to {bad}: Not a directory"):
        emu("grade", str(tmp_path / "subs"), "--spec", str(spec), "--out", str(bad))


def test_a_grade_file_that_cannot_be_written_is_an_error_not_a_traceback(
    tmp_path: Path,
) -> None:
    from emu.grading.grade import GRADED, Grade, GradescopeFiles

    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "gradescope").write_text("")  # a file where a folder must go
    files = GradescopeFiles(tmp_path / "out", ["a"])
    with pytest.raises(EmuError, match=r"cannot write .*gradescope/a/results.json: Not a dir"):
        files.write(Grade("a", GRADED, 1.0, 1.0))


def test_grades_json_from_entries_written_ahead_is_the_same_file(tmp_path: Path) -> None:
    """Entries written as grades arrive make the same grades.json; an entry made from
    another grade than the one written (a stale one, of the same name) is not used."""
    from emu.grading import grade as grading
    from emu.grading.loader import load
    from emu.grading.report import Report, TestResult

    spec = load(ROOT / "specs" / "rubric-multistage.yaml")
    report = Report("spec", "s", [TestResult("t", "command", "fail", ["no <x>\u00e9"])])
    grades = [
        grading.Grade("a", grading.GRADED, 1.0, 20.0, report, seconds=0.25),
        grading.Grade("b \udcff", grading.BUILD_FAILED, 0.0, 20.0, message="x\ny"),
    ]
    grading.write_outputs(grades, spec, tmp_path / "plain", seconds=1.5)
    ahead = {g.name: (g, grading.grades_json_entry(g)) for g in grades}
    stale = grading.Grade("a", grading.GRADED, 9.0, 20.0)
    ahead_stale = {**ahead, "a": (stale, grading.grades_json_entry(stale))}
    for name, prepared in (("ahead", ahead), ("stale", ahead_stale)):
        grading.write_outputs(grades, spec, tmp_path / name, seconds=1.5, prepared=prepared)
        got = (tmp_path / name / "grades.json").read_bytes()
        assert got == (tmp_path / "plain" / "grades.json").read_bytes(), name


@pytest.mark.slow
def test_a_grade_file_a_worker_cannot_write_is_the_same_error(tmp_path: Path) -> None:
    """The worker that graded the submission writes its Gradescope file; when it cannot,
    the parent tries and fails with the error it would have given alone."""
    from emu.grading import grade as grading
    from emu.grading.loader import load

    spec = load(ROOT / "specs" / "rubric-multistage.yaml")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "gradescope").write_text("")  # a file where a folder must go
    sub = tmp_path / "subs" / "a"
    sub.mkdir(parents=True)
    (sub / "Dockerfile").write_text("FROM busybox\n")
    files = grading.GradescopeFiles(tmp_path / "out", ["a"])
    with pytest.raises(EmuError, match=r"cannot write .*gradescope/a/results.json: Not a dir"):
        grading.grade(spec, [grading.Submission("a", str(sub))], jobs=1, gradescope_files=files)


def test_gradescope_files_written_as_grades_arrive_are_kept_by_write_outputs(
    tmp_path: Path,
) -> None:
    """Folder names made safe collide in submission order ("a b" and "a_b"), whichever
    grade arrives first; write_outputs keeps what was written and lists it."""
    from emu.grading import grade as grading
    from emu.grading.loader import load

    spec = load(ROOT / "specs" / "rubric-multistage.yaml")
    grades = [grading.Grade(n, grading.GRADED, 1.0, 20.0) for n in ("a b", "a_b")]
    files = grading.GradescopeFiles(tmp_path, [g.name for g in grades])
    early = files.write(grades[1])  # the second submission's grade arrives first
    assert early == tmp_path / "gradescope" / "a_b_" / "results.json"
    written = grading.write_outputs(grades, spec, tmp_path, gradescope_files=files)
    ours = [p for p in written if p.parent.parent.name == "gradescope"]
    assert ours == [tmp_path / "gradescope" / "a_b" / "results.json", early]
    assert json.loads(early.read_text())["score"] == 1.0


@pytest.mark.slow
def test_grade_writes_the_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    import shutil

    for name in ("01-reference", "03-single-stage", "12-endless-loop"):
        shutil.copytree(SAMPLES / name, subs / name, symlinks=True)
    out = tmp_path / "out"
    rc = emu(
        "grade",
        str(subs),
        "--spec",
        str(ROOT / "specs" / "rubric-multistage.yaml"),
        "--jobs",
        "2",
        "--out",
        str(out),
    )
    assert rc == 0
    text = capsys.readouterr().out
    assert "01-reference" in text and "20/20" in text and "limit exceeded" in text
    assert "3 submissions in" in text
    assert sorted(p.name for p in out.iterdir()) == [
        "grades.csv",
        "grades.json",
        "gradescope",
        "junit.xml",
    ]
    assert (out / "gradescope" / "03-single-stage" / "results.json").exists()


@pytest.mark.slow
def test_grade_single_for_gradescope(tmp_path: Path) -> None:
    rc = emu(
        "grade",
        str(SAMPLES / "01-reference"),
        "--spec",
        str(ROOT / "specs" / "rubric-multistage.yaml"),
        "--single",
        "--out",
        str(tmp_path),
        "--quiet",
        "--max-seconds",
        "5",
    )
    assert rc == 0
    assert json.loads((tmp_path / "results.json").read_text())["score"] == 20


def _timeless(value: object) -> object:
    """``value`` (parsed grades.json or a Gradescope file) without wall times."""
    if isinstance(value, dict):
        return {
            k: _timeless(v)
            for k, v in value.items()
            if k not in ("seconds", "Duration", "execution_time")
        }
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


def _junit_timeless(path: Path) -> list[tuple[str, dict[str, str], str]]:
    return [
        (el.tag, {k: v for k, v in el.attrib.items() if k not in ("time", "timestamp")},
         (el.text or "").strip())
        for el in ET.parse(path).getroot().iter()
    ]  # fmt: skip


def test_shards_merged_equal_a_single_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`emu grade --shard K/N` on N machines, then `--merge`, writes what one run writes."""
    import shutil

    subs = tmp_path / "subs"
    for name in ("01-reference", "03-single-stage", "05-wrong-path", "06-build-fails",
                 "07-parse-error", "08-no-dockerfile", "09-lint-warnings"):  # fmt: skip
        shutil.copytree(SAMPLES / name, subs / name, symlinks=True)
    rubric = str(ROOT / "specs" / "rubric-multistage.yaml")

    def grade(*argv: str) -> None:
        assert emu("grade", *argv, "--spec", rubric, "--jobs", "-1", "-q") == 0

    grade(str(subs), "--out", str(tmp_path / "one"))
    shards = [tmp_path / f"shard{k}" for k in (1, 2, 3)]
    for k, out in enumerate(shards, 1):
        grade(str(subs), "--shard", f"{k}/3", "--out", str(out))
    taken = [json.loads((o / "grades.json").read_text())["submissions"] for o in shards]
    names = [[s["name"] for s in t] for t in taken]
    assert names == [
        ["01-reference", "06-build-fails", "09-lint-warnings"],
        ["03-single-stage", "07-parse-error"],
        ["05-wrong-path", "08-no-dockerfile"],
    ]  # round robin over the sorted class: disjoint, covering, balanced
    # Merged in any order of the shards' folders.
    grade("--merge", *map(str, reversed(shards)), "--out", str(tmp_path / "merged"))
    one, merged = tmp_path / "one", tmp_path / "merged"
    assert (merged / "grades.csv").read_text() == (one / "grades.csv").read_text()
    a = json.loads((one / "grades.json").read_text())
    b = json.loads((merged / "grades.json").read_text())
    assert _timeless(b) == _timeless(a) and len(a["submissions"]) == 7
    assert _junit_timeless(merged / "junit.xml") == _junit_timeless(one / "junit.xml")
    for path in sorted((one / "gradescope").rglob("results.json")):
        other = merged / path.relative_to(one)
        assert _timeless(json.loads(other.read_text())) == _timeless(json.loads(path.read_text()))
    # A missing shard, a repeated one, a bad split: said, nothing merged.
    with pytest.raises(EmuError, match=r"missing shards: 2/3"):
        grade("--merge", str(shards[0]), str(shards[2]), "--out", str(tmp_path / "x"))
    with pytest.raises(EmuError, match=r"given twice"):
        grade("--merge", str(shards[0]), str(shards[0]), "--out", str(tmp_path / "x"))
    with pytest.raises(EmuError, match=r"not a shard's result"):
        grade("--merge", str(one), "--out", str(tmp_path / "x"))
    for bad in ("0/3", "4/3", "x", "1/0"):
        with pytest.raises(EmuError, match="expected K/N"):
            grade(str(subs), "--shard", bad, "--out", str(tmp_path / "x"))
