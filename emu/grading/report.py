"""Results of a spec run and their machine forms: JSON and JUnit XML.

JSON (``emu test --output json``) is container-structure-test's report — ``Pass``, ``Fail``,
``Total``, ``Duration`` (nanoseconds) and ``Results`` (each ``Name``, ``Pass``, ``Errors``,
``Stdout``, ``Stderr``, ``Duration``) — so tools reading CST's JSON read emu's, plus
lower-case keys CST does not have::

    {
      "Pass": 3, "Fail": 1, "Total": 4, "Duration": 12000000,
      "Results": [
        {"Name": "File Existence Test: the page", "Pass": true, "Errors": [],
         "Stdout": "", "Stderr": "", "Duration": 100000,
         "name": "the page", "kind": "fileExistence", "status": "pass",
         "weight": 1.0, "score": 1.0, "observed": "-rw-r--r-- 0:0 654 bytes"}
      ],
      "emu": {"schema": 1, "spec": "specs/demo.yaml", "subject": "examples/demo",
              "status": "failed", "buildError": null, "warnings": [],
              "score": 3.0, "maxScore": 4.0, "skipped": 0, "errors": 0,
              "build": {"stages": [{"name": "builder", "status": "built", "base": "alpine:3.19"}],
                        "target": "stage-1", "imageSize": 62940654, "baseSize": 62940000}}
    }

``status`` is ``pass``, ``fail`` (the subject does not meet the test), ``error`` (the test
could not be evaluated: a size-only file's content, an unemulated program) or ``skip``
(unsupported by emu). ``Pass`` counts passes; ``Fail`` counts everything else but skips.

JUnit XML (``--output junit``) is one ``<testsuites>`` with one ``<testsuite>`` per spec and
one ``<testcase>`` per test (``classname`` ``emu.<kind>``, ``<failure>``, ``<error>`` or
``<skipped>``, ``<system-out>``/``<system-err>`` for command output): the shape Jenkins'
junit plugin, GitLab's ``artifacts:reports:junit`` and GitHub test-report actions read.
Text is stripped of characters XML 1.0 forbids.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from emu.records import field, record

_HOST = "emu"  # JUnit's hostname attribute: fixed, emu never asks the network who it is
_LOG_NAMES = {
    "command": "Command Test",
    "fileExistence": "File Existence Test",
    "fileContent": "File Content Test",
    "license": "License Test",
}


@record(slots=True)
class TestResult:
    """One test's outcome."""

    name: str
    kind: str
    status: str  # "pass" | "fail" | "error" | "skip"
    messages: list[str] = field(default_factory=list)
    weight: float = 1.0
    observed: str = ""
    stdout: str = ""
    stderr: str = ""
    duration: float = 0.0  # seconds

    __test__ = False  # not a pytest class

    def fail(self, message: str, observed: str = "") -> TestResult:
        """Record why the test fails (and what was found, if given); returns the result."""
        self.status = "fail"
        self.messages.append(message)
        self.observed = observed or self.observed
        return self

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    @property
    def score(self) -> float:
        return self.weight if self.passed else 0.0

    @property
    def log_name(self) -> str:
        """CST's name for it (``File Existence Test: NAME``; the metadata test is bare)."""
        if self.kind == "metadata":
            return self.name
        prefix = _LOG_NAMES.get(self.kind)
        if prefix is None:
            return f"emu Test: {self.name}"
        return f"{prefix}: {self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "Name": self.log_name,
            "Pass": self.passed,
            "Errors": list(self.messages) if not self.passed else [],
            "Stdout": self.stdout,
            "Stderr": self.stderr,
            "Duration": int(self.duration * 1e9),
            "name": self.name,
            "kind": self.kind,
            "status": self.status,
            "weight": self.weight,
            "score": self.score,
            "observed": self.observed,
            "messages": list(self.messages),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TestResult:
        return cls(
            name=str(d["name"]),
            kind=str(d["kind"]),
            status=str(d["status"]),
            messages=[str(m) for m in d.get("messages", [])],
            weight=float(d.get("weight", 1.0)),
            observed=str(d.get("observed", "")),
            stdout=str(d.get("Stdout", "")),
            stderr=str(d.get("Stderr", "")),
            duration=float(d.get("Duration", 0)) / 1e9,
        )


