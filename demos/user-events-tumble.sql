-- Seed 000: the six JSON events of its kafka-python script, a 1-hour event-time tumbling
-- window (watermarks 60 s behind), MAX(b) per a, written to CSV. Here the events come from a
-- file; with Kafka tables (the next stage) the same job reads the topic.
--   weir -f demos/user-events-tumble.sql            (from the repository's folder)
CREATE TABLE source (
  a STRING, b STRING, c STRING,
  `time` TIMESTAMP_LTZ(3),
  WATERMARK FOR `time` AS `time` - INTERVAL '60' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'demos/data/user-events.json', 'format' = 'json',
        -- the events' times are ISO 8601 ('2013-01-01T00:14:13Z'), as the seed's JSON schema says
        'json.timestamp-format.standard' = 'ISO-8601');

CREATE TABLE result (a STRING, b STRING)
  WITH ('connector' = 'filesystem', 'path' = '/tmp/tumble_time_window_streaming.csv', 'format' = 'csv');

INSERT INTO result
SELECT a, MAX(b) FROM source GROUP BY TUMBLE(`time`, INTERVAL '1' HOUR), a;

-- What the window saw, on screen:
SELECT a, MAX(b) AS max_b, TUMBLE_START(`time`, INTERVAL '1' HOUR) AS hour_start
FROM source GROUP BY TUMBLE(`time`, INTERVAL '1' HOUR), a;
