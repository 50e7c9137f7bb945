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

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emu.spec.evaluation import Subject, evaluate
    from emu.spec.loader import SpecError, compile_regex, parse_size
    from emu.spec.loader import load as load_spec
    from emu.spec.loader import loads as loads_spec
    from emu.spec.model import EMU_KINDS, SandboxLimits, Spec
    from emu.spec.report import Report, TestResult, to_json, to_junit
    from emu.spec.run import run as run_spec

# Resolved on first use, so that `emu --help` (which registers `emu test` and `emu grade`)
# does not import the spec machinery.
_LAZY: dict[str, tuple[str, str]] = {
    "Subject": ("emu.spec.evaluation", "Subject"),
    "evaluate": ("emu.spec.evaluation", "evaluate"),
    "SpecError": ("emu.spec.loader", "SpecError"),
    "compile_regex": ("emu.spec.loader", "compile_regex"),
    "parse_size": ("emu.spec.loader", "parse_size"),
    "load_spec": ("emu.spec.loader", "load"),
    "loads_spec": ("emu.spec.loader", "loads"),
    "EMU_KINDS": ("emu.spec.model", "EMU_KINDS"),
    "SandboxLimits": ("emu.spec.model", "SandboxLimits"),
    "Spec": ("emu.spec.model", "Spec"),
    "Report": ("emu.spec.report", "Report"),
    "TestResult": ("emu.spec.report", "TestResult"),
    "to_json": ("emu.spec.report", "to_json"),
    "to_junit": ("emu.spec.report", "to_junit"),
    "run_spec": ("emu.spec.run", "run"),
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
