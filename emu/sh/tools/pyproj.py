"""Python project managers: ``uv``, ``poetry`` and ``pipenv``, modelled offline on top of the
pip model (:mod:`.pip`: the same PyPI table, site-packages layout and virtual environments).

- ``uv sync [--frozen|--locked] [--no-dev] [--no-install-project]`` makes the project's
  ``.venv`` (or ``$UV_PROJECT_ENVIRONMENT``) from ``uv.lock`` (else ``pyproject.toml``);
  ``uv pip install [--system] [-r FILE] pkg…`` installs like pip into the active virtual
  environment (``$VIRTUAL_ENV``, else ``.venv``) or, with ``--system``, the interpreter's;
  ``uv venv``, ``uv pip compile``/``uv export`` (requirements from the lock), ``uv tool
  install``, ``uv cache clean``. Without ``--no-cache``/``UV_NO_CACHE`` the downloads stay in
  ``~/.cache/uv`` (``$UV_CACHE_DIR``). ``uv python install`` — and any command needing a
  Python where the image has none, as uv downloads one — writes a python-build-standalone
  CPython under ``$UV_PYTHON_INSTALL_DIR`` (``~/.local/share/uv/python``), its size an
  estimate.
- ``poetry install [--no-root] [--only main|--without dev]`` installs ``poetry.lock`` (else
  the ``pyproject.toml`` dependencies) into a virtual environment in
  ``~/.cache/pypoetry/virtualenvs`` (``.venv`` with ``virtualenvs.in-project``), or the
  interpreter's site-packages with ``virtualenvs.create false`` (``poetry config`` or
  ``POETRY_VIRTUALENVS_CREATE``); ``poetry export`` writes requirements; ``poetry build``
  a wheel and an sdist.
- ``pipenv install [--system] [--deploy]``/``pipenv sync`` install ``Pipfile.lock`` (else the
  ``Pipfile``), into ``~/.local/share/virtualenvs`` or ``.venv`` (``PIPENV_VENV_IN_PROJECT``),
  or with ``--system`` the interpreter's site-packages; ``pipenv requirements`` prints them.

Like the real tools they fail without ``pyproject.toml``/``Pipfile``. Distributions emu's
table lacks are installed at its default size and said to be estimates.
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from typing import Any

from emu.sh.api import Proc
from emu.sh.options import Opts, Syntax
from emu.sh.tools._base import ToolError, Writer, modelled, not_modelled, parses, run_argv, tool
from emu.sh.tools._data import digest, mb
from emu.sh.tools._image import find_up, home, is_file, listdir, read_text
from emu.sh.tools.pip import (
    Dist,
    Python,
    dist,
    estimated,
    locate,
    make_venv,
    run_pip,
    write_dist,
)

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_PIN = re.compile(r"==\s*([^\s,;]+)")


def _toml(proc: Proc, path: str) -> dict[str, Any]:
    text = read_text(proc, path) or ""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ToolError(f"error: Failed to parse `{path}`: {exc}", 2) from None


def _req(spec: str) -> tuple[str, str | None] | None:
    """A PEP 508 requirement's name and pinned version."""
    m = _NAME.match(spec)
    if m is None:
        return None
    pin = _PIN.search(spec.split(";", 1)[0])
    return m.group(1), pin.group(1) if pin else None


def _locked(doc: dict[str, Any], project: str) -> list[tuple[str, str | None]]:
    """The packages of a uv.lock or poetry.lock (``[[package]]``), the project itself out."""
    out: list[tuple[str, str | None]] = []
    for p in doc.get("package", []) or []:
        if not isinstance(p, dict) or "name" not in p:
            continue
        source = p.get("source")
        if isinstance(source, dict) and ("editable" in source or "virtual" in source):
            continue  # the project (or a workspace member) itself
        if str(p["name"]) == project:
            continue
        out.append((str(p["name"]), str(p.get("version")) if p.get("version") else None))
    return out


