import TallyCore

/// Reads the catalog sections of the configuration (`plans`, `packs`, `operations`), reporting
/// every problem with its JSON path.
struct CatalogReader {
    var catalog = Catalog()
    private(set) var problems: [String] = []

    /// Names of plans, packs and operations: 1–64 of `A-Z a-z 0-9 _ . : -`.
    static func isName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy { $0 == 0x5F || $0 == 0x2E || $0 == 0x3A || $0 == 0x2D || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }

    mutating func readOperations(_ value: JSONValue, path: String) {
        for (name, cost) in entries(value, path: path) {
            guard let credits = cost.integerValue, Limits.amount.contains(credits) else {
                problems.append("\(path).\(name): must be an integer cost from \(Limits.amount.text)")
                continue
            }
            catalog.operations[name] = credits
        }
    }

    mutating func readPacks(_ value: JSONValue, path: String) {
        for (name, body) in entries(value, path: path) {
            let here = "\(path).\(name)"
            var fields = Fields(body, path: here, known: ["credits", "price", "expires_in_days", "priority"])
            var price = Fields(fields.value("price") ?? .null, path: here + ".price", known: ["amount", "currency"])
            let pack = Pack(
                name: name, credits: fields.integer("credits") ?? 0, priceAmount: price.integer("amount") ?? 0,
                priceCurrency: price.string("currency") ?? "", expiresInDays: fields.optionalInteger("expires_in_days").map(Int.init),
                priority: fields.optionalInteger("priority").map(Int.init))
            problems += fields.problems + price.problems + pack.validate(path: here).map { $0.description }
            catalog.packs[name] = pack
        }
    }

    mutating func readPlans(_ value: JSONValue, path: String) {
        for (name, body) in entries(value, path: path) {
            let here = "\(path).\(name)"
            var fields = Fields(body, path: here, known: [
                "allowance", "period", "rollover_cap", "overdraft_limit", "thresholds", "usage_alerts_percent", "rate_limit",
            ])
            let parsedPeriod = fields.value("period")?.stringValue.flatMap(PeriodUnit.init(rawValue:))
            if parsedPeriod == nil { problems.append("\(here).period: must be day, week, month or year") }
            // Checked with a stand-in period so the plan's other problems are listed too.
            let period = parsedPeriod ?? .month
            var rateLimit: RateLimit?
            if let value = fields.value("rate_limit") {
                var rate = Fields(value, path: here + ".rate_limit", known: ["limit", "window_seconds"])
                rateLimit = RateLimit(limit: Int(rate.integer("limit") ?? 0), windowSeconds: Int(rate.integer("window_seconds") ?? 0))
                problems += rate.problems
            }
            let plan = Plan(
                name: name, allowance: fields.integer("allowance") ?? 0, period: period,
                rolloverCap: fields.optionalInteger("rollover_cap"), overdraftLimit: fields.optionalInteger("overdraft_limit"),
                thresholds: fields.integers("thresholds"),
                usageAlertsPercent: fields.integers("usage_alerts_percent")?.map { Int($0) }, rateLimit: rateLimit)
            problems += fields.problems + plan.validate(path: here).map { $0.description }
            catalog.plans[name] = plan
        }
    }

    /// The members of a section, checking it is an object and each name is well formed.
    private mutating func entries(_ value: JSONValue, path: String) -> [(String, JSONValue)] {
        guard case .object(let members) = value else {
            problems.append("\(path): must be an object of name → definition")
            return []
        }
        var valid: [(String, JSONValue)] = []
        for (name, body) in members {
            if Self.isName(name) { valid.append((name, body)) } else {
                problems.append("\(path).\(name): names are 1-64 characters of A-Z a-z 0-9 _ . : -")
            }
        }
        return valid
    }
}

/// Typed access to one JSON object's members, collecting a problem for each wrong or unknown one.
struct Fields {
    private let members: [(String, JSONValue)]
    private let path: String
    private(set) var problems: [String] = []

    init(_ value: JSONValue, path: String, known: Set<String>) {
        self.path = path
        guard case .object(let members) = value else {
            self.members = []
            problems.append("\(path): must be an object")
            return
        }
        self.members = members
        for (name, _) in members where !known.contains(name) { problems.append("\(path).\(name): unknown key") }
    }

    func value(_ name: String) -> JSONValue? { members.first { $0.0 == name }?.1 }

    /// A required integer.
    mutating func integer(_ name: String) -> Int64? {
        guard let value = value(name) else {
            problems.append("\(path).\(name): is required")
            return nil
        }
        return checkedInteger(value, name)
    }

    /// An optional integer (absent or null is nil).
    mutating func optionalInteger(_ name: String) -> Int64? {
        guard let value = value(name), value != .null else { return nil }
        return checkedInteger(value, name)
    }

    /// An optional array of integers.
    mutating func integers(_ name: String) -> [Int64]? {
        guard let value = value(name), value != .null else { return nil }
        guard let elements = value.arrayValue, elements.allSatisfy({ $0.integerValue != nil }) else {
            problems.append("\(path).\(name): must be an array of integers")
            return nil
        }
        return elements.compactMap(\.integerValue)
    }

    /// A required string.
    mutating func string(_ name: String) -> String? {
        guard let text = value(name)?.stringValue else {
            problems.append("\(path).\(name): must be a string")
            return nil
        }
        return text
    }

    private mutating func checkedInteger(_ value: JSONValue, _ name: String) -> Int64? {
        guard let number = value.integerValue else {
            problems.append("\(path).\(name): must be an integer")
            return nil
        }
        return number
    }
}
