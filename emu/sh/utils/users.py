"""Account tools, writing /etc/passwd, /etc/group, /etc/shadow (and /etc/gshadow when the
image has one) exactly as the real ones do:

* busybox: ``adduser`` ``addgroup`` ``deluser`` ``delgroup`` (loginutils/*.c: ids from 1000,
  or 100-999 with -S; homes 2755 with /etc/skel copied; ``NAME-`` backups as
  update_passwd() leaves them);
* shadow-utils: ``useradd`` ``groupadd`` ``usermod`` ``userdel`` ``groupdel`` ``chpasswd``
  (ids above the highest in [UID_MIN, UID_MAX], system ids downwards from SYS_UID_MAX;
  /etc/login.defs and /etc/default/useradd of the image are honoured).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable

from emu.fs import Blob, Dir, File, Meta, Node, Symlink, accounts
from emu.records import record
from emu.sh.api import Proc, Stream
from emu.sh.options import Die, Opts, getopt, number
from emu.sh.utils._common import Sys, applet, content_of
from emu.sh.utils.files import PRESERVE, RECUR, Copier

PASSWD, GROUP = accounts.PASSWD, accounts.GROUP
SHADOW, GSHADOW = "/etc/shadow", "/etc/gshadow"


# --- the account files ------------------------------------------------------------------


@record
class Table:
    """One colon file: its lines, and whether it exists (shadow files are optional)."""

    path: str
    lines: list[str]
    exists: bool
    changed: bool = False

    @classmethod
    def load(cls, sys: Sys, path: str) -> Table:
        node = sys.fs.lookup(path)
        if not isinstance(node, File):
            return cls(path, [], False)
        data = content_of(node, path).decode("utf-8", "surrogateescape")
        return cls(path, data.splitlines(), True)

    def rows(self) -> list[list[str]]:
        return accounts.records(self.lines)

    def find(self, name: str) -> int:
        prefix = name + ":"
        return next((i for i, ln in enumerate(self.lines) if ln.startswith(prefix)), -1)

    def get(self, name: str) -> list[str] | None:
        i = self.find(name)
        return self.lines[i].split(":") if i >= 0 else None

    def ids(self) -> dict[int, str]:
        out: dict[int, str] = {}
        for r in self.rows():
            if len(r) > 2 and (r[2].isascii() and r[2].isdigit()):
                out.setdefault(int(r[2]), r[0])
        return out

    def append(self, line: str) -> None:
        self.lines.append(line)
        self.changed = True

    def set(self, name: str, fields: list[str]) -> None:
        i = self.find(name)
        self.lines[i] = ":".join(fields)
        self.changed = True

    def delete(self, name: str) -> bool:
        i = self.find(name)
        if i < 0:
            return False
        del self.lines[i]
        self.changed = True
        return True

    def save(self, sys: Sys) -> None:
        """Write back like update_passwd()/shadow's commonio: a new inode with the old
        owner and mode, the old one kept as ``PATH-``."""
        if not self.changed or not self.exists:
            return
        text = "".join(ln + "\n" for ln in self.lines).encode("utf-8", "surrogateescape")
        old = sys.fs.lookup(self.path)
        meta = old.meta if isinstance(old, File) else Meta(0o644)
        sys.limits.stored(len(text))
        if isinstance(old, File):
            sys.fs.put(self.path + "-", old)
        sys.fs.put(self.path, File(meta.with_(mtime=sys.time), text))
        self.changed = False


class Db:
    def __init__(self, sys: Sys) -> None:
        self.sys = sys
        self.passwd = Table.load(sys, PASSWD)
        self.group = Table.load(sys, GROUP)
        self.shadow = Table.load(sys, SHADOW)
        self.gshadow = Table.load(sys, GSHADOW)

    def save(self) -> None:
        for t in (self.passwd, self.shadow, self.group, self.gshadow):
            t.save(self.sys)

    def user(self, name: str) -> list[str] | None:
        return self.passwd.get(name)

    def group_row(self, name: str) -> list[str] | None:
        return self.group.get(name)

    def gid_of(self, text: str) -> int | None:
        row = self.group.get(text)
        if row is not None and len(row) > 2 and (row[2].isascii() and row[2].isdigit()):
            return int(row[2])
        if text.isascii() and text.isdigit():
            return int(text)
        return None

    def group_by_gid(self, gid: int) -> str | None:
        return self.group.ids().get(gid)

    def add_member(self, group: str, user: str) -> None:
        for t, idx in ((self.group, 3), (self.gshadow, 3)):
            row = t.get(group)
            if row is None:
                continue
            while len(row) <= idx:
                row.append("")
            members = [m for m in row[idx].split(",") if m]
            if user not in members:
                members.append(user)
                row[idx] = ",".join(members)
                t.set(group, row)

    def add_group(self, name: str, gid: int, password: str = "!") -> None:
        self.group.append(f"{name}:x:{gid}:")
        if self.gshadow.exists:
            self.gshadow.append(f"{name}:{password}::")

    def delete_group(self, name: str) -> None:
        self.group.delete(name)
        self.gshadow.delete(name)

    def delete_user(self, name: str) -> None:
        """The user's passwd and shadow lines, and their place in every group."""
        self.passwd.delete(name)
        self.shadow.delete(name)
        self.remove_member(None, name)

    def logins_in(self, gid: str) -> list[list[str]]:
        """The passwd rows whose login (primary) group is ``gid``."""
        return [r for r in self.passwd.rows() if len(r) > 3 and r[3] == gid]

    def existing_gid(self, text: str) -> int:
        """``-g GROUP`` of useradd/usermod: a group name, or the number of one that exists."""
        gid = self.gid_of(text)
        if gid is None or (
            not (text.isascii() and text.isdigit()) and self.group_row(text) is None
        ):
            raise Die(f"group '{text}' does not exist", 6)
        return gid

    def group_names(self, text: str) -> list[str]:
        """``-G G1,G2`` of useradd/usermod: the names of existing groups, given by name
        or number, each once."""
        out: list[str] = []
        for g in text.split(","):
            if not g:
                continue
            row = self.group_row(g)
            if row is None and (g.isascii() and g.isdigit()):
                gname = self.group_by_gid(int(g))
                row = self.group_row(gname) if gname else None
            if row is None:
                raise Die(f"group '{g}' does not exist", 6)
            if row[0] not in out:
                out.append(row[0])
        return out

    def remove_member(self, group: str | None, user: str) -> bool:
        """Drop ``user`` from ``group``'s members (from every group when None)."""
        found = False
        for t in (self.group, self.gshadow):
            for i, ln in enumerate(list(t.lines)):
                row = ln.split(":")
                if len(row) < 4 or (group is not None and row[0] != group):
                    continue
                members = row[3].split(",")
                if user in members:
                    row[3] = ",".join(m for m in members if m != user)
                    t.lines[i] = ":".join(row)
                    t.changed = True
                    if t is self.group:
                        found = True
        return found


