import SQLSyntax
import SQLValues

/// CREATE TABLE into a catalog entry: columns typed, computed columns and the watermark
/// compiled, time attributes marked, options checked.
package struct TableBuilder {
    let catalog: Catalog

    package init(catalog: Catalog) {
        self.catalog = catalog
    }

    package func build(_ definition: CreateTable) throws(SQLError) -> CatalogTable {
        var columns: [Column] = []
        var physical: [Int] = []
        var metadata: [(Int, String)] = []
        var seen: Set<String> = []
        for column in definition.columns {
            guard seen.insert(column.name.name).inserted else {
                throw SQLError(.plan, "column \(column.name.name) is declared twice", at: column.name.range)
            }
            switch column.kind {
            case let .physical(type, nullable):
                physical.append(columns.count)
                columns.append(Column(name: column.name.name, type: type, nullable: nullable))
            case let .metadata(type, key, _):
                metadata.append((columns.count, key ?? column.name.name))
                columns.append(Column(name: column.name.name, type: type))
            case .computed:
                columns.append(Column(name: column.name.name, type: .null))
            }
        }
        // Computed columns read the physical and metadata ones (not each other).
        var computed: [(Int, CompiledExpression)] = []
        var readable = Schema(columns)
        let computedNames = Set(
            definition.columns.compactMap { column in
                if case .computed = column.kind { column.name.name.lowercased() } else { nil }
            })
        for (position, column) in definition.columns.enumerated() {
            guard case let .computed(expression) = column.kind else { continue }
            var reference: SourceRange?
            ExpressionWalker.visit(expression) { node in
                if case let .column(_, name) = node.kind, computedNames.contains(name.name.lowercased()) {
                    reference = reference ?? node.range
                }
            }
            if let reference {
                throw SQLError(
                    .plan, "a computed column may read physical and metadata columns only, not other computed ones",
                    at: reference)
            }
            let typed = try ExpressionCompiler(catalog: catalog, scope: Scope(readable)).compile(expression)
            readable.columns[position].type = typed.type
            readable.columns[position].nullable = typed.nullable
            if case .call(.proctime(_), _) = typed.expression { readable.columns[position].timeAttribute = .proctime }
            computed.append((position, typed.expression))
        }
        columns = readable.columns
        var watermark: (Int, CompiledExpression)?
        if let declared = definition.watermark {
            guard let index = columns.firstIndex(where: { $0.name == declared.column.name }) else {
                throw SQLError(
                    .plan, "the WATERMARK is for \(declared.column.name), which is not a column of the table",
                    at: declared.column.range)
            }
            guard ExpressionCompiler.isTemporalPoint(columns[index].type) else {
                throw SQLError(
                    .plan,
                    "the WATERMARK's column \(declared.column.name) is \(columns[index].type): event time must be TIMESTAMP(3) or TIMESTAMP_LTZ(3) "
                        + "(convert it in a computed column, e.g. ts AS TO_TIMESTAMP(\(declared.column.name)))",
                    at: declared.column.range)
            }
            let typed = try ExpressionCompiler(catalog: catalog, scope: Scope(Schema(columns))).compile(
                declared.expression)
            guard ExpressionCompiler.isTemporalPoint(typed.type) else {
                throw SQLError(
                    .plan, "the watermark expression must give a timestamp, not \(typed.type)",
                    at: declared.expression.range)
            }
            columns[index].timeAttribute = .rowtime
            watermark = (index, typed.expression)
        }
        if let key = definition.primaryKey {
            for column in key.columns where !columns.contains(where: { $0.name == column.name }) {
                throw SQLError(.plan, "the primary key names \(column.name), which is not a column", at: column.range)
            }
            for column in key.columns {
                if let index = columns.firstIndex(where: { $0.name == column.name }) { columns[index].nullable = false }
            }
        }
        let options = try TableOptions(definition.options, columns: columns.map(\.name), connectors: catalog.connectors)
        let table = CatalogTable(
            definition: definition, schema: Schema(columns), physical: physical, metadata: metadata,
            computed: computed, watermark: watermark, options: options)
        // The options are checked together now (a CREATE TABLE or a query's hint), not when the table is first read.
        try table.connector.validate(table, catalog: catalog)
        return table
    }
}
