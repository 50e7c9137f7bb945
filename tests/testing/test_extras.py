"""The packaging extras: what a user installs for emu.strategies and the pytest plugin
(``emu[hypothesis]``, alias ``emu[testing]``), shell completion (``emu[completion]``), and
emu's own test suite (``emu[test]``, the linters pinned there only)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _extras() -> dict[str, list[str]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extras: dict[str, list[str]] = data["project"]["optional-dependencies"]
    return extras


def _names(reqs: list[str]) -> set[str]:
    return {re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0].lower() for r in reqs}


def _third_party_imports(folder: Path) -> set[str]:
    """Top-level modules imported by the files in ``folder`` that are neither emu's nor the
    standard library's."""
    found: set[str] = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m not in ("emu",)}


def test_the_user_extra_brings_what_strategies_and_the_plugin_import() -> None:
    extras = _extras()
    runtime = {"yaml", "rich"}  # emu's own dependencies (pyyaml, rich)
    needed = _third_party_imports(ROOT / "emu" / "testing") - runtime
    assert needed == {"hypothesis", "pytest"}
    assert _names(extras["hypothesis"]) == needed
    assert extras["testing"] == ["emu[hypothesis]"]  # the same, under the other name


def test_linters_are_pinned_in_the_test_extra_only() -> None:
    extras = _extras()
    linters = {"mypy", "ruff"}
    for name in ("hypothesis", "testing", "completion"):
        assert not _names(extras[name]) & linters, name
    pinned = [r for r in extras["test"] if _names([r]) & linters]
    assert len(pinned) == 2 and all("==" in r for r in pinned)
    # emu's own tests need everything a user extra brings.
    assert "emu[hypothesis,completion]" in extras["test"]


def test_the_completion_extra_is_shtab() -> None:
    assert _names(_extras()["completion"]) == {"shtab"}
