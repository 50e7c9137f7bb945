"""``emu build`` with the docker build flags scripts and CI use, checked against a real docker.

Recorded with the docker 28.2.2 client and Docker 20.10.24's BuildKit (the oracle, offline):

* ``docker build --bogus .`` prints ``unknown flag: --bogus`` (``-Z``: ``unknown shorthand
  flag: 'Z' in -Z``) and exits 125; emu keeps its documented exit 2.
* ``-q`` prints ``sha256:<64 hex>`` and nothing else; ``--iidfile F`` writes the same ID
  without a newline; ``--label k`` sets ``k`` to "" and adds no history entry.
* ``--add-host db:10.0.0.5`` adds ``10.0.0.5<TAB>db`` to RUN's ``/etc/hosts``; a bad value is
  ``invalid argument "db" for "--add-host" flag: bad format for add-host: "db"``;
  ``--network bogus`` is ``network mode "bogus" not supported by buildkit``.
* ``--secret id=x,src=F``: ``RUN --mount=type=secret,id=x`` reads ``/run/secrets/x``, mode
  0400 root's (``mode=``, ``uid=`` as asked); ``target=`` elsewhere; a secret the build was
  not given is skipped, or fails with ``required=true``: ``secret missing not found: not
  found``. The secret is in no layer; the mount point's parents (``/run/secrets``) are.
* ``--ssh default``: ``RUN --mount=type=ssh`` sees ``SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0``
  (set even when no agent was given), the socket mode 0600; ``required=true`` without one
  fails with ``no SSH key "" forwarded from the client``.
* ``created``: each layer's history entry has the time its layer was made (a rebuild that
  hits the cache keeps the times, and the image ID); an entry without a layer takes the
  time of the nearest layer (BuildKit's normalizeLayersAndHistory); the config's is the last.
* A layer holding only a symlink is 0 B in ``docker history`` and ``docker image inspect``;
  a file and a symlink, the file's size.
"""

from __future__ import annotations

import base64
import io
import json
import re
import tarfile
from pathlib import Path

import pytest

from emu.cli import main


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EMU_HOME", str(tmp_path / "emu-home"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return tmp_path / "emu-home"


def context(tmp_path: Path, dockerfile: str, **files: str) -> Path:
    ctx = tmp_path / "ctx"
    ctx.mkdir(exist_ok=True)
    (ctx / "Dockerfile").write_text(dockerfile)
    for name, text in files.items():
        (ctx / name).write_text(text)
    return ctx


def build(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> tuple[str, str]:
    assert main(["build", *argv]) == code
    out, err = capsys.readouterr()
    return out, err


def inspect(capsys: pytest.CaptureFixture[str], ref: str) -> dict[str, object]:
    assert main(["inspect", ref]) == 0
    doc: dict[str, object] = json.loads(capsys.readouterr().out)[0]
    return doc


# --- bad flags ----------------------------------------------------------------------------------


def test_unknown_flags_say_so_as_docker_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = context(tmp_path, "FROM scratch\n")
    _, err = build(capsys, "--bogus", str(ctx), code=2)
    assert "unknown flag: --bogus" in err and "emu build --help" in err
    _, err = build(capsys, "--bogus=1", str(ctx), code=2)
    assert "unknown flag: --bogus\n" in err
    _, err = build(capsys, "-Z", str(ctx), code=2)
    assert "unknown shorthand flag: 'Z' in -Z" in err


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        (
            ["--add-host", "db"],
            'invalid argument "db" for "--add-host" flag: bad format for add-host: "db"',
        ),
        (
            ["--add-host", "db:notanip"],
            'invalid argument "db:notanip" for "--add-host" flag: invalid IP address in '
            'add-host: "notanip"',
        ),
        (["--network", "bogus"], 'network mode "bogus" not supported by buildkit'),
        (["--secret", "src=/x"], "could not parse secrets: [src=/x]: secret missing ID"),
        (
            ["--secret", "id=x,foo=bar"],
            "could not parse secrets: [id=x,foo=bar]: unexpected key 'foo' in 'foo=bar'",
        ),
        (
            ["--secret", "id=x,src=/nonexistent"],
            "could not parse secrets: [id=x,src=/nonexistent]: failed to stat /nonexistent: "
            "stat /nonexistent: no such file or directory",
        ),
        (
            ["--ssh", "other=/nonexist"],
            "could not parse ssh: [other=/nonexist]: stat /nonexist: no such file or directory",
        ),
    ],
)
def test_bad_values_are_refused_with_dockers_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: list[str], message: str
) -> None:
    ctx = context(tmp_path, "FROM scratch\n")
    _, err = build(capsys, *flag, str(ctx), code=2)
    assert message in " ".join(err.split())


