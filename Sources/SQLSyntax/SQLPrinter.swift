/// Syntax trees back to SQL text, in one canonical form: keywords in capitals, names
/// back-quoted only when they must be, parentheses only where precedence needs them.
/// EXPLAIN prints plans with it, and parsing the printed text gives the same tree.
extension Expression: CustomStringConvertible {
    public var description: String { SQLPrinter.expression(self) }
}

extension Query: CustomStringConvertible {
    public var description: String { SQLPrinter.query(self) }
}

extension CreateTable: CustomStringConvertible {
    /// The statement as SHOW CREATE TABLE gives it: a column, the watermark, the key and
    /// each option on a line of its own.
    public var description: String {
        var lines = columns.map { column -> String in
            var line = SQLPrinter.name(column.name.name) + " "
            switch column.kind {
            case let .physical(type, nullable): line += "\(type)" + (nullable ? "" : " NOT NULL")
            case let .computed(expression): line += "AS \(expression)"
            case let .metadata(type, key, virtual):
                line +=
                    "\(type) METADATA" + (key.map { " FROM " + SQLPrinter.string($0) } ?? "")
                    + (virtual ? " VIRTUAL" : "")
            }
            return line + (column.comment.map { " COMMENT " + SQLPrinter.string($0) } ?? "")
        }
        if let watermark {
            lines.append("WATERMARK FOR \(SQLPrinter.name(watermark.column.name)) AS \(watermark.expression)")
        }
        if let primaryKey {
            lines.append(
                "PRIMARY KEY (\(primaryKey.columns.map { SQLPrinter.name($0.name) }.joined(separator: ", "))) NOT ENFORCED"
            )
        }
        var text =
            "CREATE \(temporary ? "TEMPORARY " : "")TABLE \(name.parts.map { SQLPrinter.name($0.name) }.joined(separator: "."))"
            + (lines.isEmpty ? "" : " (\n  " + lines.joined(separator: ",\n  ") + "\n)")
        if let comment { text += "\nCOMMENT " + SQLPrinter.string(comment) }
        if !partitionedBy.isEmpty {
            text += "\nPARTITIONED BY (\(partitionedBy.map { SQLPrinter.name($0.name) }.joined(separator: ", ")))"
        }
        text +=
            " WITH (\n  "
            + options.map { SQLPrinter.string($0.key) + " = " + SQLPrinter.string($0.value) }.joined(separator: ",\n  ")
            + "\n)"
        if let like {
            let strategies = LikeClause.Part.allCases.filter { like.strategies[$0] != nil }.map {
                "\(like.strategy($0).rawValue) \($0.rawValue)"
            }
            text +=
                "\nLIKE " + like.source.parts.map { SQLPrinter.name($0.name) }.joined(separator: ".")
                + (strategies.isEmpty ? "" : " (" + strategies.joined(separator: " ") + ")")
        }
        if let query { text += "\nAS \(query)" }
        return text
    }
}

extension CreateView: CustomStringConvertible {
    public var description: String {
        "CREATE \(temporary ? "TEMPORARY " : "")VIEW \(name.parts.map { SQLPrinter.name($0.name) }.joined(separator: "."))"
            + (columns.isEmpty ? "" : " (\(columns.map { SQLPrinter.name($0.name) }.joined(separator: ", ")))")
            + " AS\n\(query)"
    }
}

enum SQLPrinter {
    static func name(_ text: String) -> String {
        let plain =
            !text.isEmpty && text.utf8.allSatisfy { Lexer.isWordPart($0) } && !Lexer.isDigit(text.utf8.first!)
            && !Parser.reserved.contains(text.uppercased())
        return plain ? text : "`" + text.replacingAll("`", with: "``") + "`"
    }

    static func string(_ text: String) -> String { "'" + text.replacingAll("'", with: "''") + "'" }

    /// Binding strength: a child binding less tightly than its parent gets parentheses.
    static func precedence(_ kind: Expression.Kind) -> Int {
        switch kind {
        case let .binary(operation, _, _):
            switch operation {
            case .or: return 1
            case .and: return 2
            case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .isDistinctFrom, .isNotDistinctFrom:
                return 4
            case .plus, .minus, .concat: return 5
            case .multiply, .divide, .modulo: return 6
            }
        case .unary(.not, _): return 3
        case .isPredicate, .inList, .inSubquery, .between, .like: return 4
        case .unary: return 7
        default: return 9
        }
    }

