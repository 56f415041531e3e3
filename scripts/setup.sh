#!/usr/bin/env bash
# Install everything Imena needs into .venv (and Debian packages with apt-get).
#   scripts/setup.sh          the app: Python packages, gettext for translations
#   scripts/setup.sh --tests  also Chromium (browser tests), PostgreSQL, poppler
#   scripts/setup.sh --server a production server or container: no Spark, and the
#                             PostgreSQL client tools (pg_dump, pg_restore) for backups
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
want_server=0
[ "${1:-}" = "--tests" ] && want_tests=1
[ "${1:-}" = "--server" ] && want_server=1

apt_packages=()
command -v msgfmt >/dev/null || apt_packages+=(gettext)
# Cyrillic font embedded in the PDF reports.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || apt_packages+=(fonts-dejavu-core)
if [ "$want_tests" = 1 ]; then
  [ -x /usr/bin/chromium ] || apt_packages+=(chromium)
  command -v pdftoppm >/dev/null || apt_packages+=(poppler-utils)
  if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt_packages+=(postgresql)
  fi
  command -v java >/dev/null || apt_packages+=(openjdk-17-jre-headless)
fi
if [ "$want_server" = 1 ]; then
  command -v pg_dump >/dev/null || ls /usr/lib/postgresql/*/bin/pg_dump >/dev/null 2>&1 \
    || apt_packages+=(postgresql-client)
fi
if [ "${#apt_packages[@]}" -gt 0 ]; then
  echo "Installing Debian packages: ${apt_packages[*]}"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi

python_bin="${PYTHON:-}"
if [ -z "$python_bin" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      python_bin="$candidate"; break
    fi
  done
fi
[ -n "$python_bin" ] || { echo "Python 3.11 is required" >&2; exit 1; }

[ -x .venv/bin/python ] || "$python_bin" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
extras="[spark]"
[ "$want_tests" = 1 ] && extras="[spark,test,bench]"
[ "$want_server" = 1 ] && extras=""
.venv/bin/python -m pip install -q -e ".$extras" 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/python -c "import imena, django" # fail here if the install did not work

# Compile the translations (English is the source language; Ukrainian is compiled).
.venv/bin/imena compilemessages -l uk --ignore='.venv/*' >/dev/null
