"""``apt-get`` and ``apt`` (Debian, Ubuntu), modelled offline.

The image's ``/etc/os-release`` names its release; apt then knows every package of it
(:mod:`.pkgdb`, built from the release's own indexes): versions, Installed-Size, .deb sizes,
dependencies, recommendations, virtual packages, and the programs each puts on PATH. A
release emu ships no data for answers from the nearest one, with a warning that it is an
estimate (Debian 10 from Debian 11, Ubuntu 26.04 from 24.04).

``apt-get update`` writes the package indexes under ``/var/lib/apt/lists`` (real files of
realistic size — 18 MB on bookworm — so ``rm -rf /var/lib/apt/lists/*`` really shrinks the
layer); ``apt-get install -y [--no-install-recommends] pkg…`` installs the packages, their
dependencies and (unless told not to) their recommendations, records them in
``/var/lib/dpkg/status``, ``/var/lib/dpkg/info/<pkg>.list`` and
``/var/lib/apt/extended_states``. A package's files are those of emu's table
(``data/apt.yaml``, bookworm) when it lists the package, else its programs as size-only
executables and the rest of its Installed-Size as one file; their labels say which sizes
are estimates. What the image already has answers as apt does (``tar is already the newest
version (…)``): the release's stock packages, and any package whose programs are all there
(emu's images abridge their dpkg status). A package only a third-party repository in the
sources can have (nodesource, docker, pgdg…) is installed as a marked estimate.

``remove``/``purge``/``autoremove`` take packages away again (a base image's package: its
programs; essential ones only with ``--allow-remove-essential``); ``clean`` empties
``/var/cache/apt``. As on a fresh image, ``install`` before ``update`` fails: ``E: Unable to
locate package curl`` (status 100); so does an unknown package, a virtual package several
packages provide, a non-root user (the dpkg lock) and, without ``-y``, a question nobody
can answer.
"""

from __future__ import annotations

import fnmatch
import re

from emu.sh.api import Proc
from emu.sh.options import Opts, Syntax
from emu.sh.tools import pkgdb
from emu.sh.tools._base import ToolError, Writer, modelled, not_modelled, parses, tool
from emu.sh.tools._data import data, kb, mb, size_of
from emu.sh.tools._image import can_write, is_file, listdir, node_at, read_text, tree_bytes
from emu.sh.tools._pkgs import (
    Pkg,
    closure,
    debian_files,
    estimate,
    has_programs,
    install_files,
    program_files,
    table,
)

LISTS = "/var/lib/apt/lists"
STATUS = "/var/lib/dpkg/status"
INFO = "/var/lib/dpkg/info"
EXTENDED = "/var/lib/apt/extended_states"
ARCHIVES = "/var/cache/apt/archives"

_CONSTRAINT = re.compile(r"[=:/].*$")


class _Source:
    def __init__(self, uri: str, suite: str, components: list[str]) -> None:
        self.uri = uri.rstrip("/")
        self.suite = suite
        self.components = components

    @property
    def prefix(self) -> str:
        bare = self.uri.split("://", 1)[-1]
        return bare.replace("/", "_") + "_dists_" + self.suite.replace("/", "_")


def _sources(proc: Proc) -> list[_Source]:
    out: list[_Source] = []
    one_line = [read_text(proc, "/etc/apt/sources.list") or ""]
    for name in listdir(proc, "/etc/apt/sources.list.d"):
        text = read_text(proc, f"/etc/apt/sources.list.d/{name}") or ""
        if name.endswith(".list"):
            one_line.append(text)
        elif name.endswith(".sources"):
            for stanza in re.split(r"\n\s*\n", text):
                fields: dict[str, str] = {}
                for line in stanza.splitlines():
                    if ":" in line and not line.startswith((" ", "#")):
                        k, v = line.split(":", 1)
                        fields[k.strip().lower()] = v.strip()
                if "deb" not in fields.get("types", "").split():
                    continue
                for uri in fields.get("uris", "").split():
                    for suite in fields.get("suites", "").split():
                        out.append(_Source(uri, suite, fields.get("components", "").split()))
    for text in one_line:
        for line in text.splitlines():
            words = re.sub(r"\[[^]]*\]", "", line.split("#", 1)[0]).split()
            if len(words) >= 3 and words[0] == "deb":
                out.append(_Source(words[1], words[2], list(words[3:])))
    return out


