"""The programs real Dockerfiles call (issue 12): each model's effect on the filesystem —
paths, modes, sizes — and what it prints, estimates said to be estimates."""

from __future__ import annotations

from test_tools import blob, call, image, put

from emu.fs import FS, File
from emu.sh import permissive

HELLO_GO = {"go.mod": "module x\n\ngo 1.22\n", "main.go": "package main\nfunc main() {}\n"}


def old_go(version: str) -> tuple[FS, dict[str, str]]:
    fs, env = image("golang:1.21")
    fs.write_file("/usr/local/go/VERSION", f"go{version}\ntime 2023-01-01\n".encode())
    put(fs, HELLO_GO)
    return fs, {k: v for k, v in env.items() if k != "GOTOOLCHAIN"}


# --- go -------------------------------------------------------------------------------------


def test_before_go_1_21_the_go_directive_is_advisory() -> None:
    fs, env = old_go("1.18.10")
    status, _, err = call(fs, env, ["go", "build", "-o", "/out/app"])
    assert status == 0, err
    assert "go 1.18.10 treats that as advisory" in err
    assert isinstance(fs.lookup("/out/app"), File)


def test_go_1_20_8_refuses_a_module_for_go_1_22() -> None:
    fs, env = old_go("1.20.8")
    status, _, err = call(fs, env, ["go", "build"])
    assert status == 1 and "go: go.mod requires go >= 1.22 (running go 1.20.8)" in err
    fs, env = old_go("1.20.5")
    assert call(fs, env, ["go", "build"])[0] == 0


def test_go_1_21_with_gotoolchain_auto_needs_the_network() -> None:
    fs, env = old_go("1.21.13")
    status, _, err = call(fs, env, ["go", "build"])
    assert status == 1 and "go: downloading go1.22 (linux/amd64)" in err
    with permissive.session(True) as forgiven:
        status, _, err = call(fs, env, ["go", "build", "-o", "/out/app"])
    assert status == 0 and "the image's go 1.21.13 builds instead" in err
    assert forgiven.placeholders[0][0].endswith("go1.22.linux-amd64.zip")
    assert isinstance(fs.lookup("/out/app"), File)


def test_go_install_of_a_versioned_command() -> None:
    fs, env = image("golang:1.22")
    fs.makedirs("/src")
    args = ["go", "install", "github.com/air-verse/air@v1.52.3"]
    status, out, err = call(fs, env, args, cwd="/src")
    assert status == 0, err
    node = fs.lookup("/go/bin/air")
    assert isinstance(node, File) and node.meta.mode & 0o777 == 0o755
    assert "estimated" in blob(fs, "/go/bin/air").label
    assert "go: downloading github.com/air-verse/air v1.52.3" in err
    assert "an estimate" in out
    assert fs.lookup("/go/pkg/mod/github.com/air-verse/air@v1.52.3") is not None
    # a major-version suffix is not the command's name
    assert call(fs, env, ["go", "install", "example.com/tool/v2@latest"], cwd="/src")[0] == 0
    assert isinstance(fs.lookup("/go/bin/tool"), File)
    assert call(fs, env, ["go", "install", "std"], cwd="/src")[0] == 0
