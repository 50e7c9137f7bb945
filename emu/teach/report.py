"""A build as one self-contained HTML page (``emu report --html``), and its pieces — the stage
graph, size bars, the file tree with provenance — which the playground and notebooks reuse.

The page has no external resources at all (inline CSS, an inline script, an inline SVG): it
opens offline, from a file, in any browser. It shows the stage graph (which stage feeds
which, by FROM or COPY --from, with what crossed; skipped stages greyed out), a size bar per
stage and per layer, and the final image's file tree in which every file this Dockerfile
wrote carries its provenance — the chain ``emu explain`` prints — on hover and on click.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from emu.teach.fmt import human_size, plural

if TYPE_CHECKING:
    from emu.dockerfile.instructions import Dockerfile
    from emu.engine.builder import BuildResult
    from emu.engine.state import StepEvent
    from emu.errors import EmuError
    from emu.images.image import Image, LayerOrigin
    from emu.teach.summary import Edge, StageInfo, Summary


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


# --- the stage graph ------------------------------------------------------------------------

BOX_W, BOX_H, COL_GAP, ROW_GAP, PAD = 230, 92, 220, 34, 24
# A stage the final stage is built FROM ("base") is part of the final image: green's kin.
COLOURS = {"final": "#15803d", "base": "#0f766e", "built": "#b45309", "skipped": "#9ca3af"}
FILLS = {"final": "#ecfdf5", "base": "#f0fdfa", "built": "#fffbeb", "skipped": "#f3f4f6"}
LABELS = {
    "final": "final image",
    "base": "base of the final image",
    "built": "built, then discarded",
    "skipped": "skipped",
}


def _depths(s: Summary) -> dict[int, int]:
    deps: dict[int, set[int]] = {st.index: set() for st in s.stages}
    for e in s.edges:
        if e.source is not None and e.source != e.target:
            deps[e.target].add(e.source)
    depth: dict[int, int] = {}

    def visit(i: int, guard: int = 0) -> int:
        if i in depth:
            return depth[i]
        if guard > len(s.stages):
            return 0
        d = 1 + max((visit(j, guard + 1) for j in deps[i] if j < i), default=-1)
        depth[i] = d
        return d

    for st in s.stages:
        visit(st.index)
    return depth


def stage_graph(s: Summary) -> str:
    depth = _depths(s)
    columns: dict[int, list[StageInfo]] = {}
    for st in s.stages:
        columns.setdefault(depth[st.index], []).append(st)
    rows = max(len(v) for v in columns.values())
    # An edge that skips a column runs along a lane under the boxes, not through them.
    long_edges = [
        e for e in s.edges if e.source is not None and depth[e.target] - depth[e.source] > 1
    ]
    boxes_bottom = PAD + rows * BOX_H + (rows - 1) * ROW_GAP
    lanes = {id(e): boxes_bottom + 26 + 30 * i for i, e in enumerate(long_edges)}
    width = PAD * 2 + len(columns) * BOX_W + (len(columns) - 1) * COL_GAP
    height = boxes_bottom + PAD + 18 + 30 * len(long_edges)
    pos: dict[int, tuple[int, int]] = {}
    for col, items in columns.items():
        offset = (rows - len(items)) * (BOX_H + ROW_GAP) // 2
        for row, st in enumerate(items):
            pos[st.index] = (PAD + col * (BOX_W + COL_GAP), PAD + offset + row * (BOX_H + ROW_GAP))
    parts = [
        f'<svg class="graph" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-label="stage graph" xmlns="http://www.w3.org/2000/svg">',
        "<defs>"
        + "".join(
            f'<marker id="arrow-{k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            f'fill="{c}"/></marker>'
            for k, c in (
                ("copy", "#2563eb"),
                ("from", "#6b7280"),
                ("mount", "#7c3aed"),
                ("off", "#c4c8cf"),
            )
        )
        + "</defs>",
    ]
    for e in s.edges:
        if e.source is None or e.source not in pos:
            continue
        parts.append(_edge(e, pos, s, lanes.get(id(e))))
    for st in s.stages:
        x, y = pos[st.index]
        parts.append(_box(st, x, y, s))
    parts.append("</svg>")
    return "".join(parts)


def _edge(e: Edge, pos: dict[int, tuple[int, int]], s: Summary, lane: int | None) -> str:
    assert e.source is not None
    sx, sy = pos[e.source]
    tx, ty = pos[e.target]
    x1, y1 = sx + BOX_W, sy + BOX_H // 2
    x2, y2 = tx - 4, ty + BOX_H // 2
    live = s.stages[e.target].status != "skipped"
    kind = e.kind if live else "off"
    colour = {"copy": "#2563eb", "from": "#6b7280", "mount": "#7c3aed", "off": "#c4c8cf"}[kind]
    dash = ' stroke-dasharray="6 5"' if e.kind != "copy" or not live else ""
    mid = (x1 + x2) // 2
    ly = (y1 + y2) // 2 - 6
    if lane is None:
        path = f"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"
    else:
        a, b = x1 + COL_GAP // 2, x2 - COL_GAP // 2
        path = (
            f"M{x1},{y1} C{a},{y1} {x1},{lane} {a},{lane} L{b},{lane} "
            f"C{x2},{lane} {b},{y2} {x2},{y2}"
        )
        ly = lane - 6
    if e.kind == "copy":
        label = "COPY --from"
        if e.files is not None:
            label += f" · {plural(e.files, 'file')} · {human_size(e.bytes or 0)}"
    elif e.kind == "mount":
        label = "RUN --mount from"
    else:
        label = "FROM (based on)"
    title = _e(f"{e.text} ({s.file}:{e.line})")
    return (
        f'<g class="edge"><title>{title}</title><path d="{path}" fill="none" stroke="{colour}" '
        f'stroke-width="2.2"{dash} marker-end="url(#arrow-{kind})"/>'
        f'<text x="{mid}" y="{ly}" text-anchor="middle" class="elabel" fill="{colour}">'
        f"{_e(label)}</text></g>"
    )


def _box(st: StageInfo, x: int, y: int, s: Summary) -> str:
    colour, fill = COLOURS[st.status], FILLS[st.status]
    dash = ' stroke-dasharray="7 5"' if st.status == "skipped" else ""
    opacity = ' opacity="0.55"' if st.status == "skipped" else ""
    base = st.base if len(st.base) <= 30 else st.base[:29] + "…"
    size = human_size(st.size) if st.size is not None else "not built"
    first, last = st.steps
    steps = f"step {first}" if first == last else f"steps {first}–{last}"
    return (
        f'<g class="stage {st.status}" data-stage="{_e(st.name)}"{opacity}>'
        f"<title>{_e(st.name)}: {_e(st.reason)}</title>"
        f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="10" fill="{fill}" '
        f'stroke="{colour}" stroke-width="{3 if st.status == "final" else 2}"{dash}/>'
        f'<text x="{x + 14}" y="{y + 26}" class="sname">{_e(st.name)}</text>'
        f'<text x="{x + BOX_W - 12}" y="{y + 26}" text-anchor="end" class="ssize" '
        f'fill="{colour}">{_e(size)}</text>'
        f'<text x="{x + 14}" y="{y + 48}" class="sbase">FROM {_e(base)}</text>'
        f'<text x="{x + 14}" y="{y + 72}" class="sstatus" fill="{colour}">'
        f"{_e(LABELS[st.status])} · {_e(steps)}</text></g>"
    )


# --- sizes ----------------------------------------------------------------------------------


def size_bars(s: Summary) -> str:
    biggest = max((st.size or 0 for st in s.stages), default=0) or 1
    rows = []
    for st in s.stages:
        if st.size is None:
            rows.append(
                f'<div class="bar-row skipped"><span class="bname">{_e(st.name)}</span>'
                '<div class="track"></div><span class="bsize">not built (skipped)</span></div>'
            )
            continue
        base_pct = 100 * st.base_size / biggest
        added_pct = 100 * (st.size - st.base_size) / biggest
        segs = (
            f'<div class="seg base" style="width:{base_pct:.3f}%" '
            f'title="base {_e(st.root_base)}: {_e(human_size(st.base_size))}"></div>'
            f'<div class="seg added {st.status}" style="width:max({added_pct:.3f}%,3px)" '
            f'title="added by the Dockerfile: {_e(human_size(st.size - st.base_size))}"></div>'
        )
        label = {"final": "final image", "base": "its base", "built": "discarded"}[st.status]
        rows.append(
            f'<div class="bar-row {st.status}"><span class="bname">{_e(st.name)}'
            f'<small>{_e(label)}</small></span><div class="track">{segs}</div>'
            f'<span class="bsize">{_e(human_size(st.size))} '
            f"<small>= {_e(human_size(st.base_size))} {_e(st.root_base)} + "
            f"{_e(human_size(st.size - st.base_size))}</small></span></div>"
        )
    return "".join(rows)


def layer_table(s: Summary) -> str:
    layers = [(st, layer) for st in s.stages for layer in st.layers]
    if not layers:
        return "<p class=muted>No instruction of this build made a layer.</p>"
    rows = []
    for st, layer in layers:
        # Scaled to the stage's whole image: a 654-byte layer on a 62.9MB base is a sliver,
        # not a full bar (scaling to the largest layer made every lone layer look huge).
        pct = 100 * layer.size / (st.size or 1)
        rows.append(
            f'<tr class="{st.status}"><td>{_e(st.name)}</td><td class="num">{layer.line}</td>'
            f"<td><code>{_e(layer.text)}</code></td>"
            f'<td class="num">{_e(human_size(layer.size))}</td>'
            f'<td class="lbar" title="{pct:.2f}% of the {_e(st.name)} image">'
            f'<div class="lfill {st.status}" style="width:max({pct:.3f}%,2px)"></div></td></tr>'
        )
    return (
        '<table class="layers"><thead><tr><th>stage</th><th>line</th><th>instruction</th>'
        "<th>size</th><th>share of its image</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def crossings(s: Summary) -> str:
    items = s.crossings
    if not items:
        return "<p class=muted>Nothing crossed between stages.</p>"
    rows = "".join(
        f"<tr><td>{_e(e.source_name if e.source is not None else 'image ' + e.source_name)}</td>"
        f"<td>→ {_e(s.stages[e.target].name)}</td><td><code>{_e(e.text)}</code></td>"
        f'<td class="num">{s.file}:{e.line}</td><td class="num">{plural(e.files or 0, "file")}'
        f'</td><td class="num">{_e(human_size(e.bytes or 0))}</td></tr>'
        for e in items
    )
    return f'<table class="crossed"><tbody>{rows}</tbody></table>'


def run_section(outputs: tuple[Any, ...], file: str) -> str:
    """What each RUN printed, folded away."""
    items = []
    for o in outputs:
        text = (o.stdout + o.stderr).decode("utf-8", "replace")
        lines = text.splitlines()
        shown = "\n".join(lines[:200]) + ("\n…" if len(lines) > 200 else "")
        items.append(
            f"<details><summary><code>{_e(o.command)}</code> <span class=muted>({file}:{o.line}, "
            f"exit {o.status}, {plural(len(lines), 'line')})</span></summary>"
            f"<pre>{_e(shown) or '(no output)'}</pre></details>"
        )
    if not items:
        return ""
    return "<h3>What RUN printed</h3>" + "".join(items)


# --- the file tree with provenance ----------------------------------------------------------


def _owners(image: Image) -> tuple[dict[int, str], dict[int, str]]:
    from emu.fs import FS
    from emu.fs.accounts import Names

    o = Names.of(FS(image.rootfs.root))
    return o.users, o.groups


# What a file's provenance panel shows: (the chain, the chain on one line, the lesson).
Describe = Callable[[str, "LayerOrigin | None"], tuple[list[str], str, str]]


def file_tree(result: BuildResult, s: Summary) -> tuple[str, list[dict[str, Any]]]:
    """The final image's tree and the provenance records its files point at (by index):
    each file this Dockerfile wrote carries the chain ``emu explain`` prints."""
    from emu.errors import EmuError
    from emu.teach.explain import explain, moral, oneline

    file = result.dockerfile.file
    final = result.target.name

    def describe(path: str, origin: LayerOrigin | None) -> tuple[list[str], str, str]:
        if origin is None:
            return (
                [f"base image {s.root_base}:{path}"],
                f"{path} ← base image {s.root_base}",
                "Already in the base image; this Dockerfile did not touch it.",
            )
        try:
            hops = explain(result, path)
        except EmuError as exc:
            return [exc.message], exc.message, ""
        return [str(h) for h in hops], oneline(hops, file), moral(hops, final)

    return image_tree(result.image, describe)


def image_tree(image: Image, describe: Describe | None = None) -> tuple[str, list[dict[str, Any]]]:
    """An image's tree (files its own layers wrote first and in bold) and the records its
    files point at; without ``describe``, a file's record names the instruction that wrote
    it, as the image's layers recorded it."""
    from emu.fs import Blob, Dir, File, Node, Symlink, mode_string
    from emu.teach.explain import ran_in, writers

    written: dict[str, LayerOrigin] = writers(image)
    users, groups = _owners(image)
    records: list[dict[str, Any]] = []
    base = image.name or "the base image"
    hot = set()
    for path in written:
        parts = path.split("/")
        for i in range(1, len(parts)):
            hot.add("/".join(parts[:i]) or "/")

    def by_layer(path: str, origin: LayerOrigin | None) -> tuple[list[str], str, str]:
        if origin is None:
            return [f"{base}:{path}"], f"{path} ← {base}", ""
        how = f"{origin.text} (line {origin.line}, {ran_in(origin.stage_name, origin.trigger)})"
        return [how], f"{path} ← {how}", ""

    tell = describe or by_layer

    def meta(node: Node) -> str:
        owner = (
            f"{users.get(node.meta.uid, node.meta.uid)}:{groups.get(node.meta.gid, node.meta.gid)}"
        )
        size = "" if isinstance(node, Dir) else human_size(node.size)
        return f"{mode_string(node)} {owner} {size}".strip()

    def record(path: str, node: Node) -> int:
        origin = written.get(path)
        chain, text, lesson = tell(path, origin)
        records.append(
            {
                "path": path,
                "meta": meta(node),
                "chain": chain,
                "oneline": text,
                "lesson": lesson,
                "added": origin is not None,
            }
        )
        return len(records) - 1

    def render(top: Dir) -> str:
        # Depth first with an explicit stack (a tree may be thousands of levels deep): a
        # directory's opening tags, its entries, then its closing tags.
        items: list[str] = []
        stack: list[tuple[Dir, str, list[str], int]] = [(top, "/", sorted(top.entries), 0)]
        while stack:
            d, prefix, names, i = stack.pop()
            if i >= len(names):
                if stack:
                    items.append("</ul></details></li>")
                continue
            stack.append((d, prefix, names, i + 1))
            name = names[i]
            node = d.entries[name]
            path = f"{prefix}/{name}" if prefix != "/" else f"/{name}"
            added = path in written
            cls = "added" if added else "base"
            if isinstance(node, Dir):
                open_ = " open" if path in hot else ""
                items.append(
                    f'<li class="dir {cls if added else ""}"><details{open_}><summary>'
                    f'<span class="name">{_e(name)}/</span> <span class="meta">{_e(meta(node))}'
                    "</span></summary><ul>"
                )
                stack.append((node, path, sorted(node.entries), 0))
            else:
                idx = record(path, node)
                shown = f"{name} → {node.target}" if isinstance(node, Symlink) else name
                tip = records[idx]["oneline"]
                blob = (
                    ' <span class="meta">(modelled content)</span>'
                    if isinstance(node, File) and isinstance(node.content, Blob)
                    else ""
                )
                items.append(
                    f'<li class="file {cls}" data-i="{idx}" title="{_e(tip)}" tabindex="0">'
                    f'<span class="name">{_e(shown)}</span> <span class="meta">'
                    f"{_e(meta(node))}</span>{blob}</li>"
                )
        return "".join(items)

    body = render(image.rootfs.root)
    added = [i for i, r in enumerate(records) if r["added"]]
    listing = "".join(
        f'<li class="file added" data-i="{i}" title="{_e(records[i]["oneline"])}" tabindex="0">'
        f'<span class="name">{_e(records[i]["path"])}</span> '
        f'<span class="meta">{_e(records[i]["meta"])}</span></li>'
        for i in added
    )
    tree = (
        f'<div class="addedbox"><h3>Written by this Dockerfile ({len(added)})</h3>'
        f'<ul class="tree flat">{listing or "<li class=muted>nothing</li>"}</ul></div>'
        '<h3>Every file</h3><div class="treebox"><ul class="tree root"><li class="dir">'
        '<details open><summary><span class="name">/</span></summary>'
        f"<ul>{body}</ul></details></li></ul></div>"
    )
    return tree, records


