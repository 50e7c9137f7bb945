"""``dotnet restore | build | publish`` (the .NET SDK), modelled offline (``data/dotnet.yaml``).

The project is a ``.csproj``/``.fsproj``/``.vbproj`` (or a ``.sln`` naming them) given as an
argument or found alone in the directory, as MSBuild finds it; its ``PackageReference``s,
``ProjectReference``s, ``TargetFramework``, ``AssemblyName`` and SDK (``Microsoft.NET.Sdk.Web``
publishes ``wwwroot`` and ``appsettings*.json``) decide what is written:

- ``restore`` fills the NuGet cache (``~/.nuget/packages``, ``$NUGET_PACKAGES``,
  ``--packages``) and writes ``obj/project.assets.json`` and its companions;
- ``build`` (restoring first unless ``--no-restore``, which then needs the assets file:
  ``NETSDK1004``) writes ``bin/<Configuration>/<tfm>/`` (or ``-o``): the assembly, its
  ``.pdb``, ``.deps.json``, ``.runtimeconfig.json``, the packages' assemblies and, unless
  ``UseAppHost=false``, the native launcher;
- ``publish`` writes the same to ``bin/<Configuration>/<tfm>/[<rid>/]publish`` (or ``-o``),
  with the web content; ``--self-contained`` with a runtime copies the .NET runtime of the
  image into the output, ``PublishSingleFile`` bundles everything into one executable.

Sizes are the table's (the app's own assembly grows with its source files). Without a
project it fails as MSBuild does (``MSB1003``; ``MSB1011`` when there are several).
``dotnet app.dll`` would run the app: not modelled.
"""

from __future__ import annotations

import posixpath
import re

from emu.records import field, record
from emu.sh.api import Proc
from emu.sh.options import Opts, Syntax
from emu.sh.tools._base import (
    ToolError,
    Writer,
    cannot_run,
    copy_tree,
    modelled,
    not_modelled,
    tool,
)
from emu.sh.tools._data import data, digest, mb, size_of
from emu.sh.tools._image import (
    home,
    is_dir,
    is_file,
    listdir,
    node_at,
    read_text,
    tree_bytes,
    walk_files,
)

PROJECT_EXTS = (".csproj", ".fsproj", ".vbproj")
SOURCE_EXTS = (".cs", ".fs", ".vb", ".razor", ".cshtml")


@record(slots=True)
class Project:
    path: str
    name: str  # the assembly name
    sdk: str
    tfm: str
    packages: dict[str, str] = field(default_factory=dict)  # id -> version
    refs: list[str] = field(default_factory=list)  # referenced project files
    props: dict[str, str] = field(default_factory=dict)

    @property
    def dir(self) -> str:
        return posixpath.dirname(self.path)

    @property
    def web(self) -> bool:
        return self.sdk.endswith(".Web") or self.sdk.endswith(".BlazorWebAssembly")


def _tag(text: str, name: str) -> str | None:
    m = re.search(rf"<{name}>\s*([^<]*?)\s*</{name}>", text)
    return m.group(1) if m else None


def load_project(proc: Proc, path: str) -> Project:
    text = read_text(proc, path)
    if text is None:
        raise ToolError(f"MSBUILD : error MSB1009: Project file does not exist.\nSwitch: {path}", 1)
    sdk_m = re.search(r'<Project\s[^>]*Sdk="([^"]+)"', text)
    tfm = (
        _tag(text, "TargetFramework") or (_tag(text, "TargetFrameworks") or "net8.0").split(";")[0]
    )
    name = _tag(text, "AssemblyName") or posixpath.splitext(posixpath.basename(path))[0]
    p = Project(path, name, sdk_m.group(1) if sdk_m else "Microsoft.NET.Sdk", tfm)
    for m in re.finditer(
        r'<PackageReference\s+Include="([^"]+)"(?:\s+Version="([^"]*)")?', text, re.I
    ):
        p.packages[m.group(1)] = m.group(2) or "1.0.0"
    for m in re.finditer(r'<ProjectReference\s+Include="([^"]+)"', text, re.I):
        ref = m.group(1).replace("\\", "/")
        p.refs.append(posixpath.normpath(posixpath.join(p.dir, ref)))
    for key in ("UseAppHost", "PublishSingleFile", "SelfContained", "RuntimeIdentifier"):
        v = _tag(text, key)
        if v is not None:
            p.props[key] = v
    return p


