"""Evaluating specs against emu's builds: CST's semantics test by test, and emuTests."""

from __future__ import annotations

from pathlib import Path

import pytest

from emu.engine.builder import BuildResult
from emu.grading import Report, Subject, evaluate, loads_spec, run_spec
from emu.grading.evaluation import expand, go_mode_string, human
from emu.testing import Link, build

ROOT = Path(__file__).resolve().parents[2]

DOCKERFILE = """\
FROM alpine:3.19 AS builder
WORKDIR /app
COPY src/ ./src/
RUN mkdir -p dist && cp src/main.txt dist/main.txt \\
    && printf '#!/bin/sh\\necho hi\\n' > dist/run.sh \\
    && chmod 755 dist/run.sh && adduser -D -u 1000 app

FROM builder AS test
RUN false

FROM busybox AS final
ENV GREETING=hello PORT=8080 APP_HOME=/srv/app
LABEL org.example.vendor="ACME" build-date=2024-01-02T03:04:05.123456
COPY --from=builder /app/dist /srv/app
COPY --from=builder --chown=1000:1000 /app/dist/main.txt /srv/owned.txt
RUN ln -s /srv/app/main.txt /srv/link && mkdir -p /data && chmod 4755 /srv/app/run.sh
WORKDIR /srv/app
EXPOSE 8080 9090/udp
VOLUME /data
USER 1000
ENTRYPOINT ["/srv/app/run.sh"]
CMD ["--serve"]
"""

CONTEXT = {
    "Dockerfile": DOCKERFILE,
    "src/main.txt": "version=1.2.3\nmode: production\n",
    "notes.md": "secret notes",
    ".dockerignore": "*.md\n.git\n",
}


@pytest.fixture(scope="module")
def result() -> BuildResult:
    return build(CONTEXT)


def _run(spec_text: str, result: BuildResult) -> Report:
    return evaluate(loads_spec("schemaVersion: 2.0.0\n" + spec_text), Subject.of_result(result))


def _statuses(report: Report) -> dict[str, str]:
    return {r.name: r.status for r in report.results}


def test_file_existence(result: BuildResult) -> None:
    report = _run(
        """
fileExistenceTests:
  - {name: exists, path: /srv/app/main.txt}
  - {name: missing, path: /nope}
  - {name: absent ok, path: /nope, shouldExist: false}
  - {name: present but should not, path: /srv, shouldExist: false}
  - {name: perms go, path: /srv/app/main.txt, permissions: "-rw-r--r--"}
  - {name: perms ls form, path: /srv/app/run.sh, permissions: "-rwsr-xr-x"}
  - {name: perms go setuid, path: /srv/app/run.sh, permissions: "urwxr-xr-x"}
  - {name: perms wrong, path: /srv/app/main.txt, permissions: "-rwxr-xr-x"}
  - {name: dir perms, path: /srv/app, permissions: drwxr-xr-x}
  - {name: owner, path: /srv/owned.txt, uid: 1000, gid: 1000}
  - {name: owner wrong, path: /srv/owned.txt, uid: 0}
  - {name: exec any, path: /srv/app/run.sh, isExecutableBy: any}
  - {name: exec other wrong, path: /srv/app/main.txt, isExecutableBy: other}
  - {name: symlink not followed, path: /srv/link, permissions: Lrwxrwxrwx}
  - {name: env in path, path: "$APP_HOME/main.txt"}
  - {name: braces in path, path: "${APP_HOME}/run.sh"}
""",
        result,
    )
    assert _statuses(report) == {
        "exists": "pass",
        "missing": "fail",
        "absent ok": "pass",
        "present but should not": "fail",
        "perms go": "pass",
        "perms ls form": "pass",
        "perms go setuid": "pass",
        "perms wrong": "fail",
        "dir perms": "pass",
        "owner": "pass",
        "owner wrong": "fail",
        "exec any": "pass",
        "exec other wrong": "fail",
        "symlink not followed": "pass",
        "env in path": "pass",
        "braces in path": "pass",
    }
    by = {r.name: r for r in report.results}
    assert by["missing"].messages == ["File /nope should exist but does not"]
    assert "Expected: -rwxr-xr-x, Actual: -rw-r--r--" in by["perms wrong"].messages[0]
    assert "Expected: 0, Actual: 1000" in by["owner wrong"].messages[0]
    assert by["exists"].observed == "-rw-r--r-- 0:0 31 bytes"


