import SQLPlanner
import SQLSyntax
import SQLValues

/// One aggregate's state for every group of an operator, by group number: a subclass per
/// kind of aggregate (COUNT, SUM and AVG, MIN and MAX, …), each keeping its groups' state
/// side by side in arrays of its own — no object or array per group for the usual kinds, and
/// one call per row and aggregate (DataFusion's `GroupsAccumulator` is the model).
///
/// A group is numbered by whoever owns the columns (`AggregateColumns`): group `n` exists
/// once `appendGroup` was called `n + 1` times. A column is made `retracting` when the values
/// it was given may be taken back (a GROUP BY over a changelog, an OVER frame's rows leaving
/// it): kinds that cannot take back a value from a sum keep the values themselves then.
///
/// Subclasses mark their arrays `@exclusivity(unchecked)`: a column is used by one operator on
/// the query's thread, and a class's properties would otherwise be checked on every row.
package class AggregateColumn {
    let call: AggregateCall
    let retracting: Bool

    init(_ call: AggregateCall, retracting: Bool) {
        self.call = call
        self.retracting = retracting
    }

    /// The column for `call`'s kind.
    static func make(_ call: AggregateCall, retracting: Bool) -> AggregateColumn {
        if call.distinct, call.argument != nil {
            return DistinctColumn(call, retracting: retracting, inner: makeKind(call, retracting: retracting))
        }
        return makeKind(call, retracting: retracting)
    }

    private static func makeKind(_ call: AggregateCall, retracting: Bool) -> AggregateColumn {
        switch call.kind {
        case .count: CountColumn(call, retracting: retracting)
        case .sum, .avg: SumColumn(call, retracting: retracting)
        case .min, .max: ExtremeColumn(call, retracting: retracting)
        case .firstValue, .lastValue: FirstLastColumn(call, retracting: retracting)
        case .listagg: ListaggColumn(call, retracting: retracting)
        case .variance: VarianceColumn(call, retracting: retracting)
        case .lag: LagColumn(call, retracting: retracting)
        case .native: NativeColumn(call, retracting: retracting)
        }
    }

    /// Adds a group, with the state of an aggregate over no rows.
    func appendGroup() { fatalError("\(Self.self) does not add groups") }

    /// Makes `group` what a new group is (its number is used again).
    func reset(_ group: Int) { fatalError("\(Self.self) does not reset groups") }

    /// Adds a row's argument (NULL for COUNT(*)) to `group`.
    func add(_ value: Value, to group: Int) { fatalError("\(Self.self) does not add values") }

    /// Adds column `column` of each row of a run (NULL for COUNT(*), `column` nil) to the row's
    /// group. Kinds that are used most add a whole run in one loop.
    func add(column: Int?, of rows: [Row], _ run: GroupedRows) {
        for index in run.groups.indices {
            add(column.map { rows[run.positions[index]][$0] } ?? .null, to: run.groups[index])
        }
    }

    /// Takes back a value added before (an update's old row, a deleted row, a row leaving a
    /// frame): the group becomes what it would be had the value never come. A value never
    /// added changes nothing. Only a `retracting` column takes values back.
    func retract(_ value: Value, from group: Int) {}

    /// Adds `source`'s state into `target`'s (two session windows becoming one).
    func merge(_ source: Int, into target: Int) { fatalError("\(Self.self) does not merge groups") }

    /// The aggregate's value for `group`.
    func result(of group: Int) -> Value { fatalError("\(Self.self) has no result") }

    /// `group`'s state as a value, for checkpoints.
    func saved(_ group: Int) -> Value { fatalError("\(Self.self) saves nothing") }

    /// Sets `group` to a state `saved` gave.
    func restore(_ state: Value, into group: Int) throws(SQLError) { fatalError("\(Self.self) restores nothing") }

    /// The error for a checkpoint's state that this kind did not write.
    func unreadable(_ state: Value) -> SQLError {
        SQLError(.execution, "a checkpoint holds a state \(call.text) did not write: \(state)")
    }
}

/// The aggregates of one operator, as columns over the same groups; numbers of groups given
/// up (a session merged into another, a group whose rows were all taken back) are used again.
package final class AggregateColumns {
    let calls: [AggregateCall]
    let columns: [AggregateColumn]
    /// Groups made so far, free ones included.
    private(set) var count = 0
    private var free: [Int] = []

    init(_ calls: [AggregateCall], retracting: Bool = false) {
        self.calls = calls
        columns = calls.map { AggregateColumn.make($0, retracting: retracting) }
    }

    var width: Int { columns.count }

    /// A group with the state of aggregates over no rows.
    func newGroup() -> Int {
        if let group = free.popLast() {
            for column in columns { column.reset(group) }
            return group
        }
        for column in columns { column.appendGroup() }
        count += 1
        return count - 1
    }

    /// `group`'s number may be given to a new group.
    func release(_ group: Int) { free.append(group) }

    /// Adds each aggregate's argument (`values`, by aggregate) to `group`.
    @inline(__always)
    func add(_ values: [Value], to group: Int) {
        for position in columns.indices { columns[position].add(values[position], to: group) }
    }

    func retract(_ values: [Value], from group: Int) {
        for position in columns.indices { columns[position].retract(values[position], from: group) }
    }

    func merge(_ source: Int, into target: Int) {
        for column in columns { column.merge(source, into: target) }
    }

    /// The aggregates' values for `group`, in the order of the calls.
    func results(of group: Int) -> [Value] { columns.map { $0.result(of: group) } }

    /// Appends the aggregates' values for `group` to `row`.
    func appendResults(of group: Int, to row: inout Row) {
        for column in columns { row.append(column.result(of: group)) }
    }

    func saved(_ group: Int) -> [Value] { columns.map { $0.saved(group) } }

    /// A new group holding a checkpoint's state.
    func restoredGroup(_ state: [Value]) throws(SQLError) -> Int {
        let group = newGroup()
        try restore(state, into: group)
        return group
    }

    /// Sets `group` (a new one) to a checkpoint's state.
    func restore(_ state: [Value], into group: Int) throws(SQLError) {
        guard state.count == columns.count else {
            throw SQLError(
                .execution, "a checkpoint holds \(state.count) aggregates where the query has \(columns.count)")
        }
        for (column, value) in zip(columns, state) { try column.restore(value, into: group) }
    }

    /// Each aggregate's argument evaluated on `row` (NULL for COUNT(*)).
    static func arguments(_ calls: [AggregateCall], of row: Row) throws(SQLError) -> [Value] {
        var values: [Value] = []
        values.reserveCapacity(calls.count)
        for call in calls { values.append(try call.argument?.evaluate(row) ?? .null) }
        return values
    }
}

/// Rows of a batch on their way to their groups: row `positions[i]` of the batch goes to
/// group `groups[i]`. Kept by an operator from batch to batch, so that its arrays are not made again.
package struct GroupedRows {
    private(set) var positions: [Int] = []
    private(set) var groups: [Int] = []

    @inline(__always)
    mutating func append(_ position: Int, group: Int) {
        positions.append(position)
        groups.append(group)
    }

    mutating func removeAll() {
        positions.removeAll(keepingCapacity: true)
        groups.removeAll(keepingCapacity: true)
    }
}