def _stanzas(text: str) -> list[str]:
    return [s.strip("\n") for s in re.split(r"\n\s*\n", text) if s.strip()]


def _field(stanza: str, key: str) -> str:
    m = re.search(rf"^{re.escape(key)}:\s*(.*)$", stanza, re.M)
    return m.group(1).strip() if m else ""


class _Status:
    def __init__(self, text: str) -> None:
        self.stanzas = _stanzas(text)

    def installed(self) -> dict[str, str]:
        out = {}
        for s in self.stanzas:
            if "install ok installed" in _field(s, "Status"):
                out[_field(s, "Package")] = s
        return out

    def text(self) -> str:
        return "".join(s + "\n\n" for s in self.stanzas)


def _stanza(p: Pkg) -> str:
    lines = [
        f"Package: {p.name}",
        "Status: install ok installed",
        "Priority: optional",
        f"Section: {p.section}",
        f"Installed-Size: {(p.size + 1023) // 1024}",
        "Maintainer: emu model <emu@localhost>",
        "Architecture: amd64",
        f"Version: {p.version}",
    ]
    if p.deps:
        lines.append("Depends: " + ", ".join(p.deps))
    if p.recs:
        lines.append("Recommends: " + ", ".join(p.recs))
    lines.append(f"Description: {p.desc}")
    return "\n".join(lines)


def _conf(proc: Proc) -> str:
    parts = [read_text(proc, "/etc/apt/apt.conf") or ""]
    for name in listdir(proc, "/etc/apt/apt.conf.d"):
        parts.append(read_text(proc, f"/etc/apt/apt.conf.d/{name}") or "")
    return "\n".join(parts)


def _dpkg_excludes(proc: Proc) -> tuple[list[str], list[str]]:
    exc: list[str] = []
    inc: list[str] = []
    for name in listdir(proc, "/etc/dpkg/dpkg.cfg.d"):
        for line in (read_text(proc, f"/etc/dpkg/dpkg.cfg.d/{name}") or "").splitlines():
            words = line.split()
            if len(words) == 2 and words[0] == "path-exclude":
                exc.append(words[1])
            elif len(words) == 2 and words[0] == "path-include":
                inc.append(words[1])
    return exc, inc


def _has_lists(proc: Proc) -> bool:
    return any("_Packages" in n for n in listdir(proc, LISTS))


def _lock(proc: Proc) -> None:
    if not can_write(proc, "/var/lib/dpkg"):
        raise ToolError(
            "E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission "
            "denied)\nE: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend),"
            " are you root?",
            100,
        )


def _lock_lists(proc: Proc) -> None:
    if not can_write(proc, LISTS):
        raise ToolError(
            f"E: Could not open lock file {LISTS}/lock - open (13: Permission denied)\n"
            f"E: Unable to lock directory {LISTS}/",
            100,
        )


def _wrap(names: list[str]) -> str:
    lines: list[str] = []
    cur = " "
    for n in names:
        if len(cur) + len(n) + 1 > 79 and cur.strip():
            lines.append(cur)
            cur = " "
        cur += " " + n
    lines.append(cur)
    return "\n".join(lines) + "\n"


APT = Syntax(
    (
        "-o|--option= -t|--target-release= -c|--config-file= -q|--quiet -y|--assume-yes|--yes "
        "-v|--version"
    ),
    short=True,
)


