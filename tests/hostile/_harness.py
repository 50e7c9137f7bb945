"""Running one hostile input: a subprocess under limits, and what its outcome must look like.

Each :class:`Case` runs in a fresh process (``_child.py``: the ``emu`` command line or an
``emu`` API call) with

* a 1 GiB address-space limit (``RLIMIT_AS``, set in ``preexec_fn``) and the case's
  wall-clock limit (the whole process group is killed when it passes);
* a private temporary folder ``T`` holding ``in/`` (the inputs, also the working
  directory), ``out/`` (where a case may ask emu to write), ``home/`` (``HOME``,
  ``EMU_HOME`` and the ``XDG_*`` folders) and ``tmp/`` (``TMPDIR``).

and its outcome must satisfy :func:`check`:

* it ended within its limit, with the expected exit status;
* no ``Traceback`` in stdout or stderr, and no escape character (``\\x1b``) in them either:
  names and texts taken from the input are escaped, and rich prints no colour to a pipe;
* when the status is not 0 (and the case does not expect a report on stdout instead, as
  ``emu test`` prints one), stderr ends with emu's error block: exactly one *error line*
  ``LOCATION: error: MESSAGE`` (``LOCATION`` is ``FILE:LINE:COL``, ``FILE`` or ``emu``), then
  only *code-frame lines* (``> 12 | text``, ``  11 | text``, ``     | ^``) and at most one
  final *hint line* (``hint: …``). The message is not empty, holds no control character and
  is at most :data:`MAX_LINE` characters; the expected fragment (a regex) is searched in the
  error line and the hint. Lines before the block (build progress) are allowed;
* nothing was written outside ``T`` (an audit hook in the child records any attempt), and
  nothing in ``in/`` changed unless the case names it in ``changes``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CHILD = Path(__file__).with_name("_child.py")
REPO = Path(__file__).resolve().parents[2]
GIB = 1 << 30
MEMORY = 1 * GIB  # RLIMIT_AS of every case
MAX_LINE = 1000  # the error line's length limit, in characters

ERROR_LINE = re.compile(r"^(?P<loc>\S[^\n]*?): error: (?P<msg>\S.*)$")
FRAME_LINE = re.compile(r"^[> ] *\d+ \| |^ +\| *\^$")
HINT_LINE = re.compile(r"^hint: \S")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

Maker = Callable[[Path], None]


@dataclass(frozen=True, slots=True)
class Case:
    """One hostile input and the outcome it must have.

    ``argv`` is an ``emu`` command line, or ``api`` is Python code run with ``emu``
    imported (exactly one of them). In both, ``{in}`` and ``{out}`` stand for the
    case's input and output folders. ``message`` is a regex searched in the error line
    and hint (``where="error"``), in stdout, stderr, or a file under ``out/``
    (``where="out/NAME"``). ``xfail`` marks an input whose fix is pending elsewhere.
    """

    id: str
    make: Maker
    argv: tuple[str, ...] = ()
    api: str = ""
    status: int | tuple[int, ...] = 1
    message: str = ""
    where: str = "error"
    limit: float = 20.0
    slow: bool = False
    xfail: str = ""
    issue: int = 13
    area: str = ""
    changes: tuple[str, ...] = ()  # paths under in/ the case may change
    check: Callable[[Outcome, Path], None] | None = None
    # Runs while the process runs (emu run); ``T/port`` holds ``{port}`` and ``T/pid`` the
    # process's id (also its process group's).
    client: Callable[[Path], None] | None = None

    def command(self, root: Path, port: int = 0) -> list[str]:
        def fill(s: str) -> str:
            s = s.replace("{in}", str(root / "in")).replace("{out}", str(root / "out"))
            return s.replace("{port}", str(port))

        if self.api:
            return [sys.executable, str(CHILD), "api", fill(self.api)]
        return [sys.executable, str(CHILD), "cli", *(fill(a) for a in self.argv)]


@dataclass(slots=True)
class Outcome:
    status: int | None  # None: killed at the time limit
    seconds: float
    max_rss: int  # bytes, of the case's own process
    stdout: str
    stderr: str
    writes: list[str] = field(default_factory=list)  # write attempts outside the folder
    changed: list[str] = field(default_factory=list)  # paths of in/ that changed

    @property
    def timed_out(self) -> bool:
        return self.status is None

    def summary(self) -> str:
        """One line for tables: how it ended, how long, how much memory, what it said."""
        end = "killed at the time limit" if self.timed_out else f"exit {self.status}"
        said = first_error(self.stderr) or _last_line(self.stderr) or _last_line(self.stdout)
        if "Traceback" in self.stderr:
            said = "Traceback: " + _last_line(self.stderr)
        return f"{end}, {self.seconds:.1f} s, {self.max_rss >> 20} MB: {said[:160]}"


def _last_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[-1].strip() if lines else ""


def first_error(stderr: str) -> str:
    for line in stderr.splitlines():
        if ERROR_LINE.match(line):
            return line
    return ""


def _limits() -> None:  # pragma: no cover - runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _snapshot(folder: Path) -> dict[str, str]:
    """What each path under ``folder`` is: type, mode, size, and a hash of file content."""
    out: dict[str, str] = {}
    stack = [folder]
    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for e in entries:
            rel = os.path.relpath(e.path, folder)
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:  # deeper than PATH_MAX: not compared
                continue
            desc = f"{st.st_mode:o} {st.st_size} {st.st_ino}"
            if e.is_symlink():
                desc += " -> " + os.readlink(e.path)
            elif e.is_dir(follow_symlinks=False):
                stack.append(Path(e.path))
            elif e.is_file(follow_symlinks=False) and st.st_size <= 64 << 20:
                with open(e.path, "rb") as f:
                    desc += " " + hashlib.sha256(f.read()).hexdigest()[:16]
            out[rel] = desc
    return out


def prepare(case: Case, root: Path) -> None:
    for name in ("in", "out", "home", "tmp"):
        (root / name).mkdir(parents=True, exist_ok=True)
    case.make(root / "in")


def environment(root: Path) -> dict[str, str]:
    home = root / "home"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "EMU_HOME": str(home / "emu"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "TMPDIR": str(root / "tmp"),
        "LANG": "C.UTF-8",
        "TERM": "dumb",
        "COLUMNS": "200",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": str(REPO),
        "EMU_HOSTILE_ROOT": str(root),
        "EMU_HOSTILE_WRITES": str(root / "writes.log"),
    }
    return env


def run(case: Case, root: Path) -> Outcome:
    """Prepare the inputs under ``root``, run the case, and collect its outcome."""
    prepare(case, root)
    before = _snapshot(root / "in")
    out_path, err_path = root / "stdout", root / "stderr"
    port = _free_port()
    (root / "port").write_text(str(port))
    started = time.monotonic()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(
            case.command(root, port),
            cwd=root / "in",
            env=environment(root),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            preexec_fn=_limits,
            start_new_session=True,
        )
    (root / "pid").write_text(str(proc.pid))
    status: int | None = None
    rss = 0
    try:
        if case.client is not None:
            case.client(root)
        deadline = started + case.limit
        while True:
            pid, wait_status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                status = os.waitstatus_to_exitcode(wait_status)
                rss = usage.ru_maxrss * 1024
                proc.returncode = status
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
    finally:
        seconds = time.monotonic() - started
        # The whole process group: grading workers, an `emu run -d` daemon that setsid()
        # left behind is found by its recorded pid below.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        if status is None:
            _, wait_status, usage = os.wait4(proc.pid, 0)
            rss = usage.ru_maxrss * 1024
            proc.returncode = -9
        _kill_daemons(root)
    writes_log = root / "writes.log"
    writes = writes_log.read_text().splitlines() if writes_log.exists() else []
    after = _snapshot(root / "in")
    changed = sorted(
        p
        for p in set(before) | set(after)
        if before.get(p) != after.get(p) and not any(p.startswith(c) for c in case.changes)
    )
    return Outcome(
        status=status,
        seconds=seconds,
        max_rss=rss,
        stdout=out_path.read_text("utf-8", "replace"),
        stderr=err_path.read_text("utf-8", "replace"),
        writes=writes,
        changed=changed,
    )


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def remove_tree(root: Path) -> None:
    """Delete ``root`` however deep it is: through directory descriptors (its paths may be
    longer than PATH_MAX) and without recursion (shutil.rmtree recurses once per level)."""
    if not os.path.lexists(root):
        return
    if os.path.islink(root) or not os.path.isdir(root):
        os.unlink(root)
        return
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    stack: list[tuple[int, str]] = [(os.open(root, flags), "")]
    while stack:
        fd, _ = stack[-1]
        child = None
        with os.scandir(fd) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    child = entry.name
                    break
                os.unlink(entry.name, dir_fd=fd)
        if child is not None:
            stack.append((os.open(child, flags, dir_fd=fd), child))
            continue
        os.close(fd)
        _, name = stack.pop()
        if stack:
            os.rmdir(name, dir_fd=stack[-1][0])
        else:
            os.rmdir(root)


def _kill_daemons(root: Path) -> None:
    """An ``emu run -d`` daemon left its own session: stop it by the pid its record names."""
    import json

    folder = root / "home" / "emu" / "containers"
    if not folder.is_dir():
        return
    for record in folder.glob("*.json"):
        try:
            pid = int(json.loads(record.read_text()).get("pid") or 0)
        except (ValueError, OSError):
            continue
        if pid > 1:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


def error_block(stderr: str) -> tuple[str, list[str]]:
    """The error line and the lines after it; asserts the block's shape."""
    lines = stderr.rstrip("\n").split("\n")
    found = [i for i, line in enumerate(lines) if ERROR_LINE.match(line)]
    assert len(found) == 1, f"expected exactly one error line in stderr, found {len(found)}"
    first = found[0]
    rest = lines[first + 1 :]
    for n, line in enumerate(rest):
        is_hint = HINT_LINE.match(line) is not None
        assert is_hint or FRAME_LINE.match(line), f"not a code-frame or hint line: {line!r}"
        assert not is_hint or n == len(rest) - 1, "the hint line must be the last"
    return lines[first], rest