def test_file_content(result: BuildResult) -> None:
    report = _run(
        r"""
fileContentTests:
  - name: expected
    path: /srv/app/main.txt
    expectedContents: ['version=\d+\.\d+\.\d+', '(?m)^mode: production$']
  - {name: excluded, path: /srv/app/main.txt, excludedContents: ['debug']}
  - {name: expected missing, path: /srv/app/main.txt, expectedContents: ['^mode']}
  - {name: excluded present, path: /srv/app/main.txt, excludedContents: ['production']}
  - {name: through a symlink, path: /srv/link, expectedContents: ['version']}
  - {name: no such file, path: /nope, expectedContents: ['x']}
  - {name: a directory, path: /srv, expectedContents: ['x']}
  - {name: a size-only file, path: /bin/busybox, expectedContents: ['ELF']}
""",
        result,
    )
    assert _statuses(report) == {
        "expected": "pass",
        "excluded": "pass",
        "expected missing": "fail",
        "excluded present": "fail",
        "through a symlink": "pass",
        "no such file": "fail",
        "a directory": "fail",
        "a size-only file": "error",
    }
    by = {r.name: r for r in report.results}
    assert "size-only model" in by["a size-only file"].messages[0]
    assert by["excluded present"].messages == [
        "Excluded contents 'production' found in /srv/app/main.txt"
    ]


def test_metadata(result: BuildResult) -> None:
    good = _run(
        r"""
metadataTest:
  envVars:
    - {key: GREETING, value: hello}
    - {key: PORT, value: '^\d+$', isRegex: true}
  unboundEnvVars: [{key: DEBUG}]
  labels:
    - {key: org.example.vendor, value: ACME}
    - {key: build-date, value: '^\d{4}-\d{2}-\d{2}T', isRegex: true}
  exposedPorts: ["8080", "9090/udp"]
  unexposedPorts: ["80"]
  entrypoint: ["/srv/app/run.sh"]
  cmd: ["--serve"]
  workdir: /srv/app
  volumes: [/data]
  unmountedVolumes: [/tmp]
  user: "1000"
""",
        result,
    )
    assert good.ok, good.results[0].messages
    bad = _run(
        """
metadataTest:
  envVars: [{key: GREETING, value: bye}, {key: MISSING, value: x}]
  unboundEnvVars: [{key: PORT}]
  labels: [{key: nope, value: x}]
  exposedPorts: ["80"]
  unexposedPorts: ["8080"]
  entrypoint: []
  cmd: ["--other"]
  workdir: /
  volumes: [/other]
  unmountedVolumes: [/data]
  user: root
""",
        result,
    )
    messages = bad.results[0].messages
    assert bad.results[0].status == "fail" and len(messages) == 12
    assert "env var GREETING value hello does not match expected value: bye" in messages
    assert "variable MISSING not found in image env" in messages
    assert "Image entrypoint ['/srv/app/run.sh'] does not match expected entrypoint: []" in messages


def test_command_tests(result: BuildResult) -> None:
    report = _run(
        r"""
globalEnvVars:
  - {key: WHO, value: "world from $APP_HOME"}
commandTests:
  - name: echo with env
    command: sh
    args: ["-c", "echo hello $WHO; echo oops >&2"]
    expectedOutput: ['^hello world from /srv/app\n$']
    expectedError: ['oops']
    excludedOutput: ['goodbye']
  - name: runs as the image's user in its workdir
    command: sh
    args: ["-c", "id -u; pwd"]
    expectedOutput: ['^1000\n/srv/app\n$']
  - name: test envVars reach the process, not the substitution
    command: sh
    args: ["-c", "env | grep ^WHO=; echo $WHO"]
    envVars: [{key: WHO, value: "me ($GREETING)"}]
    expectedOutput: ['^WHO=me \(hello\)\nworld from /srv/app\n$']
  - name: exit code
    command: sh
    args: ["-c", "exit 3"]
    exitCode: 3
  - name: wrong exit code
    command: "false"
  - name: setup persists within the test
    setup: [["sh", "-c", "echo made > /tmp/made"]]
    command: cat
    args: [/tmp/made]
    expectedOutput: [made]
  - name: but not into the image or the next test
    command: ls
    args: [/tmp/made]
    exitCode: 1
  - name: excluded output present
    command: echo
    args: [secret]
    excludedOutput: [secret]
  - name: not found
    command: no-such-program
    exitCode: 0
  - name: runaway loop
    command: sh
    args: ["-c", "while :; do :; done"]
""",
        result,
    )
    assert _statuses(report) == {
        "echo with env": "pass",
        "runs as the image's user in its workdir": "pass",
        "test envVars reach the process, not the substitution": "pass",
        "exit code": "pass",
        "wrong exit code": "fail",
        "setup persists within the test": "pass",
        "but not into the image or the next test": "pass",
        "excluded output present": "fail",
        "not found": "fail",
        "runaway loop": "fail",
    }
    by = {r.name: r for r in report.results}
    assert "Expected: 0, Actual: 1" in by["wrong exit code"].messages[0]
    assert "limit exceeded: max_steps" in by["runaway loop"].messages[0]
    assert by["echo with env"].stderr == "oops\n"
    assert result.image.rootfs.fs().lookup("/tmp/made") is None


