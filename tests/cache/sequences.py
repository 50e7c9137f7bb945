"""Build-edit-rebuild sequences whose cache decisions a real BuildKit recorded.

Each :class:`Sequence` is a small context and Dockerfile built several times; between builds
an edit changes a file, a line, a build argument or a flag. ``regenerate.py`` runs every build
with the oracle's BuildKit (Docker 20.10, a private daemon whose build cache is pruned before
each sequence) and writes ``recorded/<name>.json``: for each build, each step BuildKit printed
and whether it was ``CACHED``. ``test_cache_goldens.py`` replays the same builds through emu
with one cache and asserts the same steps are cached. Python standard library only: the
regeneration script imports this module too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Chmod:
    """Change a context file's mode, not its content."""

    mode: int


@dataclass(frozen=True)
class Touch:
    """Change a context file's modification time only."""


Edit = str | None | Chmod | Touch  # new content, deletion, or a metadata change


@dataclass(frozen=True)
class Build:
    edits: dict[str, Edit] = field(default_factory=dict)  # applied before this build
    dockerfile: str | None = None  # a new Dockerfile text (None: keep the previous one)
    build_args: dict[str, str] = field(default_factory=dict)
    no_cache: bool = False
    target: str | None = None
    note: str = ""  # what this build changes, in words

    def flags(self) -> list[str]:
        """``--no-cache``, ``--target`` and ``--build-arg`` as docker build (and emu) take them."""
        out = ["--no-cache"] if self.no_cache else []
        if self.target:
            out += ["--target", self.target]
        for key, value in self.build_args.items():
            out += ["--build-arg", f"{key}={value}"]
        return out


@dataclass(frozen=True)
class Sequence:
    name: str
    description: str
    files: dict[str, str]
    dockerfile: str
    builds: tuple[Build, ...]


NODE_GOOD = """\
FROM busybox
WORKDIR /app
COPY package.json .
RUN cat package.json > installed.txt
COPY . .
RUN cat src/app.js > dist.js
CMD ["sh"]
"""

NODE_FILES = {
    "package.json": '{"name": "app", "dependencies": {}}\n',
    "src/app.js": "console.log('hello')\n",
    "README.md": "# app\n",
}

MULTI = """\
FROM busybox AS builder
WORKDIR /app
COPY notes.txt .
RUN mkdir dist && echo static > dist/index.html
FROM busybox
COPY --from=builder /app/dist /srv
RUN ls /srv > /listing.txt
"""

