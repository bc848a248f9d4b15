// The engine's contract case by case: idempotency (also across restarts), hold expiry on the manual
// clock, captures, refunds with lineage, ledger pages and the account rejections.
import TallyCore
@testable import TallyEngine
import TallyStore
import TallyTesting
import Testing

@Suite struct IdempotencyTests {
    @Test func replayReturnsTheSameAnswerAndChargesOnce() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "acct", credits: 100)

        let first = try await debit(engine, "acct", 30, key: "k1")
        let again = try await debit(engine, "acct", 30, key: "k1")

        #expect(!first.replayed)
        #expect(again.replayed)
        #expect(again.value == first.value)
        #expect(try await engine.account("acct").balance.available == 70)
        try await harness.finish()
    }

    @Test func sameKeyWithDifferentRequestIsRefused() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "acct", credits: 100)
        try await debit(engine, "acct", 30, key: "k1")

        let other = await rejection { () async throws(EngineError) in try await debit(engine, "acct", 31, key: "k1") }
        let credit = await rejection { () async throws(EngineError) in
            try await engine.addCredits("acct", CreditRequest(amount: 30, source: .topup), idempotencyKey: "k1")
        }

        #expect(other == .idempotencyKeyReused)
        #expect(credit == .idempotencyKeyReused)
        #expect(try await engine.account("acct").balance.available == 70)
        try await harness.finish()
    }

    @Test func keysArePerAccount() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "a", credits: 100)
        try await openAccount(engine, "b", credits: 100)

        let onA = try await debit(engine, "a", 10, key: "shared")
        let onB = try await debit(engine, "b", 10, key: "shared")

        #expect(!onA.replayed && !onB.replayed)
        #expect(try await engine.account("b").balance.available == 90)
        try await harness.finish()
    }

    @Test func keysSurviveARestart() async throws {
        let harness = try Harness()
        try await openAccount(harness.engine, "acct", credits: 100)
        let first = try await debit(harness.engine, "acct", 30, key: "k1")
        let heldFirst = try await harness.engine.authorize(
            AuthorizeRequest(account: "acct", cost: 5, holdTTLMs: 60_000), idempotencyKey: "k2")

        try await harness.restart()
        let engine = harness.engine
        let again = try await debit(engine, "acct", 30, key: "k1")
        let heldAgain = try await engine.authorize(
            AuthorizeRequest(account: "acct", cost: 5, holdTTLMs: 60_000), idempotencyKey: "k2")
        let other = await rejection { () async throws(EngineError) in try await debit(engine, "acct", 1, key: "k1") }

        #expect(again.replayed && again.value == first.value)
        #expect(heldAgain.replayed && heldAgain.value == heldFirst.value)
        #expect(other == .idempotencyKeyReused)
        #expect(try await engine.account("acct").balance.available == 65)
        try await harness.finish()
    }

    @Test func aBusinessDenialIsStoredAndReplayed() async throws {
        let harness = try Harness()
        try await openAccount(harness.engine, "acct", credits: 10)
        let denied = await rejection { () async throws(EngineError) in try await debit(harness.engine, "acct", 50, key: "k1") }
        #expect(denied == .insufficientCredits(available: 10, requested: 50))

        _ = try await harness.engine.addCredits("acct", CreditRequest(amount: 100, source: .topup))
        try await harness.restart()
        let engine = harness.engine
        let again = await rejection { () async throws(EngineError) in try await debit(engine, "acct", 50, key: "k1") }

        #expect(again == .insufficientCredits(available: 10, requested: 50))
        #expect(try await engine.account("acct").balance.available == 110)
        try await harness.finish()
    }

    @Test func aKeyOlderThanRetentionAppliesAgain() async throws {
        let harness = try Harness(retentionMs: 3_600_000)
        let engine = harness.engine
        try await openAccount(engine, "acct", credits: 100)
        try await debit(engine, "acct", 10, key: "k1")
        harness.clock.advance(byMs: 3_600_001)

        let later = try await debit(engine, "acct", 10, key: "k1")

        #expect(!later.replayed)
        #expect(try await engine.account("acct").balance.available == 80)
        try await harness.finish()
    }

    @Test func keysAndHoldsSurviveEvictionFromMemory() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let configuration = EngineConfiguration(
            store: storeConfiguration(database.path), idleEvictionMs: 0)
        let engine = try Engine(configuration: configuration, clock: ManualClock(startMs: startMs))
        try await openAccount(engine, "acct", credits: 100)
        let first = try await debit(engine, "acct", 10, key: "k1")
        let held = try await hold(engine, "acct", 5)
        // Evict the idle account with the sweep the engine runs about once a second.
        await engine.registry.sweep()
        #expect(engine.loadedAccounts == 0)

        let again = try await debit(engine, "acct", 10, key: "k1")
        let captured = try await engine.capture(hold: held.id).value

        #expect(again.replayed && again.value == first.value)
        #expect(captured.balance.available == 85)
        await engine.close()
        #expect(try verifyLedger(database.path).violations.isEmpty)
    }

    @Test func invalidKeysAreRefused() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "acct", credits: 100)
        for key in ["", "has space", String(repeating: "k", count: 256)] {
            let outcome = await rejection { () async throws(EngineError) in try await debit(engine, "acct", 1, key: key) }
            #expect(outcome == .invalidIdempotencyKey, "\(key)")
        }
        try await harness.finish()
    }
}

