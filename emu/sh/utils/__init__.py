"""The programs of emu's shell: busybox 1.35 applets (and the GNU flags Dockerfiles use)
as handlers registered in :data:`emu.sh.api.REGISTRY` when this package is imported.

One module per family: :mod:`files`, :mod:`text`, :mod:`sed`, :mod:`grep`, :mod:`find`,
:mod:`archive`, :mod:`compare` (diff, cmp), :mod:`dump` (od, dd), :mod:`misc`,
:mod:`users`; :mod:`_common` holds what they share (option
parsing, the permission-checking "kernel", users and groups, modes).
"""

from emu.sh.utils import archive, awk, compare, dump, files, find, grep, misc, sed, text, users

__all__ = [
    "archive",
    "awk",
    "compare",
    "dump",
    "files",
    "find",
    "grep",
    "misc",
    "sed",
    "text",
    "users",
]
