"""bash mode beyond the recorded snippets: which programs are bash, the shell's own
command line (Docker's SHELL), scripts, and what the recordings cannot show (``>(...)``,
exported functions reaching a child, a login shell's profile)."""

from __future__ import annotations

import time

import pytest
from shimage import ENV, REG, ROOT, SCRATCH, bash_image, image

from emu.dockerfile.instructions import load
from emu.engine.builder import build
from emu.engine.context import from_mapping
from emu.errors import BuildError
from emu.fs import FS, File, Meta, Symlink
from emu.sh.interp import RunResult, parse_shell_argv, run_script, run_shell, shell_dialect


def shell(argv: list[str], fs: FS | None = None, stdin: bytes = b"") -> RunResult:
    return run_shell(
        argv,
        fs=bash_image() if fs is None else fs,
        env=dict(ENV),
        cwd=SCRATCH,
        ident=ROOT,
        registry=REG,
        stdin=stdin,
    )


def bash(script: str, fs: FS | None = None) -> RunResult:
    return run_script(
        script,
        fs=bash_image() if fs is None else fs,
        env=dict(ENV),
        cwd=SCRATCH,
        ident=ROOT,
        registry=REG,
        args=["bash"],
        dialect="bash",
    )


def out(r: RunResult) -> str:
    return r.stdout.decode()


def err(r: RunResult) -> str:
    return r.stderr.decode()


# --- which shell a program is ------------------------------------------------------------------


def redhat_image() -> FS:
    """Like Red Hat's images: /bin/sh is a link to bash."""
    fs = bash_image()
    fs.remove("/usr/bin/sh")
    fs.put("/usr/bin/sh", Symlink(Meta(0o777), "bash"))
    return fs


def test_the_program_decides_the_dialect() -> None:
    path = "/usr/bin:/bin"
    assert shell_dialect(bash_image(), "bash", path, ROOT) == "bash"
    assert shell_dialect(bash_image(), "/bin/bash", path, ROOT) == "bash"
    assert shell_dialect(bash_image(), "sh", path, ROOT) == "ash"  # Debian: dash
    assert shell_dialect(redhat_image(), "/bin/sh", path, ROOT) == "bash"
    assert shell_dialect(image(), "/bin/sh", path, ROOT) == "ash"
    assert shell_dialect(bash_image(), "python3", path, ROOT) is None


def test_sh_is_bash_where_the_image_says_so() -> None:
    script = "a=(x y z); echo ${#a[@]} ${a[1]}"
    assert out(shell(["/bin/sh", "-c", script], redhat_image())) == "3 y\n"
    r = shell(["/bin/sh", "-c", script], bash_image())
    assert r.status == 2 and "syntax error" in err(r)  # dash (ash) has no arrays


def test_a_script_never_picks_its_dialect_by_looking_bashy() -> None:
    r = run_script("[[ a == a ]] && echo ok; x=(1)", fs=image(), env=dict(ENV), cwd=SCRATCH,
                   ident=ROOT, registry=REG)  # fmt: skip
    assert r.status == 2 and 'unexpected "("' in err(r)


# --- the shell's command line -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "flags"),
    [
        (["-o", "pipefail", "-c", "x"], [("o:pipefail", True)]),
        (
            ["-eux", "-o", "pipefail", "-c", "x"],
            [("e", True), ("u", True), ("x", True), ("o:pipefail", True)],
        ),
        (["-xeo", "pipefail", "-c", "x"], [("x", True), ("e", True), ("o:pipefail", True)]),
        (["+e", "-c", "x"], [("e", False)]),
    ],
)
def test_options_are_read_as_the_shell_reads_them(
    argv: list[str], flags: list[tuple[str, bool]]
) -> None:
    for bash_mode in (True, False):
        a = parse_shell_argv(argv, bash_mode, "sh")
        assert a.flags == flags and a.command == "x" and a.operands == []


