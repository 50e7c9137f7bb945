"""Shared by every test folder: ``tests/`` on ``sys.path`` so helpers such as
``_conformance`` import from any folder, and the ``slow`` marker."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
