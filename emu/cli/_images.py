"""``emu images``, ``emu history``, ``emu inspect``, ``emu tag``, ``emu rmi``: the local store
seen as ``docker images`` and friends show theirs."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from emu.cli._args import IMAGE_HELP, add_format, command
from emu.cli._console import err, out, write
from emu.cli._fmt import ago, columns, human_size
from emu.cli._source import add_source_options
from emu.errors import EmuError, UsageError

if TYPE_CHECKING:
    from emu.cli._args import Subparsers
    from emu.cli._source import Source
    from emu.images.image import Image, LayerOrigin
    from emu.store import HistoryRow, StoredImage


def add_parsers(sub: Subparsers) -> None:
    im = command(
        sub,
        "images",
        "list the images in the local store (like docker images)",
        "emu images",
        "emu images my-app",
        "emu images --catalog node",
        run=run_images,
    )
    im.add_argument("repository", nargs="?", metavar="REPOSITORY[:TAG]", help="only this one")
    im.add_argument("-q", "--quiet", action="store_true", help="only the image IDs")
    im.add_argument(
        "--catalog",
        action="store_true",
        help="list emu's offline catalog instead: its image families and the tags they "
        "accept (with a family: its measured images and their sizes)",
    )
    im.add_argument("--no-notes", action="store_true", help="no size notes on stderr")
    add_format(im)

    h = command(
        sub,
        "history",
        "show the layers of an image: each instruction and its size",
        "emu history my-app",
        "emu history --stage builder my-app",
        run=run_history,
    )
    h.add_argument("image", metavar="IMAGE", help=IMAGE_HELP)
    h.add_argument("--no-trunc", action="store_true", help="do not shorten the instructions")
    add_source_options(h)
    add_format(h)

    ins = command(
        sub,
        "inspect",
        "print an image's details as JSON (like docker inspect)",
        "emu inspect my-app",
        "emu inspect --format '{{.Size}}' my-app",
        "emu inspect --format '{{json .Config}}' my-app",
        "emu inspect --format '{{range .Config.Env}}{{println .}}{{end}}' my-app",
        run=run_inspect,
    )
    ins.add_argument("image", nargs="+", metavar="IMAGE", help=IMAGE_HELP)
    ins.add_argument(
        "-f",
        "--format",
        dest="template",
        metavar="TEMPLATE",
        help="a Go template, as docker inspect's: {{.Config.Cmd}}, {{json .Config}}, "
        "{{range}}, {{index}}, {{if}} and Go's and docker's functions",
    )
    add_source_options(ins, short_file=False)  # -f is docker inspect's --format

    t = command(
        sub,
        "tag",
        "give an image another name (like docker tag)",
        "emu tag my-app my-app:v1",
        run=run_tag,
    )
    t.add_argument("source", metavar="SOURCE[:TAG]")
    t.add_argument("target", metavar="TARGET[:TAG]")

    r = command(
        sub,
        "rmi",
        "remove images from the local store (like docker rmi)",
        "emu rmi my-app",
        run=run_rmi,
    )
    r.add_argument("image", nargs="+", metavar="IMAGE")
    r.add_argument("-f", "--force", action="store_true", help="even if a container uses it")


def _lines(lines: list[str]) -> None:
    from rich.text import Text

    console = out()
    for line in lines:
        console.print(Text(line))


def _matches(entry: StoredImage, wanted: str) -> bool:
    repo, _, tag = wanted.rpartition(":") if ":" in wanted.rsplit("/", 1)[-1] else (wanted, "", "")
    return entry.repository == repo.lower() and (not tag or entry.tag_name == tag)


def _size_note(entry: StoredImage) -> str | None:
    if not entry.base or entry.compressed_base is None:
        return None
    return (
        f"{entry.tag}: SIZE is uncompressed, as docker images shows it; its base {entry.base} "
        f"is {human_size(entry.base_size)} on disk and {human_size(entry.compressed_base)} "
        "compressed (the download size registries and most tutorials quote)"
    )


def run_images(args: argparse.Namespace) -> int:
    from emu import store

    if args.catalog:
        return _catalog(args)
    entries = [e for e in store.entries() if not args.repository or _matches(e, args.repository)]
    if args.format == "json":
        write(json.dumps([_entry_json(e) for e in entries], indent=2) + "\n")
        return 0
    if args.quiet:
        seen: list[str] = []
        for e in entries:
            if e.short_id not in seen:
                seen.append(e.short_id)
        _lines(seen)
        return 0
    rows = [
        [e.repository, e.tag_name, e.short_id, ago(e.created), human_size(e.size)] for e in entries
    ]
    _lines(columns(("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"), rows, shrink=0))
    if not args.no_notes:
        from rich.text import Text

        done: set[str] = set()
        for e in entries:
            note = _size_note(e)
            if note and e.file not in done:
                done.add(e.file)
                err().print(Text("note: " + note, style="dim"))
    return 0


def _entry_json(e: StoredImage) -> dict[str, Any]:
    return {
        "Repository": e.repository,
        "Tag": e.tag_name,
        "ID": e.id,
        "CreatedAt": e.created,
        "Size": e.size,
        "Base": e.base or None,
        "BaseSize": e.base_size,
        "BaseCompressedSize": e.compressed_base,
        "HasBuild": e.has_build,
    }


def _catalog(args: argparse.Namespace) -> int:
    """Without a name: every family and the tags it accepts. With one (a family or a
    repository): that family's grammar and its measured images with their sizes."""
    from emu.images import catalog

    if not args.repository:
        fams = catalog.families()
        if args.format == "json":
            write(json.dumps([_family_json(f) for f in fams], indent=2) + "\n")
            return 0
        rows = []
        for f in fams:
            repos = ", ".join(f.repositories[:2]) + (", ..." if len(f.repositories) > 2 else "")
            rows.append([f.name, repos, f.tags])
        _lines(columns(("FAMILY", "REPOSITORIES", "TAGS"), rows))
        from rich.text import Text

        err().print(
            Text(
                "note: any tag the grammar reads resolves (sizes from the nearest measured "
                "image, marked ~); `emu images --catalog FAMILY` lists a family's measured "
                "images; `emu build --images FILE` declares more (README: Base images, offline)",
                style="dim",
            )
        )
        return 0
    fam = catalog.family_of(args.repository.split(":")[0].split("@")[0])
    if fam is None:
        raise UsageError(
            f"no image family named or serving {args.repository!r}",
            hint="`emu images --catalog` lists the families",
        )
    infos = [catalog.describe(i) for i in fam.images]
    if args.format == "json":
        doc = _family_json(fam)
        doc["Images"] = [
            {
                "ID": i.id,
                "Names": list(i.names),
                "Size": i.size,
                "SizeEstimate": i.size_estimate,
                "SizeSource": i.size_source,
                "CompressedSize": i.compressed,
                "CompressedEstimate": i.compressed_estimate,
            }
            for i in infos
        ]
        write(json.dumps(doc, indent=2) + "\n")
        return 0
    rows = []
    for i in infos:
        repo, _, tag = i.id.rpartition(":") if ":" in i.id.rsplit("/", 1)[-1] else (i.id, "", "")
        size = ("~" if i.size_estimate else "") + human_size(i.size)
        packed = (
            "-"
            if i.compressed is None
            else (("~" if i.compressed_estimate else "") + human_size(i.compressed))
        )
        rows.append([repo, tag or "-", size, packed])
    _lines(columns(("REPOSITORY", "TAG", "SIZE", "COMPRESSED"), rows, shrink=0))
    from rich.text import Text

    versions = ", ".join(fam.versions) or "-"
    err().print(
        Text(
            f"{fam.name}: {fam.about}\n  tags: {fam.tags}\n  versions: {versions}\n"
            "note: SIZE is uncompressed (what `docker images` shows); COMPRESSED is the "
            "registry download size; ~ marks an estimate",
            style="dim",
        )
    )
    return 0