@tool("apt-get", "apt", note="modelled: installs from emu's offline Debian package table")
@parses(APT)
def apt_get(proc: Proc, o: Opts) -> int:
    config = o.all("--option")
    levels = o.all("--quiet")  # -q, -qq or --quiet=2
    quiet = (
        int(levels[-1])
        if levels and (levels[-1].isascii() and levels[-1].isdigit())
        else o.count("--quiet")
    )
    if proc.name == "apt":
        proc.stderr.write(
            "\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n"
        )
    if "--version" in o:
        proc.out("apt 2.6.1 (amd64)\n")
        return 0
    if not o.args:
        proc.out("apt 2.6.1 (amd64)\nUsage: apt-get [options] command\n")
        return 1
    cmd, names = o.args[0], o.args[1:]
    yes = "--yes" in o or "--force-yes" in o or quiet >= 2
    yes = yes or any(
        c.lower().startswith("apt::get::assume-yes=")
        and c.split("=", 1)[1].lower() in ("1", "true", "yes")
        for c in config
    )
    if cmd == "update":
        _lock_lists(proc)
        return _update(proc, quiet)
    if cmd in ("install", "reinstall"):
        _lock(proc)
        conf = _conf(proc) + "\n" + "\n".join(config)
        recs = "--install-recommends" in o or not (
            "--no-install-recommends" in o
            or re.search(r'APT::Install-Recommends\s*[= ]\s*"?(false|0|no)', conf, re.I)
        )
        return _install(proc, names, yes=yes, recs=recs, quiet=quiet, conf=conf)
    if cmd in ("remove", "purge", "autoremove"):
        _lock(proc)
        return _remove(
            proc,
            names,
            yes=yes,
            auto=cmd == "autoremove" or "--auto-remove" in o,
            purge=cmd == "purge" or "--purge" in o,
            essential_ok="--allow-remove-essential" in o,
        )
    if cmd in ("clean", "autoclean", "distclean"):
        _lock(proc)
        w = Writer(proc)
        for name in listdir(proc, ARCHIVES):
            if name.endswith(".deb"):
                w.remove(f"{ARCHIVES}/{name}")
        for name in listdir(proc, f"{ARCHIVES}/partial"):
            w.remove(f"{ARCHIVES}/partial/{name}")
        for name in listdir(proc, "/var/cache/apt"):
            if name.endswith(".bin"):
                w.remove(f"/var/cache/apt/{name}")
        if cmd == "distclean":
            for name in listdir(proc, LISTS):
                if name not in ("lock", "partial", "auxfiles"):
                    w.remove(f"{LISTS}/{name}")
        return 0
    if cmd in ("upgrade", "dist-upgrade", "full-upgrade"):
        _lock(proc)
        proc.out(
            "Reading package lists...\nBuilding dependency tree...\nReading state "
            "information...\nCalculating upgrade...\n0 upgraded, 0 newly installed, 0 to "
            "remove and 0 not upgraded.\n"
        )
        modelled(proc, f"apt-get {cmd} (emu's archive has no newer versions)")
        return 0
    if cmd in ("check", "source", "build-dep", "download", "changelog"):
        return not_modelled(proc, f"apt-get {cmd}")
    raise ToolError(f"E: Invalid operation {cmd}", 100)


def _update(proc: Proc, quiet: int) -> int:
    lists = data("apt")["lists"]
    sizes = lists["packages"]
    gz = is_file(proc, "/etc/apt/apt.conf.d/docker-gzip-indexes")
    clean = is_file(proc, "/etc/apt/apt.conf.d/docker-clean")
    existing = set(listdir(proc, LISTS))
    w = Writer(proc)
    w.dir(f"{LISTS}/partial", 0o700)
    w.dir(f"{LISTS}/auxfiles")
    if "lock" not in existing:
        w.file(f"{LISTS}/lock", b"", 0o640)
    fetched = 0
    k = 0
    out: list[str] = []
    for src in _sources(proc):
        k += 1
        name = f"{src.prefix}_InRelease"
        irsize = size_of(lists["inrelease"].get(src.suite, lists["inrelease"]["default"]))
        if name in existing:
            out.append(f"Hit:{k} {src.uri} {src.suite} InRelease")
            continue
        out.append(f"Get:{k} {src.uri} {src.suite} InRelease [{_ksize(irsize)}]")
        w.blob(
            f"{LISTS}/{name}",
            irsize,
            f"signed Release file of {src.uri} {src.suite} (modelled size)",
        )
        fetched += irsize
        for comp in src.components:
            k += 1
            spec = sizes.get(f"{src.suite}/{comp}", sizes["default"])
            dl, stored = size_of(spec["dl"]), size_of(spec["stored"])
            suffix = ".gz" if gz else ".lz4"
            out.append(f"Get:{k} {src.uri} {src.suite}/{comp} amd64 Packages [{_ksize(dl)}]")
            w.blob(
                f"{LISTS}/{src.prefix}_{comp}_binary-amd64_Packages{suffix}",
                dl if gz else stored,
                f"package index of {src.uri} {src.suite}/{comp} (modelled size; "
                "rm -rf /var/lib/apt/lists/* removes it)",
            )
            fetched += dl
    if not clean:
        w.blob(
            "/var/cache/apt/pkgcache.bin",
            size_of(lists["pkgcache"]),
            "apt's binary package cache (modelled size)",
        )
        w.blob(
            "/var/cache/apt/srcpkgcache.bin",
            size_of(lists["srcpkgcache"]),
            "apt's binary source cache (modelled size)",
        )
    if quiet < 2:
        proc.out("\n".join(out) + "\n")
        proc.out(f"Fetched {kb(fetched)} in 1s ({kb(fetched)}/s)\n" if fetched else "")
    if quiet < 1:
        proc.out("Reading package lists...\n")
    _, total = _lists_size(proc)
    modelled(proc, f"apt-get update (package lists: {mb(total)} in {LISTS})")
    return 0


