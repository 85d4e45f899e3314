#!/usr/bin/env bash
# Heap allocations per record on the produce and fetch paths of `weir produce` and
# `weir consume` (release build), against Tansu on loopback. Each command runs with
# N and 2N messages of 100 bytes under an LD_PRELOAD allocation counter
# (count-allocations.c); the difference divided by N is what one more record costs,
# free of start-up and per-connection allocations. The goal is 0.
#
# Usage: scripts/count-allocations.sh [N]   (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000}
. scripts/tansu.sh
cc -O2 -shared -fPIC -o "$work/count-allocations.so" scripts/count-allocations.c

allocations() { LD_PRELOAD="$work/count-allocations.so" "$@" 2>&1 >/dev/null | awk '/^heap allocations:/ { print $3 }'; }
declare -A produced consumed
for n in "$count" "$((2 * count))"; do
    "$python" -c "import sys; sys.stdout.write((('x' * 99) + '\n') * $n)" > "$work/messages-$n"
    $weir topics create "allocations-$n" --bootstrap "$bootstrap"
    produced[$n]=$(allocations $weir produce "allocations-$n" --bootstrap "$bootstrap" < "$work/messages-$n")
    consumed[$n]=$(allocations $weir consume "allocations-$n" --bootstrap "$bootstrap" --from beginning --exit)
done
"$python" - "$count" "${produced[$count]}" "${produced[$((2 * count))]}" "${consumed[$count]}" "${consumed[$((2 * count))]}" <<'PY'
import sys
n, p1, p2, c1, c2 = map(int, sys.argv[1:])
print(f"heap allocations, {n:,} and {2 * n:,} messages of 100 bytes:")
print(f"  weir produce: {p1:,} and {p2:,}: {(p2 - p1) / n:.4f} per record")
print(f"  weir consume: {c1:,} and {c2:,}: {(c2 - c1) / n:.4f} per record")
PY
