/// One token of SQL text.
public struct Token: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// An unquoted identifier or keyword (the parser decides which, by `upper`).
        case word
        /// A `back-quoted` identifier: never a keyword, case kept.
        case quotedIdentifier
        /// A 'string literal', with '' unescaped to '.
        case string
        case integer
        /// A number with a fraction or an exponent.
        case decimal
        /// Punctuation and operators: ( ) [ ] , ; . + - * / % = <> != < <= > >= || => :
        case symbol
        case end
    }

    public var kind: Kind
    /// The text: for strings and quoted identifiers without quotes, otherwise as written.
    public var text: String
    public var range: SourceRange

    /// The upper-case text of a word, to compare with keywords (empty for other kinds).
    public var upper: String { kind == .word ? text.uppercased() : "" }

    public func isKeyword(_ keyword: String) -> Bool {
        kind == .word && text.count == keyword.count && upper == keyword
    }
    public func isSymbol(_ symbol: String) -> Bool { kind == .symbol && text == symbol }

    /// How an error message names this token.
    public var description: String {
        switch kind {
        case .end: return "the end of the statement"
        case .string: return "'\(text)'"
        case .quotedIdentifier: return "`\(text)`"
        default: return "'\(text)'"
        }
    }
}

/// Splits SQL text into tokens. Comments (`-- ...` to the end of the line, `/* ... */`) and
/// white space separate tokens and are dropped. Columns count characters, not bytes, so a
/// caret lands under the right place in text with Chinese names in it.
public struct Lexer {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1

    public init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// Every token of the text, ending with one of kind `.end`.
    public static func tokens(_ text: String) throws(SQLError) -> [Token] {
        var lexer = Lexer(text)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private var position: SourcePosition { SourcePosition(line: line, column: column, offset: index) }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        index + ahead < bytes.count ? bytes[index + ahead] : nil
    }

    private mutating func advance() {
        let byte = bytes[index]
        index += 1
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1 // a character starts here (not a UTF-8 continuation byte)
        }
    }

    private func text(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<end], as: UTF8.self)
    }

    public mutating func next() throws(SQLError) -> Token {
        try skipSpaceAndComments()
        let start = position
        guard let byte = peek() else { return Token(kind: .end, text: "", range: SourceRange(start, start)) }
        func token(_ kind: Token.Kind, _ text: String) -> Token {
            Token(kind: kind, text: text, range: SourceRange(start, position))
        }

        if Self.isWordStart(byte) {
            while let next = peek(), Self.isWordPart(next) { advance() }
            return token(.word, text(start.offset, index))
        }
        if Self.isDigit(byte) || (byte == UInt8(ascii: ".") && peek(1).map(Self.isDigit) == true) {
            return try number(from: start)
        }
        switch byte {
        case UInt8(ascii: "'"):
            return token(.string, try quoted(by: byte, from: start, what: "string"))
        case UInt8(ascii: "`"):
            let name = try quoted(by: byte, from: start, what: "quoted identifier")
            return token(.quotedIdentifier, name)
        default:
            break
        }
        // A hint, `/*+ OPTIONS(...) */`, is read as tokens between "/*+" and "*/" (another comment is skipped).
        if byte == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*"), peek(2) == UInt8(ascii: "+") {
            advance()
            advance()
            advance()
            return token(.symbol, "/*+")
        }
        let two = peek(1) == nil ? "" : text(index, index + 2)
        if ["<>", "!=", "<=", ">=", "||", "=>", "*/"].contains(two) {
            advance()
            advance()
            return token(.symbol, two)
        }
        if "()[],;.+-*/%=<>:".utf8.contains(byte) {
            advance()
            return token(.symbol, String(UnicodeScalar(byte)))
        }
        advance()
        while let next = peek(), next & 0xC0 == 0x80 { advance() }
        throw SQLError(.syntax, "unexpected character '\(text(start.offset, index))'", at: SourceRange(start, position))
    }

    private mutating func skipSpaceAndComments() throws(SQLError) {
        while let byte = peek() {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t")
                || byte == UInt8(ascii: "\r")
            {
                advance()
            } else if byte == UInt8(ascii: "-"), peek(1) == UInt8(ascii: "-") {
                while let next = peek(), next != UInt8(ascii: "\n") { advance() }
            } else if byte == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*"), peek(2) != UInt8(ascii: "+") {
                let start = position
                advance()
                advance()
                while !(peek() == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/")) {
                    guard peek() != nil else {
                        throw SQLError(
                            .syntax, "this comment is never closed with */", at: SourceRange(start, position))
                    }
                    advance()
                }
                advance()
                advance()
            } else {
                return
            }
        }
    }

    /// A string or identifier between `quote`s, a doubled quote standing for one.
    private mutating func quoted(by quote: UInt8, from start: SourcePosition, what: String) throws(SQLError) -> String {
        advance()
        var content: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw SQLError(
                    .syntax, "this \(what) is never closed with \(String(UnicodeScalar(quote)))",
                    at: SourceRange(start, position))
            }
            advance()
            if byte == quote {
                guard peek() == quote else { break }
                advance()
            }
            content.append(byte)
        }
        return String(decoding: content, as: UTF8.self)
    }

    private mutating func number(from start: SourcePosition) throws(SQLError) -> Token {
        var isDecimal = false
        while let byte = peek(), Self.isDigit(byte) { advance() }
        if peek() == UInt8(ascii: "."), peek(1).map(Self.isDigit) ?? true {
            isDecimal = true
            advance()
            while let byte = peek(), Self.isDigit(byte) { advance() }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            let sign = peek(1) == UInt8(ascii: "+") || peek(1) == UInt8(ascii: "-") ? 1 : 0
            if peek(1 + sign).map(Self.isDigit) == true {
                isDecimal = true
                for _ in 0...sign { advance() }
                while let byte = peek(), Self.isDigit(byte) { advance() }
            }
        }
        if let byte = peek(), Self.isWordStart(byte) {
            // `10s` is a word: a setting's value may be written so (SET x = 10s); as a name or
            // number the parser refuses it.
            while let next = peek(), Self.isWordPart(next) { advance() }
            return Token(kind: .word, text: text(start.offset, index), range: SourceRange(start, position))
        }
        return Token(
            kind: isDecimal ? .decimal : .integer, text: text(start.offset, index), range: SourceRange(start, position))
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Letters, `_`, `$`, and any non-ASCII character (Flink allows Unicode names).
    static func isWordStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "$") || byte >= 0x80
    }

    static func isWordPart(_ byte: UInt8) -> Bool { isWordStart(byte) || isDigit(byte) }
}

