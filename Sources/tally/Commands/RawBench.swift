import Foundation
import TallyCore
import TallyStore
import TallySystem
import TallyTesting

/// The reference: the rows one debit writes (ledger entry, lot, idempotency record), batched
/// `concurrency` at a time and committed from this thread with no engine, actors or queue.
struct RawBench {
    let settings: BenchSettings

    init(_ settings: BenchSettings) { self.settings = settings }

    func run() throws -> BenchReport {
        let writer = try DirectWriter(configuration: settings.storeConfiguration, nowMs: 0)
        defer { writer.close() }
        let accountCount = settings.hot ? 1 : settings.accounts
        var lots: [Lot] = (0..<accountCount).map {
            Lot(id: Int64($0 + 1), source: .topup, amount: 1_000_000_000_000, priority: 10, expiresAtMs: nil, createdAtMs: 0, reference: nil)
        }
        var seqs = [Int64](repeating: 1, count: accountCount)
        try writer.commit((0..<accountCount).map { index in
            [.putAccount(Account(id: "bench-\(index)", createdAtMs: 0), debt: 0), .putLot(account: "bench-\(index)", lots[index])]
        })
        var random = SplitMix64(seed: UInt64(getpid()))
        var nextID = Int64(accountCount + 1)
        var samples: [UInt64] = []
        let fingerprint = [UInt8](repeating: 7, count: 32)
        let started = MonotonicClock.nowNs()
        let deadline = started + UInt64(settings.seconds) * 1_000_000_000
        while MonotonicClock.nowNs() < deadline {
            let batchStart = MonotonicClock.nowNs()
            var batch: [[StoreChange]] = []
            batch.reserveCapacity(settings.concurrency)
            for _ in 0..<settings.concurrency {
                let index = Int(random.next() % UInt64(accountCount))
                let account = "bench-\(index)"
                lots[index].remaining -= 1
                lots[index].consumed += 1
                seqs[index] += 1
                let entry = LedgerEntry(
                    id: nextID, seq: seqs[index], atMs: 0, kind: .debit, amount: -1,
                    availableAfter: lots[index].remaining, postings: [Posting(.consume, lot: lots[index].id, 1)])
                nextID += 1
                let row = EntryRow(entry, account: account, stamp: IdempotencyStamp(
                    key: random.key(), fingerprint: fingerprint, response: Array("a|\(entry.id)|debit".utf8)))
                batch.append([.appendEntry(row), .putLot(account: account, lots[index])])
            }
            try writer.commit(batch)
            let took = MonotonicClock.nowNs() - batchStart
            samples += repeatElement(took, count: batch.count)
        }
        return BenchReport(
            settings: settings, operations: samples.count, elapsedNanoseconds: MonotonicClock.nowNs() - started,
            latency: LatencySummary(nanoseconds: samples), extra: ["batch": String(settings.concurrency)])
    }
}
