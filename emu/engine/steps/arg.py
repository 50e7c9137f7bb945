"""ARG: declare a build argument in the stage (BuildKit's dispatchArg)."""

from __future__ import annotations

from emu.dockerfile.instructions import Arg
from emu.engine.state import StageState


def apply(st: StageState, inst: Arg) -> None:
    commit: list[str] = []
    for decl in inst.args:
        key = decl.key
        default = None if decl.value is None else st.expand(decl.value, inst.pos)
        commit.append(key if default is None else f"{key}={default}")
        given = st.build_args.get(key)
        value = given if given is not None else default
        if value is None and key in st.globals_:
            value = st.globals_[key]  # re-declaring a global ARG imports its value
        if key not in st.declared:
            st.declared.append(key)
        if value is not None:
            st.args[key] = value
            st.vars[key] = value
    st.commit("ARG " + " ".join(commit), layer=False)
