// Proves webhook delivery end to end with the real `tally serve` binary and receivers written
// independently of Tally (Python, stdlib http.server):
// - a flaky receiver (random 500s, 429 + Retry-After, answers past the timeout, connection resets,
//   slow answers, from a fixed regression seed and a random one) gets every event at least once
//   with a 2xx; every request's signature verifies
//   with the PyPI `standardwebhooks` package; an event keeps one webhook-id and one body across
//   retries; the deliveries log accounts for the requests the receiver saw and ends in success;
// - a server SIGKILLed while deliveries are in flight, restarted on the same database, still
//   gets every event to the receiver with a 2xx (duplicates allowed, none lost), re-sending what
//   was in flight at the kill;
// - the bodies Tally really sends, for every event type (top-ups, packs, holds and lots expiring
//   on the test clock, plan periods and usage alerts, thresholds, auto top-up, account updates,
//   an endpoint disabled by a 410), validate against webhooks/events/*.schema.json with
//   webhooks/events/validate.py (`jsonschema`).
// The Python packages are required: a missing one fails the test and says how to install it.
import Foundation
import TallyCore
import TallyTesting
import Testing

extension CLITests {
    @Suite struct WebhookEndToEndTests {
        static let adminToken = "webhook-e2e-admin-token"

        @Test(arguments: simulationSeeds([42], replay: "TALLY_WEBHOOK_E2E_SEED"))
        func aFlakyReceiverVerifiesEverySignatureAndGetsEveryEvent(seed: UInt64) async throws {
            try await Self.requirePython(module: "standardwebhooks")
            print("WebhookEndToEndTests flaky receiver: seed \(seed) (set TALLY_WEBHOOK_E2E_SEED to replay)")
            let directory = try TempDirectory()
            defer { directory.remove() }
            let receiver = try await Receiver.start(mode: "flaky", seed: seed, directory: directory)
            defer { receiver.stop() }
            let server = try await ServerProcess.start(
                ["--config", try Self.writeConfig(directory, timeoutMs: 1_000)], database: directory.path("flaky.sqlite"),
                adminToken: Self.adminToken, directory: directory)
            let api = API(port: server.port)
            let endpoint = try await api.createEndpoint(receiver.url, secretFile: receiver.secretFile)
            var random = SplitMix64(seed: seed)
            for index in 0..<12 {
                #expect(try await api.call("POST", "/v1/accounts", #"{"id": "flaky-\#(index)"}"#).status == 201)
                for _ in 0..<3 {
                    let amount = 1 + random.next() % 500
                    #expect(try await api.call("POST", "/v1/accounts/flaky-\(index)/topups", #"{"amount": \#(amount)}"#).status == 201)
                }
            }
            let events = try await api.eventIDs()
            #expect(events.count == 36, "one credits.added per top-up")

            // The receiver logs a request before answering it, so wait for Tally to record the answers too.
            let delivered = try await Self.eventually(90) {
                guard events.isSubset(of: Set(receiver.requests().filter(\.answeredInTime).map(\.id))) else { return false }
                return try await api.deliveries(endpoint).allSatisfy { $0["status"]?.stringValue == "succeeded" }
            }
            let requests = receiver.requests()
            #expect(delivered, "every event reached the receiver with a 2xx in time; missing \(events.subtracting(requests.filter(\.answeredInTime).map(\.id)).sorted())")
            #expect(!requests.isEmpty && requests.allSatisfy { $0.verified }, "standardwebhooks verified every request: \(requests.filter { !$0.verified }.prefix(3))")
            #expect(Set(requests.map(\.id)) == events, "webhook-id is the event's id")
            let byID = Dictionary(grouping: requests, by: \.id)
            #expect(byID.values.allSatisfy { Set($0.map(\.body)).count == 1 }, "a retry sends the same bytes under the same id")
            let byBody = Dictionary(grouping: requests, by: \.body)
            #expect(byBody.values.allSatisfy { Set($0.map(\.id)).count == 1 }, "one body, one webhook-id")
            let answers = Dictionary(grouping: requests, by: \.answer).mapValues(\.count)
            print("WebhookEndToEndTests flaky receiver: \(requests.count) requests for \(events.count) events: \(answers.sorted { $0.key < $1.key })")
            #expect(requests.count > events.count, "the receiver failed some attempts, so Tally retried")

            // The attempts log tells the story: one attempt per request the receiver saw, ending in success.
            let deliveries = try await api.deliveries(endpoint)
            #expect(deliveries.count == events.count)
            for delivery in deliveries {
                let id = delivery["event"]?.stringValue ?? ""
                let log = delivery["log"]?.arrayValue ?? []
                #expect(delivery["status"]?.stringValue == "succeeded", "\(id): \(delivery)")
                // libcurl sends a request again by itself, once, when a reused connection dies
                // before any answer (the receiver's resets): one attempt, two requests. And on a
                // loaded machine an attempt can time out before the receiver has even read the
                // request: logged (as a network failure), never seen.
                let seen = byID[id] ?? []
                let resets = seen.filter { $0.answer == 0 }.count
                let unseenAllowed = log.filter { ["timeout", "connect_failed", "other"].contains($0["outcome"]?.stringValue ?? "") }.count
                #expect(
                    (seen.count - resets)...(seen.count + unseenAllowed) ~= log.count,
                    "\(id): \(log.count) attempts logged, \(seen.count) requests received (\(resets) reset): \(log.map { ($0["outcome"]?.stringValue ?? "", $0["error"]?.stringValue ?? "") }) vs \(seen.map(\.answer))")
                #expect(log.last?["outcome"]?.stringValue == "success", "\(id): \(log)")
                #expect(log.dropLast().allSatisfy { $0["outcome"]?.stringValue != "success" }, "\(id): \(log)")
            }
            #expect(await server.stop() == 0)
        }

