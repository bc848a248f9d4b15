/// One line of the child's log: what the engine answered to one request attempt, or that an
/// attempt is being retried (so it may be applied even if no answer follows).
///
/// `ok <kind> <account> <tag> <keyed|plain> <id> <amount>`, `failed …`, `rejected …` (without
/// id and amount), `retry …`. The tag names the request: it is the idempotency key of a keyed
/// request, and rides in the metadata of a plain one.
public struct Answer: Sendable, Hashable {
    public enum Verdict: String, Sendable {
        /// Success: the engine claims it durable.
        case ok
        /// An infrastructure failure (storage or shed load): the engine claims nothing applied.
        case failed
        /// A business rejection: nothing applied (and stored under the key, when keyed).
        case rejected
        /// The failed request is sent again with the same key.
        case retry
    }

    /// What the request did.
    public enum Kind: String, Sendable {
        case topup, pack, debit, hold, capture, void, refund, update
    }

    public let verdict: Verdict
    public let kind: Kind
    public let account: String
    public let tag: String
    public let keyed: Bool
    /// The entry (debit, capture, refund, top-up, pack) or hold the answer named; 0 when none.
    public let id: Int64
    public let amount: Int64

    public init(_ verdict: Verdict, _ kind: Kind, account: String, tag: String, keyed: Bool, id: Int64 = 0, amount: Int64 = 0) {
        self.verdict = verdict
        self.kind = kind
        self.account = account
        self.tag = tag
        self.keyed = keyed
        self.id = id
        self.amount = amount
    }

    /// The line the child prints.
    public var line: String {
        let head = "\(verdict.rawValue) \(kind.rawValue) \(account) \(tag) \(keyed ? "keyed" : "plain")"
        return verdict == .ok ? "\(head) \(id) \(amount)" : head
    }

    /// Parses a line the child printed; nil for anything else.
    public init?(line: Substring) {
        let parts = line.split(separator: " ")
        guard parts.count >= 5, let verdict = Verdict(rawValue: String(parts[0])),
            let kind = Kind(rawValue: String(parts[1]))
        else { return nil }
        var id: Int64 = 0
        var amount: Int64 = 0
        if verdict == .ok {
            guard parts.count == 7, let parsedID = Int64(parts[5]), let parsedAmount = Int64(parts[6]) else { return nil }
            id = parsedID
            amount = parsedAmount
        }
        self.init(verdict, kind, account: String(parts[2]), tag: String(parts[3]), keyed: parts[4] == "keyed", id: id, amount: amount)
    }
}
