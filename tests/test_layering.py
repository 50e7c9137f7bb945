"""The layering the README's design section draws is the layering of ``emu/``.

Every import in every module (top-level, inside functions, under TYPE_CHECKING alike) is an
edge between packages; an edge may only point to an earlier package in the README's
table, and the heavy third-party libraries stay in the top row.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOP_ONLY = {"rich", "yaml", "hypothesis", "pytest"}


def _layers() -> list[list[list[str]]]:
    """Rows of the table; each row a list of ordered groups; each group a list of peers."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- layers:begin -->", 1)[1].split("<!-- layers:end -->", 1)[0]
    rows: list[list[list[str]]] = []
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[1].startswith("`"):
            continue
        groups = [re.findall(r"`([\w.]+)`", g) for g in cells[1].split("→")]
        rows.append(groups)
    return rows


def _rank() -> tuple[dict[str, tuple[int, int]], int]:
    rank: dict[str, tuple[int, int]] = {}
    for r, groups in enumerate(_layers()):
        for g, names in enumerate(groups):
            for name in names:
                rank[name] = (r, g)
    return rank, len(_layers()) - 1


def _unit(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "emu":
        return None
    return "emu" if len(parts) == 1 else f"emu.{parts[1]}"


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted((ROOT / "emu").rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        out.append((name, path))
    return out


def _imports(path: Path) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "emu":  # `from emu import store` names a package
                found += [(f"emu.{a.name}", node.lineno) for a in node.names]
            else:
                found.append((node.module, node.lineno))
    return found


def _edges() -> dict[str, set[tuple[str, str]]]:
    edges: dict[str, set[tuple[str, str]]] = {}
    for name, path in _modules():
        src = _unit(name)
        assert src is not None
        for target, line in _imports(path):
            dst = _unit(target)
            if dst is not None and dst != src:
                edges.setdefault(src, set()).add((dst, f"{path.relative_to(ROOT)}:{line}"))
    return edges


def test_the_table_names_every_package() -> None:
    rank, _ = _rank()
    packages = {_unit(name) for name, _ in _modules()}
    assert packages - set(rank) == set(), "packages missing from README's layer table"
    assert set(rank) - packages == set(), "README's layer table names packages that do not exist"


def test_imports_point_down_only() -> None:
    rank, _ = _rank()
    bad = []
    for src, targets in sorted(_edges().items()):
        for dst, where in sorted(targets):
            (r1, g1), (r2, g2) = rank[src], rank[dst]
            if (r2, g2) >= (r1, g1) or (r2 == r1 and g2 == g1):
                bad.append(f"{where}: {src} imports {dst}")
    assert bad == []


def test_no_cycle_between_packages() -> None:
    graph = {src: {dst for dst, _ in targets} for src, targets in _edges().items()}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*path, node, nxt]))
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


def test_heavy_libraries_only_in_the_top_layer() -> None:
    rank, top = _rank()
    bad = []
    for name, path in _modules():
        unit = _unit(name)
        assert unit is not None
        if rank[unit][0] == top:
            continue
        for target, line in _imports(path):
            if target.split(".")[0] in TOP_ONLY:
                bad.append(f"{path.relative_to(ROOT)}:{line}: {target}")
    assert bad == []


def test_no_private_name_crosses_a_package() -> None:
    """``from emu.a.b import _x`` (or a ``_module``) only from within package ``emu.a``'s
    own folder: what other packages need gets a public name."""
    bad = []
    for name, path in _modules():
        here = ".".join(name.split(".")[:-1]) if path.name != "__init__.py" else name
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.module and node.level == 0):
                continue
            if not node.module.startswith("emu."):
                continue
            is_pkg = (ROOT / node.module.replace(".", "/")).is_dir()
            owner = node.module if is_pkg else node.module.rsplit(".", 1)[0]
            last = node.module.rsplit(".", 1)[1]
            private = [a.name for a in node.names if a.name.startswith("_") and a.name[1] != "_"]
            if last.startswith("_") and not last.startswith("__"):
                private.append(node.module)
            if owner != here and private:
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: {', '.join(private)}")
    assert bad == []
