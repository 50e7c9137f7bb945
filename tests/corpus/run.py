"""Run emu over the real-world corpus: ``python tests/corpus/run.py --copies DIR [--write]``.

The corpus is a list (``corpus.tsv``: repository, path, commit, ecosystem, date found) of
public multi-stage Dockerfiles. Their text is other people's code, so it is not in this
repository: ``DIR`` holds local copies, one per entry, at
``DIR/<owner>__<repo>__<path with / as __>/Dockerfile`` (README.md says how to fetch them).

For each copy this script makes a minimal placeholder build context (the files the
Dockerfile COPYs, ADDs or bind-mounts, with plausible contents for well-known names), then
runs, in-process through emu's own modules: the parser (``emu parse``), the static checks
(``emu check``), the resolution of every stage's base through the offline catalog after
ARG expansion, and ``emu build`` strict and ``--permissive``, each under a time limit.
Every exception is caught: an :class:`~emu.errors.EmuError` is a *blocker* (the build's
first error, normalised so that files can be counted together); anything else is a CRASH,
which is a bug in emu. ``--write`` records the results in ``RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime
import fnmatch
import io
import json
import posixpath
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import emu
from emu.dockerfile.checks import run_checks
from emu.dockerfile.instructions import (
    Add,
    Arg,
    Copy,
    Dockerfile,
    Env,
    Instruction,
    Run,
    Workdir,
    load,
)
from emu.dockerfile.parser import parse
from emu.engine.args import Platform, evaluate_globals, platform_args
from emu.errors import EmuError
from emu.images import catalog
from emu.images.image import Image
from emu.images.reference import parse as parse_reference
from emu.sh.tools._data import data as emu_table
from emu.words import process_word

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CORPUS_TSV = HERE / "corpus.tsv"
BROKEN_TSV = HERE / "broken.tsv"
RESULTS_MD = HERE / "RESULTS.md"
COLUMNS = ("repository", "path", "commit", "ecosystem", "found")
DEFAULT_LIMIT = 30.0  # seconds per build (strict or permissive) of one file


# --- the list -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """One corpus row."""

    repo: str
    path: str
    commit: str
    eco: str
    found: str

    @property
    def key(self) -> str:
        """The local copy's folder name: owner__repo__path/with/__."""
        return self.repo.replace("/", "__") + "__" + self.path.replace("/", "__")

    @property
    def url(self) -> str:
        return f"https://github.com/{self.repo}/blob/{self.commit}/{self.path}"


def read_corpus(path: Path = CORPUS_TSV) -> list[Entry]:
    """The rows of ``corpus.tsv`` (a header line, then tab-separated fields)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = tuple(lines[0].split("\t"))
    if header != COLUMNS:
        raise ValueError(f"{path}: header {header!r}, expected {COLUMNS!r}")
    entries = []
    for n, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(COLUMNS):
            raise ValueError(f"{path}:{n}: {len(fields)} fields, expected {len(COLUMNS)}")
        entries.append(Entry(*fields))
    return entries


def read_broken(path: Path = BROKEN_TSV) -> dict[str, str]:
    """The files that fail in a real build too (``broken.tsv``: repository, path, reason),
    by copy folder name: the report counts them separately, with the reason, and says if
    emu builds one (a fault emu misses)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if tuple(lines[0].split("\t")) != ("repository", "path", "reason"):
        raise ValueError(f"{path}: header {lines[0]!r}")
    out: dict[str, str] = {}
    for n, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != 3 or not fields[2].strip():
            raise ValueError(f"{path}:{n}: expected repository, path and a reason")
        repo, file, reason = fields
        out[Entry(repo, file, "", "", "").key] = reason
    return out


# --- the placeholder context ---------------------------------------------------------------

_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>app</artifactId>
  <version>0.0.1-SNAPSHOT</version>
  <packaging>jar</packaging>
</project>
"""
# A Spring Boot project's pom (the Dockerfile extracts BOOT-INF or uses a jarmode).
_BOOT_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>3.3.0</version>
  </parent>
  <groupId>com.example</groupId>
  <artifactId>app</artifactId>
  <version>0.0.1-SNAPSHOT</version>
  <dependencies>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-web</artifactId>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.springframework.boot</groupId>
        <artifactId>spring-boot-maven-plugin</artifactId>
      </plugin>
    </plugins>
  </build>
</project>
"""
_BUNDLE_EXEC = re.compile(r"\bbundle\s+exec\s+([a-z][\w-]*)")
_BOOT = re.compile(r"BOOT-INF|jarmode|spring-boot|springframework", re.I)
_NGINX_CONF = """server {
    listen 80;
    location / {
        root /usr/share/nginx/html;
        index index.html;
        try_files $uri $uri/ /index.html;
    }
}
"""
_SCRIPT = "#!/bin/sh\nexit 0\n"
_VITE_INDEX = """<!doctype html>
<html>
  <head><title>app</title></head>
  <body>
    <div id="app"></div>
    <script type="module" src="/src/main.js"></script>
  </body>
</html>
"""

# Well-known names: the contents a real project's file of that name would minimally have.
KNOWN: dict[str, str] = {
    # package.json and the npm lockfiles are written by package_json() and lockfile().
    "package.json": "",
    "package-lock.json": "",
    "npm-shrinkwrap.json": "",
    "yarn.lock": "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n"
    "# yarn lockfile v1\n",
    "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
    "pnpm-workspace.yaml": "packages:\n  - 'packages/*'\n",
    "bun.lockb": "",
    "bun.lock": '{"lockfileVersion": 1, "workspaces": {"": {"name": "app"}}}\n',
    ".npmrc": "fund=false\n",
    ".yarnrc.yml": "nodeLinker: node-modules\n",
    "tsconfig.json": '{"compilerOptions": {"outDir": "dist"}}\n',
    "turbo.json": '{"tasks": {"build": {}}}\n',
    "next.config.js": "module.exports = { output: 'standalone' };\n",
    "index.jsx": "export default function Home() { return null; }\n",
    "index.js": "console.log('hello');\n",
    "server.js": "console.log('hello');\n",
    "index.html": "<!doctype html>\n<title>app</title>\n<h1>Hello</h1>\n",
    # an old go directive: the real project's matches its golang image, whatever the tag
    "go.mod": "module example.com/app\n\ngo 1.13\n",
    "go.sum": "",
    "main.go": 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n',
    "Cargo.toml": '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n',
    "Cargo.lock": "version = 3\n",
    "main.rs": 'fn main() {\n    println!("hello");\n}\n',
    "rust-toolchain.toml": '[toolchain]\nchannel = "stable"\n',
    "build.rs": "fn main() {}\n",
    "requirements.txt": "flask==3.0.3\n",
    "requirements.prod.txt": "flask==3.0.3\n",
    "pyproject.toml": '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
    'dependencies = []\n\n[tool.poetry]\nname = "app"\nversion = "0.1.0"\n'
    'description = ""\nauthors = []\n',
    "poetry.lock": "# This file is automatically @generated by Poetry.\npackage = []\n\n"
    '[metadata]\nlock-version = "2.0"\npython-versions = ">=3.10"\n',
    "uv.lock": 'version = 1\nrequires-python = ">=3.10"\n',
    "Pipfile": '[packages]\n\n[requires]\npython_version = "3"\n',
    "setup.py": "from setuptools import setup\n\nsetup(name='app')\n",
    # Django's manage.py is executable, with a shebang (./manage.py collectstatic)
    "manage.py": "#!/usr/bin/env python\nprint('manage')\n",
    "artisan": "#!/usr/bin/env php\n<?php echo 'artisan';\n",
    "angular.json": json.dumps(
        {
            "version": 1,
            "projects": {
                "app": {
                    "root": "",
                    "sourceRoot": "src",
                    "architect": {
                        "build": {
                            "builder": "@angular-devkit/build-angular:browser",
                            "options": {
                                "outputPath": "dist",
                                "index": "src/index.html",
                                "main": "src/main.ts",
                            },
                        }
                    },
                }
            },
        },
        indent=2,
    )
    + "\n",
    "mkdocs.yml": "site_name: app\n",
    "app.py": "print('hello')\n",
    "main.py": "print('hello')\n",
    "pom.xml": _POM,
    "build.gradle": "plugins { id 'java' }\n",
    "build.gradle.kts": "plugins { java }\n",
    "settings.gradle": "rootProject.name = 'app'\n",
    "settings.gradle.kts": 'rootProject.name = "app"\n',
    "build.sbt": 'scalaVersion := "3.3.1"\n',
    "project.clj": '(defproject app "0.1.0")\n',
    "Gemfile": 'source "https://rubygems.org"\n\ngem "rails"\n',
    "Gemfile.lock": "GEM\n  remote: https://rubygems.org/\n  specs:\n\nPLATFORMS\n  ruby\n",
    ".ruby-version": "3.3.0\n",
    "mix.exs": "defmodule App.MixProject do\n  use Mix.Project\n\n  def project do\n"
    '    [app: :app, version: "0.1.0"]\n  end\nend\n',
    "mix.lock": "%{}\n",
    "composer.json": '{"name": "example/app", "require": {}}\n',
    "composer.lock": '{"packages": [], "packages-dev": []}\n',
    "symfony.lock": "{}\n",
    "pubspec.yaml": "name: app\nenvironment:\n  sdk: '>=3.0.0 <4.0.0'\n",
    "pubspec.lock": "packages: {}\n",
    "Package.swift": "// swift-tools-version:5.5\nimport PackageDescription\n"
    'let package = Package(name: "app")\n',
    "stack.yaml": "resolver: lts-18.0\n",
    "package.yaml": "name: app\n",
    "deno.json": '{"tasks": {"build": "deno compile -o dist/main main.ts"}}\n',
    "deno.lock": '{"version": "4"}\n',
    "main.ts": "console.log('hello');\n",
    "CMakeLists.txt": "cmake_minimum_required(VERSION 3.10)\nproject(app)\n"
    "add_executable(app main.cpp)\n",
    "main.cpp": "int main() { return 0; }\n",
    "main.c": "int main(void) { return 0; }\n",
    "Makefile": "all:\n\t@echo build\n",
    "nginx.conf": _NGINX_CONF,
    "default.conf": _NGINX_CONF,
    "Caddyfile": ":80 {\n\tfile_server\n}\n",
    ".env": "APP_ENV=production\n",
    ".env.example": "APP_ENV=production\n",
    "mvnw": _SCRIPT,
    "gradlew": _SCRIPT,
    "LICENSE": "Placeholder licence text.\n",
    "README.md": "# app\n",
    "HEAD": "ref: refs/heads/main\n",
}
# Contents by extension, for names not in KNOWN.
_BY_EXT: dict[str, str] = {
    ".sh": _SCRIPT,
    ".bash": "#!/bin/bash\nexit 0\n",
    ".json": "{}\n",
    ".yaml": "placeholder: true\n",
    ".yml": "placeholder: true\n",
    ".toml": "",
    ".js": "console.log('hello');\n",
    ".mjs": "console.log('hello');\n",
    ".cjs": "console.log('hello');\n",
    ".ts": "console.log('hello');\n",
    ".py": "print('hello')\n",
    ".rb": "puts 'hello'\n",
    ".go": "package main\n\nfunc main() {}\n",
    ".rs": "fn main() {}\n",
    ".java": "public class App { public static void main(String[] a) {} }\n",
    ".cs": 'System.Console.WriteLine("hello");\n',
    ".csproj": '<Project Sdk="Microsoft.NET.Sdk.Web">\n  <PropertyGroup>\n'
    "    <TargetFramework>net8.0</TargetFramework>\n  </PropertyGroup>\n</Project>\n",
    ".sln": "Microsoft Visual Studio Solution File, Format Version 12.00\n",
    ".conf": _NGINX_CONF,
    ".html": KNOWN["index.html"],
    ".php": "<?php echo 'hello';\n",
    ".ini": "[PHP]\n",
    ".xml": '<?xml version="1.0"?>\n<config/>\n',
    ".txt": "placeholder\n",
    ".md": "# placeholder\n",
    ".jar": "PK placeholder jar\n",
    ".dart": "void main() {}\n",
    ".ex": "defmodule App do\nend\n",
    ".exs": "import Config\n",
    ".lock": "",
    ".sql": "SELECT 1;\n",
}
# Extensionless names that are files, not folders.
_PLAIN_FILES = {
    "Makefile",
    "Gemfile",
    "Dockerfile",
    "Containerfile",
    "LICENSE",
    "NOTICE",
    "AUTHORS",
    "VERSION",
    "Procfile",
    "Rakefile",
    "Caddyfile",
    "Pipfile",
    "Jenkinsfile",
    "mvnw",
    "gradlew",
    "artisan",
}
# Dot-names that are folders; any other dot-name is a file (.npmrc, .env, ...).
_DOT_DIRS = {".mvn", ".yarn", ".git", ".github", ".docker", ".nginx", ".cargo", ".config"}
_WHOLE = {"", ".", "/"}
_GLOB = re.compile(r"[*?\[]")

