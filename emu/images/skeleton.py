"""Skeleton filesystems from catalog data: the file operations a family's YAML lists, applied
to a tree, and ``{{name}}`` parameters filled in before they are.

A catalogued image's files are a list of operations (``dir``, ``file``, ``symlink``,
``hardlink``, ``links``, ``blobs``, ``append``, ``remove``) applied on top of its base's tree;
big binaries are size-only :class:`~emu.fs.Blob` files, and one labelled *remainder* blob
makes the tree weigh exactly the image's declared size. A family's templates write
``{{version}}``-style placeholders that :func:`substitute` fills from the parameters a tag
was read into.

Sizes follow ``docker images``: the sum of the ``lstat`` sizes of every non-directory entry
(regular files, hard links counted once, and symlinks, whose size is their target's length),
which is what Docker's layer-size walk adds up (see :func:`tree_size`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from emu.errors import CatalogDataError
from emu.fs.nodes import Blob, Dir, File, Meta, Node, Symlink
from emu.fs.tree import clean

# --- parameters -------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{([a-z_][a-z0-9_]*)\}\}")


def substitute(value: Any, params: dict[str, Any], where: str) -> Any:
    """``value`` with every ``{{name}}`` replaced by ``params[name]``, through lists and
    mappings. A string that is one placeholder alone takes the parameter's own type (so
    ``blob: "{{node_size}}"`` is an integer and ``links: "{{applets}}"`` a list)."""
    if isinstance(value, str):
        if "{{" not in value:
            return value
        whole = _PLACEHOLDER.fullmatch(value)
        if whole is not None:
            return _param(params, whole.group(1), where)
        return _PLACEHOLDER.sub(lambda m: str(_param(params, m.group(1), where)), value)
    if isinstance(value, list):
        return [substitute(v, params, where) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, params, where) for k, v in value.items()}
    return value


def _param(params: dict[str, Any], name: str, where: str) -> Any:
    if name not in params:
        raise CatalogDataError(f"{where}: no parameter {{{{{name}}}}} (have {sorted(params)})")
    return params[name]


def _has_placeholder(value: Any) -> bool:
    if isinstance(value, str):
        return "{{" in value
    if isinstance(value, list):
        return any(_has_placeholder(v) for v in value)
    if isinstance(value, dict):
        return any(_has_placeholder(v) for v in value.values())
    return False


def resolve_params(params: dict[str, Any], where: str) -> dict[str, Any]:
    """Parameters whose values name other parameters (``os: "alpine:{{alpine}}"``), filled
    in until none is left (a loop is a data error)."""
    out = dict(params)
    for _ in range(8):
        pending = False
        for key, value in out.items():
            if _has_placeholder(value):
                new = substitute(value, out, f"{where}: {key}")
                pending = pending or _has_placeholder(new)
                out[key] = new
        if not pending:
            return out
    raise CatalogDataError(f"{where}: parameters refer to each other in a loop")


# --- typed access to data values ----------------------------------------------------------------


def as_int(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise CatalogDataError(f"{where}: expected a non-negative integer, got {value!r}")
    return value


def as_str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise CatalogDataError(f"{where}: expected a string, got {value!r}")
    return value


def as_mapping(value: Any, where: str) -> dict[str, Any]:
    """A mapping (an absent one is empty)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CatalogDataError(f"{where}: expected a mapping, got {value!r}")
    return value


def as_str_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise CatalogDataError(f"{where}: expected a list, got {value!r}")
    return [as_str(v, where) for v in value]


def _mode(value: Any, default: int, where: str) -> int:
    if value is None:
        return default
    # Octal strings only: YAML 1.1 reads a bare 0755 as octal but 755 as decimal.
    if not isinstance(value, str) or not re.fullmatch(r"[0-7]{3,4}", value):
        raise CatalogDataError(f"{where}: mode must be an octal string like '0755', got {value!r}")
    return int(value, 8)


def _owner(value: Any, where: str) -> tuple[int, int]:
    if value is None:
        return 0, 0
    m = re.fullmatch(r"(\d+):(\d+)", str(value))
    if m is None:
        raise CatalogDataError(f"{where}: owner must be 'UID:GID', got {value!r}")
    return int(m.group(1)), int(m.group(2))


def _path(value: Any, where: str) -> str:
    path = as_str(value, where)
    if path != clean(path) or path == "/":
        raise CatalogDataError(f"{where}: {path!r} is not a clean absolute path")
    return path


# --- sizes --------------------------------------------------------------------------------------


