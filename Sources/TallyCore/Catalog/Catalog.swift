/// What the operator sells and charges for: plans, packs and the price book of operations.
public struct Catalog: Sendable, Hashable {
    public var plans: [String: Plan]
    public var packs: [String: Pack]
    /// Operation name → cost of one unit.
    public var operations: [String: Credits]

    /// Creates a catalog.
    public init(plans: [String: Plan] = [:], packs: [String: Pack] = [:], operations: [String: Credits] = [:]) {
        self.plans = plans
        self.packs = packs
        self.operations = operations
    }

    /// The cost of `quantity` units of `operation`, overflow-checked.
    public func cost(of operation: String, quantity: Int64) throws(Rejection) -> Credits {
        guard let unit = operations[operation] else { throw .unknownOperation }
        guard Limits.quantity.contains(quantity) else { throw .invalidQuantity }
        let (total, overflow) = unit.multipliedReportingOverflow(by: quantity)
        guard !overflow, total <= Limits.amount.upperBound else { throw .amountOverflow }
        return total
    }

    /// The pack named `name`.
    public func pack(_ name: String) throws(Rejection) -> Pack {
        guard let pack = packs[name] else { throw .unknownPack }
        return pack
    }
}
