"""What nginx would serve from an image: its config, read from the image, and the answer to a
request, computed from the image's in-memory files (nothing is written to the host).

Enough of nginx for static sites: ``include`` (with globs), ``server`` blocks and their
``listen`` ports, ``location`` (``=``, ``^~``, prefix, ``~``/``~*`` regex), ``root``,
``alias``, ``index``, ``try_files`` and ``return``. Everything else in the config is read
and ignored.
"""

from __future__ import annotations

import fnmatch
import mimetypes
import posixpath
import re
from urllib.parse import quote, unquote, urlsplit

from emu.errors import UsageError
from emu.fs import FS, Blob, Dir, File, Lazy, accounts
from emu.fs.names import printable
from emu.records import field, record

DEFAULT_CONF = "/etc/nginx/nginx.conf"
PREFIX = "/etc/nginx"  # the nginx images' --prefix (relative paths are resolved against it)


@record(slots=True)
class Directive:
    name: str
    args: list[str]
    block: list[Directive] | None = None
    file: str = ""
    line: int = 0


def _tokens(text: str) -> list[tuple[str, int, bool]]:
    """(token, line, quoted) for nginx's config syntax."""
    out: list[tuple[str, int, bool]] = []
    i, line, n = 0, 1, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif c == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif c in "{};":
            out.append((c, line, False))
            i += 1
        elif c in "\"'":
            j, buf = i + 1, []
            while j < n and text[j] != c:
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                if text[j] == "\n":
                    line += 1
                buf.append(text[j])
                j += 1
            out.append(("".join(buf), line, True))
            i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in "{};":
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                j += 1
            out.append((text[i:j], line, False))
            i = j
    return out


def parse(text: str, file: str = "nginx.conf") -> list[Directive]:
    """The directives of a config, blocks nested as written (with an explicit stack: a config
    3,000 blocks deep is data, as it is to nginx, not Python's stack)."""
    toks = _tokens(text)
    top: list[Directive] = []
    stack: list[list[Directive]] = [top]  # the open blocks, innermost last
    words: list[str] = []
    start = 0
    for tok, line, quoted in toks:
        if quoted or tok not in "{};":
            if not words:
                start = line
            words.append(tok)
        elif tok == ";":
            if words:
                stack[-1].append(Directive(words[0], words[1:], None, file, start))
            words = []
        elif tok == "{":
            if not words:
                raise UsageError(f'{file}:{line}: unexpected "{{" in the nginx config')
            block: list[Directive] = []
            stack[-1].append(Directive(words[0], words[1:], block, file, start))
            stack.append(block)
            words = []
        else:  # "}"
            if len(stack) == 1:
                raise UsageError(f'{file}:{line}: unexpected "}}" in the nginx config')
            stack.pop()
    if len(stack) > 1:
        raise UsageError(f'{file}: unexpected end of file, expecting "}}"')
    return top


def _read(fs: FS, path: str) -> str:
    node = fs.lookup(path)
    if not isinstance(node, File):
        raise UsageError(f"the image has no nginx config at {path}")
    data = node.data
    if data is None:
        raise UsageError(f"{path} is modelled content: emu cannot read nginx's config from it")
    return data.decode("utf-8", "replace")