@record(slots=True)
class Report:
    """A spec run against one subject."""

    spec: str
    subject: str
    results: list[TestResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    build_error: str | None = None
    build: dict[str, Any] = field(default_factory=dict)
    duration: float = 0.0
    timestamp: float = field(default_factory=time.time)

    def count(self, status: str) -> int:
        """How many results have ``status`` (pass, fail, error or skip)."""
        return sum(1 for r in self.results if r.status == status)

    @property
    def passed(self) -> int:
        return self.count("pass")

    @property
    def failed(self) -> int:
        return self.count("fail")

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def skipped(self) -> int:
        return self.count("skip")

    @property
    def ok(self) -> bool:
        """Every test that ran passed (skips do not fail a run)."""
        return self.failed == 0 and self.errors == 0

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.weight for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        return {
            "Pass": self.passed,
            "Fail": self.failed + self.errors,
            "Total": len(self.results) - self.skipped,
            "Duration": int(self.duration * 1e9),
            "Results": [r.to_dict() for r in self.results],
            "emu": {
                "schema": 1,
                "spec": self.spec,
                "subject": self.subject,
                "status": "passed" if self.ok else "failed",
                "buildError": self.build_error,
                "warnings": list(self.warnings),
                "score": self.score,
                "maxScore": self.max_score,
                "skipped": self.skipped,
                "errors": self.errors,
                "build": self.build,
            },
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Report:
        e = d.get("emu", {})
        return cls(
            spec=str(e.get("spec", "")),
            subject=str(e.get("subject", "")),
            results=[TestResult.from_dict(r) for r in d.get("Results", [])],
            warnings=[str(w) for w in e.get("warnings", [])],
            build_error=e.get("buildError"),
            build=dict(e.get("build", {})),
            duration=float(d.get("Duration", 0)) / 1e9,
        )


_SURROGATE = re.compile("[\ud800-\udfff]")


def json_text(data: object) -> str:
    """``data`` as indented JSON that is valid UTF-8 whatever it holds: text stays readable
    (no ``\\u`` escapes for é), but an undecodable byte of a name or an output (a lone
    surrogate here) is written as its ``\\uDCxx`` escape instead of failing the write.

    A :class:`Rendered` value inside ``data`` stands for its ``value``: its text is used
    where it falls at the depth it was written for, and its value is written anew
    elsewhere."""
    try:
        parts: list[str] = []
        _indented(data, "\n", parts)
        text = "".join(parts)
    except _NotPlain:
        text = json.dumps(data, indent=2, ensure_ascii=False, default=_rendered_value)
    try:
        text.encode("utf-8")  # the usual case, and much faster than the search below
    except UnicodeEncodeError:
        text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text + "\n"


class _NotPlain(Exception):
    """A value _indented leaves to the json module (a key that is not a string, a type
    json converts or refuses itself)."""


@record(frozen=True, slots=True)
class Rendered:
    """A value and its JSON text as :func:`json_text` writes it ``depth`` levels in, made
    ahead of the document it goes into (grades.json's entries, one as each grade arrives,
    rather than a thousand after the last). :meth:`of` makes one."""

    value: object
    newline: str  # the line break and indent of the lines inside it
    text: str | None  # None: the value is one the json module writes (see _NotPlain)

    @classmethod
    def of(cls, value: object, depth: int) -> Rendered:
        newline = "\n" + "  " * depth
        parts: list[str] = []
        try:
            _indented(value, newline, parts)
        except _NotPlain:
            return cls(value, newline, None)
        return cls(value, newline, "".join(parts))


def _rendered_value(o: object) -> object:
    """json.dumps's ``default``: a Rendered stands for its value."""
    if isinstance(o, Rendered):
        return o.value
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


_quote = json.encoder.encode_basestring  # C: what json.dumps(ensure_ascii=False) writes


def _indented(value: object, newline: str, out: list[str]) -> None:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, written into ``out``: the same
    text, but with json's C encoders and no generators (the json module encodes indented
    output in pure Python, and grading writes megabytes of it)."""
    text = _scalar(value)
    if text is not None:
        out.append(text)
        return
    if type(value) is Rendered:
        if value.text is None:
            raise _NotPlain
        if value.newline == newline:
            out.append(value.text)
        else:
            _indented(value.value, newline, out)
        return
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        if _is_leaf(value.values()):
            out.append(_leaf_text(value, inner, newline))
            return
        sep = "{" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            text = _scalar(item)
            if text is not None:  # most values: written here, not by another call
                out.append(f"{sep}{_quote(key)}: {text}")
            else:
                out.append(f"{sep}{_quote(key)}: ")
                _indented(item, inner, out)
            sep = "," + inner
        out.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        if _is_leaf(value):
            out.append(_leaf_text(value, inner, newline))
            return
        sep = "[" + inner
        for item in value:
            text = _scalar(item)
            if text is not None:
                out.append(sep + text)
            else:
                out.append(sep)
                _indented(item, inner, out)
            sep = "," + inner
        out.append(newline + "]")
    else:
        raise _NotPlain


# Values json's C encoder writes as json.dumps(indent=2) does, whatever the indent: scalars
# of these exact types, and empty lists and dicts ("[]", "{}").
_FLAT = frozenset({str, int, float, bool, type(None)})
_CONTAINERS = frozenset({list, tuple, dict})


def _is_leaf(values: Iterable[object]) -> bool:
    """Whether a container holds only values that need no lines of their own."""
    for v in values:
        t = type(v)
        if t not in _FLAT and (t not in _CONTAINERS or v):
            return False
    return True


_leaf_encoders: dict[str, Callable[[object], str]] = {}


def _leaf_text(value: object, inner: str, newline: str) -> str:
    """A leaf container (:func:`_is_leaf`) as indented JSON, by json's C encoder: its items
    joined by ``,`` and ``inner`` (the next line, one level in), as json.dumps(indent=2)
    writes them, keys converted as json converts them."""
    encode = _leaf_encoders.get(inner)
    if encode is None:
        encode = _leaf_encoders.setdefault(inner, _leaf_encoder("," + inner))
    text = encode(value)
    return text[0] + inner + text[1:-1] + newline + text[-1]


def _leaf_encoder(item_separator: str) -> Callable[[object], str]:
    """json.dumps(ensure_ascii=False) with ``item_separator``: json's C encoder made once
    (JSONEncoder.encode makes it anew at every call), or JSONEncoder where there is none."""
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(item_separator, ": "))
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - a Python without the _json module
        return encoder.encode
    iterencode = make(None, encoder.default, _quote, None, ": ", item_separator, False, False, True)
    return lambda value: "".join(iterencode(value, 0))


def _scalar(value: object) -> str | None:
    """A string, number, boolean or null as JSON; None for anything else."""
    if isinstance(value, str):
        return _quote(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    if type(value) is float:
        if value != value or value in (_INF, -_INF):
            raise _NotPlain  # NaN, Infinity: as json words them
        return float.__repr__(value)
    return None


_INF = float("inf")


def to_json(report: Report) -> str:
    return json_text(report.to_dict())


# --- JUnit ---------------------------------------------------------------------------------

# What XML 1.0's Char production leaves out: the C0 controls but tab, line feed and carriage
# return, the surrogates, U+FFFE and U+FFFF. Written as those few ranges rather than as the
# complement of the allowed ones, which Python's re takes 6 ms to compile at every start.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str, limit: int = 64 * 1024) -> str:
    """Text XML 1.0 accepts (forbidden characters become U+FFFD), cut to ``limit``."""
    if len(text) > limit:
        text = text[:limit] + f"\n… ({len(text) - limit} more characters)"
    return _XML_BAD.sub("\ufffd", text)


def _seconds(value: float) -> str:
    return f"{max(value, 0.0):.6f}"


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts))


def _cdata(text: str) -> str:
    """Text as ElementTree escapes it: ``&``, ``<`` and ``>``."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _attr(text: str) -> str:
    """An attribute value as ElementTree escapes it: as text, then quotes, and line ends and
    tabs as character references."""
    text = _cdata(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


def _text_element(tag: str, attrs: str, text: str) -> str:
    """``<tag attrs>text</tag>``, or ``<tag attrs />`` without text, as ElementTree writes
    it; ``attrs`` already written (each with its leading space)."""
    if text:
        return f"<{tag}{attrs}>{_cdata(text)}</{tag}>"
    return f"<{tag}{attrs} />"


# Where ET.indent puts a <testsuite> (level 1), its children (2) and theirs (3).
_AT_SUITE, _AT_CASE, _WITHIN = "\n  ", "\n    ", "\n      "


def _suite(report: Report, index: int, name: str) -> str:
    """One <testsuite>, as ElementTree writes it after ``ET.indent``."""
    out = [
        f'<testsuite name="{_attr(name)}" tests="{len(report.results)}" '
        f'failures="{report.failed}" errors="{report.errors}" skipped="{report.skipped}" '
        f'time="{_seconds(report.duration)}" timestamp="{_iso(report.timestamp)}" '
        f'hostname="{_HOST}" id="{index}" package="emu">{_AT_CASE}<properties>'
    ]
    for key, value in (
        ("spec", report.spec),
        ("subject", report.subject),
        ("score", f"{report.score:g}"),
        ("maxScore", f"{report.max_score:g}"),
    ):
        out.append(f'{_WITHIN}<property name="{key}" value="{_attr(xml_text(value, 1000))}" />')
    out.append(_AT_CASE + "</properties>")
    for r in report.results:
        out.append(
            f'{_AT_CASE}<testcase name="{_attr(xml_text(r.name, 1000))}" '
            f'classname="{_attr("emu." + r.kind.replace(":", "."))}" '
            f'time="{_seconds(r.duration)}"'
        )
        inner: list[str] = []
        if r.status == "fail" or r.status == "error" or r.status == "skip":
            first = _attr(xml_text(r.messages[0] if r.messages else r.status, 1000))
            if r.status == "skip":
                inner.append(f'<skipped message="{first}" />')
            else:
                body = "\n".join(r.messages)
                if r.observed:
                    body += f"\nobserved: {r.observed}"
                tag, kind = (
                    ("failure", "AssertionError") if r.status == "fail" else ("error", "EmuError")
                )
                inner.append(
                    _text_element(tag, f' message="{first}" type="{kind}"', xml_text(body))
                )
        if r.stdout:
            inner.append(_text_element("system-out", "", xml_text(r.stdout)))
        if r.stderr:
            inner.append(_text_element("system-err", "", xml_text(r.stderr)))
        if inner:
            out.append(">" + _WITHIN + _WITHIN.join(inner) + _AT_CASE + "</testcase>")
        else:
            out.append(" />")
    out_lines = list(report.warnings)
    if report.build_error:
        out_lines.insert(0, f"build failed: {report.build_error}")
    out.append(_AT_CASE + _text_element("system-out", "", xml_text("\n".join(out_lines))))
    out.append(_AT_SUITE + "</testsuite>")
    return "".join(out)


def to_junit(
    reports: Report | list[Report], name: str = "emu test", suite_name: str | None = None
) -> str:
    """JUnit XML, indented two spaces a level as ``ET.indent`` does. ``suite_name`` (CST's
    ``--junit-suite-name``) names every <testsuite>; else each is named ``SPEC :: SUBJECT``.

    Written as text rather than through ElementTree, whose serializer is pure Python and
    took most of the time a class's ``junit.xml`` took; ``tests/grading`` checks the text
    against ElementTree's for generated reports."""
    items = [reports] if isinstance(reports, Report) else reports
    suites = [
        _suite(r, i, xml_text(suite_name or f"{r.spec} :: {r.subject}", 1000))
        for i, r in enumerate(items)
    ]
    # The strict JUnit schema Jenkins and GitLab validate against (the xunit plugin's
    # junit-10.xsd) allows name, time, tests, failures and errors on <testsuites>: skips are
    # counted on each <testsuite> only.
    head = (
        f'<testsuites name="{_attr(name)}" tests="{sum(len(r.results) for r in items)}" '
        f'failures="{sum(r.failed for r in items)}" errors="{sum(r.errors for r in items)}" '
        f'time="{_seconds(sum((r.duration for r in items), 0.0))}"'
    )
    if not suites:
        body = head + " />"
    else:
        body = head + ">" + _AT_SUITE + _AT_SUITE.join(suites) + "\n</testsuites>"
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


__all__ = [
    "Rendered",
    "Report",
    "TestResult",
    "json_text",
    "to_json",
    "to_junit",
    "xml_text",
]
