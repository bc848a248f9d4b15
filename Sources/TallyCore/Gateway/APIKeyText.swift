/// The text of a customer API key: `tk_live_` or `tk_test_` followed by base62 of random bytes.
///
/// The core only makes and reads the text; hashing it for storage and comparing hashes in
/// constant time need libcrypto and live in the engine.
public struct APIKeyText: Sendable, Hashable, CustomStringConvertible {
    /// Whether a key spends real credits or belongs to a test setup.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        case live
        case test

        /// The text every key of this mode starts with.
        public var prefix: String { "tk_\(rawValue)_" }
    }

    /// The fewest random bytes a key is made of.
    public static let minRandomBytes = 32
    /// The shortest secret part a presented key may have: base62 of ``minRandomBytes``.
    public static let minSecretLength = Base62.width(forByteCount: minRandomBytes)
    /// The longest secret part accepted, so a hostile header cannot make us hash megabytes.
    public static let maxSecretLength = 128
    /// How many characters of a key are kept for display (`tk_live_` and four more).
    public static let displayPrefixLength = 12

    public let mode: Mode
    /// The whole key as presented; it is the secret.
    public let text: String

    /// A new key of `mode` from `randomBytes` (at least ``minRandomBytes``, from a secure
    /// source the caller owns); nil when there are too few bytes.
    public init?(mode: Mode, randomBytes: [UInt8]) {
        guard randomBytes.count >= Self.minRandomBytes else { return nil }
        let secret = Base62.encode(randomBytes)
        guard secret.utf8.count <= Self.maxSecretLength else { return nil }
        self.mode = mode
        text = mode.prefix + secret
    }

    /// Reads a presented key; nil unless it is a mode prefix followed by 43 to 128 base62
    /// digits. Nothing is trimmed: a key with spaces around it is not well formed.
    public init?(parsing presented: String) {
        guard let mode = Mode.allCases.first(where: { presented.utf8.starts(with: $0.prefix.utf8) }) else { return nil }
        let secret = presented.utf8.dropFirst(mode.prefix.utf8.count)
        guard (Self.minSecretLength...Self.maxSecretLength).contains(secret.count),
            secret.allSatisfy(Base62.isDigit)
        else { return nil }
        self.mode = mode
        text = presented
    }

    /// The part safe to show and store in the clear, e.g. `tk_live_AbCd`.
    public var displayPrefix: String { String(text.prefix(Self.displayPrefixLength)) }

    /// The display prefix, so printing a key by mistake does not leak it.
    public var description: String { displayPrefix + "…" }
}
