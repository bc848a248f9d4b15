import TallyCore
import TallyEngine

/// The JSON shapes of webhook endpoints and their deliveries.
enum WebhookJSON {
    /// An endpoint; its secret only in the answers that create or rotate it.
    static func endpoint(_ endpoint: EndpointRecord, showSecret: Bool) -> JSONValue {
        .members([
            ("id", .string(PublicID.endpoint.format(endpoint.id))), ("url", .string(endpoint.url)),
            ("description", endpoint.description.map { .string($0) } ?? .null),
            ("events", .array((endpoint.eventTypes.isEmpty ? ["*"] : endpoint.eventTypes).map { .string($0) })),
            ("account", endpoint.account.map { .string($0) } ?? .null), ("livemode", .bool(endpoint.livemode)),
            ("enabled", .bool(endpoint.enabled)),
            ("disabled_reason", endpoint.disabledReason.map { .string($0) } ?? .null),
            ("disabled_at", LedgerJSON.timeOrNull(endpoint.disabledAtMs)),
            ("consecutive_failures", .integer(Int64(endpoint.consecutiveFailures))),
            ("last_success_at", LedgerJSON.timeOrNull(endpoint.lastSuccessAtMs)),
            ("secret", showSecret ? .string(endpoint.secret) : nil),
            ("previous_secret_expires_at", LedgerJSON.time(endpoint.previousSecretUntilMs)),
            ("created_at", .string(Timestamp.format(endpoint.createdAtMs))),
            ("updated_at", .string(Timestamp.format(endpoint.updatedAtMs))),
        ])
    }

    /// A delivery with its attempts, oldest first.
    static func delivery(_ delivery: DeliveryRecord, attempts: [AttemptRecord]) -> JSONValue {
        let parked = delivery.status == .pending && delivery.nextAttemptAtMs == nil
        let status: String = parked ? "parked" : delivery.status.rawValue
        let log: [JSONValue] = attempts.map(attempt)
        return .object([
            ("id", .string(PublicID.delivery.format(delivery.id))), ("endpoint", .string(PublicID.endpoint.format(delivery.endpoint))),
            ("event", .string("evt_\(delivery.event)")),
            ("status", .string(status)),
            ("attempts", .integer(Int64(delivery.attempts))), ("next_attempt_at", LedgerJSON.timeOrNull(delivery.nextAttemptAtMs)),
            ("last_outcome", delivery.lastOutcome.map { .string($0) } ?? .null),
            ("created_at", .string(Timestamp.format(delivery.createdAtMs))), ("finished_at", LedgerJSON.timeOrNull(delivery.finishedAtMs)),
            ("log", .array(log)),
        ])
    }

    private static func attempt(_ attempt: AttemptRecord) -> JSONValue {
        .object([
            ("attempt", .integer(Int64(attempt.attempt))), ("at", .string(Timestamp.format(attempt.atMs))),
            ("duration_ms", .integer(attempt.durationMs)), ("outcome", .string(attempt.outcome)),
            ("status", attempt.httpStatus.map { .integer(Int64($0)) } ?? .null),
            ("response", .string(String(decoding: attempt.responseExcerpt.prefix(1_024), as: UTF8.self))),
            ("error", attempt.error.map { .string($0) } ?? .null),
        ])
    }
}
