#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (the HTML report's screenshot in
# tests/cli/test_report_screenshot.py, the playground in tests/playground), which skip,
# saying why, where chromium is absent. .ci/run runs it when chromium is missing; by hand,
# on a Debian/Ubuntu machine:
#   sudo tests/support/install-chromium.sh
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    echo "chromium is already installed: $(command -v chromium)"
    exit 0
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
chromium --version
