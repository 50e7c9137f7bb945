"""The build-tool models (emu.sh.tools): files and sizes they write, how they fail, the
offline URL mapping, and the five examples built end to end."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

import pytest

import emu.sh.tools  # noqa: F401  (registers the models)
from emu.fs import FS, Blob, Dir, File, Meta
from emu.images import catalog
from emu.images.catalog import tree_size
from emu.sh import interp
from emu.sh import utils as _utils  # noqa: F401  (registers sh, rm, ls, …)
from emu.sh.api import REGISTRY, Identity, Limits, Proc, Stream
from emu.sh.options import Syntax
from emu.sh.tools import urls

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


# --- helpers -------------------------------------------------------------------------------------


def image(ref: str) -> tuple[FS, dict[str, str]]:
    img = catalog.lookup(ref)
    env = dict(item.split("=", 1) for item in img.config.env)
    return img.rootfs.fs(), env


def put(fs: FS, files: dict[str, str | bytes], base: str = "/app") -> None:
    for rel, content in files.items():
        path = posixpath.join(base, rel)
        fs.makedirs(posixpath.dirname(path))
        fs.write_file(path, content.encode() if isinstance(content, str) else content, Meta())


def call(
    fs: FS, env: dict[str, str], argv: list[str], cwd: str = "/app", uid: int = 0
) -> tuple[int, str, str]:
    """Run one handler directly with a hand-built Proc (no shell, no runner)."""
    lim = Limits()
    proc = Proc(
        argv=argv,
        env=dict(env),
        cwd=cwd,
        fs=fs,
        ident=Identity(uid, uid, (), "root" if uid == 0 else "user"),
        stdin=b"",
        stdout=Stream(lim),
        stderr=Stream(lim),
        limits=lim,
    )
    handler = REGISTRY.get(proc.name)
    assert handler is not None, proc.name
    status = handler(proc)
    return status, proc.stdout.getvalue().decode(), proc.stderr.getvalue().decode()


def sh(fs: FS, env: dict[str, str], script: str, cwd: str = "/app") -> tuple[int, str, str]:
    """Run a script through emu's shell, so that handlers can run programs (proc.run)."""
    if fs.lookup(cwd) is None:
        fs.makedirs(cwd)
    r = interp.run_script(script, fs=fs, env=env, cwd=cwd, ident=Identity())
    return r.status, r.stdout.decode(), r.stderr.decode()


def size(fs: FS, path: str = "/") -> int:
    node = fs.lookup(path)
    assert isinstance(node, Dir), path
    return tree_size(node)


def blob(fs: FS, path: str) -> Blob:
    node = fs.get(path)
    assert isinstance(node, File) and isinstance(node.content, Blob), path
    return node.content


def text(fs: FS, path: str) -> str:
    node = fs.get(path)
    assert isinstance(node, File) and node.data is not None, path
    return node.data.decode()


# --- registration --------------------------------------------------------------------------------


def test_the_models_are_registered() -> None:
    for name in [
        "apk",
        "apt-get",
        "apt",
        "pip",
        "pip3",
        "python3",
        "npm",
        "npx",
        "yarn",
        "pnpm",
        "corepack",
        "node",
        "vite",
        "react-scripts",
        "ng",
        "vue-cli-service",
        "tsc",
        "esbuild",
        "go",
        "cargo",
        "mvn",
        "mvnw",
        "gradle",
        "gradlew",
        "javac",
        "java",
        "gcc",
        "cc",
        "g++",
        "make",
        "strip",
        "curl",
        "wget",
        "git",
    ]:
        assert REGISTRY.get(name) is not None, name
        assert REGISTRY.notes.get(name, "").startswith("modelled"), name


# --- apk -----------------------------------------------------------------------------------------


def test_apk_add_installs_files_records_them_and_caches_the_index() -> None:
    fs, env = image("alpine:3.19")
    before = size(fs)
    status, out, _ = call(fs, env, ["apk", "add", "curl", "bash"], cwd="/")
    assert status == 0
    assert "Installing curl (8.5.0-r0)" in out and "OK: " in out
    assert "emu: modelled apk add" in out
    assert isinstance(fs.lookup("/usr/bin/curl"), File)
    assert isinstance(fs.lookup("/bin/bash"), File)
    db = text(fs, "/lib/apk/db/installed")
    assert "P:curl\n" in db and "P:libcurl\n" in db and "R:curl" in db
    assert {"curl", "bash"} <= set(text(fs, "/etc/apk/world").split())
    assert any(n.startswith("APKINDEX.") for n in fs.listdir("/var/cache/apk"))
    assert 4_000_000 < size(fs) - before < 15_000_000


def test_apk_no_cache_leaves_no_index() -> None:
    fs, env = image("alpine:3.19")
    assert call(fs, env, ["apk", "add", "--no-cache", "git"], cwd="/")[0] == 0
    assert fs.listdir("/var/cache/apk") == []
    assert isinstance(fs.lookup("/usr/bin/git"), File)


def test_apk_unknown_package_fails_like_apk() -> None:
    fs, env = image("alpine:3.19")
    status, _, err = call(fs, env, ["apk", "add", "--no-cache", "curl", "nosuchpkg"], cwd="/")
    assert status != 0
    assert err.startswith("ERROR: unable to select packages:\n  nosuchpkg (no such package):\n")
    assert "required by: world[nosuchpkg]" in err
    assert fs.lookup("/usr/bin/curl") is None  # nothing is installed


