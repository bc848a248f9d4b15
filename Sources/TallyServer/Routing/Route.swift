import TallyCore
import TallyHTTP

/// Who may call a route.
enum Access: Sendable, Equatable {
    /// Anyone, without a token.
    case `public`
    /// Only an `admin` token.
    case adminOnly
    /// An `admin` token, or one with any of these scopes.
    case scopes(Set<Scope>)
}

/// One entry of the API: method, path pattern, who may call it, what it documents and what answers it.
struct Route: Sendable {
    /// What answers a route.
    enum Handler: Sendable {
        /// Answered on the loop thread with no waiting, before a place in flight is taken.
        case immediate(@Sendable (TallyAPI) -> HTTPResponse)
        /// Answered in a task, with the call's `{id}` and the account it concerns.
        case call(@Sendable (TallyAPI, inout Call) async throws(Problem) -> HTTPResponse)

        /// A handler whose answer is a JSON ``Reply``.
        static func reply(_ answer: @escaping @Sendable (TallyAPI, inout Call) async throws(Problem) -> Reply) -> Handler {
            .call { api, call throws(Problem) in try await answer(api, &call).response }
        }

        /// A handler method of ``TallyAPI`` whose answer is a JSON ``Reply``, such as `TallyAPI.getAccount`.
        static func reply(_ method: @escaping @Sendable (TallyAPI) -> (inout Call) async throws(Problem) -> Reply) -> Handler {
            .call { api, call throws(Problem) in try await method(api)(&call).response }
        }
    }

    let method: String
    /// The path with `{id}` standing for the one parameter a route may have.
    let pattern: String
    /// The document's `operationId`, which clients generate method names from: never rename one.
    let name: String
    let access: Access
    let summary: String
    /// The component schema of the request body, if the route takes one.
    var request: String?
    /// The success status and the component schema of its body.
    let success: (status: Int, schema: String)
    /// The problem statuses the route can answer besides 400/401/403/503.
    var failures: [Int] = []
    /// What `after` is on a paged list (which also takes `limit`): the schema of its cursor.
    var cursor: JSONValue?
    /// The query parameters the route reads besides paging.
    var query: [QueryParameter] = []
    /// The media type of the success body.
    var mediaType = "application/json"
    /// Whether every refusal also names its code in `X-Tally-Reason`, for proxies that pass on
    /// headers but not bodies (nginx's `auth_request`).
    var reasonHeader = false
    let handler: Handler

    /// The pattern's segments, for matching.
    var segments: [Substring] { pattern.split(separator: "/") }
}

/// A query parameter a route reads, as the OpenAPI document declares it.
struct QueryParameter: Sendable {
    let name: String
    let schema: JSONValue
    var required = false
}
