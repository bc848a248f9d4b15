// check-config on gateway routes: every bad method, bad pattern, unknown operation and
// duplicate (same method and pattern shape) is listed with its JSON path, and a table is only
// built from routes that pass.
import Testing
import TallyCore

@Suite struct RouteValidationTests {
    let operations: Set<String> = ["chat.completion", "embedding"]

    func route(_ method: String, _ path: String, _ operation: String? = nil) -> GatewayRoute {
        GatewayRoute(method: method, path: path, price: operation.map(GatewayRoute.Price.operation) ?? .free)
    }

    @Test func aGoodListHasNoProblems() {
        let routes = [
            route("POST", "/v1/chat/{model}", "chat.completion"), route("*", "/v1/chat/{model}"),
            route("GET", "/"), route("GET", "/*"), route("PATCH", "/v1/a-b_c.d~e/@x:y/{id_2}/*", "embedding"),
        ]
        #expect(GatewayRouteTable.validate(routes, operations: operations).isEmpty)
        #expect(GatewayRouteTable(routes, unpriced: .deny) != nil)
    }

    @Test func everyProblemIsListedWithItsPath() {
        let routes = [
            route("get", "/v1/x"), route("", "v1/x"), route("GET", "/v1//x"), route("GET", "/v1/x/"),
            route("GET", "/v1/{}"), route("GET", "/v1/{a-b}"), route("GET", "/v1/{a}/{a}"), route("GET", "/v1/*/x"),
            route("GET", "/v1/x*"), route("GET", "/v1/%2F"), route("GET", "/v1/.."), route("POST", "/v1/x", "nope"),
            route("GET", "/v1/{id}", "embedding"), route("GET", "/v1/{other}"), route("GETTINGVERYLONGMETHODS", "/"),
        ]
        let problems = GatewayRouteTable.validate(routes, operations: operations, path: "gateway.routes")
        #expect(
            problems.map(\.path) == [
                "gateway.routes[0].method", "gateway.routes[1].method", "gateway.routes[1].path",
                "gateway.routes[2].path", "gateway.routes[3].path", "gateway.routes[4].path", "gateway.routes[5].path",
                "gateway.routes[6].path", "gateway.routes[7].path", "gateway.routes[8].path", "gateway.routes[9].path",
                "gateway.routes[10].path", "gateway.routes[11].operation", "gateway.routes[13]",
                "gateway.routes[14].method",
            ])
        #expect(problems[13].reason == "matches the same requests as gateway.routes[12]")
        #expect(problems[12].reason == "nope is not in operations")
        #expect(problems[7].reason == "repeats the placeholder {a}")
        #expect(problems.allSatisfy { !$0.reason.isEmpty })
    }

    @Test func aBadRouteBuildsNoTable() {
        #expect(GatewayRouteTable([route("GET", "/v1//x")], unpriced: .free) == nil)
        #expect(GatewayRouteTable([route("get", "/v1/x")], unpriced: .free) == nil)
    }

    @Test func tooManyRoutesIsOneProblem() {
        let routes = (0...GatewayRouteTable.maxRoutes).map { route("GET", "/r\($0)") }
        #expect(GatewayRouteTable.validate(routes, operations: operations).map(\.path) == ["routes"])
    }

    @Test func patternsReportTheirShapeCounts() throws {
        let pattern = try RoutePattern(parsing: "/v1/{org}/files/*")
        #expect(pattern.literalCount == 2 && pattern.parameterCount == 1 && pattern.hasWildcard)
        #expect(pattern.segments == [.literal("v1"), .parameter("org"), .literal("files")])
        #expect(try RoutePattern(parsing: "/").segments.isEmpty)
    }
}
