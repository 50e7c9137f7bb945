"""emu.outputs: rootfs tar, type=local, docker and OCI archives, the image config.

No Docker needed: archives are checked by reading them back with Python's tarfile and with
emu.images.load. (A one-off check against a real Docker 20.10 is recorded in outputs.py.)
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import tarfile
from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emu.errors import BuildError, EmuError
from emu.fs import FS, Blob, Device, Dir, File, FsError, Kind, Lazy, Meta, Snapshot, Symlink
from emu.images.image import HealthConfig, HistoryEntry, Image, ImageConfig, Layer
from emu.images.load import load_archive
from emu.outputs import (
    MEDIA_CONFIG,
    MEDIA_INDEX,
    MEDIA_LAYER,
    MEDIA_MANIFEST,
    KnownLayer,
    OutputError,
    config_json,
    format_time,
    image_created,
    image_layers,
    layer_digests,
    normalize_ref,
    with_layer_times,
    write_docker_archive,
    write_layer_tar,
    write_local,
    write_oci_archive,
    write_rootfs_tar,
)
from emu.teach.listing import listing

T = 1_700_000_000


def all_kinds() -> FS:
    """A tree with every node kind: hard links, setuid/setgid/sticky, a blob, devices."""
    fs = FS()
    fs.makedirs("/bin", Meta(0o755, mtime=T))
    fs.write_file("/bin/tool", b"#!/bin/sh\necho tool\n", Meta(0o755, mtime=T + 1))
    fs.write_file("/bin/su", b"setuid", Meta(0o4755, 0, 0, T))
    fs.write_file("/bin/sg", b"setgid", Meta(0o2711, 0, 50, T))
    fs.link("/bin/tool", "/bin/tool-hl")
    fs.link("/bin/tool", "/a-first-link")  # sorts before /bin/tool: becomes the file entry
    fs.makedirs("/tmp", Meta(0o1777, mtime=T))
    fs.makedirs("/etc", Meta(0o755, mtime=T))
    fs.write_file("/etc/passwd", b"root:x:0:0::/root:/bin/sh\n", Meta(0o644, mtime=T))
    fs.symlink("/etc/abs", "/etc/passwd", Meta(0o777, mtime=T))
    fs.symlink("/etc/rel", "../bin/tool", Meta(0o777, mtime=T))
    fs.symlink("/etc/dangling", "/nowhere", Meta(0o777, mtime=T))
    fs.makedirs("/dev", Meta(0o755, mtime=T))
    fs.put("/dev/null", Device(Meta(0o666, mtime=T), Kind.CHAR, 1, 3))
    fs.put("/dev/sda", Device(Meta(0o660, 0, 6, T), Kind.BLOCK, 8, 0))
    fs.put("/dev/fifo", Device(Meta(0o600, mtime=T), Kind.FIFO))
    fs.write_file("/blob.bin", Blob(3 * 1024 * 1024 + 5, "model"), Meta(0o644, mtime=T))  # type: ignore[arg-type]
    fs.makedirs("/home/user", Meta(0o750, 1000, 1000, T))
    fs.write_file("/home/user/.profile", b"export A=1\n", Meta(0o600, 1000, 1000, T))
    fs.write_file("/" + "n" * 150, b"long name\n", Meta(0o644, mtime=T))
    fs.write_file("/ünïcode", b"u\n", Meta(0o644, mtime=T))
    fs.write_file("/big-ids", b"", Meta(0o644, 3_000_000, 4_000_000, T))
    fs.makedirs("/empty", Meta(0o700, mtime=T))
    return fs


def tar_bytes(root: Dir | Snapshot, **kw: Any) -> bytes:
    buf = io.BytesIO()
    write_rootfs_tar(root, buf, **kw)
    return buf.getvalue()


def flatten_listing(data: bytes) -> str:
    """The oracle's ``flatten.py --list-tar`` rows, re-done on a tar read with tarfile."""
    kinds = {
        tarfile.REGTYPE: "file",
        tarfile.DIRTYPE: "dir",
        tarfile.SYMTYPE: "symlink",
        tarfile.LNKTYPE: "hardlink",
        tarfile.CHRTYPE: "char",
        tarfile.BLKTYPE: "block",
        tarfile.FIFOTYPE: "fifo",
    }
    rows = []
    content: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        members = tf.getmembers()
        for m in members:
            if m.isreg():
                f = tf.extractfile(m)
                assert f is not None
                content[m.name] = f.read()
    for m in sorted(members, key=lambda m: m.name.split("/")):
        kind = kinds[m.type]
        size = sha = link = "-"
        if m.issym():
            link = m.linkname
        elif m.islnk():
            link = "/" + m.linkname
        elif m.ischr() or m.isblk():
            link = f"{m.devmajor},{m.devminor}"
        if m.isreg() or m.islnk():
            data_ = content[m.name if m.isreg() else m.linkname]
            size, sha = str(len(data_)), hashlib.sha256(data_).hexdigest()
        mode = f"{m.mode & 0o7777:04o}"
        rows.append("\t".join(["/" + m.name, kind, mode, str(m.uid), str(m.gid), size, link, sha]))
    return "".join(r + "\n" for r in rows)


# --- type=tar -------------------------------------------------------------------------------