def _family_json(f: Any) -> dict[str, Any]:
    return {
        "Family": f.name,
        "About": f.about,
        "Repositories": list(f.repositories),
        "Tags": f.tags,
        "Versions": list(f.versions),
        "Aliases": dict(f.aliases),
        "MeasuredImages": list(f.images),
    }


# --- history ----------------------------------------------------------------------------


def _rows_and_origins(source: Source) -> list[tuple[HistoryRow, LayerOrigin | None]]:
    """History rows (oldest first), each with the origin of the layer it made."""
    from emu import store

    image = source.image
    if source.stored is not None and source.result is None and source.stage is None:
        rows = list(source.stored.history)
        return [(r, None) for r in rows]
    rows = store.history_rows(image)
    origins: list[LayerOrigin | None] = [None] * len(rows)
    nonempty = [i for i, r in enumerate(rows) if not r.empty_layer]
    for i, layer in zip(reversed(nonempty), reversed(image.layers), strict=False):
        origins[i] = layer.origin
    return list(zip(rows, origins, strict=True))


def run_history(args: argparse.Namespace) -> int:
    from emu.cli._source import resolve

    source = resolve(args.image, args)
    pairs = list(reversed(_rows_and_origins(source)))
    base = source.root_base
    file = source.result.dockerfile.file if source.result is not None else "Dockerfile"
    compressed = None
    if base:
        from emu.cli._summary import compressed_size

        compressed = compressed_size(base)
    if args.format == "json":
        data = [
            {
                "CreatedBy": r.created_by,
                "Size": r.size,
                "EmptyLayer": r.empty_layer,
                "Comment": r.comment,
                "Stage": o.stage_name if o else None,
                "Line": o.line if o else None,
                "Instruction": o.text if o else None,
            }
            for r, o in pairs
        ]
        write(json.dumps(data, indent=2) + "\n")
        return 0
    from emu import store

    top = (source.image_id or store.image_id(source.image)).removeprefix("sha256:")[:12]
    table = []
    for i, (r, o) in enumerate(pairs):
        created_by = r.created_by
        comment = r.comment
        if o is not None:
            comment = f"{o.stage_name}, {file}:{o.line}"
        elif not created_by and not r.empty_layer:
            created_by = f"<base image {base}>" if base else "<base layers>"
            comment = f"{human_size(compressed)} compressed" if compressed else comment
        image_col = (top or "<missing>") if i == 0 else "<missing>"
        table.append([image_col, created_by, human_size(r.size), comment])
    # CREATED BY takes what the terminal's width leaves (COLUMNS, else 80 off a terminal).
    width = 10_000 if args.no_trunc else max(out().width, 60)
    _lines(columns(("IMAGE", "CREATED BY", "SIZE", "COMMENT"), table, width=width, shrink=1))
    return 0


