"""Everything emu reports about bad input is an :class:`EmuError`.

The whole hierarchy, in one place (``tests/test_errors.py`` checks it against the code)::

    EmuError                    any failure caused by the user's input (never a bug)
    ├── UsageError              bad command-line usage (exit status 2)
    ├── ParseError              a Dockerfile that does not parse (exit 2)
    ├── InstructionError        a parsed instruction with bad flags or arguments (exit 2)
    ├── ExpansionError          a word that cannot be expanded: ``${x:?}``, bad quoting (exit 2)
    ├── ShellError              a shell script that does not parse, or ``set -o nope`` (exit 2)
    ├── IgnoreFileError         a ``.dockerignore`` that cannot be read (exit 2)
    ├── ToolsFileError          a ``--tools`` file of tool models that cannot be used (exit 2)
    ├── ImagesFileError         an ``--images`` file of declared images that cannot be used (exit 2)
    ├── SpecError               a grading spec that cannot be used (exit 2)
    ├── FsError                 an OSError-style failure inside an image's filesystem
    ├── InvalidReferenceError   a string that is not an image reference
    ├── UnknownImageError       an image the offline catalog does not model
    │   └── RefusedImageError   one it will not stand in for, even permissive (Windows)
    ├── CatalogDataError        catalog image data that is inconsistent
    ├── ExplainError            ``emu explain`` asked about what the build does not have
    ├── SandboxViolation        something tried to leave the grading sandbox
    ├── WorkerError             grading workers cannot start
    ├── CheckFailed             ``emu check`` found violations
    └── BuildError              a build that fails (exit 1)
        ├── ContextError        the build context cannot be read
        ├── CopyError           COPY or ADD cannot copy what it was given
        ├── UnknownUserError    a user or group the image's passwd/group does not know
        ├── LimitExceeded       a run or a build stopped at one of its limits
        ├── RejectedError       a submission the grading sandbox refuses to read
        ├── ArchiveError        an image archive that cannot be read
        └── OutputError         an output that cannot be written

Every class is defined here, whatever layer raises it, so this module stays a leaf and one
``from emu.errors import ...`` reaches them all; the modules that raise them re-export them.

Each error carries a message and, where the input has one, a location: the file name and a
:class:`~emu.pos.Span` (``pos`` is its start). ``str(err)`` is the one-line form the CLI
prints, ``FILE:LINE:COL: message``; :func:`code_frame` renders the lines around it with the
span underlined. An error caught and raised again at another place keeps its type:
:meth:`EmuError.located` fills in the place (and can put context before the message).
"""

from __future__ import annotations

import errno as _errno
from typing import Self

from emu.pos import Position, Span

__all__ = [
    "ArchiveError",
    "BuildError",
    "CatalogDataError",
    "CheckFailed",
    "ContextError",
    "CopyError",
    "EmuError",
    "ExpansionError",
    "ExplainError",
    "FsError",
    "IgnoreFileError",
    "ImagesFileError",
    "InstructionError",
    "InvalidReferenceError",
    "LimitExceeded",
    "OutputError",
    "ParseError",
    "RefusedImageError",
    "RejectedError",
    "SandboxViolation",
    "ShellError",
    "SpecError",
    "ToolsFileError",
    "UnknownImageError",
    "UnknownUserError",
    "UsageError",
    "WorkerError",
    "code_frame",
]


