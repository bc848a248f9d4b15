// Concurrent callers cannot double-spend: racing debits and holds on one account, parallel load
// over many accounts, and one idempotency key sent many times at once all stay exact.
import TallyCore
import TallyEngine
import TallyStore
import TallyTesting
import Testing

@Suite struct ConcurrencyTests {
    /// How many of `callers` concurrent authorizations of 1 credit were approved; the rest must be
    /// refused as insufficient credits.
    private func race(_ engine: Engine, account: String, callers: Int, holdTTLMs: Int64?) async -> (approved: Int, refused: Int, other: [String]) {
        await withTaskGroup(of: String?.self) { group in
            for _ in 0..<callers {
                group.addTask {
                    do throws(EngineError) {
                        _ = try await engine.authorize(AuthorizeRequest(account: account, cost: 1, holdTTLMs: holdTTLMs))
                        return "approved"
                    } catch {
                        if error.rejection == .insufficientCredits(available: 0, requested: 1) { return "refused" }
                        return "\(error)"
                    }
                }
            }
            var result = (approved: 0, refused: 0, other: [String]())
            for await outcome in group {
                switch outcome {
                case "approved": result.approved += 1
                case "refused": result.refused += 1
                default: result.other.append(outcome ?? "nil")
                }
            }
            return result
        }
    }

    @Test func racingDebitsTakeExactlyTheLastCredits() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let engine = try openEngine(database.path, clock: ManualClock(startMs: startMs))
        try await openAccount(engine, "hot", credits: 1_000)

        let result = await race(engine, account: "hot", callers: 1_500, holdTTLMs: nil)

