/// Why a statement failed, and where: every error Weir's SQL reports carries a kind, a
/// message for people, and, when it comes from the text, the range to put a caret under.
public struct SQLError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The text does not follow the grammar.
        case syntax = "syntax error"
        /// The text parses but does not make sense: an unknown column, a type mismatch, a window
        /// on a column that is not a time attribute.
        case plan = "planning error"
        /// A query failed while it ran: a file that cannot be read, a row that does not parse.
        case execution = "execution error"
        /// Valid Flink SQL that Weir does not do (yet).
        case unsupported = "not supported"
        /// A bug in Weir.
        case internalBug = "internal error"
    }

    public var kind: Kind
    public var message: String
    public var range: SourceRange?

    public init(_ kind: Kind, _ message: String, at range: SourceRange? = nil) {
        self.kind = kind
        self.message = message
        self.range = range
    }

    /// `line 2, column 7: syntax error: ...` (or without the place when there is none).
    public var description: String {
        guard let range else { return "\(kind.rawValue): \(message)" }
        return "\(range.start): \(kind.rawValue): \(message)"
    }

    /// The description, then the offending line of `source` with carets under the range:
    ///
    /// ```
    /// line 1, column 15: syntax error: expected an expression, found 'FROM'
    ///   SELECT a, b, FROM t
    ///                ^^^^
    /// ```
    public func rendered(in source: String) -> String {
        guard let range else { return description }
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard range.start.line >= 1, range.start.line <= lines.count else { return description }
        let line = String(lines[range.start.line - 1].map { $0 == "\t" ? " " : $0 })
        let width =
            range.end.line == range.start.line
            ? max(1, range.end.column - range.start.column) : max(1, line.count - range.start.column + 1)
        let caret = String(repeating: " ", count: max(0, range.start.column - 1)) + String(repeating: "^", count: width)
        return "\(description)\n  \(line)\n  \(caret)"
    }
}
