import TallyCore

/// The path, header and query parameters of each route, with every constraint the server checks.
enum Parameters {
    typealias S = SchemaBuilder

    /// The parameters `route` takes, in the order the document lists them.
    static func of(_ route: Route, requests: RequestSchemas) -> [JSONValue] {
        var parameters: [JSONValue] = []
        if let id = pathID(route.pattern) { parameters.append(parameter("id", in: "path", required: true, id)) }
        if let body = route.request, requests.takesIdempotencyKey(body) {
            parameters.append(parameter("Idempotency-Key", in: "header", RequestSchemas.idempotencyKey.1))
        }
        if route.success.schema.hasSuffix("Page") {
            parameters.append(parameter("limit", S.integer(Limits.pageSize, "default 100")))
            parameters.append(parameter("after", cursor(route.action)))
        }
        for (name, (schema, required)) in filters(route.action) { parameters.append(parameter(name, required: required, schema)) }
        return parameters
    }

    /// The query filters a list or report takes besides paging: schema and whether required.
    private static func filters(_ action: Action) -> [(String, (JSONValue, Bool))] {
        switch action {
        case .listAccounts: [("livemode", (S.boolean, false))]
        case .listEvents:
            [
                ("type", (S.enumeration(EventType.allCases.map(\.rawValue)), false)),
                ("account", (RequestSchemas.accountID, false)), ("livemode", (S.boolean, false)),
            ]
        case .ledger: [("from", (S.time, false)), ("to", (S.time, false))]
        case .usage:
            [
                ("from", (S.time, true)), ("to", (S.time, true)),
                ("granularity", (S.enumeration(["hour", "day", "month"]), false)),
            ]
        default: []
        }
    }

    /// What `after` is on each list: the last item of the previous page as the page shows it.
    private static func cursor(_ action: Action) -> JSONValue {
        switch action {
        case .listAccounts: RequestSchemas.accountID
        case .ledger: S.text(IntegerLimit(1...18), pattern: "^[0-9]+$", "the seq of the last entry of the previous page")
        case .listEvents: publicID("evt", allowsZero: true)
        case .listEndpoints: publicID("we")
        case .listKeys: publicID("key")
        default: publicID("wd")
        }
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
    private static func publicID(_ prefix: String, allowsZero: Bool = false) -> JSONValue {
        let digits = allowsZero ? "[0-9]{1,18}" : "[1-9][0-9]{0,17}"
        return S.text(IntegerLimit(Int64(prefix.count + 2)...Int64(prefix.count + 19)), pattern: "^\(prefix)_\(digits)$")
    }

    private static func parameter(_ name: String, in place: String = "query", required: Bool = false, _ schema: JSONValue) -> JSONValue {
        .object([("name", .string(name)), ("in", .string(place)), ("required", .bool(required)), ("schema", schema)])
    }
}
