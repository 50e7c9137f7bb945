"""Laws of the static checks, on generated Dockerfiles."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emu.dockerfile.checks import RULE_NAMES, CheckConfig, run_checks
from emu.dockerfile.instructions import INSTRUCTION_NAMES, load
from emu.errors import EmuError

pytestmark = pytest.mark.slow  # hundreds of generated examples per property

_KEYWORDS = st.sampled_from([*INSTRUCTION_NAMES, *(n.lower() for n in INSTRUCTION_NAMES)])
_WORDS = st.sampled_from(
    [
        *"abc xyz=$-\"'\\{}:/.#",
        "${A}",
        "$TARGETPLATFORM",
        "--platform=",
        "linux/arm64",
        "AS ",
        "scratch",
        "_KEY",
        "80/TCP",
        "1.2.3.4:",
        "ONBUILD ",
        "\n",
    ]
)
_LINE = st.builds(lambda k, a: f"{k} {''.join(a)}", _KEYWORDS, st.lists(_WORDS, max_size=8))
_DOCKERFILE = st.lists(_LINE, max_size=8).map(
    lambda ls: "ARG A=x\nFROM base AS b\n" + "\n".join(ls) + "\nFROM b\n"
)


@settings(max_examples=300, deadline=None)
@given(_DOCKERFILE)
def test_checks_never_raise_and_report_known_rules(text: str) -> None:
    try:
        df = load(text)
    except EmuError:
        return
    everything = CheckConfig(experimental_all=True)
    report = run_checks(df, everything)
    assert {v.rule.name for v in report.violations} <= RULE_NAMES
    lines = text.count("\n") + 1
    assert all(1 <= v.pos.line <= lines for v in report.violations)
    # Skipping every rule leaves only what `experimental=` asked for.
    skipped = run_checks(df, CheckConfig(skip_all=True, experimental_all=True))
    assert {v.rule.name for v in skipped.violations} <= {"InvalidDefinitionDescription"}
