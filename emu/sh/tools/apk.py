"""``apk``, Alpine's package manager, modelled offline from ``data/apk.yaml``.

``apk add [--no-cache] [-U|--update] [--virtual NAME] pkg…``, ``apk del``, ``apk update``,
``apk upgrade``, ``apk info``. Packages install their files (sizes from the table) and are
recorded in ``/lib/apk/db/installed`` and ``/etc/apk/world``; without ``--no-cache`` the
repository indexes stay behind in ``/var/cache/apk`` (about 3 MB: the reason for
``--no-cache``); ``apk del`` of a ``--virtual`` group removes what it pulled in. A non-root
user cannot open the database (status 99).

Alpine's index cannot be read here, so a package the table does not know is installed as
an *estimate*, said so on stderr and in the ``emu: modelled`` line: the Debian package it
corresponds to (same name, or a known rename: ``sqlite`` is ``sqlite3``) gives its programs
and installed size, from the newest Debian universe; its dependencies are unknown. A name
no Debian package matches either fails as apk does (``ERROR: unable to select packages:``,
status 1) unless the build is ``--permissive``, which installs it at the median size.
"""

from __future__ import annotations

import posixpath
import re
import time

from emu.sh import permissive
from emu.sh.api import Proc
from emu.sh.options import Opts, Syntax
from emu.sh.tools._base import ToolError, Writer, modelled, not_modelled, now, parses, tool
from emu.sh.tools._data import data, digest, mb, size_of
from emu.sh.tools._image import can_write, listdir, read_text
from emu.sh.tools._pkgs import (
    Pkg,
    closure,
    counterpart,
    create_accounts,
    estimate,
    install_files,
    table,
)

DB = "/lib/apk/db/installed"
WORLD = "/etc/apk/world"
CACHE = "/var/cache/apk"
MARK = "c:emu-modelled"

_CONSTRAINT = re.compile(r"[<>=~@].*$")


class _Db:
    """``/lib/apk/db/installed``: stanzas of ``X:value`` lines, kept as text."""

    def __init__(self, text: str) -> None:
        self.stanzas: list[list[str]] = []
        cur: list[str] = []
        for line in text.splitlines():
            if not line.strip():
                if cur:
                    self.stanzas.append(cur)
                    cur = []
                continue
            cur.append(line)
        if cur:
            self.stanzas.append(cur)

    def field(self, st: list[str], key: str) -> str:
        for line in st:
            if line.startswith(key + ":"):
                return line[len(key) + 1 :]
        return ""

    def names(self) -> dict[str, list[str]]:
        return {self.field(s, "P"): s for s in self.stanzas}

    def deps(self, st: list[str]) -> list[str]:
        out = []
        for d in self.field(st, "D").split():
            if d.startswith(("so:", "cmd:", "pc:", "/")) or d.startswith("!"):
                continue
            out.append(_CONSTRAINT.sub("", d))
        return out

    def files(self, st: list[str]) -> list[str]:
        out: list[str] = []
        d = ""
        for line in st:
            if line.startswith("F:"):
                d = line[2:]
            elif line.startswith("R:"):
                out.append("/" + posixpath.join(d, line[2:]))
        return out

    def total(self) -> int:
        n = 0
        for s in self.stanzas:
            v = self.field(s, "I")
            n += int(v) if (v.isascii() and v.isdigit()) else 0
        return n

    def text(self) -> str:
        return "".join("\n".join(s) + "\n\n" for s in self.stanzas)


def _stanza(
    name: str,
    version: str,
    size: int,
    desc: str,
    deps: list[str],
    files: list[str],
    arch: str = "x86_64",
) -> list[str]:
    lines = [
        f"P:{name}",
        f"V:{version}",
        f"A:{arch}",
        f"S:{max(0, size * 2 // 5)}",
        f"I:{size}",
        f"T:{desc}",
        "U:https://pkgs.alpinelinux.org/",
        "L:emu-model",
        f"o:{name}",
        MARK,
    ]
    if deps:
        lines.append("D:" + " ".join(deps))
    by_dir: dict[str, list[str]] = {}
    for f in files:
        by_dir.setdefault(posixpath.dirname(f).lstrip("/"), []).append(posixpath.basename(f))
    for d in sorted(by_dir):
        lines.append(f"F:{d}")
        lines.extend(f"R:{b}" for b in sorted(by_dir[d]))
    return lines


