/// The checks the configuration's `routes` pass before the server starts.
extension GatewayRouteTable {
    /// The most routes a configuration may list.
    public static let maxRoutes = 1_000

    /// Every problem with `routes`, each with its path (e.g. `routes[2].path`): a bad method or
    /// pattern, an operation missing from `operations` (the price book's names), and a route
    /// with the same method and pattern shape as an earlier one (it could never win).
    public static func validate(
        _ routes: [GatewayRoute], operations: Set<String>, path: String = "routes"
    ) -> [PlanProblem] {
        var problems: [PlanProblem] = []
        if routes.count > maxRoutes {
            problems.append(PlanProblem(path: path, reason: "at most \(maxRoutes) routes"))
        }
        var firstByShape: [RouteShape: Int] = [:]
        for (index, route) in routes.enumerated() {
            let here = "\(path)[\(index)]"
            problems += check(route, operations: operations, at: here)
            guard let pattern = try? RoutePattern(parsing: route.path) else { continue }
            let shape = RouteShape(method: route.method, pattern: pattern.shape)
            if let first = firstByShape[shape] {
                problems.append(PlanProblem(path: here, reason: "matches the same requests as \(path)[\(first)]"))
            } else {
                firstByShape[shape] = index
            }
        }
        return problems
    }

    /// The problems of one route, with paths under `here`.
    static func check(_ route: GatewayRoute, operations: Set<String>, at here: String) -> [PlanProblem] {
        var problems: [PlanProblem] = []
        if !GatewayRoute.isValidMethod(route.method) {
            let reason = "must be * or 1 to \(GatewayRoute.maxMethodLength) upper-case letters"
            problems.append(PlanProblem(path: "\(here).method", reason: reason))
        }
        do {
            _ = try RoutePattern(parsing: route.path)
        } catch {
            problems.append(PlanProblem(path: "\(here).path", reason: error.description))
        }
        if case .operation(let name) = route.price, !operations.contains(name) {
            problems.append(PlanProblem(path: "\(here).operation", reason: "\(name) is not in operations"))
        }
        return problems
    }
}

/// A method and a pattern with placeholder names erased: two routes with the same shape match
/// exactly the same requests.
struct RouteShape: Hashable {
    let method: String
    let pattern: [String?]
}
