import SQLPlanner
import SQLValues

/// The groups of a window aggregate: each distinct key gets a group number in the order keys
/// first come; the groups' key values sit side by side in one array, their aggregates' state
/// in the columns of `aggregates` (one per aggregate, by group number).
///
/// Why not a `Dictionary<Row, …>`: a dictionary hashes every key with SipHash over the row's
/// values, and every group holds an array of its own. Here a key is hashed
/// with a few multiplications over the values' bits (seeded per process, as Swift's own
/// hashing is, so that data built to collide does not), slots are probed linearly, and the
/// hash of each group is kept so that growing the table never hashes a key again
/// (BENCHMARKS.md has what it did for the seeds' payment job).
///
/// A value type, so that an operator working on one table in a loop holds it in a local
/// variable: a class's properties would be checked for exclusive access on every row. Its
/// aggregates are a class: a table is made afresh for each window, never copied from another.
package struct GroupTable {
    let keyWidth: Int
    /// The groups' aggregates: group `g`'s state is at `g` in each column.
    let aggregates: AggregateColumns
    /// The aggregates' columns, read once: reached through `aggregates` per row, each would cost a retain.
    private let columns: [AggregateColumn]
    /// Group `g`'s key is `keyValues[g * keyWidth ..< (g + 1) * keyWidth]`: keys side by side,
    /// so that comparing one touches no array of its own.
    private var keyValues: [Value] = []
    private var hashes: [UInt64] = []
    /// Open addressing: a group number + 1, or 0 for an empty slot. The count of slots is a
    /// power of two at least twice the count of groups.
    private var slots: [Int32]
    private static let processSeed = UInt64.random(in: 1...UInt64.max)
    /// The process's seed, kept by each table: a global is reached through a once-only check per access.
    private let seed = Self.processSeed

    /// A table for groups of keys of `keyWidth` values, and of fresh `aggregates`.
    init(keyWidth: Int, aggregates: AggregateColumns) {
        self.keyWidth = keyWidth
        self.aggregates = aggregates
        columns = aggregates.columns
        slots = Array(repeating: 0, count: 16)
    }

    var count: Int { hashes.count }

    /// Group `group`'s key.
    func key(of group: Int) -> Row { Array(keyValues[group * keyWidth..<(group + 1) * keyWidth]) }

    /// The keys of all groups, by group number.
    var keys: [Row] { (0..<count).map(key(of:)) }

    /// The group of `key`, made with fresh aggregates when the key is new. O(1) expected.
    @inline(__always)
    mutating func group(of key: Row) -> Int {
        let hash = Self.hash(key, seed: seed)
        let (found, slot) = probe(hash) { base in
            for position in 0..<keyWidth where !Self.same(keyValues[base + position], key[position]) { return false }
            return true
        }
        return found ?? insert(key, hash: hash, at: slot)
    }

    /// The group of the key made of `columns` of `row` (the usual GROUP BY of plain columns):
    /// the same group as `group(of:)` of that key, with the key array made only for a new group.
    @inline(__always)
    mutating func group(ofColumns columns: [Int], in row: Row) -> Int {
        var hash = seed
        for column in columns { hash = Self.mix(hash, row[column]) }
        hash = Self.finish(hash)
        let (found, slot) = probe(hash) { base in
            for (position, column) in columns.enumerated() where !Self.same(keyValues[base + position], row[column]) {
                return false
            }
            return true
        }
        return found ?? insert(columns.map { row[$0] }, hash: hash, at: slot)
    }

    /// Follows `hash`'s slots to the group whose key (at the offset it is given) `matches`
    /// accepts, or to the empty slot where a new one goes.
    @inline(__always)
    private func probe(_ hash: UInt64, _ matches: (Int) -> Bool) -> (group: Int?, slot: Int) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return (nil, slot) }
            let group = entry - 1
            if hashes[group] == hash, matches(group * keyWidth) { return (group, slot) }
            slot = (slot + 1) & mask
        }
    }

    /// Key values equal as GROUP BY sees them; integers, the usual key, compared directly.
    @inline(__always)
    private static func same(_ a: Value, _ b: Value) -> Bool {
        if case let .integer(x) = a, case let .integer(y) = b { return x == y }
        return a == b
    }

    /// A new group in the empty slot `probe` ended at.
    private mutating func insert(_ key: Row, hash: UInt64, at slot: Int) -> Int {
        let group = aggregates.newGroup()
        precondition(group == hashes.count, "a group table's aggregates are its own")
        keyValues.append(contentsOf: key)
        hashes.append(hash)
        slots[slot] = Int32(group + 1)
        if hashes.count * 2 > slots.count { grow() }
        return group
    }

    /// Adds the aggregates' arguments of a run of rows to their groups, read from plain
    /// columns of the rows (nil: COUNT(*)): one call per aggregate for the whole run.
    func add(_ rows: [Row], _ run: GroupedRows, columns arguments: [Int?]) {
        for position in columns.indices { columns[position].add(column: arguments[position], of: rows, run) }
    }

    /// Adds a row's aggregate arguments to a group.
    @inline(__always)
    func add(_ values: [Value], to group: Int) {
        for position in columns.indices { columns[position].add(values[position], to: group) }
    }

    private mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (group, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(group + 1)
        }
    }

    /// A key's hash: each value's bits mixed in with a multiply and a rotate, the whole
    /// finished so that every bit of the values reaches the low bits the slots are taken from.
    private static func hash(_ key: Row, seed: UInt64) -> UInt64 {
        var hash = seed
        for value in key { hash = mix(hash, value) }
        return finish(hash)
    }

    @inline(__always)
    private static func mix(_ hash: UInt64, _ value: Value) -> UInt64 {
        (hash ^ value.groupingBits).multipliedFullWidth(by: 0x9E37_79B9_7F4A_7C15).low.rotatedLeft(by: 29)
    }

    @inline(__always)
    private static func finish(_ hash: UInt64) -> UInt64 {
        var hash = hash ^ (hash >> 32)
        hash = hash &* 0xD6E8_FEB8_6659_FD93
        return hash ^ (hash >> 32)
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(by count: UInt64) -> UInt64 { self << count | self >> (64 - count) }
}

extension Value {
    /// 64 bits that equal values share (and unequal ones seldom do), for `GroupTable`'s hash.
    /// Values that compare equal as keys have the same bits: the case is mixed in, and a
    /// value that is not a plain number falls back to Swift's own hash.
    var groupingBits: UInt64 {
        switch self {
        case .null: return 0x6E75_6C6C
        case let .boolean(flag): return flag ? 0x7472_7565 : 0x6661_6C73
        case let .integer(number): return UInt64(bitPattern: number)
        case let .double(number): return number == 0 ? 0 : number.bitPattern ^ 0xD0
        case let .date(days): return UInt64(bitPattern: Int64(days)) ^ 0xDA7E_0000_0000
        case let .time(micros): return UInt64(bitPattern: micros) ^ 0x71E0_0000_0000_0000
        case let .timestamp(micros): return UInt64(bitPattern: micros) ^ 0x7500_0000_0000_0000
        case let .timestampLTZ(micros): return UInt64(bitPattern: micros) ^ 0x7517_0000_0000_0000
        default: return UInt64(bitPattern: Int64(hashValue))
        }
    }
}
