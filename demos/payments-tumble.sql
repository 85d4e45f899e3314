-- Seed 001: payments summed per province in 5-second event-time windows, the seed's Python
-- UDF written in SQL. The input: demos/make-data.sh writes demos/data/payments.json (100,000
-- events of the Flink oracle's generator; Flink 2.3 gives the same 147 rows, 67 rows late).
--   sh demos/make-data.sh && weir -f demos/payments-tumble.sql
CREATE TABLE payment_msg (
  createTime VARCHAR,
  rt AS TO_TIMESTAMP(createTime),
  orderId BIGINT,
  payAmount DOUBLE,
  payPlatform INT,
  provinceId INT,
  WATERMARK FOR rt AS rt - INTERVAL '2' SECOND
) WITH ('connector.type' = 'filesystem', 'connector.path' = 'demos/data/payments.json', 'format.type' = 'json');

CREATE FUNCTION province_id_to_name(id INT) RETURNS STRING AS
  CASE id WHEN 0 THEN 'beijing' WHEN 1 THEN 'shanghai' WHEN 2 THEN 'hangzhou' WHEN 3 THEN 'shenzhen'
          WHEN 4 THEN 'jiangxi' WHEN 5 THEN 'chongqing' WHEN 6 THEN 'xizang' END;

SELECT province_id_to_name(provinceId) AS province,
       SUM(payAmount) AS pay_amount,
       TUMBLE_START(rt, INTERVAL '5' SECOND) AS rowtime
FROM payment_msg
GROUP BY TUMBLE(rt, INTERVAL '5' SECOND), provinceId;
