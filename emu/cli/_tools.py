"""``emu tools``: the programs RUN can execute, and which of them are models."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from emu.cli._args import command
from emu.cli._console import out

if TYPE_CHECKING:
    from emu.cli._args import Subparsers


def add_parsers(sub: Subparsers) -> None:
    tl = command(
        sub,
        "tools",
        "list the programs RUN can execute (utilities and models)",
        "emu tools",
        run=run,
    )
    tl.add_argument("name", nargs="*", metavar="PROGRAM", help="say whether these are emulated")


def run(args: argparse.Namespace) -> int:
    from rich.text import Text

    from emu.sh import tools, utils  # noqa: F401  (importing registers the programs)
    from emu.sh.api import REGISTRY

    console = out()
    names = REGISTRY.names()
    models = {
        n for n in names if getattr(REGISTRY.get(n), "__module__", "").startswith("emu.sh.tools")
    }
    if args.name:
        for name in args.name:
            kind = "model" if name in models else "utility" if name in names else None
            if kind is None:
                console.print(Text(f"{name}: not emulated", style="red"))
            else:
                note = REGISTRY.notes.get(name, "")
                console.print(Text(f"{name}: {kind}" + (f" ({note})" if note else "")))
        return 0 if all(n in names for n in args.name) else 1
    console.print(Text(f"emu emulates {len(names)} programs.", style="bold"))
    console.print(Text("Utilities (busybox/coreutils behaviour):", style="bold"))
    console.print(Text("  " + " ".join(n for n in names if n not in models)))
    console.print(Text("Models of build tools (they write what the tool would, and say so):",
                       style="bold"))  # fmt: skip
    console.print(Text("  " + " ".join(n for n in names if n in models)))
    return 0
