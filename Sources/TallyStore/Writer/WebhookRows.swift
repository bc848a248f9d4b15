/// The webhook rows the writer keeps: endpoints, the fan-out of each event into deliveries,
/// leases and attempts.
extension RowWriter {
    /// One delivery row per endpoint that wants the event, in the event's own transaction, so an
    /// event is never committed without its deliveries. Disabled endpoints get parked rows.
    ///
    /// A new delivery is due at once (next attempt 0): retries run on the wall clock, while the
    /// event's time may come from a test clock far ahead of it.
    func fanOut(_ event: EventRow) throws(StoreError) {
        try connection.cached(
            """
            INSERT INTO webhook_deliveries (endpoint_id, event_id, status, attempts, next_attempt_at_ms, created_at_ms)
            SELECT id, ?1, 'pending', 0, CASE WHEN enabled = 1 THEN 0 END, ?2 FROM webhook_endpoints
            WHERE deleted_at_ms IS NULL AND livemode = ?5 AND (account_id IS NULL OR account_id = ?3)
                AND (event_types = '' OR instr(event_types, ',' || ?4 || ',') > 0)
            """
        ).run(event.id, event.atMs, event.account, event.type, event.livemode ? 1 : 0)
    }

    func put(endpoint: EndpointRecord) throws(StoreError) {
        try connection.cached(
            """
            INSERT INTO webhook_endpoints (id, url, description, event_types, account_id, secret, previous_secret,
                previous_secret_until_ms, enabled, disabled_reason, disabled_at_ms, consecutive_failures,
                failing_since_ms, last_success_at_ms, created_at_ms, updated_at_ms, deleted_at_ms, livemode)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET url = excluded.url, description = excluded.description,
                event_types = excluded.event_types, account_id = excluded.account_id, secret = excluded.secret,
                previous_secret = excluded.previous_secret, previous_secret_until_ms = excluded.previous_secret_until_ms,
                enabled = excluded.enabled, disabled_reason = excluded.disabled_reason,
                disabled_at_ms = excluded.disabled_at_ms, updated_at_ms = excluded.updated_at_ms,
                deleted_at_ms = excluded.deleted_at_ms
            """
        ).run(
            endpoint.id, endpoint.url, endpoint.description, EndpointRecord.encode(endpoint.eventTypes), endpoint.account,
            endpoint.secret, endpoint.previousSecret, endpoint.previousSecretUntilMs, endpoint.enabled ? 1 : 0,
            endpoint.disabledReason, endpoint.disabledAtMs, endpoint.consecutiveFailures, endpoint.failingSinceMs,
            endpoint.lastSuccessAtMs, endpoint.createdAtMs, endpoint.updatedAtMs, endpoint.deletedAtMs,
            endpoint.livemode ? 1 : 0)
        if !endpoint.enabled || endpoint.deletedAtMs != nil {
            try connection.cached(
                "UPDATE webhook_deliveries SET next_attempt_at_ms = NULL WHERE endpoint_id = ? AND status = 'pending'"
            ).run(endpoint.id)
        }
    }

    func disableEndpoint(_ id: Int64, reason: String, atMs: Int64) throws(StoreError) {
        try connection.cached(
            "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?, disabled_at_ms = ?, updated_at_ms = ? WHERE id = ?"
        ).run(reason, atMs, atMs, id)
        try connection.cached(
            "UPDATE webhook_deliveries SET next_attempt_at_ms = NULL WHERE endpoint_id = ? AND status = 'pending'"
        ).run(id)
    }

    func putHealth(endpoint: Int64, failures: Int, failingSinceMs: Int64?, lastSuccessAtMs: Int64?) throws(StoreError) {
        try connection.cached(
            """
            UPDATE webhook_endpoints SET consecutive_failures = ?, failing_since_ms = ?, last_success_at_ms = ?
            WHERE id = ?
            """
        ).run(failures, failingSinceMs, lastSuccessAtMs, endpoint)
    }

