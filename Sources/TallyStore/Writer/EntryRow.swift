public import TallyCore

/// A ledger entry turned into column values, ready to bind.
///
/// Built on the caller's thread so the single writer thread only binds and steps, and kept to
/// plain columns so a batch is cheap to hand over and to free. The idempotency key of the
/// request that made the entry rides in the same row, so recording the key costs no extra index
/// (see the schema notes in Migrations).
public struct EntryRow: Sendable {
    let id: Int64
    let account: String
    let seq: Int64
    let atMs: Int64
    let kind: String
    let amount: Credits
    let availableAfter: Credits
    let postings: String
    let referenceID: Int64?
    let detail: String?
    let operation: String?
    let metadata: String
    let quantity: Int64?
    /// The idempotency key, request fingerprint and stored outcome of the request.
    let stamp: IdempotencyStamp?

    /// Encodes an entry of `account`, stamped with its request's key if it had one.
    public init(_ entry: LedgerEntry, account: String, stamp: IdempotencyStamp? = nil) {
        id = entry.id
        self.account = account
        seq = entry.seq
        atMs = entry.atMs
        kind = entry.kind.rawValue
        amount = entry.amount
        availableAfter = entry.availableAfter
        postings = Posting.encode(entry.postings)
        referenceID = entry.referenceID
        detail = entry.detail
        operation = entry.operation
        metadata = MetadataCoding.encode(entry.metadata)
        quantity = entry.quantity
        self.stamp = stamp
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