def test_bash_takes_login_and_shopt_options() -> None:
    a = parse_shell_argv(["--login", "-O", "extglob", "--norc", "-c", "x", "name", "1"], True, "b")
    assert a.login and a.shopts == [("extglob", True)]
    assert a.command == "x" and a.operands == ["name", "1"]


def test_pipefail_from_the_command_line() -> None:
    assert shell(["/bin/bash", "-o", "pipefail", "-c", "false | true; echo $?"]).stdout == b"1\n"
    r = shell(["/bin/bash", "-eux", "-o", "pipefail", "-c", "echo a; false | true; echo b"])
    assert (out(r), r.status) == ("a\n", 1)
    assert err(r) == "+ echo a\n+ false\n+ true\n"


def test_busybox_ash_takes_o_pipefail_among_letters() -> None:
    r = shell(["/bin/sh", "-xeo", "pipefail", "-c", "echo $-; false | true; echo never"], image())
    assert (out(r), r.status) == ("xce\n", 1)
    r = shell(["/bin/sh", "-o", "nosuch", "-c", "true"], image())
    assert (err(r), r.status) == ("sh: illegal option -o nosuch\n", 2)


def test_bash_refuses_what_bash_refuses() -> None:
    r = shell(["bash", "-o", "nosuch", "-c", "true"])
    assert (err(r), r.status) == ("bash: line 0: bash: nosuch: invalid option name\n", 2)
    r = shell(["bash", "-c"])
    assert (err(r), r.status) == ("bash: -c: option requires an argument\n", 2)
    r = shell(["bash", "-Z", "-c", "true"])
    assert r.status == 2 and err(r).startswith("bash: -Z: invalid option\nUsage:")


def test_script_file_and_standard_input() -> None:
    fs = bash_image()
    fs.write_file(f"{SCRATCH}/s.sh", b'echo "$0 $1"\nif [[ $1 == x ]]; then echo yes; fi\nfi\n')
    r = shell(["bash", "s.sh", "x"], fs)
    assert out(r) == "s.sh x\nyes\n"
    assert err(r) == "s.sh: line 3: syntax error near unexpected token `fi'\ns.sh: line 3: `fi'\n"
    r = shell(["bash"], stdin=b"echo $- $#\n")
    assert out(r) == "hBs 0\n"


def test_a_bash_shebang_runs_in_bash_mode() -> None:
    fs = bash_image()
    fs.write_file(
        f"{SCRATCH}/run", b"#!/bin/bash\ndeclare -A m=([k]=v)\necho ${m[k]}\n", Meta(0o755)
    )
    assert out(bash("./run; sh -c ./run", fs)) == "v\nv\n"


# --- what the recordings cannot show --------------------------------------------------------------


def test_output_process_substitution_feeds_its_command() -> None:
    fs = bash_image()
    r = bash("echo data > >(cat > got.txt); cat got.txt; ls /dev", fs)
    assert out(r) == "data\nnull\n"  # the /dev/fd file is gone afterwards


def test_process_substitution_through_a_link_to_proc() -> None:
    fs = bash_image()
    fs.put("/dev/fd", Symlink(Meta(0o777), "/proc/self/fd"))
    r = bash("cat <(echo via-proc); ls /proc 2>/dev/null || echo gone", fs)
    assert out(r) == "via-proc\ngone\n" and fs.lookup("/dev/fd", follow=False) is not None
    assert fs.lookup("/proc") is None


def test_exported_functions_reach_a_child_bash() -> None:
    r = bash("greet() { local who=$1; echo \"hi $who\"; }; export -f greet; bash -c 'greet you'")
    assert out(r) == "hi you\n"


def test_a_login_shell_reads_the_profile() -> None:
    fs = bash_image()
    fs.write_file("/etc/profile", b"export FROM_PROFILE=1\n")
    fs.write_file("/root/.profile", b"PS_USER=root\n")
    r = shell(["bash", "-lc", "echo $FROM_PROFILE $PS_USER"], fs)
    assert out(r) == "1 root\n"
    assert out(shell(["bash", "-c", "echo ${FROM_PROFILE-none}"], fs)) == "none\n"


