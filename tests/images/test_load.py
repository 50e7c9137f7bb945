"""emu.images.load: docker save and OCI layout archives made by hand (as other tools make them).

Layers are built with Python's tarfile (GNU and PAX formats), so these tests do not only read
back what emu.outputs writes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import lzma
import os
import tarfile
from pathlib import Path
from typing import Any

import pytest

from emu.errors import EmuError
from emu.fs import FS, Device, Dir, File, Kind, Meta, Symlink
from emu.images.image import HealthConfig
from emu.images.load import ArchiveError, load_archive, load_images
from emu.outputs import layer_digests, write_docker_archive, write_oci_archive
from emu.teach.listing import listing

Entry = tuple[tarfile.TarInfo, bytes | None]


def ti(name: str, kind: bytes = tarfile.REGTYPE, **kw: Any) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = kw.pop("mode", 0o755 if kind == tarfile.DIRTYPE else 0o644)
    info.mtime = kw.pop("mtime", 1000)
    for key, value in kw.items():
        setattr(info, key, value)
    return info


def f(name: str, data: bytes = b"", **kw: Any) -> Entry:
    info = ti(name, **kw)
    info.size = len(data)
    return info, data


def d(name: str, **kw: Any) -> Entry:
    return ti(name, tarfile.DIRTYPE, **kw), None


def sym(name: str, target: str) -> Entry:
    return ti(name, tarfile.SYMTYPE, linkname=target, mode=0o777), None


def hard(name: str, target: str) -> Entry:
    return ti(name, tarfile.LNKTYPE, linkname=target), None


def layer(*entries: Entry, fmt: int = tarfile.GNU_FORMAT) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for info, data in entries:
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def outer(members: dict[str, bytes], extra: list[tarfile.TarInfo] | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for info in extra or []:
            tf.addfile(info)
    return buf.getvalue()


def config_for(layers: list[bytes], **extra: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": ["PATH=/bin"], "Cmd": ["sh"]},
        "rootfs": {"type": "layers", "diff_ids": [digest(x) for x in layers]},
        "history": [{"created_by": f"layer {i}"} for i in range(len(layers))],
    }
    cfg.update(extra)
    return cfg


def docker_archive(
    layers: list[bytes], tags: list[str] | None = None, cfg: dict[str, Any] | None = None
) -> bytes:
    cfg = cfg if cfg is not None else config_for(layers)
    raw = json.dumps(cfg).encode()
    members = {"cfg.json": raw}
    names = []
    for i, data in enumerate(layers):
        members[f"l{i}/layer.tar"] = data
        names.append(f"l{i}/layer.tar")
    manifest = [{"Config": "cfg.json", "RepoTags": tags, "Layers": names}]
    members["manifest.json"] = json.dumps(manifest).encode()
    return outer(members)


def oci_archive(
    blobs: list[tuple[bytes, str]],
    cfg: dict[str, Any] | None = None,
    diff_ids: list[str] | None = None,
    annotations: dict[str, str] | None = None,
) -> bytes:
    uncompressed = [gzip.decompress(b) if "gzip" in m else b for b, m in blobs]
    cfg = cfg if cfg is not None else config_for(uncompressed)
    if diff_ids is not None:
        cfg["rootfs"]["diff_ids"] = diff_ids
    cfg_raw = json.dumps(cfg).encode()
    members = {"oci-layout": b'{"imageLayoutVersion":"1.0.0"}'}
    members["blobs/sha256/" + digest(cfg_raw)[7:]] = cfg_raw
    descs = []
    for data, media in blobs:
        members["blobs/sha256/" + digest(data)[7:]] = data
        descs.append({"mediaType": media, "digest": digest(data), "size": len(data)})
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": digest(cfg_raw),
            "size": len(cfg_raw),
        },
        "layers": descs,
    }
    man_raw = json.dumps(manifest).encode()
    members["blobs/sha256/" + digest(man_raw)[7:]] = man_raw
    desc: dict[str, Any] = {
        "mediaType": manifest["mediaType"],
        "digest": digest(man_raw),
        "size": len(man_raw),
    }
    if annotations:
        desc["annotations"] = annotations
    members["index.json"] = json.dumps({"schemaVersion": 2, "manifests": [desc]}).encode()
    return outer(members)


def load_one(data: bytes) -> tuple[list[str], Any]:
    [(tags, image)] = load_archive(io.BytesIO(data))
    return tags, image


BASE = layer(
    d("bin"),
    f("bin/sh", b"#!shell", mode=0o755),
    f("bin/su", b"su", mode=0o4755, uid=0, gid=0),
    hard("bin/ash", "bin/sh"),
    sym("bin/busybox-link", "/bin/sh"),
    d("etc"),
    f("etc/passwd", b"root:x:0:0\n", uid=0, gid=0, mtime=1234),
    d("data", mode=0o750, uid=7, gid=8),
    d("data/old"),
    f("data/old/a", b"a"),
    f("data/old/b", b"b"),
    f("data/gone", b"bye"),
    d("tmp", mode=0o1777),
    (ti("dev/null", tarfile.CHRTYPE, devmajor=1, devminor=3, mode=0o666), None),
    (ti("dev/fifo", tarfile.FIFOTYPE, mode=0o600), None),
)


# --- docker save archives -------------------------------------------------------------------


def test_docker_archive_keeps_every_kind_and_owner() -> None:
    tags, img = load_one(docker_archive([BASE], tags=["base:1"]))
    assert tags == ["base:1"] and img.name == "base:1"
    fs = img.rootfs.fs()
    sh = fs.get("/bin/sh")
    assert isinstance(sh, File) and sh.data == b"#!shell" and sh.meta.mode == 0o755
    assert fs.get("/bin/ash") is sh  # a hard link is the same File object
    assert fs.get("/bin/su").meta.mode == 0o4755
    link = fs.get("/bin/busybox-link", follow=False)
    assert isinstance(link, Symlink) and link.target == "/bin/sh"
    assert fs.get("/etc/passwd").meta.mtime == 1234
    assert fs.get("/data").meta == Meta(0o750, 7, 8, 1000)
    assert fs.get("/tmp").meta.mode == 0o1777
    null = fs.get("/dev/null")
    assert isinstance(null, Device) and (null.kind, null.major, null.minor) == (Kind.CHAR, 1, 3)
    assert fs.get("/dev").meta.mode == 0o755  # a missing parent is made 0755
    assert isinstance(fs.get("/dev/fifo"), Device)
    assert img.config.env == ("PATH=/bin",) and img.config.cmd == ("sh",)
    assert [h.created_by for h in img.history] == ["layer 0"]
    assert len(img.layers) == 1 and img.layers[0].before is None


def test_whiteouts_and_opaque_directories_apply_to_lower_layers_only() -> None:
    top = layer(
        d("data"),
        f("data/.wh.gone"),
        f("data/old/kept-from-this-layer", b"new"),  # before the marker in tar order
        f("data/old/.wh..wh..opq"),
        f("bin/.wh.ash"),
        f(".wh.tmp"),
    )
    _, img = load_one(docker_archive([BASE, top]))
    fs = img.rootfs.fs()
    assert fs.lookup("/data/gone") is None
    assert fs.listdir("/data/old") == ["kept-from-this-layer"]
    assert fs.lookup("/bin/ash") is None and fs.lookup("/bin/sh") is not None
    assert fs.lookup("/tmp") is None
    # the lower layer's tree is untouched (copy-on-write) and kept as layer 1's result
    lower = img.layers[0].after
    assert sorted(lower.entries["data"].entries["old"].entries) == ["a", "b"]  # type: ignore[union-attr]
    assert img.layers[1].before is lower


def test_entry_replacing_a_directory_and_a_file() -> None:
    top = layer(f("data", b"now a file"), d("etc/passwd"))
    _, img = load_one(docker_archive([BASE, top]))
    fs = img.rootfs.fs()
    assert isinstance(fs.get("/data"), File)
    assert isinstance(fs.get("/etc/passwd"), Dir)


def test_pax_layers_with_long_names_and_big_ids() -> None:
    long_name = "d/" + "x" * 200
    data = layer(
        f(long_name, b"x", uid=3_000_000),
        f("ü", b"u"),
        f("back\\slash", b"b"),  # an ordinary character on Linux
        fmt=tarfile.PAX_FORMAT,
    )
    _, img = load_one(docker_archive([data]))
    fs = img.rootfs.fs()
    assert fs.listdir("/") == ["back\\slash", "d", "ü"]
    assert fs.get("/" + long_name).meta.uid == 3_000_000
    assert fs.get("/ü").data == b"u"  # type: ignore[union-attr]


def test_tar_slip_is_confined_to_the_image_root(tmp_path: Path) -> None:
    host_file = tmp_path / "host"
    host_file.write_text("host")
    evil = layer(
        f("../../../../" + str(host_file).lstrip("/"), b"pwned"),
        f(str(tmp_path / "abs"), b"abs"),
        sym("escape", str(tmp_path)),
        f("escape/through-link", b"pwned"),  # follows the symlink inside the image
        sym("up", "../../.."),
        hard("hl", "../../etc/passwd"),  # = /etc/passwd of the image
    )
    _, img = load_one(docker_archive([BASE, evil]))
    fs = img.rootfs.fs()
    assert host_file.read_text() == "host"
    assert sorted(os.listdir(tmp_path)) == ["host"]
    assert fs.get(str(host_file)).data == b"pwned"  # type: ignore[union-attr]
    assert fs.get(str(tmp_path / "abs")).data == b"abs"  # type: ignore[union-attr]
    assert fs.get(str(tmp_path / "through-link")).data == b"pwned"  # type: ignore[union-attr]
    assert fs.get("/hl") is fs.get("/etc/passwd")
    assert fs.realpath("/up") == "/"


def test_gzip_outer_archive_and_non_seekable_input() -> None:
    data = gzip.compress(docker_archive([BASE], tags=["x:1"]), mtime=0)

    class Pipe(io.RawIOBase):
        def __init__(self, raw: bytes) -> None:
            self.src = io.BytesIO(raw)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, b: Any) -> int:
            chunk = self.src.read(len(b))
            b[: len(chunk)] = chunk
            return len(chunk)

    [(tags, img)] = load_archive(io.BufferedReader(Pipe(data)))
    assert tags == ["x:1"] and img.rootfs.fs().exists("/bin/sh")


def test_docker_archive_from_a_path_and_a_directory(tmp_path: Path) -> None:
    path = tmp_path / "img.tar"
    path.write_bytes(docker_archive([BASE], tags=["x:1"]))
    [(tags, img)] = load_archive(path)
    assert tags == ["x:1"]
    unpacked = tmp_path / "unpacked"
    with tarfile.open(path) as tf:
        tf.extractall(unpacked, filter="data")
    [(tags2, img2)] = load_archive(str(unpacked))
    assert tags2 == tags and listing(img2.rootfs.root) == listing(img.rootfs.root)


def test_layers_shared_by_two_images_are_applied_once() -> None:
    cfg = json.dumps(config_for([BASE])).encode()
    members = {"cfg.json": cfg, "l0/layer.tar": BASE}
    manifest = [
        {"Config": "cfg.json", "RepoTags": ["a:1"], "Layers": ["l0/layer.tar"]},
        {"Config": "cfg.json", "RepoTags": ["b:1"], "Layers": ["l0/layer.tar"]},
    ]
    members["manifest.json"] = json.dumps(manifest).encode()
    loaded = load_archive(io.BytesIO(outer(members)))
    assert [t for t, _ in loaded] == [["a:1"], ["b:1"]]
    assert loaded[0][1].rootfs.root is loaded[1][1].rootfs.root


def test_layer_stored_as_a_symlink_in_the_archive() -> None:
    # docker save (20.10) writes a repeated layer as a symlink to the first copy
    cfg = json.dumps(config_for([BASE, BASE])).encode()
    link = tarfile.TarInfo("l1/layer.tar")
    link.type = tarfile.SYMTYPE
    link.linkname = "../l0/layer.tar"
    manifest = [
        {"Config": "cfg.json", "RepoTags": None, "Layers": ["l0/layer.tar", "l1/layer.tar"]}
    ]
    data = outer(
        {"cfg.json": cfg, "l0/layer.tar": BASE, "manifest.json": json.dumps(manifest).encode()},
        [link],
    )
    tags, img = load_one(data)
    assert tags == [] and len(img.layers) == 2


def test_config_fields_are_read() -> None:
    cfg = config_for(
        [BASE],
        config={
            "User": "1000",
            "ExposedPorts": {"80/tcp": {}, "53/udp": {}},
            "Env": ["A=1"],
            "Entrypoint": ["/bin/sh"],
            "Cmd": None,
            "Volumes": {"/v": {}},
            "WorkingDir": "/w",
            "Labels": {"k": "v"},
            "StopSignal": "SIGINT",
            "Shell": ["/bin/bash", "-c"],
            "OnBuild": ["RUN x"],
            "Healthcheck": {"Test": ["CMD", "true"], "Interval": 5, "Retries": 3},
        },
        author="someone",
        variant="v8",
        created="2024-01-02T03:04:05.123456789Z",
        history=[{"created": "2024-01-02T03:04:05.999Z", "created_by": "x", "comment": "c"}],
    )
    _, img = load_one(docker_archive([BASE], cfg=cfg))
    c = img.config
    assert c.user == "1000" and c.exposed_ports == ("53/udp", "80/tcp") and c.env == ("A=1",)
    assert c.entrypoint == ("/bin/sh",) and c.cmd is None and c.volumes == ("/v",)
    assert c.working_dir == "/w" and c.labels == (("k", "v"),) and c.stop_signal == "SIGINT"
    assert c.shell == ("/bin/bash", "-c") and c.on_build == ("RUN x",) and c.variant == "v8"
    assert c.healthcheck == HealthConfig(("CMD", "true"), interval=5, retries=3)
    assert img.author == "someone"
    [h] = img.history
    assert (h.created, h.created_by, h.comment, h.empty_layer) == (1704164645, "x", "c", False)


# --- OCI layouts ----------------------------------------------------------------------------

OCI_TAR = "application/vnd.oci.image.layer.v1.tar"
OCI_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


def test_oci_layout_with_gzip_layers() -> None:
    gz = gzip.compress(BASE, mtime=0)
    top = layer(f("data/.wh.gone"), f("new", b"new"))
    ann = {"io.containerd.image.name": "docker.io/library/app:2"}
    tags, img = load_one(oci_archive([(gz, OCI_GZIP), (top, OCI_TAR)], annotations=ann))
    assert tags == ["app:2"]
    fs = img.rootfs.fs()
    assert fs.get("/new").data == b"new"  # type: ignore[union-attr]
    assert fs.lookup("/data/gone") is None and fs.get("/bin/ash") is fs.get("/bin/sh")


def test_oci_ref_name_alone_is_only_a_tag() -> None:
    tags, _ = load_one(
        oci_archive([(BASE, OCI_TAR)], annotations={"org.opencontainers.image.ref.name": "1.0"})
    )
    assert tags == []
    tags, _ = load_one(
        oci_archive([(BASE, OCI_TAR)], annotations={"org.opencontainers.image.ref.name": "r/x:1"})
    )
    assert tags == ["r/x:1"]


def test_oci_layout_directory_and_xz_layer(tmp_path: Path) -> None:
    xz = lzma.compress(BASE)
    data = oci_archive([(xz, "application/vnd.oci.image.layer.v1.tar+xz")], diff_ids=[digest(BASE)])
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        tf.extractall(tmp_path, filter="data")
    [(_, img)] = load_archive(tmp_path)
    assert img.rootfs.fs().get("/bin/sh").data == b"#!shell"  # type: ignore[union-attr]


def test_oci_index_picks_a_platform() -> None:
    from emu.outputs import write_oci_archive as write

    fs = FS()
    fs.write_file("/which", b"amd64")
    from emu.images.image import Image

    buf = io.BytesIO()
    write(Image(fs.snapshot()), buf)
    members: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(buf.getvalue())) as tf:
        for m in tf.getmembers():
            fo = tf.extractfile(m) if m.isreg() else None
            if fo is not None:
                members[m.name] = fo.read()
    index = json.loads(members["index.json"])
    real = index["manifests"][0]
    attestation = dict(real, platform={"architecture": "unknown", "os": "unknown"})
    arm = dict(real, platform={"architecture": "arm64", "os": "linux"})
    nested = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [attestation, arm, real],
    }
    raw = json.dumps(nested).encode()
    members["blobs/sha256/" + digest(raw)[7:]] = raw
    members["index.json"] = json.dumps(
        {
            "schemaVersion": 2,
            "manifests": [
                {
                    "mediaType": "application/vnd.oci.image.index.v1+json",
                    "digest": digest(raw),
                    "size": len(raw),
                }
            ],
        }
    ).encode()
    [(_, img)] = load_archive(io.BytesIO(outer(members)))
    assert img.rootfs.fs().exists("/which")
    [(_, img)] = load_archive(io.BytesIO(outer(members)), platform="linux/arm64")
    with pytest.raises(ArchiveError, match="no manifest for platform linux/s390x"):
        load_archive(io.BytesIO(outer(members)), platform="linux/s390x")


# --- errors ---------------------------------------------------------------------------------


def expect_error(data: bytes, pattern: str) -> None:
    with pytest.raises(ArchiveError, match=pattern) as info:
        load_archive(io.BytesIO(data))
    assert isinstance(info.value, EmuError)


def test_zstd_layers_are_refused_clearly() -> None:
    zstd_like = b"\x28\xb5\x2f\xfd" + b"\0" * 20
    expect_error(docker_archive([zstd_like], cfg=config_for([BASE])), "zstd-compressed")
    expect_error(
        oci_archive(
            [(zstd_like, "application/vnd.oci.image.layer.v1.tar+zstd")], diff_ids=[digest(BASE)]
        ),
        "zstd-compressed",
    )


def test_malformed_archives() -> None:
    expect_error(b"not a tar at all" * 100, "not a tar archive")
    expect_error(outer({"hello.txt": b"hi"}), "not an image archive")
    expect_error(outer({"repositories": b"{}"}), "legacy docker archive")
    expect_error(outer({"manifest.json": b"{not json"}), "manifest.json is not valid JSON")
    expect_error(outer({"manifest.json": b"{}"}), "manifest.json must be a list")
    expect_error(outer({"manifest.json": b'[{"Layers": []}]'}), "needs a Config path")
    expect_error(outer({"manifest.json": b'[{"Config": "c.json"}]'}), "c.json is missing")
    # a layer that does not match its diff_id
    bad = config_for([BASE])
    bad["rootfs"]["diff_ids"] = [digest(b"other")]
    expect_error(docker_archive([BASE], cfg=bad), "does not match diff_id")
    # layer count and diff_ids disagree
    expect_error(docker_archive([BASE], cfg=config_for([BASE, BASE])), "1 layers but 2 diff_ids")
    # a corrupt layer
    truncated = BASE[:700]
    expect_error(docker_archive([truncated]), "layer 1")
    # hard links to nothing or to a directory
    expect_error(docker_archive([layer(hard("a", "missing"))]), "hard link to missing /missing")
    expect_error(docker_archive([layer(d("dir"), hard("a", "dir"))]), "hard link to directory")
    # a file where a parent directory is needed
    expect_error(docker_archive([layer(f("x", b"x"), f("x/y", b"y"))]), "not a directory")
    # config with wrong types
    wrong = config_for([BASE], config={"Env": "A=1"})
    expect_error(docker_archive([BASE], cfg=wrong), "Env must be a list of strings")
    no_rootfs = config_for([BASE])
    del no_rootfs["rootfs"]
    expect_error(docker_archive([BASE], cfg=no_rootfs), "no rootfs")
    bad_time = config_for([BASE], history=[{"created": "yesterday"}])
    expect_error(docker_archive([BASE], cfg=bad_time), "not an RFC 3339 time")


def test_malformed_oci_layouts() -> None:
    good = oci_archive([(BASE, OCI_TAR)])
    members: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(good)) as tf:
        for m in tf.getmembers():
            fo = tf.extractfile(m)
            assert fo is not None
            members[m.name] = fo.read()
    layer_blob = "blobs/sha256/" + digest(BASE)[7:]
    missing = {k: v for k, v in members.items() if k != layer_blob}
    expect_error(outer(missing), "is not in the archive")
    tampered = dict(members)
    tampered[layer_blob] = BASE[:-1024] + b"\1" + BASE[-1023:]
    expect_error(outer(tampered), "does not match its digest")
    bad_index = dict(members, **{"index.json": b'{"manifests": [{"digest": "nope"}]}'})
    expect_error(outer(bad_index), "bad digest 'nope'")
    expect_error(outer(dict(members, **{"oci-layout": b"{}"})), "imageLayoutVersion")


def test_directory_source_is_confined(tmp_path: Path) -> None:
    (tmp_path / "secret.json").write_text("{}")
    img = tmp_path / "img"
    img.mkdir()
    manifest = [{"Config": "../secret.json", "Layers": []}]
    (img / "manifest.json").write_text(json.dumps(manifest))
    # "../secret.json" is read as "secret.json" inside the image directory: missing there
    with pytest.raises(ArchiveError, match=r"cannot read \.\./secret\.json"):
        load_archive(img)
    os.symlink(tmp_path / "secret.json", img / "link.json")
    (img / "manifest.json").write_text(json.dumps([{"Config": "link.json", "Layers": []}]))
    with pytest.raises(ArchiveError, match="points outside the image directory"):
        load_archive(img)


def test_missing_file_is_an_archive_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="cannot open"):
        load_archive(tmp_path / "nope.tar")


# --- round trips with the writers -----------------------------------------------------------


def test_round_trip_of_a_loaded_archive_is_stable() -> None:
    _, img = load_one(docker_archive([BASE, layer(f("data/.wh.gone"))], tags=["x:1"]))
    a, b = io.BytesIO(), io.BytesIO()
    write_docker_archive(img, a, tags=["x:1"])
    write_oci_archive(img, b, tags=["x:1"])
    for data in (a.getvalue(), b.getvalue()):
        tags, again = load_one(data)
        assert tags == ["x:1"]
        assert listing(again.rootfs.root) == listing(img.rootfs.root)
        assert [listing(x.after) for x in again.layers] == [listing(x.after) for x in img.layers]


# --- Docker's IDs, kept -----------------------------------------------------------------------
#
# data/tiny-{tagged,untagged}.tar are `docker save` archives made by Docker 20.10.24 (the
# oracle) of `FROM scratch / COPY a.txt / / COPY d /d/ / CMD ["/a.txt"]` built by its
# BuildKit: `docker save emu-fixture:tiny` and `docker save <its ID>` (RepoTags null). Docker
# gave it the ID and layer IDs below. Checked once with the oracle, not in the suite: `docker
# save busybox:local` → `emu load -i` → an emu build FROM it written with -o type=docker →
# `docker load` shows busybox's own layer ID (c0144559…) at the bottom, shares that layer with
# busybox:local, and `docker run` of the image works.

FIXTURES = Path(__file__).parent / "data"
DOCKER_ID = "sha256:fa0bfbcab398e9581ef22dfcdc45036b702deea8f5f4c72d01849918fa8aed47"
DOCKER_LAYERS = [
    "sha256:f8c6f6d4e469d7f7e6d91708807ed08f05f1d2217af7a79ba0d6910c71363b0d",
    "sha256:981c4040a46c7b9be49cd32bc548073ba6bd74279bf9524416fb78c2e8faa5f5",
]


def test_load_images_reports_dockers_ids() -> None:
    kept: dict[str, bytes] = {}
    (tagged,) = load_images(FIXTURES / "tiny-tagged.tar", keep_layer=kept.__setitem__)
    assert tagged.tags == ("emu-fixture:tiny",)
    assert tagged.id == DOCKER_ID and list(tagged.diff_ids) == DOCKER_LAYERS
    assert sorted(kept) == sorted(DOCKER_LAYERS)
    for diff_id, data in kept.items():  # the layers as Docker wrote them, byte for byte
        assert "sha256:" + hashlib.sha256(data).hexdigest() == diff_id
    (untagged,) = load_images(FIXTURES / "tiny-untagged.tar")
    assert untagged.tags == () and untagged.id == DOCKER_ID
    assert listing(untagged.image.rootfs.root) == listing(tagged.image.rootfs.root)
    # emu's own encoding of the same layers is not Docker's: why the bytes are kept
    emu_encoding = [d for d, _ in layer_digests(tagged.image)]
    assert emu_encoding != DOCKER_LAYERS


@pytest.fixture()
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EMU_HOME", str(tmp_path / "emu-home"))
    return tmp_path


def emu(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    from emu.cli import main

    assert main(list(argv)) == 0
    out: str = capsys.readouterr().out
    return out


def archive_config(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The config of a `docker save` archive and its layer tars, by member name."""
    with tarfile.open(path) as tf:
        manifest = json.loads(tf.extractfile("manifest.json").read())  # type: ignore[union-attr]
        config = json.loads(tf.extractfile(manifest[0]["Config"]).read())  # type: ignore[union-attr]
        layers = {n: tf.extractfile(n).read() for n in manifest[0]["Layers"]}  # type: ignore[union-attr]
    return config, layers


