"""The offline base-image catalog: names, normalisation, sizes, configs and skeletons."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emu.errors import EmuError
from emu.fs import Blob, Dir, File, Symlink, walk
from emu.images import catalog
from emu.images.catalog import (
    InvalidReferenceError,
    UnknownImageError,
    describe,
    familiar,
    ids,
    lookup,
    names,
    normalize,
    suggest,
    tree_size,
)
from emu.images.image import DEFAULT_PATH, Image

DATA = Path(__file__).parent.parent / "data"
CATALOG_DATA = Path(catalog.__file__).parent / "data"


def text(img: Image, path: str) -> str:
    node = img.rootfs.fs().get(path)
    assert isinstance(node, File), path
    assert node.data is not None, f"{path} is size-only"
    return node.data.decode()


# --- names and normalisation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("alpine", "docker.io/library/alpine:latest"),
        ("alpine:3.19", "docker.io/library/alpine:3.19"),
        ("library/alpine", "docker.io/library/alpine:latest"),
        ("library/alpine:3.19", "docker.io/library/alpine:3.19"),
        ("docker.io/alpine:3.19", "docker.io/library/alpine:3.19"),
        ("docker.io/library/alpine:3.19", "docker.io/library/alpine:3.19"),
        ("index.docker.io/library/alpine", "docker.io/library/alpine:latest"),
        ("nginx:1.27-alpine", "docker.io/library/nginx:1.27-alpine"),
        ("bitnami/redis", "docker.io/bitnami/redis:latest"),
        ("gcr.io/distroless/static", "gcr.io/distroless/static:latest"),
        ("gcr.io/distroless/static:nonroot", "gcr.io/distroless/static:nonroot"),
        ("localhost/app", "localhost/app:latest"),
        ("localhost:5000/app:1", "localhost:5000/app:1"),
        ("registry.example.com:443/team/app:v1.2", "registry.example.com:443/team/app:v1.2"),
        ("alpine:Latest_1.2-x", "docker.io/library/alpine:Latest_1.2-x"),  # tags keep case
        ("alpine@sha256:" + "a" * 64, "docker.io/library/alpine@sha256:" + "a" * 64),
        (
            "alpine:3.19@sha256:" + "b" * 64,
            "docker.io/library/alpine:3.19@sha256:" + "b" * 64,
        ),
        ("scratch", "scratch"),
    ],
)
def test_normalize(ref: str, expected: str) -> None:
    assert normalize(ref) == expected


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("docker.io/library/alpine:3.19", "alpine:3.19"),
        ("alpine", "alpine:latest"),
        ("docker.io/bitnami/redis", "bitnami/redis:latest"),
        ("gcr.io/distroless/static", "gcr.io/distroless/static:latest"),
    ],
)
def test_familiar(ref: str, expected: str) -> None:
    assert familiar(ref) == expected


@pytest.mark.parametrize(
    ("ref", "fragment"),
    [
        ("Alpine", "must be lowercase"),
        ("docker.io/library/Alpine:3.19", "must be lowercase"),
        ("alpine:", "invalid reference format"),
        ("alpine:3.19:x", "invalid reference format"),
        ("-alpine", "invalid reference format"),
        ("alpine@sha256:abc", "invalid reference format"),
        ("alpine@sha256:" + "a" * 63, "invalid checksum digest length"),
        ("", "invalid reference format"),
        ("a" * 64, "64-byte hexadecimal"),
        ("alpine:" + "t" * 129, "invalid reference format"),
    ],
)
def test_invalid_references(ref: str, fragment: str) -> None:
    with pytest.raises(InvalidReferenceError, match=fragment):
        normalize(ref)
    with pytest.raises(InvalidReferenceError):
        lookup(ref)


def test_every_name_resolves() -> None:
    all_names = names()
    assert len(all_names) > 100
    assert all_names == sorted(set(all_names))
    for name in all_names:
        img = lookup(name)
        assert isinstance(img, Image)
        # Asking by the fully-qualified form gives the very same image.
        assert lookup(normalize(name)) is img


def test_aliases_share_one_skeleton() -> None:
    a = lookup("alpine")
    assert lookup("alpine:latest") is a
    assert lookup("docker.io/library/alpine") is a
    assert lookup("library/alpine:latest") is a
    assert lookup("alpine:3.21") is not a  # another name, another Image value ...
    assert lookup("alpine:3.21").rootfs is a.rootfs  # ... over the same snapshot
    assert lookup("busybox:1.36").rootfs is lookup("busybox").rootfs
    assert a.name == "alpine:latest"
    assert lookup("docker.io/library/alpine:3.21").name == "alpine:3.21"


def test_catalog_requested_images_exist() -> None:
    wanted = [
        "scratch",
        "busybox",
        "busybox:latest",
        "busybox:1.36",
        "busybox:1.35",
        "alpine:3.19",
        "alpine:3.20",
        "alpine:3.21",
        "alpine:latest",
        "debian:bookworm-slim",
        "debian:bookworm",
        "debian:12-slim",
        "ubuntu:22.04",
        "ubuntu:24.04",
        "ubuntu:latest",
        "nginx:alpine",
        "nginx:1.27-alpine",
        "nginx:stable-alpine",
        "nginx:latest",
        *(f"node:{v}{s}" for v in (18, 20, 22) for s in ("", "-alpine", "-slim")),
        *(f"golang:{v}{s}" for v in ("1.21", "1.22", "1.23") for s in ("", "-alpine")),
        "rust:latest",
        "rust:1-slim",
        "maven:3.9",
        "maven:3.9-eclipse-temurin-21",
        *(f"eclipse-temurin:{v}-{k}" for v in (17, 21) for k in ("jdk", "jre")),
        *(f"python:{v}{s}" for v in ("3.11", "3.12") for s in ("", "-slim", "-alpine")),
        "gcr.io/distroless/static",
        "gcr.io/distroless/static-debian12",
        "gcr.io/distroless/base",
        "gcr.io/distroless/base-debian12",
        "gcr.io/distroless/static:nonroot",
        "gcr.io/distroless/static-debian12:nonroot",
        "gcr.io/distroless/base:nonroot",
        "gcr.io/distroless/base-debian12:nonroot",
    ]
    for ref in wanted:
        assert isinstance(lookup(ref), Image), ref


# --- unknown images, digests, scratch ------------------------------------------------------


def test_unknown_image_suggests_close_names() -> None:
    with pytest.raises(UnknownImageError) as info:
        lookup("alpin:3.19")
    err = info.value
    assert isinstance(err, EmuError)
    assert "alpine:3.19" in err.suggestions
    assert "alpine:3.19" in str(err)
    assert err.hint is not None and "emu load -i FILE" in err.hint
    assert "offline catalog" in str(err)


def test_unknown_tag_lists_the_tags_we_have() -> None:
    # Every Alpine release is modelled now; a variant Alpine does not have is unknown.
    with pytest.raises(UnknownImageError) as info:
        lookup("alpine:3.19-slim")
    assert info.value.suggestions
    assert all(s.startswith("alpine:") for s in info.value.suggestions)
    assert "alpine:3.19" in info.value.suggestions


def test_unknown_repository() -> None:
    with pytest.raises(UnknownImageError) as info:
        lookup("myorg/myapp:1.0")
    assert info.value.hint is not None and "emu load -i FILE" in info.value.hint
    assert suggest("ngnix") and suggest("ngnix")[0].startswith("nginx")
    assert suggest("pyhton:3.12")[0].startswith("python:3.12")
    assert suggest("gcr.io/distroless/statc")[0].startswith("gcr.io/distroless/static")


def test_digest_pinned_references_resolve_to_the_tag_and_say_the_digest_is_unverified() -> None:
    ref = "alpine:3.19@sha256:" + "c" * 64
    img = lookup(ref)
    assert img.rootfs is lookup("alpine:3.19").rootfs
    assert any("digest" in n and "not verified" in n for n in img.notes)
    assert any("alpine:3.19" in n for n in img.notes)
    bare = lookup("alpine@sha256:" + "d" * 64)  # no tag: the repository's default
    assert bare.rootfs is lookup("alpine").rootfs
    assert any("not verified" in n and "alpine:latest" in n for n in bare.notes)
    assert not lookup("alpine:3.19").notes


def test_scratch() -> None:
    img = lookup("scratch")
    assert img.config.env == (f"PATH={DEFAULT_PATH}",)
    assert img.config.working_dir == "/"  # BuildKit's emptyImage (checked with the oracle)
    assert img.config.cmd is None and img.config.entrypoint is None
    assert img.rootfs.root.entries == {}
    assert img.size == 0 and describe("scratch").size == 0
    with pytest.raises(UnknownImageError, match="reserved"):
        lookup("scratch:latest")


# --- sizes ---------------------------------------------------------------------------------


def test_declared_sizes_add_up_for_every_image() -> None:
    for image_id in ids():
        info = describe(image_id)
        img = lookup(image_id)
        assert img.base_size == info.size, image_id
        assert tree_size(img.rootfs.root) == info.size, image_id
        assert img.size == info.size
        if info.compressed is not None:
            assert info.compressed <= max(info.size, 1), image_id
        assert info.size_source, f"{image_id}: size without a source"
        if info.size_estimate:
            assert "ESTIMATE" in info.size_source.upper(), image_id


def test_big_files_are_labelled_blobs_and_remainders_say_modelled() -> None:
    for image_id in ids():
        root = lookup(image_id).rootfs.root
        for path, node in walk(root):
            if isinstance(node, File) and node.data is None:
                blob = node.content
                assert isinstance(blob, Blob)
                assert blob.label, f"{image_id}: {path} has no label"
                if "emu-remainder" in path:
                    assert "modelled" in blob.label, path


def test_tree_size_counts_symlinks_and_hard_links_once() -> None:
    rust = lookup("rust:latest").rootfs.fs()
    rustup = rust.get("/usr/local/cargo/bin/rustup")
    assert rust.get("/usr/local/cargo/bin/cargo") is rustup  # a hard link, as in the image
    assert rust.get("/usr/local/cargo/bin/rustc") is rustup
    # busybox: Docker counted 1,984,241 B = files + 268 symlinks of 7 bytes ("busybox").
    bb = lookup("busybox").rootfs.root
    files = sum(n.size for _, n in walk(bb) if isinstance(n, File))
    links = sum(n.size for _, n in walk(bb) if isinstance(n, Symlink))
    assert (files, links) == (1_982_365, 268 * 7)
    assert tree_size(bb) == 1_984_241


# --- busybox is the oracle's busybox -------------------------------------------------------


def _listing(root: Dir) -> list[list[str]]:
    rows: list[list[str]] = []
    for path, node in walk(root):
        mode = f"{node.meta.mode & 0o7777:04o}"
        uid, gid = str(node.meta.uid), str(node.meta.gid)
        if isinstance(node, Dir):
            rows.append([path, "dir", mode, uid, gid, "-", "-", "-"])
        elif isinstance(node, Symlink):
            rows.append([path, "symlink", mode, uid, gid, "-", node.target, "-"])
        elif isinstance(node, File):
            data = node.data
            digest = "-" if data is None else hashlib.sha256(data).hexdigest()
            rows.append([path, "file", mode, uid, gid, str(node.size), "-", digest])
        else:
            raise AssertionError(f"unexpected {node.kind} at {path}")
    rows.sort(key=lambda r: r[0].split("/"))
    return rows


def test_busybox_matches_the_oracle_entry_for_entry() -> None:
    # tests/data/busybox-listing.txt: shared/oracle/flatten.py --list-tar of the oracle's
    # /tmp/emu-oracle/busybox-rootfs.tar (path type mode uid gid size link sha256).
    expected = [
        line.split("\t") for line in (DATA / "busybox-listing.txt").read_text().splitlines()
    ]
    got = _listing(lookup("busybox").rootfs.root)
    assert [r[0] for r in got] == [r[0] for r in expected]
    for g, e in zip(got, expected, strict=True):
        if g[7] == "-" and g[1] == "file":  # size-only /bin/busybox: all but the digest
            assert g[:7] == e[:7], g[0]
        else:
            assert g == e, g[0]
    assert sum(1 for r in got if r[1] == "symlink") == 268
    img = lookup("busybox")
    assert img.config.env == (f"PATH={DEFAULT_PATH}",)
    assert img.config.cmd == ("sh",)
    assert img.config.working_dir == "" and img.config.entrypoint is None


def test_busybox_passwd_and_group_bytes() -> None:
    img = lookup("busybox")
    assert text(img, "/etc/passwd") == (
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
    )
    assert text(img, "/etc/group") == "root:x:0:\nnogroup:x:65534:\n"


# --- configs against shared/reference section 3 -------------------------------------------

D = DEFAULT_PATH
# (image, Entrypoint, Cmd, env items that must be present, PATH, WorkingDir, ExposedPorts,
#  User, StopSignal), as the reference's "Default config" table gives them.
REFERENCE = [
    ("node:18", ("docker-entrypoint.sh",), ("node",),
     ["NODE_VERSION=18.13.0", "YARN_VERSION=1.22.19"], D, "", (), "", ""),
    ("node:18-alpine", ("docker-entrypoint.sh",), ("node",),
     ["NODE_VERSION=18.13.0", "YARN_VERSION=1.22.19"], D, "", (), "", ""),
    ("golang:1.21", None, ("bash",), ["GOTOOLCHAIN=local", "GOPATH=/go"],
     f"/go/bin:/usr/local/go/bin:{D}", "/go", (), "", ""),
    ("maven:3.9", ("/usr/local/bin/mvn-entrypoint.sh",), ("mvn",),
     ["JAVA_HOME=/opt/java/openjdk", "LANG=en_US.UTF-8", "LANGUAGE=en_US:en",
      "LC_ALL=en_US.UTF-8", "JAVA_VERSION=jdk-26.0.2+10", "MAVEN_HOME=/usr/share/maven",
      "MAVEN_CONFIG=/root/.m2"], f"/opt/java/openjdk/bin:{D}", "", (), "", ""),
    ("eclipse-temurin:21-jre", ("/__cacert_entrypoint.sh",), None,
     ["JAVA_HOME=/opt/java/openjdk", "LANG=en_US.UTF-8", "LANGUAGE=en_US:en",
      "LC_ALL=en_US.UTF-8", "JAVA_VERSION=jdk-21.0.12+8"], f"/opt/java/openjdk/bin:{D}",
     "", (), "", ""),
    ("rust:latest", None, ("bash",),
     ["RUSTUP_HOME=/usr/local/rustup", "CARGO_HOME=/usr/local/cargo", "RUST_VERSION=1.98.0"],
     f"/usr/local/cargo/bin:{D}", "", (), "", ""),
    ("debian:bookworm-slim", None, ("bash",), [], D, "", (), "", ""),
    ("nginx:alpine", ("/docker-entrypoint.sh",), ("nginx", "-g", "daemon off;"),
     ["NGINX_VERSION=1.31.6", "PKG_RELEASE=1", "DYNPKG_RELEASE=1", "NJS_VERSION=1.0.1",
      "NJS_RELEASE=1", "ACME_VERSION=0.4.1"], D, "", ("80/tcp",), "", "SIGQUIT"),
    ("alpine:3.19", None, ("/bin/sh",), [], D, "", (), "", ""),
    ("busybox:latest", None, ("sh",), [], D, "", (), "", ""),
    ("gcr.io/distroless/static", (), None,
     ["SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"], D, "/", (), "0", ""),
    ("gcr.io/distroless/static:nonroot", (), None,
     ["SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"], D, "/home/nonroot", (), "65532", ""),
    ("python:3.12-slim", None, ("python3",),
     ["LANG=C.UTF-8", "GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305",
      "PYTHON_VERSION=3.12.13"], f"/usr/local/bin:{D}", "", (), "", ""),
    ("scratch", None, None, [], D, "/", (), "", ""),
]  # fmt: skip


@pytest.mark.parametrize("row", REFERENCE, ids=[r[0] for r in REFERENCE])
def test_configs_match_the_reference_table(row: tuple[object, ...]) -> None:
    ref, entrypoint, cmd, env, path, workdir, ports, user, stop = row
    assert isinstance(ref, str) and isinstance(env, list)
    cfg = lookup(ref).config
    assert cfg.entrypoint == entrypoint
    assert cfg.cmd == cmd
    for item in env:
        assert item in cfg.env, item
    assert cfg.get_env("PATH") == path
    assert cfg.env[0].startswith("PATH=")  # PATH stays first, as in the real configs
    assert cfg.working_dir == workdir
    assert cfg.exposed_ports == ports
    assert cfg.user == user
    assert cfg.stop_signal == stop


def test_sizes_match_the_reference_table() -> None:
    measured = {
        "node:18-alpine": (170_930_000, 52_653_833),
        "debian:bookworm-slim": (74_830_000, 28_238_443),
        "nginx:alpine": (62_940_000, 26_310_566),
        "python:3.12-slim": (119_200_000, 43_188_023),
        "eclipse-temurin:21-jre": (287_540_000, 121_136_054),
    }
    for ref, (size, compressed) in measured.items():
        info = describe(ref)
        assert (info.size, info.compressed) == (size, compressed), ref
        assert not info.size_estimate
    assert describe("node:18").compressed == 369_819_247
    assert describe("maven:3.9").compressed == 175_755_664
    assert describe("rust:latest").compressed == 592_953_245
    assert describe("alpine:3.19").size_estimate
    assert describe("golang:1.21").size_estimate


# --- skeleton contents ---------------------------------------------------------------------


def passwd_entry(img: Image, user: str) -> list[str]:
    for line in text(img, "/etc/passwd").splitlines():
        fields = line.split(":")
        if fields[0] == user:
            return fields
    raise AssertionError(f"no {user} in /etc/passwd")


@pytest.mark.parametrize(
    "ref", [f"node:{v}{s}" for v in (18, 20, 22) for s in ("", "-slim", "-alpine")]
)
def test_node_images_have_the_node_user(ref: str) -> None:
    img = lookup(ref)
    assert passwd_entry(img, "node")[2:4] == ["1000", "1000"]
    assert "node:x:1000:" in text(img, "/etc/group")
    fs = img.rootfs.fs()
    home = fs.get("/home/node")
    assert isinstance(home, Dir) and (home.meta.uid, home.meta.gid) == (1000, 1000)
    assert fs.realpath("/usr/local/bin/npm") == "/usr/local/lib/node_modules/npm/bin/npm-cli.js"
    assert isinstance(fs.get("/usr/local/bin/node"), File)
    entry = fs.get("/usr/local/bin/docker-entrypoint.sh")
    assert isinstance(entry, File) and entry.meta.mode == 0o755
    assert fs.exists("/usr/local/bin/yarn")


@pytest.mark.parametrize("ref", ["nginx:alpine", "nginx:latest"])
def test_nginx_site(ref: str) -> None:
    img = lookup(ref)
    assert passwd_entry(img, "nginx")[2:4] == ["101", "101"]
    default = text(img, "/etc/nginx/conf.d/default.conf")
    assert "root   /usr/share/nginx/html;" in default
    assert "listen       80;" in default
    assert "include /etc/nginx/conf.d/*.conf;" in text(img, "/etc/nginx/nginx.conf")
    index = text(img, "/usr/share/nginx/html/index.html")
    assert "<h1>Welcome to nginx!</h1>" in index and len(index) == 615
    assert len(text(img, "/usr/share/nginx/html/50x.html")) == 497
    fs = img.rootfs.fs()
    entry = fs.get("/docker-entrypoint.sh")
    assert isinstance(entry, File) and entry.meta.mode == 0o755
    assert 'exec "$@"' in text(img, "/docker-entrypoint.sh")
    assert fs.listdir("/docker-entrypoint.d")
    log = fs.get("/var/log/nginx/access.log", follow=False)
    assert isinstance(log, Symlink) and log.target == "/dev/stdout"


@pytest.mark.parametrize("ref", ["alpine:3.19", "alpine:3.20", "alpine:3.21"])
def test_alpine_skeleton(ref: str) -> None:
    img = lookup(ref)
    fs = img.rootfs.fs()
    sh = fs.get("/bin/sh", follow=False)
    assert isinstance(sh, Symlink) and sh.target == "/bin/busybox"
    assert fs.realpath("/usr/bin/wget") == "/bin/busybox"
    installed = text(img, "/lib/apk/db/installed")
    assert "P:busybox\n" in installed and "P:musl\n" in installed
    version = ref.split(":")[1]
    assert f'PRETTY_NAME="Alpine Linux v{version}"' in text(img, "/etc/os-release")
    shadow = fs.get("/etc/shadow")
    assert isinstance(shadow, File) and (shadow.meta.mode, shadow.meta.gid) == (0o640, 42)
    assert passwd_entry(img, "root")[6] == "/bin/sh"
    tmp = fs.get("/tmp")
    assert isinstance(tmp, Dir) and tmp.meta.mode == 0o1777


@pytest.mark.parametrize(
    "ref", ["debian:bookworm-slim", "debian:bookworm", "ubuntu:22.04", "ubuntu:24.04"]
)
def test_debian_family_skeleton(ref: str) -> None:
    img = lookup(ref)
    fs = img.rootfs.fs()
    assert fs.realpath("/bin/sh") == "/usr/bin/dash"  # usr-merged, dash as /bin/sh
    assert isinstance(fs.get("/bin/bash"), File)
    assert "Package: bash\n" in text(img, "/var/lib/dpkg/status")
    assert "VERSION_ID=" in text(img, "/etc/os-release")  # through the os-release symlink
    shadow = fs.get("/etc/shadow")
    assert isinstance(shadow, File) and shadow.meta.mode == 0o640
    assert fs.is_dir("/var/lib/apt/lists")


def test_ubuntu_noble_has_the_ubuntu_user() -> None:
    assert passwd_entry(lookup("ubuntu:24.04"), "ubuntu")[2:4] == ["1000", "1000"]
    assert passwd_entry(lookup("eclipse-temurin:21-jre"), "ubuntu")[2] == "1000"
    with pytest.raises(AssertionError):
        passwd_entry(lookup("ubuntu:22.04"), "ubuntu")


def test_toolchain_layouts() -> None:
    go = lookup("golang:1.23").rootfs.fs()
    assert go.get("/usr/local/go/VERSION").size > 0
    assert isinstance(go.get("/usr/local/go/bin/go"), File)
    gopath = go.get("/go")
    assert isinstance(gopath, Dir) and gopath.meta.mode == 0o1777
    java = lookup("eclipse-temurin:17-jdk").rootfs.fs()
    assert isinstance(java.get("/opt/java/openjdk/bin/javac"), File)
    assert not lookup("eclipse-temurin:17-jre").rootfs.fs().exists("/opt/java/openjdk/bin/javac")
    mvn = lookup("maven:3.9-eclipse-temurin-21").rootfs.fs()
    assert mvn.realpath("/usr/bin/mvn") == "/usr/share/maven/bin/mvn"
    assert mvn.exists("/opt/java/openjdk/lib/modules")  # inherited from eclipse-temurin:21-jdk
    py = lookup("python:3.12-slim").rootfs.fs()
    assert py.realpath("/usr/local/bin/python") == "/usr/local/bin/python3.12"
    assert py.is_dir("/usr/local/lib/python3.12/site-packages/pip")
    assert (
        lookup("python:3.11")
        .rootfs.fs()
        .is_dir("/usr/local/lib/python3.11/site-packages/setuptools")
    )
    rust = lookup("rust:1-slim").rootfs.fs()
    assert rust.is_dir("/usr/local/rustup/toolchains/1.97.1-x86_64-unknown-linux-gnu")


def test_distroless() -> None:
    static = lookup("gcr.io/distroless/static-debian12")
    fs = static.rootfs.fs()
    assert not fs.exists("/bin/sh")
    assert passwd_entry(static, "nonroot")[2:4] == ["65532", "65532"]
    home = fs.get("/home/nonroot")
    assert isinstance(home, Dir) and home.meta.uid == 65532
    base = lookup("gcr.io/distroless/base:nonroot")
    assert base.config.user == "65532"
    assert base.rootfs.fs().exists("/usr/lib/x86_64-linux-gnu/libc.so.6")
    assert lookup("gcr.io/distroless/static:nonroot").rootfs is static.rootfs


# --- caching, isolation, speed -------------------------------------------------------------


def test_writes_through_a_snapshot_do_not_touch_the_catalog() -> None:
    img = lookup("alpine:3.21")
    fs = img.rootfs.fs()
    fs.write_file("/etc/passwd", b"changed\n")
    fs.remove("/bin", recursive=True)
    again = lookup("alpine:3.21")
    assert again is img
    assert text(again, "/etc/passwd").startswith("root:x:0:0:")
    assert again.rootfs.fs().exists("/bin/busybox")
    # A child image's skeleton did not change its base's either.
    assert "nginx" not in text(lookup("alpine:3.21"), "/etc/passwd")


def test_import_reads_no_yaml() -> None:
    code = (
        "import sys, emu.images.catalog as c\n"
        "assert not c._families, c._families\n"
        "assert 'yaml' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_lookup_speed() -> None:
    catalog._clear_caches()
    try:
        start = time.perf_counter()
        # Parse node, buildpack-deps, debian and the index; build debian -> buildpack-deps ->
        # node:22.
        lookup("node:22")
        cold = time.perf_counter() - start
        item = catalog._resolve("rust:latest").item
        catalog._family("debian")
        start = time.perf_counter()
        catalog._snapshot(item)  # buildpack-deps:bookworm is built already: rust's own files
        build = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(1000):
            lookup("node:22")
        warm = (time.perf_counter() - start) / 1000
    finally:
        catalog._clear_caches()
    assert cold < 1.0
    assert build < 0.05
    assert warm < 0.0001


def test_every_data_file_is_a_family() -> None:
    files = sorted(p.stem for p in CATALOG_DATA.glob("*.yaml") if p.stem != "_index")
    assert files == sorted(f.name for f in catalog.families())
    for image_id in ids():
        if image_id == "scratch":
            continue
        assert lookup(image_id).name == familiar(image_id)
