import TallyCore

/// The request bodies of the v1 API as JSON Schemas that say everything the server checks and
/// nothing more, so a client generated from them validates the way the server does.
///
/// Bounds come from ``Limits``; catalog names (plans, packs, operations) and the longest hold
/// come from the running configuration, which is why the document is built per server.
struct RequestSchemas {
    typealias S = SchemaBuilder

    let catalog: Catalog
    let maxHoldTTLSeconds: Int64

    static let idempotencyKey = (
        "idempotency_key",
        S.text(Limits.idempotencyKeyBytes, pattern: Limits.idempotencyKeyPattern, "Same as the Idempotency-Key header.")
    )

    /// An account id as ``AccountRules`` checks it; the first character is not a dot, which
    /// also keeps ids made only of dots out.
    static let accountID = S.text(
        Limits.accountIDBytes, pattern: "^[A-Za-z0-9_:@-][A-Za-z0-9_.:@-]*$", "A-Z a-z 0-9 _ . : @ -, not only dots")

    /// A webhook URL: https and a DNS name with a public-looking top-level domain. The server
    /// takes more (http and private addresses when allowed); the schema keeps to what it
    /// always takes at registration.
    static let endpointURL = S.text(
        Limits.endpointURLCharacters, pattern: "^https://[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?\\.(com|net|org|dev|io)(/[A-Za-z0-9._~-]{0,40})*$",
        "https URL (http and private addresses only with TALLY_WEBHOOK_ALLOW_PRIVATE=true); IP hosts in any form "
            + "(127.1, 0x7f000001, 2130706433) and localhost names are judged at registration, other names at connect time")

    /// `events`: `["*"]` alone, or distinct event type names.
    static let eventTypes: JSONValue = .object([
        ("anyOf", .array([
            .object([
                ("type", .string("array")), ("items", .object([("const", .string("*"))])), ("minItems", .integer(1)),
                ("maxItems", .integer(1)),
            ]),
            .object([
                ("type", .string("array")), ("items", S.enumeration(EventType.allCases.map(\.rawValue))),
                ("minItems", .integer(1)), ("maxItems", .integer(Int64(Limits.stringListEntries))),
            ]),
        ])),
    ])

    /// A request object: unknown members refused, and each optional member may also be `null`,
    /// which the server reads as absent (a PATCH's `null` that removes something is declared so).
    static func body(_ fields: [(String, JSONValue)], required: [String]) -> JSONValue {
        S.object(fields.map { name, schema in required.contains(name) ? (name, schema) : (name, orNull(schema)) }, required: required)
    }

    /// `schema` or `null`, unless it already takes `null`.
    static func orNull(_ schema: JSONValue) -> JSONValue {
        let takesNull = schema["oneOf"]?.arrayValue?.contains { $0["type"] == .string("null") } ?? false
        return takesNull || schema["type"] == .string("null") ? schema : S.nullable(schema)
    }

    static let rateLimit = Self.body([
        ("limit", S.integer(Limits.rateLimit)), ("window_seconds", S.integer(Limits.rateWindowSeconds)),
    ], required: ["limit", "window_seconds"])

    var autoTopUp: JSONValue {
        Self.body([
            ("below", S.amount), ("pack", S.choice(Array(catalog.packs.keys), "a pack from GET /v1/packs")),
            ("monthly_cap", S.integer(Limits.autoTopUpMonthlyCap, "requests per calendar month")),
        ], required: ["below", "pack"])
    }

    var plan: JSONValue { S.choice(Array(catalog.plans.keys), "a plan from GET /v1/plans") }

    /// Whether a route whose body follows `schema` reads an idempotency key (header or member).
    static func takesIdempotencyKey(_ schema: JSONValue) -> Bool {
        let variants = schema["oneOf"]?.arrayValue ?? [schema]
        return variants.contains { $0["properties"]?["idempotency_key"] != nil }
    }

    /// Whether a request whose body follows `schema` must carry one (else `{}` is taken).
    static func requiresBody(_ schema: JSONValue) -> Bool {
        schema["oneOf"] != nil || !(schema["required"]?.arrayValue?.isEmpty ?? true)
    }

    /// Every request schema by name.
    var all: [(String, JSONValue)] {
        [
            ("RateLimit", Self.rateLimit), ("AutoTopUp", autoTopUp), ("CreateAccount", createAccount),
            ("UpdateAccount", updateAccount), ("TopUp", topUp), ("BuyPack", buyPack), ("Authorize", authorize),
            ("Capture", Self.body([("amount", S.amount), Self.idempotencyKey], required: [])),
            ("Void", Self.body([Self.idempotencyKey], required: [])),
            ("Refund", Self.body([("amount", S.amount), ("reason", S.note), Self.idempotencyKey], required: [])),
            ("CreateEndpoint", createEndpoint), ("UpdateEndpoint", updateEndpoint),
            ("Replay", replay), ("RotateSecret", Self.body([Self.idempotencyKey], required: [])),
            ("CreateKey", createKey),
            ("RotateKey", Self.body([
                ("grace_seconds", S.integer(Limits.keyGraceSeconds, "default \(Limits.defaultKeyGraceSeconds)")),
                Self.idempotencyKey,
            ], required: [])),
            ("AdvanceTestClock", Self.body(
                [("seconds", S.integer(Limits.testClockAdvanceSeconds, "never past 9999-12-31T23:59:59.999Z (422 time_out_of_range)"))],
                required: ["seconds"])),
        ]
    }

