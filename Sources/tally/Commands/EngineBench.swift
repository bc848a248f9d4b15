import Foundation
import TallyCore
import TallyEngine
import TallySystem
import TallyTesting

/// The engine benchmark: C concurrent callers each authorize-and-debit 1 credit in a loop,
/// each call with a fresh random idempotency key.
struct EngineBench {
    let settings: BenchSettings

    init(_ settings: BenchSettings) { self.settings = settings }

    func run() async throws -> BenchReport {
        let engine = try Engine(configuration: EngineConfiguration(store: settings.storeConfiguration))
        let accountCount = settings.hot ? 1 : settings.accounts
        try await seed(engine, accounts: accountCount)
        let before = engine.writerStatistics
        let started = MonotonicClock.nowNs()
        let deadline = started + UInt64(settings.seconds) * 1_000_000_000
        let (samples, shed) = try await withThrowingTaskGroup(of: ([UInt64], Int).self) { group in
            for caller in 0..<settings.concurrency {
                group.addTask { try await load(engine, caller: caller, accounts: accountCount, until: deadline) }
            }
            var all: [UInt64] = []
            var shed = 0
            for try await part in group {
                all += part.0
                shed += part.1
            }
            return (all, shed)
        }
        let elapsed = MonotonicClock.nowNs() - started
        let after = engine.writerStatistics
        await engine.close()
        let batches = max(1, after.batches - before.batches)
        return BenchReport(
            settings: settings, operations: samples.count, elapsedNanoseconds: elapsed,
            latency: LatencySummary(nanoseconds: samples),
            extra: [
                "batches": String(batches),
                "shed": String(shed),
                "mean_batch": String((after.mutations - before.mutations) / batches),
                "largest_batch": String(after.largestBatch),
                "mean_commit_ms": String(Double((after.totalCommitNanoseconds - before.totalCommitNanoseconds) / UInt64(batches)) / 1e6),
                "max_commit_ms": String(Double(after.maxCommitNanoseconds) / 1e6),
            ])
    }

    private func seed(_ engine: Engine, accounts: Int) async throws {
        let width = 256
        for start in stride(from: 0, to: accounts, by: width) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in start..<min(accounts, start + width) {
                    group.addTask {
                        let id = "bench-\(index)"
                        _ = try await engine.createAccount(NewAccount(id: id))
                        _ = try await engine.addCredits(id, CreditRequest(amount: 1_000_000_000_000, source: .topup))
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// One caller's loop; returns its latencies and how many calls were shed as overloaded.
    private func load(_ engine: Engine, caller: Int, accounts: Int, until deadline: UInt64) async throws -> ([UInt64], Int) {
        var random = SplitMix64(seed: UInt64(caller) &* 0x9E37_79B9 &+ UInt64(getpid()))
        var samples: [UInt64] = []
        samples.reserveCapacity(1 << 16)
        var shed = 0
        while true {
            let start = MonotonicClock.nowNs()
            if start >= deadline { return (samples, shed) }
            let account = "bench-\(Int(random.next() % UInt64(accounts)))"
            let key = random.key()
            let outcome: Result<Void, EngineError>
            do throws(EngineError) {
                _ = try await engine.authorize(AuthorizeRequest(account: account, cost: 1), idempotencyKey: key)
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success: samples.append(MonotonicClock.nowNs() - start)
            case .failure(.overloaded):
                // A shed call is what an HTTP client sees as 503 + Retry-After: back off briefly.
                shed += 1
                try await Task.sleep(for: .milliseconds(1))
            case .failure(let error): throw error
            }
        }
    }
}
