#!/usr/bin/env bash
# The workbench's costs, in two parts (release builds):
#  1. Drawing without a terminal (WorkbenchBench): a full 200×60 frame of results, the cells an
#     update changes, the UI's work from a key to its frame while datagen streams rows.
#  2. Under load through the real binary in a pseudo-terminal (scripts/workbench_pty.py, pyte
#     as the terminal): 2,000,000 payment events in a topic of a `weir broker`, read by
#     `SELECT *` and by `SELECT COUNT(*)` in the workbench, beside `weir -f` reading the same
#     topic to its end: rows per second, peak memory, key-to-frame latency while it streams.
#     Goals (issue 26): the workbench at ≥ 50% of weir -f's rows per second, peak memory
#     ≤ 600 MB, key-to-frame p99 ≤ 16 ms.
# Usage: scripts/bench-workbench.sh [EVENTS]   (default 2000000; `frames` runs part 1 only)
#        WEIR=/path/to/weir scripts/bench-workbench.sh [EVENTS]   (part 2 with that build: for A/B runs)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${WEIR:-}" ]; then
    swift build -c release --product WorkbenchBench >/dev/null
    swift build -c release --product weir >/dev/null
    echo "== drawing (WorkbenchBench)"
    .build/release/WorkbenchBench
    [ "${1:-}" = frames ] && exit 0
fi

events=${1:-2000000}
python=python3
[ -x .venv-ci/bin/python ] && python=.venv-ci/bin/python
$python -c 'import pyte' 2>/dev/null || $python -m pip install -q --disable-pip-version-check pyte
weir=${WEIR:-$PWD/.build/release/weir}
work=$(mktemp -d)
port=$($python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$weir broker --listen 127.0.0.1:$port --data "$work/broker" >"$work/broker.log" 2>&1 &
broker=$!
trap 'kill $broker 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do $python -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break; sleep 0.1; done
echo "== $events payment events into payment_msg on 127.0.0.1:$port"
$weir demo payments --rate 0 --count "$events" --bootstrap 127.0.0.1:$port 2>&1 | tail -1

table="CREATE TABLE payment_msg (createTime STRING, rt AS TO_TIMESTAMP(createTime), orderId BIGINT, payAmount DOUBLE, payPlatform INT, provinceId INT, WATERMARK FOR rt AS rt - INTERVAL '2' SECOND) WITH ('connector' = 'kafka', 'topic' = 'payment_msg', 'format' = 'json', 'properties.bootstrap.servers' = '127.0.0.1:$port', 'scan.startup.mode' = 'earliest-offset');"
echo "$table" >"$work/init.sql"
grouped=$($python -c "print(f'{$events:,}')")

# weir -f reads the same topic to its end (bounded by a hint: the query is the same otherwise), CSV to /dev/null.
cli() {
    $python - "$weir" "$table $1" <<'EOF'
import resource, subprocess, sys, time
started = time.monotonic()
subprocess.run([sys.argv[1], "-e", sys.argv[2], "--format", "csv"], stdout=subprocess.DEVNULL, check=True)
print(f"{time.monotonic() - started:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024}")
EOF
}
bounded="/*+ OPTIONS('scan.bounded.mode' = 'latest-offset') */"

report() { # label events cli_seconds cli_mb workbench_json
    $python - "$@" <<'EOF'
import json, sys
label, events, cli_seconds, cli_mb, bench = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], json.loads(sys.argv[5])
cli_rate, bench_rate = events / cli_seconds, events / bench["seconds"]
print(f"{label}: weir -f {cli_rate:,.0f} rows/s ({cli_seconds:.2f} s, {cli_mb} MB); "
      f"workbench {bench_rate:,.0f} rows/s ({bench['seconds']:.2f} s, peak {bench['peak_mb']} MB) = {bench_rate / cli_rate:.0%} of weir -f (goal ≥ 50%); "
      f"key to frame over {bench['keys']} keys: p50 {bench['key_p50_ms']:.1f} ms, p99 {bench['key_p99_ms']:.1f} ms, max {bench['key_max_ms']:.1f} ms (goal p99 ≤ 16 ms)")
EOF
}

echo "== SELECT * (every row to the results pane)"
read -r cli_s cli_mb < <(cli "SELECT * FROM payment_msg $bounded;")
bench=$($python scripts/workbench_pty.py "$weir" 127.0.0.1:$port "$work/init.sql" "$work/wb1" "SELECT * FROM payment_msg;" "$grouped rows")
report "SELECT *" "$events" "$cli_s" "$cli_mb" "$bench"

echo "== SELECT COUNT(*) (one row, updated)"
read -r cli_s cli_mb < <(cli "SELECT COUNT(*) FROM payment_msg $bounded;")
bench=$($python scripts/workbench_pty.py "$weir" 127.0.0.1:$port "$work/init.sql" "$work/wb2" "SELECT COUNT(*) FROM payment_msg;" "│$events +")
report "SELECT COUNT(*)" "$events" "$cli_s" "$cli_mb" "$bench"
