"""What a command imports before it runs: only its own command module, and no rich where
it prints only plain text (a dump, an image ID, the help). Start-up time is measured by
``python tests/benchmarks/run.py cli``; these check the structure that keeps it low."""

from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest

from emu.cli import _COMMANDS, _build_parser, _Parser

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "multistage-demo"


def _loaded(*args: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules loaded once ``emu ARGS`` has run, in a fresh interpreter."""
    probe = (
        "import sys, runpy\n"
        f"sys.argv = ['emu', *{list(args)!r}]\n"
        "try:\n"
        "    runpy.run_module('emu', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(sorted(sys.modules), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=True,
    )
    return set(ast.literal_eval(proc.stderr.strip().splitlines()[-1]))


def _commands_of(module: str) -> list[str]:
    sub = _Parser(prog="emu").add_subparsers(dest="command", parser_class=_Parser)
    import_module(f"emu.cli.{module}").add_parsers(sub)
    return list(sub.choices)


def _subparsers(
    parser: argparse.ArgumentParser,
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def test_the_command_table_is_what_the_modules_add() -> None:
    for module, names in _COMMANDS.items():
        assert tuple(_commands_of(module)) == names, module
    every = [name for names in _COMMANDS.values() for name in names]
    assert list(_subparsers(_build_parser()).choices) == every  # the order of emu --help


def test_a_command_line_starting_with_a_command_builds_only_its_modules_parsers() -> None:
    assert list(_subparsers(_build_parser("logs")).choices) == list(_COMMANDS["_run"])
    for first in (None, "", "--help", "-h", "--version", "bild", "-q"):
        assert len(_subparsers(_build_parser(first)).choices) == sum(map(len, _COMMANDS.values()))


def test_a_command_imports_no_other_command_module() -> None:
    loaded = _loaded("parse", "--dump", str(DEMO / "Dockerfile"))
    modules = {f"emu.cli.{m}" for m in _COMMANDS}
    assert loaded & modules == {"emu.cli._parse"}
    assert modules <= _loaded("--help")


def test_plain_text_commands_never_import_rich(tmp_path: Path) -> None:
    env = {**os.environ, "EMU_HOME": str(tmp_path)}
    assert "rich" not in _loaded("--help")
    assert "rich" not in _loaded("parse", "--dump", str(DEMO / "Dockerfile"))
    quiet = _loaded("build", "--progress", "quiet", str(DEMO), env=env)
    assert "rich" not in quiet
    # nor the formats that print, the build checks, or the summary it does not print
    assert not quiet & {"emu.cli._formats", "emu.dockerfile.checks", "emu.teach.summary"}
    plain = _loaded("build", "--progress", "plain", str(DEMO), env=env)
    assert {"rich", "emu.cli._formats", "emu.dockerfile.checks", "emu.teach.summary"} <= plain


def test_a_build_loads_no_archive_reader_nor_what_argparse_would_for_the_width(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "EMU_HOME": str(tmp_path)}
    quiet = _loaded("build", "--progress", "quiet", str(DEMO), env=env)
    assert not quiet & {"emu.fs.archive", "tarfile", "shutil", "bz2", "lzma"}
    # records are made without dataclasses, and with it inspect (emu.records)
    assert not quiet & {"dataclasses", "inspect"}
    assert "emu.fs.limits" in quiet


def test_the_help_width_is_shutil_s(monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from emu.cli import terminal_columns

    for columns in ("50", "0", "-3", "abc", "", None):
        if columns is None:
            monkeypatch.delenv("COLUMNS", raising=False)
        else:
            monkeypatch.setenv("COLUMNS", columns)
        assert terminal_columns() == shutil.get_terminal_size().columns, columns
    monkeypatch.setenv("COLUMNS", "50")
    build = _subparsers(_build_parser("build")).choices["build"]
    ours = build.format_help()
    monkeypatch.setattr(_Parser, "_get_formatter", argparse.ArgumentParser._get_formatter)
    assert ours == build.format_help()  # as argparse itself wraps it
    assert "\n                 [--build-arg KEY=VALUE]\n" in ours
