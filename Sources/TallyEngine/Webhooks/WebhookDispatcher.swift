import Synchronization
import TallyCore
import TallyStore
import TallyWebhooks

/// Sends due webhook deliveries through the libcurl client and records every attempt: the
/// outbox's other half.
///
/// Each pass reads deliveries that are due and not leased, leases them durably (so a restart
/// mid-attempt re-sends after the lease instead of losing them), and hands them to the delivery
/// client's thread. Each result is turned into the next step by the retry schedule and written
/// through the group-commit writer with the attempt's log row and the endpoint's health.
///
/// Deliveries run on the wall clock, never on the engine's (possibly test) clock: a receiver
/// lives in real time, and a test clock standing still must not stall retries.
final class WebhookDispatcher: Sendable {
    private struct State {
        var inFlight: Set<Int64> = []
        /// Endpoint health as this dispatcher has seen it, from the stored row on first sight.
        var health: [Int64: EndpointHealth] = [:]
        /// Endpoints disabled by this dispatcher since their row was read.
        var disabled: Set<Int64> = []
        /// Set at shutdown: attempts the client ends then are not the receiver's failures, so
        /// they are not recorded; their leases run out and a restart sends them again.
        var stopping = false
        /// When the backlog was last counted for the metrics.
        var backlogCountedAtMs: Int64 = 0
    }

    let context: EngineContext
    let metrics = WebhookMetrics()
    private let state = Mutex(State())
    /// Started on the first delivery: libcurl and its TLS library cost memory a server that
    /// never delivers should not pay.
    private let started = Mutex<(any WebhookTransport)?>(nil)
    private var settings: WebhookSettings { context.configuration.webhooks }
    /// Attempts happen in real time, also when the engine runs on a test clock.
    private let wallClock: any MillisecondClock

    init(context: EngineContext, wallClock: any MillisecondClock) {
        self.context = context
        self.wallClock = wallClock
    }

    /// The transport, started on first use.
    private var client: any WebhookTransport {
        started.withLock { client in
            if let client { return client }
            let settings = settings
            let wallClock = wallClock
            var configuration = DeliveryConfiguration(nowSeconds: { wallClock.nowMs() / 1_000 })
            configuration.maxInFlight = settings.maxInFlight
            configuration.maxInFlightPerEndpoint = settings.maxInFlightPerEndpoint
            configuration.connectTimeoutMs = settings.connectTimeoutMs
            configuration.totalTimeoutMs = settings.totalTimeoutMs
            configuration.addressPolicy = settings.addressPolicy
            configuration.userAgent = settings.userAgent
            let fresh = settings.transport?(configuration) ?? DeliveryClient(configuration: configuration)
            client = fresh
            return fresh
        }
    }

    /// Shuts the delivery client down if it was started; blocks until its thread ends.
    func shutdownClient() {
        started.withLock { $0 }?.shutdown()
    }

    /// Stops recording results, before the client is shut down.
    func stop() {
        state.withLock { $0.stopping = true }
    }

    /// Forgets what it knew of an endpoint after the operator changed it (re-enabled, say).
    func endpointChanged(_ id: Int64) {
        state.withLock {
            $0.health[id] = nil
            $0.disabled.remove(id)
        }
    }

    /// Whether every slot is taken, so the next pass should come as soon as an attempt ends
    /// (each makes room) rather than after the poll interval.
    var isFull: Bool { state.withLock { $0.inFlight.count >= 2 * settings.maxInFlight } }

    /// Runs one pass; returns how many attempts it started.
    @discardableResult
    func pass() async -> Int {
        let nowMs = wallClock.nowMs()
        let (busy, stopping, countBacklog) = state.withLock { state in
            let due = nowMs - state.backlogCountedAtMs >= 1_000
            if due { state.backlogCountedAtMs = nowMs }
            return (state.inFlight, state.stopping, due)
        }
        guard !stopping else { return 0 }
        metrics.recordPass()
        if countBacklog { await self.countBacklog(nowMs: nowMs) }
        // Twice the client's cap keeps its queue fed between passes.
        let room = 2 * settings.maxInFlight - busy.count
        guard room > 0 else { return 0 }
        let found: (due: [DueDelivery], endpoints: [Int64: EndpointRecord])
        do throws(StoreError) {
            found = try await context.store.dueDeliveries(atMs: nowMs, limit: room, excluding: busy)
        } catch {
            return 0  // the rows stay due; the next pass asks again
        }
        let sendable = found.due.filter { found.endpoints[$0.delivery.endpoint]?.enabled == true }
        guard !sendable.isEmpty else { return 0 }
        guard case .success = await context.commit([
            .leaseDeliveries(sendable.map(\.delivery.id), untilMs: nowMs + settings.leaseMs)
        ]) else { return 0 }
        var started = 0
        for item in sendable {
            guard let endpoint = found.endpoints[item.delivery.endpoint], start(item, endpoint, nowMs: nowMs) else { continue }
            started += 1
        }
        return started
    }

    private func countBacklog(nowMs: Int64) async {
        guard let backlog = try? await context.store.deliveryBacklog(atMs: nowMs) else { return }
        metrics.recordBacklog(
            count: backlog.count, oldestDueAtMs: backlog.oldestDueAtMs, disabledEndpoints: backlog.disabled, nowMs: nowMs)
    }

