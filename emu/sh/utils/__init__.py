"""The programs of emu's shell: busybox 1.35 applets (and the GNU flags Dockerfiles use)
as handlers in :data:`emu.sh.api.REGISTRY`.

One module per family: :mod:`files`, :mod:`text`, :mod:`sed`, :mod:`grep`, :mod:`find`,
:mod:`archive`, :mod:`compare` (diff, cmp), :mod:`dump` (od, dd), :mod:`misc`,
:mod:`users`; :mod:`_common` holds what they share (option
parsing, the permission-checking "kernel", users and groups, modes).

Importing this package imports none of them: it tells the registry which module registers
each name (:data:`emu.sh.utils._index.MODULE_OF`), and the registry imports a module the
first time one of its programs runs (a build that runs mkdir and cp never loads awk).
``REGISTRY.load_all()`` imports them all.
"""

from emu.sh.api import REGISTRY
from emu.sh.utils._index import MODULE_OF

REGISTRY.lazy.update(
    {n: f"emu.sh.utils.{m}" for n, m in MODULE_OF.items() if n not in REGISTRY.handlers}
)


def import_all() -> None:
    """Import every module of utilities (what asks about all of them at once, such as
    busybox's applet list, needs them registered)."""
    for module in sorted(set(MODULE_OF.values())):
        REGISTRY.load_module(f"emu.sh.utils.{module}")
