#!/usr/bin/env bash
# Install Mimir with its test tools into .venv, then run the whole suite:
# lint (ruff), layer contracts (import-linter), types (mypy --strict), tests with coverage.
# Tests use a real PostgreSQL at MIMIR_TEST_POSTGRES_URL
# (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres); with CI=true a missing
# PostgreSQL fails the run instead of skipping those tests.
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
.venv/bin/python -m pip install -q -e '.[test]'
echo "== ruff"; .venv/bin/ruff check .
echo "== import-linter"; .venv/bin/lint-imports
echo "== mypy"; .venv/bin/mypy
echo "== pytest"
.venv/bin/python -m pytest --cov --cov-report=term:skip-covered "$@"
