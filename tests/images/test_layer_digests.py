"""The catalogued base layers' digests are data (emu/images/data/layer-digests.json): every
entry must be what streaming the layer tar gives, and every catalogued model is in it.

    python tests/images/test_layer_digests.py     # rewrite the table after a catalog change
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from emu.images import catalog
from emu.outputs import LAYER_DIGESTS, base_layer_digest, layer_digest, layer_fingerprint

TABLE = Path(__file__).resolve().parents[2] / "emu" / "images" / "data" / LAYER_DIGESTS


def computed() -> dict[str, list[object]]:
    """Fingerprint -> [diff_id, size] of every catalogued model's base layer, streamed."""
    out: dict[str, list[object]] = {}
    for ref in catalog.ids():
        root = catalog.lookup(ref).rootfs.root
        fingerprint = layer_fingerprint(root)
        if root.entries and fingerprint is not None and fingerprint not in out:
            out[fingerprint] = list(layer_digest(None, root))
    return dict(sorted(out.items()))


@pytest.mark.slow
def test_the_table_is_what_the_encoder_writes() -> None:
    assert json.loads(TABLE.read_text()) == computed()


def test_a_catalogued_base_is_found_and_matches_its_stream() -> None:
    root = catalog.lookup("nginx:alpine").rootfs.root
    found = base_layer_digest(root)
    assert found is not None and found == layer_digest(None, root)


def test_a_changed_tree_is_not_found() -> None:
    image = catalog.lookup("busybox")
    fs = image.rootfs.fs()
    fs.write_file("/etc/motd", b"hi")
    root = fs.snapshot().root
    assert base_layer_digest(image.rootfs.root) is not None
    assert layer_fingerprint(root) != layer_fingerprint(image.rootfs.root)
    assert base_layer_digest(root) is None


if __name__ == "__main__":
    TABLE.write_text(json.dumps(computed(), indent=1) + "\n")
    print(f"wrote {TABLE}", file=sys.stderr)