def _days(sys: Sys) -> int:
    return sys.time // 86400


def _make_home(
    proc: Proc,
    sys: Sys,
    home: str,
    ids: tuple[int, int],
    mode: int,
    skel: str | None,
    *,
    quiet: bool,
    preserve: bool,
    shadow: bool = False,
) -> None:
    """mkdir HOME, copy the skeleton into it, then hand it all to the new user.
    busybox copies with umask 0 and fresh times; shadow's copy_tree keeps times."""
    uid, gid = ids
    try:
        saved, sys.mask = sys.mask, 0
        try:
            sys.mkdir(home, 0o755)
        finally:
            sys.mask = saved
    except OSError as e:
        if e.errno != 17:
            proc.err(f"{home}: {e.strerror}")
            return
        if shadow:
            # useradd leaves an existing home alone, and says so.
            proc.err(f"warning: the home directory {home} already exists.")
            proc.err("Not copying any file from skel directory into it.")
            return
        created = False
    else:
        created = True
    if created and skel:
        node = sys.try_stat(skel)
        if isinstance(node, Dir):
            flags = RECUR | (PRESERVE if preserve else 0)
            c = Copier(proc, sys, flags)
            err, mask = proc.stderr, sys.mask
            if quiet:
                proc.stderr = Stream(None)
            sys.mask = 0
            try:
                for name in sorted(node.entries):
                    c.copy(posixpath.join(skel, name), posixpath.join(home, name), flags)
            finally:
                proc.stderr, sys.mask = err, mask
        _chown_tree(sys, home, uid, gid)
    top = sys.try_stat(home)
    if top is not None:
        sys.set_meta(home, Meta(mode, uid, gid, top.meta.mtime))


def _chown_tree(sys: Sys, path: str, uid: int, gid: int) -> None:
    node = sys.fs.lookup(path, follow=False)
    if node is None:
        return

    def rec(p: str, n: Node) -> None:
        sys.limits.step()
        if isinstance(n, Dir):
            for name in sorted(n.entries):
                rec(posixpath.join(p, name), n.entries[name])
        sys.fs.set_meta(p, Meta(n.meta.mode, uid, gid, n.meta.mtime), follow=False)

    rec(path, node)


def _check_name(name: str) -> None:
    """libbb die_if_bad_username."""
    for i, ch in enumerate(name):
        if i > 0 and (ch in "-." or (ch == "$" and i == len(name) - 1)):
            continue
        if ch == "_" or (ch.isascii() and ch.isalnum()):
            continue
        raise Die(f"illegal character with code {ord(ch)} at position {i}")
    if len(name) >= 256:
        raise Die("name is too long")


def _root_only(sys: Sys) -> None:
    if not sys.root:
        raise Die("permission denied (are you root?)")


# --- busybox: adduser / addgroup / deluser / delgroup -----------------------------------

FIRST_SYSTEM_ID, LAST_SYSTEM_ID, LAST_ID = 100, 999, 60000
ALPINE_LAST_ID = 256000  # Alpine builds busybox with CONFIG_LAST_ID=256000 (aports busyboxconfig)


def _last_id(sys: Sys) -> int:
    """busybox's CONFIG_LAST_ID: 60000 upstream (and Debian), 256000 in Alpine's build."""
    return ALPINE_LAST_ID if sys.try_stat("/etc/alpine-release") is not None else LAST_ID


