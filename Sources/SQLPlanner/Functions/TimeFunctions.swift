import SQLSyntax
import SQLValues

/// Java's date patterns (what Flink's DATE_FORMAT, TO_TIMESTAMP and FROM_UNIXTIME take):
/// `yyyy`, `MM`, `dd`, `HH`, `mm`, `ss`, `SSS` (and shorter runs), in formatting also `MMM`
/// and `MMMM` (month names), `E`..`EEEE` (weekday names), `h`, `a`, `D`; text in '...' is literal.
package struct TimeFormat: Sendable {
    package enum Piece: Sendable {
        case year(Int), month(Int), day(Int), hour(Int), minute(Int), second(Int), fraction(Int)
        /// Written only (a pattern with these does not parse): names in English, as Java's default locale here.
        case monthName(full: Bool), weekday(full: Bool), hourOfHalfDay(Int), halfDay, dayOfYear(Int)
        case literal(String)
    }

    let pieces: [Piece]

    init(_ pattern: String) {
        var pieces: [Piece] = []
        let characters = Array(pattern)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            var run = 1
            while index + run < characters.count, characters[index + run] == character { run += 1 }
            switch character {
            case "y": pieces.append(.year(run))
            case "M": pieces.append(run >= 3 ? .monthName(full: run >= 4) : .month(run))
            case "E": pieces.append(.weekday(full: run >= 4))
            case "h": pieces.append(.hourOfHalfDay(run))
            case "a": pieces.append(.halfDay)
            case "D": pieces.append(.dayOfYear(run))
            case "d": pieces.append(.day(run))
            case "H": pieces.append(.hour(run))
            case "m": pieces.append(.minute(run))
            case "s": pieces.append(.second(run))
            case "S": pieces.append(.fraction(run))
            case "'":
                var end = index + 1
                while end < characters.count, characters[end] != "'" { end += 1 }
                pieces.append(.literal(String(characters[(index + 1)..<min(end, characters.count)])))
                index = end + 1
                continue
            default: pieces.append(.literal(String(repeating: character, count: run)))
            }
            index += run
        }
        self.pieces = pieces
    }

    func format(_ micros: Int64) -> String {
        let (year, month, day, ofDay, _) = TimeArithmetic.fields(micros)
        let seconds = ofDay / CivilTime.microsPerSecond
        var text = ""
        for piece in pieces {
            switch piece {
            case let .year(width): text += width == 2 ? CivilTime.pad(year % 100, 2) : CivilTime.pad(year, width)
            case let .month(width): text += CivilTime.pad(month, width)
            case let .day(width): text += CivilTime.pad(day, width)
            case let .hour(width): text += CivilTime.pad(seconds / 3600, width)
            case let .minute(width): text += CivilTime.pad(seconds / 60 % 60, width)
            case let .second(width): text += CivilTime.pad(seconds % 60, width)
            case let .fraction(width): text += String(CivilTime.pad(ofDay % CivilTime.microsPerSecond, 6).prefix(width))
            case let .monthName(full):
                let name = Self.months[Int(month) - 1]
                text += full ? name : String(name.prefix(3))
            case let .weekday(full):
                let (days, _) = CivilTime.split(micros)
                let name = Self.weekdays[Int(((days % 7) + 7 + 4) % 7)] // 1970-01-01 was a Thursday
                text += full ? name : String(name.prefix(3))
            case let .hourOfHalfDay(width): text += CivilTime.pad((seconds / 3600 + 11) % 12 + 1, width)
            case .halfDay: text += seconds / 3600 < 12 ? "AM" : "PM"
            case let .dayOfYear(width): text += CivilTime.pad(TimeArithmetic.dayOfYear(year, month, day), width)
            case let .literal(literal): text += literal
            }
        }
        return text
    }

    static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December",
    ]
    static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Microseconds of `text` read by the pattern, or nil.
    func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var index = 0
        var year: Int64 = 1970, month: Int64 = 1, day: Int64 = 1, hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0,
            micros: Int64 = 0
        func number(_ width: Int, greedy: Bool) -> Int64? {
            var value: Int64 = 0
            var digits = 0
            while index < bytes.count, bytes[index] &- 0x30 <= 9, greedy || digits < width {
                value = value * 10 + Int64(bytes[index] &- 0x30)
                index += 1
                digits += 1
            }
            return digits > 0 ? value : nil
        }
        for (position, piece) in pieces.enumerated() {
            // A field followed by another field without a separator is read at its width.
            let greedy =
                position + 1 < pieces.count
                ? { if case .literal = pieces[position + 1] { return true } else { return false } }() : true
            switch piece {
            case let .year(width):
                guard let value = number(max(width, 4), greedy: greedy) else { return nil }
                year = value
            case let .month(width):
                guard let value = number(max(width, 2), greedy: greedy) else { return nil }
                month = value
            case let .day(width):
                guard let value = number(max(width, 2), greedy: greedy) else { return nil }
                day = value
            case let .hour(width):
                guard let value = number(max(width, 2), greedy: greedy) else { return nil }
                hour = value
            case let .minute(width):
                guard let value = number(max(width, 2), greedy: greedy) else { return nil }
                minute = value
            case let .second(width):
                guard let value = number(max(width, 2), greedy: greedy) else { return nil }
                second = value
            case let .fraction(width):
                let start = index
                guard let value = number(width, greedy: greedy) else { return nil }
                // To microseconds: digits past the sixth (nanoseconds) are dropped.
                let digits = index - start
                var scaled = value
                if digits < 6 { for _ in digits..<6 { scaled *= 10 } } else { for _ in 6..<digits { scaled /= 10 } }
                micros = scaled
            case .monthName, .weekday, .hourOfHalfDay, .halfDay, .dayOfYear:
                return nil
            case let .literal(literal):
                for byte in literal.utf8 {
                    guard index < bytes.count, bytes[index] == byte else { return nil }
                    index += 1
                }
            }
        }
        guard index == bytes.count, (1...12).contains(month), day >= 1,
            day <= CivilTime.daysIn(month: month, year: year),
            hour < 24, minute < 60, second < 60
        else { return nil }
        return CivilTime.days(year: year, month: month, day: day) * CivilTime.microsPerDay
            + (hour * 3600 + minute * 60 + second) * CivilTime.microsPerSecond + micros
    }
}

