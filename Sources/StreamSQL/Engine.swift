import Foundation
import SQLConnectors
import SQLPlanner
import SQLRuntime
import SQLSyntax
import SQLValues
import Synchronization

/// Weir's SQL engine for one session: runs statements against its catalog. Queries over
/// bounded inputs run to their end; over unbounded ones until `stop` is set. Results and
/// messages go to a `ResultWriter` as they come.
///
/// ```swift
/// let engine = Engine()
/// try engine.execute(script: "CREATE TABLE t (...) WITH (...); SELECT ...", writer: printer)
/// ```
public final class Engine: @unchecked Sendable {
    public let catalog: Catalog
    /// Continuous INSERTs running in the background.
    public let jobs = JobRegistry()
    /// Called with a background job's notes as it makes them ("reading payment_msg from ...").
    public var onJobNote: (@Sendable (Job, String) -> Void)?
    private let running = Mutex<RunningQuery?>(nil)
    /// The query running in the foreground now (what `\\why` explains).
    public var runningQuery: RunningQuery? { running.withLock { $0 } }

    /// Where jobs keep their checkpoints (`--data`); without it no checkpoint is taken.
    public var dataDirectory: String?
    /// Start jobs afresh, ignoring (and removing) their checkpoints (`--fresh`).
    public var ignoreCheckpoints = false
    /// Called as each query and job is built: the observer it returns watches it too (the
    /// workbench's timeline). Without it (`weir -f`) nobody gathers per-row detail.
    public var makeObserver: (@Sendable () -> any QueryObserver)?

    /// The inputs of this engine's `feed` tables.
    private let feeds: FeedInputs

    public convenience init() { self.init(connectors: ConnectorRegistry.builtinConnectors) }

    /// An engine whose tables may name `connectors` (Weir's own: `builtinConnectors`), and
    /// `feed` over its own inputs.
    package init(connectors: [any Connector]) {
        let feeds = FeedInputs()
        self.feeds = feeds
        catalog = Catalog(
            connectors: ConnectorRegistry(
                (connectors + [FeedConnector(inputs: feeds)]).map { $0 as any TableConnector }))
    }

    /// A fresh input for the `feed` table `table`, read by the next query that scans it.
    public func feed(_ table: String) -> Feed {
        feeds.fresh(for: catalog.table(table)?.name ?? table)
    }

    /// Every statement of `script`, in order; stops at the first that fails. Errors carry the
    /// place in the script.
    /// With `replay`, queries run again paced by it (INSERTs and other statements run as usual).
    public func execute(
        script: String, writer: ResultWriter, stop: StopSignal = StopSignal(), replay: ReplayControl? = nil
    ) throws(SQLError) {
        for statement in try Parser.parseScript(script) {
            try execute(statement.statement, writer: writer, stop: stop, replay: replay)
            if stop.isRequested { return }
        }
    }