def test_apk_virtual_group_is_removed_with_what_it_pulled_in() -> None:
    fs, env = image("alpine:3.19")
    before = size(fs)
    args = ["apk", "add", "--no-cache", "--virtual", ".build-deps", "build-base"]
    assert call(fs, env, args, cwd="/")[0] == 0
    assert size(fs) - before > 150_000_000
    assert ".build-deps" in text(fs, "/etc/apk/world")
    status, out, _ = call(fs, env, ["apk", "del", ".build-deps"], cwd="/")
    assert status == 0 and "Purging gcc" in out
    assert size(fs) - before < 10_000  # only the rewritten database differs
    assert fs.lookup("/usr/bin/gcc") is None
    assert ".build-deps" not in text(fs, "/etc/apk/world")


def test_apk_as_non_root_cannot_lock_the_database() -> None:
    fs, env = image("alpine:3.19")
    status, _, err = call(fs, env, ["apk", "add", "curl"], cwd="/", uid=1000)
    assert status == 99
    assert "ERROR: Unable to lock database: Permission denied" in err


# --- apt -----------------------------------------------------------------------------------------


def test_apt_install_before_update_cannot_locate_packages() -> None:
    fs, env = image("debian:bookworm-slim")
    status, _, err = call(fs, env, ["apt-get", "install", "-y", "curl"], cwd="/")
    assert status == 100
    assert "E: Unable to locate package curl" in err


def test_apt_update_install_and_removing_the_lists_shrinks_the_layer() -> None:
    fs, env = image("debian:bookworm-slim")
    base = size(fs)
    assert call(fs, env, ["apt-get", "update"], cwd="/")[0] == 0
    lists = size(fs, "/var/lib/apt/lists")
    assert lists > 5_000_000
    args = ["apt-get", "install", "-y", "--no-install-recommends", "curl", "ca-certificates"]
    status, out, _ = call(fs, env, args, cwd="/")
    assert status == 0 and "Setting up curl" in out
    status_db = text(fs, "/var/lib/dpkg/status")
    assert "Package: curl\nStatus: install ok installed" in status_db
    assert "/usr/bin/curl" in text(fs, "/var/lib/dpkg/info/curl.list")
    assert isinstance(fs.lookup("/usr/bin/curl"), File)
    with_lists = size(fs)
    status, _, _ = sh(fs, env, "apt-get clean && rm -rf /var/lib/apt/lists/*", cwd="/")
    assert status == 0
    assert fs.listdir("/var/lib/apt/lists") == []
    assert with_lists - size(fs) >= lists - 1000
    assert size(fs) > base  # curl is still installed


def test_apt_recommends_are_installed_unless_told_not_to() -> None:
    grown = []
    for flags in ([], ["--no-install-recommends"]):
        fs, env = image("debian:bookworm-slim")
        call(fs, env, ["apt-get", "update"], cwd="/")
        before = size(fs)
        status, _, _ = call(fs, env, ["apt-get", "install", "-y", *flags, "python3-pip"], cwd="/")
        assert status == 0
        grown.append(size(fs) - before)
    assert grown[0] > grown[1] + 100_000_000  # build-essential and python3-dev come along


def test_apt_asks_and_aborts_without_yes() -> None:
    fs, env = image("debian:bookworm-slim")
    call(fs, env, ["apt-get", "update"], cwd="/")
    status, out, _ = call(fs, env, ["apt-get", "install", "curl"], cwd="/")
    assert status == 1 and "Do you want to continue? [Y/n] Abort." in out
    assert fs.lookup("/usr/bin/curl") is None


def test_apt_as_non_root_cannot_take_the_lock() -> None:
    fs, env = image("debian:bookworm-slim")
    status, _, err = call(fs, env, ["apt-get", "update"], cwd="/", uid=1000)
    assert status == 100 and "Permission denied" in err


# --- pip -----------------------------------------------------------------------------------------


def test_pip_installs_requirements_into_site_packages_and_caches_wheels() -> None:
    fs, env = image("python:3.12-slim")
    put(fs, {"requirements.txt": "flask==3.0.0\ngunicorn  # server\n"})
    status, out, _ = call(fs, env, ["pip", "install", "-r", "requirements.txt"])
    assert status == 0
    site = "/usr/local/lib/python3.12/site-packages"
    assert "flask-3.0.0.dist-info" in fs.listdir(site)
    assert "werkzeug-3.0.3.dist-info" in fs.listdir(site)  # a dependency
    assert isinstance(fs.lookup("/usr/local/bin/gunicorn"), File)
    assert "Successfully installed" in out and "emu: modelled pip install" in out
    assert size(fs, "/root/.cache/pip") > 0


def test_pip_no_cache_dir_leaves_no_cache() -> None:
    fs, env = image("python:3.12-slim")
    assert call(fs, env, ["pip", "install", "--no-cache-dir", "requests"])[0] == 0
    assert fs.lookup("/root/.cache/pip") is None


def test_pip_missing_requirements_file() -> None:
    fs, env = image("python:3.12-slim")
    status, _, err = call(fs, env, ["pip", "install", "-r", "requirements.txt"])
    assert status == 1
    assert "Could not open requirements file: [Errno 2] No such file or directory" in err