def test_random_is_repeatable() -> None:
    assert bash("echo $RANDOM $RANDOM").stdout == bash("echo $RANDOM $RANDOM").stdout
    assert out(bash("RANDOM=1; echo $RANDOM $RANDOM $RANDOM")) == "16807 10791 19566\n"


def test_declare_f_prints_a_function_back() -> None:
    r = bash('f() { if [ -n "$1" ]; then echo "a $1"; else echo none; fi; }; declare -f f')
    assert out(r) == (
        'f () \n{ \n    if [ -n "$1" ]; then\n        echo "a $1";\n    else\n'
        "        echo none;\n    fi\n}\n"
    )


# --- in a build ---------------------------------------------------------------------------------


def run_build(dockerfile: str) -> FS:
    return build(load(dockerfile), from_mapping({})).image.rootfs.fs()


def text(fs: FS, path: str) -> str:
    node = fs.get(path)
    assert isinstance(node, File)
    return (node.data or b"").decode()


def test_shell_instruction_with_bash_and_pipefail() -> None:
    fs = run_build(
        "FROM debian:12\n"
        'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
        'RUN arr=(a b c); echo "${arr[@]:1}" > /out; [[ -f /out ]] && echo yes >> /out\n'
        'RUN declare -A m=([k]=v); printf "%s\\n" "${m[k]^^}" {1..3} > /more\n'
    )
    assert text(fs, "/out") == "b c\nyes\n"
    assert text(fs, "/more") == "V\n1\n2\n3\n"
    with pytest.raises(BuildError, match="exit code: 1"):
        run_build('FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN false | true\n')


def test_shell_instruction_with_bash_eux() -> None:
    fs = run_build(
        'FROM debian:12\nSHELL ["/bin/bash", "-eux", "-o", "pipefail", "-c"]\n'
        "RUN for ((i=0; i<3; i++)); do echo $i; done > /n\n"
    )
    assert text(fs, "/n") == "0\n1\n2\n"
    with pytest.raises(BuildError, match="exit code: 1"):
        run_build('FROM debian:12\nSHELL ["/bin/bash", "-eux", "-c"]\nRUN (( 0 )); echo never\n')


def test_ash_with_o_pipefail_in_a_build() -> None:
    fs = run_build('FROM alpine\nSHELL ["/bin/ash", "-xeo", "pipefail", "-c"]\nRUN echo hi > /hi\n')
    assert text(fs, "/hi") == "hi\n"
    with pytest.raises(BuildError, match="exit code: 1"):
        run_build('FROM alpine\nSHELL ["/bin/ash", "-eo", "pipefail", "-c"]\nRUN false | true\n')


def test_debian_sh_stays_ash() -> None:
    with pytest.raises(BuildError, match="exit code: 2"):
        run_build("FROM debian:12\nRUN a=(1 2)\n")


def test_growing_an_array_stays_linear() -> None:
    t0 = time.monotonic()
    r = bash("a=(); for i in {1..20000}; do a+=($i); done; echo ${#a[@]} ${a[-1]}")
    assert out(r) == "20000 20000\n"
    assert time.monotonic() - t0 < 15


@pytest.mark.parametrize(
    "script",
    [
        "declare -n a=b; declare -n b=a; echo $a; a=1",
        "x=x; echo $((x))",
        "echo ${a[} ${!} ${x@Z} ${#a:1}",
        "a=(1 2; echo",
        "[[ a == ( ]]",
        "for ((;;",
        "echo $(( (1 + 2 ))",
        "f() { f; }; f",
        "echo <(",
    ],
)
def test_odd_scripts_end_in_a_message_not_a_traceback(script: str) -> None:
    from emu.errors import EmuError

    try:
        r = bash(script)
    except EmuError:
        return  # a limit, reported as the build's error
    assert r.status != 0 or out(r) or err(r)