# --- the page -------------------------------------------------------------------------------

CSS = """
:root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--final:#15803d;--built:#b45309;--skip:#9ca3af;
--blue:#2563eb;--base:#0f766e}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);
background:#f8fafc}
main{max-width:1180px;margin:0 auto;padding:28px 32px 60px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:34px 0 12px;padding-bottom:6px;
border-bottom:2px solid var(--line)}h3{font-size:16px;margin:22px 0 8px}
.sub{color:var(--muted);margin:0 0 18px}code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,
Consolas,monospace}
.cards{display:flex;gap:14px;flex-wrap:wrap}.card{background:#fff;border:1px solid var(--line);
border-radius:12px;padding:12px 16px;min-width:200px;flex:1}
.card b{display:block;font-size:24px}.card span{color:var(--muted);font-size:13px}
.card.final b{color:var(--final)}.card.built b{color:var(--built)}
.graph-wrap{background:#fff;border:1px solid var(--line);border-radius:12px;padding:8px;
overflow-x:auto}
svg.graph{max-width:100%;height:auto;display:block}
svg.graph text{font-family:system-ui,sans-serif}.sname{font-weight:700;font-size:16px;fill:#111827}
.ssize{font-weight:700;font-size:14px}.sbase{font:13px ui-monospace,monospace;fill:#374151}
.sstatus{font-size:12.5px}.elabel{font-size:12.5px;font-weight:600;paint-order:stroke;
stroke:#fff;stroke-width:5px}
.legend{color:var(--muted);font-size:13px;margin-top:8px}.legend i{display:inline-block;
width:12px;height:12px;border-radius:3px;margin:0 5px -1px 14px}
.bar-row{display:grid;grid-template-columns:170px 1fr 300px;gap:12px;align-items:center;
margin:8px 0}.bname{font-weight:600}.bname small{display:block;font-weight:400;color:var(--muted)}
.track{height:22px;background:#eef2f7;border-radius:6px;display:flex;overflow:hidden}
.seg.base{background:repeating-linear-gradient(45deg,#94a3b8,#94a3b8 6px,#a8b3c4 6px,#a8b3c4 12px)}
.seg.added.final{background:var(--final)}.seg.added.built{background:var(--built)}
.seg.added.base{background:var(--base)}
.bsize{font-variant-numeric:tabular-nums}.bsize small{color:var(--muted)}
.bar-row.skipped{opacity:.5}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line);
border-radius:10px;overflow:hidden}td,th{padding:6px 10px;border-bottom:1px solid var(--line);
text-align:left;vertical-align:top}th{background:#f1f5f9;font-size:13px;color:#475569}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.lbar{width:22%}.lfill{height:12px;border-radius:4px;background:var(--blue)}
.lfill.built{background:var(--built)}.lfill.final{background:var(--final)}
.lfill.base{background:var(--base)}tr.base td:first-child{color:var(--base)}
tr.built td:first-child{color:var(--built)}tr.final td:first-child{color:var(--final)}
.split{display:grid;grid-template-columns:minmax(0,1.25fr) minmax(0,1fr);gap:18px;
align-items:start}
.treebox{position:relative;background:#fff;border:1px solid var(--line);border-radius:12px;
padding:10px 14px;
max-height:640px;overflow:auto}
ul.tree,ul.tree ul{list-style:none;margin:0;padding-left:18px}ul.tree.root{padding-left:0}
.tree li{margin:1px 0}.tree summary{cursor:pointer}.tree .meta{color:#9ca3af;font:12px
ui-monospace,monospace;margin-left:6px}
.tree .file{cursor:pointer;border-radius:5px;padding:0 4px}.tree .file:hover{background:#eff6ff}
.tree .file.added{font-weight:700;color:var(--final)}.tree .file.added .name::before{
content:"+ ";color:var(--final)}.tree .file.base{color:#6b7280}
.tree .file.sel{background:#dbeafe;outline:1px solid #93c5fd}
aside.prov{position:sticky;top:12px;background:#fff;border:1px solid var(--line);
border-radius:12px;padding:14px 16px}aside.prov h3{margin-top:0}
ol.chain{margin:8px 0;padding-left:20px}ol.chain li{margin:6px 0;font:13px/1.4 ui-monospace,
monospace;word-break:break-word}ol.chain li.ctx{color:#a21caf}.lesson{font-style:italic;
color:#374151;border-left:3px solid var(--blue);padding-left:10px}
.addedbox{background:#fff;border:1px solid var(--line);border-radius:12px;
padding:10px 14px}.addedbox h3{margin:2px 0 6px}ul.tree.flat{padding-left:0}
.muted{color:var(--muted)}pre{background:#0f172a;color:#e2e8f0;padding:10px 12px;
border-radius:8px;overflow:auto;font:12.5px/1.45 ui-monospace,monospace;max-height:320px}
footer{color:var(--muted);font-size:13px;margin-top:40px}
"""

