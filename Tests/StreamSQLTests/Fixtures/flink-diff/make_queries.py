#!/usr/bin/env python3
"""Writes the generated part of the corpus: queries/10-functions.sql (every built-in scalar
function Weir lists, each overload over the edge values of `vals` and a NULL) and
queries/20-casts.sql (every cast between the column types of `vals`). The other files of
queries/ are written by hand. Run from this folder after changing the lists below.
"""

# (id, select list over vals) — each query also returns n, the row's number.
FUNCTIONS = [
    # Strings
    ("upper-lower", "UPPER(s), LOWER(s)"),
    ("char-length", "CHAR_LENGTH(s), CHARACTER_LENGTH(s)"),
    ("concat", "CONCAT(s, '-', CAST(i AS STRING)), s || '|' || s"),
    ("concat-ws", "CONCAT_WS('/', s, CAST(i AS STRING), s), CONCAT_WS(s, 'a', 'b')"),
    ("substring", "SUBSTRING(s FROM 2), SUBSTRING(s FROM 2 FOR 3), SUBSTR(s, 1, 2), SUBSTRING(s, -3)"),
    ("replace", "REPLACE(s, 'a', 'XY'), REPLACE(s, ' ', '')"),
    ("initcap", "INITCAP(s)"),
    ("trim", "TRIM(s), TRIM(LEADING ' ' FROM s), TRIM(TRAILING ' ' FROM s), TRIM(BOTH 'a' FROM s)"),
    ("ltrim-rtrim", "LTRIM(s), RTRIM(s), LTRIM(s, ' p'), RTRIM(s, 'd ')"),
    ("regexp", "REGEXP(s, '^[a-z]+$'), REGEXP(s, 'o')"),
    ("regexp-extract", "REGEXP_EXTRACT(s, '([a-z]+) ([a-z]+)', 2), REGEXP_EXTRACT(s, '[0-9]+'), REGEXP_EXTRACT(s, '(a)(b)?', 2)"),
    ("regexp-replace", "REGEXP_REPLACE(s, '[aeiou]', '_'), REGEXP_REPLACE(s, '(\\w+) (\\w+)', '$2 $1')"),
    ("split-index", "SPLIT_INDEX(s, ',', 0), SPLIT_INDEX(s, ',', 2), SPLIT_INDEX(s, ' ', 1), SPLIT_INDEX(s, ',', -1)"),
    ("position", "POSITION('o' IN s), POSITION('' IN s), POSITION('zz' IN s)"),
    ("locate", "LOCATE('o', s), LOCATE('o', s, 6)"),
    ("lpad-rpad", "LPAD(s, 8, '*'), RPAD(s, 8, '-='), LPAD(s, 2, 'x'), RPAD(s, 0, 'x')"),
    ("repeat-reverse", "REPEAT(s, 2), REPEAT(s, 0), REVERSE(s)"),
    ("left-right", "LEFT(s, 3), RIGHT(s, 3), LEFT(s, 0), RIGHT(s, -1)"),
    ("ascii-chr", "ASCII(s), CHR(i), CHR(65)"),
    ("base64", "TO_BASE64(s), FROM_BASE64(TO_BASE64(s)), FROM_BASE64('aGVsbG8=')"),
    ("instr", "INSTR(s, 'a'), INSTR(s, 'l')"),
    ("hex-bin", "HEX(s), HEX(i), BIN(i), BIN(b)"),
    ("overlay", "OVERLAY(s PLACING 'ZZ' FROM 2 FOR 1), OVERLAY(s PLACING '' FROM 1 FOR 2), OVERLAY(s PLACING 'x' FROM 3)"),
    ("like", "s LIKE '%o%', s LIKE 'a_a', s NOT LIKE '%a%', s LIKE '%\\%%' ESCAPE '\\'"),
    ("similar", "s SIMILAR TO '[a-z]+', s SIMILAR TO '%(a|e)%'"),
    ("string-compare", "s = 'aaa', s < 'b', s >= 'hello', s <> ''"),
    # Numbers
    ("abs", "ABS(i), ABS(b), ABS(d), ABS(m)"),
    ("round", "ROUND(d), ROUND(d, 2), ROUND(m, 1), ROUND(i, -1), ROUND(m, 0)"),
    ("mod", "MOD(i, 7), MOD(b, 3), MOD(i, -4)"),
    ("power-sqrt", "POWER(d, 2), POWER(i, 0.5), SQRT(ABS(d)), POWER(2, i)"),
    ("ln-exp", "LN(ABS(d) + 1), EXP(d / 1000), LOG10(ABS(i) + 1), LOG2(ABS(i) + 1)"),
    ("log", "LOG(ABS(d) + 1), LOG(2, ABS(i) + 1)"),
    ("floor-ceil", "FLOOR(d), CEIL(d), FLOOR(m), CEIL(m), CEILING(d)"),
    ("sign", "SIGN(i), SIGN(d), SIGN(m)"),
    ("truncate", "TRUNCATE(d, 1), TRUNCATE(m, 2), TRUNCATE(i, -1)"),
    ("constants", "PI(), E(), PI() * i"),
    ("trig", "SIN(d), COS(d), TAN(d / 1000), ASIN(d / 1e9), ACOS(d / 1e9), ATAN(d)"),
    ("trig-more", "ATAN2(d, 2), SINH(d / 1e6), COSH(d / 1e6), TANH(d), COT(d + 0.5)"),
    ("degrees-radians", "DEGREES(d), RADIANS(d)"),
    ("arith-int", "i + 1, i - 1, i * 2, i / 3, -i"),
    ("arith-bigint", "b + i, b - 1, b * 2, b / 7"),
    ("arith-double", "d + i, d * 1.5, d / 4, d - b"),
    ("arith-decimal", "m + 1, m * 2, m / 3, m + d, m * i, m - 0.0001"),
    ("arith-mixed", "i / 2.0, i * 1.0, CAST(i AS DOUBLE) / 4, i % 5"),
    ("divide-by-zero-double", "d / 0.0, 0.0 / 0.0"),
    ("compare-numbers", "i < b, d >= m, i = m, b <> d"),
    ("between-in", "i BETWEEN -5 AND 5, i NOT BETWEEN 0 AND 100, i IN (0, 1, 42), s IN ('a', 'aaa'), i NOT IN (1, 2)"),
    # Conditionals
    ("coalesce", "COALESCE(s, 'none'), COALESCE(i, b, 0), COALESCE(CAST(NULL AS INT), i)"),
    ("if-nullif", "IF(i > 0, 'pos', 'neg'), IF(bo, i, -i), NULLIF(i, 0), NULLIF(s, '')"),
    ("case", "CASE WHEN i > 100 THEN 'big' WHEN i > 0 THEN 'small' ELSE 'other' END, CASE s WHEN 'a' THEN 1 WHEN 'aaa' THEN 3 END"),
    ("greatest-least", "GREATEST(i, 0, -5), LEAST(i, 0), GREATEST(d, m), LEAST(s, 'm')"),
    ("is-null", "s IS NULL, i IS NOT NULL, bo IS TRUE, bo IS NOT FALSE, bo IS UNKNOWN"),
    ("distinct-from", "i IS DISTINCT FROM 0, s IS NOT DISTINCT FROM 'a'"),
    ("boolean-logic", "bo AND i > 0, bo OR i > 0, NOT bo, (i > 0) = bo"),
    # Hashes
    ("md5-sha1", "MD5(s), SHA1(s)"),
    ("sha2", "SHA256(s), SHA2(s, 256), SHA2(s, 384), SHA2(s, 512)"),
    ("sha384-512", "SHA384(s), SHA512(s)"),
    # Dates and times
    ("extract", "EXTRACT(YEAR FROM t), EXTRACT(MONTH FROM t), EXTRACT(DAY FROM dt), EXTRACT(HOUR FROM t), EXTRACT(MINUTE FROM t), EXTRACT(SECOND FROM t)"),
    ("extract-more", "EXTRACT(QUARTER FROM dt), EXTRACT(WEEK FROM dt), EXTRACT(DOW FROM dt), EXTRACT(DOY FROM dt), EXTRACT(MILLISECOND FROM t)"),
    ("year-month-day", "YEAR(dt), MONTH(t), DAYOFMONTH(dt), HOUR(t), MINUTE(t), SECOND(t)"),
    ("quarter-week", "QUARTER(dt), WEEK(dt), DAYOFYEAR(dt), DAYOFWEEK(dt)"),
    ("date-format", "DATE_FORMAT(t, 'yyyy-MM-dd'), DATE_FORMAT(t, 'HH:mm:ss.SSS'), DATE_FORMAT(t, 'yyyyMMdd HH'), DATE_FORMAT(t, 'EEE MMM')"),
    ("to-timestamp", "TO_TIMESTAMP('2024-03-05 22:15:30'), TO_TIMESTAMP(DATE_FORMAT(t, 'yyyy/MM/dd HH:mm'), 'yyyy/MM/dd HH:mm'), TO_TIMESTAMP(s)"),
    ("to-date", "TO_DATE('2024-03-05'), TO_DATE(DATE_FORMAT(t, 'dd.MM.yyyy'), 'dd.MM.yyyy'), TO_DATE(s)"),
    ("unix-timestamp", "UNIX_TIMESTAMP(DATE_FORMAT(t, 'yyyy-MM-dd HH:mm:ss')), UNIX_TIMESTAMP('2024-03-05', 'yyyy-MM-dd')"),
    ("from-unixtime", "FROM_UNIXTIME(i), FROM_UNIXTIME(ABS(i), 'yyyy-MM-dd HH:mm')"),
    ("to-timestamp-ltz", "TO_TIMESTAMP_LTZ(b / 1000000, 0), TO_TIMESTAMP_LTZ(ABS(i), 3), TO_TIMESTAMP_LTZ(1700000000123, 3)"),
    ("timestampadd", "TIMESTAMPADD(DAY, i, t), TIMESTAMPADD(HOUR, 5, t), TIMESTAMPADD(MONTH, 1, dt), TIMESTAMPADD(SECOND, -30, t)"),
    ("timestampdiff", "TIMESTAMPDIFF(DAY, t, TIMESTAMP '2024-01-01 00:00:00'), TIMESTAMPDIFF(HOUR, TIMESTAMP '2000-01-01 00:00:00', t), TIMESTAMPDIFF(MONTH, dt, DATE '2024-03-05')"),
    ("floor-ceil-time", "FLOOR(t TO HOUR), CEIL(t TO MINUTE), FLOOR(t TO DAY), FLOOR(dt TO MONTH), FLOOR(t TO SECOND)"),
    ("interval-arith", "t + INTERVAL '1' HOUR, t - INTERVAL '10' MINUTE, dt + INTERVAL '3' DAY, t + INTERVAL '1:30' HOUR TO MINUTE"),
    ("interval-month", "dt + INTERVAL '1' MONTH, t - INTERVAL '1' YEAR, dt + INTERVAL '1-2' YEAR TO MONTH"),
    ("time-compare", "t < TIMESTAMP '2000-01-01 00:00:00', dt >= DATE '2020-01-01', tm > TIME '12:00:00'"),
    ("date-literals", "DATE '2024-03-05', TIME '22:15:30', TIMESTAMP '2024-03-05 22:15:30.5'"),
    # JSON
    ("json-value-text", "JSON_VALUE(s, '$.a'), JSON_VALUE(s, '$.a' RETURNING INT), JSON_EXISTS(s, '$.a'), s IS JSON"),
    ("json-string", "JSON_STRING(s), JSON_STRING(i), JSON_STRING(d), JSON_STRING(bo)"),
    ("json-object", "JSON_OBJECT('s' VALUE s, 'i' VALUE i), JSON_OBJECT('s' VALUE s ABSENT ON NULL), JSON_OBJECT(KEY 'n' VALUE n)"),
    ("json-array", "JSON_ARRAY(s, i, bo), JSON_ARRAY(s ABSENT ON NULL), JSON_ARRAY(s NULL ON NULL)"),
    ("json-object-types", "JSON_OBJECT('d' VALUE d, 'm' VALUE m, 't' VALUE t, 'dt' VALUE dt)"),
    # Collections
    ("split-str-to-map", "SPLIT(s, ','), CARDINALITY(SPLIT(s, ',')), STR_TO_MAP(s, ';', '='), STR_TO_MAP('a:1,b:2', ',', ':')['b']"),
    ("array-functions", "ARRAY_CONTAINS(SPLIT(s, ','), 'b'), ARRAY_JOIN(SPLIT(s, ','), '+'), ARRAY_DISTINCT(SPLIT(s, ',')), ELEMENT(ARRAY[s])"),
    ("array-constructor", "ARRAY[i, i + 1], ARRAY[s, 'x'], CARDINALITY(ARRAY[i, 2, 3]), ARRAY[i, 2][2]"),
    ("map-constructor", "MAP['k', s], MAP_KEYS(MAP['a', i, 'b', 2]), MAP_VALUES(MAP['a', i]), CARDINALITY(MAP['a', 1, 'b', 2])"),
    ("row-constructor", "ROW(i, s), (ROW(i, s)).EXPR$1"),
    # Misc
    ("typeof-literals", "1, 1.5, 1.5e0, 'x', TRUE, CAST(NULL AS INT), CAST(NULL AS STRING)"),
    ("try-cast", "TRY_CAST(s AS INT), TRY_CAST(s AS DOUBLE), TRY_CAST(s AS DATE), TRY_CAST(s AS BOOLEAN)"),
    ("cast-without-length", "CAST(s AS VARCHAR), CAST(i AS VARCHAR), CAST(s AS CHAR), CAST(s AS BINARY)"),
]

