// Proves customer API keys, rate limits and the gateway path over HTTP: a key is shown once and
// listed by prefix; authorize by api_key debits its account; a rotated key keeps working for its
// grace period; revoked and expired keys are 403 and unknown ones 401; a key revoked while calls
// are in flight approves nothing after the revoke returns; a rate limit answers 429 with
// Retry-After and RateLimit-* headers and takes no credits; the gateway prices the proxied route
// (most specific wins, query strings ignored, percent-encoding decoded) and says why it refuses;
// a retried key creation or rotation answers the first key, once, without its secret; a
// suspended or closed account's keys are refused everywhere (free gateway routes included, before
// the rate limit counts them), and a closed account is issued no new or rotated key.
import Foundation
import Synchronization
import TallyCore
import TallyEngine
import TallyTesting
import Testing

@Suite struct KeyAndGatewayRouteTests {
    static let catalog = Catalog(operations: ["chat": 10, "embed": 1, "image": 50])
    static let routes = [
        GatewayRoute(method: "POST", path: "/v1/chat", price: .operation("chat")),
        GatewayRoute(method: "POST", path: "/v1/images/{size}", price: .operation("image")),
        GatewayRoute(method: "POST", path: "/v1/images/square", price: .operation("embed")),
        GatewayRoute(method: "*", path: "/v1/files/*", price: .operation("embed")),
        GatewayRoute(method: "GET", path: "/v1/models", price: .free),
    ]