def test_rootfs_tar_round_trip_every_kind() -> None:
    fs = all_kinds()
    data = tar_bytes(fs.snapshot())
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        members = {m.name: m for m in tf.getmembers()}
        names = [m.name for m in tf.getmembers()]
        assert names == sorted(names, key=lambda n: n.split("/"))  # path order
        assert "" not in members and "." not in members  # root omitted, as BuildKit
        for m in members.values():
            assert m.uname == "" and m.gname == ""
        su = members["bin/su"]
        assert su.isreg() and su.mode == 0o4755 and su.mtime == T
        assert members["bin/sg"].mode == 0o2711 and members["bin/sg"].gid == 50
        assert members["tmp"].isdir() and members["tmp"].mode == 0o1777
        # hard links point at the first path (in path order) of the same File object
        first = members["a-first-link"]
        assert first.isreg() and first.size == len(b"#!/bin/sh\necho tool\n")
        for other in ("bin/tool", "bin/tool-hl"):
            assert members[other].islnk() and members[other].linkname == "a-first-link"
        assert members["etc/abs"].issym() and members["etc/abs"].linkname == "/etc/passwd"
        assert members["etc/rel"].linkname == "../bin/tool"
        null = members["dev/null"]
        assert null.ischr() and (null.devmajor, null.devminor) == (1, 3)
        assert members["dev/sda"].isblk() and members["dev/sda"].devmajor == 8
        assert members["dev/fifo"].isfifo()
        blob = members["blob.bin"]
        f = tf.extractfile(blob)
        assert f is not None
        assert blob.size == 3 * 1024 * 1024 + 5 and f.read() == bytes(blob.size)
        assert members["n" * 150].size == len(b"long name\n")
        assert "ünïcode" in members
        big = members["big-ids"]
        assert (big.uid, big.gid) == (3_000_000, 4_000_000)
        assert members["home/user/.profile"].uid == 1000
        assert members["empty"].isdir() and members["empty"].mode == 0o700


def test_rootfs_tar_listing_matches_the_oracle_format() -> None:
    root = all_kinds().snapshot().root
    assert flatten_listing(tar_bytes(root)) == listing(root)


def test_tar_format_is_pax_ustar_with_go_style_ending() -> None:
    fs = FS()
    fs.write_file("/a", b"x", Meta(0o644, mtime=5))
    fs.write_file("/" + "l" * 120, b"y", Meta(0o644, mtime=5))
    data = tar_bytes(fs.snapshot())
    assert len(data) % 512 == 0
    assert data[257:265] == b"ustar\x0000"  # POSIX ustar magic and version
    assert data[265:297] == bytes(32)  # empty uname
    assert data.endswith(bytes(1024))
    # a: header + data; the long name: PAX header + records + header + data; two zero blocks
    assert len(data) == 2 * 512 + 4 * 512 + 1024  # no padding to a 10 KiB record
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        long_member = tf.getmembers()[1]
        assert long_member.name == "l" * 120
        assert tf.format == tarfile.PAX_FORMAT or long_member.pax_headers.get("path")


def test_rootfs_tar_is_deterministic_and_independent_of_object_identity() -> None:
    a = tar_bytes(all_kinds().snapshot())
    b = tar_bytes(all_kinds().snapshot())
    assert a == b
    assert tar_bytes(all_kinds().snapshot(), source_date_epoch=T) == tar_bytes(
        all_kinds().snapshot(), source_date_epoch=T
    )


def test_source_date_epoch_clamps_newer_mtimes_only() -> None:
    fs = FS()
    fs.write_file("/old", b"", Meta(0o644, mtime=100))
    fs.write_file("/new", b"", Meta(0o644, mtime=T + 500))
    data = tar_bytes(fs.snapshot(), source_date_epoch=1000)
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        got = {m.name: m.mtime for m in tf.getmembers()}
    assert got == {"old": 100, "new": 1000}


def test_blob_content_is_streamed_in_chunks() -> None:
    class Sink:
        def __init__(self) -> None:
            self.total = 0
            self.biggest = 0

        def write(self, data: bytes) -> None:
            self.total += len(data)
            self.biggest = max(self.biggest, len(data))

        def flush(self) -> None:
            pass

    fs = FS()
    size = 256 * 1024 * 1024 + 3
    fs.write_file("/huge", Blob(size), Meta(0o644))  # type: ignore[arg-type]
    sink = Sink()
    write_rootfs_tar(fs.snapshot(), sink)  # type: ignore[arg-type]
    assert sink.total == 512 + size + (-size % 512) + 1024
    assert sink.biggest <= 1024 * 1024


def test_lazy_content_is_read_when_written() -> None:
    fs = FS()
    fs.put("/lazy", File(Meta(0o644), Lazy(5, lambda: b"hello")))
    with tarfile.open(fileobj=io.BytesIO(tar_bytes(fs.snapshot()))) as tf:
        f = tf.extractfile("lazy")
        assert f is not None and f.read() == b"hello"


def test_write_to_a_path_is_atomic(tmp_path: Path) -> None:
    dest = tmp_path / "out" / "rootfs.tar"
    write_rootfs_tar(all_kinds().snapshot(), dest)
    assert dest.read_bytes() == tar_bytes(all_kinds().snapshot())
    assert stat.S_IMODE(dest.stat().st_mode) == 0o644

    def boom() -> bytes:
        raise OSError(5, "Input/output error")

    fs = FS()
    fs.put("/bad", File(Meta(0o644), Lazy(3, boom)))
    before = dest.read_bytes()
    with pytest.raises(OutputError, match="Input/output error"):
        write_rootfs_tar(fs.snapshot(), dest)
    assert dest.read_bytes() == before  # the old file is intact
    assert sorted(p.name for p in dest.parent.iterdir()) == ["rootfs.tar"]  # no temp left


