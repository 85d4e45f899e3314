import DemoData
import Foundation
import KafkaClient
import SQLRuntime

/// A backslash command as typed: its name, every word (the name first), and the text after
/// the name as it was typed (`\filter` and `\produce` take it whole).
struct CommandArguments {
    let name: String
    /// The command's form, said when it is given wrongly.
    var usage = ""
    let words: [String]
    let rest: String

    init(_ text: String) {
        words = text.dropFirst().split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        rest =
            words.count > 1
            ? text.dropFirst().split(separator: " ", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces) : ""
        name = words.first ?? ""
    }
}

/// A backslash command of the workbench: the names it answers to, its form, whether it
/// needs a broker, and what it does.
struct WorkbenchCommand: Sendable {
    let names: [String]
    /// Its form, as `\help` lists it.
    let usage: String
    var needsBroker = false
    let action: @Sendable (Workbench) -> (CommandArguments) -> Void
}

extension Workbench {
    /// Every command: the one list (`\help`'s text is checked against it by WorkbenchScreenTests).
    static let commands: [WorkbenchCommand] = [
        WorkbenchCommand(names: ["help", "h", "?"], usage: "\\help", action: Workbench.helpCommand),
        WorkbenchCommand(names: ["quit", "q", "exit"], usage: "\\quit", action: Workbench.quitCommand),
        WorkbenchCommand(names: ["clear"], usage: "\\clear", action: Workbench.clearCommand),
        WorkbenchCommand(names: ["tables"], usage: "\\tables", action: Workbench.tablesCommand),
        WorkbenchCommand(names: ["view"], usage: "\\view table|changelog|append|chart", action: Workbench.viewCommand),
        WorkbenchCommand(names: ["refresh"], usage: "\\refresh MS (at least 10)", action: Workbench.refreshCommand),
        WorkbenchCommand(names: ["zoom"], usage: "\\zoom", action: Workbench.zoomCommand),
        WorkbenchCommand(names: ["messages"], usage: "\\messages", action: Workbench.messagesCommand),
        WorkbenchCommand(names: ["input"], usage: "\\input ROWS (3 to 20)", action: Workbench.inputCommand),
        WorkbenchCommand(names: ["topics"], usage: "\\topics", needsBroker: true, action: Workbench.topicsCommand),
        WorkbenchCommand(
            names: ["tail"], usage: "\\tail TOPIC [beginning|end|OFFSET|@EPOCH_MS], \\tail stop", needsBroker: true,
            action: Workbench.tailCommand),
        WorkbenchCommand(
            names: ["pause", "resume"], usage: "\\pause, \\resume", needsBroker: true, action: Workbench.pauseCommand),
        WorkbenchCommand(names: ["why"], usage: "\\why [JOB]", action: Workbench.whyCommand),
        WorkbenchCommand(names: ["timeline"], usage: "\\timeline", action: Workbench.timelineCommand),
        WorkbenchCommand(names: ["pretty"], usage: "\\pretty", action: Workbench.prettyCommand),
        WorkbenchCommand(names: ["filter"], usage: "\\filter TEXT | field > n", action: Workbench.filterCommand),
        WorkbenchCommand(
            names: ["produce"], usage: "\\produce TOPIC[:PARTITION] [KEY] VALUE", needsBroker: true,
            action: Workbench.produceCommand),
        WorkbenchCommand(names: ["infer"], usage: "\\infer TOPIC", needsBroker: true, action: Workbench.inferCommand),
        WorkbenchCommand(names: ["groups"], usage: "\\groups", needsBroker: true, action: Workbench.groupsCommand),
        WorkbenchCommand(
            names: ["demo"], usage: "\\demo payments|words|user-events|recipes|clicks [RATE [PARTITIONS]], \\demo stop",
            needsBroker: true, action: Workbench.demoCommand),
        WorkbenchCommand(
            names: ["editing-mode"], usage: "\\editing-mode vi|emacs", action: Workbench.editingModeCommand),
        WorkbenchCommand(names: ["tutorial"], usage: "\\tutorial [next|stop]", action: Workbench.tutorialCommand),
        WorkbenchCommand(
            names: ["replay"], usage: "\\replay [1x|10x|step] [from TIME] [to TIME] [offsets A-B]",
            action: Workbench.replayCommand),
        WorkbenchCommand(names: ["export"], usage: "\\export FILE.csv|FILE.json", action: Workbench.exportCommand),
    ]

