import TallyCore
import TallyStore

/// The events webhook endpoints themselves cause.
enum EndpointEvents {
    /// `endpoint.disabled`: no account owns it, so its account is empty and its sequence is its id.
    static func disabled(
        _ endpoint: EndpointRecord, reason: DisableReason, explanation: String, health: EndpointHealth, atMs: Int64,
        id: Int64
    ) -> EventRow {
        let data = JSONValue.object([
            ("endpoint", .string("we_\(endpoint.id)")), ("url", .string(endpoint.url)), ("reason", .string(reason.rawValue)),
            ("explanation", .string(explanation)), ("consecutive_failures", .integer(Int64(health.consecutiveFailures))),
            ("last_success_at", health.lastSuccessAtMs.map { .string(Timestamp.format($0)) } ?? .null),
            ("disabled_at", .string(Timestamp.format(atMs))), ("livemode", .bool(endpoint.livemode)),
        ])
        let body = JSONWriter.bytes(.object([
            ("type", .string(EventType.endpointDisabled.rawValue)), ("timestamp", .string(Timestamp.format(atMs))),
            ("data", data),
        ]))
        return EventRow(
            id: id, account: "", accountSeq: id, type: EventType.endpointDisabled.rawValue, atMs: atMs, body: body,
            livemode: endpoint.livemode)
    }
}