def _ksize(n: int) -> str:
    if n >= 10_000_000:
        return f"{n / 1e6:.1f} MB"
    return f"{n / 1000:.1f} kB" if n < 100_000 else f"{n // 1000} kB"


def _lists_size(proc: Proc) -> tuple[int, int]:
    return tree_bytes(node_at(proc, LISTS))


def release_universe(proc: Proc) -> tuple[pkgdb.Universe, str] | None:
    """The package universe that answers for the image (data/packages), and a note when it
    is a neighbouring release's (an estimate); None when the image is not Debian/Ubuntu."""
    text = read_text(proc, "/etc/os-release")
    if text is None:
        return None
    found = pkgdb.nearest_release(text)
    if found is None:
        return None
    codename, exact = found
    universe = pkgdb.universe(codename)
    if universe is None:
        return None
    note = ""
    if not exact:
        fields = dict(
            (k, v.strip().strip("\"'"))
            for k, _, v in (ln.partition("=") for ln in text.splitlines())
            if k
        )
        mine = fields.get("PRETTY_NAME") or fields.get("ID", "this release")
        note = (
            f"emu: estimate: emu has no package data for {mine}; versions, sizes and "
            f"dependencies are those of {universe.distro.capitalize()} {universe.version} "
            f"({codename})\n"
        )
    return universe, note


def _relation(rel: pkgdb.Relation) -> str:
    return " | ".join(rel)


def _from_universe(p: pkgdb.Package, curated: Pkg | None) -> Pkg:
    """A package of the universe as the installer writes it: the release's version,
    Installed-Size and .deb size; the files of emu's table when it has the package (for
    bookworm, the release the table describes), else :func:`.debian_files`."""
    if curated is not None:
        files, rest, sizes = dict(curated.files), curated.rest, "modelled size"
        # the programs the table leaves out (binutils' ar, as...), estimated from what is left
        listed = sum(v for v in files.values() if isinstance(v, int))
        left = [x for x in p.programs if x not in files and x.replace("/usr", "", 1) not in files]
        files.update(program_files(left, max(0, p.installed_size - listed)))
    else:
        files, rest = debian_files(p), None
        sizes = "size estimated from the package's Installed-Size"
    listed = sum(v for v in files.values() if isinstance(v, int))
    return Pkg(
        name=p.name,
        version=p.version,
        size=max(p.installed_size, listed),
        deps=tuple(rel[0] for rel in p.pre_depends + p.depends),
        recs=tuple(rel[0] for rel in p.recommends),
        desc=p.description,
        files=files,
        rest=rest,
        section=p.section,
        dl=p.download_size,
        sizes=sizes,
        rest_sizes="Installed-Size from the release's index; its files are not listed",
    )


def _third_party(proc: Proc, universe: pkgdb.Universe) -> list[str]:
    """The image's apt sources that are not the distribution's own archive (a vendor's
    repository added by the Dockerfile: nodesource, docker, pgdg...)."""
    own = ("deb.debian.org", "security.debian.org", "archive.ubuntu.com",
           "security.ubuntu.com", "ports.ubuntu.com", "ftp.debian.org")  # fmt: skip
    return [s.uri for s in _sources(proc) if not any(h in s.uri for h in own)]


def _already(proc: Proc, universe: pkgdb.Universe, name: str) -> bool:
    """Whether a package the dpkg status does not list is in the image all the same: the
    release's stock image has it, or (emu's images abridge their dpkg status) its programs
    are already there (:func:`.has_programs`)."""
    if name in universe.image_packages():
        return True
    p = universe.get(name)
    return p is not None and has_programs(proc, p)