    static func operand(_ child: Expression, within parent: Int, rightSide: Bool = false) -> String {
        let own = precedence(child.kind)
        // Left-associative operators: an equal-precedence child on the right needs parentheses.
        return own < parent || (rightSide && own == parent && own < 9) ? "(\(expression(child)))" : expression(child)
    }

    static func expression(_ expression: Expression) -> String {
        let level = precedence(expression.kind)
        switch expression.kind {
        case let .column(qualifier, column):
            return (qualifier.map { name($0.name) + "." } ?? "") + name(column.name)
        case let .literal(literal):
            return self.literal(literal)
        case let .unary(operation, value):
            return operation == .not
                ? "NOT " + operand(value, within: level) : operation.rawValue + operand(value, within: level)
        case let .binary(operation, left, right):
            return
                "\(operand(left, within: level)) \(operation.rawValue) \(operand(right, within: level, rightSide: true))"
        case let .function(call):
            return function(call)
        case let .cast(value, type, isTry):
            return "\(isTry ? "TRY_CAST" : "CAST")(\(self.expression(value)) AS \(type))"
        case let .caseWhen(operandValue, branches, otherwise):
            var text = "CASE"
            if let operandValue { text += " " + self.expression(operandValue) }
            for branch in branches {
                text += " WHEN \(self.expression(branch.condition)) THEN \(self.expression(branch.result))"
            }
            if let otherwise { text += " ELSE " + self.expression(otherwise) }
            return text + " END"
        case let .isPredicate(value, test, negated):
            return "\(operand(value, within: level + 1)) IS \(negated ? "NOT " : "")\(test.rawValue)"
        case let .inList(value, list, negated):
            return
                "\(operand(value, within: level + 1)) \(negated ? "NOT " : "")IN (\(list.map(self.expression).joined(separator: ", ")))"
        case let .between(value, low, high, negated):
            return
                "\(operand(value, within: level + 1)) \(negated ? "NOT " : "")BETWEEN \(operand(low, within: 5)) AND \(operand(high, within: 5))"
        case let .like(value, pattern, escape, negated, similar):
            return
                "\(operand(value, within: level + 1)) \(negated ? "NOT " : "")\(similar ? "SIMILAR TO" : "LIKE") \(operand(pattern, within: 5))"
                + (escape.map { " ESCAPE " + operand($0, within: 5) } ?? "")
        case let .extract(unit, value):
            return "EXTRACT(\(unit.rawValue) FROM \(self.expression(value)))"
        case let .floorCeil(ceil, value, unit):
            return "\(ceil ? "CEIL" : "FLOOR")(\(self.expression(value))\(unit.map { " TO \($0.rawValue)" } ?? ""))"
        case let .timestampAdd(unit, amount, value):
            return "TIMESTAMPADD(\(unit.rawValue), \(self.expression(amount)), \(self.expression(value)))"
        case let .timestampDiff(unit, from, to):
            return "TIMESTAMPDIFF(\(unit.rawValue), \(self.expression(from)), \(self.expression(to)))"
        case let .trim(side, characters, value):
            return
                "TRIM(\(side.rawValue) \(characters.map { self.expression($0) + " " } ?? "")FROM \(self.expression(value)))"
        case let .substring(value, from, length):
            return
                "SUBSTRING(\(self.expression(value)) FROM \(self.expression(from))\(length.map { " FOR " + self.expression($0) } ?? ""))"
        case let .position(needle, haystack):
            return "POSITION(\(operand(needle, within: 5)) IN \(self.expression(haystack)))"
        case let .jsonConstructor(call):
            var parts: [String] = []
            if call.object {
                for pair in stride(from: 0, to: call.operands.count - 1, by: 2) {
                    parts.append(
                        "KEY \(operand(call.operands[pair], within: 5)) VALUE \(self.expression(call.operands[pair + 1]))"
                    )
                }
            } else {
                parts = call.operands.map { self.expression($0) }
            }
            var text = (call.object ? "JSON_OBJECT(" : "JSON_ARRAY(") + parts.joined(separator: ", ")
            // The clause only when it is not the function's default.
            if call.absentOnNull == call.object {
                let clause = call.absentOnNull ? "ABSENT ON NULL" : "NULL ON NULL"
                text += parts.isEmpty ? clause : " " + clause
            }
            return text + ")"
        case let .jsonValue(call):
            func fallback(_ given: JSONValueCall.Fallback, on condition: String) -> String {
                switch given {
                case .null: return ""
                case .error: return " ERROR ON \(condition)"
                case let .value(value): return " DEFAULT \(operand(value, within: 5)) ON \(condition)"
                }
            }
            return "JSON_VALUE(\(self.expression(call.document)), \(self.expression(call.path))"
                + (call.returning.map { " RETURNING \($0)" } ?? "") + fallback(call.onEmpty, on: "EMPTY")
                + fallback(call.onError, on: "ERROR") + ")"
        case let .element(value, index):
            return "\(operand(value, within: 9))[\(self.expression(index))]"
        case let .field(value, field):
            return "\(operand(value, within: 9)).\(name(field.name))"
        case let .constructor(kind, elements):
            let list = elements.map(self.expression).joined(separator: ", ")
            return kind == .row ? "ROW(\(list))" : "\(kind.rawValue)[\(list)]"
        case let .subquery(nested):
            return "(\(query(nested)))"
        case let .exists(nested, negated):
            return "\(negated ? "NOT " : "")EXISTS (\(query(nested)))"
        case let .inSubquery(operand, nested, negated):
            return "\(self.operand(operand, within: level + 1)) \(negated ? "NOT " : "")IN (\(query(nested)))"
        }
    }

