import Synchronization

/// Asks a running query to stop (Ctrl-C, STOP JOB, a LIMIT reached). Any thread may set it;
/// sources check it between batches.
public final class StopSignal: Sendable {
    private let requested = Atomic<Bool>(false)
    /// A job's signal also stops when its session's does.
    private let parent: StopSignal?

    public init(parent: StopSignal? = nil) {
        self.parent = parent
    }

    public func request() {
        requested.store(true, ordering: .releasing)
    }

    public var isRequested: Bool {
        requested.load(ordering: .acquiring) || parent?.isRequested == true
    }
}
