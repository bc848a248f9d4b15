import TallyCore
import TallyCrypto

extension WebhookSecret {
    /// A new secret of 32 random bytes.
    public static func generate() -> WebhookSecret {
        WebhookSecret(keyBytes: Crypto.randomBytes(generatedKeyBytes))!
    }
}
