"""The package universes of Debian and Ubuntu releases, read from shipped data.

``data/packages/<codename>.tsv.gz`` holds every binary package (amd64) of a release's
archive as its own ``Packages`` indexes describe it (``data/packages/README.md`` gives the
format, ``tests/support/make_package_data.py`` builds it). This module answers what apt
needs from it: a package's facts (:meth:`Universe.get`, :meth:`Universe.lookup` with the
virtual packages of ``Provides``), what installing some packages brings
(:meth:`Universe.closure`), the programs a package puts on PATH and which packages ship a
program, and what a stock image of the release has installed
(:meth:`Universe.image_packages`). :func:`release_of` maps an image's ``/etc/os-release`` to
its universe.

Loading is lazy and cheap: the file is a chain of gzip members; the first, small one holds
the header and a table of the others, each of which holds about 64 KiB of package lines in
name order. A universe reads the file and that table (10–20 ms); a lookup decompresses only
the block holding the name, once. The virtual-package table is one more member, read the
first time a name is checked for providers (any closure does). Everything is cached per
process.
"""

from __future__ import annotations

import bisect
import re
import zlib
from collections.abc import Collection, Container, Iterable, Iterator
from functools import cache
from importlib import resources

from emu.records import record

FORMAT = "1"

# Priority letters of the data, and apt's preference among the providers of a virtual
# package (a more basic priority first).
PRIORITIES = {
    "r": "required",
    "i": "important",
    "s": "standard",
    "o": "optional",
    "x": "extra",
}
_RANK = {p: i for i, p in enumerate(PRIORITIES.values())}

# An image's VERSION_ID -> the universe's codename, for os-release files that name no
# VERSION_CODENAME.
_VERSIONS = {
    ("debian", "11"): "bullseye",
    ("debian", "12"): "bookworm",
    ("debian", "13"): "trixie",
    ("ubuntu", "20.04"): "focal",
    ("ubuntu", "22.04"): "jammy",
    ("ubuntu", "24.04"): "noble",
}


class FormatError(ValueError):
    """The data file is not in the format this module reads (a packaging defect)."""


Relation = tuple[str, ...]  # alternatives: "a | b" is ("a", "b")


@record(frozen=True, slots=True)
class Package:
    """One binary package as the release's index lists it."""

    name: str
    version: str
    installed_size: int  # bytes: dpkg's Installed-Size (KiB) x 1024
    download_size: int  # bytes of the .deb (the index's Size)
    priority: str  # required | important | standard | optional | extra
    essential: bool
    section: str
    depends: tuple[Relation, ...]
    pre_depends: tuple[Relation, ...]
    recommends: tuple[Relation, ...]
    suggests: tuple[Relation, ...]
    provides: tuple[str, ...]
    programs: tuple[str, ...]  # absolute paths of what it ships in a bin/sbin folder
    description: str  # the synopsis line

    @property
    def program_names(self) -> tuple[str, ...]:
        return tuple(sorted({p.rsplit("/", 1)[1] for p in self.programs}))

    @property
    def installed_kib(self) -> int:
        return self.installed_size // 1024

    @property
    def required(self) -> bool:
        """Essential or of priority required: every image of the release has it."""
        return self.essential or self.priority == "required"


@record(frozen=True, slots=True)
class Plan:
    """What installing some packages takes.

    ``install`` in dependency order (a package after what it depends on); ``missing`` the
    Depends no package of the universe satisfies, as (package, relation) pairs (apt refuses
    those: "Depends: x but it is not installable"); ``recommended`` and ``suggested`` the
    relations of the planned packages that the plan leaves out, for apt's "Recommended
    packages:" and "Suggested packages:" lists.
    """

    install: tuple[str, ...]
    missing: tuple[tuple[str, Relation], ...]
    recommended: tuple[Relation, ...]
    suggested: tuple[Relation, ...]


class _Union(Container[str]):
    """Installed or planned, without copying the installed set (it may be large)."""

    def __init__(self, *parts: Container[str]) -> None:
        self.parts = parts

    def __contains__(self, name: object) -> bool:
        return any(name in p for p in self.parts)


@record(frozen=True, slots=True)
class _Block:
    first: str
    count: int
    offset: int
    length: int


def _relations(text: str) -> tuple[Relation, ...]:
    if not text:
        return ()
    return tuple(tuple(group.split("|")) for group in text.split(","))


def _programs(text: str) -> tuple[str, ...]:
    # usr/bin's programs are stored by bare name, the others with their folder.
    return tuple("/" + p if "/" in p else "/usr/bin/" + p for p in text.split())


