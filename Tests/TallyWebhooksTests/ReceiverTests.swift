// The example receivers in webhooks/receivers (Python, Node, Swift) each pass the signature
// vectors, accept Tally's own signed deliveries from the DeliveryClient (also when Tally signs
// with a new and an old secret), drop a repeated webhook-id, and refuse a wrong secret, a
// tampered body and missing headers.
import Foundation
import Testing
import TallyCore
import TallyTesting
import TallyWebhooks

@Suite(.serialized) struct ReceiverTests {
    enum Language: String, CaseIterable, CustomStringConvertible {
        case python, node, swift
        var description: String { rawValue }
    }

    /// The command that runs a receiver (the Swift one compiled first).
    static func command(_ language: Language) throws -> [String] {
        let folder = repositoryRoot.appendingPathComponent("webhooks/receivers/\(language)")
        switch language {
        case .python: return ["python3", "-u", folder.appendingPathComponent("receiver.py").path]
        case .node: return ["node", folder.appendingPathComponent("receiver.js").path]
        case .swift:
            let binary = FileManager.default.temporaryDirectory.appendingPathComponent("tally-swift-receiver-\(getpid())").path
            let source = folder.appendingPathComponent("receiver.swift").path
            guard try ChildProcess.run(["swiftc", "-swift-version", "6", source, "-o", binary]) == 0 else {
                throw ChildFailed(detail: "swiftc failed on \(source)")
            }
            return [binary]
        }
    }

    static func available(_ language: Language) -> Bool {
        language != .node || (try? ChildProcess.run(["node", "--version"])) == 0
    }

    @Test(arguments: Language.allCases)
    func passesTheVectors(language: Language) throws {
        guard Self.available(language) else { return print("node is absent: skipped") }
        #expect(try ChildProcess.run(try Self.command(language) + ["--check-vectors", vectorsPath]) == 0)
    }

    @Test(arguments: Language.allCases)
    func acceptsTallysDeliveriesAndRefusesForgeries(language: Language) async throws {
        guard Self.available(language) else { return print("node is absent: skipped") }
        let current = WebhookSecret.generate()
        let previous = WebhookSecret.generate()
        let receiver = try ChildProcess(try Self.command(language), environment: ["TALLY_WEBHOOK_SECRETS": previous.text])
        var configuration = DeliveryConfiguration(nowSeconds: { Int64(Date().timeIntervalSince1970) })
        configuration.addressPolicy = AddressPolicy(allowPrivate: true)
        let client = DeliveryClient(configuration: configuration)
        defer { client.shutdown() }
        let body = #"{"type":"credits.added","timestamp":"2026-11-25T10:00:00.000Z","data":{"account":"cus_1","account_seq":2}}"#
        func send(_ id: String, _ secrets: [WebhookSecret], body: String = body) async -> DeliveryResult {
            await client.deliver(.loopback(receiver.port, "/hooks", id: id, body: body, secrets: secrets))
        }
        #expect(await send("evt_1", [current, previous]).httpStatus == 204, "rotation: the old secret still verifies")
        #expect(await send("evt_1", [previous]).httpStatus == 204, "a retry of the same event")
        #expect(await send("evt_2", [current]).httpStatus == 401, "a secret the receiver does not hold")
        let stale = #"{"type":"balance.low","timestamp":"2026-11-25T09:00:00.000Z","data":{"account":"cus_1","account_seq":1}}"#
        #expect(await send("evt_0", [previous], body: stale).httpStatus == 204)
        let signed = await send("evt_3", [previous])
        #expect(signed.httpStatus == 204)
        let timestamp = String(signed.timestampSeconds)
        let signature = WebhookSigner.header(secrets: [previous], messageID: "evt_3", timestampSeconds: signed.timestampSeconds, body: Array(body.utf8))
        let tampered = Array(body.replacingOccurrences(of: "cus_1", with: "cus_2").utf8)
        let headers = [("webhook-id", "evt_3"), ("webhook-timestamp", timestamp), ("webhook-signature", signature), ("content-type", "application/json")]
        #expect(try await loopbackRequest(port: receiver.port, "POST", "/hooks", headers: headers, body: tampered).status == 401)
        #expect(
            try await loopbackRequest(port: receiver.port, "POST", "/hooks", headers: Array(headers.dropFirst()), body: Array(body.utf8))
                .status == 400)
        let lines = receiver.stop().split(separator: "\n").map(String.init)
        #expect(lines.first == "accepted evt_1 credits.added", "\(lines)")
        #expect(lines.contains("duplicate evt_1") && lines.contains("accepted evt_0 balance.low stale"), "\(lines)")
        #expect(lines.filter { $0.hasPrefix("accepted") }.count == 3, "\(lines)")
    }
}
