import SQLPlanner
import SQLSyntax
import SQLValues

/// An aggregate of DISTINCT values: a value goes to the aggregate of its kind the first time it
/// comes to a group (and, retracting, is taken back from it when its last occurrence goes).
final class DistinctColumn: AggregateColumn {
    private let inner: AggregateColumn
    @exclusivity(unchecked) private var seen: [Set<Value>] = []
    /// Per group, the distinct values in the order they came (what a merge replays, so that
    /// FIRST_VALUE and LISTAGG of DISTINCT values keep their order).
    @exclusivity(unchecked) private var arrived: [[Value]] = []
    /// Per group, when retracting: each value in, with its count.
    @exclusivity(unchecked) private var held: [[Value: Int64]] = []

    init(_ call: AggregateCall, retracting: Bool, inner: AggregateColumn) {
        self.inner = inner
        super.init(call, retracting: retracting)
    }

    override func appendGroup() {
        if retracting {
            held.append([:])
        } else {
            seen.append([])
            arrived.append([])
        }
        inner.appendGroup()
    }

    override func reset(_ group: Int) {
        if retracting {
            held[group] = [:]
        } else {
            seen[group] = []
            arrived[group] = []
        }
        inner.reset(group)
    }

    override func add(_ value: Value, to group: Int) {
        if value.isNull { return }
        if retracting {
            let times = held[group][value, default: 0]
            held[group][value] = times + 1
            if times == 0 { inner.add(value, to: group) }
        } else if seen[group].insert(value).inserted {
            arrived[group].append(value)
            inner.add(value, to: group)
        }
    }

    override func retract(_ value: Value, from group: Int) {
        guard retracting, !value.isNull, let times = held[group][value] else { return }
        held[group][value] = times > 1 ? times - 1 : nil
        if times == 1 { inner.retract(value, from: group) }
    }

    /// The values `source` has and `target` has not go to `target`'s aggregate.
    override func merge(_ source: Int, into target: Int) {
        if retracting {
            for (value, times) in held[source] {
                if held[target][value] == nil { inner.add(value, to: target) }
                held[target][value, default: 0] += times
            }
        } else {
            for value in arrived[source] where seen[target].insert(value).inserted {
                arrived[target].append(value)
                inner.add(value, to: target)
            }
        }
    }

    override func result(of group: Int) -> Value { inner.result(of: group) }

    override func saved(_ group: Int) -> Value {
        let values: Value =
            retracting
            ? .array(held[group].map { .row([$0.key, .integer($0.value)]) }) : .array(arrived[group])
        return .row([values, inner.saved(group)])
    }

    override func restore(_ state: Value, into group: Int) throws(SQLError) {
        guard case let .row(parts) = state, parts.count == 2, case let .array(values) = parts[0] else {
            throw unreadable(state)
        }
        for value in values {
            if retracting {
                guard case let .row(pair) = value, pair.count == 2, case let .integer(times) = pair[1] else {
                    throw unreadable(state)
                }
                held[group][pair[0]] = times
            } else if seen[group].insert(value).inserted {
                arrived[group].append(value)
            }
        }
        try inner.restore(parts[1], into: group)
    }
}
