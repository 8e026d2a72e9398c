#!/usr/bin/env bash
# Installs the Debian packages the project needs when they are missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
#   system-packages.sh run   -> PostgreSQL + PostGIS + GDAL (for `make run`)
#   system-packages.sh test  -> the same, plus Chromium and gettext (for `make test`)
#   system-packages.sh bench -> the same as test, plus wrk
set -euo pipefail
purpose=${1:-run}

pg_major() { ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1; }

wanted=(postgresql gdal-bin libgdal-dev)
[ "$purpose" != run ] && wanted+=(chromium gettext)
[ "$purpose" = bench ] && wanted+=(wrk)

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
major=$(pg_major)
if [ -z "$major" ] || [ ! -f "/usr/share/postgresql/$major/extension/postgis.control" ]; then
  missing+=("postgresql-postgis")
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]/postgresql-postgis/postgresql}" >/dev/null
major=$(pg_major)
if [ ! -f "/usr/share/postgresql/$major/extension/postgis.control" ]; then
  apt-get install -y -qq --no-install-recommends "postgresql-$major-postgis-3" >/dev/null
fi
