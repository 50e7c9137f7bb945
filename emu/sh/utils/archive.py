"""tar (c/x/t, gzip/bzip2/xz compression, -C, -v, --strip-components, --exclude) writing
busybox's ustar headers byte for byte, and gzip/gunzip/zcat (real DEFLATE through Python's
zlib; header mtime 0 so archives are reproducible)."""

from __future__ import annotations

import bz2
import contextlib
import errno as E
import fnmatch
import gzip as _gzip
import io
import lzma
import posixpath
import re
import tarfile
import time as _time
import zlib

from emu.fs import Blob, Device, Dir, File, Kind, Lazy, Meta, Node, Symlink, accounts
from emu.fs.accounts import Names
from emu.sh import permissive
from emu.sh.api import Proc
from emu.sh.options import Die, Opts, getopt, number
from emu.sh.utils._common import (
    Sys,
    Unmodelled,
    applet,
    content_of,
    join,
    mode_string,
    oserr,
    read_or_report,
    strerror,
)

# --- tar writing ------------------------------------------------------------------------


def _octal(value: int, width: int) -> bytes:
    """busybox putOctal: zero padded, one leading zero dropped so the field ends in NUL."""
    s = f"{value:0{width}o}"
    if len(s) == width and s[0] == "0":
        s = s[1:]
    return s.encode()[:width].ljust(width, b"\0")


def _header(
    name: bytes, meta: Meta, typeflag: bytes, size: int, link: bytes, names: Names
) -> bytes:
    h = bytearray(512)
    h[0:100] = name[:100].ljust(100, b"\0")
    h[100:108] = _octal(meta.mode & 0o7777, 8)
    h[108:116] = _octal(meta.uid, 8)
    h[116:124] = _octal(meta.gid, 8)
    h[124:136] = _octal(size, 12)
    h[136:148] = _octal(max(meta.mtime, 0), 12)
    h[156:157] = typeflag
    h[157:257] = link[:100].ljust(100, b"\0")
    h[257:265] = b"ustar  \0"
    h[265:297] = names.user(meta.uid).encode()[:31].ljust(32, b"\0")
    h[297:329] = names.group(meta.gid).encode()[:31].ljust(32, b"\0")
    h[148:156] = b" " * 8
    chk = sum(h)
    h[148:156] = f"{chk:06o}".encode() + b"\0 "
    return bytes(h)


def _long(kind: bytes, value: bytes, names: Names) -> bytes:
    """A GNU ././@LongLink entry for names or link targets over 100 bytes."""
    data = value + b"\0"
    h = _header(b"././@LongLink", Meta(0, 0, 0, 0), kind, len(data), b"", names)
    return h + data + b"\0" * (-len(data) % 512)


