import TallyCore

/// Small constructors for JSON Schema fragments of the OpenAPI document.
enum SchemaBuilder {
    static func ref(_ name: String) -> JSONValue { .object([("$ref", .string("#/components/schemas/" + name))]) }

    static func type(_ name: String, _ description: String? = nil) -> JSONValue {
        .members([("type", .string(name)), ("description", .text(description))])
    }

    static let string = type("string")
    static let boolean = type("boolean")
    static let integer = type("integer")
    static let time: JSONValue = .object([
        ("type", .string("string")), ("format", .string("date-time")),
        ("description", .string(
            "RFC 3339 from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z (else 422 time_out_of_range); "
                + "a leap second (23:59:60 UTC at a month end) reads as 23:59:59.999")),
    ])
    static let amount: JSONValue = .object([
        ("type", .string("integer")), ("minimum", .integer(1)), ("maximum", .integer(1_000_000_000_000_000)),
    ])
    static let stringMap: JSONValue = .object([("type", .string("object")), ("additionalProperties", string)])

    static func nullable(_ schema: JSONValue) -> JSONValue { .object([("oneOf", .array([schema, .object([("type", .string("null"))])]))]) }

    static func array(_ items: JSONValue) -> JSONValue { .object([("type", .string("array")), ("items", items)]) }

    static func enumeration(_ values: [String]) -> JSONValue {
        .object([("type", .string("string")), ("enum", .array(values.map { .string($0) }))])
    }

    /// An object schema; unknown members are refused, as the server does.
    static func object(_ properties: [(String, JSONValue)], required: [String]) -> JSONValue {
        .object([
            ("type", .string("object")), ("properties", .object(properties)),
            ("required", .array(required.map { .string($0) })), ("additionalProperties", .bool(false)),
        ])
    }

    /// A cursor page of `item`.
    static func page(_ item: String) -> JSONValue {
        object([("data", array(ref(item))), ("next_cursor", nullable(string))], required: ["data", "next_cursor"])
    }
}
