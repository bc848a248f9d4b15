// An independent model of one wallet, written from DESIGN §2 (lots, burn-down order, debt,
// holds, refunds, expiry) without TallyCore's rules; the simulation checks the engine against it.
import TallyCore

/// One account as DESIGN §2 describes it, kept as plain arrays. Only TallyCore's value types
/// (`Rejection`, `HoldStatus`, `LotSource`) are shared, never its rules.
struct ReferenceWallet {
    struct Parcel {
        var source: LotSource = .topup
        let promotional: Bool
        let priority: Int
        let expiresAt: Int64?
        let createdAt: Int64
        var remaining: Int64
        var reserved: Int64 = 0
        var consumed: Int64 = 0
        var expired: Int64 = 0

        func isExpired(_ now: Int64) -> Bool { expiresAt.map { $0 <= now } ?? false }
    }

    struct Reservation {
        let amount: Int64
        let expiresAt: Int64
        var parts: [Int: Int64]
        var uncovered: Int64
        var status: HoldStatus
        var held: Int64 { parts.values.reduce(uncovered, +) }
    }

    struct Charge {
        var parts: [(parcel: Int, amount: Int64)] = []
        var debt: Int64 = 0
        var refundedParts: [Int: Int64] = [:]
        var refundedDebt: Int64 = 0
        var total: Int64 { parts.reduce(debt) { $0 + $1.amount } }
        var refunded: Int64 { refundedParts.values.reduce(refundedDebt, +) }

        mutating func add(_ parcel: Int, _ amount: Int64) {
            if let index = parts.firstIndex(where: { $0.parcel == parcel }) {
                parts[index].amount += amount
            } else {
                parts.append((parcel, amount))
            }
        }
    }

    static let maxAmount: Int64 = 1_000_000_000_000_000
    static let maxHoldTTL: Int64 = 7 * 24 * 3_600_000

    var overdraftLimit: Int64
    var suspended = false
    var debt: Int64 = 0
    var parcels: [Parcel] = []
    var reservations: [Reservation] = []
    var charges: [Charge] = []

    /// The plan, its running period and the usage counted in it.
    var subscription: ReferencePlan?
    var used: Int64 = 0
    var alerts = ReferenceAlerts(levels: [])

    init(overdraftLimit: Int64) { self.overdraftLimit = overdraftLimit }

    // MARK: Balance

    var credits: Int64 { parcels.reduce(0) { $0 + $1.remaining } }
    var held: Int64 { reservations.reduce(0) { $0 + ($1.status == .pending ? $1.held : 0) } }
    /// Hold parts that no lot could cover are reserved against the overdraft.
    var uncovered: Int64 { reservations.reduce(0) { $0 + ($1.status == .pending ? $1.uncovered : 0) } }
    var available: Int64 { credits - debt - uncovered }

    /// Whether parcel `a` pays before parcel `b` (DESIGN §2, burn-down order).
    func paysFirst(_ a: Int, _ b: Int) -> Bool {
        let x = parcels[a], y = parcels[b]
        if x.priority != y.priority { return x.priority < y.priority }
        switch (x.expiresAt, y.expiresAt) {
        case let (l?, r?) where l != r: return l < r
        case (.some, nil): return true
        case (nil, .some): return false
        default: break
        }
        if x.promotional != y.promotional { return x.promotional }
        if x.createdAt != y.createdAt { return x.createdAt < y.createdAt }
        return a < b
    }

    func spendable() -> [Int] { parcels.indices.filter { parcels[$0].remaining > 0 }.sorted(by: paysFirst) }

    // MARK: Time

    /// Starts every plan period that began by `now` (each after what expired before it), then
    /// releases holds past their expiry and books what is left in expired lots as expired.
    mutating func passTime(to now: Int64) {
        while let plan = subscription, plan.periodEnd <= now {
            expireThrough(plan.periodEnd - 1)
            startPeriod(at: plan.periodEnd)
        }
        expireThrough(now)
    }

    private mutating func expireThrough(_ now: Int64) {
        for index in reservations.indices where reservations[index].status == .pending && reservations[index].expiresAt <= now {
            release(index, as: .expired, now: now)
        }
        for index in parcels.indices where parcels[index].remaining > 0 && parcels[index].isExpired(now) {
            parcels[index].expired += parcels[index].remaining
            parcels[index].remaining = 0
        }
    }

