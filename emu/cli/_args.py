"""What every command's parser is made of: a help page with examples, and shared options.

Each command module defines ``add_parsers(sub)``, which adds its commands with
:func:`command` and names their handler; :mod:`emu.cli` only assembles the modules (all of
them for ``emu --help``, which lists every command; only the named command's module for a
command line that starts with one). A command module imports at its top only what defining
its arguments needs: the library code a handler uses is imported inside the handler.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

Handler = Callable[[argparse.Namespace], int]

IMAGE_HELP = "a stored image (emu images), a catalogued one (nginx:alpine), or a context dir"


def example(*lines: str) -> str:
    return "example:\n" + "\n".join(f"  {line}" for line in lines)


def command(
    sub: Subparsers, name: str, help: str, *examples: str, run: Handler
) -> argparse.ArgumentParser:
    """Add the subcommand ``name``: ``help`` is its line in ``emu --help`` and, as a
    sentence, its description; ``examples`` close its help page; ``run`` handles it."""
    p = sub.add_parser(
        name,
        help=help,
        description=help[0].upper() + help[1:] + ".",
        epilog=example(*examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(handler=run)
    return p


def add_format(p: argparse.ArgumentParser) -> None:
    """``--format``: text for people (the default), json for scripts."""
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="json prints the data for scripts",
    )


def add_build_options(
    p: argparse.ArgumentParser | argparse._ArgumentGroup, *, build_arg: str, permissive: str
) -> None:
    """``--target``, ``--build-arg`` and ``--permissive``: how a command that builds builds."""
    p.add_argument("--target", help="the stage to build")
    p.add_argument("--build-arg", action="append", metavar="KEY=VALUE", help=build_arg)
    p.add_argument("--permissive", action="store_true", help=permissive)
