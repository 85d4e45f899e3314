import SQLSyntax

extension Catalog {
    /// CREATE TABLE … LIKE source: the source's definition merged with the new one, as Flink
    /// merges them. The source's physical columns always come first; its computed and
    /// metadata columns, watermark, primary key and partitions unless EXCLUDING says not;
    /// its options overwritten key by key by the new ones (OVERWRITING OPTIONS, the default),
    /// or refused when both give a key (INCLUDING), or left out (EXCLUDING). A part both
    /// define is an error unless OVERWRITING lets the new one win.
    package func merging(like definition: CreateTable) throws(SQLError) -> CreateTable {
        guard let like = definition.like else { return definition }
        guard let sourceTable = table(like.source.name) else {
            throw SQLError(.plan, "unknown table \(like.source) (LIKE names a table)", at: like.source.range)
        }
        let source = sourceTable.definition
        var merged = definition
        merged.like = nil
        var columns = source.columns.filter { column in
            Self.likePart(of: column).map { like.strategy($0) != .excluding } ?? true
        }
        for column in definition.columns {
            guard
                let existing = columns.firstIndex(where: { $0.name.name.lowercased() == column.name.name.lowercased() })
            else {
                columns.append(column)
                continue
            }
            let kind = Self.likePart(of: columns[existing])
            guard let kind, kind == Self.likePart(of: column), like.strategy(kind) == .overwriting else {
                throw SQLError(
                    .plan,
                    "column \(column.name) is also a column of \(like.source), the table this one is LIKE"
                        + " (a computed or metadata column may replace one of its kind with OVERWRITING GENERATED or OVERWRITING METADATA)",
                    at: column.name.range)
            }
            columns[existing] = column
        }
        merged.columns = columns
        if let watermark = source.watermark, like.strategy(.watermarks) != .excluding {
            if definition.watermark == nil {
                merged.watermark = watermark
            } else if like.strategy(.watermarks) != .overwriting {
                throw SQLError(
                    .plan,
                    "both this table and \(like.source) have a WATERMARK (OVERWRITING WATERMARKS keeps this one's)",
                    at: definition.watermark?.column.range)
            }
        }
        if let key = source.primaryKey, like.strategy(.constraints) != .excluding {
            guard definition.primaryKey == nil else {
                throw SQLError(
                    .plan,
                    "both this table and \(like.source) have a PRIMARY KEY (EXCLUDING CONSTRAINTS keeps this one's)",
                    at: definition.primaryKey?.range)
            }
            merged.primaryKey = key
        }
        if !source.partitionedBy.isEmpty, like.strategy(.partitions) != .excluding {
            guard definition.partitionedBy.isEmpty else {
                throw SQLError(
                    .plan,
                    "both this table and \(like.source) are PARTITIONED BY (EXCLUDING PARTITIONS keeps this one's)",
                    at: definition.partitionedBy.first?.range)
            }
            merged.partitionedBy = source.partitionedBy
        }
        switch like.strategy(.options) {
        case .excluding:
            break
        case .including:
            let given = Set(definition.options.map { connectors.canonicalKey($0.key) })
            if let twice = source.options.first(where: { given.contains(connectors.canonicalKey($0.key)) }) {
                throw SQLError(
                    .plan,
                    "option '\(twice.key)' is given here and by \(like.source) (OVERWRITING OPTIONS keeps this one's)",
                    at: definition.options.first {
                        connectors.canonicalKey($0.key) == connectors.canonicalKey(twice.key)
                    }?.range)
            }
            merged.options = source.options + definition.options
        case .overwriting:
            merged.options = TableOptions.overwriting(source.options, with: definition.options, connectors: connectors)
        }
        return merged
    }

    /// Which part of a LIKE clause decides whether a source column is taken (nil: a physical
    /// column, always taken). Not inlined: inlined into `merging`, its switch crashed Swift
    /// 6.3's optimizer (an ownership verifier failure in release builds).
    @inline(never)
    private static func likePart(of column: ColumnDefinition) -> LikeClause.Part? {
        switch column.kind {
        case .physical: nil
        case .computed: .generated
        case .metadata: .metadata
        }
    }
}
