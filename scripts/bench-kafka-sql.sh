#!/usr/bin/env bash
# The seed 001 job (5-second tumble, SUM per province) reading N JSON events from a
# 4-partition topic on Weir's embedded broker, results to a topic, with `weir -f` — beside
# the same job reading the same events from a file, and Flink's figure
# (shared/flink-oracle/README.md: 408,000 events/s from a file, both cores).
#
# Usage: scripts/bench-kafka-sql.sh [N]     (default 10000000; the input is generated once into $TMPDIR)
#        WEIR=/path/to/weir scripts/bench-kafka-sql.sh [N]   (that build, not this checkout's: for A/B runs)
#        PROFILE=/tmp/kafka-job.data scripts/bench-kafka-sql.sh [N]   (also records the topic job under perf)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000000}
input="${TMPDIR:-/tmp}/weir-payments-$count-42.json"
generator=Tests/StreamSQLTests/Fixtures/flink-oracle/gen_payments.py
[ -s "$input" ] || python3 "$generator" "$count" 42 "$input"
if [ -n "${WEIR:-}" ]; then
    weir=$WEIR
else
    swift build -c release --product weir >/dev/null
    weir=.build/release/weir
fi
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
bootstrap=127.0.0.1:$port
"$weir" broker --listen "$bootstrap" --data "$work/broker" 2>"$work/broker.log" &
broker=$!
trap 'kill $broker 2>/dev/null; wait $broker 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do "$weir" topics list --bootstrap "$bootstrap" >/dev/null 2>&1 && break; sleep 0.1; done
"$weir" topics create payment_msg --partitions 4 --bootstrap "$bootstrap" >/dev/null
"$weir" topics create payments_one --bootstrap "$bootstrap" >/dev/null
"$weir" topics create results --bootstrap "$bootstrap" >/dev/null
"$weir" produce payment_msg --bootstrap "$bootstrap" < "$input"
"$weir" produce payments_one --bootstrap "$bootstrap" < "$input"
# The 2.3 GB just written goes to disk now, not during the jobs: a checkpoint's fsync waited
# behind that writeback (pauses of 120–290 ms in runs without this, 31–36 ms with it).
sync

table() { # $1: the WITH options of the source
cat <<SQL
CREATE TABLE payment_msg (
  createTime VARCHAR, rt AS TO_TIMESTAMP(createTime),
  orderId BIGINT, payAmount DOUBLE, payPlatform INT, provinceId INT,
  WATERMARK FOR rt AS rt - INTERVAL '2' SECOND
) WITH ($1);
CREATE TABLE results (province STRING, pay_amount DOUBLE, rowtime TIMESTAMP(3)) WITH ($2);
INSERT INTO results
SELECT CASE provinceId WHEN 0 THEN 'beijing' WHEN 1 THEN 'shanghai' WHEN 2 THEN 'hangzhou' WHEN 3 THEN 'shenzhen'
            WHEN 4 THEN 'jiangxi' WHEN 5 THEN 'chongqing' ELSE 'xizang' END,
       SUM(payAmount), TUMBLE_START(rt, INTERVAL '5' SECOND)
FROM payment_msg GROUP BY TUMBLE(rt, INTERVAL '5' SECOND), provinceId;
SQL
}
table "'connector' = 'kafka', 'topic' = 'payment_msg', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset'" \
      "'connector' = 'kafka', 'topic' = 'results', 'format' = 'json'" > "$work/kafka.sql"
table "'connector' = 'filesystem', 'path' = '$input', 'format' = 'json'" "'connector' = 'blackhole'" > "$work/file.sql"
# Checkpoints every second while 1,000 keys each hold a window or two open (one partition:
# with four, the partitions' event times drift apart and hold ten times more windows open).
{
    echo "SET 'execution.checkpointing.interval' = '1 s';"
    table "'connector' = 'kafka', 'topic' = 'payments_one', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset'" \
          "'connector' = 'blackhole'" | sed -e 's/GROUP BY TUMBLE(rt, INTERVAL .5. SECOND), provinceId/GROUP BY TUMBLE(rt, INTERVAL '"'5'"' SECOND), MOD(orderId, 1000)/' \
          -e 's/SELECT CASE provinceId/SELECT CASE MOD(orderId, 1000)/'
} > "$work/checkpointed.sql"

measure() { # $1: script → "seconds peak-kB cpu-seconds"
    /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$weir" -f "$1" --bootstrap "$bootstrap" --data "$work/jobs" >/dev/null 2>"$work/err" \
        || { cat "$work/err" >&2; exit 1; }
    awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$work/time"
}
[ -n "${PROFILE:-}" ] && perf record -g -o "$PROFILE" "$weir" -f "$work/kafka.sql" --bootstrap "$bootstrap" --data "$work/jobs" >/dev/null 2>&1
read -r kafka_s kafka_kb kafka_cpu < <(measure "$work/kafka.sql")
read -r file_s file_kb file_cpu < <(measure "$work/file.sql")
measure "$work/checkpointed.sql" >/dev/null
checkpoints=$(grep -o '[0-9]* checkpoints (the longest [0-9.]* ms)' "$work/err" || echo "no checkpoints")
python3 - "$count" "$kafka_s" "$kafka_kb" "$file_s" "$file_kb" "$checkpoints" "$kafka_cpu" "$file_cpu" <<'PY'
import sys
count, kafka_s, kafka_kb, file_s, file_kb = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
kafka_cpu, file_cpu = float(sys.argv[7]), float(sys.argv[8])
print(f"checkpointing every second with about 1,000 open windows: {sys.argv[6]} (goal: at most 50 ms)")
kafka, file = count / kafka_s, count / file_s
print(f"{count:,} events from a 4-partition topic to a topic: {kafka_s:.2f} s, {kafka:,.0f} events/s, peak memory {kafka_kb / 1024:.0f} MB, job CPU {kafka_cpu:.2f} s")
print(f"the same events from a file (to blackhole): {file_s:.2f} s, {file:,.0f} events/s, peak memory {file_kb / 1024:.0f} MB, job CPU {file_cpu:.2f} s")
print(f"Kafka input at {kafka / file:.0%} of the file-input rate (goal: at least 85%); {kafka / 408000:.2f}x Flink's file rate here")
PY