    private var createAccount: JSONValue {
        Self.body([
            ("id", Self.accountID),
            ("livemode", S.type("boolean", "false opens a test account, whose credits only tk_test_ keys spend; default true, fixed")),
            ("overdraft_limit", S.integer(Limits.overdraft)), ("metadata", S.metadata), ("thresholds", S.levels(Limits.threshold)),
            ("plan", plan), ("auto_topup", S.ref("AutoTopUp")), ("rate_limit", S.ref("RateLimit")), Self.idempotencyKey,
        ], required: ["id"])
    }

    private var updateAccount: JSONValue {
        let schema = Self.body([
            ("status", S.enumeration(AccountStatus.allCases.map(\.rawValue))), ("overdraft_limit", S.integer(Limits.overdraft)),
            ("metadata", S.metadataMap(values: S.nullable(S.text(Limits.metadataValueCharacters)))),
            ("thresholds", S.levels(Limits.threshold)), ("plan", S.nullable(plan)),
            ("prorate", S.enumeration(["next_period", "now"])), ("auto_topup", S.nullable(S.ref("AutoTopUp"))),
            ("rate_limit", S.nullable(S.ref("RateLimit"))), Self.idempotencyKey,
        ], required: [])
        // `prorate` says when a plan change applies, so it comes with `plan` (or is null).
        let prorateWithPlan: JSONValue = .object([("anyOf", .array([
            .object([("required", .array([.string("plan")]))]),
            .object([("properties", .object([("prorate", S.type("null"))]))]),
        ]))])
        return Self.adding(("allOf", .array([prorateWithPlan])), to: schema)
    }

    private var topUp: JSONValue {
        Self.body([
            ("amount", S.amount), ("expires_at", S.time),
            ("priority", S.integer(Limits.priority)), ("promotional", S.boolean), ("reference", S.note), Self.idempotencyKey,
        ], required: ["amount"])
    }

    private var buyPack: JSONValue {
        Self.body([
            ("pack", S.choice(Array(catalog.packs.keys), "a pack from GET /v1/packs")), ("reference", S.note),
            Self.idempotencyKey,
        ], required: ["pack"])
    }

    /// One delivery, or every failed one since a time (or ever), not both.
    private var replay: JSONValue {
        let delivery = S.text(IntegerLimit(4...21), pattern: "^wd_[1-9][0-9]{0,17}$")
        let both: JSONValue = .object([
            ("properties", .object([("delivery", S.string), ("since", S.string)])),
            ("required", .array([.string("delivery"), .string("since")])),
        ])
        return Self.adding(
            ("not", both), to: Self.body([("delivery", delivery), ("since", S.time), Self.idempotencyKey], required: []))
    }

    /// `schema` (an object) with one more keyword.
    static func adding(_ keyword: (String, JSONValue), to schema: JSONValue) -> JSONValue {
        guard case .object(let members) = schema else { return schema }
        return .object(members + [keyword])
    }

    /// Exactly one of `account` and `api_key`, of `cost` and `operation` (with its `quantity`),
    /// and `hold_ttl_seconds` only beside `"hold": true`: one variant per combination.
    private var authorize: JSONValue {
        let members: [(String, JSONValue)] = [
            ("account", Self.accountID), ("api_key", Self.apiKey), ("cost", S.amount),
            ("operation", S.choice(Array(catalog.operations.keys), "priced from GET /v1/operations")),
            ("quantity", S.integer(Limits.quantity, "units of the operation, default 1")), ("hold", S.boolean),
            ("hold_ttl_seconds", S.integer(IntegerLimit(1...maxHoldTTLSeconds), "default from config")),
            ("metadata", S.metadata), Self.idempotencyKey,
        ]
        var variants: [JSONValue] = []
        for payer in ["account", "api_key"] {
            for priced in ["cost", "operation"] {
                for held in [false, true] {
                    var used: Set<String> = [payer, priced, "hold", "metadata", "idempotency_key"]
                    if priced == "operation" { used.insert("quantity") }
                    if held { used.insert("hold_ttl_seconds") }
                    // A member of another variant may only be null, which the server reads as absent.
                    let fields = members.map { name, schema in
                        (name, !used.contains(name) ? S.type("null") : name == "hold" ? .object([("const", .bool(held))]) : schema)
                    }
                    variants.append(Self.body(fields, required: held ? [payer, priced, "hold"] : [payer, priced]))
                }
            }
        }
        return .object([("oneOf", .array(variants))])
    }

    /// A customer API key as presented: a mode prefix and base62 digits.
    static let apiKey = S.text(
        IntegerLimit(Int64(8 + APIKeyText.minSecretLength)...Int64(8 + APIKeyText.maxSecretLength)),
        pattern: "^tk_(live|test)_[0-9A-Za-z]+$", "tk_live_… or tk_test_…")

    private var createKey: JSONValue {
        Self.body([
            ("name", S.text(Limits.keyNameCharacters)),
            ("mode", S.enumeration(APIKeyText.Mode.allCases.map(\.rawValue))),
            ("expires_at", S.time), ("rate_limit", S.ref("RateLimit")), Self.idempotencyKey,
        ], required: [])
    }

    private var createEndpoint: JSONValue {
        Self.body([
            ("url", Self.endpointURL), ("events", Self.eventTypes), ("account", Self.accountID), ("description", S.note),
            ("livemode", S.type("boolean", "false receives test accounts' events instead of live ones; default true, fixed")),
            Self.idempotencyKey,
        ], required: ["url"])
    }

    private var updateEndpoint: JSONValue {
        Self.body([
            ("url", Self.endpointURL), ("events", Self.eventTypes), ("account", S.nullable(Self.accountID)),
            ("description", S.nullable(S.note)), ("enabled", S.boolean), Self.idempotencyKey,
        ], required: [])
    }
}
