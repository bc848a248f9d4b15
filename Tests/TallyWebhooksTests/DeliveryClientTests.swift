// The delivery client against a real loopback receiver: each outcome class (2xx, 5xx, 410, 429
// with Retry-After, timeout, reset), redirects not followed, the body cap, the signed headers,
// connection reuse and the per-endpoint cap.
import Testing
import TallyCore
import TallyTesting
import TallyWebhooks

@Suite(.serialized) struct DeliveryClientTests {
    @Test func answersAreClassified() async throws {
        let server = try ScriptedReceiver.start()
        defer { _ = server.stop() }
        let client = DeliveryClient(configuration: devConfiguration())
        defer { client.shutdown() }
        let ok = await client.deliver(.loopback(server.port, "/status/204"))
        #expect(ok.outcome == .success && ok.httpStatus == 204 && ok.remoteAddress == "127.0.0.1")
        let failed = await client.deliver(.loopback(server.port, "/status/500"))
        #expect(failed.outcome == .httpStatus(500) && failed.errorDetail == nil)
        #expect(await client.deliver(.loopback(server.port, "/status/410")).outcome == .httpStatus(410))
        let throttled = await client.deliver(.loopback(server.port, "/retry-after/429/120"))
        #expect(throttled.outcome == .httpStatus(429) && throttled.retryAfter == "120")
        let reset = await client.deliver(.loopback(server.port, "/reset"))
        #expect(reset.outcome == .other && reset.httpStatus == 0)
    }

    @Test func aSlowReceiverTimesOut() async throws {
        let server = try ScriptedReceiver.start()
        defer { _ = server.stop() }
        var configuration = devConfiguration()
        configuration.totalTimeoutMs = 300
        let client = DeliveryClient(configuration: configuration)
        defer { client.shutdown() }
        let result = await client.deliver(.loopback(server.port, "/slow/3000"))
        #expect(result.outcome == .timeout)
        #expect((250..<2_500).contains(result.durationMs), "\(result.durationMs) ms")
    }

    @Test func redirectsAreNotFollowed() async throws {
        let server = try ScriptedReceiver.start()
        defer { _ = server.stop() }
        let client = DeliveryClient(configuration: devConfiguration())
        defer { client.shutdown() }
        #expect(await client.deliver(.loopback(server.port, "/redirect")).outcome == .httpStatus(302))
        #expect(try await requestCount(server.port) == 1, "the Location was never requested")
    }

    @Test func onlyTheFirstBytesOfABigAnswerAreKept() async throws {
        let server = try ScriptedReceiver.start()
        defer { _ = server.stop() }
        var configuration = devConfiguration()
        configuration.responseDiscardLimitBytes = 100_000
        let client = DeliveryClient(configuration: configuration)
        defer { client.shutdown() }
        let big = await client.deliver(.loopback(server.port, "/big/50000"))
        #expect(big.outcome == .success && big.responseBody.count == 8_192)
        let huge = await client.deliver(.loopback(server.port, "/big/3000000"))
        #expect(huge.outcome == .success && huge.httpStatus == 200 && huge.responseBody.count == 8_192, "cut, but the 200 stands")
    }

    @Test func theRequestCarriesSignedStandardWebhooksHeaders() async throws {
        let server = try ScriptedReceiver.start()
        defer { _ = server.stop() }
        let client = DeliveryClient(configuration: devConfiguration(now: 1_800_000_123))
        defer { client.shutdown() }
        let old = try WebhookSecret.parse("whsec_" + Base64.encode([UInt8](repeating: 9, count: 32))).get()
        let body = #"{"type":"credits.added","data":{"account":"cus_1","note":"é"}}"#
        let result = await client.deliver(.loopback(server.port, "/echo", id: "evt_42", body: body, secrets: [testSecret, old]))
        let echoed = try JSONParser.parse(result.responseBody)
        let headers = try #require(echoed["headers"])
        #expect(echoed["body"]?.stringValue == body)
        #expect(headers["content-type"]?.stringValue == "application/json")
        #expect(headers["user-agent"]?.stringValue == "Tally-Webhooks")
        #expect(headers["webhook-id"]?.stringValue == "evt_42")
        #expect(headers["webhook-timestamp"]?.stringValue == "1800000123" && result.timestampSeconds == 1_800_000_123)
        #expect(headers["expect"] == nil)
        let signature = try #require(headers["webhook-signature"]?.stringValue)
        #expect(signature.split(separator: " ").count == 2, "both secrets sign during a rotation")
        for secret in [testSecret, old] {
            let verdict = WebhookVerifier(secrets: [secret]).verify(
                id: "evt_42", timestamp: "1800000123", signature: signature, body: Array(body.utf8), nowSeconds: 1_800_000_200)
            #expect(verdict == .valid)
        }
    }

    @Test func connectionsAreReused() async throws {
        let server = try ScriptedReceiver.start()
        defer { _ = server.stop() }
        let client = DeliveryClient(configuration: devConfiguration())
        defer { client.shutdown() }
        for index in 0..<5 { #expect(await client.deliver(.loopback(server.port, "/status/204", id: "evt_\(index)")).outcome == .success) }
        let ports = try await stats(server.port)["ports"]?.arrayValue?.compactMap(\.integerValue) ?? []
        #expect(ports.count == 5 && Set(ports).count == 1, "one connection for five sequential attempts: \(ports)")
    }

    @Test func thePerEndpointCapHoldsBackTheRest() async throws {
        let server = try ScriptedReceiver.start()
        defer { _ = server.stop() }
        var configuration = devConfiguration()
        configuration.maxInFlightPerEndpoint = 2
        let client = DeliveryClient(configuration: configuration)
        defer { client.shutdown() }
        let outcomes = await withTaskGroup(of: AttemptOutcome.self) { group in
            for index in 0..<6 {
                group.addTask { await client.deliver(.loopback(server.port, "/hold/300", id: "evt_\(index)")).outcome }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes == Array(repeating: .success, count: 6))
        #expect(try await stats(server.port)["max_overlap"]?.integerValue == 2)
    }

    @Test func shutdownEndsWhatIsInFlightAndRefusesMore() async throws {
        let server = try ScriptedReceiver.start()
        defer { _ = server.stop() }
        let client = DeliveryClient(configuration: devConfiguration())
        async let slow = client.deliver(.loopback(server.port, "/slow/5000"))
        // In flight means the receiver has it: wait for that rather than for a guessed time.
        var arrived = false
        for _ in 0..<1_000 where !arrived {
            arrived = try await stats(server.port)["requests"]?.integerValue == 1
            if !arrived { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(arrived, "the slow attempt reached the receiver")
        client.shutdown()
        let result = await slow
        #expect(result.outcome == .other && result.errorDetail?.contains("shut down") == true)
        #expect(await client.deliver(.loopback(server.port, "/status/204")).outcome == .other)
    }

    private func stats(_ port: Int) async throws -> JSONValue {
        try JSONParser.parse(Array(try await loopbackRequest(port: port, "POST", "/stats", body: []).body.utf8))
    }

    private func requestCount(_ port: Int) async throws -> Int64? { try await stats(port)["requests"]?.integerValue }
}
