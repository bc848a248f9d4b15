/// A credit pack from the catalog: what a customer buys once their payment is confirmed.
public struct Pack: Sendable, Hashable {
    public var name: String
    public var credits: Credits
    /// The price shown to customers, in the currency's minor unit; Tally never charges it.
    public var priceAmount: Int64
    /// An ISO 4217 code such as `USD`.
    public var priceCurrency: String
    /// Days from purchase until the pack's lot expires; nil never expires.
    public var expiresInDays: Int?
    /// Burn-down priority of the pack's lot; nil takes the default for packs (10).
    public var priority: Int?

    /// Creates a pack.
    public init(
        name: String, credits: Credits, priceAmount: Int64, priceCurrency: String,
        expiresInDays: Int? = nil, priority: Int? = nil
    ) {
        self.name = name
        self.credits = credits
        self.priceAmount = priceAmount
        self.priceCurrency = priceCurrency
        self.expiresInDays = expiresInDays
        self.priority = priority
    }

    /// The lot a purchase at `nowMs` adds.
    public func creditRequest(atMs nowMs: Int64, reference: String?) -> CreditRequest {
        CreditRequest(
            amount: credits, source: .pack, priority: priority,
            expiresAtMs: expiresInDays.map { nowMs + Int64($0) * 86_400_000 }, reference: reference,
            label: "pack:" + name)
    }

    /// Every problem with this pack, with its path under `path`.
    public func validate(path: String) -> [PlanProblem] {
        var problems: [PlanProblem] = []
        if !Limits.amount.contains(credits) { problems.append(.init(path: path + ".credits", reason: "must be \(Limits.amount.text)")) }
        if priceAmount < 0 { problems.append(.init(path: path + ".price.amount", reason: "must not be negative")) }
        let currencyIsCode = priceCurrency.utf8.count == 3 && priceCurrency.utf8.allSatisfy { $0 >= 65 && $0 <= 90 }
        if !currencyIsCode { problems.append(.init(path: path + ".price.currency", reason: "must be a 3-letter ISO 4217 code")) }
        if let days = expiresInDays, !Limits.packExpiryDays.contains(days) {
            problems.append(.init(path: path + ".expires_in_days", reason: "must be \(Limits.packExpiryDays.text)"))
        }
        if let priority, !Limits.priority.contains(priority) {
            problems.append(.init(path: path + ".priority", reason: "must be \(Limits.priority.text)"))
        }
        return problems
    }
}
