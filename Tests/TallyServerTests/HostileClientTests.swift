// Proves what the API does for the hostile client probe: every request of a pipelined write is
// answered in order (health checks answered inline, a ledger page followed by small requests),
// invented methods and paths leave the number of metric series bounded, and a request with two
// Authorization headers is refused with its own code.
import TallyCore
import TallyTesting
import Testing

@Suite struct HostileClientTests {
    @Test(arguments: [17, 100, 1_000])
    func answersEveryPipelinedHealthCheck(count: Int) async throws {
        try await withAPI(over: .loopback) { api in
            let request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
            let responses = try await loopbackExchanges(
                port: api.port, Array(String(repeating: request, count: count).utf8), count: count)
            #expect(responses.count == count)
            #expect(responses.allSatisfy { $0.status == 200 })
        }
    }

    @Test func answersSmallRequestsPipelinedBehindALedgerPage() async throws {
        try await withAPI(over: .loopback) { api in
            _ = try await api.send("POST", "/v1/accounts", json: #"{"id": "lena"}"#)
            for index in 0..<200 {
                _ = try await api.engine.addCredits("lena", CreditRequest(amount: 1, source: .topup), idempotencyKey: "k\(index)")
            }
            let auth = "Authorization: Bearer \(APIHarness.adminToken)\r\n"
            let ledger = "GET /v1/accounts/lena/ledger?limit=1000 HTTP/1.1\r\nHost: x\r\n\(auth)\r\n"
            let small = (0..<32).map { index in
                index.isMultiple(of: 2)
                    ? "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" : "GET /v1/accounts/lena HTTP/1.1\r\nHost: x\r\n\(auth)\r\n"
            }
            let responses = try await loopbackExchanges(
                port: api.port, Array(([ledger] + small).joined().utf8), count: 33)
            #expect(responses.map(\.status) == Array(repeating: 200, count: 33))
            #expect((responses.first?.json?["data"]?.arrayValue?.count ?? 0) >= 200)
            #expect(responses[2].json?["id"] == .string("lena"))
        }
    }

    @Test func keepsMetricSeriesBoundedWhateverMethodsAndPathsAreSent() async throws {
        try await withAPI(over: .loopback) { api in
            let requests = (0..<2_000).map { index in
                index.isMultiple(of: 2)
                    ? "INVENTED\(index) /v1/accounts HTTP/1.1\r\nHost: x\r\n\r\n" : "GET /nowhere/\(index) HTTP/1.1\r\nHost: x\r\n\r\n"
            }
            let responses = try await loopbackExchanges(port: api.port, Array(requests.joined().utf8), count: 2_000)
            #expect(Set(responses.map(\.status)) == [404, 405])
            let metrics = try await api.send("GET", "/metrics", token: nil).body
            let series = metrics.split(separator: "\n").filter { $0.hasPrefix("tally_http_requests_total{") }
            #expect(series.count <= 4, "\(series)")
            #expect(metrics.contains(#"tally_http_requests_total{route="unmatched",method="OTHER",status="405"} 1000"#))
            #expect(metrics.contains(#"tally_http_requests_total{route="unmatched",method="GET",status="404"} 1000"#))
        }
    }

    @Test func refusesTwoAuthorizationHeaders() async throws {
        try await withAPI(over: .loopback) { api in
            let response = try await api.send(
                "GET", "/v1/accounts", token: APIHarness.adminToken, headers: [("Authorization", "Bearer other")])
            #expect(response.status == 400)
            #expect(response.json?["code"] == .string("repeated_authorization"))
        }
    }
}
