"""The local image store: images built with ``-t`` or imported with ``emu load``.

Kept under ``$EMU_HOME`` (default ``$XDG_DATA_HOME/emu``, i.e. ``~/.local/share/emu``):
``index.json`` maps ``name:tag`` to an image file. Image files are pickles that emu itself
wrote (never load one from elsewhere); lazily-read context bytes are materialised first,
size-only blobs stay blobs, so an image built on a 1 GB base costs only what was added.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from dataclasses import replace
from pathlib import Path

from emu.build.image import Image
from emu.errors import BuildError
from emu.fs import Dir, File, Lazy, Node, Snapshot


def home() -> Path:
    env = os.environ.get("EMU_HOME")
    if env:
        return Path(env)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "emu"


def normalize_tag(tag: str) -> str:
    name, _, t = tag.rpartition(":") if ":" in tag.rsplit("/", 1)[-1] else (tag, "", "")
    if not name:
        name, t = tag, ""
    return f"{name.lower()}:{t or 'latest'}"


def _materialize(node: Node, seen: dict[int, Node]) -> Node:
    if id(node) in seen:
        return seen[id(node)]
    out: Node = node
    if isinstance(node, Dir):
        out = Dir(node.meta, {k: _materialize(v, seen) for k, v in node.entries.items()})
    elif isinstance(node, File) and isinstance(node.content, Lazy):
        out = File(node.meta, node.content.read(), node.origin)
    seen[id(node)] = out
    return out


def _index(root: Path) -> dict[str, str]:
    try:
        data = json.loads((root / "index.json").read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise BuildError(f"the image store at {root} is unreadable: {exc}") from None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def save(tag: str, image: Image) -> str:
    """Store ``image`` under ``tag``; returns the normalised tag."""
    root = home()
    name = normalize_tag(tag)
    seen: dict[int, Node] = {}
    rootfs = Snapshot(_materialize(image.rootfs.root, seen))  # type: ignore[arg-type]
    stored = replace(image, rootfs=rootfs, layers=(), name=name, base_size=image.size)
    blob = pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL)
    digest = hashlib.sha256(blob).hexdigest()
    try:
        (root / "images").mkdir(parents=True, exist_ok=True)
        path = root / "images" / f"{digest}.pickle"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(blob)
            os.replace(tmp, path)
        index = _index(root)
        index[name] = path.name
        tmp_index = root / "index.json.tmp"
        tmp_index.write_text(json.dumps(index, indent=2, sort_keys=True))
        os.replace(tmp_index, root / "index.json")
    except OSError as exc:
        raise BuildError(f"cannot write the image store at {root}: {exc.strerror}") from None
    return name


def lookup(ref: str) -> Image | None:
    root = home()
    index = _index(root)
    file = index.get(normalize_tag(ref))
    if file is None:
        return None
    try:
        image = pickle.loads((root / "images" / file).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError) as exc:
        raise BuildError(f"stored image {ref} is unreadable: {exc}") from None
    if not isinstance(image, Image):
        raise BuildError(f"stored image {ref} is not an emu image")
    return image


def tags() -> dict[str, str]:
    return _index(home())