def _expand_includes(fs: FS, items: list[Directive]) -> list[Directive]:
    """``items`` with every ``include`` replaced by the directives of the files it names,
    at any block depth (iteratively; includes may nest 10 deep, as in nginx practice)."""
    out: list[Directive] = []
    # Each frame: the directives left to copy, where they go, and the include depth.
    todo: list[tuple[list[Directive], list[Directive], int]] = [(list(reversed(items)), out, 0)]
    while todo:
        pending, into, depth = todo[-1]
        if not pending:
            todo.pop()
            continue
        d = pending.pop()
        if d.name == "include" and d.args:
            if depth >= 10:
                raise UsageError("nginx config: includes nested too deeply")
            pattern = d.args[0]
            if not pattern.startswith("/"):
                pattern = posixpath.join(PREFIX, pattern)
            directory, base = posixpath.split(pattern)
            node = fs.lookup(directory)
            names = sorted(node.entries) if isinstance(node, Dir) else []
            included: list[Directive] = []
            for name in names:
                if fnmatch.fnmatchcase(name, base):
                    path = posixpath.join(directory, name)
                    node = fs.lookup(path)
                    # A modelled include (mime.types is size-only in the catalog) adds nothing
                    # emu needs: content types come from Python's mimetypes instead.
                    if isinstance(node, File) and node.data is not None:
                        included.extend(parse(_read(fs, path), path))
            todo.append((list(reversed(included)), into, depth + 1))
            continue
        if d.block is not None:
            block: list[Directive] = []
            into.append(Directive(d.name, d.args, block, d.file, d.line))
            todo.append((list(reversed(d.block)), block, depth))
            continue
        into.append(d)
    return out


def _check_returns(items: list[Directive]) -> None:
    """nginx refuses a ``return`` code above 999 when it reads the config; so does emu
    (an out-of-range status would otherwise be sent as it is)."""
    stack = [items]
    while stack:
        for d in stack.pop():
            if d.block is not None:
                stack.append(d.block)
            elif d.name == "return" and d.args and (d.args[0].isascii() and d.args[0].isdigit()):
                code = d.args[0]
                if len(code) > 3:  # (also spares int() a number thousands of digits long)
                    raise UsageError(
                        f'invalid return code "{printable(code, 20)}" in {d.file}:{d.line}',
                        hint="nginx's return codes are 0 to 999",
                    )


@record(slots=True)
class Location:
    modifier: str  # "", "=", "^~", "~", "~*"
    pattern: str
    directives: list[Directive]

    def first(self, name: str) -> Directive | None:
        return _first(self.directives, name)


def _first(directives: list[Directive], name: str) -> Directive | None:
    return next((d for d in directives if d.name == name), None)


@record(slots=True)
class Server:
    ports: list[int]
    directives: list[Directive]
    locations: list[Location] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


@record(slots=True)
class Site:
    """The servers an nginx config defines, and the http-level defaults."""

    servers: list[Server]
    http: list[Directive]
    user: str = "nginx"
    conf: str = DEFAULT_CONF
    events: list[Directive] = field(default_factory=list)

    def server_for(self, port: int) -> Server | None:
        for s in self.servers:
            if port in s.ports:
                return s
        return None

    @property
    def ports(self) -> list[int]:
        return sorted({p for s in self.servers for p in s.ports})


def _port(arg: str) -> int | None:
    text = arg.rsplit("]:", 1)[-1] if arg.startswith("[") else arg.rsplit(":", 1)[-1]
    return int(text) if (text.isascii() and text.isdigit()) else None


def load_site(fs: FS, conf: str = DEFAULT_CONF) -> Site:
    items = _expand_includes(fs, parse(_read(fs, conf), conf))
    _check_returns(items)
    user = next((d.args[0] for d in items if d.name == "user" and d.args), "nginx")
    http = next((d.block for d in items if d.name == "http" and d.block is not None), [])
    servers = []
    for d in http:
        if d.name != "server" or d.block is None:
            continue
        ports = []
        for sub in d.block:
            if sub.name == "listen" and sub.args:
                p = _port(sub.args[0])
                if p is not None and p not in ports:
                    ports.append(p)
        server = Server(ports or [80], d.block)
        for sub in d.block:
            if sub.name == "server_name":
                server.names.extend(sub.args)
            if sub.name == "location" and sub.block is not None and sub.args:
                if len(sub.args) >= 2:
                    server.locations.append(Location(sub.args[0], sub.args[1], sub.block))
                else:
                    server.locations.append(Location("", sub.args[0], sub.block))
        servers.append(server)
    events = next((d.block for d in items if d.name == "events" and d.block is not None), [])
    return Site(servers, http, user, conf, events)


