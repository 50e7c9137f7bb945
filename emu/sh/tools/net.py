"""Network tools: ``curl``, ``wget`` and ``git``.

emu's builds have no network. A URL mapped in :mod:`emu.sh.tools.urls` (the engine's
``--add-url``) is fetched from there; any other URL fails as it does on a host without DNS:
``curl: (6) Could not resolve host: example.com``, status 6; busybox ``wget: bad address``;
``fatal: unable to access …: Could not resolve host``, status 128. Each failure adds an
``emu:`` line saying how to map the URL. Under ``--permissive`` (:mod:`emu.sh.permissive`)
an unmapped download writes a marked placeholder where it would land (a clone: the folder
with an ``EMU-PLACEHOLDER`` file), warns, and succeeds.
"""

from __future__ import annotations

import posixpath

from emu.fs import Blob, Dir, Lazy
from emu.sh import permissive
from emu.sh.api import Proc
from emu.sh.options import Opts, Syntax
from emu.sh.tools import urls
from emu.sh.tools._base import ToolError, Writer, in_dir, modelled, parses, tool
from emu.sh.tools._image import home, is_dir, link_target, read_text, tree_bytes, which

PLACEHOLDER = permissive.CLONE_PLACEHOLDER  # the file a --permissive clone leaves
HINT = "emu: no network in emu builds; map the URL to a local file with --add-url URL=PATH\n"


def _fetch(url: str) -> bytes | Blob | Lazy | Dir | None:
    if "://" not in url:
        url = "http://" + url
    return urls.get(url)


def _body(content: bytes | Blob | Lazy) -> bytes | Blob:
    return content.read() if isinstance(content, Lazy) else content


def _placeholder(proc: Proc, w: Writer, url: str, dest: str, what: str = "download") -> None:
    """--permissive: a marked placeholder where the download would land (``-``: stdout)."""
    where = dest if dest == "-" else proc.path(dest)
    body = permissive.placeholder(url, where, what)
    proc.stderr.write(permissive.warning(url, where))
    if dest == "-":
        proc.out(body)
    else:
        w.file(dest, body)


# --- curl -----------------------------------------------------------------------------------

# curl's options that the model reads, and those whose value it must skip.
CURL = Syntax(
    (
        "-o|--output= -O|--remote-name -s|--silent -S|--show-error -V|--version -H|--header= "
        "-X|--request= -d|--data= --data-raw= --data-binary= -u|--user= -A|--user-agent= "
        "--retry= --retry-delay= -m|--max-time= --connect-timeout= -w|--write-out= -e|--referer= "
        "--cacert= --proto= -T|--upload-file= -x|--proxy= -b|--cookie= -c|--cookie-jar= "
        "-F|--form= -r|--range= --output-dir= --retry-max-time= -C|--continue-at="
    ),
    short=True,
)


@tool("curl", note="modelled: offline, fetches only URLs mapped with --add-url")
@parses(CURL, version="curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 (emu model)")
def curl(proc: Proc, o: Opts) -> int:
    out = o.get("--output") or None
    remote_name = "--remote-name" in o
    silent, show_error = "--silent" in o, "--show-error" in o
    targets = o.args
    if not targets:
        raise ToolError("curl: try 'curl --help' or 'curl --manual' for more information", 2)
    status = 0
    w = Writer(proc)
    for url in targets:
        content = _fetch(url)
        dest = out
        if remote_name and dest is None:
            dest = posixpath.basename(url.split("?", 1)[0].rstrip("/")) or "index.html"
        if (content is None or isinstance(content, Dir)) and permissive.active():
            _placeholder(proc, w, url, dest or "-")
            continue
        if content is None or isinstance(content, Dir):
            if not silent or show_error:
                proc.stderr.write(f"curl: (6) Could not resolve host: {urls.host(url)}\n")
            proc.stderr.write(HINT)
            status = 6
            continue
        body = _body(content)
        if dest is None or dest == "-":
            if isinstance(body, Blob):
                raise ToolError(
                    f"curl: {url}: size-only content ({body.size} bytes) cannot be "
                    "written to a terminal or pipe in emu; use -o FILE",
                    23,
                )
            proc.out(body)
        else:
            w.file(dest, body)
            size = body.size if isinstance(body, Blob) else len(body)
            modelled(proc, f"download {url} -> {dest} ({size} bytes, from --add-url)")
    return status


