public import TallyCore
public import TallyStore

/// The engine's settings.
public struct EngineConfiguration: Sendable {
    public var store: StoreConfiguration
    /// Plans, packs and the price book of operations.
    public var catalog: Catalog
    /// How long an idempotency key's first outcome is kept and replayed.
    public var idempotencyRetentionMs: Int64
    /// The most idempotency keys one account keeps in memory; older ones are looked up on disk.
    public var idempotencyKeysPerAccount: Int
    /// The memory all accounts' keys may take together before each keeps only its newest few.
    public var idempotencyKeyBytes: Int
    /// The fixed memory of the filter that tells a fresh key from one that may have been used,
    /// so that a key absent from memory is looked up on disk only when it might be there.
    public var idempotencyFilterBytes: Int
    public var defaultHoldTTLMs: Int64
    public var maxHoldTTLMs: Int64
    /// An account actor untouched for this long is evicted from memory.
    public var idleEvictionMs: Int64
    /// Above this many loaded accounts, idle ones are evicted sooner.
    public var maxLoadedAccounts: Int
    /// How often idle accounts are checked for holds and lots that time has expired.
    public var dueWorkIntervalMs: Int64
    /// How far `available` must rise above a fired `balance.low` level before it re-arms.
    public var alerts: AlertSettings
    public var webhooks: WebhookSettings
    /// How long events and webhook deliveries are kept.
    public var retention: RetentionSettings

    /// Creates a configuration with the defaults of DESIGN.md.
    public init(
        store: StoreConfiguration, catalog: Catalog = Catalog(), idempotencyRetentionMs: Int64 = 24 * 3_600_000,
        defaultHoldTTLMs: Int64 = 300_000, maxHoldTTLMs: Int64 = 7 * 24 * 3_600_000,
        idleEvictionMs: Int64 = 300_000, maxLoadedAccounts: Int = 200_000, dueWorkIntervalMs: Int64 = 1_000,
        alerts: AlertSettings = AlertSettings(), webhooks: WebhookSettings = WebhookSettings(),
        idempotencyKeysPerAccount: Int = 4_096, idempotencyKeyBytes: Int = 32 << 20,
        idempotencyFilterBytes: Int = 64 << 20, retention: RetentionSettings = RetentionSettings()
    ) {
        self.store = store
        self.catalog = catalog
        self.idempotencyRetentionMs = idempotencyRetentionMs
        self.defaultHoldTTLMs = defaultHoldTTLMs
        self.maxHoldTTLMs = maxHoldTTLMs
        self.idleEvictionMs = idleEvictionMs
        self.maxLoadedAccounts = maxLoadedAccounts
        self.dueWorkIntervalMs = dueWorkIntervalMs
        self.alerts = alerts
        self.webhooks = webhooks
        self.idempotencyKeysPerAccount = idempotencyKeysPerAccount
        self.idempotencyKeyBytes = idempotencyKeyBytes
        self.idempotencyFilterBytes = idempotencyFilterBytes
        self.retention = retention
    }
}
