"""Golden cases for busybox differences found by a differential check (issue 14): each
pins what busybox 1.35 does where emu did otherwise. Same format as ``cases.py``, which
imports this table once its helpers are defined."""

from __future__ import annotations

from cases import Case, c, sin

LINKS = {
    "f": "data\n",
    "l": {"symlink": "f"},
    "d/": None,
    "dl": {"symlink": "d"},
    "loop": {"symlink": "loop"},
    "dang": {"symlink": "nowhere"},
}
LOOPDIR = {"d/f": "f\n", "d/loop": {"symlink": "loop"}, "d/dang": {"symlink": "nowhere"}}

FIDELITY: list[Case] = [
    c(
        "readlink-one-operand-only",
        ["readlink", "l", "f"],
        ["readlink", "-f", "l", "d"],
        ["readlink", "l"],
        setup=LINKS,
    ),
    c(
        "ls-symlink-loop-and-dangling-operands",
        ["ls", "loop"],
        ["ls", "-d", "loop"],
        ["ls", "-1", "dang"],
        ["ls", "-F", "loop", "dang"],
        ["ls", "-L", "dang"],
        ["ls", "-H", "loop"],
        ["ls", "-d", "dl", "l"],
        setup=LINKS,
    ),
    c(
        "ls-L-directory-with-loop",
        ["ls", "d"],
        ["ls", "-L", "d"],
        ["ls", "-F", "d"],
        # one failing entry: stat errors come in readdir order, which differs by filesystem
        setup={"d/f": "f\n", "d/loop": {"symlink": "loop"}},
    ),
    c(
        "find-L-skips-loops",
        ["find", "-L", "d"],
        ["find", "-L", "d", "-type", "l"],
        ["find", "d", "-follow", "-name", "loop"],
        ["find", "d", "-name", "loop"],
        setup=LOOPDIR,
        sort_stdout=True,
    ),
    c(
        "sed-escapes-in-regex",
        ["sed", "s/\\r$//", "crlf"],
        ["sed", "s/[\\r]//", "crlf"],
        ["sed", "s/\\t/T/;s/[\\t]/U/", "tabs"],
        setup={"crlf": "a\r\nb\r\nc\n", "tabs": "a\tb\tc\n"},
    ),
    c(
        "sed-number-and-g",
        sin(["sed", "s/x/y/2g"], "xxxx\n"),
        sin(["sed", "s/x/y/3g"], "xxxx\n"),
        sin(["sed", "s/x/Y/3"], "axbxcx\n"),
        sin(["sed", "-E", "s/(b)/[\\1]/2g"], "abcabc\n"),
    ),
    c(
        "sed-i-on-symlink-replaces-the-link",
        ["sed", "-i", "s/data/new/", "l"],
        ["sed", "-i.bak", "s/old/new/", "l2"],
        setup={
            "f": "data\n",
            "l": {"symlink": "f"},
            "g": {"data": "old\n", "mode": "0600"},
            "l2": {"symlink": "g"},
        },
    ),
    c(
        "sort-global-options-reach-plain-keys",
        sin(["sort", "-r", "-n", "-t:", "-k2"], "a:10\nb:9\nc:100\nd:x\n"),
        sin(["sort", "-t:", "-k2", "-rn"], "a:10\nb:9\nc:100\n"),
        sin(["sort", "-t:", "-k2n", "-r"], "a:10\nb:9\nc:100\n"),
        sin(["sort", "-k2b", "-r"], "b 1\na 1\nc 2\n"),
        sin(["sort", "-r", "-k2"], "b 1\na 1\nc 2\n"),
    ),
    c(
        "base64-w0-and-bad-input",
        sin(["base64", "-w", "0"], "hello world"),
        sin(["base64", "-w0"], ""),
        sin(["base64", "-w", "4"], "hello world"),
        sin(["base64", "-d"], "!!!notbase64\n"),
        sin(["base64", "-d"], "aGVsbG8\n"),
        sin(["base64", "-d"], "aGVsbG8=junk\n"),
        sin(["base64", "-d"], "aGV sbG8=\n*\n"),
    ),
    c(
        "dirname-double-slash",
        ["dirname", "//x"],
        ["dirname", "//"],
        ["dirname", "///x"],
        ["dirname", "/x//"],
        ["dirname", "//x/y"],
        ["dirname", "a//b///"],
        ["dirname", ""],
    ),
    c(
        "empty-path-operands",
        ["rm", "-f", ""],
        ["rm", ""],
        ["rm", "-rf", ""],
        ["cat", ""],
        ["touch", ""],
        ["mkdir", ""],
    ),
    c("id-G-lists-the-primary-group", ["id", "-G"], ["id", "-Gn"], ["id", "-G", "root"]),
]
