"""What every utility shares: busybox-style option parsing and errors, a small "kernel"
(permission-checked syscalls over the image filesystem that fail with errno like Linux),
the deterministic clock, the image's users and groups, and mode strings.
"""

from __future__ import annotations

import errno as E
import os
import posixpath
import stat as _stat
from collections.abc import Callable, Iterator

from emu.fs import FS, Blob, Device, Dir, File, FsError, Lazy, Meta, Node, Symlink, accounts
from emu.fs.tree import split
from emu.sh import permissive
from emu.sh.api import (
    R_OK,
    W_OK,
    X_OK,
    Identity,
    LimitExceeded,
    Limits,
    Proc,
    Stream,
    allowed,
    check_search,
    lookup_as,
    program,
    stat_as,
    user_path,
)
from emu.sh.options import Die

BANNER = "BusyBox v1.35.0 multi-call binary.\n"
DIR_SIZE = 4096  # what ext4/overlayfs report for a directory (ls -l, stat, du)


class Unmodelled(OSError):
    """Reading the bytes of a size-only Blob: the content is not part of the model."""

    def __init__(self, path: str, blob: Blob) -> None:
        what = f" ({blob.label})" if blob.label else ""
        self.size = blob.size
        super().__init__(
            E.EIO, f"content not modelled: size-only file of {blob.size} bytes{what}", path
        )


USAGES: dict[str, str] = {}

# The file utilities whose failure on a --permissive placeholder folder (a clone or an
# archive's contents that could not be had offline) is that placeholder's, not theirs.
_ON_FILES = frozenset({
    "cp", "mv", "ln", "rm", "rmdir", "chmod", "chown", "chgrp", "cat", "ls", "install", "find",
    "stat", "sed", "head", "tail", "mkdir", "touch", "tar", "unzip",
})  # fmt: skip


def gnu(proc: Proc) -> bool:
    """Whether the program running is GNU's (an image with coreutils, findutils...) rather
    than a busybox applet: the file it was run as, followed through its links, is not
    busybox. The utilities are busybox's; where the image's own are GNU's, the GNU
    extensions Dockerfiles use there (``ln -r``) are accepted too."""
    name = proc.argv[0] if proc.argv else ""
    path: str | None = proc.path(name) if "/" in name else None
    for d in [] if path else proc.env.get("PATH", "").split(":"):
        cand = posixpath.join(d or ".", name)
        if isinstance(proc.fs.lookup(proc.path(cand)), File):
            path = proc.path(cand)
            break
    if path is None:
        return False
    try:
        real = proc.fs.realpath(path)
    except FsError:
        return False
    return posixpath.basename(real) != "busybox"


def _excused(proc: Proc, status: int) -> int:
    """``status``, unless --permissive forgives it: a file utility that failed inside (or
    on a path inside) a placeholder folder warns and succeeds."""
    if status == 0 or proc.name not in _ON_FILES or not permissive.active():
        return status
    from emu.sh.tools import placeholder_inputs  # the tools' own rule, one of it

    where = placeholder_inputs(proc)
    if where is None:
        # a path that does not exist, after code emu did not run earlier in this RUN
        after = permissive.not_run_before()
        paths = [proc.path(a) for a in proc.argv[1:] if not a.startswith("-")]
        gone = next((x for x in paths if proc.fs.lookup(x) is None), None)
        if after is None or gone is None:
            return status
        why = f"{gone} does not exist; {after} was not run before it and may have made it"
        proc.stderr.write(permissive.excused_failure(proc.name, gone, why))
        return 0
    why = f"failed on {where}, a placeholder for what a download would have put there"
    proc.stderr.write(permissive.excused_failure(proc.name, where, why))
    return 0


def applet(
    *names: str, usage: str = "", note: str = ""
) -> Callable[[Callable[[Proc], int]], Callable[[Proc], int]]:
    """Register a handler under ``names``; ``Die`` and stray ``OSError`` become exit codes."""

    def deco(fn: Callable[[Proc], int]) -> Callable[[Proc], int]:
        def run(proc: Proc) -> int:
            try:
                return _excused(proc, fn(proc))
            except Die as d:
                if d.msg is not None:
                    proc.err(d.msg)
                if d.usage:
                    show_usage(proc)
                return _excused(proc, d.code)
            except Unmodelled as u:
                proc.err(f"{u.filename}: {u.strerror}")
                return 1
            except OSError as o:
                proc.err(f"{o.filename}: {o.strerror}" if o.filename else str(o.strerror))
                return 1
            except LimitExceeded:
                raise

        run.__name__ = fn.__name__
        run.__doc__ = fn.__doc__
        for n in names:
            USAGES[n] = usage
        return program(*names, note=note)(run)

    return deco


