"""The corpus list is well-formed, and run.py's machinery works on tiny Dockerfiles written
here (the corpus copies themselves are not in the repository, so CI never runs them)."""

from __future__ import annotations

import datetime
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

import emu
from emu.errors import BuildError

HERE = Path(__file__).resolve().parent


def _load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_run", HERE / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus_run"] = module  # dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


run = _load_runner()

BUILDS = """\
FROM alpine:3.19 AS build
WORKDIR /src
COPY build.sh .
RUN sh build.sh && echo built > out.txt

FROM alpine:3.19
COPY --from=build /src/out.txt /out.txt
"""

BLOCKED = """\
ARG BASE=nosuch/image:1.0
FROM ${BASE} AS deps
WORKDIR /app
COPY package*.json ./
COPY go.* ./
COPY scripts/ ./scripts/
RUN npm ci
COPY . .
RUN npm run build

FROM alpine:3.19
COPY --from=deps /app/public /srv/public
COPY --from=deps /app/dist /srv/dist
"""


# --- the list -----------------------------------------------------------------------------


def test_corpus_tsv_is_well_formed() -> None:
    entries = run.read_corpus()
    assert len(entries) >= 100
    keys = [(e.repo, e.path) for e in entries]
    assert len(set(keys)) == len(keys), "duplicate entries"
    assert len({e.key for e in entries}) == len(entries), "two entries share a copy folder"
    for e in entries:
        assert re.fullmatch(r"[0-9a-f]{40}", e.commit), e
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", e.repo), e
        assert e.path and not e.path.startswith("/"), e
        assert re.fullmatch(r"[a-z0-9+.-]+", e.eco), e
        datetime.date.fromisoformat(e.found)


def test_copy_folder_name() -> None:
    entry = run.Entry("vercel/next.js", "examples/with-docker/Dockerfile", "0" * 40, "node", "")
    assert entry.key == "vercel__next.js__examples__with-docker__Dockerfile"
    assert entry.url.endswith(f"/vercel/next.js/blob/{'0' * 40}/examples/with-docker/Dockerfile")


# --- the placeholder context ---------------------------------------------------------------


def test_context_holds_what_the_dockerfile_copies() -> None:
    files = run.context_files(BLOCKED)
    # A glob gets every well-known name it matches; a folder gets a placeholder file.
    assert {"package.json", "package-lock.json", "go.mod", "go.sum"} <= set(files)
    assert "scripts/placeholder.txt" in files
    # COPY . /app then COPY --from=deps /app/public: public came from the context...
    assert "public/placeholder.txt" in files
    # ...but dist is build output, which the context must not fake.
    assert not any(f.startswith("dist") for f in files)
    # A node stage's dist/ copied out means a vite project, lockfile in sync.
    manifest = json.loads(files["package.json"])
    assert manifest["scripts"]["build"] == "vite build"
    lock = json.loads(files["package-lock.json"])
    assert lock["packages"]["node_modules/vite"]["version"] == manifest["dependencies"]["vite"]
    assert b'type="module"' in files["index.html"]


def test_context_expands_args_and_skips_stage_and_remote_sources() -> None:
    text = (
        "FROM alpine:3.19 AS a\n"
        "ARG JAR=target/app.jar\n"
        "COPY ${JAR} /app.jar\n"
        "ADD https://example.com/x.tgz /x.tgz\n"
        "RUN --mount=type=bind,source=uv.lock,target=/uv.lock true\n"
        "FROM alpine:3.19\n"
        "COPY --from=a /app.jar /app.jar\n"
    )
    files = run.context_files(text)
    assert set(files) == {"target/app.jar", "uv.lock"}
    assert run.context_files("FROM\n") == {}  # does not parse: nothing to guess


def test_written_context_keeps_scripts_executable(tmp_path: Path) -> None:
    run.write_context({"build.sh": b"#!/bin/sh\n", "a/b.txt": b"x"}, tmp_path)
    assert (tmp_path / "build.sh").stat().st_mode & 0o111
    assert not (tmp_path / "a" / "b.txt").stat().st_mode & 0o111


# --- classifying --------------------------------------------------------------------------


