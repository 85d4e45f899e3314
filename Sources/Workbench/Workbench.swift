import DemoData
import Foundation
import KafkaClient
import SQLRuntime
import SQLSyntax
import StreamSQL
import Synchronization
import TerminalKit

/// The workbench's controller: keys change the session model; statements run on a worker
/// thread (never on the UI loop) and post what they produce back through an inbox, which
/// the UI loop drains before each frame. Tests drive it with `handle` and `settle` and
/// read the screen from `WorkbenchView`.
public final class Workbench: @unchecked Sendable {
    // Changed here and in Workbench+Teaching.swift, on the UI thread only.
    public internal(set) var model = SessionModel()
    public let engine: Engine
    private let quitFlag = Atomic<Bool>(false)
    /// Set by \quit, Ctrl-D, or `requestQuit()` from another thread (a signal).
    public var quitRequested: Bool {
        get { quitFlag.load(ordering: .acquiring) }
        set { quitFlag.store(newValue, ordering: .releasing) }
    }

    public func requestQuit() { quitRequested = true }
    private let inbox = Inbox()
    private let worker = DispatchQueue(label: "weir.workbench.statements")
    /// The stop signals of the submissions not finished yet, oldest (the running one) first.
    private let pendingStops = Mutex<[StopSignal]>([])
    private let historyFile: String?
    /// Where each query's spool of rows goes (`\export` writes from it).
    private let spoolDirectory: String?
    /// Topics, tails, produce, groups and demos (nil without a broker).
    let kafka: KafkaServices?

    /// `spoolDirectory`: where the rows of each query are kept on disk for `\export` (the
    /// data folder's `results`); nil keeps them in the system's temporary folder.
    public init(
        engine: Engine, brokerAddress: String = "", historyFile: String? = nil, viKeys: Bool = false,
        spoolDirectory: String? = nil
    ) {
        self.engine = engine
        let spoolDirectory =
            spoolDirectory ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("weir-results")
        self.spoolDirectory = spoolDirectory
        ResultSpool.removeAbandoned(in: spoolDirectory)
        // The timeline may be opened at any time: the session's queries keep what it draws.
        engine.makeObserver = { TimelineObserver() }
        self.historyFile = historyFile
        model.brokerAddress = brokerAddress
        kafka = brokerAddress.isEmpty ? nil : KafkaServices(bootstrap: brokerAddress, inbox: inbox)
        model.completionWords = engine.completionWords
        if let historyFile, let saved = try? String(contentsOfFile: historyFile, encoding: .utf8) {
            // Entries are separated by a line holding only "\u{1E}" (statements span lines).
            model.editor = InputEditor(history: saved.components(separatedBy: "\n\u{1E}\n").filter { !$0.isEmpty })
        }
        model.editor.viKeys = viKeys
        model.note(
            "Weir — \(brokerAddress.isEmpty ? "" : "broker at \(brokerAddress); ")type SQL ending in ; and press Enter. F1 for help."
        )
        if !brokerAddress.isEmpty {
            model.note(
                "To begin: \\demo payments writes live events to a topic, \\infer payment_msg makes its table, \\tutorial teaches windows step by step."
            )
        }
    }

    // MARK: Keys

    public func handle(_ key: Key) {
        if let overlay = model.overlays.last, handle(key, on: overlay) { return }
        // A pane no longer on screen (the tail stopped, the screen narrowed) gives the focus back.
        if !Panes.pane(model.focus).isShown(model) { model.focus = .input }
        // The focused pane first for the keys it claims, then the workbench's own, then the pane.
        if Panes.pane(model.focus).claims(key, model) { return route(key) }
        switch key {
        case .function(1): model.show(.help(top: 0))
        case .tab, .backTab:
            model.focus = Panes.nextFocus(after: model.focus, step: key == .tab ? 1 : -1, in: model)
        case .function(2): cycleView()
        case .function(3): model.zoomed.toggle()
        case .function(7) where model.replay != nil && model.running:
            let control = model.replay!
            if control.state.paused { control.resume() } else { control.pause() }
        case .function(8) where model.replay != nil && model.running:
            model.replay!.step()
        case .function(5): model.inputHeight = max(3, model.inputHeight - 1)
        case .function(6): model.inputHeight = min(20, model.inputHeight + 1)
        case .escape, .control("c"):
            if model.running {
                stopRunning()
            } else if key == .control("c") {
                model.editor.clear()
            } else if model.focus == .input {
                route(key)
            }
        case .control("d") where model.editor.isEmpty: quitRequested = true
        case .control("l"): model.messages = []
        case let .click(x, y):
            // A click focuses the pane under it.
            if let pane = model.paneAreas.last(where: { $0.area.contains(x: x, y: y) }) { model.focus = pane.focus }
        case .wheelUp: scroll(-3)
        case .wheelDown: scroll(3)
        case .pageUp: scroll(-10)
        case .pageDown: scroll(10)
        default: route(key)
        }
    }

