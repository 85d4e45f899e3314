import SQLSyntax
import Testing

@Suite struct LexerTests {
    @Test func tokensCarryTheirKindTextAndPlace() throws {
        let tokens = try Lexer.tokens("SELECT `order`, 'it''s', 42, 4.5e3 -- note\n FROM t /* c */ WHERE a<>b || c")
        #expect(
            tokens.map(\.kind) == [
                .word, .quotedIdentifier, .symbol, .string, .symbol, .integer, .symbol, .decimal,
                .word, .word, .word, .word, .symbol, .word, .symbol, .word, .end,
            ])
        #expect(tokens[1].text == "order" && tokens[3].text == "it's")
        #expect(tokens[8].range.start.line == 2 && tokens[8].range.start.column == 2)
        #expect(tokens[12].text == "<>" && tokens[14].text == "||")
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let tokens = try Lexer.tokens("SELECT '北京', x")
        #expect(tokens[3].text == "x" && tokens[3].range.start.column == 14)
    }

    @Test func unterminatedTextIsAnErrorWithItsPlace() {
        #expect(
            throws: SQLError(
                .syntax, "this string is never closed with '",
                at: SourceRange(
                    SourcePosition(line: 1, column: 8, offset: 7), SourcePosition(line: 1, column: 12, offset: 11)))
        ) {
            try Lexer.tokens("SELECT 'abc")
        }
        #expect(throws: SQLError.self) { try Lexer.tokens("SELECT /* never") }
        #expect(throws: SQLError.self) { try Lexer.tokens("SELECT a # b") }
    }
}
