"""``cargo`` (and ``rustc --version``), modelled (``data/cargo.yaml``).

``cargo build [--release] [--locked] [--bin NAME]`` reads ``Cargo.toml`` (``[package]``,
``[[bin]]``, ``[dependencies]``), fetches the crates into ``$CARGO_HOME/registry``
(index, .crate archives, extracted sources), writes ``Cargo.lock`` when missing and fills
``target/<profile>/``: ``deps/`` with an artefact per crate, ``build/``, ``.fingerprint/``
and the executable ``target/release/<name>`` (a release hello world is ~430 kB; dependencies
add their share). The ``target`` directory is hundreds of megabytes while the binary is a
few: the multi-stage lesson. As cargo: no ``Cargo.toml`` → ``error: could not find
`Cargo.toml` in `/app` or any parent directory`` (status 101); no ``src/main.rs`` nor
``src/lib.rs`` nor ``[[bin]]`` → the manifest error; ``--locked`` without a lock file →
the lock error. ``cargo install --path .``, ``fetch``, ``test``, ``check``, ``clean`` and
``--version`` are modelled too; ``cargo run`` is not (programs are not run).
"""

from __future__ import annotations

import json
import posixpath
import re
import tomllib
from typing import Any

from emu.records import field, record
from emu.sh.api import Proc
from emu.sh.options import Opts, Syntax
from emu.sh.tools._base import ToolError, Writer, cannot_run, child, modelled, tool
from emu.sh.tools._data import data, digest, mb, size_of
from emu.sh.tools._image import (
    find_up,
    home,
    is_dir,
    is_file,
    listdir,
    node_at,
    read_text,
    tree_bytes,
    walk_files,
    which,
)

INDEX = "index.crates.io-6f17d22bba15001f"


@record(slots=True)
class Crate:
    name: str
    version: str
    src: int
    rlib: int
    bin: int
    deps: list[str] = field(default_factory=list)


def crate(name: str, version: str | None = None) -> Crate:
    t = data("cargo")
    raw = t["crates"].get(name) or t["default"]
    return Crate(
        name,
        version or str(raw["v"]),
        size_of(raw["src"]),
        size_of(raw["rlib"]),
        size_of(raw["bin"]),
        [str(d) for d in raw.get("deps", ())],
    )


@record(slots=True)
class Manifest:
    path: str
    name: str
    version: str
    bins: list[str]
    lib: bool
    deps: dict[str, str]
    edition: str
    workspace_members: list[str] = field(default_factory=list)

    @property
    def dir(self) -> str:
        return posixpath.dirname(self.path)


def _version_of(spec: Any) -> str | None:
    if isinstance(spec, str):
        m = re.search(r"\d+(?:\.\d+){0,2}", spec)
        return m.group(0) if m else None
    if isinstance(spec, dict):
        if "path" in spec or "git" in spec:
            return None
        return _version_of(spec.get("version", ""))
    return None


def read_manifest(proc: Proc, path: str) -> Manifest:
    text = read_text(proc, path) or ""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ToolError(
            f"error: failed to parse manifest at `{path}`\n\nCaused by:\n  {exc}", 101
        ) from None
    d = posixpath.dirname(path)
    pkg = raw.get("package") or {}
    ws = raw.get("workspace") or {}
    if not pkg and ws:
        return Manifest(path, "", "", [], False, {}, "", [str(m) for m in ws.get("members", [])])
    if not pkg.get("name"):
        raise ToolError(
            f"error: failed to parse manifest at `{path}`\n\nCaused by:\n  missing field `name`",
            101,
        )
    name = str(pkg["name"])
    bins = [str(b.get("name", name)) for b in raw.get("bin", []) if isinstance(b, dict)]
    has_main = is_file(proc, f"{d}/src/main.rs")
    if has_main and name not in bins:
        bins.insert(0, name)
    for f in sorted(walk_files(proc, f"{d}/src/bin")):
        stem = posixpath.basename(f)[:-3] if f.endswith(".rs") else ""
        if stem and stem not in bins:
            bins.append(stem)
    lib = is_file(proc, f"{d}/src/lib.rs") or "lib" in raw
    if not bins and not lib:
        raise ToolError(
            f"error: failed to parse manifest at `{path}`\n\nCaused by:\n  no targets"
            " specified in the manifest\n  either src/lib.rs, src/main.rs, a [lib] "
            "section, or [[bin]] section must be present",
            101,
        )
    deps: dict[str, str] = {}
    for key in ("dependencies", "build-dependencies"):
        for n, spec in (raw.get(key) or {}).items():
            v = _version_of(spec)
            if isinstance(spec, dict) and "git" in spec:
                raise ToolError(
                    f"    Updating git repository `{spec['git']}`\nerror: failed to "
                    f"get `{n}` as a dependency of package `{name}`\n\nCaused by:\n  "
                    "failed to load source for dependency\n\nemu: no network in emu "
                    "builds (crates.io is modelled offline, git sources are not)",
                    101,
                )
            if v is not None or isinstance(spec, str):
                deps[str(n)] = v or ""
    version = pkg.get("version", "0.1.0")
    if isinstance(version, dict):
        version = "0.1.0"
    return Manifest(
        path, name, str(version), bins, bool(lib), deps, str(pkg.get("edition", "2021"))
    )


