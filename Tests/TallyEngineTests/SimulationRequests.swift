// The simulation's random requests: amounts, lots, hold TTLs, captures less/equal/more than held,
// refunds partial/full/too large, settings changes; some deliberately invalid.
import TallyCore
import TallyEngine

extension Simulation {
    // MARK: Requests

    func cost() -> Credits {
        switch rng.below(100) {
        case 0..<85: rng.amount(1...40)
        case 85..<95: rng.amount(41...200)
        case 95..<98: rng.amount(-2...0)
        default: rng.amount(201...1_000)
        }
    }

    func holdTTL() -> Int64 {
        switch rng.below(100) {
        case 0..<2: 999
        case 2..<4: ReferenceWallet.maxHoldTTL + 1
        case 4..<30: rng.amount(1_000...60_000)
        default: rng.amount(60_001...7_200_000)
        }
    }

    func creditRequest() -> CreditRequest {
        let amount = rng.chance(3) ? 0 : (rng.chance(88) ? rng.amount(1...100) : rng.amount(101...1_000))
        let source: LotSource = [.topup, .topup, .topup, .grant, .grant, .pack, .allowance][rng.below(7)]
        let priority: Int? = switch rng.below(100) {
        case 0..<60: nil
        case 60..<98: rng.below(21)
        default: 1_001
        }
        let expiresAtMs: Int64? = switch rng.below(100) {
        case 0..<60: nil
        case 60..<98: now + rng.amount(1_000...21_600_000)
        default: now - rng.amount(0...1_000)
        }
        return CreditRequest(
            amount: amount, source: source, priority: priority, expiresAtMs: expiresAtMs,
            reference: rng.chance(30) ? "pay-\(rng.below(1_000_000))" : nil)
    }

    /// A hold of this account: mostly a pending one, sometimes any.
    func pickHold(_ account: Int) -> Int? {
        let model = wallets[account].model
        guard !model.reservations.isEmpty else { return nil }
        let pending = model.reservations.indices.filter { model.reservations[$0].status == .pending }
        if !pending.isEmpty, rng.chance(80) { return pending[rng.below(pending.count)] }
        return rng.below(model.reservations.count)
    }

    func captureCall(_ account: Int) -> Call {
        guard let hold = pickHold(account) else { return .debit(cost()) }
        let amount = wallets[account].model.reservations[hold].amount
        return switch rng.below(100) {
        case 0..<35: .capture(hold, nil)
        case 35..<60: .capture(hold, amount > 1 ? rng.amount(1...(amount - 1)) : amount)
        case 60..<75: .capture(hold, amount)
        case 75..<95: .capture(hold, amount + rng.amount(1...100))
        default: .capture(hold, 0)
        }
    }

    func voidCall(_ account: Int) -> Call {
        guard let hold = pickHold(account) else { return .hold(cost(), ttlMs: holdTTL()) }
        return .void(hold)
    }

    func refundCall(_ account: Int) -> Call {
        let charges = wallets[account].model.charges
        guard !charges.isEmpty else { return .debit(cost()) }
        // Recent debits are the interesting ones; old ones are mostly refunded already.
        let index = rng.chance(70) ? max(0, charges.count - 1 - rng.below(20)) : rng.below(charges.count)
        let left = charges[index].total - charges[index].refunded
        return switch rng.below(100) {
        case 0..<40: .refund(index, nil)
        case 40..<80: .refund(index, left > 1 ? rng.amount(1...left) : 1)
        case 80..<95: .refund(index, left + rng.amount(1...50))
        default: .refund(index, 0)
        }
    }

    func updateCall(_ account: Int) -> Call {
        let model = wallets[account].model
        if model.suspended { return .update(suspend: rng.chance(90) ? false : nil, limit: nil) }
        if rng.chance(8) { return .update(suspend: true, limit: nil) }
        return .update(suspend: nil, limit: rng.chance(10) ? model.debt + model.uncovered : rng.amount(0...300))
    }
}
