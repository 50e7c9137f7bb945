"""emu's pytest plugin (entry point ``pytest11``: ``emu = "emu.testing.plugin"``).

Fixtures:

* ``emu_build`` — :func:`emu.testing.build`: build a ``{path: content}`` mapping or a folder,
  sandboxed, with limits, ``FROM`` from emu's catalog;
* ``emu_context`` — a factory writing ``{path: content | Link}`` into a fresh temporary
  folder and returning its path (for tests of on-disk contexts).

Spec files: a container-structure-test YAML file whose emu file (``NAME.emu.yaml`` beside it)
names a ``context`` (or an ``image``) is collected as one test item per test the two hold, so
``pytest specs/`` runs the project's container-structure-test files against emu's builds.
``--no-emu-specs`` (or ``emu_specs = false`` in the ini file) turns that off.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from emu.grading.model import Spec
    from emu.grading.report import Report, TestResult


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("emu")
    group.addoption(
        "--no-emu-specs",
        action="store_true",
        default=False,
        help="do not collect container-structure-test spec files",
    )
    parser.addini(
        "emu_specs",
        "collect spec YAML files naming emuTests.context (default true)",
        type="bool",
        default=True,
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """An :class:`~emu.errors.EmuError` (a ``BuildError``…) that reaches a test shows what
    emu would print — ``FILE:LINE:COL``, the lines there, the hint — and the traceback ends
    at the user's line: emu's own frames are left out (``--fulltrace`` keeps them)."""
    excinfo = call.excinfo
    if excinfo is not None:
        from emu.errors import EmuError

        if isinstance(excinfo.value, EmuError):
            _explain(excinfo.value)
            if not item.config.getoption("fulltrace", False):
                _end_at_the_users_frame(excinfo)
    report: Any = yield
    return report


def _emu_frame(frame: Any) -> bool:
    name = frame.f_globals.get("__name__", "")
    return isinstance(name, str) and (name == "emu" or name.startswith("emu."))


def _end_at_the_users_frame(excinfo: pytest.ExceptionInfo[BaseException]) -> None:
    """Cut the raw traceback after the last frame that is not emu's. (pytest rebuilds a
    test's traceback from the raw one when it cuts it at the test function, so filtering
    its entries would not last; ``__tracebackhide__`` marks only the frames that raise
    into user tests, emu's engine stays free of pytest.)"""
    chain: list[TracebackType] = []
    tb: TracebackType | None = excinfo.tb
    while tb is not None:
        chain.append(tb)
        tb = tb.tb_next
    users = [i for i, t in enumerate(chain) if not _emu_frame(t.tb_frame)]
    if users and users[-1] < len(chain) - 1:
        chain[users[-1]].tb_next = None
        excinfo.traceback = pytest.ExceptionInfo.from_exc_info(
            (type(excinfo.value), excinfo.value, chain[0])
        ).traceback


def _explain(exc: Any) -> None:
    """Add the error's place, the lines there and its hint as notes (once)."""
    from emu.errors import code_frame

    if getattr(exc, "_emu_explained", False):
        return
    exc._emu_explained = True
    if exc.source is not None and exc.span is not None:
        frame = code_frame(exc.source, exc.span)
        if frame:
            exc.add_note(frame)
    if exc.hint:
        exc.add_note(f"hint: {exc.hint}")


@pytest.fixture
def emu_build() -> Callable[..., Any]:
    """``emu_build(context, dockerfile=None, *, target=None, build_args=None, …)``."""
    from emu.testing import build

    return build


@pytest.fixture
def emu_context(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``emu_context({"Dockerfile": "...", "src/a.txt": b"x"}) -> Path`` (a fresh folder)."""
    from emu.testing import write_context

    counter = itertools.count()

    def make(files: dict[str, Any]) -> Path:
        folder = tmp_path_factory.mktemp(f"emu-context-{next(counter)}", numbered=True)
        return write_context(files, folder)

    return make


def _head(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[:200_000]
    except OSError:
        return ""


def _looks_like_spec(path: Path) -> bool:
    """A container-structure-test file whose emu file (``NAME.emu.yaml``) names what to
    test — or, in emu's old form, whose own ``emuTests`` does."""
    from emu.grading.loader import EMU_SUFFIX, emu_file_for

    if path.suffix not in (".yaml", ".yml") or path.name.endswith(EMU_SUFFIX):
        return False
    head = _head(path)
    if "schemaVersion" not in head:
        return False
    sidecar = emu_file_for(path)
    if sidecar.exists():
        extra = _head(sidecar)
        return "context:" in extra or "image:" in extra
    return "emuTests" in head and ("context:" in head or "image:" in head)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    config = parent.config
    if config.getoption("--no-emu-specs", default=False) or not config.getini("emu_specs"):
        return None
    if not _looks_like_spec(file_path):
        return None
    return SpecFile.from_parent(parent, path=file_path)


class SpecFailure(Exception):
    """A spec test that did not pass."""


class SpecFile(pytest.File):
    """A spec file: one item per test; the subject is built once for all of them."""

    _report: Report | None = None

    def spec(self) -> Spec:
        from emu.grading.loader import load

        return load(self.path)

    def collect(self) -> Iterator[pytest.Item]:
        from emu.errors import EmuError

        try:
            spec = self.spec()
        except EmuError as exc:
            raise self.CollectError(str(exc)) from None
        if not (spec.build.context or spec.build.image):
            return
        for index, test in enumerate(spec.tests()):
            yield SpecItem.from_parent(self, name=test.name, index=index)

    def report(self) -> Report:
        if self._report is None:
            from emu.grading.run import run

            self._report = run(self.spec())
        return self._report


class SpecItem(pytest.Item):
    def __init__(self, *, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = index

    def result(self) -> TestResult:
        assert isinstance(self.parent, SpecFile)
        return self.parent.report().results[self.index]

    def runtest(self) -> None:
        result = self.result()
        if result.status == "skip":
            pytest.skip("; ".join(result.messages) or "not supported by emu")
        if not result.passed:
            raise SpecFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, SpecFailure):
            result = self.result()
            lines = [f"{result.status}: {result.name} ({result.kind})"]
            lines += [f"  {m}" for m in result.messages]
            if result.observed:
                lines.append(f"  observed: {result.observed}")
            assert isinstance(self.parent, SpecFile)
            report = self.parent.report()
            if report.build_error:
                lines.append(f"  build: {report.build_error}")
            return "\n".join(lines)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"spec: {self.name}"


__all__ = ["SpecFailure", "SpecFile", "SpecItem", "emu_build", "emu_context"]
