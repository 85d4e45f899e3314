-- Windows: the table functions and the group windows, with their columns.

-- id: win-tumble-tvf
SELECT window_start, window_end, COUNT(*), SUM(amount) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTE))
GROUP BY window_start, window_end;

-- id: win-tumble-tvf-keyed
SELECT window_start, category, COUNT(*), MAX(price) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '30' MINUTE))
GROUP BY window_start, window_end, category;

-- id: win-tumble-window-time
SELECT window_time, COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' HOUR)) GROUP BY window_start, window_end, window_time;

-- id: win-hop-tvf
SELECT window_start, window_end, COUNT(*) FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTE, INTERVAL '30' MINUTE))
GROUP BY window_start, window_end;

-- id: win-cumulate-tvf
SELECT window_start, window_end, SUM(qty) FROM TABLE(CUMULATE(TABLE orders, DESCRIPTOR(ts), INTERVAL '20' MINUTE, INTERVAL '1' HOUR))
GROUP BY window_start, window_end;

-- id: win-session-tvf
SELECT window_start, window_end, u, COUNT(*) FROM TABLE(SESSION(TABLE orders PARTITION BY u, DESCRIPTOR(ts), INTERVAL '2' MINUTE))
WHERE u IN ('alice', 'bob') GROUP BY window_start, window_end, u;

-- id: win-tvf-rows
SELECT id, window_start, window_end FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '15' MINUTE)) WHERE id <= 50;

-- id: win-tvf-hop-rows
SELECT id, window_start FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '5' MINUTE, INTERVAL '15' MINUTE)) WHERE id <= 20;

-- id: win-group-tumble
SELECT TUMBLE_START(ts, INTERVAL '10' MINUTE), TUMBLE_END(ts, INTERVAL '10' MINUTE), COUNT(*) FROM orders
GROUP BY TUMBLE(ts, INTERVAL '10' MINUTE);

-- id: win-group-tumble-rowtime
SELECT u, TUMBLE_ROWTIME(ts, INTERVAL '30' MINUTE), SUM(qty) FROM orders GROUP BY TUMBLE(ts, INTERVAL '30' MINUTE), u;

-- id: win-group-hop
SELECT HOP_START(ts, INTERVAL '15' MINUTE, INTERVAL '45' MINUTE), HOP_END(ts, INTERVAL '15' MINUTE, INTERVAL '45' MINUTE), COUNT(*)
FROM orders GROUP BY HOP(ts, INTERVAL '15' MINUTE, INTERVAL '45' MINUTE);

-- id: win-group-session
SELECT u, SESSION_START(ts, INTERVAL '3' MINUTE), SESSION_END(ts, INTERVAL '3' MINUTE), COUNT(*) FROM orders
WHERE u = 'carol' GROUP BY SESSION(ts, INTERVAL '3' MINUTE), u;

-- id: win-distinct-agg
SELECT window_start, COUNT(DISTINCT u), COUNT(DISTINCT category) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '20' MINUTE))
GROUP BY window_start, window_end;

-- id: win-filter-agg
-- ulps: 1
SELECT window_start, COUNT(*) FILTER (WHERE flag), AVG(price) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '20' MINUTE))
GROUP BY window_start, window_end;

-- id: win-cast-to-string
SELECT CONCAT(CAST(window_start AS STRING), ' / ', CAST(window_end AS STRING)) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' HOUR))
GROUP BY window_start, window_end;

-- id: win-grouping-sets
SELECT window_start, category, COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' HOUR))
GROUP BY window_start, window_end, GROUPING SETS ((category), ());

-- id: win-events-json
SELECT window_start, kind, COUNT(*) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' MINUTE)) GROUP BY window_start, window_end, kind;