    private static let commandsByName = Dictionary(
        commands.flatMap { command in command.names.map { ($0, command) } }, uniquingKeysWith: { first, _ in first })

    /// Runs the backslash command `text` (`\tail payments beginning`).
    func command(_ text: String) {
        var arguments = CommandArguments(text)
        guard let command = Self.commandsByName[arguments.name] else {
            return model.note("error: unknown command \\\(arguments.name); \\help lists them")
        }
        if command.needsBroker, kafka == nil {
            return model.note("error: \\\(arguments.name) needs a broker (start weir without -e, or give --bootstrap)")
        }
        arguments.usage = command.usage
        command.action(self)(arguments)
    }

    func helpCommand(_ arguments: CommandArguments) {
        model.show(.help(top: 0))
    }

    func quitCommand(_ arguments: CommandArguments) {
        quitRequested = true
    }

    func clearCommand(_ arguments: CommandArguments) {
        model.messages = []
    }

    func tablesCommand(_ arguments: CommandArguments) {
        submit("SHOW TABLES;")
    }

    func viewCommand(_ arguments: CommandArguments) {
        let words = arguments.words
        guard words.count > 1, let view = ResultsModel.View(rawValue: words[1]) else {
            return model.note(arguments.usage)
        }
        model.results.view = view
    }

    /// Every message of the session in a box that scrolls back (the message area shows the newest).
    func messagesCommand(_ arguments: CommandArguments) { model.show(.messages(bottom: 0)) }

    /// F3's: the focused pane takes the screen, or gives it back.
    func zoomCommand(_ arguments: CommandArguments) { model.zoomed.toggle() }

    /// F5 and F6's: the input pane's height in rows.
    func inputCommand(_ arguments: CommandArguments) {
        let words = arguments.words
        guard words.count > 1, let rows = Int(words[1]), (3...20).contains(rows) else {
            return model.note(arguments.usage)
        }
        model.inputHeight = rows
    }

    func refreshCommand(_ arguments: CommandArguments) {
        let words = arguments.words
        guard words.count > 1, let milliseconds = Int(words[1]), milliseconds >= 10 else {
            return model.note(arguments.usage)
        }
        model.refreshMs = milliseconds
    }

    func topicsCommand(_ arguments: CommandArguments) {
        kafka!.refreshTopics()
        model.note(
            model.topics.map {
                $0.map {
                    "\($0.name): \($0.partitions) partition\($0.partitions == 1 ? "" : "s"), \($0.messages) message\($0.messages == 1 ? "" : "s")"
                }.joined(
                    separator: "\n")
            } ?? "asking the broker…")
    }

    func tailCommand(_ arguments: CommandArguments) {
        let words = arguments.words
        guard words.count > 1 else {
            return model.note(arguments.usage)
        }
        if words[1] == "stop" {
            kafka!.stopTail()
            model.tail = nil
            return
        }
        let from: OffsetSpec
        switch words.count > 2 ? words[2] : "end" {
        case "beginning", "earliest": from = .earliest
        case "end", "latest": from = .latest
        case let other where other.hasPrefix("@"):
            guard let millis = Int64(other.dropFirst()) else {
                return model.note("error: @ takes milliseconds since the epoch")
            }
            from = .timestamp(millis)
        case let other:
            guard let offset = Int64(other) else {
                return model.note("error: \\tail \(words[1]) beginning|end|OFFSET|@EPOCH_MS")
            }
            from = .offset(offset)
        }
        model.tail = TopicTail(topic: words[1])
        kafka!.startTail(words[1], from: from)
    }

    func pauseCommand(_ arguments: CommandArguments) {
        let name = arguments.name
        kafka!.setPaused(name == "pause")
        model.tail?.paused = name == "pause"
    }

    func whyCommand(_ arguments: CommandArguments) {
        let words = arguments.words
        let progress: QueryProgress?
        if words.count > 1 {
            guard let job = engine.jobs.job(words[1]) else {
                return model.note("error: no job \(words[1]) (SHOW JOBS lists them)")
            }
            progress = job.progress
        } else {
            progress =
                engine.runningQuery?.progress ?? engine.jobs.all.last(where: { $0.status == .running })?.progress
        }
        guard let progress else {
            return model.note("\\why explains a running query (or \\why JOB): nothing is running")
        }
        let lines = WhyExplainer.explain(progress.snapshot)
        model.note(lines.joined(separator: "\n"))
        model.show(.why(lines))
    }

