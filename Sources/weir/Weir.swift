import ArgumentParser
import Foundation
import KafkaProtocol

/// The `weir` executable: argument parsing and wiring only.
@main
struct Weir: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weir",
        abstract: "A terminal workbench for streaming SQL over Kafka.",
        discussion: """
            On a terminal, `weir` opens the workbench with its own broker (F1 lists the keys); \
            -e and -f run SQL without it. The other commands are the Kafka tools (topics, produce, \
            consume, groups, demo), the broker alone, and dump-log for segment files.
            """,
        version: Weir.version,
        subcommands: [
            SQLCommand.self, BrokerCommand.self, Topics.self, Produce.self, Consume.self, Groups.self, DemoCommand.self,
            DumpLog.self,
        ],
        defaultSubcommand: SQLCommand.self
    )
}

extension Weir {
    /// "0.1.0 (commit 1a2b3c4d5e6f, 2026-12-07)": the release and the commit the build comes from.
    static var version: String {
        let commit = BuildCommit.hash == "unknown" ? "commit unknown" : "commit \(BuildCommit.hash.prefix(12))"
        return "0.1.0 (\(commit)\(BuildCommit.date.isEmpty ? "" : ", " + BuildCommit.date))"
    }
}

/// `weir -e` / `weir -f` (the default command; `weir sql` names it): SQL without the workbench.
struct SQLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run SQL statements (-e or -f) and print their results; the default command."
    )

    @Option(name: [.customShort("e"), .customLong("execute")], help: "SQL statements to run, separated by ';'.")
    var execute: String?

    @Option(name: [.customShort("f"), .customLong("file")], help: "A file of SQL statements to run.")
    var file: String?

    @Option(
        name: .long,
        help: "How query results are printed: table, csv or json (default: table on a terminal, csv otherwise).")
    var format: ResultFormat?

    @Option(
        help:
            "Kafka bootstrap servers for tables without 'properties.bootstrap.servers' (default: $WEIR_BOOTSTRAP, else 127.0.0.1:9092)."
    )
    var bootstrap: String?

    @Option(help: "Where jobs keep their checkpoints (default: $XDG_DATA_HOME/weir, else ~/.local/share/weir).")
    var data: String?

    @Flag(help: "Start jobs afresh: ignore (and remove) their checkpoints.")
    var fresh = false

    @Option(
        name: .customShort("i"),
        help: ArgumentHelp("The workbench runs this file's statements first.", valueName: "init.sql"))
    var initFile: String?

    /// The per-user data folder.
    static var defaultDataDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return xdg + "/weir" }
        return (environment["HOME"] ?? NSTemporaryDirectory()) + "/.local/share/weir"
    }

    func run() async throws {
        let servers = bootstrap ?? ProcessInfo.processInfo.environment["WEIR_BOOTSTRAP"] ?? "127.0.0.1:9092"
        let dataDirectory = data ?? Self.defaultDataDirectory
        guard execute != nil || file != nil else {
            if isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 {
                // Without --bootstrap the workbench brings its own broker (WEIR_BOOTSTRAP is for the CLI commands).
                var initScript: String?
                if let initFile {
                    guard let data = FileManager.default.contents(atPath: initFile) else {
                        throw CommandFailure("cannot read \(initFile)")
                    }
                    initScript = String(decoding: data, as: UTF8.self)
                }
                return try await WorkbenchLauncher.run(
                    bootstrap: bootstrap, dataDirectory: dataDirectory, initScript: initScript)
            }
            // No terminal (`weir < file.sql`, or output to a file or pipe): the statements on stdin, as -f runs them.
            let script = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            let chosen = format ?? (isatty(STDOUT_FILENO) != 0 ? .table : .csv)
            return try await SQLRunner(format: chosen, bootstrap: servers, dataDirectory: dataDirectory, fresh: fresh)
                .run(script)
        }
        var script = execute ?? ""
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandFailure("cannot read \(file)")
            }
            script = String(decoding: data, as: UTF8.self)
        }
        let chosen = format ?? (isatty(STDOUT_FILENO) != 0 ? .table : .csv)
        try await SQLRunner(
            format: chosen, bootstrap: servers, dataDirectory: dataDirectory, fresh: fresh, scriptFile: file
        ).run(script)
    }
}

/// A command that could not do its work: printed as one line on stderr, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
