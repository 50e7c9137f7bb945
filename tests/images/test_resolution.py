"""How a reference finds its model: digests, mirrors, platform namespaces, unknown images
(strict and --permissive), Windows tags, declared images (--images), and what the build and
`emu inspect` say about them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import emu
from emu.cli import _console, main
from emu.errors import EmuError, InvalidReferenceError
from emu.images import catalog
from emu.images.catalog import (
    RefusedImageError,
    UnknownImageError,
    describe,
    lookup,
    register_images,
    suggest,
)

HEX = "ab" * 32


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    h = tmp_path / "emu-home"
    monkeypatch.setenv("EMU_HOME", str(h))
    _console.reset()
    yield h
    _console.reset()


@pytest.fixture(autouse=True)
def no_declared_images() -> Iterator[None]:
    yield
    catalog._user.clear()
    catalog._clear_caches()


def run(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> tuple[str, str]:
    assert main(list(argv)) == code
    captured = capsys.readouterr()
    return captured.out, captured.err


# --- digests, mirrors, platforms ------------------------------------------------------------


def test_tag_and_digest_resolve_to_the_tag_with_a_note() -> None:
    img = lookup(f"node:20-alpine@sha256:{HEX}")
    assert img.rootfs is lookup("node:20-alpine").rootfs
    assert img.config == lookup("node:20-alpine").config
    assert img.name == f"node:20-alpine@sha256:{HEX}"
    (note,) = img.notes
    assert "digest not verified" in note and "node:20-alpine" in note
    assert describe(f"node:20-alpine@sha256:{HEX}") == describe("node:20-alpine")


def test_bare_digest_resolves_by_name() -> None:
    img = lookup(f"docker.io/library/golang@sha256:{HEX}")
    assert img.rootfs is lookup("golang").rootfs
    assert any("golang:latest" in n and "not verified" in n for n in img.notes)


def test_mirrors_read_as_the_official_image() -> None:
    for ref in ("public.ecr.aws/docker/library/node:20-alpine",
                "mirror.gcr.io/library/node:20-alpine",
                "registry.docker.com/library/node:20-alpine"):  # fmt: skip
        img = lookup(ref)
        assert img.rootfs is lookup("node:20-alpine").rootfs, ref
        assert any("mirror" in n for n in img.notes), ref


@pytest.mark.parametrize(
    ("ref", "official", "arch", "variant"),
    [
        ("amd64/alpine:3.19", "alpine:3.19", "amd64", ""),
        ("arm64v8/node:20-alpine", "node:20-alpine", "arm64", "v8"),
        ("arm32v7/debian:bookworm-slim", "debian:bookworm-slim", "arm", "v7"),
        ("arm64v8/eclipse-temurin:17.0.3_7-jre", "eclipse-temurin:17.0.3_7-jre", "arm64", "v8"),
    ],
)
def test_platform_namespaces(ref: str, official: str, arch: str, variant: str) -> None:
    img = lookup(ref)
    assert img.rootfs is lookup(official).rootfs
    assert (img.config.architecture, img.config.variant) == (arch, variant)
    assert any(ref.split(":")[0] in n for n in img.notes)


def test_a_patch_level_emu_does_not_know_is_said() -> None:
    img = lookup("node:20.11-alpine")
    assert img.config.get_env("NODE_VERSION") == "20.11.0"
    assert any("20.11.0" in n for n in img.notes)
    assert not lookup("node:20.11.1-alpine").notes


# --- unknown images: suggestions stay in the family ------------------------------------------


@pytest.mark.parametrize(
    ("ref", "family", "first"),
    [
        # Suggest within the family, never another one (issue 11: no more openjdk:8-slim ->
        # node:18-slim, php -> python).
        ("openjdk:5-slim", "openjdk", "openjdk:8-slim"),
        ("php:4.4-fpm", "php", "php:5.6-fpm"),
        ("node:99-alpine", "node", "node:24-alpine"),
        ("alpine:3.19-slim", "alpine", "alpine:"),
        # The family the project's name implies.
        ("bitnami/node:18", "node", "node:18"),
        ("myorg/python-base:3.11", "python", "python:3.11"),
        ("acme/openjdk-runtime:17", "openjdk", "openjdk:17"),
        ("ngnix:alpine", "nginx", "nginx:alpine"),
    ],
)
def test_unknown_images_name_the_nearest_family(ref: str, family: str, first: str) -> None:
    with pytest.raises(UnknownImageError) as info:
        lookup(ref)
    err = info.value
    assert err.family == family
    assert err.suggestions and err.suggestions[0].startswith(first), err.suggestions
    repo = first.split(":")[0]
    assert all(s.startswith((repo, family)) for s in err.suggestions), err.suggestions
    assert family in str(err)
    assert err.hint is not None and "emu load -i FILE" in err.hint


def test_unknown_tag_message_says_what_the_family_reads() -> None:
    with pytest.raises(UnknownImageError) as info:
        lookup("python:3.12-chimera")
    message = str(info.value)
    assert "python family has no tag '3.12-chimera'" in message
    assert "python:<version>[-alpine[3.N]|-slim" in message


def test_windows_tags_are_refused_clearly_even_when_permissive() -> None:
    with pytest.raises(RefusedImageError) as info:
        lookup("mcr.microsoft.com/dotnet/sdk:8.0-windowsservercore-ltsc2022")
    assert "Windows" in str(info.value)
    assert info.value.suggestions == ["mcr.microsoft.com/dotnet/sdk:8.0"]
    df = "FROM python:3.12-windowsservercore\nRUN echo hi\n"
    with pytest.raises(RefusedImageError):
        emu.build({"Dockerfile": df}, permissive=True)


def test_suggest_is_cheap_for_junk() -> None:
    assert suggest("Not A Ref") == []
    assert suggest("zzzz-nothing-like-it/qqq") == []


# --- the build: strict, permissive, warnings -----------------------------------------------------


DF = (
    "FROM myorg/python-base:3.11 AS deps\n"
    "RUN python3 -c 'print(1)' > /out.txt || echo made > /out.txt\n"
    f"FROM node:20-alpine@sha256:{HEX}\n"
    "COPY --from=deps /out.txt /out.txt\n"
)


def test_strict_build_stops_at_the_unknown_base_with_its_location() -> None:
    with pytest.raises(UnknownImageError) as info:
        emu.build({"Dockerfile": DF})
    assert info.value.file == "Dockerfile" and info.value.pos is not None
    assert info.value.pos.line == 1


def test_permissive_build_stands_in_and_warns() -> None:
    result = emu.build({"Dockerfile": DF}, permissive=True)
    deps, final = result.stages
    assert any("--permissive built on python:3.11" in n for n in deps.base_notes)
    assert any("digest not verified" in n for n in final.base_notes)
    assert len(result.warnings) == 2
    # The final image carries its own base's note (emu inspect shows it).
    assert result.image.notes == final.base_notes
    stand_in = lookup("python:3.11")
    assert deps.image is not None
    assert deps.image.config.get_env("PYTHON_VERSION") == stand_in.config.get_env("PYTHON_VERSION")


def test_permissive_stand_in_by_distribution_when_no_family_fits() -> None:
    img = catalog.fallback("acme/widget:2.1-alpine")
    assert "Alpine" in img.rootfs.fs().get("/etc/os-release").data.decode()  # type: ignore[union-attr]
    assert img.name == "acme/widget:2.1-alpine"
    assert any("alpine:3.21" in n for n in img.notes)
    plain = catalog.fallback("acme/widget:2.1")
    assert any("debian:bookworm-slim" in n for n in plain.notes)


def test_bad_references_fail_as_buildkit_says() -> None:
    with pytest.raises(InvalidReferenceError) as info:
        emu.build({"Dockerfile": f"FROM alpine@sha256:{'a' * 63}\n"})
    assert info.value.message == (
        f'failed to parse stage name "alpine@sha256:{"a" * 63}": invalid checksum digest length'
    )
    with pytest.raises(InvalidReferenceError) as info:
        emu.build({"Dockerfile": "FROM alpine:3:19\n"}, permissive=True)
    assert (
        info.value.message == 'failed to parse stage name "alpine:3:19": invalid reference format'
    )


def test_cli_build_prints_the_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(DF)
    _, err = run(capsys, "build", "--progress", "plain", str(ctx), code=1)
    assert "myorg/python-base:3.11" in err and "python family" in err
    _, err = run(capsys, "build", "--progress", "plain", "--permissive", "-t", "app", str(ctx))
    assert "warning: myorg/python-base:3.11 is not in emu's offline catalog" in err
    assert "warning: digest not verified" in err
    out, _ = run(capsys, "inspect", "app")
    doc = json.loads(out)[0]
    assert any("digest not verified" in n for n in doc["Emu"]["Notes"])
    assert doc["Emu"]["CatalogModel"] == "node:20-alpine"
    assert doc["Emu"]["BaseSizeEstimate"] is True
    assert doc["Emu"]["BaseSizeSource"].startswith("ESTIMATE")


def test_cli_inspect_of_a_catalogued_image_shows_its_size_source(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, _ = run(capsys, "inspect", "python:3.11-slim")
    emu_doc = json.loads(out)[0]["Emu"]
    assert emu_doc["BaseSizeEstimate"] is False
    assert "repo-info" in emu_doc["BaseSizeSource"]
    out, _ = run(capsys, "inspect", "-f", "{{json .Emu.Notes}}", f"alpine@sha256:{HEX}")
    assert "not verified" in out


def test_cli_catalog_lists_families_and_a_familys_images(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, err = run(capsys, "images", "--catalog")
    lines = out.splitlines()
    assert lines[0].split() == ["FAMILY", "REPOSITORIES", "TAGS"]
    assert any(line.startswith("node ") and "<version>" in line for line in lines)
    assert "--images FILE" in err
    out, err = run(capsys, "images", "--catalog", "gcr.io/distroless/static-debian12")
    assert "gcr.io/distroless/static-debian12" in out and "distroless" in err
    out, _ = run(capsys, "images", "--catalog", "--format", "json", "python")
    doc = json.loads(out)
    assert doc["Family"] == "python" and "3.12" in doc["Versions"]
    assert {i["ID"] for i in doc["Images"]} >= {"python:3.12", "python:3.12-slim"}
    _, err = run(capsys, "images", "--catalog", "nosuchthing", code=2)
    assert "no image family" in err


# --- declared images (--images FILE) -------------------------------------------------------------


IMAGES_YAML = """\
images:
  mycorp/python-base:3.12:
    from: python:3.12-slim
    env: {APP_HOME: /srv/app}
    workdir: /srv/app
    user: "1000"
    exposed_ports: [8000]
    files:
      - {path: /etc/mycorp.conf, content: "region=eu\\n"}
      - {path: /opt/mycorp/lib.so, size: 12MB, mode: "0755"}
    programs: [mycorp-cli]
    size: 250MB
    notes: the platform team's base
