import ArgumentParser
import Foundation
import KafkaProtocol

/// Renders messages with a kcat-like format string, or as JSON lines, straight into
/// the output's bytes: no `String` per message, so printing keeps up with fetching.
struct MessageFormatter {
    private enum Piece {
        case text([UInt8]), topic, partition, offset, key, value, timestamp, headers, keyLength, valueLength
    }
    private let pieces: [Piece]
    private let json: Bool

    init(_ format: String) throws {
        json = format == "json"
        var pieces: [Piece] = []
        var text = ""
        var characters = format.makeIterator()
        while let character = characters.next() {
            switch character {
            case "%":
                guard let token = characters.next() else { throw ValidationError("--format ends with a lone %") }
                let piece: Piece?
                switch token {
                case "t": piece = .topic
                case "p": piece = .partition
                case "o": piece = .offset
                case "k": piece = .key
                case "s": piece = .value
                case "T": piece = .timestamp
                case "h": piece = .headers
                case "K": piece = .keyLength
                case "S": piece = .valueLength
                case "%":
                    text.append("%")
                    piece = nil
                default: throw ValidationError("--format: unknown token %\(token)")
                }
                if let piece {
                    if !text.isEmpty {
                        pieces.append(.text(Array(text.utf8)))
                        text = ""
                    }
                    pieces.append(piece)
                }
            case "\\":
                switch characters.next() {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "\\": text.append("\\")
                case let other?:
                    text.append("\\")
                    text.append(other)
                case nil: text.append("\\")
                }
            default:
                text.append(character)
            }
        }
        if !text.isEmpty { pieces.append(.text(Array(text.utf8))) }
        self.pieces = pieces
    }

    /// Writes one record, read in place from its batch's bytes (`FetchedRecords.forEachRecord`).
    func write(_ record: RecordView, topic: [UInt8], partition: Int32, to output: inout OutputBuffer) {
        let key = record.keyRange.map { UnsafeBufferPointer(rebasing: record.bytes[$0]) }
        let value = record.valueRange.map { UnsafeBufferPointer(rebasing: record.bytes[$0]) }
        if json { return writeJSON(record, key: key, value: value, topic: topic, partition: partition, to: &output) }
        for piece in pieces {
            switch piece {
            case let .text(bytes): output.append(bytes)
            case .topic: output.append(topic)
            case .partition: output.append(decimal: Int64(partition))
            case .offset: output.append(decimal: record.offset)
            case .key: if let key { output.append(key) }
            case .value: if let value { output.append(value) }
            case .timestamp: output.append(decimal: record.timestamp)
            case .headers:
                for (index, header) in record.headers.enumerated() {
                    if index > 0 { output.append(UInt8(ascii: ",")) }
                    output.append(header.key)
                    output.append(UInt8(ascii: "="))
                    if let value = header.value { output.append(value) }
                }
            case .keyLength: output.append(decimal: Int64(key?.count ?? -1))
            case .valueLength: output.append(decimal: Int64(value?.count ?? -1))
            }
        }
    }

    private func writeJSON(
        _ record: RecordView, key: UnsafeBufferPointer<UInt8>?, value: UnsafeBufferPointer<UInt8>?, topic: [UInt8],
        partition: Int32, to output: inout OutputBuffer
    ) {
        output.append("{\"topic\":")
        Self.writeJSONString(topic, to: &output)
        output.append(",\"partition\":")
        output.append(decimal: Int64(partition))
        output.append(",\"offset\":")
        output.append(decimal: record.offset)
        output.append(",\"timestamp\":")
        output.append(decimal: record.timestamp)
        output.append(",\"key\":")
        Self.writeJSONString(key, to: &output)
        output.append(",\"value\":")
        Self.writeJSONString(value, to: &output)
        output.append(",\"headers\":[")
        for (index, header) in record.headers.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            output.append(UInt8(ascii: "["))
            Self.writeJSONString(Array(header.key.utf8), to: &output)
            output.append(UInt8(ascii: ","))
            Self.writeJSONString(header.value, to: &output)
            output.append(UInt8(ascii: "]"))
        }
        output.append("]}\n")
    }

    /// A JSON string of the bytes (null for nil). Printable ASCII is copied as it is;
    /// anything else goes through `String`, which also replaces invalid UTF-8, so the
    /// line is always valid JSON.
    static func writeJSONString<Bytes: Collection<UInt8>>(_ bytes: Bytes?, to output: inout OutputBuffer) {
        guard let bytes else { return output.append("null") }
        output.append(UInt8(ascii: "\""))
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            output.append(bytes)
        } else {
            for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
                switch scalar {
                case "\"": output.append("\\\"")
                case "\\": output.append("\\\\")
                case "\n": output.append("\\n")
                case "\r": output.append("\\r")
                case "\t": output.append("\\t")
                case _ where scalar.value < 0x20: output.append(String(format: "\\u%04x", scalar.value))
                default: output.append(String(scalar))
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

/// Standard output gathered into large writes (one system call per 64 KiB or flush, not per message).
struct OutputBuffer {
    private var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(1 << 17)
    }

    mutating func append(_ byte: UInt8) { bytes.append(byte) }

    mutating func append(_ buffer: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: buffer)
        if bytes.count >= 1 << 16 { flush() }
    }

    mutating func append<Bytes: Collection<UInt8>>(_ collection: Bytes) {
        if collection.withContiguousStorageIfAvailable({ append($0) }) == nil { append(Array(collection)) }
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// A decimal integer, written digit by digit (no `String`).
    mutating func append(decimal value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0) // 24 bytes: room for UInt64's 20 digits
        withUnsafeMutableBytes(of: &scratch) { digits in
            var position = digits.count
            repeat {
                position -= 1
                digits[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: digits[position...]))
        }
    }

    mutating func flush() {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break } // a closed pipe: nothing more to do
                offset += written
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }
}
