import ArgumentParser
import Foundation
import SQLConnectors
import SQLRuntime
import SQLSyntax
import SQLValues
import StreamSQL
import TerminalKit

enum ResultFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

/// `weir -e` / `weir -f`: runs a script's statements with the engine and prints what they
/// return. Query results go to stdout; messages and notes go to stderr when the results are
/// for a program (csv, json), to stdout in table mode. Continuous INSERTs start background
/// jobs; the command exits when they have all ended. Ctrl-C stops a running query, the
/// jobs and the script.
struct SQLRunner {
    let format: ResultFormat
    /// For Kafka tables without `properties.bootstrap.servers`.
    let bootstrap: String
    /// Where jobs keep their checkpoints.
    let dataDirectory: String
    let fresh: Bool
    /// The script file run (`-f`), to say where it lives when a relative path it names is not found.
    var scriptFile: String? = nil

    /// Runs the script on a thread of its own: the engine blocks while it waits for Kafka,
    /// which must not take one of Swift's few concurrency threads.
    func run(_ script: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            let thread = Thread {
                do {
                    try runHere(script)
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "weir sql"
            thread.stackSize = 16 << 20
            thread.start()
        }
    }

    private func runHere(_ script: String) throws {
        let engine = Engine()
        engine.catalog.defaultBootstrap = bootstrap
        engine.catalog.scriptFolder = scriptFile.map {
            URL(fileURLWithPath: $0).standardizedFileURL.deletingLastPathComponent().path
        }
        engine.dataDirectory = dataDirectory
        engine.ignoreCheckpoints = fresh
        engine.onJobNote = { job, note in
            try? FileHandle.standardError.write(contentsOf: Data("job \(job.id): \(note)\n".utf8))
        }
        let signals = TerminationSignals()
        defer { withExtendedLifetime(signals) {} } // the handlers stay until the script ends
        let printer = ResultPrinter(format: format)
        do throws(SQLError) {
            try engine.execute(script: script, writer: printer, stop: signals.stop)
        } catch {
            printer.flush()
            engine.jobs.stopAll()
            engine.jobs.waitForAll()
            throw CommandFailure(error.rendered(in: script))
        }
        printer.flush()
        engine.jobs.waitForAll()
        let failed = engine.jobs.all.compactMap { job -> String? in
            if case let .failed(message) = job.status { return "job \(job.id) failed: \(message)" }
            return nil
        }
        for job in engine.jobs.all where job.status != .running {
            let progress = job.progress.snapshot
            let checkpoints =
                progress.checkpoints == 0
                ? ""
                : String(
                    format: ", %d checkpoints (the longest %.1f ms)", progress.checkpoints, progress.longestCheckpointMs
                )
            try? FileHandle.standardError.write(
                contentsOf: Data(
                    "job \(job.id) \(job.status == .finished ? "finished" : job.status == .stopped ? "stopped" : "failed"): \(progress.rowsIn) rows in, \(progress.rowsOut) rows out\(checkpoints)\n"
                        .utf8))
        }
        if !failed.isEmpty { throw CommandFailure(failed.joined(separator: "\n")) }
    }
}

/// Prints results as a table (columns fitted to the first thousand rows), CSV or JSON lines.
final class ResultPrinter: ResultWriter {
    let format: ResultFormat
    private var columns: [Column] = []
    private var changelog = false
    private var pending: [(kind: RowKind?, row: Row)] = []
    private var widths: [Int]?
    private var count = 0
    private var output = ""

    init(format: ResultFormat) {
        self.format = format
    }

    func message(_ text: String) {
        if format == .table {
            write(text + "\n")
        } else {
            flush()
            try? FileHandle.standardError.write(contentsOf: Data((text + "\n").utf8))
        }
    }

    func begin(columns: [Column], changelog: Bool) {
        self.columns = columns
        self.changelog = changelog
        pending = []
        widths = nil
        count = 0
        if format == .csv { write(ResultLines.csvHeader(columns, changelog: changelog)) }
    }

    func rows(_ rows: [Row], kinds: [RowKind]?) {
        for (position, row) in rows.enumerated() {
            let kind = kinds?[position]
            count += 1
            switch format {
            case .csv: write(ResultLines.csv(row, kind: kind, columns: columns, changelog: changelog))
            case .json: write(ResultLines.json(row, kind: kind, columns: columns, changelog: changelog))
            case .table:
                pending.append((kind, row))
                if widths == nil, pending.count >= 1000 { printHeader() }
                if widths != nil { printPending() }
            }
        }
        // A stream's rows are shown as they come (one write per batch); a table waits to size its columns.
        if format != .table || output.utf8.count > 1 << 16 { flush() }
    }

    func end(statistics: [String: Int64]) {
        if format == .table {
            if widths == nil { printHeader() }
            printPending()
            write(border() + "\n" + "\(count) row\(count == 1 ? "" : "s") in set\n")
        }
        flush()
        for (name, value) in statistics.sorted(by: { $0.key < $1.key }) where value > 0 {
            try? FileHandle.standardError.write(contentsOf: Data("note: \(statisticText(value, name))\n".utf8))
        }
    }

    func flush() {
        guard !output.isEmpty else { return }
        // A closed pipe (`| head`) ends the output quietly rather than trapping.
        try? FileHandle.standardOutput.write(contentsOf: Data(output.utf8))
        output = ""
    }

    private func write(_ text: String) { output += text }

    // MARK: Table

    private var headers: [String] { (changelog ? ["op"] : []) + columns.map(\.name) }

    private func cells(_ entry: (kind: RowKind?, row: Row)) -> [String] {
        (changelog ? [(entry.kind ?? .insert).rawValue] : [])
            + entry.row.enumerated().map { ValueFormatter.display($1, type: columns[$0].type) }
    }

    private func printHeader() {
        var fitted = headers.map { DisplayWidth.of($0) }
        for entry in pending {
            for (index, cell) in cells(entry).enumerated() {
                // A cell of several lines (a plan, a table's DDL) is as wide as its widest line, whole.
                let lines = cell.split(separator: "\n", omittingEmptySubsequences: false)
                let widest = lines.map { DisplayWidth.of(String($0)) }.max() ?? 0
                fitted[index] = max(fitted[index], lines.count > 1 ? widest : min(widest, 60))
            }
        }
        widths = fitted
        write(border() + "\n" + line(headers) + "\n" + border() + "\n")
    }

    private func printPending() {
        for entry in pending { write(line(cells(entry)) + "\n") }
        pending = []
    }

    private func border() -> String {
        "+" + (widths ?? []).map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+"
    }

    /// A row's line of the table — or lines, as many as its tallest cell has.
    private func line(_ cells: [String]) -> String {
        let lines = cells.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        let height = lines.map(\.count).max() ?? 1
        return (0..<height).map { row in
            "|"
                + lines.enumerated().map { index, cell in
                    let width = widths![index]
                    let fitted = DisplayWidth.truncate(row < cell.count ? cell[row] : "", to: width)
                    let padding = String(repeating: " ", count: max(0, width - DisplayWidth.of(fitted)))
                    let numeric =
                        index >= (changelog ? 1 : 0) && columns[index - (changelog ? 1 : 0)].type.isNumeric
                    return " " + (numeric ? padding + fitted : fitted + padding) + " "
                }.joined(separator: "|") + "|"
        }.joined(separator: "\n")
    }

}
