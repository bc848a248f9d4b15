import TallyCore

/// The response bodies of the v1 API as JSON Schemas (requests: ``RequestSchemas``).
enum ComponentSchemas {
    typealias S = SchemaBuilder

    static let accountLivemode = S.type("boolean", "false for a test account: only tk_test_ keys act for it")

    static let endpointFields: [(String, JSONValue)] = [
        ("id", S.type("string", "we_<n>")), ("url", S.string), ("description", S.nullable(S.string)),
        ("events", S.array(S.string)), ("account", S.nullable(S.string)),
        ("livemode", S.type("boolean", "false: receives test accounts' events instead of live ones")), ("enabled", S.boolean),
        ("disabled_reason", S.nullable(S.enumeration(["gone", "failing", "manual"]))), ("disabled_at", S.nullable(S.time)),
        ("consecutive_failures", S.integer), ("last_success_at", S.nullable(S.time)),
        ("previous_secret_expires_at", S.time), ("created_at", S.time), ("updated_at", S.time),
    ]

    static let keyFields: [(String, JSONValue)] = [
        ("id", S.type("string", "key_<n>")), ("account", S.string), ("prefix", S.string), ("name", S.nullable(S.string)),
        ("mode", S.enumeration(["live", "test"])), ("status", S.enumeration(["active", "expired", "revoked"])),
        ("created_at", S.time), ("expires_at", S.nullable(S.time)), ("revoked_at", S.nullable(S.time)),
        ("last_used_at", S.nullable(S.time)), ("rate_limit", S.nullable(S.ref("RateLimit"))), ("replaced_by", S.string),
    ]

