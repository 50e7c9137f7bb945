"""The playground's presets (``emu/cli/playground/presets.json``) from ``examples/``: the
tutorial's demo first, then the five use cases, every file of each (``.dockerignore`` and
``Dockerfile.single-stage`` included), titled by its README's first line.

    python tests/support/make_presets.py          # rewrite presets.json
    python tests/support/make_presets.py --check  # exit 1 if it is stale

The examples are not part of the installed package, so the playground carries this copy;
``tests/playground/test_site.py`` runs the check.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
OUT = ROOT / "emu" / "cli" / "playground" / "presets.json"
ORDER = ["multistage-demo", "react-nginx", "go-alpine", "spring-boot", "rust-debian",
         "typescript-node"]  # fmt: skip


def render() -> str:
    presets = []
    for name in ORDER:
        folder = EXAMPLES / name
        files = {
            p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }
        title = files["README.md"].splitlines()[0].lstrip("# ").strip()
        presets.append({"name": name, "title": title, "files": files})
    return json.dumps(presets, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.relative_to(ROOT)} is stale: run python tests/support/make_presets.py")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