def test_pip_refuses_an_externally_managed_python_but_a_venv_works() -> None:
    fs, env = image("alpine:3.19")
    call(fs, env, ["apk", "add", "--no-cache", "python3", "py3-pip"], cwd="/")
    status, _, err = call(fs, env, ["pip", "install", "flask"], cwd="/")
    assert status == 1 and "externally-managed-environment" in err
    assert call(fs, env, ["python3", "-m", "venv", "/opt/venv"], cwd="/")[0] == 0
    venv_env = {**env, "PATH": "/opt/venv/bin:" + env["PATH"]}
    assert call(fs, venv_env, ["pip", "install", "flask"], cwd="/")[0] == 0
    assert "flask" in fs.listdir("/opt/venv/lib/python3.11/site-packages")


# --- npm, yarn, pnpm -----------------------------------------------------------------------------

REACT_APP: dict[str, str | bytes] = {
    "package.json": json.dumps(
        {
            "name": "web",
            "version": "0.1.0",
            "type": "module",
            "scripts": {"build": "vite build"},
            "dependencies": {"react": "^18.3.1", "react-dom": "^18.3.1"},
            "devDependencies": {"@vitejs/plugin-react": "^4.3.1", "vite": "^5.4.1"},
        }
    ),
    "index.html": "<!doctype html>\n<html>\n  <head>\n    <title>t</title>\n  </head>\n  <body>\n"
    '    <div id="root"></div>\n    <script type="module" src="/src/main.jsx">'
    "</script>\n  </body>\n</html>\n",
    "vite.config.js": "import { defineConfig } from 'vite'\n"
    "import react from '@vitejs/plugin-react'\n"
    "export default defineConfig({ plugins: [react()] })\n",
    "src/main.jsx": "import React from 'react'\nimport ReactDOM from 'react-dom/client'\n"
    "import App from './App'\nimport './index.css'\n"
    "ReactDOM.createRoot(document.getElementById('root')).render(<App />)\n",
    "src/App.jsx": "export default function App() { return <h1>Hi</h1> }\n",
    "src/index.css": "body {\n  margin: 0;\n}\n",
}


def test_npm_install_writes_node_modules_bin_links_and_a_lock() -> None:
    fs, env = image("node:18")
    put(fs, REACT_APP)
    status, out, _ = call(fs, env, ["npm", "install"])
    assert status == 0
    assert "added " in out and "emu: modelled npm install" in out
    nm = "/app/node_modules"
    for pkg in ("react", "react-dom", "vite", "@vitejs/plugin-react", "@babel/core"):
        assert json.loads(text(fs, f"{nm}/{pkg}/package.json"))["name"] == pkg
    assert isinstance(fs.lookup(f"{nm}/.bin/vite"), File)  # a link to vite/bin/vite.js
    assert 25_000_000 < size(fs, nm) < 60_000_000
    lock = json.loads(text(fs, "/app/package-lock.json"))
    assert lock["packages"]["node_modules/vite"]["dev"] is True
    assert size(fs, "/root/.npm/_cacache") > 0


@pytest.mark.parametrize(
    "how", [["npm", "install", "--omit=dev"], ["npm", "install", "--production"]]
)
def test_npm_omit_dev_leaves_the_dev_tree_out(how: list[str]) -> None:
    fs, env = image("node:18")
    put(fs, REACT_APP)
    assert call(fs, env, how)[0] == 0
    names = fs.listdir("/app/node_modules")
    assert "react" in names and "vite" not in names and "@babel" not in names


def test_node_env_production_omits_dev_and_then_the_build_fails() -> None:
    fs, env = image("node:18")
    put(fs, REACT_APP)
    status, _, err = sh(fs, {**env, "NODE_ENV": "production"}, "npm install && npm run build")
    assert status == 127
    assert "vite: not found" in err and "command sh -c vite build" in err


def test_npm_ci_needs_a_lock_file() -> None:
    fs, env = image("node:18")
    put(fs, REACT_APP)
    status, _, err = call(fs, env, ["npm", "ci"])
    assert status == 1
    assert "npm ERR! code EUSAGE" in err
    assert "The `npm ci` command can only install with an existing package-lock.json" in err
    assert call(fs, env, ["npm", "install", "--package-lock-only"])[0] == 0
    assert call(fs, env, ["npm", "ci"])[0] == 0


def test_npm_run_build_runs_vite_through_the_shell() -> None:
    fs, env = image("node:18")
    put(fs, REACT_APP)
    status, out, err = sh(fs, env, "npm install && npm run build")
    assert status == 0, err
    assert "> web@0.1.0 build\n> vite build" in out
    html = text(fs, "/app/dist/index.html")
    assert '<script type="module" crossorigin src="/assets/index-' in html
    assert "/src/main.jsx" not in html and '<div id="root"></div>' in html
    assets = fs.listdir("/app/dist/assets")
    js = next(a for a in assets if a.endswith(".js"))
    css = next(a for a in assets if a.endswith(".css"))
    assert 100_000 < blob(fs, f"/app/dist/assets/{js}").size < 200_000
    assert text(fs, f"/app/dist/assets/{css}") == "body{margin:0}"


def test_npm_run_unknown_script_and_missing_package_json() -> None:
    fs, env = image("node:18")
    put(fs, REACT_APP)
    status, _, err = call(fs, env, ["npm", "run", "deploy"])
    assert status == 1 and 'npm ERR! Missing script: "deploy"' in err
    status, _, err = call(fs, env, ["npm", "run", "build"], cwd="/tmp")
    assert status == 254 and "enoent" in err and "/tmp/package.json" in err


