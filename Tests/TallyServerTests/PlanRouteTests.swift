// Proves plans, periods and auto top-up over HTTP: an account created on a plan shows its period
// and allowance, a plan change waits for the period end or applies now with `prorate`, bad plan
// and auto top-up requests get their stable codes, and `auto_topup: null` removes the setting.
import TallyCore
import TallyTesting
import Testing

@Suite struct PlanRouteTests {
    static let catalog = Catalog(
        plans: [
            "basic": Plan(name: "basic", allowance: 1_000, period: .month, rolloverCap: 200),
            "plus": Plan(name: "plus", allowance: 3_000, period: .month),
        ],
        packs: ["refill": Pack(name: "refill", credits: 500, priceAmount: 500, priceCurrency: "USD")])

    @Test func anAccountOnAPlanShowsItsPeriodAndChangesPlan() async throws {
        try await withAPI(catalog: Self.catalog) { api in
            let created = try await api.send(
                "POST", "/v1/accounts",
                json: #"{"id": "p1", "plan": "basic", "auto_topup": {"below": 100, "pack": "refill"}}"#)
            #expect(created.status == 201)
            let body = try #require(created.json)
            #expect(body["plan"] == .string("basic") && body["balance"]?["available"] == .integer(1_000))
            #expect(body["period"]?["start"] == .string("2026-01-15T10:00:00.000Z"))
            #expect(body["period"]?["end"] == .string("2026-02-15T10:00:00.000Z"))
            #expect(body["period"]?["allowance"] == .integer(1_000) && body["period"]?["used"] == .integer(0))
            #expect(body["auto_topup"]?["pack"] == .string("refill"))

            let later = try await api.send("PATCH", "/v1/accounts/p1", json: #"{"plan": "plus"}"#)
            #expect(later.json?["plan"] == .string("basic") && later.json?["period"]?["next_plan"] == .string("plus"))
            let now = try await api.send("PATCH", "/v1/accounts/p1", json: #"{"plan": "plus", "prorate": "now"}"#)
            #expect(now.json?["plan"] == .string("plus") && now.json?["balance"]?["available"] == .integer(3_000))
            let removed = try await api.send("PATCH", "/v1/accounts/p1", json: #"{"auto_topup": null}"#)
            #expect(removed.json?["auto_topup"] == .null)
            let events = try await api.send("GET", "/v1/events?account=p1&type=period.reset")
            #expect(events.json?["data"]?.arrayValue?.count == 1, "a same-unit change keeps the period")
        }
    }

    @Test func refusesBadPlanChanges() async throws {
        try await withAPI(catalog: Self.catalog) { api in
            _ = try await api.send("POST", "/v1/accounts", json: #"{"id": "p2"}"#)
            let cases: [(String, Int, String)] = [
                (#"{"plan": "gold"}"#, 422, "unknown_plan"),
                (#"{"plan": "plus", "prorate": "yesterday"}"#, 422, "invalid_prorate"),
                (#"{"prorate": "now"}"#, 422, "invalid_prorate"),
                (#"{"plan": 7}"#, 422, "invalid_field"),
                (#"{"auto_topup": {"below": 10, "pack": "refill", "monthly_cap": 0}}"#, 422, "invalid_auto_topup"),
                (#"{"auto_topup": "yes"}"#, 422, "invalid_field"),
            ]
            for (body, status, code) in cases {
                let response = try await api.send("PATCH", "/v1/accounts/p2", json: body)
                #expect(response.status == status && response.json?["code"] == .string(code), "\(body) → \(response.body)")
            }
            let untouched = try await api.send("GET", "/v1/accounts/p2")
            #expect(untouched.json?["plan"] == .null && untouched.json?["period"] == .null)
        }
    }
}