@applet("adduser", usage="[OPTIONS] USER [GROUP]")
def adduser(proc: Proc) -> int:
    if _debian_tool(proc):
        return debian_adduser(proc, group_only=False)
    sys = Sys(proc)
    _root_only(sys)
    o = getopt(
        proc.argv[1:],
        "h:g:s:G:DSHu:k:",
        {
            "home=": "h",
            "gecos=": "g",
            "shell=": "s",
            "ingroup=": "G",
            "disabled-password": "D",
            "empty-password": "D",
            "system": "S",
            "no-create-home": "H",
            "uid=": "u",
            "skel=": "k",
        },
    )
    if not 1 <= len(o.args) <= 2:
        raise Die(None, usage=True)
    if "S" in o:
        o.flags["D"] = 1
    db = Db(sys)
    name = o.args[0]
    if not o.flags and len(o.args) == 2:
        # "adduser USER GROUP": add an existing user to an existing group.
        return _addgroup_member(proc, db, name, o.args[1])
    _check_name(name)
    uid: int | None = None
    if o.get("u") is not None:
        text = o.get("u") or ""
        if not (text.isascii() and text.isdigit()) or int(text) > _last_id(sys):
            raise Die(f"invalid number '{text}'")
        uid = int(text)
    home = o.get("h") or f"/home/{name}"
    gecos = o.get("g") if o.get("g") is not None else "Linux User,,,"
    shell = o.get("s") or _shell_name(proc, db)
    usegroup = o.get("G")
    if "S" in o:
        usegroup = usegroup or "nogroup"
        if o.get("s") is None:
            shell = "/bin/false"
    gid: int | None = None
    if usegroup is not None:
        gid = db.gid_of(usegroup)
        if gid is None:
            raise Die(f"unknown group {usegroup}")
    # passwd_study()
    if db.user(name) is not None:
        raise Die(f"user '{name}' in use")
    used_uids = db.passwd.ids()
    used_gids = db.group.ids()
    maxid = _last_id(sys)
    if uid is None:
        if "S" in o:
            uid, maxid = FIRST_SYSTEM_ID, LAST_SYSTEM_ID
        else:
            uid = LAST_SYSTEM_ID + 1
        while uid in used_uids or (gid is None and uid in used_gids):
            if uid == maxid:
                raise Die("no uids left")
            uid += 1
    elif uid in used_uids or (gid is None and uid in used_gids):
        raise Die(f"uid '{uid}' in use")
    if gid is None:
        gid = uid
        if db.group_row(name) is not None:
            raise Die(f"group '{name}' in use")
    db.passwd.append(f"{name}:x:{uid}:{gid}:{gecos}:{home}:{shell}")
    if db.shadow.exists:
        db.shadow.append(f"{name}:!:{_days(sys)}:0:99999:7:::")
    if usegroup is not None:
        db.add_member(usegroup, name)
    else:
        db.add_group(name, gid)
    db.save()
    if "H" not in o:
        skel = o.get("k") or "/etc/skel"
        _make_home(proc, sys, home, (uid, gid), 0o2755, skel, quiet="k" not in o, preserve=False)
    if "D" not in o:
        # busybox now runs passwd, which needs a terminal to read the new password.
        proc.stdout.write(f"Changing password for {name}\nNew password: \n")
        proc.stderr.write("passwd: password for " + name + " is unchanged\n")
        return 1
    return 0


def _shell_name(proc: Proc, db: Db) -> str:
    """libbb get_shell_name: $SHELL, else the running user's shell, else /bin/sh."""
    if proc.env.get("SHELL"):
        return proc.env["SHELL"]
    for r in db.passwd.rows():
        if len(r) > 6 and r[2] == str(proc.ident.uid) and r[6]:
            return r[6]
    return "/bin/sh"


def _addgroup_member(proc: Proc, db: Db, user: str, group: str) -> int:
    if db.user(user) is None and not (user.isascii() and user.isdigit()):
        raise Die(f"unknown user {user}")
    row = db.group_row(group)
    if row is None:
        raise Die(f"unknown group {group}")
    if user in (row[3].split(",") if len(row) > 3 else []):
        return 0
    db.add_member(group, user)
    db.save()
    return 0


@applet("addgroup", usage="[-g GID] [-S] [USER] GROUP")
def addgroup(proc: Proc) -> int:
    if _debian_tool(proc):
        return debian_adduser(proc, group_only=True)
    sys = Sys(proc)
    _root_only(sys)
    o = getopt(proc.argv[1:], "g:S", {"gid=": "g", "system": "S"})
    if not 1 <= len(o.args) <= 2:
        raise Die(None, usage=True)
    db = Db(sys)
    if len(o.args) == 2:
        if "g" in o:
            raise Die(None, usage=True)
        return _addgroup_member(proc, db, o.args[0], o.args[1])
    name = o.args[0]
    _check_name(name)
    gid_text = o.get("g") or "0"
    if not (gid_text.isascii() and gid_text.isdigit()) or int(gid_text) > _last_id(sys):
        raise Die(f"invalid number '{gid_text}'")
    if db.group_row(name) is not None:
        raise Die(f"group '{name}' in use")
    used = db.group.ids()
    if "g" in o:
        gid = int(gid_text)
        if gid in used:
            raise Die(f"gid '{gid}' in use")
    else:
        gid, maxid = (
            (FIRST_SYSTEM_ID, LAST_SYSTEM_ID) if "S" in o else (LAST_SYSTEM_ID + 1, _last_id(sys))
        )
        while gid in used:
            if gid == maxid:
                raise Die("no gids left")
            gid += 1
    db.add_group(name, gid)
    db.save()
    return 0


