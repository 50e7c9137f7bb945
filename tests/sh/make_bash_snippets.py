"""Regenerate the bash golden snippets by running them with the real bash (5.2).

Sources are ``bash_snippets/<topic>.sh`` in the format of ``make_snippets.py``: cases
separated by ``### name`` lines, with optional flags after the name (``!nostderr`` when
stderr is not stable; ``!gap=REASON`` for a case emu does not match yet, which the test
expects to fail). For each case this runs::

    env -i PATH=/usr/bin:/bin HOME=/root bash -c SCRIPT

(argv[0] ``bash``, the program ``$BASH`` or /usr/bin/bash) in a fresh, empty scratch
directory (``/tmp/emush/w``, the same path the tests use inside their in-memory image),
and writes ``bash_snippets/<topic>.json``: every case with its script, exit status,
stdout, stderr and the files left in the scratch directory. Nothing machine-specific may
reach a recording: scripts avoid process ids, and the generator refuses a recording that
holds the host's bash path or its own process ids.

Scripts use bash's builtins and the few programs ``shimage.py`` provides stand-ins for.
The tests never run bash: they replay these recordings through emu's shell in bash mode.

Usage: python tests/sh/make_bash_snippets.py [topic ...]
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from make_snippets import Case, record, run

HERE = Path(__file__).parent / "bash_snippets"
BASH = os.environ.get("BASH_PROGRAM", "/usr/bin/bash")
_VERSION = "5.2.15(1)-release"


def _check_version() -> None:
    out = subprocess.run(
        [BASH, "-c", "echo $BASH_VERSION"], capture_output=True, text=True, check=True
    ).stdout.strip()
    if out != _VERSION:
        sys.exit(f"{BASH} is bash {out}; the recordings are of bash {_VERSION}")


def _headers(src: Path) -> dict[str, str]:
    """Each case's header line after its name (a gap's reason may hold spaces)."""
    out: dict[str, str] = {}
    for line in src.read_text().split("\n"):
        if line.startswith("### "):
            name, _, rest = line[4:].partition(" ")
            out[name] = rest
    return out


_MACHINE = re.compile(r"/usr/bin/bash|/tmp/tmp|\bpid\b")


def bash_entry(src: Path, case: Case) -> Case:
    flags = [str(f) for f in case["flags"]]  # type: ignore[attr-defined]
    script = str(case["script"])
    result = run(script, ["bash", "-c", script], BASH)
    if "!nostderr" in flags:
        result["stderr"] = None
    text = json.dumps(result)
    if _MACHINE.search(text):
        sys.exit(f"{src.name} {case['name']}: machine-specific output: {text[:300]}")
    entry = {"name": case["name"], "script": script, **result}
    head = _headers(src).get(str(case["name"]), "")
    if "!gap=" in head:
        entry["gap"] = head.split("!gap=", 1)[1].strip()
    return entry


def main(topics: list[str]) -> None:
    _check_version()
    record(HERE, topics, bash_entry)


if __name__ == "__main__":
    main(sys.argv[1:])