# --- inspect ----------------------------------------------------------------------------


def inspect_json(source: Source) -> dict[str, Any]:
    from emu import outputs, store

    image: Image = source.image
    cfg = outputs.config_json(image, known_layers=store.known_layers())
    image_id = source.image_id or store.image_id(image)
    tags = []
    if source.stored is not None and source.stage is None:
        tags = sorted(
            e.tag for e in store.entries() if e.file == source.stored.file and not e.untagged
        )
    base = source.root_base
    from emu.cli._summary import compressed_size

    diff_ids = cfg.get("rootfs", {}).get("diff_ids", [])
    planned = outputs.image_layers(image)
    modelled = modelled_layers(image)
    emu: dict[str, Any] = {
        "Source": source.kind,
        "Base": base or None,
        "BaseSize": image.base_size,
        "BaseCompressedSize": compressed_size(base) if base else None,
        # What to know about the base: an unverified digest, a --permissive stand-in, ...
        "Notes": list(image.notes),
        # Per layer of RootFS.Layers: a modelled one holds size-only stand-ins (a
        # catalogued base's binaries, what an emulated program installed): it loads into
        # docker, but its programs do not run.
        "Layers": [
            {"DiffID": d, "CreatedBy": created_by, "Modelled": m}
            for d, (_, _, created_by), m in zip(diff_ids, planned, modelled, strict=False)
        ],
    }
    catalogued = base or (source.label if source.kind == "catalog" else "")
    if catalogued:
        emu.update(_catalog_facts(catalogued))
    if source.stored is not None and not base:
        emu["BaseCompressedSize"] = source.stored.compressed_base
    if source.result is not None:
        from emu.cli._summary import summarize

        emu["Build"] = summarize(source.result).as_json()
        if source.stage is not None:
            emu["Stage"] = source.stage.name
    return {
        "Id": image_id,
        "RepoTags": tags,
        "RepoDigests": [],
        "Parent": "",
        "Comment": "buildkit.dockerfile.v0" if source.result is not None else "",
        "Created": cfg.get("created", "0001-01-01T00:00:00Z"),
        "Author": cfg.get("author", ""),
        "Config": cfg.get("config", {}),
        "Architecture": cfg.get("architecture", "amd64"),
        "Os": cfg.get("os", "linux"),
        "Size": image.size,
        "RootFS": {"Type": "layers", "Layers": diff_ids},
        "History": cfg.get("history", []),
        "Emu": emu,
    }


