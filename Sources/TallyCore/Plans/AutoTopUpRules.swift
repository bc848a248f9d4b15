/// What the auto top-up safety rules decide for one change of `available`.
public enum AutoTopUpDecision: Sendable, Hashable {
    /// The change does not call for a top-up.
    case notTriggered
    /// A request made earlier is still waiting for its pack, until `untilMs` at the latest.
    case inFlight(untilMs: Int64)
    /// The last request was too recent; requests may resume at `untilMs`.
    case coolingDown(untilMs: Int64)
    /// This calendar month already had `cap` requests.
    case monthlyCapReached(cap: Int)
    /// Ask for `quantity` packs (`credits` in all).
    case request(quantity: Int64, credits: Credits)
}

/// The auto top-up rules, safe by construction as the anchors learned through incidents: one
/// request in flight at most, a cooldown, a monthly cap, and one request sized to close the gap.
public enum AutoTopUpRules {
    /// Decides whether the change from `before` to `after` requests a top-up.
    ///
    /// The trigger is a change that lowers `available` and leaves it below `below`: a crossing
    /// from `≥ below` always is one, and so is further spending while still below, so that a
    /// request whose pack never came (timed out) or did not cover what was spent meanwhile is
    /// followed by another once the guards allow, instead of the account being stuck below
    /// for good. Rises (top-ups, refunds, resets) never trigger. The guards then apply in
    /// order: a request in flight (until ``ThresholdLatches/recordPackArrival()`` or
    /// `inFlightTimeoutMs`), the cooldown since the last request, and the monthly cap (requests
    /// counted per calendar month, UTC). The quantity is `ceil((below − after) / pack credits)`,
    /// at least 1, so the packs bring `available` back to at least `below` in one charge.
    public static func decide(
        before: Credits, after: Credits, state: AutoTopUpState, policy: AutoTopUpPolicy,
        nowMs: Int64
    ) -> AutoTopUpDecision {
        guard after < policy.below, after < before, policy.packCredits > 0 else {
            return .notTriggered
        }
        if let since = state.inFlightSinceMs {
            let until = saturatingAdd(since, max(0, policy.inFlightTimeoutMs))
            if nowMs < until { return .inFlight(untilMs: until) }
        }
        if let last = state.lastRequestAtMs {
            let until = saturatingAdd(last, max(0, policy.cooldownMs))
            if nowMs < until { return .coolingDown(untilMs: until) }
        }
        let month = UTCDateTime(epochMs: nowMs).monthNumber
        if let cap = policy.monthlyCap, state.month == month, state.requestsThisMonth >= cap {
            return .monthlyCapReached(cap: cap)
        }
        let gap = saturatingSubtract(policy.below, after)
        let quantity = max(1, (gap - 1) / policy.packCredits + 1)
        let (credits, overflow) = quantity.multipliedReportingOverflow(by: policy.packCredits)
        return .request(quantity: quantity, credits: overflow ? .max : credits)
    }

    /// The state after a request made at `nowMs`.
    static func recordingRequest(_ state: AutoTopUpState, atMs nowMs: Int64) -> AutoTopUpState {
        let month = UTCDateTime(epochMs: nowMs).monthNumber
        var state = state
        state.inFlightSinceMs = nowMs
        state.lastRequestAtMs = nowMs
        // Saturates rather than traps, whatever was stored.
        state.requestsThisMonth =
            state.month == month ? max(1, min(state.requestsThisMonth, .max - 1) + 1) : 1
        state.month = month
        return state
    }
}
