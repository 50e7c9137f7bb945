"""The build layer: stages, the planner, one module per instruction, images and outputs.

``emu.build`` is also the public build function (``emu.build(context, …)``, see
:mod:`emu.api`): the name belongs to both, so this package module is made callable and a
call forwards to :func:`emu.api.build`. Whether ``emu.build`` was reached as the package
(after any ``import emu.build.…``) or through ``emu``'s lazy attribute, it builds.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _CallableModule(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from emu.api import build

        return build(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