def test_a_file_that_builds() -> None:
    result = run.run_entry("Dockerfile", BUILDS, limit=20)
    assert result.parse_ok and result.from_ok
    assert result.checks == 0
    assert result.strict.ok and result.permissive.ok, (result.strict, result.permissive)
    assert not result.crashed


def test_a_file_blocked_at_from() -> None:
    result = run.run_entry("Dockerfile", BLOCKED, limit=20)
    assert result.parse_ok
    assert result.from_ok is False
    assert result.unresolved == ("nosuch/image:1.0",)
    assert result.strict.blocker == "image 'nosuch/image:1.0' not in catalog"
    assert run.category(result.strict.blocker) == "FROM"
    assert not result.strict.crash and not result.crashed


def test_swap_bases_builds_on_the_nearest_catalog_image() -> None:
    result = run.run_entry("Dockerfile", BLOCKED, limit=20, swap_bases=True)
    assert result.from_ok is False  # the FROM column still tells the truth
    assert result.swapped == (("nosuch/image:1.0", run.SWAP_DEFAULT),)
    # the build got past FROM: what stops it now is a RUN line (no npm in debian)
    assert run.category(result.strict.blocker) == "RUN", result.strict
    text = run.report([], {}, [])
    assert "--swap-bases" not in text
    entry = run.Entry("o/r", "Dockerfile", "0" * 40, "node", "2026-01-01")
    assert "`nosuch/image:1.0` | `debian:bookworm` | 1" in run.report(
        [entry], {entry.key: result}, []
    )


def test_swap_for_prefers_the_same_repository_then_a_named_family() -> None:
    assert run.swap_for("node:10.14.2", ["node:10", "alpine:3.19"]) == "node:10"
    assert run.swap_for("rust:1.89-alpine3.22", ["debian:bookworm"]) == "alpine:3.19"
    assert run.swap_for("lukemathwalker/cargo-chef:latest-rust-1", []) == "rust:1"
    assert run.swap_for("mcr.microsoft.com/dotnet/sdk:8.0", []) == run.SWAP_DEFAULT


def test_parse_errors_are_recorded_not_raised() -> None:
    result = run.run_entry("Dockerfile", "FROM alpine:3.19\nCOPY\n")
    assert result.parse_ok  # the parser accepts it; the instruction is bad
    assert "COPY" in result.load_error
    assert not result.strict.ok and not result.crashed


def test_an_exception_that_is_not_an_emu_error_is_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise TypeError("bad thing")

    monkeypatch.setattr(emu, "build", boom)
    result = run.run_entry("Dockerfile", BUILDS)
    assert result.crashed
    assert result.strict.crash and result.strict.blocker.startswith("CRASH TypeError: bad thing")


@pytest.mark.parametrize(
    ("message", "hint", "expected"),
    [
        (
            "image 'ngnix:alpine': not in emu's offline catalog (did you mean nginx:alpine?)",
            None,
            "image 'ngnix:alpine' not in catalog",
        ),
        (
            "image 'a:1@sha256:" + "ab" * 32 + "': pinned by digest, and more",
            None,
            "image 'a:1@sha256:abababababab…' pinned by digest (catalog has no digests)",
        ),
        (
            "RUN: 'cmake' is not emulated (emu emulates 300 programs: emu tools)",
            None,
            "RUN: 'cmake' is not emulated",
        ),
        (
            'process "/bin/sh -c apt-get install -y foo" did not complete successfully: '
            "exit code: 100",
            "Reading package lists... / E: Unable to locate package foo",
            "apt package 'foo' unknown",
        ),
        (
            'process "/bin/sh -c make" did not complete successfully: exit code: 127',
            "sh: make: not found",
            "RUN: 'make' not found",
        ),
        (
            'process "/bin/sh -c yarn x" did not complete successfully: exit code: 1',
            'error Command "x" not found. / info Visit https://yarnpkg.com for docs.',
            'RUN exit 1: error Command "x" not found.',
        ),
    ],
)
def test_blockers_are_normalised(message: str, hint: str | None, expected: str) -> None:
    assert run.blocker(BuildError(message, hint=hint)) == expected


