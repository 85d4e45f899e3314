# The seeds' payment job (5-second tumble, SUM per province, the CASE form of the UDF) over
# a JSON file, as the engine benchmarks run it. Sourced: `payment_job FILE` prints the SQL.
payment_job() {
cat <<SQL
CREATE TABLE payment_msg (
  createTime VARCHAR, rt AS TO_TIMESTAMP(createTime),
  orderId BIGINT, payAmount DOUBLE, payPlatform INT, provinceId INT,
  WATERMARK FOR rt AS rt - INTERVAL '2' SECOND
) WITH ('connector' = 'filesystem', 'path' = '$1', 'format' = 'json');
SELECT CASE provinceId WHEN 0 THEN 'beijing' WHEN 1 THEN 'shanghai' WHEN 2 THEN 'hangzhou' WHEN 3 THEN 'shenzhen'
            WHEN 4 THEN 'jiangxi' WHEN 5 THEN 'chongqing' ELSE 'xizang' END AS province,
       SUM(payAmount) AS pay_amount, TUMBLE_START(rt, INTERVAL '5' SECOND) AS rowtime
FROM payment_msg GROUP BY TUMBLE(rt, INTERVAL '5' SECOND), provinceId;
SQL
}

# The changelog path over the same events (issue 25's query): COUNT and SUM per orderId, into
# a blackhole, in streaming mode. `group_by_job FILE` prints the SQL.
group_by_job() {
cat <<SQL
CREATE TABLE payment_msg (
  createTime VARCHAR, orderId BIGINT, payAmount DOUBLE, payPlatform INT, provinceId INT
) WITH ('connector' = 'filesystem', 'path' = '$1', 'format' = 'json');
CREATE TABLE sink (orderId BIGINT, payments BIGINT, total DOUBLE) WITH ('connector' = 'blackhole');
INSERT INTO sink SELECT orderId, COUNT(*), SUM(payAmount) FROM payment_msg GROUP BY orderId;
SQL
}

# A regular join over the same events: each payment with its province's name (a CSV of seven
# rows written beside FILE), into a blackhole. `join_job FILE` prints the SQL.
join_job() {
local provinces="${1%.json}-provinces.csv"
printf '%s\n' 0,beijing 1,shanghai 2,hangzhou 3,shenzhen 4,jiangxi 5,chongqing 6,xizang > "$provinces"
cat <<SQL
CREATE TABLE payment_msg (
  createTime VARCHAR, orderId BIGINT, payAmount DOUBLE, payPlatform INT, provinceId INT
) WITH ('connector' = 'filesystem', 'path' = '$1', 'format' = 'json');
CREATE TABLE province (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '$provinces', 'format' = 'csv');
CREATE TABLE sink (orderId BIGINT, name STRING, payAmount DOUBLE) WITH ('connector' = 'blackhole');
INSERT INTO sink SELECT p.orderId, d.name, p.payAmount FROM payment_msg AS p JOIN province AS d ON p.provinceId = d.id;
SQL
}
