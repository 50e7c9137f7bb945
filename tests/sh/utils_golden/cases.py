"""The golden case table: what ``make_utils_golden.py`` runs through the real busybox.

A case: ``name``; ``setup`` (path → file text, ``None`` or a ``/``-ending key for a
directory, or a dict: ``data``/``hex`` content, ``dir``, ``symlink`` target, ``link`` (hard
link to another set-up path), ``mode``, ``uid``, ``gid``); ``cmds`` (argv lists, applet
first, or ``{"argv": [...], "stdin": "..."}``); optional ``owners`` (list uid/gid too),
``listing`` (False: skip the file listing), ``env``, ``sort_stdout`` (the output follows
readdir order, which differs between filesystems: compare its lines sorted), ``nohash``
(paths whose bytes legitimately differ: another DEFLATE, readdir-ordered archives),
``stdout_skip`` (indexes of commands whose stdout is such bytes). ``@TMP@`` in an argument
is the case's directory.
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

LINES = "banana 3\napple 10\ncherry 2\napple 10\nDate 7\n"
CSV = "name:uid:shell\nroot:0:/bin/sh\nbob:1000:/bin/bash\n\nalice:1001:/bin/zsh\n"

TEXT: list[Case] = [
    c("cat", ["cat", "a", "b"], ["cat", "-n", "a"], ["cat", "nope", "a"], ["cat", "d"], setup={"a": "1\n2\n", "b": "x", "d/": None}),
    c("cat-stdin", sin(["cat"], "in\n"), sin(["cat", "a", "-", "a"], "mid\n"), setup={"a": "A\n"}),
    c("cat-A", ["cat", "-A", "a"], ["cat", "-b", "a"], setup={"a": "t\tx\n\nend\x01\n"}),
    c("echo", ["echo", "a", "b  c"], ["echo", "-n", "x"], ["echo"], ["echo", "--", "-n"], ["echo", "-x"], ["echo", "-n", "-e", "y"]),
    c("echo-e", ["echo", "-e", "a\\tb\\nc\\x41\\0101\\\\"], ["echo", "-e", "stop\\cnot"], ["echo", "no\\tesc"], ["echo", "-E", "-e", "x\\ty"]),
    c("printf-basic", ["printf", "%s-%s\\n", "a", "b", "c"], ["printf", "hello\\n"], ["printf", "%d %i %x %X %o\\n", "42", "-7", "255", "255", "8"]),
    c("printf-width", ["printf", "[%5s][%-5s][%.2s][%05d][%-4d][%+d]\\n", "ab", "cd", "xyz", "42", "7", "5"]),
    c("printf-float", ["printf", "%.2f %e %g %5.1f\\n", "3.14159", "1234.5", "0.0001", "2.25"]),
    c("printf-char-b", ["printf", "%c%c|%b|%%\\n", "hello", "W", "a\\tb"], ["printf", "%b", "x\\cy"], ["printf", "%s\\n"]),
    c("printf-bad-number", ["printf", "%d\\n", "abc"], ["printf", "%d|%d\\n", "12abc", "0x1F"], ["printf", "%d\\n", "'A"]),
    c("printf-escapes", ["printf", "a\\101\\x42\\tz\\n"], ["printf", "x\\cy"], ["printf", "%s"]),
    c("printf-star", ["printf", "[%*s]\\n", "6", "ab"], ["printf", "%s %s\\n", "only"]),
    c("head", ["head", "-n", "2", "f"], ["head", "-2", "f"], ["head", "-c", "5", "f"], ["head", "-n", "-3", "f"], ["head", "f", "g"], setup={"f": "1\n2\n3\n4\n5\n", "g": "x\n"}),
    c("head-default-stdin", sin(["head"], "".join(f"{i}\n" for i in range(15)))),
    c("head-missing", ["head", "nope"], ["head", "-n", "x", "nope"]),
    c("tail", ["tail", "-n", "2", "f"], ["tail", "-n", "+4", "f"], ["tail", "-c", "4", "f"], ["tail", "-3", "f"], ["tail", "f", "g"], ["tail", "-c", "+7", "f"], setup={"f": "1\n2\n3\n4\n5\n", "g": "x\n"}),
    c("tail-no-newline", ["tail", "-n", "1", "f"], ["tail", "-n", "2", "f"], setup={"f": "a\nb\nc"}),
    c("wc", ["wc", "f"], ["wc", "-l", "f"], ["wc", "-w", "f", "g"], ["wc", "-c", "f"], ["wc", "-lc", "f"], ["wc", "f", "nope"], setup={"f": "one two\nthree\n", "g": "a b c"}),
    c("wc-stdin", sin(["wc"], "a b\nc\n"), sin(["wc", "-l"], "x\ny\n"), sin(["wc", "-L"], "abc\nab\n")),
    c("tee", sin(["tee", "a", "b"], "data\n"), sin(["tee", "-a", "a"], "more\n"), sin(["tee", "no/x"], "z\n")),
    c("sort-basic", ["sort", "f"], ["sort", "-r", "f"], ["sort", "-u", "f"], ["sort", "-f", "f"], setup={"f": LINES}),
    c("sort-n", ["sort", "-n", "f"], ["sort", "-nr", "f"], ["sort", "-n", "-k2", "f"], ["sort", "-k2n", "-k1,1", "f"], setup={"f": "10 b\n9 a\n-1 c\n2.5 d\nx e\n10 a\n"}),
    c("sort-k-t", ["sort", "-t", ":", "-k", "2", "-n", "f"], ["sort", "-t:", "-k3,3", "f"], ["sort", "-t", ":", "-k2,2nr", "f"], setup={"f": CSV}),
    c("sort-ku", ["sort", "-u", "-k1,1", "f"], ["sort", "-k", "2", "f"], setup={"f": LINES}),
    c("sort-o", ["sort", "-o", "f", "f"], setup={"f": "b\na\n"}),
    c("sort-c", ["sort", "-c", "f"], ["sort", "-c", "g"], setup={"f": "a\nb\n", "g": "b\na\n"}),
    c("sort-missing", ["sort", "nope"]),
    c("uniq", sin(["uniq"], "a\na\nb\na\n"), sin(["uniq", "-c"], "a\na\nb\na\n"), sin(["uniq", "-d"], "a\na\nb\nc\nc\n"), sin(["uniq", "-u"], "a\na\nb\nc\nc\n")),
    c("uniq-fields", sin(["uniq", "-f", "1"], "1 a\n2 a\n3 b\n"), sin(["uniq", "-i", "-c"], "A\na\nb\n"), sin(["uniq", "-s", "1", "-w", "1"], "xa1\nya2\nzb\n")),
    c("uniq-file-out", ["uniq", "f", "out"], setup={"f": "a\na\n"}),
    c("cut-f", ["cut", "-d:", "-f1,3", "f"], ["cut", "-d", ":", "-f2-", "f"], ["cut", "-d:", "-s", "-f1", "f"], setup={"f": CSV + "nodelim\n"}),
    c("cut-c", ["cut", "-c", "1-3", "f"], ["cut", "-c", "2,4-", "f"], ["cut", "-b", "-2", "f"], setup={"f": "abcdef\nxy\n"}),
    c("cut-tab", ["cut", "-f", "2", "f"], setup={"f": "a\tb\tc\nd\te\n"}),
    c("cut-errors", ["cut", "f"], ["cut", "-f", "0", "f"], ["cut", "-d", "ab", "-f1", "f"], setup={"f": "x\n"}),
    c("tr", sin(["tr", "a-z", "A-Z"], "hello World\n"), sin(["tr", "-d", "lo"], "hello world\n"), sin(["tr", "-s", " "], "a   b  c\n"), sin(["tr", "abc", "x"], "aabbcc\n")),
    c("tr-classes", sin(["tr", "[:lower:]", "[:upper:]"], "abc1\n"), sin(["tr", "-d", "[:digit:]"], "a1b2c3\n"), sin(["tr", "-cd", "[:alnum:]\\n"], "a-b_c!\n"), sin(["tr", "\\n", " "], "a\nb\n")),
    c("tr-squeeze-translate", sin(["tr", "-s", "a-z", "A-Z"], "aabbcc\n"), sin(["tr", "-sc", "a-z", "\\n"], "one, two;three\n")),
    c("nl", ["nl", "f"], ["nl", "-ba", "f"], ["nl", "-w", "3", "-s", ": ", "f"], setup={"f": "a\n\nb\n"}),
    c("rev", ["rev", "f"], setup={"f": "abc\nxy\n"}),
    c("basename", ["basename", "/a/b/c.txt"], ["basename", "/a/b/c.txt", ".txt"], ["basename", "/a/b/"], ["basename", "/"], ["basename", "c.txt", "c.txt"], ["basename", "-s", ".c", "a.c", "b.c"], ["basename", "-a", "x/y", "z"]),
    c("dirname", ["dirname", "/a/b/c"], ["dirname", "a"], ["dirname", "/a"], ["dirname", "a/b/"], ["dirname", "/"], ["dirname", "//a//b//"]),
    c("seq", ["seq", "3"], ["seq", "2", "4"], ["seq", "5", "-2", "1"], ["seq", "-s", ",", "3"], ["seq", "-w", "9", "11"], ["seq", "1", "0.5", "2"], ["seq", "3", "1"]),
    c("seq-errors", ["seq"], ["seq", "x"]),
]

SED: list[Case] = [
    c("sed-s", ["sed", "s/a/X/", "f"], ["sed", "s/a/X/g", "f"], ["sed", "s/a/X/2", "f"], ["sed", "-n", "s/b/B/p", "f"], setup={"f": "banana\nabc\ncab\n"}),
    c("sed-s-flags", ["sed", "s/A/x/Ig", "f"], ["sed", "s|/|_|g", "f"], ["sed", "s/\\(an\\)\\(a\\)/<\\2\\1>/", "f"], ["sed", "s/an/[&]/g", "f"], setup={"f": "bAnana/x\n"}),
    c("sed-E", ["sed", "-E", "s/(a|b)+/<\\1>/", "f"], ["sed", "-r", "s/[0-9]{2,}/N/g", "f"], ["sed", "s/[0-9]\\{2\\}/N/g", "f"], setup={"f": "abba 1 22 333\n"}),
    c("sed-addresses", ["sed", "-n", "2p", "f"], ["sed", "-n", "$p", "f"], ["sed", "2,3d", "f"], ["sed", "-n", "/b/,/d/p", "f"], ["sed", "/c/!d", "f"], ["sed", "-n", "1~2p", "f"], ["sed", "2,+1d", "f"], setup={"f": "a\nb\nc\nd\ne\n"}),
    c("sed-range-edge", ["sed", "-n", "3,1p", "f"], ["sed", "-n", "/a/,2p", "f"], ["sed", "0,/a/d", "f"], ["sed", "1,/a/d", "f"], setup={"f": "a\nb\na\nc\n"}),
    c("sed-multi-e", ["sed", "-e", "s/a/1/", "-e", "s/b/2/", "f"], ["sed", "s/a/1/;s/b/2/", "f"], ["sed", "-e", "1d", "-e", "$d", "f"], setup={"f": "ab\nab\nab\n"}),
    c("sed-i", ["sed", "-i", "s/old/new/", "f"], ["sed", "-i.bak", "1d", "g"], ["sed", "-i", "-e", "s/x/y/", "h", "nope"], setup={"f": {"data": "old\nold\n", "mode": "600"}, "g": "1\n2\n", "h": "x\n"}),
    c("sed-aic", ["sed", "2a\\\nadded", "f"], ["sed", "1i inserted", "f"], ["sed", "2c changed", "f"], ["sed", "$a end", "f"], ["sed", "/b/a \\  two spaces", "f"], setup={"f": "a\nb\nc\n"}),
    c("sed-c-range", ["sed", "1,2c\\\nX", "f"], ["sed", "2!c Y", "f"], setup={"f": "a\nb\nc\n"}),
    c("sed-q", ["sed", "2q", "f"], ["sed", "-n", "2{p;q}", "f"], ["sed", "3q5", "f"], ["sed", "2Q", "f"], setup={"f": "a\nb\nc\nd\n"}),
    c("sed-hold", ["sed", "-n", "1!G;h;$p", "f"], ["sed", "N;s/\\n/,/", "f"], ["sed", "$!N;P;D", "f"], ["sed", "n;d", "f"], ["sed", "=", "f"], setup={"f": "a\nb\nc\n"}),
    c("sed-branch", ["sed", ":a;N;$!ba;s/\\n/ /g", "f"], ["sed", "s/a/A/;ta;s/$/ no/;b;:a;s/$/ yes/", "f"], setup={"f": "a\nb\nca\n"}),
    c("sed-y", ["sed", "y/abc/xyz/", "f"], ["sed", "y/a/", "f"], setup={"f": "aabbcc\n"}),
    c("sed-blocks", ["sed", "-n", "/b/{s/b/B/;p}", "f"], ["sed", "2{h;d};${G}", "f"], setup={"f": "a\nb\nc\n"}),
    c("sed-no-newline", ["sed", "s/c/C/", "f"], ["sed", "$a x", "f"], setup={"f": "a\nc"}),
    c("sed-stdin", sin(["sed", "s/^/> /"], "one\ntwo\n"), sin(["sed", "-n", "$="], "1\n2\n3\n")),
    c("sed-errors", ["sed", "s/a", "f"], ["sed", "k", "f"], ["sed", "s/a/b/q", "f"], ["sed", "p", "nope"], ["sed"], setup={"f": "a\n"}),
    c("sed-special-chars", ["sed", "s/[.*]/_/g", "f"], ["sed", "s/\\./,/g", "f"], ["sed", "s/^[[:space:]]*//", "f"], ["sed", "s/[^a-z]//g", "f"], setup={"f": "  a.b*c[d]\n"}),
    c("sed-empty-regex-reuse", ["sed", "/b/s//X/g", "f"], ["sed", "s/x*/-/g", "f"], setup={"f": "abcb\n"}),
    c("sed-w-and-r", ["sed", "-n", "/a/w out", "f"], ["sed", "1r ins", "f"], setup={"f": "a\nb\na2\n", "ins": "INS\n"}),
    c("sed-config-edit", ["sed", "-i", "-e", "s/^#\\?\\(PermitRootLogin\\).*/\\1 no/", "-e", "/^$/d", "cfg"], setup={"cfg": "#PermitRootLogin yes\n\nPort 22\n"}),
    c("sed-newline-in-repl", ["sed", "s/,/\\n/g", "f"], ["sed", "s/b/\\\n/", "f"], setup={"f": "a,b,c\n"}),
]

GREP: list[Case] = [
    c("grep-basic", ["grep", "foo", "f"], ["grep", "-v", "foo", "f"], ["grep", "-n", "bar", "f"], ["grep", "-c", "foo", "f"], ["grep", "nomatch", "f"], setup={"f": "foo\nbar\nfoo bar\nFOO\n"}),
    c("grep-i-w-x", ["grep", "-i", "foo", "f"], ["grep", "-w", "foo", "f"], ["grep", "-x", "foo", "f"], ["grep", "-iw", "FOO", "f"], setup={"f": "foo\nfoobar\nxfoo foo\nFOO\n"}),
    c("grep-E-F", ["grep", "-E", "fo+|ba?r", "f"], ["grep", "-F", "a.c", "f"], ["grep", "a.c", "f"], ["grep", "-F", "-e", "x", "-e", "abc", "f"], ["egrep", "^(a|x)", "f"], ["fgrep", ".", "f"], setup={"f": "foo\nbr\nabc\na.c\nxyz\n"}),
    c("grep-q-l-L", ["grep", "-q", "a", "f", "g"], ["grep", "-q", "zzz", "f"], ["grep", "-l", "a", "f", "g"], ["grep", "-L", "a", "f", "g"], setup={"f": "a\n", "g": "b\n"}),
    c("grep-multi-files", ["grep", "a", "f", "g"], ["grep", "-h", "a", "f", "g"], ["grep", "-H", "a", "f"], ["grep", "-c", "a", "f", "g"], setup={"f": "a\nab\n", "g": "ba\nb\n"}),
    c("grep-missing", ["grep", "a", "nope"], ["grep", "-s", "a", "nope"], ["grep", "a", "nope", "f"], ["grep", "-q", "a", "nope", "f"], setup={"f": "a\n"}),
    c("grep-r", ["grep", "-r", "needle", "d"], ["grep", "-rl", "needle", "d"], ["grep", "-rn", "needle", "d/sub"], setup={"d/a": "needle\nhay\n", "d/sub/b": "hay\nneedle in\n", "d/c": "x\n"}, sort_stdout=True),
    c("grep-o", ["grep", "-o", "[0-9]\\+", "f"], ["grep", "-on", "ab", "f"], ["grep", "-oE", "o*", "f"], setup={"f": "a1 22 b333\nabab\nfoo\n"}),
    c("grep-e-multiple", ["grep", "-e", "a", "-e", "c", "f"], ["grep", "-e", "-v", "f"], setup={"f": "a\nb\nc\n-v\n"}),
    c("grep-f", ["grep", "-f", "pats", "f"], setup={"f": "one\ntwo\nthree\n", "pats": "one\nthr\n"}),
    c("grep-context", ["grep", "-A1", "c", "f"], ["grep", "-B1", "c", "f"], ["grep", "-C1", "-n", "e", "f"], ["grep", "-A1", "-e", "b", "-e", "f", "f"], setup={"f": "a\nb\nc\nd\ne\nf\ng\n"}),
    c("grep-m", ["grep", "-m", "2", "a", "f"], ["grep", "-m1", "-c", "a", "f"], setup={"f": "a1\na2\na3\n"}),
    c("grep-stdin", sin(["grep", "x"], "x\ny\nxx\n"), sin(["grep", "-c", "y"], "x\ny\n"), sin(["grep", "-H", "x"], "x\n")),
    c("grep-bre-specials", ["grep", "a\\|b", "f"], ["grep", "^a\\+$", "f"], ["grep", "[[:digit:]]", "f"], ["grep", "a*", "f"], ["grep", "-c", "", "f"], setup={"f": "aaa\nb\nc1\n+\n"}),
    c("grep-dir-operand", ["grep", "a", "d"], ["grep", "a", "d", "f"], setup={"d/x": "a\n", "f": "a\n"}),
]

FAMILIES["text"] = TEXT
FAMILIES["sed"] = SED
FAMILIES["grep"] = GREP

FTREE = {
    "d/a.txt": "aaa\n",
    "d/b.TXT": "",
    "d/sub/c.txt": "c\n",
    "d/sub/deep/e.log": "log\n",
    "d/empty/": None,
    "d/link": {"symlink": "a.txt"},
    "d/exe": {"data": "#!/bin/sh\n", "mode": "755"},
    "d/own": {"data": "o", "uid": 1, "gid": 2},
    "top": "t\n",
}

FIND: list[Case] = [
    c("find-all", ["find", "d"], ["find", "d/"], setup=FTREE, sort_stdout=True),
    c("find-name", ["find", "d", "-name", "*.txt"], ["find", "d", "-iname", "*.txt"], ["find", ".", "-name", "c*"], setup=FTREE, sort_stdout=True),
    c("find-type", ["find", "d", "-type", "d"], ["find", "d", "-type", "f"], ["find", "d", "-type", "l"], setup=FTREE, sort_stdout=True),
    c("find-depth", ["find", "d", "-maxdepth", "1"], ["find", "d", "-mindepth", "2"], ["find", "d", "-maxdepth", "0"], setup=FTREE, sort_stdout=True),
    c("find-path", ["find", "d", "-path", "*/sub/*"], ["find", ".", "-path", "./d/sub", "-prune", "-o", "-type", "f", "-print"], setup=FTREE, sort_stdout=True),
    c("find-not-or", ["find", "d", "!", "-name", "*.txt", "-type", "f"], ["find", "d", "-not", "-type", "d"], ["find", "d", "(", "-name", "a*", "-o", "-name", "e*", ")", "-print"], setup=FTREE, sort_stdout=True),
    c("find-empty-size", ["find", "d", "-empty"], ["find", "d", "-size", "+0"], ["find", "d", "-size", "-2c", "-type", "f"], ["find", "d", "-size", "4c"], setup=FTREE, sort_stdout=True),
    c("find-perm-user", ["find", "d", "-perm", "755"], ["find", "d", "-perm", "-u+x", "-type", "f"], ["find", "d", "-user", "daemon"], ["find", "d", "-group", "2"], setup=FTREE, sort_stdout=True),
    c("find-newer", ["find", "d", "-newer", "top"], setup={**FTREE, "@mtimes": {"d/a.txt": 1600000000, "top": 1590000000}}, sort_stdout=True),
    c("find-exec", ["find", "d", "-name", "*.txt", "-exec", "cat", "{}", ";"], ["find", "d/sub/deep", "-type", "f", "-exec", "echo", "f:", "{}", "+"], setup=FTREE, sort_stdout=True),
    c("find-exec-status", ["find", "d", "-maxdepth", "0", "-exec", "false", "{}", "+"], ["find", "d", "-maxdepth", "0", "-exec", "false", ";"], ["find", "d", "-maxdepth", "0", "-exec", "nosuchprog", "{}", ";"], setup=FTREE),
    c("find-print0", ["find", "d/sub/deep", "-print0"], setup=FTREE),
    c("find-errors", ["find", "nope"], ["find", "d", "-bogus"], ["find", "d", "-type", "q"], ["find", "d", "-name"], ["find", "d", "-exec", "echo"], setup=FTREE),
    c("find-quit", ["find", "d", "-maxdepth", "0", "-print", "-quit"], setup=FTREE),
    c("find-regex", ["find", "d", "-regex", ".*/[a-c]\\.txt"], setup=FTREE, sort_stdout=True),
    c("find-links-follow", ["find", "-L", "d", "-type", "f", "-name", "link"], ["find", "d", "-type", "f", "-name", "link"], setup=FTREE),
    c("xargs-basic", sin(["xargs"], "a b\nc\n"), sin(["xargs", "echo", "x"], "1 2 3\n"), sin(["xargs", "-n", "1"], "a b c\n"), sin(["xargs", "-n2", "echo", "-"], "1 2 3 4 5\n")),
    c("xargs-I", sin(["xargs", "-I", "{}", "echo", "[{}]"], "a b\n  c\n\nd\n"), sin(["xargs", "-I%", "echo", "%-%"], "x\n")),
    c("xargs-0", sin(["xargs", "-0", "-n1", "echo"], "a b\0c\0"), sin(["xargs", "-0"], "x\0\0y\0")),
    c("xargs-r-empty", sin(["xargs", "-r", "echo", "none"], ""), sin(["xargs", "echo", "empty"], ""), sin(["xargs", "-r", "echo", "sp"], "  \n")),
    c("xargs-quotes", sin(["xargs", "-n1"], "'a b' \"c d\" e\\ f\n"), sin(["xargs"], "a\"b\n"), sin(["xargs"], "it's\n")),
    c("xargs-status", sin(["xargs", "false"], "a\n"), sin(["xargs", "nosuch"], "a\n")),
    c("xargs-files", sin(["xargs", "rm"], "a b\n"), sin(["xargs", "-t", "touch"], "c\n"), setup={"a": "1", "b": "2"}),
]

ATREE = {
    "d/f": "hello\n",
    "d/h": {"link": "d/f"},
    "d/l": {"symlink": "f"},
    "d/sub/x": {"data": "x", "mode": "600", "uid": 1, "gid": 2},
    "d/exe": {"data": "#!", "mode": "755"},
}

ARCHIVE: list[Case] = [
    c("tar-c-one-file-bytes", ["tar", "cf", "a.tar", "d/f"], setup=ATREE),
    c("tar-c-t", ["tar", "cf", "a.tar", "d"], ["tar", "tf", "a.tar"], ["tar", "tvf", "a.tar"], setup={k: v for k, v in ATREE.items() if k != "d/h"}, sort_stdout=True, nohash=["a.tar"]),
    c("tar-x", ["tar", "cf", "a.tar", "d"], ["rm", "-r", "d"], ["tar", "xf", "a.tar"], setup=ATREE, owners=True, nohash=["a.tar"]),
    c("tar-x-C-strip", ["tar", "-cf", "a.tar", "d"], ["mkdir", "out"], ["tar", "-xf", "a.tar", "-C", "out", "--strip-components=1"], setup=ATREE, owners=True, nohash=["a.tar"]),
    c("tar-x-v", ["tar", "cf", "a.tar", "d/f", "d/sub"], ["mkdir", "o"], ["tar", "xvf", "a.tar", "-C", "o"], setup=ATREE, sort_stdout=True, nohash=["a.tar"]),
    c("tar-z", ["tar", "czf", "a.tgz", "d"], ["mkdir", "o"], ["tar", "xzf", "a.tgz", "-C", "o"], ["tar", "tzf", "a.tgz"], setup=ATREE, sort_stdout=True, nohash=["a.tgz"]),
    c("tar-errors", ["tar", "xf", "nope.tar"], ["tar", "cf", "a.tar", "nope"], ["tar", "tf", "b.tar", "zz"], ["tar", "xf", "b.tar", "zz"], ["tar"], setup={"b.tar": {"hex": ""}}, nohash=["a.tar"]),
    c("tar-member-select", ["tar", "cf", "a.tar", "d"], ["mkdir", "o"], ["tar", "xf", "a.tar", "-C", "o", "d/sub"], ["tar", "xf", "a.tar", "-C", "o", "d/zz"], setup=ATREE, nohash=["a.tar"]),
    c("tar-stdout", ["tar", "cf", "a.tar", "d/f"], ["tar", "xOf", "a.tar"], setup=ATREE, nohash=["a.tar"]),
    c("tar-overwrite", ["tar", "cf", "a.tar", "d"], ["tar", "xf", "a.tar"], setup=ATREE, nohash=["a.tar"]),
    c("gzip-roundtrip", ["gzip", "f"], ["gunzip", "f.gz"], setup={"f": {"data": "hello hello hello\n", "mode": "640"}}),
    c("gzip-keep-stdout", ["gzip", "-k", "f"], ["zcat", "f.gz"], ["gzip", "-c", "f"], ["gunzip", "-c", "f.gz"], setup={"f": "data\n"}, nohash=["f.gz"], stdout_skip=[2]),
    c("gzip-errors", ["gzip", "nope"], ["gunzip", "f"], ["gunzip", "bad.gz"], ["gzip", "g"], setup={"f": "x", "bad.gz": "notgzip", "g": "1", "g.gz": "2"}),
    c("gzip-stdin", sin(["gzip", "-c"], "abc\n")),
]

MISC: list[Case] = [
    c("true-false", ["true"], ["false"], ["true", "--help"]),
    c("env", ["env", "-i", "A=1", "B=2"], ["env", "-i", "X=y", "env"], ["env", "-i", "nosuch"], ["env", "-i", "-u", "A", "A=1", "B=2"]),
    c("id-root", ["id"], ["id", "-u"], ["id", "-g"], ["id", "-un"], ["id", "-gn"], ["id", "nobody"], ["id", "-u", "daemon"], ["id", "nosuch"]),
    c("whoami", ["whoami"]),
    c("test-strings", ["test", "a", "=", "a"], ["test", "a", "!=", "a"], ["test", "-n", ""], ["test", "-z", ""], ["test", "x"], ["test", ""], ["test"], ["[", "a", "]"], ["[", "a"]),
    c("test-numbers", ["test", "1", "-eq", "1"], ["test", "2", "-lt", "10"], ["test", "a", "-eq", "1"], ["test", "-5", "-ge", "-6"], ["test", "1", "2", "3"]),
    c("test-files", ["test", "-f", "f"], ["test", "-d", "d"], ["test", "-e", "nope"], ["test", "-s", "empty"], ["test", "-x", "exe"], ["test", "-L", "l"], ["test", "-h", "f"], ["test", "-r", "f"], ["test", "-w", "f"], setup={"f": "x", "d/": None, "empty": "", "exe": {"data": "", "mode": "755"}, "l": {"symlink": "f"}}),
    c("test-logic", ["test", "-f", "f", "-a", "-d", "d"], ["test", "-f", "nope", "-o", "-d", "d"], ["test", "!", "-f", "f"], ["test", "(", "a", "=", "b", ")", "-o", "x"], ["[", "!", "-e", "nope", "]"], setup={"f": "x", "d/": None}),
    c("expr", ["expr", "1", "+", "2"], ["expr", "7", "/", "2"], ["expr", "-7", "%", "3"], ["expr", "5", "/", "0"], ["expr", "a", "+", "1"], ["expr", "3", ">", "2"], ["expr", "0"], ["expr", "2", "*", "3"]),
    c("expr-strings", ["expr", "abc", ":", "a\\(.\\)"], ["expr", "hello", ":", "hel"], ["expr", "length", "hello"], ["expr", "substr", "hello", "2", "3"], ["expr", "index", "hello", "lo"], ["expr", "a", "=", "a"], ["expr", "", "|", "b"], ["expr", "x", "&", "0"]),
    c("expr-errors", ["expr"], ["expr", "1", "+"], ["expr", "(", "1"]),
    c("checksums", ["sha256sum", "f"], ["md5sum", "f", "g"], ["sha1sum", "f"], ["sha512sum", "g"], sin(["md5sum"], ""), ["md5sum", "nope"], setup={"f": "hello\n", "g": ""}),
    c("checksum-c", sin(["sha256sum", "-c"], "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  f\n"), sin(["md5sum", "-c"], "00000000000000000000000000000000  f\n"), sin(["md5sum", "-c", "-s"], "00000000000000000000000000000000  f\n"), setup={"f": "hello\n"}),
    c("date-fixed", ["date", "-u", "-d", "@0"], ["date", "-u", "-d", "@86400", "+%Y-%m-%dT%H:%M:%S%z"], ["date", "-d", "@1577836800", "+%s %A %j"], ["date", "-u", "-d", "2021-02-03 04:05:06", "+%F %T"]),
    c("sleep", ["sleep", "0"], ["sleep", "x"], ["sleep", "0.1", "0s"], ["sleep"]),
    c("basename-printf-misc", ["printf", "%s\\n", "ok"], ["pwd"]),
]

FAMILIES["find"] = FIND
FAMILIES["archive"] = ARCHIVE
FAMILIES["misc"] = MISC
