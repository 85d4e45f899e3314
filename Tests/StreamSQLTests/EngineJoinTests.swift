import Foundation
import SQLSyntax
import SQLValues
import StreamSQL
import Testing

/// Joins through the engine: regular, interval and window joins, IN subqueries.
extension EngineTests {
    @Test func joinsPairTheRowsOfTheirInputs() throws {
        let orders = temporaryFile(
            "orders.json",
            [
                #"{"id": 1, "province": 0, "amount": 10}"#, #"{"id": 2, "province": 1, "amount": 20}"#,
                #"{"id": 3, "province": 0, "amount": 5}"#, #"{"id": 4, "province": 9, "amount": 1}"#,
                #"{"id": 5, "amount": 7}"#,
            ])
        let provinces = temporaryFile("provinces.csv", ["0,beijing", "1,shanghai", "2,hangzhou"])
        let engine = Engine()
        try run(
            """
            CREATE TABLE orders (id INT, province INT, amount INT) WITH ('connector' = 'filesystem', 'path' = '\(orders)', 'format' = 'json');
            CREATE TABLE provinces (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '\(provinces)', 'format' = 'csv');
            """, engine: engine)
        // Equal keys pair rows (an order without a province, or with an unknown one, pairs with none).
        #expect(
            try run(
                "SELECT o.id, p.name, o.amount FROM orders AS o JOIN provinces AS p ON o.province = p.id",
                engine: engine
            ).lines.sorted()
                == ["1|beijing|10", "2|shanghai|20", "3|beijing|5"])
        // The rest of the condition decides too; the right side first; an aggregate over the join.
        #expect(
            try run(
                "SELECT p.name, o.id FROM provinces p JOIN orders o ON p.id = o.province AND o.amount > 5",
                engine: engine
            ).lines.sorted()
                == ["beijing|1", "shanghai|2"])
        #expect(try run("SELECT COUNT(*) FROM orders CROSS JOIN provinces", engine: engine).lines.last == "15")
        #expect(
            try run("SELECT COUNT(*) FROM orders o JOIN provinces p ON o.amount > p.id * 10", engine: engine).lines.last
                == "6",
            "without equal columns, every pair is tried: all five amounts > 0, and 20 > 10")
        do {
            _ = try run("SELECT id FROM orders JOIN provinces ON province = provinces.id", engine: engine)
            Issue.record("an ambiguous column was accepted")
        } catch {
            #expect(error.message == "column id is ambiguous: qualify it with its table")
        }
        do {
            _ = try run(
                """
                CREATE TABLE timed (id INT, ts STRING, rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt)
                  WITH ('connector' = 'filesystem', 'path' = '\(orders)', 'format' = 'json');
                SELECT COUNT(*) FROM timed JOIN provinces p ON timed.id = p.id GROUP BY TUMBLE(rt, INTERVAL '5' SECOND);
                """, engine: engine)
            Issue.record("a window over a join's rows was accepted")
        } catch {
            #expect(
                error.message.hasPrefix(
                    "TUMBLE needs a time attribute, and rt is not one here: a regular join's rows come in no order of time"
                ))
        }
        // Outer joins: an unmatched row padded with NULLs, taken back (-D) when its match comes.
        func final(_ query: String) throws -> [String] { try run(query, engine: engine).finalTable }
        #expect(
            try final("SELECT o.id, p.name FROM orders o LEFT JOIN provinces p ON o.province = p.id")
                == ["1|beijing", "2|shanghai", "3|beijing", "4|NULL", "5|NULL"])
        #expect(
            try final("SELECT p.name, o.id FROM orders o RIGHT JOIN provinces p ON o.province = p.id")
                == ["beijing|1", "beijing|3", "hangzhou|NULL", "shanghai|2"])
        #expect(
            try final("SELECT o.id, p.name FROM orders o FULL JOIN provinces p ON o.province = p.id AND o.amount > 5")
                == ["1|beijing", "2|shanghai", "3|NULL", "4|NULL", "5|NULL", "NULL|hangzhou"])
        let changes = try run(
            "SELECT o.id, p.name FROM orders o LEFT JOIN provinces p ON o.province = p.id", engine: engine)
        #expect(
            changes.changelog && changes.kinds.contains(.delete), "the orders come first, each alone until its province"
        )
    }

    /// Interval joins on files, checked pair for pair against a nested loop over the same rows:
    /// the bounds in their several forms (BETWEEN, two comparisons, strict ones, the sides
    /// swapped), rows arriving up to a second out of order (within the 2 s watermark bound).
    @Test func intervalJoinsGiveThePairsWithinTheirBounds() throws {
        var generator = SystemRandomNumberGenerator()
        let start = try #require(ValueParser.parse("2024-01-01 00:00:00", as: .timestamp(3))?.timestampMicros)
        func text(_ millis: Int64) -> String { ValueFormatter.plain(.timestamp(start + millis * 1000)) }
        func shown(_ millis: Int64) -> String {
            ValueFormatter.display(.timestamp(start + millis * 1000), type: .timestamp(3))
        }
        /// Rows in order of time, each moved by up to 900 ms.
        func shuffledSlightly<T>(_ rows: [(millis: Int64, row: T)]) -> [(millis: Int64, row: T)] {
            rows.map { ($0, Int64.random(in: 0...900, using: &generator)) }.sorted {
                $0.0.millis + $0.1 < $1.0.millis + $1.1
            }.map(\.0)
        }
        let orders = shuffledSlightly(
            (0..<2000).map { _ in
                (Int64.random(in: 0...600_000, using: &generator), Int.random(in: 0..<300, using: &generator))
            })
        let shipments = shuffledSlightly(
            (0..<2000).map { _ in
                let order = orders[Int.random(in: 0..<orders.count, using: &generator)]
                return (order.millis + Int64.random(in: -3000...15000, using: &generator), order.row)
            })
        let engine = Engine()
        try run(
            """
            CREATE TABLE orders (id INT, ts STRING, rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt - INTERVAL '2' SECOND)
              WITH ('connector' = 'filesystem', 'path' = '\(temporaryFile("orders.json", orders.map { #"{"id": \#($0.row), "ts": "\#(text($0.millis))"}"# }))', 'format' = 'json');
            CREATE TABLE shipments (order_id INT, ts STRING, st AS TO_TIMESTAMP(ts), WATERMARK FOR st AS st - INTERVAL '2' SECOND)
              WITH ('connector' = 'filesystem', 'path' = '\(temporaryFile("shipments.json", shipments.map { #"{"order_id": \#($0.row), "ts": "\#(text($0.millis))"}"# }))', 'format' = 'json');
            """, engine: engine)
        func expected(_ bounds: ClosedRange<Int64>) -> [String] {
            var pairs: [String] = []
            for order in orders {
                for shipment in shipments
                where shipment.row == order.row && bounds.contains(shipment.millis - order.millis) {
                    pairs.append("\(order.row)|\(shown(order.millis))|\(shown(shipment.millis))")
                }
            }
            return pairs.sorted()
        }
        let forms: [(String, ClosedRange<Int64>)] = [
            ("o.id = s.order_id AND s.st BETWEEN o.rt AND o.rt + INTERVAL '10' SECOND", 0...10_000),
            ("o.id = s.order_id AND o.rt BETWEEN s.st - INTERVAL '10' SECOND AND s.st", 0...10_000),
            (
                "s.order_id = o.id AND s.st > o.rt - INTERVAL '2' SECOND AND s.st < o.rt + INTERVAL '5' SECOND",
                -1_999...4_999
            ),
            ("o.id = s.order_id AND o.rt >= s.st AND o.rt <= s.st + INTERVAL '3' SECOND", -3_000...0),
        ]
        for (condition, bounds) in forms {
            let query = "SELECT o.id, o.rt, s.st FROM orders o JOIN shipments s ON \(condition)"
            let result = try run(query, engine: engine)
            #expect(!result.changelog)
            let want = expected(bounds)
            let missing = Set(want).subtracting(result.lines), extra = Set(result.lines).subtracting(want)
            #expect(
                result.lines.count == want.count && missing.isEmpty && extra.isEmpty,
                "\(condition): \(result.lines.count) pairs, \(want.count) expected; missing \(missing.prefix(3)), extra \(extra.prefix(3))"
            )
            let plan = try run("EXPLAIN " + query, engine: engine).lines.joined()
            #expect(plan.contains("IntervalJoin("), "\(plan)")
        }
        // A window join: pairs of the same id in the same 10-second window.
        let windowed = try run(
            """
            SELECT o.id, o.rt, s.st FROM (SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(rt), INTERVAL '10' SECOND))) o
            JOIN (SELECT * FROM TABLE(TUMBLE(TABLE shipments, DESCRIPTOR(st), INTERVAL '10' SECOND))) s
            ON o.id = s.order_id AND o.window_start = s.window_start AND o.window_end = s.window_end
            """, engine: engine)
        func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }
        var sameWindow: [String] = []
        for order in orders {
            for shipment in shipments
            where shipment.row == order.row && floorDiv(shipment.millis, 10_000) == floorDiv(order.millis, 10_000) {
                sameWindow.append("\(order.row)|\(shown(order.millis))|\(shown(shipment.millis))")
            }
        }
        #expect(
            windowed.lines.sorted() == sameWindow.sorted(),
            "\(windowed.lines.count) pairs, \(sameWindow.count) expected")
        #expect(
            try run(
                "EXPLAIN SELECT * FROM (SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(rt), INTERVAL '10' SECOND))) o, "
                    + "(SELECT * FROM TABLE(TUMBLE(TABLE shipments, DESCRIPTOR(st), INTERVAL '10' SECOND))) s "
                    + "WHERE o.window_start = s.window_start AND o.window_end = s.window_end", engine: engine
            ).lines.joined().contains("WindowJoin("))
        // Without both bounds it is a regular join: no time attributes, so no window after it.
        #expect(
            try run(
                "EXPLAIN SELECT * FROM orders o, shipments s WHERE o.id = s.order_id AND s.st >= o.rt", engine: engine
            ).lines.joined()
                .contains("Join(ON"))
        // LEFT: each order once at least, its unmatched rows padded when they expire; insertions only.
        let left = try run(
            "SELECT o.id, s.st FROM orders o LEFT JOIN shipments s ON o.id = s.order_id AND s.st BETWEEN o.rt AND o.rt + INTERVAL '10' SECOND",
            engine: engine)
        #expect(!left.changelog)
        let unmatched = orders.filter { order in
            !shipments.contains { $0.row == order.row && (0...10_000).contains($0.millis - order.millis) }
        }
        #expect(left.lines.filter { $0.hasSuffix("|NULL") }.count == unmatched.count)
        #expect(left.lines.count == expected(0...10_000).count + unmatched.count)
        // FULL: the shipments without an order within their bounds come out padded too.
        let full = try run(
            "SELECT o.id, s.order_id FROM orders o FULL JOIN shipments s ON o.id = s.order_id AND s.st BETWEEN o.rt AND o.rt + INTERVAL '10' SECOND",
            engine: engine)
        let lonelyShipments = shipments.filter { shipment in
            !orders.contains { $0.row == shipment.row && (0...10_000).contains(shipment.millis - $0.millis) }
        }
        #expect(!full.changelog)
        #expect(full.lines.filter { $0.hasSuffix("|NULL") }.count == unmatched.count)
        #expect(full.lines.filter { $0.hasPrefix("NULL|") }.count == lonelyShipments.count)
        #expect(full.lines.count == expected(0...10_000).count + unmatched.count + lonelyShipments.count)
    }

    /// `x IN (SELECT …)` in a WHERE: each row with a match once (a semi join), keyed when x is a column.
    @Test func inSubqueriesKeepTheRowsWithAMatch() throws {
        let engine = Engine()
        try run(
            """
            CREATE VIEW orders AS SELECT * FROM (VALUES (1, 10), (2, 20), (3, 10), (4, 30), (5, CAST(NULL AS INT))) AS t(id, province);
            CREATE VIEW big AS SELECT * FROM (VALUES (10), (10), (30), (CAST(NULL AS INT))) AS b(id);
            """, engine: engine)
        #expect(
            try run("SELECT id FROM orders WHERE province IN (SELECT id FROM big)", engine: engine).lines.sorted() == [
                "1", "3", "4",
            ])
        #expect(
            try run("SELECT id FROM orders WHERE id > 1 AND province IN (SELECT id FROM big)", engine: engine).lines
                .sorted() == ["3", "4"])
        #expect(
            try run("SELECT id FROM orders WHERE province + 0 IN (SELECT id FROM big WHERE id > 10)", engine: engine)
                .lines == ["4"])
        let plan = try run("EXPLAIN SELECT id FROM orders WHERE province IN (SELECT id FROM big)", engine: engine).lines
            .joined()
        #expect(plan.contains("SemiJoin(province IN (SELECT"), "\(plan)")
        // NOT IN with SQL's NULLs: a NULL among the values makes every answer unknown; a NULL x is
        // kept only when there are no values at all. Its result is a changelog, folded here.
        func folded(_ query: String) throws -> [String] { try run(query, engine: engine).finalTable }
        #expect(try folded("SELECT id FROM orders WHERE province NOT IN (SELECT id FROM big)") == [])
        #expect(
            try folded("SELECT id FROM orders WHERE province NOT IN (SELECT id FROM big WHERE id IS NOT NULL)") == ["2"]
        )
        #expect(
            try folded("SELECT id FROM orders WHERE province NOT IN (SELECT id FROM big WHERE id > 100)") == [
                "1", "2", "3", "4", "5",
            ])
        do {
            try run("SELECT id FROM orders WHERE province IN (SELECT id, id FROM big)", engine: engine)
            Issue.record("a subquery of two columns was accepted")
        } catch {
            #expect(error.message == "the subquery of IN gives 2 columns: it needs exactly one" && error.range != nil)
        }
        #expect(throws: SQLError.self) {
            try run("SELECT id FROM orders WHERE province IN (SELECT id FROM big) OR id = 2", engine: engine)
        }
        // EXISTS with a condition on the outer row: the same semi join, its condition the subquery's WHERE.
        #expect(
            try run(
                "SELECT id FROM orders o WHERE EXISTS (SELECT * FROM big b WHERE b.id = o.province)", engine: engine
            ).lines.sorted()
                == ["1", "3", "4"])
        #expect(
            try run(
                "SELECT o.id FROM orders o WHERE EXISTS (SELECT 1 FROM big b WHERE b.id = o.province AND b.id > 10) AND o.id < 5",
                engine: engine
            ).lines == ["4"])
        #expect(try run("SELECT id FROM orders WHERE EXISTS (SELECT 1 FROM big)", engine: engine).lines.count == 5)
        // NOT EXISTS: each order without a match, taken back (-D) if one comes later.
        let unmatched = try run(
            "SELECT id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM big b WHERE b.id = o.province)", engine: engine)
        #expect(unmatched.finalTable == ["2", "5"])
        #expect(unmatched.changelog)
    }
}
