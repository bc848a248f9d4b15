/// Matches a method and path against the route table.
struct Router: Sendable {
    /// What matching found: a route with its parameter, or why none fits.
    enum Match {
        case found(Route, parameter: String)
        case notFound
        case methodNotAllowed([String])
    }

    private let routes: [(route: Route, segments: [Substring])]

    init(routes: [Route]) {
        self.routes = routes.map { ($0, $0.segments) }
    }

    /// The route for `method` and `path`; HEAD matches GET routes.
    func match(method: String, path: String) -> Match {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard path.hasPrefix("/") else { return .notFound }
        var allowed: [String] = []
        var found: (Route, String)?
        for (route, pattern) in routes where pattern.count == segments.count {
            var parameter = ""
            var matches = true
            for (expected, actual) in zip(pattern, segments) {
                if expected == "{id}" {
                    guard !actual.isEmpty else {
                        matches = false
                        break
                    }
                    parameter = QueryParameters.percentDecoded(actual)
                } else if expected != actual {
                    matches = false
                    break
                }
            }
            guard matches else { continue }
            allowed.append(route.method)
            if route.method == method || (method == "HEAD" && route.method == "GET") { found = (route, parameter) }
        }
        if let found { return .found(found.0, parameter: found.1) }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed)
    }
}
