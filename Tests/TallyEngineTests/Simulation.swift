// The simulation's engine driver: one stream with its own database, engine, manual clock, accounts
// and reference models; every call goes to both sides and the answers must agree.
import TallyCore
import TallyEngine
import TallyStore
import TallyTesting

/// One independent stream: its own database, engine, clock, accounts and models.
final class Simulation {
    /// What the simulation asks of the engine.
    enum Call: CustomStringConvertible {
        case credit(CreditRequest)
        case debit(Credits)
        case hold(Credits, ttlMs: Int64)
        case capture(Int, Credits?)
        case void(Int)
        case refund(Int, Credits?)
        case update(suspend: Bool?, limit: Credits?)

        var description: String {
            switch self {
            case .credit(let r): "credit \(r.amount) \(r.source) priority \(r.priority.map(String.init) ?? "-") expires \(r.expiresAtMs.map(String.init) ?? "-")"
            case .debit(let cost): "debit \(cost)"
            case .hold(let amount, let ttl): "hold \(amount) ttl \(ttl)"
            case .capture(let hold, let amount): "capture hold#\(hold) \(amount.map(String.init) ?? "all")"
            case .void(let hold): "void hold#\(hold)"
            case .refund(let debit, let amount): "refund debit#\(debit) \(amount.map(String.init) ?? "all")"
            case .update(let suspend, let limit): "update suspend \(suspend.map(String.init) ?? "-") limit \(limit.map(String.init) ?? "-")"
            }
        }
    }

    /// What the engine answered, reduced to what a replay must reproduce.
    enum Answer: Equatable {
        case credit(CreditReceipt)
        case authorization(Authorization)
        case capture(CaptureReceipt)
        case void(VoidReceipt)
        case refund(RefundReceipt)
        case updated
        case rejected(Rejection)
        case failed(String)
    }

    struct KeyedCall {
        let key: String
        let call: Call
        let answer: Answer
    }

    struct Wallet {
        let id: String
        var model: ReferenceWallet
        var holdIDs: [HoldID] = []
        var debitIDs: [Int64] = []
        var keyed: [KeyedCall] = []
        var keys: Set<String> = []
        var checkedDebits = 0
        /// The engine's lot id of each model parcel opened by a credit.
        var lotIDs: [Int: LotID] = [:]
        /// The last event of the account already compared with the model.
        var lastEventID: Int64 = 0
    }

    static let restartEvery = 2_500
    static let maxAccounts = 8
    /// Long enough that no key leaves retention during a run.
    static let retentionMs: Int64 = 3_650 * 24 * 3_600_000

    let seed: UInt64
    let stream: Int
    let path: String
    let clock = ManualClock(startMs: startMs)
    var rng: SplitMix64
    var engine: Engine
    var isOpen = true
    var wallets: [Wallet] = []
    var step = 0
    var keyCounter = 0
    /// How many calls of each kind were approved or refused, printed at the end.
    var counts: [String: Int] = [:]

    /// Odd streams let the engine evict idle accounts at every sweep (about once a second), so
    /// accounts are also reloaded from disk while the engine runs, not only at restarts.
    let idleEvictionMs: Int64

    init(seed: UInt64, stream: Int, path: String) throws {
        self.seed = seed
        self.stream = stream
        self.path = path
        idleEvictionMs = stream % 2 == 1 ? 0 : 300_000
        rng = SplitMix64(seed: seed ^ (UInt64(stream + 1) &* 0xD1B5_4A32_D192_ED03))
        engine = try Self.openEngine(path, clock: clock, idleEvictionMs: idleEvictionMs)
    }

    /// The plans accounts may be on: one day long with rollover, one week long without.
    static let catalog = Catalog(plans: [
        "sim-day": Plan(name: "sim-day", allowance: 300, period: .day, rolloverCap: 100, usageAlertsPercent: [50, 100]),
        "sim-week": Plan(name: "sim-week", allowance: 1_500, period: .week, usageAlertsPercent: [80]),
    ])