    static func literal(_ literal: Literal) -> String {
        switch literal {
        case .null: return "NULL"
        case let .boolean(value): return value ? "TRUE" : "FALSE"
        case let .integer(text), let .decimal(text): return text
        case let .string(text): return string(text)
        case let .interval(value, from, to, negative):
            return
                "INTERVAL \(negative ? "-" : "")\(string(value)) \(from.rawValue)\(to.map { " TO \($0.rawValue)" } ?? "")"
        case let .date(text): return "DATE " + string(text)
        case let .time(text): return "TIME " + string(text)
        case let .timestamp(text): return "TIMESTAMP " + string(text)
        }
    }

    static func function(_ call: FunctionCall) -> String {
        let callee = call.name.parts.map { name($0.name) }.joined(separator: ".")
        let arguments = call.arguments.map { argument -> String in
            let value: String
            switch argument.value {
            case let .expression(expression): value = self.expression(expression)
            case let .table(table, partitionBy):
                value =
                    "TABLE " + tableReference(table)
                    + (partitionBy.isEmpty
                        ? ""
                        : partitionBy.count == 1
                            ? " PARTITION BY " + name(partitionBy[0].name)
                            : " PARTITION BY (" + partitionBy.map { name($0.name) }.joined(separator: ", ") + ")")
            case let .descriptor(columns):
                value = "DESCRIPTOR(" + columns.map { name($0.name) }.joined(separator: ", ") + ")"
            }
            return (argument.name.map { name($0.name) + " => " } ?? "") + value
        }
        var text =
            call.star
            ? "\(callee)(*)" : "\(callee)(\(call.distinct ? "DISTINCT " : "")\(arguments.joined(separator: ", ")))"
        if let filter = call.filter { text += " FILTER (WHERE " + expression(filter) + ")" }
        if let over = call.over { text += " OVER " + self.over(over) }
        return text
    }

    /// A window: `(PARTITION BY … ORDER BY … frame)`, or the name of one.
    static func over(_ over: OverClause) -> String {
        if let named = over.named { return name(named.name) }
        var parts: [String] = []
        if !over.partitionBy.isEmpty {
            parts.append("PARTITION BY " + over.partitionBy.map { expression($0) }.joined(separator: ", "))
        }
        if !over.orderBy.isEmpty { parts.append("ORDER BY " + over.orderBy.map(orderItem).joined(separator: ", ")) }
        if let frame = over.frame {
            parts.append(
                "\(frame.unit.rawValue) BETWEEN \(frame.preceding.map(expression) ?? "UNBOUNDED") PRECEDING AND CURRENT ROW"
            )
        }
        return "(" + parts.joined(separator: " ") + ")"
    }

    static func orderItem(_ item: OrderItem) -> String {
        expression(item.expression) + (item.descending ? " DESC" : "")
            + (item.nullsFirst.map { $0 ? " NULLS FIRST" : " NULLS LAST" } ?? "")
    }

