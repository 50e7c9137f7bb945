"""Build emu's package universes from the distributions' own package indexes.

    python tests/support/make_package_data.py                 # every release (downloads, cached)
    python tests/support/make_package_data.py bookworm noble  # some releases
    python tests/support/make_package_data.py --offline       # only what the cache holds

For each release this reads the archive's ``InRelease`` (for its ``Date``), the
``Packages.xz`` of every suite and component a stock image of that release lists in its apt
sources (the release, its ``-updates`` and its ``-security`` suites), and the release's
``Contents-amd64.gz`` (the file list, for the programs each package puts on PATH; on Debian
also ``Contents-all.gz``, which lists the architecture-independent packages). It
writes ``emu/sh/tools/data/packages/<codename>.tsv.gz``: facts, no code, in the line format
that ``emu/sh/tools/data/packages/README.md`` describes and ``emu.sh.tools.pkgdb`` reads.

Downloads are kept in ``--cache`` (default ``$EMU_PACKAGE_CACHE`` or
``~/.cache/emu-package-data``), named after their URL, so a rerun does not fetch again. The
output is byte-for-byte reproducible from the same downloads (gzip with mtime 0, sorted).

Apart from ``main``, this reads nothing emu itself needs at run time: emu never opens the
network. The parsers here are tested without the network by ``tests/sh/test_pkgdb.py``.
"""

from __future__ import annotations

import argparse
import gzip
import io
import lzma
import os
import re
import sys
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "emu" / "sh" / "tools" / "data" / "packages"
FORMAT = "1"

DEBIAN = "http://deb.debian.org/debian"
DEBIAN_SECURITY = "http://deb.debian.org/debian-security"
UBUNTU = "http://archive.ubuntu.com/ubuntu"
UBUNTU_COMPONENTS = ("main", "restricted", "universe", "multiverse")

# The directories whose files a package puts on a default PATH (names only, one level).
PROGRAM_DIRS = ("usr/local/bin", "usr/bin", "usr/sbin", "bin", "sbin")

# The columns of a package line, in order (README.md says what each holds).
FIELDS = (
    "name",
    "version",
    "installed_kib",
    "download_bytes",
    "flags",
    "section",
    "depends",
    "pre_depends",
    "recommends",
    "suggests",
    "provides",
    "programs",
    "description",
)

PRIORITY_LETTER = {
    "required": "r",
    "important": "i",
    "standard": "s",
    "optional": "o",
    "extra": "x",
}


@dataclass(frozen=True, slots=True)
class Suite:
    base: str  # the archive's URL, without a trailing slash
    name: str  # e.g. bookworm-updates
    components: tuple[str, ...]

    @property
    def inrelease(self) -> str:
        return f"{self.base}/dists/{self.name}/InRelease"

    def packages(self, component: str) -> str:
        return f"{self.base}/dists/{self.name}/{component}/binary-amd64/Packages.xz"


@dataclass(frozen=True, slots=True)
class Release:
    distro: str  # debian | ubuntu
    codename: str
    version: str  # the image's VERSION_ID
    suites: tuple[Suite, ...]
    contents: tuple[str, ...]  # Contents-amd64.gz (and -all.gz) URLs of the release suite


def _debian(codename: str, version: str) -> Release:
    main = ("main",)
    return Release(
        "debian",
        codename,
        version,
        (
            Suite(DEBIAN, codename, main),
            Suite(DEBIAN, f"{codename}-updates", main),
            Suite(DEBIAN_SECURITY, f"{codename}-security", main),
        ),
        # Debian lists the files of Architecture: all packages (python3-pip, npm,
        # ca-certificates...) in Contents-all, not in Contents-amd64.
        (
            f"{DEBIAN}/dists/{codename}/main/Contents-amd64.gz",
            f"{DEBIAN}/dists/{codename}/main/Contents-all.gz",
        ),
    )


def _ubuntu(codename: str, version: str) -> Release:
    return Release(
        "ubuntu",
        codename,
        version,
        tuple(
            Suite(UBUNTU, s, UBUNTU_COMPONENTS)
            for s in (codename, f"{codename}-updates", f"{codename}-security")
        ),
        # Ubuntu's Contents covers every component; -updates' and -security's are 80 MB each
        # (mostly kernel modules) and add no program to a package the release already has.
        (f"{UBUNTU}/dists/{codename}/Contents-amd64.gz",),
    )