@applet("deluser", "delgroup", usage="[--remove-home] USER")
def deluser(proc: Proc) -> int:
    sys = Sys(proc)
    is_user = proc.name == "deluser"
    args = proc.argv[1:]
    remove_home = False
    if is_user:
        o = getopt(args, "", {"remove-home": "r"})
        args = o.args
        remove_home = "r" in o
    _root_only(sys)
    db = Db(sys)
    if len(args) == 2 and not is_user:
        member, name = args
        if db.group_row(name) is None:
            raise Die(f"unknown group {name}")
        if not db.remove_member(name, member):
            raise Die(f"can't find {member} in {GROUP}")
        db.save()
        return 0
    if len(args) != 1:
        raise Die(None, usage=True)
    name = args[0]
    if is_user:
        row = db.user(name)
        if row is None:
            raise Die(f"unknown user {name}")
        db.delete_user(name)
        if remove_home and len(row) > 5 and row[5]:
            from emu.sh.utils.files import remove_file

            remove_file(proc, sys, row[5], True, True, False)
        # deluser also removes a same-named group, if nobody else's login group.
        grow = db.group_row(name)
        if grow is not None and not db.logins_in(grow[2]):
            db.delete_group(name)
        db.save()
        return 0
    grow = db.group_row(name)
    if grow is None:
        raise Die(f"unknown group {name}")
    logins = db.logins_in(grow[2])
    if logins:
        raise Die(f"'{logins[0][0]}' still has '{name}' as their primary group!")
    db.delete_group(name)
    db.save()
    return 0


# --- shadow-utils: useradd / groupadd / usermod / userdel / groupdel --------------------


def _shadow_args(
    proc: Proc, spec: str, longs: dict[str, str], denied: int
) -> tuple[Sys, Opts, str]:
    """What every shadow-utils command starts with: its options, root only (else exit
    ``denied``), then exactly one name (else the usage, exit 2)."""
    sys = Sys(proc)
    o = getopt(proc.argv[1:], spec, longs)
    if not sys.root:
        raise Die("Permission denied.", denied)
    if len(o.args) != 1:
        raise Die(None, usage=True, code=2)
    return sys, o, o.args[0]


def _shadow_name(name: str, invalid: str) -> None:
    """shadow's is_valid_user_name/is_valid_group_name (exit 3)."""
    if not re.fullmatch(r"[a-z_][a-z0-9_.-]*\$?", name, re.I) or len(name) > 32:
        raise Die(invalid, 3)


def _defs(sys: Sys) -> dict[str, str]:
    """/etc/login.defs of the image (KEY VALUE lines)."""
    out: dict[str, str] = {}
    node = sys.fs.lookup("/etc/login.defs")
    if isinstance(node, File) and isinstance(node.content, bytes):
        for ln in node.content.decode("utf-8", "replace").splitlines():
            parts = ln.split()
            if len(parts) >= 2 and not parts[0].startswith("#"):
                out[parts[0]] = parts[1]
    return out


def _useradd_defaults(sys: Sys) -> dict[str, str]:
    out = {
        "GROUP": "100",
        "HOME": "/home",
        "INACTIVE": "-1",
        "EXPIRE": "",
        "SHELL": "/bin/sh",
        "SKEL": "/etc/skel",
    }
    node = sys.fs.lookup("/etc/default/useradd")
    if isinstance(node, File) and isinstance(node.content, bytes):
        for ln in node.content.decode("utf-8", "replace").splitlines():
            k, eq, v = ln.strip().partition("=")
            if eq and not k.startswith("#"):
                out[k.strip()] = v.strip().strip('"')
    return out


def _num(defs: dict[str, str], key: str, default: int) -> int:
    v = defs.get(key, "")
    try:
        return int(v, 0) if v else default
    except ValueError:
        return default


def _new_id(
    used: set[int], system: bool, defs: dict[str, str], kind: str, preferred: int | None = None
) -> int | None:
    """shadow's find_new_uid/gid: above the highest in [MIN, MAX]; system ids
    downwards from SYS_MAX; a free preferred id wins."""
    lo = _num(defs, f"{kind}_MIN", 1000)
    hi = _num(defs, f"{kind}_MAX", 60000)
    if system:
        lo, hi = _num(defs, f"SYS_{kind}_MIN", 101), _num(defs, f"SYS_{kind}_MAX", lo - 1)
    if preferred is not None and lo <= preferred <= hi and preferred not in used:
        return preferred
    if system:
        cand = hi
        for i in sorted((u for u in used if lo <= u <= hi), reverse=True):
            if i <= cand:
                cand = i - 1
        if cand >= lo:
            return cand
        return next((i for i in range(hi, lo - 1, -1) if i not in used), None)
    cand = lo
    for i in used:
        if lo <= i <= hi and i >= cand:
            cand = i + 1
    if cand <= hi:
        return cand
    return next((i for i in range(lo, hi + 1) if i not in used), None)