def show_usage(proc: Proc) -> None:
    u = USAGES.get(proc.name, "")
    proc.stderr.write(f"{BANNER}\nUsage: {proc.name} {u}\n".replace(" \n", "\n"))


# --- errors and numbers -----------------------------------------------------------------


def strerror(code: int) -> str:
    return os.strerror(code)


def oserr(code: int, path: str) -> OSError:
    return OSError(code, os.strerror(code), path)


# --- the clock and the umask ------------------------------------------------------------


def now(proc: Proc) -> int:
    """The deterministic clock: the shell's (when it runs us), else ``$SOURCE_DATE_EPOCH``,
    else 0 — builds must be reproducible."""
    # The Proc contract carries no clock; the interpreter that runs us keeps one.
    shell_now = getattr(getattr(proc.runner, "world", None), "now", None)
    if isinstance(shell_now, int):
        return shell_now
    v = proc.env.get("SOURCE_DATE_EPOCH", "")
    try:
        return int(v)
    except ValueError:
        return 0


def umask(proc: Proc) -> int:
    """The running shell's umask (``umask 077`` in a RUN applies to its programs); 022,
    Docker's default, when nothing says otherwise."""
    for holder in (proc, proc.runner):
        u = getattr(holder, "umask", None)
        if isinstance(u, int):
            return u & 0o777
    return 0o022


# --- the kernel -------------------------------------------------------------------------


def content_of(node: File, path: str) -> bytes:
    data = node.content
    if isinstance(data, bytes):
        return data
    if isinstance(data, Lazy):
        return data.read()
    raise Unmodelled(path, data)


def endless(limits: Limits) -> int:
    """How much an endless source (/dev/zero, ``yes``) gives a reader that takes it all: as
    much as a stream of the sandbox may carry, and one byte more, so that copying it all
    to the output trips the output limit instead of stopping short. ``head -c`` and
    friends cut what they need from it."""
    return limits.max_output + 1


def device_bytes(node: Device, limits: Limits) -> bytes:
    """A read of a character device to its end (see :meth:`Device.read`)."""
    return node.read(endless(limits))


