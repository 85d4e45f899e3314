import SQLSyntax
import SQLValues

/// A window over event or processing time.
package struct WindowSpec: Sendable {
    package enum Kind: Sendable {
        case tumble(size: Int64)
        case hop(size: Int64, slide: Int64)
        case cumulate(step: Int64, size: Int64)
        case session(gap: Int64)
        /// The window is already in the row (after a window table-valued function): its start and end columns.
        case assigned(start: Int, end: Int)
    }

    package var kind: Kind
    /// The time column the windows are defined on (unused for `.assigned`).
    package var timeColumn: Int
    package var offset: Int64 = 0
    /// SESSION as a table-valued function: its PARTITION BY columns (sessions per key).
    var partitionBy: [Int] = []

    package var description: String {
        func duration(_ micros: Int64) -> String { IntervalText.describe(micros) }
        switch kind {
        case let .tumble(size): return "TUMBLE(size=\(duration(size)))"
        case let .hop(size, slide): return "HOP(size=\(duration(size)), slide=\(duration(slide)))"
        case let .cumulate(step, size): return "CUMULATE(step=\(duration(step)), size=\(duration(size)))"
        case let .session(gap): return "SESSION(gap=\(duration(gap)))"
        case .assigned: return "window from the table function"
        }
    }

    /// The windows a time falls into: [start, end) pairs (not for sessions).
    package func windows(for time: Int64) -> [(start: Int64, end: Int64)] {
        switch kind {
        case let .tumble(size):
            let start = time - Self.floorMod(time - offset, size)
            return [(start, start + size)]
        case let .hop(size, slide):
            var result: [(Int64, Int64)] = []
            var start = time - Self.floorMod(time - offset, slide)
            while start > time - size {
                result.append((start, start + size))
                start -= slide
            }
            return result.reversed()
        case let .cumulate(step, size):
            let start = time - Self.floorMod(time - offset, size)
            var result: [(Int64, Int64)] = []
            var end = start + step
            while end <= start + size {
                if end > time { result.append((start, end)) }
                end += step
            }
            return result
        case .session, .assigned:
            return []
        }
    }

    /// `a` modulo a positive `b`, never negative (one division: a 64-bit divide is slow, and this runs per row).
    @inlinable
    package static func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
        let remainder = a % b
        return remainder < 0 ? remainder + b : remainder
    }
}

package enum IntervalText {
    package static func describe(_ micros: Int64) -> String {
        if micros == 0 { return "0 s" }
        let units: [(Int64, String)] = [
            (86_400_000_000, "d"), (3_600_000_000, "h"), (60_000_000, "min"), (1_000_000, "s"), (1000, "ms"),
        ]
        for (length, name) in units where micros % length == 0 { return "\(micros / length) \(name)" }
        return "\(micros) µs"
    }
}

/// One aggregate of a grouped query.
/// A class, not a struct: operators read it per row, and copies of a struct with these
/// references cost retains and releases.
package final class AggregateCall: Sendable {
    package enum Kind: Sendable {
        case count, sum, avg, min, max, firstValue, lastValue
        case listagg(separator: String)
        /// VAR_POP, VAR_SAMP (`population` false), STDDEV_POP and STDDEV_SAMP (`root`).
        case variance(population: Bool, root: Bool)
        /// LAG(value, offset, default) OVER (...): the value `offset` rows back in the
        /// partition. With a default the argument is ROW(value, default).
        case lag(offset: Int, hasDefault: Bool)
        case native(NativeAggregateFunction)
    }

    package let kind: Kind
    /// nil for COUNT(*).
    package let argument: CompiledExpression?
    package let distinct: Bool
    package let resultType: DataType
    /// What the aggregate is called in EXPLAIN.
    package let text: String

    init(kind: Kind, argument: CompiledExpression?, distinct: Bool, resultType: DataType, text: String) {
        self.kind = kind
        self.argument = argument
        self.distinct = distinct
        self.resultType = resultType
        self.text = text
    }
}

