import Dispatch
import Foundation
import StreamSQL

/// Turns Ctrl-C (SIGINT) and SIGTERM into a request to stop that a command's loop
/// checks, so it can finish cleanly: flush its output and close its connections. The
/// request is the engine's own `StopSignal`, so a running query sees it too. Handlers
/// are installed even when the signals arrive ignored (as for a background job of a
/// non-interactive shell).
final class TerminationSignals: @unchecked Sendable {
    let stop = StreamSQL.StopSignal()
    private var sources: [DispatchSourceSignal] = []

    init() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN) // let the dispatch source, not the default action, see it
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [stop] in stop.request() }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        sources.forEach { $0.cancel() }
    }

    var isRequested: Bool { stop.isRequested }
}
