"""The public Python API: build a Dockerfile from Python, with or without a disk.

>>> import emu
>>> result = emu.build({"Dockerfile": "FROM scratch\\nCOPY a.txt /\\n", "a.txt": "hi"})
>>> result.image.rootfs.fs().lookup("/a.txt").data
b'hi'
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from emu.build.args import Platform
from emu.build.context import Context, from_directory, from_mapping
from emu.build.engine import BuildOptions, BuildResult
from emu.build.engine import build as _build
from emu.dockerfile.instructions import load
from emu.errors import UsageError


def build(
    context: str | Path | Mapping[str, bytes | str],
    dockerfile: str | Path | None = None,
    *,
    target: str | None = None,
    build_args: Mapping[str, str] | None = None,
    platform: str | None = None,
    builder: str = "buildkit",
    permissive: bool = False,
    limits: object = None,
    max_seconds: float | None = None,
    url_map: Mapping[str, bytes] | None = None,
) -> BuildResult:
    """Build like ``docker build``; raises :class:`emu.errors.EmuError` on failure.

    ``context`` is a directory or an in-memory ``{path: content}`` mapping (no disk
    touched). ``dockerfile`` is a path, or Dockerfile text when it contains a newline;
    by default ``Dockerfile`` in the context. ``limits`` (an :class:`emu.sh.api.Limits`)
    and ``max_seconds`` bound what untrusted input may cost.
    """
    text, name, df_path = _dockerfile(context, dockerfile)
    ctx: Context
    if isinstance(context, Mapping):
        ctx = from_mapping(context)
    else:
        ctx = from_directory(context, dockerfile=df_path)
    from emu.build.runexec import ShellExecutor

    executor = ShellExecutor(permissive=permissive, limits=limits)
    opts = BuildOptions(
        target=target,
        build_args=dict(build_args or {}),
        platform=Platform.parse(platform) if platform else Platform(),
        builder=builder,
        url_map=dict(url_map or {}),
        executor=executor if limits is None and max_seconds is None else None,
        limits=limits,
        max_seconds=max_seconds,
    )
    return _build(load(text, name), ctx, opts)


def _dockerfile(
    context: str | Path | Mapping[str, bytes | str], dockerfile: str | Path | None
) -> tuple[str, str, Path | None]:
    if isinstance(dockerfile, str) and "\n" in dockerfile:
        return dockerfile, "Dockerfile", None
    if isinstance(context, Mapping):
        name = str(dockerfile or "Dockerfile")
        raw = context.get(name)
        if raw is None:
            raise UsageError(f"no {name} in the context mapping", hint="add it, or pass its text")
        return (raw.decode() if isinstance(raw, bytes) else raw), name, None
    path = Path(dockerfile) if dockerfile is not None else Path(context) / "Dockerfile"
    try:
        return path.read_text(encoding="utf-8", errors="surrogateescape"), path.name, path
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
