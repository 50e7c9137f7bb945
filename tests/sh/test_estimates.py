"""Packages emu has no index for — Alpine's beyond its table, every dnf/microdnf/yum one —
install as estimates from their Debian counterparts, and say so."""

from __future__ import annotations

import pytest
from test_tools import blob, call, image, sh, size, text

from emu.fs import FS, File, Meta
from emu.sh import permissive


def test_apk_estimates_an_unknown_package_from_its_debian_counterpart() -> None:
    fs, env = image("alpine:3.19")
    before = size(fs)
    status, out, err = call(fs, env, ["apk", "add", "--no-cache", "sqlite", "curl"], cwd="/")
    assert status == 0, err
    assert "emu: estimate: sqlite: not in emu's data (Alpine's index cannot be read" in err
    assert "Debian 13's sqlite3" in err
    assert "sqlite estimated" in out
    assert isinstance(fs.lookup("/usr/bin/sqlite3"), File)
    assert "estimate" in blob(fs, "/usr/bin/sqlite3").label
    assert "P:sqlite\n" in text(fs, "/lib/apk/db/installed")
    assert size(fs) - before > 1_000_000
    # and apk del takes it away again
    assert call(fs, env, ["apk", "del", "sqlite"], cwd="/")[0] == 0
    assert fs.lookup("/usr/bin/sqlite3") is None


def test_apk_estimates_from_an_older_release_when_the_newest_dropped_it() -> None:
    fs, env = image("alpine:3.19")
    status, _, err = call(fs, env, ["apk", "add", "--no-cache", "openjdk17-jre"], cwd="/")
    assert status == 0
    assert "Debian 12's openjdk-17-jre-headless" in err
    assert isinstance(fs.lookup("/usr/bin/java"), File)  # behind its alternatives link


def test_apk_name_nobody_has_fails_unless_permissive() -> None:
    fs, env = image("alpine:3.19")
    status, _, err = call(fs, env, ["apk", "add", "--no-cache", "nosuchpkg"], cwd="/")
    assert status == 1 and "nosuchpkg (no such package)" in err
    assert "--permissive installs it as an estimate" in err
    with permissive.session(True):
        status, out, err = call(fs, env, ["apk", "add", "--no-cache", "nosuchpkg"], cwd="/")
    assert status == 0 and "nosuchpkg estimated" in out
    assert "the median size of a Debian package" in err
    assert "P:nosuchpkg\n" in text(fs, "/lib/apk/db/installed")


def redhat(os_id: str = "rhel", version: str = "9.4") -> tuple[FS, dict[str, str]]:
    fs, env = image("debian:bookworm-slim")
    fs.write_file("/etc/os-release", f'ID="{os_id}"\nVERSION_ID="{version}"\n'.encode())
    for name in ("dnf", "microdnf", "yum", "rpm"):
        fs.write_file(f"/usr/bin/{name}", b"\x7fELF", Meta(0o755))
    return fs, env


def test_dnf_installs_estimates_and_clean_all_removes_the_metadata() -> None:
    fs, env = redhat()
    before = size(fs)
    status, out, err = call(fs, env, ["dnf", "install", "-y", "git", "tar"], cwd="/")
    assert status == 0, err
    assert "Package tar is already installed." in out  # the image has /usr/bin/tar
    assert " git              x86_64         2." in out and ".el9" in out
    assert "Complete!" in out
    assert "emu: estimate: git: not in emu's data (dnf's repositories cannot be read" in err
    assert isinstance(fs.lookup("/usr/bin/git"), File)
    assert "estimate" in blob(fs, "/usr/bin/git").label
    assert fs.listdir("/var/cache/dnf")
    grown = size(fs) - before
    status, out, _ = sh(fs, env, "dnf clean all && rpm -q git && rpm -qa", cwd="/")
    assert status == 0 and "git-2." in out
    assert fs.listdir("/var/cache/dnf") == []
    assert grown - (size(fs) - before) > 20_000_000  # the metadata went


def test_microdnf_and_yum_speak_their_own_way() -> None:
    fs, env = redhat()
    status, out, _ = call(fs, env, ["microdnf", "install", "-y", "shadow-utils", "zip"], cwd="/")
    assert status == 0
    assert "Installing:" in out and "Complete." in out
    assert fs.listdir("/var/cache/yum")
    fs, env = redhat("amzn", "2")
    status, out, err = call(fs, env, ["yum", "install", "zip"], cwd="/")
    assert status == 1 and "Is this ok [y/N]: Operation aborted." in out
    assert "add -y" in err
    status, out, _ = call(fs, env, ["yum", "install", "-y", "zip"], cwd="/")
    assert status == 0 and ".amzn2" in out


@pytest.mark.parametrize(
    ("name", "debian"),
    [("gcc-c++", "g++"), ("java-17-openjdk-devel", "openjdk-17-jdk-headless"),
     ("openssl-devel", "libssl-dev")],
)  # fmt: skip
def test_dnf_renames(name: str, debian: str) -> None:
    fs, env = redhat()
    status, _, err = call(fs, env, ["dnf", "install", "-y", name], cwd="/")
    assert status == 0
    assert f"'s {debian}" in err


def test_dnf_unknown_name_fails_as_dnf_does() -> None:
    fs, env = redhat()
    status, out, err = call(fs, env, ["dnf", "install", "-y", "nosuchpkg"], cwd="/")
    assert status == 1
    assert "No match for argument: nosuchpkg" in out
    assert "Error: Unable to find a match: nosuchpkg" in err


def test_dnf_groupinstall() -> None:
    fs, env = redhat()
    status, _, err = call(fs, env, ["dnf", "groupinstall", "-y", "Development Tools"], cwd="/")
    assert status == 0 and "build-essential" in err
    assert isinstance(fs.lookup("/usr/bin/make"), File)
