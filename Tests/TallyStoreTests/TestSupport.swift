// Store test helpers (temporary databases are TallyTesting's TempDatabase): awaiting mutations, a writer gate that forces a known
// batch, and a ledger builder that derives row changes from the pure rules as the engine does.
import Foundation
import Synchronization
import TallyCore
@testable import TallyStore
import TallyTesting
import Testing

/// SQLite result codes the tests compare against (primary code = extended code & 0xff).
enum SQLiteCode {
    static let full: Int32 = 13
    static let constraint: Int32 = 19
}

/// The instant test data starts at (2023-11-14T22:13:20Z).
let t0: Int64 = 1_700_000_000_000

/// Opens a store on `path`; `normal` durability unless a test is about durability.
func openStore(
    _ path: String, durability: Durability = .normal, maxPageCount: Int? = nil,
    maxQueueDelayMs: Int = 50, nowMs: Int64 = t0, queueClock: QueueClock? = nil
) throws -> Store {
    var configuration = StoreConfiguration(
        path: path, durability: durability, writerCacheKiB: 4_096, readerCacheKiB: 1_024,
        maxQueueDelayMs: maxQueueDelayMs, maxPageCount: maxPageCount)
    if let queueClock { configuration.queueClockNs = { queueClock.nowNs } }
    return try Store(configuration: configuration, nowMs: nowMs)
}

/// A clock for the writer's queueing bound that moves only when a test says, so a test steps
/// past the bound instead of sleeping through it.
final class QueueClock: Sendable {
    private let ns = Mutex<UInt64>(1_000_000_000_000)

    var nowNs: UInt64 { ns.withLock { $0 } }

    func advance(byMs ms: UInt64) { ns.withLock { $0 += ms * 1_000_000 } }
}

/// Submits one mutation and waits for its completion.
@discardableResult
func submit(
    _ store: Store, _ account: String, _ changes: [StoreChange], resumesAccount: Bool = false
) async -> Result<Void, StoreError> {
    await withCheckedContinuation { continuation in
        store.writer.submit(
            StoreMutation(account: account, changes: changes, resumesAccount: resumesAccount) { result in
                continuation.resume(returning: result)
            })
    }
}

/// Submits one mutation that must commit.
func commit(_ store: Store, _ account: String, _ changes: [StoreChange], resumesAccount: Bool = false) async throws {
    try await submit(store, account, changes, resumesAccount: resumesAccount).get()
}

/// Outcomes collected from completions that run on the writer thread.
final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [String: Result<Void, StoreError>] = [:]
    private var notes: [String] = []
    private let done = DispatchGroup()

    /// A completion that records its outcome under `name`; wait for all with `wait()`.
    func completion(_ name: String) -> @Sendable (Result<Void, StoreError>) -> Void {
        done.enter()
        return { [self] result in
            lock.withLock { results[name] = result }
            done.leave()
        }
    }

    func note(_ text: String) { lock.withLock { notes.append(text) } }

    /// Waits (off the cooperative pool) until every completion handed out has run.
    func wait(timeout seconds: Double = 30) async -> Bool {
        let group = done
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: group.wait(timeout: .now() + seconds) == .success)
            }
        }
    }

    subscript(name: String) -> Result<Void, StoreError>? { lock.withLock { results[name] } }
    var all: [String: Result<Void, StoreError>] { lock.withLock { results } }
    var recordedNotes: [String] { lock.withLock { notes } }
}

/// Blocks the writer thread inside the completion of a small mutation, so everything submitted
/// meanwhile is taken as one batch when `open()` is called.
final class WriterGate: @unchecked Sendable {
    private let entered = DispatchSemaphore(value: 0)
    private let release = DispatchSemaphore(value: 0)

    /// Submits the gate mutation (it creates the account `gate-<n>`) and returns once the writer
    /// thread is parked in its completion.
    init(_ store: Store, name: String = "gate") async {
        let entered = self.entered
        let release = self.release
        store.writer.submit(
            StoreMutation(account: name, changes: [.putAccount(Account(id: name, createdAtMs: t0), debt: 0)]) { _ in
                entered.signal()
                release.wait()
            })
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                entered.wait()
                continuation.resume()
            }
        }
    }

    /// Lets the writer go on; what was queued meanwhile becomes its next batch.
    func open() { release.signal() }
}

/// Sequential ids from a private range, as the engine's allocator hands them out.
struct SequentialIDs: IDSource {
    var last: Int64
    mutating func next() -> Int64 {
        last += 1
        return last
    }
}

/// The result of one rule: the entries it appended and the rows the engine would write.
struct Step {
    var account: String
    var entries: [LedgerEntry]
    var changes: [StoreChange]
    var entry: LedgerEntry { entries[entries.count - 1] }

