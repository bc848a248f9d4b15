/// One answer a connection owes, kept in request order until it can be written.
struct Exchange {
    /// What the answer is for.
    enum Kind {
        /// A request given to a handler.
        case request(RequestInfo)
        /// The `100 Continue` owed to a request that expects it.
        case interimContinue
        /// A request that could not be parsed or timed out; the connection closes after the answer.
        case failure(HTTPParseError)
    }

    /// The facts about a request needed to write its answer and report it.
    struct RequestInfo {
        var method: String
        var path: String
        var isHead: Bool
        var isHTTP10: Bool
        var keepAlive: Bool
        var startNs: UInt64
        var bodyBytes: Int
    }

    var kind: Kind
    /// The handler's response, nil while the handler runs; the other kinds are ready at once.
    var response: HTTPResponse?

    /// Whether the answer can be written now.
    var isReady: Bool {
        if case .request = kind { return response != nil }
        return true
    }

    /// The problem-details response sent for a parse failure or timeout, in the same shape
    /// (RFC 9457 with a stable `code`) as every other failure of the API.
    static func failureResponse(_ error: HTTPParseError) -> HTTPResponse {
        ProtocolProblem.response(status: error.status, detail: error.reason, code: error.code)
    }

    /// What the observer hears about this answer once it is serialized; nil for `100 Continue`.
    func summary(responseBodyBytes: Int, nowNs: UInt64, remoteAddress: String) -> HTTPExchangeSummary? {
        switch kind {
        case .interimContinue:
            return nil
        case .failure(let error):
            return HTTPExchangeSummary(
                method: "", path: "", status: error.status, durationNs: 0, requestBodyBytes: 0,
                responseBodyBytes: responseBodyBytes, remoteAddress: remoteAddress)
        case .request(let info):
            return HTTPExchangeSummary(
                method: info.method, path: info.path, status: response?.status ?? 0, durationNs: nowNs &- info.startNs,
                requestBodyBytes: info.bodyBytes, responseBodyBytes: responseBodyBytes, remoteAddress: remoteAddress)
        }
    }
}
