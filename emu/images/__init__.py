"""Base images emu knows without a registry: the offline catalog (see :mod:`.catalog`).

Importing this package reads no data; the catalog parses its YAML on first use.
"""

from emu.images.catalog import (
    CatalogDataError,
    EntryInfo,
    InvalidReferenceError,
    UnknownImageError,
    describe,
    familiar,
    ids,
    lookup,
    names,
    normalize,
    suggest,
    tree_size,
)

__all__ = [
    "CatalogDataError",
    "EntryInfo",
    "InvalidReferenceError",
    "UnknownImageError",
    "describe",
    "familiar",
    "ids",
    "lookup",
    "names",
    "normalize",
    "suggest",
    "tree_size",
]
