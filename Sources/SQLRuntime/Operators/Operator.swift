import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

/// A step of a running query. Rows arrive in batches, each with its kinds (nil: all
/// insertions); watermarks say no row with an earlier event time will follow; `finish`
/// says the input ended (after a final watermark). Operators run on one thread, the
/// query's, so they keep their state without locks.
package class Operator {
    /// Where results go.
    var output: Operator?

    func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        try output?.process(rows, kinds: kinds)
    }

    func watermark(_ time: Int64) throws(SQLError) {
        try output?.watermark(time)
    }

    func finish() throws(SQLError) {
        try output?.finish()
    }

    /// The query was stopped before its input ended (Ctrl-C, STOP JOB, a LIMIT reached):
    /// open windows stay unfired — a partial window is not a result — and sinks write out
    /// what they hold and let go.
    func close() throws(SQLError) {
        try output?.close()
    }

    /// A checkpoint is about to be taken: sinks make sure what they were given is written.
    func prepareCheckpoint() throws(SQLError) {
        try output?.prepareCheckpoint()
    }

    /// Statistics for the job status and EXPLAIN ANALYZE-style reports.
    var statistics: [String: Int64] { [:] }
}

/// Keeps some rows (WHERE, HAVING).
package final class FilterOperator: Operator {
    let predicate: CompiledExpression

    init(_ predicate: CompiledExpression) {
        self.predicate = predicate
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        var kept: [Row] = []
        var keptKinds: [RowKind]? = kinds == nil ? nil : []
        kept.reserveCapacity(rows.count)
        for (position, row) in rows.enumerated() where try predicate.evaluate(row).isTrue {
            kept.append(row)
            keptKinds?.append(kinds![position])
        }
        if !kept.isEmpty { try output?.process(kept, kinds: keptKinds) }
    }
}

/// Computes each output column from the input row.
package final class ProjectOperator: Operator {
    let expressions: [CompiledExpression]

    init(_ expressions: [CompiledExpression]) {
        self.expressions = expressions
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        var result: [Row] = []
        result.reserveCapacity(rows.count)
        for row in rows {
            var projected: Row = []
            projected.reserveCapacity(expressions.count)
            for expression in expressions { projected.append(try expression.evaluate(row)) }
            result.append(projected)
        }
        try output?.process(result, kinds: kinds)
    }
}

/// GROUPING SETS: each row passed on once per set, with the set's values appended (its keys,
/// NULL for those it leaves out, and flags saying which), as the same kind of change.
package final class ExpandOperator: Operator {
    let sets: [[CompiledExpression]]

    init(_ sets: [[CompiledExpression]]) {
        self.sets = sets
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        var result: [Row] = []
        result.reserveCapacity(rows.count * sets.count)
        var resultKinds: [RowKind]? = kinds == nil ? nil : []
        for (position, row) in rows.enumerated() {
            for set in sets {
                var expanded = row
                for expression in set { expanded.append(try expression.evaluate(row)) }
                result.append(expanded)
                if let kinds { resultKinds?.append(kinds[position]) }
            }
        }
        try output?.process(result, kinds: resultKinds)
    }
}

/// UNNEST: each row once per element of its collection, the element's columns appended
/// (kinds pass through with their rows).
package final class UnnestOperator: Operator {
    let collection: CompiledExpression
    let shape: UnnestShape
    let ordinality: Bool
    let outer: Bool

    init(_ collection: CompiledExpression, shape: UnnestShape, ordinality: Bool, outer: Bool) {
        self.collection = collection
        self.shape = shape
        self.ordinality = ordinality
        self.outer = outer
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        var result: [Row] = []
        var resultKinds: [RowKind]? = kinds == nil ? nil : []
        let width = shape.width + (ordinality ? 1 : 0)
        for (position, row) in rows.enumerated() {
            let elements: [[Value]]
            switch try collection.evaluate(row) {
            case let .array(items):
                elements = items.map(columns(of:))
            case let .map(entries):
                elements = entries.map { [$0.key, $0.value] }
            default:
                elements = []
            }
            if elements.isEmpty, outer {
                result.append(row + Array(repeating: .null, count: width))
                if let kinds { resultKinds?.append(kinds[position]) }
            }
            for (index, element) in elements.enumerated() {
                result.append(row + element + (ordinality ? [.integer(Int64(index + 1))] : []))
                if let kinds { resultKinds?.append(kinds[position]) }
            }
        }
        try output?.process(result, kinds: resultKinds)
    }

    /// An element's columns: a ROW's fields (NULLs for a NULL row), or the element itself.
    private func columns(of element: Value) -> [Value] {
        guard case let .fields(count) = shape else { return [element] }
        if case let .row(fields) = element, fields.count == count { return fields }
        return Array(repeating: .null, count: count)
    }
}

