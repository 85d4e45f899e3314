"""Reads the differential corpus (shared by flink_record.py; the Swift test reads the same
format): queries/*.sql in name order, each query a block

    -- id: fn-upper
    -- modes: batch            (optional: batch, streaming or both, the default)
    -- weir refuses: <text>    (optional: Weir refuses it on purpose, its error says <text>)
    -- weir differs: <why>     (optional: Weir's answer differs on purpose, for the reason given)
    -- ulps: <n>               (optional: a DOUBLE may be n units in the last place off)
    -- upsert key: <i, ...>    (optional: Flink's streaming result is an upsert changelog keyed
                                by those output columns, from 0: its +U replaces the key's row)
    SELECT UPPER(s) FROM vals;

and tables.sql, whose statements end with `;` at the end of a line and use ${DATA} for the
data folder.
"""
import os
import re


class Query:
    def __init__(self, query_id, sql, modes, refusal, upsert_key=None):
        self.id = query_id
        self.sql = sql
        self.modes = modes
        self.refusal = refusal
        self.upsert_key = upsert_key


def load_queries(folder):
    queries = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".sql"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as source:
            text = source.read()
        for block in re.split(r"(?m)^(?=-- id: )", text):
            if not block.startswith("-- id: "):
                continue
            lines = block.split("\n")
            query_id = lines[0][len("-- id: "):].strip()
            modes, refusal, upsert_key, body = ["batch", "streaming"], None, None, []
            for line in lines[1:]:
                if line.startswith("-- modes: "):
                    modes = [mode.strip() for mode in line[len("-- modes: "):].split(",")]
                elif line.startswith("-- weir refuses: "):
                    refusal = line[len("-- weir refuses: "):].strip()
                elif line.startswith("-- upsert key: "):
                    upsert_key = [int(part) for part in line[len("-- upsert key: "):].split(",")]
                elif line.startswith("-- weir differs: ") or line.startswith("-- ulps: "):
                    continue
                elif line.startswith("--") and not body:
                    continue
                else:
                    body.append(line)
            sql = "\n".join(body).strip()
            if sql.endswith(";"):
                sql = sql[:-1].rstrip()
            queries.append(Query(query_id, sql, modes, refusal, upsert_key))
    ids = [query.id for query in queries]
    duplicates = {query_id for query_id in ids if ids.count(query_id) > 1}
    if duplicates:
        raise SystemExit(f"ids used twice: {sorted(duplicates)}")
    return queries


def load_tables(path, data):
    with open(path, encoding="utf-8") as source:
        text = "\n".join(line for line in source.read().split("\n") if not line.startswith("--"))
    # A statement ends with `;` at the end of a line (a `;` inside a literal does not end one).
    return [statement.strip().replace("${DATA}", data) for statement in re.split(r";[ \t]*(?:\n|$)", text) if statement.strip()]
