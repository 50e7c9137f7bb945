"""``emu compare``: two Dockerfiles of one context side by side — the tutorial's step 7.

``emu compare examples/react-nginx -f Dockerfile -f Dockerfile.single-stage`` builds both (in
memory; nothing is stored) and prints one table: each final image's base and its size, what
the Dockerfile added, the layers, the stages; then what each image ships that the other does
not — its base image's files, and what its own instructions wrote (``/app/node_modules``,
the sources, a compiler) — and how many times smaller one is. ``--html FILE`` writes the same
as a page.

A ``-f`` path is taken from the current directory when it exists there (as ``docker build
-f`` takes it), else from the context.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from emu.cli._args import add_build_options, command
from emu.cli._fmt import columns, human_size, plural
from emu.errors import UsageError
from emu.records import record

if TYPE_CHECKING:
    from emu.cli._args import Subparsers
    from emu.cli._summary import Summary
    from emu.engine.builder import BuildResult
    from emu.fs import Node


def add_parsers(sub: Subparsers) -> None:
    c = command(
        sub,
        "compare",
        "build two Dockerfiles of a context and compare their images side by side",
        "emu compare examples/react-nginx -f Dockerfile -f Dockerfile.single-stage",
        "emu compare examples/go-alpine -f Dockerfile -f Dockerfile.single-stage --html c.html",
        run=run,
    )
    c.add_argument("context", metavar="CONTEXT", help="the build context directory")
    c.add_argument(
        "-f",
        "--file",
        dest="files",
        action="append",
        required=True,
        metavar="DOCKERFILE",
        help="a Dockerfile to build (give two)",
    )
    c.add_argument("--html", metavar="FILE", help="also write the comparison as an HTML page")
    add_build_options(
        c,
        build_arg="a build-time variable (for both builds)",
        permissive="a program emu does not emulate becomes a warning, not an error",
    )


@record(frozen=True, slots=True)
class Group:
    """Files one image ships that the other does not, under one directory."""

    where: str
    files: int
    bytes: int


@record(frozen=True, slots=True)
class Side:
    name: str
    result: BuildResult
    summary: Summary
    base_only: Group  # the files of its base image the other image lacks
    added_only: tuple[Group, ...]  # what its instructions wrote that the other lacks
    tools: tuple[str, ...]  # compilers and package managers it ships


def _dockerfile(context: str, name: str) -> str:
    if Path(name).is_file():
        return name
    inside = Path(context) / name
    if inside.is_file():
        return str(inside)
    raise UsageError(
        f"no Dockerfile {name} (looked in the current directory and in {context})",
        hint="give the path of each Dockerfile with -f",
    )


def _files(root: Node) -> dict[str, Node]:
    from emu.fs import Dir, walk

    return {p: n for p, n in walk(root) if not isinstance(n, Dir)}


def _group(paths: list[str], files: dict[str, Node], depth: int) -> list[Group]:
    groups: dict[str, list[str]] = {}
    for p in paths:
        parts = p.strip("/").split("/")
        key = "/" + "/".join(parts[: min(depth, len(parts) - 1)]) if len(parts) > 1 else p
        groups.setdefault(key, []).append(p)
    out = [Group(k, len(v), sum(files[p].size for p in v)) for k, v in groups.items()]
    out.sort(key=lambda g: (-g.bytes, -g.files, g.where))
    return out


def _sides(a: tuple[str, BuildResult], b: tuple[str, BuildResult]) -> tuple[Side, Side]:
    from emu.cli._summary import summarize
    from emu.teach.explain import writers
    from emu.teach.lessons import COMPILERS, PACKAGE_MANAGERS, tools_in

    files = [_files(r.image.rootfs.root) for _, r in (a, b)]
    sides = []
    for i, (name, result) in enumerate((a, b)):
        mine, other = files[i], files[1 - i]
        only = sorted(set(mine) - set(other))
        wrote = writers(result.image)
        added = [p for p in only if p in wrote]
        from_base = [p for p in only if p not in wrote]
        summary = summarize(result)
        tools = tools_in(result.image, {**COMPILERS, **PACKAGE_MANAGERS})
        sides.append(
            Side(
                name,
                result,
                summary,
                Group(summary.root_base, len(from_base), sum(mine[p].size for p in from_base)),
                tuple(_group(added, mine, 2)[:5]),
                tuple(f"{what} ({path})" for what, path in tools.items()),
            )
        )
    return sides[0], sides[1]


def rows(a: Side, b: Side) -> list[tuple[str, str, str]]:
    """The table: (what, the first image, the second)."""

    def stages(s: Side) -> str:
        n = len(s.summary.stages)
        dropped = sum(1 for st in s.summary.stages if st.status != "final")
        return plural(n, "stage") + (f" ({dropped} not shipped)" if dropped else "")

    def packed(s: Side) -> str:
        c = s.summary.base_compressed
        return f"{human_size(c)} to download" if c else "not known"

    return [
        ("final base", a.summary.root_base, b.summary.root_base),
        ("base size", human_size(a.summary.base_size), human_size(b.summary.base_size)),
        ("base, compressed", packed(a), packed(b)),
        (
            "added by the Dockerfile",
            f"{human_size(a.summary.added)} in {plural(a.summary.added_layers, 'layer')}",
            f"{human_size(b.summary.added)} in {plural(b.summary.added_layers, 'layer')}",
        ),
        ("final image", human_size(a.summary.final_size), human_size(b.summary.final_size)),
        (
            "layers",
            str(len(a.result.image.layers) + 1),
            str(len(b.result.image.layers) + 1),
        ),
        ("stages", stages(a), stages(b)),
        ("build tools shipped", ", ".join(a.tools) or "none", ", ".join(b.tools) or "none"),
    ]


def verdict(a: Side, b: Side) -> str:
    small, big = (a, b) if a.summary.final_size <= b.summary.final_size else (b, a)
    if not small.summary.final_size:
        return f"{small.name}'s image is empty"
    ratio = big.summary.final_size / small.summary.final_size
    if ratio < 1.05:
        return "the two images weigh about the same"
    times = f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.1f}×"
    return (
        f"{small.name}'s image is {times} smaller: {human_size(big.summary.final_size)} → "
        f"{human_size(small.summary.final_size)}, "
        f"{human_size(big.summary.final_size - small.summary.final_size)} less to store, "
        "pull and scan"
    )


def only_lines(side: Side, other: Side) -> list[str]:
    out = [f"Only in {side.name}'s image (not in {other.name}'s):"]
    g = side.base_only
    if g.files:
        out.append(
            f"  {plural(g.files, 'file')}, {human_size(g.bytes)} of its base {g.where} "
            "(its own programs and libraries)"
        )
    for a in side.added_only:
        out.append(f"  {a.where}: {plural(a.files, 'file')}, {human_size(a.bytes)} (written by it)")
    if len(out) == 1:
        out.append("  nothing")
    return out


def render_html(a: Side, b: Side) -> str:
    import html

    e = html.escape
    cells = "".join(
        f"<tr><th>{e(what)}</th><td>{e(x)}</td><td>{e(y)}</td></tr>" for what, x, y in rows(a, b)
    )
    only = "".join(
        f"<h3>{e(lines[0])}</h3><ul>"
        + "".join(f"<li>{e(line.strip())}</li>" for line in lines[1:])
        + "</ul>"
        for lines in (only_lines(a, b), only_lines(b, a))
    )
    from emu.teach.report import CSS

    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>emu compare: {e(a.name)} and {e(b.name)}</title><style>{CSS}</style></head>"
        f"<body><main><h1>{e(a.name)} and {e(b.name)}, side by side</h1>"
        f'<p class="sub">{e(verdict(a, b))}</p>'
        f'<table class="compare"><thead><tr><th></th><th>{e(a.name)}</th><th>{e(b.name)}</th>'
        f"</tr></thead><tbody>{cells}</tbody></table>{only}"
        "<footer>Generated by emu compare. Sizes are uncompressed, as docker images shows "
        "them.</footer></main></body></html>\n"
    )


def run(args: argparse.Namespace) -> int:
    from rich.text import Text

    from emu.cli._console import err, out
    from emu.cli._report import write_page
    from emu.cli._source import build_context

    if len(args.files) != 2:
        raise UsageError(
            f"give two Dockerfiles to compare, not {len(args.files)}",
            hint="emu compare CONTEXT -f Dockerfile -f Dockerfile.single-stage",
        )
    if not Path(args.context).is_dir():
        raise UsageError(f"build context is not a directory: {args.context}")
    built = []
    for name in args.files:
        ns = argparse.Namespace(**vars(args))
        ns.file = _dockerfile(args.context, name)
        result, _ = build_context(ns, args.context)
        built.append((name, result))
    a, b = _sides(built[0], built[1])
    console = out()
    table = columns(("", a.name, b.name), [list(r) for r in rows(a, b)], width=200)
    for line in table:
        console.print(Text(line), soft_wrap=True)
    console.print(Text(verdict(a, b), style="bold"), soft_wrap=True)
    for side, other in ((a, b), (b, a)):
        for line in only_lines(side, other):
            console.print(Text(line), soft_wrap=True)
    if args.html:
        write_page(args.html, render_html(a, b))
        err().print(Text(f"Wrote {args.html}"))
    return 0