def test_unwritable_destination_is_a_build_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(BuildError, match="cannot write"):
        write_rootfs_tar(FS().snapshot(), tmp_path / "file" / "sub" / "out.tar")
    with pytest.raises(OutputError, match="is a directory"):
        write_rootfs_tar(FS().snapshot(), tmp_path)

    class Broken(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, b: Any) -> int:
            raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="No space left"):
        write_rootfs_tar(all_kinds().snapshot(), Broken())  # type: ignore[arg-type]


# --- layers ---------------------------------------------------------------------------------


def layer_members(before: Dir | None, after: Dir, **kw: Any) -> list[tarfile.TarInfo]:
    buf = io.BytesIO()
    write_layer_tar(before, after, buf, **kw)
    with tarfile.open(fileobj=io.BytesIO(buf.getvalue())) as tf:
        return tf.getmembers()


def test_layer_whiteouts_and_opaque_directory() -> None:
    fs = FS()
    fs.makedirs("/data/old", Meta(0o755, mtime=T))
    fs.write_file("/data/old/a", b"a")
    fs.write_file("/data/old/b", b"b")
    fs.makedirs("/data/part")
    fs.write_file("/data/part/x", b"x")
    fs.write_file("/data/part/y", b"y")
    fs.write_file("/data/gone", b"bye")
    fs.makedirs("/tree/deep/er")
    base = fs.snapshot().root
    fs.remove("/data/gone")
    fs.remove("/data/old", recursive=True)  # the whole directory is replaced
    fs.mkdir("/data/old", Meta(0o700, mtime=T + 1))
    fs.write_file("/data/old/new", b"new")
    fs.remove("/data/part/x")  # one entry of a surviving directory
    fs.remove("/tree", recursive=True)
    top = fs.snapshot().root
    names = [m.name for m in layer_members(base, top)]
    assert names == [
        "data",  # parent of changes, included as containerd does
        "data/.wh.gone",
        "data/old",
        "data/old/.wh..wh..opq",
        "data/old/new",
        "data/part",
        "data/part/.wh.x",
        ".wh.tree",  # one whiteout for a deleted subtree, where "tree" sorts
    ]
    members = {m.name: m for m in layer_members(base, top)}
    assert members["data/old"].mode == 0o700
    assert members["data/.wh.gone"].size == 0 and members["data/.wh.gone"].mode == 0


def test_layer_keeps_hard_links_whole() -> None:
    fs = FS()
    fs.makedirs("/bin")
    fs.write_file("/bin/tool", b"tool", Meta(0o755))
    base = fs.snapshot().root
    fs.link("/bin/tool", "/bin/tool2")  # a new name for a file of the lower layer
    top = fs.snapshot().root
    members = {m.name: m for m in layer_members(base, top)}
    assert members["bin/tool"].isreg() and members["bin/tool"].size == 4
    assert members["bin/tool2"].islnk() and members["bin/tool2"].linkname == "bin/tool"


def test_layer_from_nothing_is_the_whole_tree() -> None:
    root = all_kinds().snapshot().root
    buf = io.BytesIO()
    write_layer_tar(None, root, buf)
    assert buf.getvalue() == tar_bytes(root)


def test_unchanged_layer_is_an_empty_tar() -> None:
    root = all_kinds().snapshot().root
    assert layer_members(root, root) == []


# --- the image config -----------------------------------------------------------------------


def full_config() -> ImageConfig:
    return ImageConfig(
        env=("PATH=/usr/bin:/bin", "A=1"),
        cmd=("sh", "-c", "echo hi"),
        entrypoint=("/bin/tool",),
        working_dir="/data",
        user="1000:1000",
        exposed_ports=("53/udp", "80/tcp"),
        labels=(("z", "last"), ("a", "<&>")),
        volumes=("/data",),
        stop_signal="SIGTERM",
        shell=("/bin/sh", "-c"),
        on_build=("RUN echo hi",),
        healthcheck=HealthConfig(("CMD-SHELL", "true"), interval=5_000_000_000, retries=2),
    )


def two_layer_image(config: ImageConfig | None = None) -> Image:
    fs = FS()
    fs.makedirs("/data/old", Meta(0o750, 7, 8, T))
    fs.write_file("/data/old/a", b"a\n", Meta(0o640, 7, 8, T))
    fs.write_file("/data/gone", b"bye\n", Meta(0o644, mtime=T))
    fs.makedirs("/bin", Meta(0o755, mtime=T))
    fs.write_file("/bin/su", b"setuid", Meta(0o4755, mtime=T))
    fs.write_file("/keep", b"keep\n", Meta(0o644, 1000, 1000, T))
    fs.link("/keep", "/keep.hl")
    fs.symlink("/etc-link", "/etc", Meta(0o777, mtime=T))
    fs.write_file("/blob", Blob(70_000), Meta(0o644, mtime=T))  # type: ignore[arg-type]
    s1 = fs.snapshot()
    fs.remove("/data/gone")
    fs.remove("/data/old", recursive=True)
    fs.mkdir("/data/old", Meta(0o755, mtime=T + 100))
    fs.write_file("/data/old/new", b"new\n", Meta(0o644, mtime=T + 100))
    s2 = fs.snapshot()
    history = (
        HistoryEntry("RUN one", comment="buildkit.dockerfile.v0", created=T),
        HistoryEntry("RUN two", comment="buildkit.dockerfile.v0", created=T + 100),
        HistoryEntry(
            "ENV A=1", empty_layer=True, comment="buildkit.dockerfile.v0", created=T + 100
        ),
    )
    layers = (Layer(None, s1.root, "RUN one"), Layer(s1.root, s2.root, "RUN two"))
    return Image(s2, config or full_config(), layers, history)


