"""Linux's limits on names and numbers, as the kernel and its file systems enforce them.

Kept apart from :mod:`emu.fs.archive` (which reads tars and so imports :mod:`tarfile` and
three decompressors) so that what only checks a name or an owner (writing an image's
tars, the grading sandbox) does not load them: ``emu build`` did, on every run.
"""

from __future__ import annotations

from typing import Final

__all__ = ["MAX_ID", "MAX_MAJOR", "MAX_MINOR", "NAME_MAX", "PATH_MAX"]

PATH_MAX: Final = 4096  # bytes, with the terminating NUL: a path of 4096 bytes is too long
NAME_MAX: Final = 255
MAX_ID: Final = (1 << 32) - 2  # uid_t and gid_t are 32 bits, and (uid_t)-1 means "none"
MAX_MAJOR: Final = (1 << 12) - 1  # the kernel's dev_t: 12 bits of major, 20 of minor
MAX_MINOR: Final = (1 << 20) - 1