    func timelineCommand(_ arguments: CommandArguments) {
        model.timeline.visible.toggle()
        refreshTimeline()
        if !model.timeline.visible, model.focus == .timeline { model.focus = .input }
        if model.timeline.visible, model.timeline.snapshot == nil {
            model.note("\\timeline shows a running windowed query: run one")
        }
    }

    func prettyCommand(_ arguments: CommandArguments) {
        guard model.tail != nil else {
            return model.note("\\pretty indents the tailed topic's JSON: \\tail TOPIC first")
        }
        model.tail!.pretty.toggle()
        model.note(model.tail!.pretty ? "the topic pane indents JSON values" : "the topic pane shows a record per line")
    }

    func filterCommand(_ arguments: CommandArguments) {
        guard model.tail != nil else { return model.note("\\filter narrows the tailed topic: \\tail TOPIC first") }
        let rest = arguments.rest
        model.tail!.filter = rest.isEmpty ? nil : TailFilter(rest)
        let shown = model.tail!.shown.count
        model.note(
            rest.isEmpty
                ? "the topic pane shows every record"
                : "the topic pane shows the records where \(rest): \(shown) of \(model.tail!.entries.count) so far")
    }

    func produceCommand(_ arguments: CommandArguments) {
        let rest = arguments.rest
        let parts = rest.split(separator: " ", maxSplits: 2).map(String.init)
        guard parts.count >= 2 else { return model.note(arguments.usage) }
        let keyed = parts.count == 3 && !parts[1].hasPrefix("{") && !parts[1].hasPrefix("[")
        let value = keyed ? parts[2] : rest.dropFirst(parts[0].count).trimmingCharacters(in: .whitespaces)
        // TOPIC:PARTITION puts the record in that partition (to show an idle or lagging one).
        let target = parts[0].split(separator: ":", maxSplits: 1).map(String.init)
        var partition: Int32?
        if target.count == 2 {
            guard let number = Int32(target[1]) else {
                return model.note("error: \\produce TOPIC:PARTITION, a number after the colon")
            }
            partition = number
        }
        kafka!.produce(topic: target[0], partition: partition, key: keyed ? parts[1] : nil, value: value)
    }

    func inferCommand(_ arguments: CommandArguments) {
        let words = arguments.words
        guard words.count > 1 else { return model.note(arguments.usage) }
        kafka!.infer(words[1])
    }

    func groupsCommand(_ arguments: CommandArguments) {
        kafka!.listGroups()
    }

    func demoCommand(_ arguments: CommandArguments) {
        let words = arguments.words
        guard words.count > 1 else {
            return model.note(arguments.usage)
        }
        if words[1] == "stop" {
            return model.note(kafka!.stopDemo() ? "the demo stopped writing" : "no demo is running")
        }
        guard let stream = DemoStream(rawValue: words[1]) else {
            return model.note(
                "error: no demo \(words[1]): \(DemoStream.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let partitions = words.count > 3 ? Int32(words[3]) : nil
        if words.count > 3, partitions == nil || partitions! < 1 {
            return model.note("error: \\demo NAME RATE PARTITIONS, a number of partitions")
        }
        kafka!.startDemo(stream, rate: words.count > 2 ? Double(words[2]) : nil, count: nil, partitions: partitions)
    }

    func editingModeCommand(_ arguments: CommandArguments) {
        let words = arguments.words
        guard words.count == 2, ["vi", "emacs"].contains(words[1]) else {
            return model.note(arguments.usage)
        }
        model.editor.viKeys = words[1] == "vi"
        model.note("\(words[1]) keys\(words[1] == "vi" ? ": Esc for command mode, i to insert" : "")")
    }

    func tutorialCommand(_ arguments: CommandArguments) {
        let words = arguments.words
        switch words.count > 1 ? words[1] : "" {
        case "stop":
            model.tutorial = nil
        case "next":
            guard model.tutorial != nil else { return model.note("\\tutorial starts the lesson") }
            model.tutorial!.skip()
            offerTutorialInput(engine.runningQuery?.progress.snapshot)
        default:
            model.tutorial = Tutorial()
            offerTutorialInput(engine.runningQuery?.progress.snapshot)
        }
    }

    func exportCommand(_ arguments: CommandArguments) {
        let rest = arguments.rest
        guard !rest.isEmpty else { return model.note(arguments.usage) }
        export(to: rest)
    }
}
