/// One entry of the configuration's `routes`: which requests it prices and how.
public struct GatewayRoute: Sendable, Hashable {
    /// What a matching request costs.
    public enum Price: Sendable, Hashable {
        /// One unit of a price-book operation.
        case operation(String)
        case free
    }

    /// An HTTP method (`GET`, `POST`, …) or `*` for any.
    public let method: String
    /// The path pattern as written, e.g. `/v1/chat/{model}`.
    public let path: String
    public let price: Price

    /// Creates a route; ``GatewayRouteTable`` checks it.
    public init(method: String, path: String, price: Price) {
        self.method = method
        self.path = path
        self.price = price
    }

    /// The method that matches every request.
    public static let anyMethod = "*"
    /// The longest method name accepted.
    public static let maxMethodLength = 20

    /// Whether `method` is `*` or 1 to 20 upper-case letters (methods are case-sensitive, and
    /// every registered one is upper case).
    public static func isValidMethod(_ method: String) -> Bool {
        method == anyMethod
            || ((1...maxMethodLength).contains(method.utf8.count)
                && method.utf8.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) })
    }
}

/// What happens to a request that no route prices.
public enum UnpricedRoutePolicy: String, Sendable, Hashable, CaseIterable {
    /// Refuse it: a new upstream endpoint costs nothing only once someone says so.
    case deny
    /// Let it through without a charge.
    case free
}