RELEASES = {
    r.codename: r
    for r in (
        _debian("bullseye", "11"),
        _debian("bookworm", "12"),
        _debian("trixie", "13"),
        _ubuntu("focal", "20.04"),
        _ubuntu("jammy", "22.04"),
        _ubuntu("noble", "24.04"),
    )
}


# --- Debian version order (deb-version(7)) ----------------------------------------------------


def _order(c: str) -> int:
    if c == "~":
        return -1
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


def _compare_part(a: str, b: str) -> int:
    """Compare upstream versions or revisions: non-digit runs by the tilde-first character
    order, digit runs numerically, alternately."""
    i = j = 0
    while i < len(a) or j < len(b):
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ac = _order(a[i]) if i < len(a) and not a[i].isdigit() else 0
            bc = _order(b[j]) if j < len(b) and not b[j].isdigit() else 0
            if ac != bc:
                return -1 if ac < bc else 1
            i += 1
            j += 1
        m = re.match(r"\d*", a[i:])
        n = re.match(r"\d*", b[j:])
        da = m.group(0) if m else ""
        db = n.group(0) if n else ""
        i += len(da)
        j += len(db)
        x, y = int(da or 0), int(db or 0)
        if x != y:
            return -1 if x < y else 1
    return 0


def _split_version(v: str) -> tuple[int, str, str]:
    epoch, _, rest = v.rpartition(":") if ":" in v else ("0", "", v)
    upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "")
    return int(epoch or 0), upstream, revision


def compare_versions(a: str, b: str) -> int:
    """-1, 0 or 1 as dpkg orders Debian versions ``a`` and ``b``."""
    ea, ua, ra = _split_version(a)
    eb, ub, rb = _split_version(b)
    if ea != eb:
        return -1 if ea < eb else 1
    return _compare_part(ua, ub) or _compare_part(ra, rb)


# --- parsing the indexes ------------------------------------------------------------------------


def stanzas(text: str) -> Iterator[dict[str, str]]:
    """The paragraphs of a deb822 file (Packages, InRelease's body) as field -> first line.

    Continuation lines (a long description's) are dropped: nothing here reads them.
    """
    for para in re.split(r"\n[ \t]*\n", text):
        fields: dict[str, str] = {}
        for line in para.splitlines():
            if not line or line[0] in " \t#":
                continue
            key, sep, value = line.partition(":")
            if sep:
                fields[key.strip()] = value.strip()
        if fields:
            yield fields


def release_date(inrelease: str) -> str:
    """The ``Date`` field of a (signed) Release file."""
    m = re.search(r"^Date:\s*(.+)$", inrelease, re.M)
    return m.group(1).strip() if m else ""


_ARCH_QUAL = re.compile(r":(any|native|amd64|all)$")


def relation_names(value: str) -> list[str]:
    """A Depends-style field as groups of alternatives, ``a|b``: versions, architecture
    qualifiers and build profiles dropped, duplicate groups removed, order kept."""
    groups: list[str] = []
    for group in value.split(","):
        alts: list[str] = []
        for alt in group.split("|"):
            name = re.sub(r"\(.*?\)|\[.*?\]|<.*?>", "", alt).strip()
            name = _ARCH_QUAL.sub("", name)
            if name and name not in alts:
                alts.append(name)
        text = "|".join(alts)
        if text and text not in groups:
            groups.append(text)
    return groups


@dataclass(slots=True)
class Record:
    name: str
    version: str
    installed_kib: int
    download_bytes: int
    priority: str
    essential: bool
    section: str
    depends: list[str]
    pre_depends: list[str]
    recommends: list[str]
    suggests: list[str]
    provides: list[str]
    description: str
    programs: list[str] = field(default_factory=list)

    @property
    def flags(self) -> str:
        return PRIORITY_LETTER.get(self.priority, "o") + ("E" if self.essential else "")


def _clean(text: str) -> str:
    return text.replace("\t", " ").replace("\n", " ").strip()