def test_config_json_uses_docker_names_and_buildkit_order() -> None:
    cfg = config_json(two_layer_image())
    assert list(cfg) == ["architecture", "config", "created", "history", "os", "rootfs"]
    assert list(cfg["config"]) == [
        "User",
        "ExposedPorts",
        "Env",
        "Entrypoint",
        "Cmd",
        "Volumes",
        "WorkingDir",
        "Labels",
        "StopSignal",
        "Healthcheck",
        "OnBuild",
        "Shell",
    ]
    c = cfg["config"]
    assert c["ExposedPorts"] == {"53/udp": {}, "80/tcp": {}}
    assert c["Volumes"] == {"/data": {}}
    assert c["Labels"] == {"a": "<&>", "z": "last"}
    assert c["Healthcheck"] == {
        "Test": ["CMD-SHELL", "true"],
        "Interval": 5_000_000_000,
        "Retries": 2,
    }
    assert cfg["created"] == format_time(T + 100) == "2023-11-14T22:15:00Z"
    assert cfg["history"][2] == {
        "created": "2023-11-14T22:15:00Z",
        "created_by": "ENV A=1",
        "comment": "buildkit.dockerfile.v0",
        "empty_layer": True,
    }
    assert cfg["rootfs"]["type"] == "layers" and len(cfg["rootfs"]["diff_ids"]) == 2
    assert cfg["architecture"] == "amd64" and cfg["os"] == "linux"


def test_config_json_omits_unset_fields() -> None:
    cfg = config_json(Image(FS().snapshot()))
    assert cfg == {
        "architecture": "amd64",
        "config": {},
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": []},
    }
    img = Image(
        FS().snapshot(), ImageConfig(cmd=(), variant="v8", architecture="arm64"), author="me"
    )
    cfg = config_json(img)
    assert cfg["config"] == {} and cfg["variant"] == "v8" and cfg["author"] == "me"


def test_config_json_source_date_epoch() -> None:
    cfg = config_json(two_layer_image(), source_date_epoch=T + 50)
    assert cfg["created"] == format_time(T + 50)
    assert [h["created"] for h in cfg["history"]] == [format_time(T), *[format_time(T + 50)] * 2]


def test_history_is_aligned_with_layers() -> None:
    fs = FS()
    fs.write_file("/base", b"base")
    base = fs.snapshot().root
    fs.write_file("/mine", b"mine")
    top = fs.snapshot().root
    # A catalogued base (no layers of its own, three history layers) under one built layer.
    hist = (
        HistoryEntry("base 1"),
        HistoryEntry("base 2"),
        HistoryEntry("base 3"),
        HistoryEntry("RUN mine"),
    )
    img = Image(Snapshot(top), layers=(Layer(base, top, "RUN mine"),), history=hist)
    assert [b is None for b, _, _ in image_layers(img)] == [True, False]
    h = config_json(img)["history"]
    assert [x.get("empty_layer", False) for x in h] == [True, True, False, False]
    # No history at all: made up at the bottom, with BuildKit's comment.
    img = Image(Snapshot(top), layers=(Layer(base, top, "RUN mine"),))
    h = config_json(img)["history"]
    assert h == [
        {"comment": "buildkit.exporter.image.v0"},
        {"created_by": "RUN mine", "comment": "buildkit.exporter.image.v0"},
    ]


def test_image_without_layers_is_one_layer_of_its_rootfs() -> None:
    root = all_kinds().snapshot()
    assert [(b, a) for b, a, _ in image_layers(Image(root))] == [(None, root.root)]
    assert image_layers(Image(FS().snapshot())) == []


@pytest.mark.parametrize(
    ("ref", "full", "familiar"),
    [
        ("foo", "docker.io/library/foo:latest", "foo:latest"),
        ("foo:1.2", "docker.io/library/foo:1.2", "foo:1.2"),
        ("me/foo", "docker.io/me/foo:latest", "me/foo:latest"),
        ("docker.io/library/foo:x", "docker.io/library/foo:x", "foo:x"),
        ("localhost:5000/a/b:c", "localhost:5000/a/b:c", "localhost:5000/a/b:c"),
        ("ghcr.io/o/r", "ghcr.io/o/r:latest", "ghcr.io/o/r:latest"),
    ],
)
def test_normalize_ref(ref: str, full: str, familiar: str) -> None:
    assert normalize_ref(ref) == (full, familiar)


@pytest.mark.parametrize("ref", ["Foo", "foo@sha256:" + "0" * 64, "foo:", "a//b", "foo:-x"])
def test_normalize_ref_rejects(ref: str) -> None:
    with pytest.raises(OutputError, match="invalid image name"):
        normalize_ref(ref)


