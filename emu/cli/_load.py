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
    """As ``docker load``: each image under its tags (or ``-t``), an untagged one by its ID;
    Docker's image ID and layers are kept (an image built on it writes Docker's layers)."""
    from rich.text import Text

    from emu import outputs, store
    from emu.images.load import load_images

    source = args.input
    images = load_images(sys.stdin.buffer if source == "-" else source, keep_layer=store.keep_layer)
    if not images:
        raise UsageError(f"{source} holds no image")
    console = out()
    for item in images:
        # Where emu would write its own encoding of a layer, it writes Docker's bytes.
        emu_digests = [d for d, _ in outputs.layer_digests(item.image)]
        if len(emu_digests) == len(item.diff_ids):
            store.remember_layers(zip(emu_digests, item.diff_ids, strict=True))
        names = list(args.tag or item.tags)
        if not names:
            store.save_untagged(item.image, item.id)
            console.print(Text(f"Loaded image ID: {item.id}"))
            continue
        for name in names:
            saved = store.save(name, item.image, known_id=item.id, keep_layers=True)
            console.print(Text(f"Loaded image: {saved}"))
    return 0
