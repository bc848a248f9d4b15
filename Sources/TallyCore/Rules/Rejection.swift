/// A business outcome that refuses a request and changes nothing.
///
/// The set is closed: callers switch over it exhaustively, and the HTTP layer maps each case to
/// one status and one stable `code` in a single place.
public enum Rejection: Error, Sendable, Hashable {
    /// The charge would take `available` below `-overdraft_limit`.
    case insufficientCredits(available: Credits, requested: Credits)
    case accountNotFound
    case accountExists
    case accountSuspended
    case accountClosed
    case invalidAccountID
    /// An amount outside ``Limits/amount``.
    case invalidAmount(Credits)
    /// The result would exceed the account total bound.
    case amountOverflow
    case invalidOverdraftLimit
    case invalidThresholds
    case invalidHoldTTL
    /// An expiry that is not in the future.
    case invalidExpiry
    case invalidPriority
    case invalidMetadata(String)
    case holdNotFound
    /// The hold was already captured, voided or expired.
    case holdNotPending(HoldStatus)
    case debitNotFound
    /// The refund asks for more than is left to refund on the debit.
    case refundExceedsDebit(refundable: Credits)
    /// The operation is not in the price book.
    case unknownOperation
    /// A quantity outside 1 ... 10^9.
    case invalidQuantity
    /// The pack is not in the catalog.
    case unknownPack
    /// The plan named is not in the catalog.
    case unknownPlan
    /// The auto top-up setting is not usable; the text says why.
    case invalidAutoTopUp(String)
    /// The presented API key is not one Tally issued.
    case invalidAPIKey
    case keyRevoked
    case keyExpired
    /// No API key has this id.
    case keyNotFound
    /// A test key used for (or issued to) a live account, or a live key for a test account.
    case keyModeMismatch(accountLivemode: Bool)
    /// Over the rate limit: `limit` per window, full again in `resetMs`, retry in `retryAfterMs`.
    case rateLimited(limit: Int, resetMs: Int64, retryAfterMs: Int64)
    /// A rate limit outside 1…1,000,000 per 1…86,400 seconds.
    case invalidRateLimit
    /// No webhook endpoint has this id.
    case endpointNotFound
    /// No delivery of this endpoint has this id.
    case deliveryNotFound
    /// The endpoint URL is refused; the text is a stable reason code such as `url_https_required`.
    case invalidEndpointURL(String)
    /// The event type filter is empty, names an unknown type or mixes `*` with types.
    case invalidEventTypes(String)
    case invalidIdempotencyKey
    /// The key was used before with a different request.
    case idempotencyKeyReused
    /// The first request with this key has not finished.
    case idempotencyKeyInFlight

    /// The stable machine-readable code for this rejection.
    public var code: String {
        switch self {
        case .insufficientCredits: "insufficient_credits"
        case .accountNotFound: "account_not_found"
        case .accountExists: "account_exists"
        case .accountSuspended: "account_suspended"
        case .accountClosed: "account_closed"
        case .invalidAccountID: "invalid_account_id"
        case .invalidAmount: "invalid_amount"
        case .amountOverflow: "amount_overflow"
        case .invalidOverdraftLimit: "invalid_overdraft_limit"
        case .invalidThresholds: "invalid_thresholds"
        case .invalidHoldTTL: "invalid_hold_ttl"
        case .invalidExpiry: "invalid_expiry"
        case .invalidPriority: "invalid_priority"
        case .invalidMetadata: "invalid_metadata"
        case .holdNotFound: "hold_not_found"
        case .holdNotPending: "hold_not_pending"
        case .debitNotFound: "debit_not_found"
        case .refundExceedsDebit: "refund_exceeds_debit"
        case .unknownOperation: "unknown_operation"
        case .invalidQuantity: "invalid_quantity"
        case .unknownPack: "unknown_pack"
        case .unknownPlan: "unknown_plan"
        case .invalidAutoTopUp: "invalid_auto_topup"
        case .invalidAPIKey: "invalid_api_key"
        case .keyRevoked: "key_revoked"
        case .keyExpired: "key_expired"
        case .keyNotFound: "key_not_found"
        case .keyModeMismatch: "key_mode_mismatch"
        case .rateLimited: "rate_limited"
        case .invalidRateLimit: "invalid_rate_limit"
        case .endpointNotFound: "endpoint_not_found"
        case .deliveryNotFound: "delivery_not_found"
        case .invalidEndpointURL: "invalid_url"
        case .invalidEventTypes: "invalid_event_types"
        case .invalidIdempotencyKey: "invalid_idempotency_key"
        case .idempotencyKeyReused: "idempotency_key_reused"
        case .idempotencyKeyInFlight: "idempotency_key_in_flight"
        }
    }
}
