public import TallyStore

// The store's typed records and queries that the engine's API takes and answers, named here so
// that its callers (the server, embedding programs) need not import the store: they are values,
// and the store's connections, writer and readers stay out of reach.

/// The settings of the SQLite store underneath the engine.
public typealias StoreConfiguration = TallyStore.StoreConfiguration
/// How durable a commit is before it is acknowledged.
public typealias Durability = TallyStore.Durability
/// A failure of the store underneath (``EngineError/storage(_:)``).
public typealias StoreError = TallyStore.StoreError
/// The group-commit writer's counters (``Engine/writerStatistics``).
public typealias WriterStatistics = TallyStore.WriterStatistics
/// A page of an account's ledger to read (``Engine/ledger(_:)``).
public typealias EntryQuery = TallyStore.EntryQuery
/// A page of the event outbox to read (``Engine/events(_:)``).
public typealias EventQuery = TallyStore.EventQuery
/// One event of the outbox as stored.
public typealias EventRow = TallyStore.EventRow
/// An API key as stored: its hash, never the key itself.
public typealias APIKeyRecord = TallyStore.APIKeyRecord
/// A service token as stored: its hash, never the token itself.
public typealias ServiceTokenRecord = TallyStore.ServiceTokenRecord
/// A webhook endpoint as stored.
public typealias EndpointRecord = TallyStore.EndpointRecord
/// A webhook delivery as stored.
public typealias DeliveryRecord = TallyStore.DeliveryRecord
/// One attempt of a webhook delivery as stored.
public typealias AttemptRecord = TallyStore.AttemptRecord
