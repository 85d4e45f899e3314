-- JSON text, nested rows, arrays and maps from a JSON table; UNNEST.

-- id: json-value-paths
SELECT id, JSON_VALUE(payload, '$.user'), JSON_VALUE(payload, '$.score' RETURNING DOUBLE), JSON_VALUE(payload, '$.meta.depth' RETURNING INT) FROM events;

-- id: json-value-missing
SELECT id, JSON_VALUE(payload, 'lax $.nothere'), JSON_VALUE(payload, '$.items[0]'), JSON_VALUE(payload, '$.meta.ok') FROM events;

-- id: json-value-default
SELECT id, JSON_VALUE(payload, '$.score' RETURNING INT DEFAULT -1 ON ERROR), JSON_VALUE(payload, 'lax $.x' DEFAULT 'none' ON EMPTY) FROM events;

-- id: json-query
SELECT id, JSON_QUERY(payload, '$.items'), JSON_QUERY(payload, '$.meta'), JSON_QUERY(payload, '$.items' WITH WRAPPER) FROM events;

-- id: json-exists
SELECT id, JSON_EXISTS(payload, '$.meta'), JSON_EXISTS(payload, '$.items[1]'), payload IS JSON, payload IS JSON OBJECT FROM events;

-- id: row-fields
SELECT id, pos.x, pos.y, pos.x + pos.y FROM events;

-- id: array-index
SELECT id, tags[1], tags[2], CARDINALITY(tags) FROM events;

-- id: map-access
-- (a map's entries have no order: keys and sizes are compared, not a map's text)
SELECT id, attrs['k0'], attrs['k1'], CARDINALITY(attrs) FROM events;

-- id: array-functions-events
SELECT id, ARRAY_CONTAINS(tags, 't1'), ARRAY_JOIN(tags, ','), ARRAY_DISTINCT(tags) FROM events;

-- id: map-functions-events
SELECT id, CARDINALITY(MAP_KEYS(attrs)), ARRAY_CONTAINS(MAP_KEYS(attrs), 'k0'), ARRAY_CONTAINS(MAP_VALUES(attrs), 'v1') FROM events;

-- id: unnest-array
SELECT e.id, t.tag FROM events e CROSS JOIN UNNEST(e.tags) AS t (tag) WHERE e.id <= 60;

-- id: unnest-ordinality
SELECT e.id, t.tag, t.pos FROM events e CROSS JOIN UNNEST(e.tags) WITH ORDINALITY AS t (tag, pos) WHERE e.id <= 60;

-- id: unnest-map
SELECT e.id, m.k, m.v FROM events e CROSS JOIN UNNEST(e.attrs) AS m (k, v) WHERE e.id <= 80;

-- id: unnest-left
SELECT e.id, t.tag FROM events e LEFT JOIN UNNEST(e.tags) AS t (tag) ON TRUE WHERE e.id <= 30;

-- id: unnest-aggregate
SELECT t.tag, COUNT(*) FROM events e CROSS JOIN UNNEST(e.tags) AS t (tag) GROUP BY t.tag;

-- id: json-aggregate-by-user
SELECT JSON_VALUE(payload, '$.user'), COUNT(*), SUM(JSON_VALUE(payload, '$.score' RETURNING DOUBLE)) FROM events GROUP BY JSON_VALUE(payload, '$.user');

-- id: cast-collections
SELECT id, CAST(tags AS STRING), CAST(pos AS STRING), CAST(MAP['k', id] AS STRING) FROM events WHERE id <= 40;

-- id: json-object-nested
SELECT id, JSON_OBJECT('id' VALUE id, 'tags' VALUE tags, 'pos' VALUE JSON_OBJECT('x' VALUE pos.x)) FROM events WHERE id <= 20;

-- id: json-string-collections
SELECT id, JSON_STRING(tags), JSON_STRING(attrs), JSON_STRING(pos) FROM events WHERE id <= 20;
