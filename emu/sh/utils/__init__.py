"""The programs of emu's shell: busybox 1.35 applets (and the GNU flags Dockerfiles use)
as handlers registered in :data:`emu.sh.api.REGISTRY` when this package is imported.

One module per family: :mod:`files`, :mod:`text`, :mod:`sed`, :mod:`grep`, :mod:`find`,
:mod:`archive`, :mod:`misc`, :mod:`users`.
"""

from emu.sh.utils import files, grep, sed, text

__all__ = ["files", "grep", "sed", "text"]
