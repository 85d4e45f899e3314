#!/usr/bin/env bash
# The differential corpus against Flink (Tests/StreamSQLTests/Fixtures/flink-diff):
#   scripts/flink-diff.sh record [--mode batch|streaming] [--only ID ...]
#       run every query by Flink 2.3 (PyPI's apache-flink, local, parallelism 1, UTC) and
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
    (cd $folder && python3 make_queries.py && python3 gen_data.py)
    $python $folder/flink_record.py "$@"
    ;;
check)
    WEIR_FLINK_DIFF_REPORT=1 swift test --filter FlinkDifferentialTests
    ;;
*)
    echo "usage: $0 record [--mode batch|streaming] [--only ID ...] | check" >&2
    exit 2
    ;;
esac
