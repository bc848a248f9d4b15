// Proves the access log writes one JSON line per request with the account and never a token
// or key, and that infrastructure failures map to 503 problems (overload with Retry-After).
@testable import TallyServer
import TallyCore
import Synchronization
import TallyEngine
import TallyStore
import Testing

@Suite struct ObservabilityTests {
    @Test func accessLogHasOneLinePerRequestAndNoSecrets() async throws {
        let written = Mutex<[UInt8]>([])
        let log = AccessLog { bytes in written.withLock { $0 += bytes } }
        try await withAPI(log: log) { api in
            try await api.fund("ivy", 10)
            _ = try await api.send(
                "POST", "/v1/authorize", json: #"{"account": "ivy", "cost": 1, "idempotency_key": "secret-key-1"}"#,
                headers: [("Idempotency-Key", "secret-key-1")])
            _ = try await api.send("GET", "/v1/accounts/ivy?after=x", token: "not-a-real-token")
        }
        log.close()
        let text = String(decoding: written.withLock { $0 }, as: UTF8.self)
        let lines = text.split(separator: "\n").map { try? JSONParser.parse(Array($0.utf8)) }
        #expect(lines.count == 4)
        let authorize = try #require(lines[2])
        #expect(authorize["method"] == .string("POST"))
        #expect(authorize["path"] == .string("/v1/authorize"))
        #expect(authorize["status"] == .integer(200))
        #expect(authorize["account"] == .string("ivy"))
        if case .number = authorize["duration_ms"] {} else { Issue.record("duration_ms is not a number") }
        #expect(lines[3]?["status"] == .integer(401))
        for secret in [APIHarness.adminToken, "not-a-real-token", "secret-key-1", "after=x"] {
            #expect(!text.contains(secret), "\(secret) leaked into the access log")
        }
    }

    @Test func infrastructureFailuresAreServiceUnavailable() {
        let overloaded = Problem(EngineError.overloaded)
        #expect(overloaded.status == 503)
        #expect(overloaded.code == "overloaded")
        #expect(overloaded.headers.contains { $0.0 == "Retry-After" })
        let storage = Problem(EngineError.storage(StoreError(code: 13, message: "database or disk is full at /secret/path")))
        #expect(storage.status == 503)
        #expect(storage.code == "storage_unavailable")
        #expect(storage.headers.contains { $0 == ("Retry-After", "1") }, "a full disk usually recovers: come back")
        #expect(!storage.detail.contains("/secret/path"))
        let response = storage.response
        #expect(response.headers["Content-Type"] == "application/problem+json")
    }
}
