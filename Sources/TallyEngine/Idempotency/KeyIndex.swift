import CTallyCrypto
import TallyStore

/// The idempotency keys an account has seen within retention, kept in memory by its actor.
///
/// A key is `inFlight` from the moment its request is applied in memory until its commit
/// returns; a repeat meanwhile is refused with 409 rather than applied twice.
struct KeyIndex {
    struct Entry {
        let fingerprint: [UInt8]
        let createdAtMs: Int64
        var inFlight: Bool
        /// The entry whose row stores the outcome, when the request appended one.
        var entryID: Int64?
    }

    private var entries: [String: Entry] = [:]
    /// Keys in arrival order, so expiry drops from the front.
    private var arrivals: [(key: String, createdAtMs: Int64)] = []
    private var arrivalsHead = 0

    init(loaded: [AccountSnapshot.StoredKey]) {
        for stored in loaded.sorted(by: { $0.createdAtMs < $1.createdAtMs }) {
            entries[stored.key] = Entry(
                fingerprint: stored.fingerprint, createdAtMs: stored.createdAtMs, inFlight: false,
                entryID: stored.entryID)
            arrivals.append((stored.key, stored.createdAtMs))
        }
    }

    subscript(key: String) -> Entry? { entries[key] }

    /// Records a new key as in flight.
    mutating func begin(_ key: String, fingerprint: [UInt8], atMs: Int64, entryID: Int64?) {
        entries[key] = Entry(fingerprint: fingerprint, createdAtMs: atMs, inFlight: true, entryID: entryID)
        arrivals.append((key, atMs))
    }

    /// Marks a key's outcome durable, or forgets it when its commit failed.
    mutating func finish(_ key: String, committed: Bool) {
        if committed { entries[key]?.inFlight = false } else { entries[key] = nil }
    }

    /// Drops keys older than the retention window.
    mutating func expire(beforeMs cutoff: Int64) {
        while arrivalsHead < arrivals.count, arrivals[arrivalsHead].createdAtMs < cutoff {
            let key = arrivals[arrivalsHead].key
            if let entry = entries[key], entry.createdAtMs < cutoff, !entry.inFlight { entries[key] = nil }
            arrivalsHead += 1
        }
        if arrivalsHead > 1_024, arrivalsHead * 2 > arrivals.count {
            arrivals.removeFirst(arrivalsHead)
            arrivalsHead = 0
        }
    }
}

/// Digests of request fingerprints.
enum FingerprintDigest {
    /// SHA-256 of the canonical request text.
    static func sha256(_ text: String) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        var copy = text
        copy.withUTF8 { bytes in
            _ = digest.withUnsafeMutableBufferPointer { out in
                SHA256(bytes.baseAddress, bytes.count, out.baseAddress)
            }
        }
        return digest
    }
}