# The provenance panel: clicking a file of ``scope``'s tree shows its record in ``panel``.
# A function, so the report calls it once and the playground after every build.
SCRIPT = """
function emuProvenance(scope, data, panel){
  var current = null;
  function esc(t){var d=document.createElement('div');d.textContent=t;return d.innerHTML;}
  function show(el){
    var r = data[+el.getAttribute('data-i')];
    if (current) current.classList.remove('sel');
    current = el; el.classList.add('sel');
    var items = r.chain.map(function(c){
      return '<li' + (c.indexOf('context:') === 0 ? ' class="ctx"' : '') + '>' + esc(c) + '</li>';
    }).join('');
    panel.innerHTML = '<h3>' + esc(r.path) + '</h3><p class="muted">' + esc(r.meta) + '</p>' +
      '<ol class="chain">' + items + '</ol>' +
      (r.lesson ? '<p class="lesson">' + esc(r.lesson) + '</p>' : '');
  }
  scope.querySelectorAll('.tree .file').forEach(function(el){
    el.addEventListener('click', function(){ show(el); });
    el.addEventListener('keydown', function(ev){ if (ev.key === 'Enter') show(el); });
  });
  var first = scope.querySelector('.treebox .file.added');
  if (first) {
    show(first);
    var box = scope.querySelector('.treebox');
    var top = first.getBoundingClientRect().top - box.getBoundingClientRect().top;
    box.scrollTop = Math.max(0, box.scrollTop + top - box.clientHeight / 3);
  }
}
"""


