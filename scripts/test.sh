#!/usr/bin/env bash
# One command on a fresh machine: install everything and run all tests, on SQLite
# and on a throwaway PostgreSQL server on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests

export PYTHONDONTWRITEBYTECODE=1
py=.venv/bin/python

echo "== Static checks"
.venv/bin/ruff check .
.venv/bin/ruff format --check . >/dev/null || { .venv/bin/ruff format --check .; exit 1; }
.venv/bin/lint-imports
# mypy reads [tool.mypy] in pyproject.toml and checks the files under this folder
# (not the editable install's path).
.venv/bin/mypy
# docs/architecture.md's diagram is generated from the import-linter contracts.
$py scripts/architecture.py --check
.venv/bin/imena makemigrations --check --dry-run >/dev/null || {
  echo "A model change has no migration: run imena makemigrations" >&2; exit 1; }

status=0
echo "== Tests on SQLite (all, incl. pure packages, Spark and browser tests)"
unset DATABASE_URL
$py -m pytest -q "$@" || status=1

echo "== Tests on PostgreSQL (the Django apps)"
pg_bin="$(dirname "$(readlink -f "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")")"
pg_dir="$(mktemp -d /tmp/imena-pg.XXXXXX)"
pg_port="${IMENA_TEST_PG_PORT:-54329}"
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$pg_dir"
stop_pg() { run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pg_dir"; }
trap stop_pg EXIT
run_pg "$pg_bin/initdb" -D "$pg_dir/data" -U imena -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
  -o "-h 127.0.0.1 -p $pg_port -k $pg_dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off" start >/dev/null
export DATABASE_URL="postgres://imena@127.0.0.1:$pg_port/imena"
run_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U imena imena
$py -m pytest -q imena tests -m "not browser and not spark" "$@" || status=1
[ "$status" = 0 ] && echo "== All tests passed on SQLite and PostgreSQL" || echo "== Some tests failed (see above)"
exit "$status"
