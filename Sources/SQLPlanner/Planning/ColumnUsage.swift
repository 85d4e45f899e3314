/// Which columns a query reads: each node says which of its input's columns it needs for
/// the columns wanted of it, from the root (every column) down to the scans, whose formats
/// then skip the fields no one reads (projection push-down; a wide JSON record is mostly
/// skipped, not decoded).
extension PlanNode {
    /// The columns of input `index` this node reads when `wanted` of its own columns are
    /// used downstream (nil: all of them, or all of the input's).
    package func columnsRead(fromInput index: Int, wanted: Set<Int>?) -> Set<Int>? {
        let width = inputs[index].schema.columns.count
        switch kind {
        case .scan, .values:
            return nil
        case let .project(expressions, _):
            var read = Set<Int>()
            for (position, expression) in expressions.enumerated() where wanted?.contains(position) ?? true {
                expression.collectColumns(into: &read)
            }
            return read
        case let .filter(predicate, _):
            guard var read = wanted else { return nil }
            predicate.collectColumns(into: &read)
            return read
        case let .unnest(collection, _, _, _):
            // The input's columns pass through; the elements' are appended after them.
            var read = wanted?.filter { $0 < width } ?? Set(0..<width)
            collection.collectColumns(into: &read)
            return read
        case let .expand(sets):
            // The input's columns pass through; each set's are appended after them.
            var read = wanted?.filter { $0 < width } ?? Set(0..<width)
            for set in sets {
                for expression in set { expression.collectColumns(into: &read) }
            }
            return read
        case let .assignWindows(spec):
            // The input's columns pass through; the window's three are appended after them.
            guard let wanted else { return nil }
            var read = wanted.filter { $0 < width }
            spec.collectColumns(into: &read)
            return read
        case let .windowAggregate(spec, keys, aggregates, _):
            var read = Set<Int>()
            spec.collectColumns(into: &read)
            for key in keys { key.collectColumns(into: &read) }
            for aggregate in aggregates { aggregate.argument?.collectColumns(into: &read) }
            return read
        case let .aggregate(keys, aggregates):
            var read = Set<Int>()
            for key in keys { key.collectColumns(into: &read) }
            for aggregate in aggregates { aggregate.argument?.collectColumns(into: &read) }
            return read
        case let .sort(keys):
            guard var read = wanted else { return nil }
            for key in keys { key.expression.collectColumns(into: &read) }
            return read
        case let .overAggregate(partition, timeColumn, _, _, aggregates):
            // The input's columns pass through; the aggregates are appended after them.
            guard let wanted else { return nil }
            var read = wanted.filter { $0 < width }
            read.insert(timeColumn)
            for key in partition { key.collectColumns(into: &read) }
            for aggregate in aggregates { aggregate.argument?.collectColumns(into: &read) }
            return read
        case let .rowNumber(partition, order, windowEnd, _, _):
            // The input's columns pass through; the number is appended after them.
            guard let wanted else { return nil }
            var read = wanted.filter { $0 < width }
            for key in partition { key.collectColumns(into: &read) }
            for key in order { key.expression.collectColumns(into: &read) }
            if let windowEnd { read.insert(windowEnd) }
            return read
        case .setOperation:
            return nil // rows are compared whole
        case .limit, .union, .atMostOneRow:
            return wanted
        case .distinct:
            // Rows are compared whole.
            return nil
        case let .temporalJoin(predicate, leftKeys, rightKeys, leftTime, versionTime, _):
            // As a join's, and each side's keys and times.
            var read = wanted ?? Set(schema.columns.indices)
            predicate.collectColumns(into: &read)
            let leftWidth = inputs[0].schema.columns.count
            if index == 0 { return read.filter { $0 < leftWidth }.union(leftKeys).union(leftTime.map { [$0] } ?? []) }
            return Set(read.filter { $0 >= leftWidth }.map { $0 - leftWidth }).union(rightKeys).union(
                versionTime.map { [$0] } ?? [])
        case let .join(predicate, _, _, _, _, _):
            // What is wanted of each side's columns, and what the condition reads.
            var read = wanted ?? Set(schema.columns.indices)
            predicate?.collectColumns(into: &read)
            let leftWidth = inputs[0].schema.columns.count
            return index == 0
                ? read.filter { $0 < leftWidth } : Set(read.filter { $0 >= leftWidth }.map { $0 - leftWidth })
        }
    }
}

extension WindowSpec {
    func collectColumns(into columns: inout Set<Int>) {
        if case let .assigned(start, end) = kind {
            columns.formUnion([start, end])
        } else {
            columns.insert(timeColumn)
        }
    }
}

extension CompiledExpression {
    /// Adds the columns the expression reads.
    func collectColumns(into columns: inout Set<Int>) {
        switch self {
        case let .column(index):
            columns.insert(index)
        case .literal:
            break
        case let .negate(operand), let .not(operand), let .isNull(operand, _), let .isBoolean(operand, _, _),
            let .like(operand, _, _),
            let .cast(operand, _, _, _), let .field(operand, _):
            operand.collectColumns(into: &columns)
        case let .arithmetic(_, left, right, _), let .compare(_, left, right), let .concat(left, right),
            let .likeDynamic(left, right, _),
            let .shiftTime(left, right, _, _):
            left.collectColumns(into: &columns)
            right.collectColumns(into: &columns)
        case let .and(operands), let .or(operands), let .call(_, operands):
            for operand in operands { operand.collectColumns(into: &columns) }
        case let .inList(operand, list, _):
            operand.collectColumns(into: &columns)
            for item in list { item.collectColumns(into: &columns) }
        case let .caseWhen(branches, otherwise):
            for branch in branches {
                branch.condition.collectColumns(into: &columns)
                branch.result.collectColumns(into: &columns)
            }
            otherwise?.collectColumns(into: &columns)
        }
    }
}
