"""Reading specs: CST's schema 2.0.0 as its documentation writes it, emuTests, and errors
that name the line and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emu.grading import SpecError, load_spec, loads_spec, parse_size
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
            "spec.yaml:5:5: fileExistenceTests[0].shouldexist: unknown field",
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
        ("schemaVersion: 3.0.0\n", "Unsupported schema version: 3.0.0"),
        ("- a\n- b\n", "a spec is a mapping"),
        ("schemaVersion: [\n", "not valid YAML"),
    ],
)
def test_schema_version_and_shape(text: str, wanted: str) -> None:
    with pytest.raises(SpecError, match=r".*") as info:
        loads_spec(text)
    assert wanted in str(info.value)


def test_metadata_env_is_refused_with_csts_field_name() -> None:
    # CST 2.0.0's MetadataTest has envVars; its strict decoding refuses env.
    with pytest.raises(SpecError) as info:
        loads_spec(
            "schemaVersion: 2.0.0\nmetadataTest:\n  env:\n    - {key: A, value: b}\n", "s.yaml"
        )
    text = str(info.value)
    assert text.startswith("s.yaml:3:3: metadataTest.env: unknown field")
    assert "v2.MetadataTest" in text and "envVars" in text
    assert info.value.hint == "rename env: to envVars:"


def test_schema_1_0_0_is_read_as_cst_reads_it() -> None:
    spec = loads_spec(
        """
schemaVersion: 1.0.0
commandTests:
  - name: echo
    command: ["echo", "hi"]
    expectedOutput: ["hi"]
fileExistenceTests:
  - {name: bin, path: /bin, shouldExist: true, permissions: drwxr-xr-x}
fileContentTests:
  - {name: passwd, path: /etc/passwd, expectedContents: [root]}
""",
        "v1.yaml",
    )
    assert spec.schema_version == "1.0.0"
    cmd = spec.command_tests[0]
    assert (cmd.command, cmd.args) == ("echo", ("hi",))
    assert spec.file_existence_tests[0].permissions == "drwxr-xr-x"
    assert spec.file_content_tests[0].expected_contents == ("root",)
    # 1.0.0 has no metadataTest, and its file existence tests no uid.
    for text, field in (
        ("metadataTest: {workdir: /}\n", "metadataTest"),
        ("fileExistenceTests:\n  - {name: a, path: /a, uid: 0}\n", "uid"),
    ):
        with pytest.raises(SpecError, match=f"field {field} not found in type v1"):
            loads_spec("schemaVersion: 1.0.0\n" + text)


def test_repeated_keys_are_said_and_refused_in_strict_mode() -> None:
    text = "schemaVersion: 2.0.0\nfileExistenceTests: []\nfileExistenceTests: []\n"
    assert loads_spec(text, "r.yaml").warnings == (
        "r.yaml:3:1: fileExistenceTests: given twice (first at line 2); the last one counts",
    )
    with pytest.raises(SpecError) as info:
        loads_spec(text, "r.yaml", strict=True)
    assert str(info.value).startswith("r.yaml:3:1: fileExistenceTests: given twice")


def test_emu_additions_in_the_cst_file_are_the_old_form() -> None:
    old = """schemaVersion: 2.0.0
fileExistenceTests:
  - {name: a, path: /a, weight: 3}
metadataTest:
  name: ports
  exposedPorts: ["80"]
emuTests:
  tests: [{name: builds, buildSucceeds: true}]
