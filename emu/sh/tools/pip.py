"""``pip`` and ``python`` (``-m pip``, ``-m venv``, ``--version``), modelled offline.

``pip install [-r requirements.txt] [--no-cache-dir] [--user|--prefix P|--target T] pkg…``
installs distributions from ``data/pip.yaml`` (unknown names get a default size and no
console scripts, said to be an estimate) into the
interpreter's site-packages — ``/usr/local/lib/python3.X/site-packages`` in the python
images, ``VENV/lib/python3.X/site-packages`` in a virtual environment — with dist-info and
console scripts; downloaded wheels stay in ``~/.cache/pip`` unless ``--no-cache-dir`` (or
``PIP_NO_CACHE_DIR``). Like pip: a missing requirements file, a system Python marked
``EXTERNALLY-MANAGED`` (Debian 12, Alpine 3.19: PEP 668), ``pip install .`` without
``pyproject.toml``/``setup.py``, and unreachable URLs fail. ``pip wheel``, ``freeze``,
``list``, ``show``, ``uninstall`` and ``--version`` are modelled too.

``python`` cannot run Python code: ``python script.py`` fails if the script is missing
(as Python does) and otherwise prints that it was not run.
"""

from __future__ import annotations

import posixpath
import re
import tomllib

from emu.records import record
from emu.sh import permissive
from emu.sh.api import Proc
from emu.sh.options import Opts, Syntax
from emu.sh.tools._base import ToolError, Writer, modelled, not_modelled, not_run, parses, tool
from emu.sh.tools._data import data, digest, mb, size_of
from emu.sh.tools._image import (
    can_write,
    home,
    is_dir,
    is_file,
    listdir,
    read_bytes,
    read_text,
    walk_files,
    which,
)

PIP_VERSION = "24.0"


