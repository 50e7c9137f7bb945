"""``emu explain IMAGE PATH``: where a file came from, across stages, back to the Dockerfile
line and the context file — what no real builder can say."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from emu.cli._args import add_format, command
from emu.cli._console import out, write
from emu.cli._fmt import human_size
from emu.cli._source import add_source_options
from emu.errors import UsageError

if TYPE_CHECKING:
    from emu.cli._args import Subparsers


def add_parsers(sub: Subparsers) -> None:
    e = command(
        sub,
        "explain",
        "say where a file of an image came from, across stages, back to the Dockerfile line "
        "and the context file",
        "emu explain my-app /usr/share/nginx/html/index.html",
        "emu explain examples/multistage-demo /usr/share/nginx/html/index.html --oneline",
        run=run,
    )
    e.add_argument(
        "image",
        metavar="IMAGE",
        help="an image built with emu build -t, or a context dir (built now)",
    )
    e.add_argument("path", metavar="PATH")
    e.add_argument("--oneline", action="store_true", help="the whole chain on one line")
    add_source_options(e)
    add_format(e)


def run(args: argparse.Namespace) -> int:
    from rich.text import Text

    from emu.cli._source import resolve
    from emu.fs import clean
    from emu.teach.explain import content_mark, explain, moral, oneline, ran_in

    source = resolve(args.image, args)
    path = clean(args.path)
    if source.result is None:
        node = source.image.rootfs.fs().lookup(path, follow=False)
        if node is None:
            raise UsageError(f"{path}: no such file in {source.label}")
        kind = "the catalog" if source.kind == "catalog" else "stored without its build"
        msg = (
            f"{path} is part of {source.label} ({kind}); emu has no build of it, so its "
            "story ends there"
        )
        if args.format == "json":
            write(json.dumps({"path": path, "image": source.label, "hops": []}, indent=2) + "\n")
        else:
            out().print(Text(msg))
        return 0
    result = source.result
    stage = source.stage.name if source.stage is not None else None
    hops = explain(result, path, stage=stage)
    mark = content_mark(source.image.rootfs.fs().lookup(path, follow=False))
    file = result.dockerfile.file
    final = source.stage.name if source.stage is not None else result.target.name
    if args.format == "json":
        write(
            json.dumps(
                {
                    "path": path,
                    "image": source.label,
                    "hops": [
                        {
                            "where": h.where,
                            "path": h.path,
                            "instruction": h.how or None,
                            "line": h.line or None,
                            **({"onbuild_of": h.trigger} if h.trigger else {}),
                        }
                        for h in hops
                    ],
                    "summary": moral(hops, final),
                    "content": mark,
                },
                indent=2,
            )
            + "\n"
        )
        return 0
    console = out()
    if args.oneline:
        console.print(Text(oneline(hops, file) + (f" [{mark}]" if mark else "")))
        return 0
    node = source.image.rootfs.fs().lookup(path, follow=False)
    size = f", {human_size(node.size)}" if node is not None and node.size else ""
    head = Text()
    head.append(path, style="bold")
    head.append(f"  (in {source.label}{size})", style="dim")
    console.print(head)
    if mark:
        console.print(Text(f"  content: {mark}", style="yellow"))
    for i, hop in enumerate(hops):
        if i > 0 or not hop.how:
            where = Text(f"{hop.where}:{hop.path}" if hop.where != "context" else "")
            if hop.where == "context":
                where.append("context:", style="bold magenta")
                where.append(hop.path)
            elif i == 0:
                where = Text(f"{hop.where}:{hop.path}", style="bold")
            console.print(where)
        if hop.how:
            line = Text("  ← ")
            line.append(hop.how, style="cyan")
            if hop.line:
                line.append(f"  ({file}:{hop.line}, {ran_in(hop.where, hop.trigger)})", style="dim")
            console.print(line)
    console.print(Text(moral(hops, final), style="italic"))
    return 0
