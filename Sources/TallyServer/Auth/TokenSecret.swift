import TallyCore
import TallyCrypto

/// Making and hashing service token secrets: `tly_` + 43 base62 characters (≥ 256 bits).
public enum TokenSecret {
    /// The prefix every service token starts with, so a leaked one is easy to recognise.
    public static let prefix = "tly_"

    /// A fresh random token from the system's cryptographic generator.
    public static func generate() -> String {
        var characters: [UInt8] = []
        while characters.count < 43 {
            // Rejection sampling keeps every character equally likely: 248 = 4 × 62.
            for byte in Crypto.randomBytes(64) where byte < 248 && characters.count < 43 {
                characters.append(Base62.alphabet[Int(byte % 62)])
            }
        }
        return prefix + String(decoding: characters, as: UTF8.self)
    }

    /// The SHA-256 of a token, which is all that is stored and compared.
    public static func hash(_ token: String) -> [UInt8] { Crypto.sha256(token) }

    /// The part of a token shown in listings: the prefix and four characters.
    public static func displayPrefix(_ token: String) -> String { String(token.prefix(prefix.count + 4)) }
}
