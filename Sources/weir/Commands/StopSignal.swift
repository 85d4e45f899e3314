import Dispatch
import Foundation

/// Turns Ctrl-C (SIGINT) and SIGTERM into a request to stop that a command's loop
/// checks, so it can finish cleanly: flush its output and close its connections.
/// Handlers are installed even when the signals arrive ignored (as for a
/// background job of a non-interactive shell).
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var stopRequested = false
    private var sources: [DispatchSourceSignal] = []

    init() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN) // let the dispatch source, not the default action, see it
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.request() }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        sources.forEach { $0.cancel() }
    }

    var isRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopRequested
    }

    private func request() {
        lock.lock()
        stopRequested = true
        lock.unlock()
    }
}
