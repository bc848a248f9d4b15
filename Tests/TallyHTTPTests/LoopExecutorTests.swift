// Proves that handler tasks run on their event loop's thread, also after resuming from another
// thread, and that the mailbox wakes a sleeping loop exactly once and a busy loop never.
import Foundation
import Glibc
import TallyTesting
import Testing
@testable import TallyHTTP

@Suite struct LoopExecutorTests {
    @Test func handlerStaysOnLoopThreadAcrossForeignResume() async throws {
        try await withServer(handler: threadReportingHandler) { _, port in
            let client = try LoopbackConnection(port: port)
            client.send("GET /where HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try #require(await client.readResponse())
            #expect(response.body == "tally-http tally-http")
        }
    }

    @Test func pipelinedAnswersResumedFromOtherThreadsArriveInOrder() async throws {
        try await withServer(handler: threadReportingHandler) { _, port in
            let clients = try (0..<16).map { _ in try LoopbackConnection(port: port) }
            for client in clients {
                client.send((0..<8).map { "GET /\($0) HTTP/1.1\r\nHost: a\r\n\r\n" }.joined())
            }
            for client in clients {
                let responses = await client.readResponses(8)
                #expect(responses.map { $0.header("X-Path") } == (0..<8).map { "/\($0)" })
            }
        }
    }

    @Test func mailboxWritesEventFDOnlyForASleepingLoop() throws {
        let mailbox = try Mailbox()
        defer { _ = mailbox.close() }
        mailbox.post(.drain)
        #expect(!isReadable(mailbox.wakeFD), "a loop that has not said it sleeps needs no wake-up")
        #expect(!mailbox.prepareToSleep(), "a loop with queued messages must not sleep")
        #expect(mailbox.takeAll().count == 1)
        #expect(mailbox.prepareToSleep())
        mailbox.post(.drain)
        mailbox.post(.drain)
        #expect(isReadable(mailbox.wakeFD))
        mailbox.clearWake()
        #expect(mailbox.takeAll().count == 2)
        mailbox.post(.drain)
        #expect(!isReadable(mailbox.wakeFD), "posts to an awake loop skip the eventfd")
    }

    private func isReadable(_ fd: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 1
    }
}

/// Answers with the names of the threads it ran on before and after a wait another thread ends.
@Sendable private func threadReportingHandler(_ request: HTTPRequest) async -> HTTPResponse {
    let before = currentThreadName()
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        Thread {
            usleep(UInt32.random(in: 0..<2_000))
            continuation.resume()
        }.start()
    }
    let after = currentThreadName()
    return HTTPResponse(
        status: 200, headers: HTTPHeaders([("Content-Type", "text/plain"), ("X-Path", request.path)]),
        text: "\(before) \(after)")
}

private func currentThreadName() -> String {
    let fd = open("/proc/thread-self/comm", O_RDONLY)
    defer { close(fd) }
    var name = [UInt8](repeating: 0, count: 32)
    let count = read(fd, &name, name.count)
    return String(decoding: name.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