def _install(proc: Proc, names: list[str], *, yes: bool, recs: bool, quiet: int, conf: str) -> int:
    found = release_universe(proc)
    if quiet < 2:
        proc.out(
            "Reading package lists...\nBuilding dependency tree...\nReading state information...\n"
        )
    if found is not None:
        return _install_universe(proc, found[0], found[1], names, yes=yes, recs=recs, quiet=quiet)
    pkgs = table("apt")
    status = _Status(read_text(proc, STATUS) or "")
    installed = status.installed()
    wanted: list[str] = []
    errors: list[str] = []
    have_lists = _has_lists(proc)
    for raw in names:
        if raw.endswith(".deb") and "/" in raw:
            errors.append(f"E: Unsupported file {raw} given on commandline")
            continue
        n = _CONSTRAINT.sub("", raw)
        if n.endswith("-") and n[:-1] in installed:
            continue  # "pkg-": remove; nothing to do for the model
        if n in installed:
            if quiet < 2:
                ver = _field(installed[n], "Version")
                proc.out(f"{n} is already the newest version ({ver}).\n")
            continue
        if not have_lists or n not in pkgs:
            matches = [p for p in pkgs if fnmatch.fnmatchcase(p, n)] if have_lists else []
            if matches and any(c in n for c in "*?["):
                wanted.extend(m for m in matches if m not in installed)
                continue
            errors.append(f"E: Unable to locate package {n}")
            continue
        wanted.append(n)
    _fail(errors, have_lists)
    order = closure(wanted, pkgs, lambda n: n in installed, with_recs=recs)
    skipped_recs = (
        sorted({r for n in order for r in pkgs[n].recs if r not in order and r not in installed})
        if not recs
        else []
    )
    out: list[str] = []
    if skipped_recs:
        out.append("Recommended packages:\n" + _wrap(skipped_recs))
    note = "" if recs or not skipped_recs else f"; {len(skipped_recs)} recommended skipped"
    return _unpack(proc, names, order, wanted, pkgs, out, yes=yes, quiet=quiet, note=note)


def _fail(errors: list[str], have_lists: bool) -> None:
    if not errors:
        return
    msg = "\n".join(errors)
    if not have_lists:
        msg += (
            "\nemu: the package lists are empty (as in every fresh Debian/Ubuntu image): "
            "run apt-get update first, in the same RUN"
        )
    raise ToolError(msg, 100)


