"""The ``emu`` command line: docker-like subcommands over the library.

Exit status follows docker: 0 success, 1 a failed build or failed checks, 2 bad usage or
input that does not parse. Bad input never shows a traceback: every :class:`EmuError` is
printed as ``FILE:LINE:COL: message`` with the lines around it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from emu.errors import EmuError, UsageError

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message, hint=f"see '{self.prog} --help'")

    def _print_message(self, message: str, file: object = None) -> None:
        # Help and usage text go through rich like everything else the CLI prints.
        if message:
            from emu.cli._console import err, out

            (err() if file is sys.stderr else out()).out(message, end="", highlight=False)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="emu",
        description="A pure-Python emulator of `docker build` (BuildKit semantics).",
    )
    parser.add_argument("--version", action="version", version=f"emu {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("parse", help="parse a Dockerfile and print its instructions")
    p.add_argument("dockerfile", metavar="DOCKERFILE", help="path to the Dockerfile ('-' = stdin)")
    form = p.add_mutually_exclusive_group()
    form.add_argument(
        "--dump", action="store_true", help="BuildKit's parser dump format (the default)"
    )
    form.add_argument("--json", action="store_true", help="JSON with line/column spans")

    c = sub.add_parser("check", help="run the static build checks (docker build --check)")
    c.add_argument("dockerfile", metavar="DOCKERFILE", help="path to the Dockerfile")
    c.add_argument(
        "--skip", default="", metavar="RULES", help="comma-separated rules to skip (or 'all')"
    )
    c.add_argument("--error", action="store_true", help="same as '# check=error=true'")
    c.add_argument("--format", choices=("text", "json"), default="text")

    b = sub.add_parser("build", help="build an image from a Dockerfile (like docker build)")
    b.add_argument(
        "context", metavar="CONTEXT", help="the build context directory, or - for a tar on stdin"
    )
    b.add_argument("-f", "--file", help="the Dockerfile (default: CONTEXT/Dockerfile)")
    b.add_argument("-t", "--tag", action="append", help="name and optionally a tag (name:tag)")
    b.add_argument("--target", help="the stage to build")
    b.add_argument(
        "--build-arg", action="append", metavar="KEY=VALUE", help="set a build-time variable"
    )
    b.add_argument(
        "-o", "--output", action="append", metavar="type=TYPE,dest=PATH",
        help="type=local|tar|oci|docker with dest=PATH",
    )  # fmt: skip
    b.add_argument("--progress", choices=("auto", "plain", "quiet"), default="auto")
    b.add_argument("--platform", help="the target platform (default linux/amd64)")
    b.add_argument(
        "--builder", choices=("buildkit", "legacy"), default="buildkit",
        help="legacy builds every stage up to the target, as the classic builder did",
    )  # fmt: skip
    b.add_argument(
        "--permissive", action="store_true",
        help="a program emu does not emulate becomes a warning and a no-op instead of an error",
    )  # fmt: skip
    b.add_argument(
        "--add-url", action="append", metavar="URL=FILE",
        help="serve an ADD <URL> from a local file (emu never opens the network)",
    )  # fmt: skip

    ld = sub.add_parser("load", help="import a docker save tar or an OCI layout (FROM can use it)")
    ld.add_argument(
        "-i", "--input", required=True, metavar="FILE", help="the archive ('-' = stdin)"
    )
    ld.add_argument("-t", "--tag", action="append", help="store it under this name:tag")

    i = sub.add_parser("ignore", help="show what .dockerignore sends to the build and why")
    i.add_argument("context", metavar="CONTEXT", help="the build context directory")
    i.add_argument(
        "--explain",
        nargs="?",
        const="",
        default=None,
        metavar="PATH",
        help="say which pattern decides each path (or only PATH)",
    )
    i.add_argument(
        "-f", "--file", dest="dockerfile", help="the Dockerfile (its NAME.dockerignore wins)"
    )
    i.add_argument("--all", action="store_true", help="list excluded paths too")
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("emu")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        match args.command:
            case "parse":
                from emu.cli import _parse

                return _parse.run(args)
            case "check":
                from emu.cli import _check

                return _check.run(args)
            case "build":
                from emu.cli import _build

                return _build.run(args)
            case "load":
                from emu.cli import _load

                return _load.run(args)
            case "ignore":
                from emu.cli import _ignore

                return _ignore.run(args)
            case _:
                parser.print_help()
                return 2
    except EmuError as exc:
        from emu.cli._console import report_error

        report_error(exc, exc.source)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
