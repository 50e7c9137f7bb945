"""Distribution package tables (``data/apk.yaml``, ``data/apt.yaml``) and installing their
files: listed files with their sizes, plus one size-only remainder so sizes add up."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

from emu.sh.tools._base import Writer, exe_mode
from emu.sh.tools._data import data, size_of


@dataclass(frozen=True, slots=True)
class Pkg:
    name: str
    version: str
    size: int  # installed size, bytes
    deps: tuple[str, ...] = ()
    recs: tuple[str, ...] = ()
    desc: str = ""
    files: dict[str, int | str] = field(default_factory=dict)
    rest: str | None = None
    section: str = "misc"
    dl: int = 0  # the archive's size when the index gives it
    # What the files' sizes are, for their labels: the table's figures ("modelled size") or
    # an estimate that says how it was made.
    sizes: str = "modelled size"
    rest_sizes: str = "modelled size"

    @property
    def listed(self) -> int:
        return sum(v for v in self.files.values() if isinstance(v, int))

    @property
    def download(self) -> int:
        """The archive's size: the index's, else about 40% of what it installs."""
        return self.dl or max(1000, self.size * 2 // 5)


@cache
def table(name: str) -> dict[str, Pkg]:
    raw = data(name)["packages"]
    out: dict[str, Pkg] = {}
    for pname, p in raw.items():
        out[str(pname)] = Pkg(
            name=str(pname),
            version=str(p["v"]),
            size=size_of(p["size"]),
            deps=tuple(str(d) for d in p.get("deps", ())),
            recs=tuple(str(d) for d in p.get("recs", ())),
            desc=str(p.get("desc", "")),
            files={
                str(k): (v if isinstance(v, int) else str(v))
                for k, v in (p.get("files") or {}).items()
            },
            rest=p.get("rest"),
            section=str(p.get("section", "misc")),
        )
    return out


def closure(
    names: Iterable[str],
    pkgs: dict[str, Pkg],
    installed: Callable[[str], bool],
    with_recs: bool = False,
) -> list[str]:
    """The packages to install for ``names``, dependencies first, without those installed."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(n: str) -> None:
        if n in seen or installed(n) or n not in pkgs:
            return
        seen.add(n)
        p = pkgs[n]
        for d in p.deps + (p.recs if with_recs else ()):
            visit(d)
        order.append(n)

    for n in names:
        visit(n)
    return order


def install_files(
    w: Writer, pkg: Pkg, *, excluded: Callable[[str], bool] = lambda p: False
) -> list[str]:
    """Write ``pkg``'s files; returns their absolute paths (what the package database lists)."""
    written: list[str] = []
    for path, spec in pkg.files.items():
        if excluded(path):
            continue
        if isinstance(spec, str) and spec.startswith("->"):
            w.symlink(path, spec[2:].strip())
        else:
            w.blob(
                path,
                int(spec),
                f"{pkg.name} {pkg.version}: {posixpath.basename(path)} ({pkg.sizes})",
                exe_mode(path),
            )
        written.append(path)
    rest = pkg.size - pkg.listed
    if rest > 0:
        path = pkg.rest or f"/usr/share/{pkg.name}/emu-rest.blob"
        if not excluded(path):
            w.blob(
                path,
                rest,
                f"rest of {pkg.name} {pkg.version}: libraries, data and "
                f"documentation ({pkg.rest_sizes})",
            )
            written.append(path)
    return written