class _TarWriter:
    def __init__(self, proc: Proc, sys: Sys, verbose: bool, excludes: list[str]) -> None:
        self.proc = proc
        self.sys = sys
        self.names = Names.of(sys.fs)
        self.chunks: list[bytes] = []
        self.links: dict[int, bytes] = {}
        self.verbose = verbose
        self.excludes = excludes
        self.status = 0
        self.warned = False
        # Size-only files (a model's binaries and bundles): their bytes are not modelled, so
        # an archive holding them can only be a size-only file too (bytes: their sizes).
        self.opaque: list[int] = []
        self.to_stdout = False

    def excluded(self, name: str) -> bool:
        base = name.rstrip("/").rsplit("/", 1)[-1]
        return any(
            fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(base, p) for p in self.excludes
        )

    def add(self, path: str, arcname: str, deref: bool) -> None:
        try:
            node = self.sys.stat(path) if deref else self.sys.lstat(path)
        except OSError as e:
            self.proc.err(f"{path}: {e.strerror}")
            self.status = 1
            return
        self._add(path, arcname, node, deref)

    def _add(self, path: str, arcname: str, node: Node, deref: bool) -> None:
        self.sys.limits.step()
        name = arcname
        if name.startswith("/"):
            if not self.warned:
                self.proc.err("removing leading '/' from member names")
                self.warned = True
            name = name.lstrip("/")
        if not name or self.excluded(name):
            if not name and isinstance(node, Dir):
                self._children(path, "", node, deref)
            return
        bname = name.encode("utf-8", "surrogateescape")
        meta = node.meta
        if isinstance(node, File) and id(node) in self.links and not deref:
            link = self.links[id(node)]
            self._emit(bname, meta, b"1", 0, link)
        elif isinstance(node, File):
            try:
                data = content_of(node, path)
            except Unmodelled as u:
                if self.to_stdout:  # a stream cannot carry a size-only file
                    self.proc.err(f"{path}: {u.strerror}")
                    self.status = 1
                    return
                self.links[id(node)] = bname
                self._emit(bname, meta, b"0", u.size, b"")
                self.opaque.append(u.size + (-u.size % 512))
                if self.verbose:
                    self.proc.out(name + "\n")
                return
            self.links[id(node)] = bname
            self._emit(bname, meta, b"0", len(data), b"")
            self.chunks.append(data + b"\0" * (-len(data) % 512))
        elif isinstance(node, Symlink):
            self._emit(bname, meta, b"2", 0, node.target.encode("utf-8", "surrogateescape"))
        elif isinstance(node, Dir):
            dname = bname if bname.endswith(b"/") else bname + b"/"
            self._emit(dname, meta, b"5", 0, b"")
            self._children(path, name, node, deref)
            return
        elif isinstance(node, Device):
            flag = {Kind.CHAR: b"3", Kind.BLOCK: b"4", Kind.FIFO: b"6"}[node.kind]
            self._emit(bname, meta, flag, 0, b"")
        if self.verbose:
            self.proc.out(name + "\n")

    def _children(self, path: str, name: str, node: Dir, deref: bool) -> None:
        if self.verbose and name:
            self.proc.out(name.rstrip("/") + "/\n")
        for child_name in sorted(node.entries):
            child = node.entries[child_name]
            cpath = join(path, child_name)
            if deref and isinstance(child, Symlink):
                child = self.sys.try_stat(cpath) or child
            self._add(cpath, join(name, child_name) if name else child_name, child, deref)

    def _emit(self, name: bytes, meta: Meta, flag: bytes, size: int, link: bytes) -> None:
        if len(link) > 100:
            self.chunks.append(_long(b"K", link, self.names))
        if len(name) > 100:
            self.chunks.append(_long(b"L", name, self.names))
        self.chunks.append(_header(name, meta, flag, size, link, self.names))

    def archive(self) -> bytes:
        return b"".join(self.chunks) + b"\0" * 1024

    def size_only(self, compressed: bool) -> Blob:
        """The archive as a size-only file, when it holds size-only files: the headers and
        modelled files' bytes, plus the size-only files' sizes (compression is taken to
        gain nothing on those, as they stand for binaries and bundles)."""
        known = self.archive()
        head = len(gzip_bytes(known)) if compressed else len(known)
        n = len(self.opaque)
        label = (f"tar archive with {n} size-only file{'s' if n != 1 else ''} "
                 "(their bytes are not modelled; modelled size)")  # fmt: skip
        return Blob(head + sum(self.opaque), label)


# --- compression ------------------------------------------------------------------------


def gzip_bytes(data: bytes) -> bytes:
    """gzip with a fixed header (mtime 0, no name): the same input gives the same bytes."""
    return _gzip.compress(data, compresslevel=6, mtime=0)


def decompress(data: bytes, what: str = "") -> bytes:
    """Undo gzip/bzip2/xz by magic; other data comes back unchanged."""
    try:
        if data[:2] == b"\x1f\x8b":
            return _gzip.decompress(data)
        if data[:3] == b"BZh":
            return bz2.decompress(data)
        if data[:6] == b"\xfd7zXZ\x00":
            return lzma.decompress(data)
    except (OSError, EOFError, zlib.error, lzma.LZMAError) as e:
        raise Die(f"corrupted data{': ' + what if what else ''} ({e})") from None
    return data


# --- tar --------------------------------------------------------------------------------


def _tar_argv(argv: list[str]) -> list[str]:
    """``tar xzf a.tgz`` — a first word without a dash is a bundle of options."""
    if argv and not argv[0].startswith("-") and argv[0]:
        return ["-" + argv[0], *argv[1:]]
    return argv


