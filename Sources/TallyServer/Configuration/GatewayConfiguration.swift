import TallyCore

/// Reads the gateway's `routes` and `unpriced_routes` from the configuration.
extension ServerConfiguration {
    /// `routes`: `[{"method", "path", "operation"} or {"method", "path", "free": true}]`.
    mutating func readRoutes(_ value: JSONValue, path: String, problems: inout [String]) {
        guard let items = value.arrayValue else {
            problems.append("\(path): must be a list of routes")
            return
        }
        routes = []
        for (index, item) in items.enumerated() {
            let at = "\(path)[\(index)]"
            guard case .object(let members) = item, let method = item["method"]?.stringValue,
                let pattern = item["path"]?.stringValue
            else {
                problems.append("\(at): must be an object with a string method and path")
                continue
            }
            let unknown = members.map(\.0).filter { !["method", "path", "operation", "free"].contains($0) }
            problems += unknown.map { "\(at).\($0): unknown key" }
            switch (item["operation"]?.stringValue, item["free"]) {
            case (let operation?, nil): routes.append(GatewayRoute(method: method, path: pattern, price: .operation(operation)))
            case (nil, .bool(true)?): routes.append(GatewayRoute(method: method, path: pattern, price: .free))
            default: problems.append("\(at): give either an operation or \"free\": true")
            }
        }
    }

    /// `unpriced_routes`: `deny` (the default) or `free`.
    mutating func readUnpricedPolicy(_ value: JSONValue, path: String, problems: inout [String]) {
        guard let policy = value.stringValue.flatMap(UnpricedRoutePolicy.init(rawValue:)) else {
            problems.append("\(path): must be \"deny\" or \"free\"")
            return
        }
        unpricedRoutes = policy
    }

    /// The problems of the routes against the price book, once the whole file is read.
    func routeProblems() -> [String] {
        GatewayRouteTable.validate(routes, operations: Set(catalog.operations.keys), path: "$.routes").map(\.description)
    }

    /// The routes as the gateway uses them.
    public var gateway: GatewayRouteTable? { GatewayRouteTable(routes, unpriced: unpricedRoutes) }
}
