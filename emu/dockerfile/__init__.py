"""Dockerfiles: the parser, the typed instructions and the static checks.

Three layers, each usable alone: :func:`parse` gives BuildKit's node list (and its dump),
:func:`load` the typed :class:`Dockerfile` of stages, :func:`run_checks` the lint report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emu.dockerfile.checks import CheckConfig, CheckReport, Violation, run_checks
    from emu.dockerfile.instructions import (
        Dockerfile,
        Instruction,
        Stage,
        build_stages,
        load,
    )
    from emu.dockerfile.parser import Node, ParseResult, parse

__all__ = [
    "CheckConfig",
    "CheckReport",
    "Dockerfile",
    "Instruction",
    "Node",
    "ParseResult",
    "Stage",
    "Violation",
    "build_stages",
    "load",
    "parse",
    "run_checks",
]

# Where each name lives: each layer is imported when first asked for, so `emu parse` loads
# the parser alone, not the typed instructions and the checks.
_HOME = {
    "CheckConfig": "checks",
    "CheckReport": "checks",
    "Violation": "checks",
    "run_checks": "checks",
    "Dockerfile": "instructions",
    "Instruction": "instructions",
    "Stage": "instructions",
    "build_stages": "instructions",
    "load": "instructions",
    "Node": "parser",
    "ParseResult": "parser",
    "parse": "parser",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"emu.dockerfile.{home}"), name)
