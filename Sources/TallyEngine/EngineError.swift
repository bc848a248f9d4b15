public import TallyCore
public import TallyStore

/// Why an engine call did not succeed: a business rejection, or an infrastructure failure.
///
/// Rejections change nothing and are part of the contract; infrastructure failures mean the
/// call may be retried with the same idempotency key.
public enum EngineError: Error, Sendable {
    /// The business rejection, whether fresh or replayed.
    public var rejection: Rejection? {
        switch self {
        case .rejected(let rejection), .refused(let rejection, _, _): rejection
        case .storage, .overloaded: nil
        }
    }

    /// The request was refused before an account's rules weighed it (validation, a missing
    /// account or hold, a reused key).
    case rejected(Rejection)
    /// The account's rules refused the request, with the balance the account had at that moment:
    /// the one its answer shows, then and on every replay of its idempotency key (`replayed`).
    case refused(Rejection, balance: Balance, replayed: Bool)
    /// The store failed; nothing of the request was applied.
    case storage(StoreError)
    /// The write queue is full; retry after a short wait.
    case overloaded
}
