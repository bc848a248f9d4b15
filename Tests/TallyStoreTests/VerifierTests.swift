// Proves LedgerVerifier is clean on a database written with engine-like changes and reports a tampered
// lot, a deleted entry (seq gap), a wrong debt and other tampering, each against the right account.
import Foundation
import TallyCore
@testable import TallyStore
import TallyTesting
import Testing

@Suite struct VerifierTests {
    /// Writes three accounts through every kind of change: credits, debits into debt, holds
    /// captured, voided and expired, refunds, lot expiry, and a repaid debt.
    static func populate(_ path: String) async throws -> [String: LedgerBuilder] {
        let store = try openStore(path)
        defer { store.close() }
        var builders: [String: LedgerBuilder] = [:]
        for (index, id) in ["alpha", "beta", "gamma"].enumerated() {
            var builder = LedgerBuilder(id, overdraftLimit: 40, idBase: Int64(index) * 100_000)
            try await commit(store, id, builder.creation)
            try await commit(store, id, try builder.credit(100).changes)
            try await commit(store, id, try builder.credit(30, source: .grant, expiresAtMs: t0 + 50_000).changes)
            let first = try builder.debit(25)
            try await commit(store, id, first.changes)
            let hold = try builder.hold(20)
            try await commit(store, id, hold.changes)
            try await commit(store, id, try builder.capture(hold.entry.id, amount: 25).changes)
            let voided = try builder.hold(10)
            try await commit(store, id, voided.changes)
            try await commit(store, id, try builder.void(voided.entry.id).changes)
            try await commit(store, id, try builder.refund(first.entry.id, amount: 12).changes)
            // The grant expires; a hold outlives its ttl and is released as expired.
            builder.at(t0 + 60_000)
            let late = try builder.hold(5, ttlMs: 1_000)
            try await commit(store, id, late.changes)
            builder.at(t0 + 70_000)
            try await commit(store, id, try builder.debit(60).changes)
            // Refunded into the grant, which has expired meanwhile: booked as expired.
            try await commit(store, id, try builder.refund(first.entry.id, amount: 3).changes)
            // Into debt, then repaid by a top-up.
            try await commit(store, id, try builder.debit(30).changes)
            try await commit(store, id, try builder.credit(Credits(50 + index)).changes)
            builders[id] = builder
        }
        return builders
    }

    @Test func aDatabaseWrittenLikeTheEngineIsClean() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let builders = try await Self.populate(database.path)
        let reader = try Connection(path: database.path, readOnly: true)
        let result = try LedgerVerifier(connection: reader).verify()
        #expect(result.accounts == 3)
        #expect(result.violations.isEmpty, "\(result.violations)")
        for (id, builder) in builders {
            #expect(try reader.loadAccount(id: id, keysSinceMs: 0)?.state == builder.state)
        }
        // The scenario did reach debt and expiry, so the checks above covered them.
        #expect(try count(database.path, "SELECT count(*) FROM entries WHERE kind = 'expire'") > 0)
        #expect(try count(database.path, "SELECT count(*) FROM entries WHERE postings LIKE '%fx:%'") == 3)
        #expect(try count(database.path, "SELECT count(*) FROM entries WHERE kind = 'release' AND detail = 'expired'") == 3)
        #expect(try count(database.path, "SELECT count(*) FROM entries WHERE postings LIKE '%d:0:-%'") == 3)
    }

    @Test func anEmptyDatabaseIsClean() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        try openStore(database.path).close()
        let result = try LedgerVerifier(connection: Connection(path: database.path, readOnly: true)).verify()
        #expect(result.accounts == 0)
        #expect(result.violations.isEmpty)
    }

    /// Applies `sql` to a freshly populated database and returns the violations found.
    static func violations(after sql: String) async throws -> [LedgerVerifier.Violation] {
        let database = try TempDatabase()
        defer { database.remove() }
        _ = try await populate(database.path)
        let raw = try Connection(path: database.path)
        try raw.execute(sql)
        #expect(raw.changes > 0, "the tampering changed a row: \(sql)")
        return try LedgerVerifier(connection: Connection(path: database.path, readOnly: true)).verify().violations
    }

    @Test func aTamperedLotIsReported() async throws {
        // Consistent with the CHECK constraint: 1 moves from consumed back to remaining.
        let found = try await Self.violations(after: """
            UPDATE lots SET remaining = remaining + 1, consumed = consumed - 1
            WHERE id = (SELECT min(id) FROM lots WHERE account_id = 'beta' AND consumed > 0)
            """)
        #expect(!found.isEmpty)
        #expect(found.allSatisfy { $0.account == "beta" }, "\(found)")
        #expect(found.contains { $0.message.contains("but the ledger gives") }, "\(found)")
    }

    @Test func aDeletedEntryIsReportedAsASequenceGap() async throws {
        let found = try await Self.violations(after: "DELETE FROM entries WHERE account_id = 'gamma' AND seq = 4")
        #expect(found.allSatisfy { $0.account == "gamma" }, "\(found)")
        #expect(found.contains { $0.message.contains("seq 5, expected 4") }, "\(found)")
    }

    @Test func aWrongDebtIsReported() async throws {
        let found = try await Self.violations(after: "UPDATE accounts SET debt = debt + 7 WHERE id = 'alpha'")
        #expect(found.map(\.account) == ["alpha"], "\(found)")
        #expect(found.contains { $0.message.contains("debt is 7 but the ledger gives 0") }, "\(found)")
    }

    @Test func aDebtPastTheOverdraftLimitIsReported() async throws {
        let found = try await Self.violations(after: "UPDATE accounts SET debt = 45 WHERE id = 'beta'")
        #expect(found.allSatisfy { $0.account == "beta" })
        #expect(found.contains { $0.message.contains("exceeds overdraft_limit 40") }, "\(found)")
    }

    @Test func aChangedEntryAmountIsReported() async throws {
        let found = try await Self.violations(after: "UPDATE entries SET available_after = available_after + 1 WHERE account_id = 'alpha' AND seq = 3")
        #expect(found.map(\.account) == ["alpha"], "\(found)")
        #expect(found.contains { $0.message.contains("records available") }, "\(found)")
    }

    @Test func aRefundRecordThatDisagreesWithItsEntriesIsReported() async throws {
        let found = try await Self.violations(after: "UPDATE debit_refunds SET refunded_debt = refunded_debt + 1 WHERE account_id = 'gamma'")
        #expect(found.allSatisfy { $0.account == "gamma" })
        #expect(found.contains { $0.message.contains("refund record differs") }, "\(found)")
    }
}