@applet("useradd", usage="[options] LOGIN")
def useradd(proc: Proc) -> int:
    sys, o, name = _shadow_args(
        proc,
        "c:d:e:f:g:G:k:K:lmMNop:rs:u:UDb:",
        {
            "comment=": "c",
            "home-dir=": "d",
            "base-dir=": "b",
            "expiredate=": "e",
            "inactive=": "f",
            "gid=": "g",
            "groups=": "G",
            "skel=": "k",
            "key=": "K",
            "no-log-init": "l",
            "create-home": "m",
            "no-create-home": "M",
            "no-user-group": "N",
            "non-unique": "o",
            "password=": "p",
            "system": "r",
            "shell=": "s",
            "uid=": "u",
            "user-group": "U",
        },
        1,
    )
    _shadow_name(name, f"invalid user name '{name}'")
    db = Db(sys)
    defs = _defs(sys)
    dflt = _useradd_defaults(sys)
    if db.user(name) is not None:
        raise Die(f"user '{name}' already exists", 9)
    system = "r" in o
    used_uids = set(db.passwd.ids())
    used_gids = set(db.group.ids())
    # the login group
    user_group = "N" not in o and ("U" in o or defs.get("USERGROUPS_ENAB", "yes").lower() == "yes")
    gid: int | None = None
    if o.get("g") is not None:
        gid = db.existing_gid(o.get("g") or "")
        user_group = False
    elif user_group and db.group_row(name) is not None:
        raise Die(f"group {name} exists - if you want to add this user to that group, use -g.", 9)
    extra = db.group_names(o.get("G") or "")
    if o.get("u") is not None:
        t = o.get("u") or ""
        if not (t.isascii() and t.isdigit()):
            raise Die(f"invalid user ID '{t}'", 3)
        uid = int(t)
        if uid in used_uids and "o" not in o:
            raise Die(f"UID {uid} is not unique", 4)
    else:
        new = _new_id(used_uids, system, defs, "UID")
        if new is None:
            raise Die("Can't get unique UID (no more available UIDs)", 4)
        uid = new
    if user_group:
        new = _new_id(used_gids, system, defs, "GID", preferred=uid)
        if new is None:
            raise Die("Can't get unique GID (no more available GIDs)", 4)
        gid = new
    elif gid is None:
        gid = db.gid_of(dflt.get("GROUP", "100")) or 100
    home = o.get("d") or posixpath.join(o.get("b") or dflt.get("HOME", "/home"), name)
    shell = o.get("s") if o.get("s") is not None else dflt.get("SHELL", "/bin/sh")
    comment = o.get("c") or ""
    db.passwd.append(f"{name}:x:{uid}:{gid}:{comment}:{home}:{shell}")
    if db.shadow.exists:
        pw = o.get("p") or "!"
        last = _days(sys) or ""
        if system:
            db.shadow.append(f"{name}:{pw}:{last}::::::")
        else:
            pmin = defs.get("PASS_MIN_DAYS", "0")
            pmax = defs.get("PASS_MAX_DAYS", "99999")
            warn = defs.get("PASS_WARN_AGE", "7")
            inact = o.get("f") or dflt.get("INACTIVE", "-1")
            inact = "" if inact == "-1" else inact
            db.shadow.append(f"{name}:{pw}:{last}:{pmin}:{pmax}:{warn}:{inact}::")
    if user_group:
        db.add_group(name, gid)
    for g in extra:
        db.add_member(g, name)
    db.save()
    create_home = "m" in o or (
        defs.get("CREATE_HOME", "no").lower() == "yes" and "M" not in o and not system
    )
    if create_home:
        umask_ = int(defs["UMASK"], 8) if re.fullmatch(r"[0-7]+", defs.get("UMASK", "")) else 0o022
        mode = 0o777 & ~umask_
        if re.fullmatch(r"[0-7]+", defs.get("HOME_MODE", "")):
            mode = int(defs["HOME_MODE"], 8)
        parent = posixpath.dirname(home)
        if parent and sys.try_stat(parent) is None:
            from emu.sh.utils.files import make_directory

            make_directory(proc, sys, parent, None, True)
        skel = o.get("k") or dflt.get("SKEL", "/etc/skel")
        _make_home(proc, sys, home, (uid, gid), mode, skel, quiet=True, preserve=True, shadow=True)
    if "l" not in o:
        _grow_log(sys, "/var/log/lastlog", uid, 292)
        _grow_log(sys, "/var/log/faillog", uid, 32)
    return 0


def _grow_log(sys: Sys, path: str, uid: int, record: int) -> None:
    """lastlog/faillog are sparse files indexed by uid: a big uid makes them big."""
    node = sys.fs.lookup(path)
    if not isinstance(node, File):
        return
    size = (uid + 1) * record
    if size > node.size:
        sys.fs.put(
            path,
            File(
                node.meta.with_(mtime=sys.time), Blob(size, f"{posixpath.basename(path)} (sparse)")
            ),
        )


@applet("groupadd", usage="[options] GROUP")
def groupadd(proc: Proc) -> int:
    sys, o, name = _shadow_args(
        proc,
        "fg:K:op:r",
        {
            "force": "f",
            "gid=": "g",
            "key=": "K",
            "non-unique": "o",
            "password=": "p",
            "system": "r",
        },
        10,
    )
    _shadow_name(name, f"'{name}' is not a valid group name")
    db = Db(sys)
    defs = _defs(sys)
    if db.group_row(name) is not None:
        if "f" in o:
            return 0
        raise Die(f"group '{name}' already exists", 9)
    used = set(db.group.ids())
    gid: int | None
    if o.get("g") is not None:
        t = o.get("g") or ""
        if not (t.isascii() and t.isdigit()):
            raise Die(f"invalid group ID '{t}'", 3)
        gid = int(t)
        if gid in used and "o" not in o:
            if "f" not in o:
                raise Die(f"GID '{gid}' already exists", 4)
            gid = _new_id(used, "r" in o, defs, "GID")
    else:
        gid = _new_id(used, "r" in o, defs, "GID")
    if gid is None:
        raise Die("Can't get unique GID (no more available GIDs)", 4)
    db.add_group(name, gid, o.get("p") or "!")
    db.save()
    return 0


