"""File utilities: mkdir rmdir cp mv rm ln touch chmod chown chgrp install mktemp ls stat
readlink realpath du, with busybox 1.35's messages and exit statuses."""

from __future__ import annotations

import contextlib
import errno as E
import posixpath
import time as _time
from collections.abc import Callable

from emu.fs import Blob, Device, Dir, File, Lazy, Meta, Node, Symlink, accounts
from emu.fs.accounts import Names
from emu.records import record
from emu.sh.api import R_OK, Proc, allowed
from emu.sh.options import Die, getopt, number
from emu.sh.utils._common import (
    Sys,
    applet,
    basename,
    blocks,
    file_size,
    gnu,
    group_to_gid,
    human,
    join,
    mode_string,
    oserr,
    parse_mode,
    strerror,
    type_bits,
    user_to_uid,
)

# --- mkdir / rmdir ----------------------------------------------------------------------


def make_directory(
    proc: Proc, sys: Sys, path: str, mode: int | None, recur: bool, verbose: bool = False
) -> bool:
    """libbb bb_make_directory: with ``recur`` each parent is created (u+wx kept), the
    last component gets ``0777 & ~umask`` and then ``mode`` by chmod when one was given."""
    if path == "/" or path == ".":
        return True
    i = 0
    mask = sys.mask
    while True:
        cut = len(path)
        last = True
        if recur:
            j = path.find("/", i)
            while j != -1 and j + 1 < len(path) and path[j + 1] == "/":
                j += 1
            if j != -1 and j + 1 < len(path):
                cut = j + 1
                last = False
                i = cut
        sub = path[:cut]
        sys.mask = mask if last else mask & ~0o300
        try:
            try:
                sys.mkdir(sub, 0o777)
                if verbose:
                    proc.out(f"created directory: '{sub}'\n")
                elif not last and _make_the_rest(sys, sub, path[cut:], mask, mode):
                    return True
            except OSError as e:
                if e.errno not in (E.EEXIST, E.EISDIR) or not recur:
                    raise
                if not isinstance(sys.stat(sub), Dir):
                    raise oserr(E.ENOTDIR, sub) from None
                if last:
                    return True
            if last:
                if mode is not None:
                    try:
                        sys.chmod(sub, mode)
                    except OSError as e:
                        proc.err(f"can't set permissions of directory '{sub}': {e.strerror}")
                        return False
                return True
        except OSError as e:
            proc.err(f"can't create directory '{sub}': {e.strerror}")
            return False
        finally:
            sys.mask = mask


def _make_the_rest(sys: Sys, made: str, rest: str, mask: int, mode: int | None) -> bool:
    """``mkdir -p``'s components after ``made``, the first one it made, all at once (each
    new one inside the last, so none exists yet): linear in the path, where one mkdir per
    component resolves the whole path again (20,000 levels would cost 200 million steps),
    and no path string is kept for each level. False when the rest holds ``..`` or a
    read-only mount is in the way: the slow path then."""
    names = [n for n in rest.split("/") if n and n != "."]
    if not names or ".." in names or sys.fs.readonly:
        return False
    sys.limits.created(len(names))
    parent = sys.fs.writable_dir(sys.abspath(made.rstrip("/")))
    inner = sys.new_meta(0o777, parent, is_dir=True)  # sys.mask keeps u+wx here
    for name in names:
        child = Dir(inner, owner=parent.owner)  # this writer's, as the directory it is in
        parent.entries[name] = child
        parent = child
    parent.meta = inner.with_(mode=0o777 & ~mask | (inner.mode & 0o2000))
    if mode is not None:
        sys.chmod(sys.abspath(made.rstrip("/")) + "/" + "/".join(names), mode)
    return True


@applet("mkdir", usage="[-m MODE] [-p] DIRECTORY...")
def mkdir(proc: Proc) -> int:
    o = getopt(proc.argv[1:], "m:pv", {"mode=": "m", "parents": "p", "verbose": "v"})
    if not o.args:
        raise Die(None, usage=True)
    sys = Sys(proc)
    mode = None
    if "m" in o:
        m = parse_mode(o.get("m") or "", 0o777, True, sys.mask)
        if m is None:
            raise Die(f"invalid mode '{o.get('m')}'")
        mode = m
    ok = True
    for p in o.args:
        ok &= make_directory(proc, sys, p, mode, "p" in o, "v" in o)
    return 0 if ok else 1


@applet("rmdir", usage="[-p] DIRECTORY...")
def rmdir(proc: Proc) -> int:
    o = getopt(proc.argv[1:], "pv", {"parents": "p", "ignore-fail-on-non-empty": "\x01"})
    if not o.args:
        raise Die(None, usage=True)
    sys = Sys(proc)
    status = 0
    for p in o.args:
        path = p
        while True:
            try:
                sys.rmdir(path)
            except OSError as e:
                if not ("\x01" in o and e.errno == E.ENOTEMPTY):
                    proc.err(f"'{path}': {e.strerror}")
                    status = 1
                break
            if "p" not in o:
                break
            path = posixpath.dirname(path.rstrip("/"))
            if not path or path in ("/", "."):
                break
    return status


# --- cp ---------------------------------------------------------------------------------


def cp_mv_stat(proc: Proc, sys: Sys, path: str, follow: bool) -> int | None:
    """libbb cp_mv_stat2: 0 missing, 1 exists, 3 a directory; None after an error."""
    node = sys.stat_errno(path, follow or path.endswith("/"))
    if node == E.ENOENT:
        return 0
    if node == E.ENOTDIR:
        proc.err(f"can't stat '{path}': Path has non-directory component")
        return None
    if isinstance(node, int):
        proc.err(f"can't stat '{path}': {strerror(node)}")
        return None
    return 3 if isinstance(node, Dir) else 1


RECUR, DEREF, DEREF0, PRESERVE, FORCE, NOCLOBBER, UPDATE, VERBOSE, SOFT, HARD, LINKS = (
    1 << i for i in range(11)
)