def _install_universe(
    proc: Proc,
    universe: pkgdb.Universe,
    note: str,
    names: list[str],
    *,
    yes: bool,
    recs: bool,
    quiet: int,
) -> int:
    """``apt-get install`` on a Debian/Ubuntu image: every package of its release, their
    real dependencies, and what the image already has."""
    curated = {
        n: pkg
        for n, pkg in table("apt").items()
        if universe.release == "bookworm" or pkg.any_release
    }
    status = _Status(read_text(proc, STATUS) or "")
    installed = status.installed()
    have_lists = _has_lists(proc)
    if note and quiet < 2:
        proc.stderr.write(note)
    wanted: list[str] = []
    errors: list[str] = []
    estimates: dict[str, Pkg] = {}
    extra_repos = _third_party(proc, universe) if have_lists else []
    for raw in names:
        if raw.endswith(".deb") and "/" in raw:
            errors.append(f"E: Unsupported file {raw} given on commandline")
            continue
        n = _CONSTRAINT.sub("", raw)
        if n.endswith("-"):
            continue  # "pkg-": remove; nothing to do for the model
        have_provider = next(
            (w for w in universe.providers(n) if w in installed or _already(proc, universe, w)),
            None,
        )
        if have_provider is not None and universe.get(n) is None:
            if quiet < 2:
                proc.out(f"Note, selecting '{have_provider}' instead of '{n}'\n")
            n = have_provider
        if n in installed or (n not in estimates and _already(proc, universe, n)):
            if quiet < 2:
                known = universe.get(n)
                ver = (
                    _field(installed[n], "Version")
                    if n in installed
                    else (known.version if known else "")
                )
                proc.out(f"{n} is already the newest version ({ver}).\n")
            continue
        if not have_lists:
            errors.append(f"E: Unable to locate package {n}")
            continue
        if any(c in n for c in "*?["):
            matches = [m for m in universe.names() if fnmatch.fnmatchcase(m, n)]
            if matches:
                wanted.extend(m for m in matches if m not in installed)
                continue
        if extra_repos and (universe.get(n) is None or n in _VENDOR_PACKAGES):
            # a vendor's repository (nodesource, docker...) may have it: emu has no index
            same = universe.get(n)
            estimates[n] = estimate(
                n,
                source=", ".join(extra_repos) + ", which emu has no index of",
                like=(universe, same) if same is not None else None,
                with_deps=False,  # apt's plan installs the dependencies apt knows
            )
            wanted.append(n)
            continue
        pkg = universe.lookup(n)
        if pkg is not None:
            if pkg.name != n and quiet < 2:
                proc.out(f"Note, selecting '{pkg.name}' instead of '{n}'\n")
            wanted.append(pkg.name)
            continue
        who = universe.providers(n)
        if who:
            lines = [f"Package {n} is a virtual package provided by:"]
            for w in who:
                p = universe.get(w)
                lines.append(f"  {w} {p.version if p else ''}")
            lines.append("You should explicitly select one to install.")
            proc.out("\n".join(lines) + "\n\n")
            errors.append(f"E: Package '{n}' has no installation candidate")
            continue
        errors.append(f"E: Unable to locate package {n}")
    _fail(errors, have_lists)
    have = set(installed) | set(universe.image_packages())
    plan = universe.closure([n for n in wanted if n not in estimates], have, recommends=recs)
    if plan.missing:
        unmet = "".join(
            f" {who} : Depends: {_relation(rel)} but it is not installable\n"
            for who, rel in plan.missing
        )
        raise ToolError(
            "Some packages could not be installed. This may mean that you have\n"
            "requested an impossible situation or if you are using the unstable\n"
            "distribution that some required packages have not yet been created\n"
            "or been moved out of Incoming.\n"
            "The following information may help to resolve the situation:\n\n"
            "The following packages have unmet dependencies:\n"
            f"{unmet}E: Unable to correct problems, you have held broken packages.",
            100,
        )
    # a dependency whose programs the image already has counts as installed
    order = [n for n in plan.install if n in wanted or not _already(proc, universe, n)]
    pkgs: dict[str, Pkg] = {}
    for n in order:
        p = universe.get(n)
        if p is not None:
            pkgs[n] = _from_universe(p, curated.get(n))
    for n, est in estimates.items():
        order.append(n)
        pkgs[n] = est
    out: list[str] = []
    if plan.suggested:
        out.append("Suggested packages:\n" + _wrap([_relation(r) for r in plan.suggested]))
    if plan.recommended:
        out.append("Recommended packages:\n" + _wrap([_relation(r) for r in plan.recommended]))
    tail = "" if recs or not plan.recommended else f"; {len(plan.recommended)} recommended skipped"
    if estimates:
        tail += f"; {', '.join(estimates)} estimated (a repository emu has no index of)"
        if quiet < 2:
            for est in estimates.values():
                proc.stderr.write(f"emu: estimate: {est.name}: {est.desc}\n")
    return _unpack(proc, names, order, wanted, pkgs, out, yes=yes, quiet=quiet, note=tail)


# Packages a vendor's repository ships under a name Debian also uses, with different
# contents (nodesource's nodejs bundles npm; docker's docker-ce...): with such a repository
# in the sources, apt takes the vendor's (newer) version.
_VENDOR_PACKAGES = frozenset({"nodejs", "docker-ce", "docker-ce-cli", "containerd.io", "yarn"})