    static func query(_ query: Query) -> String {
        var text = ""
        if !query.with.isEmpty {
            text =
                "WITH "
                + query.with.map { "\(name($0.name.name)) AS (\(self.query($0.query)))" }.joined(separator: ", ") + " "
        }
        text += body(query.body)
        if !query.orderBy.isEmpty {
            text += " ORDER BY " + query.orderBy.map(orderItem).joined(separator: ", ")
        }
        if let limit = query.limit { text += " LIMIT " + expression(limit) }
        if let offset = query.offset { text += " OFFSET " + expression(offset) }
        return text
    }

    static func body(_ body: QueryBody) -> String {
        switch body {
        case let .select(select): return self.select(select)
        case let .setOperation(operation, all, left, right):
            return "\(self.body(left)) \(operation.rawValue)\(all ? " ALL" : "") \(self.body(right))"
        case let .nested(nested): return "(\(query(nested)))"
        case let .values(rows):
            return "VALUES "
                + rows.map { "(" + $0.map(expression).joined(separator: ", ") + ")" }.joined(separator: ", ")
        }
    }

    static func select(_ select: Select) -> String {
        var text =
            "SELECT " + (select.distinct ? "DISTINCT " : "")
            + select.items.map { item -> String in
                switch item {
                case let .expression(value, alias):
                    return expression(value) + (alias.map { " AS " + name($0.name) } ?? "")
                case let .wildcard(qualifier, _): return (qualifier.map { name($0.name) + "." } ?? "") + "*"
                }
            }.joined(separator: ", ")
        if let from = select.from { text += " FROM " + tableReference(from) }
        if let filter = select.filter { text += " WHERE " + expression(filter) }
        if let sets = select.groupingSets {
            text +=
                " GROUP BY GROUPING SETS ("
                + sets.map { "(" + $0.map(expression).joined(separator: ", ") + ")" }.joined(separator: ", ") + ")"
        } else if !select.groupBy.isEmpty {
            text += " GROUP BY " + select.groupBy.map(expression).joined(separator: ", ")
        }
        if let having = select.having { text += " HAVING " + expression(having) }
        if !select.windows.isEmpty {
            text +=
                " WINDOW "
                + select.windows.map { name($0.name.name) + " AS " + over($0.window) }.joined(separator: ", ")
        }
        return text
    }

    /// A `/*+ OPTIONS(...) */` hint after a table's name (nothing when there is none).
    static func hints(_ options: [TableOption]) -> String {
        guard !options.isEmpty else { return "" }
        return " /*+ OPTIONS(" + options.map { string($0.key) + " = " + string($0.value) }.joined(separator: ", ")
            + ") */"
    }

    static func tableReference(_ reference: TableReference) -> String {
        switch reference {
        case let .table(table, options, alias):
            return table.parts.map { name($0.name) }.joined(separator: ".") + hints(options)
                + (alias.map { " AS " + name($0.name) } ?? "")
        case let .subquery(nested, alias, columns, _):
            return "(\(query(nested)))" + (alias.map { " AS " + name($0.name) } ?? "")
                + (columns.isEmpty ? "" : "(" + columns.map { name($0.name) }.joined(separator: ", ") + ")")
        case let .tableFunction(call, alias):
            return "TABLE(\(function(call)))" + (alias.map { " AS " + name($0.name) } ?? "")
        case let .temporal(table, options, time, alias):
            return tableReference(.table(table, options: options, alias: nil))
                + " FOR SYSTEM_TIME AS OF \(expression(time))"
                + (alias.map { " AS " + name($0.name) } ?? "")
        case let .unnest(collection, ordinality, alias, columns, _):
            return "UNNEST(\(expression(collection)))" + (ordinality ? " WITH ORDINALITY" : "")
                + (alias.map { " AS " + name($0.name) } ?? "")
                + (columns.isEmpty ? "" : "(" + columns.map { name($0.name) }.joined(separator: ", ") + ")")
        case let .join(kind, left, right, condition, using):
            return "\(tableReference(left)) \(kind.rawValue) \(tableReference(right))"
                + (condition.map { " ON " + expression($0) } ?? "")
                + (using.isEmpty ? "" : " USING (" + using.map { name($0.name) }.joined(separator: ", ") + ")")
        }
    }
}

extension String {
    /// Replaces every `target` (the standard library has no such method without Foundation).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
