#!/usr/bin/env bash
# Install Mimir with its test tools into .venv, then run the whole suite:
# lint (ruff), layer contracts (import-linter), types (mypy --strict), tests with coverage.
# Tests use a real PostgreSQL at MIMIR_TEST_POSTGRES_URL
# (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres); with CI=true a missing
# PostgreSQL fails the run instead of skipping those tests.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
.venv/bin/python -m pip install -q -e '.[test]'
# the web UI's browser tests (tests/ui) drive Debian's Chromium, never a downloaded browser
if [ -z "${MIMIR_TEST_CHROMIUM:-}" ] && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing Chromium from apt for the browser tests"
    apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  else
    echo "warning: no Chromium: the browser tests are skipped (under CI they fail);" \
      "install it with: sudo apt-get install chromium" >&2
  fi
fi
# the binaries the deployment checks use (kubectl, helm, promtool, actionlint...): each
# installer in scripts/tools/ is idempotent and fails loudly when it cannot install
for tool in scripts/tools/*.sh; do
  if [ -e "$tool" ]; then bash "$tool"; fi
done
echo "== ruff"; .venv/bin/ruff check .
echo "== import-linter"; .venv/bin/lint-imports
echo "== mypy"; .venv/bin/mypy
echo "== pytest"
# one test process per CPU, each file's tests in one process (pass -n 0 to run in this one)
.venv/bin/python -m pytest -n auto --dist loadfile --durations=15 \
  --cov --cov-report=term:skip-covered "$@"
