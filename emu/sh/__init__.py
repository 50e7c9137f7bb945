"""An emulated POSIX shell (busybox ash, and bash) over an in-memory filesystem (it knows
nothing about Docker).

``syntax`` parses scripts into a typed AST whose every node carries its position,
``expand`` performs word expansion, ``interp`` runs the AST; programs are Python handlers
registered by name (:mod:`emu.sh.api`), the utilities live in ``emu.sh.utils``.
"""
