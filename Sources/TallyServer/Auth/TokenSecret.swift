import CTallyCrypto

/// Making and hashing service token secrets: `tly_` + 43 base62 characters (≥ 256 bits).
public enum TokenSecret {
    /// The prefix every service token starts with, so a leaked one is easy to recognise.
    public static let prefix = "tly_"

    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// A fresh random token from the system's cryptographic generator.
    public static func generate() -> String {
        var characters: [UInt8] = []
        while characters.count < 43 {
            var random = [UInt8](repeating: 0, count: 64)
            let status = random.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
            precondition(status == 1, "the system random generator failed")
            // Rejection sampling keeps every character equally likely: 248 = 4 × 62.
            for byte in random where byte < 248 && characters.count < 43 {
                characters.append(alphabet[Int(byte % 62)])
            }
        }
        return prefix + String(decoding: characters, as: UTF8.self)
    }

    /// The SHA-256 of a token, which is all that is stored and compared.
    public static func hash(_ token: String) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        var copy = token
        copy.withUTF8 { bytes in
            _ = digest.withUnsafeMutableBufferPointer { out in SHA256(bytes.baseAddress, bytes.count, out.baseAddress) }
        }
        return digest
    }

    /// The part of a token shown in listings: the prefix and four characters.
    public static func displayPrefix(_ token: String) -> String { String(token.prefix(prefix.count + 4)) }

    /// Compares two digests in constant time.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { left in
            b.withUnsafeBytes { right in CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0 }
        }
    }
}
