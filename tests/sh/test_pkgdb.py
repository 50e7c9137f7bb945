"""The package universes (emu.sh.tools.pkgdb) on the shipped data, and the generation script's
parsers and format on a small synthetic archive (no network)."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType

import pytest

from emu.sh.tools import pkgdb

SCRIPT = Path(__file__).resolve().parents[1] / "support" / "make_package_data.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_package_data", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_package_data", module)
    spec.loader.exec_module(module)
    return module


mpd = _script()


def uni(codename: str) -> pkgdb.Universe:
    u = pkgdb.universe(codename)
    assert u is not None, f"no shipped universe {codename}"
    return u


# --- the shipped data ---------------------------------------------------------------------------

RELEASES = {
    "bullseye": ("debian", "11"),
    "bookworm": ("debian", "12"),
    "trixie": ("debian", "13"),
    "focal": ("ubuntu", "20.04"),
    "jammy": ("ubuntu", "22.04"),
    "noble": ("ubuntu", "24.04"),
}


def test_every_release_is_shipped_with_its_sources_and_dates() -> None:
    assert pkgdb.releases() == tuple(sorted(RELEASES))
    for codename, (distro, version) in RELEASES.items():
        u = uni(codename)
        assert (u.distro, u.release, u.version) == (distro, codename, version)
        assert len(u) > 50_000
        suites = {url.split("/dists/")[1].split("/")[0] for url, _ in u.sources}
        assert suites == {codename, f"{codename}-updates", f"{codename}-security"}
        for url, date in u.sources:
            assert url.startswith("http://") and url.endswith("/binary-amd64/Packages.xz")
            assert date.endswith("UTC"), (url, date)
        assert u.meta["contents"] and u.meta["contents"][0].endswith("Contents-amd64.gz")
    assert pkgdb.universe("buster") is None


def test_opening_a_universe_reads_only_its_header() -> None:
    data = (Path(pkgdb.__file__).parent / "data" / "packages" / "bookworm.tsv.gz").read_bytes()
    u = pkgdb.Universe(data)
    assert u._lines == [None] * len(u._lines)
    assert len(u._lines) > 100
    assert u.get("tar") is not None
    assert sum(block is not None for block in u._lines) == 1
    assert u._virtual is None  # the virtual-package table waits for a name it is needed for


def test_lookup_of_real_packages() -> None:
    u = uni("bookworm")
    tar = u.get("tar")
    assert tar is not None
    assert tar.version == "1.34+dfsg-1.2+deb12u1"
    assert tar.essential and tar.priority == "required" and tar.required
    assert tar.section == "utils"
    assert tar.installed_kib == 3144 and tar.installed_size == 3144 * 1024
    assert tar.download_size > 100_000
    assert tar.description == "GNU version of the tar archiving utility"
    assert ("libc6",) in tar.pre_depends
    curl = u.get("curl")
    assert curl is not None and not curl.required and curl.priority == "optional"
    assert curl.depends == (("libc6",), ("libcurl4",), ("zlib1g",))
    assert "tar" in u and "no-such-package" not in u
    assert u.get("no-such-package") is None and u.lookup("no-such-package") is None
    ssh = u.get("openssh-server")
    assert ssh is not None
    assert ("default-logind", "logind", "libpam-systemd") in ssh.recommends  # alternatives kept
    assert ("debconf", "debconf-2.0") in ssh.depends
    assert "ssh-server" in ssh.provides


def test_ubuntu_versions_come_from_the_updates_pockets() -> None:
    u = uni("noble")
    curl = u.get("curl")
    assert curl is not None
    # noble's release pocket has 8.5.0-2ubuntu10; -updates and -security newer ones
    assert mpd.compare_versions(curl.version, "8.5.0-2ubuntu10") > 0
    assert curl.section == "web"  # "universe/web" style sections lose their component


def test_virtual_packages() -> None:
    u = uni("bookworm")
    assert u.providers("awk") == ("gawk", "mawk", "original-awk")
    assert u.is_virtual("awk") and not u.is_virtual("mawk")
    assert u.lookup("awk") is None  # several providers: apt asks to pick one
    numpy = u.lookup("python3-numpy-abi9")  # one provider: apt installs it
    assert numpy is not None and numpy.name == "python3-numpy"
    assert u.get("python3-numpy-abi9") is None
    assert u.providers("no-such-package") == ()


def test_programs_and_their_packages() -> None:
    u = uni("bookworm")
    assert u.programs("openssh-server") == ("/usr/sbin/sshd",)
    assert "/usr/bin/curl" in u.programs("curl")
    coreutils = u.get("coreutils")
    assert coreutils is not None
    assert {"/bin/ls", "/usr/bin/sha256sum", "/usr/sbin/chroot"} <= set(coreutils.programs)
    assert "ls" in coreutils.program_names
    assert u.programs("no-such-package") == ()
    assert u.program_owners("sshd") == ("openssh-server",)
    assert u.program_owners("/usr/bin/curl") == ("curl",)
    assert u.program_owners("tar") == ("tar",)
    assert u.program_owners("no-such-program") == ()
    trixie = uni("trixie")  # usr-merged packages: programs under usr/bin
    assert "/usr/bin/tar" in trixie.programs("tar")
    noble = uni("noble")
    assert "/usr/bin/pandoc" in noble.programs("pandoc")


# docker-library manifests (name lists): debuerreotype/docker-debian-artifacts
# bullseye/rootfs.manifest and bookworm/rootfs.manifest (bookworm/slim/rootfs.manifest lists the
# same packages), tianon/docker-brew-ubuntu-core jammy/ubuntu-jammy-oci-amd64-root.manifest and
# focal/ubuntu-focal-oci-amd64-root.manifest.
MANIFESTS = {
    "bullseye": """adduser apt base-files base-passwd bash bsdutils coreutils dash debconf
        debian-archive-keyring debianutils diffutils dpkg e2fsprogs findutils gcc-10-base
        gcc-9-base gpgv grep gzip hostname init-system-helpers libacl1 libapt-pkg6.0 libattr1
        libaudit-common libaudit1 libblkid1 libbz2-1.0 libc-bin libc6 libcap-ng0 libcom-err2
        libcrypt1 libdb5.3 libdebconfclient0 libext2fs2 libffi7 libgcc-s1 libgcrypt20 libgmp10
        libgnutls30 libgpg-error0 libgssapi-krb5-2 libhogweed6 libidn2-0 libk5crypto3
        libkeyutils1 libkrb5-3 libkrb5support0 liblz4-1 liblzma5 libmount1 libnettle8 libnsl2
        libp11-kit0 libpam-modules libpam-modules-bin libpam-runtime libpam0g libpcre2-8-0
        libpcre3 libseccomp2 libselinux1 libsemanage-common libsemanage1 libsepol1
        libsmartcols1 libss2 libssl1.1 libstdc++6 libsystemd0 libtasn1-6 libtinfo6
        libtirpc-common libtirpc3 libudev1 libunistring2 libuuid1 libxxhash0 libzstd1 login
        logsave lsb-base mawk mount ncurses-base ncurses-bin passwd perl-base sed
        sysvinit-utils tar tzdata util-linux zlib1g""",
    "bookworm": """adduser apt base-files base-passwd bash bsdutils coreutils dash debconf
        debian-archive-keyring debianutils diffutils dpkg e2fsprogs findutils gcc-12-base gpgv
        grep gzip hostname init-system-helpers libacl1 libapt-pkg6.0 libattr1 libaudit-common
        libaudit1 libblkid1 libbz2-1.0 libc-bin libc6 libcap-ng0 libcap2 libcom-err2 libcrypt1
        libdb5.3 libdebconfclient0 libext2fs2 libffi8 libgcc-s1 libgcrypt20 libgmp10
        libgnutls30 libgpg-error0 libhogweed6 libidn2-0 liblz4-1 liblzma5 libmd0 libmount1
        libnettle8 libp11-kit0 libpam-modules libpam-modules-bin libpam-runtime libpam0g
        libpcre2-8-0 libseccomp2 libselinux1 libsemanage-common libsemanage2 libsepol2
        libsmartcols1 libss2 libstdc++6 libsystemd0 libtasn1-6 libtinfo6 libudev1
        libunistring2 libuuid1 libxxhash0 libzstd1 login logsave mawk mount ncurses-base
        ncurses-bin passwd perl-base sed sysvinit-utils tar tzdata usr-is-merged util-linux
        util-linux-extra zlib1g""",
    "jammy": """adduser apt base-files base-passwd bash bsdutils coreutils dash debconf
        debianutils diffutils dpkg e2fsprogs findutils gcc-12-base gpgv grep gzip hostname
        init-system-helpers libacl1 libapt-pkg6.0 libattr1 libaudit-common libaudit1 libblkid1
        libbz2-1.0 libc-bin libc6 libcap-ng0 libcap2 libcom-err2 libcrypt1 libdb5.3
        libdebconfclient0 libext2fs2 libffi8 libgcc-s1 libgcrypt20 libgmp10 libgnutls30
        libgpg-error0 libgssapi-krb5-2 libhogweed6 libidn2-0 libk5crypto3 libkeyutils1
        libkrb5-3 libkrb5support0 liblz4-1 liblzma5 libmount1 libncurses6 libncursesw6
        libnettle8 libnsl2 libp11-kit0 libpam-modules libpam-modules-bin libpam-runtime
        libpam0g libpcre2-8-0 libpcre3 libprocps8 libseccomp2 libselinux1 libsemanage-common
        libsemanage2 libsepol2 libsmartcols1 libss2 libssl3 libstdc++6 libsystemd0 libtasn1-6
        libtinfo6 libtirpc-common libtirpc3 libudev1 libunistring2 libuuid1 libxxhash0
        libzstd1 login logsave lsb-base mawk mount ncurses-base ncurses-bin passwd perl-base
        procps sed sensible-utils sysvinit-utils tar ubuntu-keyring usrmerge util-linux
        zlib1g""",
    "focal": """adduser apt base-files base-passwd bash bsdutils bzip2 coreutils dash debconf
        debianutils diffutils dpkg e2fsprogs fdisk findutils gcc-10-base gpgv grep gzip
        hostname init-system-helpers libacl1 libapt-pkg6.0 libattr1 libaudit-common libaudit1
        libblkid1 libbz2-1.0 libc-bin libc6 libcap-ng0 libcom-err2 libcrypt1 libdb5.3
        libdebconfclient0 libext2fs2 libfdisk1 libffi7 libgcc-s1 libgcrypt20 libgmp10
        libgnutls30 libgpg-error0 libhogweed5 libidn2-0 liblz4-1 liblzma5 libmount1
        libncurses6 libncursesw6 libnettle7 libp11-kit0 libpam-modules libpam-modules-bin
        libpam-runtime libpam0g libpcre2-8-0 libpcre3 libprocps8 libseccomp2 libselinux1
        libsemanage-common libsemanage1 libsepol1 libsmartcols1 libss2 libstdc++6 libsystemd0
        libtasn1-6 libtinfo6 libudev1 libunistring2 libuuid1 libzstd1 login logsave lsb-base
        mawk mount ncurses-base ncurses-bin passwd perl-base procps sed sensible-utils
        sysvinit-utils tar ubuntu-keyring util-linux zlib1g""",
}


@pytest.mark.parametrize("codename", sorted(MANIFESTS))
def test_the_image_packages_are_the_published_manifests(codename: str) -> None:
    image = uni(codename).image_packages()
    manifest = frozenset(MANIFESTS[codename].split())
    # focal's manifest predates the update that made the libgcc1 transition package required
    extra = {"libgcc1"} if codename == "focal" else set()
    assert image == manifest | extra


def test_every_image_has_its_essential_packages_and_apt() -> None:
    for codename in RELEASES:
        u = uni(codename)
        image = u.image_packages()
        assert {"apt", "bash", "coreutils", "dpkg", "tar", "gzip", "sed", "grep"} <= image
        assert {"curl", "ca-certificates", "python3", "git"}.isdisjoint(image), codename
        for name in image:
            assert name in u, (codename, name)


def test_already_installed_packages_install_nothing() -> None:
    u = uni("bookworm")
    plan = u.closure(["tar", "libc6"], u.image_packages())
    assert plan == pkgdb.Plan((), (), (), ())
    tar = u.get("tar")
    assert tar is not None and "tar" in u.image_packages()
    # what apt prints: "tar is already the newest version (1.34+dfsg-1.2+deb12u1)."
    assert f"tar is already the newest version ({tar.version})." == (
        "tar is already the newest version (1.34+dfsg-1.2+deb12u1)."
    )


# Recorded with apt 2.6.1 (`apt-get -s install [--no-install-recommends] NAME`) in a private apt
# root holding the same archive indexes, with the image's packages as its dpkg status: the
# names of the `Inst` lines. A leading "-" means --no-install-recommends.
APT_RECORDED = {
    ("bookworm", "curl"): """ca-certificates curl krb5-locales libbrotli1 libcurl4
        libgssapi-krb5-2 libk5crypto3 libkeyutils1 libkrb5-3 libkrb5support0 libldap-2.5-0
        libldap-common libnghttp2-14 libpsl5 librtmp1 libsasl2-2 libsasl2-modules
        libsasl2-modules-db libssh2-1 libssl3 openssl publicsuffix""",
    ("bookworm", "-curl"): """curl libbrotli1 libcurl4 libgssapi-krb5-2 libk5crypto3
        libkeyutils1 libkrb5-3 libkrb5support0 libldap-2.5-0 libnghttp2-14 libpsl5 librtmp1
        libsasl2-2 libsasl2-modules-db libssh2-1 libssl3""",
    ("bookworm", "-git"): """git git-man libbrotli1 libcurl3-gnutls liberror-perl libexpat1
        libgdbm-compat4 libgdbm6 libgssapi-krb5-2 libk5crypto3 libkeyutils1 libkrb5-3
        libkrb5support0 libldap-2.5-0 libnghttp2-14 libperl5.36 libpsl5 librtmp1 libsasl2-2
        libsasl2-modules-db libssh2-1 libssl3 perl perl-modules-5.36""",
    ("bookworm", "-openssh-server"): """libbsd0 libcbor0.8 libedit2 libfido2-1 libgssapi-krb5-2
        libk5crypto3 libkeyutils1 libkrb5-3 libkrb5support0 libncursesw6 libnsl2 libproc2-0
        libssl3 libtirpc-common libtirpc3 libwrap0 openssh-client openssh-server
        openssh-sftp-server procps runit-helper sensible-utils ucf""",
    ("bookworm", "-python3"): """libexpat1 libgssapi-krb5-2 libk5crypto3 libkeyutils1
        libkrb5-3 libkrb5support0 libncursesw6 libnsl2 libpython3-stdlib libpython3.11-minimal
        libpython3.11-stdlib libreadline8 libsqlite3-0 libssl3 libtirpc-common libtirpc3
        media-types python3 python3-minimal python3.11 python3.11-minimal readline-common""",
    ("noble", "curl"): """ca-certificates curl krb5-locales libbrotli1 libcurl4t64
        libgssapi-krb5-2 libk5crypto3 libkeyutils1 libkrb5-3 libkrb5support0 libldap-common
        libldap2 libnghttp2-14 libpsl5t64 librtmp1 libsasl2-2 libsasl2-modules
        libsasl2-modules-db libssh-4 openssl publicsuffix""",
    ("noble", "-git"): """git git-man libbrotli1 libcurl3t64-gnutls liberror-perl libexpat1
        libgdbm-compat4t64 libgdbm6t64 libgssapi-krb5-2 libk5crypto3 libkeyutils1 libkrb5-3
        libkrb5support0 libldap2 libnghttp2-14 libperl5.38t64 libpsl5t64 librtmp1 libsasl2-2
        libsasl2-modules-db libssh-4 perl perl-modules-5.38""",
    ("noble", "-openssh-server"): """adduser libbsd0 libcbor0.10 libedit2 libfido2-1
        libgssapi-krb5-2 libk5crypto3 libkeyutils1 libkrb5-3 libkrb5support0 libwrap0
        openssh-client openssh-server openssh-sftp-server ucf""",
    ("noble", "-python3"): """libexpat1 libpython3-stdlib libpython3.12-minimal
        libpython3.12-stdlib libreadline8t64 libsqlite3-0 media-types netbase python3
        python3-minimal python3.12 python3.12-minimal readline-common tzdata""",
}


@pytest.mark.parametrize(("codename", "spec"), sorted(APT_RECORDED))
def test_closures_are_what_apt_installs(codename: str, spec: str) -> None:
    u = uni(codename)
    plan = u.closure([spec.lstrip("-")], u.image_packages(), recommends=not spec.startswith("-"))
    assert sorted(plan.install) == sorted(APT_RECORDED[codename, spec].split())
    assert plan.missing == ()


def test_a_closure_lists_dependencies_first_and_the_relations_it_leaves_out() -> None:
    u = uni("bookworm")
    plan = u.closure(["curl"], u.image_packages(), recommends=False)
    order = plan.install
    assert order[-1] == "curl"
    assert order.index("libcurl4") < order.index("curl")
    assert order.index("libssl3") < order.index("libcurl4")
    # apt: "Recommended packages: ca-certificates krb5-locales libldap-common publicsuffix
    # libsasl2-modules" and "Suggested packages: krb5-doc krb5-user"
    assert {r[0] for r in plan.recommended} == {
        "ca-certificates",
        "krb5-locales",
        "libldap-common",
        "publicsuffix",
        "libsasl2-modules",
    }
    assert set(plan.suggested) == {("krb5-doc",), ("krb5-user",)}
    with_recs = u.closure(["curl"], u.image_packages())
    assert with_recs.recommended == ()
    assert set(plan.install) < set(with_recs.install)


def test_a_closure_on_an_empty_system_and_of_virtual_names() -> None:
    u = uni("bookworm")
    bare = u.closure(["tar"], recommends=False)
    assert "libc6" in bare.install and bare.install[-1] == "tar"
    # a virtual name with one provider is that provider; one with several is skipped (the
    # caller reports apt's "virtual package provided by" error)
    numpy = u.closure(["python3-numpy-abi9"], u.image_packages(), recommends=False)
    assert numpy.install[-1] == "python3-numpy"
    assert u.closure(["awk"], u.image_packages()).install == ()
    # a relation an installed provider satisfies adds nothing: mawk provides awk
    assert u.satisfied(("awk",), u.image_packages())
    assert not u.satisfied(("awk",), frozenset())


def test_release_of_os_release() -> None:
    debian = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'
    assert pkgdb.release_of(debian + "VERSION_CODENAME=bookworm\n") == "bookworm"
    assert pkgdb.release_of(debian) == "bookworm"  # no codename: ID and VERSION_ID
    ubuntu = 'NAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n'
    assert pkgdb.release_of(ubuntu + "VERSION_CODENAME=noble\n") == "noble"
    assert pkgdb.release_of(ubuntu) == "noble"
    assert pkgdb.release_of('ID=ubuntu\nVERSION_ID="22.04"\n') == "jammy"
    assert pkgdb.release_of("ID=debian\nVERSION_ID=11\n") == "bullseye"
    assert pkgdb.release_of("ID=debian\nVERSION_CODENAME=trixie\n") == "trixie"
    assert pkgdb.release_of("ID=alpine\nVERSION_ID=3.20.3\n") is None
    assert pkgdb.release_of("ID=debian\nVERSION_ID=10\nVERSION_CODENAME=buster\n") is None
    assert pkgdb.release_of("") is None


# --- the generation script, offline -------------------------------------------------------------

PACKAGES_MAIN = """\
Package: tool
Version: 1.0-1
Installed-Size: 120
Maintainer: Someone <someone@example.org>
Architecture: amd64
Depends: libc6 (>= 2.34), libtool1 | libtool-alt, python3:any (>= 3.9~)
Pre-Depends: dpkg (>= 1.15)
Recommends: extra-data [amd64], libc6
Suggests: tool-doc
Provides: tool-api (= 1), tool
Description: a tool
 with a long description
 .
 that is dropped
