"""``emu parse``: BuildKit's dump format, or JSON with spans."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from emu.cli._args import command
from emu.cli._console import write
from emu.cli._files import read_text_file
from emu.errors import EmuError

if TYPE_CHECKING:
    from emu.cli._args import Subparsers


def add_parsers(sub: Subparsers) -> None:
    p = command(
        sub,
        "parse",
        "parse a Dockerfile and print its instructions",
        "emu parse --json Dockerfile",
        run=run,
    )
    p.add_argument("dockerfile", metavar="DOCKERFILE", help="path to the Dockerfile ('-' = stdin)")
    form = p.add_mutually_exclusive_group()
    form.add_argument(
        "--dump", action="store_true", help="BuildKit's parser dump format (the default)"
    )
    form.add_argument("--json", action="store_true", help="JSON with line/column spans")


def run(args: argparse.Namespace) -> int:
    from emu.dockerfile.jsonform import to_json
    from emu.dockerfile.parser import parse

    text, name = read_text_file(args.dockerfile)
    try:
        result = parse(text, name)
    except EmuError as exc:
        raise exc.with_source(text) from None
    if args.json:
        write(json.dumps(to_json(result), indent=2, ensure_ascii=True) + "\n")
    else:
        write(result.dump())
    return 0
