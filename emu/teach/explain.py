"""Where a file in an image came from: back through stages to the Dockerfile and the context.

No real builder can answer this. emu keeps, for every layer, the instruction that made it
and — for COPY/ADD — which source path became which destination; a RUN's output is linked
to its input when the shell copied bytes (``cp`` shares the content object, so the source
is the file in the tree before the RUN holding the very same content). Following those
links from the final image gives the chain::

    /usr/share/nginx/html/index.html
      ← COPY --from=builder /app/dist /usr/share/nginx/html (Dockerfile:23)
      ← builder:/app/dist/index.html ← RUN mkdir dist && cp index.html dist/ (Dockerfile:14)
      ← builder:/app/index.html ← COPY index.html . (Dockerfile:9)
      ← context:index.html
"""

from __future__ import annotations

import posixpath

from emu.engine.builder import BuildResult
from emu.errors import EmuError
from emu.errors import ExplainError as ExplainError
from emu.fs import FS, Blob, Dir, File, Node, clean, walk
from emu.images.image import Image, Layer, LayerOrigin
from emu.records import record
from emu.sh import permissive


@record(frozen=True, slots=True)
class Hop:
    """One step of a file's history."""

    where: str  # a stage name, "context", or a base image's name
    path: str  # the path there (context paths are relative)
    how: str  # the instruction that put it there ("" for the end of the chain)
    line: int = 0  # its Dockerfile line
    trigger: str = ""  # ``how`` is an ONBUILD trigger of this ("stage NAME", "image REF")

    def __str__(self) -> str:
        where = f"{self.where}:{self.path}"
        if self.how:
            return f"{where} ← {self.how} (Dockerfile:{self.line})"
        return where


def _node(root: Dir | None, path: str) -> Node | None:
    if root is None:
        return None
    try:
        return FS(root).lookup(path, follow=False)
    except EmuError:
        return None


def _writer(layers: tuple[Layer, ...], path: str, below: int) -> int | None:
    """Index of the topmost layer under ``below`` that wrote ``path``."""
    for k in range(below - 1, -1, -1):
        layer = layers[k]
        after = _node(layer.after, path)
        if after is None:
            return None  # deleted (or never there) at this point
        if after is not _node(layer.before, path):
            return k
    return None


def _source_of_copy(pairs: tuple[tuple[str, str], ...], path: str) -> str | None:
    best: tuple[int, str] | None = None
    for src, dst in pairs:
        dst = dst.rstrip("/") or "/"
        if path == dst:
            cand = src
        elif path.startswith(dst.rstrip("/") + "/"):
            cand = posixpath.join(src, path[len(dst.rstrip("/")) + 1 :])
        else:
            continue
        if best is None or len(dst) > best[0]:
            best = (len(dst), cand)
    return best[1] if best else None


def _same_bytes(before: Dir | None, node: File) -> str | None:
    """The path in ``before`` of a file whose content object is ``node``'s (a shell copy)."""
    if before is None or (isinstance(node.content, bytes) and len(node.content) == 0):
        return None
    for path, other in walk(before):
        if isinstance(other, File) and other.content is node.content:
            return path
    return None


def explain(result: BuildResult, path: str, *, stage: str | None = None) -> list[Hop]:
    """The chain of hops for ``path`` in the final image (or in ``stage``), newest first."""
    path = clean(path)
    images = {s.index: s.image for s in result.stages}
    names = {s.index: s.name for s in result.stages}
    index = result.target.index
    if stage is not None:
        matches = [s.index for s in result.stages if s.name == stage.lower()]
        if not matches:
            raise ExplainError(f"no stage named {stage!r} in this build")
        index = matches[0]
    image = images.get(index)
    if image is None:
        raise ExplainError(f"stage {names[index]} was not built (skipped)")
    if _node(image.rootfs.root, path) is None:
        raise ExplainError(
            f"{path}: no such file in {names[index]}",
            hint="list the image's files with `emu ls` to find the path",
        )
    hops: list[Hop] = []
    layers = image.layers
    below = len(layers)
    where = names[index]
    for _ in range(10_000):  # a chain longer than this would be a bug, not a Dockerfile
        k = _writer(layers, path, below)
        if k is None:
            hops.append(Hop(f"base image {root_base(result, index)}", path, "", 0))
            return hops
        origin = layers[k].origin
        if origin is None:
            hops.append(Hop(where, path, layers[k].created_by, 0))
            return hops
        hops.append(Hop(origin.stage_name, path, origin.text, origin.line, origin.trigger))
        if origin.kind in ("copy", "add"):
            src = _source_of_copy(origin.pairs, path)
            if src is None:
                return hops  # a heredoc or URL: the chain ends at the instruction
            if origin.source == "context":
                hops.append(Hop("context", src.lstrip("/") or ".", "", 0))
                return hops
            if origin.source_stage is not None and images.get(origin.source_stage):
                source_image = images[origin.source_stage]
                assert source_image is not None
                image, layers = source_image, source_image.layers
                index = origin.source_stage
                below, path, where = len(layers), src, names[index]
                continue
            hops.append(Hop(origin.source, src, "", 0))
            return hops
        if origin.kind == "run":
            node = _node(layers[k].after, path)
            found = _same_bytes(layers[k].before, node) if isinstance(node, File) else None
            if found is None:
                return hops
            path, below = found, k
            continue
        return hops
    return hops


