import Foundation

/// Threads of the broker's own that its tasks run on (a task executor preference), instead
/// of Swift's shared cooperative pool. The broker is embedded in a process that does other
/// work — the workbench's SQL engine and UI, a test suite — and a pool as wide as the
/// machine's cores is easily filled by that work, or blocked by it; a broker waiting for a
/// turn there answers nobody. With threads of its own it keeps serving.
///
/// Jobs run in the order they arrive, on whichever thread is free. Thread safety: `enqueue`
/// may be called from any thread.
final class BrokerExecutor: TaskExecutor, @unchecked Sendable {
    /// The executor every broker in the process shares (two threads: requests are short,
    /// and fsync and long waits happen elsewhere).
    static let shared = BrokerExecutor(threads: 2)

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    /// Index of the next job to run in `jobs` (the array is compacted now and then).
    private var head = 0

    init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "weir-broker-\(index)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head > 1024, head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
