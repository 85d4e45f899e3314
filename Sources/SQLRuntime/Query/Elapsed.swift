import Dispatch

extension DispatchTime {
    /// Milliseconds from this moment to now, on the monotonic clock.
    package var elapsedMilliseconds: Int64 {
        Int64((DispatchTime.now().uptimeNanoseconds - uptimeNanoseconds) / 1_000_000)
    }
}
