import SQLPlanner
import SQLSyntax
import SQLValues

/// What the JSON reader does with one column's field, and where the value goes in the row.
package struct FieldPlan {
    package enum Reading: UInt8 {
        /// No one reads the column: the value is skipped, not decoded.
        case skipped
        /// A computed `TO_TIMESTAMP(text)` is the only reader: the text is parsed into `target`.
        case eventTime
        /// TINYINT to BIGINT, between `minimum` and `maximum`.
        case integer
        /// FLOAT or DOUBLE.
        case double
        /// VARCHAR (STRING).
        case string
        case other
    }

    let reading: Reading
    let target: Int
    private(set) var minimum = Int64.min
    private(set) var maximum = Int64.max

    /// The plan of a field that is no column's (computed: a stored static is reached
    /// through a once-only initialisation check).
    static var unread: FieldPlan { FieldPlan(reading: .skipped, target: -1) }

    private init(reading: Reading, target: Int) {
        self.reading = reading
        self.target = target
    }

    init(column: Int, type: DataType, scan: ScanColumns) {
        if let reading = scan.reading, !reading.contains(column) {
            (self.reading, target) = (.skipped, column)
        } else if let time = scan.parsedTimes[column] {
            (self.reading, target) = (.eventTime, time)
        } else if let range = ValueParser.integerRange(type) {
            (reading, target, minimum, maximum) = (.integer, column, range.lowerBound, range.upperBound)
        } else {
            target = column
            switch type {
            case .double, .float: reading = .double
            case .varchar: reading = .string
            default: reading = .other
            }
        }
    }
}
