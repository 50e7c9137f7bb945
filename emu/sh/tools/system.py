"""System programs packages bring, modelled: ``update-ca-certificates``, ``dpkg``,
``dpkg-architecture``, ``gosu``/``su-exec`` (run a command as another user), ``tini`` and
Info-ZIP's ``zip``.

- ``update-ca-certificates`` adds ``/usr/local/share/ca-certificates/**.crt`` to the bundle
  ``/etc/ssl/certs/ca-certificates.crt`` (their bytes appended; a size-only bundle grows by
  their size) with a ``.pem`` link each, and says so as Debian's script does (Alpine's
  program is silent). ``--fresh`` rebuilds from the same inputs.
- ``dpkg --print-architecture``, ``-l``, ``-s``/``--status``, ``-L``, ``-S``,
  ``--add-architecture``; ``dpkg -i`` of a .deb emu has no contents for is not modelled (said so).
- ``dpkg-architecture -q VAR`` (linux/amd64: ``DEB_HOST_MULTIARCH`` is
  ``x86_64-linux-gnu``).
- ``gosu USER[:GROUP] CMD…``/``su-exec``: the command runs as that user (a nested run of the
  shell with that identity); ``gosu nobody true``, the check Dockerfiles do after installing
  it, works.
- ``tini -- CMD…`` runs the command; ``--version``.
- ``zip [-r] [-j] [-q] OUT.zip FILE…`` writes a real zip of the files (a size-only file in
  the input makes the archive size-only, about half the inputs' size, said to be an
  estimate).
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from emu.fs import Blob, Dir, File, accounts
from emu.sh.api import Identity, Proc
from emu.sh.options import Opts, Syntax
from emu.sh.tools._base import ToolError, Writer, modelled, not_modelled, parses, tool
from emu.sh.tools._image import is_file, listdir, node_at, read_text, walk_files

CERTS = "/etc/ssl/certs"
BUNDLE = f"{CERTS}/ca-certificates.crt"
LOCAL = "/usr/local/share/ca-certificates"


@tool("update-ca-certificates", note="modelled: adds local certificates to the CA bundle")
@parses(Syntax("-f|--fresh -v|--verbose --certsconf= --localcertsdir= --certsdir=", short=True))
def update_ca_certificates(proc: Proc, o: Opts) -> int:
    alpine = is_file(proc, "/etc/alpine-release")
    local = o.get("--localcertsdir") or LOCAL
    certs = o.get("--certsdir") or CERTS
    bundle = f"{certs}/ca-certificates.crt"
    found = [f for f in walk_files(proc, local) if f.endswith(".crt")]
    w = Writer(proc)
    if not alpine:
        proc.out(f"Updating certificates in {certs}...\n")
    old = node_at(proc, bundle)
    added_bytes = b"".join((_bytes(proc, f) or b"") for f in found)
    added_size = sum(n.size for f in found if isinstance(n := node_at(proc, f), File))
    base = _marker_free(old)
    if isinstance(base, bytes) and all(_bytes(proc, f) is not None for f in found):
        w.file(bundle, base + added_bytes)
    else:
        size = (old.size if isinstance(old, File) else 0) + added_size
        w.blob(bundle, size, "CA bundle rebuilt by update-ca-certificates (modelled size)")
    for f in found:
        name = posixpath.splitext(posixpath.basename(f))[0]
        w.symlink(f"{certs}/{name}.pem", f)
    if not alpine:
        proc.out(
            f"{len(found)} added, 0 removed; done.\nRunning hooks in "
            "/etc/ca-certificates/update.d...\ndone.\n"
        )
    return 0


def _bytes(proc: Proc, path: str) -> bytes | None:
    node = node_at(proc, path)
    return node.data if isinstance(node, File) else None


def _marker_free(node: object) -> bytes | None:
    """The bundle's bytes when it has real ones (a size-only bundle has none)."""
    if isinstance(node, File) and isinstance(node.content, bytes):
        return node.content
    if node is None:
        return b""
    return None


# --- dpkg -------------------------------------------------------------------------------------

