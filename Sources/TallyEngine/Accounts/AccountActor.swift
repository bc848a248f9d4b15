import TallyCore
import TallyStore
import TallySystem

/// The single owner of one account's state: every operation on the account runs here, one at a
/// time, and checks, decides and applies with no suspension in between.
///
/// The actor answers only after the store has made the change durable; meanwhile later requests
/// proceed against the new in-memory state, which is what lets one hot account keep the
/// group-commit writer busy.
actor AccountActor {
    enum Phase { case unloaded, missing, live }

    let id: String
    let context: EngineContext
    var phase: Phase = .unloaded
    var state: AccountState
    var keys: IdempotencyKeyIndex
    /// The last event sequence number used; events of a failed commit are forgotten on reload.
    private var lastEventSeq: Int64 = 0
    private var loadTask: Task<StoreError?, Never>?
    private var needsReload = false
    private var resumeOnNextWrite = false
    private let signals = CommitSignals()
    private var retired = false
    /// Commits submitted and perhaps not settled yet; a reload waits for them (see `loadAndInstall`).
    private var unsettled: [CommitTicket] = []
    /// The size at which settled tickets are next dropped from `unsettled`: doubling keeps a hot
    /// account with thousands in flight from scanning them all on every submit.
    private var pruneUnsettledAt = 64
    private(set) var lastUsedUptimeMs = MonotonicClock.nowMs()
    /// Holds settled while loaded, so a late capture or void gets the right status.
    var settledHolds = RecentSettlements()
    /// Debits refunded while loaded, newer than what storage may show to a concurrent reader.
    /// Kept for the actor's life (it is evicted when idle): dropping one could let a stale read
    /// refund the same credits twice, and refunds are rare next to debits.
    var refundedDebits: [Int64: DebitRecord] = [:]

    init(id: String, context: EngineContext) {
        self.id = id
        self.context = context
        self.state = AccountState(account: Account(id: id, createdAtMs: 0))
        self.keys = IdempotencyKeyIndex(account: id, loaded: [], completeSinceMs: .min, memory: context.idempotencyKeyMemory, filter: context.idempotencyKeyFilter)
    }

    /// Loads the account if needed; fails with `retired` once evicted.
    func prepare() async throws(ActorFailure) {
        guard !retired else { throw .retired }
        lastUsedUptimeMs = MonotonicClock.nowMs()
        if signals.failed.exchange(false, ordering: .sequentiallyConsistent) { needsReload = true }
        while phase == .unloaded || needsReload {
            let task = loadTask ?? startLoad()
            if let error = await task.value { throw .engine(.storage(error)) }
        }
        // The sweep may have retired the actor while this request waited for the load: another
        // actor may then own the account, and this one's keys are gone.
        guard !retired else { throw .retired }
    }

    private func startLoad() -> Task<StoreError?, Never> {
        let task = Task { await self.loadAndInstall() }
        loadTask = task
        return task
    }

    private func loadAndInstall() async -> StoreError? {
        defer { loadTask = nil }
        // Disk is read only once nothing decided on the old memory is in flight: such a mutation
        // may still commit (the first one after an earlier reload lifts the writer's refusal),
        // and memory loaded without it would hand out its sequence numbers and credits again.
        let waiting = unsettled
        unsettled = []
        for ticket in waiting { _ = await ticket.wait() }
        let id = self.id
        let keysSinceMs = context.clock.nowMs() - context.configuration.idempotencyRetentionMs
        let keyLimit = context.configuration.idempotencyKeysPerAccount
        do throws(StoreError) {
            let snapshot = try await context.store.account(id: id, keysSinceMs: keysSinceMs, keyLimit: keyLimit)
            install(snapshot)
            return nil
        } catch {
            return error
        }
    }

    private func install(_ snapshot: AccountSnapshot?) {
        // A key still in flight keeps answering 409 until its commit settles, reload or not.
        let carried = keys.inFlight
        keys.releaseAll(nowMs: context.clock.nowMs())
        if let snapshot {
            state = snapshot.state
            keys = IdempotencyKeyIndex(
                account: id, loaded: snapshot.idempotencyKeys, completeSinceMs: snapshot.keysCompleteSinceMs,
                memory: context.idempotencyKeyMemory, filter: context.idempotencyKeyFilter, carrying: carried)
            lastEventSeq = snapshot.lastEventSeq
            phase = .live
        } else {
            state = AccountState(account: Account(id: id, createdAtMs: 0))
            keys = IdempotencyKeyIndex(
                account: id, loaded: [], completeSinceMs: .min, memory: context.idempotencyKeyMemory, filter: context.idempotencyKeyFilter,
                carrying: carried)
            lastEventSeq = 0
            phase = .missing
        }
        // Always: a failed commit may have left the writer refusing this account even when this
        // actor is new (the one that saw the failure was evicted).
        resumeOnNextWrite = true
        needsReload = false
        settledHolds = RecentSettlements()
        refundedDebits = [:]
    }

    /// Marks the actor evicted if nothing is running or loading and it has been idle long enough.
    func retireIfIdle(nowUptimeMs: Int64, idleMs: Int64) -> Bool {
        guard signals.inFlight.load(ordering: .sequentiallyConsistent) == 0, loadTask == nil, nowUptimeMs - lastUsedUptimeMs >= idleMs else { return false }
        retired = true
        keys.releaseAll(nowMs: context.clock.nowMs())
        return true
    }

    /// Decides a rule under an optional idempotency key and submits its rows to the writer.
    ///
    /// Everything from the key check to the submission is synchronous; the caller then waits for
    /// the commit through the returned outcome, outside the actor. The only suspensions here are
    /// loading the account and, for a replay, reading the stored answer.
    func perform<Value: Sendable>(
        _ request: IdempotentRequest?, replay: (RecordedOutcome) -> Value?,
        rule: (inout AccountState, inout RuleContext<AllocatedIDs>) throws(Rejection) -> RuleStep<Value>
    ) async throws(ActorFailure) -> PendingOutcome<Value> {
        try await prepare()
        var nowMs = context.clock.nowMs()
        let cutoffMs = nowMs - context.configuration.idempotencyRetentionMs
        keys.expire(beforeMs: cutoffMs)
        if let request, keys[request.key] == nil, mayBeOnDiskOnly(request.key, cutoffMs: cutoffMs) {
            try await probe(request, sinceMs: cutoffMs, atMs: nowMs)
            nowMs = context.clock.nowMs()
        }
        if let request, let earlier = keys[request.key] {
            if earlier.status == .failed {
                keys.forget(request.key)
            } else {
                return PendingOutcome(result: .success(try await replayOutcome(of: request, earlier: earlier, decode: replay)), ticket: nil)
            }
        }
        guard phase == .live else { throw .engine(.rejected(.accountNotFound)) }
        guard context.store.hasCapacity else { throw .engine(.overloaded) }
        var ruleContext = RuleContext(nowMs: nowMs, ids: AllocatedIDs(allocator: context.ids))
        let before = StoreChanges.Before(state)
        let availableBefore = state.available
        var due = state.startDuePeriods(plans: context.configuration.catalog.plans, context: &ruleContext)
        due.entries += state.expire(context: &ruleContext)
        let expired = due.entries
        for entry in expired where entry.kind == .release {
            if let holdID = entry.referenceID { settledHolds.record(holdID, .expired) }
        }
        let outcome: Result<RuleStep<Value>, Rejection>
        do throws(Rejection) {
            outcome = .success(try rule(&state, &ruleContext))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let step):
            // The key rides in the row of the entry the request made, when it made one.
            let stamp = request.flatMap { request in
                step.entries.last.map { entry in
                    (entryID: entry.id, stamp: IdempotencyStamp(
                        key: request.key, fingerprint: request.fingerprint, response: step.recorded.encoded()))
                }
            }
            let entries = expired + step.entries
            let changes = StoreChanges.derive(entries: entries, before: before, after: state, stamp: stamp)
                + step.extraChanges
                + events(
                    for: entries, starts: due.starts + step.periodStarts, settingsChanged: step.settingsChanged,
                    availableBefore: availableBefore, atMs: nowMs)
            let ticket = submit(changes, request: request, recorded: step.recorded, nowMs: nowMs, stampedEntry: stamp?.entryID)
            return PendingOutcome(result: .success(Replayable(value: step.value, replayed: false)), ticket: ticket)
        case .failure(let rejection):
            // A rate-limited request is not stored under its key: retried later, it must run.
            var request = request
            if case .rateLimited = rejection { request = nil }
            // The balance now is the one stored with the refusal, so a replay answers the same.
            let refusal = EngineError.refused(rejection, balance: state.balance, replayed: false)
            guard request != nil || !expired.isEmpty else { throw .engine(refusal) }
            let changes = StoreChanges.derive(entries: expired, before: before, after: state)
                + events(
                    for: expired, starts: due.starts, settingsChanged: false, availableBefore: availableBefore,
                    atMs: nowMs)
            let ticket = submit(changes, request: request, recorded: .rejection(rejection, state.balance), nowMs: nowMs)
            return PendingOutcome(result: .failure(refusal), ticket: ticket)
        }
    }

    /// The outbox rows for what a request did, numbered after the account's last event, and the
    /// alerts its change of `available` raised (with their latches, stored alongside).
    func events(
        for entries: [LedgerEntry], starts: [AppliedPeriodStart], settingsChanged: Bool, availableBefore: Credits,
        atMs: Int64
    ) -> [StoreChange] {
        // Most requests are plain debits that tell nobody anything: decide that cheaply, since
        // this runs on the hot account's actor for every request.
        let policy = state.thresholdPolicy(catalog: context.configuration.catalog, settings: context.configuration.alerts)
        let period = state.periodUsage
        let alertsMayFire = !starts.isEmpty || ThresholdRules.mayFire(
            before: availableBefore, after: state.available, latches: state.latches, policy: policy, period: period)
        let packArrived = state.latches.autoTopUp.inFlightSinceMs != nil && entries.contains { $0.detail?.hasPrefix("pack:") == true }
        guard settingsChanged || alertsMayFire || packArrived || entries.contains(where: { $0.kind != .debit }) else { return [] }
        var builder = EventBuilder(account: id, livemode: state.account.livemode, atMs: atMs, balance: state.balance, lastSeq: lastEventSeq, ids: context.ids)
        builder.add(entries)
        for start in starts { builder.periodStarted(start) }
        if settingsChanged { builder.accountUpdated(state.account) }
        var latches = state.latches
        if packArrived { latches.recordPackArrival() }
        if alertsMayFire {
            let (alerts, evaluated) = ThresholdRules.evaluate(
                before: availableBefore, after: state.available, latches: latches, policy: policy, period: period,
                nowMs: atMs)
            for alert in alerts { builder.add(alert) }
            latches = evaluated
        }
        lastEventSeq = builder.lastSeq
        var changes = builder.rows.map { StoreChange.appendEvent($0) }
        if latches != state.latches {
            state.latches = latches
            changes.append(.putAlertLatches(account: id, latches))
        }
        return changes
    }

    /// Whether the operator-visible settings differ (the update time alone does not count).
    static func settingsDiffer(_ lhs: Account, _ rhs: Account) -> Bool {
        lhs.status != rhs.status || lhs.overdraftLimit != rhs.overdraftLimit || lhs.metadata != rhs.metadata
            || lhs.thresholds != rhs.thresholds || lhs.autoTopUp != rhs.autoTopUp || lhs.rateLimit != rhs.rateLimit
            || lhs.subscription?.plan != rhs.subscription?.plan
            || lhs.subscription?.scheduledChange != rhs.subscription?.scheduledChange
    }

    /// Submits changes (plus the idempotency record) to the writer and returns the commit's ticket.
    func submit(
        _ changes: [StoreChange], request: IdempotentRequest?, recorded: RecordedOutcome, nowMs: Int64,
        stampedEntry: Int64? = nil
    ) -> CommitTicket {
        let ticket = CommitTicket()
        unsettled.append(ticket)
        if unsettled.count >= pruneUnsettledAt {
            unsettled.removeAll { $0.result != nil }
            pruneUnsettledAt = max(64, unsettled.count * 2)
        }
        var changes = changes
        if let request {
            keys.begin(request.key, fingerprint: request.fingerprint, atMs: nowMs, entryID: stampedEntry, ticket: ticket)
            let settings = context.configuration
            let store = context.store
            let id = self.id
            keys.evict(
                perAccount: settings.idempotencyKeysPerAccount, floor: IdempotencyKeyIndex.floor,
                totalBytes: settings.idempotencyKeyBytes, nowMs: nowMs, firstUnindexedID: { store.firstUnindexedEntry(account: id) })
            if stampedEntry == nil {
                changes.append(.putIdempotency(IdempotencyRecord(
                    account: id, key: request.key, fingerprint: request.fingerprint,
                    response: recorded.encoded(), createdAtMs: nowMs)))
            }
        }
        let resumes = resumeOnNextWrite
        resumeOnNextWrite = false
        let signals = self.signals
        signals.inFlight.add(1, ordering: .relaxed)
        context.store.submit(
            StoreMutation(account: id, changes: changes, resumesAccount: resumes) { result in
                // Memory ran ahead of disk: the actor reloads before its next request. The flag
                // is set before the caller hears of the failure, so a retry sees it.
                if case .failure = result { signals.failed.store(true, ordering: .sequentiallyConsistent) }
                signals.inFlight.subtract(1, ordering: .sequentiallyConsistent)
                ticket.complete(result)
            })
        return ticket
    }

    /// Whether a key absent from memory may still have been used within retention: memory no
    /// longer covers the whole window, and the key filter cannot rule the key out.
    private func mayBeOnDiskOnly(_ key: String, cutoffMs: Int64) -> Bool {
        guard keys.mayHoldOnDiskOnly(sinceMs: cutoffMs) else { return false }
        let filter = context.idempotencyKeyFilter
        return filter.completeSinceMs > cutoffMs || filter.mayContain(account: id, key: key)
    }

    /// Looks a key up on disk, for a key absent from memory that may have been used before the
    /// window memory still covers; a key found is remembered, so the request replays it.
    ///
    /// Meanwhile the key counts as in flight (a repeat answers 409) and so does the actor, so
    /// it is not evicted under the request; a reload meanwhile carries the mark over. The key
    /// found is remembered only after that reload, which would otherwise drop it with the old
    /// window and let the request apply afresh.
    private func probe(_ request: IdempotentRequest, sinceMs: Int64, atMs: Int64) async throws(ActorFailure) {
        keys.beginProbe(request.key, fingerprint: request.fingerprint, atMs: atMs)
        context.idempotencyKeyMemory.countLookup()
        signals.inFlight.add(1, ordering: .relaxed)
        defer { signals.inFlight.subtract(1, ordering: .sequentiallyConsistent) }
        let id = self.id
        let key = request.key
        let found: AccountSnapshot.StoredIdempotencyKey?
        do throws(StoreError) {
            found = try await context.store.storedKey(account: id, key: key, sinceMs: sinceMs)
        } catch {
            keys.endProbe(key)
            throw .engine(.storage(error))
        }
        // A reload meanwhile may have replaced the state this request is about to change.
        do throws(ActorFailure) {
            try await prepare()
        } catch {
            keys.endProbe(key)
            throw error
        }
        keys.endProbe(key)
        if let found, keys[key] == nil { keys.remember(found) }
    }

    private func replayOutcome<Value>(
        of request: IdempotentRequest, earlier: IdempotencyKeyIndex.Entry, decode: (RecordedOutcome) -> Value?
    ) async throws(ActorFailure) -> Replayable<Value> {
        guard earlier.fingerprint == request.fingerprint else { throw .engine(.rejected(.idempotencyKeyReused)) }
        guard earlier.status != .inFlight else { throw .engine(.rejected(.idempotencyKeyInFlight)) }
        let id = self.id
        let key = request.key
        let entryID = earlier.entryID
        let stored: [UInt8]?
        do throws(StoreError) {
            stored = try await context.store.idempotencyResponse(account: id, key: key, entryID: entryID)
        } catch {
            throw .engine(.storage(error))
        }
        guard let stored, let outcome = RecordedOutcome.decode(stored) else {
            throw .engine(.storage(.corrupt("idempotency record for key \(key)")))
        }
        if case .rejection(let rejection, let balance) = outcome {
            throw .engine(.refused(rejection, balance: balance, replayed: true))
        }
        guard let value = decode(outcome) else { throw .engine(.rejected(.idempotencyKeyReused)) }
        return Replayable(value: value, replayed: true)
    }
}
