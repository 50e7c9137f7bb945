#!/usr/bin/env python3
"""Record which steps a real BuildKit caches, for every sequence of ``sequences.py``.

usage: ORACLE_STATE=/tmp/emu-oracle-cache python3 tests/cache/regenerate.py [NAME ...]

The oracle (``$EMU_ORACLE_DIR/oracle.sh``, default ``<repo>/../shared/oracle``) keeps BuildKit's
build cache in its daemon between runs. So that each sequence starts from an empty cache (and
so that nobody else's builds leave entries in it), run this script against a daemon of its own:
``ORACLE_STATE=/tmp/emu-oracle-cache ../shared/oracle/setup.sh`` starts one, this script runs
``docker builder prune -af`` on it before every sequence, and ``stop.sh`` with the same
``ORACLE_STATE`` stops it afterwards. The script refuses the oracle's default state folder.

For each sequence the context is materialised in a scratch folder; before each build the
build's edits are applied and its Dockerfile written, then ``oracle.sh -b buildkit`` builds it
(with ``--no-cache``, ``--target`` and ``--build-arg`` as the build says). Written:

``recorded/<name>.json``
    ``{"sequence", "builds": [{"note", "rc", "steps": [{"name", "state"}]}]}`` where ``name``
    is the step as BuildKit names it (``[builder 2/4] WORKDIR /app``) and ``state`` is
    ``CACHED``, ``DONE`` or ``ERROR``. BuildKit's internal steps (``[internal] …``,
    ``exporting to image``) are left out.
``recorded/<name>/<n>.log``
    the build's whole ``--progress=plain`` log, as the oracle wrote it (the format tests read
    these too).

Python standard library only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

from sequences import SEQUENCES, Sequence, apply, materialise  # noqa: E402

RECORDED = HERE / "recorded"
STEP = re.compile(r"^#(\d+) (.*)$")


def oracle_dir() -> Path:
    return Path(os.environ.get("EMU_ORACLE_DIR") or (REPO.parent / "shared" / "oracle")).resolve()


def parse_log(text: str) -> list[dict[str, str]]:
    """The steps of a plain BuildKit log, in the order they first appear, with their state."""
    names: dict[str, str] = {}
    states: dict[str, str] = {}
    order: list[str] = []
    for line in text.splitlines():
        m = STEP.match(line)
        if not m:
            continue
        n, rest = m.groups()
        if n not in names:
            names[n] = rest
            order.append(n)
            continue
        if rest == "CACHED":
            states[n] = "CACHED"
        elif rest.startswith("ERROR"):
            states[n] = "ERROR"
        elif rest.startswith("DONE") and states.get(n) != "CACHED":
            states[n] = "DONE"
    steps = []
    for n in order:
        name = names[n]
        if not name.startswith("[") or name.startswith("[internal]"):
            continue
        steps.append({"name": name, "state": states.get(n, "DONE")})
    return steps


def record(seq: Sequence, oracle: Path, env: dict[str, str], work: Path) -> dict[str, object]:
    subprocess.run(
        ["bash", "-c", f"source {oracle}/env.sh && docker_cmd builder prune -af"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    ctx = work / seq.name
    shutil.rmtree(ctx, ignore_errors=True)
    materialise(seq, ctx)
    dockerfile = seq.dockerfile
    logs = RECORDED / seq.name
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    builds = []
    for i, build in enumerate(seq.builds, 1):
        dockerfile = apply(ctx, build, dockerfile)
        cmd = [str(oracle / "oracle.sh"), "-b", "buildkit", "-o", str(work / "out")]
        subprocess.run([*cmd, *build.flags(), str(ctx)], env=env, stdout=subprocess.DEVNULL)
        out = work / "out" / "buildkit"
        log = (out / "build.log").read_text()
        (logs / f"{i}.log").write_text(log)
        rc = int((out / "rc").read_text().strip())
        builds.append({"note": build.note, "rc": rc, "steps": parse_log(log)})
        print(f"  {i}: rc={rc} " + " ".join(s["state"][0] for s in builds[-1]["steps"]))
    return {"sequence": seq.name, "description": seq.description, "builds": builds}


def main(argv: list[str]) -> int:
    state = os.environ.get("ORACLE_STATE", "")
    if not state or Path(state).resolve() == Path("/tmp/emu-oracle").resolve():
        sys.stderr.write("set ORACLE_STATE to a daemon of this script's own (see the docstring)\n")
        return 2
    oracle = oracle_dir()
    env = dict(os.environ)
    wanted = set(argv)
    RECORDED.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="emu-cache-") as tmp:
        for seq in SEQUENCES:
            if wanted and seq.name not in wanted and seq.name[:2] not in wanted:
                continue
            print(seq.name)
            data = record(seq, oracle, env, Path(tmp))
            (RECORDED / f"{seq.name}.json").write_text(json.dumps(data, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
