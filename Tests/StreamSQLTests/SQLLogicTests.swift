import Foundation
import SQLConnectors
import SQLSyntax
import SQLValues
import StreamSQL
import Testing

/// Runs the `.slt` files of Fixtures/slt, each on a fresh engine. The format, after
/// sqllogictest:
///
/// ```
/// # a comment
/// statement ok
/// CREATE TABLE t (...) WITH (...)
///
/// statement error unknown column amout
/// SELECT amout FROM t
///
/// query rowsort          (or `query` to keep the order the rows came in)
/// SELECT k, COUNT(*) FROM t GROUP BY k
/// ----
/// a|2
/// b|1
/// ```
///
/// A streaming query feeds its `feed` table by hand and checks what each step emits:
///
/// ```
/// stream events rowsort
/// SELECT k, COUNT(*) FROM events GROUP BY TUMBLE(rt, INTERVAL '5' SECOND), k
/// ----
/// feed 0 {"k":"x","ts":"2024-01-01 00:00:01"}
/// watermark 1 2024-01-01 00:00:09
/// idle 1
/// emits
/// x|1
/// end
/// emits
/// ```
///
/// `feed SPLIT RECORD`, `watermark SPLIT TIMESTAMP`, `idle SPLIT` and `end` push into the
/// table's feed; `emits` waits until the query has handled them and compares the rows it
/// wrote since the last `emits` (none, when nothing follows). The input is ended at the end
/// of the block if no `end` did. A changelog's rows start with their kind (`+I`, `-U`, `+U`,
/// `-D`). A query of several feed tables names them all
/// (`stream orders,shipments`), and each push names its table after the verb
/// (`feed shipments 0 {…}`, `end shipments`; a bare `end` ends them all).
///
/// A statement ends at a blank line; cells are separated by `|`, NULL spelled out, times at
/// their precision. `${FIXTURES}` in SQL stands for the fixtures folder. With
/// `WEIR_SLT_RECORD=1` the files are rewritten with the results the engine gives (read the
/// diff before committing it).
@Suite struct SQLLogicTests {
    static let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    static var files: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("slt").path))?
            .filter { $0.hasSuffix(".slt") }.sorted() ?? []
    }

    enum Record {
        case statementOK(sql: String, line: Int)
        case statementError(expected: String, sql: String, line: Int)
        case query(sorted: Bool, sql: String, expected: [String], line: Int)
        case stream(table: String, sorted: Bool, sql: String, steps: [StreamStep], line: Int)
    }

    enum StreamStep {
        case push(String)
        case emits([String])
    }

    static let pushWords = ["feed", "watermark", "idle", "end"]

    static func isPush(_ line: String) -> Bool {
        pushWords.contains(String(line.split(separator: " ", maxSplits: 1).first ?? ""))
    }

    static func streamSteps(_ lines: [String]) -> [StreamStep] {
        var steps: [StreamStep] = []
        var index = 0
        while index < lines.count {
            if lines[index] == "emits" {
                index += 1
                var rows: [String] = []
                while index < lines.count, lines[index] != "emits", !isPush(lines[index]) {
                    rows.append(lines[index])
                    index += 1
                }
                steps.append(.emits(rows))
            } else {
                steps.append(.push(lines[index]))
                index += 1
            }
        }
        return steps
    }

    static func streamText(_ steps: [StreamStep]) -> String {
        steps.map { step in
            switch step {
            case let .push(line): return line
            case let .emits(rows): return (["emits"] + rows).joined(separator: "\n")
            }
        }.joined(separator: "\n")
    }

    static func parse(_ text: String) -> [Record] {
        var records: [Record] = []
        let lines = text.components(separatedBy: "\n")
        var index = 0
        func block() -> [String] {
            var collected: [String] = []
            while index < lines.count, !lines[index].trimmingCharacters(in: .whitespaces).isEmpty,
                lines[index] != "----"
            {
                collected.append(lines[index])
                index += 1
            }
            return collected
        }
        while index < lines.count {
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            let number = index + 1
            index += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line == "statement ok" {
                records.append(.statementOK(sql: block().joined(separator: "\n"), line: number))
            } else if line.hasPrefix("statement error") {
                let expected = String(line.dropFirst("statement error".count)).trimmingCharacters(in: .whitespaces)
                records.append(.statementError(expected: expected, sql: block().joined(separator: "\n"), line: number))
            } else if line.hasPrefix("stream ") {
                let words = line.split(separator: " ").map(String.init)
                let sql = block().joined(separator: "\n")
                var steps: [StreamStep] = []
                if index < lines.count, lines[index] == "----" {
                    index += 1
                    steps = streamSteps(block())
                }
                records.append(
                    .stream(table: words[1], sorted: words.contains("rowsort"), sql: sql, steps: steps, line: number))
            } else if line.hasPrefix("query") {
                let sql = block().joined(separator: "\n")
                var expected: [String] = []
                if index < lines.count, lines[index] == "----" {
                    index += 1
                    expected = block()
                }
                records.append(.query(sorted: line.contains("rowsort"), sql: sql, expected: expected, line: number))
            }
        }
        return records
    }

    @Test(arguments: files)
    func file(_ name: String) throws {
        let path = Self.folder.appendingPathComponent("slt/\(name)").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let engine = Engine()
        var recorded = text
        func substitute(_ sql: String) -> String { sql.replacingOccurrences(of: "${FIXTURES}", with: Self.folder.path) }
        for record in Self.parse(text) {
            switch record {
            case let .statementOK(sql, line):
                do {
                    try engine.execute(script: substitute(sql), writer: Collector())
                } catch {
                    Issue.record("\(name):\(line): \(error.rendered(in: substitute(sql)))")
                }
            case let .statementError(expected, sql, line):
                do {
                    try engine.execute(script: substitute(sql), writer: Collector())
                    Issue.record("\(name):\(line): the statement succeeded, expected the error '\(expected)'")
                } catch {
                    #expect(error.description.contains(expected), "\(name):\(line): \(error.description)")
                }
            case let .query(sorted, sql, expected, line):
                let collector = Collector()
                do {
                    try engine.execute(script: substitute(sql), writer: collector)
                } catch {
                    Issue.record("\(name):\(line): \(error.rendered(in: substitute(sql)))")
                    continue
                }
                let actual = sorted ? collector.lines.sorted() : collector.lines
                let want = sorted ? expected.sorted() : expected
                if ProcessInfo.processInfo.environment["WEIR_SLT_RECORD"] == "1" {
                    let old = sql + "\n----\n" + expected.joined(separator: "\n")
                    recorded = recorded.replacingOccurrences(
                        of: old, with: sql + "\n----\n" + actual.joined(separator: "\n"))
                } else {
                    #expect(actual == want, "\(name):\(line)")
                }
            case let .stream(table, sorted, sql, steps, line):
                let recordedSteps = runStream(
                    table: table, sorted: sorted, sql: substitute(sql), steps: steps, engine: engine,
                    place: "\(name):\(line)")
                if ProcessInfo.processInfo.environment["WEIR_SLT_RECORD"] == "1" {
                    recorded = recorded.replacingOccurrences(
                        of: sql + "\n----\n" + Self.streamText(steps),
                        with: sql + "\n----\n" + Self.streamText(recordedSteps))
                }
            }
        }
        if ProcessInfo.processInfo.environment["WEIR_SLT_RECORD"] == "1", recorded != text {
            let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "Fixtures/slt/\(name)")
            try recorded.write(to: source, atomically: true, encoding: .utf8)
        }
    }

    /// Runs a streaming query on its own thread while the steps feed it; returns the steps
    /// with the rows actually emitted (for record mode).
    func runStream(
        table: String, sorted: Bool, sql: String, steps: [StreamStep], engine: Engine, place: String
    ) -> [StreamStep] {
        let tables = table.split(separator: ",").map(String.init)
        var feeds: [String: Feed] = [:]
        for name in tables { feeds[name] = engine.feed(name) }
        let everyFeed = Array(feeds.values)
        var open = Set(tables)
        let collector = Collector()
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: SQLError?
        let thread = Thread {
            do throws(SQLError) {
                try engine.execute(script: sql, writer: collector)
            } catch {
                failure = error
            }
            // A query that failed before reading its feeds leaves no one to drain them.
            for feed in everyFeed { feed.close() }
            done.signal()
        }
        thread.start()
        var seen = 0
        var ended = false
        var actualSteps: [StreamStep] = []
        for step in steps {
            switch step {
            case let .push(line):
                actualSteps.append(step)
                var words = line.split(separator: " ", maxSplits: 1).map(String.init)
                // The table named after the verb, or the only one.
                var name = tables[0]
                if words.count > 1, let named = words[1].split(separator: " ", maxSplits: 1).first.map(String.init),
                    feeds[named] != nil
                {
                    name = named
                    words[1] = String(words[1].dropFirst(named.count)).trimmingCharacters(in: .whitespaces)
                }
                let feed = feeds[name]!
                let arguments = words.count > 1 ? words[1].split(separator: " ", maxSplits: 1).map(String.init) : []
                switch words[0] {
                case "feed": feed.record(arguments[1], split: Int(arguments[0])!)
                case "watermark":
                    guard let micros = ValueParser.parse(arguments[1], as: .timestamp(3))?.timestampMicros else {
                        Issue.record("\(place): not a timestamp: \(arguments[1])")
                        continue
                    }
                    feed.watermark(micros, split: Int(arguments[0])!)
                case "idle": feed.idle(split: Int(arguments[0])!)
                default:
                    let ending = words.count > 1 ? [name] : Array(open)
                    for table in ending { feeds[table]!.end() }
                    open.subtract(ending)
                    ended = open.isEmpty
                }
            case let .emits(expected):
                for feed in feeds.values { feed.drain() }
                if ended { done.wait() }
                // A changelog's rows say what they do: `+I a|1`, `-U a|1`, `+U a|2`.
                let all =
                    collector.changelog
                    ? zip(collector.kinds, collector.lines).map { "\($0.rawValue) \($1)" } : collector.lines
                let lines = Array(all[seen...])
                seen = all.count
                actualSteps.append(.emits(lines))
                if ProcessInfo.processInfo.environment["WEIR_SLT_RECORD"] != "1" {
                    #expect(
                        (sorted ? lines.sorted() : lines) == (sorted ? expected.sorted() : expected),
                        "\(place): after \(actualSteps.count - 1) steps")
                }
            }
            if let failure {
                Issue.record("\(place): \(failure.rendered(in: sql))")
                break
            }
        }
        if !ended {
            for table in open { feeds[table]!.end() }
            done.wait()
        } else if case .push = steps.last {
            done.wait()
        }
        if let failure { Issue.record("\(place): \(failure.rendered(in: sql))") }
        return actualSteps
    }
}
