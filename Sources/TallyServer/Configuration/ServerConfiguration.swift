import Foundation
public import TallyCore
public import TallyEngine

/// The settings `tally serve` runs with: `config/tally.json` overridden by the environment.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// The SQLite file, relative to the working directory unless absolute.
    public var database = "tally.sqlite"
    public var durability = Durability.full
    public var idempotencyRetentionHours = 24
    /// The memory all accounts' recent idempotency keys may take; older keys are read from disk.
    public var idempotencyMemoryMB = 32
    /// The fixed memory of the filter that spares fresh keys a disk lookup.
    public var idempotencyFilterMB = 64
    public var holdTTLSeconds = 300
    /// An admin token from `TALLY_ADMIN_TOKEN`, accepted in memory only.
    public var adminToken: String?
    /// Plans, packs and the price book.
    public var catalog = Catalog()
    /// Hysteresis and auto top-up timings.
    public var alerts = AlertSettings()
    /// Webhook delivery: retry schedule, timeouts, concurrency and which addresses may receive.
    public var webhooks = WebhookSettings()
    /// How long events and webhook deliveries are kept (`events.retention_days`,
    /// `webhooks.retention_days`, `webhooks.failed_retention_days`).
    public var retention = RetentionSettings()
    /// What the gateway path charges for each proxied route, and what it does with the rest.
    public var routes: [GatewayRoute] = []
    public var unpricedRoutes = UnpricedRoutePolicy.deny

    /// Creates the built-in defaults.
    public init() {}

    /// Every problem found while loading, each as `$.json.path: reason`.
    public struct Problems: Error, Sendable, CustomStringConvertible {
        public let list: [String]
        public var description: String { list.joined(separator: "\n") }
    }

    /// The default file, relative to the working directory.
    public static let defaultPath = "config/tally.json"

    /// Loads the file at `path` (else `TALLY_CONFIG`, else the default file, which may be
    /// absent) and applies `TALLY_LISTEN`, `TALLY_DATABASE`, `TALLY_DURABILITY` and
    /// `TALLY_ADMIN_TOKEN`; every problem is reported, not just the first.
    public static func load(path: String?, environment: [String: String]) throws(Problems) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        var problems: [String] = []
        let chosen = path ?? environment["TALLY_CONFIG"]
        let file = chosen ?? defaultPath
        if let data = FileManager.default.contents(atPath: file) {
            do throws(JSONParser.Failure) {
                configuration.apply(try JSONParser.parse(Array(data)), problems: &problems)
            } catch {
                problems.append("\(file): not valid JSON: \(error.reason) at byte \(error.offset)")
            }
        } else if chosen != nil {
            problems.append("\(file): cannot be read")
        }
        configuration.applyEnvironment(environment, problems: &problems)
        guard problems.isEmpty else { throw Problems(list: problems) }
        return configuration
    }

    private mutating func apply(_ document: JSONValue, problems: inout [String]) {
        guard case .object(let members) = document else {
            problems.append("$: must be an object")
            return
        }
        for (name, value) in members {
            let path = "$." + name
            switch name {
            case "$schema":
                if value.stringValue == nil { problems.append("\(path): must be a string") }
            case "listen":
                guard let text = value.stringValue else {
                    problems.append("\(path): must be a string such as \"127.0.0.1:8080\"")
                    continue
                }
                setListen(text, path: path, problems: &problems)
            case "database":
                guard let text = value.stringValue, !text.isEmpty else {
                    problems.append("\(path): must be a non-empty string")
                    continue
                }
                database = text
            case "durability":
                guard let parsed = value.stringValue.flatMap(Durability.init(rawValue:)) else {
                    problems.append("\(path): must be \"full\" or \"normal\"")
                    continue
                }
                durability = parsed
            case "idempotency_retention_hours":
                guard let hours = value.integerValue, (1...720).contains(hours) else {
                    problems.append("\(path): must be an integer from 1 to 720")
                    continue
                }
                idempotencyRetentionHours = Int(hours)
            case "idempotency_memory_mb":
                idempotencyMemoryMB = Self.megabytes(value, path: path, problems: &problems) ?? idempotencyMemoryMB
            case "idempotency_filter_mb":
                idempotencyFilterMB = Self.megabytes(value, path: path, problems: &problems) ?? idempotencyFilterMB
            case "hold_ttl_seconds":
                guard let seconds = value.integerValue, (1...604_800).contains(seconds) else {
                    problems.append("\(path): must be an integer from 1 to 604800 (7 days)")
                    continue
                }
                holdTTLSeconds = Int(seconds)
            case "alerts":
                readAlerts(value, path: path, problems: &problems)
            case "webhooks":
                readWebhooks(value, path: path, problems: &problems)
            case "events":
                readEvents(value, path: path, problems: &problems)
            case "routes":
                readRoutes(value, path: path, problems: &problems)
            case "unpriced_routes":
                readUnpricedPolicy(value, path: path, problems: &problems)
            case "operations", "packs", "plans":
                var reader = CatalogReader()
                reader.catalog = catalog
                switch name {
                case "operations": reader.readOperations(value, path: path)
                case "packs": reader.readPacks(value, path: path)
                default: reader.readPlans(value, path: path)
                }
                catalog = reader.catalog
                problems += reader.problems
            default:
                problems.append("\(path): unknown key")
            }
        }
        problems += routeProblems()
    }

    /// A memory size in megabytes, 1 to 4096; nil (with the problem noted) otherwise.
    /// The members of a section with the path of each, or none (and a problem) when the section
    /// is not an object.
    static func members(
        of value: JSONValue, at path: String, _ problems: inout [String]
    ) -> [(name: String, value: JSONValue, path: String)] {
        guard case .object(let members) = value else {
            problems.append("\(path): must be an object")
            return []
        }
        return members.map { ($0.0, $0.1, path + "." + $0.0) }
    }

    private static func megabytes(_ value: JSONValue, path: String, problems: inout [String]) -> Int? {
        guard let megabytes = value.integerValue, (1...4_096).contains(megabytes) else {
            problems.append("\(path): must be an integer from 1 to 4096")
            return nil
        }
        return Int(megabytes)
    }

    /// `alerts`: `{hysteresis?, auto_topup_cooldown_seconds?, auto_topup_timeout_seconds?}`.
    private mutating func readAlerts(_ value: JSONValue, path: String, problems: inout [String]) {
        for (name, field, at) in Self.members(of: value, at: path, &problems) {
            let limit: Int64 = name == "hysteresis" ? Limits.amount.upperBound : 31_536_000
            guard let number = field.integerValue, (0...limit).contains(number) else {
                problems.append("\(at): must be an integer from 0 to \(limit)")
                continue
            }
            switch name {
            case "hysteresis": alerts.hysteresis = number
            case "auto_topup_cooldown_seconds": alerts.autoTopUpCooldownMs = number * 1_000
            case "auto_topup_timeout_seconds" where number > 0: alerts.autoTopUpTimeoutMs = number * 1_000
            case "auto_topup_timeout_seconds": problems.append("\(at): must be at least 1")
            default: problems.append("\(at): unknown key")
            }
        }
    }

    private mutating func applyEnvironment(_ environment: [String: String], problems: inout [String]) {
        if let listen = environment["TALLY_LISTEN"] { setListen(listen, path: "TALLY_LISTEN", problems: &problems) }
        if let path = environment["TALLY_DATABASE"] {
            if path.isEmpty { problems.append("TALLY_DATABASE: must not be empty") } else { database = path }
        }
        if let text = environment["TALLY_DURABILITY"] {
            if let parsed = Durability(rawValue: text) { durability = parsed } else {
                problems.append("TALLY_DURABILITY: must be \"full\" or \"normal\"")
            }
        }
        applyWebhookEnvironment(environment, problems: &problems)
        if let token = environment["TALLY_ADMIN_TOKEN"] {
            if token.utf8.count < 16 { problems.append("TALLY_ADMIN_TOKEN: must be at least 16 characters") } else { adminToken = token }
        }
    }

    /// Reads `host:port` (IPv6 hosts in brackets: `[::1]:8080`).
    private mutating func setListen(_ text: String, path: String, problems: inout [String]) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port)
        else {
            problems.append("\(path): must be host:port with a port from 0 to 65535")
            return
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else {
            problems.append("\(path): the host is missing")
            return
        }
        self.host = host
        self.port = port
    }
}
