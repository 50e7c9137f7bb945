"""The build engine on in-memory contexts: stage pruning, errors with positions, COPY rules."""

from __future__ import annotations

import pytest

from emu.dockerfile.instructions import load
from emu.engine.builder import BuildOptions, BuildResult, build
from emu.engine.context import from_mapping
from emu.errors import BuildError
from emu.pos import Position
from emu.teach.listing import listing

FILES = {
    "a.txt": "a\n",
    "d/sub/f": "f\n",
    "d/g": "g\n",
    "notes.md": "n\n",
    ".dockerignore": "*.md\n",
}


def run(dockerfile: str, **opts: object) -> BuildResult:
    return build(load(dockerfile), from_mapping(FILES), BuildOptions(**opts))  # type: ignore[arg-type]


def paths(result: BuildResult) -> list[str]:
    return [line.split("\t", 1)[0] for line in listing(result.image.rootfs.root).splitlines()]


def test_unreachable_stages_are_skipped_even_when_broken() -> None:
    r = run("FROM scratch AS broken\nCOPY missing /\nFROM scratch AS used\nCOPY a.txt /\n"
            "FROM scratch\nCOPY --from=used /a.txt /x\n")  # fmt: skip
    assert [(s.name, s.status) for s in r.stages] == [
        ("broken", "skipped"),
        ("used", "built"),
        ("stage-2", "final"),
    ]
    assert paths(r) == ["/x"]
    assert r.discarded[0].name == "used"


def test_legacy_builder_runs_every_stage_up_to_the_target() -> None:
    with pytest.raises(BuildError, match="not found") as info:
        run(
            "FROM scratch AS broken\nCOPY missing /\nFROM scratch\nCOPY a.txt /\n", builder="legacy"
        )
    assert info.value.pos == Position(2, 1)


def test_target_selects_a_stage_case_insensitively() -> None:
    r = run("FROM scratch AS Base\nCOPY a.txt /\nFROM scratch\nCOPY d /d\n", target="BASE")
    assert paths(r) == ["/a.txt"]
    assert r.target.name == "base"


def test_unknown_target_suggests_a_name() -> None:
    with pytest.raises(
        BuildError, match=r'target stage "buidler" could not be found \(did you mean builder\?\)'
    ):
        run("FROM scratch AS builder\nCOPY a.txt /\n", target="buidler")


@pytest.mark.parametrize(
    ("dockerfile", "message", "line"),
    [
        ("FROM scratch\nCOPY --from=later /a /\nFROM scratch AS later\nCOPY a.txt /\n",
         'cannot copy from stage "later", it needs to be defined before current stage', 2),
        ("FROM scratch AS me\nCOPY --from=me /a /\n", "circular dependency detected on stage", 2),
        ("FROM scratch\nCOPY --from=5 /a /\n", "invalid stage index 5", 2),
        ("FROM scratch\nCOPY --from=$X /a /\n", "variable expansion is not supported", 2),
        ("FROM scratch\nCOPY missing.txt /\n", 'checksum of ref: "/missing.txt": not found', 2),
        ("FROM scratch\nCOPY notes.md /\n", 'checksum of ref: "/notes.md": not found', 2),
        ("ARG IMG\nFROM ${IMG}\n", "base name (${IMG}) should not be blank", 2),
        ("FROM scratch\nRUN echo hi\n", '"/bin/sh -c echo hi" did not complete successfully', 2),
        ("FROM scratch\nCOPY a.txt /f\nCOPY d /f\n", "cannot copy to non-directory: /f", 3),
        ("FROM scratch\nSTOPSIGNAL SIGNOPE\n", "Invalid signal: SIGNOPE", 2),
        ("FROM scratch\nEXPOSE 80/tcp nope\n", "invalid containerPort: nope", 2),
    ],
)  # fmt: skip
def test_failures_are_located(dockerfile: str, message: str, line: int) -> None:
    with pytest.raises(BuildError) as info:
        run(dockerfile)
    assert message in info.value.message
    assert info.value.pos is not None and info.value.pos.line == line


def test_ignored_file_error_says_why() -> None:
    with pytest.raises(BuildError) as info:
        run("FROM scratch\nCOPY notes.md /\n")
    assert info.value.hint is not None and ".dockerignore" in info.value.hint