# A Dockerfile that copies the whole context gets the files its RUN lines' tools expect.
_ECOSYSTEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\bnpm\b|\bnpx\b", ("package.json", "package-lock.json", "index.js")),
    (r"\byarn\b", ("package.json", "yarn.lock", "index.js")),
    (r"\bpnpm\b", ("package.json", "pnpm-lock.yaml", "index.js")),
    (r"\bbun\b", ("package.json", "bun.lockb", "index.js")),
    (r"\bgo (build|mod|install|get|run|test|generate)\b", ("go.mod", "go.sum", "main.go")),
    (r"\bcargo\b", ("Cargo.toml", "Cargo.lock", "src/main.rs")),
    (r"\bmvnw?\b", ("pom.xml", "src/main/java/App.java")),
    (r"\bgradlew?\b", ("build.gradle", "settings.gradle", "src/main/java/App.java")),
    (r"\bdotnet\b", ("app.csproj", "Program.cs")),
    (r"\bpip3?\b|requirements", ("requirements.txt", "app.py")),
    (r"\bpoetry\b", ("pyproject.toml", "poetry.lock", "app.py")),
    (r"\buv\b", ("pyproject.toml", "uv.lock", "app.py")),
    (r"\bbundle\b|\brails\b", ("Gemfile", "Gemfile.lock")),
    (
        r"\brails\b",
        (
            "bin/rails",
            "config.ru",
            "db/seeds.rb",
            "log/.keep",
            "storage/.keep",
            "tmp/.keep",
            "app/assets/stylesheets/application.css",
        ),
    ),
    (r"\bmix\b", ("mix.exs", "mix.lock", "lib/app.ex")),
    (r"\bcomposer\b", ("composer.json", "composer.lock")),
    (r"\bdart\b", ("pubspec.yaml", "bin/server.dart")),
    (r"\bswift\b", ("Package.swift", "Sources/Run/main.swift")),
    (r"\bsbt\b", ("build.sbt", "src/main/scala/Main.scala")),
    (r"\bdeno\b", ("deno.json", "main.ts")),
    (r"\bmkdocs\b", ("mkdocs.yml", "docs/index.md")),
    (r"\bcmake\b", ("CMakeLists.txt", "main.cpp")),
    (r"\bmake\b", ("Makefile",)),
    (r"\bg\+\+|\bgcc\b", ("main.cpp",)),
    (r"\bnginx\b", ("nginx.conf", "index.html")),
    (
        r"\bgit\s+(?:describe|rev-parse|rev-list|log|show|status|checkout|diff|tag|branch)",
        (".git/HEAD",),
    ),
)


def _executable(path: str) -> bool:
    base = posixpath.basename(path)
    return (
        base.endswith((".sh", ".bash"))
        or base in {"mvnw", "gradlew"}
        or "entrypoint" in base
        or base in {"manage.py", "artisan"}
        or path.startswith("bin/")
        or "/bin/" in path
    )


_SCRIPT_RUN = re.compile(
    r"\b(?:npm|yarn|pnpm|bun)(?:\s+--?[\w-]+(?:[= ][\w./@-]+)?)*\s+run\s+([\w:.-]+)"
    r"|\b(?:yarn|pnpm)(?:\s+--?[\w-]+(?:[= ][\w./@-]+)?)*\s+([a-z][\w:.-]*)"
)
# yarn/pnpm subcommands that are the tool's own, not package.json scripts.
_BUILTIN = frozenset({
    "add", "audit", "bin", "cache", "ci", "config", "create", "dedupe", "deploy", "dlx", "env",
    "exec", "fetch", "global", "help", "i", "import", "info", "init", "install", "link",
    "list", "ls", "outdated", "pack", "patch", "prune", "publish", "rebuild", "remove", "run",
    "set", "store", "unlink", "up", "update", "upgrade", "version", "why", "workspace",
    "workspaces",
})  # fmt: skip


_NODE_TOOL = re.compile(r"\b(?:npm|yarn|pnpm|bun)\b")
_COPIES_DIST = re.compile(r"--from=\S+\s+(?:\S*/)?dist/?\s")
_COPIES_BUILD = re.compile(r"--from=\S+\s+(?:\S*/)?build/?\s")
# The front-end build a Dockerfile's COPY --from implies: (build script, dependencies, files).
_FRONTENDS: dict[str, tuple[str, dict[str, str], tuple[str, ...]]] = {
    "next": (
        "next build",
        {"next": "14.2.3", "react": "18.3.1", "react-dom": "18.3.1"},
        ("next.config.js", "pages/index.js", "public/favicon.ico"),
    ),
    "vite": ("vite build", {"vite": "5.2.0"}, ("index.html", "src/main.js")),
    "react-scripts": (
        "react-scripts build",
        {"react-scripts": "5.0.1", "react": "18.3.1", "react-dom": "18.3.1"},
        ("public/index.html", "src/index.js"),
    ),
    "angular": (
        "ng build",
        {
            "@angular/cli": "17.3.8",
            "@angular-devkit/build-angular": "17.3.8",
            "@angular/core": "17.3.10",
        },
        ("angular.json", "src/main.ts", "src/index.html"),
    ),
}
_NG_BUILD = re.compile(r"\bng\s+build\b")
# A RUN line that works on dist/ (tar czf out.tgz dist, cp -r dist ...): the build wrote it.
_USES_DIST = re.compile(r"^RUN\b.*(?<![\w.=/-])(?:\./)?dist(?:/|\s|$)", re.M)


def frontend(text: str) -> str:
    """Which front-end build the Dockerfile implies: ``ng build`` is Angular, ``.next``
    output a Next.js build, a node stage's ``dist/`` (copied out, or used by a RUN line) a
    vite build, its ``build/`` Create React App."""
    if _NG_BUILD.search(text):
        return "angular"
    if ".next" in text:
        return "next"
    if _NODE_TOOL.search(text):
        if _COPIES_DIST.search(text) or _USES_DIST.search(text):
            return "vite"
        if _COPIES_BUILD.search(text):
            return "react-scripts"
    return ""


