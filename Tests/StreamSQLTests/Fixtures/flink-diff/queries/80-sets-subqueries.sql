-- Set operations, subqueries, views of queries, VALUES.

-- id: set-union-all
SELECT u FROM users UNION ALL SELECT u FROM orders WHERE id <= 20;

-- id: set-union
SELECT u FROM users UNION SELECT u FROM orders;

-- id: set-intersect
SELECT u FROM users INTERSECT SELECT u FROM orders;

-- id: set-except
SELECT u FROM users EXCEPT SELECT u FROM orders;

-- id: set-intersect-all
SELECT category FROM orders WHERE id <= 30 INTERSECT ALL SELECT category FROM orders WHERE id BETWEEN 20 AND 50;

-- id: set-except-all
SELECT category FROM orders WHERE id <= 30 EXCEPT ALL SELECT category FROM orders WHERE id BETWEEN 20 AND 50;

-- id: sub-scalar
-- modes: batch
SELECT id, amount, (SELECT MAX(amount) FROM orders) FROM orders WHERE id <= 5;

-- id: sub-scalar-streaming
-- modes: streaming
-- weir refuses: a scalar subquery over rows that update
SELECT id, amount, (SELECT MAX(amount) FROM orders) FROM orders WHERE id <= 5;

-- id: sub-scalar-of-rows
SELECT id, (SELECT name FROM (VALUES ('only')) AS t(name)) FROM orders WHERE id <= 3;

-- id: sub-scalar-correlated
-- weir refuses: (correlated) is not supported
SELECT c.u, (SELECT COUNT(*) FROM orders o WHERE o.u = c.u) FROM users c;

-- id: sub-from
SELECT band, COUNT(*) FROM (SELECT CASE WHEN qty < 0 THEN 'return' WHEN qty = 0 THEN 'none' ELSE 'sale' END AS band FROM orders) GROUP BY band;

-- id: sub-with
WITH big AS (SELECT * FROM orders WHERE amount > 900), counted AS (SELECT u, COUNT(*) AS n FROM big GROUP BY u)
SELECT u, n FROM counted WHERE n > 5;

-- id: sub-in-list-values
SELECT id FROM orders WHERE id IN (SELECT x FROM (VALUES (3), (5), (8)) AS t(x));

-- id: values-alone
SELECT x, y FROM (VALUES (1, 'a'), (2, CAST(NULL AS STRING)), (3, 'c')) AS t(x, y);

-- id: values-types
SELECT x FROM (VALUES (1), (2.5), (-3)) AS t(x);

-- id: where-complex
SELECT id FROM orders WHERE (u = 'alice' OR u = 'bob') AND NOT flag AND qty BETWEEN 2 AND 4 AND status IS NOT NULL AND id < 400;

-- id: where-null-logic
SELECT COUNT(*) FROM orders WHERE status <> 'paid';

-- id: select-star-where
SELECT * FROM users WHERE age > 40;

-- id: select-star-vals
SELECT * FROM vals;

-- id: select-star-events
SELECT id, kind, tags, pos, payload, ts FROM events WHERE id <= 30;

-- id: select-star-orders-nulls
SELECT * FROM orders WHERE u IS NULL OR status IS NULL;
