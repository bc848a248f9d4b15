// Proves the event outbox: credits added, a pack bought, credits and holds expiring and an
// account change each become one event, written with the change, numbered per account, carrying
// the balance, and listed in order with filters and cursors.
import TallyCore
import Testing

@Suite struct EventRouteTests {
    static let catalog = Catalog(packs: ["starter": Pack(name: "starter", credits: 50, priceAmount: 500, priceCurrency: "EUR")])

    @Test func writesOneEventPerChangeInOrder() async throws {
        try await withAPI(testClock: true, catalog: Self.catalog) { api in
            try await api.fund("evented", 100)
            _ = try await api.send("POST", "/v1/accounts/evented/packs", json: #"{"pack": "starter"}"#)
            _ = try await api.send("POST", "/v1/accounts/evented/topups", json: #"{"amount": 5, "expires_at": "2026-01-15T10:00:30Z"}"#)
            _ = try await api.send("POST", "/v1/authorize", json: #"{"account": "evented", "cost": 20, "hold": true, "hold_ttl_seconds": 10}"#)
            _ = try await api.send("POST", "/v1/test-clock/advance", json: #"{"seconds": 60}"#)
            _ = try await api.send("PATCH", "/v1/accounts/evented", json: #"{"overdraft_limit": 10}"#)

            let all = try await api.send("GET", "/v1/events?account=evented", token: api.readToken)
            let events = try #require(all.json?["data"]?.arrayValue)
            #expect(events.map { $0["type"]?.stringValue ?? "" } == [
                "credits.added", "pack.purchased", "credits.added", "hold.expired", "credits.expired", "account.updated",
            ])
            #expect(events.map { $0["account_seq"]?.integerValue ?? 0 } == [1, 2, 3, 4, 5, 6])
            #expect(events[1]["data"]?["pack"] == .string("starter") && events[1]["data"]?["amount"] == .integer(50))
            #expect(events.last?["data"]?["balance"]?["available"] == .integer(150))
            #expect(events.last?["data"]?["overdraft_limit"] == .integer(10))

            let expired = try await api.send("GET", "/v1/events?type=credits.expired", token: api.readToken)
            #expect(expired.json?["data"]?.arrayValue?.count == 1)
            let firstPage = try await api.send("GET", "/v1/events?limit=2", token: api.readToken)
            let cursor = try #require(firstPage.json?["next_cursor"]?.stringValue)
            let secondPage = try await api.send("GET", "/v1/events?limit=2&after=\(cursor)", token: api.readToken)
            #expect(secondPage.json?["data"]?.arrayValue?.first?["type"] == .string("credits.added"))
            let badType = try await api.send("GET", "/v1/events?type=nope", token: api.readToken)
            #expect(badType.status == 422)
        }
    }
}
