"""Every hostile input of the corpus (``cases.py``) ends within its limit, in bounded memory,
with the documented status and one clear error line, writing nothing it was not asked to.

Each case runs in its own subprocess (see ``_harness.py`` for the rules checked); the slow
ones are marked ``slow``, and inputs whose fix is pending in the shell are strict xfails.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _harness import Case, check, remove_tree, run
from cases import _QUICK, CASES


def _param(case: Case) -> object:
    marks = []
    if case.slow:
        marks.append(pytest.mark.slow)
    if case.xfail:
        marks.append(pytest.mark.xfail(strict=True, reason=case.xfail))
    return pytest.param(case, id=case.id, marks=marks)


def test_case_ids_are_unique_and_the_quick_ones_exist() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert set(ids) >= _QUICK, sorted(_QUICK - set(ids))


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_hostile_input(case: Case, tmp_path: Path) -> None:
    try:
        outcome = run(case, tmp_path)
    except PermissionError as exc:  # mknod of a device needs root
        pytest.skip(f"cannot make this input here: {exc}")
    try:
        check(case, outcome, tmp_path)
    finally:
        for name in ("in", "out", "home", "tmp"):
            remove_tree(tmp_path / name)