def test_vite_fails_on_a_missing_import() -> None:
    fs, env = image("node:18")
    put(fs, REACT_APP)
    put(fs, {"src/App.jsx": "import { Link } from 'react-router-dom'\nexport default () => 1\n"})
    status, _, err = sh(fs, env, "npm install && npm run build")
    assert status == 1
    assert 'Rollup failed to resolve import "react-router-dom"' in err


def test_yarn_and_pnpm_install() -> None:
    fs, env = image("node:18")
    put(fs, REACT_APP)
    status, out, _ = call(fs, env, ["yarn", "install", "--frozen-lockfile"])
    assert status == 0 and "yarn install v1.22.19" in out
    assert "# yarn lockfile v1" in text(fs, "/app/yarn.lock")
    assert "vite" in fs.listdir("/app/node_modules")
    assert size(fs, "/usr/local/share/.cache/yarn") > 0
    fs, env = image("node:18")
    put(fs, REACT_APP)
    assert call(fs, env, ["corepack", "enable"])[0] == 0
    status, _, err = call(fs, env, ["pnpm", "install", "--frozen-lockfile"])
    assert status == 1 and "ERR_PNPM_NO_LOCKFILE" in err
    assert call(fs, env, ["pnpm", "install"])[0] == 0
    assert fs.lookup("/app/node_modules/.pnpm") is not None
    assert isinstance(fs.lookup("/app/node_modules/react/package.json"), File)


# --- tsc -----------------------------------------------------------------------------------------

TS_APP: dict[str, str | bytes] = {
    "package.json": json.dumps(
        {
            "name": "api",
            "version": "1.0.0",
            "scripts": {"build": "tsc"},
            "dependencies": {"express": "^4.19.2"},
            "devDependencies": {
                "typescript": "^5.4.5",
                "@types/node": "^20.14.2",
                "@types/express": "^4.17.21",
            },
        }
    ),
    "tsconfig.json": '{\n  // options\n  "compilerOptions": {"target": "ES2022", "module": '
    '"commonjs", "rootDir": "src", "outDir": "dist", "strict": true,},\n'
    '  "include": ["src"]\n}\n',
    "src/index.ts": 'import express from "express";\nimport { greet } from "./util/greet";\n'
    "const port: number = Number(process.env.PORT ?? 3000);\n"
    "express().listen(port, () => console.log(greet('x')));\n",
    "src/util/greet.ts": "export interface G { text: string }\nexport function greet(name: "
    "string): string {\n  return `Hello, ${name}` as string;\n}\n",
}


def test_tsc_emits_one_js_per_ts_under_out_dir() -> None:
    fs, env = image("node:18")
    put(fs, TS_APP)
    assert call(fs, env, ["npm", "install"])[0] == 0
    status, out, err = sh(fs, env, "npx tsc")
    assert status == 0, out + err
    assert sorted(fs.listdir("/app/dist")) == ["index.js", "util"]
    js = text(fs, "/app/dist/util/greet.js")
    assert "function greet(name) {" in js and "interface" not in js and ": string" not in js
    assert "exports.greet = greet;" in js
    assert 'require("express")' in text(fs, "/app/dist/index.js")


def test_tsc_needs_type_declarations_and_a_tsconfig() -> None:
    fs, env = image("node:18")
    app = dict(TS_APP)
    pkg = json.loads(str(app["package.json"]))
    del pkg["devDependencies"]["@types/express"]
    app["package.json"] = json.dumps(pkg)
    put(fs, app)
    call(fs, env, ["npm", "install"])
    status, out, _ = sh(fs, env, "npx tsc")
    assert status == 2 and "error TS7016: Could not find a declaration file for module" in out
    status, out, _ = sh(fs, env, "/app/node_modules/.bin/tsc", cwd="/tmp")
    assert status == 1 and "tsc: The TypeScript Compiler" in out


# --- go ------------------------------------------------------------------------------------------

GO_APP: dict[str, str | bytes] = {
    "go.mod": "module example.com/hello-server\n\ngo 1.21\n",
    "main.go": 'package main\n\nimport (\n\t"fmt"\n\t"net/http"\n)\n\nfunc main() {\n'
    '\thttp.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { '
    'fmt.Fprintln(w, "hi") })\n\thttp.ListenAndServe(":8080", nil)\n}\n',
}


def test_go_build_writes_a_binary_named_after_the_module() -> None:
    fs, env = image("golang:1.21")
    put(fs, GO_APP)
    status, out, _ = call(fs, {**env, "CGO_ENABLED": "0"}, ["go", "build"])
    assert status == 0 and "statically linked" in out
    binary = blob(fs, "/app/hello-server")
    assert 5_000_000 < binary.size < 15_000_000
    assert "statically linked" in binary.label
    assert fs.get("/app/hello-server").meta.mode == 0o755
    assert call(fs, env, ["go", "build", "-ldflags=-s -w", "-o", "/out/s", "."])[0] == 0
    stripped = blob(fs, "/out/s")
    assert stripped.size < binary.size
    assert "dynamically linked against glibc" in stripped.label  # cgo on, gcc present
    assert size(fs, "/root/.cache/go-build") > 0