class Sys:
    """Syscalls against the image as the process's identity: errno-raising like Linux.

    Paths are the user's (relative to cwd); symlinks resolve inside the image root.
    """

    __slots__ = ("fs", "ident", "limits", "mask", "proc", "root", "time")

    def __init__(self, proc: Proc) -> None:
        self.proc = proc
        self.fs: FS = proc.fs
        self.ident: Identity = proc.ident
        self.limits = proc.limits
        self.mask = umask(proc)
        self.time = now(proc)
        self.root = proc.ident.uid == 0

    # paths

    def abspath(self, p: str) -> str:
        """Absolute but unresolved: ``..`` is left for the resolver (it follows symlinks)."""
        return user_path(self.proc.cwd, p)

    def _search_ok(self, path: str) -> None:
        check_search(self.fs, self.ident, self.proc.cwd, path)

    def _get(self, path: str, follow: bool) -> Node:
        if not path:
            raise oserr(E.ENOENT, path)  # Linux: an empty path names nothing
        return lookup_as(self.fs, self.ident, self.proc.cwd, path, follow)

    def stat(self, path: str) -> Node:
        return self._get(path, True)

    def lstat(self, path: str) -> Node:
        return self._get(path, path.endswith("/"))

    def try_stat(self, path: str, follow: bool = True) -> Node | None:
        found = self.stat_errno(path, follow)
        return None if isinstance(found, int) else found

    def stat_errno(self, path: str, follow: bool = True) -> Node | int:
        """The node at ``path``, or the errno ``stat`` fails with (no exception made)."""
        if not path:
            return E.ENOENT
        return stat_as(self.fs, self.ident, self.proc.cwd, path, follow)

    def realpath(self, path: str) -> str:
        try:
            return self.fs.realpath(self.abspath(path))
        except FsError as e:
            raise oserr(e.errno, path) from None

    def access(self, path: str, mode: int) -> bool:
        node = self.try_stat(path)
        return node is not None and allowed(node, self.ident, mode)

    def _parent(self, path: str) -> tuple[Dir, str]:
        """The (real) parent directory of ``path`` for creating/removing an entry in it."""
        if not path:
            raise oserr(E.ENOENT, path)
        ab = self.abspath(path)
        try:
            parts, nodes = self.fs._resolve(ab, False)
        except FsError as e:
            raise oserr(e.errno, path) from None
        if not parts:
            raise oserr(E.EBUSY, path)
        parent = nodes[-2]  # the directory the last part was looked up in
        if not isinstance(parent, Dir):
            raise oserr(E.ENOTDIR if parent is not None else E.ENOENT, path)
        self._search_ok(path)
        return parent, parts[-1]

    def _may_write_dir(self, d: Dir, path: str) -> None:
        if not self.root and not allowed(d, self.ident, W_OK | X_OK):
            raise oserr(E.EACCES, path)

    def _sticky_ok(self, d: Dir, node: Node, path: str) -> None:
        if self.root or not d.meta.mode & 0o1000:
            return
        if self.ident.uid not in (d.meta.uid, node.meta.uid):
            raise oserr(E.EPERM, path)

    def new_meta(self, mode: int, parent: Dir | None, is_dir: bool = False) -> Meta:
        """Owner and mode of a new inode (umask applied, setgid directories inherit)."""
        gid = self.ident.gid
        mode &= ~self.mask
        if parent is not None and parent.meta.mode & 0o2000:
            gid = parent.meta.gid
            if is_dir:
                mode |= 0o2000
        return Meta(mode & 0o7777, self.ident.uid, gid, self.time)

    # reading

    def read(self, path: str) -> bytes:
        node = self._get(path, True)
        if isinstance(node, Dir):
            raise oserr(E.EISDIR, path)
        if not self.root and not allowed(node, self.ident, R_OK):
            raise oserr(E.EACCES, path)
        if isinstance(node, File):
            return content_of(node, path)
        if isinstance(node, Device):
            return device_bytes(node, self.limits)
        return b""

    def open_read(self, path: str) -> Node:
        """``open(O_RDONLY)``: the node (a directory opens fine; reading it is EISDIR)."""
        node = self._get(path, True)
        if not self.root and not allowed(node, self.ident, R_OK):
            raise oserr(E.EACCES, path)
        return node

    def listdir(self, path: str) -> list[str]:
        node = self._get(path, True)
        if not isinstance(node, Dir):
            raise oserr(E.ENOTDIR, path)
        if not self.root and not allowed(node, self.ident, R_OK):
            raise oserr(E.EACCES, path)
        return sorted(node.entries)

    # writing

    def write(
        self,
        path: str,
        data: bytes | Blob | Lazy,
        *,
        append: bool = False,
        mode: int = 0o666,
        excl: bool = False,
        keep_meta: bool = True,
    ) -> File:
        """``open(O_WRONLY|O_CREAT|O_TRUNC or O_APPEND)`` + write. A new file gets
        ``mode & ~umask``; an existing one keeps its inode metadata, and its hard links
        made in this layer see the new content too (``FS.store``). A path that leads to
        the process's own stdout or stderr (/dev/stdout, a link to it) writes there."""
        if not path:
            raise oserr(E.ENOENT, path)
        fd = self._own_output(path)
        if fd is not None:
            if isinstance(data, Lazy):
                data = data.read()
            fd.write(data if isinstance(data, bytes) else b"")
            return File(Meta(0o666), b"")
        try:
            existing = self.fs.lookup(self.abspath(path))
        except FsError as e:
            raise oserr(e.errno, path) from None
        if existing is not None:
            self._search_ok(path)
            if excl:
                raise oserr(E.EEXIST, path)
            if isinstance(existing, Dir):
                raise oserr(E.EISDIR, path)
            if not self.root and not allowed(existing, self.ident, W_OK):
                raise oserr(E.EACCES, path)
            if isinstance(existing, Device):
                return File(existing.meta, b"")  # /dev/null and friends swallow writes
            assert isinstance(existing, File)
            if append:
                data = content_of(existing, path) + (data if isinstance(data, bytes) else b"")
            meta = existing.meta.with_(mtime=self.time)
        else:
            parent, _name = self._parent_for_create(path)
            meta = self.new_meta(mode, parent)
        size = len(data) if isinstance(data, bytes) else data.size
        self.limits.stored(size)
        f = File(meta, data)
        if existing is None:
            self.limits.created()
        try:
            if existing is None:
                self.fs.put(self.abspath(path), f, follow_last=True)
            else:
                f = self.fs.store(self.abspath(path), f)
        except FsError as e:
            raise oserr(e.errno, path) from None
        return f

    def _own_output(self, path: str) -> Stream | None:
        """The process's stdout or stderr when ``path`` is /dev/stdout, /dev/stderr or a
        link to one (they lead to /proc/self/fd/N, the process's own descriptor)."""
        try:
            real = self.fs.realpath(self.abspath(path), missing_ok=True)
        except FsError:
            return None
        if real in ("/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"):
            return self.proc.stdout
        if real in ("/dev/stderr", "/dev/fd/2", "/proc/self/fd/2"):
            return self.proc.stderr
        return None

    def _parent_for_create(self, path: str) -> tuple[Dir, str]:
        # A dangling symlink as the last component creates its target, like open(O_CREAT).
        parent, name = self._parent(path)
        if name in parent.entries:
            node = parent.entries[name]
            if isinstance(node, Symlink):
                real = self.realpath(path)
                parent, name = self._parent(real)
        self._may_write_dir(parent, path)
        return parent, name

    def _new_entry(self, path: str, entry: str | None = None) -> Dir:
        """The directory where ``path`` (its entry spelled ``entry``) is about to be made:
        EEXIST if something is there, EACCES if it may not be written; counted as made."""
        parent, name = self._parent(path if entry is None else entry)
        if name in parent.entries:
            raise oserr(E.EEXIST, path)
        self._may_write_dir(parent, path)
        self.limits.created()
        return parent

    def put_new(self, path: str, node: Node) -> None:
        """Create ``path`` as ``node`` (permission-checked against its parent)."""
        self._new_entry(path)
        try:
            self.fs.put(self.abspath(path), node)
        except FsError as e:
            raise oserr(e.errno, path) from None

    def replace(self, path: str, node: Node) -> None:
        """Put ``node`` at ``path``, replacing a non-directory (as rename(2) of a temp)."""
        parent, name = self._parent(path)
        self._may_write_dir(parent, path)
        old = parent.entries.get(name)
        if old is None:
            self.limits.created()
        elif isinstance(old, Dir) and not isinstance(node, Dir):
            raise oserr(E.EISDIR, path)
        try:
            self.fs.put(self.abspath(path), node)
        except FsError as e:
            raise oserr(e.errno, path) from None

    def mkdir(self, path: str, mode: int = 0o777) -> Dir:
        if not path:
            raise oserr(E.ENOENT, path)
        if not split(self.abspath(path)):
            raise oserr(E.EEXIST, path)  # mkdir("/")
        parent = self._new_entry(path, path.rstrip("/") or "/")
        meta = self.new_meta(mode, parent, is_dir=True)
        try:
            return self.fs.mkdir(self.abspath(path.rstrip("/")), meta)
        except FsError as e:
            raise oserr(e.errno, path) from None

    def unlink(self, path: str) -> Node:
        parent, name = self._parent(path)
        node = parent.entries.get(name)
        if node is None:
            raise oserr(E.ENOENT, path)
        if isinstance(node, Dir):
            raise oserr(E.EISDIR, path)
        self._may_write_dir(parent, path)
        self._sticky_ok(parent, node, path)
        self.fs.remove(self.abspath(path))
        return node

    def rmdir(self, path: str) -> None:
        parent, name = self._parent(path.rstrip("/") or "/")
        node = parent.entries.get(name)
        if node is None:
            raise oserr(E.ENOENT, path)
        if not isinstance(node, Dir):
            raise oserr(E.ENOTDIR, path)
        if node.entries:
            raise oserr(E.ENOTEMPTY, path)
        self._may_write_dir(parent, path)
        self._sticky_ok(parent, node, path)
        self.fs.remove(self.abspath(path.rstrip("/")))

    def may_remove(self, path: str) -> None:
        """Whether the entry ``path`` may be removed from its directory (not ``/``)."""
        parent, _ = self._parent(path.rstrip("/") or "/")
        self._may_write_dir(parent, path)

    def remove_tree(self, path: str) -> None:
        """Drop a whole directory entry at once (the caller checked what it must)."""
        self.fs.remove(self.abspath(path.rstrip("/")), recursive=True)

    def rename(self, src: str, dst: str) -> None:
        sparent, sname = self._parent(src)
        node = sparent.entries.get(sname)
        if node is None:
            raise oserr(E.ENOENT, src)
        dparent, dname = self._parent(dst)
        self._may_write_dir(sparent, src)
        self._may_write_dir(dparent, dst)
        self._sticky_ok(sparent, node, src)
        target = dparent.entries.get(dname)
        if target is not None and target is not node:
            if isinstance(node, Dir) and not isinstance(target, Dir):
                raise oserr(E.ENOTDIR, dst)
            if not isinstance(node, Dir) and isinstance(target, Dir):
                raise oserr(E.EISDIR, dst)
        try:
            self.fs.rename(self.abspath(src), self.abspath(dst))
        except FsError as e:
            raise oserr(e.errno, dst if e.errno == E.ENOTEMPTY else src) from None

    def symlink(self, target: str, path: str) -> None:
        self._new_entry(path)
        meta = Meta(0o777, self.ident.uid, self.ident.gid, self.time)
        try:
            self.fs.symlink(self.abspath(path), target, meta)
        except FsError as e:
            raise oserr(e.errno, path) from None

    def link(self, src: str, dst: str) -> None:
        node = self._get(src, False)
        if isinstance(node, Dir):
            raise oserr(E.EPERM, dst)
        self._new_entry(dst)
        self.fs.link(self.abspath(src), self.abspath(dst))

    def set_meta(self, path: str, meta: Meta, follow: bool = True) -> None:
        try:
            self.fs.set_meta(self.abspath(path), meta, follow=follow)
        except FsError as e:
            raise oserr(e.errno, path) from None

    def chmod(self, path: str, mode: int, follow: bool = True) -> Node:
        node = self._get(path, follow)
        if isinstance(node, Symlink):
            return node  # Linux has no lchmod: a link's mode is always 0777
        if not self.root and node.meta.uid != self.ident.uid:
            raise oserr(E.EPERM, path)
        if not self.root and mode & 0o2000 and not self.in_group(node.meta.gid):
            mode &= ~0o2000
        self.set_meta(path, node.meta.with_(mode=mode), follow)
        return node

    def in_group(self, gid: int) -> bool:
        return gid == self.ident.gid or gid in self.ident.groups

    def chown(self, path: str, uid: int, gid: int, follow: bool = True) -> Node:
        node = self._get(path, follow)
        m = node.meta
        if uid == -1:
            uid = m.uid
        if gid == -1:
            gid = m.gid
        if not self.root and (
            uid != m.uid or m.uid != self.ident.uid or not (gid == m.gid or self.in_group(gid))
        ):
            raise oserr(E.EPERM, path)
        mode = m.mode
        if not isinstance(node, Dir | Symlink):
            # chown(2) clears setuid, and setgid when group-executable, on non-directories.
            mode &= ~0o4000
            if mode & 0o010:
                mode &= ~0o2000
        self.set_meta(path, Meta(mode, uid, gid, m.mtime), follow)
        return node

    def utime(self, path: str, mtime: int, follow: bool = True, *, explicit: bool = True) -> None:
        """utimes(2): explicit times need the owner; "now" also does with write access."""
        node = self._get(path, follow)
        if not self.root and node.meta.uid != self.ident.uid:
            if explicit:
                raise oserr(E.EPERM, path)
            if not allowed(node, self.ident, W_OK):
                raise oserr(E.EACCES, path)
        self.set_meta(path, node.meta.with_(mtime=mtime), follow)


