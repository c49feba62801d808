#!/usr/bin/env bash
# Creates the database role and database named in DATABASE_URL, with PostGIS, pg_trgm and
# unaccent in `public` (the territories' schemas find them through their search path).
# Idempotent. The role is a superuser on a development machine so that the test suite can
# create its own database with PostGIS; production creates the role and extensions itself.
set -euo pipefail
: "${DATABASE_URL:=postgres://archipel:archipel@127.0.0.1:5432/archipel}"

read -r user password host port name < <(python3 - "$DATABASE_URL" <<'PY'
import sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
print(u.username or "archipel", u.password or "archipel", u.hostname or "127.0.0.1", u.port or 5432, u.path.lstrip("/") or "archipel")
PY
)

# As the database's superuser: over the local socket as `postgres` (fresh Debian: peer auth),
# or over TCP where the server trusts local connections.
admin_psql() {
  if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 && runuser -u postgres -- psql -p "$port" -Atqc "select 1" >/dev/null 2>&1; then
    runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -Atq "$@"
  else
    psql -h "$host" -p "$port" -U postgres -v ON_ERROR_STOP=1 -Atq "$@"
  fi
}

if PGPASSWORD="$password" psql -h "$host" -p "$port" -U "$user" -d "$name" -Atqc \
  "select 1 from pg_extension where extname = 'postgis'" 2>/dev/null | grep -q 1; then
  exit 0
fi

echo "Creating role ${user} and database ${name}"
admin_psql -d postgres <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${user}') THEN
    CREATE ROLE "${user}" LOGIN SUPERUSER PASSWORD '${password}';
  END IF;
END \$\$;
SQL
if ! admin_psql -d postgres -c "select 1 from pg_database where datname = '${name}'" | grep -q 1; then
  admin_psql -d postgres -c "CREATE DATABASE \"${name}\" OWNER \"${user}\""
fi
for extension in postgis pg_trgm unaccent; do
  admin_psql -d "$name" -c "CREATE EXTENSION IF NOT EXISTS ${extension} WITH SCHEMA public"
done