def _repos(proc: Proc, extra: list[str]) -> list[str]:
    text = read_text(proc, "/etc/apk/repositories") or ""
    repos = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return repos + extra


def _index_name(repo: str) -> str:
    return f"APKINDEX.{digest(repo)[:8]}.tar.gz"


def _index_size(repo: str) -> int:
    sizes = data("apk")["index"]
    last = repo.rstrip("/").rsplit("/", 1)[-1]
    return size_of(sizes.get(last, sizes["default"]))


def _fetch_indexes(proc: Proc, repos: list[str], no_cache: bool, quiet: bool, force: bool) -> None:
    cached = set(listdir(proc, CACHE))
    w = Writer(proc)
    for repo in repos:
        name = _index_name(repo)
        if name in cached and not force and not no_cache:
            continue
        if not quiet:
            proc.out(f"fetch {repo}/x86_64/APKINDEX.tar.gz\n")
        if not no_cache and can_write(proc, CACHE):
            w.blob(
                f"{CACHE}/{name}",
                _index_size(repo),
                f"APKINDEX of {repo} (modelled size; `apk add --no-cache` keeps none)",
            )


def _ok(proc: Proc, db: _Db) -> None:
    proc.out(f"OK: {max(1, round(db.total() / 1024**2))} MiB in {len(db.stanzas)} packages\n")


def _locked(proc: Proc) -> None:
    if not can_write(proc, posixpath.dirname(DB)):
        raise ToolError(
            "ERROR: Unable to lock database: Permission denied\n"
            "ERROR: Failed to open apk database: Permission denied",
            99,
        )


APK = Syntax(
    (
        "-t|--virtual= -X|--repository= -p|--root= -q|--quiet -U|--update|--update-cache "
        "-V|--version -e|--installed --repositories-file= --cache-dir= --arch= --keys-dir="
    ),
    short=True,
)


@tool("apk", note="modelled: installs from emu's offline Alpine package table (data/apk.yaml)")
@parses(APK, version="apk-tools 2.14.0, compiled for x86_64.")
def apk(proc: Proc, o: Opts) -> int:
    if not o.args and "--print-arch" not in o:
        proc.out(
            "apk-tools 2.14.0, compiled for x86_64.\n\nusage: apk [<OPTIONS>...] COMMAND "
            "[<ARGUMENTS>...]\n"
        )
        return 1
    if "--print-arch" in o:
        proc.out("x86_64\n")
        return 0
    cmd, names = o.args[0], o.args[1:]
    no_cache = "--no-cache" in o
    quiet = "--quiet" in o
    update = "--update-cache" in o
    virtual = o.get("--virtual") or None
    repos = _repos(proc, o.all("--repository"))
    if cmd == "update":
        _locked(proc)
        _fetch_indexes(proc, repos, no_cache, quiet, force=True)
        if not quiet:
            for repo in repos:
                proc.out(f"v{_release(proc)}-0-g0000000000 [{repo}]\n")
        proc.out(f"OK: {data('apk')['available']} distinct packages available\n")
        return 0
    if cmd == "add":
        _locked(proc)
        return _add(
            proc,
            names,
            repos,
            no_cache,
            quiet,
            update,
            virtual,
        )
    if cmd == "del":
        _locked(proc)
        return _del(proc, names, quiet)
    if cmd in ("upgrade", "fix"):
        _locked(proc)
        _fetch_indexes(proc, repos, no_cache, quiet, force=update)
        _ok(proc, _Db(read_text(proc, DB) or ""))
        return 0
    if cmd == "info":
        db = _Db(read_text(proc, DB) or "")
        installed = db.names()
        if names:
            missing = [n for n in names if n not in installed]
            if "--installed" in o:
                for n in names:
                    if n in installed:
                        proc.out(n + "\n")
                return 1 if missing else 0
            for n in names:
                st = installed.get(n)
                if st is not None:
                    v = db.field(st, "V")
                    proc.out(f"{n}-{v} description:\n{db.field(st, 'T')}\n\n")
            return 0
        for n in sorted(installed):
            proc.out(n + "\n")
        return 0
    if cmd in ("cache",):
        if names[:1] == ["clean"]:
            w = Writer(proc)
            for f in listdir(proc, CACHE):
                w.remove(f"{CACHE}/{f}")
        return 0
    if cmd in ("search", "policy", "version", "stats", "audit", "verify", "list"):
        return not_modelled(proc, f"apk {cmd}")
    raise ToolError(f"apk: unknown command '{cmd}'", 1)


