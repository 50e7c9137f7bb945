"""Language toolchains with smaller footprints in Dockerfiles, modelled offline: ``bun``,
``deno``, ``dart``, ``mix`` (Elixir) and ``sbt`` (Scala).

Each writes what the real tool leaves in the image — caches, dependency folders, build
outputs and executables — with sizes that are estimates (said so in their labels and in the
``emu: modelled`` line), and fails like the tool when its project file is missing:

- ``bun install`` (package.json, like npm: node_modules; bun.lockb), ``bun run`` a script,
  ``bun build`` (``--compile`` a standalone executable, else ``--outdir`` bundles), ``bunx``;
- ``deno cache|install`` (``$DENO_DIR``), ``deno compile [--output]`` (a standalone
  executable), ``deno task`` (deno.json's tasks, run by the shell); ``deno run`` is not run;
- ``dart pub get`` (``.dart_tool/package_config.json``, ``~/.pub-cache``), ``dart compile
  exe|aot-snapshot|js|kernel``;
- ``mix local.hex|local.rebar``, ``deps.get``, ``deps.compile``, ``compile``, ``release``
  (``_build/<MIX_ENV>/rel/<app>``), ``assets.deploy``, ``mix do a, b``;
- ``sbt update|compile|package|assembly|stage|clean`` (several per invocation), from
  build.sbt's ``name``, ``version``, ``scalaVersion`` and ``assemblyJarName``.
"""

from __future__ import annotations

import json
import posixpath
import re

from emu.sh.api import Proc
from emu.sh.tools._base import (
    ToolError,
    Writer,
    cannot_run,
    modelled,
    not_modelled,
    not_run,
    run_shell,
    tool,
)
from emu.sh.tools._data import mb
from emu.sh.tools._image import find_up, home, is_file, node_at, read_text, tree_bytes, walk_files

STANDALONE = 95_000_000  # a bun/deno compiled executable: the runtime plus the code


def _source_size(proc: Proc, root: str, exts: tuple[str, ...]) -> int:
    skip = frozenset({"node_modules", ".git", "build", "dist", "target", "_build", "deps"})
    return sum(
        n.size
        for f in walk_files(proc, root, skip)
        if f.endswith(exts)
        if (n := node_at(proc, f)) is not None and hasattr(n, "size")
    )


# --- bun ----------------------------------------------------------------------------------------


