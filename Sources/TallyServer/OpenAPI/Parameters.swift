import TallyCore

/// The parameters of each route as the document lists them: its `{id}`, the idempotency header,
/// paging and the query parameters its entry declares, with every constraint the server checks.
enum Parameters {
    typealias S = SchemaBuilder

    /// The parameters `route` takes, in the order the document lists them.
    static func of(_ route: Route, requests: [String: JSONValue]) -> [JSONValue] {
        var parameters: [JSONValue] = []
        if let id = pathID(route.pattern) { parameters.append(parameter("id", in: "path", required: true, id)) }
        if let body = route.request.flatMap({ requests[$0] }), RequestSchemas.takesIdempotencyKey(body) {
            parameters.append(parameter("Idempotency-Key", in: "header", RequestSchemas.idempotencyKey.1))
        }
        if let cursor = route.cursor {
            parameters.append(parameter("limit", S.integer(Limits.pageSize, "default 100")))
            parameters.append(parameter("after", cursor))
        }
        for query in route.query { parameters.append(parameter(query.name, required: query.required, query.schema)) }
        return parameters
    }

    /// The `{id}` of a route's path, by the collection it names.
    private static func pathID(_ pattern: String) -> JSONValue? {
        guard pattern.contains("{id}") else { return nil }
        if pattern.hasPrefix("/v1/accounts/") { return RequestSchemas.accountID }
        if pattern.hasPrefix("/v1/holds/") { return publicID("hld") }
        if pattern.hasPrefix("/v1/debits/") { return publicID("dbt") }
        if pattern.hasPrefix("/v1/keys/") { return publicID("key") }
        return publicID("we")
    }

    /// A public id such as `hld_42`: the prefix and 1 to 18 digits.
    static func publicID(_ prefix: String, allowsZero: Bool = false) -> JSONValue {
        let digits = allowsZero ? "[0-9]{1,18}" : "[1-9][0-9]{0,17}"
        return S.text(IntegerLimit(Int64(prefix.count + 2)...Int64(prefix.count + 19)), pattern: "^\(prefix)_\(digits)$")
    }

    private static func parameter(_ name: String, in place: String = "query", required: Bool = false, _ schema: JSONValue) -> JSONValue {
        .object([("name", .string(name)), ("in", .string(place)), ("required", .bool(required)), ("schema", schema)])
    }
}
