import SQLPlanner
import SQLSyntax
import SQLValues

/// A temporal join (see `Planner.temporalJoin`). The right input's rows are versions of
/// their key: an insertion or an update's new row starts one at its time, a deletion ends
/// the key's last (an update's old row changes nothing: its new row follows).
///
/// As of event time, a left row waits until the inputs' watermark passes its time, so that
/// every version up to then has come; then it is joined with its key's latest version no
/// later than its time. Versions that no waiting or later row can need are forgotten: per
/// key, all but the last at or before the watermark. As of processing time, a left row is
/// joined at once with its key's latest version, and only that version is kept.
package final class TemporalJoinOperator: MultiInputOperator {
    /// A version of a right key: from `time` on, `row` (nil after a deletion).
    private struct Version {
        var time: Int64
        var row: Row?
    }

    private let predicate: CompiledExpression
    private let leftKeys: [Int]
    private let rightKeys: [Int]
    private let leftTime: Int?
    private let versionTime: Int?
    private let outer: Bool
    private let rightWidth: Int
    /// Per key, its versions in order of time, and how many there are in all.
    private var versions: [Row: [Version]] = [:]
    private var versionCount = 0
    /// Left rows waiting for the watermark (event time), in arrival order.
    private var waiting: [(time: Int64, order: Int, row: Row)] = []
    private var arrivals = 0

    init(
        predicate: CompiledExpression, leftKeys: [Int], rightKeys: [Int], leftTime: Int?, versionTime: Int?,
        outer: Bool, rightWidth: Int
    ) {
        self.predicate = predicate
        self.leftKeys = leftKeys
        self.rightKeys = rightKeys
        self.leftTime = leftTime
        self.versionTime = versionTime
        self.outer = outer
        self.rightWidth = rightWidth
        super.init(inputs: 2)
    }

    override var statistics: [String: Int64] {
        [
            "left rows waiting": Int64(waiting.count),
            "versions kept": Int64(versions.values.reduce(0) { $0 + $1.count }),
        ]
    }

    override func process(_ rows: [Row], kinds: [RowKind]?, from side: Int) throws(SQLError) {
        if side == 1 { return addVersions(rows, kinds: kinds) }
        if let kinds, kinds.contains(where: { $0 != .insert }) {
            throw SQLError(.unsupported, "a temporal join's left side must hold insertions only, and it updates rows")
        }
        guard let leftTime else {
            try output?.process(try joined(rows.map { ($0, Int64.max) }), kinds: nil)
            return
        }
        for row in rows {
            // A row without a time can never be joined as of it.
            guard let time = row[leftTime].timestampMicros else { continue }
            waiting.append((time, arrivals, row))
            arrivals += 1
        }
    }

    override func combinedWatermark(_ time: Int64) throws(SQLError) {
        if leftTime != nil, !waiting.isEmpty {
            let due = waiting.filter { $0.time <= time }.sorted { ($0.time, $0.order) < ($1.time, $1.order) }
            if !due.isEmpty {
                waiting.removeAll { $0.time <= time }
                try output?.process(try joined(due.map { ($0.row, $0.time) }), kinds: nil)
            }
            forgetVersions(before: time)
        }
        try output?.watermark(time)
    }

    private func addVersions(_ rows: [Row], kinds: [RowKind]?) {
        for (position, row) in rows.enumerated() {
            let kind = kinds?[position] ?? .insert
            if kind == .updateBefore { continue }
            let time = versionTime.flatMap { row[$0].timestampMicros } ?? .max
            let version = Version(time: leftTime == nil ? .min : time, row: kind == .delete ? nil : row)
            let key = rightKeys.map { row[$0] }
            if leftTime == nil {
                versions[key] = [version]
                continue
            }
            versionCount += 1
            var list = versions[key] ?? []
            // Versions mostly come in order of time; one that does not is put in its place.
            let place = list.lastIndex { $0.time <= version.time }.map { $0 + 1 } ?? 0
            list.insert(version, at: place)
            versions[key] = list
        }
    }

    /// Each key's versions before the last one at or before `time` can serve no row to come.
    /// (Only when some key has more than one: a walk over every key per watermark otherwise.)
    private func forgetVersions(before time: Int64) {
        guard versionCount > versions.count else { return }
        defer { versionCount = versions.values.reduce(0) { $0 + $1.count } }
        for (key, list) in versions {
            guard let last = list.lastIndex(where: { $0.time <= time }), last > 0 else { continue }
            let kept = Array(list[last...])
            versions[key] = kept.count == 1 && kept[0].row == nil ? nil : kept
        }
    }

    /// Each row joined with its key's version at its time (or padded with NULLs when outer).
    private func joined(_ rows: [(row: Row, time: Int64)]) throws(SQLError) -> [Row] {
        var result: [Row] = []
        for (row, time) in rows {
            let key = leftKeys.map { row[$0] }
            if let version = versions[key]?.last(where: { $0.time <= time })?.row {
                let pair = row + version
                if try predicate.evaluate(pair).isTrue {
                    result.append(pair)
                    continue
                }
            }
            if outer { result.append(row + Array(repeating: .null, count: rightWidth)) }
        }
        return result
    }
}
