"""emu's OCI and docker archives against the OCI image-spec's JSON schemas (issue 16).

The rules below are the image-spec's schemas (``schema/config-schema.json``,
``image-manifest-schema.json``, ``image-index-schema.json``, ``content-descriptor.json``,
``defs-descriptor.json``, ``image-layout-schema.json``), restated as data for a small
checker of our own: types, required fields, enumerations, patterns and bounds, with
``null`` allowed where the schema's ``oneOf`` allows it. Docker's ``manifest.json`` (the
``docker save`` format) has no published schema; its shape is checked as Docker's
``image/tarexport`` reads it. Each archive's descriptors are also checked against the
blobs they name (digest and size).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from pathlib import Path
from typing import Any

import pytest

import emu
from emu.outputs import write_docker_archive, write_oci_archive
from tests.test_outputs import two_layer_image

ROOT = Path(__file__).resolve().parents[1]

# --- the schemas, as data ------------------------------------------------------------------

STR: dict[str, Any] = {"type": "string"}
STRS: dict[str, Any] = {"type": "array", "items": STR}
MAP_STR_STR: dict[str, Any] = {"type": "object", "values": STR}
MAP_STR_OBJ: dict[str, Any] = {"type": "object", "values": {"type": "object"}}
DATE_TIME: dict[str, Any] = {  # RFC 3339, as JSON Schema's "date-time" format
    "type": "string",
    "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$",
}
MEDIA_TYPE: dict[str, Any] = {
    "type": "string",
    "pattern": r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$",
}
DIGEST: dict[str, Any] = {
    "type": "string",
    "pattern": r"^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$",
}
SIZE: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}
DESCRIPTOR: dict[str, Any] = {
    "type": "object",
    "properties": {
        "mediaType": MEDIA_TYPE,
        "size": SIZE,
        "digest": DIGEST,
        "urls": STRS,
        "annotations": MAP_STR_STR,
        "platform": {
            "type": "object",
            "properties": {
                "architecture": STR,
                "os": STR,
                "os.version": STR,
                "os.features": STRS,
                "variant": STR,
            },
            "required": ["architecture", "os"],
        },
    },
    "required": ["size", "digest"],
}
CONFIG: dict[str, Any] = {
    "type": "object",
    "properties": {
        "created": DATE_TIME,
        "author": STR,
        "architecture": STR,
        "variant": STR,
        "os": STR,
        "os.version": STR,
        "os.features": STRS,
        "config": {
            "type": "object",
            "properties": {
                "User": STR,
                "ExposedPorts": MAP_STR_OBJ,
                "Env": STRS,
                "Entrypoint": {**STRS, "nullable": True},
                "Cmd": {**STRS, "nullable": True},
                "Volumes": {**MAP_STR_OBJ, "nullable": True},
                "WorkingDir": STR,
                "Labels": {**MAP_STR_STR, "nullable": True},
                "StopSignal": STR,
                "ArgsEscaped": {"type": "boolean"},
            },
        },
        "rootfs": {
            "type": "object",
            "properties": {
                "diff_ids": {"type": "array", "items": DIGEST},
                "type": {"type": "string", "enum": ["layers"]},
            },
            "required": ["diff_ids", "type"],
        },
        "history": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "created": DATE_TIME,
                    "author": STR,
                    "created_by": STR,
                    "comment": STR,
                    "empty_layer": {"type": "boolean"},
                },
            },
        },
    },
    "required": ["architecture", "os", "rootfs"],
}
MANIFEST: dict[str, Any] = {
    "type": "object",
    "properties": {
        "schemaVersion": {"type": "integer", "minimum": 2, "maximum": 2},
        "mediaType": MEDIA_TYPE,
        "config": DESCRIPTOR,
        "subject": DESCRIPTOR,
        "layers": {"type": "array", "items": DESCRIPTOR, "minItems": 1},
        "annotations": MAP_STR_STR,
    },
    "required": ["schemaVersion", "config", "layers"],
}
INDEX: dict[str, Any] = {
    "type": "object",
    "properties": {
        "schemaVersion": {"type": "integer", "minimum": 2, "maximum": 2},
        "mediaType": MEDIA_TYPE,
        "manifests": {"type": "array", "items": DESCRIPTOR},
        "annotations": MAP_STR_STR,
    },
    "required": ["schemaVersion", "manifests"],
}
LAYOUT: dict[str, Any] = {
    "type": "object",
    "properties": {"imageLayoutVersion": STR},
    "required": ["imageLayoutVersion"],
}
DOCKER_MANIFEST: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "properties": {
            "Config": STR,
            "RepoTags": {**STRS, "nullable": True},
            "Layers": STRS,
            "Parent": STR,
            "LayerSources": {"type": "object", "values": DESCRIPTOR},
        },
        "required": ["Config", "Layers"],
    },
}

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
}


def violations(value: Any, rule: dict[str, Any], where: str = "$") -> list[str]:
    """What in ``value`` breaks ``rule`` (empty: it conforms)."""
    if value is None:
        return [] if rule.get("nullable") else [f"{where}: null"]
    kind = rule["type"]
    if not isinstance(value, _TYPES[kind]) or (kind == "integer" and isinstance(value, bool)):
        return [f"{where}: {type(value).__name__}, not {kind}"]
    out: list[str] = []
    if "enum" in rule and value not in rule["enum"]:
        out.append(f"{where}: {value!r} not in {rule['enum']}")
    if "pattern" in rule and not re.search(rule["pattern"], value):
        out.append(f"{where}: {value!r} does not match {rule['pattern']}")
    if "minimum" in rule and value < rule["minimum"]:
        out.append(f"{where}: {value} < {rule['minimum']}")
    if "maximum" in rule and value > rule["maximum"]:
        out.append(f"{where}: {value} > {rule['maximum']}")
    if kind == "array":
        if len(value) < rule.get("minItems", 0):
            out.append(f"{where}: fewer than {rule['minItems']} items")
        for i, item in enumerate(value):
            out += violations(item, rule["items"], f"{where}[{i}]")
    if kind == "object":
        out += [f"{where}: {k} missing" for k in rule.get("required", ()) if k not in value]
        for key, item in value.items():
            if not isinstance(key, str):
                out.append(f"{where}: key {key!r} is not a string")
            elif key in rule.get("properties", {}):
                out += violations(item, rule["properties"][key], f"{where}.{key}")
            elif "values" in rule:
                out += violations(item, rule["values"], f"{where}.{key}")
    return out


def test_the_checker_catches_what_the_schemas_forbid() -> None:
    """(A checker that passes everything would make the tests below mean nothing.)"""
    good = {"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}}
    assert violations(good, CONFIG) == []
    assert violations({**good, "rootfs": {"type": "tar", "diff_ids": []}}, CONFIG)
    assert violations({"os": "linux", "rootfs": good["rootfs"]}, CONFIG)
    assert violations({**good, "config": {"Env": "A=1"}}, CONFIG)
    assert violations({**good, "config": {"Cmd": None, "Labels": {"a": 1}}}, CONFIG)
    assert violations({**good, "created": "yesterday"}, CONFIG)
    assert violations({"schemaVersion": 1, "config": {}, "layers": []}, MANIFEST)
    assert violations({"size": -1, "digest": "sha256:ab"}, DESCRIPTOR)
    assert violations({"size": 1, "digest": "SHA256:ab"}, DESCRIPTOR)
    assert violations({"size": True, "digest": "sha256:ab"}, DESCRIPTOR)
    assert violations({"schemaVersion": 2, "manifests": [{"size": 1}]}, INDEX)


# --- emu's archives --------------------------------------------------------------------------


def _members(data: bytes) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        for m in tf.getmembers():
            f = tf.extractfile(m) if m.isfile() else None
            if f is not None:
                out[m.name] = f.read()
    return out


def _images() -> list[tuple[str, Any]]:
    built = [
        (name, emu.build(ROOT / "examples" / name).image)
        for name in ("multistage-demo", "go-alpine", "typescript-node")
    ]
    return [("two-layer", two_layer_image()), *built]


IMAGES = _images()


def _blob(members: dict[str, bytes], desc: dict[str, Any]) -> bytes:
    algo, _, hexa = desc["digest"].partition(":")
    data = members[f"blobs/{algo}/{hexa}"]
    assert hashlib.sha256(data).hexdigest() == hexa and len(data) == desc["size"], desc
    return data


@pytest.mark.parametrize(("name", "image"), IMAGES, ids=[n for n, _ in IMAGES])
def test_oci_archive_conforms_to_the_image_spec(name: str, image: Any) -> None:
    buf = io.BytesIO()
    write_oci_archive(image, buf, tags=[f"emu-{name}:1"], source_date_epoch=0)
    members = _members(buf.getvalue())
    assert violations(json.loads(members["oci-layout"]), LAYOUT) == []
    index = json.loads(members["index.json"])
    assert violations(index, INDEX) == []
    for desc in index["manifests"]:
        manifest = json.loads(_blob(members, desc))
        assert violations(manifest, MANIFEST) == []
        assert manifest.get("mediaType", desc.get("mediaType")) == desc.get("mediaType")
        config = json.loads(_blob(members, manifest["config"]))
        assert violations(config, CONFIG) == []
        layers = [_blob(members, layer) for layer in manifest["layers"]]
        assert len(layers) == len(config["rootfs"]["diff_ids"])


@pytest.mark.parametrize(("name", "image"), IMAGES, ids=[n for n, _ in IMAGES])
def test_docker_archive_conforms(name: str, image: Any) -> None:
    buf = io.BytesIO()
    write_docker_archive(image, buf, tags=[f"emu-{name}:1"], source_date_epoch=0)
    members = _members(buf.getvalue())
    manifest = json.loads(members["manifest.json"])
    assert violations(manifest, DOCKER_MANIFEST) == []
    for entry in manifest:
        raw = members[entry["Config"]]
        assert violations(json.loads(raw), CONFIG) == []
        config = json.loads(raw)
        assert len(entry["Layers"]) == len(config["rootfs"]["diff_ids"])
        for path, diff_id in zip(entry["Layers"], config["rootfs"]["diff_ids"], strict=True):
            assert "sha256:" + hashlib.sha256(members[path]).hexdigest() == diff_id
