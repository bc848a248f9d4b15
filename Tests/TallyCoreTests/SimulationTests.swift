// A seeded random walk through every rule (the engine's way: expire first, then the operation)
// keeps every invariant after every step; the harness checks them, this drives it.
import Testing
import TallyCore
import TallyTesting


@Suite struct SimulationTests {
    @Test(arguments: [UInt64(1), 2, 3, 42, 2_026])
    func randomWalkKeepsTheInvariants(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var ledger = Ledger(overdraft: Credits.random(in: 0...50, using: &random))
        var now = t0
        var debits: [DebitRecord] = []
        var outcomes: [String: Int] = [:]
        for _ in 0..<400 {
            now += Int64.random(in: 0...40, using: &random)
            ledger.expire(at: now)
            let amount = Credits.random(in: 1...40, using: &random)
            let step = Int.random(in: 0..<100, using: &random)
            do {
                switch step {
                case 0..<25:
                    let source = LotSource.allCases.randomElement(using: &random)!
                    let expiry: Int64? = Bool.random(using: &random) ? now + Int64.random(in: 1...300, using: &random) : nil
                    let priority: Int? = Bool.random(using: &random) ? Int.random(in: 0...10, using: &random) : nil
                    try ledger.credit(amount, source: source, priority: priority, expiresAt: expiry, at: now)
                    outcomes["credit", default: 0] += 1
                case 25..<50:
                    debits.append(ledger.record(of: try ledger.debit(amount, at: now)))
                    outcomes["debit", default: 0] += 1
                case 50..<65:
                    try ledger.hold(amount, expiresAt: now + Int64.random(in: 1...200, using: &random), at: now)
                    outcomes["hold", default: 0] += 1
                case 65..<80:
                    guard let hold = ledger.state.holds.values.randomElement(using: &random) else { continue }
                    let captured: Credits? = Bool.random(using: &random) ? nil : Credits.random(in: 1...(hold.amount + 20), using: &random)
                    debits.append(ledger.record(of: try ledger.capture(hold.id, captured, at: now)))
                    outcomes["capture", default: 0] += 1
                case 80..<88:
                    guard let hold = ledger.state.holds.values.randomElement(using: &random) else { continue }
                    try ledger.release(hold.id, at: now)
                    outcomes["void", default: 0] += 1
                case 88..<98:
                    guard let index = debits.indices.randomElement(using: &random) else { continue }
                    let part: Credits? = Bool.random(using: &random) ? nil : Credits.random(in: 1...max(1, debits[index].refundable + 5), using: &random)
                    let result = try ledger.refund(debits[index], part, at: now)
                    #expect(result.debit.refunded <= result.debit.amount)
                    debits[index] = result.debit
                    outcomes["refund", default: 0] += 1
                default:
                    try ledger.update(AccountChanges(overdraftLimit: ledger.state.account.overdraftLimit + amount), at: now)
                }
            } catch {
                outcomes["rejected \(error.code)", default: 0] += 1
            }
        }
        ledger.checkInvariants(fullReplay: true)
        ledger.expire(at: .max)
        ledger.checkInvariants(fullReplay: true)
        #expect(ledger.state.holds.isEmpty && ledger.state.uncovered == 0)
        #expect(ledger.state.liveLots.allSatisfy { $0.expiresAtMs == nil })
        // Σ amounts = Σ consumed + expired + remaining + reserved, and the ledger's amounts sum
        // to the final available.
        let lots = ledger.state.lots.values
        #expect(lots.reduce(0) { $0 + $1.amount } == lots.reduce(0) { $0 + $1.consumed + $1.expired + $1.remaining + $1.reserved })
        #expect(ledger.entries.reduce(0) { $0 + $1.amount } == ledger.state.available)
        #expect(outcomes.keys.filter { !$0.hasPrefix("rejected") }.count >= 5, "\(outcomes)")
    }
}
