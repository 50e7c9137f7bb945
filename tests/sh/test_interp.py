"""The interpreter's API: results, programs and the registry, the image filesystem,
identities and permissions, limits, and the parse-once guarantee."""

from __future__ import annotations

import time

import pytest
from shimage import ENV, REG, ROOT, SCRATCH, image

from emu.errors import EmuError
from emu.fs import FS, Dir, File, Lazy, Meta
from emu.pos import Position
from emu.sh import syntax
from emu.sh.api import Identity, LimitExceeded, Limits, Proc, Registry
from emu.sh.interp import RunResult, Unemulated, run_argv, run_script


def run(
    script: str,
    fs: FS | None = None,
    *,
    ident: Identity = ROOT,
    registry: Registry = REG,
    limits: Limits | None = None,
    **kw: object,
) -> RunResult:
    fs = fs if fs is not None else image()
    return run_script(
        script,
        fs=fs,
        env=dict(ENV),
        cwd=SCRATCH,
        ident=ident,
        registry=registry,
        limits=limits,
        **kw,  # type: ignore[arg-type]
    )


def out(script: str, **kw: object) -> str:
    return run(script, **kw).stdout.decode()  # type: ignore[arg-type]


# --- results -------------------------------------------------------------------------------


def test_result_fields() -> None:
    r = run("export NEW=1; OTHER=2; cd /tmp; echo out; echo err >&2; exit 3")
    assert r.status == 3
    assert r.stdout == b"out\n" and r.stderr == b"err\n"
    assert r.output == b"out\nerr\n"
    assert r.env["NEW"] == "1" and "OTHER" not in r.env
    assert r.env["PWD"] == "/tmp" and r.cwd == "/tmp"
    assert r.error is None and r.unemulated == []


def test_args_are_sh_c_operands() -> None:
    assert out('echo "$0|$1|$#"', args=["name", "one"]) == "name|one|1\n"
    assert out('echo "$0|$#"') == "sh|0\n"


def test_options() -> None:
    r = run("false; echo never", options="e")
    assert r.status == 1 and r.stdout == b""
    assert out("false | true; echo $?", options="-o pipefail") == "1\n"
    assert out("echo $-", options="eu") == "uce\n"


def test_syntax_error_runs_the_commands_before_it() -> None:
    r = run("echo one\necho two; fi\necho three")
    assert r.status == 2
    assert r.stdout == b"one\n"
    assert r.stderr == b'sh: syntax error: unexpected "fi"\n'
    assert r.error is not None and r.error.pos == Position(2, 11)


def test_exit_before_a_syntax_error_wins() -> None:
    r = run("exit 4\nfi")
    assert r.status == 4 and r.stderr == b"" and r.error is None


# --- programs --------------------------------------------------------------------------------


def test_not_found_and_unemulated_are_told_apart() -> None:
    fs = image()
    fs.write_file("/usr/bin/gcc", b"\x7fELF", Meta(0o755))
    r = run("nosuch a; gcc -c x.c; echo $?", fs)
    assert r.stdout == b"127\n"
    assert r.stderr == b"sh: nosuch: not found\nsh: gcc: not found\n"
    assert r.unemulated == [
        Unemulated("nosuch", Position(1, 1), None),
        Unemulated("gcc", Position(1, 11), "/usr/bin/gcc"),
    ]
    assert not r.unemulated[0].found and r.unemulated[1].found


def test_a_program_needs_an_executable_file_in_the_image() -> None:
    fs = image()
    fs.remove("/bin/cat")
    r = run("echo x | cat", fs)
    assert r.status == 127 and r.unemulated[0].name == "cat"
    fs.write_file("/bin/cat", b"", Meta(0o644))  # not executable
    assert run("cat /dev/null", fs).status == 127


def test_handler_sees_the_process() -> None:
    seen: list[Proc] = []
    reg = Registry()

    @reg.register("probe")
    def probe(proc: Proc) -> int:
        seen.append(proc)
        proc.out(b"stdin=" + proc.stdin)
        return 7

    fs = image()
    fs.write_file("/bin/probe", b"", Meta(0o755))
    r = run("X=1; export Y=2; cd /tmp; printf abc | Z=3 probe a 'b c'", fs, registry=reg)
    assert r.status == 7 and r.stdout == b"stdin=abc"
    p = seen[0]
    assert p.argv == ["probe", "a", "b c"]
    assert p.cwd == "/tmp"
    assert p.env["Y"] == "2" and p.env["Z"] == "3" and "X" not in p.env
    assert p.pos == Position(1, 40)
    assert p.runner is not None


def test_handler_errors_are_reported_not_raised() -> None:
    reg = Registry()

    @reg.register("boom")
    def boom(proc: Proc) -> int:
        raise EmuError("it broke")

    fs = image()
    fs.write_file("/bin/boom", b"", Meta(0o755))
    r = run("boom; echo $?", fs, registry=reg)
    assert r.stdout == b"1\n" and r.stderr == b"boom: it broke\n"


