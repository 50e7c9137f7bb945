"""Reading specs: CST's schema 2.0.0 as its documentation writes it, emuTests, and errors
that name the line and the field."""

from __future__ import annotations

import json

import pytest

from emu.grading import SpecError, loads_spec, parse_size
from emu.grading.model import EMU_KINDS, SandboxLimits

# The examples of container-structure-test's README, taken unchanged.
CST_README = r"""
schemaVersion: 2.0.0
globalEnvVars:
  - key: "VIRTUAL_ENV"
    value: "/env"
  - key: "PATH"
    value: "/env/bin:$PATH"
commandTests:
  - name: "gunicorn flask"
    setup: [["virtualenv", "/env"], ["pip", "install", "gunicorn", "flask"]]
    command: "which"
    args: ["gunicorn"]
    expectedOutput: ["/env/bin/gunicorn"]
  - name:  "apt-get upgrade"
    command: "apt-get"
    args: ["-qqs", "upgrade"]
    excludedOutput: [".*Inst.*Security.* | .*Security.*Inst.*"]
    excludedError: [".*Inst.*Security.* | .*Security.*Inst.*"]
  - name: "say hello world"
    command: "bash"
    args:
      - -c
      - |
         echo hello &&
         echo world
fileExistenceTests:
- name: 'Root'
  path: '/'
  shouldExist: true
  permissions: '-rw-r--r--'
  uid: 1000
  gid: 1000
  isExecutableBy: 'group'
fileContentTests:
- name: 'Debian Sources'
  path: '/etc/apt/sources.list'
  expectedContents: ['.*httpredir\.debian\.org.*']
  excludedContents: ['.*gce_debian_mirror.*']
metadataTest:
  envVars:
    - key: foo
      value: baz
  labels:
    - key: 'com.example.vendor'
      value: 'ACME Incorporated'
    - key: 'build-date'
      value: '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$'
      isRegex: true
  exposedPorts: ["8080", "2345"]
  volumes: ["/test"]
  entrypoint: []
  cmd: ["/bin/bash"]
  workdir: "/app"
  user: "luke"
licenseTests:
- debian: true
  files: ["/foo/bar", "/baz/bat"]
containerRunOptions:
  user: "root"
  privileged: true
  allocateTty: true
  envFile: path/to/.env
  envVars:
    - SECRET_KEY_FOO
    - OTHER_SECRET_BAR
  capabilities:
    - NET_BIND_SERVICE
  bindMounts:
    - /etc/example/dir:/etc/dir
"""


def test_cst_readme_examples_load_unchanged() -> None:
    spec = loads_spec(CST_README, "cst.yaml")
    assert [t.name for t in spec.command_tests] == [
        "gunicorn flask",
        "apt-get upgrade",
        "say hello world",
    ]
    gunicorn = spec.command_tests[0]
    assert gunicorn.setup == (("virtualenv", "/env"), ("pip", "install", "gunicorn", "flask"))
    assert gunicorn.exit_code == 0
    assert spec.command_tests[2].args == ("-c", "echo hello &&\necho world\n")
    root = spec.file_existence_tests[0]
    assert (root.permissions, root.uid, root.gid, root.is_executable_by) == (
        "-rw-r--r--",
        1000,
        1000,
        "group",
    )
    assert spec.file_content_tests[0].excluded_contents == (".*gce_debian_mirror.*",)
    meta = spec.metadata_test
    assert meta is not None
    assert meta.entrypoint == () and meta.cmd == ("/bin/bash",)
    assert meta.labels[1].is_regex and meta.user == "luke" and meta.workdir == "/app"
    assert spec.global_env_vars[1].value == "/env/bin:$PATH"
    assert spec.run_options.user == "root"
    assert spec.run_options.env_vars == ("SECRET_KEY_FOO", "OTHER_SECRET_BAR")
    # What emu cannot honour is said, not dropped.
    text = "\n".join(spec.warnings)
    for field in (
        "licenseTests",
        "privileged",
        "allocateTty",
        "envFile",
        "capabilities",
        "bindMounts",
    ):
        assert field in text
    assert "cst.yaml:" in text


