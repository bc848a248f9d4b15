// Proves the account routes end to end over loopback: create, read, patch (null removes a
// metadata key), list with cursors, top-ups, and the 404/409/422/400 answers with problem+json;
// ids that are only dots (path dot segments) or carry encoded slashes are refused.
import Testing
import TallyServer

@Suite struct AccountRouteTests {
    @Test func createsReadsAndRefusesADuplicate() async throws {
        try await withAPI { api in
            let created = try await api.send("POST", "/v1/accounts", json: #"{"id": "acme:42", "overdraft_limit": 50, "metadata": {"plan": "pro"}}"#)
            #expect(created.status == 201)
            #expect(created.header("Content-Type") == "application/json")
            let body = try #require(created.json)
            #expect(body["id"] == .string("acme:42"))
            #expect(body["status"] == .string("active"))
            #expect(body["created_at"] == .string("2026-01-15T10:00:00.000Z"))
            #expect(body["balance"]?["overdraft_limit"] == .integer(50))
            #expect(body["balance"]?["available"] == .integer(0))

            let read = try await api.send("GET", "/v1/accounts/acme:42")
            #expect(read.status == 200)
            #expect(read.json?["metadata"]?["plan"] == .string("pro"))

            let again = try await api.send("POST", "/v1/accounts", json: #"{"id": "acme:42"}"#)
            #expect(again.status == 409)
            #expect(again.json?["code"] == .string("account_exists"))

            let missing = try await api.send("GET", "/v1/accounts/nobody")
            #expect(missing.status == 404)
            #expect(missing.json?["code"] == .string("account_not_found"))
        }
    }

    @Test func refusesInvalidAccountRequests() async throws {
        try await withAPI { api in
            let cases: [(String, Int, String)] = [
                (#"{"id": "has space"}"#, 422, "invalid_account_id"),
                (#"{"id": "."}"#, 422, "invalid_account_id"),
                (#"{"id": ".."}"#, 422, "invalid_account_id"),
                (#"{"id": "..."}"#, 422, "invalid_account_id"),
                (#"{"id": "a%2Fb"}"#, 422, "invalid_account_id"),
                (#"{"id": "%2E%2E"}"#, 422, "invalid_account_id"),
                (#"{"overdraft_limit": 5}"#, 422, "missing_field"),
                (#"{"id": 7}"#, 422, "invalid_field"),
                (#"{"id": "a", "colour": "red"}"#, 422, "unknown_field"),
                (#"{"id": "a", "plan": "pro"}"#, 422, "unknown_plan"),
                (#"{"id": "a", "auto_topup": {"below": 10}}"#, 422, "invalid_auto_topup"),
                (#"{"id": "a", "auto_topup": {"below": 10, "pack": "nope"}}"#, 422, "unknown_pack"),
                (#"{"id": "a", "auto_topup": {"below": 0, "pack": "starter-1k"}}"#, 422, "invalid_auto_topup"),
                (#"{"id": "a", "auto_topup": {"below": 5, "pack": "starter-1k", "cap": 1}}"#, 422, "unknown_field"),
                (#"{"id": "a", "overdraft_limit": -1}"#, 422, "invalid_overdraft_limit"),
                (#"{"id": "a", "metadata": {"k": 1}}"#, 422, "invalid_metadata"),
                (#"{"id": "a""#, 400, "invalid_json"),
                (#"["a"]"#, 400, "invalid_json"),
            ]
            for (body, status, code) in cases {
                let response = try await api.send("POST", "/v1/accounts", json: body)
                #expect(response.status == status, "\(body)")
                #expect(response.json?["code"] == .string(code), "\(body)")
            }
            // Percent-encoded dots and slashes in the path decode to an id no account can have.
            for path in ["/v1/accounts/%2E%2E", "/v1/accounts/%2e", "/v1/accounts/a%2Fb"] {
                let response = try await api.send("GET", path)
                #expect(response.status == 404 && response.json?["code"] == .string("account_not_found"), "\(path)")
            }
        }
    }

    @Test func patchesStatusLimitAndMetadata() async throws {
        try await withAPI { api in
            _ = try await api.send("POST", "/v1/accounts", json: #"{"id": "p", "metadata": {"a": "1", "b": "2"}}"#)
            let patched = try await api.send(
                "PATCH", "/v1/accounts/p", json: #"{"metadata": {"a": null, "c": "3"}, "overdraft_limit": 10, "status": "suspended"}"#)
            #expect(patched.status == 200)
            let body = try #require(patched.json)
            #expect(body["metadata"] == .object([("b", .string("2")), ("c", .string("3"))]))
            #expect(body["overdraft_limit"] == .integer(10))
            #expect(body["status"] == .string("suspended"))

            let charge = try await api.send("POST", "/v1/authorize", json: #"{"account": "p", "cost": 1}"#)
            #expect(charge.status == 403)
            #expect(charge.json?["code"] == .string("account_suspended"))

            let bad = try await api.send("PATCH", "/v1/accounts/p", json: #"{"status": "frozen"}"#)
            #expect(bad.status == 422)
            #expect(bad.json?["code"] == .string("invalid_status"))

            _ = try await api.send("PATCH", "/v1/accounts/p", json: #"{"status": "closed"}"#)
            let reopen = try await api.send("PATCH", "/v1/accounts/p", json: #"{"status": "active"}"#)
            #expect(reopen.status == 403)
            #expect(reopen.json?["code"] == .string("account_closed"))
        }
    }

    @Test func listsAccountsByCursor() async throws {
        try await withAPI { api in
            for index in 0..<5 { _ = try await api.send("POST", "/v1/accounts", json: #"{"id": "acct-\#(index)"}"#) }
            var seen: [String] = []
            var path = "/v1/accounts?limit=2"
            var pages = 0
            while true {
                let page = try await api.send("GET", path, token: api.readToken)
                #expect(page.status == 200)
                let body = try #require(page.json)
                seen += (body["data"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
                pages += 1
                guard let cursor = body["next_cursor"]?.stringValue else { break }
                path = "/v1/accounts?limit=2&after=\(cursor)"
            }
            #expect(seen == (0..<5).map { "acct-\($0)" })
            #expect(pages == 3)

            #expect(try await api.send("GET", "/v1/accounts?limit=0").json?["code"] == .string("invalid_limit"))
            #expect(try await api.send("GET", "/v1/accounts?limit=1001").json?["code"] == .string("invalid_limit"))
            #expect(try await api.send("GET", "/v1/accounts?after=a%2Fb").json?["code"] == .string("invalid_cursor"))
        }
    }

    @Test func topsUpAndValidatesAmounts() async throws {
        try await withAPI { api in
            _ = try await api.send("POST", "/v1/accounts", json: #"{"id": "t"}"#)
            let topUp = try await api.send(
                "POST", "/v1/accounts/t/topups",
                json: #"{"amount": 500, "expires_at": "2026-02-01T00:00:00Z", "priority": 3, "promotional": true, "reference": "pay_9"}"#)
            #expect(topUp.status == 201)
            let body = try #require(topUp.json)
            #expect(body["lot"]?["source"] == .string("grant"))
            #expect(body["lot"]?["expires_at"] == .string("2026-02-01T00:00:00.000Z"))
            #expect(body["lot"]?["priority"] == .integer(3))
            #expect(body["lot"]?["reference"] == .string("pay_9"))
            #expect(body["lot"]?["id"]?.stringValue?.hasPrefix("lot_") == true)
            #expect(body["balance"]?["available"] == .integer(500))

            let amounts = [#""amount": 1.5"#, #""amount": "10""#, #""amount": -3"#, #""amount": 0"#,
                           #""amount": 1000000000000001"#, #""amount": 1e-3"#, #""amount": 99999999999999999999"#,
                           #""amount": 1.0000000000000001"#]
            for member in amounts {
                let response = try await api.send("POST", "/v1/accounts/t/topups", json: "{\(member)}")
                #expect(response.status == 422, "\(member)")
                #expect(response.json?["code"] == .string("invalid_amount"), "\(member)")
            }
            // JSON Schema's `integer` includes 2.0 and 3e1: read exactly, they are whole amounts.
            for (member, added) in [(#""amount": 2.0"#, Int64(2)), (#""amount": 3e1"#, 30)] {
                let whole = try await api.send("POST", "/v1/accounts/t/topups", json: "{\(member)}")
                #expect(whole.status == 201 && whole.json?["lot"]?["amount"] == .integer(added), "\(member)")
            }
            let past = try await api.send("POST", "/v1/accounts/t/topups", json: #"{"amount": 1, "expires_at": "2020-01-01T00:00:00Z"}"#)
            #expect(past.json?["code"] == .string("invalid_expiry"))
            let badTime = try await api.send("POST", "/v1/accounts/t/topups", json: #"{"amount": 1, "expires_at": "tomorrow"}"#)
            #expect(badTime.json?["code"] == .string("invalid_time"))
            let nobody = try await api.send("POST", "/v1/accounts/ghost/topups", json: #"{"amount": 1}"#)
            #expect(nobody.status == 404)
        }
    }
}
