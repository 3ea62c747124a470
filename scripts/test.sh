#!/usr/bin/env bash
# Install shnor with its test tools into .venv and run the whole suite: lint and type checks, then
# every test on SQLite, then every database test again on PostgreSQL when a server is available
# (DATABASE_URL pointing at PostgreSQL, or a local PostgreSQL installation, started here in a
# temporary folder).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e ".[test]"
export SHNOR_FAST_HASHER=1
export SHNOR_DATA_DIR="$(mktemp -d)"

.venv/bin/ruff check src tests benchmarks
.venv/bin/ruff format --check src tests benchmarks
.venv/bin/mypy  # what it checks and how strictly: [tool.mypy] in pyproject.toml

echo "== tests on SQLite"
DATABASE_URL="sqlite:///$SHNOR_DATA_DIR/test.sqlite3" .venv/bin/pytest

echo "== tests on PostgreSQL"
status=0
scripts/with-postgres.sh .venv/bin/pytest -m "not browser" || status=$?
if [[ $status == 77 ]]; then
  echo "== PostgreSQL is not installed here: the suite ran on SQLite only"
  if [[ -n "${CI:-}" ]]; then exit 1; fi
elif [[ $status != 0 ]]; then
  exit "$status"
fi