    func lease(_ ids: [Int64], untilMs: Int64) throws(StoreError) {
        let statement = try connection.cached("UPDATE webhook_deliveries SET lease_until_ms = ? WHERE id = ?")
        for id in ids { try statement.run(untilMs, id) }
    }

    func record(_ attempt: AttemptRecord, _ progress: DeliveryProgress) throws(StoreError) {
        try connection.cached(
            """
            INSERT INTO webhook_attempts (delivery_id, attempt, at_ms, duration_ms, outcome, http_status,
                response_excerpt, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).run(
            attempt.delivery, attempt.attempt, attempt.atMs, attempt.durationMs, attempt.outcome, attempt.httpStatus,
            attempt.responseExcerpt, attempt.error)
        // A delivery parked while this attempt was in flight stays parked unless it is finished.
        try connection.cached(
            """
            UPDATE webhook_deliveries SET status = ?1, attempts = ?2, first_attempt_at_ms = ?3, lease_until_ms = NULL,
                next_attempt_at_ms = CASE WHEN next_attempt_at_ms IS NULL AND ?1 = 'pending' THEN NULL ELSE ?4 END,
                last_outcome = ?5, last_status = ?6, finished_at_ms = ?7
            WHERE id = ?8
            """
        ).run(
            progress.status.rawValue, progress.attempts, progress.firstAttemptAtMs, progress.nextAttemptAtMs,
            progress.lastOutcome, progress.lastStatus, progress.finishedAtMs, progress.delivery)
    }

    func resumeDeliveries(endpoint: Int64, failedSinceMs: Int64?, atMs: Int64) throws(StoreError) {
        try connection.cached(
            """
            UPDATE webhook_deliveries SET status = 'pending', next_attempt_at_ms = ?1, finished_at_ms = NULL
            WHERE endpoint_id = ?2 AND ((status = 'pending' AND next_attempt_at_ms IS NULL)
                OR (status = 'failed' AND created_at_ms >= ?3))
            """
        ).run(atMs, endpoint, failedSinceMs ?? Int64.max)
    }

    func replayDelivery(_ id: Int64, atMs: Int64) throws(StoreError) {
        try connection.cached(
            """
            UPDATE webhook_deliveries SET status = 'pending', next_attempt_at_ms = ?, finished_at_ms = NULL
            WHERE id = ? AND status != 'pending'
            """
        ).run(atMs, id)
    }

    /// Deletes up to `limit` delivered and `limit` failed deliveries finished before their
    /// cutoffs (with their attempts), then up to `limit` events older than theirs that no kept
    /// delivery refers to.
    ///
    /// Each kind is scanned from its oldest row, so a pass reads only the rows before the first
    /// `limit` it may delete; a pending delivery is never deleted, nor the event it carries.
    func prune(_ cutoffs: RetentionCutoffs, limit: Int) throws(StoreError) {
        if let beforeMs = cutoffs.deliveredBeforeMs { try pruneDeliveries(status: "succeeded", beforeMs: beforeMs, limit: limit) }
        if let beforeMs = cutoffs.failedBeforeMs { try pruneDeliveries(status: "failed", beforeMs: beforeMs, limit: limit) }
        if let beforeMs = cutoffs.eventsBeforeMs {
            try connection.cached(
                """
                DELETE FROM events WHERE id IN (
                    SELECT id FROM events WHERE at_ms < ?
                        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries WHERE event_id = events.id)
                    ORDER BY id LIMIT ?)
                """
            ).run(beforeMs, limit)
        }
    }

    private func pruneDeliveries(status: String, beforeMs: Int64, limit: Int) throws(StoreError) {
        let expired = "SELECT id FROM webhook_deliveries WHERE status = ? AND finished_at_ms < ? ORDER BY id LIMIT ?"
        try connection.cached("DELETE FROM webhook_attempts WHERE delivery_id IN (\(expired))").run(status, beforeMs, limit)
        try connection.cached("DELETE FROM webhook_deliveries WHERE id IN (\(expired))").run(status, beforeMs, limit)
    }
}
