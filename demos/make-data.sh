#!/bin/sh
# Writes the demos' generated inputs into demos/data (run from the repository's folder).
set -e
python3 Tests/StreamSQLTests/Fixtures/flink-oracle/gen_payments.py 100000 42 demos/data/payments.json
