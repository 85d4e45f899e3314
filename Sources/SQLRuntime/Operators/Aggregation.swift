import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

/// Asks a running query to stop (Ctrl-C, STOP JOB, a LIMIT reached). Any thread may set it;
/// sources check it between batches.
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false
    /// A job's signal also stops when its session's does.
    private let parent: StopSignal?

    public init(parent: StopSignal? = nil) {
        self.parent = parent
    }

    public func request() {
        lock.lock()
        requested = true
        lock.unlock()
    }

    public var isRequested: Bool {
        lock.lock()
        let mine = requested
        lock.unlock()
        return mine || parent?.isRequested == true
    }
}

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
        case count = "c", integerSum = "i", doubleSum = "f", decimalSum = "d", extreme = "x", first = "a", last = "z", strings = "s"
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
        decimalSum = try container.decodeIfPresent(String.self, forKey: .decimalSum).flatMap { Decimal(string: $0) } ?? Decimal()
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
            (decimalSum, state) = (decimalSum + Decimal(sign) * number, .decimal(squares + Decimal(sign) * number * number))
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

/// GROUP BY a window: keeps an accumulator per window and key, adds each row to the windows
/// it falls into, and when the watermark passes a window's end (end - 1 ms ≤ watermark)
/// emits one row per key of the window and forgets it. A row whose windows have all fired
/// already is late: it is dropped and counted (Flink's rule).
package final class WindowAggregateOperator: Operator, StatefulOperator {
    let spec: WindowSpec
    let keys: [CompiledExpression]
    let aggregates: [AggregateCall]
    let eventTime: Bool
    let ltz: Bool
    private var currentWatermark = Int64.min
    /// Window end → the window's start and its groups.
    private var windows: [Int64: OpenWindow] = [:]
    /// Sessions per key: sorted, non-overlapping [start, end) with their accumulators.
    private var sessions: [Row: [(start: Int64, end: Int64, accumulators: [Accumulator])]] = [:]
    private(set) var lateRows: Int64 = 0
    /// Where the window state is reported (what `\\why` explains, what the timeline draws).
    var reporter: QueryReporter?

    /// The keys and the aggregates' arguments as plain columns, when they all are (the usual
    /// GROUP BY): read straight from the row, without evaluating expressions per row.
    private let keyColumns: [Int]?
    private let argumentColumns: [Int?]?
    /// The key and argument columns when all are plain.
    private struct PlainColumns {
        let keys: [Int]
        let arguments: [Int?]
    }

    /// A window's table before its first row.
    private let emptyGroups: GroupTable

    init(spec: WindowSpec, keys: [CompiledExpression], aggregates: [AggregateCall], eventTime: Bool, ltz: Bool) {
        self.spec = spec
        self.keys = keys
        self.aggregates = aggregates
        self.eventTime = eventTime
        self.ltz = ltz
        func column(_ expression: CompiledExpression) -> Int? {
            if case let .column(index) = expression { index } else { nil }
        }
        let keyColumns = keys.compactMap(column)
        self.keyColumns = keyColumns.count == keys.count ? keyColumns : nil
        let argumentsArePlain = aggregates.allSatisfy { $0.argument.map { column($0) != nil } ?? true }
        argumentColumns = argumentsArePlain ? aggregates.map { $0.argument.flatMap(column) } : nil
        emptyGroups = GroupTable(keyWidth: keys.count, aggregates: aggregates, fresh: aggregates.map { Accumulator($0) })
    }

    /// A window not fired yet: its start and its groups.
    private struct OpenWindow {
        let start: Int64
        var groups: GroupTable

        init(start: Int64, groups: GroupTable) {
            self.start = start
            self.groups = groups
        }
    }

    private struct SavedWindow: Codable {
        var end: Int64
        var key: Row
        var start: Int64
        var accumulators: [Accumulator]
    }

    private struct SavedState: Codable {
        var watermark: Int64
        var lateRows: Int64
        var windows: [SavedWindow]
        /// Sessions as windows: per key, each session's start, end and accumulators.
        var sessions: [SavedWindow]
    }

    package func saveState(_ encoder: JSONEncoder) throws -> Data {
        var saved = SavedState(watermark: currentWatermark, lateRows: lateRows, windows: [], sessions: [])
        for (end, window) in windows {
            for (group, key) in window.groups.keys.enumerated() {
                saved.windows.append(SavedWindow(end: end, key: key, start: window.start, accumulators: window.groups.accumulators(of: group)))
            }
        }
        for (key, list) in sessions {
            for session in list { saved.sessions.append(SavedWindow(end: session.end, key: key, start: session.start, accumulators: session.accumulators)) }
        }
        return try encoder.encode(saved)
    }

    package func restoreState(_ data: Data, _ decoder: JSONDecoder) throws {
        let saved = try decoder.decode(SavedState.self, from: data)
        currentWatermark = saved.watermark
        lateRows = saved.lateRows
        windows = [:]
        for window in saved.windows {
            // A saved key is new to the table: its saved accumulators are the group's first.
            _ = windows[window.end, default: OpenWindow(start: window.start, groups: emptyGroups)].groups.group(of: window.key, restoring: window.accumulators)
        }
        sessions = [:]
        for session in saved.sessions { sessions[session.key, default: []].append((session.start, session.end, session.accumulators)) }
        for key in sessions.keys { sessions[key]!.sort { $0.start < $1.start } }
    }

    override var statistics: [String: Int64] { ["late rows dropped": lateRows] }

    /// Groups of open windows and open sessions.
    private var openGroups: Int { windows.values.reduce(0) { $0 + $1.groups.count } + sessions.values.reduce(0) { $0 + $1.count } }

    private func fresh() -> [Accumulator] { aggregates.map { Accumulator($0) } }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        if let kinds, kinds.contains(where: { $0 == .updateBefore || $0 == .delete }) {
            throw SQLError(.unsupported, "a window aggregates insertions only, and its input updates rows (an upsert-kafka table or a GROUP BY without a window)")
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000) * 1000
        try add(rows, now: now)
        if !eventTime { try fire(upTo: now) }
        report()
    }

    /// Adds each row to its windows (or session), or counts it late.
    private func add(_ rows: [Row], now: Int64) throws(SQLError) {
        let currentWatermark = currentWatermark
        // Scratch arrays overwritten row after row: a key is copied only when a new group stores it.
        var key = Row(repeating: .null, count: keys.count)
        var values = [Value](repeating: .null, count: aggregates.count)
        // The window rows are going to, out of the map while this batch runs: rows in order of
        // time mostly go to the same window, and a local value is updated without the checks
        // a class's property gets on each access.
        var open: (end: Int64, window: OpenWindow)?
        defer { if let open { windows[open.end] = open.window } }
        // Keys and arguments of plain columns are read from the row where they are needed;
        // sessions and computed ones go through the scratch arrays.
        let scratch = keyColumns == nil || argumentColumns == nil || { if case .session = spec.kind { true } else { false } }()
        // Read once per batch: a class's properties read per row cost a retain and a release each.
        let plain = keyColumns.flatMap { keys in argumentColumns.map { PlainColumns(keys: keys, arguments: $0) } }
        for row in rows {
            if scratch {
                if let keyColumns {
                    for (index, column) in keyColumns.enumerated() { key[index] = row[column] }
                } else {
                    for (index, expression) in keys.enumerated() { key[index] = try expression.evaluate(row) }
                }
                if let argumentColumns {
                    for (index, column) in argumentColumns.enumerated() { values[index] = column.map { row[$0] } ?? .null }
                } else {
                    for (index, aggregate) in aggregates.enumerated() { values[index] = try aggregate.argument?.evaluate(row) ?? .null }
                }
            }
            let time: Int64
            if case let .assigned(startColumn, endColumn) = spec.kind {
                guard let start = row[startColumn].timestampMicros, let end = row[endColumn].timestampMicros else { continue }
                if eventTime, end - 1000 <= currentWatermark { noteLate(end - 1000); continue }
                add(row, values, key: key, start: start, end: end, plain: plain, to: &open)
                continue
            }
            if eventTime {
                guard let eventTime = row[spec.timeColumn].timestampMicros else { continue } // a NULL time is in no window
                time = eventTime
            } else {
                time = now
            }
            if case let .session(gap) = spec.kind {
                if eventTime, time + gap - 1000 <= currentWatermark { noteLate(time); continue }
                addToSession(values, key: key, time: time, gap: gap)
                continue
            }
            if case let .tumble(size) = spec.kind {
                // The common case, without a list of windows per row.
                let start = time - WindowSpec.floorMod(time - spec.offset, size)
                if eventTime, start + size - 1000 <= currentWatermark { noteLate(time); continue }
                add(row, values, key: key, start: start, end: start + size, plain: plain, to: &open)
                continue
            }
            var assigned = false
            for window in spec.windows(for: time) where !eventTime || window.end - 1000 > currentWatermark {
                add(row, values, key: key, start: window.start, end: window.end, plain: plain, to: &open)
                assigned = true
            }
            if !assigned { noteLate(time) }
        }
    }

    private func noteLate(_ time: Int64) {
        lateRows += 1
        if reporter?.wantsTimeline == true { reporter?.report(.lateRow(time: time)) }
    }

    private func report(fired: [WindowSpan] = []) {
        guard let reporter else { return }
        let sessionEnd = sessions.values.lazy.compactMap { $0.first?.end }.min()
        let nextEnd = [windows.keys.min(), sessionEnd].compactMap { $0 }.min()
        reporter.report(.windows(open: openGroups, nextEnd: nextEnd, lateRows: lateRows))
        guard reporter.wantsTimeline else { return }
        var spans: [WindowSpan] = []
        for (end, window) in windows { if let span = span(start: window.start, end: end, window.groups) { spans.append(span) } }
        // Sessions are per key: the timeline shows at most a few hundred.
        for (key, list) in sessions.prefix(200) { spans += list.map { sessionSpan(key, $0) } }
        reporter.report(.windowSpans(open: spans.sorted { ($0.start, $0.end) < ($1.start, $1.end) }, fired: fired))
    }

    private func span(start: Int64, end: Int64, _ groups: GroupTable) -> WindowSpan? {
        guard groups.count > 0 else { return nil }
        // Summing every key's aggregate costs a pass over the keys: past a thousand, the count alone.
        let aggregate = groups.count > 1000 ? nil : runningAggregate((0..<groups.count).map(groups.accumulators(of:)))
        return WindowSpan(start: start, end: end, groups: groups.count, aggregate: aggregate)
    }

    private func sessionSpan(_ key: Row, _ session: (start: Int64, end: Int64, accumulators: [Accumulator])) -> WindowSpan {
        WindowSpan(start: session.start, end: session.end, groups: 1, aggregate: runningAggregate([session.accumulators]), key: key)
    }

    /// A window's first aggregate as it stands, for the timeline: its value with one group;
    /// with several, the total where adding them up means something (else none).
    private func runningAggregate(_ groups: [[Accumulator]]) -> WindowAggregate? {
        guard let call = aggregates.first else { return nil }
        if groups.count == 1 { return WindowAggregate(call: call.text, value: groups[0][0].result(call), summed: false) }
        switch call.kind {
        case .count, .sum:
            var total = 0.0
            for accumulators in groups { total += accumulators[0].result(call).doubleValue ?? 0 }
            return WindowAggregate(call: call.text, value: .double(total), summed: true)
        default:
            return nil
        }
    }

    /// Adds a row to the window [start, end), which becomes the `open` one (the one before
    /// goes back to the map).
    @inline(__always)
    private func add(_ row: Row, _ values: [Value], key: Row, start: Int64, end: Int64, plain: PlainColumns?,
                     to open: inout (end: Int64, window: OpenWindow)?) {
        if open?.end != end {
            if let open { windows[open.end] = open.window }
            open = (end, windows.removeValue(forKey: end) ?? OpenWindow(start: start, groups: emptyGroups))
        }
        if let plain {
            let group = open!.window.groups.group(ofColumns: plain.keys, in: row)
            open!.window.groups.add(row, columns: plain.arguments, to: group)
        } else {
            let group = open!.window.groups.group(of: key)
            open!.window.groups.add(values, to: group)
        }
    }

    private func addToSession(_ values: [Value], key: Row, time: Int64, gap: Int64) {
        var list = sessions[key] ?? []
        var session = (start: time, end: time + gap, accumulators: fresh())
        // Merge every session this one touches.
        var kept: [(start: Int64, end: Int64, accumulators: [Accumulator])] = []
        var merged: [[Accumulator]] = []
        for existing in list {
            if existing.start < session.end && session.start < existing.end {
                session.start = min(session.start, existing.start)
                session.end = max(session.end, existing.end)
                merged.append(existing.accumulators)
            } else {
                kept.append(existing)
            }
        }
        // Merging accumulators: replay is not possible, so merged sessions combine their state.
        for other in merged {
            session.accumulators = session.accumulators.indices.map { Self.merge(session.accumulators[$0], other[$0], aggregates[$0]) }
        }
        Accumulator.add(values, to: &session.accumulators, aggregates)
        kept.append(session)
        list = kept.sorted { $0.start < $1.start }
        sessions[key] = list
    }

    static func merge(_ a: Accumulator, _ b: Accumulator, _ call: AggregateCall) -> Accumulator {
        var result = a
        result.count += b.count
        result.integerSum &+= b.integerSum
        result.doubleSum += b.doubleSum
        result.decimalSum += b.decimalSum
        if result.extreme.isNull {
            result.extreme = b.extreme
        } else if !b.extreme.isNull, let order = CompiledExpression.compare(b.extreme, result.extreme) {
            if case .min = call.kind, order < 0 { result.extreme = b.extreme }
            if case .max = call.kind, order > 0 { result.extreme = b.extreme }
        }
        if result.first == nil { result.first = b.first }
        if !b.last.isNull { result.last = b.last }
        result.strings += b.strings
        if let other = b.distinct { result.distinct = (result.distinct ?? []).union(other) }
        if case let .native(function) = call.kind, let merge = function.merge { result.state = merge(a.state, b.state) }
        return result
    }

    override func watermark(_ time: Int64) throws(SQLError) {
        guard eventTime, time > currentWatermark else {
            try output?.watermark(time)
            return
        }
        currentWatermark = time
        // The windows this watermark closes, for the timeline (read before they are emitted and forgotten).
        var firing: [WindowSpan] = []
        if reporter?.wantsTimeline == true {
            firing = windows.filter { $0.key - 1000 <= time }.compactMap { span(start: $0.value.start, end: $0.key, $0.value.groups) }
            for (key, list) in sessions { firing += list.filter { $0.end - 1000 <= time }.map { sessionSpan(key, $0) } }
        }
        try fire(upTo: time)
        report(fired: firing)
        try output?.watermark(time)
    }

    /// Emits the windows whose end - 1 ms is at or before `time`, oldest first.
    private func fire(upTo time: Int64) throws(SQLError) {
        var result: [Row] = []
        let due = windows.keys.filter { $0 - 1000 <= time }.sorted()
        for end in due {
            let window = windows.removeValue(forKey: end)!
            let keys = window.groups.keys
            // Keys in order, so a window's rows come out the same way every run.
            for group in keys.indices.sorted(by: { Self.precedes(keys[$0], keys[$1]) }) {
                result.append(output(keys[group], window.groups.accumulators(of: group), start: window.start, end: end))
            }
        }
        if case .session = spec.kind {
            for (key, list) in sessions.sorted(by: { Self.precedes($0.key, $1.key) }) {
                let closed = list.filter { $0.end - 1000 <= time }
                guard !closed.isEmpty else { continue }
                for session in closed { result.append(output(key, session.accumulators, start: session.start, end: session.end)) }
                let open = list.filter { $0.end - 1000 > time }
                sessions[key] = open.isEmpty ? nil : open
            }
        }
        if !result.isEmpty { try output?.process(result, kinds: nil) }
    }

    /// Rows compared column by column (NULL first): the order keys are emitted in.
    static func precedes(_ a: Row, _ b: Row) -> Bool {
        for (x, y) in zip(a, b) {
            if x.isNull != y.isNull { return x.isNull }
            if let order = CompiledExpression.compare(x, y), order != 0 { return order < 0 }
        }
        return false
    }

    private func output(_ key: Row, _ accumulators: [Accumulator], start: Int64, end: Int64) -> Row {
        var row = key
        for position in aggregates.indices { row.append(accumulators[position].result(aggregates[position])) }
        row.append(ltz ? .timestampLTZ(start) : .timestamp(start))
        row.append(ltz ? .timestampLTZ(end) : .timestamp(end))
        row.append(ltz ? .timestampLTZ(end - 1000) : .timestamp(end - 1000))
        return row
    }

    override func finish() throws(SQLError) {
        // The input ended: a final watermark fires every open window.
        if eventTime { currentWatermark = Int64.max }
        try fire(upTo: Int64.max)
        try output?.finish()
    }
}