def _declared(doc: dict[str, Any], dev: bool) -> list[tuple[str, str | None]]:
    """pyproject.toml's dependencies: ``[project]`` (PEP 621) or ``[tool.poetry]``."""
    out: list[tuple[str, str | None]] = []
    project = doc.get("project") or {}
    for spec in project.get("dependencies", []) or []:
        r = _req(str(spec))
        if r:
            out.append(r)
    poetry = (doc.get("tool") or {}).get("poetry") or {}
    groups = [poetry.get("dependencies") or {}]
    if dev:
        groups.append(poetry.get("dev-dependencies") or {})
        for g in (poetry.get("group") or {}).values():
            groups.append((g or {}).get("dependencies") or {})
        for specs in (doc.get("dependency-groups") or {}).values():
            out.extend(r for s in specs if isinstance(s, str) and (r := _req(s)))
    for table in groups:
        for name, spec in table.items():
            if name.lower() == "python":
                continue
            version = spec if isinstance(spec, str) else None
            out.append((name, version.lstrip("=") if version and version[0] == "=" else None))
    return out


MANAGED_VERSION = {"3.13": "3.13.0", "3.12": "3.12.7", "3.11": "3.11.10", "3.10": "3.10.15",
                   "3.9": "3.9.20", "3.8": "3.8.20"}  # fmt: skip  # what uv 0.4.18 installs
MANAGED_SIZE = 92_000_000  # a python-build-standalone install, extracted (an estimate)


def _managed_dir(proc: Proc) -> str:
    return proc.env.get("UV_PYTHON_INSTALL_DIR") or posixpath.join(
        home(proc), ".local/share/uv/python"
    )


def _managed(proc: Proc) -> Python | None:
    """A Python uv installed (``uv python install``), newest first."""
    root = _managed_dir(proc)
    for name in sorted(listdir(proc, root), reverse=True):
        m = re.match(r"cpython-(\d+\.\d+)\.\d+-linux", name)
        if m and is_file(proc, f"{root}/{name}/bin/python{m.group(1)}"):
            prefix = f"{root}/{name}"
            return Python(f"{prefix}/bin/python{m.group(1)}", prefix, m.group(1), False)
    return None


def install_managed(proc: Proc, request: str = "") -> Python:
    """``uv python install [3.12]``: a python-build-standalone CPython where uv keeps them.
    uv downloads it; emu models it offline, its size an estimate."""
    minor = ".".join(request.split(".")[:2]) if request else "3.12"
    full = MANAGED_VERSION.get(minor, f"{minor}.0")
    name = f"cpython-{full}-linux-x86_64-gnu"
    prefix = f"{_managed_dir(proc)}/{name}"
    w = Writer(proc)
    exe = f"{prefix}/bin/python{minor}"
    w.blob(exe, 20_000, f"CPython {full} (python-build-standalone; modelled size)", 0o755)
    w.symlink(f"{prefix}/bin/python3", f"python{minor}")
    w.symlink(f"{prefix}/bin/python", f"python{minor}")
    w.blob(f"{prefix}/lib/libpython{minor}.so.1.0", 30_000_000,
           f"libpython{minor} (modelled size, an estimate)", 0o755)  # fmt: skip
    w.blob(f"{prefix}/lib/python{minor}/emu-stdlib.blob", MANAGED_SIZE - 30_020_000,
           f"CPython {full}'s standard library (modelled size, an estimate)")  # fmt: skip
    w.dir(f"{prefix}/lib/python{minor}/site-packages")
    proc.stderr.write(f"Installed Python {full} in 1.20s\n + {name}\n")
    return Python(exe, prefix, minor, False)


def _interpreter(proc: Proc, managed_ok: bool = True) -> Python:
    """The interpreter a project manager uses: the image's (an active virtual environment's
    base too), else one uv installed; failing those uv downloads one (modelled offline, an
    estimate) unless told not to."""
    only_managed = proc.env.get("UV_PYTHON_PREFERENCE") == "only-managed"
    if not only_managed:
        for name in ("python3", "python"):
            found = locate(proc, name)
            if found is not None and not found.venv:
                return found
        for name in ("python3", "python"):
            found = locate(proc, name)
            if found is not None:  # an active venv: the Python it was made from
                cfg = read_text(proc, f"{found.prefix}/pyvenv.cfg") or ""
                home_dir = re.search(r"^home\s*=\s*(\S+)", cfg, re.M)
                if home_dir:
                    base = locate(proc, f"{home_dir.group(1)}/python{found.version}")
                    if base is not None:
                        return base
                return found
    managed = _managed(proc)
    if managed is not None:
        return managed
    if managed_ok and proc.env.get("UV_PYTHON_DOWNLOADS", "automatic") not in ("never", "manual"):
        return install_managed(proc)
    raise ToolError(
        "error: No interpreter found in virtual environments, managed installations, or "
        "search path",
        2,
    )


