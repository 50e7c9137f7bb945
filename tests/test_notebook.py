"""emu in Jupyter: results, stages and images draw themselves (HTML in a notebook, one line
of text elsewhere), and ``%load_ext emu`` gives the ``%%dockerfile`` cell magic.

IPython runs in-process (the same display machinery a Jupyter kernel uses: a cell's value
goes through IPython's formatters, whose text/html comes from ``_repr_html_``). The last
tests run the core in a fresh interpreter where rich and yaml cannot be imported, as under
Pyodide/JupyterLite.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import emu
from emu.engine.builder import BuildResult

IPython = pytest.importorskip("IPython")
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "multistage-demo"


@pytest.fixture(scope="module")
def demo() -> BuildResult:
    return emu.build(DEMO)


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "emu")
    # What a kernel sends as a cell's execute_result: the displayhook's format data (the
    # terminal shell prints its text/plain; ipykernel publishes every mimetype).
    sent: list[dict[str, str]] = []
    monkeypatch.setattr(
        ip.displayhook, "write_format_data", lambda data, md=None: sent.append(data)
    )
    ip.user_ns["__sent"] = sent
    yield ip
    ip.run_line_magic("reset", "-f")


def _sent(ip: InteractiveShell) -> list[dict[str, str]]:
    sent: list[dict[str, str]] = ip.user_ns["__sent"]
    return sent


def _texts(fragment: str) -> list[str]:
    """The text of every <text> element of an SVG fragment."""
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", fragment)]


# --- text ---------------------------------------------------------------------------------


def test_a_result_is_one_line_of_text(demo: BuildResult) -> None:
    assert repr(demo) == (
        "<BuildResult: 62.9MB image from stage stage-1 (FROM nginx:alpine); 2 stages: "
        "builder discarded 7.4MB, stage-1 final 62.9MB>"
    )
    assert repr(demo.stages[0]) == (
        "<StageResult builder discarded 7.4MB, FROM alpine:3.19: built, then discarded: "
        "not part of the final image>"
    )
    assert repr(demo.image) == "<Image stage-1: 62.9MB, 1 layer>"


def test_a_skipped_stage_says_so() -> None:
    result = emu.build(
        {"Dockerfile": "FROM alpine:3.19 AS unused\nRUN true\nFROM scratch\nCOPY a /\n", "a": "x"}
    )
    assert repr(result.stages[0]).startswith("<StageResult unused skipped, FROM alpine:3.19: ")
    assert repr(result.stages[1]) == "<StageResult stage-1 final 1B, FROM scratch: the last stage>"


def test_ipython_pretty_prints_the_same_line(demo: BuildResult) -> None:
    from IPython.lib.pretty import pretty

    assert pretty(demo) == repr(demo)


# --- HTML ---------------------------------------------------------------------------------


def test_a_result_draws_the_summary_the_stage_graph_and_the_tree(demo: BuildResult) -> None:
    page = demo._repr_html_()
    assert page is not None and page.startswith('<div class="emu-view"><style>')
    # the summary: the final size and what the discarded stage would have weighed
    assert "<b>62.9MB</b><span>final image" in page
    assert "<b>7.4MB</b><span>had stage builder been shipped instead</span>" in page
    # the stage graph: a box per stage with its fate, and the COPY --from edge with what crossed
    graph = page[page.index('<svg class="graph"') : page.index("</svg>")]
    assert 'data-stage="builder"' in graph and 'class="stage built"' in graph
    assert 'data-stage="stage-1"' in graph and 'class="stage final"' in graph
    assert "COPY --from · 1 file · 654B" in _texts(graph)
    # the tree: the file this Dockerfile wrote, with its provenance on hover
    assert '<li class="file added"' in page
    hover = re.search(r'title="(/usr/share/nginx/html/index.html ← [^"]*)"', page)
    assert hover is not None
    assert html.unescape(hover.group(1)).endswith("context:index.html")
    assert "<script" not in page  # shows the same in a notebook that is not trusted


def test_the_style_sheet_stays_inside_the_output(demo: BuildResult) -> None:
    page = demo._repr_html_()
    assert page is not None
    css = page[page.index("<style>") + 7 : page.index("</style>")]
    rules = re.findall(r"([^{}]+)\{[^{}]*\}", css)
    assert len(rules) > 40
    for selectors in rules:
        for sel in selectors.split(","):
            assert sel.startswith(".emu-view"), sel
    assert "body{" not in css and ":root" not in css


def test_a_stage_and_an_image_draw_their_files(demo: BuildResult) -> None:
    stage = demo.stages[0]._repr_html_()
    assert stage is not None
    assert "<h3>stage builder: discarded</h3>" in stage
    assert '<span class="name">/app/dist/index.html</span>' in stage  # written by the stage
    image = demo.image._repr_html_()
    assert image is not None
    assert "<h3>image stage-1</h3>" in image
    assert "<th>exposed</th><td><code>80/tcp</code></td>" in image
    assert 'title="/usr/share/nginx/html/index.html ← COPY --from=builder' in image


def test_a_cell_value_is_drawn_as_html_in_jupyter(
    shell: InteractiveShell, demo: BuildResult
) -> None:
    shell.user_ns["result"] = demo
    data, _ = shell.display_formatter.format(demo)
    assert set(data) >= {"text/plain", "text/html"}
    assert data["text/plain"] == repr(demo)
    assert 'data-stage="builder"' in data["text/html"]


# --- the %%dockerfile magic -----------------------------------------------------------------


def test_the_magic_builds_the_cell_and_displays_the_result(shell: InteractiveShell) -> None:
    cell = (DEMO / "Dockerfile").read_text()
    with capture_output() as captured:
        shell.run_cell(f"%%dockerfile {DEMO}\n{cell}", store_history=True)
    assert captured.stderr == ""
    [shown] = _sent(shell)
    assert shown["text/plain"].startswith("<BuildResult: 62.9MB image from stage stage-1")
    assert 'data-stage="builder"' in shown["text/html"]
    assert "/usr/share/nginx/html/index.html" in shown["text/html"]
    result = shell.user_ns["_"]
    assert isinstance(result, BuildResult)
    assert result.image.rootfs.fs().lookup("/usr/share/nginx/html/index.html") is not None


def test_the_magic_takes_a_target_and_build_args(shell: InteractiveShell) -> None:
    cell = textwrap.dedent(
        """\
        ARG GREETING=hello
        FROM alpine:3.19 AS first
        ARG GREETING
        RUN echo "$GREETING" > /greeting
        FROM scratch
        COPY --from=first /greeting /
        """
    )
    with capture_output() as captured:
        shell.run_cell(f"%%dockerfile --target first --build-arg GREETING=salut\n{cell}")
    assert captured.stderr == ""
    result = shell.user_ns["_"]
    assert isinstance(result, BuildResult)
    assert result.target.name == "first"
    assert [s.status for s in result.stages] == ["final", "skipped"]
    assert result.image.rootfs.fs().lookup("/greeting").data == b"salut\n"


def test_a_failing_cell_prints_the_error_not_a_traceback(shell: InteractiveShell) -> None:
    with capture_output() as captured:
        shell.run_cell("%%dockerfile\nFROM alpine:3.19\nRUN no-such-program --now\n")
    assert "Traceback" not in captured.stdout + captured.stderr
    first = captured.stderr.splitlines()[0]
    assert first.startswith("Dockerfile:2:") and "no-such-program" in first, captured.stderr
    assert "> 2 | RUN no-such-program --now" in captured.stderr
    assert _sent(shell) == []  # nothing drawn: the cell's value is None


def test_bad_magic_arguments_are_a_usage_error(shell: InteractiveShell) -> None:
    with capture_output() as captured:
        shell.run_cell("%%dockerfile --nope\nFROM scratch\n")
    assert captured.stderr.startswith("emu: error: unrecognized arguments: --nope")
    assert "hint: %%dockerfile [CONTEXT]" in captured.stderr


# --- without rich and yaml, as under Pyodide ------------------------------------------------

WITHOUT = """
import sys
for name in ("rich", "yaml"):
    sys.modules[name] = None  # an import of any of them now fails
"""


def _python(code: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", WITHOUT + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_the_core_builds_and_draws_without_rich_or_yaml() -> None:
    out = _python(
        f"""
        import emu
        result = emu.build({str(DEMO)!r})
        print(repr(result))
        print('data-stage="builder"' in result._repr_html_())
        """
    )
    assert out.splitlines() == [
        "<BuildResult: 62.9MB image from stage stage-1 (FROM nginx:alpine); 2 stages: "
        "builder discarded 7.4MB, stage-1 final 62.9MB>",
        "True",
    ]


def test_the_magic_runs_without_rich_or_yaml() -> None:
    out = _python(
        """
        from IPython.core.interactiveshell import InteractiveShell
        ip = InteractiveShell.instance()
        ip.run_line_magic("load_ext", "emu")
        ip.run_cell("%%dockerfile\\nFROM alpine:3.19\\nRUN echo hi > /hi\\n")
        print(ip.user_ns["_"].image.rootfs.fs().lookup("/hi").data)
        """
    )
    assert out.splitlines()[-1] == "b'hi\\n'"