# --- wget ------------------------------------------------------------------------------------


def _busybox_wget(proc: Proc) -> bool:
    found = which(proc, proc.argv[0]) if "/" not in proc.argv[0] else proc.argv[0]
    if found is None:
        return False
    target = link_target(proc, found)
    return target is not None and target.endswith("busybox")


WGET = Syntax(
    (
        "-O|--output-document= -P|--directory-prefix= -q|--no-verbose|--quiet -T|--timeout= "
        "-t|--tries= -U|--user-agent= --header= -Y="
    ),
    short=True,
)


@tool("wget", note="modelled: offline, fetches only URLs mapped with --add-url")
@parses(WGET)
def wget(proc: Proc, o: Opts) -> int:
    out = o.get("--output-document")
    prefix = o.get("--directory-prefix")
    quiet = "--quiet" in o
    targets = o.args
    if not targets:
        raise ToolError("wget: missing URL\nUsage: wget [OPTION]... [URL]...", 1)
    busybox = _busybox_wget(proc)
    w = Writer(proc)
    for url in targets:
        content = _fetch(url)
        if (content is None or isinstance(content, Dir)) and permissive.active():
            dest = out or posixpath.basename(url.split("?", 1)[0].rstrip("/")) or "index.html"
            if prefix and not out:
                dest = posixpath.join(prefix, dest)
            _placeholder(proc, w, url, dest)
            continue
        if content is None or isinstance(content, Dir):
            host = urls.host(url)
            if busybox:
                proc.stderr.write(f"wget: bad address '{host}'\n")
                code = 1
            else:
                if not quiet:
                    proc.stderr.write(
                        f"--1970-01-01 00:00:00--  {url}\nResolving {host} ({host})... failed: "
                        "Temporary failure in name resolution.\n"
                    )
                proc.stderr.write(f"wget: unable to resolve host address '{host}'\n")
                code = 4
            proc.stderr.write(HINT)
            raise ToolError("", code)
        body = _body(content)
        dest = out or posixpath.basename(url.split("?", 1)[0].rstrip("/")) or "index.html"
        if prefix and not out:
            dest = posixpath.join(prefix, dest)
        if dest == "-":
            if isinstance(body, Blob):
                raise ToolError(
                    f"wget: {url}: size-only content cannot be written to stdout in emu", 1
                )
            proc.out(body)
            continue
        w.file(dest, body)
        if not quiet:
            proc.stderr.write(f"saving to '{dest}'\n")
        size = body.size if isinstance(body, Blob) else len(body)
        modelled(proc, f"download {url} -> {dest} ({size} bytes, from --add-url)")
    return 0


# --- git --------------------------------------------------------------------------------------


def _repo_name(url: str) -> str:
    base = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return base[:-4] if base.endswith(".git") else base


GIT_VERSION = "git version 2.39.5"
GIT = Syntax("-C= -c=", stop=True)
CLONE = Syntax("-b|--branch= -o|--origin= -j|--jobs= --depth= --filter=", short=True)


@tool("git", note="modelled: offline; clone works only for URLs mapped with --add-url")
@parses(GIT, version=GIT_VERSION)
def git(proc: Proc, o: Opts) -> int:
    for d in o.all("-C"):
        proc = in_dir(proc, d)
    cmd, rest = (o.args[0], o.args[1:]) if o.args else ("", [])
    if cmd == "version":
        proc.out(GIT_VERSION + "\n")
        return 0
    if cmd in ("", "help") or "--help" in o:
        proc.out(
            "usage: git [--version] [--help] [-C <path>] [-c <name>=<value>]\n"
            "           <command> [<args>]\n"
        )
        return 0 if cmd or "--help" in o else 1
    if cmd == "clone":
        return _clone(proc, rest)
    if cmd == "config":
        return _config(proc, rest)
    if cmd == "init":
        target = next((a for a in rest if not a.startswith("-")), ".")
        w = Writer(proc)
        _write_git_dir(w, posixpath.join(proc.path(target), ".git"))
        proc.out(f"Initialized empty Git repository in {proc.path(target)}/.git/\n")
        return 0
    if cmd in ("fetch", "pull", "push", "ls-remote", "submodule"):
        if permissive.active():
            proc.stderr.write(f"emu: warning: no network: git {cmd} did nothing (--permissive)\n")
            return 0
        raise ToolError("fatal: unable to access the remote: Could not resolve host\n" + HINT, 128)
    if cmd in (
        "rev-parse",
        "log",
        "status",
        "describe",
        "checkout",
        "show",
        "diff",
        "add",
        "commit",
        "tag",
        "branch",
        "reset",
    ):
        if _git_dir(proc) is None:
            raise ToolError(
                "fatal: not a git repository (or any of the parent directories): .git", 128
            )
        if cmd == "rev-parse":
            if "--short" in rest:
                proc.out("0000000\n")
            elif "--abbrev-ref" in rest:
                proc.out("main\n")
            else:
                proc.out("0" * 40 + "\n")
        elif cmd == "describe":
            proc.out("v0.0.0\n")
        modelled(proc, f"git {cmd} (no history is modelled)")
        return 0
    raise ToolError(f"git: '{cmd}' is not a git command modelled by emu. See 'git --help'.", 1)


