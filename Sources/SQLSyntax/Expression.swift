/// A scalar expression with the range of text it came from.
public struct Expression: Sendable, Equatable {
    public var kind: Kind
    public var range: SourceRange

    public init(_ kind: Kind, range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    public indirect enum Kind: Sendable, Equatable {
        /// A column, maybe qualified by its table (`t.a`), or a parameter of a SQL function.
        case column(qualifier: Identifier?, name: Identifier)
        case literal(Literal)
        case unary(UnaryOperator, Expression)
        case binary(BinaryOperator, Expression, Expression)
        case function(FunctionCall)
        /// CAST(x AS type), TRY_CAST(x AS type).
        case cast(Expression, DataType, isTry: Bool)
        /// CASE [operand] WHEN ... THEN ... [ELSE ...] END.
        case caseWhen(operand: Expression?, branches: [WhenClause], otherwise: Expression?)
        /// x IS [NOT] NULL / TRUE / FALSE / UNKNOWN.
        case isPredicate(Expression, IsTest, negated: Bool)
        /// x [NOT] IN (a, b, ...).
        case inList(Expression, [Expression], negated: Bool)
        /// x [NOT] BETWEEN low AND high.
        case between(Expression, low: Expression, high: Expression, negated: Bool)
        /// x [NOT] LIKE pattern [ESCAPE e] (and SIMILAR TO).
        case like(Expression, pattern: Expression, escape: Expression?, negated: Bool, similar: Bool)
        /// EXTRACT(unit FROM x).
        case extract(TimeUnit, Expression)
        /// FLOOR(x) / CEIL(x), or FLOOR(ts TO unit) / CEIL(ts TO unit).
        case floorCeil(ceil: Bool, Expression, to: TimeUnit?)
        /// TIMESTAMPADD(unit, n, ts), TIMESTAMPDIFF(unit, a, b).
        case timestampAdd(TimeUnit, Expression, Expression)
        case timestampDiff(TimeUnit, Expression, Expression)
        /// TRIM([BOTH|LEADING|TRAILING] [chars] FROM x) (plain TRIM(x) is a function call).
        case trim(TrimSide, characters: Expression?, Expression)
        /// SUBSTRING(x FROM start [FOR length]) (SUBSTRING(x, a, b) is a function call).
        case substring(Expression, from: Expression, length: Expression?)
        /// POSITION(needle IN haystack).
        case position(Expression, in: Expression)
        /// JSON_VALUE(document, path [RETURNING type] [… ON EMPTY] [… ON ERROR]).
        case jsonValue(JSONValueCall)
        /// JSON_OBJECT([KEY] k VALUE v, ... [NULL | ABSENT] ON NULL), JSON_ARRAY(v, ... [NULL | ABSENT] ON NULL).
        case jsonConstructor(JSONConstructor)
        /// x[i] for arrays and maps.
        case element(Expression, Expression)
        /// row.field.
        case field(Expression, Identifier)
        /// ARRAY[...], MAP[k, v, ...], ROW(...).
        case constructor(ConstructorKind, [Expression])
        /// A scalar subquery, or [NOT] EXISTS (subquery).
        case subquery(Query)
        case exists(Query, negated: Bool)
        /// `x [NOT] IN (SELECT ...)`.
        case inSubquery(Expression, Query, negated: Bool)
    }
}

/// JSON_VALUE's arguments and clauses: the type the value is returned as (nil: STRING), and
/// what it gives when the path finds nothing (ON EMPTY) or fails (ON ERROR).
/// JSON_OBJECT and JSON_ARRAY: JSON text built from values.
public struct JSONConstructor: Sendable, Equatable {
    /// JSON_OBJECT (else JSON_ARRAY).
    public var object: Bool
    /// JSON_OBJECT: keys and values in turn; JSON_ARRAY: the elements.
    public var operands: [Expression]
    /// ABSENT ON NULL: a NULL value (with its key) is left out; NULL ON NULL writes `null`.
    /// By default JSON_OBJECT writes them, JSON_ARRAY leaves them out (as Flink).
    public var absentOnNull: Bool

    public init(object: Bool, operands: [Expression], absentOnNull: Bool) {
        self.object = object
        self.operands = operands
        self.absentOnNull = absentOnNull
    }
}

public struct JSONValueCall: Sendable, Equatable {
    /// NULL, a failure of the query, or a value.
    public enum Fallback: Sendable, Equatable {
        case null
        case error
        case value(Expression)
    }

