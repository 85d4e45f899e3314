#!/usr/bin/env bash
# The seeds' payment job (5-second tumble, SUM per province, JSON from a file) over N events
# with `weir -f`, beside Flink's figures measured on this kind of machine
# (shared/flink-oracle/README.md: 408,000 events/s streaming, 1.35 GB peak, CASE form).
#
# Usage: scripts/bench-sql.sh [N]     (default 10000000; the input is generated once into $TMPDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000000}
input="${TMPDIR:-/tmp}/weir-payments-$count-42.json"
generator=Tests/StreamSQLTests/Fixtures/flink-oracle/gen_payments.py
[ -s "$input" ] || python3 "$generator" "$count" 42 "$input"
swift build -c release --product weir >/dev/null
job=$(mktemp)
trap 'rm -f "$job"' EXIT
source scripts/payment-job.sh
payment_job "$input" > "$job"
/usr/bin/time -f "%e %M %U %S" -o "$job.time" .build/release/weir -f "$job" --format csv > "$job.out" 2>/dev/null
read -r wall rss user system < "$job.time"
rows=$(($(wc -l < "$job.out") - 1))
python3 - "$count" "$wall" "$rss" "$user" "$system" "$rows" "$(stat -c %s "$input")" <<'PY'
import sys
count, wall, rss, user, system, rows, size = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
rate = count / wall
print(f"{count:,} events ({size / 1e6:.0f} MB of JSON) in {wall:.2f} s: {rate:,.0f} events/s, {size / wall / 1e6:.0f} MB/s, "
      f"CPU {user + system:.2f} s, peak memory {rss / 1024:.0f} MB, {rows} result rows")
print(f"beside Flink 2.3 here (408,000 events/s, 1.35 GB): {rate / 408000:.2f}x the rate, {rss / 1024 / 1380:.2f}x the memory")
PY
rm -f "$job.time" "$job.out"
