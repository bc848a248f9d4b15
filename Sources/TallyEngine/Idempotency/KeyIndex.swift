import CTallyCrypto
import TallyStore

/// The idempotency keys an account has seen within retention, kept in memory by its actor.
///
/// A key is in flight from the moment its request is applied in memory until its commit
/// returns; a repeat meanwhile is refused with 409 rather than applied twice.
struct KeyIndex {
    struct Entry {
        let fingerprint: [UInt8]
        let createdAtMs: Int64
        /// The commit of the request that used the key; nil for keys loaded from disk.
        let ticket: CommitTicket?
        /// The entry whose row stores the outcome, when the request appended one.
        let entryID: Int64?

        /// Where the key's first request stands.
        var status: Status {
            switch ticket?.result {
            case nil where ticket != nil: .inFlight
            case .failure: .failed
            default: .committed
            }
        }
    }

    enum Status { case inFlight, committed, failed }

    private var entries: [String: Entry] = [:]
    /// Keys in arrival order, so expiry drops from the front.
    private var arrivals: [(key: String, createdAtMs: Int64)] = []
    private var arrivalsHead = 0

    init(loaded: [AccountSnapshot.StoredKey]) {
        for stored in loaded.sorted(by: { $0.createdAtMs < $1.createdAtMs }) {
            entries[stored.key] = Entry(
                fingerprint: stored.fingerprint, createdAtMs: stored.createdAtMs, ticket: nil,
                entryID: stored.entryID)
            arrivals.append((stored.key, stored.createdAtMs))
        }
    }

    subscript(key: String) -> Entry? { entries[key] }

    /// Records a new key whose request waits on `ticket`.
    mutating func begin(_ key: String, fingerprint: [UInt8], atMs: Int64, entryID: Int64?, ticket: CommitTicket) {
        entries[key] = Entry(fingerprint: fingerprint, createdAtMs: atMs, ticket: ticket, entryID: entryID)
        arrivals.append((key, atMs))
    }

    /// Forgets a key whose request failed to commit, so a retry runs afresh.
    mutating func forget(_ key: String) { entries[key] = nil }

    /// Drops keys older than the retention window.
    mutating func expire(beforeMs cutoff: Int64) {
        while arrivalsHead < arrivals.count, arrivals[arrivalsHead].createdAtMs < cutoff {
            let key = arrivals[arrivalsHead].key
            if let entry = entries[key], entry.createdAtMs < cutoff, entry.status != .inFlight { entries[key] = nil }
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
