-- Seed 003's batch word count: words from a CSV file, counted, written to CSV.
--   weir -f demos/word-count.sql
SET 'execution.runtime-mode' = 'batch';

CREATE TABLE words (word STRING) WITH ('connector' = 'filesystem', 'path' = 'demos/data/words.csv', 'format' = 'csv');
CREATE TABLE counts (word STRING, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '/tmp/weir-word-count', 'format' = 'csv');

SELECT word, COUNT(*) AS n FROM words GROUP BY word ORDER BY n DESC, word;
