"""``emu run``, ``emu ps``, ``emu stop``, ``emu rm``, ``emu logs``: containers, honestly.

emu never runs an image's programs. For an image whose command is nginx it does what the
tutorial's step 6 needs: serve the document root the image's nginx config names, from the
image's own files, with a real HTTP server on 127.0.0.1 at the published port — in the
foreground (Ctrl-C stops it) or, with ``-d``, in a background daemon that ``emu stop``
stops. For any other image it says what the container would execute (entrypoint and
command, user, working directory, environment) and that emu does not run programs.

Containers are recorded in ``$EMU_HOME/containers/<id>.json`` (and their access logs in
``<id>.log``), so ``emu ps``, ``emu stop``, ``emu rm`` and ``emu logs`` work from any shell.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emu.cli._args import IMAGE_HELP, add_format, command
from emu.cli._console import err, out, write
from emu.cli._fmt import ago, columns, human_duration
from emu.cli._source import add_source_options
from emu.errors import EmuError, UsageError
from emu.records import field, record

if TYPE_CHECKING:
    from emu.cli._args import Subparsers


def add_parsers(sub: Subparsers) -> None:
    ru = command(
        sub,
        "run",
        "run a container: serve an nginx image on 127.0.0.1, or say what any other would execute",
        "emu run -d -p 8080:80 --name my-running-app my-app",
        "emu run -p 8080:80 my-app          # in the foreground; Ctrl-C stops it",
        "emu run golang:1.21 go version      # prints what would run; emu runs no programs",
        run=run,
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
    ru.add_argument("image", metavar="IMAGE", help=IMAGE_HELP)
    ru.add_argument(
        "run_command", nargs=argparse.REMAINDER, metavar="COMMAND", help="override the image's CMD"
    )
    add_source_options(ru)

    ps = command(
        sub, "ps", "list containers (running ones; -a for all)", "emu ps", "emu ps -a", run=run_ps
    )
    ps.add_argument("-a", "--all", action="store_true", help="stopped ones too")
    ps.add_argument("-q", "--quiet", action="store_true", help="only the IDs")
    ps.add_argument("--no-trunc", action="store_true", help="full IDs, and the COMMAND column")
    add_format(ps)

    st = command(sub, "stop", "stop running containers", "emu stop my-running-app", run=run_stop)
    st.add_argument("container", nargs="+", metavar="CONTAINER")
    st.add_argument(
        "-t",
        "--time",
        type=float,
        default=10.0,
        help="seconds to wait before killing it (default 10)",
    )

    rm = command(sub, "rm", "remove containers", "emu rm my-running-app", run=run_rm)
    rm.add_argument("container", nargs="+", metavar="CONTAINER")
    rm.add_argument("-f", "--force", action="store_true", help="stop it first if it runs")

    lg = command(
        sub, "logs", "print a container's access log", "emu logs my-running-app", run=run_logs
    )
    lg.add_argument("container", metavar="CONTAINER")


@record(slots=True)
class Port:
    host: int
    container: int
    ip: str = "127.0.0.1"

    def __str__(self) -> str:
        return f"{self.ip}:{self.host}->{self.container}/tcp"


@record(slots=True)
class Container:
    id: str
    name: str
    image: str  # as the user named it
    image_id: str
    command: list[str]
    created: float
    status: str = "created"  # created | running | exited
    pid: int = 0
    start: str = ""  # the process start time (/proc/PID/stat), against PID reuse
    finished: float = 0.0
    exit_code: int | None = None
    ports: list[Port] = field(default_factory=list)
    root: str = ""  # the document root served
    mode: str = "detached"  # or "foreground"

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def running(self) -> bool:
        return self.status == "running" and _alive(self.pid, self.start)

    def to_json(self) -> dict[str, Any]:
        from dataclasses import asdict  # (only here: emu --help loads this module)

        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Container:
        ports = [Port(**p) for p in data.pop("ports", [])]
        return cls(**data, ports=ports)


# --- state ----------------------------------------------------------------------------------


def _dir() -> Path:
    from emu.store import home

    return home() / "containers"


def _path(cid: str) -> Path:
    return _dir() / f"{cid}.json"


def log_path(cid: str) -> Path:
    return _dir() / f"{cid}.log"


def save(c: Container) -> None:
    d = _dir()
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / f".{c.id}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(c.to_json(), indent=1))
    os.replace(tmp, _path(c.id))


def containers() -> list[Container]:
    d = _dir()
    out: list[Container] = []
    if not d.is_dir():
        return out
    for path in sorted(d.glob("*.json")):
        try:
            out.append(Container.from_json(json.loads(path.read_text())))
        except (OSError, ValueError, TypeError):
            continue
    out.sort(key=lambda c: -c.created)
    return out


def find(ref: str) -> Container:
    all_ = containers()
    for c in all_:
        if c.name == ref or c.id == ref:
            return c
    matches = [c for c in all_ if c.id.startswith(ref)] if len(ref) >= 3 else []
    if len(matches) == 1:
        return matches[0]
    raise UsageError(f"No such container: {ref}", hint="list them with `emu ps -a`")


def _proc_start(pid: int) -> tuple[str, str] | None:
    """(state, start time) of a process from /proc, or None where there is no /proc."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return ("gone", "") if Path("/proc/self/stat").exists() else None
    except OSError:
        return None
    rest = text.rsplit(")", 1)[-1].split()
    return (rest[0], rest[19]) if len(rest) > 19 else None