def test_copy_rules() -> None:
    r = run(
        "FROM scratch\nWORKDIR /w\nCOPY a.txt .\nCOPY a.txt /file\nCOPY a.txt /dir/\nCOPY d /d\n"
        "COPY ../../a.txt /clamped\nCOPY *.txt nomatch* /glob/\n"
    )
    assert paths(r) == [
        "/clamped", "/d", "/d/g", "/d/sub", "/d/sub/f", "/dir", "/dir/a.txt", "/file",
        "/glob", "/glob/a.txt", "/w", "/w/a.txt",
    ]  # fmt: skip


def test_two_copies_are_two_files_not_hard_links() -> None:
    r = run("FROM scratch\nCOPY a.txt /x\nCOPY a.txt /y\n")
    assert "hardlink" not in listing(r.image.rootfs.root)


def test_config_and_history() -> None:
    r = run(
        "FROM scratch\nENV A=1 B=$A\nARG V=2\nLABEL v=$V\nEXPOSE 80 53/udp\nUSER 1000\n"
        'CMD ["a"]\nENTRYPOINT ["e"]\nHEALTHCHECK NONE\n'
    )
    c = r.image.config
    assert c.env == (
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "A=1",
        "B=",
    )
    assert c.labels == (("v", "2"),) and c.exposed_ports == ("53/udp", "80/tcp")
    assert c.user == "1000" and c.cmd == ("a",) and c.entrypoint == ("e",)
    assert c.healthcheck is not None and c.healthcheck.test == ("NONE",)
    assert [h.created_by for h in r.image.history][:3] == ["ENV A=1 B=", "ARG V=2", "LABEL v=2"]


def test_onbuild_triggers_run_in_the_child() -> None:
    r = run("FROM scratch AS base\nONBUILD COPY a.txt /from-trigger\nFROM base\n")
    assert paths(r) == ["/from-trigger"] and r.image.config.on_build == ()


def test_copy_records_what_crossed_between_stages() -> None:
    r = run("FROM scratch AS b\nCOPY d /d\nFROM scratch\nCOPY --from=b /d /out\n")
    (rec,) = r.target.copies
    assert (rec.source, rec.from_stage, rec.files) == ("b", 0, 2)


# What Docker 20.10's frontend lacks (so no golden case can pin it): the current reference
# decides, and these are its own examples.


def test_copy_parents_as_the_reference_shows() -> None:
    ctx = from_mapping({"x/y/a.txt": "a", "x/y/b.txt": "b", "src/a.txt": "1",
                        "src/x/b.txt": "2", "src/x/y/c.txt": "3"})  # fmt: skip
    df = load("FROM scratch\nCOPY --parents ./x/./y/*.txt /parents/\n"
              "COPY --parents ./src/**/*.txt /p2/\n")  # fmt: skip
    got = [p for p in paths(build(df, ctx)) if p.endswith(".txt")]
    assert got == ["/p2/src/a.txt", "/p2/src/x/b.txt", "/p2/src/x/y/c.txt",
                   "/parents/y/a.txt", "/parents/y/b.txt"]  # fmt: skip


def test_copy_exclude_as_the_reference_shows() -> None:
    ctx = from_mapping({"home.txt": "h", "homer": "h2", "hommd.md": "m"})
    df = load("FROM scratch\nCOPY --exclude=*.txt --exclude=*.md hom* /mydir/\n")
    assert paths(build(df, ctx)) == ["/mydir", "/mydir/homer"]


def test_copy_heredoc_is_a_0644_file_and_chmod_may_change_it() -> None:
    df = load("FROM scratch\nCOPY <<EOF /a.txt\nhi $X\nEOF\n"
              "COPY --chmod=u+x,go-r <<'EOF' /b.sh\nraw $X\nEOF\n")  # fmt: skip
    result = build(df, from_mapping({}))
    fs = result.image.rootfs.fs()
    a, b = fs.get("/a.txt"), fs.get("/b.sh")
    assert (a.meta.mode, a.data) == (0o644, b"hi \n")  # type: ignore[union-attr]
    assert (b.meta.mode, b.data) == (0o700, b"raw $X\n")  # type: ignore[union-attr]


def test_run_heredoc_is_the_script() -> None:
    df = load("FROM busybox\nRUN <<EOF\nmkdir /made\necho one > /made/f\nEOF\n")
    fs = build(df, from_mapping({})).image.rootfs.fs()
    assert fs.get("/made/f").data == b"one\n"  # type: ignore[union-attr]


