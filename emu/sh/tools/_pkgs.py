"""Distribution package tables (``data/apk.yaml``, ``data/apt.yaml``) and installing their
files: listed files with their sizes, plus one size-only remainder so sizes add up."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import TYPE_CHECKING

from emu.fs import Meta
from emu.records import field, record
from emu.sh.api import Proc
from emu.sh.tools._base import Writer, exe_mode
from emu.sh.tools._data import data, size_of
from emu.sh.tools._image import is_file, read_text

if TYPE_CHECKING:
    from emu.sh.tools.pkgdb import Package, Universe


@record(frozen=True, slots=True)
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
    # System accounts the package's install script creates ("name:uid:gid:home:shell"), and
    # folders it ships owned by them ("path": "owner:group:mode").
    users: tuple[str, ...] = ()
    dirs: dict[str, str] = field(default_factory=dict)
    # The table describes one release (bookworm for apt); a package whose files are the same
    # in every release (configuration paths) says so, and its files answer for all of them.
    any_release: bool = False

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
            users=tuple(str(u) for u in p.get("users", ())),
            dirs={str(k): str(v) for k, v in (p.get("dirs") or {}).items()},
            any_release=bool(p.get("any_release", False)),
        )
    return out


def create_accounts(proc: Proc, w: Writer, pkg: Pkg) -> None:
    """What ``pkg``'s install script does for its service account: the group and the user
    (unless they exist; a system account, locked, as adduser -S / useradd -r make them),
    then the folders it owns."""
    for spec in pkg.users:
        name, uid, gid, home, shell = spec.split(":")
        group_text = read_text(proc, "/etc/group") or ""
        if not re.search(rf"^{re.escape(name)}:", group_text, re.M):
            w.file("/etc/group", group_text + f"{name}:x:{gid}:\n")
        passwd = read_text(proc, "/etc/passwd") or ""
        if re.search(rf"^{re.escape(name)}:", passwd, re.M):
            continue
        w.file("/etc/passwd", passwd + f"{name}:x:{uid}:{gid}:{name}:{home}:{shell}\n")
        shadow = read_text(proc, "/etc/shadow")
        if shadow is not None:
            w.file("/etc/shadow", shadow + f"{name}:!::0:::::\n", 0o640)
    ids = {u.split(":")[0]: (int(u.split(":")[1]), int(u.split(":")[2])) for u in pkg.users}
    for path, spec in pkg.dirs.items():
        owner_name, group_name, mode = spec.split(":")
        w.dir(path)
        w.fs.set_meta(
            w.proc.path(path),
            Meta(int(mode, 8), ids.get(owner_name, (0, 0))[0], ids.get(group_name, (0, 0))[1],
                 w.mtime),
        )  # fmt: skip


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


# --- packages no table knows: estimates ------------------------------------------------------

MEDIAN_SIZE = 230 * 1024  # bookworm's median Installed-Size (data/packages/README.md)
PROGRAM_MAX = 8_000_000  # at most this much of a package's size for one of its programs
# Where estimates look for a counterpart, newest first (trixie dropped some packages, such
# as openjdk-17, that bookworm and noble have).
ESTIMATE_RELEASES = ("trixie", "bookworm", "noble")


def program_files(programs: Iterable[str], installed_size: int) -> dict[str, int | str]:
    """Size-only executables for a package's programs: half its installed size spread over
    them, :data:`PROGRAM_MAX` at most each (an estimate: the indexes give no file sizes)."""
    paths = list(programs)
    if not paths:
        return {}
    each = min(installed_size // (2 * len(paths)), PROGRAM_MAX)
    return {p: each for p in paths}


# Programs Debian installs with update-alternatives, outside any bin folder of the package:
# the JDK's, as /usr/lib/jvm/java-N-openjdk-amd64/bin/<prog> with a /usr/bin link.
_JVM = re.compile(r"openjdk-(\d+)-(jre|jdk)(?:-headless)?")
_JVM_PROGRAMS = {
    "jre": ("java", "keytool", "rmiregistry"),
    "jdk": ("javac", "jar", "jarsigner", "javadoc", "javap", "jdeps", "jlink", "jshell"),
}


def debian_files(p: Package) -> dict[str, int | str]:
    """The files emu writes for a package of a universe it has no file list of: its
    programs as size-only executables (:func:`program_files`, an estimate), the JDK's behind
    their alternatives links; the rest of its size is one remainder file."""
    files: dict[str, int | str] = {}
    m = _JVM.fullmatch(p.name)
    if m:
        home = f"/usr/lib/jvm/java-{m.group(1)}-openjdk-amd64"
        for prog in _JVM_PROGRAMS[m.group(2)]:
            files[f"{home}/bin/{prog}"] = 14_000
            files[f"/usr/bin/{prog}"] = f"-> {home}/bin/{prog}"
    files.update(program_files([x for x in p.programs if x not in files], p.installed_size))
    return files


def has_programs(proc: Proc, p: Package, *names: str) -> bool:
    """Whether the image already has what package ``p`` would put on PATH: a program named
    like the package (or like one of ``names``), else every program it has. emu's images
    abridge their package databases, so this is how a model tells an installed package."""
    if not p.programs:
        return False
    named = [x for x in p.programs if posixpath.basename(x) in (p.name, *names)]
    return all(is_file(proc, x) for x in named or p.programs)


def counterpart(
    names: Iterable[str], releases: Iterable[str] = ESTIMATE_RELEASES
) -> tuple[Universe, Package] | None:
    """The first of ``names`` that a Debian/Ubuntu universe of ``releases`` has (in that
    order), to estimate another distribution's package from."""
    from emu.sh.tools import pkgdb  # the universes load only for an estimate

    wanted = list(names)
    for release in releases:
        universe = pkgdb.universe(release)
        if universe is None:
            continue
        for name in wanted:
            found = universe.get(name)
            if found is not None:
                return universe, found
    return None