def _alive(pid: int, start: str) -> bool:
    if pid <= 0:
        return False
    try:
        # Signal 0 only asks whether the daemon is alive.
        os.kill(pid, 0)  # sandbox-ok
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    info = _proc_start(pid)
    if info is None:
        return True
    state, started = info
    if state in ("gone", "Z", "X"):
        return False
    return not start or started == start


# --- emu run --------------------------------------------------------------------------------

_ADJECTIVES = (
    "brave",
    "calm",
    "eager",
    "gentle",
    "happy",
    "jolly",
    "keen",
    "lucid",
    "merry",
    "nimble",
    "quiet",
    "sharp",
    "tidy",
    "vivid",
    "witty",
    "zesty",
)
_NAMES = (
    "hopper",
    "lovelace",
    "turing",
    "ritchie",
    "thompson",
    "liskov",
    "hamilton",
    "knuth",
    "torvalds",
    "pike",
    "kernighan",
    "wirth",
    "dijkstra",
    "backus",
    "allen",
    "goldberg",
)


def _random_name(taken: set[str]) -> str:
    import secrets

    for _ in range(100):
        name = f"{secrets.choice(_ADJECTIVES)}_{secrets.choice(_NAMES)}"
        if name not in taken:
            return name
    return "emu_" + secrets.token_hex(4)


def parse_publish(spec: str) -> tuple[str, int, int]:
    """``[IP:][HOST:]CONTAINER[/tcp]`` -> (ip, host port (0 = any free one), container port)."""
    text = spec.removesuffix("/tcp")
    if text.endswith("/udp"):
        raise UsageError(f"invalid -p {spec!r}: emu serves HTTP, over tcp only")
    parts = text.split(":")
    ip = "127.0.0.1"
    if len(parts) == 3:
        ip = parts.pop(0)
    if not all((p.isascii() and p.isdigit()) for p in parts if p) or not parts[-1]:
        raise UsageError(f"invalid -p {spec!r}", hint="write -p HOST:CONTAINER, e.g. -p 8080:80")
    container = int(parts[-1])
    host = int(parts[0]) if len(parts) == 2 and parts[0] else 0
    if not (0 <= host < 65536 and 0 < container < 65536):
        raise UsageError(f"invalid -p {spec!r}: ports are 1-65535")
    if ip in ("", "0.0.0.0", "localhost", "::", "127.0.0.1"):
        ip = "127.0.0.1"
    else:
        raise UsageError(
            f"-p {spec}: emu serves on 127.0.0.1 only, never on {ip}",
            hint="drop the address: -p HOST:CONTAINER",
        )
    return ip, host, container


def _command(args: argparse.Namespace, config: Any) -> list[str]:
    entrypoint = list(config.entrypoint or ())
    cmd = list(config.cmd or ())
    if args.entrypoint is not None:
        entrypoint = [args.entrypoint] if args.entrypoint else []
        cmd = []
    if args.run_command:
        cmd = list(args.run_command)
    return entrypoint + cmd


def run(args: argparse.Namespace) -> int:
    from emu.cli._nginx import conf_from_argv, is_nginx
    from emu.cli._source import resolve

    source = resolve(args.image, args)
    config = source.image.config
    argv = _command(args, config)
    fs = source.image.rootfs.fs()
    if not is_nginx(argv) or not any(
        fs.lookup(p) is not None
        for p in ("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx")
    ):
        _describe(source, argv, args)
        return 0
    return _run_nginx(args, source, argv, conf_from_argv(argv))


