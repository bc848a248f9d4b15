import Synchronization
import TallyCore
import TallyEngine
import TallyHTTP
import TallySystem

/// The v1 HTTP API over an engine: routing, service-token auth, problem details, metrics and
/// the access log. Plug ``handle(_:)``, ``handleInline(_:)`` and ``observe(_:)`` into an
/// `HTTPServer` (always both handlers: the inline one admits what the other answers), or call
/// ``makeServer(configuration:)``.
public final class TallyAPI: Sendable {
    let engine: Engine
    public let tokens: ServiceTokens
    public let metrics: Metrics
    let log: AccessLog?
    private let router = Router(routes: RouteTable.all)
    /// The OpenAPI document of this server: its catalog's names and hold bound are in it.
    let openAPIBytes: [UInt8]
    let draining = Atomic<Bool>(false)
    /// The clock the engine runs on when started with `--test-clock`; nil otherwise, and then
    /// the test-clock routes answer 404.
    let testClock: ManualClock?
    /// The routes the gateway path prices proxied requests by.
    let gateway: GatewayRouteTable
    /// What refuses requests past capacity before they queue (see ``Admission``).
    public let admission: Admission
    /// The answer to a request refused for want of a place, built once: it is the answer given
    /// most often exactly when the server has least time.
    private let overloaded = Problem(EngineError.overloaded).response

    /// Creates the API; `log` nil keeps no access log; without `gateway` every proxied route is
    /// refused as unpriced; `admission` defaults to the store's queueing bound.
    public init(
        engine: Engine, tokens: ServiceTokens, metrics: Metrics = Metrics(), log: AccessLog? = nil,
        testClock: ManualClock? = nil, gateway: GatewayRouteTable? = nil, admission: Admission? = nil
    ) {
        self.admission = admission ?? Admission(boundMs: engine.maxQueueDelayMs)
        self.gateway = gateway ?? GatewayRouteTable([], unpriced: .deny)!
        self.engine = engine
        self.tokens = tokens
        self.metrics = metrics
        self.log = log
        self.testClock = testClock
        let requests = RequestSchemas(catalog: engine.catalog, maxHoldTTLSeconds: engine.maxHoldTTLMs / 1_000)
        openAPIBytes = JSONWriter.bytes(OpenAPIDocument.make(routes: RouteTable.all, requests: requests))
    }

    /// An HTTP server wired to this API.
    public func makeServer(configuration: HTTPServerConfiguration) -> HTTPServer {
        HTTPServer(
            configuration: configuration, inlineHandler: { [self] in handleInline($0) },
            observer: { [self] in observe($0) }, handler: { [self] in await handle($0) })
    }

    /// Answers one request in process exactly as the server would, with no socket between: an
    /// embedding Swift service or a test calls the API this way.
    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        if let answer = handleInline(request) { return answer }
        return await handle(request)
    }

    /// Makes `/readyz` answer 503 from now on, so a load balancer stops sending work while the
    /// server drains.
    public func beginDrain() { draining.store(true, ordering: .relaxed) }

    /// Answers a request ``handleInline(_:)`` passed on, and gives back the place it took.
    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let start = MonotonicClock.nowNs()
        defer {
            if Self.takesAPlace(request) {
                let now = MonotonicClock.nowNs()
                // From when the request was read: the time it queued on the loop counts most.
                admission.leave(latencyNs: now &- (request.receivedAtNs == 0 ? now : request.receivedAtNs), nowNs: now)
            }
        }
        var routeName = "unmatched"
        var account: String?
        let response: HTTPResponse
        switch router.match(method: request.method, path: request.path) {
        case .notFound:
            response = Problem.notFound.response
        case .methodNotAllowed(let allowed):
            response = Problem.methodNotAllowed(allowed).response
        case .found(let route, let parameter):
            routeName = route.pattern
            do throws(Problem) {
                try SingletonHeaders.check(request.headers)
                try tokens.authorize(request.headers["Authorization"], for: route.access)
                var call = Call(request: request, parameter: parameter)
                defer { account = call.account }
                switch route.handler {
                case .immediate(let answer): response = answer(self)
                case .call(let answer): response = try await answer(self, &call)
                }
            } catch {
                var refusal = error
                if route.reasonHeader { refusal.headers.append(("X-Tally-Reason", error.code)) }
                response = refusal.response
            }
        }
        record(request, route: routeName, response: response, start: start, account: account)
        return response
    }

    /// Answers on the loop thread what needs no waiting: the cheap routes (health, metrics, the
    /// OpenAPI document), and 503 `overloaded` for a request that finds no place in flight
    /// (``Admission``), before any task, parsing or engine work is spent on it. Returns nil for
    /// the rest, which hold a place until ``handle(_:)`` answers them.
    public func handleInline(_ request: HTTPRequest) -> HTTPResponse? {
        // Most traffic is under /v1/; skip matching it twice.
        if !request.path.hasPrefix("/v1/") || request.path == "/v1/openapi.json",
            case .found(let route, _) = router.match(method: request.method, path: request.path),
            case .immediate(let answer) = route.handler
        {
            let start = MonotonicClock.nowNs()
            let response = answer(self)
            record(request, route: route.pattern, response: response, start: start, account: nil)
            return response
        }
        guard Self.takesAPlace(request), !admission.enter() else { return nil }
        record(request, route: "overloaded", response: overloaded, start: MonotonicClock.nowNs(), account: nil)
        return overloaded
    }

    /// Readiness must answer however busy the server is: saying so is its job.
    private static func takesAPlace(_ request: HTTPRequest) -> Bool { request.path != "/readyz" }

    /// Counts and logs what the HTTP layer refused before a request reached the API.
    public func observe(_ summary: HTTPExchangeSummary) {
        guard summary.method.isEmpty else { return }
        metrics.recordRefusedByServer(status: summary.status)
        log?.request(method: "-", path: "-", status: summary.status, nanoseconds: summary.durationNs, account: nil)
    }

    private func record(_ request: HTTPRequest, route: String, response: HTTPResponse, start: UInt64, account: String?) {
        let elapsed = MonotonicClock.nowNs() &- start
        metrics.recordRequest(route: route, method: request.method, status: response.status, nanoseconds: elapsed)
        log?.request(method: request.method, path: request.path, status: response.status, nanoseconds: elapsed, account: account)
    }

    /// Runs an engine call, turning its failure into the mapped problem.
    func engineCall<T>(_ body: () async throws(EngineError) -> T) async throws(Problem) -> T {
        do throws(EngineError) {
            return try await body()
        } catch {
            throw problem(for: error)
        }
    }

    /// The problem for an engine failure; storage failures are also logged for the operator.
    func problem(for error: EngineError) -> Problem {
        if case .storage(let failure) = error { log?.event("storage failure: \(failure)", level: "error") }
        return Problem(error)
    }
}
