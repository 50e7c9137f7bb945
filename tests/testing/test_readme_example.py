"""The README's copy-paste example of the pytest plugin and the strategies, kept runnable.

(The README shows this file's three tests; if they change, change the README too.)
"""

from __future__ import annotations

from hypothesis import given, settings

from emu.strategies import build_cases
from emu.testing import assert_path, assert_same_image, assert_stage_skipped, build


def test_the_builder_is_discarded(emu_build):  # type: ignore[no-untyped-def]
    result = emu_build("examples/multistage-demo")
    assert_path(result, "/usr/share/nginx/html/index.html", owner=0, contains="Hello from Docker")
    assert_path(result, "/app", exists=False)


def test_an_unused_stage_is_skipped() -> None:
    result = build({"Dockerfile": "FROM scratch AS unused\nFROM scratch\n"})
    assert_stage_skipped(result, "unused")


@settings(max_examples=25, deadline=None)
@given(build_cases())
def test_builds_are_deterministic(case):  # type: ignore[no-untyped-def]
    once = build(case.context, case.dockerfile, build_args=case.build_args)
    again = build(case.context, case.dockerfile, build_args=case.build_args)
    assert_same_image(once, again)