def _find(proc: Proc, arg: str | None) -> list[str]:
    """The project files an invocation means: the argument (a project, a solution or a
    folder), else the one project or solution in the working directory."""
    where = proc.path(arg) if arg else proc.cwd
    if arg and not is_dir(proc, where):
        if where.endswith(".sln"):
            return _solution(proc, where)
        if not is_file(proc, where):
            raise ToolError(
                f"MSBUILD : error MSB1009: Project file does not exist.\nSwitch: {arg}", 1
            )
        return [where]
    names = listdir(proc, where)
    projects = [n for n in names if n.endswith(PROJECT_EXTS)]
    slns = [n for n in names if n.endswith(".sln")]
    found = projects or slns
    if not found:
        raise ToolError(
            "MSBUILD : error MSB1003: Specify a project or solution file. The current working "
            "directory does not contain a project or solution file.",
            1,
        )
    if len(found) > 1:
        raise ToolError(
            "MSBUILD : error MSB1011: Specify which project or solution file to use because "
            "this folder contains more than one project or solution file.",
            1,
        )
    path = posixpath.join(where, found[0])
    return _solution(proc, path) if path.endswith(".sln") else [path]


def _solution(proc: Proc, path: str) -> list[str]:
    text = read_text(proc, path) or ""
    out = []
    for m in re.finditer(r'^Project\("[^"]*"\)\s*=\s*"[^"]*",\s*"([^"]+)"', text, re.M):
        rel = m.group(1).replace("\\", "/")
        if rel.endswith(PROJECT_EXTS):
            out.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), rel)))
    return out


def _closure(proc: Proc, paths: list[str], nowarn: set[str]) -> list[Project]:
    """The projects and every project they reference, each once, references first."""
    seen: dict[str, Project] = {}
    order: list[Project] = []

    def visit(path: str, by: str | None) -> None:
        if path in seen:
            return
        if not is_file(proc, path):
            code = "MSB3202"
            msg = f'error {code}: The project file "{path}" was not found.'
            if code.lower() in nowarn:
                return
            raise ToolError(f"{by or path} : {msg}", 1)
        p = load_project(proc, path)
        seen[path] = p
        for ref in p.refs:
            visit(ref, path)
        order.append(p)

    for path in paths:
        visit(path, None)
    return order


def _package(pid: str) -> tuple[int, int]:
    t = data("dotnet")
    spec = t["packages"].get(pid.lower(), t["default_package"])
    return size_of(spec["restored"]), size_of(spec["dll"])


def _nuget_root(proc: Proc, o: Opts) -> str:
    return (
        o.get("--packages")
        or proc.env.get("NUGET_PACKAGES")
        or posixpath.join(home(proc), ".nuget/packages")
    )


DOTNET = Syntax(
    (
        "-c|--configuration= -o|--output= -r|--runtime= -f|--framework= -v|--verbosity= "
        "-a|--arch= --os= -s|--source= --packages= --version-suffix= --self-contained= "
        "--property= --configfile= -t|--target= --version --info --list-sdks --list-runtimes"
    ),
    glued="-p: /p: --property: -property:",
    optional={"--self-contained": r"true|false"},
)
SDK_VERSION = "8.0.415"


def _sdk_version(proc: Proc) -> str:
    return proc.env.get("DOTNET_SDK_VERSION") or SDK_VERSION


