import Foundation
import SQLSyntax

/// Reads a file in chunks into one buffer and hands out its whole lines a chunk at a time:
/// memory stays bounded by the chunk (not the file), and a line cut by a chunk's end moves to
/// the buffer's start to be completed by the next read.
///
/// The buffer is allocated by hand rather than kept in an array so that a source's loop over
/// the lines works on a plain pointer: an array's `withUnsafeBufferPointer` closure would take
/// the loop's state by reference, and every row would pay for it.
package struct LineReader: ~Copyable {
    private let descriptor: Int32
    private let path: String
    private var buffer: UnsafeMutableBufferPointer<UInt8>
    /// Bytes read into the buffer, and how many of them were handed out as lines already.
    private var filled = 0
    private var handedOut = 0
    private var atEnd = false

    /// Bytes read at a time; a longer line doubles the buffer, up to `longestLine`.
    static let chunkSize = 4 << 20
    static let longestLine = 64 << 20

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
        buffer = .allocate(capacity: Self.chunkSize)
    }

    deinit { buffer.deallocate() }

    /// The next run of whole lines, each ended by a newline except perhaps the file's last;
    /// nil at the end of the file. Valid until the next call.
    mutating func nextLines() throws(SQLError) -> UnsafeBufferPointer<UInt8>? {
        // The part line left over from the last chunk moves to the front.
        if handedOut > 0 {
            let base = buffer.baseAddress!
            memmove(base, base + handedOut, filled - handedOut)
            filled -= handedOut
            handedOut = 0
        }
        while !atEnd {
            if filled == buffer.count { try grow() }
            let count = read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            if count < 0 {
                if errno == EINTR { continue }
                throw SQLError(.execution, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 {
                atEnd = true
                break
            }
            let searchFrom = filled
            filled += count
            // Up to the last newline of what was read: the rest waits for the next read.
            if let last = Self.lastNewline(in: buffer.baseAddress! + searchFrom, count: count) {
                handedOut = searchFrom + last + 1
                return UnsafeBufferPointer(rebasing: buffer[..<handedOut])
            }
        }
        // The end of the file: what is left is the last line, without its newline.
        guard filled > 0 else { return nil }
        handedOut = filled
        return UnsafeBufferPointer(rebasing: buffer[..<filled])
    }

    private mutating func grow() throws(SQLError) {
        guard buffer.count < Self.longestLine else {
            throw SQLError(.execution, "\(path): a line longer than \(Self.longestLine >> 20) MB")
        }
        let larger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: buffer.count * 2)
        larger.baseAddress!.update(from: buffer.baseAddress!, count: filled)
        buffer.deallocate()
        buffer = larger
    }

    /// Searched from the end: a line is short beside a chunk, so few bytes are looked at.
    private static func lastNewline(in bytes: UnsafeMutablePointer<UInt8>, count: Int) -> Int? {
        var index = count - 1
        while index >= 0 {
            if bytes[index] == 0x0A { return index }
            index -= 1
        }
        return nil
    }
}