@Suite struct HoldTests {
    @Test func anExpiredHoldGivesItsCreditsBack() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "acct", credits: 100)
        let held = try await hold(engine, "acct", 40, ttlMs: 10_000)
        #expect(held.expiresAtMs == startMs + 10_000)
        #expect(try await engine.account("acct").balance == Balance(credits: 60, held: 40, debt: 0, available: 60, overdraftLimit: 0))

        harness.clock.advance(byMs: 10_000)

        let view = try await engine.account("acct")
        #expect(view.balance == Balance(credits: 100, held: 0, debt: 0, available: 100, overdraftLimit: 0))
        #expect(view.pendingHolds.isEmpty)
        #expect(try await engine.hold(held.id).hold.status == .expired)
        try await harness.finish()
    }

    @Test func captureOrVoidAfterExpiryIsRefused() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "acct", credits: 100)
        let first = try await hold(engine, "acct", 40, ttlMs: 5_000)
        let second = try await hold(engine, "acct", 10, ttlMs: 5_000)
        harness.clock.advance(byMs: 6_000)

        let capture = await rejection { () async throws(EngineError) in try await engine.capture(hold: first.id) }
        let void = await rejection { () async throws(EngineError) in try await engine.void(hold: second.id) }

        #expect(capture == .holdNotPending(.expired))
        #expect(void == .holdNotPending(.expired))
        #expect(try await engine.account("acct").balance.available == 100)
        try await harness.finish()
    }

    @Test func captureLessEqualOrMoreThanHeld() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "acct", credits: 100)

        let less = try await engine.capture(hold: try await hold(engine, "acct", 30).id, amount: 20).value
        #expect(less.captured == 20 && less.released == 10 && less.balance.available == 80)
        let equal = try await engine.capture(hold: try await hold(engine, "acct", 30).id).value
        #expect(equal.captured == 30 && equal.released == 0 && equal.balance.available == 50)
        let more = try await engine.capture(hold: try await hold(engine, "acct", 10).id, amount: 25).value
        #expect(more.captured == 25 && more.released == 0 && more.balance.available == 25)
        #expect(try await engine.debit(more.debitID).amount == 25)

        let pending = try await hold(engine, "acct", 20)
        let tooMuch = await rejection { () async throws(EngineError) in try await engine.capture(hold: pending.id, amount: 40) }
        #expect(tooMuch == .insufficientCredits(available: 5, requested: 20))
        #expect(try await engine.hold(pending.id).hold.status == .pending)
        #expect(try await engine.account("acct").balance == Balance(credits: 5, held: 20, debt: 0, available: 5, overdraftLimit: 0))
        try await harness.finish()
    }

    @Test func aSettledHoldCannotBeSettledAgain() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "acct", credits: 100)
        let captured = try await hold(engine, "acct", 10)
        let voided = try await hold(engine, "acct", 10)
        _ = try await engine.capture(hold: captured.id)
        _ = try await engine.void(hold: voided.id)

        #expect(await rejection { () async throws(EngineError) in try await engine.capture(hold: captured.id) } == .holdNotPending(.captured))
        #expect(await rejection { () async throws(EngineError) in try await engine.void(hold: voided.id) } == .holdNotPending(.voided))
        try await harness.restart()
        let reopened = harness.engine
        #expect(await rejection { () async throws(EngineError) in try await reopened.void(hold: captured.id) } == .holdNotPending(.captured))
        #expect(await rejection { () async throws(EngineError) in try await reopened.capture(hold: -7) } == .holdNotFound)
        try await harness.finish()
    }

    @Test func holdTTLMustBeWithinBounds() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "acct", credits: 100)
        for ttl: Int64 in [999, 7 * 24 * 3_600_000 + 1] {
            #expect(await rejection { () async throws(EngineError) in try await hold(engine, "acct", 1, ttlMs: ttl) } == .invalidHoldTTL)
        }
        try await harness.finish()
    }
}

