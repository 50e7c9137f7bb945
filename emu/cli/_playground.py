"""``emu playground``: emu in the browser, with no server-side code and no install.

``--write DIR`` writes a static site: the page (``emu/cli/playground/``: editors for the
Dockerfile, ``.dockerignore`` and context files, the presets, Build, and what emu shows of a
build), Pyodide (CPython compiled to WebAssembly) copied from a local distribution given
with ``--pyodide`` — the npm package, as ``npm pack pyodide@VERSION`` downloads it, or its
unpacked folder — and emu and rich as wheels made from the installed packages. Everything
the page loads is in DIR, so it works with the network off; emu itself never downloads
anything (fetching Pyodide is the user's one step, done with npm).

``--serve`` serves DIR on 127.0.0.1 (browsers do not run WebAssembly from ``file://``):
a plain static file server, the second of emu's two loopback servers (``emu run``'s is
:mod:`emu.cli._serve`, whose shutdown it reuses).

In the browser the page runs Python in a Web Worker (the page stays responsive while a
build runs); :mod:`emu.cli._browser` is the Python it calls.
"""

from __future__ import annotations

import argparse
import io
import json
import os
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from emu.cli._args import command
from emu.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable
    from http.server import ThreadingHTTPServer

    from emu.cli._args import Subparsers

# The Pyodide release the page is tested with (Python 3.13); the README's recipe fetches it.
PYODIDE_VERSION = "0.29.5"
# What the page loads of a Pyodide distribution (the npm package holds these and type files).
PYODIDE_FILES = (
    "pyodide.js",
    "pyodide.asm.js",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
    "package.json",
)
# Package files bigger than this are left out of the wheel and served beside it; the page
# maps them into Python's filesystem to be fetched when first read (the package universes:
# 25 MB that no preset reads).
LAZY_BYTES = 1_000_000
# The page: HTML, style, scripts and the presets (examples/, by tests/support/make_presets.py).
TYPES = {".wasm": "application/wasm", ".js": "text/javascript", ".json": "application/json",
         ".whl": "application/zip", ".zip": "application/zip"}  # fmt: skip
ASSETS = ("index.html", "playground.css", "playground.js", "worker.js", "presets.json")


def add_parsers(sub: Subparsers) -> None:
    p = command(
        sub,
        "playground",
        "write emu's browser playground as a static site, or serve it on 127.0.0.1",
        f"emu playground --write site --pyodide pyodide-{PYODIDE_VERSION}.tgz --serve",
        "emu playground --write site --serve --port 8080",
        f"emu playground --serve --pyodide pyodide-{PYODIDE_VERSION}.tgz",
        f"(npm pack pyodide@{PYODIDE_VERSION} downloads pyodide-{PYODIDE_VERSION}.tgz)",
        run=run,
    )
    p.add_argument("--write", metavar="DIR", help="write the site into DIR")
    p.add_argument(
        "--pyodide",
        metavar="PATH",
        help="a local Pyodide distribution: the npm package's .tgz or its unpacked folder "
        f"(npm pack pyodide@{PYODIDE_VERSION}); needed unless DIR already has one",
    )
    p.add_argument("--serve", action="store_true", help="serve DIR on 127.0.0.1 until Ctrl-C")
    p.add_argument("--port", type=int, default=8000, help="the port to serve on (0: any free)")


def run(args: argparse.Namespace) -> int:
    if args.write:
        _write(Path(args.write), args.pyodide, announce=not args.serve)
        if args.serve:
            serve(Path(args.write), args.port)
        return 0
    if not args.serve:
        raise UsageError(
            "say where the site goes (--write DIR), or serve it (--serve)",
            hint=f"emu playground --write site --pyodide pyodide-{PYODIDE_VERSION}.tgz --serve",
        )
    import tempfile

    # --serve alone: a site written for this run only, removed when the server stops.
    with tempfile.TemporaryDirectory(prefix="emu-playground-") as tmp:
        _write(Path(tmp), args.pyodide, announce=False)
        serve(Path(tmp), args.port)
    return 0