SEQUENCES: tuple[Sequence, ...] = (
    Sequence(
        "01-edit-source-good-order",
        "package.json first, install, then the sources: editing a source re-runs only the "
        "steps from COPY . . on",
        NODE_FILES,
        NODE_GOOD,
        (
            Build(note="first build"),
            Build(note="the same again: every step cached"),
            Build({"src/app.js": "console.log('bye')\n"}, note="edit src/app.js"),
        ),
    ),
    Sequence(
        "02-edit-manifest",
        "editing package.json breaks the cache at COPY package.json: the install runs again",
        NODE_FILES,
        NODE_GOOD,
        (
            Build(note="first build"),
            Build(
                {"package.json": '{"name": "app", "dependencies": {"x": "1"}}\n'},
                note="edit package.json",
            ),
        ),
    ),
    Sequence(
        "03-edit-source-bad-order",
        "COPY . . before the install: any edit re-runs the install",
        NODE_FILES,
        "FROM busybox\nWORKDIR /app\nCOPY . .\nRUN cat package.json > installed.txt\n"
        "RUN cat src/app.js > dist.js\n",
        (
            Build(note="first build"),
            Build({"src/app.js": "console.log('bye')\n"}, note="edit src/app.js"),
        ),
    ),
    Sequence(
        "04-edit-run-line",
        "changing one RUN line re-runs it and every step after it; the steps before stay cached",
        {"a.txt": "a\n"},
        "FROM busybox\nWORKDIR /w\nCOPY a.txt .\nRUN echo one > one.txt\nRUN echo two > two.txt\n"
        "COPY a.txt b.txt\n",
        (
            Build(note="first build"),
            Build(
                dockerfile="FROM busybox\nWORKDIR /w\nCOPY a.txt .\nRUN echo ONE > one.txt\n"
                "RUN echo two > two.txt\nCOPY a.txt b.txt\n",
                note="change the first RUN",
            ),
        ),
    ),
    Sequence(
        "05-build-arg-used",
        "a build argument used by a RUN: a new value re-runs the RUN, not the steps before the ARG",
        {"a.txt": "a\n"},
        "FROM busybox\nCOPY a.txt /a.txt\nARG VERSION=1\nRUN echo $VERSION > /version\n"
        "COPY a.txt /b.txt\n",
        (
            Build(note="first build"),
            Build(build_args={"VERSION": "1"}, note="--build-arg VERSION=1, the default"),
            Build(build_args={"VERSION": "2"}, note="--build-arg VERSION=2"),
        ),
    ),
    Sequence(
        "06-build-arg-unused",
        "a declared ARG is in every later RUN's environment: a new value re-runs a RUN that "
        "never reads it, but not a COPY",
        {"a.txt": "a\n"},
        "FROM busybox\nARG FLAVOUR\nCOPY a.txt /a.txt\nRUN echo hello > /hello\n",
        (
            Build(note="first build"),
            Build(build_args={"FLAVOUR": "mint"}, note="--build-arg FLAVOUR=mint"),
        ),
    ),
    Sequence(
        "07-env-change",
        "an ENV value is part of each later RUN's key, not of a COPY's",
        {"a.txt": "a\n"},
        "FROM busybox\nENV MODE=dev\nCOPY a.txt /a.txt\nRUN echo $MODE > /mode\n",
        (
            Build(note="first build"),
            Build(
                dockerfile="FROM busybox\nENV MODE=prod\nCOPY a.txt /a.txt\n"
                "RUN echo $MODE > /mode\n",
                note="ENV MODE=prod",
            ),
        ),
    ),
    Sequence(
        "08-copy-from-same-content",
        "the builder re-runs after an edit, but what COPY --from reads is unchanged, so the "
        "final stage's COPY --from and everything after it stay cached",
        {"notes.txt": "v1\n"},
        MULTI,
        (
            Build(note="first build"),
            Build({"notes.txt": "v2\n"}, note="edit notes.txt, which the builder copies"),
        ),
    ),
    Sequence(
        "09-dockerignored-edit",
        "a file .dockerignore excludes never reaches COPY . ., so editing it changes nothing",
        {"a.txt": "a\n", "notes.md": "draft\n", ".dockerignore": "*.md\n"},
        "FROM busybox\nWORKDIR /app\nCOPY . .\nRUN ls > listing.txt\n",
        (
            Build(note="first build"),
            Build({"notes.md": "second draft\n"}, note="edit notes.md (ignored)"),
            Build({"a.txt": "b\n"}, note="edit a.txt"),
        ),
    ),
    Sequence(
        "10-mode-and-mtime",
        "a COPY's key is its sources' content and metadata: a new mode breaks it, a new "
        "modification time does not",
        {"run.sh": "echo hi\n", "data.txt": "1\n"},
        "FROM busybox\nCOPY run.sh /run.sh\nCOPY data.txt /data.txt\nRUN ls -l /run.sh > /ls.txt\n",
        (
            Build(note="first build"),
            Build({"data.txt": Touch()}, note="touch data.txt"),
            Build({"run.sh": Chmod(0o755)}, note="chmod 755 run.sh"),
        ),
    ),
    Sequence(
        "11-metadata-only",
        "LABEL, EXPOSE, CMD and comments make no build step: changing them re-runs nothing",
        {"a.txt": "a\n"},
        "FROM busybox\nLABEL version=1\nCOPY a.txt /a.txt\nRUN echo built > /built\nEXPOSE 80\n"
        'CMD ["sh"]\n',
        (
            Build(note="first build"),
            Build(
                dockerfile="# a comment\nFROM busybox\nLABEL version=2\n\nCOPY a.txt /a.txt\n"
                'RUN echo built > /built\nEXPOSE 8080\nCMD ["cat", "/built"]\n',
                note="new LABEL, EXPOSE, CMD, a comment and a blank line",
            ),
        ),
    ),
    Sequence(
        "12-workdir-and-user",
        "WORKDIR is a step of its own and changes every later key; USER changes a RUN's key",
        {"a.txt": "a\n"},
        "FROM busybox\nWORKDIR /one\nCOPY a.txt .\nRUN pwd > where.txt\n",
        (
            Build(note="first build"),
            Build(
                dockerfile="FROM busybox\nWORKDIR /two\nCOPY a.txt .\nRUN pwd > where.txt\n",
                note="WORKDIR /two",
            ),
            Build(
                dockerfile="FROM busybox\nWORKDIR /two\nCOPY a.txt .\nUSER nobody\n"
                "RUN pwd > /tmp/where.txt\n",
                note="USER nobody before a RUN",
            ),
        ),
    ),
    Sequence(
        "13-revert",
        "an edit and its revert: the cache keeps both, so the third build is all cached",
        {"a.txt": "a\n"},
        "FROM busybox\nCOPY a.txt /a.txt\nRUN cat /a.txt > /copy.txt\n",
        (
            Build(note="first build"),
            Build({"a.txt": "b\n"}, note="edit a.txt"),
            Build({"a.txt": "a\n"}, note="put a.txt back"),
        ),
    ),
    Sequence(
        "14-bind-mount",
        "RUN --mount=type=bind reads a context file without copying it: editing that file "
        "re-runs the RUN",
        {"script.sh": "echo v1\n", "other.txt": "x\n"},
        "FROM busybox\nRUN --mount=type=bind,source=script.sh,target=/s.sh sh /s.sh > /out\n"
        "COPY other.txt /other.txt\n",
        (
            Build(note="first build"),
            Build({"other.txt": "y\n"}, note="edit other.txt"),
            Build({"script.sh": "echo v2\n"}, note="edit script.sh"),
        ),
    ),
    Sequence(
        "15-skipped-stage",
        "a stage the target does not need is never built, so editing what only it reads "
        "changes nothing",
        {"a.txt": "a\n", "unused.txt": "u1\n"},
        "FROM busybox AS unused\nCOPY unused.txt /u.txt\nFROM busybox\nCOPY a.txt /a.txt\n"
        "RUN cat /a.txt > /b.txt\n",
        (
            Build(note="first build"),
            Build({"unused.txt": "u2\n"}, note="edit unused.txt"),
        ),
    ),
    Sequence(
        "16-directory-copy",
        "COPY src/ reads the whole directory: a new file in it breaks the cache, a new file "
        "beside it does not",
        {"src/a.txt": "a\n", "top.txt": "t\n"},
        "FROM busybox\nCOPY src/ /src/\nRUN ls /src > /ls.txt\n",
        (
            Build(note="first build"),
            Build({"new-top.txt": "n\n"}, note="add new-top.txt beside src/"),
            Build({"src/b.txt": "b\n"}, note="add src/b.txt"),
        ),
    ),
    Sequence(
        "17-no-cache",
        "--no-cache runs every step, and the next build finds what it stored",
        {"a.txt": "a\n"},
        "FROM busybox\nCOPY a.txt /a.txt\nRUN cat /a.txt > /b.txt\n",
        (
            Build(note="first build"),
            Build(no_cache=True, note="--no-cache"),
            Build(note="again, with the cache"),
        ),
    ),
    Sequence(
        "18-instruction-case",
        "instruction keywords are case-insensitive and a RUN's key is its command: lower-case "
        "keywords hit the cache, an extra space in the command misses it",
        {"a.txt": "a\n"},
        "FROM busybox\nCOPY a.txt /a.txt\nRUN echo hi > /hi\n",
        (
            Build(note="first build"),
            Build(
                dockerfile="from busybox\ncopy a.txt /a.txt\nrun echo hi > /hi\n",
                note="lower-case keywords",
            ),
            Build(
                dockerfile="FROM busybox\nCOPY a.txt /a.txt\nRUN echo  hi > /hi\n",
                note="two spaces after echo",
            ),
        ),
    ),
    Sequence(
        "19-failed-run-then-fix",
        "a failed RUN stores nothing, but the steps before it are cached: fixing the RUN "
        "re-runs only the RUN",
        {"package.json": '{"name": "app", "scripts": {"build": "true"}}\n'},
        "FROM busybox AS builder\nWORKDIR /app\nCOPY package.json .\n"
        "RUN echo 'npm ERR! Missing script: \"biuld\"'; echo 'npm ERR! To see a list of "
        "scripts, run:'; echo 'npm ERR!   npm run'; exit 1\n"
        "FROM busybox\nCOPY --from=builder /app/package.json /srv/\n",
        (
            Build(note="first build: the RUN fails"),
            Build(
                dockerfile="FROM busybox AS builder\nWORKDIR /app\nCOPY package.json .\n"
                "RUN echo built > build.txt\nFROM busybox\n"
                "COPY --from=builder /app/package.json /srv/\n",
                note="fix the RUN",
            ),
        ),
    ),
    Sequence(
        "20-copy-from-missing-then-fix",
        "COPY --from of a path the stage does not have fails; the builder's steps stay cached "
        "for the fixed build",
        {"index.html": "<h1>hi</h1>\n"},
        "FROM busybox AS builder\nWORKDIR /app\nCOPY index.html .\n"
        "RUN mkdir build && cp index.html build/\n"
        "FROM busybox\nCOPY --from=builder /app/dist /usr/share/nginx/html\nEXPOSE 80\n",
        (
            Build(note="first build: /app/dist does not exist"),
            Build(
                dockerfile="FROM busybox AS builder\nWORKDIR /app\nCOPY index.html .\n"
                "RUN mkdir build && cp index.html build/\nFROM busybox\n"
                "COPY --from=builder /app/build /usr/share/nginx/html\nEXPOSE 80\n",
                note="copy /app/build instead",
            ),
        ),
    ),
)


def _write(ctx: Path, rel: str, content: str) -> None:
    path = ctx / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o755)
    path.write_text(content)
    path.chmod(0o644)


def materialise(seq: Sequence, ctx: Path) -> None:
    """The sequence's context before its first build, in the new folder ``ctx``."""
    ctx.mkdir(parents=True)
    os.chmod(ctx, 0o755)
    for rel, content in seq.files.items():
        _write(ctx, rel, content)


def apply(ctx: Path, build: Build, dockerfile: str) -> str:
    """Apply ``build``'s edits to ``ctx`` and write its Dockerfile (``dockerfile`` is the
    previous one, kept when the build has none); returns the Dockerfile's text."""
    for rel, edit in build.edits.items():
        path = ctx / rel
        if edit is None:
            path.unlink()
        elif isinstance(edit, Chmod):
            path.chmod(edit.mode)
        elif isinstance(edit, Touch):
            st = path.stat()
            os.utime(path, (st.st_atime + 3600, st.st_mtime + 3600))
        else:
            _write(ctx, rel, edit)
    text = build.dockerfile if build.dockerfile is not None else dockerfile
    (ctx / "Dockerfile").write_text(text)
    return text