# --- what a script reads back -------------------------------------------------------------------


def test_quiet_prints_only_the_image_id_and_iidfile_has_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = context(tmp_path, "FROM busybox\nRUN echo hi > /x\n")
    iid = tmp_path / "iid"
    out, err = build(capsys, "-q", "--iidfile", str(iid), str(ctx))
    assert out.startswith("sha256:") and len(out) == len("sha256:") + 64 + 1
    assert err == ""
    assert iid.read_text() == out.strip()  # no newline, as BuildKit writes it


def test_metadata_file_has_buildx_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = context(tmp_path, "FROM busybox\nRUN echo hi > /x\n")
    meta = tmp_path / "meta.json"
    out, _ = build(capsys, "-q", "-t", "app:1", "--metadata-file", str(meta), str(ctx))
    text = meta.read_text()
    data = json.loads(text)
    image_id = out.strip()
    assert data["containerimage.config.digest"] == image_id
    assert data["containerimage.digest"] == image_id  # Docker's image store: the image ID
    assert data["image.name"] == "docker.io/library/app:1"
    builder, node, ref = data["buildx.build.ref"].split("/")
    assert (builder, node) == ("emu", "emu0") and len(ref) == 25 and ref.isalnum()
    assert text == json.dumps(data, indent=2, sort_keys=True)  # buildx's MarshalIndent

    oci = tmp_path / "image.tar"
    build(capsys, "-q", "-o", f"type=oci,dest={oci}", "--metadata-file", str(meta), str(ctx))
    data = json.loads(meta.read_text())
    with tarfile.open(oci) as tf:
        index = json.loads(tf.extractfile("index.json").read())  # type: ignore[union-attr]
    manifest = index["manifests"][0]
    assert data["containerimage.digest"] == manifest["digest"]
    desc = data["containerimage.descriptor"]
    assert (desc["digest"], desc["size"]) == (manifest["digest"], manifest["size"])
    assert desc["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert desc["annotations"]["config.digest"] == data["containerimage.config.digest"]
    assert desc["annotations"]["org.opencontainers.image.created"].endswith("Z")

    local = tmp_path / "out"
    build(capsys, "-q", "-o", f"type=local,dest={local}", "--metadata-file", str(meta), str(ctx))
    assert set(json.loads(meta.read_text())) == {"buildx.build.ref"}


def test_label_sets_labels_last_without_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = context(tmp_path, "FROM busybox\nLABEL a=dockerfile keep=yes\n")
    build(capsys, "-q", "-t", "lab", "--label", "a=b", "--label", "c", str(ctx))
    doc = inspect(capsys, "lab")
    assert doc["Config"]["Labels"] == {"a": "b", "c": "", "keep": "yes"}  # type: ignore[index]
    history = [h.get("created_by", "") for h in doc["History"]]  # type: ignore[attr-defined]
    assert history[-1] == "LABEL a=dockerfile keep=yes"


def test_output_dash_is_the_tar_on_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[bytes]
) -> None:
    ctx = context(tmp_path, "FROM scratch\nCOPY a.txt /\n", **{"a.txt": "hello\n"})
    assert main(["build", "-q", "-o", "-", str(ctx)]) == 0
    out = capsys.readouterr().out
    data = out.encode("utf-8", "surrogateescape") if isinstance(out, str) else out
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        assert tf.getnames() == ["a.txt"]  # the tar alone: no image ID after it
    _, err = build(capsys, "-o", "-", "--format", "json", str(ctx), code=2)  # type: ignore[arg-type]
    assert "cannot both go to stdout" in err