def test_command_of_an_unemulated_program_is_an_error_not_a_failure() -> None:
    image = build({"Dockerfile": "FROM scratch\nCOPY app /app\n", "app": b"\x7fELF"})
    report = _run("commandTests:\n  - {name: run it, command: /app}\n", image)
    res = report.results[0]
    assert res.status in ("error", "fail")
    # A program emu does not know is an error (it could not be checked); one that is not
    # executable or not there is the image's fault.
    image = build({"Dockerfile": "FROM busybox\nRUN touch /x\n"})
    report = _run("commandTests:\n  - {name: n, command: node, args: [-v]}\n", image)
    assert report.results[0].status in ("error", "fail")


def test_user_from_run_options() -> None:
    image = build({"Dockerfile": "FROM alpine:3.19\nRUN adduser -D -u 4242 app\n"})
    report = _run(
        "containerRunOptions: {user: app}\ncommandTests:\n"
        "  - {name: id, command: id, args: [-u], expectedOutput: ['4242']}\n",
        image,
    )
    assert report.ok, report.results[0].messages


EMU_SPEC = """
emuTests:
  tests:
    - {name: builds, buildSucceeds: true}
    - {name: must fail, buildFails: true}
    - {name: three stages, stageCount: 3}
    - {name: at most two, stageCount: {max: 2}}
    - {name: named, namedStages: [builder, final]}
    - {name: all named, namedStages: true}
    - {name: missing name, namedStages: [runtime]}
    - {name: base ok, finalBase: [busybox]}
    - {name: base tagged, finalBase: ["busybox:latest"]}
    - {name: base wrong, finalBase: ["alpine:*"]}
    - {name: size ok, maxImageSize: 10MB}
    - {name: size over, maxImageSize: 1kB}
    - {name: not in image, notInImage: ["**/src", "**/*.md", app]}
    - {name: in image after all, notInImage: ["srv/app/*.sh"]}
    - {name: in image, inImage: [/srv/app/main.txt, /data]}
    - {name: not there, inImage: [/nope]}
    - {name: ignored, dockerignoreExcludes: [notes.md, .git/config]}
    - {name: not ignored, dockerignoreExcludes: [src/main.txt]}
    - {name: copy from, copyFrom: builder}
    - {name: copy from source, copyFrom: {stage: builder, source: /app/dist, dest: /srv/app}}
    - {name: copy from wrong dest, copyFrom: {stage: builder, dest: /opt/*}}
    - {name: copy from nothing, copyFrom: test}
    - {name: checks, noChecks: all}
    - {name: test skipped, stageStatus: {stage: test, status: skipped}}
    - {name: builder built, stageStatus: {stage: builder, status: built}}
    - {name: final, stageStatus: {stage: final, status: final}}
    - {name: wrong status, stageStatus: {stage: test, status: built}}
    - {name: target, targetStage: final}
"""


def test_emu_tests(result: BuildResult) -> None:
    report = _run(EMU_SPEC, result)
    assert _statuses(report) == {
        "builds": "pass",
        "must fail": "fail",
        "three stages": "pass",
        "at most two": "fail",
        "named": "pass",
        "all named": "pass",
        "missing name": "fail",
        "base ok": "pass",
        "base tagged": "pass",
        "base wrong": "fail",
        "size ok": "pass",
        "size over": "fail",
        "not in image": "pass",
        "in image after all": "fail",
        "in image": "pass",
        "not there": "fail",
        "ignored": "pass",
        "not ignored": "fail",
        "copy from": "pass",
        "copy from source": "pass",
        "copy from wrong dest": "fail",
        "copy from nothing": "fail",
        "checks": "pass",
        "test skipped": "pass",
        "builder built": "pass",
        "final": "pass",
        "wrong status": "fail",
        "target": "pass",
    }
    by = {r.name: r for r in report.results}
    assert by["in image after all"].messages == [
        "these must not reach the final image: /srv/app/run.sh"
    ]
    assert "COPY --from=builder /app/dist /srv/app" in by["copy from wrong dest"].messages[0]
    assert by["size over"].observed.endswith("bytes)")


