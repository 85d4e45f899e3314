-- Seed 002's pipeline in SQL: strings from topic `test`, upper-cased, to topic `output`.
--   weir -f demos/kafka-upper.sql              (runs until Ctrl-C)
--   weir produce test                          (type lines; each comes out upper-cased)
--   weir consume output
CREATE TABLE test (line STRING) WITH ('connector' = 'kafka', 'topic' = 'test', 'format' = 'raw',
                                      'scan.startup.mode' = 'latest-offset');
CREATE TABLE output (line STRING) WITH ('connector' = 'kafka', 'topic' = 'output', 'format' = 'raw');
INSERT INTO output SELECT UPPER(line) FROM test;
