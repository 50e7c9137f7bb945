#!/usr/bin/env python3
"""Create this case's build context in the folder given as argv[1] (deterministic, stdlib only)."""
import os
import sys

dest = sys.argv[1]
os.makedirs(dest, exist_ok=True)
os.chdir(dest)


def parents(path):
    """Create the missing directories of path as 0755, whatever the umask."""
    parts = path.split("/")
    for i in range(1, len(parts) + 1):
        p = "/".join(parts[:i])
        if not os.path.isdir(p):
            os.mkdir(p)
            os.chmod(p, 0o755)


def put(path, text, mode=0o644):
    if os.path.dirname(path):
        parents(os.path.dirname(path))
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, mode)


def mkdir(path, mode=0o755):
    parents(path)
    os.chmod(path, mode)


import bz2
import gzip
import io
import lzma
import tarfile

MTIME = 1700000000


def tar_bytes(entries):
    """entries: (name, kind, mode, uid, gid, data_or_linkname); written sorted by name."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for name, kind, mode, uid, gid, data in sorted(entries):
            ti = tarfile.TarInfo(name)
            ti.mode, ti.uid, ti.gid, ti.mtime = mode, uid, gid, MTIME
            ti.uname = ti.gname = ""
            if kind == "dir":
                ti.type = tarfile.DIRTYPE
                tf.addfile(ti)
            elif kind == "symlink":
                ti.type, ti.linkname = tarfile.SYMTYPE, data
                tf.addfile(ti)
            elif kind == "hardlink":
                ti.type, ti.linkname = tarfile.LNKTYPE, data
                tf.addfile(ti)
            else:
                raw = data.encode()
                ti.size = len(raw)
                tf.addfile(ti, io.BytesIO(raw))
    return buf.getvalue()


def write(path, raw, mode=0o644):
    with open(path, "wb") as f:
        f.write(raw)
    os.chmod(path, mode)


def gz(raw):
    return gzip.compress(raw, compresslevel=9, mtime=0)


def xz(raw):
    return lzma.compress(raw, format=lzma.FORMAT_XZ)


APP = [
    ("app", "dir", 0o755, 0, 0, None),
    ("app/bin", "dir", 0o750, 1000, 1000, None),
    ("app/bin/run.sh", "file", 0o755, 1000, 1000, "#!/bin/sh\necho run\n"),
    ("app/data.txt", "file", 0o640, 1000, 100, "data\n"),
    ("app/link", "symlink", 0o777, 0, 0, "data.txt"),
    ("app/hard", "hardlink", 0o640, 1000, 100, "app/data.txt"),
    ("top.txt", "file", 0o600, 0, 0, "top\n"),
]

raw = tar_bytes(APP)
write("app.tar.gz", gz(raw))
write("app.tar.bz2", bz2.compress(raw, 9))
write("app.tar.xz", xz(raw))
write("plain.tar", tar_bytes([("p.txt", "file", 0o644, 0, 0, "plain\n")]))
