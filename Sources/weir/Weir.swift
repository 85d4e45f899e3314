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
        Weir is being built in stages (see README.md). Available now: topic admin, \
        producing, consuming and consumer groups against any Kafka-compatible broker, \
        and `dump-log` for Kafka segment files.
        """,
        version: "0.1.0",
        subcommands: [BrokerCommand.self, Topics.self, Produce.self, Consume.self, Groups.self, DumpLog.self]
    )
}

/// A command that could not do its work: printed as one line on stderr, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
