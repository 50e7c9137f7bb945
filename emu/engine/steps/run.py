"""RUN: a command against the stage's filesystem, through the stage's executor."""

from __future__ import annotations

from emu.dockerfile.instructions import Run
from emu.engine.state import StageState
from emu.engine.steps.shell import current


def apply(st: StageState, inst: Run) -> None:
    line = inst.command
    argv = (*current(st), *line.args) if line.prepend_shell else line.args
    if line.files and line.prepend_shell:
        words = line.args[0].split()
        if (
            len(line.files) == 1
            and len(words) == 1
            and words[0].lstrip("0123456789").startswith("<<")
        ):
            # RUN <<EOF alone: the here-document is the script itself.
            argv = (*current(st), line.files[0].data)
        else:
            # Otherwise the shell gets the line and its here-documents, as BuildKit passes them.
            body = "".join(f"{f.data}{f.name}\n" for f in line.files)
            argv = (*current(st), f"{line.args[0]}\n{body}")
    env = st.env()
    if st.executor is None:
        from emu.engine.runexec import ShellExecutor

        st.executor = ShellExecutor()
    st.executor.run(st, inst, argv, env)
    st.commit(f"RUN {st.build_arg_prefix()}{' '.join(argv)} # buildkit", layer=True)
