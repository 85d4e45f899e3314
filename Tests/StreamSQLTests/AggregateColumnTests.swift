import Foundation
import SQLSyntax
import SQLValues
import Testing

@testable import SQLPlanner
@testable import SQLRuntime

/// Each kind of aggregate against the laws the operators rely on: a value taken back leaves
/// the group as if it never came (GROUP BY over a changelog, OVER frames), two groups merged
/// equal one group given both groups' values (session windows), and a group saved and
/// restored equals the group (checkpoints). Results are checked against values worked out
/// from the input, not against the column itself.
@Suite struct AggregateColumnTests {
    static func call(
        _ kind: AggregateCall.Kind, _ type: DataType, distinct: Bool = false, countsRows: Bool = false
    ) -> AggregateCall {
        AggregateCall(
            kind: kind, argument: countsRows ? nil : .column(0), distinct: distinct, resultType: type, text: "\(kind)")
    }

    /// Integers with repeats and NULLs, in a fixed order.
    static let integers: [Value] = ([5, 3, nil, 9, 3, 12, nil, -4, 9, 7] as [Int64?]).map { number in
        number.map(Value.integer) ?? .null
    }
    static var present: [Int64] { integers.compactMap { if case let .integer(n) = $0 { n } else { nil } } }

    /// What each aggregate over `integers` is, worked out here.
    static let expectations: [(AggregateCall, Value)] = {
        let values = present
        let distinctValues = values.reduce(into: [Int64]()) { if !$0.contains($1) { $0.append($1) } }
        let sum = values.reduce(0, +)
        let mean = Double(sum) / Double(values.count)
        let squares = values.map { (Double($0) - mean) * (Double($0) - mean) }.reduce(0, +)
        return [
            (call(.count, .bigint, countsRows: true), .integer(Int64(integers.count))),
            (call(.count, .bigint), .integer(Int64(values.count))),
            (call(.count, .bigint, distinct: true), .integer(Int64(distinctValues.count))),
            (call(.sum, .bigint), .integer(sum)),
            (call(.sum, .bigint, distinct: true), .integer(distinctValues.reduce(0, +))),
            (call(.avg, .bigint), .integer(sum / Int64(values.count))),
            (call(.sum, .decimal(precision: 38, scale: 0)), .decimal(Decimal(sum))),
            (call(.min, .bigint), .integer(values.min()!)),
            (call(.max, .bigint), .integer(values.max()!)),
            (call(.firstValue, .bigint), .integer(values.first!)),
            (call(.lastValue, .bigint), .integer(values.last!)),
            (call(.listagg(separator: "|"), .string), .string(values.map(String.init).joined(separator: "|"))),
            (
                call(.variance(population: true, root: false), .bigint),
                .integer((values.map { $0 * $0 }.reduce(0, +) - sum * sum / Int64(values.count)) / Int64(values.count))
            ),
            (call(.variance(population: true, root: false), .double), .double(squares / Double(values.count))),
        ]
    }()

    /// The values as a DOUBLE column gives them (for the DOUBLE variance).
    static func argument(_ value: Value, for call: AggregateCall) -> Value {
        if case .double = call.resultType, case let .integer(number) = value { return .double(Double(number)) }
        return value
    }

    static func result(_ call: AggregateCall, retracting: Bool, _ fill: (AggregateColumns, Int) -> Void) -> Value {
        let columns = AggregateColumns([call], retracting: retracting)
        let group = columns.newGroup()
        fill(columns, group)
        return columns.results(of: group)[0]
    }

    static func same(_ a: Value, _ b: Value) -> Bool {
        if case let .double(x) = a, case let .double(y) = b { return abs(x - y) <= 1e-9 * max(1, abs(x)) }
        return a == b
    }

    @Test func eachKindGivesItsValue() {
        for (call, expected) in Self.expectations {
            for retracting in [false, true] {
                let value = Self.result(call, retracting: retracting) { columns, group in
                    for value in Self.integers { columns.add([Self.argument(value, for: call)], to: group) }
                }
                #expect(Self.same(value, expected), "\(call.text) retracting \(retracting): \(value), not \(expected)")
            }
        }
    }

    @Test func aValueTakenBackLeavesTheGroupAsIfItNeverCame() {
        let extra: [Value] = [.integer(100), .integer(-50), .integer(3), .null]
        for (call, expected) in Self.expectations {
            // The extra values come first: FIRST_VALUE's first and LISTAGG's order must survive them leaving.
            let value = Self.result(call, retracting: true) { columns, group in
                for value in extra + Self.integers { columns.add([Self.argument(value, for: call)], to: group) }
                for value in extra { columns.retract([Self.argument(value, for: call)], from: group) }
            }
            #expect(Self.same(value, expected), "\(call.text): \(value) after taking back, not \(expected)")
        }
    }

    @Test func twoGroupsMergedEqualOneGivenBothGroupsValues() {
        for (call, expected) in Self.expectations {
            let columns = AggregateColumns([call])
            let (earlier, later) = (columns.newGroup(), columns.newGroup())
            for value in Self.integers.prefix(4) { columns.add([Self.argument(value, for: call)], to: earlier) }
            for value in Self.integers.dropFirst(4) { columns.add([Self.argument(value, for: call)], to: later) }
            columns.merge(later, into: earlier)
            let value = columns.results(of: earlier)[0]
            #expect(Self.same(value, expected), "\(call.text): \(value) merged, not \(expected)")
        }
    }

    @Test func aSavedGroupRestoresEqual() throws {
        for (call, expected) in Self.expectations {
            for retracting in [false, true] {
                let columns = AggregateColumns([call], retracting: retracting)
                let group = columns.newGroup()
                for value in Self.integers { columns.add([Self.argument(value, for: call)], to: group) }
                // Through JSON, as a checkpoint writes it.
                let data = try JSONEncoder().encode(columns.saved(group))
                let restored = AggregateColumns([call], retracting: retracting)
                let copy = try restored.restoredGroup(JSONDecoder().decode([Value].self, from: data))
                #expect(Self.same(restored.results(of: copy)[0], expected), "\(call.text) retracting \(retracting)")
                if retracting {
                    // What retracting keeps came back too: the extreme taken back finds the next one.
                    restored.retract([Self.argument(Self.integers[0], for: call)], from: copy)
                    columns.retract([Self.argument(Self.integers[0], for: call)], from: group)
                    #expect(Self.same(restored.results(of: copy)[0], columns.results(of: group)[0]), "\(call.text)")
                }
            }
        }
    }

    @Test func aReusedGroupNumberStartsFresh() {
        let columns = AggregateColumns(Self.expectations.map(\.0))
        let group = columns.newGroup()
        columns.add(Array(repeating: .integer(7), count: columns.width), to: group)
        columns.release(group)
        let reused = columns.newGroup()
        #expect(reused == group)
        let fresh = AggregateColumns(Self.expectations.map(\.0))
        #expect(columns.results(of: reused) == fresh.results(of: fresh.newGroup()))
    }

    @Test func aStateAnotherKindWroteIsRefused() {
        let columns = AggregateColumns([Self.call(.sum, .bigint)])
        #expect(throws: SQLError.self) { try columns.restoredGroup([.string("not a sum")]) }
        #expect(throws: SQLError.self) { try columns.restoredGroup([]) }
    }
}