    static func key(_ api: APIHarness, _ account: String, _ body: String = "{}") async throws -> (id: String, key: String) {
        let created = try await api.send("POST", "/v1/accounts/\(account)/keys", json: body)
        #expect(created.status == 201, "\(created.body)")
        return (try #require(created.json?["id"]?.stringValue), try #require(created.json?["key"]?.stringValue))
    }

    static func gateway(_ api: APIHarness, _ key: String?, _ method: String, _ uri: String) async throws -> WireResponse {
        var headers = [("X-Original-Method", method), ("X-Original-URI", uri)]
        if let key { headers.append(("X-Api-Key", key)) }
        return try await api.send("GET", "/v1/gateway/authorize", token: api.authorizeToken, headers: headers)
    }

    @Test func keysAuthorizeRotateRevokeAndExpire() async throws {
        try await withAPI(catalog: Self.catalog) { api in
            try await api.fund("k1", 100)
            let (id, key) = try await Self.key(api, "k1", #"{"name": "prod", "mode": "live"}"#)
            #expect(key.hasPrefix("tk_live_") && key.count >= 8 + 43)
            let listed = try await api.send("GET", "/v1/accounts/k1/keys").json?["data"]?.arrayValue?.first
            #expect(listed?["key"] == nil && listed?["prefix"]?.stringValue == String(key.prefix(12)))
            let debit = try await api.send("POST", "/v1/authorize", json: #"{"api_key": "\#(key)", "cost": 7}"#)
            #expect(debit.status == 200 && debit.json?["account"] == .string("k1"))
            #expect(debit.json?["balance"]?["available"] == .integer(93))

            let rotated = try await api.send("POST", "/v1/keys/\(id)/rotate", json: #"{"grace_seconds": 60}"#)
            let newKey = try #require(rotated.json?["key"]?.stringValue)
            for presented in [key, newKey] {
                let ok = try await api.send("POST", "/v1/authorize", json: #"{"api_key": "\#(presented)", "cost": 1}"#)
                #expect(ok.status == 200, "both keys work during the grace period")
            }
            api.clock.advance(byMs: 61_000)
            let expired = try await api.send("POST", "/v1/authorize", json: #"{"api_key": "\#(key)", "cost": 1}"#)
            #expect(expired.status == 403 && expired.json?["code"] == .string("key_expired"))

            let newID = try #require(rotated.json?["id"]?.stringValue)
            let revoked = try await api.send("DELETE", "/v1/keys/\(newID)")
            #expect(revoked.json?["status"] == .string("revoked"))
            let refused = try await api.send("POST", "/v1/authorize", json: #"{"api_key": "\#(newKey)", "cost": 1}"#)
            #expect(refused.status == 403 && refused.json?["code"] == .string("key_revoked"))
            let unknown = try await api.send("POST", "/v1/authorize", json: #"{"api_key": "tk_live_\#(String(repeating: "A", count: 43))", "cost": 1}"#)
            #expect(unknown.status == 401 && unknown.json?["code"] == .string("invalid_api_key"))
            let both = try await api.send("POST", "/v1/authorize", json: #"{"api_key": "\#(newKey)", "account": "k1", "cost": 1}"#)
            #expect(both.status == 422)
            let missing = try await api.send("POST", "/v1/accounts/nobody/keys", json: "{}")
            #expect(missing.status == 404)
        }
    }

    @Test func nothingIsApprovedAfterARevokeReturns() async throws {
        try await withAPI(catalog: Self.catalog) { api in
            try await api.fund("race", 1_000_000)
            let (id, key) = try await Self.key(api, "race")
            let order = RaceOrder()
            try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        var approvedAfter: [Int] = []
                        for _ in 0..<40 {
                            let ticket = order.sequence.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
                            let answer = try await api.send("POST", "/v1/authorize", json: #"{"api_key": "\#(key)", "cost": 1}"#)
                            if answer.status == 200 && ticket > order.revokedAt.load(ordering: .sequentiallyConsistent) {
                                approvedAfter.append(ticket)
                            }
                        }
                        return approvedAfter
                    }
                }
                group.addTask {
                    // Revoke mid-stream: once a quarter of the 320 requests have started.
                    while order.sequence.load(ordering: .sequentiallyConsistent) < 80 { await Task.yield() }
                    _ = try await api.send("DELETE", "/v1/keys/\(id)")
                    order.revokedAt.store(order.sequence.load(ordering: .sequentiallyConsistent), ordering: .sequentiallyConsistent)
                    return []
                }
                var late: [Int] = []
                for try await tickets in group { late += tickets }
                #expect(late.isEmpty, "requests started after the revoke returned were approved: \(late)")
            }
        }
    }

    @Test func rateLimitsAnswer429WithHeadersAndTakeNothing() async throws {
        try await withAPI(catalog: Self.catalog) { api in
            try await api.fund("rl", 100)
            let (_, key) = try await Self.key(api, "rl", #"{"rate_limit": {"limit": 3, "window_seconds": 60}}"#)
            var last = try await api.send("POST", "/v1/authorize", json: #"{"api_key": "\#(key)", "cost": 1}"#)
            #expect(last.header("RateLimit-Limit") == "3" && last.header("RateLimit-Remaining") == "2")
            for _ in 0..<2 { last = try await api.send("POST", "/v1/authorize", json: #"{"api_key": "\#(key)", "cost": 1}"#) }
            let limited = try await api.send(
                "POST", "/v1/authorize", json: #"{"api_key": "\#(key)", "cost": 1}"#, headers: [("Idempotency-Key", "rl-1")])
            #expect(limited.status == 429 && limited.json?["code"] == .string("rate_limited"))
            #expect(limited.header("Retry-After") == "20" && limited.header("RateLimit-Remaining") == "0")
            #expect(try await api.send("GET", "/v1/accounts/rl").json?["balance"]?["available"] == .integer(97))
            api.clock.advance(byMs: 20_000)
            let retried = try await api.send(
                "POST", "/v1/authorize", json: #"{"api_key": "\#(key)", "cost": 1}"#, headers: [("Idempotency-Key", "rl-1")])
            #expect(retried.status == 200, "a rate-limited request is not stored under its key")

            _ = try await api.send("PATCH", "/v1/accounts/rl", json: #"{"rate_limit": {"limit": 1, "window_seconds": 10}}"#)
            let byAccount = try await api.send("POST", "/v1/authorize", json: #"{"account": "rl", "cost": 1}"#)
            #expect(byAccount.header("RateLimit-Limit") == "1")
            let second = try await api.send("POST", "/v1/authorize", json: #"{"account": "rl", "cost": 1}"#)
            #expect(second.status == 429)
        }
    }

    @Test func theGatewayPricesTheMostSpecificRouteAndSaysWhyItRefuses() async throws {
        try await withAPI(catalog: Self.catalog, gateway: GatewayRouteTable(Self.routes, unpriced: .deny)) { api in
            try await api.fund("gw", 100)
            try await api.fund("poor", 0)
            let (_, key) = try await Self.key(api, "gw")
            let (_, poorKey) = try await Self.key(api, "poor")
            let chat = try await Self.gateway(api, key, "POST", "/v1/chat?stream=true")
            #expect(chat.status == 200 && chat.header("X-Credits-Remaining") == "90")
            let square = try await Self.gateway(api, key, "POST", "/v1/images/square")
            #expect(square.header("X-Credits-Remaining") == "89", "the literal route beats {size}")
            let large = try await Self.gateway(api, key, "POST", "/v1/images/l%61rge")
            #expect(large.header("X-Credits-Remaining") == "39", "percent-encoding is decoded")
            let file = try await Self.gateway(api, key, "DELETE", "/v1/files/a/b")
            #expect(file.header("X-Credits-Remaining") == "38")
            let free = try await Self.gateway(api, key, "GET", "/v1/models")
            #expect(free.status == 200 && free.header("X-Credits-Remaining") == nil)

            let cases: [(String?, String, String, Int, String)] = [
                (key, "GET", "/v1/chat", 403, "route_not_priced"),
                (key, "POST", "/v1/../admin", 400, "invalid_target"),
                (nil, "POST", "/v1/chat", 401, "invalid_api_key"),
                ("tk_live_nope", "POST", "/v1/chat", 401, "invalid_api_key"),
                (poorKey, "POST", "/v1/chat", 402, "insufficient_credits"),
            ]
            for (presented, method, uri, status, reason) in cases {
                let answer = try await Self.gateway(api, presented, method, uri)
                #expect(answer.status == status && answer.header("X-Tally-Reason") == reason, "\(method) \(uri): \(answer.status) \(answer.body)")
            }
            let noProxyToken = try await api.send(
                "GET", "/v1/gateway/authorize", token: api.readToken, headers: [("X-Api-Key", key)])
            #expect(noProxyToken.status == 403, "a read token may not debit")
        }
    }

    @Test func aRepeatedAPIKeyOrIdempotencyKeyIsRefusedAndTakesNothing() async throws {
        try await withAPI(catalog: Self.catalog, gateway: GatewayRouteTable(Self.routes, unpriced: .deny)) { api in
            try await api.fund("twice", 100)
            let (_, key) = try await Self.key(api, "twice")
            let (_, other) = try await Self.key(api, "twice")
            let twoKeys = try await api.send(
                "GET", "/v1/gateway/authorize", token: api.authorizeToken,
                headers: [("X-Original-Method", "POST"), ("X-Original-URI", "/v1/chat"), ("X-Api-Key", key), ("x-api-key", other)])
            #expect(twoKeys.status == 400 && twoKeys.json?["code"] == .string("repeated_header"), "\(twoKeys.body)")
            #expect(twoKeys.header("X-Tally-Reason") == "repeated_header", "the proxy learns why from the header")

            let twoIdempotencyKeys = try await api.send(
                "POST", "/v1/authorize", json: #"{"account": "twice", "cost": 5}"#,
                headers: [("Idempotency-Key", "a"), ("Idempotency-Key", "b")])
            #expect(twoIdempotencyKeys.status == 400 && twoIdempotencyKeys.json?["code"] == .string("repeated_header"))
            #expect(twoIdempotencyKeys.header("X-Tally-Reason") == nil, "only the gateway route names its reason in a header")

            let balance = try await api.send("GET", "/v1/accounts/twice")
            #expect(balance.json?["balance"]?["available"] == .integer(100), "nothing was debited: \(balance.body)")
        }
    }

    @Test func suspendedAndClosedAccountsKeysAreRefusedEverywhere() async throws {
        try await withAPI(catalog: Self.catalog, gateway: GatewayRouteTable(Self.routes, unpriced: .deny)) { api in
            try await api.fund("paused", 100)
            try await api.fund("gone", 100)
            let (_, pausedKey) = try await Self.key(api, "paused", #"{"rate_limit": {"limit": 1, "window_seconds": 60}}"#)
            let (goneID, goneKey) = try await Self.key(api, "gone")
            #expect(try await api.send("PATCH", "/v1/accounts/paused", json: #"{"status": "suspended"}"#).status == 200)
            #expect(try await api.send("PATCH", "/v1/accounts/gone", json: #"{"status": "closed"}"#).status == 200)

            for (key, code) in [(pausedKey, "account_suspended"), (goneKey, "account_closed")] {
                for (method, uri) in [("GET", "/v1/models"), ("POST", "/v1/chat"), ("GET", "/v1/models")] {
                    let answer = try await Self.gateway(api, key, method, uri)
                    #expect(answer.status == 403 && answer.header("X-Tally-Reason") == code, "\(code) \(uri): \(answer.status) \(answer.body)")
                    #expect(answer.json?["code"] == .string(code))
                }
                let direct = try await api.send("POST", "/v1/authorize", json: #"{"api_key": "\#(key)", "cost": 1}"#)
                #expect(direct.status == 403 && direct.json?["code"] == .string(code))
            }
            #expect(try await api.send("GET", "/v1/accounts/gone").json?["balance"]?["available"] == .integer(100))

            let closedIssue = try await api.send("POST", "/v1/accounts/gone/keys", json: "{}")
            #expect(closedIssue.status == 403 && closedIssue.json?["code"] == .string("account_closed"), "\(closedIssue.body)")
            let closedRotate = try await api.send("POST", "/v1/keys/\(goneID)/rotate", json: "{}")
            #expect(closedRotate.status == 403 && closedRotate.json?["code"] == .string("account_closed"), "\(closedRotate.body)")
            #expect(try await api.send("DELETE", "/v1/keys/\(goneID)").status == 200, "a closed account's key can still be revoked")

            let (_, readyKey) = try await Self.key(api, "paused")
            let refused = try await Self.gateway(api, readyKey, "GET", "/v1/models")
            #expect(refused.status == 403 && refused.header("X-Tally-Reason") == "account_suspended")
            _ = try await api.send("PATCH", "/v1/accounts/paused", json: #"{"status": "active"}"#)
            for key in [readyKey, pausedKey] {
                let back = try await Self.gateway(api, key, "GET", "/v1/models")
                #expect(back.status == 200, "refusals while suspended used none of the rate limit: \(back.body)")
            }
        }
    }

    @Test func aRetriedCreateOrRotateAnswersTheSameKeyOnce() async throws {
        try await withAPI(catalog: Self.catalog) { api in
            try await api.fund("idem", 10)
            let first = try await api.send("POST", "/v1/accounts/idem/keys", json: "{}", headers: [("Idempotency-Key", "k-1")])
            let again = try await api.send("POST", "/v1/accounts/idem/keys", json: "{}", headers: [("Idempotency-Key", "k-1")])
            #expect(first.status == 201 && again.status == 201 && again.header("Idempotent-Replayed") == "true")
            #expect(again.json?["id"] == first.json?["id"] && again.json?["key"] == nil, "the secret is shown once")
            #expect(try await api.send("GET", "/v1/accounts/idem/keys").json?["data"]?.arrayValue?.count == 1)
            let other = try await api.send("POST", "/v1/accounts/idem/keys", json: #"{"name": "x"}"#, headers: [("Idempotency-Key", "k-1")])
            #expect(other.status == 422 && other.json?["code"] == .string("idempotency_key_reused"))

            let id = try #require(first.json?["id"]?.stringValue)
            let rotated = try await api.send("POST", "/v1/keys/\(id)/rotate", json: "{}", headers: [("Idempotency-Key", "r-1")])
            let retried = try await api.send("POST", "/v1/keys/\(id)/rotate", json: "{}", headers: [("Idempotency-Key", "r-1")])
            #expect(rotated.json?["key"] != nil && retried.json?["id"] == rotated.json?["id"])
            #expect(try await api.send("GET", "/v1/accounts/idem/keys").json?["data"]?.arrayValue?.count == 2, "one rotation, not two")
        }
    }
}

/// Numbers requests as they start and records the last number started before a revoke returned.
final class RaceOrder: Sendable {
    let sequence = Atomic<Int>(0)
    let revokedAt = Atomic<Int>(Int.max)
}
