"""The hostile-input corpus: every input of issues 13 and 19, as data.

Each row is a :class:`~_harness.Case`: an id, how its input is made, the command (an ``emu``
command line or an API call), the exit status and message fragment it must end with, and
its time limit. ``SHELL`` rows are inputs for the shell and its utilities, whose fixes are
pending (marked xfail, strict: they must fail until fixed).
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from _harness import Case, Outcome, environment
from _inputs import (
    GIB,
    TIB,
    blob,
    bz2_bomb_tar,
    chardev,
    combine,
    deep_folder,
    deep_path_tar,
    deep_tree_tar,
    docker_save,
    fifo,
    files,
    gzip_bomb_tar,
    hardlink,
    header,
    longname,
    many_entries_tar_gz,
    nested_json,
    oci_layout_with_fifo_blob,
    pax,
    raw_name_file,
    raw_name_folder,
    sparse_member,
    symlink,
    tar,
)

SHELL = "shell: pending"
BUILD = ("build", "--progress", "plain")

# --- small helpers ---------------------------------------------------------------------------


def dockerfile(text: str, **more: str | bytes) -> object:
    return files({"Dockerfile": text, **more})


def build(id: str, make: object, message: str, *, args: tuple[str, ...] = (), **kw: object) -> Case:
    """``emu build --progress plain [ARGS] {in}``."""
    return Case(id, make, argv=(*BUILD, *args, "{in}"), message=message, **kw)  # type: ignore[arg-type]


def api(id: str, make: object, code: str, message: str, **kw: object) -> Case:
    return Case(id, make, api=code, message=message, **kw)  # type: ignore[arg-type]


def shell(
    id: str,
    script: str,
    *,
    status: int | tuple[int, ...] = (0, 1),
    message: str = "limit exceeded",
    limit: float = 12.0,
    xfail: str = "",
) -> Case:
    """A RUN in a library build with a 5 s deadline and a 64 MiB byte limit: it must end
    within the deadline, done (0) or stopped by a limit (1); ``status``/``message`` say
    which when only one is right."""
    code = (
        "from emu.sh.api import Limits\n"
        f"emu.build({{'Dockerfile': {('FROM busybox' + chr(10) + 'RUN ' + script)!r}}}, "
        "max_seconds=5, limits=Limits(max_bytes=64 << 20, max_output=1 << 20))\n"
    )
    return Case(
        id,
        files({}),
        api=code,
        status=status,
        message=message,
        limit=limit,
        xfail=xfail,
        area="shell",
    )


def grades(root: Path) -> dict[str, object]:
    return json.loads((root / "out" / "grades" / "grades.json").read_text(encoding="utf-8"))


def rows(root: Path) -> list[dict[str, str]]:
    text = (root / "out" / "grades" / "grades.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


RUBRIC = (
    "schemaVersion: 2.0.0\n"
    "fileExistenceTests:\n"
    "  - {name: the file is there, path: /s/hello.txt, shouldExist: true}\n"
    "commandTests:\n"
    "  - {name: the files are listed, command: ls, args: [/s], expectedOutput: [nothing]}\n"
    "emuTests:\n"
    "  limits: {maxSeconds: 10, maxMemory: 900MB}\n"
)
SPEC_FILE = (
    "schemaVersion: 2.0.0\nfileExistenceTests:\n"
    "  - {name: the file is there, path: /s/hello.txt, shouldExist: true}\n"
    "commandTests:\n"
    "  - {name: the files are listed, command: ls, args: [/s], expectedOutput: [hello]}\n"
)
COPY_ALL = "FROM busybox\nCOPY . /s/\n"


def grade(id: str, make: object, *, check: object, message: str = "", **kw: object) -> Case:
    """``emu grade {in}/subs --spec {in}/rubric.yaml --out {out}/grades -j 1``; exits 0."""
    return Case(
        id,
        combine(files({"rubric.yaml": RUBRIC}), make),  # type: ignore[arg-type]
        argv=(
            "grade",
            "{in}/subs",
            "--spec",
            "{in}/rubric.yaml",
            "--out",
            "{out}/grades",
            "-j",
            "1",
        ),
        status=0,
        message=message,
        where="stdout",
        check=check,  # type: ignore[arg-type]
        limit=kw.pop("limit", 60.0),  # type: ignore[arg-type]
        area="grading",
        **kw,  # type: ignore[arg-type]
    )


def submission(name: str, dockerfile_text: str | bytes = COPY_ALL, **more: str | bytes) -> object:
    content = {f"subs/{name}/Dockerfile": dockerfile_text, f"subs/{name}/hello.txt": "hi\n"}
    content.update({f"subs/{name}/{k}": v for k, v in more.items()})
    return files(content)


def status_of(name: str, expected: str) -> object:
    def check(outcome: Outcome, root: Path) -> None:
        found = {s["name"]: s for s in grades(root)["submissions"]}  # type: ignore[index]
        assert name in found, f"{name!r} not in grades.json: {list(found)}"
        assert found[name]["status"] == expected, found[name]

    return check


# --- archives: ADD ---------------------------------------------------------------------------

ADD_SCRATCH = "FROM scratch\nADD x.tar /\n"
ADD_THEN_RUN = "FROM busybox\nADD x.tar /x/\nRUN ls /x > /dev/null\n"


def add(id: str, archive: object, message: str, *, text: str = ADD_SCRATCH, **kw: object) -> Case:
    make = combine(dockerfile(text), blob("x.tar", archive))  # type: ignore[arg-type]
    return build(id, make, message, area="archives", **kw)


def add_api(id: str, archive: object, message: str, limits: str, **kw: object) -> Case:
    code = (
        "from emu.sh.api import Limits\n"
        f"emu.build({{'Dockerfile': {ADD_SCRATCH!r}, 'x.tar': open('x.tar', 'rb').read()}}, "
        f"limits=Limits({limits}), max_seconds=3)\n"
    )
    make = blob("x.tar", archive)  # type: ignore[arg-type]
    return api(id, make, code, message, area="archives", **kw)


def _sparse(size: int) -> object:
    return lambda: tar(sparse_member("big", size))


def _uid(value: int, key: str = "uid") -> object:
    return lambda: tar(pax("f", {key: str(value)}, size=0))


def _device(major: int) -> object:
    return lambda: tar(header("dev", kind=b"3", major=major, minor=1, gnu=True))


ARCHIVES = [
    add("add-sparse-4gib", _sparse(4 * GIB), r"max_bytes|out of memory"),
    add("add-sparse-1tib", _sparse(TIB), r"max_bytes"),
    add("add-sparse-1tib-then-run", _sparse(TIB), r"max_bytes", text=ADD_THEN_RUN),
    add_api("add-sparse-4gib-api", _sparse(4 * GIB), r"max_bytes", "max_bytes=64 << 20"),
    add("add-bz2-bomb-6gib", lambda: bz2_bomb_tar(6 * GIB), r"max_bytes", limit=30),
    add("add-gzip-bomb-1gib", lambda: gzip_bomb_tar(GIB), r"max_bytes|out of memory", limit=30),
    add_api("add-gzip-bomb-api", lambda: gzip_bomb_tar(GIB), r"max_bytes", "max_bytes=64 << 20"),
    add(
        "add-gzip-bomb-lying-header",
        lambda: gzip_bomb_tar(GIB, declared=10),
        "",
        status=0,
        limit=10,
    ),
    add("add-deep-path-5000", lambda: deep_path_tar(5000), r"file name too long"),
    add(
        "add-deep-path-5000-then-run",
        lambda: deep_path_tar(5000),
        r"file name too long",
        text=ADD_THEN_RUN,
    ),
    add(
        "add-long-component",
        lambda: tar(longname("a" * 300), header("a" * 100)),
        r"file name too long",
    ),
    add(
        "add-million-entries",
        lambda: many_entries_tar_gz(1_000_000),
        r"max_files",
        limit=90,
    ),
    add_api(
        "add-million-entries-deadline",
        lambda: many_entries_tar_gz(1_000_000),
        r"max_seconds|max_files",
        "max_files=10**7",
        limit=30,
    ),
    add("add-uid-overflow", _uid(99_999_999_999), r"uid 99999999999"),
    add("add-gid-overflow", _uid(99_999_999_999, "gid"), r"gid 99999999999"),
    add("add-negative-size", lambda: tar(header("f", size=-5)), r"not a valid archive|size"),
    add("add-device-overflow", _device(1 << 40), r"device number"),
]

# --- archives: outputs of what ADD accepted ---------------------------------------------------

_BIG_IDS = "FROM scratch\nADD x.tar /\n"
_RUN_CHOWN = dockerfile("FROM busybox\nRUN touch /f && chown 99999999999:5 /f\n")
OUTPUTS = [
    build(
        "output-local-uid-overflow-from-run",
        _RUN_CHOWN,
        r"uid 99999999999 is out of range",
        args=("-o", "type=local,dest={out}/root"),
        area="outputs",
    ),
    build(
        "output-tar-uid-overflow-from-run",
        _RUN_CHOWN,
        "",
        args=("-o", "type=tar,dest={out}/r.tar"),
        status=0,
        check=lambda o, root: _tar_has(root / "out" / "r.tar", "f", uid=99_999_999_999),
        area="outputs",
    ),
    add(
        "output-local-uid-4294967294",
        _uid(4294967294),
        "",
        args=("-o", "type=local,dest={out}/root"),
        status=0,
    ),
    add(
        "output-tar-uid-4294967294",
        _uid(4294967294),
        "",
        args=("-o", "type=tar,dest={out}/r.tar"),
        status=0,
        check=lambda o, root: _tar_has(root / "out" / "r.tar", "f", uid=4294967294),
    ),
    add(
        "output-tar-device-4095",
        _device(4095),
        "",
        args=("-o", "type=tar,dest={out}/r.tar"),
        status=0,
        check=lambda o, root: _tar_has(root / "out" / "r.tar", "dev", devmajor=4095),
    ),
]


def _tar_has(path: Path, name: str, **fields: int) -> None:
    import tarfile

    with tarfile.open(path) as tf:
        names = tf.getnames()
        m = tf.getmember(name)
        for key, value in fields.items():
            assert getattr(m, key) == value, (key, getattr(m, key))
    assert names[-1] == name or name in names


# --- emu load --------------------------------------------------------------------------------


def load(id: str, archive: object, message: str, **kw: object) -> Case:
    make = blob("image.tar", archive)  # type: ignore[arg-type]
    return Case(id, make, argv=("load", "-i", "{in}/image.tar"), message=message, area="load", **kw)  # type: ignore[arg-type]


LOAD = [
    load(
        "load-sparse-4gib",
        lambda: docker_save(layer=tar(sparse_member("big", 4 * GIB))),
        r"max_bytes|out of memory",
    ),
    load(
        "load-sparse-1tib", lambda: docker_save(layer=tar(sparse_member("big", TIB))), r"max_bytes"
    ),
    load(
        "load-outer-sparse",
        lambda: tar(sparse_member("manifest.json", TIB)),
        r"1099511627776 bytes",
    ),
    load(
        "load-gzip-bomb-layer",
        lambda: docker_save(layer=gzip_bomb_tar(GIB)),
        r"max_bytes|out of memory",
        limit=30,
    ),
    load("load-deep-path", lambda: docker_save(layer=deep_path_tar(5000)), r"file name too long"),
    load(
        "load-million-entries",
        lambda: docker_save(layer=many_entries_tar_gz(1_000_000)),
        r"max_files",
        limit=90,
    ),
    load(
        "load-nested-json-manifest",
        lambda: docker_save(manifest=nested_json(100_000)),
        r"manifest\.json.*(nested|deep)",
    ),
    load(
        "load-nested-json-config",
        lambda: docker_save(config=nested_json(100_000)),
        r"(nested|deep)",
    ),
    load(
        "load-created-out-of-range",
        lambda: docker_save(
            config={
                "created": "9999-12-31T23:59:59-23:59",
                "history": [{"created_by": "x", "created": "9999-12-31T23:59:59-23:59"}],
            }
        ),
        r"created",
    ),
    load(
        "load-created-not-a-string",
        lambda: docker_save(config={"history": [{"created_by": "x", "created": 12}]}),
        r"created",
    ),
    load(
        "load-tag-escape",
        lambda: docker_save(tags=["\x1b[31mred:latest"]),
        r"invalid reference format",
        status=(1, 2),
    ),
    load(
        "load-tag-newline",
        lambda: docker_save(tags=["a\nb:latest"]),
        r"invalid reference format",
        status=(1, 2),
    ),
    load(
        "load-tag-empty", lambda: docker_save(tags=[""]), r"invalid reference format", status=(1, 2)
    ),
    load(
        "load-uid-overflow",
        lambda: docker_save(layer=_uid(99_999_999_999)()),  # type: ignore[operator]
        r"uid 99999999999",
    ),
    Case(
        "load-oci-fifo-blob",
        oci_layout_with_fifo_blob("layout"),
        argv=("load", "-i", "{in}/layout"),
        message=r"FIFO",
        area="load",
        limit=10,
    ),
]

# --- context and outputs ---------------------------------------------------------------------

OK_DF = "FROM busybox\nCOPY hello.txt /\n"
CONTEXT = [
    build(
        "context-fifo-dockerfile",
        fifo("Dockerfile"),
        r"Dockerfile is a FIFO",
        limit=10,
        area="context",
    ),
    build(
        "context-fifo-dockerignore",
        combine(dockerfile(OK_DF, **{"hello.txt": "hi"}), fifo(".dockerignore")),
        r"\.dockerignore is a FIFO",
        limit=10,
        area="context",
    ),
    build(
        "context-fifo-dockerfile-dockerignore",
        combine(dockerfile(OK_DF, **{"hello.txt": "hi"}), fifo("Dockerfile.dockerignore")),
        r"Dockerfile\.dockerignore is a FIFO",
        limit=10,
        area="context",
    ),
    Case(
        "ignore-fifo-dockerignore",
        combine(dockerfile(OK_DF), fifo(".dockerignore")),
        argv=("ignore", "{in}"),
        message=r"\.dockerignore is a FIFO",
        limit=10,
        issue=19,
        area="context",
    ),
    Case(
        "check-fifo-dockerfile",
        fifo("Dockerfile"),
        argv=("check", "{in}"),
        message=r"is a FIFO",
        status=(1, 2),
        limit=10,
        area="context",
    ),
    Case(
        "test-sandbox-fifo-dockerfile",
        combine(files({"spec.yaml": SPEC_FILE}), fifo("ctx/Dockerfile")),
        argv=("test", "--sandbox", "-c", "{in}/spec.yaml", "{in}/ctx"),
        status=1,
        message=r"Dockerfile.*(FIFO|not a regular file)",
        where="stdout",
        limit=20,
        area="context",
    ),
    grade(
        "grade-fifo-dockerfile",
        combine(files({"subs/alice/hello.txt": "hi"}), fifo("subs/alice/Dockerfile")),
        check=status_of("alice", "build failed"),
        limit=40,
    ),
    grade(
        "grade-fifo-dockerignore",
        combine(submission("alice"), fifo("subs/alice/.dockerignore")),
        check=status_of("alice", "build failed"),
        limit=40,
    ),
]

_OUT_DF = dockerfile("FROM busybox\nRUN echo hi > /hi\n")
DESTS = [
    build(
        "output-tar-dest-fifo",
        combine(_OUT_DF, fifo("dest")),
        r"it is a FIFO",
        args=("-o", "type=tar,dest={in}/dest"),
        limit=20,
        area="outputs",
    ),
    build(
        "output-tar-dest-symlink",
        combine(_OUT_DF, files({"victim": "keep"}), symlink("dest", "{in}/victim")),
        r"it is a symbolic link",
        args=("-o", "type=tar,dest={in}/dest"),
        area="outputs",
    ),
    build(
        "output-oci-dest-symlink-dangling",
        combine(_OUT_DF, symlink("dest", "/nonexistent/x")),
        r"it is a symbolic link",
        args=("-o", "type=oci,dest={in}/dest"),
        area="outputs",
    ),
    build(
        "output-docker-dest-directory",
        combine(_OUT_DF, files({"dest/keep": "x"})),
        r"it is a directory",
        args=("-o", "type=docker,dest={in}/dest"),
        area="outputs",
    ),
    build(
        "output-tar-dest-chardev",
        combine(_OUT_DF, chardev("dest")),
        r"it is a character device",
        args=("-o", "type=tar,dest={in}/dest"),
        area="outputs",
    ),
    build(
        "output-tar-dest-stdout",
        _OUT_DF,
        "",
        args=("-o", "type=tar,dest=-"),
        status=0,
        check=lambda o, root: None,
        area="outputs",
    ),
    build(
        "output-tar-dest-regular-replaced",
        combine(_OUT_DF, files({"dest": "old"})),
        "",
        args=("-o", "type=tar,dest={in}/dest"),
        status=0,
        changes=("dest",),
        area="outputs",
    ),
]

# --- .dockerignore globs ---------------------------------------------------------------------

_LONG = "a" * 200
_STARS = "a*" * 12 + "b"
_DOUBLES = "**/a/" * 8 + "b"
_DEEP_A = "/".join(["a"] * 60)
GLOBS = [
    build(
        "ignore-stars-build",
        combine(
            dockerfile("FROM scratch\nCOPY . /\n"),
            files({".dockerignore": _STARS + "\n", _LONG: "x"}),
        ),
        "",
        status=0,
        limit=10,
        area="globs",
    ),
    Case(
        "ignore-stars-ignore",
        combine(dockerfile("FROM scratch\n"), files({".dockerignore": _STARS + "\n", _LONG: "x"})),
        argv=("ignore", "{in}"),
        status=0,
        limit=10,
        area="globs",
    ),
    Case(
        "ignore-stars-check",
        combine(
            dockerfile("FROM scratch\nCOPY . /\n"),
            files({".dockerignore": _STARS + "\n", _LONG: "x"}),
        ),
        argv=("check", "{in}"),
        status=0,
        limit=10,
        area="globs",
    ),
    build(
        "ignore-doublestars-build",
        combine(
            dockerfile("FROM scratch\nCOPY . /\n"),
            files({".dockerignore": _DOUBLES + "\n", _DEEP_A + "/f": "x"}),
        ),
        "",
        status=0,
        limit=10,
        area="globs",
    ),
    build(
        "copy-exclude-stars",
        combine(
            dockerfile(
                f"# syntax=docker/dockerfile:1.7-labs\nFROM scratch\nCOPY --exclude={_STARS} . /\n"
            ),
            files({_LONG: "x"}),
        ),
        "",
        status=0,
        limit=10,
        area="globs",
    ),
    build(
        "ignore-stars-classes",
        combine(
            dockerfile("FROM scratch\nCOPY . /\n"),
            files({".dockerignore": "[a]*" * 12 + "b\n", _LONG: "x"}),
        ),
        "",
        status=0,
        limit=10,
        area="globs",
    ),
]

# --- grading ---------------------------------------------------------------------------------


def _valid_json(rel: str) -> object:
    def check(outcome: Outcome, root: Path) -> None:
        json.loads((root / rel).read_text(encoding="utf-8"))

    return check


def _csv_safe(outcome: Outcome, root: Path) -> None:
    for row in rows(root):
        name = row["submission"]
        assert name[:1] not in ("=", "+", "-", "@", "\t", "\r"), f"formula in CSV: {name!r}"


def _csv_lines(outcome: Outcome, root: Path) -> None:
    text = (root / "out" / "grades" / "grades.csv").read_text(encoding="utf-8")
    table = rows(root)
    # A line-based reader sees one line per submission (plus the header): no forged row.
    assert len(text.splitlines()) == len(table) + 1, text
    assert all(row["status"] in ("graded", "build failed") for row in table), table


def _hidden_noted(outcome: Outcome, root: Path) -> None:
    notes = grades(root)["notes"]
    assert any(".hidden" in n for n in notes), notes  # type: ignore[union-attr]


def _no_secret(outcome: Outcome, root: Path) -> None:
    status_of("alice", "rejected")(outcome, root)  # type: ignore[operator]
    for path in (root / "out").rglob("*"):
        if path.is_file():
            assert b"TOP-SECRET" not in path.read_bytes(), path


def _small(outcome: Outcome, root: Path) -> None:
    # The build ran in a worker capped at 300 MB: no process of the tree grew past it.
    assert outcome.max_rss < 400 << 20, f"{outcome.max_rss >> 20} MB"


GRADING = [
    grade(
        "grade-file-name-invalid-utf8",
        combine(submission("alice"), raw_name_file("subs/alice", b"bad\xff\xfe.txt")),
        check=status_of("alice", "graded"),
    ),
    grade(
        "grade-file-name-invalid-utf8-copied-by-name",
        combine(
            submission("alice", "FROM busybox\nCOPY *.txt /s/\nRUN ls /s/*.txt\n"),
            raw_name_file("subs/alice", b"bad\xff\xfe.txt"),
        ),
        check=status_of("alice", "graded"),
    ),
    grade(
        "grade-invalid-utf8-in-a-build-error",
        submission("alice", b"FROM busybox\nCOPY bad\xff.txt /s/\n"),  # type: ignore[arg-type]
        check=status_of("alice", "build failed"),
    ),
    grade(
        "grade-folder-name-invalid-utf8",
        raw_name_folder("subs", b"bob\xff", COPY_ALL),
        check=status_of("bob\\xff", "graded"),
    ),
    Case(
        "test-json-invalid-utf8-name",
        combine(
            files({"spec.yaml": SPEC_FILE, "ctx/Dockerfile": COPY_ALL, "ctx/hello.txt": "hi"}),
            raw_name_file("ctx", b"bad\xff.txt"),
        ),
        argv=("test", "-c", "{in}/spec.yaml", "{in}/ctx", "-o", "json", "{out}/r.json"),
        status=0,
        check=_valid_json("out/r.json"),
        area="grading",
    ),
    Case(
        "test-json-invalid-utf8-in-a-build-error",
        files(
            {
                "spec.yaml": SPEC_FILE,
                "ctx/Dockerfile": b"FROM busybox\nCOPY bad\xff.txt /s/\n",
                "ctx/hello.txt": "hi",
            }
        ),
        argv=("test", "-c", "{in}/spec.yaml", "{in}/ctx", "-o", "json", "{out}/r.json"),
        status=1,
        where="stdout",
        message=r"bad\\xff\.txt",
        check=_valid_json("out/r.json"),
        area="grading",
    ),
    Case(
        "test-output-takes-the-target",
        combine(
            files(
                {
                    "spec.yaml": "schemaVersion: 2.0.0\nemuTests: {context: ctx}\n",
                    "ctx/Dockerfile": "FROM scratch\n",
                }
            ),
            blob("image.tar", lambda: docker_save()),
        ),
        argv=("test", "-c", "{in}/spec.yaml", "-o", "json", "{in}/image.tar"),
        status=2,
        message=r"image\.tar.*(report|--test-report)",
        area="grading",
    ),
    Case(
        "test-output-over-a-directory",
        files(
            {
                "spec.yaml": SPEC_FILE,
                "ctx/Dockerfile": COPY_ALL,
                "ctx/hello.txt": "hi",
                "report/keep": "x",
            }
        ),
        argv=("test", "-c", "{in}/spec.yaml", "{in}/ctx", "-o", "json", "{in}/report"),
        status=1,
        message=r"it is a directory",
        area="grading",
    ),
    grade(
        "grade-limit-exceeded-in-output",
        submission("alice", "FROM busybox\nRUN echo 'limit exceeded: max_bytes' >&2 && false\n"),
        check=status_of("alice", "build failed"),
    ),
    grade(
        "grade-csv-formula-names",
        combine(
            submission("=cmd|' -C calc'!A0"),
            submission("@SUM(1+1)"),
            submission("+1"),
            submission("-2"),
        ),
        check=_csv_safe,
    ),
    grade(
        "grade-escape-in-name",
        submission("\x1b[31mred\x1b[0m"),
        check=status_of("\\x1b[31mred\\x1b[0m", "graded"),
        message=r"\\x1b\[31mred",
    ),
    grade(
        "grade-hidden-submission",
        combine(submission("alice"), submission(".hidden")),
        check=_hidden_noted,
        message=r"\.hidden",
    ),
    grade(
        "grade-newline-in-name",
        combine(submission("evil\nbob,20,20,100.0,graded,,"), submission("bob")),
        check=_csv_lines,
        issue=19,
    ),
    grade(
        "grade-path-longer-than-path-max",
        combine(submission("alice"), deep_folder("subs/alice/deep", 25)),
        check=status_of("alice", "rejected"),
        issue=19,
    ),
    grade(
        "grade-hard-link-out",
        combine(
            files({"secret.txt": "TOP-SECRET\n"}),
            submission("alice"),
            hardlink("subs/alice/leak.txt", "secret.txt"),
        ),
        check=_no_secret,
        issue=19,
    ),
    Case(
        "test-sandbox-hard-link-out",
        combine(
            files(
                {
                    "secret.txt": "TOP-SECRET\n",
                    "spec.yaml": SPEC_FILE,
                    "ctx/Dockerfile": COPY_ALL,
                    "ctx/hello.txt": "hi",
                }
            ),
            hardlink("ctx/leak.txt", "secret.txt"),
        ),
        argv=("test", "--sandbox", "-c", "{in}/spec.yaml", "{in}/ctx"),
        status=1,
        message=r"hard link",
        where="stdout",
        issue=19,
        area="grading",
        limit=30,
    ),
    Case(
        "build-sandbox-hard-link-out",
        combine(
            files(
                {"secret.txt": "TOP-SECRET\n", "ctx/Dockerfile": COPY_ALL, "ctx/hello.txt": "hi"}
            ),
            hardlink("ctx/leak.txt", "secret.txt"),
        ),
        argv=(*BUILD, "--sandbox", "{in}/ctx"),
        message=r"hard link",
        issue=19,
        area="grading",
    ),
    Case(
        "test-sandbox-max-memory",
        files(
            {
                "spec.yaml": "schemaVersion: 2.0.0\nemuTests:\n  limits: {maxMemory: 300MB, "
                "maxBytes: 8GiB, maxSeconds: 20}\n  tests: [{name: builds, buildSucceeds: true}]\n",
                "ctx/Dockerfile": "FROM busybox\nRUN x=aaaaaaaaaaaaaaaa; while :; do x=$x$x; "
                "done\n",
            }
        ),
        argv=("test", "--sandbox", "-c", "{in}/spec.yaml", "{in}/ctx"),
        status=1,
        message=r"max_memory",
        where="stdout",
        area="grading",
        limit=60,
        check=_small,
    ),
    Case(
        "test-rubric-regex-2mb",
        files(
            {
                "spec.yaml": "schemaVersion: 2.0.0\nfileContentTests:\n"
                "  - {name: greets, path: /s/big.txt, "
                "expectedContents: ['Hello.*Docker']}\n",
                "ctx/Dockerfile": "FROM busybox\nCOPY big.txt /s/\n",
                "ctx/big.txt": "Hello" * 400_000,
            }
        ),
        argv=("test", "-c", "{in}/spec.yaml", "{in}/ctx"),
        status=1,
        limit=15,
        message=r"FAIL",
        where="stdout",
        area="grading",
    ),
    Case(
        "test-rubric-regex-backrefs",
        files(
            {
                "spec.yaml": "schemaVersion: 2.0.0\nfileContentTests:\n"
                "  - {name: greets, path: /s/big.txt, "
                "expectedContents: ['(a*)*b']}\n",
                "ctx/Dockerfile": "FROM busybox\nCOPY big.txt /s/\n",
                "ctx/big.txt": "a" * 100_000,
            }
        ),
        argv=("test", "-c", "{in}/spec.yaml", "{in}/ctx"),
        status=1,
        limit=15,
        message=r"FAIL",
        where="stdout",
        area="grading",
    ),
]

# --- depth (issue 19) ------------------------------------------------------------------------


def _nested_default(depth: int) -> str:
    word = "x"
    for i in range(depth):
        word = "${v" + str(i) + ":-" + word + "}"
    return word


_NESTED = f"FROM scratch\nENV A={_nested_default(1000)}\n"
_STAGES = "FROM scratch AS s0\n" + "".join(f"FROM s{i} AS s{i + 1}\n" for i in range(2999))
_DEEP_RUN = combine(
    dockerfile("FROM scratch\nADD deep.tar /\n"), blob("deep.tar", lambda: deep_tree_tar(4500))
)
_DEEP_MKDIR = dockerfile("FROM busybox\nRUN mkdir -p /d/$(yes a/ | head -n 5000 | tr -d '\\n')\n")
DEPTH = [
    build("depth-nested-defaults-build", dockerfile(_NESTED), "", status=0, issue=19, area="depth"),
    Case(
        "depth-nested-defaults-check",
        dockerfile(_NESTED),
        argv=("check", "{in}/Dockerfile"),
        status=0,
        issue=19,
        area="depth",
    ),
    Case(
        "depth-nested-defaults-check-context",
        dockerfile(_NESTED),
        argv=("check", "{in}"),
        status=1,
        message=r"1000 problems found",
        where="stdout",
        issue=19,
        area="depth",
    ),
    build(
        "depth-3000-stages-build",
        dockerfile(_STAGES),
        "",
        status=0,
        issue=19,
        area="depth",
        limit=30,
    ),
    Case(
        "depth-3000-stages-check",
        dockerfile(_STAGES),
        argv=("check", "{in}/Dockerfile"),
        status=0,
        issue=19,
        area="depth",
        limit=30,
    ),
    Case(
        "depth-3000-stages-check-context",
        dockerfile(_STAGES),
        argv=("check", "{in}"),
        status=0,
        issue=19,
        area="depth",
        limit=30,
    ),
    build(
        "depth-4500-tree-tagged",
        _DEEP_RUN,
        "",
        args=("-t", "deep"),
        status=0,
        issue=19,
        area="depth",
        limit=30,
    ),
    build(
        "depth-4500-tree-tar",
        _DEEP_RUN,
        "",
        args=("-o", "type=tar,dest={out}/r.tar"),
        status=0,
        issue=19,
        area="depth",
        limit=30,
    ),
    build(
        "depth-4500-tree-local",
        _DEEP_RUN,
        r"file name too long|.",
        args=("-o", "type=local,dest={out}/root"),
        status=(0, 1),
        issue=19,
        area="depth",
        limit=30,
    ),
    Case(
        "words-arg-doubling",
        dockerfile("FROM scratch\nARG A=aaaaaaaaaaaaaaaa\n" + "ARG A=$A$A\n" * 40 + "ENV B=$A\n"),
        argv=(*BUILD, "{in}"),
        message=r"too long",
        status=(1, 2),
        area="words",
        limit=20,
    ),
    api(
        "depth-recursion-limit-unchanged",
        files({}),
        "import sys\nbefore = sys.getrecursionlimit()\n"
        "emu.build({'Dockerfile': 'FROM busybox\\nRUN f() { echo x; }; f\\n'})\n"
        "after = sys.getrecursionlimit()\n"
        "assert before == after, (before, after)\n",
        "",
        status=0,
        issue=19,
        area="depth",
    ),
    Case(
        "depth-context-5000-levels",
        combine(dockerfile("FROM scratch\nCOPY . /\n"), deep_folder("deep", 5000, name="d")),
        argv=(*BUILD, "{in}"),
        status=(0, 1),
        message=r"file name too long|.",
        issue=19,
        area="depth",
        limit=60,
    ),
    # emu tree walks and prints a 5,000-level directory without recursing (text and JSON;
    # JSON's indentation grows with depth, so 1,500 levels: past Python's 1,000 frames).
    Case(
        "depth-tree-5000-levels",
        _DEEP_MKDIR,
        argv=("tree", "{in}", "/d"),
        status=0,
        message=r"5000 directories, 0 files",
        where="stdout",
        issue=19,
        area="depth",
        limit=90,
    ),
    Case(
        "depth-tree-5000-levels-json",
        _DEEP_MKDIR,
        argv=("tree", "--format", "json", "-L", "1500", "{in}", "/d"),
        status=0,
        message=r'"path": "/d/a/',
        where="stdout",
        issue=19,
        area="depth",
        limit=90,
    ),
    # COPY --from of a deep directory (the engine's copy clones it without recursing).
    build(
        "depth-copy-from-3000-levels",
        dockerfile(
            "FROM busybox AS deep\nRUN mkdir -p /d/$(yes a/ | head -n 3000 | tr -d '\\n')\n"
            "FROM scratch\nCOPY --from=deep /d /d\n"
        ),
        "",
        status=0,
        issue=19,
        area="depth",
        limit=60,
    ),
    # A spec's notInImage over a deep tree (grading walks the image without recursing).
    Case(
        "depth-test-not-in-image-3000-levels",
        files(
            {
                "spec.yaml": "schemaVersion: 2.0.0\nemuTests:\n  tests:\n"
                "    - {name: no secrets, notInImage: ['**/secret']}\n",
                "ctx/Dockerfile": "FROM busybox\n"
                "RUN mkdir -p /d/$(yes a/ | head -n 3000 | tr -d '\\n')\n",
            }
        ),
        argv=("test", "-c", "{in}/spec.yaml", "{in}/ctx"),
        status=0,
        message=r"1 passed",
        where="stdout",
        issue=19,
        area="depth",
        limit=60,
    ),
]

# --- emu run ---------------------------------------------------------------------------------

_NGINX_DF = "FROM nginx:alpine\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY index.html /srv/\n"


def _conf(server: str, http: str = "") -> str:
    return (
        "events {}\nhttp {\n"
        + http
        + "  server {\n    listen 80;\n    root /srv;\n"
        + server
        + "  }\n}\n"
    )


def _site(conf: str) -> object:
    return files({"Dockerfile": _NGINX_DF, "nginx.conf": conf, "index.html": "<h1>hi</h1>\n"})


def _nested_blocks(depth: int) -> str:
    return _conf("    " + "location / { " * depth + "}" * depth + "\n")


def _wait_port(port: int, limit: float = 15.0) -> None:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


def _request(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(raw)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def _stop(root: Path) -> None:
    pid = int((root / "pid").read_text())
    with contextlib.suppress(ProcessLookupError):  # (emu run -d has exited already)
        os.killpg(pid, signal.SIGTERM)


def _client_ok(root: Path) -> None:
    port = int((root / "port").read_text())
    _wait_port(port)
    try:
        answer = _request(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 200"), answer[:100]
    finally:
        _stop(root)


def _client_injection(root: Path) -> None:
    port = int((root / "port").read_text())
    _wait_port(port)
    try:
        answer = _request(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        head = answer.split(b"\r\n\r\n", 1)[0]
        assert head.startswith(b"HTTP/1.1 301"), head
        assert not any(ln.lower().startswith(b"set-cookie") for ln in head.split(b"\r\n")), head
    finally:
        _stop(root)


def _client_redirect(root: Path) -> None:
    """A directory without its slash redirects: the request's own (decoded) path must not
    become headers of its choosing."""
    port = int((root / "port").read_text())
    _wait_port(port)
    try:
        answer = _request(
            port,
            b"GET /a%0D%0ASet-Cookie:%20owned=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        head = answer.split(b"\r\n\r\n", 1)[0]
        assert head.startswith(b"HTTP/1.1 301"), head  # the redirect to the directory
        assert not any(ln.lower().startswith(b"set-cookie") for ln in head.split(b"\r\n")), head
    finally:
        _stop(root)


def _client_logs(root: Path) -> None:
    port = int((root / "port").read_text())
    _wait_port(port)
    try:
        _request(
            port,
            b"GET /\x1b[2J HTTP/1.1\r\nHost: x\r\nUser-Agent: \x1b]0;pwned\x07\x1b[31m\r\n"
            b"Referer: \x1b[1mref\r\nConnection: close\r\n\r\n",
        )
        logs = subprocess.run(
            [sys.executable, str(Path(__file__).with_name("_child.py")), "cli", "logs", "web"],
            env=environment(root),
            capture_output=True,
            timeout=20,
            check=False,
        )
        assert logs.returncode == 0, logs.stderr
        assert b"\x1b" not in logs.stdout and b"\\x1b" in logs.stdout.lower(), logs.stdout
    finally:
        _stop(root)


def _client_idle(root: Path) -> None:
    port = int((root / "port").read_text())
    _wait_port(port)
    held = []
    try:
        for _ in range(300):
            held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        answer = _request(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 200"), answer[:100]
        time.sleep(2.5)  # the config says client_header_timeout 1s
        closed = 0
        for s in held:
            s.settimeout(0.2)
            try:
                closed += s.recv(1) == b""
            except (TimeoutError, ConnectionResetError):
                closed += 0
        assert closed == len(held), f"{len(held) - closed} idle connections still held"
    finally:
        for s in held:
            s.close()
        _stop(root)


def serve(id: str, conf: str, client: object, *, detach: bool = False, **kw: object) -> Case:
    return Case(
        id,
        kw.pop("make", None) or _site(conf),  # type: ignore[arg-type]
        argv=("run", *(("-d",) if detach else ()), "-p", "{port}:80", "--name", "web", "{in}"),
        status=0,
        client=client,  # type: ignore[arg-type]
        area="run",
        limit=kw.pop("limit", 30.0),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


RUN = [
    serve("run-nested-blocks-3000", _nested_blocks(3000), _client_ok),
    Case(
        "run-return-status-out-of-range",
        _site(_conf("    return 99999999;\n")),
        argv=("run", "-p", "0:80", "{in}"),
        status=(1, 2),
        message=r"invalid return code",
        area="run",
        limit=20,
    ),
    Case(
        "run-return-status-huge",
        _site(_conf("    return " + "9" * 5000 + ";\n")),
        argv=("run", "-p", "0:80", "{in}"),
        status=(1, 2),
        message=r"invalid return code",
        area="run",
        limit=20,
    ),
    serve(
        "run-redirect-header-injection-from-the-client",
        "",
        _client_redirect,
        make=combine(
            _site(_conf("")),
            files({"Dockerfile": _NGINX_DF + "COPY dirs/ /srv/\n"}),
            files({"dirs/a\r\nSet-Cookie: owned=1/index.html": "x"}),
        ),
    ),
    serve(
        "run-return-header-injection",
        _conf('    location / {\n      return 301 "http://x/\r\nSet-Cookie: owned=1";\n    }\n'),
        _client_injection,
    ),
    serve("run-log-escapes", _conf(""), _client_logs, detach=True),
    serve(
        "run-idle-connections",
        _conf("", http="  client_header_timeout 1s;\n  keepalive_timeout 1s;\n"),
        _client_idle,
        limit=40,
    ),
]

# --- the shell and its utilities (fixes pending in emu/sh) -----------------------------------

_EVIL = "a" * 60 + "!"  # (a|aa)*b tries every way to split 60 a's before failing
_MEMORY = {"status": 1, "message": r"limit exceeded: max_bytes"}
_REFUSED = {"status": 1, "message": r"exit code"}  # the program says why and fails
SHELL_CASES = [
    shell("shell-regex-awk", f"echo {_EVIL} | awk '/(a|aa)*b/'"),
    shell("shell-regex-sed", f"echo {_EVIL} | sed -E 's/(a|aa)*b/x/'"),
    shell("shell-regex-expr", f"expr {_EVIL} : '\\(a*\\)*b' || true"),
    shell("shell-regex-grep", f"echo {_EVIL} | grep -E '(a|aa)*b' || true"),
    shell("shell-pattern-case", f"case {'a' * 40} in {'*a' * 12}b) ;; esac"),
    shell("shell-pattern-trim", f"x={'a' * 40}; y=${{x##{'*a' * 12}b}}"),
    # Variants: the other utilities' regex paths, the other pattern operators, globbing.
    shell("shell-regex-awk-gsub", f"echo {_EVIL} | awk '{{ gsub(/(a|aa)*b/, \"x\") }} 1'"),
    shell("shell-regex-awk-match", f"echo {_EVIL} | awk '{{ print match($0, /(a|aa)*b/) }}'"),
    shell("shell-regex-sed-bre-global", f"echo {_EVIL} | sed 's/\\(a*\\)*b/x/g'"),
    shell("shell-regex-grep-o", f"echo {_EVIL} | grep -oE '(a|aa)*b' || true"),
    shell("shell-regex-find", f"mkdir -p /t/{_EVIL[:-1]}; find /t -regex '/t/\\(a*\\)*b'"),
    shell("shell-pattern-trim-suffix", f"x={'a' * 40}; y=${{x%%{'a*' * 12}b}}"),
    shell("shell-pattern-replace", f"x={'a' * 40}; y=${{x//{'*a' * 12}b/z}}"),
    shell("shell-pattern-glob", f"mkdir /t; touch /t/{'a' * 200}; echo /t/{'*a' * 12}b"),
    shell(
        "shell-pattern-find-name", f"mkdir /t; touch /t/{'a' * 200}; find /t -name '{'*a' * 12}b'"
    ),
    shell("shell-memory-doubling", "x=aaaaaaaa; while :; do x=$x$x; done", **_MEMORY),
    shell("shell-memory-awk", "awk 'BEGIN { s = \"aaaaaaaa\"; while (1) s = s s }'", **_MEMORY),
    shell("shell-memory-sed-hold", "yes | sed -n 'H; x; p; x'", **_MEMORY),
    shell("shell-memory-printf-width", "printf '%0999999999999d' 1", **_MEMORY),
    # Many small strings rather than one big one: each field counts (and Python's share).
    shell(
        "shell-memory-positional-doubling",
        'set -- a; while :; do set -- "$@" "$@"; done',
        **_MEMORY,
        limit=30,
    ),
    shell("shell-mkdir-p-deep", "mkdir -p $(yes a/ | head -n 20000 | tr -d '\\n')"),
    # busybox reads -f with xatoi_positive: a number past INT_MAX is refused, not run.
    shell("shell-uniq-f-huge", "echo a | uniq -f 100000000000000000000000", **_REFUSED),
    shell("shell-uniq-f-int-max", "echo a b | uniq -f 2147483647", status=0),
    # The deadline inside a utility: chmod -R resolves each path of an 8,000-level tree.
    shell(
        "shell-deadline-chmod-R-deep",
        "mkdir -p /d/$(yes a/ | head -n 8000 | tr -d '\\n'); chmod -R 700 /d",
        message=r"limit exceeded: max_seconds",  # or done (status 0) on a fast machine
        limit=20,
    ),
    shell("shell-head-c-yes", "yes | head -c 100000000000 > /big", **_MEMORY),
    shell("shell-head-n-yes", "yes | head -n 100000000000 > /big", **_MEMORY),
    # ash refuses ":" as a function name (issue 14's busybox differences fixed it).
    shell("shell-fork-bomb-name", ":(){ :|:& };:", status=1, message="bad function name"),
    *[
        shell(f"shell-argv-{name}", cmd, **_REFUSED)
        for name, cmd in [
            ("grep-m", "echo a | grep -m x a"),
            ("grep-A", "echo a | grep -A x a"),
            ("du-d", "du -d x /"),
            ("xargs-L", "echo a | xargs -L a echo"),
            ("xargs-n", "echo a | xargs -n x echo"),
            ("nl-w", "echo a | nl -w x"),
            ("uniq-f", "echo a | uniq -f x"),
            ("base64-w", "echo a | base64 -w x"),
            ("sed-e", "echo a | sed -e '\\'"),
        ]
    ],
    # busybox reads -d's argument as an escape, and a lone backslash is itself.
    shell("shell-argv-xargs-d", "echo a | xargs -d '\\' echo", status=0),
    # busybox ignores a trailing -a (and ! and an empty -o group): the expression is -name cp.
    shell("shell-argv-find-name-cp-a", "find / -name cp -a", status=0),
]

# Every case is a process of its own (half a second at least, many seconds for the bombs,
# workers and servers), so the corpus is `slow`, except one quick case per area, which
# keeps the harness itself in the quick loop (`pytest -m "not slow"`).
_QUICK = frozenset(
    {
        "add-sparse-1tib",
        "load-nested-json-manifest",
        "context-fifo-dockerfile",
        "output-tar-dest-symlink",
        "ignore-stars-build",
        "test-output-takes-the-target",
        "depth-nested-defaults-build",
        "depth-recursion-limit-unchanged",
        "words-arg-doubling",
        "run-return-status-out-of-range",
        "shell-argv-grep-m",
    }
)

CASES: list[Case] = [
    c if c.id in _QUICK else dataclasses.replace(c, slow=True)
    for c in (
        *ARCHIVES,
        *OUTPUTS,
        *LOAD,
        *CONTEXT,
        *DESTS,
        *GLOBS,
        *GRADING,
        *DEPTH,
        *RUN,
        *SHELL_CASES,
    )
]
