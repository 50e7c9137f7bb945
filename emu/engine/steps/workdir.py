"""WORKDIR: set the working directory, creating it (owned by the current USER)."""

from __future__ import annotations

import posixpath

from emu.dockerfile.instructions import Workdir
from emu.engine.state import StageState
from emu.engine.users import resolve_chown
from emu.errors import EmuError
from emu.fs import Dir, Meta


def apply(st: StageState, inst: Workdir) -> None:
    raw = st.expand(inst.path, inst.pos)
    base = st.config.working_dir or "/"
    path = posixpath.normpath(posixpath.join(base, raw))
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    st.config = st.config.changed(working_dir=path)
    # BuildKit: Mkdir(path, 0755, WithParents, WithUser(USER)) — existing dirs are untouched.
    try:
        ids = resolve_chown(st.fs, st.config.user) if st.config.user else None
    except EmuError as exc:
        raise exc.as_build_failure(st.file, inst.pos) from None
    uid, gid = (ids.uid, ids.gid) if ids else (0, 0)
    node = st.fs.lookup(path)
    if node is None:
        try:
            # Without USER nothing is chowned: in a setgid directory the group is inherited.
            st.fs.makedirs(path, Meta(0o755, uid, gid), chowned=ids is not None)
        except EmuError as exc:
            raise exc.as_build_failure(st.file, inst.pos, prefix=f"mkdir {path}: ") from None
    elif not isinstance(node, Dir):
        raise st.error(f"mkdir {path}: not a directory", inst.pos)
    st.commit(f"WORKDIR {path}", layer=True)
