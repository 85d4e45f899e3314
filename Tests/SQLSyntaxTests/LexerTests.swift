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

    /// Colour reads the input with the parser's rules, tolerantly: every character lands in a
    /// span, in order, and what is still being typed (a string, a comment) runs to the end.
    @Test func highlightsCoverTheLineAndTolerateWhatIsUnfinished() {
        func kinds(_ text: String) -> [(HighlightSpan.Kind, String)] {
            Lexer.highlights(text).map { ($0.kind, $0.text) }.filter { $0.0 != .other }
        }
        for text in [
            "SELECT 'it''s', 4.5e3, `a b` FROM t -- note", "SELECT 'not closed", "x /* open comment",
            "WHERE 名前 = 1.5 AND n<>2;", "10s", "€ ¿", "",
        ] {
            #expect(Lexer.highlights(text).map(\.text).joined() == text, "\(text)")
        }
        let spans = kinds("SELECT 'it''s', 4.5e3, `a b` FROM t -- note")
        #expect(spans.map(\.0) == [.word, .string, .number, .quotedIdentifier, .word, .word, .comment])
        #expect(spans[1].1 == "'it''s'" && spans[2].1 == "4.5e3" && spans[6].1 == "-- note")
        #expect(kinds("SELECT 'not closed").last! == (.string, "'not closed"))
        #expect(kinds("x /* open comment").last! == (.comment, "/* open comment"))
        #expect(kinds("a /*+ OPTIONS('k'='v') */").map(\.0) == [.word, .word, .string, .string])
        #expect(kinds("WHERE 名前 = 1").map(\.1) == ["WHERE", "名前", "1"])
        #expect(kinds("10s").map(\.0) == [.word], "10s is a word, as the parser reads it")
    }
}
