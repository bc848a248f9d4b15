// Proves webhook delivery end to end on loopback: a receiver that fails, throttles and stalls
// at random (a fixed regression seed and a random one) still gets every event at least once, each signed (verified here) under a webhook-id
// that stays the same across retries, with the attempts log telling the story; a 410 disables the
// endpoint (endpoint.disabled) and re-enabling delivers what waited; a rotated secret signs
// beside the new one (and a retried rotation keeps the secret it first answered); private addresses are refused unless allowed; /metrics counts attempts by
// outcome, the backlog and disabled endpoints; a failed delivery is replayed by id or since a time;
// delivered rows leave the log after the retention while failed ones stay.
import Foundation
import Synchronization
import TallyCore
import TallyEngine
import TallyHTTP
import TallyTesting
import TallyWebhooks
import Testing

/// A loopback receiver whose answers a test scripts, recording every request.
final class ScriptedReceiver: Sendable {
    struct Received: Sendable {
        let id: String
        let timestamp: String
        let signature: String
        let body: [UInt8]
        let status: Int
    }

    typealias Answer = @Sendable (Int) -> (status: Int, delayMs: Int, headers: [(String, String)])

    let server: HTTPServer
    let port: Int

    init(answer: @escaping Answer) throws {
        let count = Atomic<Int>(0)
        let log = Log()
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: 1)) { request in
            let (status, delayMs, headers) = answer(count.wrappingAdd(1, ordering: .relaxed).oldValue)
            if delayMs > 0 { try? await Task.sleep(for: .milliseconds(delayMs)) }
            log.add(Received(
                id: request.headers["webhook-id"] ?? "", timestamp: request.headers["webhook-timestamp"] ?? "",
                signature: request.headers["webhook-signature"] ?? "", body: request.body, status: status))
            return HTTPResponse(status: status, headers: HTTPHeaders(headers))
        }
        port = try server.start()
        self.log = log
    }

    /// What the receiver got, shared with its handler.
    final class Log: Sendable {
        let entries = Mutex<[Received]>([])
        func add(_ entry: Received) { entries.withLock { $0.append(entry) } }
    }

    private let log: Log

    /// Every request so far.
    var all: [Received] { log.entries.withLock { $0 } }

    var url: String { "http://127.0.0.1:\(port)/hook" }
}

@Suite struct WebhookDeliveryTests {
    static let fast = WebhookSettings(
        schedule: RetrySchedule(delaysSeconds: [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], throttleFloorMs: 200)!,
        addressPolicy: AddressPolicy(allowPrivate: true), connectTimeoutMs: 1_000, totalTimeoutMs: 700, pollIntervalMs: 20)

    /// Waits until `done` holds, for at most `seconds`.
    static func eventually(_ seconds: Double = 30, _ done: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await done() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test(.serialized, arguments: simulationSeeds([7], replay: "TALLY_WEBHOOK_SEED"))
    func aFlakyReceiverGetsEveryEventSignedWithAStableID(seed: UInt64) async throws {
        print("WebhookDeliveryTests seed \(seed) (set TALLY_WEBHOOK_SEED to replay)")
        let receiver = try ScriptedReceiver { index in
            var random = SplitMix64(seed: seed &+ UInt64(index))
            switch random.next() % 10 {
            case 0, 1: return (500, 0, [])
            case 2: return (429, 0, [("Retry-After", "1")])
            case 3: return (204, 1_200, [])  // past the 700 ms timeout
            case 4: return (302, 0, [("Location", "http://127.0.0.1:1/")])
            default: return (204, 0, [])
            }
        }
        try await withAPI(webhooks: Self.fast) { api in
            let created = try await api.send("POST", "/v1/webhook-endpoints", json: #"{"url": "\#(receiver.url)"}"#)
            #expect(created.status == 201)
            let secret = try #require(created.json?["secret"]?.stringValue)
            let endpoint = try #require(created.json?["id"]?.stringValue)
            for index in 0..<20 { try await api.fund("flaky-\(index)", 10) }
            let events = try await api.send("GET", "/v1/events?limit=1000").json?["data"]?.arrayValue ?? []
            let ids = Set(events.compactMap { $0["id"]?.stringValue })
            #expect(ids.count == 20, "one credits.added per top-up")
            let delivered = try await Self.eventually {
                let ok = Set(receiver.all.filter { (200..<300).contains($0.status) }.map(\.id))
                return ids.isSubset(of: ok)
            }
            #expect(delivered, "every event reached the receiver with a 2xx")
            let key = try WebhookSecret.parse(secret).get()
            let all = receiver.all
            for request in all {
                #expect(WebhookSigner.matches(
                    header: request.signature, secrets: [key], messageID: request.id,
                    timestampSeconds: Int64(request.timestamp) ?? 0, body: request.body))
            }
            let bodies = Dictionary(grouping: all, by: \.id).mapValues { Set($0.map(\.body)) }
            #expect(bodies.values.allSatisfy { $0.count == 1 }, "a retry sends the same bytes under the same id")
            let log = try await api.send("GET", "/v1/webhook-endpoints/\(endpoint)/deliveries?limit=100")
            let retried = log.json?["data"]?.arrayValue?.first { ($0["attempts"]?.integerValue ?? 0) > 1 }
            #expect(retried?["log"]?.arrayValue?.first?["outcome"]?.stringValue != "success", "the log shows the failures")
            let metrics = try await api.send("GET", "/metrics", token: nil).body
            #expect(metrics.contains("tally_webhook_attempts_total{outcome=\"success\"}"))
            #expect(metrics.contains("tally_webhook_backlog ") && metrics.contains("tally_webhook_endpoints_disabled 0"))
        }
        await receiver.server.shutdown()
    }