def _release(proc: Proc) -> str:
    return (read_text(proc, "/etc/alpine-release") or "3.19.0").strip()


def _add(
    proc: Proc,
    names: list[str],
    repos: list[str],
    no_cache: bool,
    quiet: bool,
    update: bool,
    virtual: str | None,
) -> int:
    if not names and not virtual:
        raise ToolError(
            "ERROR: unable to select packages: no packages given\n"
            "usage: apk add [<OPTIONS>...] PACKAGES...",
            1,
        )
    pkgs = table("apk")
    db = _Db(read_text(proc, DB) or "")
    installed = db.names()
    wanted = [_CONSTRAINT.sub("", n) for n in names]
    _fetch_indexes(proc, repos, no_cache, quiet, force=update)
    unknown = [n for n in wanted if n not in pkgs and n not in installed]
    estimates = {n: e for n in unknown if (e := _estimate(proc, n)) is not None}
    missing = [n for n in unknown if n not in estimates]
    if missing:
        owner = f"{virtual}-{_vversion(proc)}" if virtual else "world"
        lines = ["ERROR: unable to select packages:"]
        for n in missing:
            lines += [f"  {n} (no such package):", f"    required by: {owner}[{n}]"]
        lines.append(
            "emu: not in emu's Alpine table, and no Debian package of that name to estimate "
            "it from (a typo?); --permissive installs it as an estimate of median size"
        )
        raise ToolError("\n".join(lines), len(missing))
    for est in estimates.values():
        proc.stderr.write(f"emu: estimate: {est.name}: {est.desc}\n")
    pkgs = {**pkgs, **estimates}
    order = closure(wanted, pkgs, lambda n: n in installed)
    total = len(order) + (1 if virtual else 0)
    w = Writer(proc)
    added = 0
    for k, name in enumerate(order, 1):
        p: Pkg = pkgs[name]
        if not quiet:
            proc.out(f"({k}/{total}) Installing {name} ({p.version})\n")
        files = install_files(w, p)
        create_accounts(proc, w, p)
        db.stanzas.append(_stanza(name, p.version, p.size, p.desc, list(p.deps), files))
        added += p.size
    world = [ln for ln in (read_text(proc, WORLD) or "").splitlines() if ln.strip()]
    if virtual:
        v = _vversion(proc)
        if not quiet:
            proc.out(f"({total}/{total}) Installing {virtual} ({v})\n")
        existing = installed.get(virtual)
        if existing is not None:
            db.stanzas.remove(existing)
        db.stanzas.append(_stanza(virtual, v, 0, "virtual meta package", wanted, [], "noarch"))
        world.append(virtual)
    else:
        world.extend(
            n
            for n in names
            if _CONSTRAINT.sub("", n) not in {_CONSTRAINT.sub("", x) for x in world}
        )
    w.file(DB, db.text())
    w.file(WORLD, "\n".join(sorted(set(world))) + "\n")
    if "ca-certificates" in order and not quiet:
        p = pkgs["ca-certificates"]
        proc.out(f"Executing ca-certificates-{p.version}.trigger\n")
    _ok(proc, db)
    what = f"{len(order)} package{'s' if len(order) != 1 else ''}, {mb(added)}"
    if estimates:
        what += f"; {', '.join(estimates)} estimated"
    cache = "" if no_cache else "; indexes cached in /var/cache/apk"
    modelled(proc, f"apk add ({what}{cache})")
    return 0


