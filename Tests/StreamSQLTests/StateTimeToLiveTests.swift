import Foundation
import SQLSyntax
import Testing

@testable import SQLPlanner
@testable import SQLRuntime
@testable import SQLValues
@testable import StreamSQL

/// `table.exec.state.ttl`: state a key has not written for the TTL (processing time, here a
/// clock the test moves) is dropped; a key that comes back starts afresh.
@Suite struct StateTimeToLiveTests {
    final class Clock: @unchecked Sendable {
        var now: Int64 = 0
    }

    static func ttl(_ clock: Clock) -> StateTimeToLive {
        StateTimeToLive(milliseconds: 1_000, clock: ProcessingClock { clock.now })
    }

    @Test func groupsNotWrittenForTheTTLStartAfresh() throws {
        let clock = Clock()
        let count = AggregateCall(kind: .count, argument: nil, distinct: false, resultType: .bigint, text: "COUNT(*)")
        let aggregate = GroupAggregateOperator(keys: [.column(0)], aggregates: [count], timeToLive: Self.ttl(clock))
        let output = OperatorStateTests.Capture()
        aggregate.output = output
        func feed(_ key: String, at time: Int64) throws {
            clock.now = time
            try aggregate.process([[.string(key)]], kinds: nil)
        }
        try feed("a", at: 0)
        try feed("b", at: 500)
        try feed("a", at: 900) // a written again: alive until 1,900
        try feed("b", at: 1_600) // b expired at 1,500: afresh
        try feed("a", at: 1_700)
        let lines = zip(output.kinds, output.rows).map {
            "\($0.rawValue) \($1.map { ValueFormatter.plain($0) }.joined(separator: "|"))"
        }
        #expect(lines == ["+I a|1", "+I b|1", "-U a|1", "+U a|2", "+I b|1", "-U a|2", "+U a|3"])
    }

    @Test func joinRowsPastTheTTLPairNoMore() throws {
        let clock = Clock()
        let join = RegularJoinOperator(
            predicate: nil, leftKeys: [0], rightKeys: [0], outer: (false, false), widths: (left: 2, right: 2),
            timeToLive: Self.ttl(clock))
        let output = OperatorStateTests.Capture()
        join.output = output
        func feed(_ side: Int, _ key: Int64, _ tag: String, at time: Int64) throws {
            clock.now = time
            try join.process([[.integer(key), .string(tag)]], kinds: nil, from: side)
        }
        try feed(0, 1, "old", at: 0)
        try feed(0, 1, "kept", at: 800)
        try feed(1, 1, "r1", at: 1_500) // "old" expired at 1,000; "kept" pairs
        try feed(1, 1, "r2", at: 1_900) // "kept" expired at 1,800 (pairing writes nothing on an inner side)
        try feed(0, 1, "l3", at: 2_000) // r1 expired at 2,500, r2 at 2,900
        try feed(0, 1, "l4", at: 2_600)
        let pairs = output.rows.map { $0.map { ValueFormatter.plain($0) }.joined(separator: "|") }
        #expect(pairs == ["1|kept|1|r1", "1|l3|1|r1", "1|l3|1|r2", "1|l4|1|r2"])

        // An outer side's row is written each time it pairs: it lives on while matches come.
        let outer = RegularJoinOperator(
            predicate: nil, leftKeys: [0], rightKeys: [0], outer: (true, false), widths: (left: 2, right: 2),
            timeToLive: Self.ttl(clock))
        let outerOutput = OperatorStateTests.Capture()
        outer.output = outerOutput
        for (side, tag, time) in [(0, "l", 0), (1, "r1", 900), (1, "r2", 1_800), (1, "r3", 2_700), (1, "r4", 3_800)]
            as [(Int, String, Int64)]
        {
            clock.now = time
            try outer.process([[.integer(1), .string(tag)]], kinds: nil, from: side)
        }
        #expect(outerOutput.rows.compactMap { $0[3].isNull ? nil : ValueFormatter.plain($0[3]) } == ["r1", "r2", "r3"])
    }

    @Test func distinctRowsAreForgottenAfterTheTTL() throws {
        let clock = Clock()
        let distinct = DistinctOperator(timeToLive: Self.ttl(clock))
        let output = OperatorStateTests.Capture()
        distinct.output = output
        for (row, time) in [("x", 0), ("x", 600), ("y", 700), ("x", 1_500), ("x", 2_700), ("y", 2_800)]
            as [(String, Int64)]
        {
            clock.now = time
            try distinct.process([[.string(row)]], kinds: nil)
        }
        // x seen at 600 lives to 1,600; seen at 1,500, to 2,500: at 2,700 it is new again, as is y.
        #expect(output.rows.map { ValueFormatter.plain($0[0]) } == ["x", "y", "x", "y"])
    }

    @Test func topNPartitionsNotWrittenForTheTTLStartAfresh() throws {
        let clock = Clock()
        let topN = RowNumberOperator(
            partition: [.column(0)], order: [(.column(1), true, false)], windowEnd: nil, limit: 1, updating: true,
            timeToLive: Self.ttl(clock))
        let output = OperatorStateTests.Capture()
        topN.output = output
        for (key, value, time) in [("a", 5, 0), ("b", 1, 500), ("a", 3, 1_200), ("b", 0, 1_300)]
            as [(String, Int64, Int64)]
        {
            clock.now = time
            try topN.process([[.string(key), .integer(value)]], kinds: nil)
        }
        // a's top (5) was forgotten at 1,000: 3 is its top again; b's (1) is alive until 1,500, and 0 is not above it.
        let lines = zip(output.kinds, output.rows).map {
            "\($0.rawValue) \($1.map { ValueFormatter.plain($0) }.joined(separator: "|"))"
        }
        #expect(lines == ["+I a|5|1", "+I b|1|1", "+I a|3|1"])
    }

    @Test func theOptionIsADuration() throws {
        #expect(try StateTimeToLive(settings: [StateTimeToLive.option: "1 h"], clock: .wall)?.milliseconds == 3_600_000)
        #expect(try StateTimeToLive(settings: [StateTimeToLive.option: "0"], clock: .wall) == nil)
        #expect(try StateTimeToLive(settings: [:], clock: .wall) == nil)
        let path = temporaryFile("ttl.json", [#"{"k": "a"}"#])
        #expect(
            throws: SQLError(.plan, "'table.exec.state.ttl' is a duration like '500 ms', '10 s' or '1 min', not 'soon'")
        ) {
            try run(
                """
                CREATE TABLE t (k STRING) WITH ('connector' = 'filesystem', 'path' = '\(path)', 'format' = 'json');
                SET 'table.exec.state.ttl' = 'soon';
                SELECT k, COUNT(*) FROM t GROUP BY k
                """)
        }
        let counted = try run(
            """
            CREATE TABLE t (k STRING) WITH ('connector' = 'filesystem', 'path' = '\(path)', 'format' = 'json');
            SET 'table.exec.state.ttl' = '1 h';
            SELECT k, COUNT(*) FROM t GROUP BY k
            """)
        #expect(counted.finalTable == ["a|1"])
    }
}
