"""``mkdocs``, modelled: ``mkdocs build`` renders a MkDocs project into its site folder.

The project is ``mkdocs.yml`` (or ``-f FILE``) and its ``docs_dir`` (default ``docs``); the
site goes to ``site_dir`` (default ``site``, or ``-d DIR``). Each Markdown page becomes an
HTML page (``about.md`` -> ``about/index.html``, MkDocs' directory URLs), the other files of
the docs folder are copied as they are, and the theme's assets, the search index and the
sitemap are written beside them. Pages are sized from their sources, the theme's files are
a size-only estimate; Markdown is not rendered. ``mkdocs serve`` never ends, so it fails.
Only the top-level keys of mkdocs.yml that say where things are are read (no YAML parser
here: emu's lower layers do not depend on one).
"""

from __future__ import annotations

import posixpath
import re

from emu.fs import File
from emu.sh.api import Proc
from emu.sh.options import Syntax
from emu.sh.tools._base import ToolError, Writer, modelled, never_ends, tool
from emu.sh.tools._data import mb
from emu.sh.tools._image import node_at, read_text, walk_files

MKDOCS = Syntax("-f|--config-file= -d|--site-dir= -t|--theme=", short=True)
MKDOCS_VERSION = "1.6.0"
# The theme's CSS, JavaScript, fonts and the search worker a built site carries: MkDocs'
# own theme about 1.2 MB, Material for MkDocs about 3.6 MB (ESTIMATES from typical sites).
THEME_ASSETS = {"mkdocs": 1_200_000, "readthedocs": 900_000, "material": 3_600_000}
PAGE_CHROME = 9_000  # the theme's HTML around a page's content (an estimate)


def _setting(text: str, key: str) -> str | None:
    """A top-level ``key: value`` of mkdocs.yml (``theme: {name: x}`` / ``name:`` below it)."""
    m = re.search(rf"^{key}:[ \t]*['\"]?([^'\"\n#]*?)['\"]?[ \t]*(?:#.*)?$", text, re.M)
    if m is None:
        return None
    value = m.group(1).strip()
    if value or key != "theme":
        return value or None
    below = re.search(r"^theme:[ \t]*\n(?:[ \t]+.*\n)*?[ \t]+name:[ \t]*['\"]?([\w-]+)", text, re.M)
    return below.group(1) if below else None


@tool("mkdocs", note="modelled: mkdocs build (pages, theme assets, search index; an estimate)")
def mkdocs(proc: Proc) -> int:
    args = proc.argv[1:]
    if args[:1] in (["--version"], ["-V"]):
        proc.out(f"mkdocs, version {MKDOCS_VERSION}\n")
        return 0
    cmd = args[0] if args else "--help"
    o = MKDOCS.parse(args[1:])
    if cmd == "serve":
        raise never_ends("mkdocs serve serves the site", "; use mkdocs build")
    if cmd != "build":
        proc.out("Usage: mkdocs [OPTIONS] COMMAND [ARGS]...\n\n  MkDocs - Project documentation"
                 " with Markdown.\n")  # fmt: skip
        return 0 if cmd in ("--help", "-h") else 2
    config = proc.path(o.get("--config-file") or "mkdocs.yml")
    text = read_text(proc, config)
    if text is None:
        raise ToolError(f"Error: Config file '{posixpath.basename(config)}' does not exist.", 1)
    root = posixpath.dirname(config)
    docs = posixpath.join(root, _setting(text, "docs_dir") or "docs")
    site = proc.path(
        o.get("--site-dir") or posixpath.join(root, _setting(text, "site_dir") or "site")
    )
    theme = o.get("--theme") or _setting(text, "theme") or "mkdocs"
    if node_at(proc, docs) is None:
        raise ToolError(
            f"Error: The path '{docs}' isn't an existing directory.\n"
            "Aborted with a configuration error!",
            1,
        )
    w = Writer(proc)
    proc.stderr.write("INFO    -  Cleaning site directory\n")
    w.remove(site)
    proc.stderr.write(f"INFO    -  Building documentation to directory: {site}\n")
    pages = 0
    total = 0
    for path in walk_files(proc, docs):
        node = node_at(proc, path)
        if not isinstance(node, File):
            continue
        rel = posixpath.relpath(path, docs)
        if rel.endswith(".md"):
            stem = rel[:-3]
            page = (
                posixpath.join(posixpath.dirname(stem), "index.html")
                if posixpath.basename(stem) in ("index", "README")
                else posixpath.join(stem, "index.html")
            )
            size = PAGE_CHROME + 2 * node.size
            w.blob(posixpath.join(site, page), size, f"page rendered from {rel} (modelled size)")
            pages += 1
            total += size
        else:
            w.file(posixpath.join(site, rel), node.content)
    assets = THEME_ASSETS.get(theme, THEME_ASSETS["mkdocs"])
    label = f"the {theme} theme's CSS, JavaScript and fonts (modelled size, an estimate)"
    w.blob(f"{site}/assets/emu-theme-{theme}.blob", assets, label)
    index = "the search index of the pages (modelled size)"
    w.blob(f"{site}/search/search_index.json", 1_000 + total // 4, index)
    w.blob(f"{site}/404.html", PAGE_CHROME, "the theme's 404 page (modelled size)")
    w.file(f"{site}/sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<urlset/>\n')
    proc.stderr.write("INFO    -  Documentation built in 0.42 seconds\n")
    modelled(proc, f"mkdocs build ({pages} pages, {mb(total + assets)} in {site})")
    return 0
