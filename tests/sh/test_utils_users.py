"""Account tools: the lines busybox's adduser family and shadow's useradd family write."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "utils_golden"))

from bbharness import image, run

from emu.fs import FS, Dir, File, Meta

EPOCH = "1700000000"  # day 19675
ENV = {"SOURCE_DATE_EPOCH": EPOCH}

ALPINE_PASSWD = (
    "root:x:0:0:root:/root:/bin/ash\n"
    "bin:x:1:1:bin:/bin:/sbin/nologin\n"
    "nobody:x:65534:65534:nobody:/:/sbin/nologin\n"
)
ALPINE_GROUP = "root:x:0:root\nbin:x:1:root,bin,daemon\nwheel:x:10:root\nnogroup:x:65533:\n"
DEBIAN_PASSWD = (
    "root:x:0:0:root:/root:/bin/bash\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
)
DEBIAN_GROUP = "root:x:0:\ndaemon:x:1:\nsudo:x:27:\nstaff:x:50:\nusers:x:100:\nnogroup:x:65534:\n"


def _text(fs: FS, path: str) -> str:
    node = fs.get(path)
    assert isinstance(node, File) and isinstance(node.content, bytes)
    return node.content.decode()


@pytest.fixture
def alpine() -> FS:
    fs = image(ALPINE_PASSWD, ALPINE_GROUP)
    fs.put("/etc/shadow", File(Meta(0o640, 0, 42), b"root:*::0:::::\nbin:!::0:::::\n"))
    fs.makedirs("/home")
    fs.makedirs("/etc/skel")
    fs.put("/etc/skel/.profile", File(Meta(0o644), b"# profile\n"))
    return fs


@pytest.fixture
def debian() -> FS:
    fs = image(DEBIAN_PASSWD, DEBIAN_GROUP)
    fs.put("/etc/shadow", File(Meta(0o640, 0, 42), b"root:*:19000:0:99999:7:::\n"))
    fs.put("/etc/gshadow", File(Meta(0o640, 0, 42), b"root:*::\nsudo:*::\nstaff:*::\n"))
    fs.write_file(
        "/etc/login.defs",
        b"UID_MIN 1000\nUID_MAX 60000\nGID_MIN 1000\nGID_MAX 60000\n"
        b"PASS_MAX_DAYS 99999\nPASS_MIN_DAYS 0\nPASS_WARN_AGE 7\nUMASK 022\n"
        b"USERGROUPS_ENAB yes\n",
    )
    fs.makedirs("/etc/default")
    fs.makedirs("/var/log")
    fs.write_file("/etc/default/useradd", b"SHELL=/bin/sh\n")
    fs.makedirs("/home")
    fs.makedirs("/etc/skel")
    fs.put("/etc/skel/.bashrc", File(Meta(0o644, 0, 0, 7), b"# bashrc\n"))
    fs.write_file("/var/log/lastlog", b"")
    return fs


def sh(fs: FS, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    r = run(fs, list(argv), stdin, cwd="/", env=ENV)
    return r.status, r.out, r.err


# --- busybox ------------------------------------------------------------------------------


def test_adduser_D(alpine: FS) -> None:
    assert sh(alpine, "adduser", "-D", "app") == (0, "", "")
    assert _text(alpine, "/etc/passwd").endswith(
        "app:x:1000:1000:Linux User,,,:/home/app:/bin/ash\n"
    )
    assert _text(alpine, "/etc/group").endswith("nogroup:x:65533:\napp:x:1000:\n")
    assert _text(alpine, "/etc/shadow").endswith("app:!:19675:0:99999:7:::\n")
    home = alpine.get("/home/app")
    assert isinstance(home, Dir)
    assert (home.meta.mode, home.meta.uid, home.meta.gid) == (0o2755, 1000, 1000)
    prof = alpine.get("/home/app/.profile")
    assert (prof.meta.uid, prof.meta.gid, prof.meta.mode) == (1000, 1000, 0o644)
    # update_passwd() leaves the old file as NAME- and keeps owner and mode
    assert _text(alpine, "/etc/passwd-") == ALPINE_PASSWD
    shadow = alpine.get("/etc/shadow")
    assert (shadow.meta.mode, shadow.meta.gid) == (0o640, 42)
    # and names now resolve
    assert sh(alpine, "id", "app") == (0, "uid=1000(app) gid=1000(app) groups=1000(app)\n", "")
    assert sh(alpine, "chown", "app:app", "/home")[0] == 0


def test_adduser_options(alpine: FS) -> None:
    assert sh(alpine, "addgroup", "-g", "2000", "www") == (0, "", "")
    assert _text(alpine, "/etc/group").endswith("www:x:2000:\n")
    status, _, err = sh(
        alpine,
        "adduser",
        "-D",
        "-u",
        "1500",
        "-G",
        "www",
        "-h",
        "/srv/web",
        "-s",
        "/bin/sh",
        "-H",
        "web",
    )
    assert (status, err) == (0, "")
    assert "web:x:1500:2000:Linux User,,,:/srv/web:/bin/sh\n" in _text(alpine, "/etc/passwd")
    # -G adds the user to the group's member list; no own group is made
    assert _text(alpine, "/etc/group").endswith("www:x:2000:web\n")
    assert alpine.lookup("/srv/web") is None
    assert sh(alpine, "adduser", "-D", "web") == (1, "", "adduser: user 'web' in use\n")
    assert sh(alpine, "adduser", "-D", "-u", "1500", "x") == (1, "", "adduser: uid '1500' in use\n")
    assert sh(alpine, "adduser", "-D", "-G", "nope", "y") == (
        1,
        "",
        "adduser: unknown group nope\n",
    )
    assert sh(alpine, "addgroup", "www")[2] == "addgroup: group 'www' in use\n"
    assert sh(alpine, "addgroup", "-g", "2000", "w2")[2] == "addgroup: gid '2000' in use\n"


def test_adduser_system_and_membership(alpine: FS) -> None:
    assert sh(alpine, "addgroup", "-S", "svc")[0] == 0
    assert sh(alpine, "adduser", "-S", "-D", "-H", "-G", "svc", "svc")[0] == 0
    assert "svc:x:100:100:Linux User,,,:/home/svc:/bin/false\n" in _text(alpine, "/etc/passwd")
    assert sh(alpine, "adduser", "-D", "bob")[0] == 0
    assert sh(alpine, "addgroup", "bob", "wheel") == (0, "", "")
    assert "wheel:x:10:root,bob\n" in _text(alpine, "/etc/group")
    assert sh(alpine, "addgroup", "bob", "wheel")[0] == 0  # already a member: no change
    assert _text(alpine, "/etc/group").count("bob") == 2
    assert sh(alpine, "adduser", "bob", "bin")[0] == 0  # adduser USER GROUP
    assert "bin:x:1:root,bin,daemon,bob\n" in _text(alpine, "/etc/group")
    assert sh(alpine, "addgroup", "nobody2", "wheel") == (1, "", "addgroup: unknown user nobody2\n")


def test_deluser_delgroup(alpine: FS) -> None:
    sh(alpine, "adduser", "-D", "bob")
    sh(alpine, "addgroup", "bob", "wheel")
    assert sh(alpine, "deluser", "bob") == (0, "", "")
    assert "bob" not in _text(alpine, "/etc/passwd")
    assert "bob" not in _text(alpine, "/etc/shadow")
    assert "bob" not in _text(alpine, "/etc/group")  # own group and memberships
    assert alpine.lookup("/home/bob") is not None
    assert sh(alpine, "deluser", "bob") == (1, "", "deluser: unknown user bob\n")
    sh(alpine, "adduser", "-D", "eve")
    assert sh(alpine, "delgroup", "eve") == (
        1,
        "",
        "delgroup: 'eve' still has 'eve' as their primary group!\n",
    )
    assert sh(alpine, "deluser", "--remove-home", "eve")[0] == 0
    assert alpine.lookup("/home/eve") is None


def test_adduser_without_D_wants_a_password(alpine: FS) -> None:
    status, out, err = sh(alpine, "adduser", "pw")
    assert status == 1 and "New password" in out and "unchanged" in err
    assert "pw:x:1000:1000:" in _text(alpine, "/etc/passwd")


def test_bad_names(alpine: FS) -> None:
    assert sh(alpine, "adduser", "-D", "bad:name")[2] == (
        "adduser: illegal character with code 58 at position 3\n"
    )
    assert sh(alpine, "adduser", "-D", "-x")[0] == 1


# --- shadow-utils -------------------------------------------------------------------------


def test_useradd_m(debian: FS) -> None:
    assert sh(debian, "useradd", "-m", "app") == (0, "", "")
    assert _text(debian, "/etc/passwd").endswith("app:x:1000:1000::/home/app:/bin/sh\n")
    assert _text(debian, "/etc/group").endswith("app:x:1000:\n")
    assert _text(debian, "/etc/shadow").endswith("app:!:19675:0:99999:7:::\n")
    assert _text(debian, "/etc/gshadow").endswith("app:!::\n")
    home = debian.get("/home/app")
    assert (home.meta.mode, home.meta.uid, home.meta.gid) == (0o755, 1000, 1000)
    rc = debian.get("/home/app/.bashrc")
    assert (rc.meta.uid, rc.meta.mtime) == (1000, 7)  # copy_tree keeps times
    lastlog = debian.get("/var/log/lastlog")
    assert lastlog.size == 1001 * 292  # sparse, indexed by uid
    # the next one goes above the highest uid
    assert sh(debian, "useradd", "-u", "1500", "x")[0] == 0
    assert sh(debian, "useradd", "y")[0] == 0
    assert "y:x:1501:1501::/home/y:/bin/sh\n" in _text(debian, "/etc/passwd")
    assert debian.lookup("/home/y") is None  # no -m, no CREATE_HOME


def test_useradd_options_and_errors(debian: FS) -> None:
    assert sh(debian, "groupadd", "-g", "3000", "devs") == (0, "", "")
    status, _, err = sh(
        debian,
        "useradd",
        "-r",
        "-g",
        "devs",
        "-G",
        "sudo,staff",
        "-s",
        "/bin/bash",
        "-d",
        "/opt/svc",
        "svc",
    )
    assert (status, err) == (0, "")
    passwd = _text(debian, "/etc/passwd")
    assert "svc:x:999:3000::/opt/svc:/bin/bash\n" in passwd
    assert "svc:!:19675::::::\n" in _text(debian, "/etc/shadow")
    group = _text(debian, "/etc/group")
    assert "sudo:x:27:svc\n" in group and "staff:x:50:svc\n" in group
    assert "devs:x:3000:\n" in group  # the login group lists no members
    assert "sudo:*::svc\n" in _text(debian, "/etc/gshadow")
    assert sh(debian, "useradd", "svc") == (9, "", "useradd: user 'svc' already exists\n")
    assert sh(debian, "useradd", "-g", "nope", "z") == (
        6,
        "",
        "useradd: group 'nope' does not exist\n",
    )
    assert sh(debian, "useradd", "-u", "999", "z") == (4, "", "useradd: UID 999 is not unique\n")
    assert sh(debian, "groupadd", "devs") == (9, "", "groupadd: group 'devs' already exists\n")
    assert sh(debian, "groupadd", "-f", "devs")[0] == 0
    assert sh(debian, "groupadd", "-r", "sys1")[0] == 0
    assert "sys1:x:999:\n" in _text(debian, "/etc/group")


def test_usermod_userdel(debian: FS) -> None:
    sh(debian, "useradd", "-m", "app")
    assert sh(debian, "usermod", "-aG", "sudo", "app") == (0, "", "")
    assert sh(debian, "usermod", "-a", "-G", "staff", "app") == (0, "", "")
    group = _text(debian, "/etc/group")
    assert "sudo:x:27:app\n" in group and "staff:x:50:app\n" in group
    assert sh(debian, "usermod", "-G", "staff", "app")[0] == 0  # replaces the list
    assert "sudo:x:27:\n" in _text(debian, "/etc/group")
    assert sh(debian, "usermod", "-s", "/bin/bash", "-u", "2000", "app")[0] == 0
    assert "app:x:2000:1000::/home/app:/bin/bash\n" in _text(debian, "/etc/passwd")
    assert debian.get("/home/app/.bashrc").meta.uid == 2000
    assert (
        sh(debian, "usermod", "-aG", "nope", "app")[2] == "usermod: group 'nope' does not exist\n"
    )
    assert sh(debian, "usermod", "-s", "/x", "ghost") == (
        6,
        "",
        "usermod: user 'ghost' does not exist\n",
    )
    assert sh(debian, "userdel", "-r", "app") == (0, "", "")
    assert "app" not in _text(debian, "/etc/passwd") + _text(debian, "/etc/group")
    assert debian.lookup("/home/app") is None
    assert sh(debian, "userdel", "app") == (6, "", "userdel: user 'app' does not exist\n")


def test_chpasswd(debian: FS) -> None:
    sh(debian, "useradd", "app")
    assert sh(debian, "chpasswd", stdin="app:secret\n") == (0, "", "")
    line = next(ln for ln in _text(debian, "/etc/shadow").splitlines() if ln.startswith("app:"))
    assert line.startswith("app:$6$emu$") and line.endswith(":19675:0:99999:7:::")
    again = sh(debian, "chpasswd", stdin="app:secret\n")
    assert again[0] == 0
