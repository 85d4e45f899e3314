import SQLPlanner
import SQLSyntax
import SQLValues

/// FIRST_VALUE and LAST_VALUE: the first (last) non-NULL value, as Flink's. Retracting, a
/// group keeps its values in the order they came; a value taken back leaves at its oldest
/// occurrence (an update takes back the row it replaces, which came earlier).
final class FirstLastColumn: AggregateColumn {
    private let first: Bool
    /// The value so far (NULL: none yet), when not retracting.
    @exclusivity(unchecked) private var values: [Value] = []
    @exclusivity(unchecked) private var ordered: [[Value]] = []

    override init(_ call: AggregateCall, retracting: Bool) {
        first = if case .firstValue = call.kind { true } else { false }
        super.init(call, retracting: retracting)
    }

    override func appendGroup() {
        if retracting { ordered.append([]) } else { values.append(.null) }
    }

    override func reset(_ group: Int) {
        if retracting { ordered[group] = [] } else { values[group] = .null }
    }

    override func add(_ value: Value, to group: Int) {
        if value.isNull { return }
        if retracting {
            ordered[group].append(value)
        } else if !first || values[group].isNull {
            values[group] = value
        }
    }

    override func retract(_ value: Value, from group: Int) {
        guard retracting, !value.isNull, let index = ordered[group].firstIndex(of: value) else { return }
        ordered[group].remove(at: index)
    }

    /// `source` holds the later rows (sessions merge in order of time).
    override func merge(_ source: Int, into target: Int) {
        if retracting {
            ordered[target] += ordered[source]
        } else if !values[source].isNull, !first || values[target].isNull {
            values[target] = values[source]
        }
    }

    override func result(of group: Int) -> Value {
        guard retracting else { return values[group] }
        return (first ? ordered[group].first : ordered[group].last) ?? .null
    }

    override func saved(_ group: Int) -> Value { retracting ? .array(ordered[group]) : values[group] }

    override func restore(_ state: Value, into group: Int) throws(SQLError) {
        guard retracting else {
            values[group] = state
            return
        }
        guard case let .array(list) = state else { throw unreadable(state) }
        ordered[group] = list
    }
}

/// LISTAGG: the values' text joined with the separator, in the order they came; NULL for none.
final class ListaggColumn: AggregateColumn {
    private let separator: String
    @exclusivity(unchecked) private var counts: [Int64] = []
    @exclusivity(unchecked) private var texts: [[String]] = []

    override init(_ call: AggregateCall, retracting: Bool) {
        separator = if case let .listagg(separator) = call.kind { separator } else { "," }
        super.init(call, retracting: retracting)
    }

    override func appendGroup() {
        counts.append(0)
        texts.append([])
    }

    override func reset(_ group: Int) {
        counts[group] = 0
        texts[group] = []
    }

    override func add(_ value: Value, to group: Int) {
        if value.isNull { return }
        counts[group] += 1
        texts[group].append(ValueFormatter.plain(value))
    }

    override func retract(_ value: Value, from group: Int) {
        guard retracting, !value.isNull else { return }
        counts[group] -= 1
        if let index = texts[group].firstIndex(of: ValueFormatter.plain(value)) { texts[group].remove(at: index) }
    }

    override func merge(_ source: Int, into target: Int) {
        counts[target] += counts[source]
        texts[target] += texts[source]
    }

    override func result(of group: Int) -> Value {
        counts[group] > 0 ? .string(texts[group].joined(separator: separator)) : .null
    }

    override func saved(_ group: Int) -> Value {
        .row([.integer(counts[group]), .array(texts[group].map(Value.string))])
    }

    override func restore(_ state: Value, into group: Int) throws(SQLError) {
        guard case let .row(parts) = state, parts.count == 2, case let .integer(count) = parts[0],
            case let .array(list) = parts[1]
        else { throw unreadable(state) }
        var strings: [String] = []
        for item in list {
            guard case let .string(text) = item else { throw unreadable(state) }
            strings.append(text)
        }
        (counts[group], texts[group]) = (count, strings)
    }
}

/// LAG(value, offset[, default]) OVER (…): the value `offset` rows back in the partition, NULLs
/// included (LAG is about positions). A group keeps the last `offset + 1` values (the current
/// row's last) and the current row's default; with a default, the argument is ROW(value, default).
final class LagColumn: AggregateColumn {
    private let offset: Int
    private let hasDefault: Bool
    @exclusivity(unchecked) private var recent: [[Value]] = []
    @exclusivity(unchecked) private var defaults: [Value] = []

    override init(_ call: AggregateCall, retracting: Bool) {
        (offset, hasDefault) =
            if case let .lag(offset, hasDefault) = call.kind { (offset, hasDefault) } else { (1, false) }
        super.init(call, retracting: retracting)
    }

    override func appendGroup() {
        recent.append([])
        defaults.append(.null)
    }

    override func reset(_ group: Int) {
        recent[group] = []
        defaults[group] = .null
    }

    override func add(_ argument: Value, to group: Int) {
        var value = argument
        if hasDefault, case let .row(pair) = argument, pair.count == 2 {
            value = pair[0]
            defaults[group] = pair[1]
        }
        recent[group].append(value)
        if recent[group].count > offset + 1 { recent[group].removeFirst(recent[group].count - offset - 1) }
    }

    /// Positions are not taken back: a frame's LAG looks at rows, not at a sum of them.
    override func retract(_ value: Value, from group: Int) {}

    override func merge(_ source: Int, into target: Int) {
        recent[target] = Array((recent[target] + recent[source]).suffix(offset + 1))
        if !defaults[source].isNull { defaults[target] = defaults[source] }
    }

    override func result(of group: Int) -> Value {
        recent[group].count == offset + 1 ? recent[group][0] : defaults[group]
    }

    override func saved(_ group: Int) -> Value { .row([.array(recent[group]), defaults[group]]) }

    override func restore(_ state: Value, into group: Int) throws(SQLError) {
        guard case let .row(parts) = state, parts.count == 2, case let .array(list) = parts[0] else {
            throw unreadable(state)
        }
        (recent[group], defaults[group]) = (list, parts[1])
    }
}
