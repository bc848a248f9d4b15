extension EndpointRecord {
    /// `,a,b,` for the fan-out's `instr` match; empty for all types.
    static func encode(_ types: [String]) -> String { types.isEmpty ? "" : "," + types.joined(separator: ",") + "," }

    static func decode(_ text: String) -> [String] { text.split(separator: ",").map(String.init) }
}

extension Connection {
    static let endpointColumns = """
        SELECT id, url, description, event_types, account_id, secret, previous_secret, previous_secret_until_ms,
            enabled, disabled_reason, disabled_at_ms, consecutive_failures, failing_since_ms, last_success_at_ms,
            created_at_ms, updated_at_ms, deleted_at_ms, livemode FROM webhook_endpoints
        """

    static func endpoint(_ row: Statement) -> EndpointRecord {
        var endpoint = EndpointRecord(
            id: row.int(0), url: row.text(1), description: row.optionalText(2),
            eventTypes: EndpointRecord.decode(row.text(3)), account: row.optionalText(4), livemode: row.int(17) == 1,
            secret: row.text(5), createdAtMs: row.int(14))
        endpoint.previousSecret = row.optionalText(6)
        endpoint.previousSecretUntilMs = row.optionalInt(7)
        endpoint.enabled = row.int(8) == 1
        endpoint.disabledReason = row.optionalText(9)
        endpoint.disabledAtMs = row.optionalInt(10)
        endpoint.consecutiveFailures = Int(row.int(11))
        endpoint.failingSinceMs = row.optionalInt(12)
        endpoint.lastSuccessAtMs = row.optionalInt(13)
        endpoint.updatedAtMs = row.int(15)
        endpoint.deletedAtMs = row.optionalInt(16)
        return endpoint
    }

    /// The endpoint with this id, unless deleted.
    func endpoint(id: Int64) throws(StoreError) -> EndpointRecord? {
        try cached(Connection.endpointColumns + " WHERE id = ? AND deleted_at_ms IS NULL").rows([id], Connection.endpoint)
            .first
    }

    /// A page of endpoints in id order, after `afterID`.
    func endpoints(after afterID: Int64, limit: Int) throws(StoreError) -> [EndpointRecord] {
        try cached(Connection.endpointColumns + " WHERE id > ? AND deleted_at_ms IS NULL ORDER BY id LIMIT ?")
            .rows([afterID, limit], Connection.endpoint)
    }

    static let deliveryColumns = """
        SELECT id, endpoint_id, event_id, status, attempts, first_attempt_at_ms, next_attempt_at_ms, last_outcome,
            last_status, created_at_ms, finished_at_ms FROM webhook_deliveries
        """

    static func delivery(_ row: Statement) throws(StoreError) -> DeliveryRecord {
        guard let status = DeliveryRecord.Status(rawValue: row.text(3)) else { throw .corrupt("delivery status") }
        return DeliveryRecord(
            id: row.int(0), endpoint: row.int(1), event: row.int(2), status: status, attempts: Int(row.int(4)),
            firstAttemptAtMs: row.optionalInt(5), nextAttemptAtMs: row.optionalInt(6), lastOutcome: row.optionalText(7),
            lastStatus: row.optionalInt(8).map { Int($0) }, createdAtMs: row.int(9), finishedAtMs: row.optionalInt(10))
    }

    /// A page of an endpoint's deliveries, newest first, before `beforeID`.
    func deliveries(endpoint: Int64, before beforeID: Int64, limit: Int) throws(StoreError) -> [DeliveryRecord] {
        try cached(Connection.deliveryColumns + " WHERE endpoint_id = ? AND id < ? ORDER BY id DESC LIMIT ?")
            .rows([endpoint, beforeID, limit], Connection.delivery)
    }

    /// The delivery with this id.
    func delivery(id: Int64) throws(StoreError) -> DeliveryRecord? {
        try cached(Connection.deliveryColumns + " WHERE id = ?").rows([id], Connection.delivery).first
    }

    /// The attempts of these deliveries, oldest first.
    func attempts(deliveries ids: [Int64]) throws(StoreError) -> [AttemptRecord] {
        let statement = try cached(
            """
            SELECT delivery_id, attempt, at_ms, duration_ms, outcome, http_status, response_excerpt, error
            FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt
            """)
        var attempts: [AttemptRecord] = []
        for id in ids {
            attempts += try statement.rows([id]) { row in
                AttemptRecord(
                    delivery: row.int(0), attempt: Int(row.int(1)), atMs: row.int(2), durationMs: row.int(3),
                    outcome: row.text(4), httpStatus: row.optionalInt(5).map { Int($0) }, responseExcerpt: row.blob(6),
                    error: row.optionalText(7))
            }
        }
        return attempts
    }

    /// Deliveries due for an attempt at `nowMs` whose lease (if any) has run out, oldest due
    /// first, with their event's type and body.
    func dueDeliveries(atMs nowMs: Int64, limit: Int) throws(StoreError) -> [DueDelivery] {
        try cached(
            """
            SELECT d.id, d.endpoint_id, d.event_id, d.status, d.attempts, d.first_attempt_at_ms, d.next_attempt_at_ms,
                d.last_outcome, d.last_status, d.created_at_ms, d.finished_at_ms, e.type, e.body
            FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
            WHERE d.status = 'pending' AND d.next_attempt_at_ms <= ?1
                AND (d.lease_until_ms IS NULL OR d.lease_until_ms <= ?1)
            ORDER BY d.next_attempt_at_ms LIMIT ?2
            """
        ).rows([nowMs, limit]) { row throws(StoreError) in
            DueDelivery(delivery: try Connection.delivery(row), eventType: row.text(11), body: row.blob(12))
        }
    }

    /// How many deliveries are due for an attempt at `nowMs`, since when the oldest one is due (a
    /// new delivery counts from its creation), and how many endpoints are disabled.
    func deliveryBacklog(atMs nowMs: Int64) throws(StoreError) -> (count: Int, oldestDueAtMs: Int64?, disabled: Int) {
        let backlog = try cached(
            """
            SELECT count(*), min(CASE WHEN next_attempt_at_ms = 0 THEN created_at_ms ELSE next_attempt_at_ms END)
            FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at_ms <= ?
            """
        ).rows([nowMs]) { (Int($0.int(0)), $0.optionalInt(1)) }.first ?? (0, nil)
        let disabled = try cached(
            "SELECT count(*) FROM webhook_endpoints WHERE enabled = 0 AND deleted_at_ms IS NULL"
        ).rows { Int($0.int(0)) }.first ?? 0
        return (backlog.0, backlog.1, disabled)
    }
}

extension Connection {
    /// The stored outcome of a keyed request that no account owns (`account` is empty for those).
    func idempotencyRecord(account: String, key: String) throws(StoreError) -> IdempotencyRecord? {
        try cached("SELECT fingerprint, response, created_at_ms FROM idempotency WHERE account_id = ? AND key = ?")
            .rows([account, key]) {
                IdempotencyRecord(account: account, key: key, fingerprint: $0.blob(0), response: $0.blob(1), createdAtMs: $0.int(2))
            }.first
    }
}
