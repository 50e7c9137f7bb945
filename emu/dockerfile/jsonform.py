"""The documented JSON form of a parse (``emu parse --json``).

Schema (``"emu.parse/v1"``)::

    {
      "schema": "emu.parse/v1",
      "file": "Dockerfile",
      "escape": "\\\\",
      "directives": [{"name": "syntax", "value": "docker/dockerfile:1", "line": 1}],
      "warnings": [{"rule": "NoEmptyContinuation", "message": "…", "line": 7, "url": "…"}],
      "instructions": [
        {
          "keyword": "COPY",          # as written
          "cmd": "copy",              # lower-cased
          "flags": ["--from=build"],  # unquoted, as BuildKit keeps them
          "args": ["/app", "/srv"],   # BuildKit's split arguments (ENV/LABEL: triplets)
          "json": false,              # exec (JSON) form
          "span": {"start": {"line": 3, "column": 1}, "end": {"line": 3, "column": 27}},
          "keyword_span": {…},        # each word read, where it was written:
          "flag_spans": [{"span": {…}, "value": {…}}],  # the --flag word, its value (or null)
          "arg_spans": [{…}, {…}],    # one per arg (exec form: the JSON string literal)
          "original": "COPY --from=build /app /srv",
          "heredocs": [{"name": "EOF", "expand": true, "chomp": false, "fd": 0,
                        "content": "…", "span": {…}}],
          "child": null               # ONBUILD: the wrapped instruction, same shape
        }
      ]
    }

Lines and columns are 1-based; ``end`` is exclusive (one past the last character); a span
whose ``start`` is its ``end`` is empty (the separator of a legacy ``ENV key value``).
"""

from __future__ import annotations

from typing import Any

from emu.dockerfile.parser import Node, ParseResult
from emu.pos import Span

SCHEMA = "emu.parse/v1"


def _span(span: Span | None) -> dict[str, Any] | None:
    if span is None:
        return None
    return {
        "start": {"line": span.start.line, "column": span.start.column},
        "end": {"line": span.end.line, "column": span.end.column},
    }


def node_to_json(node: Node) -> dict[str, Any]:
    return {
        "keyword": node.keyword,
        "cmd": node.cmd,
        "flags": list(node.flags),
        "args": list(node.args),
        "json": node.json,
        "span": _span(node.span),
        "keyword_span": _span(node.keyword_span),
        "flag_spans": [
            {"span": _span(s), "value": _span(v)}
            for s, v in zip(node.flag_spans, node.flag_value_spans, strict=True)
        ],
        "arg_spans": [_span(s) for s in node.arg_spans],
        "original": node.original,
        "heredocs": [
            {
                "name": h.name,
                "expand": h.expand,
                "chomp": h.chomp,
                "fd": h.fd,
                "content": h.content,
                "span": _span(h.span),
            }
            for h in node.heredocs
        ],
        "child": node_to_json(node.child) if node.child is not None else None,
    }


def to_json(result: ParseResult) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "file": result.file,
        "escape": result.escape,
        "directives": [
            {"name": d.name, "value": d.value, "line": d.line} for d in result.directives
        ],
        "warnings": [
            {"rule": w.rule.name, "message": w.message, "line": w.line, "url": w.rule.url}
            for w in result.warnings
        ],
        "instructions": [node_to_json(n) for n in result.nodes],
    }