def parse_packages(text: str) -> Iterator[Record]:
    """The records of a ``Packages`` index."""
    for f in stanzas(text):
        name = f.get("Package")
        version = f.get("Version")
        if not name or not version:
            continue
        section = f.get("Section", "misc")
        provides = [g.split("|")[0] for g in relation_names(f.get("Provides", ""))]
        yield Record(
            name=name,
            version=version,
            installed_kib=int(f.get("Installed-Size", "0") or 0),
            download_bytes=int(f.get("Size", "0") or 0),
            priority=f.get("Priority", "optional"),
            essential=f.get("Essential", "no").lower() == "yes",
            section=section.rsplit("/", 1)[-1],  # "universe/utils" -> "utils"
            depends=relation_names(f.get("Depends", "")),
            pre_depends=relation_names(f.get("Pre-Depends", "")),
            recommends=relation_names(f.get("Recommends", "")),
            suggests=relation_names(f.get("Suggests", "")),
            provides=[p for p in provides if p != name],
            description=_clean(f.get("Description", "")),
        )


def parse_contents(lines: Iterable[str]) -> dict[str, set[str]]:
    """Package name -> the paths (relative to /) it ships directly in a PROGRAM_DIRS folder,
    from a ``Contents`` file (``path   section/package,section/package``; an old-style
    free-text header before ``FILE  LOCATION`` is skipped)."""
    out: dict[str, set[str]] = {}
    prefixes = tuple(d + "/" for d in PROGRAM_DIRS)
    for line in lines:
        if not line.startswith(prefixes):
            continue
        parts = line.rstrip("\n").rsplit(None, 1)
        if len(parts) != 2:
            continue
        path, where = parts
        folder, _, name = path.rpartition("/")
        if folder not in PROGRAM_DIRS or not name or " " in path:
            continue
        for loc in where.split(","):
            pkg = loc.rsplit("/", 1)[-1]
            out.setdefault(pkg, set()).add(path)
    return out


def program_field(paths: Iterable[str]) -> str:
    """Programs as stored: usr/bin's by bare name, the others with their folder."""
    return " ".join(sorted(p[len("usr/bin/") :] if p.startswith("usr/bin/") else p for p in paths))


def merge(records: Iterable[Record]) -> dict[str, Record]:
    """One record per package: the highest version (the updates and security suites)."""
    out: dict[str, Record] = {}
    for r in records:
        old = out.get(r.name)
        if old is None or compare_versions(r.version, old.version) > 0:
            out[r.name] = r
    return out


# --- the shipped format -------------------------------------------------------------------------

BLOCK_BYTES = 64 * 1024  # package lines per gzip member: deflate's window is 32 KiB, so
# larger blocks would compress no better, and a lookup decompresses one block


def _member(text: str) -> bytes:
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def package_line(r: Record) -> str:
    return "\t".join(
        [
            r.name,
            r.version,
            str(r.installed_kib),
            str(r.download_bytes),
            r.flags,
            r.section,
            ",".join(r.depends),
            ",".join(r.pre_depends),
            ",".join(r.recommends),
            ",".join(r.suggests),
            ",".join(r.provides),
            program_field(r.programs),
            r.description,
        ]
    )


def render(
    release: Release,
    sources: list[tuple[str, str]],
    records: dict[str, Record],
    image: list[str] | None = None,
) -> bytes:
    """The bytes of ``<codename>.tsv.gz``: a header member, then the package blocks, then
    the virtual-package table (README.md)."""
    blocks: list[list[str]] = [[]]
    size = 0
    providers: dict[str, set[str]] = {}
    for name in sorted(records):
        r = records[name]
        for p in r.provides:
            providers.setdefault(p, set()).add(name)
        if size >= BLOCK_BYTES:
            blocks.append([])
            size = 0
        line = package_line(r)
        blocks[-1].append(line)
        size += len(line) + 1
    members = [_member("".join(ln + "\n" for ln in b)) for b in blocks]
    virtual = _member(
        "".join(f"{v}\t{' '.join(sorted(ps))}\n" for v, ps in sorted(providers.items()))
    )
    head = [
        f"#emu-packages\t{FORMAT}",
        f"#distro\t{release.distro}",
        f"#release\t{release.codename}",
        f"#version\t{release.version}",
        "#generated-by\ttests/support/make_package_data.py",
    ]
    head += [f"#source\t{url}\t{date}" for url, date in sources]
    head += [f"#contents\t{url}" for url in release.contents]
    head.append("#fields\t" + "\t".join(FIELDS))
    if image is not None:
        head.append(f"#image\t{' '.join(sorted(image))}")
    head += [
        f"#block\t{b[0].split(chr(9), 1)[0]}\t{len(b)}\t{len(m)}"
        for b, m in zip(blocks, members, strict=True)
    ]
    head.append(f"#provides\t{len(virtual)}")
    return _member("".join(h + "\n" for h in head)) + b"".join(members) + virtual