PRE_EPOCH = ("Flink reads a TIMESTAMP before 1970 that has a fraction of a second one second off (1900-01-01 00:00:00.001: "
             "hour -23, minute -59, second -59, 1900-01-02 as a DATE); Weir gives the calendar's fields")
# Notes above a query: the functions the C library computes (Weir) and the JVM's intrinsics
# (Flink) can round one unit in the last place apart; Flink's answers that are not a
# calendar's or a number's are named.
NOTES = {
    "fn-power-sqrt": "-- ulps: 1",
    "fn-ln-exp": "-- ulps: 1",
    "fn-log": "-- ulps: 1",
    "fn-trig": "-- ulps: 1",
    "fn-trig-more": "-- ulps: 1",
    "fn-extract": "-- weir differs: " + PRE_EPOCH,
    "fn-extract-more": "-- weir differs: " + PRE_EPOCH,
    "fn-year-month-day": "-- weir differs: " + PRE_EPOCH,
    "cast-t-date": "-- weir differs: " + PRE_EPOCH,
    "cast-t-time0": "-- weir differs: " + PRE_EPOCH,
    "cast-t-timestamp0": "-- weir differs: " + PRE_EPOCH,
    "fn-timestampadd": "-- weir differs: Flink's TIMESTAMPADD(DAY, 2147483647, t) overflows into text that is no date; Weir's is NULL, past the TIMESTAMP range",
    "cast-s-decimal10-2": "-- weir differs: Flink's TRY_CAST('a' AS DECIMAL(10, 2)) is 0.00; Weir's is NULL, as for any other text that is no number",
}

