"""Headless Chromium driven over the DevTools protocol (a websocket), for the playground's
tests: Debian's ``chromium`` (``tests/support/install-chromium.sh``), no sandbox (so it runs
as root in a container), a throw-away profile, none of its own background traffic, and
every request that is not to the loopback sent to a proxy on a closed port — so a page that
needed the network would fail.

Also fetches the Pyodide npm package for the tests (``npm pack``, once, into a cache beside
pytest's temporary folders) unless ``EMU_PYODIDE`` names a local copy.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from emu.cli._playground import PYODIDE_VERSION

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def pyodide_package(cache: Path) -> Path | str:
    """The Pyodide npm package as a .tgz (or EMU_PYODIDE); a string says why there is none."""
    given = os.environ.get("EMU_PYODIDE")
    if given:
        return Path(given)
    tgz = cache / f"pyodide-{PYODIDE_VERSION}.tgz"
    if tgz.is_file():
        return tgz
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not installed, and EMU_PYODIDE names no Pyodide package"
    cache.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [npm, "pack", f"pyodide@{PYODIDE_VERSION}", "--pack-destination", str(cache)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0 or not tgz.is_file():
        return f"npm pack pyodide@{PYODIDE_VERSION} failed: {proc.stderr.strip()[-300:]}"
    return tgz


class Browser:
    """One headless Chromium and one page of it."""

    def __init__(self, profile: Path, width: int = 1440, height: int = 1000) -> None:
        import websocket

        assert CHROMIUM is not None
        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                "--disable-extensions",
                "--hide-scrollbars",
                f"--window-size={width},{height}",
                # Every request not to the loopback goes to a port where nothing listens.
                f"--proxy-server=127.0.0.1:{closed_port()}",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stderr is not None
        url = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                url = found.group(1)
                break
            if not line and self.proc.poll() is not None:
                break
        if not url:
            self.close()
            raise RuntimeError("chromium did not start its DevTools endpoint")
        self.browser_ws = websocket.create_connection(url, timeout=60)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self._send(self.browser_ws, "Target.createTarget", {"url": "about:blank"})
        page = url.split("/devtools/")[0] + f"/devtools/page/{target['targetId']}"
        self.ws = websocket.create_connection(page, timeout=60)
        self.send("Page.enable")
        # The window's size less its (headless) frame: the page's own size, exactly.
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        self.send("Runtime.enable")
        self.send("Network.enable")
        # Workers (the playground runs Python in one) are targets of their own: attach to
        # each as it starts, paused, to see its requests too (handled in _attach_workers).
        self.attached: list[str] = []  # in the order they started
        self.send(
            "Target.setAutoAttach",
            {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True},
        )

    def _send(
        self, ws: Any, method: str, params: dict[str, Any] | None = None, session: str = ""
    ) -> Any:
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        ws.send(json.dumps(msg))
        while True:
            msg = json.loads(ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def send(self, method: str, params: dict[str, Any] | None = None) -> Any:
        out = self._send(self.ws, method, params)
        self._attach_workers()
        return out

    def _attach_workers(self) -> None:
        for e in list(self.events):
            if e.get("method") != "Target.attachedToTarget":
                continue
            session = e["params"]["sessionId"]
            if session in self.attached:
                continue
            self.attached.append(session)
            self._send(self.ws, "Network.enable", {}, session)
            self._send(self.ws, "Runtime.runIfWaitingForDebugger", {}, session)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (awaited when it is a promise)."""
        out = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
        )
        if "exceptionDetails" in out:
            raise RuntimeError(f"{expression}: {out['exceptionDetails']}")
        return out["result"].get("value")

    def evaluate_in_worker(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page's worker (the newest one: a
        page loaded again starts another)."""
        session = self.attached[-1]
        out = self._send(
            self.ws,
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session,
        )
        if "exceptionDetails" in out:
            raise RuntimeError(f"{expression}: {out['exceptionDetails']}")
        return out["result"].get("value")

    def wait_for(self, expression: str, timeout: float) -> Any:
        """Poll until ``expression`` is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.evaluate(expression)
            except RuntimeError:
                value = None  # e.g. no document.body yet while the page loads
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout:.0f}s for {expression}")
            time.sleep(0.2)

    def goto(self, url: str) -> None:
        self.send("Page.navigate", {"url": url})

    def screenshot(self, path: Path, full_page: bool = False) -> None:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params)["data"]
        path.write_bytes(base64.b64decode(data))

    def requests(self) -> list[str]:
        """Every URL the page (and its workers, which Chromium reports with it) asked for."""
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def failed(self) -> list[dict[str, Any]]:
        return [e["params"] for e in self.events if e.get("method") == "Network.loadingFailed"]

    def close(self) -> None:
        for ws in ("ws", "browser_ws"):
            conn = getattr(self, ws, None)
            if conn is not None:
                conn.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
