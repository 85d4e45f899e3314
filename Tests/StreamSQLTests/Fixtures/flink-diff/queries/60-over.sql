-- OVER aggregates: frames of rows and of time, partitioned or not, and LAG.

-- id: over-rows-running
SELECT id, SUM(qty) OVER (PARTITION BY u ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM orders WHERE id <= 300;

-- id: over-rows-bounded
SELECT id, AVG(price) OVER (PARTITION BY category ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM orders WHERE id <= 300;

-- id: over-range-interval
SELECT id, COUNT(*) OVER (PARTITION BY u ORDER BY ts RANGE BETWEEN INTERVAL '10' MINUTE PRECEDING AND CURRENT ROW) FROM orders WHERE id <= 300;

-- id: over-unpartitioned
SELECT id, MAX(amount) OVER (ORDER BY ts ROWS BETWEEN 5 PRECEDING AND CURRENT ROW) FROM orders WHERE id <= 100;

-- id: over-several
SELECT id, COUNT(*) OVER w, SUM(amount) OVER w, MIN(qty) OVER w FROM orders WHERE id <= 200
WINDOW w AS (PARTITION BY flag ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW);

-- id: over-lag
SELECT id, LAG(qty) OVER (PARTITION BY u ORDER BY ts), LAG(qty, 2, -99) OVER (PARTITION BY u ORDER BY ts) FROM orders WHERE id <= 200;

-- id: over-in-expression
SELECT id, qty - LAG(qty, 1, 0) OVER (PARTITION BY u ORDER BY ts) FROM orders WHERE id <= 200;

-- id: over-row-number
SELECT id, ROW_NUMBER() OVER (PARTITION BY u ORDER BY ts) FROM orders WHERE id <= 100;
