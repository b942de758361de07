#!/usr/bin/env bash
# Signed SendEmail throughput on a file-backed store, measured with wrk: a
# template with two variables (tests/bench/send.json seeds it as TemplateID 3,
# beside the default fixtures), one recipient, 32 connections.
#   ./tests/bench/send.sh                      # 10 s, a fresh /tmp store file
#   DURATION=30 THREADS=1 ./tests/bench/send.sh   # and every knob of bench.sh
# Needs wrk and a built ./build/ses-emulator (./dev.sh build).
set -euo pipefail
cd "$(dirname "$0")/../.."
db=$(mktemp -d)/bench.db
trap 'rm -rf "$(dirname "$db")"' EXIT
export ACTION=SendEmail
export EMULATOR_FLAGS="--db $db --fixtures tests/bench/send.json ${EMULATOR_FLAGS:-}"
export BODY='{"FromEmailAddress":"Example <noreply@example.com>","Destination":["user@example.net"],"Template":{"TemplateID":3,"TemplateData":"{\"name\":\"Ada\",\"order\":\"A-1024\"}"},"Subject":"Order {{order}} shipped"}'
./tests/bench/bench.sh
