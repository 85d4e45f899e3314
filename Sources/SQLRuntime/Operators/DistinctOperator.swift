import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

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
            let now = timeToLive.clock.milliseconds()
            written = Dictionary(
                uniqueKeysWithValues: (retracting ? Array(copies.keys) : Array(seen)).map { ($0, now) })
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