/// EXTRACT, FLOOR/CEIL(ts TO unit), TIMESTAMPADD and TIMESTAMPDIFF on dates and timestamps.
package enum TimeArithmetic {
    static func micros(of value: Value) -> Int64? {
        switch value {
        case let .timestamp(micros), let .timestampLTZ(micros): return micros
        case let .date(days): return Int64(days) * CivilTime.microsPerDay
        default: return nil
        }
    }

    static func rebuild(_ micros: Int64, like value: Value) -> Value {
        switch value {
        case .timestampLTZ: return .timestampLTZ(micros)
        case .date: return .date(Int32(micros / CivilTime.microsPerDay))
        default: return .timestamp(micros)
        }
    }

    static func fields(_ micros: Int64) -> (year: Int64, month: Int64, day: Int64, ofDay: Int64, days: Int64) {
        let (days, ofDay) = CivilTime.split(micros)
        let (year, month, day) = CivilTime.date(days: days)
        return (year, month, day, ofDay, days)
    }

    static func extract(_ unit: TimeUnit, from value: Value) -> Int64? {
        guard let micros = micros(of: value) else {
            if case let .time(ofDay) = value { return extractTime(unit, ofDay) }
            return nil
        }
        let (year, month, day, ofDay, days) = fields(micros)
        switch unit {
        case .year, .isoYear: return year
        case .quarter: return (month - 1) / 3 + 1
        case .month: return month
        case .week:
            // ISO 8601's week: the week of the year its Thursday falls in (2023-01-01 is in week 52).
            let thursday = days - (((days % 7 + 7 + 3) % 7) + 1) + 4
            let (thursdayYear, _, _) = CivilTime.date(days: thursday)
            return (thursday - CivilTime.days(year: thursdayYear, month: 1, day: 1)) / 7 + 1
        case .day: return day
        case .dayOfWeek: return ((days % 7 + 7 + 4) % 7) + 1 // 1 = Sunday
        case .isoDayOfWeek: return ((days % 7 + 7 + 3) % 7) + 1 // 1 = Monday
        case .dayOfYear: return dayOfYear(year, month, day)
        case .decade: return year / 10
        case .century: return (year + 99) / 100
        case .millennium: return (year + 999) / 1000
        case .epoch: return micros / CivilTime.microsPerSecond
        default: return extractTime(unit, ofDay)
        }
    }

    static func extractTime(_ unit: TimeUnit, _ ofDay: Int64) -> Int64? {
        switch unit {
        case .hour: return ofDay / 3_600_000_000
        case .minute: return ofDay / 60_000_000 % 60
        case .second: return ofDay / 1_000_000 % 60
        // Within the second, as Flink extracts them (10:10:10.010 has 10 milliseconds).
        case .millisecond: return ofDay / 1000 % 1000
        case .microsecond: return ofDay % 1_000_000
        case .nanosecond: return ofDay % 1_000_000 * 1000
        default: return nil
        }
    }

    static func dayOfYear(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        CivilTime.days(year: year, month: month, day: day) - CivilTime.days(year: year, month: 1, day: 1) + 1
    }

    /// The unit's length in microseconds, for the units of fixed length.
    static func fixedLength(_ unit: TimeUnit) -> Int64? {
        switch unit {
        case .week: return 7 * CivilTime.microsPerDay
        case .day: return CivilTime.microsPerDay
        case .hour: return 3_600_000_000
        case .minute: return 60_000_000
        case .second: return 1_000_000
        case .millisecond: return 1000
        case .microsecond: return 1
        default: return nil
        }
    }

    /// Microseconds cut (toward the past) to `digits` fraction digits of a second.
    static func truncate(_ micros: Int64, toDigits digits: Int) -> Int64 {
        guard digits < 6 else { return micros }
        var step: Int64 = 1
        for _ in 0..<(6 - max(digits, 0)) { step *= 10 }
        let remainder = ((micros % step) + step) % step
        return micros - remainder
    }

    static func truncate(_ value: Value, to unit: TimeUnit, ceil: Bool) -> Value {
        guard let micros = micros(of: value) else { return .null }
        var result: Int64
        if let length = fixedLength(unit), unit != .week {
            result = micros - ((micros % length) + length) % length
        } else {
            let (year, month, _, _, _) = fields(micros)
            switch unit {
            case .year: result = CivilTime.days(year: year, month: 1, day: 1) * CivilTime.microsPerDay
            case .quarter:
                result = CivilTime.days(year: year, month: (month - 1) / 3 * 3 + 1, day: 1) * CivilTime.microsPerDay
            case .month: result = CivilTime.days(year: year, month: month, day: 1) * CivilTime.microsPerDay
            case .week:
                let days = fields(micros).days
                result = (days - ((days + 3) % 7 + 7) % 7) * CivilTime.microsPerDay // back to Monday
            default: return value
            }
        }
        if ceil, result != micros { return add(1, unit, to: rebuild(result, like: value)) }
        return rebuild(result, like: value)
    }

    static func add(_ amount: Int64, _ unit: TimeUnit, to value: Value) -> Value {
        guard let micros = micros(of: value) else { return .null }
        if let length = fixedLength(unit) {
            // A shift past the types' range is NULL, not a trap.
            let (shift, tooFar) = amount.multipliedReportingOverflow(by: length)
            let (sum, overflow) = micros.addingReportingOverflow(shift)
            return tooFar || overflow ? .null : rebuild(sum, like: value)
        }
        // Beyond ten thousand years is out of every time type's range.
        guard abs(amount) <= 120_000 else { return .null }
        let months: Int64
        switch unit {
        case .year: months = amount * 12
        case .quarter: months = amount * 3
        case .month: months = amount
        default: return .null
        }
        return rebuild(addMonths(months, to: micros), like: value)
    }

    /// Months added the calendar way: the day is kept, or the month's last day when shorter.
    static func addMonths(_ months: Int64, to micros: Int64) -> Int64 {
        let (year, month, day, ofDay, _) = fields(micros)
        let total = year * 12 + (month - 1) + months
        let newYear = total >= 0 ? total / 12 : (total - 11) / 12
        let newMonth = total - newYear * 12 + 1
        let newDay = min(day, CivilTime.daysIn(month: newMonth, year: newYear))
        return CivilTime.days(year: newYear, month: newMonth, day: newDay) * CivilTime.microsPerDay + ofDay
    }

    static func difference(_ unit: TimeUnit, from start: Value, to end: Value) -> Int64? {
        guard let a = micros(of: start), let b = micros(of: end) else { return nil }
        if let length = fixedLength(unit) {
            let (span, overflow) = b.subtractingReportingOverflow(a)
            return overflow ? nil : span / length
        }
        let (y1, m1, _, _, _) = fields(a), (y2, m2, _, _, _) = fields(b)
        var months = (y2 * 12 + m2) - (y1 * 12 + m1)
        // A month is complete only when the day and time have been reached again.
        if months > 0, addMonths(months, to: a) > b { months -= 1 }
        if months < 0, addMonths(months, to: a) < b { months += 1 }
        switch unit {
        case .year: return months / 12
        case .quarter: return months / 3
        case .month: return months
        default: return nil
        }
    }
}
