-- Each format's options, through tables of a few odd lines and table hints that change one option.

-- id: fmt-csv-comments-and-errors
SELECT * FROM quirks;

-- id: fmt-csv-no-comments
SELECT * FROM quirks /*+ OPTIONS('csv.allow-comments' = 'false') */;

-- id: fmt-csv-errors-fail
SELECT * FROM quirks /*+ OPTIONS('csv.ignore-parse-errors' = 'false') */;

-- id: fmt-csv-quote-character
SELECT * FROM quirks /*+ OPTIONS('csv.quote-character' = '''') */;

-- id: fmt-csv-disable-quote
SELECT * FROM quirks /*+ OPTIONS('csv.disable-quote-character' = 'true') */;

-- id: fmt-csv-escape
SELECT * FROM quirks /*+ OPTIONS('csv.escape-character' = '\') */;

-- id: fmt-csv-null-literal-on-quirks
SELECT k, a, a IS NULL, b, b IS NULL FROM quirks /*+ OPTIONS('csv.null-literal' = '') */;

-- id: fmt-csv-default-empty-string
SELECT u, country, country IS NULL, CHAR_LENGTH(country) FROM users;

-- id: fmt-csv-delimiter-array
SELECT k, arr, CARDINALITY(arr), s FROM semi;

-- id: fmt-json-ignore-errors
SELECT * FROM bad;

-- id: fmt-json-errors-fail
SELECT * FROM bad /*+ OPTIONS('json.ignore-parse-errors' = 'false') */;

-- id: fmt-json-fail-on-missing
SELECT * FROM bad /*+ OPTIONS('json.fail-on-missing-field' = 'true') */;

-- id: fmt-json-iso-timestamps
SELECT * FROM iso;

-- id: fmt-json-sql-standard-on-iso
SELECT * FROM iso /*+ OPTIONS('json.timestamp-format.standard' = 'SQL') */;

-- id: fmt-raw-lines
SELECT line, CHAR_LENGTH(line) FROM lines;

-- id: fmt-csv-null-literal-option-on-users
SELECT u, country, country IS NULL FROM users /*+ OPTIONS('csv.null-literal' = '') */;