        @Test func aServerKilledWithSIGKILLMidDeliveryLosesNoEvent() async throws {
            try await Self.requirePython(module: "standardwebhooks")
            let directory = try TempDirectory()
            defer { directory.remove() }
            let receiver = try await Receiver.start(mode: "hold", seed: 0, directory: directory)
            defer { receiver.stop() }
            // An attempt may take 1 + 3 s, so a lease is 9 s; the receiver holds each request 2 s.
            let config = try Self.writeConfig(directory, timeoutMs: 3_000)
            let database = directory.path("killed.sqlite")
            let first = try await ServerProcess.start(
                ["--config", config], database: database, adminToken: Self.adminToken, directory: directory)
            var api = API(port: first.port)
            let endpoint = try await api.createEndpoint(receiver.url, secretFile: receiver.secretFile)
            for index in 0..<10 {
                #expect(try await api.call("POST", "/v1/accounts", #"{"id": "killed-\#(index)"}"#).status == 201)
                for _ in 0..<2 {
                    #expect(try await api.call("POST", "/v1/accounts/killed-\(index)/topups", #"{"amount": 7}"#).status == 201)
                }
            }
            let before = try await api.eventIDs()
            #expect(before.count == 20)
            // Kill once the first attempts are being held by the receiver (the 2 s are not up).
            #expect(try await Self.eventually(20) { receiver.requests().count >= 4 }, "attempts started")
            try await Task.sleep(for: .milliseconds(700))
            let killedAt = Date().timeIntervalSince1970
            kill(first.process.processIdentifier, SIGKILL)
            #expect(await first.process.exitStatus() == SIGKILL, "SIGKILL ended the server")
            let inFlight = Set(receiver.requests().filter { $0.startedAt > killedAt - 1.9 && $0.startedAt < killedAt }.map(\.id))
            print("WebhookEndToEndTests SIGKILL: \(inFlight.count) attempts in flight at the kill: \(inFlight.sorted())")
            #expect(!inFlight.isEmpty, "the kill caught deliveries in flight")

            let second = try await ServerProcess.start(
                ["--config", config], database: database, adminToken: Self.adminToken, directory: directory)
            api = API(port: second.port)
            let events = try await api.eventIDs()
            #expect(events == before, "every acknowledged top-up's event survived the kill")
            let started = Date()
            let done = try await Self.eventually(60) {
                let deliveries = try await api.deliveries(endpoint)
                return deliveries.count == events.count
                    && deliveries.allSatisfy { $0["status"]?.stringValue == "succeeded" }
            }
            print("WebhookEndToEndTests SIGKILL: all delivered \(Int(Date().timeIntervalSince(started))) s after the restart")
            let deliveries = try await api.deliveries(endpoint)
            let notDone = deliveries.filter { $0["status"]?.stringValue != "succeeded" }.map { $0["event"]?.stringValue ?? "?" }
            #expect(done, "every delivery succeeded after the restart; not: \(notDone)")
            let requests = receiver.requests()
            let answered = Set(requests.filter { $0.answer == 204 }.map(\.id))
            #expect(events.isSubset(of: answered), "the receiver got every event: missing \(events.subtracting(answered).sorted())")
            let resent = Set(requests.filter { $0.startedAt > killedAt }.map(\.id))
            #expect(inFlight.isSubset(of: resent), "what was in flight at the kill was sent again: \(inFlight.subtracting(resent).sorted())")
            #expect(requests.allSatisfy { $0.verified })
            #expect(await second.stop() == 0)
        }

