"""``emu load -i FILE``: import a ``docker save`` tar or an OCI layout into the local store,
so that ``FROM`` can use a real image offline."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from emu.cli._args import command
from emu.cli._console import out
from emu.errors import UsageError

if TYPE_CHECKING:
    from emu.cli._args import Subparsers


def add_parsers(sub: Subparsers) -> None:
    ld = command(
        sub,
        "load",
        "import a docker save tar or an OCI layout (FROM can use it)",
        "emu load -i app.tar -t app:1",
        run=run,
    )
    ld.add_argument(
        "-i", "--input", required=True, metavar="FILE", help="the archive ('-' = stdin)"
    )
    ld.add_argument("-t", "--tag", action="append", help="store it under this name:tag")


def run(args: argparse.Namespace) -> int:
    from rich.text import Text

    from emu import store
    from emu.images.load import load_archive

    source = args.input
    images = load_archive(sys.stdin.buffer if source == "-" else source)
    if not images:
        raise UsageError(f"{source} holds no image")
    console = out()
    for tags, image in images:
        names = list(args.tag or tags)
        if not names:
            raise UsageError(
                f"the image in {source} has no tag",
                hint="give it one: emu load -i FILE -t name:tag",
            )
        for name in names:
            saved = store.save(name, image)
            console.print(Text(f"Loaded image: {saved}"))
    return 0