def test_a_long_build_pauses_the_garbage_collector_but_not_for_its_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A build of a thousand instructions or more runs with the collector paused (its
    objects all live to the end), except while a RUN's script runs (a script may make
    reference cycles); the collector is back as it was after the build, failed or not."""
    import gc

    import emu.engine.builder as builder

    paused: list[bool] = []  # at each step, whether the collector was off
    original = builder._Build._step

    def step(self: builder._Build, st: object, inst: object, onbuild: bool = False) -> None:
        paused.append(not gc.isenabled())
        original(self, st, inst, onbuild)  # type: ignore[arg-type]

    monkeypatch.setattr(builder._Build, "_step", step)
    envs = "".join(f"ENV K{i}=v\n" for i in range(1000))
    long = f"FROM busybox\n{envs}RUN true\n"
    ctx = from_mapping({})
    build(load("FROM busybox\nENV A=1\n"), ctx)  # short: left alone
    assert paused == [False]
    result = build(load(long), ctx)
    assert result.image.config.get_env("K999") == "v" and gc.isenabled()
    assert all(paused[1:-1]) and len(paused) == 1002 and paused[-1] is False  # the RUN
    with pytest.raises(BuildError):
        build(load(long + "RUN false\n"), ctx)
    assert gc.isenabled()


def test_the_running_shell_keeps_its_applets_when_bin_sh_is_removed() -> None:
    # busybox's sh runs its applets before any PATH search (FEATURE_SH_STANDALONE, golden
    # 71c). That is how the running binary was built: removing /bin/sh from under it
    # changes nothing, so `cut` still runs without /bin/cut.
    r = run("FROM busybox\nRUN rm /bin/sh /bin/cut && echo a:b | cut -d: -f2 > /out\n")
    assert r.image.rootfs.fs().get("/out").data == b"b\n"
    # A nested sh is a new process: with /bin/sh gone it is not found at all.
    with pytest.raises(BuildError, match="exit code: 127"):
        run("FROM busybox\nRUN rm /bin/sh && sh -c 'echo hi'\n")


def test_run_sandbox_files_leave_the_layer_as_the_script_left_it() -> None:
    # /etc/hosts, /etc/resolv.conf and /dev are the sandbox's during a RUN only: afterwards
    # what the image had is back, whether the script left /etc alone and wrote beside
    # them, or moved /etc itself away (then they are taken out of the /etc there is).
    base = "FROM alpine:3.19\n"
    r = run(base + "RUN echo x > /etc/mine && cat /etc/hosts > /seen\n")
    fs = r.image.rootfs.fs()
    assert fs.get("/etc/mine").data == b"x\n"
    assert b"buildkitsandbox" in (fs.get("/seen").data or b"")
    before = run(base).image.rootfs.fs()
    assert sorted(fs.get("/etc").entries) == sorted([*before.get("/etc").entries, "mine"])
    for name in ("hosts", "resolv.conf"):
        assert fs.lookup(f"/etc/{name}") is before.lookup(f"/etc/{name}")
    assert sorted(fs.get("/dev").entries) == sorted(before.get("/dev").entries)
    r = run(base + "RUN mv /etc /etc.old && mkdir /etc && echo y > /etc/new\n")
    fs = r.image.rootfs.fs()
    assert sorted(fs.get("/etc").entries) == ["new"]  # the sandbox's files are not left there


def test_per_stage_answers_are_remembered_by_the_stage_itself() -> None:
    # A Dockerfile's parse is memoised: a build of the same text again asks about the same
    # stage objects, and gets the answers it got before; another stage gets its own.
    from emu.engine import vertex
    from emu.engine.builder import from_refs, stage_refs

    df = load(
        "FROM a AS x\nRUN true\nFROM b\nCOPY --from=x /a /b\nRUN --mount=from=x,target=/m ls\n"
    )
    for stage in df.stages:
        assert stage_refs(stage) == from_refs(stage.commands)
        assert stage_refs(stage) is stage_refs(stage)
    assert [ref for ref, _ in stage_refs(df.stages[1])] == ["x", "x"]
    assert vertex.stage_total(df, 1, False) == 1 + 2
    other = load("FROM a AS x\nRUN true\nFROM b\nCOPY --from=x /a /b\nRUN true\nRUN true\n# n\n")
    assert vertex.stage_total(other, 1, False) == 1 + 3
    assert vertex.stage_total(df, 1, True) == 2