def _write(dest: Path, pyodide: str | None, *, announce: bool) -> None:
    from rich.text import Text

    from emu.cli._console import err

    if pyodide or not (dest / "pyodide" / "pyodide.asm.wasm").is_file():
        if not pyodide:
            raise UsageError(
                f"{dest} has no Pyodide yet: give a local copy with --pyodide PATH",
                hint=f"npm pack pyodide@{PYODIDE_VERSION} downloads it as "
                f"pyodide-{PYODIDE_VERSION}.tgz (emu itself never downloads anything)",
            )
        written = write_site(dest, Path(pyodide))
        err().print(Text(f"Wrote the playground to {dest} ({_mb(written)})"))
    else:
        write_site(dest, None)
        err().print(Text(f"Updated the playground in {dest} (its Pyodide kept)"))
    if announce:
        err().print(
            Text(f"Serve it with `emu playground --write {dest} --serve` (or any static server)")
        )


def _mb(n: int) -> str:
    from emu.teach.fmt import human_size

    return human_size(n)


# --- the site -------------------------------------------------------------------------------


def write_site(dest: Path, pyodide: Path | None) -> int:
    """Write the playground into ``dest`` (Pyodide from ``pyodide``, or the one already
    there when None); returns the site's size in bytes."""
    from importlib import metadata, resources

    from emu.teach.report import CSS, SCRIPT

    dest.mkdir(parents=True, exist_ok=True)
    if pyodide is not None:
        version = _copy_pyodide(pyodide, dest / "pyodide")
    else:
        version = json.loads((dest / "pyodide" / "package.json").read_text())["version"]
    import shutil  # (here, not at the top: `emu --help` loads this module, not its work)

    wheels_dir = dest / "wheels"
    if wheels_dir.exists():
        shutil.rmtree(wheels_dir)
    lazy_dir = dest / "lazy"
    if lazy_dir.exists():
        shutil.rmtree(lazy_dir)
    package = Path(__file__).resolve().parents[1]  # emu/, this module being emu/cli/…
    emu_wheel, lazy = pure_wheel("emu", package, wheels_dir, lazy_dir)
    import rich

    rich_wheel, _ = pure_wheel("rich", Path(rich.__file__).parent, wheels_dir, None)
    assets = resources.files("emu.cli").joinpath("playground")
    for name in ASSETS:
        data = assets.joinpath(name).read_bytes()
        if name == "index.html":
            text = data.decode()
            text = text.replace("/*EMU-REPORT-CSS*/", CSS).replace("/*EMU-REPORT-SCRIPT*/", SCRIPT)
            data = text.encode()
        (dest / name).write_bytes(data)
    manifest = {
        "pyodide": version,
        "wheels": [emu_wheel, rich_wheel],
        # Package files served beside the wheel: site-packages path -> URL in the site.
        "lazy": lazy,
        "emu": metadata.version("emu"),
    }
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())


def _copy_pyodide(source: Path, dest: Path) -> str:
    """Copy what the page loads of a Pyodide distribution; returns its version."""
    import tarfile

    hint = (
        f"npm pack pyodide@{PYODIDE_VERSION} downloads the npm package as "
        f"pyodide-{PYODIDE_VERSION}.tgz; pass that file or its unpacked folder"
    )
    found: dict[str, bytes] = {}
    if source.is_dir():
        root = source / "package" if (source / "package" / "pyodide.js").is_file() else source
        for name in PYODIDE_FILES:
            if (root / name).is_file():
                found[name] = (root / name).read_bytes()
    elif source.is_file():
        try:
            with tarfile.open(source) as tar:
                for member in tar.getmembers():
                    name = PurePosixPath(member.name).name
                    if name in PYODIDE_FILES and member.isfile():
                        f = tar.extractfile(member)
                        if f is not None:
                            found[name] = f.read()
        except (tarfile.TarError, OSError) as exc:
            raise UsageError(
                f"cannot read {source} as the Pyodide npm package: {exc}", hint=hint
            ) from None
    else:
        raise UsageError(f"{source}: no such file or directory", hint=hint)
    missing = [n for n in PYODIDE_FILES if n not in found]
    if missing:
        raise UsageError(
            f"{source} is not a Pyodide distribution: it lacks {', '.join(missing)}", hint=hint
        )
    dest.mkdir(parents=True, exist_ok=True)
    for name, data in found.items():
        (dest / name).write_bytes(data)
    version: str = json.loads(found["package.json"])["version"]
    return version


