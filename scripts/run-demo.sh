#!/usr/bin/env bash
# Install Mimir into .venv and run it on the embedded default (SQLite, no other service),
# following a bundled local news site so new articles appear within seconds, offline.
# Extra arguments go to `mimir run` (e.g. --json). Ctrl-C stops.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      "$PY" -m venv .venv
    else
      echo "error: python3 -m venv failed; install it: sudo apt-get install python3-venv" >&2
      exit 1
    fi
  fi
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/mimir run --demo "$@"
