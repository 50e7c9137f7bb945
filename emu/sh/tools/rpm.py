"""``dnf``, ``microdnf`` and ``yum`` (Fedora, RHEL/UBI, Rocky, Alma, Amazon Linux) and a
little of ``rpm``, modelled offline.

None of these distributions' repositories can be read from where emu is built (see
``data/packages/README.md``), so every package is an **estimate**, said so in the output:
the Debian/Ubuntu package it corresponds to (same name, or a known rename: ``gcc-c++`` is
``g++``, ``openssl-devel`` is ``libssl-dev``, ``java-17-openjdk-headless`` is
``openjdk-17-jre-headless``) gives its programs and installed size (:func:`.counterpart`);
its dependencies are unknown and not installed. A name no Debian package matches fails as
dnf does (``No match for argument``), or under ``--permissive`` installs at the median
size. A package whose programs the image already has is "already installed".

``install``/``reinstall`` (``-y``, or the question nobody can answer fails the build),
``remove``, ``clean all`` (the metadata and package caches, ``/var/cache/dnf`` or
``/var/cache/yum``: the reason Dockerfiles run it), ``makecache``, ``update``/``upgrade``
(nothing newer: the model has no index), ``groupinstall`` (as its Debian counterpart).
emu keeps the installed packages in ``/var/lib/rpm/emu-installed`` (a real rpm database is
a binary file the model does not write) and ``rpm -q``/``rpm -qa`` read it.
"""

from __future__ import annotations

import re

from emu.sh import permissive
from emu.sh.api import Proc
from emu.sh.options import Opts, Syntax
from emu.sh.tools._base import ToolError, Writer, modelled, not_modelled, parses, tool
from emu.sh.tools._data import mb
from emu.sh.tools._image import can_write, is_file, listdir, read_text
from emu.sh.tools._pkgs import Pkg, counterpart, estimate, has_programs, install_files

DB = "/var/lib/rpm/emu-installed"  # name<TAB>version<TAB>size<TAB>file,file...
METADATA = 24_000_000  # a repository set's metadata in the cache (dnf on UBI 9: ~20-30 MB)

# Fedora/RHEL names whose Debian counterpart is named otherwise.
_DEBIAN_NAMES = {
    "gcc-c++": "g++",
    "python3-devel": "python3-dev",
    "openssl-devel": "libssl-dev",
    "zlib-devel": "zlib1g-dev",
    "libffi-devel": "libffi-dev",
    "glibc-devel": "libc6-dev",
    "postgresql-devel": "libpq-dev",
    "libpq-devel": "libpq-dev",
    "mysql-devel": "default-libmysqlclient-dev",
    "shadow-utils": "passwd",
    "procps-ng": "procps",
    "which": "debianutils",
    "glibc-langpack-en": "locales",
    "glibc-locale-source": "locales",
    "iputils": "iputils-ping",
    "nc": "netcat-openbsd",
    "nmap-ncat": "netcat-openbsd",
    "httpd": "apache2",
    "vim-minimal": "vim-tiny",
    "vim-enhanced": "vim",
    "xz": "xz-utils",
    "bzip2-devel": "libbz2-dev",
    "sqlite-devel": "libsqlite3-dev",
    "ncurses-devel": "libncurses-dev",
    "readline-devel": "libreadline-dev",
    "krb5-devel": "libkrb5-dev",
    "libxml2-devel": "libxml2-dev",
    "libcurl-devel": "libcurl4-openssl-dev",
    "findutils": "findutils",
    "util-linux": "util-linux",
    "tzdata": "tzdata",
}
_GROUPS = {
    "development tools": "build-essential",
    "c development tools and libraries": "build-essential",
}
_JAVA = re.compile(r"java-(\d+)-(?:openjdk|amazon-corretto)(-headless|-devel)?")


def _debian_names(name: str) -> list[str]:
    out = [_DEBIAN_NAMES.get(name, name)]
    m = _JAVA.fullmatch(name)
    if m:
        kind = "jdk" if m.group(2) == "-devel" else "jre"
        out.insert(0, f"openjdk-{m.group(1)}-{kind}-headless")
    if name.endswith("-devel"):
        stem = name[: -len("-devel")]
        out += [f"lib{stem}-dev", f"{stem}-dev"]
    return out


class _Db:
    def __init__(self, text: str) -> None:
        self.rows: dict[str, list[str]] = {}
        for line in text.splitlines():
            f = line.split("\t")
            if len(f) == 4:
                self.rows[f[0]] = f

    def text(self) -> str:
        return "".join("\t".join(r) + "\n" for _, r in sorted(self.rows.items()))


def _release(proc: Proc) -> tuple[str, str]:
    """(ID, VERSION_ID) of the image's /etc/os-release."""
    fields: dict[str, str] = {}
    for line in (read_text(proc, "/etc/os-release") or "").splitlines():
        key, _, value = line.partition("=")
        fields[key.strip()] = value.strip().strip("\"'")
    return fields.get("ID", "fedora"), fields.get("VERSION_ID", "")


