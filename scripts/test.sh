#!/usr/bin/env bash
# Install shnor with its test tools into .venv and run the whole suite: lint, then every test on
# SQLite, then every database test again on PostgreSQL when a server is available (DATABASE_URL
# pointing at PostgreSQL, or a local PostgreSQL installation, started here in a temporary folder).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e ".[test]"
export SHNOR_FAST_HASHER=1
export SHNOR_DATA_DIR="$(mktemp -d)"

.venv/bin/ruff check src tests benchmarks
.venv/bin/ruff format --check src tests benchmarks

echo "== tests on SQLite"
DATABASE_URL="sqlite:///$SHNOR_DATA_DIR/test.sqlite3" .venv/bin/pytest

postgres_url="${DATABASE_URL:-}"
cleanup() { :; }
if [[ "$postgres_url" != postgres* ]]; then
  pg_bin="$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1)" 2>/dev/null || true)"
  if [[ -n "$pg_bin" && -x "$pg_bin/pg_ctl" ]]; then
    pg_dir="$(mktemp -d)"
    port=$(( 20000 + RANDOM % 20000 ))
    as_owner=()
    if [[ "$(id -u)" == 0 ]]; then
      chown postgres "$pg_dir"
      as_owner=(runuser -u postgres --)
    fi
    "${as_owner[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U shnor --auth=trust -E UTF8 >/dev/null
    "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
      -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    cleanup() { "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null || true; }
    postgres_url="postgres://shnor@127.0.0.1:$port/postgres"
  fi
fi
trap cleanup EXIT

if [[ "$postgres_url" == postgres* ]]; then
  echo "== tests on PostgreSQL"
  DATABASE_URL="$postgres_url" .venv/bin/pytest -m "not browser"
else
  echo "== PostgreSQL not available here: the suite ran on SQLite only"
fi
