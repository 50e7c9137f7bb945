"""Dockerfiles: the parser, the typed instructions and the static checks.

Three layers, each usable alone: :func:`parse` gives BuildKit's node list (and its dump),
:func:`load` the typed :class:`Dockerfile` of stages, :func:`run_checks` the lint report.
"""

from emu.dockerfile.checks import CheckConfig, CheckReport, Violation, run_checks
from emu.dockerfile.instructions import Dockerfile, Instruction, Stage, build_stages, load
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
