// Proves service-token auth (401 without a valid token, 403 outside the scope, revocation
// picked up on reload), the open operations routes, 404/405, and the metrics text.
import TallyTesting
import Testing
import TallyServer
import TallyStore

@Suite struct AuthAndOperationsTests {
    @Test func refusesMissingWrongAndOutOfScopeTokens() async throws {
        try await withAPI { api in
            try await api.fund("gail", 50)
            for token in [nil, "wrong-token", ""] as [String?] {
                let response = try await api.send("GET", "/v1/accounts/gail", token: token)
                #expect(response.status == 401)
                #expect(response.json?["code"] == .string("unauthorized"))
                #expect(response.header("WWW-Authenticate") == "Bearer")
            }
            let basic = try await api.send("GET", "/v1/accounts/gail", token: nil, headers: [("Authorization", "Basic YTpi")])
            #expect(basic.status == 401)

            // read: every GET, nothing else.
            #expect(try await api.send("GET", "/v1/accounts/gail/ledger", token: api.readToken).status == 200)
            let readWrites = try await api.send("POST", "/v1/authorize", json: #"{"account": "gail", "cost": 1}"#, token: api.readToken)
            #expect(readWrites.status == 403)
            #expect(readWrites.json?["code"] == .string("forbidden"))

            // authorize: authorize, holds and one account's balance; not the ledger or admin routes.
            #expect(try await api.send("GET", "/v1/accounts/gail", token: api.authorizeToken).status == 200)
            #expect(try await api.send("GET", "/v1/accounts/gail/ledger", token: api.authorizeToken).status == 403)
            #expect(try await api.send("POST", "/v1/accounts", json: #"{"id": "x"}"#, token: api.authorizeToken).status == 403)
            #expect(try await api.send("POST", "/v1/accounts/gail/topups", json: #"{"amount": 1}"#, token: api.readToken).status == 403)
        }
    }

    @Test func revokedTokensStopWorkingAfterReload() async throws {
        try await withAPI { api in
            let administration = try Store.openForAdministration(path: api.databasePath, nowMs: APIHarness.startMs)
            let token = TokenSecret.generate()
            let id = try administration.insertServiceToken(
                name: "ci", scope: "read", hash: TokenSecret.hash(token), prefix: TokenSecret.displayPrefix(token),
                createdAtMs: APIHarness.startMs)
            #expect(try await api.send("GET", "/v1/accounts", token: token).status == 401, "not loaded yet")
            try await api.api.tokens.reload(from: api.engine)
            #expect(try await api.send("GET", "/v1/accounts", token: token).status == 200)
            #expect(try administration.revokeServiceToken(id: id, atMs: APIHarness.startMs))
            try await api.api.tokens.reload(from: api.engine)
            #expect(try await api.send("GET", "/v1/accounts", token: token).status == 401)
        }
    }

    @Test func answersOperationsRoutesWithoutAToken() async throws {
        try await withAPI { api in
            try await api.fund("hank", 10)
            _ = try await api.send("POST", "/v1/authorize", json: #"{"account": "hank", "cost": 1}"#)
            _ = try await api.send("POST", "/v1/authorize", json: #"{"account": "hank", "cost": 100}"#)
            let health = try await api.send("GET", "/healthz", token: nil)
            #expect(health.status == 200)
            #expect(health.json?["status"] == .string("ok"))
            #expect(try await api.send("GET", "/readyz", token: nil).status == 200)

            let metrics = try await api.send("GET", "/metrics", token: nil)
            #expect(metrics.status == 200)
            #expect(metrics.header("Content-Type")?.hasPrefix("text/plain") == true)
            for line in [
                #"tally_http_requests_total{route="/v1/authorize",method="POST",status="200"} 1"#,
                #"tally_http_requests_total{route="/v1/authorize",method="POST",status="402"} 1"#,
                #"tally_http_request_duration_seconds_bucket{route="/v1/authorize",method="POST",status="200",le="+Inf"} 1"#,
                #"tally_authorize_decisions_total{outcome="approved"} 1"#,
                #"tally_authorize_decisions_total{outcome="insufficient_credits"} 1"#,
                "tally_accounts_loaded 1",
            ] {
                #expect(metrics.body.contains(line), "\(line)")
            }
            for name in ["tally_commit_batches_total", "tally_commit_mutations_total", "tally_commit_batch_size_count", "tally_commit_duration_seconds_count", "tally_write_queue_depth"] {
                #expect(metrics.body.contains("\n\(name) "), "\(name)")
            }

            api.api.beginDrain()
            let draining = try await api.send("GET", "/readyz", token: nil)
            #expect(draining.status == 503)
            #expect(draining.json?["code"] == .string("not_ready"))
        }
    }

    @Test func answersUnknownRoutesAndMethodsWithProblems() async throws {
        try await withAPI(over: .loopback) { api in
            let missing = try await api.send("GET", "/v1/nothing")
            #expect(missing.status == 404)
            #expect(missing.json?["code"] == .string("not_found"))
            #expect(missing.header("Content-Type") == "application/problem+json")
            #expect(try await api.send("GET", "/v1/accounts/").status == 404)

            let wrong = try await api.send("DELETE", "/v1/accounts/x")
            #expect(wrong.status == 405)
            #expect(wrong.json?["code"] == .string("method_not_allowed"))
            #expect(wrong.header("Allow") == "GET, PATCH")

            let garbage = try await api.sendBytes("POST", "/v1/authorize", body: [0x7B, 0xFF, 0x7D])
            #expect(garbage.status == 400)
            #expect(garbage.json?["code"] == .string("invalid_json"))
            let trailing = try await api.send("POST", "/v1/authorize", json: #"{"account": "a", "cost": 1} {}"#)
            #expect(trailing.json?["code"] == .string("invalid_json"))

            // A request the HTTP layer refuses never reaches the API but is still counted.
            let unparsable = try await loopbackExchange(port: api.port, Array("NOT HTTP\r\n\r\n".utf8))
            #expect(unparsable.status >= 400)
            let metrics = try await api.send("GET", "/metrics", token: nil)
            #expect(metrics.body.contains(#"tally_http_refused_total{status="\#(unparsable.status)"} 1"#))
        }
    }
}