@applet("usermod", usage="[options] LOGIN")
def usermod(proc: Proc) -> int:
    sys, o, name = _shadow_args(
        proc,
        "ac:d:e:f:g:G:l:Lmop:s:u:U",
        {
            "append": "a",
            "comment=": "c",
            "home=": "d",
            "expiredate=": "e",
            "inactive=": "f",
            "gid=": "g",
            "groups=": "G",
            "login=": "l",
            "lock": "L",
            "move-home": "m",
            "non-unique": "o",
            "password=": "p",
            "shell=": "s",
            "uid=": "u",
            "unlock": "U",
        },
        1,
    )
    db = Db(sys)
    row = db.user(name)
    if row is None:
        raise Die(f"user '{name}' does not exist", 6)
    row = row + [""] * (7 - len(row))
    if "a" in o and "G" not in o:
        raise Die("-a flag is ONLY allowed with the -G flag", 2)
    old_uid, old_home = int(row[2]), row[5]
    if o.get("g") is not None:
        row[3] = str(db.existing_gid(o.get("g") or ""))
    if o.get("u") is not None:
        t = o.get("u") or ""
        if not (t.isascii() and t.isdigit()):
            raise Die(f"invalid user ID '{t}'", 3)
        if int(t) in db.passwd.ids() and int(t) != old_uid and "o" not in o:
            raise Die(f"UID '{t}' already exists", 4)
        row[2] = t
    if o.get("c") is not None:
        row[4] = o.get("c") or ""
    if o.get("d") is not None:
        row[5] = o.get("d") or ""
    if o.get("s") is not None:
        row[6] = o.get("s") or ""
    groups = db.group_names(o.get("G") or "")
    newname = o.get("l")
    if newname is not None and newname != name and db.user(newname) is not None:
        raise Die(f"user '{newname}' already exists", 9)
    db.passwd.set(name, row)
    srow = db.shadow.get(name)
    if srow is not None:
        if o.get("p") is not None:
            srow[1] = o.get("p") or ""
        if "L" in o and not srow[1].startswith("!"):
            srow[1] = "!" + srow[1]
        if "U" in o and srow[1].startswith("!"):
            srow[1] = srow[1][1:]
        db.shadow.set(name, srow)
    if o.get("G") is not None:
        if "a" not in o:
            for r in db.group.rows():
                if len(r) > 3 and name in r[3].split(",") and r[0] not in groups:
                    db.remove_member(r[0], name)
        for g in groups:
            db.add_member(g, name)
    if newname is not None and newname != name:
        for tbl in (db.passwd, db.shadow):
            i = tbl.find(name)
            if i >= 0:
                tbl.lines[i] = newname + tbl.lines[i][len(name) :]
                tbl.changed = True
        for tbl in (db.group, db.gshadow):
            for i, ln in enumerate(tbl.lines):
                r = ln.split(":")
                if len(r) > 3 and name in r[3].split(","):
                    r[3] = ",".join(newname if m == name else m for m in r[3].split(","))
                    tbl.lines[i] = ":".join(r)
                    tbl.changed = True
    db.save()
    if "m" in o and o.get("d") is not None and old_home and old_home != row[5]:
        try:
            sys.rename(old_home, row[5])
        except OSError as e:
            proc.err(f"cannot rename directory {old_home} to {row[5]}: {e.strerror}")
    if o.get("u") is not None and int(row[2]) != old_uid:
        # usermod -u re-owns the files in the home directory that the old uid owned.
        home = sys.fs.lookup(row[5])
        if isinstance(home, Dir):
            _rechown(sys, row[5], old_uid, int(row[2]))
    return 0


def _rechown(sys: Sys, path: str, old: int, new: int) -> None:
    node = sys.fs.lookup(path, follow=False)
    if node is None:
        return
    if isinstance(node, Dir):
        for name in sorted(node.entries):
            _rechown(sys, posixpath.join(path, name), old, new)
    if node.meta.uid == old and not isinstance(node, Symlink):
        sys.fs.set_meta(path, node.meta.with_(uid=new), follow=False)


@applet("userdel", usage="[options] LOGIN")
def userdel(proc: Proc) -> int:
    sys, o, name = _shadow_args(proc, "frZ", {"force": "f", "remove": "r"}, 1)
    db = Db(sys)
    row = db.user(name)
    if row is None:
        raise Die(f"user '{name}' does not exist", 6)
    db.delete_user(name)
    defs = _defs(sys)
    grow = db.group_row(name)
    if (
        grow is not None
        and defs.get("USERGROUPS_ENAB", "yes").lower() == "yes"
        and len(row) > 3
        and grow[2] == row[3]
        and not db.logins_in(grow[2])
        and not (len(grow) > 3 and grow[3])
    ):
        db.delete_group(name)
    db.save()
    if "r" in o and len(row) > 5 and row[5]:
        from emu.sh.utils.files import remove_file

        if sys.try_stat(row[5]) is not None:
            remove_file(proc, sys, row[5], True, True, False)
        else:
            proc.err(f"{row[5]} home directory ({row[5]}) not found")
    return 0


@applet("groupdel", usage="[options] GROUP")
def groupdel(proc: Proc) -> int:
    sys, o, name = _shadow_args(proc, "f", {"force": "f"}, 10)
    db = Db(sys)
    grow = db.group_row(name)
    if grow is None:
        raise Die(f"group '{name}' does not exist", 6)
    logins = db.logins_in(grow[2])
    if logins and "f" not in o:
        raise Die(f"cannot remove the primary group of user '{logins[0][0]}'", 8)
    db.delete_group(name)
    db.save()
    return 0


