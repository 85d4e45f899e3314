import Foundation
import SQLSyntax
import Testing

@testable import SQLConnectors
@testable import SQLPlanner
@testable import SQLRuntime
@testable import SQLValues
@testable import StreamSQL

/// A connector is a type and a registration: everything else — option checks with their
/// suggestions, legacy names, refused values, reading, writing, bounded or not, completion —
/// comes from what it declares. Shown with a connector that lives only in this test.
@Suite struct ConnectorRegistryTests {
    /// `'connector' = 'numbers'`: the numbers 1 through `numbers.count` as column `n`
    /// (bounded), and a sink that keeps what it is given.
    struct NumbersConnector: Connector {
        let name = "numbers"
        let options = [
            OptionSpec("numbers.count", legacyNames: ["connector.count"]),
            OptionSpec("numbers.order", supported: ["ascending"], reason: "the numbers come in ascending order only"),
        ]
        let written: Written

        func isBounded(_ table: CatalogTable) -> Bool { true }

        func validate(_ table: CatalogTable, catalog: Catalog) throws(SQLError) {
            guard Int(table.options["numbers.count"] ?? "") != nil else {
                throw SQLError(.plan, "the numbers table \(table.name) needs 'numbers.count'")
            }
        }

        func source(for table: CatalogTable, in context: SourceContext) throws(SQLError) -> SourceRunner? {
            NumbersSource(count: Int64(table.options["numbers.count"]!)!)
        }

        func sink(for table: CatalogTable, catalog: Catalog) throws(SQLError) -> (any Sink)? {
            KeepingSink(written: written)
        }
    }

    struct NumbersSource: SourceRunner {
        let count: Int64

        func run(into output: Operator, stop: StopSignal) throws(SQLError) -> [String: Int64] {
            var emitter = BatchEmitter(output: output)
            for number in 1...count { try emitter.add([.integer(number)]) }
            try emitter.finish()
            return [:]
        }
    }

    final class Written: @unchecked Sendable {
        var rows: [Row] = []
    }

    final class KeepingSink: Sink {
        let written: Written
        init(written: Written) { self.written = written }
        func write(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) { written.rows += rows }
    }

    let written = Written()

    /// The error a script fails with (nil: it did not fail).
    func failure(_ script: String, _ engine: Engine) -> SQLError? {
        do {
            try run(script, engine: engine)
            return nil
        } catch {
            return error
        }
    }

    func engine() -> Engine {
        Engine(connectors: ConnectorRegistry.builtinConnectors + [NumbersConnector(written: written)])
    }

    @Test func aRegisteredConnectorIsReadAndWritten() throws {
        let engine = engine()
        try run(
            "CREATE TABLE numbers (n BIGINT) WITH ('connector' = 'numbers', 'numbers.count' = '10')", engine: engine)
        #expect(try run("SELECT SUM(n), COUNT(*) FROM numbers", engine: engine).lines == ["55|10"])
        // Bounded, so batch mode takes it.
        #expect(
            try run("SET 'execution.runtime-mode' = 'batch'; SELECT MAX(n) FROM numbers", engine: engine).lines == [
                "10"
            ])
        try run("CREATE TABLE kept (n BIGINT) WITH ('connector' = 'numbers', 'numbers.count' = '0')", engine: engine)
        try run("INSERT INTO kept SELECT n * 2 FROM numbers WHERE n > 7", engine: engine)
        #expect(written.rows == [[.integer(16)], [.integer(18)], [.integer(20)]])
    }

    @Test func itsOptionsAreCheckedAsItDeclaresThem() throws {
        let engine = engine()
        // A legacy name is read as the current one.
        try run(
            "CREATE TABLE legacy (n BIGINT) WITH ('connector' = 'numbers', 'connector.count' = '3')", engine: engine)
        #expect(try run("SELECT COUNT(*) FROM legacy", engine: engine).lines == ["3"])
        // A typo gets the nearest key, at its place in the statement.
        let typo = failure("CREATE TABLE t (n BIGINT) WITH ('connector' = 'numbers', 'numbers.cout' = '3')", engine)
        #expect(
            typo?.message == "unknown option 'numbers.cout' for the numbers connector; did you mean 'numbers.count'?")
        #expect(typo?.range?.start.line == 1 && typo?.range?.start.column == 58, "\(String(describing: typo?.range))")
        // A value it cannot honour is refused by name.
        let refused = failure(
            "CREATE TABLE t (n BIGINT) WITH ('connector' = 'numbers', 'numbers.count' = '3', "
                + "'numbers.order' = 'random')", engine)
        #expect(
            refused?.message
                == "option 'numbers.order' = 'random' is not supported: the numbers come in ascending order only")
        try run(
            "CREATE TABLE ascending (n BIGINT) WITH ('connector' = 'numbers', 'numbers.count' = '3', "
                + "'numbers.order' = 'ASCENDING')", engine: engine)
        // Its own checks run when the table is created.
        #expect(
            failure("CREATE TABLE t (n BIGINT) WITH ('connector' = 'numbers')", engine)?.message
                == "the numbers table t needs 'numbers.count'")
        // Its name is listed, and suggested.
        #expect(
            failure("CREATE TABLE t (n BIGINT) WITH ('numbers.count' = '3')", engine)?.message
                == "the table has no 'connector' option (filesystem, datagen, print, blackhole, kafka, upsert-kafka, numbers)"
        )
        #expect(
            failure("CREATE TABLE t (n BIGINT) WITH ('connector' = 'number')", engine)?.message
                == "unknown connector 'number'; did you mean 'numbers'?")
        #expect(engine.completionWords.contains("numbers.count"))
        #expect(!Engine().completionWords.contains("numbers.count"))
    }
}
