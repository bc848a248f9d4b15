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
    static let amount = integer(Limits.amount)
    static let stringMap: JSONValue = .object([("type", .string("object")), ("additionalProperties", string)])

    /// An integer within `limit`, as the server checks it.
    static func integer(_ limit: IntegerLimit, _ description: String? = nil) -> JSONValue {
        .members([
            ("type", .string("integer")), ("minimum", .integer(limit.lowerBound)), ("maximum", .integer(limit.upperBound)),
            ("description", .text(description)),
        ])
    }

    /// A string of `characters` (Unicode scalars) matching `pattern` if any.
    static func text(_ characters: IntegerLimit, pattern: String? = nil, _ description: String? = nil) -> JSONValue {
        .members([
            ("type", .string("string")), ("minLength", .integer(characters.lowerBound)),
            ("maxLength", .integer(characters.upperBound)), ("pattern", .text(pattern)), ("description", .text(description)),
        ])
    }

    /// A free-text note (description, reason, reference).
    static let note = text(Limits.noteCharacters)

    /// Request metadata: ``Limits/metadataEntries`` string entries with bounded keys and values.
    static let metadata = metadataMap(values: text(Limits.metadataValueCharacters))

    /// A metadata map whose values follow `values` (a PATCH also takes null to remove one).
    static func metadataMap(values: JSONValue) -> JSONValue {
        .object([
            ("type", .string("object")), ("maxProperties", .integer(Int64(Limits.metadataEntries))),
            ("propertyNames", text(Limits.metadataKeyCharacters)), ("additionalProperties", values),
        ])
    }

    /// A list of distinct levels, each within `limit`, at most ``Limits/levelCount`` of them.
    static func levels(_ limit: IntegerLimit) -> JSONValue {
        .object([
            ("type", .string("array")), ("items", integer(limit)), ("maxItems", .integer(Int64(Limits.levelCount))),
            ("uniqueItems", .bool(true)),
        ])
    }

    /// One of `names` (catalog entries); any string when the catalog has none, which the server
    /// then refuses as unknown.
    static func choice(_ names: [String], _ description: String) -> JSONValue {
        names.isEmpty ? type("string", description) : .members([
            ("type", .string("string")), ("enum", .array(names.sorted().map { .string($0) })), ("description", .string(description)),
        ])
    }

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
