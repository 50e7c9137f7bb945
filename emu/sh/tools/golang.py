"""``go``, the Go toolchain, modelled (``data/go.yaml``).

``go mod download`` fills the module cache (``$GOMODCACHE``, default ``$GOPATH/pkg/mod``,
``/go/pkg/mod`` in the golang images) from ``go.mod``'s requirements; ``go build [-o OUT]
[-ldflags …] [packages]`` writes one executable whose size follows its imports (a net/http
server is ~7 MB, ``-s -w`` strips 30%), named after the package path without ``-o``, and
fills the build cache (``~/.cache/go-build``). As go does, it fails without ``go.mod``
(``go: go.mod file not found in current directory or any parent directory``), with no
``.go`` files, with a ``go`` directive newer than the toolchain under
``GOTOOLCHAIN=local``, and with imports of modules that ``go.mod`` does not require.
``CGO_ENABLED=0`` builds a static binary; with cgo on (Debian images, with gcc) a program
importing ``net`` links libc dynamically — recorded in the binary's label, since such a
binary does not start on Alpine. ``go test``, ``vet``, ``mod tidy``, ``version``, ``env``
and ``install`` are modelled too; ``go run`` is not (programs are not run).
"""

from __future__ import annotations

import posixpath
import re

from emu.records import field, record
from emu.sh import permissive
from emu.sh.api import Proc
from emu.sh.options import Syntax
from emu.sh.tools._base import (
    ToolError,
    Writer,
    cannot_run,
    in_dir,
    modelled,
    not_modelled,
    tool,
)
from emu.sh.tools._data import data, digest, mb, size_of
from emu.sh.tools._image import (
    can_write,
    find_up,
    home,
    is_dir,
    is_file,
    listdir,
    read_text,
    walk_files,
    which,
)


@record(slots=True)
class GoMod:
    path: str  # the go.mod file
    module: str
    go: str
    requires: dict[str, str] = field(default_factory=dict)  # path → version
    replaces: dict[str, str] = field(default_factory=dict)

    @property
    def dir(self) -> str:
        return posixpath.dirname(self.path)


def parse_gomod(path: str, text: str) -> GoMod:
    mod = GoMod(path, "", "")
    block: str | None = None
    for raw in text.splitlines():
        line = raw.split("//", 1)[0].strip()
        if not line:
            continue
        if block:
            if line == ")":
                block = None
                continue
            words = line.split()
            if block == "require" and len(words) >= 2:
                mod.requires[words[0]] = words[1]
            elif block == "replace" and "=>" in line:
                left, right = (x.strip().split() for x in line.split("=>", 1))
                mod.replaces[left[0]] = right[0]
            continue
        words = line.split()
        if words[0] == "module" and len(words) > 1:
            mod.module = words[1].strip('"')
        elif words[0] == "go" and len(words) > 1:
            mod.go = words[1]
        elif (
            words[0] in ("require", "replace", "exclude", "retract", "tool", "godebug")
            and len(words) > 1
            and words[1] == "("
        ):
            block = words[0]
        elif words[0] == "require" and len(words) >= 3:
            mod.requires[words[1]] = words[2]
        elif words[0] == "replace" and "=>" in line:
            left, right = (x.strip().split() for x in line[len("replace") :].split("=>", 1))
            mod.replaces[left[0]] = right[0]
    return mod


def _toolchain(proc: Proc) -> str:
    go = which(proc, "go")
    if go is not None:
        root = posixpath.dirname(posixpath.dirname(proc.fs.realpath(go)))
        v = read_text(proc, f"{root}/VERSION")
        if v:
            return v.splitlines()[0].strip().removeprefix("go")
    v = proc.env.get("GOLANG_VERSION")
    return v or "1.21.13"


def _vt(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", v)[:3])


def _gopath(proc: Proc) -> str:
    return proc.env.get("GOPATH") or posixpath.join(home(proc), "go")


def _modcache(proc: Proc) -> str:
    return proc.env.get("GOMODCACHE") or posixpath.join(_gopath(proc).split(":")[0], "pkg/mod")


def _gocache(proc: Proc) -> str:
    if proc.env.get("GOCACHE"):
        return proc.env["GOCACHE"]
    xdg = proc.env.get("XDG_CACHE_HOME") or posixpath.join(home(proc), ".cache")
    return posixpath.join(xdg, "go-build")


def _escape(path: str) -> str:
    """Module paths in the cache: upper case letters as ``!`` + lower case."""
    return re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), path)


