#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests
# (test/browser/browser.ts launches /usr/bin/chromium). Does nothing when it is
# already there; otherwise installs it from apt, through sudo unless root.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "ensure-chromium: /usr/bin/chromium is missing, and installing it needs root or sudo" >&2
  exit 1
fi

echo "ensure-chromium: installing Debian's chromium (apt-get)" >&2
"${as_root[@]}" apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
