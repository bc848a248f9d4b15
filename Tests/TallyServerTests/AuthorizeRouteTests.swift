// Proves authorize, holds and debits end to end: approvals, the 402 with approved:false and the
// balance, holds captured and voided (409 when settled), lineage, refunds and prefixed ids.
import Testing
import TallyServer

@Suite struct AuthorizeRouteTests {
    @Test func debitsAndDeniesWithTheBalance() async throws {
        try await withAPI { api in
            try await api.fund("alice", 100)
            let approved = try await api.send("POST", "/v1/authorize", json: #"{"account": "alice", "cost": 30, "metadata": {"route": "/v1/chat"}}"#, token: api.authorizeToken)
            #expect(approved.status == 200)
            let body = try #require(approved.json)
            #expect(body["approved"] == .bool(true))
            #expect(body["kind"] == .string("debit"))
            #expect(body["id"]?.stringValue?.hasPrefix("dbt_") == true)
            #expect(body["cost"] == .integer(30))
            #expect(body["balance"]?["available"] == .integer(70))
            #expect(body["expires_at"] == nil)

            let denied = try await api.send("POST", "/v1/authorize", json: #"{"account": "alice", "cost": 71}"#, token: api.authorizeToken)
            #expect(denied.status == 402)
            #expect(denied.header("Content-Type") == "application/problem+json")
            let problem = try #require(denied.json)
            #expect(problem["approved"] == .bool(false))
            #expect(problem["code"] == .string("insufficient_credits"))
            #expect(problem["status"] == .integer(402))
            #expect(problem["type"]?.stringValue?.isEmpty == false)
            #expect(problem["title"]?.stringValue?.isEmpty == false)
            #expect(problem["detail"]?.stringValue?.isEmpty == false)
            #expect(problem["balance"]?["available"] == .integer(70))

            let unknown = try await api.send("POST", "/v1/authorize", json: #"{"account": "nobody", "cost": 1}"#)
            #expect(unknown.status == 404)
            #expect(unknown.json?["code"] == .string("account_not_found"))

            for (member, code) in [("api_key", "invalid_field"), ("operation", "invalid_field"), ("price", "unknown_field")] {
                let response = try await api.send("POST", "/v1/authorize", json: #"{"account": "alice", "cost": 1, "\#(member)": "x"}"#)
                #expect(response.status == 422)
                #expect(response.json?["code"] == .string(code))
            }
            let floatCost = try await api.send("POST", "/v1/authorize", json: #"{"account": "alice", "cost": 2.5}"#)
            #expect(floatCost.json?["code"] == .string("invalid_amount"))
        }
    }

    @Test func holdsCaptureAndVoid() async throws {
        try await withAPI { api in
            try await api.fund("bob", 100)
            let hold = try await api.send("POST", "/v1/authorize", json: #"{"account": "bob", "cost": 40, "hold": true, "hold_ttl_seconds": 60}"#, token: api.authorizeToken)
            #expect(hold.status == 200)
            #expect(hold.json?["kind"] == .string("hold"))
            #expect(hold.json?["expires_at"] == .string("2026-01-15T10:01:00.000Z"))
            let holdID = try #require(hold.json?["id"]?.stringValue)
            #expect(holdID.hasPrefix("hld_"))

            let read = try await api.send("GET", "/v1/holds/\(holdID)", token: api.authorizeToken)
            #expect(read.json?["status"] == .string("pending"))
            #expect(read.json?["held"] == .integer(40))

            let capture = try await api.send("POST", "/v1/holds/\(holdID)/capture", json: #"{"amount": 25}"#, token: api.authorizeToken)
            #expect(capture.status == 200)
            #expect(capture.json?["captured"] == .integer(25))
            #expect(capture.json?["released"] == .integer(15))
            #expect(capture.json?["balance"]?["available"] == .integer(75))
            let debitID = try #require(capture.json?["debit_id"]?.stringValue)
            #expect(debitID.hasPrefix("dbt_"))

            let twice = try await api.send("POST", "/v1/holds/\(holdID)/void", token: api.authorizeToken)
            #expect(twice.status == 409)
            #expect(twice.json?["code"] == .string("hold_not_pending"))

            let second = try await api.send("POST", "/v1/authorize", json: #"{"account": "bob", "cost": 10, "hold": true}"#)
            let secondID = try #require(second.json?["id"]?.stringValue)
            #expect(second.json?["expires_at"] == .string("2026-01-15T10:05:00.000Z"), "the default TTL is 300 s")
            let void = try await api.send("POST", "/v1/holds/\(secondID)/void")
            #expect(void.status == 200)
            #expect(void.json?["released"] == .integer(10))
            #expect(void.json?["balance"]?["available"] == .integer(75))

            let ttlWithoutHold = try await api.send("POST", "/v1/authorize", json: #"{"account": "bob", "cost": 1, "hold_ttl_seconds": 60}"#)
            #expect(ttlWithoutHold.json?["code"] == .string("invalid_field"))
            let tooLong = try await api.send("POST", "/v1/authorize", json: #"{"account": "bob", "cost": 1, "hold": true, "hold_ttl_seconds": 999999999}"#)
            #expect(tooLong.json?["code"] == .string("invalid_hold_ttl"))
        }
    }

    @Test func showsLineageAndRefunds() async throws {
        try await withAPI { api in
            try await api.fund("carol", 100)
            let debit = try await api.send("POST", "/v1/authorize", json: #"{"account": "carol", "cost": 60}"#)
            let debitID = try #require(debit.json?["id"]?.stringValue)

            let read = try await api.send("GET", "/v1/debits/\(debitID)", token: api.readToken)
            #expect(read.status == 200)
            let body = try #require(read.json)
            #expect(body["amount"] == .integer(60))
            #expect(body["account"] == .string("carol"))
            #expect(body["lots"]?.arrayValue?.count == 1)
            #expect(body["lots"]?.arrayValue?.first?["amount"] == .integer(60))
            #expect(body["refunded"] == .integer(0))
            #expect(body["at"] == .string("2026-01-15T10:00:00.000Z"))

            let refund = try await api.send("POST", "/v1/debits/\(debitID)/refund", json: #"{"amount": 20, "reason": "outage"}"#)
            #expect(refund.status == 200)
            #expect(refund.json?["amount"] == .integer(20))
            #expect(refund.json?["balance"]?["available"] == .integer(60))
            let rest = try await api.send("POST", "/v1/debits/\(debitID)/refund")
            #expect(rest.json?["amount"] == .integer(40))
            let more = try await api.send("POST", "/v1/debits/\(debitID)/refund", json: #"{"amount": 1}"#)
            #expect(more.status == 422)
            #expect(more.json?["code"] == .string("refund_exceeds_debit"))
            #expect(try await api.send("GET", "/v1/debits/\(debitID)").json?["refunded"] == .integer(60))
            let ledger = try await api.send("GET", "/v1/accounts/carol/ledger")
            let refundEntry = ledger.json?["data"]?.arrayValue?.first { $0["type"] == .string("refund") }
            #expect(refundEntry?["metadata"]?["reason"] == .string("outage"), "the reason is kept on the refund entry")
            let long = String(repeating: "x", count: 501)
            let tooLong = try await api.send("POST", "/v1/debits/\(debitID)/refund", json: #"{"reason": "\#(long)"}"#)
            #expect(tooLong.status == 422)
        }
    }

    @Test func unknownIdsAndPrefixesAreNotFound() async throws {
        try await withAPI { api in
            try await api.fund("dave", 10)
            let hold = try await api.send("POST", "/v1/authorize", json: #"{"account": "dave", "cost": 1, "hold": true}"#)
            let holdNumber = try #require(hold.json?["id"]?.stringValue?.dropFirst(4))
            let cases: [(String, String)] = [
                ("/v1/debits/dbt_999999", "debit_not_found"), ("/v1/debits/hld_\(holdNumber)", "debit_not_found"),
                ("/v1/debits/\(holdNumber)", "debit_not_found"), ("/v1/debits/dbt_x", "debit_not_found"),
                ("/v1/holds/hld_999999", "hold_not_found"), ("/v1/holds/dbt_\(holdNumber)", "hold_not_found"),
                ("/v1/holds/lot_1", "hold_not_found"),
            ]
            for (path, code) in cases {
                let response = try await api.send("GET", path)
                #expect(response.status == 404, "\(path)")
                #expect(response.json?["code"] == .string(code), "\(path)")
            }
            #expect(try await api.send("POST", "/v1/holds/hld_999999/capture").status == 404)
        }
    }
}
