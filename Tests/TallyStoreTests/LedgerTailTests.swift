// Proves the ledger tail keeps each account's unindexed entries newest-last and, when the
// indexer drops many batches at once, removes exactly those batches' entries of every account.
@testable import TallyStore
import Testing

@Suite struct LedgerTailTests {
    static func entry(_ account: String, _ seq: Int64) -> LedgerTail.Entry {
        LedgerTail.Entry(account: account, seq: seq, id: seq * 10 + (account == "a" ? 0 : 1), key: nil, atMs: 0)
    }

    @Test func droppingManyBatchesLeavesExactlyTheLaterEntries() {
        let tail = LedgerTail()
        for batch in Int64(1)...50 {
            tail.append(batch: batch, [Self.entry("a", batch), Self.entry("b", batch)] + (batch % 2 == 0 ? [Self.entry("a", batch + 1_000)] : []), committedAtNs: UInt64(batch))
        }
        let pending = tail.pending(limit: 10_000, committedByNs: 40)
        #expect(pending?.throughBatch == 40)
        tail.drop(throughBatch: 40)

        #expect(tail.entries(account: "b").map(\.seq) == Array(41...50))
        #expect(tail.entries(account: "a").map(\.seq) == [41, 42, 1_042, 43, 44, 1_044, 45, 46, 1_046, 47, 48, 1_048, 49, 50, 1_050])
        #expect(tail.count == 10 + 15)
        #expect(tail.indexedThroughBatch == 40)
        #expect(tail.firstUnindexedID(account: "b") == 411)
        tail.drop(throughBatch: 50)
        #expect(tail.count == 0 && tail.entries(account: "a").isEmpty && tail.firstUnindexedID(account: "a") == nil)
    }
}
