#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing.
# Prints what it does; never fails the build where it cannot install (the
# browser tests then say why they were skipped, and fail under CI=true).
# Uses sudo when not root and sudo works without a password (CI runners).
set -u
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: chromium is not installed and apt-get is not available; browser tests will skip" >&2
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root="sudo -n"
else
  echo "ensure-chromium: chromium is not installed and root is needed to install it; browser tests will skip" >&2
  exit 0
fi
echo "ensure-chromium: installing Debian's chromium for the browser tests" >&2
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq >/dev/null && $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
  || echo "ensure-chromium: apt-get install chromium failed; browser tests will skip" >&2
command -v chromium >/dev/null 2>&1 && echo "ensure-chromium: $(command -v chromium) installed" >&2
exit 0