def _repo(proc: Proc) -> str:
    distro, version = _release(proc)
    major = version.split(".")[0]
    if distro == "rhel":
        return f"ubi-{major}-baseos-rpms"
    if distro == "amzn":
        return "amazonlinux"
    if distro == "fedora":
        return "fedora"
    return "baseos"


def _arch_version(p: Pkg, proc: Proc) -> str:
    """An rpm version-release for an estimated package (``1.34-1.el9``)."""
    distro, version = _release(proc)
    major = version.split(".")[0]
    tag = {"amzn": f".amzn{major}", "fedora": f".fc{version}"}.get(distro, f".el{major}")
    upstream = re.split(r"[+~]", p.version.split(":")[-1].split("-")[0])[0] or "0"
    return f"{upstream}-1{tag}"


def _cache(proc: Proc) -> str:
    return "/var/cache/yum" if proc.name in ("yum", "microdnf") else "/var/cache/dnf"


DNF = Syntax(
    (
        "-y|--assumeyes -q|--quiet --nodocs --setopt= --enablerepo= --disablerepo= "
        "--installroot= --releasever= -x|--exclude= --best --allowerasing --refresh "
        "--noplugins --disableplugin= --enableplugin= -C|--cacheonly --nogpgcheck "
        "--skip-broken --nobest --setopt= --noautoremove --repo= --repofrompath= "
        "--config= -c= -v|--verbose --assumeno --downloadonly --norecommends "
        "--version"
    ),
    short=True,
)


@tool(
    "dnf", "microdnf", "yum", note="modelled: packages are estimates (no index of the repositories)"
)
@parses(DNF)
def dnf(proc: Proc, o: Opts) -> int:
    if "--version" in o:
        proc.out(
            {"dnf": "4.14.0", "yum": "3.4.3", "microdnf": "microdnf - 3.9.1"}[proc.name] + "\n"
        )
        return 0
    if not o.args:
        raise ToolError(f"{proc.name}: no command given. Run '{proc.name} --help'", 1)
    cmd, names = o.args[0], o.args[1:]
    quiet = "--quiet" in o
    yes = "--assumeyes" in o
    if cmd in ("install", "reinstall", "groupinstall", "localinstall") or (
        cmd == "group" and names[:1] == ["install"]
    ):
        _lock(proc)
        if cmd == "group":
            names = names[1:]
        if cmd in ("groupinstall", "group"):
            names = [_GROUPS.get(n.lstrip("@").lower(), n) for n in names]
        return _install(proc, names, yes=yes, quiet=quiet)
    if cmd in ("remove", "erase", "autoremove"):
        _lock(proc)
        return _remove(proc, names, quiet=quiet)
    if cmd == "clean":
        w = Writer(proc)
        root = _cache(proc)
        for name in listdir(proc, root):
            w.remove(f"{root}/{name}")
        removed = "metadata and packages" if names[:1] == ["all"] else " ".join(names)
        if not quiet:
            proc.out(
                f"{len(listdir(proc, root)) or 0} files removed\n" if proc.name == "dnf" else ""
            )
        modelled(proc, f"{proc.name} clean {' '.join(names)} ({removed} removed from {root})")
        return 0
    if cmd in ("makecache", "check-update", "update", "upgrade", "distro-sync", "update-minimal"):
        _lock(proc)
        _metadata(proc, quiet)
        if cmd != "makecache" and not quiet:
            proc.out("Dependencies resolved.\nNothing to do.\nComplete!\n")
        modelled(proc, f"{proc.name} {cmd} (no index of the repositories: nothing newer)")
        return 0
    if cmd in ("list", "info", "search", "repolist", "config-manager", "module", "history"):
        return not_modelled(proc, f"{proc.name} {cmd}")
    raise ToolError(f"No such command: {cmd}. Please use /usr/bin/{proc.name} --help", 1)


def _lock(proc: Proc) -> None:
    if not can_write(proc, "/var/lib/rpm"):
        raise ToolError("Error: This command has to be run with superuser privileges "
                        "(under the root user on most systems).", 1)  # fmt: skip


def _metadata(proc: Proc, quiet: bool) -> None:
    root = _cache(proc)
    name = f"{root}/{_repo(proc)}-metadata.blob"
    if is_file(proc, name):
        if not quiet and proc.name == "dnf":
            proc.out("Last metadata expiration check: 0:00:01 ago.\n")
        return
    if not quiet:
        if proc.name == "microdnf":
            proc.out("Downloading metadata...\n")
        else:
            proc.out(f"{_repo(proc)}  1.0 MB/s | {METADATA // 1_000_000} MB  00:24\n")
    Writer(proc).blob(
        name,
        METADATA,
        f"{proc.name}'s repository metadata (modelled size; `{proc.name} clean all` removes it)",
    )


