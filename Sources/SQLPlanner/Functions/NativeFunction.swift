import SQLSyntax
import SQLValues

/// A scalar function written in Swift and registered on an engine, called from SQL like a
/// built-in. Arguments arrive cast to the declared parameter types (NULLs included, so the
/// function decides what NULL means); an error it throws fails the query with its name.
///
/// ```swift
/// engine.register(NativeScalarFunction("province_name", parameters: [.int], returns: .string) { arguments in
///     guard case let .integer(id) = arguments[0] else { return .null }
///     return .string(["beijing", "shanghai", "hangzhou"][Int(id) % 3])
/// })
/// ```
public struct NativeScalarFunction: Sendable {
    public let name: String
    public let parameters: [DataType]
    public let returns: DataType
    let body: @Sendable ([Value]) throws -> Value

    public init(
        _ name: String, parameters: [DataType], returns: DataType, body: @escaping @Sendable ([Value]) throws -> Value
    ) {
        self.name = name
        self.parameters = parameters
        self.returns = returns
        self.body = body
    }

    func call(_ arguments: [Value]) throws(SQLError) -> Value {
        do {
            return try body(arguments)
        } catch {
            throw SQLError(.execution, "function \(name) failed: \(error)")
        }
    }
}

/// An aggregate function written in Swift: a state that starts at `initial`, takes each
/// non-NULL argument with `add`, and gives the group's value with `result` (SQL aggregates
/// skip NULLs; a group of only NULLs gives `result(initial)`). The state is a `Value`, so
/// composite states use `.row([...])` or `.array([...])`. Session windows merge states when a
/// row joins two sessions: such an aggregate needs `merge`. A GROUP BY over a changelog (an
/// upsert-kafka table, another GROUP BY) takes updated rows back: such an aggregate needs `retract`.
///
/// ```swift
/// engine.register(NativeAggregateFunction("product", parameter: .double, returns: .double,
///     initial: .double(1), add: { state, value in state = .double(state.doubleValue! * value.doubleValue!) }))
/// ```
public struct NativeAggregateFunction: Sendable {
    public let name: String
    public let parameter: DataType
    public let returns: DataType
    package let initial: Value
    package let add: @Sendable (inout Value, Value) -> Void
    package let result: @Sendable (Value) -> Value
    package let merge: (@Sendable (Value, Value) -> Value)?
    package let retract: (@Sendable (inout Value, Value) -> Void)?

    public init(
        _ name: String, parameter: DataType, returns: DataType, initial: Value,
        add: @escaping @Sendable (inout Value, Value) -> Void, result: @escaping @Sendable (Value) -> Value = { $0 },
        merge: (@Sendable (Value, Value) -> Value)? = nil, retract: (@Sendable (inout Value, Value) -> Void)? = nil
    ) {
        self.name = name
        self.parameter = parameter
        self.returns = returns
        self.initial = initial
        self.add = add
        self.result = result
        self.merge = merge
        self.retract = retract
    }
}

extension Catalog {
    func nativeScalar(_ name: String) -> NativeScalarFunction? { lookup(name, in: nativeScalars) }
    func nativeAggregate(_ name: String) -> NativeAggregateFunction? { lookup(name, in: nativeAggregates) }

    /// Whether a call of `name` is an aggregate (a built-in one or a registered one).
    func isAggregate(_ name: String) -> Bool {
        ExpressionCompiler.aggregateNames.contains(name.uppercased()) || nativeAggregate(name) != nil
    }
}