def estimate(
    name: str,
    *,
    source: str,
    like: tuple[Universe, Package] | None,
    proc: Proc | None = None,
    with_deps: bool = True,
) -> Pkg:
    """A package emu has no data for (apk, dnf and yum without their indexes; a vendor's
    apt repository), installed as a marked estimate. ``like`` (a package of a Debian/Ubuntu
    universe, :func:`counterpart`) stands in for it: with ``with_deps``, together with the
    dependencies it brings on top of that release's stock image (what a package manager
    adds for a metapackage like ``gcc-c++`` is mostly its dependencies), less those whose
    programs the image of ``proc`` already has; their programs and installed sizes make the
    estimate. Without ``like``: one size-only file of the median Debian package size. The
    other distribution's real dependencies are unknown. ``source`` says why there is no
    data."""
    if like is None:
        how = "the median size of a Debian package, no programs"
        return Pkg(
            name=name,
            version="0",
            size=MEDIAN_SIZE,
            desc=f"not in emu's data ({source}): estimated from {how}",
            sizes=f"estimate: {how}",
            rest_sizes=f"estimate: {how}",
        )
    universe, same = like
    parts = [same]
    if with_deps:
        plan = universe.closure([same.name], universe.image_packages(), recommends=False)
        parts += [d for n in plan.install if n != same.name and (d := universe.get(n))]
    if proc is not None:
        parts = [p for p in parts if p is same or not has_programs(proc, p)]
    files: dict[str, int | str] = {}
    for p in parts:
        for path, spec in debian_files(p).items():
            if proc is None or not is_file(proc, path):
                files.setdefault(path, spec)
    size = sum(p.installed_size for p in parts)
    what = f"{universe.distro.capitalize()} {universe.version}'s {same.name}"
    if len(parts) > 1:
        what += f" and the {len(parts) - 1} packages it depends on"
    how = f"programs and sizes of {what}"
    return Pkg(
        name=name,
        version=same.version,
        size=max(size, sum(v for v in files.values() if isinstance(v, int))),
        desc=f"not in emu's data ({source}): estimated from {how}",
        files=files,
        sizes=f"estimate: {how}",
        rest_sizes=f"estimate: {how}",
    )
