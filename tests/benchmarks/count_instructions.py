"""Instructions per ``emu.build`` of the demo, counted by valgrind: a figure the machine's
load does not move, for comparing two commits (wall times on a shared 2-core machine vary by
a third from one run to the next).

    python tests/benchmarks/count_instructions.py [REPO]...

For each checkout (default: this one) it runs the demo build N and 3N times under
``valgrind --tool=cachegrind --cache-sim=no`` and reports the difference per build, from a
``{path: content}`` mapping and from a folder (index.html rewritten before each build, as
``run.py``'s api_demo does). Needs valgrind; says so and exits 0 without it. Not a test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
N = 50

# What runs under valgrind: the demo built `n` times after 20 warm-up builds.
_CHILD = r"""
import sys
from pathlib import Path
repo, n, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sys.path.insert(0, repo)
import emu
demo = Path(repo) / "examples" / "multistage-demo"
text = (demo / "index.html").read_bytes()
if mode == "mapping":
    files = {p.name: p.read_bytes() for p in demo.iterdir() if p.is_file()}
    for i in range(20 + n):
        files["index.html"] = text + f"<!-- {i} -->".encode()
        emu.build(files)
else:
    ctx = Path(sys.argv[4])
    for i in range(20 + n):
        (ctx / "index.html").write_bytes(text + f"<!-- {i} -->".encode())
        emu.build(ctx)
"""


def _instructions(repo: Path, n: int, mode: str, ctx: Path) -> int:
    cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
           sys.executable, "-c", _CHILD, str(repo), str(n), mode, str(ctx)]  # fmt: skip
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stderr
    found = re.search(r"I\s+refs:\s+([\d,]+)", out)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{out[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main(argv: list[str]) -> int:
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: no instruction counts (apt-get install valgrind)")
        return 0
    repos = [Path(a).resolve() for a in argv] or [ROOT]
    with tempfile.TemporaryDirectory() as tmp:
        ctx = Path(tmp) / "demo"
        shutil.copytree(ROOT / "examples" / "multistage-demo", ctx)
        time.sleep(2.1)  # past the window in which emu rereads a file its stat cannot vouch for
        for repo in repos:
            figures = []
            for mode in ("mapping", "path"):
                per_build = (
                    _instructions(repo, 3 * N, mode, ctx) - _instructions(repo, N, mode, ctx)
                ) // (2 * N)
                figures.append(f"{mode} {per_build:,} instructions per build")
            print(f"{repo}: " + "; ".join(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
