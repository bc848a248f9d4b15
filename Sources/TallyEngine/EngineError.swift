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
        case .rejected(let rejection), .replayedRejection(let rejection, _): rejection
        case .storage, .overloaded: nil
        }
    }

    /// The rules refused the request.
    case rejected(Rejection)
    /// The idempotency key's first request was refused; this is that stored refusal, with the
    /// balance the account had then.
    case replayedRejection(Rejection, balance: Balance)
    /// The store failed; nothing of the request was applied.
    case storage(StoreError)
    /// The write queue is full; retry after a short wait.
    case overloaded
}