/// What an operator of several inputs (a union, a join) passes on: the smallest of its
/// inputs' watermarks, and its own end once every input has ended (closed if one was).
package struct InputEnds {
    private var watermarks: [Int64]
    private var emitted = Int64.min
    private var finished = 0
    private var closed = 0

    init(inputs: Int) {
        watermarks = Array(repeating: Int64.min, count: inputs)
    }

    /// An input's watermark; the combined one when it moved, for the output.
    mutating func watermark(_ time: Int64, from input: Int) -> Int64? {
        watermarks[input] = max(watermarks[input], time)
        let combined = watermarks.min()!
        guard combined > emitted else { return nil }
        emitted = combined
        return combined
    }

    /// An input ended (finished or closed); once all have, whether the output closes (true) or finishes (false).
    mutating func end(closing: Bool) -> Bool? {
        if closing { closed += 1 } else { finished += 1 }
        guard finished + closed == watermarks.count else { return nil }
        return closed > 0
    }
}

/// An operator of several inputs (a union, a join). Each input feeds it through a port that
/// says which input it is; the output's watermark is the smallest of the inputs' (`InputEnds`),
/// and the output ends when every input has.
package class MultiInputOperator: Operator {
    private var ends: InputEnds

    init(inputs: Int) {
        ends = InputEnds(inputs: inputs)
    }

    /// The operator input `position` feeds.
    final func input(_ position: Int) -> Operator { InputPort(target: self, position: position) }

    /// Rows of one input; passed on as they are unless the operator says otherwise.
    func process(_ rows: [Row], kinds: [RowKind]?, from input: Int) throws(SQLError) {
        try output?.process(rows, kinds: kinds)
    }

    /// The inputs' combined watermark moved to `time`.
    func combinedWatermark(_ time: Int64) throws(SQLError) {
        try output?.watermark(time)
    }

    fileprivate final func watermark(_ time: Int64, from input: Int) throws(SQLError) {
        if let combined = ends.watermark(time, from: input) { try combinedWatermark(combined) }
    }

    /// Every input ended (before the output is finished): what an operator holds to the end goes now.
    func inputsEnded() throws(SQLError) {}

    fileprivate final func end(closing: Bool) throws(SQLError) {
        guard let close = ends.end(closing: closing) else { return }
        if close {
            try output?.close()
        } else {
            try inputsEnded()
            try output?.finish()
        }
    }
}

/// Several inputs into one output.
package final class UnionOperator: MultiInputOperator {}

/// INTERSECT and EXCEPT, with or without ALL: each input's rows counted (a changelog's
/// taken-back rows too), the result given once both have ended — a row as many times as the
/// operation leaves it (INTERSECT ALL: the fewer of its two counts; EXCEPT ALL: the left's
/// less the right's; without ALL once, when there is any), in the order the left gave them.
package final class SetOperationOperator: MultiInputOperator {
    let operation: SetOperation
    let all: Bool
    private var counts: [Row: (left: Int, right: Int)] = [:]
    private var order: [Row] = []

    init(_ operation: SetOperation, all: Bool) {
        self.operation = operation
        self.all = all
        super.init(inputs: 2)
    }

    override func process(_ rows: [Row], kinds: [RowKind]?, from input: Int) throws(SQLError) {
        for (position, row) in rows.enumerated() {
            let kind = kinds?[position] ?? .insert
            let change = kind == .insert || kind == .updateAfter ? 1 : -1
            var count = counts[row] ?? (0, 0)
            if input == 0 {
                if count.left == 0, count.right == 0, counts[row] == nil { order.append(row) }
                count.left += change
            } else {
                count.right += change
            }
            counts[row] = count
        }
    }

    override func combinedWatermark(_ time: Int64) throws(SQLError) {}

    override func inputsEnded() throws(SQLError) {
        var result: [Row] = []
        for row in order {
            guard let count = counts[row] else { continue }
            let times: Int
            switch (operation, all) {
            case (.intersect, true): times = max(0, min(count.left, count.right))
            case (.intersect, false): times = count.left > 0 && count.right > 0 ? 1 : 0
            case (.except, true): times = max(0, count.left - count.right)
            case (.except, false): times = count.left > 0 && count.right <= 0 ? 1 : 0
            }
            for _ in 0..<times { result.append(row) }
        }
        counts = [:]
        order = []
        if !result.isEmpty { try output?.process(result, kinds: nil) }
    }
}

