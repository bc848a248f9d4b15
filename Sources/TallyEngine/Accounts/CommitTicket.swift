import Synchronization
import TallyCore
import TallyStore

/// The outcome of one submitted mutation, awaited by its caller outside the account actor.
///
/// The writer thread completes it after the commit; the caller waits on it without holding the
/// actor, so a hot account's actor only runs the synchronous decide-and-submit part of each
/// request and never has to be re-entered when the commit returns.
final class CommitTicket: Sendable {
    private typealias Waiter = CheckedContinuation<Result<Void, StoreError>, Never>

    private enum State {
        /// The caller, and any more waiters (an account reload that must not read disk before
        /// this commit settles); the caller alone needs no array, which keeps the hot path free
        /// of an allocation.
        case waiting(Waiter?, [Waiter])
        case done(Result<Void, StoreError>)
    }

    private let state = Mutex<State>(.waiting(nil, []))

    /// Records the commit's result and wakes every waiter.
    func complete(_ result: Result<Void, StoreError>) {
        let (first, more) = state.withLock { state -> (Waiter?, [Waiter]) in
            guard case .waiting(let first, let more) = state else { return (nil, []) }
            state = .done(result)
            return (first, more)
        }
        first?.resume(returning: result)
        for waiter in more { waiter.resume(returning: result) }
    }

    /// The result once the commit returned; nil while it is in flight.
    var result: Result<Void, StoreError>? {
        state.withLock { state in
            if case .done(let result) = state { result } else { nil }
        }
    }

    /// Waits for the commit's result.
    func wait() async -> Result<Void, StoreError> {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Result<Void, StoreError>? in
                switch state {
                case .done(let result): return result
                case .waiting(nil, let more): state = .waiting(continuation, more)
                case .waiting(let first, let more): state = .waiting(first, more + [continuation])
                }
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

/// What the writer's completions tell an account actor without entering it.
final class CommitSignals: Sendable {
    /// Mutations submitted and not yet completed; an actor with any is never evicted.
    let inFlight = Atomic<Int>(0)
    /// Set when a commit failed: the actor reloads from disk before its next request.
    let failed = Atomic<Bool>(false)
}

/// A request decided on the actor: its answer, and the commit it waits for (if it wrote).
struct PendingOutcome<Value: Sendable>: Sendable {
    let result: Result<Replayable<Value>, EngineError>
    let ticket: CommitTicket?

    /// Waits for durability, then answers; a failed commit is an infrastructure error.
    func finish() async throws(ActorFailure) -> Replayable<Value> {
        if let ticket, case .failure(let error) = await ticket.wait() { throw .engine(.storage(error)) }
        switch result {
        case .success(let value): return value
        case .failure(let refusal): throw .engine(refusal)
        }
    }
}
