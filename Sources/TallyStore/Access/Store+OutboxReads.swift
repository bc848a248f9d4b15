/// The typed reads of the event outbox, webhook deliveries and the background passes' due work,
/// each run on a reader thread.
extension Store {
    /// A page of the event outbox in id order.
    public func events(_ query: EventQuery) async throws(StoreError) -> [EventRow] {
        try await readers.read { connection throws(StoreError) in try connection.events(query) }
    }

    /// The endpoint with this id, unless deleted.
    public func endpoint(id: Int64) async throws(StoreError) -> EndpointRecord? {
        try await readers.read { connection throws(StoreError) in try connection.endpoint(id: id) }
    }

    /// A page of the endpoints not deleted, in id order, after `afterID`.
    public func endpoints(after afterID: Int64, limit: Int) async throws(StoreError) -> [EndpointRecord] {
        try await readers.read { connection throws(StoreError) in try connection.endpoints(after: afterID, limit: limit) }
    }

    /// A page of an endpoint's deliveries, newest first, each with its attempts.
    public func deliveries(
        endpoint: Int64, before beforeID: Int64, limit: Int
    ) async throws(StoreError) -> [(delivery: DeliveryRecord, attempts: [AttemptRecord])] {
        try await readers.read { connection throws(StoreError) in
            let deliveries = try connection.deliveries(endpoint: endpoint, before: beforeID, limit: limit)
            let attempts = try connection.attempts(deliveries: deliveries.map(\.id))
            return deliveries.map { delivery in (delivery, attempts.filter { $0.delivery == delivery.id }) }
        }
    }

    /// The delivery with this id; nil if none.
    public func delivery(id: Int64) async throws(StoreError) -> DeliveryRecord? {
        try await readers.read { connection throws(StoreError) in try connection.delivery(id: id) }
    }

    /// Up to `limit` deliveries due for an attempt at `nowMs` and not in `excluded` (those in
    /// flight), with their bodies and their endpoints.
    public func dueDeliveries(
        atMs nowMs: Int64, limit: Int, excluding excluded: Set<Int64>
    ) async throws(StoreError) -> (due: [DueDelivery], endpoints: [Int64: EndpointRecord]) {
        try await readers.read { connection throws(StoreError) in
            let due = try connection.dueDeliveries(atMs: nowMs, limit: limit + excluded.count)
                .filter { !excluded.contains($0.delivery.id) }.prefix(limit)
            var endpoints: [Int64: EndpointRecord] = [:]
            for id in Set(due.map(\.delivery.endpoint)) { endpoints[id] = try connection.endpoint(id: id) }
            return (Array(due), endpoints)
        }
    }

    /// How many deliveries are due for an attempt at `nowMs`, since when the oldest one is due,
    /// and how many endpoints are disabled.
    public func deliveryBacklog(atMs nowMs: Int64) async throws(StoreError) -> (count: Int, oldestDueAtMs: Int64?, disabled: Int) {
        try await readers.read { connection throws(StoreError) in try connection.deliveryBacklog(atMs: nowMs) }
    }

    /// Up to `limit` accounts of each kind of due work, in id order: a pending hold expired at
    /// `nowMs`, a lot with credits left that expired in (`lotsAfterMs`, `nowMs`], a plan period
    /// that has ended.
    public func accountsWithDueWork(atMs nowMs: Int64, lotsAfterMs: Int64, limit: Int) async throws(StoreError) -> [String] {
        try await readers.read { connection throws(StoreError) in
            let holds = try connection.accountsWithExpiredHolds(atMs: nowMs, limit: limit)
            let lots = try connection.accountsWithExpiredLots(afterMs: lotsAfterMs, throughMs: nowMs, limit: limit)
            let periods = try connection.accountsWithPeriodStartDue(atMs: nowMs, limit: limit)
            return Array(Set(holds + lots + periods)).sorted()
        }
    }

    /// Whether any record is past its cutoff: what tells the pruner to go on with another batch.
    public func hasExpiredRecords(_ cutoffs: RetentionCutoffs) async throws(StoreError) -> Bool {
        try await readers.read { connection throws(StoreError) in try connection.hasExpiredRecords(cutoffs) }
    }
}
