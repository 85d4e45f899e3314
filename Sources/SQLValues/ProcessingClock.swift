import Foundation

/// Processing time as the engine reads it: PROCTIME(), NOW() and the other current-time
/// functions, processing-time windows, the state TTL. Each engine has one (its catalog's),
/// the wall clock unless a test sets its own — before declaring tables: a computed column's
/// PROCTIME() keeps the clock its CREATE TABLE was compiled with.
public struct ProcessingClock: Sendable {
    /// Milliseconds since the epoch, now.
    public let milliseconds: @Sendable () -> Int64

    public init(milliseconds: @escaping @Sendable () -> Int64) {
        self.milliseconds = milliseconds
    }

    /// The system's clock.
    public static let wall = ProcessingClock { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Microseconds since the epoch, as TIMESTAMP values hold them (at the clock's millisecond).
    public var micros: Int64 { milliseconds() * 1000 }
}
