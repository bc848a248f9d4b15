// Proves the six paged lists (accounts, ledger, events, webhook endpoints, keys, deliveries)
// share one behaviour: walking them two at a time by next_cursor gives exactly the whole list,
// the last page has no cursor, a bad limit is 422 invalid_limit, and another list's cursor is
// 422 invalid_cursor saying what this list's cursor is.
import TallyCore
import Testing

@Suite struct PagingTests {
    /// Each list, a cursor of another list's shape, and what its refusal says `after` is.
    static let lists: [(path: String, foreign: String, expected: String)] = [
        ("/v1/accounts", "a%2Fb", "after is the id of the last account of the previous page"),
        ("/v1/accounts/p/ledger", "evt_1", "after is the seq of the last entry of the previous page"),
        ("/v1/events", "we_1", "after is an event id such as evt_42"),
        ("/v1/webhook-endpoints", "key_1", "after is an endpoint id (we_…)"),
        ("/v1/accounts/p/keys", "wd_1", "after is a key id (key_…)"),
        ("/v1/webhook-endpoints/we_1/deliveries", "evt_1", "after is a delivery id (wd_…) from this list"),
    ]

    @Test func everyListPagesByItsCursor() async throws {
        try await withAPI { api in
            for index in 1...3 {
                _ = try await api.send("POST", "/v1/webhook-endpoints", json: #"{"url": "https://example.com/\#(index)"}"#)
            }
            try await api.fund("p", 10)
            for index in 1...2 {
                _ = try await api.send("POST", "/v1/accounts", json: #"{"id": "q\#(index)"}"#)
                _ = try await api.send("POST", "/v1/accounts/p/topups", json: #"{"amount": \#(index)}"#)
                _ = try await api.send("POST", "/v1/accounts/p/keys", json: #"{"name": "k\#(index)"}"#)
            }
            _ = try await api.send("POST", "/v1/accounts/p/keys", json: "{}")

            for (path, foreign, expected) in Self.lists {
                let whole = try #require(try await api.send("GET", path + "?limit=100").json?["data"]?.arrayValue, "\(path)")
                #expect(whole.count >= 3, "\(path) has more than one page of two")
                var walked: [JSONValue] = []
                var query = "?limit=2"
                while true {
                    let page = try #require(try await api.send("GET", path + query).json, "\(path)")
                    walked += page["data"]?.arrayValue ?? []
                    guard let cursor = page["next_cursor"]?.stringValue else { break }
                    query = "?limit=2&after=\(cursor)"
                }
                #expect(walked == whole, "\(path)")

                let badLimit = try await api.send("GET", path + "?limit=0")
                #expect(badLimit.status == 422 && badLimit.json?["code"] == .string("invalid_limit"), "\(path)")
                let badCursor = try await api.send("GET", path + "?after=\(foreign)")
                #expect(badCursor.status == 422 && badCursor.json?["code"] == .string("invalid_cursor"), "\(path)")
                #expect(badCursor.json?["detail"] == .string(expected), "\(path)")
            }
        }
    }
}