def _module_sizes(path: str) -> tuple[int, int]:
    t = data("go")
    mods = t["modules"]
    spec = mods.get(path)
    if spec is None:
        for known, s in mods.items():
            if path.startswith(known + "/"):
                spec = s
                break
    spec = spec or t["default_module"]
    return size_of(spec["src"]), size_of(spec["bin"])


def _find_mod(proc: Proc) -> GoMod:
    if proc.env.get("GO111MODULE") == "off":
        raise ToolError("emu: GOPATH mode (GO111MODULE=off) is not modelled", 1)
    path = find_up(proc, proc.cwd, ("go.mod",))
    if path is None:
        raise ToolError(
            "go: go.mod file not found in current directory or any parent directory; "
            "see 'go help modules'",
            1,
        )
    mod = parse_gomod(path, read_text(proc, path) or "")
    if not mod.module:
        raise ToolError(
            f"go: error reading {path}: missing module declaration. To specify the "
            "module path:\n\tgo mod edit -module=example.com/mod",
            1,
        )
    have = _toolchain(proc)
    if mod.go and _vt(mod.go) > _vt(have):
        _newer_directive(proc, mod, have)
    return mod


def _newer_directive(proc: Proc, mod: GoMod, have: str) -> None:
    """go.mod asks for a newer Go than the image's. Before Go 1.21 the directive was
    advisory (the build goes on), except that Go 1.19.13+ and 1.20.8+ refuse go 1.22 or
    later and 1.19.11+/1.20.6+ refuse 1.21 or later (go.dev/doc/toolchain). Go 1.21+ with
    GOTOOLCHAIN=local refuses; with auto it downloads the newer toolchain: no network
    here, so a strict build fails and --permissive builds with the image's Go, warning."""
    want = _vt(mod.go)
    mine = _vt(have)
    if mine < (1, 21):
        minor, patch = (*mine, 0, 0)[1], (*mine, 0, 0, 0)[2]
        gate = {19: (11, 13), 20: (6, 8)}.get(minor)  # the patches refusing 1.21, 1.22
        refuses = gate is not None and (
            (patch >= gate[0] and want >= (1, 21)) or (patch >= gate[1] and want >= (1, 22))
        )
        if refuses:
            raise ToolError(f"go: go.mod requires go >= {mod.go} (running go {have})", 1)
        proc.stderr.write(
            f"emu: go.mod says go {mod.go}; go {have} treats that as advisory and builds "
            "anyway (a newer language feature would fail to compile)\n"
        )
        return
    policy = proc.env.get("GOTOOLCHAIN", "auto")
    if policy == "local":
        raise ToolError(
            f"go: go.mod requires go >= {mod.go} (running go {have}; GOTOOLCHAIN={policy})", 1
        )
    url = f"https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-go{mod.go}.linux-amd64.zip"
    if permissive.active():
        permissive.placeholder(url, "", "toolchain download")
        proc.stderr.write(
            f"go: downloading go{mod.go} (linux/amd64)\nemu: warning: no network: go "
            f"{mod.go} was not downloaded; the image's go {have} builds instead (--permissive)\n"
        )
        return
    raise ToolError(
        f"go: downloading go{mod.go} (linux/amd64)\ngo: download go{mod.go} for "
        "linux/amd64: toolchain not available\nemu: no network in emu builds; "
        "use a golang image that matches the go directive",
        1,
    )