/// One input of a `MultiInputOperator`: what arrives goes to it, with the input's position.
private final class InputPort: Operator {
    unowned let target: MultiInputOperator
    let position: Int

    init(target: MultiInputOperator, position: Int) {
        self.target = target
        self.position = position
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) { try target.process(rows, kinds: kinds, from: position) }
    override func watermark(_ time: Int64) throws(SQLError) { try target.watermark(time, from: position) }
    override func finish() throws(SQLError) { try target.end(closing: false) }
    override func close() throws(SQLError) { try target.end(closing: true) }
    override func prepareCheckpoint() throws(SQLError) { try target.prepareCheckpoint() }
}

/// The window table-valued functions: each row, once per window it falls into, with the
/// window's start, end and time (end - 1 ms) appended.
package final class WindowAssignOperator: Operator {
    let spec: WindowSpec

    init(_ spec: WindowSpec) {
        self.spec = spec
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        var result: [Row] = []
        result.reserveCapacity(rows.count)
        for row in rows {
            guard let time = row[spec.timeColumn].timestampMicros else { continue }
            if case .session = spec.kind {
                // A session's bounds are known only when it closes: the window aggregation
                // after this (the only use the planner allows) works them out.
                result.append(row + [.null, .null, .null])
                continue
            }
            let ltz = { if case .timestampLTZ = row[spec.timeColumn] { return true } else { return false } }()
            for window in spec.windows(for: time) {
                var extended = row
                extended.append(ltz ? .timestampLTZ(window.start) : .timestamp(window.start))
                extended.append(ltz ? .timestampLTZ(window.end) : .timestamp(window.end))
                extended.append(ltz ? .timestampLTZ(window.end - 1000) : .timestamp(window.end - 1000))
                result.append(extended)
            }
        }
        if !result.isEmpty { try output?.process(result, kinds: nil) }
    }
}

/// Drops rows already seen (SELECT DISTINCT, UNION): the first of each is inserted. Over a
/// changelog (`retracting`) it counts each row's copies in: a row is inserted when its first
/// copy comes and deleted (-D) when its last is taken back. With a state TTL, a row not seen
/// again for that long is forgotten (and inserted again if it comes back).
package final class DistinctOperator: Operator, StatefulOperator {
    let retracting: Bool
    private var seen: Set<Row> = []
    /// Over a changelog: each row's count of copies in.
    private var copies: [Row: Int64] = [:]
    private var timeToLive: StateTimeToLive?
    /// With a TTL: when each row was last seen.
    private var written: [Row: Int64] = [:]

    init(retracting: Bool = false, timeToLive: StateTimeToLive? = nil) {
        self.retracting = retracting
        self.timeToLive = timeToLive
    }

    private struct SavedCopies: Codable {
        var rows: [Row]
        var copies: [Int64]
    }

    package func saveState(_ encoder: JSONEncoder) throws -> Data {
        guard retracting else { return try encoder.encode(seen) }
        return try encoder.encode(SavedCopies(rows: Array(copies.keys), copies: Array(copies.values)))
    }

    package func restoreState(_ data: Data, _ decoder: JSONDecoder) throws {
        if retracting {
            let saved = try decoder.decode(SavedCopies.self, from: data)
            copies = Dictionary(uniqueKeysWithValues: zip(saved.rows, saved.copies))
        } else {
            seen = try decoder.decode(Set<Row>.self, from: data)
        }
        if let timeToLive {
            let now = timeToLive.clock()
            written = Dictionary(uniqueKeysWithValues: (retracting ? Array(copies.keys) : Array(seen)).map { ($0, now) })
        }
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        if let (now, sweep) = timeToLive?.tick() {
            if sweep, let timeToLive {
                for (row, time) in written where timeToLive.hasExpired(time, at: now) {
                    written[row] = nil
                    seen.remove(row)
                    copies[row] = nil
                }
            }
            for row in rows { written[row] = now }
        }
        guard retracting else {
            let fresh = rows.filter { seen.insert($0).inserted }
            if !fresh.isEmpty { try output?.process(fresh, kinds: nil) }
            return
        }
        var changed: [Row] = []
        var changes: [RowKind] = []
        for (position, row) in rows.enumerated() {
            let kind = kinds?[position] ?? .insert
            if kind == .insert || kind == .updateAfter {
                copies[row, default: 0] += 1
                if copies[row] == 1 {
                    changed.append(row)
                    changes.append(.insert)
                }
            } else if let count = copies[row] {
                // A copy never counted (forgotten by the TTL) changes nothing.
                copies[row] = count > 1 ? count - 1 : nil
                if count == 1 {
                    changed.append(row)
                    changes.append(.delete)
                }
            }
        }
        if !changed.isEmpty { try output?.process(changed, kinds: changes.contains(.delete) ? changes : nil) }
    }
}

