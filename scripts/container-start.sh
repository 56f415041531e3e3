#!/usr/bin/env bash
# The container's start (Dockerfile ENTRYPOINT): apply migrations when asked
# (IMENA_MIGRATE_ON_START=true), then the same `imena serve` as any server.
# Any other command runs as `imena <command>` (e.g. `backup --out ...`).
set -euo pipefail
cd "$(dirname "$0")/.."
imena=.venv/bin/imena
if [ "${IMENA_MIGRATE_ON_START:-false}" = "true" ]; then
  "$imena" migrate --noinput
fi
if [ "${1:-serve}" = "serve" ]; then
  [ "$#" -gt 0 ] && shift
  exec "$imena" serve "$@"
fi
exec "$imena" "$@"
