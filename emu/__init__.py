"""emu: a pure-Python emulator of ``docker build`` with BuildKit's semantics.

The public API is small; the modules behind it are layered (see the README's design
section). Errors raised for bad input are all :class:`emu.errors.EmuError`.
"""

from emu.errors import EmuError

__all__ = ["EmuError", "__version__"]
__version__ = "0.1.0"
