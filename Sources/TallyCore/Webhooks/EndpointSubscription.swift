/// Which events an endpoint receives: a filter on event types and a scope of accounts.
public struct EndpointSubscription: Sendable, Hashable {
    /// Nil receives every type (written `["*"]`).
    public let eventTypes: Set<EventType>?
    /// Nil receives every account's events; otherwise only those accounts' events, and no event
    /// without an account (such as `endpoint.disabled`).
    public let accounts: Set<String>?

    /// A subscription.
    public init(eventTypes: Set<EventType>? = nil, accounts: Set<String>? = nil) {
        self.eventTypes = eventTypes
        self.accounts = accounts
    }

    /// Reads an endpoint's `events` list: exact type names, or `*` alone for all of them.
    public static func eventTypes(from names: [String]) -> Result<Set<EventType>?, EventFilterProblem> {
        if names == ["*"] { return .success(nil) }
        guard !names.isEmpty else { return .failure(.empty) }
        var types: Set<EventType> = []
        for name in names {
            if name == "*" { return .failure(.wildcardNotAlone) }
            guard let type = EventType(rawValue: name) else { return .failure(.unknownType(name)) }
            types.insert(type)
        }
        return .success(types)
    }

    /// Whether an event of `type` about `account` (nil when it concerns no account) goes to this
    /// endpoint.
    public func wants(_ type: EventType, account: String?) -> Bool {
        if let eventTypes, !eventTypes.contains(type) { return false }
        guard let accounts else { return true }
        return account.map(accounts.contains) ?? false
    }
}

/// Why an `events` list cannot be a filter.
public enum EventFilterProblem: Sendable, Hashable, Error {
    /// An empty list would receive nothing; `["*"]` receives everything.
    case empty
    case unknownType(String)
    /// `*` mixed with named types is ambiguous.
    case wildcardNotAlone
}
