import TallyHTTP

/// Health, readiness, metrics and the OpenAPI document.
extension TallyAPI {
    /// Liveness: answering at all is the answer.
    func health() -> HTTPResponse {
        Reply(status: 200, body: .object([("status", .string("ok"))])).response
    }

    /// The metrics in the Prometheus text exposition format.
    func renderMetrics() -> HTTPResponse {
        HTTPResponse(
            status: 200, headers: HTTPHeaders([("Content-Type", "text/plain; version=0.0.4; charset=utf-8")]),
            text: metrics.render(engine: engine))
    }

    /// This server's OpenAPI document, built once at start.
    func openAPIDocument() -> HTTPResponse {
        HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]), body: openAPIBytes)
    }

    /// 200 when the store answers a read and the write queue has room; 503 while draining or overloaded.
    func readiness() async -> HTTPResponse {
        func notReady(_ detail: String) -> HTTPResponse {
            Problem(status: 503, code: "not_ready", title: "Not ready", detail: detail).response
        }
        if draining.load(ordering: .relaxed) { return notReady("the server is draining") }
        switch await engine.unreadiness() {
        case .writeQueueFull: return notReady("the write queue is full")
        case .storeSilent: return notReady("the store does not answer")
        case nil: break
        }
        return Reply(status: 200, body: .object([("status", .string("ready"))])).response
    }
}