def test_symlinked_program_finds_its_handler() -> None:
    fs = image()
    fs.write_file("/bin/busybox", b"", Meta(0o755))
    reg = Registry()

    @reg.register("busybox")
    def bb(proc: Proc) -> int:
        proc.out(f"busybox as {proc.name}\n")
        return 0

    fs.symlink("/bin/vi", "busybox")
    assert out("vi", fs=fs, registry=reg) == "busybox as vi\n"


def test_runner_protocol_runs_programs_not_builtins() -> None:
    reg = Registry()
    reg.handlers.update(REG.handlers)

    @reg.register("xrun")
    def xrun(proc: Proc) -> int:
        return proc.run(proc.argv[1:], b"piped\n")

    fs = image()
    fs.write_file("/bin/xrun", b"", Meta(0o755))
    assert out("xrun cat", fs=fs, registry=reg) == "piped\n"
    r = run("xrun cd /", fs, registry=reg)
    assert r.status == 127  # cd is a builtin, not a program in this image


def test_scripts_with_a_shebang_run_in_a_nested_shell() -> None:
    fs = image()
    fs.write_file(f"{SCRATCH}/s.sh", b'#!/bin/sh\necho "script $0 $1"\nexit 5\n', Meta(0o755))
    r = run("./s.sh arg; echo $?", fs)
    assert r.stdout == b"script ./s.sh arg\n5\n"
    fs.write_file(f"{SCRATCH}/p.py", b"#!/usr/bin/python3\nprint(1)\n", Meta(0o755))
    r = run("./p.py", fs)
    assert r.status == 127
    assert r.unemulated[-1].name == "/usr/bin/python3"


def test_sh_is_the_interpreter_even_when_it_links_to_a_busybox_handler() -> None:
    fs = image()
    fs.remove("/bin/sh")
    fs.write_file("/bin/busybox", b"", Meta(0o755))
    fs.symlink("/bin/sh", "busybox")
    reg = Registry()
    reg.handlers.update(REG.handlers)

    @reg.register("busybox")
    def bb(proc: Proc) -> int:
        proc.err("applet not found")
        return 127

    fs.write_file("/bin/tool", b"#!/bin/sh\necho tool $1\n", Meta(0o755))
    assert out("sh -c 'echo inner'; tool x", fs=fs, registry=reg) == "inner\ntool x\n"


def test_sh_dash_c_and_script_files() -> None:
    assert out("sh -c 'echo $0-$1' zero one") == "zero-one\n"
    assert out("echo 'echo in $1' > f; sh f x") == "in x\n"
    assert out("echo 'exit 6' | sh; echo $?") == "6\n"
    r = run("sh -e -c 'false; echo no'; echo $?")
    assert r.stdout == b"1\n"


def test_run_argv_exec_form() -> None:
    fs = image()
    fs.write_file("/tmp/f", b"content\n")
    r = run_argv(["cat", "/tmp/f"], fs=fs, env=dict(ENV), cwd="/", ident=ROOT, registry=REG)
    assert r.status == 0 and r.stdout == b"content\n"
    r = run_argv(["nope"], fs=fs, env=dict(ENV), cwd="/", ident=ROOT, registry=REG)
    assert r.status == 127 and r.unemulated == [Unemulated("nope", None, None)]
    r = run_argv(["/bin/sh", "-c", "echo $((6*7))"], fs=fs, env=dict(ENV), cwd="/", ident=ROOT)
    assert r.stdout == b"42\n"


# --- the filesystem --------------------------------------------------------------------------


def test_redirections_write_the_image() -> None:
    fs = image()
    run("echo one > a; echo two >> a; mkdir d; echo x > d/b; : > empty", fs, now=1234)
    a = fs.get(f"{SCRATCH}/a")
    assert isinstance(a, File) and a.data == b"one\ntwo\n"
    assert a.meta.mode == 0o644 and a.meta.mtime == 1234
    assert fs.get(f"{SCRATCH}/empty").size == 0
    assert fs.listdir(SCRATCH) == ["a", "d", "empty"]


def test_created_files_follow_umask_and_identity() -> None:
    fs = image()
    fs.makedirs("/home/u")
    fs.set_meta("/home/u", Meta(0o755, 1000, 1000))
    user = Identity(1000, 1000, (), "u")
    r = run("cd /home/u && umask 027 && echo x > f", fs, ident=user)
    assert r.status == 0
    f = fs.get("/home/u/f")
    assert f.meta.mode == 0o640 and (f.meta.uid, f.meta.gid) == (1000, 1000)