    public func execute(
        _ statement: Statement, writer: ResultWriter, stop: StopSignal = StopSignal(), replay: ReplayControl? = nil
    ) throws(SQLError) {
        switch statement {
        case let .createTable(given) where given.query != nil:
            try createTableAs(given, writer: writer, stop: stop)
        case let .createTable(given):
            let definition = try catalog.merging(like: given)
            if catalog.table(definition.name.name) != nil || catalog.view(definition.name.name) != nil {
                if definition.ifNotExists { return writer.message("table \(definition.name) already exists") }
                throw SQLError(
                    .plan,
                    "table \(definition.name) already exists (DROP TABLE it first, or CREATE TABLE IF NOT EXISTS)",
                    at: definition.name.range)
            }
            let table = try TableBuilder(catalog: catalog).build(definition)
            for note in table.connector.notes(for: table) { writer.message("[NOTE] table \(table.name): \(note)") }
            catalog.tables[definition.name.name] = table
            writer.message("[INFO] Execute statement succeeded.")
        case let .alterTableOptions(name, set, reset):
            guard let table = catalog.table(name.name) else {
                throw SQLError(.plan, "unknown table \(name)", at: name.range)
            }
            var definition = table.definition
            definition.options.removeAll { option in reset.contains { $0.lowercased() == option.key.lowercased() } }
            definition.options = TableOptions.overwriting(definition.options, with: set, connectors: catalog.connectors)
            // Rebuilt as CREATE TABLE builds it: the connector checks the options it ends up with.
            catalog.tables[table.name] = try TableBuilder(catalog: catalog).build(definition)
            writer.message("[INFO] Execute statement succeeded.")
        case let .dropTable(name, ifExists, _):
            guard catalog.tables.removeValue(forKey: catalog.table(name.name)?.name ?? name.name) != nil else {
                if ifExists { return writer.message("[INFO] Execute statement succeeded.") }
                throw SQLError(.plan, "unknown table \(name)", at: name.range)
            }
            writer.message("[INFO] Execute statement succeeded.")
        case let .createView(definition):
            if catalog.view(definition.name.name) != nil || catalog.table(definition.name.name) != nil {
                if definition.ifNotExists { return writer.message("view \(definition.name) already exists") }
                throw SQLError(.plan, "\(definition.name) already exists", at: definition.name.range)
            }
            let node = try Planner(catalog: catalog).plan(definition.query)
            catalog.views[definition.name.name] = CatalogView(definition: definition, schema: node.schema)
            writer.message("[INFO] Execute statement succeeded.")
        case let .dropView(name, ifExists, _):
            guard catalog.views.removeValue(forKey: name.name) != nil || ifExists else {
                throw SQLError(.plan, "unknown view \(name)", at: name.range)
            }
            writer.message("[INFO] Execute statement succeeded.")
        case let .createFunction(definition):
            if catalog.function(definition.name.name) != nil {
                if definition.ifNotExists { return writer.message("function \(definition.name) already exists") }
                throw SQLError(.plan, "function \(definition.name) already exists", at: definition.name.range)
            }
            let parameters = Schema(definition.parameters.map { Column(name: $0.name.name, type: $0.type) })
            _ = try ExpressionCompiler(catalog: catalog, scope: Scope(parameters)).compile(definition.body)
            catalog.functions[definition.name.name] = definition
            writer.message("[INFO] Execute statement succeeded.")
        case let .dropFunction(name, ifExists, _):
            guard catalog.functions.removeValue(forKey: name.name) != nil || ifExists else {
                throw SQLError(.plan, "unknown function \(name)", at: name.range)
            }
            writer.message("[INFO] Execute statement succeeded.")
        case .showTables:
            list("table name", catalog.tableNames, writer)
        case .showViews:
            list("view name", catalog.viewNames, writer)
        case .showFunctions:
            list(
                "function name",
                (catalog.functionNames + BuiltinFunction.names + Array(ExpressionCompiler.aggregateNames)
                    + Array(ExpressionCompiler.windowFunctionNames) + Array(ExpressionCompiler.rankingFunctionNames))
                    .sorted(), writer)
        case let .describe(name):
            try describe(name, writer)
        case let .showCreate(name, view):
            let text: String
            if view {
                guard let found = catalog.view(name.name) else {
                    throw SQLError(.plan, "unknown view \(name)", at: name.range)
                }
                text = found.definition.description
            } else {
                guard let found = catalog.table(name.name) else {
                    throw SQLError(
                        .plan,
                        "unknown table \(name)\(catalog.view(name.name) != nil ? " (it is a view: SHOW CREATE VIEW)" : "")",
                        at: name.range)
                }
                text = found.definition.description
            }
            writer.begin(columns: [Column(name: "result", type: .string)], changelog: false)
            writer.rows([[.string(text)]], kinds: nil)
            writer.end(statistics: [:])
        case let .explain(inner):
            try explain(inner, writer)
        case let .set(key, value):
            if let key, let value {
                catalog.settings[key] = value
                writer.message("[INFO] Execute statement succeeded.")
            } else {
                let columns = [Column(name: "key", type: .string), Column(name: "value", type: .string)]
                writer.begin(columns: columns, changelog: false)
                writer.rows(
                    catalog.settings.sorted { $0.key < $1.key }.map { [.string($0.key), .string($0.value)] }, kinds: nil
                )
                writer.end(statistics: [:])
            }
        case let .reset(key):
            if let key { catalog.settings[key] = nil } else { catalog.settings = [:] }
            writer.message("[INFO] Execute statement succeeded.")
        case let .query(query):
            let node = try Planner(catalog: catalog).plan(query)
            // Notes of the sources (where a Kafka read starts) reach the one watching. Sources may
            // run on threads of their own: their notes and the rows reach the writer one at a time.
            let writer = SerializedWriter(writer)
            let query = RunningQuery(observers: makeObserver.map { [$0()] } ?? [])
            nonisolated(unsafe) let watcher = writer
            let reporter = QueryReporter(
                [query.progress, NoteForwarder { note in watcher.message(note) }] + query.observers)
            // The query's own signal: its LIMIT ends it, not the session (Ctrl-C reaches it through the parent).
            let execution = QueryExecution(
                catalog: catalog, stop: StopSignal(parent: stop), reporter: reporter, replay: replay)
            try execution.build(node, into: CollectSink(writer: writer))
            writer.begin(columns: node.schema.columns, changelog: !node.appendOnly)
            running.withLock { $0 = query }
            defer { running.withLock { $0 = nil } }
            try execution.run()
            writer.end(statistics: execution.statistics)
        case let .insert(insert):
            try run([insert], writer: writer, stop: stop)
        case let .statementSet(inserts):
            try run(inserts, writer: writer, stop: stop)
        case .showJobs:
            showJobs(writer)
        case let .stopJob(id):
            guard let job = jobs.job(id) else { throw SQLError(.plan, "no job '\(id)' (SHOW JOBS lists them)") }
            job.requestStop()
            job.wait()
            writer.message("[INFO] Job \(job.id) \(job.status.text.lowercased()).")
        }
    }