    @Test func goneDisablesAndReEnablingDeliversWhatWaited() async throws {
        let gone = Atomic<Bool>(true)
        let receiver = try ScriptedReceiver { _ in (gone.load(ordering: .relaxed) ? 410 : 204, 0, []) }
        let watcher = try ScriptedReceiver { _ in (204, 0, []) }
        try await withAPI(webhooks: Self.fast) { api in
            let created = try await api.send("POST", "/v1/webhook-endpoints", json: #"{"url": "\#(receiver.url)"}"#)
            let endpoint = try #require(created.json?["id"]?.stringValue)
            _ = try await api.send(
                "POST", "/v1/webhook-endpoints", json: #"{"url": "\#(watcher.url)", "events": ["endpoint.disabled"]}"#)
            try await api.fund("gone-1", 5)
            let disabled = try await Self.eventually {
                try await api.send("GET", "/v1/webhook-endpoints/\(endpoint)").json?["enabled"] == .bool(false)
            }
            #expect(disabled)
            let shown = try await api.send("GET", "/v1/webhook-endpoints/\(endpoint)").json
            #expect(shown?["disabled_reason"] == .string("gone"))
            #expect(try await Self.eventually { !watcher.all.isEmpty }, "endpoint.disabled was sent")
            try await api.fund("gone-2", 5)
            // A disabled endpoint's deliveries are parked in the event's own commit: nothing to wait for.
            let log = try await api.send("GET", "/v1/webhook-endpoints/\(endpoint)/deliveries").json?["data"]?.arrayValue ?? []
            #expect(log.first?["status"] == .string("parked"), "the top-up made while disabled waits")
            let before = receiver.all.count
            gone.store(false, ordering: .relaxed)
            let enabled = try await api.send("PATCH", "/v1/webhook-endpoints/\(endpoint)", json: #"{"enabled": true}"#)
            #expect(enabled.json?["enabled"] == .bool(true))
            let recovered = try await Self.eventually {
                Set(receiver.all.dropFirst(before).filter { $0.status == 204 }.map(\.id)).count == 3
            }
            // The 410'd event, its own endpoint.disabled (it subscribes to everything) and the top-up that waited.
            #expect(recovered, "what waited arrives after re-enabling")
        }
        await receiver.server.shutdown()
        await watcher.server.shutdown()
    }

    @Test func aRotatedSecretSignsBesideTheNewOneAndPrivateAddressesAreRefused() async throws {
        let receiver = try ScriptedReceiver { _ in (204, 0, []) }
        try await withAPI(webhooks: Self.fast) { api in
            let created = try await api.send("POST", "/v1/webhook-endpoints", json: #"{"url": "\#(receiver.url)"}"#)
            let endpoint = try #require(created.json?["id"]?.stringValue)
            let old = try WebhookSecret.parse(try #require(created.json?["secret"]?.stringValue)).get()
            let rotated = try await api.send(
                "POST", "/v1/webhook-endpoints/\(endpoint)/rotate-secret", headers: [("Idempotency-Key", "rot-1")])
            let retried = try await api.send(
                "POST", "/v1/webhook-endpoints/\(endpoint)/rotate-secret", headers: [("Idempotency-Key", "rot-1")])
            #expect(retried.header("Idempotent-Replayed") == "true" && retried.json?["secret"] == rotated.json?["secret"],
                    "a retried rotation keeps the secret the first answer showed")
            let new = try WebhookSecret.parse(try #require(rotated.json?["secret"]?.stringValue)).get()
            try await api.fund("rotated", 5)
            #expect(try await Self.eventually { receiver.all.count >= 1 })
            for request in receiver.all {
                for secret in [old, new] {
                    #expect(WebhookSigner.matches(
                        header: request.signature, secrets: [secret], messageID: request.id,
                        timestampSeconds: Int64(request.timestamp) ?? 0, body: request.body))
                }
            }
        }
        try await withAPI(webhooks: WebhookSettings(deliver: false)) { api in
            for url in [
                "https://127.0.0.1/x", "https://10.0.0.1/x", "https://169.254.169.254/latest", "https://[::1]/x",
                "https://[::ffff:127.0.0.1]/x", "http://example.com/x", "https://2130706433/", "https://0177.0.0.1/",
                "https://0x7f000001/", "https://127.1/", "https://localhost./", "https://api.localhost/",
            ] {
                let refused = try await api.send("POST", "/v1/webhook-endpoints", json: #"{"url": "\#(url)"}"#)
                #expect(refused.status == 422 && refused.json?["code"] == .string("invalid_url"), "\(url): \(refused.body)")
            }
            let badTypes = try await api.send(
                "POST", "/v1/webhook-endpoints", json: #"{"url": "https://example.com/x", "events": ["nope"]}"#)
            #expect(badTypes.json?["code"] == .string("invalid_event_types"))
        }
        await receiver.server.shutdown()
    }

    @Test func aFailedDeliveryIsReplayedOneByOneOrSinceATime() async throws {
        let failing = Atomic<Bool>(true)
        let receiver = try ScriptedReceiver { _ in (failing.load(ordering: .relaxed) ? 500 : 204, 0, []) }
        var once = Self.fast
        once.schedule = RetrySchedule(delaysSeconds: [0], throttleFloorMs: 0)!
        try await withAPI(webhooks: once) { api in
            let created = try await api.send("POST", "/v1/webhook-endpoints", json: #"{"url": "\#(receiver.url)"}"#)
            let endpoint = try #require(created.json?["id"]?.stringValue)
            try await api.fund("replay-1", 5)
            try await api.fund("replay-2", 5)
            let failed = try await Self.eventually {
                let log = try await api.send("GET", "/v1/webhook-endpoints/\(endpoint)/deliveries").json?["data"]?.arrayValue
                return log?.count == 2 && log?.allSatisfy { $0["status"] == .string("failed") } == true
            }
            #expect(failed, "one attempt each, then failed for good")
            failing.store(false, ordering: .relaxed)
            let deliveries = try await api.send("GET", "/v1/webhook-endpoints/\(endpoint)/deliveries").json?["data"]?.arrayValue ?? []
            let first = try #require(deliveries.last?["id"]?.stringValue)
            let one = try await api.send("POST", "/v1/webhook-endpoints/\(endpoint)/replay", json: #"{"delivery": "\#(first)"}"#)
            #expect(one.status == 202)
            #expect(try await Self.eventually { receiver.all.filter { $0.status == 204 }.count == 1 })
            let all = try await api.send("POST", "/v1/webhook-endpoints/\(endpoint)/replay", json: #"{"since": "2000-01-01T00:00:00Z"}"#)
            #expect(all.status == 202)
            #expect(try await Self.eventually { Set(receiver.all.filter { $0.status == 204 }.map(\.id)).count == 2 })
            let unknown = try await api.send("POST", "/v1/webhook-endpoints/\(endpoint)/replay", json: #"{"delivery": "wd_999999"}"#)
            #expect(unknown.status == 404 && unknown.json?["code"] == .string("delivery_not_found"))
        }
        await receiver.server.shutdown()
    }

    @Test func deliveredRowsLeaveTheLogAfterTheRetentionAndFailedOnesStay() async throws {
        let receiver = try ScriptedReceiver { index in (index == 0 ? 500 : 204, 0, []) }
        var short = Self.fast
        short.schedule = RetrySchedule(delaysSeconds: [0], throttleFloorMs: 0)!
        // Delivered rows go a millisecond after delivery; failed ones keep the 30-day default.
        let retention = RetentionSettings(deliveredMs: 1, passIntervalMs: 10)
        try await withAPI(webhooks: short, retention: retention) { api in
            let created = try await api.send("POST", "/v1/webhook-endpoints", json: #"{"url": "\#(receiver.url)"}"#)
            let endpoint = try #require(created.json?["id"]?.stringValue)
            try await api.fund("pruned-1", 5)
            try await api.fund("pruned-2", 5)
            let pruned = try await Self.eventually {
                let log = try await api.send("GET", "/v1/webhook-endpoints/\(endpoint)/deliveries").json?["data"]?.arrayValue
                return receiver.all.count == 2 && log?.map { $0["status"] } == [.string("failed")]
            }
            #expect(pruned, "the delivered row left the log; the failed one stays for replay")
        }
        await receiver.server.shutdown()
    }
}
