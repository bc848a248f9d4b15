import Foundation

/// Dedicated threads, each with its own read connection, that run queries for async callers.
///
/// SQLite calls block, so they never run on Swift's cooperative pool; WAL lets these readers
/// run beside the writer without waiting for it.
final class ReaderPool: @unchecked Sendable {
    // `jobs` and `stopping` are guarded by `condition`; each connection belongs to one thread.
    private let condition = NSCondition()
    private var jobs: [@Sendable (Connection) -> Void] = []
    private var stopping = false
    private var running = 0

    init(connections: [Connection]) {
        running = connections.count
        for (index, connection) in connections.enumerated() {
            let thread = Thread { [self] in serve(connection) }
            thread.name = "tally-reader-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on a reader thread and returns its result.
    func read<T: Sendable>(
        _ body: @escaping @Sendable (Connection) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            let queued = enqueue { connection in
                do throws(StoreError) {
                    continuation.resume(returning: .success(try body(connection)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            if !queued { continuation.resume(returning: .failure(.closed)) }
        }
        return try result.get()
    }

    /// Queues a job; false once the pool is stopping, when no thread would ever run it.
    private func enqueue(_ job: @escaping @Sendable (Connection) -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Lets queued jobs finish, then ends the threads.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    private func serve(_ connection: Connection) {
        while let job = nextJob() { job(connection) }
        condition.lock()
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    private func nextJob() -> (@Sendable (Connection) -> Void)? {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty && !stopping { condition.wait() }
        return jobs.isEmpty ? nil : jobs.removeFirst()
    }
}
