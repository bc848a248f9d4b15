// Proves `tally serve` maps libcurl only when it first sends a webhook: an idle server carries
// neither libcurl nor the ~29 libraries it needs (the idle memory target), and the first
// delivery loads it and arrives.
import Foundation
import TallyTesting
import Testing

extension CLITests {
    @Suite struct LazyCurlTests {
        @Test func libcurlIsMappedOnlyOnceAWebhookIsSent() async throws {
            try await WebhookEndToEndTests.requirePython(module: "standardwebhooks")
            let directory = try TempDirectory()
            defer { directory.remove() }
            let receiver = try await Receiver.start(mode: "ok", seed: 0, directory: directory)
            defer { receiver.stop() }
            let server = try await ServerProcess.start(
                ["--config", try WebhookEndToEndTests.writeConfig(directory, timeoutMs: 1_000)],
                database: directory.path("lazy.sqlite"), adminToken: WebhookEndToEndTests.adminToken, directory: directory)
            defer { if server.process.isRunning { kill(server.process.processIdentifier, SIGKILL) } }
            let pid = server.process.processIdentifier
            let api = API(port: server.port)

            #expect(try await api.call("POST", "/v1/accounts", #"{"id": "lazy"}"#).status == 201)
            // Several dispatcher passes over an empty outbox, counted by the server itself.
            #expect(
                try await WebhookEndToEndTests.eventually(30) { try await Self.dispatcherPasses(api) >= 3 },
                "the dispatcher ran its passes")
            #expect(try !Self.mapsLibcurl(pid), "an idle server has not loaded libcurl")
            let endpoint = try await api.createEndpoint(receiver.url, secretFile: receiver.secretFile)
            #expect(try !Self.mapsLibcurl(pid), "registering an endpoint does not load libcurl")

            #expect(try await api.call("POST", "/v1/accounts/lazy/topups", #"{"amount": 5}"#).status == 201)
            let delivered = try await WebhookEndToEndTests.eventually(30) {
                try await api.deliveries(endpoint).first?["status"]?.stringValue == "succeeded"
            }
            #expect(delivered, "the top-up's event was delivered")
            #expect(receiver.requests().contains { $0.answer == 204 && $0.verified }, "the receiver got it, signed")
            #expect(try Self.mapsLibcurl(pid), "the first delivery loaded libcurl")
            #expect(await server.stop() == 0)
        }

        /// Whether libcurl is among the files process `pid` has mapped.
        /// The server's count of dispatcher passes, from `/metrics`.
        static func dispatcherPasses(_ api: API) async throws -> Int {
            let metrics = try await api.call("GET", "/metrics").body
            let line = metrics.split(separator: "\n").first { $0.hasPrefix("tally_webhook_dispatcher_passes_total ") }
            return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        }

        static func mapsLibcurl(_ pid: Int32) throws -> Bool {
            // Read to the end: String(contentsOfFile:) stops after one read of a /proc file.
            let maps = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/\(pid)/maps")).readToEnd() ?? Data()
            return String(decoding: maps, as: UTF8.self).contains("/libcurl.so")
        }
    }
}
