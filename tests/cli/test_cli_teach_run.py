"""`emu run`, `ps`, `stop`, `rm`, `logs`: an nginx image is served over loopback for real
(a test fetches the tutorial's page and stops the server); any other image is described."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from emu.cli import _console, main

DEMO = Path(__file__).resolve().parents[2] / "examples" / "multistage-demo"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    h = tmp_path / "emu-home"
    monkeypatch.setenv("EMU_HOME", str(h))
    _console.reset()
    yield h
    # Never leave a server behind, whatever a test did.
    from emu.cli._run import containers

    for c in containers():
        if c.running and c.pid != os.getpid():
            main(["rm", "-f", c.id])
    _console.reset()


@pytest.fixture()
def my_app(capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["build", "--progress", "quiet", "-t", "my-app", str(DEMO)]) == 0
    capsys.readouterr()
    return "my-app"


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_run_detached_serves_the_tutorials_page_then_stops(
    my_app: str, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    assert main(["run", "-d", "-p", f"{port}:80", "--name", "my-running-app", "my-app"]) == 0
    cid = capsys.readouterr().out.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", cid)
    status, headers, body = fetch(f"http://127.0.0.1:{port}/")
    assert status == 200 and body == (DEMO / "index.html").read_bytes()
    assert headers["Content-Type"] == "text/html" and "nginx/1.31.6" in headers["Server"]
    assert b"Hello from Docker!" in body
    assert fetch(f"http://127.0.0.1:{port}/index.html")[2] == body
    status, _, page = fetch(f"http://127.0.0.1:{port}/nope")
    assert status == 404 and b"404 Not Found" in page and b"nginx/1.31.6" in page
    assert fetch(f"http://127.0.0.1:{port}/50x.html")[0] == 200  # the base image's page

    assert main(["ps"]) == 0
    out = capsys.readouterr().out
    assert re.search(
        rf"{cid[:12]} +my-app +Up .* +127\.0\.0\.1:{port}->80/tcp +my-running-app$", out, re.M
    )
    assert all(len(line) <= 90 for line in out.splitlines())  # docker ps needs ~130
    assert main(["ps", "--no-trunc"]) == 0
    out = capsys.readouterr().out
    assert f"{cid} " in out and '"/docker-entrypoint.sh nginx -g daemon off;"' in out
    assert main(["logs", "my-running-app"]) == 0
    log = capsys.readouterr().out
    assert '"GET / HTTP/1.1" 200 654' in log and '"GET /nope HTTP/1.1" 404' in log

    assert main(["stop", "my-running-app"]) == 0
    assert capsys.readouterr().out == "my-running-app\n"
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
    assert main(["ps"]) == 0
    assert "my-running-app" not in capsys.readouterr().out
    assert main(["ps", "-a"]) == 0
    assert re.search(r"Exited \(0\) .* ago +my-running-app", capsys.readouterr().out)
    assert main(["rm", "my-running-app"]) == 0
    assert capsys.readouterr().out == "my-running-app\n"
    assert main(["ps", "-a", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.slow
def test_run_in_the_foreground_until_stopped(my_app: str, home: Path) -> None:
    env = {**os.environ, "EMU_HOME": str(home), "PYTHONPATH": str(Path(__file__).parents[2])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "emu", "run", "-p", "0:80", "--name", "fg", "my-app"],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert proc.stderr is not None
        port = 0
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not port:
            line = proc.stderr.readline()
            m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if m:
                port = int(m.group(1))
            assert line or proc.poll() is None, "emu run exited early"
        assert port, "no URL printed"
        status, _, body = fetch(f"http://127.0.0.1:{port}/")
        assert status == 200 and b"Multi-Stage Docker Demo" in body
        assert main(["stop", "fg"]) == 0
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    from emu.cli._run import find

    assert find("fg").status == "exited"


@pytest.mark.slow
def test_ephemeral_port_and_rm_flag(my_app: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "-d", "--rm", "-p", "80", "my-app"]) == 0
    cid = capsys.readouterr().out.strip()
    from emu.cli._run import find

    c = find(cid[:12])
    assert c.ports[0].host > 0 and c.ports[0].container == 80 and c.name
    assert fetch(f"http://127.0.0.1:{c.ports[0].host}/")[0] == 200
    assert main(["stop", cid[:12]]) == 0
    capsys.readouterr()
    assert main(["ps", "-a", "-q"]) == 0
    assert capsys.readouterr().out == ""  # --rm: gone once stopped


@pytest.mark.slow
def test_run_errors(my_app: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "my-app"]) == 2
    assert "no port is published" in capsys.readouterr().err
    assert main(["run", "-p", "8080:8080", "my-app"]) == 2
    assert "listens on 80, not on 8080" in capsys.readouterr().err
    assert main(["run", "-p", "10.0.0.1:8080:80", "my-app"]) == 2
    assert "127.0.0.1 only" in capsys.readouterr().err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["run", "-d", "-p", f"{port}:80", "my-app"]) == 2
        assert f"Bind for 127.0.0.1:{port} failed" in capsys.readouterr().err
    assert main(["run", "-d", "-p", "0:80", "--name", "web", "my-app"]) == 0
    capsys.readouterr()
    assert main(["run", "-d", "-p", "0:80", "--name", "web", "my-app"]) == 2
    assert 'The container name "/web" is already in use' in capsys.readouterr().err
    assert main(["rm", "web"]) == 1
    assert "container is running" in capsys.readouterr().err
    assert main(["rmi", "my-app"]) == 1
    assert "is using it" in capsys.readouterr().err
    assert main(["rm", "-f", "web"]) == 0
    assert main(["stop", "nosuch"]) == 1
    assert "No such container: nosuch" in capsys.readouterr().err


def test_other_images_are_described_not_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "golang:1.21", "go", "version"]) == 0
    out = capsys.readouterr().out
    assert "emu does not run programs" in out
    assert 'command  ["go", "version"]' in out
    assert 'the command line replaces CMD ["bash"]' in out
    assert "workdir  /go" in out and "GOPATH=/go" in out and "user     root" in out
    assert main(["run", "-d", "-p", "8080:80", "alpine:3.19"]) == 0
    captured = capsys.readouterr()
    assert 'command  ["/bin/sh"]' in captured.out and "-p ignored" in captured.err
    assert main(["ps", "-a", "-q"]) == 0
    assert capsys.readouterr().out == ""


def test_a_built_go_style_image_is_described(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "server").write_text("#!/bin/sh\n")
    (ctx / "Dockerfile").write_text(
        "FROM alpine:3.19\nRUN adduser -D -u 10001 app\nCOPY server /usr/local/bin/server\n"
        'USER app\nEXPOSE 8080\nENTRYPOINT ["/usr/local/bin/server"]\n'
    )
    assert main(["run", str(ctx)]) == 0
    out = capsys.readouterr().out
    assert 'command  ["/usr/local/bin/server"]' in out
    assert "user     app (uid 10001)" in out and "exposes  8080/tcp" in out


@pytest.mark.slow
def test_serving_follows_the_images_nginx_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = tmp_path / "spa"
    (ctx / "dist" / "assets").mkdir(parents=True)
    (ctx / "dist" / "index.html").write_text("<h1>spa</h1>\n")
    (ctx / "dist" / "assets" / "app.js").write_text("console.log(1)\n")
    (ctx / "default.conf").write_text(
        "server {\n  listen 8080;\n  root /srv/www;\n"
        "  location / { try_files $uri $uri/ /index.html; }\n"
        "  location = /health { return 200 ok; }\n}\n"
    )
    (ctx / "Dockerfile").write_text(
        "FROM nginx:alpine\nCOPY default.conf /etc/nginx/conf.d/default.conf\nCOPY dist /srv/www\n"
    )
    assert main(["build", "--progress", "quiet", "-t", "spa", str(ctx)]) == 0
    capsys.readouterr()
    assert main(["run", "-d", "-p", "0:8080", "--name", "spa", "spa"]) == 0
    capsys.readouterr()
    from emu.cli._run import find

    port = find("spa").ports[0].host
    assert find("spa").root == "/srv/www"
    base = f"http://127.0.0.1:{port}"
    assert fetch(base + "/")[2] == b"<h1>spa</h1>\n"
    status, headers, script = fetch(base + "/assets/app.js")
    assert status == 200 and "javascript" in headers["Content-Type"] and script
    assert fetch(base + "/some/route")[2] == b"<h1>spa</h1>\n"  # try_files falls back
    assert fetch(base + "/health")[2] == b"ok\n"
    assert main(["stop", "spa"]) == 0
