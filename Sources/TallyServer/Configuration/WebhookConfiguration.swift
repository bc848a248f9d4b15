import TallyEngine
import TallyCore

/// Reads the `webhooks` section of the configuration and its environment overrides.
extension ServerConfiguration {
    /// `webhooks`: `{retry_schedule_seconds, throttle_floor_seconds, connect_timeout_ms, timeout_ms,
    /// max_in_flight, max_in_flight_per_endpoint, retention_days, failed_retention_days,
    /// allow_private, allowlist}`.
    mutating func readWebhooks(_ value: JSONValue, path: String, problems: inout [String]) {
        for (name, field, at) in Self.members(of: value, at: path, &problems) {
            switch name {
            case "retry_schedule_seconds":
                let seconds = field.arrayValue?.compactMap(\.integerValue) ?? []
                guard seconds.count == field.arrayValue?.count,
                    let schedule = RetrySchedule(
                        delaysSeconds: seconds, jitterPercent: webhooks.schedule.jitterPercent,
                        throttleFloorMs: webhooks.schedule.throttleFloorMs)
                else {
                    problems.append("\(at): must be 1 to 50 integers of seconds from 0 to 604800")
                    continue
                }
                webhooks.schedule = schedule
            case "throttle_floor_seconds":
                guard let seconds = integer(field, 0...604_800, at, &problems),
                    let schedule = RetrySchedule(
                        delaysSeconds: webhooks.schedule.delaysMs.map { $0 / 1_000 },
                        jitterPercent: webhooks.schedule.jitterPercent, throttleFloorMs: seconds * 1_000)
                else { continue }
                webhooks.schedule = schedule
            case "connect_timeout_ms": integer(field, 100...60_000, at, &problems).map { webhooks.connectTimeoutMs = Int($0) }
            case "timeout_ms": integer(field, 100...300_000, at, &problems).map { webhooks.totalTimeoutMs = Int($0) }
            case "max_in_flight": integer(field, 1...1_024, at, &problems).map { webhooks.maxInFlight = Int($0) }
            case "max_in_flight_per_endpoint":
                integer(field, 1...256, at, &problems).map { webhooks.maxInFlightPerEndpoint = Int($0) }
            case "retention_days": days(field, at, &problems).map { retention.deliveredMs = $0 }
            case "failed_retention_days": days(field, at, &problems).map { retention.failedMs = $0 }
            case "allow_private":
                guard case .bool(let allow) = field else {
                    problems.append("\(at): must be true or false")
                    continue
                }
                webhooks.addressPolicy = AddressPolicy(allowPrivate: allow, allowlist: webhooks.addressPolicy.allowlist)
            case "allowlist":
                let ranges = field.arrayValue?.compactMap { $0.stringValue.flatMap(CIDR.init) } ?? []
                guard ranges.count == field.arrayValue?.count else {
                    problems.append("\(at): must be a list of CIDR ranges such as \"10.1.0.0/16\"")
                    continue
                }
                webhooks.addressPolicy = AddressPolicy(allowPrivate: webhooks.addressPolicy.allowPrivate, allowlist: ranges)
            default:
                problems.append("\(at): unknown key")
            }
        }
    }

    /// `events`: `{retention_days}`.
    mutating func readEvents(_ value: JSONValue, path: String, problems: inout [String]) {
        for (name, field, at) in Self.members(of: value, at: path, &problems) {
            switch name {
            case "retention_days": days(field, at, &problems).map { retention.eventsMs = $0 }
            default: problems.append("\(at): unknown key")
            }
        }
    }

    /// A retention of 0 to 3,650 days, in milliseconds (0 keeps for good).
    private func days(_ value: JSONValue, _ path: String, _ problems: inout [String]) -> Int64? {
        integer(value, 0...3_650, path, &problems).map { $0 * 86_400_000 }
    }

    /// `TALLY_WEBHOOK_ALLOW_PRIVATE` and `TALLY_WEBHOOK_RETRY_SCHEDULE` (comma-separated seconds).
    mutating func applyWebhookEnvironment(_ environment: [String: String], problems: inout [String]) {
        if let text = environment["TALLY_WEBHOOK_ALLOW_PRIVATE"] {
            guard text == "true" || text == "false" else {
                problems.append("TALLY_WEBHOOK_ALLOW_PRIVATE: must be true or false")
                return
            }
            webhooks.addressPolicy = AddressPolicy(allowPrivate: text == "true", allowlist: webhooks.addressPolicy.allowlist)
        }
        if let text = environment["TALLY_WEBHOOK_RETRY_SCHEDULE"] {
            guard let schedule = webhooks.schedule.replacingDelays(text) else {
                problems.append("TALLY_WEBHOOK_RETRY_SCHEDULE: must be 1 to 50 comma-separated seconds such as 0,1,2")
                return
            }
            webhooks.schedule = schedule
        }
    }

    @discardableResult
    private func integer(
        _ value: JSONValue, _ range: ClosedRange<Int64>, _ path: String, _ problems: inout [String]
    ) -> Int64? {
        guard let number = value.integerValue, range.contains(number) else {
            problems.append("\(path): must be an integer from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return number
    }
}
