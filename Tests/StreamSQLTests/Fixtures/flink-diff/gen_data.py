#!/usr/bin/env python3
"""The differential corpus's input files, the same bytes on any machine (a fixed-seed
SplitMix64, no library randomness). Run from this folder: `python3 gen_data.py` writes data/.

  orders.csv   2,000 orders: id, user (empty in 5%: NULL through csv.null-literal), amount
               DECIMAL(10,2), price DOUBLE, qty INT, status (empty: NULL), category, flag,
               ts TIMESTAMP(3) over two hours, a little out of order
  users.csv    9 users (one without orders, one order user without a row here), country
               (one empty), age, signup DATE, vip
  vals.csv     48 rows of edge values for functions and casts: NULLs (\\N, the table's
               csv.null-literal), zeros, negatives, the ends of the ranges, unicode, spaces,
               empty strings
  events.json  300 JSON records with nested objects, arrays and maps, and a JSON text column
  quirks.csv, semi.csv, bad.json, iso.json   a few lines each for the formats' options
               (comments, quotes, escapes, delimiters, parse errors, ISO-8601 times)
"""
import json
import os

MASK = (1 << 64) - 1


class SplitMix:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n


USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan"]
STATUS = ["paid", "shipped", "cancelled", "paid", ""]
CATEGORIES = ["books", "games", "music", "tools"]


def timestamp(millis):
    seconds, ms = divmod(millis, 1000)
    minutes, s = divmod(seconds, 60)
    hours, m = divmod(minutes, 60)
    return f"2024-03-05 {20 + hours:02d}:{m:02d}:{s:02d}.{ms:03d}"


def orders(rng):
    lines = []
    clock = 0
    for order in range(1, 2001):
        clock += rng.below(7200)  # about 3.6 s apart: two hours in all
        skew = rng.below(3000) if rng.below(10) == 0 else 0  # one in ten a little late
        at = max(0, clock - skew)
        user = "" if rng.below(20) == 0 else USERS[rng.below(8)]  # ivan never orders
        cents = rng.below(100000) + 1
        amount = f"{cents // 100}.{cents % 100:02d}"
        price = round(rng.below(1000000) / 997.0, 6)
        qty = rng.below(12) - 1  # -1 .. 10: a return is -1
        status = STATUS[rng.below(len(STATUS))]
        category = CATEGORIES[rng.below(4)]
        flag = "true" if rng.below(3) == 0 else "false"
        lines.append(f"{order},{user},{amount},{price!r},{qty},{status},{category},{flag},{timestamp(at)}")
    return lines


def users():
    rows = [
        ("alice", "CN", 31, "2020-01-15", "true"), ("bob", "US", 45, "2019-06-30", "false"),
        ("carol", "DE", 28, "2021-11-02", "false"), ("dave", "", 52, "2018-02-28", "true"),
        ("erin", "US", 19, "2023-07-04", "false"), ("frank", "FR", 37, "2022-12-31", "false"),
        ("grace", "CN", 64, "2017-05-20", "true"), ("ivan", "RU", 23, "2024-01-01", "false"),
        ("mallory", "GB", 41, "2016-08-08", "false"),
    ]
    return [",".join(str(field) for field in row) for row in rows]