@applet(
    "tar",
    usage="c|x|t [-ZzJjahmvokO] [-f TARFILE] [-C DIR] [-T FILE] [-X FILE] [LONGOPT]... [FILE]...",
)
def tar(proc: Proc) -> int:
    o = getopt(
        _tar_argv(proc.argv[1:]),
        "cxtf:C:zjJZavhmokOpT:X:PN",
        {
            "create": "c",
            "extract": "x",
            "get": "x",
            "list": "t",
            "file=": "f",
            "directory=": "C",
            "gzip": "z",
            "gunzip": "z",
            "bzip2": "j",
            "xz": "J",
            "verbose": "v",
            "dereference": "h",
            "touch": "m",
            "no-same-owner": "o",
            "same-owner": "\x01",
            "keep-old-files": "k",
            "to-stdout": "O",
            "same-permissions": "p",
            "preserve-permissions": "p",
            "files-from=": "T",
            "exclude-from=": "X",
            "exclude=": "\x02",
            "strip-components=": "\x03",
            "numeric-owner": "\x04",
            "no-same-permissions": "\x05",
            "overwrite": "\x06",
            "owner=": "\x07",
            "group=": "\x08",
            "mtime=": "\x09",
            "no-recursion": "\x0a",
            "absolute-names": "P",
            "auto-compress": "a",
            "warning=": "\x0b",
            "sort=": "\x0c",
            "anchored": "\x0d",
            "wildcards": "\x0e",
        },
    )
    modes = [m for m in "cxt" if m in o]
    if len(modes) != 1:
        raise Die("need exactly one of 'c', 'x' or 't'" if modes else None, usage=not modes)
    mode = modes[0]
    sys = Sys(proc)
    archive = o.get("f") or "-"
    excludes = list(o.all("\x02"))
    for xf in o.all("X"):
        try:
            excludes += sys.read(xf).decode("utf-8", "surrogateescape").split("\n")
        except OSError as e:
            raise Die(f"can't open '{xf}': {e.strerror}") from None
    excludes = [e for e in excludes if e]
    members = list(o.args)
    for tf in o.all("T"):
        try:
            data = proc.stdin if tf == "-" else sys.read(tf)
        except OSError as e:
            raise Die(f"can't open '{tf}': {e.strerror}") from None
        members += [m for m in data.decode("utf-8", "surrogateescape").split("\n") if m]
    cwd = proc.cwd
    if mode == "c":
        if not members:
            raise Die("empty archive")
        if o.get("C") is not None:
            dirp = sys.abspath(o.get("C") or "")
            if not isinstance(sys.try_stat(dirp), Dir):
                raise Die(f"can't change directory to '{o.get('C')}': No such file or directory")
        w = _TarWriter(proc, sys, "v" in o and archive != "-", excludes)
        w.to_stdout = archive == "-"
        if "v" in o and archive == "-":
            w.verbose = False
        for m in members:
            if o.get("C") is not None:
                sys.proc.cwd = sys.abspath(o.get("C") or "")
            try:
                w.add(m, m, "h" in o)
            finally:
                sys.proc.cwd = cwd
        gz = "z" in o or (("a" in o) and archive.endswith(("gz", "tgz")))
        if w.opaque:
            try:
                sys.write(archive, w.size_only(gz))
            except OSError as e:
                raise Die(f"can't open '{archive}': {e.strerror}") from None
            return w.status
        data = w.archive()
        if gz:
            data = gzip_bytes(data)
        elif "j" in o:
            data = bz2.compress(data)
        elif "J" in o:
            data = lzma.compress(data)
        if archive == "-":
            proc.out(data)
        else:
            try:
                sys.write(archive, data)
            except OSError as e:
                raise Die(f"can't open '{archive}': {e.strerror}") from None
        if w.status:
            proc.err("error exit delayed from previous errors")
        return w.status
    # t / x: read the archive
    if archive == "-":
        raw = proc.stdin
    else:
        try:
            raw = sys.read(archive)
        except Unmodelled as u:
            raise Die(f"{archive}: {u.strerror}") from None
        except OSError as e:
            raise Die(f"can't open '{archive}': {e.strerror}") from None
    stripped = int(o.get("\x03") or 0) > 0  # --strip-components: no top folder
    dest = (o.get("C") or ".") if mode == "x" else None
    if _placeholder(proc, archive, raw, dest, top_folder=not stripped):
        return 0
    raw = decompress(raw)
    status = 0
    try:
        tf_ = tarfile.open(fileobj=io.BytesIO(raw), mode="r:")  # noqa: SIM115 (in memory)
        entries = tf_.getmembers()
    except tarfile.TarError:
        if len(raw) >= 512:
            raise Die("invalid tar magic") from None
        # An empty or truncated archive: busybox says so, then reports the wanted names.
        proc.err("short read")
        for m in members:
            proc.err(f"{m.rstrip('/')}: not found in archive")
        return 1
    strip = number(o.get("\x03") or "0")
    wanted = {m.rstrip("/") for m in members}
    found: set[str] = set()
    names = Names.of(sys.fs)
    out_to_stdout = "O" in o
    if o.get("C") is not None and mode == "x":
        dest = sys.abspath(o.get("C") or "")
        node = sys.try_stat(dest)
        if not isinstance(node, Dir):
            raise Die(f"can't change directory to '{o.get('C')}': No such file or directory")
        proc.cwd = dest
    try:
        for ti in entries:
            sys.limits.step()
            name = ti.name
            if wanted:
                hit = next(
                    (w for w in wanted if name.rstrip("/") == w or name.startswith(w + "/")), None
                )
                if hit is None:
                    continue
                found.add(hit)
            base = name.rstrip("/").rsplit("/", 1)[-1]
            if any(
                fnmatch.fnmatchcase(name.rstrip("/"), p) or fnmatch.fnmatchcase(base, p)
                for p in excludes
            ):
                continue
            if strip:
                parts = [p for p in name.split("/") if p]
                if len(parts) <= strip:
                    continue
                name = "/".join(parts[strip:])
                if ti.islnk():
                    lparts = [p for p in ti.linkname.split("/") if p]
                    ti.linkname = "/".join(lparts[strip:])
            if ti.isdir() and not name.endswith("/"):
                name += "/"  # tarfile drops the slash busybox shows
            if mode == "t":
                proc.out(_list_line(ti, name, "v" in o))
                continue
            if "v" in o and not out_to_stdout:
                proc.out(name + "\n")
            if out_to_stdout:
                if ti.isfile():
                    f = tf_.extractfile(ti)
                    proc.out(f.read() if f else b"")
                continue
            status |= _extract(proc, sys, tf_, ti, name, o, names)
    finally:
        proc.cwd = cwd
    for missing in sorted(wanted - found):
        proc.err(f"{missing}: not found in archive")
        status = 1
    return status