# node_modules/.bin/<name> run directly: the package that has that bin is a dependency.
_LOCAL_BIN = re.compile(r"node_modules/\.bin/([\w.-]+)")
# A package the RUN lines read from the lockfile (jq '.packages["node_modules/turbo"]'): the
# project depends on it.
_LOCKED = re.compile(r"""\[["']node_modules/((?:@[\w.-]+/)?[\w.-]+)["']\]""")


def _bin_packages(text: str) -> dict[str, str]:
    """The packages whose executables the RUN lines call from node_modules/.bin (by emu's
    npm table; a name it does not know is taken as the package's own), and those they read
    from the lockfile."""
    table: dict[str, dict[str, object]] = emu_table("npm")["packages"]
    owner = {b: name for name, p in table.items() for b in dict(p.get("bin") or {})}  # type: ignore[call-overload]
    out: dict[str, str] = {}
    for name in [owner.get(b, b) for b in _LOCAL_BIN.findall(text)] + _LOCKED.findall(text):
        spec = table.get(name)
        out[name] = str(spec["v"]) if spec else "1.0.0"
    return out


def _node_deps(text: str) -> dict[str, str]:
    """The dependencies of :func:`frontend`'s build and of the executables the RUN lines
    call from node_modules/.bin (none for a plain node project)."""
    fw = frontend(text)
    return {**(_FRONTENDS[fw][1] if fw else {}), **_bin_packages(text)}


def package_json(text: str) -> str:
    """A package.json for the project ``text`` builds: every script its RUN lines call
    (``npm run X``, ``yarn X``, ...) and, when the Dockerfile copies ``.next`` output, a
    Next.js build, so that emu's models of those tools have what a real project gives."""
    scripts = {"build": "echo build", "start": "node server.js"}
    for m in _SCRIPT_RUN.finditer(text):
        name = m.group(1) or (m.group(2) if m.group(2) not in _BUILTIN else None)
        if name and name not in scripts:
            scripts[name] = f"echo {name}"
    deps = _node_deps(text)
    fw = frontend(text)
    if fw:
        # build, build:prod, build-docker, generate (a static site) ...: each runs the
        # framework's build
        for name in [n for n in scripts if re.match(r"(?:build|generate)(?:$|[-:_])", n)]:
            scripts[name] = _FRONTENDS[fw][0]
    doc = {"name": "app", "version": "1.0.0", "private": True, "scripts": scripts}
    return json.dumps({**doc, "dependencies": deps}, indent=2) + "\n"