class Copier:
    """libbb copy_file(), with a fast path that builds whole new subtrees as nodes."""

    def __init__(self, proc: Proc, sys: Sys, flags: int) -> None:
        self.proc = proc
        self.sys = sys
        self.flags = flags
        self.created: set[int] = set()  # directories we made (recursion detection)
        self.links: dict[int, str] = {}  # source inode → first copy (hard links)
        self.owner = sys.fs._owner  # new directories belong to this writer

    def err(self, msg: str) -> None:
        self.proc.err(msg)

    def _unlink_for(self, dest: str, e: OSError, flags: int) -> bool:
        """ask_and_unlink: without -f an existing destination is an error."""
        if not flags & FORCE:
            self.err(f"can't create '{dest}': {e.strerror}")
            return False
        try:
            self.sys.unlink(dest)
        except OSError as u:
            if u.errno == E.ENOENT and e.errno == E.ENOENT:
                self.err(f"can't create '{dest}': Path does not exist")
            else:
                self.err(f"can't create '{dest}': {e.strerror}")
            return False
        return True

    def copy(self, source: str, dest: str, flags: int) -> bool:
        sys = self.sys
        deref = bool(flags & (DEREF | DEREF0))
        try:
            snode = sys.stat(source) if deref else sys.lstat(source)
        except OSError as e:
            if flags & (SOFT | HARD):
                return self._links(source, dest, flags)
            self.err(f"can't stat '{source}': {e.strerror}")
            return False
        found = sys.stat_errno(dest, dest.endswith("/"))  # lstat
        if isinstance(found, int) and found != E.ENOENT:
            self.err(f"can't stat '{dest}': {strerror(found)}")
            return False
        dnode: Node | None = None if isinstance(found, int) else found
        if dnode is not None:
            if self._same(snode, source, dnode, dest):
                self.err(f"'{source}' and '{dest}' are the same file")
                return False
            if flags & NOCLOBBER:
                return True
        if isinstance(snode, Dir):
            return self._copy_dir(snode, source, dest, dnode, flags)
        if dnode is not None and flags & UPDATE and snode.meta.mtime <= dnode.meta.mtime:
            return True
        if flags & (SOFT | HARD):
            return self._links(source, dest, flags)
        if not flags & RECUR or isinstance(snode, File):
            if isinstance(snode, Symlink) and not deref:
                return self._symlink(snode, source, dest, dnode, flags)
            return self._copy_file(snode, source, dest, flags, deref)
        if dnode is not None and not self._unlink_for(dest, oserr(E.EEXIST, dest), flags):
            return False
        if isinstance(snode, Symlink):
            return self._symlink(snode, source, dest, None, flags)
        assert isinstance(snode, Device)
        return self._mknod(snode, dest, flags)

    def _same(self, a: Node, apath: str, b: Node, bpath: str) -> bool:
        if a is b:
            return True
        try:
            return self.sys.realpath(apath) == self.sys.realpath(bpath) and not isinstance(
                b, Symlink
            )
        except OSError:
            return False

    def _links(self, source: str, dest: str, flags: int) -> bool:
        sys = self.sys

        def make() -> None:
            if flags & SOFT:
                sys.symlink(source, dest)
            else:
                sys.link(source, dest)

        try:
            make()
        except OSError as e:
            if not self._unlink_for(dest, e, flags):
                return False
            try:
                make()
            except OSError as e2:
                self.err(f"can't create link '{dest}': {e2.strerror}")
                return False
        return True

    def _symlink(
        self, snode: Symlink, source: str, dest: str, dnode: Node | None, flags: int
    ) -> bool:
        sys = self.sys
        if dnode is not None and not self._unlink_for(dest, oserr(E.EEXIST, dest), flags):
            return False
        try:
            sys.symlink(snode.target, dest)
        except OSError as e:
            self.err(f"can't create symlink '{dest}' to '{snode.target}': {e.strerror}")
            return False
        if flags & PRESERVE:
            with contextlib.suppress(OSError):
                sys.chown(dest, snode.meta.uid, snode.meta.gid, follow=False)
        if flags & VERBOSE:
            self.proc.out(f"'{source}' -> '{dest}'\n")
        return True

    def _mknod(self, snode: Device, dest: str, flags: int) -> bool:
        sys = self.sys
        if not sys.root and snode.kind.value != "fifo":
            self.err(f"can't create '{dest}': {strerror(E.EPERM)}")
            return False
        meta = sys.new_meta(snode.meta.mode, None)
        try:
            sys.put_new(dest, Device(meta, snode.kind, snode.major, snode.minor))
        except OSError as e:
            self.err(f"can't create '{dest}': {e.strerror}")
            return False
        return self._preserve(snode, dest, flags)

    def _copy_file(self, snode: Node, source: str, dest: str, flags: int, deref: bool) -> bool:
        sys = self.sys
        if not deref and isinstance(snode, File):
            first = self.links.get(id(snode))
            if first is not None:
                try:
                    sys.link(first, dest)
                except OSError as e:
                    if not self._unlink_for(dest, e, flags):
                        return False
                    try:
                        sys.link(first, dest)
                    except OSError as e2:
                        self.err(f"can't create link '{dest}': {e2.strerror}")
                        return False
                return True
            self.links[id(snode)] = dest
        if not sys.root and not allowed(snode, sys.ident, R_OK):
            self.err(f"can't open '{source}': {strerror(E.EACCES)}")
            return False
        data: bytes | Blob | Lazy
        if isinstance(snode, File):
            data = snode.content
        elif isinstance(snode, Dir):
            self.err(f"read error: {strerror(E.EISDIR)}")
            return False
        else:
            data = b""
        mode = snode.meta.mode if isinstance(snode, File) else 0o666
        try:
            sys.write(dest, data, mode=mode)
        except OSError as e:
            if not self._unlink_for(dest, e, flags):
                return False
            try:
                sys.write(dest, data, mode=mode, excl=True)
            except OSError as e2:
                self.err(f"can't create '{dest}': {e2.strerror}")
                return False
        if flags & VERBOSE:
            self.proc.out(f"'{source}' -> '{dest}'\n")
        return self._preserve(snode, dest, flags)

    def _preserve(self, snode: Node, dest: str, flags: int) -> bool:
        if not flags & PRESERVE:
            return True
        sys = self.sys
        mode = snode.meta.mode
        with contextlib.suppress(OSError):
            sys.utime(dest, snode.meta.mtime)
        try:
            sys.chown(dest, snode.meta.uid, snode.meta.gid)
        except OSError:
            mode &= ~0o6000
        try:
            sys.chmod(dest, mode)
        except OSError as e:
            self.err(f"can't preserve permissions of '{dest}': {e.strerror}")
        return True

    def _copy_dir(self, snode: Dir, source: str, dest: str, dnode: Node | None, flags: int) -> bool:
        sys = self.sys
        if not flags & RECUR:
            self.err(f"omitting directory '{source}'")
            return False
        if id(snode) in self.created:
            self.err(f"recursion detected, omitting directory '{source}'")
            return False
        if dnode is not None:
            if isinstance(dnode, Symlink):
                dnode = sys.try_stat(dest)
            if not isinstance(dnode, Dir):
                self.err(f"target '{dest}' is not a directory")
                return False
            target = dnode
            fresh = False
        else:
            mode = snode.meta.mode if flags & PRESERVE else snode.meta.mode & ~sys.mask
            saved, sys.mask = sys.mask, 0
            try:
                target = sys.mkdir(dest, mode | 0o700)
            except OSError as e:
                self.err(f"can't create directory '{dest}': {e.strerror}")
                return False
            finally:
                sys.mask = saved
            fresh = True
        self.created.add(id(target))
        ok = True
        if not sys.root and not allowed(snode, sys.ident, R_OK):
            self.err(f"can't open '{source}': {strerror(E.EACCES)}")
            ok = False
        else:
            # Re-read the source: creating dest may have copied it (copy-on-write).
            cur = sys.try_stat(source, bool(flags & (DEREF | DEREF0)))
            src = cur if isinstance(cur, Dir) else snode
            sub = flags & ~DEREF0
            for name in sorted(src.entries):
                child = src.entries[name]
                cs, cd = join(source, name), join(dest, name)
                if fresh and self._fast_ok(child, sub):
                    ok &= self._clone_into(child, cs, cd, target, name, sub)
                else:
                    ok &= self.copy(cs, cd, sub)
        if dnode is None:
            try:
                sys.chmod(dest, snode.meta.mode & ~sys.mask)
            except OSError as e:
                self.err(f"can't preserve permissions of '{dest}': {e.strerror}")
        self._preserve(snode, dest, flags)
        return ok

    def _fast_ok(self, child: Node, flags: int) -> bool:
        """Whether a child can be cloned as nodes into a directory we just created."""
        if flags & (SOFT | HARD | VERBOSE):
            return False
        if isinstance(child, Symlink):
            return not flags & DEREF
        if isinstance(child, Dir):
            return id(child) not in self.created
        return isinstance(child, File)

    def _meta(self, node: Node, flags: int, mode: int) -> Meta:
        sys = self.sys
        if flags & PRESERVE:
            if sys.root:
                return node.meta
            return Meta(node.meta.mode & ~0o6000, sys.ident.uid, sys.ident.gid, node.meta.mtime)
        return Meta(mode, sys.ident.uid, sys.ident.gid, sys.time)

    def _clone_into(
        self, child: Node, source: str, dest: str, parent: Dir, name: str, flags: int
    ) -> bool:
        """Copy ``child`` to ``parent[name]`` (known absent) without path lookups."""
        sys = self.sys
        limits = sys.limits
        mask = sys.mask
        if isinstance(child, File):
            if not flags & DEREF:
                first = self.links.get(id(child))
                if first is not None:
                    linked = sys.try_stat(first, False)
                    if isinstance(linked, File):
                        limits.created()
                        parent.entries[name] = linked
                        return True
                self.links[id(child)] = dest
            if not sys.root and not allowed(child, sys.ident, R_OK):
                self.err(f"can't open '{source}': {strerror(E.EACCES)}")
                return False
            limits.created()
            limits.stored(child.size)
            new = File(self._meta(child, flags, child.meta.mode & ~mask), child.content)
            parent.entries[name] = new
            self.links[id(child)] = dest
            return True
        if isinstance(child, Symlink):
            limits.created()
            meta = Meta(0o777, sys.ident.uid, sys.ident.gid, sys.time)
            if flags & PRESERVE and sys.root:
                meta = Meta(0o777, child.meta.uid, child.meta.gid, sys.time)
            parent.entries[name] = Symlink(meta, child.target)
            return True
        assert isinstance(child, Dir)
        limits.created()
        limits.step()
        d = Dir(Meta(0o700, sys.ident.uid, sys.ident.gid, sys.time), owner=self.owner)
        parent.entries[name] = d
        self.created.add(id(d))
        ok = True
        if not sys.root and not allowed(child, sys.ident, R_OK):
            self.err(f"can't open '{source}': {strerror(E.EACCES)}")
            ok = False
        else:
            for sub in sorted(child.entries):
                c = child.entries[sub]
                cs, cd = join(source, sub), join(dest, sub)
                if self._fast_ok(c, flags):
                    ok &= self._clone_into(c, cs, cd, d, sub, flags)
                else:
                    ok &= self.copy(cs, cd, flags)
        d.meta = self._meta(child, flags, child.meta.mode & ~mask)
        return ok


