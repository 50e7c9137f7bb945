"""BuildKit's steps: which instructions make one, how its progress output names them, and
what goes into each one's cache key (see :mod:`emu.engine.cache`).

Names follow the Dockerfile frontend (``dockerfile2llb``): ``[STAGE N/TOTAL] TEXT`` where
TOTAL counts the stage's FROM (unless it is ``scratch`` or another stage) and its RUN, COPY,
ADD and WORKDIR instructions, STAGE is left out when the build has a single stage, and TEXT
is the instruction as written with its keyword upper-cased and variables expanded (a RUN
keeps its quotes and unset variables, as BuildKit's raw lexer does).
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterable

from emu.dockerfile.instructions import Add, Copy, Dockerfile, Instruction, Run, Workdir
from emu.engine.args import PROXY_ARGS
from emu.engine.cache import StepInputs, selection
from emu.engine.state import CopyRecord, StageState
from emu.errors import EmuError
from emu.fs import FS
from emu.words import Lexer

_RAW = Lexer(raw_quotes=True, skip_unset_env=True)
_PLAIN = Lexer()


def kind(inst: Instruction) -> str:
    """``run``, ``copy``, ``add``, ``workdir``, or "" for an instruction that makes no step."""
    if isinstance(inst, Run):
        return "run"
    if isinstance(inst, Copy):
        return "copy"
    if isinstance(inst, Add):
        return "add"
    if isinstance(inst, Workdir):
        return "workdir"
    return ""


def stage_total(df: Dockerfile, index: int, base_is_stage: bool) -> int:
    st = df.stages[index]
    total = 0 if base_is_stage or st.base == "scratch" else 1
    return total + st.derived("steps", lambda s: sum(1 for c in s.commands if kind(c)))


def named_stages(df: Dockerfile) -> bool:
    """Whether step names carry the stage: BuildKit drops it when the build has one state
    (a ``COPY --from`` or ``RUN --mount from=`` naming an image adds one)."""
    if len(df.stages) > 1:
        return True
    return any(ref for ref in from_refs(df.stages[0].commands))


def from_refs(commands: Iterable[Instruction]) -> list[str]:
    out: list[str] = []
    for inst in commands:
        if isinstance(inst, Copy) and inst.from_:
            out.append(inst.from_)
        elif isinstance(inst, Run):
            for mount in inst.mounts:
                value = mount_options(mount).get("from")
                if value:
                    out.append(value)
    return out


def mount_options(mount: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in mount.split(","):
        key, eq, value = part.partition("=")
        key = key.strip().lower()
        if key:
            out[key] = value.strip() if eq else "true"
    return out


def prefix(stage: str, index: int, total: int, onbuild: bool = False) -> str:
    of = str(total)
    n = str(index).rjust(len(of))  # (not a nested format spec: it is parsed on every call)
    label = f"{stage} " if stage else ""
    return f"[{label}{n}/{of}] ONBUILD " if onbuild else f"[{label}{n}/{of}] "


def text(st: StageState, inst: Instruction) -> str:
    """The instruction as BuildKit's progress names it."""
    source = inst.source
    lexer = _RAW if isinstance(inst, Run) else _PLAIN
    try:
        shown = lexer.process_word(source, st.vars).value
    except EmuError:
        shown = source
    word, sep, rest = shown.partition(" ")
    return word.upper() + sep + rest


def from_text(ref: str) -> str:
    from emu.images import reference

    try:
        return "FROM " + reference.normalize(ref)
    except EmuError:
        return "FROM " + ref


def may_be_root(inst: Workdir) -> bool:
    """Whether WORKDIR's path might come out as ``/``: not when it names a directory
    plainly (no variable, no ``.``, no quote, no escape), the usual case, which then
    needs no expansion to tell."""
    path = inst.path
    return not path.strip("/") or any(c in path for c in "$.\\`'\"")