def subtitle(s: Summary, extra: str = "") -> str:
    """The Dockerfile, the target and what became of each stage, on one line."""
    counts = {k: sum(1 for st in s.stages if st.status == k) for k in COLOURS}
    bases = f"{counts['base']} base, " if counts["base"] else ""
    return (
        f'<p class="sub">{_e(s.file)} · target stage <b>{_e(s.target.name)}</b> · '
        f"{plural(len(s.stages), 'stage')}: {counts['final']} final, {bases}"
        f"{counts['built']} discarded, {counts['skipped']} skipped{_e(extra)}</p>"
    )


def cards(s: Summary) -> str:
    """The sizes that matter: the final image, its base, what the Dockerfile added, and
    what the biggest discarded stage would have weighed had it been shipped."""
    packed = (
        f"{human_size(s.base_compressed)} compressed download"
        if s.base_compressed
        else "size on disk"
    )
    shipped = [st for st in s.stages if st.status == "built" and st.size is not None]
    shipped_card = ""
    if shipped:
        worst = max(shipped, key=lambda st: st.size or 0)
        shipped_card = (
            f'<div class="card built"><b>{_e(human_size(worst.size or 0))}</b>'
            f"<span>had stage {_e(worst.name)} been shipped instead</span></div>"
        )
    return (
        '<div class="cards">'
        f'<div class="card final"><b>{_e(human_size(s.final_size))}</b><span>final image, '
        "uncompressed (docker images' SIZE)</span></div>"
        f'<div class="card"><b>{_e(human_size(s.base_size))}</b><span>its base '
        f"{_e(s.root_base)} ({_e(packed)})</span></div>"
        f'<div class="card"><b>{_e(human_size(s.added))}</b><span>added by this Dockerfile in '
        f"{plural(s.added_layers, 'layer')}</span></div>"
        f"{shipped_card}</div>"
    )


