"""``emu playground`` without a browser: the site it writes (from a stand-in Pyodide), the
wheels it makes, its loopback server, the presets, and the Python the page runs
(:mod:`emu.cli._browser`) on CPython — whose log must be the command line's, byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import threading
import urllib.request
import zipfile
from pathlib import Path

import pytest

from emu.cli import main
from emu.cli._browser import build, explain
from emu.cli._playground import LAZY_BYTES, PYODIDE_FILES, make_server, write_site
from emu.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def fake_pyodide(folder: Path, version: str = "0.29.5") -> Path:
    """A folder with the files the page loads of a Pyodide distribution (not working ones)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in PYODIDE_FILES:
        (folder / name).write_bytes(b"stand-in " + name.encode())
    (folder / "package.json").write_text(json.dumps({"name": "pyodide", "version": version}))
    (folder / "pyodide.d.ts").write_text("types the page does not load")
    return folder


def files_of(example: str) -> dict[str, str]:
    folder = EXAMPLES / example
    return {
        p.relative_to(folder).as_posix(): p.read_text() for p in folder.rglob("*") if p.is_file()
    }


# --- the site -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    write_site(root / "out", fake_pyodide(root / "pyodide-package"))
    return root / "out"


def test_the_site_holds_everything_the_page_loads(site: Path) -> None:
    manifest = json.loads((site / "manifest.json").read_text())
    assert manifest["pyodide"] == "0.29.5"
    assert manifest["wheels"][0] == "emu-0.1.0-py3-none-any.whl"
    assert manifest["wheels"][1].startswith("rich-")
    for name in ["index.html", "playground.js", "playground.css", "worker.js", "presets.json"]:
        assert (site / name).is_file()
    for name in PYODIDE_FILES:
        assert (site / "pyodide" / name).is_file()
    assert not (site / "pyodide" / "pyodide.d.ts").exists()  # only what the page loads
    for wheel in manifest["wheels"]:
        assert (site / "wheels" / wheel).is_file()
    for url in manifest["lazy"].values():
        assert (site / url).is_file()


def test_the_page_carries_the_reports_style_and_script(site: Path) -> None:
    page = (site / "index.html").read_text()
    assert "/*EMU-REPORT" not in page
    assert "svg.graph{" in page and "function emuProvenance(scope, data, panel)" in page
    # every script and style sheet the page names is a file of the site
    for ref in ["playground.css", "playground.js"]:
        assert f'"{ref}"' in page
    assert "http://" not in page and "https://" not in page
    worker = (site / "worker.js").read_text()
    assert 'importScripts("pyodide/pyodide.js")' in worker and "https://" not in worker


def test_the_emu_wheel_is_the_package_less_its_big_data(site: Path) -> None:
    manifest = json.loads((site / "manifest.json").read_text())
    with zipfile.ZipFile(site / "wheels" / manifest["wheels"][0]) as whl:
        names = set(whl.namelist())
        record = whl.read("emu-0.1.0.dist-info/RECORD").decode().splitlines()
        for line in record:
            name, digest, size = line.rsplit(",", 2)
            if not digest:
                assert name == "emu-0.1.0.dist-info/RECORD"
                continue
            data = whl.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert digest == "sha256=" + expected.decode() and int(size) == len(data)
        assert "Root-Is-Purelib: true" in whl.read("emu-0.1.0.dist-info/WHEEL").decode()
        assert "Name: emu" in whl.read("emu-0.1.0.dist-info/METADATA").decode()
    assert {"emu/__init__.py", "emu/cli/_browser.py", "emu/images/data/nginx.json"} <= names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    lazy = manifest["lazy"]
    assert "emu/sh/tools/data/packages/bookworm.tsv.gz" in lazy
    assert not set(lazy) & names
    for path, url in lazy.items():
        assert (site / url).stat().st_size > LAZY_BYTES
        assert (site / url).read_bytes() == (ROOT / path).read_bytes()


def test_pyodide_may_be_the_npm_tarball(tmp_path: Path) -> None:
    package = fake_pyodide(tmp_path / "package", "0.29.9")
    tgz = tmp_path / "pyodide-0.29.9.tgz"
    with tarfile.open(tgz, "w:gz") as tar:
        tar.add(package, arcname="package")
    write_site(tmp_path / "out", tgz)
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["pyodide"] == "0.29.9"
    assert (tmp_path / "out" / "pyodide" / "pyodide.asm.wasm").read_bytes().startswith(b"stand-in")