def _install_into(
    proc: Proc,
    py: Python,
    site: str,
    bindir: str,
    pkgs: list[tuple[str, str | None]],
    *,
    verb: str,
) -> tuple[list[Dist], int]:
    """Install the named distributions (no further resolution: a lock lists them all)."""
    w = Writer(proc)
    chosen: dict[str, Dist] = {}
    for name, version in pkgs:
        d = dist(name, version)
        chosen.setdefault(d.name, d)
    total = 0
    for d in chosen.values():
        total += write_dist(w, py, d, site, bindir)
    for d in sorted(chosen.values(), key=lambda d: d.name) if verb else ():
        proc.stderr.write(f" {verb} {d.name}=={d.version}\n")
    return list(chosen.values()), total


def _cache(proc: Proc, w: Writer, root: str, dists: list[Dist], what: str) -> int:
    total = 0
    for d in dists:
        h = digest(what, d.wheel)
        w.blob(
            f"{root}/{h[:2]}/{h[2:18]}/{d.wheel}",
            d.wheel_size,
            f"cached download of {d.wheel} (modelled size)",
        )
        total += d.wheel_size
    return total


# --- uv ---------------------------------------------------------------------------------------

UV = Syntax(
    (
        "-r|--requirement= -o|--output-file= -p|--python= --project= --directory= "
        "--cache-dir= --extra= --group= --only-group= --no-group= --index-url= "
        "--extra-index-url= -f|--find-links= --link-mode= --compile-bytecode -q|--quiet "
        "-v|--verbose --python-preference= --prefix= --target= -e|--editable= "
        "--package= --format= -V|--version -c|--constraint= --color= --exclude-newer="
    ),
    short=True,
)
UV_VERSION = "uv 0.4.18"


@tool("uv", note="modelled: uv sync / pip / venv / export / tool install, from emu's PyPI table")
@parses(UV, version=UV_VERSION)
def uv(proc: Proc, o: Opts) -> int:
    if "--directory" in o:
        proc = _in(proc, o.get("--directory") or ".")
    if not o.args:
        proc.out("An extremely fast Python package manager.\n\nUsage: uv [OPTIONS] <COMMAND>\n")
        return 2
    cmd, rest = o.args[0], o.args[1:]
    if cmd == "version" or "--version" in o:
        proc.out(UV_VERSION + "\n")
        return 0
    if cmd == "sync":
        return _uv_sync(proc, o)
    if cmd == "pip":
        sub = rest[0] if rest else ""
        if sub == "install":
            return _uv_pip_install(proc, o, rest[1:])
        if sub in ("compile", "freeze"):
            return _uv_export(proc, o)
        if sub in ("list", "show", "uninstall", "check", "sync"):
            return not_modelled(proc, f"uv pip {sub}")
        raise ToolError(f"error: unrecognized subcommand '{sub}'", 2)
    if cmd == "venv":
        target = proc.path(rest[0] if rest else ".venv")
        py = _interpreter(proc)
        make_venv(Writer(proc), py, target, with_pip=False)
        shown = rest[0] if rest else ".venv"
        proc.stderr.write(
            f"Using CPython {py.version}\nCreating virtual environment at: {shown}\n"
            f"Activate with: source {shown}/bin/activate\n"
        )
        return 0
    if cmd == "export":
        return _uv_export(proc, o)
    if cmd == "lock":
        _project(proc, "uv")
        return not_modelled(proc, "uv lock (resolution is not modelled; uv.lock is kept)")
    if cmd == "tool" and rest[:1] == ["install"]:
        return _uv_tool_install(proc, rest[1:])
    if cmd == "cache" and rest[:1] in (["clean"], ["prune"]):
        Writer(proc).remove(_uv_cache(proc))
        proc.stderr.write("Clearing cache at: " + _uv_cache(proc) + "\n")
        return 0
    if cmd == "python" and rest[:1] == ["install"]:
        for request in rest[1:] or [""]:
            install_managed(proc, request)
        return 0
    if cmd == "run":
        return _run_in_venv(proc, rest, _uv_env_dir(proc))
    if cmd in ("add", "remove", "init", "tree", "build", "publish", "self"):
        return not_modelled(proc, f"uv {cmd}")
    raise ToolError(f"error: unrecognized subcommand '{cmd}'", 2)


