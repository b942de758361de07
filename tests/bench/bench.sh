#!/usr/bin/env bash
# Signed read-only throughput of the API road, measured with wrk.
#   ./tests/bench/bench.sh                 # GetEmailTemplate, 32 connections, 10 s
#   DURATION=30 CONNECTIONS=64 ACTION=ListEmailTemplates BODY='{"Limit":10,"Offset":0}' ./tests/bench/bench.sh
# Needs wrk (Debian package) and a built ./build/ses-emulator (./dev.sh build).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${SES_EMULATOR_BIN:-./build/ses-emulator}
ACTION=${ACTION:-GetEmailTemplate}
BODY=${BODY:-'{"TemplateID":1}'}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
command -v wrk >/dev/null || { echo "bench.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
log=$(mktemp); lua=$(mktemp --suffix=.lua)
"$BIN" --listen 127.0.0.1:0 ${EMULATOR_FLAGS:-} 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log" "$lua"' EXIT
for _ in $(seq 50); do grep -q listening "$log" && break; sleep 0.1; done
port=$(grep -o 'listening on http://[^ ]*' "$log" | sed 's/.*://')
python3 tests/bench/sign.py "127.0.0.1:$port" "$ACTION" "$BODY" >"$lua"
echo "ses-emulator $ACTION on 127.0.0.1:$port, $CONNECTIONS connections, ${DURATION}s"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$lua" "http://127.0.0.1:$port/"
echo "RSS after run: $(ps -o rss= -p $pid | awk '{printf "%.1f MB", $1/1024}')"
