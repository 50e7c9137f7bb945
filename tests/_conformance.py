"""Shared fixtures: where BuildKit's conformance data lives (read in place, never copied)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "conformance" / "buildkit"


def conformance_root() -> Path:
    """``$EMU_CONFORMANCE_DIR``, else ``../shared/conformance/buildkit`` beside the checkout."""
    env = os.environ.get("EMU_CONFORMANCE_DIR")
    return Path(env) if env else _DEFAULT


def require_conformance(*parts: str) -> Path:
    """The path inside the conformance data, or skip the test saying what is missing."""
    path = conformance_root().joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"BuildKit conformance data not found at {path} "
            "(set EMU_CONFORMANCE_DIR to the folder holding SOURCE.md)"
        )
    return path


def available(*parts: str) -> bool:
    return conformance_root().joinpath(*parts).exists()


def missing_param(*parts: str) -> object:
    """A single parametrize entry that skips with a clear reason when the data is absent."""
    path = conformance_root().joinpath(*parts)
    return pytest.param(
        None,
        marks=pytest.mark.skip(
            reason=f"BuildKit conformance data not found at {path} (set EMU_CONFORMANCE_DIR)"
        ),
        id="conformance-data-absent",
    )
