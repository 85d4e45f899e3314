/// Kafka's offset checkpoint files (`log-start-offset-checkpoint`,
/// `recovery-point-offset-checkpoint`, ...), text in this layout:
///
/// ```
/// 0                   version
/// 2                   number of entries
/// orders 0 1500       topic, partition, offset (one line each)
/// orders 1 1200
/// ```
///
/// Written whole and atomically (`writeAtomically`), read at start-up.
enum Checkpoint {
    static func encode(_ entries: [String: Int64]) -> [UInt8] {
        var text = "0\n\(entries.count)\n"
        for (key, offset) in entries.sorted(by: { $0.key < $1.key }) { text += "\(key) \(offset)\n" }
        return Array(text.utf8)
    }

    /// Entries keyed "topic partition"; nil for a file that is not a version-0 checkpoint.
    static func decode(_ bytes: [UInt8]) -> [String: Int64]? {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        guard lines.count >= 2, lines[0] == "0", let count = Int(lines[1]), lines.count == count + 2 else { return nil }
        var entries: [String: Int64] = [:]
        for line in lines.dropFirst(2) {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let offset = Int64(fields[2]) else { return nil }
            entries["\(fields[0]) \(fields[1])"] = offset
        }
        return entries
    }
}
