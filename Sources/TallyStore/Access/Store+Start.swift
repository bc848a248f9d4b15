/// What the engine reads once, at start, on a connection of its own rather than a reader's.
extension Store {
    /// The highest id any lot, hold, entry, event, webhook endpoint or key has taken, so the id
    /// sequence continues after it; read on the calling thread.
    public func highestAllocatedID() throws(StoreError) -> Int64 {
        try Connection(path: configuration.path).highestAllocatedID()
    }

    /// Calls `body` with the account and key of every keyed outcome on disk since `sinceMs`, on
    /// the calling thread (a thread of the engine's own, for filling its key filter after a
    /// start), until `body` returns false.
    public func forEachIdempotencyKey(sinceMs: Int64, _ body: (_ account: String, _ key: String) -> Bool) throws(StoreError) {
        try Connection(path: configuration.path, readOnly: true).forEachKey(sinceMs: sinceMs, body)
    }
}