    private func list(_ title: String, _ names: [String], _ writer: ResultWriter) {
        writer.begin(columns: [Column(name: title, type: .string, nullable: false)], changelog: false)
        writer.rows(names.map { [.string($0)] }, kinds: nil)
        writer.end(statistics: [:])
    }

    private func describe(_ name: QualifiedName, _ writer: ResultWriter) throws(SQLError) {
        let schema: Schema
        var extras: [String: String] = [:]
        var keys: Set<String> = []
        var watermark: (column: String, expression: String)?
        if let table = catalog.table(name.name) {
            schema = table.schema
            for column in table.definition.columns {
                switch column.kind {
                case let .computed(expression): extras[column.name.name] = "AS \(expression)"
                case let .metadata(_, key, virtual):
                    extras[column.name.name] =
                        "METADATA\(key.map { " FROM '\($0)'" } ?? "")\(virtual ? " VIRTUAL" : "")"
                case .physical: break
                }
            }
            keys = Set(table.definition.primaryKey?.columns.map(\.name) ?? [])
            if let definition = table.definition.watermark {
                watermark = (definition.column.name, definition.expression.description)
            }
        } else if let view = catalog.view(name.name) {
            schema = view.schema
        } else {
            throw SQLError(.plan, "unknown table \(name)", at: name.range)
        }
        let columns = ["name", "type", "null", "key", "extras", "watermark"].map { Column(name: $0, type: .string) }
        writer.begin(columns: columns, changelog: false)
        writer.rows(
            schema.columns.map { column in
                var type = column.type.description
                if column.timeAttribute == .rowtime { type += " *ROWTIME*" }
                if column.timeAttribute == .proctime { type += " *PROCTIME*" }
                return [
                    .string(column.name), .string(type), .string(column.nullable ? "TRUE" : "FALSE"),
                    keys.contains(column.name) ? .string("PRI(\(column.name))") : .null,
                    extras[column.name].map(Value.string) ?? .null,
                    watermark?.column == column.name ? .string(watermark!.expression) : .null,
                ]
            }, kinds: nil)
        writer.end(statistics: [:])
    }

