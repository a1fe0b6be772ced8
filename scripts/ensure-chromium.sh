#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing.
exec bash "$(dirname "$0")/ensure-debian-package.sh" chromium chromium "the browser tests"