/// GROUP BY without a window: updates each group's result as rows arrive and emits the
/// change (+I the first time, then -U old and +U new) — or, in batch mode, each group's
/// final result once at the end. Over a changelog (`retracting`), an update's old row and a
/// deleted row are taken back out of their group, and a group left without rows is deleted (-D).
package final class GroupAggregateOperator: Operator, StatefulOperator {
    let keys: [CompiledExpression]
    let aggregates: [AggregateCall]
    let emitAtEnd: Bool
    let retracting: Bool
    private var groups: [Row: Group] = [:]
    private var order: [Row] = []
    /// Groups not written for this long are dropped (nil: kept for ever).
    private var timeToLive: StateTimeToLive?

    /// A group's accumulators, its count of rows (added less taken back), the result it last
    /// emitted, and when a row last changed it (processing time, for the state's TTL).
    private struct Group {
        var accumulators: [Accumulator]
        var rows: Int64 = 0
        var emitted: Row?
        var written: Int64 = 0

        mutating func add(_ values: [Value], _ aggregates: [AggregateCall], at now: Int64) {
            rows += 1
            written = now
            Accumulator.add(values, to: &accumulators, aggregates)
        }

        mutating func takeBack(_ values: [Value], _ aggregates: [AggregateCall], at now: Int64) {
            rows -= 1
            written = now
            for index in aggregates.indices { accumulators[index].retract(values[index], aggregates[index]) }
        }
    }

    init(keys: [CompiledExpression], aggregates: [AggregateCall], emitAtEnd: Bool = false, retracting: Bool = false,
         timeToLive: StateTimeToLive? = nil) {
        self.keys = keys
        self.aggregates = aggregates
        self.emitAtEnd = emitAtEnd
        self.retracting = retracting
        self.timeToLive = emitAtEnd ? nil : timeToLive
    }

    private struct SavedGroup: Codable {
        var key: Row
        var accumulators: [Accumulator]
        var emitted: Row?
        /// Absent in checkpoints from before aggregates took rows back: a group had rows then.
        var rows: Int64?
    }

    package func saveState(_ encoder: JSONEncoder) throws -> Data {
        let keys = emitAtEnd ? order.filter { groups[$0] != nil } : Array(groups.keys)
        return try encoder.encode(keys.map { key in
            let group = groups[key]!
            return SavedGroup(key: key, accumulators: group.accumulators, emitted: group.emitted, rows: group.rows)
        })
    }

    package func restoreState(_ data: Data, _ decoder: JSONDecoder) throws {
        let saved = try decoder.decode([SavedGroup].self, from: data)
        groups = [:]
        order = emitAtEnd ? saved.map(\.key) : []
        let now = timeToLive?.clock() ?? 0
        for entry in saved { groups[entry.key] = Group(accumulators: entry.accumulators, rows: entry.rows ?? 1, emitted: entry.emitted, written: now) }
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        let (now, sweep) = timeToLive?.tick() ?? (0, false)
        if sweep, let timeToLive { groups = groups.filter { !timeToLive.hasExpired($0.value.written, at: now) } }
        var touched: [Row] = []
        var touchedSet: Set<Row> = []
        for (position, row) in rows.enumerated() {
            let takenBack = kinds.map { $0[position] == .updateBefore || $0[position] == .delete } ?? false
            if takenBack, !retracting {
                throw SQLError(.unsupported, "this aggregate was planned for insertions only, and its input updates rows")
            }
            var key: Row = []
            for expression in keys { key.append(try expression.evaluate(row)) }
            let values = try Accumulator.arguments(aggregates, of: row)
            if takenBack {
                // A row never added (its group deleted already) changes nothing, as in Flink.
                guard groups[key] != nil else { continue }
                groups[key]!.takeBack(values, aggregates, at: now)
            } else {
                if emitAtEnd, groups[key] == nil { order.append(key) }
                groups[key, default: Group(accumulators: aggregates.map { Accumulator($0, retracting: retracting) })].add(values, aggregates, at: now)
            }
            if touchedSet.insert(key).inserted { touched.append(key) }
        }
        if emitAtEnd { return }
        var output: [Row] = []
        var kinds: [RowKind] = []
        for key in touched {
            guard let entry = groups[key] else { continue }
            if entry.rows <= 0 {
                // Every row of the group was taken back: its result goes too.
                if let previous = entry.emitted {
                    output.append(previous)
                    kinds.append(.delete)
                }
                groups[key] = nil
                continue
            }
            var row = key
            for (index, aggregate) in aggregates.enumerated() { row.append(entry.accumulators[index].result(aggregate)) }
            if let previous = entry.emitted {
                guard previous != row else { continue }
                output.append(previous)
                kinds.append(.updateBefore)
                output.append(row)
                kinds.append(.updateAfter)
            } else {
                output.append(row)
                kinds.append(.insert)
            }
            groups[key]!.emitted = row
        }
        if !output.isEmpty { try self.output?.process(output, kinds: kinds) }
    }

    override func finish() throws(SQLError) {
        if emitAtEnd, !order.isEmpty {
            // A group whose rows were all taken back (an outer join's padded rows, retracted when
            // their match came) has no result, as in streaming, where its row is deleted.
            let rows = order.compactMap { key -> Row? in
                guard let group = groups[key], group.rows > 0 else { return nil }
                return key + aggregates.indices.map { group.accumulators[$0].result(aggregates[$0]) }
            }
            if !rows.isEmpty { try output?.process(rows, kinds: nil) }
            if !rows.isEmpty || !keys.isEmpty {
                try output?.finish()
                return
            }
        }
        // A global aggregate over an empty input still has its one row (COUNT(*) = 0) in batch
        // mode; in streaming mode, as in Flink, a result comes with the first row only.
        if emitAtEnd, keys.isEmpty, groups.isEmpty || groups.values.allSatisfy({ $0.rows <= 0 }) {
            let row = aggregates.map { Accumulator($0).result($0) }
            try output?.process([row], kinds: [.insert])
        }
        try output?.finish()
    }
}
