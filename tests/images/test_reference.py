"""Image references as Docker reads them (distribution/reference): registries, namespaces,
tags, digests, platform namespaces, and the errors, word for word."""

from __future__ import annotations

import pytest

from emu.images.reference import InvalidReferenceError, familiar, normalize, parse

HEX = "0123456789abcdef" * 4  # 64 hex digits
BAD = "invalid reference format"
HEXNAMES = "hexadecimal strings"


@pytest.mark.parametrize(
    ("ref", "domain", "path", "tag", "digest"),
    [
        # Docker Hub: official images live under library/, the default tag is latest.
        ("alpine", "docker.io", "library/alpine", "latest", None),
        ("alpine:3.19", "docker.io", "library/alpine", "3.19", None),
        ("library/alpine:3.19", "docker.io", "library/alpine", "3.19", None),
        ("docker.io/alpine", "docker.io", "library/alpine", "latest", None),
        ("index.docker.io/library/alpine", "docker.io", "library/alpine", "latest", None),
        # A namespace that is not a host: a Docker Hub user or organisation.
        ("oven/bun:1", "docker.io", "oven/bun", "1", None),
        ("lukemathwalker/cargo-chef:latest-rust-1", "docker.io", "lukemathwalker/cargo-chef",
         "latest-rust-1", None),
        # Platform namespaces are plain Docker Hub namespaces to the parser.
        ("amd64/alpine", "docker.io", "amd64/alpine", "latest", None),
        ("arm64v8/node:20", "docker.io", "arm64v8/node", "20", None),
        # A first component with a dot, a colon or `localhost` is a registry host.
        ("gcr.io/distroless/static-debian12:nonroot", "gcr.io", "distroless/static-debian12",
         "nonroot", None),
        ("mcr.microsoft.com/dotnet/sdk:8.0", "mcr.microsoft.com", "dotnet/sdk", "8.0", None),
        ("registry.access.redhat.com/ubi9/ubi-minimal", "registry.access.redhat.com",
         "ubi9/ubi-minimal", "latest", None),
        ("localhost/app", "localhost", "app", "latest", None),
        ("localhost:5000/team/app:v2", "localhost:5000", "team/app", "v2", None),
        ("[::1]:5000/app", "[::1]:5000", "app", "latest", None),
        # ... and so is an upper-case first component (namespaces are lower case).
        ("Registry/app", "Registry", "app", "latest", None),
        # Tags keep their case; digests keep the tag, or stand alone (no :latest added).
        ("alpine:Latest_1.2-x", "docker.io", "library/alpine", "Latest_1.2-x", None),
        (f"alpine@sha256:{HEX}", "docker.io", "library/alpine", None, f"sha256:{HEX}"),
        (f"node:20-alpine@sha256:{HEX}", "docker.io", "library/node", "20-alpine",
         f"sha256:{HEX}"),
        (f"ghcr.io/astral-sh/uv:0.5@sha512:{HEX * 2}", "ghcr.io", "astral-sh/uv", "0.5",
         f"sha512:{HEX * 2}"),
    ],
)  # fmt: skip
def test_parse(ref: str, domain: str, path: str, tag: str | None, digest: str | None) -> None:
    r = parse(ref)
    assert (r.domain, r.path, r.tag, r.digest) == (domain, path, tag, digest)


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("docker.io/library/node:20", "node:20"),
        ("docker.io/oven/bun:1", "oven/bun:1"),
        ("amd64/alpine", "amd64/alpine:latest"),
        ("gcr.io/distroless/base", "gcr.io/distroless/base:latest"),
        (f"docker.io/library/golang:1.22@sha256:{HEX}", f"golang:1.22@sha256:{HEX}"),
        # library/ is dropped only for a one-component official name.
        ("docker.io/library/a/b", "library/a/b:latest"),
    ],
)
def test_familiar(ref: str, expected: str) -> None:
    assert familiar(ref) == expected
    assert normalize(familiar(ref)) == normalize(ref)


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        # distribution/reference's own messages, which BuildKit prints after
        # `failed to parse stage name "REF": `.
        ("Alpine", f"{BAD}: repository name (library/Alpine) must be lowercase"),
        ("myorg/MyApp:1", f"{BAD}: repository name (myorg/MyApp) must be lowercase"),
        ("", "invalid reference format"),
        ("alpine:", "invalid reference format"),
        ("alpine:3.19:x", "invalid reference format"),
        ("-alpine", "invalid reference format"),
        ("alpine:-x", "invalid reference format"),
        ("alpine:" + "t" * 129, "invalid reference format"),
        ("alpine@sha256:abc", "invalid reference format"),  # under 32 hex digits
        ("a/b//c", "invalid reference format"),
        ("alpine@sha256:" + "a" * 63, "invalid checksum digest length"),
        ("alpine@sha256:" + "A" * 64, "invalid checksum digest format"),
        ("alpine@md5:" + "a" * 32, "unsupported digest algorithm"),
        ("a" * 64, f"invalid repository name ({'a' * 64}), cannot specify 64-byte {HEXNAMES}"),
        ("x/" + "a" * 256, "repository name must not be more than 255 characters"),
    ],
)  # fmt: skip
def test_bad_references_with_dockers_wording(ref: str, message: str) -> None:
    with pytest.raises(InvalidReferenceError) as info:
        parse(ref)
    assert info.value.message == message


def test_a_long_registry_host_does_not_count_toward_the_name_limit() -> None:
    # Docker limits the path (255), not the host.
    ref = "registry." + "h" * 200 + ".example.com/" + "p" * 250
    assert parse(ref).path == "p" * 250