    /// Opens the engine with the simulation's plans and without the scheduler's timer: alerts
    /// are evaluated per request, so the model must see every request the engine evaluates, and
    /// a timer firing at real-time instants would add requests the model cannot know of. Accounts
    /// keep only 8 keys in memory, so repeats of older keys are answered from disk.
    static func openEngine(_ path: String, clock: ManualClock, idleEvictionMs: Int64) throws -> Engine {
        try TallyEngineTests.openEngine(
            path, clock: clock, retentionMs: retentionMs, idleEvictionMs: idleEvictionMs, catalog: catalog,
            dueWorkIntervalMs: 365 * 86_400_000, keysPerAccount: 8)
    }

    var now: Int64 { clock.nowMs() }

    func fail(_ message: String) -> SimulationFailure {
        SimulationFailure(description: "step \(step): \(message)")
    }

    func run(steps: Int) async throws {
        do {
            for index in 0..<steps {
                step = index
                try await runStep()
                if (index + 1) % Self.restartEvery == 0 {
                    try await restart()
                    try await checkDebits(all: false)
                }
            }
            try await restart()
            try await checkDebits(all: true)
            let summary = counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            print("stream \(stream): \(steps) steps, \(wallets.count) accounts: \(summary)")
        } catch {
            if isOpen { await engine.close() }
            throw error
        }
        await engine.close()
    }

    private func runStep() async throws {
        guard !wallets.isEmpty else { return try await createAccount() }
        let roll = rng.below(100)
        let account = rng.below(wallets.count)
        switch roll {
        case 0..<3: try await createAccount()
        case 3..<8: try await advanceClock()
        case 8..<10: try await apply(updateCall(account), to: account)
        case 10..<16: try await replay(account)
        case 16..<18: try await reuseKey(account)
        case 18..<19:
            if rng.chance(50) { try await unknownThings() } else { try await readHold(account) }
        case 19..<28: try await apply(.credit(creditRequest()), to: account)
        case 28..<55: try await apply(.debit(cost()), to: account)
        case 55..<68: try await apply(.hold(cost(), ttlMs: holdTTL()), to: account)
        case 68..<78: try await apply(captureCall(account), to: account)
        case 78..<84: try await apply(voidCall(account), to: account)
        default: try await apply(refundCall(account), to: account)
        }
        if roll >= 8 { try await compareBalance(account) }
    }

    // MARK: Engine and model side by side

    /// Sends `call` to the engine and reduces the answer.
    func send(_ call: Call, to account: Int, key: String?) async -> (Answer, replayed: Bool) {
        let wallet = wallets[account]
        let id = wallet.id
        do throws(EngineError) {
            switch call {
            case .credit(let request):
                let result = try await engine.addCredits(id, request, idempotencyKey: key)
                return (.credit(result.value), result.replayed)
            case .debit(let cost):
                let result = try await engine.authorize(AuthorizeRequest(account: id, cost: cost), idempotencyKey: key)
                return (.authorization(result.value), result.replayed)
            case .hold(let amount, let ttl):
                let result = try await engine.authorize(
                    AuthorizeRequest(account: id, cost: amount, holdTTLMs: ttl), idempotencyKey: key)
                return (.authorization(result.value), result.replayed)
            case .capture(let hold, let amount):
                let result = try await engine.capture(hold: wallet.holdIDs[hold], amount: amount, idempotencyKey: key)
                return (.capture(result.value), result.replayed)
            case .void(let hold):
                let result = try await engine.void(hold: wallet.holdIDs[hold], idempotencyKey: key)
                return (.void(result.value), result.replayed)
            case .refund(let debit, let amount):
                let result = try await engine.refund(debit: wallet.debitIDs[debit], amount: amount, idempotencyKey: key)
                return (.refund(result.value), result.replayed)
            case .update(let suspend, let limit):
                let changes = AccountChanges(status: suspend.map { $0 ? .suspended : .active }, overdraftLimit: limit)
                let result = try await engine.updateAccount(id, changes, idempotencyKey: key)
                return (.updated, result.replayed)
            }
        } catch {
            switch error {
            case .rejected(let rejection): return (.rejected(rejection), false)
            case .refused(let rejection, _, let replayed): return (.rejected(rejection), replayed)
            default: return (.failed("\(error)"), false)
            }
        }
    }