def tree_size(root: Dir) -> int:
    """Bytes as ``docker images`` counts them: every non-directory entry's ``lstat`` size.

    Regular files count their content (a hard link once), symlinks the length of their
    target, devices nothing: Docker sums ``lstat`` sizes over each layer's files, skipping
    directories and inodes already seen.
    """
    seen: set[int] = set()
    total = 0
    stack: list[Dir] = [root]
    while stack:
        for child in stack.pop().entries.values():
            if isinstance(child, Dir):
                stack.append(child)
            elif isinstance(child, File):
                if id(child) not in seen:
                    seen.add(id(child))
                    total += child.size
            elif isinstance(child, Symlink):
                total += child.size
    return total


# --- writing a tree -------------------------------------------------------------------------------


# Resolves an `include` operation: (group name, extra parameters) -> its operations.
Include = Callable[[str, dict[str, Any]], list[Any]]


class Builder:
    """Writes a skeleton tree directly (no symlink resolution: catalog paths are canonical).

    Directories that come from a base image are copied before the first write, so the base
    snapshot is never changed; the new tree's directories carry a private owner token, so
    any later :class:`~emu.fs.FS` writer copies before it writes.
    """

    __slots__ = ("dirs", "include", "root", "token")

    def __init__(self, base: Dir | None, include: Include | None = None) -> None:
        self.include = include
        self.token = object()
        self.root = (
            Dir(Meta(0o755), owner=self.token) if base is None else base.copy_for(self.token)
        )
        self.dirs: dict[str, Dir] = {"": self.root}

    def dir(self, path: str) -> Dir:
        """The writable directory at ``path`` ("" is the root), created 0755 root if missing."""
        d = self.dirs.get(path)
        if d is not None:
            return d
        parent_path, _, name = path.rpartition("/")
        parent = self.dir(parent_path)
        child = parent.entries.get(name)
        if child is None:
            child = Dir(Meta(0o755), owner=self.token)
            parent.entries[name] = child
        elif not isinstance(child, Dir):
            raise CatalogDataError(
                f"{path}: is a {child.kind.value}, not a directory "
                "(catalog paths must not pass through symlinks)"
            )
        elif child.owner is not self.token:
            child = child.copy_for(self.token)
            parent.entries[name] = child
        self.dirs[path] = child
        return child

    def get(self, path: str) -> Node | None:
        parent_path, _, name = path.rpartition("/")
        return self.dir(parent_path).entries.get(name)

    def put(self, path: str, node: Node, *, replace: bool = True) -> None:
        parent_path, _, name = path.rpartition("/")
        parent = self.dir(parent_path)
        old = parent.entries.get(name)
        if isinstance(old, Dir):
            raise CatalogDataError(f"{path}: cannot replace a directory")
        if old is not None and not replace:
            raise CatalogDataError(f"{path}: already exists")
        parent.entries[name] = node

    def remove(self, path: str) -> None:
        parent_path, _, name = path.rpartition("/")
        parent = self.dir(parent_path)
        if parent.entries.pop(name, None) is None:
            raise CatalogDataError(f"{path}: nothing to remove")
        self.dirs = {
            k: v for k, v in self.dirs.items() if k != path and not k.startswith(path + "/")
        }

    def apply_all(self, ops: Any, where: str) -> None:
        """Every operation of a ``files`` list; a nested list is a group (a YAML anchor
        shared by several images), ``include`` another family's group."""
        if not isinstance(ops, list):
            raise CatalogDataError(f"{where}: files must be a list")
        for i, op in enumerate(ops):
            if isinstance(op, dict) and "include" in op:
                # Another family's named group of operations (`include: debian.ca_certificates`),
                # filled in with this image's parameters.
                if self.include is None or set(op) - {"include", "with"}:
                    raise CatalogDataError(f"{where}: files[{i}]: bad include {op!r}")
                self.apply_all(self.include(as_str(op["include"], where), op.get("with") or {}),
                               f"{where}: files[{i}] ({op['include']})")  # fmt: skip
                continue
            if isinstance(op, list):  # a group, possibly of groups
                self.apply_all(op, f"{where}: files[{i}]")
            else:
                apply(self, op, f"{where}: files[{i}]")

    def finish(self, declared: int, rem: Any, where: str) -> None:
        """Make the tree weigh exactly ``declared`` bytes: the remainder blob takes the rest."""
        have = tree_size(self.root)
        if rem is None:
            if have != declared:
                raise CatalogDataError(
                    f"{where}: files add up to {have} bytes, declared size is {declared} "
                    "(add a `remainder` blob or fix the sizes)"
                )
            return
        if not isinstance(rem, dict):
            raise CatalogDataError(f"{where}: remainder must be a mapping")
        rest = declared - have
        if rest < 0:
            raise CatalogDataError(
                f"{where}: modelled files already weigh {have} bytes, more than the declared "
                f"{declared}"
            )
        path = _path(rem.get("path"), f"{where}: remainder")
        label = as_str(rem.get("label", "rest of the image (modelled)"), f"{where}: remainder")
        self.put(path, File(Meta(0o644), Blob(rest, label)), replace=False)