/// `tally verify` took 5–7 s on the crash loop's 39k-entry database: replaying an entry cost a
/// lookup per live lot (summing them for `available`, scanning them for spent lots and for the
/// earliest expiry), and those accounts had a thousand live lots each. Two accounts with as many
/// entries, one spread over 1,500 live lots and one over a single lot, must verify in about the
/// same time; with the per-lot scans the wide one took 70 times as long (5.6 s, debug build).
@Suite struct VerifierCostTests {
    /// Writes `lots` top-ups, then debits of 1 up to `entries` entries in all, in big commits.
    static func write(_ store: Store, _ id: String, idBase: Int64, lots: Int, entries: Int) async throws {
        var builder = LedgerBuilder(id, idBase: idBase)
        try await commit(store, id, builder.creation)
        var changes: [StoreChange] = []
        for index in 0..<entries {
            // Every lot expires, so the earliest-expiry bookkeeping has something to look at, and
            // none runs out: a lot that does is looked for among the live ones once, legitimately.
            let step = index < lots
                ? try builder.credit(Credits(entries), expiresAtMs: t0 + 86_400_000 + Int64(index))
                : try builder.debit(1)
            changes += step.changes
            if changes.count >= 2_000 {
                try await commit(store, id, changes)
                changes = []
            }
        }
        try await commit(store, id, changes)
        #expect(builder.state.liveLotOrder.count == lots)
    }

    /// The fastest of three verifications of `account`, in seconds.
    static func verifySeconds(_ path: String, _ account: String) throws -> Double {
        let reader = try Connection(path: path, readOnly: true)
        let (row, debt) = try #require(try reader.accountRow(id: account))
        var best = Double.infinity
        for _ in 0..<3 {
            let began = DispatchTime.now().uptimeNanoseconds
            let violations = try LedgerVerifier(connection: reader).verify(account: row, debt: debt)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9)
            #expect(violations.isEmpty, "\(violations)")
        }
        return best
    }

    @Test func manyLiveLotsDoNotSlowTheReplay() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path)
        try await Self.write(store, "wide", idBase: 0, lots: 1_500, entries: 4_000)
        try await Self.write(store, "narrow", idBase: 1_000_000, lots: 1, entries: 4_000)
        store.close()
        let wide = try Self.verifySeconds(database.path, "wide")
        let narrow = try Self.verifySeconds(database.path, "narrow")
        #expect(wide < narrow * 4, "wide \(wide) s, narrow \(narrow) s")
    }
}
