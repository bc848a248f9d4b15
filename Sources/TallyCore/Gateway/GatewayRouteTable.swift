/// The configuration's gateway routes, ready to price a proxied request.
///
/// When several routes match, the most specific wins, comparing in order:
/// 1. more literal segments;
/// 2. a pattern without `*` over one with it (it pins the whole path, not a prefix);
/// 3. more placeholders (between two `*` patterns, the longer fixed part);
/// 4. the method: the request's own, then `GET` for a `HEAD` request, then `*`;
/// 5. the earlier route in the configuration.
public struct GatewayRouteTable: Sendable {
    /// A route with its pattern read once.
    struct Entry: Sendable {
        let route: GatewayRoute
        let pattern: RoutePattern
    }

    let entries: [Entry]
    public let unpriced: UnpricedRoutePolicy

    /// The table of `routes`, or nil when one has a bad method or pattern (check them first
    /// with ``validate(_:operations:path:)`` to learn why).
    public init?(_ routes: [GatewayRoute], unpriced: UnpricedRoutePolicy) {
        var entries: [Entry] = []
        for route in routes {
            guard GatewayRoute.isValidMethod(route.method),
                let pattern = try? RoutePattern(parsing: route.path)
            else { return nil }
            entries.append(Entry(route: route, pattern: pattern))
        }
        self.entries = entries
        self.unpriced = unpriced
    }

    /// Prices a request from the proxy's `X-Original-Method` and `X-Original-URI`.
    public func resolve(method: String, uri: String) -> RouteResolution {
        let target: RequestTarget
        do {
            target = try RequestTarget(parsing: uri)
        } catch {
            return .refused(error)
        }
        guard let index = bestMatch(method: method, segments: target.segments) else {
            return unpriced == .free ? .free(route: nil) : .unpriced
        }
        switch entries[index].route.price {
        case .operation(let name): return .charge(operation: name, route: index)
        case .free: return .free(route: index)
        }
    }

    /// The index of the most specific route matching the request, if any.
    func bestMatch(method: String, segments: [String]) -> Int? {
        var best: (index: Int, rank: Specificity)?
        for (index, entry) in entries.enumerated() {
            guard let methodRank = Self.methodRank(entry.route.method, request: method),
                entry.pattern.matches(segments)
            else { continue }
            let rank = Specificity(pattern: entry.pattern, methodRank: methodRank)
            // Strictly greater only: on a tie the earlier route stays.
            if best.map({ rank > $0.rank }) ?? true { best = (index, rank) }
        }
        return best?.index
    }

    /// How well a route's method fits the request's (higher is closer), or nil if it does not.
    static func methodRank(_ routeMethod: String, request: String) -> Int? {
        if routeMethod == request { return 2 }
        // A HEAD answer is a GET answer without the body: the upstream does the same work.
        if request == "HEAD", routeMethod == "GET" { return 1 }
        if routeMethod == GatewayRoute.anyMethod { return 0 }
        return nil
    }
}

/// How specific a matching route is; greater is more specific (see ``GatewayRouteTable``).
struct Specificity: Comparable {
    let literals: Int
    let pinsWholePath: Int
    let parameters: Int
    let methodRank: Int

    init(pattern: RoutePattern, methodRank: Int) {
        literals = pattern.literalCount
        pinsWholePath = pattern.hasWildcard ? 0 : 1
        parameters = pattern.parameterCount
        self.methodRank = methodRank
    }

    static func < (left: Specificity, right: Specificity) -> Bool {
        (left.literals, left.pinsWholePath, left.parameters, left.methodRank)
            < (right.literals, right.pinsWholePath, right.parameters, right.methodRank)
    }
}

/// What the gateway should do with a proxied request.
public enum RouteResolution: Sendable, Hashable {
    /// Debit one unit of `operation`; `route` is the index of the route that priced it.
    case charge(operation: String, route: Int)
    /// Let it through without a charge: a free route, or no route (`route` nil) under the
    /// `free` policy.
    case free(route: Int?)
    /// No route prices it and the policy is `deny`.
    case unpriced
    /// The target could not be read safely (see ``RequestTarget``).
    case refused(RequestTarget.Problem)
}