class EmuError(Exception):
    """Base of every error emu reports for bad input.

    ``exit_code`` is the CLI's exit status for it; a subclass sets another with a class
    keyword (``class ParseError(EmuError, exit_code=2)``).
    """

    exit_code = 1

    def __init_subclass__(cls, exit_code: int | None = None, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if exit_code is not None:
            cls.exit_code = exit_code

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        pos: Position | None = None,
        span: Span | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.span = span if span is not None else _as_span(pos)
        self.hint = hint
        self.source: str | None = None  # the text the span points into, for a code frame

    @property
    def pos(self) -> Position | None:
        """Where the span starts (what ``FILE:LINE:COL`` shows)."""
        return None if self.span is None else self.span.start

    def located(
        self,
        file: str | None = None,
        where: Position | Span | None = None,
        *,
        prefix: str = "",
        replace: bool = False,
    ) -> Self:
        """This same error, placed: ``file`` and ``where`` fill in what it lacks.

        ``prefix`` goes before the message (``RUN: ``, ``failed to process "$X": ``), for an
        error raised again where more is known. ``replace`` is for an error whose place is
        inside a text that itself sits at ``where`` (a word being expanded, an ONBUILD
        trigger): the given file and place take over. Type, hint and attributes stay.
        """
        span = _as_span(where)
        if file is not None and (replace or self.file is None):
            self.file = file
        if span is not None and (replace or self.span is None):
            self.span = span
        if prefix:
            self.message = prefix + self.message
            self.args = (self.message,)
        return self

    def as_build_failure(
        self, file: str, where: Position | Span, *, prefix: str = "", replace: bool = False
    ) -> EmuError:
        """This error as what stopped a build step at ``where`` (arguments as for
        :meth:`located`).

        A failed build exits with status 1 whatever stopped it (the README's promise, and
        docker build's). An error whose status is already that keeps its type and is only
        placed; another (an expansion error, a bad trigger, a shell option: status 2) becomes
        a :class:`BuildError` at ``where`` with the same message and hint.
        """
        if self.exit_code == BuildError.exit_code:
            return self.located(file, where, prefix=prefix, replace=replace)
        return BuildError(prefix + self.message, file=file, span=_as_span(where), hint=self.hint)

    def with_source(self, source: str) -> Self:
        """Attach the text the position points into (so the CLI can show the lines)."""
        if self.source is None:
            self.source = source
        return self

    @property
    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.pos is not None:
            parts.append(str(self.pos.line))
            parts.append(str(self.pos.column))
        return ":".join(parts)

    def __str__(self) -> str:
        if self.file is None and self.pos is None:
            return self.message
        return f"{self.location}: {self.message}"


def _as_span(where: Position | Span | None) -> Span | None:
    """A point is an empty span."""
    return Span.point(where) if isinstance(where, Position) else where


# --- bad input: a file or a word emu cannot use (exit status 2) -----------------------------------


class UsageError(EmuError, exit_code=2):
    """Bad command-line usage: an unknown option, a missing argument, a file that is not there."""


class ParseError(EmuError, exit_code=2):
    """A Dockerfile that does not parse (BuildKit's parser messages)."""


class InstructionError(EmuError, exit_code=2):
    """A parsed instruction whose flags or arguments are wrong (BuildKit's messages)."""


class ExpansionError(EmuError, exit_code=2):
    """A word that cannot be expanded: a Dockerfile's ``$VAR`` word, or the shell's.

    From a Dockerfile word (:mod:`emu.words`) the position is inside the word — line 1,
    column offset+1 — until :meth:`~EmuError.located` with ``replace`` puts it where the
    word is. In the shell (``${x?}``, ``set -u``, bad arithmetic) it stops the script: ash
    prints ``sh: <message>`` and a non-interactive shell exits with status 2.
    """


class ShellError(EmuError, exit_code=2):
    """A script that does not parse, or a shell-level failure (``pos`` inside the script)."""


class IgnoreFileError(EmuError, exit_code=2):
    """A ``.dockerignore`` that cannot be read: ``!`` alone, a bad pattern."""


class ToolsFileError(EmuError, exit_code=2):
    """A file of user-declared tool models (``emu build --tools FILE``) that cannot be used."""


class ImagesFileError(EmuError, exit_code=2):
    """A ``--images`` file of declared base images that cannot be used."""


class SpecError(EmuError, exit_code=2):
    """A grading spec file that cannot be used."""


# --- failures while doing the work: building, reading, grading (exit status 1) --------------------

# Linux's strerror wording for the errors the image filesystem raises.
_FS_MESSAGES = {
    _errno.ENOENT: "no such file or directory",
    _errno.ENOTDIR: "not a directory",
    _errno.EISDIR: "is a directory",
    _errno.EEXIST: "file exists",
    _errno.ELOOP: "too many levels of symbolic links",
    _errno.ENOTEMPTY: "directory not empty",
    _errno.EINVAL: "invalid argument",
    _errno.EACCES: "permission denied",
    _errno.EBUSY: "device or resource busy",
    _errno.EROFS: "read-only file system",
}


class FsError(EmuError):
    """An OSError-style failure inside the image filesystem (``errno`` names which)."""

    def __init__(self, code: int, path: str, detail: str | None = None) -> None:
        self.errno = code
        self.path = path
        self.strerror = _FS_MESSAGES.get(code, _errno.errorcode.get(code, str(code)))
        super().__init__(f"{path}: {detail or self.strerror}")

    @property
    def code(self) -> str:
        return _errno.errorcode.get(self.errno, str(self.errno))


class InvalidReferenceError(EmuError):
    """A string that is not a valid image reference (Docker's messages)."""


class UnknownImageError(EmuError):
    """An image reference that the offline catalog does not model.

    ``suggestions`` lists close names (familiar form, best first): tags of the same family,
    or of the family the reference's name implies. ``family`` is that family, if any.
    """

    LOAD_HINT = (
        "to use an image the catalog does not model, save it with `docker save IMAGE -o FILE` "
        "and load it with `emu load -i FILE`, or declare it for `emu build --images FILE`; "
        "`emu build --permissive` builds on a generic stand-in instead"
    )

    def __init__(
        self, ref: str, reason: str, suggestions: list[str], family: str | None = None
    ) -> None:
        self.ref = ref
        self.reason = reason
        self.suggestions = suggestions
        self.family = family
        message = f"image {ref!r}: {reason}"
        if suggestions:
            message += f" (did you mean {', '.join(suggestions[:3])}?)"
        super().__init__(message, hint=self.LOAD_HINT)


class RefusedImageError(UnknownImageError):
    """An image emu will not stand in for, even with ``--permissive`` (a Windows image)."""

    def __init__(
        self, ref: str, reason: str, suggestions: list[str], family: str | None = None
    ) -> None:
        super().__init__(ref, reason, suggestions, family)
        self.hint = "emu builds Linux images only: use a Linux tag of the image"


class CatalogDataError(EmuError, exit_code=70):
    """The catalog's image data is inconsistent: a bug in emu's data, not in the input
    (reported as a message all the same, never a traceback)."""

    def __init__(self, message: str) -> None:
        super().__init__(
            f"emu's image catalog data: {message}",
            hint="this is a bug in emu, not in your Dockerfile: please report it",
        )


class ExplainError(EmuError):
    """``emu explain`` asked about a stage or a path the build does not have."""


class SandboxViolation(EmuError):
    """Something tried to leave the sandbox (write, read outside, network, a process)."""


class WorkerError(EmuError):
    """Grading workers cannot start (the submissions were not graded)."""


class CheckFailed(EmuError):
    """``emu check`` found violations."""


class BuildError(EmuError):
    """A build that fails: a step that cannot be done as the Dockerfile asks."""


class ContextError(BuildError):
    """The build context cannot be read."""


class CopyError(BuildError):
    """COPY or ADD cannot copy what it was given (``cannot copy to non-directory``...)."""


class UnknownUserError(BuildError):
    """A user or group name that the image's ``/etc/passwd`` or ``/etc/group`` lacks."""


class LimitExceeded(BuildError):
    """A run or a build hit one of its limits (steps, output, files, bytes, depth, time,
    memory, context size) and was stopped; ``limit`` names it, ``value`` is its setting."""

    def __init__(
        self,
        limit: str,
        value: object = None,
        hint: str | None = None,
        *,
        stopped: str = "the command was stopped",
        message: str | None = None,
    ) -> None:
        shown = limit if value is None else f"{limit} ({value})"
        super().__init__(message or f"limit exceeded: {shown}; {stopped}", hint=hint)
        self.limit = limit
        self.value = value


class RejectedError(BuildError):
    """A submission the sandbox refuses to read (a link out of it, a path outside it)."""


class ArchiveError(BuildError):
    """An image archive that cannot be read: malformed, incomplete or unsupported."""


class OutputError(BuildError):
    """An output that cannot be written (bad destination, I/O failure, bad image name)."""


def code_frame(source: str, where: Position | Span, context: int = 1) -> str:
    """The lines around ``where`` with its span underlined, like a compiler shows.

    A span over several lines is underlined to the end of its first line; an empty span (a
    point) gets one caret.
    """
    span = where if isinstance(where, Span) else Span.point(where)
    start = span.start
    lines = source.splitlines()
    if not lines or start.line < 1 or start.line > len(lines):
        return ""
    first = max(1, start.line - context)
    last = min(len(lines), start.line + context)
    width = len(str(last))
    text = lines[start.line - 1]
    end = span.end.column if span.end.line == start.line else len(text) + 1
    carets = "^" * max(1, end - start.column)
    out: list[str] = []
    for n in range(first, last + 1):
        marker = ">" if n == start.line else " "
        out.append(f"{marker} {n:>{width}} | {lines[n - 1]}")
        if n == start.line:
            out.append(f"  {' ' * width} | {' ' * max(0, start.column - 1)}{carets}")
    return "\n".join(out)
