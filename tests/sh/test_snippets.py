"""Every golden snippet (recorded with the real ``busybox sh -c``) through emu's shell.

Each case compares the exit status, stdout, stderr (unless marked unstable) and the files
left in the scratch directory. Regenerate the expectations with ``make_snippets.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from shimage import ENV, REG, ROOT, SCRATCH, image, listing

from emu.sh.interp import run_script

SNIPPETS = Path(__file__).parent / "snippets"


def _cases() -> list[Any]:
    out = []
    for path in sorted(SNIPPETS.glob("*.json")):
        for case in json.loads(path.read_text()):
            out.append(pytest.param(case, id=f"{path.stem}/{case['name']}"))
    return out


CASES = _cases()


def run_case(case: dict[str, Any]) -> dict[str, Any]:
    fs = image()
    r = run_script(case["script"], fs=fs, env=dict(ENV), cwd=SCRATCH, ident=ROOT, registry=REG)
    return {
        "status": r.status,
        "stdout": r.stdout.decode("utf-8", "surrogateescape"),
        "stderr": r.stderr.decode("utf-8", "surrogateescape"),
        "files": listing(fs),
    }


@pytest.mark.parametrize("case", CASES)
def test_snippet(case: dict[str, Any]) -> None:
    got = run_case(case)
    want = {k: case[k] for k in ("status", "stdout", "stderr", "files")}
    if want["stderr"] is None:
        got["stderr"] = None
    assert got == want


def test_enough_snippets() -> None:
    assert len(CASES) >= 150
