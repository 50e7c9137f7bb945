"""``emu completion bash|zsh|fish``: a shell completion script generated from emu's own
argument parser by ``shtab`` (the optional extra ``emu[completion]``), so completion knows
every command and flag there is and never drifts from them."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from emu.cli._args import command

if TYPE_CHECKING:
    from emu.cli._args import Subparsers

SHELLS = ("bash", "zsh", "fish")
# Where each shell reads a completion script from (printed by --help and the README).
_INSTALL = {
    "bash": "emu completion bash > ~/.local/share/bash-completion/completions/emu",
    "zsh": "emu completion zsh > ~/.zfunc/_emu   (with fpath+=~/.zfunc before compinit)",
    "fish": "emu completion fish > ~/.config/fish/completions/emu.fish",
}


def add_parsers(sub: Subparsers) -> None:
    p = command(
        sub,
        "completion",
        "print a shell completion script for bash, zsh or fish (needs emu[completion])",
        *_INSTALL.values(),
        run=run,
    )
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")


def script(shell: str) -> str:
    """The completion script for ``shell``, generated from the whole ``emu`` parser."""
    from emu.errors import EmuError

    if shell not in SHELLS:
        raise EmuError(f"no completion for {shell!r}", hint="one of: " + ", ".join(SHELLS))
    try:
        import shtab  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raise EmuError(
            "emu completion needs the shtab package, which is not installed",
            hint="pip install 'emu[completion]' (or: pip install shtab)",
        ) from None
    from emu.cli import _build_parser

    text: str = shtab.complete(_build_parser(), shell=shell)
    return text if text.endswith("\n") else text + "\n"


def run(args: argparse.Namespace) -> int:
    from emu.cli._console import write

    write(script(args.shell))
    return 0
