"""emu against a real BuildKit: every golden case, built by both, must agree.

The expectations under ``tests/goldens/cases/*/expected`` were produced by Docker 20.10's
BuildKit through ``../shared/oracle`` (``tests/goldens/regenerate.py``); this test needs no
Docker. For each case it compares the final filesystem listing (path, type, mode, owner,
size, content hash, link target), the normalised image config and history, or — for a
failing case — that emu fails too.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from emu.dockerfile.instructions import load
from emu.engine.builder import BuildOptions, BuildResult, build
from emu.engine.context import from_directory
from emu.errors import EmuError
from emu.fs import Blob, File, walk
from emu.images.image import Image
from emu.teach.listing import listing

GOLDENS = Path(__file__).resolve().parent
CASES = sorted(p for p in (GOLDENS / "cases").iterdir() if (p / "case.json").exists())

# Where Docker 20.10's frontend and current BuildKit are known to differ, emu follows the
# current one. Each entry says what emu does instead, and why.
VERSION_DIFFERENCES = {
    "57b-copy-from-later-stage-sees-base": (
        "cannot copy from stage",
        "Docker 20.10 resolves a forward --from to the later stage's base image; current "
        "BuildKit rejects it (integration test testOutOfOrderStage), and so does emu",
    ),
    "124-add-tar-symlink-escapes": (
        'archive symlink "up" points outside extraction root',
        "Docker 20.10 extracts ADD's archive in a chroot of the destination, which clamps a "
        "relative link climbing out of it; current BuildKit's unpacker (solver/llbsolver/file/"
        "unpack_root.go, resolveRootPath) refuses such a link, and so does emu",
    ),
    "125-add-tar-dotdot-entry": (
        'archive path "../outside/pwned" is outside extraction root',
        "Docker 20.10's chroot clamps an entry named ../outside/pwned into the destination; "
        "current BuildKit's unpacker (cleanRootTarPath) refuses it, and so does emu",
    ),
}
# The other way round: cases Docker 20.10 fails that current BuildKit builds. emu builds
# them too; each entry names a path the build must leave in the final image, and why.
BUILT_BY_CURRENT_BUILDKIT = {
    "49c-onbuild-copy-from-unreached-stage": (
        "/assets/asset.txt",
        "Docker 20.10's frontend takes a stage's dependencies from its own instructions only, "
        "so a stage named by nothing but an ONBUILD trigger's COPY --from is never built and "
        "the trigger copies from its bare base (not found); current BuildKit (v0.17, "
        "moby/buildkit#5357, Dockerfile frontend 1.11) parses the base's triggers first and "
        "builds the stage they name, and so does emu",
    ),
}
_HISTORY_NORMALISE: list[tuple[str, str]] = []


def _regenerate_module() -> Any:
    spec = importlib.util.spec_from_file_location("golden_regenerate", GOLDENS / "regenerate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REGEN = _regenerate_module()


def _config(image: Image) -> dict[str, Any]:
    c = image.config

    def none_if_empty(v: Any) -> Any:
        return v if v else None

    health = None
    if c.healthcheck is not None:
        h = c.healthcheck
        health = {"Test": list(h.test)}
        for key, value in (
            ("Interval", h.interval),
            ("Timeout", h.timeout),
            ("StartPeriod", h.start_period),
            ("StartInterval", h.start_interval),
            ("Retries", h.retries),
        ):
            if value:
                health[key] = value
    history = [h.created_by + (" (empty_layer)" if h.empty_layer else "") for h in image.history]
    return {
        "Cmd": None if c.cmd is None else list(c.cmd) or None,
        "Entrypoint": None if c.entrypoint is None else list(c.entrypoint) or None,
        "Env": none_if_empty(list(c.env)),
        "ExposedPorts": none_if_empty({p: {} for p in c.exposed_ports}),
        "Healthcheck": health,
        "Labels": none_if_empty(dict(c.labels)),
        "OnBuild": none_if_empty(list(c.on_build)),
        "Shell": None if c.shell is None else list(c.shell) or None,
        "StopSignal": none_if_empty(c.stop_signal),
        "User": none_if_empty(c.user),
        "Volumes": none_if_empty({v: {} for v in c.volumes}),
        "WorkingDir": none_if_empty(c.working_dir),
        "architecture": c.architecture,
        "history": history,
        "layers": sum(1 for h in image.history if not h.empty_layer),
        "os": c.os,
    }


def _drop_hash(row: str) -> str:
    return row.rsplit("\t", 1)[0] + "\t<modelled>"


def _normalise_expected(cfg: dict[str, Any]) -> dict[str, Any]:
    out = dict(cfg)
    hist = []
    for h in cfg.get("history", []):
        for old, new in _HISTORY_NORMALISE:
            h = h.replace(old, new)
        hist.append(h)
    out["history"] = hist
    return out


def _build(case: Path, tmp_path: Path) -> BuildResult:
    spec = json.loads((case / "case.json").read_text())
    ctx_dir = tmp_path / "ctx"
    dockerfile = Path(REGEN.materialize(case, ctx_dir))
    text = dockerfile.read_text(encoding="utf-8")
    name = spec["dockerfile"]
    df = load(text, name)
    ctx = from_directory(ctx_dir, dockerfile=dockerfile)
    opts = BuildOptions(target=spec.get("target"), build_args=spec.get("build_args") or {})
    return build(df, ctx, opts)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_golden(case: Path, tmp_path: Path) -> None:
    spec = json.loads((case / "case.json").read_text())
    expected_rc = int((case / "expected" / "rc").read_text().strip() or "0")
    if case.name in VERSION_DIFFERENCES:
        fragment, _why = VERSION_DIFFERENCES[case.name]
        with pytest.raises(EmuError, match=fragment):
            _build(case, tmp_path)
        return
    if case.name in BUILT_BY_CURRENT_BUILDKIT:
        path, _why = BUILT_BY_CURRENT_BUILDKIT[case.name]
        assert expected_rc != 0  # 20.10 failed it: that is the difference
        rows = listing(_build(case, tmp_path).image.rootfs.root).splitlines()
        assert path in [row.split("\t", 1)[0] for row in rows]
        return
    if spec["expect"] == "failure" or expected_rc != 0:
        with pytest.raises(EmuError) as info:
            _build(case, tmp_path)
        # Every failure is located or at least explained.
        assert info.value.message
        return
    result = _build(case, tmp_path)
    got = listing(result.image.rootfs.root).splitlines()
    want = (case / "expected" / "listing.txt").read_text().splitlines()
    # Catalogued base images model big binaries by size only (a Blob): for those rows the
    # size must match and the content hash cannot.
    modelled = {
        path
        for path, node in walk(result.image.rootfs.root)
        if isinstance(node, File) and isinstance(node.content, Blob)
    }
    got = [_drop_hash(r) if r.split("\t", 1)[0] in modelled else r for r in got]
    want = [_drop_hash(r) if r.split("\t", 1)[0] in modelled else r for r in want]
    assert got == want
    want_config = _normalise_expected(json.loads((case / "expected" / "config.json").read_text()))
    assert _config(result.image) == want_config
