"""emu in Jupyter (and JupyterLite): ``%load_ext emu``, then a cell starting with
``%%dockerfile`` is a Dockerfile, built when the cell runs::

    %%dockerfile examples/multistage-demo --target builder
    FROM alpine:3.19 AS builder
    ...

``%%dockerfile [CONTEXT] [--target STAGE] [--build-arg KEY=VALUE]... [--permissive]``: the
cell's text is the Dockerfile; CONTEXT is the build context directory (none: an empty
context). The cell's value is the :class:`~emu.engine.builder.BuildResult`, which Jupyter
draws as the summary, the stage graph and the final image's tree (:mod:`emu.teach.display`)
and keeps in ``_`` like any value. A Dockerfile that fails prints ``Dockerfile:LINE:COL:``
with the lines around it and a hint, as the command line does — never a traceback.

Pure Python and IPython only (no rich, no yaml): this module is the only one of emu that
imports IPython, and only when the extension is loaded.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from emu.errors import EmuError, UsageError, code_frame

__all__ = ["dockerfile", "load_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%%dockerfile`` with ``ipython`` (what ``%load_ext emu`` calls)."""
    ipython.register_magic_function(dockerfile, magic_kind="cell", magic_name="dockerfile")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise UsageError(message, hint="%%dockerfile [CONTEXT] [--target STAGE] "
                         "[--build-arg KEY=VALUE]... [--permissive]")  # fmt: skip


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="%%dockerfile", add_help=False)
    p.add_argument("context", nargs="?", help="the build context directory (default: none)")
    p.add_argument("--target", help="the stage to build")
    p.add_argument("--build-arg", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--permissive", action="store_true")
    return p


def dockerfile(line: str, cell: str) -> Any:
    """Build the cell's text; return the result (None, with the error printed, on failure)."""
    from emu import store
    from emu.api import build
    from emu.engine.args import parse_build_args

    text = cell if cell.endswith("\n") else cell + "\n"
    try:
        args = _parser().parse_args(shlex.split(line))
        context: Any = args.context if args.context else {}
        return build(
            context,
            text,
            target=args.target,
            # A bare KEY with no such environment variable leaves the ARG's default, as docker.
            build_args={k: v for k, v in parse_build_args(args.build_arg).items() if v is not None},
            permissive=args.permissive,
            # FROM sees the images `emu build -t` stored, as the command line does.
            resolve_image=store.resolve,
        )
    except EmuError as exc:
        print(describe_error(exc, text), file=sys.stderr)
        return None


def describe_error(exc: EmuError, source: str) -> str:
    """``FILE:LINE:COL: error: message``, the lines around it and the hint: the command
    line's form, in plain text."""
    lines = [f"{exc.location if (exc.file or exc.pos) else 'emu'}: error: {exc.message}"]
    if exc.span is not None and exc.file in (None, "Dockerfile"):
        frame = code_frame(exc.source or source, exc.span)
        if frame:
            lines.append(frame)
    if exc.hint:
        lines.append(f"hint: {exc.hint}")
    return "\n".join(lines)