    /// Applies `call` to the engine (with a fresh key, sometimes) and to the model, and compares.
    func apply(_ call: Call, to account: Int) async throws {
        let key = rng.chance(30) ? freshKey(for: account) : nil
        let time = now
        let (answer, replayed) = await send(call, to: account, key: key)
        if replayed { throw fail("\(call) with fresh key \(key ?? "-") was replayed") }
        let kind = "\(call)".prefix { $0 != " " }
        if case .rejected(let why) = answer { counts["\(kind) refused \(why.code)", default: 0] += 1 } else { counts["\(kind) ok", default: 0] += 1 }
        try check(answer, of: call, on: account, at: time)
        // A request refused by validation before it reaches the account (a bad hold TTL, a bad
        // authorize cost) is not stored under its key, like Stripe; rule-level refusals are.
        if let key, !Self.refusedBeforeTheAccount(call, answer) {
            wallets[account].keyed.append(KeyedCall(key: key, call: call, answer: answer))
            wallets[account].keys.insert(key)
        }
    }

    /// A key never used on this account; sometimes one already used on another account.
    func freshKey(for account: Int) -> String {
        let other = rng.below(wallets.count)
        if other != account, rng.chance(10), let borrowed = wallets[other].keyed.last?.key,
            !wallets[account].keys.contains(borrowed)
        {
            return borrowed
        }
        keyCounter += 1
        return "s\(stream)-key-\(keyCounter)"
    }

    func check(_ answer: Answer, of call: Call, on account: Int, at time: Int64) throws {
        var wallet = wallets[account]
        let mismatch = { (expected: String) in
            self.fail("\(wallet.id) \(call): expected \(expected), engine answered \(answer)")
        }
        switch call {
        case .credit(let request):
            switch wallet.model.addCredits(request.amount, source: request.source, priority: request.priority, expiresAt: request.expiresAtMs, now: time) {
            case .failure(let rejection):
                guard answer == .rejected(rejection) else { throw mismatch("rejection \(rejection)") }
            case .success(let (repaid, parcel)):
                let lot = parcel.map { wallet.model.parcels[$0] }
                guard case .credit(let receipt) = answer, receipt.repaidDebt == repaid,
                    receipt.lot?.remaining == lot?.remaining, receipt.lot?.priority == lot?.priority,
                    receipt.lot?.expiresAtMs == lot?.expiresAt, receipt.lot?.source ?? request.source == request.source,
                    Self.matches(receipt.balance, wallet.model)
                else { throw mismatch("credit repaying \(repaid), lot \(String(describing: lot)), \(Self.describe(wallet.model))") }
                if let parcel, let id = receipt.lot?.id { wallet.lotIDs[parcel] = id }
            }
        case .debit(let cost):
            switch wallet.model.debit(cost, now: time) {
            case .failure(let rejection):
                guard answer == .rejected(rejection) else { throw mismatch("rejection \(rejection)") }
            case .success:
                guard case .authorization(let value) = answer, value.kind == .debit, value.cost == cost,
                    Self.matches(value.balance, wallet.model)
                else { throw mismatch("debit approved, \(Self.describe(wallet.model))") }
                wallet.debitIDs.append(value.id)
                if wallet.model.charges.last?.debt ?? 0 > 0 { counts["debit into debt", default: 0] += 1 }
            }
        case .hold(let amount, let ttl):
            switch wallet.model.hold(amount, ttl: ttl, now: time) {
            case .failure(let rejection):
                guard answer == .rejected(rejection) else { throw mismatch("rejection \(rejection)") }
            case .success:
                guard case .authorization(let value) = answer, value.kind == .hold, value.cost == amount,
                    value.expiresAtMs == time + ttl, Self.matches(value.balance, wallet.model)
                else { throw mismatch("hold approved, \(Self.describe(wallet.model))") }
                wallet.holdIDs.append(value.id)
                if wallet.model.reservations.last?.uncovered ?? 0 > 0 { counts["hold against overdraft", default: 0] += 1 }
            }
        case .capture(let hold, let amount):
            switch wallet.model.capture(hold, amount: amount, now: time) {
            case .failure(let rejection):
                guard answer == .rejected(rejection) else { throw mismatch("rejection \(rejection)") }
            case .success(let (_, captured, released)):
                guard case .capture(let value) = answer, value.captured == captured, value.released == released,
                    Self.matches(value.balance, wallet.model)
                else { throw mismatch("capture of \(captured) releasing \(released), \(Self.describe(wallet.model))") }
                wallet.debitIDs.append(value.debitID)
                let held = wallet.model.reservations[hold].amount
                counts[captured < held ? "capture less" : captured == held ? "capture equal" : "capture more", default: 0] += 1
            }
        case .void(let hold):
            switch wallet.model.void(hold, now: time) {
            case .failure(let rejection):
                guard answer == .rejected(rejection) else { throw mismatch("rejection \(rejection)") }
            case .success(let released):
                guard case .void(let value) = answer, value.released == released, Self.matches(value.balance, wallet.model)
                else { throw mismatch("void releasing \(released), \(Self.describe(wallet.model))") }
            }
        case .refund(let debit, let amount):
            let expiredBefore = wallet.model.parcels.reduce(0) { $0 + $1.expired }
            switch wallet.model.refund(debit, amount: amount, now: time) {
            case .failure(let rejection):
                guard answer == .rejected(rejection) else { throw mismatch("rejection \(rejection)") }
            case .success(let (refunded, total)):
                guard case .refund(let value) = answer, value.amount == refunded, value.totalRefunded == total,
                    Self.matches(value.balance, wallet.model)
                else { throw mismatch("refund of \(refunded) (total \(total)), \(Self.describe(wallet.model))") }
                if wallet.model.parcels.reduce(0, { $0 + $1.expired }) > expiredBefore { counts["refund to expired lot", default: 0] += 1 }
            }
        case .update(let suspend, let limit):
            switch wallet.model.update(suspend: suspend, overdraftLimit: limit, now: time) {
            case .failure(let rejection):
                guard answer == .rejected(rejection) else { throw mismatch("rejection \(rejection)") }
            case .success:
                guard answer == .updated else { throw mismatch("update applied, \(Self.describe(wallet.model))") }
            }
        }
        // The engine evaluates alerts in every request that reaches the account.
        if !Self.refusedBeforeTheAccount(call, answer) { wallet.model.settleAlerts() }
        wallets[account] = wallet
    }