# The column types of vals, and a cast of each to each. Values of one type that the other
# cannot hold make the whole query fail in Flink (as they should in Weir): those are in
# TRY_CAST queries instead (string sources).
COLUMNS = [("i", "INT"), ("b", "BIGINT"), ("d", "DOUBLE"), ("m", "DECIMAL(12, 4)"), ("s", "STRING"),
           ("dt", "DATE"), ("t", "TIMESTAMP(3)"), ("bo", "BOOLEAN"), ("tm", "TIME(0)")]
TARGETS = ["TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE", "DECIMAL(10, 2)", "DECIMAL(38, 10)", "STRING",
           "CHAR(4)", "VARCHAR(4)", "BOOLEAN", "DATE", "TIME(0)", "TIMESTAMP(0)", "TIMESTAMP(3)", "TIMESTAMP(6)",
           "TIMESTAMP_LTZ(3)", "BYTES"]


def main():
    with open("queries/10-functions.sql", "w", encoding="utf-8") as out:
        out.write("-- Generated by make_queries.py: every built-in scalar function Weir lists, each over the\n"
                  "-- edge values of vals (one row all NULL).\n\n")
        for name, select in FUNCTIONS:
            note = NOTES.get(f"fn-{name}")
            out.write(f"-- id: fn-{name}\n" + (note + "\n" if note else "") + f"SELECT n, {select} FROM vals;\n\n")
    with open("queries/20-casts.sql", "w", encoding="utf-8") as out:
        out.write("-- Generated by make_queries.py: every column type of vals cast to every type (the values\n"
                  "-- a cast cannot hold fail the query in both engines, or both give NULL under TRY_CAST).\n\n")
        for column, source in COLUMNS:
            for target in TARGETS:
                slug = target.lower().replace("(", "").replace(")", "").replace(", ", "-").replace(" ", "-")
                function = "TRY_CAST" if column == "s" else "CAST"
                note = NOTES.get(f"cast-{column}-{slug}")
                out.write(f"-- id: cast-{column}-{slug}\n" + (note + "\n" if note else "") + f"SELECT n, {function}({column} AS {target}) FROM vals;\n\n")


if __name__ == "__main__":
    main()
