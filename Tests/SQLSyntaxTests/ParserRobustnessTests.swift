import SQLSyntax
import Testing

/// Bad text is an error, never a crash: every cut of a script, and seeded random damage.
@Suite struct ParserRobustnessTests {
    static let script =
        ParserTests.seedPayments + """
            ;
            SELECT province_id_to_name(provinceId) AS province, SUM(payAmount) AS pay_amount,
                   TUMBLE_START(rt, INTERVAL '5' SECOND) AS rowtime, CASE WHEN a IS NULL THEN 1 ELSE CAST(b AS INT) END
            FROM payment_msg LEFT JOIN (SELECT x FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) s ON s.x = a
            WHERE a NOT IN (1, 2) AND b BETWEEN 1 AND 2 OR c LIKE '%x' GROUP BY TUMBLE(rt, INTERVAL '5' SECOND), provinceId
            HAVING COUNT(DISTINCT a) > 1 ORDER BY 1 DESC LIMIT 10;
            SET 'a.b' = 'c'; EXECUTE STATEMENT SET BEGIN INSERT INTO x SELECT * FROM y; END;
            CREATE FUNCTION f(id INT) RETURNS STRING AS CASE id WHEN 0 THEN 'a' END
            """

    @Test func everyCutOfAScriptParsesOrFailsCleanly() {
        let characters = Array(Self.script)
        var failures = 0
        for cut in 0...characters.count {
            do {
                _ = try Parser.parseScript(String(characters[..<cut]))
            } catch {
                failures += 1
                #expect(error.range != nil, "an error without a place for a cut at \(cut)")
            }
        }
        #expect(failures > characters.count / 2)
    }

    @Test func seededDamageNeverCrashes() {
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        let pieces = [
            "(", ")", ",", ";", "'", "`", "SELECT", "FROM", "AS", "CASE", "END", "--", "/*", "*", ".", "=>", "INTERVAL",
            "TABLE", "北",
        ]
        for _ in 0..<3000 {
            var characters = Array(Self.script)
            for _ in 0..<(1 + next(4)) {
                let position = next(characters.count)
                switch next(3) {
                case 0: characters.remove(at: position)
                case 1: characters.insert(contentsOf: Array(" " + pieces[next(pieces.count)] + " "), at: position)
                default: characters[position] = Array(pieces[next(pieces.count)])[0]
                }
            }
            _ = try? Parser.parseScript(String(characters))
        }
    }
}