def test_go_build_fails_without_go_mod_or_go_files() -> None:
    fs, env = image("golang:1.21")
    put(fs, {"main.go": GO_APP["main.go"]})
    status, _, err = call(fs, env, ["go", "build", "-o", "app", "."])
    assert status == 1
    assert "go: go.mod file not found in current directory or any parent directory" in err
    fs, env = image("golang:1.21")
    put(fs, {"go.mod": GO_APP["go.mod"], "README": "x"})
    status, _, err = call(fs, env, ["go", "build", "."])
    assert status == 1 and err.strip() == "no Go files in /app"


def test_go_mod_download_fills_the_module_cache() -> None:
    fs, env = image("golang:1.21")
    put(
        fs,
        {
            "go.mod": "module x\n\ngo 1.21\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.9.1\n"
            "\tgolang.org/x/net v0.25.0 // indirect\n)\n"
        },
    )
    assert call(fs, env, ["go", "mod", "download"])[0] == 0
    assert fs.lookup("/go/pkg/mod/github.com/gin-gonic/gin@v1.9.1") is not None
    assert fs.lookup("/go/pkg/mod/cache/download/golang.org/x/net/@v/v0.25.0.zip") is not None
    assert size(fs, "/go/pkg/mod") > 10_000_000


def test_go_directive_newer_than_the_toolchain() -> None:
    fs, env = image("golang:1.21")
    put(fs, {"go.mod": "module x\n\ngo 1.22\n", "main.go": "package main\nfunc main() {}\n"})
    status, _, err = call(fs, env, ["go", "build"])
    assert status == 1 and "go.mod requires go >= 1.22 (running go 1.21.13" in err


# --- cargo ---------------------------------------------------------------------------------------


def test_cargo_build_release() -> None:
    fs, env = image("rust:latest")
    status, _, err = call(fs, env, ["cargo", "build", "--release"])
    assert status == 101
    assert err.startswith("error: could not find `Cargo.toml` in `/app` or any parent directory")
    put(
        fs,
        {
            "Cargo.toml": '[package]\nname = "greet"\nversion = "0.1.0"\nedition = "2021"\n\n'
            '[dependencies]\nclap = { version = "4.5", features = ["derive"] }\n',
            "src/main.rs": "fn main() {}\n",
        },
    )
    status, _, err = call(fs, env, ["cargo", "build", "--release"])
    assert status == 0 and "Finished `release` profile [optimized]" in err
    binary = blob(fs, "/app/target/release/greet")
    assert 400_000 < binary.size < 5_000_000
    assert size(fs, "/app/target") > 20 * binary.size
    assert "[[package]]" in text(fs, "/app/Cargo.lock")
    assert size(fs, "/usr/local/cargo/registry") > 0


def test_cargo_needs_a_target() -> None:
    fs, env = image("rust:latest")
    put(fs, {"Cargo.toml": '[package]\nname = "x"\nversion = "0.1.0"\n'})
    status, _, err = call(fs, env, ["cargo", "build"])
    assert status == 101 and "no targets specified in the manifest" in err


# --- Maven, Gradle, javac ------------------------------------------------------------------------

POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent><groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId><version>3.3.0</version></parent>
  <groupId>com.example</groupId><artifactId>demo</artifactId><version>0.0.1-SNAPSHOT</version>
  <properties><java.version>21</java.version></properties>
  <dependencies>
    {deps}
  </dependencies>
  <build><plugins><plugin><groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build>