def _list_line(ti: tarfile.TarInfo, name: str, verbose: bool) -> str:
    if not verbose:
        return name + "\n"
    kind = {
        tarfile.DIRTYPE: Dir,
        tarfile.SYMTYPE: Symlink,
    }.get(ti.type, File)
    meta = Meta(ti.mode & 0o7777)
    node: Node = (
        kind(meta) if kind is Dir else Symlink(meta, ti.linkname) if kind is Symlink else File(meta)
    )
    if ti.type in (tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE):
        node = Device(
            meta, {tarfile.CHRTYPE: Kind.CHAR, tarfile.BLKTYPE: Kind.BLOCK}.get(ti.type, Kind.FIFO)
        )
    ms = mode_string(node)
    user = ti.uname or str(ti.uid)
    group = ti.gname or str(ti.gid)
    t = _time.gmtime(ti.mtime)
    stamp = _time.strftime("%Y-%m-%d %H:%M:%S", t)
    line = f"{ms} {user}/{group} {ti.size:9d} {stamp} {name}"
    if ti.issym() or ti.islnk():
        line += f" -> {ti.linkname}"
    return line + "\n"


def _extract(
    proc: Proc,
    sys: Sys,
    tf: tarfile.TarFile,
    ti: tarfile.TarInfo,
    name: str,
    o: Opts,
    names: Names,
) -> int:
    path = name
    if path.startswith("/"):
        path = path.lstrip("/")
    if not path:
        return 0
    # As root, owners come from the names in the archive (the image's /etc/passwd),
    # else the numbers; -o or a non-root user keeps the extracting user's.
    same_owner = sys.root and "o" not in o
    uid, gid = sys.ident.uid, sys.ident.gid
    if same_owner:
        uid, gid = ti.uid, ti.gid
        if "\x04" not in o:
            pw = accounts.user_named(sys.fs, ti.uname) if ti.uname else None
            gr = accounts.group_named(sys.fs, ti.gname) if ti.gname else None
            uid = pw.uid if pw else ti.uid
            gid = gr.gid if gr else ti.gid
    mode = ti.mode & 0o7777
    if not (sys.root or "p" in o) or "\x05" in o:
        mode &= ~sys.mask
    mtime = sys.time if "m" in o else int(ti.mtime)
    meta = Meta(mode, uid, gid, mtime)
    # Parent directories the archive does not list are created like mkdir -p.
    parent = path.rstrip("/").rsplit("/", 1)[0] if "/" in path.rstrip("/") else ""
    if parent and not isinstance(sys.try_stat(parent), Dir):
        from emu.sh.utils.files import make_directory

        if not make_directory(proc, sys, parent, None, True):
            return 1
    try:
        existing = sys.try_stat(path, False)
        if ti.isdir():
            if isinstance(existing, Dir):
                sys.set_meta(path, meta)
                return 0
            if existing is not None:
                sys.unlink(path)
            sys.put_new(path, Dir(meta, owner=sys.fs._owner))
            return 0
        if existing is not None:
            if "k" in o:
                return 0
            if isinstance(existing, Dir):
                if not existing.entries:
                    sys.rmdir(path)
                else:
                    proc.err(f"can't remove old file {path}: {strerror(E.EISDIR)}")
                    return 1
            else:
                sys.unlink(path)
        if ti.issym():
            # symlinks get no utimes: their mtime is the extraction's
            sys.put_new(path, Symlink(Meta(0o777, uid, gid, sys.time), ti.linkname))
        elif ti.islnk():
            target = ti.linkname
            try:
                sys.link(target, path)
            except OSError as e:
                proc.err(f"can't create hardlink '{path}': {e.strerror}")
                return 1
        elif ti.isfile():
            f = tf.extractfile(ti)
            data = f.read() if f else b""
            sys.limits.stored(len(data))
            sys.put_new(path, File(meta, data))
        elif ti.ischr() or ti.isblk() or ti.isfifo():
            kind = Kind.CHAR if ti.ischr() else Kind.BLOCK if ti.isblk() else Kind.FIFO
            if not sys.root and kind != Kind.FIFO:
                raise oserr(1, path)
            sys.put_new(path, Device(meta, kind, ti.devmajor, ti.devminor))
    except OSError as e:
        proc.err(
            f"can't create '{path}': {e.strerror}"
            if not ti.isdir()
            else f"can't make dir {path}: {e.strerror}"
        )
        return 1
    return 0