# Packages the published image manifests list beyond what the rule in image_set() computes
# (docker-brew-ubuntu-core focal/ubuntu-focal-oci-amd64-root.manifest: Ubuntu's base tarball
# keeps bzip2, of priority important since).
IMAGE_EXTRAS: dict[str, tuple[str, ...]] = {"focal": ("bzip2",)}


def image_set(release: Release, data: bytes) -> list[str]:
    """The packages of the release's stock Docker image. Debian's (debuerreotype) and
    Ubuntu's (the ubuntu-base tarball) are debootstrap's minbase variant: the Essential and
    Priority: required packages and apt, with their Depends and Pre-Depends (no Recommends).
    debootstrap merges /usr itself and installs usr-is-merged, where the release has it, in
    place of the usrmerge package that init-system-helpers' first alternative names. Checked
    against the published manifests (tests/sh/test_pkgdb.py)."""
    from emu.sh.tools.pkgdb import Universe

    u = Universe(data)
    seeds = ["usr-is-merged"] if "usr-is-merged" in u else []
    seeds += [n for n in u.names() if (p := u.get(n)) is not None and p.required]
    seeds += ["apt", *IMAGE_EXTRAS.get(release.codename, ())]
    return sorted(u.closure(seeds, recommends=False).install)


def build(release: Release, fetch: Fetch) -> bytes:
    sources: list[tuple[str, str]] = []
    records: list[Record] = []
    for suite in release.suites:
        date = release_date(fetch(suite.inrelease).decode("utf-8", "replace"))
        for comp in suite.components:
            url = suite.packages(comp)
            text = lzma.decompress(fetch(url)).decode("utf-8", "replace")
            sources.append((url, date))
            records.extend(parse_packages(text))
    merged = merge(records)
    for url in release.contents:
        with gzip.open(io.BytesIO(fetch(url)), "rt", encoding="utf-8", errors="replace") as fh:
            for pkg, paths in parse_contents(fh).items():
                if pkg in merged:
                    merged[pkg].programs.extend(sorted(paths))
    first = render(release, sources, merged)
    return render(release, sources, merged, image_set(release, first))


# --- downloading --------------------------------------------------------------------------------


class Fetch:
    """GET with a file cache named after the URL."""

    def __init__(self, cache: Path, offline: bool) -> None:
        self.cache = cache
        self.offline = offline

    def __call__(self, url: str) -> bytes:
        path = self.cache / url.split("://", 1)[1]
        if path.exists():
            return path.read_bytes()
        if self.offline:
            raise SystemExit(f"not in the cache ({path}): {url}")
        print(f"GET {url}", file=sys.stderr)
        req = urllib.request.Request(url, headers={"User-Agent": "emu-make-package-data"})
        with urllib.request.urlopen(req, timeout=120) as resp:
            body: bytes = resp.read()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(body)
        tmp.replace(path)
        return body


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("releases", nargs="*", metavar="CODENAME", help=", ".join(RELEASES))
    default_cache = os.environ.get("EMU_PACKAGE_CACHE") or str(
        Path.home() / ".cache" / "emu-package-data"
    )
    ap.add_argument("--cache", default=default_cache)
    ap.add_argument("--offline", action="store_true")
    args = ap.parse_args(argv)
    unknown = [r for r in args.releases if r not in RELEASES]
    if unknown:
        ap.error(f"unknown release {', '.join(unknown)} (known: {', '.join(RELEASES)})")
    fetch = Fetch(Path(args.cache), args.offline)
    OUT.mkdir(parents=True, exist_ok=True)
    for codename in args.releases or list(RELEASES):
        data = build(RELEASES[codename], fetch)
        target = OUT / f"{codename}.tsv.gz"
        target.write_bytes(data)
        text = gzip.decompress(data)
        print(f"{target.relative_to(ROOT)}: {len(data):,} bytes ({len(text):,} uncompressed)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
