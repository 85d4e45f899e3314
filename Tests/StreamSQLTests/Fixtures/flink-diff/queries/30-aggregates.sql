-- Aggregates: every one Weir has, with DISTINCT and FILTER, over groups and over all rows.

-- id: agg-count
SELECT COUNT(*), COUNT(u), COUNT(status), COUNT(1) FROM orders;

-- id: agg-sum-types
SELECT SUM(qty), SUM(amount), SUM(price), SUM(id) FROM orders;

-- id: agg-avg-types
SELECT AVG(qty), AVG(amount), AVG(price), AVG(id) FROM orders;

-- id: agg-min-max
SELECT MIN(amount), MAX(amount), MIN(u), MAX(u), MIN(ts), MAX(ts), MIN(flag), MAX(flag) FROM orders;

-- id: agg-by-user
SELECT u, COUNT(*), SUM(amount), AVG(price), MIN(qty), MAX(qty) FROM orders GROUP BY u;

-- id: agg-by-two-keys
SELECT category, status, COUNT(*), SUM(qty) FROM orders GROUP BY category, status;

-- id: agg-having
SELECT u, COUNT(*) AS n FROM orders GROUP BY u HAVING COUNT(*) > 240;

-- id: agg-having-sum
SELECT category, SUM(amount) FROM orders GROUP BY category HAVING SUM(amount) > 240000 AND MIN(qty) < 0;

-- id: agg-count-distinct
SELECT category, COUNT(DISTINCT u), COUNT(DISTINCT status), COUNT(DISTINCT qty) FROM orders GROUP BY category;

-- id: agg-sum-distinct
SELECT SUM(DISTINCT qty), AVG(DISTINCT qty), MIN(DISTINCT qty) FROM orders;

-- id: agg-filter
SELECT category, COUNT(*) FILTER (WHERE flag), SUM(amount) FILTER (WHERE status = 'paid'), COUNT(DISTINCT u) FILTER (WHERE qty > 5)
FROM orders GROUP BY category;

-- id: agg-stddev-var
-- ulps: 1
SELECT category, STDDEV_POP(price), STDDEV_SAMP(price), VAR_POP(qty), VAR_SAMP(qty) FROM orders GROUP BY category;

-- id: agg-stddev-decimal
SELECT STDDEV_POP(amount), VAR_SAMP(amount) FROM orders;

-- id: agg-listagg
-- (the order of LISTAGG's values is not defined: their lengths are compared)
SELECT status, CHAR_LENGTH(LISTAGG(DISTINCT category)), CHAR_LENGTH(LISTAGG(category)) FROM orders GROUP BY status;

-- id: agg-listagg-separator
SELECT u, CHAR_LENGTH(LISTAGG(DISTINCT status, ';')), CHAR_LENGTH(LISTAGG(status, '--')) FROM orders WHERE u IS NOT NULL GROUP BY u;

-- id: agg-listagg-arrival-order
-- modes: streaming
SELECT category, LISTAGG(u) FROM orders WHERE id <= 40 GROUP BY category;

-- id: agg-first-last-value
-- modes: streaming
SELECT id / 100, FIRST_VALUE(u), LAST_VALUE(u) FROM orders WHERE id <= 400 GROUP BY id / 100;

-- id: agg-expression-keys
SELECT qty * 2, flag, COUNT(*) FROM orders GROUP BY qty * 2, flag;

-- id: agg-case-key
SELECT CASE WHEN amount > 500 THEN 'high' ELSE 'low' END AS band, COUNT(*), MAX(amount) FROM orders GROUP BY CASE WHEN amount > 500 THEN 'high' ELSE 'low' END;

-- id: agg-empty-input
SELECT COUNT(*), SUM(qty), MAX(u) FROM orders WHERE id < 0;

-- id: agg-empty-input-grouped
SELECT u, COUNT(*) FROM orders WHERE id < 0 GROUP BY u;

-- id: agg-nulls-only
SELECT SUM(i), AVG(d), MIN(s), COUNT(s) FROM vals WHERE n = 6;

-- id: agg-grouping-sets
SELECT category, status, COUNT(*) FROM orders GROUP BY GROUPING SETS ((category, status), (category), ());

-- id: agg-rollup
SELECT category, flag, SUM(qty) FROM orders GROUP BY ROLLUP (category, flag);

-- id: agg-cube
SELECT category, flag, COUNT(*) FROM orders GROUP BY CUBE (category, flag);

-- id: agg-grouping-function
SELECT category, flag, GROUPING(category), GROUPING(flag), COUNT(*) FROM orders GROUP BY CUBE (category, flag);

-- id: agg-distinct-rows
SELECT DISTINCT category, status FROM orders;

-- id: agg-distinct-expression
SELECT DISTINCT qty % 3, flag FROM orders;

-- id: agg-over-aggregate
-- weir refuses: in a grouped query
SELECT u, n, n * 100 / total FROM (SELECT u, COUNT(*) AS n, SUM(COUNT(*)) OVER () AS total FROM orders GROUP BY u);

-- id: agg-nested-group
SELECT n, COUNT(*) FROM (SELECT u, COUNT(*) AS n FROM orders GROUP BY u) GROUP BY n;

-- id: agg-sum-of-changelog
SELECT SUM(n), COUNT(*), MAX(n) FROM (SELECT category, COUNT(*) AS n FROM orders GROUP BY category);

-- id: agg-avg-integer-division
SELECT u, AVG(qty), SUM(qty) / COUNT(qty) FROM orders GROUP BY u;

-- id: agg-decimal-precision
SELECT SUM(amount * qty), AVG(amount * 1.5), MAX(amount / 3) FROM orders;

-- id: agg-min-max-strings-dates
SELECT category, MIN(ts), MAX(ts), MIN(status), MAX(status) FROM orders GROUP BY category;

-- id: agg-count-distinct-multiple
SELECT COUNT(DISTINCT u, category) FROM orders;

-- id: agg-variance-small
SELECT k, VAR_POP(v), VAR_SAMP(v), STDDEV_POP(v), STDDEV_SAMP(v), VAR_POP(CAST(v AS DOUBLE)), VAR_SAMP(CAST(v AS DOUBLE)),
       STDDEV_POP(CAST(v AS DOUBLE)), STDDEV_SAMP(CAST(v AS DOUBLE))
FROM (VALUES ('a', 1), ('a', 2), ('a', 4), ('b', 5), ('b', CAST(NULL AS INT))) AS t(k, v) GROUP BY k;

-- id: agg-variance-decimal
SELECT category, VAR_POP(amount), STDDEV_SAMP(amount) FROM orders GROUP BY category;