def _describe(source: Any, argv: list[str], args: argparse.Namespace) -> None:
    """What a container of a non-nginx image would execute."""
    from rich.text import Text

    from emu.fs import FS
    from emu.fs.accounts import Names

    config = source.image.config
    console = out()
    console.print(
        Text("emu does not run programs: it builds images and shows what is in them.", style="bold")
    )
    console.print(Text(f"A container of {source.label} would execute:"))
    how = []
    if args.entrypoint is not None:
        how.append("ENTRYPOINT from --entrypoint")
    elif config.entrypoint:
        how.append(f"ENTRYPOINT {json.dumps(list(config.entrypoint))}")
    if args.run_command:
        replaced = f" replaces CMD {json.dumps(list(config.cmd))}" if config.cmd else ""
        how.append(f"the command line{replaced}")
    elif config.cmd and args.entrypoint is None:
        how.append(f"CMD {json.dumps(list(config.cmd))}")
    console.print(
        Text(f"  command  {json.dumps(argv) if argv else '(nothing: no ENTRYPOINT or CMD)'}")
    )
    if how:
        console.print(Text(f"           ({'; '.join(how)})", style="dim"))
    user = config.user or "root"
    owners = Names.of(FS(source.image.rootfs.root))
    uid_name = {v: k for k, v in owners.users.items()}
    if (user.isascii() and user.isdigit()) and int(user) in owners.users:
        user = f"{user} ({owners.users[int(user)]})"
    elif user in uid_name:
        user = f"{user} (uid {uid_name[user]})"
    console.print(Text(f"  user     {user}"))
    console.print(Text(f"  workdir  {config.working_dir or '/'}"))
    for i, item in enumerate(config.env):
        console.print(Text(f"  {'env' if i == 0 else '   '}      {item}"))
    if config.exposed_ports:
        console.print(
            Text(
                f"  exposes  {', '.join(config.exposed_ports)} (EXPOSE documents a port; "
                "it publishes nothing)"
            )
        )
    if argv:
        fs = source.image.rootfs.fs()
        program = argv[0]
        path_var = config.get_env("PATH") or ""
        found = (
            program
            if program.startswith("/")
            else next(
                (
                    f"{d}/{program}"
                    for d in path_var.split(":")
                    if d and fs.lookup(f"{d}/{program}")
                ),
                "",
            )
        )
        if not found or fs.lookup(found) is None:
            console.print(
                Text(
                    f"  note     {program} is not in the image: the container would fail to start",
                    style="yellow",
                )
            )
    if args.publish:
        err().print(
            Text(
                "note: -p ignored: nothing would listen (emu serves only nginx images)", style="dim"
            )
        )
    console.print(
        Text(
            f"Look inside instead: emu ls {args.image} /, emu tree {args.image} "
            f"{config.working_dir or '/'}, emu inspect {args.image}",
            style="dim",
        )
    )


def _run_nginx(args: argparse.Namespace, source: Any, argv: list[str], conf: str) -> int:
    import secrets

    from rich.text import Text

    from emu.cli._nginx import Responder, load_site
    from emu.cli._serve import bind, daemonize, serve

    fs = source.image.rootfs.fs()
    site = load_site(fs, conf)
    version = source.image.config.get_env("NGINX_VERSION") or ""
    if not args.publish:
        raise UsageError(
            f"nothing to serve: {source.label} runs nginx on port "
            f"{', '.join(map(str, site.ports))} but no port is published",
            hint=f"publish it as the tutorial does: emu run -d -p 8080:{site.ports[0]} "
            f"{args.image}",
        )
    ports: list[Port] = []
    for spec in args.publish:
        ip, host, cport = parse_publish(spec)
        if site.server_for(cport) is None:
            raise UsageError(
                f"-p {spec}: nginx in {source.label} listens on "
                f"{', '.join(map(str, site.ports))}, not on {cport}",
                hint=f"publish a port nginx listens on: -p {host or 8080}:{site.ports[0]}",
            )
        ports.append(Port(host, cport, ip))
    taken = {c.name for c in containers()}
    name = args.name or _random_name(taken)
    if args.name and args.name in taken:
        other = next(c for c in containers() if c.name == args.name)
        raise UsageError(
            f'Conflict. The container name "/{args.name}" is already in use by container '
            f'"{other.id}". You have to remove (or rename) that container to be able to reuse '
            "that name.",
            hint=f"emu rm -f {args.name}",
        )
    responders = {}
    roots = []
    for p in ports:
        server = site.server_for(p.container)
        assert server is not None
        responder = Responder(fs, site, server, version)
        responders[p.container] = responder
        roots.append(responder.document_root())
    cid = secrets.token_hex(32)
    container = Container(
        id=cid,
        name=name,
        image=args.image,
        image_id=source.image_id,
        command=argv,
        created=time.time(),
        root=roots[0],
        mode="detached" if args.detach else "foreground",
    )
    console = err()

    def log_line(line: str) -> None:
        console.print(Text(line, style="dim"))

    servers = bind([(p.host, p.container) for p in ports], responders, log_line)
    for p, s in zip(ports, servers, strict=True):
        p.host = s.port
    container.ports = ports

    def started(pid: int) -> None:
        container.pid = pid
        info = _proc_start(pid)
        container.start = info[1] if info else ""
        container.status = "running"
        save(container)

    def stopped() -> None:
        try:
            current = Container.from_json(json.loads(_path(cid).read_text()))
        except (OSError, ValueError, TypeError):
            return  # removed meanwhile (emu rm -f)
        current.status, current.finished, current.exit_code = "exited", time.time(), 0
        if args.rm:
            _path(cid).unlink(missing_ok=True)
            log_path(cid).unlink(missing_ok=True)
        else:
            save(current)

    if args.detach:
        _dir().mkdir(parents=True, exist_ok=True)
        daemonize(servers, str(log_path(cid).absolute()), started, stopped)
        out().print(Text(cid))
        return 0
    started(os.getpid())
    console.print(
        Text(f"nginx (emulated by emu) serves {container.root} of {source.label}", style="bold")
    )
    for p in ports:
        console.print(Text(f"  http://127.0.0.1:{p.host}/  →  container port {p.container}"))
    console.print(
        Text("Press Ctrl-C to stop (or run `emu stop " + name + "` elsewhere).", style="dim")
    )
    serve(servers, stopped)
    return 0