    private func explain(_ statement: Statement, _ writer: ResultWriter) throws(SQLError) {
        let text: String
        switch statement {
        case let .query(query):
            text = try Planner(catalog: catalog).plan(query).explain()
        case let .insert(insert):
            let (node, table) = try planInsert(insert)
            text = "Sink(\(table.name), \(table.options.connector))\n" + node.explain(indent: 1)
        default:
            throw SQLError(.unsupported, "EXPLAIN shows the plans of queries and INSERT statements")
        }
        writer.begin(columns: [Column(name: "plan", type: .string)], changelog: false)
        writer.rows([[.string(text)]], kinds: nil)
        writer.end(statistics: [:])
    }

    /// The plan of an INSERT's query, checked against the sink table's columns.
    func planInsert(_ insert: Insert) throws(SQLError) -> (PlanNode, CatalogTable) {
        guard let table = try catalog.table(insert.table.name)?.overridden(by: insert.options, catalog: catalog) else {
            throw SQLError(.plan, "unknown table \(insert.table)", at: insert.table.range)
        }
        var node = try Planner(catalog: catalog).plan(insert.query)
        let targets: [Int]
        if insert.columns.isEmpty {
            targets = table.physical
        } else {
            var indexes: [Int] = []
            for column in insert.columns {
                guard let index = table.schema.index(of: column.name), table.physical.contains(index) else {
                    throw SQLError(.plan, "table \(table.name) has no physical column \(column.name)", at: column.range)
                }
                indexes.append(index)
            }
            targets = indexes
        }
        guard node.schema.columns.count == targets.count else {
            throw SQLError(
                .plan,
                "the query gives \(node.schema.columns.count) columns and table \(table.name) takes \(targets.count) "
                    + "(\(targets.map { table.schema.columns[$0].name }.joined(separator: ", ")))",
                at: insert.table.range)
        }
        // Order the values as the sink's physical columns, converting where the types differ.
        var expressions: [CompiledExpression] = []
        var columns: [Column] = []
        for index in table.physical {
            let column = table.schema.columns[index]
            columns.append(column)
            guard let source = targets.firstIndex(of: index) else {
                expressions.append(.literal(.null))
                continue
            }
            let from = node.schema.columns[source].type
            // Text goes into a CHAR(n) or VARCHAR(n) column whole: Flink's sinks do not enforce
            // lengths unless asked (table.exec.sink.type-length-enforcer is IGNORE by default).
            let target = ExpressionCompiler.isString(column.type) ? DataType.string : column.type
            let same = from == target || (ExpressionCompiler.isString(from) && ExpressionCompiler.isString(target))
            expressions.append(same ? .column(source) : .cast(.column(source), from: from, to: target, isTry: true))
        }
        // Rows already in the sink's order and types pass as they are (no row copied per row).
        let unchanged =
            expressions.count == node.schema.columns.count
            && expressions.enumerated().allSatisfy { position, expression in
                if case let .column(source) = expression { source == position } else { false }
            }
        if !unchanged {
            node = PlanNode(
                .project(expressions, texts: columns.map(\.name)), inputs: [node], schema: Schema(columns),
                label: "Convert to \(table.name)")
        }
        // Told when planned, before a sink opens a file or a producer (the sinks check again per batch).
        if !node.appendOnly, let advice = table.connector.refusesUpdates(table) {
            throw SQLError(
                .plan,
                "the \(table.options.connector) connector writes only insertions, and this query updates its results (a GROUP BY without "
                    + "a window, an outer join, a Top-N): \(advice)", at: insert.table.range)
        }
        return (node, table)
    }

    private func sink(for table: CatalogTable, at range: SourceRange?) throws(SQLError) -> Operator {
        guard let sink = try table.runningConnector().sink(for: table, catalog: catalog) else {
            throw SQLError(
                .unsupported, "writing to the \(table.options.connector) connector is not supported", at: range)
        }
        return SinkOperator(sink)
    }