@applet(
    "chpasswd", usage="[-me] [-c ALG]", note="modelled: passwords get a deterministic stand-in hash"
)
def chpasswd(proc: Proc) -> int:
    sys = Sys(proc)
    o = getopt(
        proc.argv[1:],
        "emc:R:",
        {"encrypted": "e", "md5": "m", "crypt-method=": "c", "root=": "R"},
    )
    _root_only(sys)
    db = Db(sys)
    status = 0
    for n, line in enumerate(proc.stdin.decode("utf-8", "surrogateescape").splitlines(), 1):
        if not line:
            continue
        user, sep, pw = line.partition(":")
        if not sep:
            raise Die(f"missing new password on line {n}")
        if db.user(user) is None:
            raise Die(f"unknown user {user}")
        if "e" in o:
            hashed = pw
        else:
            # A real crypt() uses a random salt; here the stand-in must be reproducible.
            digest = hashlib.sha512(f"{user}:{pw}".encode()).hexdigest()[:86]
            hashed = f"$6$emu${digest}"
        table = db.shadow if db.shadow.exists and db.shadow.get(user) is not None else db.passwd
        row = table.get(user)
        assert row is not None
        row[1] = hashed
        if table is db.shadow and len(row) > 2:
            row[2] = str(_days(sys))
        table.set(user, row)
    db.save()
    return status


# --- Debian's adduser / addgroup (the perl front end of the adduser package) ------------------


def _debian_tool(proc: Proc) -> bool:
    """Whether ``adduser``/``addgroup`` is Debian's perl program (it reads
    /etc/adduser.conf), not busybox's applet."""
    sys = Sys(proc)
    if sys.try_stat("/etc/adduser.conf") is None:
        return False
    name = proc.argv[0]
    found = name if "/" in name else None
    if found is None:
        for d in proc.env.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":"):
            if sys.try_stat(posixpath.join(d or ".", name)) is not None:
                found = posixpath.join(d or ".", name)
                break
    if found is None:
        return False
    return posixpath.basename(proc.fs.realpath(proc.path(found))) != "busybox"


def _adduser_conf(sys: Sys) -> dict[str, str]:
    conf = {"DSHELL": "/bin/bash", "DHOME": "/home", "SKEL": "/etc/skel", "FIRST_UID": "1000",
            "LAST_UID": "59999", "FIRST_GID": "1000", "LAST_GID": "59999",
            "FIRST_SYSTEM_UID": "100", "LAST_SYSTEM_UID": "999", "FIRST_SYSTEM_GID": "100",
            "LAST_SYSTEM_GID": "999", "USERGROUPS": "yes", "USERS_GID": "100",
            "DIR_MODE": "0750"}  # fmt: skip
    node = sys.try_stat("/etc/adduser.conf")
    if isinstance(node, File):
        for line in content_of(node, "/etc/adduser.conf").decode("utf-8", "replace").splitlines():
            m = re.match(r"\s*([A-Z_]+)\s*=\s*\"?([^\"#]*)\"?", line)
            if m:
                conf[m.group(1)] = m.group(2).strip()
    return conf


def _debian_id(
    what: str,
    requested: str | None,
    used: dict[int, str],
    conf: dict[str, str],
    system: bool,
    bounds: tuple[str | None, str | None] = (None, None),
) -> int:
    """The UID or GID adduser takes: the one asked for (refused if used), else the first
    free one of adduser.conf's range (the system range with --system; --firstuid/--lastuid
    narrow the other)."""
    if requested is not None:
        n = int(requested or "0")
        if n in used:
            raise Die(f"The {what} {n} is already in use.", 1)
        return n
    key = ("FIRST_SYSTEM_", "LAST_SYSTEM_") if system else ("FIRST_", "LAST_")
    first = bounds[0] or conf[f"{key[0]}{what[0]}ID"]
    last = bounds[1] or conf[f"{key[1]}{what[0]}ID"]
    return _free_id(used, int(first), int(last))


def _free_id(used: dict[int, str], first: int, last: int) -> int:
    for n in range(first, last + 1):
        if n not in used:
            return n
    raise Die(f"No UID/GID is available in the range {first}-{last}.", 1)


