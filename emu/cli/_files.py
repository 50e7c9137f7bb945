"""Reading the files a command names, with errors that say which file and why."""

from __future__ import annotations

import sys
from pathlib import Path

from emu.errors import UsageError


def read_text_file(path: str, what: str = "Dockerfile") -> tuple[str, str]:
    """(text, display name); ``-`` reads stdin. Undecodable bytes survive as surrogates."""
    if path == "-":
        data = sys.stdin.buffer.read()
        return data.decode("utf-8", "surrogateescape"), "<stdin>"
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise UsageError(
            f"{what} not found: {path}", hint="check the path, or pass one with -f"
        ) from None
    except IsADirectoryError:
        raise UsageError(
            f"{path} is a directory, not a {what}", hint=f"name the file, e.g. {path}/Dockerfile"
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror}") from None
    return data.decode("utf-8", "surrogateescape"), path