def _download(proc: Proc, mod: GoMod, only: list[str] | None = None, verbose: bool = False) -> int:
    cache = _modcache(proc)
    w = Writer(proc)
    total = 0
    for path, version in mod.requires.items():
        if only and path not in only:
            continue
        if path in mod.replaces and mod.replaces[path].startswith((".", "/")):
            continue
        src, _ = _module_sizes(path)
        esc = _escape(path)
        target = f"{cache}/{esc}@{version}"
        if is_dir(proc, target):
            continue
        if verbose:
            proc.stderr.write(f"go: downloading {path} {version}\n")
        # the module cache is read-only, as go makes it
        w.blob(
            f"{target}/emu-module.blob",
            src,
            f"{path}@{version}: module source (modelled size)",
            0o444,
        )
        dl = f"{cache}/cache/download/{esc}/@v"
        w.file(f"{dl}/{version}.info", f'{{"Version":"{version}","Time":"1970-01-01T00:00:00Z"}}')
        w.file(f"{dl}/{version}.mod", f"module {path}\n")
        w.blob(f"{dl}/{version}.zip", src // 3, f"{path}@{version}.zip (modelled size)")
        w.file(f"{dl}/{version}.ziphash", f"h1:{digest(path, version)[:43]}=\n")
        total += src + src // 3
    return total


@record(slots=True)
class Package:
    dir: str
    files: list[str]
    name: str
    imports: set[str]


_IMPORT_BLOCK = re.compile(r"^import\s*\((.*?)\)", re.S | re.M)
_IMPORT_ONE = re.compile(r'^import\s+(?:[\w.]+\s+)?"([^"]+)"', re.M)


def _load_package(proc: Proc, d: str, tags_test: bool = False) -> Package | None:
    files = [
        f"{d}/{n}"
        for n in listdir(proc, d)
        if n.endswith(".go")
        and (tags_test or not n.endswith("_test.go"))
        and is_file(proc, f"{d}/{n}")
    ]
    if not files:
        return None
    name = ""
    imports: set[str] = set()
    for f in files:
        text = read_text(proc, f) or ""
        m = re.search(r"^package\s+(\w+)", text, re.M)
        if m and not name:
            name = m.group(1)
        for b in _IMPORT_BLOCK.finditer(text):
            imports.update(re.findall(r'"([^"]+)"', b.group(1)))
        imports.update(_IMPORT_ONE.findall(text))
    return Package(d, files, name, imports)


def _expand(proc: Proc, mod: GoMod, patterns: list[str]) -> list[str]:
    dirs: list[str] = []
    for pat in patterns or ["."]:
        if pat.endswith(".go"):
            dirs.append(posixpath.dirname(proc.path(pat)))
            continue
        if pat.endswith("/..."):
            base = proc.path(pat[:-4] or ".")
            found = sorted(
                {
                    posixpath.dirname(f)
                    for f in walk_files(
                        proc, base, frozenset({"vendor", "testdata", ".git", "node_modules"})
                    )
                    if f.endswith(".go")
                }
            )
            if not found:
                proc.stderr.write(f'go: warning: "{pat}" matched no packages\n')
            dirs.extend(found)
            continue
        if pat.startswith((".", "/")):
            dirs.append(proc.path(pat))
        elif pat == mod.module or pat.startswith(mod.module + "/"):
            dirs.append(posixpath.join(mod.dir, pat[len(mod.module) :].lstrip("/")))
        else:
            dirs.append(f"@{pat}")
    return dirs


def _import_path(mod: GoMod, d: str) -> str:
    rel = posixpath.relpath(d, mod.dir)
    return mod.module if rel == "." else f"{mod.module}/{rel}"


def _exe_name(import_path: str) -> str:
    parts = import_path.rstrip("/").split("/")
    if len(parts) > 1 and re.fullmatch(r"v\d+", parts[-1]):
        return parts[-2]
    return parts[-1]


def _closure(proc: Proc, mod: GoMod, pkg: Package) -> tuple[set[str], set[str], list[str]]:
    """(standard imports, module paths used, errors) over the local import graph."""
    std: set[str] = set()
    used: set[str] = set()
    errors: list[str] = []
    seen: set[str] = set()
    stack = [pkg]
    while stack:
        p = stack.pop()
        if p.dir in seen:
            continue
        seen.add(p.dir)
        for imp in sorted(p.imports):
            if imp == "C":
                std.add("C")
                continue
            if imp == mod.module or imp.startswith(mod.module + "/"):
                sub = _load_package(
                    proc, posixpath.join(mod.dir, imp[len(mod.module) :].lstrip("/"))
                )
                if sub is None:
                    errors.append(
                        f"{p.files[0]}: package {imp} is not in std or in the module "
                        f"({imp[len(mod.module) :].lstrip('/')}: no Go files)"
                    )
                else:
                    stack.append(sub)
                continue
            first = imp.split("/")[0]
            if "." not in first:
                std.add(imp)
                continue
            owner = next(
                (
                    r
                    for r in sorted(mod.requires, key=len, reverse=True)
                    if imp == r or imp.startswith(r + "/")
                ),
                None,
            )
            if owner is None:
                errors.append(
                    f"{posixpath.relpath(p.files[0], proc.cwd)}:1:1: no required module "
                    f"provides package {imp}; to add it:\n\tgo get {imp}"
                )
            else:
                used.add(owner)
    return std, used, errors


def _binary_size(std: set[str], used: set[str], ldflags: str) -> int:
    t = data("go")
    size = size_of(t["binary"]["base"])
    weights = t["stdlib"]
    counted: set[str] = set()
    for imp in std:
        if imp in ("C", "fmt", "os", "errors", "io", "runtime"):
            continue
        w = weights.get(imp)
        size += size_of(w) if w is not None else size_of(t["default_stdlib"])
        counted.add(imp)
    if "net/http" in counted:
        size -= size_of(weights.get("net", 0)) if "net" in counted else 0
    for m in used:
        size += _module_sizes(m)[1]
    if re.search(r"-s\b", ldflags) and re.search(r"-w\b", ldflags):
        size = int(size * float(t["binary"]["strip_factor"]))
    elif re.search(r"-s\b|-w\b", ldflags):
        size = int(size * 0.85)
    return size


@tool("go", note="modelled: Go toolchain (module cache, build cache, binaries of realistic size)")
def go(proc: Proc) -> int:
    args = proc.argv[1:]
    if not args:
        proc.out(
            "Go is a tool for managing Go source code.\n\nUsage:\n\n\tgo <command> [arguments]\n"
        )
        return 2
    cmd, rest = args[0], args[1:]
    if cmd == "version":
        proc.out(f"go version go{_toolchain(proc)} linux/amd64\n")
        return 0
    if cmd == "env":
        values = {
            "GOPATH": _gopath(proc),
            "GOMODCACHE": _modcache(proc),
            "GOCACHE": _gocache(proc),
            "GOOS": proc.env.get("GOOS", "linux"),
            "GOARCH": proc.env.get("GOARCH", "amd64"),
            "CGO_ENABLED": (_cgo(proc) and "1") or "0",
            "GOROOT": "/usr/local/go",
            "GOVERSION": f"go{_toolchain(proc)}",
            # go's own settings file (go env -w writes it; xx-go --wrap too)
            "GOENV": proc.env.get("GOENV")
            or posixpath.join(proc.env.get("XDG_CONFIG_HOME") or f"{home(proc)}/.config", "go/env"),
        }
        o = GO.parse(rest)
        keys = o.args
        if "-w" in o:
            return 0
        for k in keys or sorted(values):
            proc.out((values.get(k, "") if keys else f"{k}='{values[k]}'") + "\n")
        return 0
    if cmd == "mod":
        return _mod(proc, rest)
    if cmd in ("build", "install"):
        return _build(proc, rest, install=cmd == "install")
    if cmd == "get":
        mod = _find_mod(proc)
        text = read_text(proc, mod.path) or ""
        for a in GO.parse(rest).args:
            path, _, version = a.partition("@")
            version = version if version.startswith("v") else "v1.0.0"
            if path not in mod.requires:
                text += f"\nrequire {path} {version}\n"
                mod.requires[path] = version
            proc.stderr.write(f"go: added {path} {version}\n")
        Writer(proc).file(mod.path, text)
        _download(proc, mod)
        return 0
    if cmd in ("test", "vet"):
        mod = _find_mod(proc)
        dirs = _expand(proc, mod, GO.parse(rest).args)
        for d in dirs:
            pkg = _load_package(proc, d, tags_test=True)
            if pkg is None:
                continue
            ip = _import_path(mod, d)
            if cmd == "vet":
                continue
            has_tests = any(f.endswith("_test.go") for f in pkg.files)
            proc.out(f"ok  \t{ip}\t0.012s\n" if has_tests else f"?   \t{ip}\t[no test files]\n")
        modelled(proc, f"go {cmd} (tests and checks are not run; assumed passing)")
        return 0
    if cmd == "run":
        mod = _find_mod(proc)
        return cannot_run(proc, f"go run (module {mod.module}) builds and")
    if cmd in ("fmt", "generate", "clean", "list", "doc", "fix", "work", "tool"):
        return not_modelled(proc, f"go {cmd}")
    raise ToolError(f"go {cmd}: unknown command\nRun 'go help' for usage.", 2)


def _cgo(proc: Proc) -> bool:
    v = proc.env.get("CGO_ENABLED")
    if v is not None:
        return v == "1"
    cc = proc.env.get("CC") or "gcc"
    return which(proc, cc) is not None


def _mod(proc: Proc, rest: list[str]) -> int:
    sub = rest[0] if rest else ""
    if sub == "init":
        name = rest[1] if len(rest) > 1 else posixpath.basename(proc.cwd)
        if is_file(proc, f"{proc.cwd}/go.mod"):
            raise ToolError(f"go: {proc.cwd}/go.mod already exists", 1)
        Writer(proc).file(
            f"{proc.cwd}/go.mod",
            f"module {name}\n\ngo {'.'.join(_toolchain(proc).split('.')[:2])}\n",
        )
        proc.stderr.write(f"go: creating new go.mod: module {name}\n")
        return 0
    mod = _find_mod(proc)
    if sub == "download":
        if not mod.requires:
            proc.stderr.write("go: no module dependencies to download\n")
            return 0
        if not can_write(proc, _modcache(proc)):
            raise ToolError(
                f"go: could not create module cache: mkdir {_modcache(proc)}: permission denied", 1
            )
        o = GO.parse(rest[1:])
        only = [a.split("@")[0] for a in o.args]
        size = _download(proc, mod, only or None, verbose="-x" in o)
        n = len(only or mod.requires)
        modelled(proc, f"go mod download ({n} modules, {mb(size)} in {_modcache(proc)})")
        return 0
    if sub in ("tidy", "verify", "vendor", "graph", "why", "edit"):
        if sub == "verify":
            proc.out("all modules verified\n")
        if sub == "tidy":
            _download(proc, mod)
            w = Writer(proc)
            sums = "".join(
                f"{p} {v} h1:{digest(p, v)[:43]}=\n{p} {v}/go.mod h1:{digest(p, v, 'mod')[:43]}=\n"
                for p, v in sorted(mod.requires.items())
            )
            if sums:
                w.file(f"{mod.dir}/go.sum", sums)
        if sub == "vendor":
            w = Writer(proc)
            for p, v in mod.requires.items():
                src, _ = _module_sizes(p)
                w.blob(
                    f"{mod.dir}/vendor/{p}/emu-module.blob",
                    src,
                    f"{p}@{v} (vendored; modelled size)",
                )
            w.file(
                f"{mod.dir}/vendor/modules.txt",
                "".join(f"# {p} {v}\n" for p, v in mod.requires.items()),
            )
        return 0
    raise ToolError(f"go mod {sub}: unknown command\nRun 'go help mod' for usage.", 2)


# go's flag package: one dash or two alike; a flag that takes a value takes the next
# argument unless written -name=value. These are the build and test flags that do.
GO = Syntax(
    (
        "-o= -ldflags= -tags= -gcflags= -asmflags= -mod= -p= -buildmode= -installsuffix= -pkgdir= "
        "-toolexec= -modfile= -overlay= -pgo= -buildvcs= -C= -run= -count= -timeout= -bench= "
        "-cpu= -coverprofile= -covermode= -coverpkg= -exec="
    ),
    either_dash=True,
)


def _build(proc: Proc, rest: list[str], install: bool) -> int:
    o = GO.parse(rest)
    out = o.get("-o")
    ldflags = o.get("-ldflags") or ""
    for d in o.all("-C"):
        proc = in_dir(proc, d)
    patterns = o.args
    if install and patterns and all("@" in p for p in patterns):
        return _install_versioned(proc, patterns, ldflags)
    if install and patterns == ["std"]:
        modelled(proc, "go install std (the standard library's packages, into the build cache)")
        return 0
    mod = _find_mod(proc)
    dirs = _expand(proc, mod, patterns)
    goos = proc.env.get("GOOS", "linux")
    goarch = proc.env.get("GOARCH", "amd64")
    cgo = _cgo(proc) and goos == "linux" and goarch == "amd64"
    w = Writer(proc)
    built: list[tuple[str, int, str]] = []
    for d in dirs:
        if d.startswith("@"):
            raise ToolError(f"package {d[1:]} is not in std (/usr/local/go/src/{d[1:]})", 1)
        if not is_dir(proc, d):
            raise ToolError(f"stat {d}: directory not found", 1)
        pkg = _load_package(proc, d)
        if pkg is None:
            raise ToolError(f"no Go files in {d}", 1)
        std, used, errors = _closure(proc, mod, pkg)
        if errors:
            raise ToolError("\n".join(errors), 1)
        missing_sum = [m for m in sorted(used) if not _in_gosum(proc, mod, m)]
        if missing_sum:
            m = missing_sum[0]
            raise ToolError(
                f"{posixpath.relpath(pkg.files[0], proc.cwd)}:1:1: missing go.sum entry"
                f" for module providing package {m} (imported by {_import_path(mod, d)})"
                f"; to add:\n\tgo get {_import_path(mod, d)}",
                1,
            )
        not_cached = [
            m for m in used if not is_dir(proc, f"{_modcache(proc)}/{_escape(m)}@{mod.requires[m]}")
        ]
        if not_cached:
            _download(proc, mod, not_cached, verbose=True)
        if "C" in std and not cgo:
            raise ToolError(
                f"go: C source files not allowed when not using cgo: {pkg.files[0]}\n"
                'emu: this package imports "C"; set CGO_ENABLED=1 and install gcc',
                1,
            )
        if pkg.name != "main":
            if len(dirs) == 1 and out is not None and not install:
                pass  # go build -o of a library writes an archive; modelled as nothing
            continue
        size = _binary_size(std, used, ldflags)
        dynamic = cgo and ("C" in std or "net" in std or "net/http" in std or "os/user" in std)
        name = _exe_name(_import_path(mod, d)) + (".exe" if goos == "windows" else "")
        if install:
            gobin = proc.env.get("GOBIN") or posixpath.join(_gopath(proc).split(":")[0], "bin")
            dest = posixpath.join(gobin, name)
        elif out is None:
            dest = proc.path(name)
        else:
            dest = proc.path(out)
            if out.endswith("/") or is_dir(proc, dest):
                dest = posixpath.join(dest, name)
        link = (
            "dynamically linked against glibc (cgo is on and it imports net: it will not "
            "start on Alpine/musl or scratch; build with CGO_ENABLED=0)"
            if dynamic
            else "statically linked"
        )
        stripped = ", stripped" if "-s" in ldflags else ""
        label = (
            f"Go {goos}/{goarch} executable of {_import_path(mod, d)}, {link}{stripped} "
            f"(modelled size)"
        )
        w.blob(dest, size, label, 0o755)
        built.append((dest, size, link))
    if not built and len(dirs) > 1 and out is not None and not install:
        raise ToolError("go: -o flag with multiple packages requires an output directory", 1)
    cache = _gocache(proc)
    total = sum(s for _, s, _ in built) or 500_000
    if can_write(proc, cache):
        factor = float(data("go")["binary"]["cache_factor"])
        w.blob(
            f"{cache}/{digest('go-build', *[b for b, _, _ in built])[:2]}/emu-build-cache.blob",
            int(total * factor),
            "compiled packages in the Go build cache (modelled size; "
            "RUN --mount=type=cache,target=/root/.cache/go-build keeps it out of the layer)",
        )
        w.file(
            f"{cache}/README",
            "This directory holds cached build artifacts from the Go build "
            'system.\nRun "go clean -cache" if the directory is getting too large.\n',
        )
    for dest, size, link in built:
        modelled(proc, f"go {'install' if install else 'build'} -> {dest} ({mb(size)}, {link})")
    return 0


def _install_versioned(proc: Proc, patterns: list[str], ldflags: str) -> int:
    """``go install example.com/cmd/tool@v1.2.3``: outside the main module, go downloads
    that module version (and its dependencies) and builds the command into $GOBIN. The
    source is not here, so the binary is an estimate: the module table's size when it
    knows the module, else its default, over a hello world."""
    w = Writer(proc)
    gobin = proc.env.get("GOBIN") or posixpath.join(_gopath(proc).split(":")[0], "bin")
    cache = _modcache(proc)
    base = size_of(data("go")["binary"]["base"])
    for pat in patterns:
        path, _, version = pat.partition("@")
        if not path or not version:
            raise ToolError(f"go: {pat}: malformed module path", 1)
        version = version if version.startswith("v") else "v0.0.0-latest"
        src, bin_size = _module_sizes(path)
        size = base + bin_size
        if "-s" in ldflags:
            size = int(size * float(data("go")["binary"]["strip_factor"]))
        proc.stderr.write(f"go: downloading {path} {version}\n")
        w.blob(
            f"{cache}/{_escape(path)}@{version}/emu-module.blob",
            src,
            f"{path}@{version} in the module cache (modelled size, an estimate)",
        )
        dest = posixpath.join(gobin, _exe_name(path))
        w.blob(
            dest,
            size,
            f"Go linux/amd64 executable of {path}@{version}, statically linked (size "
            "estimated: its source is not in the image)",
            0o755,
        )
        modelled(proc, f"go install {pat} -> {dest} ({mb(size)}, an estimate)")
    return 0


def _in_gosum(proc: Proc, mod: GoMod, module: str) -> bool:
    text = read_text(proc, f"{mod.dir}/go.sum")
    if text is None:
        return False
    return any(line.startswith(module + " ") for line in text.splitlines())