def _in(proc: Proc, d: str) -> Proc:
    from emu.sh.tools._base import in_dir

    return in_dir(proc, d)


def _uv_cache(proc: Proc) -> str:
    xdg = proc.env.get("XDG_CACHE_HOME") or posixpath.join(home(proc), ".cache")
    return proc.env.get("UV_CACHE_DIR") or posixpath.join(xdg, "uv")


def _no_cache(proc: Proc, o: Opts) -> bool:
    return "--no-cache" in o or proc.env.get("UV_NO_CACHE", "") not in ("", "0", "false")


def _project(proc: Proc, tool_name: str) -> tuple[str, dict[str, Any]]:
    path = find_up(proc, proc.cwd, ("pyproject.toml",))
    if path is None:
        if tool_name == "poetry":
            raise ToolError(
                f"Poetry could not find a pyproject.toml file in {proc.cwd} or its parents", 1
            )
        raise ToolError(
            "error: No `pyproject.toml` found in current directory or any parent directory", 2
        )
    return path, _toml(proc, path)


def _uv_env_dir(proc: Proc) -> str:
    found = find_up(proc, proc.cwd, ("pyproject.toml",))
    root = posixpath.dirname(found) if found else proc.cwd
    env = proc.env.get("UV_PROJECT_ENVIRONMENT")
    return posixpath.join(root, env) if env else posixpath.join(root, ".venv")


def _uv_sync(proc: Proc, o: Opts) -> int:
    path, doc = _project(proc, "uv")
    root = posixpath.dirname(path)
    name = str((doc.get("project") or {}).get("name") or posixpath.basename(root))
    lock_path = posixpath.join(root, "uv.lock")
    locked = is_file(proc, lock_path)
    if ("--frozen" in o or "--locked" in o) and not locked:
        raise ToolError(
            "error: Unable to find lockfile at `uv.lock`. To create a lockfile, run `uv lock` "
            "or `uv sync`.",
            2,
        )
    dev = "--no-dev" not in o and "--only-group" not in o
    pkgs = _locked(_toml(proc, lock_path), name) if locked else _declared(doc, dev)
    venv_dir = _uv_env_dir(proc)
    py = _interpreter(proc)
    w = Writer(proc)
    if not is_file(proc, f"{venv_dir}/pyvenv.cfg"):
        proc.stderr.write(f"Using CPython {py.version}\nCreating virtual environment at: "
                          f"{posixpath.relpath(venv_dir, proc.cwd)}\n")  # fmt: skip
        make_venv(w, py, venv_dir, with_pip=False)
    venv = Python(f"{venv_dir}/bin/python", venv_dir, py.version, True)
    site = venv.site(False)
    proc.stderr.write(f"Resolved {len(pkgs) + 1} packages in 1ms\n")
    dists, total = _install_into(proc, venv, site, f"{venv_dir}/bin", pkgs, verb="+")
    if "--no-install-project" not in o and "--no-install-workspace" not in o:
        # the project itself, editable, as uv installs it
        own = Dist(name, str((doc.get("project") or {}).get("version") or "0.1.0"), 0, (), (),
                   (), True)  # fmt: skip
        write_dist(w, venv, own, site, f"{venv_dir}/bin", editable=True)
        proc.stderr.write(f" + {name}=={own.version} (from file://{root})\n")
    cached = (
        0 if _no_cache(proc, o) else _cache(proc, w, f"{_uv_cache(proc)}/wheels-v1", dists, "uv")
    )
    proc.stderr.write(f"Installed {len(dists)} packages in 2ms\n")
    note = f"; {mb(cached)} cached in {_uv_cache(proc)}" if cached else ""
    note += estimated(proc, dists)
    modelled(proc, f"uv sync ({len(dists)} packages, {mb(total)} in {venv_dir}{note})")
    return 0