def test_defaults_follow_cst() -> None:
    spec = loads_spec("""
schemaVersion: "2.0.0"
fileExistenceTests:
  - {name: n, path: /x}
commandTests:
  - {name: c, command: "true"}
metadataTest:
  workdir: /w
""")
    fe = spec.file_existence_tests[0]
    assert fe.should_exist is True and fe.uid == -1 and fe.gid == -1 and fe.weight == 1
    assert spec.command_tests[0].exit_code == 0
    assert spec.metadata_test is not None
    assert spec.metadata_test.cmd is None and spec.metadata_test.entrypoint is None
    assert spec.limits == SandboxLimits()
    assert spec.max_score == 3


def test_json_specs_are_read_too() -> None:
    doc = {
        "schemaVersion": "2.0.0",
        "fileExistenceTests": [{"name": "a", "path": "/a", "shouldExist": False}],
    }
    spec = loads_spec(json.dumps(doc))
    assert spec.file_existence_tests[0].should_exist is False


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        (
            "fileExistenceTests:\n  - name: a\n    path: /a\n    shouldexist: false\n",
            "spec.yaml:5:1: fileExistenceTests[0].shouldexist: unknown field",
        ),
        ("fileExistenceTest:\n  - {name: a, path: /a}\n", "fileExistenceTest: unknown field"),
        (
            "fileExistenceTests:\n  - {name: a, path: /a, uid: root}\n",
            "fileExistenceTests[0].uid: expected an integer, got a string ('root')",
        ),
        (
            "fileExistenceTests:\n  - {name: a, path: /a, shouldExist: 'no'}\n",
            "shouldExist: expected true or false",
        ),
        ("fileExistenceTests:\n  - {path: /a}\n", "'name' is required"),
        (
            "fileExistenceTests:\n  - {name: a, path: /a, isExecutableBy: everyone}\n",
            "'everyone' is not one of owner, group, other, any",
        ),
        (
            "fileContentTests:\n  - {name: a, path: /a, expectedContents: ['(unclosed']}\n",
            "expectedContents[0]: bad regex '(unclosed'",
        ),
        ("commandTests:\n  - {name: a, command: ls, setup: [[]]}\n", "setup[0]: empty command"),
        ("metadataTest:\n  exposedPort: ['80']\n", "metadataTest.exposedPort: unknown field"),
        ("emuTests:\n  tests:\n    - {name: x, stagecount: 2}\n", "unknown assertion"),
        (
            "emuTests:\n  tests:\n    - {name: x, stageCount: 2, buildSucceeds: true}\n",
            "has 2 assertions",
        ),
        ("emuTests:\n  tests:\n    - {name: x}\n", "names no assertion"),
        ("emuTests:\n  limits: {maxBytes: lots}\n", "'lots' is not a size"),
        ("emuTests:\n  limits: {maxSteps: -1}\n", "cannot be negative"),
        (
            "emuTests:\n  tests:\n    - stageStatus: {stage: a, status: gone}\n",
            "'gone' is not one of final, built, skipped",
        ),
        ("emuTests:\n  buid: {}\n", "emuTests.buid: unknown field"),
    ],
)
def test_bad_specs_say_where_and_what(text: str, wanted: str) -> None:
    with pytest.raises(SpecError) as info:
        loads_spec("schemaVersion: 2.0.0\n" + text, "spec.yaml")
    assert wanted in str(info.value)
    assert info.value.exit_code == 2


def test_unknown_fields_suggest_the_right_one() -> None:
    with pytest.raises(SpecError) as info:
        loads_spec(
            "schemaVersion: 2.0.0\nfileExistenceTests:\n  - {name: a, path: /a, "
            "premissions: '-rw-r--r--'}\n"
        )
    assert info.value.hint == "did you mean permissions?"
    with pytest.raises(SpecError) as info:
        loads_spec("schemaVersion: 2.0.0\nemuTests:\n  tests:\n    - maxImagesize: 1MB\n")
    assert info.value.hint == "did you mean maxImageSize?"


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("fileExistenceTests: []\n", "schemaVersion: is required"),
        ("schemaVersion: 1.0.0\n", "not 1.0.0"),
        ("- a\n- b\n", "a spec is a mapping"),
        ("schemaVersion: [\n", "not valid YAML"),
    ],
)
def test_schema_version_and_shape(text: str, wanted: str) -> None:
    with pytest.raises(SpecError, match=r".*") as info:
        loads_spec(text)
    assert wanted in str(info.value)