def modelled_layers(image: Image) -> list[bool]:
    """Per layer of the image as archives hold it (:func:`emu.outputs.image_layers`):
    whether it adds a modelled file — size-only content, such as a catalogued base's
    binaries or what an emulated package manager installed."""
    from emu import outputs
    from emu.fs import Blob, Dir, File, diff

    out = []
    for before, after, _ in outputs.image_layers(image):
        changes = diff(before if before is not None else Dir(after.meta), after)
        out.append(
            any(isinstance(c.new, File) and isinstance(c.new.content, Blob) for c in changes)
        )
    return out


def _catalog_facts(ref: str) -> dict[str, Any]:
    """Which catalog model stands for ``ref`` and where its size comes from (estimates are
    marked), for `emu inspect`."""
    from emu.images import catalog

    try:
        info = catalog.describe(ref)
    except EmuError:
        return {}
    return {
        "CatalogModel": info.id,
        "BaseSizeSource": info.size_source,
        "BaseSizeEstimate": info.size_estimate,
        "CatalogNotes": info.notes or None,
    }


def run_inspect(args: argparse.Namespace) -> int:
    from emu.cli._source import resolve

    docs = [inspect_json(resolve(ref, args)) for ref in args.image]
    if args.template:
        write("".join(render_template(args.template, d) + "\n" for d in docs))
    else:
        write(json.dumps(docs, indent=4) + "\n")
    return 0


def render_template(template: str, doc: dict[str, Any]) -> str:
    """``docker inspect --format``: Go's template language (emu.cli._gotemplate); a
    template that does not parse is bad usage (exit 2), one that fails as it runs exit 1."""
    from emu.cli import _gotemplate

    try:
        return _gotemplate.render(template, doc)
    except _gotemplate.ParseError as exc:
        raise UsageError(
            f"template parsing error: {exc}",
            hint="--format takes a Go template, as docker's: {{.Config.Cmd}}, {{json .Config}}",
        ) from None
    except _gotemplate.TemplateError as exc:
        raise EmuError(
            f"template parsing error: {exc}",
            hint="`emu inspect IMAGE` prints every field; {{json .Config}} prints an object",
        ) from None


# --- tag and rmi ------------------------------------------------------------------------


def run_tag(args: argparse.Namespace) -> int:
    from emu import store

    if store.entry(args.source) is not None:
        store.tag(args.source, args.target)
        return 0
    from emu.images import catalog

    try:
        image = catalog.lookup(args.source)
    except EmuError:
        raise UsageError(
            f"No such image: {args.source}",
            hint="tag a stored image (`emu images`) or a catalogued one (`emu images --catalog`)",
        ) from None
    store.save(args.target, image, base=catalog.familiar(args.source))
    return 0


def run_rmi(args: argparse.Namespace) -> int:
    from rich.text import Text

    from emu import store
    from emu.cli._run import containers

    console = out()
    status = 0
    for ref in args.image:
        entry = store.entry(ref)
        if entry is None:
            err().print(Text(f"Error: No such image: {ref}", style="red"))
            status = 1
            continue
        users = [c for c in containers() if c.image_id == entry.id and c.running]
        if users and not args.force:
            err().print(
                Text(
                    f"Error: conflict: unable to remove {ref}: container "
                    f"{users[0].short_id} ({users[0].name}) is using it; stop it first "
                    "(emu stop) or use -f",
                    style="red",
                )
            )
            status = 1
            continue
        names = [entry.tag]
        if store.normalize_tag(ref) not in store.tags():  # an image ID: every tag of it
            names = sorted(e.tag for e in store.entries() if e.file == entry.file)
            if len(names) > 1 and not args.force:
                err().print(
                    Text(
                        f"Error: conflict: unable to delete {ref} (must be forced) - image is "
                        f"referenced in multiple repositories ({', '.join(names)})",
                        style="red",
                    )
                )
                status = 1
                continue
        for name in names:
            tag, deleted = store.untag(name)
            if not tag.startswith(store.UNTAGGED):  # an image without a name: only deleted
                console.print(Text(f"Untagged: {tag}"))
            if deleted:
                console.print(Text(f"Deleted: {deleted}"))
    return status