def _resolve(m: Manifest, lock: dict[str, str]) -> list[Crate]:
    out: dict[str, Crate] = {}

    def add(name: str, version: str | None) -> None:
        if name in out:
            return
        c = crate(name, lock.get(name) or _pick(name, version))
        out[name] = c
        for d in c.deps:
            add(d, None)

    for n, v in m.deps.items():
        add(n, v)
    return list(out.values())


def _pick(name: str, version: str | None) -> str | None:
    table_v = crate(name).version
    if not version:
        return table_v
    if table_v.split(".")[0] == version.split(".")[0] and table_v.split(".")[0] != "0":
        return table_v
    if table_v.split(".")[:2] == [*version.split("."), "0"][:2]:
        return table_v
    parts = [*version.split("."), "0", "0"][:3]
    return ".".join(parts)


def _lock_pins(text: str) -> dict[str, str]:
    pins: dict[str, str] = {}
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return pins
    for p in raw.get("package", []):
        if isinstance(p, dict) and "name" in p:
            pins[str(p["name"])] = str(p.get("version", ""))
    return pins


def _lock_text(m: Manifest, crates: list[Crate]) -> str:
    lines = [
        "# This file is automatically @generated by Cargo.",
        "# It is not intended for manual editing.",
        "version = 3",
        "",
    ]
    entries = [(m.name, m.version, None, sorted(m.deps))] + [
        (c.name, c.version, "registry+https://github.com/rust-lang/crates.io-index", sorted(c.deps))
        for c in crates
    ]
    for name, version, source, deps in sorted(entries, key=lambda e: e[0]):
        lines += ["[[package]]", f'name = "{name}"', f'version = "{version}"']
        if source:
            lines += [f'source = "{source}"', f'checksum = "{digest(name, version)}"']
        if deps:
            lines.append("dependencies = [")
            lines.extend(f' "{d}",' for d in deps)
            lines.append("]")
        lines.append("")
    return "\n".join(lines)


def _cargo_home(proc: Proc) -> str:
    return proc.env.get("CARGO_HOME") or posixpath.join(home(proc), ".cargo")


def _target_dir(proc: Proc, m: Manifest) -> str:
    t = proc.env.get("CARGO_TARGET_DIR")
    return proc.path(t) if t else f"{m.dir}/target"


def _find(proc: Proc, manifest_path: str | None) -> Manifest:
    if manifest_path:
        path = proc.path(manifest_path)
        if not is_file(proc, path):
            raise ToolError(f"error: manifest path `{manifest_path}` does not exist", 101)
    else:
        found = find_up(proc, proc.cwd, ("Cargo.toml",))
        if found is None:
            raise ToolError(
                f"error: could not find `Cargo.toml` in `{proc.cwd}` or any parent directory", 101
            )
        path = found
    m = read_manifest(proc, path)
    if m.workspace_members:
        raise ToolError(
            "emu: cargo workspaces are not modelled; build a member with --manifest-path", 101
        )
    return m


def _rust_version(proc: Proc) -> str:
    return proc.env.get("RUST_VERSION") or "1.98.0"


# cargo's options that the model reads or must skip (clap also reads --name=value, -pNAME).
CARGO = Syntax(
    (
        "-p|--package= -F|--features= -j|--jobs= -r|--release --manifest-path= --bin= --target= "
        "--target-dir= --profile= --path= --root= --version= --vcs= --name= --edition= --example= "
        "--test= --bench="
    ),
    short=True,
)


