import Foundation
import SQLPlanner
import SQLRuntime
import SQLSyntax
import SQLValues

/// Column names for matching JSON field names: one allocation holding every name, read
/// through a pointer. A class so that the memory is freed with the last format using it.
package final class FieldNames: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<UInt8>
    private let ranges: [(start: Int, count: Int)]

    init(_ names: [[UInt8]]) {
        let total = names.reduce(0) { $0 + $1.count }
        let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: max(total, 1))
        var ranges: [(Int, Int)] = []
        var offset = 0
        for name in names {
            name.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { (storage + offset).update(from: base, count: name.count) }
            }
            ranges.append((offset, name.count))
            offset += name.count
        }
        self.storage = storage
        self.ranges = ranges
    }

    deinit { storage.deallocate() }

    /// The length of name `position` when the bytes at `key` are that name and a closing
    /// quote (nil otherwise, or when there is no such name).
    func length(of position: Int, at key: UnsafePointer<UInt8>, within available: Int) -> Int? {
        guard position < ranges.count else { return nil }
        let range = ranges[position]
        guard range.count < available, key[range.count] == 0x22, Self.same(storage + range.start, key, range.count)
        else { return nil }
        return range.count
    }

    /// Byte equality, eight at a time: names are short, and a call to memcmp cost more than the compare.
    @inline(__always)
    private static func same(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var index = 0
        while index + 8 <= count {
            guard
                UnsafeRawPointer(a + index).loadUnaligned(as: UInt64.self)
                    == UnsafeRawPointer(b + index).loadUnaligned(as: UInt64.self)
            else { return false }
            index += 8
        }
        while index < count {
            guard a[index] == b[index] else { return false }
            index += 1
        }
        return true
    }

    /// Which name equals the `count` bytes at `key`, trying `first` before the others.
    func position(of key: UnsafePointer<UInt8>, count: Int, tryingFirst first: Int) -> Int? {
        let total = ranges.count
        guard total > 0 else { return nil }
        var candidate = first < total ? first : 0
        for _ in 0..<total {
            let range = ranges[candidate]
            if range.count == count, Self.same(storage + range.start, key, count) { return candidate }
            candidate = candidate + 1 == total ? 0 : candidate + 1
        }
        return nil
    }
}
