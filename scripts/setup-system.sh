#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to run Archipel, and starts PostgreSQL and Redis
# when they are local and not running. Idempotent; a machine that already has everything is
# left untouched. Needs root (or sudo) only when something must be installed or started.
set -euo pipefail

: "${DATABASE_URL:=postgres://archipel:archipel@127.0.0.1:5432/archipel}"
: "${REDIS_URL:=redis://127.0.0.1:6379/0}"
WITH_BROWSER="${WITH_BROWSER:-0}"

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

packages=(python3 postgresql postgresql-15-postgis-3 gdal-bin libgeos-c1v5 libproj25 redis-server
          tilemaker osmium-tool
          gettext nodejs python3-venv)
if [ "$WITH_BROWSER" = 1 ]; then packages+=(chromium); fi
if ! command -v npm >/dev/null 2>&1; then packages+=(npm); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from another source than Debian (e.g. NodeSource): a working node is enough.
if command -v node >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}")
fi
if command -v python3.11 >/dev/null 2>&1 && python3.11 -m venv --help >/dev/null 2>&1; then
  missing=("${missing[@]/python3-venv}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

db_host=$(python3 -c "import urllib.parse,sys;print(urllib.parse.urlparse(sys.argv[1]).hostname or '')" "$DATABASE_URL")
db_port=$(python3 -c "import urllib.parse,sys;print(urllib.parse.urlparse(sys.argv[1]).port or 5432)" "$DATABASE_URL")
case "$db_host" in
  127.0.0.1|localhost|"")
    if ! pg_isready -q -h 127.0.0.1 -p "$db_port"; then
      echo "Starting PostgreSQL"
      for version in $(ls /etc/postgresql); do
        $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
      done
      for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$db_port" && break; sleep 0.5; done
    fi ;;
esac

redis_host=$(python3 -c "import urllib.parse,sys;print(urllib.parse.urlparse(sys.argv[1]).hostname or '')" "$REDIS_URL")
case "$redis_host" in
  127.0.0.1|localhost|"")
    if ! redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
      echo "Starting Redis"
      $SUDO mkdir -p /var/lib/redis /var/log/redis
      $SUDO redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/archipel.log
      for _ in $(seq 1 20); do redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1 && break; sleep 0.3; done
    fi ;;
esac
