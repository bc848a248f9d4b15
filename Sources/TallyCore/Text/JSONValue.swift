/// A parsed JSON value that keeps integers exact and never turns them into floating point.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// An integer written without fraction or exponent that fits in Int64.
    case integer(Int64)
    /// Any other number (fraction, exponent or out of Int64 range), kept as written.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// An object's members in the order written; the parser refuses duplicate names.
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        default: false
        }
    }

    /// The member with this name when the value is an object.
    public subscript(name: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == name }?.1
    }

    /// The text when the value is a string.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The integer when the value is one: an integer literal, or a number literal such as
    /// `8928.0` or `1e3` that denotes an integer exactly (JSON Schema's reading of `integer`).
    public var integerValue: Int64? {
        switch self {
        case .integer(let number): number
        case .number(let literal): JSONNumber.exactInteger(literal)
        default: nil
        }
    }

    /// The elements when the value is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The name of the value's JSON type, for error details.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer, .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue {
    /// An object built from members, leaving out those whose value is nil.
    public static func members(_ members: [(String, JSONValue?)]) -> JSONValue {
        .object(members.compactMap { name, value in value.map { (name, $0) } })
    }

    /// A string value, or nil passed through.
    public static func text(_ value: String?) -> JSONValue? { value.map { .string($0) } }

    /// A string map as a JSON object with sorted keys.
    public static func map(_ values: [String: String]) -> JSONValue {
        .object(values.keys.sorted().map { ($0, .string(values[$0] ?? "")) })
    }
}
