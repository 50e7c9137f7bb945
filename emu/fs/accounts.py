"""An image's users and groups: its /etc/passwd and /etc/group, read in one place.

Everything that needs a name for an id or an id for a name reads them here: the shell's
``~user``, the utilities (``id``, ``ls -l``, ``chown``, ``tar``), the build's ``USER`` and
``--chown`` (whose own matching rules, BuildKit's, sit on top in :mod:`emu.engine.users`),
RUN's identity and the CLI's listings.

A line is ``name:password:id:...`` split on colons; blank lines and ``#`` comments are
skipped, and so is an entry whose id is not a number (a malformed line names nobody).
Missing trailing fields read as empty. The first entry for a name or an id wins, as
``getpwnam`` and ``getpwuid`` find it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from emu.fs.nodes import File
from emu.fs.tree import FS
from emu.records import record

PASSWD = "/etc/passwd"
GROUP = "/etc/group"


@record(frozen=True, slots=True)
class User:
    """One /etc/passwd entry."""

    name: str
    uid: int
    gid: int  # the login (primary) group
    gecos: str = ""
    home: str = ""
    shell: str = ""


@record(frozen=True, slots=True)
class Group:
    """One /etc/group entry."""

    name: str
    gid: int
    members: tuple[str, ...] = ()  # users for whom this is a supplementary group


def records(lines: Iterable[str]) -> list[list[str]]:
    """The colon-separated fields of each line that is neither blank nor a comment."""
    return [line.split(":") for line in lines if line and not line.startswith("#")]


def _data(fs: FS, path: str) -> bytes:
    node = fs.lookup(path)
    if not isinstance(node, File) or node.data is None:
        return b""
    return node.data


def _records(data: bytes) -> list[list[str]]:
    return records(data.decode("utf-8", "replace").splitlines())


# Every RUN, USER and listing asks for these; an image's files are mostly the catalog's own
# bytes objects, shared by every build, so parsing once per content is what makes it cheap
# (bytes cache their hash). Keyed on the whole content, so an edited file is parsed again;
# only small files are kept, so a build's huge /etc/passwd is not held after it.
_MEMO_BYTES = 64 * 1024


@functools.lru_cache(maxsize=128)
def _users(data: bytes) -> tuple[User, ...]:
    out = []
    for r in _records(data):
        if (
            len(r) >= 4
            and (r[2].isascii() and r[2].isdigit())
            and (r[3].isascii() and r[3].isdigit())
        ):
            r += [""] * (7 - len(r))
            out.append(User(r[0], int(r[2]), int(r[3]), r[4], r[5], r[6]))
    return tuple(out)


@functools.lru_cache(maxsize=128)
def _groups(data: bytes) -> tuple[Group, ...]:
    out = []
    for r in _records(data):
        if len(r) >= 3 and (r[2].isascii() and r[2].isdigit()):
            members = tuple(m for m in (r[3] if len(r) > 3 else "").split(",") if m)
            out.append(Group(r[0], int(r[2]), members))
    return tuple(out)


def users(fs: FS) -> list[User]:
    """The image's /etc/passwd entries, in file order (none without the file)."""
    return list(_user_table(fs))


def groups(fs: FS) -> list[Group]:
    """The image's /etc/group entries, in file order (none without the file)."""
    return list(_group_table(fs))


def _user_table(fs: FS) -> tuple[User, ...]:
    data = _data(fs, PASSWD)
    return _users(data) if len(data) <= _MEMO_BYTES else _users.__wrapped__(data)


def _group_table(fs: FS) -> tuple[Group, ...]:
    data = _data(fs, GROUP)
    return _groups(data) if len(data) <= _MEMO_BYTES else _groups.__wrapped__(data)


def user_named(fs: FS, name: str) -> User | None:
    return next((u for u in _user_table(fs) if u.name == name), None)


def user_with_id(fs: FS, uid: int) -> User | None:
    return next((u for u in _user_table(fs) if u.uid == uid), None)


def group_named(fs: FS, name: str) -> Group | None:
    return next((g for g in _group_table(fs) if g.name == name), None)


def group_with_id(fs: FS, gid: int) -> Group | None:
    return next((g for g in _group_table(fs) if g.gid == gid), None)


def supplementary(fs: FS, name: str) -> tuple[int, ...]:
    """The groups that list ``name`` as a member, in file order (the login group only
    when it lists the user too)."""
    return tuple(g.gid for g in groups(fs) if name in g.members)


@record(frozen=True, slots=True)
class Names:
    """Owner names for listings (``ls -l``, ``tar tv``, the CLI's views): the first name
    each id has, the number itself for an id without one."""

    users: dict[int, str]
    groups: dict[int, str]

    @classmethod
    def of(cls, fs: FS) -> Names:
        u: dict[int, str] = {}
        g: dict[int, str] = {}
        for user in users(fs):
            u.setdefault(user.uid, user.name)
        for group in groups(fs):
            g.setdefault(group.gid, group.name)
        return cls(u, g)

    def user(self, uid: int) -> str:
        return self.users.get(uid, str(uid))

    def group(self, gid: int) -> str:
        return self.groups.get(gid, str(gid))
