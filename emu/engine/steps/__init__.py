"""One module per instruction: how each changes a stage's filesystem and config.

:func:`emu.engine.dispatch.dispatch` matches an instruction's type and calls the ``apply``
of the module named after it. Each ``apply`` follows BuildKit's ``dispatch<Instruction>``
(``frontend/dockerfile/dockerfile2llb/convert.go``), history text included.
"""
