"""Where emu opens a socket or forks: ``emu run`` of an nginx image (and the shutdown that
``emu playground --serve``, emu's other loopback server, reuses from here).

An HTTP server on 127.0.0.1 (never another address) answers from the image's in-memory
files as the image's nginx config says (:mod:`emu.cli._nginx`); nothing is written to the
host and no program of the image runs. ``emu run -d`` forks this process into a daemon
(double fork, new session) that serves until ``emu stop`` sends it SIGTERM; the sockets are
bound before forking, so a port already in use is reported by ``emu run`` itself.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer  # sandbox-ok
from typing import Any, TextIO

from emu.cli._nginx import Responder

LOOPBACK = "127.0.0.1"


class Server(HTTPServer):
    """One published port, bounded as nginx bounds what a client may hold.

    nginx waits on idle connections with an event loop; so does this: an accepted
    connection is parked in a selector (a socket, no thread) until its request starts to
    arrive, and only then handled by one of a few worker threads, which answers it and
    closes it (``Connection: close``: no keep-alive to wait on). A connection that sends
    nothing within ``client_header_timeout`` (60 s unless the config says, as in nginx) is
    closed, and past ``worker_connections`` (512) open connections a new one is closed at
    once. Hundreds of idle clients cost hundreds of sockets, not hundreds of threads.
    """

    allow_reuse_address = True
    request_queue_size = 511  # nginx's listen backlog (socketserver's 5 drops a burst)
    workers = 8

    def __init__(self, port: int, responder: Responder, log: Callable[[str], None]) -> None:
        from emu.cli._nginx import duration, setting

        self.responder = responder
        self.log = log
        site, server = responder.site, responder.server
        self.header_timeout = duration(setting(site, server, "client_header_timeout") or "", 60)
        limit = next((d.args[0] for d in site.events if d.name == "worker_connections"), "512")
        self.max_connections = (
            int(limit) if (limit.isascii() and limit.isdigit()) and len(limit) < 7 else 512
        )
        self._parked: dict[Any, float] = {}  # socket -> when it is given up on
        self._idle = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._open = 0
        self._pool: ThreadPoolExecutor | None = None
        self._closing = threading.Event()
        super().__init__((LOOPBACK, port), _Handler)

    def start(self) -> list[threading.Thread]:
        """The threads that serve (started in the process that serves: after a fork)."""
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="emu-run")
        return [
            threading.Thread(target=self.serve_forever, daemon=True),
            threading.Thread(target=self._watch, daemon=True),
        ]

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            if self._open >= self.max_connections:
                self.shutdown_request(request)  # nginx: "worker_connections are not enough"
                return
            self._open += 1
            self._parked[request] = time.monotonic() + self.header_timeout
            self._idle.register(request, selectors.EVENT_READ, client_address)

    def _close(self, request: Any) -> None:
        self.shutdown_request(request)
        with self._lock:
            self._open -= 1

    def _watch(self) -> None:
        """Hand a parked connection to a worker when its request arrives; close it when it
        waited too long."""
        while not self._closing.is_set():
            ready = self._idle.select(timeout=0.2)
            now = time.monotonic()
            with self._lock:
                for key, _ in ready:
                    self._idle.unregister(key.fileobj)
                    del self._parked[key.fileobj]
                    assert self._pool is not None
                    self._pool.submit(self._serve_one, key.fileobj, key.data)
                late = [sock for sock, until in self._parked.items() if until < now]
                for sock in late:
                    self._idle.unregister(sock)
                    del self._parked[sock]
            for sock in late:
                self._close(sock)

    def _serve_one(self, request: Any, client_address: Any) -> None:
        try:
            request.settimeout(self.header_timeout)  # the rest of the request
            self.finish_request(request, client_address)
        except Exception:
            pass
        finally:
            self._close(request)

    def server_close(self) -> None:
        self._closing.set()
        with self._lock:
            parked = list(self._parked)
            self._parked.clear()
        for sock in parked:
            with contextlib.suppress(Exception):
                self._idle.unregister(sock)
            self.shutdown_request(sock)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        super().server_close()

    @property
    def port(self) -> int:
        return int(self.server_address[1])


def _log_field(text: str) -> str:
    """A request's text as nginx's access log writes it: ``"``, ``\\`` and bytes below
    0x20 or from 0x7f as ``\\xHH`` (an escape sequence in a User-Agent must not reach a
    terminal through ``emu logs``)."""
    out = []
    for c in text:
        o = ord(c)
        out.append(f"\\x{o:02X}" if o < 0x20 or o >= 0x7F or c in '"\\' else c)
    return "".join(out)


class _Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return f"nginx/{self.server.responder.version} (emulated by emu)"

    def _answer(self, body: bool) -> None:
        from emu.cli._nginx import header_value

        response = self.server.responder.respond(self.path)
        self.send_response(response.status)
        for key, value in response.headers.items():
            self.send_header(key, header_value(value))
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Connection", "close")  # see Server: no idle keep-alive to hold
        self.end_headers()
        if body:
            self.wfile.write(response.body)
        self._access(response.status, len(response.body) if body else 0)

    def do_GET(self) -> None:
        self._answer(True)

    def do_HEAD(self) -> None:
        self._answer(False)

    def _not_allowed(self) -> None:
        from emu.cli._nginx import error_page

        body = error_page(405, self.server.responder.version)
        self.send_response(405)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self._access(405, len(body))

    do_POST = do_PUT = do_DELETE = do_PATCH = _not_allowed

    def _access(self, status: int, size: int) -> None:
        when = datetime.now(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
        agent = _log_field(self.headers.get("User-Agent", "-"))
        referer = _log_field(self.headers.get("Referer", "-"))
        line = _log_field(self.requestline)
        self.server.log(
            f'{self.client_address[0]} - - [{when}] "{line}" {status} {size} "{referer}" "{agent}"'
        )

    def log_message(self, format: str, *args: Any) -> None:
        pass  # access lines are written by _access, in nginx's format


def bind(
    ports: list[tuple[int, int]], responders: dict[int, Responder], log: Callable[[str], None]
) -> list[Server]:
    """A server per (host port, container port); host port 0 takes a free port."""
    from emu.errors import UsageError

    servers: list[Server] = []
    try:
        for host, container in ports:
            try:
                servers.append(Server(host, responders[container], log))
            except OSError as exc:
                raise UsageError(
                    f"Bind for {LOOPBACK}:{host} failed: {exc.strerror or exc}",
                    hint="the port is in use (another `emu run`? see `emu ps`); pick another "
                    "with -p OTHER:" + str(container),
                ) from None
    except BaseException:
        for s in servers:
            s.server_close()
        raise
    return servers


def serve(servers: Sequence[HTTPServer], on_stop: Callable[[], None] | None = None) -> None:
    """Serve until SIGTERM, SIGINT or Ctrl-C; then close the servers and call ``on_stop``."""
    stop = threading.Event()

    def handler(signum: int, frame: object) -> None:
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    # emu run's servers start their own threads; another server (the playground's) runs
    # serve_forever in one.
    threads = [
        t
        for s in servers
        for t in (
            s.start()
            if isinstance(s, Server)
            else [threading.Thread(target=s.serve_forever, daemon=True)]
        )
    ]
    for t in threads:
        t.start()
    try:
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()
        for signum, old in previous.items():
            signal.signal(signum, old)
        if on_stop is not None:
            on_stop()


def daemonize(
    servers: list[Server],
    log_path: str,
    started: Callable[[int], None],
    on_stop: Callable[[], None],
) -> int:
    """Fork a daemon that serves ``servers``; returns its pid once it serves.

    ``started(pid)`` runs in the daemon before it reports back (it records the container);
    ``on_stop`` runs in the daemon when it stops.
    """
    from emu.errors import UsageError

    read_end, write_end = os.pipe()
    # emu run -d: the one documented exception to "emu starts no host process".
    child = os.fork()  # sandbox-ok
    if child == 0:  # pragma: no cover - runs in the forked process
        code = 1
        try:
            os.close(read_end)
            os.setsid()
            # The second fork of the daemon: it leaves the session leader behind.
            if os.fork() > 0:  # sandbox-ok
                os._exit(0)
            from emu.store import home

            # Keep no directory busy, with the store's path made absolute first.
            os.environ["EMU_HOME"] = str(home().resolve())
            os.chdir("/")
            log = _redirect(log_path)
            for s in servers:
                s.log = _writer(log)
            started(os.getpid())
            os.write(write_end, f"ready {os.getpid()}\n".encode())
            os.close(write_end)
            serve(servers, on_stop)
            code = 0
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.write(write_end, f"error {exc}\n".encode())
        finally:
            os._exit(code)
    os.close(write_end)
    for s in servers:
        s.server_close()  # the daemon keeps its own copies of the sockets
    os.waitpid(child, 0)
    with os.fdopen(read_end, "rb") as pipe:
        answer = pipe.readline().decode("utf-8", "replace").strip()
    word, _, rest = answer.partition(" ")
    if word != "ready" or not (rest.isascii() and rest.isdigit()):
        raise UsageError(f"the emu run daemon did not start: {rest or 'no answer'}")
    return int(rest)


def _redirect(log_path: str) -> TextIO:  # pragma: no cover - runs in the daemon
    log = open(log_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    os.close(devnull)
    return log


def _writer(stream: TextIO) -> Callable[[str], None]:  # pragma: no cover - in the daemon
    lock = threading.Lock()

    def write(line: str) -> None:
        with lock:
            stream.write(line + "\n")
            stream.flush()

    return write


def wait_gone(alive: Callable[[], bool], timeout: float) -> bool:
    """Poll ``alive`` until it is false or ``timeout`` passes; True when gone."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            return True
        time.sleep(0.05)
    return not alive()