    /// Whether the engine refused `call` while validating its input, before reaching the account.
    static func refusedBeforeTheAccount(_ call: Call, _ answer: Answer) -> Bool {
        switch (call, answer) {
        case (.hold, .rejected(.invalidHoldTTL)): true
        case (.debit, .rejected(.invalidAmount)), (.hold, .rejected(.invalidAmount)): true
        default: false
        }
    }

    /// Repeats an earlier keyed call: the engine must replay the first answer and change nothing.
    func replay(_ account: Int) async throws {
        let keyed = wallets[account].keyed
        guard !keyed.isEmpty else { return }
        let earlier = keyed[rng.chance(60) ? keyed.count - 1 - rng.below(min(keyed.count, 10)) : rng.below(keyed.count)]
        let (answer, replayed) = await send(earlier.call, to: account, key: earlier.key)
        counts["replay", default: 0] += 1
        // Denials are stored and replayed like approvals, and say so.
        guard replayed, answer == earlier.answer else {
            throw fail("retry of \(earlier.call) key \(earlier.key): first \(earlier.answer), now \(answer) replayed \(replayed)")
        }
    }

    /// Sends a different request under a key this account already used.
    func reuseKey(_ account: Int) async throws {
        guard let earlier = wallets[account].keyed.randomElement(using: &rng) else { return }
        let wallet = wallets[account]
        let request = AuthorizeRequest(account: wallet.id, cost: 1, operation: "reused-key")
        let outcome: String
        do throws(EngineError) {
            let result = try await engine.authorize(request, idempotencyKey: earlier.key)
            outcome = "approved \(result.value) replayed \(result.replayed)"
        } catch {
            if case .rejected(.idempotencyKeyReused) = error { return }
            outcome = "\(error)"
        }
        throw fail("key \(earlier.key) first used for \(earlier.call) (\(earlier.answer)), reused for a debit of 1: \(outcome)")
    }