/// A node of a query plan: what it does, its inputs, and the columns it produces.
package final class PlanNode: @unchecked Sendable {
    package indirect enum Kind {
        /// Reads a table through its connector (computed columns and watermarks included).
        case scan(CatalogTable)
        case values([Row])
        case project([CompiledExpression], texts: [String])
        case filter(CompiledExpression, text: String)
        /// A window table-valued function: appends window_start, window_end and window_time.
        case assignWindows(WindowSpec)
        /// INTERSECT or EXCEPT (ALL) of the two inputs.
        case setOperation(SetOperation, all: Bool)
        /// GROUPING SETS: each row once per set, the set's columns appended after the input's
        /// (its keys, NULL for the keys it leaves out, and which keys those are).
        case expand([[CompiledExpression]])
        /// UNNEST of a collection of each row: the row once per element, the element's
        /// columns (and its 1-based position, `ordinality`) appended; `outer`: a row without
        /// elements passes once, with NULLs.
        case unnest(CompiledExpression, UnnestShape, ordinality: Bool, outer: Bool)
        /// Aggregates per group and window; emits each window when the watermark passes its
        /// end. Output: the keys, the aggregates, window start, end and time.
        case windowAggregate(WindowSpec, keys: [CompiledExpression], aggregates: [AggregateCall], eventTime: Bool)
        /// Aggregates per group without windows: a changelog of updated results.
        case aggregate(keys: [CompiledExpression], aggregates: [AggregateCall])
        case sort([(expression: CompiledExpression, descending: Bool, nullsFirst: Bool)])
        /// ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...): each partition's rows numbered
        /// in order, emitted once the partition is complete — when the watermark passes its
        /// window's end (`windowEnd`: the partition key holding it), or at the end of a bounded
        /// input. Appends the number as a BIGINT column.
        /// `limit`: only the rows numbered up to it are wanted (a `WHERE rn <= N` after it).
        /// `numbering`: ROW_NUMBER, RANK or DENSE_RANK.
        case rowNumber(
            partition: [CompiledExpression],
            order: [(expression: CompiledExpression, descending: Bool, nullsFirst: Bool)], windowEnd: Int?,
            limit: Int? = nil, numbering: RowNumbering = .rowNumber)
        /// Aggregates OVER a frame of each row's partition, ordered by `timeColumn`: the input's
        /// columns, then one per aggregate (see `Planner+Over`).
        case overAggregate(
            partition: [CompiledExpression], timeColumn: Int, eventTime: Bool, frame: OverFrame,
            aggregates: [AggregateCall])
        case limit(count: Int, offset: Int)
        case union
        /// A join: the left input's columns, then the right's. `leftKeys`/`rightKeys`:
        /// columns the ON condition equates, which find the candidate rows; `outer`: the sides
        /// whose unmatched rows are kept, padded with NULLs (LEFT, RIGHT, FULL); `expiry`:
        /// when rows are dropped, for an interval or a window join (nil: a regular join);
        /// `filtering`: the join only filters its left input (IN, EXISTS, NOT EXISTS), whose
        /// columns alone it outputs.
        case join(
            predicate: CompiledExpression?, leftKeys: [Int], rightKeys: [Int], outer: (left: Bool, right: Bool),
            expiry: JoinExpiry?,
            filtering: FilteringJoin? = nil)
        case distinct
        /// A scalar subquery's result: one row at most.
        case atMostOneRow
        /// A temporal join: each left row with the right row of its key valid at its time
        /// (`leftTime`, event time; nil: the latest, processing time), the right rows versioned
        /// by `versionTime`; `outer`: a left row without one is padded with NULLs.
        case temporalJoin(
            predicate: CompiledExpression, leftKeys: [Int], rightKeys: [Int], leftTime: Int?, versionTime: Int?,
            outer: Bool)
    }

    package let kind: Kind
    package let inputs: [PlanNode]
    package let schema: Schema
    /// Whether the node's output holds only insertions (false once a non-windowed aggregate updates rows).
    package let appendOnly: Bool
    /// Whether the node ends (its sources are bounded).
    package let bounded: Bool
    /// A short description for EXPLAIN.
    let label: String

    package init(
        _ kind: Kind, inputs: [PlanNode], schema: Schema, label: String, appendOnly: Bool? = nil, bounded: Bool? = nil
    ) {
        self.kind = kind
        self.inputs = inputs
        self.schema = schema
        self.label = label
        self.appendOnly = appendOnly ?? inputs.allSatisfy(\.appendOnly)
        self.bounded = bounded ?? inputs.allSatisfy(\.bounded)
    }

    /// The plan as indented text, one node a line: what EXPLAIN prints.
    package func explain(indent: Int = 0) -> String {
        var text = String(repeating: "  ", count: indent) + label
        text += " → [" + schema.columns.map { "\($0.name): \($0.typeDescription)" }.joined(separator: ", ") + "]"
        for input in inputs { text += "\n" + input.explain(indent: indent + 1) }
        return text
    }
}

