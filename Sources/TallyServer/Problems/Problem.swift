import TallyCore
import TallyHTTP

/// An RFC 9457 problem detail: every failure the API answers is one of these.
public struct Problem: Error, Sendable {
    public let status: Int
    /// The stable machine-readable code, also the last segment of `type`.
    public let code: String
    public let title: String
    public let detail: String
    /// Members added beside the standard ones (for example the balance of a 402).
    public var extra: [(String, JSONValue)] = []
    public var headers: [(String, String)] = []

    /// Creates a problem.
    public init(status: Int, code: String, title: String, detail: String) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
    }

    /// The `type` URI naming this kind of problem.
    public var type: String { "urn:tally:problem:" + code }

    /// The problem as an `application/problem+json` response.
    public var response: HTTPResponse {
        let body: JSONValue = .object(
            [("type", .string(type)), ("title", .string(title)), ("status", .integer(Int64(status))),
             ("detail", .string(detail)), ("code", .string(code))] + extra)
        var fields = HTTPHeaders([("Content-Type", "application/problem+json")])
        for (name, value) in headers { fields.add(name, value) }
        return HTTPResponse(status: status, headers: fields, body: JSONWriter.bytes(body))
    }
}

extension Problem {
    /// A request body that is not valid JSON (400).
    static func invalidJSON(_ detail: String) -> Problem {
        Problem(status: 400, code: "invalid_json", title: "Malformed JSON", detail: detail)
    }

    /// A request that is well-formed JSON but breaks a field rule (422).
    static func invalid(_ code: String, _ detail: String) -> Problem {
        Problem(status: 422, code: code, title: "Invalid request", detail: detail)
    }

    /// A time outside what RFC 3339 can write (422 `time_out_of_range`): a four-digit year.
    static func timeOutOfRange(_ detail: String) -> Problem {
        .invalid("time_out_of_range", detail + " (times run from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z)")
    }

    /// No route matches the path (404).
    static let notFound = Problem(status: 404, code: "not_found", title: "Not found", detail: "no such route")

    /// The path exists but not with this method (405), listing the allowed ones.
    static func methodNotAllowed(_ allowed: [String]) -> Problem {
        var problem = Problem(
            status: 405, code: "method_not_allowed", title: "Method not allowed",
            detail: "this route answers " + allowed.joined(separator: ", "))
        problem.headers = [("Allow", allowed.joined(separator: ", "))]
        return problem
    }

    /// No valid service token (401).
    static let unauthorized: Problem = {
        var problem = Problem(
            status: 401, code: "unauthorized", title: "Unauthorized",
            detail: "send a valid service token as 'Authorization: Bearer <token>'")
        problem.headers = [("WWW-Authenticate", "Bearer")]
        return problem
    }()

    /// A valid token whose scope does not cover the route (403).
    static func forbidden(_ scope: String) -> Problem {
        Problem(status: 403, code: "forbidden", title: "Forbidden", detail: "a token with scope '\(scope)' cannot use this route")
    }
}