/// A piece of a line of SQL as typed, for colour: what the lexer makes of it, never an error.
public struct HighlightSpan: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A word: a keyword or a name (the caller knows the keywords).
        case word
        case quotedIdentifier
        /// A string literal, closed or still being typed.
        case string
        case number
        /// `-- …` to the end of the line, or `/* … */` (closed or not).
        case comment
        /// Spaces, punctuation, operators, and characters SQL does not take.
        case other
    }

    public var kind: Kind
    public var text: String
}

extension Lexer {
    /// The whole of `text` as spans, by the rules the parser reads it with, but tolerant: a
    /// string or comment not yet closed runs to the end, a character SQL does not take is
    /// `.other`. The workbench colours the input with it.
    public static func highlights(_ text: String) -> [HighlightSpan] {
        var lexer = Lexer(text)
        var spans: [HighlightSpan] = []
        while let (kind, start) = lexer.nextHighlight() {
            let piece = lexer.text(start, lexer.index)
            if let last = spans.last, last.kind == kind, kind == .other {
                spans[spans.count - 1].text += piece
            } else {
                spans.append(HighlightSpan(kind: kind, text: piece))
            }
        }
        return spans
    }

    /// The kind of the span at the lexer's place, and where it began; nil at the end.
    private mutating func nextHighlight() -> (HighlightSpan.Kind, Int)? {
        guard let byte = peek() else { return nil }
        let start = index
        if byte == UInt8(ascii: "-"), peek(1) == UInt8(ascii: "-") {
            while let next = peek(), next != UInt8(ascii: "\n") { advance() }
            return (.comment, start)
        }
        if byte == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*"), peek(2) != UInt8(ascii: "+") {
            advance()
            advance()
            while peek() != nil, !(peek() == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/")) { advance() }
            if peek() != nil {
                advance()
                advance()
            }
            return (.comment, start)
        }
        if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "`") {
            advance()
            while let next = peek() {
                advance()
                if next == byte {
                    guard peek() == byte else { break }
                    advance()
                }
            }
            return (byte == UInt8(ascii: "'") ? .string : .quotedIdentifier, start)
        }
        if Self.isWordStart(byte) {
            while let next = peek(), Self.isWordPart(next) { advance() }
            return (.word, start)
        }
        if Self.isDigit(byte) || (byte == UInt8(ascii: ".") && peek(1).map(Self.isDigit) == true) {
            let from = position
            let token = try? number(from: from)
            if token == nil { advance() }
            return (token?.kind == .word ? .word : .number, start)
        }
        advance()
        while let next = peek(), next & 0xC0 == 0x80 { advance() }
        return (.other, start)
    }
}