class Universe:
    """One release's packages, read from the bytes of its ``<codename>.tsv.gz`` (the shipped
    ones through :func:`universe`)."""

    def __init__(self, data: bytes) -> None:
        head_z = zlib.decompressobj(wbits=31)
        try:
            head = head_z.decompress(data).decode("utf-8")
        except zlib.error as exc:
            raise FormatError(f"not a gzip'd package universe: {exc}") from None
        if not head_z.eof:
            raise FormatError("truncated header member")
        self._data = data
        self.meta: dict[str, list[str]] = {}
        self._blocks: list[_Block] = []
        offset = len(data) - len(head_z.unused_data)
        self._provides_at: tuple[int, int] | None = None
        self._image: frozenset[str] = frozenset()
        for line in head.splitlines():
            key, _, value = line.partition("\t")
            if key == "#block":
                first, count, length = value.split("\t")
                self._blocks.append(_Block(first, int(count), offset, int(length)))
                offset += int(length)
            elif key == "#provides":
                self._provides_at = (offset, int(value))
                offset += int(value)
            elif key == "#image":
                self._image = frozenset(value.split())
            elif key.startswith("#"):
                self.meta.setdefault(key[1:], []).append(value)
        if self.meta.get("emu-packages") != [FORMAT]:
            raise FormatError(f"format {self.meta.get('emu-packages')}, expected {FORMAT}")
        if offset != len(data):
            raise FormatError(f"members end at byte {offset}, the file at {len(data)}")
        self.distro = self._one("distro")
        self.release = self._one("release")
        self.version = self._one("version")
        self._firsts = [b.first for b in self._blocks]
        self._lines: list[dict[str, str] | None] = [None] * len(self._blocks)
        self._parsed: dict[str, Package] = {}
        self._virtual: dict[str, tuple[str, ...]] | None = None
        self._owners: dict[str, tuple[str, ...]] | None = None

    def _one(self, key: str) -> str:
        values = self.meta.get(key, [])
        if len(values) != 1:
            raise FormatError(f"header field {key!r}: {values}")
        return values[0]

    @property
    def sources(self) -> list[tuple[str, str]]:
        """(index URL, the index's Date) of every Packages file the data comes from."""
        out = []
        for value in self.meta.get("source", []):
            url, _, date = value.partition("\t")
            out.append((url, date))
        return out

    def __len__(self) -> int:
        return sum(b.count for b in self._blocks)

    # --- reading the blocks -------------------------------------------------------------------

    def _member(self, offset: int, length: int) -> str:
        return zlib.decompress(self._data[offset : offset + length], wbits=31).decode("utf-8")

    def _read_block(self, i: int) -> dict[str, str]:
        b = self._blocks[i]
        text = self._member(b.offset, b.length)
        return {ln[: ln.index("\t")]: ln for ln in text.split("\n") if ln}

    def _block(self, i: int) -> dict[str, str]:
        lines = self._lines[i]
        if lines is None:
            lines = self._lines[i] = self._read_block(i)
        return lines

    def _all_lines(self) -> Iterator[tuple[str, str]]:
        # A scan of the whole universe keeps only the blocks lookups already cached: holding
        # every block would cost tens of MB for one question.
        for i in range(len(self._blocks)):
            yield from (self._lines[i] or self._read_block(i)).items()

    def _line(self, name: str) -> str | None:
        i = bisect.bisect_right(self._firsts, name) - 1
        if i < 0:
            return None
        return self._block(i).get(name)

    def names(self) -> Iterator[str]:
        """Every real package's name, in order (reads the whole universe)."""
        for name, _ in self._all_lines():
            yield name

    # --- packages -----------------------------------------------------------------------------

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._line(name) is not None

    def get(self, name: str) -> Package | None:
        """The real package ``name`` (not a virtual one), or None."""
        pkg = self._parsed.get(name)
        if pkg is not None:
            return pkg
        line = self._line(name)
        if line is None:
            return None
        f = line.split("\t")
        if len(f) != 13:
            raise FormatError(f"{name}: {len(f)} fields, expected 13")
        pkg = Package(
            name=f[0],
            version=f[1],
            installed_size=int(f[2]) * 1024,
            download_size=int(f[3]),
            priority=PRIORITIES[f[4][0]],
            essential="E" in f[4],
            section=f[5],
            depends=_relations(f[6]),
            pre_depends=_relations(f[7]),
            recommends=_relations(f[8]),
            suggests=_relations(f[9]),
            provides=tuple(f[10].split(",")) if f[10] else (),
            programs=_programs(f[11]),
            description=f[12],
        )
        self._parsed[name] = pkg
        return pkg

    def providers(self, name: str) -> tuple[str, ...]:
        """The real packages whose Provides names ``name``, in name order."""
        if self._virtual is None:
            table: dict[str, tuple[str, ...]] = {}
            if self._provides_at is not None:
                for ln in self._member(*self._provides_at).split("\n"):
                    virtual, tab, who = ln.partition("\t")
                    if tab:
                        table[virtual] = tuple(who.split())
            self._virtual = table
        return self._virtual.get(name, ())

    def is_virtual(self, name: str) -> bool:
        """A name only Provides gives (apt: "a virtual package")."""
        return name not in self and bool(self.providers(name))

    def lookup(self, name: str) -> Package | None:
        """What ``apt-get install name`` installs: the real package, else the only provider of
        a virtual one (apt: "Note, selecting 'x' instead of 'name'"); None when nothing or
        several packages provide it (apt then asks to pick one)."""
        pkg = self.get(name)
        if pkg is not None:
            return pkg
        who = self.providers(name)
        return self.get(who[0]) if len(who) == 1 else None

    # --- programs -----------------------------------------------------------------------------

    def programs(self, name: str) -> tuple[str, ...]:
        """The paths ``name`` puts in a bin/sbin folder (empty for an unknown package)."""
        pkg = self.get(name)
        return pkg.programs if pkg else ()

    def program_owners(self, program: str) -> tuple[str, ...]:
        """The packages that ship a program called ``program`` (or at that absolute path).

        The first call reads the whole universe (about a tenth of a second).
        """
        if self._owners is None:
            owners: dict[str, set[str]] = {}
            for name, line in self._all_lines():
                for path in _programs(line.split("\t", 12)[11]):
                    owners.setdefault(path.rsplit("/", 1)[1], set()).add(name)
                    owners.setdefault(path, set()).add(name)
            self._owners = {k: tuple(sorted(v)) for k, v in owners.items()}
        return self._owners.get(program, ())

    # --- what an image has, what an install brings ------------------------------------------

    def image_packages(self) -> frozenset[str]:
        """The packages the release's stock image has installed (its dpkg status; Debian's
        ``-slim`` tags have the same packages, with fewer of their files)."""
        return self._image

    def satisfied(self, relation: Relation, have: Container[str]) -> bool:
        """Whether one alternative of ``relation`` is in ``have``, itself or by a package
        that Provides it (the data drops versions, so every relation counts as unversioned,
        which any provider satisfies)."""
        return any(alt in have or any(p in have for p in self.providers(alt)) for alt in relation)

    def _choose(self, relation: Relation, have: Container[str]) -> str | None:
        """The package apt takes for an unsatisfied relation: the first alternative that is a
        real package, or failing that whose providers exist. Among providers apt prefers an
        installed one, then an Essential one, then the most basic priority, then the one it
        parsed last (its provider lists grow at the front): the last in name order."""
        for alt in relation:
            if alt in self:
                return alt
            who = self.providers(alt)
            if who:
                known = [p for p in who if p in have]
                if known:
                    return known[0]

                def rank(name: str) -> tuple[bool, int]:
                    pkg = self.get(name)
                    if pkg is None:
                        return (True, len(_RANK))
                    return (not pkg.essential, _RANK[pkg.priority])

                return sorted(sorted(who, reverse=True), key=rank)[0]
        return None

    def closure(
        self,
        names: Iterable[str],
        installed: Collection[str] = frozenset(),
        *,
        recommends: bool = True,
    ) -> Plan:
        """What ``apt-get install names`` installs on a system with ``installed``.

        Depends and Pre-Depends are followed, and Recommends unless ``recommends`` is false
        (``--no-install-recommends``); a relation already satisfied by an installed or
        planned package (or one providing it) adds nothing. ``names`` are resolved with
        :meth:`lookup`; a name it cannot resolve is the caller's error to report and is
        skipped here.
        """
        order: list[str] = []
        planned: set[str] = set()
        missing: list[tuple[str, Relation]] = []

        have = _Union(planned, installed)

        def visit(pkg: Package) -> None:
            planned.add(pkg.name)
            rels = pkg.pre_depends + pkg.depends
            for rel in rels:
                if self.satisfied(rel, have):
                    continue
                pick = self._choose(rel, have)
                dep = self.get(pick) if pick else None
                if dep is None:
                    missing.append((pkg.name, rel))
                elif dep.name not in planned:
                    visit(dep)
            order.append(pkg.name)

        def visit_recs(pkg: Package) -> None:
            for rel in pkg.recommends:
                if self.satisfied(rel, have):
                    continue
                pick = self._choose(rel, have)
                dep = self.get(pick) if pick else None
                if dep is not None and dep.name not in planned:
                    visit(dep)

        for n in names:
            pkg = self.lookup(n)
            if pkg is not None and pkg.name not in planned and pkg.name not in installed:
                visit(pkg)
        if recommends:
            # apt installs the recommendations of every package it installs, theirs too
            done = 0
            while done < len(order):
                pending = order[done:]
                done = len(order)
                for name in pending:
                    pkg = self.get(name)
                    if pkg is not None:
                        visit_recs(pkg)
        recommended: list[Relation] = []
        suggested: list[Relation] = []
        for name in order:
            pkg = self.get(name)
            assert pkg is not None
            for rel in () if recommends else pkg.recommends:
                if not self.satisfied(rel, have) and rel not in recommended:
                    recommended.append(rel)
            for rel in pkg.suggests:
                if not self.satisfied(rel, have) and rel not in suggested:
                    suggested.append(rel)
        return Plan(tuple(order), tuple(missing), tuple(recommended), tuple(suggested))


