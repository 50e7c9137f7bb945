"""COPY and ADD: files from the context, another stage or an image into this stage."""

from __future__ import annotations

from emu.dockerfile.instructions import Add, Copy
from emu.engine.copying import CopyError, Owner, copy, dest_path
from emu.engine.state import LimitError, StageState, copy_stats_record
from emu.engine.steps._chmod import parse_chmod
from emu.engine.users import resolve_chown
from emu.errors import BuildError, EmuError
from emu.fs import File, Meta


def _is_url(src: str) -> bool:
    return src.startswith(("http://", "https://"))


def _is_git(src: str) -> bool:
    return src.startswith(("git@", "git://")) or (src.endswith(".git") and "://" in src)


def apply(st: StageState, inst: Copy | Add) -> None:
    assert st.sources is not None
    is_add = isinstance(inst, Add)
    name = "ADD" if is_add else "COPY"
    env = st.env()
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
            raise st.error(exc.message, inst.node.find("--chown"), exc.hint) from None
        owner = Owner(ids.uid, ids.gid)
    mode = None
    if inst.chmod:
        chmod = st.expand(inst.chmod, inst.pos, env)
        try:
            mode = parse_chmod(chmod)
        except ValueError as exc:
            raise st.error(str(exc), inst.node.find("--chmod")) from None

    # Where the files come from.
    stage_index: int | None = None
    if from_:
        if "$" in from_:
            raise st.error(
                "variable expansion is not supported for --from, define a new stage with FROM "
                "using ARG from global scope as a workaround",
                inst.node.find("--from"),
            )
        stage_index, image = st.sources.from_ref(from_, st, inst.node.find("--from"))
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
            hint = f"the path is absolute in the source ({from_}), whatever its WORKDIR"
        return BuildError(
            f'failed to calculate checksum of ref: "{path}": not found',
            file=st.file,
            pos=inst.pos,
            hint=hint,
        )

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
    except LimitError as exc:
        raise exc.located(file=st.file, pos=inst.pos) from None
    except CopyError as exc:
        if exc.file is None:
            raise st.error(exc.message, inst.pos, exc.hint) from None
        raise
    except EmuError as exc:
        raise st.error(exc.message, inst.pos, exc.hint) from None

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