@applet("cp", usage="[-arPLHpfinlsTu] SOURCE DEST")
def cp(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "arRPLHpfinlsTut:dv",
        {
            "archive": "a",
            "recursive": "R",
            "no-dereference": "P",
            "dereference": "L",
            "preserve=": "\x01",
            "force": "f",
            "interactive": "i",
            "no-clobber": "n",
            "link": "l",
            "symbolic-link": "s",
            "no-target-directory": "T",
            "update": "u",
            "target-directory=": "t",
            "verbose": "v",
            "parents": "\x02",
            "remove-destination": "f",
        },
    )
    args = o.args
    flags = 0
    if "a" in o:
        flags |= PRESERVE | RECUR
    if "r" in o or "R" in o:
        flags |= RECUR
    if "p" in o or "\x01" in o:
        flags |= PRESERVE
    if "f" in o:
        flags |= FORCE
    if "n" in o:
        flags |= NOCLOBBER
    if "u" in o:
        flags |= UPDATE
    if "v" in o:
        flags |= VERBOSE
    if "s" in o:
        flags |= SOFT
    if "l" in o:
        flags |= HARD
    # cp derefs symlinks unless -d/-P/-R/-a; -L always; -H on the command line only.
    if not (flags & RECUR or "d" in o or "P" in o):
        flags |= DEREF
    if "L" in o:
        flags |= DEREF
    if "H" in o:
        flags |= DEREF0
    sys = Sys(proc)
    target = o.get("t")
    if target is not None:
        args = [*args, target]
    if len(args) < 2:
        raise Die(None, usage=True)
    last = args[-1]
    sources = args[:-1]
    c = Copier(proc, sys, flags)
    status = 0
    if len(sources) == 1 and target is None:
        src = sources[0]
        sres = cp_mv_stat(proc, sys, src, bool(flags & (DEREF | DEREF0)))
        if sres is None or (sres == 0 and not flags & (SOFT | HARD)):
            if sres == 0:
                proc.err(f"can't stat '{src}': {strerror(E.ENOENT)}")
            return 1
        snode = sys.try_stat(src, bool(flags & (DEREF | DEREF0)))
        if cp_mv_stat(proc, sys, last, True) is None:
            return 1
        dnode = sys.try_stat(last)
        s_dir = isinstance(snode, Dir)
        d_dir = isinstance(dnode, Dir)
        if "T" in o or not (s_dir or d_dir) or (flags & RECUR and s_dir and dnode is None):
            if "T" in o and d_dir and not s_dir:
                raise Die(f"'{last}' is a directory")
            return 0 if c.copy(src, last, flags) else 1
    elif "T" in o:
        raise Die("too many arguments")
    for src in sources:
        dest = join(last, basename(src))
        if "\x02" in o:
            dest = join(last, src)
            make_directory(proc, sys, posixpath.dirname(dest), None, True)
        if not c.copy(src, dest, flags):
            status = 1
    return status


# --- mv ---------------------------------------------------------------------------------


@applet("mv", usage="[-finT] SOURCE DEST")
def mv(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "finTt:v",
        {
            "force": "f",
            "interactive": "i",
            "no-clobber": "n",
            "no-target-directory": "T",
            "target-directory=": "t",
            "verbose": "v",
        },
    )
    args = o.args
    if o.get("t") is not None:
        args = [*args, o.get("t") or ""]
    if len(args) < 2:
        raise Die(None, usage=True)
    sys = Sys(proc)
    last = args[-1]
    status = 0
    pairs: list[tuple[str, str]] = []
    if len(args) == 2:
        st = cp_mv_stat(proc, sys, last, True)
        if st is None:
            return 1
        if st != 3 or "T" in o:
            pairs.append((args[0], last))
    if not pairs:
        pairs = [(s, join(last, basename(s))) for s in args[:-1]]
    for src, dest in pairs:
        exists = sys.try_stat(dest, False) is not None
        if exists and "n" in o:
            continue
        try:
            sys.rename(src, dest)
        except OSError as e:
            proc.err(f"can't rename '{src}': {e.strerror}")
            status = 1
            continue
        if "v" in o:
            proc.out(f"'{src}' -> '{dest}'\n")
    return status


# --- rm ---------------------------------------------------------------------------------


def remove_file(proc: Proc, sys: Sys, path: str, force: bool, recur: bool, verbose: bool) -> bool:
    try:
        node = sys.lstat(path)
    except OSError as e:
        if e.errno != E.ENOENT:
            proc.err(f"can't stat '{path}': {e.strerror}")
            return False
        if not force:
            proc.err(f"can't remove '{path}': {e.strerror}")
            return False
        return True
    if isinstance(node, Dir):
        if not recur:
            proc.err(f"'{path}' is a directory")
            return False
        if sys.root and not verbose:
            # Root may remove anything: drop the whole subtree at once.
            try:
                sys.may_remove(path)
            except OSError as e:
                proc.err(f"can't remove '{path}': {e.strerror}")
                return False
            sys.remove_tree(path)
            return True
        ok = True
        try:
            names = sys.listdir(path)
        except OSError as e:
            proc.err(f"can't open '{path}': {e.strerror}")
            names = []
            ok = False
        for name in names:
            sys.limits.step()
            ok &= remove_file(proc, sys, join(path, name), force, recur, verbose)
        if ok:
            try:
                sys.rmdir(path)
            except OSError as e:
                proc.err(f"can't remove '{path}': {e.strerror}")
                return False
            if verbose:
                proc.out(f"removed directory: '{path}'\n")
        return ok
    try:
        sys.unlink(path)
    except OSError as e:
        proc.err(f"can't remove '{path}': {e.strerror}")
        return False
    if verbose:
        proc.out(f"removed '{path}'\n")
    return True