def test_permissions_apply_to_other_users() -> None:
    fs = image()
    fs.makedirs("/secret")
    fs.set_meta("/secret", Meta(0o700))
    fs.write_file("/etc/ro", b"x\n", Meta(0o644))
    user = Identity(1000, 1000, (), "u")
    r = run(
        "cd /secret; echo $?; echo x > /secret/f; echo x > /etc/ro; cat < /secret/f", fs, ident=user
    )
    assert r.stdout == b"2\n"
    assert r.stderr.decode().splitlines() == [
        "sh: cd: line 0: can't cd to /secret: Permission denied",
        "sh: can't create /secret/f: Permission denied",
        "sh: can't create /etc/ro: Permission denied",
        "sh: can't open /secret/f: no such file",
    ]
    assert (
        out("[ -w /etc/ro ] || echo ro; [ -r /etc/ro ] && echo r", fs=fs, ident=user) == "ro\nr\n"
    )
    # root bypasses read and write bits
    assert run("echo y > /etc/ro", fs).status == 0


def test_symlinks_stay_inside_the_image() -> None:
    fs = image()
    fs.symlink(f"{SCRATCH}/up", "../../../../../..")
    fs.symlink(f"{SCRATCH}/etc", "/etc")
    r = run("cd up; pwd -P; cat etc/passwd | head -n 1; echo x > etc/new", fs)
    assert r.stdout == b"/\nroot:x:0:0:root:/root:/bin/bash\n"
    assert fs.get("/etc/new").size == 2


def test_globbing_reads_the_image() -> None:
    fs = image()
    for n in ("b.txt", "a.txt", ".h.txt", "c.md"):
        fs.write_file(f"{SCRATCH}/{n}", b"")
    assert out("echo *.txt; echo /etc/pass*; echo nomatch*", fs=fs) == (
        "a.txt b.txt\n/etc/passwd\nnomatch*\n"
    )


def test_large_appends_stay_linear_and_correct() -> None:
    fs = image()
    r = run(
        "i=0; while [ $i -lt 9000 ]; do echo line-$i >> log; i=$((i+1)); done; cat log | wc",
        fs,
    )
    assert r.stdout == b"9000\n"
    log = fs.get(f"{SCRATCH}/log")
    assert isinstance(log, File) and isinstance(log.content, Lazy)
    data = log.data
    assert data is not None and data.startswith(b"line-0\n") and data.endswith(b"line-8999\n")
    snap = fs.snapshot()
    run("echo more >> log", fs)
    # The earlier snapshot still sees the earlier content.
    old = snap.root.entries["tmp"]
    assert isinstance(old, Dir)
    assert fs.get(f"{SCRATCH}/log").data == data + b"more\n"


def test_exec_redirection_lasts_until_the_end() -> None:
    fs = image()
    r = run("exec > out; echo a; echo b", fs)
    assert r.stdout == b""
    assert fs.get(f"{SCRATCH}/out").data == b"a\nb\n"


def test_dev_files() -> None:
    r = run("echo a > /dev/null; echo b > /dev/stderr; echo c 2>/dev/stdout")
    assert r.stdout == b"c\n" and r.stderr == b"b\n"


# --- limits ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "limit"),
    [
        ("while :; do :; done", "max_steps"),
        ("f() { f; }; f", "max_depth"),
        ("f() { echo $(f); }; f", "max_depth"),
        ("while :; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done", "max_output"),
        ("i=0; while :; do : > f$i; i=$((i+1)); done", "max_files"),
        ("while :; do echo xxxxxxxxxxxxxxxxxxxxxxxx >> f; done", "max_bytes"),
    ],
)
def test_limits_stop_runaway_scripts(script: str, limit: str) -> None:
    limits = Limits(max_steps=200_000, max_output=100_000, max_files=300, max_bytes=50_000)
    t0 = time.monotonic()
    with pytest.raises(LimitExceeded) as info:
        run(script, limits=limits)
    assert info.value.limit == limit
    assert time.monotonic() - t0 < 20
    partial = getattr(info.value, "result", None)
    assert isinstance(partial, RunResult)


def test_loop_iterations_count_as_steps() -> None:
    limits = Limits()
    run("for i in 1 2 3; do :; done", limits=limits)
    assert limits.steps >= 6


# --- parse once ------------------------------------------------------------------------------


def test_the_script_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    original = syntax._Parser.__init__

    def counting(self: syntax._Parser, src: str, line: int = 1, column: int = 1) -> None:
        made.append(src)
        original(self, src, line, column)

    monkeypatch.setattr(syntax._Parser, "__init__", counting)
    script = (
        "for i in 1 2 3 4 5; do\n"
        '  x=$(echo "$i" `echo b`); y=$((i * 2))\n'
        "  cat <<EOF\n$x $y\nEOF\n"
        "  case $x in 1*) : ;; esac\n"
        "done >/dev/null"
    )
    run(script)
    # The script, one backquote body, one here-document body: each read exactly once.
    assert len(made) == 3


# --- performance ---------------------------------------------------------------------------


def test_loops_are_cheap() -> None:
    fs = image()
    fs.makedirs("/d")
    t0 = time.monotonic()
    r = run("for i in $(seq 1 20000); do echo $i > /d/$i; done", fs)
    assert r.status == 0 and len(fs.listdir("/d")) == 20000
    assert time.monotonic() - t0 < 15
