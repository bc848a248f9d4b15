// Webhook secrets are `whsec_` + base64 of 24–64 bytes; base64 round-trips without Foundation and
// accepts missing padding but nothing outside the alphabet.
import Testing
import TallyCore
import TallyTesting

@Suite struct WebhookSecretTests {
    @Test func thePublishedSecretParses() throws {
        let secret = try WebhookSecret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").get()
        #expect(secret.keyBytes.count == 24)
        #expect(secret.text == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    }

    @Test func badSecretsSayWhy() {
        #expect(WebhookSecret.parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == .failure(.missingPrefix))
        #expect(WebhookSecret.parse("whsec_") == .failure(.wrongKeyLength))
        #expect(WebhookSecret.parse("whsec_c2hvcnQ=") == .failure(.wrongKeyLength))
        #expect(WebhookSecret.parse("whsec_" + Base64.encode([UInt8](repeating: 7, count: 65))) == .failure(.wrongKeyLength))
        #expect(WebhookSecret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La!aSw") == .failure(.notBase64))
        #expect(WebhookSecret(keyBytes: [UInt8](repeating: 1, count: 23)) == nil)
        #expect(WebhookSecret(keyBytes: [UInt8](repeating: 1, count: 64)) != nil)
    }

    @Test func unpaddedSecretsAreAccepted() throws {
        let key = [UInt8](0..<32)
        let padded = WebhookSecret(keyBytes: key)!.text
        #expect(padded.hasSuffix("="))
        #expect(try WebhookSecret.parse(String(padded.dropLast())).get().keyBytes == key)
    }

    @Test func base64MatchesRFC4648() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base64.encode([0xFB, 0xFF]) == "+/8=")
        for bad in ["Z", "Zg===", "Zm9v!", "Zg=a", "Z===", "Zm9=v"] { #expect(Base64.decode(bad) == nil, "\(bad)") }
    }

    @Test(arguments: [UInt64(5), 1_234])
    func base64RoundTripsRandomBytes(seed: UInt64) {
        var random = planRandom(seed: seed)
        for _ in 0..<2_000 {
            let bytes = (0..<random.below(80)).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes, "seed \(seed)")
            let unpadded = Base64.encode(bytes).filter { $0 != "=" }
            #expect(Base64.decode(unpadded) == bytes, "seed \(seed): padding may be left off")
        }
    }

    /// Only the standard alphabet is read: `-` and `_` (the URL-safe one's) are refused.
    @Test func base64ReadsTheStandardAlphabetOnly() {
        #expect(Base64.decode("+/8") == [0xFB, 0xFF])
        #expect(Base64.decode("-_8") == nil)
    }
}
