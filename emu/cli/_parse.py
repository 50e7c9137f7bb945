"""``emu parse``: BuildKit's dump format, or JSON with spans."""

from __future__ import annotations

import argparse
import json

from emu.cli._console import write
from emu.cli._files import read_text_file
from emu.dockerfile.jsonform import to_json
from emu.dockerfile.parser import parse
from emu.errors import EmuError


def run(args: argparse.Namespace) -> int:
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
