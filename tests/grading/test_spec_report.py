"""Reports: CST-compatible JSON, JUnit XML that real JUnit parsers accept, Gradescope JSON."""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emu.grading import Report, TestResult, to_json, to_junit
from emu.grading.grade import GRADED, Grade, gradescope
from emu.grading.report import Rendered, json_text, xml_text


def _report() -> Report:
    return Report(
        spec="specs/demo.yaml",
        subject="examples/demo",
        results=[
            TestResult("page exists", "fileExistence", "pass", weight=2, observed="-rw-r--r--"),
            TestResult(
                "content",
                "fileContent",
                "fail",
                ["Expected contents 'x' not found"],
                weight=1.5,
                observed="<html>\x00\x1b[31m",
            ),
            TestResult(
                "runs",
                "command",
                "error",
                ["node: not emulated"],
                stdout="out\x07",
                stderr='err <&> "q"',
            ),
            TestResult("License Test", "license", "skip", ["not supported"]),
            TestResult("Metadata Test", "metadata", "pass"),
            TestResult("two stages", "emu:stageCount", "pass"),
        ],
        warnings=["spec.yaml:3: licenseTests: not supported"],
        duration=0.25,
    )


def test_json_is_cst_shaped_with_emu_extras() -> None:
    doc = json.loads(to_json(_report()))
    assert (doc["Pass"], doc["Fail"], doc["Total"]) == (3, 2, 5)
    assert doc["Duration"] == 250_000_000
    names = [r["Name"] for r in doc["Results"]]
    assert names == [
        "File Existence Test: page exists",
        "File Content Test: content",
        "Command Test: runs",
        "License Test: License Test",
        "Metadata Test",
        "emu Test: two stages",
    ]
    first = doc["Results"][0]
    assert first["Pass"] is True and first["Errors"] == [] and first["score"] == 2
    assert doc["Results"][1]["Errors"] == ["Expected contents 'x' not found"]
    emu = doc["emu"]
    assert emu["score"] == 4 and emu["maxScore"] == 7.5 and emu["status"] == "failed"
    assert emu["warnings"] == ["spec.yaml:3: licenseTests: not supported"]
    again = Report.from_dict(doc)
    assert [(r.name, r.status, r.weight) for r in again.results] == [
        (r.name, r.status, r.weight) for r in _report().results
    ]


def test_junit_parses_with_the_standard_library() -> None:
    text = to_junit(_report())
    root = ET.fromstring(text.encode())
    assert root.tag == "testsuites"
    assert root.attrib["tests"] == "6" and root.attrib["failures"] == "1"
    assert root.attrib["errors"] == "1" and "skipped" not in root.attrib
    suite = root.find("testsuite")
    assert suite is not None and suite.attrib["name"] == "specs/demo.yaml :: examples/demo"
    assert suite.attrib["skipped"] == "1"
    cases = suite.findall("testcase")
    assert [c.attrib["classname"] for c in cases][:3] == [
        "emu.fileExistence",
        "emu.fileContent",
        "emu.command",
    ]
    assert cases[1].find("failure") is not None and cases[2].find("error") is not None
    assert cases[3].find("skipped") is not None
    assert cases[2].findtext("system-err") == 'err <&> "q"'
    # Control characters XML 1.0 forbids are replaced, never written.
    assert "\x00" not in text and "\x1b" not in text and "\x07" not in text
    assert all(float(c.attrib["time"]) >= 0 for c in cases)


# The strict JUnit schema Jenkins' xunit plugin and GitLab validate against (junit-10.xsd):
# per element, the attributes it allows, those it requires, and the children it may hold.
_JUNIT_XSD: dict[str, tuple[set[str], set[str], set[str]]] = {
    "testsuites": ({"name", "time", "tests", "failures", "errors"}, set(), {"testsuite"}),
    "testsuite": (
        {
            "name", "tests", "failures", "errors", "group", "time", "skipped", "timestamp",
            "hostname", "id", "package", "file", "log", "url",
        },
        {"name", "tests", "failures", "errors"},
        {"testsuite", "properties", "testcase", "system-out", "system-err"},
    ),
    "properties": (set(), set(), {"property"}),
    "property": ({"name", "value"}, {"name", "value"}, set()),
    "testcase": (
        {"name", "time", "classname", "group"},
        {"name"},
        {"skipped", "error", "failure", "system-out", "system-err"},
    ),
    "failure": ({"type", "message"}, set(), set()),
    "error": ({"type", "message"}, set(), set()),
    "skipped": ({"type", "message"}, set(), set()),
    "system-out": (set(), set(), set()),
    "system-err": (set(), set(), set()),
}  # fmt: skip
_SUREFIRE_TIME = re.compile(r"(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?\Z")


