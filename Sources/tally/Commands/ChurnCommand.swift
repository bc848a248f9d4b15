import Foundation
import TallyCore
import TallyEngine
import TallySystem
import TallyTesting

/// `tally churn`: a mixed keyed load that prints `ack <account> <key>` after each acknowledged
/// mutation, until killed or `--seconds` pass; the crash tests kill it and check every ack.
enum ChurnCommand {
    static let usage = "tally churn --database PATH [--accounts N] [--concurrency C] [--seconds S]"

    static func run(_ arguments: Arguments) async throws(UsageError) -> Int32 {
        guard let path = arguments.string("database") else { throw UsageError("--database is required") }
        let accounts = try arguments.int("accounts", default: 20)
        let concurrency = try arguments.int("concurrency", default: 32)
        let seconds = try arguments.int("seconds", default: 3_600)
        do {
            let engine = try Engine(configuration: EngineConfiguration(store: StoreConfiguration(path: path)))
            for index in 0..<accounts { try await ensureAccount(engine, "churn-\(index)") }
            printNow("ready")
            let deadline = MonotonicClock.nowNs() + UInt64(seconds) * 1_000_000_000
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<concurrency {
                    group.addTask { try await churn(engine, worker: worker, accounts: accounts, until: deadline) }
                }
                try await group.waitForAll()
            }
            await engine.close()
            return 0
        } catch {
            printError("tally churn: \(error)")
            return 1
        }
    }

    private static func ensureAccount(_ engine: Engine, _ id: String) async throws {
        do {
            _ = try await engine.createAccount(NewAccount(id: id, overdraftLimit: 50), idempotencyKey: "create")
        } catch EngineError.rejected(.accountExists) {}
        _ = try await engine.addCredits(id, CreditRequest(amount: 10_000, source: .topup), idempotencyKey: "seed")
    }

    private static func churn(_ engine: Engine, worker: Int, accounts: Int, until deadline: UInt64) async throws {
        var random = SplitMix64(seed: UInt64(getpid()) &* 31 &+ UInt64(worker))
        while MonotonicClock.nowNs() < deadline {
            let account = "churn-\(Int(random.next() % UInt64(accounts)))"
            let key = random.key()
            do {
                try await step(engine, account: account, key: key, dice: random.next() % 100)
                printNow("ack \(account) \(key)")
            } catch EngineError.rejected {
                printNow("ack \(account) \(key)")
            } catch EngineError.overloaded {
                // Shed load is not acknowledged: nothing to check after a crash. Back off briefly.
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    private static func step(_ engine: Engine, account: String, key: String, dice: UInt64) async throws {
        switch dice {
        case 0..<10:
            _ = try await engine.addCredits(account, CreditRequest(amount: 500, source: dice < 5 ? .grant : .topup), idempotencyKey: key)
        case 10..<25:
            let hold = try await engine.authorize(AuthorizeRequest(account: account, cost: 7, holdTTLMs: 60_000), idempotencyKey: key)
            _ = try await engine.capture(hold: hold.value.id, amount: dice % 2 == 0 ? 5 : 9, idempotencyKey: key + "c")
        case 25..<30:
            let debit = try await engine.authorize(AuthorizeRequest(account: account, cost: 3), idempotencyKey: key)
            _ = try await engine.refund(debit: debit.value.id, amount: 2, idempotencyKey: key + "r")
        default:
            _ = try await engine.authorize(AuthorizeRequest(account: account, cost: Int64(1 + dice % 5)), idempotencyKey: key)
        }
    }
}
