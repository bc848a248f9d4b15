import TallyCore
import TallyCrypto

/// Standard Webhooks `v1` signatures: base64 of HMAC-SHA256 over `id.timestamp.body` with the
/// secret's key bytes.
public enum WebhookSigner {
    /// The raw 32-byte MAC of one message under one secret.
    public static func mac(secret: WebhookSecret, messageID: String, timestampSeconds: Int64, body: [UInt8]) -> [UInt8] {
        let signed = Array("\(messageID).\(timestampSeconds).".utf8) + body
        return Crypto.hmacSHA256(key: secret.keyBytes, message: signed)
    }

    /// The `webhook-signature` header value: `v1,<base64>` for each secret, space-separated, in
    /// the order given (current secret first during a rotation).
    public static func header(secrets: [WebhookSecret], messageID: String, timestampSeconds: Int64, body: [UInt8]) -> String {
        secrets.map { "v1," + Base64.encode(mac(secret: $0, messageID: messageID, timestampSeconds: timestampSeconds, body: body)) }
            .joined(separator: " ")
    }

    /// Whether any `v1` entry of a `webhook-signature` header matches any of `secrets`; entries
    /// of other versions are ignored and every comparison is constant-time.
    public static func matches(header: String, secrets: [WebhookSecret], messageID: String, timestampSeconds: Int64, body: [UInt8]) -> Bool {
        let offered = header.split(separator: " ").compactMap { entry -> [UInt8]? in
            guard entry.hasPrefix("v1,") else { return nil }
            return Base64.decode(entry.dropFirst(3))
        }
        return secrets.contains { secret in
            let expected = mac(secret: secret, messageID: messageID, timestampSeconds: timestampSeconds, body: body)
            return offered.contains { Crypto.constantTimeEqual($0, expected) }
        }
    }
}

/// Checks a received delivery the way a receiver should: all three headers present, the
/// timestamp within the tolerance of the receiver's clock, and a matching signature.
public struct WebhookVerifier: Sendable {
    /// Five minutes either way, as the specification advises.
    public static let defaultToleranceSeconds: Int64 = 300

    public let secrets: [WebhookSecret]
    public let toleranceSeconds: Int64

    /// A verifier accepting any of `secrets` (several during a rotation).
    public init(secrets: [WebhookSecret], toleranceSeconds: Int64 = defaultToleranceSeconds) {
        self.secrets = secrets
        self.toleranceSeconds = toleranceSeconds
    }

    /// The verdict on one delivery's headers and exact body bytes at `nowSeconds`.
    public func verify(id: String?, timestamp: String?, signature: String?, body: [UInt8], nowSeconds: Int64) -> Verification {
        guard let id, let timestamp, let signature, !id.isEmpty else { return .missingHeader }
        guard timestamp.utf8.count <= 15, timestamp.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let seconds = Int64(timestamp)
        else { return .invalidTimestamp }
        guard abs(seconds - nowSeconds) <= toleranceSeconds else { return .timestampOutOfTolerance }
        let matched = WebhookSigner.matches(header: signature, secrets: secrets, messageID: id, timestampSeconds: seconds, body: body)
        return matched ? .valid : .noMatchingSignature
    }
}

/// What a receiver concluded about a delivery.
public enum Verification: String, Sendable, Hashable {
    case valid
    case missingHeader = "missing_header"
    case invalidTimestamp = "invalid_timestamp"
    case timestampOutOfTolerance = "timestamp_out_of_tolerance"
    case noMatchingSignature = "no_matching_signature"
}
