"""Regenerate the shell's golden snippets by running them with the real busybox sh.

Sources are ``snippets/<topic>.sh``: cases separated by ``### name`` lines (add
``!nostderr`` after the name when stderr is not stable). For each case this runs::

    env -i PATH=/usr/bin:/bin HOME=/root busybox sh -c SCRIPT

in a fresh, empty scratch directory (``/tmp/emush/w``, the same path the tests use inside
their in-memory image), and writes ``snippets/<topic>.json``: every case with its script,
exit status, stdout, stderr and the files left in the scratch directory.

Scripts use shell builtins and the few programs ``shimage.py`` provides stand-ins for.

Usage: python tests/sh/make_snippets.py [topic ...]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).parent / "snippets"
SCRATCH = Path("/tmp/emush/w")
BUSYBOX = os.environ.get("BUSYBOX", "/usr/bin/busybox")


def read_cases(src: Path) -> list[dict[str, object]]:
    cases: list[dict[str, object]] = []
    name: str | None = None
    flags: list[str] = []
    lines: list[str] = []

    def flush() -> None:
        if name is not None:
            script = "\n".join(lines).strip("\n")
            cases.append({"name": name, "script": script, "flags": flags})

    for line in src.read_text().split("\n"):
        if line.startswith("### "):
            flush()
            head = line[4:].split()
            name, flags, lines = head[0], [f for f in head[1:] if f.startswith("!")], []
        else:
            lines.append(line)
    flush()
    return cases


def listing(top: Path) -> list[list[str]]:
    out: list[list[str]] = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        names = sorted(dirnames + filenames)
        for n in names:
            p = Path(dirpath) / n
            rel = str(p.relative_to(top))
            if p.is_symlink():
                out.append([rel, "l", os.readlink(p)])
            elif p.is_dir():
                out.append([rel, "d"])
            else:
                out.append([rel, "f", p.read_bytes().decode("utf-8", "replace")])
    out.sort(key=lambda e: e[0].split("/"))
    return out


def run(
    script: str, argv: list[str] | None = None, program: str | None = None
) -> dict[str, object]:
    """Run ``script`` (as ``argv``, by default busybox's ``sh -c``; ``program`` is the
    file to run when argv[0] is not it) in a fresh scratch directory; what it did."""
    if SCRATCH.exists():
        subprocess.run(["chmod", "-R", "u+rwx", str(SCRATCH)], check=False)
        shutil.rmtree(SCRATCH)
    SCRATCH.mkdir(parents=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": "/root"}
    p = subprocess.run(
        argv or [BUSYBOX, "sh", "-c", script],
        executable=program,
        cwd=SCRATCH,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=20,
        check=False,
    )
    result = {
        "status": p.returncode,
        "stdout": p.stdout.decode("utf-8", "surrogateescape"),
        "stderr": p.stderr.decode("utf-8", "surrogateescape"),
        "files": listing(SCRATCH),
    }
    subprocess.run(["chmod", "-R", "u+rwx", str(SCRATCH)], check=False)
    shutil.rmtree(SCRATCH)
    return result


Case = dict[str, object]


def record(folder: Path, topics: list[str], entry_of: Callable[[Path, Case], Case]) -> None:
    """Record every case of ``folder/<topic>.sh`` (only ``topics`` when given) into
    ``<topic>.json``; ``entry_of`` runs one case and gives what is written of it."""
    sources = sorted(folder.glob("*.sh"))
    if topics:
        sources = [s for s in sources if s.stem in topics]
    total = 0
    for src in sources:
        out = [entry_of(src, case) for case in read_cases(src)]
        dest = src.with_suffix(".json")
        dest.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
        total += len(out)
        print(f"{dest.name}: {len(out)} cases")
    print(f"{total} cases")


def busybox_entry(src: Path, case: Case) -> Case:
    result = run(str(case["script"]))
    if "!nostderr" in case["flags"]:  # type: ignore[operator]
        result["stderr"] = None
    return {"name": case["name"], "script": case["script"], **result}


def main(topics: list[str]) -> None:
    record(HERE, topics, busybox_entry)


if __name__ == "__main__":
    main(sys.argv[1:])