def test_emu_load_keeps_the_id_and_an_image_built_on_it_keeps_the_layers(
    cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert emu(capsys, "load", "-i", str(FIXTURES / "tiny-tagged.tar")) == (
        "Loaded image: emu-fixture:tiny\n"
    )
    (row,) = json.loads(emu(capsys, "images", "--format", "json"))
    assert row["ID"] == DOCKER_ID
    doc = json.loads(emu(capsys, "inspect", "emu-fixture:tiny"))[0]
    assert doc["Id"] == DOCKER_ID and doc["RootFS"]["Layers"] == DOCKER_LAYERS
    assert doc["Created"] == "2026-12-06T03:28:07Z"  # Docker's, to the second
    assert doc["Config"]["Cmd"] == ["/a.txt"]

    ctx = cli / "ctx"
    ctx.mkdir()
    (ctx / "b.txt").write_text("from emu\n")
    (ctx / "Dockerfile").write_text("FROM emu-fixture:tiny\nCOPY b.txt /\n")
    out = cli / "image.tar"
    emu(capsys, "build", "-q", "-o", f"type=docker,dest={out}", str(ctx))
    config, layers = archive_config(out)
    diff_ids = config["rootfs"]["diff_ids"]
    assert diff_ids[:2] == DOCKER_LAYERS and len(diff_ids) == 3  # Docker shares the base
    for data in layers.values():
        assert "sha256:" + hashlib.sha256(data).hexdigest() in diff_ids
    assert [h.get("comment") for h in config["history"][:2]] == ["buildkit.dockerfile.v0"] * 2
    oci = cli / "image-oci.tar"
    emu(capsys, "build", "-q", "-o", f"type=oci,dest={oci}", str(ctx))
    (again,) = load_images(oci)
    assert list(again.diff_ids[:2]) == DOCKER_LAYERS


def test_an_untagged_save_loads_with_its_id(cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = emu(capsys, "load", "-i", str(FIXTURES / "tiny-untagged.tar"))
    assert out == f"Loaded image ID: {DOCKER_ID}\n"  # docker load's words
    table = emu(capsys, "images").splitlines()
    assert table[1].split()[:3] == ["<none>", "<none>", DOCKER_ID[7:19]]
    assert json.loads(emu(capsys, "inspect", DOCKER_ID[7:19]))[0]["RepoTags"] == []
    emu(capsys, "load", "-i", str(FIXTURES / "tiny-untagged.tar"))  # again: still one
    assert len(emu(capsys, "images").splitlines()) == 2
    emu(capsys, "tag", DOCKER_ID[7:19], "tiny:v1")
    table = emu(capsys, "images").splitlines()
    assert [line.split()[:3] for line in table[1:]] == [["tiny", "v1", DOCKER_ID[7:19]]]


def test_an_untagged_image_is_removed_by_its_id(
    cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu(capsys, "load", "-i", str(FIXTURES / "tiny-untagged.tar"))
    assert emu(capsys, "rmi", DOCKER_ID[7:19]) == f"Deleted: {DOCKER_ID}\n"  # as docker rmi
    assert emu(capsys, "images").splitlines()[1:] == []
