-- Seed 003's per-user clicks per minute, top 10 of each minute (a Window Top-N):
--   weir demo clicks &
--   weir -f demos/kafka-clicks.sql             (a minute's ranking appears as the minute closes)
CREATE TABLE clicks (
  `user` STRING, url STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'clicks', 'format' = 'json', 'scan.startup.mode' = 'latest-offset');

SELECT window_start, window_end, `user`, clicks, rownum FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY clicks DESC) AS rownum
  FROM (
    SELECT window_start, window_end, `user`, COUNT(*) AS clicks
    FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
    GROUP BY window_start, window_end, `user`
  )
) WHERE rownum <= 10;
