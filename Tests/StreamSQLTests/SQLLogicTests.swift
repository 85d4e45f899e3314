import Foundation
import SQLSyntax
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
    }

    static func parse(_ text: String) -> [Record] {
        var records: [Record] = []
        let lines = text.components(separatedBy: "\n")
        var index = 0
        func block() -> [String] {
            var collected: [String] = []
            while index < lines.count, !lines[index].trimmingCharacters(in: .whitespaces).isEmpty, lines[index] != "----" {
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
                    recorded = recorded.replacingOccurrences(of: old, with: sql + "\n----\n" + actual.joined(separator: "\n"))
                } else {
                    #expect(actual == want, "\(name):\(line)")
                }
            }
        }
        if ProcessInfo.processInfo.environment["WEIR_SLT_RECORD"] == "1", recorded != text {
            let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/slt/\(name)")
            try recorded.write(to: source, atomically: true, encoding: .utf8)
        }
    }
}
