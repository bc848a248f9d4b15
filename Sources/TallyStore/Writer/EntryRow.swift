public import TallyCore

/// A ledger entry turned into column values, ready to bind.
///
/// Built on the caller's thread so the single writer thread only binds and steps; the
/// idempotency key of the request that made the entry rides in the same row, so recording the
/// key costs no extra index (see the schema notes in Migrations).
public struct EntryRow: Sendable {
    public let entry: LedgerEntry
    public let account: String
    let postings: String
    let metadata: String
    /// The idempotency key, request fingerprint and stored outcome of the request.
    public var stamp: IdempotencyStamp?

    /// Encodes an entry of `account`.
    public init(_ entry: LedgerEntry, account: String) {
        self.entry = entry
        self.account = account
        postings = Posting.encode(entry.postings)
        metadata = MetadataCoding.encode(entry.metadata)
    }
}

/// An idempotency key with what is needed to recognise and replay its request.
public struct IdempotencyStamp: Sendable, Hashable {
    public let key: String
    public let fingerprint: [UInt8]
    public let response: [UInt8]

    /// Creates a stamp.
    public init(key: String, fingerprint: [UInt8], response: [UInt8]) {
        self.key = key
        self.fingerprint = fingerprint
        self.response = response
    }
}
