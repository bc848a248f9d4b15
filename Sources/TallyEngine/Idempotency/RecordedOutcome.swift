import Foundation
import TallyCore

/// The first outcome of a keyed request, as stored for replay.
///
/// Encoded by hand as `|`-separated text because it is written on every debit, where a general
/// encoder would cost more than the debit itself.
enum RecordedOutcome: Sendable, Hashable {
    case authorization(Authorization)
    case credit(CreditReceipt)
    case capture(CaptureReceipt)
    case void(VoidReceipt)
    case refund(RefundReceipt)
    /// Account creation and updates replay the account as first answered.
    case account(AccountView)
    /// A business denial, with the balance the account had when it was refused.
    case rejection(Rejection, Balance)
}

extension RecordedOutcome {
    func encoded() -> [UInt8] {
        // Account changes are rare, so their view goes through the general JSON encoder; it is
        // the last field, so separators inside it need no escaping.
        if case .account(let view) = self {
            return Array("n|".utf8) + ((try? JSONEncoder().encode(view)).map(Array.init) ?? [])
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(96)
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: "|")) }
            bytes.append(contentsOf: field.utf8)
        }
        return bytes
    }

    private var fields: [String] {
        switch self {
        case .authorization(let value):
            ["a", String(value.id), value.kind.rawValue, value.account, String(value.cost),
             String(value.expiresAtMs ?? -1)] + Self.fields(value.balance)
        case .credit(let value):
            ["c", String(value.entryID), String(value.repaidDebt)] + Self.fields(value.balance)
                + (value.lot.map(Self.fields) ?? [])
        case .capture(let value):
            ["p", String(value.holdID), String(value.debitID), String(value.captured), String(value.released)]
                + Self.fields(value.balance)
        case .void(let value):
            ["v", String(value.holdID), String(value.released)] + Self.fields(value.balance)
        case .refund(let value):
            ["r", String(value.refundID), String(value.debitID), String(value.amount), String(value.totalRefunded)]
                + Self.fields(value.balance)
        case .account:
            ["n"]  // encoded() writes the view itself
        case .rejection(let rejection, let balance):
            // The balance goes first: the rejection's own fields may end in free text.
            ["x"] + Self.fields(balance) + RejectionCoding.fields(rejection)
        }
    }

    /// A lot as answered at creation: its static fields (the split was all `remaining`), with
    /// the reference last because it may itself contain the separator.
    private static func fields(_ lot: Lot) -> [String] {
        [String(lot.id), lot.source.rawValue, String(lot.amount), String(lot.priority),
         String(lot.expiresAtMs ?? -1), String(lot.createdAtMs), lot.reference == nil ? "-" : "+" + lot.reference!]
    }

    private static func lot(_ fields: ArraySlice<String>) -> Lot? {
        let values = Array(fields)
        guard values.count >= 7, let id = Int64(values[0]), let source = LotSource(rawValue: values[1]),
            let amount = Int64(values[2]), let priority = Int(values[3]), let expiry = Int64(values[4]),
            let created = Int64(values[5])
        else { return nil }
        let referenceText = values[6...].joined(separator: "|")
        return Lot(
            id: id, source: source, amount: amount, priority: priority, expiresAtMs: expiry < 0 ? nil : expiry,
            createdAtMs: created, reference: referenceText.hasPrefix("+") ? String(referenceText.dropFirst()) : nil)
    }

    private static func fields(_ balance: Balance) -> [String] {
        [balance.credits, balance.held, balance.debt, balance.available, balance.overdraftLimit].map { String($0) }
    }

    /// Decodes stored bytes.
    static func decode(_ bytes: [UInt8]) -> RecordedOutcome? {
        let fields = String(decoding: bytes, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard let tag = fields.first else { return nil }
        let numbers = fields.map { Int64($0) }
        func balance(_ start: Int) -> Balance? {
            guard fields.count >= start + 5, let credits = numbers[start], let held = numbers[start + 1],
                let debt = numbers[start + 2], let available = numbers[start + 3], let limit = numbers[start + 4]
            else { return nil }
            return Balance(credits: credits, held: held, debt: debt, available: available, overdraftLimit: limit)
        }
        switch tag {
        case "a":
            guard fields.count == 11, let id = numbers[1], let kind = Authorization.Kind(rawValue: fields[2]),
                let cost = numbers[4], let expiry = numbers[5], let balance = balance(6)
            else { return nil }
            return .authorization(Authorization(
                id: id, kind: kind, account: fields[3], cost: cost, balance: balance,
                expiresAtMs: expiry < 0 ? nil : expiry))
        case "c":
            guard fields.count == 8 || fields.count >= 15, let id = numbers[1], let repaid = numbers[2],
                let balance = balance(3)
            else { return nil }
            let lot = fields.count > 8 ? Self.lot(fields[8...]) : nil
            guard fields.count == 8 || lot != nil else { return nil }
            return .credit(CreditReceipt(entryID: id, lot: lot, repaidDebt: repaid, balance: balance))
        case "p":
            guard fields.count == 10, let hold = numbers[1], let debit = numbers[2], let captured = numbers[3],
                let released = numbers[4], let balance = balance(5)
            else { return nil }
            return .capture(CaptureReceipt(holdID: hold, debitID: debit, captured: captured, released: released, balance: balance))
        case "v":
            guard fields.count == 8, let hold = numbers[1], let released = numbers[2], let balance = balance(3)
            else { return nil }
            return .void(VoidReceipt(holdID: hold, released: released, balance: balance))
        case "r":
            guard fields.count == 10, let id = numbers[1], let debit = numbers[2], let amount = numbers[3],
                let total = numbers[4], let balance = balance(5)
            else { return nil }
            return .refund(RefundReceipt(refundID: id, debitID: debit, amount: amount, totalRefunded: total, balance: balance))
        case "n":
            let json = bytes.dropFirst(2)
            return (try? JSONDecoder().decode(AccountView.self, from: Data(json))).map { .account($0) }
        case "x":
            guard let balance = balance(1) else { return nil }
            return RejectionCoding.decode(Array(fields.dropFirst(6))).map { .rejection($0, balance) }
        default:
            return nil
        }
    }
}