        #expect(result.approved == 1_000)
        #expect(result.refused == 500)
        #expect(result.other.isEmpty)
        let balance = try await engine.account("hot").balance
        #expect(balance.available == 0 && balance.credits == 0 && balance.debt == 0)
        await engine.close()
        #expect(try verifyLedger(database.path).violations.isEmpty)
    }

    @Test func racingHoldsReserveExactlyTheLastCredits() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let engine = try openEngine(database.path, clock: ManualClock(startMs: startMs))
        try await openAccount(engine, "hot", credits: 1_000)

        let result = await race(engine, account: "hot", callers: 1_500, holdTTLMs: 60_000)

        #expect(result.approved == 1_000)
        #expect(result.refused == 500)
        #expect(result.other.isEmpty)
        let view = try await engine.account("hot")
        #expect(view.balance.available == 0 && view.balance.held == 1_000 && view.balance.credits == 0)
        #expect(view.pendingHolds.count == 1_000)
        await engine.close()
        #expect(try verifyLedger(database.path).violations.isEmpty)
    }

    @Test func parallelLoadOverManyAccountsNeverDoubleSpends() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let engine = try openEngine(database.path, clock: ManualClock(startMs: startMs))
        var rng = SplitMix64(seed: 42)
        var funded: [String: (credits: Credits, limit: Credits)] = [:]
        for index in 0..<200 {
            let id = "load-\(index)"
            let limit: Credits = index % 4 == 0 ? rng.amount(1...30) : 0
            let credits = rng.amount(20...100)
            try await openAccount(engine, id, credits: credits, overdraftLimit: limit)
            funded[id] = (credits, limit)
        }
        let ids = funded.keys.sorted()
        let plan = (0..<8).map { _ in (0..<1_000).map { _ in (ids[rng.below(ids.count)], rng.amount(1...10)) } }

        let approved = await withTaskGroup(of: [String: Credits].self) { group in
            for debits in plan {
                group.addTask {
                    await withTaskGroup(of: (String, Credits).self) { inner in
                        for (account, cost) in debits {
                            inner.addTask {
                                let ok = (try? await engine.authorize(AuthorizeRequest(account: account, cost: cost))) != nil
                                return (account, ok ? cost : 0)
                            }
                        }
                        var sums: [String: Credits] = [:]
                        for await (account, cost) in inner { sums[account, default: 0] += cost }
                        return sums
                    }
                }
            }
            var total: [String: Credits] = [:]
            for await sums in group { total.merge(sums, uniquingKeysWith: +) }
            return total
        }

        for id in ids {
            let (credits, limit) = funded[id]!
            let spent = approved[id] ?? 0
            #expect(spent <= credits + limit, "\(id) spent \(spent) of \(credits) + \(limit)")
            let balance = try await engine.account(id).balance
            #expect(balance.available == credits - spent, "\(id)")
            #expect(balance.credits == max(0, credits - spent) && balance.debt == max(0, spent - credits), "\(id)")
        }
        await engine.close()
        let report = try verifyLedger(database.path)
        #expect(report.accounts == 200)
        #expect(report.violations.isEmpty, "\(report.violations)")
    }

    @Test func oneKeySentFiftyTimesAtOnceAppliesOnce() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let engine = try openEngine(database.path, clock: ManualClock(startMs: startMs))
        try await openAccount(engine, "keyed", credits: 100)

        let outcomes = await withTaskGroup(of: Result<Replayable<Authorization>, EngineError>.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    do throws(EngineError) {
                        return .success(try await debit(engine, "keyed", 7, key: "same-key"))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var all: [Result<Replayable<Authorization>, EngineError>] = []
            for await outcome in group { all.append(outcome) }
            return all
        }

        var applied: [Authorization] = []
        var replays: [Authorization] = []
        var inFlight = 0
        for outcome in outcomes {
            switch outcome {
            case .success(let result) where result.replayed: replays.append(result.value)
            case .success(let result): applied.append(result.value)
            case .failure(.rejected(.idempotencyKeyInFlight)): inFlight += 1
            case .failure(let error): Issue.record("unexpected \(error)")
            }
        }
        #expect(applied.count == 1)
        #expect(applied.count + replays.count + inFlight == 50)
        #expect(replays.allSatisfy { $0 == applied.first })
        #expect(try await engine.account("keyed").balance.available == 93)
        await engine.close()
        #expect(try verifyLedger(database.path).violations.isEmpty)
    }

    @Test func captureAndVoidRacingOnOneHoldSettleItOnce() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let engine = try openEngine(database.path, clock: ManualClock(startMs: startMs))
        try await openAccount(engine, "acct", credits: 1_000)
        var holds: [HoldID] = []
        for _ in 0..<50 { holds.append(try await hold(engine, "acct", 10).id) }

        let winners = await withTaskGroup(of: (HoldID, String?).self) { group in
            for id in holds {
                group.addTask { (try? await engine.capture(hold: id, amount: 6)) != nil ? (id, "capture") : (id, nil) }
                group.addTask { (try? await engine.void(hold: id)) != nil ? (id, "void") : (id, nil) }
            }
            var winners: [HoldID: [String]] = [:]
            for await (id, won) in group { if let won { winners[id, default: []].append(won) } }
            return winners
        }

        var captured = 0
        for id in holds {
            #expect(winners[id]?.count == 1, "hold \(id): \(winners[id] ?? [])")
            if winners[id] == ["capture"] { captured += 1 }
        }
        let balance = try await engine.account("acct").balance
        #expect(balance.held == 0 && balance.available == 1_000 - 6 * Credits(captured))
        await engine.close()
        #expect(try verifyLedger(database.path).violations.isEmpty)
    }

    @Test func concurrentRefundsNeverExceedTheDebit() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let engine = try openEngine(database.path, clock: ManualClock(startMs: startMs))
        try await openAccount(engine, "acct", credits: 100)
        let debitID = try await debit(engine, "acct", 100).value.id

        let refunded = await withTaskGroup(of: Credits.self) { group in
            for _ in 0..<30 {
                group.addTask { (try? await engine.refund(debit: debitID, amount: 7).value.amount) ?? 0 }
            }
            return await group.reduce(0, +)
        }

        #expect(refunded == 98)
        #expect(try await engine.debit(debitID).refunded == 98)
        #expect(try await engine.account("acct").balance.available == 98)
        await engine.close()
        #expect(try verifyLedger(database.path).violations.isEmpty)
    }
}
