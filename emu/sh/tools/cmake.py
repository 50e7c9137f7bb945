"""Build-system generators: ``cmake``, ``meson`` and ``ninja``, modelled on the compiler and
make models (:mod:`.cc`).

``cmake -S SRC -B BUILD [-G Ninja] [-DCMAKE_BUILD_TYPE=Release] [-DCMAKE_INSTALL_PREFIX=…]``
(or ``cmake ..`` from the build folder) reads CMakeLists.txt — ``project``, ``set``,
``file(GLOB …)``, ``add_executable``, ``add_library``, ``add_subdirectory``, ``install
(TARGETS …)`` — checks that the image has a compiler for the project's languages, and
writes the build folder: ``CMakeCache.txt``, ``CMakeFiles/``, and a real ``Makefile`` (or
``build.ninja``) whose commands run the compiler model on the sources. ``cmake --build``
runs make or ninja there, ``cmake --install`` its install rule. ``meson setup BUILD``
does the same from meson.build's ``project``/``executable``/``library``; ``meson
compile|install -C BUILD`` and ``ninja [-C BUILD] [install]`` run the ``build.ninja``
rules emu writes (``rule``/``build`` lines of ninja's own syntax). Other commands a
CMakeLists or meson.build holds are ignored: their effects are not modelled.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import shlex

from emu.sh.api import Proc
from emu.sh.tools._base import ToolError, Writer, run_argv, run_shell, tool
from emu.sh.tools._image import is_dir, is_file, read_text, walk_files, which

CMAKE_VERSION = "3.25.1"


class Target:
    def __init__(self, name: str, kind: str, sources: list[str]) -> None:
        self.name = name
        self.kind = kind  # "exe" | "static" | "shared"
        self.sources = sources
        self.installed = ""  # the install destination folder, if installed

    @property
    def output(self) -> str:
        if self.kind == "exe":
            return self.name
        return f"lib{self.name}.{'a' if self.kind == 'static' else 'so'}"


def _cmake_args(text: str) -> list[tuple[str, list[str]]]:
    """The commands of a CMakeLists.txt: (name, arguments), comments dropped."""
    text = re.sub(r"#[^\n]*", "", text)
    out = []
    for m in re.finditer(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(((?:[^()]|\([^()]*\))*)\)", text):
        try:
            args = shlex.split(m.group(2), posix=True)
        except ValueError:
            args = m.group(2).split()
        out.append((m.group(1).lower(), args))
    return out


def _read_cmake(
    proc: Proc, src: str, variables: dict[str, str], targets: list[Target], langs: set[str]
) -> str:
    path = f"{src}/CMakeLists.txt"
    text = read_text(proc, path)
    if text is None:
        raise ToolError(
            f'CMake Error: The source directory "{src}" does not appear to contain '
            "CMakeLists.txt.\nSpecify --help for usage, or press the help button on the CMake "
            "GUI.",
            1,
        )
    project = ""
    variables.setdefault("CMAKE_SOURCE_DIR", src)
    variables["CMAKE_CURRENT_SOURCE_DIR"] = src
    variables["PROJECT_SOURCE_DIR"] = variables.get("PROJECT_SOURCE_DIR", src)

    def sub(word: str) -> str:
        return re.sub(r"\$\{(\w+)\}", lambda m: variables.get(m.group(1), ""), word)

    for name, raw in _cmake_args(text):
        args = [sub(a) for a in raw]
        if name == "project" and args:
            project = args[0]
            rest = [a.upper() for a in args[1:]]
            if "LANGUAGES" in rest:
                rest = rest[rest.index("LANGUAGES") + 1 :]
            given = {x for x in rest if x in ("C", "CXX")}
            langs.update(given or {"C", "CXX"})
            variables["PROJECT_NAME"] = project
        elif name == "set" and args:
            values = args[1:]
            if "CACHE" in values:
                values = values[: values.index("CACHE")]
            variables[args[0]] = ";".join(values)  # a CMake list
        elif name == "file" and len(args) >= 3 and args[0] in ("GLOB", "GLOB_RECURSE"):
            found: list[str] = []
            for pat in args[2:]:
                full = pat if pat.startswith("/") else f"{src}/{pat}"
                if args[0] == "GLOB_RECURSE":
                    found += [
                        f
                        for f in walk_files(proc, posixpath.dirname(full))
                        if fnmatch.fnmatch(posixpath.basename(f), posixpath.basename(full))
                    ]
                else:
                    d = posixpath.dirname(full)
                    found += [
                        f
                        for f in walk_files(proc, d)
                        if posixpath.dirname(f) == d
                        and fnmatch.fnmatch(posixpath.basename(f), posixpath.basename(full))
                    ]
            variables[args[1]] = ";".join(found)
        elif name in ("add_executable", "add_library") and args:
            kind = "exe"
            rest = args[1:]
            if name == "add_library":
                kind = "shared" if "SHARED" in rest else "static"
            srcs = [
                s
                for a in rest
                for s in a.split(";")
                if s and s not in ("STATIC", "SHARED", "MODULE", "WIN32", "EXCLUDE_FROM_ALL")
            ]
            srcs = [s if s.startswith("/") else f"{src}/{s}" for s in srcs]
            targets.append(Target(args[0], kind, srcs))
        elif name == "add_subdirectory" and args:
            _read_cmake(proc, f"{src}/{args[0]}", variables, targets, langs)
            variables["CMAKE_CURRENT_SOURCE_DIR"] = src
        elif name == "install" and args and args[0] == "TARGETS":
            dest = "bin"
            if "DESTINATION" in args:
                dest = args[args.index("DESTINATION") + 1]
            for t in targets:
                if t.name in args:
                    t.installed = dest
    return project


def _compiler(proc: Proc, lang: str) -> str | None:
    names = ("c++", "g++", "clang++") if lang == "CXX" else ("cc", "gcc", "clang")
    env = proc.env.get("CXX" if lang == "CXX" else "CC")
    return next((n for n in ((env,) if env else ()) + names if which(proc, n)), None)


def _recipe(t: Target, build: str, compiler: str, build_type: str) -> str:
    opt = {
        "Release": "-O3 -DNDEBUG",
        "Debug": "-g",
        "RelWithDebInfo": "-O2 -g",
        "MinSizeRel": "-Os -DNDEBUG",
    }.get(build_type, "")
    srcs = " ".join(t.sources)
    if t.kind == "static":
        objs = []
        lines = []
        for s in t.sources:
            obj = f"{build}/CMakeFiles/{t.name}.dir/{posixpath.basename(s)}.o"
            objs.append(obj)
            lines.append(f"{compiler} {opt} -c {s} -o {obj}")
        lines.append(f"ar rcs {build}/{t.output} {' '.join(objs)}")
        return " && ".join(lines)
    shared = "-shared -fPIC " if t.kind == "shared" else ""
    return f"{compiler} {opt} {shared}-o {build}/{t.output} {srcs}".replace("  ", " ")


def _generate(
    proc: Proc,
    build: str,
    targets: list[Target],
    compiler: str,
    build_type: str,
    prefix: str,
    ninja: bool,
) -> None:
    w = Writer(proc)
    installs = [
        f"install -D -m 755 {build}/{t.output} {prefix}/{t.installed}/{t.output}"
        for t in targets
        if t.installed
    ]
    if ninja:
        lines = ["# emu: a build.ninja of ninja's own syntax, run by emu's ninja model", ""]
        for t in targets:
            cmd = _recipe(t, build, compiler, build_type).replace("$", "$$")
            lines += [
                f"rule build_{t.name}",
                f"  command = {cmd}",
                "",
                f"build {t.output}: build_{t.name} {' '.join(t.sources)}",
                "",
            ]
        lines += [
            "rule install_all",
            f"  command = {' && '.join(installs) or 'true'}",
            "",
            "build install: install_all " + " ".join(t.output for t in targets),
            "",
            "default " + " ".join(t.output for t in targets),
            "",
        ]
        w.file(f"{build}/build.ninja", "\n".join(lines))
        return
    mk = [
        "# CMAKE generated file (emu model): the compiler model does the work",
        "",
        "all: " + " ".join(t.output for t in targets),
        "",
    ]
    for t in targets:
        mk += [
            f"{t.output}: {' '.join(t.sources)}",
            f"\t@mkdir -p {build}/CMakeFiles/{t.name}.dir",
            f"\t{_recipe(t, build, compiler, build_type)}",
            "",
        ]
    mk += ["install: all"] + [f"\t{c}" for c in installs] + ["", ".PHONY: all install", ""]
    w.file(f"{build}/Makefile", "\n".join(mk))


@tool("cmake", note="modelled: configure (Makefile/build.ninja), --build, --install")
def cmake(proc: Proc) -> int:
    args = proc.argv[1:]
    if args[:1] == ["--version"]:
        proc.out(
            f"cmake version {CMAKE_VERSION}\n\nCMake suite maintained and supported by "
            "Kitware (kitware.com/cmake).\n"
        )
        return 0
    if args[:1] == ["--build"] and len(args) > 1:
        built = proc.path(args[1])
        extra = args[2:]
        target = extra[extra.index("--target") + 1] if "--target" in extra else None
        if is_file(proc, f"{built}/build.ninja"):
            return run_argv(proc, ["ninja", "-C", built, *([target] if target else [])])
        if not is_file(proc, f"{built}/Makefile"):
            raise ToolError(
                f"Error: {built} is not a directory"
                if not is_dir(proc, built)
                else "Error: could not load cache",
                1,
            )
        return run_argv(proc, ["make", "-C", built, *([target] if target else [])])
    if args[:1] == ["--install"] and len(args) > 1:
        built = proc.path(args[1])
        if is_file(proc, f"{built}/build.ninja"):
            return run_argv(proc, ["ninja", "-C", built, "install"])
        return run_argv(proc, ["make", "-C", built, "install"])
    defines: dict[str, str] = {}
    src: str | None = None
    build: str | None = None
    generator = "Unix Makefiles"
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("-D"):
            body = a[2:] if len(a) > 2 else (args[i + 1] if i + 1 < len(args) else "")
            if len(a) == 2:
                i += 1
            k, _, v = body.partition("=")
            defines[k.split(":")[0]] = v
        elif a in ("-S", "-B", "-G") and i + 1 < len(args):
            value = args[i + 1]
            if a == "-S":
                src = value
            elif a == "-B":
                build = value
            else:
                generator = value
            i += 1
        elif a.startswith(("-S", "-B", "-G")) and len(a) > 2:
            if a[1] == "S":
                src = a[2:]
            elif a[1] == "B":
                build = a[2:]
            else:
                generator = a[2:]
        elif not a.startswith("-"):
            src = a if src is None else src
        i += 1
    src_dir = proc.path(src or ".")
    build_dir = proc.path(build) if build else proc.cwd  # cmake .. from the build folder
    variables = dict(defines)
    targets: list[Target] = []
    langs: set[str] = set()
    project = _read_cmake(proc, src_dir, variables, targets, langs)
    w = Writer(proc)
    for lang in sorted(langs):
        comp = _compiler(proc, lang)
        label = "CXX" if lang == "CXX" else "C"
        if comp is None:
            raise ToolError(
                f"-- The {label} compiler identification is unknown\nCMake Error at "
                f"CMakeLists.txt:2 (project):\n  No CMAKE_{label}_COMPILER could be "
                "found.\n-- Configuring incomplete, errors occurred!",
                1,
            )
        proc.out(f"-- The {label} compiler identification is GNU 12.2.0\n")
    compiler = _compiler(proc, "CXX" if "CXX" in langs else "C") or "cc"
    build_type = defines.get("CMAKE_BUILD_TYPE", "")
    prefix = defines.get("CMAKE_INSTALL_PREFIX", "/usr/local")
    w.file(
        f"{build_dir}/CMakeCache.txt",
        "# This is the CMakeCache file.\n"
        f"CMAKE_BUILD_TYPE:STRING={build_type}\nCMAKE_INSTALL_PREFIX:PATH={prefix}\n"
        f"CMAKE_HOME_DIRECTORY:INTERNAL={src_dir}\nCMAKE_PROJECT_NAME:STATIC={project}\n",
    )
    w.file(f"{build_dir}/CMakeFiles/cmake.check_cache", "# This file is generated by cmake\n")
    w.file(f"{build_dir}/cmake_install.cmake", f"# Install script for directory: {src_dir}\n")
    _generate(
        proc, build_dir, targets, compiler, build_type, prefix, ninja=generator.lower() == "ninja"
    )
    proc.out(
        f"-- Configuring done\n-- Generating done\n-- Build files have been written to: "
        f"{build_dir}\n"
    )
    return 0


def _ninja_file(text: str) -> tuple[dict[str, str], dict[str, tuple[str, list[str]]], list[str]]:
    rules: dict[str, str] = {}
    builds: dict[str, tuple[str, list[str]]] = {}
    defaults: list[str] = []
    rule = None
    for line in text.splitlines():
        if line.startswith("rule "):
            rule = line.split()[1]
        elif line.startswith("  command = ") and rule:
            rules[rule] = line[len("  command = ") :].replace("$$", "$")
        elif line.startswith("build "):
            outs, _, rest = line[6:].partition(":")
            words = rest.split()
            for out in outs.split():
                builds[out] = (words[0] if words else "", words[1:])
        elif line.startswith("default "):
            defaults = line.split()[1:]
    return rules, builds, defaults


@tool("ninja", "ninja-build", note="modelled: runs the build.ninja rules emu's cmake/meson write")
def ninja(proc: Proc) -> int:
    args = proc.argv[1:]
    if args[:1] == ["--version"]:
        proc.out("1.11.1\n")
        return 0
    d = proc.cwd
    wanted: list[str] = []
    i = 0
    while i < len(args):
        if args[i] == "-C" and i + 1 < len(args):
            d = proc.path(args[i + 1])
            i += 2
            continue
        if args[i] in ("-j", "-l", "-k", "-f") and i + 1 < len(args):
            i += 2
            continue
        if not args[i].startswith("-"):
            wanted.append(args[i])
        i += 1
    text = read_text(proc, f"{d}/build.ninja")
    if text is None:
        raise ToolError("ninja: error: loading 'build.ninja': No such file or directory", 1)
    rules, builds, defaults = _ninja_file(text)
    if not rules and builds == {}:
        raise ToolError(
            "ninja: error: build.ninja: emu runs only the build.ninja files its "
            "cmake and meson models write",
            1,
        )
    for target in wanted or defaults or list(builds):
        if target not in builds:
            raise ToolError(f"ninja: error: unknown target '{target}'", 1)
        rule, _ = builds[target]
        proc.out(f"[1/1] {rule} {target}\n")
        status = run_shell(proc, rules.get(rule, "true"), cwd=d)
        if status:
            raise ToolError(f"FAILED: {target}\nninja: build stopped: subcommand failed.", 1)
    return 0


@tool("meson", note="modelled: meson setup / compile / install (build.ninja for the ninja model)")
def meson(proc: Proc) -> int:
    args = proc.argv[1:]
    if args[:1] == ["--version"]:
        proc.out("1.0.1\n")
        return 0
    cmd = args[0] if args else "setup"
    rest = args[1:] if args and args[0] in ("setup", "compile", "install", "configure") else args
    build = next((rest[k + 1] for k, a in enumerate(rest) if a == "-C" and k + 1 < len(rest)), None)
    if cmd in ("compile", "install"):
        where = proc.path(build or ".")
        return run_argv(proc, ["ninja", "-C", where, *(["install"] if cmd == "install" else [])])
    words = [a for a in rest if not a.startswith("-")]
    build_dir = proc.path(words[0] if words else "build")
    src = proc.path(words[1] if len(words) > 1 else ".")
    opts = {
        a[2:].split("=")[0]: a.split("=", 1)[1] for a in rest if a.startswith("--") and "=" in a
    }
    text = read_text(proc, f"{src}/meson.build")
    if text is None:
        raise ToolError(
            f"ERROR: Neither source directory '{src}' nor build directory "
            f"'{build_dir}' contain a build file meson.build.",
            1,
        )
    targets: list[Target] = []
    langs: set[str] = set()
    m = re.search(r"project\(\s*'([^']+)'((?:\s*,\s*'[^']*')*)", text)
    for lang in re.findall(r"'(c|cpp)'", m.group(2) if m else "'c'"):
        langs.add("CXX" if lang == "cpp" else "C")
    for kind, body in re.findall(
        r"\b(executable|library|static_library|shared_library)\((.*?)\)", text, re.S
    ):
        strs = re.findall(r"'([^']+)'", body)
        if not strs:
            continue
        k = {"executable": "exe", "shared_library": "shared"}.get(kind, "static")
        t = Target(strs[0], k, [f"{src}/{s}" for s in strs[1:] if "." in s])
        if re.search(r"install\s*:\s*true", body):
            t.installed = "bin" if k == "exe" else "lib"
        targets.append(t)
    compiler = _compiler(proc, "CXX" if "CXX" in langs else "C")
    if compiler is None:
        raise ToolError(
            "meson.build:1:0: ERROR: Unknown compiler(s): [['cc'], ['gcc'], ['clang']]", 1
        )
    btype = {"release": "Release", "debug": "Debug"}.get(opts.get("buildtype", "debug"), "")
    prefix = opts.get("prefix", "/usr/local")
    w = Writer(proc)
    w.file(f"{build_dir}/meson-info/meson-info.json", '{"meson_version": {"full": "1.0.1"}}\n')
    _generate(proc, build_dir, targets, compiler, btype, prefix, ninja=True)
    proc.out(
        f"The Meson build system\nVersion: 1.0.1\nSource dir: {src}\nBuild dir: "
        f"{build_dir}\nBuild type: native build\nProject name: {m.group(1) if m else ''}\n"
        "Found ninja-1.11.1 at /usr/bin/ninja\n"
    )
    return 0