# --- gzip / gunzip / zcat ---------------------------------------------------------------


def _pack(proc: Proc, unpack: bool, to_stdout: bool) -> int:
    o = getopt(
        proc.argv[1:],
        "cfkdtqvn123456789",
        {
            "stdout": "c",
            "to-stdout": "c",
            "force": "f",
            "keep": "k",
            "decompress": "d",
            "uncompress": "d",
            "test": "t",
            "quiet": "q",
            "verbose": "v",
            "no-name": "n",
            "best": "9",
            "fast": "1",
        },
    )
    sys = Sys(proc)
    unpack = unpack or "d" in o or "t" in o
    to_stdout = to_stdout or "c" in o or "t" in o
    files = o.args or ["-"]
    status = 0
    for name in files:
        node: Node | None = None
        if name == "-":
            data = proc.stdin
        elif unpack and not to_stdout:
            for suf in (".gz", ".tgz", ".Z", ".z"):
                if name.endswith(suf) and len(name) > len(suf):
                    target = name[: -len(suf)] + (".tar" if suf == ".tgz" else "")
                    break
            else:
                proc.err(f"{name}: unknown suffix - ignored")
                status = 1
                continue
        else:
            target = name + ".gz"
        if name != "-":
            node = sys.try_stat(name)
            if isinstance(node, Dir):
                proc.err(f"{name} is a directory")
                status = 1
                continue
            got = read_or_report(proc, sys, name)
            if isinstance(got, OSError):
                status = 1
                continue
            data = got
        try:
            out = _unpack_data(data) if unpack else gzip_bytes(data)
        except Die as d:
            proc.err(d.msg or "")
            status = 1
            continue
        if "t" in o:
            continue
        if to_stdout or name == "-":  # what comes from stdin goes to stdout
            proc.out(out)
            continue
        if sys.try_stat(target, False) is not None:
            if "f" not in o:
                proc.err(f"can't open '{target}': File exists")
                status = 1
                continue
            try:
                sys.unlink(target)
            except OSError as e:
                proc.err(f"can't remove '{target}': {e.strerror}")
                status = 1
                continue
        # The result keeps the original's mode and owner; gunzip restores the mtime the
        # gzip header carries (none here: emu writes 0); the original goes.
        if node is None:  # read, so there (a race emu cannot have)
            continue
        mtime = sys.time
        if unpack and len(data) >= 8 and int.from_bytes(data[4:8], "little"):
            mtime = int.from_bytes(data[4:8], "little")
        try:
            sys.limits.stored(len(out))
            sys.put_new(target, File(node.meta.with_(mtime=mtime), out))
            if "k" not in o:
                sys.unlink(name)
        except OSError as e:
            proc.err(f"can't open '{target}': {e.strerror}")
            status = 1
    return status


