#!/usr/bin/env bash
# Installs Debian's Java runtime for the Spark graph engine's tests when no
# `java` is on the PATH (pyspark 4 needs Java 17 or newer).
# Prints what it does; never fails the build where it cannot install (the
# Spark tests then say why they were skipped, and fail under CI=true).
# Uses sudo when not root and sudo works without a password (CI runners).
set -u
if command -v java >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-java: java is not installed and apt-get is not available; Spark tests will skip" >&2
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root="sudo -n"
else
  echo "ensure-java: java is not installed and root is needed to install it; Spark tests will skip" >&2
  exit 0
fi
echo "ensure-java: installing Debian's default-jre-headless for the Spark engine" >&2
$as_root apt-get update -qq >/dev/null && $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null \
  || echo "ensure-java: apt-get install default-jre-headless failed; Spark tests will skip" >&2
command -v java >/dev/null 2>&1 && echo "ensure-java: $(command -v java) installed" >&2
exit 0
