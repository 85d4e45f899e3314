-- Joins: each kind, with NULL keys and keys on one side only.

-- id: join-inner
SELECT o.id, o.u, c.country FROM orders o JOIN users c ON o.u = c.u WHERE o.id <= 100;

-- id: join-left
SELECT o.id, o.u, c.country, c.age FROM orders o LEFT JOIN users c ON o.u = c.u WHERE o.id <= 120;

-- id: join-right
SELECT c.u, c.country, o.id FROM orders o RIGHT JOIN users c ON o.u = c.u AND o.id <= 30;

-- id: join-full
SELECT o.id, c.u FROM (SELECT * FROM orders WHERE id <= 40) o FULL JOIN users c ON o.u = c.u;

-- id: join-aggregate
SELECT c.country, COUNT(*), SUM(o.amount) FROM orders o JOIN users c ON o.u = c.u GROUP BY c.country;

-- id: join-left-aggregate-nulls
SELECT c.vip, COUNT(o.id), COUNT(*) FROM orders o LEFT JOIN users c ON o.u = c.u GROUP BY c.vip;

-- id: join-right-aggregate
SELECT c.u, COUNT(o.id) FROM orders o RIGHT JOIN users c ON o.u = c.u GROUP BY c.u;

-- id: join-full-aggregate
SELECT COALESCE(o.u, c.u), COUNT(o.id), MAX(c.age) FROM orders o FULL JOIN users c ON o.u = c.u GROUP BY COALESCE(o.u, c.u);

-- id: join-non-equi-condition
SELECT o.id, c.u FROM orders o JOIN users c ON o.u = c.u AND o.qty > c.age / 10 WHERE o.id <= 150;

-- id: join-comma-where
SELECT o.id, c.country FROM orders o, users c WHERE o.u = c.u AND o.id BETWEEN 10 AND 40;

-- id: join-self
SELECT a.id, b.id FROM orders a JOIN orders b ON a.id = b.id - 1 WHERE a.id <= 20;

-- id: join-three-tables
SELECT o.id, c.country, v.s FROM orders o JOIN users c ON o.u = c.u JOIN vals v ON o.qty = v.n WHERE o.id <= 200;

-- id: join-interval
SELECT a.id, b.id FROM orders a JOIN orders b ON a.u = b.u AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '30' SECOND
WHERE a.id < b.id AND a.id <= 300;

-- id: join-interval-left
SELECT a.id, b.id FROM orders a LEFT JOIN orders b ON a.u = b.u AND a.id < b.id AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '10' SECOND
WHERE a.id <= 100;

-- id: join-using
SELECT u, country, id FROM orders JOIN users USING (u) WHERE id <= 50;

-- id: join-semi-in
SELECT id, u FROM orders WHERE u IN (SELECT u FROM users WHERE vip) AND id <= 200;

-- id: join-anti-not-in
SELECT COUNT(*) FROM orders WHERE u NOT IN (SELECT u FROM users WHERE country = 'US');

-- id: join-exists
SELECT c.u FROM users c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.u = c.u AND o.qty = 10);

-- id: join-not-exists
SELECT c.u FROM users c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.u = c.u);

-- id: join-window
SELECT a.window_start, a.u, a.n, b.n
FROM (SELECT window_start, window_end, u, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '30' MINUTE)) GROUP BY window_start, window_end, u) a
JOIN (SELECT window_start, window_end, u, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '30' MINUTE)) WHERE flag GROUP BY window_start, window_end, u) b
ON a.window_start = b.window_start AND a.window_end = b.window_end AND a.u = b.u;
