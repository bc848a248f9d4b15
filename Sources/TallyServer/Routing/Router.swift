/// Matches a method and path against the route table.
struct Router: Sendable {
    /// What matching found: a route with its parameter, or why none fits.
    enum Match {
        case found(Route, parameter: String)
        case notFound
        case methodNotAllowed([String])
    }

    private let routes: [Route]
    private let patterns: [[Substring]]
    /// Routes without a parameter by `METHOD path`, so the hot routes match with one lookup.
    private let literal: [String: Int]

    init(routes: [Route]) {
        self.routes = routes
        patterns = routes.map(\.segments)
        var literal: [String: Int] = [:]
        for (index, route) in routes.enumerated() where !route.pattern.contains("{id}") {
            literal[route.method + " " + route.pattern] = index
        }
        self.literal = literal
    }

    /// The route for `method` and `path`; HEAD matches GET routes.
    func match(method: String, path: String) -> Match {
        let lookupMethod = method == "HEAD" ? "GET" : method
        if let index = literal[lookupMethod + " " + path] { return .found(routes[index], parameter: "") }
        guard path.hasPrefix("/") else { return .notFound }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        var allowed: [String] = []
        var found: (Int, String)?
        for index in patterns.indices where patterns[index].count == segments.count {
            guard let parameter = Self.parameter(of: segments, in: patterns[index]) else { continue }
            allowed.append(routes[index].method)
            if routes[index].method == lookupMethod { found = (index, parameter) }
        }
        if let found { return .found(routes[found.0], parameter: found.1) }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed)
    }

    /// The percent-decoded `{id}` segment when the path fits the pattern ("" without one); nil otherwise.
    private static func parameter(of segments: ArraySlice<Substring>, in pattern: [Substring]) -> String? {
        var parameter = ""
        for (expected, actual) in zip(pattern, segments) {
            if expected == "{id}" {
                guard !actual.isEmpty else { return nil }
                parameter = QueryParameters.percentDecoded(actual)
            } else if expected != actual {
                return nil
            }
        }
        return parameter
    }
}
