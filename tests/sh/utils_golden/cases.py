"""The golden case table: what ``make_utils_golden.py`` runs through the real busybox.

A case: ``name``; ``setup`` (path → file text, ``None`` or a ``/``-ending key for a
directory, or a dict: ``data``/``hex`` content, ``dir``, ``symlink`` target, ``link`` (hard
link to another set-up path), ``mode``, ``uid``, ``gid``); ``cmds`` (argv lists, applet
first, or ``{"argv": [...], "stdin": "..."}``); optional ``owners`` (list uid/gid too),
``listing`` (False: skip the file listing), ``env``, ``sort_stdout`` (the output follows
readdir order, which differs between filesystems: compare its lines sorted).
"""

from __future__ import annotations

from typing import Any

Case = dict[str, Any]

TREE = {
    "d/f": "hello\n",
    "d/g.txt": "two\nlines\n",
    "d/sub/deep": "deep\n",
    "d/l": {"symlink": "f"},
    "top": "top\n",
}


def c(name: str, *cmds: Any, setup: dict[str, Any] | None = None, **kw: Any) -> Case:
    out: Case = {"name": name, "setup": setup if setup is not None else {}, "cmds": list(cmds)}
    out.update(kw)
    return out


def sin(argv: list[str], stdin: str) -> dict[str, Any]:
    return {"argv": argv, "stdin": stdin}


