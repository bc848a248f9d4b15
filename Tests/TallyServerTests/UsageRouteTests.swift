// Proves the usage report agrees with the ledger: per operation per day, quantities and credits
// net of refunds (captures count what they took), breakage apart, and bad ranges refused.
import TallyCore
import Testing

@Suite struct UsageRouteTests {
    @Test func reportsUsagePerOperationPerDay() async throws {
        try await withAPI(catalog: Catalog(operations: ["chat": 7, "search": 2])) { api in
            try await api.fund("user", 100)
            _ = try await api.send("POST", "/v1/accounts/user/topups", json: #"{"amount": 30, "promotional": true, "expires_at": "2026-01-16T12:00:00Z"}"#)
            let first = try await api.send("POST", "/v1/authorize", json: #"{"account": "user", "operation": "chat", "quantity": 3}"#)
            let hold = try await api.send(
                "POST", "/v1/authorize", json: #"{"account": "user", "operation": "chat", "quantity": 2, "hold": true}"#)
            let holdID = try #require(hold.json?["id"]?.stringValue)
            _ = try await api.send("POST", "/v1/holds/\(holdID)/capture", json: #"{"amount": 10}"#)
            let debitID = try #require(first.json?["id"]?.stringValue)
            _ = try await api.send("POST", "/v1/debits/\(debitID)/refund", json: #"{"amount": 5}"#)
            _ = try await api.send("POST", "/v1/authorize", json: #"{"account": "user", "cost": 4}"#)

            // Past the grant's expiry (Jan 16 12:00): the next request books what was left of it.
            api.clock.advance(byMs: 27 * 3_600_000)
            _ = try await api.send("POST", "/v1/authorize", json: #"{"account": "user", "operation": "search"}"#)

            let report = try await api.send(
                "GET", "/v1/accounts/user/usage?from=2026-01-15T00:00:00Z&to=2026-01-17T00:00:00Z&granularity=day")
            #expect(report.status == 200)
            let buckets = try #require(report.json?["buckets"]?.arrayValue)
            #expect(buckets.count == 2)
            let firstDay = try #require(buckets.first?["operations"]?.arrayValue)
            // Unlabelled charges (by cost) sort first, then operations by name.
            #expect(firstDay.first?["operation"] == .null && firstDay.first?["credits"] == .integer(4))
            #expect(firstDay.last?["operation"] == .string("chat"))
            #expect(firstDay.last?["quantity"] == .integer(5) && firstDay.last?["credits"] == .integer(26), "\(report.body)")
            // The grant expired (unused) on the second day: breakage, apart from usage.
            // The promotional grant burns first (priority 5): 21 + 9 for the capture, 5 refunded
            // back to it, 4 spent again, so 1 credit of it expires unused on the second day.
            #expect(buckets.last?["expired"] == .integer(1))
            #expect(report.json?["totals"]?["expired"] == .integer(1))
            #expect(report.json?["totals"]?["credits"] == .integer(4 + 26 + 2))
        }
    }

    @Test func refusesBadRanges() async throws {
        try await withAPI { api in
            try await api.fund("user", 1)
            let backwards = try await api.send("GET", "/v1/accounts/user/usage?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z")
            let tooMany = try await api.send(
                "GET", "/v1/accounts/user/usage?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&granularity=hour")
            let missing = try await api.send("GET", "/v1/accounts/user/usage?to=2026-01-01T00:00:00Z")
            let unknown = try await api.send("GET", "/v1/accounts/nobody/usage?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z")
            #expect(backwards.json?["code"] == .string("invalid_range") && tooMany.json?["code"] == .string("invalid_range"))
            #expect(missing.json?["code"] == .string("missing_field") && unknown.status == 404)
        }
    }
}
