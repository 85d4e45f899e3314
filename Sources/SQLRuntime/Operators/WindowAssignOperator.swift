import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

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
