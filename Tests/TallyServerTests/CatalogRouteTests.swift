// Proves the catalog over HTTP: plans, packs and the price book are listed from the
// configuration, a pack purchase adds its lot once per payment id, authorize prices by
// operation, and a broken catalog is refused with every problem's JSON path.
import Foundation
import TallyCore
import TallyServer
import Testing

@Suite struct CatalogRouteTests {
    static let catalog = Catalog(
        plans: ["basic": Plan(name: "basic", allowance: 100, period: .month)],
        packs: ["starter": Pack(name: "starter", credits: 500, priceAmount: 900, priceCurrency: "USD", expiresInDays: 30)],
        operations: ["chat": 7])

    @Test func listsTheCatalog() async throws {
        try await withAPI(catalog: Self.catalog) { api in
            let plans = try await api.send("GET", "/v1/plans", token: api.readToken)
            let packs = try await api.send("GET", "/v1/packs", token: api.readToken)
            let operations = try await api.send("GET", "/v1/operations", token: api.authorizeToken)
            #expect(plans.json?["data"]?.arrayValue?.first?["name"] == .string("basic"))
            #expect(packs.json?["data"]?.arrayValue?.first?["expires_in_days"] == .integer(30))
            #expect(operations.json?["data"]?.arrayValue?.first?["cost"] == .integer(7))
        }
    }

    @Test func buysAPackOncePerPayment() async throws {
        try await withAPI(catalog: Self.catalog) { api in
            _ = try await api.send("POST", "/v1/accounts", json: #"{"id": "buyer"}"#)
            let body = #"{"pack": "starter", "reference": "pay_9"}"#
            let first = try await api.send("POST", "/v1/accounts/buyer/packs", json: body, headers: [("Idempotency-Key", "pay_9")])
            let again = try await api.send("POST", "/v1/accounts/buyer/packs", json: body, headers: [("Idempotency-Key", "pay_9")])
            #expect(first.status == 201 && first.json?["lot"]?["source"] == .string("pack"))
            #expect(again.status == 201 && again.header("Idempotent-Replayed") == "true" && again.body == first.body)
            let unknown = try await api.send("POST", "/v1/accounts/buyer/packs", json: #"{"pack": "gold"}"#)
            #expect(unknown.status == 422 && unknown.json?["code"] == .string("unknown_pack"))
            let account = try await api.send("GET", "/v1/accounts/buyer")
            #expect(account.json?["balance"]?["credits"] == .integer(500))
        }
    }

    @Test func authorizesByOperation() async throws {
        try await withAPI(catalog: Self.catalog) { api in
            try await api.fund("caller", 100)
            let priced = try await api.send("POST", "/v1/authorize", json: #"{"account": "caller", "operation": "chat", "quantity": 3}"#)
            #expect(priced.status == 200 && priced.json?["cost"] == .integer(21))
            let unknown = try await api.send("POST", "/v1/authorize", json: #"{"account": "caller", "operation": "fly"}"#)
            let both = try await api.send("POST", "/v1/authorize", json: #"{"account": "caller", "operation": "chat", "cost": 1}"#)
            let neither = try await api.send("POST", "/v1/authorize", json: #"{"account": "caller"}"#)
            let quantityAlone = try await api.send("POST", "/v1/authorize", json: #"{"account": "caller", "cost": 1, "quantity": 2}"#)
            #expect(unknown.json?["code"] == .string("unknown_operation"))
            #expect(both.json?["code"] == .string("invalid_field") && neither.json?["code"] == .string("missing_field"))
            #expect(quantityAlone.json?["code"] == .string("invalid_field"))
            let tooMany = try await api.send("POST", "/v1/authorize", json: #"{"account": "caller", "operation": "chat", "quantity": 100}"#)
            #expect(tooMany.status == 402 && tooMany.json?["cost"] == .integer(700))
        }
    }

    @Test func refusesABrokenCatalogWithEveryPath() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tally-catalog-\(UUID().uuidString).json").path
        try #"""
        {"operations": {"chat": 0, "bad name!": 1},
         "packs": {"p": {"credits": 5, "price": {"amount": 1, "currency": "usd"}, "colour": "red"}},
         "plans": {"x": {"allowance": 10, "period": "fortnight"}}}
        """#.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            _ = try ServerConfiguration.load(path: path, environment: [:])
        } throws: { error in
            let text = "\(error)"
            return ["$.operations.chat", "$.operations.bad name!", "$.packs.p.price.currency", "$.packs.p.colour", "$.plans.x.period"]
                .allSatisfy { text.contains($0) }
        }
    }
}
