#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster (fsync on, 127.0.0.1, a free port;
# as the postgres user when run as root), runs `laurel-bench postgres`
# against it, and removes it. Arguments go to laurel-bench (--events N, --batch N).
#
#   bash Benchmarks/Postgres/run.sh --events 1000000
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
folder=$(mktemp -d /tmp/laurel-bench-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_postgres=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$folder"
  as_postgres=(runuser -u postgres --)
fi
cleanup() {
  "${as_postgres[@]}" "$bin/pg_ctl" -D "$folder/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$folder"
}
trap cleanup EXIT
"${as_postgres[@]}" "$bin/initdb" -D "$folder/data" -U laurel --auth=trust -E UTF8 --locale=C >/dev/null
"${as_postgres[@]}" "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w \
  -o "-p $port -k $folder -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=512MB" start >/dev/null
swift build -c release --product laurel >/dev/null
swift run -c release laurel-bench postgres --postgres "postgres://laurel@127.0.0.1:$port/postgres?sslmode=disable" "$@"
