// Gateway route pricing: the most specific route wins (literals, then a pinned whole path, then
// placeholders, then the method, then config order), HEAD prices as GET, unpriced routes follow
// the policy, queries and encodings do not change the price, hostile targets are refused, and a
// seeded shuffle of a tie-free route list never changes which route wins.
import Testing
import TallyCore
import TallyTesting

@Suite struct RouteTableTests {
    func table(_ routes: [(String, String, String?)], unpriced: UnpricedRoutePolicy = .deny) throws -> GatewayRouteTable {
        let parsed = routes.map { method, path, operation in
            GatewayRoute(method: method, path: path, price: operation.map(GatewayRoute.Price.operation) ?? .free)
        }
        return try #require(GatewayRouteTable(parsed, unpriced: unpriced))
    }

    @Test func aLiteralBeatsAPlaceholderWhateverTheOrder() throws {
        let routes = try table([("GET", "/v1/models/{id}", "embedding"), ("GET", "/v1/models/special", "search.query")])
        #expect(routes.resolve(method: "GET", uri: "/v1/models/special") == .charge(operation: "search.query", route: 1))
        #expect(routes.resolve(method: "GET", uri: "/v1/models/other") == .charge(operation: "embedding", route: 0))
    }

    @Test func aPinnedPathBeatsAWildcardWithAsManyLiterals() throws {
        let routes = try table([("GET", "/v1/files/*", "embedding"), ("GET", "/v1/files/{id}", "search.query")])
        #expect(routes.resolve(method: "GET", uri: "/v1/files/abc") == .charge(operation: "search.query", route: 1))
        #expect(routes.resolve(method: "GET", uri: "/v1/files/abc/content") == .charge(operation: "embedding", route: 0))
        #expect(routes.resolve(method: "GET", uri: "/v1/files") == .charge(operation: "embedding", route: 0))
        // More literals still come first: /v1/* has one, /{v}/chat/{m} has one and is pinned.
        let mixed = try table([("GET", "/v1/*", "embedding"), ("GET", "/{v}/chat/{m}", "chat.completion")])
        #expect(mixed.resolve(method: "GET", uri: "/v1/chat/x") == .charge(operation: "chat.completion", route: 1))
    }

    @Test func betweenWildcardsTheLongerFixedPartWins() throws {
        let routes = try table([("POST", "/v1/*", "embedding"), ("POST", "/v1/{id}/*", "image.generate")])
        #expect(routes.resolve(method: "POST", uri: "/v1/a/b") == .charge(operation: "image.generate", route: 1))
        #expect(routes.resolve(method: "POST", uri: "/v1") == .charge(operation: "embedding", route: 0))
    }

    @Test func theExactMethodBeatsAnyButNotAMoreSpecificPath() throws {
        let routes = try table([("*", "/v1/chat", nil), ("POST", "/v1/chat", "chat.completion"), ("POST", "/v1/*", "embedding")])
        #expect(routes.resolve(method: "POST", uri: "/v1/chat") == .charge(operation: "chat.completion", route: 1))
        #expect(routes.resolve(method: "DELETE", uri: "/v1/chat") == .free(route: 0))
        #expect(routes.resolve(method: "POST", uri: "/v1/other") == .charge(operation: "embedding", route: 2))
        #expect(routes.resolve(method: "post", uri: "/v1/other") == .unpriced)
    }

    @Test func headPricesAsGetUnlessItHasItsOwnRoute() throws {
        let routes = try table([("*", "/v1/models", nil), ("GET", "/v1/models", "search.query")])
        #expect(routes.resolve(method: "HEAD", uri: "/v1/models") == .charge(operation: "search.query", route: 1))
        let own = try table([("GET", "/v1/models", "search.query"), ("HEAD", "/v1/models", nil)])
        #expect(own.resolve(method: "HEAD", uri: "/v1/models") == .free(route: 1))
        #expect(own.resolve(method: "GET", uri: "/v1/models") == .charge(operation: "search.query", route: 0))
    }

    @Test func equalSpecificityFallsBackToConfigOrder() throws {
        let routes = try table([("GET", "/v1/{a}/x", "embedding"), ("GET", "/v1/y/{b}", "search.query")])
        #expect(routes.resolve(method: "GET", uri: "/v1/y/x") == .charge(operation: "embedding", route: 0))
    }