def test_checks_that_fire_and_ignore_the_skip_directive() -> None:
    df = "# check=skip=all\nFROM busybox as Base\nENV A=${UNDEFINED_THING}\n"
    report = _run(
        "emuTests:\n  tests:\n    - {name: c, noChecks: all}\n"
        "    - {name: one, noChecks: [UndefinedVar]}\n"
        "    - {name: other, noChecks: [JSONArgsRecommended]}\n",
        build({"Dockerfile": df}),
    )
    assert _statuses(report) == {"c": "fail", "one": "fail", "other": "pass"}
    text = report.results[0].messages[0]
    assert "StageNameCasing" in text and "FromAsCasing" in text and "UndefinedVar" in text


def test_a_failed_build() -> None:
    spec = loads_spec("""
schemaVersion: 2.0.0
fileExistenceTests: [{name: f, path: /x}]
emuTests:
  tests:
    - {name: ok, buildSucceeds: true}
    - {name: fails, buildFails: 'cp: can.t stat'}
    - {name: fails otherwise, buildFails: 'network'}
    - {name: should fail, buildSucceeds: false}
    - {name: stages still counted, stageCount: 2}
    - {name: base needs the build, finalBase: [busybox]}
""")
    from emu.grading.run import build_mapping

    subject = build_mapping({"Dockerfile": "FROM busybox AS a\nRUN cp /nope /x\nFROM a\n"}, spec)
    report = evaluate(spec, subject)
    assert _statuses(report) == {
        "ok": "fail",
        "fails": "pass",
        "fails otherwise": "fail",
        "should fail": "pass",
        "stages still counted": "pass",
        "base needs the build": "fail",
        "f": "fail",
    }
    assert report.build_error is not None and "did not complete successfully" in report.build_error
    by = {r.name: r for r in report.results}
    assert by["f"].messages[0].startswith("the build failed: ")


def test_an_image_without_its_build(result: BuildResult) -> None:
    spec = loads_spec(
        "schemaVersion: 2.0.0\nfileExistenceTests: [{name: f, path: /srv}]\n"
        "emuTests:\n  tests:\n    - {name: s, stageCount: 2}\n"
        "    - {name: size, maxImageSize: 1GB}\n"
    )
    report = evaluate(spec, Subject.of_image(result.image))
    assert _statuses(report) == {"s": "error", "size": "pass", "f": "pass"}
    assert "needs a Dockerfile" in report.results[0].messages[0]


def test_run_spec_on_catalog_images_mappings_and_folders(tmp_path: Path) -> None:
    spec = loads_spec("schemaVersion: 2.0.0\nfileExistenceTests: [{name: sh, path: /bin/sh}]\n")
    assert run_spec(spec, "busybox").ok
    assert run_spec(spec, {"Dockerfile": "FROM busybox\n"}).ok
    (tmp_path / "Dockerfile").write_text("FROM busybox\n")
    assert run_spec(spec, tmp_path).ok
    assert not run_spec(spec, {"Dockerfile": "FROM scratch\n"}).ok


def test_run_spec_on_an_image_archive(tmp_path: Path, result: BuildResult) -> None:
    from emu.outputs import write_docker_archive

    archive = tmp_path / "image.tar"
    with archive.open("wb") as f:
        write_docker_archive(result.image, f, tags=["demo:1"])
    spec = loads_spec(
        "schemaVersion: 2.0.0\nmetadataTest: {cmd: ['--serve']}\n"
        "fileContentTests: [{name: c, path: /srv/app/main.txt, "
        "expectedContents: [version]}]\n"
    )
    report = run_spec(spec, str(archive))
    assert report.ok, [r.messages for r in report.results]
    assert "demo:1" in report.subject


def test_spec_names_its_context() -> None:
    from emu.grading import load_spec

    report = run_spec(load_spec(ROOT / "specs" / "rubric-multistage.yaml"))
    assert report.ok and report.score == report.max_score == 20


def test_in_memory_symlinks_in_contexts() -> None:
    result = build(
        {"Dockerfile": "FROM scratch\nCOPY . /ctx/\n", "a/b.txt": "x", "link": Link("a/b.txt")}
    )
    node = result.image.rootfs.fs().lookup("/ctx/link", follow=False)
    assert node is not None and node.kind.value == "symlink"


