"""The programs of emu's shell: busybox 1.35 applets (and the GNU flags Dockerfiles use)
as handlers registered in :data:`emu.sh.api.REGISTRY` when this package is imported."""

from emu.sh.utils import files

__all__ = ["files"]
