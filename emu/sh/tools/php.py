"""PHP: ``composer`` (install, update, require, dump-autoload, create-project) and ``php``
(``-v``, ``-m``; scripts are not run), modelled offline.

``composer install [--no-dev] [--optimize-autoloader] [--no-scripts]`` installs
composer.lock's packages (else composer.json's ``require``) into ``vendor/<vendor>/<name>``
with ``vendor/autoload.php`` and ``vendor/composer/``; a package's size is an estimate
(composer's registry cannot be read offline; well-known frameworks are larger). Downloads
stay in ``$COMPOSER_HOME/cache`` (``~/.composer``; the composer image sets ``/tmp``) unless
``--no-cache``. Like composer it fails without composer.json ("Composer could not find a
composer.json file", status 1).
"""

from __future__ import annotations

import json
import posixpath
from typing import Any

from emu.sh.api import Proc
from emu.sh.tools._base import ToolError, Writer, modelled, not_modelled, not_run, tool
from emu.sh.tools._data import digest, mb
from emu.sh.tools._image import home, is_file, read_text

DEFAULT_SIZE = 1_000_000  # a package's vendor/ folder when emu knows nothing of it
# Well-known packages' installed size (rounded, an estimate like the default).
SIZES = {
    "laravel/framework": 12_000_000,
    "symfony/symfony": 30_000_000,
    "doctrine/orm": 4_000_000,
    "guzzlehttp/guzzle": 500_000,
    "monolog/monolog": 600_000,
    "phpunit/phpunit": 4_000_000,
    "laminas/laminas-mvc": 1_000_000,
}


def _home(proc: Proc) -> str:
    return proc.env.get("COMPOSER_HOME") or posixpath.join(home(proc), ".composer")


def _packages(proc: Proc, root: str, dev: bool) -> list[tuple[str, str]]:
    lock = read_text(proc, f"{root}/composer.lock")
    if lock is not None:
        try:
            doc = json.loads(lock)
        except ValueError:
            raise ToolError(f'"{root}/composer.lock" does not contain valid JSON', 1) from None
        sections = ["packages", "packages-dev"] if dev else ["packages"]
        return [
            (str(p.get("name")), str(p.get("version", "1.0.0")))
            for s in sections
            for p in doc.get(s) or []
            if isinstance(p, dict)
        ]
    doc = _manifest(proc, root)
    reqs = dict(doc.get("require") or {})
    if dev:
        reqs.update(doc.get("require-dev") or {})
    return [
        (n, str(v).lstrip("^~>=v ") or "1.0.0") for n, v in reqs.items() if "/" in n
    ]  # php, ext-*: platform requirements


def _manifest(proc: Proc, root: str) -> dict[str, Any]:
    text = read_text(proc, f"{root}/composer.json")
    if text is None:
        raise ToolError(
            f"Composer could not find a composer.json file in {root}\nTo initialize a project, "
            "please create a composer.json file. See https://getcomposer.org/basic-usage",
            1,
        )
    try:
        doc = json.loads(text)
    except ValueError:
        raise ToolError('"./composer.json" does not contain valid JSON', 1) from None
    return doc if isinstance(doc, dict) else {}


@tool("composer", note="modelled: composer install/update/require/dump-autoload (offline)")
def composer(proc: Proc) -> int:
    args = proc.argv[1:]
    flags = {a for a in args if a.startswith("-")}
    words = [a for a in args if not a.startswith("-")]
    if "--version" in flags or "-V" in flags:
        proc.out("Composer version 2.7.7 2024-06-10 22:11:12\n")
        return 0
    cmd = words[0] if words else "list"
    root = proc.path(
        next((a.split("=", 1)[1] for a in args if a.startswith("--working-dir=")), proc.cwd)
    )
    if cmd in ("install", "update", "i", "u", "require"):
        if cmd == "require":
            doc = _manifest(proc, root)
            req = dict(doc.get("require") or {})
            for spec in words[1:]:
                name, _, version = spec.partition(":")
                req[name] = version or "*"
            doc["require"] = req
            Writer(proc).file(f"{root}/composer.json", json.dumps(doc, indent=4) + "\n")
        return _install(proc, root, flags, lock_first=cmd in ("install", "i"))
    if cmd in ("dump-autoload", "dumpautoload"):
        _manifest(proc, root)
        _autoload(Writer(proc), root, optimized="-o" in flags or "--optimize" in flags)
        proc.out(
            "Generating optimized autoload files\n"
            if "-o" in flags
            else "Generating autoload files\n"
        )
        return 0
    if cmd == "create-project" and len(words) >= 2:
        target = proc.path(words[2] if len(words) > 2 else words[1].split("/")[-1])
        w = Writer(proc)
        w.file(f"{target}/composer.json", json.dumps({"name": words[1], "require": {}}, indent=4))
        return _install(proc, target, flags, lock_first=False)
    if cmd in (
        "config",
        "clear-cache",
        "clearcache",
        "validate",
        "diagnose",
        "show",
        "global",
        "self-update",
        "run-script",
        "check-platform-reqs",
    ):
        return not_modelled(proc, f"composer {cmd}")
    raise ToolError(f'Command "{cmd}" is not defined.', 1)