@applet("rm", usage="[-irf] FILE...")
def rm(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "fiRrv",
        {
            "force": "f",
            "interactive": "i",
            "recursive": "r",
            "verbose": "v",
            "no-preserve-root": "\x01",
        },
    )
    if not o.args:
        if "f" in o:
            return 0
        raise Die(None, usage=True)
    sys = Sys(proc)
    # -f and -i override each other: the later one wins.
    force = "f" in o and ("i" not in o or o.order[::-1].index("f") < o.order[::-1].index("i"))
    status = 0
    for p in o.args:
        base = basename(p)
        if base in (".", ".."):
            proc.err("can't remove '.' or '..'")
            status = 1
            continue
        if not remove_file(proc, sys, p, force, "r" in o or "R" in o, "v" in o):
            status = 1
    return status


# --- ln ---------------------------------------------------------------------------------


@applet("ln", usage="[-sfnbtv] [-S SUF] TARGET... LINK|DIR")
def ln(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "sfnbS:vTt:" + ("r" if gnu(proc) else ""),  # GNU's -r: a link relative to its folder
        {
            "symbolic": "s",
            "force": "f",
            "no-dereference": "n",
            "backup": "b",
            "suffix=": "S",
            "verbose": "v",
            "no-target-directory": "T",
            "target-directory=": "t",
            "relative": "r",
        },
    )
    args = list(o.args)
    if o.get("t") is not None:
        args.append(o.get("t") or "")
    if not args:
        raise Die(None, usage=True)
    sys = Sys(proc)
    if len(args) == 1:
        args.append(basename(args[0]))
    last = args[-1]
    status = 0
    for target in args[:-1]:
        dest = last
        follow = "n" not in o
        dnode = sys.try_stat(dest, follow)
        if isinstance(dnode, Dir) and "T" not in o:
            dest = join(dest, basename(target))
        if "s" not in o and sys.try_stat(target) is None:
            tnode = sys.try_stat(target, False)
            if not isinstance(tnode, Symlink):
                try:
                    sys.lstat(target)
                except OSError as e:
                    proc.err(f"{target}: {e.strerror}")
                status = 1
                continue
        if "b" in o and sys.try_stat(dest, False) is not None:
            try:
                sys.rename(dest, dest + (o.get("S") or "~"))
            except OSError as e:
                proc.err(f"{dest}: {e.strerror}")
                status = 1
                continue
        if "f" in o:
            with contextlib.suppress(OSError):
                sys.unlink(dest)
        if "r" in o and "s" in o:
            target = posixpath.relpath(sys.abspath(target), posixpath.dirname(sys.abspath(dest)))
        try:
            if "s" in o:
                sys.symlink(target, dest)
            else:
                sys.link(target, dest)
        except OSError as e:
            proc.err(f"{dest}: {e.strerror}")
            status = 1
            continue
        if "v" in o:
            proc.out(f"'{dest}' -> '{target}'\n")
    return status


# --- touch ------------------------------------------------------------------------------


def parse_date(text: str, base: int) -> int | None:
    """The date forms busybox accepts for touch -d and date -d (interpreted as UTC)."""
    import calendar

    t = text.strip()
    if t.startswith("@"):
        try:
            return int(t[1:])
        except ValueError:
            return None
    fmts = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d",
        "%Y%m%d%H%M.%S",
        "%Y%m%d%H%M",
        "%m%d%H%M%Y.%S",
        "%m%d%H%M%Y",
        "%H:%M:%S",
        "%H:%M",
    ]
    t2 = t.split(".")[0] if "." in t and (t[:4].isascii() and t[:4].isdigit()) and "-" in t else t
    for f in fmts:
        try:
            st = _time.strptime(t2, f)
        except ValueError:
            continue
        if f.startswith("%H"):
            day = _time.gmtime(base)
            return calendar.timegm(
                (day.tm_year, day.tm_mon, day.tm_mday, st.tm_hour, st.tm_min, st.tm_sec)
            )
        return calendar.timegm(st)
    return None


def parse_touch_t(text: str, base: int) -> int | None:
    """``[[CC]YY]MMDDhhmm[.ss]``."""
    import calendar

    main, _, ss = text.partition(".")
    if not (main.isascii() and main.isdigit()) or (ss and not (ss.isascii() and ss.isdigit())):
        return None
    year = _time.gmtime(base).tm_year
    if len(main) == 12:
        year, main = int(main[:4]), main[4:]
    elif len(main) == 10:
        yy = int(main[:2])
        year, main = (2000 + yy if yy < 69 else 1900 + yy), main[2:]
    elif len(main) != 8:
        return None
    mo, dd, hh, mi = (int(main[i : i + 2]) for i in (0, 2, 4, 6))
    try:
        return calendar.timegm((year, mo, dd, hh, mi, int(ss or 0)))
    except ValueError:
        return None


@applet("touch", usage="[-cham] [-d DATE] [-t DATE] [-r FILE] FILE...")
def touch(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "cd:t:r:hma",
        {"no-create": "c", "date=": "d", "reference=": "r", "no-dereference": "h"},
    )
    if not o.args:
        raise Die(None, usage=True)
    sys = Sys(proc)
    when: int | None = None
    if o.get("r") is not None:
        ref = o.get("r") or ""
        try:
            when = sys.stat(ref).meta.mtime
        except OSError as e:
            raise Die(f"{ref}: {e.strerror}") from None
    if o.get("d") is not None:
        when = parse_date(o.get("d") or "", sys.time)
        if when is None:
            raise Die(f"invalid date '{o.get('d')}'")
    if o.get("t") is not None:
        when = parse_touch_t(o.get("t") or "", sys.time)
        if when is None:
            raise Die(f"invalid date '{o.get('t')}'")
    mtime = sys.time if when is None else when
    status = 0
    for p in o.args:
        try:
            sys.utime(p, mtime, follow="h" not in o, explicit=when is not None)
            continue
        except OSError as e:
            if e.errno != E.ENOENT:
                proc.err(f"{p}: {e.strerror}")
                status = 1
                continue
        if "c" in o:
            continue
        try:
            sys.write(p, b"", mode=0o666)
            if when is not None:
                sys.utime(p, mtime)
        except OSError as e:
            proc.err(f"{p}: {e.strerror}")
            status = 1
    return status


# --- chmod / chown / chgrp --------------------------------------------------------------


def _tree(sys: Sys, path: str, node: Node, depth_first: bool) -> list[tuple[str, Node, int]]:
    """(path, node, depth) under ``path``, children sorted; directories after their
    contents when ``depth_first``."""
    out: list[tuple[str, Node, int]] = []

    def rec(p: str, n: Node, depth: int) -> None:
        sys.limits.step()
        if not depth_first:
            out.append((p, n, depth))
        if isinstance(n, Dir):
            for name in sorted(n.entries):
                rec(join(p, name), n.entries[name], depth + 1)
        if depth_first:
            out.append((p, n, depth))

    rec(path, node, 0)
    return out