</project>
"""
WEB = (
    "<dependency><groupId>org.springframework.boot</groupId>"
    "<artifactId>spring-boot-starter-web</artifactId></dependency>"
)
JAVA_APP = (
    "package com.example.demo;\n\nimport org.springframework.boot.SpringApplication;\n"
    "import org.springframework.boot.autoconfigure.SpringBootApplication;\n\n"
    "@SpringBootApplication\npublic class DemoApplication {\n  public static void main(String[] a)"
    " { SpringApplication.run(DemoApplication.class, a); }\n}\n"
)


def test_mvn_without_a_pom() -> None:
    fs, env = image("maven:3.9")
    fs.makedirs("/app")
    status, out, _ = call(fs, env, ["mvn", "-B", "package", "-DskipTests"])
    assert status == 1
    assert "[INFO] BUILD FAILURE" in out
    assert "there is no POM in this directory (/app)" in out


def test_mvn_package_builds_a_spring_boot_fat_jar() -> None:
    fs, env = image("maven:3.9")
    put(
        fs,
        {
            "pom.xml": POM.format(deps=WEB),
            "src/main/java/com/example/demo/DemoApplication.java": JAVA_APP,
            "src/main/resources/application.properties": "server.port=8080\n",
        },
    )
    status, out, _ = call(fs, env, ["mvn", "-B", "package", "-DskipTests"])
    assert status == 0 and "[INFO] BUILD SUCCESS" in out
    jar = blob(fs, "/app/target/demo-0.0.1-SNAPSHOT.jar")
    assert 15_000_000 < jar.size < 30_000_000
    assert isinstance(fs.lookup("/app/target/classes/com/example/demo/DemoApplication.class"), File)
    assert text(fs, "/app/target/classes/application.properties") == "server.port=8080\n"
    repo = "/root/.m2/repository"
    assert fs.lookup(f"{repo}/org/apache/tomcat/embed/tomcat-embed-core/10.1.24") is not None
    assert size(fs, repo) > 30_000_000
    status, _, _ = call(
        fs,
        env,
        ["java", "-Djarmode=layertools", "-jar", "target/demo-0.0.1-SNAPSHOT.jar", "extract"],
    )
    assert status == 0
    assert sorted(fs.listdir("/app/dependencies/BOOT-INF/lib")) == ["emu-dependencies.blob"]


def test_mvn_compile_fails_when_no_dependency_provides_an_import() -> None:
    fs, env = image("maven:3.9")
    put(
        fs,
        {
            "pom.xml": POM.format(deps=""),
            "src/main/java/com/example/demo/DemoApplication.java": JAVA_APP,
        },
    )
    status, out, _ = call(fs, env, ["mvn", "-B", "-q", "package"])
    assert status == 1
    assert "package org.springframework.boot does not exist" in out


def test_gradle_wrapper_builds_the_boot_jar() -> None:
    fs, env = image("eclipse-temurin:21-jdk")
    put(
        fs,
        {
            "settings.gradle": "rootProject.name = 'demo'\n",
            "build.gradle": "plugins {\n  id 'java'\n  id 'org.springframework.boot' version "
            "'3.3.0'\n}\nversion = '0.0.1-SNAPSHOT'\ndependencies {\n  implementation "
            "'org.springframework.boot:spring-boot-starter-web'\n}\n",
            "src/main/java/com/example/demo/DemoApplication.java": JAVA_APP,
        },
    )
    status, _, err = call(fs, env, ["gradlew", "build"])
    assert status == 1 and "GradleWrapperMain" in err
    put(
        fs,
        {
            "gradle/wrapper/gradle-wrapper.jar": b"PK",
            "gradle/wrapper/gradle-wrapper.properties": "distributionUrl=https\\://services.gradle.org/distributions/gradle-8.8-bin.zip\n",
            "gradlew": "#!/bin/sh\n",
        },
    )
    status, out, _ = call(fs, env, ["gradlew", "build", "-x", "test"])
    assert status == 0 and "BUILD SUCCESSFUL" in out
    assert sorted(fs.listdir("/app/build/libs")) == [
        "demo-0.0.1-SNAPSHOT-plain.jar",
        "demo-0.0.1-SNAPSHOT.jar",
    ]
    assert size(fs, "/root/.gradle") > 100_000_000


def test_javac_writes_a_class_per_type() -> None:
    fs, env = image("eclipse-temurin:21-jdk")
    put(fs, {"src/Hello.java": "package demo;\npublic class Hello {}\n"})
    assert call(fs, env, ["javac", "-d", "out", "src/Hello.java"])[0] == 0
    assert isinstance(fs.lookup("/app/out/demo/Hello.class"), File)
    status, _, err = call(fs, env, ["javac", "Nope.java"])
    assert status == 2 and err.startswith("error: file not found: Nope.java")


# --- gcc, make -----------------------------------------------------------------------------------


def test_gcc_and_its_failures() -> None:
    fs, env = image("golang:1.21")
    put(fs, {"hello.c": "#include <stdio.h>\nint main(void) { return 0; }\n"})
    assert call(fs, env, ["gcc", "hello.c"])[0] == 0
    assert "dynamically linked against glibc" in blob(fs, "/app/a.out").label
    assert call(fs, env, ["gcc", "-static", "-o", "hi", "hello.c"])[0] == 0
    assert blob(fs, "/app/hi").size > 500_000
    status, _, err = call(fs, env, ["gcc", "-o", "x", "missing.c"])
    assert status == 1
    assert err == (
        "gcc: error: missing.c: No such file or directory\n"
        "gcc: fatal error: no input files\ncompilation terminated.\n"
    )
    fs, env = image("alpine:3.19")
    call(fs, env, ["apk", "add", "--no-cache", "gcc"], cwd="/")
    put(fs, {"hello.c": "#include <stdio.h>\nint main(void) { return 0; }\n"})
    status, _, err = call(fs, env, ["gcc", "hello.c"])
    assert status == 1 and "fatal error: stdio.h: No such file or directory" in err


def test_make_runs_the_first_target_with_variables_and_patterns() -> None:
    fs, env = image("golang:1.21")
    put(
        fs,
        {
            "Makefile": "CC = gcc\nCFLAGS := -O2\nOBJS = $(patsubst %.c,%.o,$(wildcard *.c))\n\n"
            ".PHONY: all clean\nall: app\n\napp: $(OBJS)\n\t$(CC) $(CFLAGS) -o $@ $^\n"
            "\t@echo linked $(words $^) objects\n\n%.o: %.c\n\t$(CC) $(CFLAGS) -c $<\n\n"
            "clean:\n\trm -f app *.o\n\nfail:\n\tfalse\n\techo never\n",
            "a.c": "int a;\n",
            "b.c": "int main(void) { return 0; }\n",
        },
    )
    status, out, err = sh(fs, env, "make")
    assert status == 0, err
    assert out.splitlines() == [
        "gcc -O2 -c a.c",
        "gcc -O2 -c b.c",
        "gcc -O2 -o app a.o b.o",
        "linked 2 objects",
    ]
    assert isinstance(fs.lookup("/app/app"), File)
    assert sh(fs, env, "make")[1] == "make: Nothing to be done for 'all'.\n"
    status, out, err = sh(fs, env, "make fail")
    assert status == 2 and out == "false\n" and "make: *** [Makefile:19: fail] Error 1" in err
    status, _, err = sh(fs, env, "make", cwd="/tmp")
    assert status == 2 and "No targets specified and no makefile found" in err


# --- the network tools ---------------------------------------------------------------------------


def test_network_tools_fail_offline_unless_the_url_is_mapped() -> None:
    fs, env = image("node:18")
    status, _, err = call(fs, env, ["curl", "-fsSL", "https://example.com/x.sh"], cwd="/")
    assert status == 6 and "curl: (6) Could not resolve host: example.com" in err
    status, _, err = call(fs, env, ["wget", "https://example.com/x.sh"], cwd="/")
    assert status == 4 and "unable to resolve host address 'example.com'" in err
    status, _, err = call(fs, env, ["git", "clone", "https://github.com/acme/app.git"], cwd="/")
    assert status == 128
    assert (
        "fatal: unable to access 'https://github.com/acme/app.git/': Could not resolve host: "
        "github.com" in err
    )
    tree = Dir(Meta(0o755), {"README.md": File(Meta(), b"# app\n")})
    mapping: dict[str, bytes | Dir] = {
        "https://example.com/x.sh": b"echo hi\n",
        "https://github.com/acme/app": tree,
    }
    with urls.mapped(mapping):
        status, out, _ = call(fs, env, ["curl", "-fsSL", "https://example.com/x.sh"], cwd="/")
        assert status == 0 and out == "echo hi\n"
        assert call(fs, env, ["wget", "-O", "/tmp/x.sh", "https://example.com/x.sh"])[0] == 0
        assert text(fs, "/tmp/x.sh") == "echo hi\n"
        assert call(fs, env, ["git", "clone", "https://github.com/acme/app.git"], cwd="/")[0] == 0
        assert text(fs, "/app/README.md") == "# app\n"
        assert fs.lookup("/app/.git/HEAD") is not None
    assert urls.get("https://example.com/x.sh") is None  # the mapping ends with the block


def test_busybox_wget_message_on_alpine() -> None:
    fs, env = image("alpine:3.19")
    status, _, err = call(fs, env, ["wget", "-qO-", "http://example.com/"], cwd="/")
    assert status == 1 and "wget: bad address 'example.com'" in err


# --- option parsing (emu.sh.options.Syntax) -------------------------------------------------------


def test_syntax_gnu_short_and_long_options() -> None:
    syntax = Syntax("-o|--output= -H|--header=", short=True)
    o = syntax.parse(["-fsSLo", "out", "--header=a: b", "url", "-Hx: y", "--unknown", "--", "-v"])
    assert o.args == ["url", "-v"]
    assert o.get("--output") == "out" and o.all("--header") == ["a: b", "x: y"]
    assert all(k in o for k in ("-f", "-s", "-S", "-L", "--unknown"))  # lenient: flags
    assert "-v" not in o
    assert syntax.parse(["-o"]).get("--output") == ""  # a missing value reads as unset


def test_syntax_one_dash_words_glued_values_and_either_dash() -> None:
    go = Syntax("-o= -ldflags=", either_dash=True)
    o = go.parse(["--ldflags=-s -w", "--o", "bin/", "-trimpath", "./cmd/..."])
    assert o.get("-ldflags") == "-s -w" and o.get("-o") == "bin/" and "-trimpath" in o
    assert o.args == ["./cmd/..."]
    mvn = Syntax("-D|--define=", glued="-D -P")
    o = mvn.parse(["-DskipTests", "-D", "a=b", "-Pprod", "-ntp", "package"])
    assert o.all("--define") == ["skipTests", "a=b"] and o.get("-P") == "prod"
    assert o.args == ["package"] and "-ntp" in o


def test_syntax_subcommands_ends_optional_values_and_bools() -> None:
    pip = Syntax("--cache-dir=", stop=True)
    o = pip.parse(["--cache-dir", "/c", "-q", "install", "-r", "x"])
    assert o.get("--cache-dir") == "/c" and o.args == ["install", "-r", "x"]
    python = Syntax("-m= -c= -W=", short=True, stop=True, ends="-m -c")
    o = python.parse(["-um", "pip", "--version"])
    assert o.get("-m") == "pip" and "-u" in o and o.args == ["--version"]
    make = Syntax(optional={"-j": r"\d+"}, short=True)
    assert make.parse(["-j", "all"]).args == ["all"]
    assert make.parse(["-j", "4", "all"]).get("-j") == "4"
    assert make.parse(["-j8"]).get("-j") == "8"
    tsc = Syntax(either_dash=True, bools="true false")
    o = tsc.parse(["--strict", "false", "--noEmit", "src/a.ts"])
    assert o.get("-strict") == "false" and "-noEmit" in o and o.args == ["src/a.ts"]


def test_models_read_options_as_their_tools_do() -> None:
    """Options a hand-written parser used to misread (each was checked against the tool)."""
    fs, env = image("python:3.12-slim")
    assert call(fs, env, ["pip", "--no-cache-dir", "install", "flask"])[0] == 0
    assert fs.lookup("/root/.cache/pip") is None  # a general option before the command
    status, _, _ = call(fs, env, ["python", "-m", "venv", "--prompt", "x", "/v"])
    assert status == 0 and fs.lookup("/app/x") is None and fs.lookup("/v/pyvenv.cfg")
    fs, env = image("alpine:3.19")
    assert call(fs, env, ["apk", "add", "--no-cache", "-t.deps", "gcc"], cwd="/")[0] == 0
    assert ".deps" in text(fs, "/etc/apk/world").split()
    fs, env = image("rust:latest")
    assert call(fs, env, ["cargo", "install", "--root", "/r", "ripgrep"])[0] == 0
    assert isinstance(fs.lookup("/r/bin/ripgrep"), File)
    fs, env = image("node:18")
    put(fs, {"server.js": "1\n"})
    status, _, err = call(fs, env, ["node", "-r", "dotenv/config", "server.js"])
    assert status == 0 and "emu: not run: node -r dotenv/config server.js" in err
    fs, env = image("golang:1.21")
    put(fs, GO_APP)
    assert call(fs, {**env, "CGO_ENABLED": "0"}, ["go", "build", "--o", "app", "."])[0] == 0
    assert isinstance(fs.lookup("/app/app"), File)
    fs, env = image("maven:3.9")
    put(fs, {"pom.xml": POM.format(deps=WEB), "src/main/java/com/example/demo/A.java": JAVA_APP})
    status, out, _ = call(fs, env, ["mvn", "-D", "skipTests", "-B", "package"])
    assert status == 0 and "Tests are skipped." in out
    fs, env = image("node:18")
    tree = Dir(Meta(0o755), {"README.md": File(Meta(), b"# app\n")})
    with urls.mapped({"https://github.com/acme/app": tree}):
        args = ["git", "clone", "--depth=1", "https://github.com/acme/app.git"]
        status, out, _ = call(fs, env, args, cwd="/")
    assert status == 0 and ", shallow; history not modelled" in out
    status, _, err = call(fs, env, ["curl", "--tlsv1.2", "-s", "https://example.com/"], cwd="/")
    assert status == 6 and "Could not resolve host" not in err  # -s is silent, not a value


def test_npm_and_angular_options() -> None:
    fs, env = image("node:18")
    put(fs, REACT_APP)
    assert call(fs, env, ["npm", "install", "--package-lock=false"])[0] == 0
    assert fs.lookup("/app/package-lock.json") is None
    assert call(fs, env, ["npm", "install", "--fetch-retries", "5"])[0] == 0
    assert "5" not in fs.listdir("/app/node_modules")  # the option's value, not a package
    status, out, _ = sh(fs, env, "npm exec vite -- build")
    assert status == 0 and "vite v5.4.1 building for production" in out
    fs, env = image("node:18")
    put(
        fs,
        {
            "package.json": json.dumps(
                {
                    "name": "ng",
                    "devDependencies": {
                        "@angular/cli": "^17.3.0",
                        "@angular-devkit/build-angular": "^17.3.0",
                    },
                }
            ),
            "angular.json": json.dumps(
                {"projects": {"app": {"architect": {"build": {"options": {}}}}}}
            ),
            "src/index.html": "<html><head></head><body></body></html>",
            "src/main.ts": "export const x = 1\n",
        },
    )
    assert call(fs, env, ["npm", "install"])[0] == 0
    status, out, err = sh(fs, env, "npx ng build --configuration production")
    assert status == 0, err
    assert "emu: modelled ng build (app -> dist/app/browser)" in out


# --- the examples --------------------------------------------------------------------------------

CASES = {
    "react-nginx": ("/usr/share/nginx/html/index.html", 1_000_000),
    "go-alpine": ("/usr/local/bin/server", 8_000_000),
    "spring-boot": ("/app/app.jar", 25_000_000),
    "rust-debian": ("/usr/local/bin/greet", 3_000_000),
    "typescript-node": ("/app/dist/index.js", 6_000_000),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_layout(name: str) -> None:
    d = EXAMPLES / name
    assert (d / "Dockerfile").is_file() and (d / "Dockerfile.single-stage").is_file()
    assert 5 <= len((d / "README.md").read_text().strip().splitlines()) <= 10
    assert (d / "Dockerfile").read_text().count("FROM ") >= 2
    assert "COPY --from=builder" in (d / "Dockerfile").read_text()


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_builds_and_multi_stage_is_smaller(name: str) -> None:
    from emu.dockerfile.instructions import load
    from emu.engine.builder import BuildOptions, build
    from emu.engine.context import from_directory
    from emu.engine.runexec import ShellExecutor

    d = EXAMPLES / name
    sizes = {}
    for df_name in ("Dockerfile", "Dockerfile.single-stage"):
        df = load((d / df_name).read_text(), df_name)
        ctx = from_directory(d, dockerfile=d / df_name)
        result = build(df, ctx, BuildOptions(executor=ShellExecutor()))
        sizes[df_name] = tree_size(result.image.rootfs.root)
        if df_name == "Dockerfile":
            artifact, added_at_most = CASES[name]
            assert result.image.rootfs.fs().lookup(artifact) is not None, artifact
            base = tree_size(catalog.lookup(df.stages[-1].base).rootfs.root)
            assert sizes[df_name] - base < added_at_most
    assert sizes["Dockerfile"] < 0.6 * sizes["Dockerfile.single-stage"]


def test_python_m_without_a_module_answers_as_python() -> None:
    """Found by the argv fuzzer (an IndexError): Python's usage error, status 2, for a
    missing name, "No module named" and status 1 for an empty one."""
    fs, env = image("python:3.12-slim")
    status, _, err = call(fs, env, ["python", "-m"])
    assert status == 2 and err.startswith("Argument expected for the -m option\n")
    status, _, err = call(fs, env, ["python", "-m", ""])
    assert status == 1 and "No module named" in err
