// Proves balance alerts end to end: crossing below a level fires balance.low once (naming the
// lowest level crossed), reaching zero fires balance.depleted, a rise re-arms with
// balance.recovered, and the fired state survives a restart so nothing fires twice.
import Foundation
import TallyCore
import TallyEngine
import TallyStore
import TallyTesting
import Testing

@Suite struct AlertRouteTests {
    @Test func alertsFireOncePerCrossingAndReArm() async throws {
        try await withAPI { api in
            _ = try await api.send("POST", "/v1/accounts", json: #"{"id": "watched", "thresholds": [50, 20]}"#)
            _ = try await api.send("POST", "/v1/accounts/watched/topups", json: #"{"amount": 100}"#)
            _ = try await api.send("POST", "/v1/authorize", json: #"{"account": "watched", "cost": 85}"#)  // 15: crosses 50 and 20
            _ = try await api.send("POST", "/v1/authorize", json: #"{"account": "watched", "cost": 5}"#)   // 10: no new crossing
            _ = try await api.send("POST", "/v1/authorize", json: #"{"account": "watched", "cost": 10}"#)  // 0: depleted
            _ = try await api.send("POST", "/v1/accounts/watched/topups", json: #"{"amount": 60}"#)        // 60: recovers all

            let page = try await api.send("GET", "/v1/events?account=watched", token: api.readToken)
            let alerts = try #require(page.json?["data"]?.arrayValue).filter { $0["type"]?.stringValue?.hasPrefix("balance.") == true }
            #expect(alerts.map { $0["type"]?.stringValue ?? "" } == ["balance.low", "balance.depleted", "balance.recovered"])
            #expect(alerts.first?["data"]?["level"] == .integer(20))
            #expect(alerts.last?["data"]?["levels"] == .array([.integer(20), .integer(50)]))
            #expect(alerts.last?["data"]?["depleted"] == .bool(true))

            let patched = try await api.send("PATCH", "/v1/accounts/watched", json: #"{"thresholds": [1, 1]}"#)
            #expect(patched.status == 422 && patched.json?["code"] == .string("invalid_thresholds"))
        }
    }

    @Test func theFiredStateSurvivesARestart() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let clock = ManualClock(startMs: APIHarness.startMs)
        var engine = try Engine(configuration: EngineConfiguration(store: StoreConfiguration(path: database.path, durability: .normal)), clock: clock)
        _ = try await engine.createAccount(NewAccount(id: "a", thresholds: [10]))
        _ = try await engine.addCredits("a", CreditRequest(amount: 30, source: .topup))
        _ = try await engine.authorize(AuthorizeRequest(account: "a", cost: 25))  // 5: balance.low
        await engine.close()
        engine = try Engine(configuration: EngineConfiguration(store: StoreConfiguration(path: database.path, durability: .normal)), clock: clock)
        _ = try await engine.authorize(AuthorizeRequest(account: "a", cost: 1))   // 4: still below, no second event
        let lows = try await engine.events(EventQuery(type: "balance.low", account: "a", limit: 10))
        #expect(lows.count == 1)
        await engine.close()
        #expect(try Store.openForInspection(path: database.path).verify().violations.isEmpty)
    }
}