def _unpack_data(data: bytes) -> bytes:
    if data[:2] != b"\x1f\x8b":
        raise Die("invalid magic")
    try:
        return _gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as e:
        raise Die(f"corrupted data ({e})") from None


@applet("gzip", usage="[-cfkdt] [FILE]...")
def gzip(proc: Proc) -> int:
    return _pack(proc, False, False)


@applet("gunzip", usage="[-cfkt] [FILE]...")
def gunzip(proc: Proc) -> int:
    return _pack(proc, True, False)


@applet("zcat", usage="[FILE]...")
def zcat(proc: Proc) -> int:
    return _pack(proc, True, True)


_unused = (Blob, Lazy)


# --- unzip --------------------------------------------------------------------------------


@applet("unzip", usage="[-lnojpq] FILE[.zip] [FILE]... [-x FILE]... [-d DIR]")
def unzip(proc: Proc) -> int:
    """busybox unzip: extract (``-o`` overwrite, ``-n`` never, ``-d DIR``), list (``-l``) or
    pipe (``-p``) members of a real zip; a jar the build-tool models wrote (size-only)
    unpacks as they model it; a --permissive placeholder warns and extracts nothing."""
    args = proc.argv[1:]
    excludes: list[str] = []
    if "-x" in args:
        at = args.index("-x")
        excludes = [a for a in args[at + 1 :] if not a.startswith("-")]
        args = args[:at] + [a for a in args[at + 1 :] if a.startswith("-")]
    o = getopt(args, "lnojpqvd:")
    if not o.args:
        raise Die(None, usage=True)
    sys = Sys(proc)
    name = o.args[0]
    if sys.try_stat(name) is None and sys.try_stat(name + ".zip") is not None:
        name += ".zip"
    members = o.args[1:]
    quiet = o.count("q") > 0 or "p" in o
    dest = o.get("d") or "."
    try:
        node = sys.stat(name)
    except OSError:
        raise Die(f"can't open {name}[.zip]") from None
    if isinstance(node, File) and isinstance(node.content, Blob):
        from emu.sh.tools.jvm import unpack_jar_at  # the jar models live with the tools

        if not quiet:
            proc.out(f"Archive:  {name}\n")
        unpack_jar_at(proc, node, proc.path(dest), name)
        return 0
    try:
        raw = sys.read(name)
    except OSError as e:
        raise Die(f"can't open {name}: {e.strerror}") from None
    if _placeholder(proc, name, raw, None if "l" in o or "p" in o else dest):
        return 0
    import zipfile

    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise Die("not a zip file") from None
    infos = [
        i
        for i in zf.infolist()
        if (not members or any(fnmatch.fnmatchcase(i.filename, m) for m in members))
        and not any(fnmatch.fnmatchcase(i.filename, x) for x in excludes)
    ]
    if "l" in o:
        proc.out(f"Archive:  {name}\n  Length      Date    Time    Name\n"
                 "---------  ---------- -----   ----\n")  # fmt: skip
        for i in infos:
            y, mo, d, h, mi, _ = i.date_time
            proc.out(f"{i.file_size:9d}  {mo:02d}-{d:02d}-{y} {h:02d}:{mi:02d}   {i.filename}\n")
        total = sum(i.file_size for i in infos)
        proc.out(f"---------                     -------\n{total:9d}                     "
                 f"{len(infos)} file{'s' if len(infos) != 1 else ''}\n")  # fmt: skip
        return 0
    if not quiet:
        proc.out(f"Archive:  {name}\n")
    for i in infos:
        data = zf.read(i)
        if "p" in o:
            if not i.is_dir():
                proc.out(data)
            continue
        target = posixpath.join(dest, i.filename)
        if i.is_dir():
            if not quiet:
                proc.out(f"   creating: {target}\n")
            _mkdirs(sys, target)
            continue
        if sys.try_stat(target) is not None and "o" not in o:
            if "n" in o:
                continue
            raise Die(f"'{target}' exists but -o is not given (the question has no answer)")
        _mkdirs(sys, posixpath.dirname(target) or ".")
        mode = (i.external_attr >> 16) & 0o7777 or 0o644
        if not quiet:
            proc.out(f"  inflating: {target}\n")
        sys.write(target, data, mode=mode)
    return 0


