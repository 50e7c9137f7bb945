"""Assertions about builds and images, with messages that say what was there instead.

Each takes a :class:`~emu.engine.builder.BuildResult` or an :class:`~emu.images.image.Image`
and raises :class:`AssertionError` with the observed value::

    assert_path(result, "/app/server", mode="-rwxr-xr-x", owner="10001:10001")
    # AssertionError: /app/server: mode is -rw-r--r--, expected -rwxr-xr-x
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from emu.fs import Dir, File, Node, Symlink, mode_string

if TYPE_CHECKING:
    from emu.engine.builder import BuildResult
    from emu.images.image import Image

__tracebackhide__ = True  # pytest: show the caller's line, not ours


def image_of(subject: BuildResult | Image) -> Image:
    from emu.engine.builder import BuildResult

    return subject.image if isinstance(subject, BuildResult) else subject


def _listing(node: Node | None, limit: int = 12) -> str:
    if not isinstance(node, Dir):
        return ""
    names = sorted(node.entries)
    shown = ", ".join(names[:limit]) + (f", … ({len(names)} entries)" if len(names) > limit else "")
    return shown or "(empty)"


def _nearest(image: Image, path: str) -> str:
    """What exists on the way to ``path``, for a "missing" message."""
    fs = image.rootfs.fs()
    parts = [p for p in path.split("/") if p]
    for i in range(len(parts) - 1, -1, -1):
        parent = "/" + "/".join(parts[:i])
        node = fs.lookup(parent)
        if node is not None:
            return (
                f"{parent} holds: {_listing(node)}"
                if isinstance(node, Dir)
                else (f"{parent} is a {node.kind.value}")
            )
    return ""


def _owner(value: int | str) -> tuple[int | None, int | None]:
    if isinstance(value, int):
        return value, None
    uid, _, gid = value.partition(":")
    return (int(uid) if uid else None), (int(gid) if gid else None)


def assert_path(
    subject: BuildResult | Image,
    path: str,
    *,
    exists: bool = True,
    kind: str | None = None,
    mode: int | str | None = None,
    owner: int | str | None = None,
    content: bytes | str | None = None,
    contains: str | None = None,
    matches: str | None = None,
    target: str | None = None,
    follow: bool = False,
) -> Node | None:
    """Check a path of the image: existence, ``kind`` (file, dir, symlink), ``mode`` (an int
    or ``ls`` string), ``owner`` (uid, or ``"uid:gid"``), ``content`` (exact), ``contains``
    (substring), ``matches`` (regex search), a symlink's ``target``. Returns the node."""
    image = image_of(subject)
    fs = image.rootfs.fs()
    node = fs.lookup(path, follow=follow)
    if not exists:
        if node is not None:
            raise AssertionError(f"{path}: exists ({mode_string(node)}), expected no such path")
        return None
    if node is None:
        near = _nearest(image, path)
        raise AssertionError(f"{path}: no such file or directory" + (f"; {near}" if near else ""))
    problems: list[str] = []
    if kind is not None and node.kind.value != kind:
        problems.append(f"is a {node.kind.value}, expected a {kind}")
    if mode is not None:
        actual = mode_string(node)
        if isinstance(mode, int):
            if node.meta.mode & 0o7777 != mode:
                problems.append(
                    f"mode is {node.meta.mode & 0o7777:04o} ({actual}), expected {mode:04o}"
                )
        elif actual != mode:
            problems.append(f"mode is {actual}, expected {mode}")
    if owner is not None:
        uid, gid = _owner(owner)
        if (uid is not None and node.meta.uid != uid) or (gid is not None and node.meta.gid != gid):
            problems.append(f"owner is {node.meta.uid}:{node.meta.gid}, expected {owner}")
    if target is not None:
        if not isinstance(node, Symlink):
            problems.append(f"is a {node.kind.value}, not a symlink (expected -> {target})")
        elif node.target != target:
            problems.append(f"points to {node.target}, expected {target}")
    if content is not None or contains is not None or matches is not None:
        data = _data(node, path)
        if data is None:
            problems.append("has no readable content (a directory or a size-only file)")
        else:
            text = data.decode("utf-8", "replace")
            want = content.encode() if isinstance(content, str) else content
            if want is not None and data != want:
                problems.append(f"content is {_show(data)}, expected {_show(want)}")
            if contains is not None and contains not in text:
                problems.append(f"content {_show(data)} does not contain {contains!r}")
            if matches is not None and not re.search(matches, text):
                problems.append(f"content {_show(data)} does not match /{matches}/")
    if problems:
        raise AssertionError(f"{path}: " + "; ".join(problems))
    return node


def _data(node: Node, path: str) -> bytes | None:
    if isinstance(node, File):
        return node.data
    return None


def _show(data: bytes, limit: int = 80) -> str:
    text = repr(data[:limit])
    return text + ("…" if len(data) > limit else "")


def assert_no_path(subject: BuildResult | Image, *paths: str) -> None:
    """None of ``paths`` exists in the image."""
    fs = image_of(subject).rootfs.fs()
    present = [p for p in paths if fs.lookup(p, follow=False) is not None]
    if present:
        raise AssertionError("expected absent, but present: " + ", ".join(present))