    @Test func unpricedRoutesFollowThePolicy() throws {
        let list: [(String, String, String?)] = [("GET", "/v1/models", "search.query"), ("GET", "/", nil)]
        #expect(try table(list).resolve(method: "GET", uri: "/v1/unknown") == .unpriced)
        #expect(try table(list).resolve(method: "POST", uri: "/v1/models") == .unpriced)
        #expect(try table(list, unpriced: .free).resolve(method: "GET", uri: "/v1/unknown") == .free(route: nil))
        #expect(try table(list).resolve(method: "GET", uri: "/?q=1") == .free(route: 1))
        #expect(try table([]).resolve(method: "GET", uri: "/") == .unpriced)
        let everything = try table([("*", "/*", "embedding")])
        #expect(everything.resolve(method: "GET", uri: "/") == .charge(operation: "embedding", route: 0))
    }

    @Test func queriesAndEncodingsDoNotChangeThePrice() throws {
        let routes = try table([("POST", "/v1/chat/completions", "chat.completion"), ("POST", "/v1/chat/{model}", "embedding")])
        let priced = RouteResolution.charge(operation: "chat.completion", route: 0)
        for uri in ["/v1/chat/completions?stream=true", "/v1/chat/completions/", "/v1/chat/%63ompletions", "/v1/%63hat/completions#x"] {
            #expect(routes.resolve(method: "POST", uri: uri) == priced)
        }
        #expect(routes.resolve(method: "POST", uri: "/v1/chat/caf%C3%A9") == .charge(operation: "embedding", route: 1))
    }

    @Test func hostileTargetsAreRefusedNotPriced() throws {
        let routes = try table([("*", "/*", nil)], unpriced: .free)
        #expect(routes.resolve(method: "GET", uri: "/v1/chat%2Fcompletions") == .refused(.encodedSlash))
        #expect(routes.resolve(method: "GET", uri: "/v1/../admin") == .refused(.dotSegment))
        #expect(routes.resolve(method: "GET", uri: "/v1/%00") == .refused(.forbiddenCharacter))
        #expect(routes.resolve(method: "GET", uri: "/" + String(repeating: "a/", count: 5_000)) == .refused(.tooLong))
        #expect(routes.resolve(method: "GET", uri: String(repeating: "/a", count: 65)) == .refused(.tooManySegments))
    }

    @Test(arguments: [UInt64(3), 17, 2_026])
    func shufflingATieFreeListNeverChangesTheWinner(seed: UInt64) throws {
        print("RouteTableTests seed \(seed)")
        var random = SplitMix64(seed: seed)
        // No two of these have equal specificity for any request they both match.
        let routes = [
            ("GET", "/v1/models/special", "a"), ("GET", "/v1/models/{id}", "b"), ("GET", "/v1/models/*", "c"),
            ("GET", "/v1/*", "d"), ("GET", "/*", "e"), ("GET", "/v1/{kind}/*", "f"), ("*", "/v1/models/{id}", "g"),
            ("GET", "/{ver}/models/{id}", "h"), ("POST", "/*", "i"),
        ].map { GatewayRoute(method: $0.0, path: $0.1, price: .operation($0.2)) }
        let reference = try #require(GatewayRouteTable(routes, unpriced: .deny))
        let shuffled = try #require(GatewayRouteTable(routes.shuffled(using: &random), unpriced: .deny))
        let words = ["v1", "v2", "models", "special", "x"]
        for _ in 0..<2_000 {
            let path = (0..<random.below(5)).map { _ in words[random.below(words.count)] }
            let uri = "/" + path.joined(separator: "/")
            let method = ["GET", "POST", "HEAD", "PUT"][random.below(4)]
            #expect(
                operation(reference.resolve(method: method, uri: uri)) == operation(shuffled.resolve(method: method, uri: uri)),
                "seed \(seed): \(method) \(uri)")
        }
    }

    /// The operation a resolution charges, which names the route in the shuffle test.
    func operation(_ resolution: RouteResolution) -> String? {
        if case .charge(let operation, _) = resolution { operation } else { nil }
    }
}
