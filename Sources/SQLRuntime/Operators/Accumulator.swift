import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

/// The running state of one aggregate for one group (and window).
package struct Accumulator: Codable {
    var count: Int64 = 0
    var integerSum: Int64 = 0
    var doubleSum: Double = 0
    var decimalSum = Decimal()
    var extreme: Value = .null
    var first: Value?
    var last: Value = .null
    var strings: [String] = []
    var distinct: Set<Value>?
    /// A native aggregate's state; the sum of squares of a variance; LAG's last values.
    var state: Value = .null
    /// What taking values back needs, for an aggregate over a changelog (nil otherwise).
    var retraction: Retraction?

    /// An aggregate over a changelog keeps what a sum or a count does not: the values now
    /// in, with how many times each (MIN and MAX are found among them; DISTINCT counts a
    /// value while it is in at least once), and in the order they came (FIRST_VALUE, LAST_VALUE).
    package struct Retraction: Codable {
        var counts: [Value: Int64] = [:]
        var ordered: [Value] = []
    }

    // Checkpoints write only what differs from a fresh accumulator: most aggregates use one or two fields.
    private enum CodingKeys: String, CodingKey {
        case count = "c", integerSum = "i", doubleSum = "f", decimalSum = "d", extreme = "x", first = "a", last = "z",
            strings = "s"
        case distinct = "u", state = "n", retraction = "r"
    }

    package func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if count != 0 { try container.encode(count, forKey: .count) }
        if integerSum != 0 { try container.encode(integerSum, forKey: .integerSum) }
        if doubleSum != 0 { try container.encode(doubleSum, forKey: .doubleSum) }
        if decimalSum != 0 { try container.encode(decimalSum.description, forKey: .decimalSum) }
        if !extreme.isNull { try container.encode(extreme, forKey: .extreme) }
        try container.encodeIfPresent(first, forKey: .first)
        if !last.isNull { try container.encode(last, forKey: .last) }
        if !strings.isEmpty { try container.encode(strings, forKey: .strings) }
        try container.encodeIfPresent(distinct, forKey: .distinct)
        if !state.isNull { try container.encode(state, forKey: .state) }
        try container.encodeIfPresent(retraction, forKey: .retraction)
    }

    package init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        count = try container.decodeIfPresent(Int64.self, forKey: .count) ?? 0
        integerSum = try container.decodeIfPresent(Int64.self, forKey: .integerSum) ?? 0
        doubleSum = try container.decodeIfPresent(Double.self, forKey: .doubleSum) ?? 0
        decimalSum =
            try container.decodeIfPresent(String.self, forKey: .decimalSum).flatMap { Decimal(string: $0) } ?? Decimal()
        extreme = try container.decodeIfPresent(Value.self, forKey: .extreme) ?? .null
        first = try container.decodeIfPresent(Value.self, forKey: .first)
        last = try container.decodeIfPresent(Value.self, forKey: .last) ?? .null
        strings = try container.decodeIfPresent([String].self, forKey: .strings) ?? []
        distinct = try container.decodeIfPresent(Set<Value>.self, forKey: .distinct)
        state = try container.decodeIfPresent(Value.self, forKey: .state) ?? .null
        retraction = try container.decodeIfPresent(Retraction.self, forKey: .retraction)
    }

    /// A fresh accumulator of `call`; `retracting` when its values may be taken back.
    init(_ call: AggregateCall, retracting: Bool = false) {
        if retracting { retraction = Retraction() } else if call.distinct { distinct = [] }
        if case let .native(function) = call.kind { state = function.initial }
    }

    mutating func add(_ value: Value, _ call: AggregateCall) {
        if call.argument == nil {
            count += 1
            return
        }
        if case let .lag(offset, hasDefault) = call.kind {
            // Every row counts, NULL or not: LAG is about positions.
            addLagging(value, offset: offset, hasDefault: hasDefault)
            return
        }
        // NULLs are skipped, by FIRST_VALUE too (as Flink's: its first non-NULL value).
        if value.isNull { return }
        if retraction != nil, call.distinct || Self.keepsValues(call) {
            let times = retraction!.counts[value, default: 0]
            retraction!.counts[value] = times + 1
            if call.distinct, times > 0 { return }
        } else if distinct != nil, !distinct!.insert(value).inserted {
            return
        }
        count += 1
        switch call.kind {
        case .count: break
        case .sum, .avg:
            switch value {
            case let .integer(number): integerSum &+= number
            case let .double(number): doubleSum += number
            case let .decimal(number): decimalSum += number
            default: break
            }
        case .min:
            if extreme.isNull || (CompiledExpression.compare(value, extreme) ?? 0) < 0 { extreme = value }
        case .max:
            if extreme.isNull || (CompiledExpression.compare(value, extreme) ?? 0) > 0 { extreme = value }
        case .firstValue:
            if retraction != nil { retraction!.ordered.append(value) } else if first == nil { first = value }
        case .lastValue:
            if retraction != nil { retraction!.ordered.append(value) } else { last = value }
        case .listagg:
            strings.append(ValueFormatter.plain(value))
        case .variance:
            addSquared(value, sign: 1)
        case .lag:
            break
        case let .native(function):
            function.add(&state, value)
        }
    }

    /// A variance's sum and sum of squares, in the argument's arithmetic (as Flink reduces
    /// VAR_POP to SUM(x * x) and SUM(x) of the argument's type); `sign` -1 takes a value back.
    private mutating func addSquared(_ value: Value, sign: Int64) {
        switch (value, state) {
        case let (.integer(number), .integer(squares)):
            (integerSum, state) = (integerSum &+ sign &* number, .integer(squares &+ sign &* number &* number))
        case let (.integer(number), _):
            (integerSum, state) = (integerSum &+ sign &* number, .integer(sign &* number &* number))
        case let (.double(number), _):
            // DOUBLEs the way Flink's variance runs (Welford's): `doubleSum` the mean so far and
            // `state` the sum of squared differences from it; `count` already counts this value
            // (or no longer counts a value taken back).
            var squares = 0.0
            if case let .double(held) = state { squares = held }
            guard count > 0 else {
                (doubleSum, state) = (0, .double(0))
                return
            }
            let delta = number - doubleSum
            doubleSum += Double(sign) * delta / Double(count)
            state = .double(squares + Double(sign) * delta * (number - doubleSum))
        case let (.decimal(number), .decimal(squares)):
            (decimalSum, state) = (
                decimalSum + Decimal(sign) * number, .decimal(squares + Decimal(sign) * number * number)
            )
        case let (.decimal(number), _):
            (decimalSum, state) = (decimalSum + Decimal(sign) * number, .decimal(Decimal(sign) * number * number))
        default:
            break
        }
    }

    /// LAG keeps the last `offset + 1` values (the current row's last) and the current row's default.
    private mutating func addLagging(_ argument: Value, offset: Int, hasDefault: Bool) {
        var value = argument
        if hasDefault, case let .row(pair) = argument, pair.count == 2 {
            value = pair[0]
            last = pair[1]
        }
        var recent: [Value] = []
        if case let .array(kept) = state {
            state = .null
            recent = kept
        }
        recent.append(value)
        if recent.count > offset + 1 { recent.removeFirst(recent.count - offset - 1) }
        state = .array(recent)
        count += 1
    }

    /// Takes back a value added before (an update's old row, a deleted row): the accumulator
    /// becomes what it would be had the value never come. Needs `retracting` accumulators.
    mutating func retract(_ value: Value, _ call: AggregateCall) {
        if call.argument == nil {
            count -= 1
            return
        }
        guard !value.isNull, retraction != nil else { return }
        if call.distinct || Self.keepsValues(call) {
            // A value never added (a changelog that takes back more than it gave) changes nothing.
            guard let times = retraction!.counts[value] else { return }
            retraction!.counts[value] = times > 1 ? times - 1 : nil
            if call.distinct, times > 1 { return }
        }
        count -= 1
        switch call.kind {
        case .count: break
        case .sum, .avg:
            switch value {
            case let .integer(number): integerSum &-= number
            case let .double(number): doubleSum -= number
            case let .decimal(number): decimalSum -= number
            default: break
            }
        case .min, .max:
            // The extreme is found again among the values still in.
            let smallest = if case .min = call.kind { true } else { false }
            extreme = .null
            for candidate in retraction!.counts.keys {
                let order = extreme.isNull ? 0 : CompiledExpression.compare(candidate, extreme) ?? 0
                if extreme.isNull || (smallest ? order < 0 : order > 0) { extreme = candidate }
            }
        case .firstValue, .lastValue:
            // The oldest occurrence goes: an update takes back the row it replaces, which came earlier.
            if let index = retraction!.ordered.firstIndex(of: value) { retraction!.ordered.remove(at: index) }
        case .listagg:
            let text = ValueFormatter.plain(value)
            if let index = strings.firstIndex(of: text) { strings.remove(at: index) }
        case .variance:
            addSquared(value, sign: -1)
        case .lag:
            break
        case let .native(function):
            function.retract?(&state, value)
        }
    }

    /// Whether the aggregate needs its values counted to take one back (MIN and MAX).
    private static func keepsValues(_ call: AggregateCall) -> Bool {
        switch call.kind {
        case .min, .max: true
        default: false
        }
    }

    /// Each aggregate's argument evaluated on `row` (NULL for COUNT(*)).
    static func arguments(_ aggregates: [AggregateCall], of row: Row) throws(SQLError) -> [Value] {
        var values: [Value] = []
        values.reserveCapacity(aggregates.count)
        for aggregate in aggregates { values.append(try aggregate.argument?.evaluate(row) ?? .null) }
        return values
    }

    static func add(_ values: [Value], to accumulators: inout [Accumulator], _ aggregates: [AggregateCall]) {
        for position in aggregates.indices { accumulators[position].add(values[position], aggregates[position]) }
    }

    func result(_ call: AggregateCall) -> Value {
        switch call.kind {
        case .count: return .integer(count)
        case .sum:
            guard count > 0 else { return .null }
            return Self.typed(integerSum, doubleSum, decimalSum, call.resultType)
        case .avg:
            guard count > 0 else { return .null }
            switch call.resultType {
            case .double, .float: return .double(doubleSum / Double(count))
            case .decimal: return .decimal(decimalSum / Decimal(count))
            default: return .integer(integerSum / count)
            }
        case .min, .max: return extreme
        case .firstValue: return retraction.map { $0.ordered.first ?? .null } ?? first ?? .null
        case .lastValue: return retraction.map { $0.ordered.last ?? .null } ?? last
        case let .listagg(separator): return count > 0 ? .string(strings.joined(separator: separator)) : .null
        case let .variance(population, root): return variance(population: population, root: root, type: call.resultType)
        case let .lag(offset, _):
            if case let .array(recent) = state, recent.count == offset + 1 { return recent[0] }
            return last
        case let .native(function): return function.result(state)
        }
    }

    /// The variances: of DOUBLEs from Welford's running sums, as Flink computes them; of
    /// integers and DECIMALs Calcite's reduction in the argument's arithmetic,
    /// (SUM(x²) − SUM(x)² / COUNT) / COUNT (or COUNT − 1, and NULL for one value); the
    /// standard deviations the square root in the result's type.
    private func variance(population: Bool, root: Bool, type: DataType) -> Value {
        let divisor = population ? count : count - 1
        guard count > 0, divisor > 0 else { return .null }
        switch (type, state) {
        case let (.double, .double(squares)), let (.float, .double(squares)):
            let variance = max(0, squares) / Double(divisor)
            return .double(root ? variance.squareRoot() : variance)
        case let (.decimal, .decimal(squares)):
            let variance = (squares - decimalSum * decimalSum / Decimal(count)) / Decimal(divisor)
            return .decimal(root ? Decimal(Double(truncating: variance as NSNumber).squareRoot()) : variance)
        case let (_, .integer(squares)):
            let variance = (squares &- integerSum &* integerSum / count) / divisor
            return .integer(root ? Int64(Double(variance).squareRoot()) : variance)
        default:
            return .null
        }
    }

    static func typed(_ integer: Int64, _ double: Double, _ decimal: Decimal, _ type: DataType) -> Value {
        switch type {
        case .double, .float: return .double(double)
        case .decimal: return .decimal(decimal)
        default: return .integer(integer)
        }
    }
}
