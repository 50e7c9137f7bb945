"""apt on Debian/Ubuntu images knows every package of the release (emu.sh.tools.pkgdb):
what it installs, what it says about packages the image has, virtual packages, removal,
neighbouring releases and third-party repositories (estimates, marked as such)."""

from __future__ import annotations

import pytest
from test_tools import blob, call, image, sh, size, text

from emu.fs import FS, File, Symlink
from emu.sh.tools import pkgdb


def updated(ref: str) -> tuple[FS, dict[str, str]]:
    fs, env = image(ref)
    assert call(fs, env, ["apt-get", "update", "-qq"], cwd="/")[0] == 0
    return fs, env


def test_an_essential_package_is_already_the_newest_version() -> None:
    fs, env = updated("debian:bookworm-slim")
    before = size(fs)
    status, out, _ = call(fs, env, ["apt-get", "install", "-y", "tar", "bash"], cwd="/")
    assert status == 0
    version = pkgdb.universe("bookworm").get("tar").version  # type: ignore[union-attr]
    assert f"tar is already the newest version ({version}).\n" in out
    assert "0 upgraded, 0 newly installed" in out
    assert size(fs) == before


def test_any_package_of_the_release_installs_with_its_programs_on_path() -> None:
    fs, env = updated("debian:bookworm-slim")
    before = size(fs)
    args = ["apt-get", "install", "-y", "--no-install-recommends", "gosu", "ninja-build"]
    status, out, _ = call(fs, env, args, cwd="/")
    assert status == 0, out
    u = pkgdb.universe("bookworm")
    assert u is not None
    gosu = u.get("gosu")
    assert gosu is not None
    assert f"Unpacking gosu ({gosu.version}) ..." in out
    node = fs.lookup("/usr/sbin/gosu")
    assert isinstance(node, File) and node.meta.mode & 0o777 == 0o755
    assert "estimated" in blob(fs, "/usr/sbin/gosu").label
    assert isinstance(fs.lookup("/usr/bin/ninja"), File)
    grown = size(fs) - before
    wanted = gosu.installed_size + u.get("ninja-build").installed_size  # type: ignore[union-attr]
    assert wanted <= grown < wanted + 3_000_000  # .debs in the cache, status, lists
    stanza = text(fs, "/var/lib/dpkg/status").split("Package: gosu\n", 1)[1].split("\n\n")[0]
    assert f"Installed-Size: {gosu.installed_kib}" in stanza
    assert "/usr/sbin/gosu" in text(fs, "/var/lib/dpkg/info/gosu.list")


def test_the_universe_gives_dependencies_and_recommendations() -> None:
    fs, env = updated("debian:bookworm-slim")
    status, out, _ = call(
        fs, env, ["apt-get", "install", "-y", "--no-install-recommends", "git"], cwd="/"
    )
    assert status == 0
    assert "The following additional packages will be installed:" in out
    recommended = out.split("Recommended packages:\n", 1)[1].split("The following NEW")[0]
    assert "ssh-client" in recommended and "less" in recommended
    assert isinstance(fs.lookup("/usr/bin/git"), File)
    assert fs.lookup("/usr/bin/ssh") is None  # a recommendation, left out


def test_a_virtual_package() -> None:
    fs, env = updated("debian:bookworm-slim")
    status, out, _ = call(fs, env, ["apt-get", "install", "-y", "libvips"], cwd="/")
    assert status == 0 and "Note, selecting 'libvips42' instead of 'libvips'" in out
    # provided by what the image has
    status, out, _ = call(fs, env, ["apt-get", "install", "-y", "awk"], cwd="/")
    assert status == 0 and "Note, selecting 'mawk' instead of 'awk'" in out
    assert "mawk is already the newest version" in out


def test_a_virtual_package_with_several_providers_has_no_candidate() -> None:
    fs, env = updated("debian:bookworm-slim")
    status, out, err = call(fs, env, ["apt-get", "install", "-y", "java-runtime"], cwd="/")
    assert status == 100
    assert "Package java-runtime is a virtual package provided by:" in out
    assert "E: Package 'java-runtime' has no installation candidate" in err


def test_an_unknown_package_and_a_typo_fail_as_apt_does() -> None:
    fs, env = updated("debian:bookworm-slim")
    status, _, err = call(fs, env, ["apt-get", "install", "-y", "builld-essential"], cwd="/")
    assert status == 100 and "E: Unable to locate package builld-essential" in err