def workdir_path(st: StageState, inst: Workdir) -> str:
    """Where WORKDIR goes, computed before it runs (without recording undefined variables)."""
    try:
        raw = _PLAIN.process_word(inst.path, st.vars).value
    except EmuError:
        raw = inst.path
    path = posixpath.normpath(posixpath.join(st.config.working_dir or "/", raw))
    return "/" + path.lstrip("/") if path.startswith("//") else path


# --- cache inputs ---------------------------------------------------------------------------


def run_inputs(st: StageState, inst: Run, argv: tuple[str, ...], parent: str) -> StepInputs:
    env = tuple(sorted((k, v) for k, v in st.env().items() if k not in PROXY_ARGS))
    meta = [
        ("workdir", st.config.working_dir or "/"),
        ("user", st.config.user or ""),
        ("network", inst.network),
        ("security", inst.security),
    ]
    files: list[tuple[str, str]] = []
    for i, mount in enumerate(inst.mounts):
        meta.append((f"mount {i}", mount))
        opts = mount_options(mount)
        if opts.get("type", "bind") != "bind":
            continue
        source = opts.get("source") or opts.get("src") or "/"
        path = "/" + posixpath.normpath("/" + source).lstrip("/")
        _, fs = _source(st, opts.get("from", ""), inst)
        if fs is not None:
            files.extend((f"mount {i}:{p}", d) for p, d in selection(fs, [path]))
    return StepInputs("run", "\0".join(argv), parent, env, tuple(meta), tuple(files))


def copy_inputs(
    st: StageState, inst: Copy | Add, record: CopyRecord | None, parent: str
) -> StepInputs:
    env = st.env()
    from_ = inst.from_ if isinstance(inst, Copy) else ""

    def expand(word: str) -> str:
        try:
            return _PLAIN.process_word(word, env).value
        except EmuError:
            return word

    op = " ".join([expand(s) for s in inst.sources] + [expand(inst.dest)])
    origin, fs = _source(st, from_, inst)
    meta = (
        ("workdir", st.config.working_dir or "/"),
        ("from", origin),
        ("chown", expand(inst.chown)),
        ("chmod", expand(inst.chmod)),
        ("link", str(inst.link)),
        ("parents", str(isinstance(inst, Copy) and inst.parents)),
        ("exclude", ",".join(inst.excludes)),
        ("contents", "\0".join(f"{d.name}\0{d.data}" for d in inst.contents)),
    )
    files: list[tuple[str, str]] = []
    if fs is not None and record is not None:
        files.extend(selection(fs, [src for src, _ in record.pairs]))
    if isinstance(inst, Add) and st.sources is not None:
        urls = st.sources.url_map()
        for src in inst.sources:
            if src in urls:
                files.append((src, "sha256:" + hashlib.sha256(urls[src]).hexdigest()))
    return StepInputs(kind(inst), op, parent, (), meta, tuple(files))


def workdir_inputs(st: StageState, path: str, parent: str) -> StepInputs:
    return StepInputs("workdir", path, parent, (), (("user", st.config.user or ""),))


def _source(st: StageState, from_: str, inst: Instruction) -> tuple[str, FS | None]:
    """What a step reads, and from where: the context, or the ``from`` stage or image."""
    sources = st.sources
    if sources is None:
        return "none", None
    if not from_:
        return "context", sources.context().snapshot.fs()
    if "$" in from_:
        return from_, None
    try:
        index, image = sources.from_ref(from_, st, inst.pos)
    except EmuError:
        return from_, None
    # A stage counts by what is read from it, not by its name; an image by its name too.
    return ("stage" if index is not None else "image " + from_), image.rootfs.fs()


__all__ = [
    "copy_inputs",
    "from_refs",
    "from_text",
    "kind",
    "mount_options",
    "named_stages",
    "prefix",
    "run_inputs",
    "stage_total",
    "text",
    "workdir_inputs",
    "workdir_path",
]