def _uv_pip_install(proc: Proc, o: Opts, args: list[str]) -> int:
    system = "--system" in o or proc.env.get("UV_SYSTEM_PYTHON", "") in ("1", "true")
    if system:
        py = _interpreter(proc)
    else:
        venv_dir = proc.env.get("VIRTUAL_ENV") or _uv_env_dir(proc)
        if not is_file(proc, f"{venv_dir}/pyvenv.cfg"):
            raise ToolError(
                "error: No virtual environment found; run `uv venv` to create an environment, "
                "or pass `--system` to install into a non-virtual environment",
                2,
            )
        py = Python(f"{venv_dir}/bin/python", venv_dir, _interpreter(proc).version, True)
    # uv pip install takes pip's arguments; the pip model does the work, uv's way.
    pip_args = ["install", "--no-cache-dir" if _no_cache(proc, o) else "--no-input"]
    for r in o.all("--requirement"):
        pip_args += ["-r", r]
    if system:
        pip_args.append("--break-system-packages")
    pip_args += [a for a in args if not a.startswith("-")]
    return run_pip(proc, py, pip_args)


def _uv_export(proc: Proc, o: Opts) -> int:
    path, doc = _project(proc, "uv")
    root = posixpath.dirname(path)
    name = str((doc.get("project") or {}).get("name") or "")
    lock = posixpath.join(root, "uv.lock")
    pkgs = _locked(_toml(proc, lock), name) if is_file(proc, lock) else _declared(doc, False)
    text = "# This file was autogenerated by uv via the following command:\n#    uv export\n"
    text += "".join(f"{n}=={v}\n" if v else f"{n}\n" for n, v in pkgs)
    return _write_or_print(proc, o.get("--output-file"), text)


def _write_or_print(proc: Proc, out: str | None, text: str) -> int:
    """An exported requirements list: into ``out``, else on stdout."""
    if out:
        Writer(proc).file(out, text)
    else:
        proc.out(text)
    return 0


def _uv_tool_install(proc: Proc, args: list[str]) -> int:
    names = [a for a in args if not a.startswith("-")]
    if not names:
        raise ToolError(
            "error: the following required arguments were not provided:\n  <PACKAGE>", 2
        )
    py = _interpreter(proc)
    w = Writer(proc)
    data_home = proc.env.get("UV_TOOL_DIR") or posixpath.join(home(proc), ".local/share/uv/tools")
    bin_dir = proc.env.get("UV_TOOL_BIN_DIR") or posixpath.join(home(proc), ".local/bin")
    for raw in names:
        r = _req(raw)
        if r is None:
            continue
        d = dist(*r)
        venv_dir = f"{data_home}/{d.name}"
        make_venv(w, py, venv_dir, with_pip=False)
        venv = Python(f"{venv_dir}/bin/python", venv_dir, py.version, True)
        write_dist(w, venv, d, venv.site(False), f"{venv_dir}/bin")
        for script in d.bin:
            w.symlink(f"{bin_dir}/{script}", f"{venv_dir}/bin/{script}")
        proc.stderr.write(f"Installed {len(d.bin)} executables: {', '.join(d.bin)}\n")
        estimated(proc, [d])
    return 0


def _run_in_venv(proc: Proc, argv: list[str], venv_dir: str) -> int:
    """``uv run``/``poetry run``/``pipenv run``: the command with the environment's bin/
    first on PATH."""
    if not argv:
        raise ToolError("error: no command given", 2)
    env = dict(proc.env)
    env["VIRTUAL_ENV"] = venv_dir
    env["PATH"] = f"{venv_dir}/bin:" + env.get("PATH", "")
    return run_argv(proc, argv, env)


# --- poetry -----------------------------------------------------------------------------------

POETRY = Syntax(
    (
        "--only= --without= --with= -E|--extras= -f|--format= -o|--output= -C|--directory= "
        "-P|--project= -n|--no-interaction -q|--quiet -v|--verbose --no-ansi --ansi "
        "-V|--version"
    ),
    short=True,
)
POETRY_VERSION = "Poetry (version 1.8.3)"