# --- ps, stop, rm, logs ---------------------------------------------------------------------


def _status(c: Container) -> str:
    if c.running:
        return "Up " + human_duration(time.time() - c.created)
    if c.status == "running":
        return "Exited (unknown)"
    if c.status == "exited":
        return f"Exited ({c.exit_code if c.exit_code is not None else 0}) {ago(c.finished)}"
    return "Created"


def run_ps(args: argparse.Namespace) -> int:
    from rich.text import Text

    shown = [c for c in containers() if args.all or c.running]
    if args.format == "json":
        write(json.dumps([{**c.to_json(), "State": _status(c)} for c in shown], indent=2) + "\n")
        return 0
    if args.quiet:
        for c in shown:
            out().print(Text(c.id if args.no_trunc else c.short_id))
        return 0
    # docker's columns, less COMMAND (shown with --no-trunc), so a row fits 80 columns.
    rows = []
    for c in shown:
        row = [c.id if args.no_trunc else c.short_id, c.image]
        if args.no_trunc:
            row.append(json.dumps(" ".join(c.command)))
        row += [_status(c), ", ".join(str(p) for p in c.ports) if c.running else "", c.name]
        rows.append(row)
    headers = ["CONTAINER ID", "IMAGE", "STATUS", "PORTS", "NAMES"]
    if args.no_trunc:
        headers.insert(2, "COMMAND")
    for line in columns(headers, rows, width=10_000):
        out().print(Text(line))
    return 0


def _stop(c: Container, timeout: float) -> None:
    import signal

    from emu.cli._serve import wait_gone

    if c.running:
        if c.pid == os.getpid():
            raise UsageError(f"container {c.name} is served by this very process")
        # The emu run daemon (or foreground server) that recorded this pid itself.
        os.kill(c.pid, signal.SIGTERM)  # sandbox-ok
        if not wait_gone(lambda: _alive(c.pid, c.start), timeout):
            os.kill(c.pid, signal.SIGKILL)  # sandbox-ok
            wait_gone(lambda: _alive(c.pid, c.start), 2.0)
    try:
        current = Container.from_json(json.loads(_path(c.id).read_text()))
    except (OSError, ValueError, TypeError):
        return
    if current.status != "exited":
        current.status, current.finished = "exited", time.time()
        current.exit_code = 0 if current.exit_code is None else current.exit_code
        save(current)


def run_stop(args: argparse.Namespace) -> int:
    from rich.text import Text

    status = 0
    for ref in args.container:
        try:
            _stop(find(ref), args.time)
        except EmuError as exc:
            err().print(Text(f"Error response from daemon: {exc.message}", style="red"))
            status = 1
            continue
        out().print(Text(ref))
    return status


def run_rm(args: argparse.Namespace) -> int:
    from rich.text import Text

    status = 0
    for ref in args.container:
        try:
            c = find(ref)
            if c.running:
                if not args.force:
                    raise UsageError(
                        f"cannot remove container {c.name}: container is running: stop the "
                        "container before removing or force remove"
                    )
                _stop(c, 10.0)
        except EmuError as exc:
            err().print(Text(f"Error response from daemon: {exc.message}", style="red"))
            status = 1
            continue
        _path(c.id).unlink(missing_ok=True)
        log_path(c.id).unlink(missing_ok=True)
        out().print(Text(ref))
    return status


def run_logs(args: argparse.Namespace) -> int:
    from emu.fs.names import shown

    c = find(args.container)
    try:
        text = log_path(c.id).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        text = ""
    # The access log escapes what clients send; a line that still holds a control character
    # (a log from an older emu) is escaped here, so nothing reaches the terminal raw.
    write("".join(shown(line) + "\n" for line in text.splitlines()))
    return 0
