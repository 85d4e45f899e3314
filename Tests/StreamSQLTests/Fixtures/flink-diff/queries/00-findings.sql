-- The four findings of issue 27, first.

-- id: finding-left-join-group-count
SELECT COALESCE(o.u, '-'), COALESCE(c.country, '<null>'), COUNT(*)
FROM orders o LEFT JOIN users c ON o.u = c.u
GROUP BY o.u, c.country;

-- id: finding-null-literal-counts
SELECT COUNT(u), COUNT(DISTINCT u), COUNT(*), COUNT(status) FROM orders;

-- id: finding-null-literal-coalesce
SELECT id, COALESCE(u, 'nobody'), u IS NULL FROM orders WHERE id <= 60;

-- id: finding-null-literal-join
SELECT o.u, COUNT(*) FROM orders o JOIN users c ON o.u = c.u GROUP BY o.u;

-- id: finding-timestamp-cast
SELECT DISTINCT CAST(FLOOR(ts TO HOUR) AS STRING) FROM orders;

-- id: finding-window-start-cast
SELECT CAST(window_start AS STRING), CAST(window_end AS STRING), COUNT(*)
FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTE))
GROUP BY window_start, window_end;

-- id: finding-concat-timestamp
SELECT DISTINCT CONCAT('at ', CAST(FLOOR(ts TO HOUR) AS STRING)) FROM orders;

-- id: finding-order-by-aggregate-limit
SELECT u, SUM(amount) FROM orders WHERE u IS NOT NULL GROUP BY u ORDER BY SUM(amount) DESC LIMIT 3;

-- id: finding-over-in-expression
SELECT id, CAST(LAG(amount, 1) OVER (PARTITION BY u ORDER BY ts) AS STRING) FROM orders WHERE id <= 200;
