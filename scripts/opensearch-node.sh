#!/usr/bin/env bash
# A local OpenSearch node for trying `--backend opensearch` by hand (no Docker):
# builds the embedded node once with Maven, starts it on 127.0.0.1 and prints
# the `export LOUPE_OPENSEARCH_URL=…` line to use. Ctrl-C stops it and removes
# its data. Usage: bash scripts/opensearch-node.sh [HTTP_PORT]   (default: a free port)
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 tests/opensearch/node.py "$@"
