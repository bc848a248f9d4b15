public import TallyCore
import TallyStore

/// What authorize answers when it approves: the debit or hold it made.
public struct Authorization: Sendable, Hashable {
    /// Whether credits were taken at once or reserved.
    public enum Kind: String, Sendable, Hashable { case debit, hold }

    /// The debit id or hold id.
    public let id: Int64
    public let kind: Kind
    public let account: String
    public let cost: Credits
    public let balance: Balance
    /// When an uncaptured hold is released.
    public let expiresAtMs: Int64?
}

/// An authorization with the rate-limit decision it passed, for the `RateLimit-*` headers (nil
/// when no limit applies or the answer is a replay).
public struct MeteredAuthorization: Sendable, Hashable {
    public let authorization: Authorization
    public let rate: RateDecision?
}

/// A resolved API key presented with an authorization: whose it is and its own rate limit.
struct APIKeyGrant: Sendable {
    let id: Int64
    /// The key's mode; text the store's CHECK would refuse counts as test, which moves no real credits.
    let mode: APIKeyText.Mode
    let rateLimit: RateLimit?

    init(_ key: APIKeyRecord) {
        id = key.id
        mode = APIKeyText.Mode(rawValue: key.mode) ?? .test
        rateLimit = key.rateLimit
    }
}

/// What a top-up, grant or pack purchase answers.
public struct CreditReceipt: Sendable, Hashable {
    public let entryID: Int64
    /// The lot that was opened; nil when the whole amount repaid debt.
    public let lot: Lot?
    public let repaidDebt: Credits
    public let balance: Balance
}

/// What a capture answers: the debit it created, refundable like any other.
public struct CaptureReceipt: Sendable, Hashable {
    public let holdID: HoldID
    public let debitID: Int64
    public let captured: Credits
    public let released: Credits
    public let balance: Balance
}

/// What a void answers.
public struct VoidReceipt: Sendable, Hashable {
    public let holdID: HoldID
    public let released: Credits
    public let balance: Balance
}

/// What a refund answers.
public struct RefundReceipt: Sendable, Hashable {
    public let refundID: Int64
    public let debitID: Int64
    public let amount: Credits
    /// All that has been refunded of the debit so far, this refund included.
    public let totalRefunded: Credits
    public let balance: Balance
}

/// An account as the API shows it: settings, balance, live lots and pending holds.
public struct AccountView: Sendable, Hashable, Codable {
    public let account: Account
    public let balance: Balance
    public let lots: [Lot]
    public let pendingHolds: [Hold]
    /// Credits used in the plan's running period; 0 without a plan.
    public let periodUsed: Credits
}

/// A hold as the API shows it.
public struct HoldView: Sendable, Hashable {
    public let account: String
    public let hold: Hold
}

/// A value returned by a mutation, marked when it was replayed from an earlier request.
public struct Replayable<Value: Sendable>: Sendable {
    public let value: Value
    /// True when the idempotency key had been used and this is the stored first outcome.
    public let replayed: Bool
}