# --- docker and OCI archives ----------------------------------------------------------------


def read_tar(data: bytes) -> dict[str, bytes | None]:
    out: dict[str, bytes | None] = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        for m in tf.getmembers():
            f = tf.extractfile(m) if m.isreg() else None
            out[m.name] = f.read() if f is not None else None
    return out


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_docker_archive_layout() -> None:
    buf = io.BytesIO()
    write_docker_archive(two_layer_image(), buf, tags=["emu-test", "me/x:1"])
    members = read_tar(buf.getvalue())
    names = list(members)
    assert names == sorted(names, key=lambda n: n.split("/"))
    manifest = json.loads(members["manifest.json"] or b"")
    assert len(manifest) == 1
    m = manifest[0]
    assert m["RepoTags"] == ["emu-test:latest", "me/x:1"]
    config_raw = members[m["Config"]]
    assert config_raw is not None and m["Config"] == sha(config_raw)[7:] + ".json"
    config = json.loads(config_raw)
    diff_ids = [sha(members[p] or b"") for p in m["Layers"]]
    assert config["rootfs"]["diff_ids"] == diff_ids
    assert sum(1 for h in config["history"] if not h.get("empty_layer")) == len(m["Layers"])
    # layer directories are chain IDs: the first is the first diff_id
    assert m["Layers"][0] == diff_ids[0][7:] + "/layer.tar"
    for layer in m["Layers"]:
        d = layer.rpartition("/")[0]
        assert members[d + "/VERSION"] == b"1.0"
        assert json.loads(members[d + "/json"] or b"")["id"] == d
    repos = json.loads(members["repositories"] or b"")
    top = m["Layers"][-1].rpartition("/")[0]
    assert repos == {"emu-test": {"latest": top}, "me/x": {"1": top}}
    # the second layer has the whiteout and the opaque directory
    with tarfile.open(fileobj=io.BytesIO(members[m["Layers"][1]] or b"")) as tf:
        names2 = tf.getnames()
    assert "data/.wh.gone" in names2 and "data/old/.wh..wh..opq" in names2


def test_docker_archive_is_deterministic_and_clamped() -> None:
    def write(**kw: Any) -> bytes:
        buf = io.BytesIO()
        write_docker_archive(two_layer_image(), buf, tags=["emu-test"], **kw)
        return buf.getvalue()

    assert write() == write()
    assert write(source_date_epoch=T) == write(source_date_epoch=T)
    assert write(source_date_epoch=T) != write()
    members = read_tar(write(source_date_epoch=T))
    manifest = json.loads(members["manifest.json"] or b"")[0]
    with tarfile.open(fileobj=io.BytesIO(members[manifest["Layers"][1]] or b"")) as tf:
        assert {m.mtime for m in tf.getmembers()} == {T}


def test_docker_archive_round_trips_through_load() -> None:
    img = two_layer_image()
    buf = io.BytesIO()
    write_docker_archive(img, buf, tags=["emu-test:1"])
    [(tags, loaded)] = load_archive(io.BytesIO(buf.getvalue()))
    assert tags == ["emu-test:1"]
    assert listing(loaded.rootfs.root) == listing(img.rootfs.root)
    assert [listing(x.after) for x in loaded.layers] == [listing(x.after) for x in img.layers]
    # labels come back in the config's (sorted) order
    assert loaded.config == replace(img.config, labels=tuple(sorted(img.config.labels)))
    assert loaded.history == img.history
    assert config_json(loaded) == config_json(img)
    # and writing the loaded image again gives the same bytes
    again = io.BytesIO()
    write_docker_archive(loaded, again, tags=["emu-test:1"])
    assert again.getvalue() == buf.getvalue()


def test_oci_archive_layout_and_round_trip() -> None:
    img = two_layer_image()
    buf = io.BytesIO()
    write_oci_archive(img, buf, tags=["emu-test:oci", "other"])
    members = read_tar(buf.getvalue())
    assert "manifest.json" not in members  # BuildKit's type=oci has none
    assert json.loads(members["oci-layout"] or b"") == {"imageLayoutVersion": "1.0.0"}
    index = json.loads(members["index.json"] or b"")
    assert index["mediaType"] == MEDIA_INDEX and index["schemaVersion"] == 2
    anns = [d["annotations"] for d in index["manifests"]]
    assert anns == [
        {
            "io.containerd.image.name": "docker.io/library/emu-test:oci",
            "org.opencontainers.image.ref.name": "oci",
        },
        {
            "io.containerd.image.name": "docker.io/library/other:latest",
            "org.opencontainers.image.ref.name": "latest",
        },
    ]
    desc = index["manifests"][0]
    assert desc["mediaType"] == MEDIA_MANIFEST
    assert desc["platform"] == {"architecture": "amd64", "os": "linux"}
    for name, data in members.items():  # every blob is named by its digest
        if name.startswith("blobs/sha256/") and data is not None:
            assert sha(data) == "sha256:" + name.rpartition("/")[2]
    manifest = json.loads(members["blobs/sha256/" + desc["digest"][7:]] or b"")
    assert manifest["config"]["mediaType"] == MEDIA_CONFIG
    assert [x["mediaType"] for x in manifest["layers"]] == [MEDIA_LAYER] * 2
    cfg = json.loads(members["blobs/sha256/" + manifest["config"]["digest"][7:]] or b"")
    assert cfg["rootfs"]["diff_ids"] == [x["digest"] for x in manifest["layers"]]
    [(tags, loaded)] = load_archive(io.BytesIO(buf.getvalue()))
    assert tags == ["emu-test:oci", "other:latest"]
    assert listing(loaded.rootfs.root) == listing(img.rootfs.root)
    assert config_json(loaded) == config_json(img)
    again = io.BytesIO()
    write_oci_archive(img, again, tags=["emu-test:oci", "other"])
    assert again.getvalue() == buf.getvalue()


