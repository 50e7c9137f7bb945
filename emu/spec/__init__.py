"""Specs: container-structure-test files (schema 2.0.0) and emu's ``emuTests`` against
emulated images, and grading many submissions with them.

    >>> from emu.spec import load_spec, run_spec
    >>> report = run_spec(load_spec("specs/multistage-demo.yaml"), "examples/multistage-demo")
    >>> report.ok, f"{report.score}/{report.max_score}"

* :func:`load_spec` / :func:`loads_spec` read and validate a spec (:class:`SpecError` with
  the line and field on bad input; unsupported CST fields become ``spec.warnings``);
* :func:`run_spec` evaluates it against a context folder, a ``{path: content}`` mapping, a
  :class:`~emu.build.engine.BuildResult`, an :class:`~emu.build.image.Image`, an image
  archive or an image name, and returns a :class:`Report` (``to_json``, ``to_junit``);
* :mod:`emu.spec.grade` grades a folder of submissions in worker processes, each build
  sandboxed (:mod:`emu.spec.sandbox`).
"""

from __future__ import annotations

from emu.spec.evaluate import Subject, evaluate
from emu.spec.loader import SpecError, compile_regex, parse_size
from emu.spec.loader import load as load_spec
from emu.spec.loader import loads as loads_spec
from emu.spec.model import EMU_KINDS, SandboxLimits, Spec
from emu.spec.report import Report, TestResult, to_json, to_junit
from emu.spec.run import run as run_spec

__all__ = [
    "EMU_KINDS",
    "Report",
    "SandboxLimits",
    "Spec",
    "SpecError",
    "Subject",
    "TestResult",
    "compile_regex",
    "evaluate",
    "load_spec",
    "loads_spec",
    "parse_size",
    "run_spec",
    "to_json",
    "to_junit",
]