def lockfile(name: str, text: str) -> str:
    """A lockfile in sync with :func:`package_json` (``npm ci`` and frozen installs check)."""
    deps = _node_deps(text)
    if name in ("package-lock.json", "npm-shrinkwrap.json"):
        packages: dict[str, object] = {
            "": {"name": "app", "version": "1.0.0", "dependencies": deps}
        }
        packages.update({f"node_modules/{n}": {"version": v} for n, v in deps.items()})
        doc = {"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True}
        return json.dumps({**doc, "packages": packages}, indent=2) + "\n"
    if name == "yarn.lock":
        entries = "".join(f'"{n}@{v}":\n  version "{v}"\n\n' for n, v in deps.items())
        return KNOWN[name] + "\n" + entries
    if name == "pnpm-lock.yaml":
        body = "".join(f"  {n}@{v}:\n    resolution: {{}}\n" for n, v in deps.items())
        return KNOWN[name] + ("\npackages:\n\n" + body if deps else "")
    return KNOWN[name]


# The binaries a Dockerfile takes out of a cargo build: target/[<triple>/]<profile>/<name>,
# where the profile may be a variable (target/"${MODE}"/app), or cargo's --bin <name>.
_CRATE = re.compile(
    r"target/(?:[^\s/]+/)*?(?:release|debug|\"?\$\{?\w+\}?\"?)/(?!(?:release|debug|deps|build)\b)"
    r"([A-Za-z][\w-]*)(?![\w.-]*\.d\b)|--bin\s+([A-Za-z][\w-]*)"
)


_COPY_FROM = re.compile(r"^\s*COPY\s.*--from=.*$", re.M | re.I)


def crates(text: str) -> list[str]:
    """The binaries :data:`_CRATE` finds, in order, once each; else the extensionless files
    a ``COPY --from`` takes out of a ``target/`` folder (target/final/app after a link)."""
    found = [m.group(1) or m.group(2) for m in _CRATE.finditer(text)]
    if not found and re.search(r"\bcargo\s+build\b", text):
        for line in _COPY_FROM.findall(text):
            for word in line.split():
                base = posixpath.basename(word)
                if "/target/" in word and re.fullmatch(r"[A-Za-z][\w-]*", base):
                    found.append(base)
    return list(dict.fromkeys(found))


def cargo_toml(text: str) -> str:
    """Cargo.toml named after the binary the Dockerfile copies out of ``target/``; each
    further binary it takes is a ``[[bin]]`` of the same sources."""
    names = crates(text) or ["app"]
    bins = "".join(f'\n[[bin]]\nname = "{n}"\npath = "src/main.rs"\n' for n in names[1:])
    return f'[package]\nname = "{names[0]}"\nversion = "0.1.0"\nedition = "2021"\n{bins}'


# A jar the Dockerfile takes out of a Maven or sbt build: target/<name>.jar,
# target/scala-<x.y>/<name>.jar.
_TARGET_JAR = re.compile(r"target/(?:scala-(\d+\.\d+)/)?([\w.-]+)\.jar\b")
_SCALA = {"2.11": "2.11.12", "2.12": "2.12.18", "2.13": "2.13.12"}


def pom_xml(text: str) -> str:
    """A pom (a Spring Boot one when the Dockerfile unpacks BOOT-INF or names Spring) whose
    ``finalName`` is the jar the Dockerfile copies out of ``target/``."""
    pom = _BOOT_POM if _BOOT.search(text) else _POM
    m = next((m for m in _TARGET_JAR.finditer(text) if not m.group(1)), None)
    assembly = "assembly:single" in text
    if m is None and not assembly:
        return pom
    name = m.group(2) if m else ""
    build = ""
    if assembly:
        # mvn … assembly:single: the pom configures the assembly plugin (as such projects
        # do); the jar the Dockerfile copies is the assembly, with or without its id
        with_id = name.endswith(_WITH_DEPS)
        name = name.removesuffix(_WITH_DEPS)
        build = (
            "    <plugins>\n      <plugin>\n"
            "        <groupId>org.apache.maven.plugins</groupId>\n"
            "        <artifactId>maven-assembly-plugin</artifactId>\n"
            "        <configuration>\n"
            "          <descriptorRefs><descriptorRef>jar-with-dependencies</descriptorRef>"
            "</descriptorRefs>\n"
            + (
                ""
                if with_id or not name
                else "          <appendAssemblyId>false</appendAssemblyId>\n"
            )
            + "        </configuration>\n      </plugin>\n    </plugins>\n"
        )
    final = f"    <finalName>{name}</finalName>\n" if name else ""
    if "<build>" in pom:
        return pom.replace("  <build>\n", "  <build>\n" + final)
    return pom.replace("</project>", f"  <build>\n{final}{build}  </build>\n</project>")


_WITH_DEPS = "-jar-with-dependencies"


def build_sbt(text: str) -> str:
    """build.sbt of the Scala version and assembly jar name of the jar the Dockerfile copies
    out of ``target/scala-<x.y>/``."""
    m = next((m for m in _TARGET_JAR.finditer(text) if m.group(1)), None)
    if m is None:
        return KNOWN["build.sbt"]
    version = _SCALA.get(m.group(1), m.group(1) + ".0")
    return (f'scalaVersion := "{version}"\n'
            f'assembly / assemblyJarName := "{m.group(2)}.jar"\n')  # fmt: skip


# Python's installers: a Dockerfile that runs them installs them itself, not from the file.
_INSTALLERS = frozenset({"pip", "setuptools", "wheel", "uv", "poetry", "pipenv", "virtualenv"})


def requirements(text: str) -> str:
    """requirements.txt: flask, and every distribution whose console script the Dockerfile
    runs (``mkdocs build``), by emu's PyPI table."""
    table: dict[str, dict[str, object]] = emu_table("pip")["packages"]
    names = ["flask"] + [
        name
        for name, p in table.items()
        if name not in _INSTALLERS
        and any(re.search(rf"(?<![\w./-]){re.escape(str(b))}(?![\w.-])", text)
               for b in list(p.get("bin") or []))  # type: ignore[call-overload]
    ]  # fmt: skip
    return "".join(f"{n}=={table[n]['v']}\n" for n in dict.fromkeys(names) if n in table)


# mix's own tasks (and Hex's and Phoenix's that emu models): any other task a RUN line
# calls is one the project defines in lib/mix/tasks, or a dependency named by its prefix.
_MIX_TASK = re.compile(r"\bmix\s+(do\s+)?([^;&|\n]*)")
_MIX_BUILTIN = frozenset({
    "compile", "deps.get", "deps.compile", "deps.clean", "release", "local.hex", "local.rebar",
    "assets.deploy", "phx.digest", "test", "format", "run", "do", "clean", "archive.install",
    "hex.info", "ecto.migrate", "ecto.create", "help",
})  # fmt: skip


def mix_tasks(text: str) -> tuple[list[str], list[str]]:
    """The tasks the RUN lines call that mix does not have itself: (dependencies they come
    from, by their prefix, e.g. ``sentry`` for sentry.package_source_code; the project's own
    tasks)."""
    called: list[str] = []
    for do, rest in _MIX_TASK.findall(text):
        parts = re.split(r"[,+]", rest) if do else [rest]  # mix do a, b (or a + b)
        called += [w.split()[0] for w in parts if w.split()]
    tasks = [
        t
        for t in dict.fromkeys(called)
        if re.fullmatch(r"[a-z][\w.]*", t) and t not in _MIX_BUILTIN
    ]
    deps = sorted({t.split(".")[0] for t in tasks if "." in t and not t.startswith("phx.")})
    return deps, [t for t in tasks if "." not in t]


def mix_exs(text: str) -> str:
    """mix.exs with the dependencies whose tasks the RUN lines call."""
    deps = "".join(f'      {{:{d}, "~> 1.0"}},\n' for d in mix_tasks(text)[0])
    return (
        "defmodule App.MixProject do\n  use Mix.Project\n\n  def project do\n"
        '    [app: :app, version: "0.1.0", deps: deps()]\n  end\n\n'
        f"  defp deps do\n    [\n{deps}    ]\n  end\nend\n"
    )


def _mix_task_module(task: str) -> str:
    camel = "".join(w.capitalize() for w in task.split("_"))
    return (f"defmodule Mix.Tasks.{camel} do\n  use Mix.Task\n\n"
            "  def run(_args), do: :ok\nend\n")  # fmt: skip


_MAKE = re.compile(r"(?:^|[\s;&|(])(?:make|gmake)\b([^;&|()\n]*)")
_MAKE_VALUED = frozenset({"-C", "-f", "-j", "-o", "-W", "-I", "--directory", "--file"})


def make_calls(text: str) -> list[tuple[str, list[str]]]:
    """Each ``make`` the RUN lines call: its ``-C`` directory ("" for none) and targets."""
    out: list[tuple[str, list[str]]] = []
    for m in _MAKE.finditer(text):
        before = re.split(r"[;&|\n]", text[: m.start() + 1])[-1]
        if re.search(r"\b(?:add|install)\b", before):
            continue  # a package list (apk add make gcc ...), not a call
        words = m.group(1).replace("\\\n", " ").split()
        where, targets, i = "", [], 0
        while i < len(words):
            w = words[i].strip("\"'")
            if w in _MAKE_VALUED and i + 1 < len(words):
                if w in ("-C", "--directory"):
                    where = words[i + 1].strip("\"'")
                i += 2
                continue
            if re.fullmatch(r"[a-z][\w.-]*", w) and "=" not in w:
                targets.append(w)
            i += 1
        out.append((where, targets))
    return out


# Files a step checks after make: xx-verify PATH, file PATH.
_VERIFY = re.compile(r"\b(?:xx-verify|file)\s+(?:--?[\w-]+\s+)*([\w./${}-]+)")
# What a Makefile plausibly builds: programs and libraries, not the checkout's sources.
_PRODUCT_EXT = frozenset({"", ".exe", ".so", ".a", ".bin"})


def make_products(text: str) -> list[str]:
    """The files a real checkout's Makefile would make for this Dockerfile: what a later
    ``COPY --from`` takes out of a stage that ran ``make`` (or a stage built on one) and
    what ``xx-verify``/``file`` check after a ``make``, as absolute paths — programs and
    libraries only (no extension, ``.so``, ``.exe``...), never under ``/etc`` (the image's
    own files) nor inside a folder the stage filled with the whole context (the checkout's
    files come from there)."""
    try:
        df = load(text, "Dockerfile")
    except EmuError:
        return []
    globals_ = _global_scope(df)
    makers: set[int] = set()
    names: dict[str, int] = {}
    whole_at: list[set[str]] = []
    out: list[str] = []

    def add(path: str, whole: set[str]) -> None:
        path = posixpath.normpath(path)
        if (
            posixpath.splitext(path)[1] in _PRODUCT_EXT
            and not path.startswith("/etc/")
            and "$" not in path
            and not any(path.startswith(d.rstrip("/") + "/") for d in whole)
        ):
            out.append(path)

    for stage in df.stages:
        scope = dict(globals_)
        base = _expand(stage.base, globals_)
        made = names.get(base) in makers
        workdir = "/"
        whole: set[str] = set()
        for inst in stage.commands:
            workdir = _follow(inst, scope, workdir)
            if isinstance(inst, Copy) and inst.from_:
                index = _from_index(inst, scope, names)
                if index in makers:
                    for src in inst.sources:
                        if not src.endswith("/") and not _GLOB.search(src):
                            add(posixpath.join(workdir, _expand(src, scope)), whole_at[index])
            elif isinstance(inst, (Copy, Add)):
                if [s.strip("./") for s in inst.sources] == [""]:
                    whole.add(
                        posixpath.normpath(posixpath.join(workdir, _expand(inst.dest, scope)))
                    )
            elif isinstance(inst, Run):
                command = _with_vars(_command_text(inst), scope)
                for part, cwd in _segments(command, workdir):
                    made = made or bool(make_calls(part))
                    if made:
                        for m in _VERIFY.finditer(part):
                            add(posixpath.join(cwd, m.group(1)), whole)
        if made:
            makers.add(stage.index)
        whole_at.append(whole)
        if stage.name:
            names[stage.name] = stage.index
    # a folder holding another product is a folder (COPY --from=build /out /), not a product
    return [p for p in dict.fromkeys(out) if not any(q.startswith(p + "/") for q in out)]


def makefile(text: str) -> str:
    """A Makefile with every target the RUN lines ask make for (each one echoes its name),
    the first of them the default; each target also makes :func:`make_products` (a
    two-line script standing in for the program the real Makefile builds)."""
    targets = list(dict.fromkeys(t for _, ts in make_calls(text) for t in ts))
    made = "".join(
        f"\t@mkdir -p {posixpath.dirname(p)} && printf '#!/bin/sh\\nexit 0\\n' > {p}"
        f" && chmod 755 {p}\n"
        for p in make_products(text)
    )
    rules = "".join(f"{t}:\n\t@echo {t}\n{made}" for t in targets if t != "all")
    return f"all: {' '.join(t for t in targets if t != 'all')}\n\t@echo build\n{made}{rules}"


_LAYERS_IDX = """- "dependencies":
  - "BOOT-INF/lib/"
- "spring-boot-loader":
  - "org/"
- "snapshot-dependencies":
- "application":
  - "BOOT-INF/classes/"
  - "BOOT-INF/classpath.idx"
  - "BOOT-INF/layers.idx"
  - "META-INF/"
"""


def boot_jar() -> bytes:
    """A small real Spring Boot layered jar (what a checkout that ships a prebuilt jar in
    ``target/`` holds): a manifest, ``BOOT-INF/layers.idx`` (Spring Boot's default layers),
    a class, a dependency jar and the loader."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in (
            ("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nMain-Class: "
             "org.springframework.boot.loader.launch.JarLauncher\n"),
            ("org/springframework/boot/loader/launch/JarLauncher.class", "\xca\xfe"),
            ("BOOT-INF/classes/com/example/App.class", "\xca\xfe"),
            ("BOOT-INF/lib/spring-core-6.1.8.jar", "PK"),
            ("BOOT-INF/classpath.idx", '- "BOOT-INF/lib/spring-core-6.1.8.jar"\n'),
            ("BOOT-INF/layers.idx", _LAYERS_IDX),
        ):  # fmt: skip
            zf.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()


def _content(path: str, text: str = "") -> bytes:
    base = posixpath.basename(path)
    if base == "Cargo.toml":
        return cargo_toml(text).encode()
    if base in ("Makefile", "makefile", "GNUmakefile"):
        return makefile(text).encode()
    if base == "mix.exs":
        return mix_exs(text).encode()
    m = re.fullmatch(r"(?:.*/)?lib/mix/tasks/(\w+)\.ex", path)
    if m:
        return _mix_task_module(m.group(1)).encode()
    if base == "package.json":
        return package_json(text).encode()
    if base == "pom.xml":
        return pom_xml(text).encode()
    if base.endswith(".jar") and _BOOT.search(text):
        return boot_jar()
    if base == "build.sbt":
        return build_sbt(text).encode()
    if base.startswith("requirements") and base.endswith(".txt"):
        return requirements(text).encode()
    if path.endswith("bin/rails"):
        return b"#!/usr/bin/env ruby\nrequire_relative '../config/boot'\nrequire 'rails/commands'\n"
    if base == "Gemfile":
        # the gems whose commands the Dockerfile runs (bundle exec bootsnap ...)
        extra = sorted(set(_BUNDLE_EXEC.findall(text)) - {"rails", "rake", "ruby"})
        return (KNOWN["Gemfile"] + "".join(f'gem "{g}"\n' for g in extra)).encode()
    if path == "index.html" and frontend(text) == "vite":
        return _VITE_INDEX.encode()
    if base in ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"):
        return lockfile(base, text).encode()
    if base in KNOWN:
        text = KNOWN[base]
    elif base.startswith("Dockerfile") or base.endswith(".Dockerfile"):
        text = "FROM scratch\n"
    elif base.endswith((".csproj", ".fsproj", ".vbproj")):
        text = _BY_EXT[".csproj"]
    elif _executable(path) and posixpath.splitext(base)[1] in ("", ".sh", ".bash"):
        text = _SCRIPT
    else:
        text = _BY_EXT.get(posixpath.splitext(base)[1], "placeholder\n")
    return text.encode()


def _is_dir(path: str) -> bool:
    base = posixpath.basename(path)
    if base in KNOWN or base in _PLAIN_FILES:
        return False
    if base.startswith("."):
        return base in _DOT_DIRS
    return "." not in base


def _glob_names(pattern: str) -> list[str]:
    """Names that match one glob segment: every well-known match, else one made-up name."""
    known = sorted(n for n in KNOWN if fnmatch.fnmatchcase(n, pattern))
    if known:
        return known
    made = re.sub(r"\[!?([^\]])[^\]]*\]", r"\1", pattern).replace("*", "app").replace("?", "x")
    return [made]


def _expand_glob(path: str) -> list[str]:
    parts = path.split("/")
    out = [""]
    for part in parts:
        names = _glob_names(part) if _GLOB.search(part) else [part]
        out = [posixpath.join(prefix, name) for prefix in out for name in names]
    return out


@dataclass(slots=True)
class _Sources:
    files: set[str] = field(default_factory=set)
    dirs: set[str] = field(default_factory=set)
    whole: bool = False

    def add(self, raw: str) -> None:
        src = raw.strip()
        if "$" in src or "://" in src or src.startswith("git@") or not src.isprintable():
            return
        if src.startswith(("-", "\u2014", "\u2013")):
            return  # a mistyped flag (``—from=x``, ``-- from=x``): no project has that file
        trailing = src.endswith("/")
        path = posixpath.normpath("/" + src).lstrip("/")  # ../x is cleaned to x, as BuildKit
        if path in _WHOLE:
            self.whole = True
            return
        for one in _expand_glob(path) if _GLOB.search(path) else [path]:
            if trailing or _is_dir(one):
                self.dirs.add(one)
            else:
                self.files.add(one)


def _follow(inst: Instruction, scope: dict[str, str], workdir: str) -> str:
    """Follow a stage's ARG and ENV values into ``scope``; the WORKDIR after ``inst``."""
    if isinstance(inst, Arg):
        for decl in inst.args:
            if decl.value is not None:
                scope[decl.key] = _expand(decl.value, scope)
    elif isinstance(inst, Env):
        for kv in inst.env:
            scope[kv.key] = _expand(kv.value, scope)
    elif isinstance(inst, Workdir):
        return posixpath.join(workdir, _expand(inst.path, scope))
    return workdir


def _from_index(inst: Copy, scope: Mapping[str, str], names: Mapping[str, int]) -> int | None:
    """The stage a ``COPY --from`` names (None: an image)."""
    ref = _expand(inst.from_, scope).lower()
    return int(ref) if ref.isascii() and ref.isdigit() else names.get(ref)


def _expand(word: str, scope: Mapping[str, str]) -> str:
    try:
        return process_word(word, scope).value
    except EmuError:
        return word


def _mount_source(mount: str) -> str | None:
    """The context path a ``RUN --mount`` binds, or None when it binds no context files."""
    fields = dict(part.partition("=")[::2] for part in mount.split(","))
    kind = fields.get("type", "bind")
    if kind != "bind" or "from" in fields:
        return None
    return fields.get("source", fields.get("src", "."))


# Folders a build writes (not in a fresh checkout): a stage copy of these is build output.
_OUTPUTS = frozenset({
    "dist", "build", "out", "target", "node_modules", ".next", "publish",
    "_build", "vendor", "site", ".venv", "venv", "release", "deps", ".output",
})  # fmt: skip
# bin/ and obj/ are build output where .NET builds or a command writes into bin/; elsewhere
# (a node or Ruby project's bin/ of scripts) they are part of the checkout.
_BIN_OUTPUT = re.compile(r"\bdotnet\b|(?:-o|--output)[ =]\.?/?bin\b")


def outputs(text: str) -> frozenset[str]:
    """The top-level folders that are build output in the project ``text`` builds."""
    return _OUTPUTS | {"bin", "obj"} if _BIN_OUTPUT.search(text) else _OUTPUTS


def _from_stage(src: str, whole: set[str], sources: _Sources, built: frozenset[str]) -> None:
    """A ``COPY --from`` source inside a folder its stage filled with the whole context:
    the context path it came from, unless it is something the build made (``built``)."""
    path = posixpath.normpath("/" + src.lstrip("/"))
    for dest in whole - {"/"}:
        prefix = dest.rstrip("/") + "/"
        if path.startswith(prefix):
            rel = path[len(prefix) :]
            if rel.split("/")[0] not in built:
                sources.add(rel + ("/" if src.endswith("/") else ""))


def _global_scope(df: Dockerfile) -> dict[str, str]:
    plat = Platform()
    try:
        return evaluate_globals(df.meta_args, {}, platform_args(plat, plat, "default"), df.file)
    except EmuError:
        return dict(platform_args(plat, plat, "default"))


_DOTNET_DIR = re.compile(r"\bdotnet\s+(?:restore|build|publish|test)\s+[\"']?([A-Za-z][\w./-]*)")
_PROJECT_FILE = re.compile(r"[\"']?([\w./-]+\.(?:csproj|fsproj|vbproj|sln))\b")


# A word of a RUN line that names a file of the project: a script, a config or data file.
_FILE_WORD = re.compile(
    r"^(?:\./)?[\w@][\w./@-]*\.(?:sh|bash|py|js|mjs|cjs|ts|json|ya?ml|toml|ini|cfg|conf|txt|"
    r"xml|properties|env|example|sql|rb|php|lock|go)$|^\.env(?:\.[\w-]+)?$|^artisan$"
    # the dot-files a checkout has (rm .gitignore, cp .nvmrc ...)
    r"|^\.(?:git(?:ignore|attributes|modules)|dockerignore|editorconfig|prettierrc|eslintrc|"
    r"babelrc|browserslistrc|nvmrc|npmrc|yarnrc|sequelizerc|tool-versions|python-version|"
    r"ruby-version|node-version)(?:\.\w+)?$"
)
_CD = re.compile(r"\bcd\s+([\w./-]+)")


def _in_context(path: str, folders: dict[str, str]) -> str | None:
    """The context path an absolute path of a stage comes from, when a COPY of a context
    folder (or the whole context) put it there."""
    best = max((d for d in folders if path == d or path.startswith(d.rstrip("/") + "/")),
               key=len, default=None)  # fmt: skip
    if best is None:
        return None
    rel = posixpath.normpath(posixpath.join(folders[best], posixpath.relpath(path, best)))
    return None if rel in (".", "") or rel.startswith("..") else rel


def _named_files(command: str, workdir: str, folders: dict[str, str]) -> set[str]:
    """Project files and folders a RUN line names (``chmod +x ./entrypoint.sh``, ``python
    manage.py``, ``cp .env.example .env``, ``cd webapp``) inside what a COPY brought from
    the context: a real project has them."""
    out: set[str] = set()
    # each word against the directory its command runs in (cd docker && cp policy.xml …)
    for part, cwd in _segments(command, workdir):
        for word in re.split(r"[\s;&|()<>]+", part):
            word = word.strip("\"'")
            if not word or word.startswith(("-", "$")) or "=" in word or "://" in word:
                continue
            if _FILE_WORD.match(posixpath.basename(word)) and not any(c in word for c in "*?["):
                where = _in_context(posixpath.normpath(posixpath.join(cwd, word)), folders)
                if where:
                    out.add(where)
    for d in _CD.findall(command):
        where = _in_context(posixpath.normpath(posixpath.join(workdir, d)), folders)
        if where and not _FILE_WORD.match(posixpath.basename(d)):
            out.add(posixpath.join(where, "placeholder.txt"))
    return out


def _segments(command: str, workdir: str) -> Iterator[tuple[str, str]]:
    """Each simple command of a RUN line with the directory it runs in: ``cd X && npm ci``
    runs npm in X (a ``cd`` carries over to the commands after it, as in the shell)."""
    cwd = workdir
    for part in re.split(r"&&|\|\||;|\n", command):
        m = re.match(r"\s*cd\s+([\w./-]+)\s*$", part)
        if m:
            cwd = posixpath.normpath(posixpath.join(cwd, m.group(1)))
        yield part, cwd


def _tool_files(command: str, workdir: str, folders: dict[str, str], text: str = "") -> set[str]:
    """The files a RUN's tools expect where they run, as context paths: where a COPY put a
    context folder (or the whole context) at that directory or above it."""
    out = _named_files(command, workdir, folders)
    for part, cwd in _segments(command, workdir):
        out |= _tools_at(part, cwd, folders, text)
    return out


def _tools_at(command: str, workdir: str, folders: dict[str, str], text: str) -> set[str]:
    best = max((d for d in folders if workdir == d or workdir.startswith(d.rstrip("/") + "/")),
               key=len, default=None)  # fmt: skip
    if best is None:
        return set()
    at = posixpath.normpath(posixpath.join(folders[best], posixpath.relpath(workdir, best)))
    at = "" if at == "." else at
    # Project files the command names (dotnet build "app.csproj"): the real project has them.
    out = {posixpath.join(at, p.strip("\"'")) for p in _PROJECT_FILE.findall(command)}
    # dotnet build DIR: a project folder holds a project file of its name
    for d in _DOTNET_DIR.findall(command):
        if "." not in posixpath.basename(d) or d.endswith((".Server", ".Api", ".API", ".Web")):
            out.add(posixpath.join(at, d, posixpath.basename(d) + ".csproj"))
    for where, _ in make_calls(command):
        if where:  # make -C DIR: a Makefile there
            out.add(posixpath.normpath(posixpath.join(at, where, "Makefile")))
    if not at:
        return out  # the top of the whole context: its tools' files are added from every RUN
    for pattern, expected in _ECOSYSTEMS:
        if re.search(pattern, command.lower()):
            out.update(posixpath.join(at, f) for f in expected)
    fw = frontend(text)
    if fw and _NODE_TOOL.search(command):
        # the front-end project the Dockerfile's output copies imply lives where node runs
        out.update(posixpath.join(at, f) for f in _FRONTENDS[fw][2])
    return out


# $NAME and ${NAME} in a RUN line: the stage's ARG and ENV values stand in for them when
# guessing which files the line names.
_VAR = re.compile(r"\$\{?([A-Za-z_]\w*)\}?")


def _with_vars(command: str, scope: Mapping[str, str]) -> str:
    """``command`` with the variables ``scope`` knows replaced by their values."""
    return _VAR.sub(lambda m: scope.get(m.group(1), m.group(0)), command)


def _command_text(inst: Run) -> str:
    """What a RUN runs, as text: its command line and any here-documents' bodies."""
    return " ".join([*inst.command.args, *(f.data for f in inst.command.files)])


def context_files(text: str, name: str = "Dockerfile") -> dict[str, bytes]:
    """A minimal placeholder context for ``text``: ``{path: content}``.

    Every source a COPY/ADD without ``--from`` (or a ``RUN --mount=type=bind`` without
    ``from``) names is created, ARGs and ENVs expanded as the stage would: well-known
    names with plausible contents, globs with one matching file (every matching
    well-known name), folders with a placeholder file. When the whole context is copied,
    the files the RUN lines' tools expect (package.json for npm, go.mod for go, ...) are
    added at the top; a RUN whose working directory is inside a copied context folder
    gets them in that folder. A Dockerfile that does not parse gets an empty context.
    """
    try:
        df = load(text, name)
    except EmuError:
        return {}
    globals_ = _global_scope(df)
    built = outputs(text)
    sources = _Sources()
    # Where each stage copied the whole context: a COPY --from=<stage> of a path inside
    # it names a context file too (``/app/public`` after ``COPY . /app``).
    whole_at: list[set[str]] = []
    # Where each stage copied a context folder (destination -> context path, "" for the
    # whole context): a RUN of a tool there needs the tool's files in that folder.
    folders_at: list[dict[str, str]] = []
    tool_files: set[str] = set()
    names: dict[str, int] = {}
    for stage in df.stages:
        scope = dict(globals_)
        base = _expand(stage.base, globals_)
        whole: set[str] = set(whole_at[names[base]]) if base in names else set()
        folders: dict[str, str] = dict(folders_at[names[base]]) if base in names else {}
        workdir = "/"
        for inst in stage.commands:
            workdir = _follow(inst, scope, workdir)
            if isinstance(inst, Copy) and inst.from_:
                index = _from_index(inst, scope, names)
                if index is None or index >= len(whole_at):
                    continue
                for src in inst.sources:
                    _from_stage(_expand(src, scope), whole_at[index], sources, built)
                if len(inst.sources) == 1:
                    # a context folder that stage holds is a context folder here too
                    src = posixpath.normpath("/" + _expand(inst.sources[0], scope).lstrip("/"))
                    there = folders_at[index]
                    where = there[src] if src in there else _in_context(src, there)
                    if where is not None and (where == "" or _is_dir(where)):
                        dest = posixpath.normpath(
                            posixpath.join(workdir, _expand(inst.dest, scope))
                        )
                        folders[dest] = where
                        if where == "":
                            whole.add(dest)
            elif isinstance(inst, (Copy, Add)):
                inline = {f.name for f in inst.contents}
                for src in inst.sources:
                    if src not in inline:
                        sources.add(_expand(src, scope))
                dest = posixpath.normpath(posixpath.join(workdir, _expand(inst.dest, scope)))
                if [s.strip("./") for s in inst.sources] == [""]:
                    whole.add(dest)
                    folders[dest] = ""
                elif len(inst.sources) == 1 and inst.sources[0] not in inline:
                    src = posixpath.normpath(_expand(inst.sources[0], scope)).strip("/")
                    if _is_dir(src) and not _GLOB.search(src) and "$" not in src:
                        folders[dest] = src
            elif isinstance(inst, Run):
                for mount in inst.mounts:
                    where = _mount_source(mount)
                    if where is not None:
                        sources.add(_expand(where, scope))
                command = _with_vars(_command_text(inst), scope)
                tool_files |= _tool_files(command, posixpath.normpath(workdir), folders, text)
        whole_at.append(whole)
        folders_at.append(folders)
        if stage.name:
            names[stage.name] = stage.index
    files = set(sources.files) | tool_files
    if sources.whole:
        runs = text.lower()
        for pattern, expected in _ECOSYSTEMS:
            if re.search(pattern, runs):
                files.update(expected)
        fw = frontend(text)
        if fw:
            files.update(_FRONTENDS[fw][2])
    if any(f == "mix.exs" or f.endswith("/mix.exs") for f in files):
        # the project's own mix tasks the RUN lines call live in lib/mix/tasks
        for task in mix_tasks(text)[1]:
            for mix in [f for f in files if f == "mix.exs" or f.endswith("/mix.exs")]:
                files.add(posixpath.join(posixpath.dirname(mix), f"lib/mix/tasks/{task}.ex"))
    # A name used as a folder elsewhere is a folder; an empty folder gets a placeholder.
    parents = {posixpath.dirname(f) for f in files} | set(sources.dirs)
    for p in list(parents):
        while p:
            p = posixpath.dirname(p)
            parents.add(p)
    files = {f for f in files if f not in parents}
    for d in sources.dirs:
        if not any(f.startswith(d + "/") for f in files):
            files.add(d + "/placeholder.txt")
    out = {f: _content(f, text) for f in sorted(files)}
    return _solution(out)


_PROJECTS = (".csproj", ".fsproj", ".vbproj")


def _solution(files: dict[str, bytes]) -> dict[str, bytes]:
    """Where .NET projects live in folders, the top of the checkout holds a solution naming
    them (what ``dotnet restore`` there restores), not a project of its own."""
    nested = sorted(f for f in files if "/" in f and f.endswith(_PROJECTS))
    if not nested or "app.csproj" not in files:
        return files
    out = {f: c for f, c in files.items() if f not in ("app.csproj", "Program.cs")}
    lines = [_BY_EXT[".sln"]]
    for i, f in enumerate(nested, start=1):
        name = posixpath.splitext(posixpath.basename(f))[0]
        guid = f"{{00000000-0000-0000-0000-{i:012d}}}"
        lines.append(f'Project("{{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}}") = "{name}", '
                     f'"{f.replace("/", chr(92))}", "{guid}"\nEndProject\n')  # fmt: skip
    out["app.sln"] = "".join(lines).encode()
    return out


def write_context(files: Mapping[str, bytes], root: Path) -> None:
    """Write a context mapping under ``root`` (scripts executable)."""
    for rel, data in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        target.chmod(0o755 if _executable(rel) else 0o644)


# --- classifying --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """One build: ok, or the first blocker (``crash`` when it was not an EmuError)."""

    ok: bool
    blocker: str = ""
    crash: bool = False
    timeout: bool = False
    detail: str = ""  # the raw first line (and, for a crash, where it happened)


@dataclass(frozen=True, slots=True)
class Result:
    """Everything one corpus file gave."""

    name: str
    parse_ok: bool
    parse_error: str = ""
    load_error: str = ""
    checks: int | None = None
    check_rules: tuple[str, ...] = ()
    from_ok: bool | None = None
    unresolved: tuple[str, ...] = ()
    strict: Outcome = Outcome(False, "not run")
    permissive: Outcome = Outcome(False, "not run")
    crashes: tuple[str, ...] = ()
    seconds: float = 0.0
    swapped: tuple[tuple[str, str], ...] = ()  # (base, stand-in) under --swap-bases

    @property
    def crashed(self) -> bool:
        return bool(self.crashes) or self.strict.crash or self.permissive.crash


_IMAGE = re.compile(r"^image '([^']+)': (.*?)(?: \(did you mean .*\))?$")
_DIGEST = re.compile(r"@sha256:([0-9a-f]{12})[0-9a-f]{52}")
_NOT_EMULATED = re.compile(r"^RUN: '([^']+)' is not emulated")
_PROCESS = re.compile(r'^process "(.*)" did not complete successfully: (.*)$', re.S)
_EXIT = re.compile(r"exit code: (\d+)")
_APT = re.compile(r"E: (?:Unable to locate package |Package '?)([^\s']+)")
_APK = re.compile(r"^\s*([^\s:]+) \(no such package\)")
_NOT_FOUND = re.compile(r"(?:^|: )([^\s:]+): (?:command )?not found")
_TELLING = re.compile(r"error|not found|unable|cannot|can't|fail|illegal|invalid|no such", re.I)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _keyword(text: str, exc: EmuError) -> str:
    """The instruction (COPY, ADD, FROM, ...) on the line the error points at."""
    if exc.pos is None or not text:
        return ""
    lines = text.splitlines()
    if not 0 < exc.pos.line <= len(lines):
        return ""
    words = lines[exc.pos.line - 1].split()
    return words[0].upper() if words else ""


def blocker(exc: EmuError, text: str = "") -> str:
    """An error's first line, normalised so that the same cause in two files reads the same:
    ``image 'X' not in catalog``, ``RUN: 'prog' is not emulated``, ``apt package 'x'
    unknown``, ``RUN: 'x' not found``, ``RUN exit N: <its telling stderr line>``, else
    the instruction's keyword and the message (``COPY: ... not found``)."""
    msg = _first_line(exc.message)
    m = _IMAGE.match(msg)
    if m:
        ref, reason = m.groups()
        ref = short_ref(ref)
        if "not in emu's offline catalog" in reason:
            return f"image '{ref}' not in catalog"
        if "pinned by digest" in reason:
            return f"image '{ref}' pinned by digest (catalog has no digests)"
        return f"image '{ref}': {reason}"
    m = _NOT_EMULATED.match(msg)
    if m:
        return f"RUN: '{m.group(1)}' is not emulated"
    m = _PROCESS.match(exc.message.strip())
    if m:
        tail = [line.strip() for line in (exc.hint or "").split(" / ") if line.strip()]
        for line in reversed(tail):
            for rx, fmt in (
                (_APT, "apt package '{}' unknown"),
                (_APK, "apk package '{}' unknown"),
                (_NOT_FOUND, "RUN: '{}' not found"),
            ):
                found = rx.search(line)
                if found:
                    return fmt.format(found.group(1))
        code = _EXIT.search(m.group(2))
        if code:
            telling = [line for line in tail if _TELLING.search(line)] or tail[-1:]
            return f"RUN exit {code.group(1)}" + (f": {telling[0][:90]}" if telling else "")
        return "RUN: " + m.group(2).split("\n")[0][:100]
    keyword = _keyword(text, exc)
    prefix = f"{keyword}: " if keyword and keyword != "RUN" else ""
    return (prefix + msg)[:140]


_KINDS = ("ok", "FROM", "RUN", "COPY", "ADD", "other")


def category(text: str) -> str:
    """FROM, RUN, COPY, ADD or other: which kind of instruction a blocker stops."""
    if text.startswith(("image ", "FROM")):
        return "FROM"
    if text.startswith(("RUN", "apt ", "apk ")):
        return "RUN"
    for kind in ("COPY", "ADD"):
        if text.startswith(kind):
            return kind
    return "other"


def short_ref(ref: str) -> str:
    """``ref`` with a digest cut to 12 hex digits (tables stay readable)."""
    return _DIGEST.sub(r"@sha256:\1…", ref)


def repository(ref: str) -> str:
    """The familiar repository of an image reference (``node`` for ``node:20-alpine``,
    ``mcr.microsoft.com/dotnet/sdk`` for ``mcr.microsoft.com/dotnet/sdk:8.0``)."""
    try:
        return parse_reference(ref).familiar_repository
    except EmuError:
        return ref.split("@", 1)[0].rsplit(":", 1)[0]


def resolve_bases(df: Dockerfile) -> list[tuple[str, str]]:
    """Every stage's base after global ARG expansion, and how it resolves: ``scratch``,
    ``stage`` (an earlier stage), ``catalog``, or ``unresolved: <why>``."""
    scope = _global_scope(df)
    out = []
    seen: set[str] = set()
    for stage in df.stages:
        try:
            ref = process_word(stage.base, scope).value
        except EmuError as exc:
            out.append((stage.base, f"unresolved: {exc.message}"))
            continue
        if ref == "scratch":
            how = "scratch"
        elif ref in seen:
            how = "stage"
        elif not ref:
            how = "unresolved: blank base name"
        else:
            try:
                catalog.lookup(ref)
                how = "catalog"
            except EmuError as exc:
                how = "unresolved: " + blocker(exc)
        out.append((ref, how))
        if stage.name:
            seen.add(stage.name)
    return out


class _Timeout(BaseException):
    """The per-file wall-clock backstop fired (BaseException: no ``except Exception``
    inside emu can swallow it)."""


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def fire(signum: int, frame: FrameType | None) -> None:
        raise _Timeout

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _crash(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = next(
        (f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames) if "/emu/" in f.filename),
        "?",
    )
    return f"CRASH {type(exc).__name__}: {_first_line(str(exc))[:100]} ({where})"


# --- --swap-bases: see what stops RUN lines before every base image is modelled ----------

# The stand-in for a base whose repository the catalog does not know at all (no tag of it
# is close): the catalog family its name points at, else Debian (apt, bash, a glibc).
_SWAP_FAMILIES: tuple[tuple[str, str], ...] = (
    ("alpine", "alpine:3.19"),
    ("node", "node:20"),
    ("golang", "golang:1.22"),
    ("rust", "rust:1"),
    ("cargo-chef", "rust:1"),
    ("maven", "maven:3.9-eclipse-temurin-21"),
    ("gradle", "eclipse-temurin:21-jdk"),
    ("jdk", "eclipse-temurin:21-jdk"),
    ("jre", "eclipse-temurin:21-jre"),
    ("temurin", "eclipse-temurin:21-jdk"),
    ("corretto", "eclipse-temurin:21-jdk"),
    ("python", "python:3.12-slim"),
    ("uv", "python:3.12-slim"),
    ("ubuntu", "ubuntu:22.04"),
    ("nginx", "nginx:alpine"),
    ("distroless", "gcr.io/distroless/static-debian12"),
    ("busybox", "busybox:latest"),
)
SWAP_DEFAULT = "debian:bookworm"


def swap_for(ref: str, suggestions: list[str]) -> str:
    """The catalog image ``--swap-bases`` builds on instead of the unresolvable ``ref``: the
    closest tag of the same repository when the catalog has one, else the first family
    named in ``ref`` (``alpine`` anywhere in it wins, as the base's libc and package
    manager follow it), else :data:`SWAP_DEFAULT`."""
    repo = repository(ref)
    same = [s for s in suggestions if repository(s) == repo]
    if same:
        return same[0]
    lowered = ref.lower()
    for word, image in _SWAP_FAMILIES:
        if word in lowered:
            return image
    return SWAP_DEFAULT


@dataclass(slots=True)
class Swapper:
    """A ``resolve_image`` for :func:`emu.build` that swaps unresolvable bases (and records
    which: ``swapped[ref] = stand-in``)."""

    swapped: dict[str, str] = field(default_factory=dict)

    def __call__(self, ref: str) -> Image:
        try:
            return catalog.lookup(ref)
        except EmuError as exc:
            if "digest" in exc.message or "catalog" in exc.message:
                stand_in = swap_for(ref, list(getattr(exc, "suggestions", [])))
                self.swapped[ref] = stand_in
                return catalog.lookup(stand_in)
            raise


def _build(
    context: Path,
    dockerfile: Path,
    permissive: bool,
    limit: float,
    text: str,
    swapper: Swapper | None = None,
) -> Outcome:
    try:
        with _alarm(limit * 2 + 5):
            emu.build(
                context,
                dockerfile,
                permissive=permissive,
                max_seconds=limit,
                resolve_image=swapper,
            )
    except _Timeout:
        return Outcome(False, "TIMEOUT", timeout=True)
    except EmuError as exc:
        if "limit exceeded: max_seconds" in exc.message:
            return Outcome(False, "TIMEOUT", timeout=True, detail=_first_line(exc.message))
        return Outcome(False, blocker(exc, text), detail=_first_line(str(exc)))
    except Exception as exc:
        crash = _crash(exc)
        return Outcome(False, crash, crash=True, detail=crash)
    return Outcome(True)


def run_entry(
    name: str, text: str, limit: float = DEFAULT_LIMIT, *, swap_bases: bool = False
) -> Result:
    """Parse, check, resolve and build one Dockerfile, in-process, catching everything.

    With ``swap_bases`` the builds use a :class:`Swapper`: a base the catalog cannot
    resolve is replaced by the nearest catalog image (``Result.swapped`` says which), so
    that what stops the RUN lines shows before every base is modelled."""
    start = time.monotonic()
    crashes: list[str] = []
    try:
        parse(text, name)
    except EmuError as exc:
        return Result(name, False, parse_error=_first_line(str(exc)), seconds=0.0)
    except Exception as exc:
        return Result(name, False, parse_error=_crash(exc), crashes=(_crash(exc),))
    try:
        df = load(text, name)
    except EmuError as exc:
        df = None
        load_error = _first_line(str(exc))
    except Exception as exc:
        df, load_error = None, _crash(exc)
        crashes.append(load_error)
    else:
        load_error = ""
    checks: int | None = None
    rules: tuple[str, ...] = ()
    from_ok: bool | None = None
    unresolved: tuple[str, ...] = ()
    if df is not None:
        try:
            report = run_checks(df)
            checks = len(report.violations)
            rules = tuple(sorted({v.rule.name for v in report.violations}))
        except Exception as exc:  # run_checks raises nothing by design: a bug
            crashes.append(_crash(exc))
        try:
            bases = resolve_bases(df)
            unresolved = tuple(ref for ref, how in bases if how.startswith("unresolved"))
            from_ok = not unresolved
        except Exception as exc:
            crashes.append(_crash(exc))
    with tempfile.TemporaryDirectory(prefix="emu-corpus-") as tmp:
        root = Path(tmp) / "context"
        root.mkdir()
        write_context(context_files(text, name), root)
        dockerfile = Path(tmp) / "Dockerfile"
        dockerfile.write_text(text, encoding="utf-8")
        swapper = Swapper() if swap_bases else None
        strict = _build(root, dockerfile, False, limit, text, swapper)
        permissive = _build(root, dockerfile, True, limit, text, swapper)
    return Result(
        name,
        True,
        load_error=load_error,
        checks=checks,
        check_rules=rules,
        from_ok=from_ok,
        unresolved=unresolved,
        strict=strict,
        permissive=permissive,
        crashes=tuple(crashes),
        seconds=time.monotonic() - start,
        swapped=tuple(sorted(swapper.swapped.items())) if swapper else (),
    )


# --- the report ---------------------------------------------------------------------------


def _pct(n: int, total: int) -> str:
    return f"{n}/{total} ({100 * n / total:.0f}%)" if total else "0/0"


def _cell(text: str, width: int = 70) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def _emu_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def report(
    entries: list[Entry],
    results: dict[str, Result],
    missing: list[Entry],
    broken: Mapping[str, str] | None = None,
) -> str:
    """RESULTS.md: headline counts (also without the files broken upstream), the top
    blockers, the files broken upstream with the reason, and one row per file."""
    broken = read_broken() if broken is None else broken
    ran = [results[e.key] for e in entries if e.key in results]
    sound = [results[e.key] for e in entries if e.key in results and e.key not in broken]
    total = len(ran)
    parse_ok = sum(r.parse_ok for r in ran)
    from_ok = sum(bool(r.from_ok) for r in ran)
    strict = sum(r.strict.ok for r in ran)
    permissive = sum(r.permissive.ok for r in ran)
    crashes = sum(r.crashed for r in ran)
    timeouts = sum(r.strict.timeout or r.permissive.timeout for r in ran)
    checks = sum(r.checks or 0 for r in ran)
    lines = [
        "# emu over the real-world corpus",
        "",
        "Generated by `python tests/corpus/run.py --copies DIR --write` (see README.md);",
        "do not edit by hand.",
        "",
        f"- date: {datetime.date.today().isoformat()}",
        f"- emu commit: `{_emu_commit()}`",
        f"- files: {total} of {len(entries)} in corpus.tsv"
        + (f" ({len(missing)} without a local copy)" if missing else ""),
        "",
        "| measure | files |",
        "| --- | --- |",
        f"| parse | {_pct(parse_ok, total)} |",
        f"| every FROM resolves (after ARG expansion) | {_pct(from_ok, total)} |",
        f"| `emu build` strict | {_pct(strict, total)} |",
        f"| `emu build --permissive` | {_pct(permissive, total)} |",
        f"| broken upstream (fail in a real build too; see below) | {total - len(sound)} |",
        f"| `emu build` strict, files not broken upstream | "
        f"{_pct(sum(r.strict.ok for r in sound), len(sound))} |",
        f"| `emu build --permissive`, files not broken upstream | "
        f"{_pct(sum(r.permissive.ok for r in sound), len(sound))} |",
        f"| crashes (an exception that is not an EmuError: a bug) | {crashes} |",
        f"| timeouts | {timeouts} |",
        f"| `emu check` findings (static rules, all files) | {checks} |",
        "",
    ]
    swaps = Counter(pair for r in ran for pair in r.swapped)
    if swaps:
        swapped_files = sum(bool(r.swapped) for r in ran)
        lines += [
            f"Run with `--swap-bases`: in {swapped_files} files a base that does not resolve "
            "was replaced by the nearest catalog image, so the builds above measure the RUN "
            "lines on a stand-in, not the real base:",
            "",
            "| base | stand-in | files |",
            "| --- | --- | --- |",
            *(f"| `{short_ref(a)}` | `{b}` | {n} |" for (a, b), n in sorted(swaps.items())),
            "",
        ]
    refs = Counter(ref for r in ran for ref in dict.fromkeys(r.unresolved))
    families: dict[str, Counter[str]] = {}
    for ref, n in refs.items():
        families.setdefault(repository(ref), Counter())[short_ref(ref)] += n
    family_files = Counter(fam for r in ran for fam in {repository(ref) for ref in r.unresolved})
    lines += [
        "## Unresolved FROM references",
        "",
        f"{sum(refs.values())} distinct references in {total - from_ok} files (every stage's "
        "base, not just the first blocker; a file counts each reference once). By image "
        "repository:",
        "",
        "| repository | files | references (files) |",
        "| --- | --- | --- |",
        *(
            f"| `{fam}` | {family_files[fam]} | "
            + ", ".join(f"`{ref}` ({n})" if n > 1 else f"`{ref}`" for ref, n in c.most_common())
            + " |"
            for fam, c in sorted(families.items(), key=lambda x: (-family_files[x[0]], x[0]))
        ),
        "",
    ]
    for title, outcomes in (
        ("strict", [r.strict for r in ran]),
        ("--permissive", [r.permissive for r in ran]),
    ):
        kinds = Counter("ok" if o.ok else category(o.blocker) for o in outcomes)
        lines.append(
            f"First blocker of each file, {title}: "
            + ", ".join(f"{kind} {kinds[kind]}" for kind in _KINDS if kinds[kind])
            + "."
        )
    lines.append("")
    for title, outcomes in (
        ("strict", [r.strict for r in ran]),
        ("--permissive", [r.permissive for r in ran]),
    ):
        counts = Counter(o.blocker for o in outcomes if not o.ok)
        lines += [
            f"## Top blockers, {title}",
            "",
            "| # | kind | blocker | files |",
            "| --- | --- | --- | --- |",
            *(
                f"| {i} | {category(b)} | {_cell(b, 100)} | {n} |"
                for i, (b, n) in enumerate(counts.most_common(25), start=1)
            ),
            "",
        ]
    listed = [e for e in entries if e.key in results and e.key in broken]

    def emu_says(r: Result) -> str:
        return "BUILDS: emu misses the fault" if r.permissive.ok else _cell(r.permissive.blocker)

    lines += [
        "## Broken upstream",
        "",
        "Files that fail in a real `docker build` too (`broken.tsv`, with the reason): they "
        "count in the figures above, and are left out of the lines that say so. emu must "
        "fail them as well; a listed file that builds is a fault emu misses.",
        "",
        "| file | why a real build fails | emu --permissive |",
        "| --- | --- | --- |",
        *(
            f"| {e.repo}/{e.path} | {_cell(broken[e.key], 200)} | {emu_says(results[e.key])} |"
            for e in listed
        ),
        "",
    ]
    rule_counts = Counter(rule for r in ran for rule in r.check_rules)
    lines += [
        "## `emu check` rules that fired (files)",
        "",
        ", ".join(f"{rule} {n}" for rule, n in rule_counts.most_common()) or "none",
        "",
        "## Per file",
        "",
        "| # | file | ecosystem | parse | checks | FROM | strict | permissive |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for i, e in enumerate(entries, start=1):
        r = results.get(e.key)
        link = f"[{e.repo}/{e.path}]({e.url})"
        if r is None:
            lines.append(f"| {i} | {link} | {e.eco} | no copy | | | | |")
            continue
        parse_cell = "ok" if r.parse_ok else _cell(r.parse_error)
        check_cell = str(r.checks) if r.checks is not None else _cell(r.load_error or "-")
        missing_refs = ", ".join(short_ref(ref) for ref in dict.fromkeys(r.unresolved))
        from_cell = "-" if r.from_ok is None else "ok" if r.from_ok else _cell(missing_refs)
        strict_cell = "ok" if r.strict.ok else _cell(r.strict.blocker)
        perm_cell = "ok" if r.permissive.ok else _cell(r.permissive.blocker)
        lines.append(
            f"| {i} | {link} | {e.eco} | {parse_cell} | {check_cell} | {from_cell} "
            f"| {strict_cell} | {perm_cell} |"
        )
    crashed = [(e, results[e.key]) for e in entries if e.key in results and results[e.key].crashed]
    if crashed:
        lines += ["", "## Crashes", ""]
        for e, r in crashed:
            for text in (*r.crashes, r.strict.detail, r.permissive.detail):
                if text.startswith("CRASH"):
                    lines.append(f"- {e.repo}/{e.path}: {text}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--copies", required=True, type=Path, help="folder of local copies")
    ap.add_argument("--write", action="store_true", help=f"write {RESULTS_MD.name}")
    ap.add_argument("--only", default="", help="run only entries whose key contains this")
    ap.add_argument("--limit", type=float, default=DEFAULT_LIMIT, help="seconds per build")
    ap.add_argument(
        "--swap-bases",
        action="store_true",
        help="build on the nearest catalog image where a base does not resolve (the report "
        "says so and lists the swaps)",
    )
    args = ap.parse_args(argv)
    entries = read_corpus()
    results: dict[str, Result] = {}
    missing: list[Entry] = []
    for e in entries:
        if args.only and args.only not in e.key:
            continue
        copy = args.copies / e.key / "Dockerfile"
        if not copy.is_file():
            missing.append(e)
            print(f"-- {e.key}: no local copy at {copy}", file=sys.stderr)
            continue
        text = copy.read_bytes().decode("utf-8", "surrogateescape")
        r = run_entry(posixpath.basename(e.path), text, args.limit, swap_bases=args.swap_bases)
        results[e.key] = r
        status = "ok" if r.strict.ok else r.strict.blocker
        perm = "ok" if r.permissive.ok else r.permissive.blocker
        print(
            f"{r.seconds:5.1f}s {e.key}: parse={'ok' if r.parse_ok else 'FAIL'} "
            f"from={'ok' if r.from_ok else 'NO'} strict={status} | permissive={perm}"
            + (" CRASH" if r.crashed else "")
        )
    selected = [e for e in entries if not args.only or args.only in e.key]
    text = report(selected, results, missing)
    if args.write:
        RESULTS_MD.write_text(text, encoding="utf-8")
        print(f"wrote {RESULTS_MD}")
    else:
        print("\n".join(text.splitlines()[:20]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