def _git_dir(proc: Proc) -> str | None:
    d = proc.cwd
    while True:
        if is_dir(proc, posixpath.join(d, ".git")):
            return d
        if d == "/":
            return None
        d = posixpath.dirname(d)


def _write_git_dir(w: Writer, gd: str, url: str | None = None) -> None:
    w.file(f"{gd}/HEAD", "ref: refs/heads/main\n")
    cfg = "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n"
    if url:
        cfg += f'[remote "origin"]\n\turl = {url}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n'
    w.file(f"{gd}/config", cfg)
    w.file(
        f"{gd}/description",
        "Unnamed repository; edit this file 'description' to name the repository.\n",
    )
    w.dir(f"{gd}/refs/heads")
    w.dir(f"{gd}/refs/tags")
    w.dir(f"{gd}/objects/info")


def _clone(proc: Proc, args: list[str]) -> int:
    o = CLONE.parse(args)
    pos, depth_one = o.args, "--depth" in o
    if not pos:
        raise ToolError("fatal: You must specify a repository to clone.", 129)
    url = pos[0]
    dest = pos[1] if len(pos) > 1 else _repo_name(url)
    target = proc.path(dest)
    node = proc.fs.lookup(target)
    if node is not None and not (isinstance(node, Dir) and not node.entries):
        raise ToolError(
            f"fatal: destination path '{dest}' already exists and is not an empty directory.", 128
        )
    proc.stderr.write(f"Cloning into '{dest}'...\n")
    content = _fetch(url) if "://" in url else urls.get(url)
    if content is None and permissive.active():
        # --permissive: the clone's folder, with a placeholder file and an empty .git
        w = Writer(proc)
        w.dir(target)
        _write_git_dir(w, posixpath.join(target, ".git"), url)
        _placeholder(proc, w, url, posixpath.join(target, PLACEHOLDER), "clone")
        return 0
    if content is None or not isinstance(content, Dir):
        if content is not None:
            msg = f"fatal: repository '{url}' does not exist (it is mapped to a file, not a tree)"
        elif "://" in url or "@" in url:
            host = urls.host(url.replace(":", "/", 1) if "://" not in url else url)
            msg = f"fatal: unable to access '{url}/': Could not resolve host: {host}"
        else:
            msg = f"fatal: repository '{url}' does not exist"
        raise ToolError(msg + "\n" + HINT, 128)
    w = Writer(proc)
    w.put_tree(target, content)
    _write_git_dir(w, posixpath.join(target, ".git"), url)
    files, _ = tree_bytes(content)
    modelled(
        proc,
        f"git clone {url} ({files} files from --add-url"
        f"{', shallow' if depth_one else ''}; history not modelled)",
    )
    return 0


CONFIG = Syntax("-f|--file= --blob= --type= --default=")


def _config(proc: Proc, args: list[str]) -> int:
    o = CONFIG.parse(args)
    scope_global = "--global" in o or "--system" in o
    rest = o.args
    if len(rest) < 2:
        return 1  # a read of an unset key
    key, value = rest[0], " ".join(rest[1:])
    path = (
        posixpath.join(home(proc), ".gitconfig")
        if scope_global
        else posixpath.join(_git_dir(proc) or proc.cwd, ".git", "config")
    )
    if not scope_global and _git_dir(proc) is None:
        raise ToolError("fatal: not in a git directory", 128)
    section, _, name = key.rpartition(".")
    old = read_text(proc, path) or ""
    Writer(proc).file(path, old + f"[{section}]\n\t{name} = {value}\n")
    return 0