    /// Puts `key` into the row of the last entry, as the engine stamps a keyed request.
    func stamped(_ key: String, fingerprint: [UInt8] = [1, 2, 3], response: [UInt8] = [9]) -> Step {
        var copy = self
        guard let index = copy.changes.lastIndex(where: { if case .appendEntry = $0 { true } else { false } }) else { return copy }
        let stamp = IdempotencyStamp(key: key, fingerprint: fingerprint, response: response)
        copy.changes[index] = .appendEntry(EntryRow(entry, account: account, stamp: stamp))
        return copy
    }
}

/// Drives one account through the pure rules and derives the store changes each step makes, the
/// way the engine's account actor does (entries, touched lots, hold rows, the account row).
struct LedgerBuilder {
    var state: AccountState
    var context: RuleContext<SequentialIDs>
    var debits: [Int64: DebitRecord] = [:]
    var id: String { state.account.id }

    /// Starts an account whose ids begin after `idBase`.
    init(_ id: String, overdraftLimit: Credits = 0, idBase: Int64, nowMs: Int64 = t0) {
        state = AccountState(account: Account(id: id, overdraftLimit: overdraftLimit, createdAtMs: nowMs))
        context = RuleContext(nowMs: nowMs, ids: SequentialIDs(last: idBase))
    }

    /// The row that creates the account.
    var creation: [StoreChange] { [.putAccount(state.account, debt: state.debt)] }

    /// Moves the rule clock.
    mutating func at(_ nowMs: Int64) { context = RuleContext(nowMs: nowMs, ids: context.ids) }

    mutating func credit(_ amount: Credits, source: LotSource = .topup, expiresAtMs: Int64? = nil) throws -> Step {
        try run { state, context throws(Rejection) in
            try state.credit(CreditRequest(amount: amount, source: source, expiresAtMs: expiresAtMs), context: &context)
        }
    }

    mutating func debit(_ cost: Credits, operation: String? = nil, metadata: [String: String] = [:]) throws -> Step {
        let step = try run { state, context throws(Rejection) in
            try state.debit(cost: cost, operation: operation, metadata: metadata, context: &context)
        }
        debits[step.entry.id] = DebitRecord(entry: step.entry, account: id)
        return step
    }

    mutating func hold(_ amount: Credits, ttlMs: Int64 = 60_000) throws -> Step {
        let expires = context.nowMs + ttlMs
        return try run { state, context throws(Rejection) in
            try state.hold(amount: amount, expiresAtMs: expires, context: &context)
        }
    }

    mutating func capture(_ hold: HoldID, amount: Credits? = nil) throws -> Step {
        let step = try run { state, context throws(Rejection) in
            try state.capture(hold: hold, amount: amount, context: &context)
        }
        debits[step.entry.id] = DebitRecord(entry: step.entry, account: id)
        return step
    }

    mutating func void(_ hold: HoldID) throws -> Step {
        try run { state, context throws(Rejection) in
            try state.release(hold: hold, reason: .voided, context: &context)
        }
    }

    mutating func refund(_ debitID: Int64, amount: Credits? = nil) throws -> Step {
        guard let record = debits[debitID] else { throw LedgerBuilderError.unknownDebit }
        var updated = record
        var step = try run { state, context throws(Rejection) in
            let (entry, debit) = try state.refund(record, amount: amount, context: &context)
            updated = debit
            return entry
        }
        debits[debitID] = updated
        step.changes.append(.putDebitRefunds(updated))
        return step
    }

    /// Runs expiry then `rule`, and derives the rows the way the engine does.
    private mutating func run(
        _ rule: (inout AccountState, inout RuleContext<SequentialIDs>) throws(Rejection) -> LedgerEntry
    ) throws -> Step {
        let before = StoreChanges.Before(state)
        var entries = state.expire(context: &context)
        entries.append(try rule(&state, &context))
        let changes = StoreChanges.derive(entries: entries, before: before, after: state)
        return Step(account: state.account.id, entries: entries, changes: changes)
    }
}

enum LedgerBuilderError: Error { case unknownDebit }

/// An entry without the opened lot/hold, which storage does not return.
func stored(_ entry: LedgerEntry) -> LedgerEntry {
    LedgerEntry(
        id: entry.id, seq: entry.seq, atMs: entry.atMs, kind: entry.kind, amount: entry.amount,
        availableAfter: entry.availableAfter, postings: entry.postings, referenceID: entry.referenceID,
        detail: entry.detail, operation: entry.operation, metadata: entry.metadata)
}

/// Counts rows with a raw query on a fresh connection.
func count(_ path: String, _ sql: String, _ values: [any StatementValue] = []) throws -> Int64 {
    let connection = try Connection(path: path, readOnly: true)
    return try connection.cached(sql).rows(values) { $0.int(0) }.first ?? 0
}

extension StoreError {
    /// The primary SQLite result code.
    var primaryCode: Int32 { code & 0xff }
}

extension Result where Failure == StoreError {
    var error: StoreError? {
        if case .failure(let error) = self { return error }
        return nil
    }
    var succeeded: Bool { error == nil }
}
