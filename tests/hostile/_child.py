"""What the hostile-input harness runs in each subprocess (``python _child.py MODE ...``).

Modes:

* ``cli ARG...``: the ``emu`` command line, exactly as ``python -m emu ARG...`` runs it;
* ``api CODE``: Python code run with ``emu`` imported; an :class:`emu.errors.EmuError` it
  raises is printed as the CLI prints errors and ends the process with the error's status.

Before either runs, an audit hook watches every write-like operation (``open`` for writing,
``mkdir``, ``rename``/``replace``, ``remove``, ``rmdir``, ``symlink``, ``link``, ``chmod``,
``chown``, ``truncate``, ``utime``, ``mknod``) and records on the file named by
``$EMU_HOSTILE_WRITES`` any whose path is outside ``$EMU_HOSTILE_ROOT`` (the case's private
temporary folder). The record is written at once with ``os.write`` (which is not audited), so
it survives a process killed by the harness's wall-clock guard.
"""

from __future__ import annotations

import os
import sys

_ALLOWED_DEVICES = ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_PATH_EVENTS = {
    "os.mkdir": 1,
    "os.rename": 2,
    "os.remove": 1,
    "os.rmdir": 1,
    "os.symlink": 2,
    "os.link": 2,
    "os.chmod": 1,
    "os.chown": 1,
    "os.truncate": 1,
    "os.utime": 1,
    "os.mknod": 1,
    "shutil.rmtree": 1,
}


def _install() -> None:
    root = os.environ.get("EMU_HOSTILE_ROOT")
    record = os.environ.get("EMU_HOSTILE_WRITES")
    if not root or not record:
        return
    root = os.path.realpath(root)
    fd = os.open(record, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def outside(path: object) -> bool:
        if isinstance(path, int):
            return False  # an open file descriptor: its opening was checked
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str | os.PathLike):
            return False
        text = os.path.abspath(os.fspath(path))
        if text in _ALLOWED_DEVICES or text.startswith("/proc/self/"):
            return False
        return not (text == root or text.startswith(root + os.sep))

    def hook(event: str, args: tuple[object, ...]) -> None:
        paths: tuple[object, ...] = ()
        if event == "open":
            path, mode, flags = ((*args, None, None, None))[:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writing:
                paths = (path,)
        elif event in _PATH_EVENTS:
            paths = args[: _PATH_EVENTS[event]]
        for path in paths:
            if outside(path):
                os.write(fd, f"{event} {path!r}\n".encode("utf-8", "backslashreplace"))

    sys.addaudithook(hook)


def main() -> int:
    _install()
    mode, rest = sys.argv[1], sys.argv[2:]
    if mode == "cli":
        from emu.cli import main as emu_main

        return emu_main(rest)
    if mode == "api":
        import emu
        from emu.errors import EmuError

        try:
            exec(rest[0], {"emu": emu, "__name__": "__hostile__"})
        except EmuError as exc:
            from emu.cli._console import report_error

            report_error(exc, exc.source)
            return exc.exit_code
        return 0
    raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    raise SystemExit(main())
