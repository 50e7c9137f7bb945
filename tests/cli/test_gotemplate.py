"""``emu inspect --format``: Go templates as ``docker image inspect --format`` runs them.

``data/inspect_format.json`` was recorded with the docker 28.2.2 client against Docker
20.10.24 (the oracle): two images' inspect JSON and, for 152 templates, what docker printed,
its exit status and its message. Each case runs here on docker's own JSON, so what is
checked is the template language; ``test_inspect_format_of_an_emu_image`` runs the common
forms on an image emu built.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emu.cli import _gotemplate as gt
from emu.cli import main

DATA = json.loads((Path(__file__).parent / "data" / "inspect_format.json").read_text())

# Where emu refuses instead of printing what docker prints: a struct holding a pointer
# (docker prints a memory address), and nested templates (define/template/block).
REFUSED = {
    "{{.}}": "emu cannot print a DockerOCIImageConfig nested in a struct",
    "{{$t := index .RepoTags 0}}{{$t}}-{{$}}": "emu cannot print",
    '{{define "x"}}y{{end}}{{template "x"}}': "emu's template subset has no nested templates",
}


def run(template: str, doc: dict[str, Any]) -> tuple[str, int, str]:
    """What docker prints for one image: output, exit status (64 a template that does not
    parse, 1 one that fails as it runs) and message."""
    try:
        return gt.render(template, doc), 0, ""
    except gt.ParseError as exc:
        return "", 64, f"template parsing error: {exc}"
    except gt.ExecError as exc:
        return "", 1, f"template parsing error: {exc}"


@pytest.mark.parametrize(
    "case", DATA["cases"], ids=[f"{c['image']}:{c['template'][:40]}" for c in DATA["cases"]]
)
def test_recorded_docker_output(case: dict[str, Any]) -> None:
    got, code, message = run(case["template"], DATA["images"][case["image"]])
    if case["template"] in REFUSED:
        assert code != 0 and REFUSED[case["template"]] in message
        assert case["rc"] == 0  # docker prints something emu will not imitate
        return
    assert (got, code, message) == (case["stdout"], case["rc"], case["stderr"])


def test_the_common_forms() -> None:
    """The forms the issue names, spelled out (all recorded in the data as well)."""
    doc = DATA["images"]["fmt:1"]
    assert gt.render("{{.Config.Cmd}}", doc) == "[echo hello x]"
    assert gt.render("{{json .Config.Cmd}}", doc) == '["echo hello","x"]'
    assert gt.render("{{range .RepoTags}}{{.}} {{end}}", doc) == "fmt:1 fmt:latest "
    assert gt.render('{{index .Config.Labels "maintainer"}}', doc) == "me"
    assert gt.render("{{.Id}}", doc).startswith("sha256:7da8179c")
    assert gt.render("{{.Size}}", doc) == "1984241"


def test_a_template_is_never_echoed() -> None:
    with pytest.raises(gt.ParseError, match="unexpected EOF"):
        gt.render("{{if .Os}}x", DATA["images"]["fmt:1"])
    with pytest.raises(gt.ParseError, match='function "table" not defined'):
        gt.render("{{table .Os}}", DATA["images"]["fmt:1"])


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        (0, "0s"),
        (500_000_000, "500ms"),
        (1_500, "1.5µs"),
        (90_000_000_000, "1m30s"),
        (3_600_000_000_000, "1h0m0s"),
        (3_723_500_000_000, "1h2m3.5s"),
        (-2_000_000_000, "-2s"),
    ],
)
def test_durations_print_as_go(ns: int, text: str) -> None:
    assert str(gt.Duration(ns)) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.5, "1.5"),
        (100000.0, "100000"),
        (1984241.0, "1.984241e+06"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (-2.25, "-2.25"),
    ],
)
def test_floats_print_as_go(value: float, text: str) -> None:
    assert gt.show(value) == text


def test_variables_scope_and_assignment() -> None:
    doc = DATA["images"]["fmt:1"]
    text = "{{$n := 0}}{{range .Config.Env}}{{$n = len .}}{{end}}{{$n}}"
    assert gt.render(text, doc) == str(len(doc["Config"]["Env"][-1]))
    with pytest.raises(gt.ParseError, match="undefined variable"):
        gt.render("{{range .RepoTags}}{{$x := .}}{{end}}{{$x}}", doc)
    template = "{{range $i, $t := .RepoTags}}{{if gt $i 0}},{{end}}{{$t}}{{end}}"
    assert gt.render(template, doc) == "fmt:1,fmt:latest"
    assert gt.render("{{with $x := .Os}}{{$x}}{{end}}", doc) == "linux"


def test_else_if_and_continue() -> None:
    doc = DATA["images"]["fmt:1"]
    template = '{{if eq .Os "windows"}}w{{else if eq .Os "linux"}}l{{else}}?{{end}}'
    assert gt.render(template, doc) == "l"
    loop = '{{range .RepoTags}}{{if eq . "fmt:1"}}{{continue}}{{end}}{{.}}{{end}}'
    assert gt.render(loop, doc) == "fmt:latest"


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EMU_HOME", str(tmp_path / "emu-home"))
    return tmp_path


def test_inspect_format_of_an_emu_image(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = home / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(
        "FROM busybox\nLABEL org.opencontainers.image.title=demo\nENV A=1\n"
        'EXPOSE 80\nHEALTHCHECK --interval=1m30s CMD ["true"]\nCMD ["echo", "hi"]\n'
    )
    assert main(["build", "-q", "-t", "demo", str(ctx)]) == 0
    image_id = capsys.readouterr().out.strip()

    def inspect(template: str, code: int = 0) -> tuple[str, str]:
        assert main(["inspect", "--format", template, "demo"]) == code
        out, err = capsys.readouterr()
        return out, err

    assert inspect("{{.Config.Cmd}}")[0] == "[echo hi]\n"
    assert inspect("{{.Id}}")[0] == image_id + "\n"
    config = json.loads(inspect("{{json .Config}}")[0])
    assert config["ExposedPorts"] == {"80/tcp": {}} and config["Cmd"] == ["echo", "hi"]
    env = inspect("{{range .Config.Env}}{{println .}}{{end}}")[0]
    assert env.startswith("PATH=") and env.endswith("\nA=1\n\n")  # println's, then docker's
    title = inspect('{{index .Config.Labels "org.opencontainers.image.title"}}')[0]
    assert title == "demo\n"
    assert inspect("{{.Config.Healthcheck.Interval}} {{.Config.StopSignal}}|")[0] == "1m30s |\n"
    assert inspect("{{.Config.ExposedPorts}}")[0] == "map[80/tcp:{}]\n"
    assert inspect("{{.Config.Shell}} {{.Config.Volumes}}")[0] == "[] map[]\n"
    assert inspect("{{json .Emu.Base}}")[0] == '"busybox"\n'  # emu's own section, raw
    out, err = inspect("{{.Config.Cmd", code=2)  # never echoed with exit 0
    assert out == "" and "template parsing error: template: :1: unclosed action" in err
    out, err = inspect("{{index .RepoTags 3}}", code=1)
    assert out == "" and "error calling index: index out of range: 3" in err