    /// Gives `key` to the focused pane; a key it passes on goes to the input, which takes the focus.
    private func route(_ key: Key) {
        switch Panes.pane(model.focus).handle(key, model: &model) {
        case .consumed:
            break
        case .passed:
            guard model.focus != .input else { return }
            model.focus = .input
            route(key)
        case let .run(statements):
            for statement in statements { submit(statement) }
        }
    }

    /// A key for the overlay on top; false when it lets the key go on to the panes.
    private func handle(_ key: Key, on overlay: Overlay) -> Bool {
        switch overlay {
        case let .help(top):
            let last = WorkbenchView.helpLines.count - 1
            switch key {
            case .function(1), .escape, .character("q"): model.overlays.removeLast()
            case .up, .wheelUp: model.overlays[model.overlays.count - 1] = .help(top: max(0, top - 1))
            case .down, .wheelDown: model.overlays[model.overlays.count - 1] = .help(top: min(last, top + 1))
            case .pageUp: model.overlays[model.overlays.count - 1] = .help(top: max(0, top - 10))
            case .pageDown: model.overlays[model.overlays.count - 1] = .help(top: min(last, top + 10))
            default: break
            }
            return true
        case let .messages(bottom):
            func scrolled(_ rows: Int) {
                model.overlays[model.overlays.count - 1] = .messages(bottom: max(0, bottom + rows))
            }
            switch key {
            case .escape, .character("q"), .enter: model.overlays.removeLast()
            case .up, .wheelUp: scrolled(1)
            case .down, .wheelDown: scrolled(-1)
            case .pageUp: scrolled(10)
            case .pageDown: scrolled(-10)
            case .end: model.overlays[model.overlays.count - 1] = .messages(bottom: 0)
            case .home: scrolled(model.messages.count * 4)
            default: break
            }
            return true
        case .why:
            guard key == .escape || (key == .enter && model.editor.isEmpty) else { return false }
            model.overlays.removeLast()
            return true
        case .detail, .record:
            if key == .escape || key == .enter || key == .character("q") { model.overlays.removeLast() }
            return true
        }
    }

    private func scroll(_ rows: Int) {
        var results = model.results
        if results.follow { results.top = max(0, results.rows.count - results.page) }
        results.follow = false
        results.top = max(0, min(results.rows.count - 1, results.top + rows))
        if rows > 0, results.top >= results.rows.count - results.page { results.follow = true }
        model.results = results
    }

    /// F2: the table and the changes of a changelog, or an append-only list — then the chart,
    /// when the results have a number to draw.
    private func cycleView() {
        let chart: [ResultsModel.View] = ResultsChart.shape(model.results.columns) != nil ? [.chart] : []
        if !model.results.changelog, chart.isEmpty, !model.results.columns.isEmpty {
            return model.note(
                "F2: these results only ever append rows and have no number to chart — the append view is the one view of them"
            )
        }
        let views: [ResultsModel.View] = (model.results.changelog ? [.table, .changelog] : [.append]) + chart
        guard let index = views.firstIndex(of: model.results.view) else {
            model.results.view = views[0]
            return
        }
        model.results.view = views[(index + 1) % views.count]
    }

    // MARK: Statements

