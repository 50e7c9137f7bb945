"""The one reader of /etc/passwd and /etc/group (emu.fs.accounts)."""

from __future__ import annotations

from emu.fs import FS, Blob, File, Meta, accounts
from emu.fs.accounts import Group, Names, User

PASSWD = b"""root:x:0:0:root:/root:/bin/sh
# a comment
bad:x:abc:1:::

app:x:1000:1000:The App:/home/app:/bin/sh
short:x:1001:1001
app:x:1002:1002::/elsewhere:/bin/false
twin:x:1000:1000::/t:/bin/sh
"""
GROUP = b"""root:x:0:
staff:x:50:app,other
nogid:x::app
app:x:1000:
wheel:x:10:root,app
"""


def _fs(passwd: bytes | None = PASSWD, group: bytes | None = GROUP) -> FS:
    fs = FS()
    fs.makedirs("/etc")
    if passwd is not None:
        fs.write_file("/etc/passwd", passwd)
    if group is not None:
        fs.write_file("/etc/group", group)
    return fs


def test_entries_in_file_order_skipping_comments_blanks_and_malformed_ids() -> None:
    fs = _fs()
    assert [u.name for u in accounts.users(fs)] == ["root", "app", "short", "app", "twin"]
    assert accounts.users(fs)[0] == User("root", 0, 0, "root", "/root", "/bin/sh")
    assert accounts.users(fs)[2] == User("short", 1001, 1001)  # missing fields read empty
    assert [g.name for g in accounts.groups(fs)] == ["root", "staff", "app", "wheel"]
    assert accounts.groups(fs)[1] == Group("staff", 50, ("app", "other"))
    assert accounts.groups(fs)[0].members == ()


def test_the_first_entry_for_a_name_or_an_id_wins() -> None:
    fs = _fs()
    assert accounts.user_named(fs, "app") == User(
        "app", 1000, 1000, "The App", "/home/app", "/bin/sh"
    )
    by_id = accounts.user_with_id(fs, 1000)
    assert by_id is not None and by_id.home == "/home/app"
    assert accounts.user_named(fs, "nobody") is None
    assert accounts.group_named(fs, "wheel") == Group("wheel", 10, ("root", "app"))
    assert accounts.group_with_id(fs, 1000) == Group("app", 1000)
    assert accounts.group_with_id(fs, 7) is None


def test_supplementary_groups_list_the_user_as_a_member() -> None:
    fs = _fs()
    assert accounts.supplementary(fs, "app") == (50, 10)
    assert accounts.supplementary(fs, "root") == (10,)
    assert accounts.supplementary(fs, "nobody") == ()


def test_no_files_or_size_only_files_name_nobody() -> None:
    assert accounts.users(_fs(None, None)) == []
    assert accounts.groups(_fs(None, None)) == []
    fs = FS()
    fs.makedirs("/etc")
    fs.put("/etc/passwd", File(Meta(0o644), Blob(100, "modelled")))
    assert accounts.users(fs) == []


def test_names_for_listings_fall_back_to_the_number() -> None:
    names = Names.of(_fs())
    assert names.user(1000) == "app"  # the first of the two entries with uid 1000
    assert names.user(4242) == "4242"
    assert names.group(50) == "staff"
    assert names.group(51) == "51"


def test_records_are_the_fields_of_real_lines() -> None:
    assert accounts.records(["a:b", "", "#c:d", "e"]) == [["a", "b"], ["e"]]
