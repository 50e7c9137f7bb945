"""Every golden snippet (recorded with the real ``busybox sh -c``) through emu's shell.

Each case compares the exit status, stdout, stderr (unless marked unstable) and the files
left in the scratch directory. Regenerate the expectations with ``make_snippets.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from shimage import ENV, REG, ROOT, SCRATCH, compare, image, outcome, recorded

from emu.sh.interp import run_script

SNIPPETS = Path(__file__).parent / "snippets"
CASES = recorded(SNIPPETS)


def run_case(case: dict[str, Any]) -> dict[str, Any]:
    fs = image()
    r = run_script(case["script"], fs=fs, env=dict(ENV), cwd=SCRATCH, ident=ROOT, registry=REG)
    return outcome(r, fs)


@pytest.mark.parametrize("case", CASES)
def test_snippet(case: dict[str, Any]) -> None:
    compare(run_case(case), case)


def test_enough_snippets() -> None:
    assert len(CASES) >= 150
