"""``tsc``, the TypeScript compiler, modelled.

Reads ``tsconfig.json`` (comments, trailing commas, ``extends``; or ``-p PATH``; or files
on the command line), selects the inputs (``files``/``include``/``exclude``, ``allowJs``),
checks what a build can check without a type checker — every bare import is installed, a
JavaScript-only package has its ``@types`` (strict mode: TS7016), Node built-ins need
``@types/node`` (TS2307/TS2580) — and emits one ``.js`` per ``.ts`` under ``outDir``
(relative to ``rootDir``): the source with its type syntax stripped (interfaces, type
aliases, annotations, ``as`` casts, generics on declarations), CommonJS ``require`` when
``module`` is CommonJS, plus ``.d.ts`` and ``.js.map`` when asked. Sizes follow the sources.
Without a tsconfig and without files it prints its help and fails, as tsc does.
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re
from typing import Any

from emu.records import field, record
from emu.sh.api import Proc
from emu.sh.options import Opts, Syntax
from emu.sh.tools._base import ToolError, Writer, modelled, never_ends, parses, tool
from emu.sh.tools._data import data
from emu.sh.tools._image import is_dir, is_file, load_jsonc, read_text, walk_files
from emu.sh.tools.frontend import (
    _IMPORT,
    _NODE_BUILTINS,
    find_package,
    installed_version,
    pkg_name,
)

HELP = """Version {v}
tsc: The TypeScript Compiler - Version {v}

COMMON COMMANDS

  tsc
  Compiles the current project (tsconfig.json in the working directory.)

  tsc app.ts util.ts
  Ignoring tsconfig.json, compiles the specified files with default compiler options.

  tsc -b
  Build a composite project in the working directory.

  tsc --init
  Creates a tsconfig.json with the recommended settings in the working directory.

  tsc -p ./path/to/tsconfig.json
  Compiles the TypeScript project located at the specified path.