def _install(proc: Proc, names: list[str], *, yes: bool, quiet: bool) -> int:
    db = _Db(read_text(proc, DB) or "")
    _metadata(proc, quiet)
    plan: list[Pkg] = []
    missing: list[str] = []
    for raw in names:
        name = re.sub(r"[<>=].*$", "", raw)
        if raw.endswith(".rpm") or name in db.rows:
            if name in db.rows and not quiet:
                proc.out(f"Package {name}-{db.rows[name][1]} is already installed.\n")
            continue
        like = counterpart(_debian_names(name))
        if like is not None and has_programs(proc, like[1], name):
            if not quiet:
                proc.out(f"Package {name} is already installed.\n")
            continue
        if like is None and not permissive.active():
            missing.append(name)
            continue
        plan.append(
            estimate(
                name,
                source=f"{proc.name}'s repositories cannot be read offline",
                like=like,
                proc=proc,
            )
        )
    if missing:
        for n in missing:
            proc.out(f"No match for argument: {n}\n")
        raise ToolError(
            f"Error: Unable to find a match: {' '.join(missing)}\n"
            "emu: no Debian package of that name to estimate it from (a typo?); "
            "--permissive installs it as an estimate of median size",
            1,
        )
    if not plan:
        if not quiet:
            proc.out("Dependencies resolved.\nNothing to do.\nComplete!\n")
        return 0
    repo = _repo(proc)
    total = sum(p.size for p in plan)
    if not quiet:
        proc.out(_transaction(proc, plan, repo, total))
    if not yes and proc.name != "microdnf":
        proc.out("Is this ok [y/N]: Operation aborted.\n")
        raise ToolError(
            f"emu: {proc.name} asked a question and the build has no terminal to answer it: add -y",
            1,
        )
    w = Writer(proc)
    for p in plan:
        files = install_files(w, p)
        db.rows[p.name] = [p.name, _arch_version(p, proc), str(p.size), ",".join(files)]
        proc.stderr.write(f"emu: estimate: {p.name}: {p.desc}\n")
    w.file(DB, db.text())
    if not quiet:
        proc.out(
            "Installed:\n" + "".join(f"  {p.name}-{_arch_version(p, proc)}.x86_64\n" for p in plan)
        )
        proc.out("Complete.\n" if proc.name == "microdnf" else "\nComplete!\n")
    modelled(
        proc, f"{proc.name} install ({len(plan)} packages, {mb(total)}; every one an estimate)"
    )
    return 0


def _transaction(proc: Proc, plan: list[Pkg], repo: str, total: int) -> str:
    """The table dnf/yum (or microdnf) prints before installing."""
    rows = [(f"{p.name}", _arch_version(p, proc), mb(p.download)) for p in plan]
    if proc.name == "microdnf":
        lines = [f"{'Package':<48}{'Repository':<20}Size", "Installing:"]
        lines += [f" {f'{n}-{v}.x86_64':<47}{repo:<20}{size}" for n, v, size in rows]
        lines += ["Transaction Summary:", f" Installing:        {len(plan)} packages"]
        return "\n".join(lines) + "\n"
    rule = "=" * 80
    lines = ["Dependencies resolved.", rule]
    lines.append(f" {'Package':<17}{'Architecture':<15}{'Version':<20}{'Repository':<20}Size")
    lines += [rule, "Installing:"]
    lines += [f" {n:<17}{'x86_64':<15}{v:<20}{repo:<20}{size}" for n, v, size in rows]
    plural = "s" if len(plan) != 1 else ""
    lines += ["", "Transaction Summary", rule, f"Install  {len(plan)} Package{plural}", ""]
    lines.append(f"Total download size: {mb(sum(p.download for p in plan))}")
    lines.append(f"Installed size: {mb(total)}")
    return "\n".join(lines) + "\n"


def _remove(proc: Proc, names: list[str], *, quiet: bool) -> int:
    db = _Db(read_text(proc, DB) or "")
    w = Writer(proc)
    gone = 0
    for name in names:
        row = db.rows.pop(name, None)
        if row is None:
            if not quiet:
                proc.out(f"No match for argument: {name}\n")
            continue
        for f in row[3].split(","):
            if f:
                w.remove(f)
        gone += 1
    w.file(DB, db.text())
    if not quiet:
        nothing = "No packages marked for removal.\nDependencies resolved.\nNothing to do.\n"
        proc.out(("" if gone else nothing) + "Complete!\n")
    return 0


RPM = Syntax("-q|--query -a|--all -i|--install -e|--erase -v -h --nodeps --import=", short=True)


@tool("rpm", note="modelled: queries what emu's dnf/yum model installed")
@parses(RPM, version="RPM version 4.16.1.3")
def rpm(proc: Proc, o: Opts) -> int:
    db = _Db(read_text(proc, DB) or "")
    if "--import" in o:
        return 0  # a signing key: nothing to verify offline
    if "--query" in o:
        if "--all" in o:
            for name, row in sorted(db.rows.items()):
                proc.out(f"{name}-{row[1]}.x86_64\n")
            return 0
        status = 0
        for name in o.args:
            found = db.rows.get(name)
            if found is None:
                proc.out(f"package {name} is not installed\n")
                status = 1
            else:
                proc.out(f"{name}-{found[1]}.x86_64\n")
        return status
    return not_modelled(proc, "rpm " + " ".join(proc.argv[1:]))
