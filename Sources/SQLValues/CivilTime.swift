/// Dates and times without Foundation's calendars: the proleptic Gregorian calendar in
/// plain integer arithmetic (Howard Hinnant's days-from-civil), fast enough to run per row.
package enum CivilTime {
    package static let microsPerSecond: Int64 = 1_000_000
    package static let microsPerDay: Int64 = 86_400_000_000

    /// Days since 1970-01-01 of a date.
    package static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count since 1970-01-01.
    package static func date(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `yyyy-MM-dd HH:mm:ss` exactly (19 bytes, the seeds' event times), read at fixed
    /// places; nil for anything else (the general parser then decides).
    package static func parseSecondsTimestamp(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard text.count == 19, text[4] == 0x2D, text[7] == 0x2D, let seconds = secondsOfDay(text) else { return nil }
        var valid = true
        let year = fixedDigits(text, 0, 4, &valid), month = fixedDigits(text, 5, 2, &valid),
            day = fixedDigits(text, 8, 2, &valid)
        guard valid, month >= 1, month <= 12, day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        return days(year: year, month: month, day: day) * microsPerDay + seconds * microsPerSecond
    }

    /// The ` HH:mm:ss` after a date (bytes 10 to 18 of `yyyy-MM-dd HH:mm:ss`) as seconds into the day.
    static func secondsOfDay(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard text.count == 19, text[10] == 0x20, text[13] == 0x3A, text[16] == 0x3A else { return nil }
        var valid = true
        let hour = fixedDigits(text, 11, 2, &valid), minute = fixedDigits(text, 14, 2, &valid),
            second = fixedDigits(text, 17, 2, &valid)
        guard valid, hour < 24, minute < 60, second < 60 else { return nil }
        return (hour * 60 + minute) * 60 + second
    }

    /// `count` decimal digits at `start`; `valid` becomes false when one is not a digit.
    @inline(__always)
    private static func fixedDigits(
        _ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int, _ valid: inout Bool
    ) -> Int64 {
        var value: Int64 = 0
        for position in start..<(start + count) {
            let digit = text[position] &- 0x30
            if digit > 9 { valid = false }
            value = value * 10 + Int64(digit)
        }
        return value
    }

    /// Parses `yyyy-MM-dd[( |T)HH:mm[:ss[.fraction]]]` into microseconds; nil when it is not one.
    package static func parseTimestamp<Bytes: RandomAccessCollection>(_ text: Bytes) -> Int64?
    where Bytes.Element == UInt8, Bytes.Index == Int {
        var index = text.startIndex
        func number(_ digits: Int) -> Int64? {
            guard text.endIndex - index >= digits else { return nil }
            var value: Int64 = 0
            for _ in 0..<digits {
                let digit = text[index] &- 0x30
                guard digit <= 9 else { return nil }
                value = value * 10 + Int64(digit)
                index += 1
            }
            return value
        }
        func skip(_ byte: UInt8) -> Bool {
            guard index < text.endIndex, text[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), skip(0x2D), let month = number(2), skip(0x2D), let day = number(2),
            (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        var micros = days(year: year, month: month, day: day) * microsPerDay
        guard index < text.endIndex else { return micros }
        guard skip(0x20) || skip(0x54), let hour = number(2), skip(0x3A), let minute = number(2), hour < 24, minute < 60
        else { return nil }
        micros += (hour * 3600 + minute * 60) * microsPerSecond
        if skip(0x3A) {
            guard let second = number(2), second < 60 else { return nil }
            micros += second * microsPerSecond
            if skip(0x2E) {
                var scale: Int64 = 100_000
                var digits = 0
                while index < text.endIndex, text[index] &- 0x30 <= 9 {
                    micros += Int64(text[index] &- 0x30) * scale
                    scale /= 10
                    digits += 1
                    index += 1
                }
                guard digits > 0 else { return nil }
            }
        }
        return index == text.endIndex ? micros : nil
    }

    package static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Microseconds since the epoch as whole days (rounded down, also before 1970) and microseconds into the day.
    package static func split(_ micros: Int64) -> (days: Int64, ofDay: Int64) {
        // Floor division without the overflow of `micros - microsPerDay + 1` near Int64's least value.
        var days = micros / microsPerDay
        var ofDay = micros % microsPerDay
        if ofDay < 0 {
            days -= 1
            ofDay += microsPerDay
        }
        return (days, ofDay)
    }

    /// `yyyy-MM-dd HH:mm:ss` with `precision` fractional digits (0: none), written digit by
    /// digit into one buffer (a String per part, joined, cost several allocations per value).
    package static func formatTimestamp(_ micros: Int64, precision: Int) -> String {
        let (dayCount, ofDay) = split(micros)
        var text: [UInt8] = []
        text.reserveCapacity(32)
        appendDate(dayCount, to: &text)
        text.append(0x20)
        appendTime(ofDay, precision: precision, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    static func formatDate(_ days: Int64) -> String {
        var text: [UInt8] = []
        appendDate(days, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    static func formatTime(_ microsOfDay: Int64, precision: Int) -> String {
        var text: [UInt8] = []
        appendTime(microsOfDay, precision: precision, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    private static func appendDate(_ days: Int64, to text: inout [UInt8]) {
        let (year, month, day) = date(days: days)
        appendSigned(year, width: 4, to: &text)
        text.append(0x2D)
        appendDigits(month, width: 2, to: &text)
        text.append(0x2D)
        appendDigits(day, width: 2, to: &text)
    }

    private static func appendTime(_ microsOfDay: Int64, precision: Int, to text: inout [UInt8]) {
        let seconds = microsOfDay / microsPerSecond
        appendDigits(seconds / 3600, width: 2, to: &text)
        text.append(0x3A)
        appendDigits(seconds / 60 % 60, width: 2, to: &text)
        text.append(0x3A)
        appendDigits(seconds % 60, width: 2, to: &text)
        guard precision > 0 else { return }
        text.append(0x2E)
        // Microseconds as six digits, cut to the precision or padded with zeros past six.
        appendDigits(microsOfDay % microsPerSecond, width: 6, to: &text)
        if precision < 6 { text.removeLast(6 - precision) }
        if precision > 6 { text += repeatElement(0x30, count: precision - 6) }
    }

    /// A number's digits without its sign, zero-padded to `width` (more when it needs them).
    private static func appendDigits(_ value: Int64, width: Int, to text: inout [UInt8]) {
        let start = text.count
        var rest = value.magnitude
        repeat {
            text.append(UInt8(truncatingIfNeeded: rest % 10) + 0x30)
            rest /= 10
        } while rest > 0
        while text.count - start < width { text.append(0x30) }
        text[start...].reverse()
    }

    /// A number zero-padded to `width` digits (after its sign), as DATE_FORMAT writes its fields.
    package static func pad(_ value: Int64, _ width: Int) -> String {
        var text: [UInt8] = []
        appendSigned(value, width: width, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    private static func appendSigned(_ value: Int64, width: Int, to text: inout [UInt8]) {
        if value < 0 { text.append(0x2D) }
        appendDigits(value, width: width, to: &text)
    }
}

/// Timestamps as the engine shows them (`2024-01-01 00:00:05` with up to nine fractional
/// digits), read back: the workbench finds a result row's window this way.
public enum EventTimeText {
    /// Microseconds since the epoch, or nil when `text` is not a timestamp.
    public static func micros(_ text: String) -> Int64? {
        guard text.count >= 19, text.count <= 29 else { return nil }
        return CivilTime.parseTimestamp(Array(text.utf8))
    }

    /// `yyyy-MM-dd HH:mm:ss` of microseconds since the epoch (the fraction dropped).
    public static func format(_ micros: Int64) -> String {
        CivilTime.formatTimestamp(micros, precision: 0)
    }
}

/// `yyyy-MM-dd HH:mm:ss` read with the day number of the last date kept by its ten bytes of
/// text: events in order of time share their date for a whole day of data, and working a
/// date's day number out is most of the cost of reading such a timestamp.
public struct DateMemo {
    @usableFromInline var date: (head: UInt64, tail: UInt16)?
    @usableFromInline var days: Int64 = 0

    public init() {}

    /// `CivilTime.parseSecondsTimestamp` of the 19 bytes at `text`, faster when the date is
    /// the last one's: that case inlined where it is called, a new date in a call.
    @inlinable @inline(__always)
    public mutating func parseSecondsTimestamp(_ text: UnsafePointer<UInt8>) -> Int64? {
        let raw = UnsafeRawPointer(text)
        let head = raw.loadUnaligned(as: UInt64.self), tail = raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
        if let date, date.head == head, date.tail == tail {
            return Self.secondsOfDay(raw).map { days &* 86_400_000_000 &+ $0 &* 1_000_000 }
        }
        return parseNewDate(text, head: head, tail: tail)
    }

    @usableFromInline @inline(never)
    mutating func parseNewDate(_ text: UnsafePointer<UInt8>, head: UInt64, tail: UInt16) -> Int64? {
        guard let micros = CivilTime.parseSecondsTimestamp(UnsafeBufferPointer(start: text, count: 19)) else {
            return nil
        }
        days = CivilTime.split(micros).days
        date = (head, tail)
        return micros
    }

    /// `CivilTime.secondsOfDay` of the 19 bytes at `text` with the time's eight bytes
    /// (`HH:mm:ss`) read as one word: the six digits checked and paired at once.
    @inlinable @inline(__always)
    static func secondsOfDay(_ text: UnsafeRawPointer) -> Int64? {
        guard text.load(fromByteOffset: 10, as: UInt8.self) == 0x20 else { return nil }
        let word = UInt64(littleEndian: text.loadUnaligned(fromByteOffset: 11, as: UInt64.self))
        // The colons (bytes 2 and 5 of the word) checked, then made '0's so that all eight bytes are digits to check.
        let colons: UInt64 = 0x0000_3A00_003A_0000
        guard word & 0x0000_FF00_00FF_0000 == colons else { return nil }
        let digits = word ^ colons | 0x0000_3000_0030_0000
        // Every byte 0x30...0x39: its high half 3, and still 3 with 6 added.
        guard
            (digits & 0xF0F0_F0F0_F0F0_F0F0) | ((digits &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4
                == 0x3333_3333_3333_3333
        else { return nil }
        let values = digits & 0x0F0F_0F0F_0F0F_0F0F
        // Byte k becomes 10 × digit k + digit k+1: the hour at byte 0, minutes at 3, seconds at 6.
        let pairs = values &* 10 &+ values >> 8
        let hour = Int64(pairs & 0xFF), minute = Int64(pairs >> 24 & 0xFF), second = Int64(pairs >> 48 & 0xFF)
        guard hour < 24, minute < 60, second < 60 else { return nil }
        return (hour &* 60 &+ minute) &* 60 &+ second
    }
}
