import Glibc
import TallySystem

/// One client connection's socket, owned by and only ever touched on its event loop's thread.
///
/// A thin shell: it reads, sends, closes and changes epoll interest, and starts handlers, while
/// `ConnectionStateMachine` decides all of it. Every event goes to the machine, then `drive()`
/// runs the machine's actions until it has nothing more to do.
final class Connection {
    /// The most reads per wake-up, so one fast sender cannot starve the other sockets.
    private static let readsPerWake = 4

    let fd: Int32
    let id: UInt64
    private unowned let loop: EventLoop
    private var machine: ConnectionStateMachine
    private var isOpen = true

    init(fd: Int32, id: UInt64, remoteAddress: String, loop: EventLoop) {
        self.fd = fd
        self.id = id
        self.loop = loop
        machine = ConnectionStateMachine(
            limits: loop.context.configuration.limits, remoteAddress: remoteAddress,
            reportsExchanges: loop.context.observer != nil, nowMs: loop.nowMs)
    }

    /// Reacts to an epoll report for this socket.
    func handle(events: UInt32) {
        if events & Epoll.readable != 0 { readAvailable() }
        if events & Epoll.writable != 0 && isOpen {
            // Not only a write: requests held back while output was backed up can run once it drains.
            machine.writable()
            drive()
        }
        if events & (Epoll.error | Epoll.hangUp) != 0 && events & Epoll.readable == 0 { close() }
    }

    /// Hands a handler's answer to the machine, which writes every answer now due, in order.
    func complete(sequence: Int, response: HTTPResponse) {
        guard isOpen else { return }
        machine.responseReady(sequence: sequence, response: response)
        drive()
    }

    /// Closes the connection now if it has no request under way; otherwise it closes after its answer.
    func drain() {
        guard isOpen else { return }
        machine.shutdownRequested()
        drive()
    }

    /// Applies the timeout of whatever the connection is waiting for.
    func checkTimeout(nowMs: Int) {
        // Most sweeps find nothing due, so the machine is driven only when a timeout ran out.
        guard isOpen, machine.timeout(nowMs: nowMs) else { return }
        drive()
    }

    private func readAvailable() {
        let buffer = loop.readBuffer
        var reads = 0
        while isOpen && machine.wantsInput && reads < Self.readsPerWake {
            reads += 1
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count > 0 {
                machine.bytesReceived(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                if count < buffer.count { break }
            } else if count == 0 {
                machine.readEOF()
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                break
            } else {
                close()
                return
            }
        }
        drive()
    }

    /// Runs the machine's actions until it waits for the next event.
    private func drive() {
        let now = ConnectionMoment(ms: loop.nowMs, ns: MonotonicClock.nowNs(), date: loop.date.bytes)
        while isOpen {
            switch machine.nextAction(at: now) {
            case .dispatch(let request, let sequence):
                dispatch(request, sequence: sequence)
            case .report(let summary):
                loop.context.observer?(summary)
            case .write:
                sendOutput(nowMs: now.ms)
            case .watch(let interest):
                let events = (interest.readable ? Epoll.readable : 0) | (interest.writable ? Epoll.writable : 0)
                Epoll.modify(loop.epollFD, fd: fd, events: events)
            case .halfClose:
                shutdown(fd, Int32(SHUT_WR))
            case .close:
                close()
            case .wait:
                return
            }
        }
    }

    /// Answers inline when the inline handler can, else starts a handler task on this loop.
    private func dispatch(_ request: HTTPRequest, sequence: Int) {
        if let inline = loop.context.inlineHandler, let response = inline(request) {
            machine.responseReady(sequence: sequence, response: response)
            return
        }
        let handler = loop.context.handler
        let mailbox = loop.mailbox
        let fd = fd
        let id = id
        Task(executorPreference: loop.executor) {
            let response = await handler(request)
            mailbox.post(.response(fd: fd, connectionID: id, sequence: sequence, response: response))
        }
    }

    /// Sends unsent output once and tells the machine how far it got; a failed socket closes.
    private func sendOutput(nowMs: Int) {
        let sent = machine.withUnsentOutput { bytes in
            send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
        }
        if sent > 0 {
            machine.writeCompleted(byteCount: sent, nowMs: nowMs)
        } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
            machine.writeBlocked()
        } else if sent == 0 || errno != EINTR {
            close()
        }
    }

    /// Closes the socket and tells the loop; later handler answers for it are dropped.
    func close() {
        guard isOpen else { return }
        isOpen = false
        // Closing the only descriptor for the socket also removes it from epoll.
        Glibc.close(fd)
        loop.connectionClosed(self)
    }
}