def test_ubuntu_releases_have_their_own_versions() -> None:
    fs, env = updated("ubuntu:24.04")
    status, out, _ = call(
        fs, env, ["apt-get", "install", "-y", "--no-install-recommends", "python3-pip"], cwd="/"
    )
    assert status == 0
    noble = pkgdb.universe("noble")
    assert noble is not None
    pip = noble.get("python3-pip")
    assert pip is not None and f"Setting up python3-pip ({pip.version})" in out
    assert isinstance(fs.lookup("/usr/bin/pip3"), File)


def test_the_jdk_comes_with_its_alternatives_links() -> None:
    fs, env = updated("ubuntu:22.04")
    args = ["apt-get", "install", "-y", "--no-install-recommends", "openjdk-17-jdk-headless"]
    assert call(fs, env, args, cwd="/")[0] == 0
    link = fs.lookup("/usr/bin/javac", follow=False)
    assert isinstance(link, Symlink)
    assert link.target == "/usr/lib/jvm/java-17-openjdk-amd64/bin/javac"
    assert isinstance(fs.lookup("/usr/bin/java"), File)


def test_a_release_without_data_answers_from_the_nearest_one_and_says_so() -> None:
    fs, env = updated("debian:bookworm-slim")
    fs.write_file(
        "/etc/os-release",
        b'PRETTY_NAME="Debian GNU/Linux 10 (buster)"\nID=debian\nVERSION_ID="10"\n'
        b"VERSION_CODENAME=buster\n",
    )
    status, _, err = call(fs, env, ["apt-get", "install", "-y", "gosu"], cwd="/")
    assert status == 0
    assert "emu: estimate: emu has no package data for Debian GNU/Linux 10 (buster)" in err
    assert "Debian 11 (bullseye)" in err


def test_a_third_party_repository_package_is_a_marked_estimate() -> None:
    fs, env = image("debian:bookworm-slim")
    fs.write_file(
        "/etc/apt/sources.list.d/nodesource.list",
        b"deb [signed-by=/usr/share/keyrings/nodesource.gpg] https://deb.nodesource.com/node_20.x"
        b" nodistro main\n",
    )
    assert call(fs, env, ["apt-get", "update", "-qq"], cwd="/")[0] == 0
    status, out, err = call(fs, env, ["apt-get", "install", "-y", "nodejs", "docker-ce"], cwd="/")
    assert status == 0, err
    assert "emu: estimate: nodejs: not in emu's data (https://deb.nodesource.com/node_20.x" in err
    assert "estimated (a repository emu has no index of)" in out
    assert isinstance(fs.lookup("/usr/bin/node"), File)  # Debian's nodejs's programs
    assert "estimate" in blob(fs, "/usr/bin/node").label
    assert "docker-ce" in text(fs, "/var/lib/dpkg/status")


def test_remove_purge_and_autoremove() -> None:
    fs, env = updated("debian:bookworm-slim")
    before = size(fs)
    call(fs, env, ["apt-get", "install", "-y", "--no-install-recommends", "gosu", "zip"], cwd="/")
    status, out, _ = call(fs, env, ["apt-get", "purge", "-y", "gosu", "zip"], cwd="/")
    assert status == 0 and "The following packages will be REMOVED:" in out
    assert fs.lookup("/usr/sbin/gosu") is None and fs.lookup("/usr/bin/zip") is None
    status, out, _ = call(fs, env, ["apt-get", "remove", "-y", "gosu"], cwd="/")
    assert status == 0 and "Package 'gosu' is not installed, so not removed" in out
    status, out, _ = sh(fs, env, "apt-get clean && rm -rf /var/lib/apt/lists/*", cwd="/")
    assert size(fs) - before < 200_000  # status, logs


def test_a_base_image_package_loses_its_programs_and_essential_ones_are_refused() -> None:
    fs, env = updated("debian:bookworm-slim")
    status, _, err = call(fs, env, ["apt-get", "remove", "-y", "tar"], cwd="/")
    assert status == 100
    assert "--allow-remove-essential" in err
    assert isinstance(fs.lookup("/usr/bin/tar"), File)
    args = ["apt-get", "remove", "-y", "--allow-remove-essential", "tar"]
    status, out, _ = call(fs, env, args, cwd="/")
    assert status == 0 and "came with the base image" in out
    assert fs.lookup("/usr/bin/tar") is None


@pytest.mark.parametrize("ref", ["debian:bookworm-slim", "ubuntu:22.04"])
def test_install_before_update_still_fails(ref: str) -> None:
    fs, env = image(ref)
    status, _, err = call(fs, env, ["apt-get", "install", "-y", "gosu"], cwd="/")
    assert status == 100 and "E: Unable to locate package gosu" in err