# --- answering a request --------------------------------------------------------------------


@record(slots=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    path: str = ""  # the image file served, if any


_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    403: "Forbidden",
    404: "Not Found",
    405: "Not Allowed",
    500: "Internal Server Error",
}


def error_page(status: int, version: str) -> bytes:
    """nginx's built-in error page."""
    title = f"{status} {_REASONS.get(status, '')}".strip()
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1>"
        f"</center>\r\n<hr><center>nginx/{version}</center>\r\n</body>\r\n</html>\r\n"
    ).encode()


def _choose(server: Server, uri: str) -> Location | None:
    for loc in server.locations:
        if loc.modifier == "=" and loc.pattern == uri:
            return loc
    best: Location | None = None
    for loc in server.locations:
        longer = best is None or len(loc.pattern) > len(best.pattern)
        if loc.modifier in ("", "^~") and uri.startswith(loc.pattern) and longer:
            best = loc
    if best is not None and best.modifier == "^~":
        return best
    for loc in server.locations:
        if loc.modifier in ("~", "~*"):
            flags = re.IGNORECASE if loc.modifier == "~*" else 0
            try:
                if re.search(loc.pattern, uri, flags):
                    return loc
            except re.error:
                continue
    return best


class Responder:
    """Answers GET/HEAD for one server of a site, from an image's files."""

    def __init__(self, fs: FS, site: Site, server: Server, version: str = "") -> None:
        self.fs = fs
        self.site = site
        self.server = server
        self.version = version or "1.x"
        worker = accounts.user_named(fs, site.user)
        self.worker_uid = worker.uid if worker is not None else -1

    def _setting(self, loc: Location | None, name: str) -> Directive | None:
        for scope in (loc.directives if loc else [], self.server.directives, self.site.http):
            found = _first(scope, name)
            if found is not None:
                return found
        return None

    def _fs_path(self, loc: Location | None, uri: str) -> str:
        alias = loc.first("alias") if loc else None
        if alias is not None and alias.args and loc is not None:
            return posixpath.join(alias.args[0], uri[len(loc.pattern) :].lstrip("/"))
        root = self._setting(loc, "root")
        base = root.args[0] if root is not None and root.args else "html"
        if not base.startswith("/"):
            base = posixpath.join(PREFIX, base)
        return base.rstrip("/") + uri

    def document_root(self) -> str:
        """Where ``GET /`` looks: the root (or alias) of the location that serves ``/``."""
        return self._fs_path(_choose(self.server, "/"), "/").rstrip("/") or "/"

    def _readable(self, node: File | Dir) -> bool:
        mode = node.meta.mode
        if node.meta.uid == self.worker_uid:
            return bool(mode & 0o400)
        return bool(mode & 0o004)

    def _file(self, path: str, status: int = 200) -> Response:
        node = self.fs.lookup(path)
        assert isinstance(node, File)
        if not self._readable(node):
            return self._error(403)
        content = node.content
        headers = {"Content-Type": mimetypes.guess_type(path)[0] or "application/octet-stream"}
        if isinstance(content, Blob):
            body = (
                f"emu: {path} is modelled content ({content.size} bytes"
                f"{', ' + content.label if content.label else ''}): emu knows its size, "
                "not its bytes\n"
            ).encode()
            headers = {
                "Content-Type": "text/plain; charset=utf-8",
                "X-Emu-Modelled": str(content.size),
            }
            return Response(status, headers, body, path)
        data = content.read() if isinstance(content, Lazy) else content
        return Response(status, headers, data, path)

    def _error(self, status: int) -> Response:
        return Response(status, {"Content-Type": "text/html"}, error_page(status, self.version))

    def _index(self, loc: Location | None, directory: str) -> str | None:
        index = self._setting(loc, "index")
        names = index.args if index is not None and index.args else ["index.html"]
        for name in names:
            cand = posixpath.join(directory, name)
            if isinstance(self.fs.lookup(cand), File):
                return cand
        return None

    def respond(self, target: str, redirects: int = 0) -> Response:
        uri = posixpath.normpath(unquote(urlsplit(target).path) or "/")
        if target.split("?", 1)[0].endswith("/") and uri != "/":
            uri += "/"
        if not uri.startswith("/"):
            uri = "/" + uri
        loc = _choose(self.server, uri)
        ret = self._setting(loc, "return") if loc is not None else None
        if ret is not None and ret.args and (ret.args[0].isascii() and ret.args[0].isdigit()):
            code = int(ret.args[0])
            if code in (301, 302) and len(ret.args) > 1:
                location = header_value(ret.args[1])
                return Response(code, {"Location": location}, error_page(code, self.version))
            body = (" ".join(ret.args[1:]) + "\n").encode() if len(ret.args) > 1 else b""
            return Response(code, {"Content-Type": "text/plain"}, body)
        try_files = loc.first("try_files") if loc is not None else None
        if try_files is not None and len(try_files.args) >= 2:
            for cand in try_files.args[:-1]:
                cand_uri = cand.replace("$uri", uri.rstrip("/") or "/")
                path = self._fs_path(loc, cand_uri)
                node = self.fs.lookup(path)
                if cand_uri.endswith("/") and isinstance(node, Dir):
                    found = self._index(loc, path)
                    if found:
                        return self._file(found)
                elif isinstance(node, File):
                    return self._file(path)
            last = try_files.args[-1]
            if last.startswith("="):
                return self._error(
                    int(last[1:]) if (last[1:].isascii() and last[1:].isdigit()) else 404
                )
            if redirects < 5:
                return self.respond(last.replace("$uri", uri), redirects + 1)
            return self._error(500)
        path = self._fs_path(loc, uri)
        node = self.fs.lookup(path)
        if isinstance(node, Dir):
            if not uri.endswith("/"):
                location = header_value(quote(uri, safe="/%:@!$&'()*+,;=~-._") + "/")
                return Response(301, {"Location": location}, error_page(301, self.version))
            found = self._index(loc, path)
            if found is None:
                return self._error(403)
            return self._file(found)
        if isinstance(node, File):
            return self._file(path)
        return self._error(404)