FILES: list[Case] = [
    c("mkdir-simple", ["mkdir", "a", "b"]),
    c("mkdir-exists", ["mkdir", "d"], setup={"d/": None}),
    c("mkdir-missing-parent", ["mkdir", "a/b"]),
    c("mkdir-p", ["mkdir", "-p", "a/b/c", "a/x"]),
    c("mkdir-p-exists", ["mkdir", "-p", "d"], setup={"d/": None}),
    c("mkdir-p-over-file", ["mkdir", "-p", "f/x"], setup={"f": "x"}),
    c("mkdir-m", ["mkdir", "-m", "700", "a"], ["mkdir", "-m", "u=rwx,g=rx", "b"]),
    c("mkdir-pm", ["mkdir", "-p", "-m", "1777", "a/b/tmp"]),
    c("mkdir-bad-mode", ["mkdir", "-m", "99", "a"]),
    c("mkdir-trailing-slash", ["mkdir", "a/"], ["mkdir", "-p", "b//c/"]),
    c("mkdir-v", ["mkdir", "-pv", "a/b"]),
    c("mkdir-no-args", ["mkdir"]),
    c("rmdir", ["rmdir", "e", "d", "nope"], setup={"d/x": "1", "e/": None}),
    c("rmdir-p", ["rmdir", "-p", "a/b/c"], setup={"a/b/c/": None}),
    c("cp-file", ["cp", "d/f", "new"], setup=TREE),
    c("cp-into-dir", ["cp", "d/f", "d/g.txt", "top", "d/sub"], setup=TREE),
    c("cp-dir-no-r", ["cp", "d", "e"], setup=TREE),
    c("cp-r", ["cp", "-r", "d", "e"], setup=TREE),
    c("cp-R-into-existing", ["cp", "-R", "d", "e"], setup={**TREE, "e/": None}),
    c("cp-r-contents-dot", ["cp", "-r", "d/.", "e"], setup={**TREE, "e/old": "o"}),
    c("cp-r-trailing-slash", ["cp", "-r", "d/", "e/"], setup=TREE),
    c("cp-a", ["cp", "-a", "d", "e"], setup={**TREE, "d/f": {"data": "x", "mode": "600", "uid": 1, "gid": 2}}, owners=True),
    c("cp-p", ["cp", "-p", "f", "g"], ["cp", "f", "h"], setup={"f": {"data": "x", "mode": "4751", "uid": 2, "gid": 3}}, owners=True),
    c("cp-symlink-default-deref", ["cp", "d/l", "x"], ["cp", "-r", "d/l", "y"], ["cp", "-P", "d/l", "z"], ["cp", "-L", "d/l", "w"], setup=TREE),
    c("cp-missing", ["cp", "nope", "x"]),
    c("cp-missing-dest-dir", ["cp", "top", "no/where"], setup=TREE),
    c("cp-same", ["cp", "top", "top"], ["cp", "top", "./top"], setup=TREE),
    c("cp-overwrite-keeps-mode", ["cp", "a", "b"], setup={"a": {"data": "new\n", "mode": "644"}, "b": {"data": "old\n", "mode": "600"}}),
    c("cp-n", ["cp", "-n", "a", "b"], setup={"a": "new\n", "b": "old\n"}),
    c("cp-f-readonly", ["cp", "a", "b"], ["cp", "-f", "a", "c"], setup={"a": "new\n", "b": {"data": "old", "mode": "444"}, "c": {"data": "old", "mode": "444"}}),
    c("cp-r-dir-over-file", ["cp", "-r", "d", "top"], setup=TREE),
    c("cp-file-over-dir", ["cp", "top", "d/sub/deep/x"], setup=TREE),
    c("cp-recursion", ["cp", "-r", "d", "d/sub"], setup=TREE),
    c("cp-hardlinks-kept", ["cp", "-a", "d", "e"], ["cp", "-r", "d", "f"], ["cp", "-rL", "d", "g"], setup={"d/a": "1", "d/b": {"link": "d/a"}}),
    c("cp-many-to-missing", ["cp", "top", "nope", "dst"], setup=TREE),
    c("cp-t", ["cp", "-t", "d/sub", "top"], setup=TREE),
    c("cp-umask-dirmode", ["cp", "-r", "d", "e"], setup={"d/": {"dir": True, "mode": "2775"}, "d/x": {"data": "", "mode": "777"}}),
    c("cp-v", ["cp", "-v", "top", "x"], setup=TREE),
    c("mv-rename", ["mv", "top", "x"], setup=TREE),
    c("mv-into-dir", ["mv", "top", "d/f", "d/sub"], setup=TREE),
    c("mv-missing", ["mv", "nope", "x"]),
    c("mv-into-self", ["mv", "d", "d/sub"], setup=TREE),
    c("mv-dir-over-file", ["mv", "d", "top"], setup=TREE),
    c("mv-over-nonempty", ["mv", "d/sub", "e"], setup={**TREE, "e/sub/x": "x"}, listing=True),
    c("mv-dir-rename", ["mv", "d", "e"], setup=TREE),
    c("mv-n", ["mv", "-n", "a", "b"], setup={"a": "1", "b": "2"}),
    c("mv-dir-into-existing", ["mv", "d/sub", "e"], setup={**TREE, "e/": None}),
    c("rm-file", ["rm", "top", "d/f"], setup=TREE),
    c("rm-dir", ["rm", "d"], setup=TREE),
    c("rm-missing", ["rm", "nope"], ["rm", "-f", "nope"]),
    c("rm-r", ["rm", "-r", "d"], setup=TREE),
    c("rm-rf-mixed", ["rm", "-rf", "d", "nope", "top"], setup=TREE),
    c("rm-dot", ["rm", "-rf", "."], ["rm", "-r", "d/.."], setup=TREE),
    c("rm-v", ["rm", "-rv", "d"], setup=TREE, sort_stdout=True),
    c("rm-symlink-to-dir", ["rm", "ld"], setup={**TREE, "ld": {"symlink": "d"}}),
    c("rm-no-args", ["rm"], ["rm", "-f"]),
    c("ln-hard", ["ln", "top", "h"], setup=TREE),
    c("ln-s", ["ln", "-s", "top", "s"], ["ln", "-s", "/abs/path", "dangling"], setup=TREE),
    c("ln-into-dir", ["ln", "-s", "../top", "d"], ["ln", "top", "d/sub"], setup=TREE),
    c("ln-exists", ["ln", "-s", "x", "top"], ["ln", "top", "d/f"], setup=TREE),
    c("ln-sf", ["ln", "-sf", "d/g.txt", "top"], setup=TREE),
    c("ln-sfn-dirlink", ["ln", "-sfn", "e", "cur"], ["ln", "-sf", "e", "cur2"], setup={"d/": None, "e/": None, "cur": {"symlink": "d"}, "cur2": {"symlink": "d"}}),
    c("ln-missing-target", ["ln", "nope", "x"]),
    c("ln-one-arg", ["ln", "-s", "d/f"], setup=TREE),
    c("touch-new", ["touch", "a", "d/b"], setup=TREE),
    c("touch-missing-dir", ["touch", "no/x"]),
    c("touch-c", ["touch", "-c", "nope"]),
    c("touch-d", ["touch", "-d", "2021-02-03 04:05:06", "top", "new"], setup=TREE),
    c("touch-t", ["touch", "-t", "202102030405.06", "top"], setup=TREE),
    c("touch-r", ["touch", "-r", "ref", "top"], setup={**TREE, "ref": "r", "@mtimes": {"ref": 1000000000}}),
    c("chmod-octal", ["chmod", "600", "top"], ["chmod", "4755", "d/f"], setup=TREE),
    c("chmod-symbolic", ["chmod", "u+x,g-r,o=", "top"], ["chmod", "+x", "d/f"], ["chmod", "a-w", "d/g.txt"], ["chmod", "go+rX", "d/sub/deep"], setup=TREE),
    c("chmod-R", ["chmod", "-R", "g+w", "d"], setup=TREE),
    c("chmod-R-X", ["chmod", "-R", "a+X", "d"], setup={"d/x": {"data": "", "mode": "600"}, "d/y": {"data": "", "mode": "700"}, "d/s/": {"dir": True, "mode": "700"}}),
    c("chmod-minus-x", ["chmod", "-x", "f"], setup={"f": {"data": "", "mode": "755"}}),
    c("chmod-bad", ["chmod", "u+q", "top"], ["chmod", "8", "top"], ["chmod", "644", "nope"], setup=TREE),
    c("chmod-equal", ["chmod", "u=rw,go=r", "f"], ["chmod", "g=u", "h"], ["chmod", "=", "j"], setup={"f": {"data": "", "mode": "777"}, "h": {"data": "", "mode": "700"}, "j": {"data": "", "mode": "777"}}),
    c("chmod-st", ["chmod", "+t", "d"], ["chmod", "g+s", "d"], ["chmod", "u+s", "f"], setup={"d/": None, "f": "x"}),
    c("chmod-symlink-arg", ["chmod", "600", "l"], setup={"f": "x", "l": {"symlink": "f"}}),
    c("chmod-v", ["chmod", "-v", "600", "f"], ["chmod", "-c", "600", "f"], ["chmod", "-c", "644", "f"], setup={"f": "x"}),
    c("chown-uid", ["chown", "1", "top"], ["chown", "2:3", "d/f"], setup=TREE, owners=True),
    c("chown-names", ["chown", "daemon:bin", "top"], ["chown", "bin.daemon", "d/f"], ["chown", ":sys", "d/g.txt"], ["chown", "daemon:", "d/sub"], setup=TREE, owners=True),
    c("chown-R", ["chown", "-R", "1:2", "d"], setup=TREE, owners=True),
    c("chown-unknown", ["chown", "nosuchuser", "top"], ["chown", "root:nosuchgroup", "top"], ["chown", ":nosuchgroup", "top"], setup=TREE, owners=True),
    c("chown-missing-file", ["chown", "1", "nope"], ["chown", "-f", "1", "nope"]),
    c("chown-symlink", ["chown", "1", "d/l"], ["chown", "-h", "2", "d/l"], setup=TREE, owners=True),
    c("chown-clears-suid", ["chown", "1:1", "f"], ["chown", "1:1", "g"], setup={"f": {"data": "", "mode": "6755"}, "g": {"data": "", "mode": "6745"}}, owners=True),
    c("chgrp", ["chgrp", "bin", "top"], ["chgrp", "-R", "3", "d"], ["chgrp", "nosuch", "top"], setup=TREE, owners=True),
    c("ls-plain", ["ls"], ["ls", "d"], ["ls", "-a", "d"], ["ls", "-A", "d"], setup={**TREE, "d/.hidden": "h"}),
    c("ls-l", ["ls", "-l", "d"], ["ls", "-ln", "d"], setup={**TREE, "d/f": {"data": "hello\n", "uid": 1, "gid": 2}}),
    c("ls-la", ["ls", "-la", "d/sub"], setup=TREE),
    c("ls-ld", ["ls", "-ld", "d", "d/sub"], ["ls", "-d", "d", "top"], setup=TREE),
    c("ls-R", ["ls", "-R", "d"], ["ls", "-lR", "d"], setup=TREE),
    c("ls-multi", ["ls", "top", "d", "nope", "d/sub"], setup=TREE),
    c("ls-1F", ["ls", "-1F", "d"], ["ls", "-p", "d"], setup={**TREE, "d/x": {"data": "", "mode": "755"}}),
    c("ls-lh", ["ls", "-lh", "."], setup={"big": {"hex": "00" * 5000}, "small": "x"}),
    c("ls-sizes-sort", ["ls", "-S", "."], ["ls", "-r", "."], ["ls", "-s", "."], setup={"a": "1", "b": "12345", "c": "123"}),
    c("ls-symlink-arg", ["ls", "-l", "d/l"], ["ls", "dl"], ["ls", "-l", "dl"], ["ls", "-lL", "d/l"], setup={**TREE, "dl": {"symlink": "d"}}),
    c("ls-modes", ["ls", "-l", "."], setup={"a": {"data": "", "mode": "4755"}, "b": {"data": "", "mode": "2644"}, "c/": {"dir": True, "mode": "1777"}, "e": {"data": "", "mode": "0"}}),
    c("ls-missing", ["ls", "nope"]),
    c("stat-c", ["stat", "-c", "%n %s %a %A %U %G %u %g %F %h", "top", "d", "d/l", "d/sub"], setup=TREE),
    c("stat-c-more", ["stat", "-c", "%Y %N %b %B %s", "top", "d/l"], ["stat", "-L", "-c", "%F %N", "d/l"], setup=TREE),
    c("stat-missing", ["stat", "nope"]),
    c("readlink", ["readlink", "d/l"], ["readlink", "top"], ["readlink", "nope"], setup=TREE),
    c("readlink-f", ["readlink", "-f", "d/l"], ["readlink", "-f", "d/../top"], ["readlink", "-f", "d/nope"], ["readlink", "-f", "no/pe"], setup=TREE),
    c("realpath", ["realpath", "d/l", "d/sub/..", "nope"], ["realpath", "x/y"], setup=TREE),
    c("du", ["du", "d"], ["du", "-s", "d"], ["du", "-sh", "d"], ["du", "-c", "d", "top"], setup=TREE),
    c("du-a", ["du", "-a", "d"], setup=TREE, sort_stdout=True),
    c("du-big", ["du", "-h", "big"], ["du", "-k", "big"], ["du", "-m", "big"], setup={"big": {"hex": "ab" * 70000}}),
    c("du-hardlinks", ["du", "-s", "."], setup={"a": {"hex": "00" * 9000}, "b": {"link": "a"}}),
]

FAMILIES: dict[str, list[Case]] = {"files": FILES}
