#!/usr/bin/env python3
"""Create this case's build context in the folder given as argv[1] (deterministic, stdlib only)."""
import io
import os
import sys
import tarfile

dest = sys.argv[1]
os.makedirs(dest, exist_ok=True)
os.chdir(dest)
MTIME = 1700000000

# (name, kind, data or link target), written in this order: order matters for links.
ENTRIES = [("hard", "hard", "/etc/passwd")]


def tar_bytes(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for name, kind, data in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime, ti.uname, ti.gname = MTIME, "", ""
            if kind == "dir":
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                tf.addfile(ti)
            elif kind == "sym":
                ti.type, ti.mode, ti.linkname = tarfile.SYMTYPE, 0o777, data
                tf.addfile(ti)
            elif kind == "hard":
                ti.type, ti.mode, ti.linkname = tarfile.LNKTYPE, 0o644, data
                tf.addfile(ti)
            else:
                raw = data.encode()
                ti.mode, ti.size = 0o644, len(raw)
                tf.addfile(ti, io.BytesIO(raw))
    return buf.getvalue()


with open("t.tar", "wb") as f:
    f.write(tar_bytes(ENTRIES))
os.chmod("t.tar", 0o644)
