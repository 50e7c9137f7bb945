"""Run the hostile-input corpus and print each case's outcome as a Markdown table row.

    python tests/hostile/run.py [SUBSTRING...]

(only the cases whose id contains one of the substrings). Used to record what each input
did before and after a fix; the test suite (``test_hostile.py``) checks the rules.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _harness import check, remove_tree, run
from cases import CASES


def main(argv: list[str]) -> int:
    chosen = [c for c in CASES if not argv or any(a in c.id for a in argv)]
    print("| case | outcome | holds |")
    print("| --- | --- | --- |")
    for case in chosen:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            try:
                outcome = run(case, root)
                try:
                    check(case, outcome, root)
                    verdict = "yes"
                except AssertionError as exc:
                    verdict = "NO: " + str(exc).splitlines()[0][:120]
                said = outcome.summary().replace("|", "\\|")
            except Exception as exc:
                said, verdict = f"harness: {type(exc).__name__}: {exc}", "NO"
            finally:
                for name in ("in", "out", "home", "tmp"):
                    remove_tree(root / name)
        print(f"| {case.id} | {said} | {verdict} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
