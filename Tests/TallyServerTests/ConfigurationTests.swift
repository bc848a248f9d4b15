// Proves the configuration loader reads config/tally.json, lets the environment override it,
// and reports every problem (unknown keys, gateway routes, webhook settings included) with its
// JSON path.
import Foundation
import Testing
import TallyCore
import TallyServer

@Suite struct ConfigurationTests {
    private func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tally-config-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func readsTheShippedDefault() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../config/tally.json").path
        let configuration = try ServerConfiguration.load(path: path, environment: [:])
        // DESIGN §6: at least two plans (one with allowance, usage alerts and a rate limit, one
        // with rollover), two packs (one that expires) and a few operations.
        let plans = configuration.catalog.plans.values
        #expect(plans.contains { $0.allowance > 0 && $0.usageAlertsPercent != nil && $0.rateLimit != nil })
        #expect(plans.contains { $0.effectiveRolloverCap > 0 })
        #expect(configuration.catalog.packs.count >= 2 && configuration.catalog.packs.values.contains { $0.expiresInDays != nil })
        #expect(configuration.catalog.operations.count >= 3)
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.database == "tally.sqlite")
        #expect(configuration.idempotencyMemoryMB == 32 && configuration.idempotencyFilterMB == 64)
        #expect(configuration.alerts == AlertSettings(hysteresis: 0, autoTopUpCooldownMs: 600_000, autoTopUpTimeoutMs: 3_600_000))
        #expect(configuration.webhooks.schedule == .standard && !configuration.webhooks.addressPolicy.allowPrivate)
        let month: Int64 = 30 * 86_400_000
        #expect(configuration.retention.eventsMs == month && configuration.retention.deliveredMs == month)
        #expect(configuration.retention.failedMs == month)
        let overridden = try ServerConfiguration.load(
            path: path, environment: ["TALLY_WEBHOOK_ALLOW_PRIVATE": "true", "TALLY_WEBHOOK_RETRY_SCHEDULE": "0,1,2"])
        #expect(overridden.webhooks.addressPolicy.allowPrivate && overridden.webhooks.schedule.delaysMs == [0, 1_000, 2_000])
        #expect(throws: ServerConfiguration.Problems.self) {
            try ServerConfiguration.load(path: path, environment: ["TALLY_WEBHOOK_RETRY_SCHEDULE": "soon"])
        }
    }

    @Test func environmentOverridesTheFile() throws {
        let path = try write(#"{"listen": "0.0.0.0:9000", "database": "a.sqlite", "durability": "full", "hold_ttl_seconds": 60}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try ServerConfiguration.load(path: nil, environment: [
            "TALLY_CONFIG": path, "TALLY_LISTEN": "[::1]:7000", "TALLY_DATABASE": "/tmp/b.sqlite",
            "TALLY_DURABILITY": "normal", "TALLY_ADMIN_TOKEN": "0123456789abcdef",
        ])
        #expect(configuration.host == "::1")
        #expect(configuration.port == 7000)
        #expect(configuration.database == "/tmp/b.sqlite")
        #expect(configuration.durability == .normal)
        #expect(configuration.holdTTLSeconds == 60)
        #expect(configuration.adminToken == "0123456789abcdef")
    }

    @Test func reportsEveryProblemWithItsPath() throws {
        let path = try write(
            #"{"listen": "nowhere", "durability": "sometimes", "plan": {}, "hold_ttl_seconds": 1.5, "alerts": {"hysteresis": -1, "colour": 1}, "idempotency_memory_mb": 0, "idempotency_filter_mb": "64"}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try ServerConfiguration.load(path: path, environment: ["TALLY_DURABILITY": "maybe"])
            Issue.record("an invalid configuration was accepted")
        } catch {
            let list = error.list
            #expect(list.count == 9)
            #expect(list.contains("$.idempotency_memory_mb: must be an integer from 1 to 4096"))
            #expect(list.contains("$.idempotency_filter_mb: must be an integer from 1 to 4096"))
            #expect(list.contains { $0.hasPrefix("$.alerts.hysteresis:") } && list.contains("$.alerts.colour: unknown key"))
            #expect(list.contains { $0.hasPrefix("$.listen:") })
            #expect(list.contains { $0.hasPrefix("$.durability:") })
            #expect(list.contains("$.plan: unknown key"))
            #expect(list.contains { $0.hasPrefix("$.hold_ttl_seconds:") })
            #expect(list.contains { $0.hasPrefix("TALLY_DURABILITY:") })
        }
        #expect(throws: ServerConfiguration.Problems.self) {
            try ServerConfiguration.load(path: "/nonexistent/tally.json", environment: [:])
        }
    }

    @Test func reportsGatewayRouteAndWebhookProblemsWithTheirPaths() throws {
        let path = try write(
            #"""
            {"operations": {"chat": 10},
             "routes": [{"method": "POST", "path": "/v1/chat", "operation": "chat"},
                        {"method": "POST", "path": "/v1/chat", "operation": "chat"},
                        {"method": "GET", "path": "/v1/x", "operation": "teleport"},
                        {"method": "GET", "path": "/v1/y"}],
             "unpriced_routes": "maybe",
             "webhooks": {"retry_schedule_seconds": [], "allowlist": ["not-a-range"], "timeout_ms": 1}}
            """#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try ServerConfiguration.load(path: path, environment: [:])
            Issue.record("an invalid configuration was accepted")
        } catch {
            let list = error.list
            for prefix in [
                "$.routes[1]", "$.routes[2]", "$.routes[3]", "$.unpriced_routes", "$.webhooks.retry_schedule_seconds",
                "$.webhooks.allowlist", "$.webhooks.timeout_ms",
            ] {
                #expect(list.contains { $0.hasPrefix(prefix) }, "\(prefix) in \(list)")
            }
            #expect(!list.contains { $0.hasPrefix("$.routes[0]") }, "the first route is fine")
        }
    }

    @Test func readsEachRetentionAndRefusesOutOfRange() throws {
        let kept = try write(#"{"events": {"retention_days": 0}, "webhooks": {"retention_days": 7, "failed_retention_days": 90}}"#)
        defer { try? FileManager.default.removeItem(atPath: kept) }
        let configuration = try ServerConfiguration.load(path: kept, environment: [:])
        #expect(configuration.retention.eventsMs == 0, "0 keeps events for good")
        #expect(configuration.retention.deliveredMs == 7 * 86_400_000)
        #expect(configuration.retention.failedMs == 90 * 86_400_000)
        let bad = try write(#"{"events": {"retention_days": -1, "size": 1}, "webhooks": {"failed_retention_days": 3651}}"#)
        defer { try? FileManager.default.removeItem(atPath: bad) }
        do {
            _ = try ServerConfiguration.load(path: bad, environment: [:])
            Issue.record("an invalid configuration was accepted")
        } catch {
            #expect(error.list.sorted() == [
                "$.events.retention_days: must be an integer from 0 to 3650", "$.events.size: unknown key",
                "$.webhooks.failed_retention_days: must be an integer from 0 to 3650",
            ])
        }
    }
}
