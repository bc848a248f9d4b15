// Proves the OpenAPI document describes every route the router serves (both come from one
// table) with its request and response schemas, and that every action has a route.
@testable import TallyServer
import Testing

@Suite struct OpenAPITests {
    @Test func everyActionHasARoute() {
        #expect(Set(RouteTable.all.map(\.action)) == Set(Action.allCases))
        let keys = RouteTable.all.map { $0.method + " " + $0.pattern }
        #expect(Set(keys).count == keys.count, "no route is listed twice")
    }

    @Test func documentListsEveryRouteWithItsSchemas() throws {
        let document = OpenAPIDocument.make(routes: RouteTable.all)
        #expect(document["openapi"] == .string("3.1.0"))
        let schemas = try #require(document["components"]?["schemas"])
        for route in RouteTable.all {
            let operation = try #require(document["paths"]?[route.pattern]?[route.method.lowercased()], "\(route.method) \(route.pattern)")
            #expect(operation["operationId"] == .string(route.action.rawValue))
            let success = try #require(operation["responses"]?[String(route.success.status)])
            #expect(success["content"] != nil)
            #expect(schemas[route.success.schema] != nil, "\(route.success.schema)")
            if let request = route.request {
                #expect(operation["requestBody"] != nil)
                #expect(schemas[request] != nil, "\(request)")
            }
            if route.scopes != nil {
                #expect(operation["responses"]?["401"] != nil)
            }
        }
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
