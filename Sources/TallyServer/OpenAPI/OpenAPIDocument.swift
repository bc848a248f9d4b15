import TallyCore

/// Builds the OpenAPI 3.1 document from the route table, so no route can go undocumented.
enum OpenAPIDocument {
    static func make(routes: [Route], requests: RequestSchemas) -> JSONValue {
        // Built once: the schemas with catalog enums and authorize's variants are not small.
        let requestSchemas = requests.all
        let byName = Dictionary(requestSchemas, uniquingKeysWith: { first, _ in first })
        var paths: [(String, [(String, JSONValue)])] = []
        for route in routes {
            let operation = self.operation(route, requests: byName)
            if let index = paths.firstIndex(where: { $0.0 == route.pattern }) {
                paths[index].1.append((route.method.lowercased(), operation))
            } else {
                paths.append((route.pattern, [(route.method.lowercased(), operation)]))
            }
        }
        return .object([
            ("openapi", .string("3.1.0")),
            ("info", .object([
                ("title", .string("Tally")), ("version", .string("1")),
                ("description", .string(
                    "Prepaid credits engine. Amounts are integers; times are RFC 3339 UTC with milliseconds; "
                        + "ids are sequence-based (dbt_, hld_, lot_, ent_). Unknown request members are refused (422 unknown_field). "
                        + "An HTTP/1.1 request needs exactly one Host header and at most one Authorization header "
                        + "(else 400 missing_host, repeated_host or repeated_authorization).")),
            ])),
            ("components", .object([
                ("schemas", .object(ComponentSchemas.all + requestSchemas)),
                ("securitySchemes", .object([("serviceToken", .object([("type", .string("http")), ("scheme", .string("bearer"))]))])),
            ])),
            ("paths", .object(paths.map { ($0.0, .object($0.1)) })),
        ])
    }

    private static func operation(_ route: Route, requests: [String: JSONValue]) -> JSONValue {
        var responses: [(String, JSONValue)] = [
            (String(route.success.status), .object([
                ("description", .string("Success")),
                ("content", .object([(route.mediaType,
                                      .object([("schema", SchemaBuilder.ref(route.success.schema))]))])),
            ]))
        ]
        var failures = route.failures
        if route.access != .public { failures += [400, 401, 403, 503] }
        if route.request != nil { failures.append(422) }  // an unreadable body or member
        for status in Set(failures).sorted() {
            responses.append((String(status), .object([
                ("description", .string("Problem details")),
                ("content", .object([("application/problem+json", .object([("schema", SchemaBuilder.ref("Problem"))]))])),
            ])))
        }
        let parameters = Parameters.of(route, requests: requests)
        let scopes: [String]? =
            switch route.access {
            case .public: nil
            case .adminOnly: ["admin"]
            case .scopes(let scopes): ["admin"] + scopes.map(\.rawValue).sorted()
            }
        return .members([
            ("operationId", .string(route.name)), ("summary", .string(route.summary)),
            ("description", .text(scopes.map { "Scopes: " + $0.joined(separator: ", ") })),
            ("security", route.access == .public ? .array([]) : .array([.object([("serviceToken", .array([]))])])),
            ("parameters", parameters.isEmpty ? nil : .array(parameters)),
            ("requestBody", route.request.map { name in
                .object([
                    ("required", .bool(requests[name].map(RequestSchemas.requiresBody) ?? false)),
                    ("content", .object([("application/json", .object([("schema", SchemaBuilder.ref(name))]))])),
                ])
            }),
            ("responses", .object(responses)),
        ])
    }
}