    /// CREATE TABLE ... WITH (...) AS SELECT: a table of the query's columns (names, types,
    /// nullability; time attributes become plain timestamps, as in Flink), then the query
    /// inserted into it — a job when it never ends, as INSERT's. A query or a table that
    /// cannot be planned creates nothing; once the insert runs the table stays, whatever
    /// becomes of the insert (Flink's CTAS is not atomic either).
    private func createTableAs(_ given: CreateTable, writer: ResultWriter, stop: StopSignal) throws(SQLError) {
        guard let query = given.query else { return }
        if catalog.table(given.name.name) != nil || catalog.view(given.name.name) != nil {
            if given.ifNotExists { return writer.message("table \(given.name) already exists") }
            throw SQLError(
                .plan, "table \(given.name) already exists (DROP TABLE it first, or CREATE TABLE IF NOT EXISTS)",
                at: given.name.range)
        }
        let node = try Planner(catalog: catalog).plan(query)
        var definition = given
        definition.query = nil
        definition.columns = node.schema.columns.map { column in
            ColumnDefinition(
                name: Identifier(column.name, range: given.name.range),
                kind: .physical(column.type, nullable: column.nullable))
        }
        let table = try TableBuilder(catalog: catalog).build(definition)
        catalog.tables[definition.name.name] = table
        let insert = Insert(
            table: QualifiedName([Identifier(definition.name.name, range: given.name.range)]), query: query)
        let planned: (PlanNode, CatalogTable)
        do throws(SQLError) {
            planned = try planInsert(insert)
        } catch {
            catalog.tables[definition.name.name] = nil
            throw error
        }
        try run([(insert, planned)], writer: writer, stop: stop)
    }

    /// INSERTs over files and generated rows run to their end here; ones that read Kafka
    /// topics (or never end) become a background job — checkpointed when asked — and this
    /// returns its id, as Flink's SQL client does (`SET 'table.dml-sync' = 'true'` runs them
    /// here too, until they end or are stopped).
    private func run(_ inserts: [Insert], writer: ResultWriter, stop: StopSignal) throws(SQLError) {
        try run(inserts.map { insert throws(SQLError) in (insert, try planInsert(insert)) }, writer: writer, stop: stop)
    }

    private func run(
        _ planned: [(Insert, (PlanNode, CatalogTable))], writer: ResultWriter, stop: StopSignal
    ) throws(SQLError) {
        func readsLiveSystem(_ node: PlanNode) -> Bool {
            if case let .scan(table) = node.kind, table.connector.readsLiveSystem { return true }
            return node.inputs.contains(where: readsLiveSystem)
        }
        let continuous = planned.contains { !$0.1.0.bounded || readsLiveSystem($0.1.0) }
        if continuous, catalog.setting("table.dml-sync", default: "false") != "true" {
            return try startJob(planned, writer: writer, stop: stop)
        }
        for (insert, (node, table)) in planned {
            let execution = QueryExecution(catalog: catalog, stop: StopSignal(parent: stop))
            try execution.build(node, into: try sink(for: table, at: insert.table.range))
            try execution.run()
            writer.message("[INFO] INSERT INTO \(table.name) finished.")
            let statistics = execution.statistics.filter { $0.value > 0 }
            if !statistics.isEmpty { writer.end(statistics: statistics) }
        }
    }

