import Foundation
import SQLSyntax
import SQLValues
import Synchronization

/// Counts the rows a job's sink is given (the "after" rows of a changelog).
package final class OutputCounter: Operator {
    let reporter: QueryReporter

    package init(reporter: QueryReporter, sink: Operator) {
        self.reporter = reporter
        super.init()
        output = sink
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        reporter.report(.wrote(rows: kinds?.count { $0 != .updateBefore } ?? rows.count))
        try output?.process(rows, kinds: kinds)
    }
}

/// A continuous INSERT INTO (or a statement set) running in the background on threads of
/// its own: known by an id, stopped by STOP JOB, listed by SHOW JOBS.
public final class Job: Sendable {
    public enum Status: Sendable, Equatable {
        case running, finished, stopped
        case failed(String)

        public var text: String {
            switch self {
            case .running: return "RUNNING"
            case .finished: return "FINISHED"
            case .stopped: return "CANCELED"
            case let .failed(message): return "FAILED: \(message)"
            }
        }
    }

    public let id: String
    /// `SET 'pipeline.name'` when given, else the statement.
    public let name: String
    public let statement: String
    /// What it has done so far.
    public let progress: QueryProgress
    /// Who else watches it (the workbench's timeline).
    public let observers: [any QueryObserver]
    let stop: StopSignal
    /// The status, and how many parts are still running.
    private let state = Mutex((status: Status.running, remaining: 0))
    private let finished = DispatchGroup()

    init(
        id: String, name: String, statement: String, progress: QueryProgress, observers: [any QueryObserver],
        stop: StopSignal
    ) {
        self.id = id
        self.name = name
        self.statement = statement
        self.progress = progress
        self.observers = observers
        self.stop = stop
    }

    public var status: Status { state.withLock { $0.status } }

    /// Runs each part (one per INSERT) on a thread of its own; the last part to end sets the status.
    package func start(_ parts: [QueryExecution]) {
        state.withLock { $0.remaining = parts.count }
        for part in parts {
            finished.enter()
            let thread = Thread { [self] in
                var failure: SQLError?
                do throws(SQLError) {
                    try part.run()
                } catch {
                    failure = error
                    stop.request() // one part failing stops the others
                }
                state.withLock { state in
                    if case .running = state.status, let failure { state.status = .failed(failure.description) }
                    state.remaining -= 1
                    if state.remaining == 0, case .running = state.status {
                        state.status = stop.isRequested ? .stopped : .finished
                    }
                }
                finished.leave()
            }
            thread.name = "weir job \(id)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    public func requestStop() { stop.request() }

    /// Blocks until every part has ended.
    public func wait() {
        finished.wait()
    }
}

/// The session's background jobs.
public final class JobRegistry: Sendable {
    /// The jobs in the order they started, and how many were ever added (for their ids).
    private let jobs = Mutex((all: [Job](), added: 0))

    package init() {}

    package func add(
        name: String, statement: String, progress: QueryProgress, observers: [any QueryObserver], stop: StopSignal
    ) -> Job {
        jobs.withLock { jobs in
            jobs.added += 1
            let id = String(
                format: "%08x",
                UInt32(
                    truncatingIfNeeded: UInt64(Date().timeIntervalSince1970 * 1000) &* 2_654_435_761
                        &+ UInt64(jobs.added)))
            let job = Job(
                id: id, name: name, statement: statement, progress: progress, observers: observers, stop: stop)
            jobs.all.append(job)
            return job
        }
    }

    public var all: [Job] { jobs.withLock { $0.all } }

    public func job(_ id: String) -> Job? { all.first { $0.id == id || $0.name == id } }

    /// Asks every running job to stop (Ctrl-C in `weir -f`).
    public func stopAll() {
        for job in all { job.requestStop() }
    }

    /// Blocks until every job has ended.
    public func waitForAll() {
        for job in all { job.wait() }
    }
}
