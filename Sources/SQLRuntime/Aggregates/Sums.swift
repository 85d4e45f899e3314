import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

/// COUNT(*) (every row) and COUNT(x) (rows where x is not NULL).
final class CountColumn: AggregateColumn {
    @exclusivity(unchecked) private var counts: [Int64] = []
    private let countsRows: Bool

    override init(_ call: AggregateCall, retracting: Bool) {
        countsRows = call.argument == nil
        super.init(call, retracting: retracting)
    }

    override func appendGroup() { counts.append(0) }
    override func reset(_ group: Int) { counts[group] = 0 }

    override func add(_ value: Value, to group: Int) {
        if countsRows || !value.isNull { counts[group] &+= 1 }
    }

    override func add(column: Int?, of rows: [Row], _ run: GroupedRows) {
        counts.withUnsafeMutableBufferPointer { counts in
            for index in run.groups.indices
            where countsRows || column.map({ !rows[run.positions[index]][$0].isNull }) ?? true {
                counts[run.groups[index]] &+= 1
            }
        }
    }

    override func retract(_ value: Value, from group: Int) {
        if countsRows || (retracting && !value.isNull) { counts[group] &-= 1 }
    }

    override func merge(_ source: Int, into target: Int) { counts[target] &+= counts[source] }
    override func result(of group: Int) -> Value { .integer(counts[group]) }
    override func saved(_ group: Int) -> Value { .integer(counts[group]) }

    override func restore(_ state: Value, into group: Int) throws(SQLError) {
        guard case let .integer(count) = state else { throw unreadable(state) }
        counts[group] = count
    }
}

/// SUM and AVG: a count and a sum in the arithmetic of the result's type — integers wrap
/// (as Flink's BIGINT sum does), DOUBLEs add in order, DECIMALs exactly. NULLs are skipped;
/// a group of none has a NULL sum.
final class SumColumn: AggregateColumn {
    private enum Arithmetic { case integer, double, decimal }

    private let arithmetic: Arithmetic
    private let average: Bool
    @exclusivity(unchecked) private var counts: [Int64] = []
    @exclusivity(unchecked) private var integers: [Int64] = []
    @exclusivity(unchecked) private var doubles: [Double] = []
    @exclusivity(unchecked) private var decimals: [Decimal] = []

    override init(_ call: AggregateCall, retracting: Bool) {
        arithmetic =
            switch call.resultType {
            case .double, .float: .double
            case .decimal: .decimal
            default: .integer
            }
        average = if case .avg = call.kind { true } else { false }
        super.init(call, retracting: retracting)
    }

    override func appendGroup() {
        counts.append(0)
        switch arithmetic {
        case .integer: integers.append(0)
        case .double: doubles.append(0)
        case .decimal: decimals.append(Decimal())
        }
    }

    override func reset(_ group: Int) {
        counts[group] = 0
        switch arithmetic {
        case .integer: integers[group] = 0
        case .double: doubles[group] = 0
        case .decimal: decimals[group] = Decimal()
        }
    }

    override func add(_ value: Value, to group: Int) {
        switch (value, arithmetic) {
        case (.null, _): return
        case let (.integer(number), .integer): integers[group] &+= number
        case let (.double(number), .double): doubles[group] += number
        case let (.integer(number), .double): doubles[group] += Double(number)
        case let (.decimal(number), .decimal): decimals[group] += number
        case let (.integer(number), .decimal): decimals[group] += Decimal(number)
        default: break
        }
        counts[group] &+= 1
    }

    /// The usual SUM of a DOUBLE or a BIGINT column in one loop; other values (NULLs, an
    /// integer in a DOUBLE sum) the general way after it.
    override func add(column: Int?, of rows: [Row], _ run: GroupedRows) {
        guard let column, arithmetic != .decimal else { return super.add(column: column, of: rows, run) }
        var others: [Int] = []
        counts.withUnsafeMutableBufferPointer { counts in
            if arithmetic == .double {
                doubles.withUnsafeMutableBufferPointer { sums in
                    for index in run.groups.indices {
                        guard case let .double(number) = rows[run.positions[index]][column] else {
                            others.append(index)
                            continue
                        }
                        sums[run.groups[index]] += number
                        counts[run.groups[index]] &+= 1
                    }
                }
            } else {
                integers.withUnsafeMutableBufferPointer { sums in
                    for index in run.groups.indices {
                        guard case let .integer(number) = rows[run.positions[index]][column] else {
                            others.append(index)
                            continue
                        }
                        sums[run.groups[index]] &+= number
                        counts[run.groups[index]] &+= 1
                    }
                }
            }
        }
        for index in others { add(rows[run.positions[index]][column], to: run.groups[index]) }
    }

    override func retract(_ value: Value, from group: Int) {
        guard retracting else { return }
        switch (value, arithmetic) {
        case (.null, _): return
        case let (.integer(number), .integer): integers[group] &-= number
        case let (.double(number), .double): doubles[group] -= number
        case let (.integer(number), .double): doubles[group] -= Double(number)
        case let (.decimal(number), .decimal): decimals[group] -= number
        case let (.integer(number), .decimal): decimals[group] -= Decimal(number)
        default: break
        }
        counts[group] &-= 1
    }

    override func merge(_ source: Int, into target: Int) {
        counts[target] &+= counts[source]
        switch arithmetic {
        case .integer: integers[target] &+= integers[source]
        case .double: doubles[target] += doubles[source]
        case .decimal: decimals[target] += decimals[source]
        }
    }

    override func result(of group: Int) -> Value {
        let count = counts[group]
        guard count > 0 else { return .null }
        switch arithmetic {
        case .integer: return .integer(average ? integers[group] / count : integers[group])
        case .double: return .double(average ? doubles[group] / Double(count) : doubles[group])
        case .decimal: return .decimal(average ? decimals[group] / Decimal(count) : decimals[group])
        }
    }

    private func sum(of group: Int) -> Value {
        switch arithmetic {
        case .integer: .integer(integers[group])
        case .double: .double(doubles[group])
        case .decimal: .decimal(decimals[group])
        }
    }

    override func saved(_ group: Int) -> Value { .row([.integer(counts[group]), sum(of: group)]) }

    override func restore(_ state: Value, into group: Int) throws(SQLError) {
        guard case let .row(parts) = state, parts.count == 2, case let .integer(count) = parts[0] else {
            throw unreadable(state)
        }
        switch (parts[1], arithmetic) {
        case let (.integer(sum), .integer): integers[group] = sum
        case let (.double(sum), .double): doubles[group] = sum
        case let (.decimal(sum), .decimal): decimals[group] = sum
        default: throw unreadable(state)
        }
        counts[group] = count
    }
}
