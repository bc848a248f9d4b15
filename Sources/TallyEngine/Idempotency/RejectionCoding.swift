import TallyCore

/// Stores a rejection as its code and associated numbers, for replay.
enum RejectionCoding {
    static func fields(_ rejection: Rejection) -> [String] {
        switch rejection {
        case .insufficientCredits(let available, let requested):
            [rejection.code, String(available), String(requested)]
        case .invalidAmount(let amount): [rejection.code, String(amount)]
        case .invalidMetadata(let reason), .invalidAutoTopUp(let reason), .invalidEndpointURL(let reason),
            .invalidEventTypes(let reason):
            [rejection.code, reason.replacingOccurrences(of: "|", with: "/")]
        case .holdNotPending(let status): [rejection.code, status.rawValue]
        case .keyModeMismatch(let accountLivemode): [rejection.code, accountLivemode ? "live" : "test"]
        case .refundExceedsDebit(let refundable): [rejection.code, String(refundable)]
        case .rateLimited(let limit, let resetMs, let retryAfterMs):
            [rejection.code, String(limit), String(resetMs), String(retryAfterMs)]
        default: [rejection.code]
        }
    }

    static func decode(_ fields: [String]) -> Rejection? {
        guard let code = fields.first else { return nil }
        let number = fields.count > 1 ? Int64(fields[1]) : nil
        switch code {
        case "insufficient_credits":
            guard fields.count == 3, let available = number, let requested = Int64(fields[2]) else { return nil }
            return .insufficientCredits(available: available, requested: requested)
        case "invalid_amount": return number.map { .invalidAmount($0) }
        case "invalid_metadata": return fields.count > 1 ? .invalidMetadata(fields[1]) : nil
        case "invalid_auto_topup": return fields.count > 1 ? .invalidAutoTopUp(fields[1]) : nil
        case "invalid_url": return fields.count > 1 ? .invalidEndpointURL(fields[1]) : nil
        case "invalid_event_types": return fields.count > 1 ? .invalidEventTypes(fields[1]) : nil
        case "hold_not_pending":
            return fields.count > 1 ? HoldStatus(rawValue: fields[1]).map { .holdNotPending($0) } : nil
        case "key_mode_mismatch":
            guard fields.count == 2, ["live", "test"].contains(fields[1]) else { return nil }
            return .keyModeMismatch(accountLivemode: fields[1] == "live")
        case "refund_exceeds_debit": return number.map { .refundExceedsDebit(refundable: $0) }
        case "rate_limited":
            guard fields.count == 4, let limit = number, let reset = Int64(fields[2]), let retry = Int64(fields[3]) else { return nil }
            return .rateLimited(limit: Int(limit), resetMs: reset, retryAfterMs: retry)
        default: return simple[code]
        }
    }

    private static let simple: [String: Rejection] = Dictionary(
        uniqueKeysWithValues: [
            Rejection.accountNotFound, .accountExists, .accountSuspended, .accountClosed,
            .invalidAccountID, .amountOverflow, .invalidOverdraftLimit, .invalidThresholds, .invalidHoldTTL,
            .invalidExpiry, .invalidPriority, .holdNotFound, .debitNotFound, .unknownOperation,
            .invalidQuantity, .unknownPack, .unknownPlan, .endpointNotFound, .deliveryNotFound, .invalidAPIKey, .keyRevoked,
            .keyExpired, .keyNotFound, .invalidRateLimit,
            .invalidIdempotencyKey, .idempotencyKeyReused, .idempotencyKeyInFlight,
        ].map { ($0.code, $0) })
}
