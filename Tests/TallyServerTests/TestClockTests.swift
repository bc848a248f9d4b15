// Proves the test clock over HTTP: without --test-clock its routes are 404; with it, time stands
// still until advanced, and an advance runs what became due (a hold past its TTL is released);
// it reaches 9999-12-31T23:59:59.999Z, the last time RFC 3339 can write, and refuses to go past it.
import TallyCore
@testable import TallyStore
import Testing

@Suite struct TestClockTests {
    @Test func routesAre404WithoutTheTestClock() async throws {
        try await withAPI { api in
            let read = try await api.send("GET", "/v1/test-clock")
            let advance = try await api.send("POST", "/v1/test-clock/advance", json: #"{"seconds": 60}"#)
            #expect(read.status == 404 && advance.status == 404)
        }
    }

    @Test func advancingReleasesAHoldPastItsTTL() async throws {
        try await withAPI(testClock: true) { api in
            let start = try await api.send("GET", "/v1/test-clock")
            #expect(start.status == 200)
            #expect(start.json?["now"] == .string("2026-01-15T10:00:00.000Z"))
            try await api.fund("clocked", 100)
            let hold = try await api.send(
                "POST", "/v1/authorize", json: #"{"account": "clocked", "cost": 40, "hold": true, "hold_ttl_seconds": 60}"#)
            let holdID = try #require(hold.json?["id"]?.stringValue.flatMap { Int64($0.dropFirst(4)) })

            let advanced = try await api.send("POST", "/v1/test-clock/advance", json: #"{"seconds": 61}"#)
            #expect(advanced.json?["now"] == .string("2026-01-15T10:01:01.000Z"))
            // Read straight from storage: the advance itself released the hold.
            let stored = try Connection(path: api.databasePath, readOnly: true).hold(id: holdID)
            #expect(stored?.hold.status == .expired)
            let account = try await api.send("GET", "/v1/accounts/clocked")
            #expect(account.json?["balance"]?["available"] == .integer(100))
        }
    }

    @Test func stopsAtTheLastTimeItCanWrite() async throws {
        try await withAPI(testClock: true) { api in
            api.clock.advance(byMs: Timestamp.range.upperBound - 10_000 - APIHarness.startMs)
            let beyond = try await api.send("POST", "/v1/test-clock/advance", json: #"{"seconds": 11}"#)
            #expect(beyond.status == 422 && beyond.json?["code"] == .string("time_out_of_range"), "\(beyond.body)")
            let last = try await api.send("POST", "/v1/test-clock/advance", json: #"{"seconds": 10}"#)
            #expect(last.status == 200 && last.json?["now"] == .string("9999-12-31T23:59:59.999Z"), "\(last.body)")
            let past = try await api.send("POST", "/v1/test-clock/advance", json: #"{"seconds": 1}"#)
            #expect(past.status == 422 && past.json?["code"] == .string("time_out_of_range"))
            #expect(try await api.send("GET", "/v1/test-clock").json?["now"] == .string("9999-12-31T23:59:59.999Z"))
        }
    }

    @Test func refusesABadAdvance() async throws {
        try await withAPI(testClock: true) { api in
            let zero = try await api.send("POST", "/v1/test-clock/advance", json: #"{"seconds": 0}"#)
            let missing = try await api.send("POST", "/v1/test-clock/advance", json: #"{}"#)
            let readOnly = try await api.send("POST", "/v1/test-clock/advance", json: #"{"seconds": 5}"#, token: api.readToken)
            #expect(zero.status == 422 && missing.status == 422 && readOnly.status == 403)
        }
    }
}