@applet("chmod", usage="[-Rcvf] MODE[,MODE]... FILE...")
def chmod(proc: Proc) -> int:
    # Options are parsed by hand: "-x" or "-w" is a mode, not an option.
    argv = proc.argv[1:]
    opts = set()
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            i += 1
            break
        if a.startswith("--") and a[2:] in ("recursive", "changes", "verbose", "silent", "quiet"):
            opts.add({"recursive": "R", "changes": "c", "verbose": "v"}.get(a[2:], "f"))
            i += 1
            continue
        if len(a) > 1 and a[0] == "-" and all(c in "Rcvf" for c in a[1:]):
            opts.update(a[1:])
            i += 1
            continue
        break
    rest = argv[i:]
    if len(rest) < 2:
        raise Die(None, usage=True)
    spec, files = rest[0], rest[1:]
    if "--" not in argv[:i]:
        # getopt32 permutes, as GNU's getopt does: options after the mode count too
        # (chmod 777 -R dir); only a leading -x/-w/-r is taken for a mode
        late = [f for f in files if len(f) > 1 and f[0] == "-" and all(c in "Rcvf" for c in f[1:])]
        opts.update(c for f in late for c in f[1:])
        files = [f for f in files if f not in late]
    sys = Sys(proc)
    if parse_mode(spec, 0, False, sys.mask) is None:
        raise Die(f"invalid mode '{spec}'")
    status = 0
    for f in files:
        try:
            top = sys.lstat(f)
        except OSError as e:
            proc.err(f"{f}: {e.strerror}")  # even with -f (recursive_action reports it)
            status = 1
            continue
        items = _tree(sys, f, top, False) if "R" in opts else [(f, top, 0)]
        for path, node, depth in items:
            sys.limits.check_time()  # each change resolves its path: deep trees take long
            if depth == 0:
                try:
                    node = sys.stat(path)
                except OSError as e:
                    if "f" not in opts:
                        proc.err(f"{path}: {e.strerror}")
                    status = 1
                    continue
            elif isinstance(node, Symlink):
                continue
            new = parse_mode(spec, node.meta.mode, isinstance(node, Dir), sys.mask)
            assert new is not None
            try:
                sys.chmod(path, new, follow=depth == 0)
            except OSError as e:
                if "f" not in opts:
                    proc.err(f"{path}: {e.strerror}")
                status = 1
                continue
            if "v" in opts or ("c" in opts and node.meta.mode != new):
                ms = mode_string(Dir(Meta(new)) if isinstance(node, Dir) else File(Meta(new)))
                proc.out(f"mode of '{path}' changed to {new:04o} ({ms[1:]})\n")
    return status


def parse_usergroup(sys: Sys, spec: str) -> tuple[int, int]:
    """libbb parse_chown_usergroup_or_die: ``user``, ``user:group``, ``user.group``,
    ``user:`` (the user's login group), ``:group``; numbers need no entry."""
    fs = sys.fs
    if "." in spec:
        spec = spec.replace(".", ":", 1)
    user, sep, group = spec.partition(":")
    uid = gid = -1
    if not sep:
        u = _ug_id(user, lambda s: user_to_uid(fs, s))
        if u is None:
            raise Die(f"unknown user {user}")
        return u, -1
    if not user:
        if group:
            g = _ug_id(group, lambda s: group_to_gid(fs, s))
            if g is None:
                raise Die(f"unknown group {group}")
            gid = g
        return -1, gid
    if user.isascii() and user.isdigit():
        uid = int(user)
    else:
        pw = accounts.user_named(fs, user)
        if pw is None:
            raise Die(f"unknown user/group {spec.rstrip(':')}")
        uid, gid = pw.uid, pw.gid
    if group:
        if group.isascii() and group.isdigit():
            gid = int(group)
        else:
            gr = accounts.group_named(fs, group)
            if gr is None:
                raise Die(f"unknown user/group {spec}")
            gid = gr.gid
    return uid, gid


def _ug_id(text: str, by_name: Callable[[str], int | None]) -> int | None:
    """libbb get_ug_id: a number as is, else a name looked up (None if unknown)."""
    if text.isascii() and text.isdigit():
        return int(text)
    return by_name(text)


def _chown(proc: Proc, spec: str, files: list[str], opts: set[str]) -> int:
    sys = Sys(proc)
    uid, gid = parse_usergroup(sys, spec)
    recurse = "R" in opts
    # -h, or -R without -H/-L, changes links themselves (lchown).
    nofollow = "h" in opts or (recurse and not ({"H", "L"} & opts))
    status = 0
    for f in files:
        try:
            top = sys.lstat(f) if nofollow else sys.stat(f)
        except OSError as e:
            proc.err(f"{f}: {e.strerror}")  # even with -f (recursive_action reports it)
            status = 1
            continue
        if recurse and isinstance(top, Symlink) and {"H", "L"} & opts:
            top = sys.try_stat(f) or top
        items = _tree(sys, f, top, True) if recurse else [(f, top, 0)]
        for path, node, depth in items:
            sys.limits.check_time()  # each change resolves its path: deep trees take long
            follow = not nofollow and (depth == 0 or "L" in opts)
            u = node.meta.uid if uid == -1 else uid
            g = node.meta.gid if gid == -1 else gid
            try:
                sys.chown(path, u, g, follow=follow)
            except OSError as e:
                if "f" not in opts:
                    proc.err(f"{path}: {e.strerror}")
                status = 1
                continue
            if "v" in opts or ("c" in opts and (node.meta.uid, node.meta.gid) != (u, g)):
                proc.out(f"changed ownership of '{path}' to {u}:{g}\n")
    return status


def _chown_opts(proc: Proc) -> tuple[set[str], list[str]]:
    o = getopt(
        proc.argv[1:],
        "RhvcfLHP",
        {
            "recursive": "R",
            "no-dereference": "h",
            "verbose": "v",
            "changes": "c",
            "silent": "f",
            "quiet": "f",
            "dereference": "\x01",
        },
    )
    opts = set(o.flags)
    if "\x01" in opts:
        opts.discard("h")
    if "P" in opts:
        opts -= {"H", "L"}
    if len(o.args) < 2:
        raise Die(None, usage=True)
    return opts, o.args


@applet("chown", usage="[-RhLHPcvf]... USER[:[GRP]] FILE...")
def chown(proc: Proc) -> int:
    opts, args = _chown_opts(proc)
    return _chown(proc, args[0], args[1:], opts)


@applet("chgrp", usage="[-RhLHPcvf]... GROUP FILE...")
def chgrp(proc: Proc) -> int:
    opts, args = _chown_opts(proc)
    sys = Sys(proc)
    if group_to_gid(sys.fs, args[0]) is None:
        raise Die(f"unknown group {args[0]}")
    return _chown(proc, ":" + args[0], args[1:], opts)


# --- install ----------------------------------------------------------------------------