def test_report_counts() -> None:
    entries = [
        run.Entry("a/b", "Dockerfile", "1" * 40, "go", "2026-01-01"),
        run.Entry("c/d", "x/Dockerfile", "2" * 40, "node", "2026-01-01"),
        run.Entry("e/f", "Dockerfile", "3" * 40, "rust", "2026-01-01"),
    ]
    results = {
        entries[0].key: run.run_entry("Dockerfile", BUILDS, limit=20),
        entries[1].key: run.run_entry("Dockerfile", BLOCKED, limit=20),
    }
    text = run.report(entries, results, missing=[entries[2]])
    assert "| parse | 2/2 (100%) |" in text
    assert "| every FROM resolves (after ARG expansion) | 1/2 (50%) |" in text
    assert "| `emu build` strict | 1/2 (50%) |" in text
    assert "| `nosuch/image` | 1 | `nosuch/image:1.0` |" in text
    assert "First blocker of each file, strict: ok 1, FROM 1." in text
    assert "| 1 | FROM | image 'nosuch/image:1.0' not in catalog | 1 |" in text
    assert "| 3 | [e/f/Dockerfile]" in text and "no copy" in text


def test_files_broken_upstream_are_counted_apart_with_the_reason() -> None:
    entries = [
        run.Entry("a/b", "Dockerfile", "1" * 40, "go", "2026-01-01"),
        run.Entry("c/d", "Dockerfile", "2" * 40, "go", "2026-01-01"),
        run.Entry("e/f", "Dockerfile", "3" * 40, "go", "2026-01-01"),
    ]
    typo = BUILDS.replace("FROM alpine", "FROM --platform= --platform=arm64 alpine", 1)
    results = {
        entries[0].key: run.run_entry("Dockerfile", BUILDS, limit=20),
        entries[1].key: run.run_entry("Dockerfile", typo, limit=20),
        entries[2].key: run.run_entry("Dockerfile", BUILDS, limit=20),
    }
    assert not results[entries[1].key].permissive.ok
    broken = {entries[1].key: "a repeated --platform flag", entries[2].key: "a stale reason"}
    text = run.report(entries, results, missing=[], broken=broken)
    # the headline keeps every file; the lines that say so leave the broken ones out
    assert "| `emu build` strict | 2/3 (67%) |" in text
    assert "| broken upstream (fail in a real build too; see below) | 2 |" in text
    assert "| `emu build --permissive`, files not broken upstream | 1/1 (100%) |" in text
    assert "| c/d/Dockerfile | a repeated --platform flag | FROM: duplicate flag" in text
    # a listed file that emu builds is not hidden: a fault emu misses
    assert "| e/f/Dockerfile | a stale reason | BUILDS: emu misses the fault |" in text


def test_broken_tsv_names_corpus_files_with_a_reason() -> None:
    broken = run.read_broken()
    keys = {e.key for e in run.read_corpus()}
    assert broken and set(broken) <= keys
    assert all(len(reason) > 20 for reason in broken.values())


# --- what the placeholder context derives from the RUN and COPY lines ----------------------


def test_context_follows_copies_between_stages_and_cd() -> None:
    text = (
        "FROM node:20 AS build\nWORKDIR /app\nCOPY . .\nRUN cd webapp && npm ci\n"
        "FROM python:3.12\nWORKDIR /srv\nCOPY --from=build /app .\n"
        "RUN ./manage.py collectstatic && cp .env.example .env && rm .gitignore\n"
        "RUN go build -o server ./cmd/server/main.go\n"
    )
    files = run.context_files(text)
    # the second stage's /srv is the context (copied through the build stage)
    assert {"manage.py", ".env.example", ".gitignore", "cmd/server/main.go"} <= set(files)
    assert files["manage.py"].startswith(b"#!/usr/bin/env python")
    # cd webapp && npm ci: the node project is in webapp/
    assert {"webapp/package.json", "webapp/package-lock.json"} <= set(files)


def test_make_targets_and_folders_come_from_the_run_lines() -> None:
    text = (
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN apk add make gcc\n"
        "RUN make -C ui build && make clean-all BUILD=1 server\n"
    )
    assert run.make_calls(text) == [("ui", ["build"]), ("", ["clean-all", "server"])]
    files = run.context_files(text)
    assert "ui/Makefile" in files and "Makefile" in files
    makefile = files["Makefile"].decode()
    assert makefile.startswith("all: build clean-all server\n")
    assert "clean-all:\n\t@echo clean-all\n" in makefile


