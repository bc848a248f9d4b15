import TallyCore
import TallyStore

/// The operations an account actor offers, each a rule run through ``AccountActor/perform``.
extension AccountActor {
    /// The account's view, after applying any expiry that has come due.
    func view() async throws(ActorFailure) -> AccountView {
        try await prepare()
        guard phase == .live else { throw .engine(.rejected(.accountNotFound)) }
        let nowMs = context.clock.nowMs()
        if state.hasExpiryDue(atMs: nowMs) || state.hasPeriodStartDue(atMs: nowMs) {
            return try await perform(nil, replay: { _ in nil }) { state, _ throws(Rejection) in
                let view = AccountActor.view(of: state)
                return RuleStep(value: view, entries: [], recorded: .account(view))
            }.finish().value
        }
        return Self.view(of: state)
    }

    /// Creates the account, on `plan` from now when one is named; refused if it exists.
    func create(
        _ account: Account, plan: String?, overdraftFromPlan: Bool, request: IdempotentRequest?
    ) async throws(ActorFailure) -> PendingOutcome<AccountView> {
        try await prepare()
        let nowMs = context.clock.nowMs()
        keys.expire(beforeMs: nowMs - context.configuration.idempotencyRetentionMs)
        if let request, keys[request.key] != nil {
            return try await perform(request, replay: Self.replayedView) { _, _ throws(Rejection) in
                throw .accountExists
            }
        }
        guard phase == .missing else { throw .engine(.rejected(.accountExists)) }
        guard context.store.hasCapacity else { throw .engine(.overloaded) }
        state = AccountState(account: account)
        var rules = RuleContext(nowMs: nowMs, ids: AllocatedIDs(allocator: context.ids))
        var started: (entries: [LedgerEntry], start: AppliedPeriodStart?) = ([], nil)
        do throws(Rejection) {
            started = try state.changePlan(
                to: plan, timing: .now, plans: context.configuration.catalog.plans,
                overdraftFromPlan: overdraftFromPlan, context: &rules)
        } catch {
            state = AccountState(account: Account(id: id, createdAtMs: 0))
            throw .engine(.rejected(error))
        }
        phase = .live
        let view = Self.view(of: state)
        let changes = [StoreChange.putAccount(state.account, debt: state.debt)]
            + StoreChanges.derive(entries: started.entries, before: StoreChanges.Before(state), after: state)
            + events(
                for: started.entries, starts: started.start.map { [$0] } ?? [], settingsChanged: false,
                availableBefore: 0, atMs: nowMs)
        let ticket = submit(changes, request: request, recorded: .account(view), nowMs: nowMs)
        return PendingOutcome(result: .success(Replayable(value: view, replayed: false)), ticket: ticket)
    }

    /// Changes the account's settings.
    func update(_ changes: AccountChanges, request: IdempotentRequest?) async throws(ActorFailure) -> PendingOutcome<AccountView> {
        try await perform(request, replay: Self.replayedView) { state, rules throws(Rejection) in
            // Changed on a copy: a plan change refused after the settings applied must leave nothing.
            var next = state
            try next.update(changes, nowMs: rules.nowMs)
            var planned: (entries: [LedgerEntry], start: AppliedPeriodStart?) = ([], nil)
            if let choice = changes.plan {
                planned = try next.changePlan(
                    to: choice.name, timing: choice.timing, plans: self.context.configuration.catalog.plans,
                    overdraftFromPlan: state.account.subscription == nil && changes.overdraftLimit == nil
                        && state.account.overdraftLimit == 0,
                    context: &rules)
            }
            let changed = AccountActor.settingsDiffer(next.account, state.account)
            state = next
            let view = AccountActor.view(of: state)
            var step = RuleStep(value: view, entries: planned.entries, recorded: .account(view))
            step.periodStarts = planned.start.map { [$0] } ?? []
            step.settingsChanged = changed
            return step
        }
    }

    /// Adds credits (top-up, grant, pack), repaying debt first.
    func credit(_ credit: CreditRequest, request: IdempotentRequest?) async throws(ActorFailure) -> PendingOutcome<CreditReceipt> {
        try await perform(request, replay: { if case .credit(let receipt) = $0 { receipt } else { nil } }) { state, rules throws(Rejection) in
            let entry = try state.credit(credit, context: &rules)
            let repaid = -entry.postings.filter { $0.kind == .debt }.reduce(0) { $0 + $1.amount }
            let receipt = CreditReceipt(
                entryID: entry.id, lot: entry.openedLot.flatMap { state.lots[$0.id] }, repaidDebt: repaid,
                balance: state.balance)
            return RuleStep(value: receipt, entries: [entry], recorded: .credit(receipt))
        }
    }

    /// Authorizes a cost as an immediate debit, or as a hold until `holdExpiresAtMs`, after the
    /// presented key (if any) is still usable and the rate limit admits the request.
    func authorize(
        cost: Credits, holdExpiresAtMs: Int64?, operation: String?, quantity: Int64?, metadata: [String: String],
        grant: APIKeyGrant?, request: IdempotentRequest?
    ) async throws(ActorFailure) -> PendingOutcome<MeteredAuthorization> {
        try await perform(request, replay: { outcome in
            if case .authorization(let value) = outcome { MeteredAuthorization(authorization: value, rate: nil) } else { nil }
        }) { state, rules throws(Rejection) in
            // Checked here, in the same step as the decision: a key revoked before this point is
            // refused, and a refused request has taken nothing.
            if let grant, let refusal = self.context.apiKeys.refusal(id: grant.id, nowMs: rules.nowMs) { throw refusal }
            let rate = try self.admit(state.account, grant: grant, nowMs: rules.nowMs)
            let entry: LedgerEntry
            if let holdExpiresAtMs {
                entry = try state.hold(
                    amount: cost, expiresAtMs: holdExpiresAtMs, operation: operation, quantity: quantity,
                    metadata: metadata, context: &rules)
            } else {
                entry = try state.debit(cost: cost, operation: operation, quantity: quantity, metadata: metadata, context: &rules)
            }
            let authorization = Authorization(
                id: entry.id, kind: holdExpiresAtMs == nil ? .debit : .hold, account: state.account.id,
                cost: cost, balance: state.balance, expiresAtMs: holdExpiresAtMs)
            return RuleStep(
                value: MeteredAuthorization(authorization: authorization, rate: rate), entries: [entry],
                recorded: .authorization(authorization))
        }
    }