def test_oci_archive_with_docker_manifest() -> None:
    buf = io.BytesIO()
    write_oci_archive(two_layer_image(), buf, tags=["emu-test"], docker_manifest=True)
    members = read_tar(buf.getvalue())
    dm = json.loads(members["manifest.json"] or b"")[0]
    assert dm["RepoTags"] == ["emu-test:latest"]
    assert all(p.startswith("blobs/sha256/") and p in members for p in dm["Layers"])
    assert dm["Config"] in members
    # docker load reads manifest.json first; our loader prefers the OCI index: same image
    [(tags, _)] = load_archive(io.BytesIO(buf.getvalue()))
    assert tags == ["emu-test:latest"]


def test_identical_layers_share_one_oci_blob() -> None:
    fs = FS()
    fs.write_file("/a", b"a")
    s1 = fs.snapshot().root
    img = Image(Snapshot(s1), layers=(Layer(None, s1), Layer(s1, s1)))
    buf = io.BytesIO()
    write_oci_archive(img, buf)
    blobs = [n for n in read_tar(buf.getvalue()) if n.startswith("blobs/sha256/")]
    assert len(blobs) == 2 + 2  # config, manifest, the layer, the empty layer
    [(_, loaded)] = load_archive(io.BytesIO(buf.getvalue()))
    assert len(loaded.layers) == 2


def test_base_content_becomes_the_bottom_layer() -> None:
    fs = FS()
    fs.makedirs("/etc")
    fs.write_file("/etc/os-release", b"base\n")
    base = fs.snapshot().root
    fs.write_file("/app", b"app\n")
    top = fs.snapshot()
    img = Image(top, layers=(Layer(base, top.root, "COPY app /"),))
    buf = io.BytesIO()
    write_docker_archive(img, buf)
    [(tags, loaded)] = load_archive(io.BytesIO(buf.getvalue()))
    assert tags == []
    assert len(loaded.layers) == 2
    assert listing(loaded.layers[0].after) == listing(base)
    assert listing(loaded.rootfs.root) == listing(top.root)


# --- type=local -----------------------------------------------------------------------------


def test_write_local_writes_the_tree(tmp_path: Path) -> None:
    dest = tmp_path / "out" / "nested"
    notes = write_local(all_kinds().snapshot(), dest)
    assert (dest / "bin" / "tool").read_bytes() == b"#!/bin/sh\necho tool\n"
    st_tool = os.lstat(dest / "bin" / "tool")
    assert (
        st_tool.st_ino
        == os.lstat(dest / "bin" / "tool-hl").st_ino
        == os.lstat(dest / "a-first-link").st_ino
    )
    assert stat.S_IMODE(os.lstat(dest / "bin" / "su").st_mode) == 0o4755
    assert stat.S_IMODE(os.lstat(dest / "tmp").st_mode) == 0o1777
    assert stat.S_IMODE(os.lstat(dest / "home" / "user").st_mode) == 0o750
    assert os.lstat(dest / "bin" / "tool").st_mtime == T + 1
    assert os.lstat(dest / "bin").st_mtime == T  # directory mtimes survive their children
    assert os.readlink(dest / "etc" / "abs") == "/etc/passwd"
    assert os.readlink(dest / "etc" / "dangling") == "/nowhere"
    assert stat.S_ISFIFO(os.lstat(dest / "dev" / "fifo").st_mode)
    assert not os.path.lexists(dest / "dev" / "null")
    assert any("/dev/null" in n and "char" in n for n in notes)
    assert any("/dev/sda" in n for n in notes)
    blob = dest / "blob.bin"
    assert blob.stat().st_size == 3 * 1024 * 1024 + 5
    with open(blob, "rb") as f:
        assert f.read(4096) == bytes(4096)
    if os.geteuid() == 0:  # owners are applied only as root, like dockerd
        assert os.lstat(dest / "home" / "user" / ".profile").st_uid == 1000
        assert os.lstat(dest / "bin" / "sg").st_gid == 50
    assert [p.name for p in dest.iterdir() if p.name.startswith(".emu")] == []


