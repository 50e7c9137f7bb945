"""The error hierarchy: one tree, drawn in ``emu.errors``' docstring, every class there.

Every :class:`~emu.errors.EmuError` subclass anywhere in emu must be importable from
:mod:`emu.errors` and drawn in its docstring under its real base class, so the drawing can
be trusted (the check httpx makes of its exception tree).
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import emu
from emu import errors
from emu.errors import (
    BuildError,
    EmuError,
    ExpansionError,
    FsError,
    InstructionError,
    LimitExceeded,
    ParseError,
    ShellError,
    code_frame,
)
from emu.pos import Position, Span

# ``python -m emu`` runs the CLI when imported: a script, not a module.
_SCRIPTS = {"emu.__main__"}


def _import_every_module() -> list[str]:
    imported = []
    for info in pkgutil.walk_packages(emu.__path__, "emu."):
        if info.name in _SCRIPTS:
            continue
        try:
            importlib.import_module(info.name)
        except ModuleNotFoundError as exc:
            # Only a missing optional dependency may keep a module out, never emu itself.
            if exc.name is None or exc.name.split(".")[0] == "emu":
                raise
            continue
        imported.append(info.name)
    return imported


def _subclasses(cls: type[EmuError]) -> set[type[EmuError]]:
    found: set[type[EmuError]] = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def _drawn_tree() -> dict[str, str | None]:
    """Each class name in the docstring's drawing → the name it hangs under."""
    doc = errors.__doc__ or ""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in doc.splitlines():
        m = re.match(r"    ((?:│   |    )*)(?:[├└]── )?([A-Z]\w+)\s", line + " ")
        if m is None or not (m.group(2) == "EmuError" or "── " in line):
            continue
        depth = len(m.group(1)) // 4 + (1 if "── " in line else 0)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[m.group(2)] = stack[-1][1] if stack else None
        stack.append((depth, m.group(2)))
    return parents


def _emu_subclasses() -> set[type[EmuError]]:
    _import_every_module()
    return {c for c in _subclasses(EmuError) if c.__module__.split(".")[0] == "emu"}


def test_every_module_is_imported() -> None:
    names = _import_every_module()
    assert "emu.errors" in names and "emu.dockerfile.parser" in names and len(names) > 50


def test_every_error_is_drawn_under_its_base() -> None:
    drawn = _drawn_tree()
    assert drawn["EmuError"] is None and drawn["BuildError"] == "EmuError"
    classes = _emu_subclasses()
    assert len(classes) >= 20
    for cls in classes:
        assert cls.__name__ in drawn, f"{cls.__module__}.{cls.__name__} is not drawn"
        (base,) = cls.__bases__
        assert drawn[cls.__name__] == base.__name__, f"{cls.__name__} is drawn under the wrong base"
    # And nothing is drawn that does not exist.
    names = {c.__name__ for c in classes} | {"EmuError"}
    assert set(drawn) == names


def test_every_error_is_importable_from_emu_errors() -> None:
    for cls in _emu_subclasses():
        assert getattr(errors, cls.__name__, None) is cls, f"{cls.__name__} not in emu.errors"
        assert cls.__name__ in errors.__all__


def test_no_two_names_for_one_kind() -> None:
    classes = {c.__name__ for c in _emu_subclasses()}
    for gone in ("ExpansionFailure", "LimitError"):
        assert gone not in classes
    assert {"ExpansionError", "LimitExceeded"} <= classes


def test_exit_codes() -> None:
    assert EmuError.exit_code == 1 and BuildError.exit_code == 1
    assert ParseError.exit_code == InstructionError.exit_code == ExpansionError.exit_code == 2
    assert ShellError.exit_code == 2 and LimitExceeded.exit_code == 1
    assert issubclass(LimitExceeded, BuildError)


# --- located: a re-raised error keeps its type -------------------------------------------------


def test_located_fills_in_and_keeps_type_hint_and_span() -> None:
    err = FsError(2, "/x")
    err.hint = "look elsewhere"
    same = err.located("Dockerfile", Position(3, 1), prefix="mkdir /x: ")
    assert same is err and type(same) is FsError and same.errno == 2
    assert str(same) == "Dockerfile:3:1: mkdir /x: /x: no such file or directory"
    assert same.hint == "look elsewhere" and same.args == (same.message,)
    assert same.span == Span(Position(3, 1), Position(3, 1))
    # A place it already has stays.
    span = Span(Position(1, 6), Position(1, 9))
    err2 = InstructionError("bad", span=span).located("Dockerfile", Position(1, 1))
    assert err2.span == span and err2.pos == Position(1, 6) and err2.file == "Dockerfile"


def test_located_replace_moves_an_in_word_position() -> None:
    err = ExpansionError("x: oops", pos=Position(1, 4))
    err.located("Dockerfile", Position(7, 1), replace=True)
    assert err.pos == Position(7, 1) and err.file == "Dockerfile"


def test_as_build_failure_keeps_the_type_when_the_exit_status_agrees() -> None:
    limit = LimitExceeded("max_steps", 10, "an endless loop?")
    placed = limit.as_build_failure("Dockerfile", Position(2, 1), prefix="RUN x: ")
    assert placed is limit and placed.hint == "an endless loop?"
    assert placed.message == "RUN x: limit exceeded: max_steps (10); the command was stopped"
    # A status-2 error stopping a build becomes a BuildError (a failed build exits 1).
    word = ExpansionError("y: bad", pos=Position(1, 3), hint="h")
    failed = word.as_build_failure(
        "Dockerfile", Position(2, 1), prefix='failed to process "${y:?bad}": '
    )
    assert type(failed) is BuildError and failed.exit_code == 1 and failed.hint == "h"
    assert str(failed) == 'Dockerfile:2:1: failed to process "${y:?bad}": y: bad'


def test_limit_exceeded_message_forms() -> None:
    assert LimitExceeded("max_depth", 200).message == (
        "limit exceeded: max_depth (200); the command was stopped"
    )
    nesting = LimitExceeded("nesting depth (Python's stack)", stopped="the build was stopped")
    assert (
        nesting.message == "limit exceeded: nesting depth (Python's stack); the build was stopped"
    )
    assert nesting.hint is None and nesting.limit == "nesting depth (Python's stack)"


# --- code frames -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "underline"),
    [
        (Position(1, 18), "    | " + " " * 17 + "^"),
        (Span(Position(1, 18), Position(1, 20)), "    | " + " " * 17 + "^^"),
        (Span(Position(1, 1), Position(1, 5)), "    | ^^^^"),
        (Span(Position(1, 6), Position(2, 3)), "    | " + " " * 5 + "^" * 14),
    ],
)
def test_code_frame_underlines_the_span(where: Position | Span, underline: str) -> None:
    frame = code_frame("FROM alpine.1 AS .1\nRUN true\n", where)
    lines = frame.splitlines()
    assert lines[0] == "> 1 | FROM alpine.1 AS .1"
    assert lines[1] == underline
    assert lines[2] == "  2 | RUN true"


def test_code_frame_outside_the_text_is_empty() -> None:
    assert code_frame("FROM a\n", Position(5, 1)) == ""
    assert code_frame("", Position(1, 1)) == ""
