import Foundation
import SQLConnectors
import SQLRuntime
import SQLValues
import StreamSQL

/// `\tutorial`: a lesson on event time built on the payments demo — a watermark, a tumbling
/// window that fires when the watermark passes its end, a late event that is dropped, a
/// quiet partition that holds every window back, and the idle timeout that lets it go. Each step says what to do, puts what to
/// type in the input, and moves on when what the user typed (and what the query then did)
/// shows the step was done.
public struct Tutorial: Sendable {
    /// What a step's check sees: what was typed since the step began, the session, and the
    /// running query's progress.
    struct Context {
        var typed: [String]
        var model: SessionModel
        var progress: QueryProgress.Snapshot?

        /// Whether a submission (case and spacing aside) starts with `prefix`.
        func typed(_ prefix: String) -> Bool {
            typed.contains { Context.normalized($0).hasPrefix(Context.normalized(prefix)) }
        }

        static func normalized(_ text: String) -> String {
            text.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        }
    }

    struct Step: Sendable {
        let title: String
        let text: String
        /// What goes into the input when the step begins (nil: nothing to type).
        let input: @Sendable (Context) -> String?
        let isDone: @Sendable (Context) -> Bool
    }

    public private(set) var index = 0
    /// What was submitted since the current step began.
    private(set) var typed: [String] = []

    public init() {}

    public var isFinished: Bool { index >= Self.steps.count }
    public var stepCount: Int { Self.steps.count }
    var step: Step? { isFinished ? nil : Self.steps[index] }

    /// The box's title and text for the current step (or the end).
    public var shown: (title: String, text: String) {
        guard let step else {
            return (
                "Tutorial — done",
                "That was the lesson: event time, watermarks, a tumbling window, a late event, a quiet partition and its fix. "
                    + "\\tutorial stop closes this box; \\tutorial starts again."
            )
        }
        return (
            "Tutorial — step \(index + 1) of \(Self.steps.count): \(step.title)  (\\tutorial next skips, \\tutorial stop ends)",
            step.text
        )
    }