@tool("dotnet", note="modelled: dotnet restore / build / publish (apps are not run)")
def dotnet(proc: Proc) -> int:
    # MSBuild's switches may start with / (/p:Name=Value, /nowarn:...); a path does not
    # have a colon after its first word.
    argv = ["-" + a[1:] if re.match(r"/[A-Za-z]+:", a) else a for a in proc.argv[1:]]
    o = DOTNET.parse(argv)
    if "--version" in o:
        proc.out(_sdk_version(proc) + "\n")
        return 0
    if "--info" in o or "--list-sdks" in o:
        proc.out(f"{_sdk_version(proc)} [/usr/share/dotnet/sdk]\n")
        return 0
    if not o.args:
        proc.out("Usage: dotnet [options]\nUsage: dotnet [path-to-application]\n")
        return 0 if "--help" in o else 129
    cmd, rest = o.args[0], o.args[1:]
    props = _props(o)
    nowarn = {
        code.strip().lower()
        for key in o.flags
        if key.lower().startswith(("-nowarn:", "/nowarn:"))
        for code in key.split(":", 1)[1].split(",")
    }
    nowarn |= {c.strip().lower() for c in props.get("NoWarn", "").split(";") if c.strip()}
    if cmd == "restore":
        projects = _closure(proc, _find(proc, rest[0] if rest else None), nowarn)
        _restore(proc, o, projects)
        return 0
    if cmd in ("build", "publish"):
        projects = _closure(proc, _find(proc, rest[0] if rest else None), nowarn)
        if "--no-restore" in o:
            for p in projects:
                assets = f"{p.dir}/obj/project.assets.json"
                if not is_file(proc, assets):
                    raise ToolError(
                        f"/usr/share/dotnet/sdk/{_sdk_version(proc)}/Sdks/Microsoft.NET.Sdk/"
                        "targets/Microsoft.PackageDependencyResolution.targets(266,5): error "
                        f"NETSDK1004: Assets file '{assets}' not found. Run a NuGet package "
                        f"restore to generate this file. [{p.path}]",
                        1,
                    )
        else:
            _restore(proc, o, projects)
        return _build(proc, o, projects, publish=cmd == "publish", props=props)
    if cmd in ("test", "pack", "new", "tool", "ef", "dev-certs", "workload", "nuget", "clean"):
        return not_modelled(proc, f"dotnet {cmd}")
    if cmd.endswith(".dll"):
        if not is_file(proc, cmd):
            raise ToolError(
                f"The application '{cmd}' does not exist or is not a managed .dll or .exe.", 1
            )
        return cannot_run(proc, f"dotnet {cmd}")
    raise ToolError(
        f"Could not execute because the specified command or file was not found.\n"
        f"  * You intended to execute a .NET program, but dotnet-{cmd} does not exist.",
        1,
    )


def _props(o: Opts) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in ("-p:",):
        for value in o.all(key):
            for part in value.split(";"):
                k, _, v = part.partition("=")
                if k:
                    out[k.strip()] = v.strip().strip('"')
    return out


def _restore(proc: Proc, o: Opts, projects: list[Project]) -> None:
    root = _nuget_root(proc, o)
    w = Writer(proc)
    total = 0
    proc.out("  Determining projects to restore...\n")
    for p in projects:
        for pid, version in sorted(p.packages.items()):
            folder = f"{root}/{pid.lower()}/{version.lower()}"
            if is_dir(proc, folder):
                continue
            restored, _ = _package(pid)
            w.blob(
                f"{folder}/emu-package.blob",
                restored,
                f"NuGet package {pid} {version}: lib/, the .nupkg (modelled size)",
            )
            w.file(f"{folder}/{pid.lower()}.{version.lower()}.nupkg.sha512", digest(pid, version))
            total += restored
        obj = f"{p.dir}/obj"
        libraries = ",\n".join(
            f'    "{pid}/{v}": {{"type": "package"}}' for pid, v in p.packages.items()
        )
        w.file(
            f"{obj}/project.assets.json",
            '{\n  "version": 3,\n  "targets": {\n    "'
            + _tfm_name(p.tfm)
            + '": {}\n  },\n  "libraries": {\n'
            + libraries
            + '\n  },\n  "project": {"restore": {"projectPath": "'
            + p.path
            + '", "packagesPath": "'
            + root
            + '/"}}\n}\n',
        )
        w.file(f"{obj}/project.nuget.cache", '{\n  "version": 2,\n  "success": true\n}\n')
        base = posixpath.basename(p.path)
        w.file(f"{obj}/{base}.nuget.g.props", "<Project />\n")
        w.file(f"{obj}/{base}.nuget.g.targets", "<Project />\n")
        proc.out(f"  Restored {p.path} (in 1.02 sec).\n")
    n = sum(len(p.packages) for p in projects)
    modelled(
        proc, f"dotnet restore ({len(projects)} projects, {n} packages, {mb(total)} in {root})"
    )