    /// Hands one delivery to the client, unless its endpoint was disabled meanwhile.
    private func start(_ item: DueDelivery, _ endpoint: EndpointRecord, nowMs: Int64) -> Bool {
        let admitted = state.withLock { state in
            guard !state.disabled.contains(endpoint.id) else { return false }
            if state.health[endpoint.id] == nil {
                state.health[endpoint.id] = EndpointHealth(
                    consecutiveFailures: endpoint.consecutiveFailures, failingSinceMs: endpoint.failingSinceMs,
                    lastSuccessAtMs: endpoint.lastSuccessAtMs)
            }
            return state.inFlight.insert(item.delivery.id).inserted
        }
        guard admitted else { return false }
        let secrets = endpoint.signingSecrets(atMs: nowMs).compactMap { try? WebhookSecret.parse($0).get() }
        let request = DeliveryRequest(
            endpointID: "we_\(endpoint.id)", url: endpoint.url, messageID: "evt_\(item.delivery.event)", body: item.body,
            secrets: secrets)
        client.submit(request) { result in self.finish(item.delivery, endpoint, result) }
        return true
    }

    /// Records an attempt's result; runs on the client's thread, so it only decides and queues.
    private func finish(_ delivery: DeliveryRecord, _ endpoint: EndpointRecord, _ result: DeliveryResult) {
        guard !state.withLock({ $0.stopping }) else { return }
        let nowMs = wallClock.nowMs()
        let attempt = delivery.attempts + 1
        let decision = settings.schedule.next(
            afterAttempt: attempt, outcome: result.outcome, retryAfter: result.retryAfter, nowMs: nowMs,
            random: UInt64.random(in: 0...UInt64.max))
        metrics.record(result)
        var changes: [StoreChange] = [.recordAttempt(
            AttemptRecord(
                delivery: delivery.id, attempt: attempt, atMs: nowMs, durationMs: result.durationMs,
                outcome: result.outcome.code, httpStatus: result.httpStatus > 0 ? result.httpStatus : nil,
                responseExcerpt: result.responseBody, error: result.errorDetail),
            Self.progress(of: delivery, attempt: attempt, decision: decision, result: result, nowMs: nowMs))]
        changes += healthChanges(endpoint, result.outcome, gone: decision == .gone, nowMs: nowMs)
        let id = delivery.id
        context.submit(changes) { _ in
            // A failed commit leaves the row due with its lease, so it is retried after the lease.
            self.state.withLock { _ = $0.inFlight.remove(id) }
        }
    }

    /// Where the delivery stands after this attempt.
    static func progress(
        of delivery: DeliveryRecord, attempt: Int, decision: RetryDecision, result: DeliveryResult, nowMs: Int64
    ) -> DeliveryProgress {
        let (status, nextMs, finishedMs): (DeliveryRecord.Status, Int64?, Int64?) =
            switch decision {
            case .delivered: (.succeeded, nil, nowMs)
            case .retry(let atMs): (.pending, atMs, nil)
            case .exhausted, .refused: (.failed, nil, nowMs)
            case .gone: (.pending, nil, nil)  // parked with its endpoint; re-enabling resumes it
            }
        return DeliveryProgress(
            delivery: delivery.id, status: status, attempts: attempt, firstAttemptAtMs: delivery.firstAttemptAtMs ?? nowMs,
            nextAttemptAtMs: nextMs, lastOutcome: result.outcome.code,
            lastStatus: result.httpStatus > 0 ? result.httpStatus : nil, finishedAtMs: finishedMs)
    }

    /// The endpoint's new health when it changed enough to store, and its disabling when due.
    private func healthChanges(_ endpoint: EndpointRecord, _ outcome: AttemptOutcome, gone: Bool, nowMs: Int64) -> [StoreChange] {
        let policy = settings.disablePolicy
        return state.withLock { state in
            var health = state.health[endpoint.id] ?? EndpointHealth()
            let before = health
            health.record(outcome, atMs: nowMs)
            state.health[endpoint.id] = health
            var changes: [StoreChange] = []
            // Successes are frequent: store one only when it ends a failing streak or once a minute.
            let staleSuccess = (before.lastSuccessAtMs ?? .min) < nowMs - 60_000
            if health.consecutiveFailures != before.consecutiveFailures || staleSuccess {
                changes.append(.putEndpointHealth(
                    endpoint: endpoint.id, consecutiveFailures: health.consecutiveFailures,
                    failingSinceMs: health.failingSinceMs, lastSuccessAtMs: health.lastSuccessAtMs))
            }
            let reason = gone ? .gone : policy.reason(after: outcome, health: health, nowMs: nowMs)
            guard let reason, !state.disabled.contains(endpoint.id) else { return changes }
            state.disabled.insert(endpoint.id)
            return changes + [
                .disableEndpoint(endpoint.id, reason: reason.rawValue, atMs: nowMs),
                .appendEvent(EndpointEvents.disabled(
                    endpoint, reason: reason, explanation: policy.explanation(reason), health: health, atMs: nowMs,
                    id: context.ids.next())),
            ]
        }
    }
}
