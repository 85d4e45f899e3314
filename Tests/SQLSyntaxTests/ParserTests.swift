import SQLSyntax
import Testing

/// The parser on the statements the seeds and Flink's documentation write, the printed
/// form of what it parsed, and the places and wording of its errors.
@Suite struct ParserTests {
    /// Seed 001's source table, as written (legacy `connector.type` options included).
    static let seedPayments = """
        CREATE TABLE payment_msg(
            createTime VARCHAR,
            rt as TO_TIMESTAMP(createTime),
            orderId BIGINT,
            payAmount DOUBLE,
            payPlatform INT,
            provinceId INT,
            WATERMARK FOR rt as rt - INTERVAL '2' SECOND
        ) WITH (
          'connector.type' = 'kafka',
          'connector.version' = 'universal',
          'connector.topic' = 'payment_msg',
          'connector.properties.bootstrap.servers' = 'localhost:9092',
          'connector.properties.zookeeper.connect' = 'localhost:2181',
          'connector.properties.group.id' = 'test_3',
          'connector.startup-mode' = 'latest-offset',
          'format.type' = 'json'
        )
        """

    @Test func theSeedsSourceTable() throws {
        guard case let .createTable(table) = try Parser.parseStatement(Self.seedPayments) else {
            Issue.record("not a CREATE TABLE")
            return
        }
        #expect(table.name.description == "payment_msg")
        #expect(
            table.columns.map(\.name.name) == ["createTime", "rt", "orderId", "payAmount", "payPlatform", "provinceId"])
        // VARCHAR without a length is STRING, as Flink reads it.
        #expect(table.columns[0].kind == .physical(.string, nullable: true))
        #expect(table.columns[3].kind == .physical(.double, nullable: true))
        guard case let .computed(computed) = table.columns[1].kind else {
            Issue.record("rt is not computed")
            return
        }
        #expect(computed.description == "TO_TIMESTAMP(createTime)")
        #expect(table.watermark?.column.name == "rt")
        #expect(table.watermark?.expression.description == "rt - INTERVAL '2' SECOND")
        #expect(table.options.count == 8)
        #expect(table.options.first { $0.key == "format.type" }?.value == "json")
    }

    @Test func theSeedsWindowQueryAndItsTableFunctionForm() throws {
        let grouped = try Parser.parseStatement(
            """
            select province_id_to_name(provinceId) as province, sum(payAmount) as pay_amount,
                   tumble_start(rt, interval '5' second) as rowtime
            from payment_msg
            group by tumble(rt, interval '5' second), provinceId
            """)
        guard case let .query(query) = grouped, case let .select(select) = query.body else {
            Issue.record("not a select")
            return
        }
        #expect(select.items.count == 3)
        #expect(select.groupBy.map(\.description) == ["tumble(rt, INTERVAL '5' SECOND)", "provinceId"])

        let tvf = try Parser.parseStatement(
            """
            SELECT window_start, window_end, provinceId, SUM(payAmount)
            FROM TABLE(TUMBLE(TABLE payment_msg, DESCRIPTOR(rt), INTERVAL '5' SECOND))
            GROUP BY window_start, window_end, provinceId
            """)
        guard case let .query(tvfQuery) = tvf, case let .select(tvfSelect) = tvfQuery.body,
            case let .tableFunction(call, _)? = tvfSelect.from
        else {
            Issue.record("no table function")
            return
        }
        #expect(call.name.description == "TUMBLE" && call.arguments.count == 3)
        #expect(
            tvfQuery.description.contains("FROM TABLE(TUMBLE(TABLE payment_msg, DESCRIPTOR(rt), INTERVAL '5' SECOND))"))
        let named = try Parser.parseStatement(
            """
            SELECT * FROM TABLE(HOP(DATA => TABLE clicks, TIMECOL => DESCRIPTOR(ts), SLIDE => INTERVAL '1' MINUTE, SIZE => INTERVAL '5' MINUTE))
            """)
        guard case let .query(namedQuery) = named else { return }
        #expect(
            namedQuery.description
                == "SELECT * FROM TABLE(HOP(DATA => TABLE clicks, TIMECOL => DESCRIPTOR(ts), SLIDE => INTERVAL '1' MINUTE, SIZE => INTERVAL '5' MINUTE))"
        )

        // A window function: ROW_NUMBER() OVER (...), printed back the same.
        let ranked = try Parser.parseStatement(
            "SELECT k, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY clicks DESC, k) AS rownum FROM t"
        )
        guard case let .query(rankedQuery) = ranked, case let .select(rankedSelect) = rankedQuery.body,
            case let .expression(value, _) = rankedSelect.items[1], case let .function(call) = value.kind
        else {
            Issue.record("no window function")
            return
        }
        #expect(call.over?.partitionBy.map(\.description) == ["window_start", "window_end"])
        #expect(call.over?.orderBy.map(\.descending) == [true, false])
        #expect(
            rankedQuery.description
                == "SELECT k, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY clicks DESC, k) AS rownum FROM t"
        )
        // Frames, in both spellings, print back in the long one.
        guard
            case let .query(framed) = try Parser.parseStatement(
                "SELECT SUM(v) OVER (PARTITION BY k ORDER BY rt RANGE INTERVAL '1' HOUR PRECEDING) FROM t"),
            case let .query(rows) = try Parser.parseStatement(
                "SELECT COUNT(*) OVER (ORDER BY rt ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t")
        else {
            Issue.record("not queries")
            return
        }
        #expect(
            framed.description
                == "SELECT SUM(v) OVER (PARTITION BY k ORDER BY rt RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW) FROM t"
        )
        #expect(
            rows.description
                == "SELECT COUNT(*) OVER (ORDER BY rt ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t")
        #expect(throws: SQLError.self) {
            try Parser.parseStatement(
                "SELECT SUM(v) OVER (ORDER BY rt ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM t")
        }
        guard
            case let .query(windowed) = try Parser.parseStatement(
                "SELECT SUM(v) OVER w, MAX(v) OVER w FROM t WINDOW w AS (PARTITION BY k ORDER BY rt)")
        else {
            Issue.record("not a query")
            return
        }
        #expect(
            windowed.description
                == "SELECT SUM(v) OVER w, MAX(v) OVER w FROM t WINDOW w AS (PARTITION BY k ORDER BY rt)")
    }

    @Test func precedenceFromOrToPostfix() throws {
        let parsed = try Parser.parseExpression("a OR b AND NOT c = d + e * -f || g")
        guard case let .binary(.or, _, right) = parsed.kind, case let .binary(.and, _, negation) = right.kind,
            case let .unary(.not, comparison) = negation.kind, case let .binary(.equal, _, sum) = comparison.kind,
            case let .binary(.concat, plus, _) = sum.kind, case let .binary(.plus, _, product) = plus.kind,
            case let .binary(.multiply, _, negative) = product.kind, case .unary(.minus, _) = negative.kind
        else {
            Issue.record("wrong tree: \(parsed)")
            return
        }
        #expect(try Parser.parseExpression("(a + b) * c").description == "(a + b) * c")
        #expect(try Parser.parseExpression("a - (b - c)").description == "a - (b - c)")
        #expect(try Parser.parseExpression("a - b - c").description == "a - b - c")
        #expect(try Parser.parseExpression("x BETWEEN 1 AND 2 AND y").description == "x BETWEEN 1 AND 2 AND y")
        #expect(try Parser.parseExpression("m['k'].f[1]").description == "m['k'].f[1]")
    }

    /// Every expression form prints back as SQL that parses to the same printed form.
    @Test(arguments: [
        "CASE WHEN a > 1 THEN 'x' WHEN a IS NULL THEN 'n' ELSE 'y' END",
        "CASE id WHEN 0 THEN 'beijing' WHEN 1 THEN 'shanghai' END",
        "CAST(a AS DECIMAL(10, 2))", "TRY_CAST(s AS INT)", "CAST(ts AS TIMESTAMP_LTZ(3))",
        "a IS NOT NULL", "b IS TRUE", "c NOT IN (1, 2, 3)", "d NOT BETWEEN 1 AND 10", "e LIKE 'a%' ESCAPE '!'",
        "a IS DISTINCT FROM b", "EXTRACT(HOUR FROM ts)", "FLOOR(ts TO MINUTE)", "CEIL(x)", "FLOOR(2.5)",
        "TIMESTAMPADD(SECOND, 5, ts)", "TIMESTAMPDIFF(DAY, a, b)", "TRIM(BOTH ' ' FROM s)", "TRIM(LEADING FROM s)",
        "SUBSTRING(s FROM 2 FOR 3)", "POSITION('a' IN s)", "COUNT(*)", "COUNT(DISTINCT user_id)",
        "CONCAT_WS('-', a, b)", "JSON_VALUE(payload, '$.a.b')",
        "JSON_VALUE(p, 'lax $.a' RETURNING DOUBLE DEFAULT 0 ON EMPTY ERROR ON ERROR)",
        "JSON_VALUE(p, '$.a' NULL ON EMPTY DEFAULT -1 ON ERROR)", "CURRENT_TIMESTAMP", "PROCTIME()",
        "INTERVAL '1:30' MINUTE TO SECOND", "INTERVAL -'2' DAY", "DATE '2020-01-01'", "TIMESTAMP '2020-01-01 00:00:00'",
        "ARRAY[1, 2]", "MAP['a', 1]", "ROW(1, 'x')", "`select` + `weird name`", "t.a * 2", "NOT (a OR b)", "-(1 + 2)",
        "1.5e3 + .5", "'it''s'", "LEFT(s, 2) || RIGHT(s, 1)", "a || 'x' || b", "x = (SELECT MAX(y) FROM t)",
    ])
    func expressionsPrintAsTheyParse(source: String) throws {
        let printed = try Parser.parseExpression(source).description
        #expect(try Parser.parseExpression(printed).description == printed, "\(source) → \(printed)")
    }

    @Test func statementsOfEveryKind() throws {
        let script = """
            CREATE TEMPORARY TABLE IF NOT EXISTS `orders` (
              id BIGINT NOT NULL,
              price DECIMAL(10, 2),
              tags ARRAY<STRING>, attrs MAP<STRING, INT>, buyer ROW<name STRING, age INT>,
              ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
              `offset` BIGINT METADATA VIRTUAL,
              proc AS PROCTIME(),
              WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,
              PRIMARY KEY (id) NOT ENFORCED
            ) COMMENT 'orders' WITH ('connector' = 'datagen', 'rows-per-second' = '10');
            DROP TABLE IF EXISTS orders;
            CREATE VIEW big AS SELECT * FROM orders WHERE price > 100;
            DROP VIEW big;
            CREATE FUNCTION province_id_to_name(id INT) RETURNS STRING AS
              CASE id WHEN 0 THEN 'beijing' WHEN 1 THEN 'shanghai' ELSE 'other' END;
            DROP FUNCTION IF EXISTS province_id_to_name;
            SHOW TABLES; SHOW FUNCTIONS; SHOW VIEWS; SHOW JOBS;
            DESCRIBE orders; DESC orders;
            EXPLAIN SELECT 1;
            SET 'execution.runtime-mode' = 'batch';
            SET execution.checkpointing.interval = 10s;
            SET;
            RESET 'execution.runtime-mode'; RESET;
            INSERT INTO sink SELECT id, price FROM orders;
            INSERT INTO sink (a, b) VALUES (1, 'x'), (2, 'y');
            STOP JOB 'abc123';
            EXECUTE STATEMENT SET BEGIN
              INSERT INTO a SELECT * FROM orders;
              INSERT INTO b SELECT * FROM orders;
            END;
            WITH t AS (SELECT 1 AS x) SELECT x FROM t UNION ALL SELECT 2 ORDER BY x DESC LIMIT 1
            """
        let statements = try Parser.parseScript(script)
        #expect(statements.count == 23)
        guard case let .createTable(table) = statements[0].statement else { return }
        #expect(table.temporary && table.ifNotExists && table.comment == "orders")
        #expect(table.columns[0].kind == .physical(.bigint, nullable: false))
        #expect(table.columns[1].kind == .physical(.decimal(precision: 10, scale: 2), nullable: true))
        #expect(
            table.columns[4].kind
                == .physical(
                    .row([.init(name: "name", type: .string), .init(name: "age", type: .int)]), nullable: true))
        #expect(table.columns[5].kind == .metadata(.timestampLTZ(3), key: "timestamp", virtual: true))
        #expect(table.primaryKey?.columns.map(\.name) == ["id"])
        #expect(statements[13].statement == .set(key: "execution.runtime-mode", value: "batch"))
        #expect(statements[14].statement == .set(key: "execution.checkpointing.interval", value: "10s"))
        #expect(statements[15].statement == .set(key: nil, value: nil))
        #expect(statements[20].statement == .stopJob(id: "abc123"))
        guard case let .statementSet(inserts) = statements[21].statement else { return }
        #expect(inserts.map(\.table.name) == ["a", "b"])
        #expect(statements[1].text == "DROP TABLE IF EXISTS orders")
        guard case let .query(last) = statements[22].statement else { return }
        #expect(
            last.description == "WITH t AS (SELECT 1 AS x) SELECT x FROM t UNION ALL SELECT 2 ORDER BY x DESC LIMIT 1")
    }

    /// GROUPING SETS, ROLLUP and CUBE become the sets of keys they stand for (several elements
    /// combined), printed back as GROUPING SETS; a plain GROUP BY has none.
    @Test func groupingSets() throws {
        func sets(_ groupBy: String) throws -> [[String]]? {
            guard case let .query(query) = try Parser.parseStatement("SELECT COUNT(*) FROM t GROUP BY \(groupBy)"),
                case let .select(select) = query.body
            else { return nil }
            return select.groupingSets?.map { $0.map(\.description) }
        }
        #expect(try sets("a, b") == nil)
        #expect(try sets("ROLLUP (a, b)") == [["a", "b"], ["a"], []])
        #expect(try sets("CUBE (a, b)") == [["a", "b"], ["a"], ["b"], []])
        #expect(try sets("GROUPING SETS ((a, b), a, ())") == [["a", "b"], ["a"], []])
        #expect(try sets("c, ROLLUP (a)") == [["c", "a"], ["c"]])
        #expect(try sets("GROUPING SETS (ROLLUP (a), (b))") == [["a"], [], ["b"]])
        let printed = try Parser.parseStatement("SELECT a, COUNT(*) FROM t GROUP BY CUBE (a, b)")
        guard case let .query(query) = printed else { return }
        #expect(query.description == "SELECT a, COUNT(*) FROM t GROUP BY GROUPING SETS ((a, b), (a), (b), ())")
        guard case let .query(again) = try Parser.parseStatement(query.description) else { return }
        #expect(again.description == query.description)
    }

    /// SHOW CREATE TABLE and SHOW CREATE VIEW print the definition as SQL that parses to the
    /// same definition (printed again, the same text).
    @Test func createStatementsPrintAsTheyParse() throws {
        let source = """
            CREATE TEMPORARY TABLE `orders` (
              id BIGINT NOT NULL COMMENT 'the order''s id', price DECIMAL(10, 2), buyer ROW<name STRING, age INT>,
              ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL, `offset` BIGINT METADATA VIRTUAL, total AS price * 2,
              WATERMARK FOR ts AS ts - INTERVAL '5' SECOND, PRIMARY KEY (id) NOT ENFORCED
            ) COMMENT 'orders' PARTITIONED BY (id) WITH ('connector' = 'datagen', 'rows-per-second' = '10');
            CREATE VIEW big (i, p) AS SELECT id, price FROM orders WHERE price > 100
            """
        let statements = try Parser.parseScript(source)
        guard case let .createTable(table) = statements[0].statement,
            case let .createView(view) = statements[1].statement
        else {
            Issue.record("not a CREATE TABLE and a CREATE VIEW")
            return
        }
        let printed = table.description
        guard case let .createTable(again) = try Parser.parseStatement(printed) else {
            Issue.record("\(printed)")
            return
        }
        #expect(again.description == printed)
        #expect(
            again.columns.map(\.name.name) == table.columns.map(\.name.name)
                && again.columns.map(\.comment) == table.columns.map(\.comment))
        #expect(
            again.options.map(\.key) == ["connector", "rows-per-second"] && again.comment == "orders" && again.temporary
        )
        #expect(
            printed.contains("\n  `offset` BIGINT METADATA VIRTUAL,\n")
                && printed.contains("\n  PRIMARY KEY (id) NOT ENFORCED\n)"))
        guard case let .createView(viewAgain) = try Parser.parseStatement(view.description) else {
            Issue.record("\(view.description)")
            return
        }
        #expect(viewAgain.description == view.description && viewAgain.columns.map(\.name) == ["i", "p"])
        guard
            case let .createTable(like) = try Parser.parseStatement(
                "CREATE TABLE t2 WITH ('topic' = 'b') LIKE t1 (EXCLUDING ALL INCLUDING GENERATED)"),
            let clause = like.like
        else {
            Issue.record("no LIKE")
            return
        }
        #expect(
            clause.source.name == "t1" && clause.strategy(.generated) == .including
                && clause.strategy(.options) == .excluding)
        #expect(
            like.description.hasSuffix(
                "LIKE t1 (EXCLUDING CONSTRAINTS INCLUDING GENERATED EXCLUDING METADATA EXCLUDING OPTIONS EXCLUDING PARTITIONS EXCLUDING WATERMARKS)"
            ))
        guard case let .showCreate(name, isView) = try Parser.parseStatement("SHOW CREATE VIEW big") else {
            Issue.record("not SHOW CREATE")
            return
        }
        #expect(name.name == "big" && isView)
    }

    @Test func joinsSubqueriesAndAliases() throws {
        let statement = try Parser.parseStatement(
            """
            SELECT o.id, c.name n, cnt FROM orders AS o
            LEFT JOIN customers c ON o.cid = c.id
            JOIN (SELECT id, COUNT(*) AS cnt FROM items GROUP BY id HAVING COUNT(*) > 1) i ON i.id = o.id
            WHERE o.price BETWEEN 10 AND 20
            """)
        guard case let .query(query) = statement else { return }
        #expect(
            query.description
                == "SELECT o.id, c.name AS n, cnt FROM orders AS o LEFT JOIN customers AS c ON o.cid = c.id "
                + "JOIN (SELECT id, COUNT(*) AS cnt FROM items GROUP BY id HAVING COUNT(*) > 1) AS i ON i.id = o.id "
                + "WHERE o.price BETWEEN 10 AND 20")
    }

    /// The FROM forms and special calls added for Flink's documentation: UNNEST, temporal
    /// joins, JSON constructors — each printed back as SQL that parses to the same text.
    @Test func unnestTemporalJoinsAndJSONConstructorsPrintBack() throws {
        let source = """
            SELECT o.id, t.tag, JSON_OBJECT(KEY 'id' VALUE o.id, 'tags' VALUE JSON_ARRAY(t.tag, NULL NULL ON NULL) ABSENT ON NULL), JSON_ARRAY()
            FROM orders AS o CROSS JOIN UNNEST(o.tags) WITH ORDINALITY AS t (tag, pos)
            LEFT JOIN rates FOR SYSTEM_TIME AS OF o.rt AS r ON o.cur = r.cur
            """
        guard case let .query(query) = try Parser.parseStatement(source) else {
            Issue.record("not a query")
            return
        }
        let printed = query.description
        #expect(
            printed
                == "SELECT o.id, t.tag, JSON_OBJECT(KEY 'id' VALUE o.id, KEY 'tags' VALUE JSON_ARRAY(t.tag, NULL NULL ON NULL) ABSENT ON NULL), "
                + "JSON_ARRAY() FROM orders AS o CROSS JOIN UNNEST(o.tags) WITH ORDINALITY AS t(tag, pos) "
                + "LEFT JOIN rates FOR SYSTEM_TIME AS OF o.rt AS r ON o.cur = r.cur")
        guard case let .query(again) = try Parser.parseStatement(printed) else { return }
        #expect(again.description == printed)
        #expect(
            error("SELECT JSON_OBJECT('a' 1)")?.message.hasPrefix("expected VALUE after a key of JSON_OBJECT") == true)
        #expect(
            error("SELECT * FROM t FOR SYSTEM_TIME AS o.rt")?.message.hasPrefix("expected OF after FOR SYSTEM_TIME AS")
                == true)
    }

    /// `/*+ OPTIONS(...) */` after a table's name (in FROM and INSERT INTO) is read as the
    /// table's options for the query and printed back; query hints after SELECT are skipped;
    /// a plain comment is still a comment.
    @Test func tableHints() throws {
        let statement = try Parser.parseStatement(
            """
            SELECT /*+ BROADCAST(c) */ * FROM orders /*+ OPTIONS('scan.startup.mode' = 'latest-offset', 'a' = 'b'), OPTIONS('c' = 'd') */ o
            /* not a hint */ JOIN customers c ON o.cid = c.id
            """)
        guard case let .query(query) = statement else {
            Issue.record("not a query")
            return
        }
        #expect(
            query.description
                == "SELECT * FROM orders /*+ OPTIONS('scan.startup.mode' = 'latest-offset', 'a' = 'b', 'c' = 'd') */ AS o "
                + "JOIN customers AS c ON o.cid = c.id")
        guard
            case let .insert(insert) = try Parser.parseStatement(
                "INSERT INTO sink /*+ OPTIONS('sink.parallelism' = '1') */ SELECT 1")
        else {
            Issue.record("not an INSERT")
            return
        }
        #expect(insert.options.map(\.key) == ["sink.parallelism"] && insert.options.map(\.value) == ["1"])
        #expect(error("SELECT * FROM t /*+ OPTIONS('a' = 'b') SELECT")?.message.contains("to close the hint") == true)
        #expect(
            error("SELECT * FROM t /*+ LOOKUP('table' = 'x') */")?.message.contains("a table's hint is OPTIONS") == true
        )
    }

    // MARK: Errors

    func error(_ source: String) -> SQLError? {
        do {
            _ = try Parser.parseScript(source)
            return nil
        } catch {
            return error
        }
    }

    @Test func errorsNameTheLineColumnAndWhatWasExpected() throws {
        let missingComma = try #require(error("SELECT a\n  b c FROM t"))
        #expect(
            missingComma.description == "line 2, column 5: syntax error: expected ';' after the statement, found 'c'")

        let trailingComma = try #require(error("SELECT a, FROM t"))
        #expect(
            trailingComma.description
                == "line 1, column 11: syntax error: expected an expression (the select list is empty or ends with ','), found 'FROM'"
        )
        #expect(
            trailingComma.rendered(in: "SELECT a, FROM t") == """
                line 1, column 11: syntax error: expected an expression (the select list is empty or ends with ','), found 'FROM'
                  SELECT a, FROM t
                            ^^^^
                """)

        let unclosed = try #require(error("SELECT (a + b FROM t"))
        #expect(unclosed.message == "expected ')' to close the parenthesis, found 'FROM'")

        let keyword = try #require(error("CREATE TABLE t (select INT) WITH ()"))
        #expect(keyword.message.contains("the keyword SELECT (write `select` to use it as a name)"))

        let enforced = try #require(error("CREATE TABLE t (a INT, PRIMARY KEY (a)) WITH ()"))
        #expect(enforced.message.contains("NOT ENFORCED"))

        let type = try #require(error("CREATE TABLE t (a INTEGR) WITH ()"))
        #expect(type.message.hasPrefix("unknown type INTEGR"))
        #expect(type.range?.start.column == 19)

        let udf = try #require(error("CREATE FUNCTION f AS 'com.example.F' LANGUAGE JAVA"))
        #expect(udf.kind == .unsupported && udf.message.contains("CREATE FUNCTION f(id INT) RETURNS STRING"))

        let interval = try #require(error("SELECT INTERVAL '5' FROM t"))
        #expect(interval.message.hasPrefix("expected a unit after the interval's value"))

        let quotedAlias = try #require(error("SELECT a 'x' FROM t"))
        #expect(quotedAlias.message.contains("AS before an alias"))

        let number = try #require(error("SELECT 12abc FROM t"))
        #expect(number.message == "'12abc' is neither a number nor a name")

        let statement = try #require(error("SELEC 1"))
        #expect(statement.message.hasPrefix("expected a statement (SELECT, INSERT"))
    }
}
