"""COPY and ADD: files from the context, another stage or an image into this stage."""

from __future__ import annotations

import posixpath

from emu.dockerfile.instructions import Add, Copy
from emu.engine.copying import Owner, copy, dest_path
from emu.engine.state import Skipped, StageState, copy_stats_record
from emu.engine.steps._chmod import parse_chmod
from emu.engine.users import resolve_chown
from emu.errors import BuildError, EmuError
from emu.fs import FS, File, Meta


def _is_url(src: str) -> bool:
    return src.startswith(("http://", "https://"))


def _is_git(src: str) -> bool:
    return src.startswith(("git@", "git://")) or (src.endswith(".git") and "://" in src)


def apply(st: StageState, inst: Copy | Add) -> None:
    assert st.sources is not None
    is_add = isinstance(inst, Add)
    name = "ADD" if is_add else "COPY"
    env = st.vars  # read only: expanding does not change it
    from_ = inst.from_ if isinstance(inst, Copy) else ""
    sources = [st.expand(s, inst.pos, env) for s in inst.sources]
    raw_dest = st.expand(inst.dest, inst.pos, env)
    dest = dest_path(st.config.working_dir or "/", raw_dest)
    # Several sources onto a destination without "/": BuildKit copies each onto the same
    # path and the last one wins (buildkit#1853, golden case 04); copy() does just that.

    owner = None
    if inst.chown:
        chown = st.expand(inst.chown, inst.pos, env)
        try:
            ids = resolve_chown(st.fs, chown)
        except EmuError as exc:
            raise exc.as_build_failure(st.file, inst.node.flag_span("chown")) from None
        owner = Owner(ids.uid, ids.gid)
    mode = None
    if inst.chmod:
        chmod = st.expand(inst.chmod, inst.pos, env)
        try:
            mode = parse_chmod(chmod)
        except ValueError as exc:
            raise st.error(str(exc), inst.node.flag_span("chmod")) from None

    # Where the files come from.
    stage_index: int | None = None
    if from_:
        if "$" in from_:
            raise st.error(
                "variable expansion is not supported for --from, define a new stage with FROM "
                "using ARG from global scope as a workaround",
                inst.node.flag_span("from"),
            )
        from_at = inst.node.flag_span("from").start
        stage_index, image = st.sources.from_ref(from_, st, from_at)
        src_fs = image.rootfs.fs()
        origin = from_
    else:
        src_fs = st.sources.context().snapshot.fs()
        origin = "context"

    def missing(raw: str) -> BuildError:
        ctx = st.sources.context() if st.sources and not from_ else None
        path = "/" + raw.strip("/").removeprefix("./")
        hint = None
        if ctx is not None and ctx.is_excluded(raw):
            source = ctx.ignore_file or ".dockerignore"
            hint = f"{raw} is excluded by {source}; remove the pattern or the COPY"
        elif raw.startswith("../") or raw == "..":
            hint = "paths are relative to the build context; ../ cannot reach outside it"
        elif from_:
            hint = _nearest_hint(src_fs, path, from_, stage_index is not None)
        elif raw[:1] in DASHES:
            hint = dash_hint(raw)
        return BuildError(
            f'failed to calculate checksum of ref: "{path}": not found',
            file=st.file,
            pos=inst.pos,
            hint=hint,
        )

    if stage_index is not None:
        forgiven = st.sources.forgave(stage_index)
        if forgiven:
            sources = _stand_ins(st, inst, src_fs, sources, dest, from_, forgiven)

    context_sources: list[str] = []
    for src in sources:
        if is_add and not from_ and (_is_url(src) or _is_git(src)):
            _add_url(st, inst, src, dest, owner)
            continue
        context_sources.append(src)

    try:
        stats = copy(
            st.fs,
            src_fs,
            context_sources,
            dest,
            owner=owner,
            mode=mode,
            unpack=is_add
            and not from_
            and (inst.unpack if isinstance(inst, Add) else None) is not False,
            missing=missing,
            excludes=tuple(st.expand(e, inst.pos, env) for e in inst.excludes),
            parents=isinstance(inst, Copy) and inst.parents,
            limits=st.sources.limits() if is_add else None,
        )
    except EmuError as exc:
        raise exc.as_build_failure(st.file, inst.pos) from None

    for doc in inst.contents:
        data = doc.data
        if doc.expand:
            data = st.expand(data, inst.pos, env)
        target = dest + doc.name if dest.endswith("/") else dest
        meta = Meta(0o644, owner.uid if owner else 0, owner.gid if owner else 0)
        if mode is not None:
            meta = Meta(mode(0o644, False), meta.uid, meta.gid)
        st.fs.makedirs(target.rsplit("/", 1)[0] or "/")
        st.fs.put(
            target, File(meta, data.encode("utf-8", "surrogateescape"), ("heredoc", doc.name))
        )
        stats.files += 1

    shown = " ".join([*sources, raw_dest])
    copy_stats_record(st, inst.line, origin, stage_index, stats, inst.source)
    st.commit(
        f"{name} {shown} # buildkit",
        layer=True,
        source=origin,
        source_stage=stage_index,
        pairs=tuple(stats.sources),
    )