# --- the shipped universes --------------------------------------------------------------------


def _folder() -> resources.abc.Traversable:
    return resources.files(__package__ or "emu.sh.tools").joinpath("data", "packages")


@cache
def releases() -> tuple[str, ...]:
    """The codenames whose universe is shipped."""
    return tuple(
        sorted(
            p.name.removesuffix(".tsv.gz")
            for p in _folder().iterdir()
            if p.name.endswith(".tsv.gz")
        )
    )


@cache
def universe(codename: str) -> Universe | None:
    """The shipped universe of ``codename`` (bookworm, noble, …), read once per process."""
    if codename not in releases():
        return None
    return Universe(_folder().joinpath(f"{codename}.tsv.gz").read_bytes())


def _os_fields(os_release: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in os_release.splitlines():
        m = re.match(r"\s*([A-Z_]+)=(.*)$", line)
        if m:
            fields[m.group(1)] = m.group(2).strip().strip("\"'")
    return fields


def release_of(os_release: str) -> str | None:
    """The universe an image's ``/etc/os-release`` text belongs to, if one is shipped:
    its VERSION_CODENAME, else its ID and VERSION_ID (debian 12 = bookworm, ubuntu 24.04 =
    noble)."""
    fields = _os_fields(os_release)
    known = releases()
    codename = fields.get("VERSION_CODENAME", "")
    if codename in known:
        return codename
    by_version = _VERSIONS.get((fields.get("ID", ""), fields.get("VERSION_ID", "")))
    return by_version if by_version in known else None


# Releases with no shipped universe, by codename: their version, for the nearest one.
_OTHER_CODENAMES = {
    "debian": {"jessie": 8.0, "stretch": 9.0, "buster": 10.0, "forky": 14.0, "sid": 99.0},
    "ubuntu": {"xenial": 16.04, "bionic": 18.04, "oracular": 24.10, "plucky": 25.04},
}


def nearest_release(os_release: str) -> tuple[str, bool] | None:
    """The universe that answers for an image: ``(codename, True)`` when its release is
    shipped (:func:`release_of`), else the shipped release of the same distribution closest
    in version, ``(codename, False)`` — an estimate the caller must say it is (Debian 10
    answers from bullseye, Ubuntu 26.04 from noble, sid from trixie). Derived distributions
    count by their ``ID_LIKE`` (debian or ubuntu) and ``UBUNTU_CODENAME``. None for
    anything else."""
    exact = release_of(os_release)
    if exact is not None:
        return exact, True
    fields = _os_fields(os_release)
    known = releases()
    for key in ("UBUNTU_CODENAME", "DEBIAN_CODENAME"):
        if fields.get(key) in known:
            return fields[key], False
    family = [fields.get("ID", ""), *fields.get("ID_LIKE", "").split()]
    distro = next((d for d in family if d in ("debian", "ubuntu")), None)
    if distro is None:
        return None
    codename = fields.get("VERSION_CODENAME", "")
    version = _OTHER_CODENAMES[distro].get(codename)
    if version is None and "sid" in fields.get("PRETTY_NAME", ""):
        version = _OTHER_CODENAMES["debian"]["sid"]
    if version is None:
        try:
            version = float(fields.get("VERSION_ID", "").split()[0])
        except (ValueError, IndexError):
            return None
    shipped = [
        (float(v), name) for (d, v), name in _VERSIONS.items() if d == distro and name in known
    ]
    if not shipped:
        return None
    _, best = min(shipped, key=lambda vn: (abs(vn[0] - version), -vn[0]))
    return best, False
