import TallyCore
import TallyEngine

/// The JSON shapes of accounts and of the answers to mutations.
enum AccountJSON {
    /// An account's settings, without balance (as listed).
    static func summary(_ account: Account) -> [(String, JSONValue)] {
        [
            ("id", .string(account.id)), ("livemode", .bool(account.livemode)), ("status", .string(account.status.rawValue)),
            ("overdraft_limit", .integer(account.overdraftLimit)), ("metadata", .map(account.metadata)),
            ("thresholds", .array(account.thresholds.map { .integer($0) })),
            ("plan", account.subscription.map { .string($0.plan) } ?? .null),
            ("auto_topup", account.autoTopUp?.json ?? .null),
            ("rate_limit", account.rateLimit.map(KeyJSON.rateLimit) ?? .null),
            ("created_at", .string(Timestamp.format(account.createdAtMs))),
            ("updated_at", .string(Timestamp.format(account.updatedAtMs))),
        ]
    }

    /// An account with its exact balance, live lots and pending holds.
    static func view(_ view: AccountView) -> JSONValue {
        .object(
            summary(view.account) + [
                ("balance", view.balance.json),
                ("period", view.account.subscription.map { period($0, used: view.periodUsed) } ?? .null),
                ("lots", .array(view.lots.map(LedgerJSON.lot))),
                ("holds", .array(view.pendingHolds.map { LedgerJSON.hold($0, account: view.account.id) })),
            ])
    }

    /// The running period: `{start, end, allowance, used}`, and a change waiting for its end.
    static func period(_ subscription: PlanSubscription, used: Credits) -> JSONValue {
        .members([
            ("start", .string(Timestamp.format(subscription.periodStartMs))),
            ("end", .string(Timestamp.format(subscription.periodEndMs))), ("allowance", .integer(subscription.allowance)),
            ("used", .integer(used)), ("rollover_cap", .integer(subscription.rolloverCap)),
            ("next_plan", subscription.scheduledChange.map { $0.plan.map(JSONValue.string) ?? .null }),
        ])
    }

    static func authorization(_ value: Authorization) -> JSONValue {
        let prefix: PublicID = value.kind == .debit ? .debit : .hold
        return .members([
            ("approved", .bool(true)), ("id", .string(prefix.format(value.id))), ("kind", .string(value.kind.rawValue)),
            ("account", .string(value.account)), ("cost", .integer(value.cost)),
            ("balance", value.balance.json), ("expires_at", LedgerJSON.time(value.expiresAtMs)),
        ])
    }

    static func credit(_ receipt: CreditReceipt) -> JSONValue {
        .object([
            ("entry", .string(PublicID.entry.format(receipt.entryID))),
            ("lot", receipt.lot.map(LedgerJSON.lot) ?? .null), ("repaid_debt", .integer(receipt.repaidDebt)),
            ("balance", receipt.balance.json),
        ])
    }

    static func capture(_ receipt: CaptureReceipt) -> JSONValue {
        .object([
            ("hold", .string(PublicID.hold.format(receipt.holdID))),
            ("debit_id", .string(PublicID.debit.format(receipt.debitID))), ("captured", .integer(receipt.captured)),
            ("released", .integer(receipt.released)), ("balance", receipt.balance.json),
        ])
    }

    static func void(_ receipt: VoidReceipt) -> JSONValue {
        .object([
            ("hold", .string(PublicID.hold.format(receipt.holdID))), ("status", .string(HoldStatus.voided.rawValue)),
            ("released", .integer(receipt.released)), ("balance", receipt.balance.json),
        ])
    }

    static func refund(_ receipt: RefundReceipt) -> JSONValue {
        .object([
            ("id", .string(PublicID.entry.format(receipt.refundID))),
            ("debit_id", .string(PublicID.debit.format(receipt.debitID))), ("amount", .integer(receipt.amount)),
            ("total_refunded", .integer(receipt.totalRefunded)), ("balance", receipt.balance.json),
        ])
    }
}
