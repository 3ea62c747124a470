#!/usr/bin/env bash
# Run a command with DATABASE_URL pointing at PostgreSQL: the one DATABASE_URL already names, or
# a throw-away server started here from the local PostgreSQL installation. Exits 77 when there is
# no PostgreSQL to use.
set -euo pipefail
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  exec "$@"
fi
pg_ctl_path="$(ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1 || true)"
if [[ -z "$pg_ctl_path" ]]; then
  echo "PostgreSQL is not installed here" >&2
  exit 77
fi
pg_bin="$(dirname "$pg_ctl_path")"
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
trap '"${as_owner[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null || true' EXIT
DATABASE_URL="postgres://shnor@127.0.0.1:$port/postgres" "$@"
