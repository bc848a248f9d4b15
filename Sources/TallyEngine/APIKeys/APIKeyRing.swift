import Synchronization
import TallyCore
import TallyCrypto
import TallyStore

/// The customer API keys seen so far, by SHA-256 and by id, so a key is resolved from memory in
/// O(1) after its first use and a revocation is seen by the very next decision.
final class APIKeyRing: Sendable {
    private struct Keys {
        var byHash: [[UInt8]: APIKeyRecord] = [:]
        var byID: [Int64: [UInt8]] = [:]
    }

    private let keys = Mutex(Keys())
    /// When each key's last use was last written, so a busy key is written about once a minute.
    private let touched = Mutex<[Int64: Int64]>([:])

    /// The key record for `hash` if it was seen before.
    func cached(hash: [UInt8]) -> APIKeyRecord? { keys.withLock { $0.byHash[hash] } }

    /// Remembers a key as it now is (found, created, rotated or revoked).
    func remember(_ key: APIKeyRecord) {
        keys.withLock {
            $0.byHash[key.hash] = key
            $0.byID[key.id] = key.hash
        }
    }

    /// Why the key with this id may not be used at `nowMs`; nil when it may. A key never seen is
    /// usable here: callers resolve a key before they ask.
    func refusal(id: Int64, nowMs: Int64) -> Rejection? {
        keys.withLock { keys in keys.byID[id].flatMap { keys.byHash[$0] }.flatMap { Self.refusal($0, nowMs: nowMs) } }
    }

    /// Why `key` may not be used at `nowMs`.
    static func refusal(_ key: APIKeyRecord, nowMs: Int64) -> Rejection? {
        if key.revokedAtMs != nil { return .keyRevoked }
        if let expires = key.expiresAtMs, expires <= nowMs { return .keyExpired }
        return nil
    }

    /// Whether the key's last use should be written now; records that it is.
    func shouldTouch(_ id: Int64, nowMs: Int64) -> Bool {
        touched.withLock { touched in
            guard nowMs - (touched[id] ?? .min / 2) >= 60_000 else { return false }
            touched[id] = nowMs
            return true
        }
    }

    /// The SHA-256 of a presented key.
    static func hash(_ text: String) -> [UInt8] { Crypto.sha256(text) }
}
