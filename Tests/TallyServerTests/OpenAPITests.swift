// Proves the OpenAPI document describes every route the router serves (both come from one
// table) with its request and response schemas, that every route has its own name, and that the
// request schemas carry the server's own bounds (from Limits) and catalog names.
import TallyCore
@testable import TallyServer
import Testing

@Suite struct OpenAPITests {
    @Test func everyRouteIsListedOnceUnderItsOwnName() {
        let names = RouteTable.all.map(\.name)
        #expect(Set(names).count == names.count, "operationIds are unique")
        let keys = RouteTable.all.map { $0.method + " " + $0.pattern }
        #expect(Set(keys).count == keys.count, "no route is listed twice")
    }

    @Test func documentListsEveryRouteWithItsSchemas() throws {
        let document = OpenAPIDocument.make(routes: RouteTable.all, requests: Self.requests)
        #expect(document["openapi"] == .string("3.1.0"))
        let schemas = try #require(document["components"]?["schemas"])
        for route in RouteTable.all {
            let operation = try #require(document["paths"]?[route.pattern]?[route.method.lowercased()], "\(route.method) \(route.pattern)")
            #expect(operation["operationId"] == .string(route.name))
            let success = try #require(operation["responses"]?[String(route.success.status)])
            #expect(success["content"] != nil)
            #expect(schemas[route.success.schema] != nil, "\(route.success.schema)")
            if let request = route.request {
                #expect(operation["requestBody"] != nil)
                #expect(schemas[request] != nil, "\(request)")
            }
            if route.access != .public {
                #expect(operation["responses"]?["401"] != nil)
            }
        }
    }

    static let requests = RequestSchemas(
        catalog: Catalog(packs: ["starter": Pack(name: "starter", credits: 100, priceAmount: 500, priceCurrency: "USD")], operations: ["chat": 10]),
        maxHoldTTLSeconds: 3_600)

    @Test func requestSchemasCarryTheServersBoundsAndNames() throws {
        let schemas = try #require(OpenAPIDocument.make(routes: RouteTable.all, requests: Self.requests)["components"]?["schemas"])
        // Optional members also take null (read as absent): their own schema is the first choice.
        func field(_ schema: String, _ name: String) -> JSONValue? {
            let member = schemas[schema]?["properties"]?[name]
            return member?["oneOf"]?.arrayValue?.first ?? member
        }
        #expect(field("CreateAccount", "overdraft_limit")?["maximum"] == .integer(Limits.overdraft.upperBound))
        #expect(field("CreateAccount", "thresholds")?["maxItems"] == .integer(Int64(Limits.levelCount)))
        #expect(field("CreateAccount", "metadata")?["maxProperties"] == .integer(Int64(Limits.metadataEntries)))
        #expect(field("RateLimit", "limit")?["maximum"] == .integer(Limits.rateLimit.upperBound))
        #expect(field("BuyPack", "pack")?["enum"] == .array([.string("starter")]))
        #expect(field("Refund", "reason")?["maxLength"] == .integer(Limits.noteCharacters.upperBound))
        let variants = try #require(schemas["Authorize"]?["oneOf"]?.arrayValue)
        #expect(variants.count == 8, "account or api_key × cost or operation × held or not")
        func member(_ variant: JSONValue, _ name: String) -> JSONValue? {
            let schema = variant["properties"]?[name]
            return schema?["oneOf"]?.arrayValue?.first ?? schema
        }
        let held = variants.compactMap { member($0, "hold_ttl_seconds")?["maximum"] }
        #expect(held == Array(repeating: .integer(3_600), count: 4), "only beside hold: true")
        let operations = variants.compactMap { member($0, "operation")?["enum"] }
        #expect(operations == Array(repeating: .array([.string("chat")]), count: 4))
    }

    @Test func servesTheDocument() async throws {
        try await withAPI { api in
            let response = try await api.send("GET", "/v1/openapi.json", token: nil)
            #expect(response.status == 200)
            let document = try #require(response.json)
            for route in RouteTable.all {
                #expect(document["paths"]?[route.pattern]?[route.method.lowercased()] != nil, "\(route.pattern)")
            }
        }
    }
}
