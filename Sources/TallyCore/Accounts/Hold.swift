/// The identifier of a hold, unique across the database.
public typealias HoldID = Int64

/// Where a hold is in its life.
public enum HoldStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case pending, captured, voided, expired
}

/// Credits reserved now and settled later by a capture, a void or expiry.
public struct Hold: Sendable, Hashable, Codable {
    public let id: HoldID
    public let amount: Credits
    /// What each lot reserved for this hold, in burn-down order.
    public var reservations: [LotID: Credits]
    /// The part reserved against the overdraft because the lots could not cover it.
    public var uncovered: Credits
    public var status: HoldStatus
    public let createdAtMs: Int64
    public let expiresAtMs: Int64
    /// The credits taken when captured.
    public var capturedAmount: Credits?
    /// The debit a capture created.
    public var debitID: Int64?
    public var settledAtMs: Int64?
    public let operation: String?
    /// Units of `operation` the hold was priced for, carried to its capture.
    public let quantity: Int64?
    public let metadata: [String: String]

    /// Creates a hold in any state.
    public init(
        id: HoldID, amount: Credits, reservations: [LotID: Credits], uncovered: Credits,
        status: HoldStatus, createdAtMs: Int64, expiresAtMs: Int64, capturedAmount: Credits? = nil,
        debitID: Int64? = nil, settledAtMs: Int64? = nil, operation: String? = nil,
        metadata: [String: String] = [:], quantity: Int64? = nil
    ) {
        self.id = id
        self.amount = amount
        self.reservations = reservations
        self.uncovered = uncovered
        self.status = status
        self.createdAtMs = createdAtMs
        self.expiresAtMs = expiresAtMs
        self.capturedAmount = capturedAmount
        self.debitID = debitID
        self.settledAtMs = settledAtMs
        self.operation = operation
        self.quantity = quantity
        self.metadata = metadata
    }

    /// The credits still reserved by this hold, from lots and against the overdraft.
    public var held: Credits { reservations.values.reduce(uncovered, +) }
}