    private func startJob(
        _ planned: [(Insert, (PlanNode, CatalogTable))], writer: ResultWriter, stop: StopSignal
    ) throws(SQLError) {
        let statement = planned.map { insert, _ in
            "INSERT INTO \(insert.table)\(insert.columns.isEmpty ? "" : " (" + insert.columns.map(\.name).joined(separator: ", ") + ")") \(insert.query)"
        }.joined(separator: ";\n")
        let name = catalog.settings["pipeline.name"] ?? statement
        let progress = QueryProgress()
        let observers = makeObserver.map { [$0()] } ?? []
        // The job's notes go to `onJobNote` with the job, which exists once its parts are built.
        let owner = JobReference()
        let onJobNote = self.onJobNote
        let notes = NoteForwarder { note in if let onJobNote, let job = owner.job { onJobNote(job, note) } }
        let reporter = QueryReporter([progress, notes] + observers)
        let jobStop = StopSignal(parent: stop)
        var interval: Int64?
        if let text = catalog.settings["execution.checkpointing.interval"], dataDirectory != nil {
            interval = try TableOptions.milliseconds(text, option: "execution.checkpointing.interval")
        }
        // Everything that can fail before the job runs fails the statement instead.
        var parts: [QueryExecution] = []
        var resumed: [Int] = []
        for (position, (insert, (node, table))) in planned.enumerated() {
            let execution = QueryExecution(catalog: catalog, stop: jobStop, reporter: reporter)
            if let interval, let dataDirectory {
                let folder =
                    dataDirectory + "/jobs/"
                    + Checkpointer.folderName(for: name, named: catalog.settings["pipeline.name"] != nil)
                    + (planned.count > 1 ? "/part-\(position)" : "")
                execution.checkpointer = try Checkpointer(
                    folder: folder, job: name, intervalMs: max(interval, 10), fresh: ignoreCheckpoints)
            }
            try execution.build(
                node, into: OutputCounter(reporter: reporter, sink: try sink(for: table, at: insert.table.range)))
            if let checkpointer = execution.checkpointer, let restored = checkpointer.restored {
                try checkpointer.restoreOperators(execution)
                resumed.append(restored.sequence)
            }
            parts.append(execution)
        }
        let job = jobs.add(name: name, statement: statement, progress: progress, observers: observers, stop: jobStop)
        owner.job = job
        job.start(parts)
        writer.message(
            "[INFO] Submitted job \(job.id)\(catalog.settings["pipeline.name"].map { " (\($0))" } ?? "")"
                + (resumed.isEmpty
                    ? "" : ", resuming from checkpoint \(resumed.map(String.init).joined(separator: ", "))") + ".")
    }

    private func showJobs(_ writer: ResultWriter) {
        let columns = ["job id", "status", "rows in", "rows out", "watermark", "lag", "statement"].map {
            Column(name: $0, type: .string)
        }
        writer.begin(columns: columns, changelog: false)
        writer.rows(
            jobs.all.map { job in
                let progress = job.progress.snapshot
                let lag = progress.lag.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ")
                return [
                    .string(job.id), .string(job.status.text), .string("\(progress.rowsIn)"),
                    .string("\(progress.rowsOut)"),
                    progress.watermark.map { .string(ValueFormatter.plain(.timestamp($0), type: .timestamp(3))) }
                        ?? .null,
                    lag.isEmpty ? .null : .string(lag), .string(job.name),
                ]
            }, kinds: nil)
        writer.end(statistics: [:])
    }
}

/// The query running in the foreground: what it has done so far, and who else watches it.
public struct RunningQuery: Sendable {
    public let progress = QueryProgress()
    public let observers: [any QueryObserver]
}

/// A job's notes are forwarded with the job, made after the notes' forwarder is.
private final class JobReference: @unchecked Sendable {
    /// Set before the job's threads start (which orders it before any note).
    var job: Job?
}

extension Engine {
    /// Makes a Swift scalar function callable from SQL in this engine's session.
    public func register(_ function: NativeScalarFunction) {
        catalog.nativeScalars[function.name] = function
    }

    /// Makes a Swift aggregate function usable in grouped queries and windows.
    public func register(_ function: NativeAggregateFunction) {
        catalog.nativeAggregates[function.name] = function
    }
}

/// A query's statistic as a note says it to a person: "1 late row dropped", "3 late rows
/// dropped" (the workbench and `weir -f` both write them).
package func statisticText(_ value: Int64, _ name: String) -> String {
    guard value == 1, let rows = name.range(of: #"\brows\b"#, options: .regularExpression) else {
        return "\(value) \(name)"
    }
    return "1 " + name.replacingCharacters(in: rows, with: "row")
}
