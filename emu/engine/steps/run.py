"""RUN: a command against the stage's filesystem, through the stage's executor."""

from __future__ import annotations

from emu.dockerfile.instructions import Run
from emu.engine.state import StageState
from emu.engine.steps.shell import current


def command(st: StageState, inst: Run) -> tuple[str, ...]:
    """The command RUN executes: the SHELL and the line, or the exec form as written."""
    line = inst.command
    if not (line.files and line.prepend_shell):
        return (*current(st), *line.args) if line.prepend_shell else line.args
    words = line.args[0].split()
    if len(line.files) == 1 and len(words) == 1 and words[0].lstrip("0123456789").startswith("<<"):
        # RUN <<EOF alone: the here-document is the script itself.
        return (*current(st), line.files[0].data)
    # Otherwise the shell gets the line and its here-documents, as BuildKit passes them.
    body = "".join(f"{f.data}{f.name}\n" for f in line.files)
    return (*current(st), f"{line.args[0]}\n{body}")


def apply(st: StageState, inst: Run) -> None:
    argv = command(st, inst)
    env = st.env()
    if st.executor is None:
        from emu.engine.runexec import ShellExecutor

        st.executor = ShellExecutor()
    st.executor.run(st, inst, argv, env)
    st.commit(f"RUN {st.build_arg_prefix()}{' '.join(argv)} # buildkit", layer=True)