    /// Checks a key, its account's status and its rate limit for a request that costs nothing.
    func admit(_ grant: APIKeyGrant) async throws(ActorFailure) -> RateDecision? {
        try await prepare()
        guard phase == .live else { throw .engine(.rejected(.accountNotFound)) }
        let nowMs = context.clock.nowMs()
        if let refusal = context.apiKeys.refusal(id: grant.id, nowMs: nowMs) { throw .engine(.rejected(refusal)) }
        do throws(Rejection) {
            return try admit(state.account, grant: grant, nowMs: nowMs)
        } catch {
            throw .engine(.rejected(error))
        }
    }

    /// Checks that the account may spend, then counts the request against the key's rate limit,
    /// else the account's, else its plan's; throws when it is over. Nil when no limit applies.
    func admit(_ account: Account, grant: APIKeyGrant?, nowMs: Int64) throws(Rejection) -> RateDecision? {
        // First: a key of the other mode may not even learn whether the account could spend.
        if let grant { try account.checkKeyMode(grant.mode) }
        // Before the limiter: a suspended or closed account's requests are refused for that
        // reason, and use up none of the rate budget it will have when it is active again.
        try account.checkCanSpend()
        let plan = account.subscription.flatMap { context.configuration.catalog.plans[$0.plan] }
        guard let applied = AppliedRateLimit.resolve(key: grant?.rateLimit, account: account.rateLimit, plan: plan?.rateLimit),
            let decision = context.limiter.decide(
                applied.scope == .key ? .key(grant?.id ?? 0) : .account(account.id), applied.rateLimit, nowMs: nowMs)
        else { return nil }
        guard decision.allowed else {
            throw .rateLimited(limit: decision.limit, resetMs: decision.resetMs, retryAfterMs: decision.retryAfterMs)
        }
        return decision
    }

    /// Captures a pending hold.
    func capture(
        hold holdID: HoldID, amount: Credits?, storedStatus: HoldStatus, request: IdempotentRequest?
    ) async throws(ActorFailure) -> PendingOutcome<CaptureReceipt> {
        try await perform(request, replay: { if case .capture(let value) = $0 { value } else { nil } }) { state, rules throws(Rejection) in
            guard let held = state.holds[holdID]?.held else { throw self.notPending(holdID, storedStatus) }
            let entry = try state.capture(hold: holdID, amount: amount, context: &rules)
            self.settledHolds.record(holdID, .captured)
            let captured = entry.debitedAmount
            let receipt = CaptureReceipt(
                holdID: holdID, debitID: entry.id, captured: captured, released: max(0, held - captured),
                balance: state.balance)
            return RuleStep(value: receipt, entries: [entry], recorded: .capture(receipt))
        }
    }

    /// Voids a pending hold, releasing everything it reserved.
    func void(hold holdID: HoldID, storedStatus: HoldStatus, request: IdempotentRequest?) async throws(ActorFailure) -> PendingOutcome<VoidReceipt> {
        try await perform(request, replay: { if case .void(let value) = $0 { value } else { nil } }) { state, rules throws(Rejection) in
            guard let held = state.holds[holdID]?.held else { throw self.notPending(holdID, storedStatus) }
            let entry = try state.release(hold: holdID, reason: .voided, context: &rules)
            self.settledHolds.record(holdID, .voided)
            let receipt = VoidReceipt(holdID: holdID, released: held, balance: state.balance)
            return RuleStep(value: receipt, entries: [entry], recorded: .void(receipt))
        }
    }

    /// Refunds part or all of a debit back to the lots it came from.
    func refund(
        _ stored: DebitRecord, amount: Credits?, reason: String?, request: IdempotentRequest?
    ) async throws(ActorFailure) -> PendingOutcome<RefundReceipt> {
        try await perform(request, replay: { if case .refund(let value) = $0 { value } else { nil } }) { state, rules throws(Rejection) in
            let debit = self.refundedDebits[stored.id] ?? stored
            let (entry, updated) = try state.refund(debit, amount: amount, reason: reason, context: &rules)
            self.refundedDebits[stored.id] = updated
            let receipt = RefundReceipt(
                refundID: entry.id, debitID: stored.id, amount: updated.refunded - debit.refunded,
                totalRefunded: updated.refunded, balance: state.balance)
            var step = RuleStep(value: receipt, entries: [entry], recorded: .refund(receipt))
            step.extraChanges = [.putDebitRefunds(updated)]
            return step
        }
    }

    private static func replayedView(_ outcome: RecordedOutcome) -> AccountView? {
        if case .account(let view) = outcome { view } else { nil }
    }

    private func notPending(_ holdID: HoldID, _ storedStatus: HoldStatus) -> Rejection {
        let status = settledHolds[holdID] ?? storedStatus
        return status == .pending ? .holdNotPending(.expired) : .holdNotPending(status)
    }

    static func view(of state: AccountState) -> AccountView {
        AccountView(
            account: state.account, balance: state.balance, lots: state.liveLots,
            pendingHolds: state.holds.values.sorted { $0.id < $1.id }, periodUsed: max(0, state.periodUsed))
    }
}
