"""The kernel's rules as a non-root process sees them, size-only Blob content, and limits."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "utils_golden"))

from bbharness import SCRATCH, image, run, setup

from emu.fs import FS, Blob, Dir, File, Meta
from emu.sh.api import Identity, LimitExceeded, Limits

BOB = Identity(uid=1000, gid=1000, groups=(1000,), name="bob")
PASSWD = "root:x:0:0:root:/root:/bin/sh\nbob:x:1000:1000::/home/bob:/bin/sh\n"
GROUP = "root:x:0:\nbob:x:1000:\n"


@pytest.fixture
def fs() -> FS:
    f = image(PASSWD, GROUP)
    setup(
        f,
        SCRATCH,
        {
            "secret": {"data": "s3cret\n", "mode": "600"},
            "public": "hello\n",
            "locked/": {"dir": True, "mode": "700"},
            "locked/inner": "x",
            "mine/": {"dir": True, "uid": 1000, "gid": 1000},
            "mine/f": {"data": "m", "uid": 1000, "gid": 1000},
            "shared/": {"dir": True, "mode": "1777"},
            "shared/roots": "r",
            "sgid/": {"dir": True, "mode": "2775", "uid": 1000, "gid": 50},
        },
        0,
    )
    f.set_meta(SCRATCH, Meta(0o755, 0, 0, 0))
    return f


def bob(fs: FS, *argv: str, stdin: str = "", cwd: str = SCRATCH) -> tuple[int, str, str]:
    r = run(fs, list(argv), stdin, ident=BOB, cwd=cwd)
    return r.status, r.out, r.err


def test_cannot_create_in_root_dir(fs: FS) -> None:
    assert bob(fs, "mkdir", "x") == (
        1,
        "",
        "mkdir: can't create directory 'x': Permission denied\n",
    )
    assert bob(fs, "touch", "y") == (1, "", "touch: y: Permission denied\n")
    assert bob(fs, "cp", "public", "z")[2] == "cp: can't create 'z': Permission denied\n"
    assert fs.lookup(f"{SCRATCH}/x") is None


def test_cannot_read_others_private_file(fs: FS) -> None:
    assert bob(fs, "cat", "secret") == (1, "", "cat: can't open 'secret': Permission denied\n")
    assert bob(fs, "cat", "public") == (0, "hello\n", "")
    status, _, err = bob(fs, "grep", "s", "secret")
    assert status == 2 and "Permission denied" in err
    # root bypasses read and write bits
    assert run(fs, ["cat", "secret"]).out == "s3cret\n"


def test_search_permission_on_directories(fs: FS) -> None:
    assert bob(fs, "cat", "locked/inner")[2] == (
        "cat: can't open 'locked/inner': Permission denied\n"
    )
    status, _, err = bob(fs, "ls", "locked")
    assert status == 1 and "Permission denied" in err


def test_remove_needs_write_on_parent(fs: FS) -> None:
    assert bob(fs, "rm", "public") == (1, "", "rm: can't remove 'public': Permission denied\n")
    # the contents go (bob owns mine/), the directory stays (its parent is root's)
    assert bob(fs, "rm", "-r", "mine") == (1, "", "rm: can't remove 'mine': Permission denied\n")
    assert fs.get(f"{SCRATCH}/mine").entries == {}


def test_sticky_directory(fs: FS) -> None:
    assert bob(fs, "rm", "shared/roots")[2] == (
        "rm: can't remove 'shared/roots': Operation not permitted\n"
    )
    assert bob(fs, "touch", "shared/bobs")[0] == 0
    assert bob(fs, "rm", "shared/bobs")[0] == 0


def test_new_files_belong_to_the_ident_with_umask(fs: FS) -> None:
    assert bob(fs, "mkdir", "mine/d")[0] == 0
    assert bob(fs, "touch", "mine/t")[0] == 0
    d = fs.get(f"{SCRATCH}/mine/d")
    t = fs.get(f"{SCRATCH}/mine/t")
    assert (d.meta.mode, d.meta.uid, d.meta.gid) == (0o755, 1000, 1000)
    assert (t.meta.mode, t.meta.uid, t.meta.gid) == (0o644, 1000, 1000)


def test_setgid_directory_passes_its_group_on(fs: FS) -> None:
    assert bob(fs, "mkdir", "sgid/sub")[0] == 0
    assert bob(fs, "touch", "sgid/f")[0] == 0
    sub = fs.get(f"{SCRATCH}/sgid/sub")
    f = fs.get(f"{SCRATCH}/sgid/f")
    assert (sub.meta.gid, sub.meta.mode) == (50, 0o2755)
    assert f.meta.gid == 50


def test_chmod_chown_need_ownership(fs: FS) -> None:
    assert bob(fs, "chmod", "777", "public") == (
        1,
        "",
        "chmod: public: Operation not permitted\n",
    )
    assert bob(fs, "chmod", "600", "mine/f")[0] == 0
    assert fs.get(f"{SCRATCH}/mine/f").meta.mode == 0o600
    assert bob(fs, "chown", "root", "mine/f") == (
        1,
        "",
        "chown: mine/f: Operation not permitted\n",
    )


def test_cp_p_as_non_root_keeps_own_ownership(fs: FS) -> None:
    fs.put(f"{SCRATCH}/mine/suid", File(Meta(0o4755, 0, 0, 5), b"#!"))
    assert bob(fs, "cp", "-p", "mine/suid", "mine/copy")[0] == 0
    c = fs.get(f"{SCRATCH}/mine/copy")
    assert (c.meta.uid, c.meta.gid, c.meta.mode, c.meta.mtime) == (1000, 1000, 0o755, 5)


def test_root_needs_an_x_bit_to_execute(fs: FS) -> None:
    assert run(fs, ["test", "-x", "public"]).status == 1
    assert run(fs, ["test", "-r", "secret"]).status == 0
    assert bob(fs, "test", "-r", "secret")[0] == 1
    assert bob(fs, "test", "-w", "mine/f")[0] == 0


def test_tar_extract_as_non_root_owns_the_files(fs: FS) -> None:
    fs.put(f"{SCRATCH}/mine/src", File(Meta(0o644, 0, 0, 0), b"data"))
    assert run(fs, ["tar", "cf", "mine/a.tar", "-C", "mine", "src"]).status == 0
    assert run(fs, ["chown", "bob", "mine/a.tar"]).status == 0
    assert bob(fs, "mkdir", "mine/out")[0] == 0
    assert bob(fs, "tar", "xf", "mine/a.tar", "-C", "mine/out")[0] == 0
    out = fs.get(f"{SCRATCH}/mine/out/src")
    assert (out.meta.uid, out.meta.gid) == (1000, 1000)


def test_account_tools_need_root(fs: FS) -> None:
    assert bob(fs, "adduser", "-D", "eve") == (
        1,
        "",
        "adduser: permission denied (are you root?)\n",
    )
    assert bob(fs, "useradd", "eve")[0] == 1


# --- Blob content -------------------------------------------------------------------------

JDK = Blob(180_000_000, "openjdk")


@pytest.fixture
def blobfs() -> FS:
    f = image()
    setup(f, SCRATCH, {}, 0)
    f.put(f"{SCRATCH}/java", File(Meta(0o755), JDK))
    return f


def test_cat_of_a_blob_says_so(blobfs: FS) -> None:
    r = run(blobfs, ["cat", "java"])
    assert r.status == 1
    assert r.err == "cat: java: content not modelled: size-only file of 180000000 bytes (openjdk)\n"
    for argv in (["sha256sum", "java"], ["grep", "x", "java"], ["head", "java"], ["wc", "java"]):
        r = run(blobfs, argv)
        assert r.status != 0 and "content not modelled" in r.err, argv
    r = run(blobfs, ["sed", "-i", "s/a/b/", "java"])
    assert r.status != 0 and "content not modelled" in r.err


def test_blobs_copy_move_and_list_without_bytes(blobfs: FS) -> None:
    assert run(blobfs, ["cp", "java", "java2"]).status == 0
    assert run(blobfs, ["cp", "-r", ".", "/tmp/all"]).status == 0
    assert run(blobfs, ["mv", "java2", "java3"]).status == 0
    for p in (f"{SCRATCH}/java3", "/tmp/all/java"):
        node = blobfs.get(p)
        assert isinstance(node, File) and node.content is JDK
    assert blobfs.get(f"{SCRATCH}/java3") is not blobfs.get(f"{SCRATCH}/java")
    r = run(blobfs, ["ls", "-l", "java"])
    assert " 180000000 " in r.out
    assert run(blobfs, ["du", "-sh", "java"]).out == "171.7M\tjava\n"
    assert run(blobfs, ["stat", "-c", "%s", "java"]).out == "180000000\n"
    assert run(blobfs, ["test", "-s", "java"]).status == 0
    # an archive of a size-only file is itself size-only: headers plus the file's size
    r = run(blobfs, ["tar", "cf", "a.tar", "java"])
    assert r.status == 0, r.err
    archive = blobfs.get(f"{SCRATCH}/a.tar")
    assert isinstance(archive, File) and not isinstance(archive.content, bytes)
    assert (
        run(blobfs, ["stat", "-c", "%s", "a.tar"]).out == f"{180000256 + 512 + 1024}\n"
    )  # padded to 512
    # a stream cannot carry one
    r = run(blobfs, ["tar", "cf", "-", "java"])
    assert r.status == 1 and "content not modelled" in r.err


# --- limits -------------------------------------------------------------------------------


def test_files_limit_stops_a_big_copy() -> None:
    fs = FS()
    fs.makedirs("/src")
    for i in range(50):
        fs.write_file(f"/src/f{i}", b"x")
    with pytest.raises(LimitExceeded):
        run(fs, ["cp", "-r", "/src", "/dst"], cwd="/", limits=Limits(max_files=10))


def test_bytes_limit_stops_a_big_write() -> None:
    fs = FS()
    fs.write_file("/big", b"x" * 1000)
    with pytest.raises(LimitExceeded):
        run(fs, ["cp", "/big", "/copy"], cwd="/", limits=Limits(max_bytes=500))


def test_output_and_step_limits() -> None:
    fs = image()
    with pytest.raises(LimitExceeded):
        run(fs, ["yes"], cwd="/", limits=Limits(max_output=1000))
    with pytest.raises(LimitExceeded):
        run(fs, ["seq", "1000000"], cwd="/", limits=Limits(max_steps=1000))


def test_yes_is_bounded_by_the_sandbox_stream_limit() -> None:
    # yes writes what an endless source gives: one byte more than the output may carry,
    # so alone it trips the output limit instead of stopping short silently (a reader in
    # a pipe takes what it needs: golden case 129).
    with pytest.raises(LimitExceeded, match="max_output") as info:
        run(image(), ["yes", "ok"], cwd="/", limits=Limits(max_output=1 << 20))
    assert info.value.limit == "max_output" and info.value.value == 1 << 20


# --- speed --------------------------------------------------------------------------------


def _tree(n: int) -> FS:
    fs = FS()
    root = fs.mkdir("/src", Meta(0o755))
    for d in range(n // 100):
        sub = Dir(Meta(0o755), owner=fs._owner)
        root.entries[f"d{d}"] = sub
        for i in range(100):
            sub.entries[f"f{i}"] = File(Meta(0o644), b"content %d" % i)
    return fs


def test_cp_r_of_ten_thousand_files_is_fast() -> None:
    fs = _tree(10_000)
    t = time.perf_counter()
    r = run(fs, ["cp", "-a", "/src", "/dst"], cwd="/")
    took = time.perf_counter() - t
    assert r.status == 0, r.err
    assert took < 1.0, took
    a, b = fs.get("/src/d5/f7"), fs.get("/dst/d5/f7")
    assert isinstance(a, File) and isinstance(b, File)
    assert a is not b and a.content is b.content  # new inode, shared bytes
    t = time.perf_counter()
    assert run(fs, ["rm", "-rf", "/dst"], cwd="/").status == 0
    assert run(fs, ["find", "/src", "-name", "f99"], cwd="/").out.count("\n") == 100
    assert time.perf_counter() - t < 1.0