def test_write_local_never_escapes_dest(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim").write_text("safe")
    dest = tmp_path / "dest"
    dest.mkdir()
    # An existing symlink in dest that points outside: the image's directory replaces it.
    os.symlink(outside, dest / "sub")
    fs = FS()
    fs.symlink("/etc-link", "/etc")
    fs.symlink("/up", "../../../../outside")
    fs.makedirs("/sub")
    fs.write_file("/sub/victim", b"pwned")
    root = fs.snapshot().root
    # Names no FS call would make, as a malformed import might: skipped, never joined.
    root.entries[".."] = File(Meta(0o644), b"pwned")
    root.entries["a/b"] = File(Meta(0o644), b"pwned")
    root.entries["."] = Dir(Meta(0o755), {"victim": File(Meta(0o644), b"pwned")})
    notes = write_local(Snapshot(root), dest)
    assert (outside / "victim").read_text() == "safe"
    assert sorted(os.listdir(outside)) == ["victim"]
    assert os.path.islink(dest / "etc-link") and os.readlink(dest / "etc-link") == "/etc"
    assert os.readlink(dest / "up") == "../../../../outside"
    assert not os.path.islink(dest / "sub") and (dest / "sub" / "victim").read_bytes() == b"pwned"
    assert sorted(os.listdir(dest)) == ["etc-link", "sub", "up"]
    assert len([n for n in notes if "unsafe name" in n]) == 3
    assert not (tmp_path / "victim").exists()


def test_write_local_merges_into_an_existing_directory(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    (dest / "keep").mkdir(parents=True)
    (dest / "keep" / "mine").write_text("mine")
    (dest / "file-then-dir").write_text("old")
    fs = FS()
    fs.makedirs("/keep")
    fs.write_file("/keep/new", b"new")
    fs.makedirs("/file-then-dir")
    write_local(fs.snapshot(), dest)
    assert (dest / "keep" / "mine").read_text() == "mine"
    assert (dest / "keep" / "new").read_bytes() == b"new"
    assert (dest / "file-then-dir").is_dir()


def test_write_local_failure_leaves_dest_untouched(tmp_path: Path) -> None:
    def boom() -> bytes:
        raise OSError(5, "Input/output error")

    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "existing").write_text("x")
    fs = FS()
    fs.write_file("/a", b"a")
    fs.put("/z", File(Meta(0o644), Lazy(3, boom)))
    with pytest.raises(OutputError, match="Input/output error"):
        write_local(fs.snapshot(), dest)
    assert sorted(os.listdir(dest)) == ["existing"]
    fresh = tmp_path / "fresh"
    with pytest.raises(OutputError):
        write_local(fs.snapshot(), fresh)
    assert not fresh.exists()
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(OutputError, match="not a directory"):
        write_local(FS().snapshot(), tmp_path / "a-file")


def test_output_errors_are_emu_errors() -> None:
    assert issubclass(OutputError, BuildError) and issubclass(OutputError, EmuError)


# --- properties -----------------------------------------------------------------------------

_NAMES = st.sampled_from(["a", "b", "c", "d"])
_PATHS = st.lists(_NAMES, min_size=1, max_size=3).map(lambda p: "/" + "/".join(p))
_META = st.builds(
    Meta,
    mode=st.sampled_from([0o644, 0o755, 0o4755, 0o1777, 0o600]),
    uid=st.sampled_from([0, 1, 1000]),
    gid=st.sampled_from([0, 5]),
    mtime=st.integers(0, 2_000_000_000),
)
_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("mkdir"), _PATHS, _META),
        st.tuples(st.just("write"), _PATHS, _META, st.binary(max_size=20)),
        st.tuples(st.just("blob"), _PATHS, _META, st.integers(0, 5000)),
        st.tuples(st.just("symlink"), _PATHS, st.sampled_from(["/a", "../b", "c/d", "/nowhere"])),
        st.tuples(st.just("link"), _PATHS, _PATHS),
        st.tuples(st.just("fifo"), _PATHS, _META),
        st.tuples(st.just("remove"), _PATHS),
        st.tuples(st.just("chmod"), _PATHS, _META),
    ),
    max_size=25,
)


def apply_ops(fs: FS, ops: list[tuple[Any, ...]]) -> None:
    for op in ops:
        try:
            if op[0] == "mkdir":
                fs.makedirs(op[1], op[2])
            elif op[0] == "write":
                fs.write_file(op[1], op[3], op[2])
            elif op[0] == "blob":
                fs.write_file(op[1], Blob(op[3]), op[2])  # type: ignore[arg-type]
            elif op[0] == "symlink":
                fs.symlink(op[1], op[2])
            elif op[0] == "link":
                fs.link(op[1], op[2])
            elif op[0] == "fifo":
                fs.put(op[1], Device(op[2], Kind.FIFO))
            elif op[0] == "remove":
                fs.remove(op[1], recursive=True)
            elif op[0] == "chmod":
                fs.set_meta(op[1], op[2], follow=False)
        except FsError:
            pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_OPS, _OPS)
def test_layers_applied_in_order_rebuild_every_tree(ops1: list[Any], ops2: list[Any]) -> None:
    fs = FS()
    apply_ops(fs, ops1)
    s1 = fs.snapshot()
    apply_ops(fs, ops2)
    s2 = fs.snapshot()
    img = Image(s2, layers=(Layer(None, s1.root), Layer(s1.root, s2.root)))
    buf = io.BytesIO()
    write_docker_archive(img, buf)
    [(_, loaded)] = load_archive(io.BytesIO(buf.getvalue()))
    assert listing(loaded.layers[0].after) == listing(s1.root)
    assert listing(loaded.rootfs.root) == listing(s2.root)
    assert flatten_listing(tar_bytes(s2)) == listing(s2.root)


def test_symlink_nodes_are_written_as_links_in_archives() -> None:
    fs = FS()
    fs.symlink("/l", "/etc/shadow")
    data = tar_bytes(fs.snapshot())
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        [m] = tf.getmembers()
    assert m.issym() and m.linkname == "/etc/shadow"
    assert isinstance(fs.get("/l", follow=False), Symlink)