/// A join that only filters its left input: the rows with a match, each once, when the first
/// is there (`semi`: x IN (SELECT …), EXISTS), or the rows without one (`anti`: NOT EXISTS),
/// each taken back (-D) when its first match comes — a changelog. `notIn`: x NOT IN (SELECT
/// y …), an anti join with SQL's NULLs: a row whose x is NULL is kept only while the subquery
/// is empty, and a NULL y makes every row's answer unknown (all taken back).
package enum FilteringJoin {
    case semi, anti
    case notIn(operand: CompiledExpression)

    package var emitsMatched: Bool { if case .semi = self { true } else { false } }
}

/// How the rows a join keeps expire, for the joins that bound their state by time.
package enum JoinExpiry: Equatable {
    /// An interval join: `lower <= left time - right time <= upper` (microseconds), from
    /// `l.t BETWEEN r.t - INTERVAL … AND r.t + INTERVAL …` and its forms. A left row waits
    /// for right rows up to `left time - lower`, a right row for left rows up to
    /// `right time + upper`.
    case interval(leftTime: Int, rightTime: Int, lower: Int64, upper: Int64)
    /// A window join: both inputs come from window functions, and the condition equates their
    /// window_start and window_end: a row waits until its window ends (`end` columns).
    case window(leftEnd: Int, rightEnd: Int)

    /// The watermark after which no row of the other side can pair with `row` of `side`
    /// (0: left, 1: right; columns the input's own); nil without a time (it pairs with none).
    package func expiry(of row: Row, side: Int) -> Int64? {
        switch self {
        case let .interval(leftTime, rightTime, lower, upper):
            guard let time = row[side == 0 ? leftTime : rightTime].timestampMicros else { return nil }
            return side == 0 ? time &- lower : time &+ upper
        case let .window(leftEnd, rightEnd):
            return row[side == 0 ? leftEnd : rightEnd].timestampMicros.map { $0 - 1000 }
        }
    }

    /// How far behind the inputs' watermark the output's is held: a pair of an interval join
    /// can carry an event time this much older than the row that completed it (Flink holds
    /// its interval join's watermark back the same way). A window join's rows carry their
    /// window's time, which the watermark has not passed while the window is open.
    package var outputDelay: Int64 {
        switch self {
        case let .interval(_, _, lower, upper): return max(0, -lower, upper)
        case .window: return 0
        }
    }
}

/// The rows before the current one that an OVER aggregate sees (all: UNBOUNDED PRECEDING).
/// RANGE frames include the rows of the same time as the current one (its peers).
package enum OverFrame: Equatable {
    case unboundedRows
    case unboundedRange
    case rows(Int)
    /// Microseconds before the current row's time.
    case range(Int64)

    /// Whether the rows of the current row's time count as it does (RANGE).
    package var includesPeers: Bool {
        switch self {
        case .unboundedRange, .range: true
        case .unboundedRows, .rows: false
        }
    }
}

/// How a Top-N numbers the rows of a partition in order: one number each (ROW_NUMBER), or
/// the same number for ties — then a gap (RANK) or none (DENSE_RANK).
package enum RowNumbering: Sendable {
    case rowNumber, rank, denseRank
}

/// INTERSECT or EXCEPT (UNION is a union of inputs).
package enum SetOperation: Sendable {
    case intersect, except
}
