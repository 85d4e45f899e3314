import Dispatch
import Foundation
import SQLRuntime
import StreamSQL

/// Turns Ctrl-C (SIGINT) and SIGTERM into a request to stop that a command's loop
/// checks, so it can finish cleanly: flush its output and close its connections. The
/// request is the engine's own `StopSignal`, so a running query sees it too. Handlers
/// are installed even when the signals arrive ignored (as for a background job of a
/// non-interactive shell).
final class TerminationSignals: @unchecked Sendable {
    let stop = SQLRuntime.StopSignal()
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var actions: [@Sendable () -> Void] = []

    init() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN) // let the dispatch source, not the default action, see it
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.requested() }
            source.resume()
            sources.append(source)
        }
    }

    /// Runs `action` (once) when a signal comes: for a command blocked where no loop checks
    /// `isRequested` (reading standard input, say).
    func onRequest(_ action: @escaping @Sendable () -> Void) {
        lock.withLock { actions.append(action) }
    }

    private func requested() {
        stop.request()
        let due = lock.withLock {
            let taken = actions
            actions = []
            return taken
        }
        due.forEach { $0() }
    }

    deinit {
        sources.forEach { $0.cancel() }
    }

    var isRequested: Bool { stop.isRequested }
}