def test_junit_keeps_to_the_strict_schema_jenkins_and_gitlab_use() -> None:
    """Every element and attribute emu writes is one the strict schema allows (no
    ``skipped`` on <testsuites>), every required attribute is there, times match its
    pattern; checked on a report with every status, a build error and a warning."""
    report = _report()
    report.build_error = "Dockerfile:1:1: boom"
    seen: set[str] = set()
    root = ET.fromstring(to_junit([report, _report()]).encode())
    assert root.tag == "testsuites"
    for el in root.iter():
        allowed, required, children = _JUNIT_XSD[el.tag]
        seen.add(el.tag)
        assert set(el.attrib) <= allowed, (el.tag, set(el.attrib) - allowed)
        assert required <= set(el.attrib), (el.tag, required - set(el.attrib))
        assert {c.tag for c in el} <= children, (el.tag, {c.tag for c in el} - children)
        if el.tag in ("testsuites", "testsuite") and "time" in el.attrib:
            assert _SUREFIRE_TIME.match(el.attrib["time"]), el.attrib["time"]
    assert seen == set(_JUNIT_XSD)  # every element of the table was checked


def test_junit_parses_with_junitparser() -> None:
    junitparser = pytest.importorskip("junitparser")
    from pathlib import Path
    from tempfile import TemporaryDirectory

    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.xml"
        path.write_text(to_junit([_report(), _report()]), encoding="utf-8")
        xml = junitparser.JUnitXml.fromfile(str(path))
        suites = list(xml)
        assert len(suites) == 2
        suite = suites[0]
        assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (6, 1, 1, 1)
        results = {case.name: case.result for case in suite}
        assert results["page exists"] == []
        assert isinstance(results["content"][0], junitparser.Failure)
        assert isinstance(results["runs"][0], junitparser.Error)
        assert isinstance(results["License Test"][0], junitparser.Skipped)
        assert results["content"][0].message == "Expected contents 'x' not found"


# --- to_junit writes what ElementTree would ------------------------------------------------


def _junit_by_elementtree(reports: list[Report], name: str, suite_name: str | None) -> str:
    """The JUnit document built as an ElementTree, indented by ``ET.indent`` and written by
    ``ET.tostring``: what to_junit wrote before it wrote the text itself, kept here as the
    reference it must match."""

    def sub(parent: ET.Element, tag: str, attrs: dict[str, str], text: str = "") -> ET.Element:
        el = ET.SubElement(parent, tag, attrs)
        el.text = text
        return el

    root = ET.Element("testsuites")
    for i, report in enumerate(reports):
        suite = sub(root, "testsuite", {
            "name": xml_text(suite_name or f"{report.spec} :: {report.subject}", 1000),
            "tests": str(len(report.results)),
            "failures": str(report.failed),
            "errors": str(report.errors),
            "skipped": str(report.skipped),
            "time": f"{max(report.duration, 0.0):.6f}",
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(report.timestamp)),
            "hostname": "emu",
            "id": str(i),
            "package": "emu",
        })  # fmt: skip
        props = ET.SubElement(suite, "properties")
        for key, value in (
            ("spec", report.spec),
            ("subject", report.subject),
            ("score", f"{report.score:g}"),
            ("maxScore", f"{report.max_score:g}"),
        ):
            sub(props, "property", {"name": key, "value": xml_text(value, 1000)})
        for r in report.results:
            case = sub(suite, "testcase", {
                "name": xml_text(r.name, 1000),
                "classname": "emu." + r.kind.replace(":", "."),
                "time": f"{max(r.duration, 0.0):.6f}",
            })  # fmt: skip
            first = r.messages[0] if r.messages else r.status
            body = "\n".join(r.messages) + (f"\nobserved: {r.observed}" if r.observed else "")
            if r.status in ("fail", "error"):
                tag, kind = (
                    ("failure", "AssertionError") if r.status == "fail" else ("error", "EmuError")
                )
                sub(case, tag, {"message": xml_text(first, 1000), "type": kind}, xml_text(body))
            elif r.status == "skip":
                sub(case, "skipped", {"message": xml_text(first, 1000)})
            if r.stdout:
                sub(case, "system-out", {}, xml_text(r.stdout))
            if r.stderr:
                sub(case, "system-err", {}, xml_text(r.stderr))
        lines = [f"build failed: {report.build_error}"] if report.build_error else []
        sub(suite, "system-out", {}, xml_text("\n".join(lines + report.warnings)))
    root.set("name", name)
    root.set("tests", str(sum(len(r.results) for r in reports)))
    root.set("failures", str(sum(r.failed for r in reports)))
    root.set("errors", str(sum(r.errors for r in reports)))
    root.set("time", f"{max(sum((r.duration for r in reports), 0.0), 0.0):.6f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# Text that XML escapes, forbids, or ElementTree writes differently in attributes and text
# (line ends, tabs), or that is only white space.
_xml_texts = st.text(st.sampled_from(list("ab &<>\"'\t\r\n\x00\x1b é\u2028\ud800")), max_size=8)
_results = st.builds(
    TestResult,
    name=_xml_texts,
    kind=st.sampled_from(["fileExistence", "command", "emu:stageCount", "metadata"]),
    status=st.sampled_from(["pass", "fail", "error", "skip"]),
    messages=st.lists(_xml_texts, max_size=2),
    weight=st.sampled_from([0.0, 1.0, 2.5]),
    observed=_xml_texts,
    stdout=_xml_texts,
    stderr=_xml_texts,
    duration=st.floats(-1.0, 100.0),
)
_reports = st.builds(
    Report,
    spec=_xml_texts,
    subject=_xml_texts,
    results=st.lists(_results, max_size=4),
    warnings=st.lists(_xml_texts, max_size=2),
    build_error=st.none() | _xml_texts,
    duration=st.floats(0.0, 100.0),
    timestamp=st.floats(0.0, 2e9),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_reports, max_size=3), _xml_texts, st.none() | _xml_texts)
