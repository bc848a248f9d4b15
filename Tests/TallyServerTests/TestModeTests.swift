// Proves test mode over HTTP: a `tk_test_` key never moves a live account's credits. A test
// account (`livemode: false`, fixed at creation) is issued test keys by default and only those;
// its keys debit its own credits; a test key is refused for a live account and a live key for a
// test account, on authorize and on free gateway routes alike, including a test key stored on a
// live account before test mode existed; a test account's events say `livemode: false`, are
// listed by `?livemode=false` and go only to endpoints registered with `livemode: false`.
import Foundation
import TallyCore
import TallyEngine
import TallyServer
@testable import TallyStore
import TallyTesting
import Testing

@Suite struct TestModeTests {
    static let routes = [
        GatewayRoute(method: "POST", path: "/v1/chat", price: .operation("chat")),
        GatewayRoute(method: "GET", path: "/v1/models", price: .free),
    ]

    static let gateway = GatewayRouteTable(routes, unpriced: .deny)

    @Test func aTestAccountTakesOnlyTestKeysAndSpendsOnlyItsOwnCredits() async throws {
        try await withAPI(catalog: Catalog(operations: ["chat": 10]), gateway: Self.gateway) { api in
            try await api.fund("live", 100)
            let opened = try await api.send("POST", "/v1/accounts", json: #"{"id": "sandbox", "livemode": false}"#)
            #expect(opened.status == 201 && opened.json?["livemode"] == .bool(false), "\(opened.body)")
            _ = try await api.send("POST", "/v1/accounts/sandbox/topups", json: #"{"amount": 50}"#)

            let testKey = try await KeyAndGatewayRouteTests.key(api, "sandbox")
            #expect(testKey.key.hasPrefix("tk_test_"), "a test account's keys default to test")
            let liveOnTest = try await api.send("POST", "/v1/accounts/sandbox/keys", json: #"{"mode": "live"}"#)
            #expect(liveOnTest.status == 403 && liveOnTest.json?["code"] == .string("key_mode_mismatch"))
            let testOnLive = try await api.send("POST", "/v1/accounts/live/keys", json: #"{"mode": "test"}"#)
            #expect(testOnLive.status == 403 && testOnLive.json?["code"] == .string("key_mode_mismatch"))
            let liveKey = try await KeyAndGatewayRouteTests.key(api, "live")
            #expect(liveKey.key.hasPrefix("tk_live_"))

            let debit = try await api.send("POST", "/v1/authorize", json: #"{"api_key": "\#(testKey.key)", "cost": 7}"#)
            #expect(debit.status == 200 && debit.json?["account"] == .string("sandbox"))
            #expect(debit.json?["balance"]?["available"] == .integer(43))
            let charged = try await KeyAndGatewayRouteTests.gateway(api, testKey.key, "POST", "/v1/chat")
            #expect(charged.status == 200 && charged.header("X-Credits-Remaining") == "33")
            let live = try await api.send("GET", "/v1/accounts/live")
            #expect(live.json?["balance"]?["available"] == .integer(100) && live.json?["livemode"] == .bool(true))

            let renamed = try await api.send("PATCH", "/v1/accounts/sandbox", json: #"{"livemode": true}"#)
            #expect(renamed.status == 422 && renamed.json?["code"] == .string("immutable_field"))
            let tests = try await api.send("GET", "/v1/accounts?livemode=false").json?["data"]?.arrayValue ?? []
            #expect(tests.map { $0["id"] } == [.string("sandbox")])
            let lives = try await api.send("GET", "/v1/accounts?livemode=true").json?["data"]?.arrayValue ?? []
            #expect(lives.map { $0["id"] } == [.string("live")])
            #expect(try await api.send("GET", "/v1/accounts?livemode=yes").status == 422)
        }
    }

    @Test func aTestKeyOnALiveAccountFromBeforeTestModeMovesNothing() async throws {
        try await withAPI(catalog: Catalog(operations: ["chat": 10]), gateway: Self.gateway) { api in
            try await api.fund("legacy", 100)
            // Before test mode a live account could be issued a test key; write one as it was stored.
            let text = try #require(APIKeyText(mode: .test, randomBytes: Array(repeating: 7, count: 32)))
            let hash = TokenSecret.hash(text.text).map { String(format: "%02x", $0) }.joined()
            try Connection(path: api.databasePath).execute(
                """
                INSERT INTO api_keys (id, account_id, mode, prefix, key_hash, created_at_ms)
                VALUES (900000000, 'legacy', 'test', '\(text.displayPrefix)', x'\(hash)', \(APIHarness.startMs))
                """)
            for (method, uri) in [("POST", "/v1/chat"), ("GET", "/v1/models")] {
                let refused = try await KeyAndGatewayRouteTests.gateway(api, text.text, method, uri)
                #expect(refused.status == 403 && refused.header("X-Tally-Reason") == "key_mode_mismatch", "\(uri)")
            }
            let direct = try await api.send(
                "POST", "/v1/authorize", json: #"{"api_key": "\#(text.text)", "cost": 1}"#, headers: [("Idempotency-Key", "k-1")])
            #expect(direct.status == 403 && direct.json?["code"] == .string("key_mode_mismatch"))
            let replay = try await api.send(
                "POST", "/v1/authorize", json: #"{"api_key": "\#(text.text)", "cost": 1}"#, headers: [("Idempotency-Key", "k-1")])
            #expect(replay.status == 403 && replay.json?["code"] == .string("key_mode_mismatch"))
            let account = try await api.send("GET", "/v1/accounts/legacy")
            #expect(account.json?["balance"]?["available"] == .integer(100))
            let ledger = try await api.send("GET", "/v1/accounts/legacy/ledger").json?["data"]?.arrayValue ?? []
            #expect(ledger.count == 1, "only the top-up: no debit was written")
        }
    }

    @Test func testEventsReachOnlyTestEndpoints() async throws {
        try await withAPI { api in
            let liveHook = try await api.send("POST", "/v1/webhook-endpoints", json: #"{"url": "https://example.com/live"}"#)
            let testHook = try await api.send(
                "POST", "/v1/webhook-endpoints", json: #"{"url": "https://example.com/test", "livemode": false}"#)
            #expect(liveHook.json?["livemode"] == .bool(true) && testHook.json?["livemode"] == .bool(false))
            let liveID = try #require(liveHook.json?["id"]?.stringValue)
            let testID = try #require(testHook.json?["id"]?.stringValue)
            let fixed = try await api.send("PATCH", "/v1/webhook-endpoints/\(testID)", json: #"{"livemode": true}"#)
            #expect(fixed.status == 422 && fixed.json?["code"] == .string("immutable_field"))

            _ = try await api.send("POST", "/v1/accounts", json: #"{"id": "t", "livemode": false}"#)
            _ = try await api.send("POST", "/v1/accounts/t/topups", json: #"{"amount": 5}"#)
            _ = try await api.send("POST", "/v1/accounts", json: #"{"id": "l"}"#)
            _ = try await api.send("POST", "/v1/accounts/l/topups", json: #"{"amount": 6}"#)

            let testEvents = try await api.send("GET", "/v1/events?livemode=false").json?["data"]?.arrayValue ?? []
            #expect(testEvents.map { $0["account"] } == [.string("t")])
            #expect(testEvents.first?["data"]?["livemode"] == .bool(false))
            let liveEvents = try await api.send("GET", "/v1/events?livemode=true").json?["data"]?.arrayValue ?? []
            #expect(liveEvents.map { $0["account"] } == [.string("l")])
            #expect(liveEvents.first?["data"]?["livemode"] == .bool(true))

            for (endpoint, event) in [(testID, testEvents.first), (liveID, liveEvents.first)] {
                let deliveries = try await api.send("GET", "/v1/webhook-endpoints/\(endpoint)/deliveries")
                let events = deliveries.json?["data"]?.arrayValue?.map { $0["event"] } ?? []
                #expect(events == [event?["id"]], "\(endpoint) receives its own mode's event only")
            }
        }
    }
}