@pytest.mark.parametrize(
    ("text", "env", "out"),
    [
        ("$A/$B", {"A": "x", "B": "y"}, "x/y"),
        ("${A}z", {"A": "x"}, "xz"),
        ("$NOPE/a", {}, "/a"),
        ("no vars", {}, "no vars"),
    ],
)
def test_expand(text: str, env: dict[str, str], out: str) -> None:
    assert expand(text, env) == out


def test_go_mode_strings() -> None:
    from emu.fs import Device, Dir, File, Kind, Meta, Symlink

    assert go_mode_string(File(Meta(0o644))) == "-rw-r--r--"
    assert go_mode_string(Dir(Meta(0o1777))) == "dtrwxrwxrwx"
    assert go_mode_string(File(Meta(0o6755))) == "ugrwxr-xr-x"
    assert go_mode_string(Symlink(Meta(0o777), "x")) == "Lrwxrwxrwx"
    assert go_mode_string(Device(Meta(0o666), Kind.CHAR, 1, 3)) == "Dcrw-rw-rw-"
    assert go_mode_string(Device(Meta(0o644), Kind.FIFO)) == "prw-r--r--"
    assert human(62_940_654) == "62.9 MB" and human(12) == "12 B"


def test_no_checks_covers_buildkit_rules_and_emu_lessons_separately() -> None:
    image = build(
        {
            "Dockerfile": "FROM golang:1.21 AS b\nRUN true\nFROM golang:1.21\nCOPY . /src\n",
            "main.go": "package main",
        }
    )
    report = _run(
        "emuTests:\n  tests:\n    - {name: bk, noChecks: all}\n"
        "    - {name: lessons, noChecks: lessons}\n"
        "    - {name: named, noChecks: [HeavyFinalBase]}\n"
        "    - {name: other, noChecks: [CopyIgnoredFile]}\n",
        image,
    )
    assert _statuses(report) == {"bk": "pass", "lessons": "fail", "named": "fail", "other": "pass"}
    text = report.results[1].messages[0]
    for rule in ("UnusedStage", "CompilerInFinalImage", "HeavyFinalBase", "SourceInFinalImage"):
        assert rule in text


def test_dockers_per_container_files_exist_in_file_and_command_tests(
    result: BuildResult,
) -> None:
    """CST's docker driver tests a container: /.dockerenv and the /etc files Docker mounts
    into every container are there (the image itself does not hold them)."""
    from emu.grading.evaluation import container_id

    host = container_id(result.image)
    assert len(host) == 12 and int(host, 16) >= 0
    report = _run(
        """
fileExistenceTests:
  - {name: dockerenv, path: /.dockerenv, permissions: "-rwxr-xr-x", uid: 0, gid: 0}
  - {name: hosts, path: /etc/hosts, permissions: "-rw-r--r--"}
  - {name: hostname, path: /etc/hostname}
  - {name: resolv, path: /etc/resolv.conf}
fileContentTests:
  - name: hosts names localhost
    path: /etc/hosts
    expectedContents: ["(?m)^127\\\\.0\\\\.0\\\\.1\\\\tlocalhost$"]
  - {name: resolv names a server, path: /etc/resolv.conf, expectedContents: ["(?m)^nameserver "]}
commandTests:
  - {name: cat hostname, command: cat, args: [/etc/hostname], expectedOutput: ["^HOST\\n$"]}
  - {name: dockerenv from a shell, command: sh, args: ["-c", "test -f /.dockerenv && echo yes"],
     expectedOutput: ["yes"]}
emuTests:
  tests:
    - {name: not in the image, notInImage: [.dockerenv, etc/hostname]}
""".replace("HOST", host),
        result,
    )
    assert _statuses(report) == dict.fromkeys(
        [
            "not in the image",
            "cat hostname",
            "dockerenv from a shell",
            "dockerenv",
            "hosts",
            "hostname",
            "resolv",
            "hosts names localhost",
            "resolv names a server",
        ],
        "pass",
    ), [r.messages for r in report.results]
    assert result.image.rootfs.fs().lookup("/.dockerenv") is None  # the image is unchanged


def test_a_spec_regex_is_compiled_once_for_every_submission() -> None:
    """The rubric's expressions are compiled once per worker, not per submission: the
    automaton keeps the states it built for the next submission's text. The loader, which
    checks them, and the evaluation share the one memo."""
    from emu.grading import compile_regex, evaluation, loader

    expr = r"Hello from (Docker|emu)!"
    assert compile_regex(expr) is compile_regex(expr)
    assert evaluation.compile_regex is compile_regex is loader.compile_regex
    assert compile_regex(expr).search("<h1>Hello from emu!</h1>")
