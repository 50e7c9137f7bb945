"""The public Python API: build a Dockerfile from Python, with or without a disk.

>>> import emu
>>> result = emu.build({"Dockerfile": "FROM scratch\\nCOPY a.txt /\\n", "a.txt": "hi"})
>>> result.image.rootfs.fs().lookup("/a.txt").data
b'hi'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from emu.dockerfile.instructions import load
from emu.engine.args import Platform
from emu.engine.builder import BuildOptions, BuildResult, ImageResolver
from emu.engine.builder import build as _build
from emu.engine.context import Context, ContextError, from_directory, from_mapping, read_small_file
from emu.errors import UsageError
from emu.sh.api import Limits


def build(
    context: str | Path | Mapping[str, bytes | str],
    dockerfile: str | Path | None = None,
    *,
    target: str | None = None,
    build_args: Mapping[str, str] | None = None,
    platform: str | None = None,
    builder: str = "buildkit",
    permissive: bool = False,
    limits: Limits | None = None,
    max_seconds: float | None = None,
    url_map: Mapping[str, bytes] | None = None,
    resolve_image: ImageResolver | None = None,
) -> BuildResult:
    """Build like ``docker build``; raises :class:`emu.errors.EmuError` on failure.

    ``context`` is a directory or an in-memory ``{path: content}`` mapping (no disk
    touched). ``dockerfile`` is a path, or Dockerfile text when it contains a newline;
    by default ``Dockerfile`` in the context. ``limits`` (an :class:`emu.sh.api.Limits`)
    and ``max_seconds`` bound what untrusted input may cost.

    ``FROM`` resolves against emu's offline catalog only, so a build is hermetic; pass
    ``resolve_image=emu.store.resolve`` to see the local image store first (as the CLI
    does), or any ``ref -> Image`` callable of your own.
    """
    text, name, df_path = _dockerfile(context, dockerfile)
    ctx: Context
    if isinstance(context, Mapping):
        ctx = from_mapping(context)
    else:
        ctx = from_directory(context, dockerfile=df_path)
    opts = BuildOptions(
        target=target,
        build_args=dict(build_args or {}),
        platform=Platform.parse(platform) if platform else Platform(),
        builder=builder,
        url_map=dict(url_map or {}),
        limits=limits,
        permissive=permissive,
        max_seconds=max_seconds,
        resolve_image=resolve_image,
    )
    return _build(load(text, name), ctx, opts)


def _dockerfile(
    context: str | Path | Mapping[str, bytes | str], dockerfile: str | Path | None
) -> tuple[str, str, str | None]:
    if isinstance(dockerfile, str) and "\n" in dockerfile:
        return dockerfile, "Dockerfile", None
    if isinstance(context, Mapping):
        name = str(dockerfile or "Dockerfile")
        raw = context.get(name)
        if raw is None:
            raise UsageError(f"no {name} in the context mapping", hint="add it, or pass its text")
        return (raw.decode() if isinstance(raw, bytes) else raw), name, None
    path = os.fspath(dockerfile) if dockerfile is not None else os.path.join(context, "Dockerfile")
    # The context's own Dockerfile is never followed out of the context (a symlink could
    # point anywhere on the host); a path the caller names explicitly is the caller's choice.
    try:
        data = read_small_file(path, follow=dockerfile is not None)
    except FileNotFoundError:
        raise UsageError(f"cannot read {path}: No such file or directory") from None
    except ContextError as exc:
        raise UsageError(exc.message, hint=exc.hint) from None
    return data.decode("utf-8", "surrogateescape"), os.path.basename(path), path