LEGEND = (
    '<p class="legend"><i style="background:#15803d"></i>final image'
    '<i style="background:#0f766e"></i>its base stage'
    '<i style="background:#b45309"></i>built, then discarded'
    '<i style="background:#9ca3af"></i>skipped (not needed by the target)'
    '<i style="background:#2563eb"></i>COPY --from: what crossed'
    '<i style="background:#6b7280"></i>FROM another stage</p>'
)


def render_html(
    result: BuildResult,
    summary: Summary | None = None,
    *,
    title: str = "",
    image_id: str = "",
    tags: list[str] | tuple[str, ...] = (),
    run_outputs: tuple[Any, ...] = (),
) -> str:
    from emu.teach.summary import summarize

    s = summary or summarize(result)
    tree, records = file_tree(result, s)
    name = title or (tags[0] if tags else "") or "the build"
    idline = f" · image {image_id.removeprefix('sha256:')[:12]}" if image_id else ""
    head = f"<h1>emu build report: {_e(name)}</h1>{subtitle(s, idline)}{cards(s)}"
    body = (
        f"<main>{head}"
        f'<h2>Stages</h2><div class="graph-wrap">{stage_graph(s)}</div>{LEGEND}'
        f"<h2>What crossed between stages</h2>{crossings(s)}"
        f"<h2>Size per stage</h2>{size_bars(s)}"
        f"<h3>Layers this Dockerfile made</h3>{layer_table(s)}"
        f"{run_section(run_outputs, s.file)}"
        "<h2>Files of the final image</h2>"
        '<p class="muted">Bold green files were written by this Dockerfile; the others come '
        "with the base image. Hover a file for its provenance, click it for the whole chain."
        "</p>"
        f'<div class="split"><div>{tree}</div>'
        '<aside class="prov"><div id="prov-body"><p class="muted">Click a file to see where '
        "it came from.</p></div></aside></div>"
        "<footer>Generated by emu, an offline emulator of docker build. This page is "
        "self-contained: no network, no external scripts.</footer></main>"
    )
    data = json.dumps(records).replace("</", "<\\/")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>emu build report: {_e(name)}</title><style>{CSS}</style></head>"
        f'<body>{body}<script type="application/json" id="provenance">{data}</script>'
        f"<script>{SCRIPT}emuProvenance(document, JSON.parse(document.getElementById('provenance')"
        ".textContent), document.getElementById('prov-body'));</script></body></html>\n"
    )