OP_KINDS = ("dir", "file", "symlink", "hardlink", "links", "blobs", "append", "remove")
_OP_KEYS = {
    "dir": {"dir", "mode", "owner"},
    "file": {"file", "text", "blob", "label", "traits", "mode", "owner"},
    "symlink": {"symlink", "to", "owner"},
    "hardlink": {"hardlink", "to"},
    "links": {"links", "in", "to", "owner"},
    "blobs": {"blobs", "in", "size", "label", "mode", "owner"},
    "append": {"append", "text"},
    "remove": {"remove"},
}


def apply(b: Builder, op: Any, where: str) -> None:
    """One file operation (the forms are listed in :data:`OP_KINDS`)."""
    if not isinstance(op, dict):
        raise CatalogDataError(f"{where}: expected a mapping")
    kinds = [k for k in OP_KINDS if k in op]
    if len(kinds) != 1:
        raise CatalogDataError(f"{where}: expected exactly one of {', '.join(OP_KINDS)}")
    kind = kinds[0]
    extra = set(op) - _OP_KEYS[kind]
    if extra:
        raise CatalogDataError(f"{where}: unexpected keys {sorted(extra)} for {kind}")
    uid, gid = _owner(op.get("owner"), where)
    if kind == "dir":
        d = b.dir(_path(op["dir"], where))
        d.meta = Meta(_mode(op.get("mode"), 0o755, where), uid, gid)
    elif kind == "file":
        path = _path(op["file"], where)
        content: bytes | Blob
        if ("text" in op) == ("blob" in op):
            raise CatalogDataError(f"{where}: a file needs exactly one of text, blob")
        if "text" in op:
            content = as_str(op["text"], where).encode("utf-8")
        else:
            label = as_str(op.get("label", path.rsplit("/", 1)[1]), where)
            traits = frozenset(as_str_list(op.get("traits", []), f"{where}: traits"))
            content = Blob(as_int(op["blob"], where), label, traits)
        b.put(path, File(Meta(_mode(op.get("mode"), 0o644, where), uid, gid), content))
    elif kind == "symlink":
        path = _path(op["symlink"], where)
        b.put(path, Symlink(Meta(0o777, uid, gid), as_str(op.get("to"), where)))
    elif kind == "hardlink":
        path = _path(op["hardlink"], where)
        target = b.get(_path(op.get("to"), where))
        if not isinstance(target, File):
            raise CatalogDataError(f"{where}: hard link target {op.get('to')!r} is not a file")
        b.put(path, target, replace=False)
    elif kind == "links":
        directory = _path(op.get("in"), where)
        to = as_str(op.get("to"), where)
        parent = b.dir(directory)
        for name in as_str_list(op["links"], where):
            if "/" in name or name in ("", ".", ".."):
                raise CatalogDataError(f"{where}: bad link name {name!r}")
            if name in parent.entries:
                raise CatalogDataError(f"{where}: {directory}/{name} already exists")
            parent.entries[name] = Symlink(Meta(0o777, uid, gid), to)
    elif kind == "blobs":
        # Many separate binaries of one modelled size: "{name}" in the label is replaced.
        directory = _path(op.get("in"), where)
        size = as_int(op.get("size"), where)
        label = as_str(op.get("label", "{name}"), where)
        meta = Meta(_mode(op.get("mode"), 0o755, where), uid, gid)
        parent = b.dir(directory)
        for name in as_str_list(op["blobs"], where):
            if "/" in name or name in ("", ".", "..") or name in parent.entries:
                raise CatalogDataError(f"{where}: bad or duplicate name {directory}/{name}")
            parent.entries[name] = File(meta, Blob(size, label.replace("{name}", name)))
    elif kind == "append":
        path = _path(op["append"], where)
        old = b.get(path)
        if not isinstance(old, File) or old.data is None:
            raise CatalogDataError(f"{where}: {path} is not a text file to append to")
        b.put(path, File(old.meta, old.data + as_str(op.get("text"), where).encode("utf-8")))
    else:
        b.remove(_path(op["remove"], where))
