"""User-declared tool models (``emu build --tools FILE``): programs described in YAML.

A teacher can model a tool emu does not know without writing Python::

    programs:
      protoc:
        requires: [proto/api.proto]        # relative to the working directory
        missing: "protoc: {path}: No such file or directory"
        stdout: "generated api_pb2.py\\n"
        files:
          - {path: gen/api_pb2.py, content: "# generated\\n"}
          - {path: /usr/local/lib/libproto.so, size: 3MB, mode: "0755"}
        exit: 0

Each program, when run, checks ``requires`` (failing with ``missing`` and status 1), writes
``files`` (real ``content``, or a size-only blob of ``size``), prints ``stdout`` and exits
with ``exit``. Its output says it is a model, like every emu model.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from typing import Any

from emu.errors import ToolsFileError
from emu.fs import Blob, File, Meta
from emu.sh.api import REGISTRY, Handler, Proc

_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?\Z", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20,
          "gib": 2**30}  # fmt: skip


def _size(value: object, where: str) -> int:
    m = _SIZE.match(str(value).strip())
    if m is None:
        raise ToolsFileError(f"{where}: bad size {value!r}", hint="write e.g. 3MB, 512KiB or 1200")
    return int(float(m.group(1)) * _UNITS[(m.group(2) or "").lower()])


def _handler(name: str, spec: Mapping[str, Any]) -> Handler:
    requires = [str(p) for p in spec.get("requires", []) or []]
    missing = str(spec.get("missing", "{name}: {path}: No such file or directory"))
    stdout = str(spec.get("stdout", ""))
    status = int(spec.get("exit", 0))
    files: list[tuple[str, bytes | Blob, int]] = []
    for i, f in enumerate(spec.get("files", []) or []):
        where = f"programs.{name}.files[{i}]"
        if not isinstance(f, Mapping) or "path" not in f:
            raise ToolsFileError(f"{where}: needs a path")
        mode = int(str(f.get("mode", "0644")), 8)
        if "content" in f:
            content: bytes | Blob = str(f["content"]).encode()
        else:
            content = Blob(_size(f.get("size", 0), where), f"{name} output (user-declared model)")
        files.append((str(f["path"]), content, mode))

    def run(proc: Proc) -> int:
        for rel in requires:
            path = proc.path(rel)
            if proc.fs.lookup(path) is None:
                proc.stderr.write(missing.format(name=name, path=rel) + "\n")
                return 1
        for rel, content, mode in files:
            path = proc.path(rel)
            proc.fs.makedirs(
                posixpath.dirname(path) or "/", Meta(0o755, proc.ident.uid, proc.ident.gid)
            )
            proc.fs.put(path, File(Meta(mode, proc.ident.uid, proc.ident.gid), content))
            proc.limits.created()
        proc.out(stdout)
        proc.out(f"emu: modelled {name} (declared in a --tools file)\n")
        return status

    return run


def register_file(data: Mapping[str, Any], source: str = "--tools") -> list[str]:
    """Register every program of a parsed tools file; returns their names."""
    programs = data.get("programs") if isinstance(data, Mapping) else None
    if not isinstance(programs, Mapping) or not programs:
        raise ToolsFileError(f"{source}: expected a 'programs:' mapping of program names")
    names = []
    for name, spec in programs.items():
        if not isinstance(spec, Mapping):
            raise ToolsFileError(f"{source}: programs.{name} must be a mapping")
        REGISTRY.handlers[str(name)] = _handler(str(name), spec)
        REGISTRY.notes[str(name)] = f"modelled: declared in {source}"
        names.append(str(name))
    return names