Priority: optional
Section: universe/devel
Size: 40000

Package: libc6
Version: 2.36-9
Installed-Size: 12000
Priority: required
Section: libs
Size: 2800000
Description: C library

Package: dpkg
Essential: yes
Version: 1.21.22
Installed-Size: 6000
Priority: required
Section: admin
Depends: libc6
Size: 1500000
Description: package manager

Package: libtool-alt
Version: 2
Installed-Size: 10
Section: libs
Provides: tool-api
Description: alternative library

Package: extra-data
Version: 0.1
Installed-Size: 300
Priority: optional
Section: misc
Description: data
"""

PACKAGES_UPDATES = """\
Package: tool
Version: 1.0-1+deb12u1
Installed-Size: 125
Depends: libc6, libtool1 | libtool-alt
Provides: tool-api
Priority: optional
Section: devel
Size: 41000
Description: a tool (updated)

Package: libc6
Version: 2.36-9~rc1
Installed-Size: 1
Priority: required
Section: libs
Description: an older build that must not win
"""

CONTENTS = """\
bin/tool                                                    devel/tool
usr/bin/tool-helper                                         universe/devel/tool
usr/sbin/toold                                              devel/tool,misc/extra-data
usr/bin/sub/not-a-program                                   devel/tool
usr/share/doc/tool/README                                   devel/tool
usr/lib/x86_64-linux-gnu/libc.so.6                          libs/libc6
usr/bin/dpkg                                                admin/dpkg
usr/bin/has space                                           devel/tool
usr/local/bin/localtool                                     devel/orphan
"""


def test_dpkg_version_order() -> None:
    order = [
        "1.0~rc1",
        "1.0",
        "1.0-1",
        "1.0-1+b1",
        "1.0-1+deb12u1",
        "1.0-2",
        "1.0.1",
        "1.10",
        "1:0.1",
    ]
    for a, b in itertools.pairwise(order):
        assert mpd.compare_versions(a, b) < 0, (a, b)
        assert mpd.compare_versions(b, a) > 0, (b, a)
    assert mpd.compare_versions("2.36-9", "2.36-9") == 0
    assert mpd.compare_versions("1.0a", "1.0") > 0
    assert mpd.compare_versions("1.0~", "1.0~~") > 0


def test_parse_packages_keeps_the_facts_and_drops_the_rest() -> None:
    records = {r.name: r for r in mpd.parse_packages(PACKAGES_MAIN)}
    tool = records["tool"]
    assert tool.version == "1.0-1"
    assert (tool.installed_kib, tool.download_bytes) == (120, 40000)
    assert tool.depends == ["libc6", "libtool1|libtool-alt", "python3"]
    assert tool.pre_depends == ["dpkg"]
    assert tool.recommends == ["extra-data", "libc6"]
    assert tool.suggests == ["tool-doc"]
    assert tool.provides == ["tool-api"]  # its own name is not a virtual package
    assert tool.section == "devel" and tool.flags == "o"
    assert tool.description == "a tool"
    assert records["dpkg"].flags == "rE"
    assert records["libtool-alt"].flags == "o"  # no Priority: optional


def test_parse_contents_keeps_programs_on_path() -> None:
    progs = mpd.parse_contents(CONTENTS.splitlines(keepends=True))
    assert progs == {
        "tool": {"bin/tool", "usr/bin/tool-helper", "usr/sbin/toold"},
        "extra-data": {"usr/sbin/toold"},
        "dpkg": {"usr/bin/dpkg"},
        "orphan": {"usr/local/bin/localtool"},
    }
    assert mpd.program_field(progs["tool"]) == "bin/tool tool-helper usr/sbin/toold"


def _synthetic(block_bytes: int, monkeypatch: pytest.MonkeyPatch) -> pkgdb.Universe:
    monkeypatch.setattr(mpd, "BLOCK_BYTES", block_bytes)
    release = mpd.RELEASES["bookworm"]
    merged = mpd.merge([*mpd.parse_packages(PACKAGES_MAIN), *mpd.parse_packages(PACKAGES_UPDATES)])
    for pkg, paths in mpd.parse_contents(CONTENTS.splitlines()).items():
        if pkg in merged:
            merged[pkg].programs.extend(sorted(paths))
    sources = [("http://example.org/dists/x/main/binary-amd64/Packages.xz", "Sat, 1 Jan 2000")]
    first = mpd.render(release, sources, merged)
    image = mpd.image_set(release, first)
    return pkgdb.Universe(mpd.render(release, sources, merged, image))


@pytest.mark.parametrize("block_bytes", [1, 64 * 1024])
def test_round_trip_of_a_synthetic_archive(
    block_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    u = _synthetic(block_bytes, monkeypatch)
    assert len(u._lines) == (5 if block_bytes == 1 else 1)
    assert len(u) == 5
    assert list(u.names()) == ["dpkg", "extra-data", "libc6", "libtool-alt", "tool"]
    assert (u.distro, u.release, u.version) == ("debian", "bookworm", "12")
    assert u.sources == [
        ("http://example.org/dists/x/main/binary-amd64/Packages.xz", "Sat, 1 Jan 2000")
    ]
    tool = u.get("tool")
    assert tool == pkgdb.Package(
        name="tool",
        version="1.0-1+deb12u1",  # the updates suite's version wins
        installed_size=125 * 1024,
        download_size=41000,
        priority="optional",
        essential=False,
        section="devel",
        depends=(("libc6",), ("libtool1", "libtool-alt")),
        pre_depends=(),
        recommends=(),
        suggests=(),
        provides=("tool-api",),
        programs=("/bin/tool", "/usr/bin/tool-helper", "/usr/sbin/toold"),
        description="a tool (updated)",
    )
    libc = u.get("libc6")
    assert libc is not None and libc.version == "2.36-9" and libc.required
    # the image: Essential and required packages, apt when there is one, their dependencies
    assert u.image_packages() == {"dpkg", "libc6"}
    assert u.providers("tool-api") == ("libtool-alt", "tool")
    assert u.lookup("tool-api") is None
    # the first alternative does not exist: the second is taken
    plan = u.closure(["tool"], u.image_packages())
    assert plan.install == ("libtool-alt", "tool")
    assert plan.missing == ()
    assert u.program_owners("toold") == ("extra-data", "tool")
    for name in u.names():
        assert u.get(name) is not None


def test_a_missing_dependency_is_reported() -> None:
    records = mpd.merge(mpd.parse_packages(PACKAGES_MAIN))
    records["tool"].depends.append("no-such-lib|nor-this")
    u = pkgdb.Universe(mpd.render(mpd.RELEASES["bookworm"], [], records))
    plan = u.closure(["tool"], frozenset({"libc6", "dpkg"}), recommends=False)
    # apt: "tool : Depends: python3 but it is not installable"
    assert plan.missing == (("tool", ("python3",)), ("tool", ("no-such-lib", "nor-this")))
    assert plan.install == ("libtool-alt", "tool")
    assert plan.recommended == (("extra-data",),)
    assert plan.suggested == (("tool-doc",),)


def test_rendering_is_reproducible_and_readable_with_zcat() -> None:
    import gzip

    release = mpd.RELEASES["noble"]
    records = mpd.merge(mpd.parse_packages(PACKAGES_MAIN))
    one = mpd.render(release, [], records, ["libc6"])
    assert one == mpd.render(release, [], records, ["libc6"])
    text = gzip.decompress(one).decode()
    assert text.startswith("#emu-packages\t1\n#distro\tubuntu\n#release\tnoble\n")
    assert "\n#image\tlibc6\n" in text
    assert "\ntool\t1.0-1\t120\t40000\to\tdevel\t" in text
    assert "\ntool-api\tlibtool-alt tool\n" in text


def test_bad_data_is_refused() -> None:
    import gzip

    with pytest.raises(pkgdb.FormatError):
        pkgdb.Universe(b"not gzip at all")
    with pytest.raises(pkgdb.FormatError):
        pkgdb.Universe(gzip.compress(b"#emu-packages\t2\n#distro\tx\n"))
    records = mpd.merge(mpd.parse_packages(PACKAGES_MAIN))
    good = mpd.render(mpd.RELEASES["bookworm"], [], records)
    with pytest.raises(pkgdb.FormatError):
        pkgdb.Universe(good[:-10])  # a member cut short


@pytest.mark.parametrize(
    ("os_release", "expected"),
    [
        ('ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm', ("bookworm", True)),
        ('ID=debian\nVERSION_ID="10"\nVERSION_CODENAME=buster', ("bullseye", False)),
        ('ID=debian\nVERSION_CODENAME=trixie\nPRETTY_NAME="Debian GNU/Linux trixie/sid"',
         ("trixie", True)),
        ('ID=debian\nPRETTY_NAME="Debian GNU/Linux forky/sid"', ("trixie", False)),
        ('ID=ubuntu\nVERSION_ID="26.04"', ("noble", False)),
        ('ID=ubuntu\nVERSION_ID="18.04"\nVERSION_CODENAME=bionic', ("focal", False)),
        ("ID=linuxmint\nID_LIKE=ubuntu\nUBUNTU_CODENAME=jammy", ("jammy", False)),
        ("ID=alpine\nVERSION_ID=3.19.1", None),
        ("", None),
    ],
)  # fmt: skip
def test_nearest_release(os_release: str, expected: tuple[str, bool] | None) -> None:
    assert pkgdb.nearest_release(os_release) == expected