@record(frozen=True, slots=True)
class Dist:
    name: str
    version: str
    size: int
    deps: tuple[str, ...]
    top: tuple[str, ...]
    bin: tuple[str, ...]
    known: bool

    @property
    def wheel_size(self) -> int:
        return max(2000, self.size // 3)

    @property
    def wheel(self) -> str:
        return f"{_norm(self.name)}-{self.version}-py3-none-any.whl"


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def dist(name: str, version: str | None = None) -> Dist:
    table = data("pip")
    pkgs = {_key(k): v for k, v in table["packages"].items()}
    raw = pkgs.get(_key(name))
    spec = raw or table["default"]
    return Dist(
        name=_key(name),
        version=version or str(spec["v"]),
        size=size_of(spec["size"]),
        deps=tuple(str(d) for d in spec.get("deps", ())),
        top=tuple(str(t) for t in spec.get("top", (_norm(name),))),
        bin=tuple(str(b) for b in spec.get("bin", ())),
        known=raw is not None,
    )


# --- where the interpreter is --------------------------------------------------------------


@record(slots=True)
class Python:
    exe: str  # the interpreter as invoked (/usr/local/bin/python3.12, /venv/bin/python)
    prefix: str  # sys.prefix
    version: str  # "3.12"
    venv: bool

    @property
    def stdlib(self) -> str:
        if self.venv:
            return ""
        return f"{self.prefix}/lib/python{self.version}"

    def site(self, debian: bool) -> str:
        if not self.venv and self.prefix == "/usr" and debian:
            return f"/usr/local/lib/python{self.version}/dist-packages"
        return f"{self.prefix}/lib/python{self.version}/site-packages"

    def bindir(self, debian: bool) -> str:
        if not self.venv and self.prefix == "/usr" and debian:
            return "/usr/local/bin"
        return f"{self.prefix}/bin"


_VER = re.compile(r"python(\d+\.\d+)")


def _version_from(proc: Proc, prefix: str, exe: str) -> str:
    m = _VER.search(posixpath.basename(exe))
    if m:
        return m.group(1)
    cfg = read_text(proc, f"{prefix}/pyvenv.cfg") or ""
    m = re.search(r"^version(?:_info)?\s*=\s*(\d+\.\d+)", cfg, re.M)
    if m:
        return m.group(1)
    found = sorted(
        (n for n in listdir(proc, f"{prefix}/lib") if _VER.fullmatch(n)),
        key=lambda n: tuple(int(x) for x in n[6:].split(".")),
    )
    if found:
        return found[-1][6:]
    env = proc.env.get("PYTHON_VERSION", "")
    m = re.match(r"(\d+\.\d+)", env)
    return m.group(1) if m else "3.12"


def locate(proc: Proc, invoked: str) -> Python | None:
    """The interpreter behind ``invoked`` (a python or a pip command), or None."""
    path = invoked if "/" in invoked else which(proc, invoked)
    if path is None:
        return None
    path = proc.path(path)
    bindir = posixpath.dirname(path)
    prefix = posixpath.dirname(bindir) or "/"
    if is_file(proc, f"{prefix}/pyvenv.cfg"):
        return Python(f"{bindir}/python", prefix, _version_from(proc, prefix, path), True)
    exe = path
    if "pip" in posixpath.basename(path):
        head = (read_bytes(proc, path) or b"")[:200].decode("utf-8", "replace")
        if head.startswith("#!"):
            exe = head[2:].splitlines()[0].strip().split()[0]
            bindir = posixpath.dirname(exe)
            prefix = posixpath.dirname(bindir) or "/"
            if is_file(proc, f"{prefix}/pyvenv.cfg"):
                return Python(exe, prefix, _version_from(proc, prefix, exe), True)
    else:
        real = proc.fs.realpath(path)
        exe = real if _VER.search(posixpath.basename(real)) else path
    return Python(exe, prefix, _version_from(proc, prefix, exe), False)


def _debian(proc: Proc) -> bool:
    return is_file(proc, "/etc/debian_version")


# --- requirements ------------------------------------------------------------------------------

_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")


@record(slots=True)
class Req:
    name: str
    version: str | None
    source: str  # "-r requirements.txt (line 3)" or ""
    path: str | None = None  # a local project
    editable: bool = False
    url: str | None = None


def _parse_req(text: str, source: str) -> Req | None:
    text = text.split(";", 1)[0].strip()
    if not text:
        return None
    if "://" in text or text.startswith("git+"):
        m = re.search(r"#egg=([A-Za-z0-9._-]+)", text)
        at = text.split(" @ ", 1)
        name = at[0].strip() if len(at) == 2 else (m.group(1) if m else text)
        return Req(name, None, source, url=at[-1].strip())
    if text.startswith((".", "/")) or text.endswith((".whl", ".tar.gz", ".zip")):
        return Req(text, None, source, path=text)
    m = _REQ.match(text)
    if m is None:
        return None
    spec = m.group(3).strip()
    if re.fullmatch(r"(?:===?|[!~<>]=?)\s*", spec):
        # an operator without a version ("poetry==" from an unset $POETRY_VERSION)
        col = " " * (4 + len(text) - len(spec))
        where = f" ({source})" if source else ""
        raise ToolError(
            f"ERROR: Invalid requirement: '{text}': Expected end or semicolon (after name and "
            f"no valid version specifier){where}\n    {text}\n{col}^",
            1,
        )
    version = None
    pinned = re.match(r"===?\s*([^\s,]+)", spec)
    if pinned:
        version = pinned.group(1)
    return Req(m.group(1), version, source)


def _read_requirements(proc: Proc, path: str, out: list[Req], seen: set[str]) -> None:
    full = proc.path(path)
    if full in seen:
        return
    seen.add(full)
    text = read_text(proc, full)
    if text is None:
        raise ToolError(
            f"ERROR: Could not open requirements file: [Errno 2] No such file or "
            f"directory: '{path}'",
            1,
        )
    base = posixpath.dirname(path)
    joined = re.sub(r"\\\n", "", text)
    for lineno, line in enumerate(joined.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if not line:
            continue
        words = line.split()
        if words[0] in ("-r", "--requirement") and len(words) > 1:
            _read_requirements(proc, posixpath.join(base, words[1]), out, seen)
            continue
        if words[0].startswith("-r") and len(words[0]) > 2:
            _read_requirements(proc, posixpath.join(base, words[0][2:]), out, seen)
            continue
        if words[0] in ("-e", "--editable") and len(words) > 1:
            r = _parse_req(words[1], f"-r {path} (line {lineno})")
            if r is not None:
                r.editable = True
                if r.path is None and not r.url:
                    r.path = words[1]
                out.append(r)
            continue
        if words[0].startswith("-"):
            continue  # --index-url, -c constraints, --hash …
        r = _parse_req(line, f"-r {path} (line {lineno})")
        if r is not None:
            out.append(r)


# --- pip -------------------------------------------------------------------------------------


@tool(
    "pip",
    "pip3",
    "pip3.8",
    "pip3.9",
    "pip3.10",
    "pip3.11",
    "pip3.12",
    "pip3.13",
    note="modelled: installs from emu's offline PyPI table (data/pip.yaml)",
)
def pip(proc: Proc) -> int:
    py = locate(proc, proc.argv[0])
    if py is None:
        py = Python(
            "/usr/local/bin/python3", "/usr/local", _version_from(proc, "/usr/local", ""), False
        )
    return run_pip(proc, py, proc.argv[1:])


def run_pip(proc: Proc, py: Python, args: list[str]) -> int:
    o = PIP.parse(args)
    if "--version" in o:
        site = py.site(_debian(proc))
        proc.out(f"pip {PIP_VERSION} from {site}/pip (python {py.version})\n")
        return 0
    if not o.args:
        proc.out("\nUsage:   \n  pip <command> [options]\n")
        return 0 if "--help" in o else 1
    cmd = o.args[0]
    # The command's options, with the general ones given before it (pip --no-cache-dir install).
    at = args.index(cmd)
    rest = args[:at] + args[at + 1 :]
    if cmd == "install":
        return _install(proc, py, rest)
    if cmd == "wheel":
        return _wheel(proc, py, rest)
    if cmd in ("freeze", "list"):
        return _list(proc, py, cmd)
    if cmd == "show":
        return _show(proc, py, PIP.parse(rest).args)
    if cmd == "uninstall":
        return _uninstall(proc, py, PIP.parse(rest).args)
    if cmd in ("cache",):
        if PIP.parse(rest).args[:1] in (["purge"], ["remove"]):
            Writer(proc).remove(_cache_dir(proc))
            proc.out("Files removed: 1\n")
        return 0
    if cmd in ("config", "check", "download", "hash", "debug", "inspect", "index"):
        return not_modelled(proc, f"pip {cmd}")
    raise ToolError(f'ERROR: unknown command "{cmd}"', 1)


def _cache_dir(proc: Proc) -> str:
    if proc.env.get("PIP_CACHE_DIR"):
        return proc.env["PIP_CACHE_DIR"]
    xdg = proc.env.get("XDG_CACHE_HOME") or posixpath.join(home(proc), ".cache")
    return posixpath.join(xdg, "pip")


def _no_cache(proc: Proc, o: Opts) -> bool:
    return "--no-cache-dir" in o or bool(proc.env.get("PIP_NO_CACHE_DIR", ""))


# pip's general and install options that the model reads or must skip.
PIP = Syntax(
    (
        "-r|--requirement= -c|--constraint= -e|--editable= -t|--target= -i|--index-url= "
        "-f|--find-links= -w|--wheel-dir= -C|--config-settings= -U|--upgrade -V|--version "
        "-h|--help --no-cache|--no-cache-dir --prefix= --root= --extra-index-url= --cache-dir= "
        "--python-version= --platform= --only-binary= --no-binary= --progress-bar= "
        "--root-user-action= --trusted-host= --timeout= --retries= --log= --src= "
        "--implementation= --abi= --upgrade-strategy= --global-option="
    ),
    short=True,
)


def _collect(proc: Proc, o: Opts) -> list[Req]:
    reqs: list[Req] = []
    seen: set[str] = set()
    for f in o.all("--requirement"):
        _read_requirements(proc, f, reqs, seen)
    for e in o.all("--editable"):
        r = _parse_req(e, "")
        if r is not None:
            r.editable = True
            if r.path is None and not r.url:
                r.path = e
            reqs.append(r)
    for p in o.args:
        r = _parse_req(p, "")
        if r is not None:
            reqs.append(r)
    return reqs


def _offline(req: Req) -> ToolError:
    host = req.url.split("://", 1)[-1].split("/", 1)[0] if req.url else "pypi.org"
    return ToolError(
        f"  ERROR: Error [Errno -3] Temporary failure in name resolution while executing "
        f"command git clone {req.url}\nERROR: Could not resolve host: {host}\n"
        "emu: no network in emu builds (only the package table is modelled offline)",
        1,
    )


def _local_project(proc: Proc, req: Req) -> tuple[Dist, int, list[str]]:
    """(the distribution, its size, its requirements) for ``pip install ./path``."""
    path = req.path or "."
    if path.endswith((".whl", ".tar.gz", ".zip")):
        node_path = proc.path(path)
        if not is_file(proc, node_path):
            raise ToolError(
                f"ERROR: Invalid requirement: '{path}'\nHint: It looks like a path. "
                "File '{path}' does not exist.",
                1,
            )
        stem = posixpath.basename(path).split("-")
        d = dist(stem[0], stem[1] if len(stem) > 1 else None)
        return d, d.size, list(d.deps)
    root = proc.path(path)
    pyproject = read_text(proc, f"{root}/pyproject.toml")
    setup_py = read_text(proc, f"{root}/setup.py")
    if not is_dir(proc, root):
        raise ToolError(f"ERROR: Invalid requirement: '{path}'", 1)
    if pyproject is None and setup_py is None:
        raise ToolError(
            f"ERROR: Directory '{path}' is not installable. Neither 'setup.py' nor "
            "'pyproject.toml' found.",
            1,
        )
    name, version, deps = posixpath.basename(root) or "project", "0.0.0", []
    if pyproject is not None:
        try:
            meta = tomllib.loads(pyproject)
        except tomllib.TOMLDecodeError as exc:
            raise ToolError(f"ERROR: Failed to parse {path}/pyproject.toml: {exc}", 1) from None
        project = meta.get("project", {})
        poetry = meta.get("tool", {}).get("poetry", {})
        name = str(project.get("name") or poetry.get("name") or name)
        version = str(project.get("version") or poetry.get("version") or version)
        deps = [str(d) for d in project.get("dependencies", [])]
        deps += [str(k) for k in poetry.get("dependencies", {}) if k != "python"]
    elif setup_py is not None:
        m = re.search(r"name\s*=\s*['\"]([^'\"]+)", setup_py)
        name = m.group(1) if m else name
        m = re.search(r"version\s*=\s*['\"]([^'\"]+)", setup_py)
        version = m.group(1) if m else version
        m = re.search(r"install_requires\s*=\s*\[([^\]]*)\]", setup_py, re.S)
        deps = re.findall(r"['\"]([^'\"]+)['\"]", m.group(1)) if m else []
    size = 0
    for f in walk_files(
        proc,
        root,
        frozenset(
            {".git", "tests", "node_modules", ".venv", "venv", "__pycache__", "build", "dist"}
        ),
    ):
        if f.endswith(".py"):
            node = proc.fs.lookup(f)
            size += node.size if node is not None else 0
    d = Dist(_key(name), version, int(size * 1.8) + 4000, (), (_norm(name),), (), False)
    return d, d.size, [r.name for r in (_parse_req(x, "") for x in deps) if r is not None]


def _installed(proc: Proc, site: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for n in listdir(proc, site):
        if n.endswith(".dist-info"):
            stem = n[: -len(".dist-info")]
            name, _, ver = stem.partition("-")
            out[_key(name)] = ver
    for builtin in ("pip", "setuptools", "wheel"):
        if builtin not in out and is_dir(proc, f"{site}/{builtin}"):
            out[builtin] = PIP_VERSION if builtin == "pip" else "?"
    return out


def _externally_managed(py: Python) -> str:
    return f"{py.stdlib}/EXTERNALLY-MANAGED" if py.stdlib else ""


PEP668 = """error: externally-managed-environment

× This environment is externally managed
╰─> To install Python packages system-wide, try {tool}
    {prefix}xyz, where xyz is the package you are trying to
    install.

    If you wish to install a non-{distro}-packaged Python package,
    create a virtual environment using python3 -m venv path/to/venv.
    Then use path/to/venv/bin/python and path/to/venv/bin/pip. Make
    sure you have python3-full installed.

note: If you believe this is a mistake, please contact your Python installation or OS distribution provider. You can override this, at the risk of breaking your Python installation or OS, by passing --break-system-packages.
hint: See PEP 668 for the detailed specification."""  # noqa: E501


def _install(proc: Proc, py: Python, args: list[str]) -> int:
    o = PIP.parse(args)
    debian = _debian(proc)
    reqs = _collect(proc, o)
    if not reqs:
        raise ToolError(
            'ERROR: You must give at least one requirement to install (see "pip help install")', 1
        )
    target = o.get("--target")
    prefix = o.get("--prefix")
    root = o.get("--root")
    user = "--user" in o
    site, bindir = py.site(debian), py.bindir(debian)
    if not (target or prefix or root or user) and not py.venv:
        em = _externally_managed(py)
        if (
            em
            and is_file(proc, em)
            and "--break-system-packages" not in o
            and not proc.env.get("PIP_BREAK_SYSTEM_PACKAGES")
        ):
            alpine = is_file(proc, "/etc/alpine-release")
            raise ToolError(
                PEP668.format(
                    tool="apk add" if alpine else "apt install",
                    prefix="py3-" if alpine else "python3-",
                    distro="Alpine" if alpine else "Debian",
                ),
                1,
            )
        if not can_write(proc, site):
            proc.out(
                "Defaulting to user installation because normal site-packages is not writeable\n"
            )
            user = True
    if user:
        base = proc.env.get("PYTHONUSERBASE") or posixpath.join(home(proc), ".local")
        site, bindir = f"{base}/lib/python{py.version}/site-packages", f"{base}/bin"
    if prefix:
        site, bindir = f"{prefix}/lib/python{py.version}/site-packages", f"{prefix}/bin"
    if target:
        site, bindir = proc.path(target), posixpath.join(proc.path(target), "bin")
    if root:
        site, bindir = proc.path(root) + site, proc.path(root) + bindir
    installed = {} if target else _installed(proc, site)
    upgrade = "--upgrade" in o
    no_deps = "--no-deps" in o
    # Resolve: requested first, then their requirements, breadth first.
    todo: list[tuple[Dist, str]] = []
    chosen: dict[str, Dist] = {}
    queue: list[tuple[str, str | None, str, Req | None]] = []
    for r in reqs:
        if r.url:
            raise _offline(r)
        queue.append((r.name, r.version, r.source, r))
    while queue:
        name, version, source, req = queue.pop(0)
        if req is not None and req.path is not None:
            d, _, deps = _local_project(proc, req)
            extra = " (editable)" if req.editable else ""
            proc.out(f"Processing {req.path}{extra}\n")
        else:
            d = dist(name, version)
            deps = [] if no_deps else list(d.deps)
            if d.name in chosen:
                continue
            if d.name in installed and not (upgrade and req is not None):
                if req is not None:
                    proc.out(
                        f"Requirement already satisfied: {name} in {site} ({installed[d.name]})\n"
                    )
                continue
            frm = f" (from {source})" if source else ""
            proc.out(
                f"Collecting {name}{'==' + version if version else ''}{frm}\n"
                f"  Downloading {d.wheel} ({_kb(d.wheel_size)})\n"
            )
        chosen[d.name] = d
        todo.append((d, "editable" if req is not None and req.editable else ""))
        parent = f"{d.name}->{source}" if source else d.name
        for dep in [] if no_deps else deps:
            queue.append((dep, None, parent, None))
    if not todo:
        return 0
    w = Writer(proc)
    order = list(reversed(todo))
    proc.out("Installing collected packages: " + ", ".join(d.name for d, _ in order) + "\n")
    total = 0
    for d, how in order:
        total += write_dist(w, py, d, site, bindir, editable=how == "editable")
    cached = 0
    if not _no_cache(proc, o):
        cache = _cache_dir(proc)
        if can_write(proc, cache):
            for d, _ in order:
                if d.known or d.version:
                    h = digest("pip-cache", d.wheel)
                    w.blob(
                        f"{cache}/http-v2/{'/'.join(h[:5])}/{h}.body",
                        d.wheel_size,
                        f"cached download of {d.wheel} (modelled size; --no-cache-dir keeps none)",
                    )
                    cached += d.wheel_size
    proc.out(
        "Successfully installed "
        + " ".join(f"{d.name}-{d.version}" for d, _ in sorted(order, key=lambda x: x[0].name))
        + "\n"
    )
    if (
        proc.ident.uid == 0
        and not py.venv
        and not (target or prefix)
        and "ignore"
        not in (o.all("--root-user-action") or [proc.env.get("PIP_ROOT_USER_ACTION", "")])
    ):
        proc.stderr.write(
            "WARNING: Running pip as the 'root' user can result in broken "
            "permissions and conflicting behaviour with the system package "
            "manager. It is recommended to use a virtual environment instead: "
            "https://pip.pypa.io/warnings/venv\n"
        )
    extra = f"; {mb(cached)} of wheels cached in {_cache_dir(proc)}" if cached else ""
    extra += estimated(proc, [d for d, _ in order])
    modelled(proc, f"pip install ({_n(len(order), 'package')}, {mb(total)} in {site}{extra})")
    return 0


def estimated(proc: Proc, dists: list[Dist]) -> str:
    """Say which distributions emu's table lacks (their size is the table's default, they
    get no console scripts: an estimate) — on stderr, and as a note for the modelled line."""
    unknown = [d.name for d in dists if not d.known]
    if not unknown:
        return ""
    default = mb(size_of(data("pip")["default"]["size"]))
    proc.stderr.write(
        f"emu: estimate: {', '.join(unknown)} not in emu's PyPI table (data/pip.yaml): "
        f"{default} each, no console scripts\n"
    )
    return f"; {len(unknown)} estimated"


def _n(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _kb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1000:.0f} kB"


def write_dist(
    w: Writer, py: Python, d: Dist, site: str, bindir: str, editable: bool = False
) -> int:
    info = f"{site}/{_norm(d.name)}-{d.version}.dist-info"
    w.file(
        f"{info}/METADATA",
        f"Metadata-Version: 2.1\nName: {d.name}\nVersion: {d.version}\nSummary: (emu model)\n",
    )
    w.file(f"{info}/INSTALLER", "pip\n")
    w.file(
        f"{info}/WHEEL",
        "Wheel-Version: 1.0\nGenerator: emu\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    )
    w.file(f"{info}/top_level.txt", "".join(t.removesuffix(".py") + "\n" for t in d.top))
    records: list[str] = []
    if editable:
        w.file(f"{site}/__editable__.{_norm(d.name)}-{d.version}.pth", f"{w.proc.cwd}\n")
        records.append(f"__editable__.{_norm(d.name)}-{d.version}.pth")
    else:
        share = max(1, d.size // max(1, len(d.top)))
        for t in d.top:
            if t.endswith(".py"):
                w.blob(f"{site}/{t}", share, f"{d.name} {d.version}: {t} (modelled size)")
                records.append(t)
            else:
                w.file(f"{site}/{t}/__init__.py", f"# {d.name} {d.version} (emu model)\n")
                w.blob(
                    f"{site}/{t}/emu-package.blob",
                    share,
                    f"{d.name} {d.version}: modules, extensions and __pycache__ (modelled size)",
                )
                records.append(f"{t}/__init__.py")
    for script in d.bin:
        w.file(
            f"{bindir}/{script}",
            f"#!{py.exe}\n# -*- coding: utf-8 -*-\n# console script "
            f"of {d.name} {d.version} (emu model)\n",
            0o755,
        )
        records.append(f"../../../bin/{script}")
    w.file(f"{info}/RECORD", "".join(f"{r},,\n" for r in records))
    return d.size


def _wheel(proc: Proc, py: Python, args: list[str]) -> int:
    o = PIP.parse(args)
    out = o.get("--wheel-dir") or "."
    reqs = _collect(proc, o)
    if not reqs:
        raise ToolError("ERROR: You must give at least one requirement to build", 1)
    w = Writer(proc)
    seen: dict[str, Dist] = {}
    queue = [(r, None) for r in reqs]
    while queue:
        r, _ = queue.pop(0)
        if r.url:
            raise _offline(r)
        d = _local_project(proc, r)[0] if r.path else dist(r.name, r.version)
        if d.name in seen:
            continue
        seen[d.name] = d
        proc.out(f"Collecting {r.name}\n  Downloading {d.wheel} ({_kb(d.wheel_size)})\n")
        if "--no-deps" not in o:
            queue += [(Req(x, None, ""), None) for x in d.deps]
    total = 0
    for d in seen.values():
        w.blob(posixpath.join(out, d.wheel), d.wheel_size, f"wheel {d.wheel} (modelled size)")
        total += d.wheel_size
    proc.out(f"Saved {proc.path(out)}/...\n")
    modelled(proc, f"pip wheel ({len(seen)} wheels, {mb(total)} in {out})")
    return 0


def _list(proc: Proc, py: Python, cmd: str) -> int:
    site = py.site(_debian(proc))
    inst = _installed(proc, site)
    if cmd == "freeze":
        for n in sorted(inst):
            if n not in ("pip", "setuptools", "wheel") and inst[n] != "?":
                proc.out(f"{n}=={inst[n]}\n")
    else:
        proc.out("Package    Version\n---------- -------\n")
        for n in sorted(inst):
            proc.out(f"{n:<10} {inst[n]}\n")
    return 0


def _show(proc: Proc, py: Python, names: list[str]) -> int:
    site = py.site(_debian(proc))
    inst = _installed(proc, site)
    missing = [n for n in names if _key(n) not in inst]
    for n in names:
        if _key(n) in inst:
            proc.out(f"Name: {_key(n)}\nVersion: {inst[_key(n)]}\nLocation: {site}\n")
    if missing:
        proc.stderr.write(f"WARNING: Package(s) not found: {', '.join(missing)}\n")
        return 1
    return 0


def _uninstall(proc: Proc, py: Python, names: list[str]) -> int:
    site = py.site(_debian(proc))
    inst = _installed(proc, site)
    w = Writer(proc)
    for n in names:
        k = _key(n)
        if k not in inst:
            proc.stderr.write(f"WARNING: Skipping {n} as it is not installed.\n")
            continue
        info = f"{site}/{_norm(k)}-{inst[k]}.dist-info"
        tops = (read_text(proc, f"{info}/top_level.txt") or "").split()
        for t in tops:
            w.remove(f"{site}/{t}")
            w.remove(f"{site}/{t}.py")
        w.remove(info)
        proc.out(
            f"Found existing installation: {k} {inst[k]}\nUninstalling {k}-{inst[k]}:\n"
            f"  Successfully uninstalled {k}-{inst[k]}\n"
        )
    return 0


# --- python ------------------------------------------------------------------------------------

_PY_NAMES = (
    "python",
    "python3",
    "python3.8",
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
)


# The interpreter's own options: -m and -c end them (what follows is the module's).
PYTHON = Syntax("--version|-V -m= -c= -W= -X=", short=True, stop=True, ends="-m -c")


@tool(*_PY_NAMES, note="modelled: --version, -m pip, -m venv; Python code is not run")
@parses(PYTHON)
def python(proc: Proc, o: Opts) -> int:
    py = locate(proc, proc.argv[0]) or Python(
        "/usr/local/bin/python3", "/usr/local", _version_from(proc, "/usr/local", ""), False
    )
    if (o.args[:1] == ["-"] or not o.args) and proc.stdin and "-m" not in o and "-c" not in o:
        return _stdin_script(proc)
    if "-V" in o or not (o.args or "-m" in o or "-c" in o):
        proc.out(f"Python {_full_version(proc, py)}\n")
        return 0
    mod = o.get("-m")
    if "-m" in o and not mod:  # Python's own answers: status 2 for none, 1 for an empty name
        if proc.argv[-1] == "-m":
            raise ToolError(f"Argument expected for the -m option\nusage: {proc.argv[0]} "
                            "[option] ... [-c cmd | -m mod | file | -] [arg] ...", 2)  # fmt: skip
        raise ToolError(f"{proc.argv[0]}: No module named ", 1)
    if mod:
        if mod == "pip":
            return run_pip(proc, py, o.args)
        if mod == "venv":
            return _venv(proc, py, o.args)
        if mod == "ensurepip":
            return 0
        return not_run(proc, f"python -m {mod}", "running Python code is not modelled")
    if "-c" in o:
        return not_run(proc, "python -c …", "running Python code is not modelled")
    args = o.args
    script = args[0]
    if not is_file(proc, script):
        raise ToolError(
            f"{proc.argv[0]}: can't open file '{proc.path(script)}': [Errno 2] No "
            "such file or directory",
            2,
        )
    return not_run(proc, f"python {' '.join(args)}", "running Python code is not modelled")


def _stdin_script(proc: Proc) -> int:
    """``curl … | python3 -``: the script comes on stdin. A --permissive placeholder for a
    download is said to be one; any other script is not run, as a script file is not."""
    url = permissive.url_of(proc.stdin)
    if url is not None:
        proc.stderr.write(
            f"emu: warning: the script on stdin is a placeholder for {url}; nothing was run\n"
        )
        return 0
    return not_run(proc, "python -", "the script on stdin; running Python code is not modelled")


def _full_version(proc: Proc, py: Python) -> str:
    v = proc.env.get("PYTHON_VERSION", "")
    if v.startswith(py.version + ".") or v == py.version:
        return v
    return {"3.11": "3.11.2" if _debian(proc) else "3.11.9"}.get(py.version, py.version + ".0")


VENV = Syntax("--prompt=")


def _venv(proc: Proc, py: Python, args: list[str]) -> int:
    o = VENV.parse(args)
    dirs = o.args
    if not dirs:
        raise ToolError(
            "usage: venv [-h] [--system-site-packages] [--symlinks | --copies] "
            "[--clear] [--upgrade] [--without-pip] [--prompt PROMPT] "
            "[--upgrade-deps]\n            ENV_DIR [ENV_DIR ...]\nvenv: error: the "
            "following arguments are required: ENV_DIR",
            2,
        )
    if (
        py.prefix == "/usr"
        and _debian(proc)
        and not is_file(proc, f"/usr/lib/python{py.version}/ensurepip/__init__.py")
        and "--without-pip" not in o
    ):
        d = proc.path(dirs[0])
        raise ToolError(
            "The virtual environment was not created successfully because ensurepip is not\n"
            "available.  On Debian/Ubuntu systems, you need to install the python3-venv\n"
            "package using the following command.\n\n"
            f"    apt install python{py.version}-venv\n\n"
            "You may need to use sudo with that command.  After installing the python3-venv\n"
            "package, recreate your virtual environment.\n\n"
            f"Failing command: {d}/bin/python3\n",
            1,
        )
    w = Writer(proc)
    for raw in dirs:
        size = make_venv(
            w,
            py,
            proc.path(raw),
            with_pip="--without-pip" not in o,
            system_site="--system-site-packages" in o,
        )
        modelled(proc, f"python -m venv {raw} ({mb(size)}: pip {PIP_VERSION} in the venv)")
    return 0


def make_venv(
    w: Writer, py: Python, d: str, *, with_pip: bool = True, system_site: bool = False
) -> int:
    """A virtual environment at ``d`` for interpreter ``py`` (``python -m venv``, also what
    uv, poetry and pipenv make); returns the bytes of what it installed in it."""
    proc = w.proc
    base = py.exe
    full = _full_version(proc, py)
    w.file(
        f"{d}/pyvenv.cfg",
        f"home = {posixpath.dirname(base)}\ninclude-system-site-"
        f"packages = {'true' if system_site else 'false'}\n"
        f"version = {full}\nexecutable = {proc.fs.realpath(base)}\n"
        f"command = {base} -m venv {d}\n",
    )
    w.symlink(f"{d}/bin/python", base)
    w.symlink(f"{d}/bin/python3", "python")
    w.symlink(f"{d}/bin/python{py.version}", "python")
    w.file(
        f"{d}/bin/activate",
        f'# This file must be used with "source bin/activate" '
        f'*from bash*\nVIRTUAL_ENV="{d}"\nexport VIRTUAL_ENV\n_OLD_VIRTUAL_PATH="$PATH"\n'
        f'PATH="$VIRTUAL_ENV/bin:$PATH"\nexport PATH\n',
    )
    w.dir(f"{d}/include/python{py.version}")
    w.dir(f"{d}/lib/python{py.version}/site-packages")
    w.symlink(f"{d}/lib64", "lib")
    if not with_pip:
        return 0
    venv = Python(f"{d}/bin/python", d, py.version, True)
    total = write_dist(w, venv, dist("pip"), venv.site(False), f"{d}/bin")
    for alias in ("pip3", f"pip{py.version}"):
        w.file(f"{d}/bin/{alias}", f"#!{d}/bin/python\n# pip (emu model)\n", 0o755)
    return total