    /// An "unknown table" that names a topic (Tab completes topics too) says how to make its table.
    static func withTopicHint(_ error: String, topics: [String]) -> String {
        let firstLine = error.prefix { $0 != "\n" }
        guard let range = firstLine.range(of: "unknown table ") else { return error }
        let name = firstLine[range.upperBound...].prefix { !$0.isWhitespace && $0 != ";" && $0 != "," }
            .trimmingCharacters(in: CharacterSet(charactersIn: "`"))
        guard topics.contains(name) else { return error }
        return firstLine + "; \(name) is a topic: \\infer \(name) writes a CREATE TABLE for it"
            + error.dropFirst(firstLine.count)
    }

    /// Runs `text`: a `\command`, or SQL statements in order, on the worker thread.
    public func submit(_ text: String) {
        saveHistory()
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return }
        model.note("> " + trimmed.replacingOccurrences(of: "\n", with: " "))
        model.tutorial?.observe(submitted: trimmed)
        if trimmed.hasPrefix("\\") {
            command(trimmed)
            return checkTutorial(engine.runningQuery?.progress.snapshot)
        }
        let upper = trimmed.uppercased()
        if upper.hasPrefix("SELECT") || upper.hasPrefix("WITH") || upper.hasPrefix("(") {
            // \replay reruns the last query that ran: a failing one gives the place back.
            replacedQuery = (model.lastQuery, pending: true)
            model.lastQuery = trimmed
        }
        run(trimmed)
    }

    /// SQL on the worker thread, after whatever runs now (paced when it is a replay).
    func run(_ trimmed: String, replay: ReplayControl? = nil) {
        if model.running { model.note("a query is running: this statement runs after it (Esc stops it)") }
        let stop = StopSignal()
        pendingStops.withLock { $0.append(stop) }
        model.running = true
        let engine = self.engine, inbox = self.inbox, spoolDirectory = self.spoolDirectory
        worker.async {
            let writer = InboxWriter(inbox: inbox, stop: stop, engine: engine, spoolDirectory: spoolDirectory)
            do throws(SQLError) {
                try engine.execute(script: trimmed, writer: writer, stop: stop, replay: replay)
            } catch {
                inbox.post(.failed(error.rendered(in: trimmed)))
            }
            // Read here, on the thread that changes the catalog.
            inbox.post(.catalog(tables: engine.catalog.tableNames, words: engine.completionWords))
            inbox.post(.finished)
        }
    }

    /// Every row of the latest query to a CSV or JSON-lines file, from its spool (not only
    /// the rows the pane keeps): the changes as they came in the append and changelog views,
    /// the rows they amount to in the table view. Written on a thread of its own.
    func export(to path: String) {
        let results = model.results
        guard !results.columns.isEmpty else { return model.note("error: no results to export") }
        guard let spool = results.spool else {
            return model.note("error: this query's rows were not kept on disk: nothing to export")
        }
        let inbox = self.inbox
        let view = results.view
        let file = (path as NSString).expandingTildeInPath
        model.note("exporting to \(path)…")
        Thread.detachNewThread {
            do {
                let count = try ResultExport.write(
                    spool, view: view, json: path.lowercased().hasSuffix(".json"), to: file)
                let dropped = spool.counts.dropped
                inbox.post(
                    .message(
                        "exported \(count) rows to \(path)"
                            + (dropped > 0 ? " (the spool was full: \(dropped) later rows are not in it)" : "")))
            } catch {
                inbox.post(.message("error: cannot export to \(path): \(error)"))
            }
        }
    }

    func stopRunning() {
        // The running statement and any waiting behind it.
        pendingStops.withLock { $0.forEach { $0.request() } }
        model.note("stopping…")
        stopping = true
    }

    /// The query `\replay` reran before the latest one was submitted, while that one has not
    /// finished (it may fail, and give the place back).
    private var replacedQuery: (query: String?, pending: Bool) = (nil, false)

    /// Esc asked the running statements to stop; "stopped" is said once they have.
    private var stopping = false

    private func saveHistory() {
        guard let historyFile else { return }
        let entries = model.editor.history.suffix(1000)
        try? entries.joined(separator: "\n\u{1E}\n").write(toFile: historyFile, atomically: true, encoding: .utf8)
    }

    // MARK: Updates from the worker

    /// Applies what the worker posted and refreshes what the frame shows of the engine (jobs,
    /// the timeline, the status); true when anything was posted.
    @discardableResult
    public func drainInbox() -> Bool {
        let changed = applyInbox()
        refreshFrame()
        return changed
    }

    /// Applies what the worker posted — at most about `maxRows` rows of it: the rest waits
    /// for the next call; true when anything was posted.
    @discardableResult
    func applyInbox(maxRows: Int = .max) -> Bool {
        let events = inbox.take(maxRows: maxRows)
        for event in events {
            switch event {
            case let .begin(columns, changelog, capacity, spool):
                model.results.spool?.close()
                model.results.begin(columns: columns, changelog: changelog, capacity: capacity)
                model.results.spool = spool
            case let .rows(rows, kinds):
                model.results.add(rows, kinds: kinds)
                countRate(rows.count)
            case let .end(statistics):
                let stopped = pendingStops.withLock { $0.first?.isRequested == true }
                model.results.state = stopped ? "stopped" : "finished"
                model.results.statistics = statistics
                for (name, value) in statistics.sorted(by: { $0.key < $1.key }) where value > 0 {
                    model.note("note: " + statisticText(value, name))
                }
            case let .message(text): model.note(text)
            case let .failed(text):
                model.note(Self.withTopicHint(text, topics: model.topics?.map(\.name) ?? []))
                if replacedQuery.pending { model.lastQuery = replacedQuery.query }
                if model.results.state == "running" { model.results.state = "failed" }
            case let .broker(unreachable):
                if let reason = unreachable, model.brokerTrouble == nil {
                    model.note("broker \(model.brokerAddress) does not answer (\(reason)); retrying")
                } else if unreachable == nil, model.brokerTrouble != nil {
                    model.note("broker \(model.brokerAddress) answers again")
                }
                model.brokerTrouble = unreachable
            case let .catalog(tables, words):
                model.tables = tables
                model.completionWords = words
            case let .topics(topics):
                if let topics {
                    model.noteRates(topics, at: now())
                    model.topics = topics
                }
            case let .tail(records): model.tail?.add(records)
            case let .tailWaiting(waiting): model.tail?.waitingForBroker = waiting
            case let .input(text): model.editor.set(text)
            case .finished:
                replacedQuery.pending = false
                model.running = pendingStops.withLock { pending in
                    if !pending.isEmpty { pending.removeFirst() }
                    return !pending.isEmpty
                }
                // A query stopped by Esc (or by its table's end) before its writer said so.
                if model.results.state == "running" { model.results.state = "stopped" }
                if !model.running { model.replay = nil }
                if !model.running, stopping {
                    stopping = false
                    model.note("stopped")
                }
            }
        }
        model.results.settle()
        return !events.isEmpty
    }

    /// What a frame shows of the engine: its jobs, the running query's timeline, stall and
    /// rate. Once per frame (it takes snapshots under the engine's locks), not per batch of rows.
    func refreshFrame() {
        if model.running { countRate(0) } else { model.results.rate = 0 }
        refreshJobs()
        // One look at the running query per frame, for the timeline, the status line and the lesson.
        let running = engine.runningQuery?.progress.snapshot
        refreshTimeline()
        refreshStall(running)
        // A stream read to its end waits for more: the status bar says so rather than only "running".
        model.caughtUp = running.map { !$0.lag.isEmpty && $0.lag.values.allSatisfy { $0 == 0 } } ?? false
        checkTutorial(running)
    }

    /// The side pane's jobs, from the engine's registry (thread-safe snapshots).
    public func refreshJobs() {
        model.jobs = engine.jobs.all.map { job in
            let progress = job.progress.snapshot
            let watermark = progress.watermark.map { CivilClock.time($0 / 1000).prefix(8) }.map(String.init) ?? "-"
            return (
                job.id, job.status.text, progress.rowsIn, progress.rowsOut, watermark, progress.lag.values.reduce(0, +)
            )
        }
    }

    /// The running query's (else the newest running job's) timeline; the last one read stays
    /// on screen after the query ends.
    func refreshTimeline() {
        guard model.timeline.visible else { return }
        let observers =
            engine.runningQuery?.observers ?? engine.jobs.all.last(where: { $0.status == .running })?.observers ?? []
        if let timeline = observers.lazy.compactMap({ $0 as? TimelineObserver }).first {
            model.timeline.snapshot = timeline.snapshot
        }
    }

    /// What the workbench's timers read — a stalled query's note after two seconds, the rows
    /// per second, the topics' refresh: tests move it on instead of waiting.
    public var now: @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }

    /// When the running query's output or watermark last changed.
    private var lastChange = (rows: Int64(-1), watermark: Int64?.none, at: ContinuousClock.now)

    /// A windowed query that has not emitted nor moved its watermark for two seconds gets the
    /// reason in the status bar.
    private func refreshStall(_ running: QueryProgress.Snapshot?) {
        guard model.running, let progress = running, progress.window != nil else {
            model.stall = nil
            model.watermark = nil
            return
        }
        model.watermark = progress.watermark.map(WhyExplainer.time)
        if progress.rowsOut != lastChange.rows || progress.watermark != lastChange.watermark {
            lastChange = (progress.rowsOut, progress.watermark, now())
            model.stall = nil
        } else if now() - lastChange.at > .seconds(2) {
            model.stall = WhyExplainer.headline(progress)
        }
    }

    private var rateWindow = (start: ContinuousClock.now, rows: 0)

    /// Rows per second arriving in the results, over the last second.
    private func countRate(_ rows: Int) {
        rateWindow.rows += rows
        let elapsed = now() - rateWindow.start
        if elapsed >= .seconds(1) {
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            model.results.rate = Int(Double(rateWindow.rows) / seconds)
            rateWindow = (now(), 0)
        }
    }

    /// Waits until the worker has nothing left to do and its posts are applied (tests).
    public func settle(timeout: TimeInterval = 10) {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            drainInbox()
            if !model.running { return }
            usleep(5_000)
        } while Date() < deadline
    }

    // MARK: The loop

    /// Reads keys and draws frames until \quit or Ctrl-D. Keys come first: a key is handled
    /// and its frame drawn before more rows are taken, and the rows a frame takes are bounded
    /// (`rowsPerFrame`), so a query streaming as fast as it can does not delay a key's frame.
    /// While rows wait the loop goes round without sleeping, drawing at most every 16 ms.
    /// Keys that arrive together (a paste) are handled before the next frame, so 10,000
    /// pasted lines do not wait for 10,000 frames.
    public func run(on terminal: CursesTerminal) {
        var lastTopics = now() - .seconds(3)
        var lastDraw = ContinuousClock.now - .seconds(1)
        func draw() {
            refreshFrame()
            let size = terminal.size
            model.screenWidth = size.width
            let frame = WorkbenchView.render(model, width: size.width, height: size.height)
            model.paneAreas = frame.panes
            if frame.resultRows > 0 { model.results.page = frame.resultRows }
            terminal.draw(frame.grid, cursor: frame.cursor)
            lastDraw = .now
        }
        while !quitRequested {
            if now() - lastTopics > .seconds(2) {
                kafka?.refreshTopics()
                lastTopics = now()
            }
            let streaming = inbox.pendingRows > 0
            if let key = terminal.readKey(timeoutMs: streaming ? 1 : model.refreshMs) {
                var pending: Key? = key
                var handled = 0
                while let next = pending, handled < 100_000 {
                    if next == .resize { terminal.invalidate() } else { handle(next) }
                    handled += 1
                    pending = terminal.readKey(timeoutMs: 0)
                }
                draw()
            }
            applyInbox(maxRows: Self.rowsPerFrame)
            if ContinuousClock.now - lastDraw >= (streaming ? .milliseconds(16) : .milliseconds(model.refreshMs))
                || !streaming
            {
                draw()
            }
        }
        stopRunning()
        kafka?.close()
        engine.jobs.stopAll()
        saveHistory()
        model.results.spool?.close()
    }

    /// The most rows one turn of the loop takes from the inbox (a few milliseconds of work).
    static let rowsPerFrame = 8192

    /// Refreshes the topics list now (tests; the loop does it every two seconds).
    public func refreshTopics() { kafka?.refreshTopics() }
}
