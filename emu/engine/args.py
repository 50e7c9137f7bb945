"""Build arguments: ``--build-arg``, the automatic platform ARGs and global ARG scope.

BuildKit's rules: ARGs before the first FROM are global and visible only in FROM lines
(image and ``--platform``) until a stage re-declares them with ``ARG NAME``; a value comes
from ``--build-arg``, else the ARG's default (expanded with what is defined before it),
else the global value. The platform ARGs (TARGETPLATFORM, BUILDARCH, …) are predefined in
the global scope; a build-arg overrides them.
"""

from __future__ import annotations

from collections.abc import Mapping

from emu.dockerfile.instructions import Arg
from emu.errors import EmuError, UsageError
from emu.records import record
from emu.words import process_word


@record(frozen=True, slots=True)
class Platform:
    os: str = "linux"
    arch: str = "amd64"
    variant: str = ""

    def __str__(self) -> str:
        return f"{self.os}/{self.arch}" + (f"/{self.variant}" if self.variant else "")

    @staticmethod
    def parse(text: str) -> Platform:
        parts = text.strip().split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise UsageError(
                f"invalid platform {text!r}", hint="write it as os/arch[/variant], e.g. linux/arm64"
            )
        return Platform(parts[0], parts[1], parts[2] if len(parts) == 3 else "")


def platform_args(target: Platform, build: Platform, target_stage: str) -> dict[str, str]:
    """The automatic ARGs of BuildKit's global scope."""
    return {
        "TARGETPLATFORM": str(target),
        "TARGETOS": target.os,
        "TARGETARCH": target.arch,
        "TARGETVARIANT": target.variant,
        "BUILDPLATFORM": str(build),
        "BUILDOS": build.os,
        "BUILDARCH": build.arch,
        "BUILDVARIANT": build.variant,
        "TARGETSTAGE": target_stage,
    }


# Proxy ARGs are predefined: usable in a stage's RUN without being declared.
PROXY_ARGS = (
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
)


def parse_build_args(items: list[str] | tuple[str, ...]) -> dict[str, str | None]:
    """``KEY=VALUE`` strings; a bare ``KEY`` takes its value from the environment (docker)."""
    import os

    out: dict[str, str | None] = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not key:
            raise UsageError(f"invalid build-arg {item!r}", hint="write --build-arg KEY=VALUE")
        out[key] = value if eq else os.environ.get(key)
    return out


def evaluate_globals(
    meta_args: tuple[Arg, ...],
    build_args: Mapping[str, str | None],
    predefined: Mapping[str, str],
    file: str,
) -> dict[str, str]:
    """The global ARG scope after the lines before the first FROM, top to bottom."""
    scope: dict[str, str] = dict(predefined)
    for key in predefined:
        value = build_args.get(key)
        if value is not None:
            scope[key] = value
    for arg in meta_args:
        for decl in arg.args:
            given = build_args.get(decl.key)
            if given is not None:
                scope[decl.key] = given
            elif decl.value is not None:
                try:
                    scope[decl.key] = process_word(decl.value, scope).value
                except EmuError as exc:
                    raise exc.located(file, arg.pos, replace=True) from None
    return scope
