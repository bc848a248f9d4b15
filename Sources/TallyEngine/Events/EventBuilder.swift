import TallyCore
import TallyStore

/// Turns what a request did into outbox events, written in the same transaction as the change.
///
/// Each event carries the account's event sequence number and the balance after the request, so
/// a receiver can drop one that arrives after a newer one.
struct EventBuilder {
    let account: String
    let livemode: Bool
    let atMs: Int64
    let balance: Balance
    var lastSeq: Int64
    let ids: IDAllocator
    private(set) var rows: [EventRow] = []

    init(account: String, livemode: Bool, atMs: Int64, balance: Balance, lastSeq: Int64, ids: IDAllocator) {
        self.account = account
        self.livemode = livemode
        self.atMs = atMs
        self.balance = balance
        self.lastSeq = lastSeq
        self.ids = ids
    }

    /// Adds the events the entries tell of: credits added (or a pack bought), credits expired,
    /// holds expired.
    mutating func add(_ entries: [LedgerEntry]) {
        for entry in entries {
            switch entry.kind {
            case .credit where entry.detail == LotSource.allowance.rawValue || entry.detail == LotSource.rollover.rawValue:
                break  // told by the period's `period.reset`
            case .credit:
                let isPack = entry.detail?.hasPrefix("pack:") == true
                add(isPack ? .packPurchased : .creditsAdded, [
                    ("entry", .string("ent_\(entry.id)")), ("lot", entry.openedLot.map { .string("lot_\($0.id)") }),
                    ("amount", .integer(entry.amount)),
                    ("source", .string(isPack ? LotSource.pack.rawValue : entry.detail ?? "")),
                    ("pack", isPack ? entry.detail.map { .string(String($0.dropFirst("pack:".count))) } : nil),
                    ("expires_at", entry.openedLot?.expiresAtMs.map { .string(Timestamp.format($0)) }),
                ])
            case .release where entry.detail == HoldStatus.expired.rawValue:
                add(.holdExpired, [("hold", entry.referenceID.map { .string("hld_\($0)") }), ("released", .integer(entry.amount))])
            default:
                break
            }
            addExpiries(of: entry)
        }
    }

    /// One `credits.expired` per lot the entry booked as expired: a lot reaching its expiry, the
    /// part of an expired lot a hold gave back, or a refund to a lot that has expired.
    private mutating func addExpiries(of entry: LedgerEntry) {
        var expiredByLot: [(lot: LotID, amount: Credits)] = []
        for posting in entry.postings where posting.kind == .expire || posting.kind == .expireReserved || posting.kind == .unconsumeExpired {
            if let index = expiredByLot.firstIndex(where: { $0.lot == posting.lot }) {
                expiredByLot[index].amount += posting.amount
            } else {
                expiredByLot.append((posting.lot, posting.amount))
            }
        }
        for (lot, amount) in expiredByLot {
            add(.creditsExpired, [("lot", .string("lot_\(lot)")), ("amount", .integer(amount)), ("entry", .string("ent_\(entry.id)"))])
        }
    }

    /// Adds an alert the threshold rules raised.
    mutating func add(_ alert: ThresholdEvent) {
        switch alert {
        case .balanceLow(let level, let available):
            add(.balanceLow, [("level", .integer(level)), ("available", .integer(available))])
        case .balanceDepleted(let available):
            add(.balanceDepleted, [("available", .integer(available))])
        case .balanceRecovered(let levels, let depleted, let available):
            add(.balanceRecovered, [
                ("levels", .array(levels.map { .integer($0) })), ("depleted", .bool(depleted)), ("available", .integer(available)),
            ])
        case .usageThreshold(let percent, let used, let allowance, let periodStartMs):
            add(.usageThreshold, [
                ("percent", .integer(Int64(percent))), ("used", .integer(used)), ("allowance", .integer(allowance)),
                ("period_start", .string(Timestamp.format(periodStartMs))),
            ])
        case .autoTopUpRequested(let pack, let quantity, let credits, let below, let available):
            add(.autoTopUpRequested, [
                ("pack", .string(pack)), ("quantity", .integer(quantity)), ("credits", .integer(credits)),
                ("below", .integer(below)), ("available", .integer(available)),
            ])
        }
    }

    /// Adds `period.reset`: a plan period began, with what it granted, carried and expired.
    mutating func periodStarted(_ start: AppliedPeriodStart) {
        add(.periodReset, [
            ("plan", .string(start.plan)), ("period_start", .string(Timestamp.format(start.period.startMs))),
            ("period_end", .string(Timestamp.format(start.period.endMs))), ("allowance", .integer(start.allowance)),
            ("rollover", .integer(start.rollover)), ("expired", .integer(start.expired)),
        ])
    }

    /// Adds `account.updated` with the settings as they are now.
    mutating func accountUpdated(_ settings: Account) {
        add(.accountUpdated, [
            ("status", .string(settings.status.rawValue)), ("overdraft_limit", .integer(settings.overdraftLimit)),
            ("thresholds", .array(settings.thresholds.map { .integer($0) })),
            ("metadata", JSONValue.map(settings.metadata)), ("plan", settings.subscription.map { .string($0.plan) } ?? .null),
            ("scheduled_plan", settings.subscription?.scheduledChange.map { $0.plan.map(JSONValue.string) ?? .null }),
            ("auto_topup", settings.autoTopUp?.json ?? .null),
        ])
    }

    /// Serializes one event: `{"type", "timestamp", "data"}` with the account, sequence and balance.
    private mutating func add(_ type: EventType, _ fields: [(String, JSONValue?)]) {
        lastSeq += 1
        let data = JSONValue.members(
            [("account", .string(account)), ("account_seq", .integer(lastSeq))] + fields
                + [("balance", balance.json), ("livemode", .bool(livemode))])
        let body = JSONWriter.bytes(.object([
            ("type", .string(type.rawValue)), ("timestamp", .string(Timestamp.format(atMs))), ("data", data),
        ]))
        rows.append(
            EventRow(
                id: ids.next(), account: account, accountSeq: lastSeq, type: type.rawValue, atMs: atMs, body: body,
                livemode: livemode))
    }
}