# --- created, as BuildKit's exporter dates history (normalizeLayersAndHistory) --------------


def dated_image(times: list[int], empty: list[bool]) -> Image:
    """An image whose history entries have ``times`` (0: unset) and ``empty`` flags, with
    one layer per non-empty entry (the first one the base's, which has no layers)."""
    fs = FS()
    roots = []
    for i, is_empty in enumerate(empty):
        if not is_empty:
            fs.write_file(f"/f{i}", f"{i}".encode())
            roots.append(fs.snapshot().root)
    layers = tuple(Layer(a, b, f"L{i}") for i, (a, b) in enumerate(pairwise(roots), 1))
    hist = tuple(
        HistoryEntry(f"H{i}", empty_layer=e, created=t)
        for i, (t, e) in enumerate(zip(times, empty, strict=True))
    )
    return Image(Snapshot(roots[-1]), layers=layers, history=hist)


def test_created_fills_entries_as_buildkit_does() -> None:
    # Recorded with Docker 20.10's BuildKit: FROM busybox (dated t0), RUN (t1), ENV, RUN
    # (t2), LABEL gave ENV and LABEL the second RUN's time, and the config the last time.
    t0, t1, t2 = T, T + 3600, T + 3601
    img = dated_image([t0, t1, 0, t2, 0], [False, False, True, False, True])
    cfg = config_json(img)
    assert [h["created"] for h in cfg["history"]] == [format_time(t) for t in (t0, t1, t2, t2, t2)]
    assert cfg["created"] == format_time(t2)
    # Only metadata on a base (LABEL, HEALTHCHECK…): every entry and the config take the
    # base's time (recorded: the image's Created was busybox's).
    img = dated_image([t0, 0, 0], [False, True, True])
    cfg = config_json(img)
    assert {h["created"] for h in cfg["history"]} == {format_time(t0)}
    assert cfg["created"] == format_time(t0)
    # An undated first entry takes the first time after it, not the one before.
    img = dated_image([0, 0, t1, 0], [False, True, False, True])
    assert [h["created"] for h in config_json(img)["history"]] == [format_time(t1)] * 4
    # No time anywhere: no created at all (what a library build without dates writes).
    assert "created" not in config_json(dated_image([0, 0], [False, False]))


def test_with_layer_times_dates_each_layers_entry() -> None:
    img = dated_image([T, 0, 0, 0], [False, False, True, False])
    when = {"L1": T + 10, "L2": T + 20}
    dated = with_layer_times(img, lambda layer: when.get(layer.created_by))
    assert [h.created for h in dated.history] == [T, T + 10, 0, T + 20]
    assert image_created(dated) == T + 20 and image_created(dated, source_date_epoch=5) == 5
    assert with_layer_times(dated, lambda layer: 1) is dated  # dated entries keep their time
    assert with_layer_times(img, lambda layer: None) is img


class StubLayers:
    """Known layers: emu's digest of a layer -> other bytes standing for it."""

    def __init__(self, by_digest: dict[str, bytes]) -> None:
        self.by_digest = by_digest

    def find(self, digest: str) -> KnownLayer | None:
        data = self.by_digest.get(digest)
        if data is None:
            return None
        diff_id = "sha256:" + hashlib.sha256(data).hexdigest()
        return KnownLayer(diff_id, len(data), lambda: io.BytesIO(data))


def test_known_layers_are_written_as_they_were_made() -> None:
    img = two_layer_image()
    ours = [d for d, _ in layer_digests(img)]
    theirs = tar_bytes(Dir(Meta(0o755)))  # any other bytes for the bottom layer
    known = StubLayers({ours[0]: theirs})
    their_id = "sha256:" + hashlib.sha256(theirs).hexdigest()
    assert [d for d, _ in layer_digests(img, known_layers=known)] == [their_id, ours[1]]
    assert config_json(img, known_layers=known)["rootfs"]["diff_ids"] == [their_id, ours[1]]
    out = io.BytesIO()
    write_docker_archive(img, out, known_layers=known)
    files = read_tar(out.getvalue())
    manifest = json.loads(files["manifest.json"] or b"")
    assert files[manifest[0]["Layers"][0]] == theirs
    out = io.BytesIO()
    digest, size = write_oci_archive(img, out, known_layers=known)
    files = read_tar(out.getvalue())
    assert files["blobs/sha256/" + their_id[7:]] == theirs
    assert size == len(files["blobs/sha256/" + digest[7:]] or b"")
    # with a SOURCE_DATE_EPOCH that clamps its mtimes, the layer is emu's own
    clamped = layer_digests(img, source_date_epoch=T - 1, known_layers=known)
    assert clamped == layer_digests(img, source_date_epoch=T - 1)
    assert clamped[0][0] != their_id


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "1970-01-01T00:00:00Z"),
        (1700000000, "2023-11-14T22:13:20Z"),
        (-1, "1969-12-31T23:59:59Z"),
        (-62135596800, "0001-01-01T00:00:00Z"),  # Go pads the year to four digits
        (-30000000000, "1019-05-04T18:40:00Z"),
        (-40000000000, "0702-06-15T00:53:20Z"),  # (proleptic Gregorian, as Go and datetime)
        (253402300799, "9999-12-31T23:59:59Z"),
    ],
)
def test_a_time_is_written_as_go_marshals_it(seconds: int, text: str) -> None:
    assert format_time(seconds) == text
