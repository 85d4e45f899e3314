import Foundation
import SQLRuntime
import SQLValues
import StreamSQL

/// What the worker and the Kafka tasks post to the UI loop.
enum WorkerEvent: Sendable {
    /// A query's rows begin: its columns, whether they are a changelog, how many rows the
    /// pane keeps, and the spool that keeps them all.
    case begin(columns: [Column], changelog: Bool, capacity: Int, spool: ResultSpool?)
    case rows([Row], kinds: [RowKind]?)
    case end(statistics: [String: Int64])
    case message(String)
    /// A statement failed: the error, rendered with its caret.
    case failed(String)
    case catalog(tables: [String], words: [String])
    case topics([TopicSummary]?)
    /// The broker stopped answering (the reason), or answers again (nil).
    case broker(unreachable: String?)
    case tail([TailEntry])
    /// The tail waits for a broker that does not answer (true), or reads again (false).
    case tailWaiting(Bool)
    /// Text for the input pane (a DDL from \\infer).
    case input(String)
    case finished
}

/// The queue from the worker (and the Kafka tasks) to the UI loop, which takes everything in
/// it before each frame. Rows are bounded: a query posting rows waits while `rowCapacity` of
/// them are still to be taken, so a query never runs further ahead of the screen than that
/// (its source then waits too: back-pressure reaches the consumer). Other events never wait.
final class Inbox: @unchecked Sendable {
    let rowCapacity: Int
    private let condition = NSCondition()
    private var events: [WorkerEvent] = []
    private var queuedRows = 0

    init(rowCapacity: Int = 65_536) {
        self.rowCapacity = rowCapacity
    }

    func post(_ event: WorkerEvent) {
        condition.lock()
        events.append(event)
        condition.unlock()
    }

    /// Posts a query's rows once there is room for them, or at once when `stop` is requested
    /// (a stopping query must not wait for a screen that no longer takes its rows).
    func post(rows: [Row], kinds: [RowKind]?, stop: StopSignal) {
        condition.lock()
        defer { condition.unlock() }
        // Looked at every 20 ms while waiting: a stop is a flag, not something that signals.
        while queuedRows > 0, queuedRows + rows.count > rowCapacity, !stop.isRequested {
            condition.wait(until: Date().addingTimeInterval(0.02))
        }
        events.append(.rows(rows, kinds: kinds))
        queuedRows += rows.count
    }

    /// Rows posted and not yet taken.
    var pendingRows: Int {
        condition.lock()
        defer { condition.unlock() }
        return queuedRows
    }

    /// The events posted so far, in order — stopping after the event that brings the rows
    /// taken to `maxRows`, so that one frame's share of a fast query's rows stays small.
    func take(maxRows: Int = .max) -> [WorkerEvent] {
        condition.lock()
        defer { condition.unlock() }
        var rows = 0
        var count = 0
        while count < events.count, rows < maxRows {
            if case let .rows(batch, _) = events[count] { rows += batch.count }
            count += 1
        }
        let taken = Array(events[..<count])
        events.removeFirst(count)
        queuedRows -= rows
        condition.broadcast()
        return taken
    }
}

/// The engine's results for the results pane: rows go to the inbox as values (the screen
/// formats the few it shows) and to the query's spool (for `\export`).
final class InboxWriter: ResultWriter, @unchecked Sendable {
    let inbox: Inbox
    let stop: StopSignal
    let engine: Engine
    /// Where spools go (nil: none is kept).
    let spoolDirectory: String?
    private var spool: ResultSpool?

    init(inbox: Inbox, stop: StopSignal, engine: Engine, spoolDirectory: String?) {
        self.inbox = inbox
        self.stop = stop
        self.engine = engine
        self.spoolDirectory = spoolDirectory
    }

    func begin(columns: [Column], changelog: Bool) {
        // Read here, on the worker thread, which is the one that changes the settings.
        let setting = engine.catalog.setting(ResultsModel.capacitySetting, default: "")
        let capacity = Int(setting).flatMap { $0 > 0 ? $0 : nil } ?? ResultsModel.defaultCapacity
        if !setting.isEmpty, Int(setting) ?? 0 <= 0 {
            inbox.post(
                .message(
                    "note: \(ResultsModel.capacitySetting) is '\(setting)', not a number of rows above 0: \(capacity) rows are kept"
                ))
        }
        spool = spoolDirectory.flatMap { try? ResultSpool(directory: $0, columns: columns, changelog: changelog) }
        inbox.post(.begin(columns: columns, changelog: changelog, capacity: capacity, spool: spool))
    }

    func rows(_ rows: [Row], kinds: [RowKind]?) {
        spool?.append(rows, kinds: kinds)
        inbox.post(rows: rows, kinds: kinds, stop: stop)
    }

    func end(statistics: [String: Int64]) { inbox.post(.end(statistics: statistics)) }
    func message(_ text: String) { inbox.post(.message(text)) }
}