def test_something_else_is_refused_with_the_recipe(tmp_path: Path) -> None:
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "pyodide.js").write_text("")
    with pytest.raises(UsageError) as exc:
        write_site(tmp_path / "out", tmp_path / "half")
    assert "is not a Pyodide distribution: it lacks pyodide.asm.js" in exc.value.message
    assert exc.value.hint is not None and "npm pack pyodide@0.29.5" in exc.value.hint
    (tmp_path / "junk.tgz").write_bytes(b"not a tar")
    with pytest.raises(UsageError, match=r"cannot read .*junk\.tgz as the Pyodide npm package"):
        write_site(tmp_path / "out", tmp_path / "junk.tgz")


def test_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["playground", "--help"])
    assert "example:\n  emu playground --write site --pyodide pyodide-0.29.5.tgz --serve" in (
        capsys.readouterr().out
    )
    assert main(["playground"]) == 2
    assert "say where the site goes (--write DIR), or serve it (--serve)" in capsys.readouterr().err
    assert main(["playground", "--serve"]) == 2  # a temporary site needs a Pyodide too
    assert "has no Pyodide yet" in capsys.readouterr().err
    assert main(["playground", "--write", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    assert "has no Pyodide yet: give a local copy with --pyodide PATH" in err
    assert "npm pack pyodide@0.29.5" in err and "never downloads" in err
    pyodide = fake_pyodide(tmp_path / "pkg")
    assert main(["playground", "--write", str(tmp_path / "site"), "--pyodide", str(pyodide)]) == 0
    assert "Wrote the playground to" in capsys.readouterr().err
    # again without --pyodide: the site keeps its Pyodide, the rest is written anew
    (tmp_path / "site" / "index.html").write_text("old")
    assert main(["playground", "--write", str(tmp_path / "site")]) == 0
    assert "its Pyodide kept" in capsys.readouterr().err
    assert "emuProvenance" in (tmp_path / "site" / "index.html").read_text()


def test_the_server_serves_the_site_on_the_loopback_only(site: Path) -> None:
    seen: list[str] = []
    server = make_server(site, 0, seen.append)
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/pyodide/pyodide.asm.wasm") as r:
            assert r.headers["Content-Type"] == "application/wasm"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/worker.js") as r:
            assert r.headers["Content-Type"] == "text/javascript"
            assert r.read() == (site / "worker.js").read_bytes()
    finally:
        server.shutdown()
        server.server_close()
    assert seen == ["/pyodide/pyodide.asm.wasm", "/worker.js"]


def test_a_port_in_use_is_a_usage_error(site: Path) -> None:
    first = make_server(site, 0)
    try:
        with pytest.raises(UsageError, match=r"Bind for 127\.0\.0\.1:\d+ failed"):
            make_server(site, first.server_address[1])
    finally:
        first.server_close()


def test_the_presets_are_the_examples() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "support" / "make_presets.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout
    presets = json.loads((ROOT / "emu" / "cli" / "playground" / "presets.json").read_text())
    assert [p["name"] for p in presets] == [
        "multistage-demo", "react-nginx", "go-alpine", "spring-boot", "rust-debian",
        "typescript-node",
    ]  # fmt: skip
    assert presets[0]["files"] == files_of("multistage-demo")


# --- what the page runs ---------------------------------------------------------------------


def _without_cache(log: str) -> str:
    """The command line's log less its layer-cache block: the page builds without a cache."""
    lines = log.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("Cache:"))
    end = next(i for i, line in enumerate(lines) if line.startswith("Successfully built"))
    return "".join(lines[:start] + lines[end:])


def test_the_log_is_the_command_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EMU_HOME", str(tmp_path / "emu-home"))  # an empty cache: every step runs
    # Image IDs carry the build's time (the config's `created`): one fixed time for both.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    out = json.loads(build(json.dumps({"files": files_of("go-alpine")})))
    assert out["ok"] is True
    assert main(["build", "--progress", "classic", str(EXAMPLES / "go-alpine")]) == 0
    assert out["log"] == _without_cache(capsys.readouterr().err)
    assert [s["name"] for s in out["stages"]] == ["builder", "stage-1"]
    assert out["graph"].startswith('<svg class="graph"')
    records = {r["path"]: r for r in out["records"]}
    assert records["/usr/local/bin/server"]["added"] is True
    assert records["/usr/local/bin/server"]["chain"][-1].endswith(
        "-o /out/server . (Dockerfile:10)"
    )
    rows = out["comparison"]["rows"]
    assert [(r["label"], r["size"]) for r in rows] == [
        ("multi-stage (Dockerfile)", 12786028),
        ("single-stage (Dockerfile.single-stage)", 853141399),
    ]
    assert "CompilerInFinalImage" in rows[1]["lessons"]


def test_a_target_the_lessons_and_explain() -> None:
    files = {
        "Dockerfile": "FROM alpine:3.19 AS tools\nRUN apk add --no-cache gcc\n"
        "FROM tools AS app\nCOPY main.c /src/\nFROM scratch AS unused\n",
        "main.c": "int main(void) { return 0; }\n",
    }
    out = json.loads(build(json.dumps({"files": files, "target": "app"})))
    assert out["ok"] is True
    assert [(s["name"], s["status"]) for s in out["stages"]] == [
        ("tools", "base"),
        ("app", "final"),
        ("unused", "skipped"),
    ]  # fmt: skip  (tools is app's base: its layers are in the final image, not discarded)
    rules = {f["rule"]: f for f in out["lessons"]}
    assert rules["CompilerInFinalImage"]["level"] == "lesson"
    assert rules["CompilerInFinalImage"]["url"].startswith("https://")
    chain = json.loads(explain("/src/main.c"))
    assert chain["ok"] is True and chain["chain"][-1] == "context:main.c"
    assert json.loads(explain("/nope"))["ok"] is False


def test_a_failing_build_gives_the_error_as_the_command_line_prints_it() -> None:
    out = json.loads(build(json.dumps({"files": {"Dockerfile": "FROM alpine:3.19\nRUN nope\n"}})))
    assert out["ok"] is False
    assert out["error"]["line"] == 2 and out["error"]["file"] == "Dockerfile"
    assert out["log"].startswith('Dockerfile:2:1: error: process "/bin/sh -c nope"')
    assert "> 2 | RUN nope" in out["log"]
    nothing = json.loads(build(json.dumps({"files": {"a.txt": "x"}})))
    assert nothing == {"ok": False, "log": "error: the context has no Dockerfile\n"}


def test_the_page_python_runs_without_lzma() -> None:
    """Pyodide's npm package has no lzma: the page's module stands one in, and emu imports."""
    code = (
        "import sys; sys.modules['lzma'] = None\n"
        "import json; from emu.cli import _browser\n"
        "out = json.loads(_browser.build(json.dumps({'files': {'Dockerfile': "
        "'FROM alpine:3.19\\nRUN echo hi > /hi\\n'}})))\n"
        "import lzma\n"
        "print(out['ok'], lzma.__doc__)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout == "True xz is not available in this Python\n"


def test_a_wheel_installs_and_imports(tmp_path: Path, site: Path) -> None:
    """The emu wheel is a real one: unpacked alone, it imports and builds (the JSON data are
    in it), as in Pyodide, where nothing else of this checkout exists."""
    manifest = json.loads((site / "manifest.json").read_text())
    with zipfile.ZipFile(io.BytesIO((site / "wheels" / manifest["wheels"][0]).read_bytes())) as z:
        z.extractall(tmp_path / "site-packages")
    where = str(tmp_path / "site-packages")
    code = (
        f"import sys; sys.path.insert(0, {where!r})\n"
        "import emu\n"
        f"assert emu.__file__.startswith({where!r}), emu.__file__\n"
        "r = emu.build({'Dockerfile': 'FROM nginx:alpine\\nCOPY a /a\\n', 'a': 'x'})\n"
        "print(r.image.size)\n"
    )
    # -S: no site-packages, so neither this checkout nor rich and yaml are importable
    proc = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert int(proc.stdout) == 62940001
