#!/usr/bin/env bash
# ensure-debian-package.sh COMMAND PACKAGE WHAT
# Installs Debian's PACKAGE when COMMAND is not on the PATH, for the tests named WHAT.
# Prints what it does; never fails the build where it cannot install (those tests
# then say why they were skipped, and fail under CI=true).
# Uses sudo when not root and sudo works without a password (CI runners).
set -u
command=$1 package=$2 what=$3
name="ensure-$command"
if command -v "$command" >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$name: $command is not installed and apt-get is not available; $what will skip" >&2
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root="sudo -n"
else
  echo "$name: $command is not installed and root is needed to install it; $what will skip" >&2
  exit 0
fi
echo "$name: installing Debian's $package for $what" >&2
$as_root apt-get update -qq >/dev/null && $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null \
  || echo "$name: apt-get install $package failed; $what will skip" >&2
command -v "$command" >/dev/null 2>&1 && echo "$name: $(command -v "$command") installed" >&2
exit 0
