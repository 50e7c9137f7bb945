"""Hypothesis strategies for Dockerfile behaviour (``emu.strategies``, as documented).

The implementation lives in :mod:`emu.testing.strategies`; this name is the documented one.
"""

from emu.testing.strategies import *  # noqa: F403
from emu.testing.strategies import __all__  # noqa: F401