@Suite struct RefundTests {
    @Test func refundsFollowTheLineageBackwards() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "acct")
        let paid = try await engine.addCredits("acct", CreditRequest(amount: 50, source: .topup)).value.lot!
        let promo = try await engine.addCredits("acct", CreditRequest(amount: 20, source: .grant)).value.lot!
        let debitID = try await debit(engine, "acct", 60).value.id

        let record = try await engine.debit(debitID)
        #expect(record.lotParts.map(\.lot) == [promo.id, paid.id])
        #expect(record.lotParts.map(\.amount) == [20, 40])

        let partial = try await engine.refund(debit: debitID, amount: 45).value
        #expect(partial.amount == 45 && partial.totalRefunded == 45)
        let lots = try await engine.account("acct").lots
        #expect(lots.first { $0.id == paid.id }?.remaining == 50)
        #expect(lots.first { $0.id == promo.id }?.remaining == 5)

        let tooMuch = await rejection { () async throws(EngineError) in try await engine.refund(debit: debitID, amount: 20) }
        #expect(tooMuch == .refundExceedsDebit(refundable: 15))
        let rest = try await engine.refund(debit: debitID).value
        #expect(rest.amount == 15 && rest.totalRefunded == 60 && rest.balance.available == 70)
        #expect(await rejection { () async throws(EngineError) in try await engine.refund(debit: debitID) } == .refundExceedsDebit(refundable: 0))
        #expect(try await engine.debit(debitID).refunded == 60)
        #expect(await rejection { () async throws(EngineError) in try await engine.debit(-3) } == .debitNotFound)
        try await harness.finish()
    }

    @Test func aRefundToAnExpiredLotIsBookedAsExpired() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "acct")
        _ = try await engine.addCredits("acct", CreditRequest(amount: 30, source: .grant, expiresAtMs: startMs + 60_000))
        _ = try await engine.addCredits("acct", CreditRequest(amount: 30, source: .topup))
        let debitID = try await debit(engine, "acct", 40).value.id
        harness.clock.advance(byMs: 60_000)
        #expect(try await engine.account("acct").balance.available == 20)

        let refund = try await engine.refund(debit: debitID).value

        #expect(refund.amount == 40)
        #expect(refund.balance.available == 30)
        try await harness.finish()
    }

    @Test func aRefundOfADebtDebitReducesDebtFirst() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "acct", credits: 10, overdraftLimit: 50)
        let debitID = try await debit(engine, "acct", 40).value.id
        #expect(try await engine.account("acct").balance.debt == 30)

        let refund = try await engine.refund(debit: debitID, amount: 25).value

        #expect(refund.balance == Balance(credits: 0, held: 0, debt: 5, available: -5, overdraftLimit: 50))
        try await harness.finish()
    }
}

