"""Specs: container-structure-test files (schema 2.0.0 or 1.0.0) and emu's additions in the
emu file beside them (``NAME.emu.yaml``) against emulated images, and grading many
submissions with them.

    >>> from emu.grading import load_spec, run_spec
    >>> report = run_spec(load_spec("specs/multistage-demo.yaml"), "examples/multistage-demo")
    >>> report.ok, f"{report.score}/{report.max_score}"

* :func:`load_spec` / :func:`loads_spec` read and validate a spec (:class:`SpecError` with
  the line, column and field on bad input; unsupported CST fields become ``spec.warnings``;
  ``strict=True`` reads only what CST reads);
* :func:`run_spec` evaluates it against a context folder, a ``{path: content}`` mapping, a
  :class:`~emu.engine.builder.BuildResult`, an :class:`~emu.images.image.Image`, an image
  archive or an image name, and returns a :class:`Report` (``to_json``, ``to_junit``);
* :mod:`emu.grading.grade` grades a folder of submissions in worker processes, each build
  sandboxed (:mod:`emu.grading.sandbox`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emu.grading.evaluation import Subject, evaluate
    from emu.grading.loader import SpecError, parse_size
    from emu.grading.loader import load as load_spec
    from emu.grading.loader import loads as loads_spec
    from emu.grading.model import EMU_KINDS, SandboxLimits, Spec, compile_regex
    from emu.grading.report import Report, TestResult, to_json, to_junit
    from emu.grading.run import run as run_spec

# Resolved on first use, so that `emu --help` (which registers `emu test` and `emu grade`)
# does not import the spec machinery.
_LAZY: dict[str, tuple[str, str]] = {
    "Subject": ("emu.grading.evaluation", "Subject"),
    "evaluate": ("emu.grading.evaluation", "evaluate"),
    "SpecError": ("emu.grading.loader", "SpecError"),
    "compile_regex": ("emu.grading.model", "compile_regex"),
    "parse_size": ("emu.grading.loader", "parse_size"),
    "load_spec": ("emu.grading.loader", "load"),
    "loads_spec": ("emu.grading.loader", "loads"),
    "EMU_KINDS": ("emu.grading.model", "EMU_KINDS"),
    "SandboxLimits": ("emu.grading.model", "SandboxLimits"),
    "Spec": ("emu.grading.model", "Spec"),
    "Report": ("emu.grading.report", "Report"),
    "TestResult": ("emu.grading.report", "TestResult"),
    "to_json": ("emu.grading.report", "to_json"),
    "to_junit": ("emu.grading.report", "to_junit"),
    "run_spec": ("emu.grading.run", "run"),
}


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(name)
    value = getattr(import_module(target[0]), target[1])
    globals()[name] = value
    return value


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