"""
    spec = loads_spec(old, "old.yaml")
    assert spec.file_existence_tests[0].weight == 3
    assert spec.metadata_test is not None and spec.metadata_test.name == "ports"
    assert [t.name for t in spec.emu_tests] == ["builds"]
    note = "\n".join(spec.warnings)
    assert "emuTests" in note and "NAME.emu.yaml" in note and "weights" in note
    # Strict mode reads what CST reads: each addition is refused as CST refuses it.
    with pytest.raises(SpecError) as info:
        loads_spec(old.split("metadataTest")[0], "old.yaml", strict=True)
    assert str(info.value).startswith(
        "old.yaml:3:25: fileExistenceTests[0].weight: unknown field (container-structure-test: "
        "field weight not found in type v2.FileExistenceTest)"
    )
    assert "NAME.emu.yaml" in (info.value.hint or "")
    for text, where in (
        ("metadataTest: {name: x}\n", "metadataTest.name"),
        ("emuTests: {context: .}\n", "emuTests: unknown field"),
    ):
        with pytest.raises(SpecError, match=where):
            loads_spec("schemaVersion: 2.0.0\n" + text, strict=True)


def test_an_emu_file_holds_what_cst_has_no_field_for(tmp_path: Path) -> None:
    cst = "schemaVersion: 2.0.0\nfileExistenceTests:\n  - {name: page, path: /p}\n"
    cst += "metadataTest:\n  exposedPorts: ['80']\n"
    (tmp_path / "r.yaml").write_text(cst)
    (tmp_path / "r.emu.yaml").write_text(
        "context: app\nlimits: {maxSeconds: 3}\nweights: {page: 2, port 80: 4}\n"
        "metadataTestName: port 80\ntests:\n  - {name: two stages, stageCount: 2, weight: 5}\n"
    )
    for path in ("r.yaml", "r.emu.yaml"):  # either file names both
        spec = load_spec(tmp_path / path)
        assert spec.source == str(tmp_path / "r.yaml") and spec.build.context == "app"
        assert [(t.name, t.weight) for t in spec.tests()] == [
            ("two stages", 5),
            ("page", 2),
            ("port 80", 4),
        ]
        assert spec.limits.max_seconds == 3 and spec.warnings == ()
    # Strict mode: the CST file alone, as CST runs it.
    strict = load_spec(tmp_path / "r.yaml", strict=True)
    assert strict.emu_tests == () and strict.build.context is None
    assert strict.metadata_test is not None and strict.metadata_test.name == "Metadata Test"
    with pytest.raises(SpecError, match="emu file"):
        load_spec(tmp_path / "r.emu.yaml", strict=True)
    # A weight for a test that does not exist is a typo, said with the names there are.
    (tmp_path / "r.emu.yaml").write_text("weights: {pages: 2}\n")
    with pytest.raises(SpecError) as info:
        load_spec(tmp_path / "r.yaml")
    assert str(info.value).startswith(f"{tmp_path / 'r.emu.yaml'}:1:11: weights.pages: no ")
    assert info.value.hint == "did you mean page?"
    (tmp_path / "r.emu.yaml").write_text("emuTests: {}\n")
    with pytest.raises(SpecError, match="emuTests: unknown field"):
        load_spec(tmp_path / "r.yaml")


def test_strict_mode_wants_csts_file_names(tmp_path: Path) -> None:
    (tmp_path / "spec.txt").write_text("schemaVersion: 2.0.0\n")
    assert load_spec(tmp_path / "spec.txt").schema_version == "2.0.0"
    with pytest.raises(SpecError, match=r"\.yaml, \.yml or \.json"):
        load_spec(tmp_path / "spec.txt", strict=True)


def test_every_spec_in_specs_is_a_valid_cst_file() -> None:
    """What CST reads of each spec in specs/ passes strict mode: emu's additions are all in
    the emu files."""
    root = Path(__file__).resolve().parents[2] / "specs"
    files = [p for p in sorted(root.glob("*.yaml")) if not p.name.endswith(".emu.yaml")]
    assert len(files) >= 7
    for p in files:
        strict = load_spec(p, strict=True)
        full = load_spec(p)
        assert [t.kind for t in strict.tests()] == [
            t.kind for t in full.tests() if not t.kind.startswith("emu:")
        ]
        assert strict.warnings == full.warnings == ()


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


def test_json_files_keep_csts_lenient_decoding(tmp_path: Path) -> None:
    """CST reads .json with encoding/json, which ignores unknown keys: such a file runs in
    emu too, the key said in a warning; strict mode refuses it."""
    path = tmp_path / "c.json"
    path.write_text(
        json.dumps(
            {
                "schemaVersion": "2.0.0",
                "fileExistenceTests": [{"name": "a", "path": "/a", "comment": "x"}],
                "metadataTest": {"env": [{"key": "A", "value": "b"}]},
            }
        )
    )
    spec = load_spec(path)
    assert [t.name for t in spec.file_existence_tests] == ["a"]
    assert spec.metadata_test is not None and spec.metadata_test.env_vars == ()
    text = "\n".join(spec.warnings)
    assert "fileExistenceTests[0].comment: unknown field, ignored" in text
    assert "metadataTest.env: unknown field, ignored" in text
    with pytest.raises(SpecError, match="comment: unknown field"):
        load_spec(path, strict=True)


def test_the_readmes_emu_file_example_reads(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme.split("### container-structure-test files and emu's additions", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "rubric-multistage.yaml").write_text(
        (root / "specs" / "rubric-multistage.yaml").read_text(encoding="utf-8")
    )
    (tmp_path / "rubric-multistage.emu.yaml").write_text(example)
    spec = load_spec(tmp_path / "rubric-multistage.emu.yaml")
    weights = {t.name: t.weight for t in spec.tests()}
    assert weights["the page is served from nginx's html folder"] == 2
    assert weights["the build succeeds"] == 3 and weights["nginx serves on port 80"] == 1
    assert spec.build.build_args == (("VERSION", "1.2"),) and spec.limits.max_seconds == 10
