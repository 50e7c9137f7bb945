"""Image references as Docker parses them (github.com/distribution/reference,
normalize.go): ``alpine``, ``library/alpine:3.19`` and ``docker.io/library/alpine:3.19`` are
one name; a registry host is a first component with a dot, a colon or ``localhost``;
``index.docker.io`` is ``docker.io``; Docker Hub's official images live under ``library/``.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from emu.errors import InvalidReferenceError as InvalidReferenceError

SCRATCH = "scratch"
DEFAULT_DOMAIN = "docker.io"
LEGACY_DEFAULT_DOMAIN = "index.docker.io"
OFFICIAL_PREFIX = "library/"
DEFAULT_TAG = "latest"


# --- references (github.com/distribution/reference, normalize.go) ---------------------------

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN_NAME = rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*"
_IPV6 = r"\[[a-fA-F0-9:]+\]"
_DOMAIN = rf"(?:{_DOMAIN_NAME}|{_IPV6})(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_NAME = rf"(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_REFERENCE = rf"({_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?"
_NAME_TOTAL_LENGTH_MAX = 255


@cache
def _reference_re() -> re.Pattern[str]:
    return re.compile(_REFERENCE)  # compiled on first use: keeps the import cheap


def _is_hex64(s: str) -> bool:
    return len(s) == 64 and all(c in "0123456789abcdef" for c in s)


class Reference:
    """A parsed, normalised reference: ``docker.io`` / ``library/alpine`` / ``3.19`` / no digest.

    (A plain slotted class: a dataclass would slow the import, and this module loads for
    every ``FROM``.)
    """

    __slots__ = ("digest", "domain", "path", "tag")

    def __init__(self, domain: str, path: str, tag: str | None, digest: str | None) -> None:
        self.domain = domain
        self.path = path
        self.tag = tag
        self.digest = digest

    @property
    def repository(self) -> str:
        return f"{self.domain}/{self.path}"

    @property
    def familiar_repository(self) -> str:
        if self.domain != DEFAULT_DOMAIN:
            return self.repository
        if self.path.startswith(OFFICIAL_PREFIX) and "/" not in self.path[len(OFFICIAL_PREFIX) :]:
            return self.path[len(OFFICIAL_PREFIX) :]
        return self.path

    def render(self, repository: str) -> str:
        out = repository
        if self.tag is not None:
            out += f":{self.tag}"
        if self.digest is not None:
            out += f"@{self.digest}"
        return out


def parse(ref: str) -> Reference:
    """Docker's ParseNormalizedNamed followed by TagNameOnly (no tag, no digest: latest).

    The errors are Docker's, word for word (distribution/reference's normalize.go and
    reference.go, go-digest's Validate): BuildKit prefixes them with ``failed to parse stage
    name "REF": ``.
    """
    if _is_hex64(ref):
        raise InvalidReferenceError(
            f"invalid repository name ({ref}), cannot specify 64-byte hexadecimal strings"
        )
    domain, remainder = _split_domain(ref)
    # The repository is what precedes the first colon (a digest's "sha256:" included).
    remote = remainder.split(":", 1)[0]
    if remote.lower() != remote:
        raise InvalidReferenceError(
            f"invalid reference format: repository name ({remote}) must be lowercase"
        )
    full = f"{domain}/{remainder}"
    m = _reference_re().fullmatch(full)
    if m is None:
        if full.lower() != full and _reference_re().fullmatch(full.lower()) is not None:
            raise InvalidReferenceError("repository name must be lowercase")
        raise InvalidReferenceError("invalid reference format")
    name, tag, digest = m.group(1), m.group(2), m.group(3)
    dom, _, path = name.partition("/")
    if len(path) > _NAME_TOTAL_LENGTH_MAX:
        raise InvalidReferenceError(
            f"repository name must not be more than {_NAME_TOTAL_LENGTH_MAX} characters"
        )
    if digest is not None:
        _validate_digest(digest)
    if tag is None and digest is None:
        tag = DEFAULT_TAG
    return Reference(dom, path, tag, digest)


def _split_domain(ref: str) -> tuple[str, str]:
    """splitDockerDomain: a first component with a dot or a colon, ``localhost``, or one not
    in lower case is a registry host; anything else is a Docker Hub path."""
    first, slash, rest = ref.partition("/")
    if not slash:
        return DEFAULT_DOMAIN, OFFICIAL_PREFIX + ref
    if first == LEGACY_DEFAULT_DOMAIN:
        domain, remainder = DEFAULT_DOMAIN, rest
    elif first == "localhost" or any(c in first for c in ".:") or first.lower() != first:
        domain, remainder = first, rest
    else:
        domain, remainder = DEFAULT_DOMAIN, ref
    if domain == DEFAULT_DOMAIN and "/" not in remainder:
        remainder = OFFICIAL_PREFIX + remainder
    return domain, remainder


# go-digest's registered algorithms and their hex lengths (Docker imports sha256 and sha512).
_DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}


def _validate_digest(digest: str) -> None:
    """go-digest's Digest.Validate, with its messages."""
    algorithm, _, encoded = digest.partition(":")
    length = _DIGEST_LENGTHS.get(algorithm)
    if length is None:
        raise InvalidReferenceError("unsupported digest algorithm")
    if len(encoded) != length:
        raise InvalidReferenceError("invalid checksum digest length")
    if any(c not in "0123456789abcdef" for c in encoded):
        raise InvalidReferenceError("invalid checksum digest format")


@lru_cache(maxsize=1024)  # a pure function of its text, asked for at every FROM
def normalize(ref: str) -> str:
    """The fully-qualified form Docker uses: ``alpine`` -> ``docker.io/library/alpine:latest``.

    ``scratch`` stays ``scratch`` (BuildKit's reserved empty base, matched before any
    normalisation). A digest is kept: ``alpine@sha256:...`` ->
    ``docker.io/library/alpine@sha256:...`` (no ``:latest`` is added, as in Docker).
    Raises :class:`InvalidReferenceError` for what Docker rejects (upper case in the
    repository, bad characters, a malformed digest, a 64-hex-digit name).
    """
    if ref == SCRATCH:
        return SCRATCH
    r = parse(ref)
    return r.render(r.repository)


def familiar(ref: str) -> str:
    """The short form ``docker images`` prints: ``docker.io/library/alpine:3.19`` is
    ``alpine:3.19``."""
    if ref == SCRATCH:
        return SCRATCH
    r = parse(ref)
    return r.render(r.familiar_repository)
