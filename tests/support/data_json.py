"""Keep the JSON twins of emu's YAML data in step (YAML is what people edit).

    python tests/support/data_json.py          # rewrite every data/*.json from its .yaml
    python tests/support/data_json.py --check  # exit 1 if any twin is stale

emu's lower layers read the JSON with the standard library: the brief keeps yaml (like
rich) in the top layer only, and JSON also loads several times faster.
`tests/test_data_json.py` runs the check.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA_DIRS = [ROOT / "emu" / "images" / "data", ROOT / "emu" / "sh" / "tools" / "data"]


def render(path: Path) -> str:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def pairs() -> list[tuple[Path, Path]]:
    return [(y, y.with_suffix(".json")) for d in DATA_DIRS for y in sorted(d.glob("*.yaml"))]


def main(argv: list[str]) -> int:
    stale = []
    for src, dst in pairs():
        text = render(src)
        if "--check" in argv:
            if not dst.exists() or dst.read_text(encoding="utf-8") != text:
                stale.append(str(dst.relative_to(ROOT)))
        else:
            dst.write_text(text, encoding="utf-8")
    if stale:
        print("stale JSON twins (run python tests/support/data_json.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
