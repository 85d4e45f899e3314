import SQLRuntime
import StreamSQL
import TerminalKit

/// Everything the workbench shows, changed only on the UI thread: the input, the results
/// of the latest query, messages, the catalog and jobs for the side pane, and the status.
public struct SessionModel: Sendable {
    /// The pane keys go to (`Panes` lists them in Tab's order).
    public enum Focus: String, Sendable {
        case input, results, timeline, topic, catalog
    }

    public var editor = InputEditor()
    public var results = ResultsModel()
    /// Lines of the message area (statement results, errors with their caret, notes).
    public var messages: [String] = []
    public var tables: [String] = []
    /// What Tab completes from (keywords, functions, tables, columns, option keys).
    public var completionWords: [String] = []
    /// Topics with partitions and message counts (nil until the broker answered).
    public var topics: [TopicSummary]?
    /// Each topic's messages per second over the newest refreshes of the topics (the catalog's sparkline).
    public var topicRates: [String: [Double]] = [:]
    private var lastTopicCounts: (counts: [String: Int64], at: ContinuousClock.Instant)?

    /// Records how fast each topic grew since the last refresh of the topics.
    mutating func noteRates(_ topics: [TopicSummary], at now: ContinuousClock.Instant) {
        defer { lastTopicCounts = (Dictionary(topics.map { ($0.name, $0.messages) }) { $1 }, now) }
        guard let last = lastTopicCounts else { return }
        let seconds = Double((now - last.at).components.seconds) + Double((now - last.at).components.attoseconds) / 1e18
        guard seconds > 0 else { return }
        for topic in topics {
            let grown = max(0, topic.messages - (last.counts[topic.name] ?? topic.messages))
            topicRates[topic.name, default: []].append(Double(grown) / seconds)
            if topicRates[topic.name]!.count > 12 { topicRates[topic.name]!.removeFirst() }
        }
    }

    /// The tailed topic the topic pane shows, while one is tailed.
    public var tail: TopicTail?
    /// The entry picked in the catalog pane.
    var catalogPick: CatalogPane.Entry?
    /// Columns of the screen at the last frame (the catalog pane is shown from 80).
    public var screenWidth = 120
    /// Where the panes were in the last frame (what a click focuses).
    public var paneAreas: [PaneArea] = []
    /// The timeline pane (`\\timeline`): what it last read of the running query, and its axis.
    public var timeline = TimelineState()
    /// Milliseconds between frames (`\refresh MS`).
    public var refreshMs = 40
    public var jobs: [(id: String, status: String, rowsIn: Int64, rowsOut: Int64, watermark: String, lag: Int64)] = []
    public var brokerAddress = ""
    /// Why the broker does not answer now (nil while it does): the status bar says so.
    public var brokerTrouble: String?
    public var running = false
    /// The running query has read every partition to its end (it waits for new records).
    public var caughtUp = false
    public var focus = Focus.input
    /// What is drawn over the panes, the topmost last: it takes keys before the panes do.
    public var overlays: [Overlay] = []
    public var zoomed = false
    /// Rows of the screen given to the input pane.
    public var inputHeight = 5
    /// The last query run (what `\\replay` reruns), and the replay running now.
    public var lastQuery: String?
    public var replay: ReplayControl?
    /// Why the running windowed query has not emitted for a while (the status bar shows it).
    public var stall: String?
    /// The running windowed query's watermark, as the results' title shows it (nil before its first).
    public var watermark: String?
    /// The guided lesson (`\\tutorial`), while it runs.
    public var tutorial: Tutorial?

    public init() {}

    /// Whether the help is shown.
    public var helpVisible: Bool { overlays.contains { if case .help = $0 { true } else { false } } }
    /// `\\why`'s explanation, while it is shown.
    public var why: [String]? {
        overlays.lazy.compactMap { if case let .why(lines) = $0 { lines } else { nil } }.first
    }
    /// Whether the selected result row is shown whole.
    public var detailVisible: Bool { overlays.contains(.detail) }

    /// `overlay` on top, replacing one of its kind already shown.
    public mutating func show(_ overlay: Overlay) {
        overlays.removeAll { $0.kind == overlay.kind }
        overlays.append(overlay)
    }

    public mutating func note(_ text: String) {
        messages.append(contentsOf: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        if messages.count > 500 { messages.removeFirst(messages.count - 500) }
    }
}

/// A box over the panes.
public enum Overlay: Equatable, Sendable {
    /// The help, its first line shown `top` (it scrolls on a small screen); it takes every key.
    case help(top: Int)
    /// `\\why`'s explanation: Esc (or Enter on an empty input) closes it, other keys go on to
    /// the panes (the query can be changed while the explanation is read).
    case why([String])
    /// The selected result row shown whole; it takes every key.
    case detail
    /// A record of the tailed topic shown whole; it takes every key.
    case record(RecordPosition)
    /// Every message of the session (`\\messages`), its last row shown at `bottom` rows from
    /// the end (0: the newest); it takes every key.
    case messages(bottom: Int)

    enum Kind { case help, why, detail, record, messages }

    var kind: Kind {
        switch self {
        case .help: .help
        case .why: .why
        case .detail: .detail
        case .record: .record
        case .messages: .messages
        }
    }
}
