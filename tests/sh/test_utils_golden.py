"""emu's utilities against the real busybox 1.35: every golden case must agree.

``utils_golden/*.json`` hold what busybox printed, returned and left on disk for each case
(``make_utils_golden.py`` produced them); here each case is replayed through emu's handlers
on an in-memory image whose /etc/passwd and /etc/group are the generating host's.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "utils_golden"))

from bbharness import SCRATCH, image, listing, run, setup  # noqa: E402

DOCS = {p.stem: json.loads(p.read_text()) for p in sorted((HERE / "utils_golden").glob("*.json"))}
CASES = [
    pytest.param(fam, case, id=f"{fam}:{case['name']}")
    for fam, doc in DOCS.items()
    for case in doc["cases"]
]


def _usage_cut(text: str) -> str:
    """Usage screens differ in length (busybox prints the full help): compare up to them."""
    i = text.find("BusyBox v1.35.0")
    return text if i < 0 else text[:i] + "<usage>"


@pytest.mark.parametrize(("family", "case"), CASES)
def test_golden(family: str, case: dict[str, Any]) -> None:
    doc = DOCS[family]
    fs = image(doc["etc_passwd"], doc["etc_group"])
    setup(fs, SCRATCH, case.get("setup", {}), doc["setup_mtime"])
    now = doc["generated"]
    env = {"SOURCE_DATE_EPOCH": str(now), **case.get("env", {})}
    skip = set(case.get("stdout_skip", []))
    for i, (cmd, want) in enumerate(zip(case["cmds"], case["results"], strict=True)):
        argv, stdin = (cmd["argv"], cmd.get("stdin", "")) if isinstance(cmd, dict) else (cmd, "")
        argv = [a.replace("@TMP@", SCRATCH) for a in argv]
        r = run(fs, argv, stdin, env=env)
        got = {
            "stdout": r.out.replace(SCRATCH, "@TMP@"),
            "stderr": _usage_cut(r.err.replace(SCRATCH, "@TMP@")),
            "status": r.status,
        }
        exp = {**want, "stderr": _usage_cut(want["stderr"])}
        if i in skip:  # bytes that legitimately differ (another DEFLATE implementation)
            got["stdout"] = exp["stdout"] = ""
        if case.get("sort_stdout"):
            got["stdout"] = sorted(got["stdout"].splitlines())
            exp["stdout"] = sorted(exp["stdout"].splitlines())
        assert got == exp, f"{argv}"
    if "listing" in case:
        got_list = listing(fs, SCRATCH, case.get("owners", False), now)
        exp_list = case["listing"]
        for entries in (got_list, exp_list):
            for e in entries:
                if e["path"] in case.get("nohash", []):
                    e.pop("sha", None)
                    e.pop("size", None)
        assert got_list == exp_list