def content_mark(node: Node | None) -> str | None:
    """What a file's content is when it is not real bytes: a model (a size-only file a tool
    model or the catalog wrote: its size is the model's, it has no bytes) or a
    ``--permissive`` placeholder for a download that was not made; None for real content."""
    if not isinstance(node, File):
        return None
    if isinstance(node.content, Blob):
        what = f": {node.content.label}" if node.content.label else ""
        return f"modelled content (size only, no bytes){what}"
    if isinstance(node.content, bytes):
        url = permissive.url_of(node.content)
        if url is not None:
            why = permissive.why_of(node.content)
            return (
                f"placeholder for {url} ({why}{'' if '--permissive' in why else ', --permissive'})"
            )
    return None


def ran_in(stage: str, trigger: str = "") -> str:
    """Which stage ran an instruction, and for an ONBUILD trigger whose it was: ``stage
    app`` or ``ONBUILD of stage base, run in stage app`` (its line is the ONBUILD's, or
    for an image's trigger the FROM that brought it in)."""
    return f"ONBUILD of {trigger}, run in stage {stage}" if trigger else f"stage {stage}"


def root_base(result: BuildResult, index: int) -> str:
    """The image at the root of stage ``index``'s FROM chain (through ``FROM <stage>``)."""
    seen = 0
    st = result.stages[index]
    while st.base_stage is not None and seen < len(result.stages):
        st = result.stages[st.base_stage]
        seen += 1
    return st.base


def writers(image: Image) -> dict[str, LayerOrigin]:
    """path -> the origin of the last layer of this build that wrote it.

    What a later layer deleted is gone from the map, with everything that was below it;
    a directory counts as written when a layer added it, not when its entries changed.
    """
    out: dict[str, LayerOrigin] = {}
    for layer in image.layers:
        if layer.origin is None:
            continue
        for ch in layer.changes():
            if ch.kind == "deleted":
                out.pop(ch.path, None)
                prefix = ch.path + "/"
                for p in [p for p in out if p.startswith(prefix)]:
                    del out[p]
            elif not isinstance(ch.new, Dir) or ch.kind == "added":
                out[ch.path] = layer.origin
    return out


def oneline(hops: list[Hop], file: str) -> str:
    """``PATH ← INSTRUCTION (Dockerfile:N) ← stage:PATH ← … ← context:PATH`` (the issue's form)."""
    parts = [hops[0].path]
    for i, hop in enumerate(hops):
        if i > 0:
            parts.append(f"{hop.where}:{hop.path}")
        if hop.how:
            parts.append(f"{hop.how} ({file}:{hop.line})" if hop.line else hop.how)
        elif i == 0:
            parts.append(hop.where)
    return " ← ".join(parts)


def moral(hops: list[Hop], final: str) -> str:
    """One sentence a learner can take away."""
    last = hops[-1]
    stages = []
    for hop in hops:
        if hop.how and hop.where not in stages:
            stages.append(hop.where)
    if last.where == "context":
        start = f"It entered the build from the context file {last.path}"
    elif last.where.startswith("base image "):
        if len(hops) == 1:
            return (
                f"It was already in the {last.where}: this Dockerfile did not touch it, yet "
                "it ships with every image built on that base."
            )
        start = f"It started in the {last.where}"
    elif not last.how:
        start = f"It started at {last.where}:{last.path}"
    else:
        start = f"It was made by {last.how}"
    crossed = [s for s in reversed(stages) if s != final]
    if crossed:
        return (
            f"{start}, passed through stage {', '.join(crossed)} and reached {final} by "
            "COPY --from; nothing else of those stages was kept."
        )
    return f"{start} and stayed in stage {final}."
