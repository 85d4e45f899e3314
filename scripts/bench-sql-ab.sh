#!/usr/bin/env bash
# Two builds of weir side by side on the seeds' payment job: runs alternate (A, B, A, B, …)
# so that a noisy neighbour slows both alike, then the best and the median of each.
# On a shared VM single runs vary by up to 50%; a change is real when both figures move.
#
# Usage: scripts/bench-sql-ab.sh WEIR_A WEIR_B [N] [RUNS]   (default 1000000 events, 6 runs each)
#        JOB=group_by_job (or join_job) scripts/bench-sql-ab.sh …   runs another job of payment-job.sh
# e.g.   cp .build/release/weir /tmp/weir-before; (change, rebuild); scripts/bench-sql-ab.sh /tmp/weir-before .build/release/weir
set -euo pipefail
cd "$(dirname "$0")/.."
a=$1 b=$2 count=${3:-1000000} runs=${4:-6}
input="${TMPDIR:-/tmp}/weir-payments-$count-42.json"
[ -s "$input" ] || python3 Tests/StreamSQLTests/Fixtures/flink-oracle/gen_payments.py "$count" 42 "$input"
job=$(mktemp)
trap 'rm -f "$job" "$job.time"' EXIT
source scripts/payment-job.sh
"${JOB:-payment_job}" "$input" > "$job"
times_a=() times_b=()
for _ in $(seq "$runs"); do
    for side in a b; do
        binary=$a; [ "$side" = b ] && binary=$b
        /usr/bin/time -f "%e" -o "$job.time" "$binary" -f "$job" --format csv >/dev/null 2>&1
        if [ "$side" = a ]; then times_a+=("$(cat "$job.time")"); else times_b+=("$(cat "$job.time")"); fi
    done
done
python3 - "$count" "${times_a[*]}" "${times_b[*]}" <<'PY'
import statistics, sys
count = int(sys.argv[1])
a, b = [list(map(float, s.split())) for s in sys.argv[2:4]]
for name, times in (("A", a), ("B", b)):
    print(f"{name}: best {min(times):.2f} s ({count / min(times):,.0f} events/s), median {statistics.median(times):.2f} s over {len(times)} runs")
print(f"B/A: best {min(b) / min(a):.2f}, median {statistics.median(b) / statistics.median(a):.2f} (below 1: B is faster)")
PY
