"""``npm``, ``npx``, ``yarn`` (v1), ``pnpm``, ``corepack`` and ``node``, modelled offline.

``npm install`` / ``npm ci`` read ``package.json`` (``dependencies`` and
``devDependencies``; ``--omit=dev``, ``--production`` or ``NODE_ENV=production`` leave the
dev tree out), resolve the tree from ``data/npm.yaml`` (unknown packages get a default
size) and write ``node_modules``: one folder per package with its ``package.json`` and a
size-only blob, the ``.bin`` links of their executables (``vite``, ``tsc``, …, which the
models in :mod:`emu.sh.tools.frontend` answer), and for huge trees one labelled blob per
tree under ``node_modules/.emu-hoisted``. ``install`` writes ``package-lock.json``; ``ci``
needs one, in sync, as npm does; tarballs are cached in ``~/.npm/_cacache``.
``npm run <script>`` runs the script through the shell with ``node_modules/.bin`` on
``PATH`` (``sh -c``, via ``proc.run``), with pre/post scripts and npm's failure messages.
yarn and pnpm share the resolver with their own layouts, lockfiles and messages.
``node`` answers ``--version`` and, since it cannot run JavaScript, says so.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import posixpath
import re
import shlex
from typing import Any

from emu.records import field, record
from emu.sh.api import Proc
from emu.sh.options import Opts, Syntax
from emu.sh.tools._base import (
    Denied,
    ToolError,
    Writer,
    child,
    copy_tree,
    modelled,
    not_modelled,
    not_run,
    now,
    parses,
    run_argv,
    run_shell,
    tool,
)
from emu.sh.tools._data import data, digest, mb, size_of
from emu.sh.tools._image import home, is_dir, is_file, listdir, load_json, read_text, which

# --- the registry table --------------------------------------------------------------------------


@record(slots=True)
class Spec:
    name: str
    version: str
    size: int
    deps: list[str]
    bin: dict[str, str]
    tail: tuple[int, int] | None
    known: bool


def _table() -> dict[str, Any]:
    t: dict[str, Any] = data("npm")
    return t


def spec_for(name: str, version: str | None = None) -> Spec:
    t = _table()
    raw = t["packages"].get(name)
    base = raw or t["default"]
    tail = None
    if raw and raw.get("tail"):
        tail = (int(raw["tail"]["count"]), size_of(raw["tail"]["size"]))
    return Spec(
        name=name,
        version=version or str(base["v"]),
        size=size_of(base["size"]),
        deps=[str(d) for d in base.get("deps", ())],
        bin={str(k): str(v) for k, v in (base.get("bin") or {}).items()},
        tail=tail,
        known=raw is not None,
    )


_NUM = re.compile(r"(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?([-+][0-9A-Za-z.-]+)?")


def pick_version(name: str, spec: str) -> str:
    """The version an install would pick for ``name@spec`` (the table's when it fits)."""
    table_v = spec_for(name).version
    s = spec.strip()
    if s in ("", "*", "latest", "x", "next"):
        return table_v
    m = _NUM.search(s)
    if m is None:
        return table_v
    major = m.group(1)
    minor = m.group(2) if m.group(2) and m.group(2) not in "x*" else "0"
    patch = m.group(3) if m.group(3) and m.group(3) not in "x*" else "0"
    exact = f"{major}.{minor}.{patch}{m.group(4) or ''}"
    if (
        (s[0].isascii() and s[0].isdigit())
        and m.group(2)
        and m.group(3)
        and m.group(2) not in "x*"
        and m.group(3) not in "x*"
    ):
        return exact
    tm = _NUM.match(table_v)
    if tm and tm.group(1) == major:
        t = tuple(
            int(x or 0) for x in tm.groups()[:3] if x is None or (x.isascii() and x.isdigit())
        )
        want = (int(major), int(minor), int(patch))
        if len(t) == 3 and t >= want and (not s.startswith("~") or t[1] == want[1]):
            return table_v
    if s.startswith(">") and tm and int(tm.group(1)) >= int(major):
        return table_v
    return exact


def _integrity(name: str, version: str) -> str:
    raw = hashlib.sha512(f"emu-npm:{name}@{version}".encode()).digest()
    return "sha512-" + base64.b64encode(raw).decode()


# --- projects ------------------------------------------------------------------------------------


@record(slots=True)
class Manifest:
    dir: str
    raw: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.raw.get("name") or posixpath.basename(self.dir) or "root")

    @property
    def version(self) -> str:
        return str(self.raw.get("version") or "")

    @property
    def ident(self) -> str:
        return f"{self.name}@{self.version}" if self.version else self.name

    def deps(self, key: str) -> dict[str, str]:
        v = self.raw.get(key) or {}
        return {str(k): str(x) for k, x in v.items()} if isinstance(v, dict) else {}

    @property
    def scripts(self) -> dict[str, str]:
        v = self.raw.get("scripts") or {}
        return {str(k): str(x) for k, x in v.items()} if isinstance(v, dict) else {}


class NpmError(ToolError):
    pass


def read_manifest(proc: Proc, d: str, fail: Any = None) -> Manifest | None:
    path = posixpath.join(proc.path(d), "package.json")
    text = read_text(proc, path)
    if text is None:
        return None
    try:
        raw = load_json(text, path)
    except ValueError as exc:
        raise (fail or ToolError)(f"JSON.parse Invalid package.json: {exc}", 1) from None
    if not isinstance(raw, dict):
        raise (fail or ToolError)("JSON.parse package.json must be an object", 1)
    return Manifest(proc.path(d), raw)


@record(slots=True)
class Pkg:
    name: str
    version: str
    size: int
    deps: dict[str, str]
    bin: dict[str, str]
    tail: tuple[int, int] | None
    dev: bool = False
    link: str | None = None  # "file:" dependencies: a symlink


@record(slots=True)
class Tree:
    pkgs: dict[str, Pkg] = field(default_factory=dict)

    def count(self) -> int:
        return sum(1 + (p.tail[0] if p.tail else 0) for p in self.pkgs.values())

    def size(self) -> int:
        return sum(p.size + (p.tail[1] if p.tail else 0) for p in self.pkgs.values())


def _network(tool_name: str, spec: str) -> ToolError:
    host = "github.com" if "github" in spec or spec.startswith("git") else "registry.npmjs.org"
    m = re.search(r"://(?:[^@/]*@)?([^/:]+)", spec)
    if m:
        host = m.group(1)
    return ToolError(
        f"{tool_name}: {spec}: getaddrinfo ENOTFOUND {host}\nemu: no network in "
        "emu builds (registry packages are modelled offline; git and URL "
        "dependencies are not)",
        1,
    )


def resolve(
    m: Manifest, omit_dev: bool, lock: dict[str, str] | None = None, tool_name: str = "npm"
) -> Tree:
    """The flat tree for ``m`` (``lock``: name → version pins from a lockfile)."""
    tree = Tree()
    prod = m.deps("dependencies")
    prod.update(m.deps("optionalDependencies"))
    dev = {} if omit_dev else m.deps("devDependencies")

    def add(name: str, spec: str | None, is_dev: bool) -> None:
        if name in tree.pkgs:
            if not is_dev:
                _undev(name)
            return
        if spec is not None and (
            spec.startswith(("git", "http:", "https:", "github:"))
            or re.match(r"^[\w.-]+/[\w.-]+(#.*)?$", spec)
        ):
            raise _network(tool_name, spec)
        if spec is not None and spec.startswith(("file:", "link:", "workspace:")):
            target = spec.split(":", 1)[1]
            tree.pkgs[name] = Pkg(name, "0.0.0", 0, {}, {}, None, is_dev, link=target)
            return
        if spec is not None and spec.startswith("npm:"):
            real, _, rng = spec[4:].rpartition("@")
            s = spec_for(real or rng, None)
            version = pick_version(real, rng) if real else s.version
        else:
            s = spec_for(name)
            version = (lock or {}).get(name) or pick_version(name, spec or "")
        tree.pkgs[name] = Pkg(
            name, version, s.size, {d: "*" for d in s.deps}, s.bin, s.tail, is_dev
        )
        for d in s.deps:
            add(d, None, is_dev)

    def _undev(name: str) -> None:
        p = tree.pkgs[name]
        if p.dev:
            p.dev = False
            for d in p.deps:
                if d in tree.pkgs:
                    _undev(d)

    for n, s in prod.items():
        add(n, s, False)
    for n, s in dev.items():
        add(n, s, True)
    return tree


# --- npm's own details ---------------------------------------------------------------------------


