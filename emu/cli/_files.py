"""Reading the files a command names, with errors that say which file and why."""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

from emu.errors import UsageError


def read_text_file(
    path: str, what: str = "Dockerfile", *, nofollow: bool = False
) -> tuple[str, str]:
    """(text, display name); ``-`` reads stdin. Undecodable bytes survive as surrogates.

    ``nofollow`` refuses a symlink (the context's own Dockerfile could point anywhere).
    """
    if path == "-":
        data = sys.stdin.buffer.read()
        return data.decode("utf-8", "surrogateescape"), "<stdin>"
    from emu.engine.context import read_host_file

    p = Path(path)
    try:
        if nofollow and stat.S_ISLNK(os.lstat(p).st_mode):
            raise OSError(errno.ELOOP, "symlink")  # refused before anything is opened
        if stat.S_ISDIR(os.stat(p).st_mode):
            raise IsADirectoryError(errno.EISDIR, path)
        # A FIFO or a device would block or never end: read_host_file refuses them first.
        data = read_host_file(p, follow=not nofollow)
    except FileNotFoundError:
        raise UsageError(
            f"{what} not found: {path}", hint="check the path, or pass one with -f"
        ) from None
    except IsADirectoryError:
        raise UsageError(
            f"{path} is a directory, not a {what}", hint=f"name the file, e.g. {path}/Dockerfile"
        ) from None
    except OSError as exc:
        if nofollow and exc.errno == errno.ELOOP:
            raise UsageError(
                f"{path} is a symlink: emu does not follow the context's {what} out of it",
                hint="make it a regular file, or name the file you mean with -f",
            ) from None
        raise UsageError(f"cannot read {what} {path}: {exc.strerror}") from None
    return data.decode("utf-8", "surrogateescape"), path
