// Proves through the engine on a size-capped database that a failed commit fails only its request,
// and that the account is served again, even when its actor was evicted in between.
import Foundation
import TallyCore
@testable import TallyEngine
@testable import TallyStore
import TallySystem
import TallyTesting
import Testing

@Suite struct DiskFullRecoveryTests {
    /// An engine whose database has only a few pages of room left: small requests fit, an
    /// account update with 25 KiB of metadata does not.
    static func cappedEngine(_ path: String, idleEvictionMs: Int64 = 300_000) throws -> Engine {
        try Store(configuration: StoreConfiguration(path: path), nowMs: 0).close()
        let pages = Int(try Connection(path: path, readOnly: true).pragma("page_count") ?? "") ?? 0
        return try Engine(configuration: EngineConfiguration(
            store: StoreConfiguration(path: path, durability: .normal, maxPageCount: pages + 4),
            idleEvictionMs: idleEvictionMs))
    }

    static var bigMetadata: [String: String?] {
        Dictionary(uniqueKeysWithValues: (0..<50).map { ("k\($0)", String(repeating: "x", count: 500)) })
    }

    /// Whether `body` failed with a storage error (and not a rejection).
    static func failsWithStorage<T>(_ body: () async throws -> T) async -> Bool {
        do {
            _ = try await body()
            return false
        } catch {
            if case .storage = error as? EngineError { return true }
            return false
        }
    }

    @Test func aFailedCommitFailsOnlyItsRequestAndTheAccountIsServedAgain() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let path = database.path
        let engine = try Self.cappedEngine(path)
        for id in ["a", "b"] {
            _ = try await engine.createAccount(NewAccount(id: id))
            _ = try await engine.addCredits(id, CreditRequest(amount: 100, source: .topup))
        }

        #expect(await Self.failsWithStorage { try await engine.updateAccount("a", AccountChanges(metadata: Self.bigMetadata)) })
        // The other account never noticed; the failed one is reloaded and served.
        _ = try await engine.authorize(AuthorizeRequest(account: "b", cost: 1))
        let after = try await engine.authorize(AuthorizeRequest(account: "a", cost: 1))
        #expect(after.value.balance.available == 99)
        #expect(try await engine.account("a").account.metadata.isEmpty, "nothing of the failed update is in memory")
        await engine.close()

        let reader = try Connection(path: path, readOnly: true)
        #expect(try reader.accountRow(id: "a")?.0.metadata.isEmpty == true, "nothing of the failed update is on disk")
        #expect(try LedgerVerifier(connection: reader).verify().violations.isEmpty)
    }

    /// The writer refuses an account after a failed commit until a mutation `resumesAccount`; an
    /// actor sends that flag with its first write after any load, so a replacement for an evicted
    /// actor is served at once.
    @Test func theFirstRequestAfterEvictingAFailedAccountSucceeds() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let engine = try Self.cappedEngine(database.path, idleEvictionMs: 1)
        _ = try await engine.createAccount(NewAccount(id: "a"))
        _ = try await engine.addCredits("a", CreditRequest(amount: 100, source: .topup))
        #expect(await Self.failsWithStorage { try await engine.updateAccount("a", AccountChanges(metadata: Self.bigMetadata)) })

        // Evict the idle account with the sweep the engine runs every second, judged 5 ms on:
        // idle for longer than idleEvictionMs (1 ms).
        await engine.registry.sweep(nowUptimeMs: MonotonicClock.nowMs() + 5)
        try #require(engine.loadedAccounts == 0, "the account was evicted")

        let first = await Self.failsWithStorage { try await engine.authorize(AuthorizeRequest(account: "a", cost: 1)) }
        #expect(!first, "the first debit after eviction is served")
        _ = try await engine.authorize(AuthorizeRequest(account: "a", cost: 1))
        await engine.close()
    }
}