def _mkdirs(sys: Sys, path: str) -> None:
    """``mkdir -p``, as the process's user."""
    parts = sys.abspath(path).split("/")
    for k in range(2, len(parts) + 1):
        sub = "/".join(parts[:k])
        if sub and sys.try_stat(sub) is None:
            sys.mkdir(sub, 0o755)


def _placeholder(
    proc: Proc, name: str, raw: bytes, dest: str | None, top_folder: bool = True
) -> bool:
    """Whether the archive is --permissive's stand-in for a download (then there is
    nothing to read: a warning, and nothing is extracted). Extracting it into ``dest``, a
    folder that holds nothing else (made for the download), marks that folder as a
    placeholder for the archive's contents, as a clone that was not made is marked: a tool
    that then fails there fails on the placeholder, which --permissive forgives."""
    url = permissive.url_of(raw)
    if url is None:
        return False
    proc.err(f"emu: warning: {name} is a placeholder for {url}; nothing extracted")
    sys = Sys(proc)
    folder = posixpath.normpath(sys.abspath(dest)) if dest is not None else ""
    top = _archive_top(url) if top_folder else None
    if folder and top:
        # a GitHub archive unpacks into <repo>-<ref>: that folder, marked as a placeholder
        with contextlib.suppress(OSError):
            _mkdirs(sys, posixpath.join(folder, top))
            marker = posixpath.join(folder, top, permissive.CLONE_PLACEHOLDER)
            sys.write(marker, permissive.content(url, "archive's contents"))
    elif folder and _only_placeholders(sys, folder):
        marker = posixpath.join(folder, permissive.CLONE_PLACEHOLDER)
        # (not recorded again: the download it stands for was, when it was written)
        data = permissive.content(url, "archive's contents")
        # the folder may not be ours to write: then no marker, and nothing else changes
        with contextlib.suppress(OSError):
            sys.write(marker, data)
    return True


_GITHUB_ARCHIVE = re.compile(
    r"^https://github\.com/[^/]+/([^/]+)/archive/(?:refs/(?:tags|heads)/)?(.+?)"
    r"\.(?:tar\.gz|tgz|zip)$"
)


def _archive_top(url: str) -> str | None:
    """The folder a GitHub archive (``…/archive/<ref>.tar.gz``) unpacks into:
    ``<repo>-<ref>``, a tag's leading ``v`` dropped and a ``/`` in a branch name a ``-``, as
    GitHub names it; None for other URLs."""
    m = _GITHUB_ARCHIVE.match(url)
    if m is None:
        return None
    ref = m.group(2)
    ref = ref[1:] if re.match(r"v\d", ref) else ref
    return f"{m.group(1)}-{ref.replace('/', '-')}"


def _only_placeholders(sys: Sys, path: str) -> bool:
    """Whether the folder ``path`` holds nothing but --permissive placeholders (or nothing)."""
    node = sys.try_stat(path)
    if not isinstance(node, Dir):
        return False
    for entry in sys.listdir(path):
        child = sys.try_stat(posixpath.join(path, entry), follow=False)
        if isinstance(child, Dir):
            if not _only_placeholders(sys, posixpath.join(path, entry)):
                return False
        elif not (isinstance(child, File) and permissive.url_of(child.data) is not None):
            return False
    return True
