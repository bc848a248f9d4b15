// Proves the price book and packs through the engine: authorize by operation costs unit price
// times quantity (refusing unknown operations, bad quantities and overflow), and a pack purchase
// adds a `pack` lot with the pack's expiry that a retried payment confirmation never doubles.
import Foundation
import TallyTesting
import Testing
import TallyCore
import TallyEngine
import TallyStore

@Suite struct CatalogTests {
    static let catalog = Catalog(
        packs: [
            "starter": Pack(name: "starter", credits: 1_000, priceAmount: 900, priceCurrency: "USD", expiresInDays: 30),
            "pro": Pack(name: "pro", credits: 10_000, priceAmount: 7_900, priceCurrency: "USD", priority: 20),
        ],
        operations: ["chat": 10, "huge": Limits.amount.upperBound])

    static func engine(_ database: TempDatabase, clock: ManualClock) throws -> Engine {
        try Engine(configuration: EngineConfiguration(store: storeConfiguration(database.path), catalog: catalog), clock: clock)
    }

    @Test func authorizeByOperationPricesFromThePriceBook() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let engine = try Self.engine(database, clock: ManualClock(startMs: startMs))
        try await openAccount(engine, "acct", credits: 100)
        let debit = try await engine.authorize(AuthorizeRequest(account: "acct", operation: "chat", quantity: 3))
        #expect(debit.value.cost == 30 && debit.value.balance.available == 70)
        #expect(try await engine.debit(debit.value.id).operation == "chat")

        let unknown = await rejection { () async throws(EngineError) in
            try await engine.authorize(AuthorizeRequest(account: "acct", operation: "teleport"))
        }
        let zero = await rejection { () async throws(EngineError) in
            try await engine.authorize(AuthorizeRequest(account: "acct", operation: "chat", quantity: 0))
        }
        let overflow = await rejection { () async throws(EngineError) in
            try await engine.authorize(AuthorizeRequest(account: "acct", operation: "huge", quantity: 2))
        }
        #expect(unknown == .unknownOperation && zero == .invalidQuantity && overflow == .amountOverflow)
        #expect(try await engine.account("acct").balance.available == 70, "refusals change nothing")
        await engine.close()
    }

    @Test func aPackAddsAnExpiringPackLotOncePerPayment() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let clock = ManualClock(startMs: startMs)
        let engine = try Self.engine(database, clock: clock)
        try await openAccount(engine, "buyer")
        let first = try await engine.buyPack("buyer", pack: "starter", reference: "pay_1", idempotencyKey: "pay_1")
        let lot = try #require(first.value.lot)
        #expect(lot.source == .pack && lot.amount == 1_000 && lot.priority == 10)
        #expect(lot.expiresAtMs == startMs + 30 * 86_400_000 && lot.reference == "pay_1")

        clock.advance(byMs: 60_000)
        let retried = try await engine.buyPack("buyer", pack: "starter", reference: "pay_1", idempotencyKey: "pay_1")
        #expect(retried.replayed && retried.value == first.value)
        let pro = try await engine.buyPack("buyer", pack: "pro", idempotencyKey: "pay_2")
        #expect(pro.value.lot?.priority == 20 && pro.value.lot?.expiresAtMs == nil)
        #expect(try await engine.account("buyer").balance.credits == 11_000)
        let unknown = await rejection { () async throws(EngineError) in try await engine.buyPack("buyer", pack: "gold") }
        #expect(unknown == .unknownPack)

        clock.advance(byMs: 30 * 86_400_000)
        #expect(try await engine.account("buyer").balance.credits == 10_000, "the starter pack expired")
        await engine.close()
        #expect(try verifyLedger(database.path).violations.isEmpty)
    }
}
