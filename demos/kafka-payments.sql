-- Seed 001 on Kafka, its DDL as the seed writes it (legacy options; the seed's
-- bootstrap.servers left out so --bootstrap decides): payments summed per province in
-- 5-second event-time windows, the seed's Python UDF written in SQL, results to topic
-- `results`. In two terminals, against `weir broker` (or any Kafka):
--   weir demo payments
--   weir -f demos/kafka-payments.sql            (Ctrl-C stops the job)
-- and watch the results: weir consume results
CREATE TABLE payment_msg(
    createTime VARCHAR,
    rt as TO_TIMESTAMP(createTime),
    orderId BIGINT,
    payAmount DOUBLE,
    payPlatform INT,
    provinceId INT,
    WATERMARK FOR rt as rt - INTERVAL '2' SECOND
) WITH (
  'connector.type' = 'kafka',
  'connector.version' = 'universal',
  'connector.topic' = 'payment_msg',
  'connector.properties.zookeeper.connect' = 'localhost:2181',
  'connector.properties.group.id' = 'test_3',
  'connector.startup-mode' = 'latest-offset',
  'format.type' = 'json'
);

CREATE TABLE es_sink (
province VARCHAR,
pay_amount DOUBLE,
rowtime TIMESTAMP(3)
) with (
  'connector.type' = 'kafka',
  'connector.version' = 'universal',
  'connector.topic' = 'results',
  'connector.properties.zookeeper.connect' = 'localhost:2181',
  'connector.properties.group.id' = 'test_3',
  'connector.startup-mode' = 'latest-offset',
  'format.type' = 'json'
);

CREATE FUNCTION province_id_to_name(id INT) RETURNS STRING AS
  CASE id WHEN 0 THEN 'beijing' WHEN 1 THEN 'shanghai' WHEN 2 THEN 'hangzhou' WHEN 3 THEN 'shenzhen'
          WHEN 4 THEN 'jiangxi' WHEN 5 THEN 'chongqing' WHEN 6 THEN 'xizang' END;

-- A restart picks up where the job was (weir -f ... --fresh starts over).
SET 'execution.checkpointing.interval' = '10s';
SET 'pipeline.name' = 'seed-001-payments';

insert into es_sink
select province_id_to_name(provinceId) as province, sum(payAmount) as pay_amount, tumble_start(rt, interval '5' second) as rowtime
from payment_msg
group by tumble(rt, interval '5' second), provinceId;
