/// The identifier of a lot, unique across the database.
public typealias LotID = Int64

/// Where a lot's credits came from; it decides the default priority and the burn-down tie-break.
public enum LotSource: String, Sendable, Hashable, CaseIterable, Codable {
    case allowance, rollover, topup, pack, grant

    /// The priority a lot of this source gets when the request names none (lower burns first).
    public var defaultPriority: Int {
        switch self {
        case .allowance, .rollover: 0
        case .grant: 5
        case .topup, .pack: 10
        }
    }

    /// Whether the credits were given rather than paid for; promotional credits burn first on a tie.
    public var isPromotional: Bool { self == .grant }
}

/// A parcel of credits with its own source, priority and expiry.
///
/// Its amount is always split exactly: `consumed + reserved + expired + remaining == amount`.
public struct Lot: Sendable, Hashable, Codable {
    public let id: LotID
    public let source: LotSource
    public let amount: Credits
    public var remaining: Credits
    public var reserved: Credits
    public var consumed: Credits
    public var expired: Credits
    public let priority: Int
    public let expiresAtMs: Int64?
    public let createdAtMs: Int64
    public let reference: String?

    /// Creates a fresh lot whose whole amount is still to spend.
    public init(
        id: LotID, source: LotSource, amount: Credits, priority: Int, expiresAtMs: Int64?,
        createdAtMs: Int64, reference: String?
    ) {
        self.init(
            id: id, source: source, amount: amount, remaining: amount, reserved: 0, consumed: 0,
            expired: 0, priority: priority, expiresAtMs: expiresAtMs, createdAtMs: createdAtMs,
            reference: reference)
    }

    /// Creates a lot in any state, as read back from storage.
    public init(
        id: LotID, source: LotSource, amount: Credits, remaining: Credits, reserved: Credits,
        consumed: Credits, expired: Credits, priority: Int, expiresAtMs: Int64?,
        createdAtMs: Int64, reference: String?
    ) {
        self.id = id
        self.source = source
        self.amount = amount
        self.remaining = remaining
        self.reserved = reserved
        self.consumed = consumed
        self.expired = expired
        self.priority = priority
        self.expiresAtMs = expiresAtMs
        self.createdAtMs = createdAtMs
        self.reference = reference
    }

    /// Whether the lot has reached its expiry at `nowMs`.
    public func isExpired(atMs nowMs: Int64) -> Bool {
        guard let expiresAtMs else { return false }
        return expiresAtMs <= nowMs
    }

    /// Whether the lot's parts add up to its amount and none is negative.
    public var isBalanced: Bool {
        remaining >= 0 && reserved >= 0 && consumed >= 0 && expired >= 0
            && consumed + reserved + expired + remaining == amount
    }
}
