#!/usr/bin/env bash
# A hot-standby streaming replica of the local PostgreSQL on port ${REPLICA_PORT:-5433}, made with
# pg_basebackup, for tests/services/test_replica.py. Idempotent: does nothing when it already answers.
# Prints the two variables the tests read (TEST_REPLICA_URL, TEST_REPLICA_DATADIR).
set -euo pipefail
PORT=${REPLICA_PORT:-5433}
DATADIR=${REPLICA_DATADIR:-/var/lib/postgresql/kei-replica}
VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
BIN=/usr/lib/postgresql/$VERSION/bin
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if ! pg_isready -h 127.0.0.1 -p "$PORT" -q; then
  hba=$(psql -h 127.0.0.1 -U postgres -Atc 'SHOW hba_file')
  if ! grep -q '^host replication all 127.0.0.1/32 trust' "$hba"; then
    echo 'host replication all 127.0.0.1/32 trust' >> "$hba"
    psql -h 127.0.0.1 -U postgres -qAtc 'SELECT pg_reload_conf()' >/dev/null
  fi
  as_pg "$BIN/pg_ctl" -D "$DATADIR" stop -m immediate >/dev/null 2>&1 || true
  rm -rf "$DATADIR"
  mkdir -p "$(dirname "$DATADIR")"
  as_pg "$BIN/pg_basebackup" -h 127.0.0.1 -p 5432 -U postgres -D "$DATADIR" -R -X stream -c fast
  cat > "$DATADIR/postgresql.conf" <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
hot_standby = on
max_connections = 100
shared_buffers = 128MB
fsync = off
CONF
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' > "$DATADIR/pg_hba.conf"
  : > "$DATADIR/pg_ident.conf"
  chown postgres:postgres "$DATADIR/postgresql.conf" "$DATADIR/pg_hba.conf" "$DATADIR/pg_ident.conf" 2>/dev/null || true
  as_pg "$BIN/pg_ctl" -D "$DATADIR" -l "$DATADIR/server.log" start -w >/dev/null
fi
psql -h 127.0.0.1 -p "$PORT" -U postgres -Atc 'SELECT pg_is_in_recovery()' | grep -q t
echo "TEST_REPLICA_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
echo "TEST_REPLICA_DATADIR=$DATADIR"
