import Foundation
import SQLSyntax
import SQLValues
import StreamSQL
import Testing

/// Statements, functions, windows and formats through the engine, on small inputs whose
/// answers are worked out by hand.
@Suite struct EngineTests {
    // MARK: Scalar functions

    @Test(arguments: [
        ("1 + 2 * 3", "7"), ("7 / 2", "3"), ("7 % 3", "1"), ("CAST(7.0 / 2 AS DOUBLE)", "3.5"), ("1.25 + 1", "2.25"),
        ("CAST(7 AS DOUBLE) / 2", "3.5"),
        ("'a' || 'b'", "ab"), ("CONCAT('a', 'b', 'c')", "abc"), ("CONCAT_WS('-', 'a', NULL, 'c')", "a-c"),
        ("UPPER('abc')", "ABC"), ("LOWER('ABC')", "abc"), ("CHAR_LENGTH('北京ab')", "4"),
        ("SUBSTRING('hello', 2, 3)", "ell"),
        ("SUBSTRING('hello' FROM 2)", "ello"), ("TRIM('  x  ')", "x"), ("TRIM(LEADING 'x' FROM 'xxyx')", "yx"),
        ("REPLACE('a-b-c', '-', '+')", "a+b+c"), ("REGEXP_EXTRACT('foo123bar', '[0-9]+', 0)", "123"),
        ("SPLIT_INDEX('a,b,c', ',', 1)", "b"), ("POSITION('c' IN 'abc')", "3"),
        ("ABS(-3)", "3"), ("ROUND(2.567, 2)", "2.57"), ("FLOOR(2.7)", "2"), ("CEIL(2.1)", "3"), ("MOD(10, 4)", "2"),
        ("POWER(2, 10)", "1024.0"),
        ("COALESCE(NULL, 'x')", "x"), ("IF(1 < 2, 'yes', 'no')", "yes"), ("NULLIF(1, 1)", "NULL"),
        ("CASE WHEN 1 > 2 THEN 'a' ELSE 'b' END", "b"), ("CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' END", "two"),
        ("3 IN (1, 2, 3)", "TRUE"), ("3 NOT IN (1, 2)", "TRUE"), ("5 BETWEEN 1 AND 10", "TRUE"),
        ("'abc' LIKE 'a_c'", "TRUE"),
        ("'abc' LIKE '%d'", "FALSE"), ("'abcb' SIMILAR TO 'a(b|c)+'", "TRUE"), ("'abd' SIMILAR TO 'a(b|c)+'", "FALSE"),
        ("'a.c' SIMILAR TO 'a.c'", "TRUE"), ("'abc' SIMILAR TO 'a.c'", "FALSE"),
        ("'xyz' NOT SIMILAR TO '%y_'", "FALSE"),
        ("'a%' SIMILAR TO 'a!%' ESCAPE '!'", "TRUE"), ("'ab' SIMILAR TO 'a!%' ESCAPE '!'", "FALSE"),
        ("'aaa' SIMILAR TO 'a{2,3}'", "TRUE"),
        ("ARRAY[10, 20, 30][2]", "20"), ("ARRAY[10, 20][3]", "NULL"), ("ARRAY['a', NULL][2]", "NULL"),
        ("MAP['a', 1, 'b', 2]['b']", "2"),
        ("MAP['a', 1]['z']", "NULL"), ("ARRAY[1, 2.5][1] + 1", "2.0"), ("ROW(1, 'x') IS NOT NULL", "TRUE"),
        ("REGEXP('abc123', '[0-9]+')", "TRUE"), ("REGEXP('abc', '^b')", "FALSE"),
        ("REGEXP_REPLACE('a1b22', '[0-9]+', '#')", "a#b#"), ("NULL IS NULL", "TRUE"), ("1 = NULL", "NULL"),
        ("TRUE OR NULL", "TRUE"), ("FALSE AND NULL", "FALSE"),
        ("TRY_CAST('x' AS INT)", "NULL"), ("CAST('2024-02-29 10:00:00' AS TIMESTAMP(3))", "2024-02-29 10:00:00.000"),
        ("TO_TIMESTAMP('2024-01-01 00:00:05')", "2024-01-01 00:00:05.000"),
        ("TO_TIMESTAMP('01/02/2024', 'dd/MM/yyyy')", "2024-02-01 00:00:00.000"),
        ("DATE_FORMAT(TIMESTAMP '2024-03-04 05:06:07', 'yyyy/MM/dd HH:mm')", "2024/03/04 05:06"),
        ("EXTRACT(HOUR FROM TIMESTAMP '2024-03-04 05:06:07')", "5"), ("EXTRACT(YEAR FROM DATE '2024-03-04')", "2024"),
        ("FLOOR(TIMESTAMP '2024-03-04 05:06:07' TO HOUR)", "2024-03-04 05:00:00"),
        ("CEIL(TIMESTAMP '2024-03-04 05:06:07' TO DAY)", "2024-03-05 00:00:00"),
        ("TIMESTAMP '2024-01-31 00:00:00' + INTERVAL '1' MONTH", "2024-02-29 00:00:00"),
        ("TIMESTAMP '2024-01-01 00:00:10' - INTERVAL '2' SECOND", "2024-01-01 00:00:08"),
        ("TIMESTAMPADD(DAY, 2, TIMESTAMP '2024-12-31 00:00:00')", "2025-01-02 00:00:00"),
        ("TIMESTAMPDIFF(MINUTE, TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-01 01:30:00')", "90"),
        ("FROM_UNIXTIME(0)", "1970-01-01 00:00:00"), ("UNIX_TIMESTAMP('1970-01-02 00:00:00')", "86400"),
        ("JSON_VALUE('{\"a\": {\"b\": [1, 2]}}', '$.a.b[1]')", "2"), ("JSON_VALUE('{\"a\": 1}', '$.x')", "NULL"),
    ])
    func scalarFunctions(expression: String, expected: String) throws {
        let result = try run("SELECT \(expression)")
        #expect(result.lines == [expected], "\(expression)")
    }