def _npm_version(proc: Proc) -> str:
    exe = which(proc, "npm")
    if exe is not None:
        real = proc.fs.realpath(exe)
        pj = posixpath.join(posixpath.dirname(posixpath.dirname(real)), "package.json")
        text = read_text(proc, pj)
        if text:
            try:
                return str(json.loads(text).get("version", "10.8.2"))
            except (ValueError, AttributeError):
                pass
    return "10.8.2"


def _new_style(version: str) -> bool:
    """npm 10.8+ prints ``npm error``; earlier versions ``npm ERR!``."""
    try:
        major, minor = (int(x) for x in version.split(".")[:2])
    except ValueError:
        return True
    return major > 10 or (major == 10 and minor >= 8)


def _stamp(proc: Proc) -> str:
    import time

    t = time.gmtime(now(proc))
    return time.strftime("%Y-%m-%dT%H_%M_%S_000Z", t)


def _log_path(proc: Proc) -> str:
    return f"{_cache_root(proc)}/_logs/{_stamp(proc)}-debug-0.log"


def _cache_root(proc: Proc) -> str:
    return (
        proc.env.get("npm_config_cache")
        or proc.env.get("NPM_CONFIG_CACHE")
        or posixpath.join(home(proc), ".npm")
    )


def npm_error(proc: Proc, lines: list[str], code: int = 1) -> ToolError:
    prefix = "npm error" if _new_style(_npm_version(proc)) else "npm ERR!"
    log = _log_path(proc)
    try:
        Writer(proc).file(
            log, "0 verbose cli (emu model)\n" + "".join(f"1 error {ln}\n" for ln in lines)
        )
        tail = ["", f"A complete log of this run can be found in: {log}"]
    except (Denied, OSError):
        tail = []
    out = [f"{prefix} {ln}".rstrip() for ln in lines]
    if tail:
        out.append("")
        out.append(f"{prefix} {tail[1]}")
    return ToolError("\n".join(out), code)


def _need_node(proc: Proc, what: str = "node") -> None:
    if which(proc, "node") is None:
        raise ToolError(f"/usr/bin/env: '{what}': No such file or directory", 127)


def _eacces(proc: Proc, exc: Denied) -> ToolError:
    path = exc.filename
    return npm_error(
        proc,
        [
            "code EACCES",
            f"syscall {exc.op}",
            f"path {path}",
            "errno -13",
            f"Error: EACCES: permission denied, {exc.op} '{path}'",
            " [Error: EACCES: permission denied, " + exc.op + f" '{path}'] {{",
            "  errno: -13,",
            "  code: 'EACCES',",
            f"  syscall: '{exc.op}',",
            f"  path: '{path}'",
            "}",
            "",
            "The operation was rejected by your operating system.",
            "It is likely you do not have the permissions to access this file as the current user",
        ],
        243,
    )


# --- installing ----------------------------------------------------------------------------------


def write_tree(proc: Proc, w: Writer, root: str, tree: Tree, *, pnpm: bool = False) -> None:
    """Lay ``tree`` out in ``root/node_modules`` (flat; pnpm: the .pnpm store layout)."""
    nm = posixpath.join(root, "node_modules")
    w.dir(nm)
    for p in tree.pkgs.values():
        if p.link is not None:
            w.symlink(
                f"{nm}/{p.name}",
                posixpath.relpath(
                    posixpath.join(root, p.link), posixpath.dirname(f"{nm}/{p.name}")
                ),
            )
            continue
        if pnpm:
            real = f"{nm}/.pnpm/{p.name.replace('/', '+')}@{p.version}/node_modules/{p.name}"
            _write_pkg(w, real, p)
            w.symlink(
                f"{nm}/{p.name}", posixpath.relpath(real, posixpath.dirname(f"{nm}/{p.name}"))
            )
            pdir = real
        else:
            pdir = f"{nm}/{p.name}"
            _write_pkg(w, pdir, p)
        for b, rel in p.bin.items():
            w.symlink(f"{nm}/.bin/{b}", posixpath.relpath(posixpath.join(pdir, rel), f"{nm}/.bin"))
        if p.tail:
            safe = p.name.replace("/", "+")
            w.blob(
                f"{nm}/.emu-hoisted/{safe}.blob",
                p.tail[1],
                f"{p.tail[0]} transitive dependencies of {p.name}@{p.version}, hoisted into "
                "node_modules (modelled as one file)",
            )


def _write_pkg(w: Writer, pdir: str, p: Pkg) -> None:
    meta: dict[str, Any] = {"name": p.name, "version": p.version}
    if p.bin:
        meta["bin"] = p.bin
    if p.deps:
        meta["dependencies"] = dict(p.deps)
    text = json.dumps(meta, indent=2) + "\n"
    w.file(f"{pdir}/package.json", text)
    used = len(text)
    for b, rel in p.bin.items():
        stub = f"#!/usr/bin/env node\n// {b}: the {p.name} {p.version} CLI (emu model)\n"
        w.file(f"{pdir}/{rel}", stub, 0o755)
        used += len(stub)
    rest = max(0, p.size - used)
    if rest:
        w.blob(
            f"{pdir}/emu-package.blob",
            rest,
            f"{p.name}@{p.version}: its files, {mb(p.size)} unpacked (modelled size)",
        )


def _lock_json(m: Manifest, tree: Tree, version: int) -> str:
    root: dict[str, Any] = {"name": m.name}
    if m.version:
        root["version"] = m.version
    for key in ("dependencies", "devDependencies", "optionalDependencies"):
        if m.deps(key):
            root[key] = m.deps(key)
    packages: dict[str, Any] = {"": root}
    for p in sorted(tree.pkgs.values(), key=lambda x: x.name):
        if p.link is not None:
            packages[f"node_modules/{p.name}"] = {"resolved": p.link, "link": True}
            continue
        entry: dict[str, Any] = {
            "version": p.version,
            "resolved": f"https://registry.npmjs.org/{p.name}/-/"
            f"{p.name.rsplit('/', 1)[-1]}-{p.version}.tgz",
            "integrity": _integrity(p.name, p.version),
        }
        if p.dev:
            entry["dev"] = True
        if p.deps:
            entry["dependencies"] = dict(p.deps)
        if p.bin:
            entry["bin"] = dict(p.bin)
        packages[f"node_modules/{p.name}"] = entry
    doc = {
        "name": m.name,
        "version": m.version or None,
        "lockfileVersion": version,
        "requires": True,
        "packages": packages,
    }
    if not m.version:
        del doc["version"]
    return json.dumps(doc, indent=2) + "\n"


def _lock_pins(text: str) -> tuple[dict[str, str], dict[str, bool]]:
    """name → version and name → dev from a package-lock.json (v1, v2 or v3)."""
    try:
        doc = json.loads(text)
    except ValueError:
        return {}, {}
    pins: dict[str, str] = {}
    dev: dict[str, bool] = {}
    for key, entry in (doc.get("packages") or {}).items():
        if key.startswith("node_modules/") and isinstance(entry, dict):
            name = key[len("node_modules/") :].split("/node_modules/")[-1]
            pins[name] = str(entry.get("version", ""))
            dev[name] = bool(entry.get("dev"))
    for name, entry in (doc.get("dependencies") or {}).items():
        if isinstance(entry, dict) and name not in pins:
            pins[name] = str(entry.get("version", ""))
            dev[name] = bool(entry.get("dev"))
    return pins, dev