def debian_adduser(proc: Proc, *, group_only: bool) -> int:
    """Debian's adduser(8)/addgroup(8): users from FIRST_UID (1000), system users from 100
    with /usr/sbin/nologin and no home unless --home, a group per user (USERGROUPS), homes
    copied from /etc/skel with DIR_MODE. Without --disabled-password (or --disabled-login)
    it runs passwd, which has no terminal in a build: passwd fails, adduser asks "Try
    again?", reads end of input as "no" and goes on, as it does in a real build."""
    sys = Sys(proc)
    _root_only(sys)
    o = getopt(
        proc.argv[1:],
        "q",
        {"system": "S", "group": "R", "home=": "h", "shell=": "s", "no-create-home": "H",
         "uid=": "u", "gid=": "g", "ingroup=": "G", "gecos=": "c", "comment=": "c",
         "disabled-password": "D", "disabled-login": "L", "quiet": "q", "firstuid=": "1",
         "lastuid=": "2", "firstgid=": "3", "lastgid=": "4", "force-badname": "b",
         "allow-bad-names": "b", "allow-all-names": "b", "add-extra-groups": "x",
         "add_extra_groups": "x", "conf=": "C", "debug": "d", "verbose": "v"},
    )  # fmt: skip
    conf = _adduser_conf(sys)
    db = Db(sys)
    quiet = "q" in o

    def say(text: str) -> None:
        if not quiet:
            proc.stdout.write(text + "\n")

    args = o.args
    system = "S" in o
    if group_only or ("R" in o and not system):
        if len(args) == 2:
            return _debian_add_member(proc, db, args[0], args[1], say)
        if len(args) != 1:
            raise Die("Only one or two names allowed.", 1)
        name = args[0]
        if db.group_row(name) is not None:
            if system:
                return 0
            raise Die(f"The group `{name}' already exists.", 1)
        gid = _debian_id("GID", o.get("g"), db.group.ids(), conf, system)
        say(f"Adding {'system ' if system else ''}group `{name}' (GID {gid}) ...")
        db.add_group(name, gid)
        db.save()
        say("Done.")
        return 0
    if len(args) == 2 and not system:
        return _debian_add_member(proc, db, args[0], args[1], say)
    if len(args) != 1:
        raise Die("Only one or two names allowed.", 1)
    name = args[0]
    if db.user(name) is not None:
        if system:
            say(f"The system user `{name}' already exists. Exiting.")
            return 0
        raise Die(f"The user `{name}' already exists.", 1)
    uid = _debian_id("UID", o.get("u"), db.passwd.ids(), conf, system,
                     (o.get("1"), o.get("2")))  # fmt: skip
    new_group: str | None = None
    if o.get("G") is not None:
        group = o.get("G") or ""
        gid_found = db.gid_of(group)
        if gid_found is None or db.group_row(group) is None:
            raise Die(f"The group `{group}' does not exist.", 1)
        gid = gid_found
    elif o.get("g") is not None:
        gid = number(o.get("g") or "0")
        if db.group_by_gid(gid) is None:
            raise Die(f"The group with GID {gid} does not exist.", 1)
    elif system and "R" not in o:
        gid = db.gid_of("nogroup") or 65534
    elif conf.get("USERGROUPS", "yes") == "yes" or "R" in o:
        if db.group_row(name) is not None:
            raise Die(f"The group `{name}' already exists.", 1)
        first, last = (
            ("FIRST_SYSTEM_GID", "LAST_SYSTEM_GID") if system else ("FIRST_GID", "LAST_GID")
        )
        gid = (
            uid
            if uid not in db.group.ids()
            else _free_id(db.group.ids(), int(conf[first]), int(conf[last]))
        )
        new_group = name
    else:
        gid = int(conf["USERS_GID"])
    group_name = new_group or db.group_by_gid(gid) or str(gid)
    home = o.get("h") or ("/nonexistent" if system else f"{conf['DHOME']}/{name}")
    shell = o.get("s") or ("/usr/sbin/nologin" if system else conf["DSHELL"])
    gecos = o.get("c") or ""
    if system:
        say(f"Adding system user `{name}' (UID {uid}) ...")
        if new_group:
            say(f"Adding new group `{name}' (GID {gid}) ...")
        say(f"Adding new user `{name}' (UID {uid}) with group `{group_name}' ...")
    else:
        say(f"Adding user `{name}' ...")
        if new_group:
            say(f"Adding new group `{name}' ({gid}) ...")
        say(f"Adding new user `{name}' ({uid}) with group `{group_name}' ...")
    if new_group:
        db.add_group(name, gid)
    db.passwd.append(f"{name}:x:{uid}:{gid}:{gecos}:{home}:{shell}")
    if db.shadow.exists:
        locked = "*" if system or "L" in o else "!"
        db.shadow.append(f"{name}:{locked}:{_days(sys)}:0:99999:7:::")
    db.save()
    if "H" in o or home == "/nonexistent":
        if not system:
            say("Not creating home directory `" + home + "'.")
    elif sys.try_stat(home) is not None:
        say(f"The home directory `{home}' already exists.  Not copying from `{conf['SKEL']}'.")
    else:
        say(f"Creating home directory `{home}' ...")
        skel = None if system else conf["SKEL"]
        if skel is not None:
            say(f"Copying files from `{skel}' ...")
        mode = int(conf.get("DIR_MODE", "0750"), 8)
        _make_home(proc, sys, home, (uid, gid), mode, skel, quiet=True, preserve=False)
    if not system and "D" not in o and "L" not in o:
        # passwd and chfn read a terminal the build does not have; adduser goes on.
        proc.stdout.write("New password: Retype new password: ")
        proc.stderr.write("passwd: Authentication token manipulation error\n"
                          "passwd: password unchanged\n")  # fmt: skip
        proc.stdout.write("Try again? [y/N] ")
    if not system and o.get("c") is None:
        proc.stdout.write(
            f"Changing the user information for {name}\nEnter the new value, or press ENTER "
            "for the default\n\tFull Name []: \tRoom Number []: \tWork Phone []: \t"
            "Home Phone []: \tOther []: Is the information correct? [Y/n] \n"
        )
    return 0


def _debian_add_member(
    proc: Proc, db: Db, user: str, group: str, say: Callable[[str], None]
) -> int:
    if db.user(user) is None:
        raise Die(f"The user `{user}' does not exist.", 1)
    if db.group_row(group) is None:
        raise Die(f"The group `{group}' does not exist.", 1)
    say(f"Adding user `{user}' to group `{group}' ...")
    db.add_member(group, user)
    db.save()
    say("Done.")
    return 0
