import TallyCore
import TallyEngine

/// The one place where engine outcomes become HTTP statuses and problem codes.
extension Problem {
    /// The problem for an engine failure: a rejection, a storage failure or overload.
    init(_ error: EngineError) {
        switch error {
        case .rejected(let rejection):
            self.init(rejection)
        case .refused(let rejection, _, let replayed):
            self.init(rejection)
            // The stored first answer of this idempotency key, replayed like any other.
            if replayed { headers = [("Idempotent-Replayed", "true")] }
        case .storage:
            // The store's message may name tables or paths; it goes to the log, not the client.
            self.init(
                status: 503, code: "storage_unavailable", title: "Storage unavailable",
                detail: "the store could not complete the request; nothing was applied, retry with the same idempotency key")
            // A full or failing disk usually recovers by itself (DESIGN §8); clients should come back.
            headers = [("Retry-After", "1")]
        case .overloaded:
            self.init(
                status: 503, code: "overloaded", title: "Overloaded",
                detail: "the server is past its capacity; retry after a short wait with the same idempotency key")
            headers = [("Retry-After", "1")]
        }
    }

    /// The problem for a business rejection; every case is listed so a new one cannot be missed.
    init(_ rejection: Rejection) {
        let (status, title, detail): (Int, String, String) =
            switch rejection {
            case .insufficientCredits(let available, let requested):
                (402, "Insufficient credits", "the charge of \(requested) exceeds what the account can spend (available \(available))")
            case .accountNotFound: (404, "Account not found", "no account has this id")
            case .accountExists: (409, "Account exists", "an account with this id already exists")
            case .accountSuspended: (403, "Account suspended", "the account is suspended and cannot spend")
            case .accountClosed: (403, "Account closed", "the account is closed")
            case .invalidAccountID:
                (422, "Invalid account id", "account ids are \(Limits.accountIDBytes.text) characters of A-Z a-z 0-9 _ . : @ -, not only dots")
            case .invalidAmount(let amount): (422, "Invalid amount", "amounts are integers from \(Limits.amount.text) (got \(amount))")
            case .amountOverflow: (422, "Amount overflow", "the result would exceed the account's total bound")
            case .invalidOverdraftLimit: (422, "Invalid overdraft limit", "overdraft_limit is an integer from \(Limits.overdraft.text)")
            case .invalidThresholds:
                (422, "Invalid thresholds", "thresholds are at most \(Limits.levelCount) distinct integers from \(Limits.threshold.text)")
            case .invalidHoldTTL: (422, "Invalid hold TTL", "hold_ttl_seconds must be between 1 second and the configured maximum")
            case .invalidExpiry: (422, "Invalid expiry", "expires_at must be in the future")
            case .invalidPriority: (422, "Invalid priority", "priority is an integer from \(Limits.priority.text)")
            case .invalidMetadata(let reason): (422, "Invalid metadata", "metadata: \(reason)")
            case .holdNotFound: (404, "Hold not found", "no hold has this id")
            case .holdNotPending(let status): (409, "Hold not pending", "the hold is already \(status.rawValue)")
            case .debitNotFound: (404, "Debit not found", "no debit has this id")
            case .refundExceedsDebit(let refundable):
                (422, "Refund exceeds debit", "at most \(refundable) of this debit is left to refund")
            case .unknownOperation: (422, "Unknown operation", "the operation is not in the price book (GET /v1/operations)")
            case .invalidQuantity: (422, "Invalid quantity", "quantity is an integer from \(Limits.quantity.text)")
            case .unknownPack: (422, "Unknown pack", "the pack is not in the catalog (GET /v1/packs)")
            case .unknownPlan: (422, "Unknown plan", "the plan is not in the catalog (GET /v1/plans)")
            case .invalidAutoTopUp(let reason): (422, "Invalid auto top-up", "auto_topup: \(reason)")
            case .invalidAPIKey: (401, "Invalid API key", "the API key is not one this server issued")
            case .keyRevoked: (403, "Key revoked", "the API key was revoked")
            case .keyExpired: (403, "Key expired", "the API key has expired")
            case .keyNotFound: (404, "Key not found", "no API key has this id")
            case .keyModeMismatch(let accountLivemode):
                accountLivemode
                    ? (403, "Key mode mismatch", "this is a live account: only tk_live_ keys act for it, so a test key never moves real credits")
                    : (403, "Key mode mismatch", "this is a test account: only tk_test_ keys act for it")
            case .rateLimited(let limit, _, let retryAfterMs):
                (429, "Rate limited", "more than \(limit) requests in the window; retry in \((retryAfterMs + 999) / 1_000) s")
            case .invalidRateLimit:
                (422, "Invalid rate limit", "rate_limit is {limit: \(Limits.rateLimit.text), window_seconds: \(Limits.rateWindowSeconds.text)}")
            case .endpointNotFound: (404, "Endpoint not found", "no webhook endpoint has this id")
            case .deliveryNotFound: (404, "Delivery not found", "this endpoint has no delivery with this id")
            case .invalidEndpointURL(let reason):
                (422, "Invalid URL", "the endpoint URL is refused (\(reason)); https is required unless private addresses are allowed")
            case .invalidEventTypes(let reason): (422, "Invalid event types", "events: \(reason)")
            case .invalidIdempotencyKey:
                (422, "Invalid idempotency key", "idempotency keys are \(Limits.idempotencyKeyBytes.text) visible ASCII characters (! to ~)")
            case .idempotencyKeyReused:
                (422, "Idempotency key reused", "this idempotency key was used with a different request")
            case .idempotencyKeyInFlight:
                (409, "Idempotency key in flight", "the first request with this idempotency key has not finished")
            }
        self.init(status: status, code: rejection.code, title: title, detail: detail)
        if case .rateLimited(let limit, let resetMs, let retryAfterMs) = rejection {
            let decision = RateDecision(allowed: false, limit: limit, remaining: 0, resetMs: resetMs, retryAfterMs: retryAfterMs)
            headers = RateLimitHeaders(decision).fields.map { ($0.name, $0.value) }
        }
    }
}