    private mutating func release(_ index: Int, as status: HoldStatus, now: Int64) {
        for (parcel, amount) in reservations[index].parts {
            parcels[parcel].reserved -= amount
            if parcels[parcel].isExpired(now) { parcels[parcel].expired += amount } else { parcels[parcel].remaining += amount }
        }
        reservations[index].parts = [:]
        reservations[index].uncovered = 0
        reservations[index].status = status
    }

    private func canCharge(_ cost: Int64) -> Rejection? {
        available - cost >= -overdraftLimit ? nil : .insufficientCredits(available: available, requested: cost)
    }

    private static func invalid(_ amount: Int64) -> Rejection? {
        (1...maxAmount).contains(amount) ? nil : .invalidAmount(amount)
    }

    // MARK: Operations

    /// Adds a lot; debt is repaid first. Returns the debt repaid and the new parcel, if any.
    mutating func addCredits(
        _ amount: Int64, source: LotSource, priority: Int?, expiresAt: Int64?, now: Int64
    ) -> Result<(repaid: Int64, parcel: Int?), Rejection> {
        passTime(to: now)
        if let rejection = Self.invalid(amount) { return .failure(rejection) }
        if let expiresAt, expiresAt <= now { return .failure(.invalidExpiry) }
        let defaultPriority = switch source {
        case .allowance, .rollover: 0
        case .grant: 5
        case .topup, .pack: 10
        }
        let priority = priority ?? defaultPriority
        guard (0...1_000).contains(priority) else { return .failure(.invalidPriority) }
        return .success(open(amount, source: source, priority: priority, expiresAt: expiresAt, now: now))
    }

    /// Repays debt from `amount` and opens a parcel with the rest.
    mutating func open(
        _ amount: Int64, source: LotSource, priority: Int, expiresAt: Int64?, now: Int64
    ) -> (repaid: Int64, parcel: Int?) {
        let repaid = min(debt, amount)
        debt -= repaid
        guard amount > repaid else { return (repaid, nil) }
        parcels.append(Parcel(
            source: source, promotional: source == .grant, priority: priority, expiresAt: expiresAt, createdAt: now,
            remaining: amount - repaid))
        return (repaid, parcels.count - 1)
    }

    /// Authorize-and-debit; what lots cannot cover becomes debt. Returns the charge number.
    mutating func debit(_ cost: Int64, now: Int64) -> Result<Int, Rejection> {
        if let rejection = Self.invalid(cost) { return .failure(rejection) }
        passTime(to: now)
        if suspended { return .failure(.accountSuspended) }
        if let rejection = canCharge(cost) { return .failure(rejection) }
        var charge = Charge()
        charge.debt = take(cost, into: &charge)
        debt += charge.debt
        charges.append(charge)
        used += cost
        return .success(charges.count - 1)
    }

    /// Consumes up to `amount` from lots in burn-down order; returns what they could not cover.
    private mutating func take(_ amount: Int64, into charge: inout Charge) -> Int64 {
        var left = amount
        for parcel in spendable() where left > 0 {
            let part = min(left, parcels[parcel].remaining)
            parcels[parcel].remaining -= part
            parcels[parcel].consumed += part
            charge.add(parcel, part)
            left -= part
        }
        return left
    }

    /// Reserves `amount` for `ttl` ms. Returns the reservation number.
    mutating func hold(_ amount: Int64, ttl: Int64, now: Int64) -> Result<Int, Rejection> {
        if let rejection = Self.invalid(amount) { return .failure(rejection) }
        guard (1_000...Self.maxHoldTTL).contains(ttl) else { return .failure(.invalidHoldTTL) }
        passTime(to: now)
        if suspended { return .failure(.accountSuspended) }
        if let rejection = canCharge(amount) { return .failure(rejection) }
        var left = amount
        var parts: [Int: Int64] = [:]
        for parcel in spendable() where left > 0 {
            let part = min(left, parcels[parcel].remaining)
            parcels[parcel].remaining -= part
            parcels[parcel].reserved += part
            parts[parcel] = part
            left -= part
        }
        reservations.append(Reservation(
            amount: amount, expiresAt: now + ttl, parts: parts, uncovered: left, status: .pending))
        return .success(reservations.count - 1)
    }

