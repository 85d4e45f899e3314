/// The plain forms of JSON values — what records written by programs almost always hold —
/// read straight from the bytes at a position: each reader returns the value and the position
/// after it, or nil for anything less plain (an exponent, an escape, a number too long to be
/// exact), which the scanner's general path then reads.
///
/// Why positions in and out rather than a scanner: a reader of a whole record keeps its
/// position in a register from one value to the next; a scanner passed `inout` to a call
/// lives in memory, and every value paid a store and a load of its position.
public enum PlainJSON {
    /// An integer (`-123`, no point or exponent after it) that fits an Int64, at `at`,
    /// before `end`.
    @inlinable @inline(__always)
    public static func integer(_ base: UnsafePointer<UInt8>, _ at: Int, _ end: Int) -> (value: Int64, next: Int)? {
        var position = at
        let negative = position < end && base[position] == 0x2D
        if negative { position &+= 1 }
        let first = position
        let limit = min(end, first &+ 19)
        var magnitude: UInt64 = 0
        while position < limit, base[position] &- 0x30 <= 9 {
            magnitude = magnitude &* 10 &+ UInt64(base[position] &- 0x30)
            position &+= 1
        }
        // Nineteen digits may not fit, and a twentieth never does: those go the general way.
        guard position > first, magnitude <= UInt64(Int64.max) else { return nil }
        if position < end, base[position] &- 0x30 <= 9 || continuesNumber(base[position]) { return nil }
        return (negative ? -Int64(magnitude) : Int64(magnitude), position)
    }

    /// A decimal (`-12.345`: at most 15 digits, no exponent) at `at`, before `end`: its
    /// digits as an integer divided by a power of ten, both exact in a Double, so the quotient
    /// is the correctly rounded value (Clinger's fast path).
    @inlinable @inline(__always)
    public static func decimal(_ base: UnsafePointer<UInt8>, _ at: Int, _ end: Int) -> (value: Double, next: Int)? {
        var position = at
        let negative = position < end && base[position] == 0x2D
        if negative { position &+= 1 }
        let first = position
        var mantissa: Int64 = 0
        // The whole part, then the fraction: two loops with no "seen the point yet" per digit.
        while position < end, base[position] &- 0x30 <= 9 {
            mantissa = mantissa &* 10 &+ Int64(base[position] &- 0x30)
            position &+= 1
        }
        var digits = position &- first
        guard digits > 0 else { return nil }
        var fractionDigits = 0
        if position < end, base[position] == 0x2E {
            position &+= 1
            let fraction = position
            while position < end, base[position] &- 0x30 <= 9 {
                mantissa = mantissa &* 10 &+ Int64(base[position] &- 0x30)
                position &+= 1
            }
            fractionDigits = position &- fraction
            guard fractionDigits > 0 else { return nil }
            digits &+= fractionDigits
        }
        guard digits <= 15, position == end || !continuesNumber(base[position]) else { return nil }
        let value = Double(mantissa) / powerOfTen(fractionDigits)
        return (negative ? -value : value, position)
    }

    /// A string without escapes or control characters: its text and the position after it.
    @inlinable @inline(__always)
    public static func string(_ base: UnsafePointer<UInt8>, _ at: Int, _ end: Int) -> (text: String, next: Int)? {
        guard at < end, base[at] == 0x22 else { return nil }
        var position = at &+ 1
        while position < end {
            let byte = base[position]
            if byte == 0x22 {
                return (
                    String(
                        decoding: UnsafeBufferPointer(start: base + (at &+ 1), count: position &- at &- 1),
                        as: UTF8.self), position &+ 1
                )
            }
            if byte == 0x5C || byte < 0x20 { return nil }
            position &+= 1
        }
        return nil
    }

    /// The position after a value no one reads when it is a number or a string without
    /// escapes or control characters (so never a line's end); nil for anything else.
    @inlinable @inline(__always)
    public static func skip(_ base: UnsafePointer<UInt8>, _ at: Int, _ end: Int) -> Int? {
        guard at < end else { return nil }
        var position = at
        if base[position] == 0x22 {
            position &+= 1
            while position < end {
                let byte = base[position]
                if byte == 0x22 { return position &+ 1 }
                if byte == 0x5C || byte < 0x20 { return nil }
                position &+= 1
            }
            return nil
        }
        // A number's characters; whether they form a number is the general reader's to judge
        // only where the value is read, as the general skip does.
        while position < end {
            let byte = base[position]
            guard byte &- 0x30 <= 9 || byte == 0x2E || byte | 0x20 == 0x65 || byte == 0x2B || byte == 0x2D else {
                break
            }
            position &+= 1
        }
        return position > at ? position : nil
    }

    /// Whether a byte after digits makes the number more than plain (a point, an exponent).
    @inlinable @inline(__always)
    static func continuesNumber(_ byte: UInt8) -> Bool { byte == 0x2E || byte | 0x20 == 0x65 }

    /// 10^power for 0...15, all exact in a Double. A switch, not a static array: an array
    /// global is reached through a once-only initialisation check on every access.
    @inlinable @inline(__always)
    static func powerOfTen(_ power: Int) -> Double {
        switch power {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        default: 1e15
        }
    }
}
