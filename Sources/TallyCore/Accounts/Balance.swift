/// A snapshot of what an account can spend.
public struct Balance: Sendable, Hashable, Codable {
    /// Σ remaining of live lots.
    public let credits: Credits
    /// Σ reserved by pending holds, including what they reserve against the overdraft.
    public let held: Credits
    public let debt: Credits
    /// `credits − debt − (hold parts reserved against the overdraft)`; a charge `c` is allowed
    /// iff `available − c ≥ −overdraft_limit`.
    public let available: Credits
    public let overdraftLimit: Credits

    /// Creates a snapshot.
    public init(
        credits: Credits, held: Credits, debt: Credits, available: Credits, overdraftLimit: Credits
    ) {
        self.credits = credits
        self.held = held
        self.debt = debt
        self.available = available
        self.overdraftLimit = overdraftLimit
    }
}
