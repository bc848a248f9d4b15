import Foundation
import TallyCore
import TallyEngine
import TallyTesting

/// The child process of a schedule: opens an engine through the fault VFS, runs seeded mixed
/// load from a few concurrent tasks and logs every answer, then loses power.
///
/// It never ends normally: the crash point of the plan, or the power loss after the load, kills
/// it with SIGKILL, so SQLite never cleans up.
public enum FaultChild {
    static let accounts = ["acct-0", "acct-1", "acct-2", "acct-3"]
    static let workers = 3
    static let stepsPerWorker = 40
    static let pack = Pack(name: "starter", credits: 300, priceAmount: 500, priceCurrency: "USD")

    /// Frequent checkpoints and a short index delay, so a short run writes every file the store has.
    static func configuration(path: String) -> EngineConfiguration {
        EngineConfiguration(
            store: StoreConfiguration(path: path, checkpointIntervalMs: 20, maxQueueDelayMs: 1_000, indexDelayMs: 10),
            catalog: Catalog(packs: [pack.name: pack]))
    }

    /// Runs the schedule of `plan` on the database at `path`.
    public static func run(path: String, plan: FaultPlan) async -> Never {
        guard FaultVFS.installAsDefault() else { exitWithError("the fault VFS could not be registered") }
        let engine: Engine
        do {
            engine = try Engine(configuration: configuration(path: path))
            try await setUp(engine)
        } catch {
            exitWithError("setup failed: \(error)")
        }
        FaultVFS.arm(plan)
        emit("ready")
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<workers {
                group.addTask {
                    var worker = FaultWorker(engine: engine, name: "w\(index)", seed: plan.seed &+ UInt64(index))
                    for _ in 0..<stepsPerWorker { await worker.step() }
                }
            }
        }
        FaultVFS.stopFaults()
        await recover(engine)
        emit("done \(FaultVFS.faults)")
        if plan.closesCleanly { await engine.close() }
        FaultVFS.crash()
    }

    /// Accounts with credits and an overdraft, made durable before any fault is armed.
    static func setUp(_ engine: Engine) async throws {
        for account in accounts {
            _ = try await engine.createAccount(NewAccount(id: account, overdraftLimit: 500), idempotencyKey: "create")
            _ = try await engine.addCredits(account, CreditRequest(amount: 5_000, source: .topup), idempotencyKey: "seed")
        }
    }

    /// With faults over, every account must be served again without a restart: a top-up per
    /// account succeeds within a few attempts, or the account is reported stuck.
    static func recover(_ engine: Engine) async {
        for account in accounts {
            var served = false
            for attempt in 1...5 where !served {
                let tag = "recover-\(account)-\(attempt)"
                do throws(EngineError) {
                    let receipt = try await engine.addCredits(
                        account, CreditRequest(amount: 1, source: .topup), idempotencyKey: tag).value
                    emit(Answer(.ok, .topup, account: account, tag: tag, keyed: true, id: receipt.entryID, amount: 1).line)
                    served = true
                } catch {
                    emit(Answer(.failed, .topup, account: account, tag: tag, keyed: true).line)
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
            if !served { emit("stuck \(account)") }
        }
    }

    /// Writes a line at once with one system call, so it is in the parent's file before any crash.
    static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func exitWithError(_ message: String) -> Never {
        FileHandle.standardError.write(Data("tally-faults: \(message)\n".utf8))
        exit(1)
    }
}

/// One task of the child's load, with its own seeded choices and the debits it may refund.
struct FaultWorker {
    let engine: Engine
    let name: String
    var random: SplitMix64
    var counter = 0
    var refundable: [(account: String, id: Int64, cost: Int64)] = []

    init(engine: Engine, name: String, seed: UInt64) {
        self.engine = engine
        self.name = name
        random = SplitMix64(seed: seed)
    }

    mutating func step() async {
        let account = FaultChild.accounts[random.below(FaultChild.accounts.count)]
        switch random.below(100) {
        case 0..<12: await topUp(account)
        case 12..<17: await buyPack(account)
        case 17..<52: await debit(account)
        case 52..<77: await holdAndSettle(account)
        case 77..<90: await refund()
        default: await update(account)
        }
    }

    mutating func topUp(_ account: String) async {
        let amount = Int64(1 + random.below(500))
        _ = await send(.topup, account, keyed: true) { engine, key, tag throws(EngineError) in
            let receipt = try await engine.addCredits(
                account, CreditRequest(amount: amount, source: .topup, reference: tag), idempotencyKey: key).value
            return (receipt.entryID, amount)
        }
    }

    mutating func buyPack(_ account: String) async {
        _ = await send(.pack, account, keyed: true) { engine, key, tag throws(EngineError) in
            let receipt = try await engine.buyPack(account, pack: FaultChild.pack.name, reference: tag, idempotencyKey: key).value
            return (receipt.entryID, FaultChild.pack.credits)
        }
    }

    mutating func debit(_ account: String) async {
        let cost = Int64(1 + random.below(40))
        let answer = await send(.debit, account, keyed: random.chance(50)) { engine, key, tag throws(EngineError) in
            let debit = try await engine.authorize(
                AuthorizeRequest(account: account, cost: cost, metadata: ["tag": tag]), idempotencyKey: key).value
            return (debit.id, cost)
        }
        if let answer { refundable.append((account, answer.id, cost)) }
    }

    /// A hold, then (mostly) a partial, full or over-capture, or a void.
    mutating func holdAndSettle(_ account: String) async {
        let amount = Int64(1 + random.below(60))
        let hold = await send(.hold, account, keyed: random.chance(50)) { engine, key, tag throws(EngineError) in
            let hold = try await engine.authorize(
                AuthorizeRequest(account: account, cost: amount, holdTTLMs: 600_000, metadata: ["tag": tag]),
                idempotencyKey: key).value
            return (hold.id, amount)
        }
        guard let hold else { return }
        let dice = random.below(100)
        if dice < 30 {
            _ = await send(.void, account, keyed: true) { engine, key, _ throws(EngineError) in
                let receipt = try await engine.void(hold: hold.id, idempotencyKey: key).value
                return (hold.id, receipt.released)
            }
        } else if dice < 90 {
            let capture: Int64? = dice < 50 ? nil : Int64(1 + random.below(Int(amount) + 10))
            _ = await send(.capture, account, keyed: true) { engine, key, _ throws(EngineError) in
                let receipt = try await engine.capture(hold: hold.id, amount: capture, idempotencyKey: key).value
                return (receipt.debitID, receipt.captured)
            }
        }
    }

    mutating func refund() async {
        guard !refundable.isEmpty else { return }
        let debit = refundable.remove(at: random.below(refundable.count))
        let amount = Int64(1 + random.below(Int(debit.cost)))
        _ = await send(.refund, debit.account, keyed: true) { engine, key, _ throws(EngineError) in
            let receipt = try await engine.refund(debit: debit.id, amount: amount, idempotencyKey: key).value
            return (receipt.refundID, receipt.amount)
        }
    }

    mutating func update(_ account: String) async {
        let level = Int64(random.below(1_000))
        _ = await send(.update, account, keyed: true) { engine, key, tag throws(EngineError) in
            _ = try await engine.updateAccount(
                account, AccountChanges(thresholds: [level], metadata: ["last": tag]), idempotencyKey: key)
            return (0, 0)
        }
    }

    /// Sends one request under a fresh tag (its key when keyed), logs the answer, and half the
    /// time sends a failed keyed request once more with the same key.
    mutating func send(
        _ kind: Answer.Kind, _ account: String, keyed: Bool,
        _ request: (Engine, String?, String) async throws(EngineError) -> (Int64, Int64)
    ) async -> (id: Int64, amount: Int64)? {
        counter += 1
        let tag = "\(name)-\(counter)"
        var retried = false
        while true {
            do throws(EngineError) {
                let (id, amount) = try await request(engine, keyed ? tag : nil, tag)
                FaultChild.emit(Answer(.ok, kind, account: account, tag: tag, keyed: keyed, id: id, amount: amount).line)
                return (id, amount)
            } catch {
                let verdict: Answer.Verdict = error.rejection == nil ? .failed : .rejected
                FaultChild.emit(Answer(verdict, kind, account: account, tag: tag, keyed: keyed).line)
                guard verdict == .failed, keyed, !retried, random.chance(50) else { return nil }
                retried = true
                FaultChild.emit(Answer(.retry, kind, account: account, tag: tag, keyed: keyed).line)
            }
        }
    }
}
