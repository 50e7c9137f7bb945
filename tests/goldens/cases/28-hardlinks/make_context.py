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


put("hl/a.txt", "shared content\n")
os.link("hl/a.txt", "hl/b.txt")
mkdir("hl/sub")
os.link("hl/a.txt", "hl/sub/c.txt")
put("hl/solo.txt", "solo\n")
put("x.txt", "xy\n")
os.link("x.txt", "y.txt")
