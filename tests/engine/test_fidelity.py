"""What the golden cases cannot show: RUN's output, an exact error, and where current
BuildKit and the oracle's Docker 20.10 differ (emu follows current BuildKit)."""

from __future__ import annotations

import io
import tarfile

import pytest

from emu.dockerfile.instructions import load
from emu.engine.builder import BuildOptions, BuildResult, build
from emu.engine.context import from_mapping
from emu.engine.runexec import ShellExecutor
from emu.errors import BuildError
from emu.fs import File


def _build(dockerfile: str, files: dict[str, str | bytes], ex: ShellExecutor) -> BuildResult:
    return build(load(dockerfile), from_mapping(files), BuildOptions(executor=ex))


def _tar(*entries: tuple[str, str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, kind, data in entries:
            ti = tarfile.TarInfo(name)
            if kind == "sym":
                ti.type, ti.linkname = tarfile.SYMTYPE, data
                tf.addfile(ti)
            else:
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data.encode()))
    return buf.getvalue()


def test_writes_through_links_to_dev_stdout_reach_the_build_output() -> None:
    # Golden case 119 shows the build succeeds; the bytes go to RUN's own output.
    ex = ShellExecutor()
    _build(
        "FROM busybox\nRUN ln -s /dev/stdout /out.log && ln -s /dev/stderr /err.log"
        " && echo to-out > /out.log && echo to-err >> /err.log && echo tee | tee /out.log\n",
        {},
        ex,
    )
    (out,) = ex.outputs
    assert out.stdout == b"to-out\ntee\ntee\n" and out.stderr == b"to-err\n"


def test_exec_form_run_of_a_script_without_shebang_is_an_exec_format_error() -> None:
    ex = ShellExecutor()
    with pytest.raises(BuildError, match="exit code: 1") as info:
        _build('FROM busybox\nCOPY s /s\nRUN chmod 755 /s\nRUN ["/s"]\n', {"s": "echo hi\n"}, ex)
    assert info.value.hint == "exec /s: exec format error"  # runc's words (golden case 121)


def test_add_tar_absolute_link_to_a_missing_directory_is_created_in_the_destination() -> None:
    # Docker 20.10 fails this ADD ("open /esc/pwned: no such file or directory": its chroot
    # has no /etc). Current BuildKit (solver/llbsolver/file/unpack_root.go) resolves an
    # absolute link target from the destination and creates the missing directory, and so
    # does emu.
    tar = _tar(("esc", "sym", "/etc"), ("esc/pwned", "file", "x\n"))
    r = _build("FROM busybox\nADD t.tar /x/\n", {"t.tar": tar}, ShellExecutor())
    fs = r.image.rootfs.fs()
    node = fs.get("/x/etc/pwned")
    assert isinstance(node, File) and node.data == b"x\n"
    assert fs.lookup("/etc/pwned") is None
