// Proves a year of credit products end to end, as a new user would run it: the real binary on
// the shipped config with `--test-clock`, over HTTP. Packs are bought and expire, allowances
// reset with rollover, thresholds and usage alerts fire exactly once per crossing or period, auto
// top-up asks once and re-arms after its pack arrives, and a restart in the middle neither
// re-fires nor forgets (the test clock resumes where it stood).
import Foundation
import TallyCore
import TallyTesting
import Testing

extension CLITests {
    @Suite struct SimulatedYearTests {
        static let token = "year-test-admin-token-0123"

        @Test func aYearOfPlansPacksAlertsAndAutoTopUp() async throws {
            let directory = try TempDirectory()
            defer { directory.remove() }
            let database = directory.path("year.sqlite")
            let config = repositoryRoot.appendingPathComponent("config/tally.json").path
            let arguments = ["--test-clock", "--config", config]
            var server = try await ServerProcess.start(arguments, database: database, adminToken: Self.token, directory: directory)
            var client = JSONClient(port: server.port, token: Self.token)
            defer { server.process.terminate() }

            try await Self.expect(client, "POST", "/v1/accounts", #"{"id": "solo", "plan": "growth"}"#, 201)
            try await Self.expect(
                client, "POST", "/v1/accounts",
                #"{"id": "acme", "plan": "team", "auto_topup": {"below": 20000, "pack": "pro-10k", "monthly_cap": 3}}"#, 201)
            let acme = try await client.send("GET", "/v1/accounts/acme").json
            #expect(acme?["balance"]?["overdraft_limit"] == .integer(5_000), "the team plan's overdraft")
            try await Self.expect(client, "POST", "/v1/test-clock/advance", #"{"seconds": 86400}"#, 200)
            try await Self.expect(
                client, "POST", "/v1/accounts/solo/packs", #"{"pack": "starter-1k"}"#, 201, key: "pay_starter")

            for month in 0..<12 {
                try await Self.expect(
                    client, "POST", "/v1/authorize", #"{"account": "solo", "operation": "chat.completion", "quantity": 2600}"#, 200)
                if month == 3 || month == 7 {
                    try await Self.expect(client, "POST", "/v1/authorize", #"{"account": "solo", "cost": 21000}"#, 200)
                }
                if month == 3 {
                    // Restart with solo's balance.low fired and acme's auto top-up settled.
                    let before = try await client.send("GET", "/v1/test-clock").json?["now"]
                    #expect(await server.stop() == 0)
                    server = try await ServerProcess.start(arguments, database: database, adminToken: Self.token, directory: directory)
                    client = JSONClient(port: server.port, token: Self.token)
                    #expect(try await client.send("GET", "/v1/test-clock").json?["now"] == before, "the clock resumes")
                    try await Self.expect(client, "POST", "/v1/authorize", #"{"account": "solo", "cost": 100}"#, 200)
                }
                try await Self.spendAcme(client, month: month)
                let end = try #require(try await client.send("GET", "/v1/accounts/solo").json?["period"]?["end"]?.stringValue)
                try await Self.advance(client, to: try #require(Timestamp.parse(end)))
            }
            // Past the pack's 365 days.
            try await Self.expect(client, "POST", "/v1/test-clock/advance", #"{"seconds": 172800}"#, 200)

            let solo = try await Self.eventTypes(client, "solo")
            #expect(solo["period.reset"] == 13, "the first period and twelve starts")
            #expect(solo["usage.threshold"] == 14, "50 % every period, 80 % twice")
            #expect(solo["balance.low"] == 2 && solo["balance.recovered"] == 2, "once per crossing, re-armed at the reset")
            #expect(solo["pack.purchased"] == 1 && solo["credits.expired"] ?? 0 >= 1)
            let expired = try await client.send("GET", "/v1/events?account=solo&type=credits.expired&limit=1000").json
            let packExpiry = expired?["data"]?.arrayValue?.contains { $0["data"]?["amount"] == .integer(1_000) }
            #expect(packExpiry == true, "the unused pack expires whole")

            let team = try await Self.eventTypes(client, "acme")
            #expect(team["autotopup.requested"] == 3, "months 0, 6 and 8: once each, re-armed after the pack or its timeout")
            #expect(team["period.reset"] == 13)
            let view = try await client.send("GET", "/v1/accounts/acme").json
            #expect(view?["lots"]?.arrayValue?.contains { $0["source"] == .string("rollover") } == true)

            let from = "2026-01-01T00:00:00.000Z"
            let to = "2029-01-01T00:00:00.000Z"
            let usage = try await client.send("GET", "/v1/accounts/solo/usage?from=\(from)&to=\(to)&granularity=month").json
            let chat = usage?["totals"]?["operations"]?.arrayValue?.first { $0["operation"] == .string("chat.completion") }
            #expect(chat?["quantity"] == .integer(31_200) && chat?["credits"] == .integer(312_000))
            #expect(await server.stop() == 0)
            let verify = try await runTally(["verify", "--database", database])
            #expect(verify.status == 0, "\(verify)")
        }

        /// Acme spends its team allowance down below the auto top-up line in months 0, 6 and 8.
        static func spendAcme(_ client: JSONClient, month: Int) async throws {
            guard [0, 6, 8].contains(month) else { return }
            let available = try #require(try await client.send("GET", "/v1/accounts/acme").json?["balance"]?["available"]?.integerValue)
            try await expect(client, "POST", "/v1/authorize", #"{"account": "acme", "cost": \#(available - 10_000)}"#, 200)
            try await expect(client, "POST", "/v1/authorize", #"{"account": "acme", "cost": 1000}"#, 200)
            if month == 0 {
                try await expect(client, "POST", "/v1/accounts/acme/packs", #"{"pack": "pro-10k"}"#, 201, key: "pay_acme_1")
            }
        }

        static func advance(_ client: JSONClient, to targetMs: Int64) async throws {
            let now = try #require(Timestamp.parse(try await client.send("GET", "/v1/test-clock").json?["now"]?.stringValue ?? ""))
            let seconds = (targetMs - now + 999) / 1_000
            try await expect(client, "POST", "/v1/test-clock/advance", #"{"seconds": \#(seconds)}"#, 200)
        }

        static func eventTypes(_ client: JSONClient, _ account: String) async throws -> [String: Int] {
            let page = try await client.send("GET", "/v1/events?account=\(account)&limit=1000").json
            var counts: [String: Int] = [:]
            for event in page?["data"]?.arrayValue ?? [] {
                if let type = event["type"]?.stringValue { counts[type, default: 0] += 1 }
            }
            return counts
        }

        static func expect(
            _ client: JSONClient, _ method: String, _ path: String, _ body: String, _ status: Int, key: String? = nil
        ) async throws {
            let response = try await client.send(method, path, json: body, headers: key.map { [("Idempotency-Key", $0)] } ?? [])
            #expect(response.status == status, "\(method) \(path) \(body) → \(response.status) \(response.body)")
        }
    }
}
