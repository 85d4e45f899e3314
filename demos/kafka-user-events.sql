-- Seed 000 on Kafka: the six {a, b, c, time} events of its kafka-python script in topic
-- `user`, a 1-hour event-time tumbling window (watermarks 60 s behind), MAX(b) per a,
-- written to CSV and shown. The topic is read to its current end, so the job finishes:
--   weir demo user-events
--   weir -f demos/kafka-user-events.sql
CREATE TABLE source (
  a STRING, b STRING, c STRING,
  `time` TIMESTAMP_LTZ(3),
  WATERMARK FOR `time` AS `time` - INTERVAL '60' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'user', 'format' = 'json',
        'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',
        -- the events' times are ISO 8601 ('2013-01-01T00:14:13Z'), as the seed's JSON schema says
        'json.timestamp-format.standard' = 'ISO-8601');

CREATE TABLE result (a STRING, b STRING)
  WITH ('connector' = 'filesystem', 'path' = '/tmp/tumble_time_window_streaming.csv', 'format' = 'csv');

-- Reading Kafka, this INSERT runs as a job beside the query below; both end at the topic's end.
INSERT INTO result
SELECT a, MAX(b) FROM source GROUP BY TUMBLE(`time`, INTERVAL '1' HOUR), a;

SELECT a, MAX(b) AS max_b, TUMBLE_START(`time`, INTERVAL '1' HOUR) AS hour_start
FROM source GROUP BY TUMBLE(`time`, INTERVAL '1' HOUR), a;