    /// Reading a hold shows the model's status; one past its expiry reads expired.
    func readHold(_ account: Int) async throws {
        guard let index = pickHold(account) else { return }
        let due = wallets[account].model.reservations[index]
        wallets[account].model.passTime(to: now)
        // The engine reads a hold due to expire through its account, which runs that request.
        if due.status == .pending, due.expiresAt <= now { wallets[account].model.settleAlerts() }
        let expected = wallets[account].model.reservations[index]
        let id = wallets[account].holdIDs[index]
        let view: HoldView
        do throws(EngineError) { view = try await engine.hold(id) } catch { throw fail("reading hold \(id): \(error)") }
        guard view.account == wallets[account].id, view.hold.status == expected.status, view.hold.amount == expected.amount,
            view.hold.expiresAtMs == expected.expiresAt
        else { throw fail("hold \(id) reads \(view.hold.status) \(view.hold.amount), model \(expected.status) \(expected.amount)") }
    }

    /// Accounts, holds and debits that do not exist are refused and change nothing.
    func unknownThings() async throws {
        let ghost = "s\(stream)-ghost-\(rng.below(5))"
        let found: [(Rejection?, Rejection)] = [
            (await rejection { () async throws(EngineError) in try await engine.authorize(AuthorizeRequest(account: ghost, cost: 1)) }, .accountNotFound),
            (await rejection { () async throws(EngineError) in try await engine.addCredits(ghost, CreditRequest(amount: 5, source: .topup)) }, .accountNotFound),
            (await rejection { () async throws(EngineError) in try await engine.capture(hold: -1) }, .holdNotFound),
            (await rejection { () async throws(EngineError) in try await engine.refund(debit: -1) }, .debitNotFound),
        ]
        for (got, expected) in found where got != expected {
            throw fail("expected \(expected) for something unknown, got \(String(describing: got))")
        }
    }

    func createAccount() async throws {
        if wallets.count >= Self.maxAccounts {
            let existing = wallets[rng.below(wallets.count)].id
            let outcome = await rejection { () async throws(EngineError) in try await engine.createAccount(NewAccount(id: existing)) }
            guard outcome == .accountExists else { throw fail("creating \(existing) again: \(String(describing: outcome))") }
            return
        }
        let id = "s\(stream)-acct_\(wallets.count):\(rng.below(1_000))@x.y"
        let limit: Credits = rng.chance(50) ? 0 : rng.amount(1...300)
        let levels: [Credits] = [[], [], [100], [50, 0], [200, -20]][rng.below(5)]
        let plan = [nil, nil, "sim-day", "sim-week"][rng.below(4)]
        var model = ReferenceWallet(overdraftLimit: limit)
        model.alerts = ReferenceAlerts(levels: levels)
        if let plan, let terms = Self.catalog.plans[plan] {
            model.subscribe(
                lengthMs: terms.period.fixedLengthMs ?? 0, allowance: terms.allowance, rolloverCap: terms.effectiveRolloverCap,
                usagePercents: terms.usageAlertsPercent ?? [], now: now)
        }
        model.settleAlerts()
        let view: AccountView
        do throws(EngineError) {
            view = try await engine.createAccount(NewAccount(id: id, overdraftLimit: limit, thresholds: levels, plan: plan)).value
        } catch {
            throw fail("creating \(id): \(error)")
        }
        guard Self.matches(view.balance, model) else { throw fail("new account \(id) has balance \(view.balance)") }
        wallets.append(Wallet(id: id, model: model))
    }

    func advanceClock() async throws {
        let nextHoldExpiry = wallets.flatMap { $0.model.reservations }
            .filter { $0.status == .pending && $0.expiresAt > now }.map(\.expiresAt).min()
        if let nextHoldExpiry, rng.chance(15) {
            clock.advance(byMs: nextHoldExpiry - now)  // lands exactly on an expiry
        } else {
            let step: Int64 = switch rng.below(100) {
            case 0..<60: rng.amount(1...30_000)
            case 60..<90: rng.amount(30_001...1_800_000)
            default: rng.amount(1_800_001...7_200_000)
            }
            clock.advance(byMs: step)
        }
        for account in wallets.indices { try await compareBalance(account) }
    }

}