def check(case: Case, outcome: Outcome, root: Path) -> None:
    """Every rule of the module docstring; the first broken one fails with a message."""
    what = outcome.summary()
    assert not outcome.timed_out, f"did not end within {case.limit:g} s ({what})"
    assert "Traceback" not in outcome.stdout + outcome.stderr, f"a traceback ({what})"
    statuses = case.status if isinstance(case.status, tuple) else (case.status,)
    assert outcome.status in statuses, f"exit status {outcome.status}, not {statuses}: {what}"
    assert "\x1b" not in outcome.stdout + outcome.stderr, "a raw escape character was printed"
    assert not outcome.writes, f"wrote outside its folder: {outcome.writes[:3]}"
    assert not outcome.changed, f"changed its inputs: {outcome.changed[:5]}"
    said = ""
    if outcome.status != 0 and case.where == "error":
        line, rest = error_block(outcome.stderr)
        m = ERROR_LINE.match(line)
        assert m is not None
        assert len(line) <= MAX_LINE, f"the error line has {len(line)} characters"
        assert not _CONTROL.search(line), f"a control character in the error line: {line!r}"
        said = "\n".join([line, *(r for r in rest if HINT_LINE.match(r))])
    if case.where == "stdout":
        said = outcome.stdout
    elif case.where == "stderr":
        said = outcome.stderr
    elif case.where.startswith("out/"):
        target = root / case.where
        assert target.is_file(), f"{case.where} was not written"
        said = target.read_text("utf-8", "replace")
    if case.message and (said or (outcome.status == 0 and case.where != "error")):
        assert re.search(case.message, said), f"{case.message!r} not in: {said[:400]!r}"
    if case.check is not None:
        case.check(outcome, root)


def variants(base: Case, changes: Sequence[dict[str, object]]) -> list[Case]:
    """``base`` with each set of fields replaced (ids must differ)."""
    return [dataclasses.replace(base, **c) for c in changes]  # type: ignore[arg-type]