def _unpack(
    proc: Proc,
    names: list[str],
    order: list[str],
    wanted: list[str],
    pkgs: dict[str, Pkg],
    out: list[str],
    *,
    yes: bool,
    quiet: int,
    note: str,
) -> int:
    """Print the plan, ask, download, unpack and record ``order`` (dependencies first)."""
    if not order:
        if quiet < 2:
            proc.out(
                "".join(out) + "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n"
            )
        return 0
    status = _Status(read_text(proc, STATUS) or "")
    extra = sorted(n for n in order if n not in wanted)
    dl = sum(pkgs[n].download for n in order)
    size = sum(pkgs[n].size for n in order)
    head: list[str] = []
    if extra:
        head.append("The following additional packages will be installed:\n" + _wrap(extra))
    head.extend(out)
    head.append("The following NEW packages will be installed:\n" + _wrap(sorted(order)))
    head.append(
        f"0 upgraded, {len(order)} newly installed, 0 to remove and 0 not upgraded.\n"
        f"Need to get {_apt_size(dl)} of archives.\n"
        f"After this operation, {_apt_size(size)} of additional disk space will be "
        "used.\n"
    )
    if quiet < 2:
        proc.out("".join(head))
    if extra and not yes:
        proc.out("Do you want to continue? [Y/n] Abort.\n")
        raise ToolError(
            "emu: apt-get asked a question and the build has no terminal to answer it: add -y", 1
        )
    srcs = _sources(proc)
    base = f"{srcs[0].uri} {srcs[0].suite}/main" if srcs else "http://deb.debian.org/debian"
    w = Writer(proc)
    keep_debs = not is_file(proc, "/etc/apt/apt.conf.d/docker-clean")
    exc, inc = _dpkg_excludes(proc)

    def excluded(path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, e) for e in exc) and not any(
            fnmatch.fnmatchcase(path, i) for i in inc
        )

    if quiet < 2:
        for k, n in enumerate(order, 1):
            p = pkgs[n]
            proc.out(f"Get:{k} {base} amd64 {n} amd64 {p.version} [{_ksize(p.download)}]\n")
        if proc.env.get("DEBIAN_FRONTEND") != "noninteractive":
            proc.stderr.write(
                "debconf: delaying package configuration, since apt-utils is not installed\n"
            )
        proc.out(f"Fetched {kb(dl)} in 1s ({kb(dl)}/s)\n")
    log: list[str] = []
    for n in order:
        p = pkgs[n]
        if quiet < 2:
            proc.out(
                f"Selecting previously unselected package {n}.\nUnpacking {n} ({p.version}) ...\n"
            )
        files = install_files(w, p, excluded=excluded)
        w.file(f"{INFO}/{n}.list", "".join(f + "\n" for f in files))
        status.stanzas.append(_stanza(p))
        if keep_debs:
            deb = f"{n}_{p.version.replace(':', '%3a')}_amd64.deb"
            w.blob(
                f"{ARCHIVES}/{deb}",
                p.download,
                f"downloaded {n} package (modelled size; apt-get clean removes it)",
            )
        log.append(f"status installed {n}:amd64 {p.version}")
    if quiet < 2:
        for n in order:
            proc.out(f"Setting up {n} ({pkgs[n].version}) ...\n")
    w.file(STATUS, status.text())
    _mark_auto(proc, w, [n for n in order if n not in wanted])
    old_log = read_text(proc, "/var/log/dpkg.log") or ""
    w.file("/var/log/dpkg.log", old_log + "".join(f"1970-01-01 00:00:00 {ln}\n" for ln in log))
    hist = read_text(proc, "/var/log/apt/history.log") or ""
    w.file(
        "/var/log/apt/history.log",
        hist
        + "\nCommandline: apt-get install "
        + " ".join(names)
        + "\nInstall: "
        + ", ".join(f"{n}:amd64 ({pkgs[n].version})" for n in order)
        + "\n",
    )
    modelled(proc, f"apt-get install ({len(order)} packages, {mb(size)}{note})")
    return 0


def _apt_size(n: int) -> str:
    if n >= 1000**2:
        return f"{n / 1000**2:.1f} MB"
    return f"{(n + 999) // 1000:,} kB"


def _mark_auto(proc: Proc, w: Writer, names: list[str]) -> None:
    if not names:
        return
    old = read_text(proc, EXTENDED) or ""
    add = "".join(f"Package: {n}\nArchitecture: amd64\nAuto-Installed: 1\n\n" for n in names)
    w.file(EXTENDED, old + add)


def _auto(proc: Proc) -> set[str]:
    out = set()
    for s in _stanzas(read_text(proc, EXTENDED) or ""):
        if _field(s, "Auto-Installed") == "1":
            out.add(_field(s, "Package"))
    return out


