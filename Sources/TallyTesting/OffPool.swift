import Foundation

/// Runs `body` on a thread of its own and hands its result back: blocking waits (child processes,
/// pipes, semaphores) never hold one of the few cooperative threads.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}
