"""Fuzz target for ``emu load``'s archive reader (issue 13's "Must show"): whatever a
``docker save`` or OCI archive holds — wrong JSON shapes, members missing or of the wrong
type, corrupted bytes, layers of random entries — :func:`load_archive` returns images or
raises an :class:`~emu.errors.EmuError`; nothing else escapes, within small limits."""

from __future__ import annotations

import contextlib
import io
import json
import os
import tarfile
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from emu.errors import EmuError
from emu.images.load import load_archive
from emu.sh.api import Limits
from tests.images.test_load import config_for, d, docker_archive, f, hard, layer, oci_archive, sym

pytestmark = pytest.mark.slow  # a fixed budget of examples per target

BUDGET = settings(
    max_examples=int(os.environ.get("EMU_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def limits() -> Limits:
    """Small enough that a hostile example ends fast, large enough for the valid ones (a
    fresh one per load: Limits counts what it has seen)."""
    return Limits(max_files=200, max_bytes=1 << 20, max_depth=16)


NAMES = st.sampled_from(
    [
        "a",
        "b/c",
        "./d",
        "../up",
        "/abs",
        "e/",
        "a/../../x",
        "f\nnl",
        "g" * 120,
        ".wh.a",
        "x/.wh..wh..opq",
    ]
)
ENTRY = st.one_of(
    st.builds(lambda n, b: f(n, b), NAMES, st.binary(max_size=32)),
    st.builds(d, NAMES),
    st.builds(sym, NAMES, NAMES),
    st.builds(hard, NAMES, NAMES),
)
LAYER = st.lists(ENTRY, max_size=6).map(lambda es: layer(*es))

JSON: st.SearchStrategy[Any] = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.text(max_size=8),
        st.sampled_from(["sha256:" + "0" * 64, "layers", "2999-01-01T00:00:00Z", "linux"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "Config",
                    "RepoTags",
                    "Layers",
                    "config",
                    "rootfs",
                    "diff_ids",
                    "history",
                    "created",
                    "Env",
                    "Cmd",
                    "User",
                    "ExposedPorts",
                    "Healthcheck",
                    "manifests",
                    "layers",
                    "digest",
                    "mediaType",
                    "size",
                ]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


def _load(data: bytes) -> None:
    with contextlib.suppress(EmuError):
        load_archive(io.BytesIO(data), limits=limits())


@BUDGET
@given(st.lists(LAYER, max_size=3), st.one_of(st.none(), JSON), st.lists(st.text(max_size=12)))
def test_docker_save_archives(layers: list[bytes], cfg: Any, tags: list[str]) -> None:
    """Random layers under a config that is either consistent with them or random JSON."""
    config = config_for(layers) if cfg is None else cfg
    _load(docker_archive(layers, tags, config if isinstance(config, dict) else {"x": config}))


@BUDGET
@given(JSON, st.dictionaries(st.sampled_from(["manifest.json", "cfg.json", "index.json",
                                              "oci-layout", "repositories"]), JSON))  # fmt: skip
def test_random_json_members(manifest: Any, others: dict[str, Any]) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, value in {"manifest.json": manifest, **others}.items():
            raw = json.dumps(value).encode()
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            tf.addfile(info, io.BytesIO(raw))
    _load(buf.getvalue())


_VALID = [
    docker_archive([layer(d("etc"), f("etc/a", b"x"), sym("l", "etc/a"))], ["a:1"]),
    oci_archive([(layer(d("bin"), f("bin/sh", b"#!")), "application/vnd.oci.image.layer.v1.tar")]),
]


@BUDGET
@given(
    st.sampled_from(range(len(_VALID))),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8),
    st.one_of(st.none(), st.integers(min_value=0)),
)
# a layer header's checksum field made non-octal (found by this target: a ValueError)
@example(which=0, flips=[(1684, 1)], cut=None)
def test_corrupted_archives(which: int, flips: list[tuple[int, int]], cut: int | None) -> None:
    """A valid archive with bytes overwritten and perhaps truncated."""
    data = bytearray(_VALID[which])
    for at, value in flips:
        data[at % len(data)] = value
    _load(bytes(data[: cut % len(data)] if cut is not None else data))


def test_the_valid_seeds_load() -> None:
    """The corruption target starts from archives that load (else it tests only errors)."""
    for data in _VALID:
        assert load_archive(io.BytesIO(data), limits=limits())