# --- a failed build -------------------------------------------------------------------------

FAILED_CSS = """
.fail{background:#fef2f2;border:1px solid #fecaca;border-radius:12px;padding:14px 18px}
.fail h2{border:none;margin:0 0 6px;color:#b91c1c}.fail pre{max-height:none}
.hint{color:#0e7490}table.steps td.state{font-weight:700;white-space:nowrap}
td.state.DONE{color:var(--final)}td.state.CACHED{color:var(--blue)}td.state.ERROR{color:#b91c1c}
td.state.notrun,td.state.skipped{color:var(--muted)}tr.ERROR{background:#fef2f2}
"""

# A failed step's output on the page: all of it up to this many lines, then what was cut.
FAILED_OUTPUT_LINES = 2000


def render_failed_html(
    df: Dockerfile,
    steps: list[StepEvent] | tuple[StepEvent, ...],
    error: EmuError,
    source: str,
    needed: tuple[int, ...] | None = None,
) -> str:
    """The page of a build that failed: every step up to where it stopped, the failing
    step's output and the error, and what never ran."""
    from emu.errors import code_frame
    from emu.teach.summary import step_numbers

    failed = next((e for e in reversed(steps) if e.error), None)
    by_line = {(e.stage, e.line): e for e in steps if not e.text.startswith("# ONBUILD ")}
    reached = {e.stage for e in steps}
    numbers = step_numbers(df)
    total = sum(1 + len(st.commands) for st in df.stages)
    rows = []
    for st in df.stages:
        for inst in (st.from_, *st.commands):
            e = by_line.get((st.index, inst.line))
            if e is None:
                wanted = needed is None or st.index in needed or st.index in reached
                state = "not run" if wanted else "skipped"
            elif e.error:
                state = "ERROR"
            elif e.cached:
                state = "CACHED"
            else:
                state = "DONE"
            secs = f"{e.seconds:.2f}s" if e is not None else ""
            rows.append(
                f'<tr class="{state.replace(" ", "")}"><td>{_e(st.display_name)}</td>'
                f'<td class="num">{numbers.get((st.index, inst.line), 0)}/{total}</td>'
                f'<td class="num">{inst.line}</td><td><code>{_e(inst.source)}</code></td>'
                f'<td class="state {state.replace(" ", "")}">{_e(state)}</td>'
                f'<td class="num">{secs}</td></tr>'
            )
    where = (
        f"{failed.vertex or failed.text} ({df.file}:{failed.line})"
        if failed is not None
        else f"{error.location}"
    )
    frame = code_frame(source, error.span) if error.span is not None else ""
    hint = f'<p class="hint">hint: {_e(error.hint)}</p>' if error.hint else ""
    output = ""
    if failed is not None and failed.output:
        lines = failed.output.decode("utf-8", "replace").splitlines()
        shown = "\n".join(lines[:FAILED_OUTPUT_LINES])
        if len(lines) > FAILED_OUTPUT_LINES:
            shown += f"\n… {len(lines) - FAILED_OUTPUT_LINES} more lines not shown"
        output = (
            f"<h3>What the failing step printed ({plural(len(lines), 'line')})</h3>"
            f"<pre>{_e(shown)}</pre>"
        )
    body = (
        f"<main><h1>emu build report: the build failed</h1>"
        f'<p class="sub">{_e(df.file)} · stopped at <b>{_e(where)}</b></p>'
        f'<div class="fail"><h2>Error</h2><pre>{_e(str(error))}</pre>'
        f"{'<pre>' + _e(frame) + '</pre>' if frame else ''}{hint}</div>"
        f"{output}"
        "<h2>Steps</h2>"
        '<p class="muted">Every instruction of the Dockerfile: what ran (DONE), what the layer '
        "cache answered (CACHED), where the build stopped (ERROR), and what never ran.</p>"
        '<table class="steps"><thead><tr><th>stage</th><th>step</th><th>line</th>'
        "<th>instruction</th><th>state</th><th>time</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        "<footer>Generated by emu, an offline emulator of docker build. This page is "
        "self-contained: no network, no external scripts.</footer></main>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>emu build report: failed</title><style>{CSS}{FAILED_CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )
