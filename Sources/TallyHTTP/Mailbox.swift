import Glibc
import Synchronization

/// A message for an event loop from another thread.
enum LoopMessage: Sendable {
    /// A handler finished the request with this sequence number on the connection.
    case response(fd: Int32, connectionID: UInt64, sequence: Int, response: HTTPResponse)
    /// Stop accepting, close idle connections and close the others after their current answers.
    case drain
    /// Close everything and end the loop thread.
    case stop
}

/// A thread-safe queue of messages for one loop, which wakes the loop through an eventfd.
final class Mailbox: Sendable {
    private struct State {
        var messages: [LoopMessage] = []
        var closed = false
    }

    /// The eventfd the loop watches; written only while holding `state`'s lock.
    let wakeFD: Int32
    private let state = Mutex(State())

    /// Creates a mailbox with its own eventfd.
    init() throws(HTTPServerError) {
        wakeFD = try Epoll.createEventFD()
    }

    /// Queues a message; the eventfd is written only when the queue was empty, so bursts cost one wake.
    func post(_ message: LoopMessage) {
        state.withLock { state in
            guard !state.closed else { return }
            state.messages.append(message)
            if state.messages.count == 1 {
                var one: UInt64 = 1
                _ = write(wakeFD, &one, 8)
            }
        }
    }

    /// Takes every queued message and clears the eventfd counter.
    func takeAll() -> [LoopMessage] {
        var counter: UInt64 = 0
        _ = read(wakeFD, &counter, 8)
        return state.withLock { state in
            let messages = state.messages
            state.messages.removeAll(keepingCapacity: true)
            return messages
        }
    }

    /// Refuses further messages and closes the eventfd; the lock keeps late posters off a reused descriptor.
    func close() {
        state.withLock { state in
            state.closed = true
            state.messages.removeAll()
            Glibc.close(wakeFD)
        }
    }
}
