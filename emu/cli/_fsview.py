"""``emu ls``, ``emu tree``, ``emu cat``, ``emu diff``: look at an image's files.

Owners are shown by name, from the image's own /etc/passwd and /etc/group (as ``ls -l``
inside the container would); sizes as docker prints them. A file made by this build is
marked with the Dockerfile line that wrote it last, so a tree shows at a glance what the
Dockerfile added on top of the base image.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from emu.cli._args import IMAGE_HELP, add_format, command
from emu.cli._console import err, out, write, write_bytes
from emu.cli._fmt import human_size, plural
from emu.cli._source import add_source_options
from emu.errors import UsageError
from emu.records import record

if TYPE_CHECKING:
    from emu.cli._args import Subparsers
    from emu.cli._source import Source
    from emu.fs import Dir, Node
    from emu.fs.accounts import Names
    from emu.images.image import LayerOrigin


def add_parsers(sub: Subparsers) -> None:
    ls = command(
        sub,
        "ls",
        "list a directory of an image, ls -l style (owners by name, modes, sizes)",
        "emu ls my-app /usr/share/nginx/html",
        "emu ls --stage builder my-app /app",
        run=run_ls,
    )
    tree = command(
        sub,
        "tree",
        "show an image's files as a tree, marking what the Dockerfile wrote",
        "emu tree my-app /usr/share/nginx",
        "emu tree -L 2 examples/multistage-demo /",
        run=run_tree,
    )
    for p in (ls, tree):
        p.add_argument("image", metavar="IMAGE", help=IMAGE_HELP)
        p.add_argument("path", nargs="?", default="/", metavar="PATH", help="default /")
        if p is ls:
            p.add_argument("-R", "--recursive", action="store_true", help="everything below")
        else:
            p.add_argument("-L", "--depth", type=int, metavar="N", help="at most N levels")
        add_source_options(p)
        add_format(p)

    ca = command(
        sub,
        "cat",
        "print a file of an image",
        "emu cat my-app /etc/nginx/conf.d/default.conf",
        run=run_cat,
    )
    ca.add_argument("image", metavar="IMAGE", help=IMAGE_HELP)
    ca.add_argument("path", metavar="PATH")
    add_source_options(ca)

    d = command(
        sub,
        "diff",
        "what differs between two images, or between stages of one build",
        "emu diff nginx:alpine my-app",
        "emu diff --stages my-app builder          # what builder added to its base",
        "emu diff --stages examples/multistage-demo builder stage-1",
        run=run_diff,
    )
    d.add_argument(
        "refs",
        nargs="+",
        metavar="IMAGE|STAGE",
        help="two images; with --stages a build, then one or two stages",
    )
    d.add_argument(
        "--stages",
        action="store_true",
        help="compare stages of one build (a context dir or an image built with -t)",
    )
    d.add_argument(
        "--depth",
        type=int,
        metavar="N",
        help="list paths down to N levels (/app/node_modules is 2), each deeper change "
        "counted in its directory",
    )
    add_source_options(d, stage=False)
    add_format(d)


# --- provenance ------------------------------------------------------------------


def _lookup(source: Source, path: str) -> Node:
    from emu.fs import clean

    fs = source.image.rootfs.fs()
    node = fs.lookup(clean(path), follow=False)
    if node is None:
        raise UsageError(
            f"{path}: no such file or directory in {source.label}",
            hint=f"list what is there with `emu ls {source.label.split(' ')[-1]} "
            f"{_parent(clean(path))}`",
        )
    return node


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] or "/"


def _size(node: Node) -> int:
    from emu.fs import Dir, count

    if isinstance(node, Dir):
        return count(node)[1]
    return node.size


def _subtree_sizes(top: Node) -> dict[int, int]:
    """The content bytes under each directory below ``top`` (by ``id``), in one pass from the
    leaves up, where asking each directory would walk its subtree again (quadratic in a deep
    tree). Empty when a file is linked twice: its bytes count once per directory then, which
    :func:`_size` knows how to do."""
    from emu.fs import Dir, File

    order: list[Dir] = []
    seen: set[int] = set()
    stack = [top]
    while stack:
        cur = stack.pop()
        if isinstance(cur, Dir):
            order.append(cur)
            for child in cur.entries.values():
                if isinstance(child, Dir):
                    stack.append(child)
                elif isinstance(child, File):
                    if id(child) in seen:
                        return {}
                    seen.add(id(child))
    sizes: dict[int, int] = {}
    for d in reversed(order):  # children before their parents
        sizes[id(d)] = sum(
            sizes[id(c)] if isinstance(c, Dir) else c.size if isinstance(c, File) else 0
            for c in d.entries.values()
        )
    return sizes


def dumps_deep(value: Any) -> str:
    """``json.dumps(value, indent=2)`` for nesting of any depth (the json module recurses
    once per level): containers are opened and closed with an explicit stack."""
    out: list[str] = []
    # Each frame: (the items still to write, the indentation inside, the closing bracket).
    stack: list[tuple[Iterator[tuple[str | None, Any]], str, str, list[bool]]] = []

    def open_(v: Any, pad: str) -> None:
        if isinstance(v, dict) and v:
            out.append("{")
            items: Iterator[tuple[str | None, Any]] = iter(v.items())
            stack.append((items, pad + "  ", "}", [True]))
        elif isinstance(v, list) and v:
            out.append("[")
            stack.append((((None, x) for x in v), pad + "  ", "]", [True]))
        else:
            out.append(json.dumps(v))

    open_(value, "")
    while stack:
        items, pad, close, first = stack[-1]
        item = next(items, None)
        if item is None:
            stack.pop()
            out.append("\n" + pad[:-2] + close)
            continue
        key, v = item
        out.append(("\n" if first[0] else ",\n") + pad)
        first[0] = False
        if key is not None:
            out.append(json.dumps(key) + ": ")
        open_(v, pad)
    return "".join(out)


def _entry_json(
    path: str,
    node: Node,
    owners: Names,
    origin: LayerOrigin | None,
    sizes: dict[int, int] | None = None,
) -> dict[str, Any]:
    from emu.fs import Blob, File, Symlink, mode_string

    data: dict[str, Any] = {
        "path": path,
        "type": node.kind.value,
        "mode": mode_string(node),
        "uid": node.meta.uid,
        "gid": node.meta.gid,
        "user": owners.user(node.meta.uid),
        "group": owners.group(node.meta.gid),
        "size": sizes[id(node)] if sizes and id(node) in sizes else _size(node),
    }
    if isinstance(node, Symlink):
        data["target"] = node.target
    if isinstance(node, File) and isinstance(node.content, Blob):
        data["modelled"] = node.content.label or True
    if origin is not None:
        data["stage"] = origin.stage_name
        data["line"] = origin.line
        data["instruction"] = origin.text
        if origin.trigger:
            data["onbuild_of"] = origin.trigger
    return data


def _display_name(name: str, node: Node) -> str:
    from emu.fs import Dir, Symlink

    if isinstance(node, Dir):
        return name + "/"
    if isinstance(node, Symlink):
        return f"{name} -> {node.target}"
    return name


def _mark(origin: LayerOrigin | None, file: str) -> str:
    if origin is None:
        return ""
    if origin.trigger:  # the ONBUILD's line, whose trigger it was and where it ran
        from emu.teach.explain import ran_in

        return f"  ← {file}:{origin.line} ({ran_in(origin.stage_name, origin.trigger)})"
    return f"  ← {file}:{origin.line} ({origin.stage_name})"


def _dockerfile_name(source: Source) -> str:
    return source.result.dockerfile.file if source.result is not None else "Dockerfile"


def _names(source: Source) -> Names:
    from emu.fs import FS
    from emu.fs.accounts import Names

    return Names.of(FS(source.image.rootfs.root))


# --- ls -------------------------------------------------------------------------------------


def run_ls(args: argparse.Namespace) -> int:
    from rich.text import Text

    from emu.cli._source import resolve
    from emu.fs import Device, Dir, Symlink, clean, mode_string, walk
    from emu.teach.explain import writers

    source = resolve(args.image, args)
    path = clean(args.path or "/")
    node = _lookup(source, path)
    entries: list[tuple[str, Node]]
    if isinstance(node, Symlink) and not args.path.endswith("/"):
        entries = [(path, node)]
    elif isinstance(node, Dir):
        target = source.image.rootfs.fs().lookup(path)
        assert isinstance(target, Dir)
        if args.recursive:
            entries = list(walk(target, path))
        else:
            base = "" if path == "/" else path
            entries = [(f"{base}/{n}", target.entries[n]) for n in sorted(target.entries)]
    else:
        entries = [(path, node)]
    owners = _names(source)
    origins = writers(source.image) if source.result is not None else {}
    if args.format == "json":
        write(
            json.dumps([_entry_json(p, n, owners, origins.get(p)) for p, n in entries], indent=2)
            + "\n"
        )
        return 0
    file = _dockerfile_name(source)
    rows: list[tuple[str, str, str, str, str, LayerOrigin | None]] = []
    for p, n in entries:
        shown = p if args.recursive or (len(entries) == 1 and p == path) else p.rsplit("/", 1)[1]
        size = "-" if isinstance(n, Dir | Device) else human_size(n.size)
        rows.append(
            (
                mode_string(n),
                owners.user(n.meta.uid),
                owners.group(n.meta.gid),
                size,
                _display_name(shown, n),
                origins.get(p),
            )
        )
    w = [max((len(str(r[i])) for r in rows), default=0) for i in range(4)]
    console = out()
    for mode, user, group, size, name, origin in rows:
        line = Text(f"{mode}  {user:<{w[1]}}  {group:<{w[2]}}  {size:>{w[3]}}  ")
        line.append(name, style="bold" if origin is not None else "")
        line.append(_mark(origin, file), style="green")
        console.print(line)
    if origins and any(r[5] is not None for r in rows):
        err().print(
            Text(
                f"← marks what this Dockerfile wrote; see `emu explain {args.image} PATH`",
                style="dim",
            )
        )
    return 0


# --- tree -----------------------------------------------------------------------------------


def run_tree(args: argparse.Namespace) -> int:
    from rich.text import Text

    from emu.cli._source import resolve
    from emu.fs import Dir, clean
    from emu.teach.explain import writers

    source = resolve(args.image, args)
    path = clean(args.path or "/")
    node = source.image.rootfs.fs().lookup(path)
    if node is None:
        _lookup(source, path)  # raises the error
    assert node is not None
    owners = _names(source)
    origins = writers(source.image) if source.result is not None else {}
    file = _dockerfile_name(source)
    sizes = _subtree_sizes(node)
    if args.format == "json":
        # Depth is data: the tree is built and written with explicit stacks (a directory
        # 5,000 levels deep is as fine as a flat one).
        root = _entry_json(path, node, owners, origins.get(path), sizes)
        todo: list[tuple[str, Node, int, dict[str, Any]]] = [(path, node, 0, root)]
        while todo:
            p, n, depth, data = todo.pop()
            if isinstance(n, Dir) and (args.depth is None or depth < args.depth):
                base = "" if p == "/" else p
                kids = data["children"] = []
                for k in sorted(n.entries):
                    cp = f"{base}/{k}"
                    kid = _entry_json(cp, n.entries[k], owners, origins.get(cp), sizes)
                    kids.append(kid)
                    todo.append((cp, n.entries[k], depth + 1, kid))
        write(dumps_deep(root) + "\n")
        return 0
    lines: list[tuple[str, str, Node, str]] = []  # (prefix+name, meta, node, path)
    # Depth first, in name order, with an explicit stack: (directory, its path, prefix,
    # depth, its sorted names, the next one to show).
    stack: list[tuple[Dir, str, str, int, list[str], int]] = []
    if isinstance(node, Dir):
        stack.append((node, path, "", 0, sorted(node.entries), 0))
    while stack:
        d, p, prefix, depth, names, i = stack.pop()
        if i >= len(names):
            continue
        stack.append((d, p, prefix, depth, names, i + 1))
        name = names[i]
        child = d.entries[name]
        last = i == len(names) - 1
        cp = f"{'' if p == '/' else p}/{name}"
        lines.append(
            (
                prefix + ("└── " if last else "├── ") + _display_name(name, child),
                _meta(child, owners, sizes),
                child,
                cp,
            )
        )
        if isinstance(child, Dir) and (args.depth is None or depth + 1 < args.depth):
            more = prefix + ("    " if last else "│   ")
            stack.append((child, cp, more, depth + 1, sorted(child.entries), 0))

    console = out()
    head = Text(_display_name(path, node) if path != "/" else "/", style="bold")
    head.append(f"  {_meta(node, owners, sizes)}", style="dim")
    console.print(head)
    width = min(max((len(x[0]) for x in lines), default=0), 48)
    files = dirs = 0
    for label, meta, child, p in lines:
        if isinstance(child, Dir):
            dirs += 1
        else:
            files += 1
        origin = origins.get(p)
        line = Text()
        line.append(label.ljust(width), style="bold" if origin is not None else "")
        line.append(f"  {meta}", style="dim")
        line.append(_mark(origin, file), style="green")
        console.print(line)
    total = sizes.get(id(node), _size(node))
    console.print(
        Text(
            f"{plural(dirs, 'directory', 'directories')}, {plural(files, 'file')}, "
            f"{human_size(total)}"
        )
    )
    return 0


def _meta(node: Node, owners: Names, sizes: dict[int, int] | None = None) -> str:
    from emu.fs import mode_string

    size = human_size(sizes[id(node)] if sizes and id(node) in sizes else _size(node))
    return f"{mode_string(node)} {owners.user(node.meta.uid)}:{owners.group(node.meta.gid)} {size}"


# --- cat ------------------------------------------------------------------------------------


def run_cat(args: argparse.Namespace) -> int:
    from rich.text import Text

    from emu.cli._source import resolve
    from emu.fs import Blob, Device, Dir, File, Lazy, clean

    source = resolve(args.image, args)
    path = clean(args.path)
    fs = source.image.rootfs.fs()
    node = fs.lookup(path)  # cat follows symbolic links
    if node is None:
        _lookup(source, path)
        raise UsageError(f"{path}: a symbolic link to nowhere in {source.label}")
    if isinstance(node, Dir):
        raise UsageError(
            f"{path} is a directory in {source.label}",
            hint=f"list it with `emu ls {args.image} {path}`",
        )
    if isinstance(node, Device):
        raise UsageError(f"{path} is a device: emu has nothing to read from it")
    assert isinstance(node, File)
    content = node.content
    if isinstance(content, Blob):
        what = f" ({content.label})" if content.label else ""
        err().print(
            Text(
                f"emu: {path} is modelled content{what}: {human_size(content.size)} "
                f"({content.size} bytes) whose size emu knows but not its bytes, so there is "
                "nothing to print",
                style="yellow",
            )
        )
        return 0
    data = content.read() if isinstance(content, Lazy) else content
    write_bytes(data)
    return 0


# --- diff -----------------------------------------------------------------------------------


def _equal(a: Node, b: Node) -> bool:
    """Whether two nodes hold the same thing (type, owner, mode, content or target)."""
    from emu.fs import Device, Dir, File, Symlink

    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if (a.meta.mode, a.meta.uid, a.meta.gid) != (b.meta.mode, b.meta.uid, b.meta.gid):
        return False
    if isinstance(a, File) and isinstance(b, File):
        return a.same_content(b)
    if isinstance(a, Symlink) and isinstance(b, Symlink):
        return a.target == b.target
    if isinstance(a, Device) and isinstance(b, Device):
        return (a.kind, a.major, a.minor) == (b.kind, b.major, b.minor)
    return isinstance(a, Dir)


@record(frozen=True, slots=True)
class Difference:
    kind: str  # A | C | D
    path: str
    old: Node | None
    new: Node | None


def differences(old: Dir, new: Dir) -> list[Difference]:
    from emu.fs import Dir, diff, walk

    out: list[Difference] = []
    for ch in diff(old, new):
        if ch.kind == "modified":
            assert ch.old is not None and ch.new is not None
            if _equal(ch.old, ch.new):
                continue
            out.append(Difference("C", ch.path, ch.old, ch.new))
        elif ch.kind == "added":
            out.append(Difference("A", ch.path, None, ch.new))
        else:
            out.append(Difference("D", ch.path, ch.old, None))
            if isinstance(ch.old, Dir):
                out.extend(Difference("D", p, n, None) for p, n in walk(ch.old, ch.path))
    return out


def _stage_roots(args: argparse.Namespace) -> tuple[Dir, Dir, str, str]:
    from emu.cli._source import pick_stage, resolve

    names = args.refs[1:]
    if not 1 <= len(names) <= 2:
        raise UsageError(
            "emu diff --stages takes a build and one or two stages",
            hint="e.g. emu diff --stages ./app builder (what builder added to its base) or "
            "emu diff --stages ./app builder final",
        )
    source = resolve(args.refs[0], args, need_build=True)
    assert source.result is not None
    result = source.result
    a = pick_stage(result, names[0])
    assert a.image is not None
    if len(names) == 2:
        b = pick_stage(result, names[1])
        assert b.image is not None
        return a.image.rootfs.root, b.image.rootfs.root, f"stage {a.name}", f"stage {b.name}"
    own = [layer for layer in a.image.layers if layer.origin and layer.origin.stage == a.index]
    before = own[0].before if own and own[0].before is not None else a.image.rootfs.root
    return before, a.image.rootfs.root, f"the base of stage {a.name} ({a.base})", f"stage {a.name}"


def run_diff(args: argparse.Namespace) -> int:
    from rich.text import Text

    from emu.cli._source import resolve
    from emu.fs import Dir

    if args.stages:
        old, new, old_label, new_label = _stage_roots(args)
    else:
        if len(args.refs) != 2:
            raise UsageError(
                "emu diff compares two images",
                hint="emu diff IMAGE_A IMAGE_B, or emu diff --stages BUILD STAGE [STAGE]",
            )
        a = resolve(args.refs[0], args)
        b = resolve(args.refs[1], args)
        old, new, old_label, new_label = a.image.rootfs.root, b.image.rootfs.root, a.label, b.label
    found = differences(old, new)
    if args.format == "json":
        write(
            json.dumps(
                {
                    "from": old_label,
                    "to": new_label,
                    "changes": [
                        {
                            "kind": {"A": "added", "C": "changed", "D": "removed"}[d.kind],
                            "path": d.path,
                            "type": (d.new or d.old).kind.value,  # type: ignore[union-attr]
                            "old_size": _size(d.old) if d.old is not None else None,
                            "new_size": _size(d.new) if d.new is not None else None,
                        }
                        for d in found
                    ],
                },
                indent=2,
            )
            + "\n"
        )
        return 0
    console = out()
    style = {"A": "green", "C": "yellow", "D": "red"}
    _diff_summary(found, old_label, new_label, args.depth or 2)
    if args.depth is not None:
        if args.depth < 1:
            raise UsageError("--depth counts levels from /: give 1 or more")
        for kind, where, files, size, is_dir in _collapsed(found, args.depth):
            line = Text()
            line.append(f"{kind} ", style=style[kind])
            line.append(where + ("/" if is_dir else ""))
            what = f"{files} files, " if is_dir and files != 1 else ""
            line.append(f"  {what}{human_size(size)}", style="dim")
            console.print(line)
    added = changed = removed = 0
    grew = 0
    for d in found:
        node = d.new if d.new is not None else d.old
        assert node is not None
        name = d.path + ("/" if isinstance(node, Dir) else "")
        line = Text()
        line.append(f"{d.kind} ", style=style[d.kind])
        line.append(name)
        if not isinstance(node, Dir):
            if d.kind == "C":
                assert d.old is not None and d.new is not None
                line.append(f"  {human_size(d.old.size)} → {human_size(d.new.size)}", style="dim")
                grew += d.new.size - d.old.size
                changed += 1
            elif d.kind == "A":
                line.append(f"  {human_size(node.size)}", style="dim")
                grew += node.size
                added += 1
            else:
                line.append(f"  {human_size(node.size)}", style="dim")
                grew -= node.size
                removed += 1
        if args.depth is None:
            console.print(line)
    sign = "+" if grew >= 0 else "-"
    err().print(
        Text(
            f"{old_label} → {new_label}: {added} added, {changed} changed, {removed} removed "
            f"(files), {sign}{human_size(abs(grew))}",
            style="bold",
        )
    )
    return 0


def _top(path: str, depth: int) -> str:
    parts = path.strip("/").split("/")
    return "/" + "/".join(parts[:depth])


def _collapsed(found: list[Difference], depth: int) -> list[tuple[str, str, int, int, bool]]:
    """(kind, path, files, bytes, a directory?) with every change deeper than ``depth``
    counted in its directory at that depth; a group's kind is A or D when all its changes
    are, else C."""
    from emu.fs import Dir

    groups: dict[str, list[Difference]] = {}
    for d in found:
        groups.setdefault(_top(d.path, depth), []).append(d)
    out = []
    for where, items in groups.items():
        kinds = {d.kind for d in items}
        kind = kinds.pop() if len(kinds) == 1 else "C"
        files = sum(1 for d in items if not isinstance(d.new or d.old, Dir))
        size = sum(_size_of(d.new) if d.kind != "D" else _size_of(d.old) for d in items)
        is_dir = len(items) > 1 or isinstance(items[0].new or items[0].old, Dir)
        if not files and any(k.startswith(where + "/") for k in groups):
            continue  # a directory whose changes are listed below it
        out.append((kind, where, files, size, is_dir))
    return out


def _size_of(node: Node | None) -> int:
    from emu.fs import Dir

    return 0 if node is None or isinstance(node, Dir) else node.size


def _diff_summary(found: list[Difference], old_label: str, new_label: str, depth: int) -> None:
    """Before the list: what changed most, by directory (on stderr, like the totals)."""
    from rich.text import Text

    if not found:
        err().print(Text(f"{old_label} and {new_label} have the same files", style="bold"))
        return
    groups = sorted(_collapsed(found, depth), key=lambda g: (-g[3], -g[2], g[1]))
    err().print(Text(f"{old_label} → {new_label}, most changed first:", style="bold"))
    word = {"A": "added", "C": "changed", "D": "removed"}
    for kind, where, files, size, is_dir in groups[:5]:
        what = f"{files} file{'s' if files != 1 else ''} {word[kind]}" if is_dir else word[kind]
        err().print(Text(f"  {where}{'/' if is_dir else ''}: {what}, {human_size(size)}"))
    if len(groups) > 5:
        err().print(Text(f"  … and {len(groups) - 5} more (emu diff --depth {depth} lists them)"))
