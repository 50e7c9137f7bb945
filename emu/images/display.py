"""How emu's values show themselves in a REPL (``repr``) and in Jupyter (``_repr_html_``).

A build result, a stage or an image is drawn with the teaching layer's summary, stage graph
and file tree (:mod:`emu.teach.display`), which sit above the engine. So that nothing in the
engine imports upward, the drawing is plugged in here from the top: ``emu/__init__.py``,
which Python runs before any of emu's modules, plugs in one that imports the drawing on
first use. The objects' methods only ask this module.
"""

from __future__ import annotations

from typing import Protocol


class Display(Protocol):
    def text(self, obj: object) -> str: ...

    def html(self, obj: object) -> str: ...


# The one display in use (a list, so plugging one in rebinds nothing others imported).
_plugged: list[Display] = []


def use(display: Display) -> None:
    """Draw emu's values with ``display`` from now on."""
    _plugged[:] = [display]


def text(obj: object) -> str:
    """``repr(obj)``: the plugged-in display's text, or Python's default without one.

    A repr must never raise (a debugger, a traceback or a test report calls it on broken
    objects too), so a display that fails falls back to the default as well.
    """
    if _plugged:
        try:
            return _plugged[0].text(obj)
        except Exception:
            pass
    return object.__repr__(obj)


def html(obj: object) -> str | None:
    """``obj._repr_html_()``: None tells Jupyter to show the text instead. An error is
    not hidden: IPython reports a failing formatter and shows the text."""
    return _plugged[0].html(obj) if _plugged else None