"""


@record(slots=True)
class Config:
    path: str | None
    dir: str
    options: dict[str, Any] = field(default_factory=dict)
    files: list[str] | None = None
    include: list[str] | None = None
    exclude: list[str] | None = None


def _version(proc: Proc) -> str:
    return installed_version(proc, proc.cwd, "typescript", "5.4.5")


def _load(proc: Proc, path: str, seen: set[str]) -> Config:
    if path in seen:
        raise ToolError(
            f"error TS18000: Circularity detected while resolving configuration: {path}", 1
        )
    seen.add(path)
    text = read_text(proc, path)
    if text is None:
        raise ToolError(f"error TS5058: The specified path does not exist: '{path}'.", 1)
    try:
        raw = load_jsonc(text, path)
    except ValueError as exc:
        raise ToolError(f"{path}: error TS1005: {exc}", 1) from None
    d = posixpath.dirname(path)
    cfg = Config(path, d)
    ext = raw.get("extends")
    for base_ref in [ext] if isinstance(ext, str) else ext or []:
        if base_ref.startswith("."):
            bp = posixpath.normpath(posixpath.join(d, base_ref))
        else:
            pkg = pkg_name(base_ref)
            pdir = find_package(proc, d, pkg)
            rest = base_ref[len(pkg) :].lstrip("/") or "tsconfig.json"
            bp = f"{pdir}/{rest}" if pdir else ""
        if bp and not bp.endswith(".json") and not is_file(proc, bp):
            bp += ".json"
        if not bp or not is_file(proc, bp):
            raise ToolError(
                f"{posixpath.basename(path)}:2:14 - error TS6053: File '{base_ref}' "
                "not found.\n\nFound 1 error.",
                1,
            )
        base = _load(proc, bp, seen)
        # paths in the base config are relative to the base config
        for key in ("outDir", "rootDir", "baseUrl"):
            if key in base.options:
                base.options[key] = posixpath.normpath(posixpath.join(base.dir, base.options[key]))
        cfg.options.update(base.options)
        for key in ("files", "include", "exclude"):
            v = getattr(base, key)
            if v is not None:
                setattr(cfg, key, [posixpath.normpath(posixpath.join(base.dir, x)) for x in v])
    opts = raw.get("compilerOptions") or {}
    for key in ("outDir", "rootDir", "baseUrl"):
        if key in opts:
            opts[key] = posixpath.normpath(posixpath.join(d, str(opts[key])))
    cfg.options.update(opts)
    for key in ("files", "include", "exclude"):
        if key in raw:
            setattr(cfg, key, [posixpath.normpath(posixpath.join(d, str(x))) for x in raw[key]])
    return cfg


def _glob_match(path: str, pattern: str) -> bool:
    rx = ""
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            rx += "(?:.*/)?"
            i += 3
            continue
        if pattern.startswith("**", i):
            rx += ".*"
            i += 2
            continue
        rx += "[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c)
        i += 1
    return re.fullmatch(rx, path) is not None or re.fullmatch(rx + "/.*", path) is not None


def _inputs(proc: Proc, cfg: Config) -> list[str]:
    exts = [".ts", ".tsx", ".mts", ".cts"]
    if cfg.options.get("allowJs"):
        exts += [".js", ".jsx", ".mjs", ".cjs"]
    out: list[str] = []
    if cfg.files is not None:
        out.extend(f for f in cfg.files if is_file(proc, f))
    include = (
        cfg.include
        if cfg.include is not None
        else ([f"{cfg.dir}/**/*"] if cfg.files is None else [])
    )
    exclude = (
        cfg.exclude
        if cfg.exclude is not None
        else [f"{cfg.dir}/node_modules", f"{cfg.dir}/bower_components", f"{cfg.dir}/jspm_packages"]
    )
    out_dir = cfg.options.get("outDir")
    if out_dir and cfg.exclude is None:
        exclude.append(str(out_dir))
    roots: set[str] = set()
    for pat in include:
        static = []
        for part in pat.split("/"):
            if any(c in part for c in "*?"):
                break
            static.append(part)
        roots.add("/".join(static) or "/")
    for r in sorted(roots):
        if is_file(proc, r):
            cands = [r]
        else:
            cands = list(walk_files(proc, r, frozenset({"node_modules", ".git"})))
        for f in cands:
            if not f.endswith(tuple(exts)) or f in out:
                continue
            if any(_glob_match(f, e) or f.startswith(e.rstrip("/") + "/") for e in exclude):
                continue
            if any(
                _glob_match(f, p) or f == p or (is_dir(proc, p) and f.startswith(p + "/"))
                for p in include
            ):
                out.append(f)
    return out


# --- transpiling ------------------------------------------------------------------------------


def _skip_block(src: str, i: int) -> int:
    """Index after the balanced {...}/(...)/<...> group or statement starting at ``i``."""
    depth = 0
    n = len(src)
    while i < n:
        c = src[i]
        if c in "'\"`":
            q = c
            i += 1
            while i < n and src[i] != q:
                i += 2 if src[i] == "\\" else 1
        elif c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
            if depth == 0 and c == "}":
                return i + 1
        elif c == ";" and depth == 0:
            return i + 1
        elif c == "\n" and depth == 0:
            j = i + 1
            while j < n and src[j] in " \t":
                j += 1
            if j < n and src[j] not in "|&=":
                return i + 1
        i += 1
    return n


_TYPE_DECL = re.compile(
    r"^[ \t]*(?:export\s+)?(?:declare\s+)?(?:interface|type)\s+\w+[^=\n{]*"
    r"(?:=|\{|extends)",
    re.M,
)
_ANNOT = re.compile(
    r"(?<=[\w\)\]?])\s*:\s*(?:readonly\s+)?[A-Za-z_$][\w$.]*(?:<[^<>()=;{}]*(?:<[^<>]*>)?[^<>()=;{}]*>)?"
    r"(?:\[\])*(?:\s*\|\s*(?:[A-Za-z_$][\w$.]*(?:<[^<>]*>)?(?:\[\])*|'[^']*'|\"[^\"]*\"|\d+))*"
    r"(?=\s*[,)=;{\n]|\s*=>)"
)


def strip_types(src: str) -> tuple[str, str]:
    """(the JavaScript, the type declarations it dropped) — a simple, total transform."""
    decls: list[str] = []
    out = src
    out = re.sub(r"^[ \t]*import\s+type\s[^;\n]*;?[ \t]*\n", "", out, flags=re.M)
    out = re.sub(r"^[ \t]*export\s+type\s*\{[^}]*\}[^;\n]*;?[ \t]*\n", "", out, flags=re.M)
    out = re.sub(
        r"(import\s*\{)([^}]*)\}",
        lambda m: (
            m.group(1)
            + ", ".join(
                p
                for p in (x.strip() for x in m.group(2).split(","))
                if p and not p.startswith("type ")
            )
            + "}"
        ),
        out,
    )
    while True:
        m = _TYPE_DECL.search(out)
        if m is None:
            break
        end = _skip_block(out, m.start())
        decls.append(out[m.start() : end].strip())
        out = out[: m.start()] + out[end:].lstrip("\n")
    out = re.sub(r"\s+as\s+const\b", "", out)
    out = re.sub(r"\s+as\s+[A-Za-z_$][\w$.]*(?:<[^<>]*>)?(?:\[\])*", "", out)
    out = re.sub(r"(\bfunction\s+\w+|\bclass\s+\w+)\s*<[^<>()]*(?:<[^<>]*>)?[^<>()]*>", r"\1", out)
    out = re.sub(r"\b(\w+)<([A-Z]\w*(?:\s*,\s*[A-Z]\w*)*)>\(", r"\1(", out)
    out = re.sub(r"\s+implements\s+[\w$.,\s<>]+?(?=\s*\{)", "", out)
    out = re.sub(r"\b(?:public|private|protected|readonly)\s+(?=\w)", "", out)
    out = re.sub(r"(\w)!(?=[.\[)])", r"\1", out)
    out = _ANNOT.sub("", out)
    out = re.sub(r"(\w)\?(?=\s*[,)])", r"\1", out)
    return out, "\n\n".join(decls)


def to_commonjs(js: str) -> str:
    """ES module syntax as tsc writes it for ``module: commonjs`` (simplified)."""
    q = r"""['"]([^'"]+)['"];?"""

    def default_and_named(m: re.Match[str]) -> str:
        names = m.group(2).replace(" as ", ": ")
        return (
            f'const {m.group(1)} = __importDefault(require("{m.group(3)}")).default;\n'
            f'const {{{names}}} = require("{m.group(3)}");'
        )

    js = re.sub(
        r"^import\s+(\w+)\s*,\s*\{([^}]*)\}\s*from\s+" + q, default_and_named, js, flags=re.M
    )
    js = re.sub(
        r"^import\s+(\w+)\s+from\s+" + q,
        r'const \1 = __importDefault(require("\2")).default;',
        js,
        flags=re.M,
    )
    js = re.sub(
        r"^import\s+\*\s+as\s+(\w+)\s+from\s+" + q,
        r'const \1 = __importStar(require("\2"));',
        js,
        flags=re.M,
    )
    js = re.sub(
        r"^import\s*\{([^}]*)\}\s*from\s+" + q,
        lambda m: f'const {{{m.group(1).replace(" as ", ": ")}}} = require("{m.group(2)}");',
        js,
        flags=re.M,
    )
    js = re.sub(r"^import\s+" + q, r'require("\1");', js, flags=re.M)
    js = re.sub(r"^export\s+default\s+", "exports.default = ", js, flags=re.M)
    exported = re.findall(
        r"^export\s+(?:async\s+)?(?:function\*?|class|const|let|var)\s+(\w+)", js, flags=re.M
    )
    js = re.sub(
        r"^export\s+(?=(?:async\s+)?(?:function|class|const|let|var)\b)", "", js, flags=re.M
    )
    head = '"use strict";\n'
    if "__importDefault" in js:
        head += (
            "var __importDefault = (this && this.__importDefault) || function (mod) {\n"
            '    return (mod && mod.__esModule) ? mod : { "default": mod };\n};\n'
        )
    if "__importStar" in js:
        head += "var __importStar = (this && this.__importStar) || function (m) { return m; };\n"
    head += 'Object.defineProperty(exports, "__esModule", { value: true });\n'
    if exported:
        head += " = ".join(f"exports.{n}" for n in exported) + " = void 0;\n"
    tail = "".join(f"exports.{n} = {n};\n" for n in exported)
    return head + js + ("" if js.endswith("\n") else "\n") + tail


# --- the command ---------------------------------------------------------------------------------


# tsc reads -name and --name alike; a boolean option may be followed by true or false.
TSC = Syntax(
    (
        "-p|-project= -m|-module= -t|-target= -d|-declaration -b|-build -v|-version|--version "
        "-h|-help -w|-watch -outDir= -rootDir= -outFile= -declarationDir= -moduleResolution= "
        "-jsx= -lib= -types= -baseUrl="
    ),
    either_dash=True,
    bools="true false",
)

_BOOL_FLAGS = {
    "noEmit",
    "declaration",
    "sourceMap",
    "allowJs",
    "strict",
    "noImplicitAny",
    "noEmitOnError",
    "skipLibCheck",
    "esModuleInterop",
}


@tool("tsc", note="modelled: TypeScript to JavaScript (type syntax stripped; imports checked)")
@parses(TSC, version=lambda proc: f"Version {_version(proc)}")
def tsc(proc: Proc, o: Opts) -> int:
    files = o.args
    v = _version(proc)
    if "-help" in o:
        proc.out(HELP.format(v=v))
        return 0
    if "-watch" in o:
        raise never_ends("tsc --watch runs")
    if "-init" in o:
        Writer(proc).file(
            "tsconfig.json",
            json.dumps(
                {
                    "compilerOptions": {
                        "target": "es2016",
                        "module": "commonjs",
                        "esModuleInterop": True,
                        "forceConsistentCasingInFileNames": True,
                        "strict": True,
                        "skipLibCheck": True,
                    }
                },
                indent=2,
            )
            + "\n",
        )
        proc.out(
            "\nCreated a new tsconfig.json with:\n\n  target: es2016\n  module: commonjs\n"
            "  strict: true\n  esModuleInterop: true\n  skipLibCheck: true\n"
            "  forceConsistentCasingInFileNames: true\n\n"
        )
        return 0
    if files:
        cfg = Config(None, proc.cwd, files=[proc.path(f) for f in files], include=[])
        for f in cfg.files or []:
            if not is_file(proc, f):
                raise ToolError(
                    f"error TS6053: File '{posixpath.relpath(f, proc.cwd)}' not found."
                    "\n  The file is in the program because:\n    Root file "
                    "specified for compilation\n\n\nFound 1 error.",
                    1,
                )
    else:
        project = o.get("-project") or "."
        path = proc.path(project)
        if is_dir(proc, path):
            path = posixpath.join(path, "tsconfig.json")
        if not is_file(proc, path):
            if "-project" in o:
                raise ToolError(
                    f"error TS5058: The specified path does not exist: '{proc.path(project)}'.", 1
                )
            proc.out(HELP.format(v=v))
            return 1
        cfg = _load(proc, path, set())
    for k in o.flags:
        key, val = k[1:], o.get(k, "true")
        if key in ("outDir", "rootDir", "declarationDir"):
            cfg.options[key] = proc.path(val)
        elif key in _BOOL_FLAGS:
            cfg.options[key] = val != "false"
        elif key in ("module", "target", "outFile"):
            cfg.options[key] = val
    inputs = _inputs(proc, cfg)
    if not inputs:
        inc = json.dumps([posixpath.relpath(i, cfg.dir) for i in (cfg.include or ["**/*"])])
        exc = json.dumps([posixpath.relpath(e, cfg.dir) for e in (cfg.exclude or [])])
        raise ToolError(
            f"error TS18003: No inputs were found in config file '{cfg.path}'. "
            f"Specified 'include' paths were '{inc}' and 'exclude' paths were "
            f"'{exc}'.\n\n\nFound 1 error.\n",
            2,
        )
    errors = _check(proc, cfg, inputs)
    emitted = 0
    if not cfg.options.get("noEmit") and not (errors and cfg.options.get("noEmitOnError")):
        emitted = _emit(proc, cfg, inputs)
    if errors:
        proc.out(
            "\n".join(errors) + f"\n\n\nFound {len(errors)} error"
            f"{'s' if len(errors) > 1 else ''}.\n\n"
        )
        return 2
    what = (
        "type check only (--noEmit)"
        if cfg.options.get("noEmit")
        else f"{len(inputs)} files -> {emitted} emitted"
    )
    modelled(proc, f"tsc ({what}; types are not checked, imports are)")
    return 0


def _check(proc: Proc, cfg: Config, inputs: list[str]) -> list[str]:
    typed = set(data("npm").get("typed", []))
    strict = bool(cfg.options.get("strict") or cfg.options.get("noImplicitAny"))
    types_opt = cfg.options.get("types")
    has_node_types = find_package(proc, cfg.dir, "@types/node") is not None
    errors: list[str] = []
    for f in inputs:
        text = read_text(proc, f) or ""
        rel = posixpath.relpath(f, proc.cwd)
        for m in _IMPORT.finditer(text):
            spec = next(s for s in m.groups() if s)
            if spec.startswith("."):
                continue
            line = text.count("\n", 0, m.start()) + 1
            col = m.start(m.lastindex or 1) - text.rfind("\n", 0, m.start(m.lastindex or 1))
            name = pkg_name(spec.removeprefix("node:"))
            if name in _NODE_BUILTINS or spec.startswith("node:"):
                if not has_node_types or (isinstance(types_opt, list) and "node" not in types_opt):
                    errors.append(
                        f"{rel}({line},{col}): error TS2307: Cannot find module "
                        f"'{spec}' or its corresponding type declarations."
                    )
                continue
            pdir = find_package(proc, posixpath.dirname(f), name)
            if pdir is None:
                errors.append(
                    f"{rel}({line},{col}): error TS2307: Cannot find module '{spec}' or "
                    "its corresponding type declarations."
                )
                continue
            types_pkg = "@types/" + (name[1:].replace("/", "__") if name.startswith("@") else name)
            if (
                strict
                and name not in typed
                and not name.startswith("@types/")
                and find_package(proc, posixpath.dirname(f), types_pkg) is None
            ):
                errors.append(
                    f"{rel}({line},{col}): error TS7016: Could not find a declaration file for "
                    f"module '{spec}'. '{pdir}/index.js' implicitly has an 'any' type.\n  Try "
                    f"`npm i --save-dev {types_pkg}` if it exists or add a new declaration (.d.ts)"
                    f" file containing `declare module '{spec}';`"
                )
        if not has_node_types:
            m2 = re.search(r"\b(process|__dirname|require|Buffer)\b(?=[.(])", text)
            if m2:
                line = text.count("\n", 0, m2.start()) + 1
                col = m2.start() - text.rfind("\n", 0, m2.start())
                errors.append(
                    f"{rel}({line},{col}): error TS2580: Cannot find name '{m2.group(1)}'."
                    " Do you need to install type definitions for node? Try `npm i "
                    "--save-dev @types/node`."
                )
    return errors


def _common_root(paths: list[str]) -> str:
    dirs = [posixpath.dirname(p) for p in paths]
    root = posixpath.commonpath(dirs) if dirs else "/"
    return root


def _emit(proc: Proc, cfg: Config, inputs: list[str]) -> int:
    out_dir = cfg.options.get("outDir")
    root = str(
        cfg.options.get("rootDir")
        or _common_root([f for f in inputs if not f.endswith(".d.ts")] or inputs)
    )
    module = str(cfg.options.get("module", "commonjs")).lower()
    target = str(cfg.options.get("target", "es5")).lower()
    cjs = module in ("commonjs", "node16", "nodenext") and not _is_esm_package(proc, cfg.dir)
    if "module" not in cfg.options and target not in ("es3", "es5"):
        cjs = False if target.startswith("es20") and int(target[4:] or 0) >= 15 else cjs
    w = Writer(proc)
    n = 0
    for f in inputs:
        if f.endswith(".d.ts"):
            continue
        if out_dir and not (f == root or f.startswith(root.rstrip("/") + "/")):
            raise ToolError(
                f"error TS6059: File '{f}' is not under 'rootDir' '{root}'. 'rootDir' is"
                " expected to contain all source files.",
                2,
            )
        rel = posixpath.relpath(f, root)
        stem, ext = posixpath.splitext(rel)
        js_ext = {".mts": ".mjs", ".cts": ".cjs"}.get(ext, ".js")
        if ext in (".js", ".mjs", ".cjs", ".jsx") and not out_dir:
            continue
        dest = (
            posixpath.join(
                str(out_dir) if out_dir else posixpath.dirname(f),
                stem if out_dir else posixpath.basename(stem),
            )
            + js_ext
        )
        src = read_text(proc, f) or ""
        js, decls = strip_types(src)
        if cjs and js_ext != ".mjs":
            js = to_commonjs(js)
        if cfg.options.get("sourceMap"):
            js += f"\n//# sourceMappingURL={posixpath.basename(dest)}.map\n"
            w.file(
                dest + ".map",
                json.dumps(
                    {
                        "version": 3,
                        "file": posixpath.basename(dest),
                        "sourceRoot": "",
                        "sources": [posixpath.relpath(f, posixpath.dirname(dest))],
                        "names": [],
                        "mappings": ";;AAAA",
                    }
                ),
            )
        w.file(dest, js)
        n += 1
        if cfg.options.get("declaration"):
            ddir = cfg.options.get("declarationDir")
            dpath = (posixpath.join(str(ddir), stem) if ddir else dest[: -len(js_ext)]) + ".d.ts"
            exports = re.findall(
                r"^export\s+(?:default\s+)?(?:async\s+)?(?:function|const|class|"
                r"let)\s+(\w+)",
                src,
                re.M,
            )
            body = (
                decls
                + ("\n" if decls else "")
                + "".join(f"export declare const {e}: unknown;\n" for e in exports)
                or "export {};\n"
            )
            w.file(dpath, body)
    return n


def _is_esm_package(proc: Proc, d: str) -> bool:
    text = read_text(proc, f"{d}/package.json")
    if not text:
        return False
    try:
        return bool(json.loads(text).get("type") == "module")
    except (ValueError, AttributeError):
        return False


def _fn(pat: str, name: str) -> bool:
    return fnmatch.fnmatchcase(name, pat)
