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


put("private.txt", "p\n", 0o600)
put("exec.sh", "#!/bin/sh\n", 0o755)
put("readonly.txt", "r\n", 0o444)
put("suid", "s\n", 0o4755)
put("sgid", "g\n", 0o2755)
mkdir("closed", 0o700)
put("closed/inner.txt", "i\n", 0o644)
mkdir("sticky", 0o1777)
mkdir("empty")
mkdir("emptydeep/a/b")
for dirpath, dirnames, filenames in os.walk("."):
    for n in dirnames + filenames:
        p = os.path.join(dirpath, n)
        if os.geteuid() == 0:
            os.lchown(p, 1000, 1000)
for p, m in [("suid", 0o4755), ("sgid", 0o2755)]:
    os.chmod(p, m)  # chown clears set-id bits