def _poetry_config(proc: Proc) -> dict[str, str]:
    """``poetry config`` settings: the user's config.toml, then POETRY_* variables."""
    cfg: dict[str, str] = {}
    doc = _toml(proc, _poetry_config_path(proc))
    for section, values in doc.items():
        if isinstance(values, dict):
            for k, v in values.items():
                cfg[f"{section}.{k}"] = str(v).lower()
    for k, v in proc.env.items():
        if k.startswith("POETRY_VIRTUALENVS_"):
            cfg["virtualenvs." + k[len("POETRY_VIRTUALENVS_") :].lower().replace("_", "-")] = (
                v.lower()
            )
    return cfg


def _poetry_config_path(proc: Proc) -> str:
    base = proc.env.get("POETRY_CONFIG_DIR") or posixpath.join(
        proc.env.get("XDG_CONFIG_HOME") or posixpath.join(home(proc), ".config"), "pypoetry"
    )
    return posixpath.join(base, "config.toml")


def _poetry_venv(proc: Proc, root: str, name: str, py: Python) -> str | None:
    """Where poetry installs: None for the interpreter's own site-packages."""
    cfg = _poetry_config(proc)
    if cfg.get("virtualenvs.create") in ("false", "0"):
        return None
    if proc.env.get("VIRTUAL_ENV"):
        return proc.env["VIRTUAL_ENV"]
    if cfg.get("virtualenvs.in-project") in ("true", "1"):
        return posixpath.join(root, ".venv")
    cache = proc.env.get("POETRY_CACHE_DIR") or posixpath.join(
        proc.env.get("XDG_CACHE_HOME") or posixpath.join(home(proc), ".cache"), "pypoetry"
    )
    path = cfg.get("virtualenvs.path") or f"{cache}/virtualenvs"
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return f"{path}/{slug}-{digest(root)[:8]}-py{py.version}"


@tool("poetry", note="modelled: poetry install / config / export / build, from emu's PyPI table")
@parses(POETRY, version=POETRY_VERSION)
def poetry(proc: Proc, o: Opts) -> int:
    for d in o.all("--directory") + o.all("--project"):
        proc = _in(proc, d)
    if not o.args:
        proc.out(POETRY_VERSION + "\n\nUsage:\n  command [options] [arguments]\n")
        return 0
    cmd, rest = o.args[0], o.args[1:]
    if cmd == "config":
        return _poetry_config_set(proc, rest, o)
    if cmd in ("install", "sync"):
        return _poetry_install(proc, o, cmd)
    if cmd == "export":
        path, doc = _project(proc, "poetry")
        name = str(((doc.get("tool") or {}).get("poetry") or {}).get("name") or "")
        lock = posixpath.join(posixpath.dirname(path), "poetry.lock")
        pkgs = _locked(_toml(proc, lock), name) if is_file(proc, lock) else _declared(doc, False)
        text = "".join(f'{n}=={v} ; python_version >= "3.8"\n' if v else f"{n}\n" for n, v in pkgs)
        return _write_or_print(proc, o.get("--output"), text)
    if cmd == "build":
        path, doc = _project(proc, "poetry")
        meta = ((doc.get("tool") or {}).get("poetry") or {}) | (doc.get("project") or {})
        name = re.sub(r"[-.]+", "_", str(meta.get("name") or "app"))
        version = str(meta.get("version") or "0.1.0")
        w = Writer(proc)
        dist_dir = posixpath.join(posixpath.dirname(path), "dist")
        proc.out(f"Building {meta.get('name', 'app')} ({version})\n")
        w.blob(f"{dist_dir}/{name}-{version}.tar.gz", 20_000, "sdist (modelled size, an estimate)")
        w.blob(
            f"{dist_dir}/{name}-{version}-py3-none-any.whl",
            20_000,
            "wheel (modelled size, an estimate)",
        )
        return 0
    if cmd == "run":
        path, doc = _project(proc, "poetry")
        py = _interpreter(proc, managed_ok=False)
        name = str(((doc.get("tool") or {}).get("poetry") or {}).get("name") or "app")
        venv = _poetry_venv(proc, posixpath.dirname(path), name, py)
        return _run_in_venv(proc, rest, venv) if venv else run_argv(proc, rest)
    if cmd == "lock":
        _project(proc, "poetry")
        return not_modelled(proc, "poetry lock (resolution is not modelled)")
    if cmd in ("self", "add", "remove", "show", "check", "version", "env", "new", "init"):
        return not_modelled(proc, f"poetry {cmd}")
    raise ToolError(f'The command "{cmd}" does not exist.', 1)


