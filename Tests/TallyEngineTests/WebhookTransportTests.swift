// Proves the webhook dispatcher drives whatever transport it is given (no socket, no libcurl):
// an attempt goes out signed at the injected wall clock's time, a 500 is retried only once that
// clock reaches the retry schedule's delay (no real waiting for it), the retry carries the same
// webhook-id, and a 2xx ends the delivery as succeeded with both attempts in its log.
import Synchronization
import TallyCore
import TallyEngine
import TallyStore
import TallyTesting
import TallyWebhooks
import Testing

/// A transport that answers each attempt with the next scripted status and records it.
final class ScriptedTransport: WebhookTransport {
    private let state = Mutex<(answers: [Int], sent: [DeliveryRequest])>(([], []))

    init(answers: [Int]) { state.withLock { $0.answers = answers } }

    var sent: [DeliveryRequest] { state.withLock { $0.sent } }

    func submit(_ request: DeliveryRequest, completion: @escaping @Sendable (DeliveryResult) -> Void) {
        let status = state.withLock { state in
            state.sent.append(request)
            return state.answers.isEmpty ? 204 : state.answers.removeFirst()
        }
        completion(DeliveryResult(outcome: (200..<300).contains(status) ? .success : .httpStatus(status), httpStatus: status))
    }

    func shutdown() {}
}

@Suite struct WebhookTransportTests {
    /// Polls `done` (the dispatcher runs on its own loop) for at most ten seconds.
    func eventually(_ done: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<1_000 {
            if try await done() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    @Test func aFailedAttemptIsRetriedWhenTheInjectedClockSaysAndThenSucceeds() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let clock = ManualClock(startMs: startMs)
        let transport = ScriptedTransport(answers: [500, 204])
        var webhooks = WebhookSettings(
            schedule: RetrySchedule(delaysSeconds: [0, 60], jitterPercent: 0, throttleFloorMs: 0)!, pollIntervalMs: 5)
        webhooks.transport = { _ in transport }
        let engine = try Engine(
            configuration: EngineConfiguration(store: storeConfiguration(database.path), webhooks: webhooks),
            clock: clock, wallClock: clock)
        let endpoint = try await engine.createEndpoint(NewEndpoint(url: "https://example.com/hook")).value
        try await openAccount(engine, "a", credits: 5)

        #expect(try await eventually { transport.sent.count == 1 })
        let retrying = try await eventually {
            try await engine.deliveries(endpoint: endpoint.id, before: .max, limit: 10).first?.delivery.attempts == 1
        }
        #expect(retrying, "the 500 is recorded")
        for _ in 0..<20 { await Task.yield() }
        #expect(transport.sent.count == 1, "no retry before the clock reaches the delay")

        _ = clock.advance(byMs: 60_000)
        #expect(try await eventually { transport.sent.count == 2 })
        let delivered = try await eventually {
            try await engine.deliveries(endpoint: endpoint.id, before: .max, limit: 10).first?.delivery.status == .succeeded
        }
        #expect(delivered)
        let log = try await engine.deliveries(endpoint: endpoint.id, before: .max, limit: 10).first?.attempts ?? []
        #expect(log.count == 2)
        #expect(Set(transport.sent.map(\.messageID)).count == 1, "a retry is the same message")
        await engine.close()
    }
}
