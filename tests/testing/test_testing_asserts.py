"""emu.testing: the build helper, the fixtures and the assertions' messages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from emu.engine.builder import BuildResult
from emu.errors import EmuError
from emu.testing import (
    Link,
    assert_config,
    assert_no_path,
    assert_not_in_image,
    assert_path,
    assert_same_image,
    assert_stage,
    assert_stage_skipped,
    build,
    make_context,
)

DOCKERFILE = """\
FROM alpine:3.19 AS builder
WORKDIR /src
COPY . .
RUN mkdir -p /out && cp main.txt /out/app && chmod 755 /out/app

FROM builder AS tests
RUN false

FROM busybox
COPY --from=builder --chown=10001:10001 /out/app /app/server
RUN ln -s /app/server /app/current
ENV MODE=prod
LABEL team=core
EXPOSE 8080
USER 10001
WORKDIR /app
CMD ["/app/server", "--port", "8080"]
"""


@pytest.fixture(scope="module")
def result() -> BuildResult:
    return build(
        {
            "Dockerfile": DOCKERFILE,
            "main.txt": "hello\n",
            "README.md": "docs",
            ".dockerignore": "*.md\n",
        }
    )


def test_assert_path_passes_and_returns_the_node(result: BuildResult) -> None:
    node = assert_path(
        result,
        "/app/server",
        kind="file",
        mode="-rwxr-xr-x",
        owner="10001:10001",
        content="hello\n",
        contains="ell",
        matches=r"^h.*o$",
    )
    assert node is not None
    assert_path(result, "/app/server", mode=0o755, owner=10001)
    assert_path(result, "/app/current", kind="symlink", target="/app/server")
    assert_path(result, "/app/current", follow=True, content=b"hello\n")
    assert_path(result.image, "/README.md", exists=False)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"path": "/app/nope"},
            "/app/nope: no such file or directory; /app holds: current, server",
        ),
        (
            {"path": "/app/server", "mode": "-rw-r--r--"},
            "/app/server: mode is -rwxr-xr-x, expected -rw-r--r--",
        ),
        ({"path": "/app/server", "mode": 0o644}, "mode is 0755 (-rwxr-xr-x), expected 0644"),
        ({"path": "/app/server", "owner": 0}, "owner is 10001:10001, expected 0"),
        ({"path": "/app/server", "content": "bye"}, "content is b'hello\\n', expected b'bye'"),
        ({"path": "/app/server", "contains": "bye"}, "does not contain 'bye'"),
        ({"path": "/app", "kind": "file"}, "/app: is a dir, expected a file"),
        ({"path": "/app/current", "target": "/x"}, "points to /app/server, expected /x"),
        ({"path": "/app", "exists": False}, "/app: exists (drwxr-xr-x), expected no such path"),
        ({"path": "/bin/busybox", "content": "x"}, "no readable content"),
    ],
)
def test_assert_path_messages(result: BuildResult, kwargs: dict[str, Any], message: str) -> None:
    path = kwargs.pop("path")
    with pytest.raises(AssertionError) as info:
        assert_path(result, path, **kwargs)
    assert message in str(info.value)


def test_assert_config(result: BuildResult) -> None:
    assert_config(
        result,
        cmd=["/app/server", "--port", "8080"],
        user="10001",
        workdir="/app",
        exposed_ports=["8080"],
        env={"MODE": "prod"},
        labels={"team": "core"},
        entrypoint=None,
    )
    with pytest.raises(AssertionError) as info:
        assert_config(result, user="root", env={"MODE": "dev", "X": "1"}, exposed_ports=["80"])
    text = str(info.value)
    assert "user is '10001', expected 'root'" in text
    assert "env MODE='prod', expected 'dev'" in text and "env X is not set" in text
    assert "exposed_ports is ['8080/tcp'], expected ['80/tcp']" in text
    with pytest.raises(TypeError):
        assert_config(result, colour="blue")


def test_assert_stages(result: BuildResult) -> None:
    assert_stage(result, "builder", "built")
    assert_stage(result, "stage-2", "final")
    assert_stage_skipped(result, "tests")
    with pytest.raises(AssertionError, match=r"stage tests is skipped \(not reachable"):
        assert_stage(result, "tests", "built")
    with pytest.raises(AssertionError, match=r"no stage 'nope'; stages: builder \(built\)"):
        assert_stage(result, "nope", "built")


def test_assert_not_in_image_and_no_path(result: BuildResult) -> None:
    assert_not_in_image(result, "**/*.md", "src", "**/main.txt")
    with pytest.raises(AssertionError, match="in the image but should not be: /app"):
        assert_not_in_image(result, "app")
    assert_no_path(result, "/src", "/out")
    with pytest.raises(AssertionError, match="present: /app"):
        assert_no_path(result, "/src", "/app")


def test_assert_same_image(result: BuildResult) -> None:
    assert_same_image(result, build({"Dockerfile": DOCKERFILE, "main.txt": "hello\n"}))
    other = build({"Dockerfile": DOCKERFILE.replace("MODE=prod", "MODE=dev"), "main.txt": "bye\n"})
    with pytest.raises(AssertionError) as info:
        assert_same_image(result, other)
    assert "/app/server" in str(info.value) and "config env" in str(info.value)


def test_build_errors_and_targets() -> None:
    with pytest.raises(EmuError, match="did not complete successfully"):
        build({"Dockerfile": DOCKERFILE, "main.txt": "x"}, target="tests")
    built = build({"Dockerfile": DOCKERFILE, "main.txt": "x"}, target="builder")
    assert built.target.name == "builder"
    with pytest.raises(EmuError, match="no Dockerfile"):
        build({"main.txt": "x"})
    args = build({"Dockerfile": "FROM busybox\nARG V=1\nRUN echo $V > /v\n"}, build_args={"V": "2"})
    assert_path(args, "/v", content="2\n")
    text = build({}, "FROM scratch\nLABEL a=b\n")
    assert_config(text, labels={"a": "b"})


def test_make_context_applies_dockerignore_and_keeps_links() -> None:
    ctx = make_context(
        {
            "a/b.txt": "x",
            "a/c.md": "y",
            "link": Link("a/b.txt"),
            "empty/": "",
            ".dockerignore": "**/*.md\n",
        }
    )
    fs = ctx.snapshot.fs()
    assert fs.lookup("/a/b.txt") is not None and fs.lookup("/a/c.md") is None
    assert ctx.is_excluded("a/c.md")
    link = fs.lookup("/link", follow=False)
    assert link is not None and link.kind.value == "symlink"
    assert fs.is_dir("/empty")


def test_fixtures(emu_build: Callable[..., BuildResult], emu_context: Callable[..., Path]) -> None:
    folder = emu_context({"Dockerfile": "FROM scratch\nCOPY . /c/\n", "a/b": "x", "l": Link("a/b")})
    assert (folder / "l").is_symlink()
    result = emu_build(folder)
    assert_path(result, "/c/a/b", content="x")
    assert_path(result, "/c/l", target="a/b")
    second = emu_context({"Dockerfile": "FROM scratch\n"})
    assert second != folder
    assert_path(emu_build(folder, "FROM scratch\nCOPY a /a\n"), "/a/b", content="x")
