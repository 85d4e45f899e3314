import SQLPlanner
import SQLSyntax
import SQLValues

/// MIN and MAX. Retracting, a group also keeps its values with how many times each is in:
/// when the extreme is taken back, the next one is found among those still in.
final class ExtremeColumn: AggregateColumn {
    private let smallest: Bool
    @exclusivity(unchecked) private var extremes: [Value] = []
    /// Per group, when retracting: each value in, with its count.
    @exclusivity(unchecked) private var held: [[Value: Int64]] = []

    override init(_ call: AggregateCall, retracting: Bool) {
        smallest = if case .min = call.kind { true } else { false }
        super.init(call, retracting: retracting)
    }

    override func appendGroup() {
        extremes.append(.null)
        if retracting { held.append([:]) }
    }

    override func reset(_ group: Int) {
        extremes[group] = .null
        if retracting { held[group] = [:] }
    }

    /// Whether `value` goes before the group's extreme (or there is none).
    @inline(__always)
    private func beats(_ value: Value, _ extreme: Value) -> Bool {
        if extreme.isNull { return true }
        let order = CompiledExpression.compare(value, extreme) ?? 0
        return smallest ? order < 0 : order > 0
    }

    override func add(_ value: Value, to group: Int) {
        if value.isNull { return }
        if retracting { held[group][value, default: 0] += 1 }
        if beats(value, extremes[group]) { extremes[group] = value }
    }

    override func retract(_ value: Value, from group: Int) {
        guard retracting, !value.isNull, let times = held[group][value] else { return }
        held[group][value] = times > 1 ? times - 1 : nil
        var extreme = Value.null
        for candidate in held[group].keys where beats(candidate, extreme) { extreme = candidate }
        extremes[group] = extreme
    }

    override func merge(_ source: Int, into target: Int) {
        if retracting {
            for (value, times) in held[source] { held[target][value, default: 0] += times }
        }
        let other = extremes[source]
        if !other.isNull, beats(other, extremes[target]) { extremes[target] = other }
    }

    override func result(of group: Int) -> Value { extremes[group] }

    override func saved(_ group: Int) -> Value {
        guard retracting else { return extremes[group] }
        return .array(held[group].map { .row([$0.key, .integer($0.value)]) })
    }

    override func restore(_ state: Value, into group: Int) throws(SQLError) {
        guard retracting else {
            extremes[group] = state
            return
        }
        guard case let .array(entries) = state else { throw unreadable(state) }
        for entry in entries {
            guard case let .row(pair) = entry, pair.count == 2, case let .integer(times) = pair[1] else {
                throw unreadable(state)
            }
            held[group][pair[0]] = times
            if beats(pair[0], extremes[group]) { extremes[group] = pair[0] }
        }
    }
}