def test_accepted_flags_say_what_they_mean_here(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = context(tmp_path, "FROM busybox AS app\nRUN true\n")
    argv = ["--pull", "--network", "host", "--cache-from", "type=local,src=x"]
    _, err = build(capsys, "--progress", "plain", *argv, "--cache-to", "x", str(ctx))
    assert "--pull: nothing to pull, emu is offline" in err
    assert "--network host: RUN never has a network in emu" in err
    assert "--cache-from/--cache-to: accepted; emu uses its own layer cache" in err
    _, err = build(capsys, "--progress", "plain", "--network", "none", "--no-cache", str(ctx))
    assert "note: --network" not in err
    _, err = build(capsys, "--progress", "plain", str(ctx))
    assert "#5 CACHED" in err
    _, err = build(capsys, "--progress", "plain", "--no-cache-filter", "app", str(ctx))
    assert "#5 DONE" in err  # the RUN ran again


# --- RUN's secrets, ssh and hosts ---------------------------------------------------------------


def test_secrets_reach_run_and_never_the_image(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "token.txt"
    secret.write_text("s3cr3t")
    monkeypatch.setenv("API_KEY", "k-123")
    ctx = context(
        tmp_path,
        "FROM busybox\n"
        "RUN --mount=type=secret,id=tok cat /run/secrets/tok && ls -l /run/secrets\n"
        "RUN --mount=type=secret,id=tok,target=/etc/app/key,mode=0444,uid=123 ls -ln /etc/app\n"
        'RUN --mount=type=secret,id=api,env=KEY echo "key=$KEY"\n'
        "RUN --mount=type=secret,id=missing ls /run/secrets\n",
    )
    _, err = build(
        capsys,
        "--progress",
        "plain",
        "-t",
        "sec",
        "--secret",
        f"id=tok,src={secret}",
        "--secret",
        "id=api,env=API_KEY",
        str(ctx),
    )
    assert "s3cr3t" in err
    assert "-r--------    1 root     root             6" in err  # 0400, root's
    assert "-r--r--r--    1 123      0                6" in err  # mode= and uid=
    assert "key=k-123" in err
    assert main(["ls", "sec", "/run/secrets"]) == 0
    out, _ = capsys.readouterr()
    assert "tok" not in out  # the mount point stays, the secret does not
    assert main(["ls", "sec", "/etc/app"]) == 0
    assert "key" not in capsys.readouterr().out
    out_tar = tmp_path / "sec.tar"
    build(capsys, "-q", "--secret", f"id=tok,src={secret}", "--secret", "id=api,env=API_KEY",
          "-o", f"type=docker,dest={out_tar}", str(ctx))  # fmt: skip
    assert b"s3cr3t" not in out_tar.read_bytes() and b"k-123" not in out_tar.read_bytes()


def test_a_required_secret_or_agent_that_is_missing_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = context(tmp_path, "FROM busybox\nRUN --mount=type=secret,id=missing,required=true true\n")
    _, err = build(capsys, str(ctx), code=1)
    assert "secret missing not found: not found" in err
    (ctx / "Dockerfile").write_text("FROM busybox\nRUN --mount=type=ssh,required=true true\n")
    _, err = build(capsys, str(ctx), code=1)
    assert 'no SSH key "" forwarded from the client' in err


def test_ssh_agent_and_extra_hosts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = context(
        tmp_path,
        "FROM busybox\n"
        'RUN --mount=type=ssh echo "sock=$SSH_AUTH_SOCK" && ls -l /run/buildkit\n'
        'RUN --mount=type=ssh,id=other echo "other=$SSH_AUTH_SOCK"; ls /run/buildkit\n'
        "RUN cat /etc/hosts\n",
    )
    _, err = build(
        capsys,
        "--progress",
        "plain",
        "--ssh",
        "default",
        "--add-host",
        "db:10.0.0.5",
        "--add-host",
        "api.local=192.168.1.9",
        str(ctx),
    )
    assert "sock=/run/buildkit/ssh_agent.0" in err
    assert "rw-------    1 root     root             0" in err and "ssh_agent.0" in err
    assert "other=/run/buildkit/ssh_agent.0" in err  # set even when that agent is not given
    # (the plain log shows RUN's output with its tabs expanded)
    assert re.search(r"10\.0\.0\.5\s+db\n", err) and re.search(r"192\.168\.1\.9\s+api\.local", err)
    assert re.search(r"127\.0\.0\.1\s+localhost buildkitsandbox", err)


# --- created ------------------------------------------------------------------------------------


def history_times(capsys: pytest.CaptureFixture[str], ref: str) -> list[tuple[str, str]]:
    doc = inspect(capsys, ref)
    return [(h.get("created", ""), h.get("created_by", "")) for h in doc["History"]]  # type: ignore[attr-defined]


def test_created_is_the_layers_time_and_survives_the_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    clock = [1_767_225_600.0]  # 2026-01-01T00:00:00Z
    monkeypatch.setattr(time, "time", lambda: clock[0])
    ctx = context(tmp_path, "FROM busybox\nRUN echo a > /a\nENV X=1\nRUN echo b > /b\nLABEL l=1\n")
    first, _ = build(capsys, "-q", "-t", "t1", str(ctx))
    rows = history_times(capsys, "t1")
    assert [t for t, _ in rows] == ["2026-01-01T00:00:00Z"] * 5
    assert inspect(capsys, "t1")["Created"] == "2026-01-01T00:00:00Z"

    clock[0] += 3600  # an hour later: the cache answers every step
    again, _ = build(capsys, "-q", "-t", "t1", str(ctx))
    assert again == first  # the same image ID, as BuildKit gives for a cached rebuild

    (ctx / "Dockerfile").write_text(
        "FROM busybox\nRUN echo a > /a\nENV X=1\nRUN echo b > /b\nLABEL l=1\nRUN echo c > /c\n"
    )
    build(capsys, "-q", "-t", "t2", str(ctx))
    times = [t for t, _ in history_times(capsys, "t2")]
    # the cached layers keep their time; the new one, and what follows it, is now
    assert times == ["2026-01-01T00:00:00Z"] * 5 + ["2026-01-01T01:00:00Z"]
    assert inspect(capsys, "t2")["Created"] == "2026-01-01T01:00:00Z"

    clock[0] += 60
    third, _ = build(capsys, "-q", "--no-cache", "-t", "t1", str(ctx))
    assert third != first


def test_source_date_epoch_dates_the_image(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = context(tmp_path, "FROM busybox\nARG SOURCE_DATE_EPOCH\nRUN echo $SOURCE_DATE_EPOCH\n")
    out_tar = tmp_path / "img.tar"
    iid, err = build(
        capsys, "-q", "--source-date-epoch", "1700000000", "-o", f"type=docker,dest={out_tar}",
        "-t", "sde", str(ctx),
    )  # fmt: skip
    with tarfile.open(out_tar) as tf:
        manifest = json.loads(tf.extractfile("manifest.json").read())  # type: ignore[union-attr]
        config = json.loads(tf.extractfile(manifest[0]["Config"]).read())  # type: ignore[union-attr]
    assert config["created"] == "2023-11-14T22:13:20Z"
    assert {h["created"] for h in config["history"]} == {"2023-11-14T22:13:20Z"}
    assert iid.strip() == "sha256:" + manifest[0]["Config"].removesuffix(".json")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    again, _ = build(capsys, "-q", "--no-cache", str(ctx))
    assert again == iid  # the variable does what the flag does, and the ID is reproducible
    _, err = build(capsys, "--source-date-epoch", "soon", str(ctx), code=2)
    assert "invalid SOURCE_DATE_EPOCH 'soon'" in err
    for late in ("253402300800", "-62135596801", "999999999999"):
        _, err = build(capsys, "--source-date-epoch", late, str(ctx), code=2)
        assert f"invalid SOURCE_DATE_EPOCH '{late}': outside the years 1 to 9999" in err
        assert "Traceback" not in err
    _, err = build(capsys, "-q", "--source-date-epoch", "253402300799", str(ctx))
    assert err == ""  # the last second Go's JSON can write


# --- what the archive holds ---------------------------------------------------------------------


def test_a_modelled_base_is_said_once_with_the_way_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = context(tmp_path, "FROM alpine:3.19\nRUN echo hi > /x\n")
    dest = tmp_path / "img.tar"
    _, err = build(capsys, "--progress", "plain", "-o", f"type=docker,dest={dest}", str(ctx))
    lines = [line for line in err.splitlines() if "modelled by emu" in line]
    assert len(lines) == 1
    assert "docker run` fails (exec format error)" in lines[0]
    assert "docker save alpine:3.19 -o base.tar`, `emu load -i base.tar`" in lines[0]
    _, err = build(capsys, "-q", "-o", f"type=tar,dest={tmp_path / 'fs.tar'}", str(ctx))
    assert "modelled" not in err  # a filesystem tar is no image to run
    build(capsys, "-q", "-t", "on-alpine", str(ctx))
    layers = inspect(capsys, "on-alpine")["Emu"]["Layers"]  # type: ignore[index]
    assert [layer["Modelled"] for layer in layers] == [True, False]


def test_symlinks_weigh_nothing_in_a_layer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = context(
        tmp_path,
        "FROM busybox\nRUN echo hi > /x && ln -s /x /y\nRUN ln -s /abcdefghijklmnopqrstuvwxyz /w\n",
    )
    build(capsys, "-q", "-t", "links", str(ctx))
    assert main(["history", "--format", "json", "links"]) == 0
    rows = json.loads(capsys.readouterr().out)
    sizes = {r["CreatedBy"]: r["Size"] for r in rows}
    assert sizes["RUN /bin/sh -c echo hi > /x && ln -s /x /y # buildkit"] == 3
    assert sizes["RUN /bin/sh -c ln -s /abcdefghijklmnopqrstuvwxyz /w # buildkit"] == 0


# --- --progress rawjson -------------------------------------------------------------------------


def test_rawjson_is_the_solve_status_stream(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = context(tmp_path, "FROM busybox\nRUN echo hello\nCOPY a.txt /\n", **{"a.txt": "a\n"})
    out, err = build(capsys, "--progress", "rawjson", str(ctx))
    assert out == ""
    assert '"name":"[internal] load build definition from Dockerfile"' in err  # compact
    events = [json.loads(line) for line in err.splitlines()]  # every line one JSON object
    assert all(set(e) <= {"vertexes", "statuses", "logs", "warnings"} for e in events)
    vertexes = [v for e in events for v in e.get("vertexes", [])]
    names = [v["name"] for v in vertexes if "completed" in v]
    assert names[0] == "[internal] load build definition from Dockerfile"
    assert "[2/3] RUN echo hello" in names and names[-1] == "exporting to image"
    run = next(v for v in vertexes if v["name"] == "[2/3] RUN echo hello" and "completed" in v)
    start = next(v for v in vertexes if v["name"] == "[2/3] RUN echo hello")
    assert "completed" not in start and start["started"].endswith("Z")
    assert run["digest"].startswith("sha256:") and run["inputs"]
    logs = [log for e in events for log in e.get("logs", [])]
    assert base64.b64decode(logs[0]["data"]) == b"hello\n" and logs[0]["vertex"] == run["digest"]
    statuses = [s["id"] for e in events for s in e.get("statuses", [])]
    assert "transferring dockerfile:" in statuses and "exporting layers" in statuses
    out, err = build(capsys, "--progress", "rawjson", str(ctx))  # the second time: cached
    again = [json.loads(line) for line in err.splitlines()]
    cached = [v for e in again for v in e.get("vertexes", []) if v.get("cached")]
    assert any(v["name"] == "[2/3] RUN echo hello" for v in cached)
    (ctx / "Dockerfile").write_text("FROM busybox\nRUN echo a > /b\n")
    _, err = build(capsys, "--progress", "rawjson", str(ctx))
    assert "RUN echo a \\u003e /b" in err  # as Go's encoder escapes it