# cargo new / init: --bin and --lib are flags there (--bin NAME is build's).
NEW = Syntax("--name= --edition= --vcs= --registry=", short=True)


def _config_target(proc: Proc) -> str | None:
    """The target triple cargo builds for without --target: $CARGO_BUILD_TARGET, else
    ``[build] target`` of the first cargo config found from the working directory up,
    then in $CARGO_HOME (what images such as rust-musl-builder set)."""
    if proc.env.get("CARGO_BUILD_TARGET"):
        return proc.env["CARGO_BUILD_TARGET"]
    d, dirs = proc.cwd, []
    while True:
        dirs.append(f"{d.rstrip('/')}/.cargo")
        if d == "/":
            break
        d = posixpath.dirname(d)
    dirs.append(_cargo_home(proc))
    for folder in dirs:
        for name in ("config.toml", "config"):
            text = read_text(proc, f"{folder}/{name}")
            if text is None:
                continue
            try:
                build = tomllib.loads(text).get("build") or {}
            except tomllib.TOMLDecodeError:
                continue
            if isinstance(build, dict) and isinstance(build.get("target"), str):
                return str(build["target"])
    return None


@tool("cargo", note="modelled: cargo builds (registry, target/ with deps, realistic binaries)")
def cargo(proc: Proc) -> int:
    args = proc.argv[1:]
    if args and args[0] in ("--version", "-V", "version"):
        proc.out(f"cargo {_rust_version(proc)} (0000000 1970-01-01)\n")
        return 0
    if not args:
        proc.out("Rust's package manager\n\nUsage: cargo [+toolchain] [OPTIONS] [COMMAND]\n")
        return 0
    cmd, rest = args[0], args[1:]
    if cmd in ("new", "init"):
        return _new(proc, cmd, NEW.parse(rest))
    o = CARGO.parse(rest)
    if cmd == "install":
        path = o.get("--path")
        if path is None:
            name = o.args[0] if o.args else ""
            c = crate(name)
            root = o.get("--root") or _cargo_home(proc)
            Writer(proc).blob(
                f"{root}/bin/{name}",
                size_of(data("cargo")["binary"]["base"]) + c.bin * 4,
                f"{name} {c.version} installed by cargo (modelled size)",
                0o755,
            )
            proc.stderr.write(
                f"  Installing {name} v{c.version}\n   Installed package `{name} v{c.version}`\n"
            )
            return 0
        m = _find(proc, posixpath.join(path, "Cargo.toml"))
        return _build(proc, m, o, release=True, install_root=o.get("--root") or _cargo_home(proc))
    if cmd == "chef" and which(proc, "cargo-chef") is not None:
        return _chef(proc, rest)
    m = _find(proc, o.get("--manifest-path"))
    target_dir = o.get("--target-dir")
    if target_dir is not None:
        proc = _with_env(proc, "CARGO_TARGET_DIR", target_dir)
    if cmd in ("build", "b"):
        release = "--release" in o or o.get("--profile") == "release"
        return _build(proc, m, o, release=release)
    if cmd in ("fetch", "generate-lockfile", "update"):
        _fetch(proc, m, o, quiet=False)
        return 0
    if cmd in ("check", "c", "clippy", "fmt", "doc"):
        _fetch(proc, m, o, quiet=False)
        proc.stderr.write(
            f"    Checking {m.name} v{m.version} ({m.dir})\n    Finished `dev` "
            "profile [unoptimized + debuginfo] target(s) in 2.00s\n"
        )
        return 0
    if cmd in ("test", "t"):
        _build(proc, m, o, release="--release" in o)
        proc.out(
            "\nrunning 0 tests\n\ntest result: ok. 0 passed; 0 failed; 0 ignored; 0 "
            "measured; 0 filtered out; finished in 0.00s\n\n"
        )
        modelled(proc, "cargo test (tests are not run)")
        return 0
    if cmd == "clean":
        Writer(proc).remove(_target_dir(proc, m))
        return 0
    if cmd in ("run", "r"):
        return cannot_run(proc, "cargo run builds and", 101)
    raise ToolError(
        f"error: no such command: `{cmd}`\n\n\tView all installed commands with `cargo --list`", 101
    )


