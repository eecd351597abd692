#!/usr/bin/env bash
# Debian packages Empathy itself needs: bubblewrap, the OS sandbox that contains generated tests
# (without it test generation still runs, and every report says its isolation is only best effort).
# Idempotent: nothing is installed when the packages are present. Never fails the caller when apt is
# unavailable (e.g. no root): it says so, and Empathy detects the missing sandbox at run time.
set -uo pipefail
APT_PACKAGES=(bubblewrap)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup-system: cannot install ${missing[*]} (not root, no sudo): generated tests run best effort" >&2
    exit 0
  fi
fi
echo "setup-system: apt-get install ${missing[*]}"
if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
  echo "setup-system: apt-get could not install ${missing[*]}: generated tests run best effort" >&2
fi
exit 0
