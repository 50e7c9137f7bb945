"""The only network emu's builds have: URLs mapped to local content.

``curl``, ``wget`` and ``git clone`` fail offline like the real tools (``Could not resolve
host``) unless the URL is mapped here. The build engine fills the mapping from its
``--add-url URL=PATH`` option for the duration of a build; tests use :func:`mapped`::

    from emu.sh.tools import urls

    urls.add("https://example.com/app.tar.gz", b"...")          # bytes
    urls.add("https://example.com/big.bin", Blob(40_000_000))   # a size-only file
    urls.add("https://github.com/me/repo.git", tree)            # a Dir: for git clone
    urls.add_path("https://example.com/x.txt", "/host/x.txt")   # a host file or directory
    with urls.mapped({"https://example.com/a": b"hello"}):
        ...

Lookups are exact, except that a trailing ``/`` and (for git) a trailing ``.git`` are
ignored. The mapping is process-wide and independent of the image and the environment, so
the same build gives the same result wherever it runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from emu.fs import Blob, Dir, File, Lazy, Meta, Symlink

Content = bytes | Blob | Lazy | Dir

_urls: dict[str, Content] = {}


def _key(url: str) -> str:
    return url.rstrip("/")


def add(url: str, content: Content) -> None:
    """Map ``url`` to ``content`` (bytes, a size-only Blob, lazy bytes, or a tree)."""
    _urls[_key(url)] = content


def add_path(url: str, path: str | os.PathLike[str]) -> None:
    """Map ``url`` to a host file (read lazily) or a host directory (a tree)."""
    p = Path(path)
    if p.is_dir():
        add(url, _tree(p))
    else:
        add(url, _lazy(p))


def remove(url: str) -> None:
    _urls.pop(_key(url), None)


def clear() -> None:
    _urls.clear()


def get(url: str) -> Content | None:
    """What ``url`` maps to (None: unmapped, so the tool fails as it would offline)."""
    k = _key(url)
    found = _urls.get(k)
    if found is None and k.endswith(".git"):
        found = _urls.get(k[:-4])
    if found is None and not k.endswith(".git"):
        found = _urls.get(k + ".git")
    return found


def all_urls() -> list[str]:
    return sorted(_urls)


@contextmanager
def mapped(mapping: Mapping[str, Content | str | os.PathLike[str]]) -> Iterator[None]:
    """Add ``mapping`` (values: content, or host paths as ``str``/``Path``) for a block."""
    saved = dict(_urls)
    try:
        for url, value in mapping.items():
            if isinstance(value, str | os.PathLike):
                add_path(url, value)
            else:
                add(url, value)
        yield
    finally:
        _urls.clear()
        _urls.update(saved)


def host(url: str) -> str:
    """The host part of a URL (``https://user@github.com:443/x`` → ``github.com``)."""
    rest = url.split("://", 1)[1] if "://" in url else url
    rest = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    if rest.startswith("["):
        return rest.split("]", 1)[0] + "]"
    return rest.split(":", 1)[0]


def _lazy(p: Path) -> Lazy:
    return Lazy(p.stat().st_size, p.read_bytes, str(p))


def _tree(root: Path) -> Dir:
    d = Dir(Meta(0o755))
    for child in sorted(root.iterdir()):
        if child.is_symlink():
            d.entries[child.name] = Symlink(Meta(0o777), os.readlink(child))
        elif child.is_dir():
            d.entries[child.name] = _tree(child)
        elif child.is_file():
            mode = 0o755 if os.access(child, os.X_OK) else 0o644
            d.entries[child.name] = File(Meta(mode), _lazy(child))
    return d
