#!/usr/bin/env bash
# Installs Debian's chromium for the HTML report's screenshot test
# (tests/cli/test_report_screenshot.py), which skips, saying why, where chromium is absent.
# .ci/run calls it (as root, where apt-get exists); by hand on a Debian/Ubuntu machine:
#   sudo tests/support/install-chromium.sh
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    echo "chromium is already installed: $(command -v chromium)"
    exit 0
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
chromium --version