@applet("install", usage="[-cdDsp] [-o USER] [-g GRP] [-m MODE] [-t DIR] [SOURCE]... DEST")
def install(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "cdDpsvm:o:g:t:TC",
        {
            "directory": "d",
            "preserve-timestamps": "p",
            "strip": "s",
            "verbose": "v",
            "mode=": "m",
            "owner=": "o",
            "group=": "g",
            "target-directory=": "t",
            "no-target-directory": "T",
            "compare": "C",
        },
    )
    sys = Sys(proc)
    mode = 0o755
    if o.get("m") is not None:
        m = parse_mode(o.get("m") or "", 0o755, False, sys.mask)
        if m is None:
            raise Die(f"invalid mode '{o.get('m')}'")
        mode = m
    uid, gid = -1, -1
    if o.get("o") is not None:
        u = _ug_id(o.get("o") or "", lambda s: user_to_uid(sys.fs, s))
        if u is None:
            raise Die(f"unknown user {o.get('o')}")
        uid = u
    if o.get("g") is not None:
        g = _ug_id(o.get("g") or "", lambda s: group_to_gid(sys.fs, s))
        if g is None:
            raise Die(f"unknown group {o.get('g')}")
        gid = g
    args = list(o.args)
    status = 0

    def finish(path: str) -> None:
        nonlocal status
        try:
            sys.chmod(path, mode)
        except OSError as e:
            proc.err(f"can't change permissions of {path}: {e.strerror}")
            status = 1
        if uid != -1 or gid != -1:
            try:
                sys.chown(path, uid, gid, follow=False)
            except OSError as e:
                proc.err(f"can't change ownership of {path}: {e.strerror}")
                status = 1

    if "d" in o:
        if not args:
            raise Die(None, usage=True)
        for d in args:
            if not make_directory(proc, sys, d, None, True):
                status = 1
                continue
            finish(d)
        return status
    if o.get("t") is not None:
        args.append(o.get("t") or "")
    if len(args) < 2:
        raise Die(None, usage=True)
    last = args[-1]
    if "D" in o:
        parent = last if o.get("t") is not None else posixpath.dirname(last)
        if parent and not make_directory(proc, sys, parent, None, True):
            return 1
    is_dir = isinstance(sys.try_stat(last), Dir) and "T" not in o
    if len(args) > 2 and not is_dir:
        raise Die(f"'{last}' is not a directory")
    flags = DEREF | FORCE | (PRESERVE if "p" in o else 0)
    c = Copier(proc, sys, flags)
    for src in args[:-1]:
        dest = join(last, basename(src)) if is_dir else last
        # install replaces the destination (a fresh inode), unlike cp.
        old = sys.try_stat(dest, False)
        if old is not None and not isinstance(old, Dir):
            with contextlib.suppress(OSError):
                sys.unlink(dest)
        if not c.copy(src, dest, flags):
            status = 1
            continue
        finish(dest)
    return status


# --- mktemp -----------------------------------------------------------------------------

_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@applet("mktemp", usage="[-dt] [-p DIR] [TEMPLATE]")
def mktemp(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "dqtup:",
        {"directory": "d", "quiet": "q", "dry-run": "u", "tmpdir=": "p", "suffix=": "\x01"},
    )
    sys = Sys(proc)
    template = o.args[0] if o.args else "tmp.XXXXXX"
    tmpdir = o.get("p") or proc.env.get("TMPDIR") or "/tmp"
    if "/" not in template and (not o.args or "t" in o or "p" in o):
        template = join(tmpdir, template)
    suffix = o.get("\x01") or ""
    stem = template
    n = len(stem) - len(stem.rstrip("X"))
    if n < 3:
        raise Die(strerror(E.EINVAL))
    base = stem[:-n]
    # Deterministic names: a counter in base 62, the next free one wins.
    k = 0
    while True:
        sys.limits.step()
        x = k
        chars = []
        for _ in range(n):
            chars.append(_ALNUM[x % 62])
            x //= 62
        name = base + "".join(chars) + suffix
        if sys.try_stat(name, False) is None:
            break
        k += 1
    if "u" not in o:
        try:
            if "d" in o:
                sys.mkdir(name, 0o700)
                sys.chmod(name, 0o700)
            else:
                sys.write(name, b"", mode=0o600, excl=True)
                sys.chmod(name, 0o600)
        except OSError as e:
            if "q" in o:
                return 1
            what = "directory" if "d" in o else "file"
            msg = f"failed to create {what} via template '{template}': {e.strerror}"
            raise Die(msg) from None
    proc.out(name + "\n")
    return 0


# --- ls ---------------------------------------------------------------------------------


def link_counts(sys: Sys) -> dict[int, int]:
    """How many names each file object has (hard links), over the whole image."""
    counts: dict[int, int] = {}
    stack: list[Dir] = [sys.fs.root]
    while stack:
        d = stack.pop()
        for child in d.entries.values():
            if isinstance(child, Dir):
                stack.append(child)
            elif isinstance(child, File):
                counts[id(child)] = counts.get(id(child), 0) + 1
    return counts


def nlink(node: Node, counts: dict[int, int] | None) -> int:
    if isinstance(node, Dir):
        return 2 + sum(1 for c in node.entries.values() if isinstance(c, Dir))
    if isinstance(node, File) and counts is not None:
        return counts.get(id(node), 1)
    return 1


def ls_time(mtime: int, now: int) -> str:
    """busybox ls: ``Mon dd hh:mm`` within 6 months of now, else ``Mon dd  yyyy``."""
    t = _time.gmtime(mtime)
    age = now - mtime
    mon = _time.strftime("%b", t)
    if -15 * 60 < age < 3600 * 24 * 365 // 2:
        return f"{mon} {t.tm_mday:2d} {t.tm_hour:02d}:{t.tm_min:02d}"
    return f"{mon} {t.tm_mday:2d} {t.tm_year:5d}"


@record
class _Ent:
    name: str  # as shown
    path: str  # to stat children
    node: Node
    target: Node | None = None  # what a symlink points to (for -F/-L/colours)


