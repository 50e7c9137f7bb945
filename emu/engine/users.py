"""Users and groups as an image knows them: its /etc/passwd and /etc/group.

``--chown=app:staff``, ``USER app`` and WORKDIR's owner resolve names against the
stage's own files, as BuildKit does; numbers need no files.
"""

from __future__ import annotations

from emu.errors import UnknownUserError as UnknownUserError
from emu.fs import FS, File, accounts
from emu.records import record


@record(frozen=True, slots=True)
class Ids:
    uid: int
    gid: int


def lookup_user(fs: FS, name: str) -> tuple[int, int] | None:
    """(uid, primary gid) of the first /etc/passwd entry with this name or uid text."""
    found = next((u for u in accounts.users(fs) if name in (u.name, str(u.uid))), None)
    return (found.uid, found.gid) if found is not None else None


def lookup_group(fs: FS, name: str) -> int | None:
    """The gid of the first /etc/group entry with this name or gid text."""
    found = next((g for g in accounts.groups(fs) if name in (g.name, str(g.gid))), None)
    return found.gid if found is not None else None


def _num(text: str) -> int | None:
    return int(text) if (text.isascii() and text.isdigit()) else None


def resolve_chown(fs: FS, spec: str) -> Ids:
    """``user[:group]`` for COPY/ADD --chown and WORKDIR's owner, as BuildKit maps it.

    A lone uid means gid = uid. A name is looked up in the stage's /etc/passwd: a name that
    is not there becomes uid 0, an unknown group falls back to the user's primary gid (both
    seen with BuildKit); with no /etc/passwd at all a name cannot be resolved.
    """
    user, sep, group = spec.partition(":")
    uid = _num(user)
    if uid is None:
        if not isinstance(fs.lookup(accounts.PASSWD), File):
            raise UnknownUserError(
                f"invalid user index: -1 (no /etc/passwd to resolve user {user!r})",
                hint=f"use a numeric uid, or COPY an /etc/passwd that defines {user} first",
            )
        found = lookup_user(fs, user)
        uid, primary = found if found is not None else (0, 0)
    else:
        primary = uid
    if not sep:
        return Ids(uid, primary)
    gid = _num(group)
    if gid is None:
        if not isinstance(fs.lookup(accounts.GROUP), File):
            raise UnknownUserError(
                f"invalid group index: -1 (no /etc/group to resolve group {group!r})",
                hint="use a numeric gid, or COPY an /etc/group that defines it first",
            )
        found_gid = lookup_group(fs, group)
        gid = found_gid if found_gid is not None else primary
    return Ids(uid, gid)


def resolve_user(fs: FS, spec: str) -> Ids:
    """The ids a ``USER`` value runs as (names must exist; numbers need not)."""
    if spec == "":
        return Ids(0, 0)
    user, sep, group = spec.partition(":")
    uid = _num(user)
    if uid is None:
        found = lookup_user(fs, user)
        if found is None:
            raise UnknownUserError(
                f"unable to find user {user}: no matching entries in passwd file",
                hint=f"create the user in an earlier step (RUN adduser -D {user})",
            )
        uid, gid = found
    else:
        found = lookup_user(fs, user)
        gid = found[1] if found else 0
    if sep:
        g = _num(group)
        if g is None:
            g = lookup_group(fs, group)
            if g is None:
                raise UnknownUserError(
                    f"unable to find group {group}: no matching entries in group file"
                )
        gid = g
    return Ids(uid, gid)