def _poetry_config_set(proc: Proc, rest: list[str], o: Opts) -> int:
    if len(rest) < 2:
        return 0  # a read: nothing to change
    key, value = rest[0], rest[1]
    section, _, name = key.rpartition(".")
    path = _poetry_config_path(proc)
    old = read_text(proc, path) or ""
    Writer(proc).file(path, old + f"[{section or 'settings'}]\n{name} = {_toml_value(value)}\n")
    return 0


def _toml_value(v: str) -> str:
    return v.lower() if v.lower() in ("true", "false") else f'"{v}"'


def _poetry_install(proc: Proc, o: Opts, cmd: str) -> int:
    path, doc = _project(proc, "poetry")
    root = posixpath.dirname(path)
    meta = (doc.get("tool") or {}).get("poetry") or {}
    name = str(meta.get("name") or (doc.get("project") or {}).get("name") or "app")
    lock = posixpath.join(root, "poetry.lock")
    only_main = "main" in (o.get("--only") or "") or "dev" in (o.get("--without") or "")
    if is_file(proc, lock):
        proc.out("Installing dependencies from lock file\n")
        pkgs = _locked(_toml(proc, lock), name)
    else:
        proc.out("Updating dependencies\nResolving dependencies...\n")
        pkgs = _declared(doc, not only_main)
        Writer(proc).file(
            lock,
            "# This file is automatically @generated by Poetry 1.8.3 and should not be changed "
            "by hand.\n"
            + "".join(
                f'\n[[package]]\nname = "{n}"\nversion = "{dist(n, v).version}"\n' for n, v in pkgs
            ),
        )
    py = _interpreter(proc, managed_ok=False)
    venv_dir = _poetry_venv(proc, root, name, py)
    w = Writer(proc)
    if venv_dir is None:
        target = py
        site, bindir = (
            py.site(is_file(proc, "/etc/debian_version")),
            py.bindir(is_file(proc, "/etc/debian_version")),
        )
    else:
        if not is_file(proc, f"{venv_dir}/pyvenv.cfg"):
            proc.out(f"Creating virtualenv {name} in {posixpath.dirname(venv_dir)}\n")
            make_venv(w, py, venv_dir)
        target = Python(f"{venv_dir}/bin/python", venv_dir, py.version, True)
        site, bindir = target.site(False), f"{venv_dir}/bin"
    proc.out(
        f"\nPackage operations: {len(pkgs)} installs, 0 updates, 0 removals\n\n"
        + "".join(f"  - Installing {n} ({dist(n, v).version})\n" for n, v in pkgs)
    )
    dists, total = _install_into(proc, target, site, bindir, pkgs, verb="")
    if "--no-root" not in o:
        own = Dist(name, str(meta.get("version") or "0.1.0"), 0, (), (), (), True)
        write_dist(w, target, own, site, bindir, editable=True)
        proc.out(f"\nInstalling the current project: {name} ({own.version})\n")
    note = estimated(proc, dists)
    where = venv_dir or site
    modelled(proc, f"poetry {cmd} ({len(dists)} packages, {mb(total)} in {where}{note})")
    return 0


# --- pipenv -----------------------------------------------------------------------------------

PIPENV = Syntax("--python= -r|--requirements= --categories= -d|--dev", short=True)


