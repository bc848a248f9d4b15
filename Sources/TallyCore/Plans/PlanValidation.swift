/// The checks a plan passes before the configuration is accepted.
extension Plan {
    /// Every problem with the plan, each with its path under `path` (e.g. `plans.pro`);
    /// empty when the plan is valid.
    public func validate(path: String = "") -> [PlanProblem] {
        func at(_ field: String) -> String { path.isEmpty ? field : "\(path).\(field)" }
        var problems: [PlanProblem] = []
        if !Plan.isValidName(name) {
            problems.append(
                PlanProblem(
                    path: at("name"), reason: "must be \(Limits.planNameBytes.text) of A-Z a-z 0-9 _ . -"))
        }
        for (field, value) in [("allowance", allowance), ("rollover_cap", rolloverCap), ("overdraft_limit", overdraftLimit)] {
            if let value, !Limits.overdraft.contains(value) {
                problems.append(PlanProblem(path: at(field), reason: "must be \(Limits.overdraft.text)"))
            }
        }
        if let thresholds {
            problems += Plan.checkList(thresholds, path: at("thresholds"), limit: Limits.threshold)
        }
        if let usageAlertsPercent {
            problems += Plan.checkList(usageAlertsPercent, path: at("usage_alerts_percent"), limit: Limits.usageAlertPercent)
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

    /// Whether a plan name is ``Limits/planNameBytes`` of `A-Z a-z 0-9 _ . -` (it appears in URLs and events).
    static func isValidName(_ name: String) -> Bool {
        let bytes = name.utf8
        guard Limits.planNameBytes.contains(bytes.count) else { return false }
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
    static func checkList<Value: BinaryInteger>(_ values: [Value], path: String, limit: IntegerLimit) -> [PlanProblem] {
        var problems: [PlanProblem] = []
        if values.count > Limits.levelCount {
            problems.append(PlanProblem(path: path, reason: "at most \(Limits.levelCount) entries"))
        }
        var seen: Set<Value> = []
        for (index, value) in values.enumerated() {
            if !limit.contains(Int64(clamping: value)) {
                problems.append(PlanProblem(path: "\(path)[\(index)]", reason: "must be \(limit.text)"))
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
        if !Limits.rateLimit.contains(limit) {
            problems.append(PlanProblem(path: at("limit"), reason: "must be \(Limits.rateLimit.text)"))
        }
        if !Limits.rateWindowSeconds.contains(windowSeconds) {
            problems.append(PlanProblem(path: at("window_seconds"), reason: "must be \(Limits.rateWindowSeconds.text)"))
        }
        return problems
    }
}