# --- the image's users and groups (emu.fs.accounts) --------------------------------------


def user_to_uid(fs: FS, text: str) -> int | None:
    """A user name or number (names first, like busybox's xuname2uid via bb_strtou)."""
    p = accounts.user_named(fs, text)
    if p is not None:
        return p.uid
    return int(text) if (text.isascii() and text.isdigit()) else None


def group_to_gid(fs: FS, text: str) -> int | None:
    g = accounts.group_named(fs, text)
    if g is not None:
        return g.gid
    return int(text) if (text.isascii() and text.isdigit()) else None


# --- modes ------------------------------------------------------------------------------

_WHO = {"a": 0o7777, "u": 0o4700, "g": 0o2070, "o": 0o0007}
_PERM = {"r": 0o444, "w": 0o222, "x": 0o111, "X": 0o111, "s": 0o6000, "t": 0o1000}


def parse_mode(text: str, current: int, is_dir: bool, mask: int = 0o022) -> int | None:
    """busybox bb_parse_mode: octal, or ``[ugoa]*[+-=][rwxXst]*|[ugo]`` clauses; no
    ``who`` means all bits not in the umask. None when the mode is invalid."""
    if text[:1] in "01234567" and text:
        try:
            v = int(text, 8)
        except ValueError:
            return None
        return v if v <= 0o7777 else None
    new = current
    s = text
    i = 0
    while i < len(s):
        if s[i] == ",":
            i += 1
            continue
        who = 0
        while i < len(s) and s[i] in _WHO:
            who |= _WHO[s[i]]
            i += 1
            if i >= len(s):
                return None
        while True:
            if i >= len(s) or s[i] not in "+-=":
                return None
            op = s[i]
            i += 1
            if op == "=":
                new &= ~(who or 0o7777)
            perms = 0
            if i < len(s) and s[i] in "ugo":
                src = _WHO[s[i]] & 0o777 & new
                for m in (0o444, 0o222, 0o111):
                    if src & m:
                        perms |= m
                i += 1
            else:
                while i < len(s) and s[i] in _PERM:
                    c = s[i]
                    if c != "X" or is_dir or new & 0o111:
                        perms |= _PERM[c]
                    i += 1
            if perms:
                perms &= who if who else ~mask
                if op == "-":
                    new &= ~perms
                else:
                    new |= perms
            if i >= len(s) or s[i] == ",":
                break
    return new & 0o7777