STATUS = "/var/lib/dpkg/status"
ARCH = {
    "DEB_HOST_ARCH": "amd64", "DEB_HOST_ARCH_OS": "linux", "DEB_HOST_ARCH_CPU": "amd64",
    "DEB_HOST_ARCH_BITS": "64", "DEB_HOST_ARCH_ENDIAN": "little",
    "DEB_HOST_GNU_CPU": "x86_64", "DEB_HOST_GNU_SYSTEM": "linux-gnu",
    "DEB_HOST_GNU_TYPE": "x86_64-linux-gnu", "DEB_HOST_MULTIARCH": "x86_64-linux-gnu",
}  # fmt: skip


def _stanzas(proc: Proc) -> dict[str, str]:
    """The dpkg database: its status file, and (emu's images abridge it) the packages the
    image's release installs in every image of it, as apt's model counts them."""
    out: dict[str, str] = {}
    for stanza in (read_text(proc, STATUS) or "").split("\n\n"):
        for line in stanza.splitlines():
            if line.startswith("Package: "):
                out[line[9:].strip()] = stanza.strip("\n")
                break
    from emu.sh.tools.apt import release_universe  # the release's package data

    found = release_universe(proc)
    if found is not None:
        universe = found[0]
        for name in sorted(universe.image_packages() - set(out)):
            p = universe.get(name)
            if p is not None:
                out[name] = (
                    f"Package: {name}\nStatus: install ok installed\nPriority: {p.priority}\n"
                    f"Section: {p.section}\nInstalled-Size: {p.installed_kib}\n"
                    f"Architecture: amd64\nVersion: {p.version}\nDescription: {p.description}"
                )
    return out


def _field(stanza: str, key: str) -> str:
    for line in stanza.splitlines():
        if line.startswith(key + ": "):
            return line[len(key) + 2 :]
    return ""


DPKG = Syntax(
    "--print-architecture -l|--list -s|--status -L|--listfiles -S|--search -i|--install "
    "--add-architecture= --print-foreign-architectures --version --force-all -P|--purge "
    "-r|--remove --configure -x|--extract",
    short=True,
)


@tool("dpkg", "dpkg-query", note="modelled: queries of the dpkg database; .deb installs are not")
@parses(DPKG)
def dpkg(proc: Proc, o: Opts) -> int:
    if "--print-architecture" in o:
        proc.out("amd64\n")
        return 0
    if "--print-foreign-architectures" in o:
        return 0
    if "--add-architecture" in o:
        return not_modelled(proc, f"dpkg --add-architecture {o.get('--add-architecture')}")
    if "--version" in o:
        proc.out("Debian 'dpkg' package management program version 1.21.22 (amd64).\n")
        return 0
    pkgs = _stanzas(proc)
    if "--status" in o or (proc.name == "dpkg-query" and "-W" in o):
        status = 0
        for name in o.args:
            stanza = pkgs.get(name)
            if stanza is None:
                proc.stderr.write(
                    f"dpkg-query: package '{name}' is not installed and no information is "
                    "available\nUse dpkg --info (= dpkg-deb --info) to examine archive files.\n"
                )
                status = 1
            elif "-W" in o:
                proc.out(f"{name}\t{_field(stanza, 'Version')}\n")
            else:
                proc.out(stanza + "\n\n")
        return status
    if "--list" in o:
        proc.out(
            "Desired=Unknown/Install/Remove/Purge/Hold\n| Status=Not/Inst/Conf-files/Unpacked/"
            "halF-conf/Half-inst/trig-aWait/Trig-pend\n|/ Err?=(none)/Reinst-required\n"
            "||/ Name Version Architecture Description\n+++-====-=======-============-===\n"
        )
        for name in sorted(pkgs):
            if o.args and name not in o.args:
                continue
            s = pkgs[name]
            proc.out(f"ii  {name} {_field(s, 'Version')} {_field(s, 'Architecture') or 'amd64'}"
                     f" {_field(s, 'Description')}\n")  # fmt: skip
        return 0
    if "--listfiles" in o:
        for name in o.args:
            text = read_text(proc, f"/var/lib/dpkg/info/{name}.list")
            if text is None:
                raise ToolError(f"dpkg-query: package '{name}' is not installed", 1)
            proc.out(text)
        return 0
    if "--search" in o:
        hits = []
        for f in listdir(proc, "/var/lib/dpkg/info"):
            if f.endswith(".list"):
                for line in (read_text(proc, f"/var/lib/dpkg/info/{f}") or "").splitlines():
                    if any(pat in line for pat in o.args):
                        hits.append(f"{f[:-5]}: {line}")
        if not hits:
            raise ToolError(f"dpkg-query: no path found matching pattern {' '.join(o.args)}", 1)
        proc.out("\n".join(hits) + "\n")
        return 0
    if "--install" in o:
        for deb in o.args:
            if not is_file(proc, deb):
                raise ToolError(f"dpkg: error: cannot access archive '{deb}': No such file or "
                                "directory", 2)  # fmt: skip
        return not_modelled(proc, "dpkg -i " + " ".join(o.args) + " (a .deb's contents)")
    return not_modelled(proc, "dpkg " + " ".join(proc.argv[1:]))