    mutating func observe(submitted text: String) {
        typed.append(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Moves past every step whose check passes; returns the steps completed (for notes).
    mutating func advance(model: SessionModel, progress: QueryProgress.Snapshot?) -> [String] {
        var completed: [String] = []
        while let step, step.isDone(Context(typed: typed, model: model, progress: progress)) {
            completed.append(step.title)
            index += 1
            typed = []
        }
        return completed
    }

    mutating func skip() {
        guard !isFinished else { return }
        index += 1
        typed = []
    }

    /// What to put in the input for the current step.
    func input(model: SessionModel, progress: QueryProgress.Snapshot?) -> String? {
        step?.input(Context(typed: typed, model: model, progress: progress))
    }

    // MARK: The lesson

    static let table = """
        CREATE TABLE payments (
          createTime STRING, orderId BIGINT, payAmount DOUBLE, payPlatform INT, provinceId INT,
          rt AS TO_TIMESTAMP(createTime),
          WATERMARK FOR rt AS rt - INTERVAL '2' SECOND
        ) WITH ('connector' = 'kafka', 'topic' = 'payment_msg', 'format' = 'json', 'scan.startup.mode' = 'latest-offset');
        """

    static let query = """
        SELECT window_start, window_end, COUNT(*) AS orders, ROUND(SUM(payAmount), 2) AS amount
        FROM TABLE(TUMBLE(TABLE payments, DESCRIPTOR(rt), INTERVAL '5' SECOND))
        GROUP BY window_start, window_end;
        """

    /// A payment stamped `offset` seconds from the watermark (behind it when negative).
    static func payment(_ progress: QueryProgress.Snapshot?, offset: Int64, partition: Int?) -> String {
        let base = progress?.watermark ?? Int64(Date().timeIntervalSince1970) * 1_000_000
        let time = base / 1_000_000 * 1_000_000 + offset * 1_000_000
        let stamp = EventTimeText.format(time)
        let target = partition.map { "payment_msg:\($0)" } ?? "payment_msg"
        return
            #"\produce \#(target) {"createTime": "\#(stamp)", "orderId": 1, "payAmount": 99.5, "payPlatform": 0, "provinceId": 1}"#
    }

    static let steps: [Step] = [
        Step(
            title: "data",
            text: "Payments arrive on topic payment_msg, stamped with their createTime: that is event time. "
                + "Start the demo writing 20 payments a second into 3 partitions — it is in the input: press Enter.",
            input: { _ in "\\demo payments 20 3" },
            isDone: { $0.typed("\\demo payments") }),
        Step(
            title: "a watermark",
            text:
                "Declare a table over the topic. rt is the event time; the WATERMARK says how late events may be: it trails "
                + "the newest rt seen by 2 s, promising that nothing older is still to come. Press Enter to create it.",
            input: { _ in table },
            isDone: { context in
                context.typed.contains {
                    $0.uppercased().contains("CREATE TABLE") && $0.uppercased().contains("WATERMARK FOR")
                }
                    && !context.model.tables.isEmpty
            }),
        Step(
            title: "a tumbling window",
            text:
                "Group the payments into 5-second windows of event time. A window is emitted once the watermark passes its end, "
                + "so the first rows come a few seconds after its end — not when the clock gets there. Run it and wait for rows.",
            input: { _ in query },
            isDone: { context in
                context.progress?.window?.kind == .tumble && context.model.running
                    && !context.model.results.rows.isEmpty
            }),
        Step(
            title: "the timeline",
            text:
                "Open the timeline: one lane per partition with its events (•) and watermark (|), the combined watermark (▲), "
                + "and windows that fill up to it and fire. Type \\timeline and press Enter.",
            input: { _ in "\\timeline" },
            isDone: { $0.model.timeline.visible }),
        Step(
            title: "a late event",
            text:
                "This payment is stamped 30 s behind the watermark: its window has fired already, so it is dropped and counted "
                + "as late (× on the timeline). Send it with Enter and watch the late count.",
            input: { payment($0.progress, offset: -30, partition: 0) },
            isDone: { ($0.progress?.lateRows ?? 0) > 0 }),
        Step(
            title: "a quiet partition",
            text:
                "Stop the demo. With no new events the watermark stands still, and no window fires: event time moves only "
                + "with events. Press Enter.",
            input: { _ in "\\demo stop" },
            // Done once the status bar says the query waits: the watermark has stood still for a while.
            isDone: { $0.typed("\\demo stop") && $0.model.stall != nil }),
        Step(
            title: "one partition moves",
            text:
                "Write a payment 20 s ahead, to partition 0 only. Partition 0's watermark moves; the combined watermark is "
                + "the smallest of the partitions', and partitions 1 and 2 stand still. Send it with Enter.",
            input: { payment($0.progress, offset: 20, partition: 0) },
            isDone: { $0.typed("\\produce payment_msg:0") }),
        Step(
            title: "why no output?",
            text:
                "No window fires, though partition 0 is 20 s ahead. Ask why: \\why names the partitions that hold the "
                + "watermark back and the fix — 'scan.watermark.idle-timeout' = '5 s' lets a quiet partition stop counting.",
            input: { _ in "\\why" },
            isDone: { $0.typed("\\why") }),
        Step(
            title: "the fix",
            text:
                "The quiet partitions are not broken, only quiet: tell the table to stop waiting for a partition silent "
                + "for 5 s, read the topic from its start, and run the query again. Esc closes the explanation, Esc again "
                + "stops the running query, then Enter: partitions 1 and 2 turn idle, the watermark follows partition 0, "
                + "and the windows fire.",
            input: { _ in
                "ALTER TABLE payments SET ('scan.watermark.idle-timeout' = '5 s', 'scan.startup.mode' = 'earliest-offset');\n"
                    + query
            },
            isDone: { context in
                context.typed.contains { $0.contains("idle-timeout") } && context.model.running
                    && context.progress?.splits.contains(where: \.idle) == true && !context.model.results.rows.isEmpty
            }),
    ]
}
