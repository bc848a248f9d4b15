/// The ordered, append-only list of schema changes; a shipped step is never edited.
enum Migrations {
    /// One named schema step.
    struct Step {
        let version: Int
        let name: String
        let sql: String
    }

    static let steps: [Step] = [
        Step(version: 1, name: "ledger", sql: ledgerSchema),
        Step(version: 2, name: "service_tokens", sql: serviceTokensSchema),
        Step(version: 3, name: "expiry_schedule", sql: expiryScheduleSchema),
        Step(version: 4, name: "operation_quantities", sql: operationQuantitiesSchema),
        Step(version: 5, name: "events", sql: eventsSchema),
        Step(version: 6, name: "balance_alerts", sql: balanceAlertsSchema),
        Step(version: 7, name: "plans", sql: plansSchema),
        Step(version: 8, name: "test_clock", sql: testClockSchema),
        Step(version: 9, name: "webhooks", sql: webhooksSchema),
        Step(version: 10, name: "api_keys", sql: apiKeysSchema),
        Step(version: 11, name: "append_only_ledger", sql: appendOnlyLedgerSchema),
        Step(version: 12, name: "retention", sql: retentionSchema),
        Step(version: 13, name: "test_mode", sql: testModeSchema),
    ]

    /// Applies every step not yet recorded, each in its own transaction.
    static func migrate(_ connection: Connection, nowMs: Int64) throws(StoreError) {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)
            """)
        let applied = Set(
            try connection.cached("SELECT version FROM schema_migrations").rows { $0.int(0) })
        for step in steps where !applied.contains(Int64(step.version)) {
            try connection.transaction { () throws(StoreError) in
                try connection.execute(step.sql)
                try connection.cached(
                    "INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)"
                ).run(step.version, step.name, nowMs)
            }
        }
    }

    /// The highest version this build knows.
    static var latestVersion: Int { steps.map(\.version).max() ?? 0 }

    // Every CHECK repeats a ledger invariant so a wrong number cannot be stored even if the
    // engine had a bug; ids come from one sequence, so INTEGER PRIMARY KEY appends in order.
    // The idempotency key of a request that appended an entry lives in that entry's row: a
    // separate table keyed by random keys dirties one B-tree page per request, which measured
    // as the largest cost of a durable debit. Keys are looked up in memory (loaded per account
    // from these rows); `idempotency` keeps only outcomes without an entry (denials, account
    // changes).
    private static let ledgerSchema = """
        CREATE TABLE accounts (
            id TEXT PRIMARY KEY,
            status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'closed')),
            overdraft_limit INTEGER NOT NULL CHECK (overdraft_limit >= 0),
            debt INTEGER NOT NULL CHECK (debt >= 0),
            metadata TEXT NOT NULL,
            created_at_ms INTEGER NOT NULL,
            updated_at_ms INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE lots (
            id INTEGER PRIMARY KEY,
            account_id TEXT NOT NULL,
            source TEXT NOT NULL,
            amount INTEGER NOT NULL CHECK (amount > 0),
            remaining INTEGER NOT NULL CHECK (remaining >= 0),
            reserved INTEGER NOT NULL CHECK (reserved >= 0),
            consumed INTEGER NOT NULL CHECK (consumed >= 0),
            expired INTEGER NOT NULL CHECK (expired >= 0),
            priority INTEGER NOT NULL,
            expires_at_ms INTEGER,
            created_at_ms INTEGER NOT NULL,
            reference TEXT,
            CHECK (consumed + reserved + expired + remaining = amount)
        );
        CREATE INDEX lots_by_account ON lots (account_id);

        CREATE TABLE holds (
            id INTEGER PRIMARY KEY,
            account_id TEXT NOT NULL,
            amount INTEGER NOT NULL CHECK (amount > 0),
            reservations TEXT NOT NULL,
            uncovered INTEGER NOT NULL CHECK (uncovered >= 0),
            status TEXT NOT NULL CHECK (status IN ('pending', 'captured', 'voided', 'expired')),
            created_at_ms INTEGER NOT NULL,
            expires_at_ms INTEGER NOT NULL,
            captured_amount INTEGER,
            debit_id INTEGER,
            settled_at_ms INTEGER,
            operation TEXT,
            metadata TEXT NOT NULL
        );
        CREATE INDEX holds_pending_by_account ON holds (account_id) WHERE status = 'pending';

        CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            account_id TEXT NOT NULL,
            seq INTEGER NOT NULL CHECK (seq > 0),
            at_ms INTEGER NOT NULL,
            kind TEXT NOT NULL,
            amount INTEGER NOT NULL,
            available_after INTEGER NOT NULL,
            postings TEXT NOT NULL,
            reference_id INTEGER,
            detail TEXT,
            operation TEXT,
            metadata TEXT NOT NULL,
            idempotency_key TEXT,
            fingerprint BLOB,
            response BLOB
        );
        CREATE UNIQUE INDEX entries_by_account ON entries (account_id, seq);

        CREATE TABLE debit_refunds (
            debit_id INTEGER PRIMARY KEY,
            account_id TEXT NOT NULL,
            refunded_lots TEXT NOT NULL,
            refunded_debt INTEGER NOT NULL CHECK (refunded_debt >= 0)
        );

        CREATE TABLE idempotency (
            account_id TEXT NOT NULL,
            key TEXT NOT NULL,
            fingerprint BLOB NOT NULL,
            response BLOB NOT NULL,
            created_at_ms INTEGER NOT NULL,
            PRIMARY KEY (account_id, key)
        ) WITHOUT ROWID;
        """

    // Service tokens authenticate the operator's own services to the API. Only the SHA-256 of
    // a token is stored; `prefix` keeps its first characters for display.
    private static let serviceTokensSchema = """
        CREATE TABLE service_tokens (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            scope TEXT NOT NULL CHECK (scope IN ('admin', 'authorize', 'read')),
            token_hash BLOB NOT NULL UNIQUE,
            prefix TEXT NOT NULL,
            created_at_ms INTEGER NOT NULL,
            revoked_at_ms INTEGER
        );
        """

    // What the scheduler needs to find idle accounts with something due. Both indexes cover
    // columns a debit never changes (a hold's status changes once, at settlement), so they add
    // nothing to the hot path.
    private static let expiryScheduleSchema = """
        CREATE INDEX holds_pending_by_expiry ON holds (expires_at_ms) WHERE status = 'pending';
        CREATE INDEX lots_by_expiry ON lots (expires_at_ms) WHERE expires_at_ms IS NOT NULL;
        """

    // Units of a priced operation, for usage reports; a hold keeps them for its capture.
    private static let operationQuantitiesSchema = """
        ALTER TABLE entries ADD COLUMN quantity INTEGER;
        ALTER TABLE holds ADD COLUMN quantity INTEGER;
        """

    // The transactional outbox: an event is written in the same transaction as the change it
    // tells of, with its body serialized once and kept as bytes (never re-serialized).
    private static let eventsSchema = """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            account_id TEXT NOT NULL,
            account_seq INTEGER NOT NULL CHECK (account_seq > 0),
            type TEXT NOT NULL,
            at_ms INTEGER NOT NULL,
            body BLOB NOT NULL
        );
        CREATE UNIQUE INDEX events_by_account ON events (account_id, account_seq);
        CREATE INDEX events_by_type ON events (type, id);
        """

    // An account's balance.low levels and which alerts fired, so a restart neither repeats nor
    // forgets one.
    private static let balanceAlertsSchema = """
        ALTER TABLE accounts ADD COLUMN thresholds TEXT NOT NULL DEFAULT '';
        ALTER TABLE accounts ADD COLUMN alert_latches TEXT NOT NULL DEFAULT '';
        """

    // An account's plan and running period, its auto top-up, and the instant of its next period
    // start, indexed so the scheduler finds idle accounts whose period has ended. The column
    // changes only at a period start or a plan change, never on a debit.
    private static let plansSchema = """
        ALTER TABLE accounts ADD COLUMN subscription TEXT NOT NULL DEFAULT '';
        ALTER TABLE accounts ADD COLUMN auto_topup TEXT NOT NULL DEFAULT '';
        ALTER TABLE accounts ADD COLUMN next_period_start_ms INTEGER;
        CREATE INDEX accounts_by_next_period_start ON accounts (next_period_start_ms)
            WHERE next_period_start_ms IS NOT NULL;
        """

    // Where `tally serve --test-clock` stood, so a restart resumes the simulated time instead of
    // jumping back to the real one (accounts would see time run backwards).
    private static let testClockSchema = """
        CREATE TABLE test_clock (id INTEGER PRIMARY KEY CHECK (id = 1), now_ms INTEGER NOT NULL);
        """

    // Webhook endpoints, one delivery row per event and matching endpoint (written in the
    // event's own transaction), and the attempts log. `event_types` is `,a,b,` (empty for all)
    // so the fan-out can match it in SQL. A delivery with no next attempt while pending is
    // parked: its endpoint is disabled, and re-enabling schedules it again.
    private static let webhooksSchema = """
        CREATE TABLE webhook_endpoints (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            description TEXT,
            event_types TEXT NOT NULL,
            account_id TEXT,
            secret TEXT NOT NULL,
            previous_secret TEXT,
            previous_secret_until_ms INTEGER,
            enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
            disabled_reason TEXT,
            disabled_at_ms INTEGER,
            consecutive_failures INTEGER NOT NULL CHECK (consecutive_failures >= 0),
            failing_since_ms INTEGER,
            last_success_at_ms INTEGER,
            created_at_ms INTEGER NOT NULL,
            updated_at_ms INTEGER NOT NULL,
            deleted_at_ms INTEGER
        );
        CREATE TABLE webhook_deliveries (
            id INTEGER PRIMARY KEY,
            endpoint_id INTEGER NOT NULL,
            event_id INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
            attempts INTEGER NOT NULL CHECK (attempts >= 0),
            first_attempt_at_ms INTEGER,
            next_attempt_at_ms INTEGER,
            lease_until_ms INTEGER,
            last_outcome TEXT,
            last_status INTEGER,
            created_at_ms INTEGER NOT NULL,
            finished_at_ms INTEGER,
            UNIQUE (endpoint_id, event_id)
        );
        CREATE INDEX deliveries_due ON webhook_deliveries (next_attempt_at_ms) WHERE status = 'pending';
        CREATE INDEX deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id);
        CREATE TABLE webhook_attempts (
            id INTEGER PRIMARY KEY,
            delivery_id INTEGER NOT NULL,
            attempt INTEGER NOT NULL CHECK (attempt > 0),
            at_ms INTEGER NOT NULL,
            duration_ms INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            http_status INTEGER,
            response_excerpt BLOB NOT NULL,
            error TEXT
        );
        CREATE INDEX attempts_by_delivery ON webhook_attempts (delivery_id, attempt);
        """

    // Customer API keys: only the SHA-256 is stored (unique, so a presented key is found by one
    // index probe), with the prefix for display. An account's own rate limit rides on its row.
    private static let apiKeysSchema = """
        CREATE TABLE api_keys (
            id INTEGER PRIMARY KEY,
            account_id TEXT NOT NULL,
            name TEXT,
            mode TEXT NOT NULL CHECK (mode IN ('live', 'test')),
            prefix TEXT NOT NULL,
            key_hash BLOB NOT NULL UNIQUE,
            created_at_ms INTEGER NOT NULL,
            expires_at_ms INTEGER,
            revoked_at_ms INTEGER,
            last_used_at_ms INTEGER,
            rate_limit INTEGER,
            rate_window_seconds INTEGER,
            replaced_by INTEGER
        );
        CREATE INDEX api_keys_by_account ON api_keys (account_id, id);
        ALTER TABLE accounts ADD COLUMN rate_limit TEXT NOT NULL DEFAULT '';
        """

    // The ledger becomes append-only: its per-account index moves to the index file the
    // indexer thread builds off the commit path (LedgerIndex). Each commit that appends
    // entries records its batch number and first entry id, so a restart knows exactly which
    // entries the index may lack; the identity tells an index file which ledger it belongs to.
    private static let appendOnlyLedgerSchema = """
        DROP INDEX entries_by_account;
        CREATE TABLE commit_batches (id INTEGER PRIMARY KEY, first_entry_id INTEGER NOT NULL);
        CREATE TABLE ledger_identity (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT NOT NULL);
        INSERT INTO ledger_identity (id, value) VALUES (1, lower(hex(randomblob(16))));
        """

    // Retention prunes an event only once no delivery of it is kept, which it asks per event.
    // Event ids only grow, so this index takes appends, not random inserts.
    private static let retentionSchema = """
        CREATE INDEX deliveries_by_event ON webhook_deliveries (event_id);
        """

    // Test mode: an account and a webhook endpoint are live or test for good. Everything that
    // existed before test mode was live.
    private static let testModeSchema = """
        ALTER TABLE accounts ADD COLUMN livemode INTEGER NOT NULL DEFAULT 1 CHECK (livemode IN (0, 1));
        ALTER TABLE webhook_endpoints ADD COLUMN livemode INTEGER NOT NULL DEFAULT 1 CHECK (livemode IN (0, 1));
        ALTER TABLE events ADD COLUMN livemode INTEGER NOT NULL DEFAULT 1 CHECK (livemode IN (0, 1));
        """
}
