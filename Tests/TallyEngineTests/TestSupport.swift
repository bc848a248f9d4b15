// Helpers shared by the engine tests: opening an engine on a test's temporary database
// (TallyTesting's TempDatabase), running the ledger verifier, and catching rejections.
import Foundation
import TallyCore
import TallyEngine
import TallyStore
import TallyTesting
import Testing

/// The instant every manual clock starts at (2023-11-14T22:13:20Z).
let startMs: Int64 = 1_700_000_000_000

/// The store settings of every test: `normal` durability for speed, and load shedding (DESIGN §7,
/// `.overloaded` past a queueing delay) pushed out of reach, since these tests check exactness,
/// not overload behaviour, on a loaded 2-core machine.
func storeConfiguration(_ path: String) -> StoreConfiguration {
    StoreConfiguration(path: path, durability: .normal, maxQueueDelayMs: 600_000)
}

/// Opens an engine on `path` with the test store settings.
func openEngine(
    _ path: String, clock: ManualClock, retentionMs: Int64 = 24 * 3_600_000, idleEvictionMs: Int64 = 300_000,
    catalog: Catalog = Catalog(), dueWorkIntervalMs: Int64 = 1_000, keysPerAccount: Int = 4_096
) throws -> Engine {
    let configuration = EngineConfiguration(
        store: storeConfiguration(path), catalog: catalog, idempotencyRetentionMs: retentionMs,
        idleEvictionMs: idleEvictionMs, dueWorkIntervalMs: dueWorkIntervalMs, idempotencyKeysPerAccount: keysPerAccount)
    return try Engine(configuration: configuration, clock: clock)
}

/// Runs the ledger verifier on the database file and returns what it found.
func verifyLedger(_ path: String) throws -> (accounts: Int, violations: [LedgerVerifier.Violation]) {
    try Store.openForInspection(path: path, recovering: true).verify()
}

/// The rejection `body` threw, or nil if it succeeded or failed otherwise.
func rejection<T>(_ body: () async throws(EngineError) -> T) async -> Rejection? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error.rejection
    }
}

/// Creates an account and tops it up with `credits` (if any).
func openAccount(_ engine: Engine, _ id: String, credits: Credits = 0, overdraftLimit: Credits = 0) async throws {
    _ = try await engine.createAccount(NewAccount(id: id, overdraftLimit: overdraftLimit))
    if credits > 0 {
        _ = try await engine.addCredits(id, CreditRequest(amount: credits, source: .topup))
    }
}

/// Debits `cost` at once.
@discardableResult
func debit(_ engine: Engine, _ account: String, _ cost: Credits, key: String? = nil) async throws(EngineError) -> Replayable<Authorization> {
    try await engine.authorize(AuthorizeRequest(account: account, cost: cost), idempotencyKey: key)
}

/// Holds `amount` for `ttlMs`.
func hold(_ engine: Engine, _ account: String, _ amount: Credits, ttlMs: Int64 = 60_000) async throws(EngineError) -> Authorization {
    try await engine.authorize(AuthorizeRequest(account: account, cost: amount, holdTTLMs: ttlMs)).value
}

/// One test's engine on its own temporary database.
final class Harness {
    let database: TempDatabase
    let clock = ManualClock(startMs: startMs)
    let retentionMs: Int64
    private(set) var engine: Engine

    init(retentionMs: Int64 = 24 * 3_600_000) throws {
        database = try TempDatabase()
        self.retentionMs = retentionMs
        engine = try openEngine(database.path, clock: clock, retentionMs: retentionMs)
    }

    /// Closes the engine and opens a new one on the same file.
    func restart() async throws {
        await engine.close()
        engine = try openEngine(database.path, clock: clock, retentionMs: retentionMs)
    }

    /// Closes the engine, checks the ledger and deletes the database.
    func finish() async throws {
        await engine.close()
        defer { database.remove() }
        let report = try verifyLedger(database.path)
        #expect(report.violations.isEmpty, "\(report.violations)")
    }
}