def assert_not_in_image(subject: BuildResult | Image, *patterns: str) -> None:
    """No path of the image matches these ``.dockerignore``-style globs (``**/node_modules``)."""
    from emu.grading.evaluation import paths_matching

    found = paths_matching(image_of(subject), tuple(patterns))
    if found:
        raise AssertionError(
            f"in the image but should not be: {', '.join(found[:10])}"
            + (f" and {len(found) - 10} more" if len(found) > 10 else "")
        )


_CONFIG_FIELDS = {
    "cmd": "cmd",
    "entrypoint": "entrypoint",
    "user": "user",
    "workdir": "working_dir",
    "working_dir": "working_dir",
    "exposed_ports": "exposed_ports",
    "volumes": "volumes",
    "stop_signal": "stop_signal",
    "shell": "shell",
}


def assert_config(subject: BuildResult | Image, **expected: Any) -> None:
    """The image config has these values: ``cmd``, ``entrypoint`` (lists), ``user``,
    ``workdir``, ``exposed_ports`` (``"80"`` or ``"80/tcp"``), ``volumes``, ``env`` and
    ``labels`` (mappings: these keys with these values, others allowed)."""
    config = image_of(subject).config
    problems: list[str] = []
    for key, want in expected.items():
        if key == "env":
            env = config.env_dict()
            for k, v in dict(want).items():
                if env.get(k) != v:
                    problems.append(f"env {k}={env[k]!r}" if k in env else f"env {k} is not set")
                    problems[-1] += f", expected {v!r}"
        elif key == "labels":
            labels = config.label_dict()
            for k, v in dict(want).items():
                if labels.get(k) != v:
                    problems.append(f"label {k} is {labels.get(k)!r}, expected {v!r}")
        elif key in _CONFIG_FIELDS:
            actual = getattr(config, _CONFIG_FIELDS[key])
            if key == "exposed_ports":
                want = sorted(p if "/" in p else f"{p}/tcp" for p in want)
                actual = sorted(actual)
            elif isinstance(want, list | tuple) and actual is not None:
                want, actual = list(want), list(actual)
            if actual != want:
                problems.append(f"{key} is {actual!r}, expected {want!r}")
        else:
            raise TypeError(f"assert_config: unknown field {key!r}")
    if problems:
        raise AssertionError("image config: " + "; ".join(problems))


def assert_stage(result: BuildResult, name: str, status: str) -> None:
    """Stage ``name`` (its AS name, ``stage-N`` or index) ended ``final``, ``built`` (then
    discarded) or ``skipped``."""
    wanted = name.lower()
    for st in result.stages:
        if st.name.lower() == wanted or str(st.index) == wanted:
            if st.status != status:
                raise AssertionError(
                    f"stage {st.name} is {st.status} ({st.reason}), expected {status}"
                )
            return
    names = ", ".join(f"{s.name} ({s.status})" for s in result.stages)
    raise AssertionError(f"no stage {name!r}; stages: {names}")


def assert_stage_skipped(result: BuildResult, *names: str) -> None:
    for name in names:
        assert_stage(result, name, "skipped")


def snapshot_of(subject: BuildResult | Image) -> tuple[list[tuple[str, ...]], Mapping[str, Any]]:
    """(listing rows, config fields) of an image: what two equal builds share."""
    from dataclasses import asdict

    from emu.teach.listing import rows

    image = image_of(subject)
    return rows(image.rootfs.root), asdict(image.config)


def assert_same_image(a: BuildResult | Image, b: BuildResult | Image) -> None:
    """Two images have the same files (path, type, mode, owner, size, content) and config."""
    rows_a, config_a = snapshot_of(a)
    rows_b, config_b = snapshot_of(b)
    problems: list[str] = []
    if rows_a != rows_b:
        by_a = {r[0]: r for r in rows_a}
        by_b = {r[0]: r for r in rows_b}
        only_a = sorted(set(by_a) - set(by_b))
        only_b = sorted(set(by_b) - set(by_a))
        changed = sorted(p for p in set(by_a) & set(by_b) if by_a[p] != by_b[p])
        if only_a:
            problems.append("only in the first: " + ", ".join(only_a[:8]))
        if only_b:
            problems.append("only in the second: " + ", ".join(only_b[:8]))
        for p in changed[:5]:
            problems.append(f"{p}: {by_a[p][1:]} != {by_b[p][1:]}")
    for key in sorted(set(config_a) | set(config_b)):
        if config_a.get(key) != config_b.get(key):
            problems.append(f"config {key}: {config_a.get(key)!r} != {config_b.get(key)!r}")
    if problems:
        raise AssertionError("the images differ: " + "; ".join(problems))


def paths_of(subject: BuildResult | Image) -> Iterable[str]:
    from emu.fs import walk

    return (p for p, _ in walk(image_of(subject).rootfs.root))


__all__ = [
    "assert_config",
    "assert_no_path",
    "assert_not_in_image",
    "assert_path",
    "assert_same_image",
    "assert_stage",
    "assert_stage_skipped",
    "image_of",
    "paths_of",
    "snapshot_of",
]
