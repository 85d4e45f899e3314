import Foundation
import KafkaBroker
import StreamSQL
import TerminalKit
import Workbench

/// `weir` on a terminal: the workbench, with the embedded broker in-process unless
/// `--bootstrap` names a cluster (then client properties go in the tables' WITH). The terminal
/// is restored on \quit, Ctrl-D and SIGTERM.
enum WorkbenchLauncher {
    static func run(bootstrap: String?, dataDirectory: String, initScript: String?) async throws {
        try? FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let engine = Engine()
        engine.dataDirectory = dataDirectory
        var server: KafkaServer?
        let address: String
        if let bootstrap {
            address = bootstrap
        } else {
            do {
                server = try await EmbeddedBroker.start(dataDirectory: dataDirectory + "/broker")
            } catch {
                throw CommandFailure("cannot start the embedded broker: \(error) (or give --bootstrap HOST:PORT)")
            }
            address = "127.0.0.1:\(server!.port)"
        }
        engine.catalog.defaultBootstrap = address
        let workbench = Workbench(
            engine: engine, brokerAddress: address, historyFile: dataDirectory + "/history",
            viKeys: InputEditor.initFileChoosesVi,
            spoolDirectory: dataDirectory + "/results")
        if let initScript { workbench.submit(initScript) }
        // Anything written to stderr while curses owns the screen would be drawn over it.
        let log = open(dataDirectory + "/workbench.log", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if log >= 0 {
            dup2(log, STDERR_FILENO)
            close(log)
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            let thread = Thread {
                let terminal = CursesTerminal()
                let signals = TerminationSignals()
                let watcher = Thread {
                    while !signals.isRequested, !workbench.quitRequested { usleep(50_000) }
                    if signals.isRequested { workbench.requestQuit() }
                }
                watcher.start()
                workbench.run(on: terminal)
                terminal.end()
                withExtendedLifetime(signals) {}
                continuation.resume()
            }
            thread.name = "weir workbench"
            thread.stackSize = 16 << 20
            thread.start()
        }
        if let server { await server.stop() }
    }
}
