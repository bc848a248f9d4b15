// Proves idempotent replays answer the first status and body with Idempotent-Replayed, that a
// reused key is refused, and that the ledger pages by cursor and filters by time.
import TallyCore
import Testing
import TallyServer

@Suite struct IdempotencyAndLedgerTests {
    @Test func replaysTheFirstAnswer() async throws {
        try await withAPI { api in
            let create = #"{"id": "eve"}"#
            let first = try await api.send("POST", "/v1/accounts", json: create, headers: [("Idempotency-Key", "create-eve")])
            let again = try await api.send("POST", "/v1/accounts", json: create, headers: [("Idempotency-Key", "create-eve")])
            #expect(first.status == 201)
            #expect(again.status == 201)
            #expect(first.header("Idempotent-Replayed") == nil)
            #expect(again.header("Idempotent-Replayed") == "true")

            let topUp = #"{"amount": 100, "idempotency_key": "pay_1"}"#
            let credited = try await api.send("POST", "/v1/accounts/eve/topups", json: topUp)
            let credited2 = try await api.send("POST", "/v1/accounts/eve/topups", json: topUp)
            #expect(credited2.status == 201)
            #expect(credited2.header("Idempotent-Replayed") == "true")
            #expect(credited2.body == credited.body)

            let charge = #"{"account": "eve", "cost": 7}"#
            let debit = try await api.send("POST", "/v1/authorize", json: charge, headers: [("Idempotency-Key", "req-1")])
            let replay = try await api.send("POST", "/v1/authorize", json: charge, headers: [("Idempotency-Key", "req-1")])
            #expect(replay.status == 200)
            #expect(replay.body == debit.body)
            #expect(replay.header("Idempotent-Replayed") == "true")
            #expect(try await api.send("GET", "/v1/accounts/eve").json?["balance"]?["available"] == .integer(93))

            let reused = try await api.send("POST", "/v1/authorize", json: #"{"account": "eve", "cost": 8}"#, headers: [("Idempotency-Key", "req-1")])
            #expect(reused.status == 422)
            #expect(reused.json?["code"] == .string("idempotency_key_reused"))

            let denial = #"{"account": "eve", "cost": 1000}"#
            let deniedFirst = try await api.send("POST", "/v1/authorize", json: denial, headers: [("Idempotency-Key", "big")])
            let deniedAgain = try await api.send("POST", "/v1/authorize", json: denial, headers: [("Idempotency-Key", "big")])
            #expect(deniedFirst.status == 402)
            #expect(deniedAgain.status == 402)
            #expect(deniedAgain.body == deniedFirst.body)

            let disagree = try await api.send(
                "POST", "/v1/authorize", json: #"{"account": "eve", "cost": 1, "idempotency_key": "a"}"#,
                headers: [("Idempotency-Key", "b")])
            #expect(disagree.json?["code"] == .string("invalid_idempotency_key"))
        }
    }

    @Test func pagesAndFiltersTheLedger() async throws {
        try await withAPI { api in
            try await api.fund("frank", 1_000)
            for _ in 0..<4 { _ = try await api.send("POST", "/v1/authorize", json: #"{"account": "frank", "cost": 10}"#) }
            api.clock.advance(byMs: 60_000)
            _ = try await api.send("POST", "/v1/authorize", json: #"{"account": "frank", "cost": 5}"#)

            var entries: [JSONValue] = []
            var path = "/v1/accounts/frank/ledger?limit=2"
            while true {
                let page = try #require(try await api.send("GET", path, token: api.readToken).json)
                entries += page["data"]?.arrayValue ?? []
                guard let cursor = page["next_cursor"]?.stringValue else { break }
                path = "/v1/accounts/frank/ledger?limit=2&after=\(cursor)"
            }
            #expect(entries.map { $0["seq"]?.integerValue ?? 0 } == [1, 2, 3, 4, 5, 6])
            #expect(entries.first?["type"] == .string("credit"))
            #expect(entries.first?["amount"] == .integer(1_000))
            #expect(entries.first?["lot"]?.stringValue?.hasPrefix("lot_") == true)
            #expect(entries[1]["type"] == .string("debit"))
            #expect(entries[1]["amount"] == .integer(-10))
            #expect(entries[1]["available_after"] == .integer(990))
            #expect(entries[1]["id"]?.stringValue?.hasPrefix("ent_") == true)
            #expect(entries.last?["at"] == .string("2026-01-15T10:01:00.000Z"))

            let late = try #require(try await api.send("GET", "/v1/accounts/frank/ledger?from=2026-01-15T10:00:30Z").json)
            #expect(late["data"]?.arrayValue?.count == 1)
            let early = try #require(try await api.send("GET", "/v1/accounts/frank/ledger?to=2026-01-15T10:00:30%2B00:00").json)
            #expect(early["data"]?.arrayValue?.count == 5)

            #expect(try await api.send("GET", "/v1/accounts/frank/ledger?from=noon").json?["code"] == .string("invalid_time"))
            #expect(try await api.send("GET", "/v1/accounts/frank/ledger?after=xyz").json?["code"] == .string("invalid_cursor"))
            #expect(try await api.send("GET", "/v1/accounts/nobody/ledger").status == 404)
        }
    }
}