/// Sorts a bounded input at its end.
package final class SortOperator: Operator {
    let keys: [(expression: CompiledExpression, descending: Bool, nullsFirst: Bool)]
    private var rows: [(key: [Value], row: Row)] = []
    /// Rows a changelog input took back (-U, -D): they leave the result at the end, so what is
    /// sorted is the table the changes amount to, and the output holds insertions only.
    private var takenBack: [Row: Int] = [:]

    init(_ keys: [(expression: CompiledExpression, descending: Bool, nullsFirst: Bool)]) {
        self.keys = keys
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        for (position, row) in rows.enumerated() {
            if let kind = kinds?[position], kind == .updateBefore || kind == .delete {
                takenBack[row, default: 0] += 1
                continue
            }
            var key: [Value] = []
            for entry in keys { key.append(try entry.expression.evaluate(row)) }
            self.rows.append((key, row))
        }
    }

    override func watermark(_ time: Int64) throws(SQLError) {}

    override func finish() throws(SQLError) {
        if !takenBack.isEmpty {
            rows.removeAll { entry in
                guard let count = takenBack[entry.row], count > 0 else { return false }
                takenBack[entry.row] = count - 1
                return true
            }
            takenBack = [:]
        }
        let keys = self.keys
        rows.sort { a, b in SortOrder.precedes(a.key, b.key, keys) }
        if !rows.isEmpty { try output?.process(rows.map(\.row), kinds: nil) }
        rows = []
        try output?.finish()
    }
}

/// The first `count` rows after `offset`; asks its source to stop once it has them.
package final class LimitOperator: Operator, StatefulOperator {
    let count: Int
    let offset: Int
    private var seen = 0
    private var done = false
    let stop: StopSignal

    init(count: Int, offset: Int, stop: StopSignal) {
        self.count = count
        self.offset = offset
        self.stop = stop
    }

    package func saveState(_ encoder: JSONEncoder) throws -> Data { try encoder.encode([seen]) }
    package func restoreState(_ data: Data, _ decoder: JSONDecoder) throws { seen = try decoder.decode([Int].self, from: data)[0] }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        guard !done else { return }
        var kept: [Row] = []
        for row in rows {
            seen += 1
            if seen > offset, seen - offset <= count { kept.append(row) }
        }
        if !kept.isEmpty { try output?.process(kept, kinds: nil) }
        if seen - offset >= count, count != Int.max {
            done = true
            stop.request()
        }
    }
}

/// ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...): keeps each partition's rows until the
/// partition is complete — its window has closed (the watermark reached window_end - 1 ms)
/// or the input ended — then emits them in order, each with its number appended.
///
/// `updating` (an input that never ends, no window in PARTITION BY): a continuously updated
/// Top-N, as Flink's. Each partition's rows are kept in order; a new row is put in its place
/// and emitted with its number (+I), and each row it moves down is emitted again (-U with
/// the old number, +U with the new). A `WHERE rn <= N` after it keeps the top N: a row
/// pushed out of it leaves with its -U. With that N pushed down (`limit`), a partition keeps
/// its top N rows alone — the input holds insertions only, so a row pushed out never comes
/// back — and rows past N are neither kept nor emitted; without it, every row is kept.
package final class RowNumberOperator: Operator, StatefulOperator {
    let partition: [CompiledExpression]
    let order: [(expression: CompiledExpression, descending: Bool, nullsFirst: Bool)]
    /// Which partition key is the window's end (nil: partitions complete at the end only).
    let windowEnd: Int?
    let updating: Bool
    /// Over a changelog: rows are taken back, so a partition keeps all its rows (one past
    /// the top N may move up into it), not only its top N.
    let retracting: Bool
    /// The numbers wanted: up to this one (nil: all).
    let limit: Int
    /// ROW_NUMBER, or RANK / DENSE_RANK (ties share a number; complete partitions only).
    let numbering: RowNumbering
    /// A row and its ORDER BY values.
    private struct Ranked: Codable {
        var sortKey: [Value]
        var row: Row
    }

    private var partitions: [Row: [Ranked]] = [:]
    /// A continuously updated Top-N's partitions not written for this long are dropped.
    private var timeToLive: StateTimeToLive?
    /// With a TTL: when each partition last took a row.
    private var written: [Row: Int64] = [:]

    init(partition: [CompiledExpression], order: [(expression: CompiledExpression, descending: Bool, nullsFirst: Bool)], windowEnd: Int?,
         limit: Int? = nil, updating: Bool = false, retracting: Bool = false, timeToLive: StateTimeToLive? = nil,
         numbering: RowNumbering = .rowNumber) {
        self.numbering = numbering
        self.partition = partition
        self.order = order
        self.windowEnd = windowEnd
        self.limit = limit ?? .max
        self.updating = updating
        self.retracting = retracting
        self.timeToLive = updating ? timeToLive : nil
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        var changes: [Row] = []
        var changeKinds: [RowKind] = []
        let (now, sweep) = timeToLive?.tick() ?? (0, false)
        if sweep, let timeToLive {
            for (key, time) in written where timeToLive.hasExpired(time, at: now) {
                written[key] = nil
                partitions[key] = nil
            }
        }
        for (index, row) in rows.enumerated() {
            var key: Row = []
            for expression in partition { key.append(try expression.evaluate(row)) }
            var sortKey: [Value] = []
            for entry in order { sortKey.append(try entry.expression.evaluate(row)) }
            guard updating else {
                partitions[key, default: []].append(Ranked(sortKey: sortKey, row: row))
                continue
            }
            var ranked = partitions.removeValue(forKey: key) ?? []
            defer { if !ranked.isEmpty { partitions[key] = ranked } }
            if timeToLive != nil { written[key] = now }
            let kind = kinds?[index] ?? .insert
            if kind == .updateBefore || kind == .delete {
                takeBack(row, sortKey: sortKey, from: &ranked, into: &changes, &changeKinds)
                continue
            }
            // After the rows it does not precede: ties keep their arrival order.
            var low = 0, high = ranked.count
            while low < high {
                let middle = (low + high) / 2
                if precedes(sortKey, ranked[middle].sortKey) { high = middle } else { low = middle + 1 }
            }
            if low >= limit {
                // Past the top N: not shown. Kept only when a row taken back may let it move up.
                if retracting { ranked.insert(Ranked(sortKey: sortKey, row: row), at: low) }
                continue
            }
            ranked.insert(Ranked(sortKey: sortKey, row: row), at: low)
            changes.append(row + [.integer(Int64(low + 1))])
            changeKinds.append(.insert)
            // The rows it pushes down, up to the one it pushes past N (taken back, not given again).
            for position in (low + 1)..<min(ranked.count, limit == .max ? .max : limit + 1) {
                changes.append(ranked[position].row + [.integer(Int64(position))])
                changeKinds.append(.updateBefore)
                guard position < limit else { continue }
                changes.append(ranked[position].row + [.integer(Int64(position + 1))])
                changeKinds.append(.updateAfter)
            }
            if !retracting, ranked.count > limit { ranked.removeLast(ranked.count - limit) }
        }
        if !changes.isEmpty { try output?.process(changes, kinds: changeKinds.allSatisfy { $0 == .insert } ? nil : changeKinds) }
    }

    /// A row of the changelog taken back: out of its partition, its number deleted if it had
    /// one shown, and each row after it moved up one (the one moving into the top N inserted).
    private func takeBack(_ row: Row, sortKey: [Value], from ranked: inout [Ranked], into changes: inout [Row], _ kinds: inout [RowKind]) {
        // The first row not before it, then along the ties to the row itself.
        var low = 0, high = ranked.count
        while low < high {
            let middle = (low + high) / 2
            if precedes(ranked[middle].sortKey, sortKey) { low = middle + 1 } else { high = middle }
        }
        var position = low
        while position < ranked.count, !precedes(sortKey, ranked[position].sortKey), ranked[position].row != row { position += 1 }
        // A row never kept (it was past the top N of an input of insertions) changes nothing.
        guard position < ranked.count, ranked[position].row == row else { return }
        ranked.remove(at: position)
        guard position < limit else { return }
        changes.append(row + [.integer(Int64(position + 1))])
        kinds.append(.delete)
        for moved in position..<min(ranked.count, limit) {
            if moved + 2 <= limit {
                changes.append(ranked[moved].row + [.integer(Int64(moved + 2))])
                kinds.append(.updateBefore)
                changes.append(ranked[moved].row + [.integer(Int64(moved + 1))])
                kinds.append(.updateAfter)
            } else {
                changes.append(ranked[moved].row + [.integer(Int64(moved + 1))])
                kinds.append(.insert)
            }
        }
    }

    private func precedes(_ a: [Value], _ b: [Value]) -> Bool { SortOrder.precedes(a, b, order) }

    private struct SavedPartition: Codable {
        var key: Row
        var rows: [Ranked]
    }

    package func saveState(_ encoder: JSONEncoder) throws -> Data {
        try encoder.encode(partitions.map { SavedPartition(key: $0.key, rows: $0.value) })
    }

    package func restoreState(_ data: Data, _ decoder: JSONDecoder) throws {
        partitions = [:]
        for partition in try decoder.decode([SavedPartition].self, from: data) { partitions[partition.key] = partition.rows }
        if let now = timeToLive?.clock() { written = partitions.mapValues { _ in now } }
    }

    override func watermark(_ time: Int64) throws(SQLError) {
        if let windowEnd {
            let complete = partitions.keys.filter { key in key[windowEnd].timestampMicros.map { $0 - 1000 <= time } ?? false }
            try emit(complete.sorted { ($0[windowEnd].timestampMicros ?? 0) < ($1[windowEnd].timestampMicros ?? 0) })
        }
        try output?.watermark(time)
    }

    override func finish() throws(SQLError) {
        if !updating { try emit(Array(partitions.keys)) }
        try output?.finish()
    }

    private func emit(_ keys: [Row]) throws(SQLError) {
        var result: [Row] = []
        for key in keys {
            guard let rows = partitions.removeValue(forKey: key) else { continue }
            let sorted = rows.enumerated().sorted { a, b in
                if precedes(a.element.sortKey, b.element.sortKey) { return true }
                if precedes(b.element.sortKey, a.element.sortKey) { return false }
                return a.offset < b.offset // ties keep their arrival order
            }
            // Numbers never go down along the sorted rows: the first past the limit ends the partition.
            var number = 0, distinctKeys = 0
            for (position, entry) in sorted.enumerated() {
                let tied = position > 0 && !precedes(sorted[position - 1].element.sortKey, entry.element.sortKey)
                switch numbering {
                case .rowNumber: number = position + 1
                case .rank: if !tied { number = position + 1 }
                case .denseRank:
                    if !tied { distinctKeys += 1 }
                    number = distinctKeys
                }
                guard number <= limit else { break }
                result.append(entry.element.row + [.integer(Int64(number))])
            }
        }
        if !result.isEmpty { try output?.process(result, kinds: nil) }
    }
}

/// ORDER BY's comparison of sort keys (the values of its expressions for two rows).
package enum SortOrder {
    /// Whether key `a` comes before `b`: column by column, each ascending or descending, NULLs
    /// first or last as the column says; false for equal keys (a stable sort keeps their order).
    static func precedes(_ a: [Value], _ b: [Value], _ order: [(expression: CompiledExpression, descending: Bool, nullsFirst: Bool)]) -> Bool {
        for (position, entry) in order.enumerated() {
            let x = a[position], y = b[position]
            if x.isNull || y.isNull {
                if x.isNull && y.isNull { continue }
                return x.isNull == entry.nullsFirst
            }
            guard let comparison = CompiledExpression.compare(x, y), comparison != 0 else { continue }
            return entry.descending ? comparison > 0 : comparison < 0
        }
        return false
    }
}