def _install(proc: Proc, root: str, flags: set[str], *, lock_first: bool) -> int:
    _manifest(proc, root)
    dev = "--no-dev" not in flags and not proc.env.get("COMPOSER_NO_DEV")
    has_lock = is_file(proc, f"{root}/composer.lock")
    pkgs = _packages(proc, root, dev)
    w = Writer(proc)
    if lock_first and has_lock:
        proc.stderr.write(
            "Installing dependencies from lock file"
            + (" (including require-dev)" if dev else "")
            + "\n"
            "Verifying lock file contents can be installed on current platform.\n"
        )
    else:
        proc.stderr.write(
            "Loading composer repositories with package information\n"
            "Updating dependencies\nLock file operations: "
            f"{len(pkgs)} installs, 0 updates, 0 removals\nWriting lock file\n"
        )
        w.file(
            f"{root}/composer.lock",
            json.dumps(
                {"packages": [{"name": n, "version": v} for n, v in pkgs], "packages-dev": []},
                indent=4,
            )
            + "\n",
        )
    proc.stderr.write(f"Package operations: {len(pkgs)} installs, 0 updates, 0 removals\n")
    cache = None if "--no-cache" in flags else f"{_home(proc)}/cache/files"
    total = 0
    for name, version in pkgs:
        size = SIZES.get(name, DEFAULT_SIZE)
        w.blob(
            f"{root}/vendor/{name}/emu-package.blob",
            size,
            f"{name} {version} (modelled size, an estimate)",
        )
        if cache:
            w.blob(
                f"{cache}/{name}/{digest(name, version)[:40]}.zip",
                size // 3,
                f"{name} {version} archive in composer's cache (modelled size)",
            )
        proc.stderr.write(f"  - Installing {name} ({version}): Extracting archive\n")
        total += size
    optimized = (
        "--optimize-autoloader" in flags or "-o" in flags or "--classmap-authoritative" in flags
    )
    _autoload(w, root, optimized=optimized)
    proc.stderr.write(
        "Generating optimized autoload files\n" if optimized else "Generating autoload files\n"
    )
    modelled(
        proc, f"composer install ({len(pkgs)} packages, {mb(total)} in vendor/, sizes estimated)"
    )
    return 0


def _autoload(w: Writer, root: str, *, optimized: bool) -> None:
    w.file(
        f"{root}/vendor/autoload.php",
        "<?php\n\n// autoload.php @generated by Composer (emu model)\n\nrequire_once "
        "__DIR__ . '/composer/autoload_real.php';\n",
    )
    for name in (
        "autoload_real.php",
        "autoload_static.php",
        "autoload_psr4.php",
        "autoload_classmap.php",
        "autoload_namespaces.php",
        "ClassLoader.php",
    ):
        w.file(f"{root}/vendor/composer/{name}", f"<?php\n// {name} (emu model)\n")
    w.file(f"{root}/vendor/composer/installed.json", '{"packages": []}\n')
    if optimized:
        w.blob(
            f"{root}/vendor/composer/emu-classmap.blob",
            200_000,
            "the optimized class map (modelled size)",
        )


@tool("php", note="modelled: -v, -m; PHP code is not run")
def php(proc: Proc) -> int:
    args = proc.argv[1:]
    version = proc.env.get("PHP_VERSION", "8.3.8")
    if args[:1] in (["-v"], ["--version"]):
        proc.out(
            f"PHP {version} (cli) (built: Jun  1 2024 00:00:00) (NTS)\nCopyright (c) The "
            "PHP Group\nZend Engine v4.3.8, Copyright (c) Zend Technologies\n"
        )
        return 0
    if args[:1] == ["-m"]:
        proc.out(
            "[PHP Modules]\nCore\nctype\ncurl\ndate\ndom\njson\nmbstring\nopenssl\npcre\n"
            "PDO\nsession\ntokenizer\nxml\n\n[Zend Modules]\n\n"
        )
        return 0
    script = next((a for a in args if not a.startswith("-")), None)
    if script is not None and "-r" not in args and not is_file(proc, script):
        raise ToolError(f"Could not open input file: {script}", 1)
    return not_run(proc, f"php {' '.join(args)}", "running PHP code is not modelled")
