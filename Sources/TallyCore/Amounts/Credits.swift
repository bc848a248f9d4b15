/// An amount of credits in the operator's smallest billing unit; never fractional.
public typealias Credits = Int64

/// The bounds every amount that enters the engine must respect.
public enum CreditLimits {
    /// The largest total an account may hold across its lots, holds and debt (10^18).
    ///
    /// Keeping every account below this bound means no sum the engine forms can overflow Int64.
    public static let maxAccountTotal: Credits = 1_000_000_000_000_000_000

    /// Checks that `amount` is a valid request amount (``Limits/amount``).
    public static func validate(_ amount: Credits) throws(Rejection) {
        guard Limits.amount.contains(amount) else { throw .invalidAmount(amount) }
    }

    /// Adds two amounts, reporting overflow past ``maxAccountTotal`` as a rejection.
    public static func sum(_ lhs: Credits, _ rhs: Credits) throws(Rejection) -> Credits {
        let (total, overflow) = lhs.addingReportingOverflow(rhs)
        guard !overflow, total <= maxAccountTotal else { throw .amountOverflow }
        return total
    }
}
