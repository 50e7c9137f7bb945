"""Laws of the step names' shortcuts (emu.engine.vertex)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from emu.dockerfile.instructions import load
from emu.engine.builder import build
from emu.engine.context import from_mapping
from emu.errors import EmuError

# Paths made of what can turn a WORKDIR into "/": slashes, dots, quotes, escapes, variables.
PATHS = st.text(st.sampled_from(list("/a.$'\"\\`{}R")), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(PATHS, st.sampled_from(["/", "/w", ""]))
def test_a_workdir_said_not_to_be_root_never_is(path: str, root_var: str) -> None:
    # vertex.may_be_root lets _step skip expanding a plain WORKDIR path: whenever it says
    # no, the expanded path is not "/" (a WORKDIR / makes no step).
    from emu.engine import vertex

    text = f"FROM scratch\nARG R={root_var}\nWORKDIR {path}\n"
    try:
        df = load(text)
        result = build(df, from_mapping({}))
    except EmuError:
        return
    (inst,) = [i for i in df.stages[0].commands if type(i).__name__ == "Workdir"]
    if not vertex.may_be_root(inst):
        assert result.image.config.working_dir != "/"
