import Foundation
import TallyEngine
import TallyStore

/// Checks the database a schedule left, opened normally (without the fault VFS), against the
/// answers its child logged.
///
/// A request is named by its account and tag; its answers fold to one final state:
/// - `ok` (any attempt succeeded): its entry or hold is stored with the amount answered, and
///   its key, when keyed, is stored exactly once;
/// - `failed` (every attempt answered as a failure): nothing of it is stored — no entry or
///   idempotency row under its key, no entry carrying its tag;
/// - `rejected` with a key: the rejection is stored under the key;
/// - unanswered (the crash came first, or a retry was cut short): either way.
/// Every stored entry therefore belongs to an acknowledged request or to an unanswered one, and
/// the verifier proves each account's balance is the replay of its stored entries: the balance
/// is the sum of the acknowledged effects plus those of some unanswered requests, nothing else.
public struct FaultCheck: Sendable {
    let path: String
    let answers: [Answer]

    public init(path: String, answers: [Answer]) {
        self.path = path
        self.answers = answers
    }

    /// Everything wrong with the database, as sentences; empty when it passed.
    public func violations() async -> [String] {
        let path = self.path
        let answers = self.answers
        let stored = await onOwnThread { Self.storedViolations(path: path, answers: answers) }
        return stored + (await reopen())
    }

    /// What integrity_check, the verifier and the stored rows say, read on the calling thread.
    static func storedViolations(path: String, answers: [Answer]) -> [String] {
        var found: [String] = []
        do {
            let ledger = try Store.openForInspection(path: path, recovering: true)
            found += Self.integrity(try ledger.integrityProblems(), name: "ledger")
            found += Self.integrity(try ledger.indexIntegrityProblems(), name: "ledger index")
            found += try ledger.verify().violations.map { "verifier: \($0)" }
            let stored = try StoredFacts(ledger)
            for request in Self.fold(answers) { found += stored.violations(of: request) }
        } catch {
            found.append("the database could not be checked: \(error)")
        }
        return found
    }

    static func integrity(_ problems: [String], name: String) -> [String] {
        problems.isEmpty ? [] : ["integrity_check of the \(name): \(problems.prefix(5))"]
    }

    /// The engine starts on the database and reads every account.
    func reopen() async -> [String] {
        do {
            let engine = try Engine(configuration: EngineConfiguration(store: StoreConfiguration(path: path)))
            for account in FaultChild.accounts { _ = try await engine.account(account) }
            await engine.close()
            return []
        } catch {
            return ["the engine could not reopen the database: \(error)"]
        }
    }

    /// One request's answers folded to its final state, in the order they were logged.
    static func fold(_ answers: [Answer]) -> [RequestOutcome] {
        var order: [String] = []
        var outcomes: [String: RequestOutcome] = [:]
        for answer in answers {
            let name = "\(answer.account) \(answer.tag)"
            if var outcome = outcomes[name] {
                outcome.take(answer)
                outcomes[name] = outcome
            } else {
                order.append(name)
                outcomes[name] = RequestOutcome(answer)
            }
        }
        return order.compactMap { outcomes[$0] }
    }
}

/// A request's final state: its success if any attempt succeeded, else its last verdict.
struct RequestOutcome {
    var answer: Answer
    var verdict: Answer.Verdict

    init(_ answer: Answer) {
        self.answer = answer
        verdict = answer.verdict
    }

    mutating func take(_ next: Answer) {
        guard verdict != .ok else { return }
        answer = next
        verdict = next.verdict
    }
}

/// What the database holds that the answers are checked against.
struct StoredFacts {
    var entries: [Int64: (account: String, amount: Int64)] = [:]
    /// Rows per (account, key), over entries and the idempotency table.
    var keys: [String: Int] = [:]
    var holds: [Int64: (account: String, amount: Int64, status: String)] = [:]
    /// (account, tag) of every entry whose metadata carries a tag.
    var tags: Set<String> = []

    init(_ store: StoreInspection) throws(StoreError) {
        for entry in try store.allEntries() {
            entries[entry.id] = (entry.account, entry.amount)
            if let key = entry.idempotencyKey { keys["\(entry.account) \(key)", default: 0] += 1 }
            if let tag = Self.tag(in: entry.metadata) { tags.insert("\(entry.account) \(tag)") }
        }
        for (account, key) in try store.separateOutcomeKeys() { keys["\(account) \(key)", default: 0] += 1 }
        for hold in try store.allHolds() { holds[hold.id] = (hold.account, hold.amount, hold.status) }
    }

    static func tag(in metadata: String) -> String? {
        guard metadata.contains("\"tag\""), let object = try? JSONSerialization.jsonObject(with: Data(metadata.utf8)),
            let map = object as? [String: String]
        else { return nil }
        return map["tag"]
    }

    func violations(of request: RequestOutcome) -> [String] {
        let answer = request.answer
        let name = "\(answer.account) \(answer.tag)"
        let storedKeys = keys[name] ?? 0
        var found: [String] = []
        switch request.verdict {
        case .ok:
            found += okViolations(answer)
            if answer.keyed && storedKeys != 1 { found.append("\(answer.line): its key is stored \(storedKeys) times") }
        case .failed:
            if storedKeys > 0 { found.append("\(answer.line): answered as failed, but its key is stored") }
            if tags.contains(name) { found.append("\(answer.line): answered as failed, but its entry is stored") }
        case .rejected:
            if answer.keyed && storedKeys != 1 { found.append("\(answer.line): a keyed rejection, stored \(storedKeys) times") }
        case .retry:
            break
        }
        return found
    }

    /// The entry or hold an `ok` answer named is stored as answered.
    func okViolations(_ answer: Answer) -> [String] {
        switch answer.kind {
        case .hold:
            guard let hold = holds[answer.id], hold.account == answer.account, hold.amount == answer.amount else {
                return ["\(answer.line): the hold is missing or differs (\(String(describing: holds[answer.id])))"]
            }
        case .void:
            guard holds[answer.id]?.status == "voided" else {
                return ["\(answer.line): the hold is not voided (\(String(describing: holds[answer.id])))"]
            }
        case .update:
            break
        case .topup, .pack, .debit, .capture, .refund:
            // An entry's amount is signed (a debit's is negative); a capture's nets the release
            // against the hold, so only its presence is compared.
            guard let entry = entries[answer.id], entry.account == answer.account,
                answer.kind == .capture || abs(entry.amount) == answer.amount
            else {
                return ["\(answer.line): the entry is missing or differs (\(String(describing: entries[answer.id])))"]
            }
        }
        return []
    }
}

/// Runs blocking `body` (SQLite, the file system) on a thread of its own, off Swift's cooperative pool.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: body()) }
    }
}
