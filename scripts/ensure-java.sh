#!/usr/bin/env bash
# Installs Debian's Java runtime for the Spark graph engine's tests when no `java` is on
# the PATH (pyspark 4 needs Java 17 or newer).
exec bash "$(dirname "$0")/ensure-debian-package.sh" java default-jre-headless "the Spark tests"
