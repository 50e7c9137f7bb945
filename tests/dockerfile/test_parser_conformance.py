"""BuildKit's own parser cases, read in place from the conformance data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _conformance import conformance_root, missing_param

from emu.dockerfile.parser import parse
from emu.errors import ParseError

_PARSER = ("frontend", "dockerfile", "parser")


def _cases(sub: str) -> list[object]:
    folder = conformance_root().joinpath(*_PARSER, sub)
    if not folder.is_dir():
        return [missing_param(*_PARSER, sub)]
    return [pytest.param(d, id=d.name) for d in sorted(folder.iterdir()) if d.is_dir()]


@pytest.mark.parametrize("case", _cases("testfiles"))
def test_dump_matches_buildkit(case: Path) -> None:
    expected = (case / "result").read_bytes().decode("utf-8").replace("\r\n", "\n")
    got = parse((case / "Dockerfile").read_bytes(), "Dockerfile").dump()
    assert got == expected


@pytest.mark.parametrize("case", _cases("testfiles-negative"))
def test_negative_cases_fail(case: Path) -> None:
    with pytest.raises(ParseError) as info:
        parse((case / "Dockerfile").read_bytes(), "Dockerfile")
    # Every failure is located, so the CLI can print FILE:LINE:COL.
    assert info.value.file == "Dockerfile"
    assert info.value.pos is not None


def test_line_numbers_match_buildkit() -> None:
    root = conformance_root()
    info_path = root / "parser" / "line_info.json"
    if not info_path.exists():
        pytest.skip(f"BuildKit conformance data not found at {info_path} (set EMU_CONFORMANCE_DIR)")
    info = json.loads(info_path.read_text())
    result = parse((root / info["dockerfile"]).read_bytes())
    got = [{"start_line": n.start_line, "end_line": n.end_line} for n in result.nodes]
    assert got == info["children"]
    assert result.nodes[0].start_line == info["root"]["start_line"]
    assert result.nodes[-1].end_line == info["root"]["end_line"]
