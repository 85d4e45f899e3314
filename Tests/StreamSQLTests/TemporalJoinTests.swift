import Foundation
import SQLSyntax
import Testing

@testable import SQLRuntime
@testable import SQLValues
@testable import StreamSQL

/// Temporal joins: each left row with the version of its key that was valid at its time.
@Suite struct TemporalJoinTests {
    static func micros(_ second: Int) -> Int64 { Int64(second) * 1_000_000 }

    /// Orders and rates from files: the rate of each order's moment, an order before its
    /// currency's first rate unmatched (kept by LEFT JOIN, with NULLs), the left side's event
    /// time still a time attribute (a window follows the join).
    @Test func ordersMeetTheRateOfTheirTime() throws {
        let orders = temporaryFile(
            "orders.json",
            [
                #"{"id": 1, "cur": "EUR", "amount": 10, "ts": "2024-01-01 00:00:01"}"#,
                #"{"id": 2, "cur": "EUR", "amount": 10, "ts": "2024-01-01 00:00:05"}"#,
                #"{"id": 3, "cur": "JPY", "amount": 100, "ts": "2024-01-01 00:00:06"}"#,
                #"{"id": 4, "cur": "USD", "amount": 7, "ts": "2024-01-01 00:00:07"}"#,
                #"{"id": 5, "cur": "EUR", "amount": 10, "ts": "2024-01-01 00:00:12"}"#,
                #"{"id": 6, "cur": "JPY", "amount": 100, "ts": "2024-01-01 00:00:01"}"#,
            ])
        let rates = temporaryFile(
            "rates.json",
            [
                #"{"cur": "EUR", "rate": 1.1, "ts": "2024-01-01 00:00:00"}"#,
                #"{"cur": "JPY", "rate": 0.01, "ts": "2024-01-01 00:00:02"}"#,
                #"{"cur": "EUR", "rate": 1.2, "ts": "2024-01-01 00:00:04"}"#,
                #"{"cur": "EUR", "rate": 1.3, "ts": "2024-01-01 00:00:10"}"#,
            ])
        let tables = """
            CREATE TABLE orders (id INT, cur STRING, amount INT, ts STRING, rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt - INTERVAL '5' SECOND)
              WITH ('connector' = 'filesystem', 'path' = '\(orders)', 'format' = 'json');
            CREATE TABLE rates (cur STRING, rate DOUBLE, ts STRING, rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt, PRIMARY KEY (cur) NOT ENFORCED)
              WITH ('connector' = 'filesystem', 'path' = '\(rates)', 'format' = 'json');
            """
        let inner = try run(
            tables
                + "SELECT o.id, r.rate, o.amount * r.rate FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.rt AS r ON o.cur = r.cur"
        )
        #expect(inner.lines.sorted() == ["1|1.1|11.0", "2|1.2|12.0", "3|0.01|1.0", "5|1.3|13.0"])
        let outer = try run(
            tables
                + "SELECT o.id, r.rate FROM orders AS o LEFT JOIN rates FOR SYSTEM_TIME AS OF o.rt AS r ON o.cur = r.cur"
        )
        #expect(outer.lines.sorted() == ["1|1.1", "2|1.2", "3|0.01", "4|NULL", "5|1.3", "6|NULL"])
        #expect(!outer.changelog)
        let windows = try run(
            tables + """
                SELECT TUMBLE_START(o.rt, INTERVAL '10' SECOND), SUM(o.amount * r.rate) FROM orders AS o
                JOIN rates FOR SYSTEM_TIME AS OF o.rt AS r ON o.cur = r.cur GROUP BY TUMBLE(o.rt, INTERVAL '10' SECOND)
                """)
        #expect(windows.lines == ["2024-01-01 00:00:00.000|24.0", "2024-01-01 00:00:10.000|13.0"])
        #expect(
            try run(
                tables + "EXPLAIN SELECT * FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.rt AS r ON o.cur = r.cur"
            )
            .lines.joined().contains("TemporalJoin(ON o.cur = r.cur; rates as of event time rt)"))
    }

    @Test func whatATemporalJoinNeeds() throws {
        let tables = """
            CREATE TABLE l (k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
            CREATE TABLE plain (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
            CREATE TABLE keyed (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts, PRIMARY KEY (k) NOT ENFORCED)
              WITH ('connector' = 'datagen', 'number-of-rows' = '1');
            """
        func failure(_ query: String) -> String? {
            do {
                try run(tables + query)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(
            failure("SELECT * FROM l JOIN plain FOR SYSTEM_TIME AS OF l.ts ON l.k = plain.k")
                == "plain is joined as a versioned table and needs a PRIMARY KEY (... ) NOT ENFORCED")
        #expect(
            failure("SELECT * FROM l JOIN keyed FOR SYSTEM_TIME AS OF l.ts ON l.k <> keyed.k")
                == "a temporal join's ON equates the versioned table's PRIMARY KEY (k) with the left side's columns")
        #expect(
            failure("SELECT * FROM l JOIN keyed FOR SYSTEM_TIME AS OF l.k ON l.k = keyed.k")
                == "FOR SYSTEM_TIME AS OF takes a time attribute of the left side (its rowtime or a PROCTIME() column)")
        #expect(
            failure("SELECT * FROM keyed FOR SYSTEM_TIME AS OF TIMESTAMP '2024-01-01 00:00:00'")
                == "FOR SYSTEM_TIME AS OF belongs on the right of a JOIN (a temporal join)")
    }

    /// The operator by hand: versions out of order, an update's old row, a deletion; left rows
    /// wait for the watermark; versions no row can need are forgotten.
    @Test func versionsByHand() throws {
        let join = TemporalJoinOperator(
            predicate: .literal(.boolean(true)), leftKeys: [0], rightKeys: [0], leftTime: 1, versionTime: 2,
            outer: true,
            rightWidth: 3)
        let output = OperatorStateTests.Capture()
        join.output = output
        let left = join.input(0), right = join.input(1)
        func version(_ key: String, _ value: Int, _ second: Int) -> Row {
            [.string(key), .integer(Int64(value)), .timestamp(Self.micros(second))]
        }
        try right.process(
            [version("a", 1, 0), version("a", 3, 20), version("a", 2, 10), version("b", 5, 0)], kinds: nil)
        try right.process(
            [version("b", 5, 0), version("b", 6, 12), version("b", 6, 15)],
            kinds: [.updateBefore, .updateAfter, .delete])
        try left.process(
            [
                [.string("a"), .timestamp(Self.micros(12))], [.string("a"), .timestamp(Self.micros(5))],
                [.string("b"), .timestamp(Self.micros(13))], [.string("b"), .timestamp(Self.micros(16))],
                [.string("c"), .timestamp(Self.micros(1))],
            ], kinds: nil)
        #expect(output.rows.isEmpty) // nothing before the watermark
        try left.watermark(Self.micros(30))
        try right.watermark(Self.micros(14))
        // Released in order of time, up to 14 s: c (no version), a at 5 (1), a at 12 (2), b at 13 (6).
        #expect(
            output.rows.map { "\($0[0])/\($0[3])" } == [
                "string(\"c\")/null", "string(\"a\")/integer(1)", "string(\"a\")/integer(2)",
                "string(\"b\")/integer(6)",
            ])
        #expect(join.statistics["versions kept"] == 4) // a: 2 s... 10 and 20; b: 12 and the deletion at 15
        try right.watermark(Self.micros(30))
        // b at 16: deleted at 15, so unmatched (padded).
        #expect(output.rows.count == 5 && output.rows[4][3] == .null && output.rows[4][0] == .string("b"))
        #expect(join.statistics["versions kept"] == 1 && join.statistics["left rows waiting"] == 0)
    }
}
