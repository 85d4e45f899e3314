import Foundation
import SQLSyntax
import Testing

@testable import SQLConnectors
@testable import SQLPlanner
@testable import SQLRuntime
@testable import SQLValues
@testable import StreamSQL

/// Operators that keep state between rows, stopped at a checkpoint and resumed from what they
/// saved: the rows after the resume are the rows an operator that never stopped gives.
@Suite struct OperatorStateTests {
    /// What an operator emits.
    final class Capture: Operator {
        var rows: [Row] = []
        var kinds: [RowKind] = []

        override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
            self.rows += rows
            self.kinds += kinds ?? Array(repeating: .insert, count: rows.count)
        }

        override func watermark(_ time: Int64) throws(SQLError) {}
    }

    /// Batches of rows (key, value, event time) in rough order of time, each followed by a
    /// watermark a second behind the latest time so far.
    static func batches(seed: UInt64) -> [(rows: [Row], watermark: Int64)] {
        var generator = Seeded(seed)
        var batches: [(rows: [Row], watermark: Int64)] = []
        var latest: Int64 = 0
        for batch in 0..<30 {
            var rows: [Row] = []
            for _ in 0..<10 {
                let time = Int64(batch) * 1_000_000 + Int64.random(in: -1_500_000...1_000_000, using: &generator)
                latest = max(latest, time)
                rows.append([
                    .string("k\(Int.random(in: 0..<4, using: &generator))"),
                    .integer(Int64.random(in: 1...9, using: &generator)), .timestamp(time),
                ])
            }
            batches.append((rows, latest - 1_000_000))
        }
        return batches
    }

    /// The output of `make()` over all batches, and over the same batches with the operator
    /// saved after `stop` of them and a fresh one restored from that.
    static func straightAndResumed<Stateful: Operator & StatefulOperator>(
        _ make: () -> Stateful, stop: Int, seed: UInt64
    ) throws -> ([Row], [Row]) {
        let batches = Self.batches(seed: seed)
        let straight = make(), straightOutput = Capture()
        straight.output = straightOutput
        for batch in batches {
            try straight.process(batch.rows, kinds: nil)
            try straight.watermark(batch.watermark)
        }
        let first = make(), firstOutput = Capture()
        first.output = firstOutput
        for batch in batches[..<stop] {
            try first.process(batch.rows, kinds: nil)
            try first.watermark(batch.watermark)
        }
        let saved = try first.saveState(JSONEncoder())
        let second = make()
        second.output = firstOutput
        try second.restoreState(saved, JSONDecoder())
        for batch in batches[stop...] {
            try second.process(batch.rows, kinds: nil)
            try second.watermark(batch.watermark)
        }
        return (straightOutput.rows, firstOutput.rows)
    }

    @Test(arguments: [OverFrame.unboundedRange, .unboundedRows, .rows(2), .range(3_000_000)])
    func overAggregatesResumeFromTheirSavedState(frame: OverFrame) throws {
        for (seed, stop) in [(1, 7), (2, 15), (3, 29)] as [(UInt64, Int)] {
            let (straight, resumed) = try Self.straightAndResumed(
                {
                    OverAggregateOperator(
                        partition: [.column(0)], timeColumn: 2, eventTime: true, frame: frame,
                        aggregates: [
                            AggregateCall(
                                kind: .sum, argument: .column(1), distinct: false, resultType: .bigint, text: "SUM(v)")
                        ])
                }, stop: stop, seed: seed)
            #expect(!straight.isEmpty)
            #expect(resumed == straight, "\(frame), stopped after \(stop) batches")
        }
    }

    @Test func rowNumbersResumeFromTheirSavedState() throws {
        for (seed, stop) in [(4, 5), (5, 20)] as [(UInt64, Int)] {
            let (straight, resumed) = try Self.straightAndResumed(
                {
                    RowNumberOperator(
                        partition: [.column(0)], order: [(.column(1), true, false)], windowEnd: nil, limit: 3,
                        updating: true)
                }, stop: stop, seed: seed)
            #expect(!straight.isEmpty)
            #expect(resumed == straight, "stopped after \(stop) batches")
        }
    }

    /// A GROUP BY over a changelog saves what taking values back needs (MIN's and DISTINCT's
    /// value counts, FIRST_VALUE's values in order, each group's count of rows).
    @Test func aggregatesOverAChangelogResumeFromTheirSavedState() throws {
        func call(_ kind: AggregateCall.Kind, _ column: Int?, distinct: Bool = false) -> AggregateCall {
            AggregateCall(
                kind: kind, argument: column.map { .column($0) }, distinct: distinct, resultType: .bigint,
                text: "\(kind)")
        }
        for (seed, stop) in [(6, 8), (7, 22)] as [(UInt64, Int)] {
            // The changelog: per key, its count and sum so far, updated batch after batch.
            let inner = GroupAggregateOperator(keys: [.column(0)], aggregates: [call(.count, nil), call(.sum, 1)])
            let changes = Capture()
            inner.output = changes
            var changelog: [(rows: [Row], kinds: [RowKind])] = []
            for batch in Self.batches(seed: seed) {
                let (rowsBefore, kindsBefore) = (changes.rows.count, changes.kinds.count)
                try inner.process(batch.rows, kinds: nil)
                changelog.append((Array(changes.rows[rowsBefore...]), Array(changes.kinds[kindsBefore...])))
            }
            func make() -> GroupAggregateOperator {
                GroupAggregateOperator(
                    keys: [.column(1)],
                    aggregates: [
                        call(.count, nil), call(.min, 2), call(.max, 2), call(.sum, 2, distinct: true),
                        call(.firstValue, 0),
                    ], retracting: true)
            }
            let straight = make(), straightOutput = Capture()
            straight.output = straightOutput
            for batch in changelog { try straight.process(batch.rows, kinds: batch.kinds) }
            let first = make(), resumedOutput = Capture()
            first.output = resumedOutput
            for batch in changelog[..<stop] { try first.process(batch.rows, kinds: batch.kinds) }
            let second = make()
            second.output = resumedOutput
            try second.restoreState(try first.saveState(JSONEncoder()), JSONDecoder())
            for batch in changelog[stop...] { try second.process(batch.rows, kinds: batch.kinds) }
            #expect(straightOutput.kinds.contains(.delete))
            #expect(
                resumedOutput.rows == straightOutput.rows && resumedOutput.kinds == straightOutput.kinds,
                "stopped after \(stop) batches")
        }
    }
}

/// A small seeded generator (SplitMix64), so that each case is the same every run.
struct Seeded: RandomNumberGenerator {
    private var state: UInt64

    init(_ seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
