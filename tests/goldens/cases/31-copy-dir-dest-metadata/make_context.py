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


put("a.txt", "a\n")
mkdir("d700", 0o700)
put("d700/f.txt", "f\n", 0o600)
mkdir("d1777", 0o1777)
put("d1777/g.txt", "g\n")
