"""Use emu's pytest plugin here even when the package is not installed with its entry point,
and pytester to run the plugin in a nested session."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    pm = config.pluginmanager
    if not (pm.has_plugin("emu") or pm.has_plugin("emu.testing.plugin")):
        pm.import_plugin("emu.testing.plugin")
    if not pm.has_plugin("pytester"):
        pm.import_plugin("pytester")