def _tfm_name(tfm: str) -> str:
    m = re.fullmatch(r"net(\d+)\.(\d+)", tfm)
    return f".NETCoreApp,Version=v{m.group(1)}.{m.group(2)}" if m else tfm


def _assembly_size(proc: Proc, p: Project) -> int:
    t = data("dotnet")["assembly"]
    sources = [
        f
        for f in walk_files(proc, p.dir, frozenset({"bin", "obj", "node_modules", ".git"}))
        if f.endswith(SOURCE_EXTS)
    ]
    return size_of(t["base"]) + size_of(t["per_source"]) * len(sources)


def _runtime_size(proc: Proc, web: bool) -> int:
    """The shared runtime (and ASP.NET Core for a web app) the image's SDK carries: what a
    self-contained publish copies into the output."""
    shared = "/usr/share/dotnet/shared"
    total = tree_bytes(node_at(proc, f"{shared}/Microsoft.NETCore.App"))[1]
    if web:
        total += tree_bytes(node_at(proc, f"{shared}/Microsoft.AspNetCore.App"))[1]
    return total or (70_000_000 + (22_000_000 if web else 0))


def _build(
    proc: Proc, o: Opts, projects: list[Project], *, publish: bool, props: dict[str, str]
) -> int:
    config = o.get("--configuration") or ("Release" if publish and _net8(proc) else "Debug")
    rid = o.get("--runtime") or ("linux-x64" if "--use-current-runtime" in o else "")
    out = o.get("--output")
    w = Writer(proc)
    verb = "publish" if publish else "build"
    total = 0
    dest_dir = ""
    for p in projects:
        rid_p = rid or p.props.get("RuntimeIdentifier", "")
        sc = o.get("--self-contained")
        self_contained = (
            (sc is None and "--self-contained" in o)
            or (sc or "").lower() == "true"
            or p.props.get("SelfContained", props.get("SelfContained", "")).lower() == "true"
        ) and (sc or "true").lower() != "false"
        apphost = props.get("UseAppHost", p.props.get("UseAppHost", "true")).lower() != "false"
        single = props.get("PublishSingleFile", p.props.get("PublishSingleFile", "")) == "true"
        base = f"{p.dir}/bin/{config}/{p.tfm}" + (f"/{rid_p}" if rid_p else "")
        is_main = p is projects[-1] or len(projects) == 1
        dest_dir = (
            proc.path(out)
            if out and (is_main or not publish)
            else (base + "/publish" if publish else base)
        )
        obj = f"{p.dir}/obj/{config}/{p.tfm}"
        size = _assembly_size(proc, p)
        w.blob(f"{obj}/{p.name}.dll", size, f"{p.name}.dll, intermediate (modelled size)")
        files: dict[str, int] = {f"{p.name}.dll": size, f"{p.name}.pdb": size // 2}
        for pid in p.packages:
            _, dll = _package(pid)
            if dll:
                files[f"{pid}.dll"] = dll
        for ref in p.refs:
            ref_p = next((x for x in projects if x.path == ref), None)
            if ref_p is not None:
                files[f"{ref_p.name}.dll"] = _assembly_size(proc, ref_p)
        if single and publish:
            bundle = (
                sum(files.values())
                + data_apphost()
                + (_runtime_size(proc, p.web) if self_contained else 0)
            )
            files = {p.name: bundle, f"{p.name}.pdb": size // 2}
        for name, n in files.items():
            mode = 0o755 if name == p.name else 0o644
            w.blob(f"{dest_dir}/{name}", n, f"{name} of {p.name} ({config}; modelled size)", mode)
            total += n
        if not single:
            w.file(f"{dest_dir}/{p.name}.deps.json", _deps_json(p))
            w.file(f"{dest_dir}/{p.name}.runtimeconfig.json", _runtimeconfig(p, self_contained))
            if apphost or self_contained:
                w.blob(
                    f"{dest_dir}/{p.name}",
                    data_apphost(),
                    f"{p.name}: the native launcher (apphost; modelled size)",
                    0o755,
                )
                total += data_apphost()
            if self_contained and publish:
                rt = _runtime_size(proc, p.web)
                w.blob(
                    f"{dest_dir}/emu-dotnet-runtime.blob",
                    rt,
                    "the .NET runtime a self-contained app carries (size of the image's; modelled)",
                )
                total += rt
        if publish and p.web and is_main:
            copy_tree(proc, w, f"{p.dir}/wwwroot", f"{dest_dir}/wwwroot")
            for name in listdir(proc, p.dir):
                if re.fullmatch(r"appsettings(\..+)?\.json", name):
                    w.file(f"{dest_dir}/{name}", read_text(proc, f"{p.dir}/{name}") or "{}")
            w.file(f"{dest_dir}/web.config", _WEB_CONFIG.format(name=p.name))
        proc.out(f"  {p.name} -> {dest_dir}/{p.name}.dll\n")
        if publish and is_main:
            proc.out(f"  {p.name} -> {dest_dir}/\n")
    if not publish:
        proc.out(
            "\nBuild succeeded.\n    0 Warning(s)\n    0 Error(s)\n\nTime Elapsed 00:00:02.00\n"
        )
    modelled(proc, f"dotnet {verb} ({len(projects)} projects -> {dest_dir}, {mb(total)})")
    return 0


def data_apphost() -> int:
    return size_of(data("dotnet")["apphost"])


def _net8(proc: Proc) -> bool:
    """`dotnet publish` defaults to Release from the .NET 8 SDK on."""
    m = re.match(r"(\d+)", _sdk_version(proc))
    return m is not None and int(m.group(1)) >= 8


def _deps_json(p: Project) -> str:
    libs = ",\n".join(
        f'    "{pid}/{v}": {{"type": "package", "serviceable": true}}'
        for pid, v in p.packages.items()
    )
    return (
        '{\n  "runtimeTarget": {"name": "' + _tfm_name(p.tfm) + '"},\n  "libraries": {\n'
        f'    "{p.name}/1.0.0": {{"type": "project", "serviceable": false}}'
        + (",\n" + libs if libs else "")
        + "\n  }\n}\n"
    )


def _runtimeconfig(p: Project, self_contained: bool) -> str:
    m = re.fullmatch(r"net(\d+\.\d+)", p.tfm)
    version = (m.group(1) if m else "8.0") + ".0"
    fw = "Microsoft.AspNetCore.App" if p.web else "Microsoft.NETCore.App"
    if self_contained:
        return (
            '{\n  "runtimeOptions": {\n    "tfm": "' + p.tfm + '",\n    "includedFrameworks": '
            '[{"name": "' + fw + '", "version": "' + version + '"}]\n  }\n}\n'
        )
    return (
        '{\n  "runtimeOptions": {\n    "tfm": "' + p.tfm + '",\n    "framework": {\n'
        '      "name": "' + fw + '",\n      "version": "' + version + '"\n    }\n  }\n}\n'
    )


_WEB_CONFIG = """<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <location path="." inheritInChildApplications="false">
    <system.webServer>
      <handlers>
        <add name="aspNetCore" path="*" verb="*" modules="AspNetCoreModuleV2" />
      </handlers>
      <aspNetCore processPath="dotnet" arguments=".\\{name}.dll" hostingModel="inprocess" />
    </system.webServer>
  </location>
</configuration>
"""
