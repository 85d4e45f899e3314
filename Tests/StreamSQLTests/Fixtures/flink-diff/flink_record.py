#!/usr/bin/env python3
"""Records Flink's answers to the differential corpus (run by scripts/flink-diff.sh record).

For each query of queries/*.sql, in batch mode and in streaming mode (parallelism 1, UTC;
scripts/flink-diff.sh runs it on Java 21, whose doubles print as their shortest digits):
every output column cast to STRING (the query wrapped as
`SELECT CAST(c0 AS STRING), ... FROM (query) AS t(c0, ...)`), the rows collected — in
streaming mode the changelog folded into the table it amounts to (+I/+U add a row, -U/-D
take one away; an upsert changelog, whose +U comes without its -U, by the key the corpus
names for it) — and sorted. A query Flink refuses is recorded with its error. Writes
expected/batch.jsonl and expected/streaming.jsonl, one JSON object per query:
  {"id": ..., "types": [...], "rows": [[...], ...]}   or   {"id": ..., "error": "..."}

Usage: flink_record.py [--mode batch|streaming] [--only ID ...] [--part K/N]
  --part K/N records the K-th of N equal parts of the corpus (1-based) and merges it into
  the file: scripts/flink-diff.sh runs streaming mode part by part, each in a fresh JVM (a
  long-running streaming session starts failing jobs after a few hundred of them).
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from corpus import load_queries, load_tables  # noqa: E402


def fold(rows_with_kinds):
    """The rows a changelog amounts to, as a sorted list."""
    counts = {}
    for kind, row in rows_with_kinds:
        if kind in ("+I", "+U"):
            counts[row] = counts.get(row, 0) + 1
        else:
            counts[row] = counts.get(row, 0) - 1
    result = []
    for row, count in counts.items():
        result.extend([list(row)] * max(0, count))
    return sorted(result, key=sort_key)


def sort_key(row):
    return [(cell is None, cell or "") for cell in row]


def message(error):
    """The first line of a Java exception's message, and of its root cause's."""
    java = getattr(error, "java_exception", None)
    if java is None:
        return str(error).split("\n")[0]
    top = str(java.getMessage() or java.toString()).split("\n")[0]
    cause = java
    while cause.getCause() is not None and cause.getCause() != cause:
        cause = cause.getCause()
    root = str(cause.getMessage() or cause.toString()).split("\n")[0]
    return top if root == top else f"{top} | {root}"


def run(mode, queries, tables):
    from pyflink.table import EnvironmentSettings, TableEnvironment
    from pyflink.common import RowKind

    settings = EnvironmentSettings.in_batch_mode() if mode == "batch" else EnvironmentSettings.in_streaming_mode()
    env = TableEnvironment.create(settings)
    config = env.get_config()
    config.set("parallelism.default", "1")
    config.set("table.local-time-zone", "UTC")
    config.set("table.exec.resource.default-parallelism", "1")
    # A failing job fails at once (the default restarts it a few times first).
    config.set("restart-strategy.type", "none")
    for statement in tables:
        env.execute_sql(statement)
    kinds = {RowKind.INSERT: "+I", RowKind.UPDATE_BEFORE: "-U", RowKind.UPDATE_AFTER: "+U", RowKind.DELETE: "-D"}
    results = []
    for query in queries:
        if mode not in query.modes:
            continue
        started = time.monotonic()
        try:
            table = env.sql_query(query.sql)
            schema = table.get_schema()
            names = [f"c{index}" for index in range(len(schema.get_field_names()))]
            types = [str(data_type) for data_type in schema.get_field_data_types()]
            wrapped = (f"SELECT {', '.join(f'CAST({name} AS STRING)' for name in names)} "
                       f"FROM ({query.sql}) AS t({', '.join(names)})")
            with env.execute_sql(wrapped).collect() as collected:
                changes = [(kinds[row.get_row_kind()], tuple(row[index] for index in range(len(names)))) for row in collected]
            if query.upsert_key is not None:
                # An upsert changelog (Flink knows a key of the result and sends +U without its
                # -U): each row replaces the one of its key, -D deletes it.
                latest = {}
                for kind, row in changes:
                    key = tuple(row[index] for index in query.upsert_key)
                    if kind in ("+I", "+U"):
                        latest[key] = row
                    elif kind == "-D":
                        latest.pop(key, None)
                changes = [("+I", row) for row in latest.values()]
            elif sum(1 for kind, _ in changes if kind == "+U") > sum(1 for kind, _ in changes if kind == "-U"):
                raise RuntimeError("an upsert changelog: the corpus must name its key (-- upsert key: i, ...)")
            results.append({"id": query.id, "types": types, "rows": fold(changes)})
        except Exception as error:  # a refusal is an answer too
            results.append({"id": query.id, "error": message(error)})
        took = time.monotonic() - started
        outcome = "error" if "error" in results[-1] else f"{len(results[-1]['rows'])} rows"
        print(f"{mode} {query.id}: {outcome} ({took:.1f} s)", file=sys.stderr, flush=True)
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["batch", "streaming"], action="append")
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--part")
    arguments = parser.parse_args()
    queries = load_queries(os.path.join(HERE, "queries"))
    tables = load_tables(os.path.join(HERE, "tables.sql"), os.path.join(HERE, "data"))
    os.makedirs(os.path.join(HERE, "expected"), exist_ok=True)
    for mode in arguments.mode or ["batch", "streaming"]:
        chosen = [query for query in queries if not arguments.only or query.id in arguments.only]
        if arguments.part:
            part, parts = (int(number) for number in arguments.part.split("/"))
            size = -(-len(chosen) // parts)
            chosen = chosen[(part - 1) * size:part * size]
        answers = run(mode, chosen, tables)
        path = os.path.join(HERE, "expected", f"{mode}.jsonl")
        recorded = {}
        if (arguments.only or arguments.part) and os.path.exists(path):
            with open(path, encoding="utf-8") as old:
                for line in old:
                    entry = json.loads(line)
                    recorded[entry["id"]] = entry
        for answer in answers:
            recorded[answer["id"]] = answer
        order = [query.id for query in queries if query.id in recorded]
        with open(path, "w", encoding="utf-8") as out:
            for query_id in order:
                out.write(json.dumps(recorded[query_id], ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