    /// Captures `amount` (default: the held amount) of a pending hold; the rest is released,
    /// an extra beyond the hold is charged like a debit.
    mutating func capture(
        _ index: Int, amount: Int64?, now: Int64
    ) -> Result<(charge: Int, captured: Int64, released: Int64), Rejection> {
        passTime(to: now)
        let hold = reservations[index]
        guard hold.status == .pending else { return .failure(.holdNotPending(hold.status)) }
        let captured = amount ?? hold.amount
        if let rejection = Self.invalid(captured) { return .failure(rejection) }
        let extra = max(0, captured - hold.held)
        // Taking more than was held is new spending, which a suspended account may not do.
        if extra > 0, suspended { return .failure(.accountSuspended) }
        if extra > 0, let rejection = canCharge(extra) { return .failure(rejection) }
        var charge = Charge()
        var left = captured - extra
        for parcel in hold.parts.keys.sorted(by: paysFirst) {
            let reserved = hold.parts[parcel] ?? 0
            let part = min(reserved, left)
            left -= part
            parcels[parcel].reserved -= reserved
            parcels[parcel].consumed += part
            if part > 0 { charge.add(parcel, part) }
            let rest = reserved - part
            if parcels[parcel].isExpired(now) { parcels[parcel].expired += rest } else { parcels[parcel].remaining += rest }
        }
        let fromOverdraft = min(hold.uncovered, left)
        charge.debt = fromOverdraft
        reservations[index].parts = [:]
        reservations[index].uncovered = 0
        reservations[index].status = .captured
        if extra > 0 { charge.debt += take(extra, into: &charge) }
        debt += charge.debt
        charges.append(charge)
        used += captured
        return .success((charges.count - 1, captured, max(0, hold.held - captured)))
    }

    /// Voids a pending hold; returns what it released.
    mutating func void(_ index: Int, now: Int64) -> Result<Int64, Rejection> {
        passTime(to: now)
        let hold = reservations[index]
        guard hold.status == .pending else { return .failure(.holdNotPending(hold.status)) }
        release(index, as: .voided, now: now)
        return .success(hold.held)
    }

    /// Refunds `amount` (default: all that is left) of a charge: the debt part first, then the
    /// lots in reverse order; a lot that has expired books its part as expired.
    mutating func refund(_ index: Int, amount: Int64?, now: Int64) -> Result<(amount: Int64, total: Int64), Rejection> {
        passTime(to: now)
        var charge = charges[index]
        let refundable = charge.total - charge.refunded
        guard refundable > 0 else { return .failure(.refundExceedsDebit(refundable: 0)) }
        let requested = amount ?? refundable
        if let rejection = Self.invalid(requested) { return .failure(rejection) }
        guard requested <= refundable else { return .failure(.refundExceedsDebit(refundable: refundable)) }
        var left = requested
        let debtPart = min(left, charge.debt - charge.refundedDebt)
        if debtPart > 0 {
            left -= debtPart
            charge.refundedDebt += debtPart
            let forgiven = min(debtPart, debt)
            debt -= forgiven
            // Debt repaid meanwhile comes back as fresh paid credits.
            if debtPart > forgiven {
                parcels.append(Parcel(
                    promotional: false, priority: 10, expiresAt: nil, createdAt: now, remaining: debtPart - forgiven))
            }
        }
        for part in charge.parts.reversed() where left > 0 {
            let back = min(left, part.amount - (charge.refundedParts[part.parcel] ?? 0))
            guard back > 0 else { continue }
            left -= back
            charge.refundedParts[part.parcel, default: 0] += back
            parcels[part.parcel].consumed -= back
            if parcels[part.parcel].isExpired(now) {
                parcels[part.parcel].expired += back
            } else {
                parcels[part.parcel].remaining += back
            }
        }
        charges[index] = charge
        used -= requested
        return .success((requested, charge.refunded))
    }

    /// Suspends or reactivates the account and/or changes its overdraft limit.
    mutating func update(suspend: Bool?, overdraftLimit limit: Int64?, now: Int64) -> Result<Void, Rejection> {
        passTime(to: now)
        if let limit {
            // What is already drawn on the line (debt, holds reserved against it) stays covered,
            // which keeps invariant 3 (debt ≤ limit, available ≥ −limit).
            guard (0...Self.maxAmount).contains(limit), limit >= debt + uncovered else { return .failure(.invalidOverdraftLimit) }
        }
        if let suspend { suspended = suspend }
        if let limit { overdraftLimit = limit }
        return .success(())
    }
}
