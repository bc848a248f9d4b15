import Synchronization
import TallyWebhooks

/// Counts of delivery attempts by outcome and their latency, for `/metrics`.
public final class WebhookMetrics: Sendable {
    /// A reading of the counters.
    public struct Reading: Sendable {
        public var attemptsByOutcome: [String: Int] = [:]
        public var latencyMsTotal: Int64 = 0
        public var latencyMsMax: Int64 = 0
        /// Deliveries waiting for an attempt, as last counted (about once a second).
        public var backlog = 0
        /// How long the oldest of them has been due, in milliseconds.
        public var backlogAgeMs: Int64 = 0
        public var disabledEndpoints = 0
        /// Dispatcher passes over the outbox so far: a number that stops growing is a stuck
        /// dispatcher.
        public var passes = 0
    }

    private let counters = Mutex(Reading())

    func record(_ result: DeliveryResult) {
        counters.withLock {
            $0.attemptsByOutcome[result.outcome.code, default: 0] += 1
            $0.latencyMsTotal += result.durationMs
            $0.latencyMsMax = max($0.latencyMsMax, result.durationMs)
        }
    }

    func recordBacklog(count: Int, oldestDueAtMs: Int64?, disabledEndpoints: Int, nowMs: Int64) {
        counters.withLock {
            $0.backlog = count
            $0.backlogAgeMs = oldestDueAtMs.map { max(0, nowMs - $0) } ?? 0
            $0.disabledEndpoints = disabledEndpoints
        }
    }

    func recordPass() { counters.withLock { $0.passes += 1 } }

    /// The counters now.
    public var reading: Reading { counters.withLock { $0 } }
}
