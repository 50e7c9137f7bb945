"""The utilities load per program: emu/sh/utils/_index.py says which module registers each
name, and must say it truly (else a program would be missing, or load the wrong module)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.support import utils_index

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str) -> str:
    """What ``code`` prints in a fresh interpreter (what it imports is its own)."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def test_the_index_is_what_the_modules_register() -> None:
    from emu.sh.utils._index import MODULE_OF

    assert utils_index.table() == MODULE_OF, "run: python tests/support/utils_index.py --write"


def test_a_run_of_mkdir_and_cp_imports_neither_awk_nor_tar() -> None:
    """On Alpine (Debian's standalone busybox shell asks for the whole applet list)."""
    probe = (
        "import sys, emu\n"
        "emu.build({'Dockerfile': 'FROM alpine:3.19\\nRUN mkdir /a && cp /bin/sh /a/x\\n'})\n"
        "print(sorted(m for m in sys.modules if m.startswith('emu.sh.utils.')))\n"
    )
    loaded = ast.literal_eval(_python(probe))
    assert "emu.sh.utils.files" in loaded
    assert "emu.sh.utils.awk" not in loaded and "emu.sh.utils.archive" not in loaded


def test_every_program_is_found_by_name_and_listed() -> None:
    from emu.sh.api import REGISTRY
    from emu.sh.utils._index import MODULE_OF

    for name in ("awk", "tar", "sed", "find", "id"):
        assert REGISTRY.get(name) is not None, name
    assert set(MODULE_OF) <= set(REGISTRY.names())


def test_a_registered_program_is_not_replaced_by_a_later_utility_import() -> None:
    """A --tools file (or a tool model) that declares a utility's name keeps it, whichever
    was imported first."""
    probe = (
        "from emu.sh.api import REGISTRY\n"
        "import emu.sh.utils\n"
        "mine = lambda proc: 0\n"
        "REGISTRY.handlers['awk'] = mine\n"
        "REGISTRY.get('tar')\n"
        "REGISTRY.load_all()\n"
        "print(REGISTRY.get('awk') is mine, REGISTRY.get('tar') is not None)\n"
    )
    assert _python(probe).split() == ["True", "True"]