    public var document: Expression
    public var path: Expression
    public var returning: DataType?
    public var onEmpty: Fallback
    public var onError: Fallback

    public init(
        document: Expression, path: Expression, returning: DataType? = nil, onEmpty: Fallback = .null,
        onError: Fallback = .null
    ) {
        self.document = document
        self.path = path
        self.returning = returning
        self.onEmpty = onEmpty
        self.onError = onError
    }

    /// The expressions within, in order (the defaults after the document and path).
    public var operands: [Expression] {
        var result = [document, path]
        if case let .value(value) = onEmpty { result.append(value) }
        if case let .value(value) = onError { result.append(value) }
        return result
    }

    /// The same call with each expression within transformed.
    public func map(_ transform: (Expression) -> Expression) -> JSONValueCall {
        func fallback(_ given: Fallback) -> Fallback {
            if case let .value(value) = given { return .value(transform(value)) }
            return given
        }
        return JSONValueCall(
            document: transform(document), path: transform(path), returning: returning,
            onEmpty: fallback(onEmpty), onError: fallback(onError))
    }
}

/// `WHEN condition THEN result` of a CASE.
public struct WhenClause: Sendable, Equatable {
    public var condition: Expression
    public var result: Expression

    public init(condition: Expression, result: Expression) {
        self.condition = condition
        self.result = result
    }
}

public enum Literal: Sendable, Equatable {
    case null
    case boolean(Bool)
    /// Digits as written: the planner decides INT, BIGINT or DECIMAL.
    case integer(String)
    /// A number with a fraction or exponent, as written: DECIMAL or DOUBLE by its form.
    case decimal(String)
    case string(String)
    /// INTERVAL '5' SECOND, INTERVAL '1:30' MINUTE TO SECOND, INTERVAL -'2' DAY.
    case interval(value: String, from: TimeUnit, to: TimeUnit?, negative: Bool)
    /// DATE '2020-01-01'.
    case date(String)
    /// TIME '12:00:00'.
    case time(String)
    /// TIMESTAMP '2020-01-01 12:00:00'.
    case timestamp(String)
}

public enum UnaryOperator: String, Sendable, Equatable {
    case minus = "-", plus = "+", not = "NOT"
}

public enum BinaryOperator: String, Sendable, Equatable {
    case or = "OR", and = "AND"
    case equal = "=", notEqual = "<>", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    /// IS [NOT] DISTINCT FROM.
    case isDistinctFrom = "IS DISTINCT FROM", isNotDistinctFrom = "IS NOT DISTINCT FROM"
    case plus = "+", minus = "-", multiply = "*", divide = "/", modulo = "%"
    case concat = "||"
}

public enum IsTest: String, Sendable, Equatable {
    case null = "NULL", `true` = "TRUE", `false` = "FALSE", unknown = "UNKNOWN"
}

public enum TimeUnit: String, Sendable, Equatable, CaseIterable {
    case millennium = "MILLENNIUM", century = "CENTURY", decade = "DECADE"
    case year = "YEAR", quarter = "QUARTER", month = "MONTH", week = "WEEK", day = "DAY"
    case hour = "HOUR", minute = "MINUTE", second = "SECOND"
    case millisecond = "MILLISECOND", microsecond = "MICROSECOND", nanosecond = "NANOSECOND"
    case dayOfWeek = "DOW", dayOfYear = "DOY", epoch = "EPOCH", isoDayOfWeek = "ISODOW", isoYear = "ISOYEAR"

    /// Flink also accepts the plural and a few other spellings in some places.
    public init?(word: String) {
        let upper = word.uppercased()
        if let unit = TimeUnit(rawValue: upper) {
            self = unit
            return
        }
        if upper.hasSuffix("S"), let unit = TimeUnit(rawValue: String(upper.dropLast())) {
            self = unit
            return
        }
        switch upper {
        case "DAYOFWEEK": self = .dayOfWeek
        case "DAYOFYEAR": self = .dayOfYear
        case "SQL_TSI_DAY": self = .day
        default: return nil
        }
    }
}

public enum TrimSide: String, Sendable, Equatable {
    case both = "BOTH", leading = "LEADING", trailing = "TRAILING"
}

public enum ConstructorKind: String, Sendable, Equatable {
    case array = "ARRAY", map = "MAP", row = "ROW"
}
