"""The dispatcher: one ``match`` over instruction types, one step module per instruction."""

from __future__ import annotations

from emu.dockerfile.instructions import (
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Instruction,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    StopSignal,
    User,
    Volume,
    Workdir,
)
from emu.engine.state import StageState
from emu.engine.steps import (
    arg,
    cmd,
    copy,
    env,
    expose,
    healthcheck,
    label,
    maintainer,
    onbuild,
    run,
    shell,
    stopsignal,
    user,
    volume,
    workdir,
)


def dispatch(st: StageState, inst: Instruction) -> None:
    match inst:
        case Arg():
            arg.apply(st, inst)
        case Env():
            env.apply(st, inst)
        case Label():
            label.apply(st, inst)
        case Maintainer():
            maintainer.apply(st, inst)
        case Expose():
            expose.apply(st, inst)
        case Volume():
            volume.apply(st, inst)
        case User():
            user.apply(st, inst)
        case Workdir():
            workdir.apply(st, inst)
        case StopSignal():
            stopsignal.apply(st, inst)
        case Shell():
            shell.apply(st, inst)
        case Healthcheck():
            healthcheck.apply(st, inst)
        case Cmd():
            cmd.apply_cmd(st, inst)
        case Entrypoint():
            cmd.apply_entrypoint(st, inst)
        case Onbuild():
            onbuild.apply(st, inst)
        case Copy() | Add():
            copy.apply(st, inst)
        case Run():
            run.apply(st, inst)
        case From():  # pragma: no cover - FROM starts a stage; the engine handles it
            raise AssertionError("FROM is not dispatched")
