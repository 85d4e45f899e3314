import Foundation
import SQLSyntax
import Testing

@testable import SQLConnectors
@testable import SQLPlanner
@testable import SQLValues
@testable import StreamSQL

/// Weir against Flink, query by query (Fixtures/flink-diff): the corpus's queries run by
/// Weir over the same files, every output column cast to STRING as Flink's answers were
/// (`SELECT CAST(c0 AS STRING), ... FROM (query) AS t(c0, ...)`), compared string for string
/// with what Flink 2.3 gave — in batch mode, and in streaming mode as the table the changelog
/// amounts to. Flink's answers are recorded in expected/*.jsonl (`scripts/flink-diff.sh
/// record`), so no Flink is needed here.
///
/// A query is *equal* (the same rows, or both refuse it), *refused* (Flink answers, Weir
/// refuses it on purpose: the corpus says `-- weir refuses: <text of its error>`), *lenient*
/// (Weir answers what Flink refuses), *known* (a difference the corpus names with `-- weir
/// differs: <why>`, where Flink's answer is not a calendar's or a number's) or *different*
/// — which fails the test, as does a refusal the corpus does not expect. `-- ulps: n` lets
/// a DOUBLE cell be n units in the last place off (the C library's sine against the JVM's).
@Suite(.serialized) struct FlinkDifferentialTests {
    static let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(
        "flink-diff")

    struct CorpusQuery {
        var id: String
        var sql: String
        var modes: Set<String> = ["batch", "streaming"]
        var refusal: String?
        /// Why Weir's answer differs from Flink's on purpose.
        var difference: String?
        /// How many units in the last place a DOUBLE may be off.
        var ulps = 0
    }

    struct Answer: Decodable {
        var id: String
        var rows: [[String?]]?
        var error: String?
    }

    enum Outcome {
        case equal, bothRefuse, refused, known, lenient(rows: Int)
        case different(String)
        case unexpectedRefusal(String)
    }