@Suite struct LedgerAndAccountTests {
    @Test func ledgerPagesAreGapFree() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "acct", credits: 500)
        for index in 1...12 {
            try await debit(engine, "acct", Credits(index))
            let held = try await hold(engine, "acct", 3)
            if index.isMultiple(of: 2) {
                _ = try await engine.void(hold: held.id)
            } else {
                _ = try await engine.capture(hold: held.id)
            }
        }
        var entries: [LedgerEntry] = []
        var after: Int64 = 0
        while true {
            let page = try await engine.ledger(EntryQuery(account: "acct", afterSeq: after, limit: 7))
            guard let last = page.last else { break }
            #expect(page.count <= 7)
            entries += page
            after = last.seq
        }

        #expect(entries.map(\.seq) == Array(1...Int64(entries.count)))
        #expect(entries.count == 1 + 12 * 3)
        #expect(entries.last?.availableAfter == (try await engine.account("acct").balance.available))
        #expect(entries.reduce(0) { $0 + $1.amount } == entries.last?.availableAfter)
        let ghost = await rejection { () async throws(EngineError) in try await engine.ledger(EntryQuery(account: "ghost", limit: 10)) }
        #expect(ghost == .accountNotFound)
        try await harness.finish()
    }

    @Test func unknownAccountsAreNotFound() async throws {
        let harness = try Harness()
        let engine = harness.engine
        #expect(await rejection { () async throws(EngineError) in try await engine.account("nobody") } == .accountNotFound)
        #expect(await rejection { () async throws(EngineError) in try await debit(engine, "nobody", 1) } == .accountNotFound)
        #expect(await rejection { () async throws(EngineError) in
            try await engine.addCredits("nobody", CreditRequest(amount: 1, source: .topup))
        } == .accountNotFound)
        #expect(await rejection { () async throws(EngineError) in
            try await engine.updateAccount("nobody", AccountChanges(status: .suspended))
        } == .accountNotFound)
        try await harness.finish()
    }

    @Test func creatingAnAccountTwiceIsRefused() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "acct")
        #expect(await rejection { () async throws(EngineError) in try await engine.createAccount(NewAccount(id: "acct")) } == .accountExists)
        try await harness.restart()
        let reopened = harness.engine
        #expect(await rejection { () async throws(EngineError) in try await reopened.createAccount(NewAccount(id: "acct")) } == .accountExists)
        try await harness.finish()
    }

    @Test func invalidAccountIDs() async throws {
        let harness = try Harness()
        let engine = harness.engine
        for id in ["", "has space", "slash/no", "é", String(repeating: "a", count: 129)] {
            #expect(await rejection { () async throws(EngineError) in try await engine.createAccount(NewAccount(id: id)) } == .invalidAccountID, "\(id)")
        }
        _ = try await engine.createAccount(NewAccount(id: "A-z_0.9:x@y-" + String(repeating: "b", count: 116)))
        // An id that cannot exist is simply not found when looked up.
        #expect(await rejection { () async throws(EngineError) in try await engine.account("has space") } == .accountNotFound)
        try await harness.finish()
    }

    @Test func aSuspendedAccountCannotSpend() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "acct", credits: 100)
        _ = try await engine.updateAccount("acct", AccountChanges(status: .suspended))

        #expect(await rejection { () async throws(EngineError) in try await debit(engine, "acct", 1) } == .accountSuspended)
        #expect(await rejection { () async throws(EngineError) in try await hold(engine, "acct", 1) } == .accountSuspended)
        let credited = try await engine.addCredits("acct", CreditRequest(amount: 5, source: .topup)).value
        #expect(credited.balance.available == 105)

        _ = try await engine.updateAccount("acct", AccountChanges(status: .active))
        #expect(try await debit(engine, "acct", 1).value.balance.available == 104)
        try await harness.finish()
    }
}