        @Test func theEnginesRealBodiesValidateAgainstTheEventSchemas() async throws {
            try await Self.requirePython(module: "standardwebhooks")
            try await Self.requirePython(module: "jsonschema")
            let directory = try TempDirectory()
            defer { directory.remove() }
            let receiver = try await Receiver.start(mode: "ok", seed: 0, directory: directory)
            defer { receiver.stop() }
            let gone = try await Receiver.start(mode: "gone", seed: 0, directory: directory, name: "gone")
            defer { gone.stop() }
            let server = try await ServerProcess.start(
                ["--config", try Self.writeConfig(directory, timeoutMs: 1_000), "--test-clock"],
                database: directory.path("schemas.sqlite"), adminToken: Self.adminToken, directory: directory)
            let api = API(port: server.port)
            let all = try await api.createEndpoint(receiver.url, secretFile: receiver.secretFile)
            let goneEndpoint = try await api.createEndpoint(
                gone.url, secretFile: gone.secretFile, events: #"["credits.added"]"#)

            func expectStatus(_ status: Int, _ method: String, _ path: String, _ body: String = "") async throws {
                let answer = try await api.call(method, path, body)
                #expect(answer.status == status, "\(method) \(path) \(body): \(answer.status) \(answer.body)")
            }
            // A plan account: period.reset, usage.threshold, balance.low / depleted / recovered, account.updated.
            try await expectStatus(201, "POST", "/v1/accounts", #"{"id": "schema-plan", "plan": "daily"}"#)
            try await expectStatus(200, "POST", "/v1/authorize", #"{"account": "schema-plan", "cost": 600}"#)
            try await expectStatus(200, "POST", "/v1/authorize", #"{"account": "schema-plan", "cost": 400}"#)
            try await expectStatus(201, "POST", "/v1/accounts/schema-plan/topups", #"{"amount": 2000, "reference": "pay-1"}"#)
            // A second on the clock first: a settings change in the same millisecond as the
            // account's last one writes no account.updated (see the report on AccountActor.events).
            try await expectStatus(200, "POST", "/v1/test-clock/advance", #"{"seconds": 1}"#)
            try await expectStatus(200, "PATCH", "/v1/accounts/schema-plan", #"{"thresholds": [300, 50], "metadata": {"tier": "gold"}}"#)
            // Auto top-up, a pack with an expiry, and a hold left to expire.
            try await expectStatus(
                201, "POST", "/v1/accounts",
                #"{"id": "schema-auto", "auto_topup": {"below": 500, "pack": "day-pack", "monthly_cap": 3}}"#)
            try await expectStatus(201, "POST", "/v1/accounts/schema-auto/topups", #"{"amount": 1000}"#)
            try await expectStatus(200, "POST", "/v1/authorize", #"{"account": "schema-auto", "cost": 700}"#)
            try await expectStatus(201, "POST", "/v1/accounts/schema-auto/packs", #"{"pack": "day-pack", "reference": "pay-2"}"#)
            try await expectStatus(
                200, "POST", "/v1/authorize", #"{"account": "schema-auto", "cost": 50, "hold": true, "hold_ttl_seconds": 60}"#)
            // Two days on the test clock: the hold and the pack's lot expire, the plan's periods reset.
            try await expectStatus(200, "POST", "/v1/test-clock/advance", #"{"seconds": 172800}"#)

            #expect(try await Self.eventually(30) {
                try await api.call("GET", "/v1/webhook-endpoints/\(goneEndpoint)").json?["enabled"] == .bool(false)
            }, "the 410 disabled its endpoint")
            let events = try await api.eventIDs()
            let arrived = try await Self.eventually(30) {
                events.isSubset(of: Set(receiver.requests().filter { $0.answer == 204 }.map(\.id)))
            }
            #expect(arrived, "every event reached the recording endpoint")
            _ = all

            // The bytes as sent, one per event, checked by the folder's own validator.
            var bodies: [String: [UInt8]] = [:]
            for request in receiver.requests() where bodies[request.id] == nil { bodies[request.id] = request.body }
            let types = Set(bodies.values.compactMap { (try? JSONParser.parse($0))?["type"]?.stringValue })
            let schemas = try FileManager.default.contentsOfDirectory(atPath: Self.eventsFolder.path)
                .filter { $0.hasSuffix(".schema.json") }.map { String($0.dropLast(".schema.json".count)) }
            #expect(schemas.count == 12)
            #expect(Set(schemas).subtracting(types).isEmpty, "every event type was produced; missing \(Set(schemas).subtracting(types).sorted())")
            let lines = bodies.sorted { $0.key < $1.key }.map { String(decoding: $0.value, as: UTF8.self) }
            #expect(lines.allSatisfy { !$0.contains("\n") })
            let file = directory.path("bodies.jsonl")
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
            let validation = try await runToCompletion(URL(fileURLWithPath: "/usr/bin/env"), ["python3", Self.eventsFolder.appendingPathComponent("validate.py").path, file])
            print("WebhookEndToEndTests schemas: \(lines.count) bodies of \(types.count) types: \(validation.output.split(separator: "\n").last ?? "")")
            #expect(validation.status == 0, "validate.py: \(validation.output)")
            #expect(validation.output.contains("\(lines.count) checked, 0 problems"), "\(validation.output)")
            #expect(await server.stop() == 0)
        }

        // MARK: - Helpers

        static let eventsFolder = repositoryRoot.appendingPathComponent("webhooks/events")

        /// A config with short timeouts, a retry every second, a 1 s throttle floor and private
        /// addresses allowed, plus a small catalog for the schema test.
        static func writeConfig(_ directory: TempDirectory, timeoutMs: Int) throws -> String {
            let path = directory.path("tally.json")
            let schedule = Array(repeating: "1", count: 29).joined(separator: ", ")
            let text = """
                {
                  "durability": "full",
                  "webhooks": {
                    "retry_schedule_seconds": [0, \(schedule)],
                    "throttle_floor_seconds": 1,
                    "connect_timeout_ms": 1000,
                    "timeout_ms": \(timeoutMs),
                    "max_in_flight": 16,
                    "max_in_flight_per_endpoint": 8,
                    "allow_private": true
                  },
                  "alerts": { "hysteresis": 0, "auto_topup_cooldown_seconds": 60, "auto_topup_timeout_seconds": 3600 },
                  "operations": { "call": 1 },
                  "packs": {
                    "day-pack": { "credits": 1000, "price": { "amount": 900, "currency": "USD" }, "expires_in_days": 1 }
                  },
                  "plans": {
                    "daily": {
                      "allowance": 1000, "period": "day", "thresholds": [500, 100], "usage_alerts_percent": [50, 100]
                    }
                  }
                }
                """
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }

        /// Fails the test with how to install `module` when python3 cannot import it.
        static func requirePython(module: String) async throws {
            let result = try await runToCompletion(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import \(module)"])
            try #require(
                result.status == 0,
                "python3 cannot import '\(module)', which this test needs: python3 -m pip install \(module) (.ci/run installs it). \(result.output)")
        }

        /// Waits until `done` holds, for at most `seconds`.
        static func eventually(_ seconds: Double, _ done: () async throws -> Bool) async throws -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if try await done() { return true }
                try await Task.sleep(for: .milliseconds(200))
            }
            return try await done()
        }
    }
}

/// The admin API of a `tally serve` child over loopback, one connection per request.
struct API: Sendable {
    let client: JSONClient

    init(port: Int) { client = JSONClient(port: port, token: CLITests.WebhookEndToEndTests.adminToken) }

    /// Sends `method path` with a JSON body unless it is empty.
    func call(_ method: String, _ path: String, _ body: String = "") async throws -> WireResponse {
        try await client.send(method, path, json: body.isEmpty ? nil : body)
    }

    /// Registers an endpoint and hands its secret to the receiver (before any event is made).
    func createEndpoint(_ url: String, secretFile: String, events: String = #"["*"]"#) async throws -> String {
        let created = try await call("POST", "/v1/webhook-endpoints", #"{"url": "\#(url)", "events": \#(events)}"#)
        guard created.status == 201, let id = created.json?["id"]?.stringValue, let secret = created.json?["secret"]?.stringValue,
            secret.hasPrefix("whsec_")
        else { throw ChildProcessError(detail: "creating the endpoint: \(created.status) \(created.body)") }
        try Data(secret.utf8).write(to: URL(fileURLWithPath: secretFile))
        return id
    }

    /// Every event id, in order, following the pages.
    func eventIDs() async throws -> Set<String> {
        var ids = Set<String>()
        var cursor: String?
        repeat {
            let page = try await call("GET", "/v1/events?limit=1000" + (cursor.map { "&after=\($0)" } ?? "")).json
            ids.formUnion(page?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
            cursor = page?["next_cursor"]?.stringValue
        } while cursor != nil
        return ids
    }

    /// Every delivery of an endpoint with its attempts log, following the pages.
    func deliveries(_ endpoint: String) async throws -> [JSONValue] {
        var all: [JSONValue] = []
        var cursor: String?
        repeat {
            let page = try await call(
                "GET", "/v1/webhook-endpoints/\(endpoint)/deliveries?limit=1000" + (cursor.map { "&after=\($0)" } ?? "")).json
            all += page?["data"]?.arrayValue ?? []
            cursor = page?["next_cursor"]?.stringValue
        } while cursor != nil
        return all
    }
}

/// A Python receiver (stdlib `http.server`, written out by the test) that verifies every request
/// with `standardwebhooks` and logs it as one JSON line.
struct Receiver: Sendable {
    let process: Process
    let port: Int
    let logFile: String
    let secretFile: String

    var url: String { "http://127.0.0.1:\(port)/hooks" }

    /// One request as the receiver saw it.
    struct Request: Sendable, CustomStringConvertible {
        let id: String
        let verified: Bool
        let error: String
        /// What the receiver answered: an HTTP status, 0 for a reset connection.
        let answer: Int
        /// Whether the answer was meant to arrive after Tally's timeout.
        let late: Bool
        let startedAt: Double
        let body: [UInt8]

        /// A 2xx that Tally received before its timeout.
        var answeredInTime: Bool { (200..<300).contains(answer) && !late }
        var description: String { "\(id) answer \(answer) verified \(verified) \(error)" }
    }

    /// `mode`: `flaky` (seeded random failures), `hold` (204 after 2 s), `ok` (204), `gone` (410).
    static func start(mode: String, seed: UInt64, directory: TempDirectory, name: String = "receiver") async throws -> Receiver {
        let script = directory.path("webhook_receiver.py")
        try Data(receiverScript.utf8).write(to: URL(fileURLWithPath: script))
        let logFile = directory.path("\(name).jsonl")
        let secretFile = directory.path("\(name).secret")
        let stderrPath = directory.path("\(name).stderr")
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", script, mode, String(seed), secretFile, logFile]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        guard let line = await output.firstLine(), line.hasPrefix("port "), let port = Int(line.dropFirst(5)) else {
            kill(process.processIdentifier, SIGKILL)
            let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            throw ChildProcessError(detail: "the Python receiver did not start: \(stderr)")
        }
        return Receiver(process: process, port: port, logFile: logFile, secretFile: secretFile)
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Every request logged so far (a line being written is left for the next read).
    func requests() -> [Request] {
        guard let data = FileManager.default.contents(atPath: logFile) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard let json = try? JSONParser.parse(Array(line)), let id = json["id"]?.stringValue,
                let body = json["body"]?.stringValue.flatMap({ Data(base64Encoded: $0) })
            else { return nil }
            let started = json["started"]?.stringValue.flatMap(Double.init) ?? 0
            return Request(
                id: id, verified: json["verified"] == .bool(true), error: json["error"]?.stringValue ?? "",
                answer: Int(json["answer"]?.integerValue ?? -1), late: json["late"] == .bool(true), startedAt: started,
                body: Array(body))
        }
    }

    static let receiverScript = #"""
        # Webhook receiver for Tally's end-to-end tests: verifies with the PyPI standardwebhooks
        # package, answers by mode, logs each request as a JSON line. Prints "port N" when ready.
        import base64, json, os, random, socket, struct, sys, threading, time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        try:
            from standardwebhooks.webhooks import Webhook
        except ImportError as error:
            sys.exit("standardwebhooks is not installed (python3 -m pip install standardwebhooks): %s" % error)

        mode, seed, secret_file, log_file = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
        lock = threading.Lock()
        counter = [0]
        log = open(log_file, "a", encoding="utf-8")

        def verify(body, headers):
            try:
                secret = open(secret_file, encoding="utf-8").read().strip()
            except OSError:
                return False, "no secret yet"
            try:
                Webhook(secret).verify(body, headers)
                return True, ""
            except Exception as error:
                return False, repr(error)

        def choose(index):
            if mode == "ok":
                return 204, 0.0, [], False
            if mode == "gone":
                return 410, 0.0, [], False
            if mode == "hold":
                return 204, 2.0, [], False
            roll = random.Random(seed * 1000003 + index).random()
            if roll < 0.20: return 500, 0.0, [], False
            if roll < 0.30: return 429, 0.0, [("Retry-After", "1")], False
            if roll < 0.38: return 204, 1.6, [], True        # past Tally's 1 s timeout
            if roll < 0.44: return 0, 0.0, [], False         # connection reset, no answer
            if roll < 0.52: return 200, 0.3, [], False       # slow but in time
            return 204, 0.0, [], False

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                started = time.time()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {key.lower(): value for key, value in self.headers.items()}
                with lock:
                    index = counter[0]
                    counter[0] += 1
                status, delay, extra, late = choose(index)
                verified, error = verify(body, headers)
                record = {"id": headers.get("webhook-id", ""), "started": repr(started), "answer": status, "late": late,
                          "verified": verified, "error": error, "body": base64.b64encode(body).decode()}
                with lock:
                    log.write(json.dumps(record) + "\n")
                    log.flush()
                if delay:
                    time.sleep(delay)
                if status == 0:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                    return
                try:
                    self.send_response(status)
                    for name, value in extra:
                        self.send_header(name, value)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    self.wfile.flush()
                except OSError:
                    self.close_connection = True

        ThreadingHTTPServer.request_queue_size = 128   # the default 5 drops SYNs under 8 parallel attempts
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        print("port %d" % server.server_address[1], flush=True)
        server.serve_forever()
        """#
}
