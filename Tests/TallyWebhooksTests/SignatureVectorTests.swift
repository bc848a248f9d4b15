// The signer reproduces every vector in webhooks/vectors/signatures.json (the published Standard
// Webhooks vectors among them) and the verifier gives every verification case its verdict,
// including rotation, tampering, other versions and the ±300 s tolerance edges.
import Foundation
import Testing
import TallyCore
import TallyTesting
import TallyWebhooks

let vectorsPath = repositoryRoot.appendingPathComponent("webhooks/vectors/signatures.json").path

@Suite struct SignatureVectorTests {
    func vectors() throws -> JSONValue {
        try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: vectorsPath))))
    }

    func secrets(_ vector: JSONValue) throws -> [WebhookSecret] {
        try (vector["secrets"]?.arrayValue ?? []).map { try WebhookSecret.parse($0.stringValue ?? "").get() }
    }

    @Test func thePublishedVectorIsReproduced() throws {
        let secret = try WebhookSecret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").get()
        let header = WebhookSigner.header(
            secrets: [secret], messageID: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestampSeconds: 1_614_265_330,
            body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(header == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func everySigningVectorIsReproduced() throws {
        let cases = try #require(try vectors()["signing"]?.arrayValue)
        #expect(cases.count >= 9)
        for vector in cases {
            let header = WebhookSigner.header(
                secrets: try secrets(vector), messageID: vector["msg_id"]?.stringValue ?? "",
                timestampSeconds: vector["timestamp"]?.integerValue ?? 0, body: Array((vector["body"]?.stringValue ?? "").utf8))
            #expect(header == vector["signature"]?.stringValue, "\(vector["name"]?.stringValue ?? "")")
        }
    }

    @Test func everyVerificationCaseGetsItsVerdict() throws {
        let cases = try #require(try vectors()["verification"]?.arrayValue)
        for vector in cases {
            let verdict = WebhookVerifier(secrets: try secrets(vector)).verify(
                id: vector["msg_id"]?.stringValue, timestamp: vector["timestamp"]?.integerValue.map(String.init),
                signature: vector["signature"]?.stringValue, body: Array((vector["body"]?.stringValue ?? "").utf8),
                nowSeconds: vector["now"]?.integerValue ?? 0)
            #expect((verdict == .valid) == (vector["valid"] == .bool(true)), "\(vector["name"]?.stringValue ?? ""): \(verdict)")
        }
    }

    @Test func missingOrMalformedHeadersAreNamed() {
        let verifier = WebhookVerifier(secrets: [testSecret])
        #expect(verifier.verify(id: nil, timestamp: "1", signature: "v1,x", body: [], nowSeconds: 1) == .missingHeader)
        #expect(verifier.verify(id: "evt_1", timestamp: nil, signature: "v1,x", body: [], nowSeconds: 1) == .missingHeader)
        #expect(verifier.verify(id: "evt_1", timestamp: "1", signature: nil, body: [], nowSeconds: 1) == .missingHeader)
        #expect(verifier.verify(id: "evt_1", timestamp: "1.5", signature: "v1,x", body: [], nowSeconds: 1) == .invalidTimestamp)
        #expect(verifier.verify(id: "evt_1", timestamp: "-1", signature: "v1,x", body: [], nowSeconds: 1) == .invalidTimestamp)
        #expect(verifier.verify(id: "evt_1", timestamp: "1000", signature: "v1,x", body: [], nowSeconds: 1) == .timestampOutOfTolerance)
        #expect(verifier.verify(id: "evt_1", timestamp: "1", signature: "v1,x", body: [], nowSeconds: 1) == .noMatchingSignature)
    }

    @Test func generatedSecretsAreFreshAndWellFormed() throws {
        let first = WebhookSecret.generate()
        #expect(first.keyBytes.count == 32 && first != WebhookSecret.generate())
        #expect(try WebhookSecret.parse(first.text).get() == first)
    }

    @Test func anIndependentImplementationAgreesWithTheVectors() throws {
        guard (try? ChildProcess.run(["python3", "-c", "import standardwebhooks"])) == 0 else {
            print("standardwebhooks is not installed (pip install standardwebhooks): independent check skipped")
            return
        }
        let script = repositoryRoot.appendingPathComponent("webhooks/vectors/check_with_standardwebhooks.py").path
        #expect(try ChildProcess.run(["python3", script, vectorsPath]) == 0)
    }
}