@tool("pipenv", note="modelled: pipenv install / sync / requirements, from emu's PyPI table")
@parses(PIPENV, version="pipenv, version 2024.0.1")
def pipenv(proc: Proc, o: Opts) -> int:
    if not o.args:
        proc.out("Usage: pipenv [OPTIONS] COMMAND [ARGS]...\n")
        return 0
    cmd = o.args[0]
    pipfile = find_up(proc, proc.cwd, ("Pipfile",))
    needs_pipfile = cmd != "install" or len(o.args) == 1
    if (
        cmd in ("install", "sync", "requirements", "lock", "run")
        and pipfile is None
        and needs_pipfile
    ):
        raise ToolError(
            "Usage: pipenv install [OPTIONS] [PACKAGES]...\n\nERROR:: Pipfile not found"
            if cmd != "requirements"
            else "ERROR:: Pipfile.lock not found",
            1,
        )
    root = posixpath.dirname(pipfile) if pipfile else proc.cwd
    pkgs = _pipfile_packages(proc, root, dev="--dev" in o)
    pkgs += [r for a in o.args[1:] if (r := _req(a)) is not None] if cmd == "install" else []
    if cmd == "requirements":
        proc.out("-i https://pypi.org/simple\n" + "".join(
            f"{n}=={dist(n, v).version}\n" for n, v in pkgs))  # fmt: skip
        return 0
    if cmd == "lock":
        return not_modelled(proc, "pipenv lock (resolution is not modelled)")
    py = _interpreter(proc, managed_ok=False)
    if cmd == "run":
        return _run_in_venv(proc, o.args[1:], _pipenv_venv(proc, root))
    if cmd not in ("install", "sync"):
        return not_modelled(proc, f"pipenv {cmd}")
    if "--deploy" in o and not is_file(proc, f"{root}/Pipfile.lock"):
        raise ToolError(
            "ERROR:: Pipfile.lock not found, creating one is not allowed with --deploy", 1
        )
    w = Writer(proc)
    if "--system" in o:
        debian = is_file(proc, "/etc/debian_version")
        target, site, bindir = py, py.site(debian), py.bindir(debian)
        proc.out("Installing dependencies from Pipfile.lock...\n")
    else:
        venv_dir = _pipenv_venv(proc, root)
        if not is_file(proc, f"{venv_dir}/pyvenv.cfg"):
            proc.out(f"Creating a virtualenv for this project\nVirtualenv location: {venv_dir}\n")
            make_venv(w, py, venv_dir)
        target = Python(f"{venv_dir}/bin/python", venv_dir, py.version, True)
        site, bindir = target.site(False), f"{venv_dir}/bin"
        proc.out("Installing dependencies from Pipfile.lock...\n")
    dists, total = _install_into(proc, target, site, bindir, pkgs, verb="Installing")
    note = estimated(proc, dists)
    modelled(proc, f"pipenv {cmd} ({len(dists)} packages, {mb(total)} in {site}{note})")
    return 0


def _pipenv_venv(proc: Proc, root: str) -> str:
    if proc.env.get("PIPENV_VENV_IN_PROJECT", "") not in ("", "0", "false"):
        return posixpath.join(root, ".venv")
    if proc.env.get("WORKON_HOME"):
        base = proc.env["WORKON_HOME"]
    else:
        base = posixpath.join(home(proc), ".local/share/virtualenvs")
    return f"{base}/{posixpath.basename(root) or 'root'}-{digest(root)[:8]}"


def _pipfile_packages(proc: Proc, root: str, dev: bool) -> list[tuple[str, str | None]]:
    lock = f"{root}/Pipfile.lock"
    if is_file(proc, lock):
        import json

        try:
            doc = json.loads(read_text(proc, lock) or "{}")
        except ValueError:
            raise ToolError(f"ERROR:: {lock} is not valid JSON", 1) from None
        out = []
        for section in ("default", "develop") if dev else ("default",):
            for name, spec in (doc.get(section) or {}).items():
                v = spec.get("version", "") if isinstance(spec, dict) else ""
                out.append((name, v.lstrip("=") or None))
        return out
    doc = _toml(proc, f"{root}/Pipfile") if is_file(proc, f"{root}/Pipfile") else {}
    out = []
    for section in ("packages", "dev-packages") if dev else ("packages",):
        for name, spec in (doc.get(section) or {}).items():
            v = spec if isinstance(spec, str) and spec.startswith("==") else None
            out.append((name, v[2:] if v else None))
    return out