class _Ls:
    def __init__(self, proc: Proc, sys: Sys, flags: set[str]) -> None:
        self.proc = proc
        self.sys = sys
        self.f = flags
        self.long = bool({"l", "n", "g", "o"} & flags)
        self.names = Names.of(sys.fs) if self.long and "n" not in flags else None
        self.counts = link_counts(sys) if self.long or "i" in flags else None
        self.now = sys.time
        self.status = 0

    def sort(self, ents: list[_Ent]) -> list[_Ent]:
        if "f" in self.f or "U" in self.f:
            return ents
        ents = sorted(ents, key=lambda e: e.name.encode("utf-8", "surrogateescape"))
        if "S" in self.f:
            ents.sort(key=lambda e: -file_size(e.node))
        elif "t" in self.f:
            ents.sort(key=lambda e: -e.node.meta.mtime)
        elif "X" in self.f:
            ents.sort(key=lambda e: posixpath.splitext(e.name)[1])
        if "r" in self.f:
            ents.reverse()
        if "\x02" in self.f:  # --group-directories-first
            ents.sort(key=lambda e: not isinstance(e.target or e.node, Dir))
        return ents

    def line(self, e: _Ent) -> str:
        node = e.node
        parts = []
        if "i" in self.f:
            parts.append(f"{(id(node) >> 4) % 10_000_000:7d} ")
        if "s" in self.f:
            parts.append(f"{blocks(node) // 2:6d} ")
        if self.long:
            parts.append(f"{mode_string(node)} {nlink(node, self.counts):4d} ")
            if "g" not in self.f:
                u = self.names.user(node.meta.uid) if self.names else str(node.meta.uid)
                parts.append(f"{u:<8.8} ")
            if "o" not in self.f:
                g = self.names.group(node.meta.gid) if self.names else str(node.meta.gid)
                parts.append(f"{g:<8.8} ")
            if isinstance(node, Device) and node.kind.value != "fifo":
                parts.append(f"{node.major:4d}, {node.minor:4d} ")
            elif "h" in self.f:
                parts.append(f"{human(file_size(node)):>7} ")
            else:
                parts.append(f"{file_size(node):9d} ")
            if "e" in self.f:
                parts.append(_time.strftime("%a %b %e %H:%M:%S %Y ", _time.gmtime(node.meta.mtime)))
            else:
                parts.append(ls_time(node.meta.mtime, self.now) + " ")
        parts.append(e.name)
        if self.long and isinstance(node, Symlink):
            parts.append(f" -> {node.target}")
            if "F" in self.f and e.target is not None:
                parts.append(_indicator(e.target))
        elif "F" in self.f:
            parts.append(_indicator(node))
        elif "p" in self.f and isinstance(node, Dir):
            parts.append("/")
        return "".join(parts) + "\n"

    def children(self, path: str, node: Dir) -> list[_Ent]:
        try:
            if not self.sys.root and not allowed(node, self.sys.ident, R_OK):
                raise oserr(E.EACCES, path)
        except OSError as e:
            self.proc.err(f"can't open '{path}': {e.strerror}")
            self.status = 1
            return []
        ents: list[_Ent] = []
        if "a" in self.f:
            parent = self.sys.try_stat(join(path, "..")) or node
            ents += [_Ent(".", path, node), _Ent("..", join(path, ".."), parent)]
        for name, child in node.entries.items():
            if name.startswith(".") and not ({"a", "A"} & self.f):
                continue
            cpath = join(path, name)
            target = None
            if isinstance(child, Symlink):
                target = self.sys.try_stat(cpath)
                if "L" in self.f:
                    if target is None:  # -L stats every entry: a loop or dangling link fails
                        self.proc.err(f"{cpath}: {_stat_error(self.sys, cpath)}")
                        self.status = 1
                        continue
                    child, target = target, None
            ents.append(_Ent(name, cpath, child, target))
        return self.sort(ents)

    def listing(self, path: str, node: Dir, header: bool, first: bool) -> None:
        ents = self.children(path, node)
        out = self.proc.out
        if header:
            out(("" if first else "\n") + f"{path}:\n")
        if self.long or "s" in self.f:
            total = sum(blocks(e.node) for e in ents) // 2
            if "h" in self.f:
                out(f"total {human(total * 1024, 0):<7}\n")
            else:
                out(f"total {total}\n")
        for e in ents:
            self.sys.limits.step()
            out(self.line(e))
        if "R" in self.f:
            for e in ents:
                if isinstance(e.node, Dir) and e.name not in (".", ".."):
                    self.listing(e.path, e.node, True, False)


def _stat_error(sys: Sys, path: str) -> str:
    try:
        sys.stat(path)
    except OSError as e:
        return str(e.strerror)
    return ""


def _indicator(node: Node) -> str:
    if isinstance(node, Dir):
        return "/"
    if isinstance(node, Symlink):
        return "@"
    if isinstance(node, Device) and node.kind.value == "fifo":
        return "|"
    if isinstance(node, File) and node.meta.mode & 0o111:
        return "*"
    return ""


@applet("ls", usage="[-1AaCxdLHRFplinshrSXvctu] [-w WIDTH] [FILE]...")
def ls(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "1AaCxdLHRFplinshrSXvctugGoeUfw:Qk",
        {
            "all": "a",
            "almost-all": "A",
            "directory": "d",
            "dereference": "L",
            "recursive": "R",
            "classify": "F",
            "human-readable": "h",
            "reverse": "r",
            "color": "\x01",
            "color=": "\x01",
            "full-time": "e",
            "group-directories-first": "\x02",
            "inode": "i",
            "numeric-uid-gid": "n",
            "size": "s",
        },
    )
    flags = set(o.flags)
    if "f" in flags:
        flags.add("a")
    sys = Sys(proc)
    st = _Ls(proc, sys, flags)
    args = o.args or ["."]
    files: list[_Ent] = []
    dirs: list[_Ent] = []
    # busybox stats its operands (following links) unless -l, -i, -s or -F, or with -H/-L:
    # a dangling link or a loop is then an error.
    follow_args = not ({"l", "i", "s", "F"} & flags) or bool({"H", "L"} & flags)
    for a in args:
        try:
            node = sys.lstat(a)
            if follow_args:
                sys.stat(a)
        except OSError as e:
            proc.err(f"{a}: {e.strerror}")
            st.status = 1
            continue
        target = sys.try_stat(a) if isinstance(node, Symlink) else None
        follow = (
            isinstance(node, Symlink)
            and target is not None
            and (
                "L" in flags
                or "H" in flags
                or (not st.long and "d" not in flags and "F" not in flags)
                or (isinstance(target, Dir) and "d" not in flags and not st.long)
            )
        )
        if isinstance(node, Symlink) and target is not None and "L" in flags:
            node, target = target, None
        elif follow and isinstance(target, Dir) and "d" not in flags:
            node = target
        ent = _Ent(a, a, node, target)
        if isinstance(node, Dir) and "d" not in flags:
            dirs.append(ent)
        else:
            files.append(ent)
    for ent in st.sort(files):
        proc.out(st.line(ent))
    header = len(args) > 1 or "R" in flags
    first = not files
    for ent in st.sort(dirs):
        assert isinstance(ent.node, Dir)
        st.listing(ent.name, ent.node, header, first)
        first = False
    return st.status


# --- stat -------------------------------------------------------------------------------


def _file_type(node: Node) -> str:
    if isinstance(node, File):
        return "regular empty file" if node.size == 0 else "regular file"
    if isinstance(node, Dir):
        return "directory"
    if isinstance(node, Symlink):
        return "symbolic link"
    return {"char": "character special file", "block": "block special file", "fifo": "fifo"}[
        node.kind.value
    ]


def _stime(t: int) -> str:
    return _time.strftime("%Y-%m-%d %H:%M:%S.000000000 +0000", _time.gmtime(t))


def _stat_fmt(
    proc: Proc, sys: Sys, fmt: str, path: str, node: Node, names: Names, counts: dict[int, int]
) -> str:
    out = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c == "\\" and i + 1 < len(fmt):
            esc = {"n": "\n", "t": "\t", "\\": "\\", "r": "\r", "a": "\a", "v": "\v", "f": "\f"}
            if fmt[i + 1] in esc:
                out.append(esc[fmt[i + 1]])
                i += 2
                continue
        if c != "%" or i + 1 >= len(fmt):
            out.append(c)
            i += 1
            continue
        j = i + 1
        while j < len(fmt) and fmt[j] in "-+ #0123456789.":
            j += 1
        if j >= len(fmt):
            out.append(fmt[i:])
            break
        spec, conv = fmt[i + 1 : j], fmt[j]
        i = j + 1
        m = node.meta
        val: str | int
        if conv == "%":
            out.append("%")
            continue
        if conv == "n":
            val = path
        elif conv == "N":
            val = f"'{path}' -> '{node.target}'" if isinstance(node, Symlink) else path
        elif conv == "s":
            val = file_size(node)
        elif conv == "a":
            out.append(("%" + spec + "o") % m.mode)
            continue
        elif conv == "A":
            val = mode_string(node)
        elif conv == "f":
            out.append(("%" + spec + "x") % (m.mode | type_bits(node)))
            continue
        elif conv == "F":
            val = _file_type(node)
        elif conv == "u":
            val = m.uid
        elif conv == "g":
            val = m.gid
        elif conv == "U":
            val = names.user(m.uid) if m.uid in names.users else "UNKNOWN"
        elif conv == "G":
            val = names.group(m.gid) if m.gid in names.groups else "UNKNOWN"
        elif conv == "h":
            val = nlink(node, counts)
        elif conv == "b":
            val = blocks(node)
        elif conv == "B":
            val = 512
        elif conv == "o":
            val = 4096
        elif conv in "XYZW":
            val = m.mtime if conv != "W" else 0
        elif conv in "xyzw":
            val = _stime(m.mtime) if conv != "w" else "-"
        elif conv == "i":
            val = (id(node) >> 4) % 10_000_000
        elif conv == "d":
            val = 65024
        elif conv == "D":
            out.append(("%" + spec + "x") % 0xFE00)
            continue
        elif conv in "tT":
            out.append(
                ("%" + spec + "x")
                % (
                    node.major
                    if isinstance(node, Device) and conv == "t"
                    else node.minor
                    if isinstance(node, Device)
                    else 0
                )
            )
            continue
        elif conv == "m":
            val = "/"
        elif conv == "C":
            val = "?"
        else:
            out.append("?")
            continue
        if isinstance(val, int):
            out.append(("%" + spec + "d") % val)
        else:
            out.append(("%" + spec + "s") % val)
    return "".join(out)


