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


def _example(*lines: str) -> str:
    return "example:\n" + "\n".join(f"  {line}" for line in lines)


def _build_parser() -> argparse.ArgumentParser:
    from emu.cli._source import add_source_options

    parser = _Parser(
        prog="emu",
        description="A pure-Python emulator of `docker build` (BuildKit semantics).",
        epilog=_example(
            "emu build -t my-app examples/multistage-demo",
            "emu images my-app",
            "emu explain my-app /usr/share/nginx/html/index.html",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"emu {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help: str, *examples: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help,
            description=help[0].upper() + help[1:] + ".",
            epilog=_example(*examples),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    def fmt(p: argparse.ArgumentParser, *choices: str) -> None:
        p.add_argument(
            "--format",
            choices=choices or ("text", "json"),
            default=(choices or ("text",))[0],
            help="json prints the data for scripts",
        )

    p = command(
        "parse", "parse a Dockerfile and print its instructions", "emu parse --json Dockerfile"
    )
    p.add_argument("dockerfile", metavar="DOCKERFILE", help="path to the Dockerfile ('-' = stdin)")
    form = p.add_mutually_exclusive_group()
    form.add_argument(
        "--dump", action="store_true", help="BuildKit's parser dump format (the default)"
    )
    form.add_argument("--json", action="store_true", help="JSON with line/column spans")

    c = command(
        "check",
        "run the build checks (docker build --check); with a context, the build-aware ones "
        "and multi-stage lessons too",
        "emu check Dockerfile",
        "emu check examples/multistage-demo      # a directory: builds it and checks more",
        "emu check --context . --skip UnusedStage Dockerfile",
    )
    c.add_argument(
        "dockerfile",
        metavar="DOCKERFILE",
        help="the Dockerfile, or a context directory (its Dockerfile, build-aware checks)",
    )
    c.add_argument(
        "--skip", default="", metavar="RULES", help="comma-separated rules to skip (or 'all')"
    )
    c.add_argument("--error", action="store_true", help="same as '# check=error=true'")
    fmt(c)
    c.add_argument(
        "--context",
        metavar="DIR",
        help="the build context: build in memory and add the build-aware checks",
    )
    c.add_argument(
        "--build",
        action="store_true",
        help="build-aware checks with the Dockerfile's directory as the context",
    )
    c.add_argument("--target", help="the stage to build")
    c.add_argument(
        "--build-arg", action="append", metavar="KEY=VALUE", help="set a build-time variable"
    )
    c.add_argument(
        "--permissive",
        action="store_true",
        help="programs emu does not emulate become no-ops while building",
    )

    b = command(
        "build",
        "build an image from a Dockerfile (like docker build)",
        "emu build -t my-app examples/multistage-demo",
        "emu build --progress plain --report report.html -t my-app .",
        "emu build -o type=tar,dest=rootfs.tar .",
    )
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
        "-o",
        "--output",
        action="append",
        metavar="type=TYPE,dest=PATH",
        help="type=local|tar|oci|docker with dest=PATH",
    )
    b.add_argument(
        "--progress",
        choices=("auto", "plain", "quiet"),
        default="auto",
        help="auto: a live view on a terminal, plain lines otherwise (also with NO_COLOR "
        "honoured); quiet: only the image ID",
    )
    b.add_argument(
        "-q",
        "--quiet",
        dest="progress",
        action="store_const",
        const="quiet",
        help="same as --progress quiet: print only the image ID",
    )
    b.add_argument("--platform", help="the target platform (default linux/amd64)")
    b.add_argument(
        "--builder",
        choices=("buildkit", "legacy"),
        default="buildkit",
        help="legacy builds every stage up to the target, as the classic builder did",
    )
    b.add_argument(
        "--permissive",
        action="store_true",
        help="a program emu does not emulate becomes a warning and a no-op instead of an error",
    )
    b.add_argument(
        "--tools",
        action="append",
        metavar="FILE",
        help="YAML declaring extra program models (format in emu/sh/tools/user.py)",
    )
    b.add_argument(
        "--images",
        action="append",
        metavar="FILE",
        help="YAML declaring extra base images on catalogued ones (format in "
        "emu/images/catalog.py, register_images)",
    )
    b.add_argument(
        "--add-url",
        action="append",
        metavar="URL=FILE",
        help="serve an ADD <URL> from a local file (emu never opens the network)",
    )
    b.add_argument("--report", metavar="FILE", help="also write the HTML build report to FILE")
    fmt(b)

    ld = command(
        "load",
        "import a docker save tar or an OCI layout (FROM can use it)",
        "emu load -i app.tar -t app:1",
    )
    ld.add_argument(
        "-i", "--input", required=True, metavar="FILE", help="the archive ('-' = stdin)"
    )
    ld.add_argument("-t", "--tag", action="append", help="store it under this name:tag")

    i = command(
        "ignore",
        "show what .dockerignore sends to the build and why",
        "emu ignore examples/multistage-demo --explain",
    )
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

    image_help = "a stored image (emu images), a catalogued one (nginx:alpine), or a context dir"

    im = command(
        "images",
        "list the images in the local store (like docker images)",
        "emu images",
        "emu images my-app",
        "emu images --catalog node",
    )
    im.add_argument("repository", nargs="?", metavar="REPOSITORY[:TAG]", help="only this one")
    im.add_argument("-q", "--quiet", action="store_true", help="only the image IDs")
    im.add_argument(
        "--catalog",
        action="store_true",
        help="list emu's offline catalog instead: its image families and the tags they "
        "accept (with a family: its measured images and their sizes)",
    )
    im.add_argument("--no-notes", action="store_true", help="no size notes on stderr")
    fmt(im)

    h = command(
        "history",
        "show the layers of an image: each instruction and its size",
        "emu history my-app",
        "emu history --stage builder my-app",
    )
    h.add_argument("image", metavar="IMAGE", help=image_help)
    h.add_argument("--no-trunc", action="store_true", help="do not shorten the instructions")
    add_source_options(h)
    fmt(h)

    ins = command(
        "inspect",
        "print an image's details as JSON (like docker inspect)",
        "emu inspect my-app",
        "emu inspect --format '{{.Size}}' my-app",
    )
    ins.add_argument("image", nargs="+", metavar="IMAGE", help=image_help)
    ins.add_argument(
        "-f",
        "--format",
        dest="template",
        metavar="TEMPLATE",
        help="a Go-template subset: {{.Field.Sub}}, {{json .Field}}",
    )
    add_source_options(ins, short_file=False)  # -f is docker inspect's --format

    t = command("tag", "give an image another name (like docker tag)", "emu tag my-app my-app:v1")
    t.add_argument("source", metavar="SOURCE[:TAG]")
    t.add_argument("target", metavar="TARGET[:TAG]")

    r = command("rmi", "remove images from the local store (like docker rmi)", "emu rmi my-app")
    r.add_argument("image", nargs="+", metavar="IMAGE")
    r.add_argument("-f", "--force", action="store_true", help="even if a container uses it")

    for name, what, examples in (
        (
            "ls",
            "list a directory of an image, ls -l style (owners by name, modes, sizes)",
            ("emu ls my-app /usr/share/nginx/html", "emu ls --stage builder my-app /app"),
        ),
        (
            "tree",
            "show an image's files as a tree, marking what the Dockerfile wrote",
            ("emu tree my-app /usr/share/nginx", "emu tree -L 2 examples/multistage-demo /"),
        ),
    ):
        v = command(name, what, *examples)
        v.add_argument("image", metavar="IMAGE", help=image_help)
        v.add_argument("path", nargs="?", default="/", metavar="PATH", help="default /")
        if name == "ls":
            v.add_argument("-R", "--recursive", action="store_true", help="everything below")
        else:
            v.add_argument("-L", "--depth", type=int, metavar="N", help="at most N levels")
        add_source_options(v)
        fmt(v)

    ca = command("cat", "print a file of an image", "emu cat my-app /etc/nginx/conf.d/default.conf")
    ca.add_argument("image", metavar="IMAGE", help=image_help)
    ca.add_argument("path", metavar="PATH")
    add_source_options(ca)

    d = command(
        "diff",
        "what differs between two images, or between stages of one build",
        "emu diff nginx:alpine my-app",
        "emu diff --stages my-app builder          # what builder added to its base",
        "emu diff --stages examples/multistage-demo builder stage-1",
    )
    d.add_argument(
        "refs",
        nargs="+",
        metavar="IMAGE|STAGE",
        help="two images; with --stages a build, then one or two stages",
    )
    d.add_argument(
        "--stages",
        action="store_true",
        help="compare stages of one build (a context dir or an image built with -t)",
    )
    add_source_options(d, stage=False)
    fmt(d)

    e = command(
        "explain",
        "say where a file of an image came from, across stages, back to the Dockerfile line "
        "and the context file",
        "emu explain my-app /usr/share/nginx/html/index.html",
        "emu explain examples/multistage-demo /usr/share/nginx/html/index.html --oneline",
    )
    e.add_argument(
        "image",
        metavar="IMAGE",
        help="an image built with emu build -t, or a context dir (built now)",
    )
    e.add_argument("path", metavar="PATH")
    e.add_argument("--oneline", action="store_true", help="the whole chain on one line")
    add_source_options(e)
    fmt(e)

    rp = command(
        "report",
        "summarise a build, or write it as one self-contained HTML page",
        "emu report my-app --html report.html",
        "emu report examples/multistage-demo --format json",
    )
    rp.add_argument(
        "source",
        metavar="BUILD",
        help="an image built with emu build -t, or a context dir (built now)",
    )
    rp.add_argument("--html", metavar="FILE", help="write the HTML report to FILE")
    add_source_options(rp, stage=False)
    fmt(rp)

    ru = command(
        "run",
        "run a container: serve an nginx image on 127.0.0.1, or say what any other would execute",
        "emu run -d -p 8080:80 --name my-running-app my-app",
        "emu run -p 8080:80 my-app          # in the foreground; Ctrl-C stops it",
        "emu run golang:1.21 go version      # prints what would run; emu runs no programs",
    )
    ru.add_argument("-d", "--detach", action="store_true", help="serve in the background")
    ru.add_argument(
        "-p",
        "--publish",
        action="append",
        metavar="HOST:CONTAINER",
        help="publish a container port on 127.0.0.1 (HOST 0: any free port)",
    )
    ru.add_argument("--name", help="the container's name")
    ru.add_argument("--rm", action="store_true", help="remove the container when it stops")
    ru.add_argument("--entrypoint", help="override the image's ENTRYPOINT")
    ru.add_argument("image", metavar="IMAGE", help=image_help)
    ru.add_argument(
        "run_command", nargs=argparse.REMAINDER, metavar="COMMAND", help="override the image's CMD"
    )
    add_source_options(ru)

    ps = command("ps", "list containers (running ones; -a for all)", "emu ps", "emu ps -a")
    ps.add_argument("-a", "--all", action="store_true", help="stopped ones too")
    ps.add_argument("-q", "--quiet", action="store_true", help="only the IDs")
    ps.add_argument("--no-trunc", action="store_true", help="full IDs, and the COMMAND column")
    fmt(ps)

    st = command("stop", "stop running containers", "emu stop my-running-app")
    st.add_argument("container", nargs="+", metavar="CONTAINER")
    st.add_argument(
        "-t",
        "--time",
        type=float,
        default=10.0,
        help="seconds to wait before killing it (default 10)",
    )

    rm = command("rm", "remove containers", "emu rm my-running-app")
    rm.add_argument("container", nargs="+", metavar="CONTAINER")
    rm.add_argument("-f", "--force", action="store_true", help="stop it first if it runs")

    lg = command("logs", "print a container's access log", "emu logs my-running-app")
    lg.add_argument("container", metavar="CONTAINER")

    tl = command("tools", "list the programs RUN can execute (utilities and models)", "emu tools")
    tl.add_argument("name", nargs="*", metavar="PROGRAM", help="say whether these are emulated")

    from emu.cli._grading import add_parsers as spec_parsers  # emu test, emu grade

    spec_parsers(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("emu")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


_HANDLERS: dict[str, tuple[str, str]] = {
    "parse": ("_parse", "run"),
    "check": ("_check", "run"),
    "build": ("_build", "run"),
    "load": ("_load", "run"),
    "ignore": ("_ignore", "run"),
    "images": ("_images", "run_images"),
    "history": ("_images", "run_history"),
    "inspect": ("_images", "run_inspect"),
    "tag": ("_images", "run_tag"),
    "rmi": ("_images", "run_rmi"),
    "ls": ("_fsview", "run_ls"),
    "tree": ("_fsview", "run_tree"),
    "cat": ("_fsview", "run_cat"),
    "diff": ("_fsview", "run_diff"),
    "explain": ("_explain", "run"),
    "report": ("_report", "run"),
    "run": ("_run", "run"),
    "ps": ("_run", "run_ps"),
    "stop": ("_run", "run_stop"),
    "rm": ("_run", "run_rm"),
    "logs": ("_run", "run_logs"),
    "tools": ("_tools", "run"),
    "test": ("emu.cli._grading", "run_test"),
    "grade": ("emu.cli._grading", "run_grade"),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        handler = _HANDLERS.get(args.command or "")
        if handler is None:
            parser.print_help()
            return 2
        module, func = handler
        from importlib import import_module

        path = module if module.startswith("emu.") else f"emu.cli.{module}"
        result: int = getattr(import_module(path), func)(args)
        return result
    except EmuError as exc:
        from emu.cli._console import report_error

        report_error(exc, exc.source)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