CHEF = Syntax(
    "--recipe-path= --release --target= --bin= -F|--features= -p|--package= --profile= "
    "--target-dir= --manifest-path=",
    short=True,
)


def _chef(proc: Proc, args: list[str]) -> int:
    """cargo-chef (``cargo install cargo-chef``; the lukemathwalker/cargo-chef images):
    ``prepare`` writes the project's skeleton — manifests and lock file — to recipe.json;
    ``cook`` writes that skeleton back with empty sources and builds the dependencies
    only, the layer Docker caches while the sources change."""
    sub = args[0] if args else ""
    o = CHEF.parse(args[1:])
    recipe = proc.path(o.get("--recipe-path") or "recipe.json")
    if sub == "prepare":
        m = _find(proc, o.get("--manifest-path"))
        manifests = [{"relative_path": posixpath.relpath(m.path, proc.cwd),
                      "contents": read_text(proc, m.path) or ""}]  # fmt: skip
        for member in _members(proc, m):
            manifests.append({"relative_path": posixpath.relpath(member, proc.cwd),
                              "contents": read_text(proc, member) or ""})  # fmt: skip
        skeleton = {
            "skeleton": {
                "manifests": manifests,
                "config_file": None,
                "lock_file": read_text(proc, f"{m.dir}/Cargo.lock"),
                "rust_toolchain_file": None,
            }
        }
        Writer(proc).file(recipe, json.dumps(skeleton, indent=2) + "\n")
        return 0
    if sub == "cook":
        text = read_text(proc, recipe)
        if text is None:
            raise ToolError(f"Error: Failed to read recipe from {recipe}\n\nCaused by:\n    No "
                            "such file or directory (os error 2)", 1)  # fmt: skip
        try:
            sk = json.loads(text)["skeleton"]
        except (ValueError, KeyError, TypeError):
            raise ToolError(f"Error: Failed to deserialize recipe from {recipe}", 1) from None
        w = Writer(proc)
        for man in sk.get("manifests", []):
            path = proc.path(man["relative_path"])
            w.file(path, man["contents"])
            src = posixpath.join(posixpath.dirname(path), "src")
            if not is_file(proc, f"{src}/main.rs") and not is_file(proc, f"{src}/lib.rs"):
                w.file(f"{src}/main.rs", "fn main() {}\n")
                w.file(f"{src}/lib.rs", "")
        if sk.get("lock_file"):
            w.file(proc.path("Cargo.lock"), sk["lock_file"])
        m = _find(proc, o.get("--manifest-path"))
        release = "--release" in o or o.get("--profile") == "release"
        return _build(proc, m, o, release=release, deps_only=True)
    raise ToolError(f"error: unrecognized subcommand '{sub}'\n\nUsage: cargo chef <COMMAND>", 2)


def _members(proc: Proc, m: Manifest) -> list[str]:
    """The Cargo.toml of each workspace member the root manifest lists."""
    text = read_text(proc, m.path) or ""
    out: list[str] = []
    block = re.search(r"members\s*=\s*\[([^\]]*)\]", text, re.S)
    for pat in re.findall(r'"([^"]+)"', block.group(1)) if block else []:
        base = posixpath.join(m.dir, pat.rstrip("/*"))
        dirs = (
            [posixpath.join(base, d) for d in listdir(proc, base)] if pat.endswith("*") else [base]
        )
        out += [f"{d}/Cargo.toml" for d in dirs if is_file(proc, f"{d}/Cargo.toml")]
    return out


def _with_env(proc: Proc, k: str, v: str) -> Proc:
    env = dict(proc.env)
    env[k] = v
    return child(proc, proc.argv, env=env)


