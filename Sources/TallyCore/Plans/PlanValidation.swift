/// The checks a plan passes before the configuration is accepted.
extension Plan {
    /// The most `balance.low` levels or usage alert percentages a plan may list.
    public static let maxLevels = 20
    /// The highest usage alert percentage (alerts past 100 % report overage on the overdraft).
    public static let maxAlertPercent = 1_000
    /// The longest rate-limit window: one day.
    public static let maxRateWindowSeconds = 86_400
    /// The highest rate-limit `limit`.
    public static let maxRateLimit = 1_000_000_000

    /// Every problem with the plan, each with its path under `path` (e.g. `plans.pro`);
    /// empty when the plan is valid.
    public func validate(path: String = "") -> [PlanProblem] {
        func at(_ field: String) -> String { path.isEmpty ? field : "\(path).\(field)" }
        var problems: [PlanProblem] = []
        if !Plan.isValidName(name) {
            problems.append(
                PlanProblem(
                    path: at("name"), reason: "must be 1 to 64 of A-Z a-z 0-9 _ . -"))
        }
        if !(0...CreditLimits.maxAmount).contains(allowance) {
            problems.append(PlanProblem(path: at("allowance"), reason: "must be 0 to 10^15"))
        }
        if let rolloverCap, !(0...CreditLimits.maxAmount).contains(rolloverCap) {
            problems.append(PlanProblem(path: at("rollover_cap"), reason: "must be 0 to 10^15"))
        }
        if let overdraftLimit, !(0...CreditLimits.maxAmount).contains(overdraftLimit) {
            problems.append(PlanProblem(path: at("overdraft_limit"), reason: "must be 0 to 10^15"))
        }
        if let thresholds {
            problems += Plan.checkList(
                thresholds, path: at("thresholds"),
                range: -CreditLimits.maxAmount...CreditLimits.maxAmount,
                rangeReason: "must be -10^15 to 10^15")
        }
        if let usageAlertsPercent {
            problems += Plan.checkList(
                usageAlertsPercent, path: at("usage_alerts_percent"),
                range: 1...Plan.maxAlertPercent,
                rangeReason: "must be 1 to \(Plan.maxAlertPercent)")
            if allowance == 0, !usageAlertsPercent.isEmpty {
                problems.append(
                    PlanProblem(
                        path: at("usage_alerts_percent"),
                        reason: "needs an allowance above 0 to take a percentage of"))
            }
        }
        if let rateLimit { problems += rateLimit.validate(path: at("rate_limit")) }
        return problems
    }

    /// Whether a plan name is 1–64 of `A-Z a-z 0-9 _ . -` (it appears in URLs and events).
    static func isValidName(_ name: String) -> Bool {
        let bytes = name.utf8
        guard !bytes.isEmpty, bytes.count <= 64 else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "-"):
                true
            default: false
            }
        }
    }

    /// Checks a list of levels: its length, each value's range, and no repeats.
    static func checkList<Value: BinaryInteger>(
        _ values: [Value], path: String, range: ClosedRange<Value>, rangeReason: String
    ) -> [PlanProblem] {
        var problems: [PlanProblem] = []
        if values.count > maxLevels {
            problems.append(PlanProblem(path: path, reason: "at most \(maxLevels) entries"))
        }
        var seen: Set<Value> = []
        for (index, value) in values.enumerated() {
            if !range.contains(value) {
                problems.append(PlanProblem(path: "\(path)[\(index)]", reason: rangeReason))
            } else if !seen.insert(value).inserted {
                problems.append(PlanProblem(path: "\(path)[\(index)]", reason: "repeats \(value)"))
            }
        }
        return problems
    }
}

extension RateLimit {
    /// Every problem with the rate limit, each with its path under `path`.
    public func validate(path: String = "") -> [PlanProblem] {
        func at(_ field: String) -> String { path.isEmpty ? field : "\(path).\(field)" }
        var problems: [PlanProblem] = []
        if !(1...Plan.maxRateLimit).contains(limit) {
            problems.append(
                PlanProblem(path: at("limit"), reason: "must be 1 to \(Plan.maxRateLimit)"))
        }
        if !(1...Plan.maxRateWindowSeconds).contains(windowSeconds) {
            let reason = "must be 1 to \(Plan.maxRateWindowSeconds)"
            problems.append(PlanProblem(path: at("window_seconds"), reason: reason))
        }
        return problems
    }
}
