import Foundation
import Synchronization

/// A named thread running one loop, which can be told to stop and then waited for.
///
/// A loop that sleeps on a condition sleeps on ``condition``, so that ``stop()``'s broadcast
/// wakes it; its owner may guard its own shared state with the same lock.
public final class WorkerThread: @unchecked Sendable {
    /// The lock and condition the loop sleeps on; also guards `finished`.
    public let condition = NSCondition()
    private let stopRequested = Atomic<Bool>(false)
    private var finished = false

    /// A worker not yet started.
    public init() {}

    /// Whether ``stop()`` was called: the loop finishes what it must and returns once it sees it.
    public var isStopping: Bool { stopRequested.load(ordering: .sequentiallyConsistent) }

    /// Starts the thread, named `name` for debuggers and `top -H`, running `loop` once.
    public func start(name: String, qualityOfService: QualityOfService? = nil, _ loop: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            loop()
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        thread.name = name
        if let qualityOfService { thread.qualityOfService = qualityOfService }
        thread.start()
    }

    /// Whether the loop has returned.
    public var hasFinished: Bool {
        condition.lock()
        defer { condition.unlock() }
        return finished
    }

    /// Sets ``isStopping``, wakes the loop and returns once it has returned.
    public func stop() {
        condition.lock()
        // Set under the lock, so a loop that checked it just before waiting cannot miss the wake-up.
        stopRequested.store(true, ordering: .sequentiallyConsistent)
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
