"""A build result, a stage and an image as a REPL and a notebook show them.

Text (``repr``) is one line: what was built, from what, how big. HTML (Jupyter's
``_repr_html_``) reuses the build report's pieces (:mod:`emu.teach.report`): the summary
cards, the stage graph and the file tree, whose files carry their provenance on hover. The
report's style sheet is scoped to the output's own element, so it cannot restyle the
notebook around it. No script: a notebook that is not trusted shows the same thing.

Plugged into :mod:`emu.images.display` by ``emu/__init__.py``.
"""

from __future__ import annotations

import re
from functools import cache

from emu.engine.builder import BuildResult, StageResult
from emu.images.image import Image
from emu.teach.fmt import human_size, plural
from emu.teach.report import (
    CSS,
    LEGEND,
    _e,
    cards,
    file_tree,
    image_tree,
    stage_graph,
    subtitle,
)
from emu.teach.summary import FATES, fate, summarize

SCOPE = "emu-view"


def text(obj: object) -> str:
    if isinstance(obj, BuildResult):
        stages = ", ".join(_stage_words(st) for st in obj.stages)
        return (
            f"<BuildResult: {human_size(obj.image.size)} image from stage {obj.target.name} "
            f"(FROM {obj.target.base}); {plural(len(obj.stages), 'stage')}: {stages}>"
        )
    if isinstance(obj, StageResult):
        return f"<StageResult {_stage_words(obj)}, FROM {obj.base}: {obj.reason}>"
    if isinstance(obj, Image):
        name = f" {obj.name}" if obj.name else ""
        return f"<Image{name}: {human_size(obj.size)}, {plural(len(obj.layers), 'layer')}>"
    raise TypeError(f"emu does not draw {type(obj).__name__}")


def _stage_words(st: StageResult) -> str:
    size = f" {human_size(st.image.size)}" if st.image is not None else ""
    return f"{st.name} {FATES[fate(st)]}{size}"


def html(obj: object) -> str:
    if isinstance(obj, BuildResult):
        s = summarize(obj)
        tree, _ = file_tree(obj, s)
        body = (
            f"<h3>emu build: {_e(obj.target.name)}</h3>{subtitle(s)}{cards(s)}"
            f'<div class="graph-wrap">{stage_graph(s)}</div>{LEGEND}'
            f"<details><summary><b>Files of the final image</b> "
            f'<span class="muted">(bold green: written by this Dockerfile; hover a file for '
            f"where it came from)</span></summary>{tree}</details>"
        )
    elif isinstance(obj, StageResult):
        head = (
            f"<h3>stage {_e(obj.name)}: {_e(FATES[fate(obj)])}</h3>"
            f'<p class="sub">FROM {_e(obj.base)} · {_e(obj.reason)}</p>'
        )
        body = head + (_image_body(obj.image) if obj.image is not None else "")
    elif isinstance(obj, Image):
        body = f"<h3>image {_e(obj.name or '(unnamed)')}</h3>" + _image_body(obj)
    else:
        raise TypeError(f"emu does not draw {type(obj).__name__}")
    return f'<div class="{SCOPE}"><style>{scoped_css()}</style>{body}</div>'


def _image_body(image: Image) -> str:
    tree, _ = image_tree(image)
    config = image.config
    facts = [
        ("size", f"{human_size(image.size)} ({human_size(image.base_size)} base + "
                 f"{plural(len(image.layers), 'layer')})"),
        ("entrypoint", " ".join(config.entrypoint) if config.entrypoint else ""),
        ("cmd", " ".join(config.cmd) if config.cmd else ""),
        ("user", config.user),
        ("workdir", config.working_dir),
        ("exposed", " ".join(config.exposed_ports)),
    ]  # fmt: skip
    rows = "".join(f"<tr><th>{k}</th><td><code>{_e(v)}</code></td></tr>" for k, v in facts if v)
    return (
        f'<table class="facts"><tbody>{rows}</tbody></table>'
        f"<details><summary><b>Files</b></summary>{tree}</details>"
    )


@cache
def scoped_css() -> str:
    """The report's style sheet with every rule under ``.emu-view`` (its page-wide rules —
    ``:root``, ``body``, ``*`` — become rules of that element)."""
    out = []
    for selectors, block in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS):
        scoped = []
        for sel in selectors.split(","):
            sel = " ".join(sel.split())
            if sel in (":root", "body", "main"):
                scoped.append(f".{SCOPE}")
            elif sel == "*":
                scoped.append(f".{SCOPE},.{SCOPE} *")
            else:
                scoped.append(f".{SCOPE} {sel}")
        out.append(f"{','.join(scoped)}{{{block}}}")
    # A notebook cell is narrower than a page and has its own margins.
    return "".join(out) + (
        f".{SCOPE}{{padding:12px 16px;max-width:none}}.{SCOPE} .graph-wrap{{margin-top:12px}}"
        f".{SCOPE} .treebox{{max-height:420px}}"
    )
