"""Ruby: ``gem``, ``bundle``/``bundler``, ``ruby``, and ``rake``/``rails`` for the tasks a
Dockerfile runs, modelled offline from ``data/gem.yaml``.

- ``gem install NAME [-v V] [--no-document]`` installs into ``$GEM_HOME`` (the ruby images:
  ``/usr/local/bundle``) — ``gems/NAME-V``, its ``specifications/`` entry, the ``.gem`` in
  ``cache/`` — and its executables into ``$GEM_HOME/bin``.
- ``bundle config set [--local|--global] KEY VALUE`` writes bundler's config
  (``$BUNDLE_APP_CONFIG/config``, else ``.bundle/config``); ``bundle install`` installs
  Gemfile.lock's gems (else the Gemfile's), honouring ``BUNDLE_PATH``/``path``,
  ``deployment`` (``vendor/bundle``) and ``without`` groups; ``bundle exec CMD`` runs the
  command; it fails without a Gemfile as bundler does (status 10).
- ``ruby`` runs no Ruby code (it says so); ``rake``/``rails assets:precompile`` writes the
  compiled assets to ``public/assets`` (sizes from the sources), other tasks are not run.

Gems the table does not know install at its default size, said to be an estimate.
"""

from __future__ import annotations

import posixpath
import re

from emu.records import record
from emu.sh.api import Proc
from emu.sh.tools._base import ToolError, Writer, modelled, not_modelled, not_run, run_argv, tool
from emu.sh.tools._data import data, digest, mb, size_of
from emu.sh.tools._image import find_up, home, is_file, node_at, read_text, tree_bytes


@record(frozen=True, slots=True)
class Gem:
    name: str
    version: str
    size: int
    deps: tuple[str, ...]
    bin: tuple[str, ...]
    known: bool


def gem_spec(name: str, version: str | None = None) -> Gem:
    t = data("gem")
    raw = t["gems"].get(name)
    spec = raw or t["default"]
    return Gem(
        name,
        version or str(spec["v"]),
        size_of(spec["size"]),
        tuple(str(d) for d in spec.get("deps", ())),
        tuple(str(b) for b in spec.get("bin", ())),
        raw is not None,
    )


def _ruby_abi(proc: Proc) -> str:
    m = re.match(r"(\d+)\.(\d+)", proc.env.get("RUBY_VERSION", "3.3"))
    return f"{m.group(1)}.{m.group(2)}.0" if m else "3.3.0"


def _gem_home(proc: Proc) -> str:
    return proc.env.get("GEM_HOME") or f"/usr/local/lib/ruby/gems/{_ruby_abi(proc)}"


def _write_gem(w: Writer, root: str, bindir: str, g: Gem, *, cache: bool) -> int:
    base = f"{root}/gems/{g.name}-{g.version}"
    w.blob(f"{base}/emu-gem.blob", g.size,
           f"{g.name} {g.version} (modelled size{'' if g.known else ', an estimate'})")  # fmt: skip
    w.file(f"{root}/specifications/{g.name}-{g.version}.gemspec",
           f"Gem::Specification.new do |s|\n  s.name = {g.name!r}\n  s.version = "
           f"{g.version!r}\nend\n")  # fmt: skip
    if cache:
        w.blob(f"{root}/cache/{g.name}-{g.version}.gem", max(2000, g.size // 3),
               f"{g.name}-{g.version}.gem as downloaded (modelled size)")  # fmt: skip
    for b in g.bin:
        w.file(f"{bindir}/{b}", f"#!/usr/bin/env ruby\n# {b} of {g.name} {g.version} (emu model)\n",
               0o755)  # fmt: skip
    return g.size


def _closure(names: list[tuple[str, str | None]]) -> list[Gem]:
    out: dict[str, Gem] = {}
    todo = list(names)
    while todo:
        name, version = todo.pop(0)
        if name in out:
            continue
        g = gem_spec(name, version)
        out[name] = g
        todo += [(d, None) for d in g.deps]
    return list(out.values())


def _estimates(proc: Proc, gems: list[Gem]) -> str:
    unknown = [g.name for g in gems if not g.known]
    if not unknown:
        return ""
    proc.stderr.write(
        f"emu: estimate: {', '.join(unknown)} not in emu's gem table (data/gem.yaml): "
        f"{mb(size_of(data('gem')['default']['size']))} each, no executables\n"
    )
    return f"; {len(unknown)} estimated"


@tool("gem", note="modelled: gem install into GEM_HOME (offline, data/gem.yaml)")
def gem(proc: Proc) -> int:
    args = proc.argv[1:]
    if not args or args[0] in ("--version", "-v"):
        proc.out("3.5.11\n")
        return 0
    cmd, rest = args[0], args[1:]
    if cmd == "install":
        version = None
        names: list[str] = []
        i = 0
        while i < len(rest):
            a = rest[i]
            if a in ("-v", "--version") and i + 1 < len(rest):
                version = rest[i + 1].strip("'\"~>= ")
                i += 2
                continue
            if not a.startswith("-"):
                names.append(a.split(":", 1)[0])
            i += 1
        if not names:
            raise ToolError(
                "ERROR:  While executing gem ... (Gem::CommandLineError)\n    Please specify "
                "at least one gem name (e.g. gem build GEMNAME)",
                1,
            )
        root = _gem_home(proc)
        w = Writer(proc)
        gems = _closure([(n, version if len(names) == 1 else None) for n in names])
        total = 0
        for g in gems:
            total += _write_gem(w, root, f"{root}/bin" if proc.env.get("GEM_HOME") else
                                "/usr/local/bin", g, cache=True)  # fmt: skip
            proc.out(f"Successfully installed {g.name}-{g.version}\n")
        proc.out(f"{len(gems)} gem{'s' if len(gems) != 1 else ''} installed\n")
        modelled(proc, f"gem install ({len(gems)} gems, {mb(total)} in {root}"
                       f"{_estimates(proc, gems)})")  # fmt: skip
        return 0
    if cmd in ("update", "cleanup", "sources", "env", "list", "uninstall", "pristine"):
        return not_modelled(proc, f"gem {cmd}")
    raise ToolError(f"ERROR:  While executing gem ... (Gem::CommandLineError)\n    Unknown "
                    f"command {cmd}", 1)  # fmt: skip


# --- bundler ----------------------------------------------------------------------------------


def _config_path(proc: Proc, local: bool) -> str:
    app = proc.env.get("BUNDLE_APP_CONFIG")
    if local:
        return posixpath.join(app, "config") if app else proc.path(".bundle/config")
    return posixpath.join(home(proc), ".bundle/config")


def _config(proc: Proc) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in (_config_path(proc, False), _config_path(proc, True)):
        for line in (read_text(proc, path) or "").splitlines():
            m = re.match(r'(BUNDLE_[A-Z_]+):\s*"?(.*?)"?\s*$', line)
            if m:
                out[m.group(1)] = m.group(2)
    for k, v in proc.env.items():
        if k.startswith("BUNDLE_"):
            out[k] = v
    return out


def _gemfile_gems(proc: Proc, gemfile: str, without: set[str]) -> list[tuple[str, str | None]]:
    lock = read_text(proc, gemfile + ".lock")
    if lock is not None:
        m = re.search(r"^GEM\n(?:.*\n)*?  specs:\n((?:    .*\n|      .*\n)*)", lock, re.M)
        specs = m.group(1) if m else ""
        found = re.findall(r"^    ([A-Za-z0-9_.-]+) \(([^)]+)\)$", specs, re.M)
        if found:
            return [(n, v.split("-")[0]) for n, v in found]
    out: list[tuple[str, str | None]] = []
    group: set[str] = set()
    for line in (read_text(proc, gemfile) or "").splitlines():
        s = line.strip()
        g = re.match(r"group\s+(.+?)\s+do", s)
        if g:
            group = set(re.findall(r":(\w+)", g.group(1)))
            continue
        if s == "end":
            group = set()
            continue
        m = re.match(r"""gem\s+['"]([^'"]+)['"](?:\s*,\s*['"][~>=<\s]*([0-9][^'"]*)['"])?""", s)
        if m and not (group & without):
            out.append((m.group(1), m.group(2)))
    return out


@tool("bundle", "bundler", note="modelled: bundle config / install / exec (offline)")
def bundle(proc: Proc) -> int:
    args = proc.argv[1:]
    if not args:
        args = ["install"]
    if args[0] in ("--version", "-v", "version"):
        proc.out("Bundler version 2.5.11\n")
        return 0
    cmd, rest = args[0], args[1:]
    if cmd == "config":
        return _bundle_config(proc, rest)
    if cmd == "exec":
        if not rest:
            raise ToolError("bundler: exec needs a command to run", 128)
        # bundler puts the bundle's executables first on PATH
        _, bindir = _bundle_root(proc, [])
        env = dict(proc.env)
        env["PATH"] = f"{bindir}:" + env.get("PATH", "")
        return run_argv(proc, rest, env=env)
    if cmd in ("install", "update"):
        return _bundle_install(proc, rest)
    if cmd in ("lock", "check", "clean", "binstubs", "list", "info", "outdated", "package"):
        return not_modelled(proc, f"bundle {cmd}")
    raise ToolError(f'Could not find command "{cmd}".', 15)


def _bundle_config(proc: Proc, rest: list[str]) -> int:
    local = "--local" in rest
    words = [a for a in rest if not a.startswith("--")]
    if words[:1] in (["set"], ["unset"]):
        verb, words = words[0], words[1:]
    else:
        verb = "set" if len(words) >= 2 else "get"
    if verb == "get" or not words:
        cfg = _config(proc)
        for k in words or sorted(cfg):
            key = "BUNDLE_" + k.upper().replace(".", "__").replace("-", "_")
            proc.out(f"Settings for `{k}` in order of priority. The top value will be used\n"
                     f'Set for your local app: "{cfg.get(key, "")}"\n')  # fmt: skip
        return 0
    key = "BUNDLE_" + words[0].upper().replace(".", "__").replace("-", "_")
    path = _config_path(proc, local)
    lines = [
        ln for ln in (read_text(proc, path) or "---\n").splitlines() if not ln.startswith(key + ":")
    ]
    if verb == "set":
        value = " ".join(words[1:]).strip("'\"")
        if key == "BUNDLE_WITHOUT":
            value = value.replace(" ", ":")
        lines.append(f'{key}: "{value}"')
    Writer(proc).file(path, "\n".join(lines) + "\n")
    return 0


def _bundle_root(proc: Proc, rest: list[str]) -> tuple[str, str]:
    """Where the bundle's gems and executables go: ``BUNDLE_PATH``/``path`` (or
    ``vendor/bundle`` when deploying) + ``ruby/X.Y.0``, else GEM_HOME."""
    cfg = _config(proc)
    path = cfg.get("BUNDLE_PATH")
    if "--path" in rest:
        path = rest[rest.index("--path") + 1]
    deployment = cfg.get("BUNDLE_DEPLOYMENT", "") in ("true", "1") or "--deployment" in rest
    gemfile = proc.env.get("BUNDLE_GEMFILE") or find_up(proc, proc.cwd, ("Gemfile",))
    app = posixpath.dirname(gemfile) if gemfile else proc.cwd
    if deployment and not path:
        path = "vendor/bundle"
    if path:
        base = path if path.startswith("/") else proc.path(posixpath.join(app, path))
        root = posixpath.join(base, "ruby", _ruby_abi(proc))
        return root, f"{root}/bin"
    root = _gem_home(proc)
    return root, f"{root}/bin" if proc.env.get("GEM_HOME") else "/usr/local/bin"


def _bundle_install(proc: Proc, rest: list[str]) -> int:
    gemfile = proc.env.get("BUNDLE_GEMFILE") or find_up(proc, proc.cwd, ("Gemfile", "gems.rb"))
    if gemfile is None or not is_file(proc, gemfile):
        raise ToolError("Could not locate Gemfile", 10)
    cfg = _config(proc)
    without = set(re.split(r"[: ,]+", cfg.get("BUNDLE_WITHOUT", ""))) - {""}
    if "--without" in rest:
        at = rest.index("--without")
        without |= set(" ".join(rest[at + 1 : at + 2]).replace(":", " ").split())
    root, bindir = _bundle_root(proc, rest)
    wanted = _gemfile_gems(proc, gemfile, without)
    gems = _closure(wanted)
    w = Writer(proc)
    proc.out(
        "Fetching gem metadata from https://rubygems.org/.........\nResolving dependencies...\n"
    )
    total = 0
    for g in gems:
        if is_file(proc, f"{root}/specifications/{g.name}-{g.version}.gemspec"):
            proc.out(f"Using {g.name} {g.version}\n")
            continue
        proc.out(f"Fetching {g.name} {g.version}\nInstalling {g.name} {g.version}\n")
        total += _write_gem(w, root, bindir, g, cache="--no-cache" not in rest)
    if not is_file(proc, gemfile + ".lock"):
        w.file(gemfile + ".lock", "GEM\n  remote: https://rubygems.org/\n  specs:\n"
               + "".join(f"    {g.name} ({g.version})\n" for g in gems)
               + "\nPLATFORMS\n  ruby\n\nBUNDLED WITH\n   2.5.11\n")  # fmt: skip
    proc.out(f"Bundle complete! {len(wanted)} Gemfile dependencies, {len(gems)} gems now "
             "installed.\n")  # fmt: skip
    if without:
        proc.out(f"Gems in the groups '{', '.join(sorted(without))}' were not installed.\n")
    proc.out("Use `bundle info [gemname]` to see where a bundled gem is installed.\n")
    modelled(proc, f"bundle install ({len(gems)} gems, {mb(total)} in {root}"
                   f"{_estimates(proc, gems)})")  # fmt: skip
    return 0


# --- ruby, rake, rails -------------------------------------------------------------------------


@tool("ruby", note="modelled: --version; Ruby code is not run")
def ruby(proc: Proc) -> int:
    args = proc.argv[1:]
    if args[:1] in (["-v"], ["--version"]):
        proc.out(f"ruby {proc.env.get('RUBY_VERSION', '3.3.4')} (2024-07-09) [x86_64-linux]\n")
        return 0
    script = next((a for a in args if not a.startswith("-")), None)
    if script is not None and "-e" not in args and not is_file(proc, script):
        raise ToolError(f"ruby: No such file or directory -- {script} (LoadError)", 1)
    return _task_or_not_run(proc, args)


@tool("rake", "rails", note="modelled: assets:precompile; other tasks are not run")
def rake(proc: Proc) -> int:
    return _task_or_not_run(proc, proc.argv[1:])


def _task_or_not_run(proc: Proc, args: list[str]) -> int:
    """A Ruby script or task: Rails' assets:precompile is modelled (its output is what the
    image keeps); anything else would run Ruby code, which emu does not."""
    if "assets:precompile" in args:
        return _precompile(proc)
    return not_run(proc, f"{proc.name} {' '.join(args)}", "running Ruby code is not modelled")


def _precompile(proc: Proc) -> int:
    app = posixpath.dirname(find_up(proc, proc.cwd, ("Gemfile",)) or proc.path("Gemfile"))
    w = Writer(proc)
    total = 0
    out: dict[str, str] = {}
    for kind, ext in (("stylesheets", "css"), ("javascript", "js")):
        _, size = tree_bytes(node_at(proc, f"{app}/app/assets/{kind}"))
        if kind == "javascript":
            size += tree_bytes(node_at(proc, f"{app}/app/javascript"))[1]
        size = max(size, 2_000)
        name = f"application-{digest(app, ext)[:16]}.{ext}"
        w.blob(f"{app}/public/assets/{name}", size, f"compiled {ext} (modelled size)")
        out[f"application.{ext}"] = name
        total += size
    manifest = ",".join(f'"{k}":"{v}"' for k, v in out.items())
    w.file(f"{app}/public/assets/.manifest.json", '{"files":{},"assets":{' + manifest + "}}\n")
    proc.out("".join(f"I, [1970-01-01T00:00:00] INFO -- : Writing {app}/public/assets/{v}\n"
                     for v in out.values()))  # fmt: skip
    modelled(proc, f"rake assets:precompile ({len(out)} assets, {mb(total)} in public/assets)")
    return 0