    // MARK: Statements

    /// Flink's ALTER TABLE … SET / RESET: the options change for the queries planned after it,
    /// checked as CREATE TABLE checks them.
    @Test func alterTableSetsAndResetsOptions() throws {
        let engine = Engine()
        try run("CREATE TABLE n (x INT) WITH ('connector' = 'datagen', 'number-of-rows' = '5')", engine: engine)
        try run("ALTER TABLE n SET ('number-of-rows' = '3', 'rows-per-second' = '1000')", engine: engine)
        #expect(try run("SELECT COUNT(*) FROM n", engine: engine).lines.last == "3")
        let ddl = try run("SHOW CREATE TABLE n", engine: engine).lines.joined(separator: "\n")
        #expect(ddl.contains("'number-of-rows' = '3'") && ddl.contains("'rows-per-second' = '1000'"), "\(ddl)")
        try run("ALTER TABLE n RESET ('rows-per-second')", engine: engine)
        #expect(!(try run("SHOW CREATE TABLE n", engine: engine).lines.joined().contains("rows-per-second")))
        #expect {
            try run("ALTER TABLE n SET ('number-of-rowz' = '3')", engine: engine)
        } throws: { ($0 as? SQLError)?.message.contains("did you mean 'number-of-rows'") == true }
        #expect(try run("SELECT COUNT(*) FROM n", engine: engine).lines.last == "3", "a refused ALTER changes nothing")
        #expect {
            try run("ALTER TABLE nowhere SET ('a' = 'b')", engine: engine)
        } throws: { ($0 as? SQLError)?.message.contains("unknown table nowhere") == true }
        #expect(throws: SQLError.self) { try run("ALTER TABLE n DROP x", engine: engine) }
    }

    @Test func tablesViewsFunctionsAndDescribe() throws {
        let engine = Engine()
        try run(
            """
            CREATE TABLE orders (
              id BIGINT NOT NULL, amount DOUBLE, created STRING,
              ts AS TO_TIMESTAMP(created),
              WATERMARK FOR ts AS ts - INTERVAL '1' SECOND,
              PRIMARY KEY (id) NOT ENFORCED
            ) WITH ('connector' = 'datagen', 'number-of-rows' = '5');
            CREATE VIEW big AS SELECT id FROM orders WHERE amount > 100;
            CREATE FUNCTION twice(x INT) RETURNS INT AS x * 2;
            """, engine: engine)
        #expect(try run("SHOW TABLES", engine: engine).lines == ["big", "orders"])
        let functions = try run("SHOW FUNCTIONS", engine: engine).lines
        #expect(functions.contains("twice") && functions.contains("DENSE_RANK") && functions.contains("ROW_NUMBER"))
        let described = try run("DESCRIBE orders", engine: engine).lines
        #expect(described[0] == "id|BIGINT|FALSE|PRI(id)|NULL|NULL")
        #expect(described[3] == "ts|TIMESTAMP(3) *ROWTIME*|TRUE|NULL|AS TO_TIMESTAMP(created)|ts - INTERVAL '1' SECOND")
        #expect(try run("SELECT twice(21)", engine: engine).lines == ["42"])
        let plan = try run("EXPLAIN SELECT id FROM big", engine: engine).lines[0]
        #expect(plan.contains("Scan(orders, datagen)") && plan.contains("Filter(amount > 100)"))
        #expect(try run("SELECT COUNT(*) FROM orders", engine: engine).lines.last == "5")
        try run("DROP VIEW big; DROP TABLE orders; DROP FUNCTION twice", engine: engine)
        #expect(try run("SHOW TABLES", engine: engine).lines.isEmpty)
    }

    /// `WHERE rn <= N` (or `rn < N`, `rn = 1`) over ROW_NUMBER: the numbering keeps only the top N.
    @Test func topNKeepsItsTopRowsOnly() throws {
        let engine = Engine()
        try run(
            "CREATE VIEW scores AS SELECT * FROM (VALUES ('a', 5), ('a', 9), ('b', 1), ('a', 7), ('b', 3), ('a', 1)) AS t(k, v)",
            engine: engine)
        func top(_ condition: String) throws -> [String] {
            try run(
                "SELECT k, v, rn FROM (SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM scores) WHERE \(condition)",
                engine: engine
            ).lines.sorted()
        }
        #expect(try top("rn <= 2") == ["a|7|2", "a|9|1", "b|1|2", "b|3|1"])
        #expect(try top("rn < 2") == ["a|9|1", "b|3|1"])
        #expect(try top("1 = rn") == ["a|9|1", "b|3|1"])
        #expect(try top("rn <= 10").count == 6)
        let plan = try run(
            "EXPLAIN SELECT * FROM (SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM scores) WHERE rn <= 2",
            engine: engine
        ).lines.joined()
        #expect(plan.contains("the top 2 of each partition kept"), "\(plan)")
        // A condition on something else leaves the numbering whole.
        #expect(
            !(try run(
                "EXPLAIN SELECT * FROM (SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM scores) WHERE v <= 2",
                engine: engine
            ).lines.joined().contains("kept")))
    }

    /// OVER by processing time: rows go through as they come, each its own (no peers).
    @Test func overAggregatesByProcessingTime() throws {
        let result = try run(
            """
            CREATE TABLE g (v INT, pt AS PROCTIME()) WITH ('connector' = 'datagen', 'number-of-rows' = '5', 'fields.v.min' = '2', 'fields.v.max' = '2');
            SELECT SUM(v) OVER (ORDER BY pt), COUNT(*) OVER (ORDER BY pt) FROM g;
            """)
        #expect(result.lines == ["2|1", "4|2", "6|3", "8|4", "10|5"])
    }

    /// CREATE TABLE ... AS SELECT: the table takes the query's columns (names, types, NOT NULL)
    /// and holds the query's rows; a query its connector cannot write, or a name taken, creates
    /// nothing (no table, no file).
    @Test func createTableAsSelectHoldsTheQuerysRows() throws {
        let folder = scratchFolder.appendingPathComponent(UUID().uuidString).path
        let engine = Engine()
        func failure(_ statement: String) -> String? {
            do {
                try run(statement, engine: engine)
                return nil
            } catch {
                return error.message
            }
        }
        try run(
            """
            CREATE TABLE src (k STRING, v INT) WITH ('connector' = 'datagen', 'fields.k.kind' = 'sequence', 'fields.k.start' = '1',
              'fields.k.end' = '40', 'fields.v.kind' = 'sequence', 'fields.v.start' = '1', 'fields.v.end' = '40')
            """, engine: engine)
        // Refused when planned: nothing is created.
        #expect(
            failure(
                """
                CREATE TABLE totals WITH ('connector' = 'filesystem', 'path' = '\(folder)/totals', 'format' = 'csv')
                  AS SELECT MOD(v, 3), COUNT(*) FROM src GROUP BY MOD(v, 3)
                """)
                == "the filesystem connector writes only insertions, and this query updates its results (a GROUP BY without a window, an outer join, "
                + "a Top-N): write it in 'debezium-json'")
        #expect(!FileManager.default.fileExists(atPath: folder + "/totals"))
        #expect(failure("SELECT * FROM totals") == "unknown table totals")
        try run(
            """
            CREATE TABLE copy WITH ('connector' = 'filesystem', 'path' = '\(folder)/copy', 'format' = 'json')
              AS SELECT v, k, CHAR_LENGTH(k) AS width FROM src WHERE MOD(v, 3) > 0
            """, engine: engine)
        let definition = try run("SHOW CREATE TABLE copy", engine: engine).lines.joined()
        #expect(definition.contains("v INT,\n  k STRING,\n  width INT\n)"), "\(definition)")
        let original = try run("SELECT v, k, CHAR_LENGTH(k) FROM src WHERE MOD(v, 3) > 0", engine: engine).lines
        let copied = try run("SELECT * FROM copy", engine: engine).lines
        #expect(copied.sorted() == original.sorted() && copied.count == 27)
        #expect(
            failure("CREATE TABLE copy WITH ('connector' = 'blackhole') AS SELECT 1")
                == "table copy already exists (DROP TABLE it first, or CREATE TABLE IF NOT EXISTS)")
        #expect(
            try run("CREATE TABLE IF NOT EXISTS copy WITH ('connector' = 'blackhole') AS SELECT 1", engine: engine)
                .messages == ["table copy already exists"])
        #expect(
            failure("CREATE TABLE t (a INT) WITH ('connector' = 'blackhole') AS SELECT 1")
                == "CREATE TABLE ... AS takes its columns from the query: declare none")
        // Printed back as written.
        guard
            case let .createTable(parsed) = try Parser.parseStatement(
                "CREATE TABLE t WITH ('connector' = 'blackhole') AS SELECT a FROM s")
        else {
            Issue.record("not a CREATE TABLE")
            return
        }
        #expect(parsed.description.hasSuffix("\nAS SELECT a FROM s"), "\(parsed.description)")
        guard case let .createTable(again) = try Parser.parseStatement(parsed.description) else { return }
        #expect(again.description == parsed.description)
    }

    /// An aggregate over another's changelog, row by row as it streams, ends with the table
    /// batch mode computes from the final inner results: every update and deletion was taken
    /// back out of the outer groups exactly.
    @Test func aggregatesOverAChangelogEndAsInBatch() throws {
        var generator = SystemRandomNumberGenerator()
        let lines = (0..<3_000).map { number in
            #"{"k": \#(Int.random(in: 0..<60, using: &generator)), "v": \#(Int.random(in: -100...100, using: &generator)), "s": "s\#(number % 7)"}"#
        }
        let path = temporaryFile("changelog.json", lines)
        let table =
            "CREATE TABLE t (k INT, v INT, s STRING) WITH ('connector' = 'filesystem', 'path' = '\(path)', 'format' = 'json');"
        let query = """
            SELECT cnt, COUNT(*), SUM(total), MIN(total), MAX(total), AVG(total), COUNT(DISTINCT total), MIN(first_s), MAX(last_s),
              VAR_POP(total), STDDEV_SAMP(total), VAR_SAMP(CAST(total AS DOUBLE) / 4)
            FROM (SELECT k, COUNT(*) AS cnt, SUM(v) AS total, FIRST_VALUE(s) AS first_s, LAST_VALUE(s) AS last_s FROM t GROUP BY k)
            GROUP BY cnt
            """
        let streaming = try run(table + query)
        #expect(streaming.kinds.contains(.updateBefore) && streaming.kinds.contains(.delete))
        let batch = try run(table + "SET 'execution.runtime-mode' = 'batch';" + query)
        // Exactly, but for the DOUBLE variance: a running variance taken back value by value
        // (Welford's, as Flink's) drifts in the last digits from one computed in one pass.
        let drop = { (line: String) in line.split(separator: "|").dropLast().joined(separator: "|") }
        #expect(streaming.finalTable.map(drop) == batch.lines.sorted().map(drop))
        for (a, b) in zip(streaming.finalTable, batch.lines.sorted()) {
            let x = Double(a.split(separator: "|").last!), y = Double(b.split(separator: "|").last!)
            #expect(x == y || abs(x! - y!) <= 1e-9 * max(1, abs(y!)), "\(a) against \(b)")
        }
        #expect(try run(table + "EXPLAIN " + query).lines.joined().contains("taking back updated rows"))
    }

    /// A Top-N over a changelog (the top 3 keys by count per partition, counts updated as rows
    /// come): rows taken back renumber the rest and let a row past the top N move into it. The
    /// changelog folds to the table batch mode computes from the final counts.
    @Test func topNOverAChangelogEndsAsInBatch() throws {
        var generator = Seeded(42)
        let lines = (0..<4_000).map { _ in #"{"k": \#(Int.random(in: 0..<40, using: &generator))}"# }
        let path = temporaryFile("topn.json", lines)
        let table = "CREATE TABLE t (k INT) WITH ('connector' = 'filesystem', 'path' = '\(path)', 'format' = 'json');"
        var kinds: Set<RowKind> = []
        for limit in ["rn <= 3", "rn = 1", "rn < 100"] {
            let query = """
                SELECT * FROM (SELECT k, cnt, ROW_NUMBER() OVER (PARTITION BY MOD(k, 3) ORDER BY cnt DESC, k) AS rn
                               FROM (SELECT k, COUNT(*) AS cnt FROM t GROUP BY k)) WHERE \(limit)
                """
            let streaming = try run(table + query)
            kinds.formUnion(streaming.kinds)
            let batch = try run(table + "SET 'execution.runtime-mode' = 'batch';" + query)
            #expect(streaming.finalTable == batch.lines.sorted(), "\(limit)")
        }
        // Rows were taken back (deleted from the top N), moved (-U/+U) and moved in (+I).
        #expect(kinds == [.insert, .updateBefore, .updateAfter, .delete])
        #expect(
            try run(
                table
                    + "EXPLAIN SELECT k, ROW_NUMBER() OVER (ORDER BY cnt DESC) FROM (SELECT k, COUNT(*) AS cnt FROM t GROUP BY k)"
            )
            .lines.joined().contains("updated as rows come and go"))
    }

    /// A window with thousands of keys (the group table grows many times), NULL keys as one    /// A window with thousands of keys (the group table grows many times), NULL keys as one
    /// group, and keys of several types.
    @Test func windowGroupsOfManyKeys() throws {
        let rows = 20_000
        let lines = (0..<rows).map { number in
            let key = number % 7 == 0 ? "null" : "\(number % 3001)"
            return
                #"{"ts": "2024-01-01 00:00:0\#(number % 10)", "k": \#(key), "s": "s\#(number % 5)", "v": \#(number)}"#
        }
        let input = temporaryFile("keys.json", lines)
        let engine = Engine()
        try run(
            """
            CREATE TABLE e (ts STRING, k INT, s STRING, v BIGINT, rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt)
              WITH ('connector' = 'filesystem', 'path' = '\(input)', 'format' = 'json')
            """, engine: engine)
        var expected: [String: (count: Int, sum: Int)] = [:]
        for number in 0..<rows {
            let key = number % 7 == 0 ? "NULL" : "\(number % 3001)"
            expected[key, default: (0, 0)].count += 1
            expected[key, default: (0, 0)].sum += number
        }
        let result = try run(
            "SELECT k, COUNT(*), SUM(v) FROM e GROUP BY TUMBLE(rt, INTERVAL '10' SECOND), k", engine: engine
        ).lines
        #expect(result.count == expected.count)
        #expect(Set(result) == Set(expected.map { "\($0.key)|\($0.value.count)|\($0.value.sum)" }))
        // Two keys of different types: each pair of (k mod 3, s) once.
        let pairs = try run(
            "SELECT MOD(k, 3), s, COUNT(*) FROM e WHERE k IS NOT NULL GROUP BY TUMBLE(rt, INTERVAL '10' SECOND), MOD(k, 3), s",
            engine: engine
        ).lines
        #expect(pairs.count == 15)
        #expect(pairs.map { Int($0.split(separator: "|")[2])! }.reduce(0, +) == rows - (rows + 6) / 7)
    }

    @Test func nonWindowedAggregationIsAChangelog() throws {
        let result = try run("SELECT k, SUM(v) AS total FROM (VALUES ('a', 1), ('b', 2)) AS t(k, v) GROUP BY k")
        #expect(result.changelog && result.kinds == [.insert, .insert])
        #expect(Set(result.lines) == ["a|1", "b|2"])
        let global = try run(
            "SELECT COUNT(*), MIN(v), MAX(v), AVG(v), LISTAGG(k) FROM (VALUES ('a', 1), ('b', 4)) AS t(k, v)")
        #expect(global.lines == ["2|1|4|2|a,b"])
    }

    @Test func orderByLimitUnionWithAndDistinct() throws {
        let result = try run(
            """
            WITH t AS (SELECT * FROM (VALUES (3, 'c'), (1, 'a'), (2, 'b'), (1, 'a')) AS v(n, s))
            SELECT DISTINCT n, s FROM t UNION ALL SELECT 9, 'z' ORDER BY n DESC LIMIT 3
            """)
        #expect(result.lines == ["9|z", "3|c", "2|b"])
    }

    // MARK: Windows and watermarks

    /// Events at 0, 1, 2, 6, 7 and 12 s (and 3 s arriving after 7 s, late for 5-second windows
    /// with a 0-second bound); the watermark is the largest time seen.
    static func events() -> String {
        temporaryFile(
            "events.json",
            [0, 1, 2, 6, 7, 3, 12].enumerated().map { index, second in
                "{\"k\": \"\(index % 2 == 0 ? "x" : "y")\", \"ts\": \"2024-01-01 00:00:\(second < 10 ? "0" : "")\(second)\"}"
            })
    }

    static func table(_ path: String) -> String {
        """
        CREATE TABLE e (k STRING, ts STRING, rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt)
          WITH ('connector' = 'filesystem', 'path' = '\(path)', 'format' = 'json');
        """
    }

    @Test func tumbleHopSessionAndCumulate() throws {
        let path = Self.events()
        let tumble = try run(
            Self.table(path)
                + "SELECT TUMBLE_START(rt, INTERVAL '5' SECOND), COUNT(*) FROM e GROUP BY TUMBLE(rt, INTERVAL '5' SECOND)"
        )
        #expect(
            tumble.lines == ["2024-01-01 00:00:00.000|3", "2024-01-01 00:00:05.000|2", "2024-01-01 00:00:10.000|1"])
        #expect(tumble.statistics["late rows dropped"] == 1)

        let hop = try run(
            Self.table(path) + """
                SELECT HOP_END(rt, INTERVAL '5' SECOND, INTERVAL '10' SECOND), COUNT(*) FROM e GROUP BY HOP(rt, INTERVAL '5' SECOND, INTERVAL '10' SECOND)
                """)
        // The late 3 s still counts in [0 s, 10 s), which has not fired yet (Flink drops a row only from windows already fired).
        #expect(
            hop.lines == [
                "2024-01-01 00:00:05.000|3", "2024-01-01 00:00:10.000|6", "2024-01-01 00:00:15.000|3",
                "2024-01-01 00:00:20.000|1",
            ])

        let session = try run(
            Self.table(path) + """
                SELECT SESSION_START(rt, INTERVAL '3' SECOND), SESSION_END(rt, INTERVAL '3' SECOND), COUNT(*) FROM e GROUP BY SESSION(rt, INTERVAL '3' SECOND)
                """)
        #expect(
            session.lines == [
                "2024-01-01 00:00:00.000|2024-01-01 00:00:05.000|3",
                "2024-01-01 00:00:06.000|2024-01-01 00:00:10.000|2",
                "2024-01-01 00:00:12.000|2024-01-01 00:00:15.000|1",
            ])

        // A session's rows in the order they came, DISTINCT or not: x, y, x then y, x.
        let ordered = try run(
            Self.table(path) + """
                SELECT LISTAGG(DISTINCT k), FIRST_VALUE(k), LAST_VALUE(k), COUNT(DISTINCT k) FROM e GROUP BY SESSION(rt, INTERVAL '3' SECOND)
                """)
        #expect(ordered.lines == ["x,y|x|x|2", "y,x|y|x|2", "x|x|x|1"])

        let cumulate = try run(
            Self.table(path) + """
                SELECT window_end, COUNT(*) FROM TABLE(CUMULATE(TABLE e, DESCRIPTOR(rt), INTERVAL '5' SECOND, INTERVAL '10' SECOND))
                GROUP BY window_start, window_end
                """)
        #expect(
            cumulate.lines == [
                "2024-01-01 00:00:05.000|3", "2024-01-01 00:00:10.000|6", "2024-01-01 00:00:15.000|1",
                "2024-01-01 00:00:20.000|1",
            ])
    }

    // MARK: Errors

    @Test func streamingMistakesAreExplained() throws {
        let noWatermark = try #require(
            failure(
                """
                CREATE TABLE t (a INT, ts TIMESTAMP(3)) WITH ('connector' = 'datagen');
                SELECT COUNT(*) FROM t GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE)
                """))
        #expect(
            noWatermark.message.hasPrefix(
                "TUMBLE needs a time attribute, and ts (TIMESTAMP(3)) is not one: declare it with WATERMARK FOR ts"))
        #expect(noWatermark.range?.start.line == 2 && noWatermark.range?.start.column == 40)

        let option = try #require(
            failure("CREATE TABLE t (a INT) WITH ('connector' = 'datagen', 'rows-per-secnd' = '5')"))
        #expect(
            option.message
                == "unknown option 'rows-per-secnd' for the datagen connector; did you mean 'rows-per-second'?")

        let column = try #require(failure("SELECT amout FROM (VALUES (1)) AS t(amount)"))
        #expect(column.message == "unknown column amout; did you mean amount?")

        let grouped = try #require(failure("SELECT k, v FROM (VALUES ('a', 1)) AS t(k, v) GROUP BY k"))
        #expect(grouped.message.hasPrefix("column v is neither grouped nor aggregated"))

        let mismatch = try #require(
            failure(
                """
                CREATE TABLE e (ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen');
                SELECT TUMBLE_START(ts, INTERVAL '2' SECOND) FROM e GROUP BY TUMBLE(ts, INTERVAL '1' SECOND)
                """))
        #expect(mismatch.message.contains("does not match the window in GROUP BY"))

        let watermarkType = try #require(
            failure("CREATE TABLE e (ts STRING, WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen')"))
        #expect(watermarkType.message.contains("event time must be TIMESTAMP(3) or TIMESTAMP_LTZ(3)"))
    }
}
