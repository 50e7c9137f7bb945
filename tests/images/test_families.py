"""Golden tests per image family: a few tags each, with the files, users, config and sizes
the real image has (as the catalog data cites them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emu.fs import Blob, Dir, File, Symlink, walk
from emu.images import catalog
from emu.images.catalog import describe, families, lookup, tree_size
from emu.images.image import DEFAULT_PATH, Image

CATALOG_DATA = Path(catalog.__file__).parent / "data"


def text(img: Image, path: str) -> str:
    node = img.rootfs.fs().get(path)
    assert isinstance(node, File), path
    assert node.data is not None, f"{path} is size-only"
    return node.data.decode()


def users(img: Image) -> dict[str, tuple[int, int, str, str]]:
    out = {}
    for line in text(img, "/etc/passwd").splitlines():
        f = line.split(":")
        out[f[0]] = (int(f[2]), int(f[3]), f[5], f[6])
    return out


def env(img: Image) -> dict[str, str]:
    return img.config.env_dict()


def is_exe(img: Image, path: str) -> bool:
    fs = img.rootfs.fs()
    node = fs.get(path)  # follows symlinks
    return isinstance(node, File) and bool(node.meta.mode & 0o111)


# --- every family's listed examples ---------------------------------------------------------


def _examples() -> list[str]:
    out = []
    for fam in families():
        raw = json.loads((CATALOG_DATA / f"{fam.name}.json").read_text())
        out.extend(raw.get("examples", []))
    return out


EXAMPLES = _examples()


def test_every_family_lists_examples_and_says_what_tags_it_reads() -> None:
    fams = families()
    assert len(fams) >= 40
    for fam in fams:
        assert fam.about and fam.tags, fam.name
        assert fam.repositories, fam.name
    names = {f.name for f in fams}
    for wanted in ("alpine", "debian", "ubuntu", "busybox", "node", "python", "golang", "rust",
                   "openjdk", "eclipse-temurin", "amazoncorretto", "maven", "gradle", "nginx",
                   "httpd", "php", "ruby", "elixir", "erlang", "dotnet", "distroless", "redis",
                   "postgres", "mysql", "mariadb", "mongo", "gcc", "bun", "deno", "ubi",
                   "amazonlinux", "fedora", "centos", "rockylinux", "cargo-chef",
                   "xx"):  # fmt: skip
        assert wanted in names, wanted


@pytest.mark.parametrize("ref", EXAMPLES)
def test_every_example_resolves_and_its_size_adds_up(ref: str) -> None:
    img = lookup(ref)
    info = describe(ref)
    assert tree_size(img.rootfs.root) == img.base_size == info.size, ref
    assert info.size_source, ref
    if info.size_estimate:
        assert "ESTIMATE" in info.size_source.upper(), ref
    if info.compressed is not None:
        assert 0 < info.compressed <= info.size, ref
    assert img.config.get_env("PATH") is not None or img.config.env == (), ref
    for path, node in walk(img.rootfs.root):
        if isinstance(node, File) and isinstance(node.content, Blob):
            assert node.content.label, f"{ref}: {path}"
            assert "{{" not in node.content.label, f"{ref}: {path}"
        if isinstance(node, File) and node.data is not None:
            assert b"{{" not in node.data, f"{ref}: {path} has an unfilled parameter"


# --- distributions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "version_id", "pretty", "codename"),
    [
        ("alpine:3.18", "3.18.12", "Alpine Linux v3.18", None),
        ("alpine:3.16", "3.16.9", "Alpine Linux v3.16", None),
        ("alpine:3.24", "3.24.2", "Alpine Linux v3.24", None),
        ("debian:bullseye-slim", '"11"', "Debian GNU/Linux 11 (bullseye)", "bullseye"),
        ("debian:12.5-slim", '"12"', "Debian GNU/Linux 12 (bookworm)", "bookworm"),
        ("debian:trixie", '"13"', "Debian GNU/Linux 13 (trixie)", "trixie"),
        ("ubuntu:20.04", '"20.04"', "Ubuntu 20.04.6 LTS", "focal"),
        ("ubuntu:jammy", '"22.04"', "Ubuntu 22.04.5 LTS", "jammy"),
        ("ubuntu:24.10", '"24.10"', "Ubuntu 24.10", "oracular"),
    ],
)
def test_os_release(ref: str, version_id: str, pretty: str, codename: str | None) -> None:
    img = lookup(ref)
    os_release = text(img, "/etc/os-release")
    assert f"VERSION_ID={version_id}" in os_release
    assert f'PRETTY_NAME="{pretty}"' in os_release
    if codename:
        assert f"VERSION_CODENAME={codename}" in os_release
    assert text(img, "/etc/issue").strip()


def test_alpine_skeleton_follows_the_release() -> None:
    old, new = lookup("alpine:3.16"), lookup("alpine:3.21")
    assert old.rootfs.fs().exists("/usr/lib/libcrypto.so.1.1")  # OpenSSL 1.1 up to 3.16
    assert new.rootfs.fs().exists("/usr/lib/libcrypto.so.3")
    assert "V:1.35.0-r18" in text(old, "/lib/apk/db/installed")  # its busybox
    assert "alpine/v3.16/main" in text(old, "/etc/apk/repositories")
    assert text(old, "/etc/alpine-release") == "3.16.9\n"
    assert old.config.cmd == ("/bin/sh",)
    # no update-ca-certificates in plain alpine: only the bundle
    assert not old.rootfs.fs().exists("/usr/sbin/update-ca-certificates")
    assert old.rootfs.fs().exists("/etc/ssl/certs/ca-certificates.crt")


@pytest.mark.parametrize("ref", ["debian:bookworm-slim", "debian:bullseye", "ubuntu:22.04",
                                 "ubuntu:24.04", "debian:buster-slim"])  # fmt: skip
def test_debian_family_has_adduser_and_addgroup_and_bash(ref: str) -> None:
    img = lookup(ref)
    fs = img.rootfs.fs()
    assert fs.realpath("/usr/sbin/addgroup") == "/usr/sbin/adduser"
    assert is_exe(img, "/usr/sbin/adduser") and is_exe(img, "/usr/sbin/useradd")
    assert is_exe(img, "/bin/bash")
    status = text(img, "/var/lib/dpkg/status")
    assert "Package: adduser\n" in status and "Package: bash\n" in status
    assert not fs.exists("/usr/sbin/update-ca-certificates")  # not in the base images


def test_debian_releases_differ_where_the_real_ones_do() -> None:
    bookworm, bullseye = lookup("debian:bookworm-slim"), lookup("debian:bullseye-slim")
    assert users(bookworm)["_apt"][0] == 42
    assert users(bullseye)["_apt"][0] == 100 and "gnats" in users(bullseye)
    assert "bookworm-security" in text(bookworm, "/etc/apt/sources.list.d/debian.sources")
    assert "bullseye-security" in text(bullseye, "/etc/apt/sources.list")
    assert text(bullseye, "/etc/debian_version") == "11.11\n"
    assert "Version: 5.1-2+deb11u1" in text(bullseye, "/var/lib/dpkg/status")


def test_ubuntu_user_only_from_23_04() -> None:
    assert users(lookup("ubuntu:24.04"))["ubuntu"][:2] == (1000, 1000)
    assert users(lookup("ubuntu:25.04"))["ubuntu"][:2] == (1000, 1000)
    assert "ubuntu" not in users(lookup("ubuntu:20.04"))
    assert lookup("ubuntu:noble").config.label_dict() == {
        "org.opencontainers.image.ref.name": "ubuntu",
        "org.opencontainers.image.version": "24.04",
    }


@pytest.mark.parametrize(
    ("ref", "pm", "has_useradd"),
    [
        ("registry.access.redhat.com/ubi9/ubi", "/usr/bin/dnf", True),
        ("registry.access.redhat.com/ubi9/ubi-minimal", "/usr/bin/microdnf", False),
        ("redhat/ubi8-minimal", "/usr/bin/microdnf", False),
        ("fedora:40", "/usr/bin/dnf", True),
        ("centos:7", "/usr/bin/yum", True),
        ("quay.io/centos/centos:stream9", "/usr/bin/dnf", True),
        ("rockylinux:9", "/usr/bin/dnf", True),
        ("rockylinux:8-minimal", "/usr/bin/microdnf", False),
        ("almalinux:9", "/usr/bin/dnf", True),
        ("oraclelinux:8-slim", "/usr/bin/microdnf", False),
        ("amazonlinux:2", "/usr/bin/yum", True),
        ("amazonlinux:2023", "/usr/bin/dnf", False),
    ],
)
def test_red_hat_family(ref: str, pm: str, has_useradd: bool) -> None:
    img = lookup(ref)
    fs = img.rootfs.fs()
    assert is_exe(img, "/bin/bash") and fs.realpath("/bin/sh") == "/usr/bin/bash"
    assert is_exe(img, pm)
    assert fs.exists("/usr/sbin/useradd") == has_useradd
    assert fs.exists("/var/lib/rpm/rpmdb.sqlite")
    assert fs.realpath("/etc/os-release") == "/usr/lib/os-release"
    assert text(img, "/etc/redhat-release").strip() in text(img, "/etc/os-release")
    assert is_exe(img, "/usr/bin/update-ca-trust")
    assert users(img)["root"] == (0, 0, "/root", "/bin/bash")


def test_ubi_micro_has_no_package_manager_and_init_runs_systemd() -> None:
    micro = lookup("registry.access.redhat.com/ubi9/ubi-micro")
    assert not micro.rootfs.fs().exists("/usr/bin/dnf")
    assert not micro.rootfs.fs().exists("/usr/bin/microdnf")
    init = lookup("registry.access.redhat.com/ubi9/ubi-init")
    assert init.config.cmd == ("/sbin/init",)
    assert 'VERSION_ID="9.6"' in text(init, "/etc/os-release")
    assert "PLATFORM_ID=\"platform:el8\"" in text(lookup("registry.access.redhat.com/ubi8/ubi"),
                                                  "/etc/os-release")  # fmt: skip


def test_busybox_every_tag_is_the_oracle() -> None:
    oracle = lookup("busybox")
    for ref in ("busybox:1.36", "busybox:1.36.1-musl", "busybox:glibc", "busybox:stable"):
        assert lookup(ref).rootfs is oracle.rootfs, ref
    assert "oracle" in describe("busybox:glibc").notes


# --- language images -------------------------------------------------------------------------


NODE_D = DEFAULT_PATH


@pytest.mark.parametrize(
    ("ref", "base_release", "node_version"),
    [
        ("node:20.11.1-alpine3.19", "3.19", "20.11.1"),
        ("node:18-bullseye-slim", "bullseye", "18.13.0"),
        ("node:16", "bullseye", "16.20.2"),
        ("node:lts-alpine", "3.21", "22.23.2"),
        ("node:24-slim", "bookworm", "24.11.1"),
        ("node:iron", "bookworm", "20.19.5"),
    ],
)
def test_node(ref: str, base_release: str, node_version: str) -> None:
    img = lookup(ref)
    assert env(img)["NODE_VERSION"] == node_version
    assert img.config.entrypoint == ("docker-entrypoint.sh",) and img.config.cmd == ("node",)
    assert users(img)["node"][:3] == (1000, 1000, "/home/node")
    assert base_release in text(img, "/etc/os-release").replace("bullseye", "11 (bullseye)") or (
        base_release in text(img, "/etc/os-release")
    )
    fs = img.rootfs.fs()
    assert is_exe(img, "/usr/local/bin/node")
    assert fs.realpath("/usr/local/bin/npm").endswith("npm-cli.js")
    assert is_exe(img, "/usr/local/bin/yarn")


def test_node_full_images_stand_on_buildpack_deps() -> None:
    img = lookup("node:20-bookworm")
    fs = img.rootfs.fs()
    for tool in ("git", "curl", "wget", "make", "gcc", "g++", "cc", "c++", "python3"):
        assert is_exe(img, f"/usr/bin/{tool}"), tool
    assert fs.realpath("/usr/bin/cc") == "/usr/bin/x86_64-linux-gnu-gcc-12"
    assert fs.realpath("/usr/bin/c++") == "/usr/bin/x86_64-linux-gnu-g++-12"
    assert is_exe(img, "/usr/sbin/update-ca-certificates")
    assert "Package: ca-certificates\n" in text(img, "/var/lib/dpkg/status")
    old = lookup("node:16").rootfs.fs()  # bullseye: gcc 10
    assert old.realpath("/usr/bin/cc") == "/usr/bin/x86_64-linux-gnu-gcc-10"


@pytest.mark.parametrize(
    ("ref", "minor", "setuptools"),
    [
        ("python:3.12-slim-bookworm", "3.12", False),
        ("python:3.10-alpine", "3.10", True),
        ("python:3.9", "3.9", True),
        ("python:3.13-slim", "3.13", False),
        ("python:3.8-slim-bullseye", "3.8", True),
    ],
)
def test_python(ref: str, minor: str, setuptools: bool) -> None:
    img = lookup(ref)
    fs = img.rootfs.fs()
    assert fs.realpath("/usr/local/bin/python") == f"/usr/local/bin/python{minor}"
    assert is_exe(img, f"/usr/local/bin/pip{minor}")
    site = f"/usr/local/lib/python{minor}/site-packages"
    assert fs.is_dir(f"{site}/pip")
    assert fs.is_dir(f"{site}/setuptools") == setuptools
    assert img.config.cmd == ("python3",)
    assert env(img)["PYTHON_VERSION"].startswith(minor)
    assert env(img)["LANG"] == "C.UTF-8"
    assert is_exe(img, "/usr/sbin/update-ca-certificates")  # the images install ca-certificates


def test_python_314_has_no_gpg_key() -> None:
    assert "GPG_KEY" not in env(lookup("python:3.14-slim"))
    assert env(lookup("python:3.10"))["GPG_KEY"] == "A035C8C19219BA821ECEA86B64E628F8D684696D"


@pytest.mark.parametrize(
    ("ref", "version", "toolchain"),
    [
        ("golang:1.24.2-alpine", "1.24.2", True),
        ("golang:1.22-alpine3.19", "1.22.12", True),
        ("golang:1.20", "1.20.14", False),
        ("golang:1.16-buster", "1.16.15", False),
    ],
)
def test_golang(ref: str, version: str, toolchain: bool) -> None:
    img = lookup(ref)
    assert text(img, "/usr/local/go/VERSION") == f"go{version}\n"
    assert env(img)["GOLANG_VERSION"] == version
    assert ("GOTOOLCHAIN" in env(img)) == toolchain  # from Go 1.21
    assert img.config.working_dir == "/go"
    assert env(img)["PATH"].startswith("/go/bin:/usr/local/go/bin:")
    gopath = img.rootfs.fs().get("/go")
    assert isinstance(gopath, Dir) and gopath.meta.mode == 0o1777


def test_golang_full_has_gcc_and_cc_alpine_has_ca_certificates() -> None:
    full = lookup("golang:1.22")
    assert is_exe(full, "/usr/bin/gcc") and is_exe(full, "/usr/bin/cc")
    assert is_exe(full, "/usr/bin/git")  # buildpack-deps:-scm
    alpine = lookup("golang:1.22-alpine")
    assert is_exe(alpine, "/usr/sbin/update-ca-certificates")
    assert "P:ca-certificates\n" in text(alpine, "/lib/apk/db/installed")


def test_rust_any_version() -> None:
    img = lookup("rust:1.75-slim-bookworm")
    assert env(img)["RUST_VERSION"] == "1.75.0"
    fs = img.rootfs.fs()
    assert fs.is_dir("/usr/local/rustup/toolchains/1.75.0-x86_64-unknown-linux-gnu")
    assert fs.get("/usr/local/cargo/bin/cargo") is fs.get("/usr/local/cargo/bin/rustup")
    assert is_exe(img, "/usr/bin/cc")  # the linker driver
    assert any("1.75.0" in n for n in img.notes)  # the patch number was assumed
    alpine = lookup("rust:1-alpine")
    assert is_exe(alpine, "/usr/bin/cc") and is_exe(alpine, "/usr/bin/c++")


@pytest.mark.parametrize(
    ("ref", "java_home", "java_version", "javac", "cmd"),
    [
        ("eclipse-temurin:17-jre-alpine", "/opt/java/openjdk", "jdk-17.0.20+8", False, None),
        ("eclipse-temurin:21-jdk-jammy", "/opt/java/openjdk", "jdk-21.0.12+8", True,
         ("jshell",)),
        ("eclipse-temurin:17.0.9_9-jdk", "/opt/java/openjdk", "jdk-17.0.9+9", True, ("jshell",)),
        ("eclipse-temurin:8-jdk", "/opt/java/openjdk", "jdk8u472-b08", True, None),
        ("openjdk:17-jdk-slim", "/usr/local/openjdk-17", None, True, ("jshell",)),
        ("openjdk:11-jre-slim", "/usr/local/openjdk-11", None, False, ("jshell",)),
        ("openjdk:17", "/usr/java/openjdk-17", None, True, ("jshell",)),
        ("amazoncorretto:17", "/usr/lib/jvm/java-17-amazon-corretto", None, True, None),
        ("amazoncorretto:21-alpine", "/usr/lib/jvm/default-jvm", None, True, None),
    ],
)  # fmt: skip
def test_java(ref: str, java_home: str, java_version: str | None, javac: bool,
              cmd: tuple[str, ...] | None) -> None:  # fmt: skip
    img = lookup(ref)
    assert env(img)["JAVA_HOME"] == java_home
    if java_version is not None:
        assert env(img)["JAVA_VERSION"] == java_version
    assert is_exe(img, f"{java_home}/bin/java")
    assert img.rootfs.fs().exists(f"{java_home}/bin/javac") == javac
    if ref.startswith("eclipse-temurin"):
        assert img.config.entrypoint == ("/__cacert_entrypoint.sh",)
        assert img.config.cmd == cmd
    elif ref.startswith("openjdk"):
        assert img.config.cmd == cmd


def test_java_build_tools() -> None:
    mvn = lookup("maven:3.9-eclipse-temurin-17")
    assert mvn.config.entrypoint == ("/usr/local/bin/mvn-entrypoint.sh",)
    assert mvn.config.cmd == ("mvn",)
    assert env(mvn)["JAVA_VERSION"] == "jdk-17.0.20+8"
    assert mvn.rootfs.fs().realpath("/usr/bin/mvn") == "/usr/share/maven/bin/mvn"
    corretto = lookup("maven:3.9.6-amazoncorretto-21")
    assert env(corretto)["JAVA_HOME"] == "/usr/lib/jvm/java-21-amazon-corretto"
    stand_in = describe("maven:3.9-sapmachine-21")
    assert "sapmachine" in stand_in.notes and "Temurin" in stand_in.notes
    gradle = lookup("gradle:8.5-jdk17-alpine")
    assert gradle.config.cmd == ("gradle",) and gradle.config.working_dir == "/home/gradle"
    assert env(gradle)["GRADLE_VERSION"] == "8.5.0"
    assert gradle.rootfs.fs().realpath("/usr/bin/gradle") == "/opt/gradle-8.5.0/bin/gradle"
    assert "Alpine" in text(gradle, "/etc/os-release")
    assert users(gradle)["gradle"][:2] == (1000, 1000)


@pytest.mark.parametrize(
    ("ref", "cmd", "ports", "workdir", "stop"),
    [
        ("php:8.2-fpm-alpine", ("php-fpm",), ("9000/tcp",), "/var/www/html", "SIGQUIT"),
        ("php:8.3-apache", ("apache2-foreground",), ("80/tcp",), "/var/www/html", "SIGWINCH"),
        ("php:8.1-cli", ("php", "-a"), (), "", ""),
        ("php:7.4-fpm", ("php-fpm",), ("9000/tcp",), "/var/www/html", "SIGQUIT"),
    ],
)
def test_php(ref: str, cmd: tuple[str, ...], ports: tuple[str, ...], workdir: str,
             stop: str) -> None:  # fmt: skip
    img = lookup(ref)
    assert img.config.entrypoint == ("docker-php-entrypoint",)
    assert (img.config.cmd, img.config.exposed_ports) == (cmd, ports)
    assert (img.config.working_dir, img.config.stop_signal) == (workdir, stop)
    for tool in ("php", "docker-php-ext-install", "docker-php-ext-enable", "pecl", "phpize"):
        assert is_exe(img, f"/usr/local/bin/{tool}"), tool
    assert env(img)["PHP_INI_DIR"] == "/usr/local/etc/php"
    www = 82 if "alpine" in ref else 33
    assert users(img)["www-data"][:2] == (www, www)


def test_other_languages() -> None:
    ruby = lookup("ruby:3.3-slim")
    assert ruby.config.cmd == ("irb",)
    assert env(ruby)["GEM_HOME"] == "/usr/local/bundle"
    assert env(ruby)["PATH"].startswith("/usr/local/bundle/bin:")
    assert is_exe(ruby, "/usr/local/bin/bundle")
    elixir = lookup("elixir:1.15.7-otp-26-alpine")
    assert elixir.config.cmd == ("iex",) and env(elixir)["ELIXIR_VERSION"] == "v1.15.7"
    assert env(elixir)["OTP_VERSION"].startswith("26.")
    assert is_exe(elixir, "/usr/local/bin/mix") and is_exe(elixir, "/usr/local/bin/erl")
    hex_elixir = lookup("hexpm/elixir:1.16.1-erlang-26.2.2-debian-bookworm-20240130-slim")
    assert "bookworm" in text(hex_elixir, "/etc/os-release")
    gcc = lookup("gcc:13")
    assert env(gcc)["GCC_VERSION"] == "13.4.0"
    assert gcc.rootfs.fs().realpath("/usr/local/bin/cc") == "/usr/local/bin/gcc"
    assert is_exe(gcc, "/usr/local/bin/c++")
    bun = lookup("oven/bun:1-alpine")
    assert bun.config.cmd == ("/usr/local/bin/bun",)
    assert bun.config.working_dir == "/home/bun/app"
    assert bun.rootfs.fs().realpath("/usr/local/bin/bunx") == "/usr/local/bin/bun"
    deno = lookup("denoland/deno:alpine-2.1.4")
    assert env(deno)["DENO_DIR"] == "/deno-dir/" and is_exe(deno, "/usr/bin/deno")
    assert users(deno)["deno"][:2] == (1993, 1993)
    bin_only = lookup("denoland/deno:bin-1.46.3")
    assert sorted(bin_only.rootfs.root.entries) == ["deno"]


# --- servers and databases ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "entrypoint", "cmd", "ports", "volumes", "user", "uid"),
    [
        ("nginx:1.25-alpine", ("/docker-entrypoint.sh",), ("nginx", "-g", "daemon off;"),
         ("80/tcp",), (), "nginx", 101),
        ("nginxinc/nginx-unprivileged:alpine", ("/docker-entrypoint.sh",),
         ("nginx", "-g", "daemon off;"), ("8080/tcp",), (), "nginx", 101),
        ("httpd:2.4", None, ("httpd-foreground",), ("80/tcp",), (), "www-data", 33),
        ("redis:7-alpine", ("docker-entrypoint.sh",), ("redis-server",), ("6379/tcp",),
         ("/data",), "redis", 999),
        ("postgres:16-alpine", ("docker-entrypoint.sh",), ("postgres",), ("5432/tcp",),
         ("/var/lib/postgresql/data",), "postgres", 70),
        ("postgres:15", ("docker-entrypoint.sh",), ("postgres",), ("5432/tcp",),
         ("/var/lib/postgresql/data",), "postgres", 999),
        ("mysql:8.0", ("docker-entrypoint.sh",), ("mysqld",), ("3306/tcp", "33060/tcp"),
         ("/var/lib/mysql",), "mysql", 999),
        ("mariadb:11", ("docker-entrypoint.sh",), ("mariadbd",), ("3306/tcp",),
         ("/var/lib/mysql",), "mysql", 999),
        ("mongo:7", ("docker-entrypoint.sh",), ("mongod",), ("27017/tcp",),
         ("/data/configdb", "/data/db"), "mongodb", 999),
    ],
)  # fmt: skip
def test_servers(ref: str, entrypoint: tuple[str, ...] | None, cmd: tuple[str, ...],
                 ports: tuple[str, ...], volumes: tuple[str, ...], user: str,
                 uid: int) -> None:  # fmt: skip
    img = lookup(ref)
    assert img.config.entrypoint == entrypoint
    assert img.config.cmd == cmd
    assert img.config.exposed_ports == ports
    assert img.config.volumes == volumes
    assert users(img)[user][0] == uid


def test_server_details() -> None:
    pg = lookup("postgres:17")
    assert env(pg)["PATH"].endswith(":/usr/lib/postgresql/17/bin")
    assert env(pg)["PG_VERSION"] == "17.10-1.pgdg12+1"
    assert pg.config.stop_signal == "SIGINT"
    assert describe("postgres:17").size == 437_740_000 and not describe("postgres:17").size_estimate
    assert describe("postgres:16-alpine").size == 294_300_000
    assert is_exe(pg, "/usr/lib/postgresql/17/bin/psql")
    unpriv = lookup("nginxinc/nginx-unprivileged:alpine")
    assert unpriv.config.user == "101"
    assert "Oracle Linux" in text(lookup("mysql:8.0"), "/etc/os-release")
    assert "noble" in text(lookup("mongo:8.0"), "/etc/os-release")
    assert describe("redis:7.0-alpine").size == 29_900_000
    assert lookup("redis:7.2").config.working_dir == "/data"


# --- .NET, distroless, build helpers -------------------------------------------------------------


def test_dotnet() -> None:
    sdk = lookup("mcr.microsoft.com/dotnet/sdk:8.0")
    e = env(sdk)
    assert e["DOTNET_SDK_VERSION"] == "8.0.415" and e["DOTNET_VERSION"] == "8.0.21"
    assert e["ASPNET_VERSION"] == "8.0.21" and e["ASPNETCORE_HTTP_PORTS"] == "8080"
    assert sdk.rootfs.fs().realpath("/usr/bin/dotnet") == "/usr/share/dotnet/dotnet"
    assert users(sdk)["app"][:2] == (1654, 1654)
    assert "bookworm" in text(sdk, "/etc/os-release")
    old = lookup("mcr.microsoft.com/dotnet/aspnet:6.0")
    assert env(old)["ASPNETCORE_URLS"] == "http://+:80"
    chiseled = lookup("mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled")
    fs = chiseled.rootfs.fs()
    assert not fs.exists("/bin/sh") and not fs.exists("/usr/bin/apt-get")
    assert chiseled.config.user == "1654"
    assert is_exe(chiseled, "/usr/share/dotnet/dotnet")
    assert "Alpine" in text(lookup("mcr.microsoft.com/dotnet/aspnet:8.0-alpine"), "/etc/os-release")
    assert "noble" in text(lookup("mcr.microsoft.com/dotnet/sdk:10.0"), "/etc/os-release")
    mariner = describe("mcr.microsoft.com/dotnet/runtime:8.0-azurelinux3.0")
    assert "UBI 9 minimal" in mariner.notes


@pytest.mark.parametrize(
    ("ref", "entrypoint", "user", "workdir", "shell"),
    [
        ("gcr.io/distroless/static-debian12", (), "0", "/", False),
        ("gcr.io/distroless/cc-debian12:nonroot", (), "65532", "/home/nonroot", False),
        ("gcr.io/distroless/static-debian11:debug", ("/busybox/sh",), "0", "/", True),
        ("gcr.io/distroless/base:debug-nonroot", ("/busybox/sh",), "65532", "/home/nonroot",
         True),
        ("gcr.io/distroless/nodejs22-debian12", ("/nodejs/bin/node",), "0", "/", False),
        ("gcr.io/distroless/python3-debian12", ("/usr/bin/python3",), "0", "/", False),
        ("gcr.io/distroless/java17-debian12", ("/usr/bin/java", "-jar"), "0", "/", False),
    ],
)  # fmt: skip
def test_distroless(ref: str, entrypoint: tuple[str, ...], user: str, workdir: str,
                    shell: bool) -> None:  # fmt: skip
    img = lookup(ref)
    assert (img.config.entrypoint, img.config.user, img.config.working_dir) == (
        entrypoint, user, workdir)  # fmt: skip
    fs = img.rootfs.fs()
    assert fs.exists("/bin/sh") is False
    assert fs.exists("/busybox/sh") == shell
    assert users(img)["nonroot"][:2] == (65532, 65532)
    assert env(img)["SSL_CERT_FILE"] == "/etc/ssl/certs/ca-certificates.crt"


def test_distroless_tags_share_files() -> None:
    latest = lookup("gcr.io/distroless/cc-debian12")
    assert lookup("gcr.io/distroless/cc-debian12:nonroot").rootfs is latest.rootfs
    assert lookup("gcr.io/distroless/cc-debian12:latest-amd64").rootfs is latest.rootfs
    assert latest.rootfs.fs().exists("/usr/lib/x86_64-linux-gnu/libstdc++.so.6")
    eleven = lookup("gcr.io/distroless/static-debian11")
    assert 'VERSION_ID="11"' in text(eleven, "/etc/os-release")


def test_cargo_chef_and_xx_and_uv() -> None:
    chef = lookup("lukemathwalker/cargo-chef:latest-rust-1.75-slim-bookworm")
    assert is_exe(chef, "/usr/local/cargo/bin/cargo-chef")
    assert env(chef)["RUST_VERSION"] == "1.75.0"
    chef_alpine = lookup("lukemathwalker/cargo-chef:0.1.62-rust-1.75.0-alpine3.19")
    assert "v3.19" in text(chef_alpine, "/etc/os-release")
    xx = lookup("tonistiigi/xx:1.6.1")
    scripts = sorted(xx.rootfs.fs().listdir("/usr/bin"))
    for tool in ("xx-apk", "xx-apt-get", "xx-go", "xx-cargo", "xx-cc", "xx-info", "xx-verify"):
        assert tool in scripts, tool
    assert text(xx, "/usr/bin/xx-apk").startswith("#!/usr/bin/env sh\n")
    assert sorted(xx.rootfs.root.entries) == ["usr"]  # FROM scratch
    uv = lookup("ghcr.io/astral-sh/uv:0.5.11")
    assert sorted(uv.rootfs.root.entries) == ["uv", "uvx"] and uv.config.entrypoint == ("/uv",)
    uv_py = lookup("ghcr.io/astral-sh/uv:python3.12-bookworm-slim")
    assert is_exe(uv_py, "/usr/local/bin/uv") and is_exe(uv_py, "/usr/local/bin/python3.12")


def test_third_party_models_say_they_are_models() -> None:
    third_party = [
        "n8nio/base:18",
        "golangci/golangci-lint:v1.55.2",
        "louislam/uptime-kuma:base-debian",
        "adoptopenjdk/openjdk11:alpine-jre",
        "microsoft/aspnetcore:2.0.5",
    ]
    for ref in third_party:
        info = describe(ref)
        assert info.notes and info.size_estimate, ref
    assert "node:18" in describe("n8nio/base:18").base  # type: ignore[operator]
    lint = lookup("golangci/golangci-lint:v1.55.2")
    assert is_exe(lint, "/usr/bin/golangci-lint") and is_exe(lint, "/usr/local/go/bin/go")
    adopt = lookup("adoptopenjdk/openjdk11:jre-11.0.10_9-alpine")
    assert env(adopt)["JAVA_HOME"] == "/opt/java/openjdk" and "Alpine" in text(
        adopt, "/etc/os-release")  # fmt: skip


# --- sizes ------------------------------------------------------------------------------


def test_estimates_follow_their_base() -> None:
    # The same model on a smaller base is smaller by the difference of the bases.
    on_319 = describe("node:20-alpine3.19")
    on_321 = describe("node:20-alpine")
    assert on_321.size - on_319.size == describe("alpine:3.21").size - describe("alpine:3.19").size
    assert "ESTIMATE from node:20-alpine" in on_319.size_source
    assert "alpine:3.19" in on_319.size_source
    # Measured models keep their measurement.
    assert not describe("python:3.11-slim").size_estimate
    assert describe("buildpack-deps:bookworm").size == 929_950_000


def test_symlinks_of_templated_paths_point_at_existing_files() -> None:
    for ref in ("node:16-alpine", "python:3.9-slim", "golang:1.19", "openjdk:11-jdk-slim",
                "dart:stable", "swift:5.10", "nvidia/cuda:12.2.0-devel-ubuntu22.04"):  # fmt: skip
        fs = lookup(ref).rootfs.fs()
        for path, node in walk(lookup(ref).rootfs.root):
            if isinstance(node, Symlink) and "emu" not in path and path.startswith(
                ("/usr/local/bin", "/usr/bin", "/opt", "/usr/lib/jvm")):  # fmt: skip
                if node.target.startswith(("/proc", "/dev")):
                    continue
                assert fs.exists(path), f"{ref}: {path} -> {node.target} dangles"


def test_every_grammar_regex_compiles() -> None:
    import re

    index = json.loads((CATALOG_DATA / "_index.json").read_text())
    for rule in [*index["patterns"], *index["refuse"], *index["fallback"]]:
        re.compile(rule["match"])
    for fam in families():
        raw = json.loads((CATALOG_DATA / f"{fam.name}.json").read_text())
        re.compile(raw.get("version_pattern", r"\d+"))
        for field in raw["fields"]:
            for choice in [] if field == "version" else field["choices"]:
                re.compile(choice["match"])


def test_version_lines_are_newest_first() -> None:
    from emu.images.grammar import version_vector

    for fam in families():
        vectors = [version_vector(v) or (0,) for v in fam.versions]
        assert vectors == sorted(vectors, reverse=True), fam.name