def _remove(
    proc: Proc, names: list[str], *, yes: bool, auto: bool, purge: bool, essential_ok: bool
) -> int:
    found = release_universe(proc)
    universe = found[0] if found is not None else None
    curated = table("apt")
    status = _Status(read_text(proc, STATUS) or "")
    installed = status.installed()
    proc.out(
        "Reading package lists...\nBuilding dependency tree...\nReading state information...\n"
    )

    def known(n: str) -> pkgdb.Package | Pkg | None:
        return (universe.get(n) if universe is not None else None) or curated.get(n)

    def size_of_pkg(n: str) -> int:
        p = known(n)
        if isinstance(p, pkgdb.Package):
            return p.installed_size
        if p is not None:
            return p.size
        kib = _field(installed[n], "Installed-Size") if n in installed else ""
        return int(kib) * 1024 if (kib.isascii() and kib.isdigit()) else 0

    def deps_of(n: str) -> tuple[str, ...]:
        p = known(n)
        if isinstance(p, pkgdb.Package):
            return tuple(r[0] for r in p.pre_depends + p.depends + p.recommends)
        return p.deps + p.recs if p is not None else ()

    gone: list[str] = []
    base: list[str] = []  # came with the image: emu knows only their programs
    for raw in names:
        n = _CONSTRAINT.sub("", raw)
        if n in installed and is_file(proc, f"{INFO}/{n}.list"):
            gone.append(n)
            continue
        in_image = n in installed or (universe is not None and _already(proc, universe, n))
        if in_image:
            p = universe.get(n) if universe is not None else None
            if p is not None and p.essential and not essential_ok:
                raise ToolError(
                    "WARNING: The following essential packages will be removed.\n"
                    "This should NOT be done unless you know exactly what you are doing!\n"
                    f"  {n}\n"
                    "E: Essential packages were removed and -y was used without "
                    "--allow-remove-essential.",
                    100,
                )
            base.append(n)
            continue
        is_known = known(n) is not None or (universe is not None and universe.providers(n))
        if not is_known:
            raise ToolError(f"E: Unable to locate package {n}", 100)
        proc.out(f"Package '{n}' is not installed, so not removed\n")
    autos = _auto(proc)
    if auto:
        remaining = set(installed) - set(gone) - set(base)
        needed: set[str] = set()
        stack = [n for n in remaining if n not in autos]
        while stack:
            n = stack.pop()
            if n in needed:
                continue
            needed.add(n)
            stack.extend(deps_of(n))
        gone += sorted(
            n
            for n in remaining
            if n in autos and n not in needed and is_file(proc, f"{INFO}/{n}.list")
        )
    every = gone + base
    if not every:
        proc.out("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n")
        return 0
    freed = sum(size_of_pkg(n) for n in every)
    proc.out("The following packages will be REMOVED:\n" + _wrap(sorted(every)))
    proc.out(
        f"0 upgraded, 0 newly installed, {len(every)} to remove and 0 not upgraded.\n"
        f"After this operation, {_apt_size(freed)} disk space will be freed.\n"
    )
    if len(every) > len(names) and not yes:
        proc.out("Do you want to continue? [Y/n] Abort.\n")
        return 1
    w = Writer(proc)
    kept_files: set[str] = set()
    for n in installed:
        if n not in every:
            kept_files.update((read_text(proc, f"{INFO}/{n}.list") or "").splitlines())
    for n in gone:
        proc.out(f"Removing {n} ({_field(installed[n], 'Version')}) ...\n")
        for f in (read_text(proc, f"{INFO}/{n}.list") or "").splitlines():
            if f and f not in kept_files:
                w.remove(f)
        w.remove(f"{INFO}/{n}.list")
        status.stanzas.remove(installed[n])
    removed_programs = 0
    for n in base:
        p = universe.get(n) if universe is not None else None
        version = _field(installed[n], "Version") if n in installed else (p.version if p else "")
        proc.out(f"Removing {n} ({version}) ...\n")
        for prog in p.programs if p is not None else ():
            if prog not in kept_files and is_file(proc, prog):
                w.remove(prog)
                removed_programs += 1
        if n in installed:
            status.stanzas.remove(installed[n])
    w.file(STATUS, status.text())
    if autos & set(every):
        left = [
            s
            for s in _stanzas(read_text(proc, EXTENDED) or "")
            if _field(s, "Package") not in every
        ]
        w.file(EXTENDED, "".join(s + "\n\n" for s in left))
    verb = "purge" if purge else "remove"
    what = f"{len(every)} packages, {mb(freed)} freed"
    if base:
        what += (
            f"; {', '.join(base)} came with the base image, whose packages emu models only by "
            f"their programs: {removed_programs} removed, their other files stay"
        )
    modelled(proc, f"apt-get {verb} ({what})")
    return 0
