-- The differential corpus's tables, run by Flink and by Weir before the queries
-- (${DATA} is the data folder's absolute path).
CREATE TABLE orders (
  id BIGINT, u STRING, amount DECIMAL(10, 2), price DOUBLE, qty INT, status STRING, category STRING, flag BOOLEAN, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DATA}/orders.csv', 'format' = 'csv', 'csv.null-literal' = '');

CREATE TABLE users (u STRING, country STRING, age INT, signup DATE, vip BOOLEAN)
WITH ('connector' = 'filesystem', 'path' = '${DATA}/users.csv', 'format' = 'csv');

CREATE TABLE vals (n INT, i INT, b BIGINT, d DOUBLE, m DECIMAL(12, 4), s STRING, dt DATE, t TIMESTAMP(3), bo BOOLEAN, tm TIME(0))
WITH ('connector' = 'filesystem', 'path' = '${DATA}/vals.csv', 'format' = 'csv', 'csv.null-literal' = '\N');

CREATE TABLE events (
  id INT, kind STRING, tags ARRAY<STRING>, attrs MAP<STRING, STRING>, pos ROW<x INT, y INT>, payload STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DATA}/events.json', 'format' = 'json');

CREATE TABLE quirks (k INT, a STRING, b STRING, x DOUBLE)
WITH ('connector' = 'filesystem', 'path' = '${DATA}/quirks.csv', 'format' = 'csv', 'csv.allow-comments' = 'true', 'csv.ignore-parse-errors' = 'true');

CREATE TABLE semi (k INT, arr ARRAY<STRING>, s STRING)
WITH ('connector' = 'filesystem', 'path' = '${DATA}/semi.csv', 'format' = 'csv', 'csv.field-delimiter' = ';', 'csv.array-element-delimiter' = '|');

CREATE TABLE bad (id INT, name STRING, score DOUBLE)
WITH ('connector' = 'filesystem', 'path' = '${DATA}/bad.json', 'format' = 'json', 'json.ignore-parse-errors' = 'true');

CREATE TABLE iso (id INT, ts TIMESTAMP(3), ltz TIMESTAMP_LTZ(3))
WITH ('connector' = 'filesystem', 'path' = '${DATA}/iso.json', 'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601');

CREATE TABLE lines (line STRING)
WITH ('connector' = 'filesystem', 'path' = '${DATA}/users.csv', 'format' = 'raw');
