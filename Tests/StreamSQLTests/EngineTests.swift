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
        ("1 + 2 * 3", "7"), ("7 / 2", "3"), ("7 % 3", "1"), ("CAST(7.0 / 2 AS DOUBLE)", "3.5"), ("1.25 + 1", "2.25"), ("CAST(7 AS DOUBLE) / 2", "3.5"),
        ("'a' || 'b'", "ab"), ("CONCAT('a', 'b', 'c')", "abc"), ("CONCAT_WS('-', 'a', NULL, 'c')", "a-c"),
        ("UPPER('abc')", "ABC"), ("LOWER('ABC')", "abc"), ("CHAR_LENGTH('北京ab')", "4"), ("SUBSTRING('hello', 2, 3)", "ell"),
        ("SUBSTRING('hello' FROM 2)", "ello"), ("TRIM('  x  ')", "x"), ("TRIM(LEADING 'x' FROM 'xxyx')", "yx"),
        ("REPLACE('a-b-c', '-', '+')", "a+b+c"), ("REGEXP_EXTRACT('foo123bar', '[0-9]+', 0)", "123"),
        ("SPLIT_INDEX('a,b,c', ',', 1)", "b"), ("POSITION('c' IN 'abc')", "3"),
        ("ABS(-3)", "3"), ("ROUND(2.567, 2)", "2.57"), ("FLOOR(2.7)", "2"), ("CEIL(2.1)", "3"), ("MOD(10, 4)", "2"), ("POWER(2, 10)", "1024.0"),
        ("COALESCE(NULL, 'x')", "x"), ("IF(1 < 2, 'yes', 'no')", "yes"), ("NULLIF(1, 1)", "NULL"),
        ("CASE WHEN 1 > 2 THEN 'a' ELSE 'b' END", "b"), ("CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' END", "two"),
        ("3 IN (1, 2, 3)", "TRUE"), ("3 NOT IN (1, 2)", "TRUE"), ("5 BETWEEN 1 AND 10", "TRUE"), ("'abc' LIKE 'a_c'", "TRUE"),
        ("'abc' LIKE '%d'", "FALSE"), ("'abcb' SIMILAR TO 'a(b|c)+'", "TRUE"), ("'abd' SIMILAR TO 'a(b|c)+'", "FALSE"),
        ("'a.c' SIMILAR TO 'a.c'", "TRUE"), ("'abc' SIMILAR TO 'a.c'", "FALSE"), ("'xyz' NOT SIMILAR TO '%y_'", "FALSE"),
        ("'a%' SIMILAR TO 'a!%' ESCAPE '!'", "TRUE"), ("'ab' SIMILAR TO 'a!%' ESCAPE '!'", "FALSE"), ("'aaa' SIMILAR TO 'a{2,3}'", "TRUE"),
        ("ARRAY[10, 20, 30][2]", "20"), ("ARRAY[10, 20][3]", "NULL"), ("ARRAY['a', NULL][2]", "NULL"), ("MAP['a', 1, 'b', 2]['b']", "2"),
        ("MAP['a', 1]['z']", "NULL"), ("ARRAY[1, 2.5][1] + 1", "2.0"), ("ROW(1, 'x') IS NOT NULL", "TRUE"),
        ("REGEXP('abc123', '[0-9]+')", "TRUE"), ("REGEXP('abc', '^b')", "FALSE"), ("REGEXP_REPLACE('a1b22', '[0-9]+', '#')", "a#b#"), ("NULL IS NULL", "TRUE"), ("1 = NULL", "NULL"), ("TRUE OR NULL", "TRUE"), ("FALSE AND NULL", "FALSE"),
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

    @Test func tablesViewsFunctionsAndDescribe() throws {
        let engine = Engine()
        try run("""
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

    @Test func joinsPairTheRowsOfTheirInputs() throws {
        let orders = temporaryFile("orders.json", [
            #"{"id": 1, "province": 0, "amount": 10}"#, #"{"id": 2, "province": 1, "amount": 20}"#,
            #"{"id": 3, "province": 0, "amount": 5}"#, #"{"id": 4, "province": 9, "amount": 1}"#, #"{"id": 5, "amount": 7}"#,
        ])
        let provinces = temporaryFile("provinces.csv", ["0,beijing", "1,shanghai", "2,hangzhou"])
        let engine = Engine()
        try run("""
            CREATE TABLE orders (id INT, province INT, amount INT) WITH ('connector' = 'filesystem', 'path' = '\(orders)', 'format' = 'json');
            CREATE TABLE provinces (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '\(provinces)', 'format' = 'csv');
            """, engine: engine)
        // Equal keys pair rows (an order without a province, or with an unknown one, pairs with none).
        #expect(try run("SELECT o.id, p.name, o.amount FROM orders AS o JOIN provinces AS p ON o.province = p.id", engine: engine).lines.sorted()
            == ["1|beijing|10", "2|shanghai|20", "3|beijing|5"])
        // The rest of the condition decides too; the right side first; an aggregate over the join.
        #expect(try run("SELECT p.name, o.id FROM provinces p JOIN orders o ON p.id = o.province AND o.amount > 5", engine: engine).lines.sorted()
            == ["beijing|1", "shanghai|2"])
        #expect(try run("SELECT COUNT(*) FROM orders CROSS JOIN provinces", engine: engine).lines.last == "15")
        #expect(try run("SELECT COUNT(*) FROM orders o JOIN provinces p ON o.amount > p.id * 10", engine: engine).lines.last == "6",
                "without equal columns, every pair is tried: all five amounts > 0, and 20 > 10")
        do {
            _ = try run("SELECT id FROM orders JOIN provinces ON province = provinces.id", engine: engine)
            Issue.record("an ambiguous column was accepted")
        } catch {
            #expect(error.message == "column id is ambiguous: qualify it with its table")
        }
        do {
            _ = try run("""
                CREATE TABLE timed (id INT, ts STRING, rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt)
                  WITH ('connector' = 'filesystem', 'path' = '\(orders)', 'format' = 'json');
                SELECT COUNT(*) FROM timed JOIN provinces p ON timed.id = p.id GROUP BY TUMBLE(rt, INTERVAL '5' SECOND);
                """, engine: engine)
            Issue.record("a window over a join's rows was accepted")
        } catch {
            #expect(error.message.hasPrefix("TUMBLE needs a time attribute, and rt is not one here: a regular join's rows come in no order of time"))
        }
        // Outer joins: an unmatched row padded with NULLs, taken back (-D) when its match comes.
        func final(_ query: String) throws -> [String] { try run(query, engine: engine).finalTable }
        #expect(try final("SELECT o.id, p.name FROM orders o LEFT JOIN provinces p ON o.province = p.id")
            == ["1|beijing", "2|shanghai", "3|beijing", "4|NULL", "5|NULL"])
        #expect(try final("SELECT p.name, o.id FROM orders o RIGHT JOIN provinces p ON o.province = p.id")
            == ["beijing|1", "beijing|3", "hangzhou|NULL", "shanghai|2"])
        #expect(try final("SELECT o.id, p.name FROM orders o FULL JOIN provinces p ON o.province = p.id AND o.amount > 5")
            == ["1|beijing", "2|shanghai", "3|NULL", "4|NULL", "5|NULL", "NULL|hangzhou"])
        let changes = try run("SELECT o.id, p.name FROM orders o LEFT JOIN provinces p ON o.province = p.id", engine: engine)
        #expect(changes.changelog && changes.kinds.contains(.delete), "the orders come first, each alone until its province")
    }

    /// Interval joins on files, checked pair for pair against a nested loop over the same rows:
    /// the bounds in their several forms (BETWEEN, two comparisons, strict ones, the sides
    /// swapped), rows arriving up to a second out of order (within the 2 s watermark bound).
    @Test func intervalJoinsGiveThePairsWithinTheirBounds() throws {
        var generator = SystemRandomNumberGenerator()
        let start = try #require(ValueParser.parse("2024-01-01 00:00:00", as: .timestamp(3))?.timestampMicros)
        func text(_ millis: Int64) -> String { ValueFormatter.plain(.timestamp(start + millis * 1000)) }
        func shown(_ millis: Int64) -> String { ValueFormatter.display(.timestamp(start + millis * 1000), type: .timestamp(3)) }
        /// Rows in order of time, each moved by up to 900 ms.
        func shuffledSlightly<T>(_ rows: [(millis: Int64, row: T)]) -> [(millis: Int64, row: T)] {
            rows.map { ($0, Int64.random(in: 0...900, using: &generator)) }.sorted { $0.0.millis + $0.1 < $1.0.millis + $1.1 }.map(\.0)
        }
        let orders = shuffledSlightly((0..<2000).map { _ in (Int64.random(in: 0...600_000, using: &generator), Int.random(in: 0..<300, using: &generator)) })
        let shipments = shuffledSlightly((0..<2000).map { _ in
            let order = orders[Int.random(in: 0..<orders.count, using: &generator)]
            return (order.millis + Int64.random(in: -3000...15000, using: &generator), order.row)
        })
        let engine = Engine()
        try run("""
            CREATE TABLE orders (id INT, ts STRING, rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt - INTERVAL '2' SECOND)
              WITH ('connector' = 'filesystem', 'path' = '\(temporaryFile("orders.json", orders.map { #"{"id": \#($0.row), "ts": "\#(text($0.millis))"}"# }))', 'format' = 'json');
            CREATE TABLE shipments (order_id INT, ts STRING, st AS TO_TIMESTAMP(ts), WATERMARK FOR st AS st - INTERVAL '2' SECOND)
              WITH ('connector' = 'filesystem', 'path' = '\(temporaryFile("shipments.json", shipments.map { #"{"order_id": \#($0.row), "ts": "\#(text($0.millis))"}"# }))', 'format' = 'json');
            """, engine: engine)
        func expected(_ bounds: ClosedRange<Int64>) -> [String] {
            var pairs: [String] = []
            for order in orders {
                for shipment in shipments where shipment.row == order.row && bounds.contains(shipment.millis - order.millis) {
                    pairs.append("\(order.row)|\(shown(order.millis))|\(shown(shipment.millis))")
                }
            }
            return pairs.sorted()
        }
        let forms: [(String, ClosedRange<Int64>)] = [
            ("o.id = s.order_id AND s.st BETWEEN o.rt AND o.rt + INTERVAL '10' SECOND", 0...10_000),
            ("o.id = s.order_id AND o.rt BETWEEN s.st - INTERVAL '10' SECOND AND s.st", 0...10_000),
            ("s.order_id = o.id AND s.st > o.rt - INTERVAL '2' SECOND AND s.st < o.rt + INTERVAL '5' SECOND", -1_999...4_999),
            ("o.id = s.order_id AND o.rt >= s.st AND o.rt <= s.st + INTERVAL '3' SECOND", -3_000...0),
        ]
        for (condition, bounds) in forms {
            let query = "SELECT o.id, o.rt, s.st FROM orders o JOIN shipments s ON \(condition)"
            let result = try run(query, engine: engine)
            #expect(!result.changelog)
            let want = expected(bounds)
            let missing = Set(want).subtracting(result.lines), extra = Set(result.lines).subtracting(want)
            #expect(result.lines.count == want.count && missing.isEmpty && extra.isEmpty,
                    "\(condition): \(result.lines.count) pairs, \(want.count) expected; missing \(missing.prefix(3)), extra \(extra.prefix(3))")
            let plan = try run("EXPLAIN " + query, engine: engine).lines.joined()
            #expect(plan.contains("IntervalJoin("), "\(plan)")
        }
        // A window join: pairs of the same id in the same 10-second window.
        let windowed = try run("""
            SELECT o.id, o.rt, s.st FROM (SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(rt), INTERVAL '10' SECOND))) o
            JOIN (SELECT * FROM TABLE(TUMBLE(TABLE shipments, DESCRIPTOR(st), INTERVAL '10' SECOND))) s
            ON o.id = s.order_id AND o.window_start = s.window_start AND o.window_end = s.window_end
            """, engine: engine)
        func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }
        var sameWindow: [String] = []
        for order in orders {
            for shipment in shipments where shipment.row == order.row && floorDiv(shipment.millis, 10_000) == floorDiv(order.millis, 10_000) {
                sameWindow.append("\(order.row)|\(shown(order.millis))|\(shown(shipment.millis))")
            }
        }
        #expect(windowed.lines.sorted() == sameWindow.sorted(), "\(windowed.lines.count) pairs, \(sameWindow.count) expected")
        #expect(try run("EXPLAIN SELECT * FROM (SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(rt), INTERVAL '10' SECOND))) o, "
            + "(SELECT * FROM TABLE(TUMBLE(TABLE shipments, DESCRIPTOR(st), INTERVAL '10' SECOND))) s "
            + "WHERE o.window_start = s.window_start AND o.window_end = s.window_end", engine: engine).lines.joined().contains("WindowJoin("))
        // Without both bounds it is a regular join: no time attributes, so no window after it.
        #expect(try run("EXPLAIN SELECT * FROM orders o, shipments s WHERE o.id = s.order_id AND s.st >= o.rt", engine: engine).lines.joined()
            .contains("Join(ON"))
        // LEFT: each order once at least, its unmatched rows padded when they expire; insertions only.
        let left = try run("SELECT o.id, s.st FROM orders o LEFT JOIN shipments s ON o.id = s.order_id AND s.st BETWEEN o.rt AND o.rt + INTERVAL '10' SECOND",
                           engine: engine)
        #expect(!left.changelog)
        let unmatched = orders.filter { order in !shipments.contains { $0.row == order.row && (0...10_000).contains($0.millis - order.millis) } }
        #expect(left.lines.filter { $0.hasSuffix("|NULL") }.count == unmatched.count)
        #expect(left.lines.count == expected(0...10_000).count + unmatched.count)
        // FULL: the shipments without an order within their bounds come out padded too.
        let full = try run("SELECT o.id, s.order_id FROM orders o FULL JOIN shipments s ON o.id = s.order_id AND s.st BETWEEN o.rt AND o.rt + INTERVAL '10' SECOND",
                           engine: engine)
        let lonelyShipments = shipments.filter { shipment in !orders.contains { $0.row == shipment.row && (0...10_000).contains(shipment.millis - $0.millis) } }
        #expect(!full.changelog)
        #expect(full.lines.filter { $0.hasSuffix("|NULL") }.count == unmatched.count)
        #expect(full.lines.filter { $0.hasPrefix("NULL|") }.count == lonelyShipments.count)
        #expect(full.lines.count == expected(0...10_000).count + unmatched.count + lonelyShipments.count)
    }

    /// `x IN (SELECT …)` in a WHERE: each row with a match once (a semi join), keyed when x is a column.
    @Test func inSubqueriesKeepTheRowsWithAMatch() throws {
        let engine = Engine()
        try run("""
            CREATE VIEW orders AS SELECT * FROM (VALUES (1, 10), (2, 20), (3, 10), (4, 30), (5, CAST(NULL AS INT))) AS t(id, province);
            CREATE VIEW big AS SELECT * FROM (VALUES (10), (10), (30), (CAST(NULL AS INT))) AS b(id);
            """, engine: engine)
        #expect(try run("SELECT id FROM orders WHERE province IN (SELECT id FROM big)", engine: engine).lines.sorted() == ["1", "3", "4"])
        #expect(try run("SELECT id FROM orders WHERE id > 1 AND province IN (SELECT id FROM big)", engine: engine).lines.sorted() == ["3", "4"])
        #expect(try run("SELECT id FROM orders WHERE province + 0 IN (SELECT id FROM big WHERE id > 10)", engine: engine).lines == ["4"])
        let plan = try run("EXPLAIN SELECT id FROM orders WHERE province IN (SELECT id FROM big)", engine: engine).lines.joined()
        #expect(plan.contains("SemiJoin(province IN (SELECT"), "\(plan)")
        // NOT IN with SQL's NULLs: a NULL among the values makes every answer unknown; a NULL x is
        // kept only when there are no values at all. Its result is a changelog, folded here.
        func folded(_ query: String) throws -> [String] { try run(query, engine: engine).finalTable }
        #expect(try folded("SELECT id FROM orders WHERE province NOT IN (SELECT id FROM big)") == [])
        #expect(try folded("SELECT id FROM orders WHERE province NOT IN (SELECT id FROM big WHERE id IS NOT NULL)") == ["2"])
        #expect(try folded("SELECT id FROM orders WHERE province NOT IN (SELECT id FROM big WHERE id > 100)") == ["1", "2", "3", "4", "5"])
        do {
            try run("SELECT id FROM orders WHERE province IN (SELECT id, id FROM big)", engine: engine)
            Issue.record("a subquery of two columns was accepted")
        } catch {
            #expect(error.message == "the subquery of IN gives 2 columns: it needs exactly one" && error.range != nil)
        }
        #expect(throws: SQLError.self) { try run("SELECT id FROM orders WHERE province IN (SELECT id FROM big) OR id = 2", engine: engine) }
        // EXISTS with a condition on the outer row: the same semi join, its condition the subquery's WHERE.
        #expect(try run("SELECT id FROM orders o WHERE EXISTS (SELECT * FROM big b WHERE b.id = o.province)", engine: engine).lines.sorted()
            == ["1", "3", "4"])
        #expect(try run("SELECT o.id FROM orders o WHERE EXISTS (SELECT 1 FROM big b WHERE b.id = o.province AND b.id > 10) AND o.id < 5",
                        engine: engine).lines == ["4"])
        #expect(try run("SELECT id FROM orders WHERE EXISTS (SELECT 1 FROM big)", engine: engine).lines.count == 5)
        // NOT EXISTS: each order without a match, taken back (-D) if one comes later.
        let unmatched = try run("SELECT id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM big b WHERE b.id = o.province)", engine: engine)
        #expect(unmatched.finalTable == ["2", "5"])
        #expect(unmatched.changelog)
    }

    /// `WHERE rn <= N` (or `rn < N`, `rn = 1`) over ROW_NUMBER: the numbering keeps only the top N.
    @Test func topNKeepsItsTopRowsOnly() throws {
        let engine = Engine()
        try run("CREATE VIEW scores AS SELECT * FROM (VALUES ('a', 5), ('a', 9), ('b', 1), ('a', 7), ('b', 3), ('a', 1)) AS t(k, v)", engine: engine)
        func top(_ condition: String) throws -> [String] {
            try run("SELECT k, v, rn FROM (SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM scores) WHERE \(condition)",
                    engine: engine).lines.sorted()
        }
        #expect(try top("rn <= 2") == ["a|7|2", "a|9|1", "b|1|2", "b|3|1"])
        #expect(try top("rn < 2") == ["a|9|1", "b|3|1"])
        #expect(try top("1 = rn") == ["a|9|1", "b|3|1"])
        #expect(try top("rn <= 10").count == 6)
        let plan = try run("EXPLAIN SELECT * FROM (SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM scores) WHERE rn <= 2",
                           engine: engine).lines.joined()
        #expect(plan.contains("the top 2 of each partition kept"), "\(plan)")
        // A condition on something else leaves the numbering whole.
        #expect(!(try run("EXPLAIN SELECT * FROM (SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM scores) WHERE v <= 2",
                          engine: engine).lines.joined().contains("kept")))
    }

    /// OVER by processing time: rows go through as they come, each its own (no peers).
    @Test func overAggregatesByProcessingTime() throws {
        let result = try run("""
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
        try run("""
            CREATE TABLE src (k STRING, v INT) WITH ('connector' = 'datagen', 'fields.k.kind' = 'sequence', 'fields.k.start' = '1',
              'fields.k.end' = '40', 'fields.v.kind' = 'sequence', 'fields.v.start' = '1', 'fields.v.end' = '40')
            """, engine: engine)
        // Refused when planned: nothing is created.
        #expect(failure("""
            CREATE TABLE totals WITH ('connector' = 'filesystem', 'path' = '\(folder)/totals', 'format' = 'csv')
              AS SELECT MOD(v, 3), COUNT(*) FROM src GROUP BY MOD(v, 3)
            """) == "the filesystem connector writes only insertions, and this query updates its results (a GROUP BY without a window, an outer join, "
            + "a Top-N): write it in 'debezium-json'")
        #expect(!FileManager.default.fileExists(atPath: folder + "/totals"))
        #expect(failure("SELECT * FROM totals") == "unknown table totals")
        try run("""
            CREATE TABLE copy WITH ('connector' = 'filesystem', 'path' = '\(folder)/copy', 'format' = 'json')
              AS SELECT v, k, CHAR_LENGTH(k) AS width FROM src WHERE MOD(v, 3) > 0
            """, engine: engine)
        let definition = try run("SHOW CREATE TABLE copy", engine: engine).lines.joined()
        #expect(definition.contains("v INT,\n  k STRING,\n  width INT\n)"), "\(definition)")
        let original = try run("SELECT v, k, CHAR_LENGTH(k) FROM src WHERE MOD(v, 3) > 0", engine: engine).lines
        let copied = try run("SELECT * FROM copy", engine: engine).lines
        #expect(copied.sorted() == original.sorted() && copied.count == 27)
        #expect(failure("CREATE TABLE copy WITH ('connector' = 'blackhole') AS SELECT 1") == "table copy already exists (DROP TABLE it first, or CREATE TABLE IF NOT EXISTS)")
        #expect(try run("CREATE TABLE IF NOT EXISTS copy WITH ('connector' = 'blackhole') AS SELECT 1", engine: engine).messages == ["table copy already exists"])
        #expect(failure("CREATE TABLE t (a INT) WITH ('connector' = 'blackhole') AS SELECT 1") == "CREATE TABLE ... AS takes its columns from the query: declare none")
        // Printed back as written.
        guard case let .createTable(parsed) = try Parser.parseStatement("CREATE TABLE t WITH ('connector' = 'blackhole') AS SELECT a FROM s") else {
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
        let table = "CREATE TABLE t (k INT, v INT, s STRING) WITH ('connector' = 'filesystem', 'path' = '\(path)', 'format' = 'json');"
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
        #expect(try run(table + "EXPLAIN SELECT k, ROW_NUMBER() OVER (ORDER BY cnt DESC) FROM (SELECT k, COUNT(*) AS cnt FROM t GROUP BY k)")
            .lines.joined().contains("updated as rows come and go"))
    }

    /// A window with thousands of keys (the group table grows many times), NULL keys as one    /// A window with thousands of keys (the group table grows many times), NULL keys as one
    /// group, and keys of several types.
    @Test func windowGroupsOfManyKeys() throws {
        let rows = 20_000
        let lines = (0..<rows).map { number in
            let key = number % 7 == 0 ? "null" : "\(number % 3001)"
            return #"{"ts": "2024-01-01 00:00:0\#(number % 10)", "k": \#(key), "s": "s\#(number % 5)", "v": \#(number)}"#
        }
        let input = temporaryFile("keys.json", lines)
        let engine = Engine()
        try run("""
            CREATE TABLE e (ts STRING, k INT, s STRING, v BIGINT, rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt)
              WITH ('connector' = 'filesystem', 'path' = '\(input)', 'format' = 'json')
            """, engine: engine)
        var expected: [String: (count: Int, sum: Int)] = [:]
        for number in 0..<rows {
            let key = number % 7 == 0 ? "NULL" : "\(number % 3001)"
            expected[key, default: (0, 0)].count += 1
            expected[key, default: (0, 0)].sum += number
        }
        let result = try run("SELECT k, COUNT(*), SUM(v) FROM e GROUP BY TUMBLE(rt, INTERVAL '10' SECOND), k", engine: engine).lines
        #expect(result.count == expected.count)
        #expect(Set(result) == Set(expected.map { "\($0.key)|\($0.value.count)|\($0.value.sum)" }))
        // Two keys of different types: each pair of (k mod 3, s) once.
        let pairs = try run("SELECT MOD(k, 3), s, COUNT(*) FROM e WHERE k IS NOT NULL GROUP BY TUMBLE(rt, INTERVAL '10' SECOND), MOD(k, 3), s",
                            engine: engine).lines
        #expect(pairs.count == 15)
        #expect(pairs.map { Int($0.split(separator: "|")[2])! }.reduce(0, +) == rows - (rows + 6) / 7)
    }

    @Test func nonWindowedAggregationIsAChangelog() throws {
        let result = try run("SELECT k, SUM(v) AS total FROM (VALUES ('a', 1), ('b', 2)) AS t(k, v) GROUP BY k")
        #expect(result.changelog && result.kinds == [.insert, .insert])
        #expect(Set(result.lines) == ["a|1", "b|2"])
        let global = try run("SELECT COUNT(*), MIN(v), MAX(v), AVG(v), LISTAGG(k) FROM (VALUES ('a', 1), ('b', 4)) AS t(k, v)")
        #expect(global.lines == ["2|1|4|2|a,b"])
    }

    @Test func orderByLimitUnionWithAndDistinct() throws {
        let result = try run("""
            WITH t AS (SELECT * FROM (VALUES (3, 'c'), (1, 'a'), (2, 'b'), (1, 'a')) AS v(n, s))
            SELECT DISTINCT n, s FROM t UNION ALL SELECT 9, 'z' ORDER BY n DESC LIMIT 3
            """)
        #expect(result.lines == ["9|z", "3|c", "2|b"])
    }

    // MARK: Windows and watermarks

    /// Events at 0, 1, 2, 6, 7 and 12 s (and 3 s arriving after 7 s, late for 5-second windows
    /// with a 0-second bound); the watermark is the largest time seen.
    static func events() -> String {
        temporaryFile("events.json", [0, 1, 2, 6, 7, 3, 12].enumerated().map { index, second in
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
        let tumble = try run(Self.table(path) + "SELECT TUMBLE_START(rt, INTERVAL '5' SECOND), COUNT(*) FROM e GROUP BY TUMBLE(rt, INTERVAL '5' SECOND)")
        #expect(tumble.lines == ["2024-01-01 00:00:00.000|3", "2024-01-01 00:00:05.000|2", "2024-01-01 00:00:10.000|1"])
        #expect(tumble.statistics["late rows dropped"] == 1)

        let hop = try run(Self.table(path) + """
            SELECT HOP_END(rt, INTERVAL '5' SECOND, INTERVAL '10' SECOND), COUNT(*) FROM e GROUP BY HOP(rt, INTERVAL '5' SECOND, INTERVAL '10' SECOND)
            """)
        // The late 3 s still counts in [0 s, 10 s), which has not fired yet (Flink drops a row only from windows already fired).
        #expect(hop.lines == ["2024-01-01 00:00:05.000|3", "2024-01-01 00:00:10.000|6", "2024-01-01 00:00:15.000|3", "2024-01-01 00:00:20.000|1"])

        let session = try run(Self.table(path) + """
            SELECT SESSION_START(rt, INTERVAL '3' SECOND), SESSION_END(rt, INTERVAL '3' SECOND), COUNT(*) FROM e GROUP BY SESSION(rt, INTERVAL '3' SECOND)
            """)
        #expect(session.lines == ["2024-01-01 00:00:00.000|2024-01-01 00:00:05.000|3", "2024-01-01 00:00:06.000|2024-01-01 00:00:10.000|2",
                                  "2024-01-01 00:00:12.000|2024-01-01 00:00:15.000|1"])

        let cumulate = try run(Self.table(path) + """
            SELECT window_end, COUNT(*) FROM TABLE(CUMULATE(TABLE e, DESCRIPTOR(rt), INTERVAL '5' SECOND, INTERVAL '10' SECOND))
            GROUP BY window_start, window_end
            """)
        #expect(cumulate.lines == ["2024-01-01 00:00:05.000|3", "2024-01-01 00:00:10.000|6", "2024-01-01 00:00:15.000|1", "2024-01-01 00:00:20.000|1"])
    }

    // MARK: Errors

    @Test func streamingMistakesAreExplained() throws {
        let noWatermark = try #require(failure("""
            CREATE TABLE t (a INT, ts TIMESTAMP(3)) WITH ('connector' = 'datagen');
            SELECT COUNT(*) FROM t GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE)
            """))
        #expect(noWatermark.message.hasPrefix("TUMBLE needs a time attribute, and ts (TIMESTAMP(3)) is not one: declare it with WATERMARK FOR ts"))
        #expect(noWatermark.range?.start.line == 2 && noWatermark.range?.start.column == 40)

        let option = try #require(failure("CREATE TABLE t (a INT) WITH ('connector' = 'datagen', 'rows-per-secnd' = '5')"))
        #expect(option.message == "unknown option 'rows-per-secnd' for the datagen connector; did you mean 'rows-per-second'?")

        let column = try #require(failure("SELECT amout FROM (VALUES (1)) AS t(amount)"))
        #expect(column.message == "unknown column amout; did you mean amount?")

        let grouped = try #require(failure("SELECT k, v FROM (VALUES ('a', 1)) AS t(k, v) GROUP BY k"))
        #expect(grouped.message.hasPrefix("column v is neither grouped nor aggregated"))

        let mismatch = try #require(failure("""
            CREATE TABLE e (ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen');
            SELECT TUMBLE_START(ts, INTERVAL '2' SECOND) FROM e GROUP BY TUMBLE(ts, INTERVAL '1' SECOND)
            """))
        #expect(mismatch.message.contains("does not match the window in GROUP BY"))

        let watermarkType = try #require(failure("CREATE TABLE e (ts STRING, WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen')"))
        #expect(watermarkType.message.contains("event time must be TIMESTAMP(3) or TIMESTAMP_LTZ(3)"))
    }
}