@tool("bun", "bunx", note="modelled: bun install / run / build (offline)")
def bun(proc: Proc) -> int:
    from emu.sh.tools import npm  # bun installs npm packages: the npm model's tree

    args = proc.argv[1:]
    if proc.name == "bunx" or args[:1] == ["x"]:
        return npm.npx_run(proc, args[1:] if args[:1] == ["x"] else args)
    if args[:1] in (["--version"], ["-v"]):
        proc.out("1.1.17\n")
        return 0
    cmd = args[0] if args else "install"
    rest = args[1:]
    if cmd in ("install", "i", "add"):
        m = npm.read_manifest(proc, proc.cwd)
        if m is None:
            raise ToolError("error: Bun could not find a package.json file to install from", 1)
        omit_dev = "--production" in rest or "-p" in rest
        tree = npm.resolve(m, omit_dev)
        w = Writer(proc)
        npm.write_tree(proc, w, proc.cwd, tree)
        if not is_file(proc, f"{proc.cwd}/bun.lockb") and "--frozen-lockfile" not in rest:
            w.blob(
                f"{proc.cwd}/bun.lockb",
                2_000 + 300 * len(tree.pkgs),
                "bun's binary lockfile (modelled size)",
            )
        cache = proc.env.get("BUN_INSTALL_CACHE_DIR") or posixpath.join(
            home(proc), ".bun/install/cache"
        )
        w.blob(f"{cache}/emu-cache.blob", tree.size() // 3, "bun's package cache (modelled size)")
        proc.out(f"bun install v1.1.17\n\n {len(tree.pkgs)} packages installed [1.00s]\n")
        modelled(proc, f"bun install ({len(tree.pkgs)} packages, {mb(tree.size())})")
        return 0
    if cmd == "run" or (cmd not in ("build",) and not cmd.startswith("-")):
        name = rest[0] if cmd == "run" and rest else cmd
        m = npm.read_manifest(proc, proc.cwd)
        if m is not None and name in m.scripts:
            proc.out(f"$ {m.scripts[name]}\n")
            return run_shell(proc, m.scripts[name], env=npm.script_env(proc, m, name, name))
        if is_file(proc, name):
            return not_run(proc, f"bun {name}", "running JavaScript is not modelled")
        raise ToolError(f'error: Script not found "{name}"', 1)
    if cmd == "build":
        entries = [a for a in rest if not a.startswith("-") and "=" not in a]
        opts = dict(a.split("=", 1) for a in rest if a.startswith("--") and "=" in a)
        flags = set(rest)

        def value(flag: str) -> str | None:
            if flag in opts:
                return opts[flag]
            return (
                rest[rest.index(flag) + 1]
                if flag in flags and rest.index(flag) + 1 < len(rest)
                else None
            )

        entries = [e for e in entries if e not in (value("--outfile"), value("--outdir"))]
        if not entries or not all(is_file(proc, e) for e in entries):
            raise ToolError(f'error: ModuleNotFound resolving "{entries[0] if entries else ""}"', 1)
        w = Writer(proc)
        if "--compile" in flags:
            out = value("--outfile") or posixpath.splitext(posixpath.basename(entries[0]))[0]
            w.blob(out, STANDALONE, "bun standalone executable (modelled size, an estimate)", 0o755)
            proc.out(f"  [1ms] compile  {out}\n")
            return 0
        outdir = value("--outdir") or "."
        for e in entries:
            name = posixpath.splitext(posixpath.basename(e))[0] + ".js"
            size = max(1_000, _source_size(proc, proc.cwd, (".ts", ".tsx", ".js", ".jsx")) // 2)
            w.blob(
                posixpath.join(outdir, name), size, f"bundle of {e} (modelled size, an estimate)"
            )
            proc.out(f"  {name}  {mb(size)}\n")
        return 0
    return not_modelled(proc, f"bun {cmd}")


# --- deno ---------------------------------------------------------------------------------------


@tool("deno", note="modelled: deno cache / compile / task (programs are not run)")
def deno(proc: Proc) -> int:
    args = proc.argv[1:]
    if args[:1] in (["--version"], ["-V"]):
        proc.out(
            "deno 2.1.3 (stable, release, x86_64-unknown-linux-gnu)\nv8 13.0.245.12-rusty\n"
            "typescript 5.6.2\n"
        )
        return 0
    cmd = args[0] if args else ""
    rest = args[1:]
    files = [a for a in rest if not a.startswith("-")]
    deno_dir = proc.env.get("DENO_DIR") or posixpath.join(home(proc), ".cache/deno")
    if cmd in ("cache", "install", "check"):
        for f in files:
            if not is_file(proc, f) and "://" not in f and not f.startswith(("npm:", "jsr:")):
                raise ToolError(f'error: Module not found "file://{proc.path(f)}".', 1)
        Writer(proc).blob(
            f"{deno_dir}/deps/emu-deps.blob",
            8_000_000,
            "downloaded and compiled modules (modelled size, an estimate)",
        )
        return 0
    if cmd == "compile":
        out = None
        if "--output" in rest:
            out = rest[rest.index("--output") + 1]
        out = out or next(
            (a.split("=", 1)[1] for a in rest if a.startswith(("--output=", "-o="))), None
        )
        if "-o" in rest:
            out = rest[rest.index("-o") + 1]
        entry = next((a for a in rest if not a.startswith("-") and a != out), None)
        if entry is None or not is_file(proc, entry):
            raise ToolError(f'error: Module not found "file://{proc.path(entry or "")}".', 1)
        out = out or posixpath.splitext(posixpath.basename(entry))[0]
        Writer(proc).blob(
            out, STANDALONE, "deno standalone executable (modelled size, an estimate)", 0o755
        )
        proc.stderr.write(f"Compile file://{proc.path(entry)} to {out}\n")
        return 0
    if cmd == "task":
        path = find_up(proc, proc.cwd, ("deno.json", "deno.jsonc"))
        tasks = {}
        if path is not None:
            try:
                tasks = json.loads(read_text(proc, path) or "{}").get("tasks", {})
            except ValueError:
                tasks = {}
        name = files[0] if files else ""
        if name not in tasks:
            raise ToolError(
                f"Task not found: {name}\nAvailable tasks:\n" + "".join(f"- {t}\n" for t in tasks),
                1,
            )
        proc.stderr.write(f"Task {name} {tasks[name]}\n")
        return run_shell(proc, str(tasks[name]), cwd=posixpath.dirname(path or proc.cwd))
    if cmd == "run":
        return not_run(proc, f"deno {' '.join(args)}", "running programs is not modelled")
    return not_modelled(proc, f"deno {cmd}")


# --- dart ---------------------------------------------------------------------------------------


@tool("dart", note="modelled: dart pub get / compile (programs are not run)")
def dart(proc: Proc) -> int:
    args = proc.argv[1:]
    if args[:1] == ["--version"]:
        proc.out('Dart SDK version: 3.4.4 (stable) on "linux_x64"\n')
        return 0
    cmd = args[0] if args else ""
    if cmd == "pub" and args[1:2] in (["get"], ["upgrade"], ["downgrade"]):
        spec = find_up(proc, proc.cwd, ("pubspec.yaml",))
        if spec is None:
            raise ToolError(f'Could not find a file named "pubspec.yaml" in "{proc.cwd}".', 66)
        root = posixpath.dirname(spec)
        text = read_text(proc, spec) or ""
        deps = re.findall(r"^  ([a-z_][a-z0-9_]*):", text.split("dependencies:", 1)[-1], re.M)
        w = Writer(proc)
        w.file(
            f"{root}/.dart_tool/package_config.json",
            json.dumps(
                {"configVersion": 2, "packages": [{"name": d, "rootUri": f"../{d}"} for d in deps]},
                indent=2,
            )
            + "\n",
        )
        if "--offline" not in args:
            cache = proc.env.get("PUB_CACHE") or posixpath.join(home(proc), ".pub-cache")
            w.blob(
                f"{cache}/hosted/pub.dev/emu-packages.blob",
                1_500_000 * max(1, len(deps)),
                "downloaded packages (modelled size, an estimate)",
            )
        proc.out("Resolving dependencies...\nGot dependencies!\n")
        return 0
    if cmd == "compile" and len(args) >= 3:
        kind, rest = args[1], args[2:]
        out = rest[rest.index("-o") + 1] if "-o" in rest else None
        out = out or next((a.split("=", 1)[1] for a in rest if a.startswith("--output=")), None)
        entry = next((a for a in rest if a.endswith(".dart")), None)
        if entry is None or not is_file(proc, entry):
            raise ToolError(f'Error: Source file "{entry}" not found.', 64)
        ext = {"exe": ".exe", "aot-snapshot": ".aot", "js": ".js", "kernel": ".dill"}.get(kind, "")
        out = out or posixpath.splitext(entry)[0] + ext
        size = {"exe": 6_000_000, "aot-snapshot": 4_000_000, "js": 300_000}.get(kind, 1_000_000)
        size += _source_size(proc, proc.cwd, (".dart",)) * 4
        Writer(proc).blob(
            out,
            size,
            f"dart compile {kind} of {entry} (modelled size, an estimate)",
            0o755 if kind == "exe" else 0o644,
        )
        proc.out(f"Generated: {proc.path(out)}\n")
        return 0
    if cmd == "run" or cmd.endswith(".dart"):
        return not_run(proc, f"dart {' '.join(args)}", "running programs is not modelled")
    return not_modelled(proc, f"dart {' '.join(args[:2])}")


# --- mix (Elixir) -------------------------------------------------------------------------------


def _mix_project(proc: Proc) -> tuple[str, str, list[str]]:
    path = find_up(proc, proc.cwd, ("mix.exs",))
    if path is None:
        raise ToolError(
            "** (Mix) Could not find a Mix.Project, please ensure you are running Mix "
            "in a directory with a mix.exs file",
            1,
        )
    text = read_text(proc, path) or ""
    m = re.search(r"app:\s*:(\w+)", text)
    deps = re.findall(r"\{:(\w+),", text.split("defp deps", 1)[-1])
    lock = read_text(proc, posixpath.join(posixpath.dirname(path), "mix.lock")) or ""
    deps += [d for d in re.findall(r'^\s*"(\w+)":', lock, re.M) if d not in deps]
    return posixpath.dirname(path), m.group(1) if m else "app", deps


@tool("mix", note="modelled: mix deps / compile / release (Elixir)")
def mix(proc: Proc) -> int:
    args = proc.argv[1:]
    if args[:1] == ["do"]:
        status = 0
        for part in " ".join(args[1:]).split(","):
            words = part.split()
            if words:
                status = status or mix(_with_argv(proc, ["mix", *words]))
        return status
    task = args[0] if args else "compile"
    env = proc.env.get("MIX_ENV", "dev")
    w = Writer(proc)
    mix_home = proc.env.get("MIX_HOME") or posixpath.join(home(proc), ".mix")
    if task == "local.hex":
        w.blob(f"{mix_home}/archives/hex-2.1.1/emu-hex.blob", 1_200_000, "Hex (modelled size)")
        proc.out("* creating " + f"{mix_home}/archives/hex-2.1.1\n")
        return 0
    if task == "local.rebar":
        w.blob(f"{mix_home}/elixir/1-17/rebar3", 900_000, "rebar3 (modelled size)", 0o755)
        proc.out(f"* creating {mix_home}/elixir/1-17/rebar3\n")
        return 0
    root, app, deps = _mix_project(proc)
    if task == "deps.get":
        for d in deps:
            w.blob(
                f"{root}/deps/{d}/emu-source.blob",
                400_000,
                f"{d} sources from Hex (modelled size, an estimate)",
            )
            proc.out(f"* Getting {d} (Hex package)\n")
        return 0
    if task in ("deps.compile", "compile"):
        targets = deps if task == "deps.compile" else [*deps, app]
        for d in targets:
            if d == app and task == "compile":
                proc.out(
                    f"Compiling {max(1, len(list(walk_files(proc, f'{root}/lib'))))} files (.ex)\n"
                    f"Generated {app} app\n"
                )
            w.blob(
                f"{root}/_build/{env}/lib/{d}/ebin/emu-beam.blob",
                300_000,
                f"{d} compiled BEAM files (modelled size, an estimate)",
            )
        return 0
    if task == "assets.deploy":
        w.blob(f"{root}/priv/static/assets/app.js", 200_000, "app.js (modelled size, an estimate)")
        w.blob(f"{root}/priv/static/assets/app.css", 50_000, "app.css (modelled size, an estimate)")
        return 0
    if task == "release":
        name = next((a for a in args[1:] if not a.startswith("-")), app)
        rel = f"{root}/_build/{env}/rel/{name}"
        w.file(f"{rel}/bin/{name}", f"#!/bin/sh\n# {name} release script (emu model)\n", 0o755)
        w.blob(
            f"{rel}/erts-15.0/bin/beam.smp", 9_000_000, "the Erlang runtime (modelled size)", 0o755
        )
        w.blob(
            f"{rel}/lib/emu-libs.blob",
            25_000_000 + 400_000 * len(deps),
            "the release's applications (modelled size, an estimate)",
        )
        w.file(f"{rel}/releases/0.1.0/env.sh", "#!/bin/sh\n", 0o755)
        proc.out(
            f"* assembling {name}-0.1.0 on MIX_ENV={env}\nRelease created at "
            f"_build/{env}/rel/{name}\n"
        )
        _, size = tree_bytes(node_at(proc, rel))
        modelled(proc, f"mix release ({mb(size)} in {rel}, an estimate)")
        return 0
    if task in ("phx.digest", "ecto.migrate", "test", "format", "run"):
        return not_modelled(proc, f"mix {task}")
    if _defined_task(proc, root, task, deps):
        # the project's own task, or one a dependency brings: Elixir code, not run
        return cannot_run(proc, f"mix {task}")
    raise ToolError(f'** (Mix) The task "{task}" could not be found', 1)


def _defined_task(proc: Proc, root: str, task: str, deps: list[str]) -> bool:
    """Whether ``mix <task>`` names a task the project defines (``defmodule
    Mix.Tasks.DownloadCountryDatabase`` in lib/) or a dependency brings (``sentry.*``
    from :sentry, ``phx.*`` from :phoenix)."""
    prefix = task.split(".", 1)[0] if "." in task else ""
    if prefix and (prefix in deps or {"phx": "phoenix"}.get(prefix) in deps):
        return True
    module = "Mix.Tasks." + ".".join(
        "".join(w.capitalize() for w in part.split("_")) for part in task.split(".")
    )
    pattern = re.compile(rf"\bdefmodule\s+{re.escape(module)}\b")
    return any(
        pattern.search(read_text(proc, f) or "")
        for f in walk_files(proc, f"{root}/lib")
        if f.endswith(".ex")
    )


def _with_argv(proc: Proc, argv: list[str]) -> Proc:
    from emu.sh.tools._base import child

    return child(proc, argv)


# --- sbt ----------------------------------------------------------------------------------------


@tool("sbt", note="modelled: sbt update / compile / package / assembly / stage")
def sbt(proc: Proc) -> int:
    build = find_up(proc, proc.cwd, ("build.sbt",))
    if build is None:
        raise ToolError(
            "[error] Neither build.sbt nor a 'project' directory in the current "
            f"directory: {proc.cwd}",
            1,
        )
    root = posixpath.dirname(build)
    text = read_text(proc, build) or ""

    def setting(key: str, default: str) -> str:
        m = re.search(rf'{key}\s*:=\s*"([^"]+)"', text)
        return m.group(1) if m else default

    name = setting("name", posixpath.basename(root) or "root")
    version = setting("version", "0.1.0-SNAPSHOT")
    scala = ".".join(setting("scalaVersion", "2.13.12").split(".")[:2])
    target = f"{root}/target/scala-{scala}"
    w = Writer(proc)
    ivy = posixpath.join(home(proc), ".cache/coursier/v1")
    if not is_file(proc, f"{ivy}/emu-deps.blob"):
        w.blob(
            f"{ivy}/emu-deps.blob",
            80_000_000,
            "sbt's dependencies in the coursier cache (modelled size, an estimate)",
        )
        w.blob(
            posixpath.join(home(proc), ".sbt/boot/emu-boot.blob"),
            60_000_000,
            "sbt and Scala's boot jars (modelled size)",
        )
    code = _source_size(proc, root, (".scala", ".java"))
    for task in [a.strip('"') for a in proc.argv[1:] if not a.startswith("-")] or ["compile"]:
        if task.startswith("project "):
            continue
        if task in ("update", "reload"):
            continue
        if task == "clean":
            w.remove(f"{root}/target")
            continue
        w.blob(
            f"{target}/classes/emu-classes.blob",
            max(10_000, code),
            "compiled classes (modelled size)",
        )
        if task == "package":
            w.blob(
                f"{target}/{name}_{scala}-{version}.jar",
                max(5_000, code // 2),
                "the project's jar (modelled size)",
            )
        elif task == "assembly":
            jar = setting("assemblyJarName", f"{name}-assembly-{version}.jar")
            w.blob(
                f"{target}/{jar}",
                30_000_000 + code,
                f"fat jar of {name} with its dependencies (modelled size, an estimate)",
            )
            proc.out(f"[info] Built: {target}/{jar}\n")
        elif task == "stage":
            stage = f"{root}/target/universal/stage"
            w.file(f"{stage}/bin/{name}", f"#!/bin/sh\n# {name} launcher (emu model)\n", 0o755)
            w.blob(
                f"{stage}/lib/emu-lib.blob",
                30_000_000 + code,
                "the application's jars (modelled size, an estimate)",
            )
        elif task not in ("compile", "test", "Test/compile"):
            return not_modelled(proc, f"sbt {task}")
    proc.out("[success] Total time: 42 s\n")
    modelled(proc, f"sbt {' '.join(proc.argv[1:]) or 'compile'} (sizes estimated)")
    return 0
