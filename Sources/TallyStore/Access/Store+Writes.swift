/// The write side as the engine sees it: typed mutations in, the writer's and indexer's state out.
extension Store {
    /// Whether new work should be taken: the write queue has room, its oldest mutation has not
    /// waited past the delay bound and the index keeps up. Callers check before changing memory,
    /// so refusing work (back-pressure) undoes nothing.
    public var hasCapacity: Bool { writer.hasCapacity }

    /// Queues a mutation for the next group commit; its completion runs on the writer thread
    /// after the commit.
    public func submit(_ mutation: StoreMutation) { writer.submit(mutation) }

    /// A snapshot of the group-commit writer's counters.
    public var writerStatistics: WriterStatistics { writer.currentStatistics }

    /// Committed ledger entries the ledger index does not hold yet.
    public var unindexedEntries: Int { tail.count }

    /// The id of the account's oldest entry the ledger index does not hold yet, nil when it
    /// holds them all.
    public func firstUnindexedEntry(account: String) -> Int64? { tail.firstUnindexedID(account: account) }
}