# Alpine names whose Debian counterpart is named otherwise (for estimates).
_DEBIAN_NAMES = {
    "sqlite": "sqlite3",
    "postgresql-dev": "libpq-dev",
    "mariadb-dev": "libmariadb-dev",
    "mariadb-client": "mariadb-client",
    "mysql-client": "default-mysql-client",
    "openssh": "openssh-client",
    "font-freefont": "fonts-freefont-ttf",
    "libressl": "openssl",
    "libressl-dev": "libssl-dev",
    "openssl-dev": "libssl-dev",
    "linux-headers": "linux-libc-dev",
    "musl-dev": "libc6-dev",
    "python3-dev": "python3-dev",
    "chromium": "chromium",
    "ttf-freefont": "fonts-freefont-ttf",
    "gcompat": "libc6",
    "libc6-compat": "libc6",
    "shadow": "passwd",
    "su-exec": "gosu",
    "libstdc++6": "libstdc++6",
    "yarn": "yarnpkg",
    "vips": "libvips-tools",
    "vips-dev": "libvips-dev",
    "nodejs-current": "nodejs",
    "py3-virtualenv": "python3-virtualenv",
    "openjdk-jre": "default-jre-headless",
}
_JDK = re.compile(r"openjdk(\d+)(-jre|-jdk)?(?:-headless)?")


def _debian_names(name: str) -> list[str]:
    """The Debian packages an Alpine package may correspond to, likeliest first."""
    out = [_DEBIAN_NAMES.get(name, name), f"{name}1", f"lib{name}1", f"lib{name}"]
    if name.endswith("-ng"):
        out.append(name[: -len("-ng")])
    m = _JDK.fullmatch(name)
    if m:
        out.insert(0, f"openjdk-{m.group(1)}-{'jre' if m.group(2) == '-jre' else 'jdk'}-headless")
    if name.startswith("py3-"):
        out.append("python3-" + name[4:])
    if name.endswith("-dev") and not name.startswith("lib"):
        out.append("lib" + name)
    if name.endswith("-libs"):
        out.append("lib" + name[: -len("-libs")])
    return out


def _estimate(proc: Proc, name: str) -> Pkg | None:
    """An Alpine package emu's table lacks (Alpine's index cannot be read here): the Debian
    package it corresponds to stands in for its programs and size; without one, only under
    --permissive, one size-only file of the median size."""
    like = counterpart(_debian_names(name))
    if like is None and not permissive.active():
        return None
    return estimate(name, source="Alpine's index cannot be read offline", like=like, proc=proc)


def _vversion(proc: Proc) -> str:
    return time.strftime("%Y%m%d.%H%M%S", time.gmtime(now(proc)))


def _del(proc: Proc, names: list[str], quiet: bool) -> int:
    db = _Db(read_text(proc, DB) or "")
    installed = db.names()
    world = [ln.strip() for ln in (read_text(proc, WORLD) or "").splitlines() if ln.strip()]
    drop = {_CONSTRAINT.sub("", n) for n in names}
    world = [x for x in world if _CONSTRAINT.sub("", x) not in drop]
    # What the remaining world needs; packages not installed by emu's model always stay.
    keep: set[str] = set()
    stack = [_CONSTRAINT.sub("", x) for x in world]
    stack += [n for n, st in installed.items() if MARK not in st]
    while stack:
        n = stack.pop()
        if n in keep:
            continue
        keep.add(n)
        st = installed.get(n)
        if st is not None:
            stack.extend(db.deps(st))
    gone = [n for n in installed if n not in keep]
    # Dependents first, as apk purges them.
    order = [n for n in reversed(list(installed)) if n in gone]
    kept_files: set[str] = set()
    for n, st in installed.items():
        if n not in gone:
            kept_files.update(db.files(st))
    w = Writer(proc)
    freed = 0
    for k, n in enumerate(order, 1):
        st = installed[n]
        if not quiet:
            proc.out(f"({k}/{len(order)}) Purging {n} ({db.field(st, 'V')})\n")
        for f in db.files(st):
            if f not in kept_files:
                w.remove(f)
        size = db.field(st, "I")
        freed += int(size) if (size.isascii() and size.isdigit()) else 0
        db.stanzas.remove(st)
    w.file(DB, db.text())
    w.file(WORLD, "\n".join(sorted(set(world))) + "\n")
    _ok(proc, db)
    if order:
        modelled(proc, f"apk del ({len(order)} packages, {mb(freed)} freed)")
    return 0
