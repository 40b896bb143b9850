#!/usr/bin/env bash
# Load test of `laurel serve` against seed 004's own design as written
# (seed004_fastapi.py: FastAPI + SQLAlchemy, one transaction per event),
# both on this machine, in the same run, over a community of MEMBERS members
# (default 100,000) with durable commits, driven by wrk (Debian's package):
#   (a) POST /api/actions, 64 connections
#   (b) GET  /api/communities/c0/members/{id}/level, 64 connections
#   (c) GET  /api/communities/c0/levels (distribution), 4 connections
# Prints requests/s, p50/p95/p99 per case and Laurel's ratio to the baseline.
# Needs: wrk, python3 with fastapi, uvicorn, sqlalchemy and pyjwt (PyPI).
set -euo pipefail
cd "$(dirname "$0")/../.."
members=${MEMBERS:-100000}
duration=${DURATION:-10s}
[ -x .build/release/laurel ] || swift build -c release --product laurel >/dev/null
laurel=$PWD/.build/release/laurel
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
head -c 48 /dev/urandom | base64 > "$tmp/secret"
secret=$(cat "$tmp/secret")

echo "== a community of $members members in both stores"
python3 - "$members" > "$tmp/members.jsonl" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    print('{"id":"m%d","type":"post_created","at":"2026-03-01T09:00:00Z","user":"u%d","community":"c0","author":"u%d"}' % (i, i, i))
PY
"$laurel" ingest --rules rules/community-points.yaml --store "$tmp/laurel.sqlite" --events "$tmp/members.jsonl" 2>/dev/null
python3 - "$members" "$tmp/baseline.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[2])
db.executescript("""
CREATE TABLE member_points (community_id TEXT NOT NULL, user_id TEXT NOT NULL, total_points INTEGER NOT NULL DEFAULT 0,
  current_level INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (community_id, user_id));
CREATE INDEX member_points_level ON member_points (community_id, current_level);""")
db.executemany("INSERT INTO member_points VALUES ('c0', ?, 2, 1)", (("u%d" % i,) for i in range(int(sys.argv[1]))))
db.commit()
PY

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$1/api/scheme" && return; sleep 0.1; done; }
run() { # name url mode connections token
  WRK_MODE=$3 WRK_TOKEN=$5 wrk -t2 -c"$4" -d"$duration" --timeout 10s -s Benchmarks/ServeLoad/load.lua "$2" 2>/dev/null \
    | tail -n 1 | sed "s/^/$1 /"
}
cases() { # label url service-token member-token
  run "$1 post" "$2" post 64 "$3"
  run "$1 level" "$2" level 64 "$4"
  run "$1 levels" "$2" levels 4 "$4"
}

service=$("$laurel" token --jwt-secret-file "$tmp/secret" --sub backend --service)
member=$("$laurel" token --jwt-secret-file "$tmp/secret" --sub u1 --member c0)

echo "== laurel serve"
lp=$(port)
"$laurel" serve --rules rules/community-points.yaml --store "$tmp/laurel.sqlite" --jwt-secret-file "$tmp/secret" \
  --port "$lp" --log-level warning 2>"$tmp/laurel.log" &
laurel_pid=$!
wait_up "$lp"
cases laurel "http://127.0.0.1:$lp" "$service" "$member" | tee "$tmp/laurel.out"
kill "$laurel_pid"; wait "$laurel_pid" 2>/dev/null || true

echo "== seed 004 as written (FastAPI + SQLAlchemy, uvicorn with 2 workers)"
bp=$(port)
(cd Benchmarks/ServeLoad && DB="$tmp/baseline.sqlite" SECRET="$secret" \
  python3 -m uvicorn seed004_fastapi:app --host 127.0.0.1 --port "$bp" --workers 2 --log-level warning) 2>"$tmp/baseline.log" &
wait_up "$bp"
cases baseline "http://127.0.0.1:$bp" "$service" "$member" | tee "$tmp/baseline.out"

echo "== Laurel / baseline (requests per second)"
python3 - "$tmp/laurel.out" "$tmp/baseline.out" <<'PY'
import json, sys
def read(path):
    return {" ".join(line.split(" ", 2)[:2]).split(" ", 1)[1]: json.loads(line.split(" ", 2)[2]) for line in open(path)}
l, b = read(sys.argv[1]), read(sys.argv[2])
for case in ["post", "level", "levels"]:
    print("%-7s laurel %7.0f/s p50 %6.2f p95 %6.2f p99 %6.2f ms | baseline %6.0f/s p99 %7.2f ms | ratio %.1fx"
          % (case, l[case]["rps"], l[case]["p50_ms"], l[case]["p95_ms"], l[case]["p99_ms"], b[case]["rps"],
             b[case]["p99_ms"], l[case]["rps"] / max(1, b[case]["rps"])))
PY