def vals():
    # n INT (the row's number), i INT, b BIGINT, d DOUBLE, m DECIMAL(12,4), s STRING, dt DATE, t TIMESTAMP(3), bo BOOLEAN, tm TIME(0)
    fixed = [
        ("0", "0", "0.0", "0.0000", "", "1970-01-01", "1970-01-01 00:00:00.000", "false", "00:00:00"),
        ("1", "1", "1.5", "1.5000", "a", "2024-02-29", "2024-02-29 23:59:59.999", "true", "23:59:59"),
        ("-1", "-1", "-1.5", "-1.5000", " padded ", "1999-12-31", "1999-12-31 23:59:59.000", "false", "12:00:00"),
        ("2147483647", "9223372036854775807", "1.0E308", "99999999.9999", "Hello World", "2038-01-19", "2038-01-19 03:14:07.123", "true", "03:14:07"),
        ("-2147483648", "-9223372036854775808", "-1.0E-308", "-99999999.9999", "hello world", "1900-01-01", "1900-01-01 00:00:00.001", "false", "00:00:01"),
        ("\\N",) * 9,  # every field NULL (the table's csv.null-literal)
        ("42", "4200000000", "3.141592653589793", "3.1416", "北京市", "2024-03-05", "2024-03-05 22:15:30.500", "true", "22:15:30"),
        ("7", "-7", "2.5", "2.5000", "ÄÖÜ äöü ß", "2024-12-31", "2024-12-31 12:00:00.000", "false", "06:30:00"),
        ("100", "100", "0.1", "0.1000", "a,b,,c", "2000-02-29", "2000-02-29 00:00:00.010", "true", "18:45:59"),
        ("-100", "1000000", "-0.0", "-0.0001", "  ", "2023-01-01", "2023-01-01 00:00:00.100", "false", "09:05:03"),
        ("3", "3", "1e-7", "0.0005", "x=1;y=2;z=3", "2024-01-31", "2024-01-31 08:30:00.000", "true", "08:30:00"),
        ("5", "5", "123456789.123", "12345678.1234", "aaa", "2022-06-15", "2022-06-15 15:45:00.000", "false", "15:45:00"),
        ("-5", "-5", "-123.456", "-123.4560", "The Quick Brown Fox", "2021-03-14", "2021-03-14 01:59:26.535", "true", "01:59:26"),
        ("9", "9", "9.99", "9.9900", "tab\there", "2020-10-10", "2020-10-10 10:10:10.010", "false", "10:10:10"),
        ("12", "12", "12.0", "12.0000", "{\"a\": 1}", "2019-07-20", "2019-07-20 20:17:40.000", "true", "20:17:40"),
        ("64", "64", "0.5", "0.5000", "MiXeD CaSe", "2025-05-05", "2025-05-05 05:05:05.005", "false", "05:05:05"),
    ]
    rng = SplitMix(7)
    words = ["spark", "flink", "kafka", "weir", "stream", "table", "", "Zeta", "alpha beta", "x"]
    rows = [",".join(quote(field) for field in (str(number + 1),) + row) for number, row in enumerate(fixed)]
    for _ in range(32):
        i = rng.below(2001) - 1000
        b = rng.below(1 << 40) - (1 << 39)
        d = round((rng.below(2000001) - 1000000) / 1024.0, 6)
        m = f"{(rng.below(20000000) - 10000000) / 10000:.4f}"
        s = words[rng.below(len(words))]
        day = rng.below(28) + 1
        month = rng.below(12) + 1
        year = 1990 + rng.below(40)
        date = f"{year}-{month:02d}-{day:02d}"
        ts = f"{date} {rng.below(24):02d}:{rng.below(60):02d}:{rng.below(60):02d}.{rng.below(1000):03d}"
        bo = "true" if rng.below(2) else "false"
        tm = f"{rng.below(24):02d}:{rng.below(60):02d}:{rng.below(60):02d}"
        rows.append(",".join(quote(str(field)) for field in (len(rows) + 1, i, b, d, m, s, date, ts, bo, tm)))
    return rows


def quote(field):
    if any(character in field for character in ',"\n\t'):
        return '"' + field.replace('"', '""') + '"'
    return field


def events(rng):
    lines = []
    kinds = ["click", "view", "buy", None]
    for index in range(1, 301):
        kind = kinds[rng.below(4)]
        tags = [f"t{rng.below(5)}" for _ in range(rng.below(4))]
        attrs = {f"k{rng.below(3)}": f"v{rng.below(9)}" for _ in range(rng.below(3))}
        payload = {"user": USERS[rng.below(9)], "score": rng.below(1000) / 10, "items": [rng.below(50) for _ in range(rng.below(4))],
                   "meta": {"ok": bool(rng.below(2)), "depth": rng.below(5)}}
        if rng.below(10) == 0:
            payload = "not json" if rng.below(2) else {"user": None}
        record = {"id": index, "kind": kind, "tags": tags, "attrs": attrs, "pos": {"x": rng.below(100), "y": rng.below(100) - 50},
                  "payload": payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":")),
                  "ts": timestamp(index * 20000 + rng.below(5000))}
        lines.append(json.dumps(record, separators=(",", ":"), ensure_ascii=False))
    return lines


QUIRKS = [
    "# a comment line: read only with csv.allow-comments",
    '1,"quoted, with a comma","say ""hi""",3.5',
    "2,plain,'single quoted',",
    "3,back\\slash,x\\,y,1e3",
    "# another comment",
    "4,,\"\",-0.25",
    "five,not a number,z,1",
    "6,trailing,fields,2.5,extra",
]
SEMI = ["1;a|b|c;x", "2;;empty array", "3;single;y", "4;a||b;z"]
BAD = [
    '{"id": 1, "name": "ok", "score": 1.5}',
    '{"id": 2, "name": "no score"}',
    '{"id": "three", "name": "id is text", "score": 3}',
    'not json at all',
    '{"id": 5, "name": "extra", "score": 5.5, "more": [1, 2]}',
    '{"id": 6, "name": null, "score": null}',
    '{"id": 7, "name": "cut", "score": ',
    '{"id": 8, "score": "8.25", "name": "score as text"}',
]
ISO = [
    '{"id": 1, "ts": "2024-03-05T22:15:30.5", "ltz": "2024-03-05T22:15:30.5Z"}',
    '{"id": 2, "ts": "2024-03-05T00:00:00", "ltz": "2024-03-05T00:00:00Z"}',
    '{"id": 3, "ts": "2024-03-05 22:15:30", "ltz": "2024-03-05 22:15:30Z"}',
    '{"id": 4, "ts": null, "ltz": null}',
]


def main():
    os.makedirs("data", exist_ok=True)
    files = [("orders.csv", orders(SplitMix(42))), ("users.csv", users()), ("vals.csv", vals()), ("events.json", events(SplitMix(9))),
             ("quirks.csv", QUIRKS), ("semi.csv", SEMI), ("bad.json", BAD), ("iso.json", ISO)]
    for name, lines in files:
        with open(os.path.join("data", name), "w", encoding="utf-8", newline="\n") as out:
            out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