"""


def test_declared_image(tmp_path: Path) -> None:
    import yaml

    names = register_images(yaml.safe_load(IMAGES_YAML), "images.yaml")
    assert names == ["mycorp/python-base:3.12"]
    img = lookup("mycorp/python-base:3.12")
    fs = img.rootfs.fs()
    assert fs.get("/etc/mycorp.conf").data == b"region=eu\n"  # type: ignore[union-attr]
    assert fs.get("/opt/mycorp/lib.so").size == 12_000_000  # type: ignore[union-attr]
    assert fs.get("/usr/local/bin/mycorp-cli").meta.mode == 0o755  # type: ignore[union-attr]
    assert fs.exists("/usr/local/bin/python3.12")  # from its base
    cfg = img.config
    assert cfg.get_env("APP_HOME") == "/srv/app" and cfg.get_env("PYTHON_VERSION")
    assert (cfg.working_dir, cfg.user, cfg.exposed_ports) == ("/srv/app", "1000", ("8000/tcp",))
    assert cfg.cmd == ("python3",)  # inherited
    info = describe("mycorp/python-base:3.12")
    assert info.size == img.size == 250_000_000 and not info.size_estimate
    assert "images.yaml" in info.size_source and "platform team" in info.notes


def test_declared_image_without_a_size_weighs_its_base_and_files() -> None:
    register_images(
        {"images": {"tools:1": {"from": "alpine:3.20", "programs": ["a", "b"]}}}, "x.yaml"
    )
    info = describe("tools:1")
    assert info.size == describe("alpine:3.20").size + 2_000_000 and info.size_estimate


def test_a_declaration_replaces_what_describe_said_of_the_name_before() -> None:
    before = describe("alpine:3.20")
    assert describe("alpine:3.20") is before  # remembered per reference
    register_images({"images": {"alpine:3.20": {"from": "alpine:3.19"}}}, "y.yaml")
    after = describe("alpine:3.20")
    assert (before.family, after.family) == ("alpine", "declared")
    assert after.base == "alpine:3.19" and "y.yaml" in after.size_source


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"nope": 1}, "`images` mapping"),
        ({"images": {"x:1": {"env": {}}}}, "needs `from`"),
        ({"images": {"x:1": {"from": "alpine", "colour": "red"}}}, "unknown keys"),
        ({"images": {"X:1": {"from": "alpine"}}}, "must be lowercase"),
        ({"images": {"x:1": {"from": "alpine", "size": "lots"}}}, "bad size"),
        ({"images": {"x:1": {"from": "nosuch/thing"}}}, "not in emu's offline catalog"),
    ],
)
def test_bad_images_files(data: object, fragment: str) -> None:
    with pytest.raises(EmuError, match=fragment):
        register_images(data, "bad.yaml")


def test_cli_build_with_images_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "images.yaml").write_text(IMAGES_YAML)
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(
        "FROM mycorp/python-base:3.12\nRUN cat /etc/mycorp.conf > /tmp/conf.txt\n"
    )
    images = str(tmp_path / "images.yaml")
    run(capsys, "build", "-q", "--images", images, "-t", "app:1", str(ctx))
    out, _ = run(capsys, "inspect", "-f", "{{.Config.WorkingDir}} {{.Emu.BaseSize}}", "app:1")
    assert out == "/srv/app 250000000\n"
    (tmp_path / "broken.yaml").write_text("images: [\n")
    _, err = run(capsys, "build", "--images", str(tmp_path / "broken.yaml"), str(ctx), code=2)
    assert "not valid YAML" in err


# --- cost --------------------------------------------------------------------------------------


def test_a_lookup_reads_only_the_families_it_needs() -> None:
    code = (
        "import emu.images.catalog as c\n"
        "c.lookup('golang:1.22-alpine3.19')\n"
        "print(sorted(c._families))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "['alpine', 'golang']"


def test_an_image_stored_before_notes_existed_still_loads() -> None:
    import pickle

    img = lookup(f"alpine:3.19@sha256:{HEX}")
    state = img.__getstate__()  # type: ignore[attr-defined]
    older = object.__new__(type(img))
    older.__setstate__(state[:-1])  # what an emu without Image.notes pickled
    assert older.notes == () and older.name == img.name and older.config == img.config
    again = pickle.loads(pickle.dumps(img))
    assert again.notes == img.notes


def test_a_layer_counts_its_size_once_and_one_stored_before_that_still_counts() -> None:
    import pickle

    from emu.testing import build

    img = build({"Dockerfile": "FROM scratch\nCOPY a b /d/\n", "a": "12345", "b": "xy"}).image
    layer = img.layers[-1]
    assert layer.size == 7 and layer._size == 7  # counted, then kept
    state = layer.__getstate__()  # type: ignore[attr-defined]
    older = object.__new__(type(layer))
    older.__setstate__(state[:-1])  # what an emu without Layer._size pickled
    assert older.size == 7 and older == layer
    assert pickle.loads(pickle.dumps(layer)).size == 7