@tool("dpkg-architecture", note="modelled: the build's own platform, linux/amd64")
@parses(Syntax("-q|--query= -a|--host-arch= -l|--list", short=True))
def dpkg_architecture(proc: Proc, o: Opts) -> int:
    var = o.get("--query")
    if var:
        if var not in ARCH and var.replace("_BUILD_", "_HOST_") not in ARCH:
            raise ToolError(f"dpkg-architecture: error: {var} is not a supported variable name", 2)
        proc.out((ARCH.get(var) or ARCH[var.replace("_BUILD_", "_HOST_")]) + "\n")
        return 0
    for k, v in ARCH.items():
        proc.out(f"{k}={v}\n")
    return 0


# --- running as another user ------------------------------------------------------------------


def _identity(proc: Proc, spec: str, tool_name: str) -> Identity:
    user, _, group = spec.partition(":")
    uid: int | None = None
    gid: int | None = None
    name = user
    if user.isascii() and user.isdigit():
        uid = int(user)
        found = accounts.user_with_id(proc.fs, uid)
        gid = found.gid if found is not None else uid
        name = found.name if found is not None else user
    else:
        row = accounts.user_named(proc.fs, user)
        if row is None:
            raise ToolError(f"error: failed switching to \"{user}\": unable to find user {user}: "
                            "no matching entries in passwd file"
                            if tool_name == "gosu" else f"su-exec: getpwnam({user}): "
                            "No such file or directory", 1)  # fmt: skip
        uid, gid = row.uid, row.gid
    if group:
        grp = (
            None if (group.isascii() and group.isdigit()) else accounts.group_named(proc.fs, group)
        )
        gid = (
            int(group)
            if group.isascii() and group.isdigit()
            else (grp.gid if grp is not None else None)
        )
        if gid is None:
            raise ToolError(f"error: failed switching to \"{spec}\": unable to find group "
                            f"{group}", 1)  # fmt: skip
    assert uid is not None and gid is not None
    return Identity(uid, gid, accounts.supplementary(proc.fs, name), name)


def run_as(proc: Proc, ident: Identity, argv: list[str]) -> int:
    """``argv`` run by a nested shell as ``ident`` (what gosu/su-exec exec into)."""
    from emu.sh import interp  # the shell runs the child; imported when one is needed

    env = dict(proc.env)
    found = accounts.user_with_id(proc.fs, ident.uid)
    env["HOME"] = found.home if found is not None and found.home else env.get("HOME", "/")
    result = interp.run_argv(
        argv, fs=proc.fs, env=env, cwd=proc.cwd, ident=ident, stdin=proc.stdin, limits=proc.limits
    )
    proc.out(result.stdout)
    proc.stderr.write(result.stderr)
    return result.status


@tool("gosu", "su-exec", note="modelled: runs the command as the user")
def gosu(proc: Proc) -> int:
    args = proc.argv[1:]
    if args[:1] in (["--version"], ["-v"]):
        proc.out("1.17 (go1.18.2 on linux/amd64; gc)\n")
        return 0
    if len(args) < 2:
        usage = "Usage: gosu user-spec command [args]" if proc.name == "gosu" else (
            "Usage: su-exec user-spec command [args]")  # fmt: skip
        raise ToolError(usage, 1)
    return run_as(proc, _identity(proc, args[0], proc.name), args[1:])


