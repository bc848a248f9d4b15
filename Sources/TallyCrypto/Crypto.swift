import CTallyCrypto

/// The libcrypto primitives Tally uses (SHA-256, HMAC-SHA256, random bytes and constant-time
/// comparison), so no other module calls libcrypto itself.
public enum Crypto {
    /// SHA-256 of the UTF-8 bytes of `text`: 32 bytes.
    public static func sha256(_ text: String) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        var copy = text
        copy.withUTF8 { bytes in
            _ = digest.withUnsafeMutableBufferPointer { out in SHA256(bytes.baseAddress, bytes.count, out.baseAddress) }
        }
        return digest
    }

    /// HMAC-SHA256 of `message` under `key`: 32 bytes.
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let done = key.withUnsafeBufferPointer { keyBytes in
            message.withUnsafeBufferPointer { messageBytes in
                mac.withUnsafeMutableBufferPointer { out in
                    HMAC(EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count), messageBytes.baseAddress, messageBytes.count,
                        out.baseAddress, &length)
                }
            }
        }
        // HMAC with SHA-256 fails only when libcrypto cannot allocate, which nothing here can recover from.
        precondition(done != nil, "libcrypto HMAC failed")
        return Array(mac.prefix(Int(length)))
    }

    /// Whether two byte strings are equal, in time that depends only on their length.
    public static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        return left.withUnsafeBytes { a in
            right.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0 }
        }
    }

    /// `count` bytes from the operating system's cryptographic generator.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        precondition(status == 1, "libcrypto RAND_bytes failed")
        return bytes
    }
}