def pure_wheel(
    dist: str, package: Path, dest: Path, lazy_dir: Path | None
) -> tuple[str, dict[str, str]]:
    """A pure-Python wheel of the installed package ``package`` (folder of distribution
    ``dist``), written into ``dest``; returns its file name and, when ``lazy_dir`` is given,
    the files over :data:`LAZY_BYTES` left out of it and copied there instead (their path in
    site-packages -> their path in the site)."""
    import base64
    import hashlib
    import shutil
    import zipfile
    from importlib import metadata

    meta = metadata.distribution(dist)
    version = meta.version
    name = dist.replace("-", "_")
    info = f"{name}-{version}.dist-info"
    wheel_name = f"{name}-{version}-py3-none-any.whl"
    dest.mkdir(parents=True, exist_ok=True)
    lazy: dict[str, str] = {}
    records: list[str] = []
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as whl:

        def add(arcname: str, data: bytes) -> None:
            whl.writestr(zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            records.append(f"{arcname},sha256={digest.decode()},{len(data)}")

        for path in sorted(package.rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            arcname = (Path(package.name) / path.relative_to(package)).as_posix()
            if lazy_dir is not None and path.stat().st_size > LAZY_BYTES:
                target = lazy_dir / arcname
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                lazy[arcname] = f"lazy/{arcname}"
                continue
            add(arcname, path.read_bytes())
        # PKG-INFO: an egg-info (a checkout installed in place) has the same fields there.
        text = meta.read_text("METADATA") or meta.read_text("PKG-INFO") or ""
        add(f"{info}/METADATA", text.encode())
        add(
            f"{info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: emu playground\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n",
        )
        records.append(f"{info}/RECORD,,")
        whl.writestr(
            zipfile.ZipInfo(f"{info}/RECORD", date_time=(1980, 1, 1, 0, 0, 0)),
            "\n".join(records) + "\n",
        )
    (dest / wheel_name).write_bytes(buf.getvalue())
    return wheel_name, lazy


# --- serving --------------------------------------------------------------------------------


def make_server(
    root: Path, port: int, seen: Callable[[str], None] | None = None
) -> ThreadingHTTPServer:
    """A static file server for ``root`` on 127.0.0.1 (never another address); ``seen``
    is told the path of every request."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer  # sandbox-ok

    from emu.cli._serve import LOOPBACK

    class Handler(SimpleHTTPRequestHandler):
        def guess_type(self, path: str | os.PathLike[str]) -> str:
            # What browsers insist on (WebAssembly's streaming compile needs its own type).
            return TYPES.get(Path(path).suffix) or super().guess_type(path)

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            if seen is not None:
                seen(self.path)

        def log_message(self, format: str, *args: object) -> None:
            pass  # a page load is some twenty requests: not worth a line each

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    handler = functools.partial(Handler, directory=str(root))
    try:
        return Server((LOOPBACK, port), handler)  # sandbox-ok
    except OSError as exc:
        raise UsageError(
            f"Bind for {LOOPBACK}:{port} failed: {exc.strerror or exc}",
            hint="pick another port with --port N (0: any free one)",
        ) from None


def serve(root: Path, port: int) -> None:
    from rich.text import Text

    from emu.cli._console import err
    from emu.cli._serve import serve as serve_until_stopped

    server = make_server(root, port)
    host, bound = server.server_address[:2]
    err().print(Text(f"Serving {root} at http://{host!s}:{bound}/ (Ctrl-C stops)"))
    serve_until_stopped([server])
