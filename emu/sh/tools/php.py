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
from emu.sh.tools._image import home, is_file, listdir, read_text

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


# --- PHP extensions: the official images' docker-php-ext-* and mlocati's installer ----------

# Zend module API numbers, which name the extensions folder (php-config --extension-dir).
_API = {
    "8.4": "20240924", "8.3": "20230831", "8.2": "20220829", "8.1": "20210902",
    "8.0": "20200930", "7.4": "20190902", "7.3": "20180731", "7.2": "20170718",
    "7.1": "20160303", "7.0": "20151012", "5.6": "20131226",
}  # fmt: skip
# The extensions in PHP's source tree (ext/ of PHP 8), which docker-php-ext-install builds.
BUNDLED = frozenset({
    "bcmath", "bz2", "calendar", "ctype", "curl", "dba", "dom", "enchant", "exif", "ffi",
    "fileinfo", "filter", "ftp", "gd", "gettext", "gmp", "iconv", "imap", "intl", "ldap",
    "mbstring", "mysqli", "oci8", "odbc", "opcache", "pcntl", "pdo", "pdo_dblib",
    "pdo_firebird", "pdo_mysql", "pdo_oci", "pdo_odbc", "pdo_pgsql", "pdo_sqlite", "pgsql",
    "phar", "posix", "pspell", "readline", "session", "shmop", "simplexml", "snmp", "soap",
    "sockets", "sodium", "sqlite3", "sysvmsg", "sysvsem", "sysvshm", "tidy", "tokenizer",
    "xml", "xmlreader", "xmlwriter", "xsl", "zend_test", "zip", "zlib",
})  # fmt: skip
_ZEND = frozenset({"opcache", "xdebug"})  # loaded with zend_extension=
# Built module sizes: ESTIMATES (rounded; a module not listed is taken as 300 kB).
_EXT_SIZES = {"intl": 1_300_000, "gd": 900_000, "opcache": 1_100_000, "xdebug": 1_200_000,
              "imagick": 1_500_000, "grpc": 14_000_000, "swoole": 9_000_000,
              "mbstring": 1_800_000, "soap": 700_000, "redis": 2_300_000}  # fmt: skip


def ext_dir(proc: Proc) -> str:
    """The extensions folder: the one the image has, else the non-ZTS one of PHP_VERSION's
    module API."""
    base = "/usr/local/lib/php/extensions"
    have = sorted(d for d in listdir(proc, base) if d.startswith("no-debug-"))
    if have:
        return f"{base}/{have[-1]}"
    version = ".".join(proc.env.get("PHP_VERSION", "8.3").split(".")[:2])
    return f"{base}/no-debug-non-zts-{_API.get(version, _API['8.3'])}"


def _enable(proc: Proc, w: Writer, ext: str) -> None:
    ini_dir = proc.env.get("PHP_INI_DIR", "/usr/local/etc/php") + "/conf.d"
    key = "zend_extension" if ext in _ZEND else "extension"
    w.file(f"{ini_dir}/docker-php-ext-{ext}.ini", f"{key}={ext}\n")


def _build(proc: Proc, w: Writer, ext: str) -> None:
    size = _EXT_SIZES.get(ext, 300_000)
    w.blob(f"{ext_dir(proc)}/{ext}.so", size, f"the {ext} PHP module (modelled size)", 0o755)
    _enable(proc, w, ext)


def _ext_names(args: list[str]) -> list[str]:
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a in ("-j", "--jobs"):
            skip = True
        elif not a.startswith("-"):
            out.append(a)
    return out


@tool("docker-php-ext-install", note="modelled: builds PHP's bundled extensions (sizes estimated)")
def docker_php_ext_install(proc: Proc) -> int:
    """Each bundled extension named: its module in the extensions folder (an estimated
    size) and ``conf.d/docker-php-ext-<ext>.ini`` loading it. The build dependencies an
    extension needs (libpq-dev for pdo_pgsql...) are not checked."""
    names = _ext_names(proc.argv[1:])
    if not names:
        raise ToolError(f"usage: {proc.name} [-jN] [--ini-name file.ini] ext-name [ext-name ...]"
                        "\n   ie: docker-php-ext-install gd mysqli", 1)  # fmt: skip
    for ext in names:
        if ext not in BUNDLED:
            raise ToolError(
                f"error: /usr/src/php/ext/{ext} does not exist\n\n"
                f"usage: {proc.name} [-jN] [--ini-name file.ini] ext-name [ext-name ...]",
                1,
            )
    w = Writer(proc)
    for ext in names:
        _build(proc, w, ext)
    modelled(proc, f"docker-php-ext-install {' '.join(names)} (compiling is not modelled; "
             "module sizes are estimates)")  # fmt: skip
    return 0


@tool("docker-php-ext-enable", note="modelled: writes the conf.d ini of built extensions")
def docker_php_ext_enable(proc: Proc) -> int:
    names = _ext_names(proc.argv[1:])
    w = Writer(proc)
    for ext in names:
        if not is_file(proc, f"{ext_dir(proc)}/{ext}.so"):
            raise ToolError(f"error: '{ext}' does not exist", 1)
        _enable(proc, w, ext)
    return 0


@tool("docker-php-ext-configure", note="modelled: accepted (configure options not modelled)")
def docker_php_ext_configure(proc: Proc) -> int:
    names = _ext_names(proc.argv[1:2])
    if names and names[0] not in BUNDLED:
        raise ToolError(f"error: /usr/src/php/ext/{names[0]} does not exist", 1)
    return not_modelled(proc, f"docker-php-ext-configure {' '.join(proc.argv[1:2])}")


@tool("install-php-extensions", note="modelled: bundled and PECL extensions (sizes estimated)")
def install_php_extensions(proc: Proc) -> int:
    """mlocati's installer: each extension named (bundled or from PECL, ``name-version``
    or ``@composer`` accepted), built and enabled as docker-php-ext-install does; the
    system libraries it would add with apt/apk are not modelled."""
    names = [n for n in _ext_names(proc.argv[1:]) if not n.startswith("@")]
    w = Writer(proc)
    for raw in names:
        ext = raw.split("-")[0].split("@")[0].lower()
        proc.out(f"### INSTALLING {'BUNDLED' if ext in BUNDLED else 'REMOTE'} MODULE {ext} ###\n")
        _build(proc, w, ext)
    modelled(proc, f"install-php-extensions {' '.join(names)} (compiling and the system "
             "libraries it installs are not modelled; module sizes are estimates)")  # fmt: skip
    return 0