@tool("tini", note="modelled: runs the command (an init for containers)")
def tini(proc: Proc) -> int:
    args = proc.argv[1:]
    if args[:1] == ["--version"]:
        proc.out("tini version 0.19.0\n")
        return 0
    while args and args[0].startswith("-") and args[0] != "--":
        args = args[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        raise ToolError("tini (tini version 0.19.0)\nUsage: tini [OPTIONS] PROGRAM -- [ARGS]", 1)
    return proc.run(args)


# --- zip --------------------------------------------------------------------------------------

ZIP = Syntax("-r|--recurse-paths -j|--junk-paths -q|--quiet -x|--exclude= -9 -1 -0", short=True)


@tool("zip", note="modelled: Info-ZIP zip, writing real archives")
@parses(ZIP)
def zip_(proc: Proc, o: Opts) -> int:
    if len(o.args) < 2:
        raise ToolError("zip error: Nothing to do! (try: zip -r archive.zip folder)", 12)
    out, inputs = o.args[0], o.args[1:]
    if not out.endswith(".zip") and "." not in posixpath.basename(out):
        out += ".zip"
    entries: list[tuple[str, File | None]] = []
    for name in inputs:
        node = node_at(proc, name)
        if node is None:
            proc.stderr.write(f"\tzip warning: name not matched: {name}\n")
            continue
        if isinstance(node, Dir):
            entries.append((name.rstrip("/") + "/", None))
            if "--recurse-paths" in o:
                for f in walk_files(proc, name):
                    child = node_at(proc, f)
                    if isinstance(child, File):
                        rel = posixpath.relpath(f, proc.cwd) if not name.startswith("/") else f
                        entries.append((rel.lstrip("/"), child))
        elif isinstance(node, File):
            entries.append((name.lstrip("/"), node))
    if not entries:
        raise ToolError("\nzip error: Nothing to do!", 12)
    # A name given twice (or met again through -r) is one entry, as zip adds it once; two
    # names that -j makes one are refused (both seen with Info-ZIP zip 3.0).
    first: dict[str, File | None] = {}
    for name, node in entries:
        first.setdefault(name, node)
    entries = list(first.items())
    if "--junk-paths" in o:
        by_arc: dict[str, str] = {}
        for name, node in entries:
            arc = posixpath.basename(name)
            if node is not None and by_arc.setdefault(arc, name) != name:
                pad = " " * 21
                raise ToolError(
                    f"\tzip warning:   first full name: {by_arc[arc]}\n"
                    f"{pad} second full name: {name}\n{pad}name in zip file repeated: {arc}\n"
                    f"{pad}this may be a result of using -j\n\n"
                    "zip error: Invalid command arguments (cannot repeat names in zip file)",
                    16,
                )
    w = Writer(proc)
    sized = [e for e in entries if e[1] is not None and isinstance(e[1].content, Blob)]
    quiet = "--quiet" in o
    for name, node in entries:
        if not quiet:
            shown = posixpath.basename(name.rstrip("/")) if "--junk-paths" in o else name
            how = "stored 0%" if node is None or not node.size else "deflated 50%"
            proc.out(f"  adding: {shown} ({how})\n")
    if sized:
        total = sum(n.size for _, n in entries if n is not None)
        w.blob(out, total // 2 + 22, f"zip archive of {len(entries)} entries (size-only "
               "inputs: about half their size, an estimate)")  # fmt: skip
        modelled(proc, f"zip {out} ({len(entries)} entries; an estimate: size-only inputs)")
        return 0
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, node in entries:
            arc = posixpath.basename(name.rstrip("/")) if "--junk-paths" in o else name
            if node is None:
                if "--junk-paths" not in o:
                    zf.writestr(zipfile.ZipInfo(arc, (1980, 1, 1, 0, 0, 0)), b"")
                continue
            info = zipfile.ZipInfo(arc, (1980, 1, 1, 0, 0, 0))
            info.external_attr = (node.meta.mode & 0o7777 | 0o100000) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, node.data or b"")
    w.file(out, buf.getvalue())
    return 0