def _fetch(proc: Proc, m: Manifest, o: Opts, quiet: bool) -> list[Crate]:
    lock_path = f"{m.dir}/Cargo.lock"
    lock_text = read_text(proc, lock_path)
    if lock_text is None and ("--locked" in o or "--frozen" in o):
        raise ToolError(
            f"error: the lock file {lock_path} needs to be updated but --locked was "
            "passed to prevent this\nIf you want to try to generate the lock file "
            "without accessing the network, remove the --locked flag and use "
            "--offline instead.",
            101,
        )
    pins = _lock_pins(lock_text) if lock_text else {}
    crates = _resolve(m, pins)
    if lock_text is not None and ("--locked" in o or "--frozen" in o):
        missing = [c.name for c in crates if c.name not in pins]
        if missing:
            raise ToolError(
                f"error: the lock file {lock_path} needs to be updated but --locked "
                "was passed to prevent this",
                101,
            )
    w = Writer(proc)
    if lock_text is None:
        w.file(lock_path, _lock_text(m, crates))
    reg = f"{_cargo_home(proc)}/registry"
    fresh = [c for c in crates if not is_dir(proc, f"{reg}/src/{INDEX}/{c.name}-{c.version}")]
    if fresh and "--offline" in o:
        raise ToolError(
            f"error: no matching package named `{fresh[0].name}` found\nlocation "
            "searched: registry `crates-io`\nrequired by package `"
            f"{m.name} v{m.version} ({m.dir})`\nAs a reminder, you're using offline "
            "mode (--offline) which can sometimes cause surprising resolution "
            "failures",
            101,
        )
    if fresh:
        if not quiet:
            proc.stderr.write("    Updating crates.io index\n")
        if not is_dir(proc, f"{reg}/index/{INDEX}"):
            w.blob(
                f"{reg}/index/{INDEX}/.cache/emu-index.blob",
                size_of(data("cargo")["index"]),
                "crates.io sparse index entries (modelled size)",
            )
        if not quiet:
            proc.stderr.write(" Downloading crates ...\n")
        for c in fresh:
            if not quiet:
                proc.stderr.write(f"  Downloaded {c.name} v{c.version}\n")
            w.blob(
                f"{reg}/cache/{INDEX}/{c.name}-{c.version}.crate",
                max(1000, c.src // 5),
                f"{c.name} {c.version} .crate archive (modelled size)",
            )
            w.blob(
                f"{reg}/src/{INDEX}/{c.name}-{c.version}/emu-crate.blob",
                c.src,
                f"{c.name} {c.version} extracted source (modelled size)",
            )
        if not quiet:
            proc.stderr.write(
                f"  Downloaded {len(fresh)} crates ({mb(sum(c.src // 5 for c in fresh))})\n"
            )
    return crates


def _build(
    proc: Proc,
    m: Manifest,
    o: Opts,
    release: bool,
    install_root: str | None = None,
    deps_only: bool = False,
) -> int:
    crates = _fetch(proc, m, o, quiet=False)
    t = data("cargo")
    profile = "release" if release else "debug"
    shown = "release" if release else "dev"
    target_dir = _target_dir(proc, m)
    triple = o.get("--target") or _config_target(proc)
    out = f"{target_dir}/{triple}/{profile}" if triple else f"{target_dir}/{profile}"
    w = Writer(proc)
    for c in crates:
        h = digest(c.name, c.version, profile)[:16]
        if is_dir(proc, f"{out}/.fingerprint/{c.name}-{h}"):
            continue  # fresh: built by an earlier run
        proc.stderr.write(f"   Compiling {c.name} v{c.version}\n")
        rlib = c.rlib if release else c.rlib * 3
        w.blob(
            f"{out}/deps/lib{c.name.replace('-', '_')}-{h}.rlib",
            rlib,
            f"{c.name} {c.version} compiled ({profile}; modelled size)",
        )
        w.file(f"{out}/.fingerprint/{c.name}-{h}/lib-{c.name}", h + "\n")
    if deps_only:  # cargo chef cook: the dependencies only, the cached layer
        note = "[optimized]" if release else "[unoptimized + debuginfo]"
        proc.stderr.write(f"    Finished `{shown}` profile {note} target(s) in 42.00s\n")
        modelled(proc, f"cargo chef cook ({profile}: {len(crates)} dependency crates built)")
        return 0
    proc.stderr.write(f"   Compiling {m.name} v{m.version} ({m.dir})\n")
    w.file(
        f"{target_dir}/CACHEDIR.TAG",
        "Signature: 8a477f597d28d172789f06886806bc55\n# This "
        "file is a cache directory tag created by cargo.\n",
    )
    w.file(f"{out}/.cargo-lock", "")
    if not release:
        w.blob(
            f"{out}/incremental/{m.name}-{digest(m.name)[:13]}/emu-incremental.blob",
            12_000_000,
            "incremental compilation state (modelled size)",
        )
    base = size_of(t["binary"]["base"])
    extra = sum(c.bin for c in crates)
    size = base + extra
    if not release:
        size = int(size * float(t["binary"]["debug_factor"]))
    profile_text = read_text(proc, m.path) or ""
    if release and re.search(r'^\s*strip\s*=\s*(true|"symbols")', profile_text, re.M):
        size = int(size * float(t["binary"]["strip_factor"]))
    wanted = o.all("--bin")[-1:] or m.bins
    for b in wanted:
        if b not in m.bins:
            raise ToolError(f"error: no bin target named `{b}`.\n", 101)
        label = (
            f"Rust executable {b} ({profile}, dynamically linked against glibc: needs a "
            "glibc base such as debian:bookworm-slim; modelled size)"
        )
        w.blob(f"{out}/{b}", size, label, 0o755)
        w.blob(
            f"{out}/deps/{b.replace('-', '_')}-{digest(b, profile)[:16]}",
            size,
            f"{b} before copying to {profile}/ (modelled size)",
            0o755,
        )
        w.file(f"{out}/{b}.d", f"{out}/{b}: {m.dir}/src/main.rs\n")
        if install_root:
            w.blob(f"{install_root}/bin/{b}", size, label, 0o755)
    if m.lib:
        w.blob(
            f"{out}/lib{m.name.replace('-', '_')}.rlib",
            200_000,
            f"{m.name} library (modelled size)",
        )
    note = "[optimized]" if release else "[unoptimized + debuginfo]"
    proc.stderr.write(f"    Finished `{shown}` profile {note} target(s) in 42.00s\n")
    if install_root:
        for b in wanted:
            proc.stderr.write(
                f"  Installing {install_root}/bin/{b}\n   Installed package "
                f"`{m.name} v{m.version} ({m.dir})` (executable `{b}`)\n"
            )
    _, tsize = tree_bytes(node_at(proc, target_dir))
    modelled(
        proc,
        f"cargo build ({profile}: {', '.join(wanted) or 'lib'} {mb(size)}; "
        f"{len(crates)} crates; target/ {mb(tsize)})",
    )
    return 0


def _new(proc: Proc, cmd: str, o: Opts) -> int:
    d = proc.path(o.args[0]) if o.args else proc.cwd
    name = o.get("--name") or posixpath.basename(d)
    if cmd == "new" and proc.fs.exists(d):
        raise ToolError(f"error: destination `{d}` already exists", 101)
    w = Writer(proc)
    w.file(
        f"{d}/Cargo.toml",
        f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n',
    )
    if "--lib" in o:
        w.file(
            f"{d}/src/lib.rs", "pub fn add(left: u64, right: u64) -> u64 {\n    left + right\n}\n"
        )
    else:
        w.file(f"{d}/src/main.rs", 'fn main() {\n    println!("Hello, world!");\n}\n')
    kind = "library" if "--lib" in o else "binary (application)"
    proc.stderr.write(f"    Creating {kind} `{name}` package\n")
    return 0


@tool("rustc", note="modelled: --version only")
def rustc(proc: Proc) -> int:
    if proc.argv[1:2] in (["--version"], ["-V"]):
        proc.out(f"rustc {_rust_version(proc)} (0000000 1970-01-01)\n")
        return 0
    raise ToolError("emu: rustc is modelled through cargo only (cargo build)", 1)


@tool("rustup", note="modelled: show/default/target add")
def rustup(proc: Proc) -> int:
    args = proc.argv[1:]
    if args[:1] == ["target"] and args[1:2] == ["add"]:
        for t in args[2:]:
            root = proc.env.get("RUSTUP_HOME", "/usr/local/rustup")
            Writer(proc).blob(
                f"{root}/toolchains/{_rust_version(proc)}-x86_64-unknown-linux-gnu/"
                f"lib/rustlib/{t}/lib/emu-std.blob",
                60_000_000,
                f"Rust standard library for {t} (modelled size)",
            )
            proc.stderr.write(
                f"info: downloading component 'rust-std' for '{t}'\ninfo: "
                f"installing component 'rust-std' for '{t}'\n"
            )
        return 0
    if args[:1] in (["--version"], ["-V"]):
        proc.out("rustup 1.27.1 (54dd3d00f 2024-04-24)\n")
        return 0
    modelled(proc, f"rustup {' '.join(args)}")
    return 0
