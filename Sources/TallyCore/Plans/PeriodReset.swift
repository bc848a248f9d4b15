/// Remaining credits of one lot that a period rule books as expired.
public struct LotExpiry: Sendable, Hashable {
    public let lot: LotID
    public let credits: Credits

    /// Creates an expiry of `credits` of `lot`.
    public init(lot: LotID, credits: Credits) {
        self.lot = lot
        self.credits = credits
    }
}

/// What the start of a new period does to an account on a plan, as values the engine turns into
/// ledger entries.
///
/// The engine books ``expirations`` (one `expire` entry per lot, at the period start), then
/// credits ``rollover`` and then ``allowance`` through the credit rule, which repays debt first.
/// Crediting the rollover first gives it the lower lot id, so with equal priority and expiry it
/// burns before the new allowance: a rollover never rolls again, while unused allowance may.
public struct PeriodReset: Sendable, Hashable {
    /// The previous allowance and rollover lots' remaining credits, all of them.
    public let expirations: [LotExpiry]
    /// The unused allowance carried into the new period, or nil when nothing rolls over.
    public let rollover: CreditRequest?
    /// The new period's allowance, or nil when the plan grants nothing.
    public let allowance: CreditRequest?

    /// Creates a reset.
    public init(expirations: [LotExpiry], rollover: CreditRequest?, allowance: CreditRequest?) {
        self.expirations = expirations
        self.rollover = rollover
        self.allowance = allowance
    }

    /// Σ credits booked as expired by the reset.
    public var expiredCredits: Credits { expirations.reduce(0) { $0 + $1.credits } }

    /// The credits carried over.
    public var rolledOverCredits: Credits { rollover?.amount ?? 0 }

    /// The credits truly lost (breakage): expired minus what came back as the rollover lot.
    ///
    /// The ledger books the whole remaining of the old lots as expired and opens the rollover as
    /// a fresh lot, because a lot's credits never move to another lot; usage reports subtract
    /// the rollover to show breakage.
    public var breakageCredits: Credits { expiredCredits - rolledOverCredits }
}

/// The rules that start periods and change plans.
public enum PeriodRules {
    /// The reference text on allowance lots (`allowance:<period index>`).
    public static func allowanceReference(_ period: Period) -> String {
        "allowance:\(period.index)"
    }

    /// The reference text on rollover lots (`rollover:<period index>`).
    public static func rolloverReference(_ period: Period) -> String { "rollover:\(period.index)" }

    /// The reset at the start of `period` for an account on `plan`.
    ///
    /// `allowanceLots` and `rolloverLots` are the account's live lots of those sources, as they
    /// stand at the boundary and before the expiry rule has booked them (they expire at this
    /// very instant; the reset's expirations replace the expiry rule's for them). Their remaining
    /// credits all expire; reserved credits stay with their holds and follow the expiry rule.
    ///
    /// Rollover: `min(Σ remaining of the allowance lots, rollover_cap)` becomes one `rollover`
    /// lot expiring at the period's end. Only allowance rolls over: an old rollover lot's
    /// remaining expires and is never carried again (as in OpenMeter and Lago, where a rollover
    /// lives one period), so unused credits cannot pile up past one period's cap.
    ///
    /// `plan` is the plan in force for the new period: a change scheduled for this boundary
    /// passes the new plan, whose cap then decides what carries over (the change takes effect at
    /// the period start, and the rollover happens there).
    public static func reset(
        allowanceLots: [Lot], rolloverLots: [Lot], plan: Plan, period: Period
    ) -> PeriodReset {
        var expirations: [LotExpiry] = []
        var unused: Credits = 0
        for lot in allowanceLots where lot.remaining > 0 {
            expirations.append(LotExpiry(lot: lot.id, credits: lot.remaining))
            unused = saturatingAdd(unused, lot.remaining)
        }
        for lot in rolloverLots where lot.remaining > 0 {
            expirations.append(LotExpiry(lot: lot.id, credits: lot.remaining))
        }
        let carried = min(unused, plan.effectiveRolloverCap, Limits.amount.upperBound)
        let rollover =
            carried > 0
            ? CreditRequest(
                amount: carried, source: .rollover, expiresAtMs: period.endMs,
                reference: rolloverReference(period))
            : nil
        return PeriodReset(
            expirations: expirations, rollover: rollover,
            allowance: allowanceRequest(plan.allowance, period: period))
    }

    /// An allowance lot of `amount` for `period`, or nil when there is nothing to grant.
    static func allowanceRequest(_ amount: Credits, period: Period) -> CreditRequest? {
        guard amount > 0 else { return nil }
        return CreditRequest(
            amount: min(amount, Limits.amount.upperBound), source: .allowance,
            expiresAtMs: period.endMs, reference: allowanceReference(period))
    }
}

/// `lhs + rhs`, pinned to `Int64.max` / `Int64.min` instead of trapping.
@inline(__always)
func saturatingAdd(_ lhs: Int64, _ rhs: Int64) -> Int64 {
    let (sum, overflow) = lhs.addingReportingOverflow(rhs)
    guard overflow else { return sum }
    return rhs > 0 ? .max : .min
}

/// `lhs − rhs`, pinned to `Int64.max` / `Int64.min` instead of trapping.
@inline(__always)
func saturatingSubtract(_ lhs: Int64, _ rhs: Int64) -> Int64 {
    let (difference, overflow) = lhs.subtractingReportingOverflow(rhs)
    guard overflow else { return difference }
    return rhs < 0 ? .max : .min
}
