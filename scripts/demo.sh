#!/usr/bin/env bash
# One command on a fresh machine: install everything, load the synthetic demo, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/imena demo "$@"