    static let all: [(String, JSONValue)] = [
        ("Balance", S.object([
            ("available", S.integer), ("credits", S.integer), ("held", S.integer), ("debt", S.integer),
            ("overdraft_limit", S.integer),
        ], required: ["available", "credits", "held", "debt", "overdraft_limit"])),
        ("LotAmount", S.object([("lot", S.string), ("amount", S.integer)], required: ["lot", "amount"])),
        ("Lot", S.object([
            ("id", S.type("string", "lot_<n>")), ("source", S.enumeration(["allowance", "rollover", "topup", "pack", "grant"])),
            ("promotional", S.boolean), ("amount", S.integer), ("remaining", S.integer), ("reserved", S.integer),
            ("consumed", S.integer), ("expired", S.integer), ("priority", S.integer), ("expires_at", S.nullable(S.time)),
            ("created_at", S.time), ("reference", S.nullable(S.string)),
        ], required: ["id", "source", "amount", "remaining", "reserved", "consumed", "expired", "priority", "created_at"])),
        ("Hold", S.object([
            ("id", S.type("string", "hld_<n>")), ("account", S.string),
            ("status", S.enumeration(["pending", "captured", "voided", "expired"])), ("amount", S.integer),
            ("held", S.integer), ("lots", S.array(S.ref("LotAmount"))), ("created_at", S.time), ("expires_at", S.time),
            ("captured_amount", S.integer), ("debit_id", S.string), ("settled_at", S.time), ("operation", S.string),
            ("metadata", S.stringMap),
        ], required: ["id", "account", "status", "amount", "held", "lots", "created_at", "expires_at", "metadata"])),
        ("Account", S.object([
            ("id", S.string), ("livemode", accountLivemode),
            ("status", S.enumeration(["active", "suspended", "closed"])), ("overdraft_limit", S.integer),
            ("metadata", S.stringMap), ("thresholds", S.array(S.integer)), ("plan", S.nullable(S.string)),
            ("auto_topup", S.nullable(S.ref("AutoTopUp"))), ("rate_limit", S.nullable(S.ref("RateLimit"))),
            ("created_at", S.time), ("updated_at", S.time), ("balance", S.ref("Balance")), ("period", S.nullable(S.ref("Period"))),
            ("lots", S.array(S.ref("Lot"))), ("holds", S.array(S.ref("Hold"))),
        ], required: [
            "id", "livemode", "status", "overdraft_limit", "metadata", "plan", "auto_topup", "created_at", "updated_at", "balance",
            "period", "lots", "holds",
        ])),
        ("AccountSummary", S.object([
            ("id", S.string), ("livemode", accountLivemode),
            ("status", S.enumeration(["active", "suspended", "closed"])), ("overdraft_limit", S.integer),
            ("metadata", S.stringMap), ("thresholds", S.array(S.integer)), ("plan", S.nullable(S.string)),
            ("auto_topup", S.nullable(S.ref("AutoTopUp"))), ("rate_limit", S.nullable(S.ref("RateLimit"))),
            ("created_at", S.time), ("updated_at", S.time),
        ], required: ["id", "livemode", "status", "overdraft_limit", "metadata", "created_at", "updated_at"])),
        ("Period", S.object([
            ("start", S.time), ("end", S.time), ("allowance", S.integer), ("used", S.integer), ("rollover_cap", S.integer),
            ("next_plan", S.nullable(S.type("string", "a plan change waiting for `end` (null: the plan ends there); absent when none"))),
        ], required: ["start", "end", "allowance", "used", "rollover_cap"])),
        ("AccountPage", S.page("AccountSummary")),
        ("TestClock", S.object([("now", S.time)], required: ["now"])),
        ("Plan", S.object([
            ("name", S.string), ("allowance", S.integer), ("period", S.enumeration(["day", "week", "month", "year"])),
            ("rollover_cap", S.integer), ("overdraft_limit", S.integer), ("thresholds", S.array(S.integer)),
            ("usage_alerts_percent", S.array(S.integer)),
            ("rate_limit", S.object([("limit", S.integer), ("window_seconds", S.integer)], required: ["limit", "window_seconds"])),
        ], required: ["name", "allowance", "period"])),
        ("PlanList", S.object([("data", S.array(S.ref("Plan")))], required: ["data"])),
        ("Pack", S.object([
            ("name", S.string), ("credits", S.integer),
            ("price", S.object([("amount", S.integer), ("currency", S.string)], required: ["amount", "currency"])),
            ("expires_in_days", S.integer), ("priority", S.integer),
        ], required: ["name", "credits", "price"])),
        ("PackList", S.object([("data", S.array(S.ref("Pack")))], required: ["data"])),
        ("Operation", S.object([("name", S.string), ("cost", S.integer)], required: ["name", "cost"])),
        ("OperationList", S.object([("data", S.array(S.ref("Operation")))], required: ["data"])),
        ("Event", S.object([
            ("id", S.type("string", "evt_<n>")), ("type", S.enumeration(EventType.allCases.map(\.rawValue))),
            ("account", S.string), ("account_seq", S.integer), ("created_at", S.time),
            ("data", S.type("object", "account, account_seq, balance and the fields of the event type")),
        ], required: ["id", "type", "account", "account_seq", "created_at", "data"])),
        ("EventPage", S.page("Event")),
        ("UsageLine", S.object([("operation", S.nullable(S.string)), ("quantity", S.integer), ("credits", S.integer)],
                               required: ["operation", "quantity", "credits"])),
        ("UsageReport", S.object([
            ("account", S.string), ("granularity", S.enumeration(["hour", "day", "month"])), ("from", S.time), ("to", S.time),
            ("buckets", S.array(S.object([("start", S.time), ("operations", S.array(S.ref("UsageLine"))), ("expired", S.integer)],
                                         required: ["start", "operations", "expired"]))),
            ("totals", S.object([("operations", S.array(S.ref("UsageLine"))), ("credits", S.integer), ("expired", S.integer)],
                                required: ["operations", "credits", "expired"])),
        ], required: ["account", "granularity", "from", "to", "buckets", "totals"])),
        ("Endpoint", S.object(endpointFields, required: ["id", "url", "events", "livemode", "enabled", "created_at"])),
        ("EndpointWithSecret", S.object(
            endpointFields + [("secret", S.type("string", "whsec_…, shown only here"))],
            required: ["id", "url", "events", "livemode", "enabled", "secret", "created_at"])),
        ("EndpointPage", S.page("Endpoint")),
        ("Deleted", S.object([("id", S.string), ("deleted", S.boolean)], required: ["id", "deleted"])),
        ("Delivery", S.object([
            ("id", S.type("string", "wd_<n>")), ("endpoint", S.string), ("event", S.string),
            ("status", S.enumeration(["pending", "parked", "succeeded", "failed"])), ("attempts", S.integer),
            ("next_attempt_at", S.nullable(S.time)), ("last_outcome", S.nullable(S.string)), ("created_at", S.time),
            ("finished_at", S.nullable(S.time)),
            ("log", S.array(S.object([
                ("attempt", S.integer), ("at", S.time), ("duration_ms", S.integer), ("outcome", S.string),
                ("status", S.nullable(S.integer)), ("response", S.string), ("error", S.nullable(S.string)),
            ], required: ["attempt", "at", "duration_ms", "outcome"]))),
        ], required: ["id", "endpoint", "event", "status", "attempts", "log"])),
        ("DeliveryPage", S.page("Delivery")),
        ("Replaying", S.object([("endpoint", S.string), ("replaying", S.boolean)], required: ["endpoint", "replaying"])),
        ("Key", S.object(keyFields, required: ["id", "account", "prefix", "mode", "status", "created_at"])),
        ("KeyWithSecret", S.object(
            keyFields + [("key", S.type("string", "tk_live_… or tk_test_…, shown only here"))],
            required: ["id", "account", "key", "prefix", "mode", "status", "created_at"])),
        ("KeyPage", S.page("Key")),
        ("GatewayDecision", S.type(
            "object", "the authorization (a charged route) or {allowed: true} (a free one); X-Credits-Remaining and RateLimit-* headers")),
        ("CreditReceipt", S.object([
            ("entry", S.string), ("lot", S.nullable(S.ref("Lot"))), ("repaid_debt", S.integer), ("balance", S.ref("Balance")),
        ], required: ["entry", "lot", "repaid_debt", "balance"])),
        ("Authorization", S.object([
            ("approved", S.boolean), ("id", S.type("string", "dbt_<n> or hld_<n>")), ("kind", S.enumeration(["debit", "hold"])),
            ("account", S.string), ("cost", S.integer), ("balance", S.ref("Balance")), ("expires_at", S.time),
        ], required: ["approved", "id", "kind", "account", "cost", "balance"])),
        ("CaptureReceipt", S.object([
            ("hold", S.string), ("debit_id", S.string), ("captured", S.integer), ("released", S.integer),
            ("balance", S.ref("Balance")),
        ], required: ["hold", "debit_id", "captured", "released", "balance"])),
        ("VoidReceipt", S.object([
            ("hold", S.string), ("status", S.string), ("released", S.integer), ("balance", S.ref("Balance")),
        ], required: ["hold", "status", "released", "balance"])),
        ("Debit", S.object([
            ("id", S.type("string", "dbt_<n>")), ("account", S.string), ("amount", S.integer),
            ("lots", S.array(S.ref("LotAmount"))), ("debt", S.integer), ("refunded", S.integer), ("refundable", S.integer),
            ("at", S.time), ("hold", S.string), ("operation", S.string), ("metadata", S.stringMap),
        ], required: ["id", "account", "amount", "lots", "debt", "refunded", "refundable", "at", "metadata"])),
        ("RefundReceipt", S.object([
            ("id", S.type("string", "ent_<n>")), ("debit_id", S.string), ("amount", S.integer),
            ("total_refunded", S.integer), ("balance", S.ref("Balance")),
        ], required: ["id", "debit_id", "amount", "total_refunded", "balance"])),
        ("LedgerEntry", S.object([
            ("id", S.type("string", "ent_<n>")), ("seq", S.integer), ("at", S.time),
            ("type", S.enumeration(["credit", "debit", "hold", "capture", "release", "refund", "expire"])),
            ("amount", S.type("integer", "The signed change of available.")), ("available_after", S.integer),
            ("lot", S.string), ("ref", S.string), ("debit", S.string), ("detail", S.string), ("operation", S.string),
            ("metadata", S.stringMap),
        ], required: ["id", "seq", "at", "type", "amount", "available_after", "metadata"])),
        ("LedgerPage", S.page("LedgerEntry")),
        ("Status", S.object([("status", S.string)], required: ["status"])),
        ("Metrics", S.type("string", "Prometheus text exposition format.")),
        ("OpenAPIDocument", S.type("object", "This document.")),
        ("Problem", .object([
            ("type", .string("object")),
            ("properties", .object([
                ("type", S.string), ("title", S.string), ("status", S.integer), ("detail", S.string),
                ("code", S.type("string", "stable machine-readable code, listed in docs/api.md (Errors)")),
                ("approved", S.boolean), ("balance", S.ref("Balance")),
            ])),
            ("required", .array(["type", "title", "status", "detail", "code"].map { .string($0) })),
        ])),
    ]
}
