import TallyHTTP

/// Refuses a request that repeats a header only one copy of which can mean anything.
///
/// Two `X-Api-Key` fields name two callers and two `Idempotency-Key` fields two requests;
/// answering by the first copy would silently ignore whatever added the second (a proxy, a
/// careless client), so such a request is refused before anything is read. (A repeated
/// `Authorization` never gets this far: the HTTP layer refuses it as `repeated_authorization`.)
enum SingletonHeaders {
    /// The header fields that must appear at most once.
    static let names = ["X-Api-Key", "Idempotency-Key", "X-Original-Method", "X-Original-URI"]

    /// Throws 400 `repeated_header` naming the first repeated field.
    static func check(_ headers: HTTPHeaders) throws(Problem) {
        for name in names where headers.occurrences(of: name) > 1 {
            throw Problem(
                status: 400, code: "repeated_header", title: "Repeated header",
                detail: "the \(name) header appears more than once; send it once")
        }
    }
}
