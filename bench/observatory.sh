#!/usr/bin/env bash
# Mozilla's HTTP Observatory (npm @mdn/mdn-http-observatory) against this checkout served in
# production mode behind TLS on this machine: gunicorn with gunicorn.conf.py on https://localhost
# (a throwaway self-signed certificate the scanner is told to trust) and http://localhost (Django
# redirects it to https). No network is needed. See docs/production.md.
#
# Needs: root (it binds ports 80 and 443 on the loopback addresses), node >= 20 and npm, openssl,
# PostgreSQL and Redis. Every setting below can be overridden from the environment.
set -euo pipefail
cd "$(dirname "$0")/.."

OBSERVATORY_DIR=${OBSERVATORY_DIR:-var/observatory}      # where the scanner is installed (not the project's deps)
OBSERVATORY_VERSION=${OBSERVATORY_VERSION:-1.4.8}
OBS_DATABASE_URL=${OBS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kei_observatory}
OBS_REDIS_URL=${OBS_REDIS_URL:-redis://127.0.0.1:6379/13}
PYTHON=${PYTHON:-.venv/bin/python}
GUNICORN=${GUNICORN:-.venv/bin/gunicorn}

SCANNER="$OBSERVATORY_DIR/node_modules/@mdn/mdn-http-observatory"
if [ ! -f "$SCANNER/src/scan.js" ]; then
  mkdir -p "$OBSERVATORY_DIR"
  # --ignore-scripts: its postinstall downloads Chromium's HSTS preload list and a CA bundle.
  npm install --prefix "$OBSERVATORY_DIR" --no-audit --no-fund --ignore-scripts \
    "@mdn/mdn-http-observatory@$OBSERVATORY_VERSION" >/dev/null
fi
# The scanner reads the HSTS preload list from this file; localhost is in no preload list.
[ -f "$SCANNER/conf/hsts-preload.json" ] || echo '{}' >"$SCANNER/conf/hsts-preload.json"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

export DJANGO_ENV=production
export DJANGO_SECRET_KEY="observatory-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export DJANGO_ALLOWED_HOSTS=localhost
export DATABASE_URL="$OBS_DATABASE_URL" REDIS_URL="$OBS_REDIS_URL" CACHE_KEY_PREFIX=observatory
db_name=${OBS_DATABASE_URL##*/}
psql "${OBS_DATABASE_URL%/*}/postgres" -qtAc "SELECT 1 FROM pg_database WHERE datname = '$db_name'" | grep -q 1 ||
  psql "${OBS_DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE \"$db_name\""
$PYTHON manage.py migrate --noinput -v0
$PYTHON manage.py collectstatic --noinput -v0

$GUNICORN --config gunicorn.conf.py kei_community.wsgi:application --workers 1 \
  --bind 127.0.0.1:443 --bind '[::1]:443' --certfile "$work/cert.pem" --keyfile "$work/key.pem" \
  >"$work/https.log" 2>&1 &
pids+=($!)
$GUNICORN --config gunicorn.conf.py kei_community.wsgi:application --workers 1 \
  --bind 127.0.0.1:80 --bind '[::1]:80' >"$work/http.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  curl -sf -o /dev/null --cacert "$work/cert.pem" https://localhost/ && curl -s -o /dev/null http://localhost/ && break
  sleep 0.5
done

NODE_EXTRA_CA_CERTS="$work/cert.pem" node "$SCANNER/src/scan.js" localhost >"$work/result.json"
if [ -n "${OBSERVATORY_JSON:-}" ]; then cp "$work/result.json" "$OBSERVATORY_JSON"; fi
$PYTHON - "$work/result.json" <<'EOF'
import json
import sys

result = json.load(open(sys.argv[1]))
if "scan" not in result:
    sys.exit(f"scan failed: {result}")
scan = result["scan"]
print(f"grade {scan['grade']}, score {scan['score']}, tests passed {scan['testsPassed']}/{scan['testsQuantity']}")
for name, test in result["tests"].items():
    print(f"  {name:32} {'pass' if test['pass'] else 'FAIL'} {test['scoreModifier']:+3d}  {test['result']}")
EOF
