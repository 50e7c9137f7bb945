"""What ``--permissive`` changes in the shell, and the placeholders it writes.

A strict build fails where emu cannot do what the real build would: a program the image
has but emu does not emulate, a download (emu's builds have no network). Under
:func:`session` with ``permissive`` on (the build engine opens one per RUN):

- a program emu cannot emulate is skipped — that command only, with a warning on stderr
  and status 0 — and the rest of the script runs (the session lists it in ``skipped``);
  once something was skipped in the stage, a command not found is skipped the same way
  (a skipped command may have been what installs it), and so is a tool failing on a
  placeholder clone's folder, or a build tool failing where its manifest or lockfile is a
  placeholder, or a file utility failing on a path that does not exist after code emu did
  not run earlier in the same RUN (which may have made it) (all listed in ``excused``);
- a program whose code emu cannot run (``node build.js``, ``python manage.py …``) is a
  no-op in both modes, saying so; under --permissive it is also listed in ``excused``, so
  that its missing outputs count as consequences (:func:`not_run`);
- ``curl``, ``wget`` and ``git clone`` of a URL not mapped with ``--add-url`` write a
  *placeholder* where the download would have landed, warn, and go on (listed in
  ``placeholders``);
- (in the engine) ``ADD`` of such a URL does the same, and a ``COPY --from`` of a file a
  stage did not make because --permissive skipped commands there copies a placeholder.

A placeholder is a short shell script whose first line is :data:`MAGIC`, so that the
commonest next steps behave: run (``sh install.sh``, ``curl … | sh``) it prints a warning
and does nothing; ``tar``, ``unzip`` and the checksum tools recognise it (:func:`url_of`)
and warn instead of failing; ``emu explain`` marks it.

The session is process-wide, like the URL mapping of :mod:`emu.sh.tools.urls`: it holds
no state of the image, so the same build gives the same result wherever it runs.
"""

from __future__ import annotations

import re

from emu.records import field, record

MAGIC = b"#!/bin/sh\n# emu placeholder: "
CLONE_PLACEHOLDER = "EMU-PLACEHOLDER"  # the file a --permissive clone leaves in its folder


@record(slots=True)
class Session:
    """One RUN's leniency and what it forgave."""

    permissive: bool = False
    # Set when --permissive already skipped something this stage's files depend on: a
    # command then not found may be one a skipped command would have installed.
    after_skips: bool = False
    skipped: list[str] = field(default_factory=list)  # programs not emulated, skipped
    # commands skipped as consequences: (program, why) — not found after skips, or failed on
    # a placeholder's inputs
    excused: list[tuple[str, str]] = field(default_factory=list)
    placeholders: list[tuple[str, str]] = field(default_factory=list)  # (url, where)


_sessions: list[Session] = []


class session:  # (lower case: it is used as the function it was, ``with session(...)``)
    """A RUN's session (nested sessions stack; the innermost counts). A class, not a
    generator: every RUN makes one."""

    __slots__ = ("_s",)

    def __init__(self, permissive: bool, after_skips: bool = False) -> None:
        self._s = Session(permissive, after_skips and permissive)

    def __enter__(self) -> Session:
        _sessions.append(self._s)
        return self._s

    def __exit__(self, *exc: object) -> None:
        _sessions.remove(self._s)


def active() -> bool:
    """Whether the running command is under a permissive session."""
    return bool(_sessions) and _sessions[-1].permissive


def skipped(program: str) -> str:
    """Record that ``program`` was skipped; the warning the shell prints for it."""
    if _sessions:
        _sessions[-1].skipped.append(program)
    return f"emu: warning: '{program}' is not emulated: this command was skipped (--permissive)\n"


def excused(program: str) -> str | None:
    """A command not found, where --permissive had skipped commands before (which may
    have installed it): the warning, and it is skipped too; None when that is not the case
    (it fails as a shell's "not found" does)."""
    if not (_sessions and _sessions[-1].after_skips):
        return None
    why = "not found, as commands skipped before may have installed it"
    _sessions[-1].excused.append((program, why))
    return (
        f"emu: warning: '{program}' not found; --permissive skipped commands earlier that may "
        "have installed it: this command was skipped too\n"
    )


def excused_failure(program: str, folder: str, why: str = "") -> str:
    """A tool failed on inputs --permissive left as a placeholder (a clone it could not
    make), or cannot do what it was asked (``why``: it would run a program): record it as
    skipped; the warning to print."""
    why = why or (f"failed on {folder}, a placeholder for a clone that was not made (no network)")
    if _sessions:
        _sessions[-1].excused.append((program, why))
    return f"emu: warning: {program}: {why}: this command was skipped (--permissive)\n"


def not_run(program: str, why: str) -> None:
    """A program the model did not run (it would run code: a script, a build tool's task)
    succeeded as a no-op; under --permissive that is recorded as forgiven, so that what the
    run would have made and a later step needs (a ``COPY --from`` of its output) is marked
    as a consequence, not taken for a mistake in the Dockerfile."""
    if _sessions and _sessions[-1].permissive:
        _sessions[-1].excused.append((program, f"was not run ({why})"))


def not_run_before() -> str | None:
    """The program whose code was not run earlier in this RUN (under --permissive), if any:
    what it would have made may be what a later command of the RUN misses."""
    if not (_sessions and _sessions[-1].permissive):
        return None
    for program, why in _sessions[-1].excused:
        if why.startswith("was not run ("):
            return program
    return None


def placeholder(url: str, where: str, what: str = "download") -> bytes:
    """Record a placeholder for ``url`` written at ``where`` (a path, or ``-`` for stdout)
    and return its content."""
    if _sessions:
        _sessions[-1].placeholders.append((url, where))
    return content(url, what)


def warning(url: str, where: str) -> str:
    """The line a tool prints on stderr when it writes a placeholder."""
    at = "on stdout" if where == "-" else f"at {where}"
    return (
        f"emu: warning: no network: wrote a placeholder for {url} {at} (--permissive; "
        "--add-url URL=PATH gives the real content)\n"
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def content(url: str, what: str = "download", why: str = "no network") -> bytes:
    """The placeholder for ``url`` (``what``: a download, a clone, a build output...; ``why``
    it was not made)."""
    line = f"emu: warning: this file is a placeholder for {url} ({what} not made: {why})"
    return MAGIC + (
        f"{url}\n"
        f"# The {what} was not made ({why}) and this build was --permissive.\n"
        "# A download: give emu the real content with --add-url URL=PATH.\n"
        f"echo {_quote(line)} >&2\n"
    ).encode("utf-8", "surrogateescape")


def why_of(data: bytes) -> str:
    """What a placeholder stands for and why it was not made (``download not made: no
    network``), from its text."""
    m = re.search(rb"^# The (.+?) was not made \((.+?)\) and this build", data, re.M)
    if m is None:
        return "not made (--permissive)"
    what, why = (g.decode("utf-8", "surrogateescape") for g in m.groups())
    return f"{what} not made: {why}"


def url_of(data: bytes | None) -> str | None:
    """The URL a placeholder stands for, or None when ``data`` is not a placeholder."""
    if data is None or not data.startswith(MAGIC):
        return None
    end = data.find(b"\n", len(MAGIC))
    return data[len(MAGIC) : end if end >= 0 else len(data)].decode("utf-8", "surrogateescape")
