#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine, then runs it.
#   - Debian: chromium (browser tests through Playwright), Java 17 + Maven (a real OpenSearch node)
#   - Python: Loupe with its test extras (the spaCy French model comes as a package dependency)
# Usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v javac >/dev/null 2>&1 || need_apt+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

python3 -m pip install -q --disable-pip-version-check -e '.[test]'

# The OpenSearch node the scale-out tests start (dependencies fetched once, then offline).
if [ -f tests/opensearch/pom.xml ]; then
  mvn -q -B -f tests/opensearch/pom.xml package dependency:copy-dependencies -DskipTests
fi

mkdir -p test-output
set +e
python3 -m pytest "$@"
status=$?
set -e
if [ $status -eq 5 ]; then
  echo "no test ran: treating as a failure" >&2
  exit 1
fi
exit $status