def test_the_makefile_makes_what_later_steps_take_from_its_stage() -> None:
    text = (
        "FROM tonistiigi/xx:1.9.0 AS xx\n"
        "FROM golang:1.22-alpine AS build\nCOPY --from=xx / /\nWORKDIR /src\nCOPY . .\n"
        "RUN apk add --no-cache make && make release DESTDIR=/out && xx-verify /out/tool\n"
        "FROM alpine:3.19\nCOPY --from=build /go/bin/app /src/README.md /usr/bin/\n"
        "COPY --from=build /out /opt/\nCOPY --from=build /src/web /srv/web\n"
        "COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n"
    )
    # programs only: not the checkout's files (README.md, web/ come from COPY . .), not
    # the image's (/etc), not a folder holding another product (/out)
    assert run.make_products(text) == ["/out/tool", "/go/bin/app"]
    makefile = run.context_files(text)["Makefile"].decode()
    assert "printf '#!/bin/sh\\nexit 0\\n' > /go/bin/app && chmod 755 /go/bin/app" in makefile
    assert run.make_products(text.replace("make release", "go build")) == []
    result = run.run_entry("Dockerfile", text, limit=20)
    assert result.strict.ok, result.strict.blocker


def test_the_lockfile_holds_the_packages_the_run_lines_read_from_it() -> None:
    text = (
        "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\n"
        """RUN V="$(jq -r '.packages["node_modules/turbo"].version' package-lock.json)" """
        '&& npm install -g "turbo@$V"\n'
    )
    files = run.context_files(text)
    lock = json.loads(files["package-lock.json"])
    assert lock["packages"]["node_modules/turbo"] == {"version": "2.0.4"}  # emu's npm table
    assert json.loads(files["package.json"])["dependencies"] == {"turbo": "2.0.4"}


def test_nested_dotnet_projects_get_a_solution_at_the_top() -> None:
    text = (
        "FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build\nWORKDIR /src\nCOPY . .\n"
        "RUN dotnet restore\nWORKDIR /src/src/Api\nRUN dotnet build --no-restore -o /app\n"
    )
    files = run.context_files(text)
    assert "app.csproj" not in files and "src/Api/app.csproj" in files
    sln = files["app.sln"].decode()
    assert '"src\\Api\\app.csproj"' in sln
    assert run.run_entry("Dockerfile", text, limit=20).strict.ok
    # a project at the top only: no solution
    assert "app.sln" not in run.context_files(text.replace("WORKDIR /src/src/Api\n", ""))


def test_the_pom_configures_the_assembly_the_dockerfile_builds() -> None:
    text = (
        "FROM maven:3.9 AS build\nWORKDIR /w\nCOPY pom.xml .\nCOPY src src\n"
        "RUN mvn clean compile assembly:single\n"
        "FROM eclipse-temurin:17-jre\nCOPY --from=build /w/target/app.jar /app.jar\n"
    )
    pom = run.pom_xml(text)
    assert "<finalName>app</finalName>" in pom
    assert "<descriptorRef>jar-with-dependencies</descriptorRef>" in pom
    assert "<appendAssemblyId>false</appendAssemblyId>" in pom
    assert run.run_entry("Dockerfile", text, limit=20).strict.ok
    # a copied target/app-jar-with-dependencies.jar keeps the assembly's id
    pom = run.pom_xml(text.replace("app.jar /", "app-jar-with-dependencies.jar /"))
    assert "<finalName>app</finalName>" in pom and "appendAssemblyId" not in pom
    assert "maven-assembly-plugin" not in run.pom_xml(text.replace("assembly:single", "package"))


def test_files_named_after_cd_are_looked_for_where_cd_went() -> None:
    text = (
        "FROM debian:bookworm\nWORKDIR /usr/src/app\nCOPY docker/ ./docker/\n"
        "RUN cd docker && cp policy.xml /etc/policy.xml && cp entrypoint.sh /sbin/\n"
    )
    files = run.context_files(text)
    assert {"docker/policy.xml", "docker/entrypoint.sh"} <= set(files)
    assert "policy.xml" not in files