def _stand_ins(
    st: StageState,
    inst: Copy | Add,
    src_fs: FS,
    sources: list[str],
    dest: str,
    from_: str,
    forgiven: tuple[Skipped, ...],
) -> list[str]:
    """--permissive: the sources stage ``from_`` did not make because commands were skipped
    there get a marked placeholder at the destination instead of failing the COPY; the
    others are copied as usual."""
    from emu.sh import permissive

    skipped = sorted({s.what for s in forgiven if s.kind == "program"})
    why = f"--permissive skipped {', '.join(skipped) or 'commands'} in stage {from_}"
    kept: list[str] = []
    for src in sources:
        path = posixpath.normpath("/" + src.strip("/"))
        if any(c in src for c in "*?[") or src_fs.lookup(path) is not None:
            kept.append(src)
            continue
        node = st.fs.lookup(dest)
        into_dir = dest.endswith("/") or (node is not None and node.kind.value == "dir")
        target = posixpath.join(dest, posixpath.basename(path)) if into_dir else dest
        st.fs.makedirs(posixpath.dirname(target) or "/")
        data = permissive.content(f"{from_}:{path}", "build output", why)
        st.fs.put(target, File(Meta(0o644), data, ("placeholder", f"{from_}:{path}")))
        st.skipped.append(Skipped(inst.line, "copy", f"{from_}:{path}", target))
    return kept


# Characters a word processor puts where a flag's "--" was typed: en dash, em dash, minus.
DASHES = "\u2013\u2014\u2212"
_DASH_NAMES = {"\u2013": "an en dash", "\u2014": "an em dash", "\u2212": "a minus sign"}


def dash_hint(word: str) -> str:
    """What to say about ``–from=builder``: the dash is not ``--``, so it is no flag."""
    name = _DASH_NAMES.get(word[:1], "a dash")
    flag = word.lstrip(DASHES).split("=", 1)[0]
    fixed = "--" + word.lstrip(DASHES)
    return (
        f"{word!r} starts with {name} (U+{ord(word[0]):04X}, as word processors and web pages "
        f"print --), not two hyphens, so it is no {flag!r} flag but a word of its own: type "
        f"{fixed}"
    )


def _nearest_hint(fs: object, path: str, from_: str, is_stage: bool) -> str:
    """Paths that do exist in the ``--from`` stage near the one asked for: a case mismatch,
    a sibling (``/app/build`` for ``/app/dist``), a close spelling; and how to list them."""
    import difflib
    import posixpath

    from emu.fs import FS, Dir, walk

    assert isinstance(fs, FS)
    parent = posixpath.dirname(path.rstrip("/")) or "/"
    while parent != "/" and not isinstance(fs.lookup(parent), Dir):
        parent = posixpath.dirname(parent) or "/"
    candidates: list[str] = []
    node = fs.lookup(parent)
    if isinstance(node, Dir):
        prefix = "" if parent == "/" else parent
        candidates = [f"{prefix}/{name}" for name in sorted(node.entries)]
        if parent != "/":
            for sub, _n in walk(node, prefix):
                deep = sub.count("/") - prefix.count("/")
                if 1 < deep <= 3 and len(candidates) < 2000:
                    candidates.append(sub)
    lowered = {c.lower(): c for c in candidates}
    near = [lowered[path.lower()]] if path.lower() in lowered else []
    near += [
        c for c in difflib.get_close_matches(path, candidates, n=3, cutoff=0.6) if c not in near
    ]
    if not near and parent != "/":
        near = [c for c in candidates if c.count("/") == path.count("/")][:3]
    where = (
        f"`emu ls --stage {from_} CONTEXT {parent}`" if is_stage else f"`emu ls {from_} {parent}`"
    )
    said = f"the path is absolute in {'stage ' if is_stage else ''}{from_}, whatever its WORKDIR"
    if near:
        return f"{said}; it has {', '.join(near[:3])} — did you mean {near[0]}? {where} lists it"
    return f"{said}; {where} lists what it has there"


def _add_url(st: StageState, inst: Copy | Add, src: str, dest: str, owner: Owner | None) -> None:
    assert st.sources is not None
    data = st.sources.url(src, st, inst.pos)
    base = src.rstrip("/").rsplit("/", 1)[-1] or "index.html"
    node = st.fs.lookup(dest)
    target = dest + base if dest.endswith("/") else dest
    if node is not None and not dest.endswith("/") and node.kind.value == "dir":
        target = dest + "/" + base
    st.fs.makedirs(target.rsplit("/", 1)[0] or "/")
    uid, gid = (owner.uid, owner.gid) if owner else (0, 0)
    st.fs.put(target, File(Meta(0o600, uid, gid), data, ("url", src)))