@applet("stat", usage="[-ltf] [-c FMT] FILE...")
def stat(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "c:fLt",
        {"format=": "c", "dereference": "L", "file-system": "f", "terse": "t", "printf=": "\x01"},
    )
    if not o.args:
        raise Die(None, usage=True)
    sys = Sys(proc)
    names = Names.of(sys.fs)
    counts = link_counts(sys)
    status = 0
    for p in o.args:
        try:
            node = sys.stat(p) if "L" in o else sys.lstat(p)
        except OSError as e:
            proc.err(f"can't stat '{p}': {e.strerror}")
            status = 1
            continue
        if o.get("c") is not None:
            proc.out(_stat_fmt(proc, sys, o.get("c") or "", p, node, names, counts) + "\n")
            continue
        if o.get("\x01") is not None:
            proc.out(_stat_fmt(proc, sys, o.get("\x01") or "", p, node, names, counts))
            continue
        if "t" in o:
            fmt = "%n %s %b %f %u %g %D %i %h %t %T %X %Y %Z %o"
            proc.out(_stat_fmt(proc, sys, fmt, p, node, names, counts) + "\n")
            continue
        name = f"{p} -> {node.target}" if isinstance(node, Symlink) else p
        u = names.user(node.meta.uid) if node.meta.uid in names.users else "UNKNOWN"
        g = names.group(node.meta.gid) if node.meta.gid in names.groups else "UNKNOWN"
        ino = (id(node) >> 4) % 10_000_000
        lines = [
            f"  File: {name}",
            f"  Size: {file_size(node):<10d}\tBlocks: {blocks(node):<10d}"
            f" IO Block: 4096   {_file_type(node)}",
            f"Device: fe00h/65024d\tInode: {ino:<10d}  Links: {nlink(node, counts)}",
            f"Access: ({node.meta.mode:04o}/{mode_string(node)})"
            f"  Uid: ({node.meta.uid:5d}/{u:>8})   Gid: ({node.meta.gid:5d}/{g:>8})",
            f"Access: {_stime(node.meta.mtime)}",
            f"Modify: {_stime(node.meta.mtime)}",
            f"Change: {_stime(node.meta.mtime)}",
        ]
        proc.out("\n".join(lines) + "\n")
    return status


# --- readlink / realpath ----------------------------------------------------------------


@applet("readlink", usage="[-fnv] FILE")
def readlink(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "fenvqs",
        {"canonicalize": "f", "canonicalize-existing": "e", "no-newline": "n", "verbose": "v"},
    )
    if len(o.args) != 1:  # busybox takes exactly one FILE ("=1"); -e is GNU's
        raise Die(None, usage=True)
    sys = Sys(proc)
    status = 0
    end = "" if "n" in o else "\n"
    for p in o.args:
        if "f" in o or "e" in o:
            out = _canonical(sys, p, must_exist="e" in o)
            if out is None:
                status = 1
                continue
            proc.out(out + end)
            continue
        node = sys.try_stat(p, False)
        if not isinstance(node, Symlink):
            if "v" in o:
                proc.err(f"{p}: {strerror(E.EINVAL if node else E.ENOENT)}")
            status = 1
            continue
        proc.out(node.target + end)
    return status


def _canonical(sys: Sys, p: str, must_exist: bool) -> str | None:
    """realpath(3) allowing a missing last component (like busybox xmalloc_realpath_coreutils)."""
    try:
        real = sys.realpath(p)
    except OSError:
        return None
    node = sys.fs.lookup(real)
    if node is None:
        if must_exist:
            return None
        parent = sys.fs.lookup(posixpath.dirname(real))
        if not isinstance(parent, Dir):
            return None
    return real


@applet("realpath", usage="FILE...")
def realpath(proc: Proc) -> int:
    o = getopt(proc.argv[1:], "eqsm", {"canonicalize-existing": "e", "quiet": "q"})
    if not o.args:
        raise Die(None, usage=True)
    sys = Sys(proc)
    status = 0
    for p in o.args:
        out = _canonical(sys, p, must_exist=True)
        if out is None:
            proc.err(f"{p}: {strerror(E.ENOENT)}")
            status = 1
            continue
        proc.out(out + "\n")
    return status


# --- du ---------------------------------------------------------------------------------


@applet("du", usage="[-aHLdclsxhmk] [FILE]...")
def du(proc: Proc) -> int:
    o = getopt(
        proc.argv[1:],
        "aHLd:clsxhmkb",
        {
            "all": "a",
            "summarize": "s",
            "human-readable": "h",
            "max-depth=": "d",
            "total": "c",
            "dereference": "L",
            "apparent-size": "\x01",
            "bytes": "b",
        },
    )
    sys = Sys(proc)
    # du's unit: 1 KiB blocks (-k), MiB with -m, human with -h; sizes are disk blocks.
    max_depth = 1 << 30
    if o.get("d") is not None:
        max_depth = number(o.get("d") or "")
    if "s" in o:
        max_depth = 0
    seen: set[int] = set()
    apparent = "\x01" in o or "b" in o
    status = 0

    def fmt(kb512: int) -> str:
        if "b" in o:
            return str(kb512)
        if "h" in o:
            return human(kb512, 512)
        if "m" in o:
            return str((kb512 + 2047) // 2048)
        return str((kb512 + 1) // 2)

    def size_of(node: Node) -> int:
        if apparent:
            return file_size(node) if "b" in o else (file_size(node) + 511) // 512
        return blocks(node)

    def rec(path: str, node: Node, depth: int) -> int:
        sys.limits.step()
        if isinstance(node, File) and id(node) in seen and "l" not in o:
            return 0
        if isinstance(node, File):
            seen.add(id(node))
        total = size_of(node)
        if isinstance(node, Dir):
            for name in sorted(node.entries):
                child = node.entries[name]
                cpath = join(path, name)
                if isinstance(child, Symlink) and "L" in o:
                    child = sys.try_stat(cpath) or child
                total += rec(cpath, child, depth + 1)
            if depth <= max_depth:
                proc.out(f"{fmt(total)}\t{path}\n")
        elif depth == 0 or ("a" in o and depth <= max_depth):
            proc.out(f"{fmt(total)}\t{path}\n")
        return total

    grand = 0
    for p in o.args or ["."]:
        try:
            node = sys.stat(p) if {"L", "H"} & set(o.flags) else sys.lstat(p)
        except OSError as e:
            proc.err(f"{p}: {e.strerror}")
            status = 1
            continue
        grand += rec(p, node, 0)
    if "c" in o:
        proc.out(f"{fmt(grand)}\ttotal\n")
    return status