def header_value(text: str) -> str:
    """A header value that stays one header: control characters (a CR LF that would start a
    header of the client's or the config's choosing) are percent-encoded, as nginx escapes
    the URIs it puts in Location."""
    return "".join(f"%{ord(c):02X}" if ord(c) < 0x20 or ord(c) == 0x7F else c for c in text)


def duration(text: str, default: float) -> float:
    """An nginx time (``60``, ``60s``, ``500ms``, ``1m``, ``1h``) in seconds."""
    units = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
    for unit in ("ms", "s", "m", "h", "d"):
        if text.endswith(unit) and (text[: -len(unit)].isascii() and text[: -len(unit)].isdigit()):
            return int(text[: -len(unit)]) * units[unit]
    return float(text) if (text.isascii() and text.isdigit()) else default


def setting(site: Site, server: Server, name: str) -> str | None:
    """The first argument of a server- or http-level directive, if set."""
    for scope in (server.directives, site.http):
        found = _first(scope, name)
        if found is not None and found.args:
            return found.args[0]
    return None


def is_nginx(argv: list[str]) -> bool:
    """Whether a container's command runs nginx (directly or through the entrypoint)."""
    return any(posixpath.basename(word) in ("nginx", "nginx-debug") for word in argv[:3])


def conf_from_argv(argv: list[str]) -> str:
    """The config nginx would read: ``-c FILE`` or the default."""
    for i, word in enumerate(argv):
        if word == "-c" and i + 1 < len(argv):
            path = argv[i + 1]
            return path if path.startswith("/") else posixpath.join(PREFIX, path)
    return DEFAULT_CONF