def test_old_metadata_env_key_is_read_with_a_note() -> None:
    spec = loads_spec("schemaVersion: 2.0.0\nmetadataTest:\n  env:\n    - {key: A, value: b}\n")
    assert spec.metadata_test is not None and spec.metadata_test.env_vars[0].key == "A"
    assert any("metadataTest.env" in w for w in spec.warnings)


def test_emu_tests_every_kind() -> None:
    spec = loads_spec(
        """
schemaVersion: 2.0.0
emuTests:
  context: ../examples/x
  build:
    dockerfile: Dockerfile.prod
    target: runtime
    buildArgs: {VERSION: 1.2, DEBUG: "no"}
    permissive: true
  limits: {maxSeconds: 2.5, maxSteps: 10, maxOutput: 1kB, maxFiles: 3, maxBytes: 1.5MiB,
           maxDepth: 4, maxContextFiles: 9, maxContextBytes: 2MB, maxMemory: 1GiB,
           hardTimeout: 7}
  tests:
    - {name: ok, buildSucceeds: true, weight: 2.5}
    - {buildFails: "not found"}
    - {buildFails: true}
    - {stageCount: 2}
    - {stageCount: {min: 2}}
    - {namedStages: [builder]}
    - {namedStages: true}
    - {finalBase: "nginx:*"}
    - {maxImageSize: 30MB}
    - {notInImage: ["**/node_modules", /src]}
    - {inImage: [/app]}
    - {dockerignoreExcludes: [.git]}
    - {copyFrom: builder}
    - {copyFrom: {stage: builder, source: /app/dist, dest: /srv}}
    - {noChecks: all}
    - {noChecks: [StageNameCasing]}
    - {stageStatus: {stage: test, status: skipped}}
    - {targetStage: runtime}
""",
        "s.yaml",
        "/base",
    )
    kinds = [t.assertion for t in spec.emu_tests]
    assert set(kinds) == set(EMU_KINDS)
    values = {t.name: t.value for t in spec.emu_tests}
    assert values["ok"] is True and spec.emu_tests[0].weight == 2.5
    assert values["stageCount: 2"] == (2, 2)
    assert values["stageCount: 2"] != spec.emu_tests[4].value
    assert spec.emu_tests[4].value == (2, 1 << 30)
    assert values["maxImageSize: 30000000"] == 30_000_000
    assert values["copyFrom: builder"] == ("builder", "", "")
    assert spec.build.build_args == (("VERSION", "1.2"), ("DEBUG", "no"))
    assert spec.build.target == "runtime" and spec.build.permissive
    assert spec.build.context == "../examples/x" and spec.base_dir == "/base"
    lim = spec.limits
    assert (lim.max_seconds, lim.max_steps, lim.max_output, lim.max_files) == (2.5, 10, 1000, 3)
    assert lim.max_bytes == int(1.5 * 1024**2) and lim.max_memory == 1024**3
    assert lim.kill_after() == 7
    assert SandboxLimits(max_seconds=2).kill_after() == 11


@pytest.mark.parametrize(
    ("value", "size"),
    [
        (1000, 1000),
        ("30MB", 30_000_000),
        ("30 mb", 30_000_000),
        ("1.5GiB", 1610612736),
        ("500kB", 500_000),
        ("12", 12),
        ("2K", 2000),
        ("1TiB", 1024**4),
    ],
)
def test_sizes(value: object, size: int) -> None:
    assert parse_size(value) == size


@pytest.mark.parametrize("value", ["lots", "-1", True, -5, "3 parsecs"])
def test_bad_sizes(value: object) -> None:
    with pytest.raises(ValueError):
        parse_size(value)


def test_duplicate_names_are_noted() -> None:
    spec = loads_spec(
        "schemaVersion: 2.0.0\nfileExistenceTests:\n  - {name: a, path: /a}\n"
        "  - {name: a, path: /b}\n"
    )
    assert any("repeat" in w for w in spec.warnings)


def test_load_reads_a_file_relative_to_its_folder(tmp_path: pytest.TempPathFactory) -> None:
    from pathlib import Path

    from emu.grading import load_spec

    folder = Path(str(tmp_path))
    (folder / "s.yaml").write_text("schemaVersion: 2.0.0\nemuTests: {context: ctx}\n")
    spec = load_spec(folder / "s.yaml")
    assert spec.base_dir == str(folder) and spec.source == str(folder / "s.yaml")
    with pytest.raises(SpecError, match="cannot read spec"):
        load_spec(folder / "missing.yaml")
