import Synchronization
import TallyEngine

/// The server's counters and latency histograms, rendered in the Prometheus text format.
public final class Metrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let bucketBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    private struct RequestKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private struct Histogram {
        var buckets = [UInt64](repeating: 0, count: Metrics.bucketBounds.count)
        var count: UInt64 = 0
        var sumNanoseconds: UInt64 = 0

        mutating func record(_ nanoseconds: UInt64) {
            count += 1
            sumNanoseconds += nanoseconds
            let seconds = Double(nanoseconds) / 1e9
            if let index = Metrics.bucketBounds.firstIndex(where: { seconds <= $0 }) { buckets[index] += 1 }
        }
    }

    private struct State {
        var requests: [RequestKey: Histogram] = [:]
        var decisions: [String: UInt64] = [:]
        var refusedByServer: [Int: UInt64] = [:]
    }

    private let state = Mutex(State())

    /// Creates empty metrics.
    public init() {}

    /// The methods that get a label of their own; any other method token is counted as `OTHER`.
    private static let labelledMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"]

    /// Counts one answered request under its route pattern (or `unmatched`).
    ///
    /// Labels come only from fixed sets, because every distinct label value is a series kept
    /// forever: a client inventing methods must not be able to grow `/metrics` and memory.
    func recordRequest(route: String, method: String, status: Int, nanoseconds: UInt64) {
        let key = RequestKey(route: route, method: Self.methodLabel(method), status: status)
        state.withLock { $0.requests[key, default: Histogram()].record(nanoseconds) }
    }

    /// The method's own name when it is a standard one, else `OTHER`.
    private static func methodLabel(_ method: String) -> String {
        labelledMethods.contains(method) ? method : "OTHER"
    }

    /// Counts one authorize decision: `approved` or the rejection code.
    func recordDecision(_ outcome: String) {
        state.withLock { $0.decisions[outcome, default: 0] += 1 }
    }

    /// Counts a request the HTTP layer refused before it reached the API (malformed, too large, …).
    func recordRefusedByServer(status: Int) {
        state.withLock { $0.refusedByServer[status, default: 0] += 1 }
    }

    /// One unlabelled Prometheus histogram from per-bucket (not cumulative) counts.
    private func histogram(_ name: String, _ help: String, bounds: [String], buckets: [Int], sum: String, count: Int) -> String {
        var out = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        var cumulative = 0
        for (index, bound) in bounds.enumerated() {
            cumulative += buckets[index]
            out += "\(name)_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        return out + "\(name)_bucket{le=\"+Inf\"} \(count)\n\(name)_sum \(sum)\n\(name)_count \(count)\n"
    }

    /// The Prometheus text exposition of every metric, with the engine's gauges.
    func render(engine: Engine) -> String {
        let snapshot = state.withLock { $0 }
        let writer = engine.writerStatistics
        var out = ""
        out += "# HELP tally_http_requests_total Requests answered by the API, by route, method and status.\n"
        out += "# TYPE tally_http_requests_total counter\n"
        let keys = snapshot.requests.keys.sorted { ($0.route, $0.method, $0.status) < ($1.route, $1.method, $1.status) }
        for key in keys {
            out += "tally_http_requests_total{\(labels(key))} \(snapshot.requests[key]?.count ?? 0)\n"
        }
        out += "# HELP tally_http_request_duration_seconds Time from request to response, by route, method and status.\n"
        out += "# TYPE tally_http_request_duration_seconds histogram\n"
        for key in keys {
            guard let histogram = snapshot.requests[key] else { continue }
            var cumulative: UInt64 = 0
            for (index, bound) in Self.bucketBounds.enumerated() {
                cumulative += histogram.buckets[index]
                out += "tally_http_request_duration_seconds_bucket{\(labels(key)),le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "tally_http_request_duration_seconds_bucket{\(labels(key)),le=\"+Inf\"} \(histogram.count)\n"
            out += "tally_http_request_duration_seconds_sum{\(labels(key))} \(Double(histogram.sumNanoseconds) / 1e9)\n"
            out += "tally_http_request_duration_seconds_count{\(labels(key))} \(histogram.count)\n"
        }
        out += "# HELP tally_http_refused_total Requests the HTTP layer refused before routing, by status.\n"
        out += "# TYPE tally_http_refused_total counter\n"
        for status in snapshot.refusedByServer.keys.sorted() {
            out += "tally_http_refused_total{status=\"\(status)\"} \(snapshot.refusedByServer[status] ?? 0)\n"
        }
        out += "# HELP tally_authorize_decisions_total Authorize decisions by outcome (approved or the rejection code).\n"
        out += "# TYPE tally_authorize_decisions_total counter\n"
        for outcome in snapshot.decisions.keys.sorted() {
            out += "tally_authorize_decisions_total{outcome=\"\(outcome)\"} \(snapshot.decisions[outcome] ?? 0)\n"
        }
        out += gauge("tally_commit_batches_total", "counter", "Group-commit transactions written.", "\(writer.batches)")
        out += gauge("tally_commit_failed_batches_total", "counter", "Group-commit transactions that failed.", "\(writer.failedBatches)")
        out += gauge("tally_commit_mutations_total", "counter", "Mutations committed in group-commit batches.", "\(writer.mutations)")
        out += histogram(
            "tally_commit_batch_size", "Mutations per group-commit transaction.",
            bounds: WriterStatistics.batchSizeBounds.map { "\($0)" }, buckets: writer.batchSizeBuckets,
            sum: "\(writer.mutations)", count: writer.batches)
        out += histogram(
            "tally_commit_duration_seconds", "Time to write and commit one group-commit transaction.",
            bounds: WriterStatistics.commitSecondsBounds.map { "\($0)" }, buckets: writer.commitSecondsBuckets,
            sum: "\(Double(writer.totalCommitNanoseconds) / 1e9)", count: writer.batches)
        out += gauge("tally_commit_seconds_max", "gauge", "The longest batch commit so far.", "\(Double(writer.maxCommitNanoseconds) / 1e9)")
        out += gauge("tally_commit_largest_batch", "gauge", "The most mutations committed in one batch.", "\(writer.largestBatch)")
        out += gauge("tally_write_queue_depth", "gauge", "Mutations waiting for the writer.", "\(writer.queueDepth)")
        out += gauge("tally_accounts_loaded", "gauge", "Accounts held in memory.", "\(engine.loadedAccounts)")
        out += gauge("tally_ledger_unindexed_entries", "gauge", "Committed entries the ledger index does not hold yet.", "\(engine.unindexedEntries)")
        out += gauge("tally_idempotency_key_memory_bytes", "gauge", "Memory the accounts' recent idempotency keys take.", "\(engine.idempotencyKeyMemoryBytes)")
        out += gauge(
            "tally_idempotency_disk_lookups_total", "counter", "Idempotency keys looked up on disk (not ruled out in memory).",
            "\(engine.idempotencyKeyDiskLookups)")
        if let webhooks = engine.webhookMetrics { out += render(webhooks) }
        return out
    }

    private func render(_ webhooks: WebhookMetrics.Reading) -> String {
        var out = "# HELP tally_webhook_attempts_total Webhook delivery attempts by outcome.\n"
        out += "# TYPE tally_webhook_attempts_total counter\n"
        for outcome in webhooks.attemptsByOutcome.keys.sorted() {
            out += "tally_webhook_attempts_total{outcome=\"\(outcome)\"} \(webhooks.attemptsByOutcome[outcome] ?? 0)\n"
        }
        let attempts = webhooks.attemptsByOutcome.values.reduce(0, +)
        out += gauge(
            "tally_webhook_attempt_seconds_sum", "counter", "Time spent in delivery attempts (count: tally_webhook_attempts_total).",
            "\(Double(webhooks.latencyMsTotal) / 1e3)")
        out += gauge("tally_webhook_attempt_seconds_max", "gauge", "The longest delivery attempt so far.", "\(Double(webhooks.latencyMsMax) / 1e3)")
        out += gauge(
            "tally_webhook_attempt_seconds_mean", "gauge", "Mean delivery attempt time.",
            "\(attempts == 0 ? 0 : Double(webhooks.latencyMsTotal) / 1e3 / Double(attempts))")
        out += gauge("tally_webhook_backlog", "gauge", "Deliveries due and waiting for an attempt.", "\(webhooks.backlog)")
        out += gauge(
            "tally_webhook_backlog_age_seconds", "gauge", "How long the oldest due delivery has waited.",
            "\(Double(webhooks.backlogAgeMs) / 1e3)")
        out += gauge("tally_webhook_endpoints_disabled", "gauge", "Webhook endpoints disabled.", "\(webhooks.disabledEndpoints)")
        out += gauge(
            "tally_webhook_dispatcher_passes_total", "counter", "Passes of the dispatcher over the outbox (stops growing if it is stuck).",
            "\(webhooks.passes)")
        return out
    }

    private func labels(_ key: RequestKey) -> String {
        "route=\"\(key.route)\",method=\"\(key.method)\",status=\"\(key.status)\""
    }

    private func gauge(_ name: String, _ type: String, _ help: String, _ value: String) -> String {
        "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
    }
}
