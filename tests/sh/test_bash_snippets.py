"""Every bash golden snippet (recorded with the real ``bash -c``) through emu's shell in
bash mode.

Each case compares the exit status, stdout, stderr (unless marked unstable) and the files
left in the scratch directory, in the merged-/usr image the recordings were made in.
Regenerate the expectations with ``make_bash_snippets.py``; the tests never run bash. A
case recorded with a ``gap`` (a reason emu does not match it yet) is expected to fail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from shimage import ENV, REG, ROOT, SCRATCH, bash_image, compare, outcome, recorded

from emu.sh.interp import run_script

SNIPPETS = Path(__file__).parent / "bash_snippets"
CASES = recorded(SNIPPETS)


def run_case(case: dict[str, Any]) -> dict[str, Any]:
    fs = bash_image()
    r = run_script(
        case["script"],
        fs=fs,
        env=dict(ENV),
        cwd=SCRATCH,
        ident=ROOT,
        registry=REG,
        args=["bash"],
        dialect="bash",
    )
    return outcome(r, fs)


@pytest.mark.parametrize("case", CASES)
def test_snippet(case: dict[str, Any]) -> None:
    compare(run_case(case), case)


def test_enough_snippets() -> None:
    assert len(CASES) >= 300
    gaps = [c for c in CASES if c.values[0].get("gap")]
    assert len(gaps) <= 10, "known gaps are a last resort"
