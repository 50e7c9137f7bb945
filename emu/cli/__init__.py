"""The ``emu`` command line: docker-like subcommands over the library.

Exit status follows docker: 0 success, 1 a failed build or failed checks, 2 bad usage or
input that does not parse. Bad input never shows a traceback: every :class:`EmuError` is
printed as ``FILE:LINE:COL: message`` with the lines around it.

Each command lives in one module ``emu.cli._<name>``: its ``add_parsers(sub)`` defines its
arguments and help next to the handler it names (see :mod:`emu.cli._args`); this module
only puts them together, in the order ``emu --help`` lists them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import Any, NoReturn

from emu.errors import EmuError, UsageError

__all__ = ["main"]

# The modules that define commands, in the order of `emu --help`, with the commands each
# adds: a command line that starts with a command needs only that command's module, so the
# others are not imported (tests/cli/test_startup.py checks what each module adds).
_COMMANDS: dict[str, tuple[str, ...]] = {
    "_parse": ("parse",),
    "_check": ("check",),
    "_build": ("build",),
    "_load": ("load",),
    "_ignore": ("ignore",),
    "_images": ("images", "history", "inspect", "tag", "rmi"),
    "_fsview": ("ls", "tree", "cat", "diff"),
    "_explain": ("explain",),
    "_compare": ("compare",),
    "_report": ("report",),
    "_playground": ("playground",),
    "_run": ("run", "ps", "stop", "rm", "logs"),
    "_tools": ("tools",),
    "_grading": ("test", "grade"),
    "_completion": ("completion",),
}
_MODULE_OF = {name: module for module, names in _COMMANDS.items() for name in names}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message, hint=f"see '{self.prog} --help'")

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse makes a formatter for every add_argument (to check the metavar), and a
        # formatter given no width imports shutil for the terminal's, which imports bz2
        # and lzma: a tenth of `emu --help`. The same width, found as shutil finds it
        # (less the two columns argparse keeps free).
        return self.formatter_class(prog=self.prog, width=terminal_columns() - 2)  # type: ignore[call-arg]


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``: $COLUMNS, else standard output's terminal,
    else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80

    def _print_message(self, message: str, file: object = None) -> None:
        # Help and usage text are plain text: written as rich's Console.out would write
        # them (no markup, no wrapping, no highlighting), without importing rich, which
        # alone would double the time `emu --help` takes.
        if message:
            from emu.cli._console import err, out, write_plain

            to_err = file is sys.stderr
            if not write_plain(message, stderr=to_err):
                (err() if to_err else out()).out(message, end="", highlight=False)


class _Version(argparse.Action):
    """``--version``, looked up only when asked for: importlib.metadata would slow every
    start-up by tens of milliseconds."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help="show program's version number and exit",
        )

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        from emu.cli._console import out

        out().out(f"emu {_version()}", highlight=False)
        parser.exit()


def _build_parser(first: str | None = None) -> argparse.ArgumentParser:
    """The ``emu`` parser: with every command, or only the commands of the module that
    defines ``first`` when it is one (the first word of a command line: argparse hands all
    that follows a command to that command's parser, so no other is ever consulted)."""
    from emu.cli._args import example

    parser = _Parser(
        prog="emu",
        description="A pure-Python emulator of `docker build` (BuildKit semantics).",
        epilog=example(
            "emu build -t my-app examples/multistage-demo",
            "emu images my-app",
            "emu explain my-app /usr/share/nginx/html/index.html",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    module = _MODULE_OF.get(first or "")
    for name in (module,) if module else _COMMANDS:
        import_module(f"emu.cli.{name}").add_parsers(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("emu")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def _refuse_dashes(argv: Sequence[str]) -> None:
    """``–name`` (an en dash, as the tutorial's prose prints ``--name``) is no option: say so
    instead of letting it pass as an image or path name."""
    for word in argv:
        if len(word) < 2 or word[0].isascii() or not word[1:2].isalpha():
            continue  # the usual case, decided without importing the engine for DASHES
        from emu.engine.steps.copy import DASHES, dash_hint

        if word[0] in DASHES:
            fixed = "--" + word.lstrip(DASHES)
            raise UsageError(
                f"unknown option {word!r}: did you mean {fixed}?", hint=dash_hint(word)
            )


def _refuse_extra(
    parser: argparse.ArgumentParser, args: argparse.Namespace, extra: list[str]
) -> None:
    """An option no command knows, worded as docker's CLI words it (``unknown flag: --x``,
    ``unknown shorthand flag: 'x' in -x``); exit 2, emu's status for bad usage."""
    command = f"emu {args.command}" if getattr(args, "command", None) else "emu"
    for word in extra:
        if word.startswith("--") and len(word) > 2:
            message = f"unknown flag: {word.partition('=')[0]}"
        elif word.startswith("-") and len(word) > 1 and word != "-":
            message = f"unknown shorthand flag: {word[1]!r} in {word}"
        else:
            continue
        raise UsageError(message, hint=f"see '{command} --help'")
    parser.error(f"unrecognized arguments: {' '.join(extra)}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    words = sys.argv[1:] if argv is None else argv
    parser = _build_parser(words[0] if words else None)
    try:
        _refuse_dashes(words)
        args, extra = parser.parse_known_args(argv)
        if extra:
            _refuse_extra(parser, args, extra)
        if args.command is None:
            parser.print_help()
            return 2
        result: int = args.handler(args)
        return result
    except EmuError as exc:
        from emu.cli._console import report_error

        report_error(exc, exc.source)
        return exc.exit_code
    except MemoryError:
        # A resource limit, not a bug: emu holds images in memory, and what an input needs
        # can exceed what this process may have (ulimit -v, a container's limit).
        from emu.cli._console import report_error

        report_error(
            EmuError(
                "out of memory: the input needs more memory than this process may use",
                hint="emu holds images in memory; give it more, or make the input smaller",
            )
        )
        return 1
    except KeyboardInterrupt:
        return 130
