"""Instructions per ``emu.build`` of the demo, counted by valgrind: a figure the machine's
load does not move, for comparing two commits (wall times on a shared 2-core machine vary by
a third from one run to the next).

    python tests/benchmarks/count_instructions.py [--cli | --grading] [REPO]...

For each checkout (default: this one) it runs the demo build N and 3N times under
``valgrind --tool=cachegrind --cache-sim=no`` and reports the difference per build, from a
``{path: content}`` mapping and from a folder (index.html rewritten before each build, as
``run.py``'s api_demo does). With ``--cli``, it counts instead the commands ``run.py``'s
cli case times, each over a bare ``python -c pass``, bytecode written first as an installed
emu has it: start-up measured as the machine's load cannot move it. With ``--grading``, it
counts what grading one copy of the demo costs: ``grade()`` in one process readied as a
worker readies itself (``jobs=-1``: what each worker does per submission) and the parent's
``write_outputs``, per submission, N
and 3N submissions apart (the pipes between processes are not counted). Needs valgrind;
says so and exits 0 without it. Not a test.
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

# Grading `n` copies of the demo in one process, after grading 20, and writing the outputs.
_GRADING_CHILD = r"""
import sys
repo, n, subs, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
sys.path.insert(0, repo)
from emu.grading.grade import discover, grade, write_outputs
from emu.grading.loader import load
spec = load(repo + "/specs/rubric-multistage.yaml")
found, _ = discover(subs)
try:  # as a worker readies itself (a commit from before prepare_worker: as it did then)
    from emu.grading.grade import prepare_worker
except ImportError:
    from emu.grading.sandbox import register_programs as prepare_worker
    prepare_worker = lambda spec, ready=prepare_worker: ready()
prepare_worker(spec)
grade(spec, found[:20], jobs=-1)
write_outputs(grade(spec, found[:n], jobs=-1), spec, out)
"""


def _instructions(repo: Path, n: int, mode: str, ctx: Path) -> int:
    cmd = [sys.executable, "-c", _CHILD, str(repo), str(n), mode, str(ctx)]
    return _command_instructions(cmd, {**os.environ, "PYTHONHASHSEED": "0"}, None)


def _command_instructions(cmd: list[str], env: dict[str, str], cwd: str | None) -> int:
    """The instructions ``cmd`` executes, counted by valgrind (the command must succeed)."""
    valgrind = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
    ]
    out = subprocess.run([*valgrind, *cmd], capture_output=True, text=True, env=env, cwd=cwd,
                         check=True).stderr  # fmt: skip
    found = re.search(r"I\s+refs:\s+([\d,]+)", out)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{out[-2000:]}")
    return int(found.group(1).replace(",", ""))


def cli(repos: list[Path]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for repo in repos:
            demo = repo / "examples" / "multistage-demo"
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env.update(PYTHONPATH=str(repo), PYTHONHASHSEED="0", EMU_HOME=str(Path(tmp) / "home"))
            emu = [sys.executable, "-m", "emu"]
            cmds = {
                "emu --help": [*emu, "--help"],
                "emu build (demo)": [*emu, "build", "--progress", "quiet", str(demo)],
                "emu parse --dump": [*emu, "parse", "--dump", str(demo / "Dockerfile")],
            }
            for cmd in cmds.values():  # bytecode written, the layer cache filled
                subprocess.run(cmd, capture_output=True, env=env, cwd=tmp)
            # (run outside any checkout: `python -m` puts the working directory first)
            bare = _command_instructions([sys.executable, "-c", "pass"], env, tmp)
            figures = [f"python -c pass {bare / 1e6:,.0f}M instructions"]
            for name, cmd in cmds.items():
                extra = _command_instructions(cmd, env, tmp) - bare
                figures.append(f"{name} +{extra / 1e6:,.0f}M")
            print(f"{repo}: " + "; ".join(figures))


def grading(repos: list[Path]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        for i in range(3 * N):
            shutil.copytree(ROOT / "examples" / "multistage-demo", subs / f"s{i:04}")
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        for repo in repos:
            counts = []
            for n in (N, 3 * N):
                out = Path(tmp) / f"out{n}"
                cmd = [sys.executable, "-c", _GRADING_CHILD, str(repo), str(n), str(subs), str(out)]
                counts.append(_command_instructions(cmd, env, None))
                shutil.rmtree(out)
            per = (counts[1] - counts[0]) // (2 * N)
            print(f"{repo}: grading {per:,} instructions per submission (grade + outputs)")


def main(argv: list[str]) -> int:
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: no instruction counts (apt-get install valgrind)")
        return 0
    repos = [Path(a).resolve() for a in argv if a not in ("--cli", "--grading")] or [ROOT]
    if "--cli" in argv:
        cli(repos)
        return 0
    if "--grading" in argv:
        grading(repos)
        return 0
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