def _cache_tarballs(proc: Proc, w: Writer, tree: Tree, root: str) -> int:
    total = 0
    for p in tree.pkgs.values():
        if p.link is not None:
            continue
        size = max(1000, (p.size + (p.tail[1] if p.tail else 0)) // 3)
        h = hashlib.sha512(f"{p.name}@{p.version}".encode()).hexdigest()
        w.blob(
            f"{root}/_cacache/content-v2/sha512/{h[:2]}/{h[2:4]}/{h[4:]}",
            size,
            f"cached tarball(s) of {p.name}@{p.version} (modelled size; npm cache clean "
            "--force removes them)",
        )
        total += size
    return total


def _omit_dev(proc: Proc, o: Opts) -> bool:
    if "dev" in o.all("--omit") or "--production" in o or "--prod" in o:
        return True
    if any(v.startswith("prod") for v in o.all("--only")):
        return True
    if "dev" in o.all("--include"):
        return False
    env_omit = proc.env.get("npm_config_omit", "") or proc.env.get("NPM_CONFIG_OMIT", "")
    if "dev" in env_omit.split():
        return True
    if proc.env.get("npm_config_production", "").lower() in ("true", "1"):
        return True
    return proc.env.get("NODE_ENV") == "production"


# The options the models read, and those whose value they must skip (npm's nopt, yarn's and
# pnpm's parsers alike: any other option is a flag; --name=value gives one a value).
NPM = Syntax(
    (
        "-C|--prefix= -w|--workspace= -g|--global -D|--save-dev -O|--save-optional -f|--force "
        "--omit= --include= --only= --cache= --registry= --loglevel= --userconfig= "
        "--globalconfig= --tag= --fetch-timeout= --fetch-retries= --fetch-retry-mintimeout= "
        "--fetch-retry-maxtimeout= --install-strategy= --script-shell= --location= --proxy= "
        "--https-proxy= --noproxy= --cafile= --audit-level="
    ),
)
YARN = Syntax(
    (
        "-D|--dev -v|--version --cwd= --modules-folder= --network-timeout= --mutex= "
        "--cache-folder= --registry= --loglevel= --prefix= --global-folder= "
        "--network-concurrency="
    ),
)
PNPM = Syntax(
    (
        "-C|--dir= -D|--save-dev -P|--prod -v|--version -F|--filter= --registry= --loglevel= "
        "--store-dir= --reporter= --network-concurrency= --child-concurrency="
    ),
)


def _summary(proc: Proc, tree: Tree, secs: int = 3) -> None:
    n = tree.count()
    proc.out(
        f"\nadded {n} package{'s' if n != 1 else ''}, and audited {n + 1} packages in {secs}s\n"
    )
    funding = n // 9
    if funding:
        proc.out(f"\n{funding} packages are looking for funding\n  run `npm fund` for details\n")
    proc.out("\nfound 0 vulnerabilities\n")


def _project_dir(proc: Proc, o: Opts) -> str:
    prefix = o.get("--prefix")
    return proc.path(prefix) if prefix else proc.cwd


# --- npm -----------------------------------------------------------------------------------------


@tool("npm", note="modelled: installs from emu's offline npm table; runs scripts via sh")
@parses(NPM)
def npm(proc: Proc, o: Opts) -> int:
    _need_node(proc)
    pos = o.args
    if "-v" in o or ("--version" in o and not pos):
        proc.out(_npm_version(proc) + "\n")
        return 0
    if not pos:
        proc.out(
            "npm <command>\n\nUsage:\n\nnpm install        install all the dependencies in "
            "your project\nnpm run <command>  run the script named <command>\n"
        )
        return 1
    cmd, rest = pos[0], pos[1:]
    try:
        if cmd in ("install", "i", "add", "in", "isntall"):
            return _npm_install(proc, o, rest)
        if cmd in ("ci", "clean-install", "install-clean"):
            return _npm_ci(proc, o)
        if cmd in ("run", "run-script", "rum", "urn"):
            return _npm_run(proc, o, rest)
        if cmd in ("start", "test", "t", "tst", "stop", "restart"):
            name = {"t": "test", "tst": "test"}.get(cmd, cmd)
            return _npm_run(proc, o, [name, *rest], implicit=True)
        if cmd == "cache":
            return _npm_cache(proc, o, rest)
        if cmd in ("prune",):
            return _npm_prune(proc, o)
        if cmd in ("uninstall", "remove", "rm", "un", "r"):
            return _npm_uninstall(proc, o, rest)
        if cmd == "config":
            return _npm_config(proc, rest)
        if cmd in ("exec", "x"):
            return npx_run(proc, rest)
        if cmd == "init":
            return _npm_init(proc)
        if cmd in ("link", "ln"):
            return _npm_link(proc, o, rest)
        if cmd in (
            "audit",
            "fund",
            "outdated",
            "ls",
            "list",
            "dedupe",
            "doctor",
            "update",
            "rebuild",
            "version",
            "pkg",
            "set-script",
            "explain",
            "view",
            "info",
        ):
            return not_modelled(proc, f"npm {cmd}")
    except Denied as exc:
        raise _eacces(proc, exc) from None
    raise npm_error(
        proc,
        [
            f'Unknown command: "{cmd}"',
            "",
            "To see a list of supported npm commands, run:",
            "  npm help",
        ],
    )


def _global_prefix(proc: Proc) -> str:
    if proc.env.get("npm_config_prefix"):
        return proc.env["npm_config_prefix"]
    node = which(proc, "node")
    if node is not None:
        return posixpath.dirname(posixpath.dirname(node))
    return "/usr/local"


def _npm_install(proc: Proc, o: Opts, names: list[str]) -> int:
    if "--production" in o:
        proc.stderr.write("npm WARN config production Use `--omit=dev` instead.\n")
    if "--global" in o:
        return _npm_global(proc, names)
    root = _project_dir(proc, o)
    m = read_manifest(proc, root)
    w = Writer(proc)
    if names:
        raw = m.raw if m is not None else {}
        key = "devDependencies" if "--save-dev" in o else "dependencies"
        if "--save-optional" in o:
            key = "optionalDependencies"
        deps = dict(raw.get(key) or {})
        for n in names:
            name, spec = _split_name(n)
            if spec.startswith(("git", "http", "github:")):
                raise _network("npm", spec)
            deps[name] = (
                spec if spec and spec not in ("latest", "*") else "^" + pick_version(name, spec)
            )
        raw = {**raw, key: dict(sorted(deps.items()))}
        m = Manifest(root, raw)
        if "--no-save" not in o:
            w.file(f"{root}/package.json", json.dumps(raw, indent=2) + "\n")
    if m is None:
        w.file(
            f"{root}/package-lock.json",
            json.dumps(
                {
                    "name": posixpath.basename(root) or "root",
                    "lockfileVersion": _lock_version(proc),
                    "requires": True,
                    "packages": {},
                },
                indent=2,
            )
            + "\n",
        )
        proc.out("\nup to date, audited 1 package in 1s\n\nfound 0 vulnerabilities\n")
        modelled(proc, "npm install (no package.json here: nothing to install)")
        return 0
    lock_text = read_text(proc, f"{root}/package-lock.json")
    pins = _lock_pins(lock_text)[0] if lock_text else None
    omit = _omit_dev(proc, o)
    tree = resolve(m, omit, pins)
    full = resolve(m, False, pins) if omit else tree
    _prune_extraneous(proc, w, root, tree)
    write_tree(proc, w, root, tree)
    if "--no-package-lock" not in o and o.get("--package-lock") != "false":
        w.file(f"{root}/package-lock.json", _lock_json(m, full, _lock_version(proc)))
    return _installed(proc, w, o, m, tree, f"npm install ({tree.count()} packages")


def _installed(proc: Proc, w: Writer, o: Opts, m: Manifest, tree: Tree, what: str) -> int:
    """What npm install and npm ci do once node_modules is written: the hidden lock file,
    the cache, the summary and log, the install scripts, and the modelled line."""
    w.file(f"{m.dir}/node_modules/.package-lock.json", _lock_json(m, tree, 3))
    cached = _cache_tarballs(proc, w, tree, _cache_root(proc))
    _summary(proc, tree)
    _log_ok(proc, w)
    rc = _lifecycle(proc, m, o)
    dev = " without devDependencies" if _omit_dev(proc, o) else ""
    modelled(
        proc,
        f"{what}{dev}, {mb(tree.size())} in node_modules; {mb(cached)} cached in "
        f"{_cache_root(proc)})",
    )
    return rc


def _log_ok(proc: Proc, w: Writer) -> None:
    with contextlib.suppress(Denied, OSError):
        w.file(_log_path(proc), "0 verbose cli (emu model)\n1 info ok\n")


def _lock_version(proc: Proc) -> int:
    try:
        return 3 if int(_npm_version(proc).split(".")[0]) >= 9 else 2
    except ValueError:
        return 3


def _add(w: Writer, root: str, raw: dict[str, Any], names: list[str], key: str) -> dict[str, Any]:
    """``yarn add`` and ``pnpm add``: ``names`` (a caret on the newest version unless a
    version is given) go under ``key`` in package.json, which is written back."""
    deps = dict(raw.get(key) or {})
    for n in names:
        name, spec = _split_name(n)
        deps[name] = spec or "^" + pick_version(name, "")
    raw = {**raw, key: dict(sorted(deps.items()))}
    w.file(f"{root}/package.json", json.dumps(raw, indent=2) + "\n")
    return raw


def _split_name(arg: str) -> tuple[str, str]:
    if arg.startswith("@"):
        scope, _, rest = arg[1:].partition("/")
        name, _, spec = rest.partition("@")
        return f"@{scope}/{name}", spec
    name, _, spec = arg.partition("@")
    return name, spec


def _prune_extraneous(proc: Proc, w: Writer, root: str, tree: Tree) -> int:
    """Remove packages in node_modules that the tree does not hold (npm prunes them)."""
    nm = f"{root}/node_modules"
    removed = 0
    for n in listdir(proc, nm):
        if n.startswith("."):
            continue
        names = [f"{n}/{s}" for s in listdir(proc, f"{nm}/{n}")] if n.startswith("@") else [n]
        for name in names:
            if name not in tree.pkgs:
                w.remove(f"{nm}/{name}")
                removed += 1
    hoisted = f"{nm}/.emu-hoisted"
    for f in listdir(proc, hoisted):
        if f[: -len(".blob")].replace("+", "/") not in tree.pkgs:
            w.remove(f"{hoisted}/{f}")
    for b in listdir(proc, f"{nm}/.bin"):
        if not proc.fs.exists(f"{nm}/.bin/{b}"):
            w.remove(f"{nm}/.bin/{b}")
    return removed


def _lifecycle(proc: Proc, m: Manifest, o: Opts) -> int:
    if "--ignore-scripts" in o or proc.env.get("npm_config_ignore_scripts") == "true":
        return 0
    for name in ("preinstall", "install", "postinstall", "prepare"):
        if name in m.scripts:
            rc = _run_one(proc, m, name, [])
            if rc != 0:
                return rc
    return 0


def _npm_ci(proc: Proc, o: Opts) -> int:
    root = _project_dir(proc, o)
    m = read_manifest(proc, root)
    lock_text = read_text(proc, f"{root}/package-lock.json") or read_text(
        proc, f"{root}/npm-shrinkwrap.json"
    )
    usage = [
        "",
        "Clean install a project",
        "",
        "Usage:",
        "npm ci",
        "",
        "Options:",
        "[--install-strategy <hoisted|nested|shallow|linked>] [--legacy-bundling]",
        "[--global-style] [--omit <dev|optional|peer> [--omit <dev|optional|peer> ...]]",
        "[--strict-peer-deps] [--foreground-scripts] [--ignore-scripts] [--no-audit]",
        "[--no-bin-links] [--no-fund] [--dry-run]",
        "",
        "aliases: clean-install, ic, install-clean, isntall-clean",
        "",
        'Run "npm help ci" for more info',
    ]
    if lock_text is None:
        raise npm_error(
            proc,
            [
                "code EUSAGE",
                "",
                "The `npm ci` command can only install with an existing package-lock.json or",
                "npm-shrinkwrap.json with lockfileVersion >= 1. Run an install with npm@5 or",
                "later to generate a package-lock.json file, then try again.",
                *usage,
            ],
        )
    if m is None:
        raise npm_error(
            proc,
            [
                "code ENOENT",
                "syscall open",
                f"path {root}/package.json",
                "errno -2",
                f"enoent Could not read package.json: Error: ENOENT: "
                f"no such file or directory, open '{root}/package.json'",
                "enoent This is related to npm not being able to find a file.",
                "enoent",
            ],
            254,
        )
    pins, _ = _lock_pins(lock_text)
    missing = []
    for key in ("dependencies", "devDependencies", "optionalDependencies"):
        for n, s in m.deps(key).items():
            if n not in pins:
                missing.append(f"Missing: {n}@{s} from lock file")
    if missing:
        raise npm_error(
            proc,
            [
                "code EUSAGE",
                "",
                "`npm ci` can only install packages when your "
                "package.json and package-lock.json or npm-shrinkwrap.json are in "
                "sync. Please update your lock file with `npm install` before "
                "continuing.",
                "",
                *missing,
                *usage,
            ],
        )
    omit = _omit_dev(proc, o)
    tree = resolve(m, omit, pins)
    w = Writer(proc)
    w.remove(f"{root}/node_modules")
    write_tree(proc, w, root, tree)
    return _installed(proc, w, o, m, tree, f"npm ci ({tree.count()} packages")


def _npm_global(proc: Proc, names: list[str]) -> int:
    prefix = _global_prefix(proc)
    lib = f"{prefix}/lib/node_modules"
    w = Writer(proc)
    total = 0
    count = 0
    for n in names:
        name, spec = _split_name(n)
        if spec.startswith(("git", "http", "github:")):
            raise _network("npm", spec)
        pseudo = Manifest(f"{lib}/{name}", {"name": name, "dependencies": {}})
        s = spec_for(name, pick_version(name, spec))
        top = Pkg(name, s.version, s.size, {d: "*" for d in s.deps}, s.bin, s.tail)
        _write_pkg(w, f"{lib}/{name}", top)
        sub = Tree()
        for d in s.deps:
            sub_m = Manifest(pseudo.dir, {"dependencies": {d: "*"}})
            for k, v in resolve(sub_m, True).pkgs.items():
                sub.pkgs.setdefault(k, v)
        if sub.pkgs:
            write_tree(proc, w, f"{lib}/{name}", sub)
        if top.tail:
            w.blob(
                f"{lib}/{name}/node_modules/.emu-hoisted/{name.replace('/', '+')}.blob",
                top.tail[1],
                f"{top.tail[0]} dependencies of {name}@{top.version} (modelled as one file)",
            )
        for b, rel in s.bin.items():
            w.symlink(f"{prefix}/bin/{b}", f"../lib/node_modules/{name}/{rel}")
        tree = Tree({name: top, **sub.pkgs})
        total += tree.size()
        count += tree.count()
        _cache_tarballs(proc, w, tree, _cache_root(proc))
    proc.out(f"\nadded {count} packages in 2s\n")
    modelled(proc, f"npm install -g ({count} packages, {mb(total)} in {lib})")
    return 0


def script_env(proc: Proc, m: Manifest, event: str, script: str) -> dict[str, str]:
    env = dict(proc.env)
    bins: list[str] = []
    d = m.dir
    while True:
        bins.append(posixpath.join(d, "node_modules/.bin"))
        if d == "/":
            break
        d = posixpath.dirname(d)
    node = which(proc, "node")
    if node is not None:
        bins.append(posixpath.dirname(node))
    env["PATH"] = ":".join([*bins, proc.env.get("PATH", "")])
    env.update(
        {
            "npm_lifecycle_event": event,
            "npm_lifecycle_script": script,
            "npm_package_name": m.name,
            "npm_package_version": m.version,
            "npm_package_json": f"{m.dir}/package.json",
            "INIT_CWD": proc.cwd,
            "npm_config_user_agent": f"npm/{_npm_version(proc)} node/v"
            f"{proc.env.get('NODE_VERSION', '18.13.0')} linux x64",
            "npm_node_execpath": node or "/usr/local/bin/node",
        }
    )
    return env


def _run_one(proc: Proc, m: Manifest, name: str, extra: list[str]) -> int:
    script = m.scripts[name]
    full = script + ("" if not extra else " " + " ".join(shlex.quote(a) for a in extra))
    proc.out(f"\n> {m.ident} {name}\n> {full}\n\n")
    rc = run_shell(proc, full, env=script_env(proc, m, name, full), cwd=m.dir)
    if rc != 0:
        code = rc if rc < 256 else 1
        raise npm_error(
            proc, [f"code {code}", f"path {m.dir}", "command failed", f"command sh -c {full}"], code
        )
    return 0


def _no_manifest(proc: Proc, root: str) -> ToolError:
    """npm's error for a command that needs ``root/package.json`` where there is none."""
    path = f"{root}/package.json"
    return npm_error(
        proc,
        [
            "code ENOENT",
            "syscall open",
            f"path {path}",
            "errno -2",
            f"enoent Could not read package.json: Error: ENOENT: no such "
            f"file or directory, open '{path}'",
            "enoent This is related to npm not being able to find a file.",
            "enoent",
        ],
        254,
    )


def _npm_link(proc: Proc, o: Opts, names: list[str]) -> int:
    """``npm link`` in a package folder: the global folder gets a symlink to it and its
    ``bin`` entries are linked into the global bin; ``npm link <pkg>`` links a globally
    installed package into ./node_modules."""
    root = _project_dir(proc, o)
    prefix = _global_prefix(proc)
    w = Writer(proc)
    if names:
        for n in names:
            name = _split_name(n)[0]
            target = f"{prefix}/lib/node_modules/{name}"
            if not proc.fs.exists(target):
                raise _network("npm", n)  # not linked globally: npm would fetch it
            w.symlink(f"{root}/node_modules/{name}", target)
        proc.out(f"\nadded {len(names)} packages in 1s\n")
        return 0
    m = read_manifest(proc, root, NpmError)
    if m is None:
        raise _no_manifest(proc, root)
    w.symlink(f"{prefix}/lib/node_modules/{m.name}", root)
    bins = m.raw.get("bin")
    if isinstance(bins, str):
        bins = {m.name.rsplit("/", 1)[-1]: bins}
    for b, rel in bins.items() if isinstance(bins, dict) else ():
        w.symlink(f"{prefix}/bin/{b}", f"../lib/node_modules/{m.name}/{posixpath.normpath(rel)}")
    proc.out("\nadded 1 package, and audited 1 package in 1s\n\nfound 0 vulnerabilities\n")
    return 0


def _npm_run(proc: Proc, o: Opts, rest: list[str], implicit: bool = False) -> int:
    root = _project_dir(proc, o)
    m = read_manifest(proc, root)
    if m is None:
        raise _no_manifest(proc, root)
    if not rest:
        scripts = m.scripts
        lifecycle = [s for s in scripts if s in ("start", "test", "stop", "restart")]
        other = [s for s in scripts if s not in lifecycle]
        if lifecycle:
            proc.out(f"Lifecycle scripts included in {m.ident}:\n")
            for s in lifecycle:
                proc.out(f"  {s}\n    {scripts[s]}\n")
        if other:
            proc.out("available via `npm run-script`:\n")
            for s in other:
                proc.out(f"  {s}\n    {scripts[s]}\n")
        return 0
    name, extra = rest[0], [a for a in rest[1:] if a != "--"]
    scripts = m.scripts
    if name not in scripts:
        if implicit and name == "start" and is_file(proc, f"{root}/server.js"):
            m = Manifest(m.dir, {**m.raw, "scripts": {**scripts, "start": "node server.js"}})
        elif implicit and name in ("stop", "restart"):
            return 0
        else:
            lines = [f'Missing script: "{name}"', "", "To see a list of scripts, run:", "  npm run"]
            raise npm_error(proc, lines)
    if "--ignore-scripts" not in o and f"pre{name}" in m.scripts:
        _run_one(proc, m, f"pre{name}", [])
    _run_one(proc, m, name, extra)
    if "--ignore-scripts" not in o and f"post{name}" in m.scripts:
        _run_one(proc, m, f"post{name}", [])
    return 0


def _npm_cache(proc: Proc, o: Opts, rest: list[str]) -> int:
    sub = rest[0] if rest else ""
    if sub in ("clean", "clear", "rm"):
        if "--force" not in o:
            raise npm_error(
                proc,
                [
                    "As of npm@5, the npm cache self-heals from corruption issues",
                    "by treating integrity mismatches as cache misses.  As a result,",
                    "data extracted from the cache is guaranteed to be valid.  If you",
                    "want to make sure everything is consistent, use `npm cache verify`",
                    "instead.  Deleting the cache can only make npm go slower, and is",
                    "not likely to correct any problems you may be encountering!",
                    "",
                    "On the other hand, if you're debugging an issue with the installer,",
                    "or race conditions that depend on the timing of writing to an empty",
                    "cache, you can use `npm install --cache /tmp/empty-cache` to use a",
                    "temporary cache instead of nuking the actual one.",
                    "",
                    "If you're sure you want to delete the entire cache, rerun this command",
                    "with --force.",
                ],
            )
        proc.stderr.write("npm WARN using --force Recommended protections disabled.\n")
        Writer(proc).remove(f"{_cache_root(proc)}/_cacache")
        return 0
    if sub == "verify":
        proc.out(f"Cache verified and compressed ({_cache_root(proc)}/_cacache)\n")
        return 0
    modelled(proc, f"npm cache {sub}")
    return 0


def _npm_prune(proc: Proc, o: Opts) -> int:
    root = _project_dir(proc, o)
    m = read_manifest(proc, root)
    if m is None:
        return 0
    lock_text = read_text(proc, f"{root}/package-lock.json")
    pins = _lock_pins(lock_text)[0] if lock_text else None
    tree = resolve(m, _omit_dev(proc, o), pins)
    w = Writer(proc)
    removed = _prune_extraneous(proc, w, root, tree)
    proc.out(
        f"\nremoved {removed} packages, and audited {tree.count() + 1} packages in 1s\n\n"
        "found 0 vulnerabilities\n"
    )
    modelled(proc, f"npm prune ({removed} packages removed)")
    return 0


def _npm_uninstall(proc: Proc, o: Opts, names: list[str]) -> int:
    root = _project_dir(proc, o)
    m = read_manifest(proc, root)
    w = Writer(proc)
    if m is not None:
        raw = dict(m.raw)
        for key in ("dependencies", "devDependencies", "optionalDependencies"):
            if isinstance(raw.get(key), dict):
                raw[key] = {k: v for k, v in raw[key].items() if k not in names}
        w.file(f"{root}/package.json", json.dumps(raw, indent=2) + "\n")
        tree = resolve(Manifest(root, raw), _omit_dev(proc, o))
        removed = _prune_extraneous(proc, w, root, tree)
        proc.out(f"\nremoved {removed} packages in 1s\n")
    return 0


def _npm_config(proc: Proc, rest: list[str]) -> int:
    if rest[:1] == ["set"] and len(rest) >= 2:
        kv = rest[1:]
        key, value = [*kv[0].split("=", 1), ""][:2] if "=" in kv[0] else (kv[0], " ".join(kv[1:]))
        path = posixpath.join(home(proc), ".npmrc")
        old = read_text(proc, path) or ""
        Writer(proc).file(path, old + f"{key}={value}\n")
        return 0
    if rest[:1] == ["get"] and len(rest) > 1:
        values = {
            "prefix": _global_prefix(proc),
            "cache": _cache_root(proc),
            "registry": "https://registry.npmjs.org/",
        }
        proc.out(values.get(rest[1], "undefined") + "\n")
        return 0
    return 0


def _npm_init(proc: Proc) -> int:
    path = f"{proc.cwd}/package.json"
    raw = {
        "name": posixpath.basename(proc.cwd) or "root",
        "version": "1.0.0",
        "description": "",
        "main": "index.js",
        "scripts": {"test": 'echo "Error: no test specified" && exit 1'},
        "keywords": [],
        "author": "",
        "license": "ISC",
    }
    text = json.dumps(raw, indent=2) + "\n"
    Writer(proc).file(path, text)
    proc.out(f"Wrote to {path}:\n\n{text}\n\n")
    return 0


# --- npx -----------------------------------------------------------------------------------------


# npx's own options come before the command; what follows the command is its own.
NPX = Syntax("-p|--package= -c|--call= --cache=", stop=True)


def npx_run(proc: Proc, args: list[str]) -> int:
    words = NPX.parse(args).args
    if not words:
        raise npm_error(
            proc, ["code EUSAGE", "", "Run a command from a local or remote npm package"]
        )
    cmd, rest = words[0], words[1:]
    name, _ = _split_name(cmd)
    d = proc.cwd
    while True:
        local = posixpath.join(d, "node_modules/.bin", name)
        if proc.fs.exists(local):
            m = read_manifest(proc, d) or Manifest(d, {})
            env = script_env(proc, m, "npx", " ".join(words))
            return _exec(proc, [local, *rest], env)
        if d == "/":
            break
        d = posixpath.dirname(d)
    found = which(proc, name)
    if found is not None:
        return _exec(proc, [found, *rest], dict(proc.env))
    spec = spec_for(name)
    binname = name if name in spec.bin else next(iter(spec.bin), None)
    key = digest("npx", name)[:16]
    root = f"{_cache_root(proc)}/_npx/{key}"
    m = Manifest(root, {"dependencies": {name: "*"}})
    tree = resolve(m, True)
    proc.stderr.write(
        f"npm WARN exec The following package was not found and will be installed:"
        f" {name}@{spec.version}\n"
    )
    w = Writer(proc)
    w.file(f"{root}/package.json", json.dumps(m.raw, indent=2) + "\n")
    write_tree(proc, w, root, tree)
    if not spec.known or binname is None:
        # Not in emu's table: npx runs the package's bin of its name; its size is the
        # table's default, an estimate.
        binname = name.rsplit("/", 1)[-1]
        w.file(
            f"{root}/node_modules/{name}/bin/{binname}.js",
            f"#!/usr/bin/env node\n// {name}: not in emu's npm table (an estimate)\n",
            0o755,
        )
        w.symlink(f"{root}/node_modules/.bin/{binname}", f"../{name}/bin/{binname}.js")
        proc.stderr.write(
            f"emu: estimate: {name} is not in emu's npm table (data/npm.yaml): "
            f"{mb(spec.size)}, one bin named {binname}\n"
        )
    env = script_env(proc, m, "npx", " ".join(words))
    return _exec(proc, [f"{root}/node_modules/.bin/{binname}", *rest], env)


def _exec(proc: Proc, argv: list[str], env: dict[str, str]) -> int:
    return run_argv(proc, argv, env=env)


@tool("npx", note="modelled: runs node_modules/.bin commands; installs known ones offline")
def npx(proc: Proc) -> int:
    _need_node(proc)
    try:
        return npx_run(proc, proc.argv[1:])
    except Denied as exc:
        raise _eacces(proc, exc) from None


# --- yarn (v1) -----------------------------------------------------------------------------------


def _yarn_version(proc: Proc) -> str:
    v = proc.env.get("YARN_VERSION")
    return v if v else "1.22.19"


def _yarn_lock(tree: Tree) -> str:
    lines = [
        "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.",
        "# yarn lockfile v1",
        "",
    ]
    for p in sorted(tree.pkgs.values(), key=lambda x: x.name):
        if p.link is not None:
            continue
        lines.append(f'"{p.name}@^{p.version}":')
        lines.append(f'  version "{p.version}"')
        lines.append(
            f'  resolved "https://registry.yarnpkg.com/{p.name}/-/'
            f'{p.name.rsplit("/", 1)[-1]}-{p.version}.tgz"'
        )
        lines.append(f"  integrity {_integrity(p.name, p.version)}")
        if p.deps:
            lines.append("  dependencies:")
            lines.extend(f'    {d} "*"' for d in p.deps)
        lines.append("")
    return "\n".join(lines) + "\n"


def _yarn_pins(text: str) -> dict[str, str]:
    pins: dict[str, str] = {}
    cur: str | None = None
    for line in text.splitlines():
        if line and not line.startswith((" ", "#")) and line.endswith(":"):
            first = line[:-1].split(",")[0].strip().strip('"')
            cur = first.rsplit("@", 1)[0] if first.rfind("@") > 0 else first
        elif cur and line.strip().startswith("version "):
            pins[cur] = line.strip().split(" ", 1)[1].strip('"')
    return pins


@tool("yarn", "yarnpkg", note="modelled: yarn v1 offline installs and script runs")
@parses(YARN)
def yarn(proc: Proc, o: Opts) -> int:
    _need_node(proc)
    pos = o.args
    v = _yarn_version(proc)
    if "--version" in o:
        proc.out(v + "\n")
        return 0
    cwd = o.get("--cwd")
    root = proc.path(cwd) if cwd else proc.cwd
    cmd = pos[0] if pos else "install"
    try:
        if cmd in ("install", "add"):
            return _yarn_install(proc, o, root, pos[1:] if cmd == "add" else [], v)
        if cmd == "cache":
            if pos[1:2] == ["clean"]:
                proc.out(f"yarn cache v{v}\nsuccess Cleared cache.\nDone in 0.50s.\n")
                Writer(proc).remove(_yarn_cache(proc))
            elif pos[1:2] == ["dir"]:
                proc.out(_yarn_cache(proc) + "/v6\n")
            return 0
        if cmd == "global" and pos[1:2] == ["add"]:
            return _npm_global(proc, pos[2:])
        if cmd == "config":
            return _yarn_config(proc, pos[1:], v)
        if cmd == "upgrade":
            return _yarn_install(proc, o, root, [], v)
        if cmd == "workspace" and len(pos) >= 3:
            where = _workspace_dir(proc, root, pos[1])
            return run_argv(proc, ["yarn", *pos[2:]], cwd=where)
        if cmd == "workspaces" and pos[1:2] == ["run"] and len(pos) > 2:
            status = 0
            for where in _workspace_dirs(proc, root):
                status = status or run_argv(proc, ["yarn", *pos[2:]], cwd=where)
            return status
        if cmd in ("audit", "outdated", "licenses", "why", "list", "info", "check", "autoclean"):
            return not_modelled(proc, f"yarn {cmd}")
        m = read_manifest(proc, root)
        name = pos[1] if cmd == "run" and len(pos) > 1 else cmd
        extra = pos[2:] if cmd == "run" else pos[1:]
        if cmd == "run" and len(pos) == 1:
            proc.out(f"yarn run v{v}\ninfo Commands available from binary scripts: \n")
            return 0
        if m is None or name not in m.scripts:
            local = posixpath.join(root, "node_modules/.bin", name)
            if proc.fs.exists(local):
                proc.out(f"yarn run v{v}\n$ {local} {' '.join(extra)}\n".replace(" \n", "\n"))
                mm = m or Manifest(root, {})
                return _exec(proc, [local, *extra], script_env(proc, mm, name, name))
            proc.out(f"yarn run v{v}\n")
            raise ToolError(
                f'error Command "{name}" not found.\ninfo Visit https://yarnpkg.com/'
                "en/docs/cli/run for documentation about this command.",
                1,
            )
        script = m.scripts[name]
        full = script + ("" if not extra else " " + " ".join(shlex.quote(a) for a in extra))
        proc.out(f"yarn run v{v}\n$ {full}\n")
        rc = run_shell(proc, full, env=script_env(proc, m, name, full), cwd=m.dir)
        if rc != 0:
            raise ToolError(
                f"error Command failed with exit code {rc}.\ninfo Visit "
                "https://yarnpkg.com/en/docs/cli/run for documentation about this "
                "command.",
                1,
            )
        proc.out("Done in 1.00s.\n")
        return 0
    except Denied as exc:
        raise ToolError(
            f'error An unexpected error occurred: "EACCES: permission denied, '
            f"{exc.op} '{exc.filename}'\".",
            1,
        ) from None


def _yarn_config(proc: Proc, args: list[str], v: str) -> int:
    """``yarn config set|get|delete|list``: yarn v1 keeps them in ~/.yarnrc."""
    path = posixpath.join(home(proc), ".yarnrc")
    lines = (read_text(proc, path) or "").splitlines()
    values = {ln.split(" ", 1)[0]: ln.split(" ", 1)[1] for ln in lines if " " in ln}
    sub = args[0] if args else "list"
    proc.out(f"yarn config v{v}\n")
    if sub == "set" and len(args) >= 3:
        key = args[1]
        values[key] = json.dumps(" ".join(args[2:]))
        body = "".join(f"{k} {val}\n" for k, val in values.items())
        Writer(proc).file(path, "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n"
                          "# yarn lockfile v1\n\n\n" + body)  # fmt: skip
        proc.out(f"success Set {json.dumps(key)} to {values[key]}.\nDone in 0.03s.\n")
        return 0
    if sub == "get" and len(args) >= 2:
        proc.out(json.loads(values[args[1]]) + "\n" if args[1] in values else "undefined\n")
        return 0
    if sub == "delete" and len(args) >= 2:
        values.pop(args[1], None)
        Writer(proc).file(path, "".join(f"{k} {val}\n" for k, val in values.items()))
        proc.out(f"success Deleted {json.dumps(args[1])}.\nDone in 0.03s.\n")
        return 0
    proc.out(
        "info yarn config\n" + json.dumps({k: json.loads(x) for k, x in values.items()}) + "\n"
    )
    return 0


def _workspace_dirs(proc: Proc, root: str) -> list[str]:
    """The folders of package.json's "workspaces" globs (yarn v1) or pnpm-workspace.yaml's
    packages, that hold a package.json."""
    m = read_manifest(proc, root)
    globs: list[str] = []
    if m is not None:
        ws = m.raw.get("workspaces")
        globs = ws.get("packages", []) if isinstance(ws, dict) else list(ws or [])
    pnpm_ws = read_text(proc, f"{root}/pnpm-workspace.yaml") or ""
    globs += re.findall(r"^\s*-\s*['\"]?([^'\"\n]+?)['\"]?\s*$", pnpm_ws, re.M)
    out: list[str] = []
    for g in globs:
        base = g.rstrip("/").removesuffix("/**").removesuffix("/*")
        if base == g.rstrip("/"):
            cands = [posixpath.join(root, base)]
        else:
            cands = [
                posixpath.join(root, base, d) for d in listdir(proc, posixpath.join(root, base))
            ]
        out += [c for c in cands if is_file(proc, f"{c}/package.json") and c not in out]
    return out


def _workspace_dir(proc: Proc, root: str, name: str) -> str:
    for d in _workspace_dirs(proc, root):
        m = read_manifest(proc, d)
        if m is not None and m.raw.get("name") == name:
            return d
    raise ToolError(f'error Unknown workspace "{name}".', 1)


def _yarn_cache(proc: Proc) -> str:
    if proc.env.get("YARN_CACHE_FOLDER"):
        return proc.env["YARN_CACHE_FOLDER"]
    if proc.ident.uid == 0:
        return "/usr/local/share/.cache/yarn"
    return posixpath.join(home(proc), ".cache/yarn")


def _yarn_install(proc: Proc, o: Opts, root: str, names: list[str], v: str) -> int:
    m = read_manifest(proc, root)
    w = Writer(proc)
    proc.out(f"yarn {'add' if names else 'install'} v{v}\n")
    if m is None and not names:
        proc.out(
            "info No lockfile found.\n[1/4] Resolving packages...\n[2/4] Fetching "
            "packages...\n[3/4] Linking dependencies...\n[4/4] Building fresh packages..."
            "\nsuccess Saved lockfile.\nDone in 0.10s.\n"
        )
        w.file(
            f"{root}/yarn.lock",
            "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE "
            "DIRECTLY.\n# yarn lockfile v1\n\n\n",
        )
        return 0
    raw = dict(m.raw) if m else {}
    if names:
        raw = _add(w, root, raw, names, "devDependencies" if "--dev" in o else "dependencies")
    m = Manifest(root, raw)
    lock_text = read_text(proc, f"{root}/yarn.lock")
    pins = _yarn_pins(lock_text) if lock_text else None
    frozen = "--frozen-lockfile" in o or "--immutable" in o
    if lock_text is None:
        proc.out("info No lockfile found.\n")
    elif frozen:
        wanted = {**m.deps("dependencies"), **m.deps("devDependencies")}
        if any(n not in (pins or {}) for n in wanted):
            raise ToolError(
                "error Your lockfile needs to be updated, but yarn was run with "
                "`--frozen-lockfile`.\ninfo Visit https://yarnpkg.com/en/docs/cli/"
                "install for documentation about this command.",
                1,
            )
    omit = "--production" in o or "--prod" in o or proc.env.get("NODE_ENV") == "production"
    tree = resolve(m, omit, pins, "yarn")
    proc.out(
        "[1/4] Resolving packages...\n[2/4] Fetching packages...\n[3/4] Linking "
        "dependencies...\n[4/4] Building fresh packages...\n"
    )
    _prune_extraneous(proc, w, root, tree)
    write_tree(proc, w, root, tree)
    if lock_text is None or names:
        w.file(f"{root}/yarn.lock", _yarn_lock(resolve(m, False, pins, "yarn")))
        proc.out("success Saved lockfile.\n")
    w.file(
        f"{root}/node_modules/.yarn-integrity",
        json.dumps(
            {"systemParams": "linux-x64-108", "flags": [], "topLevelPatterns": sorted(tree.pkgs)},
            indent=2,
        )
        + "\n",
    )
    cache = _yarn_cache(proc)
    cached = 0
    for p in tree.pkgs.values():
        size = max(1000, (p.size + (p.tail[1] if p.tail else 0)) // 3)
        w.blob(
            f"{cache}/v6/npm-{p.name.replace('/', '-')}-{p.version}-{digest(p.name)[:40]}"
            "-integrity/node_modules/.emu-tarball.blob",
            size,
            f"yarn cache of {p.name}@{p.version} (modelled size; yarn cache clean removes it)",
        )
        cached += size
    proc.out("Done in 10.00s.\n")
    dev = " without devDependencies" if omit else ""
    modelled(
        proc,
        f"yarn install ({tree.count()} packages{dev}, {mb(tree.size())} in "
        f"node_modules; {mb(cached)} cached in {cache})",
    )
    return 0


# --- pnpm ----------------------------------------------------------------------------------------


def _pnpm_lock(m: Manifest, tree: Tree) -> str:
    lines = [
        "lockfileVersion: '9.0'",
        "",
        "settings:",
        "  autoInstallPeers: true",
        "  excludeLinksFromLockfile: false",
        "",
        "importers:",
        "",
        "  .:",
    ]
    for key in ("dependencies", "devDependencies"):
        deps = m.deps(key)
        if deps:
            lines.append(f"    {key}:")
            for n, s in deps.items():
                p = tree.pkgs.get(n)
                lines += [
                    f"      {_q(n)}:",
                    f"        specifier: {_q(s)}",
                    f"        version: {p.version if p else s}",
                ]
    lines += ["", "packages:", ""]
    for p in sorted(tree.pkgs.values(), key=lambda x: x.name):
        lines += [
            f"  {_q(p.name + '@' + p.version)}:",
            f"    resolution: {{integrity: {_integrity(p.name, p.version)}}}",
            "",
        ]
    return "\n".join(lines) + "\n"


def _q(s: str) -> str:
    return f"'{s}'" if re.search(r"[@^~*:>< ]", s) else s


def _pnpm_pins(text: str) -> dict[str, str]:
    pins = {}
    for m in re.finditer(r"^  '?(@?[^@'\s]+)@([^':\s]+)'?:\s*$", text, re.M):
        pins[m.group(1)] = m.group(2)
    return pins


PNPM_NOTE = "modelled: pnpm offline installs (content-addressed store) and runs"


@tool("pnpx", note=PNPM_NOTE)
def pnpx(proc: Proc) -> int:
    _need_node(proc)
    return npx_run(proc, proc.argv[1:])


@tool("pnpm", note=PNPM_NOTE)
@parses(PNPM)
def pnpm(proc: Proc, o: Opts) -> int:
    _need_node(proc)
    pos = o.args
    if "--version" in o:
        proc.out(spec_for("pnpm").version + "\n")
        return 0
    cwd = o.get("--dir")
    root = proc.path(cwd) if cwd else proc.cwd
    cmd = pos[0] if pos else "install"
    try:
        if cmd in ("install", "i", "add"):
            return _pnpm_install(proc, o, root, pos[1:] if cmd == "add" else [])
        if cmd in ("exec", "dlx"):
            return npx_run(proc, pos[1:])
        if cmd == "fetch":
            return _pnpm_fetch(proc, o, root)
        if cmd == "deploy":
            return _pnpm_deploy(proc, o, root, pos[1:])
        if cmd == "store" and pos[1:2] == ["prune"]:
            proc.out("Removed all cached metadata files\n")
            return 0
        m = read_manifest(proc, root)
        name = pos[1] if cmd == "run" and len(pos) > 1 else cmd
        extra = pos[2:] if cmd == "run" else pos[1:]
        if m is None:
            raise ToolError(
                f" ERR_PNPM_NO_IMPORTER_MANIFEST_FOUND  No package.json (or "
                f'package.yaml, or package.json5) was found in "{root}".',
                1,
            )
        if name not in m.scripts:
            local = posixpath.join(root, "node_modules/.bin", name)
            if proc.fs.exists(local):
                return _exec(proc, [local, *extra], script_env(proc, m, name, name))
            raise ToolError(
                f' ERR_PNPM_NO_SCRIPT  Missing script: {name}\n\nCommand "{name}" not found.', 1
            )
        script = m.scripts[name]
        full = script + ("" if not extra else " " + " ".join(shlex.quote(a) for a in extra))
        proc.out(f"\n> {m.ident} {name} {m.dir}\n> {full}\n\n")
        rc = run_shell(proc, full, env=script_env(proc, m, name, full), cwd=m.dir)
        if rc != 0:
            raise ToolError(f" ELIFECYCLE  Command failed with exit code {rc}.", rc or 1)
        return 0
    except Denied as exc:
        raise ToolError(
            f" EACCES  EACCES: permission denied, {exc.op} '{exc.filename}'", 1
        ) from None


def _pnpm_store(proc: Proc, o: Opts) -> str:
    if o.get("--store-dir"):
        return proc.path(o.get("--store-dir") or "")
    base = proc.env.get("PNPM_HOME") or posixpath.join(home(proc), ".local/share/pnpm")
    return posixpath.join(base, "store/v3")


def _pnpm_fetch(proc: Proc, o: Opts, root: str) -> int:
    """``pnpm fetch``: the packages pnpm-lock.yaml names, into the store, with no
    package.json needed (Dockerfiles run it before copying the sources)."""
    lock = read_text(proc, f"{root}/pnpm-lock.yaml")
    if lock is None:
        raise ToolError(f" ERR_PNPM_NO_LOCKFILE  Cannot fetch without a lockfile: {root}", 1)
    pins = _pnpm_pins(lock)
    store = _pnpm_store(proc, o)
    w = Writer(proc)
    total = 0
    for name, version in sorted(pins.items()):
        spec = spec_for(name, version)
        h = digest("pnpm-store", name, version)
        w.blob(f"{store}/files/{h[:2]}/{h[2:40]}", spec.size,
               f"{name}@{version} in the pnpm store (modelled size)")  # fmt: skip
        total += spec.size
    proc.out(f"Progress: resolved {len(pins)}, reused 0, downloaded {len(pins)}, added 0, done\n")
    modelled(proc, f"pnpm fetch ({len(pins)} packages, {mb(total)} in {store})")
    return 0


def _pnpm_deploy(proc: Proc, o: Opts, root: str, args: list[str]) -> int:
    """``pnpm deploy --filter PKG [--prod] DIR``: the workspace package's files and its
    dependencies, installed flat, in DIR (what a slim runtime stage copies)."""
    if not args:
        raise ToolError(" ERR_PNPM_NOTHING_TO_DEPLOY  No project was selected for deployment", 1)
    target = proc.path(args[-1])
    flt = o.get("--filter")
    src = root
    if flt:
        found = [d for d in _workspace_dirs(proc, root)
                 if (read_manifest(proc, d) or Manifest(d, {})).raw.get("name") == flt
                 or posixpath.relpath(d, root) == flt.lstrip("./")]  # fmt: skip
        if not found:
            raise ToolError(f" ERR_PNPM_NOTHING_TO_DEPLOY  No project was selected for "
                            f"deployment (--filter {flt})", 1)  # fmt: skip
        src = found[0]
    m = read_manifest(proc, src)
    if m is None:
        raise ToolError(f" ERR_PNPM_NO_PKG_MANIFEST  No package.json found in {src}", 1)
    w = Writer(proc)
    copy_tree(proc, w, src, target)  # node_modules too: replaced below by the deployed tree
    w.remove(posixpath.join(target, "node_modules"))
    tree = resolve(m, "--prod" in o, tool_name="pnpm")
    write_tree(proc, w, target, tree)
    proc.out(f"Packages: +{len(tree.pkgs)}\n")
    modelled(proc, f"pnpm deploy {posixpath.relpath(src, root)} -> {target} "
                   f"({len(tree.pkgs)} packages, {mb(tree.size())})")  # fmt: skip
    return 0


def _pnpm_install(proc: Proc, o: Opts, root: str, names: list[str]) -> int:
    m = read_manifest(proc, root)
    if m is None:
        raise ToolError(f" ERR_PNPM_NO_PKG_MANIFEST  No package.json found in {root}", 1)
    w = Writer(proc)
    if names:
        key = "devDependencies" if "--save-dev" in o else "dependencies"
        m = Manifest(root, _add(w, root, m.raw, names, key))
    lock_text = read_text(proc, f"{root}/pnpm-lock.yaml")
    frozen = "--frozen-lockfile" in o or (
        proc.env.get("CI", "") not in ("", "false", "0") and "--no-frozen-lockfile" not in o
    )
    if frozen and lock_text is None:
        raise ToolError(
            ' ERR_PNPM_NO_LOCKFILE  Cannot install with "frozen-lockfile" because '
            "pnpm-lock.yaml is absent\n\nNote that in CI environments this setting "
            "is true by default. If you still need to run install in such cases, "
            'use "pnpm install --no-frozen-lockfile"',
            1,
        )
    pins = _pnpm_pins(lock_text) if lock_text else None
    if frozen and pins is not None:
        wanted = {**m.deps("dependencies"), **m.deps("devDependencies")}
        missing = [n for n in wanted if n not in pins]
        if missing:
            raise ToolError(
                ' ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with "frozen-lockfile"'
                " because pnpm-lock.yaml is not up to date with package.json",
                1,
            )
    omit = "--prod" in o or "--production" in o or proc.env.get("NODE_ENV") == "production"
    tree = resolve(m, omit, pins, "pnpm")
    w.remove(f"{root}/node_modules")
    write_tree(proc, w, root, tree, pnpm=True)
    if lock_text is None or names:
        w.file(f"{root}/pnpm-lock.yaml", _pnpm_lock(m, resolve(m, False, pins, "pnpm")))
    store = proc.env.get("PNPM_STORE_DIR") or posixpath.join(
        proc.env.get("PNPM_HOME") or posixpath.join(home(proc), ".local/share/pnpm"), "store"
    )
    cached = 0
    for p in tree.pkgs.values():
        size = p.size + (p.tail[1] if p.tail else 0)
        h = digest("pnpm", p.name, p.version)
        w.blob(
            f"{store}/v3/files/{h[:2]}/{h[2:]}",
            size,
            f"pnpm store: {p.name}@{p.version} content (modelled size)",
        )
        cached += size
    count = tree.count()
    n = str(count)
    proc.out(
        f"Packages: +{n}\n{'+' * min(count, 60)}\nProgress: resolved {n}, reused 0, downloaded "
        f"{n}, added {n}, done\n\n"
    )
    for key, title in (("dependencies", "dependencies"), ("devDependencies", "devDependencies")):
        deps = m.deps(key)
        if deps and not (omit and key == "devDependencies"):
            proc.out(f"{title}:\n")
            for d in deps:
                proc.out(f"+ {d} {tree.pkgs[d].version if d in tree.pkgs else ''}\n")
            proc.out("\n")
    proc.out("Done in 5s\n")
    dev = " without devDependencies" if omit else ""
    modelled(
        proc,
        f"pnpm install ({n} packages{dev}; node_modules links into .pnpm, "
        f"{mb(tree.size())}; store {mb(cached)} in {store})",
    )
    return 0


# --- corepack ------------------------------------------------------------------------------------


COREPACK = Syntax("-v|--version --install-directory=")


@tool("corepack", note="modelled: enable/prepare link pnpm and yarn shims")
@parses(COREPACK)
def corepack(proc: Proc, o: Opts) -> int:
    if not o.args or "--version" in o:
        proc.out("0.29.4\n")
        return 0
    cmd, rest = o.args[0], o.args[1:]
    if cmd == "enable":
        exe = which(proc, "corepack")
        bindir = posixpath.dirname(exe) if exe else "/usr/local/bin"
        w = Writer(proc)
        names = rest or ["pnpm", "yarn"]
        for n in names:
            links = {"pnpm": ["pnpm", "pnpx"], "yarn": ["yarn", "yarnpkg"], "npm": ["npm", "npx"]}
            for link in links.get(n, [n]):
                w.symlink(f"{bindir}/{link}", f"../lib/node_modules/corepack/dist/{link}.js")
                w.file(
                    f"{posixpath.dirname(bindir)}/lib/node_modules/corepack/dist/{link}.js",
                    f"#!/usr/bin/env node\nrequire('./lib/corepack.cjs').runMain(['{link}', "
                    "...process.argv.slice(2)]);\n",
                    0o755,
                )
        return 0
    if cmd in ("prepare", "install", "use"):
        target = rest[0] if rest else "pnpm"
        name, _, version = target.partition("@")
        version = version or spec_for(name).version
        path = posixpath.join(home(proc), ".cache/node/corepack", name, version)
        Writer(proc).blob(
            f"{path}/emu-package.blob",
            spec_for(name).size,
            f"{name} {version} fetched by corepack (modelled size)",
        )
        if "--activate" in o or cmd == "use":
            proc.out(f"Preparing {name}@{version} for immediate activation...\n")
        return 0
    if cmd == "disable":
        return 0
    raise ToolError(f'Usage Error: Couldn\'t find a script named "{cmd}".', 1)


# --- node ----------------------------------------------------------------------------------------


# node's options come before the script; -e and -p take the code to run.
NODE = Syntax(
    (
        "-r|--require= -e|--eval= -p|--print= -v|--version --import= --loader= "
        "--experimental-loader= --env-file="
    ),
    stop=True,
)


def _node_version(proc: Proc) -> str:
    return "v" + (proc.env.get("NODE_VERSION") or "20.12.1").lstrip("v")


@tool("node", "nodejs", note="modelled: --version; JavaScript is not run")
@parses(NODE, version=_node_version)
def node(proc: Proc, o: Opts) -> int:
    args = proc.argv[1:]
    if "--eval" in o or "--print" in o:
        return not_run(proc, "node -e …", "running JavaScript is not modelled")
    if not o.args:
        return 0
    script = o.args[0]
    path = proc.path(script)
    if not is_file(proc, path) and not is_file(proc, path + ".js") and not is_dir(proc, path):
        raise ToolError(
            f"node:internal/modules/cjs/loader:1080\n  throw err;\n  ^\n\nError: Cannot find "
            f"module '{path}'\n    at Module._resolveFilename (node:internal/modules/cjs/loader"
            f":1077:15)\n    at node:internal/main/run_main_module:23:47 {{\n  code: "
            f"'MODULE_NOT_FOUND',\n  requireStack: []\n}}\n\nNode.js "
            f"v{proc.env.get('NODE_VERSION', '20.12.1').lstrip('v')}",
            1,
        )
    # node_modules/<pkg>/bin/x.js of a modelled tool: run the model.
    real = proc.fs.realpath(path)
    m = re.search(r"/node_modules/((?:@[^/]+/)?[^/]+)/(.+)$", real)
    if m:
        spec = spec_for(m.group(1))
        for b, rel in spec.bin.items():
            if rel == m.group(2):
                from emu.sh.api import REGISTRY

                h = REGISTRY.get(b)
                if h is not None:
                    return h(child(proc, [b, *o.args[1:]]))
    return not_run(proc, f"node {' '.join(args)}", "running JavaScript is not modelled")
