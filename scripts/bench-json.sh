#!/usr/bin/env bash
# JSON field extraction on one core: the JSON reader alone over the seeds' payment events
# in memory (no file reads, no operators), in MB/s beside the goal of 1 GB/s.
#
# Usage: scripts/bench-json.sh [N]   (default 1,000,000 events, generated once)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
input="${TMPDIR:-/tmp}/weir-payments-$count-42.json"
[ -s "$input" ] || python3 Tests/StreamSQLTests/Fixtures/flink-oracle/gen_payments.py "$count" 42 "$input"
swift build -c release --product WeirBench >/dev/null
.build/release/WeirBench json "$input"
