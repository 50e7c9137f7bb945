"""The catalog and tool data: YAML is edited, its JSON twin is read; they must agree."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "support" / "data_json.py"


def test_json_twins_match_the_yaml() -> None:
    spec = importlib.util.spec_from_file_location("data_json", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    pairs = module.pairs()
    for folder in module.DATA_DIRS:
        assert any(src.parent == folder for src, _ in pairs), f"no YAML data in {folder}"
    for src, dst in pairs:
        assert dst.exists(), f"{dst.name} is missing: run python tests/support/data_json.py"
        assert dst.read_text(encoding="utf-8") == module.render(src), (
            f"{dst.name} is stale: run python tests/support/data_json.py"
        )
