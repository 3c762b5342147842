#!/usr/bin/env bash
# Install Mimir into .venv and run it on the embedded default (SQLite, no other service),
# following a bundled local news site so new articles appear within seconds, offline.
# Extra arguments go to `mimir run` (e.g. --json). Ctrl-C stops.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
.venv/bin/python -m pip install -q -e .
exec .venv/bin/mimir run --demo "$@"
