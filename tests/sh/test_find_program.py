"""find_program looks a name up in each $PATH directory and resolves a link it finds there
(through FS.lookup's shortcuts): the program is what the path resolves to."""

from __future__ import annotations

import pytest

from emu.fs import FS, File, Meta
from emu.sh.api import Identity, find_program

ROOT = Identity(0, 0, (), "root")
EXE = Meta(0o755)


def _image() -> FS:
    fs = FS()
    fs.makedirs("/usr/bin")
    fs.makedirs("/opt/tools")
    fs.symlink("/bin", "usr/bin")  # Debian's merged /usr
    fs.write_file("/usr/bin/busybox", b"\x7fELF", EXE)
    fs.write_file("/opt/tools/real", b"\x7fELF", EXE)
    fs.write_file("/usr/bin/plain", b"\x7fELF", Meta(0o644))  # not executable
    links = {
        "abs": "/usr/bin/busybox",
        "bare": "busybox",
        "up": "../../opt/tools/real",
        "sub": "../bin/busybox",
        "chain": "bare",
        "chain2": "abs",
        "dangling": "nothing",
        "dir": "/opt/tools",
        "dot": ".",
        "dotdot": "..",
        "empty": "",
        "noexec": "plain",
        "loop": "loop",
    }
    for name, target in links.items():
        fs.symlink(f"/usr/bin/{name}", target)
    return fs


def _by_path(fs: FS, name: str, path_var: str) -> tuple[str, File] | None:
    """The rule itself: each $PATH entry's candidate resolved in full."""
    for d in path_var.split(":"):
        candidate = f"{d.rstrip('/')}/{name}"
        try:
            node = fs.lookup(candidate)
        except Exception:
            continue
        if isinstance(node, File) and node.meta.mode & 0o111:
            return candidate, node
    return None


@pytest.mark.parametrize(
    "name",
    ["abs", "bare", "up", "sub", "chain", "chain2", "dangling", "dir", "dot", "dotdot",
     "empty", "noexec", "loop", "busybox", "missing"],
)  # fmt: skip
@pytest.mark.parametrize("path_var", ["/usr/bin", "/bin", "/sbin:/bin:/usr/bin"])
def test_found_through_a_link_as_the_path_resolves(name: str, path_var: str) -> None:
    fs = _image()
    found = find_program(fs, name, path_var, ROOT)
    expected = _by_path(fs, name, path_var)
    assert found == expected
    if name in ("abs", "bare", "sub", "chain", "chain2", "busybox"):
        assert found is not None and found[1] is fs.lookup("/usr/bin/busybox")
    if name in ("dangling", "dir", "dot", "dotdot", "empty", "noexec", "loop", "missing"):
        assert found is None
