/// One movement of credits between the buckets of a lot or of the account.
///
/// Every change to an account is a list of postings; replaying them from empty rebuilds every
/// lot, hold and the debt, which is how `tally verify` checks the stored state.
public struct Posting: Sendable, Hashable {
    /// Which buckets the credits move between.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A new lot appears with `amount` remaining.
        case open = "o"
        /// remaining → consumed (a debit or the extra part of a capture).
        case consume = "c"
        /// remaining → reserved (a hold).
        case reserve = "r"
        /// reserved → remaining (a hold released on a live lot).
        case unreserve = "u"
        /// reserved → consumed (a capture).
        case settle = "s"
        /// consumed → remaining (a refund to a live lot).
        case unconsume = "f"
        /// consumed → expired (a refund to a lot that has since expired).
        case unconsumeExpired = "fx"
        /// remaining → expired (the lot reached its expiry).
        case expire = "x"
        /// reserved → expired (a hold released on a lot that has expired meanwhile).
        case expireReserved = "rx"
        /// The account's debt changes by a signed amount.
        case debt = "d"
        /// The part of holds not covered by lots (reserved against the overdraft) changes.
        case uncovered = "h"
    }

    public var kind: Kind
    /// The lot moved, or 0 for the account-level kinds `debt` and `uncovered`.
    public var lot: LotID
    /// The credits moved; signed only for `debt` and `uncovered`.
    public var amount: Credits

    /// Creates a posting.
    public init(_ kind: Kind, lot: LotID = 0, _ amount: Credits) {
        self.kind = kind
        self.lot = lot
        self.amount = amount
    }
}

extension Posting {
    /// Encodes postings as compact text (`kind:lot:amount` joined by commas) for storage.
    public static func encode(_ postings: [Posting]) -> String {
        var text = ""
        text.reserveCapacity(postings.count * 16)
        for (index, posting) in postings.enumerated() {
            if index > 0 { text += "," }
            text += posting.kind.rawValue
            text += ":"
            text += String(posting.lot)
            text += ":"
            text += String(posting.amount)
        }
        return text
    }

    /// Decodes the text written by ``encode(_:)``; nil when it is malformed.
    public static func decode(_ text: String) -> [Posting]? {
        if text.isEmpty { return [] }
        var postings: [Posting] = []
        for field in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = field.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3, let kind = Kind(rawValue: String(parts[0])),
                let lot = LotID(parts[1]), let amount = Credits(parts[2])
            else { return nil }
            postings.append(Posting(kind, lot: lot, amount))
        }
        return postings
    }
}
