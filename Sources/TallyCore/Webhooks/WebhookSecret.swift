/// An endpoint's signing secret: `whsec_` followed by the base64 of 24–64 key bytes, as the
/// Standard Webhooks specification writes it.
public struct WebhookSecret: Sendable, Hashable {
    public static let prefix = "whsec_"
    /// The key sizes the specification allows.
    public static let keyByteRange = 24...64
    /// What Tally generates: 32 bytes, the HMAC-SHA256 block's natural key strength.
    public static let generatedKeyBytes = 32

    /// The HMAC key.
    public let keyBytes: [UInt8]

    /// A secret over `keyBytes`; nil when their count is outside 24–64.
    public init?(keyBytes: [UInt8]) {
        guard Self.keyByteRange.contains(keyBytes.count) else { return nil }
        self.keyBytes = keyBytes
    }

    /// Parses `whsec_<base64>`; padding may be missing.
    public static func parse(_ text: String) -> Result<WebhookSecret, WebhookSecretProblem> {
        guard text.hasPrefix(prefix) else { return .failure(.missingPrefix) }
        guard let bytes = Base64.decode(text.dropFirst(prefix.count)) else { return .failure(.notBase64) }
        guard let secret = WebhookSecret(keyBytes: bytes) else { return .failure(.wrongKeyLength) }
        return .success(secret)
    }

    /// The secret as shown to the endpoint's owner, with padding.
    public var text: String { Self.prefix + Base64.encode(keyBytes) }
}

/// Why a text is not a webhook secret.
public enum WebhookSecretProblem: String, Sendable, Hashable, Error {
    case missingPrefix = "missing_whsec_prefix"
    case notBase64 = "not_base64"
    case wrongKeyLength = "key_length_out_of_range"
}
