// Proves the read queries return what was written: loadAccount (state, keys, cutoff), ledger pages,
// debits with lineage and refunds, holds, metadata encoding, account pages and highestAllocatedID.
import Foundation
import TallyCore
@testable import TallyStore
import TallyTesting
import Testing

@Suite struct QueryTests {
    static let hour: Int64 = 3_600_000

    @Test func loadAccountRestoresStateAndRecentKeys() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path)
        defer { store.close() }

        var builder = LedgerBuilder("acct", overdraftLimit: 20, idBase: 100)
        try await commit(store, "acct", builder.creation)
        // Old keys, written 30 hours ago.
        try await commit(store, "acct", try builder.credit(100).stamped("old-credit").changes)
        try await commit(store, "acct", [.putIdempotency(IdempotencyRecord(
            account: "acct", key: "old-denied", fingerprint: [7], response: [8], createdAtMs: t0))])
        // Recent keys, from 2 hours ago on.
        builder.at(t0 + 28 * Self.hour)
        try await commit(store, "acct", try builder.credit(50, source: .grant, expiresAtMs: t0 + 100 * Self.hour).stamped("grant").changes)
        let debit = try builder.debit(30, operation: "search", metadata: ["route": "/v1/search"]).stamped("debit", fingerprint: [4, 5])
        try await commit(store, "acct", debit.changes)
        let pending = try builder.hold(20)
        try await commit(store, "acct", pending.stamped("hold").changes)
        let voided = try builder.hold(10)
        try await commit(store, "acct", voided.changes)
        try await commit(store, "acct", try builder.void(voided.entry.id).changes)
        try await commit(store, "acct", try builder.debit(5).changes)
        try await commit(store, "acct", [.putIdempotency(IdempotencyRecord(
            account: "acct", key: "denied", fingerprint: [6], response: [1, 2], createdAtMs: t0 + 29 * Self.hour))])

        let reader = try Connection(path: database.path, readOnly: true)
        let now = t0 + 30 * Self.hour
        let snapshot = try #require(try reader.loadAccount(id: "acct", keysSinceMs: now - 24 * Self.hour))
        #expect(snapshot.state == builder.state)
        #expect(snapshot.state.lots.count == 2)
        #expect(Array(snapshot.state.holds.keys) == [pending.entry.id], "only the pending hold is loaded")
        #expect(snapshot.state.lastSeq == 7)
        #expect(snapshot.state.balance == builder.state.balance)

        let keys = Dictionary(uniqueKeysWithValues: snapshot.idempotencyKeys.map { ($0.key, $0) })
        #expect(Set(keys.keys) == ["grant", "debit", "hold", "denied"], "keys older than the cutoff are left out")
        #expect(keys["debit"]?.entryID == debit.entry.id)
        #expect(keys["debit"]?.fingerprint == [4, 5])
        #expect(keys["debit"]?.createdAtMs == t0 + 28 * Self.hour)
        #expect(keys["hold"]?.entryID == pending.entry.id)
        #expect(keys["denied"]?.entryID == nil)
        #expect(keys["denied"]?.fingerprint == [6])
        #expect(try reader.idempotencyResponse(account: "acct", key: "debit", entryID: debit.entry.id) == [9])
        #expect(try reader.idempotencyResponse(account: "acct", key: "denied", entryID: nil) == [1, 2])
        #expect(try reader.idempotencyResponse(account: "acct", key: "nope", entryID: nil) == nil)

        // With an older cutoff every key is back.
        let all = try #require(try reader.loadAccount(id: "acct", keysSinceMs: 0))
        #expect(Set(all.idempotencyKeys.map(\.key)) == ["old-credit", "old-denied", "grant", "debit", "hold", "denied"])
        #expect(try reader.loadAccount(id: "missing", keysSinceMs: 0) == nil)
    }

    @Test func ledgerPagesFollowSeqLimitAndTimeRange() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path)
        defer { store.close() }

        var builder = LedgerBuilder("acct", idBase: 0)
        var other = LedgerBuilder("other", idBase: 10_000)
        try await commit(store, "acct", builder.creation)
        try await commit(store, "other", other.creation + other.credit(5).changes)
        var written: [LedgerEntry] = []
        builder.at(t0)
        let first = try builder.credit(1_000)
        written += first.entries
        try await commit(store, "acct", first.changes)
        for index in 1..<10 {
            builder.at(t0 + Int64(index) * 1_000)
            let step = try builder.debit(Credits(index), operation: "op-\(index % 2)", metadata: ["n": String(index)])
            written += step.entries
            try await commit(store, "acct", step.changes)
        }
        let expected = written.map(stored)

        let reader = try Connection(path: database.path, readOnly: true)
        #expect(try reader.entries(EntryQuery(account: "acct", limit: 100)) == expected)
        #expect(try reader.entries(EntryQuery(account: "acct", limit: 4)).map(\.seq) == [1, 2, 3, 4])
        #expect(try reader.entries(EntryQuery(account: "acct", afterSeq: 4, limit: 4)).map(\.seq) == [5, 6, 7, 8])
        #expect(try reader.entries(EntryQuery(account: "acct", afterSeq: 8, limit: 4)).map(\.seq) == [9, 10])
        #expect(try reader.entries(EntryQuery(account: "acct", afterSeq: 10, limit: 4)).isEmpty)
        // from is inclusive, to exclusive.
        #expect(try reader.entries(EntryQuery(account: "acct", limit: 100, fromMs: t0 + 2_000, toMs: t0 + 5_000)).map(\.seq) == [3, 4, 5])
        #expect(try reader.entries(EntryQuery(account: "acct", afterSeq: 3, limit: 1, fromMs: t0 + 2_000)).map(\.seq) == [4])
        #expect(try reader.entries(EntryQuery(account: "acct", limit: 100, toMs: t0)).isEmpty)
        #expect(try reader.entries(EntryQuery(account: "other", limit: 100)).map(\.seq) == [1])
        #expect(try reader.entries(EntryQuery(account: "missing", limit: 100)).isEmpty)
    }

    @Test func debitsCarryTheirLineageAndRefunds() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path)
        defer { store.close() }

        var builder = LedgerBuilder("acct", overdraftLimit: 50, idBase: 0)
        try await commit(store, "acct", builder.creation)
        let promo = try builder.credit(20, source: .grant)
        let paid = try builder.credit(30)
        try await commit(store, "acct", promo.changes + paid.changes)
        // Takes 20 from the grant, 30 from the top-up and 10 as debt.
        let debit = try builder.debit(60, operation: "render", metadata: ["job": "42"])
        try await commit(store, "acct", debit.changes)
        let refund = try builder.refund(debit.entry.id, amount: 15)
        try await commit(store, "acct", refund.changes)

        let reader = try Connection(path: database.path, readOnly: true)
        let record = try #require(try reader.debit(id: debit.entry.id))
        #expect(record.account == "acct")
        #expect(record.amount == 60)
        #expect(record.debt == 10)
        #expect(record.lotParts.map(\.lot) == [promo.entry.id, paid.entry.id])
        #expect(record.lotParts.map(\.amount) == [20, 30])
        #expect(record.operation == "render")
        #expect(record.metadata == ["job": "42"])
        #expect(record.holdID == nil)
        #expect(record.refundedDebt == 10, "the debt part is refunded first")
        #expect(record.refundedLots == [paid.entry.id: 5], "then the lots, in reverse burn-down order")
        #expect(record.refunded == 15)
        #expect(record == builder.debits[debit.entry.id])

        #expect(try reader.debit(id: promo.entry.id) == nil, "a credit is not a debit")
        #expect(try reader.debit(id: refund.entry.id) == nil)
        #expect(try reader.debit(id: 999_999) == nil)

        // A capture is a debit of its hold.
        let hold = try builder.hold(8)
        try await commit(store, "acct", hold.changes)
        let capture = try builder.capture(hold.entry.id, amount: 6)
        try await commit(store, "acct", capture.changes)
        let captured = try #require(try reader.debit(id: capture.entry.id))
        #expect(captured.holdID == hold.entry.id)
        #expect(captured.amount == 6)
        #expect(captured.refunded == 0)
    }

    @Test func holdsReadBackInEveryState() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path)
        defer { store.close() }

        var builder = LedgerBuilder("acct", overdraftLimit: 5, idBase: 0)
        try await commit(store, "acct", builder.creation + builder.credit(10).changes)
        let covered = try builder.hold(4, ttlMs: 30_000)
        let uncovered = try builder.hold(9, ttlMs: 30_000)
        try await commit(store, "acct", covered.changes)
        try await commit(store, "acct", uncovered.changes)

        let reader = try Connection(path: database.path, readOnly: true)
        let first = try #require(try reader.hold(id: covered.entry.id))
        #expect(first.account == "acct")
        #expect(first.hold == builder.state.holds[covered.entry.id])
        #expect(first.hold.status == .pending)
        #expect(first.hold.expiresAtMs == t0 + 30_000)
        let second = try #require(try reader.hold(id: uncovered.entry.id))
        #expect(second.hold.reservations.values.reduce(0, +) == 6)
        #expect(second.hold.uncovered == 3)

        let capture = try builder.capture(covered.entry.id, amount: 3)
        try await commit(store, "acct", capture.changes)
        try await commit(store, "acct", try builder.void(uncovered.entry.id).changes)
        let settled = try #require(try reader.hold(id: covered.entry.id)).hold
        #expect(settled.status == .captured)
        #expect(settled.capturedAmount == 3)
        #expect(settled.debitID == capture.entry.id)
        #expect(settled.settledAtMs == t0)
        #expect(settled.reservations.isEmpty)
        #expect(try reader.hold(id: uncovered.entry.id)?.hold.status == .voided)
        #expect(try reader.hold(id: 424_242) == nil)
        #expect(try reader.holds(account: "acct").count == 2)
        #expect(try reader.loadAccount(id: "acct", keysSinceMs: 0)?.state.holds.isEmpty == true)
    }

    @Test func metadataWithAwkwardCharactersRoundTrips() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path)
        defer { store.close() }
        let metadata = [
            "quote\"": "say \"hi\"", "back\\slash": "C:\\tmp\\", "lines": "a\nb\r\nc\td", "control": "\u{01}\u{1F}\u{7F}",
            "unicode": "żółć 日本 🧾 \u{2028}", "empty": "", "json": "{\"a\":[1,2]}", "42": "42",
        ]
        var builder = LedgerBuilder("acct", idBase: 0)
        try await commit(store, "acct", [.putAccount(Account(id: "acct", metadata: metadata, createdAtMs: t0), debt: 0)])
        try await commit(store, "acct", try builder.credit(10).changes)
        let step = try builder.debit(1, operation: "op \"x\"", metadata: metadata)
        try await commit(store, "acct", step.changes)
        let reader = try Connection(path: database.path, readOnly: true)
        #expect(try reader.accountRow(id: "acct")?.0.metadata == metadata)
        #expect(try reader.entries(EntryQuery(account: "acct", afterSeq: 1, limit: 1)).first == stored(step.entry))
        #expect(try reader.debit(id: step.entry.id)?.metadata == metadata)
    }

    @Test func accountPagesAndTheHighestAllocatedID() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path)
        defer { store.close() }
        let empty = try Connection(path: database.path, readOnly: true)
        #expect(try empty.highestAllocatedID() == 0)
        #expect(try empty.accounts(after: nil, limit: 10).isEmpty)

        let ids = ["b-2", "a-1", "c-3", "A-0", "d-4"]
        for (index, id) in ids.enumerated() {
            try await commit(store, id, [.putAccount(Account(id: id, overdraftLimit: Credits(index), metadata: ["i": "\(index)"], createdAtMs: t0), debt: Credits(index))])
        }
        let reader = try Connection(path: database.path, readOnly: true)
        let firstPage = try reader.accounts(after: nil, limit: 2)
        #expect(firstPage.map(\.0.id) == ["A-0", "a-1"])
        let secondPage = try reader.accounts(after: firstPage.last?.0.id, limit: 2)
        #expect(secondPage.map(\.0.id) == ["b-2", "c-3"])
        #expect(secondPage.map(\.1) == [0, 2], "debt comes with the row")
        let lastPage = try reader.accounts(after: secondPage.last?.0.id, limit: 2)
        #expect(lastPage.map(\.0.id) == ["d-4"])
        #expect(lastPage.first?.0.metadata == ["i": "4"])
        #expect(lastPage.first?.0.overdraftLimit == 4)
        #expect(try reader.accounts(after: "d-4", limit: 2).isEmpty)

        // The highest id of entries, lots and holds, whichever table holds it.
        var builder = LedgerBuilder("a-1", idBase: 500)
        try await commit(store, "a-1", try builder.credit(10).changes)
        #expect(try reader.highestAllocatedID() == 501)
        try await commit(store, "a-1", [.putLot(account: "a-1", Lot(id: 9_000, source: .pack, amount: 1, priority: 10, expiresAtMs: nil, createdAtMs: t0, reference: nil))])
        #expect(try reader.highestAllocatedID() == 9_000)
        try await commit(store, "a-1", [.putHold(account: "a-1", Hold(id: 12_345, amount: 1, reservations: [:], uncovered: 1, status: .pending, createdAtMs: t0, expiresAtMs: t0 + 1))])
        #expect(try reader.highestAllocatedID() == 12_345)
        var later = LedgerBuilder("b-2", idBase: 20_000)
        try await commit(store, "b-2", try later.credit(1).changes)
        #expect(try reader.highestAllocatedID() == 20_001)
    }
}