def test_a_prebuilt_spring_boot_jar_in_the_context_is_a_layered_jar() -> None:
    text = (
        "FROM eclipse-temurin:17-jre AS builder\nWORKDIR /app\nCOPY target/*.jar app.jar\n"
        "RUN java -Djarmode=layertools -jar app.jar extract\n"
        "FROM eclipse-temurin:17-jre\nCOPY --from=builder /app/dependencies/ ./\n"
        "COPY --from=builder /app/application/ ./\n"
    )
    files = run.context_files(text)
    [jar] = [f for f in files if f.startswith("target/") and f.endswith(".jar")]
    assert files[jar].startswith(b"PK") and b"BOOT-INF/layers.idx" in files[jar]
    assert run.run_entry("Dockerfile", text, limit=20).strict.ok


def test_build_outputs_name_the_project() -> None:
    cargo = (
        "FROM rust:1 AS b\nCOPY . .\nRUN cargo build --release -p a -p tool\n"
        "FROM debian\nCOPY --from=b /target/release/app /app\n"
        "COPY --from=b /target/release/tool /tool\n"
    )
    assert run.crates(cargo) == ["app", "tool"]
    assert '[[bin]]\nname = "tool"' in run.cargo_toml(cargo)
    assert run.crates('RUN cargo build\nRUN mv target/"${MODE}"/lemmy ./\n') == ["lemmy"]
    linked = "RUN cargo build\nCOPY --from=build /app/target/final/vault .\n"
    assert run.crates(linked) == ["vault"]
    maven = "FROM maven AS m\nRUN mvn package\nFROM jre\nCOPY --from=m /w/target/bench-1.0.jar a\n"
    assert "<finalName>bench-1.0</finalName>" in run.pom_xml(maven)
    sbt = "RUN sbt assembly\nCOPY --from=b /b/target/scala-2.13/out.jar /o.jar\n"
    assert run.build_sbt(sbt) == (
        'scalaVersion := "2.13.12"\nassembly / assemblyJarName := "out.jar"\n'
    )


def test_node_projects_get_the_tools_their_run_lines_call() -> None:
    text = (
        "FROM node:20 AS b\nWORKDIR /app\nCOPY . .\n"
        "RUN npm ci && ./node_modules/.bin/grunt build && npm run build-docker\n"
        "FROM nginx\nCOPY --from=b /app/dist /usr/share/nginx/html\n"
    )
    manifest = json.loads(run.package_json(text))
    assert manifest["dependencies"]["grunt"]  # node_modules/.bin/grunt: its package
    assert manifest["scripts"]["build-docker"] == "vite build"  # a build script builds
    angular = "FROM node\nCOPY . .\nRUN npm ci && ng build --output-path dist\n"
    assert run.frontend(angular) == "angular"
    assert "angular.json" in run.context_files(angular)
    # yarn's options before a script name, npm run of a name pnpm has as a command
    scripts = json.loads(run.package_json("RUN yarn --cwd web seed && npm run deploy\n"))
    assert {"seed", "deploy"} <= set(scripts["scripts"])


def test_requirements_name_the_console_scripts_run() -> None:
    text = "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    assert run.requirements(text) == "flask==3.0.3\n"
    assert "mkdocs==" in run.requirements(text + "RUN mkdocs build\n")


def test_bin_is_build_output_only_where_a_build_writes_it() -> None:
    node = "FROM node AS b\nWORKDIR /a\nCOPY . .\nFROM node\nCOPY --from=b /a/bin /bin2\n"
    assert "bin/placeholder.txt" in run.context_files(node)
    dotnet = node.replace("COPY . .", "COPY . .\nRUN dotnet publish")
    assert not any(f.startswith("bin/") for f in run.context_files(dotnet))


def test_mix_tasks_the_run_lines_call_are_the_projects_or_its_dependencies() -> None:
    text = (
        "FROM elixir:1.17\nWORKDIR /app\nCOPY mix.exs ./\nCOPY lib ./lib\n"
        "RUN mix deps.get && mix do sentry.package_source_code, download_db\n"
    )
    assert run.mix_tasks(text) == (["sentry"], ["download_db"])
    files = run.context_files(text)
    assert b"{:sentry," in files["mix.exs"]
    assert b"defmodule Mix.Tasks.DownloadDb do" in files["lib/mix/tasks/download_db.ex"]
