"""Testing Dockerfiles with emu: build helpers, assertions, a pytest plugin and hypothesis
strategies.

    from emu.testing import build, assert_path, assert_config, assert_stage

    def test_page_is_served():
        result = build({
            "Dockerfile": "FROM alpine:3.19 AS b\\nRUN mkdir /out && echo hi > /out/x\\n"
                          "FROM scratch\\nCOPY --from=b /out /www\\n",
        })
        assert_path(result, "/www/x", content="hi\\n", mode="-rw-r--r--", owner=0)
        assert_stage(result, "b", "built")

* :func:`build` builds an in-memory context (``{path: bytes | str | Link}``, no disk) or a
  folder, sandboxed and with limits, resolving ``FROM`` against emu's catalog only;
* :mod:`emu.testing.asserts` — assertions with readable failure messages;
* :mod:`emu.testing.plugin` — the pytest plugin (fixtures ``emu_build`` and ``emu_context``,
  spec YAML files collected as test items);
* :mod:`emu.testing.strategies` — hypothesis strategies (needs ``hypothesis``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from emu.records import record, replace
from emu.testing import asserts
from emu.testing.asserts import *  # noqa: F403 - its __all__ is part of this package's API

if TYPE_CHECKING:
    from emu.engine.builder import BuildResult
    from emu.engine.context import Context
    from emu.grading.model import SandboxLimits


@record(frozen=True, slots=True)
class Link:
    """A symbolic link in an in-memory context: ``{"current": Link("v2")}``."""

    target: str


ContextFiles = Mapping[str, "bytes | str | Link"]


def make_context(files: ContextFiles, *, ignore_text: str | None = None) -> Context:
    """An in-memory build context: paths → bytes/text, :class:`Link`, or ``"dir/"`` keys
    for empty directories; ``.dockerignore`` (or ``ignore_text``) applies as in BuildKit."""
    from emu.engine.context import from_mapping
    from emu.fs import Meta, Symlink

    if ignore_text is None:
        raw = files.get(".dockerignore")
        if isinstance(raw, bytes):
            ignore_text = raw.decode("utf-8", "surrogateescape")
        elif isinstance(raw, str):
            ignore_text = raw
    plain: dict[str, bytes | str] = {}
    links: dict[str, Link] = {}
    for name, value in files.items():
        if isinstance(value, Link):
            links[name.strip("/")] = value
        else:
            plain[name] = value
    context = from_mapping(plain, ignore_text=ignore_text)
    if not links:
        return context
    # from_mapping knows files and directories only: the links go on top, under the same
    # .dockerignore.
    fs = context.snapshot.fs()
    excluded = set(context.excluded)
    for rel, link in sorted(links.items()):
        if not rel:
            continue
        if context.is_excluded(rel):
            excluded.add(rel)
            continue
        fs.makedirs("/" + rel.rsplit("/", 1)[0] if "/" in rel else "/", Meta(0o755))
        fs.put("/" + rel, Symlink(Meta(0o777), link.target))
    return replace(context, snapshot=fs.snapshot(), excluded=frozenset(excluded))


def write_context(files: ContextFiles, folder: str | os.PathLike[str]) -> Path:
    """Write an in-memory context to ``folder`` (links as symlinks); returns the folder."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    for name in sorted(files):
        rel = name.strip("/")
        if not rel:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        value = files[name]
        if isinstance(value, Link):
            os.symlink(value.target, path)
        elif name.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.write_bytes(value.encode() if isinstance(value, str) else value)
    return root


DEFAULT_LIMITS_SECONDS = 20.0


def build(
    context: ContextFiles | str | os.PathLike[str],
    dockerfile: str | None = None,
    *,
    target: str | None = None,
    build_args: Mapping[str, str] | None = None,
    limits: SandboxLimits | None = None,
    permissive: bool = False,
) -> BuildResult:
    """Build like ``docker build``, sandboxed: raises :class:`emu.errors.EmuError` on failure.

    ``context`` is a ``{path: content}`` mapping (``Dockerfile`` in it unless ``dockerfile``
    gives the text) or a folder. ``FROM`` sees emu's catalog only, so a test never depends on
    the machine's image store; the build has :class:`~emu.grading.model.SandboxLimits`.
    """
    __tracebackhide__ = True  # pytest: a failed build points at the test's line, not here
    from emu.grading.model import BuildSettings
    from emu.grading.model import SandboxLimits as Limits
    from emu.grading.sandbox import prepare_context, sandboxed_build

    lim = limits or Limits(max_seconds=DEFAULT_LIMITS_SECONDS)
    settings = BuildSettings(
        target=target, build_args=tuple((build_args or {}).items()), permissive=permissive
    )
    if isinstance(context, Mapping):
        text = dockerfile
        if text is None:
            raw = context.get("Dockerfile")
            if raw is None or isinstance(raw, Link):
                from emu.errors import UsageError

                raise UsageError("no Dockerfile in the context", hint="add one, or pass its text")
            text = raw.decode() if isinstance(raw, bytes) else raw
        return sandboxed_build(text, make_context(context), settings, lim)
    if dockerfile is not None and "\n" in dockerfile:
        from emu.engine.context import from_directory

        return sandboxed_build(dockerfile, from_directory(os.fspath(context)), settings, lim)
    if dockerfile is not None:
        settings = replace(settings, dockerfile=dockerfile)
    prepared = prepare_context(context, settings, lim)
    return sandboxed_build(prepared.dockerfile, prepared.context, settings, lim, name=prepared.name)


__all__ = ["Link", "build", "make_context", "write_context"]
__all__ += asserts.__all__