def mode_string(node: Node) -> str:
    from emu.fs import mode_string as ms

    return ms(node)


def type_bits(node: Node) -> int:
    return {
        "file": _stat.S_IFREG,
        "dir": _stat.S_IFDIR,
        "symlink": _stat.S_IFLNK,
        "char": _stat.S_IFCHR,
        "block": _stat.S_IFBLK,
        "fifo": _stat.S_IFIFO,
    }[node.kind.value]


def human(n: int, block_size: int = 1) -> str:
    """busybox make_human_readable_str(n, block_size, 0): ``12.0K``, ``1.9M``, ``512``."""
    if n == 0:
        return "0"
    val = n * block_size if block_size > 1 else n
    units = ["", "K", "M", "G", "T", "P", "E"]
    u = 0
    frac = 0
    while val >= 1024:
        u += 1
        frac = ((val % 1024) * 10 + 512) // 1024
        val //= 1024
    if frac >= 10:
        val += 1
        frac = 0
    if block_size == 0:
        return f"{val + (frac >= 5)}{units[u]}" if u else str(val)
    return f"{val}.{frac}{units[u]}" if u else str(val)


def file_size(node: Node) -> int:
    return DIR_SIZE if isinstance(node, Dir) else node.size


def blocks(node: Node) -> int:
    """512-byte blocks allocated, as ext4 with 4 KiB blocks reports them."""
    if isinstance(node, Dir):
        return 8
    if isinstance(node, File):
        return (node.size + 4095) // 4096 * 8
    return 0


