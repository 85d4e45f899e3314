-- Top-N and deduplication.

-- id: topn-per-category
SELECT * FROM (SELECT id, category, amount, ROW_NUMBER() OVER (PARTITION BY category ORDER BY amount DESC) AS rn FROM orders) WHERE rn <= 3;

-- id: topn-global
SELECT id, amount FROM (SELECT id, amount, ROW_NUMBER() OVER (ORDER BY amount DESC, id) AS rn FROM orders) WHERE rn <= 5;

-- id: topn-no-rank-column
-- upsert key: 1
SELECT id, u FROM (SELECT id, u, ROW_NUMBER() OVER (PARTITION BY u ORDER BY price ASC) AS rn FROM orders) WHERE rn = 1;

-- id: topn-of-aggregate
SELECT * FROM (SELECT u, n, ROW_NUMBER() OVER (ORDER BY n DESC) AS rn FROM (SELECT u, COUNT(*) AS n FROM orders GROUP BY u)) WHERE rn <= 3;

-- id: topn-rank
SELECT * FROM (SELECT id, qty, RANK() OVER (PARTITION BY category ORDER BY qty DESC) AS r FROM orders) WHERE r <= 2;

-- id: topn-dense-rank
SELECT * FROM (SELECT id, qty, DENSE_RANK() OVER (PARTITION BY category ORDER BY qty DESC) AS r FROM orders) WHERE r <= 2;

-- id: dedup-first
SELECT id, u, ts FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY u ORDER BY ts ASC) AS rn FROM orders) WHERE rn = 1;

-- id: dedup-last
SELECT id, u FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY u ORDER BY ts DESC) AS rn FROM orders) WHERE rn = 1;

-- id: topn-window
SELECT * FROM (
  SELECT window_start, category, n, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY n DESC, category) AS rn
  FROM (SELECT window_start, window_end, category, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '30' MINUTE))
        GROUP BY window_start, window_end, category))
WHERE rn <= 2;

-- id: order-limit
SELECT id, amount FROM orders ORDER BY amount DESC, id LIMIT 7;

-- id: order-limit-offset
SELECT id FROM orders ORDER BY id LIMIT 5 OFFSET 10;

-- id: order-aggregate-limit
SELECT category, COUNT(*) AS n FROM orders GROUP BY category ORDER BY n DESC LIMIT 2;

-- id: limit-only-count
SELECT COUNT(*) FROM (SELECT id FROM orders ORDER BY ts LIMIT 100);
