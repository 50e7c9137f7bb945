"""`emu build` and `emu load` as a user runs them: exit codes, outputs, messages."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from emu.cli import main


@pytest.fixture()
def context(tmp_path: Path) -> Path:
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "index.html").write_text("<h1>hi</h1>\n")
    (ctx / "Dockerfile").write_text(
        "FROM scratch AS builder\nCOPY index.html /app/dist/\n"
        "FROM busybox\nCOPY --from=builder /app/dist /srv/html\nEXPOSE 80\n"
    )
    return ctx


@pytest.fixture(autouse=True)
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "emu-home"
    monkeypatch.setenv("EMU_HOME", str(home))
    return home


def test_build_to_a_tar(context: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rootfs.tar"
    assert main(["build", "--progress", "classic", "-o", f"type=tar,dest={out}", str(context)]) == 0
    with tarfile.open(out) as tf:
        names = tf.getnames()
    assert "srv/html/index.html" in names and "bin/sh" in names
    assert not any(n.startswith("app") for n in names)
    err = capsys.readouterr().err
    assert "Step 1/5 : FROM scratch AS builder" in err and "discarded" in err


def test_build_is_reproducible(context: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.tar", tmp_path / "b.tar"
    for dest in (a, b):
        assert (
            main(["build", "--progress", "quiet", "-o", f"type=docker,dest={dest}", str(context)])
            == 0
        )
    assert a.read_bytes() == b.read_bytes()


def test_local_output(context: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    assert (
        main(["build", "--progress", "quiet", "-o", f"type=local,dest={dest}", str(context)]) == 0
    )
    assert (dest / "srv" / "html" / "index.html").read_text() == "<h1>hi</h1>\n"


def test_failed_build_exits_1_and_writes_nothing(
    context: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (context / "Dockerfile").write_text("FROM scratch\nCOPY missing.txt /\n")
    out = tmp_path / "out.tar"
    assert main(["build", "-o", f"type=tar,dest={out}", str(context)]) == 1
    assert not out.exists()
    err = capsys.readouterr().err
    assert "Dockerfile:2:1" in err and "missing.txt" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("dockerfile", "fragment"),
    [
        ("FROM nosuchimage:1\n", "nosuchimage"),
        ("FROM scratch\nCOPY --from=nope /x /\n", "nope"),
        ("FROM scratch\nCOPY ../outside /x\n", "not found"),
    ],
)
def test_bad_input_is_one_located_error(
    context: Path, dockerfile: str, fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (context / "Dockerfile").write_text(dockerfile)
    assert main(["build", str(context)]) == 1
    err = capsys.readouterr().err
    assert fragment in err and "Dockerfile:" in err and "Traceback" not in err


def test_bad_output_is_refused_before_building(
    context: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "-o", "type=zip,dest=x", str(context)]) == 1
    assert "unsupported type 'zip'" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build"]) == 2
    assert main(["build", "/no/such/dir"]) == 2


def test_tag_then_from_the_store(context: Path, tmp_path: Path) -> None:
    assert main(["build", "--progress", "quiet", "-t", "my-app", str(context)]) == 0
    child = tmp_path / "child"
    child.mkdir()
    (child / "Dockerfile").write_text("FROM my-app\nCOPY Dockerfile /again\n")
    out = tmp_path / "child.tar"
    assert main(["build", "--progress", "quiet", "-o", f"type=tar,dest={out}", str(child)]) == 0
    with tarfile.open(out) as tf:
        assert {"srv/html/index.html", "again"} <= set(tf.getnames())


def test_load_a_saved_image(context: Path, tmp_path: Path) -> None:
    archive = tmp_path / "img.tar"
    assert main(["build", "--progress", "quiet", "-t", "saved:1",
                 "-o", f"type=docker,dest={archive}", str(context)]) == 0  # fmt: skip
    assert main(["load", "-i", str(archive), "-t", "reloaded:2"]) == 0
    user = tmp_path / "user"
    user.mkdir()
    (user / "Dockerfile").write_text("FROM reloaded:2\n")
    out = tmp_path / "u.tar"
    assert main(["build", "--progress", "quiet", "-o", f"type=tar,dest={out}", str(user)]) == 0
    with tarfile.open(out) as tf:
        assert "srv/html/index.html" in tf.getnames()


def test_tools_lists_utilities_and_models(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tools"]) == 0
    out = capsys.readouterr().out
    assert "mkdir" in out and "npm" in out and "Models of build tools" in out
    assert main(["tools", "npm", "no-such-program"]) == 1
    assert "no-such-program: not emulated" in capsys.readouterr().out


def test_tools_file_declares_a_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = tmp_path / "ctx"
    (ctx / "proto").mkdir(parents=True)
    (ctx / "proto" / "api.proto").write_text("syntax")
    (ctx / "Dockerfile").write_text(
        "FROM busybox\nWORKDIR /src\nCOPY proto proto\n"
        "RUN printf x > /bin/protoc && chmod 755 /bin/protoc && protoc\n"
    )
    tools = tmp_path / "tools.yaml"
    tools.write_text(
        "programs:\n  protoc:\n    requires: [proto/api.proto]\n"
        "    files:\n      - {path: gen/api_pb2.py, content: '# generated'}\n"
    )
    out = tmp_path / "out.tar"
    assert main(["build", "--progress", "plain", "--tools", str(tools),
                 "-o", f"type=tar,dest={out}", str(ctx)]) == 0  # fmt: skip
    with tarfile.open(out) as tf:
        assert "src/gen/api_pb2.py" in tf.getnames()
    assert "modelled protoc" in capsys.readouterr().err
