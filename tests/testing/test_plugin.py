"""The pytest plugin in a nested pytest session: fixtures, and spec files as test items."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _args() -> list[str]:
    """Load the plugin explicitly unless its entry point already does."""
    installed = any(ep.value == "emu.testing.plugin" for ep in entry_points(group="pytest11"))
    return [] if installed else ["-p", "emu.testing.plugin"]


def test_fixtures_in_a_users_test_file(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_user="""
        from emu.testing import assert_path, assert_stage

        def test_page(emu_build):
            result = emu_build({
                "Dockerfile": "FROM busybox AS b\\nRUN mkdir /o && echo hi > /o/x\\n"
                              "FROM scratch\\nCOPY --from=b /o /www\\n",
            })
            assert_path(result, "/www/x", content="hi\\n")
            assert_stage(result, "b", "built")

        def test_folder(emu_build, emu_context):
            folder = emu_context({"Dockerfile": "FROM scratch\\nCOPY a /a\\n", "a": "1"})
            assert_path(emu_build(folder), "/a", content="2")
        """
    )
    result = pytester.runpytest(*_args())
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*AssertionError: /a: content is b'1', expected b'2'*"])


def test_spec_files_are_collected_as_items(pytester: pytest.Pytester) -> None:
    context = pytester.mkdir("app")
    (context / "Dockerfile").write_text(
        "FROM busybox AS build\nRUN mkdir /out && echo ok > /out/ok\n"
        "FROM scratch\nCOPY --from=build /out /srv\nEXPOSE 80\n"
    )
    pytester.makefile(
        ".yaml",
        app_spec="""
        schemaVersion: 2.0.0
        fileExistenceTests:
          - {name: served, path: /srv/ok}
          - {name: not served, path: /srv/missing}
        metadataTest:
          exposedPorts: ["80"]
        licenseTests:
          - {debian: true}
        """,
        plain="schemaVersion: 2.0.0\n",  # no context named: not collected
    )
    # emu's additions are in the emu file beside it, which CST never reads.
    (pytester.path / "app_spec.emu.yaml").write_text(
        "context: app\ntests:\n  - {name: two stages, stageCount: 2}\n"
    )
    result = pytester.runpytest(*_args(), "-v", "-rs")
    result.assert_outcomes(passed=3, failed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*app_spec.yaml::two stages PASSED*",
            "*app_spec.yaml::served PASSED*",
            "*app_spec.yaml::not served FAILED*",
            "*fail: not served (fileExistence)*",
            "*File /srv/missing should exist but does not*",
        ]
    )
    off = pytester.runpytest(*_args(), "--no-emu-specs")
    assert off.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_the_projects_specs_pass_under_pytest(pytester: pytest.Pytester) -> None:
    # Every spec of specs/ that names its context (multistage-demo.yaml is plain CST: it is
    # run with `emu test --config … CONTEXT`, see tests/grading).
    from emu.grading.loader import emu_file_for

    specs = [
        p
        for p in sorted((ROOT / "specs").glob("*.yaml"))
        if not p.name.endswith(".emu.yaml") and emu_file_for(p).exists()
        if "context:" in emu_file_for(p).read_text()
    ]
    assert len(specs) == 6
    result = pytester.runpytest(*_args(), *map(str, specs))
    result.assert_outcomes(passed=60)


def test_a_broken_spec_is_a_collection_error(pytester: pytest.Pytester) -> None:
    pytester.mkdir("ctx")
    pytester.makefile(".yaml", bad="schemaVersion: 2.0.0\nemuTests:\n  context: ctx\n  tset: []\n")
    result = pytester.runpytest(*_args())
    result.stdout.fnmatch_lines(["*emuTests.tset: unknown field*"])
    assert result.ret == pytest.ExitCode.INTERRUPTED


def test_a_build_error_in_a_test_shows_place_and_hint_not_emus_frames(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_user="""
        def test_build(emu_build):
            emu_build({"Dockerfile": "FROM busybox\\nRUN frobnicate --all\\n"})
        """
    )
    result = pytester.runpytest(*_args())
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*emu_build({*",  # the user's line is where the traceback ends
            "E *emu.errors.BuildError: Dockerfile:2:1: process * exit code: 127",
            "E *hint: sh: frobnicate: not found",
            "test_user.py:2: BuildError",
        ]
    )
    assert "/emu/engine/" not in text and "/emu/grading/" not in text, text
    full = pytester.runpytest(*_args(), "--fulltrace")
    full.assert_outcomes(failed=1)
    assert "/emu/engine/" in full.stdout.str() or "/emu/grading/" in full.stdout.str()