# --- input ------------------------------------------------------------------------------


def read_or_report(
    proc: Proc, sys: Sys, name: str, report: Callable[[str], None] | None = None
) -> bytes | OSError:
    """A file's bytes, or why not (``Unmodelled`` for a size-only one), already reported
    as ``NAME: why`` through ``report`` (``proc.err`` when None)."""
    try:
        return sys.read(name)
    except OSError as e:
        (report or proc.err)(f"{name}: {e.strerror}")
        return e


def read_input(proc: Proc, sys: Sys, name: str) -> bytes:
    """A file operand's bytes; ``-`` is stdin."""
    if name == "-":
        return proc.stdin
    return sys.read(name)


def lines_of(data: bytes) -> list[bytes]:
    """Lines with their newlines kept (a last line may lack one)."""
    return data.splitlines(keepends=True) if b"\r" in data else _split_nl(data)


def _split_nl(data: bytes) -> list[bytes]:
    if not data:
        return []
    parts = data.split(b"\n")
    out = [p + b"\n" for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


def split_lines(data: bytes) -> list[bytes]:
    """Lines split on ``\\n`` only, newlines kept."""
    return _split_nl(data)


def walk_tree(node: Node, path: str) -> Iterator[tuple[str, Node]]:
    """Pre-order (path, node) under and including ``path``, children sorted."""
    yield path, node
    if isinstance(node, Dir):
        base = path.rstrip("/") if path != "/" else ""
        for name in sorted(node.entries):
            yield from walk_tree(node.entries[name], f"{base}/{name}")


def join(a: str, b: str) -> str:
    """busybox concat_path_file: ``a/b`` without doubling a trailing slash."""
    return f"{a}{b}" if a.endswith("/") else f"{a}/{b}"


def basename(p: str) -> str:
    s = p.rstrip("/")
    return posixpath.basename(s) if s else "/"