def test_junit_is_elementtrees_indented_text(
    reports: list[Report], name: str, suite_name: str | None
) -> None:
    assert to_junit(reports, name, suite_name) == _junit_by_elementtree(reports, name, suite_name)


def test_junit_of_the_sample_report_is_elementtrees() -> None:
    report = _report()
    assert to_junit(report) == _junit_by_elementtree([report], "emu test", None)
    assert to_junit([report, report], "x", "s") == _junit_by_elementtree([report] * 2, "x", "s")
    assert to_junit([]) == _junit_by_elementtree([], "emu test", None)


def test_xml_text() -> None:
    assert xml_text("a\x00b\ud800c") == "a\ufffdb\ufffdc"

    # Every code point: kept exactly when XML 1.0's Char production allows it.
    def allowed(c: int) -> bool:
        return (
            c in (0x9, 0xA, 0xD)
            or 0x20 <= c <= 0xD7FF
            or 0xE000 <= c <= 0xFFFD
            or 0x10000 <= c <= 0x10FFFF
        )

    everything = "".join(map(chr, range(0x110000)))
    expected = "".join(ch if allowed(ord(ch)) else "\ufffd" for ch in everything)
    assert xml_text(everything, limit=0x110000) == expected
    assert xml_text("x" * 10, limit=4).startswith("xxxx\n… (6 more")


def test_gradescope_results() -> None:
    g = Grade("alice", GRADED, 3.0, 6.5, _report(), seconds=0.5)
    doc = gradescope(g)
    assert doc["score"] == 3.0 and doc["execution_time"] == 0.5
    assert doc["output"].startswith("graded: 3/6.5")
    tests = doc["tests"]
    assert tests[0] == {
        "name": "page exists",
        "number": "1",
        "score": 2.0,
        "max_score": 2.0,
        "status": "passed",
        "output": "passed",
        "output_format": "text",
        "visibility": "visible",
        "tags": ["fileExistence"],
    }
    assert tests[1]["status"] == "failed" and tests[1]["score"] == 0
    assert "observed:" in tests[1]["output"]
    assert "stdout:\nout" in tests[2]["output"]
    json.dumps(doc)  # serialisable
    assert Grade.from_dict(g.to_dict()).report is not None


# --- json_text: json.dumps(indent=2, ensure_ascii=False), written faster -----------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(st.characters(codec=None, exclude_categories=()))  # surrogates too
)
_json_like = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5) | st.integers(0, 9), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(_json_like)
def test_json_text_is_the_json_modules_indented_text(data: object) -> None:
    """The law: whatever the data (NaN, a lone surrogate, an int key the json module turns
    into a string), json_text writes what json.dumps(indent=2) would, made valid UTF-8."""
    expected = json.dumps(data, indent=2, ensure_ascii=False)
    expected = re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", expected) + "\n"
    assert json_text(data) == expected
    assert json_text(data).encode("utf-8")  # never fails to encode


@settings(max_examples=300, deadline=None)
@given(_json_like, st.integers(0, 3))
def test_a_rendered_value_is_written_as_its_value(data: object, depth: int) -> None:
    """A value rendered ahead for some depth is written as the value itself would be, where
    it falls at that depth (its text) and anywhere else (written anew), and inside a
    document the json module writes (a NaN, an int key)."""
    ahead = Rendered.of(data, depth)
    for wrap in (
        lambda v: {"a": [v]},  # depth 2
        lambda v: [v],  # depth 1
        lambda v: v,  # depth 0
        lambda v: {"n": float("nan"), "a": [v]},
        lambda v: {1: {"b": v}},  # depth 2, under an int key
    ):
        assert json_text(wrap(ahead)) == json_text(wrap(data))


def test_json_text_writes_a_report_without_the_json_modules_encoder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A report (strings, numbers, lists, string keys) takes the fast path: json.dumps, the
    slow pure-Python encoder for indented text, is never called for it."""
    data = _report().to_dict()
    expected = json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def refuse(*_a: object, **_k: object) -> str:
        raise AssertionError("json.dumps was called")

    monkeypatch.setattr(json, "dumps", refuse)
    assert json_text(data) == expected
