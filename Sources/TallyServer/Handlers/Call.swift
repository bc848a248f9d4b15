import TallyCore
import TallyHTTP

/// One request on its way through a handler: what was matched, and what the log should know.
struct Call {
    let request: HTTPRequest
    /// The `{id}` path parameter, percent-decoded; empty for routes without one.
    let parameter: String
    /// The account the request concerns, once known, for the access log.
    var account: String?

    /// The idempotency key from the `Idempotency-Key` header or the `idempotency_key` member,
    /// checked here so that routes which store nothing under it refuse a malformed one too.
    func idempotencyKey(_ body: inout RequestBody) throws(Problem) -> String? {
        let header = request.headers["Idempotency-Key"]
        let member = try body.string("idempotency_key")
        if let header, let member, header != member {
            throw .invalid("invalid_idempotency_key", "the Idempotency-Key header and idempotency_key differ")
        }
        guard let key = header ?? member else { return nil }
        guard Limits.isIdempotencyKey(key) else { throw Problem(Rejection.invalidIdempotencyKey) }
        return key
    }
}

/// A successful answer: status, JSON body and whether it replays an earlier request.
struct Reply {
    var status: Int
    var body: JSONValue
    var replayed = false
    var headers: [(String, String)] = []

    /// The answer as an HTTP response.
    var response: HTTPResponse {
        var headers = HTTPHeaders([("Content-Type", "application/json")])
        if replayed { headers.add("Idempotent-Replayed", "true") }
        for (name, value) in self.headers { headers.add(name, value) }
        return HTTPResponse(status: status, headers: headers, body: JSONWriter.bytes(body))
    }

    /// The `RateLimit-*` headers of a decision (none when no limit applied).
    static func rateHeaders(_ decision: RateDecision?) -> [(String, String)] {
        decision.map { RateLimitHeaders($0).fields.map { ($0.name, $0.value) } } ?? []
    }

    /// A page of a list: `{"data": [...], "next_cursor": ...}`.
    static func page(_ data: [JSONValue], nextCursor: String?) -> Reply {
        Reply(status: 200, body: .object([("data", .array(data)), ("next_cursor", nextCursor.map { .string($0) } ?? .null)]))
    }
}
