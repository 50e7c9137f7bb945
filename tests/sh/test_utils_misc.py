"""What the golden table cannot show: flags Debian's busybox lacks (install, find -delete,
tar --exclude), deterministic names and clocks, and programs that run programs."""

from __future__ import annotations

import gzip
import io
import sys
import tarfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "utils_golden"))

from bbharness import SCRATCH, image, run, setup

from emu.fs import FS, Device, Dir, File, Kind, Lazy, Meta, Symlink
from emu.sh.api import REGISTRY

PASSWD = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n"
GROUP = "root:x:0:\napp:x:1000:\nstaff:x:50:\n"


@pytest.fixture
def fs() -> FS:
    f = image(PASSWD, GROUP)
    setup(f, SCRATCH, {"f": "hello\n", "d/a.txt": "a\n", "d/sub/b.txt": "b\n", "d/c.log": "c\n"}, 0)
    return f


def sh(
    fs: FS, *argv: str, stdin: str = "", env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    r = run(fs, list(argv), stdin, env=env)
    return r.status, r.out, r.err


def test_registry_has_every_program() -> None:
    wanted = [
        *[
            "mkdir",
            "cp",
            "mv",
            "rm",
            "ln",
            "touch",
            "chmod",
            "chown",
            "chgrp",
            "install",
            "mktemp",
            "ls",
            "stat",
            "readlink",
        ],
        *[
            "realpath",
            "du",
            "cat",
            "echo",
            "printf",
            "head",
            "tail",
            "wc",
            "tee",
            "sed",
            "grep",
            "sort",
            "uniq",
            "cut",
            "tr",
            "nl",
        ],
        *[
            "rev",
            "basename",
            "dirname",
            "yes",
            "seq",
            "find",
            "xargs",
            "tar",
            "gzip",
            "gunzip",
            "zcat",
            "env",
            "id",
            "whoami",
        ],
        *[
            "which",
            "true",
            "false",
            "sleep",
            "date",
            "uname",
            "hostname",
            "sha256sum",
            "md5sum",
            "test",
            "[",
            "expr",
        ],
        *[
            "adduser",
            "addgroup",
            "deluser",
            "delgroup",
            "useradd",
            "groupadd",
            "usermod",
            "userdel",
        ],
    ]
    assert not [n for n in wanted if REGISTRY.get(n) is None]


def test_install(fs: FS) -> None:
    assert sh(
        fs, "install", "-m", "0755", "-o", "app", "-g", "staff", "f", "/usr/local/bin/tool"
    ) == (
        1,
        "",
        "install: can't create '/usr/local/bin/tool': Path does not exist\n",
    )
    assert (
        sh(
            fs,
            "install",
            "-D",
            "-m",
            "0755",
            "-o",
            "app",
            "-g",
            "staff",
            "f",
            "/usr/local/bin/tool",
        )[0]
        == 0
    )
    tool = fs.get("/usr/local/bin/tool")
    assert isinstance(tool, File) and tool.content == b"hello\n"
    assert (tool.meta.mode, tool.meta.uid, tool.meta.gid) == (0o755, 1000, 50)
    assert sh(fs, "install", "-d", "-m", "700", "-o", "app", "a/b/c")[0] == 0
    c = fs.get(f"{SCRATCH}/a/b/c")
    assert (c.meta.mode, c.meta.uid) == (0o700, 1000)
    assert fs.get(f"{SCRATCH}/a").meta.mode == 0o755
    assert sh(fs, "install", "f", "d/a.txt", "d/sub")[0] == 0
    assert fs.get(f"{SCRATCH}/d/sub/f").meta.mode == 0o755
    assert sh(fs, "install", "-o", "nobody", "f", "g") == (1, "", "install: unknown user nobody\n")


def test_mktemp_is_deterministic(fs: FS) -> None:
    a = sh(fs, "mktemp")
    b = sh(fs, "mktemp")
    assert a == (0, "/tmp/tmp.aaaaaa\n", "") and b == (0, "/tmp/tmp.baaaaa\n", "")
    f = fs.get("/tmp/tmp.aaaaaa")
    assert isinstance(f, File) and f.meta.mode == 0o600
    assert sh(fs, "mktemp", "-d")[1] == "/tmp/tmp.caaaaa\n"
    assert fs.get("/tmp/tmp.caaaaa").meta.mode == 0o700
    assert sh(fs, "mktemp", "-d", "build.XXXX")[1] == "build.aaaa\n"
    assert sh(fs, "mktemp", "-p", "d", "x.XXX")[1] == "d/x.aaa\n"
    assert sh(fs, "mktemp", "-u")[1] == "/tmp/tmp.daaaaa\n"
    assert sh(fs, "mktemp", "bad")[0] == 1


def test_find_delete_and_exec(fs: FS) -> None:
    assert sh(fs, "find", "d", "-name", "*.txt", "-delete") == (0, "", "")
    assert fs.lookup(f"{SCRATCH}/d/a.txt") is None and fs.lookup(f"{SCRATCH}/d/c.log") is not None
    assert sh(fs, "find", "d", "-type", "d", "-empty", "-delete")[0] == 0
    assert fs.lookup(f"{SCRATCH}/d/sub") is None
    assert sh(fs, "find", ".", "-name", "c.log", "-exec", "rm", "{}", ";")[0] == 0
    assert fs.lookup(f"{SCRATCH}/d/c.log") is None
    assert sh(fs, "find", ".", "-newer", "f") == (0, "", "")  # a constant clock: nothing newer


def test_xargs_and_env_run_programs(fs: FS) -> None:
    assert sh(fs, "xargs", "-n1", "basename", stdin="/a/b /c/d\n") == (0, "b\nd\n", "")
    assert sh(fs, "env", "A=1", "printenv", "A") == (0, "1\n", "")
    assert sh(fs, "env", "-i", "PATH=/bin", "env") == (0, "PATH=/bin\n", "")
    assert sh(fs, "env", "nosuch") == (
        127,
        "",
        "env: can't execute 'nosuch': No such file or directory\n",
    )
    assert sh(fs, "xargs", "nosuch", stdin="a\n") == (
        127,
        "",
        "xargs: nosuch: No such file or directory\n",
    )
    assert sh(fs, "find", "d", "-name", "a.txt", "-exec", "cat", "{}", "+") == (0, "a\n", "")


def test_which(fs: FS) -> None:
    assert sh(fs, "which", "ls", "cat") == (0, "/bin/ls\n/bin/cat\n", "")
    assert sh(fs, "which", "nosuch", "ls") == (1, "/bin/ls\n", "")
    assert sh(fs, "which", "-a", "ls", env={"PATH": "/bin:/bin"}) == (0, "/bin/ls\n/bin/ls\n", "")


def test_clock_host_and_kernel(fs: FS) -> None:
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    assert sh(fs, "date", env=env) == (0, "Tue Nov 14 22:13:20 UTC 2023\n", "")
    assert sh(fs, "date", "+%s %Y", env=env) == (0, "1700000000 2023\n", "")
    assert sh(fs, "date", "-I", env=env)[1] == "2023-11-14\n"
    assert sh(fs, "date")[1] == "Thu Jan  1 00:00:00 UTC 1970\n"
    assert sh(fs, "touch", "new", env=env)[0] == 0
    assert fs.get(f"{SCRATCH}/new").meta.mtime == 1700000000
    assert sh(fs, "uname")[1] == "Linux\n"
    assert sh(fs, "uname", "-m")[1] == "x86_64\n"
    assert sh(fs, "uname", "-m", env={"TARGETARCH": "arm64"})[1] == "aarch64\n"
    assert sh(fs, "uname", "-a")[1] == "Linux buildkitsandbox 5.15.0 #1 SMP x86_64 GNU/Linux\n"
    assert sh(fs, "hostname")[1] == "buildkitsandbox\n"
    assert sh(fs, "sleep", "3600")[0] == 0
    assert sh(fs, "pwd")[1] == SCRATCH + "\n"


def test_tar_exclude_abs_and_compression(fs: FS) -> None:
    assert sh(fs, "tar", "czf", "a.tgz", "--exclude=*.log", "d")[0] == 0
    data = fs.get(f"{SCRATCH}/a.tgz")
    assert isinstance(data, File) and isinstance(data.content, bytes)
    raw = gzip.decompress(data.content)
    with tarfile.open(fileobj=io.BytesIO(raw)) as tf:
        names = tf.getnames()
    assert names == ["d", "d/a.txt", "d/sub", "d/sub/b.txt"]
    assert data.content[4:8] == b"\0\0\0\0"  # gzip mtime 0: reproducible
    assert sh(fs, "tar", "cf", "abs.tar", f"{SCRATCH}/f") == (
        0,
        "",
        "tar: removing leading '/' from member names\n",
    )
    # seamless decompression when extracting, and -j/-J
    assert sh(fs, "mkdir", "o")[0] == 0
    assert sh(fs, "tar", "xf", "a.tgz", "-C", "o")[0] == 0
    assert fs.lookup(f"{SCRATCH}/o/d/sub/b.txt") is not None
    assert sh(fs, "tar", "cjf", "b.tbz", "f")[0] == 0 and sh(fs, "tar", "tf", "b.tbz")[1] == "f\n"


def test_tar_bytes_match_busybox_header_layout(fs: FS) -> None:
    assert sh(fs, "tar", "cf", "one.tar", "f")[0] == 0
    t = fs.get(f"{SCRATCH}/one.tar")
    assert isinstance(t, File) and isinstance(t.content, bytes)
    h = t.content[:512]
    assert len(t.content) == 2048
    assert h[100:108] == b"0000644\0" and h[124:136] == b"00000000006\0"
    assert h[257:265] == b"ustar  \0" and h[265:269] == b"root"
    assert h[148:156].endswith(b"\0 ")


def test_gzip_gunzip_zcat(fs: FS) -> None:
    assert sh(fs, "gzip", "f") == (0, "", "")
    assert fs.lookup(f"{SCRATCH}/f") is None
    assert sh(fs, "zcat", "f.gz") == (0, "hello\n", "")
    assert sh(fs, "gunzip", "f.gz")[0] == 0
    assert sh(fs, "cat", "f")[1] == "hello\n"
    assert sh(fs, "gzip", "-c", "f")[0] == 0
    assert sh(fs, "gunzip", "f")[2] == "gunzip: f: unknown suffix - ignored\n"


def test_lazy_content_is_read_when_needed(fs: FS) -> None:
    calls = []

    def load() -> bytes:
        calls.append(1)
        return b"lazy\n"

    fs.put(f"{SCRATCH}/lz", File(Meta(0o644), Lazy(5, load)))
    assert sh(fs, "cp", "lz", "lz2")[0] == 0 and not calls  # copying shares, never reads
    assert sh(fs, "ls", "-l", "lz")[0] == 0 and not calls
    assert sh(fs, "cat", "lz2") == (0, "lazy\n", "")


def test_sed_in_place_keeps_mode_owner_and_replaces_a_symlink(fs: FS) -> None:
    # busybox renames its output over the name it was given: a symlink becomes a file
    # with the target's mode and owner, and the target keeps its old text (utils golden).
    fs.put(f"{SCRATCH}/conf", File(Meta(0o600, 1000, 50), b"a=1\n"))
    fs.put(f"{SCRATCH}/link", Symlink(Meta(0o777), "conf"))
    assert sh(fs, "sed", "-i", "s/1/2/", "link") == (0, "", "")
    conf = fs.get(f"{SCRATCH}/conf")
    assert isinstance(conf, File) and conf.content == b"a=1\n"
    link = fs.get(f"{SCRATCH}/link", follow=False)
    assert isinstance(link, File) and link.content == b"a=2\n"
    assert (link.meta.mode, link.meta.uid, link.meta.gid) == (0o600, 1000, 50)


def test_ls_names_owners_from_the_image(fs: FS) -> None:
    fs.put(f"{SCRATCH}/owned", File(Meta(0o644, 1000, 50, 0), b""))
    line = sh(fs, "ls", "-l", "owned")[1]
    # the clock is at 0 too: a file from "now" shows a time, not a year
    assert line == "-rw-r--r--    1 app      staff            0 Jan  1 00:00 owned\n"
    fs.put(f"{SCRATCH}/anon", File(Meta(0o644, 4242, 4343, 0), b""))
    assert " 4242     4343 " in sh(fs, "ls", "-l", "anon")[1]


def test_cp_into_symlinked_dir_and_dir_contents(fs: FS) -> None:
    fs.put(f"{SCRATCH}/ld", Symlink(Meta(0o777), "d"))
    assert sh(fs, "cp", "f", "ld")[0] == 0
    assert isinstance(fs.get(f"{SCRATCH}/d/f"), File)
    assert sh(fs, "mkdir", "e")[0] == 0
    assert sh(fs, "cp", "-a", "d/.", "e")[0] == 0
    assert sorted(fs.listdir(f"{SCRATCH}/e")) == ["a.txt", "c.log", "f", "sub"]
    assert isinstance(fs.get(f"{SCRATCH}/e/sub"), Dir)


def test_chmod_symbolic_without_who_honours_umask(fs: FS) -> None:
    fs.put(f"{SCRATCH}/x", File(Meta(0o600), b""))
    assert sh(fs, "chmod", "+rwx", "x")[0] == 0
    assert fs.get(f"{SCRATCH}/x").meta.mode == 0o755  # the umask 022 masks w for g/o
    assert sh(fs, "chmod", "a+w", "x")[0] == 0
    assert fs.get(f"{SCRATCH}/x").meta.mode == 0o777


def test_grep_recursive_include(fs: FS) -> None:
    status, out, _ = sh(fs, "grep", "-r", "--include=*.txt", "[ab]", "d")
    assert status == 0 and sorted(out.splitlines()) == ["d/a.txt:a", "d/sub/b.txt:b"]
    assert sh(fs, "grep", "-rl", "--exclude-dir=sub", "b", "d") == (1, "", "")


def test_busybox_getent_tac_truncate(fs: FS) -> None:
    assert sh(fs, "busybox", "echo", "hi") == (0, "hi\n", "")
    assert "cp\n" in sh(fs, "busybox", "--list")[1]
    assert "useradd" not in sh(fs, "busybox", "--list")[1]
    assert sh(fs, "busybox", "nosuch") == (127, "", "busybox: applet not found\n")
    fs.makedirs("/usr/local/bin")
    assert sh(fs, "busybox", "--install", "-s", "/usr/local/bin")[0] == 0
    link = fs.get("/usr/local/bin/ls", follow=False)
    assert isinstance(link, Symlink) and link.target == "/bin/busybox"
    assert sh(fs, "getent", "passwd", "app") == (0, "app:x:1000:1000::/home/app:/bin/sh\n", "")
    assert sh(fs, "getent", "group", "50") == (0, "staff:x:50:\n", "")
    assert sh(fs, "getent", "passwd", "nobody")[0] == 2
    assert sh(fs, "tac", stdin="a\nb\nc") == (0, "c\nb\na\n", "")
    assert sh(fs, "truncate", "-s", "3", "f")[0] == 0
    assert sh(fs, "cat", "f")[1] == "hel"
    assert sh(fs, "truncate", "-s", "+2", "f")[0] == 0
    assert fs.get(f"{SCRATCH}/f").size == 5


def test_devices_read_deterministically(fs: FS) -> None:
    fs.put("/dev/zero", Device(Meta(0o666), Kind.CHAR, 1, 5))
    fs.put("/dev/urandom", Device(Meta(0o666), Kind.CHAR, 1, 9))
    assert sh(fs, "head", "-c", "4", "/dev/zero")[1] == "\0\0\0\0"
    a = sh(fs, "head", "-c", "12", "/dev/urandom")
    b = run(fs, ["base64"], run(fs, ["head", "-c", "12", "/dev/urandom"]).stdout)
    assert a[0] == 0 and len(a[1].encode("utf-8", "surrogateescape")) == 12
    assert b.out == run(fs, ["base64"], a[1].encode("utf-8", "surrogateescape")).out
    assert sh(fs, "cat", "/dev/null") == (0, "", "")
    assert sh(fs, "cp", "/dev/null", "empty")[0] == 0
    assert fs.get(f"{SCRATCH}/empty").size == 0


def test_a_unicode_digit_is_not_a_number_to_chown_or_chgrp() -> None:
    """The character ² is a digit to Python's str.isdigit, not to busybox (bb_strtou reads
    ASCII): it is a name no group or user has (checked with busybox 1.35; found by the
    argv fuzzer, where it crashed int())."""
    fs = image()
    fs.write_file("/x", b"")
    assert sh(fs, "chgrp", "²", "/x") == (1, "", "chgrp: unknown group ²\n")
    assert sh(fs, "chown", "²", "/x") == (1, "", "chown: unknown user ²\n")
