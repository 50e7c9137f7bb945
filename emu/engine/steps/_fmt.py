"""Go's ``%q`` / ``%v`` renderings, which BuildKit uses in history ``created_by`` text."""

from __future__ import annotations

from emu.dockerfile.text import go_quote


def q_list(items: tuple[str, ...] | list[str]) -> str:
    """``fmt.Sprintf("%q", []string{…})``: ``["a" "b"]``."""
    return "[" + " ".join(go_quote(i) for i in items) + "]"


def v_list(items: tuple[str, ...] | list[str]) -> str:
    """``fmt.Sprintf("%v", []string{…})``: ``[a b]``."""
    return "[" + " ".join(items) + "]"
