import TallyCore
import TallyEngine

/// The JSON shapes of balances, lots, holds, debits and ledger entries.
enum LedgerJSON {
    static func time(_ ms: Int64?) -> JSONValue? { ms.map { .string(Timestamp.format($0)) } }

    /// A time, or `null` when there is none (for members that are always present).
    static func timeOrNull(_ ms: Int64?) -> JSONValue { time(ms) ?? .null }

    static func lot(_ lot: Lot) -> JSONValue {
        .members([
            ("id", .string(PublicID.lot.format(lot.id))), ("source", .string(lot.source.rawValue)),
            ("promotional", .bool(lot.source.isPromotional)), ("amount", .integer(lot.amount)),
            ("remaining", .integer(lot.remaining)), ("reserved", .integer(lot.reserved)),
            ("consumed", .integer(lot.consumed)), ("expired", .integer(lot.expired)),
            ("priority", .integer(Int64(lot.priority))), ("expires_at", time(lot.expiresAtMs) ?? .null),
            ("created_at", time(lot.createdAtMs)), ("reference", .text(lot.reference) ?? .null),
        ])
    }

    /// Per-lot amounts in lot id order, as `[{lot, amount}]`.
    static func lotAmounts(_ amounts: [(lot: LotID, amount: Credits)]) -> JSONValue {
        .array(amounts.map { .object([("lot", .string(PublicID.lot.format($0.lot))), ("amount", .integer($0.amount))]) })
    }

    static func hold(_ hold: Hold, account: String) -> JSONValue {
        .members([
            ("id", .string(PublicID.hold.format(hold.id))), ("account", .string(account)),
            ("status", .string(hold.status.rawValue)), ("amount", .integer(hold.amount)),
            ("held", .integer(hold.held)),
            ("lots", lotAmounts(hold.reservations.keys.sorted().map { ($0, hold.reservations[$0] ?? 0) })),
            ("created_at", time(hold.createdAtMs)), ("expires_at", time(hold.expiresAtMs)),
            ("captured_amount", hold.capturedAmount.map { .integer($0) }),
            ("debit_id", hold.debitID.map { .string(PublicID.debit.format($0)) }),
            ("settled_at", time(hold.settledAtMs)), ("operation", .text(hold.operation)),
            ("metadata", .map(hold.metadata)),
        ])
    }

    static func debit(_ debit: DebitRecord) -> JSONValue {
        .members([
            ("id", .string(PublicID.debit.format(debit.id))), ("account", .string(debit.account)),
            ("amount", .integer(debit.amount)), ("lots", lotAmounts(debit.lotParts)),
            ("debt", .integer(debit.debt)), ("refunded", .integer(debit.refunded)),
            ("refundable", .integer(debit.refundable)), ("at", time(debit.atMs)),
            ("hold", debit.holdID.map { .string(PublicID.hold.format($0)) }),
            ("operation", .text(debit.operation)), ("metadata", .map(debit.metadata)),
        ])
    }

    static func entry(_ entry: LedgerEntry) -> JSONValue {
        var lot: String?
        var ref: String?
        var debit: String?
        switch entry.kind {
        case .credit, .expire: lot = entry.referenceID.map(PublicID.lot.format)
        case .hold, .release: ref = entry.referenceID.map(PublicID.hold.format)
        case .capture:
            ref = entry.referenceID.map(PublicID.hold.format)
            debit = PublicID.debit.format(entry.id)
        case .debit: debit = PublicID.debit.format(entry.id)
        case .refund: ref = entry.referenceID.map(PublicID.debit.format)
        }
        return .members([
            ("id", .string(PublicID.entry.format(entry.id))), ("seq", .integer(entry.seq)),
            ("at", time(entry.atMs)), ("type", .string(entry.kind.rawValue)), ("amount", .integer(entry.amount)),
            ("available_after", .integer(entry.availableAfter)), ("lot", .text(lot)), ("ref", .text(ref)),
            ("debit", .text(debit)), ("detail", .text(entry.detail)), ("operation", .text(entry.operation)),
            ("metadata", .map(entry.metadata)),
        ])
    }
}
