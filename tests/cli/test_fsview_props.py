"""``emu tree --format json`` writes with :func:`dumps_deep`, which must be ``json.dumps(...,
indent=2)`` exactly, at any depth (the json module recurses once per level)."""

from __future__ import annotations

import json
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from emu.cli._fsview import dumps_deep

SETTINGS = settings(max_examples=300, deadline=timedelta(seconds=5))


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=20,
)


@SETTINGS
@given(_JSON)
def test_dumps_deep_is_json_dumps(value: object) -> None:
    assert dumps_deep(value) == json.dumps(value, indent=2)


def test_dumps_deep_has_no_depth_limit() -> None:
    value: list[object] = []
    cur = value
    for _ in range(5000):
        nxt: list[object] = []
        cur.append(nxt)
        cur = nxt
    # What json.dumps(value, indent=2) would write, were it able to recurse 5,000 times.
    want = "\n".join(
        ["  " * i + "[" for i in range(5000)]
        + ["  " * 5000 + "[]"]
        + ["  " * i + "]" for i in reversed(range(5000))]
    )
    assert dumps_deep(value) == want
    assert dumps_deep([[]]) == json.dumps([[]], indent=2)
