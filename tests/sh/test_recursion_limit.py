"""The host process's recursion limit is the host's: importing emu changes nothing, and the
shell's deeper stack lasts only while a shell runs (issue 19)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_PROBE = """
import sys
before = sys.getrecursionlimit()
import emu
import emu.sh.interp, emu.sh.utils  # the shell and its utilities, imported eagerly
assert sys.getrecursionlimit() == before, ("import", before, sys.getrecursionlimit())
emu.build({"Dockerfile": "FROM busybox\\nRUN f() { echo x; }; f\\n"})
assert sys.getrecursionlimit() == before, ("build", before, sys.getrecursionlimit())
print("unchanged", before)
"""


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=120, cwd=REPO
    )


def test_import_and_build_leave_the_recursion_limit_unchanged() -> None:
    done = _python("-c", _PROBE)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("unchanged "), done.stdout


def test_importing_emu_then_hypothesis_warns_nothing() -> None:
    # hypothesis warns (HypothesisWarning) when it finds the recursion limit changed under it;
    # with -W error any warning at import is an error.
    done = _python("-W", "error", "-c", "import emu, emu.sh.interp, hypothesis; print('ok')")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_shell_runs_deep_functions_and_restores_the_limit() -> None:
    from emu.fs import FS
    from emu.sh.api import Identity
    from emu.sh.interp import run_script

    before = sys.getrecursionlimit()
    script = "f() { if [ $1 -gt 0 ]; then f $(($1 - 1)); else echo bottom; fi; }; f 150"
    result = run_script(script, fs=FS(), env={"PATH": "/bin"}, cwd="/", ident=Identity())
    assert result.stdout == b"bottom\n", result.stderr
    assert sys.getrecursionlimit() == before