    /// queries/*.sql in name order, read as corpus.py reads them.
    static func queries() throws -> [CorpusQuery] {
        let directory = folder.appendingPathComponent("queries")
        var queries: [CorpusQuery] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).filter({ $0.hasSuffix(".sql") })
            .sorted()
        {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            var current: CorpusQuery?
            var body: [String] = []
            func close() {
                guard var query = current else { return }
                var sql = body.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
                if sql.hasSuffix(";") { sql.removeLast() }
                query.sql = sql.trimmingCharacters(in: .whitespacesAndNewlines)
                queries.append(query)
            }
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
                if line.hasPrefix("-- id: ") {
                    close()
                    current = CorpusQuery(id: String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces), sql: "")
                    body = []
                } else if current == nil {
                    continue
                } else if line.hasPrefix("-- modes: ") {
                    current!.modes = Set(
                        line.dropFirst(10).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                } else if line.hasPrefix("-- weir refuses: ") {
                    current!.refusal = String(line.dropFirst(17)).trimmingCharacters(in: .whitespaces)
                } else if line.hasPrefix("-- weir differs: ") {
                    current!.difference = String(line.dropFirst(17)).trimmingCharacters(in: .whitespaces)
                } else if line.hasPrefix("-- upsert key: ") {
                    continue // how Flink's answer was folded when recorded: Weir's changelog has its -U
                } else if line.hasPrefix("-- ulps: ") {
                    current!.ulps = Int(line.dropFirst(9).trimmingCharacters(in: .whitespaces)) ?? 0
                } else if line.hasPrefix("--"), body.isEmpty {
                    continue
                } else {
                    body.append(line)
                }
            }
            close()
        }
        return queries
    }

    static func expected(_ mode: String) throws -> [String: Answer] {
        let text = try String(contentsOf: folder.appendingPathComponent("expected/\(mode).jsonl"), encoding: .utf8)
        var answers: [String: Answer] = [:]
        for line in text.split(separator: "\n") where !line.isEmpty {
            let answer = try JSONDecoder().decode(Answer.self, from: Data(line.utf8))
            answers[answer.id] = answer
        }
        return answers
    }

    /// A fresh engine in `mode` with the corpus's tables.
    static func engine(_ mode: String) throws -> Engine {
        let engine = Engine()
        let data = folder.appendingPathComponent("data").path
        let tables = try String(contentsOf: folder.appendingPathComponent("tables.sql"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("--") }.joined(separator: "\n")
            .replacingOccurrences(of: "${DATA}", with: data)
        try engine.execute(
            script: "SET 'execution.runtime-mode' = '\(mode)';\nSET 'table.local-time-zone' = 'UTC';\n" + tables,
            writer: Collector())
        return engine
    }

    /// The query's rows as Weir gives them, each cell cast to STRING by Weir (nil: NULL),
    /// folded and sorted; or Weir's error.
    static func weirAnswer(_ query: CorpusQuery, engine: Engine) -> Result<[[String?]], SQLError> {
        do throws(SQLError) {
            guard case let .query(parsed) = try Parser.parseStatement(query.sql) else {
                throw SQLError(.plan, "not a query")
            }
            let width = try Planner(catalog: engine.catalog).plan(parsed).schema.columns.count
            let names = (0..<width).map { "c\($0)" }
            let wrapped =
                "SELECT \(names.map { "CAST(\($0) AS STRING)" }.joined(separator: ", ")) FROM (\(query.sql)) AS t(\(names.joined(separator: ", ")))"
            let collector = Collector()
            try engine.execute(script: wrapped, writer: collector)
            var counts: [[String?]: Int] = [:]
            for (row, kind) in zip(collector.rows, collector.kinds) {
                let cells = row.map { value -> String? in
                    if case let .string(text) = value { return text }
                    return value.isNull ? nil : "\(value)"
                }
                counts[cells, default: 0] += kind == .insert || kind == .updateAfter ? 1 : -1
            }
            return .success(sorted(counts.flatMap { row, count in Array(repeating: row, count: max(0, count)) }))
        } catch {
            return .failure(error)
        }
    }

    /// Rows in one order for both sides: by each cell's UTF-8 bytes, NULL last.
    static func sorted(_ rows: [[String?]]) -> [[String?]] {
        rows.sorted { left, right in
            for (a, b) in zip(left, right) where a != b {
                guard let a else { return false }
                guard let b else { return true }
                return a.utf8.lexicographicallyPrecedes(b.utf8)
            }
            return left.count < right.count
        }
    }

    static func compare(_ query: CorpusQuery, _ expected: Answer, _ weir: Result<[[String?]], SQLError>) -> Outcome {
        switch (expected.error, weir) {
        case (.some, .failure): return .bothRefuse
        case let (.some, .success(rows)): return .lenient(rows: rows.count)
        case let (nil, .failure(error)):
            if let refusal = query.refusal, error.message.contains(refusal) { return .refused }
            return .unexpectedRefusal(error.message)
        case let (nil, .success(rows)):
            let flink = sorted(expected.rows ?? [])
            if rows == flink || (query.ulps > 0 && same(rows, flink, ulps: query.ulps)) {
                if query.refusal != nil { return .different("Weir answers, but the corpus says it refuses") }
                if query.difference != nil {
                    return .different("the same rows, but the corpus says they differ: drop its `weir differs`")
                }
                return .equal
            }
            if query.difference != nil { return .known }
            return .different(difference(flink: flink, weir: rows))
        }
    }

    /// Row by row, cell by cell the same, a DOUBLE's text allowed `ulps` units in the last place.
    static func same(_ weir: [[String?]], _ flink: [[String?]], ulps: Int) -> Bool {
        guard weir.count == flink.count else { return false }
        for (a, b) in zip(weir, flink) {
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) where x != y {
                guard let x, let y, let p = Double(x), let q = Double(y), p.sign == q.sign, p.isFinite, q.isFinite,
                    p.bitPattern.magnitudeDifference(q.bitPattern) <= UInt64(ulps)
                else { return false }
            }
        }
        return true
    }

    /// The first rows on each side that the other does not have.
    static func difference(flink: [[String?]], weir: [[String?]]) -> String {
        func text(_ row: [String?]) -> String { row.map { $0 ?? "NULL" }.joined(separator: "|") }
        var remaining: [String: Int] = [:]
        for row in weir { remaining[text(row), default: 0] += 1 }
        var missing: [String] = []
        for row in flink {
            if let count = remaining[text(row)], count > 0 {
                remaining[text(row)] = count - 1
            } else {
                missing.append(text(row))
            }
        }
        let extra = remaining.filter { $0.value > 0 }.flatMap { Array(repeating: $0.key, count: $0.value) }.sorted()
        return
            "Flink \(flink.count) rows, Weir \(weir.count); only Flink's: \(missing.prefix(4)); only Weir's: \(extra.prefix(4))"
    }

    @Test(arguments: ["batch", "streaming"]) func weirGivesFlinksAnswers(mode: String) throws {
        let queries = try Self.queries()
        let answers = try Self.expected(mode)
        let engine = try Self.engine(mode)
        var equal = 0, refused = 0, total = 0
        var known: [String] = []
        var lenient: [String] = [], failures: [String] = []
        // WEIR_FLINK_DIFF_ONLY=id,id: those queries alone, each side's rows printed in full.
        let only = ProcessInfo.processInfo.environment["WEIR_FLINK_DIFF_ONLY"].map {
            Set($0.split(separator: ",").map(String.init))
        }
        for query in queries where query.modes.contains(mode) && only.map({ $0.contains(query.id) }) ?? true {
            guard let answer = answers[query.id] else {
                Issue.record(
                    "\(mode) \(query.id): no answer of Flink's recorded (scripts/flink-diff.sh record --only \(query.id))"
                )
                continue
            }
            total += 1
            let weir = Self.weirAnswer(query, engine: engine)
            if only != nil {
                func text(_ rows: [[String?]]) -> String {
                    rows.map { $0.map { $0 ?? "NULL" }.joined(separator: "|") }.joined(separator: "\n    ")
                }
                print("\(mode) \(query.id)\n  Flink:\n    \(answer.error ?? text(Self.sorted(answer.rows ?? [])))")
                switch weir {
                case let .success(rows): print("  Weir:\n    \(text(rows))")
                case let .failure(error): print("  Weir: \(error.message)")
                }
            }
            switch Self.compare(query, answer, weir) {
            case .equal, .bothRefuse: equal += 1
            case .refused: refused += 1
            case .known: known.append("\(query.id): \(query.difference!)")
            case let .lenient(rows): lenient.append("\(query.id) (\(rows) rows; Flink: \(answer.error ?? ""))")
            case let .different(detail): failures.append("\(query.id): different — \(detail)")
            case let .unexpectedRefusal(message): failures.append("\(query.id): Weir refuses — \(message)")
            }
        }
        print(
            "flink-diff \(mode): \(equal) of \(total) equal, \(refused) refused, \(known.count) known differences, "
                + "\(lenient.count) answered where Flink refuses, \(failures.count) different")
        if ProcessInfo.processInfo.environment["WEIR_FLINK_DIFF_REPORT"] == "1" {
            for line in failures + known.map({ "known: " + $0 }) + lenient.map({ "lenient: " + $0 }) {
                print("  \(mode) \(line)")
            }
        }
        for failure in failures { Issue.record("\(mode) \(failure)") }
    }
}

private extension UInt64 {
    func magnitudeDifference(_ other: UInt64) -> UInt64 { self > other ? self - other : other - self }
}
