"""Reading the image as a model's process sees it: files, directories, JSON, the
programs on ``PATH``, the user's home, and whether the user may write somewhere."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from typing import Any

from emu.fs import Dir, File, FsError, Node, Symlink
from emu.sh.api import W_OK, X_OK, Proc, allowed, find_executable

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def node_at(proc: Proc, path: str) -> Node | None:
    try:
        return proc.fs.lookup(proc.path(path))
    except FsError:
        return None


def is_file(proc: Proc, path: str) -> bool:
    return isinstance(node_at(proc, path), File)


def is_dir(proc: Proc, path: str) -> bool:
    return isinstance(node_at(proc, path), Dir)


def read_bytes(proc: Proc, path: str) -> bytes | None:
    """The bytes of a regular file (None if missing or size-only)."""
    node = node_at(proc, path)
    if not isinstance(node, File):
        return None
    return node.data


def read_text(proc: Proc, path: str) -> str | None:
    raw = read_bytes(proc, path)
    return None if raw is None else raw.decode("utf-8", "replace")


def listdir(proc: Proc, path: str) -> list[str]:
    node = node_at(proc, path)
    return sorted(node.entries) if isinstance(node, Dir) else []


def walk_files(proc: Proc, top: str, skip: frozenset[str] = frozenset()) -> Iterator[str]:
    """Absolute paths of the regular files under ``top``, sorted, depth first (directories
    named in ``skip`` are not entered; symlinks are not followed)."""
    root = node_at(proc, top)
    if not isinstance(root, Dir):
        return

    def rec(base: str, d: Dir) -> Iterator[str]:
        for name in sorted(d.entries):
            c = d.entries[name]
            p = posixpath.join(base, name)
            if isinstance(c, File):
                yield p
            elif isinstance(c, Dir) and name not in skip:
                yield from rec(p, c)

    yield from rec(proc.path(top), root)


def tree_bytes(node: Node | None) -> tuple[int, int]:
    """(files, bytes) under ``node``."""
    if isinstance(node, File):
        return 1, node.size
    if not isinstance(node, Dir):
        return 0, 0
    files = total = 0
    stack = [node]
    while stack:
        for child in stack.pop().entries.values():
            if isinstance(child, Dir):
                stack.append(child)
            elif isinstance(child, File):
                files += 1
                total += child.size
    return files, total


def find_up(proc: Proc, start: str, names: tuple[str, ...]) -> str | None:
    """The first ``start/name``, ``start/../name``, … that is a file (None if none)."""
    d = proc.path(start)
    while True:
        for n in names:
            p = posixpath.join(d, n)
            if is_file(proc, p):
                return p
        if d == "/":
            return None
        d = posixpath.dirname(d)


def which(proc: Proc, name: str, env: dict[str, str] | None = None) -> str | None:
    env = proc.env if env is None else env
    try:
        return find_executable(proc.fs, name, env.get("PATH", DEFAULT_PATH), proc.ident)
    except FsError:
        return None


def home(proc: Proc) -> str:
    h = proc.env.get("HOME")
    if h:
        return h
    return "/root" if proc.ident.uid == 0 else "/"


def load_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{what}: {exc.msg} at line {exc.lineno} column {exc.colno}") from None


_JSONC_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.S)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def load_jsonc(text: str, what: str) -> Any:
    """JSON with comments and trailing commas (``tsconfig.json``, ``angular.json``)."""

    def keep(m: re.Match[str]) -> str:
        s = m.group(0)
        return s if s.startswith('"') else ""

    stripped = _JSONC_TOKEN.sub(keep, text)
    stripped = _TRAILING_COMMA.sub(r"\1", stripped)
    return load_json(stripped, what)


def link_target(proc: Proc, path: str) -> str | None:
    node = proc.fs.lookup(proc.path(path), follow=False)
    return node.target if isinstance(node, Symlink) else None


def can_write(proc: Proc, path: str) -> bool:
    """Whether the process may create entries in directory ``path`` (or its first existing
    ancestor, where ``mkdir -p`` would start)."""
    p = proc.path(path)
    while True:
        node = proc.fs.lookup(p)
        if node is not None:
            return isinstance(node, Dir) and allowed(node, proc.ident, W_OK | X_OK)
        if p == "/":
            return False
        p = posixpath.dirname(p)
